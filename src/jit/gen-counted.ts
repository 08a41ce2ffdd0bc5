/**
 * Counted loops of the JS tier (docs/architecture.md, "Counted loops"): the
 * symbolic values (Sym) of an innermost loop's body, the decision at its end
 * (countedPlan) and the copy without fuel code written before it (countedCopies).
 */
import { I32 } from '../core/types.js';
import { jitStats } from '../interp/tier.js';
import { JsBase } from './gen-base.js';
import { chainAhead, lit, type Counted, type CountedPlan, type Ent, type Sym } from './gen-types.js';
import * as TR from './trips.js';

const SYM0: Sym = { k: 'v', x: -1, ver: 0, c: 0, y: -1 };
/** i32 comparisons as relations of loopTrips. */
const REL_OF: Record<string, number | undefined> = {
  'i32.eq': TR.REL_EQ,
  'i32.ne': TR.REL_NE,
  'i32.lt_u': TR.REL_LT_U,
  'i32.le_u': TR.REL_LE_U,
  'i32.gt_u': TR.REL_GT_U,
  'i32.ge_u': TR.REL_GE_U,
  'i32.lt_s': TR.REL_LT_S,
  'i32.le_s': TR.REL_LE_S,
  'i32.gt_s': TR.REL_GT_S,
  'i32.ge_s': TR.REL_GE_S,
};
/** The relation that holds when `rel` does not (eq/ne, lt/ge, le/gt), and the one with its operands swapped. */
function negRel(rel: number): number {
  if (rel === TR.REL_EQ) return TR.REL_NE;
  if (rel === TR.REL_NE) return TR.REL_EQ;
  const base = rel >= TR.REL_LT_S ? TR.REL_LT_S : TR.REL_LT_U;
  return base + 3 - (rel - base);
}
function swapRel(rel: number): number {
  if (rel === TR.REL_EQ || rel === TR.REL_NE) return rel;
  const base = rel >= TR.REL_LT_S ? TR.REL_LT_S : TR.REL_LT_U;
  return base + ((rel - base + 2) & 3);
}
/**
 * Code for a counted loop's trip count (loopTrips' result): inline when the
 * step is a constant and the test is the usual `t < n` of either signedness
 * (step 1), or `t != n` (step a power of two); else a call of loopTrips.
 * `c` is the constant step, null when it is a local. Counts are int32 (one
 * of 2^31 or more comes out negative: no fuel covers it anyway), else V8
 * makes the fuel variable a double once a count is subtracted from it.
 */
function tripsCode(a: string, n: string, c: number | null, step: string, rel: number): string {
  const call = `(loopTrips(${a}, ${n}, ${step}, ${rel}) | 0)`;
  if (c === null) return call;
  if (c === 1 && (rel === TR.REL_LT_U || rel === TR.REL_LT_S)) {
    // n - a steps up to n (none when a >= n); the distance cannot wrap
    const [ua, un] = rel === TR.REL_LT_U ? [`(${a}) >>> 0`, `(${n}) >>> 0`] : [`(${a}) | 0`, `(${n}) | 0`];
    return `((x = ${ua}) < (y = ${un}) ? (y - x) | 0 : 0)`;
  }
  const m = Math.abs(c);
  if (rel === TR.REL_NE && (m & (m - 1)) === 0 && m < 0x80000000) {
    // the distance to n in the step's direction, when a multiple of the step (and its steps times the step below 2^32)
    const d = c > 0 ? `((${n}) - (${a})) >>> 0` : `((${a}) - (${n})) >>> 0`;
    return `((x = ${d}) & ${m - 1} || x > ${0xffffffff - m} ? -1 : (x >>> ${Math.log2(m)}) | 0)`;
  }
  return call;
}

/** Longest loop body (generated source) given a counted copy. */
const MAX_COUNTED = 2000;

export abstract class JsCounted extends JsBase {
  /** A marker for an exit or trap site in a counted candidate's body ('' elsewhere): build() finds how far the loop got there. */
  protected site(kind: string): string {
    const cd = this.cand;
    if (cd === null) return '';
    const id = this.nSite++;
    cd.sites.set(id, cd.wn);
    return `${kind}${id}${kind}`;
  }
  /** Local x's entry `e` with its Sym in a counted candidate's body. */
  protected symLocal(e: Ent, x: number): Ent {
    const cd = this.cand;
    if (cd !== null && this.lt[x] === I32) {
      e.sym = { k: 'v', x, ver: cd.writes.get(x) ?? 0, c: 0, y: -1 };
    }
    return e;
  }
  /** The Sym of the result of i32 op `name`, from its operands on the stack (before it pops them). */
  protected symOp(name: string): Sym | null {
    const n = this.st.length;
    const b = n > 0 ? this.st[n - 1]!.sym : null;
    if (b === null) return null;
    if (name === 'i32.eqz') return b.k === 'cmp' ? { k: 'cmp', rel: negRel(b.rel), l: b.l, r: b.r } : { k: 'cmp', rel: TR.REL_EQ, l: b, r: SYM0 };
    const a = n > 1 ? this.st[n - 2]!.sym : null;
    if (a === null || a.k !== 'v' || b.k !== 'v') return null;
    if (name === 'i32.add' || name === 'i32.sub') {
      const sub = name === 'i32.sub';
      if (b.x < 0) return { k: 'v', x: a.x, ver: a.ver, c: (sub ? a.c - b.c : a.c + b.c) | 0, y: a.y };
      if (sub) return null;
      if (a.x < 0) return { k: 'v', x: b.x, ver: b.ver, c: (a.c + b.c) | 0, y: b.y };
      // local + local (either may turn out to be the step)
      if (a.c === 0 && b.c === 0 && a.y < 0 && b.y < 0) return { k: 'v', x: a.x, ver: a.ver, c: 0, y: b.x };
      return null;
    }
    const rel = REL_OF[name];
    return rel === undefined ? null : { k: 'cmp', rel, l: a, r: b };
  }
  /** Local x is written in a counted candidate's body with value `sym`: the update of an induction variable when it is `x = x + step`, the first write of x, at the body's top level. */
  protected candWrite(x: number, sym: Sym | null): void {
    const cd = this.cand!;
    const first = !cd.writes.has(x);
    const at = cd.wn++;
    cd.writes.set(x, (cd.writes.get(x) ?? 0) + 1);
    if (!first || sym === null || sym.k !== 'v' || this.ctrls.length - 1 !== cd.depth) return;
    let v = sym;
    if (v.x !== x && v.y === x && v.c === 0) v = { k: 'v', x, ver: 0, c: 0, y: v.x };
    if (v.x === x && v.ver === 0 && v.y !== x) cd.upd.set(x, { c: v.c, y: v.y, at });
  }

  /** At a candidate's end: its counted copy, when its trip count follows from one of its tests and its body allows one. */
  protected countedPlan(cd: Counted): CountedPlan | null {
    if (cd.bad || cd.head === null || cd.root === null || cd.backs !== 1 || cd.back === null) return null;
    // every use of fuel in the body must be one the copy knows how to turn into the loop's count
    const text = this.countedBody(cd)
      .replace(/fuel \+= \u0004\d+\u0004;/g, '')
      .replace(/fuel \+ \d+( \+ \u0004\d+\u0004)?\u0005\d+\u0005/g, '')
      .replace(/\u0007\d+\u0007return fuel;/g, 'return;');
    // (a large body gains little from the copy, and its size costs V8)
    if (/\bfuel\b/.test(text) || text.length > MAX_COUNTED) return null;
    const back = cd.back;
    // a br_if back edge is the loop's test; a br back edge ends a loop whose test is a br_if out of it
    // (the exit where that test ends the loop leaves after exactly trips + 1 iterations)
    const tests = back.br ? cd.exits.map((e) => ({ cond: e.cond, cont: false, site: e.site })) : [{ cond: back.cond, cont: true, site: cd.endSite }];
    for (const t of tests) {
      const p = this.countedTest(cd, t.cond, t.cont, back.at);
      if (p !== null) return { ...p, norm: t.site };
    }
    return null;
  }
  /** A candidate's loop as generated, without its head's check and subtraction and without the back edge's refund. */
  protected countedBody(cd: Counted): string {
    const skip = new Set([cd.root!.line, cd.head!.subLine]);
    return this.o
      .slice(cd.place + 1, cd.endLine + 1)
      .filter((_, k) => !skip.has(cd.place + 1 + k))
      .join('\n')
      .replace(/\u0006[^\u0006]*\u0006/g, '');
  }
  /** The plan from one test (`cont`: the loop goes on while it holds, else while it does not), or null. */
  protected countedTest(cd: Counted, cond: Sym | null, cont: boolean, backAt: number): Omit<CountedPlan, 'norm'> | null {
    if (cond === null) return null;
    let t: Sym;
    let b: Sym;
    let rel: number;
    if (cond.k === 'cmp') {
      const l = cond.l;
      if (l.k === 'v' && l.x >= 0 && cd.upd.has(l.x)) {
        t = l;
        b = cond.r;
        rel = cond.rel;
      } else {
        t = cond.r;
        b = l;
        rel = swapRel(cond.rel);
      }
    } else {
      t = cond;
      b = SYM0;
      rel = TR.REL_NE;
    }
    if (!cont) rel = negRel(rel);
    if (t.k !== 'v' || t.x < 0 || t.y >= 0 || b.k !== 'v' || b.y >= 0) return null;
    const i = t.x;
    const u = cd.upd.get(i);
    // i: written once per iteration, by its update, before the back edge; the bound and the step: loop invariants
    if (u === undefined || u.at >= backAt || cd.writes.get(i) !== 1) return null;
    if (b.x >= 0 && (this.lt[b.x] !== I32 || cd.writes.has(b.x))) return null;
    if (u.y >= 0 ? u.c !== 0 || this.lt[u.y] !== I32 || cd.writes.has(u.y) : u.c === 0) return null;
    const step = u.y >= 0 ? `L${u.y}` : lit(u.c);
    const q = `Q${this.counted.indexOf(cd)}`;
    this.vars.add(q);
    this.vars.add(`${q}n`);
    // the test's value in the first iteration: i at the loop's entry, plus the step when the test reads i after its update
    const plus = (e: string, k: string): string => (k === '0' ? e : `((${e} + ${k}) | 0)`);
    const a = plus(t.ver > 0 ? plus(`L${i}`, step) : `L${i}`, lit(t.c));
    const n = b.x >= 0 ? plus(`L${b.x}`, lit(b.c)) : lit(b.c);
    // updates done so far, from how far i has gone (exact: loopTrips keeps that distance below 2^32)
    // (int32 throughout, or V8 makes fuel a double: where the count matters, times K it is at most the fuel, below 2^31)
    const dist = u.y >= 0 || u.c > 0 ? `(L${i} - ${q}) | 0` : `(${q} - L${i}) | 0`;
    const div = u.y >= 0 ? step : `${Math.abs(u.c)}`;
    const siteAfter = new Map<number, boolean>();
    for (const [id, at] of cd.sites) siteAfter.set(id, at > u.at);
    return { i, pre: u.y >= 0 ? `${step} > 0 && ` : '', q, dist, div, siteAfter, trips: tripsCode(a, n, u.y >= 0 ? null : u.c, step, rel) };
  }

  /**
   * Writes the counted copy of each loop that got a plan into its place,
   * guarded by its trip count (loopTrips) and the fuel all its iterations
   * need. The copy is the loop's code without its head's fuel check and
   * subtraction and without the back edge's refund. It subtracts, before it
   * starts, what a run to the exit of its test costs (trips iterations of K,
   * the head's chain less the back edge's refund, and one of C, the chain);
   * every other exit gives back, and a trap's refund adds, the difference to
   * what the iterations so far used: d updates of the induction variable
   * (its distance from its value at the loop's entry over the step's size)
   * mean d - after iterations of K before this one (after: 1 when the site
   * follows the update) and C for this one.
   */
  protected countedCopies(): void {
    for (const cd of this.counted) {
      const p = cd.plan;
      if (p === null) continue;
      jitStats.counted++;
      const head = cd.head!;
      const root = cd.root!;
      const back = cd.back!;
      const C = head.cost + chainAhead(head);
      const K = C - (back.br || back.blk === null ? 0 : chainAhead(back.blk));
      const used = (id: string): string => {
        const base = C - (p.siteAfter.get(+id) ? K : 0);
        // (a helper: its arithmetic has type feedback from every loop, where code run once would have none and deoptimise)
        return K === 0 ? lit(base) : `loopUsed(${p.dist}, ${p.div}, ${K}, ${base})`;
      };
      // the copy subtracts up front what a run to the exit of its test costs (Q<n>n: trips + 1 iterations);
      // that exit adjusts nothing, the others give back the difference to what they used
      const T = `${p.q}n`;
      const fast = this.countedBody(cd)
        .replace(/\u0005(\d+)\u0005/g, (_, id: string) => (+id === p.norm ? '' : ` + ${T} - ${used(id)}`))
        .replace(/\u0007(\d+)\u0007/g, (_, id: string) => (+id === p.norm ? '' : `fuel += ${T} - ${used(id)}; `));
      // (a re-entry at the loop's head from the interpreter, osr cleared just before, takes the copy too when the fuel left covers the rest of the loop)
      this.o[cd.place] =
        `if (${p.pre}(${T} = ${p.trips}) >= 0 && fuel >= ${T} * ${K} + ${root.max}) { ${p.q} = L${p.i}; ${T} = ${T} * ${K} + ${C}; fuel -= ${T};\n` +
        `${fast}\n} else {`;
    }
  }
}
