/**
 * Sandboxed runs: load a module (bytes, WAT text or a compiled Module), grant
 * it the I/O imports plus the capabilities the options allow, run it under a
 * fuel budget, a memory limit and a deadline, and report every failure as a
 * typed SandboxError.
 */
import { HostError, LinkError, OutOfFuel, ResourceLimitError, Trap } from '../../core/errors.js';
import { CompKind, F32, F64, I32, I64, type FuncType, type ValType } from '../../core/types.js';
import type { FuelCosts } from '../../runtime/objects/costs.js';
import { HostFunc, WasmFunc } from '../../runtime/objects/func.js';
import { type Limits } from '../../runtime/objects/limits.js';
import { type Memory } from '../../runtime/objects/memory.js';
import { Module } from '../../runtime/module.js';
import { Store, type Caller } from '../../runtime/store.js';
import { type Instance } from '../../runtime/instance.js';
import { watToBinary } from '../../text/index.js';
import type { ValidateOptions } from '../../validate/module.js';
import { Linker } from '../linker.js';
import {
  CapabilityDenied,
  ExecutionFailed,
  GuestAbiError,
  InstantiationFailed,
  ModuleInvalid,
  OutOfMemory,
  SandboxError,
  SandboxHostError,
  SandboxOutOfFuel,
  Timeout,
  type DeniedImport,
} from './errors.js';
import { IO_IMPORTS, SandboxIo, type IoOptions } from './io.js';
import { WASI_FUNCTIONS, WASI_MODULE, Wasi, WasiExit, type WasiOptions } from '../wasi/wasi.js';
import { readBytes, readUtf8, requireMemory, writeBytes } from './memory.js';

/** Where a guest comes from: binary bytes, WAT text, or an already compiled Module. */
export type GuestSource = Uint8Array | string | Module;

export type ValTypeName = 'i32' | 'i64' | 'f32' | 'f64';

/** What a capability's host function receives besides its arguments. */
export interface HostContext {
  /** "module.name" of the import being called. */
  readonly call: string;
  readonly caller: Caller;
  readonly store: Store;
  /** The calling guest's memory 0 (GuestAbiError when it has none). */
  memory(): Memory;
  /** A bounds-checked copy of guest bytes [ptr, ptr+len). */
  read(ptr: number, len: number): Uint8Array;
  /** Guest bytes [ptr, ptr+len) as UTF-8 text (bounds-checked). */
  readString(ptr: number, len: number): string;
  /** Writes bytes at ptr (bounds-checked). */
  write(ptr: number, bytes: Uint8Array): void;
  /** Charges fuel from the run's budget (SandboxOutOfFuel when the budget cannot pay). */
  chargeFuel(n: number): void;
}

/** An extra host function a sandbox can grant. i64 arguments/results are bigints. */
export interface Capability {
  params: ValTypeName[];
  results: ValTypeName[];
  fn: (ctx: HostContext, ...args: any[]) => unknown;
}

/** WASI options for a sandbox: stdout and stderr are always captured, so they are not options. */
export type SandboxWasiOptions = Omit<WasiOptions, 'stdout' | 'stderr' | 'inheritStdio'>;

export interface SandboxOptions extends IoOptions {
  /** Total fuel budget (instantiation's start function included); omit for no budget. */
  fuel?: number;
  /** Most bytes of linear memory the guest may hold. */
  maxMemoryBytes?: number;
  /** Other store limits (call depth, value stack, table elements). */
  limits?: Omit<Limits, 'maxMemoryBytes'>;
  /** Fuel cost table (docs/fuel.md). */
  costs?: FuelCosts;
  /** Wall-clock limit in milliseconds: for runSandboxed the whole run; for a Sandbox each call. */
  timeoutMs?: number;
  /** Absolute deadline (a Date.now() value); combined with timeoutMs, the earlier one wins. */
  deadline?: number;
  /** Fuel per slice when a deadline is enforced (default 500,000, about 1-3 ms): the clock is checked between slices. */
  fuelSlice?: number;
  /**
   * Entry export for runSandboxed (default: the first of "execute", "run", "_start" the guest
   * exports). An entry of type `(i32, i32) -> i32` gets the input in its memory (docs/abi.md).
   */
  entry?: string;
  /**
   * Grants WASI preview 1 (every wasi_snapshot_preview1 function) with these options (`true`: the
   * defaults). stdout and stderr are captured into the result (`stdout`, `stderr`); stdin is the
   * sandbox's input unless `stdin` is given. proc_exit ends the run with `exitCode`.
   */
  wasi?: true | SandboxWasiOptions;
  /**
   * Extra host functions the host offers, keyed "module.name" (split at the
   * first dot) or a bare name (module "env").
   */
  capabilities?: Record<string, Capability>;
  /** Keys of `capabilities` granted to this guest (default: all of them). */
  allow?: readonly string[];
  /**
   * What a memory.grow beyond maxMemoryBytes does: 'return' (default) makes it
   * return -1 as the spec says, and a later failure of the guest is reported
   * as OutOfMemory; 'trap' stops the guest with OutOfMemory at the grow.
   */
  memoryGrowFailure?: 'return' | 'trap';
  /** Validation options (features). */
  validate?: ValidateOptions;
}

const DEFAULT_SLICE = 500_000;
const CHANNEL_IMPORT = 'host_send';

const VALTYPES: Record<ValTypeName, ValType> = { i32: I32, i64: I64, f32: F32, f64: F64 };

/** Decodes (or parses) and validates a guest; ModuleInvalid on any failure. */
export function loadGuest(src: GuestSource, validate?: ValidateOptions): Module {
  if (src instanceof Module) return src;
  try {
    if (typeof src === 'string') return Module.fromBinary(watToBinary(src), validate);
    if (src instanceof Uint8Array) return Module.fromBinary(src, validate);
  } catch (e) {
    throw new ModuleInvalid(`invalid module: ${errMessage(e)}`, e);
  }
  throw new TypeError('a guest is a Uint8Array (binary), a string (WAT text) or a Module');
}

/** Splits a capability key into its import coordinates. */
export function capabilityImport(key: string): { module: string; name: string } {
  const dot = key.indexOf('.');
  return dot < 0 ? { module: 'env', name: key } : { module: key.slice(0, dot), name: key.slice(dot + 1) };
}

function errMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function isMemoryLimit(e: unknown): boolean {
  return e instanceof ResourceLimitError && /memory/i.test(e.message);
}

/**
 * Maps an error from a guest call to a SandboxError. `what` names the call
 * ("run", "callJson invoke", ...) for the message.
 */
export function toSandboxError(e: unknown, what: string, growDenied?: GrowDenied | null): SandboxError {
  if (e instanceof SandboxError) return e;
  if (e instanceof GuestAbiError) return new ExecutionFailed(`${what}: ${e.message}`, e);
  if (e instanceof HostError) {
    const orig = (e as { cause?: unknown }).cause ?? e;
    return new SandboxHostError(`${what}: ${e.message}`, orig);
  }
  if (growDenied && (e instanceof Trap || e instanceof ResourceLimitError)) {
    return new OutOfMemory(
      `${what}: the guest failed (${e.message}) after memory.grow was refused: ${growDenied.requestedBytes} bytes requested, limit ${growDenied.limitBytes}`,
      growDenied.limitBytes,
      growDenied.requestedBytes,
      e,
    );
  }
  if (isMemoryLimit(e)) return new OutOfMemory(`${what}: ${(e as Error).message}`, undefined, undefined, e);
  if (e instanceof Trap) return new ExecutionFailed(`${what} trapped: ${e.message}`, e);
  if (e instanceof OutOfFuel)
    return new SandboxOutOfFuel(`${what}: out of fuel (consumed ${e.consumed})`, e.consumed, e.consumed, e);
  return new ExecutionFailed(`${what} failed: ${errMessage(e)}`, e);
}

export interface GrowDenied {
  requestedBytes: number;
  limitBytes: number;
}

/**
 * Runs calls of one store under a fuel budget and a deadline: the store gets
 * fuel a slice at a time; on the interpreter's (resumable) OutOfFuel the
 * meter checks the budget and the clock, then adds the next slice and resumes.
 */
export class FuelMeter {
  /** Fuel handed to the store so far. */
  private granted: number;
  private deadline = Infinity;
  private timeoutMs = Infinity;
  private startedAt = 0;

  constructor(
    readonly store: Store,
    /** Total budget (Infinity for none). */
    readonly budget: number,
    /** Fuel per slice (Infinity when no deadline is enforced). */
    readonly slice: number,
    initial: number,
  ) {
    this.granted = initial;
  }

  /**
   * Creates a store for the given budget and deadline policy: unmetered when
   * there is neither, metered with the whole budget when there is no
   * deadline, metered a slice at a time otherwise.
   */
  static create(
    opts: { fuel?: number; timed: boolean; fuelSlice?: number; costs?: FuelCosts; limits?: Limits },
  ): FuelMeter {
    const budget = opts.fuel ?? Infinity;
    if (budget !== Infinity && (!(budget >= 0) || !Number.isSafeInteger(budget)))
      throw new RangeError('fuel must be a non-negative safe integer');
    const slice = opts.timed ? (opts.fuelSlice ?? DEFAULT_SLICE) : Infinity;
    if (opts.timed && (!(slice > 0) || !Number.isSafeInteger(slice))) throw new RangeError('fuelSlice must be a positive safe integer');
    const metered = budget !== Infinity || opts.timed;
    const initial = metered ? Math.min(budget, slice) : Infinity;
    const so: { fuel?: number; costs?: FuelCosts; limits?: Limits } = {};
    if (metered) so.fuel = initial;
    if (opts.costs) so.costs = opts.costs;
    if (opts.limits) so.limits = opts.limits;
    return new FuelMeter(new Store(so), budget, slice, initial);
  }

  /**
   * Runs `fn` (a store call) to completion under a deadline (performance.now()
   * ms, or Infinity). `origin` is when the timed period began (for Timeout's
   * elapsedMs; default now).
   */
  run(fn: () => unknown[], deadline: number, timeoutMs: number, origin = performance.now()): unknown[] {
    const prev = [this.deadline, this.timeoutMs, this.startedAt] as const;
    this.deadline = deadline;
    this.timeoutMs = timeoutMs;
    this.startedAt = origin;
    try {
      let pending: OutOfFuel;
      try {
        return fn();
      } catch (e) {
        if (!(e instanceof OutOfFuel)) throw e;
        pending = e;
      }
      for (;;) {
        this.topUp(pending.remaining, pending.needed, pending);
        try {
          return pending.resume();
        } catch (e) {
          if (!(e instanceof OutOfFuel)) throw e;
          pending = e;
        }
      }
    } finally {
      [this.deadline, this.timeoutMs, this.startedAt] = prev;
    }
  }

  /** Charges fuel on behalf of the host (from the budget, topping the store up as needed). */
  charge(n: number): void {
    if (!(n >= 0) || !Number.isSafeInteger(n)) throw new RangeError('fuel must be a non-negative safe integer');
    const have = this.store.fuelRemaining;
    if (have < n) this.topUp(have, n, undefined);
    if (!this.store.consumeFuel(n)) throw new Error('wasmeter internal error: fuel top-up did not cover a host charge');
  }

  private topUp(remaining: number, needed: number, cause: OutOfFuel | undefined): void {
    const canAdd = this.budget - this.granted;
    if (remaining + canAdd < needed) {
      const consumed = this.store.fuelConsumed;
      throw new SandboxOutOfFuel(
        `out of fuel: the budget of ${this.budget} is spent (consumed ${consumed}, the next step needs ${needed - remaining} more)`,
        this.budget,
        consumed,
        cause,
      );
    }
    const now = performance.now();
    if (now > this.deadline) {
      const elapsed = now - this.startedAt;
      throw new Timeout(
        `timeout: the guest ran past its deadline (${Number.isFinite(this.timeoutMs) ? `${this.timeoutMs} ms allowed, ` : ''}${elapsed.toFixed(1)} ms elapsed)`,
        this.timeoutMs,
        elapsed,
        cause,
      );
    }
    const add = Math.min(canAdd, Math.max(this.slice, needed - remaining));
    if (add === Infinity) throw new Error('wasmeter internal error: unmetered store ran out of fuel');
    this.store.addFuel(add);
    this.granted += add;
  }
}

/**
 * A guest instantiated under a sandbox policy. Long-lived: call exports with
 * `call`, use `callJson` and `GuestChannel` on it; state persists between
 * calls. Each call gets the options' timeout; the fuel budget is shared by all.
 * After a call ran out of fuel or time the sandbox is stopped for good.
 */
export class Sandbox {
  readonly module: Module;
  readonly store: Store;
  readonly instance: Instance;
  readonly io: SandboxIo;
  readonly meter: FuelMeter;
  /** The WASI host when the options grant WASI (options.wasi), else null. */
  readonly wasi: Wasi | null;
  /** Set when a memory.grow was refused for the memory limit. */
  growDenied: GrowDenied | null = null;
  /** Why the sandbox cannot run any more (out of fuel or time), or null. */
  stopped: SandboxError | null = null;
  /** Set by GuestChannel: receives host_send messages. */
  onSend: ((bytes: Uint8Array) => void) | null = null;
  private readonly options: SandboxOptions;
  private readonly timed: boolean;
  private fixedDeadline: number;

  /**
   * Prefer createSandbox. `timing` (used by runSandboxed) bounds the start
   * function by a performance.now()-based deadline measured from `origin`;
   * `onInstance` sees the sandbox before its start function runs.
   */
  constructor(
    src: GuestSource,
    options: SandboxOptions = {},
    timing?: { deadline: number; origin: number },
    onInstance?: (sb: Sandbox) => void,
  ) {
    this.options = options;
    this.module = loadGuest(src, options.validate);
    this.io = new SandboxIo(options);
    this.timed = options.timeoutMs !== undefined || options.deadline !== undefined;
    this.fixedDeadline = options.deadline !== undefined ? performance.now() + (options.deadline - Date.now()) : Infinity;

    this.wasi = options.wasi === undefined ? null : makeWasi(options.wasi, this.io);

    // 1. every import must be an ABI import, a granted capability or (when granted) WASI
    const caps = options.capabilities ?? {};
    const granted = new Set(options.allow ?? Object.keys(caps));
    for (const k of granted) if (!(k in caps)) throw new RangeError(`allow lists '${k}', which is not in capabilities`);
    const byImport = new Map<string, string>();
    for (const key of Object.keys(caps)) {
      const { module, name } = capabilityImport(key);
      byImport.set(`${module}\u0000${name}`, key);
    }
    const denied: DeniedImport[] = [];
    let wantsChannel = false;
    for (const imp of this.module.imports) {
      if (imp.module === 'env' && imp.kind === 'func') {
        if ((IO_IMPORTS as readonly string[]).includes(imp.name)) continue;
        if (imp.name === CHANNEL_IMPORT && !byImport.has(`env\u0000${CHANNEL_IMPORT}`)) {
          wantsChannel = true;
          continue;
        }
      }
      if (this.wasi && imp.module === WASI_MODULE && imp.kind === 'func' && Object.hasOwn(WASI_FUNCTIONS, imp.name)) continue;
      const key = byImport.get(`${imp.module}\u0000${imp.name}`);
      if (key !== undefined && imp.kind === 'func' && granted.has(key)) continue;
      denied.push({ module: imp.module, name: imp.name, kind: imp.kind, reason: key !== undefined && imp.kind === 'func' ? 'not-granted' : 'unknown' });
    }
    if (denied.length) throw new CapabilityDenied(denied);

    // 2. memory the guest declares must fit the limit
    const limit = options.maxMemoryBytes;
    if (limit !== undefined) {
      let bytes = 0;
      for (const m of this.module.data.memories) bytes += m.min * 2 ** m.pageSizeLog2;
      if (bytes > limit)
        throw new OutOfMemory(`the guest's initial memory of ${bytes} bytes exceeds the limit of ${limit} bytes`, limit, bytes);
    }

    // 3. store, linker, instance (the start function runs metered, below)
    const limits: Limits = { ...(options.limits ?? {}) };
    if (limit !== undefined) limits.maxMemoryBytes = limit;
    const mo: Parameters<typeof FuelMeter.create>[0] = { timed: this.timed, limits };
    if (options.fuel !== undefined) mo.fuel = options.fuel;
    if (options.fuelSlice !== undefined) mo.fuelSlice = options.fuelSlice;
    if (options.costs) mo.costs = options.costs;
    this.meter = FuelMeter.create(mo);
    this.store = this.meter.store;
    const linker = new Linker();
    this.io.define(linker, this.store);
    this.wasi?.addToLinker(linker, this.store);
    if (wantsChannel) {
      linker.define(
        'env',
        CHANNEL_IMPORT,
        this.store.func(funcType(['i32', 'i32'], []), (caller: Caller, ptr: number, len: number) => {
          const call = CHANNEL_IMPORT;
          const bytes = readBytes(requireMemory(caller.memory(0), call), ptr, len, call);
          if (!this.onSend) throw new GuestAbiError(`${call}: no GuestChannel is attached to this sandbox`, call);
          this.onSend(bytes);
        }, `env.${CHANNEL_IMPORT}`),
      );
    }
    for (const key of granted) {
      const cap = caps[key]!;
      const { module, name } = capabilityImport(key);
      linker.define(module, name, this.capabilityFunc(`${module}.${name}`, cap));
    }
    const startIndex = this.module.data.start;
    const noStart = startIndex === null ? this.module : Module.fromData({ ...this.module.data, start: null }, options.validate);
    try {
      this.instance = linker.instantiate(this.store, noStart);
    } catch (e) {
      if (isMemoryLimit(e)) throw new OutOfMemory(`instantiation: ${errMessage(e)}`, limit, undefined, e);
      if (e instanceof LinkError) throw new InstantiationFailed(`link error: ${e.message}`, e);
      throw new InstantiationFailed(`instantiation failed: ${errMessage(e)}`, e);
    }
    for (const m of this.instance.raw.memories) this.watchGrow(m);
    onInstance?.(this);
    if (startIndex !== null) {
      const f = this.instance.raw.funcs[startIndex]!;
      const deadline = Math.min(timing?.deadline ?? this.callDeadline(), this.fixedDeadline);
      try {
        this.meter.run(() => this.store.invoke(f, []), deadline, this.options.timeoutMs ?? Infinity, timing?.origin);
      } catch (e) {
        const err = toSandboxError(e, 'start function', this.growDenied);
        if (err instanceof ExecutionFailed) throw new InstantiationFailed(err.message.replace(/^start function/, 'the start function'), e);
        throw err;
      }
    }
  }

  private callDeadline(): number {
    const t = this.options.timeoutMs;
    return Math.min(t === undefined ? Infinity : performance.now() + t, this.fixedDeadline);
  }

  private watchGrow(mem: Memory): void {
    const limit = this.options.maxMemoryBytes;
    if (limit === undefined) return;
    const grow = mem.grow.bind(mem);
    const trap = this.options.memoryGrowFailure === 'trap';
    mem.grow = (delta: number): number => {
      const r = grow(delta);
      if (r < 0 && this.store.memoryBytes + delta * mem.pageSize > limit) {
        const requestedBytes = this.store.memoryBytes + delta * mem.pageSize;
        this.growDenied = { requestedBytes, limitBytes: limit };
        if (trap)
          throw new OutOfMemory(
            `memory.grow by ${delta} page(s) refused: ${requestedBytes} bytes requested, limit ${limit}`,
            limit,
            requestedBytes,
          );
      }
      return r;
    };
  }

  private capabilityFunc(call: string, cap: Capability): HostFunc {
    const store = this.store;
    const meter = this.meter;
    return store.func(
      funcType(cap.params, cap.results),
      (caller: Caller, ...args: unknown[]) => {
        const ctx: HostContext = {
          call,
          caller,
          store,
          memory: () => requireMemory(caller.memory(0), call),
          read: (ptr, len) => readBytes(requireMemory(caller.memory(0), call), ptr, len, call),
          readString: (ptr, len) => readUtf8(requireMemory(caller.memory(0), call), ptr, len, call),
          write: (ptr, bytes) => writeBytes(requireMemory(caller.memory(0), call), ptr, bytes, call),
          chargeFuel: (n) => meter.charge(n),
        };
        return cap.fn(ctx, ...args);
      },
      call,
    );
  }

  /**
   * Calls an export with JS values (i64 as bigint) under the sandbox's
   * budget, memory limit and timeout. Failures are SandboxErrors.
   */
  call(name: string, ...args: unknown[]): unknown[] {
    return this.callWithin(name, args, this.callDeadline());
  }

  /** Like call, with an explicit performance.now()-based deadline (and the time its period began). */
  callWithin(name: string, args: readonly unknown[], deadline: number, origin?: number): unknown[] {
    if (this.stopped) throw new ExecutionFailed(`${name}: the sandbox was stopped by an earlier ${this.stopped.kind}`, this.stopped);
    const f = this.instance.getExport(name);
    if (!(f instanceof WasmFunc || f instanceof HostFunc)) throw new ExecutionFailed(`the guest does not export a function '${name}'`);
    if (f.type.params.length !== args.length)
      throw new ExecutionFailed(`${name} takes ${f.type.params.length} argument(s), got ${args.length}`);
    this.growDenied = null;
    try {
      return this.meter.run(() => this.store.invoke(f, args), deadline, this.options.timeoutMs ?? Infinity, origin);
    } catch (e) {
      if (e instanceof WasiExit && this.wasi) throw e; // proc_exit: the end of a WASI run, not a failure
      const err = toSandboxError(e, name, this.growDenied);
      if (err.kind === 'OutOfFuel' || err.kind === 'Timeout') this.stopped = err;
      throw err;
    }
  }

  get fuelConsumed(): number {
    return this.store.fuelConsumed;
  }
  get memoryPeakBytes(): number {
    return this.store.peaks.memoryBytes;
  }
}

export function funcType(params: readonly ValTypeName[], results: readonly ValTypeName[]): FuncType {
  const map = (t: ValTypeName): ValType => {
    const v = VALTYPES[t];
    if (v === undefined) throw new TypeError(`unknown value type '${t}' (expected i32, i64, f32 or f64)`);
    return v;
  };
  return { kind: CompKind.Func, params: params.map(map), results: results.map(map) };
}

function makeWasi(opt: true | SandboxWasiOptions, io: SandboxIo): Wasi {
  if (opt !== true && (typeof opt !== 'object' || opt === null)) throw new TypeError('options.wasi must be true or an object of WASI options');
  const o: WasiOptions = opt === true ? {} : { ...opt };
  for (const k of ['stdout', 'stderr', 'inheritStdio'] as const)
    if (k in o) throw new TypeError(`options.wasi.${k} is not an option in a sandbox: stdout and stderr are captured into the result`);
  return new Wasi({ stdin: io.input, ...o, stdout: io.stdioSink('stdout'), stderr: io.stdioSink('stderr') });
}

/** Instantiates a guest for repeated calls (callJson, GuestChannel, sandbox.call). */
export function createSandbox(src: GuestSource, options: SandboxOptions = {}): Sandbox {
  return new Sandbox(src, options);
}
