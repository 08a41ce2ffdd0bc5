/**
 * The type system: subtyping of value and heap types, iso-recursive type
 * equivalence, validity of the type section, and the process-wide type
 * registry that canonicalises recursion groups across modules.
 *
 * Canonical form. The registry gives every distinct (iso-recursive) defined
 * type a canonical id. A *canonical value type* uses the same integer
 * encoding as a module-local ValType (see core/types.ts), except that a
 * concrete heap type is HEAP_CONCRETE + canonicalId instead of
 * HEAP_CONCRETE + typeIndex. Canonical value types compare across modules:
 * link-time import matching and run-time casts use them.
 */
import { ValidationError } from '../core/errors.js';
import type { Module } from '../core/module.js';
import {
  CompKind,
  EXACT_HEAP,
  HEAP_CONCRETE,
  heapIndex,
  inexactHeap,
  HeapType,
  REF_BASE,
  type CompType,
  type FieldType,
  type FuncType,
  type SubType,
  type ValType,
  I8,
  I16,
  I32,
  I64,
  F32,
  F64,
  V128,
} from '../core/types.js';

/** The unknown operand type of unreachable code: a subtype of every value type. */
export const BOTTOM: ValType = 0;
/** Heap code of the unknown heap type (a reference popped in unreachable code). */
export const HEAP_BOT = 15;

const H = HeapType;

/** Top heap type of each abstract heap type's hierarchy. */
const ABS_TOP: number[] = [];
ABS_TOP[H.func] = H.func;
ABS_TOP[H.nofunc] = H.func;
ABS_TOP[H.extern] = H.extern;
ABS_TOP[H.noextern] = H.extern;
ABS_TOP[H.exn] = H.exn;
ABS_TOP[H.noexn] = H.exn;
for (const h of [H.any, H.eq, H.i31, H.struct, H.array, H.none]) ABS_TOP[h] = H.any;

/** Bottom heap type of each hierarchy, indexed by its top. */
const BOTTOM_OF_TOP: number[] = [];
BOTTOM_OF_TOP[H.func] = H.nofunc;
BOTTOM_OF_TOP[H.extern] = H.noextern;
BOTTOM_OF_TOP[H.exn] = H.noexn;
BOTTOM_OF_TOP[H.any] = H.none;

/** absSub[a * 16 + b]: abstract heap a <: abstract heap b. */
const absSub = new Uint8Array(256);
for (let a = 0; a < 12; a++) {
  for (let b = 0; b < 12; b++) {
    const ta = ABS_TOP[a]!;
    let ok = a === b;
    if (ta === ABS_TOP[b]) {
      if (b === ta) ok = true; // top
      if (a === BOTTOM_OF_TOP[ta]) ok = true; // bottom
      if (b === H.eq && (a === H.i31 || a === H.struct || a === H.array)) ok = true;
    }
    absSub[a * 16 + b] = ok ? 1 : 0;
  }
}
for (let b = 0; b < 16; b++) absSub[HEAP_BOT * 16 + b] = 1;

/** The top abstract heap type of an abstract heap code (HEAP_BOT maps to itself). */
export function absTop(heap: number): number {
  return ABS_TOP[heap] ?? heap;
}
/** The bottom abstract heap type of the hierarchy whose top is `top`. */
export function absBottom(top: number): number {
  return BOTTOM_OF_TOP[top] ?? HEAP_BOT;
}

export function isNumOrVec(t: ValType): boolean {
  return t === I32 || t === I64 || t === F32 || t === F64 || t === V128;
}

/** Operand type of a storage type (packed i8/i16 unpack to i32). */
export function unpacked(t: ValType): ValType {
  return t === I8 || t === I16 ? I32 : t;
}

/** One canonical defined type. Its value types are canonical value types. */
export interface CanonType {
  id: number;
  final: boolean;
  /** Canonical id of the declared supertype, or -1. */
  super: number;
  kind: CompKind;
  comp: CompType;
  /** Supertype chain from the root down to this type itself (chain[depth] === id). */
  chain: Int32Array;
  /** Canonical id of the first type of the recursion group and the group's size. */
  groupStart: number;
  groupSize: number;
  /** Custom descriptors: canonical id of the descriptor type (`descriptor` clause), or -1. */
  descriptor: number;
  /** Custom descriptors: canonical id of the described type (`describes` clause), or -1. */
  describes: number;
}

function mapComp(comp: CompType, f: (t: ValType) => ValType): CompType {
  switch (comp.kind) {
    case CompKind.Func:
      return { kind: CompKind.Func, params: comp.params.map(f), results: comp.results.map(f) };
    case CompKind.Struct:
      return { kind: CompKind.Struct, fields: comp.fields.map((x) => ({ type: f(x.type), mutable: x.mutable })) };
    case CompKind.Array:
      return { kind: CompKind.Array, field: { type: f(comp.field.type), mutable: comp.field.mutable } };
  }
}

function forEachValType(comp: CompType, f: (t: ValType) => void): void {
  switch (comp.kind) {
    case CompKind.Func:
      for (const t of comp.params) f(t);
      for (const t of comp.results) f(t);
      return;
    case CompKind.Struct:
      for (const x of comp.fields) f(x.type);
      return;
    case CompKind.Array:
      f(comp.field.type);
      return;
  }
}

function concreteIndex(t: ValType): number {
  if (t < REF_BASE) return -1;
  return heapIndex((t - REF_BASE) >> 1);
}

/** Value type `t` with its concrete heap type (exact or not) renamed by `f` (type index to type index). */
function mapHeapIndex(t: ValType, f: (x: number) => number): ValType {
  const r = t - REF_BASE;
  const heap = r >> 1;
  const exact = heap >= EXACT_HEAP ? EXACT_HEAP : 0;
  return REF_BASE + (HEAP_CONCRETE + f(heapIndex(heap)) + exact) * 2 + (r & 1);
}

/**
 * Canonicalises recursion groups (iso-recursive equivalence): two modules'
 * structurally identical groups get the same canonical ids. Share one per
 * process or per store. Subtype checks between canonical ids are O(1)
 * (each canonical type keeps its supertype chain).
 */
export class TypeRegistry {
  private readonly groups = new Map<string, number>();
  private readonly entries: CanonType[] = [];
  private readonly cache = new WeakMap<Module, Int32Array>();

  /** Number of canonical types so far. */
  get size(): number {
    return this.entries.length;
  }

  /**
   * Canonical id per type index of the module. Throws ValidationError for a
   * reference to an undefined type or a forward supertype (the rest of the
   * type section's validity is checked by validateModule).
   */
  canon(module: Module): Int32Array {
    const cached = this.cache.get(module);
    if (cached && cached.length === module.types.length) return cached;
    const ids = this.canonTypes(module.types);
    this.cache.set(module, ids);
    return ids;
  }

  /** canon() for a bare type section. */
  canonTypes(types: readonly SubType[]): Int32Array {
    const ids = new Int32Array(types.length);
    let s = 0;
    while (s < types.length) {
      const first = types[s]!;
      const n = Math.max(1, first.recSize);
      if (s + n > types.length) throw new ValidationError(`unknown type ${types.length}`);
      this.canonGroup(types, s, n, ids);
      s += n;
    }
    return ids;
  }

  private canonGroup(types: readonly SubType[], s: number, n: number, ids: Int32Array): void {
    const end = s + n;
    const ref = (t: ValType): string => {
      const x = concreteIndex(t);
      if (x < 0) return String(t);
      if (x >= end) throw new ValidationError(`unknown type ${x}`);
      const sfx = ((t - REF_BASE) & 1 ? 'n' : '') + ((t - REF_BASE) >> 1 >= EXACT_HEAP ? 'x' : '');
      return x >= s ? `r${x - s}${sfx}` : `c${ids[x]}${sfx}`;
    };
    const clause = (x: number | undefined): string => (x === undefined ? '' : x >= s && x < end ? `r${x - s}` : `c${ids[x]}`);
    let key = '';
    for (let i = s; i < end; i++) {
      const st = types[i]!;
      key += st.final ? 'F' : 'O';
      for (const x of st.supers) {
        if (x >= i) throw new ValidationError(x >= types.length ? `unknown type ${x}` : `forward use of type ${x}`);
        key += x >= s ? `^r${x - s}` : `^c${ids[x]}`;
      }
      if (st.describes !== undefined) key += '<' + clause(st.describes);
      if (st.descriptor !== undefined) key += '>' + clause(st.descriptor);
      const c = st.comp;
      if (c.kind === CompKind.Func) {
        key += '(f';
        for (const t of c.params) key += ' ' + ref(t);
        key += ' ->';
        for (const t of c.results) key += ' ' + ref(t);
      } else if (c.kind === CompKind.Struct) {
        key += '(s';
        for (const f of c.fields) key += ' ' + (f.mutable ? 'm' : '') + ref(f.type);
      } else {
        key += '(a ' + (c.field.mutable ? 'm' : '') + ref(c.field.type);
      }
      key += ')';
    }
    const found = this.groups.get(key);
    if (found !== undefined) {
      for (let i = 0; i < n; i++) ids[s + i] = found + i;
      return;
    }
    const base = this.entries.length;
    for (let i = 0; i < n; i++) ids[s + i] = base + i;
    const toCanon = (t: ValType): ValType => (concreteIndex(t) < 0 ? t : mapHeapIndex(t, (x) => ids[x]!));
    for (let i = 0; i < n; i++) {
      const st = types[s + i]!;
      const sup = st.supers.length > 0 ? ids[st.supers[0]!]! : -1;
      const id = base + i;
      let chain: Int32Array;
      if (sup >= 0) {
        const sc = this.entries[sup]!.chain;
        chain = new Int32Array(sc.length + 1);
        chain.set(sc);
        chain[sc.length] = id;
      } else {
        chain = Int32Array.of(id);
      }
      this.entries.push({
        id,
        final: st.final,
        super: sup,
        kind: st.comp.kind,
        comp: mapComp(st.comp, toCanon),
        chain,
        groupStart: base,
        groupSize: n,
        descriptor: st.descriptor === undefined ? -1 : ids[st.descriptor]!,
        describes: st.describes === undefined ? -1 : ids[st.describes]!,
      });
    }
    this.groups.set(key, base);
  }

  get(id: number): CanonType {
    const e = this.entries[id];
    if (!e) throw new RangeError(`unknown canonical type ${id}`);
    return e;
  }
  kind(id: number): CompKind {
    return this.entries[id]!.kind;
  }
  /** The function type of canonical id `id` (canonical value types); throws if it is not a function type. */
  funcType(id: number): FuncType {
    const c = this.get(id).comp;
    if (c.kind !== CompKind.Func) throw new TypeError(`canonical type ${id} is not a function type`);
    return c;
  }

  /** Canonical id `sub` is `sup` or declares it (transitively) as a supertype. */
  isSubtype(sub: number, sup: number): boolean {
    if (sub === sup) return true;
    const chain = this.entries[sub]!.chain;
    const d = this.entries[sup]!.chain.length - 1;
    return d < chain.length && chain[d] === sup;
  }

  /** Heap subtyping over canonical heap codes (HEAP_CONCRETE + canonical id, plus EXACT_HEAP when exact). */
  isSubHeap(a: number, b: number): boolean {
    if (a === b) return true;
    if (b >= EXACT_HEAP) {
      // an exact type's only subtypes are itself and the bottom of its hierarchy
      if (a === HEAP_BOT) return true;
      return a === (this.entries[b - EXACT_HEAP - HEAP_CONCRETE]!.kind === CompKind.Func ? H.nofunc : H.none);
    }
    if (a >= EXACT_HEAP) a -= EXACT_HEAP;
    if (a >= HEAP_CONCRETE) {
      const ca = a - HEAP_CONCRETE;
      if (b >= HEAP_CONCRETE) return this.isSubtype(ca, b - HEAP_CONCRETE);
      switch (this.entries[ca]!.kind) {
        case CompKind.Func:
          return b === H.func;
        default:
          return b === H.any || b === H.eq || b === (this.entries[ca]!.kind === CompKind.Struct ? H.struct : H.array);
      }
    }
    if (b >= HEAP_CONCRETE) {
      if (a === HEAP_BOT) return true;
      return a === (this.entries[b - HEAP_CONCRETE]!.kind === CompKind.Func ? H.nofunc : H.none);
    }
    return absSub[a * 16 + b] === 1;
  }

  /** Value subtyping over canonical value types (BOTTOM is below everything). */
  isSubVal(a: ValType, b: ValType): boolean {
    if (a === b || a === BOTTOM) return true;
    if (a < REF_BASE || b < REF_BASE) return false;
    const ra = a - REF_BASE;
    const rb = b - REF_BASE;
    if ((ra & 1) === 1 && (rb & 1) === 0) return false;
    return this.isSubHeap(ra >> 1, rb >> 1);
  }

  /** Top abstract heap type of a canonical heap code. */
  topHeap(heap: number): number {
    if (heap < HEAP_CONCRETE) return absTop(heap);
    return this.entries[heapIndex(heap)]!.kind === CompKind.Func ? H.func : H.any;
  }

  /** Function type matching (import/export of functions, call_indirect): canonical id subtyping. */
  matchFunc(sub: number, sup: number): boolean {
    return this.isSubtype(sub, sup);
  }
}

/** The process-wide default registry (validateModule uses it unless given another). */
export const defaultRegistry = new TypeRegistry();

/** Canonical value type of a module-local value type. */
export function toCanonVal(t: ValType, canon: Int32Array): ValType {
  if (t < REF_BASE || (t - REF_BASE) >> 1 < HEAP_CONCRETE) return t;
  return mapHeapIndex(t, (x) => canon[x]!);
}

/** Canonical heap code of a module-local heap code (exactness kept). */
export function toCanonHeap(h: number, canon: Int32Array): number {
  if (h < HEAP_CONCRETE) return h;
  return h >= EXACT_HEAP ? EXACT_HEAP + HEAP_CONCRETE + canon[h - EXACT_HEAP - HEAP_CONCRETE]! : HEAP_CONCRETE + canon[h - HEAP_CONCRETE]!;
}

/**
 * A module's view of the type system: module-local value types (concrete
 * heap = HEAP_CONCRETE + type index) compared through the registry.
 */
export class ModuleTypes {
  constructor(
    readonly types: readonly SubType[],
    readonly canon: Int32Array,
    readonly registry: TypeRegistry,
  ) {}

  isSubHeap(a: number, b: number): boolean {
    if (a === b) return true;
    if (a >= HEAP_CONCRETE) a = toCanonHeap(a, this.canon);
    else if (a === HEAP_BOT) return true;
    if (b >= HEAP_CONCRETE) b = toCanonHeap(b, this.canon);
    return this.registry.isSubHeap(a, b);
  }

  isSubVal(a: ValType, b: ValType): boolean {
    if (a === b || a === BOTTOM) return true;
    if (a < REF_BASE || b < REF_BASE) return false;
    const ra = a - REF_BASE;
    const rb = b - REF_BASE;
    if ((ra & 1) === 1 && (rb & 1) === 0) return false;
    return this.isSubHeap(ra >> 1, rb >> 1);
  }

  /** Type equivalence (mutual subtyping; for defined types: same canonical id). */
  equalVal(a: ValType, b: ValType): boolean {
    if (a === b) return true;
    if (a < REF_BASE || b < REF_BASE) return false;
    if (((a - REF_BASE) & 1) !== ((b - REF_BASE) & 1)) return false;
    return toCanonVal(a, this.canon) === toCanonVal(b, this.canon);
  }

  /** Top abstract heap type of a module-local heap code. */
  topHeap(heap: number): number {
    if (heap < HEAP_CONCRETE) return absTop(heap);
    return this.types[heapIndex(heap)]!.comp.kind === CompKind.Func ? H.func : H.any;
  }

  isSubField(a: FieldType, b: FieldType): boolean {
    if (a.mutable !== b.mutable) return false;
    if (a.mutable) return this.equalVal(a.type, b.type);
    return this.isSubVal(a.type, b.type);
  }

  /** Structural matching of composite types (for declared supertypes). */
  isSubComp(a: CompType, b: CompType): boolean {
    if (a.kind !== b.kind) return false;
    if (a.kind === CompKind.Func) {
      const fb = b as FuncType;
      if (a.params.length !== fb.params.length || a.results.length !== fb.results.length) return false;
      for (let i = 0; i < a.params.length; i++) if (!this.isSubVal(fb.params[i]!, a.params[i]!)) return false;
      for (let i = 0; i < a.results.length; i++) if (!this.isSubVal(a.results[i]!, fb.results[i]!)) return false;
      return true;
    }
    if (a.kind === CompKind.Struct) {
      const sb = b as typeof a;
      if (a.fields.length < sb.fields.length) return false;
      for (let i = 0; i < sb.fields.length; i++) if (!this.isSubField(a.fields[i]!, sb.fields[i]!)) return false;
      return true;
    }
    return this.isSubField(a.field, (b as typeof a).field);
  }
}

/** Throws "unknown type" for a value type naming an undefined type index. */
export function checkValType(t: ValType, numTypes: number): void {
  const x = concreteIndex(t);
  if (x >= numTypes) throw new ValidationError(`unknown type ${x}`);
}

/**
 * Validates the type section (Wasm 3.0): every referenced type index is
 * defined (forward references only within the rec group), at most one
 * supertype, declared before the type, not final, and structurally matched.
 * Returns the module's type view (canonicalising through `registry`).
 */
export function validateTypes(m: Module, registry: TypeRegistry): ModuleTypes {
  const types = m.types;
  // Recursion-group structure and references within bounds (before canonicalisation).
  let s = 0;
  while (s < types.length) {
    const n = Math.max(1, types[s]!.recSize);
    for (let i = s; i < s + n && i < types.length; i++) {
      const st = types[i]!;
      forEachValType(st.comp, (t) => {
        const x = concreteIndex(t);
        if (x >= s + n) throw new ValidationError(`unknown type ${x}`);
      });
      if (st.supers.length > 1) throw new ValidationError(`sub type ${i} has more than one super type`);
      checkClauses(types, i, s, n);
      for (const x of st.supers) {
        if (x >= types.length) throw new ValidationError(`unknown type ${x}`);
        if (x >= i) throw new ValidationError(`sub type ${i} has forward super type ${x}`);
      }
    }
    s += n;
  }
  const canon = registry.canon(m);
  const mt = new ModuleTypes(types, canon, registry);
  for (let i = 0; i < types.length; i++) {
    const st = types[i]!;
    for (const x of st.supers) {
      const sup = types[x]!;
      if (sup.final) throw new ValidationError(`sub type ${i} has final super type ${x}`);
      if (!mt.isSubComp(st.comp, sup.comp)) throw new ValidationError(`sub type ${i} does not match super type ${x}`);
      checkSubClauses(mt, st, sup, i, x);
    }
  }
  return mt;
}

/**
 * Custom descriptors: type `i`'s describes/descriptor clauses (the group is types s .. s+n-1). Both name a struct
 * type of the same recursion group, the two clauses agree, and a described type is defined before its descriptor.
 */
function checkClauses(types: readonly SubType[], i: number, s: number, n: number): void {
  const st = types[i]!;
  const isStruct = (x: number): boolean => types[x]!.comp.kind === CompKind.Struct;
  if (st.descriptor !== undefined) {
    const y = st.descriptor;
    if (y < s || y >= s + n) throw new ValidationError(y >= types.length ? `unknown type ${y}` : `descriptor type is outside rec group`);
    if (!isStruct(i) || !isStruct(y)) throw new ValidationError('descriptor type must be a struct');
    if (types[y]!.describes !== i) throw new ValidationError(`type is not described by its descriptor`);
  }
  if (st.describes !== undefined) {
    const x = st.describes;
    if (x < s || x >= s + n) throw new ValidationError(x >= types.length ? `unknown type ${x}` : `described type is outside rec group`);
    if (x >= i) throw new ValidationError('forward use of described type');
    if (!isStruct(i) || !isStruct(x)) throw new ValidationError('described type must be a struct');
    if (types[x]!.descriptor !== i) throw new ValidationError('described type is not described by descriptor');
  }
}

/**
 * Custom descriptors: subtype `i` of `x` keeps the clauses consistent. A supertype with a descriptor needs a
 * subtype with a descriptor that is a subtype of it (one without may gain one); a type describes something
 * exactly when its supertype does, and then describes a subtype of what the supertype describes.
 */
function checkSubClauses(mt: ModuleTypes, st: SubType, sup: SubType, i: number, x: number): void {
  const sub = (a: number, b: number): boolean => mt.registry.isSubtype(mt.canon[a]!, mt.canon[b]!);
  if (sup.descriptor !== undefined) {
    if (st.descriptor === undefined) throw new ValidationError(`sub type ${i} does not match super type ${x}`);
    if (!sub(st.descriptor, sup.descriptor)) throw new ValidationError(`descriptor type ${st.descriptor} does not match super type's descriptor ${sup.descriptor}`);
  }
  if ((st.describes === undefined) !== (sup.describes === undefined)) throw new ValidationError(`sub type ${i} does not match super type ${x}`);
  if (st.describes !== undefined && !sub(st.describes, sup.describes!)) {
    throw new ValidationError(`described type ${st.describes} does not match super type's described type ${sup.describes}`);
  }
}

export { forEachValType };

// ------------------------------------------------------------------ import matching (link time)

/** Limits `actual` match `expected`: at least the minimum, and a maximum no larger (when one is expected). */
export function matchLimits(aMin: number, aMax: number | null, eMin: number, eMax: number | null): boolean {
  if (aMin < eMin) return false;
  if (eMax === null) return true;
  return aMax !== null && aMax <= eMax;
}

/**
 * Extern type matching of the Wasm 3.0 spec, over canonical value types
 * (use toCanonVal with each module's canon array first). For functions and
 * tags compare canonical ids: registry.isSubtype(actual, expected) and
 * actual === expected respectively.
 */
export function matchGlobalType(
  registry: TypeRegistry,
  actual: { type: ValType; mutable: boolean },
  expected: { type: ValType; mutable: boolean },
): boolean {
  if (actual.mutable !== expected.mutable) return false;
  if (actual.mutable) return actual.type === expected.type;
  return registry.isSubVal(actual.type, expected.type);
}

export function matchTableType(
  actual: { elem: ValType; addr: string; min: number; max: number | null },
  expected: { elem: ValType; addr: string; min: number; max: number | null },
): boolean {
  return actual.addr === expected.addr && actual.elem === expected.elem && matchLimits(actual.min, actual.max, expected.min, expected.max);
}

export function matchMemType(
  actual: { addr: string; min: number; max: number | null; shared: boolean; pageSizeLog2: number },
  expected: { addr: string; min: number; max: number | null; shared: boolean; pageSizeLog2: number },
): boolean {
  return (
    actual.addr === expected.addr &&
    actual.shared === expected.shared &&
    actual.pageSizeLog2 === expected.pageSizeLog2 &&
    matchLimits(actual.min, actual.max, expected.min, expected.max)
  );
}
