/**
 * A growable byte buffer for encoding instruction sequences while parsing.
 * Unlike core Writer it exposes `rotate`, used for folded instructions: the
 * operator and its immediates are written first, then the operands, then
 * the operator bytes are moved behind the operands.
 */
export class Buf {
  buf: Uint8Array;
  length = 0;
  constructor(size = 64) {
    this.buf = new Uint8Array(size);
  }
  private grow(n: number): void {
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
  u8(b: number): void {
    if (this.length === this.buf.length) this.grow(1);
    this.buf[this.length++] = b;
  }
  bytes(b: ArrayLike<number>): void {
    if (this.length + b.length > this.buf.length) this.grow(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  u32(v: number): void {
    do {
      let b = v % 128;
      v = Math.floor(v / 128);
      if (v !== 0) b |= 0x80;
      this.u8(b);
    } while (v !== 0);
  }
  /** Unsigned LEB128 of a bigint up to 2^64-1. */
  u64(v: bigint): void {
    if (v < 0x100000000n) return this.u32(Number(v));
    do {
      let b = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) b |= 0x80;
      this.u8(b);
    } while (v !== 0n);
  }
  /** Signed LEB128 of an int32 (or any safe integer, e.g. s33 type indices). */
  s32(v: number): void {
    for (;;) {
      const b = v & 0x7f;
      v = Math.floor(v / 128);
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
        this.u8(b);
        return;
      }
      this.u8(b | 0x80);
    }
  }
  s64(v: bigint): void {
    if (v >= -0x80000000n && v <= 0x7fffffffn) return this.s32(Number(v));
    for (;;) {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) {
        this.u8(b);
        return;
      }
      this.u8(b | 0x80);
    }
  }
  bits32(v: number): void {
    this.u8(v & 0xff);
    this.u8((v >>> 8) & 0xff);
    this.u8((v >>> 16) & 0xff);
    this.u8((v >>> 24) & 0xff);
  }
  bits64(v: bigint): void {
    this.bits32(Number(v & 0xffffffffn));
    this.bits32(Number((v >> 32n) & 0xffffffffn));
  }
  /** Move bytes [from, to) to the end of the buffer (after [to, length)). */
  rotate(from: number, to: number): void {
    if (to === this.length || from === to) return;
    const head = this.buf.slice(from, to);
    this.buf.copyWithin(from, to, this.length);
    this.buf.set(head, this.length - head.length);
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}
