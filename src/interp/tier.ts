/**
 * The interpreter's side of the faster tier (src/jit): what the interpreter
 * knows of it, so that imports run one way. The interpreter enters JS-tier
 * functions through this file; the JS tier implements `TierCompiler`, and the
 * store installs it on its machine (`Machine.tier`). With no tier installed
 * every function runs in the interpreter.
 */
import type { WasmFunc } from '../runtime/objects/func.js';
import type { Compiled, Translation } from './compiled.js';
import type { Machine } from './machine.js';
import type { CodeSink } from '../validate/func.js';

/**
 * Status of a JS-tier function call besides the interpreter's own
 * (STATUS_DONE 0, STATUS_OUT_OF_FUEL 1, STATUS_SUSPENDED 2 in exec.ts):
 * the frames that were running as JS have become interpreter frames and the
 * machine's saved state (mc.comp/pc/fp/fuel/blk/depth) is where the
 * interpreter continues. Only an interpreter loop (exec.ts `run`, reached
 * through Machine.start/resume or a nested run) consumes it; it never
 * reaches the Store.
 */
export const STATUS_HANDOFF = 3;

/**
 * A function of the JS tier: runs the wasm function whose frame starts at
 * word `fp` at call depth `depth`; `jd` is the JS stack already in use below
 * it (in 256-byte units, see JS_STACK_UNITS); `osr` is 0 for a call, or the
 * original offset of a loop head's block where the interpreter hands over a
 * running frame (its locals and stack in their slots); `fuel` is the fuel it
 * starts with (the machine's `fuel` is not read on the way in). Returns the
 * fuel left when the function returned (>= 0; its results at `fp`), or a
 * stop's status negated (-STATUS_OUT_OF_FUEL, -STATUS_SUSPENDED,
 * -STATUS_HANDOFF), the machine's saved state (fuel included) then being
 * where the interpreter continues. The fuel goes in and out as values rather
 * than through `mc.fuel`, whose store before and load after every call cost a
 * call-heavy function half of its metering overhead (BENCHMARKS.md,
 * metering). An exception leaves the fuel in `mc.fuel` (settled), as before.
 */
export type JitFn = (mc: any, fp: number, depth: number, jd: number, osr: number, fuel: number) => number;

/**
 * Makes the JS version of a translated function; null when the tier leaves it to the interpreter. `prescan`: a sink
 * that collects what the tier's generation needs before its own pass over the body (the JS tier's LoopScan), given
 * the same instructions and validator as the translator in the translation's pass (Machine.compile), so that the tier
 * validates the body once less; null when it must make that pass itself (Compiled.prescan).
 *
 * `translations`: where Machine.compile finds a function's fast translation made by an earlier process, and keeps the
 * ones it makes, when the machine has a persistent cache (Machine.codeCache; the JS tier's code-cache.ts).
 */
export type TierCompiler = ((mc: Machine, cc: Compiled) => JitFn | null) & {
  readonly prescan?: (mc: Machine, f: WasmFunc) => CodeSink | null;
  readonly translations?: { get(mc: Machine, f: WasmFunc): Translation | undefined; set(mc: Machine, f: WasmFunc, t: Translation): void };
};

/**
 * JS stack budget: generated functions pass down how much JS stack is in use
 * below them (in units of 256 bytes, estimated from each function's size);
 * past JS_STACK_UNITS a call does not nest in JS but continues the callee in
 * the interpreter (all JS frames below become interpreter frames), so deep
 * wasm recursion is limited by maxCallDepth only.
 */
export const JS_STACK_UNITS = 1600;
/** Units charged for an interpreter loop (`run`) nested in JS. */
export const RUN_UNITS = 8;

/**
 * Counts of functions the tier generated (withHandlers: of them, those with exception handlers; shared: those whose
 * source another instance of their module had compiled already; ahead: those generated before their first call as a
 * loop's callee, codegen.ts loopCallees), and of those it left to the interpreter by reason; caught: wasm exceptions
 * generated code caught (diagnostics, tests).
 */
export const jitStats = { generated: 0, declined: new Map<string, number>(), osrEntries: 0, counted: 0, split: 0, withHandlers: 0, caught: 0, shared: 0, ahead: 0 };

/** The JS version of `f`, generated on its first call; null when the tier cannot run it. */
export function jitFor(mc: Machine, f: WasmFunc): JitFn | null {
  if (f.jitState !== 0) return f.jit as JitFn | null;
  if (mc.deferJit) return null;
  f.jitState = 2;
  const tier = mc.tier;
  if (tier === null) return null;
  // (the tier's pre-pass rides on the translation's pass when this call translates f)
  const pre = f.compiled === null && tier.prescan !== undefined ? tier.prescan(mc, f) : null;
  const cc = mc.compile(f, pre); // may throw Unsupported, as the interpreter would
  const fn = tier(mc, cc);
  if (fn !== null) {
    f.jit = fn;
    f.jitState = 1;
  }
  return fn;
}

/**
 * The interpreter calls a JS-tier function with `mc.fuel`; returns a status (STATUS_DONE with the fuel left
 * in `mc.fuel`, or the stop's); any exception leaves the machine's fuel settled.
 */
export function callJs(mc: Machine, jf: JitFn, nfp: number, depth: number): number {
  try {
    return jsStatus(mc, jf(mc, nfp, depth, mc.jsd + RUN_UNITS, 0, mc.fuel));
  } catch (e) {
    mc.settled = true;
    throw e;
  }
}

/** The interpreter hands its running frame to the JS version at the loop head whose block starts at `orig`. */
export function callJsOsr(mc: Machine, jf: JitFn, fp: number, depth: number, orig: number): number {
  jitStats.osrEntries++;
  try {
    return jsStatus(mc, jf(mc, fp, depth, mc.jsd + RUN_UNITS, orig, mc.fuel));
  } catch (e) {
    mc.settled = true;
    // the JS version ran this frame on and has applied its handlers: none of the interpreter's position applies
    mc.osrThrew = true;
    throw e;
  }
}

/** A JitFn's result as the interpreter's status: the fuel left goes to `mc.fuel` (STATUS_DONE, 0), a stop gives its status. */
export function jsStatus(mc: Machine, r: number): number {
  if (r >= 0) {
    mc.fuel = r;
    return 0;
  }
  return -r;
}
