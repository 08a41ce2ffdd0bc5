/**
 * The JS tier's code generator: one wasm function -> the source of one JS
 * function (`new Function`), made after the function's fast translation
 * (translate.ts), whose frame layout, block boundaries, block costs and code
 * positions it shares.
 *
 * A CodeSink of the validator (like the translator), it keeps a mirror of the
 * operand stack whose entries say where a value is:
 *   VAR    in the JS variable(s) of its height (I<h> i32, J<h>/K<h> i64 lo/hi,
 *          F<h> f32, D<h> f64, V<h>_0..3 v128 words or Vf<h>_0..3 f32x4
 *          lane values, R<h> reference),
 *   LOCAL  still in a local's variable(s) (L<x>; H<x> an i64's high half;
 *          L<x>_1..3 a v128's other words),
 *   CONST  a literal (floats: C<i>, read from a Float64Array at entry),
 *   EXPR   a pure, non-trapping expression not evaluated yet (i32, f32, f64,
 *          references); it reads locals and stack variables of its own
 *          height or above.
 * Values: i32 as int32 numbers, i64 as two int32 numbers, f64 as doubles (V8
 * keeps f64 NaN payloads, signalling ones too, through moves, typed-array and
 * DataView loads and stores; abs/neg/copysign work on the bits), f32 as
 * doubles holding the f32 value, where a NaN carries the f32's sign and
 * payload in the top of the double's mantissa with its quiet bit as it was
 * (rt.ts b2f/f2b: an f32 signalling NaN survives moves; a Float32Array read
 * would quiet it). Arithmetic works on the doubles directly.
 *
 * Control: each wasm block/if is a labeled JS block/if, each loop a labeled
 * `for (;;)`; branches are `break L` / `continue L` after copying the carried
 * values into the label's stack variables. Everything is materialized into
 * variables at every point where paths diverge or merge (if, loop, br_if,
 * br_table, br), so a mirror entry means the same on every path reaching it.
 *
 * Fuel (docs/fuel.md): a JS variable `fuel`. At each block start of the fast
 * translation (blockPc), `if (fuel < C) { spill; exit }; fuel -= C`. Exits go
 * through one epilogue after the labeled body `X: { ... }`: it writes every
 * local, the constants and the live stack into the frame's slots (the
 * interpreter's layout) and either saves the machine state at a fast-code pc
 * (a block start: the interpreter's FUEL there continues in the exact twin;
 * or an instruction that stops: a host call without fuel, a surcharge) or,
 * when a callee stopped, pushes this frame's record (pc after the CALL op) and
 * returns the callee's status. A trap refunds the cost of the rest of its
 * block, known here statically.
 *
 * Re-entry (OSR): the interpreter can hand a running frame back at a loop
 * head (`osr` = the head block's original offset): guards around the code
 * outside the frames holding loops lead straight to that loop (LoopScan,
 * beforeChild, osrPrologue). See docs/architecture.md.
 */
import { FUNCREF, I32, I64, F32, F64, V128, isRef, refType, type FuncType, type ValType } from '../core/types.js';
import type { Instr } from '../decoder/instr.js';
import type { CodeSink, FuncValidator } from '../validate/func.js';
import { validateFunction } from '../validate/module.js';
import type { Compiled } from '../interp/compiled.js';
import { Op } from '../interp/exec.js';
import { SIMD_EXEC } from '../interp/simd-exec.js';
import type { Instance } from '../runtime/objects/instance.js';
import type { Machine } from '../interp/machine.js';
import * as F32N from '../interp/numeric/f32.js';
import * as F64N from '../interp/numeric/f64.js';
import * as I32N from '../interp/numeric/i32.js';
import { HostFunc, WasmFunc } from '../runtime/objects/func.js';
import { type Global } from '../runtime/objects/global.js';
import { type Memory } from '../runtime/objects/memory.js';
import * as RT from './rt.js';
import * as TR from './trips.js';
import { jitStats, JS_STACK_UNITS, type JitFn } from '../interp/tier.js';
import { miscImmediates } from '../interp/immediates.js';

const VAR = 0;
const LOCAL = 1;
const CONST = 2;
const EXPR = 3;

interface Ent {
  t: ValType;
  k: number;
  /** Value expression (i64: low half). */
  e: string;
  /** i64: high half. */
  h: string;
  /** i32 produced by a comparison: the boolean expression ('' otherwise). */
  c: string;
  /**
   * v128: the four words (names or literals; v128 entries are never EXPR), or
   * with `f` the four f32 lanes as values (doubles in variables Vf<h>_<k>, made
   * by f32x4 arithmetic; turned into words where words are needed).
   */
  v: string[] | null;
  f: boolean;
  /** v128 fresh from memory: the variable holding its address, valid while `mep` is the lane cache's epoch. */
  ma: string;
  mep: number;
  /** Locals the entry reads. */
  loc: number[] | null;
  /** Reads stack variables (EXPR only). */
  vr: boolean;
  /** Inside a loop that may be counted: what the i32 value is in terms of locals (null: unknown). */
  sym: Sym | null;
}

/**
 * An i32 value in a loop body as a counted loop sees it: local `x` as read
 * after `ver` writes to it in this iteration, plus `c`, plus local `y`
 * (-1: none; `x` -1: the constant c); or a comparison of two such values.
 */
type Sym = { k: 'v'; x: number; ver: number; c: number; y: number } | { k: 'cmp'; rel: number; l: Sym; r: Sym };

interface Ctrl {
  kind: 'block' | 'loop' | 'if' | 'func';
  height: number;
  params: readonly ValType[];
  results: readonly ValType[];
  label: string;
  dead: boolean;
  /** Loop re-entry (OSR): code in this frame's body outside frames containing entry loops runs only when osr is 0. */
  osr: boolean;
  /** A guard `if (osr === 0) {` is open in this frame's body. */
  guard: boolean;
  /** The frame is wrapped in `if (osr === 0 || <a loop inside>) {` (closed after it). */
  wrap: boolean;
  /** if: where the else arm's first block chains its fuel check to (the block of the `if`); null: it checks itself. */
  fuelElse?: FuelLink | null;
  /** if with an else: how its then arm ended ('dead': it does not reach the end). */
  thenEnd?: FuelLink | null | 'dead';
  /** if with an else: the fuel block its then arm ended in (null: none, or the arm does not reach the end). */
  thenBlk?: FuelBlock | null;
  /** if: the number of fuel blocks when its then arm, and its else arm, started (blocks numbered from there are the arm's own). */
  armFrom?: number;
  elseFrom?: number;
  /** if: the block of the `if` when its arms may pay for it, and the arms' first blocks when reached from it alone (no check of their own). */
  ifBlk?: FuelBlock | null;
  thenFirst?: FuelBlock | null;
  elseFirst?: FuelBlock | null;
  /** A branch targets this frame's label (its end is then a merge of more than the arms). */
  targeted?: boolean;
}

/**
 * A fuel check at the root of an extended block (JsGen.blockStart): its line
 * in the output, patched with the largest cost of a path through the blocks
 * it covers once they are all generated.
 */
interface FuelRoot {
  line: number;
  max: number;
}
/** A block's place under its root's check: the cost from the root's start to the block's end. */
interface FuelLink {
  /** Each root whose check covers the block, with the cost from that root's start to the block's end (several after an if's arms merge). */
  parts: { root: FuelRoot; acc: number }[];
  /** Set for the fall-through of a br_if: the block whose chain the next block joins (prepaid, below). */
  via: FuelBlock | null;
  /** Set for the end of an if/else no branch targets: the blocks its arms end in, whose chains prepay the block there. */
  paidBy?: FuelBlock[] | null;
}
/**
 * A fuel block as generated. The fall-through successors of br_if are
 * prepaid: the first block of such a chain (`head`) subtracts its own cost
 * and theirs, each br_if gives back on its taken edge what it prepaid for the
 * rest of the chain, and a trap inside a block adds its `prepaid` to the
 * refund. So a loop of `check; head; br_if out; body; br loop` subtracts once
 * per iteration.
 */
interface FuelBlock {
  id: number;
  cost: number;
  /** Cost of the chain's blocks after this one (subtracted early, not yet run). */
  prepaid: number;
  /** The chain from its head to this block. */
  chain: FuelBlock[];
  /** Head only: the output line subtracting the chain's cost. */
  subLine: number;
  /** Its own cost was prepaid by the arms of the if/else it follows (it subtracts only what it prepays). */
  paid: boolean;
  /** The block of an if/else whose arms pay its cost with their own (their first blocks' `extra`). */
  post: boolean;
  extra: number;
}
/**
 * An innermost loop that may get a counted copy: when its trip count follows
 * from an induction variable (`i = i + s` once per iteration, tested against
 * a value the loop does not change), and every path through its body lies in
 * the chain of its head's fuel block, the function runs, when fuel suffices
 * for every iteration, a copy of the loop without fuel code. Its exits and
 * traps work out the fuel the loop used from how far i has gone
 * (docs/architecture.md, "Counted loops").
 */
interface Counted {
  /** The loop's place in the control stack. */
  depth: number;
  /** Output lines: the placeholder before the loop (its `for` line follows) and the loop's closing brace. */
  place: number;
  endLine: number;
  head: FuelBlock | null;
  root: FuelRoot | null;
  /** Something in the body rules the copy out. */
  bad: boolean;
  /** Writes to locals in the body so far, and how many each local got. */
  wn: number;
  writes: Map<number, number>;
  /** Writes of the form `x = x + step` at the body's top level, first write of x: the step and the write's number. */
  upd: Map<number, { c: number; y: number; at: number }>;
  /** Branches to the loop's head, and the one at the body's top level: a br_if (the test continues) or a br (an exit test before it ends the loop). */
  backs: number;
  back: { br: boolean; blk: FuelBlock | null; cond: Sym | null; at: number } | null;
  /** br_if at the top level out of the loop, in order: their tests. */
  exits: { cond: Sym | null; site: number }[];
  /** The exit site at the loop's end (the fall-through of a br_if back edge; -1: none). */
  endSite: number;
  /** Exit and trap sites: the number of writes before them. */
  sites: Map<number, number>;
  /** Set when the body ended and the copy is made (build() writes it). */
  plan: CountedPlan | null;
}
/** The counted copy of a loop, worked out at its end. */
interface CountedPlan {
  i: number;
  /** The guard's extra conditions (code). */
  pre: string;
  /** The variable holding i at the loop's entry. */
  q: string;
  /** Updates done so far at a site: how far i has gone (code) over the step's size (code); and whether the site is after the update in program order. */
  dist: string;
  div: string;
  siteAfter: Map<number, boolean>;
  /** The site where the test ends the loop (after trips + 1 iterations), or -1. */
  norm: number;
  /** The trip count (code), inline for the common tests, else a call of loopTrips. */
  trips: string;
}

const FLOAT_CMP: Record<string, string | undefined> = { eq: '===', ne: '!==', lt: '<', gt: '>', le: '<=', ge: '>=' };

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

/** Markers in a counted loop's body, resolved by build(): a trap's fuel, an exit, the back edge's refund. */
const CL_TRAP = '\u0005';
const CL_EXIT = '\u0007';
const CL_BACK = '\u0006';

/** Stands for a root's cost in its check until build() patches it. */
const FUEL_MAX = '\u0003';

/** Control instructions of exception handling, which the JS tier leaves to the interpreter. */
const EXN_CONTROL = new Set(['try', 'try_table', 'catch', 'catch_all', 'delegate']);

/**
 * Pre-pass for loop re-entry: numbers the frames entered in reachable code
 * (as JsGen does) and finds which contain loops, and which loops lie in the
 * then-arm of each `if`.
 */
class LoopScan implements CodeSink {
  private ids = 0;
  private deadDepth = 0;
  private readonly stack: { id: number; kind: string; dead: boolean; inElse: boolean }[] = [{ id: -1, kind: 'func', dead: false, inElse: false }];
  /** Frame id -> a loop is this frame or inside it. */
  readonly hasLoop: boolean[] = [];
  /** Frame id -> a loop is strictly inside it. */
  readonly inner: boolean[] = [];
  /** If id -> the loops in its then-arm. */
  readonly thenLoops = new Map<number, number[]>();
  /** Frame id -> the loops it is or holds. */
  readonly loops: number[][] = [];
  any = false;

  instr(ins: Instr, v: FuncValidator): void {
    const name = ins.def.name;
    // (functions that handle exceptions stay interpreted: JsGen declines them; stop before their frames confuse the scan)
    if (EXN_CONTROL.has(name)) no(name);
    const top = this.stack[this.stack.length - 1]!;
    if (v.unreachable || this.deadDepth > 0) {
      if (name === 'block' || name === 'loop' || name === 'if') {
        this.stack.push({ id: -1, kind: 'block', dead: true, inElse: false });
        this.deadDepth++;
      } else if (name === 'else') {
        if (!top.dead) top.inElse = true;
      } else if (name === 'end') {
        this.stack.pop();
        if (top.dead) this.deadDepth--;
      }
      return;
    }
    if (name === 'block' || name === 'loop' || name === 'if') {
      const id = this.ids++;
      this.hasLoop[id] = false;
      this.inner[id] = false;
      this.loops[id] = [];
      if (name === 'loop') {
        this.any = true;
        this.hasLoop[id] = true;
        this.loops[id]!.push(id);
        for (const a of this.stack) {
          if (a.id < 0) continue;
          this.hasLoop[a.id] = true;
          this.inner[a.id] = true;
          this.loops[a.id]!.push(id);
          if (a.kind === 'if' && !a.inElse) this.thenLoops.get(a.id)!.push(id);
        }
      }
      if (name === 'if') this.thenLoops.set(id, []);
      this.stack.push({ id, kind: name, dead: false, inElse: false });
    } else if (name === 'else') top.inElse = true;
    else if (name === 'end') this.stack.pop();
  }
}

/** A loop the interpreter can enter the JS version at: the fast-code pc and original offset of its body's first block, its id, and the stack at its head. */
interface OsrEntry {
  pc: number;
  orig: number;
  id: number;
  /** The fuel check at the head (null without fuel counting): re-entry needs its cost, else the JS version hands the frame straight back. */
  fuel: FuelRoot | null;
  stack: ValType[];
}

/** Why a function stays interpreted. */
class Unjittable extends Error {}
function no(why: string): never {
  throw new Unjittable(why);
}


/** f32x4 arithmetic done on lane values. */
const F32X4_OPS: Record<string, string> = { add: '+', sub: '-', mul: '*', div: '/' };

/** Value types the tier holds in JS variables. */
function isNum(t: ValType): boolean {
  return t === I32 || t === I64 || t === F32 || t === F64 || t === V128 || isRef(t);
}

/** Exit kinds of the epilogue. */
const EX_HANDOFF = 0;
const EX_NO_FUEL = 1;
const EX_SUSPENDED = 2;
const EX_CALL = 3;

/** Stands for the reload of the memory views in the output until the end (only functions that access memory do it). */
const MEM_RELOAD = '\u0001';
/** Likewise the reload of the f64 view of the value stack (only functions that read or write f64 slots). */
const FD_RELOAD = '\u0002';

/** Functions with more locals, or longer generated source, stay interpreted. */
const MAX_LOCALS = 20_000;
const MAX_SOURCE = 16 * 1024 * 1024;

/** Longest loop body (generated source) given a counted copy. */
const MAX_COUNTED = 2000;

/** Longest EXPR kept unevaluated. */
const MAX_EXPR = 400;

/** The helpers generated code reads from the runtime object `R` (built on first use: rt.ts imports this module). */
let R: Record<string, unknown> | null = null;
let R_NAMES: string[] = [];
function runtime(): Record<string, unknown> {
  if (R !== null) return R;
  R = {
    ...RT,
    f32min: F32N.min,
    f32max: F32N.max,
    f32ceil: F32N.ceil,
    f32floor: F32N.floor,
    f32trunc: F32N.trunc,
    f32nearest: F32N.nearest,
    f64min: F64N.min,
    f64max: F64N.max,
    f64ceil: F64N.ceil,
    f64floor: F64N.floor,
    f64trunc: F64N.trunc,
    f64nearest: F64N.nearest,
    i32tsf_s: I32N.trunc_sat_f64_s,
    i32tsf_u: I32N.trunc_sat_f64_u,
  };
  R_NAMES = Object.keys(R).filter((k) => /^[a-z]/.test(k) || k === 'HI' || k === 'F32V' || k === 'F32B');
  return R;
}

/**
 * How generated source becomes a function, and whether this host allows it. A page whose
 * Content-Security-Policy lacks 'unsafe-eval' (and hosts such as Cloudflare Workers) forbid
 * `new Function`: the first EvalError sets `blocked`, and from then on, for the rest of the process,
 * the tier generates nothing and every function runs on the interpreter, with the same results and
 * fuel. `compile` is replaceable (tests make it throw EvalError).
 */
export const jsEval = {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  compile: (src: string) => new Function('R', 'E', src) as (r: unknown, e: unknown[]) => JitFn,
  blocked: false,
};

/** Generates the JS version of a function; null when it uses something the tier leaves to the interpreter. */
export function generate(mc: Machine, cc: Compiled): JitFn | null {
  if (jsEval.blocked) return null;
  try {
    const scan = new LoopScan();
    validateFunction(cc.inst.vm, cc.func.index, scan);
    const g = new JsGen(mc, cc, scan);
    validateFunction(cc.inst.vm, cc.func.index, g);
    const fn = g.build();
    // the interpreter's loop heads of this function become re-entry points (exec.ts FUEL_OSR)
    for (const e of g.osrEntries) {
      if (cc.code[e.pc] !== Op.FUEL) continue;
      cc.code[e.pc] = Op.FUEL_OSR;
      if (e.fuel !== null) cc.osrFuel.set(e.pc, e.fuel.max);
    }
    jitStats.generated++;
    return fn;
  } catch (e) {
    if (e instanceof Unjittable) {
      jitStats.declined.set(e.message, (jitStats.declined.get(e.message) ?? 0) + 1);
      return null;
    }
    // nesting too deep for V8's parser (new Function): the interpreter, which does not recurse, runs it
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      jitStats.declined.set('nesting too deep for JS', (jitStats.declined.get('nesting too deep for JS') ?? 0) + 1);
      return null;
    }
    if (e instanceof EvalError) {
      jsEval.blocked = true;
      jitStats.declined.set('new Function forbidden', (jitStats.declined.get('new Function forbidden') ?? 0) + 1);
      return null;
    }
    throw e;
  }
}

function lit(x: number): string {
  return x < 0 ? `(${x})` : `${x}`;
}
const F64_SCRATCH = new Float64Array(1);
const I64_SCRATCH = new Int32Array(F64_SCRATCH.buffer);

/**
 * The f32 lane cache of v128 locals for one straight-line stretch (cleared with it): which locals
 * have their lanes in LF<x>_<k>, which of those are exact (arithmetic results, so a store may write
 * them with setFloat32), which hold a constant (lanes: float constants), and which still equal the
 * memory a v128.load read (lanes read again there with getFloat32 instead of converting words).
 * `epoch` changes at every clear and every instruction that may write memory.
 */
class LaneCache extends Set<number> {
  readonly exact = new Set<number>();
  readonly consts = new Map<number, string[]>();
  readonly mem = new Map<number, string>();
  epoch = 0;
  override clear(): void {
    super.clear();
    this.exact.clear();
    this.consts.clear();
    this.memoryWritten();
  }
  /** Memory may have changed: no lanes are read again from it. */
  memoryWritten(): void {
    this.mem.clear();
    this.epoch++;
  }
  /** Local x gets a new value. */
  set(x: number): void {
    this.delete(x);
    this.exact.delete(x);
    this.consts.delete(x);
    this.mem.delete(x);
  }
}

/** Whether an instruction leaves linear memory as it is (else lanes of earlier loads are not read again). */
function keepsMemory(def: Instr['def']): boolean {
  switch (def.family) {
    case 'numeric':
    case 'conversion':
    case 'const':
    case 'variable':
    case 'parametric':
      return true;
    case 'memory':
      return def.name.includes('load');
    case 'vector':
      return !def.name.includes('store');
  }
  return false;
}

class JsGen implements CodeSink {
  private readonly o: string[] = [];
  private readonly st: Ent[] = [];
  private readonly ctrls: Ctrl[] = [];
  private nLabel = 0;
  /** v128 locals whose f32 lane values are in LF<x>_<k> (valid within a straight-line stretch of code). */
  private readonly fcache = new LaneCache();
  /** Number of v128.load sites (address variables VA<n>). */
  private nVa = 0;
  /** Frames open that were entered in unreachable code. */
  private deadDepth = 0;
  private readonly vars = new Set<string>();
  private readonly locRef: Int32Array;
  private vrN = 0;
  // fuel block
  private blkPc = -1;
  private blkCost = 0;
  private cum = 0;
  /** The current block under its root's check; null: fuel changed otherwise since (a call, a surcharge), so no block may chain to it. */
  private fuelHere: FuelLink | null = null;
  /** Set by br_if, if and else for the next instruction: its block is reached from this link's block only. */
  private fuelNext: FuelLink | null = null;
  private readonly fuelRoots: FuelRoot[] = [];
  private readonly fuelBlocks: FuelBlock[] = [];
  /** The current fuel block (null before the first, or without fuel counting). */
  private fblk: FuelBlock | null = null;
  /** Since the current block started, fuel was used otherwise than by subtracting block costs (an exit, a call, a surcharge). */
  private blkTouched = false;
  /** The if whose then arm (pendingElse: else arm) starts with the next instruction. */
  private pendingArm: Ctrl | null = null;
  private pendingElse = false;
  /** The innermost loop being generated while it may get a counted copy, and all such loops. */
  private cand: Counted | null = null;
  private readonly counted: Counted[] = [];
  private nSite = 0;
  // exits
  private readonly exK: number[] = [];
  private readonly exP: number[] = [];
  private readonly exB: number[] = [];
  // environment
  private readonly envV: unknown[] = [];
  private readonly envIdx = new Map<unknown, string>();
  /**
   * Float constants, read at entry from a Float64Array into C<i>: never JS
   * literals, so that V8 folds no float arithmetic on constants (its folding
   * makes other NaNs than the hardware, which the interpreter uses).
   */
  private readonly floats: number[] = [];
  private readonly floatIdx = new Map<string, number>();
  // shape
  private readonly inst: Instance;
  private readonly lt: ValType[];
  private readonly nl: number;
  private readonly slot0: number;
  private readonly code: Int32Array;
  private readonly costs: Int32Array;
  private readonly mem: Memory | null;
  private readonly memName: string;
  private usesMem = false;

  /** Loops the interpreter can re-enter this function at. */
  readonly osrEntries: OsrEntry[] = [];
  /** Loop whose head block comes next (its entry is recorded there). */
  private pendingOsr = -1;
  private nCtrl = 0;

  constructor(
    private readonly mc: Machine,
    private readonly cc: Compiled,
    private readonly scan: LoopScan,
  ) {
    const f = cc.func;
    this.inst = cc.inst;
    const lt: ValType[] = [...f.type.params];
    for (const g of f.body.locals) for (let i = 0; i < g.count; i++) lt.push(g.type);
    this.lt = lt;
    this.nl = lt.length;
    // a JS function with that many variables would cost V8 more than it saves
    if (this.nl > MAX_LOCALS) no('too many locals');
    for (const t of lt) if (!isNum(t)) no('local type');
    for (const t of f.type.results) if (!isNum(t)) no('result type');
    const nc = (cc.tmpl.length - (this.nl * 4 - cc.paramWords)) / 4;
    this.slot0 = this.nl + nc;
    this.code = cc.code;
    this.costs = mc.opCosts;
    this.locRef = new Int32Array(this.nl);
    const m0 = this.inst.memories[0] ?? null;
    this.mem = m0 && m0.type.addr === 'i32' ? m0 : null;
    this.memName = this.mem ? this.env(this.mem) : '';
    this.ctrls.push({ kind: 'func', height: 0, params: [], results: f.type.results, label: '', dead: false, osr: scan.any, guard: false, wrap: false });
  }

  // ------------------------------------------------------------ output

  /** A statement: inside the innermost frame's guard when that frame has loop re-entry points. */
  private w(s: string): void {
    const c = this.ctrls[this.ctrls.length - 1];
    if (c && c.osr && !c.guard) {
      this.o.push('if (osr === 0) {');
      c.guard = true;
    }
    this.o.push(s);
  }
  /** Frame structure (labels, braces): never guarded. */
  private raw(s: string): void {
    this.o.push(s);
  }
  private closeGuard(c: Ctrl): void {
    if (c.guard) {
      this.o.push('}');
      c.guard = false;
    }
  }
  /**
   * Before the opening of a child frame: a child with re-entry points is
   * outside its parent's guards, and entered only on the way to one of its
   * loops (or when not re-entering); returns whether it got that wrapper.
   */
  private beforeChild(id: number): boolean {
    const p = this.ctrls[this.ctrls.length - 1]!;
    if (!p.osr) return false;
    if (this.scan.hasLoop[id]) {
      this.closeGuard(p);
      this.o.push(`if (osr === 0 || ${this.scan.loops[id]!.map((l) => `osr === ${l + 1}`).join(' || ')}) {`);
      return true;
    }
    if (!p.guard) {
      this.o.push('if (osr === 0) {');
      p.guard = true;
    }
    return false;
  }

  private env(v: unknown): string {
    let n = this.envIdx.get(v);
    if (n === undefined) {
      n = `_${this.envV.length}`;
      this.envV.push(v);
      this.envIdx.set(v, n);
    }
    return n;
  }

  private exit(kind: number, pc: number, blk: number): number {
    // (a counted copy has no exits of its own but its head's fuel check)
    if (this.cand !== null && this.cand.head !== null) this.cand.bad = true;
    this.blkTouched = true;
    this.exK.push(kind);
    this.exP.push(pc);
    this.exB.push(blk);
    return this.exK.length - 1;
  }

  /** `fuel + refund`: the fuel to leave when the current instruction traps. */
  private fuelAfterTrap(): string {
    const r = Math.max(0, this.blkCost - this.cum);
    return `fuel + ${r}${this.prepaid(' + ', '')}${this.site(CL_TRAP)}`;
  }
  /** `before<what the current block prepaid>after`, patched by build() (nothing when it prepaid nothing). */
  private prepaid(before: string, after: string): string {
    return this.fblk === null ? '' : `${before}\u0004${this.fblk.id}\u0004${after}`;
  }
  private trap(code: number): string {
    return `throw trap(mc, ${this.fuelAfterTrap()}, ${code});`;
  }

  /** The fast-code position of the op of the current instruction (origAt), searched from the block start. */
  private opPc(offset: number, op: number): number {
    const code = this.code;
    const origAt = this.cc.origAt;
    if (offset === 0 || this.blkPc < 0) no('op position');
    for (let p = this.blkPc; p < code.length; p++) if (origAt[p] === offset && code[p] === op) return p;
    return no('op position');
  }

  // ------------------------------------------------------------ stack variables

  private varName(t: ValType, i: number): string {
    switch (t) {
      case I32:
        return `I${i}`;
      case I64:
        return `J${i}`;
      case F32:
        return `F${i}`;
      case F64:
        return `D${i}`;
      case V128:
        return `V${i}_0`;
    }
    if (isRef(t)) return `R${i}`;
    return no('value type');
  }
  private useVar(t: ValType, i: number): void {
    const n = this.varName(t, i);
    this.vars.add(n);
    if (t === I64) this.vars.add(`K${i}`);
    else if (t === V128) for (let k = 1; k < 4; k++) this.vars.add(`V${i}_${k}`);
  }
  /** The words of a v128 stack variable / local. */
  private vWords(i: number): string[] {
    return [`V${i}_0`, `V${i}_1`, `V${i}_2`, `V${i}_3`];
  }
  private lWords(x: number): string[] {
    return [`L${x}`, `L${x}_1`, `L${x}_2`, `L${x}_3`];
  }
  /** The four words of a v128 entry (expressions; an f-form entry's lanes converted to bits). */
  private vw(e: Ent): string[] {
    return e.f ? e.v!.map((x) => `(F32V[0] = ${x}, F32B[0])`) : e.v!;
  }
  /**
   * The four f32 lane values of a v128 entry, for arithmetic only (a signalling NaN may come out
   * quiet): constants as float constants, a v128 fresh from memory read again with getFloat32
   * (cheaper than converting its words through a typed array), other words converted.
   */
  private vf(e: Ent): string[] {
    if (e.f) return e.v!;
    const fc = this.fcache;
    if (e.k === CONST) return e.v!.map((w) => this.floatConst(RT.b2f(Number(w.replace(/[()]/g, '')) | 0)));
    const fromMem = (a: string): string[] => [0, 1, 2, 3].map((k) => `V.getFloat32(${a}${k ? ` + ${4 * k}` : ''}, true)`);
    if (e.k === LOCAL) {
      // a local's lanes as values, converted once per straight-line stretch
      const x = e.loc![0]!;
      const c = fc.consts.get(x);
      if (c) return c;
      const names = [0, 1, 2, 3].map((k) => `LF${x}_${k}`);
      if (!fc.has(x)) {
        for (const n of names) this.vars.add(n);
        const a = fc.mem.get(x);
        const src = a !== undefined ? fromMem(a) : e.v!.map((w) => `(F32B[0] = ${w}, F32V[0])`);
        this.w(names.map((n, k) => `${n} = ${src[k]};`).join(' '));
        fc.add(x);
      }
      return names;
    }
    if (e.ma !== '' && e.mep === fc.epoch) return fromMem(e.ma);
    return e.v!.map((w) => `(F32B[0] = ${w}, F32V[0])`);
  }
  /** Turns the top n entries that hold f32 lane values into words (in their variables). */
  private unF(n: number): void {
    for (let i = this.st.length - n; i < this.st.length; i++) if (this.st[i]!.f) this.matAt(i);
  }
  /** Pushes a v128 of f32 lane values computed by `code(lanes)`. */
  private pushV128F(code: (d: string[]) => string): void {
    const i = this.st.length;
    this.beforeWrite(i);
    const d = [0, 1, 2, 3].map((k) => `Vf${i}_${k}`);
    for (const x of d) this.vars.add(x);
    this.w(code(d));
    const e = this.mk(V128, VAR, d[0]!, d[1]!);
    e.v = d;
    e.f = true;
    this.push(e);
  }
  /** An entry for local x. */
  private localEnt(x: number): Ent {
    const t = this.lt[x]!;
    const e = this.mk(t, LOCAL, `L${x}`, t === I64 ? `H${x}` : '', [x]);
    if (t === V128) e.v = this.lWords(x);
    return e;
  }

  /** Word offset (from fp) of stack slot i / local x. */
  private stackWord(i: number): number {
    return (this.slot0 + i) * 4;
  }

  /** Statement(s) writing value entry e to the frame word `fp + w`. */
  private store(e: Ent, w: number): string {
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
  private load(t: ValType, w: number): string[] {
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

  /** Writes stack entries 0..n-1 to their canonical slots. */
  private spill(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += this.store(this.st[i]!, this.stackWord(i)) + ' ';
    return s;
  }

  // ------------------------------------------------------------ entries

  private push(e: Ent): void {
    if (e.loc) for (const x of e.loc) this.locRef[x]!++;
    if (e.k === EXPR && e.vr) this.vrN++;
    this.st.push(e);
    if (e.k === EXPR && e.e.length > MAX_EXPR) this.matAt(this.st.length - 1);
  }
  private pop(): Ent {
    const e = this.st.pop();
    if (!e) return no('stack underflow');
    this.unref(e);
    return e;
  }
  private unref(e: Ent): void {
    if (e.loc) for (const x of e.loc) this.locRef[x]!--;
    if (e.k === EXPR && e.vr) this.vrN--;
  }
  private mk(t: ValType, k: number, e: string, h = '', loc: number[] | null = null, vr = false): Ent {
    return { t, k, e, h, c: '', v: null, f: false, ma: '', mep: 0, loc, vr, sym: null };
  }
  private pushVar(t: ValType, i: number): void {
    this.useVar(t, i);
    const e = this.mk(t, VAR, this.varName(t, i), t === I64 ? `K${i}` : '');
    if (t === V128) e.v = this.vWords(i);
    this.push(e);
  }
  /** An EXPR built from operands `deps`. */
  private expr(t: ValType, e: string, deps: Ent[], opts?: { c?: string }): Ent {
    let loc: number[] | null = null;
    let vr = false;
    for (const d of deps) {
      if (d.k === VAR || d.vr) vr = true;
      if (d.loc) {
        loc ??= [];
        for (const x of d.loc) if (!loc.includes(x)) loc.push(x);
      }
    }
    const r = this.mk(t, EXPR, e, '', loc, vr);
    if (opts?.c) r.c = opts.c;
    return r;
  }
  private pushCond(c: string, deps: Ent[]): void {
    this.push(this.expr(I32, `(${c} ? 1 : 0)`, deps, { c }));
  }

  /** Before writing the stack variable of height i: evaluate the EXPRs below it that read stack variables. */
  private beforeWrite(i: number): void {
    if (this.vrN === 0) return;
    for (let j = 0; j < i && j < this.st.length; j++) {
      const e = this.st[j]!;
      if (e.k === EXPR && e.vr) this.matAt(j);
    }
  }
  /** Evaluates the entry at height i into its variable. */
  private matAt(i: number): void {
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
    this.st[i] = this.mk(e.t, VAR, n, e.t === I64 ? `K${i}` : '');
    if (e.t === V128) this.st[i]!.v = this.vWords(i);
  }
  private matAll(): void {
    for (let i = 0; i < this.st.length; i++) this.matAt(i);
  }
  private matLocal(x: number): void {
    if (this.locRef[x] === 0) return;
    for (let i = 0; i < this.st.length; i++) {
      const e = this.st[i]!;
      if (e.loc && e.loc.includes(x)) this.matAt(i);
    }
  }
  /** Pushes a statement result: `X<h> = rhs;`. */
  private pushStmt(t: ValType, rhs: string): void {
    const i = this.st.length;
    this.beforeWrite(i);
    this.useVar(t, i);
    this.w(`${this.varName(t, i)} = ${rhs};`);
    this.pushVar(t, i);
  }
  /** Pushes a v128 computed by `code(words)` (statements assigning the four words). */
  private pushV128(code: (d: string[]) => string): void {
    const i = this.st.length;
    this.beforeWrite(i);
    this.useVar(V128, i);
    this.w(code(this.vWords(i)));
    this.pushVar(V128, i);
  }
  /** Pushes an i64 computed by `code(lo, hi)` (statements assigning both). */
  private pushI64(code: (lo: string, hi: string) => string): void {
    const i = this.st.length;
    this.beforeWrite(i);
    this.useVar(I64, i);
    this.w(code(`J${i}`, `K${i}`));
    this.pushVar(I64, i);
  }

  // value forms
  private v32(e: Ent): string {
    return e.e;
  }
  private cond(e: Ent): string {
    return e.c !== '' ? e.c : `${e.e} !== 0`;
  }
  /** The bits of an f32 entry. */
  private bits(e: Ent): string {
    return `f2b(${e.e})`;
  }
  /** i64 operand that is used several times must be a name or literal: always true (i64 is never EXPR). */

  // ------------------------------------------------------------ fuel blocks

  /** A block of the fast code starts; `up`: the block it is reached from alone (no check of its own), else null. */
  private blockStart(bp: number, up: FuelLink | null): void {
    if (this.code[bp] !== Op.FUEL) no('block start');
    this.fcache.clear();
    if (this.pendingOsr >= 0) {
      // the head of a loop: the stack here is all in variables (loops materialize on entry)
      this.osrEntries.push({ pc: bp, orig: this.code[bp + 2]!, id: this.pendingOsr, stack: this.st.map((e) => e.t), fuel: null });
      this.pendingOsr = -1;
    }
    const c = this.code[bp + 1]!;
    this.blkPc = bp;
    this.blkCost = c;
    this.cum = 0;
    this.fblk = null;
    if (!this.mc.counting) return;
    const blk: FuelBlock = { id: this.fuelBlocks.length, cost: c, prepaid: 0, chain: [], subLine: -1, paid: false, post: false, extra: 0 };
    this.fuelBlocks.push(blk);
    this.fblk = blk;
    if (up !== null) {
      // reached only from `up`'s block, whose root checked for this block too
      const parts = up.parts.map((p) => {
        const acc = p.acc + c;
        if (acc > p.root.max) p.root.max = acc;
        return { root: p.root, acc };
      });
      this.fuelHere = { parts, via: null };
    } else {
      const x = this.exit(EX_HANDOFF, bp, bp);
      this.w(`if (fuel < ${FUEL_MAX}) { ${this.spill(this.st.length)}ex = ${x}; break X; }`);
      const root: FuelRoot = { line: this.o.length - 1, max: c };
      this.fuelRoots.push(root);
      const head = this.osrEntries[this.osrEntries.length - 1];
      if (head !== undefined && head.pc === bp) head.fuel = root;
      this.fuelHere = { parts: [{ root, acc: c }], via: null };
    }
    if (up !== null && up.via !== null) {
      // the fall-through of a br_if: paid by the head of the chain it joins
      for (const b of up.via.chain) b.prepaid += c;
      blk.chain = [...up.via.chain, blk];
    } else {
      if (up !== null && up.paidBy) {
        // the end of an if/else: each arm's chain pays for it (one path runs through one arm)
        for (const p of up.paidBy) for (const b of p.chain) b.prepaid += c;
        blk.paid = true;
      }
      blk.chain = [blk];
      this.w('');
      blk.subLine = this.o.length - 1;
    }
    this.blkTouched = false;
    const cd = this.cand;
    if (cd !== null) {
      // a counted copy: the loop's head is a root, and every block of its body in the head's chain
      if (cd.head === null) {
        cd.head = blk;
        cd.root = up === null ? this.fuelHere!.parts[0]!.root : null;
        if (up !== null) cd.bad = true;
      } else if (up === null || blk.chain[0] !== cd.head) cd.bad = true;
    }
  }

  /**
   * The next instruction's block is reached from the current block only (the
   * fall-through of br_if, the first of a then arm): it needs no check of its
   * own when the current block's root checks for it.
   */
  private chainNext(viaBrIf: boolean): void {
    const h = this.fuelHere;
    this.fuelNext = h === null ? null : { parts: h.parts, via: viaBrIf ? this.fblk : null };
  }
  /** Fuel changed by other than block costs (a call returned, a surcharge was paid): blocks after this point check again. */
  private fuelChanged(): void {
    this.fuelHere = null;
    this.blkTouched = true;
    if (this.cand !== null) this.cand.bad = true;
  }

  // ------------------------------------------------------------ counted loops

  /** A marker for an exit or trap site in a counted candidate's body ('' elsewhere): build() finds how far the loop got there. */
  private site(kind: string): string {
    const cd = this.cand;
    if (cd === null) return '';
    const id = this.nSite++;
    cd.sites.set(id, cd.wn);
    return `${kind}${id}${kind}`;
  }
  /** Local x's entry `e` with its Sym in a counted candidate's body. */
  private symLocal(e: Ent, x: number): Ent {
    const cd = this.cand;
    if (cd !== null && this.lt[x] === I32) {
      e.sym = { k: 'v', x, ver: cd.writes.get(x) ?? 0, c: 0, y: -1 };
    }
    return e;
  }
  /** The Sym of the result of i32 op `name`, from its operands on the stack (before it pops them). */
  private symOp(name: string): Sym | null {
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
  private candWrite(x: number, sym: Sym | null): void {
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
  private countedPlan(cd: Counted): CountedPlan | null {
    if (cd.bad || cd.head === null || cd.root === null || cd.backs !== 1 || cd.back === null) return null;
    // every use of fuel in the body must be one the copy knows how to turn into the loop's count
    const text = this.countedBody(cd)
      .replace(/fuel \+= \u0004\d+\u0004;/g, '')
      .replace(/fuel \+ \d+( \+ \u0004\d+\u0004)?\u0005\d+\u0005/g, '')
      .replace(/\u0007\d+\u0007mc\.fuel = fuel;/g, '');
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
  private countedBody(cd: Counted): string {
    const skip = new Set([cd.root!.line, cd.head!.subLine]);
    return this.o
      .slice(cd.place + 1, cd.endLine + 1)
      .filter((_, k) => !skip.has(cd.place + 1 + k))
      .join('\n')
      .replace(/\u0006[^\u0006]*\u0006/g, '');
  }
  /** The plan from one test (`cont`: the loop goes on while it holds, else while it does not), or null. */
  private countedTest(cd: Counted, cond: Sym | null, cont: boolean, backAt: number): Omit<CountedPlan, 'norm'> | null {
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

  // ------------------------------------------------------------ the sink

  instr(ins: Instr, v: FuncValidator): void {
    const def = ins.def;
    const name = def.name;
    // (a link set by the previous instruction holds for this one only)
    const link = this.fuelNext;
    this.fuelNext = null;
    if (v.unreachable || this.deadDepth > 0) {
      // the path has ended: code the validator finds reachable again without a block start of its own
      // (after the end of a frame nothing branches to) is never run, and no block may chain to it
      this.fuelHere = null;
      this.fblk = null;
      this.deadInstr(ins, v);
      return;
    }
    const bp = this.cc.blockPc.get(ins.offset);
    if (bp !== undefined) this.blockStart(bp, link);
    else if (this.pendingOsr >= 0) no('loop head');
    const arm = this.pendingArm;
    if (arm !== null) {
      // the first block of an arm, when it starts right there and is reached from the block of the `if` alone
      this.pendingArm = null;
      const first = bp !== undefined && link !== null && name !== 'else' && name !== 'end' ? this.fblk : null;
      if (this.pendingElse) arm.elseFirst = first;
      else arm.thenFirst = first;
    }
    this.cum += this.costs[def.id]!;
    if (!keepsMemory(def)) this.fcache.memoryWritten();
    if (def.prefix === 0xfd) {
      this.simd(ins);
      return;
    }
    const sym = this.cand !== null && def.prefix === 0 ? this.symOp(name) : null;
    if (this.numeric(name)) {
      if (sym !== null) this.st[this.st.length - 1]!.sym = sym;
      return;
    }
    if (def.bytes > 0 && def.params !== null && def.family === 'memory') {
      this.memAccess(ins, name);
      return;
    }
    switch (name) {
      case 'nop':
        return;
      case 'unreachable':
        this.w(this.trap(RT.TRAP_UNREACHABLE));
        return;
      case 'drop':
        this.pop();
        return;
      case 'i32.const': {
        const e = this.mk(I32, CONST, lit(ins.a | 0));
        if (this.cand !== null) e.sym = { k: 'v', x: -1, ver: 0, c: ins.a | 0, y: -1 };
        this.push(e);
        return;
      }
      case 'i64.const': {
        const u = BigInt.asUintN(64, ins.i64);
        this.push(this.mk(I64, CONST, lit(Number(u & 0xffffffffn) | 0), lit(Number(u >> 32n) | 0)));
        return;
      }
      case 'f32.const':
        this.push(this.mk(F32, CONST, this.floatConst(RT.b2f(ins.a | 0))));
        return;
      case 'f64.const':
        this.push(this.mk(F64, CONST, this.floatConst(RT.f64bits(ins.lo, ins.hi))));
        return;
      case 'local.get':
        this.push(this.symLocal(this.localEnt(ins.a), ins.a));
        return;
      case 'local.set':
      case 'local.tee': {
        const x = ins.a;
        const e = this.pop();
        const t = this.lt[x]!;
        if (!(e.k === LOCAL && e.loc![0] === x)) {
          this.matLocal(x);
          if (t === I64) this.w(`L${x} = ${e.e}; H${x} = ${e.h};`);
          else if (t === V128) {
            const ws = this.vw(e);
            this.w(this.lWords(x).map((d, k) => `${d} = ${ws[k]};`).join(' '));
            const fc = this.fcache;
            fc.set(x);
            if (e.f) {
              // the lane values are known: they are the cache
              const names = [0, 1, 2, 3].map((k) => `LF${x}_${k}`);
              for (const n of names) this.vars.add(n);
              this.w(names.map((n, k) => `${n} = ${e.v![k]};`).join(' '));
              fc.add(x);
              fc.exact.add(x);
            } else if (e.k === CONST) fc.consts.set(x, this.vf(e));
            else if (e.ma !== '' && e.mep === fc.epoch) fc.mem.set(x, e.ma);
          } else this.w(`L${x} = ${e.e};`);
        }
        if (this.cand !== null) this.candWrite(x, e.sym);
        if (name === 'local.tee') this.push(this.symLocal(this.localEnt(x), x));
        return;
      }
      case 'global.get': {
        const g = this.inst.globals[ins.a]!;
        const t = g.type.type;
        const n = this.global(g, t);
        if (t === I64) this.pushI64((lo, hi) => `${lo} = ${n}[0]; ${hi} = ${n}[1];`);
        else if (t === V128) this.pushV128((d) => d.map((x, k) => `${x} = ${n}[${k}];`).join(' '));
        else if (isRef(t)) this.pushStmt(t, `${n}.ref`);
        else this.pushStmt(t, t === F32 ? `b2f(${n}[0])` : `${n}[0]`);
        return;
      }
      case 'global.set': {
        const g = this.inst.globals[ins.a]!;
        const t = g.type.type;
        const n = this.global(g, t);
        const e = this.pop();
        if (t === I64) this.w(`${n}[0] = ${e.e}; ${n}[1] = ${e.h};`);
        else if (t === V128) this.w(this.vw(e).map((x, k) => `${n}[${k}] = ${x};`).join(' '));
        else if (isRef(t)) this.w(`${n}.ref = ${e.e};`);
        else this.w(`${n}[0] = ${t === F32 ? this.bits(e) : e.e};`);
        return;
      }
      case 'select': {
        const c = this.pop();
        const b = this.pop();
        const a = this.pop();
        const t = a.t;
        if (t === I64) {
          this.pushI64((lo, hi) => `if (${this.cond(c)}) { ${lo} = ${a.e}; ${hi} = ${a.h}; } else { ${lo} = ${b.e}; ${hi} = ${b.h}; }`);
        } else if (t === V128) {
          this.pushV128(
            (d) => `if (${this.cond(c)}) { ${d.map((x, k) => `${x} = ${this.vw(a)[k]};`).join(' ')} } else { ${d.map((x, k) => `${x} = ${this.vw(b)[k]};`).join(' ')} }`,
          );
        } else if (t === I32 || t === F64 || t === F32 || isRef(t)) {
          this.push(this.expr(t, `(${this.cond(c)} ? ${a.e} : ${b.e})`, [a, b, c]));
        } else no('select type');
        return;
      }
      case 'block':
      case 'loop':
      case 'if':
        this.enter(ins, v, name);
        return;
      case 'else':
        this.elseArm(v);
        return;
      case 'end':
        this.end(v);
        return;
      case 'br': {
        this.matAll();
        const cd = this.cand;
        if (cd !== null && this.ctrls.length - 1 === cd.depth && ins.a === 0) cd.back = { br: true, blk: this.fblk, cond: null, at: cd.wn };
        this.w(this.jump(ins.a));
        return;
      }
      case 'br_if': {
        const c = this.pop();
        this.matAll();
        // (the taken edge gives back what this block prepaid for the blocks after it)
        let refund = this.prepaid('fuel += ', ';');
        const cd = this.cand;
        if (cd !== null && this.ctrls.length - 1 === cd.depth) {
          // the body's top level: the back edge (a counted copy gives nothing back there), or a test that leaves the loop
          if (ins.a === 0) {
            refund = `${CL_BACK}${refund}${CL_BACK}`;
            cd.back = { br: false, blk: this.fblk, cond: c.sym, at: cd.wn };
          } else cd.exits.push({ cond: c.sym, site: this.nSite }); // (jump marks this exit next)
        }
        this.w(`if (${this.cond(c)}) { ${refund}${this.jump(ins.a)} }`);
        this.chainNext(true);
        return;
      }
      case 'br_table':
        this.brTable(ins);
        return;
      case 'return':
        this.w(this.ret());
        return;
      case 'call':
        this.call(ins.a, ins.offset);
        return;
      case 'call_indirect':
        this.callIndirect(ins.a, ins.b, ins.offset);
        return;
      case 'return_call':
      case 'return_call_indirect':
        this.tailCall(ins, name);
        return;
      case 'memory.size': {
        if (ins.a === 0 && this.mem) {
          this.usesMem = true;
          this.pushStmt(I32, `(ML / ${this.mem.pageSize}) | 0`);
          return;
        }
        const m = this.inst.memories[ins.a]!;
        const M = this.env(m);
        if (m.type.addr === 'i64') this.pushI64((lo, hi) => `${lo} = ${M}.pages | 0; ${hi} = 0;`);
        else this.pushStmt(I32, `${M}.pages | 0`);
        return;
      }
      case 'memory.grow':
        this.memoryGrow(ins);
        return;
      case 'memory.fill':
      case 'memory.copy':
        this.bulk(ins, name);
        return;
      case 'memory.init':
      case 'table.copy':
      case 'table.init':
      case 'table.fill':
        this.miscOp(ins, 3, null);
        return;
      case 'table.get':
        this.miscOp(ins, 1, this.inst.tables[ins.a]!.type.elem);
        return;
      case 'table.set':
        this.miscOp(ins, 2, null);
        return;
      case 'table.grow':
        this.miscOp(ins, 2, this.inst.tables[ins.a]!.type.addr === 'i64' ? I64 : I32);
        return;
      case 'ref.null':
        this.push(this.mk(refType(ins.a, true), CONST, 'null'));
        return;
      case 'ref.func':
        this.push(this.mk(FUNCREF, CONST, this.env(this.inst.funcs[ins.a])));
        return;
      case 'ref.is_null': {
        const a = this.pop();
        this.pushCond(`${a.e} === null`, [a]);
        return;
      }
      case 'ref.eq': {
        const b = this.pop();
        const a = this.pop();
        this.pushCond(`${a.e} === ${b.e}`, [a, b]);
        return;
      }
      case 'ref.as_non_null': {
        const a = this.pop();
        this.pushStmt(a.t, a.e);
        this.w(`if (${this.st[this.st.length - 1]!.e} === null) ${this.trap(RT.TRAP_NULL)}`);
        return;
      }
      case 'data.drop':
      case 'elem.drop':
        this.miscOp(ins, 0, null);
        return;
      case 'table.size':
        this.miscOp(ins, 0, this.inst.tables[ins.a]!.type.addr === 'i64' ? I64 : I32);
        return;
    }
    no(name);
  }

  /** The variable holding a float constant (a double; an f32 in its b2f form). */
  private floatConst(x: number): string {
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

  private global(g: Global, t: ValType): string {
    if (t === F64) return this.env(new Float64Array(g.cell.buffer, g.cell.byteOffset, 2));
    if (t === I32 || t === I64 || t === F32 || t === V128) return this.env(g.cell);
    if (isRef(t)) return this.env(g);
    return no('global type');
  }

  // ------------------------------------------------------------ control

  private enter(ins: Instr, v: FuncValidator, name: string): void {
    this.fcache.clear();
    const params = v.blockParams(ins);
    const results = v.blockResults(ins);
    const label = `L${this.nLabel++}`;
    const id = this.nCtrl++;
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
      const ifBlk = blk !== null && blk.chain.length === 1 && !blk.paid && !this.blkTouched ? blk : null;
      const ctrl: Ctrl = { kind: 'if', height: this.st.length - params.length, params, results, label, dead: false, osr, guard: false, wrap, fuelElse: this.fuelHere, armFrom: this.fuelBlocks.length, ifBlk };
      this.ctrls.push(ctrl);
      this.pendingArm = ctrl;
      this.pendingElse = false;
      // re-entering a loop inside: the arm that holds it, whatever the condition
      const into = (scan.thenLoops.get(id) ?? []).map((l) => `osr === ${l + 1}`).join(' || ') || 'false';
      this.raw(osr ? `${label}: if (osr === 0 ? ${cond} : ${into}) {` : `${label}: if (${cond}) {`);
      this.chainNext(false);
      return;
    }
    if (name === 'loop') {
      this.matAll();
      const wrap = this.beforeChild(id);
      this.ctrls.push({ kind: 'loop', height: this.st.length - params.length, params, results, label, dead: false, osr: scan.inner[id]!, guard: false, wrap });
      // a re-entry at this loop's head ends here: the rest runs as usual
      const innermost = !scan.inner[id];
      // a re-entry at the head of an innermost loop ends before it (nothing in its body is skipped):
      // a test of osr in every iteration costs V8 more than the test itself (it blocks its loop optimisations)
      if (innermost) this.raw(`if (osr === ${id + 1}) osr = 0;`);
      if (this.mc.counting && innermost) {
        // a place for its counted copy, should it get one
        this.raw('');
        const cd: Counted = {
          depth: this.ctrls.length - 1,
          place: this.o.length - 1,
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
    this.ctrls.push({ kind: 'block', height: this.st.length - params.length, params, results, label, dead: false, osr: scan.hasLoop[id]!, guard: false, wrap });
    this.raw(`${label}: {`);
  }

  private resetTo(c: Ctrl, types: readonly ValType[]): void {
    while (this.st.length > c.height) this.pop();
    for (const t of types) this.pushVar(t, this.st.length);
  }

  private elseArm(v: FuncValidator): void {
    this.fcache.clear();
    const c = this.ctrls[this.ctrls.length - 1]!;
    if (!v.unreachable) for (let i = this.st.length - c.results.length; i < this.st.length; i++) this.matAt(i);
    this.closeGuard(c);
    this.raw('} else {');
    this.resetTo(c, c.params);
    c.thenEnd = v.unreachable ? 'dead' : this.fuelHere;
    c.thenBlk = v.unreachable ? null : this.fblk;
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
  private mergeArms(c: Ctrl, live: boolean): FuelLink | null {
    if (c.targeted) return null;
    const preds: (FuelLink | null)[] = [];
    if (live) preds.push(this.fuelHere);
    if (c.thenEnd === undefined) preds.push(c.fuelElse ?? null);
    else if (c.thenEnd !== 'dead') preds.push(c.thenEnd);
    if (preds.length === 0) return null;
    const parts: { root: FuelRoot; acc: number }[] = [];
    for (const p of preds) {
      if (p === null) return null;
      for (const q of p.parts) {
        const same = parts.find((r) => r.root === q.root);
        if (same === undefined) parts.push({ root: q.root, acc: q.acc });
        else if (q.acc > same.acc) same.acc = q.acc;
      }
    }
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
    return { parts, via: null, paidBy };
  }

  private end(v: FuncValidator): void {
    this.fcache.clear();
    // (the frame stays on the stack while its last statements are emitted: they belong to its guards)
    const c = this.ctrls[this.ctrls.length - 1]!;
    const live = !v.unreachable;
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
      // the slow loop is the else of the counted copy's guard
      if (cd.plan !== null) this.raw('}');
      if (c.wrap) this.raw('}');
    } else this.raw(c.wrap ? '} }' : '}');
    this.ctrls.pop();
    this.resetTo(c, c.results);
    if (c.kind === 'if' && this.mc.counting) {
      this.fuelNext = this.mergeArms(c, live);
      // an if/else whose arms both start with a block reached from its block alone: they pay its cost with theirs
      const ib = c.ifBlk;
      if (ib && c.thenFirst && c.elseFirst && c.thenEnd !== undefined) {
        ib.post = true;
        c.thenFirst.extra += ib.cost;
        c.elseFirst.extra += ib.cost;
      }
    }
  }

  private deadInstr(ins: Instr, v: FuncValidator): void {
    const name = ins.def.name;
    if (EXN_CONTROL.has(name)) no(name);
    // a frame entered in unreachable code: nothing of it is emitted, even what the validator finds reachable in it
    if (name === 'block' || name === 'loop' || name === 'if') {
      this.ctrls.push({ kind: 'block', height: this.st.length, params: [], results: [], label: '', dead: true, osr: false, guard: false, wrap: false });
      this.deadDepth++;
      return;
    }
    if (name === 'else') {
      if (this.ctrls[this.ctrls.length - 1]!.dead) return;
      this.elseArm(v);
      return;
    }
    if (name === 'end') {
      if (this.ctrls[this.ctrls.length - 1]!.dead) {
        this.ctrls.pop();
        this.deadDepth--;
        return;
      }
      this.end(v);
    }
  }

  /** Copies the carried values into label `depth`'s variables and jumps (everything is materialized). */
  private jump(depth: number): string {
    const c = this.ctrls[this.ctrls.length - 1 - depth]!;
    c.targeted = true;
    if (c.kind === 'func') return this.ret();
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
    return s + exit + (c.kind === 'loop' ? `continue ${c.label};` : `break ${c.label};`);
  }

  private ret(): string {
    const n = this.cc.func.type.results.length;
    let s = '';
    for (let j = 0; j < n; j++) s += this.store(this.st[this.st.length - n + j]!, j * 4) + ' ';
    return `${s}${this.site(CL_EXIT)}mc.fuel = fuel; return 0;`;
  }

  private brTable(ins: Instr): void {
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

  // ------------------------------------------------------------ calls

  private callArgs(params: readonly ValType[]): number {
    const base = this.st.length - params.length;
    for (let j = 0; j < params.length; j++) {
      const e = this.st[base + j]!;
      if (isRef(e.t) !== isRef(params[j]!) || (!isRef(e.t) && e.t !== params[j])) no('argument type');
      this.w(this.store(e, this.stackWord(base + j)));
    }
    for (let j = 0; j < params.length; j++) this.pop();
    return base;
  }
  private callResults(results: readonly ValType[], base: number): void {
    for (let j = 0; j < results.length; j++) {
      const t = results[j]!;
      const ws = this.load(t, this.stackWord(base + j));
      if (t === I64) this.pushI64((l, h) => `${l} = ${ws[0]}; ${h} = ${ws[1]};`);
      else if (t === V128) this.pushV128((d) => d.map((x, k) => `${x} = ${ws[k]};`).join(' '));
      else this.pushStmt(t, ws[0]!);
    }
  }
  private selfName(): string {
    return `wasm_func_${this.cc.func.index}`;
  }

  private reloadAfterCall(): string {
    // the memory views are reloaded only in functions that access memory (see build)
    this.fuelChanged();
    return `S = mc.s;${FD_RELOAD} fuel = mc.fuel;${MEM_RELOAD}`;
  }
  private checkTypes(ts: readonly ValType[]): void {
    for (const t of ts) if (!isNum(t)) no('call type');
  }

  private call(fi: number, offset: number): void {
    const callee = this.inst.funcs[fi]!;
    const type = callee.type;
    this.checkTypes(type.params);
    this.checkTypes(type.results);
    const callPc = this.opPc(offset, Op.CALL);
    const next = callPc + 3;
    if (this.code[next] !== Op.FUEL) no('call continuation');
    const base = this.callArgs(type.params);
    const off = this.stackWord(base);
    const fn = this.env(callee);
    const spill = this.spill(base);
    if (callee instanceof WasmFunc) {
      const x = this.exit(EX_CALL, next, this.blkPc);
      this.w(`if (depth >= ${this.mc.maxDepth - 1}) ${this.trap(RT.TRAP_STACK)}`);
      if (callee === this.cc.func) {
        // a recursive call: this very function
        this.w(`mc.fuel = fuel;`);
        this.w(`st = jd < LIM ? ${this.selfName()}(mc, fp + ${off}, depth + 1, jd + WT, 0) : callSlow(mc, ${fn}, fp + ${off}, depth + 1, jd + WT);`);
      } else {
        this.w(`mc.fuel = fuel; jf = ${fn}.jit;`);
        this.w(`st = jf !== null && jd < LIM ? jf(mc, fp + ${off}, depth + 1, jd + WT, 0) : callSlow(mc, ${fn}, fp + ${off}, depth + 1, jd + WT);`);
      }
      this.w(this.reloadAfterCall());
      this.w(`if (st !== 0) { ${spill}ex = ${x}; break X; }`);
    } else if (callee instanceof HostFunc) {
      const xf = this.exit(EX_NO_FUEL, callPc, this.blkPc);
      const xs = this.exit(EX_SUSPENDED, next, this.blkPc);
      this.w(`mc.fuel = fuel; mc.depth = depth; mc.sp = fp + ${this.cc.frameWords};`);
      this.w(`st = callHost(mc, ${fn}, fp + ${off}, ${this.env(this.inst)}, jd + WT);`);
      this.w(this.reloadAfterCall());
      this.w(`if (st !== 0) { ${spill}ex = st === 1 ? ${xf} : ${xs}; break X; }`);
    } else no('callee');
    this.callResults(type.results, base);
  }

  /**
   * A tail call: the interpreter makes it (it replaces the frame, so deep tail
   * recursion needs no stack). Everything goes to the frame's slots and the
   * interpreter continues at the RETURN_CALL op, this block already paid.
   */
  private tailCall(ins: Instr, name: string): void {
    const op = name === 'return_call' ? Op.RETURN_CALL : Op.RETURN_CALL_INDIRECT;
    const pc = this.opPc(ins.offset, op);
    let s = this.spill(this.st.length);
    if (name === 'return_call_indirect') {
      // the index is read from the slot the translator gave it (maybe a local's or a constant's)
      const idx = this.st[this.st.length - 1]!;
      s += this.store(idx, this.code[pc + 3]!) + ' ';
    }
    const x = this.exit(EX_HANDOFF, pc, this.blkPc);
    this.w(`${s}ex = ${x}; break X;`);
  }

  private callIndirect(ti: number, tab: number, offset: number): void {
    const table = this.inst.tables[tab]!;
    const ft = this.inst.vm.module.types[ti]!.comp as FuncType;
    this.checkTypes(ft.params);
    this.checkTypes(ft.results);
    const tid = this.inst.translateEnv.typeIds[ti]!;
    const callPc = this.opPc(offset, Op.CALL_INDIRECT);
    const next = callPc + 5;
    if (this.code[next] !== Op.FUEL) no('call continuation');
    const idx = this.pop();
    const T = this.env(table);
    // the index also goes to its slot: a host callee without fuel resumes at the interpreter's CALL_INDIRECT, which reads it there
    this.w(`${this.store(idx, this.stackWord(this.st.length))} ea = ${idx.e} >>> 0;`);
    this.w(`if (ea >= ${T}.elems.length${table.is64 ? ` || ${idx.h} !== 0` : ''}) ${this.trap(RT.TRAP_UNDEF_ELEM)}`);
    this.w(`cf = ${T}.elems[ea]; if (cf === null || cf === undefined) throw trapUninit(mc, ${this.fuelAfterTrap()}, ea);`);
    this.w(`if (cf.typeId !== ${tid} && !mc.typeMatches(cf.typeId, ${tid})) ${this.trap(RT.TRAP_SIG)}`);
    const base = this.callArgs(ft.params);
    const off = this.stackWord(base);
    const spill = this.spill(base);
    const xc = this.exit(EX_CALL, next, this.blkPc);
    const xf = this.exit(EX_NO_FUEL, callPc, this.blkPc);
    const xs = this.exit(EX_SUSPENDED, next, this.blkPc);
    const WF = this.env(WasmFunc);
    this.w(`mc.fuel = fuel;`);
    this.w(
      `if (cf instanceof ${WF}) { if (depth >= ${this.mc.maxDepth - 1}) ${this.trap(RT.TRAP_STACK)} jf = cf.jit; ` +
        `st = jf !== null && jd < LIM ? jf(mc, fp + ${off}, depth + 1, jd + WT, 0) : callSlow(mc, cf, fp + ${off}, depth + 1, jd + WT); } ` +
        `else { mc.depth = depth; mc.sp = fp + ${this.cc.frameWords}; st = -callHost(mc, cf, fp + ${off}, ${this.env(this.inst)}, jd + WT); }`,
    );
    this.w(this.reloadAfterCall());
    this.w(`if (st !== 0) { ${spill}ex = st === -1 ? ${xf} : st === -2 ? ${xs} : ${xc}; break X; }`);
    this.callResults(ft.results, base);
  }


  // ------------------------------------------------------------ vectors

  /**
   * A vector instruction. A v128 is four int32 words (little-endian lanes).
   * Common instructions are inline; every other one runs the interpreter's
   * executor (simd-exec.ts) on this frame's canonical slots: the operands are
   * written there, the executor computes into the first one's slot, and the
   * result is read back.
   */
  private simd(ins: Instr): void {
    const def = ins.def;
    const name = def.name;
    if (name === 'v128.const') {
      const b = ins.v128;
      const w = (i: number): number => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
      const e = this.mk(V128, CONST, '', '');
      e.v = [lit(w(0)), lit(w(4)), lit(w(8)), lit(w(12))];
      e.e = e.v[0]!;
      this.push(e);
      return;
    }
    if (this.simdInline(ins, name)) return;
    this.simdGeneric(ins);
  }

  private simdGeneric(ins: Instr): void {
    const def = ins.def;
    const exec = SIMD_EXEC[def.id];
    if (!exec || def.params === null || def.results === null) no(def.name);
    const n = def.params.length;
    if (n > 3) no(def.name);
    const base = this.st.length - n;
    for (let j = 0; j < n; j++) {
      const e = this.st[base + j]!;
      if (!isNum(e.t)) no('vector operand type');
      this.w(this.store(e, this.stackWord(base + j)));
    }
    for (let j = 0; j < n; j++) this.pop();
    const at = (j: number): string => (j < n ? `fp + ${this.stackWord(base + j)}` : 'fp');
    const [i0, i1, i2, i3] = miscImmediates(ins);
    const call = `${this.env(exec)}(mc, ${this.env(this.inst)}, fp + ${this.stackWord(base)}, ${at(0)}, ${at(1)}, ${at(2)}, ${i0}, ${i1}, ${i2}, ${i3});`;
    // executors with memory operands trap on bounds: the trap leaves this block's refund
    if (def.bytes > 0) this.w(`try { ${call} } catch (e) { throw settleTrap(mc, ${this.fuelAfterTrap()}, e); }`);
    else this.w(call);
    const results = def.results;
    if (results.length > 1) no(def.name);
    if (results.length === 1) {
      const t = results[0]!;
      const ws = this.load(t, this.stackWord(base));
      if (t === I64) this.pushI64((l, h) => `${l} = ${ws[0]}; ${h} = ${ws[1]};`);
      else if (t === V128) this.pushV128((d) => d.map((x, k) => `${x} = ${ws[k]};`).join(' '));
      else if (isNum(t)) this.pushStmt(t, ws[0]!);
      else no('vector result type');
    }
  }

  /** Pops a v128 access's address: `ea` checked for 16 bytes. */
  private vAddr(ins: Instr): string {
    this.usesMem = true;
    const a = this.pop();
    const off = ins.offset64;
    return `ea = (${a.e} >>> 0)${off !== 0 ? ` + ${off}` : ''}; if (ea + 16 > ML) ${this.trap(RT.TRAP_OOB)}`;
  }

  /** Inline code for the common vector instructions; false when `name` has none. */
  private simdInline(ins: Instr, name: string): boolean {
    if (name.startsWith('f32x4.') && F32X4_OPS[name.slice(6)] !== undefined) {
      const op = F32X4_OPS[name.slice(6)]!;
      const b = this.pop();
      const a = this.pop();
      const x = this.vf(a);
      const y = this.vf(b);
      this.pushV128F((d) => d.map((r, k) => `${r} = Math.fround(${x[k]} ${op} ${y[k]});`).join(' '));
      return true;
    }
    if (name === 'f32x4.extract_lane') {
      const a = this.pop();
      const lane = ins.a & 3;
      this.push(this.expr(F32, a.f ? a.v![lane]! : `b2f(${a.v![lane]})`, [a]));
      return true;
    }
    if (name === 'v128.store' && ins.b === 0 && this.mem) {
      // lanes that are arithmetic results (quiet NaNs): setFloat32 writes the bits a conversion would
      const e = this.st[this.st.length - 1]!;
      const x = e.k === LOCAL ? e.loc![0]! : -1;
      const lanes = e.f ? e.v! : x >= 0 && this.fcache.exact.has(x) ? this.vf(e) : null;
      if (lanes) {
        this.pop();
        this.w(`${this.vAddr(ins)} ${lanes.map((l, k) => `V.setFloat32(ea${k ? ` + ${4 * k}` : ''}, ${l}, true);`).join(' ')}`);
        return true;
      }
    }
    // everything below works on words
    const def = ins.def;
    if (def.params !== null) this.unF(def.params.length);
    const lanes = (f: (a: string, b: string, k: number) => string): void => {
      const b = this.pop();
      const a = this.pop();
      // lane-wise: word k of the result reads only word k of the operands
      this.pushV128((d) => d.map((x, k) => `${x} = ${f(a.v![k]!, b.v![k]!, k)};`).join(' '));
    };
    const unary = (f: (a: string) => string): void => {
      const a = this.pop();
      this.pushV128((d) => d.map((x, k) => `${x} = ${f(a.v![k]!)};`).join(' '));
    };
    /** Results computed from any input words: through u0..u3. */
    const cross = (args: number, f: (ops: Ent[]) => string[]): void => {
      const ops: Ent[] = [];
      for (let j = 0; j < args; j++) ops.unshift(this.pop());
      const r = f(ops);
      this.pushV128((d) => r.map((x, k) => `u${k} = ${x};`).join(' ') + ' ' + d.map((x, k) => `${x} = u${k};`).join(' '));
    };
    const H8 = '-2139062144'; // 0x80808080
    const L8 = '2139062143'; // 0x7f7f7f7f
    const H16 = '-2147450880'; // 0x80008000
    const L16 = '2147450879'; // 0x7fff7fff
    switch (name) {
      case 'v128.load':
      case 'v128.store': {
        if (ins.b !== 0 || !this.mem) return false;
        if (name === 'v128.store') {
          const val = this.pop();
          this.w(`${this.vAddr(ins)} ${val.v!.map((x, k) => `V.setInt32(ea${k ? ` + ${4 * k}` : ''}, ${x}, true);`).join(' ')}`);
          return true;
        }
        // the address is kept: f32x4 arithmetic on this value reads its lanes there (vf)
        const va = `VA${this.nVa++}`;
        this.vars.add(va);
        this.w(`${this.vAddr(ins)} ${va} = ea;`);
        this.pushV128((d) => d.map((x, k) => `${x} = V.getInt32(ea${k ? ` + ${4 * k}` : ''}, true);`).join(' '));
        const e = this.st[this.st.length - 1]!;
        e.ma = va;
        e.mep = this.fcache.epoch;
        return true;
      }
      case 'v128.and':
        lanes((a, b) => `${a} & ${b}`);
        return true;
      case 'v128.or':
        lanes((a, b) => `${a} | ${b}`);
        return true;
      case 'v128.xor':
        lanes((a, b) => `${a} ^ ${b}`);
        return true;
      case 'v128.andnot':
        lanes((a, b) => `${a} & ~${b}`);
        return true;
      case 'v128.not':
        unary((a) => `~${a}`);
        return true;
      case 'i32x4.add':
        lanes((a, b) => `(${a} + ${b}) | 0`);
        return true;
      case 'i32x4.sub':
        lanes((a, b) => `(${a} - ${b}) | 0`);
        return true;
      case 'i32x4.mul':
        lanes((a, b) => `Math.imul(${a}, ${b})`);
        return true;
      case 'i16x8.add':
        lanes((a, b) => `((${a} & ${L16}) + (${b} & ${L16})) ^ ((${a} ^ ${b}) & ${H16})`);
        return true;
      case 'i16x8.sub':
        lanes((a, b) => `((${a} | ${H16}) - (${b} & ${L16})) ^ ((${a} ^ ~${b}) & ${H16})`);
        return true;
      case 'i8x16.add':
        lanes((a, b) => `((${a} & ${L8}) + (${b} & ${L8})) ^ ((${a} ^ ${b}) & ${H8})`);
        return true;
      case 'i8x16.sub':
        lanes((a, b) => `((${a} | ${H8}) - (${b} & ${L8})) ^ ((${a} ^ ~${b}) & ${H8})`);
        return true;
      case 'i8x16.add_sat_u':
        // the wrapped sum, with 0xff where a lane carried out (x: the sum of the low 7 bits)
        lanes((a, b) => `(x = (${a} & ${L8}) + (${b} & ${L8}), (x ^ ((${a} ^ ${b}) & ${H8})) | Math.imul((((${a} & ${b}) | ((${a} | ${b}) & x)) & ${H8}) >>> 7, 255))`);
        return true;
      case 'i32x4.shl':
      case 'i32x4.shr_s':
      case 'i32x4.shr_u': {
        const c = this.pop();
        const a = this.pop();
        const op = name === 'i32x4.shl' ? '<<' : name === 'i32x4.shr_s' ? '>>' : '>>>';
        this.w(`x = ${c.e} & 31;`);
        this.pushV128((d) => d.map((x, k) => `${x} = (${a.v![k]} ${op} x) | 0;`).join(' '));
        return true;
      }
      case 'i8x16.splat':
      case 'i16x8.splat':
      case 'i32x4.splat':
      case 'f32x4.splat': {
        const a = this.pop();
        const w =
          name === 'i8x16.splat'
            ? `Math.imul(${a.e} & 255, 16843009)`
            : name === 'i16x8.splat'
              ? `Math.imul(${a.e} & 65535, 65537)`
              : name === 'f32x4.splat'
                ? this.bits(a)
                : a.e;
        this.pushV128((d) => `${d[0]} = ${w}; ${d[1]} = ${d[0]}; ${d[2]} = ${d[0]}; ${d[3]} = ${d[0]};`);
        return true;
      }
      case 'i64x2.splat': {
        const a = this.pop();
        this.pushV128((d) => `${d[0]} = ${a.e}; ${d[1]} = ${a.h}; ${d[2]} = ${d[0]}; ${d[3]} = ${d[1]};`);
        return true;
      }
      case 'i32x4.extract_lane': {
        const a = this.pop();
        this.push(this.expr(I32, a.v![ins.a & 3]!, [a]));
        return true;
      }
      case 'i8x16.extract_lane_s':
      case 'i8x16.extract_lane_u':
      case 'i16x8.extract_lane_s':
      case 'i16x8.extract_lane_u': {
        const a = this.pop();
        const bytes = name.startsWith('i8x16') ? 1 : 2;
        const at = ins.a * bytes;
        const w = a.v![at >> 2]!;
        const bit = (at & 3) * 8;
        const width = bytes * 8;
        const e = name.endsWith('_s') ? `((${w} << ${32 - bit - width}) >> ${32 - width})` : `((${w} >>> ${bit}) & ${(1 << width) - 1})`;
        this.push(this.expr(I32, e, [a]));
        return true;
      }
      case 'i32x4.replace_lane':
      case 'f32x4.replace_lane': {
        const x = this.pop();
        const a = this.pop();
        const lane = ins.a & 3;
        const w = name === 'f32x4.replace_lane' ? this.bits(x) : x.e;
        cross(0, () => a.v!.map((v, k) => (k === lane ? w : v)));
        return true;
      }
      case 'i8x16.shuffle': {
        const [i0, i1, i2, i3] = miscImmediates(ins);
        const idx = [i0, i1, i2, i3].flatMap((w) => [w & 255, (w >>> 8) & 255, (w >>> 16) & 255, (w >>> 24) & 255]);
        cross(2, ([a, b]) => {
          const out: string[] = [];
          for (let k = 0; k < 4; k++) {
            const src = idx.slice(4 * k, 4 * k + 4);
            // the four bytes of one source word in order: the word itself
            if (src[0]! % 4 === 0 && src.every((l, j) => l === src[0]! + j)) {
              const l = src[0]!;
              out.push((l < 16 ? a! : b!).v![(l & 15) >> 2]!);
              continue;
            }
            const terms = src.map((l, j) => {
              const w = (l < 16 ? a! : b!).v![(l & 15) >> 2]!;
              const byte = l & 3;
              const v = byte === 3 ? `(${w} >>> 24)` : byte === 0 ? `(${w} & 255)` : `((${w} >>> ${8 * byte}) & 255)`;
              return j === 0 ? v : `(${v} << ${8 * j})`;
            });
            out.push(`(${terms.join(' | ')})`);
          }
          return out;
        });
        return true;
      }
      case 'i16x8.extend_low_i8x16_u':
      case 'i16x8.extend_high_i8x16_u':
      case 'i16x8.extend_low_i8x16_s':
      case 'i16x8.extend_high_i8x16_s': {
        const hi = name.includes('high');
        const signed = name.endsWith('_s');
        cross(1, ([a]) => {
          const out: string[] = [];
          for (const w of hi ? [a!.v![2]!, a!.v![3]!] : [a!.v![0]!, a!.v![1]!]) {
            if (signed) {
              out.push(`((((${w} << 24) >> 24) & 65535) | (((${w} << 16) >> 24) << 16))`);
              out.push(`((((${w} << 8) >> 24) & 65535) | ((${w} >> 24) << 16))`);
            } else {
              out.push(`((${w} & 255) | ((${w} & 65280) << 8))`);
              out.push(`(((${w} >>> 16) & 255) | ((${w} >>> 8) & 16711680))`);
            }
          }
          return out;
        });
        return true;
      }
      case 'i32x4.extend_low_i16x8_u':
      case 'i32x4.extend_high_i16x8_u':
      case 'i32x4.extend_low_i16x8_s':
      case 'i32x4.extend_high_i16x8_s': {
        const hi = name.includes('high');
        const signed = name.endsWith('_s');
        cross(1, ([a]) => {
          const out: string[] = [];
          for (const w of hi ? [a!.v![2]!, a!.v![3]!] : [a!.v![0]!, a!.v![1]!]) {
            out.push(signed ? `((${w} << 16) >> 16)` : `(${w} & 65535)`);
            out.push(signed ? `(${w} >> 16)` : `(${w} >>> 16)`);
          }
          return out;
        });
        return true;
      }
    }
    return false;
  }

  // ------------------------------------------------------------ memory

  private memAccess(ins: Instr, name: string): void {
    const def = ins.def;
    if (ins.b !== 0 || !this.mem) {
      // another memory, or 64-bit addresses: the MISC executor
      const isLoad = def.results!.length === 1;
      this.miscOp(ins, isLoad ? 1 : 2, isLoad ? def.results![0]! : null);
      return;
    }
    this.usesMem = true;
    const n = def.bytes;
    const off = ins.offset64;
    const isLoad = def.results!.length === 1;
    let val: Ent | null = null;
    if (!isLoad) val = this.pop();
    const a = this.pop();
    this.w(`ea = (${a.e} >>> 0)${off !== 0 ? ` + ${off}` : ''}; if (ea + ${n} > ML) ${this.trap(RT.TRAP_OOB)}`);
    if (isLoad) {
      switch (name) {
        case 'i32.load':
          this.pushStmt(I32, 'V.getInt32(ea, true)');
          return;
        case 'f32.load': {
          // a NaN is read again as bits (a Float32Array / getFloat32 read quiets a signalling NaN)
          const i = this.st.length;
          this.pushStmt(F32, 'V.getFloat32(ea, true)');
          this.w(`if (F${i} !== F${i}) F${i} = b2f(V.getInt32(ea, true));`);
          return;
        }
        case 'f64.load':
          this.pushStmt(F64, 'V.getFloat64(ea, true)');
          return;
        case 'i64.load':
          this.pushI64((lo, hi) => `${lo} = V.getInt32(ea, true); ${hi} = V.getInt32(ea + 4, true);`);
          return;
        case 'i32.load8_s':
          this.pushStmt(I32, '(U8[ea] << 24) >> 24');
          return;
        case 'i32.load8_u':
          this.pushStmt(I32, 'U8[ea]');
          return;
        case 'i32.load16_s':
          this.pushStmt(I32, 'V.getInt16(ea, true)');
          return;
        case 'i32.load16_u':
          this.pushStmt(I32, 'V.getUint16(ea, true)');
          return;
        case 'i64.load8_s':
          this.pushI64((lo, hi) => `${lo} = (U8[ea] << 24) >> 24; ${hi} = ${lo} >> 31;`);
          return;
        case 'i64.load8_u':
          this.pushI64((lo, hi) => `${lo} = U8[ea]; ${hi} = 0;`);
          return;
        case 'i64.load16_s':
          this.pushI64((lo, hi) => `${lo} = V.getInt16(ea, true); ${hi} = ${lo} >> 31;`);
          return;
        case 'i64.load16_u':
          this.pushI64((lo, hi) => `${lo} = V.getUint16(ea, true); ${hi} = 0;`);
          return;
        case 'i64.load32_s':
          this.pushI64((lo, hi) => `${lo} = V.getInt32(ea, true); ${hi} = ${lo} >> 31;`);
          return;
        case 'i64.load32_u':
          this.pushI64((lo, hi) => `${lo} = V.getInt32(ea, true); ${hi} = 0;`);
          return;
      }
      no(name);
    }
    const e = val!;
    switch (name) {
      case 'i32.store':
        this.w(`V.setInt32(ea, ${e.e}, true);`);
        return;
      case 'f32.store':
        this.w(`fx = ${e.e}; if (fx === fx) V.setFloat32(ea, fx, true); else V.setInt32(ea, f2b(fx), true);`);
        return;
      case 'f64.store':
        this.w(`V.setFloat64(ea, ${e.e}, true);`);
        return;
      case 'i64.store':
        this.w(`V.setInt32(ea, ${e.e}, true); V.setInt32(ea + 4, ${e.h}, true);`);
        return;
      case 'i32.store8':
      case 'i64.store8':
        this.w(`U8[ea] = ${e.e};`);
        return;
      case 'i32.store16':
      case 'i64.store16':
        this.w(`V.setInt16(ea, ${e.e}, true);`);
        return;
      case 'i64.store32':
        this.w(`V.setInt32(ea, ${e.e}, true);`);
        return;
    }
    no(name);
  }

  private memoryGrow(ins: Instr): void {
    const m = this.inst.memories[ins.a]!;
    const is64 = m.type.addr === 'i64';
    const pc = this.opPc(ins.offset, Op.MEMORY_GROW);
    const spill = this.spill(this.st.length);
    const n = this.pop();
    const gp = this.mc.counting ? this.mc.costs.memoryGrowPage : 0;
    const M = this.env(m);
    this.w(is64 ? `ea = (${n.e} >>> 0) + (${n.h} >>> 0) * 4294967296;` : `ea = ${n.e} >>> 0;`);
    if (gp > 0) {
      const x = this.exit(EX_NO_FUEL, pc, this.blkPc);
      // only a grow that can succeed pays (and so may stop for) its surcharge
      this.w(`fx = ${gp} * ea; if (fx > 0 && fuel < fx && ${M}.mayGrow(ea)) { mc.needed = fx; ${spill}ex = ${x}; break X; }`);
    }
    // (any memory may be memory 0 under another index: its views are reloaded)
    this.w(`y = ${M}.grow(ea);${gp > 0 ? ' if (y >= 0) fuel -= fx;' : ''}${MEM_RELOAD}`);
    if (gp > 0) this.fuelChanged();
    if (is64) this.pushI64((lo, hi) => `${lo} = y; ${hi} = y < 0 ? -1 : 0;`);
    else this.pushStmt(I32, 'y');
  }

  /**
   * A rare instruction without reference operands run by the interpreter's
   * MISC executor (misc.ts) on this frame's slots: each operand is written
   * where the fast code's MISC op reads it (its canonical slot, or the slot
   * of the local or constant the translator let it alias), the result comes
   * back from the first operand's canonical slot.
   */
  private miscOp(ins: Instr, n: number, result: ValType | null): void {
    const pc = this.opPc(ins.offset, Op.MISC);
    const spill = this.spill(this.st.length);
    const base = this.st.length - n;
    for (let j = 0; j < n; j++) {
      const e = this.st[base + j]!;
      if (!isNum(e.t)) no('misc operand');
      this.w(this.store(e, this.code[pc + 3 + j]!));
    }
    for (let j = 0; j < n; j++) this.pop();
    const x = this.exit(EX_NO_FUEL, pc, this.blkPc);
    this.w(
      `mc.fuel = fuel; try { y = execMisc(mc, ${this.env(this.inst)}, ${this.env(this.code)}, ${pc}, fp); } catch (e) { throw settleTrap(mc, ${this.fuelAfterTrap()}, e); }`,
    );
    // a surcharge it could not pay: stop at the instruction (everything in its slot)
    this.w(`if (y < 0) { ${spill}ex = ${x}; break X; } fuel = mc.fuel;`);
    this.fuelChanged();
    if (result !== null) {
      const ws = this.load(result, this.stackWord(base));
      if (result === I64) this.pushI64((l, h) => `${l} = ${ws[0]}; ${h} = ${ws[1]};`);
      else this.pushStmt(result, ws[0]!);
    }
  }

  private bulk(ins: Instr, name: string): void {
    if (ins.a !== 0 || (name === 'memory.copy' && ins.b !== 0) || !this.mem) {
      this.miscOp(ins, 3, null);
      return;
    }
    this.usesMem = true;
    const pc = this.opPc(ins.offset, Op.MISC);
    const spill = this.spill(this.st.length);
    const n = this.pop();
    const b = this.pop();
    const a = this.pop();
    const bpf = this.mc.costs.bytesPerFuel;
    const x = this.exit(EX_NO_FUEL, pc, this.blkPc);
    if (name === 'memory.fill') {
      this.w(`ea = ${a.e} >>> 0; fx = ${n.e} >>> 0; if (ea + fx > ML) ${this.trap(RT.TRAP_OOB)}`);
    } else {
      this.w(`ea = ${a.e} >>> 0; eb = ${b.e} >>> 0; fx = ${n.e} >>> 0; if (eb + fx > ML || ea + fx > ML) ${this.trap(RT.TRAP_OOB)}`);
    }
    if (this.mc.counting) {
      this.w(`y = Math.floor(fx / ${bpf}); if (y > 0) { if (fuel < y) { mc.needed = y; ${spill}ex = ${x}; break X; } fuel -= y; }`);
      this.fuelChanged();
    }
    if (name === 'memory.fill') this.w(`U8.fill(${b.e} & 255, ea, ea + fx);`);
    else this.w(`U8.copyWithin(ea, eb, eb + fx);`);
  }

  // ------------------------------------------------------------ numeric

  /** Handles a numeric instruction; false when `name` is not one. */
  private numeric(name: string): boolean {
    const dot = name.indexOf('.');
    if (dot < 0) return false;
    const ty = name.slice(0, dot);
    const op = name.slice(dot + 1);
    switch (ty) {
      case 'i32':
        return this.i32op(op);
      case 'i64':
        return this.i64op(op);
      case 'f32':
        return this.f32op(op);
      case 'f64':
        return this.f64op(op);
    }
    return false;
  }

  private i32op(op: string): boolean {
    const bin = (f: (a: string, b: string) => string): void => {
      const b = this.pop();
      const a = this.pop();
      this.push(this.expr(I32, f(a.e, b.e), [a, b]));
    };
    const cmp = (f: (a: string, b: string) => string): void => {
      const b = this.pop();
      const a = this.pop();
      this.pushCond(f(a.e, b.e), [a, b]);
    };
    const un = (f: (a: string) => string): void => {
      const a = this.pop();
      this.push(this.expr(I32, f(a.e), [a]));
    };
    switch (op) {
      case 'add':
        bin((a, b) => `((${a} + ${b}) | 0)`);
        return true;
      case 'sub':
        bin((a, b) => `((${a} - ${b}) | 0)`);
        return true;
      case 'mul':
        bin((a, b) => `Math.imul(${a}, ${b})`);
        return true;
      case 'and':
        bin((a, b) => `(${a} & ${b})`);
        return true;
      case 'or':
        bin((a, b) => `(${a} | ${b})`);
        return true;
      case 'xor':
        bin((a, b) => `(${a} ^ ${b})`);
        return true;
      case 'shl':
        bin((a, b) => `(${a} << ${b})`);
        return true;
      case 'shr_s':
        bin((a, b) => `(${a} >> ${b})`);
        return true;
      case 'shr_u':
        bin((a, b) => `((${a} >>> ${b}) | 0)`);
        return true;
      case 'rotl':
      case 'rotr': {
        const b = this.pop();
        const a = this.pop();
        if (b.k === CONST && a.k !== EXPR) {
          let n = Number(b.e.replace(/[()]/g, '')) & 31;
          if (op === 'rotr') n = (32 - n) & 31;
          this.push(this.expr(I32, n === 0 ? a.e : `((${a.e} << ${n}) | (${a.e} >>> ${32 - n}))`, [a]));
        } else this.push(this.expr(I32, `${op === 'rotl' ? 'rotl32' : 'rotr32'}(${a.e}, ${b.e})`, [a, b]));
        return true;
      }
      case 'eq':
        cmp((a, b) => `${a} === ${b}`);
        return true;
      case 'ne':
        cmp((a, b) => `${a} !== ${b}`);
        return true;
      case 'lt_s':
        cmp((a, b) => `${a} < ${b}`);
        return true;
      case 'lt_u':
        cmp((a, b) => `(${a} >>> 0) < (${b} >>> 0)`);
        return true;
      case 'gt_s':
        cmp((a, b) => `${a} > ${b}`);
        return true;
      case 'gt_u':
        cmp((a, b) => `(${a} >>> 0) > (${b} >>> 0)`);
        return true;
      case 'le_s':
        cmp((a, b) => `${a} <= ${b}`);
        return true;
      case 'le_u':
        cmp((a, b) => `(${a} >>> 0) <= (${b} >>> 0)`);
        return true;
      case 'ge_s':
        cmp((a, b) => `${a} >= ${b}`);
        return true;
      case 'ge_u':
        cmp((a, b) => `(${a} >>> 0) >= (${b} >>> 0)`);
        return true;
      case 'eqz': {
        const a = this.pop();
        this.pushCond(a.c !== '' ? `!(${a.c})` : `${a.e} === 0`, [a]);
        return true;
      }
      case 'clz':
        un((a) => `Math.clz32(${a})`);
        return true;
      case 'ctz':
        un((a) => `ctz32(${a})`);
        return true;
      case 'popcnt':
        un((a) => `popcnt32(${a})`);
        return true;
      case 'extend8_s':
        un((a) => `((${a} << 24) >> 24)`);
        return true;
      case 'extend16_s':
        un((a) => `((${a} << 16) >> 16)`);
        return true;
      case 'div_s':
      case 'div_u':
      case 'rem_s':
      case 'rem_u':
        this.i32div(op);
        return true;
      case 'wrap_i64': {
        const a = this.pop();
        this.push(this.expr(I32, a.e, [a]));
        return true;
      }
      case 'reinterpret_f32': {
        const a = this.pop();
        this.push(this.expr(I32, this.bits(a), [a]));
        return true;
      }
      case 'trunc_f32_s':
      case 'trunc_f32_u':
      case 'trunc_f64_s':
      case 'trunc_f64_u': {
        const a = this.pop();
        const x = a.e;
        const range = op.endsWith('_s') ? 'fx > -2147483649 && fx < 2147483648' : 'fx > -1 && fx < 4294967296';
        this.w(`fx = ${x}; if (!(${range})) throw trapConv(mc, ${this.fuelAfterTrap()}, fx);`);
        this.pushStmt(I32, 'fx | 0');
        return true;
      }
      case 'trunc_sat_f32_s':
      case 'trunc_sat_f32_u':
      case 'trunc_sat_f64_s':
      case 'trunc_sat_f64_u': {
        const a = this.pop();
        const x = a.e;
        this.push(this.expr(I32, `${op.endsWith('_s') ? 'i32tsf_s' : 'i32tsf_u'}(${x})`, [a]));
        return true;
      }
    }
    return false;
  }

  private i32div(op: string): void {
    const b = this.pop();
    const a = this.pop();
    if (b.k === CONST) {
      const d = Number(b.e.replace(/[()]/g, '')) | 0;
      if (d !== 0 && !(op === 'div_s' && d === -1)) {
        const du = d >>> 0;
        const e =
          op === 'div_s'
            ? `((${a.e} / ${lit(d)}) | 0)`
            : op === 'div_u'
              ? `(((${a.e} >>> 0) / ${du}) | 0)`
              : op === 'rem_s'
                ? `((${a.e} % ${lit(d)}) | 0)`
                : `(((${a.e} >>> 0) % ${du}) | 0)`;
        this.push(this.expr(I32, e, [a]));
        return;
      }
    }
    this.w(`x = ${a.e}; y = ${b.e}; if (y === 0) ${this.trap(RT.TRAP_DIV_ZERO)}`);
    if (op === 'div_s') this.w(`if (x === -2147483648 && y === -1) ${this.trap(RT.TRAP_OVERFLOW)}`);
    const r =
      op === 'div_s' ? '(x / y) | 0' : op === 'div_u' ? '((x >>> 0) / (y >>> 0)) | 0' : op === 'rem_s' ? '(x % y) | 0' : '((x >>> 0) % (y >>> 0)) | 0';
    this.pushStmt(I32, r);
  }

  private i64op(op: string): boolean {
    const bin = (f: (dl: string, dh: string, a: Ent, b: Ent) => string): void => {
      const b = this.pop();
      const a = this.pop();
      this.pushI64((lo, hi) => f(lo, hi, a, b));
    };
    const cmp = (f: (a: Ent, b: Ent) => string): void => {
      const b = this.pop();
      const a = this.pop();
      this.pushCond(f(a, b), [a, b]);
    };
    const ord = (a: Ent, b: Ent, strict: string, lo: string, signed: boolean): string => {
      const ah = signed ? a.h : `(${a.h} >>> 0)`;
      const bh = signed ? b.h : `(${b.h} >>> 0)`;
      return `(${ah} ${strict} ${bh} || (${a.h} === ${b.h} && (${a.e} >>> 0) ${lo} (${b.e} >>> 0)))`;
    };
    const helper2 = (fn: string): void => bin((dl, dh, a, b) => `${dl} = ${fn}(${a.e}, ${a.h}, ${b.e}, ${b.h}); ${dh} = HI[0];`);
    switch (op) {
      case 'add':
        bin((dl, dh, a, b) => `x = (${a.e} + ${b.e}) | 0; ${dh} = (${a.h} + ${b.h} + ((x >>> 0) < (${a.e} >>> 0) ? 1 : 0)) | 0; ${dl} = x;`);
        return true;
      case 'sub':
        bin((dl, dh, a, b) => `x = (${a.e} - ${b.e}) | 0; ${dh} = (${a.h} - ${b.h} - ((${a.e} >>> 0) < (${b.e} >>> 0) ? 1 : 0)) | 0; ${dl} = x;`);
        return true;
      case 'mul':
        // inline (a helper call is often not inlined by V8 in large functions): 16-bit partial products of
        // the low halves. (The high word from the double product of the low halves, exact with a
        // rounding argument, was faster per multiply in hash64 but lengthens the dependency chain
        // through float conversions: wat-mix, a chain of multiplies, went 2.5x -> 4.8x V8.)
        bin((dl, dh, a, b) => {
          if (a.k === CONST && b.k !== CONST) [a, b] = [b, a];
          let b0: string;
          let b1: string;
          let pre = `m0 = ${a.e} & 65535; m1 = ${a.e} >>> 16; `;
          if (b.k === CONST) {
            const v = Number(b.e.replace(/[()]/g, ''));
            b0 = String(v & 0xffff);
            b1 = String(v >>> 16);
          } else {
            pre += `m6 = ${b.e} & 65535; m7 = ${b.e} >>> 16; `;
            b0 = 'm6';
            b1 = 'm7';
          }
          return (
            pre +
            `m2 = m0 * ${b0}; m3 = m0 * ${b1}; m4 = m1 * ${b0}; m5 = (m2 >>> 16) + (m3 & 65535) + (m4 & 65535); ` +
            `${dh} = (m1 * ${b1} + (m3 >>> 16) + (m4 >>> 16) + (m5 >>> 16) + Math.imul(${a.e}, ${b.h}) + Math.imul(${a.h}, ${b.e})) | 0; ` +
            `${dl} = Math.imul(${a.e}, ${b.e});`
          );
        });
        return true;
      case 'and':
        bin((dl, dh, a, b) => `${dl} = ${a.e} & ${b.e}; ${dh} = ${a.h} & ${b.h};`);
        return true;
      case 'or':
        bin((dl, dh, a, b) => `${dl} = ${a.e} | ${b.e}; ${dh} = ${a.h} | ${b.h};`);
        return true;
      case 'xor':
        bin((dl, dh, a, b) => `${dl} = ${a.e} ^ ${b.e}; ${dh} = ${a.h} ^ ${b.h};`);
        return true;
      case 'div_s':
      case 'div_u':
      case 'rem_s':
      case 'rem_u': {
        const b = this.st[this.st.length - 1]!;
        const a = this.st[this.st.length - 2]!;
        this.w(`if ((${b.e} | ${b.h}) === 0) ${this.trap(RT.TRAP_DIV_ZERO)}`);
        if (op === 'div_s')
          this.w(`if (${a.e} === 0 && ${a.h} === -2147483648 && ${b.e} === -1 && ${b.h} === -1) ${this.trap(RT.TRAP_OVERFLOW)}`);
        helper2(op === 'div_s' ? 'divs64' : op === 'div_u' ? 'divu64' : op === 'rem_s' ? 'rems64' : 'remu64');
        return true;
      }
      case 'shl':
      case 'shr_s':
      case 'shr_u':
      case 'rotl':
      case 'rotr': {
        const b = this.st[this.st.length - 1]!;
        if (b.k === CONST) {
          let n = Number(b.e.replace(/[()]/g, '')) & 63;
          bin((dl, dh, a) => {
            if (op === 'rotr') n = (64 - n) & 63;
            if (n === 0) return `${dl} = ${a.e}; ${dh} = ${a.h};`;
            switch (op) {
              case 'shl':
                return n < 32 ? `${dh} = (${a.h} << ${n}) | (${a.e} >>> ${32 - n}); ${dl} = ${a.e} << ${n};` : `${dh} = ${a.e} << ${n - 32}; ${dl} = 0;`;
              case 'shr_s':
                return n < 32 ? `${dl} = (${a.e} >>> ${n}) | (${a.h} << ${32 - n}); ${dh} = ${a.h} >> ${n};` : `${dl} = ${a.h} >> ${n - 32}; ${dh} = ${a.h} >> 31;`;
              case 'shr_u':
                return n < 32 ? `${dl} = (${a.e} >>> ${n}) | (${a.h} << ${32 - n}); ${dh} = ${a.h} >>> ${n};` : `${dl} = (${a.h} >>> ${n - 32}) | 0; ${dh} = 0;`;
              default: {
                // rotl by n (rotr was turned into rotl)
                let lo = a.e;
                let hi = a.h;
                let m = n;
                if (m >= 32) {
                  [lo, hi] = [hi, lo];
                  m -= 32;
                }
                if (m === 0) return `x = ${lo}; ${dh} = ${hi}; ${dl} = x;`;
                return `x = (${lo} << ${m}) | (${hi} >>> ${32 - m}); ${dh} = (${hi} << ${m}) | (${lo} >>> ${32 - m}); ${dl} = x;`;
              }
            }
          });
        } else {
          const fn = op === 'shl' ? 'shl64' : op === 'shr_s' ? 'shrs64' : op === 'shr_u' ? 'shru64' : op === 'rotl' ? 'rotl64' : 'rotr64';
          bin((dl, dh, a, b2) => `${dl} = ${fn}(${a.e}, ${a.h}, ${b2.e}); ${dh} = HI[0];`);
        }
        return true;
      }
      case 'eqz': {
        const a = this.pop();
        this.pushCond(`(${a.e} | ${a.h}) === 0`, [a]);
        return true;
      }
      case 'eq':
        cmp((a, b) => `(${a.e} === ${b.e} && ${a.h} === ${b.h})`);
        return true;
      case 'ne':
        cmp((a, b) => `(${a.e} !== ${b.e} || ${a.h} !== ${b.h})`);
        return true;
      case 'lt_s':
        cmp((a, b) => ord(a, b, '<', '<', true));
        return true;
      case 'lt_u':
        cmp((a, b) => ord(a, b, '<', '<', false));
        return true;
      case 'gt_s':
        cmp((a, b) => ord(a, b, '>', '>', true));
        return true;
      case 'gt_u':
        cmp((a, b) => ord(a, b, '>', '>', false));
        return true;
      case 'le_s':
        cmp((a, b) => ord(a, b, '<', '<=', true));
        return true;
      case 'le_u':
        cmp((a, b) => ord(a, b, '<', '<=', false));
        return true;
      case 'ge_s':
        cmp((a, b) => ord(a, b, '>', '>=', true));
        return true;
      case 'ge_u':
        cmp((a, b) => ord(a, b, '>', '>=', false));
        return true;
      case 'clz': {
        const a = this.pop();
        this.pushI64((lo, hi) => `${lo} = ${a.h} !== 0 ? Math.clz32(${a.h}) : 32 + Math.clz32(${a.e}); ${hi} = 0;`);
        return true;
      }
      case 'ctz': {
        const a = this.pop();
        this.pushI64((lo, hi) => `${lo} = ${a.e} !== 0 ? ctz32(${a.e}) : 32 + ctz32(${a.h}); ${hi} = 0;`);
        return true;
      }
      case 'popcnt': {
        const a = this.pop();
        this.pushI64((lo, hi) => `${lo} = popcnt32(${a.e}) + popcnt32(${a.h}); ${hi} = 0;`);
        return true;
      }
      case 'extend_i32_s': {
        const a = this.pop();
        this.pushI64((lo, hi) => `${lo} = ${a.e}; ${hi} = ${lo} >> 31;`);
        return true;
      }
      case 'extend_i32_u': {
        const a = this.pop();
        this.pushI64((lo, hi) => `${lo} = ${a.e}; ${hi} = 0;`);
        return true;
      }
      case 'extend8_s':
      case 'extend16_s':
      case 'extend32_s': {
        const a = this.pop();
        const s = op === 'extend8_s' ? 24 : op === 'extend16_s' ? 16 : 0;
        this.pushI64((lo, hi) => (s === 0 ? `${lo} = ${a.e}; ${hi} = ${lo} >> 31;` : `${lo} = (${a.e} << ${s}) >> ${s}; ${hi} = ${lo} >> 31;`));
        return true;
      }
      case 'reinterpret_f64': {
        const a = this.pop();
        this.pushI64((lo, hi) => `${lo} = bitsf64(${a.e}); ${hi} = HI[0];`);
        return true;
      }
      case 'trunc_f32_s':
      case 'trunc_f32_u':
      case 'trunc_f64_s':
      case 'trunc_f64_u': {
        const a = this.pop();
        const x = a.e;
        const signed = op.endsWith('_s');
        const range = signed ? 'fx >= -9223372036854775808 && fx < 9223372036854775808' : 'fx > -1 && fx < 18446744073709551616';
        this.w(`fx = ${x}; if (!(${range})) throw trapConv(mc, ${this.fuelAfterTrap()}, fx);`);
        this.pushI64((lo, hi) => `${lo} = ${signed ? 'truncs64' : 'truncu64'}(fx); ${hi} = HI[0];`);
        return true;
      }
      case 'trunc_sat_f32_s':
      case 'trunc_sat_f32_u':
      case 'trunc_sat_f64_s':
      case 'trunc_sat_f64_u': {
        const a = this.pop();
        const x = a.e;
        this.pushI64((lo, hi) => `${lo} = ${op.endsWith('_s') ? 'truncs64' : 'truncu64'}(${x}); ${hi} = HI[0];`);
        return true;
      }
    }
    return false;
  }

  /** f32 and f64 comparisons: both are JS numbers (f32 values, not bits), compared as such. */
  private floatCmp(op: string): boolean {
    const o = FLOAT_CMP[op];
    if (o === undefined) return false;
    const b = this.pop();
    const a = this.pop();
    this.pushCond(`${a.e} ${o} ${b.e}`, [a, b]);
    return true;
  }

  private f32op(op: string): boolean {
    if (this.floatCmp(op)) return true;
    const arith = (f: (a: string, b: string) => string): void => {
      const b = this.pop();
      const a = this.pop();
      this.push(this.expr(F32, f(a.e, b.e), [a, b]));
    };
    const un = (f: (a: string) => string): void => {
      const a = this.pop();
      this.push(this.expr(F32, f(a.e), [a]));
    };
    switch (op) {
      case 'add':
        arith((a, b) => `Math.fround(${a} + ${b})`);
        return true;
      case 'sub':
        arith((a, b) => `Math.fround(${a} - ${b})`);
        return true;
      case 'mul':
        arith((a, b) => `Math.fround(${a} * ${b})`);
        return true;
      case 'div':
        arith((a, b) => `Math.fround(${a} / ${b})`);
        return true;
      case 'min':
        arith((a, b) => `f32min(${a}, ${b})`);
        return true;
      case 'max':
        arith((a, b) => `f32max(${a}, ${b})`);
        return true;
      case 'sqrt':
        un((a) => `Math.fround(Math.sqrt(${a}))`);
        return true;
      case 'ceil':
        un((a) => `f32ceil(${a})`);
        return true;
      case 'floor':
        un((a) => `f32floor(${a})`);
        return true;
      case 'trunc':
        un((a) => `f32trunc(${a})`);
        return true;
      case 'nearest':
        un((a) => `f32nearest(${a})`);
        return true;
      case 'abs': {
        const a = this.pop();
        this.push(this.expr(F32, `fabs(${a.e})`, [a]));
        return true;
      }
      case 'neg': {
        const a = this.pop();
        this.push(this.expr(F32, `fneg(${a.e})`, [a]));
        return true;
      }
      case 'copysign': {
        const b = this.pop();
        const a = this.pop();
        this.push(this.expr(F32, `fcopysign(${a.e}, ${b.e})`, [a, b]));
        return true;
      }
      case 'demote_f64': {
        const a = this.pop();
        this.push(this.expr(F32, `Math.fround(${a.e})`, [a]));
        return true;
      }
      case 'convert_i32_s': {
        const a = this.pop();
        this.push(this.expr(F32, `Math.fround(${a.e})`, [a]));
        return true;
      }
      case 'convert_i32_u': {
        const a = this.pop();
        this.push(this.expr(F32, `Math.fround(${a.e} >>> 0)`, [a]));
        return true;
      }
      case 'convert_i64_s':
      case 'convert_i64_u': {
        const a = this.pop();
        this.push(this.expr(F32, `${op.endsWith('_s') ? 'f32cs64' : 'f32cu64'}(${a.e}, ${a.h})`, [a]));
        return true;
      }
      case 'reinterpret_i32': {
        const a = this.pop();
        this.push(this.expr(F32, `b2f(${a.e})`, [a]));
        return true;
      }
    }
    return false;
  }

  private f64op(op: string): boolean {
    if (this.floatCmp(op)) return true;
    const bin = (f: (a: string, b: string) => string): void => {
      const b = this.pop();
      const a = this.pop();
      this.push(this.expr(F64, f(a.e, b.e), [a, b]));
    };
    const un = (f: (a: string) => string): void => {
      const a = this.pop();
      this.push(this.expr(F64, f(a.e), [a]));
    };
    switch (op) {
      case 'add':
        bin((a, b) => `(${a} + ${b})`);
        return true;
      case 'sub':
        bin((a, b) => `(${a} - ${b})`);
        return true;
      case 'mul':
        bin((a, b) => `(${a} * ${b})`);
        return true;
      case 'div':
        bin((a, b) => `(${a} / ${b})`);
        return true;
      case 'min':
        bin((a, b) => `f64min(${a}, ${b})`);
        return true;
      case 'max':
        bin((a, b) => `f64max(${a}, ${b})`);
        return true;
      case 'copysign':
        bin((a, b) => `fcopysign(${a}, ${b})`);
        return true;
      case 'sqrt':
        un((a) => `Math.sqrt(${a})`);
        return true;
      case 'ceil':
        un((a) => `f64ceil(${a})`);
        return true;
      case 'floor':
        un((a) => `f64floor(${a})`);
        return true;
      case 'trunc':
        un((a) => `f64trunc(${a})`);
        return true;
      case 'nearest':
        un((a) => `f64nearest(${a})`);
        return true;
      case 'abs':
        un((a) => `fabs(${a})`);
        return true;
      case 'neg':
        un((a) => `fneg(${a})`);
        return true;
      case 'promote_f32': {
        const a = this.pop();
        this.push(this.expr(F64, `promote(${a.e})`, [a]));
        return true;
      }
      case 'convert_i32_s': {
        const a = this.pop();
        this.push(this.expr(F64, a.e, [a]));
        return true;
      }
      case 'convert_i32_u': {
        const a = this.pop();
        this.push(this.expr(F64, `(${a.e} >>> 0)`, [a]));
        return true;
      }
      case 'convert_i64_s': {
        const a = this.pop();
        this.push(this.expr(F64, `(${a.h} * 4294967296 + (${a.e} >>> 0))`, [a]));
        return true;
      }
      case 'convert_i64_u': {
        const a = this.pop();
        this.push(this.expr(F64, `((${a.h} >>> 0) * 4294967296 + (${a.e} >>> 0))`, [a]));
        return true;
      }
      case 'reinterpret_i64': {
        const a = this.pop();
        this.push(this.expr(F64, `f64bits(${a.e}, ${a.h})`, [a]));
        return true;
      }
    }
    return false;
  }

  // ------------------------------------------------------------ assembly

  /**
   * Re-entry at a loop head (osr = the head block's original offset): every
   * local and the stack below the loop come from the frame's slots, where the
   * interpreter keeps them at a block start.
   */
  private osrPrologue(): string {
    if (this.osrEntries.length === 0) return '';
    let s = 'if (osr !== 0) {\n';
    for (let x = 0; x < this.nl; x++) {
      const t = this.lt[x]!;
      const ws = this.load(t, x * 4);
      const names = t === V128 ? this.lWords(x) : t === I64 ? [`L${x}`, `H${x}`] : [`L${x}`];
      s += names.map((n, k) => `${n} = ${ws[k]};`).join(' ') + '\n';
    }
    s += 'switch (osr) {\n';
    for (const e of this.osrEntries) {
      s += `case ${e.orig}: osr = ${e.id};`;
      e.stack.forEach((t, i) => {
        const ws = this.load(t, this.stackWord(i));
        const names = t === V128 ? this.vWords(i) : t === I64 ? [`J${i}`, `K${i}`] : [this.varName(t, i)];
        for (const n of names) this.vars.add(n);
        s += ' ' + names.map((n, k) => `${n} = ${ws[k]};`).join(' ');
      });
      s += ' break;\n';
    }
    s += "default: throw new Error('wasmeter internal error: no loop re-entry at ' + osr);\n}\n}\n";
    return s;
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
  private countedCopies(): void {
    for (const cd of this.counted) {
      const p = cd.plan;
      if (p === null) continue;
      jitStats.counted++;
      const head = cd.head!;
      const root = cd.root!;
      const back = cd.back!;
      const C = head.cost + head.prepaid;
      const K = C - (back.br || back.blk === null ? 0 : back.blk.prepaid);
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

  build(): JitFn {
    // (first: it declares the stack variables it loads)
    const osrCode = this.osrPrologue();
    const cc = this.cc;
    const f = cc.func;
    const fw = cc.frameWords;
    const lt = this.lt;
    const np = f.type.params.length;
    // locals: params from the frame, the others zero
    const decl: string[] = [];
    for (let x = 0; x < this.nl; x++) {
      const t = lt[x]!;
      const w = x * 4;
      if (t === V128) {
        const ws = x < np ? this.load(t, w) : ['0', '0', '0', '0'];
        this.lWords(x).forEach((n, k) => decl.push(`${n} = ${ws[k]}`));
      } else if (x < np) {
        const ws = this.load(t, w);
        decl.push(`L${x} = ${ws[0]}`);
        if (t === I64) decl.push(`H${x} = ${ws[1]}`);
      } else {
        decl.push(`L${x} = ${isRef(t) ? 'null' : '0'}`);
        if (t === I64) decl.push(`H${x} = 0`);
      }
    }
    for (const v of this.vars) decl.push(`${v} = ${v.startsWith('R') ? 'null' : '0'}`);
    // JS stack units of this frame (256 bytes each): an interpreter frame holds every variable
    const weight = Math.ceil(((decl.length + 40) * 8) / 256);
    // the epilogue: every local and the constants back into the frame
    let spillLocals = '';
    for (let x = 0; x < this.nl; x++) {
      const t = lt[x]!;
      spillLocals += this.store(this.localEnt(x), x * 4) + '\n';
    }
    const CC = this.env(cc);
    const TMPL = this.env(cc.tmpl);
    const EK = this.env(Int32Array.from(this.exK));
    const EP = this.env(Int32Array.from(this.exP));
    const EB = this.env(Int32Array.from(this.exB));
    const KF = this.floats.length > 0 ? this.env(new Float64Array(Int32Array.from(this.floats).buffer)) : '';
    const M = this.memName;
    const consts: string[] = [];
    for (let i = 0; i < this.envV.length; i++) consts.push(`const _${i} = E[${i}];`);

    const mem = this.mem && this.usesMem ? `let V = ${M}.view, U8 = ${M}.u8, ML = U8.length;\n` : '';
    const reload = this.mem && this.usesMem ? ` if (V !== ${M}.view) { V = ${M}.view; U8 = ${M}.u8; ML = U8.length; }` : '';
    const rt = runtime();
    this.countedCopies();
    for (const r of this.fuelRoots) this.o[r.line] = r.max > 0 ? this.o[r.line]!.replace(FUEL_MAX, `${r.max}`) : '';
    for (const b of this.fuelBlocks) {
      const c = (b.paid || b.post ? 0 : b.cost) + b.prepaid + b.extra;
      if (b.subLine >= 0 && c > 0) this.o[b.subLine] += `fuel -= ${c};`;
    }
    // (the markers of counted loops, in their slow versions: nothing, and the back edge's refund stays)
    let body = this.o.join('\n').replaceAll(MEM_RELOAD, reload).replace(/[\u0005\u0007]\d+[\u0005\u0007]/g, '').replaceAll(CL_BACK, '');
    // prepaid fuel: `fuel += P;` on a br_if's taken edge, `fuel + r + P` in a trap's refund
    // (a block whose arms pay its cost has not paid it yet: its refunds are that much smaller)
    const paidAhead = (b: FuelBlock): number => b.prepaid - (b.post ? b.cost : 0);
    body = body.replace(/fuel \+= \u0004(\d+)\u0004;/g, (_, id: string) => {
      const p = paidAhead(this.fuelBlocks[+id]!);
      return p > 0 ? `fuel += ${p};` : p < 0 ? `fuel -= ${-p};` : '';
    });
    body = body.replace(/fuel \+ (\d+) \+ \u0004(\d+)\u0004/g, (_, r: string, id: string) => {
      const k = +r + paidAhead(this.fuelBlocks[+id]!);
      return k > 0 ? `fuel + ${k}` : k < 0 ? `fuel - ${-k}` : 'fuel';
    });
    if (body.includes('\u0004')) throw new Error('wasmeter internal error: unpatched prepaid fuel');
    body = body.replaceAll(FD_RELOAD, body.includes('FD[') ? ' FD = mc.f64;' : '');
    const src =
      `"use strict";\nconst { ${R_NAMES.join(', ')} } = R;\n${consts.join('\n')}\n` +
      `return function ${this.selfName()}(mc, fp, depth, jd, osr) {\n` +
      `const WT = ${weight}, LIM = ${JS_STACK_UNITS - weight};\n` +
      `const RF = mc.refs;\nlet S = mc.s, FD = mc.f64, fuel = mc.fuel, st = 0, ex = 0, ea = 0, eb = 0, fx = 0.5, x = 0, y = 0, m0 = 0, m1 = 0, m2 = 0, m3 = 0, m4 = 0, m5 = 0, m6 = 0, m7 = 0, u0 = 0, u1 = 0, u2 = 0, u3 = 0, cf = null, jf = null;\n` +
      mem +
      `if (fp + ${fw} > S.length) { grow(mc, fp + ${fw}); S = mc.s; FD = mc.f64; }\n` +
      `{ const P = mc.peaks; ea = (fp + ${fw}) * 4; if (ea > P.valueStackBytes) P.valueStackBytes = ea; if (depth + 1 > P.callDepth) P.callDepth = depth + 1; }\n` +
      (decl.length > 0 ? `let ${decl.join(', ')};\n` : '') +
      (this.floats.length > 0 ? `const ${Array.from({ length: this.floats.length / 2 }, (_, i) => `C${i} = ${KF}[${i}]`).join(', ')};\n` : '') +
      osrCode +
      `X: {\n${body}\n}\n` +
      `S = mc.s; FD = mc.f64;\n` +
      (cc.tmpl.length > 0 ? `S.set(${TMPL}, fp + ${cc.paramWords});\n` : '') +
      spillLocals +
      `const k = ${EK}[ex];\n` +
      `if (k === ${EX_CALL}) { mc.fComp[depth] = ${CC}; mc.fPc[depth] = ${EP}[ex]; mc.fFp[depth] = fp; mc.fBlk[depth] = ${EB}[ex]; return st; }\n` +
      `mc.save(${CC}, ${EP}[ex], fp, fuel, ${EB}[ex], depth);\n` +
      `return k === ${EX_HANDOFF} ? ${RT.STATUS_HANDOFF} : k;\n};\n` +
      `//# sourceURL=wasm-func-${f.index}.js\n`;
    if (src.length > MAX_SOURCE) no('function too large');
    return jsEval.compile(src)(rt, this.envV);
  }
}
