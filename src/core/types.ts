/**
 * Value and heap types as small integers, so the validator and the
 * translator compare and store them without allocating.
 *
 * Number types keep their binary encoding (0x7f i32 ... 0x7b v128) and the
 * packed storage types their own (0x78 i8, 0x77 i16).
 * A reference type is REF_BASE + (heap << 1) + (nullable ? 1 : 0), where
 * `heap` is an abstract heap type code (HeapType.*, below 16) or
 * HEAP_CONCRETE + typeIndex for a module-local defined type.
 */

export const I32 = 0x7f;
export const I64 = 0x7e;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
/** Packed storage types (struct/array fields only). */
export const I8 = 0x78;
export const I16 = 0x77;

export type ValType = number;
export type StorageType = number;

export const REF_BASE = 0x100;

/** Abstract heap types. */
export const HeapType = {
  func: 0,
  extern: 1,
  any: 2,
  eq: 3,
  i31: 4,
  struct: 5,
  array: 6,
  none: 7,
  nofunc: 8,
  noextern: 9,
  exn: 10,
  noexn: 11,
} as const;
export type AbsHeapType = (typeof HeapType)[keyof typeof HeapType];
/** Heap code of concrete type index i is HEAP_CONCRETE + i. */
export const HEAP_CONCRETE = 16;
/**
 * Flag added to a concrete heap code for an exact heap type (custom descriptors: `(exact $t)`, inhabited by
 * references to $t itself and not its strict subtypes). Only concrete heap types are exact.
 */
export const EXACT_HEAP = 1 << 24;

/** Whether heap code `h` is an exact concrete heap type. */
export function isExactHeap(h: number): boolean {
  return h >= EXACT_HEAP;
}
/** Heap code `h` without its exactness. */
export function inexactHeap(h: number): number {
  return h >= EXACT_HEAP ? h - EXACT_HEAP : h;
}
/** The type index (or canonical id) of a concrete heap code, exact or not; -1 for an abstract one. */
export function heapIndex(h: number): number {
  if (h >= EXACT_HEAP) h -= EXACT_HEAP;
  return h >= HEAP_CONCRETE ? h - HEAP_CONCRETE : -1;
}
/** Reference type `t` with its heap type made exact (`exact` true) or inexact. */
export function withExact(t: ValType, exact: boolean): ValType {
  const h = inexactHeap(refHeap(t));
  return refType(exact && h >= HEAP_CONCRETE ? h + EXACT_HEAP : h, refNullable(t));
}

/** Binary encodings (as signed byte values' unsigned forms) of the abstract heap types. */
export const HEAP_BYTE: Record<number, number> = {
  0x70: HeapType.func,
  0x6f: HeapType.extern,
  0x6e: HeapType.any,
  0x6d: HeapType.eq,
  0x6c: HeapType.i31,
  0x6b: HeapType.struct,
  0x6a: HeapType.array,
  0x71: HeapType.none,
  0x73: HeapType.nofunc,
  0x72: HeapType.noextern,
  0x69: HeapType.exn,
  0x74: HeapType.noexn,
};
export const HEAP_TO_BYTE: number[] = [];
for (const [b, h] of Object.entries(HEAP_BYTE)) HEAP_TO_BYTE[h] = Number(b);

export const HEAP_NAMES = ['func', 'extern', 'any', 'eq', 'i31', 'struct', 'array', 'none', 'nofunc', 'noextern', 'exn', 'noexn'];

export function refType(heap: number, nullable: boolean): ValType {
  return REF_BASE + heap * 2 + (nullable ? 1 : 0);
}
export function isRef(t: ValType): boolean {
  return t >= REF_BASE;
}
export function refHeap(t: ValType): number {
  return (t - REF_BASE) >> 1;
}
export function refNullable(t: ValType): boolean {
  return ((t - REF_BASE) & 1) === 1;
}
export function isConcreteHeap(heap: number): boolean {
  return heap >= HEAP_CONCRETE;
}
export function concreteHeap(typeIndex: number): number {
  return HEAP_CONCRETE + typeIndex;
}

export const FUNCREF = refType(HeapType.func, true);
export const EXTERNREF = refType(HeapType.extern, true);
export const ANYREF = refType(HeapType.any, true);
export const EQREF = refType(HeapType.eq, true);
export const I31REF = refType(HeapType.i31, true);
export const STRUCTREF = refType(HeapType.struct, true);
export const ARRAYREF = refType(HeapType.array, true);
export const NULLREF = refType(HeapType.none, true);
export const NULLFUNCREF = refType(HeapType.nofunc, true);
export const NULLEXTERNREF = refType(HeapType.noextern, true);
export const EXNREF = refType(HeapType.exn, true);
export const NULLEXNREF = refType(HeapType.noexn, true);

export function isNum(t: ValType): boolean {
  return t === I32 || t === I64 || t === F32 || t === F64;
}

/** Text of a value type, as the text format writes it (for messages and --inspect). */
export function valTypeName(t: ValType): string {
  switch (t) {
    case I32: return 'i32';
    case I64: return 'i64';
    case F32: return 'f32';
    case F64: return 'f64';
    case V128: return 'v128';
    case I8: return 'i8';
    case I16: return 'i16';
  }
  if (!isRef(t)) return `<bad type ${t}>`;
  const heap = refHeap(t);
  const x = heapIndex(heap);
  const h = x >= 0 ? (isExactHeap(heap) ? `(exact ${x})` : String(x)) : HEAP_NAMES[heap] ?? '?';
  return `(ref ${refNullable(t) ? 'null ' : ''}${h})`;
}

// ---------------------------------------------------------------- composite types

export const enum CompKind {
  Func = 0,
  Struct = 1,
  Array = 2,
}

export interface FuncType {
  kind: CompKind.Func;
  params: ValType[];
  results: ValType[];
}

/** Whether two function types have exactly the same parameters and results. */
export function sameFuncType(a: FuncType, b: FuncType): boolean {
  const same = (x: ValType[], y: ValType[]): boolean => x.length === y.length && x.every((t, i) => t === y[i]);
  return same(a.params, b.params) && same(a.results, b.results);
}

/** A function type as text for messages: `(i32, i32) -> (i64)`. */
export function funcTypeText(t: FuncType): string {
  return `(${t.params.map(valTypeName).join(', ')}) -> (${t.results.map(valTypeName).join(', ')})`;
}
export interface FieldType {
  type: StorageType;
  mutable: boolean;
}
export interface StructType {
  kind: CompKind.Struct;
  fields: FieldType[];
}
export interface ArrayType {
  kind: CompKind.Array;
  field: FieldType;
}
export type CompType = FuncType | StructType | ArrayType;

/** One entry of the type section, with its place in its recursion group. */
export interface SubType {
  final: boolean;
  /** Declared supertypes (type indices); at most one in Wasm 3.0. */
  supers: number[];
  comp: CompType;
  /** Custom descriptors: the type index of this struct type's descriptor (`descriptor` clause), if any. */
  descriptor?: number;
  /** Custom descriptors: the type index of the struct type this type describes (`describes` clause), if any. */
  describes?: number;
  /** Index of the first type of this type's rec group, and the group's size. */
  recStart: number;
  recSize: number;
}

export interface TableType {
  elem: ValType;
  /** Address type; limits are numbers in both cases (table64 limits beyond 2^53 are rounded). */
  addr: 'i32' | 'i64';
  min: number;
  max: number | null;
}

export interface MemType {
  addr: 'i32' | 'i64';
  /** Limits in pages. */
  min: number;
  max: number | null;
  shared: boolean;
  /** log2 of the page size: 16 by default, 0 allowed by custom-page-sizes. */
  pageSizeLog2: number;
}

export interface GlobalType {
  type: ValType;
  mutable: boolean;
}
