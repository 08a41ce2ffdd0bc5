/**
 * f64 semantics.
 *
 * An f64 at rest (value stack, locals, memory) is its 64 raw bits as two int32
 * halves in an Int32Array, like an i64 (lo at word w, hi at w + 1). Arithmetic
 * reads the value as a JS number (`load`), computes, and writes it back
 * (`store`); everything that must keep a NaN payload bit for bit works on the
 * halves: `abs`, `neg`, `copysign` (on halves, below), reinterpret, moves.
 *
 * NaN behaviour: an arithmetic result that is NaN may be any quiet NaN, and is
 * canonical (0x7ff8000000000000, either sign) when every NaN input is
 * canonical. JS arithmetic returns either the host's default NaN or a NaN
 * operand with the quiet bit set, which satisfies both rules. The rounding
 * functions and min/max return `x + x` / `a + b` for NaN inputs so that a
 * signalling NaN is quieted explicitly.
 *
 * `load`/`store` go through a Float64Array scratch word and assume a
 * little-endian host (every platform Node runs on).
 */
import { nearest as nearestShared } from './f32.js';

const SF = new Float64Array(1);
const SI = new Int32Array(SF.buffer);

/** The value of the bits at words a, a + 1. */
export function load(m: Int32Array, a: number): number {
  SI[0] = m[a]!;
  SI[1] = m[a + 1]!;
  return SF[0]!;
}

/** Stores the bits of `x` at words d, d + 1. */
export function store(m: Int32Array, d: number, x: number): void {
  SF[0] = x;
  m[d] = SI[0]!;
  m[d + 1] = SI[1]!;
}

/** Value of an f64 given by its halves. */
export function fromBits(lo: number, hi: number): number {
  SI[0] = lo;
  SI[1] = hi;
  return SF[0]!;
}

// ---------------------------------------------------------------- on halves

export function abs(m: Int32Array, d: number, a: number): void {
  m[d] = m[a]!;
  m[d + 1] = m[a + 1]! & 0x7fffffff;
}

export function neg(m: Int32Array, d: number, a: number): void {
  m[d] = m[a]!;
  m[d + 1] = m[a + 1]! ^ -0x80000000;
}

/** Magnitude of a, sign of b. */
export function copysign(m: Int32Array, d: number, a: number, b: number): void {
  const sign = m[b + 1]! & -0x80000000;
  m[d] = m[a]!;
  m[d + 1] = (m[a + 1]! & 0x7fffffff) | sign;
}

// ---------------------------------------------------------------- on values

export function sqrt(x: number): number {
  return Math.sqrt(x);
}

export function ceil(x: number): number {
  return x !== x ? x + x : Math.ceil(x);
}

export function floor(x: number): number {
  return x !== x ? x + x : Math.floor(x);
}

export function trunc(x: number): number {
  return x !== x ? x + x : Math.trunc(x);
}

/** Round to nearest, ties to even, keeping the sign of zero. */
export const nearest: (x: number) => number = nearestShared;

/** NaN if either is NaN; -0 < +0. */
export function min(a: number, b: number): number {
  if (a !== a || b !== b) return a + b;
  return Math.min(a, b);
}

export function max(a: number, b: number): number {
  if (a !== a || b !== b) return a + b;
  return Math.max(a, b);
}

/** f64.promote_f32: exact (an f32 value is a double); a NaN is already quiet. */
export function promote(x: number): number {
  return x;
}
