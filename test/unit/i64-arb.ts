/** 64-bit operands for fast-check properties of i64 arithmetic (numeric-i64.test.ts, jit-i64-forms.test.ts). */
import fc from 'fast-check';

export const MIN = -(2n ** 63n);
export const MAX = 2n ** 63n - 1n;
export const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
export const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);

/** Random 64-bit values, small ones, the given edge values, and `extra` (values near a property's own boundaries). */
export function i64Arb(edges: bigint[], extra: fc.Arbitrary<bigint>): fc.Arbitrary<bigint> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.bigInt({ min: MIN, max: MAX }) },
    { weight: 1, arbitrary: fc.constantFrom(...edges) },
    { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n }) },
    { weight: 1, arbitrary: extra },
  );
}
