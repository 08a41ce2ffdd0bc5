import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Trap } from '../../src/core/errors.js';
import * as I64 from '../../src/interp/numeric/i64.js';
import { i64Arb, MAX, MIN, s64, u64 } from './i64-arb.js';

// ---------------------------------------------------------------- independent helpers

const m = new Int32Array(8);
const A = 0;
const B = 2;
const D = 4;

function put(w: number, v: bigint): void {
  m[w] = Number(BigInt.asIntN(32, v));
  m[w + 1] = Number(BigInt.asIntN(32, v >> 32n));
}
function get(w: number): bigint {
  return (BigInt(m[w + 1]!) << 32n) + BigInt(m[w]! >>> 0);
}

/** Exact v -> nearest binary float with `p` significand bits, ties to even (no overflow for |v| < 2^64). */
function roundToFloat(v: bigint, p: number): number {
  if (v === 0n) return 0;
  const neg = v < 0n;
  let a = neg ? -v : v;
  const len = a.toString(2).length;
  let shift = 0;
  if (len > p) {
    shift = len - p;
    const rem = a & ((1n << BigInt(shift)) - 1n);
    const half = 1n << BigInt(shift - 1);
    a >>= BigInt(shift);
    if (rem > half || (rem === half && (a & 1n) === 1n)) a += 1n;
  }
  const r = Number(a) * 2 ** shift;
  return neg ? -r : r;
}

const EDGES = [
  0n, 1n, -1n, 2n, -2n, MIN, MAX, MIN + 1n, MAX - 1n,
  0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, -0x80000000n, -0x80000001n, -0x100000000n,
  2n ** 53n, 2n ** 53n + 1n, -(2n ** 53n), -(2n ** 53n) - 1n, 2n ** 52n, 2n ** 21n << 32n, (2n ** 21n << 32n) - 1n,
  2n ** 24n + 1n, (2n ** 24n + 1n) << 30n, ((2n ** 24n + 1n) << 39n) + 1n, 0x1000001000000001n, 0x1000000800000000n,
  0x1000000800000001n, 0x1000001800000000n, 0x7fffff8000000000n, 0x7fffffc000000000n, 0x7fffffbfffffffffn,
  0xfffffe8000000000n, 0xffffff8000000000n, 0xffffff7fffffffffn, 0x0020000020000000n, 0x0020000020000001n,
  0x0020000010000000n, 0x0020000030000000n, 0x00200000_1fffffffn,
].map(s64);

const i64arb = i64Arb(
  EDGES,
  // values with a narrow span of set bits (rounding boundaries)
  fc
    .tuple(fc.bigInt({ min: 0n, max: 2n ** 26n }), fc.integer({ min: 0, max: 40 }), fc.boolean(), fc.bigInt({ min: 0n, max: 3n }))
    .map(([x, sh, n, lowbits]) => s64(((x << BigInt(sh)) + lowbits) * (n ? -1n : 1n))),
);

type Bin = (m: Int32Array, d: number, a: number, b: number) => void;
type Un = (m: Int32Array, d: number, a: number) => void;
type Cmp = (m: Int32Array, a: number, b: number) => number;

function bin(f: Bin, a: bigint, b: bigint): bigint {
  put(A, a);
  put(B, b);
  f(m, D, A, B);
  return get(D);
}

const N = 3000;

// ---------------------------------------------------------------- tests

describe('i64 arithmetic vs BigInt', () => {
  const cases: [string, Bin, (a: bigint, b: bigint) => bigint][] = [
    ['add', I64.add, (a, b) => s64(a + b)],
    ['sub', I64.sub, (a, b) => s64(a - b)],
    ['mul', I64.mul, (a, b) => s64(a * b)],
    ['and', I64.and, (a, b) => a & b],
    ['or', I64.or, (a, b) => a | b],
    ['xor', I64.xor, (a, b) => a ^ b],
    ['shl', I64.shl, (a, b) => s64(a << (u64(b) & 63n))],
    ['shr_s', I64.shr_s, (a, b) => a >> (u64(b) & 63n)],
    ['shr_u', I64.shr_u, (a, b) => s64(u64(a) >> (u64(b) & 63n))],
    ['rotl', I64.rotl, (a, b) => { const n = u64(b) & 63n; return s64((u64(a) << n) | (u64(a) >> ((64n - n) & 63n))); }],
    ['rotr', I64.rotr, (a, b) => { const n = u64(b) & 63n; return s64((u64(a) >> n) | (u64(a) << ((64n - n) & 63n))); }],
  ];
  for (const [name, f, ref] of cases) {
    it(name, () => {
      fc.assert(fc.property(i64arb, i64arb, (a, b) => bin(f, a, b) === ref(a, b)), { numRuns: N });
    });
  }

  it('shift counts use the low 6 bits only', () => {
    for (let n = -130; n < 130; n++) {
      expect(bin(I64.shl, 1n, BigInt(n))).toBe(s64(1n << BigInt(((n % 64) + 64) % 64)));
      expect(bin(I64.rotr, 1n, BigInt(n) + (5n << 32n))).toBe(s64(1n << BigInt((64 - (((n % 64) + 64) % 64)) % 64)));
    }
  });

  it('destination may alias operands', () => {
    fc.assert(
      fc.property(i64arb, i64arb, (a, b) => {
        for (const [f, ref] of [
          [I64.mul, (x: bigint, y: bigint) => s64(x * y)],
          [I64.add, (x: bigint, y: bigint) => s64(x + y)],
          [I64.sub, (x: bigint, y: bigint) => s64(x - y)],
          [I64.rotl, (x: bigint, y: bigint) => { const n = u64(y) & 63n; return s64((u64(x) << n) | (u64(x) >> ((64n - n) & 63n))); }],
        ] as [Bin, (x: bigint, y: bigint) => bigint][]) {
          put(A, a);
          put(B, b);
          f(m, A, A, B);
          if (get(A) !== ref(a, b)) return false;
          put(A, a);
          put(B, b);
          f(m, B, A, B);
          if (get(B) !== ref(a, b)) return false;
        }
        return true;
      }),
      { numRuns: 1000 },
    );
  });
});

describe('i64 division', () => {
  const trunc = (a: bigint, b: bigint) => a / b; // BigInt division truncates
  it('div/rem vs BigInt', () => {
    fc.assert(
      fc.property(i64arb, i64arb.filter((b) => b !== 0n), (a, b) => {
        if (!(a === MIN && b === -1n)) expect(bin(I64.div_s, a, b)).toBe(trunc(a, b));
        expect(bin(I64.rem_s, a, b)).toBe(a % b);
        expect(bin(I64.div_u, a, b)).toBe(s64(u64(a) / u64(b)));
        expect(bin(I64.rem_u, a, b)).toBe(s64(u64(a) % u64(b)));
      }),
      { numRuns: N },
    );
  });
  it('small operands (fast path) vs BigInt', () => {
    const small = fc.bigInt({ min: -(2n ** 53n), max: 2n ** 53n - 1n });
    fc.assert(
      fc.property(small, small.filter((b) => b !== 0n), (a, b) => {
        expect(bin(I64.div_s, a, b)).toBe(a / b);
        expect(bin(I64.rem_s, a, b)).toBe(a % b);
        expect(bin(I64.div_u, a, b)).toBe(s64(u64(a) / u64(b)));
        expect(bin(I64.rem_u, a, b)).toBe(s64(u64(a) % u64(b)));
      }),
      { numRuns: N },
    );
  });
  it('any dividend by a divisor of at most 32 bits (long division on doubles) vs BigInt', () => {
    const div32 = fc.oneof(fc.bigInt({ min: -(2n ** 32n), max: 2n ** 32n }), fc.constantFrom(1n, -1n, 2n, 10n, -10n, 1021n, 1000003n, 2n ** 32n - 1n, -(2n ** 31n)));
    fc.assert(
      fc.property(fc.oneof(i64arb, fc.constantFrom(MIN, MIN + 1n, -1n, 2n ** 63n - 1n)), div32.filter((b) => b !== 0n), (a, b) => {
        if (!(a === MIN && b === -1n)) expect(bin(I64.div_s, a, b)).toBe(trunc(a, b));
        expect(bin(I64.rem_s, a, b)).toBe(a % b);
        expect(bin(I64.div_u, a, b)).toBe(s64(u64(a) / u64(b)));
        expect(bin(I64.rem_u, a, b)).toBe(s64(u64(a) % u64(b)));
      }),
      { numRuns: N },
    );
  });
  it('traps', () => {
    for (const f of [I64.div_s, I64.div_u, I64.rem_s, I64.rem_u]) {
      expect(() => bin(f, 1n, 0n)).toThrow(Trap);
      expect(() => bin(f, MIN, 0n)).toThrow('integer divide by zero');
      expect(() => bin(f, 0n, 0n)).toThrow('integer divide by zero');
    }
    expect(() => bin(I64.div_s, MIN, -1n)).toThrow('integer overflow');
    expect(bin(I64.rem_s, MIN, -1n)).toBe(0n);
    expect(bin(I64.div_u, MIN, -1n)).toBe(0n);
    expect(bin(I64.div_s, MIN, 1n)).toBe(MIN);
    expect(bin(I64.div_s, MIN, 2n)).toBe(MIN / 2n);
    expect(bin(I64.rem_s, -7n, 2n)).toBe(-1n);
    expect(bin(I64.rem_s, 7n, -2n)).toBe(1n);
    expect(bin(I64.div_s, -7n, 2n)).toBe(-3n);
  });
});

describe('i64 unary, comparisons, extension', () => {
  it('clz/ctz/popcnt', () => {
    const clz = (v: bigint) => { const u = u64(v); return u === 0n ? 64n : BigInt(64 - u.toString(2).length); };
    const ctz = (v: bigint) => { let u = u64(v); if (u === 0n) return 64n; let n = 0n; while ((u & 1n) === 0n) { u >>= 1n; n++; } return n; };
    const pop = (v: bigint) => BigInt([...u64(v).toString(2)].filter((c) => c === '1').length);
    const un = (f: Un, v: bigint) => { put(A, v); m[D + 1] = 12345; f(m, D, A); return get(D); };
    fc.assert(
      fc.property(i64arb, (v) => un(I64.clz, v) === clz(v) && un(I64.ctz, v) === ctz(v) && un(I64.popcnt, v) === pop(v)),
      { numRuns: N },
    );
    for (let i = 0; i < 64; i++) {
      expect(un(I64.clz, 1n << BigInt(i))).toBe(BigInt(63 - i));
      expect(un(I64.ctz, s64(1n << BigInt(i)))).toBe(BigInt(i));
    }
  });

  it('comparisons', () => {
    const cmps: [Cmp, (a: bigint, b: bigint) => boolean][] = [
      [I64.eq, (a, b) => a === b],
      [I64.ne, (a, b) => a !== b],
      [I64.lt_s, (a, b) => a < b],
      [I64.lt_u, (a, b) => u64(a) < u64(b)],
      [I64.gt_s, (a, b) => a > b],
      [I64.gt_u, (a, b) => u64(a) > u64(b)],
      [I64.le_s, (a, b) => a <= b],
      [I64.le_u, (a, b) => u64(a) <= u64(b)],
      [I64.ge_s, (a, b) => a >= b],
      [I64.ge_u, (a, b) => u64(a) >= u64(b)],
    ];
    const pair = fc.oneof(
      fc.tuple(i64arb, i64arb),
      i64arb.map((a) => [a, a] as [bigint, bigint]),
      // same high half, different low half
      fc.tuple(i64arb, fc.integer()).map(([a, lo]) => [a, s64((a & ~0xffffffffn) | BigInt(lo >>> 0))] as [bigint, bigint]),
    );
    fc.assert(
      fc.property(pair, ([a, b]) => {
        put(A, a);
        put(B, b);
        for (const [f, ref] of cmps) if (f(m, A, B) !== (ref(a, b) ? 1 : 0)) return false;
        return I64.eqz(m, A) === (a === 0n ? 1 : 0);
      }),
      { numRuns: N },
    );
  });

  it('extend and wrap', () => {
    fc.assert(
      fc.property(i64arb, fc.integer(), (v, x) => {
        const un = (f: Un) => { put(A, v); f(m, D, A); return get(D); };
        expect(un(I64.extend8_s)).toBe(BigInt.asIntN(8, v));
        expect(un(I64.extend16_s)).toBe(BigInt.asIntN(16, v));
        expect(un(I64.extend32_s)).toBe(BigInt.asIntN(32, v));
        put(A, v);
        expect(I64.wrap(m, A)).toBe(Number(BigInt.asIntN(32, v)));
        I64.extend_i32_s(m, D, x);
        expect(get(D)).toBe(BigInt(x));
        I64.extend_i32_u(m, D, x);
        expect(get(D)).toBe(BigInt(x >>> 0));
      }),
      { numRuns: N },
    );
  });

  it('BigInt bridges', () => {
    fc.assert(
      fc.property(i64arb, (v) => {
        I64.fromBigInt(m, D, v);
        expect(get(D)).toBe(v);
        put(A, v);
        expect(I64.toBigInt(m, A)).toBe(v);
        expect(I64.toBigIntU(m, A)).toBe(u64(v));
      }),
      { numRuns: N },
    );
    I64.fromBigInt(m, D, 2n ** 64n + 5n);
    expect(get(D)).toBe(5n);
    I64.set(m, D, -1, 0x7fffffff);
    expect(get(D)).toBe(MAX);
  });
});

describe('i64 -> float conversions', () => {
  const f32bits = (x: number) => new Uint32Array(new Float32Array([x]).buffer)[0];
  it('f32.convert_i64_s/u are correctly rounded', () => {
    fc.assert(
      fc.property(i64arb, (v) => {
        put(A, v);
        const s = I64.f32_convert_i64_s(m, A);
        const u = I64.f32_convert_i64_u(m, A);
        expect(f32bits(s)).toBe(f32bits(roundToFloat(v, 24)));
        expect(f32bits(u)).toBe(f32bits(roundToFloat(u64(v), 24)));
        expect(Math.fround(s)).toBe(s);
      }),
      { numRuns: 20000 },
    );
  });
  it('f32 rounding boundaries', () => {
    const cases: [bigint, number][] = [
      [2n ** 24n + 1n, 16777216],
      [2n ** 24n + 3n, 16777220],
      [0x1000001000000001n, 2 ** 60 + 2 ** 37], // via a double this double-rounds to 2^60
      [0x1000001000000000n, 2 ** 60], // exact tie -> even
      [0x1000003000000000n, 2 ** 60 + 2 ** 38], // tie -> even (up)
      [MAX, 2 ** 63],
      [MIN, -(2 ** 63)],
      [MIN + 1n, -(2 ** 63)],
      [0x7fffff4000000000n, 0x7fffff0000000000 * 1], // below half
      [-0x1000001000000001n, -(2 ** 60 + 2 ** 37)],
      [0x0020000020000001n, 2 ** 53 + 2 ** 30],
      [0x0020000020000000n, 2 ** 53],
      [-1n, -1],
    ];
    for (const [v, want] of cases) {
      put(A, v);
      expect(I64.f32_convert_i64_s(m, A), v.toString(16)).toBe(Math.fround(want));
    }
    // documents the trap the implementation avoids
    expect(Math.fround(Number(0x1000001000000001n))).toBe(2 ** 60);
    put(A, -1n);
    expect(I64.f32_convert_i64_u(m, A)).toBe(2 ** 64);
    put(A, 0x8000008000000001n);
    expect(I64.f32_convert_i64_u(m, A)).toBe(2 ** 63 + 2 ** 40);
  });
  it('f64.convert_i64_s/u are correctly rounded', () => {
    fc.assert(
      fc.property(i64arb, (v) => {
        put(A, v);
        expect(I64.f64_convert_i64_s(m, A)).toBe(roundToFloat(v, 53));
        expect(I64.f64_convert_i64_u(m, A)).toBe(roundToFloat(u64(v), 53));
        expect(I64.f64_convert_i64_s(m, A)).toBe(Number(v));
      }),
      { numRuns: 20000 },
    );
    put(A, (1n << 53n) + 1n);
    expect(I64.f64_convert_i64_s(m, A)).toBe(2 ** 53);
    put(A, (1n << 53n) + 3n);
    expect(I64.f64_convert_i64_s(m, A)).toBe(2 ** 53 + 4);
    put(A, MAX);
    expect(I64.f64_convert_i64_s(m, A)).toBe(2 ** 63);
    expect(I64.f64_convert_i64_u(m, A)).toBe(2 ** 63);
  });
});

describe('float -> i64 conversions', () => {
  const specials = [
    0, -0, 0.5, -0.5, 0.9999999999999999, -0.9999999999999999, -1, 1, 1.5, -1.5, 2 ** 63, -(2 ** 63), 2 ** 64,
    2 ** 63 - 1024, -(2 ** 63) - 2048, 2 ** 64 - 2048, 2 ** 53 + 2, -(2 ** 53) - 2, Infinity, -Infinity, NaN,
    Math.fround(2 ** 63), Math.fround(-(2 ** 63)), Math.fround(2 ** 64), 9223371487098961920, 18446742974197923840,
    Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE, 4294967296.5, -4294967296.5,
  ];
  const dbl = fc.oneof(
    fc.double(),
    fc.constantFrom(...specials),
    fc.double({ min: -(2 ** 65), max: 2 ** 65 }),
    fc.double({ min: -1e6, max: 1e6 }),
    fc.float().map((x) => x),
  );
  const refTrunc = (x: number, lo: bigint, hi: bigint): bigint | string => {
    if (Number.isNaN(x)) return 'invalid conversion to integer';
    if (!Number.isFinite(x)) return 'integer overflow';
    const t = BigInt(Math.trunc(x));
    return t < lo || t > hi ? 'integer overflow' : t;
  };
  const run = (f: (m: Int32Array, d: number, x: number) => void, x: number, unsigned: boolean): bigint | string => {
    try {
      f(m, D, x);
      return unsigned ? u64(get(D)) : get(D);
    } catch (e) {
      if (!(e instanceof Trap)) throw e;
      return e.message;
    }
  };
  const sat = (x: number, lo: bigint, hi: bigint): bigint => {
    if (Number.isNaN(x)) return 0n;
    if (x === Infinity) return hi;
    if (x === -Infinity) return lo;
    const t = BigInt(Math.trunc(x));
    return t < lo ? lo : t > hi ? hi : t;
  };
  it('trapping and saturating truncation vs BigInt', () => {
    const U = 2n ** 64n - 1n;
    fc.assert(
      fc.property(dbl, (x) => {
        expect(run(I64.trunc_f64_s, x, false)).toEqual(refTrunc(x, MIN, MAX));
        expect(run(I64.trunc_f64_u, x, true)).toEqual(refTrunc(x, 0n, U));
        expect(run(I64.trunc_f32_s, Math.fround(x), false)).toEqual(refTrunc(Math.fround(x), MIN, MAX));
        expect(run(I64.trunc_f32_u, Math.fround(x), true)).toEqual(refTrunc(Math.fround(x), 0n, U));
        expect(run(I64.trunc_sat_f64_s, x, false)).toEqual(sat(x, MIN, MAX));
        expect(run(I64.trunc_sat_f64_u, x, true)).toEqual(sat(x, 0n, U));
        expect(run(I64.trunc_sat_f32_s, Math.fround(x), false)).toEqual(sat(Math.fround(x), MIN, MAX));
        expect(run(I64.trunc_sat_f32_u, Math.fround(x), true)).toEqual(sat(Math.fround(x), 0n, U));
      }),
      { numRuns: 10000 },
    );
  });
  it('edge cases and trap messages', () => {
    expect(() => I64.trunc_f64_s(m, D, NaN)).toThrow('invalid conversion to integer');
    expect(() => I64.trunc_f64_u(m, D, -NaN)).toThrow('invalid conversion to integer');
    expect(() => I64.trunc_f64_s(m, D, 2 ** 63)).toThrow('integer overflow');
    expect(() => I64.trunc_f64_u(m, D, 2 ** 64)).toThrow('integer overflow');
    expect(() => I64.trunc_f64_u(m, D, -1)).toThrow('integer overflow');
    expect(run(I64.trunc_f64_u, -0.99999, true)).toBe(0n);
    expect(run(I64.trunc_f64_s, -(2 ** 63), false)).toBe(MIN);
    expect(run(I64.trunc_f64_u, 2 ** 64 - 2048, true)).toBe(2n ** 64n - 2048n);
    expect(run(I64.trunc_f32_u, Math.fround(2 ** 64 - 2 ** 40), true)).toBe(2n ** 64n - 2n ** 40n);
    expect(run(I64.trunc_sat_f64_s, 1e300, false)).toBe(MAX);
    expect(run(I64.trunc_sat_f64_s, -1e300, false)).toBe(MIN);
    expect(run(I64.trunc_sat_f64_u, -1e300, true)).toBe(0n);
    expect(run(I64.trunc_sat_f64_u, 1e300, true)).toBe(2n ** 64n - 1n);
  });
});
