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
 * translate-state.ts); this file holds the sink's dispatch, unreachable code
 * and the finished code.
 */
import { FUNCREF, I32, I64, V128, isRef, refType } from '../core/types.js';
import type { Instr } from '../decoder/instr.js';
import type { CodeSink, FuncValidator } from '../validate/func.js';
import { Op } from './exec.js';
import { Compiled } from './compiled.js';
import { OpTranslator } from './translate-ops.js';
import { CONVERSIONS, SIMPLE } from './translate-tables.js';
import { FIX_CONST, FIX_EXN, FIX_NONE, FIX_STACK, LOCAL, TEMP, type Ctrl } from './translate-state.js';

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
    switch (name) {
      case 'nop':
        return;
      case 'unreachable':
        this.op(Op.UNREACHABLE);
        return;
      case 'drop':
        this.pop();
        return;
      case 'i32.const':
        this.constant(ins.a, ins.a >> 31, 0, 0, def.results![0]!);
        return;
      case 'f32.const':
        this.constant(ins.a, 0, 0, 0, def.results![0]!);
        return;
      case 'i64.const': {
        const v64 = BigInt.asUintN(64, ins.i64);
        this.constant(Number(v64 & 0xffffffffn) | 0, Number(v64 >> 32n) | 0, 0, 0, def.results![0]!);
        return;
      }
      case 'f64.const':
        this.constant(ins.lo, ins.hi, 0, 0, def.results![0]!);
        return;
      case 'v128.const': {
        const b = ins.v128;
        const w = (i: number): number => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
        this.constant(w(0), w(4), w(8), w(12), V128);
        return;
      }
      case 'local.get': {
        const t = this.localTypes[ins.a]!;
        if (this.exact || isRef(t)) {
          this.op(this.copyOp(t));
          this.dst(this.h);
          this.local(ins.a);
          this.pushTemp(t);
        } else this.push(LOCAL, ins.a, t);
        return;
      }
      case 'local.set':
      case 'local.tee': {
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
        return;
      }
      case 'global.get': {
        const t = v.vm.globals[ins.a]!.type;
        this.op(t === V128 ? Op.GLOBAL_GET_V : isRef(t) ? Op.GLOBAL_GET_R : Op.GLOBAL_GET);
        this.dst(this.h);
        this.imm(ins.a);
        this.pushTemp(t);
        return;
      }
      case 'global.set': {
        const i = this.pop();
        const t = this.type[i]!;
        this.op(t === V128 ? Op.GLOBAL_SET_V : isRef(t) ? Op.GLOBAL_SET_R : Op.GLOBAL_SET);
        this.imm(ins.a);
        this.src(i);
        return;
      }
      case 'select': {
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
        return;
      }
      case 'block':
      case 'loop':
      case 'if':
        this.enterBlock(ins, v, name);
        return;
      case 'else':
        this.elseArm(v);
        return;
      case 'end':
        this.endFrame(v);
        return;
      case 'br': {
        const { c, n } = this.labelTarget(ins.a);
        this.materialize();
        this.branchCopies(n, c.height);
        this.op(Op.BR);
        this.jumpTo(c);
        this.endBlock();
        return;
      }
      case 'br_if':
        this.brIf(ins.a);
        return;
      case 'br_table':
        this.brTable(ins);
        return;
      case 'br_on_cast':
      case 'br_on_cast_fail':
        this.brOnCast(ins, false);
        return;
      case 'br_on_cast_desc_eq':
      case 'br_on_cast_desc_eq_fail':
        this.brOnCast(ins, true);
        return;
      case 'return':
        this.emitReturn();
        this.endBlock();
        return;
      case 'call':
      case 'return_call': {
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
        return;
      }
      case 'call_indirect':
      case 'return_call_indirect': {
        this.callVia(name === 'call_indirect' ? Op.CALL_INDIRECT : Op.RETURN_CALL_INDIRECT, ins.a, [this.env.typeIds[ins.a]!, ins.b]);
        return;
      }
      case 'try_table':
      case 'try':
      case 'catch':
      case 'catch_all':
      case 'delegate':
      case 'throw':
      case 'throw_ref':
      case 'rethrow':
        this.exnInstr(ins, v, name);
        return;
      case 'call_ref':
      case 'return_call_ref':
        this.callVia(name === 'call_ref' ? Op.CALL_REF : Op.RETURN_CALL_REF, ins.a, []);
        return;
      case 'br_on_null':
      case 'br_on_non_null':
        this.brOnNull(ins.a, name === 'br_on_non_null');
        return;
      case 'ref.null':
        this.op(Op.CONST_NULL);
        this.dst(this.h);
        this.pushTemp(refType(ins.a, true));
        return;
      case 'ref.func':
        this.op(Op.REF_FUNC);
        this.dst(this.h);
        this.imm(ins.a);
        this.pushTemp(FUNCREF);
        return;
      case 'ref.is_null': {
        const a = this.pop();
        this.op(Op.REF_IS_NULL);
        this.dst(this.h);
        this.src(a);
        this.pushTemp(0x7f);
        return;
      }
      case 'ref.as_non_null': {
        const a = this.pop();
        const t = this.type[a]!;
        this.op(Op.REF_AS_NON_NULL);
        this.dst(this.h);
        this.src(a);
        this.pushTemp(t);
        return;
      }
      case 'memory.size': {
        this.op(Op.MEMORY_SIZE);
        this.dst(this.h);
        this.imm(ins.a);
        this.pushTemp(v.vm.memories[ins.a]!.addr === 'i64' ? I64 : I32);
        return;
      }
      case 'memory.grow': {
        const n = this.pop();
        this.op(Op.MEMORY_GROW);
        this.dst(this.h);
        this.src(n);
        this.imm(ins.a);
        this.pushTemp(this.type[n]!);
        this.materialize();
        this.endBlock();
        return;
      }
    }
    if (CONVERSIONS.has(name)) {
      const a = this.pop();
      this.op(Op.CONVERT);
      this.dst(this.h);
      this.src(a);
      this.imm(def.id);
      this.pushTemp(def.results![0]!);
      return;
    }
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
    const code = new Int32Array(this.code.length);
    for (let p = 0; p < code.length; p++) {
      const f = this.fix[p]!;
      const w = this.code[p]!;
      code[p] =
        f === FIX_STACK ? (this.nl + nc + nx + w) * 4 : f === FIX_CONST ? (this.nl + w) * 4 : f === FIX_EXN ? (this.nl + nc + w) * 4 : w;
    }
    const origAt = new Int32Array(this.code.length);
    for (let p = 0; p < this.origAt.length; p++) {
      const o = this.origAt[p];
      if (o !== undefined) origAt[p] = o;
    }
    const handlers = this.handlerTable(nc, nx);
    return { code, origAt, consts: this.consts, frameSlots: this.nl + nc + nx + this.maxH + 1, maxHeight: this.maxH, handlers, exnSlots: nx };
  }
}

export { CONVERSIONS } from './translate-tables.js';
export { Compiled };
