/**
 * The JS API's value conversions (ToWebAssemblyValue, ToJSValue, DefaultValue) and the descriptor
 * conversions WebIDL performs ([EnforceRange] integers, enums), for one facade namespace (`Realm`).
 */
import {
  ANYREF, EXTERNREF, F32, F64, FUNCREF, GcArray, GcStruct, HEAP_CONCRETE, HeapType, HostNumber, I32, I64, V128,
  hostRefFits, internalize, isRef, refHeap, refNullable, type FuncInst, type TypeRegistry, type ValType,
} from './engine.js';

/** The externref `undefined` (wasmeter's references use null for null, so undefined travels boxed). */
export const UNDEFINED_REF: object = Object.freeze(Object.create(null));

/** What a namespace keeps to convert references: its exported functions, GC object wrappers, the type registry. */
export interface Realm {
  readonly registry: TypeRegistry;
  /** The Exported Function of a function instance (made once per function). */
  exportedFunction(f: FuncInst): Function;
  /** The function instance behind an Exported Function, or undefined. */
  funcOf(v: unknown): FuncInst | undefined;
}

const gcWrappers = new WeakMap<object, object>();
const gcObjects = new WeakMap<object, object>();

/** GC objects reach JS as opaque, frozen-looking objects without a prototype, the same one each time. */
function wrapGc(o: GcStruct | GcArray): object {
  let w = gcWrappers.get(o);
  if (w === undefined) {
    const made = (w = wrapper());
    gcWrappers.set(o, made);
    gcObjects.set(made, o);
  }
  return w;
}

function wrapper(): object {
  const refuse = (): never => {
    throw new TypeError('WebAssembly GC objects are opaque to JavaScript');
  };
  return new Proxy(Object.preventExtensions(Object.create(null)), {
    get: () => undefined,
    set: refuse,
    defineProperty: refuse,
    deleteProperty: refuse,
    setPrototypeOf: refuse,
    preventExtensions: refuse,
    getOwnPropertyDescriptor: () => undefined,
    has: () => false,
  });
}

/** A JS value as the engine holds it in a reference slot (GC wrappers unwrapped, undefined boxed). */
function toRefValue(v: unknown): unknown {
  if (v === undefined) return UNDEFINED_REF;
  if (typeof v === 'object' && v !== null) return gcObjects.get(v) ?? v;
  return v;
}

/** ToWebAssemblyValue: a JS value as a value of type `t` (module-local types read through `canon`). */
export function toWasm(realm: Realm, v: unknown, t: ValType, canon: Int32Array | null = null): unknown {
  switch (t) {
    case I32:
      return toNumber(v) | 0;
    case I64:
      return BigInt.asIntN(64, v as bigint);
    case F32:
      return Math.fround(toNumber(v));
    case F64:
      return toNumber(v);
    case V128:
      throw new TypeError('a v128 value cannot be passed from JavaScript');
  }
  const heap = refHeap(t);
  if (heap === HeapType.exn || heap === HeapType.noexn) throw new TypeError('an exnref value cannot be passed from JavaScript');
  if (v === null) {
    if (refNullable(t)) return null;
    throw new TypeError('null is not a value of a non-nullable reference type');
  }
  if (heap === HeapType.extern) return toRefValue(v);
  if (heap === HeapType.noextern || heap === HeapType.nofunc || heap === HeapType.none) {
    throw new TypeError('only null is a value of a bottom reference type');
  }
  const f = realm.funcOf(v);
  if (heap === HeapType.func || (heap >= HEAP_CONCRETE && f !== undefined)) {
    if (f === undefined) throw new TypeError('the value is not a WebAssembly function');
    if (!hostRefFits(realm.registry, canon, t, f)) throw new TypeError('the function is not of the expected type');
    return f;
  }
  // the any hierarchy: numbers become i31 references where they fit, other host values are opaque
  const x = typeof v === 'number' ? internalize(v) : toRefValue(v);
  if (!hostRefFits(realm.registry, canon, t, x)) throw new TypeError('the value is not of the expected reference type');
  return x;
}

/** ToJSValue: an engine value of type `t` as a JS value. */
export function toJS(realm: Realm, v: unknown, t: ValType): unknown {
  if (!isRef(t)) {
    if (t === V128) throw new TypeError('a v128 value cannot be passed to JavaScript');
    return v;
  }
  const heap = refHeap(t);
  if (heap === HeapType.exn || heap === HeapType.noexn) throw new TypeError('an exnref value cannot be passed to JavaScript');
  return refToJS(realm, v);
}

/** A reference (of any type) as JS sees it. */
export function refToJS(realm: Realm, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (v === UNDEFINED_REF) return undefined;
  if (v instanceof HostNumber) return v.value;
  if (v instanceof GcStruct || v instanceof GcArray) return wrapGc(v);
  const f = realm.funcOf(v) === undefined && isFuncInst(v) ? realm.exportedFunction(v) : undefined;
  return f ?? v;
}

function isFuncInst(v: unknown): v is FuncInst {
  return typeof v === 'object' && v !== null && 'typeId' in v && 'type' in v && ('fn' in v || 'body' in v);
}

/** DefaultValue(t): what a global or table of type `t` holds when no value is given. */
export function defaultValue(t: ValType): unknown {
  if (isRef(t) && !refNullable(t)) throw new TypeError('a non-nullable reference type has no default value');
  switch (t) {
    case I32:
    case F32:
    case F64:
      return 0;
    case I64:
      return 0n;
  }
  return t === EXTERNREF ? UNDEFINED_REF : null;
}

/** ToNumber, which throws TypeError for BigInt and Symbol as the spec's does. */
export function toNumber(v: unknown): number {
  return +(v as number);
}

/** WebIDL [EnforceRange] unsigned long (or unsigned long long up to 2^53 - 1). */
export function enforceRange(v: unknown, max: number, what: string): number {
  const x = toNumber(v);
  if (!Number.isFinite(x)) throw new TypeError(`${what} must be a finite number`);
  const n = Math.trunc(x) + 0;
  if (n < 0 || n > max) throw new TypeError(`${what} is out of range`);
  return n;
}

/** An address (index, size, delta) for address type `addr`: i32 as an [EnforceRange] unsigned long, i64 as a u64 BigInt. */
export function toAddress(v: unknown, addr: 'i32' | 'i64', what: string): number {
  if (addr === 'i32') return enforceRange(v, 0xffffffff, what);
  const b = BigInt.asUintN(64, v as bigint);
  if (b !== BigInt(v as bigint)) throw new TypeError(`${what} is out of range`);
  return Number(b);
}

/** The JS value of an address of type `addr`. */
export function fromAddress(n: number, addr: 'i32' | 'i64'): number | bigint {
  return addr === 'i64' ? BigInt(n) : n;
}

/** The JS API's ValueType enum (and TableKind, its reference subset). */
export function valueType(v: unknown): ValType {
  const s = String(v);
  switch (s) {
    case 'i32':
      return I32;
    case 'i64':
      return I64;
    case 'f32':
      return F32;
    case 'f64':
      return F64;
    case 'v128':
      return V128;
    case 'externref':
      return EXTERNREF;
    case 'anyfunc':
    case 'funcref':
      return FUNCREF;
    case 'anyref':
      return ANYREF;
  }
  throw new TypeError(`'${s}' is not a WebAssembly value type`);
}

/** The JS API's name of a value type (for `type()` reflection of imports and exports). */
export function valueTypeName(t: ValType): string {
  switch (t) {
    case I32:
      return 'i32';
    case I64:
      return 'i64';
    case F32:
      return 'f32';
    case F64:
      return 'f64';
    case V128:
      return 'v128';
    case EXTERNREF:
      return 'externref';
    case FUNCREF:
      return 'anyfunc';
  }
  return 'anyref';
}
