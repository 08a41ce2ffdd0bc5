/** What the writer and the reader of snapshots share: section and tag numbers, and the names of stop points. */
import type { Compiled } from '../interp/compiled.js';
import { Op } from '../interp/exec.js';

export const SEC_MODULES = 1;
export const SEC_STORE = 2;
export const SEC_INSTANCES = 3;
export const SEC_OBJECTS = 4;
export const SEC_CONTENTS = 5;
export const SEC_CALL = 6;
export const SEC_PROFILE = 7;
export const SEC_HOST = 8;
export const SECTION_NAMES = ['', 'modules', 'store', 'instances', 'objects', 'contents', 'call', 'profile', 'host'];

/** References. */
export const R_NULL = 0;
export const R_NUM = 1;
export const R_FUNC = 2;
export const R_HOSTFUNC = 3;
export const R_OBJ = 4;
export const R_HOSTNUM = 5;
export const R_EXTERN = 6;

/** GC and exception objects. */
export const O_STRUCT = 0;
export const O_ARRAY = 1;
export const O_EXN = 2;

/** Bytes per sparse chunk of a memory. */
export const CHUNK = 65536;

/**
 * A stop point of translated code as a stable name: the byte offset (in the
 * module) of the wasm instruction an op belongs to, and the op's ordinal among
 * that instruction's ops. Several ops can carry one instruction's offset
 * (operand copies materialized before it, a call's argument moves), so the
 * offset alone is not unique; the pair is, and a translation of the same body
 * gives the same pair the same op. The op code itself travels as a check.
 */
export function stopPointOf(c: Compiled, pc: number): { offset: number; ordinal: number; op: number } | null {
  const at = c.origAt;
  if (pc < 0 || pc >= at.length || at[pc] === -1) return null;
  const offset = at[pc]!;
  let ordinal = 0;
  for (let p = 0; p < pc; p++) if (at[p] === offset) ordinal++;
  return { offset, ordinal, op: opName(c.code[pc]!) };
}

/** The pc of a stop point in a (new) translation, or -1. */
export function pcOf(c: Compiled, offset: number, ordinal: number, op: number): number {
  const at = c.origAt;
  let k = 0;
  for (let p = 0; p < at.length; p++) {
    if (at[p] !== offset) continue;
    if (k === ordinal) return opName(c.code[p]!) === op ? p : -1;
    k++;
  }
  return -1;
}

/** An op as a stop point names it: the JS tier turns loop heads' FUEL into FUEL_OSR in place, which is the same point. */
export function opName(op: number): number {
  return op === Op.FUEL_OSR ? Op.FUEL : op;
}

/** Whether the op at `pc` starts a fast fuel block (what a frame's block start is). */
export function isFuelBlock(c: Compiled, pc: number): boolean {
  return !c.exact && pc >= 0 && pc < c.code.length && c.origAt[pc] !== -1 && (c.code[pc] === Op.FUEL || c.code[pc] === Op.FUEL_OSR);
}
