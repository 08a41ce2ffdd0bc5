/**
 * Exception handling in the translator (see translate-state.ts for its
 * layers): try_table and the legacy try/catch/catch_all/delegate become rows
 * of a handler table (exceptions.ts runs it), throw/throw_ref/rethrow a MISC
 * op; a legacy catch arm holds its exception in a hidden slot between the
 * constants and the operand stack.
 */
import type { FuncType, ValType } from '../core/types.js';
import type { Instr } from '../decoder/instr.js';
import type { FuncValidator } from '../validate/func.js';
import { Op } from './exec.js';
import * as X from './exceptions.js';
import { ControlTranslator } from './translate-control.js';
import { FIX_EXN, FIX_STACK, type HRow } from './translate-state.js';

export class ExnTranslator extends ControlTranslator {
  protected seqN = 0;
  /** Hidden exception slots (deepest nesting of legacy trys). */
  protected nx = 0;

  protected tagParams(v: FuncValidator, x: number): readonly ValType[] {
    return (v.vm.module.types[v.vm.tagTypes[x]!]!.comp as FuncType).params;
  }

  /** MISC defId 0 s0 0 0 i0 0 0 0 for throw / throw_ref / rethrow (s0 relocated by `fix`). */
  protected miscThrow(defId: number, s0: number, fix: number, i0: number): void {
    this.op(Op.MISC);
    this.imm(defId);
    this.imm(0);
    this.word(s0, fix);
    this.imm(0);
    this.imm(0);
    this.imm(i0);
    this.imm(0);
    this.imm(0);
    this.imm(0);
  }

  protected exnInstr(ins: Instr, v: FuncValidator, name: string): void {
    switch (name) {
      case 'try_table': {
        // catch labels count from outside the try_table
        const seq = ++this.seqN;
        const rows: HRow[] = [];
        const cs = ins.catches;
        for (let ord = 0; ord < cs.length; ord++) {
          const cl = cs[ord]!;
          const { c } = this.labelTarget(cl.label);
          const row: HRow = { seq, ord, start: -1, end: -1, kind: cl.kind, tag: cl.kind < 2 ? cl.tag : -1, target: -1, height: c.height, exn: -1, limit: 0 };
          if (c.kind === 'loop') row.target = c.labelPc;
          else c.fixups.push(~this.rows.length);
          this.rows.push(row);
          rows.push(row);
        }
        this.enterBlock(ins, v, 'block');
        const t = this.ctrls[this.ctrls.length - 1]!;
        t.seq = seq;
        t.rows = rows;
        for (const r of rows) r.start = this.n;
        this.lastOpPos = -1; // no op fuses across the start of a handler's range
        return;
      }
      case 'try': {
        this.enterBlock(ins, v, 'block');
        const t = this.ctrls[this.ctrls.length - 1]!;
        let k = 0;
        for (const c of this.ctrls) if (c.legacy) k++;
        t.kind = 'try';
        t.seq = ++this.seqN;
        t.legacy = { start: this.n, bodyEnd: -1, exn: k, ord: 0 };
        this.lastOpPos = -1; // no op fuses across the start of a handler's range
        if (k + 1 > this.nx) this.nx = k + 1;
        return;
      }
      case 'catch':
      case 'catch_all': {
        const c = this.ctrls[this.ctrls.length - 1]!;
        const L = c.legacy!;
        if (L.bodyEnd < 0) L.bodyEnd = this.n;
        // the body or the previous arm falls through to the end (like else)
        this.armEnd(c, v);
        const isCatch = name === 'catch';
        this.rows.push({
          seq: c.seq!,
          ord: L.ord++,
          start: L.start,
          end: L.bodyEnd,
          kind: isCatch ? X.HK_LEGACY_CATCH : X.HK_LEGACY_CATCH_ALL,
          tag: isCatch ? ins.a : -1,
          target: this.n,
          height: c.height,
          exn: L.exn,
          limit: 0,
        });
        this.resetTo(c, isCatch ? this.tagParams(v, ins.a) : []);
        return;
      }
      case 'delegate': {
        const n = this.ctrls.length;
        const c = this.ctrls[n - 1]!;
        // the label counts from the try's enclosing frame; handlers of trys up to it still apply
        const ti = n - 2 - ins.a;
        let limit = 0;
        for (let i = 0; i <= ti; i++) limit = Math.max(limit, this.ctrls[i]!.seq ?? 0);
        const L = c.legacy!;
        this.rows.push({ seq: c.seq!, ord: 0, start: L.start, end: this.n, kind: X.HK_DELEGATE, tag: -1, target: -1, height: -1, exn: -1, limit });
        this.endFrame(v);
        return;
      }
      case 'throw': {
        const np = this.tagParams(v, ins.a).length;
        this.materialize();
        this.miscThrow(ins.def.id, this.h - np, FIX_STACK, ins.a);
        for (let j = 0; j < np; j++) this.pop();
        // like br: what follows in straight-line code (after a try_table's end that is no label) is another block
        this.endBlock();
        return;
      }
      case 'throw_ref': {
        this.materialize();
        this.miscThrow(ins.def.id, this.pop(), FIX_STACK, 0);
        this.endBlock();
        return;
      }
      case 'rethrow': {
        this.materialize();
        const c = this.ctrls[this.ctrls.length - 1 - ins.a]!;
        // a try entered in unreachable code has no hidden slot (and its arm never runs)
        if (!c.legacy) this.op(Op.UNREACHABLE);
        else this.miscThrow(ins.def.id, c.legacy.exn, FIX_EXN, 0);
        this.endBlock();
        return;
      }
    }
  }

  /** The handler table (exceptions.ts: H_STRIDE words per row, innermost first) in the final frame layout, or null. */
  protected handlerTable(nc: number, nx: number): Int32Array | null {
    if (this.rows.length === 0) return null;
    const rows = [...this.rows].sort((a, b) => b.seq - a.seq || a.ord - b.ord);
    const handlers = new Int32Array(rows.length * X.H_STRIDE);
    rows.forEach((r, i) => {
      const o = i * X.H_STRIDE;
      handlers[o + X.H_START] = r.start;
      handlers[o + X.H_END] = r.end;
      handlers[o + X.H_KIND] = r.kind;
      handlers[o + X.H_TAG] = r.tag;
      handlers[o + X.H_TARGET] = r.target;
      handlers[o + X.H_SLOT] = r.height >= 0 ? (this.nl + nc + nx + r.height) * 4 : 0;
      handlers[o + X.H_AUX] = r.kind === X.HK_DELEGATE ? r.limit : r.exn >= 0 ? (this.nl + nc + r.exn) * 4 : 0;
      handlers[o + X.H_SEQ] = r.seq;
    });
    return handlers;
  }
}
