/**
 * Calls in the JS tier: direct and indirect calls of JS versions, nested
 * interpreter runs and host functions; tail calls handed to the interpreter.
 */
import { I32, I64, V128, isRef, type FuncType, type ValType } from '../core/types.js';
import type { Instr } from '../decoder/instr.js';
import { Op } from '../interp/exec.js';
import { HostFunc, WasmFunc } from '../runtime/objects/func.js';
import * as RT from './rt.js';
import * as X from '../interp/exceptions.js';
import { JsVectors } from './gen-vectors.js';
import { keepsViews } from './keeps-views.js';
import { callResult, callStatement, letGoCall, numResult, passable, refArgs, rvResult, type RefArgs } from './ref-args.js';
import { EX_CALL, EX_CATCH, EX_HANDOFF, EX_NO_FUEL, EX_SUSPENDED, FD_RELOAD, MEM_RELOAD, VAR, isNum, no } from './gen-types.js';

export abstract class JsCalls extends JsVectors {
  /** Fast-code pc -> how many rows of the handler table cover it (prefix sums; null: the function has no handlers). */
  private cover: Int32Array | null | undefined = undefined;

  /** Whether a throw at fast-code `pc` may be caught in this frame (a handler row covers it). */
  protected inTry(pc: number): boolean {
    if (this.cover === undefined) {
      const h = this.cc.handlers;
      this.cover = null;
      if (h !== null) {
        // (linear in the code and the rows, however deep the trys nest)
        const c = new Int32Array(this.code.length + 1);
        for (let r = 0; r < h.length; r += X.H_STRIDE) {
          c[h[r + X.H_START]!]!++;
          c[h[r + X.H_END]!]!--;
        }
        for (let p = 1; p < c.length; p++) c[p]! += c[p - 1]!;
        this.cover = c;
      }
    }
    return this.cover !== null && this.cover[pc]! > 0;
  }

  /**
   * A call statement at fast-code `pc` that may throw a wasm exception: inside a try, a JS try/catch whose catch
   * writes the stack below the call (`spill`) and exits to the epilogue, which looks the exception up in the
   * handler table (EX_CATCH, rt.ts catchHere); traps and host errors pass through untouched.
   */
  protected mayThrow(stmt: string, pc: number, spill: string): string {
    if (!this.inTry(pc)) return stmt;
    const x = this.exit(EX_CATCH, pc, this.blkPc);
    return `try { ${stmt} } catch (err) { if (!isExn(err)) throw err; xe = err; S = mc.s;${FD_RELOAD} ${spill}ex = ${x}; break X; }`;
  }

  /**
   * Writes a call's arguments to their slots, but for the reference arguments it can pass as JS arguments
   * to a generated callee (ref-args.ts): those are in `this.refs` (`js`, and `slots` for the other paths), and
   * the statements that let go of stack variables passed so (`this.refsAfter`) follow the call.
   */
  protected callArgs(params: readonly ValType[], rv = false, num = false): number {
    const base = this.st.length - params.length;
    // (strings built in the loop, not arrays joined: an empty array has another map than a filled one, and the
    // optimised code checked it: "wrong map" at the first call without reference arguments, jit-gen-feedback)
    let js = '';
    let n = 0;
    let slots = '';
    let after = '';
    for (let j = 0; j < params.length; j++) {
      const e = this.st[base + j]!;
      if (isRef(e.t) !== isRef(params[j]!) || (!isRef(e.t) && e.t !== params[j])) no('argument type');
      const store = this.store(e, this.stackWord(base + j));
      const pass = passable(e);
      if (isRef(params[j]!)) {
        js += `, ${pass ? e.e : 'undefined'}`;
        n++;
      }
      // (a reference's store is one assignment: `RF[...] = e;`)
      if (pass) slots += (slots === '' ? '' : ', ') + store.slice(0, -1);
      else this.w(store);
      // a reference in a stack variable: the variable lets go of it, as the callee's parameter slot does
      // (dropRef), or the variable keeps it alive through the call (V8 scans unoptimized frames whole)
      if (isRef(e.t) && e.k === VAR && e.e === this.varName(e.t, base + j) && !this.mentioned(e.e, base + j)) {
        if (pass) after += `${e.e} = null; `;
        else this.w(`${e.e} = null;`);
      }
    }
    this.refs = refArgs(js, n, slots, rv, num);
    this.refsAfter = after;
    for (let j = 0; j < params.length; j++) this.pop();
    return base;
  }
  /** The reference arguments of the call callArgs prepared. */
  private refs: RefArgs = { js: '', slots: '', n: 0, rv: '', num: false };
  private refsAfter = '';
  /** After a call that passed references as JS arguments: the statement that lets go of its argument registers (ref-args.ts letGo). */
  private letGoArgs(): string {
    return this.refs.n === 0 ? '' : ' ' + letGoCall(6 + this.refs.n);
  }
  /** `call` with the reference arguments' slot writes first (a call of the interpreter or of a host function). */
  private slotted(call: string): string {
    return this.refs.slots === '' ? call : `(${this.refs.slots}, ${call})`;
  }
  /** Whether an entry of the mirror other than the one at height i reads variable `name`. */
  private mentioned(name: string, i: number): boolean {
    const re = new RegExp(`\\b${name}\\b`);
    return this.st.some((o, k) => k !== i && (re.test(o.e) || re.test(o.h) || re.test(o.c)));
  }
  protected callResults(results: readonly ValType[], base: number): void {
    if (this.refs.num) {
      // the callee was asked for its i32 result as the JS return value (ref-args.ts numResult), and did not stop
      this.pushStmt(I32, 'rr');
      return;
    }
    if (this.refs.rv !== '') {
      // the callee was asked for its reference result as the JS return value (ref-args.ts refResult)
      const r = callResult(`RF[(fp >> 2) + ${this.stackWord(base) >> 2}]`);
      this.pushStmt(results[0]!, r.e);
      this.w(r.after);
      return;
    }
    for (let j = 0; j < results.length; j++) {
      const t = results[j]!;
      const ws = this.load(t, this.stackWord(base + j));
      if (t === I64) this.pushI64((l, h) => `${l} = ${ws[0]}; ${h} = ${ws[1]};`);
      else if (t === V128) this.pushV128((d) => d.map((x, k) => `${x} = ${ws[k]};`).join(' '));
      else this.pushStmt(t, ws[0]!);
      // a reference result: the slot lets go of it (a stale slot above the frames would keep it alive)
      if (isRef(t)) this.w(this.dropRef(this.stackWord(base + j)));
    }
  }
  protected selfName(): string {
    return `wasm_func_${this.cc.func.index}`;
  }

  /**
   * After a call: the views (the callee may have grown the value stack or a memory) and, on a stop (`st < 0`),
   * this frame's exit; else the fuel the callee returned (tier.ts JitFn, rt.ts callHost). On a stop the fuel is
   * the machine's (a host suspension has paid its surcharge; a JS callee's stop saved its own). `x`: the exit of
   * a call that reaches generated code or the interpreter only (EX_CALL, which does not read `fuel`), whose
   * test the next block's check may share (gen-fuel.ts blockStart makes it EX_POST); else -1, and `exit` reads
   * the fuel (a host call's stops save the frame with it). `keeps`: the callee cannot grow a memory nor run code
   * the module does not know (keeps-views.ts), so the memory views stay as they are.
   */
  protected afterCall(exit: string, next: number, spill: string, type: FuncType, x = -1, keeps = false): void {
    // the memory views are reloaded only in functions that access memory (see build)
    this.fuelChanged();
    this.w(`S = mc.s;${FD_RELOAD}${keeps ? '' : MEM_RELOAD}`);
    this.w(`if (st < 0) { ${x < 0 ? 'fuel = mc.fuel; ' : ''}${exit} break X; } fuel = st;`);
    // the next block's check may test st with this one (blockStart): only where what is written before that block
    // starts reads the results into variables and changes nothing (no reference slot let go of)
    if (this.mc.counting && !type.params.some(isRef) && !type.results.some(isRef)) this.postCall = { line: this.o.length - 1, next, exit, spill, x };
  }
  protected checkTypes(ts: readonly ValType[]): void {
    for (const t of ts) if (!isNum(t)) no('call type');
  }

  protected call(fi: number, offset: number): void {
    const callee = this.inst.funcs[fi]!;
    const type = callee.type;
    this.checkTypes(type.params);
    this.checkTypes(type.results);
    const callPc = this.opPc(offset, Op.CALL);
    const next = callPc + 3;
    if (this.code[next] !== Op.FUEL) no('call continuation');
    const base = this.callArgs(type.params, callee instanceof WasmFunc && rvResult(type), numResult(type));
    const off = this.stackWord(base);
    // (none for a recursive call, which names the function itself)
    const fn = callee === this.cc.func ? '' : this.env(callee);
    const spill = this.spill(base);
    if (callee instanceof WasmFunc) {
      const x = this.exit(EX_CALL, next, this.blkPc);
      // (the depth limit is the callee's to check: its prologue, rt.ts enter, or callSlow)
      this.noRefund();
      if (callee === this.cc.func) {
        // a recursive call: this very function
        // (the JS stack budget is the callee's to check, in its prologue: rt.ts enter)
        this.w(this.mayThrow(`${callStatement(`${this.selfName()}(E, mc, fp + ${off}, d1, jw, 0, fuel`, this.refs, null, `${off}`)}${this.letGoArgs()}`, callPc, spill));
      } else {
        // (the callee's closure shared by every instance, with this instance's environment: WasmFunc.jitS)
        this.w(`jf = ${fn}.jitS;`);
        this.w(this.mayThrow(`${callStatement(`jf !== null ? jf(${fn}.jitE, mc, fp + ${off}, d1, jw, 0, fuel`, this.refs, this.slotted(`callSlow(mc, ${fn}, fp + ${off}, d1, jw, fuel)`), `${off}`)}${this.letGoArgs()}`, callPc, spill));
      }
      if (this.refsAfter !== '') this.w(this.refsAfter);
      this.afterCall(`${spill}ex = ${x};`, next, spill, type, x, keepsViews(this.inst.vm, fi));
    } else if (callee instanceof HostFunc) {
      const xf = this.exit(EX_NO_FUEL, callPc, this.blkPc);
      const xs = this.exit(EX_SUSPENDED, next, this.blkPc);
      this.w(`mc.depth = depth; mc.sp = fp + ${this.cc.frameWords};`);
      this.w(this.mayThrow(`st = ${this.slotted(`callHost(mc, ${fn}, fp + ${off}, ${this.env(this.inst)}, jw, fuel)`)};`, callPc, spill));
      if (this.refsAfter !== '') this.w(this.refsAfter);
      this.afterCall(`${spill}ex = st === ${RT.HOST_STOP_NO_FUEL} ? ${xf} : ${xs};`, next, spill, type);
    } else no('callee');
    this.callResults(type.results, base);
    if (callee instanceof HostFunc) this.dropArgs(type, base);
  }

  /**
   * After a call that may have been a host function's: its reference arguments stay in their slots (a
   * generated callee clears its own), so the slots let go of them (dropRef; the results' were cleared when read).
   */
  protected dropArgs(type: FuncType, base: number): void {
    type.params.forEach((t, j) => {
      if (isRef(t) && !(j < type.results.length && isRef(type.results[j]!))) this.w(this.dropRef(this.stackWord(base + j)));
    });
  }

  /**
   * A tail call: the interpreter makes it (it replaces the frame, so deep tail
   * recursion needs no stack). Everything goes to the frame's slots and the
   * interpreter continues at the RETURN_CALL op, this block already paid.
   */
  protected tailCall(ins: Instr, name: string): void {
    const op = name === 'return_call' ? Op.RETURN_CALL : name === 'return_call_ref' ? Op.RETURN_CALL_REF : Op.RETURN_CALL_INDIRECT;
    const pc = this.opPc(ins.offset, op);
    let s = this.spill(this.st.length);
    if (name !== 'return_call') {
      // the index (reference) is read from the slot the translator gave it (maybe a local's or a constant's)
      const idx = this.st[this.st.length - 1]!;
      s += this.store(idx, this.code[pc + (op === Op.RETURN_CALL_REF ? 1 : 3)]!) + ' ';
    }
    const x = this.exit(EX_HANDOFF, pc, this.blkPc);
    this.w(`${s}ex = ${x}; break X;`);
  }

  protected callIndirect(ti: number, tab: number, offset: number): void {
    const table = this.inst.tables[tab]!;
    const tid = this.inst.translateEnv.typeIds[ti]!;
    const callPc = this.opPc(offset, Op.CALL_INDIRECT);
    const next = callPc + 5;
    const idx = this.pop();
    const T = this.env(table);
    // the index also goes to its slot: a host callee without fuel resumes at the interpreter's CALL_INDIRECT, which reads it there
    this.w(`${this.store(idx, this.stackWord(this.st.length))} ea = ${idx.e} >>> 0;`);
    this.w(`if (ea >= ${T}.elems.length${table.is64 ? ` || ${idx.h} !== 0` : ''}) ${this.trap(RT.TRAP_UNDEF_ELEM)}`);
    this.w(`cf = ${T}.elems[ea]; if (cf === null || cf === undefined) throw trapUninit(mc, ${this.fuelAfterTrap()}, ea);`);
    this.w(`if (cf.typeId !== ${tid} && !mc.typeMatches(cf.typeId, ${tid})) ${this.trap(RT.TRAP_SIG)}`);
    this.callCf(ti, callPc, next);
  }

  /** The call of `cf` (type index ti) by call_indirect or call_ref at callPc, continuing at next. */
  protected callCf(ti: number, callPc: number, next: number): void {
    const ft = this.inst.vm.module.types[ti]!.comp as FuncType;
    this.checkTypes(ft.params);
    this.checkTypes(ft.results);
    if (this.code[next] !== Op.FUEL) no('call continuation');
    const base = this.callArgs(ft.params);
    const off = this.stackWord(base);
    const spill = this.spill(base);
    const xc = this.exit(EX_CALL, next, this.blkPc);
    const xf = this.exit(EX_NO_FUEL, callPc, this.blkPc);
    const xs = this.exit(EX_SUSPENDED, next, this.blkPc);
    const WF = this.env(WasmFunc);
    this.noRefund();
    this.w(
      this.mayThrow(
        `if (cf instanceof ${WF}) { jf = cf.jitS; ` +
          // (a refResult or numResult callee's RV too, as undefined: its result in its slot; every argument, noJsArgs)
          `st = jf !== null ? jf(cf.jitE, mc, fp + ${off}, d1, jw, 0, fuel${this.refs.js}${rvResult(ft) ? ', undefined' : ''}) : ${this.slotted(`callSlow(mc, cf, fp + ${off}, d1, jw, fuel)`)};${this.letGoArgs()} } ` +
          `else { mc.depth = depth; mc.sp = fp + ${this.cc.frameWords}; st = ${this.slotted(`callHost(mc, cf, fp + ${off}, ${this.env(this.inst)}, jw, fuel)`)}; }`,
        callPc,
        spill,
      ),
    );
    if (this.refsAfter !== '') this.w(this.refsAfter);
    this.afterCall(`${spill}ex = st === ${RT.HOST_STOP_NO_FUEL} ? ${xf} : st === ${RT.HOST_STOP_SUSPENDED} ? ${xs} : ${xc};`, next, spill, ft);
    this.callResults(ft.results, base);
    this.dropArgs(ft, base);
  }
}
