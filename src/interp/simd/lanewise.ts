/**
 * Lane-wise v128 operations: output lane i depends only on input lane i of
 * the same width, so the destination may alias any operand (each lane is read
 * before it is written). Signatures: binary (v, d, a, b), unary (v, d, a),
 * shift (v, d, a, count); offsets are byte offsets (multiples of 8).
 * Integer results are stored through typed arrays, which wrap modulo 2^lane.
 * Comparisons produce all-ones (-1) or 0 lanes.
 *
 * Floats: arithmetic goes through Float32Array / Float64Array (a double
 * computation stored to f32 is correctly rounded for + - * / sqrt); abs and
 * neg work on the bits so NaN payloads survive; min/max/rounding follow the
 * scalar functions of ../numeric (NaN-propagating, -0 < +0, ties to even).
 */
import * as F32 from '../numeric/f32.js';
import * as F64 from '../numeric/f64.js';
import type { V128Views } from './views.js';

// ---------------------------------------------------------------- i8x16

export function i8x16_add(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i8;
  const O = v.i8;
  const x = a >> 0;
  const y = b >> 0;
  const z = d >> 0;
  for (let i = 0; i < 16; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p + q;
  }
}

export function i8x16_sub(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i8;
  const O = v.i8;
  const x = a >> 0;
  const y = b >> 0;
  const z = d >> 0;
  for (let i = 0; i < 16; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p - q;
  }
}

export function i8x16_add_sat_s(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i8;
  const O = v.i8;
  const x = a >> 0;
  const y = b >> 0;
  const z = d >> 0;
  for (let i = 0; i < 16; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = Math.max(-128, Math.min(127, p + q));
  }
}

export function i8x16_add_sat_u(v: V128Views, d: number, a: number, b: number): void {
  const A = v.u8;
  const O = v.u8;
  const x = a >> 0;
  const y = b >> 0;
  const z = d >> 0;
  for (let i = 0; i < 16; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = Math.min(255, p + q);
  }
}

export function i8x16_sub_sat_s(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i8;
  const O = v.i8;
  const x = a >> 0;
  const y = b >> 0;
  const z = d >> 0;
  for (let i = 0; i < 16; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = Math.max(-128, Math.min(127, p - q));
  }
}

export function i8x16_sub_sat_u(v: V128Views, d: number, a: number, b: number): void {
  const A = v.u8;
  const O = v.u8;
  const x = a >> 0;
  const y = b >> 0;
  const z = d >> 0;
  for (let i = 0; i < 16; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = Math.max(0, p - q);
  }
}

export function i8x16_avgr_u(v: V128Views, d: number, a: number, b: number): void {
  const A = v.u8;
  const O = v.u8;
  const x = a >> 0;
  const y = b >> 0;
  const z = d >> 0;
  for (let i = 0; i < 16; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = (p + q + 1) >>> 1;
  }
}

export function i8x16_min_s(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i8;
  const O = v.i8;
  const x = a >> 0;
  const y = b >> 0;
  const z = d >> 0;
  for (let i = 0; i < 16; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p < q ? p : q;
  }
}

export function i8x16_min_u(v: V128Views, d: number, a: number, b: number): void {
  const A = v.u8;
  const O = v.u8;
  const x = a >> 0;
  const y = b >> 0;
  const z = d >> 0;
  for (let i = 0; i < 16; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p < q ? p : q;
  }
}

export function i8x16_max_s(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i8;
  const O = v.i8;
  const x = a >> 0;
  const y = b >> 0;
  const z = d >> 0;
  for (let i = 0; i < 16; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p > q ? p : q;
  }
}

export function i8x16_max_u(v: V128Views, d: number, a: number, b: number): void {
  const A = v.u8;
  const O = v.u8;
  const x = a >> 0;
  const y = b >> 0;
  const z = d >> 0;
  for (let i = 0; i < 16; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p > q ? p : q;
  }
}

export function i8x16_eq(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i8;
  const O = v.i8;
  const x = a >> 0;
  const y = b >> 0;
  const z = d >> 0;
  for (let i = 0; i < 16; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p === q ? -1 : 0;
  }
}

export function i8x16_ne(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i8;
  const O = v.i8;
  const x = a >> 0;
  const y = b >> 0;
  const z = d >> 0;
  for (let i = 0; i < 16; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p !== q ? -1 : 0;
  }
}

export function i8x16_lt_s(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i8;
  const O = v.i8;
  const x = a >> 0;
  const y = b >> 0;
  const z = d >> 0;
  for (let i = 0; i < 16; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p < q ? -1 : 0;
  }
}

export function i8x16_lt_u(v: V128Views, d: number, a: number, b: number): void {
  const A = v.u8;
  const O = v.u8;
  const x = a >> 0;
  const y = b >> 0;
  const z = d >> 0;
  for (let i = 0; i < 16; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p < q ? -1 : 0;
  }
}

export function i8x16_gt_s(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i8;
  const O = v.i8;
  const x = a >> 0;
  const y = b >> 0;
  const z = d >> 0;
  for (let i = 0; i < 16; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p > q ? -1 : 0;
  }
}

export function i8x16_gt_u(v: V128Views, d: number, a: number, b: number): void {
  const A = v.u8;
  const O = v.u8;
  const x = a >> 0;
  const y = b >> 0;
  const z = d >> 0;
  for (let i = 0; i < 16; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p > q ? -1 : 0;
  }
}

export function i8x16_le_s(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i8;
  const O = v.i8;
  const x = a >> 0;
  const y = b >> 0;
  const z = d >> 0;
  for (let i = 0; i < 16; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p <= q ? -1 : 0;
  }
}

export function i8x16_le_u(v: V128Views, d: number, a: number, b: number): void {
  const A = v.u8;
  const O = v.u8;
  const x = a >> 0;
  const y = b >> 0;
  const z = d >> 0;
  for (let i = 0; i < 16; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p <= q ? -1 : 0;
  }
}

export function i8x16_ge_s(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i8;
  const O = v.i8;
  const x = a >> 0;
  const y = b >> 0;
  const z = d >> 0;
  for (let i = 0; i < 16; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p >= q ? -1 : 0;
  }
}

export function i8x16_ge_u(v: V128Views, d: number, a: number, b: number): void {
  const A = v.u8;
  const O = v.u8;
  const x = a >> 0;
  const y = b >> 0;
  const z = d >> 0;
  for (let i = 0; i < 16; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p >= q ? -1 : 0;
  }
}

export function i8x16_abs(v: V128Views, d: number, a: number): void {
  const A = v.i8;
  const O = v.i8;
  const x = a >> 0;
  const z = d >> 0;
  for (let i = 0; i < 16; i++) O[z + i] = Math.abs(A[x + i]!);
}

export function i8x16_neg(v: V128Views, d: number, a: number): void {
  const A = v.i8;
  const O = v.i8;
  const x = a >> 0;
  const z = d >> 0;
  for (let i = 0; i < 16; i++) O[z + i] = -A[x + i]!;
}

export function i8x16_shl(v: V128Views, d: number, a: number, count: number): void {
  const A = v.i8;
  const k = count & 7;
  const x = a >> 0;
  const z = d >> 0;
  for (let i = 0; i < 16; i++) A[z + i] = A[x + i]! << k;
}

export function i8x16_shr_s(v: V128Views, d: number, a: number, count: number): void {
  const A = v.i8;
  const k = count & 7;
  const x = a >> 0;
  const z = d >> 0;
  for (let i = 0; i < 16; i++) A[z + i] = A[x + i]! >> k;
}

export function i8x16_shr_u(v: V128Views, d: number, a: number, count: number): void {
  const A = v.u8;
  const k = count & 7;
  const x = a >> 0;
  const z = d >> 0;
  for (let i = 0; i < 16; i++) A[z + i] = A[x + i]! >>> k;
}

// ---------------------------------------------------------------- i16x8

export function i16x8_add(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i16;
  const O = v.i16;
  const x = a >> 1;
  const y = b >> 1;
  const z = d >> 1;
  for (let i = 0; i < 8; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p + q;
  }
}

export function i16x8_sub(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i16;
  const O = v.i16;
  const x = a >> 1;
  const y = b >> 1;
  const z = d >> 1;
  for (let i = 0; i < 8; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p - q;
  }
}

export function i16x8_mul(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i16;
  const O = v.i16;
  const x = a >> 1;
  const y = b >> 1;
  const z = d >> 1;
  for (let i = 0; i < 8; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = Math.imul(p, q);
  }
}

export function i16x8_add_sat_s(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i16;
  const O = v.i16;
  const x = a >> 1;
  const y = b >> 1;
  const z = d >> 1;
  for (let i = 0; i < 8; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = Math.max(-32768, Math.min(32767, p + q));
  }
}

export function i16x8_add_sat_u(v: V128Views, d: number, a: number, b: number): void {
  const A = v.u16;
  const O = v.u16;
  const x = a >> 1;
  const y = b >> 1;
  const z = d >> 1;
  for (let i = 0; i < 8; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = Math.min(65535, p + q);
  }
}

export function i16x8_sub_sat_s(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i16;
  const O = v.i16;
  const x = a >> 1;
  const y = b >> 1;
  const z = d >> 1;
  for (let i = 0; i < 8; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = Math.max(-32768, Math.min(32767, p - q));
  }
}

export function i16x8_sub_sat_u(v: V128Views, d: number, a: number, b: number): void {
  const A = v.u16;
  const O = v.u16;
  const x = a >> 1;
  const y = b >> 1;
  const z = d >> 1;
  for (let i = 0; i < 8; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = Math.max(0, p - q);
  }
}

export function i16x8_avgr_u(v: V128Views, d: number, a: number, b: number): void {
  const A = v.u16;
  const O = v.u16;
  const x = a >> 1;
  const y = b >> 1;
  const z = d >> 1;
  for (let i = 0; i < 8; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = (p + q + 1) >>> 1;
  }
}

export function i16x8_min_s(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i16;
  const O = v.i16;
  const x = a >> 1;
  const y = b >> 1;
  const z = d >> 1;
  for (let i = 0; i < 8; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p < q ? p : q;
  }
}

export function i16x8_min_u(v: V128Views, d: number, a: number, b: number): void {
  const A = v.u16;
  const O = v.u16;
  const x = a >> 1;
  const y = b >> 1;
  const z = d >> 1;
  for (let i = 0; i < 8; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p < q ? p : q;
  }
}

export function i16x8_max_s(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i16;
  const O = v.i16;
  const x = a >> 1;
  const y = b >> 1;
  const z = d >> 1;
  for (let i = 0; i < 8; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p > q ? p : q;
  }
}

export function i16x8_max_u(v: V128Views, d: number, a: number, b: number): void {
  const A = v.u16;
  const O = v.u16;
  const x = a >> 1;
  const y = b >> 1;
  const z = d >> 1;
  for (let i = 0; i < 8; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p > q ? p : q;
  }
}

export function i16x8_eq(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i16;
  const O = v.i16;
  const x = a >> 1;
  const y = b >> 1;
  const z = d >> 1;
  for (let i = 0; i < 8; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p === q ? -1 : 0;
  }
}

export function i16x8_ne(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i16;
  const O = v.i16;
  const x = a >> 1;
  const y = b >> 1;
  const z = d >> 1;
  for (let i = 0; i < 8; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p !== q ? -1 : 0;
  }
}

export function i16x8_lt_s(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i16;
  const O = v.i16;
  const x = a >> 1;
  const y = b >> 1;
  const z = d >> 1;
  for (let i = 0; i < 8; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p < q ? -1 : 0;
  }
}

export function i16x8_lt_u(v: V128Views, d: number, a: number, b: number): void {
  const A = v.u16;
  const O = v.u16;
  const x = a >> 1;
  const y = b >> 1;
  const z = d >> 1;
  for (let i = 0; i < 8; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p < q ? -1 : 0;
  }
}

export function i16x8_gt_s(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i16;
  const O = v.i16;
  const x = a >> 1;
  const y = b >> 1;
  const z = d >> 1;
  for (let i = 0; i < 8; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p > q ? -1 : 0;
  }
}

export function i16x8_gt_u(v: V128Views, d: number, a: number, b: number): void {
  const A = v.u16;
  const O = v.u16;
  const x = a >> 1;
  const y = b >> 1;
  const z = d >> 1;
  for (let i = 0; i < 8; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p > q ? -1 : 0;
  }
}

export function i16x8_le_s(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i16;
  const O = v.i16;
  const x = a >> 1;
  const y = b >> 1;
  const z = d >> 1;
  for (let i = 0; i < 8; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p <= q ? -1 : 0;
  }
}

export function i16x8_le_u(v: V128Views, d: number, a: number, b: number): void {
  const A = v.u16;
  const O = v.u16;
  const x = a >> 1;
  const y = b >> 1;
  const z = d >> 1;
  for (let i = 0; i < 8; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p <= q ? -1 : 0;
  }
}

export function i16x8_ge_s(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i16;
  const O = v.i16;
  const x = a >> 1;
  const y = b >> 1;
  const z = d >> 1;
  for (let i = 0; i < 8; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p >= q ? -1 : 0;
  }
}

export function i16x8_ge_u(v: V128Views, d: number, a: number, b: number): void {
  const A = v.u16;
  const O = v.u16;
  const x = a >> 1;
  const y = b >> 1;
  const z = d >> 1;
  for (let i = 0; i < 8; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p >= q ? -1 : 0;
  }
}

export function i16x8_abs(v: V128Views, d: number, a: number): void {
  const A = v.i16;
  const O = v.i16;
  const x = a >> 1;
  const z = d >> 1;
  for (let i = 0; i < 8; i++) O[z + i] = Math.abs(A[x + i]!);
}

export function i16x8_neg(v: V128Views, d: number, a: number): void {
  const A = v.i16;
  const O = v.i16;
  const x = a >> 1;
  const z = d >> 1;
  for (let i = 0; i < 8; i++) O[z + i] = -A[x + i]!;
}

export function i16x8_shl(v: V128Views, d: number, a: number, count: number): void {
  const A = v.i16;
  const k = count & 15;
  const x = a >> 1;
  const z = d >> 1;
  for (let i = 0; i < 8; i++) A[z + i] = A[x + i]! << k;
}

export function i16x8_shr_s(v: V128Views, d: number, a: number, count: number): void {
  const A = v.i16;
  const k = count & 15;
  const x = a >> 1;
  const z = d >> 1;
  for (let i = 0; i < 8; i++) A[z + i] = A[x + i]! >> k;
}

export function i16x8_shr_u(v: V128Views, d: number, a: number, count: number): void {
  const A = v.u16;
  const k = count & 15;
  const x = a >> 1;
  const z = d >> 1;
  for (let i = 0; i < 8; i++) A[z + i] = A[x + i]! >>> k;
}

export function i16x8_q15mulr_sat_s(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i16;
  const O = v.i16;
  const x = a >> 1;
  const y = b >> 1;
  const z = d >> 1;
  for (let i = 0; i < 8; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = Math.min(32767, (p * q + 0x4000) >> 15);
  }
}

// ---------------------------------------------------------------- i32x4

export function i32x4_add(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i32;
  const O = v.i32;
  const x = a >> 2;
  const y = b >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = (p + q) | 0;
  }
}

export function i32x4_sub(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i32;
  const O = v.i32;
  const x = a >> 2;
  const y = b >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = (p - q) | 0;
  }
}

export function i32x4_mul(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i32;
  const O = v.i32;
  const x = a >> 2;
  const y = b >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = Math.imul(p, q);
  }
}

export function i32x4_min_s(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i32;
  const O = v.i32;
  const x = a >> 2;
  const y = b >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p < q ? p : q;
  }
}

export function i32x4_min_u(v: V128Views, d: number, a: number, b: number): void {
  const A = v.u32;
  const O = v.u32;
  const x = a >> 2;
  const y = b >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p < q ? p : q;
  }
}

export function i32x4_max_s(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i32;
  const O = v.i32;
  const x = a >> 2;
  const y = b >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p > q ? p : q;
  }
}

export function i32x4_max_u(v: V128Views, d: number, a: number, b: number): void {
  const A = v.u32;
  const O = v.u32;
  const x = a >> 2;
  const y = b >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p > q ? p : q;
  }
}

export function i32x4_eq(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i32;
  const O = v.i32;
  const x = a >> 2;
  const y = b >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p === q ? -1 : 0;
  }
}

export function i32x4_ne(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i32;
  const O = v.i32;
  const x = a >> 2;
  const y = b >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p !== q ? -1 : 0;
  }
}

export function i32x4_lt_s(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i32;
  const O = v.i32;
  const x = a >> 2;
  const y = b >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p < q ? -1 : 0;
  }
}

export function i32x4_lt_u(v: V128Views, d: number, a: number, b: number): void {
  const A = v.u32;
  const O = v.u32;
  const x = a >> 2;
  const y = b >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p < q ? -1 : 0;
  }
}

export function i32x4_gt_s(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i32;
  const O = v.i32;
  const x = a >> 2;
  const y = b >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p > q ? -1 : 0;
  }
}

export function i32x4_gt_u(v: V128Views, d: number, a: number, b: number): void {
  const A = v.u32;
  const O = v.u32;
  const x = a >> 2;
  const y = b >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p > q ? -1 : 0;
  }
}

export function i32x4_le_s(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i32;
  const O = v.i32;
  const x = a >> 2;
  const y = b >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p <= q ? -1 : 0;
  }
}

export function i32x4_le_u(v: V128Views, d: number, a: number, b: number): void {
  const A = v.u32;
  const O = v.u32;
  const x = a >> 2;
  const y = b >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p <= q ? -1 : 0;
  }
}

export function i32x4_ge_s(v: V128Views, d: number, a: number, b: number): void {
  const A = v.i32;
  const O = v.i32;
  const x = a >> 2;
  const y = b >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p >= q ? -1 : 0;
  }
}

export function i32x4_ge_u(v: V128Views, d: number, a: number, b: number): void {
  const A = v.u32;
  const O = v.u32;
  const x = a >> 2;
  const y = b >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p >= q ? -1 : 0;
  }
}

export function i32x4_abs(v: V128Views, d: number, a: number): void {
  const A = v.i32;
  const O = v.i32;
  const x = a >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) O[z + i] = Math.abs(A[x + i]!) | 0;
}

export function i32x4_neg(v: V128Views, d: number, a: number): void {
  const A = v.i32;
  const O = v.i32;
  const x = a >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) O[z + i] = -A[x + i]! | 0;
}

export function i32x4_shl(v: V128Views, d: number, a: number, count: number): void {
  const A = v.i32;
  const k = count & 31;
  const x = a >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) A[z + i] = A[x + i]! << k;
}

export function i32x4_shr_s(v: V128Views, d: number, a: number, count: number): void {
  const A = v.i32;
  const k = count & 31;
  const x = a >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) A[z + i] = A[x + i]! >> k;
}

export function i32x4_shr_u(v: V128Views, d: number, a: number, count: number): void {
  const A = v.u32;
  const k = count & 31;
  const x = a >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) A[z + i] = A[x + i]! >>> k;
}

/** Population count of each byte. */
export function i8x16_popcnt(v: V128Views, d: number, a: number): void {
  const A = v.u8;
  for (let i = 0; i < 16; i++) {
    let p = A[a + i]!;
    p = p - ((p >>> 1) & 0x55);
    p = (p & 0x33) + ((p >>> 2) & 0x33);
    A[d + i] = (p + (p >>> 4)) & 0x0f;
  }
}

// ---------------------------------------------------------------- f32x4

export function f32x4_add(v: V128Views, d: number, a: number, b: number): void {
  const A = v.f32;
  const O = v.f32;
  const x = a >> 2;
  const y = b >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p + q;
  }
}

export function f32x4_sub(v: V128Views, d: number, a: number, b: number): void {
  const A = v.f32;
  const O = v.f32;
  const x = a >> 2;
  const y = b >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p - q;
  }
}

export function f32x4_mul(v: V128Views, d: number, a: number, b: number): void {
  const A = v.f32;
  const O = v.f32;
  const x = a >> 2;
  const y = b >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p * q;
  }
}

export function f32x4_div(v: V128Views, d: number, a: number, b: number): void {
  const A = v.f32;
  const O = v.f32;
  const x = a >> 2;
  const y = b >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p / q;
  }
}

export function f32x4_min(v: V128Views, d: number, a: number, b: number): void {
  const A = v.f32;
  const O = v.f32;
  const x = a >> 2;
  const y = b >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = F32.min(p, q);
  }
}

export function f32x4_max(v: V128Views, d: number, a: number, b: number): void {
  const A = v.f32;
  const O = v.f32;
  const x = a >> 2;
  const y = b >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = F32.max(p, q);
  }
}

export function f32x4_sqrt(v: V128Views, d: number, a: number): void {
  const A = v.f32;
  const O = v.f32;
  const x = a >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) O[z + i] = F32.sqrt(A[x + i]!);
}

export function f32x4_ceil(v: V128Views, d: number, a: number): void {
  const A = v.f32;
  const O = v.f32;
  const x = a >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) O[z + i] = F32.ceil(A[x + i]!);
}

export function f32x4_floor(v: V128Views, d: number, a: number): void {
  const A = v.f32;
  const O = v.f32;
  const x = a >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) O[z + i] = F32.floor(A[x + i]!);
}

export function f32x4_trunc(v: V128Views, d: number, a: number): void {
  const A = v.f32;
  const O = v.f32;
  const x = a >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) O[z + i] = F32.trunc(A[x + i]!);
}

export function f32x4_nearest(v: V128Views, d: number, a: number): void {
  const A = v.f32;
  const O = v.f32;
  const x = a >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) O[z + i] = F32.nearest(A[x + i]!);
}

export function f32x4_eq(v: V128Views, d: number, a: number, b: number): void {
  const A = v.f32;
  const O = v.i32;
  const x = a >> 2;
  const y = b >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p === q ? -1 : 0;
  }
}

export function f32x4_ne(v: V128Views, d: number, a: number, b: number): void {
  const A = v.f32;
  const O = v.i32;
  const x = a >> 2;
  const y = b >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p !== q ? -1 : 0;
  }
}

export function f32x4_lt(v: V128Views, d: number, a: number, b: number): void {
  const A = v.f32;
  const O = v.i32;
  const x = a >> 2;
  const y = b >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p < q ? -1 : 0;
  }
}

export function f32x4_gt(v: V128Views, d: number, a: number, b: number): void {
  const A = v.f32;
  const O = v.i32;
  const x = a >> 2;
  const y = b >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p > q ? -1 : 0;
  }
}

export function f32x4_le(v: V128Views, d: number, a: number, b: number): void {
  const A = v.f32;
  const O = v.i32;
  const x = a >> 2;
  const y = b >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p <= q ? -1 : 0;
  }
}

export function f32x4_ge(v: V128Views, d: number, a: number, b: number): void {
  const A = v.f32;
  const O = v.i32;
  const x = a >> 2;
  const y = b >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p >= q ? -1 : 0;
  }
}

// ---------------------------------------------------------------- f64x2

export function f64x2_add(v: V128Views, d: number, a: number, b: number): void {
  const A = v.f64;
  const O = v.f64;
  const x = a >> 3;
  const y = b >> 3;
  const z = d >> 3;
  for (let i = 0; i < 2; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p + q;
  }
}

export function f64x2_sub(v: V128Views, d: number, a: number, b: number): void {
  const A = v.f64;
  const O = v.f64;
  const x = a >> 3;
  const y = b >> 3;
  const z = d >> 3;
  for (let i = 0; i < 2; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p - q;
  }
}

export function f64x2_mul(v: V128Views, d: number, a: number, b: number): void {
  const A = v.f64;
  const O = v.f64;
  const x = a >> 3;
  const y = b >> 3;
  const z = d >> 3;
  for (let i = 0; i < 2; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p * q;
  }
}

export function f64x2_div(v: V128Views, d: number, a: number, b: number): void {
  const A = v.f64;
  const O = v.f64;
  const x = a >> 3;
  const y = b >> 3;
  const z = d >> 3;
  for (let i = 0; i < 2; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = p / q;
  }
}

export function f64x2_min(v: V128Views, d: number, a: number, b: number): void {
  const A = v.f64;
  const O = v.f64;
  const x = a >> 3;
  const y = b >> 3;
  const z = d >> 3;
  for (let i = 0; i < 2; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = F64.min(p, q);
  }
}

export function f64x2_max(v: V128Views, d: number, a: number, b: number): void {
  const A = v.f64;
  const O = v.f64;
  const x = a >> 3;
  const y = b >> 3;
  const z = d >> 3;
  for (let i = 0; i < 2; i++) {
    const p = A[x + i]!;
    const q = A[y + i]!;
    O[z + i] = F64.max(p, q);
  }
}

export function f64x2_sqrt(v: V128Views, d: number, a: number): void {
  const A = v.f64;
  const O = v.f64;
  const x = a >> 3;
  const z = d >> 3;
  for (let i = 0; i < 2; i++) O[z + i] = F64.sqrt(A[x + i]!);
}

export function f64x2_ceil(v: V128Views, d: number, a: number): void {
  const A = v.f64;
  const O = v.f64;
  const x = a >> 3;
  const z = d >> 3;
  for (let i = 0; i < 2; i++) O[z + i] = F64.ceil(A[x + i]!);
}

export function f64x2_floor(v: V128Views, d: number, a: number): void {
  const A = v.f64;
  const O = v.f64;
  const x = a >> 3;
  const z = d >> 3;
  for (let i = 0; i < 2; i++) O[z + i] = F64.floor(A[x + i]!);
}

export function f64x2_trunc(v: V128Views, d: number, a: number): void {
  const A = v.f64;
  const O = v.f64;
  const x = a >> 3;
  const z = d >> 3;
  for (let i = 0; i < 2; i++) O[z + i] = F64.trunc(A[x + i]!);
}

export function f64x2_nearest(v: V128Views, d: number, a: number): void {
  const A = v.f64;
  const O = v.f64;
  const x = a >> 3;
  const z = d >> 3;
  for (let i = 0; i < 2; i++) O[z + i] = F64.nearest(A[x + i]!);
}

export function f64x2_eq(v: V128Views, d: number, a: number, b: number): void {
  const A = v.f64;
  const O = v.i32;
  const x = a >> 3;
  const y = b >> 3;
  const z = d >> 2;
  for (let i = 0; i < 2; i++) {
    const r = A[x + i]! === A[y + i]! ? -1 : 0;
    O[z + 2 * i] = r;
    O[z + 2 * i + 1] = r;
  }
}

export function f64x2_ne(v: V128Views, d: number, a: number, b: number): void {
  const A = v.f64;
  const O = v.i32;
  const x = a >> 3;
  const y = b >> 3;
  const z = d >> 2;
  for (let i = 0; i < 2; i++) {
    const r = A[x + i]! !== A[y + i]! ? -1 : 0;
    O[z + 2 * i] = r;
    O[z + 2 * i + 1] = r;
  }
}

export function f64x2_lt(v: V128Views, d: number, a: number, b: number): void {
  const A = v.f64;
  const O = v.i32;
  const x = a >> 3;
  const y = b >> 3;
  const z = d >> 2;
  for (let i = 0; i < 2; i++) {
    const r = A[x + i]! < A[y + i]! ? -1 : 0;
    O[z + 2 * i] = r;
    O[z + 2 * i + 1] = r;
  }
}

export function f64x2_gt(v: V128Views, d: number, a: number, b: number): void {
  const A = v.f64;
  const O = v.i32;
  const x = a >> 3;
  const y = b >> 3;
  const z = d >> 2;
  for (let i = 0; i < 2; i++) {
    const r = A[x + i]! > A[y + i]! ? -1 : 0;
    O[z + 2 * i] = r;
    O[z + 2 * i + 1] = r;
  }
}

export function f64x2_le(v: V128Views, d: number, a: number, b: number): void {
  const A = v.f64;
  const O = v.i32;
  const x = a >> 3;
  const y = b >> 3;
  const z = d >> 2;
  for (let i = 0; i < 2; i++) {
    const r = A[x + i]! <= A[y + i]! ? -1 : 0;
    O[z + 2 * i] = r;
    O[z + 2 * i + 1] = r;
  }
}

export function f64x2_ge(v: V128Views, d: number, a: number, b: number): void {
  const A = v.f64;
  const O = v.i32;
  const x = a >> 3;
  const y = b >> 3;
  const z = d >> 2;
  for (let i = 0; i < 2; i++) {
    const r = A[x + i]! >= A[y + i]! ? -1 : 0;
    O[z + 2 * i] = r;
    O[z + 2 * i + 1] = r;
  }
}

/** Bitwise |x| (NaN payloads preserved). */
export function f32x4_abs(v: V128Views, d: number, a: number): void {
  const A = v.i32;
  const x = a >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) A[z + i] = A[x + i]! & 0x7fffffff;
}

export function f32x4_neg(v: V128Views, d: number, a: number): void {
  const A = v.i32;
  const x = a >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) A[z + i] = A[x + i]! ^ -0x80000000;
}

export function f64x2_abs(v: V128Views, d: number, a: number): void {
  const A = v.i32;
  const x = a >> 2;
  const z = d >> 2;
  A[z] = A[x]!;
  A[z + 1] = A[x + 1]! & 0x7fffffff;
  A[z + 2] = A[x + 2]!;
  A[z + 3] = A[x + 3]! & 0x7fffffff;
}

export function f64x2_neg(v: V128Views, d: number, a: number): void {
  const A = v.i32;
  const x = a >> 2;
  const z = d >> 2;
  A[z] = A[x]!;
  A[z + 1] = A[x + 1]! ^ -0x80000000;
  A[z + 2] = A[x + 2]!;
  A[z + 3] = A[x + 3]! ^ -0x80000000;
}

/** Pseudo-min: b < a ? b : a, copying the chosen lane's bits unchanged. */
export function f32x4_pmin(v: V128Views, d: number, a: number, b: number): void {
  const F = v.f32;
  const I = v.i32;
  const x = a >> 2;
  const y = b >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) I[z + i] = F[y + i]! < F[x + i]! ? I[y + i]! : I[x + i]!;
}

/** Pseudo-max: a < b ? b : a. */
export function f32x4_pmax(v: V128Views, d: number, a: number, b: number): void {
  const F = v.f32;
  const I = v.i32;
  const x = a >> 2;
  const y = b >> 2;
  const z = d >> 2;
  for (let i = 0; i < 4; i++) I[z + i] = F[x + i]! < F[y + i]! ? I[y + i]! : I[x + i]!;
}

export function f64x2_pmin(v: V128Views, d: number, a: number, b: number): void {
  const F = v.f64;
  const I = v.i32;
  for (let i = 0; i < 2; i++) {
    const src = F[(b >> 3) + i]! < F[(a >> 3) + i]! ? b : a;
    I[(d >> 2) + 2 * i] = I[(src >> 2) + 2 * i]!;
    I[(d >> 2) + 2 * i + 1] = I[(src >> 2) + 2 * i + 1]!;
  }
}

export function f64x2_pmax(v: V128Views, d: number, a: number, b: number): void {
  const F = v.f64;
  const I = v.i32;
  for (let i = 0; i < 2; i++) {
    const src = F[(a >> 3) + i]! < F[(b >> 3) + i]! ? b : a;
    I[(d >> 2) + 2 * i] = I[(src >> 2) + 2 * i]!;
    I[(d >> 2) + 2 * i + 1] = I[(src >> 2) + 2 * i + 1]!;
  }
}
