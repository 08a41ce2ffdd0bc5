/**
 * Runtime objects: memories, tables, globals, function instances, and the
 * per-store value/ref storage. Values live in one ArrayBuffer of 16-byte
 * slots (i32 = word 0; i64 = words 0,1 little-endian; f32/f64 share the bytes;
 * v128 = words 0..3); references live in a parallel JS array, one entry per slot.
 */
import { ResourceLimitError, Trap } from '../core/errors.js';
import type { FuncBody } from '../core/module.js';
import { F32, F64, I32, I64, V128, type FuncType, type GlobalType, type MemType, type TableType } from '../core/types.js';
import type { Tag } from './instance.js';
import * as I64N from './numeric/i64.js';

export const PAGE = 65536;

/** Limits a Store enforces (all optional). */
export interface Limits {
  /** Maximum bytes of linear memory, summed over all memories of the store. */
  maxMemoryBytes?: number;
  /** Maximum elements of any one table. */
  maxTableElements?: number;
  /** Maximum nesting of wasm calls (default 10000): exceeding it traps "call stack exhausted". */
  maxCallDepth?: number;
  /** Maximum bytes of the value stack (default 64 MiB). */
  maxValueStackBytes?: number;
  /**
   * Maximum bytes of any one GC array (default 256 MiB; a reference element
   * counts 8 bytes): allocating a larger one throws ResourceLimitError.
   */
  maxArrayBytes?: number;
}

export interface Peaks {
  memoryBytes: number;
  valueStackBytes: number;
  callDepth: number;
  tableElements: number;
}

/** What a store tracks for its memories' and tables' limits and peaks. */
export interface ResourceHost {
  limits: Limits;
  peaks: Peaks;
  /** Bytes currently allocated by all memories of the store. */
  memoryBytes: number;
}

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

function allocate(bytes: number, shared: boolean): ArrayBuffer {
  return shared ? (new SharedArrayBuffer(bytes) as unknown as ArrayBuffer) : new ArrayBuffer(bytes);
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

export class Table {
  elems: unknown[];
  /** Whether indices are i64 (table64). */
  readonly is64: boolean;
  constructor(
    readonly type: TableType,
    init: unknown,
    readonly host: ResourceHost | null,
  ) {
    const lim = host?.limits.maxTableElements;
    if (lim !== undefined && type.min > lim)
      throw new ResourceLimitError(`table of ${type.min} elements exceeds the store's limit of ${lim}`);
    if (type.min > 10_000_000) throw new ResourceLimitError(`table of ${type.min} elements is too large for this host`);
    this.elems = new Array(type.min).fill(init);
    this.is64 = type.addr === 'i64';
    this.peak();
  }
  get size(): number {
    return this.elems.length;
  }
  private peak(): void {
    if (this.host && this.elems.length > this.host.peaks.tableElements) this.host.peaks.tableElements = this.elems.length;
  }
  /** Grows by `delta` elements filled with `init`; returns the old size or -1. */
  /** Whether grow(delta) can succeed (limits, and the host's table size cap). */
  mayGrow(delta: number): boolean {
    const next = this.elems.length + delta;
    const specMax = this.type.addr === 'i64' ? 2 ** 64 - 1 : 2 ** 32 - 1;
    if (next > (this.type.max ?? specMax) || next > specMax) return false;
    const lim = this.host?.limits.maxTableElements;
    return !((lim !== undefined && next > lim) || next > 10_000_000);
  }

  grow(delta: number, init: unknown): number {
    const old = this.elems.length;
    const next = old + delta;
    const specMax = this.type.addr === 'i64' ? 2 ** 64 - 1 : 2 ** 32 - 1;
    if (next > (this.type.max ?? specMax) || next > specMax) return -1;
    const lim = this.host?.limits.maxTableElements;
    if ((lim !== undefined && next > lim) || next > 10_000_000) return -1;
    for (let i = 0; i < delta; i++) this.elems.push(init);
    this.peak();
    return old;
  }
}

export class Global {
  /** Numeric/vector value bits (4 words, like a stack slot). */
  readonly cell = new Int32Array(4);
  /** Reference value. */
  ref: unknown = null;
  constructor(readonly type: GlobalType) {}
}

/** A WebAssembly function defined by a module instance. */
export class WasmFunc {
  /** Translated code, filled on first call. */
  compiled: unknown = null;
  /** JS-tier version (src/interp/jit), made on first call: a JitFn, or null. */
  jit: unknown = null;
  /** 0: the JS tier has not tried this function yet; 1: `jit` is its JS version; 2: it stays interpreted. */
  jitState = 0;
  constructor(
    readonly type: FuncType,
    /** Canonical type id (store-wide), for call_indirect and casts. */
    readonly typeId: number,
    readonly instance: unknown,
    /** Index in the instance's function index space. */
    readonly index: number,
    readonly body: FuncBody,
  ) {}
}

/** What a host function receives besides its arguments. */
export interface CallerLike {
  readonly instance: unknown;
}

export type HostFn = (caller: any, ...args: any[]) => unknown;

/** A function supplied by the embedder. */
export class HostFunc {
  constructor(
    readonly type: FuncType,
    readonly typeId: number,
    readonly fn: HostFn,
    readonly name: string,
  ) {}
}

export type FuncInst = WasmFunc | HostFunc;

/** A WebAssembly exception (an `exnref`): its tag and payload (raw slot words, 4 per value, and references). */
export class ExnRef {
  constructor(
    readonly tag: Tag,
    /** The payload's bits, one 4-word slot per value (NaN payloads kept). */
    readonly words: Int32Array,
    /** The payload's references (null for numeric values). */
    readonly refs: unknown[],
  ) {}
  /** The payload as the embedding API represents values (i64: bigint, v128: Uint8Array, ...). */
  get values(): unknown[] {
    const ps = this.tag.type.params;
    const out: unknown[] = [];
    const b = this.words.buffer;
    const o = this.words.byteOffset;
    for (let i = 0; i < ps.length; i++) {
      const w = i * 4;
      switch (ps[i]!) {
        case I32:
          out.push(this.words[w]!);
          break;
        case I64:
          out.push(I64N.toBigInt(this.words, w));
          break;
        case F32:
          out.push(new Float32Array(b, o + w * 4, 1)[0]!);
          break;
        case F64:
          out.push(new Float64Array(b, o + w * 4, 1)[0]!);
          break;
        case V128:
          out.push(new Uint8Array(b.slice(o + w * 4, o + w * 4 + 16)));
          break;
        default:
          out.push(this.refs[i]);
      }
    }
    return out;
  }
}

export function trap(message: string): never {
  throw new Trap(message);
}

/** What a host function returns to suspend the call (see `Caller.suspend`). */
export class Suspend {
  constructor(readonly payload: unknown) {}
}
