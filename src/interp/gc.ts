/**
 * The GC proposal at run time: struct and array objects, i31 references,
 * casts, the extern/any conversions, the GC instructions executed through
 * MISC (see misc.ts), their translation signatures, and GC instructions in
 * constant expressions.
 *
 * Representation (see docs/architecture.md):
 * - a struct is a GcStruct: its type descriptor and one plain JS array of
 *   entries: an i32/f32/i8/i16 field takes one entry (an int32 number; f32
 *   as its bits; packed fields zero-extended), i64/f64 two (lo, hi words),
 *   v128 four, a reference one (the reference itself). Bits only, so NaN
 *   payloads survive;
 * - an array is a GcArray: its type descriptor, its length and a typed
 *   array of the element bits (Uint8Array for i8, Uint16Array for i16,
 *   Int32Array of 1, 2 or 4 words per element for i32/f32, i64/f64, v128)
 *   or a JS array of references;
 * - an i31 reference is a JS number (the signed 31-bit value), so ref.eq
 *   (===) compares it by value and no object is allocated;
 * - the extern/any conversions are the identity, except that a host number
 *   entering the any hierarchy (any.convert_extern, or a host argument of an
 *   anyref/eqref/i31ref type) becomes an i31 when it is an integer in the
 *   i31 range and is boxed in a HostNumber otherwise (the JS API's rule); a
 *   HostNumber leaving it (extern.convert_any, results to the host) is
 *   unboxed. So every round trip gives the embedder back its own value.
 */
import { ResourceLimitError, Trap } from '../core/errors.js';
import { INSTRS } from '../core/instructions.js';
import type { Instr } from '../decoder/instr.js';
import {
  ANYREF,
  CompKind,
  EXTERNREF,
  F32,
  F64,
  HEAP_CONCRETE,
  HeapType,
  I16,
  I32,
  I64,
  I8,
  REF_BASE,
  V128,
  refHeap,
  refType,
  type ArrayType,
  type StorageType,
  type StructType,
  type ValType,
} from '../core/types.js';
import type { FuncValidator } from '../validate/func.js';
import { unpacked, type TypeRegistry } from '../validate/types.js';
import { elemSurcharge, paySurcharge } from './fuel.js';
import type { Instance, Slot } from './instance.js';
import type { Machine } from './machine.js';
import { HostFunc, WasmFunc, type Limits } from './runtime.js';

// ------------------------------------------------------------------ objects

/** Storage kinds of a field or an array element. */
export const K_I32 = 0; // i32, f32: one word
export const K_I64 = 1; // i64, f64: two words
export const K_V128 = 2; // four words
export const K_I8 = 3;
export const K_I16 = 4;
export const K_REF = 5;

/** Words (struct entries) per kind. */
const WORDS = [1, 2, 4, 1, 1, 1];
/** Bytes of an element of each kind in a data segment (refs: what the byte limit counts). */
const BYTES = [4, 8, 16, 1, 2, 8];

function kindOf(t: StorageType): number {
  switch (t) {
    case I32:
    case F32:
      return K_I32;
    case I64:
    case F64:
      return K_I64;
    case V128:
      return K_V128;
    case I8:
      return K_I8;
    case I16:
      return K_I16;
  }
  return K_REF;
}

/** Run-time descriptor of a struct or array type (one per canonical type id and registry). */
export class GcType {
  /** Struct: kind and first entry of each field; entries of a struct; default entries. */
  readonly kinds: Uint8Array;
  readonly offs: Int32Array;
  readonly size: number;
  readonly template: unknown[];
  /** Array: the element kind. */
  readonly elem: number;
  constructor(
    /** Canonical type id. */
    readonly id: number,
    readonly isStruct: boolean,
    comp: StructType | ArrayType,
  ) {
    if (comp.kind === CompKind.Struct) {
      const n = comp.fields.length;
      this.kinds = new Uint8Array(n);
      this.offs = new Int32Array(n);
      const template: unknown[] = [];
      for (let i = 0; i < n; i++) {
        const k = kindOf(comp.fields[i]!.type);
        this.kinds[i] = k;
        this.offs[i] = template.length;
        for (let j = 0; j < WORDS[k]!; j++) template.push(k === K_REF ? null : 0);
      }
      this.size = template.length;
      this.template = template;
      this.elem = -1;
    } else {
      this.kinds = new Uint8Array(0);
      this.offs = new Int32Array(0);
      this.size = 0;
      this.template = [];
      this.elem = kindOf(comp.field.type);
    }
  }
}

export class GcStruct {
  constructor(
    readonly type: GcType,
    readonly f: unknown[],
  ) {}
}

export type ArrayData = Int32Array | Uint8Array | Uint16Array | unknown[];

export class GcArray {
  constructor(
    readonly type: GcType,
    readonly len: number,
    readonly data: ArrayData,
  ) {}
}

/** A host number in the any hierarchy that is not an i31 (see the module comment). */
export class HostNumber {
  constructor(readonly value: number) {}
}

const byRegistry = new WeakMap<TypeRegistry, GcType[]>();

/** The descriptor of canonical type `id` (struct or array). */
export function gcTypeById(reg: TypeRegistry, id: number): GcType {
  let list = byRegistry.get(reg);
  if (!list) byRegistry.set(reg, (list = []));
  let t = list[id];
  if (!t) {
    const c = reg.get(id).comp;
    if (c.kind === CompKind.Func) throw new TypeError(`canonical type ${id} is a function type`);
    t = list[id] = new GcType(id, c.kind === CompKind.Struct, c);
  }
  return t;
}

/** The descriptor of the instance's type index `ti`. */
export function gcType(inst: Instance, ti: number): GcType {
  const t = inst.gcTypes[ti];
  if (t !== undefined) return t;
  return (inst.gcTypes[ti] = gcTypeById(inst.vm.registry, inst.vm.canon[ti]!));
}

// ------------------------------------------------------------------ i31 and conversions

export function isI31(v: unknown): v is number {
  return typeof v === 'number';
}

/** any.convert_extern: a host value as an anyref. */
export function internalize(v: unknown): unknown {
  if (typeof v === 'number') {
    return Number.isInteger(v) && v >= -0x40000000 && v <= 0x3fffffff && !Object.is(v, -0) ? v : new HostNumber(v);
  }
  return v === undefined ? null : v;
}

/** extern.convert_any: an anyref as an externref. */
export function externalize(v: unknown): unknown {
  return v instanceof HostNumber ? v.value : v;
}

/**
 * A host value written into a reference slot of type `t` (module-local):
 * numbers entering the any hierarchy are internalized.
 */
export function fromHost(t: ValType, v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'number') {
    const h = refHeap(t);
    if (h === HeapType.any || h === HeapType.eq || h === HeapType.i31) return internalize(v);
  }
  return v;
}

/** A reference as the embedder sees it. */
export function toHost(v: unknown): unknown {
  return v instanceof HostNumber ? v.value : v;
}

// ------------------------------------------------------------------ casts

/** Whether non-null or null `v` is in canonical heap type `heap` (HEAP_CONCRETE + canonical id) or its nullable form. */
export function refTestCanon(reg: TypeRegistry, v: unknown, heap: number, nullable: boolean): boolean {
  if (v === null || v === undefined) return nullable;
  if (heap >= HEAP_CONCRETE) {
    const id = heap - HEAP_CONCRETE;
    if (v instanceof GcStruct || v instanceof GcArray) return v.type.id === id || reg.isSubtype(v.type.id, id);
    if (v instanceof WasmFunc || v instanceof HostFunc) return v.typeId === id || reg.isSubtype(v.typeId, id);
    return false;
  }
  switch (heap) {
    case HeapType.any:
    case HeapType.func:
    case HeapType.extern:
    case HeapType.exn:
      return true;
    case HeapType.eq:
      return typeof v === 'number' || v instanceof GcStruct || v instanceof GcArray;
    case HeapType.i31:
      return typeof v === 'number';
    case HeapType.struct:
      return v instanceof GcStruct;
    case HeapType.array:
      return v instanceof GcArray;
  }
  return false; // none, nofunc, noextern, noexn: only null
}

/** ref.test with a module-local heap type. */
export function refTest(inst: Instance, v: unknown, heap: number, nullable: boolean): boolean {
  const h = heap >= HEAP_CONCRETE ? HEAP_CONCRETE + inst.vm.canon[heap - HEAP_CONCRETE]! : heap;
  return refTestCanon(inst.vm.registry, v, h, nullable);
}

/**
 * Whether a host value fits a reference type of a function's signature
 * (module-local type, `canon` maps its type indices; null for host
 * function types, which name abstract heap types only). Values of abstract
 * top types (any, func, extern, exn) are not checked beyond nullability
 * and, for func, being a function.
 */
export function hostRefFits(reg: TypeRegistry | null, canon: Int32Array | null, t: ValType, v: unknown): boolean {
  const r = t - REF_BASE;
  const nullable = (r & 1) === 1;
  let heap = r >> 1;
  if (v === null) return nullable;
  if (heap >= HEAP_CONCRETE) {
    if (canon === null || reg === null) return true;
    heap = HEAP_CONCRETE + canon[heap - HEAP_CONCRETE]!;
    return refTestCanon(reg, v, heap, nullable);
  }
  if (heap === HeapType.func) return v instanceof WasmFunc || v instanceof HostFunc;
  return refTestCanon(reg as TypeRegistry, v, heap, nullable);
}

// ------------------------------------------------------------------ allocation

/** Default of Limits.maxArrayBytes: 256 MiB per array. */
export const DEFAULT_MAX_ARRAY_BYTES = 2 ** 28;

/** Throws ResourceLimitError when an array of n elements of `t` is over the limit. */
function checkArraySize(t: GcType, n: number, limits: Limits | undefined): void {
  const max = limits?.maxArrayBytes ?? DEFAULT_MAX_ARRAY_BYTES;
  const bytes = n * BYTES[t.elem]!;
  if (bytes > max) throw new ResourceLimitError(`array of ${n} elements (${bytes} bytes) exceeds the store's limit of ${max} bytes per array`);
}

/** A zero/null-filled array of n elements (size already checked). */
export function newArray(t: GcType, n: number): GcArray {
  let data: ArrayData;
  try {
    switch (t.elem) {
      case K_I8:
        data = new Uint8Array(n);
        break;
      case K_I16:
        data = new Uint16Array(n);
        break;
      case K_REF:
        data = new Array(n).fill(null);
        break;
      default:
        data = new Int32Array(n * WORDS[t.elem]!);
    }
  } catch (e) {
    if (e instanceof RangeError) throw new ResourceLimitError(`array of ${n} elements could not be allocated by this host`);
    throw e;
  }
  return new GcArray(t, n, data);
}

/** The bytes of a numeric array's data. */
function bytesOf(a: GcArray): Uint8Array {
  const d = a.data as Int32Array;
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

// ------------------------------------------------------------------ field and element access

/** Stores the value at word w (reference `ref`) into entry `o` of a struct as kind k. */
function putEntry(f: unknown[], o: number, k: number, s: Int32Array, w: number, ref: unknown): void {
  switch (k) {
    case K_I32:
      f[o] = s[w]!;
      return;
    case K_I64:
      f[o] = s[w]!;
      f[o + 1] = s[w + 1]!;
      return;
    case K_V128:
      f[o] = s[w]!;
      f[o + 1] = s[w + 1]!;
      f[o + 2] = s[w + 2]!;
      f[o + 3] = s[w + 3]!;
      return;
    case K_I8:
      f[o] = s[w]! & 0xff;
      return;
    case K_I16:
      f[o] = s[w]! & 0xffff;
      return;
    default:
      f[o] = ref;
  }
}

/** Stores the value at word w into element i of array a. */
function putElem(a: GcArray, i: number, s: Int32Array, w: number, ref: unknown): void {
  const d = a.data;
  switch (a.type.elem) {
    case K_I32:
    case K_I8:
    case K_I16:
      (d as Int32Array)[i] = s[w]!;
      return;
    case K_I64:
      (d as Int32Array)[2 * i] = s[w]!;
      (d as Int32Array)[2 * i + 1] = s[w + 1]!;
      return;
    case K_V128:
      (d as Int32Array).set(s.subarray(w, w + 4), 4 * i);
      return;
    default:
      (d as unknown[])[i] = ref;
  }
}

/** Fills elements [i, i + n) of a with the value at word w. */
function fillElems(a: GcArray, i: number, n: number, s: Int32Array, w: number, ref: unknown): void {
  const d = a.data;
  switch (a.type.elem) {
    case K_I32:
    case K_I8:
    case K_I16:
      (d as Int32Array).fill(s[w]!, i, i + n);
      return;
    case K_REF:
      (d as unknown[]).fill(ref, i, i + n);
      return;
    default: {
      const k = WORDS[a.type.elem]!;
      const x = d as Int32Array;
      for (let e = i * k, end = (i + n) * k; e < end; e += k) for (let j = 0; j < k; j++) x[e + j] = s[w + j]!;
    }
  }
}

// ------------------------------------------------------------------ MISC handlers

function nullStruct(): never {
  throw new Trap('null structure reference');
}
function nullArray(): never {
  throw new Trap('null array reference');
}
function arrayOob(): never {
  throw new Trap('out of bounds array access');
}

function asStruct(v: unknown): GcStruct {
  if (v instanceof GcStruct) return v;
  if (v === null || v === undefined) nullStruct();
  throw new Trap('type mismatch: not a structure reference');
}
function asArray(v: unknown): GcArray {
  if (v instanceof GcArray) return v;
  if (v === null || v === undefined) nullArray();
  throw new Trap('type mismatch: not an array reference');
}

/**
 * A GC instruction: operand words d, s0, s1, s2 (absolute), immediates i0
 * (type index / heap type), i1 (field index / count / segment). Returns
 * false when a surcharge cannot be paid (nothing changed).
 */
type GcHandler = (mc: Machine, inst: Instance, d: number, s0: number, s1: number, s2: number, i0: number, i1: number) => boolean;

/** Word of operand j of an instruction with n operands (consecutive slots from s0 when n > 3). */
function operand(j: number, n: number, s0: number, s1: number, s2: number): number {
  if (n > 3) return s0 + 4 * j;
  return j === 0 ? s0 : j === 1 ? s1 : s2;
}

function structGet(sign: number): GcHandler {
  return (mc, inst, d, s0, _s1, _s2, i0, i1) => {
    const st = asStruct(mc.refs[s0 >> 2]);
    const t = gcType(inst, i0);
    const k = t.kinds[i1]!;
    const o = t.offs[i1]!;
    const f = st.f;
    const s = mc.s;
    switch (k) {
      case K_I32:
        s[d] = f[o] as number;
        s[d + 1] = 0;
        break;
      case K_I64:
        s[d] = f[o] as number;
        s[d + 1] = f[o + 1] as number;
        break;
      case K_V128:
        s[d] = f[o] as number;
        s[d + 1] = f[o + 1] as number;
        s[d + 2] = f[o + 2] as number;
        s[d + 3] = f[o + 3] as number;
        break;
      case K_I8:
        s[d] = sign ? ((f[o] as number) << 24) >> 24 : (f[o] as number);
        s[d + 1] = 0;
        break;
      case K_I16:
        s[d] = sign ? ((f[o] as number) << 16) >> 16 : (f[o] as number);
        s[d + 1] = 0;
        break;
      default:
        mc.refs[d >> 2] = f[o];
    }
    return true;
  };
}

function arrayGet(sign: number): GcHandler {
  return (mc, _inst, d, s0, s1) => {
    const a = asArray(mc.refs[s0 >> 2]);
    const s = mc.s;
    const i = s[s1]! >>> 0;
    if (i >= a.len) arrayOob();
    const data = a.data;
    switch (a.type.elem) {
      case K_I32:
        s[d] = (data as Int32Array)[i]!;
        s[d + 1] = 0;
        break;
      case K_I64:
        s[d] = (data as Int32Array)[2 * i]!;
        s[d + 1] = (data as Int32Array)[2 * i + 1]!;
        break;
      case K_V128:
        s.set((data as Int32Array).subarray(4 * i, 4 * i + 4), d);
        break;
      case K_I8:
        s[d] = sign ? ((data as Uint8Array)[i]! << 24) >> 24 : (data as Uint8Array)[i]!;
        s[d + 1] = 0;
        break;
      case K_I16:
        s[d] = sign ? ((data as Uint16Array)[i]! << 16) >> 16 : (data as Uint16Array)[i]!;
        s[d + 1] = 0;
        break;
      default:
        mc.refs[d >> 2] = (data as unknown[])[i];
    }
    return true;
  };
}

function castOp(nullable: boolean, test: boolean): GcHandler {
  return (mc, inst, d, s0, _s1, _s2, i0) => {
    const v = mc.refs[s0 >> 2];
    const ok = refTest(inst, v, i0, nullable);
    if (test) {
      mc.s[d] = ok ? 1 : 0;
      mc.s[d + 1] = 0;
    } else {
      if (!ok) throw new Trap('cast failure');
      mc.refs[d >> 2] = v;
    }
    return true;
  };
}

/** br_on_cast / br_on_cast_fail: d = whether to branch; i0 = target heap, i1 = flags (bit 1: target nullable). */
function brOnCastTest(fail: boolean): GcHandler {
  return (mc, inst, d, s0, _s1, _s2, i0, i1) => {
    const ok = refTest(inst, mc.refs[s0 >> 2], i0, (i1 & 2) !== 0);
    mc.s[d] = ok !== fail ? 1 : 0;
    return true;
  };
}

const HANDLERS: Record<string, GcHandler> = {
  'struct.new': (mc, inst, d, s0, s1, s2, i0) => {
    const t = gcType(inst, i0);
    const f = t.template.slice();
    const kinds = t.kinds;
    const offs = t.offs;
    const n = kinds.length;
    const s = mc.s;
    const refs = mc.refs;
    for (let j = 0; j < n; j++) {
      const w = operand(j, n, s0, s1, s2);
      putEntry(f, offs[j]!, kinds[j]!, s, w, refs[w >> 2]);
    }
    refs[d >> 2] = new GcStruct(t, f);
    return true;
  },
  'struct.new_default': (mc, inst, d, _s0, _s1, _s2, i0) => {
    const t = gcType(inst, i0);
    mc.refs[d >> 2] = new GcStruct(t, t.template.slice());
    return true;
  },
  'struct.get': structGet(0),
  'struct.get_s': structGet(1),
  'struct.get_u': structGet(0),
  'struct.set': (mc, inst, _d, s0, s1, _s2, i0, i1) => {
    const st = asStruct(mc.refs[s0 >> 2]);
    const t = gcType(inst, i0);
    putEntry(st.f, t.offs[i1]!, t.kinds[i1]!, mc.s, s1, mc.refs[s1 >> 2]);
    return true;
  },
  'array.new': (mc, inst, d, s0, s1, _s2, i0) => {
    const t = gcType(inst, i0);
    const n = mc.s[s1]! >>> 0;
    checkArraySize(t, n, mc.limits);
    if (!paySurcharge(mc, elemSurcharge(mc.costs, n))) return false;
    const a = newArray(t, n);
    if (n > 0) fillElems(a, 0, n, mc.s, s0, mc.refs[s0 >> 2]);
    mc.refs[d >> 2] = a;
    return true;
  },
  'array.new_default': (mc, inst, d, s0, _s1, _s2, i0) => {
    const t = gcType(inst, i0);
    const n = mc.s[s0]! >>> 0;
    checkArraySize(t, n, mc.limits);
    if (!paySurcharge(mc, elemSurcharge(mc.costs, n))) return false;
    mc.refs[d >> 2] = newArray(t, n);
    return true;
  },
  'array.new_fixed': (mc, inst, d, s0, s1, s2, i0, i1) => {
    const t = gcType(inst, i0);
    const n = i1 >>> 0;
    const a = newArray(t, n);
    const s = mc.s;
    const refs = mc.refs;
    for (let j = 0; j < n; j++) {
      const w = operand(j, n, s0, s1, s2);
      putElem(a, j, s, w, refs[w >> 2]);
    }
    refs[d >> 2] = a;
    return true;
  },
  'array.new_data': (mc, inst, d, s0, s1, _s2, i0, i1) => {
    const t = gcType(inst, i0);
    const src = mc.s[s0]! >>> 0;
    const n = mc.s[s1]! >>> 0;
    const data = inst.datas[i1] ?? EMPTY_BYTES;
    const z = BYTES[t.elem]!;
    if (src + n * z > data.length) throw new Trap('out of bounds memory access');
    if (!paySurcharge(mc, elemSurcharge(mc.costs, n))) return false;
    const a = newArray(t, n);
    bytesOf(a).set(data.subarray(src, src + n * z));
    mc.refs[d >> 2] = a;
    return true;
  },
  'array.new_elem': (mc, inst, d, s0, s1, _s2, i0, i1) => {
    const t = gcType(inst, i0);
    const src = mc.s[s0]! >>> 0;
    const n = mc.s[s1]! >>> 0;
    const seg = inst.elems[i1] ?? EMPTY_REFS;
    if (src + n > seg.length) throw new Trap('out of bounds table access');
    if (!paySurcharge(mc, elemSurcharge(mc.costs, n))) return false;
    mc.refs[d >> 2] = new GcArray(t, n, seg.slice(src, src + n));
    return true;
  },
  'array.get': arrayGet(0),
  'array.get_s': arrayGet(1),
  'array.get_u': arrayGet(0),
  'array.set': (mc, _inst, _d, s0, s1, s2) => {
    const a = asArray(mc.refs[s0 >> 2]);
    const i = mc.s[s1]! >>> 0;
    if (i >= a.len) arrayOob();
    putElem(a, i, mc.s, s2, mc.refs[s2 >> 2]);
    return true;
  },
  'array.len': (mc, _inst, d, s0) => {
    mc.s[d] = asArray(mc.refs[s0 >> 2]).len;
    mc.s[d + 1] = 0;
    return true;
  },
  'array.fill': (mc, _inst, _d, s0) => {
    // ref i val n in consecutive slots
    const s = mc.s;
    const a = asArray(mc.refs[s0 >> 2]);
    const i = s[s0 + 4]! >>> 0;
    const n = s[s0 + 12]! >>> 0;
    if (i + n > a.len) arrayOob();
    if (!paySurcharge(mc, elemSurcharge(mc.costs, n))) return false;
    if (n > 0) fillElems(a, i, n, s, s0 + 8, mc.refs[(s0 + 8) >> 2]);
    return true;
  },
  'array.copy': (mc, _inst, _d, s0) => {
    // dst di src si n in consecutive slots
    const s = mc.s;
    const da = asArray(mc.refs[s0 >> 2]);
    const di = s[s0 + 4]! >>> 0;
    const sa = asArray(mc.refs[(s0 + 8) >> 2]);
    const si = s[s0 + 12]! >>> 0;
    const n = s[s0 + 16]! >>> 0;
    if (di + n > da.len || si + n > sa.len) arrayOob();
    if (!paySurcharge(mc, elemSurcharge(mc.costs, n))) return false;
    if (n === 0) return true;
    if (da.type.elem === K_REF) {
      const dd = da.data as unknown[];
      const sd = sa.data as unknown[];
      if (dd === sd && di > si) for (let k = n - 1; k >= 0; k--) dd[di + k] = sd[si + k];
      else for (let k = 0; k < n; k++) dd[di + k] = sd[si + k];
    } else {
      const k = WORDS[da.type.elem]!;
      const dd = da.data as Int32Array;
      const sd = sa.data as Int32Array;
      if (dd === sd) dd.copyWithin(di * k, si * k, (si + n) * k);
      else dd.set(sd.subarray(si * k, (si + n) * k), di * k);
    }
    return true;
  },
  'array.init_data': (mc, inst, _d, s0, _s1, _s2, _i0, i1) => {
    // ref d s n in consecutive slots
    const s = mc.s;
    const a = asArray(mc.refs[s0 >> 2]);
    const di = s[s0 + 4]! >>> 0;
    const src = s[s0 + 8]! >>> 0;
    const n = s[s0 + 12]! >>> 0;
    const data = inst.datas[i1] ?? EMPTY_BYTES;
    const z = BYTES[a.type.elem]!;
    if (di + n > a.len) arrayOob();
    if (src + n * z > data.length) throw new Trap('out of bounds memory access');
    if (!paySurcharge(mc, elemSurcharge(mc.costs, n))) return false;
    bytesOf(a).set(data.subarray(src, src + n * z), di * z);
    return true;
  },
  'array.init_elem': (mc, inst, _d, s0, _s1, _s2, _i0, i1) => {
    const s = mc.s;
    const a = asArray(mc.refs[s0 >> 2]);
    const di = s[s0 + 4]! >>> 0;
    const src = s[s0 + 8]! >>> 0;
    const n = s[s0 + 12]! >>> 0;
    const seg = inst.elems[i1] ?? EMPTY_REFS;
    if (di + n > a.len) arrayOob();
    if (src + n > seg.length) throw new Trap('out of bounds table access');
    if (!paySurcharge(mc, elemSurcharge(mc.costs, n))) return false;
    const dd = a.data as unknown[];
    for (let k = 0; k < n; k++) dd[di + k] = seg[src + k];
    return true;
  },
  'any.convert_extern': (mc, _inst, d, s0) => {
    mc.refs[d >> 2] = internalize(mc.refs[s0 >> 2]);
    return true;
  },
  'extern.convert_any': (mc, _inst, d, s0) => {
    mc.refs[d >> 2] = externalize(mc.refs[s0 >> 2]);
    return true;
  },
  'ref.i31': (mc, _inst, d, s0) => {
    mc.refs[d >> 2] = (mc.s[s0]! << 1) >> 1;
    return true;
  },
  'i31.get_s': (mc, _inst, d, s0) => {
    const v = mc.refs[s0 >> 2];
    if (v === null || v === undefined) throw new Trap('null i31 reference');
    mc.s[d] = v as number;
    mc.s[d + 1] = 0;
    return true;
  },
  'i31.get_u': (mc, _inst, d, s0) => {
    const v = mc.refs[s0 >> 2];
    if (v === null || v === undefined) throw new Trap('null i31 reference');
    mc.s[d] = (v as number) & 0x7fffffff;
    mc.s[d + 1] = 0;
    return true;
  },
};

/** GC instruction handlers by instruction table id (undefined for everything else). */
export const GC_EXEC: (GcHandler | undefined)[] = (() => {
  const out: (GcHandler | undefined)[] = new Array(INSTRS.length);
  for (const def of INSTRS) {
    if (def.feature !== 'gc') continue;
    const h = HANDLERS[def.name];
    if (h) out[def.id] = h;
    // the nullable forms have the odd sub-opcodes 21 / 23
    else if (def.name === 'ref.test') out[def.id] = castOp(def.code === 21, true);
    else if (def.name === 'ref.cast') out[def.id] = castOp(def.code === 23, false);
    else if (def.name === 'br_on_cast') out[def.id] = brOnCastTest(false);
    else if (def.name === 'br_on_cast_fail') out[def.id] = brOnCastTest(true);
  }
  return out;
})();

const EMPTY_BYTES = new Uint8Array(0);
const EMPTY_REFS: unknown[] = [];

// ------------------------------------------------------------------ translation

/**
 * Operand count and result types of a GC instruction executed by MISC
 * (module-local types), or null when `ins` is not one. More than three
 * operands are passed in consecutive slots (the translator materializes
 * them).
 */
export function gcSignature(ins: Instr, v: FuncValidator): [number, readonly ValType[]] | null {
  const types = v.vm.module.types;
  const self = (): ValType[] => [refType(HEAP_CONCRETE + ins.a, false)];
  const struct = (): StructType => types[ins.a]!.comp as StructType;
  const array = (): ArrayType => types[ins.a]!.comp as ArrayType;
  const def = ins.def;
  switch (def.name) {
    case 'struct.new':
      return [struct().fields.length, self()];
    case 'struct.new_default':
      return [0, self()];
    case 'struct.get':
    case 'struct.get_s':
    case 'struct.get_u':
      return [1, [unpacked(struct().fields[ins.b]!.type)]];
    case 'struct.set':
      return [2, []];
    case 'array.new':
    case 'array.new_data':
    case 'array.new_elem':
      return [2, self()];
    case 'array.new_default':
      return [1, self()];
    case 'array.new_fixed':
      return [ins.b, self()];
    case 'array.get':
    case 'array.get_s':
    case 'array.get_u':
      return [2, [unpacked(array().field.type)]];
    case 'array.set':
      return [3, []];
    case 'array.len':
      return [1, [I32]];
    case 'array.fill':
    case 'array.init_data':
    case 'array.init_elem':
      return [4, []];
    case 'array.copy':
      return [5, []];
    case 'ref.test':
      return [1, [I32]];
    case 'ref.cast':
      return [1, [refType(ins.a, def.code === 23)]];
    case 'any.convert_extern':
      return [1, [ANYREF]];
    case 'extern.convert_any':
      return [1, [EXTERNREF]];
    case 'ref.i31':
      return [1, [refType(HeapType.i31, false)]];
    case 'i31.get_s':
    case 'i31.get_u':
      return [1, [I32]];
  }
  return null;
}

// ------------------------------------------------------------------ constant expressions

/**
 * Applies a GC instruction of a constant expression to `stack`; false when
 * `ins` is not one. Array sizes are bounded by `limits`.
 */
export function evalGcConst(inst: Instance, ins: Instr, stack: Slot[], limits: Limits | undefined): boolean {
  const slot = (ref: unknown): Slot => ({ w: new Int32Array(4), ref });
  switch (ins.def.name) {
    case 'ref.i31': {
      const a = stack.pop()!;
      stack.push(slot((a.w[0]! << 1) >> 1));
      return true;
    }
    case 'any.convert_extern': {
      const a = stack.pop()!;
      stack.push(slot(internalize(a.ref)));
      return true;
    }
    case 'extern.convert_any': {
      const a = stack.pop()!;
      stack.push(slot(externalize(a.ref)));
      return true;
    }
    case 'struct.new': {
      const t = gcType(inst, ins.a);
      const n = t.kinds.length;
      const args = stack.splice(stack.length - n, n);
      const f = t.template.slice();
      for (let j = 0; j < n; j++) putEntry(f, t.offs[j]!, t.kinds[j]!, args[j]!.w, 0, args[j]!.ref);
      stack.push(slot(new GcStruct(t, f)));
      return true;
    }
    case 'struct.new_default': {
      const t = gcType(inst, ins.a);
      stack.push(slot(new GcStruct(t, t.template.slice())));
      return true;
    }
    case 'array.new':
    case 'array.new_default': {
      const t = gcType(inst, ins.a);
      const n = stack.pop()!.w[0]! >>> 0;
      checkArraySize(t, n, limits);
      const a = newArray(t, n);
      if (ins.def.name === 'array.new') {
        const v = stack.pop()!;
        if (n > 0) fillElems(a, 0, n, v.w, 0, v.ref);
      }
      stack.push(slot(a));
      return true;
    }
    case 'array.new_fixed': {
      const t = gcType(inst, ins.a);
      const n = ins.b >>> 0;
      const args = stack.splice(stack.length - n, n);
      const a = newArray(t, n);
      for (let j = 0; j < n; j++) putElem(a, j, args[j]!.w, 0, args[j]!.ref);
      stack.push(slot(a));
      return true;
    }
  }
  return false;
}
