/**
 * Cold paths generated as exits (src/jit/cold.ts, codegen.ts `elide`): a block start the policy finds cold is the
 * exit a fuel shortage takes there, and nothing more of its frame is generated. These tests check what the static
 * rule finds (a trap's or a never-returning import's path, not a path a branch may leave first), that the elided
 * code is not in the source, and that results, traps and fuel are the interpreter's: uninterrupted, at every budget,
 * and with a snapshot restored at every stop, also with every block start but the entry and loop heads elided
 * (`coldElision.force`), so that the JS version exits at each and comes back at its next loop head.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { I32, Linker, Module, Store, Trap, funcType } from '../../src/index.js';
import { jsEval } from '../../src/jit/codegen.js';
import { coldElision, coldStats } from '../../src/jit/cold.js';
import { callThroughStops } from '../shared/stops.js';

const WAT = `(module
  (import "env" "abort" (func $abort (param i32)))
  (import "env" "host" (func $host (param i32) (result i32)))
  (memory 1)
  (global $g (export "g") (mut i32) (i32.const 0))
  ;; an assert's path: cold by the static rule (a call of abort, then unreachable)
  (func (export "check") (param $x i32) (result i32)
    (if (i32.gt_s (local.get $x) (i32.const 100))
      (then
        (global.set $g (i32.const 777001))
        (i32.store (i32.const 0) (local.get $x))
        (call $abort (i32.add (local.get $x) (i32.const 777002)))
        (unreachable)))
    (i32.add (local.get $x) (i32.const 1)))
  ;; a panic's path reached after a br_if that may leave it: only the part after the br_if is cold
  (func (export "partial") (param $x i32) (result i32)
    (block $out
      (if (i32.lt_s (local.get $x) (i32.const 0))
        (then
          (global.set $g (i32.const 777101))
          (br_if $out (i32.eq (local.get $x) (i32.const -1)))
          (global.set $g (i32.add (global.get $g) (i32.const 777102)))
          (local.set $x (i32.mul (local.get $x) (i32.const 3)))
          (unreachable))))
    (i32.sub (local.get $x) (i32.const 1)))
  ;; every way a block starts (the outer loop's body): br_if chains, if/else arms, a call, blocks with results, a loop, a br_table
  (func (export "run") (param $n i32) (result i32) (local $i i32) (local $s i32)
    (loop $l
      ;; (a loop inside: the outer one is no counted loop's candidate, in which nothing is elided)
      (loop $k (br_if $k (i32.const 0)))
      (block $b (result i32)
        (local.set $s (i32.add (local.get $s) (local.get $i)))
        (drop (br_if $b (i32.const 5) (i32.eq (i32.and (local.get $i) (i32.const 7)) (i32.const 3))))
        (local.set $s (i32.xor (local.get $s) (i32.const 0x55)))
        (if (result i32) (i32.and (local.get $i) (i32.const 1))
          (then (i32.mul (local.get $s) (i32.const 3)))
          (else (call $host (local.get $s)))))
      (local.set $s (i32.add (local.get $s)))
      (block $x (block $y (block $z
        (br_table $x $y $z (i32.rem_u (local.get $i) (i32.const 3))))
        (global.set $g (i32.add (global.get $g) (i32.const 1))))
        (global.set $g (i32.add (global.get $g) (i32.const 2))))
      (i32.store (i32.const 8) (local.get $s))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.add (local.get $s) (i32.load (i32.const 8))))
)`;
/** A module of its own for each test: a module's later instances bind its first generation (rebind.ts), elided or not. */
let MOD = Module.fromWat(WAT);

function linker(store: Store): Linker {
  const l = new Linker();
  l.defineFunc(store, 'env', 'abort', funcType([I32], []), (_c, x: number) => {
    throw new Error(`abort ${x}`);
  });
  l.defineFunc(store, 'env', 'host', funcType([I32], [I32]), (_c, x: number) => (x * 7) | 0);
  return l;
}

interface Outcome {
  out: unknown;
  fuel: number;
  g: unknown;
  stops: number;
}

/** `name(arg)` in a fresh store of `tier`, from `budget` fuel (refilled with what each stop needs; with `snap`, restored from a snapshot there). */
function call(tier: 'js' | 'interp', name: string, arg: number, budget = 1e9, snap = false): Outcome {
  const { out, store, inst, stops } = callThroughStops({
    tier,
    mod: MOD,
    linker,
    name,
    args: [arg],
    budget,
    refill: (stop) => stop.needed - stop.remaining,
    snap,
    outcome: (e) => (e instanceof Trap ? `trap ${e.message}` : `error ${(e as Error).message}`),
    first: true,
  });
  return { out, fuel: store.fuelConsumed, g: inst.global('g'), stops };
}

/** The sources the JS tier compiles while `f` runs. */
function sources(f: () => void): string {
  const compile = jsEval.compile;
  let all = '';
  jsEval.compile = (src) => {
    all += src;
    return compile(src);
  };
  try {
    f();
  } finally {
    jsEval.compile = compile;
  }
  return all;
}

/** Every budget from 0 to a little past the uninterrupted run's fuel, in both tiers, with and without snapshots. */
function everyBudget(name: string, arg: number): void {
  const full = call('interp', name, arg);
  expect(call('js', name, arg)).toEqual(full);
  for (let b = 0; b <= full.fuel + 2; b++) {
    const want = call('interp', name, arg, b);
    expect(call('js', name, arg, b), `${name}(${arg}) from ${b}`).toEqual(want);
    if (b % 7 === 0) expect(call('js', name, arg, b, true), `${name}(${arg}) from ${b}, snapshots`).toEqual(want);
  }
}

const STATIC = coldElision.static;
beforeEach(() => {
  MOD = Module.fromWat(WAT);
  coldElision.static = true;
});
afterEach(() => {
  coldElision.force = null;
  coldElision.static = STATIC;
});

describe('cold paths generated as exits (cold.ts)', () => {
  test("the static rule: an assert's and a panic's path are not generated, what a branch may leave first is", () => {
    const e0 = coldStats.elided;
    const src = sources(() => {
      expect(call('js', 'check', 5).out).toBe(6);
      expect(call('js', 'partial', 5).out).toBe(4);
    });
    expect(src).not.toContain('777001');
    expect(src).not.toContain('777002');
    expect(src).toContain('777101');
    expect(src).not.toContain('777102');
    expect(coldStats.elided - e0).toBe(2);
    // without the rule the paths are generated
    coldElision.static = false;
    MOD = Module.fromWat(WAT);
    const all = sources(() => call('js', 'check', 5));
    expect(all).toContain('777002');
  });

  test('a cold path taken: the same trap, error and fuel as the interpreter, at every budget', () => {
    expect(call('js', 'check', 200).out).toMatch(/^error .*abort 777202$/);
    expect(call('js', 'partial', -5).out).toMatch(/^trap .*unreachable/);
    expect(call('js', 'partial', -1).out).toBe(-2);
    for (const [f, x] of [['check', 200], ['check', 7], ['partial', -5], ['partial', -1], ['partial', 3]] as const) everyBudget(f, x);
  });

  test('every block start elided: an exit at the first after the entry and each loop head, back at the next loop head; every budget, snapshots at stops', () => {
    const e0 = coldStats.elided;
    coldElision.force = () => true;
    everyBudget('run', 9);
    everyBudget('check', 3);
    // (the entry's block runs; each loop's body and the code after each loop are one exit: the rest is not generated)
    expect(coldStats.elided - e0).toBe(4);
  });

  test('some block starts elided at random', () => {
    let seed = 7;
    coldElision.force = () => ((seed = (seed * 1103515245 + 12345) >>> 0) & 3) === 0;
    for (let k = 0; k < 3; k++) everyBudget('run', 5 + k);
  });
});
