/**
 * i64 semantics on two int32 halves.
 *
 * Representation: an i64 lives in an Int32Array `m` at word `w` (low 32 bits)
 * and `w + 1` (high 32 bits, two's complement), the little-endian layout of
 * the value stack and of linear memory. Every function takes the array and
 * word indices; results are written to the destination word `d` (which may
 * alias an operand) or returned as a plain number (comparisons: 0/1; float
 * conversions: the float value). No function allocates, except the BigInt
 * slow path of div/rem for a divisor wider than 32 bits and a dividend wider
 * than 53, and the
 * explicit BigInt bridges `fromBigInt` / `toBigInt` / `toBigIntU` used by
 * the embedding API.
 *
 * `add`/`sub`/`and`/`or`/`xor`/`eq`/... are reference versions: the executor
 * inlines the same code in its dispatch loop.
 */
import { Trap } from '../../core/errors.js';
import { fromBigInt, toBigInt, toBigIntU } from '../../runtime/objects/values.js';

const TWO32 = 4294967296;
const TWO63 = 9223372036854775808;
const TWO64 = 18446744073709551616;

// ---------------------------------------------------------------- access

/** Writes lo/hi halves. */
export function set(m: Int32Array, d: number, lo: number, hi: number): void {
  m[d] = lo;
  m[d + 1] = hi;
}

export { fromBigInt, toBigInt, toBigIntU };

/**
 * Stores an integral JS number (|v| <= 2^64, already truncated), wrapped
 * modulo 2^64. Exact: ToInt32 is an exact modulo, and v / 2^32 only moves the
 * exponent.
 */
function storeIntegral(m: Int32Array, d: number, v: number): void {
  m[d] = v | 0;
  m[d + 1] = Math.floor(v / TWO32) | 0;
}

// ---------------------------------------------------------------- arithmetic

export function add(m: Int32Array, d: number, a: number, b: number): void {
  const al = m[a]!;
  const lo = (al + m[b]!) | 0;
  const carry = lo >>> 0 < al >>> 0 ? 1 : 0;
  m[d + 1] = (m[a + 1]! + m[b + 1]! + carry) | 0;
  m[d] = lo;
}

export function sub(m: Int32Array, d: number, a: number, b: number): void {
  const al = m[a]!;
  const bl = m[b]!;
  const borrow = al >>> 0 < bl >>> 0 ? 1 : 0;
  m[d + 1] = (m[a + 1]! - m[b + 1]! - borrow) | 0;
  m[d] = (al - bl) | 0;
}

/**
 * 64x64 -> low 64 bits: the low word is Math.imul of the low halves, the high word the high word of their
 * unsigned product (Hacker's Delight's mulhu from 16-bit pieces: m2 and m3 stay below 2^32, so V8 computes
 * every step in 32-bit registers, as the JS tier's i64.mul does) plus the two cross terms.
 */
export function mul(m: Int32Array, d: number, a: number, b: number): void {
  const al = m[a]!;
  const ah = m[a + 1]!;
  const bl = m[b]!;
  const bh = m[b + 1]!;
  const a0 = al & 0xffff;
  const a1 = al >>> 16;
  const b0 = bl & 0xffff;
  const b1 = bl >>> 16;
  const m2 = a1 * b0 + ((a0 * b0) >>> 16);
  const m3 = (m2 & 0xffff) + a0 * b1;
  m[d + 1] = (a1 * b1 + (m2 >>> 16) + (m3 >>> 16) + Math.imul(al, bh) + Math.imul(ah, bl)) | 0;
  m[d] = Math.imul(al, bl);
}

export function and(m: Int32Array, d: number, a: number, b: number): void {
  m[d] = m[a]! & m[b]!;
  m[d + 1] = m[a + 1]! & m[b + 1]!;
}

export function or(m: Int32Array, d: number, a: number, b: number): void {
  m[d] = m[a]! | m[b]!;
  m[d + 1] = m[a + 1]! | m[b + 1]!;
}

export function xor(m: Int32Array, d: number, a: number, b: number): void {
  m[d] = m[a]! ^ m[b]!;
  m[d + 1] = m[a + 1]! ^ m[b + 1]!;
}

/** True when the signed value fits in a double exactly (-2^53 <= v < 2^53). */
function fitsS53(hi: number): boolean {
  return hi >= -0x200000 && hi < 0x200000;
}

function divZero(m: Int32Array, b: number): void {
  if (m[b] === 0 && m[b + 1] === 0) throw new Trap('integer divide by zero');
}

export function div_s(m: Int32Array, d: number, a: number, b: number): void {
  divZero(m, b);
  const ah = m[a + 1]!;
  const bh = m[b + 1]!;
  if (fitsS53(ah) && fitsS53(bh)) {
    const x = ah * TWO32 + (m[a]! >>> 0);
    const y = bh * TWO32 + (m[b]! >>> 0);
    // x % y is exact, so (x - r) / y is an exact division.
    storeIntegral(m, d, (x - (x % y)) / y);
    return;
  }
  if (ah === -0x80000000 && m[a] === 0 && bh === -1 && m[b] === -1) throw new Trap('integer overflow');
  if (divSmallS(m, d, a, b, false)) return;
  fromBigInt(m, d, toBigInt(m, a) / toBigInt(m, b));
}

/** Quotient high half and remainder left by udivmod32. */
export let QH = 0;
export let REM = 0;

/**
 * Unsigned (hi, lo) divided by 0 < y < 2^32, in three exact steps on doubles
 * (every partial dividend below 2^48, and x % y exact, so (x - r) / y is an
 * exact division): returns the quotient's low half (a non-negative double),
 * leaves its high half in QH and the remainder in REM. No BigInt, no
 * allocation: `u64 % 1000003` or a decimal conversion's `/ 10` stay here.
 * The JS tier's division helpers (src/jit/rt.ts) use it too.
 */
export function udivmod32(lo: number, hi: number, y: number): number {
  const h = hi >>> 0;
  let r = h % y;
  QH = (h - r) / y;
  let t = r * 65536 + (lo >>> 16);
  r = t % y;
  const q1 = (t - r) / y;
  t = r * 65536 + (lo & 0xffff);
  r = t % y;
  REM = r;
  return q1 * 65536 + (t - r) / y;
}

/**
 * Signed division or remainder whose divisor's magnitude fits in 32 bits: the
 * magnitudes through udivmod32, the signs after (the quotient negative when
 * the signs differ, the remainder with the dividend's sign). False (nothing
 * written) for a wider divisor. The caller has ruled out MIN / -1.
 */
function divSmallS(m: Int32Array, d: number, a: number, b: number, rem: boolean): boolean {
  const bl = m[b]!;
  const bh = m[b + 1]!;
  const nb = bh < 0;
  // |b| as (ubl, ubh): the two's complement negation of a negative divisor
  const ubh = nb ? (~bh + (bl === 0 ? 1 : 0)) | 0 : bh;
  if (ubh !== 0) return false;
  const al = m[a]!;
  const ah = m[a + 1]!;
  const na = ah < 0;
  const ql = udivmod32(na ? -al | 0 : al, na ? (~ah + (al === 0 ? 1 : 0)) | 0 : ah, (nb ? -bl | 0 : bl) >>> 0) | 0;
  if (rem) {
    const r = REM | 0;
    m[d] = na ? -r | 0 : r;
    m[d + 1] = na && r !== 0 ? -1 : 0;
    return true;
  }
  const qh = QH | 0;
  if (na === nb) {
    m[d] = ql;
    m[d + 1] = qh;
  } else {
    m[d] = -ql | 0;
    m[d + 1] = (~qh + (ql === 0 ? 1 : 0)) | 0;
  }
  return true;
}

export function div_u(m: Int32Array, d: number, a: number, b: number): void {
  divZero(m, b);
  const ah = m[a + 1]! >>> 0;
  const bh = m[b + 1]! >>> 0;
  if (ah < 0x200000 && bh < 0x200000) {
    const x = ah * TWO32 + (m[a]! >>> 0);
    const y = bh * TWO32 + (m[b]! >>> 0);
    storeIntegral(m, d, (x - (x % y)) / y);
    return;
  }
  if (bh === 0) {
    const ql = udivmod32(m[a]!, ah, m[b]! >>> 0) | 0;
    m[d + 1] = QH | 0;
    m[d] = ql;
    return;
  }
  fromBigInt(m, d, toBigIntU(m, a) / toBigIntU(m, b));
}

export function rem_s(m: Int32Array, d: number, a: number, b: number): void {
  divZero(m, b);
  const ah = m[a + 1]!;
  const bh = m[b + 1]!;
  if (fitsS53(ah) && fitsS53(bh)) {
    const x = ah * TWO32 + (m[a]! >>> 0);
    const y = bh * TWO32 + (m[b]! >>> 0);
    storeIntegral(m, d, x % y);
    return;
  }
  // MIN % -1 = 0 (no trap): udivmod32 of MIN's magnitude 2^63 by 1 leaves 0.
  if (divSmallS(m, d, a, b, true)) return;
  fromBigInt(m, d, toBigInt(m, a) % toBigInt(m, b));
}

export function rem_u(m: Int32Array, d: number, a: number, b: number): void {
  divZero(m, b);
  const ah = m[a + 1]! >>> 0;
  const bh = m[b + 1]! >>> 0;
  if (ah < 0x200000 && bh < 0x200000) {
    const x = ah * TWO32 + (m[a]! >>> 0);
    const y = bh * TWO32 + (m[b]! >>> 0);
    storeIntegral(m, d, x % y);
    return;
  }
  if (bh === 0) {
    udivmod32(m[a]!, ah, m[b]! >>> 0);
    m[d + 1] = 0;
    m[d] = REM | 0;
    return;
  }
  fromBigInt(m, d, toBigIntU(m, a) % toBigIntU(m, b));
}

// ---------------------------------------------------------------- shifts (count = low 6 bits of b's low word)

export function shl(m: Int32Array, d: number, a: number, b: number): void {
  const n = m[b]! & 63;
  const lo = m[a]!;
  const hi = m[a + 1]!;
  if (n === 0) {
    m[d] = lo;
    m[d + 1] = hi;
  } else if (n < 32) {
    m[d + 1] = (hi << n) | (lo >>> (32 - n));
    m[d] = lo << n;
  } else {
    m[d + 1] = lo << (n - 32);
    m[d] = 0;
  }
}

export function shr_s(m: Int32Array, d: number, a: number, b: number): void {
  const n = m[b]! & 63;
  const lo = m[a]!;
  const hi = m[a + 1]!;
  if (n === 0) {
    m[d] = lo;
    m[d + 1] = hi;
  } else if (n < 32) {
    m[d] = (lo >>> n) | (hi << (32 - n));
    m[d + 1] = hi >> n;
  } else {
    m[d] = hi >> (n - 32);
    m[d + 1] = hi >> 31;
  }
}

export function shr_u(m: Int32Array, d: number, a: number, b: number): void {
  const n = m[b]! & 63;
  const lo = m[a]!;
  const hi = m[a + 1]!;
  if (n === 0) {
    m[d] = lo;
    m[d + 1] = hi;
  } else if (n < 32) {
    m[d] = (lo >>> n) | (hi << (32 - n));
    m[d + 1] = hi >>> n;
  } else {
    m[d] = hi >>> (n - 32);
    m[d + 1] = 0;
  }
}

function rot(m: Int32Array, d: number, a: number, n: number): void {
  let lo = m[a]!;
  let hi = m[a + 1]!;
  if (n >= 32) {
    const t = lo;
    lo = hi;
    hi = t;
    n -= 32;
  }
  if (n === 0) {
    m[d] = lo;
    m[d + 1] = hi;
  } else {
    m[d] = (lo << n) | (hi >>> (32 - n));
    m[d + 1] = (hi << n) | (lo >>> (32 - n));
  }
}

export function rotl(m: Int32Array, d: number, a: number, b: number): void {
  rot(m, d, a, m[b]! & 63);
}

export function rotr(m: Int32Array, d: number, a: number, b: number): void {
  rot(m, d, a, (64 - (m[b]! & 63)) & 63);
}

// ---------------------------------------------------------------- bit counts (results are i64)

function ctz32(x: number): number {
  return x === 0 ? 32 : 31 - Math.clz32(x & -x);
}

function popcnt32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

export function clz(m: Int32Array, d: number, a: number): void {
  const hi = m[a + 1]!;
  m[d] = hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(m[a]!);
  m[d + 1] = 0;
}

export function ctz(m: Int32Array, d: number, a: number): void {
  const lo = m[a]!;
  m[d] = lo !== 0 ? ctz32(lo) : 32 + ctz32(m[a + 1]!);
  m[d + 1] = 0;
}

export function popcnt(m: Int32Array, d: number, a: number): void {
  m[d] = popcnt32(m[a]!) + popcnt32(m[a + 1]!);
  m[d + 1] = 0;
}

// ---------------------------------------------------------------- tests and comparisons (0/1)

export function eqz(m: Int32Array, a: number): number {
  return (m[a]! | m[a + 1]!) === 0 ? 1 : 0;
}

export function eq(m: Int32Array, a: number, b: number): number {
  return m[a] === m[b] && m[a + 1] === m[b + 1] ? 1 : 0;
}

export function ne(m: Int32Array, a: number, b: number): number {
  return m[a] !== m[b] || m[a + 1] !== m[b + 1] ? 1 : 0;
}

export function lt_s(m: Int32Array, a: number, b: number): number {
  const ah = m[a + 1]!;
  const bh = m[b + 1]!;
  return ah < bh || (ah === bh && m[a]! >>> 0 < m[b]! >>> 0) ? 1 : 0;
}

export function lt_u(m: Int32Array, a: number, b: number): number {
  const ah = m[a + 1]! >>> 0;
  const bh = m[b + 1]! >>> 0;
  return ah < bh || (ah === bh && m[a]! >>> 0 < m[b]! >>> 0) ? 1 : 0;
}

export function gt_s(m: Int32Array, a: number, b: number): number {
  return lt_s(m, b, a);
}

export function gt_u(m: Int32Array, a: number, b: number): number {
  return lt_u(m, b, a);
}

export function le_s(m: Int32Array, a: number, b: number): number {
  return 1 - lt_s(m, b, a);
}

export function le_u(m: Int32Array, a: number, b: number): number {
  return 1 - lt_u(m, b, a);
}

export function ge_s(m: Int32Array, a: number, b: number): number {
  return 1 - lt_s(m, a, b);
}

export function ge_u(m: Int32Array, a: number, b: number): number {
  return 1 - lt_u(m, a, b);
}

// ---------------------------------------------------------------- sign extension, i32 <-> i64

export function extend8_s(m: Int32Array, d: number, a: number): void {
  const lo = (m[a]! << 24) >> 24;
  m[d] = lo;
  m[d + 1] = lo >> 31;
}

export function extend16_s(m: Int32Array, d: number, a: number): void {
  const lo = (m[a]! << 16) >> 16;
  m[d] = lo;
  m[d + 1] = lo >> 31;
}

export function extend32_s(m: Int32Array, d: number, a: number): void {
  const lo = m[a]!;
  m[d] = lo;
  m[d + 1] = lo >> 31;
}

/** i64.extend_i32_s of the i32 `x`. */
export function extend_i32_s(m: Int32Array, d: number, x: number): void {
  m[d] = x;
  m[d + 1] = x >> 31;
}

/** i64.extend_i32_u of the i32 `x`. */
export function extend_i32_u(m: Int32Array, d: number, x: number): void {
  m[d] = x;
  m[d + 1] = 0;
}

/** i32.wrap_i64. */
export function wrap(m: Int32Array, a: number): number {
  return m[a]!;
}

// ---------------------------------------------------------------- float -> i64

/**
 * i64.trunc_f64_s / i64.trunc_f32_s (an f32 is an exact double, so one
 * function serves both). Traps like the reference interpreter.
 */
export function trunc_f64_s(m: Int32Array, d: number, x: number): void {
  if (x !== x) throw new Trap('invalid conversion to integer');
  if (!(x >= -TWO63 && x < TWO63)) throw new Trap('integer overflow');
  storeIntegral(m, d, Math.trunc(x));
}

/** i64.trunc_f64_u / i64.trunc_f32_u. */
export function trunc_f64_u(m: Int32Array, d: number, x: number): void {
  if (x !== x) throw new Trap('invalid conversion to integer');
  if (!(x > -1 && x < TWO64)) throw new Trap('integer overflow');
  storeIntegral(m, d, Math.trunc(x));
}

export const trunc_f32_s: (m: Int32Array, d: number, x: number) => void = trunc_f64_s;
export const trunc_f32_u: (m: Int32Array, d: number, x: number) => void = trunc_f64_u;

/** i64.trunc_sat_f64_s / i64.trunc_sat_f32_s: NaN -> 0, out of range -> MIN / MAX. */
export function trunc_sat_f64_s(m: Int32Array, d: number, x: number): void {
  if (x !== x) {
    m[d] = 0;
    m[d + 1] = 0;
  } else if (x < -TWO63) {
    m[d] = 0;
    m[d + 1] = -0x80000000;
  } else if (x >= TWO63) {
    m[d] = -1;
    m[d + 1] = 0x7fffffff;
  } else {
    storeIntegral(m, d, Math.trunc(x));
  }
}

/** i64.trunc_sat_f64_u / i64.trunc_sat_f32_u: NaN and negatives -> 0, too large -> 2^64-1. */
export function trunc_sat_f64_u(m: Int32Array, d: number, x: number): void {
  if (!(x > -1)) {
    m[d] = 0;
    m[d + 1] = 0;
  } else if (x >= TWO64) {
    m[d] = -1;
    m[d + 1] = -1;
  } else {
    storeIntegral(m, d, Math.trunc(x));
  }
}

export const trunc_sat_f32_s: (m: Int32Array, d: number, x: number) => void = trunc_sat_f64_s;
export const trunc_sat_f32_u: (m: Int32Array, d: number, x: number) => void = trunc_sat_f64_u;

// ---------------------------------------------------------------- i64 -> float

/** f64.convert_i64_s: hi * 2^32 is exact, so the single addition is the one correct rounding. */
export function f64_convert_i64_s(m: Int32Array, a: number): number {
  return m[a + 1]! * TWO32 + (m[a]! >>> 0);
}

/** f64.convert_i64_u. */
export function f64_convert_i64_u(m: Int32Array, a: number): number {
  return (m[a + 1]! >>> 0) * TWO32 + (m[a]! >>> 0);
}

/**
 * Unsigned (hi, lo) -> nearest f32, without double rounding. Below 2^53 the
 * double is exact and Math.fround rounds once. From 2^53 up the top bit is at
 * position >= 53, so the f32's round bit is at position >= 29: bits 0..28 of
 * `lo` only matter as a sticky bit, which is folded into bit 28. The result
 * then has at most 36 significant bits (exact in a double), and Math.fround
 * sees the same round/sticky information as the exact value.
 */
function u64ToF32(lo: number, hi: number): number {
  if (hi >>> 0 < 0x200000) return Math.fround(hi * TWO32 + (lo >>> 0));
  const l = (lo & 0xe0000000) | ((lo & 0x1fffffff) !== 0 ? 0x10000000 : 0);
  return Math.fround((hi >>> 0) * TWO32 + (l >>> 0));
}

/** f32.convert_i64_u, correctly rounded (round to nearest, ties to even). */
export function f32_convert_i64_u(m: Int32Array, a: number): number {
  return u64ToF32(m[a]!, m[a + 1]!);
}

/** f32.convert_i64_s, correctly rounded: converts |v| and restores the sign (rounding is symmetric). */
export function f32_convert_i64_s(m: Int32Array, a: number): number {
  const lo = m[a]!;
  const hi = m[a + 1]!;
  if (hi >= 0) return u64ToF32(lo, hi);
  // |v| = -v as unsigned 64 bits (2^63 for MIN).
  const nlo = -lo | 0;
  const nhi = (~hi + (lo === 0 ? 1 : 0)) | 0;
  return -u64ToF32(nlo, nhi);
}
