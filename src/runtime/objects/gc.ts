/**
 * GC objects as runtime values: struct and array objects, i31 references,
 * casts, the extern/any conversions, allocation and field access, and GC
 * instructions in constant expressions. The GC instructions themselves run in
 * the interpreter (src/interp/gc.ts) and in the JS tier (src/jit/gen-refs.ts).
 *
 * Representation (see docs/architecture.md):
 * - a struct is one JS object, an instance of its type's own class (GcType.make,
 *   a subclass of GcStruct made once per type) whose prototype holds the type
 *   descriptor (`type`) and whose own properties are its entries `e0`, `e1`, ...
 *   (and first `desc`, when the type has a custom descriptor): an
 *   i32/f32/i8/i16 field takes one entry (an int32 number; f32 as its bits;
 *   packed fields zero-extended), i64/f64 two (lo, hi words), v128 four, a
 *   reference one (the reference itself). Bits only, so NaN payloads survive.
 *   Objects of one type share one hidden class in V8, and an allocation is
 *   one object; the interpreter and snapshots go through the type's accessors
 *   (GcType.read / write);
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
import { ResourceLimitError, Trap } from '../../core/errors.js';
import type { Instr } from '../../decoder/instr.js';
import { CompKind, EXACT_HEAP, F32, F64, HEAP_CONCRETE, HeapType, I16, I32, I64, I8, REF_BASE, V128, refHeap, type ArrayType, type StorageType, type StructType, type ValType } from '../../core/types.js';
import { toCanonHeap, type TypeRegistry } from '../../validate/types.js';
import type { Instance, Slot } from './instance.js';
import { HostFunc, WasmFunc } from './func.js';
import { type Limits } from './limits.js';

// ------------------------------------------------------------------ objects

/** Storage kinds of a field or an array element. */
export const K_I32 = 0; // i32, f32: one word
export const K_I64 = 1; // i64, f64: two words
export const K_V128 = 2; // four words
export const K_I8 = 3;
export const K_I16 = 4;
export const K_REF = 5;

/** Words (struct entries) per kind. */
export const WORDS = [1, 2, 4, 1, 1, 1];
/** Bytes of an element of each kind in a data segment (refs: what the byte limit counts). */
export const BYTES = [4, 8, 16, 1, 2, 8];

export function kindOf(t: StorageType): number {
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

/** Property names of struct entries: entry i is the property `e${i}` (ENTRY[i]). */
export const ENTRY: string[] = [];
/** The property name of struct entry i. */
export function entryName(i: number): string {
  for (let j = ENTRY.length; j <= i; j++) ENTRY.push(`e${j}`);
  return ENTRY[i]!;
}

/**
 * Entries above which a struct class's constructor takes no entry arguments (they start at their defaults
 * and are set one by one): a constructor of thousands of parameters would need a frame as large.
 */
export const MAX_CTOR_ENTRIES = 32;

/** A struct type's class: `new make(desc?, e0?, e1?, ...)` (desc only for a type with a descriptor; missing entries default). */
export type StructClass = new (...a: unknown[]) => GcStruct;

/** The next GcType's `uid`. */
let nextUid = 0;

/** Run-time descriptor of a struct or array type (one per canonical type id and registry). */
export class GcType {
  /**
   * A number no other descriptor of this process has (canonical ids repeat between registries): the JS tier names
   * the descriptor and its class by it in the source it generates (gen-refs.ts `gcConst`), so two sources that name
   * different descriptors differ as text.
   */
  readonly uid = nextUid++;
  /** Struct: kind and first entry of each field; entries of a struct; default entries. */
  readonly kinds: Uint8Array;
  readonly offs: Int32Array;
  readonly size: number;
  readonly template: unknown[];
  /** Array: the element kind. */
  readonly elem: number;
  /** Struct: the class of its objects (see StructClass). */
  readonly make: StructClass;
  /** Struct: entry i of a struct of this type (or of a subtype), and its store (functions made with the class). */
  readonly read: (st: GcStruct, i: number) => unknown;
  readonly write: (st: GcStruct, i: number, v: unknown) => void;
  constructor(
    /** Canonical type id. */
    readonly id: number,
    readonly isStruct: boolean,
    comp: StructType | ArrayType,
    /** Custom descriptors: canonical id of the struct type's descriptor type, or -1 (no `descriptor` clause). */
    readonly descId = -1,
    /**
     * Canonical ids of the supertype chain from the root down to this type (chain[depth] === id; the
     * registry's CanonType.chain): a type of depth d is a supertype of this one when chain[d] is its id, so
     * the JS tier's casts to types with subtypes test an object's type in O(1) (gen-refs.ts test).
     */
    readonly chain: Int32Array = Int32Array.of(id),
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
      entryName(this.size);
      const p = structParts(this);
      this.make = p.cls;
      this.read = p.read;
      this.write = p.write;
    } else {
      this.kinds = new Uint8Array(0);
      this.offs = new Int32Array(0);
      this.size = 0;
      this.template = [];
      this.elem = kindOf(comp.field.type);
      this.make = NotAStruct;
      this.read = this.write = notAStruct;
    }
  }
}

function notAStruct(): never {
  throw new TypeError('an array type has no struct entries');
}


/**
 * Every Wasm struct: an instance of its type's class (see the module comment). `type` is on the class's
 * prototype; `desc` too (null) unless the type has a custom descriptor, whose structs hold their own.
 */
export class GcStruct {
  declare readonly type: GcType;
  /**
   * Custom descriptors: the descriptor the struct was allocated with (struct.new_desc), else null. Set at
   * allocation; the snapshot reader sets it after allocating every object.
   */
  declare desc: GcStruct | null;
  /** Entry i (see the module comment for entries). */
  entry(i: number): unknown {
    return this.type.read(this, i);
  }
  setEntry(i: number, v: unknown): void {
    this.type.write(this, i, v);
  }
}

/** An array type's `make`. */
class NotAStruct extends GcStruct {
  constructor() {
    super();
    notAStruct();
  }
}

/**
 * How a struct class's generated source becomes a class, and whether this host allows it (a
 * Content-Security-Policy without 'unsafe-eval' forbids `new Function`: the first EvalError sets `blocked`,
 * and from then on classes are built without source). `compile` is replaceable (tests make it throw EvalError).
 */
export const structEval = {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  compile: (src: string): ((base: typeof GcStruct) => StructParts) => new Function('GcStruct', src) as (base: typeof GcStruct) => StructParts,
  blocked: false,
};

/** A struct type's class and entry accessors. */
interface StructParts {
  cls: StructClass;
  read: (st: GcStruct, i: number) => unknown;
  write: (st: GcStruct, i: number, v: unknown) => void;
}

/** Entries above which the accessors index by name (`st[ENTRY[i]]`) rather than switch over fixed names. */
const MAX_SWITCH_ENTRIES = 64;

/**
 * A struct type's class and accessors. Generated source where the host allows it (`this.e0 = e0; ...`: V8
 * gives the objects one hidden class with in-object fields and inlines the constructor into allocating code;
 * the accessors switch over fixed property names, so their loads and stores see one class, where the
 * interpreter's own would see them all); otherwise the same class built by a loop, with the same properties
 * in the same order, and accessors by name.
 */
function structParts(t: GcType): StructParts {
  const n = t.size;
  const desc = t.descId >= 0;
  const names = ENTRY.slice(0, n);
  let parts: StructParts | null = null;
  if (!structEval.blocked) {
    const args = n <= MAX_CTOR_ENTRIES;
    const params = (desc ? ['desc = null'] : []).concat(args ? names.map((e, i) => `${e} = ${t.template[i] === null ? 'null' : '0'}`) : []);
    const body = (desc ? ['this.desc = desc;'] : []).concat(names.map((e, i) => (args ? `this.${e} = ${e};` : `this.${e} = ${t.template[i] === null ? 'null' : '0'};`)));
    const sw = n <= MAX_SWITCH_ENTRIES;
    const read = sw ? `(o, i) => { switch (i) { ${names.map((e, i) => `case ${i}: return o.${e};`).join(' ')} } }` : 'null';
    const write = sw ? `(o, i, v) => { switch (i) { ${names.map((e, i) => `case ${i}: o.${e} = v; return;`).join(' ')} } }` : 'null';
    try {
      parts = structEval.compile(
        `return { cls: class extends GcStruct { constructor(${params.join(', ')}) { super(); ${body.join(' ')} } }, read: ${read}, write: ${write} };`,
      )(GcStruct);
    } catch (e) {
      if (!(e instanceof EvalError)) throw e;
      structEval.blocked = true;
    }
  }
  if (parts === null) {
    const template = t.template;
    const first = desc ? 1 : 0;
    const max = n <= MAX_CTOR_ENTRIES ? n : 0;
    parts = {
      cls: class extends GcStruct {
        constructor(...a: unknown[]) {
          super();
          const self = this as unknown as Record<string, unknown>;
          if (desc) self['desc'] = a[0] ?? null;
          for (let i = 0; i < n; i++) {
            const v = i < max ? a[first + i] : undefined;
            self[names[i]!] = v === undefined ? template[i] : v;
          }
        }
      },
      read: null!,
      write: null!,
    };
  }
  if (parts.read === null) {
    parts.read = (o, i) => (o as unknown as Record<string, unknown>)[ENTRY[i]!];
    parts.write = (o, i, v) => void ((o as unknown as Record<string, unknown>)[ENTRY[i]!] = v);
  }
  Object.defineProperty(parts.cls.prototype, 'type', { value: t });
  if (!desc) Object.defineProperty(parts.cls.prototype, 'desc', { value: null });
  return parts;
}

/** A struct of type `t` with default entries (and descriptor `desc` when the type has one). */
export function newStruct(t: GcType, desc: GcStruct | null = null): GcStruct {
  return t.descId >= 0 ? new t.make(desc) : new t.make();
}

export type ArrayData = Int32Array | Uint8Array | Uint16Array | unknown[];

export class GcArray {
  constructor(
    readonly type: GcType,
    readonly len: number,
    /**
     * `len` × WORDS[elem] entries exactly (so `len` of them for one word per element): the JS tier tests an
     * index against `data.length` (gen-refs.ts element), and nothing resizes it.
     */
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
    const e = reg.get(id);
    const c = e.comp;
    if (c.kind === CompKind.Func) throw new TypeError(`canonical type ${id} is a function type`);
    t = list[id] = new GcType(id, c.kind === CompKind.Struct, c, e.descriptor, e.chain);
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
  if (heap >= EXACT_HEAP) {
    // an exact type: that type itself, not a subtype
    const id = heap - EXACT_HEAP - HEAP_CONCRETE;
    if (v instanceof GcStruct || v instanceof GcArray) return v.type.id === id;
    if (v instanceof WasmFunc || v instanceof HostFunc) return v.typeId === id;
    return false;
  }
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
  return refTestCanon(inst.vm.registry, v, toCanonHeap(heap, inst.vm.canon), nullable);
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
    return refTestCanon(reg, v, toCanonHeap(heap, canon), nullable);
  }
  if (heap === HeapType.func) return v instanceof WasmFunc || v instanceof HostFunc;
  return refTestCanon(reg as TypeRegistry, v, heap, nullable);
}

// ------------------------------------------------------------------ allocation

/** Default of Limits.maxArrayBytes: 256 MiB per array. */
export const DEFAULT_MAX_ARRAY_BYTES = 2 ** 28;

/** Throws ResourceLimitError when an array of n elements of `t` is over the limit. */
export function checkArraySize(t: GcType, n: number, limits: Limits | undefined): void {
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
export function bytesOf(a: GcArray): Uint8Array {
  const d = a.data as Int32Array;
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

// ------------------------------------------------------------------ field and element access

/** Stores the value at word w (reference `ref`) into entry `o` of struct `st` (of type `t` or a subtype) as kind k. */
export function putEntry(t: GcType, st: GcStruct, o: number, k: number, s: Int32Array, w: number, ref: unknown): void {
  const put = t.write;
  switch (k) {
    case K_I32:
      put(st, o, s[w]!);
      return;
    case K_I64:
      put(st, o, s[w]!);
      put(st, o + 1, s[w + 1]!);
      return;
    case K_V128:
      for (let j = 0; j < 4; j++) put(st, o + j, s[w + j]!);
      return;
    case K_I8:
      put(st, o, s[w]! & 0xff);
      return;
    case K_I16:
      put(st, o, s[w]! & 0xffff);
      return;
    default:
      put(st, o, ref);
  }
}

/** Stores the value at word w into element i of array a. */
export function putElem(a: GcArray, i: number, s: Int32Array, w: number, ref: unknown): void {
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
export function fillElems(a: GcArray, i: number, n: number, s: Int32Array, w: number, ref: unknown): void {
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

/** Copies elements [si, si + n) of array sa to [di, di + n) of da (same element kind; ranges checked; overlap as memmove). */
export function copyElems(da: GcArray, di: number, sa: GcArray, si: number, n: number): void {
  if (n === 0) return;
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
}

// ------------------------------------------------------------------ descriptors

/** The descriptor operand of struct.new_desc and the descriptor casts: a struct, or a trap when null. */
export function descriptorOperand(v: unknown): GcStruct {
  if (v === null || v === undefined) throw new Trap('null descriptor reference');
  return v as GcStruct;
}

/** ref.cast_desc_eq's and br_on_cast_desc_eq's test, the descriptor already non-null: `v`'s descriptor is `desc`. */
export function descEq(v: unknown, desc: GcStruct, nullable: boolean): boolean {
  if (v === null || v === undefined) return nullable;
  return v instanceof GcStruct && v.desc === desc;
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
      const o = newStruct(t);
      for (let j = 0; j < n; j++) putEntry(t, o, t.offs[j]!, t.kinds[j]!, args[j]!.w, 0, args[j]!.ref);
      stack.push(slot(o));
      return true;
    }
    case 'struct.new_default': {
      stack.push(slot(newStruct(gcType(inst, ins.a))));
      return true;
    }
    case 'struct.new_desc':
    case 'struct.new_default_desc': {
      const desc = descriptorOperand(stack.pop()!.ref);
      const t = gcType(inst, ins.a);
      const o = newStruct(t, desc);
      if (ins.def.name === 'struct.new_desc') {
        const n = t.kinds.length;
        const args = stack.splice(stack.length - n, n);
        for (let j = 0; j < n; j++) putEntry(t, o, t.offs[j]!, t.kinds[j]!, args[j]!.w, 0, args[j]!.ref);
      }
      stack.push(slot(o));
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
