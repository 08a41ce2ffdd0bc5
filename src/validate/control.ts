/**
 * Control instructions the body loop leaves to this family: unreachable, nop, return, br_table, tail and
 * indirect calls, call_ref, the null branches, and the exception instructions (try_table; the legacy try,
 * catch, catch_all, delegate, rethrow; throw, throw_ref).
 */
import type { InstrDef } from '../core/instructions.js';
import { HEAP_CONCRETE, HeapType, REF_BASE, I32, type ValType } from '../core/types.js';
import type { Instr } from '../decoder/instr.js';
import { FrameKind, type Checker } from './checker.js';
import { EMPTY, codeTableByName, fmtTypes, refT, typeName } from './ops.js';
import { BOTTOM, HEAP_BOT } from './types.js';

const EXN_NONNULL: ValType = REF_BASE + HeapType.exn * 2;

const enum C {
  None = 0,
  Unreachable,
  Nop,
  Return,
  BrTable,
  ReturnCall,
  CallIndirect,
  ReturnCallIndirect,
  CallRef,
  ReturnCallRef,
  BrOnNull,
  BrOnNonNull,
  Try,
  Catch,
  CatchAll,
  Delegate,
  Rethrow,
  Throw,
  ThrowRef,
  TryTable,
}
const NAMES: Record<string, C> = {
  unreachable: C.Unreachable,
  nop: C.Nop,
  return: C.Return,
  br_table: C.BrTable,
  return_call: C.ReturnCall,
  call_indirect: C.CallIndirect,
  return_call_indirect: C.ReturnCallIndirect,
  call_ref: C.CallRef,
  return_call_ref: C.ReturnCallRef,
  br_on_null: C.BrOnNull,
  br_on_non_null: C.BrOnNonNull,
  try: C.Try,
  catch: C.Catch,
  catch_all: C.CatchAll,
  delegate: C.Delegate,
  rethrow: C.Rethrow,
  throw: C.Throw,
  throw_ref: C.ThrowRef,
  try_table: C.TryTable,
};
const CODES = codeTableByName(NAMES);

/** The family's instructions. */
export function isControl(d: InstrDef): boolean {
  return CODES[d.id] !== C.None;
}

/** Checks `ins` (definition `def`, one of this family's). */
export function checkControl(v: Checker, ins: Instr, def: InstrDef): void {
  const code = CODES[def.id] as C;
  switch (code) {
    case C.Unreachable:
      v.setUnreachable();
      return;
    case C.Nop:
      return;
    case C.Return:
      v.popVals(v.results);
      v.setUnreachable();
      return;
    case C.BrTable: {
      v.pop(I32);
      const dflt = v.label(ins.a);
      const arity = dflt.length;
      const labels = ins.labels;
      for (let i = 0; i < labels.length; i++) {
        const ts = v.label(labels[i]!);
        if (ts.length !== arity) v.fail('type mismatch: br_table targets have inconsistent arity');
        v.peekVals(ts);
      }
      v.popVals(dflt);
      v.setUnreachable();
      return;
    }
    case C.ReturnCall: {
      const ft = v.funcSig(ins.a);
      v.popVals(ft.params);
      v.checkReturn(ft.results);
      v.setUnreachable();
      return;
    }
    case C.CallIndirect:
    case C.ReturnCallIndirect: {
      const tabAddr = v.tableAddr(ins.b);
      const tabElem = v.tableElem(ins.b);
      if (!v.isSub(tabElem, refT(HeapType.func, true))) v.fail('type mismatch: call_indirect requires a function table');
      const ft = v.funcTypeAt(ins.a);
      v.pop(tabAddr);
      v.popVals(ft.params);
      if (code === C.CallIndirect) v.pushAll(ft.results);
      else {
        v.checkReturn(ft.results);
        v.setUnreachable();
      }
      return;
    }
    case C.CallRef:
    case C.ReturnCallRef: {
      const ft = v.funcTypeAt(ins.a);
      v.pop(refT(HEAP_CONCRETE + ins.a, true));
      v.popVals(ft.params);
      if (code === C.CallRef) v.pushAll(ft.results);
      else {
        v.checkReturn(ft.results);
        v.setUnreachable();
      }
      return;
    }
    case C.BrOnNull: {
      const ts = v.label(ins.a);
      const t = v.popRef();
      v.popVals(ts);
      v.pushAll(ts);
      v.push(t === BOTTOM ? refT(HEAP_BOT, false) : t - ((t - REF_BASE) & 1));
      return;
    }
    case C.BrOnNonNull: {
      const ts = v.label(ins.a);
      const n = ts.length;
      if (n === 0) v.fail('type mismatch: br_on_non_null requires a reference label');
      const last = ts[n - 1]!;
      const t = v.popRef();
      const nn = t === BOTTOM ? refT(HEAP_BOT, false) : t - ((t - REF_BASE) & 1);
      if (!v.isSub(nn, last)) v.fail(`type mismatch: instruction requires [${typeName(last)}] but stack has [${typeName(t)}]`);
      v.popVals(ts, 0, n - 1);
      for (let i = 0; i < n - 1; i++) v.push(ts[i]!);
      return;
    }
    case C.Try: {
      const ps = v.blockParamsChecked(ins);
      const rs = v.blockResults(ins);
      v.popVals(ps);
      v.pushCtrl(FrameKind.Try, ps, rs);
      return;
    }
    case C.Catch: {
      const f = v.frame(0);
      if (f.kind !== FrameKind.Try && f.kind !== FrameKind.Catch) v.fail('catch without try');
      const tp = v.tagParams(ins.a);
      v.popCtrl();
      v.pushCtrl(FrameKind.Catch, EMPTY, f.results);
      v.pushAll(tp);
      return;
    }
    case C.CatchAll: {
      const f = v.frame(0);
      if (f.kind !== FrameKind.Try && f.kind !== FrameKind.Catch) v.fail('catch_all without try');
      v.popCtrl();
      v.pushCtrl(FrameKind.CatchAll, EMPTY, f.results);
      return;
    }
    case C.Delegate: {
      const f = v.frame(0);
      if (f.kind !== FrameKind.Try) v.fail('delegate without try');
      v.popCtrl();
      if (ins.a >= v.ctrlDepth) v.fail(`unknown label ${ins.a}`);
      v.pushAll(f.results);
      return;
    }
    case C.Rethrow: {
      if (ins.a >= v.ctrlDepth) v.fail(`unknown label ${ins.a}`);
      const k = v.frame(ins.a).kind;
      if (k !== FrameKind.Catch && k !== FrameKind.CatchAll) v.fail('invalid rethrow label');
      v.setUnreachable();
      return;
    }
    case C.Throw:
      v.popVals(v.tagParams(ins.a));
      v.setUnreachable();
      return;
    case C.ThrowRef:
      v.pop(REF_BASE + HeapType.exn * 2 + 1);
      v.setUnreachable();
      return;
    case C.TryTable: {
      const ps = v.blockParamsChecked(ins);
      const rs = v.blockResults(ins);
      const cs = ins.catches;
      for (let i = 0; i < cs.length; i++) {
        const c = cs[i]!;
        const lt = v.label(c.label);
        const tp = c.kind < 2 ? v.tagParams(c.tag) : EMPTY;
        const withRef = c.kind === 1 || c.kind === 3 ? 1 : 0;
        let ok = lt.length === tp.length + withRef;
        for (let j = 0; ok && j < tp.length; j++) ok = v.isSub(tp[j]!, lt[j]!);
        if (ok && withRef) ok = v.isSub(EXN_NONNULL, lt[tp.length]!);
        if (!ok) v.fail(`type mismatch: catch handler type does not match label ${fmtTypes(lt)}`);
      }
      v.popVals(ps);
      v.pushCtrl(FrameKind.TryTable, ps, rs);
      return;
    }
  }
}
