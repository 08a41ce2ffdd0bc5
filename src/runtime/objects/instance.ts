/**
 * Module instances: import matching, allocation of globals, tables,
 * memories and functions, constant expressions, segment initialisation and
 * the start function, in the spec's order.
 */
import { Reader } from '../../core/bytes.js';
import { LinkError, Trap, WasmeterError } from '../../core/errors.js';
import type { ConstExpr, ExternKind, Module } from '../../core/module.js';
import { CompKind, valTypeName, type FuncType, type ValType } from '../../core/types.js';
import { Instr, readInstr } from '../../decoder/instr.js';
import type { ValidatedModule } from '../../validate/module.js';
import { toCanonVal } from '../../validate/types.js';
import { Global } from './global.js';
import { HostFunc, WasmFunc, type FuncInst } from './func.js';
import { Memory } from './memory.js';
import { Table } from './table.js';
import { type Limits, type ResourceHost } from './limits.js';
import { Tag } from './exception.js';
import { evalGcConst, type GcType } from './gc.js';

export type Extern = FuncInst | Memory | Table | Global | Tag;

export function externKind(e: unknown): ExternKind | null {
  if (e instanceof WasmFunc || e instanceof HostFunc) return 'func';
  if (e instanceof Memory) return 'memory';
  if (e instanceof Table) return 'table';
  if (e instanceof Global) return 'global';
  if (e instanceof Tag) return 'tag';
  return null;
}

/** What translation needs to know of an instance's index spaces (src/interp/translate.ts). */
export interface TranslateEnv {
  /** Fuel cost of each instruction, by table id. */
  costs: ArrayLike<number>;
  /** Canonical type id of each of the module's type indices (for call_indirect). */
  typeIds: Int32Array;
  /** Number of the module's functions (imported + defined), and each one's param/result counts. */
  funcParams: (fi: number) => number;
  funcResults: (fi: number) => readonly ValType[];
  typeParams: (ti: number) => number;
  typeResults: (ti: number) => readonly ValType[];
}

export class Instance {
  funcs: FuncInst[] = [];
  tables: Table[] = [];
  memories: Memory[] = [];
  globals: Global[] = [];
  tags: Tag[] = [];
  /** Element segments' references (null once dropped). */
  elems: (unknown[] | null)[] = [];
  /** Data segments' bytes (null once dropped). */
  datas: (Uint8Array | null)[] = [];
  readonly exports = new Map<string, Extern>();
  translateEnv!: TranslateEnv;
  /** GC type descriptors by type index (made on first use, see gc.ts). */
  gcTypes: (GcType | undefined)[] = [];
  /** The store's limits (GC arrays made by constant expressions). */
  limits: Limits | undefined = undefined;
  constructor(readonly vm: ValidatedModule) {}
  get module(): Module {
    return this.vm.module;
  }
}

// ------------------------------------------------------------------ constant expressions

/** A value computed by a constant expression: bits in 4 words, or a reference. */
export interface Slot {
  w: Int32Array;
  ref: unknown;
}

export function evalConst(inst: Instance, e: ConstExpr, globalsSoFar: Global[]): Slot {
  const r = new Reader(e.bytes, 0, e.bytes.length, e.offset);
  const ins = new Instr();
  const stack: Slot[] = [];
  const slot = (): Slot => ({ w: new Int32Array(4), ref: null });
  for (;;) {
    readInstr(r, ins);
    const name = ins.def.name;
    switch (name) {
      case 'end': {
        const top = stack.pop();
        if (!top) throw new WasmeterError('constant expression produced no value');
        return top;
      }
      case 'i32.const':
      case 'f32.const': {
        const v = slot();
        v.w[0] = ins.a;
        stack.push(v);
        break;
      }
      case 'i64.const': {
        const v = slot();
        v.w[0] = ins.lo;
        v.w[1] = ins.hi;
        stack.push(v);
        break;
      }
      case 'f64.const': {
        const v = slot();
        v.w[0] = ins.lo;
        v.w[1] = ins.hi;
        stack.push(v);
        break;
      }
      case 'v128.const': {
        const v = slot();
        new Uint8Array(v.w.buffer).set(ins.v128);
        stack.push(v);
        break;
      }
      case 'ref.null':
        stack.push(slot());
        break;
      case 'ref.func': {
        const v = slot();
        v.ref = inst.funcs[ins.a];
        stack.push(v);
        break;
      }
      case 'global.get': {
        const g = globalsSoFar[ins.a]!;
        const v = slot();
        v.w.set(g.cell);
        v.ref = g.ref;
        stack.push(v);
        break;
      }
      case 'i32.add':
      case 'i32.sub':
      case 'i32.mul': {
        const b = stack.pop()!;
        const a = stack.pop()!;
        const x = a.w[0]!;
        const y = b.w[0]!;
        a.w[0] = name === 'i32.add' ? (x + y) | 0 : name === 'i32.sub' ? (x - y) | 0 : Math.imul(x, y);
        stack.push(a);
        break;
      }
      case 'i64.add':
      case 'i64.sub':
      case 'i64.mul': {
        const b = stack.pop()!;
        const a = stack.pop()!;
        const x = BigInt(a.w[0]! >>> 0) | (BigInt(a.w[1]!) << 32n);
        const y = BigInt(b.w[0]! >>> 0) | (BigInt(b.w[1]!) << 32n);
        const z = BigInt.asUintN(64, name === 'i64.add' ? x + y : name === 'i64.sub' ? x - y : x * y);
        a.w[0] = Number(z & 0xffffffffn) | 0;
        a.w[1] = Number(z >> 32n) | 0;
        stack.push(a);
        break;
      }
      default:
        if (evalGcConst(inst, ins, stack, inst.limits)) break;
        throw new WasmeterError(`wasmeter cannot evaluate '${name}' in a constant expression yet`);
    }
  }
}

function slotToGlobal(g: Global, v: Slot): void {
  g.cell.set(v.w);
  g.ref = v.ref;
}

// ------------------------------------------------------------------ import matching

function limitsMatch(aMin: number, aMax: number | null, eMin: number, eMax: number | null): boolean {
  if (aMin < eMin) return false;
  if (eMax === null) return true;
  return aMax !== null && aMax <= eMax;
}

function describe(kind: string, t: unknown): string {
  if (kind === 'func') {
    const f = t as FuncType;
    return `func [${f.params.map(valTypeName).join(' ')}] -> [${f.results.map(valTypeName).join(' ')}]`;
  }
  return `${kind} ${JSON.stringify(t)}`;
}

function incompatible(mod: string, name: string, want: string, got: string): never {
  throw new LinkError(`incompatible import type for ${mod}.${name}: expected ${want}, got ${got}`);
}

function checkImport(vm: ValidatedModule, i: number, ext: unknown): void {
  const imp = vm.module.imports[i]!;
  const kind = externKind(ext);
  if (kind !== imp.desc.kind) {
    throw new LinkError(`incompatible import type for ${imp.module}.${imp.name}: expected ${imp.desc.kind}, got ${kind ?? typeof ext}`);
  }
  const reg = vm.registry;
  switch (imp.desc.kind) {
    case 'func': {
      const f = ext as FuncInst;
      const want = vm.canon[imp.desc.typeIndex]!;
      // an exact import (custom descriptors) takes a function of exactly that type, not of a subtype
      if (imp.desc.exact === true ? f.typeId !== want : !reg.matchFunc(f.typeId, want)) {
        incompatible(imp.module, imp.name, describe('func', vm.module.types[imp.desc.typeIndex]!.comp), describe('func', f.type));
      }
      return;
    }
    case 'table': {
      const t = ext as Table;
      const e = imp.desc.type;
      const at = toCanonVal(t.type.elem, (t as TableWithCanon).canon ?? vm.canon);
      const et = toCanonVal(e.elem, vm.canon);
      if (at !== et || t.type.addr !== e.addr || !limitsMatch(t.size, t.type.max, e.min, e.max)) {
        incompatible(imp.module, imp.name, describe('table', e), describe('table', t.type));
      }
      return;
    }
    case 'memory': {
      const m = ext as Memory;
      const e = imp.desc.type;
      if (
        m.type.addr !== e.addr ||
        m.type.shared !== e.shared ||
        m.type.pageSizeLog2 !== e.pageSizeLog2 ||
        !limitsMatch(m.pages, m.type.max, e.min, e.max)
      ) {
        incompatible(imp.module, imp.name, describe('memory', e), describe('memory', m.type));
      }
      return;
    }
    case 'global': {
      const g = ext as Global;
      const e = imp.desc.type;
      const at = toCanonVal(g.type.type, (g as GlobalWithCanon).canon ?? vm.canon);
      const et = toCanonVal(e.type, vm.canon);
      const ok = g.type.mutable === e.mutable && (e.mutable ? at === et : reg.isSubVal(at, et));
      if (!ok) incompatible(imp.module, imp.name, describe('global', e), describe('global', g.type));
      return;
    }
    case 'tag': {
      const t = ext as Tag;
      if (t.typeId !== vm.canon[imp.desc.typeIndex]) incompatible(imp.module, imp.name, 'tag', 'tag of another type');
      return;
    }
  }
}

/** Tables and globals remember their module's canonical ids so their reference types compare across modules. */
interface TableWithCanon extends Table {
  canon?: Int32Array;
}
interface GlobalWithCanon extends Global {
  canon?: Int32Array;
}

// ------------------------------------------------------------------ instantiate

export interface InstantiateHooks {
  host: ResourceHost;
  /** Runs the start function `f` of the instance being made. */
  invoke(f: FuncInst, args: unknown[], inst: Instance): unknown[];
}

/**
 * Creates an instance. `imports` has one extern per module import, in order.
 * Throws LinkError for a missing/mismatched import, Trap when a segment is
 * out of bounds or the start function traps (the instance's memories and
 * tables keep what earlier segments wrote, as the spec says).
 */
/**
 * Links the imports and allocates the instance's functions, tags, globals,
 * tables and memories. With `evaluate` false (a snapshot being restored) no
 * constant expression runs: globals, tables and element segments start empty
 * and the snapshot fills them.
 */
export function allocate(vm: ValidatedModule, imports: unknown[], host: ResourceHost, evaluate: boolean): Instance {
  const m = vm.module;
  const inst = new Instance(vm);
  inst.limits = host.limits;
  if (imports.length !== m.imports.length) throw new LinkError(`expected ${m.imports.length} imports, got ${imports.length}`);
  for (let i = 0; i < imports.length; i++) {
    checkImport(vm, i, imports[i]);
    const e = imports[i] as Extern;
    switch (m.imports[i]!.desc.kind) {
      case 'func':
        inst.funcs.push(e as FuncInst);
        break;
      case 'table':
        inst.tables.push(e as Table);
        break;
      case 'memory':
        inst.memories.push(e as Memory);
        break;
      case 'global':
        inst.globals.push(e as Global);
        break;
      case 'tag':
        inst.tags.push(e as Tag);
        break;
    }
  }
  const funcType = (ti: number): FuncType => {
    const c = m.types[ti]!.comp;
    if (c.kind !== CompKind.Func) throw new LinkError(`type ${ti} is not a function type`);
    return c;
  };
  // functions first: constant expressions may take their references
  const nImportedFuncs = inst.funcs.length;
  for (let i = 0; i < m.funcs.length; i++) {
    const ti = m.funcs[i]!;
    inst.funcs.push(new WasmFunc(funcType(ti), vm.canon[ti]!, inst, nImportedFuncs + i, m.codes[i]!));
  }
  for (const ti of m.tags) inst.tags.push(new Tag(funcType(ti), vm.canon[ti]!));
  for (const g of m.globals) {
    const gl = new Global(g.type) as GlobalWithCanon;
    gl.canon = vm.canon;
    if (evaluate) slotToGlobal(gl, evalConst(inst, g.init, inst.globals));
    inst.globals.push(gl);
  }
  for (const t of m.tables) {
    const init = evaluate && t.init ? evalConst(inst, t.init, inst.globals).ref : null;
    const tb = new Table(t.type, init, host) as TableWithCanon;
    tb.canon = vm.canon;
    inst.tables.push(tb);
  }
  for (const mt of m.memories) inst.memories.push(new Memory(mt, host));
  for (const seg of m.elems) {
    inst.elems.push(evaluate ? seg.init.map((e) => evalConst(inst, e, inst.globals).ref) : []);
  }
  for (const d of m.datas) inst.datas.push(d.bytes);
  for (const e of m.exports) {
    const list: unknown[] =
      e.kind === 'func' ? inst.funcs : e.kind === 'table' ? inst.tables : e.kind === 'memory' ? inst.memories : e.kind === 'global' ? inst.globals : inst.tags;
    inst.exports.set(e.name, list[e.index] as Extern);
  }
  inst.translateEnv = {
    costs: [],
    typeIds: vm.canon,
    funcParams: (fi) => inst.funcs[fi]!.type.params.length,
    funcResults: (fi) => inst.funcs[fi]!.type.results,
    typeParams: (ti) => funcType(ti).params.length,
    typeResults: (ti) => funcType(ti).results,
  };
  return inst;
}

export function instantiate(vm: ValidatedModule, imports: unknown[], hooks: InstantiateHooks): Instance {
  const m = vm.module;
  const inst = allocate(vm, imports, hooks.host, true);

  // active and declarative element segments
  for (let i = 0; i < m.elems.length; i++) {
    const seg = m.elems[i]!;
    if (seg.mode === 'active') {
      const off = evalConst(inst, seg.offset!, inst.globals);
      const table = inst.tables[seg.table]!;
      const start = table.type.addr === 'i64' ? wordsToNumber(off.w) : off.w[0]! >>> 0;
      const refs = inst.elems[i]!;
      if (start + refs.length > table.size) throw new Trap('out of bounds table access');
      for (let j = 0; j < refs.length; j++) table.elems[start + j] = refs[j];
      inst.elems[i] = null;
    } else if (seg.mode === 'declarative') inst.elems[i] = null;
  }
  for (let i = 0; i < m.datas.length; i++) {
    const seg = m.datas[i]!;
    if (seg.mode !== 'active') continue;
    const off = evalConst(inst, seg.offset!, inst.globals);
    const mem = inst.memories[seg.memory]!;
    const start = mem.type.addr === 'i64' ? wordsToNumber(off.w) : off.w[0]! >>> 0;
    if (start + seg.bytes.length > mem.byteLength) throw new Trap('out of bounds memory access');
    mem.u8.set(seg.bytes, start);
    inst.datas[i] = null;
  }
  if (m.start !== null) hooks.invoke(inst.funcs[m.start]!, [], inst);
  return inst;
}

function wordsToNumber(w: Int32Array): number {
  return (w[0]! >>> 0) + (w[1]! >>> 0) * 2 ** 32;
}

