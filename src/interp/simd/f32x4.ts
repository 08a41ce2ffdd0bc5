/**
 * f32x4 lane-wise operations (see lanewise.ts): arithmetic, min/max and
 * rounding (the scalar functions of ../numeric/f32.ts), comparisons, abs/neg
 * on the bits, pmin/pmax.
 */
import * as F32 from '../numeric/f32.js';
import type { V128Views } from './views.js';

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
