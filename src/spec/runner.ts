/**
 * Spec-script runner: executes one `.wast` script (as parsed by
 * `parseScript`) against wasmeter and judges every command the way the
 * reference interpreter does.
 *
 * Each command that checks something counts as one assertion: module
 * definitions/instantiations, `register`, bare actions and every
 * `assert_*`. A result is `passed`, `failed` (with line, kind and reason) or
 * `skipped` (with a reason, only for what cannot apply to a sequential
 * single-threaded VM).
 */
import { DecodeError, LinkError, OutOfFuel, TextError, Trap, Unsupported, ValidationError, WasmeterError } from '../core/errors.js';
import type { Module as ModuleData } from '../core/module.js';
import type { FeatureSpec } from '../core/instructions.js';
import { CompKind, F32, F64, FUNCREF, I32, I64, V128, type ValType } from '../core/types.js';
import { encodeModule } from '../encoder/encode.js';
import { Linker } from '../host/linker.js';
import { Tag } from '../runtime/objects/exception.js';
import { type Extern } from '../runtime/objects/instance.js';
import { RawF32, RawF64 } from '../runtime/objects/values.js';
import { GcArray, GcStruct } from '../runtime/objects/gc.js';
import { ExnRef } from '../runtime/objects/exception.js';
import { Global } from '../runtime/objects/global.js';
import { HostFunc, WasmFunc } from '../runtime/objects/func.js';
import { Memory } from '../runtime/objects/memory.js';
import { Table } from '../runtime/objects/table.js';
import { Instance } from '../runtime/instance.js';
import { Module, type ModuleOptions } from '../runtime/module.js';
import { FuelStop, Store } from '../runtime/store.js';
import { featuresFor, needsCustomDescriptors, needsCustomPageSizes } from './names.js';
import type { Action, Command, Expected, FloatPattern, ModuleSource, Value } from '../text/script.js';
import { parseScript } from '../text/script.js';

// ====================================================================== results

export type Outcome = 'passed' | 'failed' | 'skipped';

export interface Failure {
  line: number;
  kind: string;
  reason: string;
}

export interface KindCounts {
  passed: number;
  failed: number;
  skipped: number;
}

export interface FileResult {
  file: string;
  passed: number;
  failed: number;
  skipped: number;
  /** False when the script itself could not be parsed (then nothing ran). */
  parsed: boolean;
  failures: Failure[];
  skips: Failure[];
  /** Counts per command kind (`module`, `assert_return`, ...). */
  kinds: Record<string, KindCounts>;
  /** Wall-clock milliseconds (parse + run). */
  ms: number;
}

export interface RunOptions {
  /**
   * Fuel each action (invoke, get, instantiation with its start function)
   * may use; running out is a failure ("out of fuel"), so an infinite loop
   * cannot hang the run. Default 300 million.
   */
  fuelPerAction?: number;
  /**
   * Starved mode: the store starts every action with 0 fuel and, at each
   * OutOfFuel, gets exactly the fuel the next instruction needs and resumes
   * (up to `fuelPerAction` in all). Every assertion must pass as in a normal
   * run: this checks that stopping and resuming anywhere changes nothing.
   */
  starved?: boolean;
  /**
   * Decode memories' custom-page-sizes limits flag (0x08). Default: only for
   * scripts of a proposal that needs it (`proposals/custom-page-sizes/`);
   * the core suite, which predates the proposal, expects the flag to be
   * malformed (see names.ts needsCustomPageSizes).
   */
  customPageSizes?: boolean;
  /**
   * The features every module is held to (ModuleOptions.features; default: what the script's proposal folder is
   * written for (names.ts featuresFor: Wasm 1.0 with threads added for `proposals/threads/`), else everything on;
   * custom descriptors off outside `proposals/custom-descriptors/`, see names.ts needsCustomDescriptors). A profile
   * also reads the script's text as that standard's, with the proposals added to it (parseScript).
   */
  features?: FeatureSpec;
  /** Execution tier of the script's store (Store option `tier`; default 'js'). */
  tier?: 'interp' | 'js';
}

export const DEFAULT_FUEL_PER_ACTION = 300_000_000;

// ====================================================================== values

/**
 * Host references passed by scripts: one interned object per number, so
 * identity compares. `ref.extern N` and `ref.host N` name the same host
 * value, as an externref and as an anyref (the conversions between the two
 * hierarchies are the identity on it).
 */
export class HostRef {
  constructor(
    readonly kind: 'extern' | 'host',
    readonly n: number,
  ) {}
  toString(): string {
    return `ref.${this.kind} ${this.n}`;
  }
}

class Refs {
  private readonly all = new Map<number, HostRef>();
  get(kind: 'extern' | 'host', n: number): HostRef {
    let r = this.all.get(n);
    if (!r) this.all.set(n, (r = new HostRef(kind, n)));
    return r;
  }
}

function argValue(v: Value, refs: Refs): unknown {
  switch (v.type) {
    case 'i32':
      return v.value | 0;
    case 'i64':
      return v.value;
    case 'f32':
      return new RawF32(v.bits | 0);
    case 'f64':
      return new RawF64(Number(v.bits & 0xffffffffn) | 0, Number((v.bits >> 32n) & 0xffffffffn) | 0);
    case 'v128':
      return new Uint8Array(v.bytes);
    case 'ref.null':
      return null;
    case 'ref.extern':
      return refs.get('extern', v.value);
    case 'ref.host':
      return refs.get('host', v.value);
  }
}

function hex(n: number, digits: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(digits, '0');
}

function f32Bits(r: unknown): number | null {
  if (r instanceof RawF32) return r.bits >>> 0;
  if (typeof r === 'number') {
    const b = new Float32Array([r]);
    return new Uint32Array(b.buffer)[0]!;
  }
  return null;
}
function f64Bits(r: unknown): bigint | null {
  if (r instanceof RawF64) return (BigInt(r.hi >>> 0) << 32n) | BigInt(r.lo >>> 0);
  if (typeof r === 'number') {
    const b = new Float64Array([r]);
    return new BigUint64Array(b.buffer)[0]!;
  }
  return null;
}

function matchF32(bits: number, p: FloatPattern): boolean {
  switch (p.kind) {
    case 'bits':
      return bits === (Number(p.bits) >>> 0);
    case 'nan:canonical':
      return (bits & 0x7fffffff) === 0x7fc00000;
    case 'nan:arithmetic':
      return (bits & 0x7fc00000) === 0x7fc00000;
  }
}
function matchF64(bits: bigint, p: FloatPattern): boolean {
  switch (p.kind) {
    case 'bits':
      return bits === BigInt.asUintN(64, BigInt(p.bits));
    case 'nan:canonical':
      return (bits & 0x7fffffffffffffffn) === 0x7ff8000000000000n;
    case 'nan:arithmetic':
      return (bits & 0x7ff8000000000000n) === 0x7ff8000000000000n;
  }
}

function showPattern(p: FloatPattern, f32: boolean): string {
  if (p.kind !== 'bits') return p.kind;
  return f32 ? hex(Number(p.bits), 8) : '0x' + BigInt.asUintN(64, BigInt(p.bits)).toString(16).padStart(16, '0');
}

function showExpected(e: Expected): string {
  switch (e.type) {
    case 'i32':
      return `i32 ${e.value}`;
    case 'i64':
      return `i64 ${e.value}`;
    case 'f32':
      return `f32 ${showPattern(e.pattern, true)}`;
    case 'f64':
      return `f64 ${showPattern(e.pattern, false)}`;
    case 'v128':
      return `v128 ${e.shape} ${e.lanes.map((l) => (typeof l === 'object' ? showPattern(l, e.shape === 'f32x4') : String(l))).join(' ')}`;
    case 'either':
      return `either(${e.options.map(showExpected).join(' | ')})`;
    case 'ref.null':
      return `ref.null ${e.heap ?? ''}`.trim();
    default:
      return `${e.type}${'value' in e && e.value !== null ? ' ' + String(e.value) : ''}`;
  }
}

function showResult(r: unknown): string {
  if (r instanceof RawF32) return `f32 ${hex(r.bits, 8)}`;
  if (r instanceof RawF64) return `f64 0x${(r.hi >>> 0).toString(16).padStart(8, '0')}${(r.lo >>> 0).toString(16).padStart(8, '0')}`;
  if (typeof r === 'number') return `i32 ${r} (or ref.i31 ${r})`;
  if (typeof r === 'bigint') return `i64 ${r}`;
  if (r instanceof Uint8Array) return `v128 [${Array.from(r, (b) => b.toString(16).padStart(2, '0')).join(' ')}]`;
  if (r === null) return 'null';
  if (r instanceof WasmFunc || r instanceof HostFunc) return 'funcref';
  if (r instanceof HostRef) return r.toString();
  if (r instanceof ExnRef) return 'exnref';
  if (r instanceof GcStruct) return 'ref.struct';
  if (r instanceof GcArray) return 'ref.array';
  return `ref ${Object.prototype.toString.call(r)}`;
}

function laneMatch(bytes: Uint8Array, e: Extract<Expected, { type: 'v128' }>): boolean {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, 16);
  const n = e.lanes.length;
  for (let i = 0; i < n; i++) {
    const l = e.lanes[i]!;
    switch (e.shape) {
      case 'i8x16':
        if (dv.getUint8(i) !== (Number(l) & 0xff)) return false;
        break;
      case 'i16x8':
        if (dv.getUint16(i * 2, true) !== (Number(l) & 0xffff)) return false;
        break;
      case 'i32x4':
        if (dv.getUint32(i * 4, true) !== Number(l) >>> 0) return false;
        break;
      case 'i64x2':
        if (dv.getBigUint64(i * 8, true) !== BigInt.asUintN(64, BigInt(l as number | bigint))) return false;
        break;
      case 'f32x4':
        if (!matchF32(dv.getUint32(i * 4, true), l as FloatPattern)) return false;
        break;
      case 'f64x2':
        if (!matchF64(dv.getBigUint64(i * 8, true), l as FloatPattern)) return false;
        break;
    }
  }
  return true;
}

function isFunc(r: unknown): boolean {
  return r instanceof WasmFunc || r instanceof HostFunc;
}

function matchResult(r: unknown, e: Expected, refs: Refs): boolean {
  switch (e.type) {
    case 'i32':
      return typeof r === 'number' && (r | 0) === (e.value | 0);
    case 'i64':
      return typeof r === 'bigint' && BigInt.asIntN(64, r) === BigInt.asIntN(64, e.value);
    case 'f32': {
      const b = f32Bits(r);
      return b !== null && matchF32(b, e.pattern);
    }
    case 'f64': {
      const b = f64Bits(r);
      return b !== null && matchF64(b, e.pattern);
    }
    case 'v128':
      return r instanceof Uint8Array && r.length === 16 && laneMatch(r, e);
    case 'either':
      return e.options.some((o) => matchResult(r, o, refs));
    case 'ref.null':
      return r === null;
    case 'ref.extern':
      if (e.value === null) return r !== null && r !== undefined && !isFunc(r);
      return r === refs.get('extern', e.value);
    case 'ref.host':
      if (e.value === null) return r instanceof HostRef;
      return r === refs.get('host', e.value);
    case 'ref.func':
      return isFunc(r);
    case 'ref.exn':
      return r instanceof ExnRef;
    case 'ref.any':
      return r !== null && r !== undefined && !isFunc(r) && !(r instanceof ExnRef);
    case 'ref.eq':
      return typeof r === 'number' || r instanceof GcStruct || r instanceof GcArray;
    case 'ref.i31':
      // an i31 reference reaches the embedder as a number (see src/runtime/objects/gc.ts)
      return typeof r === 'number';
    case 'ref.struct':
      return r instanceof GcStruct;
    case 'ref.array':
      return r instanceof GcArray;
  }
}

// ====================================================================== spectest

/** The reference interpreter's `spectest` module. */
export function spectest(store: Store, linker: Linker): void {
  const noop = (): void => {};
  const fn = (name: string, params: ValType[]): void => {
    linker.define('spectest', name, store.func({ kind: CompKind.Func, params, results: [] }, noop, `spectest.${name}`));
  };
  fn('print', []);
  fn('print_i32', [I32]);
  fn('print_i64', [I64]);
  fn('print_f32', [F32]);
  fn('print_f64', [F64]);
  fn('print_i32_f32', [I32, F32]);
  fn('print_f64_f64', [F64, F64]);
  const glob = (name: string, type: ValType, set: (g: Global) => void): void => {
    const g = new Global({ type, mutable: false });
    set(g);
    linker.define('spectest', name, g);
  };
  glob('global_i32', I32, (g) => (g.cell[0] = 666));
  glob('global_i64', I64, (g) => {
    g.cell[0] = 666;
    g.cell[1] = 0;
  });
  glob('global_f32', F32, (g) => (new Float32Array(g.cell.buffer)[0] = 666.6));
  glob('global_f64', F64, (g) => (new Float64Array(g.cell.buffer)[0] = 666.6));
  const funcref = FUNCREF;
  linker.define('spectest', 'table', new Table({ elem: funcref, addr: 'i32', min: 10, max: 20 }, null, store));
  linker.define('spectest', 'table64', new Table({ elem: funcref, addr: 'i64', min: 10, max: 20 }, null, store));
  linker.define('spectest', 'memory', new Memory({ addr: 'i32', min: 1, max: 2, shared: false, pageSizeLog2: 16 }, store));
  linker.define(
    'spectest',
    'shared_memory',
    new Memory({ addr: 'i32', min: 1, max: 2, shared: true, pageSizeLog2: 16 }, store),
  );
}

// ====================================================================== runner

/** Why a module is unusable (it failed to load while the script expected it to load). */
class Broken {
  constructor(readonly reason: string) {}
}

class AssertionFailed extends Error {}

function errText(e: unknown): string {
  if (e instanceof Unsupported) return `unsupported: ${e.message}`;
  if (e instanceof TextError) return `TextError: ${e.message}`;
  if (e instanceof OutOfFuel) return `out of fuel (fuel limit per action reached; infinite loop?)`;
  if (e instanceof WasmeterError) return `${e.name}: ${e.message}`;
  if (e instanceof Error) return `internal error: ${e.name}: ${e.message}`;
  return `internal error: ${String(e)}`;
}

/** Thrown errors the runner treats as "the engine cannot do this": never counted as a pass. */
function failWith(e: unknown, context: string): never {
  const text = errText(e);
  throw new AssertionFailed(text.startsWith('unsupported') ? text : `${context}${text}`);
}

interface Ctx {
  store: Store;
  linker: Linker;
  refs: Refs;
  fuel: number;
  starved: boolean;
  /** Instances (or why they are missing) by `$id`, and the current one. */
  named: Map<string, Instance | Broken>;
  current: Instance | Broken | null;
  /** `module definition`s by `$id`, and the last one. */
  defs: Map<string, Module | Broken>;
  lastDef: Module | Broken | null;
  /** How modules of this script are decoded and validated. */
  load: ModuleOptions;
}

function newCtx(fuel: number, load: ModuleOptions, starved = false, tier?: 'interp' | 'js'): Ctx {
  const store = new Store({ fuel: starved ? 0 : fuel, tier });
  const linker = new Linker();
  spectest(store, linker);
  return {
    store,
    linker,
    refs: new Refs(),
    fuel,
    starved,
    named: new Map(),
    current: null,
    defs: new Map(),
    lastDef: null,
    load,
  };
}

/** Gives the store the per-action budget (none in starved mode), dropping a call an earlier action left stopped. */
function refuel(ctx: Ctx): void {
  const s = ctx.store;
  s.abandon();
  if (ctx.starved) return;
  const left = s.fuelRemaining;
  if (left < ctx.fuel) s.addFuel(ctx.fuel - left);
}

/**
 * Runs an action. In starved mode every OutOfFuel stop (thrown, or returned by Store.invokeOrStop: no Error made
 * and thrown per stop) is answered with exactly the fuel needed and a resume, until the action's budget is spent;
 * then the stop is thrown as an OutOfFuel.
 */
function metered<T>(ctx: Ctx, run: () => T | FuelStop, resumed: (r: unknown[]) => T): T {
  refuel(ctx);
  const s = ctx.store;
  const start = s.fuelConsumed;
  let next = run;
  for (;;) {
    let r: T | FuelStop | OutOfFuel;
    try {
      r = next();
    } catch (e) {
      if (!(ctx.starved && e instanceof OutOfFuel)) throw e;
      r = e;
    }
    if (!(r instanceof FuelStop || r instanceof OutOfFuel)) return r;
    const stop = r;
    if (!ctx.starved || s.fuelConsumed - start + stop.needed > ctx.fuel) {
      throw stop instanceof OutOfFuel ? stop : new OutOfFuel(s.fuelConsumed, stop.remaining, stop.needed, () => stop.resume() as unknown[]);
    }
    s.addFuel(stop.needed - s.fuelRemaining);
    next = () => {
      const x = stop.resume();
      return x instanceof FuelStop ? x : resumed(x);
    };
  }
}

/** The module's bytes: text modules are encoded (so the binary decoder and validator judge them). */
function sourceModule(src: ModuleSource, load: ModuleOptions): Module {
  switch (src.kind) {
    case 'binary':
      return Module.fromBinary(src.bytes, load);
    case 'text':
      return fromText(src.module, load);
    case 'lazy':
    case 'quote':
      return fromText(src.parse(), load);
  }
}

function fromText(m: ModuleData, load: ModuleOptions): Module {
  const bytes = encodeModule(m);
  try {
    return Module.fromBinary(bytes, load);
  } catch (e) {
    if (e instanceof DecodeError) {
      throw new AssertionFailed(`text module does not round-trip through the encoder: DecodeError: ${e.message} (offset ${e.offset})`);
    }
    throw e;
  }
}

function instantiate(ctx: Ctx, m: Module): Instance {
  // a start function that stopped resumes into [instance]
  return metered(
    ctx,
    () => ctx.linker.instantiate(ctx.store, m),
    (r) => r[0] as Instance,
  );
}

function lookupInstance(ctx: Ctx, name: string | null): Instance {
  const inst = name === null ? ctx.current : ctx.named.get(name);
  if (inst === undefined) throw new AssertionFailed(`unknown module $${name}`);
  if (inst === null) throw new AssertionFailed('no module defined');
  if (inst instanceof Broken) throw new AssertionFailed(`module ${name === null ? '' : '$' + name + ' '}failed to load: ${inst.reason}`);
  return inst;
}

function globalRaw(g: Global): unknown {
  switch (g.type.type) {
    case I32:
      return g.cell[0]!;
    case I64:
      return (BigInt(g.cell[1]!) << 32n) | BigInt(g.cell[0]! >>> 0);
    case F32:
      return new RawF32(g.cell[0]!);
    case F64:
      return new RawF64(g.cell[0]!, g.cell[1]!);
    case V128:
      return new Uint8Array(g.cell.buffer.slice(0, 16));
  }
  return g.ref;
}

/** Runs an action; returns its results (throws whatever the engine throws). */
function perform(ctx: Ctx, a: Action): unknown[] {
  const inst = lookupInstance(ctx, a.module);
  const ex: Extern | undefined = inst.raw.exports.get(a.name);
  if (ex === undefined) throw new AssertionFailed(`unknown export "${a.name}"`);
  if (a.type === 'get') {
    if (!(ex instanceof Global)) throw new AssertionFailed(`export "${a.name}" is not a global`);
    return [globalRaw(ex)];
  }
  if (!(ex instanceof WasmFunc || ex instanceof HostFunc)) throw new AssertionFailed(`export "${a.name}" is not a function`);
  const args = a.args.map((v) => argValue(v, ctx.refs));
  return metered(
    ctx,
    () => (ctx.starved ? ctx.store.invokeOrStop(ex, args, true) : ctx.store.invoke(ex, args, true)),
    (r) => r,
  );
}

/** Runs an action that must not fail. */
function performOk(ctx: Ctx, a: Action): unknown[] {
  try {
    return perform(ctx, a);
  } catch (e) {
    if (e instanceof AssertionFailed) throw e;
    return failWith(e, 'action failed: ');
  }
}

/** Runs an action that must throw; returns the error (fails when it returns normally). */
function performThrows(ctx: Ctx, a: Action, what: string): unknown {
  let r: unknown[];
  try {
    r = perform(ctx, a);
  } catch (e) {
    if (e instanceof AssertionFailed) throw e;
    return e;
  }
  throw new AssertionFailed(`expected ${what}, got result [${r.map(showResult).join(', ')}]`);
}

function loadModule(ctx: Ctx, cmd: Extract<Command, { type: 'module' }>): void {
  let m: Module;
  try {
    m = sourceModule(cmd.source, ctx.load);
  } catch (e) {
    const reason = e instanceof AssertionFailed ? e.message : errText(e);
    const b = new Broken(reason);
    if (cmd.definition) {
      ctx.lastDef = b;
      if (cmd.id !== null) ctx.defs.set(cmd.id, b);
    } else {
      ctx.current = b;
      if (cmd.id !== null) ctx.named.set(cmd.id, b);
    }
    throw new AssertionFailed(`module failed to load: ${reason}`);
  }
  if (cmd.definition) {
    ctx.lastDef = m;
    if (cmd.id !== null) ctx.defs.set(cmd.id, m);
    return;
  }
  instantiateInto(ctx, m, cmd.id);
}

function instantiateInto(ctx: Ctx, m: Module, id: string | null): void {
  try {
    const inst = instantiate(ctx, m);
    ctx.current = inst;
    if (id !== null) ctx.named.set(id, inst);
  } catch (e) {
    const b = new Broken(errText(e));
    ctx.current = b;
    if (id !== null) ctx.named.set(id, b);
    throw new AssertionFailed(`instantiation failed: ${b.reason}`);
  }
}

/** Expects the module to fail to decode/parse/validate with `cls`. */
function expectLoadError(src: ModuleSource, want: 'malformed' | 'invalid', load: ModuleOptions): void {
  let m: Module;
  try {
    if (want === 'malformed' && src.kind !== 'binary') {
      // text: the text parser must reject it
      if (src.kind === 'text') throw new AssertionFailed('expected a malformed text module, but it was parsed eagerly');
      src.parse();
      throw new AssertionFailed('expected malformed text, but the text parser accepted it');
    }
    m = sourceModule(src, load);
  } catch (e) {
    if (e instanceof AssertionFailed) throw e;
    if (e instanceof Unsupported) failWith(e, '');
    if (want === 'malformed') {
      if (e instanceof DecodeError || e instanceof TextError) return;
      throw new AssertionFailed(`expected malformed, got ${errText(e)}`);
    }
    if (e instanceof ValidationError) return;
    throw new AssertionFailed(`expected invalid, got ${errText(e)}`);
  }
  void m;
  throw new AssertionFailed(`expected ${want} module, but it ${want === 'malformed' ? 'decoded' : 'validated'}`);
}

function checkMessage(e: unknown, expected: string, what: string): void {
  if (!(e instanceof Trap)) throw new AssertionFailed(`expected ${what} "${expected}", got ${errText(e)}`);
  if (!e.message.startsWith(expected)) throw new AssertionFailed(`expected ${what} "${expected}", got trap "${e.message}"`);
}

function isException(e: unknown): boolean {
  if (e instanceof Unsupported || e instanceof Trap || e instanceof OutOfFuel) return false;
  if (!(e instanceof Error)) return false;
  const o = e as unknown as Record<string, unknown>;
  return /exception/i.test(e.name) || o['exn'] instanceof ExnRef || o['tag'] instanceof Tag;
}

/** Runs one command; throws AssertionFailed on failure, returns a skip reason or null on pass. */
function execute(ctx: Ctx, cmd: Command): string | null {
  switch (cmd.type) {
    case 'module':
      loadModule(ctx, cmd);
      return null;
    case 'module_instance': {
      const def = cmd.definition === null ? ctx.lastDef : ctx.defs.get(cmd.definition);
      if (def === undefined || def === null) throw new AssertionFailed(`unknown module definition ${cmd.definition ?? ''}`);
      if (def instanceof Broken) {
        const b = new Broken(def.reason);
        ctx.current = b;
        if (cmd.id !== null) ctx.named.set(cmd.id, b);
        throw new AssertionFailed(`module definition failed to load: ${def.reason}`);
      }
      instantiateInto(ctx, def, cmd.id);
      return null;
    }
    case 'register': {
      const inst = lookupInstance(ctx, cmd.module);
      ctx.linker.defineInstance(cmd.name, inst);
      return null;
    }
    case 'action':
      performOk(ctx, cmd.action);
      return null;
    case 'assert_return': {
      const r = performOk(ctx, cmd.action);
      const want = cmd.expected;
      const ok = r.length === want.length && want.every((e, i) => matchResult(r[i], e, ctx.refs));
      if (!ok) {
        throw new AssertionFailed(
          `result [${r.map(showResult).join(', ')}] does not match expected [${want.map(showExpected).join(', ')}]`,
        );
      }
      return null;
    }
    case 'assert_trap': {
      const e = performThrows(ctx, cmd.action, `trap "${cmd.message}"`);
      if (e instanceof Unsupported) failWith(e, '');
      checkMessage(e, cmd.message, 'trap');
      return null;
    }
    case 'assert_exhaustion': {
      const e = performThrows(ctx, cmd.action, `exhaustion "${cmd.message}"`);
      if (e instanceof Unsupported) failWith(e, '');
      checkMessage(e, cmd.message, 'exhaustion');
      return null;
    }
    case 'assert_exception': {
      const e = performThrows(ctx, cmd.action, 'an uncaught exception');
      if (e instanceof Unsupported) failWith(e, '');
      if (!isException(e)) throw new AssertionFailed(`expected an uncaught exception, got ${errText(e)}`);
      return null;
    }
    case 'assert_uninstantiable': {
      let m: Module;
      try {
        m = sourceModule(cmd.source, ctx.load);
      } catch (e) {
        if (e instanceof AssertionFailed) throw e;
        return failWith(e, 'module failed to load: ');
      }
      let inst: Instance;
      try {
        inst = instantiate(ctx, m);
      } catch (e) {
        if (e instanceof Unsupported) failWith(e, '');
        checkMessage(e, cmd.message, 'instantiation trap');
        return null;
      }
      void inst;
      throw new AssertionFailed(`expected instantiation to trap with "${cmd.message}", but it succeeded`);
    }
    case 'assert_unlinkable': {
      let m: Module;
      try {
        m = sourceModule(cmd.source, ctx.load);
      } catch (e) {
        if (e instanceof AssertionFailed) throw e;
        return failWith(e, 'module failed to load: ');
      }
      try {
        instantiate(ctx, m);
      } catch (e) {
        if (e instanceof LinkError) return null;
        if (e instanceof Unsupported) failWith(e, '');
        throw new AssertionFailed(`expected link error "${cmd.message}", got ${errText(e)}`);
      }
      throw new AssertionFailed(`expected link error "${cmd.message}", but the module linked`);
    }
    case 'assert_malformed':
      expectLoadError(cmd.source, 'malformed', ctx.load);
      return null;
    case 'assert_invalid':
      expectLoadError(cmd.source, 'invalid', ctx.load);
      return null;
    case 'assert_malformed_custom':
    case 'assert_invalid_custom':
      // Errors in custom sections/annotations (branch hints, names, ...):
      // custom sections are non-normative and wasmeter does not interpret
      // them, so a module that otherwise loads is skipped, not failed.
      try {
        expectLoadError(cmd.source, cmd.type === 'assert_malformed_custom' ? 'malformed' : 'invalid', ctx.load);
      } catch (e) {
        if (e instanceof AssertionFailed && /^expected (malformed|invalid)/.test(e.message) && /(accepted it|decoded|validated)$/.test(e.message)) {
          return `custom section/annotation contents are not checked by wasmeter (${e.message})`;
        }
        throw e;
      }
      return null;
    case 'thread':
    case 'wait':
      // handled by runCommands
      return null;
  }
  return `unknown command ${(cmd as { type: string }).type}`;
}

interface Sink {
  record(line: number, kind: string, outcome: Outcome, reason?: string): void;
}

function runCommands(ctx: Ctx, commands: Command[], sink: Sink): void {
  for (const cmd of commands) {
    if (cmd.type === 'wait') continue;
    if (cmd.type === 'thread') {
      // Threads run one after another in a context that sees the shared
      // modules: a thread that waits for another one cannot make progress
      // and fails (out of fuel) instead of hanging.
      const sub = newCtx(Math.min(ctx.fuel, 10_000_000), ctx.load, ctx.starved);
      // share the store, so shared modules' instances are usable
      sub.store = ctx.store;
      for (const name of cmd.shared) {
        const inst = ctx.named.get(name);
        if (inst !== undefined) sub.named.set(name, inst);
      }
      runCommands(sub, cmd.commands, sink);
      continue;
    }
    try {
      const skip = execute(ctx, cmd);
      if (skip !== null) sink.record(cmd.line, cmd.type, 'skipped', skip);
      else sink.record(cmd.line, cmd.type, 'passed');
    } catch (e) {
      const reason = e instanceof AssertionFailed ? e.message : `runner: ${errText(e)}`;
      sink.record(cmd.line, cmd.type, 'failed', reason);
    }
  }
}

function emptyResult(file: string): FileResult {
  return { file, passed: 0, failed: 0, skipped: 0, parsed: true, failures: [], skips: [], kinds: {}, ms: 0 };
}

/** `features` with the custom-descriptors proposal off (see names.ts needsCustomDescriptors). */
function withoutCustomDescriptors(features: FeatureSpec | undefined): FeatureSpec {
  if (features === undefined) return { 'custom-descriptors': false };
  if (typeof features === 'string') return features; // a profile: no standard has the proposal yet
  return { ...features, 'custom-descriptors': false };
}

/** Parses and runs a `.wast` script. */
export function runScript(source: string | Uint8Array, file: string, options: RunOptions = {}): FileResult {
  const t0 = performance.now();
  const res = emptyResult(file);
  const customPageSizes = options.customPageSizes ?? needsCustomPageSizes(file);
  const given = options.features ?? featuresFor(file);
  const features = needsCustomDescriptors(file) ? given : withoutCustomDescriptors(given);
  let commands: Command[];
  try {
    commands = parseScript(source, file, features).commands;
  } catch (e) {
    res.parsed = false;
    res.failed = 1;
    res.failures.push({ line: e instanceof TextError ? e.line : 0, kind: 'parse', reason: errText(e) });
    res.kinds['parse'] = { passed: 0, failed: 1, skipped: 0 };
    res.ms = performance.now() - t0;
    return res;
  }
  const ctx = newCtx(options.fuelPerAction ?? DEFAULT_FUEL_PER_ACTION, { customPageSizes, features }, options.starved ?? false, options.tier);
  const sink: Sink = {
    record(line, kind, outcome, reason) {
      const k = (res.kinds[kind] ??= { passed: 0, failed: 0, skipped: 0 });
      k[outcome]++;
      res[outcome]++;
      if (outcome === 'failed') res.failures.push({ line, kind, reason: reason ?? '' });
      else if (outcome === 'skipped') res.skips.push({ line, kind, reason: reason ?? '' });
    },
  };
  runCommands(ctx, commands, sink);
  res.ms = performance.now() - t0;
  return res;
}
