import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Trap } from '../../src/core/errors.js';
import * as I32 from '../../src/interp/numeric/i32.js';

const MIN = -0x80000000;
const MAX = 0x7fffffff;
const EDGES = [0, 1, -1, 2, -2, MIN, MAX, MIN + 1, MAX - 1, 0x8000, 0xffff, 0x10000, -0x8000, 0x55555555, -0x55555556];
const i32 = fc.oneof(fc.integer({ min: MIN, max: MAX }), fc.constantFrom(...EDGES), fc.integer({ min: -300, max: 300 }));
const s32 = (v: bigint) => Number(BigInt.asIntN(32, v));
const u32 = (x: number) => BigInt(x >>> 0);
const N = 5000;

function trapMsg(f: () => number): number | string {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof Trap)) throw e;
    return e.message;
  }
}

describe('i32', () => {
  it('clz/ctz/popcnt', () => {
    fc.assert(
      fc.property(i32, (x) => {
        const bits = (x >>> 0).toString(2).padStart(32, '0');
        expect(I32.clz(x)).toBe(bits.indexOf('1') < 0 ? 32 : bits.indexOf('1'));
        expect(I32.ctz(x)).toBe(x === 0 ? 32 : 31 - bits.lastIndexOf('1'));
        expect(I32.popcnt(x)).toBe([...bits].filter((c) => c === '1').length);
      }),
      { numRuns: N },
    );
  });

  it('rotl/rotr', () => {
    fc.assert(
      fc.property(i32, i32, (x, n) => {
        const k = BigInt(n & 31);
        const u = u32(x);
        expect(I32.rotl(x, n)).toBe(s32((u << k) | (u >> ((32n - k) & 31n))));
        expect(I32.rotr(x, n)).toBe(s32((u >> k) | (u << ((32n - k) & 31n))));
      }),
      { numRuns: N },
    );
  });

  it('div/rem vs BigInt, with traps', () => {
    fc.assert(
      fc.property(i32, i32, (a, b) => {
        const A = BigInt(a);
        const B = BigInt(b);
        const z = 'integer divide by zero';
        expect(trapMsg(() => I32.div_s(a, b))).toBe(b === 0 ? z : a === MIN && b === -1 ? 'integer overflow' : s32(A / B));
        expect(trapMsg(() => I32.rem_s(a, b))).toBe(b === 0 ? z : s32(A % B));
        expect(trapMsg(() => I32.div_u(a, b))).toBe(b === 0 ? z : s32(u32(a) / u32(b)));
        expect(trapMsg(() => I32.rem_u(a, b))).toBe(b === 0 ? z : s32(u32(a) % u32(b)));
      }),
      { numRuns: N },
    );
    expect(Object.is(I32.rem_s(MIN, -1), 0)).toBe(true);
    expect(Object.is(I32.rem_s(-4, 2), 0)).toBe(true);
    expect(I32.div_u(-1, 1)).toBe(-1);
    expect(I32.div_u(-1, 2)).toBe(MAX);
  });

  it('misc', () => {
    expect(I32.eqz(0)).toBe(1);
    expect(I32.eqz(MIN)).toBe(0);
    expect(I32.lt_u(1, -1)).toBe(1);
    expect(I32.extend8_s(0x80)).toBe(-128);
    expect(I32.extend8_s(0x17f)).toBe(127);
    expect(I32.extend16_s(0x8000)).toBe(-32768);
    expect(I32.extend16_s(0x12347fff)).toBe(32767);
  });

  const dbl = fc.oneof(
    fc.double(),
    fc.double({ min: -5e9, max: 5e9 }),
    fc.float().map((x) => x),
    fc.constantFrom(
      0, -0, NaN, Infinity, -Infinity, 2147483647, 2147483647.9, 2147483648, -2147483648, -2147483648.9, -2147483649,
      4294967295, 4294967295.5, 4294967296, -0.99, -1, Math.fround(2147483648), Math.fround(-2147483648),
      Math.fround(4294967296), 2147483520, 4294967040,
    ),
  );

  it('trunc (trapping) vs BigInt', () => {
    const ref = (x: number, lo: number, hi: number): number | string => {
      if (Number.isNaN(x)) return 'invalid conversion to integer';
      if (!Number.isFinite(x)) return 'integer overflow';
      const t = Math.trunc(x);
      return t < lo || t > hi ? 'integer overflow' : t | 0;
    };
    fc.assert(
      fc.property(dbl, (x) => {
        const f = Math.fround(x);
        expect(trapMsg(() => I32.trunc_f64_s(x))).toBe(ref(x, MIN, MAX));
        expect(trapMsg(() => I32.trunc_f64_u(x))).toBe(ref(x, 0, 0xffffffff));
        expect(trapMsg(() => I32.trunc_f32_s(f))).toBe(ref(f, MIN, MAX));
        expect(trapMsg(() => I32.trunc_f32_u(f))).toBe(ref(f, 0, 0xffffffff));
      }),
      { numRuns: N },
    );
    expect(I32.trunc_f64_u(-0.5)).toBe(0);
    expect(I32.trunc_f64_u(4294967295)).toBe(-1);
    expect(() => I32.trunc_f32_s(Math.fround(2147483648))).toThrow('integer overflow');
    expect(I32.trunc_f32_s(Math.fround(-2147483648))).toBe(MIN);
  });

  it('trunc_sat', () => {
    const sat = (x: number, lo: number, hi: number): number => {
      if (Number.isNaN(x)) return 0;
      const t = Math.trunc(x);
      return (t < lo ? lo : t > hi ? hi : t) | 0;
    };
    fc.assert(
      fc.property(dbl, (x) => {
        const f = Math.fround(x);
        expect(I32.trunc_sat_f64_s(x)).toBe(sat(x, MIN, MAX));
        expect(I32.trunc_sat_f64_u(x)).toBe(sat(x, 0, 0xffffffff));
        expect(I32.trunc_sat_f32_s(f)).toBe(sat(f, MIN, MAX));
        expect(I32.trunc_sat_f32_u(f)).toBe(sat(f, 0, 0xffffffff));
      }),
      { numRuns: N },
    );
  });

  it('conversions to float', () => {
    fc.assert(
      fc.property(i32, (x) => {
        expect(I32.f64_convert_i32_s(x)).toBe(x);
        expect(I32.f64_convert_i32_u(x)).toBe(x >>> 0);
        expect(I32.f32_convert_i32_s(x)).toBe(new Float32Array([x])[0]);
        expect(I32.f32_convert_i32_u(x)).toBe(new Float32Array([x >>> 0])[0]);
      }),
      { numRuns: N },
    );
    expect(I32.f32_convert_i32_s(16777217)).toBe(16777216);
    expect(I32.f32_convert_i32_s(16777219)).toBe(16777220);
    expect(I32.f32_convert_i32_u(-1)).toBe(4294967296);
    expect(I32.f32_convert_i32_u(0x80000080)).toBe(0x80000000); // tie -> even
    expect(I32.f32_convert_i32_u(0x80000081)).toBe(0x80000100);
    expect(I32.f32_convert_i32_u(0x80000180)).toBe(0x80000200); // tie -> even
  });
});
