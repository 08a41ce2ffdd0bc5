/**
 * Function-body (and constant-expression) validation: the spec's
 * operand-stack / control-stack algorithm (core spec, validation appendix)
 * with unreachable polymorphism, one pass, no allocation per instruction.
 *
 * A CodeSink (the translator) sees every instruction before its effect is
 * applied, together with this validator's read-only state.
 */
import { DecodeError, ValidationError } from '../core/errors.js';
import { INSTRS, type InstrDef } from '../core/instructions.js';
import { Reader } from '../core/bytes.js';
import {
  CompKind,
  HEAP_CONCRETE,
  HEAP_NAMES,
  HeapType,
  I16,
  I32,
  I64,
  I8,
  REF_BASE,
  valTypeName,
  type ArrayType,
  type FieldType,
  type FuncType,
  type StructType,
  type ValType,
} from '../core/types.js';
import { Instr, readInstr } from '../decoder/instr.js';
import { disabledHeapFeature, disabledTypeFeature } from './features.js';
import { BOTTOM, HEAP_BOT, isNumOrVec, unpacked } from './types.js';
import type { ValidatedModule } from './module.js';

export { BOTTOM };

/** Control frame kinds. */
export const enum FrameKind {
  Block = 0,
  Loop = 1,
  If = 2,
  Else = 3,
  TryTable = 4,
  /** Legacy exceptions. */
  Try = 5,
  Catch = 6,
  CatchAll = 7,
  Function = 8,
}

export interface Frame {
  kind: FrameKind;
  params: readonly ValType[];
  results: readonly ValType[];
  /** Operand-stack height at the frame's start (below its params). */
  height: number;
  unreachable: boolean;
  /** Height of the local-initialisation stack at frame entry. */
  initHeight: number;
}

/**
 * Receives each instruction before the validator applies it (the translator's hook).
 * `ins` and the Frame objects are reused: copy what must outlive the call.
 * The sink may see an instruction that then fails validation (the
 * ValidationError follows right after the call): discard the output then.
 */
export interface CodeSink {
  instr(ins: Instr, v: FuncValidator): void;
}

const EMPTY: readonly ValType[] = Object.freeze([]);
const EXN_NONNULL = REF_BASE + HeapType.exn * 2;

// ------------------------------------------------------------------ dispatch

const enum Op {
  Simple = 0,
  Mem,
  MemLane,
  Lane,
  Shuffle,
  Unreachable,
  Nop,
  Block,
  Loop,
  If,
  Else,
  End,
  Br,
  BrIf,
  BrTable,
  Return,
  Call,
  CallIndirect,
  ReturnCall,
  ReturnCallIndirect,
  CallRef,
  ReturnCallRef,
  BrOnNull,
  BrOnNonNull,
  Try,
  Catch,
  Rethrow,
  Delegate,
  CatchAll,
  Throw,
  ThrowRef,
  TryTable,
  Drop,
  Select,
  SelectT,
  LocalGet,
  LocalSet,
  LocalTee,
  GlobalGet,
  GlobalSet,
  TableGet,
  TableSet,
  MemorySize,
  MemoryGrow,
  RefNull,
  RefIsNull,
  RefFunc,
  RefEq,
  RefAsNonNull,
  MemoryInit,
  DataDrop,
  MemoryCopy,
  MemoryFill,
  TableInit,
  ElemDrop,
  TableCopy,
  TableGrow,
  TableSize,
  TableFill,
  StructNew,
  StructNewDefault,
  StructGet,
  StructGetS,
  StructGetU,
  StructSet,
  ArrayNew,
  ArrayNewDefault,
  ArrayNewFixed,
  ArrayNewData,
  ArrayNewElem,
  ArrayGet,
  ArrayGetS,
  ArrayGetU,
  ArraySet,
  ArrayLen,
  ArrayFill,
  ArrayCopy,
  ArrayInitData,
  ArrayInitElem,
  RefTest,
  RefCast,
  BrOnCast,
  BrOnCastFail,
  AnyConvertExtern,
  ExternConvertAny,
  RefI31,
  I31Get,
}

const NAMED: Record<string, Op> = {
  unreachable: Op.Unreachable,
  nop: Op.Nop,
  block: Op.Block,
  loop: Op.Loop,
  if: Op.If,
  else: Op.Else,
  end: Op.End,
  br: Op.Br,
  br_if: Op.BrIf,
  br_table: Op.BrTable,
  return: Op.Return,
  call: Op.Call,
  call_indirect: Op.CallIndirect,
  return_call: Op.ReturnCall,
  return_call_indirect: Op.ReturnCallIndirect,
  call_ref: Op.CallRef,
  return_call_ref: Op.ReturnCallRef,
  br_on_null: Op.BrOnNull,
  br_on_non_null: Op.BrOnNonNull,
  try: Op.Try,
  catch: Op.Catch,
  rethrow: Op.Rethrow,
  delegate: Op.Delegate,
  catch_all: Op.CatchAll,
  throw: Op.Throw,
  throw_ref: Op.ThrowRef,
  try_table: Op.TryTable,
  drop: Op.Drop,
  'local.get': Op.LocalGet,
  'local.set': Op.LocalSet,
  'local.tee': Op.LocalTee,
  'global.get': Op.GlobalGet,
  'global.set': Op.GlobalSet,
  'table.get': Op.TableGet,
  'table.set': Op.TableSet,
  'memory.size': Op.MemorySize,
  'memory.grow': Op.MemoryGrow,
  'ref.null': Op.RefNull,
  'ref.is_null': Op.RefIsNull,
  'ref.func': Op.RefFunc,
  'ref.eq': Op.RefEq,
  'ref.as_non_null': Op.RefAsNonNull,
  'memory.init': Op.MemoryInit,
  'data.drop': Op.DataDrop,
  'memory.copy': Op.MemoryCopy,
  'memory.fill': Op.MemoryFill,
  'table.init': Op.TableInit,
  'elem.drop': Op.ElemDrop,
  'table.copy': Op.TableCopy,
  'table.grow': Op.TableGrow,
  'table.size': Op.TableSize,
  'table.fill': Op.TableFill,
  'struct.new': Op.StructNew,
  'struct.new_default': Op.StructNewDefault,
  'struct.get': Op.StructGet,
  'struct.get_s': Op.StructGetS,
  'struct.get_u': Op.StructGetU,
  'struct.set': Op.StructSet,
  'array.new': Op.ArrayNew,
  'array.new_default': Op.ArrayNewDefault,
  'array.new_fixed': Op.ArrayNewFixed,
  'array.new_data': Op.ArrayNewData,
  'array.new_elem': Op.ArrayNewElem,
  'array.get': Op.ArrayGet,
  'array.get_s': Op.ArrayGetS,
  'array.get_u': Op.ArrayGetU,
  'array.set': Op.ArraySet,
  'array.len': Op.ArrayLen,
  'array.fill': Op.ArrayFill,
  'array.copy': Op.ArrayCopy,
  'array.init_data': Op.ArrayInitData,
  'array.init_elem': Op.ArrayInitElem,
  'ref.test': Op.RefTest,
  'ref.cast': Op.RefCast,
  br_on_cast: Op.BrOnCast,
  br_on_cast_fail: Op.BrOnCastFail,
  'any.convert_extern': Op.AnyConvertExtern,
  'extern.convert_any': Op.ExternConvertAny,
  'ref.i31': Op.RefI31,
  'i31.get_s': Op.I31Get,
  'i31.get_u': Op.I31Get,
};

/** Dispatch code per InstrDef.id. */
const OPS = new Uint8Array(INSTRS.length);
/** Per InstrDef.id: log2 of the natural alignment (memory accesses), lane count (lane immediates). */
const NATURAL = new Uint8Array(INSTRS.length);
const LANES = new Uint8Array(INSTRS.length);
/** Instructions allowed in constant expressions. */
const CONST_OK = new Uint8Array(INSTRS.length);
/** Extended-const arithmetic (i32/i64 add, sub, mul) in constant expressions. */
const CONST_EXT = new Uint8Array(INSTRS.length);
const SHAPE_LANES: Record<string, number> = { i8x16: 16, i16x8: 8, i32x4: 4, i64x2: 2, f32x4: 4, f64x2: 2 };
const CONST_NAMES = new Set([
  'i32.const', 'i64.const', 'f32.const', 'f64.const', 'v128.const', 'ref.null', 'ref.func', 'global.get',
  'i32.add', 'i32.sub', 'i32.mul', 'i64.add', 'i64.sub', 'i64.mul', 'struct.new', 'struct.new_default',
  'array.new', 'array.new_default', 'array.new_fixed', 'ref.i31', 'any.convert_extern', 'extern.convert_any', 'end',
]);
for (const d of INSTRS) {
  let op: Op;
  if (d.imm === 'memarg') op = Op.Mem;
  else if (d.imm === 'memarg_lane') op = Op.MemLane;
  else if (d.imm === 'lane') op = Op.Lane;
  else if (d.imm === 'shuffle') op = Op.Shuffle;
  else if (d.name === 'select') op = d.imm === 'select_t' ? Op.SelectT : Op.Select;
  else if (NAMED[d.name] !== undefined) op = NAMED[d.name]!;
  else if (d.params !== null) op = Op.Simple;
  else throw new Error(`validator: no rule for instruction ${d.name}`);
  OPS[d.id] = op;
  NATURAL[d.id] = d.bytes > 0 ? Math.log2(d.bytes) : 0;
  if (op === Op.MemLane) LANES[d.id] = 16 / d.bytes;
  if (op === Op.Lane) LANES[d.id] = SHAPE_LANES[d.name.slice(0, d.name.indexOf('.'))] ?? 16;
  if (CONST_NAMES.has(d.name)) CONST_OK[d.id] = 1;
  if (/^i(32|64)\.(add|sub|mul)$/.test(d.name)) CONST_EXT[d.id] = 1;
}

function fmtTypes(ts: readonly ValType[], from = 0, to = ts.length): string {
  let s = '[';
  for (let i = from; i < to; i++) s += (i > from ? ' ' : '') + (ts[i] === BOTTOM ? 'bot' : typeName(ts[i]!));
  return s + ']';
}
function typeName(t: ValType): string {
  if (t >= REF_BASE && (t - REF_BASE) >> 1 === HEAP_BOT) return (t - REF_BASE) & 1 ? '(ref null bot)' : '(ref bot)';
  return valTypeName(t);
}

function refT(heap: number, nullable: boolean): ValType {
  return REF_BASE + heap * 2 + (nullable ? 1 : 0);
}

/**
 * The function validator. One instance may validate many functions in turn
 * (its stacks are reused). Its state is read-only for a CodeSink.
 */
export class FuncValidator {
  /** Operand stack (types; BOTTOM for unknown values of unreachable code). */
  private vals: ValType[] = new Array<ValType>(256).fill(0); // pre-sized: growing it de-optimises the loop
  private sp = 0;
  private frames: Frame[] = [];
  private depth = 0;
  /** The innermost frame's height and unreachable flag (copies of frames[depth - 1]'s, for the hot paths). */
  private base = 0;
  private dead = false;
  /** Types of params followed by declared locals. */
  localTypes: ValType[] = [];
  private localInit = new Uint8Array(16);
  private initStack: number[] = new Array<number>(64).fill(0);
  private initSp = 0;
  /** Results of the function being validated. */
  results: readonly ValType[] = EMPTY;
  /** Function index (module-wide index space) being validated, -1 for constant expressions. */
  funcIndex = -1;
  private singles = new Map<ValType, ValType[]>();
  private isConst = false;
  private globalLimit = 0;
  readonly ins = new Instr();

  /** True when some feature is disabled (then types in bodies are checked against the switches). */
  private readonly restricted: boolean;
  constructor(readonly vm: ValidatedModule) {
    this.restricted = !Object.values(vm.options.features).every((on) => on);
  }

  // ------------------------------------------------------------ read-only view (CodeSink)

  /** Operand count (over all frames). */
  get height(): number {
    return this.sp;
  }
  /** Number of open control frames (the function's own frame included). */
  get ctrlDepth(): number {
    return this.depth;
  }
  /** The innermost frame is unreachable (stack-polymorphic). */
  get unreachable(): boolean {
    return this.dead;
  }
  /** Operand type at `depthFromTop` (0 = top), or BOTTOM below the frame in unreachable code. */
  typeAt(depthFromTop: number): ValType {
    const i = this.sp - 1 - depthFromTop;
    if (i < this.base && (this.dead || i < 0)) return BOTTOM;
    return this.vals[i]!;
  }
  /** Frame at `depth` (0 = innermost). */
  frame(depth: number): Frame {
    return this.frames[this.depth - 1 - depth]!;
  }
  /** Types a branch to label `depth` carries. */
  labelTypes(depth: number): readonly ValType[] {
    const f = this.frames[this.depth - 1 - depth]!;
    return f.kind === FrameKind.Loop ? f.params : f.results;
  }
  blockParams(ins: Instr): readonly ValType[] {
    const bt = ins.blockType;
    if (bt >= -1) return EMPTY;
    return this.blockFunc(bt).params;
  }
  blockResults(ins: Instr): readonly ValType[] {
    const bt = ins.blockType;
    if (bt === -1) return EMPTY;
    if (bt >= 0) return this.single(bt);
    return this.blockFunc(bt).results;
  }

  // ------------------------------------------------------------ errors

  fail(msg: string): never {
    throw new ValidationError(msg, this.funcIndex, this.ins.offset); // the instruction being validated (readInstr sets it)
  }
  private mismatch(expected: readonly ValType[], from: number, to: number, got: number): never {
    const n = Math.min(got, this.sp - this.base);
    return this.fail(
      `type mismatch: instruction requires ${fmtTypes(expected, from, to)} but stack has ${fmtTypes(this.vals, this.sp - n, this.sp)}`,
    );
  }

  // ------------------------------------------------------------ operand stack

  private push(t: ValType): void {
    this.vals[this.sp++] = t;
  }
  private pushAll(ts: readonly ValType[]): void {
    for (let i = 0; i < ts.length; i++) this.vals[this.sp++] = ts[i]!;
  }
  /** Pops any operand (BOTTOM in unreachable code at the frame's bottom). */
  private popAny(): ValType {
    if (this.sp === this.base) {
      if (this.dead) return BOTTOM;
      return this.fail('type mismatch: instruction requires [any] but stack has []');
    }
    return this.vals[--this.sp]!;
  }
  /** Pops an operand that must match `t`; returns the actual type. */
  private pop(t: ValType): ValType {
    const sp = this.sp;
    if (sp > this.base) {
      const a = this.vals[sp - 1]!;
      if (a === t) {
        this.sp = sp - 1;
        return a;
      }
    }
    return this.popSlow(t);
  }
  private popSlow(t: ValType): ValType {
    if (this.sp === this.base) {
      if (this.dead) return BOTTOM;
      return this.fail(`type mismatch: instruction requires [${typeName(t)}] but stack has []`);
    }
    const a = this.vals[this.sp - 1]!;
    if (!this.vm.types.isSubVal(a, t)) {
      return this.fail(`type mismatch: instruction requires [${typeName(t)}] but stack has [${typeName(a)}]`);
    }
    this.sp--;
    return a;
  }
  /** Pops operands matching ts[from..to) (last on top). */
  private popVals(ts: readonly ValType[], from = 0, to = ts.length): void {
    const n = to - from;
    if (n === 0) return;
    this.peekVals(ts, from, to);
    const avail = this.sp - this.base;
    this.sp -= n < avail ? n : avail;
  }
  /** Checks (without popping) that the top operands match ts[from..to). */
  private peekVals(ts: readonly ValType[], from = 0, to = ts.length): void {
    const n = to - from;
    const avail = this.sp - this.base;
    for (let j = 0; j < n; j++) {
      const want = ts[to - 1 - j]!;
      if (j < avail) {
        const a = this.vals[this.sp - 1 - j]!;
        if (a !== want && !this.vm.types.isSubVal(a, want)) this.mismatch(ts, from, to, n);
      } else if (!this.dead) this.mismatch(ts, from, to, n);
    }
  }
  /** Pops a reference (or BOTTOM); fails on a number/vector. */
  private popRef(): ValType {
    const t = this.popAny();
    if (t !== BOTTOM && t < REF_BASE) this.fail(`type mismatch: instruction requires reference but stack has [${typeName(t)}]`);
    return t;
  }

  // ------------------------------------------------------------ control stack

  private pushCtrl(kind: FrameKind, params: readonly ValType[], results: readonly ValType[]): void {
    let f = this.frames[this.depth];
    if (!f) {
      f = { kind, params, results, height: 0, unreachable: false, initHeight: 0 };
      this.frames[this.depth] = f;
    }
    f.kind = kind;
    f.params = params;
    f.results = results;
    f.height = this.sp;
    f.unreachable = false;
    f.initHeight = this.initSp;
    this.depth++;
    this.base = this.sp;
    this.dead = false;
    if (params.length !== 0) this.pushAll(params);
  }
  private popCtrl(): Frame {
    if (this.depth === 0) this.fail('unexpected end');
    const f = this.frames[this.depth - 1]!;
    if (f.results.length !== 0) this.popVals(f.results);
    if (this.sp !== f.height) {
      this.fail(`type mismatch: block requires ${fmtTypes(f.results)} but stack has ${fmtTypes(this.vals, f.height, this.sp + f.results.length)}`);
    }
    // locals initialised inside the block are unset again
    while (this.initSp > f.initHeight) this.localInit[this.initStack[--this.initSp]!] = 0;
    const d = --this.depth;
    if (d > 0) {
      const g = this.frames[d - 1]!;
      this.base = g.height;
      this.dead = g.unreachable;
    }
    return f;
  }
  private setUnreachable(): void {
    const f = this.frames[this.depth - 1]!;
    this.sp = f.height;
    f.unreachable = true;
    this.dead = true;
  }
  private label(l: number): readonly ValType[] {
    if (l >= this.depth) this.fail(`unknown label ${l}`);
    const f = this.frames[this.depth - 1 - l]!;
    return f.kind === FrameKind.Loop ? f.params : f.results;
  }

  // ------------------------------------------------------------ module lookups

  private single(t: ValType): ValType[] {
    let a = this.singles.get(t);
    if (!a) {
      a = [t];
      this.singles.set(t, a);
    }
    return a;
  }
  private blockFunc(bt: number): FuncType {
    const x = -(bt + 2);
    return this.funcTypeAt(x);
  }
  private funcTypeAt(x: number): FuncType {
    const st = this.vm.module.types[x];
    if (!st) this.fail(`unknown type ${x}`);
    if (st.comp.kind !== CompKind.Func) this.fail(`type mismatch: type ${x} is not a function type`);
    return st.comp;
  }
  private structAt(x: number): StructType {
    const st = this.vm.module.types[x];
    if (!st) this.fail(`unknown type ${x}`);
    if (st.comp.kind !== CompKind.Struct) this.fail(`type mismatch: type ${x} is not a struct type`);
    return st.comp;
  }
  private arrayAt(x: number): ArrayType {
    const st = this.vm.module.types[x];
    if (!st) this.fail(`unknown type ${x}`);
    if (st.comp.kind !== CompKind.Array) this.fail(`type mismatch: type ${x} is not an array type`);
    return st.comp;
  }
  private fieldAt(x: number, i: number): FieldType {
    const s = this.structAt(x);
    const f = s.fields[i];
    if (!f) this.fail(`unknown field ${i}`);
    return f;
  }
  private checkType(t: ValType): void {
    if (t >= REF_BASE) {
      const h = (t - REF_BASE) >> 1;
      if (h >= HEAP_CONCRETE) {
        if (h - HEAP_CONCRETE >= this.vm.module.types.length) this.fail(`unknown type ${h - HEAP_CONCRETE}`);
      } else if (h > HeapType.noexn) this.fail(`unknown heap type ${h}`);
    }
    if (this.restricted) {
      const f = disabledTypeFeature(t, this.vm.options.features);
      if (f !== null) this.fail(`type ${valTypeName(t)} (feature '${f}' is disabled)`);
    }
  }
  private checkHeap(h: number): void {
    if (h >= HEAP_CONCRETE) {
      if (h - HEAP_CONCRETE >= this.vm.module.types.length) this.fail(`unknown type ${h - HEAP_CONCRETE}`);
    } else if (h > HeapType.noexn) this.fail(`unknown heap type ${h}`);
    if (this.restricted) {
      const f = disabledHeapFeature(h, this.vm.options.features);
      if (f !== null) this.fail(`heap type ${h >= HEAP_CONCRETE ? h - HEAP_CONCRETE : HEAP_NAMES[h]} (feature '${f}' is disabled)`);
    }
  }
  private funcSig(f: number): FuncType {
    const vm = this.vm;
    if (f >= vm.funcTypes.length) this.fail(`unknown function ${f}`);
    return vm.module.types[vm.funcTypes[f]!]!.comp as FuncType;
  }
  private memAddr(m: number): ValType {
    const mem = this.vm.memories[m];
    if (!mem) this.fail(`unknown memory ${m}`);
    return mem.addr === 'i64' ? I64 : I32;
  }
  private tableAddr(t: number): ValType {
    const tab = this.vm.tables[t];
    if (!tab) this.fail(`unknown table ${t}`);
    return tab.type.addr === 'i64' ? I64 : I32;
  }
  private tableElem(t: number): ValType {
    return this.vm.tables[t]!.type.elem;
  }
  private checkData(d: number): void {
    if (this.vm.module.dataCount === null && this.vm.options.requireDataCount) this.fail('data count section required');
    if (d >= this.vm.numDatas) this.fail(`unknown data segment ${d}`);
  }
  private elemType(e: number): ValType {
    const seg = this.vm.module.elems[e];
    if (!seg) this.fail(`unknown elem segment ${e}`);
    return seg.type;
  }
  private tagParams(x: number): readonly ValType[] {
    const vm = this.vm;
    if (x >= vm.tagTypes.length) this.fail(`unknown tag ${x}`);
    return (vm.module.types[vm.tagTypes[x]!]!.comp as FuncType).params;
  }
  private isSub(a: ValType, b: ValType): boolean {
    return a === b || this.vm.types.isSubVal(a, b);
  }

  // ------------------------------------------------------------ entry points

  /** Validates function `funcIndex` (module-wide index; must be a defined function). */
  validateFunction(funcIndex: number, sink?: CodeSink): void {
    const vm = this.vm;
    const m = vm.module;
    const defined = funcIndex - vm.numImportedFuncs;
    const body = m.codes[defined];
    if (defined < 0 || !body) throw new ValidationError(`unknown function ${funcIndex}`, funcIndex);
    this.funcIndex = funcIndex;
    const ft = this.funcSig(funcIndex);
    // locals (indexed loops: a for-of loop costs an iterator and a try/finally, which shows at start-up)
    const params = ft.params;
    const groups = body.locals;
    let n = params.length;
    for (let i = 0; i < groups.length; i++) {
      n += groups[i]!.count;
      if (n > 50000 * 20) throw new ValidationError('too many locals', funcIndex, body.offset);
    }
    const lt = new Array<ValType>(n);
    if (this.localInit.length < n) this.localInit = new Uint8Array(Math.max(n, this.localInit.length * 2));
    const init = this.localInit;
    let k = 0;
    for (let i = 0; i < params.length; i++) {
      lt[k] = params[i]!;
      init[k++] = 1;
    }
    for (let j = 0; j < groups.length; j++) {
      const g = groups[j]!;
      this.checkTypeOutside(g.type, funcIndex, body.offset);
      const defaultable = g.type < REF_BASE || ((g.type - REF_BASE) & 1) === 1;
      for (let i = 0; i < g.count; i++) {
        lt[k] = g.type;
        init[k++] = defaultable ? 1 : 0;
      }
    }
    this.localTypes = lt;
    this.results = ft.results;
    this.isConst = false;
    this.globalLimit = vm.globals.length;
    this.run(new Reader(body.body, 0, body.body.length, body.offset >= 0 ? body.offset : 0), ft.results, sink);
  }

  private checkTypeOutside(t: ValType, funcIndex: number, offset: number): void {
    if (t >= REF_BASE) {
      const h = (t - REF_BASE) >> 1;
      if (h >= HEAP_CONCRETE && h - HEAP_CONCRETE >= this.vm.module.types.length)
        throw new ValidationError(`unknown type ${h - HEAP_CONCRETE}`, funcIndex, offset);
    }
    if (this.restricted) {
      const f = disabledTypeFeature(t, this.vm.options.features);
      if (f !== null) throw new ValidationError(`local type ${valTypeName(t)} (feature '${f}' is disabled)`, funcIndex, offset);
    }
  }

  /**
   * Validates a constant expression producing `type`; `globalLimit` is the
   * number of globals it may read. Calls `onRefFunc` for each ref.func.
   */
  validateConst(bytes: Uint8Array, offset: number, type: ValType, globalLimit: number, onRefFunc?: (f: number) => void): void {
    this.funcIndex = -1;
    this.localTypes = [];
    this.results = this.single(type);
    this.isConst = true;
    this.globalLimit = globalLimit;
    this.onRefFunc = onRefFunc;
    try {
      this.run(new Reader(bytes, 0, bytes.length, offset >= 0 ? offset : 0), this.results, undefined);
    } finally {
      this.onRefFunc = undefined;
      this.isConst = false;
    }
  }
  private onRefFunc: ((f: number) => void) | undefined = undefined;

  /**
   * The loop over one body. The instructions of nearly every body (locals, numeric operators, blocks, branches,
   * calls, memory accesses) are validated here; the others in `step`. Kept small and free of allocation so that
   * V8 optimises it after a few functions (start-up time is mostly this loop running cold).
   */
  private run(r: Reader, results: readonly ValType[], sink: CodeSink | undefined): void {
    this.sp = 0;
    this.depth = 0;
    this.initSp = 0;
    this.ins.offset = r.base + r.pos;
    this.pushCtrl(FrameKind.Function, EMPTY, results);
    const ins = this.ins;
    const enabled = this.vm.enabled;
    const vals = this.vals;
    const isConst = this.isConst;
    while (this.depth > 0) {
      if (r.pos >= r.end) {
        throw new DecodeError(isConst ? 'unexpected end' : 'unexpected end of section or function', r.base + r.pos);
      }
      readInstr(r, ins);
      const def = ins.def;
      const op = OPS[def.id]! as Op;
      if (enabled[def.id] !== 1) this.fail(`${def.name}: feature '${def.feature}' is disabled`);
      if (isConst) this.checkConst(def);
      if (sink !== undefined) sink.instr(ins, this);
      switch (op) {
        case Op.LocalGet: {
          const x = ins.a;
          const t = this.localTypes[x];
          if (t === undefined) this.fail(`unknown local ${x}`);
          if (this.localInit[x] === 0) this.fail('uninitialized local');
          vals[this.sp++] = t;
          break;
        }
        case Op.LocalSet:
        case Op.LocalTee: {
          const x = ins.a;
          const t = this.localTypes[x];
          if (t === undefined) this.fail(`unknown local ${x}`);
          this.pop(t);
          if (this.localInit[x] === 0) {
            this.localInit[x] = 1;
            this.initStack[this.initSp++] = x;
          }
          if (op === Op.LocalTee) vals[this.sp++] = t;
          break;
        }
        case Op.Simple: {
          // the common shapes checked inline; popVals reports mismatches (and handles unreachable code)
          const ps = def.params!;
          const sp = this.sp;
          const n = ps.length;
          if (n === 1 && sp > this.base && vals[sp - 1] === ps[0]) this.sp = sp - 1;
          else if (n === 2 && sp - 1 > this.base && vals[sp - 1] === ps[1] && vals[sp - 2] === ps[0]) this.sp = sp - 2;
          else if (n !== 0) this.popVals(ps);
          const rs = def.results!;
          if (rs.length === 1) vals[this.sp++] = rs[0]!;
          else this.pushAll(rs);
          break;
        }
        case Op.Block:
        case Op.Loop: {
          const kind = op === Op.Block ? FrameKind.Block : FrameKind.Loop;
          if (ins.blockType === -1) this.pushCtrl(kind, EMPTY, EMPTY);
          else {
            const ps = this.blockParamsChecked(ins);
            const rs = this.blockResults(ins);
            this.popVals(ps);
            this.pushCtrl(kind, ps, rs);
          }
          break;
        }
        case Op.If: {
          const ps = this.blockParamsChecked(ins);
          const rs = this.blockResults(ins);
          this.pop(I32);
          this.popVals(ps);
          this.pushCtrl(FrameKind.If, ps, rs);
          break;
        }
        case Op.Else: {
          const f = this.frames[this.depth - 1];
          if (!f || f.kind !== FrameKind.If) this.fail('else without matching if');
          this.popCtrl();
          this.pushCtrl(FrameKind.Else, f.params, f.results);
          break;
        }
        case Op.End: {
          const f = this.popCtrl();
          if (f.kind === FrameKind.If) {
            // implicit empty else: params must pass through as results
            const ps = f.params;
            const rs = f.results;
            let ok = ps.length === rs.length;
            for (let i = 0; ok && i < ps.length; i++) ok = this.isSub(ps[i]!, rs[i]!);
            if (!ok) this.fail(`type mismatch: if without else requires ${fmtTypes(rs)} but has ${fmtTypes(ps)}`);
          }
          if (f.results.length !== 0) this.pushAll(f.results);
          break;
        }
        case Op.Br:
          this.popVals(this.label(ins.a));
          this.setUnreachable();
          break;
        case Op.BrIf: {
          const ts = this.label(ins.a);
          this.pop(I32);
          if (ts.length !== 0) {
            this.popVals(ts);
            this.pushAll(ts);
          }
          break;
        }
        case Op.Call: {
          const ft = this.funcSig(ins.a);
          this.popVals(ft.params);
          this.pushAll(ft.results);
          break;
        }
        case Op.Drop:
          this.popAny();
          break;
        case Op.Mem:
        case Op.MemLane: {
          const at = this.memAddr(ins.b);
          const nat = NATURAL[def.id]!;
          if (def.family === 'atomic') {
            if (ins.a !== nat) this.fail('atomic alignment must be natural');
          } else if (ins.a > nat) this.fail('alignment must not be larger than natural');
          if (at === I32 && ins.offset64 > 0xffffffff) this.fail('offset out of range');
          if (op === Op.MemLane && ins.c >= LANES[def.id]!) this.fail('invalid lane index');
          // the first operand is the address, of the memory's address type
          const ps = def.params!;
          for (let j = ps.length - 1; j >= 1; j--) this.pop(ps[j]!);
          this.pop(at);
          this.pushAll(def.results!);
          break;
        }
        default:
          this.step(ins, def, op);
      }
    }
    if (r.pos !== r.end) {
      throw new DecodeError(this.isConst ? 'constant expression required' : 'section size mismatch', r.base + r.pos);
    }
  }

  private checkConst(def: InstrDef): void {
    if (CONST_OK[def.id] !== 1) this.fail('constant expression required');
    if (CONST_EXT[def.id] === 1 && !this.vm.options.features['extended-const']) {
      this.fail(`${def.name}: feature 'extended-const' is disabled in constant expressions`);
    }
  }

  // ------------------------------------------------------------ the instructions

  /** The instructions `run` leaves to this (the less common ones). */
  private step(ins: Instr, def: InstrDef, op: Op): void {
    const vm = this.vm;
    switch (op) {
      case Op.Unreachable:
        this.setUnreachable();
        return;
      case Op.Nop:
        return;
      case Op.Return:
        this.popVals(this.results);
        this.setUnreachable();
        return;
      case Op.GlobalGet: {
        const x = ins.a;
        const g = vm.globals[x];
        if (!g || x >= this.globalLimit) this.fail(`unknown global ${x}`);
        if (this.isConst && g.mutable) this.fail('constant expression required');
        this.push(g.type);
        return;
      }
      case Op.GlobalSet: {
        const x = ins.a;
        const g = vm.globals[x];
        if (!g) this.fail(`unknown global ${x}`);
        if (!g.mutable) this.fail(`immutable global ${x}`);
        this.pop(g.type);
        return;
      }
      case Op.Lane:
        if (ins.a >= LANES[def.id]!) this.fail('invalid lane index');
        this.popVals(def.params!);
        this.pushAll(def.results!);
        return;
      case Op.Shuffle: {
        const v = ins.v128;
        for (let i = 0; i < 16; i++) if (v[i]! >= 32) this.fail('invalid lane index');
        this.popVals(def.params!);
        this.pushAll(def.results!);
        return;
      }
      case Op.BrTable: {
        this.pop(I32);
        const dflt = this.label(ins.a);
        const arity = dflt.length;
        const labels = ins.labels;
        for (let i = 0; i < labels.length; i++) {
          const ts = this.label(labels[i]!);
          if (ts.length !== arity) this.fail('type mismatch: br_table targets have inconsistent arity');
          this.peekVals(ts);
        }
        this.popVals(dflt);
        this.setUnreachable();
        return;
      }
      case Op.ReturnCall: {
        const ft = this.funcSig(ins.a);
        this.popVals(ft.params);
        this.checkReturn(ft.results);
        this.setUnreachable();
        return;
      }
      case Op.CallIndirect:
      case Op.ReturnCallIndirect: {
        const tabAddr = this.tableAddr(ins.b);
        const tabElem = this.tableElem(ins.b);
        if (!this.isSub(tabElem, refT(HeapType.func, true))) this.fail('type mismatch: call_indirect requires a function table');
        const ft = this.funcTypeAt(ins.a);
        this.pop(tabAddr);
        this.popVals(ft.params);
        if (OPS[def.id] === Op.CallIndirect) this.pushAll(ft.results);
        else {
          this.checkReturn(ft.results);
          this.setUnreachable();
        }
        return;
      }
      case Op.CallRef:
      case Op.ReturnCallRef: {
        const ft = this.funcTypeAt(ins.a);
        this.pop(refT(HEAP_CONCRETE + ins.a, true));
        this.popVals(ft.params);
        if (OPS[def.id] === Op.CallRef) this.pushAll(ft.results);
        else {
          this.checkReturn(ft.results);
          this.setUnreachable();
        }
        return;
      }
      case Op.BrOnNull: {
        const ts = this.label(ins.a);
        const t = this.popRef();
        this.popVals(ts);
        this.pushAll(ts);
        this.push(t === BOTTOM ? refT(HEAP_BOT, false) : t - ((t - REF_BASE) & 1));
        return;
      }
      case Op.BrOnNonNull: {
        const ts = this.label(ins.a);
        const n = ts.length;
        if (n === 0) this.fail('type mismatch: br_on_non_null requires a reference label');
        const last = ts[n - 1]!;
        const t = this.popRef();
        const nn = t === BOTTOM ? refT(HEAP_BOT, false) : t - ((t - REF_BASE) & 1);
        if (!this.isSub(nn, last)) this.fail(`type mismatch: instruction requires [${typeName(last)}] but stack has [${typeName(t)}]`);
        this.popVals(ts, 0, n - 1);
        for (let i = 0; i < n - 1; i++) this.push(ts[i]!);
        return;
      }
      case Op.Try: {
        const ps = this.blockParamsChecked(ins);
        const rs = this.blockResults(ins);
        this.popVals(ps);
        this.pushCtrl(FrameKind.Try, ps, rs);
        return;
      }
      case Op.Catch: {
        const f = this.frames[this.depth - 1];
        if (!f || (f.kind !== FrameKind.Try && f.kind !== FrameKind.Catch)) this.fail('catch without try');
        const tp = this.tagParams(ins.a);
        this.popCtrl();
        this.pushCtrl(FrameKind.Catch, EMPTY, f.results);
        this.pushAll(tp);
        return;
      }
      case Op.CatchAll: {
        const f = this.frames[this.depth - 1];
        if (!f || (f.kind !== FrameKind.Try && f.kind !== FrameKind.Catch)) this.fail('catch_all without try');
        this.popCtrl();
        this.pushCtrl(FrameKind.CatchAll, EMPTY, f.results);
        return;
      }
      case Op.Delegate: {
        const f = this.frames[this.depth - 1];
        if (!f || f.kind !== FrameKind.Try) this.fail('delegate without try');
        this.popCtrl();
        if (ins.a >= this.depth) this.fail(`unknown label ${ins.a}`);
        this.pushAll(f.results);
        return;
      }
      case Op.Rethrow: {
        if (ins.a >= this.depth) this.fail(`unknown label ${ins.a}`);
        const k = this.frames[this.depth - 1 - ins.a]!.kind;
        if (k !== FrameKind.Catch && k !== FrameKind.CatchAll) this.fail('invalid rethrow label');
        this.setUnreachable();
        return;
      }
      case Op.Throw:
        this.popVals(this.tagParams(ins.a));
        this.setUnreachable();
        return;
      case Op.ThrowRef:
        this.pop(REF_BASE + HeapType.exn * 2 + 1);
        this.setUnreachable();
        return;
      case Op.TryTable: {
        const ps = this.blockParamsChecked(ins);
        const rs = this.blockResults(ins);
        const cs = ins.catches;
        for (let i = 0; i < cs.length; i++) {
          const c = cs[i]!;
          const lt = this.label(c.label);
          const tp = c.kind < 2 ? this.tagParams(c.tag) : EMPTY;
          const withRef = c.kind === 1 || c.kind === 3 ? 1 : 0;
          let ok = lt.length === tp.length + withRef;
          for (let j = 0; ok && j < tp.length; j++) ok = this.isSub(tp[j]!, lt[j]!);
          if (ok && withRef) ok = this.isSub(EXN_NONNULL, lt[tp.length]!);
          if (!ok) this.fail(`type mismatch: catch handler type does not match label ${fmtTypes(lt)}`);
        }
        this.popVals(ps);
        this.pushCtrl(FrameKind.TryTable, ps, rs);
        return;
      }
      case Op.Select: {
        this.pop(I32);
        const t1 = this.popAny();
        const t2 = this.popAny();
        if ((t1 !== BOTTOM && !isNumOrVec(t1)) || (t2 !== BOTTOM && !isNumOrVec(t2))) {
          this.fail(`type mismatch: select without type requires numeric or vector operands`);
        }
        if (t1 !== t2 && t1 !== BOTTOM && t2 !== BOTTOM) {
          this.fail(`type mismatch: select operands ${typeName(t2)} and ${typeName(t1)} differ`);
        }
        this.push(t1 === BOTTOM ? t2 : t1);
        return;
      }
      case Op.SelectT: {
        const ts = ins.types;
        if (ts.length !== 1) this.fail('invalid result arity');
        const t = ts[0]!;
        this.checkType(t);
        this.pop(I32);
        this.pop(t);
        this.pop(t);
        this.push(t);
        return;
      }
      case Op.TableGet: {
        const tabAddr = this.tableAddr(ins.a);
        const tabElem = this.tableElem(ins.a);
        this.pop(tabAddr);
        this.push(tabElem);
        return;
      }
      case Op.TableSet: {
        const tabAddr = this.tableAddr(ins.a);
        const tabElem = this.tableElem(ins.a);
        this.pop(tabElem);
        this.pop(tabAddr);
        return;
      }
      case Op.TableSize:
        this.push(this.tableAddr(ins.a));
        return;
      case Op.TableGrow: {
        const tabAddr = this.tableAddr(ins.a);
        const tabElem = this.tableElem(ins.a);
        this.pop(tabAddr);
        this.pop(tabElem);
        this.push(tabAddr);
        return;
      }
      case Op.TableFill: {
        const tabAddr = this.tableAddr(ins.a);
        const tabElem = this.tableElem(ins.a);
        this.pop(tabAddr);
        this.pop(tabElem);
        this.pop(tabAddr);
        return;
      }
      case Op.TableCopy: {
        const ad = this.tableAddr(ins.a);
        const as = this.tableAddr(ins.b);
        if (!this.isSub(this.tableElem(ins.b), this.tableElem(ins.a))) this.fail('type mismatch: table.copy element types');
        this.pop(ad === I64 && as === I64 ? I64 : I32);
        this.pop(as);
        this.pop(ad);
        return;
      }
      case Op.TableInit: {
        const at = this.tableAddr(ins.b);
        const et = this.elemType(ins.a);
        if (!this.isSub(et, this.tableElem(ins.b))) this.fail('type mismatch: table.init element type');
        this.pop(I32);
        this.pop(I32);
        this.pop(at);
        return;
      }
      case Op.ElemDrop:
        this.elemType(ins.a);
        return;
      case Op.MemorySize:
        this.push(this.memAddr(ins.a));
        return;
      case Op.MemoryGrow: {
        const at = this.memAddr(ins.a);
        this.pop(at);
        this.push(at);
        return;
      }
      case Op.MemoryFill: {
        const at = this.memAddr(ins.a);
        this.pop(at);
        this.pop(I32);
        this.pop(at);
        return;
      }
      case Op.MemoryCopy: {
        const ad = this.memAddr(ins.a);
        const as = this.memAddr(ins.b);
        this.pop(ad === I64 && as === I64 ? I64 : I32);
        this.pop(as);
        this.pop(ad);
        return;
      }
      case Op.MemoryInit: {
        const at = this.memAddr(ins.b);
        this.checkData(ins.a);
        this.pop(I32);
        this.pop(I32);
        this.pop(at);
        return;
      }
      case Op.DataDrop:
        this.checkData(ins.a);
        return;
      case Op.RefNull:
        this.checkHeap(ins.a);
        this.push(refT(ins.a, true));
        return;
      case Op.RefIsNull:
        this.popRef();
        this.push(I32);
        return;
      case Op.RefAsNonNull: {
        const t = this.popRef();
        this.push(t === BOTTOM ? refT(HEAP_BOT, false) : t - ((t - REF_BASE) & 1));
        return;
      }
      case Op.RefFunc: {
        const f = ins.a;
        if (f >= vm.funcTypes.length) this.fail(`unknown function ${f}`);
        if (this.isConst) {
          if (this.onRefFunc) this.onRefFunc(f);
        } else if (vm.declaredRefs[f] !== 1) this.fail('undeclared function reference');
        this.push(refT(HEAP_CONCRETE + vm.funcTypes[f]!, false));
        return;
      }
      case Op.RefEq:
        this.pop(refT(HeapType.eq, true));
        this.pop(refT(HeapType.eq, true));
        this.push(I32);
        return;
      case Op.StructNew: {
        const s = this.structAt(ins.a);
        const fs = s.fields;
        for (let i = fs.length - 1; i >= 0; i--) this.pop(unpacked(fs[i]!.type));
        this.push(refT(HEAP_CONCRETE + ins.a, false));
        return;
      }
      case Op.StructNewDefault: {
        const s = this.structAt(ins.a);
        for (const f of s.fields) if (!defaultable(f.type)) this.fail('type mismatch: field type is not defaultable');
        this.push(refT(HEAP_CONCRETE + ins.a, false));
        return;
      }
      case Op.StructGet:
      case Op.StructGetS:
      case Op.StructGetU: {
        const f = this.fieldAt(ins.a, ins.b);
        const packed = f.type === I8 || f.type === I16;
        if (packed !== (OPS[def.id] !== Op.StructGet)) {
          this.fail(packed ? 'type mismatch: field is packed' : 'type mismatch: field is not packed');
        }
        this.pop(refT(HEAP_CONCRETE + ins.a, true));
        this.push(unpacked(f.type));
        return;
      }
      case Op.StructSet: {
        const f = this.fieldAt(ins.a, ins.b);
        if (!f.mutable) this.fail('immutable field');
        this.pop(unpacked(f.type));
        this.pop(refT(HEAP_CONCRETE + ins.a, true));
        return;
      }
      case Op.ArrayNew: {
        const a = this.arrayAt(ins.a);
        this.pop(I32);
        this.pop(unpacked(a.field.type));
        this.push(refT(HEAP_CONCRETE + ins.a, false));
        return;
      }
      case Op.ArrayNewDefault: {
        const a = this.arrayAt(ins.a);
        if (!defaultable(a.field.type)) this.fail('type mismatch: array type is not defaultable');
        this.pop(I32);
        this.push(refT(HEAP_CONCRETE + ins.a, false));
        return;
      }
      case Op.ArrayNewFixed: {
        const a = this.arrayAt(ins.a);
        const t = unpacked(a.field.type);
        // at most the frame's operands can be checked; in unreachable code the rest are bottom
        const avail = this.sp - this.base;
        const n = ins.b <= avail ? ins.b : avail + 1;
        for (let i = 0; i < n; i++) this.pop(t);
        this.push(refT(HEAP_CONCRETE + ins.a, false));
        return;
      }
      case Op.ArrayNewData: {
        const a = this.arrayAt(ins.a);
        if (!isNumOrVec(unpacked(a.field.type))) this.fail('array type is not numeric or vector');
        this.checkData(ins.b);
        this.pop(I32);
        this.pop(I32);
        this.push(refT(HEAP_CONCRETE + ins.a, false));
        return;
      }
      case Op.ArrayNewElem: {
        const a = this.arrayAt(ins.a);
        const et = this.elemType(ins.b);
        if (!this.isSub(et, a.field.type)) this.fail('type mismatch: array.new_elem element type');
        this.pop(I32);
        this.pop(I32);
        this.push(refT(HEAP_CONCRETE + ins.a, false));
        return;
      }
      case Op.ArrayGet:
      case Op.ArrayGetS:
      case Op.ArrayGetU: {
        const a = this.arrayAt(ins.a);
        const packed = a.field.type === I8 || a.field.type === I16;
        if (packed !== (OPS[def.id] !== Op.ArrayGet)) {
          this.fail(packed ? 'type mismatch: array is packed' : 'type mismatch: array is not packed');
        }
        this.pop(I32);
        this.pop(refT(HEAP_CONCRETE + ins.a, true));
        this.push(unpacked(a.field.type));
        return;
      }
      case Op.ArraySet: {
        const a = this.arrayAt(ins.a);
        if (!a.field.mutable) this.fail('immutable array');
        this.pop(unpacked(a.field.type));
        this.pop(I32);
        this.pop(refT(HEAP_CONCRETE + ins.a, true));
        return;
      }
      case Op.ArrayLen:
        this.pop(refT(HeapType.array, true));
        this.push(I32);
        return;
      case Op.ArrayFill: {
        const a = this.arrayAt(ins.a);
        if (!a.field.mutable) this.fail('immutable array');
        this.pop(I32);
        this.pop(unpacked(a.field.type));
        this.pop(I32);
        this.pop(refT(HEAP_CONCRETE + ins.a, true));
        return;
      }
      case Op.ArrayCopy: {
        const d = this.arrayAt(ins.a);
        const s = this.arrayAt(ins.b);
        if (!d.field.mutable) this.fail('immutable array');
        if (!this.isSub(s.field.type, d.field.type)) this.fail('array types do not match');
        this.pop(I32);
        this.pop(I32);
        this.pop(refT(HEAP_CONCRETE + ins.b, true));
        this.pop(I32);
        this.pop(refT(HEAP_CONCRETE + ins.a, true));
        return;
      }
      case Op.ArrayInitData: {
        const a = this.arrayAt(ins.a);
        if (!a.field.mutable) this.fail('immutable array');
        if (!isNumOrVec(unpacked(a.field.type))) this.fail('array type is not numeric or vector');
        this.checkData(ins.b);
        this.pop(I32);
        this.pop(I32);
        this.pop(I32);
        this.pop(refT(HEAP_CONCRETE + ins.a, true));
        return;
      }
      case Op.ArrayInitElem: {
        const a = this.arrayAt(ins.a);
        if (!a.field.mutable) this.fail('immutable array');
        const et = this.elemType(ins.b);
        if (!this.isSub(et, a.field.type)) this.fail('type mismatch: array.init_elem element type');
        this.pop(I32);
        this.pop(I32);
        this.pop(I32);
        this.pop(refT(HEAP_CONCRETE + ins.a, true));
        return;
      }
      case Op.RefTest:
      case Op.RefCast: {
        const h = ins.a;
        this.checkHeap(h);
        const top = vm.types.topHeap(h);
        const nullable = def.code === 21 || def.code === 23;
        this.pop(refT(top, true));
        this.push(OPS[def.id] === Op.RefTest ? I32 : refT(h, nullable));
        return;
      }
      case Op.BrOnCast:
      case Op.BrOnCastFail: {
        const flags = ins.a;
        this.checkHeap(ins.ht1);
        this.checkHeap(ins.ht2);
        const rt1 = refT(ins.ht1, (flags & 1) !== 0);
        const rt2 = refT(ins.ht2, (flags & 2) !== 0);
        if (!this.isSub(rt2, rt1)) this.fail('type mismatch: br_on_cast target type must be a subtype of the source type');
        const ts = this.label(ins.b);
        const n = ts.length;
        if (n === 0) this.fail('type mismatch: br_on_cast requires a reference label');
        const diff = refT(ins.ht1, (flags & 1) !== 0 && (flags & 2) === 0);
        const fail = OPS[def.id] === Op.BrOnCastFail;
        const toLabel = fail ? diff : rt2;
        if (!this.isSub(toLabel, ts[n - 1]!)) {
          this.fail(`type mismatch: instruction requires ${fmtTypes(ts)} for the branch but it carries ${typeName(toLabel)}`);
        }
        this.pop(rt1);
        this.popVals(ts, 0, n - 1);
        for (let i = 0; i < n - 1; i++) this.push(ts[i]!);
        this.push(fail ? rt2 : diff);
        return;
      }
      case Op.AnyConvertExtern: {
        const t = this.pop(refT(HeapType.extern, true));
        this.push(refT(HeapType.any, t !== BOTTOM && ((t - REF_BASE) & 1) === 1));
        return;
      }
      case Op.ExternConvertAny: {
        const t = this.pop(refT(HeapType.any, true));
        this.push(refT(HeapType.extern, t !== BOTTOM && ((t - REF_BASE) & 1) === 1));
        return;
      }
      case Op.RefI31:
        this.pop(I32);
        this.push(refT(HeapType.i31, false));
        return;
      case Op.I31Get:
        this.pop(refT(HeapType.i31, true));
        this.push(I32);
        return;
    }
  }

  private blockParamsChecked(ins: Instr): readonly ValType[] {
    const bt = ins.blockType;
    if (bt >= 0) {
      this.checkType(bt);
      return EMPTY;
    }
    if (bt === -1) return EMPTY;
    const ft = this.blockFunc(bt);
    if ((ft.params.length > 0 || ft.results.length > 1) && !this.vm.options.features['multi-value']) {
      this.fail(`${ins.def.name}: feature 'multi-value' is disabled (block type ${-(bt + 2)})`);
    }
    return ft.params;
  }

  /** Tail calls: the callee's results must match the caller's. */
  private checkReturn(rs: readonly ValType[]): void {
    const own = this.results;
    let ok = rs.length === own.length;
    for (let i = 0; ok && i < rs.length; i++) ok = this.isSub(rs[i]!, own[i]!);
    if (!ok) this.fail(`type mismatch: tail call results ${fmtTypes(rs)} do not match function results ${fmtTypes(own)}`);
  }
}

export function defaultable(t: ValType): boolean {
  return t < REF_BASE || ((t - REF_BASE) & 1) === 1;
}
