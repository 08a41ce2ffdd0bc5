/** Linear memory: its bytes, views over them, growth within the store's limits. */
import { ResourceLimitError, Trap } from '../../core/errors.js';
import { type MemType } from '../../core/types.js';
import type { ResourceHost } from './limits.js';

export const PAGE = 65536;
/** The page size of the host's own `WebAssembly.Memory` (host storage): the wasm page. */
const HOST_PAGE = PAGE;

const UTF8_DECODER = new TextDecoder('utf-8', { ignoreBOM: true });
const UTF8_ENCODER = new TextEncoder();

/**
 * A linear memory. Its bytes live in `storage`, an ArrayBuffer that may be longer than the memory (spare
 * capacity, so that most grows copy nothing); `view` and `u8` are views of exactly the memory's bytes, replaced
 * on every successful grow (the engine reloads its views after anything that can grow).
 *
 * `buffer` (the JS API's `memory.buffer`, and the host API's) is an ArrayBuffer of exactly the memory's length:
 * the storage itself once the spare capacity is cut off (one copy, at most once per grow). From then on, grows
 * allocate the exact length, copy, and detach the old buffer (a shared one keeps its old length), as the JS API
 * requires, so code holding views of it notices the growth. A memory nobody asked for its buffer grows into its
 * spare capacity (docs/architecture.md "Linear memory"); a shared memory never has spare capacity.
 *
 * Where the host has a `WebAssembly.Memory` of its own (Node, browsers; captured when this module loads, before
 * `wasmeter/register` replaces `globalThis.WebAssembly`), an unshared memory of 64 KiB pages and 32-bit addresses
 * whose `buffer` was taken moves its bytes into one at its next grow (*host storage*; that grow copies, as it would
 * have anyway): the host grows it in place from then on and gives it a new exact-length buffer, detaching the old
 * one, which is what the JS API asks of `buffer`; no wasm code runs there. (Not at the `buffer` itself: a memory that
 * never grows needs none, and host storage reserves address space.) A shared memory of 64 KiB pages and 32-bit
 * addresses is in host storage (shared, with its maximum) from its creation: the host grows it in place, and every
 * SharedArrayBuffer it handed out keeps its length and stays the same bytes, as the JS API requires. Without it
 * (no host WebAssembly, memory64, custom page sizes, or the host refused the memory), grows of an exposed memory
 * allocate the exact length and copy.
 *
 * Resizable ArrayBuffers (`maxByteLength`, `resize()`) would grow in place too, but in Node 20 (V8 11.3) every
 * DataView and typed-array access through them is several times slower in optimized code (BENCHMARKS.md).
 */
export class Memory {
  /** The bytes: the first `byteLength` are the memory, the rest spare capacity (zero). */
  private storage: ArrayBuffer;
  view: DataView;
  u8: Uint8Array;
  readonly pageSize: number;
  /** Whether `buffer` was handed out: grows then allocate exactly (a later `buffer` would have to cut the spare off). */
  private exposed = false;
  /**
   * The storage last handed out as `buffer`: the only one a grow detaches. Storage nobody took is dropped, not
   * detached (the engine's views are replaced at every grow; old views keep their length): detaching any
   * ArrayBuffer makes V8 guard every typed-array and DataView access of optimized code against detached buffers
   * from then on, in the whole process (BENCHMARKS.md).
   */
  private handed: ArrayBuffer | null = null;
  /** The host's memory holding the bytes once `buffer` was taken, where the host has one (see the class comment). */
  private hosted: HostMemory | null = null;
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
    // a shared memory lives in host storage from the start where it can (see the class comment)
    const hosted = type.shared && type.max !== null && this.pageSize === HOST_PAGE && type.addr === 'i32' ? hostMemory(type.min, type.max) : null;
    this.hosted = hosted;
    this.storage = hosted !== null ? hosted.buffer : allocate(bytes, type.shared);
    this.view = new DataView(this.storage);
    this.u8 = new Uint8Array(this.storage);
    if (host) this.account(bytes);
  }

  /** The memory's bytes as an ArrayBuffer of exactly its length (see the class comment). */
  get buffer(): ArrayBuffer {
    this.exposed = true;
    if (this.storage.byteLength !== this.u8.length) {
      const exact = allocate(this.u8.length, false);
      new Uint8Array(exact).set(this.u8);
      this.replace(exact, this.u8.length);
    }
    this.handed = this.storage;
    return this.storage;
  }
  /** Whether the bytes are in the host's own `WebAssembly.Memory` (see the class comment), for tests and diagnostics. */
  get hostStorage(): boolean {
    return this.hosted !== null;
  }
  /** The length of the storage (memory and spare capacity), for tests and diagnostics. */
  get capacity(): number {
    return this.storage.byteLength;
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
    return this.u8.length / this.pageSize;
  }
  get byteLength(): number {
    return this.u8.length;
  }
  private account(delta: number): void {
    const h = this.host!;
    h.memoryBytes += delta;
    if (h.memoryBytes > h.peaks.memoryBytes) h.peaks.memoryBytes = h.memoryBytes;
  }
  /** Whether grow(delta) can succeed as far as the limits go (the allocation itself may still fail). */
  mayGrow(delta: number): boolean {
    return this.limitPages() >= this.pages + delta;
  }
  /** The most pages this memory may have: its maximum, the address space's, and what the store's limit leaves it. */
  private limitPages(): number {
    const specMax = this.type.addr === 'i64' ? 2 ** 64 / this.pageSize : 2 ** 32 / this.pageSize;
    let max = Math.min(this.type.max ?? specMax, specMax);
    const lim = this.host?.limits.maxMemoryBytes;
    if (lim !== undefined) max = Math.min(max, this.pages + Math.floor((lim - this.host!.memoryBytes) / this.pageSize));
    return max;
  }

  /** Grows by `delta` pages; returns the old size in pages, or -1 on failure (spec or store limit). */
  grow(delta: number): number {
    const old = this.pages;
    if (delta === 0) return old;
    const next = old + delta;
    const maxPages = this.limitPages();
    if (next > maxPages) return -1;
    const bytes = next * this.pageSize;
    if (this.hosted !== null) {
      // host storage grows in place and detaches the old buffer itself (a refused grow is a failed grow)
      try {
        this.hosted.grow(delta);
      } catch {
        return -1;
      }
      this.replace(this.hosted.buffer, bytes, true);
    } else if (bytes <= this.storage.byteLength) {
      // into the spare capacity: no copy, nothing detached (nobody holds this storage as `buffer`)
      this.view = new DataView(this.storage, 0, bytes);
      this.u8 = new Uint8Array(this.storage, 0, bytes);
    } else {
      // JS engines cap ArrayBuffer sizes; a failed allocation is a failed grow.
      let buf: ArrayBuffer | null = null;
      if (this.exposed && !this.type.shared && this.pageSize === HOST_PAGE && this.type.addr === 'i32') {
        // exposed: this grow copies into host storage, and later ones grow it in place
        const hosted = hostMemory(next);
        if (hosted !== null) {
          this.hosted = hosted;
          buf = hosted.buffer;
        }
      } else if (!this.exposed && !this.type.shared) {
        // spare capacity: twice the old size (at most 1 GiB more), within the limits; untouched pages cost no memory
        const cap = Math.min(Math.max(next, Math.min(2 * old, old + Math.floor(SPARE_MAX_BYTES / this.pageSize))), maxPages) * this.pageSize;
        if (cap > bytes && cap <= STORAGE_MAX_BYTES) buf = tryAllocate(cap, false);
      }
      buf ??= tryAllocate(bytes, this.type.shared);
      if (buf === null) return -1;
      new Uint8Array(buf).set(this.u8);
      this.replace(buf, bytes);
    }
    if (this.host) this.account(delta * this.pageSize);
    return old;
  }

  /**
   * Gives the memory a new buffer object for the same bytes and detaches the old one (without copying), as the
   * JS API's `memory.grow(0)` does; a shared memory keeps its buffer.
   */
  refresh(): void {
    if (this.type.shared) return;
    const bytes = this.u8.length; // (before the detach, which empties the views)
    if (this.hosted !== null) {
      this.hosted.grow(0); // the host's own refresh: a new buffer object, the old one detached
      this.replace(this.hosted.buffer, bytes, true);
      return;
    }
    this.replace(detach(this.storage, true)!, bytes, true);
  }

  /** Puts the memory on `buf`; detaches the old storage if it was handed out as `buffer`, unless that is done (`detached`). */
  private replace(buf: ArrayBuffer, bytes: number, detached = false): void {
    const old = this.storage;
    this.storage = buf;
    this.view = new DataView(buf, 0, bytes);
    this.u8 = new Uint8Array(buf, 0, bytes);
    if (!this.type.shared && !detached && old === this.handed) detach(old, false);
  }
}

/** The host's `WebAssembly.Memory` as wasmeter uses it: storage that grows in place. */
interface HostMemory {
  readonly buffer: ArrayBuffer;
  grow(delta: number): number;
}
/** The host's `WebAssembly.Memory` constructor, taken before anything can replace `globalThis.WebAssembly`. */
const HostMemoryClass = hostMemoryClass();

function hostMemoryClass(): (new (d: { initial: number; maximum?: number; shared?: boolean }) => HostMemory) | null {
  const M = (globalThis as { WebAssembly?: { Memory?: unknown } }).WebAssembly?.Memory;
  // only the engine's own (a wasmeter facade installed earlier would be wasmeter again, and slower)
  return typeof M === 'function' && /\{\s*\[native code\]\s*\}\s*$/.test(Function.prototype.toString.call(M))
    ? (M as new (d: { initial: number; maximum?: number; shared?: boolean }) => HostMemory)
    : null;
}

/**
 * Host storage of `pages` pages (64 KiB), shared with a maximum of `sharedMax` pages when that is given, or null
 * where there is none or the host refuses (address space).
 */
function hostMemory(pages: number, sharedMax?: number): HostMemory | null {
  if (HostMemoryClass === null) return null;
  try {
    return new HostMemoryClass(sharedMax === undefined ? { initial: pages } : { initial: pages, maximum: sharedMax, shared: true });
  } catch {
    return null;
  }
}

/** Spare capacity is at most 1 GiB, and storage with spare capacity at most 4 GiB (beyond, grows copy into exact sizes). */
const SPARE_MAX_BYTES = 2 ** 30;
const STORAGE_MAX_BYTES = 2 ** 32;

function tryAllocate(bytes: number, shared: boolean): ArrayBuffer | null {
  try {
    return allocate(bytes, shared);
  } catch {
    return null;
  }
}

/**
 * A shared memory's bytes, where the host has no memory of its own for them: a SharedArrayBuffer where the host has
 * one; a page that is not cross-origin isolated has none, and there (wasmeter runs one thread) an ArrayBuffer
 * serves: only the type differs.
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
