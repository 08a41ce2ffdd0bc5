/**
 * Trip counts of counted loops (gen-counted.ts): how often a loop goes round,
 * from its induction variable's start, step and the test that ends it. A
 * leaf module: gen-counted.ts reads the relation codes, and generated code
 * calls loopTrips and loopUsed through rt.ts.
 */

const TWO32 = 4294967296;
/** Relations of a loop's controlling test, `t REL n` (gen-counted.ts). */
export const REL_EQ = 0;
export const REL_NE = 1;
export const REL_LT_U = 2;
export const REL_LE_U = 3;
export const REL_GT_U = 4;
export const REL_GE_U = 5;
/** Signed relations: REL_LT_S = REL_LT_U + 4, and so on. */
export const REL_LT_S = 6;
export const REL_LE_S = 7;
export const REL_GT_S = 8;
export const REL_GE_S = 9;

function relHolds(t: number, n: number, rel: number): boolean {
  switch (rel) {
    case REL_EQ:
      return t === n;
    case REL_NE:
      return t !== n;
    case REL_LT_U:
      return t < n;
    case REL_LE_U:
      return t <= n;
    case REL_GT_U:
      return t > n;
    default:
      return t >= n;
  }
}

/**
 * How many times in a row, from j = 0, the test `t_j REL n` holds for the
 * i32 values t_j = a + j*s (mod 2^32): the number of times a loop whose
 * controlling test this is goes round again. -1 when that does not end, or
 * not before the count times |s| reaches 2^32 (the generated code finds the
 * iteration from the induction variable's distance to its start, which must
 * not wrap), or when it is not worth working out.
 */
export function loopTrips(a: number, n: number, s: number, rel: number): number {
  if (rel >= REL_LT_S) {
    // signed order is unsigned order with the sign bit flipped; adding s commutes with that flip
    a ^= 0x80000000;
    n ^= 0x80000000;
    rel -= 4;
  }
  a >>>= 0;
  n >>>= 0;
  if (!relHolds(a, n, rel)) return 0;
  s |= 0;
  if (s === 0) return -1;
  let m = s;
  if (s < 0) {
    // a falling t is a rising ~t: complement both sides and mirror the relation
    m = -s;
    a = ~a >>> 0;
    n = ~n >>> 0;
    if (rel === REL_LT_U) rel = REL_GT_U;
    else if (rel === REL_LE_U) rel = REL_GE_U;
    else if (rel === REL_GT_U) rel = REL_LT_U;
    else if (rel === REL_GE_U) rel = REL_LE_U;
  }
  // t rises by m (0 < m <= 2^31); the test held at j = 0
  let c: number;
  switch (rel) {
    case REL_EQ:
      c = 1;
      break;
    case REL_NE: {
      const d = (n - a) >>> 0;
      if (d % m !== 0) return -1;
      c = d / m;
      break;
    }
    case REL_LT_U:
    case REL_LE_U: {
      // the first t past the limit must not wrap round below it
      const lim = rel === REL_LT_U ? n : n + 1;
      c = Math.ceil((lim - a) / m);
      if (a + c * m >= TWO32) return -1;
      break;
    }
    default: {
      // t > n or t >= n with t rising: it fails only by wrapping round to below n
      c = Math.ceil((TWO32 - a) / m);
      const w = a + c * m - TWO32;
      if (rel === REL_GT_U ? w > n : w >= n) return -1;
    }
  }
  if ((c + 1) * m >= TWO32) return -1;
  return c;
}

/**
 * Fuel a counted loop used by a site in it: `dist / m` updates of its
 * induction variable (dist: how far it has gone, as an i32, a multiple of
 * the step's size m below 2^32), each an iteration of cost k, plus `base`.
 * The result is an int32: the iterations that can pass are at most the
 * fuel over k.
 */
export function loopUsed(dist: number, m: number, k: number, base: number): number {
  return (((dist >>> 0) / m) | 0) * k + base;
}
