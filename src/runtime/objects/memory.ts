/** Linear memory: its bytes, views over them, growth within the store's limits. */
import { ResourceLimitError, Trap } from '../../core/errors.js';
import { type MemType } from '../../core/types.js';
import type { ResourceHost } from './limits.js';

export const PAGE = 65536;

const UTF8_DECODER = new TextDecoder('utf-8', { ignoreBOM: true });
const UTF8_ENCODER = new TextEncoder();

/**
 * A linear memory. `buffer` is an ArrayBuffer (a SharedArrayBuffer for a shared memory) replaced on every
 * successful grow: the old one is detached (a shared one keeps its old length), as the JS API requires, so
 * code holding views of it notices the growth; the engine reloads its views after anything that can grow.
 */
export class Memory {
  buffer: ArrayBuffer;
  view: DataView;
  u8: Uint8Array;
  readonly pageSize: number;
  constructor(
    readonly type: MemType,
    readonly host: ResourceHost | null,
  ) {
    this.pageSize = 2 ** type.pageSizeLog2;
    const bytes = type.min * this.pageSize;
    if (host) {
      const max = host.limits.maxMemoryBytes;
      if (max !== undefined && host.memoryBytes + bytes > max)
        throw new ResourceLimitError(`memory of ${bytes} bytes exceeds the store's limit of ${max} bytes`);
    }
    if (bytes > 2 ** 32 * 4) throw new ResourceLimitError('memory too large for this host');
    this.buffer = allocate(bytes, type.shared);
    this.view = new DataView(this.buffer);
    this.u8 = new Uint8Array(this.buffer);
    if (host) this.account(bytes);
  }
  // ------------------------------------------------ typed access for hosts (bounds-checked)

  /** Throws the spec's trap when [ptr, ptr + len) is not inside the memory. */
  check(ptr: number, len: number): void {
    if (!(ptr >= 0 && len >= 0 && Number.isInteger(ptr) && Number.isInteger(len)) || ptr + len > this.u8.length)
      throw new Trap('out of bounds memory access');
  }
  /** A copy of `len` bytes at `ptr`. */
  read(ptr: number, len: number): Uint8Array {
    this.check(ptr, len);
    return this.u8.slice(ptr, ptr + len);
  }
  write(ptr: number, bytes: Uint8Array): void {
    this.check(ptr, bytes.length);
    this.u8.set(bytes, ptr);
  }
  /** UTF-8 text of `len` bytes at `ptr` (malformed sequences become U+FFFD). */
  readString(ptr: number, len: number): string {
    this.check(ptr, len);
    return UTF8_DECODER.decode(this.u8.subarray(ptr, ptr + len));
  }
  /** Writes `text` as UTF-8 at `ptr`; returns the number of bytes written. */
  writeString(ptr: number, text: string): number {
    const bytes = UTF8_ENCODER.encode(text);
    this.write(ptr, bytes);
    return bytes.length;
  }
  readU8(ptr: number): number {
    this.check(ptr, 1);
    return this.u8[ptr]!;
  }
  readI32(ptr: number): number {
    this.check(ptr, 4);
    return this.view.getInt32(ptr, true);
  }
  readU32(ptr: number): number {
    this.check(ptr, 4);
    return this.view.getUint32(ptr, true);
  }
  readI64(ptr: number): bigint {
    this.check(ptr, 8);
    return this.view.getBigInt64(ptr, true);
  }
  readF32(ptr: number): number {
    this.check(ptr, 4);
    return this.view.getFloat32(ptr, true);
  }
  readF64(ptr: number): number {
    this.check(ptr, 8);
    return this.view.getFloat64(ptr, true);
  }
  writeU8(ptr: number, v: number): void {
    this.check(ptr, 1);
    this.u8[ptr] = v;
  }
  /** Writes the low 32 bits of v (signed or unsigned alike). */
  writeI32(ptr: number, v: number): void {
    this.check(ptr, 4);
    this.view.setInt32(ptr, v | 0, true);
  }
  writeI64(ptr: number, v: bigint): void {
    this.check(ptr, 8);
    this.view.setBigInt64(ptr, BigInt.asIntN(64, v), true);
  }
  writeF32(ptr: number, v: number): void {
    this.check(ptr, 4);
    this.view.setFloat32(ptr, v, true);
  }
  writeF64(ptr: number, v: number): void {
    this.check(ptr, 8);
    this.view.setFloat64(ptr, v, true);
  }

  get pages(): number {
    return this.buffer.byteLength / this.pageSize;
  }
  get byteLength(): number {
    return this.buffer.byteLength;
  }
  private account(delta: number): void {
    const h = this.host!;
    h.memoryBytes += delta;
    if (h.memoryBytes > h.peaks.memoryBytes) h.peaks.memoryBytes = h.memoryBytes;
  }
  /** Grows by `delta` pages; returns the old size in pages, or -1 on failure (spec or store limit). */
  /** Whether grow(delta) can succeed as far as the limits go (the allocation itself may still fail). */
  mayGrow(delta: number): boolean {
    const next = this.pages + delta;
    const specMax = this.type.addr === 'i64' ? 2 ** 64 / this.pageSize : 2 ** 32 / this.pageSize;
    if (next > (this.type.max ?? specMax) || next > specMax) return false;
    const lim = this.host?.limits.maxMemoryBytes;
    return lim === undefined || this.host!.memoryBytes + delta * this.pageSize <= lim;
  }

  grow(delta: number): number {
    const old = this.pages;
    if (delta === 0) return old;
    const next = old + delta;
    const specMax = this.type.addr === 'i64' ? 2 ** 64 / this.pageSize : 2 ** 32 / this.pageSize;
    const max = this.type.max ?? specMax;
    if (next > max || next > specMax) return -1;
    const bytes = next * this.pageSize;
    const addBytes = delta * this.pageSize;
    if (this.host) {
      const lim = this.host.limits.maxMemoryBytes;
      if (lim !== undefined && this.host.memoryBytes + addBytes > lim) return -1;
    }
    // JS engines cap ArrayBuffer sizes; a failed allocation is a failed grow.
    let buf: ArrayBuffer;
    try {
      buf = allocate(bytes, this.type.shared);
    } catch {
      return -1;
    }
    new Uint8Array(buf).set(this.u8);
    this.replace(buf);
    if (this.host) this.account(addBytes);
    return old;
  }

  /**
   * Gives the memory a new buffer object for the same bytes and detaches the old one (without copying), as the
   * JS API's `memory.grow(0)` does; a shared memory keeps its buffer.
   */
  refresh(): void {
    if (!this.type.shared) this.replace(detach(this.buffer, true)!);
  }

  private replace(buf: ArrayBuffer): void {
    const old = this.buffer;
    this.buffer = buf;
    this.view = new DataView(buf);
    this.u8 = new Uint8Array(buf);
    if (!this.type.shared) detach(old, false);
  }
}

/**
 * A shared memory's bytes are a SharedArrayBuffer where the host has one; a page that is not cross-origin
 * isolated has none, and there (wasmeter runs one thread) an ArrayBuffer serves: only the type differs.
 */
function allocate(bytes: number, shared: boolean): ArrayBuffer {
  return shared && typeof SharedArrayBuffer === 'function' ? (new SharedArrayBuffer(bytes) as unknown as ArrayBuffer) : new ArrayBuffer(bytes);
}

/**
 * Detaches `buf`; with `keep`, returns a new ArrayBuffer that owns its bytes (no copy). Node 20 has no
 * `ArrayBuffer.prototype.transfer`; `structuredClone` with the buffer in its transfer list does the same.
 */
function detach(buf: ArrayBuffer, keep: boolean): ArrayBuffer | null {
  const b = buf as ArrayBuffer & { transfer?: () => ArrayBuffer };
  if (typeof b.transfer === 'function') return b.transfer();
  const moved = structuredClone(buf, { transfer: [buf] });
  return keep ? moved : null;
}
