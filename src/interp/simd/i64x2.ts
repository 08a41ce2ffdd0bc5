/**
 * i64x2 lane operations on the int32 halves of each lane (lane i = words
 * (off >> 2) + 2i (lo) and + 1 (hi)), reusing the scalar i64 helpers.
 * Lane-wise: the destination may alias an operand.
 */
import * as I64 from '../numeric/i64.js';
import type { V128Views } from './views.js';

type Bin = (m: Int32Array, d: number, a: number, b: number) => void;

function lanes2(v: V128Views, d: number, a: number, b: number, f: Bin): void {
  const I = v.i32;
  f(I, d >> 2, a >> 2, b >> 2);
  f(I, (d >> 2) + 2, (a >> 2) + 2, (b >> 2) + 2);
}

export function i64x2_add(v: V128Views, d: number, a: number, b: number): void {
  lanes2(v, d, a, b, I64.add);
}

export function i64x2_sub(v: V128Views, d: number, a: number, b: number): void {
  lanes2(v, d, a, b, I64.sub);
}

export function i64x2_mul(v: V128Views, d: number, a: number, b: number): void {
  lanes2(v, d, a, b, I64.mul);
}

export function i64x2_neg(v: V128Views, d: number, a: number): void {
  const I = v.i32;
  for (let i = 0; i < 2; i++) {
    const x = (a >> 2) + 2 * i;
    const z = (d >> 2) + 2 * i;
    const lo = I[x]!;
    const hi = I[x + 1]!;
    I[z] = -lo | 0;
    I[z + 1] = (~hi + (lo === 0 ? 1 : 0)) | 0;
  }
}

export function i64x2_abs(v: V128Views, d: number, a: number): void {
  const I = v.i32;
  for (let i = 0; i < 2; i++) {
    const x = (a >> 2) + 2 * i;
    const z = (d >> 2) + 2 * i;
    const lo = I[x]!;
    const hi = I[x + 1]!;
    if (hi < 0) {
      I[z] = -lo | 0;
      I[z + 1] = (~hi + (lo === 0 ? 1 : 0)) | 0;
    } else {
      I[z] = lo;
      I[z + 1] = hi;
    }
  }
}

/** kind 0 = shl, 1 = shr_s, 2 = shr_u; count taken mod 64. */
function shift(v: V128Views, d: number, a: number, count: number, kind: number): void {
  const I = v.i32;
  const n = count & 63;
  for (let i = 0; i < 2; i++) {
    const x = (a >> 2) + 2 * i;
    const z = (d >> 2) + 2 * i;
    const lo = I[x]!;
    const hi = I[x + 1]!;
    let rlo: number;
    let rhi: number;
    if (n === 0) {
      rlo = lo;
      rhi = hi;
    } else if (kind === 0) {
      rhi = n < 32 ? (hi << n) | (lo >>> (32 - n)) : lo << (n - 32);
      rlo = n < 32 ? lo << n : 0;
    } else {
      rlo = n < 32 ? (lo >>> n) | (hi << (32 - n)) : kind === 1 ? hi >> (n - 32) : hi >>> (n - 32);
      rhi = kind === 1 ? (n < 32 ? hi >> n : hi >> 31) : n < 32 ? hi >>> n : 0;
    }
    I[z] = rlo;
    I[z + 1] = rhi;
  }
}

export function i64x2_shl(v: V128Views, d: number, a: number, count: number): void {
  shift(v, d, a, count, 0);
}

export function i64x2_shr_s(v: V128Views, d: number, a: number, count: number): void {
  shift(v, d, a, count, 1);
}

export function i64x2_shr_u(v: V128Views, d: number, a: number, count: number): void {
  shift(v, d, a, count, 2);
}

type Cmp = (m: Int32Array, a: number, b: number) => number;

function cmp2(v: V128Views, d: number, a: number, b: number, f: Cmp): void {
  const I = v.i32;
  const r0 = -f(I, a >> 2, b >> 2);
  const r1 = -f(I, (a >> 2) + 2, (b >> 2) + 2);
  const z = d >> 2;
  I[z] = r0;
  I[z + 1] = r0;
  I[z + 2] = r1;
  I[z + 3] = r1;
}

export function i64x2_eq(v: V128Views, d: number, a: number, b: number): void {
  cmp2(v, d, a, b, I64.eq);
}
export function i64x2_ne(v: V128Views, d: number, a: number, b: number): void {
  cmp2(v, d, a, b, I64.ne);
}
export function i64x2_lt_s(v: V128Views, d: number, a: number, b: number): void {
  cmp2(v, d, a, b, I64.lt_s);
}
export function i64x2_gt_s(v: V128Views, d: number, a: number, b: number): void {
  cmp2(v, d, a, b, I64.gt_s);
}
export function i64x2_le_s(v: V128Views, d: number, a: number, b: number): void {
  cmp2(v, d, a, b, I64.le_s);
}
export function i64x2_ge_s(v: V128Views, d: number, a: number, b: number): void {
  cmp2(v, d, a, b, I64.ge_s);
}
