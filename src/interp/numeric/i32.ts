/**
 * i32 semantics. An i32 is a JS number holding an int32 (`x | 0`); unsigned
 * views are taken with `x >>> 0` where needed, and every result is returned
 * as an int32 again. add/sub/mul/and/or/xor/shl/shr_s/shr_u/eq/... are the
 * plain JS operators (`(a + b) | 0`, `Math.imul`, `<<` masks the count to 5
 * bits like WebAssembly) and are not repeated here.
 */
import { Trap } from '../../core/errors.js';

const TWO31 = 2147483648;
const TWO32 = 4294967296;

export function clz(x: number): number {
  return Math.clz32(x);
}

export function ctz(x: number): number {
  return x === 0 ? 32 : 31 - Math.clz32(x & -x);
}

export function popcnt(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

export function rotl(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n)); // JS shifts use n & 31: n = 0 gives x | x
}

export function rotr(x: number, n: number): number {
  return (x >>> n) | (x << (32 - n));
}

export function div_s(a: number, b: number): number {
  if (b === 0) throw new Trap('integer divide by zero');
  if (a === -0x80000000 && b === -1) throw new Trap('integer overflow');
  // |a| < 2^31: the rounded double quotient truncates to the exact one.
  return (a / b) | 0;
}

export function div_u(a: number, b: number): number {
  if (b === 0) throw new Trap('integer divide by zero');
  return ((a >>> 0) / (b >>> 0)) | 0;
}

export function rem_s(a: number, b: number): number {
  if (b === 0) throw new Trap('integer divide by zero');
  return a % b | 0; // MIN % -1 = -0 -> 0, no trap
}

export function rem_u(a: number, b: number): number {
  if (b === 0) throw new Trap('integer divide by zero');
  return (a >>> 0) % (b >>> 0) | 0;
}

export function eqz(x: number): number {
  return x === 0 ? 1 : 0;
}

export function lt_u(a: number, b: number): number {
  return a >>> 0 < b >>> 0 ? 1 : 0;
}

export function extend8_s(x: number): number {
  return (x << 24) >> 24;
}

export function extend16_s(x: number): number {
  return (x << 16) >> 16;
}

// ---------------------------------------------------------------- float -> i32 (f32 values are exact doubles: one function each)

/** i32.trunc_f64_s / i32.trunc_f32_s. */
export function trunc_f64_s(x: number): number {
  if (x !== x) throw new Trap('invalid conversion to integer');
  if (!(x > -TWO31 - 1 && x < TWO31)) throw new Trap('integer overflow');
  return x | 0; // ToInt32 truncates toward zero
}

/** i32.trunc_f64_u / i32.trunc_f32_u (result as int32). */
export function trunc_f64_u(x: number): number {
  if (x !== x) throw new Trap('invalid conversion to integer');
  if (!(x > -1 && x < TWO32)) throw new Trap('integer overflow');
  return x | 0;
}

export const trunc_f32_s: (x: number) => number = trunc_f64_s;
export const trunc_f32_u: (x: number) => number = trunc_f64_u;

/** i32.trunc_sat_f64_s / i32.trunc_sat_f32_s. */
export function trunc_sat_f64_s(x: number): number {
  if (x !== x) return 0;
  if (x <= -TWO31) return -0x80000000;
  if (x >= TWO31) return 0x7fffffff;
  return x | 0;
}

/** i32.trunc_sat_f64_u / i32.trunc_sat_f32_u (result as int32). */
export function trunc_sat_f64_u(x: number): number {
  if (!(x > -1)) return 0; // NaN too
  if (x >= TWO32) return -1;
  return x | 0;
}

export const trunc_sat_f32_s: (x: number) => number = trunc_sat_f64_s;
export const trunc_sat_f32_u: (x: number) => number = trunc_sat_f64_u;

// ---------------------------------------------------------------- i32 -> float

/** f32.convert_i32_s: the double is exact, one rounding. */
export function f32_convert_i32_s(x: number): number {
  return Math.fround(x);
}

export function f32_convert_i32_u(x: number): number {
  return Math.fround(x >>> 0);
}

/** f64.convert_i32_s is the identity on the int32 number. */
export function f64_convert_i32_s(x: number): number {
  return x;
}

export function f64_convert_i32_u(x: number): number {
  return x >>> 0;
}
