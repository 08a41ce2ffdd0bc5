/**
 * Numeric literals of the text format (spec 6.3.1 "Integers", 6.3.2
 * "Floating-Point"): syntax checks, range checks and correctly rounded
 * conversion of decimal and hexadecimal floats to IEEE bits.
 *
 * All functions return `null` for a token that is not a literal of the
 * requested kind, and throw `NumError` for a literal that is well-formed
 * but out of range ("constant out of range").
 */

export class NumError extends Error {}

function digitVal(c: number, hex: boolean): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (!hex) return -1;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/**
 * Parse digits with optional single `_` between digits, from s[i]; returns
 * [digit string without underscores, next index], or null if no digit or a
 * bad underscore.
 */
function digits(s: string, i: number, hex: boolean): [string, number] | null {
  let out = '';
  const start = i;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 0x5f) {
      // underscore must sit between two digits
      if (i === start || digitVal(s.charCodeAt(i + 1), hex) < 0) return null;
      i++;
      continue;
    }
    if (digitVal(c, hex) < 0) break;
    out += s[i];
    i++;
  }
  if (out === '') return null;
  return [out, i];
}

/** Unsigned integer literal (`num` or `0x hexnum`), or null. */
export function parseNat(s: string): bigint | null {
  if (s.startsWith('0x')) {
    const d = digits(s, 2, true);
    if (!d || d[1] !== s.length) return null;
    return BigInt('0x' + d[0]);
  }
  const d = digits(s, 0, false);
  if (!d || d[1] !== s.length) return null;
  return BigInt(d[0]);
}

/** Quick u32 parse for indices and limits; null when not a nat. */
export function parseU32(s: string): number | null {
  const c = s.charCodeAt(0);
  if (c < 0x30 || c > 0x39) return null;
  const v = parseNat(s);
  if (v === null) return null;
  if (v > 0xffffffffn) throw new NumError('constant out of range');
  return Number(v);
}

/**
 * Integer literal for an N-bit type: accepts signed (`+`/`-`) and unsigned
 * forms; returns the value as a two's-complement unsigned bigint.
 */
export function parseIntBits(s: string, bits: number): bigint | null {
  let neg = false;
  let t = s;
  if (t[0] === '+' || t[0] === '-') {
    neg = t[0] === '-';
    t = t.slice(1);
  }
  const c = t.charCodeAt(0);
  if (c < 0x30 || c > 0x39) return null;
  const v = parseNat(t);
  if (v === null) return null;
  const B = BigInt(bits);
  if (neg) {
    if (v > 1n << (B - 1n)) throw new NumError('constant out of range');
    return BigInt.asUintN(bits, -v);
  }
  if (s[0] === '+' && false) return v;
  if (v >= 1n << B) throw new NumError('constant out of range');
  return v;
}

/** i32 literal as a signed int32 number, or null. */
export function parseI32(s: string): number | null {
  // fast path: short plain decimals
  const n = s.length;
  if (n > 0 && n < 10) {
    let v = 0;
    let i = s.charCodeAt(0) === 0x2d ? 1 : 0;
    if (i < n) {
      let ok = true;
      for (let j = i; j < n; j++) {
        const c = s.charCodeAt(j);
        if (c < 0x30 || c > 0x39) {
          ok = false;
          break;
        }
        v = v * 10 + (c - 0x30);
      }
      if (ok) return i ? -v | 0 : v | 0;
    }
  }
  const b = parseIntBits(s, 32);
  return b === null ? null : Number(BigInt.asIntN(32, b));
}

/** i64 literal as a signed bigint, or null. */
export function parseI64(s: string): bigint | null {
  const b = parseIntBits(s, 64);
  return b === null ? null : BigInt.asIntN(64, b);
}

interface FloatFormat {
  mant: number; // explicit mantissa bits
  expBits: number;
  bias: number;
}
const F32F: FloatFormat = { mant: 23, expBits: 8, bias: 127 };
const F64F: FloatFormat = { mant: 52, expBits: 11, bias: 1023 };

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/**
 * Correctly rounded (nearest, ties to even) IEEE bits of num/den * 2^e2,
 * without sign. Throws NumError on overflow.
 */
function roundToBits(num: bigint, den: bigint, e2: number, f: FloatFormat): bigint {
  if (num === 0n) return 0n;
  // value = num/den * 2^e2; find E with 2^E <= value < 2^(E+1)
  let E = bitLength(num) - bitLength(den) + e2;
  // check 2^(E-e2) <= num/den
  const k = E - e2;
  const ge = k >= 0 ? num >= den << BigInt(k) : num << BigInt(-k) >= den;
  if (!ge) E--;
  const emin = 1 - f.bias;
  if (E < emin) E = emin;
  const q = E - f.mant; // quantum exponent
  // n = round(num/den * 2^(e2 - q))
  const sh = e2 - q;
  let N = num;
  let D = den;
  if (sh >= 0) N <<= BigInt(sh);
  else D <<= BigInt(-sh);
  let quot = N / D;
  const rem2 = (N - quot * D) * 2n;
  if (rem2 > D || (rem2 === D && (quot & 1n) === 1n)) quot++;
  const bits = (BigInt(E + f.bias - 1) << BigInt(f.mant)) + quot;
  const infBits = BigInt((1 << f.expBits) - 1) << BigInt(f.mant);
  if (bits >= infBits) throw new NumError('constant out of range');
  return bits;
}

const f32buf = new Float32Array(1);
const u32buf = new Uint32Array(f32buf.buffer);
const f64buf = new Float64Array(1);
const u64buf = new BigUint64Array(f64buf.buffer);

/** IEEE bits (unsigned bigint) of a float literal, or null when not a float literal. */
function parseFloatBits(s: string, f: FloatFormat): bigint | null {
  let i = 0;
  let neg = false;
  if (s[0] === '+' || s[0] === '-') {
    neg = s[0] === '-';
    i = 1;
  }
  const signBit = neg ? 1n << BigInt(f.mant + f.expBits) : 0n;
  const expAll = BigInt((1 << f.expBits) - 1) << BigInt(f.mant);
  const body = i ? s.slice(i) : s;
  if (body === 'inf') return signBit | expAll;
  if (body === 'nan') return signBit | expAll | (1n << BigInt(f.mant - 1));
  if (body.startsWith('nan:0x')) {
    const d = digits(body, 6, true);
    if (!d || d[1] !== body.length) return null;
    const payload = BigInt('0x' + d[0]);
    if (payload === 0n || payload >= 1n << BigInt(f.mant)) throw new NumError('constant out of range');
    return signBit | expAll | payload;
  }
  const hex = body.startsWith('0x');
  let j = hex ? 2 : 0;
  const ip = digits(body, j, hex);
  if (!ip) return null;
  j = ip[1];
  let frac = '';
  if (body[j] === '.') {
    j++;
    const fp = digits(body, j, hex);
    if (fp) {
      frac = fp[0];
      j = fp[1];
    } else if (j < body.length && body[j] !== (hex ? 'p' : 'e') && body[j] !== (hex ? 'P' : 'E')) return null;
  }
  let exp = 0;
  let expBig = 0n;
  const ec = body[j];
  if (ec !== undefined && (hex ? ec === 'p' || ec === 'P' : ec === 'e' || ec === 'E')) {
    j++;
    let eneg = false;
    if (body[j] === '+' || body[j] === '-') {
      eneg = body[j] === '-';
      j++;
    }
    const ep = digits(body, j, false);
    if (!ep) return null;
    j = ep[1];
    expBig = BigInt(ep[0]);
    if (eneg) expBig = -expBig;
  }
  if (j !== body.length) return null;
  const mantDigits = ip[0] + frac;
  let M = BigInt((hex ? '0x' : '') + mantDigits);
  if (M === 0n) return signBit;
  // clamp absurd exponents (the value is 0 or overflows anyway)
  if (expBig > 100000n) expBig = 100000n;
  if (expBig < -100000n) expBig = -100000n;
  exp = Number(expBig);
  let bits: bigint;
  if (hex) {
    bits = roundToBits(M, 1n, exp - 4 * frac.length, f);
  } else {
    const e10 = exp - frac.length;
    if (f === F64F) {
      const d = Number(`${mantDigits}e${e10}`);
      if (!Number.isFinite(d)) throw new NumError('constant out of range');
      f64buf[0] = d;
      bits = u64buf[0]!;
    } else {
      const d = Number(`${mantDigits}e${e10}`);
      const r = Math.fround(d);
      if (r === d) {
        f32buf[0] = r;
        bits = BigInt(u32buf[0]!);
      } else {
        // exact path (avoids double rounding)
        if (e10 >= 0) bits = roundToBits(M * 10n ** BigInt(e10), 1n, 0, f);
        else {
          // strip trailing zeros of M to keep numbers small
          bits = roundToBits(M, 10n ** BigInt(-e10), 0, f);
        }
      }
    }
    void M;
  }
  M = 0n;
  return signBit | bits;
}

/** f32 literal as uint32 bits, or null. */
export function parseF32(s: string): number | null {
  const b = parseFloatBits(s, F32F);
  return b === null ? null : Number(b);
}

/** f64 literal as uint64 bits, or null. */
export function parseF64(s: string): bigint | null {
  return parseFloatBits(s, F64F);
}
