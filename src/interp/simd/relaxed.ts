/**
 * Relaxed SIMD with the choices of the WebAssembly 3.0 DETERMINISTIC PROFILE
 * (every relaxation parameter R = 0), so results never depend on the host:
 *
 * - relaxed_swizzle      = i8x16.swizzle (index >= 16 gives 0)
 * - relaxed_trunc_*      = the matching trunc_sat (NaN -> 0, saturating)
 * - relaxed_madd/nmadd   = unfused: round(round(a * b) + c), nmadd with -a
 * - relaxed_laneselect   = v128.bitselect (every mask bit selects, not just the top bit)
 * - relaxed_min/max      = f32x4/f64x2.min/max (NaN-propagating, -0 < +0)
 * - relaxed_q15mulr_s    = i16x8.q15mulr_sat_s (saturates -32768 * -32768 to 32767)
 * - relaxed_dot_*        = both operands signed (b is NOT reinterpreted as unsigned);
 *   i16x8: the two adjacent 16-bit products are added with signed saturation
 *   (only -128*-128 + -128*-128 = 32768 is affected: it gives 32767);
 *   i32x4 ..._add_s: the four products (pairs as in the i16x8 form) summed
 *   into 32 bits, plus c, wrapping.
 */
import { fromScratch, SCRATCH, type V128Views } from './views.js';
import { v128_bitselect, i8x16_swizzle, i32x4_trunc_sat_f32x4_s, i32x4_trunc_sat_f32x4_u } from './cross.js';
import { i32x4_trunc_sat_f64x2_s_zero, i32x4_trunc_sat_f64x2_u_zero } from './cross.js';
import { f32x4_min, f32x4_max, f64x2_min, f64x2_max, i16x8_q15mulr_sat_s } from './lanewise.js';

export const i8x16_relaxed_swizzle = i8x16_swizzle;
export const i32x4_relaxed_trunc_f32x4_s = i32x4_trunc_sat_f32x4_s;
export const i32x4_relaxed_trunc_f32x4_u = i32x4_trunc_sat_f32x4_u;
export const i32x4_relaxed_trunc_f64x2_s_zero = i32x4_trunc_sat_f64x2_s_zero;
export const i32x4_relaxed_trunc_f64x2_u_zero = i32x4_trunc_sat_f64x2_u_zero;
export const i8x16_relaxed_laneselect = v128_bitselect;
export const i16x8_relaxed_laneselect = v128_bitselect;
export const i32x4_relaxed_laneselect = v128_bitselect;
export const i64x2_relaxed_laneselect = v128_bitselect;
export const f32x4_relaxed_min = f32x4_min;
export const f32x4_relaxed_max = f32x4_max;
export const f64x2_relaxed_min = f64x2_min;
export const f64x2_relaxed_max = f64x2_max;
export const i16x8_relaxed_q15mulr_s = i16x8_q15mulr_sat_s;

/** a * b + c per lane, the product rounded to f32 first (a*b of two f32 is exact in a double). */
export function f32x4_relaxed_madd(v: V128Views, d: number, a: number, b: number, c: number): void {
  const F = v.f32;
  const x = a >> 2;
  const y = b >> 2;
  const w = c >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) F[z + i] = Math.fround(F[x + i]! * F[y + i]!) + F[w + i]!;
}

export function f32x4_relaxed_nmadd(v: V128Views, d: number, a: number, b: number, c: number): void {
  const F = v.f32;
  const x = a >> 2;
  const y = b >> 2;
  const w = c >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) F[z + i] = Math.fround(-F[x + i]! * F[y + i]!) + F[w + i]!;
}

/** JS never contracts a * b + c into an FMA: this is the unfused result. */
export function f64x2_relaxed_madd(v: V128Views, d: number, a: number, b: number, c: number): void {
  const F = v.f64;
  const x = a >> 3;
  const y = b >> 3;
  const w = c >> 3;
  const z = d >> 3;
  for (let i = 0; i < 2; i++) F[z + i] = F[x + i]! * F[y + i]! + F[w + i]!;
}

export function f64x2_relaxed_nmadd(v: V128Views, d: number, a: number, b: number, c: number): void {
  const F = v.f64;
  const x = a >> 3;
  const y = b >> 3;
  const w = c >> 3;
  const z = d >> 3;
  for (let i = 0; i < 2; i++) F[z + i] = -F[x + i]! * F[y + i]! + F[w + i]!;
}

function dotPair(A: Int8Array, a: number, b: number, k: number): number {
  const s = A[a + k]! * A[b + k]! + A[a + k + 1]! * A[b + k + 1]!;
  return s > 32767 ? 32767 : s; // the lower bound -2 * 128 * 127 fits
}

export function i16x8_relaxed_dot_i8x16_i7x16_s(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i8;
  for (let i = 0; i < 8; i++) SCRATCH.i16[i] = dotPair(A, a, b, 2 * i);
  fromScratch(v, d);
}

export function i32x4_relaxed_dot_i8x16_i7x16_add_s(v: V128Views, d: number, a: number, b: number, c: number): void {
  const A = v.i8;
  const C = v.i32;
  for (let i = 0; i < 4; i++) {
    SCRATCH.i32[i] = (dotPair(A, a, b, 4 * i) + dotPair(A, a, b, 4 * i + 2) + C[(c >> 2) + i]!) | 0;
  }
  fromScratch(v, d);
}
