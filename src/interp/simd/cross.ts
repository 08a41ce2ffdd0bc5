/**
 * v128 operations that are bitwise, move lanes around, change lane width, or
 * reduce a vector to an i32. Offsets are byte offsets (multiples of 8); the
 * destination may alias any operand: operations whose output lanes read other
 * input lanes build the result in SCRATCH first.
 */
import * as I32 from '../numeric/i32.js';
import { fromScratch, SCRATCH, type V128Views } from './views.js';

// ---------------------------------------------------------------- bitwise (on 32-bit words)

export function v128_not(v: V128Views, d: number, a: number): void {
  const I = v.i32;
  const x = a >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) I[z + i] = ~I[x + i]!;
}

export function v128_and(v: V128Views, d: number, a: number, b: number): void {
  const I = v.i32;
  const x = a >> 2;
  const y = b >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) I[z + i] = I[x + i]! & I[y + i]!;
}

export function v128_andnot(v: V128Views, d: number, a: number, b: number): void {
  const I = v.i32;
  const x = a >> 2;
  const y = b >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) I[z + i] = I[x + i]! & ~I[y + i]!;
}

export function v128_or(v: V128Views, d: number, a: number, b: number): void {
  const I = v.i32;
  const x = a >> 2;
  const y = b >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) I[z + i] = I[x + i]! | I[y + i]!;
}

export function v128_xor(v: V128Views, d: number, a: number, b: number): void {
  const I = v.i32;
  const x = a >> 2;
  const y = b >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) I[z + i] = I[x + i]! ^ I[y + i]!;
}

/** Bits of a where c is 1, bits of b where c is 0. */
export function v128_bitselect(v: V128Views, d: number, a: number, b: number, c: number): void {
  const I = v.i32;
  const x = a >> 2;
  const y = b >> 2;
  const w = c >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) {
    const m = I[w + i]!;
    I[z + i] = (I[x + i]! & m) | (I[y + i]! & ~m);
  }
}

export function v128_any_true(v: V128Views, a: number): number {
  const I = v.i32;
  const x = a >> 2;
  return (I[x]! | I[x + 1]! | I[x + 2]! | I[x + 3]!) !== 0 ? 1 : 0;
}

// ---------------------------------------------------------------- all_true / bitmask

export function i8x16_all_true(v: V128Views, a: number): number {
  const A = v.u8;
  for (let i = 0; i < 16; i++) if (A[a + i] === 0) return 0;
  return 1;
}

export function i16x8_all_true(v: V128Views, a: number): number {
  const A = v.u16;
  const x = a >> 1;
  for (let i = 0; i < 8; i++) if (A[x + i] === 0) return 0;
  return 1;
}

export function i32x4_all_true(v: V128Views, a: number): number {
  const A = v.i32;
  const x = a >> 2;
  for (let i = 0; i < 4; i++) if (A[x + i] === 0) return 0;
  return 1;
}

export function i64x2_all_true(v: V128Views, a: number): number {
  const A = v.i32;
  const x = a >> 2;
  return (A[x]! | A[x + 1]!) !== 0 && (A[x + 2]! | A[x + 3]!) !== 0 ? 1 : 0;
}

export function i8x16_bitmask(v: V128Views, a: number): number {
  const A = v.u8;
  let r = 0;
  for (let i = 0; i < 16; i++) r |= (A[a + i]! >>> 7) << i;
  return r;
}

export function i16x8_bitmask(v: V128Views, a: number): number {
  const A = v.u16;
  const x = a >> 1;
  let r = 0;
  for (let i = 0; i < 8; i++) r |= (A[x + i]! >>> 15) << i;
  return r;
}

export function i32x4_bitmask(v: V128Views, a: number): number {
  const A = v.u32;
  const x = a >> 2;
  let r = 0;
  for (let i = 0; i < 4; i++) r |= (A[x + i]! >>> 31) << i;
  return r;
}

export function i64x2_bitmask(v: V128Views, a: number): number {
  const A = v.u32;
  const x = a >> 2;
  return (A[x + 1]! >>> 31) | ((A[x + 3]! >>> 31) << 1);
}

// ---------------------------------------------------------------- splat / extract / replace
// i64 and f64 lanes are passed as (lo, hi) int32 halves; f32 lanes as their int32 bits.

export function i8x16_splat(v: V128Views, d: number, x: number): void {
  v.u8.fill(x & 0xff, d, d + 16);
}

export function i16x8_splat(v: V128Views, d: number, x: number): void {
  v.u16.fill(x & 0xffff, d >> 1, (d >> 1) + 8);
}

export function i32x4_splat(v: V128Views, d: number, x: number): void {
  v.i32.fill(x, d >> 2, (d >> 2) + 4);
}

/** f32x4.splat of the f32 bits `bits` (payload preserved). */
export const f32x4_splat: (v: V128Views, d: number, bits: number) => void = i32x4_splat;

export function i64x2_splat(v: V128Views, d: number, lo: number, hi: number): void {
  const I = v.i32;
  const z = d >> 2;
  I[z] = lo;
  I[z + 1] = hi;
  I[z + 2] = lo;
  I[z + 3] = hi;
}

/** f64x2.splat of the f64 bits (lo, hi). */
export const f64x2_splat: (v: V128Views, d: number, lo: number, hi: number) => void = i64x2_splat;

export function i8x16_extract_lane_s(v: V128Views, a: number, lane: number): number {
  return v.i8[a + lane]!;
}

export function i8x16_extract_lane_u(v: V128Views, a: number, lane: number): number {
  return v.u8[a + lane]!;
}

export function i16x8_extract_lane_s(v: V128Views, a: number, lane: number): number {
  return v.i16[(a >> 1) + lane]!;
}

export function i16x8_extract_lane_u(v: V128Views, a: number, lane: number): number {
  return v.u16[(a >> 1) + lane]!;
}

export function i32x4_extract_lane(v: V128Views, a: number, lane: number): number {
  return v.i32[(a >> 2) + lane]!;
}

/** f32x4.extract_lane as f32 bits. */
export const f32x4_extract_lane: (v: V128Views, a: number, lane: number) => number = i32x4_extract_lane;

/** i64x2.extract_lane into words w, w + 1 of m. */
export function i64x2_extract_lane(v: V128Views, a: number, lane: number, m: Int32Array, w: number): void {
  const x = (a >> 2) + 2 * lane;
  m[w] = v.i32[x]!;
  m[w + 1] = v.i32[x + 1]!;
}

/** f64x2.extract_lane as f64 bits into words w, w + 1 of m. */
export const f64x2_extract_lane: (v: V128Views, a: number, lane: number, m: Int32Array, w: number) => void =
  i64x2_extract_lane;

function copy(v: V128Views, d: number, a: number): void {
  if (d === a) return;
  const I = v.i32;
  const x = a >> 2;
  const z = d >> 2;
  I[z] = I[x]!;
  I[z + 1] = I[x + 1]!;
  I[z + 2] = I[x + 2]!;
  I[z + 3] = I[x + 3]!;
}

export function i8x16_replace_lane(v: V128Views, d: number, a: number, lane: number, x: number): void {
  copy(v, d, a);
  v.u8[d + lane] = x;
}

export function i16x8_replace_lane(v: V128Views, d: number, a: number, lane: number, x: number): void {
  copy(v, d, a);
  v.u16[(d >> 1) + lane] = x;
}

export function i32x4_replace_lane(v: V128Views, d: number, a: number, lane: number, x: number): void {
  copy(v, d, a);
  v.i32[(d >> 2) + lane] = x;
}

/** f32x4.replace_lane with f32 bits. */
export const f32x4_replace_lane: (v: V128Views, d: number, a: number, lane: number, bits: number) => void =
  i32x4_replace_lane;

export function i64x2_replace_lane(v: V128Views, d: number, a: number, lane: number, lo: number, hi: number): void {
  copy(v, d, a);
  const z = (d >> 2) + 2 * lane;
  v.i32[z] = lo;
  v.i32[z + 1] = hi;
}

/** f64x2.replace_lane with f64 bits (lo, hi). */
export const f64x2_replace_lane: (v: V128Views, d: number, a: number, lane: number, lo: number, hi: number) => void =
  i64x2_replace_lane;

// ---------------------------------------------------------------- shuffle / swizzle

/** i8x16.shuffle: `lanes[lanesAt + i]` (0..31) picks byte i from a (0..15) or b (16..31). */
export function i8x16_shuffle(
  v: V128Views,
  d: number,
  a: number,
  b: number,
  lanes: ArrayLike<number>,
  lanesAt = 0,
): void {
  const A = v.u8;
  const S = SCRATCH.u8;
  for (let i = 0; i < 16; i++) {
    const k = lanes[lanesAt + i]!;
    S[i] = k < 16 ? A[a + k]! : A[b + k - 16]!;
  }
  fromScratch(v, d);
}

/** i8x16.swizzle: byte i = a[s[i]], or 0 when s[i] >= 16. */
export function i8x16_swizzle(v: V128Views, d: number, a: number, s: number): void {
  const A = v.u8;
  const S = SCRATCH.u8;
  for (let i = 0; i < 16; i++) {
    const k = A[s + i]!;
    S[i] = k < 16 ? A[a + k]! : 0;
  }
  fromScratch(v, d);
}

// ---------------------------------------------------------------- narrow

export function i8x16_narrow_i16x8_s(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i16;
  const S = SCRATCH.i8;
  for (let i = 0; i < 8; i++) {
    S[i] = Math.max(-128, Math.min(127, A[(a >> 1) + i]!));
    S[i + 8] = Math.max(-128, Math.min(127, A[(b >> 1) + i]!));
  }
  fromScratch(v, d);
}

export function i8x16_narrow_i16x8_u(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i16;
  const S = SCRATCH.u8;
  for (let i = 0; i < 8; i++) {
    S[i] = Math.max(0, Math.min(255, A[(a >> 1) + i]!));
    S[i + 8] = Math.max(0, Math.min(255, A[(b >> 1) + i]!));
  }
  fromScratch(v, d);
}

export function i16x8_narrow_i32x4_s(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i32;
  const S = SCRATCH.i16;
  for (let i = 0; i < 4; i++) {
    S[i] = Math.max(-32768, Math.min(32767, A[(a >> 2) + i]!));
    S[i + 4] = Math.max(-32768, Math.min(32767, A[(b >> 2) + i]!));
  }
  fromScratch(v, d);
}

export function i16x8_narrow_i32x4_u(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i32;
  const S = SCRATCH.u16;
  for (let i = 0; i < 4; i++) {
    S[i] = Math.max(0, Math.min(65535, A[(a >> 2) + i]!));
    S[i + 4] = Math.max(0, Math.min(65535, A[(b >> 2) + i]!));
  }
  fromScratch(v, d);
}

// ---------------------------------------------------------------- extend (low = lanes 0..n/2-1, high = n/2..n-1)

export function i16x8_extend_low_i8x16_s(v: V128Views, d: number, a: number): void {
  for (let i = 0; i < 8; i++) SCRATCH.i16[i] = v.i8[a + i]!;
  fromScratch(v, d);
}
export function i16x8_extend_high_i8x16_s(v: V128Views, d: number, a: number): void {
  for (let i = 0; i < 8; i++) SCRATCH.i16[i] = v.i8[a + 8 + i]!;
  fromScratch(v, d);
}
export function i16x8_extend_low_i8x16_u(v: V128Views, d: number, a: number): void {
  for (let i = 0; i < 8; i++) SCRATCH.i16[i] = v.u8[a + i]!;
  fromScratch(v, d);
}
export function i16x8_extend_high_i8x16_u(v: V128Views, d: number, a: number): void {
  for (let i = 0; i < 8; i++) SCRATCH.i16[i] = v.u8[a + 8 + i]!;
  fromScratch(v, d);
}
export function i32x4_extend_low_i16x8_s(v: V128Views, d: number, a: number): void {
  for (let i = 0; i < 4; i++) SCRATCH.i32[i] = v.i16[(a >> 1) + i]!;
  fromScratch(v, d);
}
export function i32x4_extend_high_i16x8_s(v: V128Views, d: number, a: number): void {
  for (let i = 0; i < 4; i++) SCRATCH.i32[i] = v.i16[(a >> 1) + 4 + i]!;
  fromScratch(v, d);
}
export function i32x4_extend_low_i16x8_u(v: V128Views, d: number, a: number): void {
  for (let i = 0; i < 4; i++) SCRATCH.i32[i] = v.u16[(a >> 1) + i]!;
  fromScratch(v, d);
}
export function i32x4_extend_high_i16x8_u(v: V128Views, d: number, a: number): void {
  for (let i = 0; i < 4; i++) SCRATCH.i32[i] = v.u16[(a >> 1) + 4 + i]!;
  fromScratch(v, d);
}

function ext64(v: V128Views, d: number, a: number, from: number, signed: boolean): void {
  const S = SCRATCH.i32;
  for (let i = 0; i < 2; i++) {
    const x = v.i32[(a >> 2) + from + i]!;
    S[2 * i] = x;
    S[2 * i + 1] = signed ? x >> 31 : 0;
  }
  fromScratch(v, d);
}
export function i64x2_extend_low_i32x4_s(v: V128Views, d: number, a: number): void {
  ext64(v, d, a, 0, true);
}
export function i64x2_extend_high_i32x4_s(v: V128Views, d: number, a: number): void {
  ext64(v, d, a, 2, true);
}
export function i64x2_extend_low_i32x4_u(v: V128Views, d: number, a: number): void {
  ext64(v, d, a, 0, false);
}
export function i64x2_extend_high_i32x4_u(v: V128Views, d: number, a: number): void {
  ext64(v, d, a, 2, false);
}

// ---------------------------------------------------------------- extadd_pairwise, extmul, dot

export function i16x8_extadd_pairwise_i8x16_s(v: V128Views, d: number, a: number): void {
  for (let i = 0; i < 8; i++) SCRATCH.i16[i] = v.i8[a + 2 * i]! + v.i8[a + 2 * i + 1]!;
  fromScratch(v, d);
}
export function i16x8_extadd_pairwise_i8x16_u(v: V128Views, d: number, a: number): void {
  for (let i = 0; i < 8; i++) SCRATCH.u16[i] = v.u8[a + 2 * i]! + v.u8[a + 2 * i + 1]!;
  fromScratch(v, d);
}
export function i32x4_extadd_pairwise_i16x8_s(v: V128Views, d: number, a: number): void {
  const x = a >> 1;
  for (let i = 0; i < 4; i++) SCRATCH.i32[i] = v.i16[x + 2 * i]! + v.i16[x + 2 * i + 1]!;
  fromScratch(v, d);
}
export function i32x4_extadd_pairwise_i16x8_u(v: V128Views, d: number, a: number): void {
  const x = a >> 1;
  for (let i = 0; i < 4; i++) SCRATCH.u32[i] = v.u16[x + 2 * i]! + v.u16[x + 2 * i + 1]!;
  fromScratch(v, d);
}

export function i16x8_extmul_low_i8x16_s(v: V128Views, d: number, a: number, b: number): void {
  for (let i = 0; i < 8; i++) SCRATCH.i16[i] = v.i8[a + i]! * v.i8[b + i]!;
  fromScratch(v, d);
}
export function i16x8_extmul_high_i8x16_s(v: V128Views, d: number, a: number, b: number): void {
  for (let i = 0; i < 8; i++) SCRATCH.i16[i] = v.i8[a + 8 + i]! * v.i8[b + 8 + i]!;
  fromScratch(v, d);
}
export function i16x8_extmul_low_i8x16_u(v: V128Views, d: number, a: number, b: number): void {
  for (let i = 0; i < 8; i++) SCRATCH.u16[i] = v.u8[a + i]! * v.u8[b + i]!;
  fromScratch(v, d);
}
export function i16x8_extmul_high_i8x16_u(v: V128Views, d: number, a: number, b: number): void {
  for (let i = 0; i < 8; i++) SCRATCH.u16[i] = v.u8[a + 8 + i]! * v.u8[b + 8 + i]!;
  fromScratch(v, d);
}
export function i32x4_extmul_low_i16x8_s(v: V128Views, d: number, a: number, b: number): void {
  for (let i = 0; i < 4; i++) SCRATCH.i32[i] = v.i16[(a >> 1) + i]! * v.i16[(b >> 1) + i]!;
  fromScratch(v, d);
}
export function i32x4_extmul_high_i16x8_s(v: V128Views, d: number, a: number, b: number): void {
  for (let i = 0; i < 4; i++) SCRATCH.i32[i] = v.i16[(a >> 1) + 4 + i]! * v.i16[(b >> 1) + 4 + i]!;
  fromScratch(v, d);
}
export function i32x4_extmul_low_i16x8_u(v: V128Views, d: number, a: number, b: number): void {
  for (let i = 0; i < 4; i++) SCRATCH.u32[i] = v.u16[(a >> 1) + i]! * v.u16[(b >> 1) + i]!;
  fromScratch(v, d);
}
export function i32x4_extmul_high_i16x8_u(v: V128Views, d: number, a: number, b: number): void {
  for (let i = 0; i < 4; i++) SCRATCH.u32[i] = v.u16[(a >> 1) + 4 + i]! * v.u16[(b >> 1) + 4 + i]!;
  fromScratch(v, d);
}

/** Full 64-bit product of two 32-bit lanes (signed or unsigned) into SCRATCH words w, w + 1. */
function mul32x32(x: number, y: number, signed: boolean, w: number): void {
  const S = SCRATCH.i32;
  // unsigned 32x32 -> 64 from 16-bit pieces
  const a0 = x & 0xffff;
  const a1 = x >>> 16;
  const b0 = y & 0xffff;
  const b1 = y >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  let hi = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  // signed: subtract y * 2^32 when x < 0 and x * 2^32 when y < 0 (mod 2^64)
  if (signed) hi = hi - (x < 0 ? y >>> 0 : 0) - (y < 0 ? x >>> 0 : 0);
  S[w] = (mid << 16) | (p00 & 0xffff);
  S[w + 1] = hi | 0;
}

function extmul64(v: V128Views, d: number, a: number, b: number, from: number, signed: boolean): void {
  const I = v.i32;
  const x = (a >> 2) + from;
  const y = (b >> 2) + from;
  const x0 = I[x]!;
  const x1 = I[x + 1]!;
  const y0 = I[y]!;
  const y1 = I[y + 1]!;
  mul32x32(x0, y0, signed, 0);
  mul32x32(x1, y1, signed, 2);
  fromScratch(v, d);
}
export function i64x2_extmul_low_i32x4_s(v: V128Views, d: number, a: number, b: number): void {
  extmul64(v, d, a, b, 0, true);
}
export function i64x2_extmul_high_i32x4_s(v: V128Views, d: number, a: number, b: number): void {
  extmul64(v, d, a, b, 2, true);
}
export function i64x2_extmul_low_i32x4_u(v: V128Views, d: number, a: number, b: number): void {
  extmul64(v, d, a, b, 0, false);
}
export function i64x2_extmul_high_i32x4_u(v: V128Views, d: number, a: number, b: number): void {
  extmul64(v, d, a, b, 2, false);
}

/** i32x4.dot_i16x8_s: sum of adjacent signed products, wrapping (only -32768^2 * 2 wraps). */
export function i32x4_dot_i16x8_s(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i16;
  const x = a >> 1;
  const y = b >> 1;
  for (let i = 0; i < 4; i++) {
    SCRATCH.i32[i] = (A[x + 2 * i]! * A[y + 2 * i]! + A[x + 2 * i + 1]! * A[y + 2 * i + 1]!) | 0;
  }
  fromScratch(v, d);
}

// ---------------------------------------------------------------- conversions

export function i32x4_trunc_sat_f32x4_s(v: V128Views, d: number, a: number): void {
  const F = v.f32;
  const I = v.i32;
  const x = a >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) I[z + i] = I32.trunc_sat_f32_s(F[x + i]!);
}

export function i32x4_trunc_sat_f32x4_u(v: V128Views, d: number, a: number): void {
  const F = v.f32;
  const I = v.i32;
  const x = a >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) I[z + i] = I32.trunc_sat_f32_u(F[x + i]!);
}

export function f32x4_convert_i32x4_s(v: V128Views, d: number, a: number): void {
  const F = v.f32;
  const I = v.i32;
  const x = a >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) F[z + i] = I[x + i]!; // the int32 is an exact double: one rounding
}

export function f32x4_convert_i32x4_u(v: V128Views, d: number, a: number): void {
  const F = v.f32;
  const U = v.u32;
  const x = a >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) F[z + i] = U[x + i]!;
}

export function i32x4_trunc_sat_f64x2_s_zero(v: V128Views, d: number, a: number): void {
  const S = SCRATCH.i32;
  S[0] = I32.trunc_sat_f64_s(v.f64[a >> 3]!);
  S[1] = I32.trunc_sat_f64_s(v.f64[(a >> 3) + 1]!);
  S[2] = 0;
  S[3] = 0;
  fromScratch(v, d);
}

export function i32x4_trunc_sat_f64x2_u_zero(v: V128Views, d: number, a: number): void {
  const S = SCRATCH.i32;
  S[0] = I32.trunc_sat_f64_u(v.f64[a >> 3]!);
  S[1] = I32.trunc_sat_f64_u(v.f64[(a >> 3) + 1]!);
  S[2] = 0;
  S[3] = 0;
  fromScratch(v, d);
}

export function f64x2_convert_low_i32x4_s(v: V128Views, d: number, a: number): void {
  SCRATCH.f64[0] = v.i32[a >> 2]!;
  SCRATCH.f64[1] = v.i32[(a >> 2) + 1]!;
  fromScratch(v, d);
}

export function f64x2_convert_low_i32x4_u(v: V128Views, d: number, a: number): void {
  SCRATCH.f64[0] = v.u32[a >> 2]!;
  SCRATCH.f64[1] = v.u32[(a >> 2) + 1]!;
  fromScratch(v, d);
}

/** Lanes 0, 1 rounded to f32 (NaN stays a quiet NaN), lanes 2, 3 zero. */
export function f32x4_demote_f64x2_zero(v: V128Views, d: number, a: number): void {
  const S = SCRATCH;
  S.f32[0] = v.f64[a >> 3]!;
  S.f32[1] = v.f64[(a >> 3) + 1]!;
  S.i32[2] = 0;
  S.i32[3] = 0;
  fromScratch(v, d);
}

export function f64x2_promote_low_f32x4(v: V128Views, d: number, a: number): void {
  SCRATCH.f64[0] = v.f32[a >> 2]!;
  SCRATCH.f64[1] = v.f32[(a >> 2) + 1]!;
  fromScratch(v, d);
}
