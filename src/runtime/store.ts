/**
 * The embedding API's Store (fuel, limits, peaks, profile, the machine that
 * runs calls) and Caller (what a host function receives). Module is in
 * module.ts, Instance in instance.ts.
 */
import { HostError, HostSuspended, Interrupted, LinkError, OutOfFuel, Trap, WasmeterError } from '../core/errors.js';
import { F32, F64, isRef, valTypeName, type FuncType, type ValType } from '../core/types.js';
import { defaultRegistry, type TypeRegistry } from '../validate/types.js';
import type { FuelCosts } from './objects/costs.js';
import { Instance as RawInstance, instantiate } from './objects/instance.js';
import { Tag } from './objects/exception.js';
// (the interpreter before the JS tier: codegen imports exec.ts, whose import cycle through machine.ts and translate.ts
// must start at machine.ts)
import { Machine, STATUS_DONE, STATUS_SUSPENDED, UNMETERED } from '../interp/machine.js';
import { generate } from '../jit/codegen.js';
import { cacheModule, type CodeCache } from '../jit/code-cache.js';
import { jitFor } from '../interp/tier.js';
import { RawF32, RawF64 } from './objects/values.js';
import { Profile, type FunctionProfile } from './objects/profile.js';
import { fromHost, hostRefFits } from './objects/gc.js';
import { Global } from './objects/global.js';
import { Module } from './module.js';
import { Instance } from './instance.js';
import { HostFunc, Suspend, WasmFunc, type FuncInst, type HostFn } from './objects/func.js';
import { Memory } from './objects/memory.js';
import { Table } from './objects/table.js';
import { type Limits, type Peaks } from './objects/limits.js';
import { snapshotCodec, type RestoreOptions, type Restored, type SnapshotOptions } from './snapshot.js';

export interface StoreOptions {
  /** Fuel the store starts with; omit for an unmetered store (fuel is still counted). */
  fuel?: number;
  /**
   * false: do not count fuel at all, for the fastest runs of trusted code (the
   * JS tier generates no fuel code). `fuelConsumed` is then NaN. Cannot be
   * combined with `fuel`, `interrupt` (its checks run on fuel) or `profile`.
   * Default true.
   */
  countFuel?: boolean;
  /** Cost table (docs/fuel.md); every instruction costs 1 by default. */
  costs?: FuelCosts;
  limits?: Limits;
  /** Deadline and AbortSignal checked at run boundaries (see `Store.interrupt`). */
  interrupt?: InterruptOptions;
  /** Per-function fuel accounting (see `Store.profile`); off by default. */
  profile?: boolean;
  /** Type registry for canonical types (defaults to the process-wide one). */
  registry?: TypeRegistry;
  /**
   * Execution tier: 'js' (default) runs functions as generated JavaScript
   * where it can (src/jit; same fuel, results and stops as the
   * interpreter); 'interp' runs everything in the interpreter. Profile mode
   * always interprets.
   */
  tier?: 'interp' | 'js';
  /**
   * A persistent cache of the JS tier's generated functions (src/jit/code-cache.ts): a later process running the
   * same module takes each function's generated source from it instead of generating it again (V8 still compiles
   * it). Synchronous: a Map-like object (`get`, `set`; a browser page can preload one), or `fileCodeCache(dir)` in
   * Node. It never changes what a run does: a missing, stale or damaged entry is a miss. Trusted like wasmtime's
   * cache: whoever can write it can run JavaScript in this process. Default: none.
   */
  codeCache?: CodeCache;
  /**
   * Fuel the store's calls run in the interpreter before the JS tier generates anything (default 0: each function
   * is generated at its first call). A program that finishes within it never pays for generating and compiling
   * JavaScript, nor for the code cache (no translation is looked up or stored while it lasts); one that runs past
   * it is handed over as a long start function is (`START_INTERP_FUEL`): the functions of the frames on the stack
   * are generated and entered at their next loop head, and every later call is generated as usual. Counted over
   * all of the store's calls until the hand-over. Fuel, results and stops are the same either way. Measured: a
   * program handed over in the middle of its run can lose far more than the budget's interpretation (a C program of
   * 10.5 M units of fuel, 10,000 interpreted: +5% of CPU without a code cache, +30% with a warm one; BENCHMARKS.md,
   * CLI start-up, session 22), so `wasmeter run` does not use it. Where that goes: V8 optimizing the interpreter's
   * dispatch loop and the translator (~40 ms and ~30 ms of its compiler thread's CPU), which a run whose code all
   * comes from a warm cache otherwise never makes hot.
   */
  interpretFirst?: number;
}

/**
 * When to stop a running call and throw `Interrupted` (resumable). Both are
 * checked at run boundaries: every `checkEvery` units of fuel (and before a
 * call starts or resumes), so the check costs nothing per instruction.
 */
export interface InterruptOptions {
  /** A time (ms since the epoch, as `Date.now()`) after which calls stop. */
  deadline?: number;
  /** Calls stop once this signal is aborted. */
  signal?: AbortSignal;
  /** Fuel between checks (default 1,000,000). */
  checkEvery?: number;
}

/** What a call's next step runs: its start, the machine's resume, or the resume of a suspended host call with its results. */
export type Continuation = { k: 'start' } | { k: 'resume' } | { k: 'host'; results: unknown };

/** A call of the store (while it runs, and once it stopped resumably: what its resume() needs). */
export interface StoppedCall {
  /** The function the embedder called, its arguments and results at word `at`. */
  readonly func: WasmFunc;
  readonly at: number;
  readonly entryDepth: number;
  /** The machine's first free word when the call began. */
  readonly sp: number;
  readonly profMark: number;
  /** Results as RawF32/RawF64. */
  readonly raw: boolean;
  /** The instance whose start function this is (its resume() gives back the Instance), or null. */
  readonly startOf: RawInstance | null;
  /** How it stopped, and what resuming runs. */
  stop: { kind: 'fuel' | 'interrupt' | 'host'; reason: 'deadline' | 'aborted' | undefined; next: Continuation };
  token: number;
  /** Whether its fuel stops are returned as a FuelStop instead of thrown (Store.invokeOrStop). */
  readonly quiet: boolean;
}

/**
 * @internal An OutOfFuel stop returned instead of thrown (Store.invokeOrStop): the same figures, and resume(), which
 * gives the call's results or its next FuelStop. Constructing an Error and throwing it costs several microseconds
 * in Node (the stack trace it captures for uncaught exceptions, the unwinding), most of a stop's cost when a call
 * stops at every instruction, as the spec suite's starved runs do.
 */
export class FuelStop {
  constructor(
    readonly consumed: number,
    readonly remaining: number,
    readonly needed: number,
    private readonly resumer: () => unknown[] | FuelStop,
  ) {}
  resume(): unknown[] | FuelStop {
    return this.resumer();
  }
}

/** What src/runtime/snapshot.ts reads and sets in a store. */
export interface StoreAccess {
  readonly instances: readonly RawInstance[];
  readonly modules: readonly Module[];
  readonly profile: Profile | null;
  readonly stopped: StoppedCall | null;
  readonly running: boolean;
  /** How a nested call's stop that crossed a host function (and was lost) stopped, or null. */
  readonly lostStop: 'fuel' | 'interrupt' | 'host' | null;
  fuel(): { added: number; reserve: number };
  setFuel(added: number, reserve: number, machine: number): void;
  adopt(raw: RawInstance, module: Module): void;
  /** Makes `call` the store's stopped call; returns its resumable error. */
  resumeStopped(call: StoppedCall): WasmeterError;
}

/** Whether a call finished, stopped for fuel, or was suspended by a host function. */
interface Stop {
  readonly done: boolean;
  readonly kind: 'fuel' | 'interrupt' | 'host';
  readonly reason: 'deadline' | 'aborted' | undefined;
  readonly notStarted: boolean;
}
/**
 * The stops drive() returns without a reason, made once: a starved run (test/spec, every action at 0 fuel) stops
 * millions of times, and one shape for every Stop keeps the code that reads them monomorphic.
 */
const DONE: Stop = { done: true, kind: 'fuel', reason: undefined, notStarted: false };
const OUT_OF_FUEL: Stop = { done: false, kind: 'fuel', reason: undefined, notStarted: false };
const HOST: Stop = { done: false, kind: 'host', reason: undefined, notStarted: false };
const START: Continuation = { k: 'start' };
const RESUME: Continuation = { k: 'resume' };
/**
 * A new call's `stop` (before it has stopped): one object for every call, since a call's stop is replaced when it
 * stops, never changed in place (one object less per call; BENCHMARKS.md, session 18, helper heap14).
 */
/** @internal Exported for a test (test/unit/stops.test.ts): no stop changes it. */
export const NOT_STOPPED: StoppedCall['stop'] = { kind: 'fuel', reason: undefined, next: START };

export class Store {
  readonly machine: Machine;
  readonly limits: Limits;
  readonly peaks: Peaks = { memoryBytes: 0, valueStackBytes: 0, callDepth: 0, tableElements: 0 };
  /** Bytes held by all memories of this store (ResourceHost). */
  memoryBytes = 0;
  readonly metered: boolean;
  readonly registry: TypeRegistry;
  /** Whether this store counts fuel (StoreOptions.countFuel). */
  readonly countsFuel: boolean;
  private interruptOpts: InterruptOptions | null = null;
  private fuelAdded: number;
  /** Fuel held back from the machine while a call runs in slices (interrupt checks). */
  private reserve = 0;
  private suspended = false;
  /** Changes whenever a stopped call is abandoned or unwound: stale resume() calls are refused. */
  private token = 0;
  /** The stopped call (while suspended). */
  private stopped: StoppedCall | null = null;
  /** Calls running (a host function inside one may not snapshot the store). */
  private running = 0;
  /**
   * How a call made from inside a host function (a nested call) stopped, when
   * that stop crossed the host function and was lost with its frames (until
   * the next call or abandon()): a snapshot now would silently hold no call.
   */
  private lostStop: 'fuel' | 'interrupt' | 'host' | null = null;
  /** Every instance made in this store, in order, and its module. */
  private readonly instances: RawInstance[] = [];
  private readonly modules: Module[] = [];
  private readonly prof: Profile | null;
  /** What is left of StoreOptions.interpretFirst (0 once the JS tier took over). */
  private interpLeft: number;
  /** The fuel the deferral of the running call ends at (`drive`'s first slice): START_INTERP_FUEL or interpLeft. */
  private deferFuel = START_INTERP_FUEL;

  constructor(options: StoreOptions = {}) {
    this.limits = options.limits ?? {};
    this.metered = options.fuel !== undefined;
    this.countsFuel = options.countFuel ?? true;
    if (!this.countsFuel && (this.metered || options.profile)) {
      throw new TypeError(`countFuel: false cannot be combined with ${this.metered ? 'a fuel budget' : 'profile'}`);
    }
    const fuel = options.fuel ?? UNMETERED;
    if (!(fuel >= 0) || !Number.isSafeInteger(fuel)) throw new RangeError('fuel must be a non-negative safe integer');
    this.fuelAdded = fuel;
    this.registry = options.registry ?? defaultRegistry;
    this.interrupt = options.interrupt ?? null;
    // the machine holds at most a slice; the rest is the reserve (MAX_SLICE)
    this.machine = new Machine(Math.min(fuel, MAX_SLICE), options.costs, this.limits, this.peaks);
    this.reserve = fuel - this.machine.fuel;
    this.syncBase();
    const reg = this.registry;
    this.machine.typeMatches = (a, e) => a === e || reg.matchFunc(a, e);
    this.machine.makeCaller = (mc, inst) => new Caller(this, inst);
    this.prof = options.profile ? new Profile(functionName) : null;
    this.machine.profile = this.prof;
    this.machine.jitOn = (options.tier ?? 'js') === 'js' && this.prof === null;
    this.machine.tier = this.machine.jitOn ? generate : null;
    this.machine.counting = this.countsFuel;
    const cache = options.codeCache;
    if (cache !== undefined && (cache === null || typeof cache.get !== 'function' || typeof cache.set !== 'function'))
      throw new TypeError('codeCache must have get and set methods');
    this.machine.codeCache = cache ?? null;
    const first = options.interpretFirst ?? 0;
    if (!(first >= 0) || !Number.isSafeInteger(first)) throw new RangeError('interpretFirst must be a non-negative safe integer');
    this.interpLeft = first;
  }

  /**
   * Deadline / AbortSignal for running calls; may be changed between calls or
   * before a resume. Not available on a store that does not count fuel (a
   * TypeError): the checks run every `checkEvery` units of fuel.
   */
  get interrupt(): InterruptOptions | null {
    return this.interruptOpts;
  }
  set interrupt(it: InterruptOptions | null) {
    if (it !== null && !this.countsFuel) throw new TypeError('interrupts need a store that counts fuel (countFuel: false)');
    this.interruptOpts = it;
  }

  /** Fuel left (Infinity for an unmetered store). */
  get fuelRemaining(): number {
    return this.metered ? this.machine.fuel + this.reserve : Infinity;
  }
  /** Fuel consumed by everything this store ran (NaN when it does not count fuel). */
  get fuelConsumed(): number {
    if (!this.countsFuel) return NaN;
    return this.fuelAdded - this.machine.fuel - this.reserve;
  }
  addFuel(n: number): void {
    if (!(n >= 0) || !Number.isSafeInteger(n)) throw new RangeError('fuel must be a non-negative safe integer');
    // (to the reserve: the machine gets it when its slice ends, or when the next call or resume starts)
    this.reserve += n;
    this.fuelAdded += n;
    this.syncBase();
  }
  /** Consumes fuel on behalf of a host function; false (nothing consumed) when there is not enough. */
  consumeFuel(n: number): boolean {
    if (!(n >= 0)) throw new RangeError('fuel must be non-negative');
    const mc = this.machine;
    if (mc.fuel + this.reserve < n) return false;
    const fromMachine = Math.min(n, mc.fuel);
    mc.fuel -= fromMachine;
    this.reserve -= n - fromMachine;
    this.syncBase();
    return true;
  }

  /** Per-function fuel (self and total), largest total first; null when the store was made without `profile: true`. */
  profile(): FunctionProfile[] | null {
    return this.prof ? this.prof.report() : null;
  }

  /** Whether a call of this store stopped resumably (OutOfFuel, Interrupted, HostSuspended) and waits. */
  get isSuspended(): boolean {
    return this.suspended;
  }

  /**
   * Where the stopped call waits (null when none): the wasm function and the byte offset, in its
   * module's binary, of the instruction it continues with (for OutOfFuel: the one that needs the fuel).
   */
  get stoppedAt(): { func: WasmFunc; offset: number } | null {
    const c = this.suspended ? this.machine.comp : undefined;
    return c ? { func: c.func, offset: c.origAt[this.machine.pc]! } : null;
  }

  /**
   * Gives up a stopped call: its frames are dropped and the store can run
   * other calls. The stopped call's resume() then throws.
   */
  abandon(): void {
    this.lostStop = null;
    if (!this.suspended) return;
    this.suspended = false;
    this.token++;
    const a = this.stopped;
    if (a) this.unwind(a.entryDepth, a.sp, a.profMark);
    this.stopped = null;
  }

  /**
   * The whole store as bytes (docs/snapshots.md): instances and their links,
   * memories, tables, globals, GC objects, fuel, limits, peaks, the profile,
   * and a stopped call's frames. Not while a call runs (from a host function:
   * suspend first). `Store.restore` makes a store that behaves exactly like
   * this one from here on.
   */
  snapshot(options: SnapshotOptions = {}): Uint8Array {
    return snapshotCodec().write(this, options);
  }

  /** A new store from `store.snapshot()` bytes; a bad snapshot is a SnapshotError and nothing is made. */
  static restore(bytes: Uint8Array, options: RestoreOptions = {}): Restored {
    return snapshotCodec().read(bytes, options);
  }

  /**
   * An independent copy of this store (and of its stopped call) in this
   * process: `Store.restore(store.snapshot(), options)`.
   */
  fork(options: RestoreOptions & { host?: unknown } = {}): Restored {
    const { host, ...restore } = options;
    return Store.restore(this.snapshot({ host, includeModules: false }), {
      ...restore,
      modules: restore.modules ?? this.modules,
      // (the shared modules' types live in this store's registry)
      store: { registry: this.registry, ...restore.store },
    });
  }

  /** A host function usable as an import (params/results as value types). */
  func(type: FuncType, fn: HostFn, name = 'host'): HostFunc {
    const id = this.registry.canonTypes([{ final: true, supers: [], comp: type, recStart: 0, recSize: 1 }])[0]!;
    return new HostFunc(type, id, fn, name);
  }

  /**
   * A new exception tag (`type.results` must be empty): to import into
   * modules, and for host functions that throw `WasmException`s wasm can catch.
   */
  tag(type: FuncType): Tag {
    if (type.results.length !== 0) throw new LinkError('a tag type has no results');
    const id = this.registry.canonTypes([{ final: true, supers: [], comp: type, recStart: 0, recSize: 1 }])[0]!;
    return new Tag(type, id);
  }

  instantiate(module: Module, imports: unknown[]): Instance {
    if (this.machine.codeCache !== null) cacheModule(module.validated, () => module.bytes);
    const raw = instantiate(module.validated, imports, {
      host: this,
      // a start function that stops resumably: resuming it finishes the instantiation (see step)
      invoke: (f, args, made) => {
        this.adopt(made, module);
        return this.call(f, args, false, made) as unknown[];
      },
    });
    this.adopt(raw, module);
    return new Instance(this, raw);
  }

  /** Records an instance of this store (snapshots hold every instance, in order). */
  private adopt(raw: RawInstance, module: Module): void {
    if (this.machine.codeCache !== null) cacheModule(module.validated, () => module.bytes);
    if (this.instances.includes(raw)) return;
    this.instances.push(raw);
    this.modules.push(module);
  }

  /**
   * Calls a function with JS values (i32/f32/f64: number, i64: bigint,
   * v128: 16-byte Uint8Array, references: the reference or null; raw float
   * bits with RawF32/RawF64). Returns the results as an array.
   * Throws Trap, OutOfFuel (resumable), HostError, ...
   */
  invoke(f: FuncInst, args: readonly unknown[], raw = false): unknown[] {
    return this.call(f, args, raw, null, false) as unknown[];
  }

  /**
   * @internal invoke() whose OutOfFuel stops are returned as a FuelStop (resume() likewise) instead of thrown; the
   * store is suspended as after an OutOfFuel. Only the stops of this call itself: a stop of a nested call (from a
   * host function), an interrupt and a host suspension are thrown as invoke() throws them. For runs that stop at
   * every instruction (the spec suite's starved runs, tests comparing the tiers' stops).
   */
  invokeOrStop(f: FuncInst, args: readonly unknown[], raw = false): unknown[] | FuelStop {
    return this.call(f, args, raw, null, true);
  }

  private call(f: FuncInst, args: readonly unknown[], raw: boolean, startOf: RawInstance | null, quiet = false): unknown[] | FuelStop {
    const type = f.type;
    if (args.length !== type.params.length) {
      throw new LinkError(`expected ${type.params.length} arguments, got ${args.length}`);
    }
    if (f instanceof HostFunc) {
      const r = f.fn(new Caller(this, null), ...args);
      return type.results.length === 0 ? [] : type.results.length === 1 ? [r] : (r as unknown[]);
    }
    if (this.suspended) throw new WasmeterError('a call of this store is suspended: resume it first');
    if (this.running === 0) this.lostStop = null;
    const vm = (f.instance as RawInstance).vm;
    for (let i = 0; i < args.length; i++) {
      const t = type.params[i]!;
      if (isRef(t) && !hostRefFits(vm.registry, vm.canon, t, fromHost(t, args[i]))) {
        throw new TypeError(`argument ${i} is not a value of type ${valTypeName(t)}`);
      }
    }
    const mc = this.machine;
    const at = mc.sp;
    const need = at + Math.max(type.params.length, type.results.length) * 4 + 4;
    if (need > mc.s.length) mc.growStack(need);
    for (let i = 0; i < args.length; i++) mc.writeValue(type.params[i]!, at + i * 4, args[i]);
    const call: StoppedCall = {
      func: f as WasmFunc,
      at,
      entryDepth: mc.depth,
      sp: mc.sp,
      profMark: this.prof ? this.prof.depth : 0,
      raw,
      startOf,
      stop: NOT_STOPPED,
      token: 0,
      quiet,
    };
    if ((startOf === null && this.interpLeft === 0) || !mc.jitOn || mc.deferJit) return this.step(call, START);
    // a start function runs in the interpreter until it has used START_INTERP_FUEL (drive): its code mostly runs once;
    // any call, while the store's interpretFirst lasts
    mc.deferJit = true;
    const fromBudget = startOf === null || this.interpLeft > START_INTERP_FUEL;
    this.deferFuel = fromBudget ? this.interpLeft : START_INTERP_FUEL;
    const before = this.fuelAdded - mc.fuel - this.reserve;
    try {
      return this.step(call, START);
    } finally {
      // (still deferred: the call ended within the budget, which keeps what it did not use)
      if (mc.deferJit && fromBudget) this.interpLeft = Math.max(0, this.interpLeft - (this.fuelAdded - mc.fuel - this.reserve - before));
      mc.deferJit = false;
    }
  }

  /** Runs one step of a call (start, resume after fuel, resume after a host suspension) until it finishes or stops. */
  private step(call: StoppedCall, next: Continuation): unknown[] | FuelStop {
    const mc = this.machine;
    const { entryDepth } = call;
    let stop: Stop;
    try {
      this.running++;
      stop = this.drive(call, next, entryDepth);
    } catch (e) {
      this.endSlices();
      this.unwind(entryDepth, call.sp, call.profMark);
      // a nested call that stopped inside a host function is gone with these frames
      if (this.suspended) {
        this.lostStop = this.stopped?.stop.kind ?? 'fuel';
        this.suspended = false;
        this.token++;
        this.stopped = null;
      }
      throw e;
    } finally {
      this.running--;
    }
    // a nested call stopped and the host function that made it went on without resuming it: its frames are gone
    // (the embedder's call went on too, so no stop of it is lost)
    if (this.suspended && this.stopped !== call) {
      this.suspended = false;
      this.token++;
      this.stopped = null;
    }
    if (stop.done) {
      mc.sp = call.sp;
      // (a start function's resume finishes the instantiation: it gives the Instance)
      return call.startOf ? [new Instance(this, call.startOf)] : this.results(call.func.type, call.at, call.raw);
    }
    call.stop = { kind: stop.kind, reason: stop.reason, next: stop.notStarted ? next : RESUME };
    // (the outermost call only: a nested call's stop unwinds the host function that made it)
    if (call.quiet && stop.kind === 'fuel' && this.running === 0) return this.hold(call);
    return this.park(call);
  }

  /** Makes `call` the store's stopped call, as park() does, and returns its stop instead of throwing it. */
  private hold(call: StoppedCall): FuelStop {
    this.lostStop = null;
    this.suspended = true;
    this.stopped = call;
    call.token = ++this.token;
    const mc = this.machine;
    return new FuelStop(this.fuelConsumed, mc.fuel + this.reserve, mc.needed, () => {
      this.take(call);
      return this.step(call, call.stop.next);
    });
  }

  /** Ends the store's suspension for resuming `call`; throws when the call was abandoned or already resumed. */
  private take(call: StoppedCall): void {
    if (!this.suspended || this.token !== call.token) throw new WasmeterError('this call was abandoned or already resumed');
    this.suspended = false;
    this.stopped = null;
  }

  /** Makes `call` the store's stopped call and throws its resumable stop. */
  private park(call: StoppedCall): never {
    this.lostStop = null;
    this.suspended = true;
    this.stopped = call;
    call.token = ++this.token;
    throw this.stopError(call);
  }

  /** The resumable error of a stopped call: its resume() runs the call's next step. */
  private stopError(call: StoppedCall): WasmeterError {
    const mc = this.machine;
    // (a FuelStop only for a call of invokeOrStop, whose caller expects one)
    const again = (): unknown[] => {
      this.take(call);
      return this.step(call, call.stop.next) as unknown[];
    };
    const { kind, reason } = call.stop;
    let e: WasmeterError;
    if (kind === 'fuel') e = quiet(() => new OutOfFuel(this.fuelConsumed, mc.fuel + this.reserve, mc.needed, again));
    else if (kind === 'interrupt') e = quiet(() => new Interrupted(reason!, this.fuelConsumed, again));
    else {
      const p = mc.pendingHost!;
      e = quiet(
        () =>
          new HostSuspended(p.f.name, p.payload, (results) => {
            this.take(call);
            const r = p.f.type.results.length === 1 ? results[0] : results;
            return this.step(call, { k: 'host', results: r }) as unknown[];
          }),
      );
    }
    return e;
  }

  /** @internal The store's side of snapshots (src/runtime/snapshot.ts). */
  snapshotAccess(): StoreAccess {
    return {
      instances: this.instances,
      modules: this.modules,
      profile: this.prof,
      stopped: this.suspended ? this.stopped : null,
      running: this.running > 0,
      lostStop: this.lostStop,
      fuel: () => ({ added: this.fuelAdded, reserve: this.reserve }),
      setFuel: (added, reserve, machine) => {
        this.fuelAdded = added;
        this.reserve = reserve;
        this.machine.fuel = machine;
        this.syncBase();
      },
      adopt: (raw, module) => this.adopt(raw, module),
      resumeStopped: (call) => {
        try {
          return this.park(call);
        } catch (e) {
          return e as WasmeterError;
        }
      },
    };
  }

  /**
   * Runs `next` of `call` until the call finishes or stops. The machine gets its fuel in
   * slices (of `checkEvery` with interrupts configured, between which the
   * deadline and signal are checked; else of MAX_SLICE).
   */
  private drive(call: StoppedCall, next: Continuation, entryDepth: number): Stop {
    const mc = this.machine;
    const it = this.interrupt;
    if (it) {
      const why = interruptReason(it);
      // stopped before `next` ran: resuming runs it
      if (why) return { done: false, kind: 'interrupt', reason: why, notStarted: true };
    }
    const slice = it ? sliceOf(it) : MAX_SLICE;
    this.startSlices(mc.deferJit ? Math.min(slice, this.deferFuel) : slice);
    // (what `next` runs, written here rather than as a closure passed in: one closure per call less)
    let status = next.k === 'start' ? mc.start(call.func, call.at) : next.k === 'resume' ? mc.resume(entryDepth) : mc.resumeHost(next.results, entryDepth);
    for (;;) {
      if (status === STATUS_DONE) {
        this.endSlices();
        return DONE;
      }
      if (status === STATUS_SUSPENDED) {
        this.endSlices();
        return HOST;
      }
      // out of fuel: the end of a slice, or of all the fuel
      if (this.reserve === 0 || mc.fuel + this.reserve < mc.needed) {
        this.endSlices();
        return OUT_OF_FUEL;
      }
      if (mc.deferJit) this.endDeferral();
      const why = it ? interruptReason(it) : null;
      if (why) {
        this.endSlices();
        return { done: false, kind: 'interrupt', reason: why, notStarted: false };
      }
      const give = Math.min(this.reserve, Math.max(slice, mc.needed));
      mc.fuel += give;
      this.reserve -= give;
      this.syncBase();
      status = mc.resume(entryDepth);
    }
  }

  /**
   * A start function has run START_INTERP_FUEL in the interpreter, or a call the rest of interpretFirst: the JS tier
   * takes over. The functions of the frames on the stack are generated now, so that the interpreter enters their JS
   * versions at their next loop head (their re-entry marks), and every function called from here on is generated at
   * its call as usual.
   */
  private endDeferral(): void {
    const mc = this.machine;
    mc.deferJit = false;
    this.interpLeft = 0;
    for (let d = 0; d <= mc.depth; d++) {
      const c = d === mc.depth ? mc.comp : mc.fComp[d];
      if (c !== undefined && c.func.jitState === 0) jitFor(mc, c.func);
    }
  }

  private startSlices(slice: number): void {
    const mc = this.machine;
    const total = mc.fuel + this.reserve;
    mc.fuel = Math.min(total, slice);
    this.reserve = total - mc.fuel;
    this.syncBase();
  }

  private endSlices(): void {
    this.startSlices(MAX_SLICE);
  }

  /** Keeps the machine's fuel-consumed clock (fuelBase - fuel) in step with addFuel and slices. */
  private syncBase(): void {
    this.machine.fuelBase = this.fuelAdded - this.reserve;
  }

  private unwind(entryDepth: number, sp: number, profMark: number): void {
    const mc = this.machine;
    mc.depth = entryDepth;
    mc.sp = sp;
    mc.pendingHost = null;
    if (this.prof) this.prof.unwindTo(profMark, mc.fuelBase - mc.fuel);
  }

  private results(type: FuncType, at: number, raw: boolean): unknown[] {
    const n = type.results.length;
    // (one result, the commonest: an array of one element, where a push into [] allocated room for 17)
    if (n === 1) return [this.result(type.results[0]!, at, raw)];
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) out.push(this.result(type.results[i]!, at + i * 4, raw));
    return out;
  }
  private result(t: ValType, w: number, raw: boolean): unknown {
    const mc = this.machine;
    if (raw && t === F32) return new RawF32(mc.s[w]!);
    if (raw && t === F64) return new RawF64(mc.s[w]!, mc.s[w + 1]!);
    return mc.readValue(t, w);
  }
}

/** What a host function receives: the calling instance's memory and exports, and the store's fuel. */
export class Caller {
  constructor(
    readonly store: Store,
    private readonly raw: RawInstance | null,
  ) {}
  /** The calling instance (null when the embedder called the host function directly). */
  get instance(): Instance | null {
    return this.raw ? new Instance(this.store, this.raw) : null;
  }
  /** The caller's memory `index` (default 0), or null. */
  memory(index = 0): Memory | null {
    return this.raw?.memories[index] ?? null;
  }
  /** The caller's memory 0; HostError when the caller has none. */
  private mem(): Memory {
    const m = this.raw?.memories[0];
    if (!m) throw new HostError('the calling instance has no memory');
    return m;
  }
  /**
   * Typed access to the caller's memory 0, bounds-checked: a range outside
   * the memory traps with "out of bounds memory access" (see Memory for the
   * full set, e.g. `caller.memory()!.readF64(ptr)`).
   */
  read(ptr: number, len: number): Uint8Array {
    return this.mem().read(ptr, len);
  }
  write(ptr: number, bytes: Uint8Array): void {
    this.mem().write(ptr, bytes);
  }
  readString(ptr: number, len: number): string {
    return this.mem().readString(ptr, len);
  }
  /** Writes UTF-8; returns the number of bytes written. */
  writeString(ptr: number, text: string): number {
    return this.mem().writeString(ptr, text);
  }
  readI32(ptr: number): number {
    return this.mem().readI32(ptr);
  }
  readU32(ptr: number): number {
    return this.mem().readU32(ptr);
  }
  readI64(ptr: number): bigint {
    return this.mem().readI64(ptr);
  }
  writeI32(ptr: number, v: number): void {
    this.mem().writeI32(ptr, v);
  }
  writeI64(ptr: number, v: bigint): void {
    this.mem().writeI64(ptr, v);
  }
  get fuel(): number {
    return this.store.fuelRemaining;
  }
  /**
   * Suspends the running call: a host function returns `caller.suspend(payload)`
   * and the embedder's call throws HostSuspended, whose `resume(...results)`
   * supplies this host function's results and continues.
   */
  suspend(payload?: unknown): Suspend {
    if (this.raw === null) throw new WasmeterError('only a host function called from wasm can suspend');
    return new Suspend(payload);
  }
  /** Charges fuel on behalf of the host; traps with "out of fuel" when the store cannot pay it. */
  consumeFuel(n: number): void {
    if (!this.store.consumeFuel(n)) throw new Trap('out of fuel');
  }
}

/**
 * Makes a resumable stop without capturing a JS stack trace: stops are
 * control flow (a starved run stops at every instruction), and their stack
 * would only show the embedder's call site.
 */
function quiet<T>(make: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function interruptReason(it: InterruptOptions): 'deadline' | 'aborted' | null {
  if (it.signal?.aborted) return 'aborted';
  if (it.deadline !== undefined && Date.now() >= it.deadline) return 'deadline';
  return null;
}

/**
 * The largest slice of fuel the machine holds while a call runs (the rest is
 * the store's reserve, handed over when a slice ends). Keeping the running
 * counter within V8's small integers makes fuel arithmetic integer arithmetic
 * in optimised code: with a budget such as 2^53 it is floating point, whose
 * latency a tight loop pays on every iteration (docs/architecture.md).
 */
const MAX_SLICE = 2 ** 29;
/**
 * The fuel a start function runs in the interpreter before the JS tier takes over (`Machine.deferJit`): a start
 * function's code mostly runs once, and interpreting a few thousand instructions costs far less than generating
 * and compiling JS for each function it calls (@chainsafe/as-sha256's start: 23,754 units of fuel, 14 functions).
 * About 5-20 ms of the interpreter; a start function that runs longer pays at most that. With interrupts configured
 * the deferral ends at the first slice's end when that comes sooner (`drive`).
 */
export const START_INTERP_FUEL = 1_000_000;

function sliceOf(it: InterruptOptions): number {
  const n = it.checkEvery ?? 1_000_000;
  return n >= 1 ? Math.min(Math.floor(n), MAX_SLICE) : 1;
}

/** A function's name for profiles: its name-section or export name, else func[index]. */
function functionName(f: FuncInst): string {
  if (f instanceof HostFunc) return f.name;
  const inst = f.instance as RawInstance;
  const named = inst.vm.module.names?.functions?.get(f.index);
  if (named !== undefined) return named;
  for (const [name, e] of inst.exports) if (e === f) return name;
  return `func[${f.index}]`;
}

export { Global, HostFunc, Memory, Table, Tag, WasmFunc, RawF32, RawF64 };
export type { ValType };
