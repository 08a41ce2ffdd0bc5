/**
 * What the JS tier knows about its reference locals at the point being generated (gen-refs.ts): after a
 * successful cast or type test of a local, the local holds a value of that type until it is written. With it a
 * `ref.cast` or `ref.test` of a local whose type is already known is no test at all, and a struct or array access
 * through a local known not to be null needs no null check.
 *
 * A fact is established by code that every later point of its frame's body (and of the frames nested there)
 * comes through: a `ref.cast` of a local or a `br_on_cast_fail`'s fall-through (the frame of the instruction), or
 * an `if` whose condition is a `ref.test` of a local (its then arm, up to its else or end). So a fact holds from
 * there to the end of the frame it was made in, as long as the local is not written: generation runs through the
 * body in order, and
 * - a write to the local (local.set, local.tee; codegen.ts) forgets the local's fact everywhere;
 * - the end of a frame, and an if's else, forget the facts made in it (a branch to the end, or the other arm,
 *   arrives without them);
 * - a loop forgets every fact at its head (its back edges come from code after the head, which may write any
 *   local), and so does a legacy `try` (its catch arms are not generated: the interpreter runs them).
 * Facts are program properties (every path of the wasm program to the point passes the test and no write), so
 * they hold however the frame got there, the interpreter included (a loop re-entry starts at a loop head).
 *
 * A second kind of fact, of the generated code rather than the program: a local's type descriptor loaded. A type
 * test of local `x` (gen-refs.ts `test`) assigns what it reads, `RY<x> = x.type`, and once a test that assigns it
 * has run on every path to a point (the condition of an `if`, a cast's or br_on_cast's statement), `RY<x>` holds
 * local x's `.type` there, or x is null (the test's null check comes first), until x is written; the next test of x
 * compares `RY<x>` instead of loading `.type` again. Every assignment of `RY<x>` reads x itself, so one evaluated
 * later or not at all (a test in an expression some path skips) leaves it as true as it was. These facts end as
 * the others do. gc-shapes' `$area` tests its parameter against `$circle`, then `$rect`: V8 did the second load as
 * a dispatch over the maps again (BENCHMARKS.md, "One return for an i32 result").
 */
import { refHeap, refNullable, refType, type ValType } from '../core/types.js';
import type { ModuleTypes } from '../validate/types.js';

/** A type test's outcome as a condition on the operand stack: local `x` is of type `t` when it is true. */
export interface TestFact {
  x: number;
  t: ValType;
  /** The test assigns `RY<x>` (loadsType). */
  loads: boolean;
}

export class RefFacts {
  /** Per local: the type it is known to hold and the control depth where that was learnt. */
  private readonly known = new Map<number, { t: ValType; depth: number }>();
  /**
   * Conditions that are type tests of a local, by their mirror entry (gen-base.ts). The entry reads the local
   * (an EXPR), so a write to the local while it is on the stack evaluates it first (matLocal), into a new entry
   * (a variable) this map does not know: an `if` that finds its condition here finds the local as tested.
   */
  private readonly conds = new WeakMap<object, TestFact>();
  /** Per local: `RY<x>` holds its type descriptor (or it is null), learnt at that control depth (the module comment). */
  private readonly loaded = new Map<number, number>();

  constructor(private readonly types: ModuleTypes) {}

  /** The type local `x` is known to hold, or null. */
  get(x: number): ValType | null {
    return this.known.get(x)?.t ?? null;
  }

  /** Whether local `x` is known to hold a value of type `t` (a cast to `t` cannot fail). */
  proves(x: number, t: ValType): boolean {
    const k = this.known.get(x);
    return k !== undefined && this.types.isSubVal(k.t, t);
  }

  /** Local `x` holds a value of type `t` from here to the end of the frame at `depth` (unless written). */
  learn(x: number, t: ValType, depth: number): void {
    const k = this.known.get(x);
    if (k !== undefined) {
      if (this.types.isSubVal(k.t, t)) return;
      // both hold: the more precise heap type (the new one if they are unrelated), non-null if either says so,
      // for as long as both hold (the inner frame's; after it, neither, which is less than is known but true)
      const h = this.types.isSubHeap(refHeap(k.t), refHeap(t)) ? refHeap(k.t) : refHeap(t);
      t = refType(h, refNullable(k.t) && refNullable(t));
      depth = Math.max(depth, k.depth);
    }
    this.known.set(x, { t, depth });
  }

  /** Local `x` is written here. */
  write(x: number): void {
    this.known.delete(x);
    this.loaded.delete(x);
  }

  /** The frame at `depth` ends here (or an if's then arm): the facts made in it and in frames nested in it no longer hold. */
  leave(depth: number): void {
    for (const [x, k] of this.known) if (k.depth >= depth) this.known.delete(x);
    for (const [x, d] of this.loaded) if (d >= depth) this.loaded.delete(x);
  }

  /** A loop head (or legacy try): nothing is known. */
  clear(): void {
    this.known.clear();
    this.loaded.clear();
  }

  /** A test that assigns `RY<x>` has run here, in the frame at `depth`: it holds local x's type from here on (unless written). */
  learnLoaded(x: number, depth: number): void {
    const d = this.loaded.get(x);
    if (d === undefined || depth < d) this.loaded.set(x, depth);
  }

  /** Whether `RY<x>` holds local x's type descriptor here (or x is null). */
  isLoaded(x: number): boolean {
    return this.loaded.has(x);
  }

  /** Condition entry `cond` (reading local `x`) is true exactly when local `x` is of type `t`; `loads`: it assigns `RY<x>`. */
  markTest(cond: object, x: number, t: ValType, loads: boolean): void {
    this.conds.set(cond, { x, t, loads });
  }

  /** The test condition entry `cond` stands for, if it is one. */
  testOf(cond: object): TestFact | null {
    return this.conds.get(cond) ?? null;
  }
}
