/**
 * Translation of a validated function body into internal code (see exec.ts).
 *
 * The translator is a CodeSink of the validator: it sees every instruction
 * with the validator's typed state and keeps a mirror of the operand stack
 * in which each entry says where its value lives right now:
 *   - TEMP: in its canonical stack slot (slot nl + nc + height),
 *   - LOCAL: still in a local's slot (a `local.get` not yet copied),
 *   - CONST: in the frame's constant area (a `*.const` not yet copied).
 * In fast mode, `local.get`/`*.const` emit nothing and instructions read
 * their operands where they are (register style); a result followed by
 * `local.set` is written straight into the local; `i32` compares followed
 * by `br_if`/`if` become one compare-and-branch; an `i32.add` fuses with the
 * op after it (ADD_THEN, translate-state.ts), a single result's copy with
 * RETURN, and a few other frequent pairs (THEN) run in one dispatch.
 *
 * Frame layout (slots of 16 bytes): [params+locals (nl) | constants (nc) | operand stack].
 *
 * Fuel: the code is cut into basic blocks (a new one starts at every label
 * and after every branch, call and metered bulk instruction); each block
 * starts with FUEL cost orig (fast) or FUELX cost orig (exact), where orig
 * is the byte offset of the block's first original instruction, so the two
 * translations can switch at any block start. Every value is in its
 * canonical slot at a block start. Exact mode adds STEP cost before every
 * original instruction and fuses nothing.
 *
 * Translator is the last of a chain of classes, one file each (listed in
 * translate-state.ts); this file holds the sink's dispatch (a method per
 * instruction, OPS, found by the instruction's id), unreachable code and the
 * finished code.
 */
import { INSTRS } from '../core/instructions.js';
import { FUNCREF, I32, I64, V128, isRef, refType } from '../core/types.js';
import type { Instr } from '../decoder/instr.js';
import type { CodeSink, FuncValidator } from '../validate/func.js';
import { Op } from './exec.js';
import { Compiled } from './compiled.js';
import { OpTranslator } from './translate-ops.js';
import { CONVERSIONS, SIMPLE } from './translate-tables.js';
import { FIX_CONST, FIX_EXN, FIX_NONE, FIX_STACK, LOCAL, TEMP, type Ctrl } from './translate-state.js';

/** A method of Translator translating one instruction (Translator.OPS). */
type TranslateOp = (this: Translator, ins: Instr, v: FuncValidator, name: string) => void;
/** Translator.OPS by instruction id (InstrDef.id): every instruction's entry, made with the class (one array map throughout). */
let T_OPS_BY_ID: TranslateOp[] = [];

/**
 * The method translating each instruction that the translator's `instr` hands on (those with a SIMPLE op aside), by
 * instruction id: the names of the instructions with a method of their own (Translator.OPS, the others run through
 * MISC), and whether every instruction has an entry (tests).
 */
export function translatorOps(): { named: string[]; complete: boolean } {
  return { named: Translator.opNames(), complete: T_OPS_BY_ID.length === INSTRS.length && T_OPS_BY_ID.every((f) => typeof f === 'function') };
}

export class Translator extends OpTranslator implements CodeSink {
  // ------------------------------------------------------------ the sink

  instr(ins: Instr, v: FuncValidator): void {
    const def = ins.def;
    const name = def.name;
    if (v.unreachable) {
      this.deadInstr(ins, v);
      return;
    }
    this.cur = ins.offset;
    if (!this.inBlock) this.startBlock();
    const c = this.env.costs[def.id]!;
    this.cost += c;
    if (this.exact) {
      this.op(Op.STEP);
      this.imm(c);
    }

    const simple = SIMPLE[def.id]!;
    if (simple >= 0 && def.params !== null) {
      if (def.bytes === 0) this.simpleOp(simple, def);
      else if (ins.b === 0 && v.vm.memories[0]!.addr === 'i32') this.memAccess(simple, def, ins);
      else this.misc(ins, v);
      return;
    }
    // every other instruction: its method (OPS), found by the instruction's id
    T_OPS_BY_ID[def.id]!.call(this, ins, v, name);
  }

  // ------------------------------------------------------------ the instructions SIMPLE leaves

  /**
   * Each a method of its own, by name, called from `instr` through T_OPS_BY_ID (by the instruction's id); an
   * instruction without one runs through MISC (`opMisc`). `instr` was one switch with every case (4,516 bytes of
   * bytecode), which TurboFan compiled 2-3 times per first run and threw away at cases first reached after a compile
   * (BENCHMARKS.md, session 15, helpers gen10 and gen11).
   */
  private static readonly OPS: ReadonlyMap<string, TranslateOp> = new Map<string, TranslateOp>([
    ['nop', Translator.prototype.opNop],
    ['unreachable', Translator.prototype.opUnreachable],
    ['drop', Translator.prototype.opDrop],
    ['i32.const', Translator.prototype.opI32Const],
    ['f32.const', Translator.prototype.opF32Const],
    ['i64.const', Translator.prototype.opI64Const],
    ['f64.const', Translator.prototype.opF64Const],
    ['v128.const', Translator.prototype.opV128Const],
    ['local.get', Translator.prototype.opLocalGet],
    ['local.set', Translator.prototype.opLocalSet],
    ['local.tee', Translator.prototype.opLocalSet],
    ['global.get', Translator.prototype.opGlobalGet],
    ['global.set', Translator.prototype.opGlobalSet],
    ['select', Translator.prototype.opSelect],
    ['block', Translator.prototype.opBlock],
    ['loop', Translator.prototype.opBlock],
    ['if', Translator.prototype.opBlock],
    ['else', Translator.prototype.opElse],
    ['end', Translator.prototype.opEnd],
    ['br', Translator.prototype.opBr],
    ['br_if', Translator.prototype.opBrIf],
    ['br_table', Translator.prototype.opBrTable],
    ['br_on_cast', Translator.prototype.opBrOnCast],
    ['br_on_cast_fail', Translator.prototype.opBrOnCast],
    ['br_on_cast_desc_eq', Translator.prototype.opBrOnCastDesc],
    ['br_on_cast_desc_eq_fail', Translator.prototype.opBrOnCastDesc],
    ['return', Translator.prototype.opReturn],
    ['call', Translator.prototype.opCall],
    ['return_call', Translator.prototype.opCall],
    ['call_indirect', Translator.prototype.opCallIndirect],
    ['return_call_indirect', Translator.prototype.opCallIndirect],
    ['try_table', Translator.prototype.opExn],
    ['try', Translator.prototype.opExn],
    ['catch', Translator.prototype.opExn],
    ['catch_all', Translator.prototype.opExn],
    ['delegate', Translator.prototype.opExn],
    ['throw', Translator.prototype.opExn],
    ['throw_ref', Translator.prototype.opExn],
    ['rethrow', Translator.prototype.opExn],
    ['call_ref', Translator.prototype.opCallRef],
    ['return_call_ref', Translator.prototype.opCallRef],
    ['br_on_null', Translator.prototype.opBrOnNull],
    ['br_on_non_null', Translator.prototype.opBrOnNull],
    ['ref.null', Translator.prototype.opRefNull],
    ['ref.func', Translator.prototype.opRefFunc],
    ['ref.is_null', Translator.prototype.opRefIsNull],
    ['ref.as_non_null', Translator.prototype.opRefAsNonNull],
    ['memory.size', Translator.prototype.opMemorySize],
    ['memory.grow', Translator.prototype.opMemoryGrow],
    ...[...CONVERSIONS].map((n): [string, TranslateOp] => [n, Translator.prototype.opConvert]),
  ]);
  static opNames(): string[] {
    return [...Translator.OPS.keys()];
  }
  // (after OPS: static blocks and fields run in order)
  static {
    T_OPS_BY_ID = INSTRS.map((d) => Translator.OPS.get(d.name) ?? Translator.prototype.opMisc);
  }

  private opNop(_ins: Instr, _v: FuncValidator, _name: string): void {}
  private opUnreachable(_ins: Instr, _v: FuncValidator, _name: string): void {
    this.op(Op.UNREACHABLE);
  }
  private opDrop(_ins: Instr, _v: FuncValidator, _name: string): void {
    this.pop();
  }
  private opI32Const(ins: Instr, _v: FuncValidator, _name: string): void {
    this.constant(ins.a, ins.a >> 31, 0, 0, ins.def.results![0]!);
  }
  private opF32Const(ins: Instr, _v: FuncValidator, _name: string): void {
    this.constant(ins.a, 0, 0, 0, ins.def.results![0]!);
  }
  private opI64Const(ins: Instr, _v: FuncValidator, _name: string): void {
    this.constant(ins.lo, ins.hi, 0, 0, ins.def.results![0]!);
  }
  private opF64Const(ins: Instr, _v: FuncValidator, _name: string): void {
    this.constant(ins.lo, ins.hi, 0, 0, ins.def.results![0]!);
  }
  private opV128Const(ins: Instr, _v: FuncValidator, _name: string): void {
    const b = ins.v128;
    const w = (i: number): number => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
    this.constant(w(0), w(4), w(8), w(12), V128);
  }
  private opLocalGet(ins: Instr, _v: FuncValidator, _name: string): void {
    const t = this.localTypes[ins.a]!;
    if (this.exact || isRef(t)) {
      this.op(this.copyOp(t));
      this.dst(this.h);
      this.local(ins.a);
      this.pushTemp(t);
    } else this.push(LOCAL, ins.a, t);
  }
  /** local.set and local.tee. */
  private opLocalSet(ins: Instr, _v: FuncValidator, name: string): void {
    const x = ins.a;
    const i = this.h - 1;
    const t = this.type[i]!;
    // the value on top may itself alias x: then set is a no-op
    if (this.kind[i] === LOCAL && this.where[i] === x) {
      if (name === 'local.set') this.pop();
      return;
    }
    // keep older readers of x intact
    if (this.kind[i] === LOCAL) {
      this.aliasCount[this.where[i]!]!--;
      this.kind[i] = -1; // protect from materializeLocal
      this.materializeLocal(x);
      this.kind[i] = LOCAL;
      this.aliasCount[this.where[i]!]!++;
    } else this.materializeLocal(x);
    if (
      !this.exact &&
      this.kind[i] === TEMP &&
      this.lastDst >= 0 &&
      this.code[this.lastDst] === i &&
      this.fix[this.lastDst] === FIX_STACK &&
      this.lastOpPos >= 0
    ) {
      // write the producing instruction's result straight into the local
      this.code[this.lastDst] = x * 4;
      this.fix[this.lastDst] = FIX_NONE;
      this.lastDst = -1;
    } else {
      this.op(this.copyOp(t));
      this.local(x);
      this.src(i);
    }
    this.pop();
    if (name === 'local.tee') {
      if (this.exact || isRef(t)) {
        this.op(this.copyOp(t));
        this.dst(this.h);
        this.local(x);
        this.pushTemp(t);
      } else this.push(LOCAL, x, t);
    }
  }
  private opGlobalGet(ins: Instr, v: FuncValidator, _name: string): void {
    const t = v.vm.globals[ins.a]!.type;
    this.op(t === V128 ? Op.GLOBAL_GET_V : isRef(t) ? Op.GLOBAL_GET_R : Op.GLOBAL_GET);
    this.dst(this.h);
    this.imm(ins.a);
    this.pushTemp(t);
  }
  private opGlobalSet(ins: Instr, _v: FuncValidator, _name: string): void {
    const i = this.pop();
    const t = this.type[i]!;
    this.op(t === V128 ? Op.GLOBAL_SET_V : isRef(t) ? Op.GLOBAL_SET_R : Op.GLOBAL_SET);
    this.imm(ins.a);
    this.src(i);
  }
  private opSelect(_ins: Instr, _v: FuncValidator, _name: string): void {
    const cnd = this.pop();
    const b = this.pop();
    const a = this.pop();
    const t = this.type[a]!;
    this.op(t === V128 ? Op.SELECT_V : isRef(t) ? Op.SELECT_R : Op.SELECT);
    this.dst(a);
    this.src(a);
    this.src(b);
    this.src(cnd);
    // the result overwrites slot a's canonical position: inputs were read first
    this.pushTemp(t);
  }
  /** block, loop and if. */
  private opBlock(ins: Instr, v: FuncValidator, name: string): void {
    this.enterBlock(ins, v, name);
  }
  private opElse(_ins: Instr, v: FuncValidator, _name: string): void {
    this.elseArm(v);
  }
  private opEnd(_ins: Instr, v: FuncValidator, _name: string): void {
    this.endFrame(v);
  }
  private opBr(ins: Instr, _v: FuncValidator, _name: string): void {
    const { c, n } = this.labelTarget(ins.a);
    this.materialize();
    this.branchCopies(n, c.height);
    this.op(Op.BR);
    this.jumpTo(c);
    this.endBlock();
  }
  private opBrIf(ins: Instr, _v: FuncValidator, _name: string): void {
    this.brIf(ins.a);
  }
  private opBrTable(ins: Instr, _v: FuncValidator, _name: string): void {
    this.brTable(ins);
  }
  /** br_on_cast and br_on_cast_fail. */
  private opBrOnCast(ins: Instr, _v: FuncValidator, _name: string): void {
    this.brOnCast(ins, false);
  }
  /** br_on_cast_desc_eq and br_on_cast_desc_eq_fail. */
  private opBrOnCastDesc(ins: Instr, _v: FuncValidator, _name: string): void {
    this.brOnCast(ins, true);
  }
  private opReturn(_ins: Instr, _v: FuncValidator, _name: string): void {
    this.emitReturn();
    this.endBlock();
  }
  /** call and return_call. */
  private opCall(ins: Instr, _v: FuncValidator, name: string): void {
    const np = this.env.funcParams(ins.a);
    this.materialize();
    const base = this.h - np;
    this.op(name === 'call' ? Op.CALL : Op.RETURN_CALL);
    this.imm(ins.a);
    this.dst(base);
    this.lastDst = -1;
    if (name === 'return_call') this.imm(np);
    for (let j = 0; j < np; j++) this.pop();
    for (const t of this.env.funcResults(ins.a)) this.pushTemp(t);
    this.endBlock();
  }
  /** call_indirect and return_call_indirect. */
  private opCallIndirect(ins: Instr, _v: FuncValidator, name: string): void {
    this.callVia(name === 'call_indirect' ? Op.CALL_INDIRECT : Op.RETURN_CALL_INDIRECT, ins.a, [this.env.typeIds[ins.a]!, ins.b]);
  }
  /** try_table, try, catch, catch_all, delegate, throw, throw_ref, rethrow (translate-exn.ts). */
  private opExn(ins: Instr, v: FuncValidator, name: string): void {
    this.exnInstr(ins, v, name);
  }
  /** call_ref and return_call_ref. */
  private opCallRef(ins: Instr, _v: FuncValidator, name: string): void {
    this.callVia(name === 'call_ref' ? Op.CALL_REF : Op.RETURN_CALL_REF, ins.a, []);
  }
  /** br_on_null and br_on_non_null. */
  private opBrOnNull(ins: Instr, _v: FuncValidator, name: string): void {
    this.brOnNull(ins.a, name === 'br_on_non_null');
  }
  private opRefNull(ins: Instr, _v: FuncValidator, _name: string): void {
    this.op(Op.CONST_NULL);
    this.dst(this.h);
    this.pushTemp(refType(ins.a, true));
  }
  private opRefFunc(ins: Instr, _v: FuncValidator, _name: string): void {
    this.op(Op.REF_FUNC);
    this.dst(this.h);
    this.imm(ins.a);
    this.pushTemp(FUNCREF);
  }
  private opRefIsNull(_ins: Instr, _v: FuncValidator, _name: string): void {
    const a = this.pop();
    this.op(Op.REF_IS_NULL);
    this.dst(this.h);
    this.src(a);
    this.pushTemp(0x7f);
  }
  private opRefAsNonNull(_ins: Instr, _v: FuncValidator, _name: string): void {
    const a = this.pop();
    const t = this.type[a]!;
    this.op(Op.REF_AS_NON_NULL);
    this.dst(this.h);
    this.src(a);
    this.pushTemp(t);
  }
  private opMemorySize(ins: Instr, v: FuncValidator, _name: string): void {
    this.op(Op.MEMORY_SIZE);
    this.dst(this.h);
    this.imm(ins.a);
    this.pushTemp(v.vm.memories[ins.a]!.addr === 'i64' ? I64 : I32);
  }
  private opMemoryGrow(ins: Instr, _v: FuncValidator, _name: string): void {
    const n = this.pop();
    this.op(Op.MEMORY_GROW);
    this.dst(this.h);
    this.src(n);
    this.imm(ins.a);
    this.pushTemp(this.type[n]!);
    this.materialize();
    this.endBlock();
  }
  /** The conversions of the CONVERT op (translate-tables.ts CONVERSIONS). */
  private opConvert(ins: Instr, _v: FuncValidator, _name: string): void {
    const a = this.pop();
    this.op(Op.CONVERT);
    this.dst(this.h);
    this.src(a);
    this.imm(ins.def.id);
    this.pushTemp(ins.def.results![0]!);
  }
  /** Every instruction of no other method: MISC (translate-ops.ts). */
  private opMisc(ins: Instr, v: FuncValidator, _name: string): void {
    this.misc(ins, v);
  }

  /** Instructions in unreachable code: only the control structure matters. */
  private deadInstr(ins: Instr, v: FuncValidator): void {
    const name = ins.def.name;
    if (name === 'block' || name === 'loop' || name === 'if' || name === 'try' || name === 'try_table') {
      this.ctrls.push({
        kind: name as Ctrl['kind'],
        height: this.h,
        params: v.blockParams(ins),
        results: v.blockResults(ins),
        labelPc: -1,
        fixups: [],
        elseFix: -1,
        dead: true,
      });
      return;
    }
    if (name === 'else') {
      const c = this.ctrls[this.ctrls.length - 1]!;
      if (c.dead) return;
      this.cur = ins.offset;
      this.elseArm(v);
      return;
    }
    if (name === 'end') {
      const c = this.ctrls[this.ctrls.length - 1]!;
      if (c.dead) {
        this.ctrls.pop();
        return;
      }
      this.cur = ins.offset;
      this.endFrame(v);
      return;
    }
    if (name === 'catch' || name === 'catch_all' || name === 'delegate') {
      const c = this.ctrls[this.ctrls.length - 1]!;
      this.cur = ins.offset;
      if (!c.dead) this.exnInstr(ins, v, name);
      else if (name === 'delegate') this.ctrls.pop();
      // the arm of a try entered in unreachable code: keep the mirror in step with the validator (never runs)
      else this.resetTo(c, name === 'catch' ? this.tagParams(v, ins.a) : []);
    }
  }

  /** The finished code, with slot operands relocated to the final frame layout. */
  finish(): { code: Int32Array; origAt: Int32Array; consts: number[]; frameSlots: number; maxHeight: number; handlers: Int32Array | null; exnSlots: number } {
    this.endBlock();
    this.keepInLocals();
    const nc = Math.max(this.consts.length / 4, this.reserveConsts);
    const nx = this.nx;
    // (the words copied out, the translator's own kept for the next translation: nothing reads them after this)
    const { code, fix, origAt } = this.finishWords();
    for (let p = 0; p < code.length; p++) {
      const f = fix[p]!;
      const w = code[p]!;
      code[p] =
        f === FIX_STACK ? (this.nl + nc + nx + w) * 4 : f === FIX_CONST ? (this.nl + w) * 4 : f === FIX_EXN ? (this.nl + nc + w) * 4 : w;
    }
    const handlers = this.handlerTable(nc, nx);
    return { code, origAt, consts: this.consts, frameSlots: this.nl + nc + nx + this.maxH + 1, maxHeight: this.maxH, handlers, exnSlots: nx };
  }
}

export { CONVERSIONS } from './translate-tables.js';
export { Compiled };

/**
 * The translator's sink with the tier's pre-pass sink (TierCompiler.prescan) behind it, in one validator pass. The
 * pre-pass sees each instruction after the translator (which changes neither the instruction nor the validator); if it
 * throws, it is fed no more (`ok` false) and the translation goes on: the tier then makes its own pass, and meets
 * the error there.
 */
export class WithPrescan implements CodeSink {
  ok = true;
  constructor(
    private readonly t: Translator,
    private readonly pre: CodeSink,
  ) {}
  instr(ins: Instr, v: FuncValidator): void {
    this.t.instr(ins, v);
    if (!this.ok) return;
    try {
      this.pre.instr(ins, v);
    } catch {
      this.ok = false;
    }
  }
}
