/**
 * The snapshot byte format's building blocks (docs/snapshots.md): a growing
 * byte writer, a bounds-checked reader whose every failure is a
 * SnapshotError, SHA-256 (module binding), a fast word checksum (corruption),
 * and a codec for plain structured values (host state, payloads, options).
 */
import { SnapshotError } from '../core/errors.js';

/** "WMSNAP" + two format bytes. */
export const MAGIC = [0x57, 0x4d, 0x53, 0x4e, 0x41, 0x50, 0x00, 0x01];
/** Format version: bumped whenever the layout of any section changes. */
export const VERSION = 1;
/** magic, version (u32), flags (u32), checksum (u32), body length (u32, words of 4 bytes follow padded) */
export const HEADER_BYTES = 24;

const utf8e = new TextEncoder();
const utf8d = new TextDecoder('utf-8', { fatal: true });

export class ByteWriter {
  /** Finished pieces, in order: views of the small-write buffers and large byte arrays (by reference). */
  private chunks: Uint8Array[] = [];
  private buf = new Uint8Array(4096);
  /** buf[start, pos) is written but not yet a piece. */
  private start = 0;
  private pos = 0;
  private flushed = 0;
  private readonly f64 = new Float64Array(1);
  private readonly f64b = new Uint8Array(this.f64.buffer);

  get length(): number {
    return this.flushed + this.pos - this.start;
  }
  /** Ends the current piece (the buffer's rest stays in use). */
  private cut(): void {
    if (this.pos === this.start) return;
    this.chunks.push(this.buf.subarray(this.start, this.pos));
    this.flushed += this.pos - this.start;
    this.start = this.pos;
  }
  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.cut();
    this.buf = new Uint8Array(Math.max(4096, n));
    this.start = this.pos = 0;
  }
  u8(v: number): void {
    this.room(1);
    this.buf[this.pos++] = v;
  }
  /** Unsigned LEB128 of a non-negative safe integer. */
  uint(v: number): void {
    if (!(v >= 0) || !Number.isSafeInteger(v)) throw new SnapshotError(`cannot encode ${v} as an unsigned integer`);
    this.room(8);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }
  /** A safe integer, zigzag-encoded. */
  int(v: number): void {
    this.uint(v < 0 ? -2 * v - 1 : 2 * v);
  }
  f64v(v: number): void {
    this.f64[0] = v;
    this.raw(this.f64b);
  }
  str(s: string): void {
    this.bytes(utf8e.encode(s));
  }
  /** Length-prefixed bytes. */
  bytes(b: Uint8Array): void {
    this.uint(b.length);
    this.raw(b);
  }
  /** Bytes as they are (large ones are kept by reference, not copied). */
  raw(b: Uint8Array): void {
    if (b.length > 1024) {
      this.cut();
      this.chunks.push(b);
      this.flushed += b.length;
      return;
    }
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  /** The pieces written so far (to append to another writer without copying). */
  parts(): Uint8Array[] {
    return this.pos === this.start ? [...this.chunks] : [...this.chunks, this.buf.subarray(this.start, this.pos)];
  }
  writer(w: ByteWriter): void {
    for (const p of w.parts()) this.raw(p);
  }
  /**
   * Everything, in one buffer of 4-aligned length, at `offset`; with `sum`,
   * the words from `offset` on are checksummed piece by piece as they are
   * copied (each piece is still in cache: no second pass over the output).
   */
  finish(offset = 0, sum?: Checksum): Uint8Array {
    const n = this.length;
    const out = new Uint8Array(offset + n + ((4 - ((offset + n) % 4)) % 4));
    const words = sum ? new Int32Array(out.buffer, offset, (out.length - offset) >> 2) : null;
    let o = offset;
    let done = 0;
    for (const p of this.parts()) {
      out.set(p, o);
      o += p.length;
      if (words) {
        const upto = (o - offset) >> 2;
        sum!.update(words, done, upto);
        done = upto;
      }
    }
    if (words) sum!.update(words, done, words.length);
    return out;
  }
}

export class ByteReader {
  pos: number;
  private readonly view: DataView;
  constructor(
    readonly data: Uint8Array,
    start = 0,
    readonly end = data.length,
    /** What is being read (in error messages). */
    public what = 'snapshot',
  ) {
    this.pos = start;
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }
  fail(msg: string): never {
    throw new SnapshotError(`malformed snapshot (${this.what}): ${msg}`);
  }
  private need(n: number): void {
    if (this.pos + n > this.end) this.fail('truncated');
  }
  get atEnd(): boolean {
    return this.pos >= this.end;
  }
  u8(): number {
    this.need(1);
    return this.data[this.pos++]!;
  }
  uint(): number {
    let v = 0;
    let mul = 1;
    for (let i = 0; ; i++) {
      const b = this.u8();
      v += (b & 0x7f) * mul;
      if (!(b & 0x80)) break;
      mul *= 0x80;
      if (i >= 7) this.fail('integer too long');
    }
    if (!Number.isSafeInteger(v)) this.fail('integer too large');
    return v;
  }
  /** An unsigned integer at most `max`. */
  index(max: number, what: string): number {
    const v = this.uint();
    if (v > max) this.fail(`${what} ${v} out of range (at most ${max})`);
    return v;
  }
  int(): number {
    const u = this.uint();
    return u % 2 === 1 ? -(u + 1) / 2 : u / 2;
  }
  /** A zigzag integer in the int32 range. */
  i32(): number {
    const v = this.int();
    if (v < -0x80000000 || v > 0x7fffffff) this.fail('i32 out of range');
    return v;
  }
  f64v(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }
  /** `n` bytes (a view, not a copy). */
  raw(n: number): Uint8Array {
    this.need(n);
    const b = this.data.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  bytes(): Uint8Array {
    return this.raw(this.uint());
  }
  str(): string {
    try {
      return utf8d.decode(this.bytes());
    } catch (e) {
      if (e instanceof SnapshotError) throw e;
      return this.fail('bad UTF-8 text');
    }
  }
  bool(): boolean {
    const b = this.u8();
    if (b > 1) this.fail(`bad flag ${b}`);
    return b === 1;
  }
}

// ------------------------------------------------------------------ hashes

// (SHA-256 lives in src/core/sha256.ts: the JS tier's code cache keys by it too)
export { hex, sha256 } from '../core/sha256.js';

/**
 * A 32-bit checksum of 4-byte-aligned data (two multiply-rotate lanes over
 * its words, even words in one, odd words in the other): not cryptographic,
 * but any changed, moved or missing word changes it with overwhelming
 * likelihood, at memory speed. Fed in pieces (`update`, in order) or at once
 * (`checksum`), the value is the same.
 */
export class Checksum {
  private a = 0x9e3779b1 | 0;
  private b = 0x85ebca77 | 0;
  private n = 0;
  /** An even word waiting for its odd partner (when `n` is odd). */
  private held = 0;

  /** Words [from, to) of `words`, continuing the words fed so far. */
  update(words: Int32Array, from: number, to: number): void {
    if (to <= from) return;
    let a = this.a;
    let b = this.b;
    let i = from;
    if (this.n & 1) {
      a = Math.imul(a ^ this.held, 0xcc9e2d51);
      a = (a << 15) | (a >>> 17);
      b = Math.imul(b ^ words[i]!, 0x1b873593);
      b = (b << 13) | (b >>> 19);
      i++;
    }
    // (two pairs per turn: the same value, a sixth faster than one)
    for (; i + 3 < to; i += 4) {
      const w3 = words[i + 3]!;
      a = Math.imul(a ^ words[i]!, 0xcc9e2d51);
      a = (a << 15) | (a >>> 17);
      b = Math.imul(b ^ words[i + 1]!, 0x1b873593);
      b = (b << 13) | (b >>> 19);
      a = Math.imul(a ^ words[i + 2]!, 0xcc9e2d51);
      a = (a << 15) | (a >>> 17);
      b = Math.imul(b ^ w3, 0x1b873593);
      b = (b << 13) | (b >>> 19);
    }
    for (; i + 1 < to; i += 2) {
      a = Math.imul(a ^ words[i]!, 0xcc9e2d51);
      a = (a << 15) | (a >>> 17);
      b = Math.imul(b ^ words[i + 1]!, 0x1b873593);
      b = (b << 13) | (b >>> 19);
    }
    if (i < to) this.held = words[i]!;
    this.a = a;
    this.b = b;
    this.n += to - from;
  }

  digest(): number {
    // (a last even word without its partner goes into lane a, unrotated)
    const a = this.n & 1 ? Math.imul(this.a ^ this.held, 0xcc9e2d51) : this.a;
    const b = this.b;
    let h = Math.imul(a ^ ((b << 7) | (b >>> 25)) ^ this.n, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  }
}

/** The Checksum of `u8`'s words from byte `start` (4-aligned) on. */
export function checksum(u8: Uint8Array, start: number): number {
  const words = new Int32Array(u8.buffer, u8.byteOffset + start, (u8.length - start) >> 2);
  const c = new Checksum();
  c.update(words, 0, words.length);
  return c.digest();
}

// ------------------------------------------------------------------ plain values

/**
 * The structured values a snapshot carries for the embedder (host state, a
 * suspension's payload, extern references it can name): undefined, null,
 * booleans, numbers, strings, bigints, Uint8Arrays, arrays and plain
 * objects of these. Anything else is a SnapshotError naming it.
 */
export type PlainValue = undefined | null | boolean | number | string | bigint | Uint8Array | PlainValue[] | { [k: string]: PlainValue };

const V_UNDEF = 0,
  V_NULL = 1,
  V_FALSE = 2,
  V_TRUE = 3,
  V_NUM = 4,
  V_STR = 5,
  V_BIG = 6,
  V_BYTES = 7,
  V_ARR = 8,
  V_OBJ = 9;

export function writeValue(w: ByteWriter, v: unknown, what: string, depth = 0): void {
  if (depth > 200) throw new SnapshotError(`${what} is nested too deeply (or cyclic)`);
  if (v === undefined) w.u8(V_UNDEF);
  else if (v === null) w.u8(V_NULL);
  else if (v === false) w.u8(V_FALSE);
  else if (v === true) w.u8(V_TRUE);
  else if (typeof v === 'number') {
    w.u8(V_NUM);
    w.f64v(v);
  } else if (typeof v === 'string') {
    w.u8(V_STR);
    w.str(v);
  } else if (typeof v === 'bigint') {
    w.u8(V_BIG);
    w.str(v.toString());
  } else if (v instanceof Uint8Array) {
    w.u8(V_BYTES);
    w.bytes(v);
  } else if (Array.isArray(v)) {
    w.u8(V_ARR);
    w.uint(v.length);
    for (const x of v) writeValue(w, x, what, depth + 1);
  } else if (typeof v === 'object' && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)) {
    const keys = Object.keys(v);
    w.u8(V_OBJ);
    w.uint(keys.length);
    for (const k of keys) {
      w.str(k);
      writeValue(w, (v as Record<string, unknown>)[k], what, depth + 1);
    }
  } else {
    const name = typeof v === 'object' ? (v.constructor?.name ?? 'object') : typeof v;
    throw new SnapshotError(`${what} holds a ${name}, which a snapshot cannot carry (plain data only)`);
  }
}

export function readValue(r: ByteReader, depth = 0): PlainValue {
  if (depth > 200) r.fail('value nested too deeply');
  const t = r.u8();
  switch (t) {
    case V_UNDEF:
      return undefined;
    case V_NULL:
      return null;
    case V_FALSE:
      return false;
    case V_TRUE:
      return true;
    case V_NUM:
      return r.f64v();
    case V_STR:
      return r.str();
    case V_BIG: {
      const s = r.str();
      if (!/^-?\d+$/.test(s)) r.fail('bad bigint');
      return BigInt(s);
    }
    case V_BYTES:
      return r.bytes().slice();
    case V_ARR: {
      const n = r.index(r.end - r.pos, 'array length');
      const out: PlainValue[] = [];
      for (let i = 0; i < n; i++) out.push(readValue(r, depth + 1));
      return out;
    }
    case V_OBJ: {
      const n = r.index(r.end - r.pos, 'object size');
      const out: Record<string, PlainValue> = Object.create(null);
      for (let i = 0; i < n; i++) {
        const k = r.str();
        out[k] = readValue(r, depth + 1);
      }
      return { ...out };
    }
  }
  return r.fail(`bad value tag ${t}`);
}
