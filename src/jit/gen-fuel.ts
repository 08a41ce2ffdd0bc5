/**
 * Fuel in the JS tier (docs/fuel.md): the check and subtraction at each
 * block start of the fast translation, chained through extended blocks and
 * br_if fall-throughs; the exits to the epilogue that hand the frame to the
 * interpreter; the refund of a trap.
 */
import { isRef } from '../core/types.js';
import { numResult } from './ref-args.js';
import { EDGE } from './patch.js';
import { Op } from '../interp/exec.js';
import { JsCounted } from './gen-counted.js';
import { CL_TRAP, OOB_SITE, EX_HANDOFF, EX_POST, FUEL_MAX, no, type Counted, type Ctrl, type FuelBlock, type FuelChain, type FuelLink, type FuelPart, type FuelRoot, fuelLink, newRoot } from './gen-types.js';

/**
 * A link's parts one block further on (`c` its cost), each root's check raised to cover it. Pushed into a literal, not
 * `map`ped: map's arrays are holey and every other link's packed, and V8 threw the optimised blockStart away at the
 * first holey one it met after its compile ("wrong map" at `up.parts`, every quickjs and sql.js first run; BENCHMARKS.md,
 * session 16, helper gen12).
 */
export function chainParts(parts: readonly FuelPart[], c: number): FuelPart[] {
  const out: FuelPart[] = [];
  for (const p of parts) {
    const acc = p.acc + c;
    if (acc > p.root.max) p.root.max = acc;
    out.push({ root: p.root, acc });
  }
  return out;
}

export abstract class JsFuel extends JsCounted {
  /** Whether no block has started yet: the next is the function's entry, where nothing has changed the frame. */
  private atEntry = true;
  /**
   * The test of a call's status just written (afterCall), until the block after the call starts: its line, the
   * block's pc, the stop's exit and the stack below the call's results.
   */
  protected postCall: { line: number; next: number; exit: string; spill: string; x: number } | null = null;
  /** The fuel blocks that end with a call whose depth limit the callee checks (noRefund): build() checks they prepaid nothing. */
  protected readonly callBlocks: FuelBlock[] = [];
  /** Roots whose check covers a loop's head too (checkBeforeLoop): `root` checks for `acc` and then `head`'s max. */
  private readonly covers: { root: FuelRoot; acc: number; head: FuelRoot }[] = [];
  /** Loops (by label) whose head block subtracts its chain's cost before the loop and on its back edges (checkBeforeLoop). */
  private readonly rotated = new Map<string, { head: FuelBlock; place: number; cost: number; into: FuelChain | null; osrLine: number }>();

  protected exit(kind: number, pc: number, blk: number): number {
    // (the epilogue leaves out v128 locals LoopScan found written before read after every exit it knows of)
    if (!this.scan.cuts.has(this.insOff) && this.scan.vecLive.size < this.nVec) throw new Error(`wasmeter internal error: an exit LoopScan did not expect at offset ${this.insOff}`);
    // (a counted copy has no exits of its own but its head's fuel check)
    if (this.cand !== null && this.cand.head !== null) this.cand.bad = true;
    this.blkTouched = true;
    this.exK.push(kind);
    this.exP.push(pc);
    this.exB.push(blk);
    return this.exK.length - 1;
  }

  /** `fuel + refund`: the fuel to leave when the current instruction traps. */
  protected fuelAfterTrap(): string {
    const r = Math.max(0, this.blkCost - this.cum);
    return `fuel + ${r}${this.prepaid(' + ', '')}${this.site(CL_TRAP)}`;
  }
  /**
   * A call that leaves its depth limit to the callee (rt.ts enter, callSlow), which traps with the fuel it was
   * passed: right for the caller only when a trap at the call refunds nothing, i.e. the call is its block's last
   * instruction (calls end blocks) and the block prepaid nothing after it (build() checks that, callBlocks).
   */
  protected noRefund(): void {
    if (this.blkCost - this.cum > 0) throw new Error('wasmeter internal error: a call with fuel to refund');
    if (this.fblk !== null) this.callBlocks.push(this.fblk);
  }
  /**
   * A taken edge's `fuel += <what the current block prepaid>;` (a br_if's, an if's then arm): written in by build()
   * once the block's prepaid fuel is known, on its line (patch.ts fillSites, EDGE), as patchBody would (`alone`: the
   * line is the edge).
   */
  protected prepaidEdge(alone = false): string {
    const b = this.fblk;
    if (b === null) return '';
    const text = `fuel += \u0004${b.id}\u0004;`;
    this.sites.push({ line: -1, whole: '', pre: alone ? '' : null, text, id: b.id, r: 0, k: EDGE, oob: false });
    this.unplaced++;
    return text;
  }
  /** `before<what the current block prepaid>after`, patched by build() (nothing when it prepaid nothing). */
  protected prepaid(before: string, after: string): string {
    return this.fblk === null ? '' : `${before}\u0004${this.fblk.id}\u0004${after}`;
  }
  /** A trap of kind `code` at the current instruction (its text the same as the memory access's site's, below). */
  protected trap(code: number): string {
    return this.trapAt(code, false);
  }
  /**
   * The trap statement of an access the DataView checks (`OOB_SITE` around it; patch.ts makes it the `tr = <site>;`
   * the function's catch reads), after `pre` on its line.
   */
  protected oobSite(code: number, pre: string): string {
    return this.trapAt(code, true, pre);
  }
  /** (`pre`: the text before the site on its line, which the site ends, else null) */
  private trapAt(code: number, oob: boolean, pre: string | null = null): string {
    const r = Math.max(0, this.blkCost - this.cum);
    const b = this.fblk;
    const s = this.site(CL_TRAP);
    const t = `throw trap(mc, fuel + ${r}${b === null ? '' : ` + \u0004${b.id}\u0004`}${s}, ${code});`;
    const text = oob ? `${OOB_SITE}${t}${OOB_SITE}` : t;
    // (its refund is r and what the block prepaid, which build() knows once every chain is complete: it writes the
    // site's text in then, on its line, instead of leaving it to patchBody's pass; in a counted candidate's body, after
    // the copy was made from the text as it is here, its slow version's site marker gone with the rest)
    this.sites.push({ line: -1, whole: '', pre, text, id: b === null ? -1 : b.id, r, k: code, oob });
    this.unplaced++;
    return pre === null ? text : pre + text;
  }

  // ------------------------------------------------------------ fuel blocks

  /** A block of the fast code starts; `up`: the block it is reached from alone (no check of its own), else null. */
  protected blockStart(bp: number, up: FuelLink | null): void {
    if (this.code[bp] !== Op.FUEL) no('block start');
    this.fcache.clear();
    const post = this.postCall;
    this.postCall = null;
    const loopHead = this.pendingOsr >= 0;
    if (this.pendingOsr >= 0) {
      // the head of a loop: the stack here is all in variables (loops materialize on entry)
      this.osrEntries.push({ pc: bp, orig: this.code[bp + 2]!, id: this.pendingOsr, stack: this.st.map((e) => e.t), fuel: null });
      // (the re-entry prologue loads this stack: build() writes it)
      this.spend(64 * this.st.length);
      this.pendingOsr = -1;
    }
    const c = this.code[bp + 1]!;
    this.blkPc = bp;
    this.straight = true;
    this.blkCost = c;
    this.cum = 0;
    this.fblk = null;
    if (!this.mc.counting) return;
    const blk: FuelBlock = { id: this.fuelBlocks.length, cost: c, chain: null as unknown as FuelChain, base: 0, subLine: -1, paid: false, post: false, extra: 0, sunk: false };
    this.fuelBlocks.push(blk);
    this.fblk = blk;
    if (up !== null) {
      // reached only from `up`'s block, whose root checked for this block too
      this.fuelHere = fuelLink(chainParts(up.parts, c), null, null);
    } else if (this.atEntry && bp === 0 && this.st.length === 0 && this.osrEntries[this.osrEntries.length - 1]?.pc !== bp) {
      // the function's entry: its frame is as the caller left it (parameters in their slots; the reference ones,
      // which the prologue cleared, written back), so a stop here sets up the rest of the frame out of line
      // (rt.ts stopEntry) instead of going through the epilogue, which a function without other exits then lacks:
      // a smaller function, which V8 inlines under 460 bytes of bytecode (not at a loop head: re-entry passes there)
      let refs = '';
      this.cc.func.type.params.forEach((t, x) => {
        if (isRef(t)) refs += `RF[(fp >> 2) + ${x}] = L${x}; `;
      });
      this.w(`if (fuel < ${FUEL_MAX}) { ${refs}return stopEntry(mc, ${this.env(this.cc)}, fp, depth, fuel, ${bp}${numResult(this.cc.func.type) ? ', RV' : ''}); }`);
      this.fuelRoot(bp);
    } else if (post !== null && post.next === bp && !loopHead && (this.cand === null || this.cand.bad)) {
      // right after a call: one test of the status the callee returned for both its stop (st < 0) and this block's
      // fuel (the results are in their slots still, where the handoff leaves them); after a call of generated code
      // or the interpreter, one exit for both (EX_POST: leave tells them apart by st)
      const zero = this.o[post.line]!;
      if (post.x >= 0) {
        this.exK[post.x] = EX_POST;
        this.blkTouched = true;
        this.o[post.line] = `if (st < ${FUEL_MAX}) { ${post.exit} break X; } fuel = st;`;
      } else {
        const x = this.exit(EX_HANDOFF, bp, bp);
        this.o[post.line] =
          `if (st < ${FUEL_MAX}) { if (st < 0) { fuel = mc.fuel; ${post.exit} break X; } fuel = st; ${post.spill}ex = ${x}; break X; } fuel = st;`;
      }
      this.fuelRoot(bp, post.line, zero);
    } else {
      const x = this.exit(EX_HANDOFF, bp, bp);
      this.w(`if (fuel < ${FUEL_MAX}) { ${this.spill(this.st.length)}ex = ${x}; break X; }`);
      this.fuelRoot(bp);
    }
    if (up !== null && up.via !== null) {
      // the fall-through of a br_if: paid by the head of the chain it joins
      // (every block of the chain so far prepays it: the chain's sum, which blk joins after)
      const ch = up.via.chain;
      ch.acc += c;
      blk.chain = ch;
      blk.base = ch.acc;
    } else {
      if (up !== null && up.paidBy !== null) {
        // the end of an if/else: each arm's chain pays for it (one path runs through one arm)
        // (each arm's block is the last of its chain: the whole chain prepays it)
        for (const p of up.paidBy) p.chain.acc += c;
        blk.paid = true;
      }
      blk.chain = { head: blk, acc: 0 };
      this.w('');
      blk.subLine = this.o.length - 1;
    }
    this.atEntry = false;
    this.blkTouched = false;
    const cd = this.cand;
    if (cd !== null) {
      // a counted copy: the loop's head is a root, and every block of its body in the head's chain
      if (cd.head === null) {
        cd.head = blk;
        cd.root = up === null ? this.fuelHere!.parts[0]!.root : null;
        if (up !== null) cd.bad = true;
      } else if (up === null || blk.chain.head !== cd.head) cd.bad = true;
    }
  }

  /**
   * An innermost loop without a counted copy whose back edges all leave with known fuel from roots inside its body
   * (after a call: fib's loop, wat-try's): the roots of the back edges check for the head too (coverHeads), so an
   * iteration runs one check less. When the fuel is known where the loop is entered too, that root covers the head
   * as well and the head checks nothing (a re-entry from the interpreter comes with at least the head's max: exec.ts
   * FUEL_OSR, osrFuel); else the head's check moves before the loop, where entering it and re-entering (osr cleared
   * just before) pass. Exact: a check that would have failed at the head fails at one of those roots instead, whose
   * handoff gives the interpreter that block with the fuel as it was.
   */
  protected checkBeforeLoop(c: Ctrl, cd: Counted): void {
    const root = cd.root;
    const edges = c.edges ?? [];
    const known = (e: FuelLink | null | undefined): e is FuelLink => e != null && !e.parts.some((p) => p.root.loop === true);
    if (root === null || edges.length === 0 || !edges.every(known)) return;
    const from = known(c.entry) ? [...edges, c.entry] : edges;
    this.o[cd.place] = from === edges ? this.o[root.line]! : '';
    this.o[root.line] = '';
    root.line = cd.place;
    for (const e of from) for (const p of e.parts) this.covers.push({ root: p.root, acc: p.acc, head: root });
    // nothing checks at the head any more: its subtraction goes where the loop is entered (and re-entered) and onto
    // its back edges (jump's marker), where it joins their refunds (patch.ts merges adjacent steps)
    // when the loop is entered straight on from a block whose fuel is known, that block's chain prepays the head's
    // subtraction with its own (fib: the entry block's `fuel -= 10` and the head's `fuel -= 4` are one step), every
    // edge leaving the chain before the loop giving it back, and a re-entry pays it where it clears osr
    const into = from !== edges && c.from ? c.from.chain : null;
    const head = cd.head;
    if (head !== null && head.chain.head === head && head.subLine >= 0) this.rotated.set(c.label, { head, place: cd.place, cost: 0, into, osrLine: cd.osrLine });
  }
  /** The subtraction a back edge to loop `label` carries (its marker, backEdge): its head's, when it moved; else 0. */
  protected backEdgeCost(label: string): number {
    return this.rotated.get(label)?.cost ?? 0;
  }
  /** At a branch to a loop's head: where its head's subtraction goes if it moves (subtractions). */
  protected backEdge(label: string): string {
    return this.mc.counting ? `\u000e${label}\u000e` : '';
  }
  /**
   * Each chain's subtraction on its head's line (build(), once every chain is complete); that of a loop's head moved
   * before the loop and onto the back edges' markers, which `body` has and this replaces.
   */
  protected subtractions(chainCost: (b: FuelBlock) => number): void {
    const moved = new Set<FuelBlock>();
    for (const r of this.rotated.values()) moved.add(r.head);
    // (first the moved heads: a chain that enters a loop prepays its head's cost, which its own then includes)
    for (const r of this.rotated.values()) {
      const c = (r.cost = chainCost(r.head));
      if (c <= 0) continue;
      if (r.into !== null && !moved.has(r.into.head)) {
        r.into.acc += c;
        this.o[r.osrLine] = this.o[r.osrLine]!.replace(/\) osr = 0;$/, `) { osr = 0; fuel -= ${c}; }`);
      } else this.o[r.place] += `fuel -= ${c};`;
    }
    for (const b of this.fuelBlocks) {
      const c = chainCost(b);
      if (!moved.has(b) && b.subLine >= 0 && c > 0) this.o[b.subLine] += `fuel -= ${c};`;
    }
  }
  /**
   * After a br_if that ends the head of a chain (a block whose own cost and the chain's nothing has used yet: no
   * exit, call or surcharge in it, outside a loop that may get a counted copy), the chain's subtraction moves from
   * the head's start to the fall-through, and the taken edge pays the head's own cost (build: `paidAhead` is minus
   * that for every site in the head, which are all before the br_if, and a trap there refunds that much less). So
   * a path through the taken edge subtracts once, not twice (C fib's leaf: `fuel -= 10` then `fuel += 3` became
   * `fuel -= 7`), and the fall-through's subtraction may join the next (a loop's head prepaid by the chain).
   */
  protected sinkSubtraction(): void {
    const b = this.fblk;
    this.straight = false;
    if (b === null || this.cand !== null || this.blkTouched || b.chain.head !== b || b.chain.acc !== 0 || b.subLine < 0 || b.post || b.sunk) return;
    this.w('');
    b.subLine = this.o.length - 1;
    b.sunk = true;
  }
  /** Raises the checks of the back edges' roots by the heads they cover (build(), when every root's max is known). */
  protected coverHeads(): void {
    for (const k of this.covers) if (k.acc + k.head.max > k.root.max) k.root.max = k.acc + k.head.max;
  }

  /** The check just written (a root's, at block start `bp`) asks for the costliest path through the blocks it covers (build() patches it). */
  private fuelRoot(bp: number, line = this.o.length - 1, zero?: string): void {
    const root = newRoot(line, this.blkCost, zero);
    this.fuelRoots.push(root);
    const head = this.osrEntries[this.osrEntries.length - 1];
    if (head !== undefined && head.pc === bp) {
      head.fuel = root;
      root.loop = true;
    }
    this.fuelHere = fuelLink([{ root, acc: this.blkCost }], null, null);
  }

  /**
   * The next instruction's block is reached from the current block only (the
   * fall-through of br_if, the first of a then arm): it needs no check of its
   * own when the current block's root checks for it.
   */
  protected chainNext(viaBrIf: boolean): void {
    const h = this.fuelHere;
    this.fuelNext = h === null ? null : fuelLink(h.parts, viaBrIf ? this.fblk : null, null);
  }
  /** Fuel changed by other than block costs (a call returned, a surcharge was paid): blocks after this point check again. */
  protected fuelChanged(): void {
    this.fuelHere = null;
    this.blkTouched = true;
    if (this.cand !== null) this.cand.bad = true;
  }
}
