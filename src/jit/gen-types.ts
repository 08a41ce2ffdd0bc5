/**
 * The JS tier's code generator (codegen.ts and its layers, gen-*.ts): the
 * shapes it works with (operand-stack mirror entries, frames, fuel blocks,
 * counted-loop candidates, loop re-entry points), the markers it leaves in
 * its output until build() resolves them, exit kinds and limits.
 */
import { I32, I64, F32, F64, V128, isRef, type ValType } from '../core/types.js';

export const VAR = 0;
export const LOCAL = 1;
export const CONST = 2;
export const EXPR = 3;

export interface Ent {
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
  loc: readonly number[] | null;
  /** Reads stack variables (EXPR only). */
  vr: boolean;
  /** Inside a loop that may be counted: what the i32 value is in terms of locals (null: unknown). */
  sym: Sym | null;
  /**
   * f32: the value is a `Math.fround` result (arithmetic), so a NaN is a quiet double NaN whose Float32Array /
   * setFloat32 conversion gives the same bits as f2b: stored without the NaN test.
   */
  q: boolean;
}

/**
 * An i32 value in a loop body as a counted loop sees it: local `x` as read
 * after `ver` writes to it in this iteration, plus `c`, plus local `y`
 * (-1: none; `x` -1: the constant c); or a comparison of two such values.
 */
export type Sym = { k: 'v'; x: number; ver: number; c: number; y: number } | { k: 'cmp'; rel: number; l: Sym; r: Sym };

export interface Ctrl {
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
  /** The frame is wrapped in `if (osr <= <its last loop>) {` (closed after it). */
  wrap: boolean;
  /**
   * The last loop (id) a re-entry can still target in this frame's body (in an if's current arm), -1 for none.
   * At any point of the body, osr is 0 or a loop of the frame at or after that point (a loop head clears it), so
   * a child frame needs a wrapper only when loops of the frame come after it.
   */
  osrLast: number;
  /** loop: the v128 locals whose lanes it converted before its head and keeps cached (gen-vectors.ts hoistLanes). */
  pins?: number[];
  /** if: osrLast of its else arm (the if's last loop). */
  osrElse?: number;
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
  /**
   * block, if: the fuel links of the branches to its end (the fuel left on each edge is at least its roots' checks
   * less their `acc`: a taken br_if gives back what its block prepaid); null for one whose fuel is not known there.
   */
  edges?: (FuelLink | null)[];
  /**
   * if without loops: the block of the `if`, and the line at the start of its then arm where the arm gives back what
   * that block prepaid (a marker, emptied unless the block after the if joins the block's chain: JsControl.end)
   */
  condBlk?: FuelBlock | null;
  condLine?: number;
  /** loop: the fuel link where it is entered (null: not known there). */
  entry?: FuelLink | null;
  /**
   * loop: the fuel block that falls into it, when the loop is entered by no other path than straight on from that
   * block's start (no branch, if or else since): its chain may prepay the head's subtraction (gen-fuel.ts subtractions)
   */
  from?: FuelBlock | null;
  /** A legacy try in its catch arms (not generated: the frame's instructions until its end are skipped). */
  arm?: boolean;
  /** A legacy try with catch arms: its body reached the first arm (falls through to the end). */
  bodyLive?: boolean;
}

/**
 * A frame of the generator's control stack with every field of Ctrl present, the optional ones undefined until set:
 * one hidden class for every frame. Made as literals of four shapes ('if' and 'loop' with fields of their own) and
 * given the optional fields as generation went on, the frames had a dozen maps: V8's optimised code for the
 * generator's methods read them through polymorphic or megamorphic loads, and threw `instr` and `enter` away at a
 * map first seen after their compile ("wrong map"; BENCHMARKS.md, session 15, helper gen10).
 */
export function newCtrl(kind: Ctrl['kind'], height: number, params: readonly ValType[], results: readonly ValType[], label: string, dead: boolean, osr: boolean, wrap: boolean, osrLast: number): Ctrl {
  return {
    kind, height, params, results, label, dead, osr, guard: false, wrap, osrLast,
    pins: undefined, osrElse: undefined, fuelElse: undefined, thenEnd: undefined, thenBlk: undefined, armFrom: undefined, elseFrom: undefined,
    ifBlk: undefined, thenFirst: undefined, elseFirst: undefined, targeted: undefined, edges: undefined, condBlk: undefined, condLine: undefined,
    entry: undefined, from: undefined, arm: undefined, bodyLive: undefined,
  };
}

/**
 * A fuel check at the root of an extended block (JsGen.blockStart): its line
 * in the output, patched with the largest cost of a path through the blocks
 * it covers once they are all generated.
 */
export interface FuelRoot {
  line: number;
  max: number;
  /** The check of a loop's head (counted copies read its max, re-entries pass it): no join after the loop relies on it. */
  loop: boolean;
  /** The line when the check needs no fuel (max 0); else nothing: a check after a call keeps the call's own test. */
  zero: string | undefined;
}
/**
 * A root, made with every field present (as `newCtrl` makes frames), so that every root has one hidden class: roots
 * given `loop` when they check a loop's head had two.
 */
export function newRoot(line: number, max: number, zero: string | undefined): FuelRoot {
  return { line, max, loop: false, zero };
}
/** A root whose check covers a block, with the cost from that root's start to the block's end. */
export interface FuelPart {
  root: FuelRoot;
  acc: number;
}
/** A block's place under its root's check: the cost from the root's start to the block's end. */
export interface FuelLink {
  /** Each root whose check covers the block (several after an if's arms merge); a packed array (chainParts). */
  parts: FuelPart[];
  /** Set for the fall-through of a br_if: the block whose chain the next block joins (prepaid, below). */
  via: FuelBlock | null;
  /** Set for the end of an if/else no branch targets: the blocks its arms end in, whose chains prepay the block there. */
  paidBy: FuelBlock[] | null;
}
/** A link, made with every field present: links written as literals with and without `paidBy` had two hidden classes. */
export function fuelLink(parts: FuelPart[], via: FuelBlock | null, paidBy: FuelBlock[] | null): FuelLink {
  return { parts, via, paidBy };
}
/**
 * A fuel block as generated. The fall-through successors of br_if are
 * prepaid: the first block of such a chain (`head`) subtracts its own cost
 * and theirs, each br_if gives back on its taken edge what it prepaid for the
 * rest of the chain, and a trap inside a block adds its `prepaid` to the
 * refund. So a loop of `check; head; br_if out; body; br loop` subtracts once
 * per iteration.
 */
export interface FuelBlock {
  id: number;
  cost: number;
  /** The chain this block is in (the chain's `acc` when it joined: its prepaid is what the chain got since, chainAhead). */
  chain: FuelChain;
  base: number;
  /** Head only: the output line subtracting the chain's cost. */
  subLine: number;
  /** Its own cost was prepaid by the arms of the if/else it follows (it subtracts only what it prepays). */
  paid: boolean;
  /** The block of an if/else whose arms pay its cost with their own (their first blocks' `extra`). */
  post: boolean;
  extra: number;
  /**
   * A chain's head that subtracts the chain's cost after the br_if that ends it (its `subLine` is there), not at its
   * start: the taken edge pays the head's own share instead of giving back the rest (JsFuel.sinkSubtraction).
   */
  sunk: boolean;
}
/**
 * A chain of fuel blocks (FuelBlock): its head, and the costs prepaid by its
 * blocks so far, summed. A block's prepaid fuel is what was added after it
 * joined (one number per chain, so a chain of n br_ifs costs O(n), not O(n^2)).
 */
export interface FuelChain {
  head: FuelBlock;
  acc: number;
}
/** What a block subtracts for itself: its cost unless the arms of an if/else before it or after it pay it, and that of the if/else it starts an arm of (`extra`). */
export function ownCost(b: FuelBlock): number {
  return (b.paid || b.post ? 0 : b.cost) + b.extra;
}
/** Cost of the chain's blocks after this one (subtracted early, not yet run). */
export function chainAhead(b: FuelBlock): number {
  return b.chain.acc - b.base;
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
export interface Counted {
  /** The loop's place in the control stack. */
  depth: number;
  /** Output lines: the placeholder before the loop (its `for` line follows) and the loop's closing brace. */
  place: number;
  /** Output line: the loop's re-entry test (`if (osr === N) osr = 0;`), before `place`. */
  osrLine: number;
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
export interface CountedPlan {
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

/** Markers in a counted loop's body, resolved by build(): a trap's fuel, an exit, the back edge's refund. */
export const CL_TRAP = '\u0005';
export const CL_EXIT = '\u0007';
export const CL_BACK = '\u0006';

/** Stands for a root's cost in its check until build() patches it. */
export const FUEL_MAX = '\u0003';

/**
 * Frames of exception handling: `try_table` and the legacy `try` are blocks to the tier; a legacy try's
 * `catch`/`catch_all` arms are reached only through the handler table, which the interpreter runs (a caught
 * exception hands the frame over at the handler's target), so they are not generated; `delegate` ends its try.
 */
export const TRY_FRAME = new Set(['try', 'try_table']);
export const CATCH_ARM = new Set(['catch', 'catch_all']);

/** A loop the interpreter can enter the JS version at: the fast-code pc and original offset of its body's first block, its id, and the stack at its head. */
export interface OsrEntry {
  pc: number;
  orig: number;
  id: number;
  /** The fuel check at the head (null without fuel counting): re-entry needs its cost, else the JS version hands the frame straight back. */
  fuel: FuelRoot | null;
  stack: ValType[];
}

/** Why a function stays interpreted. */
export class Unjittable extends Error {}
export function no(why: string): never {
  throw new Unjittable(why);
}

/** Value types the tier holds in JS variables. */
export function isNum(t: ValType): boolean {
  return t === I32 || t === I64 || t === F32 || t === F64 || t === V128 || isRef(t);
}

/** Exit kinds of the epilogue. */
export const EX_HANDOFF = 0;
export const EX_NO_FUEL = 1;
export const EX_SUSPENDED = 2;
export const EX_CALL = 3;
/** A wasm exception caught at a throwing op inside a try (rt.ts catchHere): `xe` holds it. */
export const EX_CATCH = 4;
/**
 * After a call of a generated function whose status test is also the next block's fuel check (gen-fuel.ts
 * blockStart): a stop of the callee (`st < 0`) is an EX_CALL exit; otherwise the fuel it returned (`st`) does
 * not cover that block, which is a handoff at the block (its pc, which is the call's continuation).
 */
export const EX_POST = 5;

/** Stands for the reload of the memory views in the output until the end (only functions that access memory do it). */
export const MEM_RELOAD = '\u0001';
/**
 * Around the trap statement of a memory access whose bounds the DataView checks itself (gen-memory.ts memAccess):
 * build() makes it the `tr = <site>;` that the function's catch reads (patch.ts).
 */
export const OOB_SITE = '\u0010';
/** Likewise the reload of the f64 view of the value stack (only functions that read or write f64 slots). */
export const FD_RELOAD = '\u0002';

/**
 * Around a statement that writes the words of v128 local <x> (every `local.set`/`local.tee` of a v128, and a
 * v128.load right before one, which loads into the local: gen-vectors.ts loadInto): `\u000e<x>\u000e<statement>\u000e`.
 * build() drops the statement when nothing in the function reads those words (lane-cache.ts deadWords): f32x4 code
 * reads a local's lanes (from memory again, or kept from the arithmetic that set it), and converting lanes to words
 * goes through a typed array.
 */
export const LANE_WORDS = '\u000e';

/** Functions with more locals, or longer generated source, stay interpreted. */
export const MAX_LOCALS = 20_000;
export const MAX_SOURCE = 16 * 1024 * 1024;
/**
 * The source a function may generate, in characters: SOURCE_BASE, plus SOURCE_PER_BYTE per byte of
 * its body and SOURCE_PER_LOCAL per local (the bench workloads: at most 18 per byte beyond 4 KB). The
 * generator counts what it writes as it goes and stops (the function stays interpreted) when it passes
 * this, so its work is linear in the function's size whatever the shape of the code (docs/fuel.md).
 */
export const SOURCE_BASE = 64 * 1024;
export const SOURCE_PER_BYTE = 256;
export const SOURCE_PER_LOCAL = 256;
/** Highest operand stack the tier generates: each exit writes the stack back to the frame, each branch materializes it. */
export const MAX_HEIGHT = 1000;
/**
 * Deepest nesting of blocks, loops and ifs the tier generates: V8's parser recurses on it and gives
 * up at about 1,000 nested loops (2,600 blocks); deeper functions stay interpreted at once.
 */
export const MAX_NESTING = 1000;

/** Longest EXPR kept unevaluated. */
export const MAX_EXPR = 400;

export function lit(x: number): string {
  return x < 0 ? `(${x})` : `${x}`;
}
