/**
 * Reference results as JS return values between generated functions (src/jit/ref-args.ts refResult): callees
 * whose one result is a struct, array or function reference (or null) return it to a generated caller that asks
 * (`RV`), and leave the fuel in `mc.fuel`; every other path (the interpreter's calls, `callSlow` past the JS depth
 * limit, a callee split by outline.ts) still goes through the result's slot. Results, traps, fuel and every stop
 * against the interpreter, the generated source, and the caller letting go of a result it dropped.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, test } from 'vitest';
import { Linker, Module, Store, funcType, type Instance } from '../../src/index.js';
import { jsEval } from '../../src/jit/codegen.js';
import { outlining } from '../../src/jit/outline.js';
import { jitStats } from '../../src/interp/tier.js';
import { runStarved, sweepBudgets, type StarvedRun } from '../shared/starved.js';

type Tier = 'js' | 'interp';

const PROGRAM = `(module
  (type $t (struct (field $l (ref null $t)) (field $r (ref null $t)) (field $v i32)))
  (type $node (struct (field $v i32) (field $next (ref null $node))))
  (type $fi (func (param i32) (result i32)))
  (type $arr (array (mut i32)))
  (elem declare func $sq)
  ;; recursive, (ref $t): the result of both arms of an if
  (func $make (param $d i32) (result (ref $t))
    (if (result (ref $t)) (i32.eqz (local.get $d))
      (then (struct.new $t (ref.null $t) (ref.null $t) (i32.const 1)))
      (else (struct.new $t (call $make (i32.sub (local.get $d) (i32.const 1)))
                           (call $make (i32.sub (local.get $d) (i32.const 1))) (local.get $d)))))
  (func $sum (param $t (ref null $t)) (result i32)
    (if (result i32) (ref.is_null (local.get $t))
      (then (i32.const 0))
      (else (i32.add (struct.get $t $v (local.get $t))
                     (i32.add (call $sum (struct.get $t $l (local.get $t))) (call $sum (struct.get $t $r (local.get $t))))))))
  ;; (ref null $t) through return instructions, null among them; k = 3 traps (a null struct.get)
  (func $pick (param $k i32) (param $a (ref null $t)) (result (ref null $t))
    (if (i32.eqz (local.get $k)) (then (return (ref.null $t))))
    (if (i32.eq (local.get $k) (i32.const 1)) (then (return (local.get $a))))
    (if (i32.eq (local.get $k) (i32.const 3)) (then (return (struct.get $t $l (ref.null $t)))))
    (struct.get $t $l (ref.as_non_null (local.get $a))))
  ;; a function reference, or null
  (func $fn (param $k i32) (result funcref)
    (if (result funcref) (local.get $k) (then (ref.func $sq)) (else (ref.null func))))
  (func $sq (type $fi) (i32.mul (local.get 0) (local.get 0)))
  ;; an array
  (func $arr (param $n i32) (result (ref $arr)) (array.new $arr (local.get $n) (local.get $n)))
  ;; anyref: its i31 values are JS numbers, so it keeps its slot
  (func $any (param $k i32) (result anyref)
    (if (result anyref) (local.get $k)
      (then (ref.i31 (local.get $k)))
      (else (struct.new $t (ref.null $t) (ref.null $t) (i32.const 9)))))
  (func $list (param $n i32) (result (ref null $node)) (local $l (ref null $node))
    (loop $lp
      (if (local.get $n) (then
        (local.set $l (struct.new $node (local.get $n) (local.get $l)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $lp))))
    (local.get $l))
  ;; recursive past the JS depth limit: the deeper calls go through the interpreter
  (func $copy (param $l (ref null $node)) (result (ref null $node))
    (if (result (ref null $node)) (ref.is_null (local.get $l))
      (then (ref.null $node))
      (else (struct.new $node (i32.add (struct.get $node $v (local.get $l)) (i32.const 1))
                              (call $copy (struct.get $node $next (local.get $l)))))))
  (func $len (param $l (ref null $node)) (result i32) (local $s i32)
    (block $d (loop $lp
      (br_if $d (ref.is_null (local.get $l)))
      (local.set $s (i32.add (i32.mul (local.get $s) (i32.const 3)) (struct.get $node $v (ref.as_non_null (local.get $l)))))
      (local.set $l (struct.get $node $next (ref.as_non_null (local.get $l))))
      (br $lp)))
    (local.get $s))
  (func (export "run") (param $n i32) (param $trap i32) (result i32) (local $s i32) (local $i i32) (local $t (ref null $t))
    (loop $l
      (local.set $t (call $make (i32.and (local.get $i) (i32.const 3))))
      (local.set $s (i32.add (local.get $s) (call $sum (local.get $t))))
      (local.set $s (i32.add (local.get $s) (call $sum (call $pick (i32.rem_u (local.get $i) (i32.const 3)) (local.get $t)))))
      (if (ref.is_null (call $fn (i32.and (local.get $i) (i32.const 1))))
        (then (local.set $s (i32.add (local.get $s) (i32.const 100))))
        (else (local.set $s (i32.add (local.get $s)
          (call_ref $fi (local.get $i) (ref.cast (ref $fi) (call $fn (i32.const 1))))))))
      (local.set $s (i32.add (local.get $s) (array.len (call $arr (local.get $i)))))
      (local.set $s (i32.add (local.get $s) (ref.test (ref i31) (call $any (i32.and (local.get $i) (i32.const 1))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (if (local.get $trap) (then (drop (call $pick (i32.const 3) (local.get $t)))))
    (i32.add (local.get $s) (call $len (call $copy (call $list (i32.mul (local.get $n) (i32.const 300))))))))`;

const mod = Module.fromWat(PROGRAM);

function starved(tier: Tier, n: number, trap: number, fuel: number, topUp: (needed: number) => number): StarvedRun {
  const store = new Store({ fuel, tier, limits: { maxCallDepth: 100_000 } });
  const inst = new Linker().instantiate(store, mod);
  return runStarved(store, inst, 'run', [n, trap], topUp);
}

/** The sources the JS tier generates while `f` runs. */
function sources(f: () => void): string[] {
  const realCompile = jsEval.compile;
  const srcs: string[] = [];
  jsEval.compile = (s) => (srcs.push(s), realCompile(s));
  try {
    f();
  } finally {
    jsEval.compile = realCompile;
  }
  return srcs;
}

const savedOutlining = { ...outlining };
afterEach(() => {
  Object.assign(outlining, savedOutlining);
});

describe('JS tier: reference results as JS return values', () => {
  test('the callees return them when asked, the callers ask those whose results are never numbers', () => {
    jitStats.declined.clear();
    const srcs = sources(() => {
      const store = new Store({ fuel: 1e9, limits: { maxCallDepth: 100_000 } });
      const inst = new Linker().instantiate(store, mod);
      // (twice: the first call of each callee goes through callSlow, which generates it)
      inst.call('run', 3, 0);
      inst.call('run', 3, 0);
    });
    expect([...jitStats.declined]).toEqual([]);
    const fn = (i: number): string => srcs.find((s) => s.includes(`function wasm_func_${i}(`))!;
    // $make (0) asks itself, $pick (2) returns at its return instructions and its end, $fn (3), $arr (5)
    expect(fn(0)).toContain('function wasm_func_0(E, mc, fp, depth, jd, osr, fuel, RV)');
    // (no slow path: the JS stack budget is the callee's prologue's, so a recursive call is the function itself)
    expect(fn(0)).toMatch(/rr = wasm_func_0\(E, mc, fp \+ \d+, d1, jw, 0, fuel, 1\); st = typeof rr === 'number'/);
    // (the result's slot cleared only when the callee wrote it: a number returned)
    expect(fn(0)).toMatch(/if \(typeof rr === 'number'\) RF\[\(fp >> 2\) \+ \d+\] = null; rr = null;/);
    expect(fn(2)).toContain('function wasm_func_2(E, mc, fp, depth, jd, osr, fuel, P1, RV)');
    expect(fn(2).match(/if \(RV === 1\) \{ mc\.fuel = fuel; return /g)?.length).toBe(4);
    expect(fn(3)).toContain('fuel, RV)');
    expect(fn(5)).toContain('fuel, RV)');
    // $any (6): anyref, no RV; $copy (8) passes its parameter and asks for the result
    expect(fn(6)).toContain('function wasm_func_6(E, mc, fp, depth, jd, osr, fuel) {');
    expect(fn(8)).toMatch(/wasm_func_8\(E, mc, fp \+ \d+, d1, jw, 0, fuel, R\d+, 1\)/);
    const run = fn(10);
    // $pick's reference argument is a local, then RV; $any's call is as before
    expect(run).toMatch(/rr = jf !== null \? jf\(_\d+\.jitE, mc, fp \+ \d+, d1, jw, 0, fuel, L\d+, 1\)/);
    expect(run).toMatch(/rr = jf !== null \? jf\(_\d+\.jitE, mc, fp \+ \d+, d1, jw, 0, fuel, 1\)/);
    expect(run).toMatch(/st = jf !== null \? jf\(_\d+\.jitE, mc, fp \+ \d+, d1, jw, 0, fuel\) : callSlow/);
  });

  test('results, traps and fuel as the interpreter, uninterrupted and at every few budgets', () => {
    for (const trap of [0, 1]) {
      expect(starved('interp', 4, trap, 1e9, (k) => k).trap).toBe(trap === 1 ? 'null structure reference' : undefined);
      sweepBudgets((tier, fuel, topUp) => starved(tier, 4, trap, fuel, topUp), 11, 60);
    }
  });

  test('starved (every stop refilled by exactly what it needs)', () => {
    expect(starved('js', 3, 0, 0, (k) => k)).toEqual(starved('interp', 3, 0, 0, (k) => k));
  });

  test('a callee split into parts (outline.ts) declines, and its callers read the slot', () => {
    Object.assign(outlining, { at: 0, limit: 300, min: 40, hot: 0 });
    const before = jitStats.split;
    const srcs = sources(() => {
      expect(starved('js', 4, 0, 1e9, (k) => k)).toEqual(starved('interp', 4, 0, 1e9, (k) => k));
      expect(starved('js', 4, 1, 1e9, (k) => k)).toEqual(starved('interp', 4, 1, 1e9, (k) => k));
    });
    expect(jitStats.split).toBeGreaterThan(before);
    const pick = srcs.find((s) => s.includes('function wasm_func_2('))!;
    expect(pick).toContain('OL');
    expect(pick).not.toContain('RV === 1');
  });

  // split: $mk is split by outline.ts and declines (its result comes through its slot, which the caller clears
  // after reading it); else it returns its result as the JS return value, and the slot is left alone
  test.each([false, true])('a result the caller dropped is not kept alive by the caller (callee split: %s)', (split) => {
    if (split) Object.assign(outlining, { at: 0, limit: 300, min: 40, hot: 0 });
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const heap: number[] = [];
    const store = new Store();
    const linker = new Linker().defineFunc(store, 'h', 'probe', funcType([], []), () => {
      gc();
      gc();
      heap.push(process.memoryUsage().heapUsed);
    });
    const inst: Instance = linker.instantiate(
      store,
      Module.fromWat(`(module
        (import "h" "probe" (func $probe))
        (type $blob (array (mut anyref)))
        (global $g (mut i32) (i32.const 0))
        (func $mk (result (ref $blob)) (local $k i32)
          (if (i32.eq (global.get $g) (i32.const 7)) (then (local.set $k (i32.add (local.get $k) (i32.const 5))) (global.set $g (local.get $k))))
          (if (i32.eq (global.get $g) (i32.const 8)) (then (local.set $k (i32.mul (local.get $k) (i32.const 3))) (global.set $g (local.get $k))))
          (if (i32.eq (global.get $g) (i32.const 9)) (then (local.set $k (i32.sub (local.get $k) (i32.const 2))) (global.set $g (local.get $k))))
          (array.new $blob (ref.i31 (local.get $k)) (i32.const 1000000)))
        (func $nothing (result anyref) (ref.null any))
        (func (export "none") (result i32) (call $probe) (i32.const 0))
        ;; the stack variable that took the result is overwritten by the next allocation's (a call returning through
        ;; the same slot would clear it: the declining callee's slot is left to its caller alone)
        (func (export "dropped") (result i32) (local $s i32)
          (local.set $s (array.len (call $mk)))
          (drop (array.new_fixed $blob 0))
          (call $probe)
          (local.get $s))
        (func (export "kept") (result i32) (local $x (ref null $blob))
          (local.set $x (call $mk))
          (call $probe)
          (array.len (local.get $x))))`),
    );
    // (the first call of $mk goes through callSlow, which generates it; then the callers ask it for its result)
    const srcs = sources(() => inst.call('dropped'));
    const mk = srcs.find((src) => src.includes('function wasm_func_1('))!;
    expect(mk.includes('OL')).toBe(split);
    expect(mk.includes('RV === 1')).toBe(!split);
    const cases = ['none', 'dropped', 'kept'];
    for (const c of cases) inst.call(c);
    const grown = heap.slice(1).map((h) => (h - heap[1]! > 6e6 ? 'alive' : 'gone'));
    expect(Object.fromEntries(cases.map((c, i) => [c, grown[i]]))).toEqual({ none: 'gone', dropped: 'gone', kept: 'alive' });
  });
});
