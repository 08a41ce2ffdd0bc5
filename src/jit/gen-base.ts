/**
 * The base of the JS tier's code generator (codegen.ts): the state every
 * layer shares, the output (statements, guards for loop re-entry, the
 * environment of run-time values), the JS variables of stack values and
 * locals, and the operand-stack mirror (entries, materialization). The
 * layers above, each extending the one below: gen-counted.ts (counted
 * loops), gen-fuel.ts (fuel blocks, exits, traps), gen-numeric.ts,
 * gen-memory.ts, gen-vectors.ts, gen-calls.ts, gen-control.ts, and JsGen in
 * codegen.ts (the CodeSink and the function's assembly).
 */
import { I32, I64, F32, F64, V128, REF_BASE, isRef, type ValType } from '../core/types.js';
import type { Compiled } from '../interp/compiled.js';
import type { Machine } from '../interp/machine.js';
import type { Instance } from '../runtime/objects/instance.js';
import { type Memory } from '../runtime/objects/memory.js';
import { LaneCache } from './lane-cache.js';
import type { TrapSite } from './patch.js';
import type { LoopScan } from './loop-scan.js';
import {
  EXPR,
  LOCAL,
  VAR,
  MAX_EXPR,
  MAX_HEIGHT,
  MAX_LOCALS,
  MAX_SOURCE,
  SOURCE_BASE,
  SOURCE_PER_BYTE,
  SOURCE_PER_LOCAL,
  isNum,
  newCtrl,
  no,
  type Counted,
  type Ctrl,
  type Ent,
  type FuelBlock,
  type FuelLink,
  type FuelRoot,
  type OsrEntry,
} from './gen-types.js';

/**
 * Local x's name `L<x>`, its i64 high half's `H<x>` and its entries' list of the locals they read, `[x]`: made once
 * for every function (each local.get made a name and a list for its entry: 1.6-3.6 MB of a first run of quickjs,
 * sql.js or tiktoken, BENCHMARKS.md session 18, helper heap14). The lists are shared, so no entry's `loc` is changed once made
 * (expr copies before it adds). Filled in order up to the largest local seen (localNames).
 */
const L_NAME: string[] = [];
const H_NAME: string[] = [];
const LOC_OF: (readonly number[])[] = [];
function localNames(x: number): void {
  for (let i = L_NAME.length; i <= x; i++) {
    L_NAME.push(`L${i}`);
    H_NAME.push(`H${i}`);
    LOC_OF.push([i]);
  }
}
/** @internal For tests: local x's shared `loc` list (undefined before a function with that many locals was generated). */
export const sharedLoc = (x: number): readonly number[] | undefined => LOC_OF[x];

/** varName's prefix and suffix by value type, references (REF_BASE and above) at REF_BASE; '' for a type with no variable. */
const VAR_PREFIX: readonly string[] = (() => {
  const a = new Array<string>(REF_BASE + 1).fill('');
  a[I32] = 'I';
  a[I64] = 'J';
  a[F32] = 'F';
  a[F64] = 'D';
  a[V128] = 'V';
  a[REF_BASE] = 'R';
  return a;
})();
const VAR_SUFFIX: readonly string[] = (() => {
  const a = new Array<string>(REF_BASE + 1).fill('');
  a[V128] = '_0';
  return a;
})();
/**
 * Stack variable names by varName's index and height (`I3`, `J3`, `V3_0`, ...) and the i64 high halves' (`K3`), made
 * once for the process, as the locals' above: pushVar and useVar made a name per pushed value, and `vars.add` hashed
 * each new string (about 1.5 ms of sql.js' first run). Filled in order up to the largest height seen (stackNames).
 */
const VAR_NAME: string[][] = VAR_PREFIX.map(() => []);
const K_NAME: string[] = [];
function stackNames(k: number, i: number): void {
  const a = VAR_NAME[k]!;
  for (let h = a.length; h <= i; h++) a.push(`${VAR_PREFIX[k]!}${h}${VAR_SUFFIX[k]!}`);
  for (let h = K_NAME.length; h <= i; h++) K_NAME.push(`K${h}`);
}
/** @internal For tests: the name varName gives type index k (I32, ..., REF_BASE) at height i, once made (else undefined). */
export const stackName = (k: number, i: number): string | undefined => VAR_NAME[k]![i];

/** An empty array of the elements kind an array of objects has (`[]` starts as one of small integers). */
export function objectList<T>(): T[] {
  const a: T[] = [undefined as T];
  a.pop();
  return a;
}

const F64_SCRATCH = new Float64Array(1);
const I64_SCRATCH = new Int32Array(F64_SCRATCH.buffer);

export abstract class JsBase {
  protected readonly o: string[] = [];
  /**
   * Trap sites and taken edges whose text build() writes in before the join, once their blocks' prepaid fuel is known
   * (patch.ts fillSites), in the order written; each one's line is set by the `w` or `raw` that writes it (`unplaced`:
   * those not yet).
   */
  protected readonly sites: TrapSite[] = [];
  protected unplaced = 0;
  /** Characters the function may still write (SOURCE_BASE etc.): past it, it stays interpreted. */
  protected budget: number;
  /**
   * The operand stack, made an array of objects from the start (objectList): a fresh `[]` is an array of small
   * integers until its first push, and V8 threw the optimised push away at a new generator's first entry ("not a Smi"
   * at `st.push`, every quickjs first run; BENCHMARKS.md, session 16, helper gen12).
   */
  protected readonly st: Ent[] = objectList<Ent>();
  protected readonly ctrls: Ctrl[] = [];
  protected nLabel = 0;
  /** v128 locals whose f32 lane values are in LF<x>_<k> (valid within a straight-line stretch of code). */
  protected readonly fcache = new LaneCache();
  /** Number of v128.load sites (address variables VA<n>). */
  protected nVa = 0;
  /** The output line of the last v128.load and its stack height (gen-vectors.ts loadInto). */
  protected lastLoad: { line: number; i: number; text: string } | null = null;
  /** Frames open that were entered in unreachable code. */
  protected deadDepth = 0;
  /** The frame whose rest is elided (a cold block start: cold.ts, codegen.ts elide), until its else, catch arm or end. */
  protected coldAt: Ctrl | null = null;
  /** After coldAt's end: the code up to the next block start is reached through the elided part alone. */
  protected coldTail = false;
  /** The instruction just before this one was the end that started coldTail. */
  protected coldEnded = false;
  /** Frames entered while eliding, as LoopScan (which numbers them as it finds them) saw them: 0 numbered, 1 dead to it, 2 numbered and in its skipped catch arms. */
  protected readonly coldFrames: number[] = [];
  /** How many of coldFrames LoopScan finds dead. */
  protected coldScanDead = 0;
  protected readonly vars = new Set<string>();
  protected readonly locRef: Int32Array;
  protected vrN = 0;
  // fuel block
  protected blkPc = -1;
  protected blkCost = 0;
  protected cum = 0;
  /** The current block under its root's check; null: fuel changed otherwise since (a call, a surcharge), so no block may chain to it. */
  protected fuelHere: FuelLink | null = null;
  /** Set by br_if, if and else for the next instruction: its block is reached from this link's block only. */
  protected fuelNext: FuelLink | null = null;
  protected readonly fuelRoots: FuelRoot[] = [];
  protected readonly fuelBlocks: FuelBlock[] = [];
  /** The current fuel block (null before the first, or without fuel counting). */
  protected fblk: FuelBlock | null = null;
  /** Since the current block started, fuel was used otherwise than by subtracting block costs (an exit, a call, a surcharge). */
  protected blkTouched = false;
  /** Since the current block started, no branch, if or else was generated: what follows runs on every path through its start. */
  protected straight = false;
  /** The if whose then arm (pendingElse: else arm) starts with the next instruction. */
  protected pendingArm: Ctrl | null = null;
  protected pendingElse = false;
  /** The innermost loop being generated while it may get a counted copy, and all such loops. */
  protected cand: Counted | null = null;
  protected readonly counted: Counted[] = [];
  protected nSite = 0;
  // exits
  protected readonly exK: number[] = [];
  protected readonly exP: number[] = [];
  protected readonly exB: number[] = [];
  // environment
  protected readonly envV: unknown[] = [];
  protected readonly envIdx = new Map<unknown, string>();
  /**
   * Float constants, read at entry from a Float64Array into C<i>: never JS
   * literals, so that V8 folds no float arithmetic on constants (its folding
   * makes other NaNs than the hardware, which the interpreter uses).
   */
  protected readonly floats: number[] = [];
  protected readonly floatIdx = new Map<string, number>();
  // shape
  protected readonly inst: Instance;
  protected readonly lt: ValType[];
  protected readonly nl: number;
  /** How many of the locals are v128s. */
  protected nVec = 0;
  /** The original offset of the instruction being generated. */
  protected insOff = -1;
  protected readonly slot0: number;
  protected readonly code: Int32Array;
  protected readonly costs: Int32Array;
  protected readonly mem: Memory | null;
  protected readonly memName: string;
  protected usesMem = false;

  /** Loops the interpreter can re-enter this function at. */
  readonly osrEntries: OsrEntry[] = [];
  /** Loop whose head block comes next (its entry is recorded there). */
  protected pendingOsr = -1;
  protected nCtrl = 0;

  constructor(
    protected readonly mc: Machine,
    protected readonly cc: Compiled,
    protected readonly scan: LoopScan,
  ) {
    const f = cc.func;
    this.inst = cc.inst;
    const lt: ValType[] = [...f.type.params];
    for (const g of f.body.locals) for (let i = 0; i < g.count; i++) lt.push(g.type);
    this.lt = lt;
    this.nl = lt.length;
    for (const t of lt) if (t === V128) this.nVec++;
    // a JS function with that many variables would cost V8 more than it saves
    if (this.nl > MAX_LOCALS) no('too many locals');
    this.budget = Math.min(MAX_SOURCE, SOURCE_BASE + SOURCE_PER_BYTE * f.body.body.length + SOURCE_PER_LOCAL * this.nl);
    for (const t of lt) if (!isNum(t)) no('local type');
    for (const t of f.type.results) if (!isNum(t)) no('result type');
    const nc = (cc.tmpl.length - (this.nl * 4 - cc.paramWords)) / 4;
    // (the operand stack starts after the hidden slots of legacy trys' exceptions)
    this.slot0 = this.nl + nc + cc.exnSlots;
    this.code = cc.code;
    this.costs = mc.opCosts;
    this.locRef = new Int32Array(this.nl);
    const m0 = this.inst.memories[0] ?? null;
    this.mem = m0 && m0.type.addr === 'i32' ? m0 : null;
    this.memName = this.mem ? this.env(this.mem) : '';
    this.ctrls.push(newCtrl('func', 0, [], f.type.results, '', false, scan.any, false, scan.lastLoop));
  }

  // ------------------------------------------------------------ output

  /** A statement: inside the innermost frame's guard when that frame has loop re-entry points. */
  protected w(s: string): void {
    const c = this.ctrls[this.ctrls.length - 1];
    if (c && c.osr && !c.guard) {
      this.o.push('if (osr === 0) {');
      c.guard = true;
    }
    this.spend(s.length);
    this.o.push(s);
    if (this.unplaced !== 0) this.place();
  }
  /** The sites written since the last line are on it. */
  private place(): void {
    const line = this.o.length - 1;
    for (let i = this.sites.length - this.unplaced; i < this.sites.length; i++) {
      const s = this.sites[i]!;
      s.line = line;
      s.whole = this.o[line]!;
    }
    this.unplaced = 0;
  }
  /** Frame structure (labels, braces): never guarded. */
  protected raw(s: string): void {
    this.spend(s.length);
    this.o.push(s);
    if (this.unplaced !== 0) this.place();
  }
  /** Counts n characters of source against the function's budget. */
  protected spend(n: number): void {
    if ((this.budget -= n + 1) < 0) no('function too large');
  }
  protected closeGuard(c: Ctrl): void {
    if (c.guard) {
      this.o.push('}');
      c.guard = false;
    }
  }
  /**
   * Before the opening of a child frame: a child with re-entry points is
   * outside its parent's guards, and entered only on the way to one of its
   * loops (or when not re-entering); returns whether it got that wrapper.
   * Here osr is 0 or a loop of the parent at or after this point (Ctrl.osrLast),
   * and the child's loops are the first of those: `osr <= <the child's last>`
   * tells them apart from the ones after it, and without loops after it in
   * the parent, the child needs no wrapper (an interpreter loop's dispatch
   * nests hundreds of blocks, each tested at every pass otherwise).
   */
  protected beforeChild(id: number): boolean {
    const p = this.ctrls[this.ctrls.length - 1]!;
    if (!p.osr) return false;
    if (this.scan.hasLoop[id]) {
      this.closeGuard(p);
      const last = this.scan.loops[id]!.last;
      if (last === p.osrLast) return false;
      this.o.push(`if (osr <= ${last + 1}) {`);
      return true;
    }
    if (!p.guard) {
      this.o.push('if (osr === 0) {');
      p.guard = true;
    }
    return false;
  }

  protected env(v: unknown): string {
    let n = this.envIdx.get(v);
    if (n === undefined) {
      n = `_${this.envV.length}`;
      this.envV.push(v);
      this.envIdx.set(v, n);
    }
    return n;
  }

  /** The fast-code position of the op of the current instruction (origAt), searched from the block start. */
  protected opPc(offset: number, op: number): number {
    const code = this.code;
    const origAt = this.cc.origAt;
    if (offset === 0 || this.blkPc < 0) no('op position');
    for (let p = this.blkPc; p < code.length; p++) if (origAt[p] === offset && code[p] === op) return p;
    return no('op position');
  }

  // ------------------------------------------------------------ stack variables

  /**
   * The stack variable of type t at height i (`I3`, `J3`, `F3`, `D3`, `V3_0`, `R3`), by table: a switch over the types
   * was a compare V8 had not seen run for a type first met after its compile (f32, v128, references), and pushVar and
   * pushStmt, into which it is inlined, were thrown away there ("Insufficient type feedback", BENCHMARKS.md, session
   * 16, helper gen12).
   */
  protected varName(t: ValType, i: number): string {
    const k = t < REF_BASE ? t : REF_BASE;
    if (VAR_PREFIX[k]! === '') return no('value type');
    if (i >= VAR_NAME[k]!.length) stackNames(k, i);
    return VAR_NAME[k]![i]!;
  }
  protected useVar(t: ValType, i: number): void {
    const n = this.varName(t, i);
    this.vars.add(n);
    if (t === I64) this.vars.add(K_NAME[i]!);
    else if (t === V128) for (let k = 1; k < 4; k++) this.vars.add(`V${i}_${k}`);
  }
  /** The words of a v128 stack variable / local. */
  protected vWords(i: number): string[] {
    return [`V${i}_0`, `V${i}_1`, `V${i}_2`, `V${i}_3`];
  }
  protected lWords(x: number): string[] {
    return [`L${x}`, `L${x}_1`, `L${x}_2`, `L${x}_3`];
  }
  /** The four words of a v128 entry (expressions; an f-form entry's lanes converted to bits). */
  protected vw(e: Ent): string[] {
    return e.f ? e.v!.map((x) => `(F32V[0] = ${x}, F32B[0])`) : e.v!;
  }
  /** An entry for local x. */
  protected localEnt(x: number): Ent {
    const t = this.lt[x]!;
    if (x >= L_NAME.length) localNames(x);
    const e = this.mk(t, LOCAL, L_NAME[x]!, t === I64 ? H_NAME[x]! : '', LOC_OF[x]!);
    if (t === V128) e.v = this.lWords(x);
    return e;
  }

  /** Word offset (from fp) of stack slot i / local x. */
  protected stackWord(i: number): number {
    return (this.slot0 + i) * 4;
  }

  /** Statement(s) writing value entry e to the frame word `fp + w`. */
  protected store(e: Ent, w: number): string {
    switch (e.t) {
      case I32:
        return `S[fp + ${w}] = ${e.e};`;
      case I64:
        return `S[fp + ${w}] = ${e.e}; S[fp + ${w + 1}] = ${e.h};`;
      case F32:
        return `S[fp + ${w}] = f2b(${e.e});`;
      case F64:
        return `FD[(fp >> 1) + ${w >> 1}] = ${e.e};`;
      case V128:
        return this.vw(e)
          .map((x, k) => `S[fp + ${w + k}] = ${x};`)
          .join(' ');
    }
    // references: the slot's entry in the machine's parallel array
    if (isRef(e.t)) return `RF[(fp >> 2) + ${w >> 2}] = ${e.e};`;
    return no('value type');
  }
  /** The value of type t at frame word `fp + w`, as an expression (i64: [lo, hi]). */
  protected load(t: ValType, w: number): string[] {
    switch (t) {
      case I32:
        return [`S[fp + ${w}]`];
      case F32:
        return [`b2f(S[fp + ${w}])`];
      case I64:
        return [`S[fp + ${w}]`, `S[fp + ${w + 1}]`];
      case F64:
        return [`FD[(fp >> 1) + ${w >> 1}]`];
      case V128:
        return [0, 1, 2, 3].map((k) => `S[fp + ${w + k}]`);
    }
    if (isRef(t)) return [`RF[(fp >> 2) + ${w >> 2}]`];
    return no('value type');
  }

  /**
   * Clears the reference slot at frame word `fp + w` once its value is in a JS variable. The machine's
   * reference array is a GC root: a slot left holding a reference the frame has moved on from (a parameter, a
   * call's result) would keep it, and all it reaches, alive until the slot is reused (gc-list: the list summed
   * last survived the whole next build, so V8's scavenges copied two lists instead of one). Every exit
   * writes the frame's variables back to their slots first.
   */
  protected dropRef(w: number): string {
    return `RF[(fp >> 2) + ${w >> 2}] = null;`;
  }

  /** Writes stack entries 0..n-1 to their canonical slots. */
  protected spill(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += this.store(this.st[i]!, this.stackWord(i)) + ' ';
    return s;
  }

  // ------------------------------------------------------------ entries

  protected push(e: Ent): void {
    if (e.loc) for (const x of e.loc) this.locRef[x]!++;
    if (e.k === EXPR && e.vr) this.vrN++;
    this.st.push(e);
    if (this.st.length > MAX_HEIGHT) no('operand stack too deep for JS');
    if (e.k === EXPR && e.e.length > MAX_EXPR) this.matAt(this.st.length - 1);
  }
  protected pop(): Ent {
    const e = this.st.pop();
    if (!e) return no('stack underflow');
    this.unref(e);
    return e;
  }
  protected unref(e: Ent): void {
    if (e.loc) for (const x of e.loc) this.locRef[x]!--;
    if (e.k === EXPR && e.vr) this.vrN--;
  }
  protected mk(t: ValType, k: number, e: string, h = '', loc: readonly number[] | null = null, vr = false): Ent {
    return { t, k, e, h, c: '', v: null, f: false, ma: '', mep: 0, loc, vr, sym: null, q: false };
  }
  protected pushVar(t: ValType, i: number): void {
    this.useVar(t, i);
    const e = this.mk(t, VAR, this.varName(t, i), t === I64 ? K_NAME[i]! : '');
    if (t === V128) e.v = this.vWords(i);
    this.push(e);
  }
  /** An EXPR built from operands `deps`. */
  protected expr(t: ValType, e: string, deps: Ent[], opts?: { c?: string }): Ent {
    // (the locals of the deps in order, once each: the first dep's list itself while no other dep adds to it, since
    // no list is changed once made; a list of its own, copied, when one does)
    let loc: readonly number[] | null = null;
    let own: number[] | null = null;
    let vr = false;
    for (const d of deps) {
      if (d.k === VAR || d.vr) vr = true;
      if (d.loc) {
        if (loc === null) loc = d.loc;
        else
          for (const x of d.loc)
            if (!loc.includes(x)) {
              own ??= loc.slice();
              own.push(x);
              loc = own;
            }
      }
    }
    const r = this.mk(t, EXPR, e, '', loc, vr);
    if (opts?.c) r.c = opts.c;
    return r;
  }
  protected pushCond(c: string, deps: Ent[]): void {
    this.push(this.expr(I32, `(${c} ? 1 : 0)`, deps, { c }));
  }

  /** Before writing the stack variable of height i: evaluate the EXPRs below it that read stack variables. */
  protected beforeWrite(i: number): void {
    if (this.vrN === 0) return;
    for (let j = 0; j < i && j < this.st.length; j++) {
      const e = this.st[j]!;
      if (e.k === EXPR && e.vr) this.matAt(j);
    }
  }
  /** Evaluates the entry at height i into its variable. */
  protected matAt(i: number): void {
    const e = this.st[i]!;
    if (e.k === VAR && !e.f) return;
    this.beforeWrite(i);
    const n = this.varName(e.t, i);
    this.useVar(e.t, i);
    if (e.t === I64) this.w(`${n} = ${e.e}; K${i} = ${e.h};`);
    else if (e.t === V128) {
      const ws = this.vw(e);
      this.w(this.vWords(i).map((d, k) => `${d} = ${ws[k]};`).join(' '));
    }
    else this.w(`${n} = ${e.e};`);
    this.unref(e);
    this.st[i] = this.mk(e.t, VAR, n, e.t === I64 ? K_NAME[i]! : '');
    if (e.t === V128) this.st[i]!.v = this.vWords(i);
  }
  protected matAll(): void {
    for (let i = 0; i < this.st.length; i++) this.matAt(i);
  }
  protected matLocal(x: number): void {
    if (this.locRef[x] === 0) return;
    for (let i = 0; i < this.st.length; i++) {
      const e = this.st[i]!;
      if (e.loc && e.loc.includes(x)) this.matAt(i);
    }
  }
  /** Pushes a statement result: `X<h> = rhs;`. */
  protected pushStmt(t: ValType, rhs: string): void {
    const i = this.st.length;
    this.beforeWrite(i);
    this.useVar(t, i);
    this.w(`${this.varName(t, i)} = ${rhs};`);
    this.pushVar(t, i);
  }
  /** Pushes a v128 computed by `code(words)` (statements assigning the four words). */
  protected pushV128(code: (d: string[]) => string): void {
    const i = this.st.length;
    this.beforeWrite(i);
    this.useVar(V128, i);
    this.w(code(this.vWords(i)));
    this.pushVar(V128, i);
  }
  /** Pushes an i64 computed by `code(lo, hi)` (statements assigning both). */
  protected pushI64(code: (lo: string, hi: string) => string): void {
    const i = this.st.length;
    this.beforeWrite(i);
    this.useVar(I64, i);
    this.w(code(`J${i}`, `K${i}`));
    this.pushVar(I64, i);
  }

  // value forms
  protected v32(e: Ent): string {
    return e.e;
  }
  protected cond(e: Ent): string {
    return e.c !== '' ? e.c : `${e.e} !== 0`;
  }
  /** The bits of an f32 entry. */
  protected bits(e: Ent): string {
    return `f2b(${e.e})`;
  }
  /** i64 operand that is used several times must be a name or literal: always true (i64 is never EXPR). */

  /** The variable holding a float constant (a double; an f32 in its b2f form). */
  protected floatConst(x: number): string {
    // kept as bits: a JS array of doubles may quiet a signalling NaN
    F64_SCRATCH[0] = x;
    const lo = I64_SCRATCH[0]!;
    const hi = I64_SCRATCH[1]!;
    const key = `${lo},${hi}`;
    let i = this.floatIdx.get(key);
    if (i === undefined) {
      i = this.floats.length / 2;
      this.floats.push(lo, hi);
      this.floatIdx.set(key, i);
    }
    return `C${i}`;
  }
}
