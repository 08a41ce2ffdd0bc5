/**
 * The embedding API's core: Module (decoded + validated), Store (fuel,
 * limits, peaks, the machine), and Instance (typed access to exports).
 */
import { LinkError, OutOfFuel, Trap, WasmeterError } from '../core/errors.js';
import type { Module as ModuleData } from '../core/module.js';
import { CompKind, F32, F64, I32, I64, V128, type FuncType, type ValType } from '../core/types.js';
import { decodeModule } from '../decoder/decode.js';
import { watToBinary } from '../text/wat.js';
import { defaultRegistry, type TypeRegistry } from '../validate/types.js';
import { validateModule, type ValidateOptions, type ValidatedModule } from '../validate/module.js';
import type { FuelCosts } from './fuel.js';
import { Instance as RawInstance, Tag, instantiate, type Extern } from './instance.js';
import { Machine, RawF32, RawF64, STATUS_DONE, UNMETERED } from './machine.js';
import * as I64N from './numeric/i64.js';
import { Global, HostFunc, Memory, Table, WasmFunc, type FuncInst, type HostFn, type Limits, type Peaks } from './runtime.js';

/** Options of Module.fromBinary / Module.fromWat: the validator's, plus the decoder's custom page size switch. */
export interface ModuleOptions extends ValidateOptions {
  /**
   * Accept the custom-page-sizes limits flag while decoding (default: true
   * unless `features['custom-page-sizes']` is false); false makes the flag
   * malformed, as in the core spec.
   */
  customPageSizes?: boolean;
}

/** A decoded and validated module, ready to instantiate any number of times. */
export class Module {
  private constructor(
    readonly data: ModuleData,
    readonly validated: ValidatedModule,
  ) {}

  /** Decodes and validates a binary module (throws DecodeError / ValidationError). */
  static fromBinary(bytes: Uint8Array, options?: ModuleOptions): Module {
    const data = decodeModule(
      bytes,
      options === undefined ? {} : { features: options.features, customPageSizes: options.customPageSizes },
    );
    return new Module(data, validateModule(data, options));
  }
  /**
   * Parses a module in the text format, encodes it and decodes + validates the
   * binary, like fromBinary (throws TextError / DecodeError / ValidationError).
   */
  static fromWat(source: string | Uint8Array, options?: ModuleOptions): Module {
    return Module.fromBinary(watToBinary(source), options);
  }
  /** Validates an already decoded module. */
  static fromData(data: ModuleData, options?: ValidateOptions): Module {
    return new Module(data, validateModule(data, options));
  }

  get imports(): { module: string; name: string; kind: string }[] {
    return this.data.imports.map((i) => ({ module: i.module, name: i.name, kind: i.desc.kind }));
  }
  get exports(): { name: string; kind: string }[] {
    return this.data.exports.map((e) => ({ name: e.name, kind: e.kind }));
  }
}

export interface StoreOptions {
  /** Fuel the store starts with; omit for an unmetered store (fuel is still counted). */
  fuel?: number;
  /** Cost table (docs/fuel.md); every instruction costs 1 by default. */
  costs?: FuelCosts;
  limits?: Limits;
  /** Type registry for canonical types (defaults to the process-wide one). */
  registry?: TypeRegistry;
}

export class Store {
  readonly machine: Machine;
  readonly limits: Limits;
  readonly peaks: Peaks = { memoryBytes: 0, valueStackBytes: 0, callDepth: 0, tableElements: 0 };
  /** Bytes held by all memories of this store (ResourceHost). */
  memoryBytes = 0;
  readonly metered: boolean;
  readonly registry: TypeRegistry;
  private fuelAdded: number;
  private suspended = false;

  constructor(options: StoreOptions = {}) {
    this.limits = options.limits ?? {};
    this.metered = options.fuel !== undefined;
    const fuel = options.fuel ?? UNMETERED;
    if (!(fuel >= 0) || !Number.isSafeInteger(fuel)) throw new RangeError('fuel must be a non-negative safe integer');
    this.fuelAdded = fuel;
    this.registry = options.registry ?? defaultRegistry;
    this.machine = new Machine(fuel, options.costs, this.limits, this.peaks);
    const reg = this.registry;
    this.machine.typeMatches = (a, e) => a === e || reg.matchFunc(a, e);
    this.machine.makeCaller = (mc, inst) => new Caller(this, inst);
  }

  /** Fuel left (Infinity for an unmetered store). */
  get fuelRemaining(): number {
    return this.metered ? this.machine.fuel : Infinity;
  }
  /** Fuel consumed by everything this store ran. */
  get fuelConsumed(): number {
    return this.fuelAdded - this.machine.fuel;
  }
  addFuel(n: number): void {
    if (!(n >= 0) || !Number.isSafeInteger(n)) throw new RangeError('fuel must be a non-negative safe integer');
    this.machine.fuel += n;
    this.fuelAdded += n;
  }
  /** Consumes fuel on behalf of a host function; false (nothing consumed) when there is not enough. */
  consumeFuel(n: number): boolean {
    if (this.machine.fuel < n) return false;
    this.machine.fuel -= n;
    return true;
  }

  /** A host function usable as an import (params/results as value types). */
  func(type: FuncType, fn: HostFn, name = 'host'): HostFunc {
    const id = this.registry.canonTypes([{ final: true, supers: [], comp: type, recStart: 0, recSize: 1 }])[0]!;
    return new HostFunc(type, id, fn, name);
  }

  instantiate(module: Module, imports: unknown[]): Instance {
    const raw = instantiate(module.validated, imports, {
      host: this,
      invoke: (f, args) => this.invoke(f, args),
    });
    return new Instance(this, raw);
  }

  /**
   * Calls a function with JS values (i32/f32/f64: number, i64: bigint,
   * v128: 16-byte Uint8Array, references: the reference or null; raw float
   * bits with RawF32/RawF64). Returns the results as an array.
   * Throws Trap, OutOfFuel (resumable), HostError, ...
   */
  invoke(f: FuncInst, args: readonly unknown[], raw = false): unknown[] {
    const type = f.type;
    if (args.length !== type.params.length) {
      throw new LinkError(`expected ${type.params.length} arguments, got ${args.length}`);
    }
    if (f instanceof HostFunc) {
      const r = f.fn(new Caller(this, null), ...args);
      return type.results.length === 0 ? [] : type.results.length === 1 ? [r] : (r as unknown[]);
    }
    if (this.suspended) throw new WasmeterError('a call of this store is suspended (out of fuel): resume it first');
    const mc = this.machine;
    const at = mc.sp;
    const need = at + Math.max(type.params.length, type.results.length) * 4 + 4;
    if (need > mc.s.length) mc.growStack(need);
    for (let i = 0; i < args.length; i++) mc.writeValue(type.params[i]!, at + i * 4, args[i]);
    const entryDepth = mc.depth;
    const savedSp = mc.sp;
    const finish = (status: number): unknown[] => {
      if (status !== STATUS_DONE) {
        this.suspended = true;
        throw new OutOfFuel(this.fuelConsumed, mc.fuel, mc.needed, () => {
          this.suspended = false;
          return finish(this.resumeRun(entryDepth));
        });
      }
      mc.sp = savedSp;
      return this.results(type, at, raw);
    };
    let status: number;
    try {
      status = mc.start(f as WasmFunc, at);
    } catch (e) {
      this.unwind(entryDepth, savedSp);
      throw e;
    }
    return finish(status);
  }

  private resumeRun(entryDepth: number): number {
    try {
      return this.machine.resume(entryDepth);
    } catch (e) {
      this.unwind(entryDepth, this.machine.sp);
      throw e;
    }
  }

  private unwind(entryDepth: number, sp: number): void {
    this.machine.depth = entryDepth;
    this.machine.sp = sp;
  }

  private results(type: FuncType, at: number, raw: boolean): unknown[] {
    const mc = this.machine;
    const out: unknown[] = [];
    for (let i = 0; i < type.results.length; i++) {
      const t = type.results[i]!;
      const w = at + i * 4;
      if (raw && t === F32) out.push(new RawF32(mc.s[w]!));
      else if (raw && t === F64) out.push(new RawF64(mc.s[w]!, mc.s[w + 1]!));
      else out.push(mc.readValue(t, w));
    }
    return out;
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
  get fuel(): number {
    return this.store.fuelRemaining;
  }
  /** Charges fuel on behalf of the host; throws OutOfFuel-free Trap when it cannot be paid. */
  consumeFuel(n: number): void {
    if (!this.store.consumeFuel(n)) throw new Trap('out of fuel');
  }
}

/** An instance, with typed access to its exports. */
export class Instance {
  constructor(
    readonly store: Store,
    readonly raw: RawInstance,
  ) {}

  /** Every export by name. */
  get exports(): Record<string, Extern> {
    return Object.fromEntries(this.raw.exports);
  }
  getExport(name: string): Extern | undefined {
    return this.raw.exports.get(name);
  }
  /** Calls an exported function with JS values (see Store.invoke). */
  call(name: string, ...args: unknown[]): unknown[] {
    const f = this.raw.exports.get(name);
    if (!(f instanceof WasmFunc || f instanceof HostFunc)) throw new LinkError(`no exported function '${name}'`);
    return this.store.invoke(f, args);
  }
  memory(name = 'memory'): Memory | undefined {
    const m = this.raw.exports.get(name);
    return m instanceof Memory ? m : undefined;
  }
  /** Value of an exported global (i64 as bigint). */
  global(name: string): unknown {
    const g = this.raw.exports.get(name);
    if (!(g instanceof Global)) throw new LinkError(`no exported global '${name}'`);
    return globalValue(g);
  }
}

export function globalValue(g: Global): unknown {
  const t = g.type.type;
  switch (t) {
    case I32:
      return g.cell[0]!;
    case I64:
      return I64N.toBigInt(g.cell, 0);
    case F32:
      return new Float32Array(g.cell.buffer)[0]!;
    case F64:
      return new Float64Array(g.cell.buffer)[0]!;
    case V128:
      return new Uint8Array(g.cell.buffer.slice(0));
  }
  return g.ref;
}

export function funcTypeOf(data: ModuleData, typeIndex: number): FuncType {
  const c = data.types[typeIndex]!.comp;
  if (c.kind !== CompKind.Func) throw new LinkError(`type ${typeIndex} is not a function type`);
  return c;
}

export { Global, HostFunc, Memory, Table, Tag, WasmFunc, RawF32, RawF64 };
export type { ValType };
