/**
 * The per-store machine: the value stack (one ArrayBuffer of 16-byte slots
 * with typed views, plus a parallel array of references), the explicit call
 * stack, fuel, and the entry points that start and resume calls.
 */
import { HostError, ResourceLimitError, Trap, WasmeterError } from '../core/errors.js';
import { BY_NAME, INSTRS } from '../core/instructions.js';
import { Reader } from '../core/bytes.js';
import { F32, F64, I32, I64, V128, isRef, valTypeName, type FuncType, type ValType } from '../core/types.js';
import { Instr, readInstr } from '../decoder/instr.js';
import { validateFunction, type ValidatedModule } from '../validate/module.js';
import type { CodeSink } from '../validate/func.js';
import { Compiled, type Translation } from './compiled.js';
import { HOST_NO_FUEL, HOST_OK, HOST_SUSPENDED, Op, run, STATUS_DONE, STATUS_OUT_OF_FUEL, STATUS_SUSPENDED } from './exec.js';
import { costTable, resolveCosts, type FuelCosts, type ResolvedCosts } from '../runtime/objects/costs.js';
import type { Instance, TranslateEnv } from '../runtime/objects/instance.js';
import * as I32N from './numeric/i32.js';
import { RawF32, RawF64 } from '../runtime/objects/values.js';
import * as I64N from './numeric/i64.js';
import type { Profile } from '../runtime/objects/profile.js';
import type { CodeCache } from '../core/code-cache.js';
import { HostFunc, Suspend, WasmFunc, type FuncInst } from '../runtime/objects/func.js';
import { type Limits, type Peaks } from '../runtime/objects/limits.js';
import { Translator, WithPrescan } from './translate.js';
import { fromHost, hostRefFits, HostNumber } from '../runtime/objects/gc.js';
import { catchException, exnOf, uncaught } from './exceptions.js';
import { jitFor, jsStatus, RUN_UNITS, STATUS_HANDOFF, type JitFn, type TierCompiler } from './tier.js';

/**
 * `f`'s translation for its instance `inst` from the one made for an earlier instance of its module: the parts
 * nothing writes after translation are shared (constants, layout, block and trap positions, handlers); the code is
 * copied with the JS tier's re-entry marks of the earlier instance (FUEL_OSR, only ever at a block's FUEL op) turned
 * back into FUEL, so the copy is what translating `f` gives (the JS tier sets this instance's marks itself).
 */
function shared(t: Translation, f: WasmFunc, inst: Instance): Compiled {
  const code = t.code.slice();
  for (const pc of t.blockPc.values()) if (code[pc] === Op.FUEL_OSR) code[pc] = Op.FUEL;
  const cc = new Compiled(f, inst, code, false, t.frameWords, f.type.params.length * 4, t.tmpl, t.refLocals, t.blockPc, t.origAt);
  cc.handlers = t.handlers;
  cc.exnSlots = t.exnSlots;
  return cc;
}

/** The unit a store counts fuel in when it is not metered (large enough never to run out). */
export const UNMETERED = Number.MAX_SAFE_INTEGER;

export class Machine {
  buffer: ArrayBuffer;
  s: Int32Array;
  f32: Float32Array;
  f64: Float64Array;
  refs: unknown[];
  // call stack (frames below the running one)
  fComp: Compiled[] = [];
  fPc: Int32Array;
  fFp: Int32Array;
  fBlk: Int32Array;
  readonly maxDepth: number;
  readonly maxStackWords: number;
  // saved state of the running/suspended frame
  comp!: Compiled;
  pc = 0;
  fp = 0;
  blk = 0;
  depth = 0;
  /** First free word above every frame in use (where a new outermost call starts). */
  sp = 0;
  /**
   * Initialised with a small integer so that V8 gives the field a small-integer
   * representation (a field first holding undefined, as a class field without
   * initialiser does, holds boxed numbers). The store keeps it at most
   * MAX_SLICE (store.ts), so that fuel arithmetic in the interpreter and in
   * JS-tier code is integer arithmetic; a larger value (a surcharge above a
   * slice) only generalises the representation, it is still exact.
   */
  fuel = 0;
  /** The status of a stop of a JS-tier callee asked for its i32 result as the JS return value (src/jit/rt.ts numOut). */
  rvSt = 0;
  /** Fuel the instruction or surcharge that stopped the run needed. */
  needed = 0;
  /** Fuel consumed = fuelBase - fuel (the store keeps it current; the profile's clock). */
  fuelBase = 0;
  /** Per-function accounting, when the store's profile mode is on. */
  profile: Profile | null = null;
  /** A host call that suspended: where its results go, its type, whether it was a tail call. */
  pendingHost: { f: HostFunc; at: number; tail: boolean; payload: unknown } | null = null;
  /** Fuel left when a host function threw (-1: none); the run loop's own counter is stale then. */
  hostFuel = -1;
  readonly costs: ResolvedCosts;
  readonly opCosts: Int32Array;
  /** Set by the store: builds the Caller a host function receives. */
  makeCaller: (mc: Machine, inst: Instance) => unknown = (_mc, inst) => ({ instance: inst });
  /** Whether calls run JS-tier versions of functions (src/jit; set by the store). */
  jitOn = false;
  /**
   * Set by the store while a start function runs its first `START_INTERP_FUEL`, or a call the store's
   * `interpretFirst`: `jitFor` generates nothing then (the functions keep `jitState` 0 and are generated at their
   * first call after it), so code that runs once at instantiation, or a short program, is interpreted instead of
   * generated and compiled, and `compile` neither looks up nor stores translations in the code cache
   * (runtime/store.ts).
   */
  deferJit = false;
  /** The JS tier's compiler (installed by the store, see tier.ts); null: the interpreter runs everything. */
  tier: TierCompiler | null = null;
  /** Where the JS tier keeps generated functions between processes (StoreOptions.codeCache, src/jit/code-cache.ts), or null. */
  codeCache: CodeCache | null = null;
  /**
   * Whether fuel is counted (the store's countFuel). When false the JS tier
   * generates no fuel code at all; the interpreter still subtracts from an
   * unreachable budget, and nobody reads the result.
   */
  counting = true;
  /** JS stack in use below the running interpreter loop (JS tier units, see tier.ts). */
  jsd = 0;
  /**
   * The JS tier's filter at function entry (src/jit/rt.ts enter): a frame ending at or below word `jsTop`
   * at a call depth below `jsDepth` needs no larger value stack and raises no peak (jsTop is at most the
   * stack's length and the value-stack peak in words, jsDepth the call-depth peak; both only grow, and
   * lag behind the peaks the interpreter raises, which costs a call of enter, no more).
   */
  jsTop = 0;
  jsDepth = 0;
  /**
   * Set when an exception leaves JS-tier code: the fuel is already final
   * (trap refund applied), so the interpreter loops it passes through must not
   * save their own state over it, nor refund again.
   */
  settled = false;
  /**
   * Set when an exception leaves the JS version of a frame the interpreter
   * handed over at a loop head (tier.ts callJsOsr): the JS code has applied
   * that frame's handlers, so the interpreter looks for one from the frame
   * below (exec.ts saves the position as pc -1, inside no handler's range).
   */
  osrThrew = false;
  /** Checks a callee's canonical type id against the expected one (set by the store: subtyping). */
  typeMatches: (actual: number, expected: number) => boolean = (a, e) => a === e;

  constructor(
    fuel: number,
    costs: FuelCosts | undefined,
    readonly limits: Limits,
    readonly peaks: Peaks,
  ) {
    this.fuel = fuel;
    this.costs = resolveCosts(costs);
    this.opCosts = costTable(this.costs);
    this.maxDepth = limits.maxCallDepth ?? 10_000;
    this.maxStackWords = Math.floor((limits.maxValueStackBytes ?? 64 * 1024 * 1024) / 4);
    this.fPc = new Int32Array(this.maxDepth + 1);
    this.fFp = new Int32Array(this.maxDepth + 1);
    this.fBlk = new Int32Array(this.maxDepth + 1);
    this.buffer = new ArrayBuffer(64 * 1024);
    this.s = new Int32Array(this.buffer);
    this.f32 = new Float32Array(this.buffer);
    this.f64 = new Float64Array(this.buffer);
    this.refs = new Array(this.s.length >> 2).fill(null);
  }

  save(comp: Compiled, pc: number, fp: number, fuel: number, blk: number, depth: number): void {
    this.comp = comp;
    this.pc = pc;
    this.fp = fp;
    this.fuel = fuel;
    this.blk = blk;
    this.depth = depth;
  }

  growStack(words: number): void {
    if (words > this.maxStackWords) throw new Trap('call stack exhausted');
    let size = this.s.length;
    while (size < words) size *= 2;
    size = Math.min(size, Math.max(words, this.maxStackWords));
    const buf = new ArrayBuffer(size * 4);
    new Int32Array(buf).set(this.s);
    this.buffer = buf;
    this.s = new Int32Array(buf);
    this.f32 = new Float32Array(buf);
    this.f64 = new Float64Array(buf);
    const refs = this.refs;
    for (let i = refs.length; i < size >> 2; i++) refs.push(null);
  }

  /** Sets up a new frame at word `fp`: zeroed locals, constants, null reference locals. */
  enterFrame(cc: Compiled, fp: number, depth: number): void {
    this.s.set(cc.tmpl, fp + cc.paramWords);
    const rl = cc.refLocals;
    const base = fp >> 2;
    for (let i = 0; i < rl.length; i++) this.refs[base + rl[i]!] = null;
    const top = (fp + cc.frameWords) * 4;
    const p = this.peaks;
    if (top > p.valueStackBytes) p.valueStackBytes = top;
    if (depth + 1 > p.callDepth) p.callDepth = depth + 1;
  }

  /** Copies n slots (values and references) from word `src` down to word `dst`. */
  moveSlots(dst: number, src: number, n: number): void {
    if (dst === src) return;
    this.s.copyWithin(dst, src, src + n * 4);
    const r = this.refs;
    for (let i = 0; i < n; i++) r[(dst >> 2) + i] = r[(src >> 2) + i];
  }

  /**
   * The fast translation of a function (translated on its first call). The first instance of a module translates
   * it; a later instance of the same module in this machine takes a copy of that translation instead (`shared`).
   */
  compile(f: WasmFunc, pre: CodeSink | null = null): Compiled {
    const c = f.compiled as Compiled | null;
    if (c) return c;
    const inst = f.instance as Instance;
    let known = this.translations.get(inst.vm);
    if (known === undefined) this.translations.set(inst.vm, (known = []));
    const t = known[f.index];
    let cc: Compiled;
    // (else from the JS tier's persistent cache: made by an earlier process from the same module and costs; not while
    // the JS tier is deferred: code that runs once, or a short program, is translated without a look at the cache,
    // whose first look costs more than translating a small function: hashing the module, reading its pack)
    const kept = t === undefined && this.codeCache !== null && !this.deferJit ? this.tier?.translations : undefined;
    const got = t ?? kept?.get(this, f);
    if (got === undefined) {
      cc = this.translate(f, false, undefined, pre);
      known[f.index] = { code: cc.code, frameWords: cc.frameWords, tmpl: cc.tmpl, refLocals: cc.refLocals, blockPc: cc.blockPc, origAt: cc.origAt, handlers: cc.handlers, exnSlots: cc.exnSlots };
      kept?.set(this, f, known[f.index]!);
    } else {
      if (t === undefined) known[f.index] = got;
      cc = shared(got, f, inst);
    }
    f.compiled = cc;
    return cc;
  }

  /** The exact twin of fast code (made on first need). */
  exactTwin(c: Compiled): Compiled {
    if (c.exact) return c;
    if (!c.twin) {
      const x = this.translate(c.func, true, c);
      c.twin = x;
      x.twin = c;
    }
    return c.twin;
  }

  /** `pre`: a second sink fed in the same validator pass (TierCompiler.prescan), given to the result if it completed. */
  private translate(f: WasmFunc, exact: boolean, fast?: Compiled, pre: CodeSink | null = null): Compiled {
    const inst = f.instance as Instance;
    const vm = inst.vm;
    const type = f.type;
    const localTypes: ValType[] = [...type.params];
    let total = type.params.length;
    for (const g of f.body.locals) {
      total += g.count;
      if (total > 1_000_000) throw new ResourceLimitError(`function ${f.index} declares too many locals (${total})`);
      for (let i = 0; i < g.count; i++) localTypes.push(g.type);
    }
    const nl = localTypes.length;
    // (a literal, not a spread of the instance's: V8's clones of it changed map after the first few, and the translator's
    // `instr`, optimised on the first map, was thrown away at `env.costs` in every package's first run)
    const e = inst.translateEnv;
    const env: TranslateEnv = { costs: this.opCosts, typeIds: e.typeIds, funcParams: e.funcParams, funcResults: e.funcResults, typeParams: e.typeParams, typeResults: e.typeResults };
    // the exact twin keeps the fast code's frame layout (its constant area stays reserved)
    const reserve = fast ? (fast.tmpl.length - (nl * 4 - type.params.length * 4)) / 4 : 0;
    const t = new Translator(nl, localTypes, type.params.length, type.results, exact, env, reserve);
    const both = pre !== null ? new WithPrescan(t, pre) : null;
    validateFunction(vm, f.index, both ?? t);
    // (origAt: positions that start no op say so, -1: a stop point is named by (original offset, ordinal among its ops))
    const out = t.finish();
    const nc = out.consts.length / 4;
    const paramWords = type.params.length * 4;
    let tmpl: Int32Array;
    if (fast) tmpl = fast.tmpl;
    else {
      tmpl = new Int32Array(nl * 4 - paramWords + nc * 4);
      tmpl.set(out.consts, nl * 4 - paramWords);
    }
    let frameWords = Math.max(out.frameSlots, type.results.length) * 4;
    if (fast) frameWords = Math.max(frameWords, fast.frameWords);
    const refLocals: number[] = [];
    for (let i = type.params.length; i < nl; i++) if (isRef(localTypes[i]!)) refLocals.push(i);
    const cc = new Compiled(f, inst, out.code, exact, frameWords, paramWords, tmpl, Int32Array.from(refLocals), t.blockPc, out.origAt);
    cc.handlers = out.handlers;
    cc.exnSlots = out.exnSlots;
    if (both !== null && both.ok) cc.prescan = pre;
    return cc;
  }

  /**
   * Each module's fast translations by function index, made for its first instance in this machine (`compile`).
   * A translation depends on the module and the machine's cost table alone: the instance it reads (TranslateEnv)
   * gives each callee's parameter count and result types, which import matching makes the module's own up to
   * subtyping (a reference stays a reference), and canonical type ids, which are the module's (one registry per
   * store). Holds no instance: the code array is the first instance's, whose JS-tier re-entry marks each copy undoes.
   */
  private readonly translations = new WeakMap<ValidatedModule, (Translation | undefined)[]>();

  // ---------------------------------------------------------------- host calls

  /**
   * Calls a host function with the arguments at word `at`; its results are
   * written back there. Returns HOST_NO_FUEL (nothing done) when the fuel
   * cannot pay the host-call surcharge, HOST_SUSPENDED when the host function
   * returned a Suspend (pendingHost says where its results go).
   */
  callHost(f: HostFunc, at: number, inst: Instance, tail: boolean): number {
    const cost = this.costs.hostCall;
    if (this.fuel < cost) {
      this.needed = cost;
      return HOST_NO_FUEL;
    }
    const prof = this.profile;
    if (prof !== null) prof.enter(f, this.fuelBase - this.fuel);
    this.fuel -= cost;
    const params = f.type.params;
    const args: unknown[] = new Array(params.length);
    for (let i = 0; i < params.length; i++) args[i] = this.readValue(params[i]!, at + i * 4);
    const savedSp = this.sp;
    this.sp = Math.max(this.sp, at + Math.max(params.length, f.type.results.length) * 4 + 4);
    let r: unknown;
    try {
      r = f.fn(this.makeCaller(this, inst), ...args);
    } catch (e) {
      // the run loop's own fuel counter is stale after a host call: resume() takes this one
      this.hostFuel = this.fuel;
      if (e instanceof WasmeterError) throw e;
      if (e instanceof RangeError && /call stack/i.test(e.message)) throw new Trap('call stack exhausted');
      throw new HostError(`host function ${f.name} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    } finally {
      this.sp = savedSp;
      if (prof !== null) prof.exit(this.fuelBase - this.fuel);
    }
    if (r instanceof Suspend) {
      this.pendingHost = { f, at, tail, payload: r.payload };
      return HOST_SUSPENDED;
    }
    this.writeResults(f.type, r, at);
    return HOST_OK;
  }

  writeResults(type: FuncType, r: unknown, at: number): void {
    const results = type.results;
    if (results.length === 0) return;
    if (results.length === 1) {
      this.writeResult(results[0]!, at, r);
      return;
    }
    if (!Array.isArray(r) || r.length !== results.length)
      throw new HostError(`host function must return an array of ${results.length} values`);
    for (let i = 0; i < results.length; i++) this.writeResult(results[i]!, at + i * 4, r[i]);
  }

  /** A host function's result: references must fit the (abstract) result type. */
  private writeResult(t: ValType, w: number, v: unknown): void {
    if (isRef(t) && !hostRefFits(null, null, t, fromHost(t, v))) {
      throw new HostError(`host function returned a value that is not of type ${valTypeName(t)}`);
    }
    this.writeValue(t, w, v);
  }

  /** A value from the slot at word w, as the embedding API represents it. */
  readValue(t: ValType, w: number): unknown {
    switch (t) {
      case I32:
        return this.s[w]!;
      case I64:
        return I64N.toBigInt(this.s, w);
      case F32:
        return this.f32[w]!;
      case F64:
        return this.f64[w >> 1]!;
      case V128:
        return new Uint8Array(this.buffer.slice(w * 4, w * 4 + 16));
    }
    const r = this.refs[w >> 2];
    return r instanceof HostNumber ? r.value : r;
  }

  writeValue(t: ValType, w: number, v: unknown): void {
    switch (t) {
      case I32:
        this.s[w] = Number(v) | 0;
        this.s[w + 1] = 0;
        return;
      case I64:
        I64N.fromBigInt(this.s, w, typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v))));
        return;
      case F32:
        if (v instanceof RawF32) this.s[w] = v.bits;
        else this.f32[w] = Number(v);
        return;
      case F64:
        if (v instanceof RawF64) {
          this.s[w] = v.lo;
          this.s[w + 1] = v.hi;
        } else this.f64[w >> 1] = Number(v);
        return;
      case V128: {
        if (!(v instanceof Uint8Array) || v.length !== 16) throw new HostError('v128 values are 16-byte Uint8Arrays');
        new Uint8Array(this.buffer, w * 4, 16).set(v);
        return;
      }
    }
    this.refs[w >> 2] = typeof v === 'number' ? fromHost(t, v) : v === undefined ? null : v;
  }

  // ---------------------------------------------------------------- conversions

  /** Runs the conversion `defId` (table id) from word `a` into word `d`, through a table built once. */
  convert(defId: number, d: number, a: number): void {
    CONVERT_FNS[defId]!(this, d, a);
  }

  // ---------------------------------------------------------------- traps

  /**
   * After a trap in fast code: give back the fuel charged for the
   * instructions of the current block after the trapping one.
   */
  refundOnTrap(): void {
    const c = this.comp;
    if (!c || c.exact) return;
    const code = c.code;
    const blk = this.blk;
    if (code[blk] !== Op.FUEL && code[blk] !== Op.FUEL_OSR) return;
    const blockCost = code[blk + 1]!;
    const start = code[blk + 2]!;
    const trapAt = c.origAt[this.pc]!;
    const body = c.func.body;
    const base = body.offset >= 0 ? body.offset : 0;
    const r = new Reader(body.body, start - base, body.body.length, base);
    const ins = new Instr();
    let paid = 0;
    while (!r.atEnd()) {
      const at = r.offset;
      readInstr(r, ins);
      paid += this.opCosts[ins.def.id]!;
      if (at >= trapAt) break;
    }
    if (paid < blockCost) this.fuel += blockCost - paid;
  }

  // ---------------------------------------------------------------- entry

  /**
   * Runs `f` with its arguments already written at word `at` (the start of
   * its frame). Returns STATUS_DONE (results at `at`) or STATUS_OUT_OF_FUEL.
   */
  start(f: WasmFunc, at: number): number {
    if (this.jitOn) {
      const jf = (f.jit as JitFn | null) ?? (f.jitState === 0 ? jitFor(this, f) : null);
      if (jf !== null) return this.startJs(jf, at);
    }
    const cc = this.compile(f);
    if (at + cc.frameWords > this.s.length) this.growStack(at + cc.frameWords);
    const entryDepth = this.depth;
    if (entryDepth + 1 >= this.maxDepth) throw new Trap('call stack exhausted');
    this.enterFrame(cc, at, entryDepth);
    if (this.profile !== null) this.profile.enter(f, this.fuelBase - this.fuel);
    this.save(cc, 0, at, this.fuel, 0, entryDepth);
    return this.resume(entryDepth);
  }

  /**
   * Continues a call suspended by a host function: writes the host's
   * results, finishes a tail call's return, and runs on.
   */
  resumeHost(results: unknown, entryDepth: number): number {
    const p = this.pendingHost!;
    this.pendingHost = null;
    this.writeResults(p.f.type, results, p.at);
    if (p.tail) {
      const fp = this.fp;
      this.moveSlots(fp, p.at, p.f.type.results.length);
      if (this.profile !== null) this.profile.exit(this.fuelBase - this.fuel);
      if (this.depth === entryDepth) return STATUS_DONE;
      const d = --this.depth;
      this.comp = this.fComp[d]!;
      this.pc = this.fPc[d]!;
      this.fp = this.fFp[d]!;
      this.blk = this.fBlk[d]!;
    }
    return this.resume(entryDepth);
  }

  /** After an error out of the run loop: if a host function threw, its fuel count (hostFuel) is the current one. */
  takeHostFuel(): void {
    if (this.hostFuel >= 0) {
      this.fuel = this.hostFuel;
      this.hostFuel = -1;
    }
  }

  resume(entryDepth: number): number {
    for (;;) {
      try {
        return run(this, entryDepth);
      } catch (e) {
        this.takeHostFuel();
        const exn = exnOf(e);
        if (exn === null) throw this.settle(e);
        // a wasm exception: run on at its handler, or leave the invocation
        this.settled = false;
        if (catchException(this, exn, entryDepth)) continue;
        throw uncaught(exn, e);
      }
    }
  }

  /** The exception a run ends with, after the refund of a trap in fast code. */
  private settle(e: unknown): unknown {
    const settled = this.settled;
    this.settled = false;
    if (e instanceof Trap) {
      if (!settled) this.refundOnTrap();
      return e;
    }
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      if (!settled) this.refundOnTrap();
      return new Trap('call stack exhausted');
    }
    return e;
  }

  /** Runs a call of a JS-tier function (see start); the frames it leaves are continued by the interpreter. */
  private startJs(jf: JitFn, at: number): number {
    const entryDepth = this.depth;
    if (entryDepth + 1 >= this.maxDepth) throw new Trap('call stack exhausted');
    let st: number;
    try {
      st = jsStatus(this, jf(this, at, entryDepth, this.jsd + RUN_UNITS, 0, this.fuel));
    } catch (e) {
      this.settled = true;
      this.depth = entryDepth;
      this.hostFuel = -1;
      const exn = exnOf(e);
      if (exn !== null) {
        // every frame of the invocation ran in JS, and none of their handlers took it (rt.ts catchHere): it leaves the invocation
        this.settled = false;
        throw uncaught(exn, e);
      }
      throw this.settle(e);
    }
    if (st === STATUS_HANDOFF) return this.resume(entryDepth);
    if (st === STATUS_DONE) this.depth = entryDepth;
    return st;
  }
}

type ConvertFn = (mc: Machine, d: number, a: number) => void;

/** Conversions done by the CONVERT op, indexed by instruction table id (built once from the table). */
const CONVERT_FNS: (ConvertFn | undefined)[] = (() => {
  const out: (ConvertFn | undefined)[] = new Array(INSTRS.length);
  const i32From = (f: (x: number) => number, src32: boolean): ConvertFn =>
    src32 ? (mc, d, a) => void (mc.s[d] = f(mc.f32[a]!)) : (mc, d, a) => void (mc.s[d] = f(mc.f64[a >> 1]!));
  const i64From = (f: (m: Int32Array, d: number, x: number) => void, src32: boolean): ConvertFn =>
    src32 ? (mc, d, a) => f(mc.s, d, mc.f32[a]!) : (mc, d, a) => f(mc.s, d, mc.f64[a >> 1]!);
  const set = (name: string, fn: ConvertFn): void => {
    for (const def of BY_NAME.get(name)!) out[def.id] = fn;
  };
  for (const sfx of ['s', 'u'] as const) {
    for (const src of ['f32', 'f64'] as const) {
      const is32 = src === 'f32';
      set(`i32.trunc_${src}_${sfx}`, i32From(I32N[`trunc_${src}_${sfx}`], is32));
      set(`i32.trunc_sat_${src}_${sfx}`, i32From(I32N[`trunc_sat_${src}_${sfx}`], is32));
      set(`i64.trunc_${src}_${sfx}`, i64From(I64N[`trunc_${src}_${sfx}`], is32));
      set(`i64.trunc_sat_${src}_${sfx}`, i64From(I64N[`trunc_sat_${src}_${sfx}`], is32));
    }
    const f32c = I64N[`f32_convert_i64_${sfx}`];
    const f64c = I64N[`f64_convert_i64_${sfx}`];
    set(`f32.convert_i64_${sfx}`, (mc, d, a) => void (mc.f32[d] = f32c(mc.s, a)));
    set(`f64.convert_i64_${sfx}`, (mc, d, a) => void (mc.f64[d >> 1] = f64c(mc.s, a)));
  }
  return out;
})();

export { STATUS_DONE, STATUS_OUT_OF_FUEL, STATUS_SUSPENDED, type FuncInst };
