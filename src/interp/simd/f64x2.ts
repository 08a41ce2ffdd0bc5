/**
 * f64x2 lane-wise operations (see lanewise.ts): arithmetic, min/max and
 * rounding (the scalar functions of ../numeric/f64.ts), comparisons, abs/neg
 * on the bits, pmin/pmax.
 */
import * as F64 from '../numeric/f64.js';
import type { V128Views } from './views.js';

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
