/**
 * The text format's fixed vocabulary: the value-type and heap-type keywords,
 * and the test the parser's errors use to tell a known atom (a keyword or a
 * number) from an unknown operator.
 */
import { BY_NAME } from '../core/instructions.js';
import { F32, F64, HeapType, I32, I64, V128, refType, type ValType } from '../core/types.js';
import { parseF64, parseNat } from './numbers.js';

export const ABS_HEAP: Record<string, number> = {
  func: HeapType.func,
  extern: HeapType.extern,
  any: HeapType.any,
  eq: HeapType.eq,
  i31: HeapType.i31,
  struct: HeapType.struct,
  array: HeapType.array,
  none: HeapType.none,
  nofunc: HeapType.nofunc,
  noextern: HeapType.noextern,
  exn: HeapType.exn,
  noexn: HeapType.noexn,
};
export const SIMPLE_VALTYPE: Record<string, ValType> = {
  i32: I32,
  i64: I64,
  f32: F32,
  f64: F64,
  v128: V128,
  funcref: refType(HeapType.func, true),
  externref: refType(HeapType.extern, true),
  anyref: refType(HeapType.any, true),
  eqref: refType(HeapType.eq, true),
  i31ref: refType(HeapType.i31, true),
  structref: refType(HeapType.struct, true),
  arrayref: refType(HeapType.array, true),
  nullref: refType(HeapType.none, true),
  nullfuncref: refType(HeapType.nofunc, true),
  nullexternref: refType(HeapType.noextern, true),
  exnref: refType(HeapType.exn, true),
  nullexnref: refType(HeapType.noexn, true),
};

const TEXT_KEYWORDS = new Set(
  (
    'module type rec sub final func struct array field mut param result local import export table memory global ' +
    'tag elem data start offset item declare then else end do catch catch_ref catch_all catch_all_ref delegate ' +
    'i8 i16 shared unshared pagesize ref null exact binary quote definition instance i8x16 i16x8 i32x4 i64x2 ' +
    'f32x4 f64x2 nan:canonical nan:arithmetic before after first last'
  ).split(' '),
);

/** Whether an atom is a keyword of the text format or looks like a number. */
export function isKnownAtom(t: string): boolean {
  if (TEXT_KEYWORDS.has(t) || BY_NAME.has(t) || t in SIMPLE_VALTYPE || t in ABS_HEAP) return true;
  if (t.startsWith('offset=')) return parseNat(t.slice(7)) !== null;
  if (t.startsWith('align=')) return parseNat(t.slice(6)) !== null;
  const c = t.charCodeAt(t[0] === '+' || t[0] === '-' ? 1 : 0);
  try {
    if (c >= 0x30 && c <= 0x39) return parseF64(t) !== null || parseNat(t.replace(/^[+-]/, '')) !== null;
    const b = t.replace(/^[+-]/, '');
    return b === 'inf' || b === 'nan' || (b.startsWith('nan:0x') && parseF64(b) !== null);
  } catch {
    return true; // a number out of range
  }
}
