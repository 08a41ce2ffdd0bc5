/**
 * Run-time support of the JS tier: the glue between generated functions, the
 * interpreter and the machine (compiling on first call, calls that leave JS,
 * traps), and the numeric helpers generated code calls (i64 as lo/hi int32
 * pairs, f32 as int32 bit patterns, f64 as JS doubles).
 */
import { Trap } from '../core/errors.js';
import * as I64N from '../interp/numeric/i64.js';
import { run, STATUS_DONE } from '../interp/exec.js';
import type { Machine } from '../interp/machine.js';
import type { HostFunc, WasmFunc } from '../runtime/objects/func.js';
import type { Instance } from '../runtime/objects/instance.js';
import { jitFor, jitStats, JS_STACK_UNITS, RUN_UNITS, STATUS_HANDOFF, type JitFn } from '../interp/tier.js';
import { catchException, enterHandler, exnOf, findHandler, newExn } from '../interp/exceptions.js';
import type { Compiled } from '../interp/compiled.js';
import { ExnRef, WasmException } from '../runtime/objects/exception.js';
import { EX_CALL, EX_CATCH, EX_HANDOFF, EX_POST } from './gen-types.js';

/**
 * A JS-tier call of a wasm function without a JS version (yet), or one that
 * would nest JS too deeply, with `fuel`; the callee's arguments are at `nfp`.
 * Returns as a JitFn does: the fuel left, or a stop's status negated.
 */
export function callSlow(mc: Machine, f: WasmFunc, nfp: number, depth: number, jd: number, fuel: number): number {
  // the call's depth limit (a generated callee checks it in its prologue, enter; the caller's block is paid to its end)
  if (depth >= mc.maxDepth) throw trap(mc, fuel, TRAP_STACK);
  // (what may throw here, compiling or growing the stack, leaves the fuel settled as it is)
  mc.fuel = fuel;
  let jf = f.jit as JitFn | null;
  if (jf === null && f.jitState === 0) jf = jitFor(mc, f);
  if (jd < JS_STACK_UNITS) return jf !== null ? jf(mc, nfp, depth, jd, 0, fuel) : runNested(mc, f, nfp, depth, jd);
  {
    // too deep in JS: the callee starts in the interpreter, below every JS frame
    const cc = mc.compile(f);
    if (nfp + cc.frameWords > mc.s.length) grow(mc, nfp + cc.frameWords, fuel);
    mc.enterFrame(cc, nfp, depth);
    mc.save(cc, 0, nfp, fuel, 0, depth);
    return -STATUS_HANDOFF;
  }
}

/** Runs `f` in the interpreter, nested in JS, until it returns or stops (mc.fuel is current); returns as a JitFn does. */
function runNested(mc: Machine, f: WasmFunc, nfp: number, depth: number, jd: number): number {
  const cc = mc.compile(f);
  if (nfp + cc.frameWords > mc.s.length) grow(mc, nfp + cc.frameWords, mc.fuel);
  mc.enterFrame(cc, nfp, depth);
  mc.save(cc, 0, nfp, mc.fuel, 0, depth);
  const saved = mc.jsd;
  mc.jsd = jd + RUN_UNITS;
  try {
    for (;;) {
      try {
        const st = run(mc, depth);
        return st === STATUS_DONE ? mc.fuel : -st;
      } catch (e) {
        // a wasm exception: the frames of this run may handle it (as in Machine.resume)
        const exn = exnOf(e);
        if (exn === null) throw e;
        mc.takeHostFuel();
        mc.settled = true;
        if (!catchException(mc, exn, depth)) throw e;
        mc.settled = false;
      }
    }
  } catch (e) {
    throw settle(mc, e);
  } finally {
    mc.jsd = saved;
  }
}

/**
 * The exception of an interpreter loop nested in JS, with the machine's fuel
 * settled: the refund of a trap in interpreted fast code is applied here,
 * where the machine's state still describes the trapping frame.
 */
function settle(mc: Machine, e: unknown): unknown {
  if (mc.settled) return e;
  mc.settled = true;
  if (e instanceof Trap) {
    mc.refundOnTrap();
    return e;
  }
  if (e instanceof RangeError && /call stack/i.test(e.message)) {
    mc.refundOnTrap();
    return new Trap('call stack exhausted');
  }
  return e;
}

/** What a host call from JS code returns when it stops (HOST_NO_FUEL, HOST_SUSPENDED), below a JitFn's stops. */
export const HOST_STOP_NO_FUEL = -5;
export const HOST_STOP_SUSPENDED = -6;

/**
 * A host call from JS code with `fuel` (depth and sp are set by the caller). Returns the fuel left, or
 * HOST_STOP_NO_FUEL / HOST_STOP_SUSPENDED (the fuel then in mc.fuel: a suspension has paid the call's
 * surcharge and what the host charged). A host function that throws keeps what the call consumed (its
 * surcharge, its own charges, wasm it re-entered), as in the interpreter: mc.fuel is already that.
 */
export function callHost(mc: Machine, f: HostFunc, at: number, inst: Instance, jd: number, fuel: number): number {
  const saved = mc.jsd;
  mc.jsd = jd;
  mc.fuel = fuel;
  try {
    const r = mc.callHost(f, at, inst, false);
    return r === 0 ? mc.fuel : -4 - r;
  } catch (e) {
    mc.hostFuel = -1;
    mc.settled = true;
    throw e;
  } finally {
    mc.jsd = saved;
  }
}

/**
 * A generated function's entry when its frame (ending at word `top`) may need a larger value stack or
 * raise a peak, is past the call-depth limit (`top > mc.jsTop || depth >= mc.jsDepth`), or its call is past the
 * JS stack budget (`jd >= JS_STACK_UNITS`): traps at the limit ("call stack exhausted", with `fuel`, the frame's
 * fuel at entry: the caller's block ends with the call, so its refund is 0), grows the stack (a failure traps
 * with `fuel` too), raises the peaks and the filter. One compare of each against the machine in the function's
 * prologue instead of the stack's length and both peaks (a smaller prologue: V8 inlines functions under 460
 * bytes of bytecode), and `jsDepth` is never above the limit, so the depth compare is also the limit's: a call
 * site does not test it. Nor the JS stack budget: true when this call (`osr` 0) is past it, and the function
 * then hands its frame to the interpreter at its entry (stopEntry, as callSlow does for a callee too deep in JS,
 * the same check one JS frame later); a re-entry at a loop head (`osr` not 0) runs on where it is, as before.
 * Call sites testing `jd < LIM` before each call cost C fib about 10% (BENCHMARKS.md, session 22, helper c23).
 */
export function enter(mc: Machine, top: number, depth: number, fuel: number, jd: number, osr: number): boolean {
  if (depth >= mc.maxDepth) throw trap(mc, fuel, TRAP_STACK);
  if (top > mc.s.length) grow(mc, top, fuel);
  const P = mc.peaks;
  if (top * 4 > P.valueStackBytes) P.valueStackBytes = top * 4;
  if (depth + 1 > P.callDepth) P.callDepth = depth + 1;
  mc.jsTop = Math.min(Math.floor(P.valueStackBytes / 4), mc.s.length);
  mc.jsDepth = Math.min(P.callDepth, mc.maxDepth);
  return jd >= JS_STACK_UNITS && osr === 0;
}

/**
 * Status or fuel `st` of a call of a function whose i32 result a generated caller asked for as the JS return value
 * (`rv` 1; ref-args.ts numResult), when it did not return normally: a stop (st < 0) is null, with the status in
 * `mc.rvSt`; else the result is the interpreter's, in the slot at word `at`, and the fuel goes to `mc.fuel`, as a
 * normal return leaves it. With `rv` not 1 (no such caller), `st` as it is.
 */
export function numOut(mc: Machine, st: number, at: number, rv: number | undefined): number | null {
  if (rv !== 1) return st;
  if (st < 0) {
    mc.rvSt = st;
    return null;
  }
  mc.fuel = st;
  return mc.s[at]!;
}

/**
 * A generated function without the fuel for its entry block (at fast-code pc `pc`), before it changed
 * anything: its parameters are in their slots (it wrote its reference ones back), and the rest of the frame
 * is set up as the interpreter's call would have (locals zeroed, constants, null reference locals); the
 * interpreter continues there (its FUEL switches to the exact twin), as from the epilogue's EX_HANDOFF. `rv`: a
 * numResult function's RV (ref-args.ts), passed along to numOut.
 */
export function stopEntry(mc: Machine, cc: Compiled, fp: number, depth: number, fuel: number, pc: number, rv?: number): number | null {
  mc.enterFrame(cc, fp, depth);
  mc.save(cc, pc, fp, fuel, pc, depth);
  return numOut(mc, -STATUS_HANDOFF, fp, rv);
}

/**
 * Where a generated function leaves its epilogue, its locals and stack in the frame (codegen.ts build):
 * the function's translation and, per exit (`ex`), its kind (gen-types.ts EX_*), fast-code pc and block start;
 * the frame's constants (`c`, from word `cw` of the frame on).
 */
export interface Exits {
  cc: Compiled;
  k: Int32Array;
  p: Int32Array;
  b: Int32Array;
  c: Int32Array;
  cw: number;
}

/**
 * The epilogue's writes of a run of consecutive i32 locals (codegen.ts build, SPILL_RUN): `v[0]`, `v[1]`, … to the frame
 * words `at`, `at + 4`, …. One call instead of `S[fp + 4] = L1; S[fp + 8] = L2; …`: 2 tokens per local instead of 9,
 * in code that runs only at an exit (sql.js' sources wrote 3,600 such locals; BENCHMARKS.md, "Session 16, helper
 * src11").
 */
export function spillRun(s: Int32Array, at: number, ...v: number[]): void {
  for (let i = 0; i < v.length; i++) s[at + 4 * i] = v[i]!;
}

/**
 * The end of a generated function's epilogue, out of line (it is bytecode every function would carry):
 * the frame's constants go to their slots (the locals are written); after a callee's stop (EX_CALL, or EX_POST with
 * `st` < 0) this frame's record goes below the callee's (pc after the call) and the callee's status (`st`, negated)
 * is returned (the fuel is the machine's, which the callee's stop saved: `fuel` is not read); after a callee that
 * returned `st` ≥ 0, too little for the block after the call (EX_POST), the machine is saved at that block with `st`; a wasm exception caught inside a try (EX_CATCH) looks
 * for its handler (catchHere); any other exit saves the machine at its pc with `fuel` and returns its
 * status negated (EX_HANDOFF: -STATUS_HANDOFF, EX_NO_FUEL / EX_SUSPENDED: their own).
 */
export function leave(mc: Machine, x: Exits, ex: number, fp: number, depth: number, fuel: number, st: number, xe?: unknown): number {
  if (x.c.length > 0) mc.s.set(x.c, fp + x.cw);
  const k = x.k[ex]!;
  if (k === EX_POST && st >= 0) {
    // the callee returned, but not with the fuel for the block after the call: a handoff there
    mc.save(x.cc, x.p[ex]!, fp, st, x.p[ex]!, depth);
    return -STATUS_HANDOFF;
  }
  if (k === EX_CALL || k === EX_POST) {
    mc.fComp[depth] = x.cc;
    mc.fPc[depth] = x.p[ex]!;
    mc.fFp[depth] = fp;
    mc.fBlk[depth] = x.b[ex]!;
    return st;
  }
  if (k === EX_CATCH) return catchHere(mc, x.cc, x.p[ex]!, fp, depth, xe);
  mc.save(x.cc, x.p[ex]!, fp, fuel, x.b[ex]!, depth);
  return k === EX_HANDOFF ? -STATUS_HANDOFF : -k;
}

/** Grows the value stack for a frame; a failure traps with `fuel` (the frame's fuel at entry). */
export function grow(mc: Machine, words: number, fuel: number): void {
  try {
    mc.growStack(words);
  } catch (e) {
    mc.fuel = fuel;
    mc.settled = true;
    throw e;
  }
}

// ---------------------------------------------------------------- exceptions

/**
 * A generated function with handlers caught `e` at the throwing op `pc` of
 * its fast code (a call, or a throw in the function itself), its locals and
 * stack already written to its frame: when a row of its handler table takes
 * the wasm exception, the payload goes to the handler's slots and the
 * interpreter continues this frame at the handler's target (-STATUS_HANDOFF, as a JitFn returns),
 * as Machine.resume / catchException would; otherwise `e` goes on to the
 * callers, the machine's fuel still settled.
 */
export function catchHere(mc: Machine, cc: Compiled, pc: number, fp: number, depth: number, e: unknown): number {
  const exn = exnOf(e);
  const r = exn === null ? -1 : findHandler(cc, pc, exn);
  if (r < 0) throw e;
  // (a host function that threw kept what it consumed there)
  mc.takeHostFuel();
  mc.settled = false;
  jitStats.caught++;
  enterHandler(mc, exn!, cc, fp, depth, r);
  return -STATUS_HANDOFF;
}

/** Whether a JS error is a wasm exception (the only ones handlers catch; traps and host errors pass). */
export function isExn(e: unknown): boolean {
  return e instanceof ExnRef || e instanceof WasmException;
}

/** `throw`: newExn(mc, inst, s0, tag) is the exception of tag `tag` with the payload in the slots from word s0. */
export { newExn };

/** A throw in JS code leaving the function: `fuel` is the fuel after the throwing instruction. */
export function thrown(mc: Machine, fuel: number, exn: unknown): unknown {
  mc.fuel = fuel;
  mc.settled = true;
  return exn;
}

// ---------------------------------------------------------------- traps

const TRAP_MSG = [
  'unreachable',
  'integer divide by zero',
  'integer overflow',
  'invalid conversion to integer',
  'out of bounds memory access',
  'undefined element',
  'indirect call type mismatch',
  'call stack exhausted',
  'null reference',
  'null structure reference',
  'null array reference',
  'out of bounds array access',
  'cast failure',
  'null i31 reference',
  'null function reference',
  'null descriptor reference',
  'descriptor cast failure',
  'null exception reference',
];
export const TRAP_UNREACHABLE = 0;
export const TRAP_DIV_ZERO = 1;
export const TRAP_OVERFLOW = 2;
export const TRAP_INVALID_CONV = 3;
export const TRAP_OOB = 4;
export const TRAP_UNDEF_ELEM = 5;
export const TRAP_SIG = 6;
export const TRAP_STACK = 7;
export const TRAP_NULL = 8;
export const TRAP_NULL_STRUCT = 9;
export const TRAP_NULL_ARRAY = 10;
export const TRAP_ARRAY_OOB = 11;
export const TRAP_CAST = 12;
export const TRAP_NULL_I31 = 13;
export const TRAP_NULL_FUNC = 14;
export const TRAP_NULL_DESC = 15;
export const TRAP_DESC_CAST = 16;
export const TRAP_NULL_EXN = 17;

/** The message of the RangeError a DataView access past the view's end throws (this engine's words). */
const OOB_MESSAGE = ((): string => {
  try {
    new DataView(new ArrayBuffer(0)).getInt8(0);
  } catch (e) {
    if (e instanceof RangeError) return e.message;
  }
  throw new Error('wasmeter internal error: a DataView access past its end did not throw a RangeError');
})();

/**
 * Whether `e` is what an access of generated code through the DataView throws past the memory's end (patch.ts):
 * not a RangeError of the JS stack's, an allocation's or a host's (a host's errors reach generated code wrapped:
 * Machine.callHost).
 */
export function isOob(e: unknown): boolean {
  return e instanceof RangeError && e.message === OOB_MESSAGE;
}

/** A trap in JS code: `fuel` is the fuel left after the refund of the rest of the block. */
export function trap(mc: Machine, fuel: number, code: number): Trap {
  mc.fuel = fuel;
  mc.settled = true;
  return new Trap(TRAP_MSG[code]!);
}

export function trapUninit(mc: Machine, fuel: number, x: number): Trap {
  mc.fuel = fuel;
  mc.settled = true;
  return new Trap(`uninitialized element ${x}`);
}

/** An exception from a helper that may trap (vector executors with memory operands): settled with this fuel. */
export function settleTrap(mc: Machine, fuel: number, e: unknown): unknown {
  mc.fuel = fuel;
  mc.settled = true;
  return e;
}

/** Float -> int conversion trap: NaN or out of range. */
export function trapConv(mc: Machine, fuel: number, x: number): Trap {
  return trap(mc, fuel, x !== x ? TRAP_INVALID_CONV : TRAP_OVERFLOW);
}

// ---------------------------------------------------------------- numeric helpers

/** The high half of an i64 result of the helpers below (the low half is returned). */
export const HI = new Int32Array(1);
/** Scratch for f32 bits <-> value. */
export const F32V = new Float32Array(1);
export const F32B = new Int32Array(F32V.buffer);
/** Scratch for f64 bits <-> value. */
const F64V = new Float64Array(1);
const F64B = new Int32Array(F64V.buffer);
/** Scratch i64 slot for the numeric/i64.ts functions. */
const W = new Int32Array(4);

const TWO32 = 4294967296;

/** Integral |v| <= 2^64 (already truncated) as lo, HI[0] = hi, wrapped modulo 2^64. */
function integral(v: number): number {
  HI[0] = Math.floor(v / TWO32) | 0;
  return v | 0;
}

function slow(op: (m: Int32Array, d: number, a: number, b: number) => void, al: number, ah: number, bl: number, bh: number): number {
  W[0] = al;
  W[1] = ah;
  W[2] = bl;
  W[3] = bh;
  op(W, 0, 0, 2);
  HI[0] = W[1]!;
  return W[0]!;
}

/** i64.div_s; the divisor is not 0 and the quotient does not overflow (checked by the caller). */
export function divs64(al: number, ah: number, bl: number, bh: number): number {
  if (ah >= -0x200000 && ah < 0x200000 && bh >= -0x200000 && bh < 0x200000) {
    const x = ah * TWO32 + (al >>> 0);
    const y = bh * TWO32 + (bl >>> 0);
    return integral((x - (x % y)) / y);
  }
  const na = ah < 0;
  const nb = bh < 0;
  const ubl = nb ? -bl | 0 : bl;
  const ubh = nb ? (~bh + (bl === 0 ? 1 : 0)) | 0 : bh;
  if (ubh === 0) {
    const ual = na ? -al | 0 : al;
    const uah = na ? (~ah + (al === 0 ? 1 : 0)) | 0 : ah;
    const ql = I64N.udivmod32(ual, uah, ubl >>> 0) | 0;
    const qh = I64N.QH | 0;
    if (na === nb) {
      HI[0] = qh;
      return ql;
    }
    HI[0] = (~qh + (ql === 0 ? 1 : 0)) | 0;
    return -ql | 0;
  }
  return slow(I64N.div_s, al, ah, bl, bh);
}

export function divu64(al: number, ah: number, bl: number, bh: number): number {
  if (ah >>> 0 < 0x200000 && bh >>> 0 < 0x200000) {
    const x = (ah >>> 0) * TWO32 + (al >>> 0);
    const y = (bh >>> 0) * TWO32 + (bl >>> 0);
    return integral((x - (x % y)) / y);
  }
  if (bh === 0) {
    const ql = I64N.udivmod32(al, ah, bl >>> 0) | 0;
    HI[0] = I64N.QH | 0;
    return ql;
  }
  return slow(I64N.div_u, al, ah, bl, bh);
}

export function rems64(al: number, ah: number, bl: number, bh: number): number {
  if (ah >= -0x200000 && ah < 0x200000 && bh >= -0x200000 && bh < 0x200000) {
    const x = ah * TWO32 + (al >>> 0);
    const y = bh * TWO32 + (bl >>> 0);
    return integral(x % y);
  }
  const na = ah < 0;
  const nb = bh < 0;
  const ubl = nb ? -bl | 0 : bl;
  const ubh = nb ? (~bh + (bl === 0 ? 1 : 0)) | 0 : bh;
  if (ubh === 0) {
    const ual = na ? -al | 0 : al;
    const uah = na ? (~ah + (al === 0 ? 1 : 0)) | 0 : ah;
    I64N.udivmod32(ual, uah, ubl >>> 0);
    // the remainder has the dividend's sign
    const r = I64N.REM;
    if (!na || r === 0) {
      HI[0] = 0;
      return r | 0;
    }
    HI[0] = -1;
    return -r | 0;
  }
  return slow(I64N.rem_s, al, ah, bl, bh);
}

export function remu64(al: number, ah: number, bl: number, bh: number): number {
  if (ah >>> 0 < 0x200000 && bh >>> 0 < 0x200000) {
    const x = (ah >>> 0) * TWO32 + (al >>> 0);
    const y = (bh >>> 0) * TWO32 + (bl >>> 0);
    return integral(x % y);
  }
  if (bh === 0) {
    I64N.udivmod32(al, ah, bl >>> 0);
    HI[0] = 0;
    return I64N.REM | 0;
  }
  return slow(I64N.rem_u, al, ah, bl, bh);
}

export function ctz32(x: number): number {
  return x === 0 ? 32 : 31 - Math.clz32(x & -x);
}

export function popcnt32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

export function rotl32(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}

export function rotr32(x: number, n: number): number {
  return (x >>> n) | (x << (32 - n));
}

/** f32.convert_i64_s / _u (correctly rounded), as a value. */
export function f32cs64(lo: number, hi: number): number {
  W[0] = lo;
  W[1] = hi;
  return I64N.f32_convert_i64_s(W, 0);
}
export function f32cu64(lo: number, hi: number): number {
  W[0] = lo;
  W[1] = hi;
  return I64N.f32_convert_i64_u(W, 0);
}

/** i64.trunc_sat_f64_s / _u (also the in-range trapping truncations): lo, HI[0] = hi. */
export function truncs64(x: number): number {
  I64N.trunc_sat_f64_s(W, 0, x);
  HI[0] = W[1]!;
  return W[0]!;
}
export function truncu64(x: number): number {
  I64N.trunc_sat_f64_u(W, 0, x);
  HI[0] = W[1]!;
  return W[0]!;
}

/**
 * f32 bits -> the double the JS tier holds for an f32: its value, or for a
 * NaN a double NaN with the f32's sign and 23-bit payload at the top of the
 * mantissa, quiet bit included (so a signalling NaN stays signalling).
 */
export function b2f(b: number): number {
  F32B[0] = b;
  const x = F32V[0]!;
  if (x === x) return x;
  F64B[1] = (b & -0x80000000) | 0x7ff00000 | ((b & 0x7fffff) >>> 3);
  F64B[0] = b << 29;
  return F64V[0]!;
}

/** The f32 bits of a double held for an f32 (inverse of b2f; arithmetic results are quiet NaNs already). */
export function f2b(x: number): number {
  if (x === x) {
    F32V[0] = x;
    return F32B[0]!;
  }
  F64V[0] = x;
  const hi = F64B[1]!;
  return (hi & -0x80000000) | 0x7f800000 | ((hi & 0xfffff) << 3) | (F64B[0]! >>> 29);
}

/** f64.promote_f32: a NaN comes out quiet (x + x), as from the hardware conversion. */
export function promote(x: number): number {
  return x === x ? x : x + x;
}

/** f64 value of raw bits. */
export function f64bits(lo: number, hi: number): number {
  F64B[0] = lo;
  F64B[1] = hi;
  return F64V[0]!;
}
/** The raw bits of an f64: lo, HI[0] = hi. */
export function bitsf64(x: number): number {
  F64V[0] = x;
  HI[0] = F64B[1]!;
  return F64B[0]!;
}

/** f64.abs / f64.neg / f64.copysign on the bits (NaN payloads kept). */
export function fabs(x: number): number {
  if (x === x) return Math.abs(x);
  F64V[0] = x;
  F64B[1] = F64B[1]! & 0x7fffffff;
  return F64V[0]!;
}
export function fneg(x: number): number {
  if (x === x) return -x;
  F64V[0] = x;
  F64B[1] = F64B[1]! ^ -0x80000000;
  return F64V[0]!;
}
export function fcopysign(a: number, b: number): number {
  F64V[0] = b;
  const sign = F64B[1]! & -0x80000000;
  F64V[0] = a;
  F64B[1] = (F64B[1]! & 0x7fffffff) | sign;
  return F64V[0]!;
}

export { STATUS_DONE, STATUS_HANDOFF };
export { execMisc } from '../interp/misc.js';


// counted loops (gen-counted.ts): the trip count of a loop's controlling test
export { loopTrips, loopUsed } from './trips.js';

// GC (gen-refs.ts): casts and the extern/any conversions, as the interpreter does them
export { refTestCanon, internalize, externalize } from '../runtime/objects/gc.js';
// (called by name from generated code, `letGo` of the runtime: ref-args.ts letGoCall)
export { letGo } from './ref-args.js';
