/** Function instances: wasm functions of a module instance, and host functions supplied by the embedder. */
import type { FuncBody } from '../../core/module.js';
import { type FuncType } from '../../core/types.js';

/** A WebAssembly function defined by a module instance. */
export class WasmFunc {
  /** Translated code, filled on first call. */
  compiled: unknown = null;
  /** JS-tier version (src/jit), made on first call: a JitFn, or null. */
  jit: unknown = null;
  /**
   * What generated callers call (src/jit, issue 16): the JS version's function, one closure shared by every instance
   * of the module (so V8 optimizes it once, and a caller's calls of it have one target in every instance), which takes
   * this instance's environment `jitE` as its first argument; `jit` is this instance's closure around it, for the
   * interpreter's calls. Null when `jit` is.
   */
  jitS: unknown = null;
  jitE: unknown[] | null = null;
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

/** What a host function returns to suspend the call (see `Caller.suspend`). */
export class Suspend {
  constructor(readonly payload: unknown) {}
}
