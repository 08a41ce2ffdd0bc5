/**
 * Control flow of the translator (see translate-state.ts for its layers):
 * branches and the copies of the values they carry, block/loop/if/else/end
 * with their labels, br_if/br_table/br_on_*, return, and the fusion of an
 * i32 compare with the branch that tests it.
 */
import { I32, type ValType } from '../core/types.js';
import type { Instr } from '../decoder/instr.js';
import type { FuncValidator } from '../validate/func.js';
import { Op } from './exec.js';
import { BR_FUSE } from './translate-tables.js';
import { ADD_THEN, FIX_STACK, TEMP, TranslateState, type Ctrl } from './translate-state.js';

export class ControlTranslator extends TranslateState {
  // ------------------------------------------------------------ branches

  /** Copies the top `n` values to the label's slots starting at canonical height `to` (all materialized). */
  protected branchCopies(n: number, to: number): void {
    const from = this.h - n;
    if (from === to) return;
    for (let j = 0; j < n; j++) {
      this.op(this.copyOp(this.type[from + j]!));
      this.dst(to + j);
      this.src(from + j);
    }
  }
  protected labelTarget(depth: number): { c: Ctrl; n: number } {
    const c = this.ctrls[this.ctrls.length - 1 - depth]!;
    const n = c.kind === 'loop' ? c.params.length : c.results.length;
    return { c, n };
  }
  protected jumpTo(c: Ctrl): void {
    if (c.kind === 'loop') this.imm(c.labelPc);
    else {
      c.fixups.push(this.n);
      this.imm(-1);
    }
  }
  protected emitReturn(): void {
    const n = this.results.length;
    // one result is copied from wherever it is (several could overwrite locals the later ones read)
    if (n !== 1) this.materialize();
    for (let j = 0; j < n; j++) {
      const from = this.h - n + j;
      this.op(this.copyOp(this.type[from]!));
      this.local(j);
      this.src(from);
    }
    this.op(Op.RETURN);
  }

  protected brIf(depth: number): void {
    const { c, n } = this.labelTarget(depth);
    const cnd = this.h - 1;
    // fuse with the compare that produced the condition
    if (n === 0 && this.fuseCompare(cnd, false)) {
      this.jumpTo(c);
      this.endBlock();
      return;
    }
    this.pop();
    this.materialize();
    const from = this.h - n;
    if (from === c.height || n === 0) {
      this.op(Op.BR_IF);
      this.src(cnd);
      this.jumpTo(c);
    } else {
      this.op(Op.BR_UNLESS);
      this.src(cnd);
      const skip = this.n;
      this.imm(-1);
      this.branchCopies(n, c.height);
      this.op(Op.BR);
      this.jumpTo(c);
      this.code[skip] = this.n;
    }
    this.endBlock();
  }


  /**
   * br_on_cast(_fail), br_on_cast_desc_eq(_fail): MISC computes whether to branch (the reference stays on the
   * stack; the descriptor operand of the descriptor casts is popped), then br_if.
   */
  protected brOnCast(ins: Instr, desc: boolean): void {
    const dsc = desc ? this.pop() : 0;
    const r = this.h - 1;
    this.op(Op.MISC);
    this.imm(ins.def.id);
    this.dst(this.h);
    this.lastDst = -1;
    this.src(r);
    if (desc) this.src(dsc);
    else this.imm(0);
    this.imm(0);
    this.imm(ins.ht2);
    this.imm(ins.a);
    this.imm(0);
    this.imm(0);
    this.pushTemp(I32);
    this.brIf(ins.b);
  }

  protected brTable(ins: Instr): void {
    const idx = this.pop();
    this.materialize();
    const targets = [...ins.labels, ins.a];
    this.op(Op.BR_TABLE);
    this.src(idx);
    this.imm(targets.length - 1);
    const slots: number[] = [];
    for (let j = 0; j < targets.length; j++) {
      slots.push(this.n);
      this.imm(-1);
    }
    // direct targets, or trampolines that move the values first
    for (let j = 0; j < targets.length; j++) {
      const { c, n } = this.labelTarget(targets[j]!);
      const from = this.h - n;
      if (from === c.height || n === 0) {
        if (c.kind === 'loop') this.code[slots[j]!] = c.labelPc;
        else c.fixups.push(slots[j]!);
      } else {
        this.code[slots[j]!] = this.n;
        this.branchCopies(n, c.height);
        this.op(Op.BR);
        this.jumpTo(c);
      }
    }
    this.endBlock();
  }

  protected enterBlock(ins: Instr, v: FuncValidator, name: string): void {
    const params = v.blockParams(ins);
    const results = v.blockResults(ins);
    let cnd = -1;
    if (name === 'if') cnd = this.h - 1;
    const ctrl: Ctrl = {
      kind: name as Ctrl['kind'],
      height: this.h - params.length - (name === 'if' ? 1 : 0),
      params,
      results,
      labelPc: -1,
      fixups: [],
      elseFix: -1,
      dead: false,
    };
    if (name === 'block') {
      this.ctrls.push(ctrl);
      return;
    }
    if (name === 'loop') {
      this.materialize();
      this.ctrls.push(ctrl);
      this.endBlock();
      ctrl.labelPc = this.n;
      return;
    }
    // if: branch to the else arm (or past the end) when the condition is false
    if (this.fuseCompare(cnd, true)) {
      ctrl.elseFix = this.n;
      this.imm(-1);
      this.ctrls.push(ctrl);
      this.endBlock();
      return;
    }
    this.pop();
    this.materialize();
    this.op(Op.BR_UNLESS);
    this.src(cnd);
    ctrl.elseFix = this.n;
    this.imm(-1);
    this.ctrls.push(ctrl);
    this.endBlock();
  }

  protected resetTo(c: Ctrl, types: readonly ValType[]): void {
    while (this.h > c.height) this.pop();
    for (const t of types) this.pushTemp(t);
  }

  /** The arm before an else or catch clause (or a try's body) falls through to the frame's end; a new block starts. */
  protected armEnd(c: Ctrl, v: FuncValidator): void {
    if (!v.unreachable) {
      this.materialize();
      this.op(Op.BR);
      c.fixups.push(this.n);
      this.imm(-1);
    }
    this.endBlock();
  }

  protected elseArm(v: FuncValidator): void {
    const c = this.ctrls[this.ctrls.length - 1]!;
    this.armEnd(c, v);
    if (c.elseFix >= 0) {
      this.code[c.elseFix] = this.n;
      c.elseFix = -1;
    }
    this.resetTo(c, c.params);
  }

  protected endFrame(v: FuncValidator): void {
    const c = this.ctrls.pop()!;
    if (c.rows) for (const r of c.rows) r.end = this.n;
    if (c.kind === 'func') {
      if (!v.unreachable) {
        this.emitReturn();
        this.endBlock();
      }
      if (c.fixups.length > 0) {
        // branches to the function's label land here with the results at height 0
        this.bind(c.fixups);
        this.resetTo(c, c.results);
        this.emitReturn();
      }
      return;
    }
    if (!v.unreachable) this.materialize();
    if (c.kind === 'loop') {
      // falling out of a loop is not a label
      if (v.unreachable) this.resetTo(c, c.results);
      return;
    }
    const isLabel = c.fixups.length > 0 || c.elseFix >= 0;
    if (isLabel) {
      if (c.elseFix >= 0) {
        c.fixups.push(c.elseFix);
        c.elseFix = -1;
      }
      this.bind(c.fixups);
      this.resetTo(c, c.results);
    } else if (v.unreachable) this.resetTo(c, c.results);
  }


  /** br_on_null / br_on_non_null: REF_IS_NULL into a scratch slot above the reference, then a conditional branch. */
  protected brOnNull(depth: number, onNonNull: boolean): void {
    const { c, n } = this.labelTarget(depth);
    this.materialize();
    const r = this.h - 1;
    const tmp = this.pushTemp(I32);
    this.op(Op.REF_IS_NULL);
    this.dst(tmp);
    this.src(r);
    this.lastDst = -1;
    this.pop();
    // br_on_null carries the n values below the reference; br_on_non_null the n values ending with it
    const from = onNonNull ? this.h - n : this.h - 1 - n;
    const copy = (): void => {
      for (let j = 0; j < n; j++) {
        this.op(this.copyOp(this.type[from + j]!));
        this.dst(c.height + j);
        this.src(from + j);
      }
    };
    if (from === c.height || n === 0) {
      this.op(onNonNull ? Op.BR_UNLESS : Op.BR_IF);
      this.word(tmp, FIX_STACK);
      this.jumpTo(c);
    } else {
      this.op(onNonNull ? Op.BR_IF : Op.BR_UNLESS);
      this.word(tmp, FIX_STACK);
      const skip = this.n;
      this.imm(-1);
      copy();
      this.op(Op.BR);
      this.jumpTo(c);
      this.code[skip] = this.n;
    }
    if (onNonNull) this.pop();
    this.endBlock();
  }

  // ------------------------------------------------------------ compare-and-branch fusion

  /**
   * When the condition at height `cnd` is what the last op, an i32 compare,
   * just wrote (fast mode), pops it and rewrites that compare into its fused
   * branch (BR_FUSE: the op that branches when the compare is true, or with
   * `inverse` when it is false), its operands kept; the caller appends the
   * target. Returns false, changing nothing, when it cannot (also when a value
   * still aliases a local or constant: the branch must materialize first).
   */
  protected fuseCompare(cnd: number, inverse: boolean): boolean {
    if (
      this.exact ||
      this.kind[cnd] !== TEMP ||
      this.lastOpPos < 0 ||
      this.lastDst < 0 ||
      this.code[this.lastDst] !== cnd ||
      !BR_FUSE.has(this.lastOp)
    )
      return false;
    this.pop();
    if (this.aliased !== 0) {
      this.h++; // undo the pop (alias bookkeeping unaffected: TEMP)
      return false;
    }
    const [onTrue, onFalse] = BR_FUSE.get(this.lastOp)!;
    const start = this.lastOpPos;
    const prev = this.prevOpPos();
    const operands = this.code.slice(start + 2, this.n);
    const fixes = this.fix.slice(start + 2, this.n);
    this.n = start;
    this.opRunN--;
    const br = inverse ? onFalse : onTrue;
    const withAdd = ADD_THEN.get(br);
    if (withAdd !== undefined && prev >= 0 && prev + 4 === start && this.code[prev] === Op.I32_ADD) {
      // an i32.add just before the compare: the branch joins it (ADD_THEN, translate-state.ts)
      this.code[prev] = withAdd;
      this.lastOpPos = prev;
      this.lastOp = withAdd;
      this.lastDst = -1;
      // the op before the add may join too (THEN)
      this.fuseBack();
    } else {
      // the op before the compare is the last one again, so the branch may join it (THEN: ADD_ADD, ADD3)
      this.lastOpPos = prev;
      this.op(br);
    }
    for (let j = 0; j < operands.length; j++) {
      this.word(operands[j]!, fixes[j]!);
    }
    return true;
  }
}
