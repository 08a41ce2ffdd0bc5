/**
 * Control in the JS tier: blocks, loops and ifs as labeled JS blocks, loops
 * and ifs (with the guards of loop re-entry and the places of counted
 * copies), the fuel links where arms merge, branches and returns.
 */
import { V128, I64, type ValType } from '../core/types.js';
import type { Instr } from '../decoder/instr.js';
import type { FuncValidator } from '../validate/func.js';
import { JsCalls } from './gen-calls.js';
import { numResult, numReturn, refReturn } from './ref-args.js';
import { Op } from '../interp/exec.js';
import * as RT from './rt.js';
import { CATCH_ARM, CL_EXIT, EX_CATCH, TRY_FRAME, fuelLink, newCtrl, no, type Counted, type Ctrl, type FuelBlock, type FuelLink, type FuelPart } from './gen-types.js';

export abstract class JsControl extends JsCalls {
  protected enter(ins: Instr, v: FuncValidator, name: string): void {
    this.fcache.clear();
    const params = v.blockParams(ins);
    const results = v.blockResults(ins);
    const label = `L${this.nLabel++}`;
    const id = this.nCtrl++;
    // (an if forks the path; a try's body is left for its handlers by calls and throws)
    if (name !== 'block' && name !== 'loop') this.straight = false;
    const scan = this.scan;
    if (name === 'if') {
      const c = this.pop();
      this.matAll();
      const cond = this.cond(c);
      const wrap = this.beforeChild(id);
      const osr = scan.hasLoop[id]!;
      // (the block of the `if` may leave its cost to its arms when it is a chain of its own whose cost nothing
      // else pays or used: no exits, calls or surcharges in it, not prepaid by the arms of an if/else before it)
      const blk = this.fblk;
      const ifBlk = blk !== null && blk.chain.head === blk && !blk.paid && !this.blkTouched ? blk : null;
      const then = scan.thenLoops.get(id)!;
      const ctrl = newCtrl('if', this.st.length - params.length, params, results, label, false, osr, wrap, then.n > 0 ? then.last : -1);
      ctrl.osrElse = scan.loops[id]!.last;
      ctrl.fuelElse = this.fuelHere;
      ctrl.armFrom = this.fuelBlocks.length;
      ctrl.ifBlk = ifBlk;
      this.ctrls.push(ctrl);
      this.pendingArm = ctrl;
      this.pendingElse = false;
      // re-entering a loop inside: the arm that holds it, whatever the condition
      // (osr is 0 or one of the if's loops here, those of the then-arm first)
      const into = then.n > 0 ? `osr <= ${then.last + 1}` : 'false';
      this.raw(osr ? `${label}: if (osr === 0 ? ${cond} : ${into}) {` : `${label}: if (${cond}) {`);
      if (!osr && blk !== null && this.fuelHere !== null) {
        // the then arm leaves the chain of the block of the `if` like a br_if's taken edge, should the block after
        // the if join it (end: when nothing but the false edge reaches it)
        this.raw(this.prepaidEdge(true));
        ctrl.condBlk = blk;
        ctrl.condLine = this.o.length - 1;
      }
      this.chainNext(false);
      return;
    }
    if (name === 'loop') {
      this.matAll();
      const wrap = this.beforeChild(id);
      const from = this.straight ? this.fblk : null;
      const ctrl = newCtrl('loop', this.st.length - params.length, params, results, label, false, scan.inner[id]!, wrap, scan.loops[id]!.last);
      ctrl.entry = this.fuelHere;
      ctrl.from = from;
      this.ctrls.push(ctrl);
      // a re-entry at this loop's head ends here: the rest runs as usual
      const innermost = !scan.inner[id];
      // a re-entry at the head of an innermost loop ends before it (nothing in its body is skipped):
      // a test of osr in every iteration costs V8 more than the test itself (it blocks its loop optimisations)
      if (innermost) this.raw(`if (osr === ${id + 1}) osr = 0;`);
      const osrLine = this.o.length - 1;
      // (before the place of a counted copy: it reads them too)
      ctrl.pins = this.hoistLanes(id);
      if (this.mc.counting && innermost) {
        // a place for its counted copy, should it get one
        this.raw('');
        const cd: Counted = {
          depth: this.ctrls.length - 1,
          place: this.o.length - 1,
          osrLine,
          endLine: -1,
          head: null,
          root: null,
          bad: false,
          wn: 0,
          writes: new Map(),
          upd: new Map(),
          backs: 0,
          back: null,
          exits: [],
          endSite: -1,
          sites: new Map(),
          plan: null,
        };
        this.cand = cd;
        this.counted.push(cd);
      }
      this.raw(innermost ? `${label}: for (;;) {` : `${label}: for (;;) { if (osr === ${id + 1}) osr = 0;`);
      this.pendingOsr = id + 1;
      return;
    }
    const wrap = this.beforeChild(id);
    this.ctrls.push(newCtrl('block', this.st.length - params.length, params, results, label, false, scan.hasLoop[id]!, wrap, scan.loops[id]!.last));
    this.raw(`${label}: {`);
  }

  protected resetTo(c: Ctrl, types: readonly ValType[]): void {
    while (this.st.length > c.height) this.pop();
    for (const t of types) this.pushVar(t, this.st.length);
  }

  protected elseArm(v: FuncValidator, live = !v.unreachable): void {
    this.fcache.clear();
    this.straight = false;
    const c = this.ctrls[this.ctrls.length - 1]!;
    if (live) for (let i = this.st.length - c.results.length; i < this.st.length; i++) this.matAt(i);
    this.closeGuard(c);
    this.raw('} else {');
    // (a re-entry passes the else arm only on the way to its loops, the if's last ones)
    c.osrLast = c.osrElse ?? -1;
    this.resetTo(c, c.params);
    c.thenEnd = !live ? 'dead' : this.fuelHere;
    c.thenBlk = !live ? null : this.fblk;
    c.elseFrom = this.fuelBlocks.length;
    this.pendingArm = c;
    this.pendingElse = true;
    // the else arm is entered from the block of the `if` only
    this.fuelNext = c.fuelElse ?? null;
    this.fuelHere = c.fuelElse ?? null;
  }

  /**
   * The end of an if that no branch targets: the block after it (if one
   * starts there) is reached from the ends of its arms only (or the if's
   * false edge), so it is covered by the roots of all of them.
   */
  protected mergeArms(c: Ctrl, live: boolean): FuelLink | null {
    const preds: (FuelLink | null)[] = [];
    if (live) preds.push(this.fuelHere);
    if (c.thenEnd === undefined) preds.push(c.fuelElse ?? null);
    else if (c.thenEnd !== 'dead') preds.push(c.thenEnd);
    // a targeted if: the branches to its end come in too, and pay nothing ahead for the block there
    if (c.targeted) return this.joinLink(c, preds);
    const parts = this.joinParts(preds);
    if (parts === null) return null;
    // with an else, the blocks the arms end in prepay the block after it (without one, the false
    // edge comes from the block of the `if`, which the then arm's path runs through too)
    // (and only blocks of the arms' own: an arm without a block of its own ends in the block before it)
    let paidBy: FuelBlock[] | null = null;
    if (c.thenEnd !== undefined) {
      const elseBlk = live ? this.fblk : null;
      const thenBlk = c.thenEnd === 'dead' ? null : (c.thenBlk ?? null);
      const own = (b: FuelBlock | null, from: number): boolean => b !== null && b.id >= from;
      if ((!live || own(elseBlk, c.elseFrom!)) && (c.thenEnd === 'dead' || own(thenBlk, c.armFrom!))) paidBy = [elseBlk, thenBlk].filter((b) => b !== null);
    }
    return fuelLink(parts, null, paidBy);
  }

  /**
   * The end of a block or if that branches target: the block after it (if one starts there) is reached from the
   * end of its body (`preds`) and the branches to it only (Ctrl.edges, all earlier in the code: a forward label),
   * so when the fuel is known on every one of them it needs no check of its own: the roots of all of them check
   * for it (build() patches their maxes), and it subtracts its own cost. Exact: the check that would have failed
   * here fails at one of those roots, whose handoff gives the interpreter the frame at that block start with the
   * fuel as it was, and the interpreter's exact twin stops where the fuel runs out.
   */
  protected joinLink(c: Ctrl, preds: (FuelLink | null)[]): FuelLink | null {
    if (!c.targeted || c.edges === undefined) return null;
    const parts = this.joinParts([...preds, ...c.edges]);
    // (the check of a loop's head stays what counted copies and re-entries read: a join after the loop checks itself)
    return parts === null || parts.some((p) => p.root.loop === true) ? null : fuelLink(parts, null, null);
  }

  /** The roots covering all of `preds`, each with the largest acc it has among them; null when one is unknown. */
  private joinParts(preds: (FuelLink | null)[]): FuelPart[] | null {
    if (preds.length === 0) return null;
    const parts: FuelPart[] = [];
    for (const p of preds) {
      if (p === null) return null;
      for (const q of p.parts) {
        const same = parts.find((r) => r.root === q.root);
        if (same === undefined) parts.push({ root: q.root, acc: q.acc });
        else if (q.acc > same.acc) same.acc = q.acc;
      }
    }
    return parts;
  }

  /**
   * The first catch arm of a legacy try: the body's end (its results
   * materialized, as at a block's end). The arms are not generated: only the
   * handler table reaches them, and the interpreter runs them (rt.ts
   * catchHere), so the frame's instructions are skipped until its end.
   */
  protected catchArm(v: FuncValidator): void {
    this.straight = false;
    const c = this.ctrls[this.ctrls.length - 1]!;
    if (c.dead || c.arm) return;
    this.fcache.clear();
    // (a body whose rest was elided does not reach its end in JS)
    const cold = this.coldAt !== null || this.coldTail;
    this.coldAt = null;
    this.coldTail = false;
    c.bodyLive = !v.unreachable && this.deadDepth === 0 && !cold;
    if (c.bodyLive) for (let i = this.st.length - c.results.length; i < this.st.length; i++) this.matAt(i);
    c.arm = true;
    this.deadDepth++;
    this.resetTo(c, c.results);
  }

  /** The end of a legacy try's skipped catch arms: the frame ends as a block whose body ended (or not) at the first arm. */
  protected endArms(v: FuncValidator): void {
    const c = this.ctrls[this.ctrls.length - 1]!;
    c.arm = false;
    this.deadDepth--;
    const reached = c.targeted === true || c.bodyLive === true;
    this.end(v, false);
    // the code after it runs in JS only when the body falls through or a branch leaves it; otherwise only the
    // interpreter, after an arm, reaches it, and nothing here knows that block's position (a loop further on
    // is still a re-entry point)
    if (!reached) this.blkPc = -1;
  }

  /**
   * throw / throw_ref: the exception `exn` (code) at the MISC op at `pc`
   * (the end of its fuel block): inside a try, to the epilogue, which looks
   * it up in this frame's handlers (EX_CATCH); outside, thrown to the callers
   * with the fuel settled.
   */
  protected raise(exn: string, pc: number): void {
    if (this.cand !== null) this.cand.bad = true;
    const fuel = this.fuelAfterTrap();
    if (this.inTry(pc)) {
      const x = this.exit(EX_CATCH, pc, this.blkPc);
      this.w(`xe = ${exn}; mc.fuel = ${fuel}; ${this.spill(this.st.length)}ex = ${x}; break X;`);
    } else this.w(`throw thrown(mc, ${fuel}, ${exn});`);
  }
  protected throwTag(tag: number, offset: number): void {
    const pc = this.opPc(offset, Op.MISC);
    const n = this.inst.tags[tag]!.type.params.length;
    // the payload goes to its slots, where the interpreter's throw reads it
    const base = this.st.length - n;
    for (let j = 0; j < n; j++) this.w(this.store(this.st[base + j]!, this.stackWord(base + j)));
    for (let j = 0; j < n; j++) this.pop();
    this.raise(`newExn(mc, ${this.env(this.inst)}, fp + ${this.stackWord(base)}, ${tag})`, pc);
  }
  protected throwRef(offset: number): void {
    const pc = this.opPc(offset, Op.MISC);
    const e = this.pop();
    this.w(`if (${e.e} === null) ${this.trap(RT.TRAP_NULL_EXN)}`);
    this.raise(e.e, pc);
  }

  protected end(v: FuncValidator, live = !v.unreachable): void {
    this.fcache.clear();
    // (the frame stays on the stack while its last statements are emitted: they belong to its guards)
    const c = this.ctrls[this.ctrls.length - 1]!;
    // (after an if or a loop, the path may have come another way than through the block's start)
    if (c.kind !== 'block') this.straight = false;
    if (c.kind === 'func') {
      if (live) this.w(this.ret());
      this.closeGuard(c);
      this.ctrls.pop();
      return;
    }
    if (live) for (let i = this.st.length - c.results.length; i < this.st.length; i++) this.matAt(i);
    const cd = this.cand !== null && this.ctrls[this.cand.depth] === c ? this.cand : null;
    if (cd !== null && live) cd.endSite = this.nSite;
    if (c.kind === 'loop' && live) this.w(`${cd !== null ? this.site(CL_EXIT) : ''}break ${c.label};`);
    this.closeGuard(c);
    if (cd !== null) {
      this.raw('}');
      cd.endLine = this.o.length - 1;
      this.cand = null;
      cd.plan = this.countedPlan(cd);
      if (cd.plan === null) this.checkBeforeLoop(c, cd);
      // the slow loop is the else of the counted copy's guard
      if (cd.plan !== null) this.raw('}');
      if (c.wrap) this.raw('}');
    } else this.raw(c.wrap ? '} }' : '}');
    this.ctrls.pop();
    if (c.pins) this.unpinLanes(c.pins);
    this.resetTo(c, c.results);
    if (c.kind === 'block' && this.mc.counting) this.fuelNext = this.joinLink(c, live ? [this.fuelHere] : []);
    if (c.kind === 'if' && this.mc.counting) {
      this.fuelNext = this.mergeArms(c, live);
      // an if without else whose then arm does not reach its end, and which nothing targets: the block after it is
      // reached by the false edge alone, the fall-through of the block of the `if` (as a br_if's): it joins that
      // block's chain, prepaid by its head, and the then arm gives it back where it starts (the marker above)
      if (!live && c.thenEnd === undefined && !c.targeted && c.condBlk && c.fuelElse) this.fuelNext = fuelLink(c.fuelElse.parts, c.condBlk, null);
      else if (c.condLine !== undefined) this.o[c.condLine] = '';
      // an if/else whose arms both start with a block reached from its block alone: they pay its cost with theirs
      const ib = c.ifBlk;
      if (ib && c.thenFirst && c.elseFirst && c.thenEnd !== undefined) {
        ib.post = true;
        c.thenFirst.extra += ib.cost;
        c.elseFirst.extra += ib.cost;
      }
    }
  }

  protected deadInstr(ins: Instr, v: FuncValidator): void {
    const name = ins.def.name;
    const cold = this.coldAt !== null || this.coldTail;
    const top = this.ctrls[this.ctrls.length - 1]!;
    if (CATCH_ARM.has(name)) {
      // (LoopScan skips the catch arms of a frame it numbered)
      if (cold && top.dead && this.coldFrames[this.coldFrames.length - 1] === 0) {
        this.coldFrames[this.coldFrames.length - 1] = 2;
        this.coldScanDead++;
      }
      this.catchArm(v);
      return;
    }
    // a frame entered in unreachable code: nothing of it is emitted, even what the validator finds reachable in it
    if (name === 'block' || name === 'loop' || name === 'if' || TRY_FRAME.has(name)) {
      if (cold) {
        // an elided part's frames that LoopScan found reachable have its numbers: the frames after them keep theirs
        const numbered = !v.unreachable && this.coldScanDead === 0;
        if (numbered) this.nCtrl++;
        else this.coldScanDead++;
        this.coldFrames.push(numbered ? 0 : 1);
      }
      this.ctrls.push(newCtrl('block', this.st.length, [], [], '', true, false, false, -1));
      this.deadDepth++;
      return;
    }
    if (name === 'else') {
      if (top.dead) return;
      // (the else arm is reached from the if's block: it is generated)
      this.coldAt = null;
      this.coldTail = false;
      this.elseArm(v, !cold && !v.unreachable);
      return;
    }
    if (name === 'end' || name === 'delegate') {
      if (top.dead) {
        if (cold && this.coldFrames.pop()! !== 0) this.coldScanDead--;
        this.ctrls.pop();
        this.deadDepth--;
        return;
      }
      if (top.arm) this.endArms(v);
      else if (cold) {
        // the code after its end, up to the next block start, is reached through the elided part alone
        this.coldAt = null;
        this.coldTail = true;
        this.coldEnded = true;
        this.end(v, false);
      } else this.end(v);
    }
  }

  /** Copies the carried values into label `depth`'s variables and jumps (everything is materialized). */
  protected jump(depth: number): string {
    const c = this.ctrls[this.ctrls.length - 1 - depth]!;
    c.targeted = true;
    if (c.kind === 'func') return this.ret();
    // (its fuel where it leaves: for the block after the target's end, joinLink, or the loop's head, checkBeforeLoop)
    if (this.mc.counting) (c.edges ??= []).push(this.fuelHere);
    let exit = '';
    const cd = this.cand;
    if (cd !== null) {
      const at = cd.depth;
      const to = this.ctrls.length - 1 - depth;
      if (to === at) cd.backs++;
      else if (to < at) exit = this.site(CL_EXIT);
      // (a label inside the body starts a block of its own there)
      else cd.bad = true;
    }
    const types = c.kind === 'loop' ? c.params : c.results;
    const n = types.length;
    const from = this.st.length - n;
    let s = '';
    if (from !== c.height) {
      for (let j = 0; j < n; j++) {
        const t = types[j]!;
        this.useVar(t, c.height + j);
        if (t === V128) {
          const d = this.vWords(c.height + j);
          const f = this.vWords(from + j);
          for (let k = 0; k < 4; k++) s += `${d[k]} = ${f[k]}; `;
          continue;
        }
        s += `${this.varName(t, c.height + j)} = ${this.varName(t, from + j)}; `;
        if (t === I64) s += `K${c.height + j} = K${from + j}; `;
      }
    }
    return s + exit + (c.kind === 'loop' ? `${this.backEdge(c.label)}continue ${c.label};` : `break ${c.label};`);
  }

  protected ret(): string {
    const type = this.cc.func.type;
    const n = type.results.length;
    // an i32 result returned either way (ref-args.ts numResult), from the one tail after the body (numReturn)
    if (numResult(type)) return numReturn(this.st[this.st.length - 1]!.e, this.site(CL_EXIT));
    let s = '';
    for (let j = 0; j < n; j++) s += this.store(this.st[this.st.length - n + j]!, j * 4) + ' ';
    if (n === 1) s = refReturn(type, this.st[this.st.length - 1]!.e) + s;
    return `${s}${this.site(CL_EXIT)}return fuel;`;
  }

  protected brTable(ins: Instr): void {
    const idx = this.pop();
    this.matAll();
    const def = ins.a;
    const groups = new Map<number, number[]>();
    ins.labels.forEach((d, k) => {
      if (d === def) return;
      let g = groups.get(d);
      if (!g) groups.set(d, (g = []));
      g.push(k);
    });
    let s = `switch (${idx.e}) { `;
    for (const [d, ks] of groups) s += ks.map((k) => `case ${k}: `).join('') + `{ ${this.jump(d)} } `;
    s += `default: { ${this.jump(def)} } }`;
    this.w(s);
  }
}
