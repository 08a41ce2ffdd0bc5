/**
 * The operand and control stacks of function-body validation (the spec's validation algorithm, appendix),
 * and the lookups and checks shared by every instruction family.
 */
import { ValidationError } from '../core/errors.js';
import {
  CompKind,
  HEAP_CONCRETE,
  heapIndex,
  HEAP_NAMES,
  HeapType,
  I32,
  I64,
  REF_BASE,
  valTypeName,
  type ArrayType,
  type FieldType,
  type FuncType,
  type StructType,
  type ValType,
} from '../core/types.js';
import { Instr, setProfile } from '../decoder/instr.js';
import { disabledHeapFeature, disabledTypeFeature } from './features.js';
import { EMPTY, fmtTypes, typeName } from './ops.js';
import { BOTTOM } from './types.js';
import type { ValidatedModule } from './module.js';

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
 * The validator's state and the checks every instruction family uses: the operand stack (with the spec's
 * unreachable polymorphism), the control stack, local initialisation, and module lookups that fail with the
 * spec's messages. `FuncValidator` (func.ts) extends it with the entry points and the body loop; the
 * instruction families (control.ts, parametric.ts, memory.ts, reference.ts) call its public checks. A CodeSink
 * gets the same object but uses only the read-only view.
 */
export class Checker {
  /** Operand stack (types; BOTTOM for unknown values of unreachable code). */
  protected vals: ValType[] = new Array<ValType>(256).fill(0); // pre-sized: growing it de-optimises the loop
  protected sp = 0;
  protected frames: Frame[] = [];
  protected depth = 0;
  /** The innermost frame's height and unreachable flag (copies of frames[depth - 1]'s, for the hot paths). */
  protected base = 0;
  protected dead = false;
  /** Types of params followed by declared locals. */
  localTypes: ValType[] = [];
  protected localInit = new Uint8Array(16);
  protected initStack: number[] = new Array<number>(64).fill(0);
  protected initSp = 0;
  /** Results of the function being validated. */
  results: readonly ValType[] = EMPTY;
  /** Function index (module-wide index space) being validated, -1 for constant expressions. */
  funcIndex = -1;
  protected singles = new Map<ValType, ValType[]>();
  /** Validating a constant expression (then `globalLimit` globals may be read, and ref.func calls `onRefFunc`). */
  isConst = false;
  globalLimit = 0;
  onRefFunc: ((f: number) => void) | undefined = undefined;
  readonly ins = new Instr();

  /** True when some feature is disabled (then types in bodies are checked against the switches). */
  protected readonly restricted: boolean;
  constructor(readonly vm: ValidatedModule) {
    this.restricted = !Object.values(vm.options.features).every((on) => on);
    this.ins.multiMemory = vm.options.features['multi-memory'];
    setProfile(this.ins, vm.options.profile, vm.options.added);
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
  /** Operand count of the innermost frame. */
  get frameHeight(): number {
    return this.sp - this.base;
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
  protected mismatch(expected: readonly ValType[], from: number, to: number, got: number): never {
    const n = Math.min(got, this.sp - this.base);
    return this.fail(
      `type mismatch: instruction requires ${fmtTypes(expected, from, to)} but stack has ${fmtTypes(this.vals, this.sp - n, this.sp)}`,
    );
  }

  // ------------------------------------------------------------ operand stack

  push(t: ValType): void {
    this.vals[this.sp++] = t;
  }
  pushAll(ts: readonly ValType[]): void {
    for (let i = 0; i < ts.length; i++) this.vals[this.sp++] = ts[i]!;
  }
  /** Pops any operand (BOTTOM in unreachable code at the frame's bottom). */
  popAny(): ValType {
    if (this.sp === this.base) {
      if (this.dead) return BOTTOM;
      return this.fail('type mismatch: instruction requires [any] but stack has []');
    }
    return this.vals[--this.sp]!;
  }
  /** Pops an operand that must match `t`; returns the actual type. */
  pop(t: ValType): ValType {
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
  protected popSlow(t: ValType): ValType {
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
  popVals(ts: readonly ValType[], from = 0, to = ts.length): void {
    const n = to - from;
    if (n === 0) return;
    this.peekVals(ts, from, to);
    const avail = this.sp - this.base;
    this.sp -= n < avail ? n : avail;
  }
  /** Checks (without popping) that the top operands match ts[from..to). */
  peekVals(ts: readonly ValType[], from = 0, to = ts.length): void {
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
  popRef(): ValType {
    const t = this.popAny();
    if (t !== BOTTOM && t < REF_BASE) this.fail(`type mismatch: instruction requires reference but stack has [${typeName(t)}]`);
    return t;
  }

  // ------------------------------------------------------------ control stack

  pushCtrl(kind: FrameKind, params: readonly ValType[], results: readonly ValType[]): void {
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
  popCtrl(): Frame {
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
  setUnreachable(): void {
    const f = this.frames[this.depth - 1]!;
    this.sp = f.height;
    f.unreachable = true;
    this.dead = true;
  }
  label(l: number): readonly ValType[] {
    if (l >= this.depth) this.fail(`unknown label ${l}`);
    const f = this.frames[this.depth - 1 - l]!;
    return f.kind === FrameKind.Loop ? f.params : f.results;
  }

  // ------------------------------------------------------------ module lookups

  protected single(t: ValType): ValType[] {
    let a = this.singles.get(t);
    if (!a) {
      a = [t];
      this.singles.set(t, a);
    }
    return a;
  }
  protected blockFunc(bt: number): FuncType {
    const x = -(bt + 2);
    return this.funcTypeAt(x);
  }
  funcTypeAt(x: number): FuncType {
    const st = this.vm.module.types[x];
    if (!st) this.fail(`unknown type ${x}`);
    if (st.comp.kind !== CompKind.Func) this.fail(`type mismatch: type ${x} is not a function type`);
    return st.comp;
  }
  structAt(x: number): StructType {
    const st = this.vm.module.types[x];
    if (!st) this.fail(`unknown type ${x}`);
    if (st.comp.kind !== CompKind.Struct) this.fail(`type mismatch: type ${x} is not a struct type`);
    return st.comp;
  }
  arrayAt(x: number): ArrayType {
    const st = this.vm.module.types[x];
    if (!st) this.fail(`unknown type ${x}`);
    if (st.comp.kind !== CompKind.Array) this.fail(`type mismatch: type ${x} is not an array type`);
    return st.comp;
  }
  fieldAt(x: number, i: number): FieldType {
    const s = this.structAt(x);
    const f = s.fields[i];
    if (!f) this.fail(`unknown field ${i}`);
    return f;
  }
  checkType(t: ValType): void {
    if (t >= REF_BASE) {
      const h = (t - REF_BASE) >> 1;
      if (h >= HEAP_CONCRETE) {
        if (heapIndex(h) >= this.vm.module.types.length) this.fail(`unknown type ${heapIndex(h)}`);
      } else if (h > HeapType.noexn) this.fail(`unknown heap type ${h}`);
    }
    if (this.restricted) {
      const f = disabledTypeFeature(t, this.vm.options.features);
      if (f !== null) this.fail(`type ${valTypeName(t)} (feature '${f}' is disabled)`);
    }
  }
  checkHeap(h: number): void {
    if (h >= HEAP_CONCRETE) {
      if (heapIndex(h) >= this.vm.module.types.length) this.fail(`unknown type ${heapIndex(h)}`);
    } else if (h > HeapType.noexn) this.fail(`unknown heap type ${h}`);
    if (this.restricted) {
      const f = disabledHeapFeature(h, this.vm.options.features);
      if (f !== null) this.fail(`heap type ${h >= HEAP_CONCRETE ? heapIndex(h) : HEAP_NAMES[h]} (feature '${f}' is disabled)`);
    }
  }
  funcSig(f: number): FuncType {
    const vm = this.vm;
    if (f >= vm.funcTypes.length) this.fail(`unknown function ${f}`);
    return vm.module.types[vm.funcTypes[f]!]!.comp as FuncType;
  }
  memAddr(m: number): ValType {
    const mem = this.vm.memories[m];
    if (!mem) this.fail(`unknown memory ${m}`);
    return mem.addr === 'i64' ? I64 : I32;
  }
  tableAddr(t: number): ValType {
    const tab = this.vm.tables[t];
    if (!tab) this.fail(`unknown table ${t}`);
    return tab.type.addr === 'i64' ? I64 : I32;
  }
  tableElem(t: number): ValType {
    return this.vm.tables[t]!.type.elem;
  }
  checkData(d: number): void {
    if (this.vm.module.dataCount === null && this.vm.options.requireDataCount) this.fail('data count section required');
    if (d >= this.vm.numDatas) this.fail(`unknown data segment ${d}`);
  }
  elemType(e: number): ValType {
    const seg = this.vm.module.elems[e];
    if (!seg) this.fail(`unknown elem segment ${e}`);
    return seg.type;
  }
  tagParams(x: number): readonly ValType[] {
    const vm = this.vm;
    if (x >= vm.tagTypes.length) this.fail(`unknown tag ${x}`);
    return (vm.module.types[vm.tagTypes[x]!]!.comp as FuncType).params;
  }
  isSub(a: ValType, b: ValType): boolean {
    return a === b || this.vm.types.isSubVal(a, b);
  }

  // ------------------------------------------------------------ block types and tail calls

  /** A block's parameters, its type checked (and multi-value allowed when it needs it). */
  blockParamsChecked(ins: Instr): readonly ValType[] {
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
  checkReturn(rs: readonly ValType[]): void {
    const own = this.results;
    let ok = rs.length === own.length;
    for (let i = 0; ok && i < rs.length; i++) ok = this.isSub(rs[i]!, own[i]!);
    if (!ok) this.fail(`type mismatch: tail call results ${fmtTypes(rs)} do not match function results ${fmtTypes(own)}`);
  }
}

/** A local, field or array element of this type has a default value (numbers, vectors, nullable references). */
export function defaultable(t: ValType): boolean {
  return t < REF_BASE || ((t - REF_BASE) & 1) === 1;
}
