/**
 * The translator's instruction tables (see translate-state.ts for its layers):
 * which instructions have a dedicated internal opcode, which go through the
 * CONVERT op, which i32 compares fuse with a following branch, and which end a
 * fuel block after them.
 */
import { BY_NAME, INSTRS } from '../core/instructions.js';
import { Op } from './exec.js';
import { nanBits } from './nan-bits.js';

// ------------------------------------------------------------------ instruction -> internal opcode

/** Simple instructions with a dedicated internal opcode, by table id. */
export const SIMPLE: Int32Array = new Int32Array(INSTRS.length).fill(-1);
function map(name: string, op: Op): void {
  const defs = BY_NAME.get(name);
  if (!defs) throw new Error(`translate: unknown instruction ${name}`);
  for (const d of defs) SIMPLE[d.id] = op;
}
{
  const seq = (names: string, first: Op): void => {
    names
      .trim()
      .split(/\s+/)
      .forEach((n, i) => map(n, first + i));
  };
  seq(
    `i32.load i64.load i32.load8_s i32.load8_u i32.load16_s i32.load16_u i64.load8_s i64.load8_u
     i64.load16_s i64.load16_u i64.load32_s i64.load32_u i32.store i64.store i32.store8 i32.store16
     i64.store8 i64.store16 i64.store32`,
    Op.I32_LOAD,
  );
  map('f32.load', Op.I32_LOAD);
  map('f32.store', Op.I32_STORE);
  mapF64Accesses(nanBits.kept);
  seq(
    `i32.eqz i32.eq i32.ne i32.lt_s i32.lt_u i32.gt_s i32.gt_u i32.le_s i32.le_u i32.ge_s i32.ge_u
     i32.clz i32.ctz i32.popcnt i32.add i32.sub i32.mul i32.div_s i32.div_u i32.rem_s i32.rem_u
     i32.and i32.or i32.xor i32.shl i32.shr_s i32.shr_u i32.rotl i32.rotr
     i64.eqz i64.eq i64.ne i64.lt_s i64.lt_u i64.gt_s i64.gt_u i64.le_s i64.le_u i64.ge_s i64.ge_u
     i64.clz i64.ctz i64.popcnt i64.add i64.sub i64.mul i64.div_s i64.div_u i64.rem_s i64.rem_u
     i64.and i64.or i64.xor i64.shl i64.shr_s i64.shr_u i64.rotl i64.rotr
     f32.eq f32.ne f32.lt f32.gt f32.le f32.ge f32.abs f32.neg f32.ceil f32.floor f32.trunc f32.nearest
     f32.sqrt f32.add f32.sub f32.mul f32.div f32.min f32.max f32.copysign
     f64.eq f64.ne f64.lt f64.gt f64.le f64.ge f64.abs f64.neg f64.ceil f64.floor f64.trunc f64.nearest
     f64.sqrt f64.add f64.sub f64.mul f64.div f64.min f64.max f64.copysign
     i32.wrap_i64 i64.extend_i32_s i64.extend_i32_u i32.extend8_s i32.extend16_s i64.extend8_s
     i64.extend16_s i64.extend32_s f32.demote_f64 f64.promote_f32 f32.convert_i32_s f32.convert_i32_u
     f64.convert_i32_s f64.convert_i32_u`,
    Op.I32_EQZ,
  );
  for (const n of ['i32.reinterpret_f32', 'f32.reinterpret_i32', 'i64.reinterpret_f64', 'f64.reinterpret_i64']) map(n, Op.COPY);
}
/**
 * `f64.load`/`f64.store`: F64_LOAD/F64_STORE (getFloat64/setFloat64 and the Float64Array view, which store-to-load
 * forwarding favours) where the engine keeps NaN bits; else I64_LOAD/I64_STORE, which move the same 8 bytes into and
 * out of the same slot words as two int32s (nan-bits.ts).
 */
function mapF64Accesses(kept: boolean): void {
  map('f64.load', kept ? Op.F64_LOAD : Op.I64_LOAD);
  map('f64.store', kept ? Op.F64_STORE : Op.I64_STORE);
}

/**
 * For tests only: run as an engine that keeps NaN bits (`true`, V8's way) or one that canonicalizes them (`false`,
 * SpiderMonkey's and JavaScriptCore's). Applies to functions translated and generated after the call (modules
 * compiled before keep their code); restore with `setNaNBitsKept(detectNaNBits())`.
 */
export function setNaNBitsKept(kept: boolean): void {
  nanBits.kept = kept;
  mapF64Accesses(kept);
}

/** Conversions handled by the CONVERT op (numeric helpers). */
export const CONVERSIONS = new Set(
  `i32.trunc_f32_s i32.trunc_f32_u i32.trunc_f64_s i32.trunc_f64_u i64.trunc_f32_s i64.trunc_f32_u
   i64.trunc_f64_s i64.trunc_f64_u f32.convert_i64_s f32.convert_i64_u f64.convert_i64_s f64.convert_i64_u
   i32.trunc_sat_f32_s i32.trunc_sat_f32_u i32.trunc_sat_f64_s i32.trunc_sat_f64_u
   i64.trunc_sat_f32_s i64.trunc_sat_f32_u i64.trunc_sat_f64_s i64.trunc_sat_f64_u`
    .trim()
    .split(/\s+/),
);

/** i32 compare op -> fused branch-if-true op, and the op that branches when the compare is false. */
export const BR_FUSE = new Map<Op, [Op, Op]>([
  [Op.I32_EQZ, [Op.BR_IF_EQZ, Op.BR_IF]],
  [Op.I32_EQ, [Op.BR_IF_EQ, Op.BR_IF_NE]],
  [Op.I32_NE, [Op.BR_IF_NE, Op.BR_IF_EQ]],
  [Op.I32_LT_S, [Op.BR_IF_LT_S, Op.BR_IF_GE_S]],
  [Op.I32_LT_U, [Op.BR_IF_LT_U, Op.BR_IF_GE_U]],
  [Op.I32_GT_S, [Op.BR_IF_GT_S, Op.BR_IF_LE_S]],
  [Op.I32_GT_U, [Op.BR_IF_GT_U, Op.BR_IF_LE_U]],
  [Op.I32_LE_S, [Op.BR_IF_LE_S, Op.BR_IF_GT_S]],
  [Op.I32_LE_U, [Op.BR_IF_LE_U, Op.BR_IF_GT_U]],
  [Op.I32_GE_S, [Op.BR_IF_GE_S, Op.BR_IF_LT_S]],
  [Op.I32_GE_U, [Op.BR_IF_GE_U, Op.BR_IF_LT_U]],
]);

/** Instructions that end a fuel block after them (they charge a surcharge or call out). */
export const ENDS_BLOCK = new Set(
  ('memory.grow memory.fill memory.copy memory.init table.grow table.fill table.copy table.init ' +
    'array.new array.new_default array.new_data array.new_elem array.fill array.copy array.init_data array.init_elem').split(' '),
);
