/**
 * f32 semantics.
 *
 * Two representations meet here:
 * - arithmetic works on JS numbers holding an f32 value (every result passes
 *   through Math.fround). add/sub/mul/div/sqrt computed in double and then
 *   rounded to f32 are correctly rounded: a double has more than 2*24+2
 *   significand bits, so the double rounding is innocuous;
 * - everything that must not touch a NaN payload works on the raw bits as an
 *   int32 (`abs`, `neg`, `copysign`, reinterpret, loads/stores, moves): the
 *   functions named `abs`/`neg`/`copysign` below take and return BITS.
 *
 * NaN behaviour (WebAssembly "NaN propagation"): an arithmetic result that is
 * NaN may be any quiet NaN; if every NaN input is canonical the result is a
 * canonical NaN (0x7fc00000, either sign). JS arithmetic on NaNs returns either
 * the host's default NaN or a NaN operand with the quiet bit set, which meets
 * both rules; converting an f32 signalling NaN to a double (a Float32Array
 * read) already sets the quiet bit. The unary rounding functions and min/max
 * return `x + x` / `a + b` for NaN inputs so that the result is quieted
 * explicitly rather than depending on Math.* internals.
 */

const SF = new Float32Array(1);
const SI = new Int32Array(SF.buffer);

/** f32.reinterpret_i32 for arithmetic: bits -> value (a signalling NaN comes back quieted). */
export function fromBits(bits: number): number {
  SI[0] = bits;
  return SF[0]!;
}

/** i32.reinterpret_f32 of an arithmetic result: value -> bits. */
export function toBits(x: number): number {
  SF[0] = x;
  return SI[0]!;
}

// ---------------------------------------------------------------- on bits

/** f32.abs on bits. */
export function abs(bits: number): number {
  return bits & 0x7fffffff;
}

/** f32.neg on bits. */
export function neg(bits: number): number {
  return bits ^ -0x80000000;
}

/** f32.copysign on bits: magnitude of `a`, sign of `b`. */
export function copysign(a: number, b: number): number {
  return (a & 0x7fffffff) | (b & -0x80000000);
}

// ---------------------------------------------------------------- on values

export function add(a: number, b: number): number {
  return Math.fround(a + b);
}

export function sub(a: number, b: number): number {
  return Math.fround(a - b);
}

export function mul(a: number, b: number): number {
  return Math.fround(a * b);
}

export function div(a: number, b: number): number {
  return Math.fround(a / b);
}

export function sqrt(x: number): number {
  return Math.fround(Math.sqrt(x));
}

/** Rounds up; keeps -0 (Math.ceil(-0.5) is -0). Integral results of f32 inputs are f32 values. */
export function ceil(x: number): number {
  return x !== x ? x + x : Math.ceil(x);
}

export function floor(x: number): number {
  return x !== x ? x + x : Math.floor(x);
}

export function trunc(x: number): number {
  return x !== x ? x + x : Math.trunc(x);
}

/** Round to nearest, ties to even; keeps the sign of zero (shared with f64). */
export function nearest(x: number): number {
  if (x !== x) return x + x;
  if (!(Math.abs(x) < 4503599627370496)) return x; // already integral (or infinite)
  // Math.round rounds ties up and returns -0 for [-0.5, -0].
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** NaN if either is NaN, and -0 < +0 (Math.min already orders zeros that way). */
export function min(a: number, b: number): number {
  if (a !== a || b !== b) return Math.fround(a + b);
  return Math.min(a, b);
}

export function max(a: number, b: number): number {
  if (a !== a || b !== b) return Math.fround(a + b);
  return Math.max(a, b);
}

/** f32.demote_f64: one rounding to nearest; NaN stays NaN (quiet, canonical for canonical input). */
export function demote(x: number): number {
  return Math.fround(x);
}
