/**
 * Generation once per module (issue 16): the second and later instances of a module take the first instance's
 * generated function and bind it to their own objects, without running the generator again (hash-wasm's argon2
 * instantiates its module for every call, and generating its functions again was about 40% of each call).
 *
 * What the generator reads of an instance, and why the source is the same for every instance that gets the same
 * `instanceKey` in a machine with the same `machineKey`:
 * - the module (validated module, bodies, types, exports) and the fast translation (`Compiled`: code, frame layout,
 *   block starts and costs, handlers), which is made from the module and the machine's cost table alone; its code is
 *   checked anyway (`codeHash`, before the generator's re-entry marks go in);
 * - the machine: fuel counted or not, the cost table, the call-depth limit, the GC array limit (`machineKey`);
 * - the outlining settings and whether the function is (to be) split (the caller's key);
 * - of each import, what the generator decides on (`instanceKey`): a function's kind (generated or host code
 *   differ) and canonical type, a memory's address type and page size, a table's element and address type, a
 *   global's type and mutability, a tag's type, and which imports are the same object (one environment entry
 *   serves both). Everything else of an instance (its defined functions, memories, tables, globals, all new) is
 *   reached only through the environment `E`.
 *
 * The environment is rebuilt for the new instance from a recipe made when the first instance's function was
 * generated: each entry is the instance itself, its `Compiled` or code, its exits record, a function, memory, table
 * or global (or a global's cell, or an f64 view of that cell) by index, or a value that is the same for every
 * instance of the module (runtime helpers and classes, GC type descriptors and the registry, the float constants,
 * the module's loop-pass counter). An entry that is none of these (`recipe` returns null) keeps that function
 * generated per instance.
 */
import type { Compiled } from '../interp/compiled.js';
import type { Machine } from '../interp/machine.js';
import { Op } from '../interp/exec.js';
import { WasmFunc } from '../runtime/objects/func.js';
import { GcType } from '../runtime/objects/gc.js';
import type { Instance } from '../runtime/objects/instance.js';
import { TypeRegistry } from '../validate/types.js';
import type { Exits } from './rt.js';

/** How many functions were bound to a later instance instead of generated, and how many could not be recorded. */
export const rebindStats = { rebound: 0, unrecorded: 0 };

const enum K {
  Const,
  Inst,
  Cc,
  Code,
  Exits,
  Func,
  Mem,
  Table,
  Global,
  Cell,
  CellF64,
}

/** One entry of the environment: its kind, and the index or the shared value. */
type Entry = { k: K; i: number; v: unknown };

/** A generated function, ready to be bound to another instance of its module. */
export interface Made {
  /** the validated module (and so the type registry) it was generated for */
  vm: unknown;
  /** the maker of an instance's function and JitFn from its environment (codegen.ts `factory`) */
  shared: { mk: (e: unknown[]) => [unknown, unknown] };
  recipe: Entry[];
  /** the translation it was generated from: length and hash of its code before the re-entry marks */
  codeLen: number;
  codeHash: number;
  frameWords: number;
  /** the re-entry points: pc and the FUEL_OSR fuel (-1: none) */
  osr: Int32Array;
  withHandlers: boolean;
}

/** FNV-1a over the words of a function's fast code. */
export function codeHash(code: Int32Array): number {
  // (an int32 throughout: as an unsigned result, the first hash of 2^31 or more deoptimized it, "lost precision")
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < code.length; i++) h = Math.imul(h ^ code[i]!, 0x01000193);
  return h;
}

const machineKeys = new WeakMap<Machine, number>();
const machineIds = new Map<string, number>();

/**
 * What of the machine the generator reads (fixed for its life but `counting`, which is read each time), as a short
 * key: machines with equal facts get equal keys.
 */
export function machineKey(mc: Machine): string {
  let id = machineKeys.get(mc);
  if (id === undefined) {
    const facts = machineFacts(mc);
    id = machineIds.get(facts);
    if (id === undefined) machineIds.set(facts, (id = machineIds.size));
    machineKeys.set(mc, id);
  }
  return `${mc.counting ? 1 : 0}m${id}`;
}

/**
 * The facts machineKey stands for, as text (fixed for the machine's life): the persistent cache (code-cache.ts) keys
 * by these, not by machineKey's id, which is a number of this process.
 */
export function machineFacts(mc: Machine): string {
  return `${mc.maxDepth},${mc.limits.maxArrayBytes ?? ''},${Array.prototype.join.call(mc.opCosts, ' ')},${JSON.stringify(mc.costs)}`;
}

const instanceKeys = new WeakMap<Instance, string>();

/** What of an instance's imports the generator reads (above): made once per instance. */
export function instanceKey(inst: Instance): string {
  let k = instanceKeys.get(inst);
  if (k !== undefined) return k;
  const n = { func: 0, table: 0, memory: 0, global: 0, tag: 0 };
  for (const im of inst.vm.module.imports) n[im.desc.kind]++;
  const part = <T>(list: readonly T[], count: number, fact: (x: T) => string): string => {
    let s = '';
    for (let i = 0; i < count; i++) {
      const x = list[i]!;
      const same = list.indexOf(x);
      s += same < i ? `=${same};` : `${fact(x)};`;
    }
    return s;
  };
  k =
    part(inst.funcs, n.func, (f) => `${f instanceof WasmFunc ? 'w' : 'h'}${f.typeId}`) +
    '|' +
    part(inst.memories, n.memory, (m) => `${m.type.addr}${m.type.pageSizeLog2}${m.type.shared ? 's' : ''}`) +
    '|' +
    part(inst.tables, n.table, (t) => `${t.type.addr}${t.type.elem}`) +
    '|' +
    part(inst.globals, n.global, (g) => `${g.type.type}${g.type.mutable ? 'm' : ''}`) +
    '|' +
    part(inst.tags, n.tag, (t) => `${t.typeId}`);
  instanceKeys.set(inst, k);
  return k;
}

/** The environment of the first instance as a recipe, or null when an entry is none of the known kinds. */
export function recipe(env: readonly unknown[], cc: Compiled, exits: Exits, shared: ReadonlySet<unknown>): Entry[] | null {
  const inst = cc.inst;
  const out: Entry[] = [];
  for (const v of env) {
    let e: Entry | null = null;
    if (v === inst) e = { k: K.Inst, i: 0, v: null };
    else if (v === cc) e = { k: K.Cc, i: 0, v: null };
    else if (v === cc.code) e = { k: K.Code, i: 0, v: null };
    else if (v === exits) e = { k: K.Exits, i: 0, v: { k: exits.k, p: exits.p, b: exits.b, at: exits.c.byteOffset - cc.tmpl.byteOffset, cw: exits.cw } };
    else if (shared.has(v) || typeof v === 'function' || v instanceof GcType || v instanceof TypeRegistry) e = { k: K.Const, i: 0, v };
    else e = indexed(inst, v);
    if (e === null) return null;
    out.push(e);
  }
  return out;
}

const byObject = new WeakMap<Instance, Map<unknown, Entry>>();

/** An object of the instance's index spaces (the first index where one object is imported twice), by a map made once per instance. */
function indexed(inst: Instance, v: unknown): Entry | null {
  let m = byObject.get(inst);
  if (m === undefined) {
    m = new Map();
    const add = (list: readonly unknown[], k: K): void => {
      for (let i = 0; i < list.length; i++) if (!m!.has(list[i])) m!.set(list[i], { k, i, v: null });
    };
    add(inst.funcs, K.Func);
    add(inst.memories, K.Mem);
    add(inst.tables, K.Table);
    add(inst.globals, K.Global);
    add(
      inst.globals.map((g) => g.cell),
      K.Cell,
    );
    byObject.set(inst, m);
  }
  const e = m.get(v);
  if (e !== undefined) return e;
  // an f64 view of a global's cell (codegen.ts global: a new view at each use)
  if (v instanceof Float64Array && v.length === 2)
    for (let i = 0; i < inst.globals.length; i++) {
      const c = inst.globals[i]!.cell;
      if (v.buffer === c.buffer && v.byteOffset === c.byteOffset) return { k: K.CellF64, i, v: null };
    }
  return null;
}

/**
 * The environment for another instance's `Compiled` of the same function. Made by `push` in order, as the generator
 * makes the first instance's (gen-base.ts `env`): the same elements kind, so the same map, which the shared function's
 * optimized code checks at its first read of `E` (a preallocated array is holey: V8 deoptimized there, "wrong map").
 */
function bind(r: readonly Entry[], cc: Compiled): unknown[] {
  const inst = cc.inst;
  const env: unknown[] = [];
  for (let j = 0; j < r.length; j++) env.push(entry(r[j]!, cc, inst));
  return env;
}

function entry(e: Entry, cc: Compiled, inst: Instance): unknown {
  switch (e.k) {
    case K.Const:
      return e.v;
    case K.Inst:
      return inst;
    case K.Cc:
      return cc;
    case K.Code:
      return cc.code;
    case K.Exits: {
      const x = e.v as { k: Int32Array; p: Int32Array; b: Int32Array; at: number; cw: number };
      // (the shape of codegen.ts' record: the same hidden class for leave)
      const exits: Exits = { cc, k: x.k, p: x.p, b: x.b, c: cc.tmpl.subarray(x.at >> 2), cw: x.cw };
      return exits;
    }
    case K.Func:
      return inst.funcs[e.i];
    case K.Mem:
      return inst.memories[e.i];
    case K.Table:
      return inst.tables[e.i];
    case K.Global:
      return inst.globals[e.i];
    case K.Cell:
      return inst.globals[e.i]!.cell;
    case K.CellF64: {
      const c = inst.globals[e.i]!.cell;
      return new Float64Array(c.buffer, c.byteOffset, 2);
    }
  }
}

/**
 * The function `made` for the first instance, bound to `cc`'s instance, with the re-entry marks set in its code;
 * null when `cc`'s translation is not the one it was made from (then it is generated).
 */
export function rebind(made: Made, cc: Compiled, count = true): ((...a: never[]) => unknown) | null {
  const code = cc.code;
  if (code.length !== made.codeLen || cc.frameWords !== made.frameWords || codeHash(code) !== made.codeHash) return null;
  const env = bind(made.recipe, cc);
  const [shared, fn] = made.shared.mk(env) as [unknown, (...a: never[]) => unknown];
  cc.func.jitS = shared;
  cc.func.jitE = env;
  const osr = made.osr;
  for (let i = 0; i < osr.length; i += 2) {
    const pc = osr[i]!;
    if (code[pc] !== Op.FUEL) continue;
    cc.patch(pc, Op.FUEL_OSR);
    if (osr[i + 1]! >= 0) cc.osrFuel.set(pc, osr[i + 1]!);
  }
  if (count) rebindStats.rebound++;
  return fn;
}

/**
 * A recipe as plain data for another process (code-cache.ts): `[kind, index]`, an exits record's arrays and offsets,
 * or `[K.Const, name]` with the shared value's name by `name`; null when a shared value has none.
 */
export function recipeOut(r: readonly Entry[], name: (v: unknown) => string | null): unknown[] | null {
  const out: unknown[] = [];
  for (const e of r) {
    if (e.k === K.Const) {
      const n = name(e.v);
      if (n === null) return null;
      out.push([e.k, n]);
    } else if (e.k === K.Exits) {
      const x = e.v as { k: Int32Array; p: Int32Array; b: Int32Array; at: number; cw: number };
      out.push([e.k, Array.from(x.k), Array.from(x.p), Array.from(x.b), x.at, x.cw]);
    } else out.push([e.k, e.i]);
  }
  return out;
}

/** What recipeOut made, for `inst`, the shared values by `value`; throws when it is not such a recipe for `inst`. */
export function recipeIn(j: unknown, inst: Instance, value: (n: string) => unknown): Entry[] {
  if (!Array.isArray(j)) throw new TypeError('not a recipe');
  const int = (x: unknown): number => {
    if (typeof x !== 'number' || (x | 0) !== x) throw new TypeError('not an int32');
    return x;
  };
  const words = (x: unknown): Int32Array => {
    if (!Array.isArray(x)) throw new TypeError('not an array');
    return Int32Array.from(x, int);
  };
  const out: Entry[] = [];
  for (const a of j) {
    if (!Array.isArray(a)) throw new TypeError('not an entry');
    const k = int(a[0]) as K;
    let list: readonly unknown[] | null = null;
    switch (k) {
      case K.Const:
        if (a.length !== 2 || typeof a[1] !== 'string') throw new TypeError('not a named value');
        out.push({ k, i: 0, v: value(a[1]) });
        continue;
      case K.Exits: {
        const at = int(a[4]);
        if (a.length !== 6 || at < 0 || (at & 3) !== 0) throw new TypeError('not an exits record');
        out.push({ k, i: 0, v: { k: words(a[1]), p: words(a[2]), b: words(a[3]), at, cw: int(a[5]) } });
        continue;
      }
      case K.Inst:
      case K.Cc:
      case K.Code:
        if (a.length !== 2 || a[1] !== 0) throw new TypeError('not an entry');
        out.push({ k, i: 0, v: null });
        continue;
      case K.Func:
        list = inst.funcs;
        break;
      case K.Mem:
        list = inst.memories;
        break;
      case K.Table:
        list = inst.tables;
        break;
      case K.Global:
      case K.Cell:
      case K.CellF64:
        list = inst.globals;
        break;
      default:
        throw new TypeError('not an entry kind');
    }
    const i = int(a[1]);
    if (a.length !== 2 || i < 0 || i >= list.length) throw new TypeError('index out of range');
    out.push({ k, i, v: null });
  }
  return out;
}
