/**
 * i8x16 lane-wise operations (see lanewise.ts): arithmetic, saturating
 * arithmetic, min/max, comparisons, abs/neg, shifts and popcnt on 16 lanes of
 * 8 bits.
 */
import type { V128Views } from './views.js';

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
