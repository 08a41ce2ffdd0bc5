/**
 * SIMD lane semantics. Every function works on a V128Views object (typed views
 * over one ArrayBuffer) and byte offsets (multiples of 8); results are written
 * at the destination offset, which may alias any operand. No function
 * allocates.
 *
 * Functions are named after the instruction with the first '.' replaced by
 * '_' (i8x16.add_sat_s -> i8x16_add_sat_s). The tables below index every
 * immediate-free 0xFD instruction of the instruction table by its text name
 * and shape (simdTables(), built on first use):
 *   UNARY   v:v    (v, d, a)
 *   BINARY  vv:v   (v, d, a, b)
 *   TERNARY vvv:v  (v, d, a, b, c)
 *   SHIFT   vi:v   (v, d, a, count)       count taken mod the lane width
 *   TEST    v:i    (v, a) -> i32          any_true, all_true, bitmask
 * Instructions with immediates or scalar operands are exported directly:
 * splat (scalar operands; i64/f64 as lo/hi halves, f32 as bits), extract_lane /
 * replace_lane (lane index), i8x16.shuffle (16 lane indices). Memory
 * instructions are left to the executor (../simd-exec.ts, which also builds the
 * per-instruction-id table the interpreter dispatches through): e.g.
 * v128.load8x8_s = copy 8 bytes to the low half of d, then
 * i16x8_extend_low_i8x16_s(v, d, d); load*_splat = scalar load + splat;
 * load*_lane = scalar load + replace_lane.
 *
 * Relaxed SIMD follows the deterministic profile (see relaxed.ts).
 */
import { INSTRS } from '../../core/instructions.js';
import { V128, type ValType } from '../../core/types.js';
import * as Cross from './cross.js';
import * as I64x2 from './i64x2.js';
import * as Lanewise from './lanewise.js';
import * as Relaxed from './relaxed.js';
import type { V128Views } from './views.js';

export * from './cross.js';
export * from './i64x2.js';
export * from './lanewise.js';
export * from './relaxed.js';
export { fromScratch, SCRATCH, viewsOf, type V128Views } from './views.js';

export type Unary = (v: V128Views, d: number, a: number) => void;
export type Binary = (v: V128Views, d: number, a: number, b: number) => void;
export type Ternary = (v: V128Views, d: number, a: number, b: number, c: number) => void;
export type Shift = (v: V128Views, d: number, a: number, count: number) => void;
export type Test = (v: V128Views, a: number) => number;

/** The immediate-free vector instructions by shape and text name (see above). */
export interface SimdTables {
  UNARY: Record<string, Unary>;
  BINARY: Record<string, Binary>;
  TERNARY: Record<string, Ternary>;
  SHIFT: Record<string, Shift>;
  TEST: Record<string, Test>;
}
let tables: SimdTables | null = null;

/** Function name of an instruction name: i8x16.add -> i8x16_add. */
export function fnName(instr: string): string {
  return instr.replace('.', '_');
}

/**
 * The tables, built on first use: a program without vector instructions (most, and every short CLI run) does
 * not pay for them at start-up.
 */
export function simdTables(): SimdTables {
  return (tables ??= buildTables());
}

function buildTables(): SimdTables {
  const t: SimdTables = { UNARY: {}, BINARY: {}, TERNARY: {}, SHIFT: {}, TEST: {} };
  const all = { ...Cross, ...I64x2, ...Lanewise, ...Relaxed } as unknown as Record<string, unknown>;
  const letter = (v: ValType): string => (v === V128 ? 'v' : 's');
  for (const d of INSTRS) {
    if (d.prefix !== 0xfd || d.imm !== 'none' || !d.params || !d.results) continue;
    const f = all[fnName(d.name)];
    if (typeof f !== 'function') continue;
    const sig = d.params.map(letter).join('') + ':' + d.results.map(letter).join('');
    if (sig === 'v:v') t.UNARY[d.name] = f as Unary;
    else if (sig === 'vv:v') t.BINARY[d.name] = f as Binary;
    else if (sig === 'vvv:v') t.TERNARY[d.name] = f as Ternary;
    else if (sig === 'vs:v') t.SHIFT[d.name] = f as Shift;
    else if (sig === 'v:s') t.TEST[d.name] = f as Test;
    // 's:v' (splat) is exported by name only
  }
  return t;
}
