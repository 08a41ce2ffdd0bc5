/** The embedding API's Instance: typed access to an instance's exports. */
import { LinkError } from '../core/errors.js';
import { F32, F64, I32, I64, V128 } from '../core/types.js';
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
      if (e instanceof WasmFunc || e instanceof HostFunc) {
        const store = this.store;
        const n = e.type.results.length;
        const fn = (...args: unknown[]): unknown => {
          const r = store.invoke(e, args);
          return n === 0 ? undefined : n === 1 ? r[0] : r;
        };
        out[name] = Object.assign(fn, { type: e.type, func: e as FuncInst });
      } else out[name] = e as Memory | Table | Global | Tag;
    }
    return (this.cachedExports = out);
  }
  private cachedExports: Record<string, ExportedFunction | Memory | Table | Global | Tag> | null = null;
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

