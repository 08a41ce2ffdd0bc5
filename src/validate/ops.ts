/**
 * What the validator's files share besides the Checker: per-instruction tables built once from the
 * instruction table, and the small type helpers used for checks and error messages.
 *
 * Dispatch codes are const enums declared in the file whose switch uses them (the body loop's in func.ts, each
 * family's in its own file), so that every case label is a literal also when files are compiled one by one.
 */
import { BY_NAME, INSTRS, type InstrDef } from '../core/instructions.js';
import { REF_BASE, valTypeName, type ValType } from '../core/types.js';
import { BOTTOM, HEAP_BOT } from './types.js';

/**
 * The empty type list. Not frozen: every type list the validator's loop reads (this, `single`'s, the decoder's function
 * types) is then a packed array of small integers of one map; a frozen one was a map of its own, and `run`'s optimised
 * code was thrown away at the first list of a map its feedback had not seen (BENCHMARKS.md, session 17, gen13).
 */
export const EMPTY: readonly ValType[] = [];

/** A Uint8Array indexed by InstrDef.id holding `code(def)` for every instruction. */
export function codeTable(code: (d: InstrDef) => number): Uint8Array {
  const t = new Uint8Array(INSTRS.length);
  for (const d of INSTRS) t[d.id] = code(d);
  return t;
}

/**
 * A Uint8Array indexed by InstrDef.id holding `codes[name]` for every instruction of that name, 0 for the rest:
 * codeTable((d) => codes[d.name] ?? 0) visiting the few names instead of every instruction (this runs at
 * start-up, in V8's interpreter, where a lookup that misses costs more than one that hits).
 */
export function codeTableByName(codes: Readonly<Record<string, number>>): Uint8Array {
  const t = new Uint8Array(INSTRS.length);
  for (const name of Object.keys(codes)) for (const d of BY_NAME.get(name) ?? []) t[d.id] = codes[name]!;
  return t;
}

/** Per InstrDef.id: log2 of the natural alignment (memory accesses). */
export const NATURAL = codeTable((d) => (d.bytes > 0 ? Math.log2(d.bytes) : 0));
const SHAPE_LANES: Record<string, number> = { i8x16: 16, i16x8: 8, i32x4: 4, i64x2: 2, f32x4: 4, f64x2: 2 };
/** Per InstrDef.id: the lane count that bounds a lane immediate (lane loads/stores and lane instructions). */
export const LANES = codeTable((d) => {
  if (d.imm === 'memarg_lane') return 16 / d.bytes;
  if (d.imm === 'lane') return SHAPE_LANES[d.name.slice(0, d.name.indexOf('.'))] ?? 16;
  return 0;
});
const CONST_NAMES = new Set([
  'i32.const', 'i64.const', 'f32.const', 'f64.const', 'v128.const', 'ref.null', 'ref.func', 'global.get',
  'i32.add', 'i32.sub', 'i32.mul', 'i64.add', 'i64.sub', 'i64.mul', 'struct.new', 'struct.new_default',
  'struct.new_desc', 'struct.new_default_desc',
  'array.new', 'array.new_default', 'array.new_fixed', 'ref.i31', 'any.convert_extern', 'extern.convert_any', 'end',
]);
/** Per InstrDef.id: allowed in constant expressions. */
export const CONST_OK = codeTable((d) => (CONST_NAMES.has(d.name) ? 1 : 0));
/** Per InstrDef.id: extended-const arithmetic (i32/i64 add, sub, mul), allowed in constant expressions with that feature. */
export const CONST_EXT = codeTable((d) => (/^i(32|64)\.(add|sub|mul)$/.test(d.name) ? 1 : 0));

/** `[t1 t2 ...]` for error messages (`bot` for unknown operands of unreachable code). */
export function fmtTypes(ts: readonly ValType[], from = 0, to = ts.length): string {
  let s = '[';
  for (let i = from; i < to; i++) s += (i > from ? ' ' : '') + (ts[i] === BOTTOM ? 'bot' : typeName(ts[i]!));
  return s + ']';
}
export function typeName(t: ValType): string {
  if (t >= REF_BASE && (t - REF_BASE) >> 1 === HEAP_BOT) return (t - REF_BASE) & 1 ? '(ref null bot)' : '(ref bot)';
  return valTypeName(t);
}

/** The reference type to `heap` (a HeapType or HEAP_CONCRETE + type index). */
export function refT(heap: number, nullable: boolean): ValType {
  return REF_BASE + heap * 2 + (nullable ? 1 : 0);
}
