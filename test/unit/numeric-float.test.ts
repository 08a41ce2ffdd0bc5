import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as F32 from '../../src/interp/numeric/f32.js';
import * as F64 from '../../src/interp/numeric/f64.js';

const dv = new DataView(new ArrayBuffer(8));
const f32FromBits = (b: number) => (dv.setUint32(0, b >>> 0, true), dv.getFloat32(0, true));
const f32Bits = (x: number) => (dv.setFloat32(0, x, true), dv.getUint32(0, true));
const f64Bits = (x: number): [number, number] => (dv.setFloat64(0, x, true), [dv.getInt32(0, true), dv.getInt32(4, true)]);

const N = 5000;

/** Reference round-half-even written independently of the implementation. */
function refNearest(x: number): number {
  if (!Number.isFinite(x) || Math.abs(x) >= 2 ** 52) return x;
  const fl = Math.floor(x);
  const diff = x - fl; // exact below 2^52
  let r = diff < 0.5 ? fl : diff > 0.5 ? fl + 1 : fl % 2 === 0 ? fl : fl + 1;
  if (r === 0) r = x < 0 || Object.is(x, -0) ? -0 : 0;
  return r;
}

const f64arb = fc.oneof(
  fc.double(),
  fc.double({ min: -1e6, max: 1e6 }),
  fc.integer({ min: -1000, max: 1000 }).map((i) => i / 2),
  fc.constantFrom(0, -0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999999999999994, -0.49999999999999994, 2 ** 52 - 0.5, -(2 ** 52) + 0.5, 2 ** 52, 2 ** 53, Infinity, -Infinity, NaN, Number.MIN_VALUE, -Number.MIN_VALUE),
);
const f32arb = fc.oneof(
  fc.float().map((x) => x),
  fc.integer({ min: -1000, max: 1000 }).map((i) => i / 2),
  fc.constantFrom(0, -0, 0.5, -0.5, 2.5, -3.5, 8388607.5, -8388607.5, 8388608, 16777216, Math.fround(0.49999997), Infinity, -Infinity, NaN),
);

describe('rounding', () => {
  it('nearest (f64 and f32) vs reference', () => {
    fc.assert(fc.property(f64arb, (x) => Object.is(F64.nearest(x), refNearest(x))), { numRuns: N });
    fc.assert(fc.property(f32arb, (x) => Object.is(F32.nearest(x), refNearest(x)) && Object.is(Math.fround(F32.nearest(x)), F32.nearest(x))), { numRuns: N });
  });
  it('nearest examples', () => {
    const cases: [number, number][] = [
      [0.5, 0], [-0.5, -0], [1.5, 2], [2.5, 2], [-2.5, -2], [3.5, 4], [-3.5, -4], [-0.1, -0], [0.1, 0], [-0, -0],
      [4503599627370495.5, 4503599627370496], [-4503599627370495.5, -4503599627370496], [0.49999999999999994, 0],
      [1e300, 1e300], [-Infinity, -Infinity],
    ];
    for (const [x, want] of cases) expect(F64.nearest(x), String(x)).toBe(want);
    expect(F32.nearest(8388607.5)).toBe(8388608);
    expect(F32.nearest(-8388606.5)).toBe(-8388606);
  });
  it('ceil/floor/trunc keep -0 and agree with Math', () => {
    for (const M of [F32, F64]) {
      expect(Object.is(M.ceil(-0.5), -0)).toBe(true);
      expect(Object.is(M.ceil(-0), -0)).toBe(true);
      expect(Object.is(M.floor(-0), -0)).toBe(true);
      expect(Object.is(M.floor(0.5), 0)).toBe(true);
      expect(Object.is(M.trunc(-0.9), -0)).toBe(true);
      expect(M.floor(-0.5)).toBe(-1);
      expect(M.ceil(Infinity)).toBe(Infinity);
      expect(Number.isNaN(M.trunc(NaN))).toBe(true);
    }
    fc.assert(
      fc.property(f64arb, (x) => Object.is(F64.ceil(x), Math.ceil(x)) && Object.is(F64.floor(x), Math.floor(x)) && Object.is(F64.trunc(x), Math.trunc(x))),
      { numRuns: N },
    );
  });
});

describe('min/max', () => {
  it('zero signs and NaN', () => {
    for (const M of [F32, F64]) {
      expect(Object.is(M.min(0, -0), -0)).toBe(true);
      expect(Object.is(M.min(-0, 0), -0)).toBe(true);
      expect(Object.is(M.max(0, -0), 0)).toBe(true);
      expect(Object.is(M.max(-0, 0), 0)).toBe(true);
      expect(Number.isNaN(M.min(NaN, 1))).toBe(true);
      expect(Number.isNaN(M.max(1, NaN))).toBe(true);
      expect(Number.isNaN(M.min(-Infinity, NaN))).toBe(true);
      expect(M.min(-Infinity, 1)).toBe(-Infinity);
      expect(M.max(-Infinity, Infinity)).toBe(Infinity);
    }
  });
  it('vs reference', () => {
    fc.assert(
      fc.property(f64arb, f64arb, (a, b) => {
        const lo = Number.isNaN(a) || Number.isNaN(b) ? NaN : a < b ? a : b < a ? b : Object.is(a, -0) ? a : b;
        const hi = Number.isNaN(a) || Number.isNaN(b) ? NaN : a > b ? a : b > a ? b : Object.is(a, 0) ? a : b;
        return Object.is(F64.min(a, b), lo) && Object.is(F64.max(a, b), hi);
      }),
      { numRuns: N },
    );
  });
});

describe('NaN handling', () => {
  const isQuiet64 = (x: number) => ((f64Bits(x)[1] >>> 19) & 1) === 1;
  const isCanonical64 = (x: number) => { const [lo, hi] = f64Bits(x); return lo === 0 && (hi & 0x7fffffff) === 0x7ff80000; };
  const sNaN64 = F64.fromBits(1, 0x7ff00000);
  const payloadNaN64 = F64.fromBits(0x1234, 0x7ff80000);
  it('arithmetic results are quiet NaNs, canonical for canonical input', () => {
    for (const f of [F64.nearest, F64.ceil, F64.floor, F64.trunc, F64.sqrt, (x: number) => F64.min(x, 1), (x: number) => F64.max(1, x)]) {
      expect(isQuiet64(f(sNaN64))).toBe(true);
      expect(isQuiet64(f(payloadNaN64))).toBe(true);
      expect(isCanonical64(f(NaN))).toBe(true);
    }
    for (const f of [F32.nearest, F32.ceil, F32.floor, F32.trunc, F32.sqrt, (x: number) => F32.min(x, 1), F32.demote]) {
      const r = f32Bits(f(NaN));
      expect(r & 0x7fffffff).toBe(0x7fc00000);
      expect((f32Bits(f(F32.fromBits(0x7f800001))) >>> 22) & 1).toBe(1);
    }
  });
  it('f32 abs/neg/copysign work on bits and keep payloads', () => {
    const bitsArb = fc.oneof(fc.integer(), fc.constantFrom(0x7f800001, -0x7fffffff, 0x7fc00000, -0x400000, 0x7fa00005, 0, -0x80000000));
    fc.assert(
      fc.property(bitsArb, bitsArb, (a, b) => {
        expect(F32.abs(a) >>> 0).toBe((a >>> 0) & 0x7fffffff);
        expect((F32.neg(a) ^ a) >>> 0).toBe(0x80000000);
        expect(F32.copysign(a, b) >>> 0).toBe(((a & 0x7fffffff) | (b & 0x80000000)) >>> 0);
        const x = f32FromBits(a);
        if (!Number.isNaN(x)) {
          expect(Object.is(f32FromBits(F32.abs(a)), Math.abs(x))).toBe(true);
          expect(Object.is(f32FromBits(F32.neg(a)), -x)).toBe(true);
        }
      }),
      { numRuns: N },
    );
    expect(F32.toBits(F32.fromBits(0x3f800000))).toBe(0x3f800000);
    expect(F32.toBits(-0)).toBe(-0x80000000);
  });
  it('f64 abs/neg/copysign work on halves and keep payloads', () => {
    const m = new Int32Array(6);
    const w = fc.oneof(fc.integer(), fc.constantFrom(0, -1, 0x7ff00000, 0x7ff80000, -0x80000000, 0x7ff00001));
    fc.assert(
      fc.property(w, w, w, w, (alo, ahi, blo, bhi) => {
        m.set([alo, ahi, blo, bhi, 7, 7]);
        F64.abs(m, 4, 0);
        expect([m[4], m[5]]).toEqual([alo, ahi & 0x7fffffff]);
        F64.neg(m, 4, 0);
        expect([m[4], m[5]]).toEqual([alo, ahi ^ -0x80000000]);
        F64.copysign(m, 4, 0, 2);
        expect([m[4], m[5]]).toEqual([alo, (ahi & 0x7fffffff) | (bhi & -0x80000000)]);
        F64.copysign(m, 2, 0, 2); // aliasing
        expect([m[2], m[3]]).toEqual([alo, (ahi & 0x7fffffff) | (bhi & -0x80000000)]);
        const x = F64.load(m, 0);
        if (!Number.isNaN(x)) {
          F64.abs(m, 4, 0);
          expect(Object.is(F64.load(m, 4), Math.abs(x))).toBe(true);
          F64.neg(m, 4, 0);
          expect(Object.is(F64.load(m, 4), -x)).toBe(true);
        }
      }),
      { numRuns: N },
    );
  });
  it('load/store round-trip bits', () => {
    const m = new Int32Array(4);
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (x) => {
        F64.store(m, 0, x);
        expect([m[0], m[1]]).toEqual(f64Bits(x));
        return Object.is(F64.load(m, 0), x);
      }),
      { numRuns: N },
    );
  });
});

describe('arithmetic and conversions', () => {
  it('f32 arithmetic is correctly rounded (vs DataView round-trip of the double result)', () => {
    const f = fc.float({ noNaN: true }).map((x) => x);
    fc.assert(
      fc.property(f, f, (a, b) => {
        const round = (x: number) => (dv.setFloat32(0, x, true), dv.getFloat32(0, true));
        return (
          Object.is(F32.add(a, b), round(a + b)) &&
          Object.is(F32.sub(a, b), round(a - b)) &&
          Object.is(F32.mul(a, b), round(a * b)) &&
          Object.is(F32.div(a, b), round(a / b))
        );
      }),
      { numRuns: N },
    );
    expect(F32.sqrt(2)).toBe(Math.fround(Math.SQRT2));
    expect(Number.isNaN(F32.sqrt(-1))).toBe(true);
    expect(Object.is(F32.sqrt(-0), -0)).toBe(true);
    expect(F32.add(16777216, 1)).toBe(16777216);
    expect(F32.add(16777216, 3)).toBe(16777220);
  });
  it('demote/promote', () => {
    expect(F32.demote(1 + 2 ** -24)).toBe(1); // tie -> even
    expect(F32.demote(1 + 2 ** -24 + 2 ** -52)).toBe(1 + 2 ** -23);
    expect(F32.demote(1 + 3 * 2 ** -24)).toBe(1 + 2 ** -22); // tie -> even (up)
    expect(F32.demote(3.4028235677973366e38)).toBe(Infinity);
    expect(F32.demote(3.4028235677973362e38)).toBe(3.4028234663852886e38);
    expect(F32.demote(2 ** -150)).toBe(0);
    expect(F32.demote(2 ** -149 * 1.5)).toBe(2 ** -148);
    expect(Object.is(F32.demote(-0), -0)).toBe(true);
    expect(Object.is(F32.demote(-(2 ** -151)), -0)).toBe(true);
    expect(F64.promote(Math.fround(0.1))).toBe(Math.fround(0.1));
  });
});
