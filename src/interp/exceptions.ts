/**
 * Exception handling: throwing, and unwinding the explicit call stack to
 * the nearest handler (see docs/architecture.md, "Exceptions").
 *
 * The translator gives every function a handler table (Compiled.handlers):
 * one row per catch clause of a `try_table`, per `catch`/`catch_all` arm of
 * a legacy `try`, and per legacy `delegate`, each covering the range of
 * internal code [start, end) of its try body. Rows are ordered innermost
 * first (by the try's sequence number, descending; clauses in their own
 * order), so the first row that covers a pc and matches the exception is
 * the spec's handler.
 *
 * A throw (`throw`, `throw_ref`, `rethrow`: MISC instructions) raises the
 * ExnRef itself as a JS exception out of the run loop; so does a host
 * function that throws a WasmException. Machine.resume catches it and calls
 * catchException, which walks the frames of the running invocation from the
 * top: the throwing frame at its pc, then each caller at its call
 * instruction. On a match it writes the payload (and the exnref) into the
 * handler's slots, drops the frames above, and points the machine at the
 * handler's target: the start of a fuel block, so the target is charged
 * like any branch target. Unwinding itself costs no fuel. With no handler
 * in the invocation the exception leaves Store.invoke as a WasmException.
 */
import { HostError, Trap } from '../core/errors.js';
import { WasmException } from '../runtime/objects/exception.js';
import { F32, F64, I32, I64, V128 } from '../core/types.js';
import type { Compiled } from './compiled.js';
import { Op } from './exec.js';
import type { Instance } from '../runtime/objects/instance.js';
import type { Tag } from '../runtime/objects/exception.js';
import type { Machine } from './machine.js';
import * as I64N from './numeric/i64.js';
import { ExnRef } from '../runtime/objects/exception.js';

/** Handler-table row layout (Int32Array, H_STRIDE words per row). */
export const H_STRIDE = 8;
export const H_START = 0; // first pc covered
export const H_END = 1; // first pc not covered
export const H_KIND = 2; // HK_*
export const H_TAG = 3; // module tag index (catch kinds with a tag), else -1
export const H_TARGET = 4; // pc of the handler's target (a fuel block start)
export const H_SLOT = 5; // word offset (from fp) of the first payload slot
export const H_AUX = 6; // legacy catch: word offset of the caught exception's hidden slot; delegate: sequence limit
export const H_SEQ = 7; // sequence number of the try (rows are sorted by it, descending)

export const HK_CATCH = 0; // try_table catch: payload to the label
export const HK_CATCH_REF = 1; // try_table catch_ref: payload + exnref
export const HK_CATCH_ALL = 2; // try_table catch_all
export const HK_CATCH_ALL_REF = 3; // try_table catch_all_ref: exnref
export const HK_LEGACY_CATCH = 4; // try ... catch x: payload to the arm, exnref to the hidden slot
export const HK_LEGACY_CATCH_ALL = 5; // try ... catch_all: exnref to the hidden slot
export const HK_DELEGATE = 6; // try ... delegate l: continue with rows of sequence <= H_AUX

/** Runs throw / throw_ref / rethrow (MISC): s0 is the payload's first slot, or the exnref's slot. */
export function execThrow(mc: Machine, inst: Instance, name: string, s0: number, tagIndex: number): never {
  if (name === 'throw') throw newExn(mc, inst, s0, tagIndex);
  const exn = mc.refs[s0 >> 2];
  if (exn === null || exn === undefined) throw new Trap('null exception reference');
  throw exn as ExnRef;
}

/** The exception `throw` makes of tag `tagIndex` with the payload in the slots from word s0. */
export function newExn(mc: Machine, inst: Instance, s0: number, tagIndex: number): ExnRef {
  const tag = inst.tags[tagIndex]!;
  const n = tag.type.params.length;
  const refs: unknown[] = new Array(n);
  for (let i = 0; i < n; i++) refs[i] = mc.refs[(s0 >> 2) + i];
  return new ExnRef(tag, mc.s.slice(s0, s0 + n * 4), refs);
}

/** (A function, not a table made at load: exec.ts imports this module through misc.ts.) */
function isTailCall(op: number): boolean {
  return op === Op.RETURN_CALL || op === Op.RETURN_CALL_INDIRECT || op === Op.RETURN_CALL_REF;
}

/** The handler row of `comp` that takes `exn` thrown at `pc`, or -1. */
export function findHandler(comp: Compiled, pc: number, exn: ExnRef): number {
  const h = comp.handlers;
  if (h === null) return -1;
  let limit = 0x7fffffff;
  const tags = comp.inst.tags;
  for (let r = 0; r < h.length; r += H_STRIDE) {
    if (h[r + H_SEQ]! > limit || pc < h[r + H_START]! || pc >= h[r + H_END]!) continue;
    switch (h[r + H_KIND]) {
      case HK_CATCH:
      case HK_CATCH_REF:
      case HK_LEGACY_CATCH:
        if (tags[h[r + H_TAG]!] === exn.tag) return r;
        break;
      case HK_DELEGATE:
        limit = h[r + H_AUX]!;
        break;
      default:
        return r;
    }
  }
  return -1;
}

/**
 * Unwinds the running invocation (frames down to `entryDepth`) to the
 * handler of `exn`. True: the machine's state is at the handler's target,
 * ready to run. False: no frame of the invocation handles it (the state is
 * left as it was; the store unwinds the invocation).
 */
export function catchException(mc: Machine, exn: ExnRef, entryDepth: number): boolean {
  let depth = mc.depth;
  let comp = mc.comp;
  let fp = mc.fp;
  // a tail call to a host function has already left its frame: its handlers do not apply
  let pc = isTailCall(comp.code[mc.pc]!) ? -1 : mc.pc;
  let r: number;
  for (;;) {
    r = findHandler(comp, pc, exn);
    if (r >= 0) break;
    if (depth === entryDepth) return false;
    depth--;
    comp = mc.fComp[depth]!;
    pc = mc.fPc[depth]! - 1; // inside the call instruction
    fp = mc.fFp[depth]!;
  }
  const prof = mc.profile;
  if (prof !== null) for (let d = mc.depth; d > depth; d--) prof.exit(mc.fuelBase - mc.fuel);
  enterHandler(mc, exn, comp, fp, depth, r);
  return true;
}

/**
 * Takes handler row `r` of `comp` for `exn` in the frame at `fp` (call depth
 * `depth`): writes the payload (and the exnref) to the handler's slots and
 * saves the machine's state at the handler's target, with the machine's fuel.
 * (Also the JS tier's, when a generated function catches: src/jit/rt.ts.)
 */
export function enterHandler(mc: Machine, exn: ExnRef, comp: Compiled, fp: number, depth: number, r: number): void {
  const h = comp.handlers!;
  const kind = h[r + H_KIND]!;
  const slot = fp + h[r + H_SLOT]!;
  const refs = mc.refs;
  const n = exn.refs.length;
  if (kind === HK_CATCH || kind === HK_CATCH_REF || kind === HK_LEGACY_CATCH) {
    mc.s.set(exn.words, slot);
    for (let i = 0; i < n; i++) refs[(slot >> 2) + i] = exn.refs[i];
    if (kind === HK_CATCH_REF) refs[(slot >> 2) + n] = exn;
  } else if (kind === HK_CATCH_ALL_REF) refs[slot >> 2] = exn;
  if (kind === HK_LEGACY_CATCH || kind === HK_LEGACY_CATCH_ALL) refs[(fp + h[r + H_AUX]!) >> 2] = exn;
  const target = h[r + H_TARGET]!;
  mc.save(comp, target, fp, mc.fuel, target, depth);
}

/** The ExnRef a JS error carries into wasm (an internal throw, or a host function's WasmException), or null. */
export function exnOf(e: unknown): ExnRef | null {
  if (e instanceof ExnRef) return e;
  if (e instanceof WasmException) {
    if (e.exn instanceof ExnRef && e.exn.tag === e.tag) return e.exn;
    return makeExnRef(e.tag, e.values);
  }
  return null;
}

/** The embedder's view of an exception that left every wasm frame. */
export function uncaught(exn: ExnRef, e: unknown): WasmException {
  if (e instanceof WasmException) return e;
  return new WasmException(exn.tag, exn.values, exn);
}

/** An exception object made from JS values (as Store.invoke takes arguments). */
export function makeExnRef(tag: Tag, values: readonly unknown[]): ExnRef {
  const ps = tag.type.params;
  if (values.length !== ps.length) throw new HostError(`exception tag expects ${ps.length} values, got ${values.length}`);
  const words = new Int32Array(ps.length * 4);
  const refs: unknown[] = new Array(ps.length).fill(null);
  for (let i = 0; i < ps.length; i++) {
    const v = values[i];
    const w = i * 4;
    switch (ps[i]!) {
      case I32:
        words[w] = Number(v) | 0;
        break;
      case I64:
        I64N.fromBigInt(words, w, typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v))));
        break;
      case F32:
        new Float32Array(words.buffer, w * 4, 1)[0] = Number(v);
        break;
      case F64:
        new Float64Array(words.buffer, w * 4, 1)[0] = Number(v);
        break;
      case V128:
        if (!(v instanceof Uint8Array) || v.length !== 16) throw new HostError('v128 values are 16-byte Uint8Arrays');
        new Uint8Array(words.buffer, w * 4, 16).set(v);
        break;
      default:
        refs[i] = v === undefined ? null : v;
    }
  }
  return new ExnRef(tag, words, refs);
}
