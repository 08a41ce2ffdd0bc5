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
 *
 * One file per lane shape: i8x16.ts, i16x8.ts, i32x4.ts, f32x4.ts, f64x2.ts
 * (i64x2 lanes, which reuse the scalar i64 helpers, are in i64x2.ts).
 */
export * from './i8x16.js';
export * from './i16x8.js';
export * from './i32x4.js';
export * from './f32x4.js';
export * from './f64x2.js';
