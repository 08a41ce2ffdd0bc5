/**
 * The JS tier's code generator: one wasm function -> the source of one JS
 * function (`new Function`), made after the function's fast translation
 * (translate.ts), whose frame layout, block boundaries, block costs and code
 * positions it shares.
 *
 * A CodeSink of the validator (like the translator), it keeps a mirror of the
 * operand stack whose entries say where a value is:
 *   VAR    in the JS variable(s) of its height (I<h> i32, J<h>/K<h> i64 lo/hi,
 *          F<h> f32, D<h> f64, V<h>_0..3 v128 words or Vf<h>_0..3 f32x4
 *          lane values, R<h> reference),
 *   LOCAL  still in a local's variable(s) (L<x>; H<x> an i64's high half;
 *          L<x>_1..3 a v128's other words),
 *   CONST  a literal (floats: C<i>, read from a Float64Array at entry),
 *   EXPR   a pure, non-trapping expression not evaluated yet (i32, f32, f64,
 *          references); it reads locals and stack variables of its own
 *          height or above.
 * Values: i32 as int32 numbers, i64 as two int32 numbers, f64 as doubles (V8
 * keeps f64 NaN payloads, signalling ones too, through moves, typed-array and
 * DataView loads and stores; abs/neg/copysign work on the bits), f32 as
 * doubles holding the f32 value, where a NaN carries the f32's sign and
 * payload in the top of the double's mantissa with its quiet bit as it was
 * (rt.ts b2f/f2b: an f32 signalling NaN survives moves; a Float32Array read
 * would quiet it). Arithmetic works on the doubles directly.
 *
 * Control: each wasm block/if is a labeled JS block/if, each loop a labeled
 * `for (;;)`; branches are `break L` / `continue L` after copying the carried
 * values into the label's stack variables. Everything is materialized into
 * variables at every point where paths diverge or merge (if, loop, br_if,
 * br_table, br), so a mirror entry means the same on every path reaching it.
 *
 * Fuel (docs/fuel.md): a JS variable `fuel`. At each block start of the fast
 * translation (blockPc), `if (fuel < C) { spill; exit }; fuel -= C`. Exits go
 * through one epilogue after the labeled body `X: { ... }`: it writes every
 * local, the constants and the live stack into the frame's slots (the
 * interpreter's layout) and either saves the machine state at a fast-code pc
 * (a block start: the interpreter's FUEL there continues in the exact twin;
 * or an instruction that stops: a host call without fuel, a surcharge) or,
 * when a callee stopped, pushes this frame's record (pc after the CALL op) and
 * returns the callee's status. A trap refunds the cost of the rest of its
 * block, known here statically.
 *
 * Re-entry (OSR): the interpreter can hand a running frame back at a loop
 * head (`osr` = the head block's original offset): guards around the code
 * outside the frames holding loops lead straight to that loop (LoopScan,
 * beforeChild, osrPrologue). See docs/architecture.md.
 *
 * The generator is one CodeSink built as a chain of layers, each a class
 * extending the one below, with the shared state in the base:
 * gen-base.ts (state, output, stack variables, the operand-stack mirror),
 * gen-counted.ts (counted loops), gen-fuel.ts (fuel blocks, exits, traps),
 * gen-numeric.ts, gen-memory.ts, gen-vectors.ts, gen-calls.ts,
 * gen-control.ts, and JsGen here (the sink's dispatch, globals, and the
 * function's assembly, build). loop-scan.ts is the pre-pass for re-entry,
 * gen-types.ts the shapes and markers all of them share.
 */
import { FUNCREF, I32, I64, F32, F64, V128, isRef, refType, type ValType } from '../core/types.js';
import type { FuncBody } from '../core/module.js';
import { INSTRS } from '../core/instructions.js';
import type { Instr } from '../decoder/instr.js';
import type { CodeSink, FuncValidator } from '../validate/func.js';
import { validateFunction } from '../validate/module.js';
import type { Compiled, Translation } from '../interp/compiled.js';
import { Op } from '../interp/exec.js';
import type { Machine } from '../interp/machine.js';
import * as F32N from '../interp/numeric/f32.js';
import * as F64N from '../interp/numeric/f64.js';
import * as I32N from '../interp/numeric/i32.js';
import { type Global } from '../runtime/objects/global.js';
import { jitFor, jitStats, JS_STACK_UNITS, type JitFn } from '../interp/tier.js';
import { WasmFunc } from '../runtime/objects/func.js';
import type { Instance } from '../runtime/objects/instance.js';
import * as RT from './rt.js';
import { JsRefs } from './gen-refs.js';
import { deadWords, keepsMemory } from './lane-cache.js';
import { TRAP_BITS, fillSites, patchBody } from './patch.js';
import { DISPATCH_TARGETS, LoopScan } from './loop-scan.js';
import { floatsObserved } from './float-scan.js';
import { nanBits } from '../interp/nan-bits.js';
import { ColdScan, NotWhole, coldElision, coldStats, newProfile, noReturnImports, profile, profileStats, wholeEstimate, type Profile } from './cold.js';
import { outline, outlining } from './outline.js';
import { REF_RETURN, noJsArgs, numExit, numResult, numSplitReturns, numTail, refParamNames } from './ref-args.js';
import { codeHash, instanceKey, machineKey, rebind, rebindStats, recipe, recipeIn, recipeOut, type Made } from './rebind.js';
import { buildId, cacheKey, codeCacheBuild, codeCacheStats, constName, constValue, decodeEntry, decodeTranslation, encodeEntry, encodeTranslation, textSum, translationCacheStats, type CacheEntry, type CodeCache } from './code-cache.js';
import { CATCH_ARM, CL_BACK, CONST, chainAhead, ownCost, EX_CALL, EX_CATCH, EX_HANDOFF, EX_POST, EXPR, FD_RELOAD, FUEL_MAX, LANE_WORDS, LOCAL, MAX_SOURCE, MEM_RELOAD, OOB_SITE, Unjittable, lit, no, type FuelBlock } from './gen-types.js';

/** The helpers generated code reads from the runtime object `R` (built on first use). */
let R: Record<string, unknown> | null = null;
let R_NAMES: string[] = [];
function runtime(): Record<string, unknown> {
  if (R !== null) return R;
  R = {
    ...RT,
    f32min: F32N.min,
    f32max: F32N.max,
    f32ceil: F32N.ceil,
    f32floor: F32N.floor,
    f32trunc: F32N.trunc,
    f32nearest: F32N.nearest,
    f64min: F64N.min,
    f64max: F64N.max,
    f64ceil: F64N.ceil,
    f64floor: F64N.floor,
    f64trunc: F64N.trunc,
    f64nearest: F64N.nearest,
    i32tsf_s: I32N.trunc_sat_f64_s,
    i32tsf_u: I32N.trunc_sat_f64_u,
    resplit,
    oobTrapped,
    rewhole,
    coldHit,
  };
  R_NAMES = Object.keys(R).filter((k) => /^[a-z]/.test(k) || k === 'HI' || k === 'F32V' || k === 'F32B');
  return R;
}

/**
 * A shared closure (`E` its argument) reads the environment entries it uses more than once into variables at its
 * entry (`var _0 = E[0], ...`), and each other one where it is used (`E[3]`), or not at all: most entries of a
 * small function are used once on a cold path (the out-of-fuel stop, the slow call, the exit), and reading them all
 * at every call cost C fib about a tenth (BENCHMARKS.md, session 13). `parts` are the function's text after that
 * entry line (build: the prologue, the body, the epilogue; joined at newlines, so no name spans two); the result is
 * the line to write instead and the parts rewritten, or null when the body assigns an entry used once (left as it
 * is). An entry used once is rewritten where it is, by slices, so that no part is copied before V8 joins the source.
 */
export function readEnvWhereUsed(parts: readonly string[], n: number): { decl: string; parts: string[] } | null {
  // one scan counts the uses and finds the assigned entries (an assignment is a use followed by its operator)
  const uses = new Int32Array(n);
  // (each entry's first use: its part, its position and the length of its name)
  const at = new Int32Array(n * 3);
  let written: number[] | null = null;
  for (let j = 0; j < parts.length; j++) {
    const p = parts[j]!;
    ENV_USE.lastIndex = 0;
    for (let m = ENV_USE.exec(p); m !== null; m = ENV_USE.exec(p)) {
      const i = +m[1]!;
      if (i >= n) continue;
      if (uses[i]!++ === 0) {
        at[3 * i] = j;
        at[3 * i + 1] = m.index;
        at[3 * i + 2] = m[1]!.length;
      }
      if (m[2] !== undefined) (written ??= []).push(i);
    }
  }
  if (written !== null) for (const i of written) if (uses[i]! <= 1) return null;
  const kept: string[] = [];
  const once: number[] = [];
  for (let i = 0; i < n; i++) {
    if (uses[i]! > 1) kept.push(`_${i} = E[${i}]`);
    else if (uses[i] === 1) once.push(i);
  }
  const out = [...parts];
  // (in each part, in the order of their positions)
  once.sort((x, y) => at[3 * x]! - at[3 * y]! || at[3 * x + 1]! - at[3 * y + 1]!);
  for (let k = 0; k < once.length; ) {
    const j = at[3 * once[k]!]!;
    const p = parts[j]!;
    let s = '';
    let from = 0;
    for (; k < once.length && at[3 * once[k]!] === j; k++) {
      const i = once[k]!;
      const pos = at[3 * i + 1]!;
      s = s + p.slice(from, pos) + `E[${p.slice(pos + 1, pos + 1 + at[3 * i + 2]!)}]`;
      from = pos + 1 + at[3 * i + 2]!;
    }
    out[j] = s + p.slice(from);
  }
  return { decl: kept.length === 0 ? '' : `var ${kept.join(', ')};\n`, parts: out };
}
/** An environment entry's name (gen-base.ts env), with the operator when it is assigned. */
const ENV_USE = /(?<![\w$])_(\d+)(?![\w$])(\s*(?:[-+*/%&|^]?=(?!=)|\+\+|--))?/g;

/**
 * How generated source becomes a function, and whether this host allows it. A page whose
 * Content-Security-Policy lacks 'unsafe-eval' (and hosts such as Cloudflare Workers) forbid
 * `new Function`: the first EvalError sets `blocked`, and from then on, for the rest of the process,
 * the tier generates nothing and every function runs on the interpreter, with the same results and
 * fuel. `compile` is replaceable (tests make it throw EvalError).
 */
export const jsEval = {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  compile: (src: string) => new Function('R', src) as Factory,
  blocked: false,
};

/** A generated function as generated callers call it: the instance's environment first, then a JitFn's arguments. */
export type SharedFn = (e: unknown[], mc: unknown, fp: number, depth: number, jd: number, osr: number, fuel: number) => number;
/**
 * What a generated source makes, once per source: the maker of an instance's pair, the function generated callers
 * call (WasmFunc.jitS: one closure for every instance, or the instance's own, see PER_INSTANCE_ENV) and the JitFn
 * around it that the interpreter calls (WasmFunc.jit).
 */
type Factory = (r: unknown) => (e: unknown[]) => [SharedFn, JitFn];
export interface Shared {
  mk: (e: unknown[]) => [SharedFn, JitFn];
}

/**
 * A function with more environment entries than this, or split (outline.ts), keeps its environment in its closure,
 * one closure per instance, as before the shared closure (it still takes `E`, unused): reading every entry at every
 * call cost quickjs' split dispatch function 123 loads and a context of as many slots per call (QuickJS calls it for
 * every JS function call), and quickjs' steady calls were 30-45% slower (BENCHMARKS.md, session 13, helper calls8).
 */
const PER_INSTANCE_ENV = 24;

/**
 * What the instances of one module share per function, by the function body (one per function of a module):
 * - `bySrc`: the compiled factories by source. Generation is deterministic and everything of an instance is in
 *   `E`, so the instances of a module generate the same source, and V8 compiles it once per module, not once per
 *   instance (hash-wasm's argon2 instantiates its module for every call). Usually two sources at most (whole and
 *   split; stores with other fuel settings generate others); they stay while the module does (one byte
 *   per character: sql.js' 8 MB). A list compared with `===` (different lengths differ at once), not a Map: a Map
 *   hashes its key, every character of every source (and flattens it first, a copy `new Function` does not need),
 *   for the first instance's lookup too, when there is nothing to find (5-8 ms of sql.js' first run).
 * - for a function too large for V8 (outline.ts): `hot`, the loop-head passes left before it is split, counted by
 *   all instances together, and `split`, whether it has been: later instances generate it split at once (counted
 *   per instance, a module instantiated for every call would never reach the count).
 */
interface BodyShare {
  bySrc: { src: string; made: Shared }[];
  hot: { n: number };
  split: boolean;
  /**
   * - `made`: the generated function of the first instance by what generation read besides the module (rebind.ts):
   *   a later instance with the same key binds it to its objects instead of generating it again; or why the tier
   *   declined it (a later instance declines it too).
   */
  made: Map<string, Made | string>;
  /**
   * An access past the memory's end has trapped in this body's generated code (its catch called oobTrapped): it is
   * generated with a bounds check of its own before each access from then on.
   */
  trapped: boolean;
  /** The profile of a function split or large enough to be (cold.ts Profile), or null. */
  prof: Profile | null;
}
const shares = new WeakMap<FuncBody, BodyShare>();

function share(body: FuncBody): BodyShare {
  let sh = shares.get(body);
  if (sh === undefined) shares.set(body, (sh = { bySrc: [], hot: { n: outlining.hot }, split: false, made: new Map(), trapped: false, prof: null }));
  return sh;
}

function factory(sh: BodyShare, src: string): Shared {
  for (let i = 0; i < sh.bySrc.length; i++) {
    const k = sh.bySrc[i]!;
    if (k.src !== src) continue;
    jitStats.shared++;
    return k.made;
  }
  const made = { mk: jsEval.compile(src)(runtime()) };
  sh.bySrc.push({ src, made });
  return made;
}

/**
 * V8's on-stack replacement, and why every function with loops is wrapped in `WARM_HEAD … WARM_TAIL` (issue 16,
 * BENCHMARKS.md "The C outliers, session 11"). A generated function's first call usually spends long in one loop,
 * so V8 compiles it with TurboFan while it runs (OSR), entering at that loop. That OSR code reaches the code after
 * the loop, which has never run and so has no type feedback: the first comparison there deoptimizes it. V8 keeps
 * OSR code that deoptimizes outside the outermost loop around the OSR'd loop (it is still good for the loop, the
 * reasoning goes) and does not reset the function's tiering; when the function's regular optimized code was
 * discarded too (by a similar deopt of its own), every later call entered the same OSR code at the loop and
 * deoptimized after it again: the "slow state" of `nbody`, `matmul`, `alloc` and `sieve`, a third to a half slower,
 * which processes landed in by chance. Inside one outer loop around the whole body, every deopt is inside the
 * outermost loop around the OSR'd one, so V8 throws the OSR code away and tiers up again, with the feedback the
 * interpreter has collected since. The outer loop never goes round for a call: the body always returns or throws.
 *
 * The same loop runs the warm-up call (osr < 0: the body is skipped, the loop counts osr up to 0). V8 allocates a
 * function's feedback vector only after its loops and returns have run a few times its bytecode's length; before
 * that, nothing records type feedback. A first call that enters a long loop right away gets the vector in that
 * loop, so the code before the loop (the entry checks, the re-entry prologue) had no feedback when V8 compiled the
 * function, and the regular optimized code deoptimized at its first property load (`mc.jsTop`). One warm-up call
 * when the source is first made, going round WARM_PER_CHAR times per character of source (V8 needed 0.15-0.3 for
 * the C suite's functions; the closures of one factory share one feedback vector, so once per factory), gets the
 * vector before the first real call: `matmul` 3.1x -> 2.9x V8 metered on top of the loop alone.
 */
const WARM_HEAD = 'for (;;) {\nif (osr >= 0) {\n';
const WARM_TAIL = '}\nif (++osr >= 0) return fuel;\n}\n';
const WARM_PER_CHAR = 0.6;
const warmed = new WeakSet<Shared>();

function warmUp(sf: Shared, fn: SharedFn, env: unknown[], chars: number): void {
  if (warmed.has(sf)) return;
  warmed.add(sf);
  fn(env, null, 0, 0, 0, -Math.ceil(chars * WARM_PER_CHAR), 0);
}

/**
 * Generates the JS version of a function; null when it uses something the tier leaves to the interpreter.
 * `split`: split it into nested functions if it is too large for V8 to optimize (outline.ts), whatever outlining.hot.
 */
export function generate(mc: Machine, cc: Compiled, split = false): JitFn | null {
  if (jsEval.blocked) return null;
  // made for another instance of the module already (rebind.ts)?
  const sh = share(cc.func.body);
  const key = madeKey(mc, cc.inst, sh, split);
  const known = sh.made.get(key);
  if (typeof known === 'string') return declined(known);
  if (known !== undefined && known.vm === cc.inst.vm) {
    const fn = rebind(known, cc) as JitFn | null;
    if (fn !== null) {
      jitStats.generated++;
      jitStats.shared++;
      if (known.withHandlers) jitStats.withHandlers++;
      bindKnown(mc, cc.inst);
      return fn;
    }
  }
  // in the persistent cache (code-cache.ts)?
  const cache = known === undefined && mc.codeCache !== null && cacheable(sh) ? mc.codeCache : null;
  const ck = cache !== null ? lookUpKey(cache, mc, cc.inst, cc.func.index, versionKind(split, sh)) : null;
  if (ck !== null) {
    const fn = fromCache(cache!, ck, mc, cc, sh, key);
    if (fn !== null) return fn;
  }
  try {
    // an engine that gives every NaN it reads as its canonical one: no f32 or f64 values in generated code (float-scan.ts)
    if (!nanBits.kept) floatsObserved(cc.inst.vm, cc.func.index, cc.func.type.params);
    // the pre-pass made in the translation's validator pass (prescan), or a pass of its own: always with the static
    // cold rule on (cold.ts; its ColdScan reads the translation's block starts, which that pass is still making)
    const pre = cc.prescan;
    cc.prescan = null;
    let scan: LoopScan;
    if (pre instanceof LoopScan && !coldElision.static) scan = pre;
    else {
      scan = new LoopScan(cc.blockPc, mem32(cc.inst), coldElision.static ? new ColdScan(cc.blockPc, noReturnImports(cc.inst.module)) : null);
      validateFunction(cc.inst.vm, cc.func.index, scan);
    }
    JsGen.tables();
    const g = new JsGen(mc, cc, scan);
    g.split = split;
    g.explicitBounds = sh.trapped;
    if (profile.on) {
      // (a whole generation with the blocks its profile never saw run as exits; or an interpreter's dispatch loop (or
      // any function of profile.bytes or more), with a hit store per block: cold.ts profile)
      const p = sh.prof;
      if (p !== null && p.phase > 0 && !split) g.coldBy = p;
      else if ((p === null || p.phase === 0) && (scan.dispatch || cc.func.body.body.length >= profile.bytes)) g.profile = sh.prof ??= newProfile(cc.code.length);
    }
    validateFunction(cc.inst.vm, cc.func.index, g);
    const hash = codeHash(cc.code);
    const fn = g.build();
    // the interpreter's loop heads of this function become re-entry points (exec.ts FUEL_OSR)
    const osr: number[] = [];
    for (const e of g.osrEntries) {
      if (cc.code[e.pc] !== Op.FUEL && cc.code[e.pc] !== Op.FUEL_OSR) continue;
      cc.patch(e.pc, Op.FUEL_OSR);
      // (a head may check nothing itself, gen-fuel.ts checkBeforeLoop: re-entry must bring its max, that of this version)
      if (e.fuel !== null) cc.osrFuel.set(e.pc, e.fuel.max);
      osr.push(e.pc, e.fuel !== null ? e.fuel.max : -1);
    }
    const made = g.made;
    if (made !== null && known === undefined) {
      made.codeHash = hash;
      made.osr = Int32Array.from(osr);
      made.withHandlers = cc.handlers !== null;
      sh.made.set(key, made);
    }
    if (ck !== null && fn !== null) toCache(cache!, ck, cc, sh, g, made, scan.loopCalls);
    jitStats.generated++;
    if (cc.handlers !== null) jitStats.withHandlers++;
    if (fn !== null) loopCallees(mc, cc, scan.loopCalls);
    return fn;
  } catch (e) {
    // (a whole generation over its limit: the split version runs on, rewhole)
    if (e instanceof NotWhole) return null;
    if (e instanceof EvalError) {
      jsEval.blocked = true;
      return declined('new Function forbidden');
    }
    if (e instanceof Unjittable) {
      sh.made.set(key, e.message);
      return declined(e.message);
    }
    // nesting too deep for V8's parser (new Function): the interpreter, which does not recurse, runs it
    if (e instanceof RangeError && /call stack/i.test(e.message)) return declined('nesting too deep for JS');
    // anything else (a string or array too long for V8, a bug of the generator): the interpreter runs the
    // function, with the same results and fuel; the tier never makes a call fail
    return declined(e instanceof RangeError ? 'too large for JS' : `internal error: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * Whether the version of a function generated next may come from the persistent cache and go into it
 * (code-cache.ts): not with its own bounds checks after a trap, not made from a profile's hits (a profile past its
 * phase 0: a function that turns out to be one when generated is not stored, toCache), with no test forcing cold
 * blocks at random, in an engine that keeps NaN bits (else float-scan.ts decides per module before generation). A
 * split version, or a profiling one, is: it is made from the body and the state versionKind names.
 */
function cacheable(sh: BodyShare): boolean {
  return !sh.trapped && (sh.prof === null || sh.prof.phase <= 0) && coldElision.force === null && nanBits.kept && !jsEval.blocked;
}

/**
 * The part of a version's cache key that names the state it is made from besides the key's module, machine, instance
 * and settings (madeKey's): `w` for the first generation of a body (not to be split, never split, no profile), else
 * whether it is to be split, whether the body was split, and the profile's phase (`-`: none; phase 0, the profiling
 * version, does not read the profile's hits; phase -1, split for good, neither).
 */
function versionKind(split: boolean, sh: BodyShare): string {
  if (!split && !sh.split && sh.prof === null) return 'w';
  return `w${split ? 1 : 0}${sh.split ? 1 : 0}p${sh.prof === null ? '-' : sh.prof.phase}`;
}

/**
 * The cache key of function `index`'s generated version (`w`) or translation (`t`) for `inst` (code-cache.ts
 * cacheKey), or null: the module's bytes unknown, or unreadable.
 */
function lookUpKey(cache: CodeCache, mc: Machine, inst: Instance, index: number, kind: string): string | null {
  buildId();
  try {
    return cacheKey(cache, mc, inst, index, kind);
  } catch {
    return null;
  }
}

/** Fast translations in the persistent cache (TierCompiler.translations, Machine.compile; code-cache.ts). */
generate.translations = {
  get(mc: Machine, f: WasmFunc): Translation | undefined {
    // (the translator's float ops depend on it, as generation does: cacheable)
    if (!nanBits.kept) return undefined;
    const cache = mc.codeCache!;
    const k = lookUpKey(cache, mc, f.instance as Instance, f.index, 't');
    let t: Translation | null = null;
    try {
      if (k !== null) t = decodeTranslation(cache.get(k), k, f, cache);
    } catch {
      // (an unreadable entry is a miss)
    }
    if (t === null) translationCacheStats.misses++;
    else translationCacheStats.hits++;
    return t ?? undefined;
  },
  set(mc: Machine, f: WasmFunc, t: Translation): void {
    if (!nanBits.kept) return;
    const cache = mc.codeCache!;
    const k = lookUpKey(cache, mc, f.instance as Instance, f.index, 't');
    try {
      if (k !== null) {
        cache.set(k, encodeTranslation(k, t, cache));
        translationCacheStats.stores++;
      }
    } catch {
      // (a store not made)
    }
  },
};

/**
 * Without a build id from the bundler (code-cache.ts codeCacheBuild: running from source), the generator's own text
 * as one: its classes (JsGen and every class it extends) and the runtime's helpers, hashed.
 */
function sourceBuildId(): string {
  let text = '';
  for (let c: unknown = JsGen; typeof c === 'function' && c !== Function.prototype; c = Object.getPrototypeOf(c)) text += String(c);
  const r = runtime() as Record<string, unknown>;
  for (const n of Object.keys(r)) text += `${n}=${String(r[n])}`;
  return `source-${textSum(text)}-${text.length}`;
}
codeCacheBuild.source = sourceBuildId;

/**
 * `cc`'s function made from the cache entry under `ck`, bound to its instance (as rebind.ts binds a later instance),
 * with what generating it would have done besides: its warm-up call, and its loop callees generated ahead. Null (a
 * miss) when there is no usable entry: none, damaged, for another translation, or one whose source does not compile.
 */
function fromCache(cache: CodeCache, ck: string, mc: Machine, cc: Compiled, sh: BodyShare, key: string): JitFn | null {
  let e: (CacheEntry & { sum: string }) | null = null;
  try {
    e = decodeEntry(cache.get(ck), ck, cache);
  } catch {
    // (an unreadable entry is a miss)
  }
  if (e === null) {
    codeCacheStats.misses++;
    return null;
  }
  let fn: JitFn | null = null;
  let made: Made;
  let shared: Shared;
  // (a profiling version's profile: the body's, or the new one generating it would make, kept only on a hit)
  const prof = e.chars !== null ? (sh.prof ?? newProfile(cc.code.length)) : sh.prof;
  try {
    const inst = cc.inst;
    const recipe = recipeIn(e.recipe, inst, (n) => constValue(n, inst, { hot: sh.hot, prof }));
    // (the cache's own compile, V8's cached data in Node's fileCodeCache; else new Function)
    let f: unknown;
    try {
      f = cache.compile?.(ck, e.src, e.sum);
    } catch {
      f = undefined;
    }
    shared = { mk: (typeof f === 'function' ? (f as Factory) : jsEval.compile(e.src))(runtime()) };
    made = { vm: inst.vm, shared, recipe, codeLen: e.codeLen, codeHash: e.codeHash, frameWords: e.frameWords, osr: Int32Array.from(e.osr), withHandlers: e.withHandlers };
    fn = rebind(made, cc, false) as JitFn | null;
  } catch {
    // (a source that does not compile, a maker that throws: generated as without a cache, which reports a forbidden
    // `new Function` itself)
  }
  if (fn === null) {
    codeCacheStats.misses++;
    return null;
  }
  cc.prescan = null;
  // (what generating it records besides: a profiling version's characters per block, a split body)
  if (e.chars !== null) {
    sh.prof = prof;
    prof!.chars.set(e.chars);
  }
  if (e.split) {
    sh.split = true;
    jitStats.split++;
    if (e.chars !== null && e.src.includes(HIT_DECL)) profileStats.profiled++;
  }
  if (e.warm > 0) warmUp(shared!, cc.func.jitS as SharedFn, cc.func.jitE as unknown[], e.warm);
  sh.made.set(key, made!);
  codeCacheStats.hits++;
  jitStats.generated++;
  if (e.withHandlers) jitStats.withHandlers++;
  loopCallees(mc, cc, new Set(e.calls));
  return fn;
}

/** `cc`'s function, just generated by `g`, into the cache under `ck` when it can be (cacheable; else counted `uncachable`). */
function toCache(cache: CodeCache, ck: string, cc: Compiled, sh: BodyShare, g: JsGen, made: Made | null, calls: ReadonlySet<number>): void {
  const inst = cc.inst;
  const recipe = made !== null && !g.explicitBounds && g.coldBy === null ? recipeOut(made.recipe, (v) => constName(v, inst, sh)) : null;
  if (recipe === null) {
    codeCacheStats.uncachable++;
    return;
  }
  const value = encodeEntry(ck, {
    src: g.source,
    recipe,
    codeLen: made!.codeLen,
    codeHash: made!.codeHash,
    frameWords: made!.frameWords,
    osr: Array.from(made!.osr),
    withHandlers: made!.withHandlers,
    warm: g.warmChars,
    calls: [...calls],
    split: g.splitDone,
    chars: g.profile !== null ? Array.from(g.profile.chars) : null,
  }, cache);
  try {
    cache.set(ck, value);
    codeCacheStats.stores++;
  } catch {
    // (a cache that cannot store: the next process generates it again)
  }
}

/** Memory 0 exists with 32-bit addresses (LoopScan's `mem32`). */
function mem32(inst: Instance): boolean {
  const m0 = inst.memories[0];
  return m0 !== undefined && m0.type.addr === 'i32';
}

/**
 * The tier's pre-pass for `f` (TierCompiler.prescan): its LoopScan, fed by the translator's validator pass, for a
 * function without v128 locals (LoopScan reads the translation's block starts for those, known only after it).
 */
generate.prescan = (mc: Machine, f: WasmFunc): LoopScan | null => {
  // (not with the static cold rule on: generate makes its own pass then)
  if (jsEval.blocked || coldElision.static) return null;
  const ps = f.type.params;
  for (let i = 0; i < ps.length; i++) if (ps[i] === V128) return null;
  const ls = f.body.locals;
  for (let i = 0; i < ls.length; i++) if (ls[i]!.type === V128) return null;
  return new LoopScan(null, mem32(f.instance as Instance));
};

/** What generation reads besides the module (rebind.ts): the key of a function's `made` entry. */
function madeKey(mc: Machine, inst: Instance, sh: BodyShare, split: boolean): string {
  return `${split ? 1 : 0}${sh.split ? 1 : 0}${sh.trapped ? 1 : 0}${profile.on ? `p${sh.prof === null ? 0 : sh.prof.phase},${profile.bytes},${profile.fit ?? ''},${profile.entries === null ? '' : 'e'}` : ''}|${outlining.at},${outlining.limit},${outlining.min},${outlining.chain},${outlining.hot === 0 ? 0 : 1}|${machineKey(mc)}|${instanceKey(inst)}`;
}

const boundAll = new WeakSet<Instance>();

/**
 * At a later instance's first bound function: every other function of the instance that an earlier instance
 * generated is bound now too (as its first call would), so that the shared code's calls of them find their JS version
 * (WasmFunc.jitS) from the start. A call that found none went through `callSlow`, a path the shared code had never
 * taken in the first instance, and V8 deoptimized it there for want of type feedback and compiled it again (argon2's
 * compress function: ~1 s of TurboFan per process). Nothing runs, so no fuel is spent; a translation or binding that
 * fails leaves the function to its first call, as before.
 */
function bindKnown(mc: Machine, inst: Instance): void {
  if (boundAll.has(inst)) return;
  boundAll.add(inst);
  const funcs = inst.funcs;
  for (let i = inst.vm.numImportedFuncs; i < funcs.length; i++) {
    const f = funcs[i];
    if (!(f instanceof WasmFunc) || f.jitState !== 0 || f.instance !== inst) continue;
    const sh = shares.get(f.body);
    const made = sh?.made.get(madeKey(mc, inst, sh, false));
    if (made === undefined || typeof made === 'string' || made.vm !== inst.vm) continue;
    generateAhead(mc, f);
  }
}

/** Generates `f` before its first call (nothing runs, no fuel is spent); one that cannot be translated is left to its first call. */
function generateAhead(mc: Machine, f: WasmFunc): void {
  try {
    jitFor(mc, f);
  } catch {
    // (its first call translates it again, and throws there as the interpreter would)
    if ((f.jitState as number) === 2 && f.jit === null) f.jitState = 0;
  }
}

/** At most this many callees of a function are generated ahead of their first call (loopCallees). */
export const LOOP_CALLEES = 4;
/**
 * Only callees of at most this many bytes of code are generated ahead (loopCallees): a small callee is what V8 inlines
 * into the caller's loop, where the slow call path's merge costs most; a larger one's own work outweighs it, and
 * generating it costs a first run more when the loop never calls it (quickjs, sql.js: many loop calls are on error
 * paths; without this bound their first runs generated 6% more source, with it 3%).
 */
export const LOOP_CALLEE_BYTES = 128;
let ahead = false;

/**
 * A function was generated: the first LOOP_CALLEES of the functions of its instance it calls directly inside a loop
 * that have no JS version yet are generated now, before its first run (not their own callees in turn). Otherwise the
 * first iteration found the callee without one (`jitS` null), went through `callSlow`, and V8, having seen that path
 * run, compiled both the fast and the slow call into the optimized loop, whose merge leaves the result untyped and
 * `mc.fuel` a load after a map check (BENCHMARKS.md, "A loop's callees generated with it"). A callee declined, or
 * one whose translation throws, is left as it was.
 */
function loopCallees(mc: Machine, cc: Compiled, calls: ReadonlySet<number>): void {
  if (ahead || calls.size === 0) return;
  ahead = true;
  try {
    let n = 0;
    const funcs = cc.inst.funcs;
    for (const i of calls) {
      const f = funcs[i];
      if (!(f instanceof WasmFunc) || f.jitState !== 0 || f.instance !== cc.inst || f.body.body.length > LOOP_CALLEE_BYTES) continue;
      generateAhead(mc, f);
      if ((f.jitState as number) === 1) jitStats.ahead++;
      if (++n >= LOOP_CALLEES) break;
    }
  } finally {
    ahead = false;
  }
}

function declined(why: string): null {
  jitStats.declined.set(why, (jitStats.declined.get(why) ?? 0) + 1);
  return null;
}

/**
 * Generates `cc`'s function again (split if `split`) and installs it for this instance (its callers read WasmFunc.jitS
 * at each call); whether there is one. The old version, still on the stack, runs on.
 */
function regenerate(mc: Machine, cc: Compiled, split: boolean): boolean {
  // the generator expects the translation's FUEL ops at block starts: the re-entry marks go, generate sets them again
  const code = cc.code;
  const marks: number[] = [];
  for (const pc of cc.blockPc.values())
    if (code[pc] === Op.FUEL_OSR) {
      marks.push(pc);
      cc.patch(pc, Op.FUEL);
    }
  const fn = generate(mc, cc, split);
  if (fn === null) {
    for (const pc of marks) cc.patch(pc, Op.FUEL_OSR);
    return false;
  }
  cc.func.jit = fn;
  return true;
}

/**
 * The loops of a too-large function have gone round outlining.hot times: from its next call or re-entry on, its
 * split version runs. Whether there is one.
 */
function resplit(mc: Machine, cc: Compiled): boolean {
  if (regenerate(mc, cc, true)) return true;
  // (the module's other instances do not try again either)
  share(cc.func.body).hot.n = Infinity;
  return false;
}

/**
 * The profiling split version's re-entry loop heads have been passed profile.passes times (cold.ts profile): the
 * function is generated whole with the blocks that never ran as exits and, when that fits, installed (the frame hands
 * off at this loop head, as for a fuel shortage, and the interpreter re-enters the whole version there; counting
 * entries, profile.entries, called in the prologue: the frame runs on in the split version, its return value unused,
 * and the whole version runs from the next entry or re-entry). Whether there is one; when it does not fit (or is declined) the split version runs on, for good. The count is the module's: an
 * instance still running its profiling version after another one's regeneration keeps it (its later instances bind
 * the whole version).
 */
function rewhole(mc: Machine, cc: Compiled): boolean {
  const p = share(cc.func.body).prof!;
  // (the count's field stays a small integer: Infinity would make it a double, a field representation the split
  // version's optimized code, reading it at every loop pass, has not seen)
  p.left.n = NEVER;
  if (p.phase < 0) return false;
  if (p.phase === 0) {
    // (far over the limit by the profile's estimate: not generated)
    if (wholeEstimate(p) > profile.margin * (profile.fit ?? outlining.at)) {
      profileStats.skipped++;
      p.phase = -1;
      return false;
    }
    p.phase = 1;
  }
  if (p.phase > 0 && regenerate(mc, cc, false)) {
    profileStats.whole++;
    return true;
  }
  if (p.phase > 0) profileStats.unfit++;
  p.phase = -1;
  return false;
}
/** A count that does not run out (the largest small integer of V8's 31-bit Smis; rewhole once in that many passes if it does). */
const NEVER = 0x3fffffff;

/**
 * A whole version generated from a profile (`phase`, rewhole) took the exit of a block its profile never saw run (pc
 * `pc`): the block is marked, and past profile.exits such exits the function is generated again, whole with the
 * blocks marked since, or, after profile.regens whole generations or when that does not fit, split for good. A version
 * of an earlier phase (another instance's) binds the current one. The exit goes on to the interpreter as before.
 */
function coldHit(mc: Machine, cc: Compiled, pc: number, phase: number): void {
  const p = share(cc.func.body).prof!;
  p.hits[pc] = 1;
  profileStats.exits++;
  if (phase !== p.phase) {
    regenerate(mc, cc, p.phase < 0);
    return;
  }
  if (++p.exits < profile.exits) return;
  p.exits = 0;
  if (p.phase < profile.regens) {
    p.phase++;
    if (regenerate(mc, cc, false)) {
      profileStats.regenerated++;
      return;
    }
  }
  p.phase = -1;
  profileStats.backToSplit++;
  regenerate(mc, cc, true);
}

/**
 * An access past the memory's end has trapped in the catch of `cc`'s generated code (patch.ts). In optimized
 * code that trap was a deoptimization at the DataView's check, after which V8 no longer inlines that access but calls
 * the DataView's builtin there, in every later optimization of the function (the closure every instance of the
 * module shares): about 45 ns an access instead of 1 in a loop of getInt32s. So the function is generated again, with
 * a bounds check of its own before each access (BodyShare.trapped; the module's later instances bind that version),
 * and this instance calls the new one from now on. Nothing runs; no fuel is spent.
 */
function oobTrapped(mc: Machine, cc: Compiled): void {
  const sh = share(cc.func.body);
  sh.trapped = true;
  regenerate(mc, cc, sh.split);
}

/** The epilogue writes a run of at least this many consecutive i32 locals with one call (rt.ts spillRun). */
const SPILL_RUN = 3;

/** Where build() puts the declarations of the scratch variables and of the runtime's helpers (declareUsed). */
const SCRATCH_DECL = '\u0001SCRATCH\u0001\n';
const R_DECL = '\u0001R\u0001\n';
/** The scratch variables generated code may use, with their initial values (`fx`: a double from the start). */
const SCRATCH: [string, string][] = [
  ['st', '0'], ['ex', '0'], ['ea', '0'], ['eb', '0'], ['fx', '0.5'], ['x', '0'], ['y', '0'],
  ['m0', '0'], ['m1', '0'], ['m2', '0'], ['m3', '0'], ['m6', '0'], ['m7', '0'],
  ['u0', '0'], ['u1', '0'], ['u2', '0'], ['u3', '0'], ['cf', 'null'], ['jf', 'null'], ['rr', 'null'], ['xe', 'null'], ['tr', '0'],
];

/**
 * The method generating each instruction that JsGen's `instr` hands on (its numeric and memory-access cases aside), by
 * instruction id: the names of the instructions with a method of their own (JsGen.OPS), and whether every instruction
 * has an entry (tests).
 */
export function sinkOps(): { named: string[]; complete: boolean } {
  return { named: JsGen.opNames(), complete: OPS_BY_ID.length === INSTRS.length && OPS_BY_ID.every((f) => typeof f === 'function') };
}

/** The names of the runtime's helpers generated code may read (tests). */
export function runtimeNames(): readonly string[] {
  runtime();
  return R_NAMES;
}

/**
 * The names declareUsed looks for: the scratch variables, `d1`, `jw`, `RF`, `FD` and the runtime's helpers. The
 * frequent ones (FREQUENT: quickjs' sources name them 115,000 times, the others a few thousand) are each looked for
 * alone, a search that stops at the first occurrence; the others with one regex over the whole source (USED), whose
 * every match is a match array and a string.
 */
let USED: RegExp | null = null;
const FREQUENT = ['ea', 'st', 'tr', 'jf', 'ex', 'd1', 'jw', 'callSlow', 'cf'];
// (global: each is tried from the name's first occurrence as a string, found by a native search, usedIn)
const FREQUENT_RE = FREQUENT.map((n) => new RegExp(`\\b${n}\\b`, 'g'));

/**
 * Whether `name` occurs in `p` as a word (`re`: /\bname\b/g): a regex over the whole text only from the name's
 * first occurrence as a string (`indexOf`, a native search many times faster than the regex's scan), and not at all
 * when there is none (a function without calls has no `callSlow`, `cf`, `d1`, `jw`: each was a scan of its
 * whole source).
 */
export function usedIn(p: string, name: string, re: RegExp): boolean {
  const at = p.indexOf(name);
  if (at < 0) return false;
  re.lastIndex = at;
  return re.test(p);
}

/**
 * What the function's source declares of the scratch variables (and `d1`/`jw`, `RF`, `FD`) and of the runtime's
 * helpers (`R`): only those it uses, found in one scan of `parts`, its text after the scratch variables' line (build:
 * the prologue, the body, the epilogue; joined at newlines, so no name spans two). `d1` and `jw` are what every call
 * passes down, the callee's call depth and JS stack in use (`depth + 1`, `jd + ` the function's weight): one variable
 * each instead of the sum at every site (quickjs' call sites wrote them 8,000 times, 4% of its source, twice per site
 * with the slow call). Unused declarations are not free: each is bytecode, and V8
 * inlines a function only under 460 bytes of bytecode (--max-inlined-bytecode-size): a small callee with fuel code
 * (whose exits keep the epilogue alive) was just over it, and the call in its caller's loop, inlined without fuel,
 * was not with it (BENCHMARKS.md, metering). The helpers were all ~70 destructured in every factory: 700 characters
 * per function for V8 to parse (quickjs: 210 KB of its 4.9 MB of source).
 */
export function declareUsed(parts: readonly string[], wt: number): { helpers: string; decl: string } {
  USED ??= new RegExp(`\\b(?:${[...SCRATCH.map(([n]) => n), 'd1', 'jw', 'RF', 'FD', ...R_NAMES].filter((n) => !FREQUENT.includes(n)).join('|')})\\b`, 'g');
  const used = new Set<string>();
  for (let i = 0; i < FREQUENT.length; i++) {
    const n = FREQUENT[i]!;
    for (let j = 0; j < parts.length; j++) {
      if (!usedIn(parts[j]!, n, FREQUENT_RE[i]!)) continue;
      used.add(n);
      break;
    }
  }
  for (const p of parts) {
    USED.lastIndex = 0;
    for (let m = USED.exec(p); m !== null; m = USED.exec(p)) used.add(m[0]);
  }
  // (strings built in loops over the constant lists: a filtered list was an empty array of another map in some
  // functions, and V8's optimised code was thrown away at the first of the other kind)
  let vars = '';
  for (let i = 0; i < SCRATCH.length; i++) if (used.has(SCRATCH[i]![0])) vars += `, ${SCRATCH[i]![0]} = ${SCRATCH[i]![1]}`;
  let calls = used.has('d1') ? 'd1 = depth + 1' : '';
  if (used.has('jw')) calls += `${calls === '' ? '' : ', '}jw = jd + ${wt}`;
  const decl =
    (calls !== '' ? `var ${calls};\n` : '') +
    (used.has('RF') ? 'var RF = mc.refs;\n' : '') +
    `var S = mc.s${used.has('FD') ? ', FD = mc.f64' : ''}${vars};\n`;
  let helpers = '';
  for (let i = 0; i < R_NAMES.length; i++) if (used.has(R_NAMES[i]!)) helpers += `${helpers === '' ? '' : ', '}${R_NAMES[i]!}`;
  return { helpers: helpers !== '' ? `var { ${helpers} } = R;\n` : '', decl };
}

/**
 * `n = w;` for each name and its word, joined by spaces (osrPrologue). A string built in a loop: the arrays `map` made
 * there had another map in TurboFan's code than in the builtin's, and osrPrologue's optimised code was thrown away at
 * their `join` (once per first run in sql.js and tiktoken).
 */
export function assignments(names: readonly string[], ws: readonly string[]): string {
  let s = '';
  for (let k = 0; k < names.length; k++) s += `${k === 0 ? '' : ' '}${names[k]!} = ${ws[k]!};`;
  return s;
}

/** A re-entry loop head's fuel check, where a too-large function counts its passes (build). */
const LOOP_HEAD = /(: for \(;;\) \{ if \(osr === \d+\) osr = 0;\nif \(osr === 0\) \{\n)if \(fuel < (\d+)\) \{ ex = (\d+); break X; \}/g;

/** A profiling version's hit store (JsGen instr, cold.ts profile), removed from a version that is not split. */
const HIT_STORE = /(?<![\w$])HP\[\d+\] = 1;/g;
/** A profiling split version's declaration of the profile's hits (its hit stores' HP). */
const HIT_DECL = 'var HP = ';

export { DISPATCH_TARGETS };

/** A method of JsGen generating one instruction (JsGen.OPS). */
type SinkOp = (this: JsGen, ins: Instr, v: FuncValidator, name: string) => void;
/** JsGen.OPS by instruction id (InstrDef.id): every instruction's entry, made with the class (one array map throughout). */
let OPS_BY_ID: SinkOp[] = [];

class JsGen extends JsRefs implements CodeSink {
  /** split it when too large, now (see generate) */
  split = false;
  /** it has an interpreter's dispatch: a br_table of DISPATCH_TARGETS or more inside a loop */
  dispatch = false;
  /** what build() made, for the module's later instances (rebind.ts); null when an environment entry is unknown */
  made: Made | null = null;
  /** what build() made, for the persistent cache (code-cache.ts): the source, and its warm-up's length (0: none) */
  source = '';
  warmChars = 0;
  /** the profile this split (or maybe split) version records block hits into (cold.ts profile), or null */
  profile: Profile | null = null;
  /** a whole generation from this profile: the blocks it never saw run are exits (isCold), or null */
  coldBy: Profile | null = null;
  /** whether build() split this version (outline.ts): the persistent cache's entry records it (code-cache.ts) */
  splitDone = false;
  /** the hit stores' characters (with their newlines), not counted when build decides whether to split */
  private hitChars = 0;
  /** the block start whose characters are being counted (Profile.chars), and the budget left at it */
  private charsAt = -1;
  private charsBudget = 0;
  /** A profiling version: the block that started last wrote the characters since (Profile.chars; the budget counts them). */
  private blockChars(p: Profile, bp: number): void {
    if (this.charsAt >= 0) p.chars[this.charsAt] = this.charsBudget - this.budget;
    this.charsAt = bp;
    this.charsBudget = this.budget;
  }
  // ------------------------------------------------------------ the sink

  instr(ins: Instr, v: FuncValidator): void {
    this.fv = v;
    this.insOff = ins.offset;
    const def = ins.def;
    const name = def.name;
    // (a link set by the previous instruction holds for this one only)
    const link = this.fuelNext;
    this.fuelNext = null;
    // (right after an elided frame's end, a block start is reached another way too: a branch to that end; any later
    // in the frame is reached through the tail alone, and the operand stack is the frame's results only there)
    if (this.coldTail) {
      if (this.coldEnded && this.cc.blockPc.has(ins.offset)) this.coldTail = false;
      this.coldEnded = false;
    }
    if (v.unreachable || this.deadDepth > 0 || this.coldAt !== null || this.coldTail) {
      // the path has ended: code the validator finds reachable again without a block start of its own
      // (after the end of a frame nothing branches to) is never run, and no block may chain to it
      this.fuelHere = null;
      this.fblk = null;
      this.deadInstr(ins, v);
      return;
    }
    const bp = this.cc.blockPc.get(ins.offset);
    this.settleF32(def, bp !== undefined);
    if (bp !== undefined && this.isCold(bp, ins.offset, name)) {
      this.elide(bp, ins, v);
      return;
    }
    if (bp !== undefined) {
      this.blockStart(bp, link);
      // (a profiling version: the block ran; not in a counted loop's candidate, whose copy without fuel code stays
      // as it is; such a block is never cold, isCold, and counts as hit for the estimate)
      const p = this.profile;
      if (p !== null) {
        this.blockChars(p, bp);
        if (this.cand === null) {
          const h = `HP[${bp}] = 1;`;
          this.hitChars += h.length + 1;
          this.w(h);
        } else p.hits[bp] = 1;
      }
    } else if (this.pendingOsr >= 0) no('loop head');
    const arm = this.pendingArm;
    if (arm !== null) {
      // the first block of an arm, when it starts right there and is reached from the block of the `if` alone
      this.pendingArm = null;
      const first = bp !== undefined && link !== null && name !== 'else' && name !== 'end' ? this.fblk : null;
      if (this.pendingElse) arm.elseFirst = first;
      else arm.thenFirst = first;
    }
    this.cum += this.costs[def.id]!;
    if (!keepsMemory(def)) this.fcache.memoryWritten();
    if (def.prefix === 0xfd) {
      this.simd(ins);
      return;
    }
    const sym = this.cand !== null && def.prefix === 0 ? this.symOp(name) : null;
    if (this.numeric(def.id)) {
      if (sym !== null) this.st[this.st.length - 1]!.sym = sym;
      return;
    }
    if (def.bytes > 0 && def.params !== null && def.family === 'memory') {
      this.memAccess(ins, name);
      return;
    }
    // every other instruction: its method (OPS), found by the instruction's id
    OPS_BY_ID[def.id]!.call(this, ins, v, name);
  }

  /**
   * Whether the block starting at `bp` (byte offset `off`) is generated as an exit (cold.ts): not the entry, a loop
   * head (a re-entry point) nor an else, catch or end, and not inside a counted loop's candidate (whose copy without
   * fuel code wants no exit in its body).
   */
  private isCold(bp: number, off: number, name: string): boolean {
    if (bp === 0 || this.pendingOsr >= 0 || this.cand !== null || name === 'end' || name === 'else' || name === 'delegate' || CATCH_ARM.has(name)) return false;
    const force = coldElision.force;
    return (
      (this.scan.cold !== null && this.scan.cold.cold.has(off)) || (this.coldBy !== null && this.coldBy.hits[bp] === 0) || (force !== null && force(this.cc.func.index, off))
    );
  }
  /**
   * A cold block: the exit a fuel shortage at its start takes (the interpreter runs it from its FUEL, which checks and
   * charges it), and nothing more of the frame (deadInstr, until its else, catch arm or end, and after its end up to
   * the next block start). No fuel block starts here, so nothing before prepays or checks for it (a br_if chain, an
   * if's arms, a join): the fuel here is the interpreter's before the block, exactly.
   */
  private elide(bp: number, ins: Instr, v: FuncValidator): void {
    // (a call's status test stays as afterCall wrote it; an arm starting here pays nothing of the if's block)
    this.postCall = null;
    const arm = this.pendingArm;
    if (arm !== null) {
      this.pendingArm = null;
      if (this.pendingElse) arm.elseFirst = null;
      else arm.thenFirst = null;
    }
    const x = this.exit(EX_HANDOFF, bp, bp);
    // (in a whole version from a profile, the exit is counted and its block marked: coldHit)
    const hit = this.coldBy !== null ? `coldHit(mc, ${this.env(this.cc)}, ${bp}, ${this.coldBy.phase}); ` : '';
    this.w(`${this.spill(this.st.length)}${hit}ex = ${x}; break X;`);
    coldStats.elided++;
    this.coldAt = this.ctrls[this.ctrls.length - 1]!;
    this.fuelHere = null;
    this.fblk = null;
    this.deadInstr(ins, v);
  }

  // ------------------------------------------------------------ the instructions numeric() and memAccess() leave

  /**
   * Each a method of its own, by name, called from `instr` through OPS_BY_ID (by the instruction's id). `instr` was
   * one switch with every case, which TurboFan compiled with the cases' helpers inlined (40-64 ms a compile) and threw
   * away at each case first reached after the compile: 4 compiles per quickjs first run. A method is compiled alone
   * once it is hot itself (BENCHMARKS.md, session 15, helper gen10).
   */
  private static readonly OPS: ReadonlyMap<string, SinkOp> = new Map<string, SinkOp>([
    ['nop', JsGen.prototype.opNop],
    ['unreachable', JsGen.prototype.opUnreachable],
    ['drop', JsGen.prototype.opDrop],
    ['i32.const', JsGen.prototype.opI32Const],
    ['i64.const', JsGen.prototype.opI64Const],
    ['f32.const', JsGen.prototype.opF32Const],
    ['f64.const', JsGen.prototype.opF64Const],
    ['local.get', JsGen.prototype.opLocalGet],
    ['local.set', JsGen.prototype.opLocalSet],
    ['local.tee', JsGen.prototype.opLocalSet],
    ['global.get', JsGen.prototype.opGlobalGet],
    ['global.set', JsGen.prototype.opGlobalSet],
    ['select', JsGen.prototype.opSelect],
    ['block', JsGen.prototype.opBlock],
    ['loop', JsGen.prototype.opBlock],
    ['if', JsGen.prototype.opBlock],
    ['try', JsGen.prototype.opBlock],
    ['try_table', JsGen.prototype.opBlock],
    ['catch', JsGen.prototype.opCatch],
    ['catch_all', JsGen.prototype.opCatch],
    ['delegate', JsGen.prototype.opDelegate],
    ['throw', JsGen.prototype.opThrow],
    ['throw_ref', JsGen.prototype.opThrowRef],
    ['else', JsGen.prototype.opElse],
    ['end', JsGen.prototype.opEnd],
    ['br', JsGen.prototype.opBr],
    ['br_if', JsGen.prototype.opBrIf],
    ['br_table', JsGen.prototype.opBrTable],
    ['return', JsGen.prototype.opReturn],
    ['call', JsGen.prototype.opCall],
    ['call_indirect', JsGen.prototype.opCallIndirect],
    ['return_call', JsGen.prototype.opReturnCall],
    ['return_call_indirect', JsGen.prototype.opReturnCall],
    ['return_call_ref', JsGen.prototype.opReturnCall],
    ['memory.size', JsGen.prototype.opMemorySize],
    ['memory.grow', JsGen.prototype.opMemoryGrow],
    ['memory.fill', JsGen.prototype.opMemoryFill],
    ['memory.copy', JsGen.prototype.opMemoryFill],
    ['memory.init', JsGen.prototype.opMemoryInit],
    ['table.copy', JsGen.prototype.opMemoryInit],
    ['table.init', JsGen.prototype.opMemoryInit],
    ['table.fill', JsGen.prototype.opMemoryInit],
    ['table.get', JsGen.prototype.opTableGet],
    ['table.set', JsGen.prototype.opTableSet],
    ['table.grow', JsGen.prototype.opTableGrow],
    ['ref.null', JsGen.prototype.opRefNull],
    ['ref.func', JsGen.prototype.opRefFunc],
    ['ref.is_null', JsGen.prototype.opRefIsNull],
    ['ref.eq', JsGen.prototype.opRefEq],
    ['ref.as_non_null', JsGen.prototype.opRefAsNonNull],
    ['data.drop', JsGen.prototype.opDataDrop],
    ['elem.drop', JsGen.prototype.opDataDrop],
    ['table.size', JsGen.prototype.opTableSize],
  ]);
  static opNames(): string[] {
    return [...JsGen.OPS.keys()];
  }
  // (after OPS: static blocks and fields run in order)
  static {
    OPS_BY_ID = INSTRS.map((d) => JsGen.OPS.get(d.name) ?? JsGen.prototype.opOther);
  }

  /** An instruction of no other method: a reference or GC instruction (gen-refs.ts), or one the tier does not generate. */
  private opOther(ins: Instr, _v: FuncValidator, name: string): void {
    if (!this.refOp(ins, name)) no(name);
  }
  private opNop(_ins: Instr, _v: FuncValidator, _name: string): void {
    // (nothing to generate)
  }
  private opUnreachable(_ins: Instr, _v: FuncValidator, _name: string): void {
    this.w(this.trap(RT.TRAP_UNREACHABLE));
  }
  private opDrop(_ins: Instr, _v: FuncValidator, _name: string): void {
    this.pop();
  }
  private opI32Const(ins: Instr, _v: FuncValidator, _name: string): void {
    const e = this.mk(I32, CONST, lit(ins.a | 0));
    if (this.cand !== null) e.sym = { k: 'v', x: -1, ver: 0, c: ins.a | 0, y: -1 };
    this.push(e);
  }
  private opI64Const(ins: Instr, _v: FuncValidator, _name: string): void {
    this.push(this.mk(I64, CONST, lit(ins.lo), lit(ins.hi)));
  }
  private opF32Const(ins: Instr, _v: FuncValidator, _name: string): void {
    this.push(this.mk(F32, CONST, this.floatConst(RT.b2f(ins.a | 0))));
  }
  private opF64Const(ins: Instr, _v: FuncValidator, _name: string): void {
    this.push(this.mk(F64, CONST, this.floatConst(RT.f64bits(ins.lo, ins.hi))));
  }
  private opLocalGet(ins: Instr, _v: FuncValidator, _name: string): void {
    this.push(this.symLocal(this.localEnt(ins.a), ins.a));
  }
  private opLocalSet(ins: Instr, _v: FuncValidator, name: string): void {
    const x = ins.a;
    const e = this.pop();
    const t = this.lt[x]!;
    if (!(e.k === LOCAL && e.loc![0] === x)) {
      this.matLocal(x);
      if (t === I64) this.w(`L${x} = ${e.e}; H${x} = ${e.h};`);
      else if (t === V128) {
        // (marked as x's words: build() drops the statement when nothing reads them, deadWords)
        if (!this.loadInto(e, x)) {
          const ws = this.vw(e);
          this.w(`${LANE_WORDS}${x}${LANE_WORDS}${this.lWords(x).map((d, k) => `${d} = ${ws[k]};`).join(' ')}${LANE_WORDS}`);
        }
        const z = this.zeros(e);
        const fc = this.fcache;
        fc.set(x);
        if (z !== null) fc.zero.set(x, z);
        if (e.f) {
          // the lane values are known: they are the cache
          const names = [0, 1, 2, 3].map((k) => `LF${x}_${k}`);
          for (const n of names) this.vars.add(n);
          this.w(names.map((n, k) => `${n} = ${e.v![k]};`).join(' '));
          fc.add(x);
          fc.exact.add(x);
        } else if (e.k === CONST) fc.consts.set(x, this.vf(e));
        else if (e.ma !== '' && e.mep === fc.epoch) fc.mem.set(x, e.ma);
      } else this.w(`L${x} = ${e.e};`);
    }
    if (this.cand !== null) this.candWrite(x, e.sym);
    if (!(e.k === LOCAL && e.loc![0] === x)) this.localWritten(x);
    if (name === 'local.tee') this.push(this.symLocal(this.localEnt(x), x));
  }
  private opGlobalGet(ins: Instr, _v: FuncValidator, _name: string): void {
    const g = this.inst.globals[ins.a]!;
    const t = g.type.type;
    const n = this.global(g, t);
    if (t === I64) this.pushI64((lo, hi) => `${lo} = ${n}[0]; ${hi} = ${n}[1];`);
    else if (t === V128) this.pushV128((d) => d.map((x, k) => `${x} = ${n}[${k}];`).join(' '));
    else if (isRef(t)) this.pushStmt(t, `${n}.ref`);
    else this.pushStmt(t, t === F32 ? `b2f(${n}[0])` : `${n}[0]`);
  }
  private opGlobalSet(ins: Instr, _v: FuncValidator, _name: string): void {
    const g = this.inst.globals[ins.a]!;
    const t = g.type.type;
    const n = this.global(g, t);
    const e = this.pop();
    if (t === I64) this.w(`${n}[0] = ${e.e}; ${n}[1] = ${e.h};`);
    else if (t === V128) this.w(this.vw(e).map((x, k) => `${n}[${k}] = ${x};`).join(' '));
    else if (isRef(t)) this.w(`${n}.ref = ${e.e};`);
    else this.w(`${n}[0] = ${t === F32 ? this.bits(e) : e.e};`);
  }
  private opSelect(_ins: Instr, _v: FuncValidator, _name: string): void {
    // both operands evaluated before the choice, as in wasm: an expression only in one arm of the JS `?:` runs
    // only when that arm is chosen, and one chosen late in a long first call had no type feedback when V8
    // optimized the function (tiktoken's function 42: `c ? x : ((a - b) | 0)`, "Insufficient type feedback for
    // binary operation", its OSR and regular code thrown away together and compiled again). That function still
    // deoptimizes at the next path it first takes late (code after a loop the OSR code reaches, a loop's entry
    // the next call takes): its compiles did not drop (BENCHMARKS.md "Session 14, helper tik10")
    const n = this.st.length;
    for (const i of [n - 3, n - 2]) if (i >= 0 && this.st[i]!.k === EXPR) this.matAt(i);
    const c = this.pop();
    const b = this.pop();
    const a = this.pop();
    const t = a.t;
    if (t === I64) {
      this.pushI64((lo, hi) => `if (${this.cond(c)}) { ${lo} = ${a.e}; ${hi} = ${a.h}; } else { ${lo} = ${b.e}; ${hi} = ${b.h}; }`);
    } else if (t === V128) {
      this.pushV128(
        (d) => `if (${this.cond(c)}) { ${d.map((x, k) => `${x} = ${this.vw(a)[k]};`).join(' ')} } else { ${d.map((x, k) => `${x} = ${this.vw(b)[k]};`).join(' ')} }`,
      );
    } else if (t === I32 || t === F64 || t === F32 || isRef(t)) {
      this.push(this.expr(t, `(${this.cond(c)} ? ${a.e} : ${b.e})`, [a, b, c]));
    } else no('select type');
  }
  private opBlock(ins: Instr, v: FuncValidator, name: string): void {
    this.enter(ins, v, name);
  }
  private opCatch(_ins: Instr, v: FuncValidator, _name: string): void {
    this.catchArm(v);
  }
  private opDelegate(_ins: Instr, v: FuncValidator, _name: string): void {
    this.end(v);
  }
  private opThrow(ins: Instr, _v: FuncValidator, _name: string): void {
    this.throwTag(ins.a, ins.offset);
  }
  private opThrowRef(ins: Instr, _v: FuncValidator, _name: string): void {
    this.throwRef(ins.offset);
  }
  private opElse(_ins: Instr, v: FuncValidator, _name: string): void {
    this.elseArm(v);
  }
  private opEnd(_ins: Instr, v: FuncValidator, _name: string): void {
    this.end(v);
  }
  private opBr(ins: Instr, _v: FuncValidator, _name: string): void {
    this.matAll();
    const cd = this.cand;
    if (cd !== null && this.ctrls.length - 1 === cd.depth && ins.a === 0) cd.back = { br: true, blk: this.fblk, cond: null, at: cd.wn };
    this.w(this.jump(ins.a));
  }
  private opBrIf(ins: Instr, _v: FuncValidator, _name: string): void {
    this.brIf(ins.a);
  }
  private opBrTable(ins: Instr, _v: FuncValidator, _name: string): void {
    if (ins.labels.length >= DISPATCH_TARGETS && this.ctrls.some((c) => c.kind === 'loop')) this.dispatch = true;
    this.brTable(ins);
  }
  private opReturn(_ins: Instr, _v: FuncValidator, _name: string): void {
    this.w(this.ret());
  }
  private opCall(ins: Instr, _v: FuncValidator, _name: string): void {
    this.call(ins.a, ins.offset);
  }
  private opCallIndirect(ins: Instr, _v: FuncValidator, _name: string): void {
    this.callIndirect(ins.a, ins.b, ins.offset);
  }
  private opReturnCall(ins: Instr, _v: FuncValidator, name: string): void {
    this.tailCall(ins, name);
  }
  private opMemorySize(ins: Instr, _v: FuncValidator, _name: string): void {
    if (ins.a === 0 && this.mem) {
      this.usesMem = true;
      this.pushStmt(I32, `(${this.memName}.u8.length / ${this.mem.pageSize}) | 0`);
      return;
    }
    const m = this.inst.memories[ins.a]!;
    const M = this.env(m);
    if (m.type.addr === 'i64') this.pushI64((lo, hi) => `${lo} = ${M}.pages | 0; ${hi} = 0;`);
    else this.pushStmt(I32, `${M}.pages | 0`);
  }
  private opMemoryGrow(ins: Instr, _v: FuncValidator, _name: string): void {
    this.memoryGrow(ins);
  }
  private opMemoryFill(ins: Instr, _v: FuncValidator, name: string): void {
    this.bulk(ins, name);
  }
  private opMemoryInit(ins: Instr, _v: FuncValidator, _name: string): void {
    this.miscOp(ins, 3, null);
  }
  private opTableGet(ins: Instr, _v: FuncValidator, _name: string): void {
    this.miscOp(ins, 1, this.inst.tables[ins.a]!.type.elem);
  }
  private opTableSet(ins: Instr, _v: FuncValidator, _name: string): void {
    this.miscOp(ins, 2, null);
  }
  private opTableGrow(ins: Instr, _v: FuncValidator, _name: string): void {
    this.miscOp(ins, 2, this.inst.tables[ins.a]!.type.addr === 'i64' ? I64 : I32);
  }
  private opRefNull(ins: Instr, _v: FuncValidator, _name: string): void {
    this.push(this.mk(refType(ins.a, true), CONST, 'null'));
  }
  private opRefFunc(ins: Instr, _v: FuncValidator, _name: string): void {
    this.push(this.mk(FUNCREF, CONST, this.env(this.inst.funcs[ins.a])));
  }
  private opRefIsNull(_ins: Instr, _v: FuncValidator, _name: string): void {
    const a = this.pop();
    this.pushCond(`${a.e} === null`, [a]);
  }
  private opRefEq(_ins: Instr, _v: FuncValidator, _name: string): void {
    const b = this.pop();
    const a = this.pop();
    this.pushCond(`${a.e} === ${b.e}`, [a, b]);
  }
  private opRefAsNonNull(_ins: Instr, _v: FuncValidator, _name: string): void {
    const a = this.pop();
    this.pushStmt(a.t, a.e);
    this.w(`if (${this.st[this.st.length - 1]!.e} === null) ${this.trap(RT.TRAP_NULL)}`);
  }
  private opDataDrop(ins: Instr, _v: FuncValidator, _name: string): void {
    this.miscOp(ins, 0, null);
  }
  private opTableSize(ins: Instr, _v: FuncValidator, _name: string): void {
    this.miscOp(ins, 0, this.inst.tables[ins.a]!.type.addr === 'i64' ? I64 : I32);
  }

  protected global(g: Global, t: ValType): string {
    if (t === F64) return this.env(new Float64Array(g.cell.buffer, g.cell.byteOffset, 2));
    if (t === I32 || t === I64 || t === F32 || t === V128) return this.env(g.cell);
    if (isRef(t)) return this.env(g);
    return no('global type');
  }

  // ------------------------------------------------------------ assembly

  /**
   * Re-entry at a loop head (osr = the head block's original offset): every
   * local and the stack below the loop come from the frame's slots, where the
   * interpreter keeps them at a block start. The parameters' declarations have
   * read theirs already (2% of quickjs' source was this prologue, a fifth of it
   * parameters read twice; BENCHMARKS.md, "Session 16, helper src11").
   */
  protected osrPrologue(): string {
    if (this.osrEntries.length === 0) return '';
    let s = 'if (osr !== 0) {\n';
    // (not the parameters: the declarations read them from their slots on every entry, build)
    for (let x = this.cc.func.type.params.length; x < this.nl; x++) {
      const t = this.lt[x]!;
      const ws = this.load(t, x * 4);
      const names = t === V128 ? this.lWords(x) : t === I64 ? [`L${x}`, `H${x}`] : [`L${x}`];
      s += assignments(names, ws) + '\n';
      // (a reference local's slot lets go of it; the parameters' slots are cleared after this, on every entry)
      if (isRef(t)) s += this.dropRef(x * 4) + '\n';
    }
    s += 'switch (osr) {\n';
    for (const e of this.osrEntries) {
      s += `case ${e.orig}: osr = ${e.id};`;
      e.stack.forEach((t, i) => {
        const ws = this.load(t, this.stackWord(i));
        const names = t === V128 ? this.vWords(i) : t === I64 ? [`J${i}`, `K${i}`] : [this.varName(t, i)];
        for (const n of names) this.vars.add(n);
        s += ' ' + assignments(names, ws);
        if (isRef(t)) s += ' ' + this.dropRef(this.stackWord(i));
      });
      s += ' break;\n';
    }
    s += "default: throw new Error('wasmeter internal error: no loop re-entry at ' + osr);\n}\n}\n";
    return s;
  }

  build(): JitFn {
    // (first: it declares the stack variables it loads)
    const osrCode = this.osrPrologue();
    const cc = this.cc;
    const f = cc.func;
    const fw = cc.frameWords;
    const lt = this.lt;
    const np = f.type.params.length;
    // (the prologue's hand-off past the JS stack budget: its translation, read where used, not counted among the
    // entries read at each call (metered, the entry's fuel check uses it too: one more read per call of C fib), and
    // its reference arguments into their slots)
    const CCE = this.env(cc);
    let deepRefs = '';
    for (let x = 0; x < np; x++) if (isRef(lt[x]!)) deepRefs += `if (P${x} !== undefined) mc.refs[(fp >> 2) + ${x}] = P${x}; `;
    // locals: params from the frame, the others zero
    const decl: string[] = [];
    for (let x = 0; x < this.nl; x++) {
      const t = lt[x]!;
      const w = x * 4;
      if (t === V128) {
        const ws = x < np ? this.load(t, w) : ['0', '0', '0', '0'];
        this.lWords(x).forEach((n, k) => decl.push(`${n} = ${ws[k]}`));
      } else if (x < np && isRef(t)) {
        // a reference parameter: the caller's JS argument P<x> (refArg), or its slot when there is none
        decl.push(`L${x} = P${x} === undefined ? ${this.load(t, w)[0]} : P${x}`);
      } else if (x < np) {
        const ws = this.load(t, w);
        decl.push(`L${x} = ${ws[0]}`);
        if (t === I64) decl.push(`H${x} = ${ws[1]}`);
      } else {
        decl.push(`L${x} = ${isRef(t) ? 'null' : '0'}`);
        if (t === I64) decl.push(`H${x} = 0`);
      }
    }
    for (const v of this.vars) decl.push(`${v} = ${v.startsWith('R') ? 'null' : '0'}`);
    // JS stack units of this frame (256 bytes each): an interpreter frame holds every variable
    const weight = Math.ceil(((decl.length + 40) * 8) / 256);
    // reference parameters are in variables now: their slots let go of them (dropRef)
    let dropParams = '';
    for (let x = 0; x < np; x++) if (isRef(lt[x]!)) dropParams += `if (P${x} === undefined) ${this.dropRef(x * 4)}\n`;
    const refParams = refParamNames(f.type);
    // the epilogue: every local and the constants back into the frame
    // (not the v128 locals that nothing reads after a hand-over point before writing them, LoopScan vecLive: their
    // slots keep what they held; build drops their words' writes when nothing else reads them, deadWords)
    // (a run of SPILL_RUN or more i32 locals: one call of rt.ts spillRun)
    let spillLocals = '';
    for (let x = 0; x < this.nl; x++) {
      const t = lt[x]!;
      if (t === V128 && !this.scan.vecLive.has(x)) continue;
      let y = x;
      while (y < this.nl && lt[y] === I32) y++;
      if (y - x >= SPILL_RUN) {
        // (a string built in a loop: `Array.from` with a closure per run was 2-3 ms of sql.js' first run)
        let run = `spillRun(S, fp + ${x * 4}`;
        for (let k = x; k < y; k++) run += `, L${k}`;
        spillLocals += `${run});\n`;
        x = y - 1;
        continue;
      }
      spillLocals += this.store(this.localEnt(x), x * 4) + '\n';
    }
    // (the epilogue writes the locals; leave writes the constants after them)
    const lw = this.nl * 4;
    const exits: RT.Exits = { cc, k: Int32Array.from(this.exK), p: Int32Array.from(this.exP), b: Int32Array.from(this.exB), c: cc.tmpl.subarray(lw - cc.paramWords), cw: lw };
    const XT = this.env(exits);
    const floats = this.floats.length > 0 ? new Float64Array(Int32Array.from(this.floats).buffer) : null;
    const KF = floats !== null ? this.env(floats) : '';
    const M = this.memName;

    const [bvDecl, bvReload] = this.boundVars();
    // (the DataView alone, and the length only for explicit bounds checks (boundVars): 14 tokens fewer in each of the
    // reloads after calls, 7% of sql.js' tokens before; the bulk operations and memory.size read the memory's bytes
    // array itself, which is the same array as long as V is. The test stays: `V = _0.view;` alone, 10 tokens fewer
    // again, made sql.js' first steady calls ~18% slower: BENCHMARKS.md, session 22, helper cold23)
    const mem = this.mem && this.usesMem ? `var V = ${M}.view${bvDecl !== '' ? `, ML = ${M}.u8.length${bvDecl}` : ''};\n` : '';
    const reload = this.mem && this.usesMem ? ` if (V !== ${M}.view) ${bvReload !== '' ? `{ V = ${M}.view; ML = ${M}.u8.length;${bvReload} }` : `V = ${M}.view;`}` : '';
    // (the runtime's names, for declareUsed)
    runtime();
    this.countedCopies();
    this.coverHeads();
    for (const r of this.fuelRoots) this.o[r.line] = r.max > 0 ? this.o[r.line]!.replace(FUEL_MAX, `${r.max}`) : (r.zero ?? '');
    this.subtractions((b) => ownCost(b) + chainAhead(b));
    // what a block prepaid: `fuel += P;` on a br_if's taken edge, `fuel + r + P` in a trap's refund (a block whose
    // arms pay its cost has not paid it yet: its refunds are that much smaller)
    // (a head whose subtraction sank below its br_if has paid nothing where its sites are: minus its own cost)
    const paidAhead = (id: number): number => {
      const b = this.fuelBlocks[id]!;
      // (`0 -`: a -0 for a block of no cost of its own deoptimized this and patch.ts' callers, which had seen integers;
      // `cost` read on every path: read only behind `post`, its first read came after V8 had optimized this)
      const cost = b.cost;
      return b.sunk ? 0 - ownCost(b) : chainAhead(b) - (b.post ? cost : 0);
    };
    // the trap sites outside counted candidates, their refunds known now, written in on their lines (patch.ts)
    const filledOob = fillSites(this.o, this.sites, paidAhead);
    const joined = this.o.join('\n');
    // (the f64 view of the value stack: only in functions that read or write f64 slots)
    const usesFD = joined.includes('FD[') || spillLocals.includes('FD[') || osrCode.includes('FD[');
    const fdReload = usesFD ? ' FD = mc.f64;' : '';
    // a call's depth limit is checked by its callee, which traps with the caller's fuel as it is (noRefund)
    for (const b of this.callBlocks) if (paidAhead(b.id) !== 0) throw new Error('wasmeter internal error: a call in a block that prepaid fuel');
    // the v128 locals' words nothing reads (their marked statements hold no marker the pass below patches)
    let body = deadWords(joined, this.exK.length > 0 ? spillLocals : '');
    // one pass writes in every decision below (patch.ts): the markers (the views' reloads after calls, the counted
    // loops' sites in their slow versions, prepaid fuel), the back edges' subtractions and adjacent steps merged, the
    // accesses the DataView checks trapping in the catch, and every trap with a constant refund jumping to one shared
    // throw
    const oob = filledOob || body.includes(OOB_SITE) ? { cases: [] as string[] } : null;
    body = patchBody(body, {
      reload,
      fdReload,
      paidAhead,
      backEdge: this.mc.counting ? (label) => this.backEdgeCost(label) : null,
      cases: oob?.cases ?? [],
    });
    if (body.includes('\u0004')) throw new Error('wasmeter internal error: unpatched prepaid fuel');
    const CCT = oob !== null ? this.env(cc) : '';
    const traps = body.includes('break T;');
    // too large for V8 to optimize: its biggest blocks become nested functions (outline.ts), at once or, with
    // outlining.hot > 0, when its loops have gone round that many times (V8's optimization of the parts pays only
    // in long-running code)
    const sh = share(f.body);
    if (this.profile !== null) this.blockChars(this.profile, -1);
    // (a whole generation from a profile that does not fit: the split version runs on, rewhole)
    if (this.coldBy !== null && body.length > (profile.fit ?? outlining.at)) throw new NotWhole();
    const huge = this.coldBy === null && body.length - this.hitChars > outlining.at;
    // (a function that may be split declines to return its reference result as the JS return value: ref-args.ts)
    if (huge) body = body.replace(REF_RETURN, '');
    // (an i32 result's normal returns: one tail after the body, or, split, each where it is; ref-args.ts numReturn)
    if (numResult(f.type)) body = huge ? numSplitReturns(body) : numTail(body);
    const prof = this.profile;
    // (the profile's hits array, HP, in a split version; a version that is not split loses its hit stores)
    let hitDecl = '';
    let split: ReturnType<typeof outline> = null;
    let entryCount = '';
    if (huge && (this.split || outlining.hot === 0 || sh.split || this.dispatch)) {
      // a profiling version counts its passes at its re-entry loop heads (one count for the module), and at the
      // count's end is generated whole from its profile (rewhole), handing off there as for a fuel shortage
      if (prof !== null && prof.phase === 0 && profile.entries !== null) {
        // (or its entries, in its prologue: the running frame finishes in the split version, the next enters the whole)
        entryCount = `--${this.env(prof.left)}.n <= 0 && rewhole(mc, ${this.env(cc)});\n`;
        split = outline(body);
      } else if (prof !== null && prof.phase === 0) {
        const CCN = this.env(cc);
        const PL = this.env(prof.left);
        split = outline(
          body.replace(LOOP_HEAD, (_, head: string, c: string, ex: string) => `${head}if (fuel < ${c} || (--${PL}.n <= 0 && rewhole(mc, ${CCN}))) { ex = ${ex}; break X; }`),
        );
      } else split = outline(body);
    }
    if (split !== null) {
      body = split.body;
      sh.split = true;
      this.splitDone = true;
      jitStats.split++;
      if (this.hitChars > 0) {
        profileStats.profiled++;
        hitDecl = `${HIT_DECL}${this.env(prof!.hits)};\n`;
      }
    } else if (this.hitChars > 0) body = body.replace(HIT_STORE, '');
    const hot = huge && split === null && !this.split && !sh.split;
    if (hot) {
      // counted at the loop heads where the interpreter re-enters JS code: there, once the split version exists,
      // this frame hands off (as when fuel runs short) and comes back in the split version. (Counting calls too
      // split functions that are called often but run briefly: tiktoken's steady calls 2.3x slower.) One count for
      // all instances of the module: an instance still running the whole version when another one split it
      // splits its own at its next loop head.
      const CCN = this.env(cc);
      const HC = this.env(sh.hot);
      body = body.replace(
        LOOP_HEAD,
        (_, head: string, c: string, ex: string) => `${head}if (fuel < ${c} || (--${HC}.n <= 0 && resplit(mc, ${CCN}))) { ex = ${ex}; break X; }`,
      );
    }
    // (last: everything above may add to the environment)
    const consts: string[] = [];
    for (let i = 0; i < this.envV.length; i++) consts.push(`_${i} = E[${i}]`);
    // each level of nested functions is one JS frame more per call of this function
    const wt = weight + (split === null ? 0 : 2 * split.depth);
    // an exported function with loops: its body inside an outer loop, and a warm-up call (warmUp). Not one that calls
    // itself, whose calls are many and short (the outer loop's head costs each call: C fib 3.3x -> 3.8x V8), and not
    // the module's inner functions: wrapped, tiktoken's first run took 35% more CPU time and its steady calls nearly
    // twice as long, and warming every function up cost hash-wasm's first run about 20% (12 MB of generated source
    // per process). The long first calls that get stuck are the host's calls of exports (a C program's `run`).
    const loops = this.osrEntries.length > 0 && !body.includes(`${this.selfName()}(E, mc, `) && cc.inst.module.exports.some((e) => e.kind === 'func' && e.index === f.index);
    // the instance's environment is the function's first argument (WasmFunc.jitS, jitE): one closure for every
    // instance; or, past PER_INSTANCE_ENV entries or split, in the closure of each instance's own function
    const perInstance = split !== null || consts.length > PER_INSTANCE_ENV;
    const envDecl = consts.length > 0 ? `var ${consts.join(', ')};\n` : '';
    // (GC type descriptors and struct classes as the factory's variables, set by every instance's maker: gen-refs.ts gcConst)
    const gcc = [...this.gcConsts];
    const gcDecl = gcc.length > 0 ? `var ${gcc.map(([n]) => n).join(', ')};\n` : '';
    const gcSet = gcc.length > 0 ? `${gcc.map(([n, i]) => `${n} = E[${i}]`).join(', ')};\n` : '';
    const N = this.selfName();
    // the source is assembled around the body, which is never copied here: the passes below read the text after the
    // scratch variables' line (SCRATCH_DECL) as three parts, the prologue, the body and the epilogue, and V8 joins the
    // source once (a concatenation, flattened by `new Function`)
    const head = (helpers: string): string =>
      `"use strict";\n${helpers}${gcDecl}` +
      // (the instance's maker, parenthesized too: it runs at once (mk), and unparenthesized it was pre-parsed with
      // everything it holds, a split function or one with many entries, then parsed again when it ran: sql.js' 3 MB
      // of 6 MB; jit-v8-parse.test.ts, BENCHMARKS.md "Session 14, helper src9")
      (perInstance ? `return (function (E) {\n${gcSet}${envDecl}` : '') +
      // parenthesized: V8 compiles it with the wrapper (it runs at once) instead of pre-parsing it now and parsing it
      // again at its first call (measured: a sixth to a quarter less compile time on quickjs' 368 functions)
      `var ${N} = (function ${N}(E, mc, fp, depth, jd, osr, fuel${refParams}) {\n`;
    const warm = loops ? WARM_HEAD : '';
    const pre =
      // (a split function returns its i32 result in its slot: asked for it as the JS return value, it calls itself
      // without RV and hands the outcome to numOut, ref-args.ts numResult)
      (huge && numResult(f.type) ? `if (RV === 1) return numOut(mc, ${N}(E, mc, fp, depth, jd, osr, fuel${refParams.replace(/, RV$/, ', undefined')}), fp, 1);\n` : '') +
      mem +
      // (a larger value stack, a new peak, or a call past the JS stack budget, handed to the interpreter at the entry:
      // rt.ts enter; callers do not test the budget, gen-calls.ts call)
      `if (fp + ${fw} > mc.jsTop || depth >= mc.jsDepth || jd >= ${JS_STACK_UNITS}) { if (enter(mc, fp + ${fw}, depth, fuel, jd, osr)) { ${deepRefs}return stopEntry(mc, ${perInstance ? CCE : `E[${CCE.slice(1)}]`}, fp, depth, fuel, 0${numResult(f.type) ? ', RV' : ''}); } S = mc.s;${usesFD ? ' FD = mc.f64;' : ''} }\n` +
      (decl.length > 0 ? `var ${decl.join(', ')};\n` : '') +
      (this.floats.length > 0 ? `var ${Array.from({ length: this.floats.length / 2 }, (_, i) => `C${i} = ${KF}[${i}]`).join(', ')};\n` : '') +
      (split !== null ? split.decls + '\n' + hitDecl + entryCount : '') +
      osrCode +
      dropParams +
      (oob !== null ? 'try {\n' : '') +
      (traps ? 'T: {\n' : '') +
      'X: {\n';
    const post =
      '\n}\n' +
      // (no exit: nothing breaks out of X, whose end the body never reaches, so there is no epilogue)
      (this.exK.length === 0
        ? `throw new Error('wasmeter internal error: the end of a function without exits');\n`
        : (spillLocals.includes('S[') || spillLocals.includes('spillRun(S,') ? 'S = mc.s; ' : '') +
          (spillLocals.includes('FD[') ? 'FD = mc.f64;' : '') +
          `\n${spillLocals}` +
          `return ${numExit(f.type, `leave(mc, ${XT}, ex, fp, depth, fuel, ${this.exK.includes(EX_CALL) || this.exK.includes(EX_POST) ? 'st' : '0'}${this.exK.includes(EX_CATCH) ? ', xe' : ''})`)};\n`) +
      (traps ? '}\n' : '') +
      (oob !== null ? `} catch (e) { if (tr === 0 || !isOob(e)) throw e; oobTrapped(mc, ${CCT});${oob.cases.length > 0 ? ` if ((tr & ${(1 << TRAP_BITS) - 1}) === ${(1 << TRAP_BITS) - 1}) switch (tr >> ${TRAP_BITS}) { ${oob.cases.join(' ')} }` : ''} }\n` : '') +
      (traps || oob !== null ? `throw trap(mc, fuel + (tr >> ${TRAP_BITS}), tr & ${(1 << TRAP_BITS) - 1});\n` : '') +
      (loops ? WARM_TAIL : '') +
      '});\n' +
      // (the instance's pair: the function, and the interpreter's JitFn, WasmFunc.jit: the function bound to the
      // instance's environment, which passes the JitFn's arguments on after it. A closure around the call was a
      // function literal per source, ~35 tokens for V8 to parse and a lazy compile at its first call: BENCHMARKS.md,
      // "Session 16, helper src11". A function with reference parameters or RV keeps the closure, which passes them on.)
      (perInstance ? '' : `return (function (E) {\n${gcSet}`) +
      // (the interpreter calls it with a JitFn's six arguments: no reference argument, no RV, so a function with
      // either keeps a closure of six parameters that passes undefined for them; noJsArgs)
      (refParams === ''
        ? `return [${N}, ${N}.bind(null, E)];\n});\n`
        : `return [${N}, function (mc, fp, depth, jd, osr, fuel) { return ${N}(E, mc, fp, depth, jd, osr, fuel${noJsArgs(f.type)}); }];\n});\n`) +
      `//# sourceURL=wasm-func-${f.index}.js\n`;
    // (the entry line of a shared closure: the entries it uses more than once, readEnvWhereUsed)
    let envLine = perInstance ? '' : envDecl;
    let parts = [pre, body, post];
    if (!perInstance && envDecl !== '') {
      const r = readEnvWhereUsed([warm, ...parts], consts.length);
      if (r !== null) {
        envLine = r.decl;
        parts = r.parts.slice(1);
      }
    }
    // (its length as written with both markers, R_DECL and SCRATCH_DECL, before they are declarations)
    const chars = head(R_DECL).length + envLine.length + warm.length + SCRATCH_DECL.length + parts[0]!.length + parts[1]!.length + parts[2]!.length;
    if (chars > MAX_SOURCE) no('function too large');
    // (the names are read from the parts as generated: an entry's `_3` rewritten as `E[3]` holds none)
    const used = declareUsed([pre, body, post], wt);
    const src = head(used.helpers) + envLine + warm + used.decl + parts[0] + parts[1] + parts[2];
    const sf = factory(sh, src);
    const [sfn, fn] = sf.mk(this.envV);
    f.jitS = sfn;
    f.jitE = this.envV;
    if (loops) warmUp(sf, sfn, this.envV, chars);
    this.source = src;
    this.warmChars = loops ? chars : 0;
    // (for the module's later instances, rebind.ts)
    const r = recipe(this.envV, cc, exits, new Set<unknown>([sh.hot, floats, sh.prof?.hits, sh.prof?.left]));
    if (r === null) rebindStats.unrecorded++;
    else this.made = { vm: cc.inst.vm, shared: sf, recipe: r, codeLen: cc.code.length, codeHash: 0, frameWords: fw, osr: new Int32Array(0), withHandlers: false };
    return fn;
  }
}
