/**
 * i16x8 lane-wise operations (see lanewise.ts): arithmetic, saturating
 * arithmetic, min/max, comparisons, abs/neg, shifts and q15mulr_sat_s on 8
 * lanes of 16 bits.
 */
import type { V128Views } from './views.js';

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
