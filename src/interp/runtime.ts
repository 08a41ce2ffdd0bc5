/**
 * Runtime objects: memories, tables, globals, function instances, and the
 * per-store value/ref storage. Values live in one ArrayBuffer of 16-byte
 * slots (i32 = word 0; i64 = words 0,1 little-endian; f32/f64 share the bytes;
 * v128 = words 0..3); references live in a parallel JS array, one entry per slot.
 */
import { ResourceLimitError, Trap } from '../core/errors.js';
import type { FuncBody } from '../core/module.js';
import type { FuncType, GlobalType, MemType, TableType } from '../core/types.js';

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
    this.buffer = new ArrayBuffer(bytes);
    this.view = new DataView(this.buffer);
    this.u8 = new Uint8Array(this.buffer);
    if (host) this.account(bytes);
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
      buf = new ArrayBuffer(bytes);
    } catch {
      return -1;
    }
    new Uint8Array(buf).set(this.u8);
    this.buffer = buf;
    this.view = new DataView(buf);
    this.u8 = new Uint8Array(buf);
    if (this.host) this.account(addBytes);
    return old;
  }
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

/** A thrown WebAssembly exception (tag + payload). */
export class ExnRef {
  constructor(
    readonly tag: unknown,
    readonly values: unknown[],
  ) {}
}

export function trap(message: string): never {
  throw new Trap(message);
}

/** What a host function returns to suspend the call (see `Caller.suspend`). */
export class Suspend {
  constructor(readonly payload: unknown) {}
}
