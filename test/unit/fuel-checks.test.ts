/**
 * How fuel is counted, beyond the cost model itself (test/fuel): stores that
 * do not count fuel at all (countFuel: false), budgets larger than the slice
 * the machine holds at a time (store.ts MAX_SLICE), and the JS tier's checks
 * per extended block (one check at a block's root covers the blocks reached
 * only from it): every budget stops at the same instruction as the
 * interpreter, and resuming gives the same results.
 */
import { describe, expect, test } from 'vitest';
import { I32, Linker, Module, OutOfFuel, Store, funcType, type FuelCosts, type Instance } from '../../src/index.js';
import { captureSources } from '../shared/jit-sources.js';
import { runStarved, type StarvedRun } from '../shared/starved.js';

const PROGRAM = `(module
  (memory 1)
  (func $sq (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
  (func (export "run") (param $n i32) (result i32) (local $i i32) (local $acc i32) (local $j i32)
    (memory.fill (i32.const 0) (i32.const 3) (i32.const 256))
    (block $done
      (loop $outer
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (i32.add (local.get $acc) (i32.load8_u (local.get $i))))
        (br_if $done (i32.gt_u (local.get $acc) (i32.const 100000)))
        (if (i32.and (local.get $i) (i32.const 1))
          (then
            (local.set $acc (i32.add (local.get $acc) (call $sq (local.get $i))))
            (i32.store8 (local.get $i) (i32.const 7)))
          (else
            (local.set $j (i32.const 0))
            (loop $inner
              (local.set $acc (i32.xor (local.get $acc) (local.get $j)))
              (local.set $j (i32.add (local.get $j) (i32.const 1)))
              (br_if $inner (i32.lt_u (local.get $j) (i32.const 3))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $outer)))
    (i32.add (local.get $acc) (i32.load8_u (i32.const 5)))))`;

/**
 * Found by test/fuel: the code after `end` of the inner block is valid but never runs (nothing
 * branches to that block and its body ends in `br`); the interpreter charges none of it, and the
 * JS tier must not chain a block to its br_if (it prepaid a block only that br_if reaches).
 */
const NEVER_RUN = `(module
  (import "env" "host" (func $host (param i32) (result i32)))
  (func (export "run") (param i32) (result i32) (local i32)
    (local.set 1 (i32.const 1))
    (block
      (loop
        (br_if 1 (i32.eqz (local.get 1)))
        (local.set 1 (i32.sub (local.get 1) (i32.const 1)))
        (block
          (br 2)
          (if (i32.eq (i32.and (i32.add (i32.const 0) (call $host (i32.const 0))) (i32.const 7)) (i32.const 5))
            (then unreachable)))
        (br_if 0 (i32.const 0))))
    (nop)
    (i32.const 0)))`;

/** Ends of ifs in every shape: without else, with an empty arm, with a branch to the if's own label, nested, after a call. */
const MERGES = `(module
  (import "env" "host" (func $host (param i32) (result i32)))
  (func (export "run") (param $n i32) (result i32) (local $i i32) (local $a i32)
    (loop $l
      (if (i32.and (local.get $i) (i32.const 1)) (then (local.set $a (i32.add (local.get $a) (i32.const 3)))))
      (if (i32.eq (i32.and (local.get $i) (i32.const 3)) (i32.const 3)) (then (local.set $a (call $host (local.get $a)))))
      (local.set $a (i32.add (local.get $a) (i32.add (local.get $i) (i32.add (local.get $i) (local.get $i)))))
      (if (i32.eq (i32.and (local.get $i) (i32.const 5)) (i32.const 4)) (then (local.set $a (call $host (local.get $i)))) (else))
      (local.set $a (i32.rotl (local.get $a) (i32.add (local.get $i) (i32.add (local.get $i) (i32.const 1)))))
      (if (i32.and (local.get $i) (i32.const 2)) (then) (else (local.set $a (i32.xor (local.get $a) (local.get $i)))))
      (if (i32.and (local.get $i) (i32.const 4))
        (then (local.set $a (i32.mul (local.get $a) (i32.const 5))) (br_if 0 (i32.gt_u (local.get $a) (i32.const 1000))) (local.set $a (i32.add (local.get $a) (i32.const 1))))
        (else (if (i32.eqz (local.get $a)) (then (local.set $a (call $host (local.get $i)))) (else (local.set $a (i32.sub (local.get $a) (i32.const 1)))))))
      (local.set $a (i32.add (local.get $a) (if (result i32) (i32.lt_u (local.get $i) (i32.const 3)) (then (i32.const 7)) (else (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $a)))`;

/**
 * Blocks of an `if` whose arms pay their cost: after a merge its arms prepaid (that block must not be
 * paid twice), with a trap before the `if` (its refund is smaller by what the block has not paid), and
 * one whose arm starts without a block of its own.
 */
const ARMS_PAY = `(module
  (memory 1)
  (data (i32.const 1) "\\01")
  (func $g (param $n i32) (param $a i32) (result i32)
    (if (result i32) (i32.load8_u (i32.sub (i32.const 2) (local.get $n)))
      (then (i32.add (local.get $a) (i32.const 1)))
      (else (i32.mul (local.get $a) (i32.div_u (i32.const 10) (i32.sub (local.get $n) (i32.const 2)))))))
  (func (export "run") (param $n i32) (result i32) (local $a i32)
    (local.set $a (if (result i32) (i32.lt_u (local.get $n) (i32.const 3)) (then (i32.const 5)) (else (i32.const 9))))
    (local.set $a (if (result i32) (i32.eqz (local.get $n)) (then (i32.add (local.get $a) (i32.const 1))) (else (i32.sub (local.get $a) (i32.const 1)))))
    (local.set $a (call $g (local.get $n) (local.get $a)))
    (if (i32.and (local.get $n) (i32.const 1)) (then) (else (local.set $a (i32.add (local.get $a) (i32.const 2)))))
    (local.get $a)))`;

/**
 * Ends of blocks that branches target (gen-control.ts joinLink): `$sel`'s joins are reached from br_table, br_if
 * and fall-throughs whose fuel the entry's check knows, so that check covers them all and they check nothing
 * (a division by zero in one, n = 7); `run`'s joins come after a call (fuel unknown: they check), from a targeted
 * if's own branch, and after a loop's exit (a loop head's check stays its own: the join checks).
 */
const JOINS = `(module
  (import "env" "host" (func $host (param i32) (result i32)))
  (func $sel (param $n i32) (result i32) (local $a i32)
    (block $out
      (block $b2
        (block $b1
          (br_table $b1 $b2 $out $b2 (i32.and (local.get $n) (i32.const 3))))
        (local.set $a (i32.add (local.get $a) (i32.const 5)))
        (br_if $out (i32.gt_u (local.get $n) (i32.const 10)))
        (local.set $a (i32.mul (local.get $a) (i32.const 3))))
      (local.set $a (i32.add (local.get $a) (i32.div_u (i32.const 100) (i32.sub (local.get $n) (i32.const 7))))))
    (i32.add (local.get $a) (local.get $n)))
  (func (export "run") (param $n i32) (result i32) (local $a i32) (local $i i32)
    (local.set $a (call $sel (local.get $n)))
    (block $c
      (br_if $c (i32.and (local.get $n) (i32.const 1)))
      (local.set $a (call $host (local.get $a))))
    (local.set $a (i32.add (local.get $a)
      (if (result i32) (i32.lt_u (local.get $n) (i32.const 4))
        (then (drop (br_if 0 (i32.const 9) (i32.eqz (local.get $n)))) (i32.const 3))
        (else (i32.const 2)))))
    (block $d
      (loop $l
        (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $a (i32.xor (local.get $a) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (i32.add (local.get $a) (local.get $i))))`;

/**
 * Loops whose back edges leave after a call (gen-fuel.ts checkBeforeLoop): `$l` is entered with the entry's
 * fuel known, so its head checks nothing; `$m` is entered from the head of the counted loop `$k`, whose check is
 * its own, so its head's check moves before it; one of `$m`'s back edges leaves from an if's arm. Both heads
 * subtract their cost before the loop and on the back edges instead.
 */
const LOOP_CALLS = `(module
  (memory 1)
  (func $f (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func (export "run") (param $n i32) (result i32) (local $i i32) (local $a i32)
    (loop $l
      (local.set $a (i32.add (local.get $a) (call $f (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (loop $k
      (local.set $a (i32.rotl (local.get $a) (local.get $i)))
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (br_if $k (local.get $i)))
    (loop $m
      (local.set $a (i32.xor (local.get $a) (call $f (local.get $i))))
      (if (i32.and (local.get $i) (i32.const 1)) (then (local.set $i (i32.add (local.get $i) (i32.const 3))) (br $m)))
      (local.set $a (i32.add (local.get $a) (i32.load8_u (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $m (i32.lt_u (local.get $i) (i32.mul (local.get $n) (i32.const 3)))))
    (local.get $a)))`;

/**
 * C fib's shape (gen-fuel.ts sinkSubtraction, subtractions): an entry block that may trap (n = 100 divides by zero)
 * and ends in a br_if out, whose fall-through chain enters a loop of calls straight on. The entry's subtraction sinks
 * below the br_if (the taken edge pays the entry's own cost, a trap before it refunds that much less), and the
 * chain prepays the loop's head (a re-entry pays it where it clears osr). The leaf's path subtracts once.
 */
const SUNK = `(module
  (import "env" "host" (func $host (param i32) (result i32)))
  (func $f (param $n i32) (result i32) (local $a i32)
    (local.set $a (i32.div_u (i32.const 100) (i32.sub (local.get $n) (i32.const 100))))
    (block $out
      (br_if $out (i32.lt_u (local.get $n) (i32.const 2)))
      (local.set $a (i32.const 0))
      (loop $l
        (local.set $a (i32.add (local.get $a) (call $f (i32.sub (local.get $n) (i32.const 1)))))
        (local.set $n (i32.sub (local.get $n) (i32.const 2)))
        (br_if $l (i32.gt_u (local.get $n) (i32.const 1)))))
    (i32.add (local.get $n) (local.get $a)))
  (func (export "run") (param $n i32) (result i32)
    (call $f (local.get $n))))`;

/**
 * Loops first in an if's arms (the block of the `if` must not prepay either loop's head: one path enters neither;
 * each arm's own first block may), then after the if's end.
 */
const ARM_LOOPS = `(module
  (func $g (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
  (func (export "run") (param $n i32) (result i32) (local $a i32)
    (if (i32.and (local.get $n) (i32.const 1))
      (then
        (loop $l
          (local.set $a (i32.add (local.get $a) (call $g (local.get $n))))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br_if $l (i32.gt_s (local.get $n) (i32.const 3)))))
      (else
        (loop $m
          (local.set $a (i32.xor (local.get $a) (call $g (local.get $n))))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br_if $m (i32.gt_s (local.get $n) (i32.const 2))))))
    (loop $k
      (local.set $a (i32.add (local.get $a) (call $g (local.get $n))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $k (i32.gt_s (local.get $n) (i32.const 0))))
    (local.get $a)))`;

/**
 * Ifs without else whose then arm does not reach the end (gen-control.ts end): the block after each is reached by
 * the false edge alone and joins the chain of the block of the `if`; the arm gives back what that block prepaid
 * before it returns, traps, branches out or calls. n selects the arm taken: 1 returns, 2 traps (a refund inside
 * the arm), 3 branches out, 4 calls the host then branches out, 5 divides by zero after the ifs.
 */
const DEAD_ARMS = `(module
  (import "env" "host" (func $host (param i32) (result i32)))
  (func (export "run") (param $n i32) (result i32) (local $a i32)
    (local.set $a (i32.mul (local.get $n) (i32.const 7)))
    (block $out
      (if (i32.eq (local.get $n) (i32.const 1)) (then (return (i32.add (local.get $a) (i32.const 1)))))
      (local.set $a (i32.add (local.get $a) (i32.const 3)))
      (if (i32.eq (local.get $n) (i32.const 2)) (then (local.set $a (i32.const 0)) (unreachable)))
      (local.set $a (i32.xor (local.get $a) (i32.const 5)))
      (if (i32.eq (local.get $n) (i32.const 3)) (then (local.set $a (i32.const 9)) (br $out)))
      (local.set $a (i32.rotl (local.get $a) (i32.const 3)))
      (if (i32.eq (local.get $n) (i32.const 4)) (then (local.set $a (call $host (local.get $a))) (br $out)))
      (local.set $a (i32.div_u (local.get $a) (i32.sub (local.get $n) (i32.const 5)))))
    (i32.add (local.get $a) (local.get $n))))`;

const mod = Module.fromWat(PROGRAM);

function instance(store: Store, m: Module = mod): Instance {
  const linker = new Linker();
  linker.defineFunc(store, 'env', 'host', funcType([I32], [I32]), (_c, x) => x);
  return linker.instantiate(store, m);
}

/** The JS tier's sources of a fresh module of `wat` (nothing shared) for run(n) with plenty of fuel. */
function generated(wat: string, n: number): string[] {
  return captureSources(() => instance(new Store({ fuel: 1e9, tier: 'js' }), Module.fromWat(wat)).call('run', n)).srcs;
}

/** Runs run(n) with `fuel`; every stop records the fuel consumed and gets exactly what it needs; a trap ends it with the fuel consumed then. */
function starved(tier: 'js' | 'interp', fuel: number, n: number, m: Module = mod, costs?: FuelCosts): StarvedRun {
  const store = new Store({ fuel, tier, ...(costs ? { costs } : {}) });
  const inst = instance(store, m);
  return runStarved(store, inst, 'run', [n]);
}

describe('fuel checks of the JS tier', () => {
  test('every budget stops where the interpreter stops, and resumes to the same result', () => {
    const full = starved('interp', 1e9, 9);
    expect(full.stops).toEqual([]);
    for (let fuel = 0; fuel <= full.consumed + 1; fuel++) {
      const js = starved('js', fuel, 9);
      const it = starved('interp', fuel, 9);
      expect(js).toEqual(it);
      expect(js.result).toBe(full.result);
      expect(js.consumed).toBe(full.consumed);
      if (fuel < full.consumed) {
        expect(js.stops.length).toBeGreaterThan(0);
        expect(js.stops[0]).toBeLessThanOrEqual(fuel);
      } else expect(js.stops).toEqual([]);
    }
  });

  test('code the validator accepts but nothing reaches is not charged, and no block chains to it', () => {
    const m = Module.fromWat(NEVER_RUN);
    const full = starved('interp', 1e9, 0, m);
    for (let fuel = 0; fuel <= full.consumed + 2; fuel++) expect(starved('js', fuel, 0, m)).toEqual(starved('interp', fuel, 0, m));
  });

  test('ends of ifs: every budget stops where the interpreter stops', () => {
    const m = Module.fromWat(MERGES);
    const full = starved('interp', 1e9, 12, m);
    for (let fuel = 0; fuel <= full.consumed + 2; fuel++) expect(starved('js', fuel, 12, m)).toEqual(starved('interp', fuel, 12, m));
  });

  test('ends of targeted blocks covered by the checks of their branches: every budget, traps included, as in the interpreter', () => {
    const m = Module.fromWat(JOINS);
    for (let n = 0; n <= 12; n++) {
      const full = starved('interp', 1e9, n, m);
      for (let fuel = 0; fuel <= full.consumed + 2; fuel++) expect(starved('js', fuel, n, m), `n=${n} fuel=${fuel}`).toEqual(starved('interp', fuel, n, m));
    }
    expect(starved('js', 1e9, 7, m)).toMatchObject({ trap: expect.stringMatching(/divide by zero/) });
    // $sel's entry check covers its three joins: its only check
    const srcs = generated(JOINS, 5);
    const checks = (name: string): number => (srcs.find((s) => s.includes(`function ${name}(`))!.match(/fuel < \d+/g) ?? []).length;
    expect(checks('wasm_func_1')).toBe(1);
    // run: its entry, after each call, after the if's branch, the loop's head and the join after the loop
    expect(checks('wasm_func_2')).toBeGreaterThanOrEqual(4);
  });

  test('loop heads covered by the checks of their back edges: every budget and re-entry, as in the interpreter', () => {
    const m = Module.fromWat(LOOP_CALLS);
    for (const n of [1, 2, 5]) {
      const full = starved('interp', 1e9, n, m);
      for (let fuel = 0; fuel <= full.consumed + 2; fuel++) expect(starved('js', fuel, n, m), `n=${n} fuel=${fuel}`).toEqual(starved('interp', fuel, n, m));
      // slices of a few units: the frame goes back and forth between the interpreter and the loops' heads
      for (const checkEvery of [1, 2, 3, 5, 9]) {
        const store = new Store({ interrupt: { checkEvery } });
        expect(instance(store, m).call('run', n)).toEqual([full.result]);
        expect(store.fuelConsumed).toBe(full.consumed);
      }
    }
    const lines = generated(LOOP_CALLS, 3).find((s) => s.includes('function wasm_func_1('))!.split('\n');
    // each loop's head: the line before its `for` and its first line ('' where a check was)
    const heads = lines.flatMap((l, k) => (/^L\d+: for \(;;\) \{$/.test(l) ? [[lines[k - 1]!, lines[k + 1]!]] : []));
    expect(heads.length).toBe(4); // $l, $k's counted copy and its slow loop, $m
    // $l's head neither checks nor subtracts: its cost is subtracted with the entry's (whose chain falls into the
    // loop), on its back edge and by a re-entry where it clears osr
    expect(heads[0]).toEqual(['', '']);
    const l = lines.findIndex((x) => /^L\d+: for \(;;\) \{$/.test(x));
    expect(lines[l - 2]).toMatch(/^if \(osr === \d+\) \{ osr = 0; fuel -= \d+; \}$/);
    expect(heads[3]![0]).toMatch(/^if \(fuel < \d+\) \{ ex = \d+; break X; \}fuel -= \d+;$/);
    expect(heads[3]![1]).toBe('');
    // the back edges: $l's and $m's br from its arm subtract the head's cost less their refunds; $m's br_if's refund is the head's cost
    expect(lines.filter((l) => /fuel -= \d+;continue L\d+;/.test(l)).length).toBe(2);
  });

  test('a subtraction sunk below its br_if, a loop head prepaid by the chain entering it: every budget, traps and re-entries, as in the interpreter', () => {
    const m = Module.fromWat(SUNK);
    for (const n of [0, 1, 2, 3, 6, 100]) {
      const full = starved('interp', 1e9, n, m);
      for (let fuel = 0; fuel <= full.consumed + 2; fuel++) expect(starved('js', fuel, n, m), `n=${n} fuel=${fuel}`).toEqual(starved('interp', fuel, n, m));
      for (const checkEvery of [1, 2, 3, 5, 9]) {
        const store = new Store({ interrupt: { checkEvery }, tier: 'js' });
        const run = (): unknown => instance(store, m).call('run', n)[0];
        if (full.trap !== undefined) expect(run).toThrow(/divide by zero/);
        else expect(run()).toBe(full.result);
        expect(store.fuelConsumed).toBe(full.consumed);
      }
    }
    expect(starved('js', 1e9, 100, m)).toMatchObject({ trap: expect.stringMatching(/divide by zero/) });
    const src = generated(SUNK, 6).find((x) => x.includes('function wasm_func_1('))!;
    // the entry checks, then subtracts nothing before its br_if; the taken edge subtracts the entry's cost, the
    // fall-through the entry's, the block after the br_if's and the loop head's; the trap refunds less than nothing
    expect(src).toMatch(/if \(fuel < \d+\) \{ return stopEntry\([^)]*\); \}\n\n/);
    const taken = /\{ fuel -= (\d+);break L\d+; \}\nfuel -= (\d+);/.exec(src);
    expect(taken).not.toBeNull();
    expect(+taken![2]!).toBeGreaterThan(+taken![1]!);
    expect(src).toMatch(/fuel - \d+|tr = -\d+/);
    expect(src).toMatch(/if \(osr === \d+\) \{ osr = 0; fuel -= \d+; \}\n\nL\d+: for \(;;\) \{/);
    // each arm starts with a block of its own, whose chain prepays its loop's head; so does the block after the if
    const m2 = Module.fromWat(ARM_LOOPS);
    for (const n of [0, 1, 4, 7, 8]) {
      const full = starved('interp', 1e9, n, m2);
      for (let fuel = 0; fuel <= full.consumed + 2; fuel++) expect(starved('js', fuel, n, m2), `n=${n} fuel=${fuel}`).toEqual(starved('interp', fuel, n, m2));
      for (const checkEvery of [1, 2, 3, 5]) {
        const store = new Store({ interrupt: { checkEvery }, tier: 'js' });
        expect(instance(store, m2).call('run', n)[0]).toBe(full.result);
        expect(store.fuelConsumed).toBe(full.consumed);
      }
    }
    const arms = generated(ARM_LOOPS, 7).find((x) => x.includes('function wasm_func_1('))!;
    expect(arms.match(/\{ osr = 0; fuel -= \d+; \}/g)?.length).toBe(3);
  });

  test('ifs whose then arm does not reach the end: every budget, traps included, as in the interpreter', () => {
    const m = Module.fromWat(DEAD_ARMS);
    for (let n = 0; n <= 6; n++) {
      const full = starved('interp', 1e9, n, m);
      for (let fuel = 0; fuel <= full.consumed + 2; fuel++) expect(starved('js', fuel, n, m), `n=${n} fuel=${fuel}`).toEqual(starved('interp', fuel, n, m));
    }
    expect(starved('js', 1e9, 2, m)).toMatchObject({ trap: expect.stringMatching(/unreachable/) });
    expect(starved('js', 1e9, 5, m)).toMatchObject({ trap: expect.stringMatching(/divide by zero/) });
  });

  test('blocks of an if paid by its arms: every budget, traps included, as in the interpreter', () => {
    const m = Module.fromWat(ARMS_PAY);
    const run = (tier: 'js' | 'interp', fuel: number, n: number): unknown => starved(tier, fuel, n, m);
    // n = 0, 1: the two arms of $g; n = 2: a division by zero in its else arm; n = 3: its load before the `if` is out of bounds
    for (const n of [0, 1, 2, 3]) {
      for (let fuel = 0; fuel <= 40; fuel++) expect(run('js', fuel, n), `n=${n} fuel=${fuel}`).toEqual(run('interp', fuel, n));
    }
    expect(run('js', 100, 3)).toMatchObject({ trap: expect.stringMatching(/out of bounds/) });
    expect(run('js', 100, 2)).toMatchObject({ trap: expect.stringMatching(/divide by zero/) });
  });

  test('a block after a call that costs nothing: the call\'s stops still leave through the caller (gen-fuel.ts postCall)', () => {
    // every instruction free but i32.mul and call: the blocks after the calls cost 0, so their checks are
    // dropped, and the test of the callee's status they share with the call must stay
    const costs = { default: 0, instructions: { 'i32.mul': 1, call: 1 } };
    const m = Module.fromWat(`(module
      (func $sq (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
      (func (export "run") (param $n i32) (result i32) (local $i i32) (local $a i32)
        (loop $l
          (local.set $a (i32.add (local.get $a) (call $sq (local.get $i))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
        (local.get $a)))`);
    const run = (tier: 'js' | 'interp', fuel: number) => starved(tier, fuel, 6, m, costs);
    expect(run('interp', 1e9)).toEqual({ result: 55, stops: [], consumed: 12 });
    for (let fuel = 0; fuel <= 13; fuel++) expect(run('js', fuel), `fuel=${fuel}`).toEqual(run('interp', fuel));
    expect(run('js', 5).stops).toEqual([5, 6, 7, 8, 9, 10, 11]);
  });

  test('a loop re-entered with less fuel than its check needs runs in the interpreter until it has enough', () => {
    // slices of 1..40 units: each end of a slice hands the frame to the interpreter, which must not
    // give it back to JS code whose check would refuse it at once (that would never end)
    const full = starved('interp', 1e9, 30);
    for (const checkEvery of [1, 2, 3, 7, 13, 40]) {
      const store = new Store({ interrupt: { checkEvery } });
      expect(instance(store).call('run', 30)).toEqual([full.result]);
      expect(store.fuelConsumed).toBe(full.consumed);
    }
  });
});

describe('budgets above a slice', () => {
  const LOOP = Module.fromWat(`(module (func (export "spin") (param $n i32) (result i32) (local $i i32)
    (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i)))`);
  const cost = (n: number): number => {
    const s = new Store();
    new Linker().instantiate(s, LOOP).call('spin', n);
    return s.fuelConsumed;
  };

  test('fuel consumed and remaining stay exact across slices of 2^29', () => {
    // cost(n) is affine in n; n chosen so that one call needs more than a slice
    const a = cost(1000);
    const per = (cost(2000) - a) / 1000;
    const n = Math.ceil(2 ** 29 / per) + 1000;
    const want = a + per * (n - 1000);
    expect(want).toBeGreaterThan(2 ** 29);
    const budget = 2 ** 31 + 12345;
    const store = new Store({ fuel: budget });
    expect(new Linker().instantiate(store, LOOP).call('spin', n)).toEqual([n]);
    expect(store.fuelConsumed).toBe(want);
    expect(store.fuelRemaining).toBe(budget - want);
  });

  test('running out after several slices stops at the exact instruction; addFuel goes to the next slice', () => {
    const a = cost(1000);
    const per = (cost(2000) - a) / 1000;
    const n = Math.ceil(2 ** 29 / per) * 2;
    const want = a + per * (n - 1000);
    const store = new Store({ fuel: want - 5 });
    const inst = new Linker().instantiate(store, LOOP);
    let stop: OutOfFuel | null = null;
    try {
      inst.call('spin', n);
    } catch (e) {
      stop = e as OutOfFuel;
    }
    expect(stop).toBeInstanceOf(OutOfFuel);
    expect(stop!.consumed + stop!.remaining).toBe(want - 5);
    store.addFuel(5);
    expect(stop!.resume()).toEqual([n]);
    expect(store.fuelConsumed).toBe(want);
    expect(store.fuelRemaining).toBe(0);
  });
});

describe('countFuel: false', () => {
  test('runs the same code with the same results, counting nothing', () => {
    const off = new Store({ countFuel: false });
    const on = new Store();
    for (const n of [0, 1, 9, 30]) expect(instance(off).call('run', n)).toEqual(instance(on).call('run', n));
    expect(off.countsFuel).toBe(false);
    expect(off.fuelConsumed).toBeNaN();
    expect(off.fuelRemaining).toBe(Infinity);
    expect(on.fuelConsumed).toBeGreaterThan(0);
  });

  test('cannot be combined with a budget, a profile or interrupts', () => {
    expect(() => new Store({ countFuel: false, fuel: 10 })).toThrow(TypeError);
    expect(() => new Store({ countFuel: false, profile: true })).toThrow(TypeError);
    expect(() => new Store({ countFuel: false, interrupt: { checkEvery: 10 } })).toThrow(TypeError);
    const store = new Store({ countFuel: false });
    expect(() => {
      store.interrupt = { deadline: 0 };
    }).toThrow(TypeError);
    store.interrupt = null;
    expect(store.interrupt).toBeNull();
  });
});
