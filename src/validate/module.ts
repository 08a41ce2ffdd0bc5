/**
 * Module validation: types, imports/exports, limits, globals and constant
 * expressions, segments, start, tags, and (by default) every function body.
 * Messages follow the reference interpreter (the testsuite's assert_invalid).
 */
import { skipS32, skipU64 } from '../core/bytes.js';
import { ValidationError } from '../core/errors.js';
import { INSTRS, addedOf, profileOf, type FeatureName, type Features, type FeatureSpec, type Profile } from '../core/instructions.js';
import type { ConstExpr, ElemSegment, Module } from '../core/module.js';
import {
  CompKind,
  HeapType,
  I32,
  I64,
  REF_BASE,
  heapIndex,
  refType,
  valTypeName,
  type FuncType,
  type GlobalType,
  type MemType,
  type TableType,
  type ValType,
} from '../core/types.js';
import { disabledTypeFeature, resolveFeatures, type FeatureSet, type TypeSite } from './features.js';
import { FuncValidator, QUIET_SINK, type CodeSink } from './func.js';
import { defaultRegistry, forEachValType, validateTypes, type ModuleTypes, type TypeRegistry } from './types.js';

export type { FeatureName, Features, FeatureSpec, Profile };

export interface ValidateOptions {
  /**
   * Proposal switches; every proposal is enabled unless set to false here.
   * A disabled feature rejects its instructions and its types wherever they
   * occur (type section, imports, tables, globals, locals, block types,
   * select, ref.null, element segments). Disabling simd also disables
   * relaxed-simd; exceptions also legacy-exceptions; reference-types also
   * function-references; function-references also gc.
   *
   * A profile ('1.0', '2.0', '3.0', alone or as `{ profile, ...switches }`)
   * holds the module to exactly that standard: its binary format (see
   * DecodeOptions.features) and its validation rules; switches then turn the
   * profile's proposals off or add one of ADDABLE (`{ profile: '1.0',
   * threads: true }`: 1.0 with shared memories and atomics).
   */
  features?: FeatureSpec;
  /** Type registry to canonicalise into (default: the process-wide defaultRegistry). */
  registry?: TypeRegistry;
  /** Validate function bodies in validateModule (default true); false leaves them to validateFunction. */
  bodies?: boolean;
  /**
   * Reject memory.init / data.drop / array.*_data in a module without a data
   * count (default false: the binary decoder already enforces it, and a
   * module built from text need not carry one).
   */
  requireDataCount?: boolean;
}

export interface ResolvedOptions {
  features: FeatureSet;
  /** The standard the module is held to (ValidateOptions.features), or null: Wasm 3.0 and every extension. */
  profile: Profile | null;
  /** The proposals added to the profile (`{ profile: '1.0', threads: true }`: threads), read in its binary format. */
  added: readonly FeatureName[];
  bodies: boolean;
  requireDataCount: boolean;
}

/** A module that passed validation, with its index spaces resolved (imports first). */
export interface ValidatedModule {
  module: Module;
  options: ResolvedOptions;
  registry: TypeRegistry;
  /** Module-local type view (subtyping of module-local value types). */
  types: ModuleTypes;
  /** Canonical type id per type index (into `registry`). */
  canon: Int32Array;
  /** Type index of every function (imported functions first). */
  funcTypes: number[];
  /**
   * Per function index: 1 when `ref.func` of it has an exact type (custom descriptors): every defined function
   * and the exact imports; an inexact import's reference may be to a subtype.
   */
  funcExact: Uint8Array;
  numImportedFuncs: number;
  /** Every table / memory / global (imports first). */
  tables: { type: TableType }[];
  numImportedTables: number;
  memories: MemType[];
  numImportedMemories: number;
  globals: GlobalType[];
  numImportedGlobals: number;
  /** Type index of every tag (imports first). */
  tagTypes: number[];
  numImportedTags: number;
  /** Number of data segments (the data count when present). */
  numDatas: number;
  /** Per function index: 1 when the function may be used by ref.func in a body (C.refs). */
  declaredRefs: Uint8Array;
  /** Per InstrDef.id: 1 when the instruction's feature is enabled. */
  enabled: Uint8Array;
}

const FUNC_NONNULL = refType(HeapType.func, false);
const ALL_ENABLED = new Uint8Array(INSTRS.length).fill(1);
const DEFAULT_OPTIONS: ResolvedOptions = {
  features: resolveFeatures(undefined),
  profile: null,
  added: [],
  bodies: true,
  requireDataCount: false,
};

function resolve(o: ValidateOptions | undefined): { opts: ResolvedOptions; enabled: Uint8Array } {
  if (!o || (!o.features && o.bodies === undefined && o.requireDataCount === undefined)) {
    return { opts: DEFAULT_OPTIONS, enabled: ALL_ENABLED };
  }
  const features = resolveFeatures(o.features);
  const all = Object.values(features).every((v) => v);
  let enabled = ALL_ENABLED;
  if (!all) {
    enabled = new Uint8Array(INSTRS.length);
    for (const d of INSTRS) enabled[d.id] = features[d.feature] ? 1 : 0;
  }
  const profile = profileOf(o.features);
  return { opts: { features, profile, added: addedOf(o.features), bodies: o.bodies ?? true, requireDataCount: o.requireDataCount ?? false }, enabled };
}

function fail(msg: string): never {
  throw new ValidationError(msg);
}

const MAX_U32 = 0xffffffff;

/** Validates a whole module; throws ValidationError (or DecodeError for malformed code bytes). */
export function validateModule(m: Module, options?: ValidateOptions): ValidatedModule {
  const { opts, enabled } = resolve(options);
  const feat = opts.features;
  const need = (f: FeatureName, what: string): void => {
    if (!feat[f]) fail(`${what} (feature '${f}' is disabled)`);
  };
  const needTags = (what: string): void => need('exceptions', what);
  // Wasm 1.0 and 2.0: constant expressions read imported globals only (as the reference interpreter checks them;
  // 3.0 also allows earlier immutable globals in global initializers and every global in segments)
  const older = opts.profile === '1.0' || opts.profile === '2.0';
  const mvp = opts.profile === '1.0';
  /** A rule of an older standard the profile holds the module to, with the reference interpreter's message. */
  const rule = (ok: boolean, msg: string): void => {
    if (!ok) fail(msg);
  };
  const registry = options?.registry ?? defaultRegistry;

  // ---- types
  for (const st of m.types) {
    if (st.comp.kind !== CompKind.Func || st.supers.length > 0 || !st.final || st.recSize > 1) need('gc', 'gc types');
    if (st.describes !== undefined || st.descriptor !== undefined) need('custom-descriptors', 'descriptor clause');
    if (st.comp.kind === CompKind.Func && st.comp.results.length > 1) need('multi-value', 'multiple results');
    forEachValType(st.comp, (t) => typeFeature(t, feat, 'value'));
  }
  const types = validateTypes(m, registry);
  const nTypes = m.types.length;
  const checkVal = (t: ValType, site: TypeSite = 'value'): void => {
    if (t >= REF_BASE) {
      const x = heapIndex((t - REF_BASE) >> 1);
      if (x >= nTypes) fail(`unknown type ${x}`);
    }
    typeFeature(t, feat, site);
  };
  const funcType = (x: number): FuncType => {
    const st = m.types[x];
    if (!st) fail(`unknown type ${x}`);
    if (st.comp.kind !== CompKind.Func) fail(`type mismatch: type ${x} is not a function type`);
    return st.comp;
  };

  // ---- index spaces
  const funcTypes: number[] = [];
  const exactImports: number[] = [];
  const tables: { type: TableType }[] = [];
  const memories: MemType[] = [];
  const globals: GlobalType[] = [];
  const tagTypes: number[] = [];
  const checkTag = (x: number): void => {
    const ft = funcType(x);
    if (ft.results.length > 0) fail('non-empty tag result type');
  };
  for (const imp of m.imports) {
    const d = imp.desc;
    switch (d.kind) {
      case 'func':
        funcType(d.typeIndex);
        if (d.exact === true) {
          need('custom-descriptors', 'exact function import');
          exactImports.push(funcTypes.length);
        }
        funcTypes.push(d.typeIndex);
        break;
      case 'table':
        checkTable(d.type, checkVal, need);
        tables.push({ type: d.type });
        break;
      case 'memory':
        checkMemory(d.type, feat, need);
        memories.push(d.type);
        break;
      case 'global':
        checkVal(d.type.type);
        rule(!mvp || !d.type.mutable, 'mutable globals cannot be imported');
        globals.push(d.type);
        break;
      case 'tag':
        needTags('tag import');
        checkTag(d.typeIndex);
        tagTypes.push(d.typeIndex);
        break;
    }
  }
  const numImportedFuncs = funcTypes.length;
  const numImportedTables = tables.length;
  const numImportedMemories = memories.length;
  const numImportedGlobals = globals.length;
  const numImportedTags = tagTypes.length;

  for (const x of m.funcs) {
    funcType(x);
    funcTypes.push(x);
  }
  if (m.funcs.length !== m.codes.length) fail('function and code section have inconsistent lengths');
  for (const t of m.tables) {
    checkTable(t.type, checkVal, need);
    tables.push({ type: t.type });
  }
  rule(!mvp || tables.length <= 1, 'multiple tables');
  if (tables.length > 1) need('reference-types', 'multiple tables');
  for (const mem of m.memories) {
    checkMemory(mem, feat, need);
    memories.push(mem);
  }
  rule(!older || memories.length <= 1, 'multiple memories');
  if (memories.length > 1) need('multi-memory', 'multiple memories');
  for (const x of m.tags) {
    needTags('tag');
    checkTag(x);
    tagTypes.push(x);
  }
  for (const g of m.globals) {
    checkVal(g.type.type);
    globals.push(g.type);
  }

  const numDatas = m.dataCount ?? m.datas.length;
  const declaredRefs = new Uint8Array(funcTypes.length);
  const funcExact = new Uint8Array(funcTypes.length).fill(1, numImportedFuncs);
  for (const f of exactImports) funcExact[f] = 1;
  const vm: ValidatedModule = {
    module: m,
    options: opts,
    registry,
    types,
    canon: types.canon,
    funcTypes,
    funcExact,
    numImportedFuncs,
    tables,
    numImportedTables,
    memories,
    numImportedMemories,
    globals,
    numImportedGlobals,
    tagTypes,
    numImportedTags,
    numDatas,
    declaredRefs,
    enabled,
  };
  const fv = new FuncValidator(vm);
  const declare = (f: number): void => {
    declaredRefs[f] = 1;
  };
  const constExpr = (e: ConstExpr, t: ValType, globalLimit: number): void => {
    if (!plainConst(e.bytes, t)) fv.validateConst(e.bytes, e.offset, t, globalLimit, declare);
  };

  // ---- globals (Wasm 3.0: may read imported and earlier immutable globals)
  for (let i = 0; i < m.globals.length; i++) {
    const g = m.globals[i]!;
    constExpr(g.init, g.type.type, older ? numImportedGlobals : numImportedGlobals + i);
  }
  // ---- table initialisers
  for (let i = 0; i < m.tables.length; i++) {
    const t = m.tables[i]!;
    const elem = t.type.elem;
    if (t.init) constExpr(t.init, elem, numImportedGlobals);
    else if (((elem - REF_BASE) & 1) === 0) fail('type mismatch: non-nullable table type requires an initializer');
  }
  // ---- exports (duplicate names; exported functions are declared references)
  const names = new Set<string>();
  for (const e of m.exports) {
    if (names.has(e.name)) fail('duplicate export name');
    names.add(e.name);
    switch (e.kind) {
      case 'func':
        if (e.index >= funcTypes.length) fail(`unknown function ${e.index}`);
        declaredRefs[e.index] = 1;
        break;
      case 'table':
        if (e.index >= tables.length) fail(`unknown table ${e.index}`);
        break;
      case 'memory':
        if (e.index >= memories.length) fail(`unknown memory ${e.index}`);
        break;
      case 'global':
        if (e.index >= globals.length) fail(`unknown global ${e.index}`);
        rule(!mvp || !globals[e.index]!.mutable, 'mutable globals cannot be exported');
        break;
      case 'tag':
        if (e.index >= tagTypes.length) fail(`unknown tag ${e.index}`);
        break;
    }
  }
  // ---- start
  if (m.start !== null) {
    if (m.start >= funcTypes.length) fail(`unknown function ${m.start}`);
    const ft = m.types[funcTypes[m.start]!]!.comp as FuncType;
    if (ft.params.length > 0 || ft.results.length > 0) fail('start function must have type [] -> []');
  }
  // ---- element segments
  const segGlobals = older ? numImportedGlobals : globals.length;
  let previous: ElemSegment | null = null;
  for (const seg of m.elems) {
    // the decoder makes a run of equal segments without elements one object (its first's): checked once
    if (seg === previous) continue;
    previous = seg;
    checkVal(seg.type, 'elem');
    if (seg.mode !== 'active') need('bulk-memory', `${seg.mode} element segment`);
    for (const e of seg.init) {
      // Without reference-types, the function indices of an MVP segment (type (ref func), each decoded
      // as `ref.func i`) are not instructions.
      const f = feat['reference-types'] || seg.type !== FUNC_NONNULL ? -1 : plainRefFunc(e.bytes);
      if (f >= 0) {
        if (f >= funcTypes.length) fail(`unknown function ${f}`);
        declaredRefs[f] = 1;
      } else constExpr(e, seg.type, segGlobals);
    }
    if (seg.mode === 'active') {
      const tab = tables[seg.table];
      if (!tab) fail(`unknown table ${seg.table}`);
      if (!seg.offset) fail('constant expression required');
      constExpr(seg.offset, tab.type.addr === 'i64' ? I64 : I32, segGlobals);
      if (!types.isSubVal(seg.type, tab.type.elem)) fail('type mismatch: element segment type does not match table');
    }
  }
  // ---- data segments
  for (const seg of m.datas) {
    if (seg.mode === 'active') {
      const mem = memories[seg.memory];
      if (!mem) fail(`unknown memory ${seg.memory}`);
      if (!seg.offset) fail('constant expression required');
      constExpr(seg.offset, mem.addr === 'i64' ? I64 : I32, segGlobals);
    } else need('bulk-memory', 'passive data segment');
  }
  if (m.dataCount !== null && m.dataCount !== m.datas.length) {
    fail('data count and data section have inconsistent lengths');
  }

  // ---- function bodies
  if (opts.bodies) {
    for (let i = 0; i < m.codes.length; i++) {
      const body = m.codes[i]!;
      fv.validateFunction(numImportedFuncs + i, i === 0 ? QUIET_SINK : undefined, i === 0 ? QUIET_SINK.instr : undefined); // checks the locals' types too
    }
  }
  idle.set(vm, fv);
  return vm;
}

/**
 * Validates one function body (module-wide function index) of a validated
 * module; with a sink, reports every instruction before applying it. Returns the validator, which the next
 * validation of a function of the same module reuses (its state is this function's until then).
 */
export function validateFunction(vm: ValidatedModule, funcIndex: number, sink?: CodeSink): FuncValidator {
  let fv = idle.get(vm);
  if (fv === undefined) fv = new FuncValidator(vm);
  else idle.delete(vm); // (a sink may validate another function of the module meanwhile: it gets a new one)
  fv.validateFunction(funcIndex, sink, sink?.instr);
  idle.set(vm, fv);
  return fv;
}

/**
 * A validator per module that is not validating anything now, for `validateFunction`: each function is validated
 * once by the module and again by each of its translations (the interpreter's, the JS tier's two passes), and a
 * new validator each time (its stacks, its instruction reader) was allocated, and initialised, thousands of times
 * in a package's first run. One that failed (a ValidationError, or a sink that gave up) is not reused.
 */
const idle = new WeakMap<ValidatedModule, FuncValidator>();

// ------------------------------------------------------------------ helpers

/** If `b` is exactly `ref.func i end`, returns i; else -1. */
function plainRefFunc(b: Uint8Array): number {
  if (b.length < 3 || b[0] !== 0xd2 || b[b.length - 1] !== 0x0b) return -1;
  let v = 0;
  for (let p = 1, shift = 0; p < b.length - 1; p++, shift += 7) {
    const x = b[p]!;
    if (shift > 28) return -1;
    v += (x & 0x7f) * 2 ** shift;
    if ((x & 0x80) === 0) return p === b.length - 2 ? v : -1;
  }
  return -1;
}

/**
 * True when `b` is exactly `i32.const n end` and t is i32, or `i64.const n end` and t is i64, with a well-formed
 * immediate: valid under every profile and feature set, so the common segment offsets and global initialisers
 * (a module may have millions) skip the function validator.
 */
function plainConst(b: Uint8Array, t: ValType): boolean {
  const n = b.length;
  if (n < 3 || b[n - 1] !== 0x0b) return false;
  if (t === I32) return b[0] === 0x41 && skipS32(b, 1, n - 1) === n - 1;
  if (t === I64) return b[0] === 0x42 && skipU64(b, 1, n - 1, true) === n - 1;
  return false;
}

/** Fails when type `t` at `site` needs a disabled feature. */
function typeFeature(t: ValType, fs: FeatureSet, site: TypeSite): void {
  const f = disabledTypeFeature(t, fs, site);
  if (f !== null) fail(`type ${valTypeName(t)} (feature '${f}' is disabled)`);
}

function checkLimits(min: number, max: number | null, bound: number, msg: string): void {
  if (min > bound) fail(msg);
  if (max !== null) {
    if (max > bound) fail(msg);
    if (min > max) fail('size minimum must not be greater than maximum');
  }
}

function checkTable(
  t: TableType,
  checkVal: (t: ValType, site?: TypeSite) => void,
  need: (f: FeatureName, what: string) => void,
): void {
  checkVal(t.elem, 'table');
  if (t.addr === 'i64') {
    need('memory64', 'table64');
    checkLimits(t.min, t.max, 2 ** 64 - 1, 'table size must be at most 2^64-1');
  } else checkLimits(t.min, t.max, MAX_U32, 'table size must be at most 2^32-1');
}

function checkMemory(
  mt: MemType,
  feat: FeatureSet,
  need: (f: FeatureName, what: string) => void,
): void {
  const p = mt.pageSizeLog2;
  if (p !== 16) {
    need('custom-page-sizes', 'custom page size');
    if (p !== 0) fail('invalid custom page size');
  }
  if (mt.addr === 'i64') {
    need('memory64', 'memory64');
    const bound = p === 16 ? 2 ** 48 : 2 ** 64 - 1;
    checkLimits(mt.min, mt.max, bound, p === 16 ? 'memory size must be at most 2^48 pages (256TiB)' : 'memory size must be at most 2^64-1 bytes');
  } else {
    const bound = p === 16 ? 65536 : MAX_U32;
    checkLimits(mt.min, mt.max, bound, p === 16 ? 'memory size must be at most 65536 pages (4GiB)' : 'memory size must be at most 2^32-1 bytes');
  }
  if (mt.shared) {
    need('threads', 'shared memory');
    if (mt.max === null) fail('shared memory must have maximum');
  }
  void feat;
}
