/** The embedding API's Instance: typed access to an instance's exports. */
import { ExportTypeMismatch, LinkError } from '../core/errors.js';
import { CompKind, EXTERNREF, F32, F64, FUNCREF, I32, I64, V128, funcTypeText, sameFuncType, type FuncType, type ValType } from '../core/types.js';
import { Instance as RawInstance, type Extern } from './objects/instance.js';
import { Tag } from './objects/exception.js';
import * as I64N from '../interp/numeric/i64.js';
import { toHost } from './objects/gc.js';
import { Global } from './objects/global.js';
import { HostFunc, WasmFunc, type FuncInst } from './objects/func.js';
import { Memory } from './objects/memory.js';
import { Table } from './objects/table.js';

import type { Store } from './store.js';
import type { ExportedFunction } from './module.js';

/** The value types getTypedFunc takes, by their text names. */
export type TypedValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'funcref' | 'externref';

/** The JS value of a wasm value of type T (as Store.invoke takes and returns it). */
export type JsValueOf<T extends TypedValType> = T extends 'i64'
  ? bigint
  : T extends 'i32' | 'f32' | 'f64'
    ? number
    : T extends 'v128'
      ? Uint8Array
      : unknown;

/**
 * What getTypedFunc returns: a function taking the parameters' JS values and
 * returning nothing (no results), the value (one result) or an array (several);
 * `type` and `func` as on ExportedFunction.
 */
export type TypedFunc<P extends readonly TypedValType[], R extends readonly TypedValType[]> = ((
  ...args: { -readonly [K in keyof P]: JsValueOf<P[K]> }
) => R extends readonly [] ? void : R extends readonly [infer A extends TypedValType] ? JsValueOf<A> : { -readonly [K in keyof R]: JsValueOf<R[K]> }) & {
  readonly type: FuncType;
  readonly func: FuncInst;
};

const TYPED_VALTYPES: Record<TypedValType, ValType> = { i32: I32, i64: I64, f32: F32, f64: F64, v128: V128, funcref: FUNCREF, externref: EXTERNREF };

function typedValType(t: TypedValType): ValType {
  const v = Object.hasOwn(TYPED_VALTYPES, t) ? TYPED_VALTYPES[t] : undefined;
  if (v === undefined) throw new TypeError(`unknown value type ${JSON.stringify(t)} (expected one of ${Object.keys(TYPED_VALTYPES).join(', ')})`);
  return v;
}

/** An instance, with typed access to its exports. */
export class Instance {
  constructor(
    readonly store: Store,
    readonly raw: RawInstance,
  ) {}

  /**
   * Every export by name: functions as JS functions (see ExportedFunction;
   * i64 as bigint, raw externs behind `.func`), memories, tables, globals
   * and tags as themselves. Made once per Instance object.
   */
  get exports(): Record<string, ExportedFunction | Memory | Table | Global | Tag> {
    if (this.cachedExports) return this.cachedExports;
    const out: Record<string, ExportedFunction | Memory | Table | Global | Tag> = {};
    for (const [name, e] of this.raw.exports) {
      if (e instanceof WasmFunc || e instanceof HostFunc) out[name] = exportedFunction(this.store, e);
      else out[name] = e as Memory | Table | Global | Tag;
    }
    return (this.cachedExports = out);
  }
  private cachedExports: Record<string, ExportedFunction | Memory | Table | Global | Tag> | null = null;
  /**
   * The export `name` as a function of exactly this type, like wasmi's
   * `get_typed_func`: `getTypedFunc('add', ['i32', 'i32'], ['i32'])(2, 3) === 5`.
   * Throws ExportTypeMismatch (a LinkError naming the expected and actual
   * types) when the export is not a function of that type, LinkError when
   * there is no such export, TypeError for an unknown type name.
   */
  getTypedFunc<const P extends readonly TypedValType[], const R extends readonly TypedValType[]>(name: string, params: P, results: R): TypedFunc<P, R> {
    const want: FuncType = { kind: CompKind.Func, params: params.map(typedValType), results: results.map(typedValType) };
    const e = this.raw.exports.get(name);
    if (e === undefined) throw new LinkError(`no export '${name}' (expected a function ${funcTypeText(want)})`);
    if (!(e instanceof WasmFunc || e instanceof HostFunc)) throw new ExportTypeMismatch(name, funcTypeText(want), externKindText(e));
    if (!sameFuncType(e.type, want)) throw new ExportTypeMismatch(name, funcTypeText(want), funcTypeText(e.type));
    return exportedFunction(this.store, e) as unknown as TypedFunc<P, R>;
  }
  getExport(name: string): Extern | undefined {
    return this.raw.exports.get(name);
  }
  /** Calls an exported function with JS values (see Store.invoke). */
  call(name: string, ...args: unknown[]): unknown[] {
    const f = this.raw.exports.get(name);
    if (!(f instanceof WasmFunc || f instanceof HostFunc)) throw new LinkError(`no exported function '${name}'`);
    return this.store.invoke(f, args);
  }
  memory(name = 'memory'): Memory | undefined {
    const m = this.raw.exports.get(name);
    return m instanceof Memory ? m : undefined;
  }
  /** Value of an exported global (i64 as bigint). */
  global(name: string): unknown {
    const g = this.raw.exports.get(name);
    if (!(g instanceof Global)) throw new LinkError(`no exported global '${name}'`);
    return globalValue(g);
  }
}

/** A function export as a JS function: no result → undefined, one → the value, several → an array. */
function exportedFunction(store: Store, f: WasmFunc | HostFunc): ExportedFunction {
  const n = f.type.results.length;
  const fn = (...args: unknown[]): unknown => {
    const r = store.invoke(f, args);
    return n === 0 ? undefined : n === 1 ? r[0] : r;
  };
  return Object.assign(fn, { type: f.type, func: f as FuncInst });
}

function externKindText(e: Extern): string {
  return e instanceof Memory ? 'a memory' : e instanceof Table ? 'a table' : e instanceof Global ? 'a global' : e instanceof Tag ? 'a tag' : 'not a function';
}

export function globalValue(g: Global): unknown {
  const t = g.type.type;
  switch (t) {
    case I32:
      return g.cell[0]!;
    case I64:
      return I64N.toBigInt(g.cell, 0);
    case F32:
      return new Float32Array(g.cell.buffer)[0]!;
    case F64:
      return new Float64Array(g.cell.buffer)[0]!;
    case V128:
      return new Uint8Array(g.cell.buffer.slice(0));
  }
  return toHost(g.ref);
}

