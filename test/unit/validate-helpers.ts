/** Builders for validator unit tests: Module objects with bodies written as bytes. */
import { Writer } from '../../src/core/bytes.js';
import { BY_NAME, byName, opcodeBytes } from '../../src/core/instructions.js';
import { emptyModule, type ConstExpr, type Module } from '../../src/core/module.js';
import {
  CompKind,
  HEAP_CONCRETE,
  HEAP_TO_BYTE,
  REF_BASE,
  type FieldType,
  type SubType,
  type ValType,
} from '../../src/core/types.js';

export function mod(parts: Partial<Module>): Module {
  return { ...emptyModule(), ...parts };
}

export function functype(params: ValType[], results: ValType[], extra: Partial<SubType> = {}, index = 0): SubType {
  return { final: true, supers: [], comp: { kind: CompKind.Func, params, results }, recStart: index, recSize: 1, ...extra };
}
export function structtype(fields: FieldType[], extra: Partial<SubType> = {}, index = 0): SubType {
  return { final: true, supers: [], comp: { kind: CompKind.Struct, fields }, recStart: index, recSize: 1, ...extra };
}
export function arraytype(field: FieldType, extra: Partial<SubType> = {}, index = 0): SubType {
  return { final: true, supers: [], comp: { kind: CompKind.Array, field }, recStart: index, recSize: 1, ...extra };
}
/** Sets recStart/recSize of singleton groups to their own index. */
export function types(...ts: SubType[]): SubType[] {
  return ts.map((t, i) => (t.recSize === 1 ? { ...t, recStart: i } : t));
}

/** Opcode bytes of an instruction by name (second encoding with `alt`). */
export function op(name: string, alt = 0): number[] {
  const d = BY_NAME.get(name)?.[alt] ?? byName(name);
  return opcodeBytes(d);
}
export function u32(v: number): number[] {
  return [...new Writer().u32(v).finish()];
}
export function s32(v: number): number[] {
  return [...new Writer().s32(v).finish()];
}
/** Heap type immediate (abstract code or HEAP_CONCRETE + idx). */
export function heap(h: number): number[] {
  if (h >= HEAP_CONCRETE) return s32(h - HEAP_CONCRETE);
  return [HEAP_TO_BYTE[h]!];
}
/** Value type encoding. */
export function vt(t: ValType): number[] {
  if (t < REF_BASE) return [t];
  const h = (t - REF_BASE) >> 1;
  const nullable = ((t - REF_BASE) & 1) === 1;
  return [nullable ? 0x63 : 0x64, ...heap(h)];
}
/** Instruction with u32 immediates. */
export function I(name: string, ...imms: number[]): number[] {
  return [...op(name), ...imms.flatMap(u32)];
}
export function i32c(v: number): number[] {
  return [...op('i32.const'), ...s32(v)];
}
export function i64c(v: number): number[] {
  return [...op('i64.const'), ...new Writer().s64(BigInt(v)).finish()];
}
export function f32c(): number[] {
  return [...op('f32.const'), 0, 0, 0, 0];
}
export function f64c(): number[] {
  return [...op('f64.const'), 0, 0, 0, 0, 0, 0, 0, 0];
}
/** Block-type immediate: 'empty', a value type, or {type: idx}. */
export function bt(b: 'empty' | ValType | { type: number }): number[] {
  if (b === 'empty') return [0x40];
  if (typeof b === 'object') return s32(b.type);
  return vt(b);
}
export function block(name: 'block' | 'loop' | 'if' | 'try', b: Parameters<typeof bt>[0] = 'empty'): number[] {
  return [...op(name), ...bt(b)];
}
/** memarg: align log2, offset, optional memory index. */
export function memarg(name: string, align: number, offset = 0, mem = 0): number[] {
  if (mem !== 0) return [...op(name), ...u32(align | 0x40), ...u32(mem), ...u32(offset)];
  return [...op(name), ...u32(align), ...u32(offset)];
}
export const END = op('end');

export function code(...parts: number[][]): Uint8Array {
  return Uint8Array.from(parts.flat());
}
export function cexpr(...parts: number[][]): ConstExpr {
  return { bytes: Uint8Array.from([...parts.flat(), 0x0b]), offset: -1 };
}

/**
 * A module with one type [params] -> [results] (type 0) and one function
 * of it whose body is `parts` followed by `end`; extra module parts merge in.
 */
export function fn(
  params: ValType[],
  results: ValType[],
  parts: number[][],
  extra: Partial<Module> = {},
  locals: { count: number; type: ValType }[] = [],
): Module {
  const ts = extra.types ?? [functype(params, results)];
  return mod({
    ...extra,
    types: ts,
    funcs: [0, ...(extra.funcs ?? [])],
    codes: [{ locals, body: code(...parts, END), offset: 0 }, ...(extra.codes ?? [])],
  });
}

/** The error `f` throws (an Error saying 'accepted' when it throws nothing). */
export function rejection(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('accepted');
}
