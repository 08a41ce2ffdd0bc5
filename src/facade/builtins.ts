/**
 * The JS String Builtins (`wasm:js-string`, compile option `builtins: ['js-string']`) and imported string
 * constants (compile option `importedStringConstants`): imports the engine supplies itself, checked at compile
 * time and hidden from `WebAssembly.Module.imports`.
 */
import {
  CompKind, EXTERNREF, EngineGlobal, GcArray, HostFunc, I32, Trap, WasmeterError, refType, HeapType, HEAP_CONCRETE,
  type EngineModule, type Extern, type FuncType, type TypeRegistry, type ValType,
} from './engine.js';

export interface CompileOptions {
  builtins: string[];
  importedStringConstants: string | null;
}

const REF_EXTERN = refType(HeapType.extern, false);
/** (ref null $array16), $array16 being type 0 of the builtins' type list. */
const ARRAY16 = refType(HEAP_CONCRETE, true);

type Builtin = { params: ValType[]; results: ValType[]; fn: (...args: any[]) => unknown };

function str(v: unknown): string {
  if (typeof v !== 'string') throw new Trap('not a string');
  return v;
}

/** `read(text, index)` of string `s` at index `i` (unsigned); traps outside the string. */
function at(s: unknown, i: number, read: (text: string, index: number) => number): number {
  const text = str(s);
  const k = i >>> 0;
  if (k >= text.length) throw new Trap('string index out of bounds');
  return read(text, k);
}

function array16(v: unknown): GcArray {
  if (!(v instanceof GcArray)) throw new Trap('null array reference');
  return v;
}

const BUILTINS: Record<string, Builtin> = {
  cast: { params: [EXTERNREF], results: [REF_EXTERN], fn: (s) => str(s) },
  test: { params: [EXTERNREF], results: [I32], fn: (s) => (typeof s === 'string' ? 1 : 0) },
  fromCharCodeArray: {
    params: [ARRAY16, I32, I32],
    results: [REF_EXTERN],
    fn: (a, start, end) => {
      const arr = array16(a);
      const s = start >>> 0;
      const e = end >>> 0;
      if (s > e || e > arr.len) throw new Trap('out of bounds array access');
      let out = '';
      const data = arr.data as Uint16Array;
      for (let i = s; i < e; i += 4096) out += String.fromCharCode(...data.subarray(i, Math.min(e, i + 4096)));
      return out;
    },
  },
  intoCharCodeArray: {
    params: [EXTERNREF, ARRAY16, I32],
    results: [I32],
    fn: (s, a, start) => {
      const text = str(s);
      const arr = array16(a);
      const at = start >>> 0;
      if (at + text.length > arr.len) throw new Trap('out of bounds array access');
      const data = arr.data as Uint16Array;
      for (let i = 0; i < text.length; i++) data[at + i] = text.charCodeAt(i);
      return text.length;
    },
  },
  fromCharCode: { params: [I32], results: [REF_EXTERN], fn: (c) => String.fromCharCode(c >>> 0) },
  fromCodePoint: {
    params: [I32],
    results: [REF_EXTERN],
    fn: (c) => {
      const cp = c >>> 0;
      if (cp > 0x10ffff) throw new Trap('invalid code point');
      return String.fromCodePoint(cp);
    },
  },
  charCodeAt: { params: [EXTERNREF, I32], results: [I32], fn: (s, i) => at(s, i, (t, k) => t.charCodeAt(k)) },
  codePointAt: { params: [EXTERNREF, I32], results: [I32], fn: (s, i) => at(s, i, (t, k) => t.codePointAt(k)!) },
  length: { params: [EXTERNREF], results: [I32], fn: (s) => str(s).length },
  concat: { params: [EXTERNREF, EXTERNREF], results: [REF_EXTERN], fn: (a, b) => str(a) + str(b) },
  substring: {
    params: [EXTERNREF, I32, I32],
    results: [REF_EXTERN],
    fn: (s, start, end) => {
      const text = str(s);
      const a = start >>> 0;
      const b = end >>> 0;
      return a > text.length || b < a ? '' : text.substring(a, b);
    },
  },
  equals: {
    params: [EXTERNREF, EXTERNREF],
    results: [I32],
    fn: (a, b) => {
      if (a !== null) str(a);
      if (b !== null) str(b);
      return a === b ? 1 : 0;
    },
  },
  compare: {
    params: [EXTERNREF, EXTERNREF],
    results: [I32],
    fn: (a, b) => {
      const x = str(a);
      const y = str(b);
      return x < y ? -1 : x > y ? 1 : 0;
    },
  },
};

/** Canonical type id of each builtin's function type in a registry (made once per registry). */
const typeIds = new WeakMap<TypeRegistry, Map<string, number>>();

function builtinTypeId(registry: TypeRegistry, name: string): number {
  let ids = typeIds.get(registry);
  if (ids === undefined) {
    ids = new Map();
    const names = Object.keys(BUILTINS);
    // type 0: (array (mut i16)) in its own rec group; then one function type per builtin
    const canon = registry.canonTypes([
      { final: true, supers: [], comp: { kind: CompKind.Array, field: { type: 0x77, mutable: true } }, recStart: 0, recSize: 1 },
      ...names.map((n, i) => ({
        final: true,
        supers: [],
        comp: { kind: CompKind.Func as const, params: BUILTINS[n]!.params, results: BUILTINS[n]!.results },
        recStart: i + 1,
        recSize: 1,
      })),
    ]);
    names.forEach((n, i) => ids!.set(n, canon[i + 1]!));
    typeIds.set(registry, ids);
  }
  return ids.get(name)!;
}

/** What an import is under the compile options: a builtin function, a string constant, or an ordinary import. */
function importRole(options: CompileOptions, module: string, name: string): 'builtin' | 'constant' | null {
  if (options.builtins.includes('js-string') && module === 'wasm:js-string' && Object.hasOwn(BUILTINS, name)) return 'builtin';
  if (options.importedStringConstants !== null && module === options.importedStringConstants) return 'constant';
  return null;
}

/** Whether import `i` is supplied by the engine (and so hidden from `Module.imports`). */
export function isBuiltinImport(options: CompileOptions, module: string, name: string): boolean {
  return importRole(options, module, name) !== null;
}

/** Compile-time check: a builtin import must have the builtin's type, a string constant an immutable `(ref extern)` supertype. */
export function checkBuiltins(module: EngineModule, options: CompileOptions): void {
  const vm = module.validated;
  for (const imp of module.data.imports) {
    const role = importRole(options, imp.module, imp.name);
    if (role === 'builtin') {
      const d = imp.desc;
      if (d.kind !== 'func' || !vm.registry.matchFunc(builtinTypeId(vm.registry, imp.name), vm.canon[d.typeIndex]!)) {
        throw new WasmeterError(`import wasm:js-string.${imp.name} does not have the builtin's type`);
      }
    } else if (role === 'constant') {
      const d = imp.desc;
      if (d.kind !== 'global' || d.type.mutable || (d.type.type !== EXTERNREF && d.type.type !== REF_EXTERN)) {
        throw new WasmeterError(`string constant import ${imp.module}.${imp.name} must be an immutable global of type (ref extern)`);
      }
    }
  }
}

/** The engine-supplied externs by import index. */
export function builtinImports(module: EngineModule, options: CompileOptions): Map<number, Extern> {
  const out = new Map<number, Extern>();
  const registry = module.validated.registry;
  module.data.imports.forEach((imp, i) => {
    const role = importRole(options, imp.module, imp.name);
    if (role === 'builtin') {
      const b = BUILTINS[imp.name]!;
      const type: FuncType = { kind: CompKind.Func, params: b.params, results: b.results };
      out.set(i, new HostFunc(type, builtinTypeId(registry, imp.name), (_caller: unknown, ...args: unknown[]) => b.fn(...args), `wasm:js-string.${imp.name}`));
    } else if (role === 'constant' && imp.desc.kind === 'global') {
      const g = new EngineGlobal(imp.desc.type);
      g.ref = imp.name;
      out.set(i, g);
    }
  });
  return out;
}
