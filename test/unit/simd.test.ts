import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INSTRS } from '../../src/core/instructions.js';
import * as S from '../../src/interp/simd/index.js';
import { simdTables, viewsOf } from '../../src/interp/simd/index.js';

const { BINARY, SHIFT, TERNARY, TEST, UNARY } = simdTables();

// ---------------------------------------------------------------- helpers

const buf = new ArrayBuffer(64);
const v = viewsOf(buf);
const u8 = new Uint8Array(buf);
const dv = new DataView(buf);
const A = 0;
const B = 16;
const C = 32;
const D = 48;

type IShape = 'i8x16' | 'i16x8' | 'i32x4' | 'i64x2';
const BITS: Record<IShape, number> = { i8x16: 8, i16x8: 16, i32x4: 32, i64x2: 64 };

function setLanes(off: number, shape: IShape, lanes: (number | bigint)[]): void {
  const bits = BITS[shape];
  const bytes = bits / 8;
  lanes.forEach((x, i) => {
    let u = BigInt.asUintN(bits, BigInt(x));
    for (let k = 0; k < bytes; k++) {
      u8[off + i * bytes + k] = Number(u & 0xffn);
      u >>= 8n;
    }
  });
}
function getLanes(off: number, shape: IShape, signed: boolean): bigint[] {
  const bits = BITS[shape];
  const bytes = bits / 8;
  const out: bigint[] = [];
  for (let i = 0; i < 128 / bits; i++) {
    let u = 0n;
    for (let k = bytes - 1; k >= 0; k--) u = (u << 8n) | BigInt(u8[off + i * bytes + k]!);
    out.push(signed ? BigInt.asIntN(bits, u) : u);
  }
  return out;
}
const nums = (xs: bigint[]) => xs.map(Number);
function setF32(off: number, xs: number[]): void {
  xs.forEach((x, i) => dv.setFloat32(off + 4 * i, x, true));
}
function setF64(off: number, xs: number[]): void {
  xs.forEach((x, i) => dv.setFloat64(off + 8 * i, x, true));
}
const getF32 = (off: number) => [0, 1, 2, 3].map((i) => dv.getFloat32(off + 4 * i, true));
const getF64 = (off: number) => [0, 1].map((i) => dv.getFloat64(off + 8 * i, true));
const getU32 = (off: number) => [0, 1, 2, 3].map((i) => dv.getUint32(off + 4 * i, true));

const bytes16 = fc.oneof(
  fc.uint8Array({ minLength: 16, maxLength: 16 }),
  fc
    .array(fc.constantFrom(0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x81, 0x40), { minLength: 16, maxLength: 16 })
    .map((a) => Uint8Array.from(a)),
);
const N = 1500;

// ---------------------------------------------------------------- table coverage

describe('SIMD tables', () => {
  it('cover every immediate-free 0xFD instruction', () => {
    const none = INSTRS.filter((d) => d.prefix === 0xfd && d.imm === 'none');
    const splats = none.filter((d) => d.name.endsWith('.splat'));
    const tabled = Object.keys(UNARY).length + Object.keys(BINARY).length + Object.keys(TERNARY).length + Object.keys(SHIFT).length + Object.keys(TEST).length;
    expect(splats.length).toBe(6);
    expect(tabled + splats.length).toBe(none.length);
    expect(Object.keys(SHIFT).length).toBe(12);
    expect(Object.keys(TEST).length).toBe(9);
    expect(Object.keys(TERNARY).sort()).toEqual([
      'f32x4.relaxed_madd', 'f32x4.relaxed_nmadd', 'f64x2.relaxed_madd', 'f64x2.relaxed_nmadd',
      'i16x8.relaxed_laneselect', 'i32x4.relaxed_dot_i8x16_i7x16_add_s', 'i32x4.relaxed_laneselect',
      'i64x2.relaxed_laneselect', 'i8x16.relaxed_laneselect', 'v128.bitselect',
    ]);
    for (const d of INSTRS.filter((x) => x.prefix === 0xfd && (x.imm === 'lane' || x.imm === 'shuffle'))) {
      expect(typeof (S as unknown as Record<string, unknown>)[S.fnName(d.name)], d.name).toBe('function');
    }
  });

  it('every operation tolerates the destination aliasing an operand', () => {
    const save = new Uint8Array(64);
    fc.assert(
      fc.property(bytes16, bytes16, bytes16, fc.integer({ min: 0, max: 70 }), (a, b, c, n) => {
        const setup = () => {
          u8.set(a, A);
          u8.set(b, B);
          u8.set(c, C);
        };
        const check = (name: string, run: (d: number) => void, operands: number[]) => {
          setup();
          run(D);
          save.set(u8);
          for (const d of operands) {
            setup();
            run(d);
            expect([...u8.slice(d, d + 16)], `${name} d=${d}`).toEqual([...save.slice(D, D + 16)]);
          }
        };
        for (const [name, f] of Object.entries(UNARY)) check(name, (d) => f(v, d, A), [A]);
        for (const [name, f] of Object.entries(BINARY)) check(name, (d) => f(v, d, A, B), [A, B]);
        for (const [name, f] of Object.entries(TERNARY)) check(name, (d) => f(v, d, A, B, C), [A, B, C]);
        for (const [name, f] of Object.entries(SHIFT)) check(name, (d) => f(v, d, A, n), [A]);
      }),
      { numRuns: 200 },
    );
  });
});

// ---------------------------------------------------------------- integer lane-wise ops vs BigInt

const sat = (x: bigint, lo: bigint, hi: bigint) => (x < lo ? lo : x > hi ? hi : x);
function refBinary(op: string, ps: bigint, qs: bigint, pu: bigint, qu: bigint, bits: number): bigint | undefined {
  const min = -(1n << BigInt(bits - 1));
  const max = (1n << BigInt(bits - 1)) - 1n;
  const umax = (1n << BigInt(bits)) - 1n;
  const t = (c: boolean) => (c ? -1n : 0n);
  switch (op) {
    case 'add': return ps + qs;
    case 'sub': return ps - qs;
    case 'mul': return ps * qs;
    case 'add_sat_s': return sat(ps + qs, min, max);
    case 'add_sat_u': return sat(pu + qu, 0n, umax);
    case 'sub_sat_s': return sat(ps - qs, min, max);
    case 'sub_sat_u': return sat(pu - qu, 0n, umax);
    case 'min_s': return ps < qs ? ps : qs;
    case 'min_u': return pu < qu ? pu : qu;
    case 'max_s': return ps > qs ? ps : qs;
    case 'max_u': return pu > qu ? pu : qu;
    case 'avgr_u': return (pu + qu + 1n) >> 1n;
    case 'eq': return t(ps === qs);
    case 'ne': return t(ps !== qs);
    case 'lt_s': return t(ps < qs);
    case 'lt_u': return t(pu < qu);
    case 'gt_s': return t(ps > qs);
    case 'gt_u': return t(pu > qu);
    case 'le_s': return t(ps <= qs);
    case 'le_u': return t(pu <= qu);
    case 'ge_s': return t(ps >= qs);
    case 'ge_u': return t(pu >= qu);
    case 'q15mulr_sat_s':
    case 'relaxed_q15mulr_s':
      return sat((ps * qs + 0x4000n) >> 15n, min, max);
    default: return undefined;
  }
}

describe('integer lane-wise operations', () => {
  const shapes: IShape[] = ['i8x16', 'i16x8', 'i32x4', 'i64x2'];
  it('binary ops vs BigInt reference', () => {
    let covered = 0;
    fc.assert(
      fc.property(bytes16, bytes16, (a, b) => {
        covered = 0;
        for (const [name, f] of Object.entries(BINARY)) {
          const [shape, op] = name.split('.') as [string, string];
          if (!shapes.includes(shape as IShape)) continue;
          const sh = shape as IShape;
          const bits = BITS[sh];
          u8.set(a, A);
          u8.set(b, B);
          const as = getLanes(A, sh, true), au = getLanes(A, sh, false);
          const bs = getLanes(B, sh, true), bu = getLanes(B, sh, false);
          const want = as.map((_, i) => refBinary(op, as[i]!, bs[i]!, au[i]!, bu[i]!, bits));
          if (want.some((x) => x === undefined)) continue;
          covered++;
          f(v, D, A, B);
          expect(getLanes(D, sh, false), name).toEqual(want.map((x) => BigInt.asUintN(bits, x!)));
        }
      }),
      { numRuns: N },
    );
    // i8x16 21, i16x8 24 (+ mul, q15mulr, relaxed_q15mulr), i32x4 17, i64x2 9
    expect(covered).toBe(71);
  });

  it('unary ops and shifts vs BigInt reference', () => {
    fc.assert(
      fc.property(bytes16, fc.integer(), (a, n) => {
        for (const sh of shapes) {
          const bits = BITS[sh];
          const wrap = (x: bigint) => BigInt.asUintN(bits, x);
          u8.set(a, A);
          const as = getLanes(A, sh, true), au = getLanes(A, sh, false);
          const k = BigInt(((n % bits) + bits) % bits);
          UNARY[`${sh}.abs`]!(v, D, A);
          expect(getLanes(D, sh, false)).toEqual(as.map((x) => wrap(x < 0n ? -x : x)));
          UNARY[`${sh}.neg`]!(v, D, A);
          expect(getLanes(D, sh, false)).toEqual(as.map((x) => wrap(-x)));
          SHIFT[`${sh}.shl`]!(v, D, A, n);
          expect(getLanes(D, sh, false), `${sh}.shl ${n}`).toEqual(au.map((x) => wrap(x << k)));
          SHIFT[`${sh}.shr_s`]!(v, D, A, n);
          expect(getLanes(D, sh, false), `${sh}.shr_s ${n}`).toEqual(as.map((x) => wrap(x >> k)));
          SHIFT[`${sh}.shr_u`]!(v, D, A, n);
          expect(getLanes(D, sh, false), `${sh}.shr_u ${n}`).toEqual(au.map((x) => wrap(x >> k)));
          expect(TEST[`${sh}.all_true`]!(v, A)).toBe(au.every((x) => x !== 0n) ? 1 : 0);
          expect(TEST[`${sh}.bitmask`]!(v, A)).toBe(as.reduce((m, x, i) => m | ((x < 0n ? 1 : 0) << i), 0));
        }
        u8.set(a, A);
        expect(TEST['v128.any_true']!(v, A)).toBe(a.some((x) => x !== 0) ? 1 : 0);
        UNARY['i8x16.popcnt']!(v, D, A);
        expect([...u8.slice(D, D + 16)]).toEqual([...a].map((x) => x.toString(2).split('1').length - 1));
      }),
      { numRuns: N },
    );
  });

  it('spec examples', () => {
    setLanes(A, 'i16x8', [-32768, -32768, 16384, 32767, -1, 1, 0, 12345]);
    setLanes(B, 'i16x8', [-32768, 32767, 16384, 32767, -1, 1, 5, -12345]);
    S.i16x8_q15mulr_sat_s(v, D, A, B);
    expect(nums(getLanes(D, 'i16x8', true))).toEqual([32767, -32767, 8192, 32766, 0, 0, 0, -4651]);
    setLanes(A, 'i8x16', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    setLanes(B, 'i8x16', [255, 255, 0, 254, 128, 127, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    S.i8x16_avgr_u(v, D, A, B);
    expect(nums(getLanes(D, 'i8x16', false))).toEqual([128, 128, 1, 129, 66, 66, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    S.i8x16_add_sat_u(v, D, A, B);
    expect(nums(getLanes(D, 'i8x16', false)).slice(0, 6)).toEqual([255, 255, 2, 255, 132, 132]);
    S.i8x16_sub_sat_s(v, D, A, B);
    expect(nums(getLanes(D, 'i8x16', true)).slice(0, 6)).toEqual([1, 2, 2, 5, 127, -122]);
    setLanes(A, 'i32x4', [1, -1, 0x80000000, 0x7fffffff]);
    S.i32x4_abs(v, D, A);
    expect(nums(getLanes(D, 'i32x4', true))).toEqual([1, 1, -0x80000000, 0x7fffffff]);
    setLanes(A, 'i64x2', [-(2n ** 63n), -5n]);
    S.i64x2_abs(v, D, A);
    expect(getLanes(D, 'i64x2', true)).toEqual([-(2n ** 63n), 5n]);
    setLanes(A, 'i64x2', [1n, -(2n ** 63n)]);
    S.i64x2_shr_s(v, D, A, 65);
    expect(getLanes(D, 'i64x2', true)).toEqual([0n, -(2n ** 62n)]);
  });
});

// ---------------------------------------------------------------- width-changing and lane-moving ops

describe('narrow, extend, extmul, extadd, dot', () => {
  const halves = { i16x8: 'i8x16', i32x4: 'i16x8', i64x2: 'i32x4' } as const;
  it('vs BigInt reference', () => {
    fc.assert(
      fc.property(bytes16, bytes16, (a, b) => {
        u8.set(a, A);
        u8.set(b, B);
        for (const [wide, narrow] of Object.entries(halves) as [IShape, IShape][]) {
          const wb = BITS[wide];
          const n = 128 / wb;
          for (const sx of ['s', 'u'] as const) {
            const la = getLanes(A, narrow, sx === 's');
            const lb = getLanes(B, narrow, sx === 's');
            for (const half of ['low', 'high'] as const) {
              const from = half === 'low' ? 0 : n;
              const fx = (S as unknown as Record<string, (...x: unknown[]) => void>);
              fx[`${wide}_extend_${half}_${narrow}_${sx}`]!(v, D, A);
              expect(getLanes(D, wide, sx === 's'), `${wide} extend ${half} ${sx}`).toEqual(la.slice(from, from + n));
              fx[`${wide}_extmul_${half}_${narrow}_${sx}`]!(v, D, A, B);
              expect(getLanes(D, wide, false), `${wide} extmul ${half} ${sx}`).toEqual(
                la.slice(from, from + n).map((x, i) => BigInt.asUintN(wb, x * lb[from + i]!)),
              );
            }
            if (wide !== 'i64x2') {
              const fx = (S as unknown as Record<string, (...x: unknown[]) => void>);
              fx[`${wide}_extadd_pairwise_${narrow}_${sx}`]!(v, D, A);
              expect(getLanes(D, wide, sx === 's')).toEqual(Array.from({ length: n }, (_, i) => la[2 * i]! + la[2 * i + 1]!));
              // narrow: wide lanes of a then b, saturated to the narrow lane type
              const nb = BITS[narrow];
              const wa = getLanes(A, wide, true);
              const wbl = getLanes(B, wide, true);
              const [lo, hi] = sx === 's' ? [-(1n << BigInt(nb - 1)), (1n << BigInt(nb - 1)) - 1n] : [0n, (1n << BigInt(nb)) - 1n];
              fx[`${narrow}_narrow_${wide}_${sx}`]!(v, D, A, B);
              expect(getLanes(D, narrow, sx === 's')).toEqual([...wa, ...wbl].map((x) => sat(x, lo, hi)));
            }
          }
        }
        const a16 = getLanes(A, 'i16x8', true);
        const b16 = getLanes(B, 'i16x8', true);
        S.i32x4_dot_i16x8_s(v, D, A, B);
        expect(getLanes(D, 'i32x4', true)).toEqual(
          [0, 1, 2, 3].map((i) => BigInt.asIntN(32, a16[2 * i]! * b16[2 * i]! + a16[2 * i + 1]! * b16[2 * i + 1]!)),
        );
      }),
      { numRuns: N },
    );
  });

  it('spec examples', () => {
    setLanes(A, 'i16x8', [0, 127, 128, -128, -129, 32767, -32768, 1]);
    setLanes(B, 'i16x8', [255, 256, -1, 2, 3, 4, 5, 6]);
    S.i8x16_narrow_i16x8_s(v, D, A, B);
    expect(nums(getLanes(D, 'i8x16', true))).toEqual([0, 127, 127, -128, -128, 127, -128, 1, 127, 127, -1, 2, 3, 4, 5, 6]);
    S.i8x16_narrow_i16x8_u(v, D, A, B);
    expect(nums(getLanes(D, 'i8x16', false))).toEqual([0, 127, 128, 0, 0, 255, 0, 1, 255, 255, 0, 2, 3, 4, 5, 6]);
    setLanes(A, 'i16x8', [-32768, -32768, 1, 2, 3, 4, 5, 6]);
    S.i32x4_dot_i16x8_s(v, D, A, A);
    expect(nums(getLanes(D, 'i32x4', true))).toEqual([-0x80000000, 5, 25, 61]);
    setLanes(A, 'i32x4', [-1, 0x7fffffff, -0x80000000, 3]);
    setLanes(B, 'i32x4', [-1, 0x7fffffff, -0x80000000, -3]);
    S.i64x2_extmul_low_i32x4_s(v, D, A, B);
    expect(getLanes(D, 'i64x2', true)).toEqual([1n, 0x3fffffff00000001n]);
    S.i64x2_extmul_high_i32x4_u(v, D, A, B);
    expect(getLanes(D, 'i64x2', false)).toEqual([0x4000000000000000n, 3n * 0xfffffffdn]);
  });
});

describe('lane access, shuffle, swizzle, bitwise', () => {
  it('splat / extract / replace', () => {
    S.i8x16_splat(v, D, 0x1ff);
    expect(nums(getLanes(D, 'i8x16', false))).toEqual(Array(16).fill(255));
    S.i16x8_splat(v, D, -2);
    expect(nums(getLanes(D, 'i16x8', true))).toEqual(Array(8).fill(-2));
    S.i32x4_splat(v, D, 0x7fc00001);
    expect(getU32(D)).toEqual(Array(4).fill(0x7fc00001));
    S.f64x2_splat(v, D, 1, 0x7ff00000); // signalling NaN bits survive
    expect(getU32(D)).toEqual([1, 0x7ff00000, 1, 0x7ff00000]);
    S.i64x2_splat(v, D, -1, 0x7fffffff);
    expect(getLanes(D, 'i64x2', true)).toEqual([2n ** 63n - 1n, 2n ** 63n - 1n]);
    setLanes(A, 'i8x16', [0, -1, 2, -128, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 127]);
    expect(S.i8x16_extract_lane_s(v, A, 1)).toBe(-1);
    expect(S.i8x16_extract_lane_u(v, A, 1)).toBe(255);
    expect(S.i8x16_extract_lane_s(v, A, 15)).toBe(127);
    expect(S.i16x8_extract_lane_s(v, A, 1)).toBe(-32766); // bytes 0x02 0x80
    expect(S.i16x8_extract_lane_u(v, A, 1)).toBe(0x8002);
    S.i8x16_replace_lane(v, D, A, 3, 0x17f);
    expect(S.i8x16_extract_lane_s(v, D, 3)).toBe(127);
    expect(S.i8x16_extract_lane_s(v, D, 1)).toBe(-1);
    setLanes(A, 'i64x2', [5n, -7n]);
    const m = new Int32Array(2);
    S.i64x2_extract_lane(v, A, 1, m, 0);
    expect([m[0], m[1]]).toEqual([-7, -1]);
    S.i64x2_replace_lane(v, A, A, 0, 0, 1);
    expect(getLanes(A, 'i64x2', true)).toEqual([2n ** 32n, -7n]);
    S.f32x4_replace_lane(v, D, A, 2, 0x7f800001);
    expect(getU32(D)[2]).toBe(0x7f800001);
    expect(S.f32x4_extract_lane(v, D, 2)).toBe(0x7f800001);
  });

  it('shuffle and swizzle', () => {
    setLanes(A, 'i8x16', Array.from({ length: 16 }, (_, i) => i));
    setLanes(B, 'i8x16', Array.from({ length: 16 }, (_, i) => 100 + i));
    const lanes = [31, 0, 16, 15, 1, 17, 2, 18, 30, 29, 3, 4, 5, 6, 7, 8];
    S.i8x16_shuffle(v, A, A, B, lanes); // in place
    expect(nums(getLanes(A, 'i8x16', false))).toEqual(lanes.map((k) => (k < 16 ? k : 100 + k - 16)));
    setLanes(A, 'i8x16', Array.from({ length: 16 }, (_, i) => 0xf0 + i));
    setLanes(B, 'i8x16', [0, 15, 16, 255, 128, 1, 2, 3, 17, 14, 13, 0x80, 0x7f, 4, 5, 6]);
    S.i8x16_swizzle(v, D, A, B);
    expect(nums(getLanes(D, 'i8x16', false))).toEqual([0xf0, 0xff, 0, 0, 0, 0xf1, 0xf2, 0xf3, 0, 0xfe, 0xfd, 0, 0, 0xf4, 0xf5, 0xf6]);
    S.i8x16_relaxed_swizzle(v, B, A, B); // deterministic profile = swizzle; in place on the index operand
    expect([...u8.slice(B, B + 16)]).toEqual([...u8.slice(D, D + 16)]);
  });

  it('bitwise vs reference', () => {
    fc.assert(
      fc.property(bytes16, bytes16, bytes16, (a, b, c) => {
        u8.set(a, A);
        u8.set(b, B);
        u8.set(c, C);
        const got = (f: () => void) => (f(), [...u8.slice(D, D + 16)]);
        expect(got(() => S.v128_and(v, D, A, B))).toEqual([...a].map((x, i) => x & b[i]!));
        expect(got(() => S.v128_andnot(v, D, A, B))).toEqual([...a].map((x, i) => x & ~b[i]! & 0xff));
        expect(got(() => S.v128_or(v, D, A, B))).toEqual([...a].map((x, i) => x | b[i]!));
        expect(got(() => S.v128_xor(v, D, A, B))).toEqual([...a].map((x, i) => x ^ b[i]!));
        expect(got(() => S.v128_not(v, D, A))).toEqual([...a].map((x) => ~x & 0xff));
        const sel = [...a].map((x, i) => (x & c[i]!) | (b[i]! & ~c[i]! & 0xff));
        expect(got(() => S.v128_bitselect(v, D, A, B, C))).toEqual(sel);
        for (const ls of ['i8x16', 'i16x8', 'i32x4', 'i64x2']) expect(got(() => TERNARY[`${ls}.relaxed_laneselect`]!(v, D, A, B, C))).toEqual(sel);
      }),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------- floats

const isNaNBits32 = (b: number) => (b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0;
const f32lane = fc.oneof(
  fc.float().map((x) => x),
  fc.constantFrom(0, -0, 0.5, -0.5, 1.5, 2.5, -2.5, Infinity, -Infinity, NaN, 8388607.5, 3e38, -1e-45),
  fc.integer({ min: -50, max: 50 }).map((x) => x / 2),
);
const f64lane = fc.oneof(
  fc.double(),
  fc.constantFrom(0, -0, 0.5, -0.5, 1.5, 2.5, -2.5, Infinity, -Infinity, NaN, 4503599627370495.5, 1e308, 5e-324),
  fc.integer({ min: -50, max: 50 }).map((x) => x / 2),
);
function nearestRef(x: number): number {
  if (!Number.isFinite(x) || Math.abs(x) >= 2 ** 52) return x;
  const fl = Math.floor(x);
  const diff = x - fl;
  const r = diff < 0.5 ? fl : diff > 0.5 ? fl + 1 : fl % 2 === 0 ? fl : fl + 1;
  return r === 0 ? (x < 0 || Object.is(x, -0) ? -0 : 0) : r;
}
function minRef(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  return a < b ? a : b < a ? b : Object.is(a, -0) ? a : b;
}
function maxRef(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  return a > b ? a : b > a ? b : Object.is(a, 0) ? a : b;
}
const sameNum = (x: number, y: number) => (Number.isNaN(y) ? Number.isNaN(x) : Object.is(x, y));

describe('float lanes', () => {
  const ops2: [string, (p: number, q: number) => number][] = [
    ['add', (p, q) => p + q], ['sub', (p, q) => p - q], ['mul', (p, q) => p * q], ['div', (p, q) => p / q],
    ['min', minRef], ['max', maxRef], ['relaxed_min', minRef], ['relaxed_max', maxRef],
    ['pmin', (p, q) => (q < p ? q : p)], ['pmax', (p, q) => (p < q ? q : p)],
  ];
  const ops1: [string, (p: number) => number][] = [
    ['sqrt', Math.sqrt], ['ceil', Math.ceil], ['floor', Math.floor], ['trunc', Math.trunc], ['nearest', nearestRef],
    ['abs', Math.abs], ['neg', (p) => -p],
  ];
  const cmps: [string, (p: number, q: number) => boolean][] = [
    ['eq', (p, q) => p === q], ['ne', (p, q) => p !== q], ['lt', (p, q) => p < q], ['gt', (p, q) => p > q], ['le', (p, q) => p <= q], ['ge', (p, q) => p >= q],
  ];
  it('f32x4 vs Math + Float32 rounding', () => {
    fc.assert(
      fc.property(fc.array(f32lane, { minLength: 4, maxLength: 4 }), fc.array(f32lane, { minLength: 4, maxLength: 4 }), (a, b) => {
        const r = Math.fround;
        for (const [op, f] of ops2) {
          setF32(A, a); setF32(B, b);
          BINARY[`f32x4.${op}`]!(v, D, A, B);
          getF32(D).forEach((x, i) => expect(sameNum(x, r(f(r(a[i]!), r(b[i]!)))), `f32x4.${op}(${a[i]}, ${b[i]}) = ${x}`).toBe(true));
        }
        for (const [op, f] of ops1) {
          setF32(A, a);
          UNARY[`f32x4.${op}`]!(v, D, A);
          getF32(D).forEach((x, i) => expect(sameNum(x, r(f(r(a[i]!)))), `f32x4.${op}(${a[i]})`).toBe(true));
        }
        for (const [op, f] of cmps) {
          setF32(A, a); setF32(B, b);
          BINARY[`f32x4.${op}`]!(v, D, A, B);
          expect(getU32(D)).toEqual(a.map((x, i) => (f(r(x), r(b[i]!)) ? 0xffffffff : 0)));
        }
      }),
      { numRuns: N },
    );
  });
  it('f64x2 vs Math', () => {
    fc.assert(
      fc.property(fc.array(f64lane, { minLength: 2, maxLength: 2 }), fc.array(f64lane, { minLength: 2, maxLength: 2 }), (a, b) => {
        for (const [op, f] of ops2) {
          setF64(A, a); setF64(B, b);
          BINARY[`f64x2.${op}`]!(v, D, A, B);
          getF64(D).forEach((x, i) => expect(sameNum(x, f(a[i]!, b[i]!)), `f64x2.${op}`).toBe(true));
        }
        for (const [op, f] of ops1) {
          setF64(A, a);
          UNARY[`f64x2.${op}`]!(v, D, A);
          getF64(D).forEach((x, i) => expect(sameNum(x, f(a[i]!)), `f64x2.${op}(${a[i]})`).toBe(true));
        }
        for (const [op, f] of cmps) {
          setF64(A, a); setF64(B, b);
          BINARY[`f64x2.${op}`]!(v, D, A, B);
          expect(getU32(D)).toEqual(a.flatMap((x, i) => (f(x, b[i]!) ? [0xffffffff, 0xffffffff] : [0, 0])));
        }
      }),
      { numRuns: N },
    );
  });
  it('abs/neg/pmin/pmax keep NaN payloads; arithmetic NaNs are quiet', () => {
    dv.setUint32(A, 0x7fa00001, true); // signalling NaN with payload
    dv.setUint32(A + 4, 0xffc12345, true);
    dv.setUint32(A + 8, 0x3f800000, true);
    dv.setUint32(A + 12, 0x80000000, true);
    S.f32x4_abs(v, D, A);
    expect(getU32(D)).toEqual([0x7fa00001, 0x7fc12345, 0x3f800000, 0]);
    S.f32x4_neg(v, D, A);
    expect(getU32(D)).toEqual([0xffa00001, 0x7fc12345, 0xbf800000, 0]);
    setF32(B, [1, 1, 1, 1]);
    S.f32x4_pmin(v, D, A, B); // NaN compares false: pmin returns a's bits
    expect(getU32(D).slice(0, 2)).toEqual([0x7fa00001, 0xffc12345]);
    S.f32x4_pmax(v, D, A, B);
    expect(getU32(D).slice(0, 2)).toEqual([0x7fa00001, 0xffc12345]);
    for (const op of ['add', 'min', 'max', 'mul']) {
      BINARY[`f32x4.${op}`]!(v, D, A, B);
      const r = getU32(D);
      expect(isNaNBits32(r[0]!) && (r[0]! & 0x400000) !== 0, op).toBe(true);
    }
    for (const op of ['sqrt', 'ceil', 'nearest']) {
      UNARY[`f32x4.${op}`]!(v, D, A);
      const r = getU32(D);
      expect(isNaNBits32(r[0]!) && (r[0]! & 0x400000) !== 0, op).toBe(true);
    }
    dv.setUint32(A, 1, true);
    dv.setUint32(A + 4, 0x7ff00000, true);
    S.f64x2_neg(v, D, A);
    expect(getU32(D).slice(0, 2)).toEqual([1, 0xfff00000]);
    S.f64x2_ceil(v, D, A);
    expect(getU32(D)[1]! & 0x7ff80000).toBe(0x7ff80000);
    S.f64x2_promote_low_f32x4(v, D, D); // any NaN stays NaN
  });
  it('conversions', () => {
    fc.assert(
      fc.property(fc.array(f32lane, { minLength: 4, maxLength: 4 }), fc.array(fc.integer(), { minLength: 4, maxLength: 4 }), fc.array(f64lane, { minLength: 2, maxLength: 2 }), (f, ints, d) => {
        const satT = (x: number, lo: number, hi: number) => (Number.isNaN(x) ? 0 : Math.max(lo, Math.min(hi, Math.trunc(x))) + 0);
        setF32(A, f);
        for (const name of ['i32x4.trunc_sat_f32x4_s', 'i32x4.relaxed_trunc_f32x4_s']) {
          UNARY[name]!(v, D, A);
          expect(nums(getLanes(D, 'i32x4', true))).toEqual(f.map((x) => satT(Math.fround(x), -(2 ** 31), 2 ** 31 - 1)));
        }
        for (const name of ['i32x4.trunc_sat_f32x4_u', 'i32x4.relaxed_trunc_f32x4_u']) {
          UNARY[name]!(v, D, A);
          expect(nums(getLanes(D, 'i32x4', false))).toEqual(f.map((x) => satT(Math.fround(x), 0, 2 ** 32 - 1)));
        }
        setLanes(A, 'i32x4', ints);
        S.f32x4_convert_i32x4_s(v, D, A);
        expect(getF32(D)).toEqual(ints.map((x) => Math.fround(x)));
        S.f32x4_convert_i32x4_u(v, D, A);
        expect(getF32(D)).toEqual(ints.map((x) => Math.fround(x >>> 0)));
        S.f64x2_convert_low_i32x4_s(v, D, A);
        expect(getF64(D)).toEqual(ints.slice(0, 2));
        S.f64x2_convert_low_i32x4_u(v, D, A);
        expect(getF64(D)).toEqual(ints.slice(0, 2).map((x) => x >>> 0));
        setF64(A, d);
        for (const name of ['i32x4.trunc_sat_f64x2_s_zero', 'i32x4.relaxed_trunc_f64x2_s_zero']) {
          UNARY[name]!(v, D, A);
          expect(nums(getLanes(D, 'i32x4', true))).toEqual([...d.map((x) => satT(x, -(2 ** 31), 2 ** 31 - 1)), 0, 0]);
        }
        for (const name of ['i32x4.trunc_sat_f64x2_u_zero', 'i32x4.relaxed_trunc_f64x2_u_zero']) {
          UNARY[name]!(v, D, A);
          expect(nums(getLanes(D, 'i32x4', false))).toEqual([...d.map((x) => satT(x, 0, 2 ** 32 - 1)), 0, 0]);
        }
        S.f32x4_demote_f64x2_zero(v, D, A);
        getF32(D).forEach((x, i) => expect(sameNum(x, i < 2 ? Math.fround(d[i]!) : 0)).toBe(true));
        expect(getU32(D).slice(2)).toEqual([0, 0]);
        setF32(A, f);
        S.f64x2_promote_low_f32x4(v, D, A);
        getF64(D).forEach((x, i) => expect(sameNum(x, Math.fround(f[i]!))).toBe(true));
      }),
      { numRuns: N },
    );
  });
});

// ---------------------------------------------------------------- relaxed (deterministic profile)

describe('relaxed SIMD (deterministic profile)', () => {
  it('dot products (relaxed_dot_product.wast vectors)', () => {
    const seq = Array.from({ length: 16 }, (_, i) => i);
    setLanes(A, 'i8x16', seq);
    setLanes(B, 'i8x16', seq);
    S.i16x8_relaxed_dot_i8x16_i7x16_s(v, D, A, B);
    expect(nums(getLanes(D, 'i16x8', true))).toEqual([1, 13, 41, 85, 145, 221, 313, 421]);
    setLanes(C, 'i32x4', [0, 1, 2, 3]);
    S.i32x4_relaxed_dot_i8x16_i7x16_add_s(v, D, A, B, C);
    expect(nums(getLanes(D, 'i32x4', true))).toEqual([14, 127, 368, 737]);
    setLanes(A, 'i8x16', [-128, -128, 127, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    setLanes(B, 'i8x16', [127, 127, 127, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    S.i16x8_relaxed_dot_i8x16_i7x16_s(v, D, A, B);
    expect(nums(getLanes(D, 'i16x8', true))).toEqual([-32512, 32258, 0, 0, 0, 0, 0, 0]);
    setLanes(A, 'i8x16', [-128, -128, -128, -128, 127, 127, 127, 127, 0, 0, 0, 0, 0, 0, 0, 0]);
    setLanes(B, 'i8x16', [127, 127, 127, 127, 127, 127, 127, 127, 0, 0, 0, 0, 0, 0, 0, 0]);
    setLanes(C, 'i32x4', [1, 2, 3, 4]);
    S.i32x4_relaxed_dot_i8x16_i7x16_add_s(v, D, A, B, C);
    expect(nums(getLanes(D, 'i32x4', true))).toEqual([-65023, 64518, 3, 4]);
    // signed * signed is the deterministic choice among the spec's `either` results
    setLanes(A, 'i8x16', [-128, -128, -128, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    setLanes(B, 'i8x16', [-127, -127, -127, -127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    S.i16x8_relaxed_dot_i8x16_i7x16_s(v, D, A, B);
    expect(nums(getLanes(D, 'i16x8', true)).slice(0, 2)).toEqual([32512, 32512]);
    S.i32x4_relaxed_dot_i8x16_i7x16_add_s(v, D, A, B, C);
    expect(nums(getLanes(D, 'i32x4', true))).toEqual([65025, 2, 3, 4]);
  });
  it('madd / nmadd are unfused', () => {
    // f32: (1 + 2^-23)^2 - 1: the product rounds to 1 + 2^-22 before the add (a fused result would keep 2^-46)
    const x = 1 + 2 ** -23;
    setF32(A, [x, x, 2, 0.5]);
    setF32(B, [x, x, 3, -4]);
    setF32(C, [-1, -(1 + 2 ** -22), 1, 1]);
    S.f32x4_relaxed_madd(v, D, A, B, C);
    expect(getF32(D)).toEqual([2 ** -22, 0, 7, -1]);
    S.f32x4_relaxed_nmadd(v, D, A, B, C);
    expect(getF32(D)).toEqual([Math.fround(-(1 + 2 ** -22) - 1), Math.fround(-2 * (1 + 2 ** -22)), -5, 3]);
    const y = 1 + 2 ** -52;
    setF64(A, [y, 3]);
    setF64(B, [y, 4]);
    setF64(C, [-1, 0.5]);
    S.f64x2_relaxed_madd(v, D, A, B, C);
    expect(getF64(D)).toEqual([2 ** -51, 12.5]);
    S.f64x2_relaxed_nmadd(v, D, A, B, C);
    expect(getF64(D)).toEqual([-(1 + 2 ** -51) - 1, -11.5]);
  });
  it('q15mulr saturates; min/max like min/max', () => {
    setLanes(A, 'i16x8', [-32768, 1, 2, 3, 4, 5, 6, 7]);
    setLanes(B, 'i16x8', [-32768, 1, 2, 3, 4, 5, 6, 7]);
    S.i16x8_relaxed_q15mulr_s(v, D, A, B);
    expect(nums(getLanes(D, 'i16x8', true))[0]).toBe(32767);
    setF32(A, [NaN, -0, 0, 1]);
    setF32(B, [1, 0, -0, NaN]);
    S.f32x4_relaxed_min(v, D, A, B);
    const r = getF32(D);
    expect(Number.isNaN(r[0]) && Object.is(r[1], -0) && Object.is(r[2], -0) && Number.isNaN(r[3])).toBe(true);
  });
});
