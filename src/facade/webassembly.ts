/**
 * The WebAssembly JS API (Wasm 3.0) over wasmeter: `createWebAssembly(options)` gives a `WebAssembly`
 * namespace whose modules, instances, memories, tables, globals and tags all live in one metered `Store`.
 * See docs/webassembly.md.
 */
import {
  CompKind, DecodeError, EXTERNREF, EngineGlobal, EngineLinkError, EngineMemory, EngineModule, EngineTable, EngineTag,
  ExnRef, HostError, HostFunc, HostSuspended, Interrupted, OutOfFuel, ResourceLimitError, Store, Trap, Unsupported,
  V128, ValidationError, WasmException, WasmFunc, WasmeterError, fromBigInt, isRef, makeExnRef, refHeap, HeapType,
  toBigInt, type RawInstance, type Extern, type Features, type FuncInst, type FuncType, type ModuleData,
  type StoreOptions, type ValType,
} from './engine.js';
import { MAX_MODULE_SIZE, MAX_TABLE_SIZE, checkCounts, checkLimits } from './limits.js';
import { builtinImports, checkBuiltins, isBuiltinImport, type CompileOptions } from './builtins.js';
import {
  UNDEFINED_REF, defaultValue, enforceRange, fromAddress, refToJS, toAddress, toJS, toWasm, valueType, type Realm,
} from './values.js';

/** Options of `createWebAssembly`: the Store's (fuel, costs, limits, interrupt, profile, tier). */
export type WebAssemblyOptions = StoreOptions;

/**
 * The features a facade module may use: WebAssembly 3.0 and threads (shared memories, atomics); not custom
 * descriptors (its JS API, DescriptorOptions and prototypes, is not implemented).
 */
const FEATURES: Features = { 'custom-page-sizes': false, 'wide-arithmetic': false, 'custom-descriptors': false };

/** A `WebAssembly` namespace bound to one store; `store` is wasmeter's (fuel consumed, peaks, profile). */
export interface WebAssemblyNamespace {
  readonly store: Store;
  [name: string]: unknown;
}

/** A WebAssembly namespace whose everything shares one `Store` made with `options`. */
export function createWebAssembly(options: WebAssemblyOptions = {}): typeof WebAssembly & { readonly store: Store } {
  return makeNamespace(new Store(options)) as unknown as typeof WebAssembly & { readonly store: Store };
}

// ------------------------------------------------------------------ WebIDL helpers

function isObject(v: unknown): v is object {
  return (typeof v === 'object' && v !== null) || typeof v === 'function';
}

/** WebIDL's check for a required argument. */
function required(n: number, got: number, what: string): void {
  if (got < n) throw new TypeError(`${what}: ${n} argument${n === 1 ? '' : 's'} required, but only ${got} present`);
}

/** A dictionary argument: undefined and null read as an empty dictionary, other non-objects are a TypeError. */
function dictionary(v: unknown, what: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw new TypeError(`${what} must be an object`);
  return v as Record<string, unknown>;
}

/**
 * The host's SharedArrayBuffer, where it has one: a page that is not cross-origin isolated has no such global (a
 * bare reference to it there is a ReferenceError).
 */
const SAB: (new (n: number) => SharedArrayBuffer) | undefined = typeof SharedArrayBuffer === 'function' ? SharedArrayBuffer : undefined;

/**
 * The bytes of a BufferSource where they are (WebIDL's conversion: nothing is copied yet), as a view of fixed length
 * (a resizable buffer's later growth is no part of them).
 */
function sourceBytes(v: unknown): Uint8Array {
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (v instanceof ArrayBuffer || (SAB !== undefined && v instanceof SAB)) return new Uint8Array(v, 0, v.byteLength);
  throw new TypeError('the argument must be an ArrayBuffer, a SharedArrayBuffer or a view of one');
}

/** Whether two byte strings are equal; `a` is a copy (offset 0), compared four bytes at a time when `b` is aligned. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  const n = a.length;
  if (b.length !== n) return false;
  let i = 0;
  if (a.byteOffset % 4 === 0 && b.byteOffset % 4 === 0) {
    const wa = new Int32Array(a.buffer, a.byteOffset, n >>> 2);
    const wb = new Int32Array(b.buffer, b.byteOffset, n >>> 2);
    for (; i < wa.length; i++) if (wa[i] !== wb[i]) return false;
    i <<= 2;
  }
  for (; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameOptions(a: CompileOptions, b: CompileOptions): boolean {
  return a.importedStringConstants === b.importedStringConstants && a.builtins.length === b.builtins.length && a.builtins.every((x, i) => x === b.builtins[i]);
}

/** How many recently compiled modules a namespace keeps (`take`), and the largest binary it keeps one of. */
const RECENT = 2;
const RECENT_MAX_BYTES = 64 << 20;

/** A module's bytes as `take` found them. */
interface Taken {
  /** A copy of the bytes (the recent module's own when `recent` is one), or, for validate, the bytes in place. */
  bytes: Uint8Array;
  source: ArrayBufferLike;
  offset: number;
  /** A module recently compiled from the same bytes at the same place of the same buffer. */
  recent: ModuleState | null;
  /** Whether the module compiled from `bytes` may be kept as a recent one (a copy, not too large). */
  keep: boolean;
}

/** WebIDL's sequence conversion: the values of an iterable object, through its iterator step by step. */
function iterableToList(v: unknown, what: string): unknown[] {
  const method = isObject(v) ? (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] : undefined;
  if (typeof method !== 'function') throw new TypeError(`${what} must be an iterable object`);
  const it = method.call(v) as object;
  if (!isObject(it)) throw new TypeError(`${what}: the iterator is not an object`);
  const next = (it as { next?: unknown }).next;
  const out: unknown[] = [];
  for (;;) {
    const r = typeof next === 'function' ? next.call(it) : undefined;
    if (!isObject(r)) throw new TypeError(`${what}: the iterator result is not an object`);
    if ((r as IteratorResult<unknown>).done) return out;
    out.push((r as IteratorResult<unknown>).value);
  }
}

/** Makes the listed properties of `target` WebIDL operations and attributes (enumerable, as WebIDL defines them). */
function members(target: object, source: object): void {
  for (const [k, d] of Object.entries(Object.getOwnPropertyDescriptors(source))) {
    d.enumerable = true;
    Object.defineProperty(target, k, d);
  }
}

function toStringTag(target: object, tag: string): void {
  Object.defineProperty(target, Symbol.toStringTag, { value: tag, configurable: true });
}

/** A NativeError-like class: callable with or without `new`, `name` and `message` on its prototype. */
function errorClass(name: string): ErrorConstructor {
  const ctor = {
    [name]: function (this: unknown, message?: unknown, options?: unknown) {
      return Reflect.construct(Error, options === undefined ? [message] : [message, options], new.target ?? ctor);
    },
  }[name]! as unknown as ErrorConstructor;
  Object.setPrototypeOf(ctor, Error);
  const proto = Object.create(Error.prototype);
  Object.defineProperties(proto, {
    constructor: { value: ctor, writable: true, configurable: true },
    name: { value: name, writable: true, configurable: true },
    message: { value: '', writable: true, configurable: true },
  });
  Object.defineProperty(ctor, 'prototype', { value: proto, writable: false, enumerable: false, configurable: false });
  Object.defineProperty(ctor, 'length', { value: 1, configurable: true });
  return ctor;
}

const KIND_NAMES: Record<string, string> = { func: 'function', table: 'table', memory: 'memory', global: 'global', tag: 'tag' };

// ------------------------------------------------------------------ the namespace

interface ModuleState {
  module: EngineModule;
  bytes: Uint8Array;
  options: CompileOptions;
}

function makeNamespace(store: Store): object {
  const registry = store.registry;
  const CompileError = errorClass('CompileError');
  const LinkError = errorClass('LinkError');
  const RuntimeError = errorClass('RuntimeError');

  const modules = new WeakMap<object, ModuleState>();
  const instances = new WeakMap<object, object>();
  const memories = new WeakMap<object, EngineMemory>();
  const tables = new WeakMap<object, EngineTable>();
  const globals = new WeakMap<object, EngineGlobal>();
  const tags = new WeakMap<object, EngineTag>();
  const exceptions = new WeakMap<object, ExnRef>();
  // engine object -> its JS object (the same one every time)
  const wrappers = new WeakMap<object, object>();
  const funcInsts = new WeakMap<object, FuncInst>();
  /** Function index of host functions made from JS callables (an Exported Function's name). */
  const hostIndex = new WeakMap<HostFunc, number>();

  const realm: Realm = {
    registry,
    exportedFunction,
    funcOf: (v) => (typeof v === 'function' ? funcInsts.get(v) : undefined),
  };

  // ---------------------------------------------------------------- errors crossing the boundary

  /** The JS exception for an error out of the engine (a call, an instantiation). */
  function jsError(e: unknown): unknown {
    if (e instanceof WasmException) {
      const exn = e.exn ?? makeExnRef(e.tag, e.values);
      if (exn.tag === jsTag) return refToJS(realm, exn.refs[0]);
      return exceptionObject(exn);
    }
    if (e instanceof OutOfFuel || e instanceof Interrupted || e instanceof HostSuspended) {
      // the facade does not resume calls: the stopped call is dropped, its fuel stays consumed
      store.abandon();
      return new RuntimeError(e.message, { cause: e });
    }
    if (e instanceof ResourceLimitError) return new RuntimeError(e.message, { cause: e });
    if (e instanceof Trap) return new RuntimeError(e.message);
    if (e instanceof HostError && e.cause !== undefined) return e.cause;
    if (e instanceof EngineLinkError) return new LinkError(e.message);
    if (e instanceof WasmeterError) return new RuntimeError(e.message, { cause: e });
    return e;
  }

  /** What a JS exception thrown into wasm becomes: a wasm exception (the JS tag's for plain JS values). */
  function intoWasm(e: unknown): unknown {
    if (isObject(e)) {
      const exn = exceptions.get(e);
      if (exn !== undefined) return new WasmException(exn.tag, exn.values, exn);
      if (e instanceof RuntimeError) {
        const c = (e as Error).cause;
        // metering stops stay stops: wasm cannot catch them
        if (c instanceof OutOfFuel || c instanceof Interrupted || c instanceof HostSuspended || c instanceof ResourceLimitError) return c;
      }
    }
    const exn = makeExnRef(jsTag, [e === undefined ? UNDEFINED_REF : e]);
    return new WasmException(jsTag, exn.values, exn);
  }

  // ---------------------------------------------------------------- functions

  function exportedFunction(f: FuncInst): Function {
    const have = wrappers.get(f);
    if (have !== undefined) return have as Function;
    const type = f.type;
    const canon = f instanceof WasmFunc ? (f.instance as RawInstance).vm.canon : null;
    const n = type.results.length;
    // (the type's test once, not a closure and two scans at every call)
    const unusable = hasV128OrExn(type);
    const fn = (...args: unknown[]): unknown => {
      if (unusable) throw new TypeError('a function with v128 or exnref parameters or results cannot be called from JavaScript');
      // (converted in place: the rest array is this call's own; a mapped copy and its closure were most of what a
      // call through the facade allocated, BENCHMARKS.md session 18, helper heap14)
      const params = type.params;
      for (let i = 0; i < params.length; i++) args[i] = toWasm(realm, args[i], params[i]!, canon);
      if (args.length > params.length) args.length = params.length;
      let r: unknown[];
      try {
        r = store.invoke(f, args);
      } catch (e) {
        throw jsError(e);
      }
      if (n === 0) return undefined;
      if (n === 1) return toJS(realm, r[0], type.results[0]!);
      return type.results.map((t, i) => toJS(realm, r[i], t));
    };
    const index = f instanceof WasmFunc ? f.index : (hostIndex.get(f) ?? 0);
    Object.defineProperty(fn, 'length', { value: type.params.length });
    Object.defineProperty(fn, 'name', { value: String(index) });
    wrappers.set(f, fn);
    funcInsts.set(fn, f);
    return fn;
  }

  /** A host function of type `type` (canonical id `typeId`) calling a JS callable. */
  function hostFunction(callable: Function, type: FuncType, typeId: number, index: number, name: string): HostFunc {
    const n = type.results.length;
    const hf = new HostFunc(
      type,
      typeId,
      (_caller: unknown, ...args: unknown[]) => {
        try {
          if (hasV128OrExn(type)) throw new TypeError('a function with v128 or exnref parameters or results cannot be called');
          const js = type.params.map((t, i) => toJS(realm, args[i], t));
          const ret = Reflect.apply(callable, undefined, js);
          if (n === 0) return undefined;
          if (n === 1) return toWasm(realm, ret, type.results[0]!);
          const list = iterableToList(ret, 'the results of a function with several results');
          if (list.length !== n) throw new TypeError(`expected ${n} results, got ${list.length}`);
          return type.results.map((t, i) => toWasm(realm, list[i], t));
        } catch (e) {
          throw intoWasm(e);
        }
      },
      name,
    );
    hostIndex.set(hf, index);
    return hf;
  }

  // ---------------------------------------------------------------- Module

  function compile(bytes: Uint8Array, options: CompileOptions): ModuleState {
    let module: EngineModule;
    try {
      checkCounts(bytes);
      // (with the store's code cache: a module validated before skips its bodies' validation, ModuleOptions.codeCache)
      const codeCache = store.machine.codeCache;
      module = EngineModule.fromBinary(bytes, (codeCache !== null ? { features: FEATURES, registry, codeCache } : { features: FEATURES, registry }) as never);
      checkLimits(module.data, bytes.length);
      checkBuiltins(module, options);
    } catch (e) {
      if (e instanceof DecodeError || e instanceof ValidationError || e instanceof Unsupported || e instanceof WasmeterError) {
        throw new CompileError(e.message);
      }
      throw e;
    }
    return { module, bytes, options };
  }

  /**
   * The modules last compiled from a buffer's bytes (at most RECENT, the latest last): the next compile of the same
   * bytes from the same place of the same buffer (WebAssembly.validate and then new WebAssembly.Module, as a page
   * commonly does; a buffer compiled twice) takes the module already made instead of decoding and validating the bytes
   * again. The buffer is only weakly held; the bytes are compared with the module's own copy of them, so a buffer
   * written to meanwhile is compiled afresh. An entry holds a whole decoded module: there are few, and one is dropped
   * when taken, so that a module no Module object holds any more does not stay (a module of ten million element
   * segments kept meanwhile made every major GC of the JS API's limits test longer). A module a Module object owns
   * (new Module, compile, instantiate) is held only weakly: it lives as long as that object, not two compiles longer
   * (one of a 4 MB binary was 507 MB of heap, held while the JS API's tests went on); only validate's, which nothing
   * else holds, is held strongly.
   */
  const recent: { source: WeakRef<ArrayBufferLike>; offset: number; strong: ModuleState | null; weak: WeakRef<ModuleState> }[] = [];

  /**
   * The bytes of `view` as they are now (the JS API's copy): a recent module's when it was compiled from the same bytes
   * there, else a copy; `inPlace` (WebAssembly.validate, which keeps nothing and returns before any script runs) leaves
   * the bytes of an ArrayBuffer in place when they are too many to keep. A module beyond the size limit is not copied
   * either: it is a CompileError whatever its bytes become.
   */
  function take(view: Uint8Array, inPlace: boolean): Taken {
    const source = view.buffer;
    const offset = view.byteOffset;
    for (let i = recent.length - 1; i >= 0; i--) {
      const r = recent[i]!;
      const state = r.strong ?? r.weak.deref();
      if (state === undefined) {
        recent.splice(i, 1);
        continue;
      }
      if (r.offset !== offset || r.source.deref() !== source || !sameBytes(state.bytes, view)) continue;
      recent.splice(i, 1);
      return { bytes: state.bytes, source, offset, recent: state, keep: true };
    }
    const small = view.length <= RECENT_MAX_BYTES;
    const copy = view.length <= MAX_MODULE_SIZE && (!inPlace || small || !(source instanceof ArrayBuffer));
    return { bytes: copy ? view.slice() : view, source, offset, recent: null, keep: copy && small };
  }

  /**
   * The module of bytes taken by `take`: the recent one when it was compiled with the same options, else compiled now;
   * `owned`: a Module object will hold it (else validate: kept strongly).
   */
  function compileTaken(t: Taken, options: CompileOptions, owned: boolean): ModuleState {
    if (t.recent !== null && sameOptions(t.recent.options, options)) return t.recent;
    const state = compile(t.bytes, options);
    if (t.keep) {
      recent.push({ source: new WeakRef(t.source), offset: t.offset, strong: owned ? null : state, weak: new WeakRef(state) });
      if (recent.length > RECENT) recent.shift();
    }
    return state;
  }

  function compileOptions(v: unknown): CompileOptions {
    const d = dictionary(v, 'compile options');
    const b = d.builtins;
    const builtins: string[] = [];
    if (b !== undefined) {
      for (const x of iterableToList(b, 'builtins')) builtins.push(String(x));
    }
    const c = d.importedStringConstants;
    return { builtins, importedStringConstants: c === undefined || c === null ? null : String(c) };
  }

  function moduleState(v: unknown): ModuleState {
    const s = isObject(v) ? modules.get(v) : undefined;
    if (s === undefined) throw new TypeError('the argument is not a WebAssembly.Module');
    return s;
  }

  class Module {
    constructor(bytes: unknown, options: unknown = undefined) {
      required(1, arguments.length, 'WebAssembly.Module');
      // WebIDL converts both arguments (the options may run scripts) before the bytes are copied
      const view = sourceBytes(bytes);
      const o = compileOptions(options);
      modules.set(this, compileTaken(take(view, false), o, true));
    }
  }
  members(Module, {
    exports(module: unknown) {
      required(1, arguments.length, 'WebAssembly.Module.exports');
      const m = moduleState(module).module;
      return m.data.exports.map((e) => ({ name: e.name, kind: KIND_NAMES[e.kind]! }));
    },
    imports(module: unknown) {
      required(1, arguments.length, 'WebAssembly.Module.imports');
      const s = moduleState(module);
      return s.module.data.imports
        .filter((i) => !isBuiltinImport(s.options, i.module, i.name))
        .map((i) => ({ module: i.module, name: i.name, kind: KIND_NAMES[i.desc.kind]! }));
    },
    customSections(module: unknown, sectionName: unknown) {
      required(2, arguments.length, 'WebAssembly.Module.customSections');
      const s = moduleState(module);
      const name = String(sectionName);
      return s.module.data.customs.filter((c) => c.name === name).map((c) => c.bytes.slice().buffer);
    },
  });
  toStringTag(Module.prototype, 'WebAssembly.Module');

  // ---------------------------------------------------------------- Instance

  /** The spec's "read the imports": the externs for the module's imports, from the import object. */
  function readImports(state: ModuleState, importObject: unknown): Extern[] {
    const data = state.module.data;
    const vm = state.module.validated;
    if (importObject !== undefined && !isObject(importObject)) throw new TypeError('the import object must be an object');
    const builtins = builtinImports(state.module, state.options);
    if (data.imports.length > 0 && importObject === undefined && builtins.size < data.imports.length) {
      throw new TypeError('the module has imports but no import object was given');
    }
    const out: Extern[] = [];
    let funcIndex = 0;
    for (let i = 0; i < data.imports.length; i++) {
      const imp = data.imports[i]!;
      const d = imp.desc;
      const builtin = builtins.get(i);
      if (builtin !== undefined) {
        out.push(builtin);
        if (d.kind === 'func') funcIndex++;
        continue;
      }
      const o = (importObject as Record<string, unknown>)[imp.module];
      if (!isObject(o)) throw new TypeError(`import module '${imp.module}' is not an object`);
      const v = (o as Record<string, unknown>)[imp.name];
      const where = `import ${imp.module}.${imp.name}`;
      switch (d.kind) {
        case 'func': {
          if (typeof v !== 'function') throw new LinkError(`${where} must be a function`);
          const f = funcInsts.get(v);
          const type = data.types[d.typeIndex]!.comp as FuncType;
          out.push(f ?? hostFunction(v, type, vm.canon[d.typeIndex]!, funcIndex, `${imp.module}.${imp.name}`));
          funcIndex++;
          break;
        }
        case 'global': {
          const g = isObject(v) ? globals.get(v) : undefined;
          if (g !== undefined) {
            out.push(g);
            break;
          }
          const t = d.type.type;
          if (t === 0x7e ? typeof v !== 'bigint' : !isRef(t) && typeof v !== 'number') throw new LinkError(`${where} must be a number or a WebAssembly.Global`);
          if (t === V128) throw new LinkError(`${where}: a v128 global must be a WebAssembly.Global`);
          if (d.type.mutable) throw new LinkError(`${where}: a mutable global must be a WebAssembly.Global`);
          const ng = new EngineGlobal(d.type);
          (ng as EngineGlobal & { canon?: Int32Array }).canon = vm.canon;
          writeGlobal(ng, toWasm(realm, v, t, vm.canon));
          out.push(ng);
          break;
        }
        case 'memory': {
          const m = isObject(v) ? memories.get(v) : undefined;
          if (m === undefined) throw new LinkError(`${where} must be a WebAssembly.Memory`);
          out.push(m);
          break;
        }
        case 'table': {
          const t = isObject(v) ? tables.get(v) : undefined;
          if (t === undefined) throw new LinkError(`${where} must be a WebAssembly.Table`);
          out.push(t);
          break;
        }
        case 'tag': {
          const t = isObject(v) ? tags.get(v) : undefined;
          if (t === undefined) throw new LinkError(`${where} must be a WebAssembly.Tag`);
          out.push(t);
          break;
        }
      }
    }
    return out;
  }

  /** Instantiates; the exports object as the JS API makes it (frozen, no prototype). */
  function instantiateState(state: ModuleState, externs: Extern[]): object {
    for (const t of state.module.data.tables) {
      if (t.type.min > MAX_TABLE_SIZE) throw new RangeError(`a table of ${t.type.min} elements exceeds the limit of ${MAX_TABLE_SIZE}`);
    }
    let inst;
    try {
      inst = store.instantiate(state.module, externs);
    } catch (e) {
      throw jsError(e);
    }
    const exports = Object.create(null);
    for (const [name, e] of inst.raw.exports) {
      Object.defineProperty(exports, name, { value: externValue(e), writable: false, enumerable: true, configurable: false });
    }
    return Object.freeze(exports);
  }

  function externValue(e: Extern): unknown {
    if (e instanceof WasmFunc || e instanceof HostFunc) return exportedFunction(e);
    const have = wrappers.get(e);
    if (have !== undefined) return have;
    let o: object;
    if (e instanceof EngineMemory) memories.set((o = Object.create(Memory.prototype)), e);
    else if (e instanceof EngineTable) tables.set((o = Object.create(Table.prototype)), e);
    else if (e instanceof EngineGlobal) globals.set((o = Object.create(Global.prototype)), e);
    else tags.set((o = Object.create(Tag.prototype)), e as EngineTag);
    wrappers.set(e, o);
    return o;
  }

  class Instance {
    constructor(module: unknown, importObject: unknown = undefined) {
      required(1, arguments.length, 'WebAssembly.Instance');
      const state = moduleState(module);
      instances.set(this, instantiateState(state, readImports(state, importObject)));
    }
  }
  members(Instance.prototype, {
    get exports() {
      const e = instances.get(this as object);
      if (e === undefined) throw new TypeError('not a WebAssembly.Instance');
      return e;
    },
  });
  toStringTag(Instance.prototype, 'WebAssembly.Instance');

  // ---------------------------------------------------------------- Memory

  function memoryOf(v: unknown): EngineMemory {
    const m = isObject(v) ? memories.get(v) : undefined;
    if (m === undefined) throw new TypeError('not a WebAssembly.Memory');
    return m;
  }

  class Memory {
    constructor(descriptor: unknown) {
      required(1, arguments.length, 'WebAssembly.Memory');
      if (!isObject(descriptor)) throw new TypeError('the memory descriptor must be an object');
      const d = descriptor as Record<string, unknown>;
      const addr = addressType(d.address);
      const initial = d.initial;
      if (initial === undefined) throw new TypeError("the memory descriptor needs 'initial'");
      const min = toAddress(initial, addr, 'initial');
      const maximum = d.maximum;
      const max = maximum === undefined ? null : toAddress(maximum, addr, 'maximum');
      const shared = Boolean(d.shared);
      const limit = addr === 'i64' ? 2 ** 48 : 65536;
      if (min > limit) throw new RangeError('initial exceeds the maximum memory size');
      if (max !== null && max > limit) throw new RangeError('maximum exceeds the maximum memory size');
      if (max !== null && max < min) throw new RangeError('initial is larger than maximum');
      if (shared && max === null) throw new TypeError('a shared memory needs a maximum');
      let m: EngineMemory;
      try {
        m = new EngineMemory({ addr, min, max, shared, pageSizeLog2: 16 }, store);
      } catch (e) {
        throw e instanceof ResourceLimitError ? new RangeError(e.message, { cause: e }) : e;
      }
      memories.set(this, m);
      wrappers.set(m, this);
    }
  }
  members(Memory.prototype, {
    grow(delta: unknown) {
      const m = memoryOf(this);
      required(1, arguments.length, 'WebAssembly.Memory.prototype.grow');
      const n = toAddress(delta, m.type.addr, 'delta');
      const old = m.grow(n);
      if (old < 0) throw new RangeError('the memory cannot grow by that much');
      if (n === 0) m.refresh();
      return fromAddress(old, m.type.addr);
    },
    get buffer() {
      const m = memoryOf(this);
      if (m.type.shared && !Object.isFrozen(m.buffer)) Object.freeze(m.buffer);
      return m.buffer;
    },
  });
  toStringTag(Memory.prototype, 'WebAssembly.Memory');

  function addressType(v: unknown): 'i32' | 'i64' {
    if (v === undefined) return 'i32';
    const s = String(v);
    if (s !== 'i32' && s !== 'i64') throw new TypeError(`'${s}' is not an address type`);
    return s;
  }

  // ---------------------------------------------------------------- Table

  function tableOf(v: unknown): EngineTable {
    const t = isObject(v) ? tables.get(v) : undefined;
    if (t === undefined) throw new TypeError('not a WebAssembly.Table');
    return t;
  }

  class Table {
    constructor(descriptor: unknown, value: unknown = undefined) {
      required(1, arguments.length, 'WebAssembly.Table');
      if (!isObject(descriptor)) throw new TypeError('the table descriptor must be an object');
      const d = descriptor as Record<string, unknown>;
      const elem = valueType(d.element);
      const addr = addressType(d.address);
      if (!isRef(elem)) throw new TypeError(`'${String(d.element)}' is not a table element type`);
      const initial = d.initial;
      if (initial === undefined) throw new TypeError("the table descriptor needs 'initial'");
      const min = toAddress(initial, addr, 'initial');
      const maximum = d.maximum;
      const max = maximum === undefined ? null : toAddress(maximum, addr, 'maximum');
      if (max !== null && max < min) throw new RangeError('initial is larger than maximum');
      if (min > MAX_TABLE_SIZE) throw new RangeError('initial exceeds the maximum table size');
      const init = arguments.length < 2 ? defaultValue(elem) : toWasm(realm, value, elem);
      let t: EngineTable;
      try {
        t = new EngineTable({ elem, addr, min, max }, init, store);
      } catch (e) {
        throw e instanceof ResourceLimitError ? new RangeError(e.message, { cause: e }) : e;
      }
      tables.set(this, t);
      wrappers.set(t, this);
    }
  }
  members(Table.prototype, {
    get length() {
      const t = tableOf(this);
      return fromAddress(t.size, t.type.addr);
    },
    grow(delta: unknown, value: unknown = undefined) {
      const t = tableOf(this);
      required(1, arguments.length, 'WebAssembly.Table.prototype.grow');
      const n = toAddress(delta, t.type.addr, 'delta');
      const init = arguments.length < 2 ? defaultValue(t.type.elem) : toWasm(realm, value, t.type.elem, tableCanon(t));
      const old = t.grow(n, init);
      if (old < 0) throw new RangeError('the table cannot grow by that much');
      return fromAddress(old, t.type.addr);
    },
    get(index: unknown) {
      const t = tableOf(this);
      required(1, arguments.length, 'WebAssembly.Table.prototype.get');
      const i = toAddress(index, t.type.addr, 'index');
      if (i >= t.size) throw new RangeError('table index out of bounds');
      return toJS(realm, t.elems[i], t.type.elem);
    },
    set(index: unknown, value: unknown = undefined) {
      const t = tableOf(this);
      required(1, arguments.length, 'WebAssembly.Table.prototype.set');
      const i = toAddress(index, t.type.addr, 'index');
      if (i >= t.size) throw new RangeError('table index out of bounds');
      t.elems[i] = arguments.length < 2 ? defaultValue(t.type.elem) : toWasm(realm, value, t.type.elem, tableCanon(t));
    },
  });
  toStringTag(Table.prototype, 'WebAssembly.Table');

  function tableCanon(t: EngineTable): Int32Array | null {
    return (t as EngineTable & { canon?: Int32Array }).canon ?? null;
  }

  // ---------------------------------------------------------------- Global

  function globalOf(v: unknown): EngineGlobal {
    const g = isObject(v) ? globals.get(v) : undefined;
    if (g === undefined) throw new TypeError('not a WebAssembly.Global');
    return g;
  }

  function readGlobal(g: EngineGlobal): unknown {
    const t = g.type.type;
    const c = g.cell;
    switch (t) {
      case 0x7f:
        return c[0]!;
      case 0x7e:
        return toBigInt(c, 0);
      case 0x7d:
        return new Float32Array(c.buffer)[0]!;
      case 0x7c:
        return new Float64Array(c.buffer)[0]!;
    }
    return toJS(realm, g.ref, t);
  }

  function writeGlobal(g: EngineGlobal, v: unknown): void {
    const c = g.cell;
    switch (g.type.type) {
      case 0x7f:
        c[0] = v as number;
        return;
      case 0x7e:
        fromBigInt(c, 0, v as bigint);
        return;
      case 0x7d:
        new Float32Array(c.buffer)[0] = v as number;
        return;
      case 0x7c:
        new Float64Array(c.buffer)[0] = v as number;
        return;
    }
    g.ref = v;
  }

  class Global {
    constructor(descriptor: unknown, v: unknown = undefined) {
      required(1, arguments.length, 'WebAssembly.Global');
      if (!isObject(descriptor)) throw new TypeError('the global descriptor must be an object');
      const d = descriptor as Record<string, unknown>;
      const mutable = Boolean(d.mutable);
      const t = valueType(d.value);
      if (t === V128) throw new TypeError('a v128 global cannot be made from JavaScript');
      const value = arguments.length < 2 || v === undefined ? defaultValue(t) : toWasm(realm, v, t);
      const g = new EngineGlobal({ type: t, mutable });
      writeGlobal(g, value);
      globals.set(this, g);
      wrappers.set(g, this);
    }
  }
  members(Global.prototype, {
    valueOf() {
      return readGlobal(globalOf(this));
    },
    get value() {
      return readGlobal(globalOf(this));
    },
    set value(v: unknown) {
      const g = globalOf(this);
      if (!g.type.mutable) throw new TypeError('the global is immutable');
      writeGlobal(g, toWasm(realm, v, g.type.type, (g as EngineGlobal & { canon?: Int32Array }).canon ?? null));
    },
  });
  toStringTag(Global.prototype, 'WebAssembly.Global');

  // ---------------------------------------------------------------- Tag and Exception

  function tagOf(v: unknown): EngineTag {
    const t = isObject(v) ? tags.get(v) : undefined;
    if (t === undefined) throw new TypeError('not a WebAssembly.Tag');
    return t;
  }

  function newTag(params: ValType[]): EngineTag {
    return store.tag({ kind: CompKind.Func, params, results: [] });
  }

  class Tag {
    constructor(type: unknown) {
      required(1, arguments.length, 'WebAssembly.Tag');
      if (!isObject(type)) throw new TypeError('the tag type must be an object');
      const params = iterableToList((type as Record<string, unknown>).parameters, "the tag type's parameters").map(valueType);
      const t = newTag(params);
      tags.set(this, t);
      wrappers.set(t, this);
    }
  }
  toStringTag(Tag.prototype, 'WebAssembly.Tag');

  function exceptionObject(exn: ExnRef): object {
    const have = wrappers.get(exn);
    if (have !== undefined) return have;
    const o = Object.create(Exception.prototype);
    exceptions.set(o, exn);
    wrappers.set(exn, o);
    return o;
  }

  function exnOf(v: unknown): ExnRef {
    const e = isObject(v) ? exceptions.get(v) : undefined;
    if (e === undefined) throw new TypeError('not a WebAssembly.Exception');
    return e;
  }

  class Exception {
    constructor(exceptionTag: unknown, payload: unknown, options: unknown = undefined) {
      required(2, arguments.length, 'WebAssembly.Exception');
      const t = tagOf(exceptionTag);
      if (t === jsTag) throw new TypeError('WebAssembly.JSTag cannot be used to construct an exception');
      const list = iterableToList(payload, 'the payload');
      const ps = t.type.params;
      if (list.length !== ps.length) throw new TypeError(`the tag expects ${ps.length} values, got ${list.length}`);
      const values = ps.map((p, i) => toWasm(realm, list[i], p));
      const o = dictionary(options, 'exception options');
      const exn = makeExnRef(t, values);
      exceptions.set(this, exn);
      wrappers.set(exn, this);
      if (o.traceStack === true) {
        const stack = new Error().stack ?? '';
        Object.defineProperty(this, 'stack', { value: stack.slice(stack.indexOf('\n') + 1), writable: true, configurable: true });
      }
    }
  }
  members(Exception.prototype, {
    getArg(exceptionTag: unknown, index: unknown) {
      const exn = exnOf(this);
      required(2, arguments.length, 'WebAssembly.Exception.prototype.getArg');
      const t = tagOf(exceptionTag);
      const i = enforceRange(index, 0xffffffff, 'index');
      if (exn.tag !== t) throw new TypeError('the exception does not have this tag');
      const ps = t.type.params;
      if (i >= ps.length) throw new RangeError('index out of range');
      return toJS(realm, ps[i] === V128 ? null : exn.values[i], ps[i]!);
    },
    is(exceptionTag: unknown) {
      const exn = exnOf(this);
      required(1, arguments.length, 'WebAssembly.Exception.prototype.is');
      return exn.tag === tagOf(exceptionTag);
    },
  });
  toStringTag(Exception.prototype, 'WebAssembly.Exception');

  /** The tag of JS exceptions inside wasm (payload: the thrown value, an externref). */
  const jsTag = newTag([EXTERNREF]);
  const JSTag = externValue(jsTag);

  // ---------------------------------------------------------------- namespace functions

  /** Runs `f` as a promise job: errors reject, nothing throws synchronously. */
  const later = <T>(f: () => T): Promise<T> => Promise.resolve().then(f);

  async function responseBytes(source: unknown): Promise<Uint8Array> {
    const r = (await source) as { ok?: unknown; headers?: { get(n: string): string | null }; arrayBuffer?: () => Promise<ArrayBuffer>; bodyUsed?: boolean };
    const Resp = (globalThis as { Response?: Function }).Response;
    if (!isObject(r) || (Resp !== undefined ? !(r instanceof Resp) : typeof r.arrayBuffer !== 'function')) {
      throw new TypeError('the source must be a Response or a promise of one');
    }
    const mime = r.headers?.get('Content-Type');
    if (mime == null || mime.split(';')[0]!.trim().toLowerCase() !== 'application/wasm') {
      throw new TypeError("the response's MIME type must be 'application/wasm'");
    }
    if (!r.ok) throw new TypeError('the response is not ok');
    if (r.bodyUsed) throw new TypeError('the response body was already used');
    return new Uint8Array(await r.arrayBuffer!());
  }

  function moduleObject(state: ModuleState): object {
    const m = Object.create(Module.prototype);
    modules.set(m, state);
    return m;
  }

  function instanceObject(state: ModuleState, externs: Extern[]): object {
    const o = Object.create(Instance.prototype);
    instances.set(o, instantiateState(state, externs));
    return o;
  }

  const ns = {};
  members(ns, {
    validate(bytes: unknown, options: unknown = undefined) {
      required(1, arguments.length, 'WebAssembly.validate');
      const view = sourceBytes(bytes);
      const o = compileOptions(options);
      try {
        compileTaken(take(view, true), o, false);
        return true;
      } catch (e) {
        if (e instanceof CompileError) return false;
        throw e;
      }
    },
    compile(bytes: unknown, options: unknown = undefined) {
      let t: Taken;
      let o: CompileOptions;
      try {
        required(1, arguments.length, 'WebAssembly.compile');
        const view = sourceBytes(bytes);
        o = compileOptions(options);
        t = take(view, false);
      } catch (e) {
        return Promise.reject(e);
      }
      return later(() => moduleObject(compileTaken(t, o, true)));
    },
    instantiate(source: unknown, importObject: unknown = undefined, options: unknown = undefined) {
      let t: Taken;
      let o: CompileOptions;
      try {
        required(1, arguments.length, 'WebAssembly.instantiate');
        if (isObject(source) && modules.has(source)) {
          // the imports are read now, the instance made in a promise job
          const state = modules.get(source)!;
          const externs = readImports(state, importObject);
          return later(() => instanceObject(state, externs));
        }
        const view = sourceBytes(source);
        o = compileOptions(options);
        t = take(view, false);
      } catch (e) {
        return Promise.reject(e);
      }
      return later(() => {
        const state = compileTaken(t, o, true);
        const module = moduleObject(state);
        return later(() => ({ module, instance: instanceObject(state, readImports(state, importObject)) }));
      });
    },
    compileStreaming(source: unknown, options: unknown = undefined) {
      const n = arguments.length;
      return later(async () => {
        required(1, n, 'WebAssembly.compileStreaming');
        return moduleObject(compile(await responseBytes(source), compileOptions(options)));
      });
    },
    instantiateStreaming(source: unknown, importObject: unknown = undefined, options: unknown = undefined) {
      const n = arguments.length;
      return later(async () => {
        required(1, n, 'WebAssembly.instantiateStreaming');
        const state = compile(await responseBytes(source), compileOptions(options));
        const module = moduleObject(state);
        return { module, instance: instanceObject(state, readImports(state, importObject)) };
      });
    },
  });
  const classes: Record<string, unknown> = { Module, Instance, Memory, Table, Global, Tag, Exception, CompileError, LinkError, RuntimeError, JSTag };
  for (const [k, v] of Object.entries(classes)) {
    // (a bundler may rename the classes: the interface objects' names are the JS API's)
    if (typeof v === 'function') Object.defineProperty(v, 'name', { value: k, configurable: true });
    Object.defineProperty(ns, k, { value: v, writable: true, configurable: true });
  }
  toStringTag(ns, 'WebAssembly');
  Object.defineProperty(ns, 'store', { value: store, writable: false, enumerable: false, configurable: false });
  return ns;
}

function hasV128OrExn(type: FuncType): boolean {
  const bad = (t: ValType): boolean => t === V128 || (isRef(t) && (refHeap(t) === HeapType.exn || refHeap(t) === HeapType.noexn));
  return type.params.some(bad) || type.results.some(bad);
}

