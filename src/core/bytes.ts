/**
 * Byte-level reading and writing of the binary format: LEB128 with the
 * spec's exact bounds, IEEE bits, names. Shared by the decoder, the
 * instruction reader, the encoder and the text format's encoder.
 */
import { DecodeError } from './errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }); // a leading U+FEFF is part of a name
const utf8enc = new TextEncoder();

export class Reader {
  pos: number;
  /** Exclusive end of the readable range (a section or a body). */
  end: number;
  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    end = bytes.length,
    /** Added to `pos` in error offsets (the position of `bytes[0]` in the module). */
    readonly base = 0,
  ) {
    this.pos = start;
    this.end = end;
  }

  get offset(): number {
    return this.base + this.pos;
  }
  atEnd(): boolean {
    return this.pos >= this.end;
  }
  fail(message: string, at = this.pos): never {
    throw new DecodeError(message, this.base + at);
  }
  /** "unexpected end" at the end of the data; subclasses of sections say "unexpected end of section or function". */
  eofMessage = 'unexpected end';

  u8(): number {
    if (this.pos >= this.end) this.fail(this.eofMessage);
    return this.bytes[this.pos++]!;
  }
  peek(): number {
    if (this.pos >= this.end) this.fail(this.eofMessage);
    return this.bytes[this.pos]!;
  }
  take(n: number): Uint8Array {
    if (n > this.end - this.pos) this.fail(this.eofMessage);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Unsigned LEB128 of at most `bits` (<= 32) bits. */
  u32(bits = 32): number {
    // one or two bytes (below 2^14, always in range for more than 14 bits): most sizes, counts and indices
    const p = this.pos;
    if (p + 1 < this.end && bits > 14) {
      const b0 = this.bytes[p]!;
      if (b0 < 0x80) {
        this.pos = p + 1;
        return b0;
      }
      const b1 = this.bytes[p + 1]!;
      if (b1 < 0x80) {
        this.pos = p + 2;
        return (b0 & 0x7f) | (b1 << 7);
      }
    }
    return this.leb(bits);
  }
  private leb(bits: number): number {
    let result = 0;
    let shift = 0;
    const maxBytes = Math.ceil(bits / 7);
    for (let i = 0; ; i++) {
      const b = this.u8();
      if (i === maxBytes - 1) {
        // last permitted byte: continuation bit and unused bits must be clear
        if (b & 0x80) this.fail('integer representation too long', this.pos - 1);
        const unused = bits - shift;
        if (unused < 7 && b >> unused !== 0) this.fail('integer too large', this.pos - 1);
        return (result + b * 2 ** shift) >>> 0;
      }
      result += (b & 0x7f) * 2 ** shift;
      shift += 7;
      // (`>>> 0`: the sum of products by `2 ** shift` is a heap number even when small, and a Reader made with one as
      // its end gave every Reader's `end` a double field, and the decoder's optimised readers deoptimized: "not a Smi")
      if ((b & 0x80) === 0) return result >>> 0;
    }
  }

  /** Signed LEB128 of at most `bits` (<= 33) bits, as a number. */
  s32(bits = 32): number {
    const p = this.pos;
    if (p < this.end && bits > 7) {
      const b0 = this.bytes[p]!;
      if (b0 < 0x80) {
        this.pos = p + 1;
        return b0 < 0x40 ? b0 : b0 - 0x80;
      }
    }
    return this.sleb(bits);
  }
  private sleb(bits: number): number {
    let result = 0;
    let shift = 0;
    const maxBytes = Math.ceil(bits / 7);
    for (let i = 0; ; i++) {
      const b = this.u8();
      if (i === maxBytes - 1) {
        if (b & 0x80) this.fail('integer representation too long', this.pos - 1);
        // the unused bits (and the sign bit) must all equal the sign
        const used = bits - shift; // bits taken from this byte, including sign
        const rest = b >> (used - 1); // sign bit and the unused bits above it
        const mask = (1 << (7 - used + 1)) - 1;
        if (rest !== 0 && rest !== mask) this.fail('integer too large', this.pos - 1);
        result += (b & 0x7f) * 2 ** shift;
        shift += 7;
        return result - (b & 0x40) * 2 ** (shift - 6);
      }
      result += (b & 0x7f) * 2 ** shift;
      shift += 7;
      // (the sign subtracted always, 0 for a positive value, 2 ** shift for a negative one: a subtraction behind the
      // test, first run after V8 had optimised this, threw its code away at the first negative constant of two bytes or
      // more, in tiktoken's first run)
      if ((b & 0x80) === 0) return result - (b & 0x40) * 2 ** (shift - 6);
    }
  }

  /**
   * Signed LEB128 of at most 64 bits, as its two int32 halves into `out.lo`, `out.hi` (no BigInt: quickjs' first run
   * made 9.6 MB of them, an i64.const read by each of the four passes over its body).
   */
  s64(out: { lo: number; hi: number }): void {
    let lo = 0;
    let hi = 0;
    for (let i = 0; ; i++) {
      const b = this.u8();
      const v = b & 0x7f;
      const shift = 7 * i;
      if (i === 9) {
        if (b & 0x80) this.fail('integer representation too long', this.pos - 1);
        if (b !== 0 && b !== 0x7f) this.fail('integer too large', this.pos - 1);
        // (bit 63 only: the others are the sign's copies)
        out.lo = lo;
        out.hi = hi | (v << 31);
        return;
      }
      // the byte's 7 bits at `shift`: in the low half, the high half, or across them (shift 28)
      if (shift < 32) {
        lo |= v << shift;
        if (shift > 25) hi |= v >>> (32 - shift);
      } else hi |= v << (shift - 32);
      if ((b & 0x80) === 0) {
        // the sign bit copied into every bit above the value's
        const top = shift + 7;
        if (b & 0x40) {
          if (top < 32) {
            lo |= -1 << top;
            hi = -1;
          } else hi |= -1 << (top - 32);
        }
        out.lo = lo;
        out.hi = hi;
        return;
      }
    }
  }

  /** Unsigned LEB128 of at most 64 bits, as a number (exact below 2^53). */
  u64(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; ; i++) {
      const b = this.u8();
      if (i === 9) {
        if (b & 0x80) this.fail('integer representation too long', this.pos - 1);
        if (b > 1) this.fail('integer too large', this.pos - 1);
        return result + b * 2 ** shift;
      }
      result += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if ((b & 0x80) === 0) return result;
    }
  }

  /** Raw little-endian 32 bits (f32 bit pattern), as an int32. */
  bits32(): number {
    if (this.end - this.pos < 4) this.fail(this.eofMessage);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 4;
    return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
  }

  name(): string {
    const len = this.u32();
    const bytes = this.take(len);
    try {
      return utf8.decode(bytes);
    } catch {
      return this.fail('malformed UTF-8 encoding', this.pos - len);
    }
  }
}

export class Writer {
  private buf = new Uint8Array(256);
  length = 0;

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
  u8(b: number): this {
    this.ensure(1);
    this.buf[this.length++] = b & 0xff;
    return this;
  }
  bytes(b: ArrayLike<number>): this {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }
  u32(v: number): this {
    v = v >>> 0 === v ? v : Math.trunc(v);
    do {
      let b = v % 128;
      v = Math.floor(v / 128);
      if (v !== 0) b |= 0x80;
      this.u8(b);
    } while (v !== 0);
    return this;
  }
  /** Unsigned LEB128 of a non-negative integer up to 2^64-1 (number or bigint). */
  u64(v: number | bigint): this {
    let x = BigInt(v);
    // limits are kept as numbers: a value near 2^64 - 1 rounds up to 2^64
    if (typeof v === 'number' && x > 0xffff_ffff_ffff_ffffn) x = 0xffff_ffff_ffff_ffffn;
    do {
      let b = Number(x & 0x7fn);
      x >>= 7n;
      if (x !== 0n) b |= 0x80;
      this.u8(b);
    } while (x !== 0n);
    return this;
  }
  s32(v: number): this {
    return this.s64(BigInt(v));
  }
  s64(v: bigint): this {
    let x = BigInt.asIntN(64, v);
    for (;;) {
      const b = Number(x & 0x7fn);
      x >>= 7n;
      if ((x === 0n && (b & 0x40) === 0) || (x === -1n && (b & 0x40) !== 0)) {
        this.u8(b);
        return this;
      }
      this.u8(b | 0x80);
    }
  }
  bits32(v: number): this {
    this.u8(v).u8(v >>> 8).u8(v >>> 16).u8(v >>> 24);
    return this;
  }
  /** 8 raw bytes (an f64 bit pattern) given as lo/hi int32 halves. */
  bits64(lo: number, hi: number): this {
    return this.bits32(lo).bits32(hi);
  }
  name(s: string): this {
    const b = utf8enc.encode(s);
    return this.u32(b.length).bytes(b);
  }
  /** A length-prefixed nested payload (section, body). */
  sized(inner: Writer): this {
    return this.u32(inner.length).bytes(inner.finish());
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** The bytes of `parts` one after another, in a new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Skips a u32 LEB128 at q that is certainly well-formed, returning the
 * position after it, or -1 when the slow path must decide (errors, end).
 */
export function skipU32(b: Uint8Array, q: number, end: number): number {
  for (let i = 0; i < 4; i++, q++) {
    if (q >= end) return -1;
    if (b[q]! < 0x80) return q + 1;
  }
  if (q >= end || b[q]! >= 0x10) return -1;
  return q + 1;
}
export function skipS32(b: Uint8Array, q: number, end: number): number {
  for (let i = 0; i < 4; i++, q++) {
    if (q >= end) return -1;
    if (b[q]! < 0x80) return q + 1;
  }
  if (q >= end) return -1;
  const x = b[q]!;
  return x < 0x08 || (x >= 0x78 && x < 0x80) ? q + 1 : -1;
}
export function skipU64(b: Uint8Array, q: number, end: number, signed: boolean): number {
  for (let i = 0; i < 9; i++, q++) {
    if (q >= end) return -1;
    if (b[q]! < 0x80) return q + 1;
  }
  if (q >= end) return -1;
  const x = b[q]!;
  return x === 0 || (signed ? x === 0x7f : x === 1) ? q + 1 : -1;
}
