/**
 * Function-body (and constant-expression) validation: the spec's
 * operand-stack / control-stack algorithm (core spec, validation appendix)
 * with unreachable polymorphism, one pass, no allocation per instruction.
 *
 * A CodeSink (the translator) sees every instruction before its effect is
 * applied, together with this validator's read-only state.
 *
 * This file holds the entry points and the body loop (`run`), which checks the
 * common instructions inline; the stacks and shared checks are in checker.ts,
 * the other instructions in the families (control.ts, parametric.ts,
 * memory.ts, reference.ts), reached through `step`.
 */
import { DecodeError, ValidationError } from '../core/errors.js';
import type { InstrDef } from '../core/instructions.js';
import { Reader } from '../core/bytes.js';
import { I32, REF_BASE, heapIndex, valTypeName, type ValType } from '../core/types.js';
import { readInstr, type Instr } from '../decoder/instr.js';
import { Checker, FrameKind } from './checker.js';
import { checkControl, isControl } from './control.js';
import { checkMemory, isMemory } from './memory.js';
import { checkParametric, isParametric } from './parametric.js';
import { checkReference, isReference } from './reference.js';
import { CONST_EXT, CONST_OK, EMPTY, LANES, NATURAL, codeTable, codeTableByName, fmtTypes } from './ops.js';
import { disabledTypeFeature } from './features.js';

/**
 * Receives each instruction before the validator applies it (the translator's hook).
 * `ins` and the Frame objects are reused: copy what must outlive the call.
 * The sink may see an instruction that then fails validation (the
 * ValidationError follows right after the call): discard the output then.
 */
export interface CodeSink {
  instr(ins: Instr, v: FuncValidator): void;
}

/**
 * A sink that does nothing, for the module's validation of its first body (validateModule): `run` calls it as it
 * calls every sink, so that its call of the sinks has been seen by V8 before it optimises `run` (see `run`).
 */
export const QUIET_SINK: CodeSink = { instr: () => {} };

/** How `run` handles an instruction: checked inline (most bodies are nearly all these), or by a family. */
const enum Op {
  Simple = 0,
  Mem,
  MemLane,
  LocalGet,
  LocalSet,
  LocalTee,
  Block,
  Loop,
  If,
  Else,
  End,
  Br,
  BrIf,
  Call,
  Drop,
  Control,
  Parametric,
  Memory,
  Reference,
}
const HOT: Record<string, Op> = {
  'local.get': Op.LocalGet,
  'local.set': Op.LocalSet,
  'local.tee': Op.LocalTee,
  block: Op.Block,
  loop: Op.Loop,
  if: Op.If,
  else: Op.Else,
  end: Op.End,
  br: Op.Br,
  br_if: Op.BrIf,
  call: Op.Call,
  drop: Op.Drop,
};
/** HOT per InstrDef.id, 0 (Op.Simple, no HOT value) for the rest. */
const HOT_OPS = codeTableByName(HOT);
/** Dispatch code per InstrDef.id. */
const OPS = codeTable((d) => {
  if (d.imm === 'memarg') return Op.Mem;
  if (d.imm === 'memarg_lane') return Op.MemLane;
  const hot = HOT_OPS[d.id]!;
  if (hot !== 0) return hot;
  if (isControl(d)) return Op.Control;
  if (isParametric(d)) return Op.Parametric;
  if (isMemory(d)) return Op.Memory;
  if (isReference(d)) return Op.Reference;
  if (d.params !== null) return Op.Simple;
  throw new Error(`validator: no rule for instruction ${d.name}`);
});

/**
 * The function validator. One instance may validate many functions in turn
 * (its stacks are reused). A CodeSink uses only its read-only view (see
 * Checker); the checking methods are the instruction families'.
 */
export class FuncValidator extends Checker {
  // ------------------------------------------------------------ entry points

  /**
   * Validates function `funcIndex` (module-wide index; must be a defined function). `instr` is the sink's method, read
   * by the caller (validateModule, module.ts validateFunction): read here, the property's load, which the module's
   * validation never runs (no sink), threw this method's optimised code away at the first sink ("Insufficient type
   * feedback for generic named access", every quickjs and sql.js first run; BENCHMARKS.md, session 16, helper gen12).
   */
  validateFunction(funcIndex: number, sink?: CodeSink, instr: CodeSink['instr'] | undefined = sink?.instr): void {
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
    this.run(new Reader(body.body, 0, body.body.length, body.offset >= 0 ? body.offset : 0), ft.results, sink, instr);
  }

  private checkTypeOutside(t: ValType, funcIndex: number, offset: number): void {
    if (t >= REF_BASE) {
      const x = heapIndex((t - REF_BASE) >> 1);
      if (x >= this.vm.module.types.length) throw new ValidationError(`unknown type ${x}`, funcIndex, offset);
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
      this.run(new Reader(bytes, 0, bytes.length, offset >= 0 ? offset : 0), this.results, undefined, undefined);
    } finally {
      this.onRefFunc = undefined;
      this.isConst = false;
    }
  }

  /**
   * The loop over one body. The instructions of nearly every body (locals, numeric operators, blocks, branches,
   * calls, memory accesses) are validated here; the others in `step`. Kept small and free of allocation so that
   * V8 optimises it after a few functions (start-up time is mostly this loop running cold).
   *
   * The sink's method `instr` comes as an argument, read by the caller, and is called through
   * `Function.prototype.call`: V8's optimised code then holds no guess of the sink's class or method. Called as
   * `sink.instr(...)`, the loop optimised during the module's validation (no sink) was thrown away at the first sink,
   * and again at each new sink class (Translator, LoopScan, JsGen), each time to be compiled again. Without a sink
   * there is no call: a no-op call per instruction made the module's validation 15-25% slower; and so
   * that the call site is not one V8 has never seen run when it optimises the loop during the module's validation
   * (it would throw the code away at the first sink), the module validates its first body with QUIET_SINK
   * (BENCHMARKS.md, session 14, val9).
   */
  private run(r: Reader, results: readonly ValType[], sink: CodeSink | undefined, instr: CodeSink['instr'] | undefined): void {
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
      if (instr !== undefined) instr.call(sink, ins, this);
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
          // (called for an empty list too: behind a test, the first br_if carrying values after V8 optimised this loop
          // was a call it had never seen run, and the code was thrown away; BENCHMARKS.md, session 17, gen13)
          this.popVals(ts);
          this.pushAll(ts);
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
      // not an extension a profile lacks but an instruction its constant expressions do not allow
      if (this.vm.options.profile !== null) this.fail('constant expression required');
      this.fail(`${def.name}: feature 'extended-const' is disabled in constant expressions`);
    }
  }

  // ------------------------------------------------------------ the instructions

  // ------------------------------------------------------------ the instructions

  /** The instructions `run` leaves to the families (the less common ones). */
  private step(ins: Instr, def: InstrDef, op: Op): void {
    switch (op) {
      case Op.Control:
        checkControl(this, ins, def);
        return;
      case Op.Parametric:
        checkParametric(this, ins, def);
        return;
      case Op.Memory:
        checkMemory(this, ins, def);
        return;
      case Op.Reference:
        checkReference(this, ins, def);
        return;
    }
  }
}
