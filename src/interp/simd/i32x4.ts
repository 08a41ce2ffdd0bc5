/**
 * i32x4 lane-wise operations (see lanewise.ts): arithmetic, min/max,
 * comparisons, abs/neg and shifts on 4 lanes of 32 bits.
 */
import type { V128Views } from './views.js';

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
