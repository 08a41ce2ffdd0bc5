/**
 * i32 results as JS return values between generated functions, in GC code (src/jit/ref-args.ts numResult): a
 * callee whose one result is an i32 and which takes a reference parameter returns the i32 itself to a generated
 * caller that asks (`RV`), and leaves the fuel in `mc.fuel`; its stops come back as null with the status in
 * `mc.rvSt`, and every way it declines (the interpreter past the JS depth limit through `callSlow`, a wasm exception
 * caught by the interpreter, a callee split by outline.ts) through numOut, which reads the result's slot. Results,
 * traps, fuel and every stop against the interpreter, and the generated source.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { Linker, Module, Store } from '../../src/index.js';
import { outlining } from '../../src/jit/outline.js';
import { jitStats } from '../../src/interp/tier.js';
import { captureSources } from '../shared/jit-sources.js';
import { runStarved, sweepBudgets, type StarvedRun } from '../shared/starved.js';

type Tier = 'js' | 'interp';

const PROGRAM = `(module
  (rec
    (type $shape (sub (struct (field $k i32))))
    (type $circle (sub final $shape (struct (field $k i32) (field $r i32))))
    (type $rect (sub final $shape (struct (field $k i32) (field $w i32) (field $h i32)))))
  (type $node (struct (field $v i32) (field $next (ref null $node))))
  (tag $e (param i32))
  ;; gc-shapes' $area: returns at a return instruction, a br_on_cast_fail's arm and its end; an array or a null traps
  (func $area (param $v anyref) (result i32)
    (if (ref.test (ref $circle) (local.get $v))
      (then (return (i32.mul (i32.const 3) (i32.mul (struct.get $circle $r (ref.cast (ref $circle) (local.get $v)))
                                                     (struct.get $circle $r (ref.cast (ref $circle) (local.get $v))))))))
    (block $notrect (result anyref)
      (return (i32.mul (struct.get $rect $w (br_on_cast_fail $notrect anyref (ref $rect) (local.get $v)))
                       (struct.get $rect $h (ref.cast (ref $rect) (local.get $v))))))
    (i31.get_s (ref.cast (ref i31))))
  ;; recursive past the JS depth limit: the deeper calls go through the interpreter
  (func $count (param $l (ref null $node)) (result i32)
    (if (result i32) (ref.is_null (local.get $l))
      (then (i32.const 0))
      (else (i32.add (struct.get $node $v (local.get $l)) (call $count (struct.get $node $next (local.get $l)))))))
  ;; no reference parameter: its result keeps its slot
  (func $thrower (param $k i32) (result i32)
    (if (i32.and (local.get $k) (i32.const 1)) (then (throw $e (i32.mul (local.get $k) (i32.const 7)))))
    (local.get $k))
  ;; a wasm exception caught here: the interpreter finishes the call, which returns through the slot
  (func $safe (param $v anyref) (param $k i32) (result i32)
    (i32.add (ref.test (ref i31) (local.get $v))
      (block $h (result i32)
        (try_table (result i32) (catch $e $h) (call $thrower (local.get $k))))))
  (func $list (param $n i32) (result (ref null $node)) (local $l (ref null $node))
    (loop $lp
      (if (local.get $n) (then
        (local.set $l (struct.new $node (local.get $n) (local.get $l)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $lp))))
    (local.get $l))
  (func (export "run") (param $n i32) (param $trap i32) (result i32) (local $s i32) (local $i i32) (local $v anyref) (local $m i32)
    (loop $l
      (local.set $m (i32.rem_u (local.get $i) (i32.const 3)))
      (local.set $v
        (if (result anyref) (i32.eqz (local.get $m))
          (then (struct.new $circle (i32.const 0) (local.get $i)))
          (else (if (result anyref) (i32.eq (local.get $m) (i32.const 1))
            (then (struct.new $rect (i32.const 1) (local.get $i) (i32.const 5)))
            (else (ref.i31 (i32.sub (i32.const 0) (local.get $i))))))))
      (local.set $s (i32.add (i32.mul (local.get $s) (i32.const 3)) (call $area (local.get $v))))
      (local.set $s (i32.add (local.get $s) (call $safe (local.get $v) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (if (local.get $trap) (then (local.set $s (i32.add (local.get $s) (call $area (ref.null any))))))
    (i32.add (local.get $s) (call $count (call $list (i32.mul (local.get $n) (i32.const 400)))))))`;

const mod = Module.fromWat(PROGRAM);

function starved(tier: Tier, n: number, trap: number, fuel: number, topUp: (needed: number) => number): StarvedRun {
  const store = new Store({ fuel, tier, limits: { maxCallDepth: 100_000 } });
  const inst = new Linker().instantiate(store, mod);
  return runStarved(store, inst, 'run', [n, trap], topUp);
}

/** The sources the JS tier generates while `f` runs. */
function sources(f: () => void): string[] {
  return captureSources(f).srcs;
}

const savedOutlining = { ...outlining };
afterEach(() => {
  Object.assign(outlining, savedOutlining);
});

describe('JS tier: i32 results as JS return values', () => {
  test('the callees with a reference parameter return them when asked, and their callers ask', () => {
    jitStats.declined.clear();
    const srcs = sources(() => {
      const store = new Store({ fuel: 1e9, limits: { maxCallDepth: 100_000 } });
      const inst = new Linker().instantiate(store, mod);
      // (twice: the first call of each callee goes through callSlow, which generates it)
      const want = [starved('interp', 4, 0, 1e9, (k) => k).result];
      expect(inst.call('run', 4, 0)).toEqual(want);
      expect(inst.call('run', 4, 0)).toEqual(want);
    });
    expect([...jitStats.declined]).toEqual([]);
    const fn = (i: number): string => srcs.find((s) => s.includes(`function wasm_func_${i}(`))!;
    // $area (0): RV, three normal returns to one tail after the body (ref-args.ts numReturn), its entry's stop passes
    // RV on; an expression result computed once
    expect(fn(0)).toContain('function wasm_func_0(E, mc, fp, depth, jd, osr, fuel, P0, RV)');
    expect(fn(0).match(/rr = [^;]+; break RQ;/g)?.length).toBe(3);
    expect(fn(0).match(/mc\.fuel = fuel/g)?.length).toBe(1);
    expect(fn(0)).toContain('RQ: {\n');
    expect(fn(0)).toContain('\n}\nif (RV === 1) { mc.fuel = fuel; return rr; } S[fp + 0] = rr; return fuel;');
    // (its i31.get_s an int32 to V8: `| 0`, gen-refs.ts)
    expect(fn(0)).toMatch(/= R\d+ \| 0;\n/);
    expect(fn(0)).toMatch(/return stopEntry\(mc, [^;]*, RV\); \}/);
    // $count (1) asks itself (no slow path: past the JS stack budget its prologue hands the frame over, a stop, null)
    expect(fn(1)).toMatch(/rr = wasm_func_1\(E, mc, fp \+ (\d+), d1, jw, 0, fuel, R\d+, 1\); st = rr === null \? mc\.rvSt : mc\.fuel;/);
    expect(fn(1)).toMatch(/\|\| jd >= 1600\) \{ if \(enter\(mc, [^;]*\)\) \{ if \(P0 !== undefined\) mc\.refs\[\(fp >> 2\) \+ 0\] = P0; return stopEntry\(mc, [^;]*, RV\); \}/);
    expect(fn(1)).toMatch(/return numOut\(mc, leave\([^;]*\), fp, RV\);/);
    // $thrower (2): no reference parameter, no RV; $safe (3) takes one
    expect(fn(2)).toContain('function wasm_func_2(E, mc, fp, depth, jd, osr, fuel) {');
    expect(fn(3)).toContain('function wasm_func_3(E, mc, fp, depth, jd, osr, fuel, P0, RV)');
    const run = fn(5);
    expect(run).toMatch(/rr = jf !== null \? jf\(_\d+\.jitE, mc, fp \+ \d+, d1, jw, 0, fuel, L\d+, 1\) : numOut\(/);
    expect(run).toMatch(/I\d+ = rr;/);
  });

  test('results, traps and fuel as the interpreter, uninterrupted and at every few budgets', () => {
    for (const trap of [0, 1]) {
      expect(starved('interp', 5, trap, 1e9, (k) => k).trap).toBe(trap === 1 ? 'cast failure' : undefined);
      // (stops at the callees' entries, in their bodies, and in the interpreter's frames below the depth limit)
      sweepBudgets((tier, fuel, topUp) => starved(tier, 5, trap, fuel, topUp), 7, 60);
    }
  });

  test('starved (every stop refilled by exactly what it needs)', () => {
    expect(starved('js', 3, 0, 0, (k) => k)).toEqual(starved('interp', 3, 0, 0, (k) => k));
    expect(starved('js', 3, 1, 0, (k) => k)).toEqual(starved('interp', 3, 1, 0, (k) => k));
  });

  test('a callee split into parts (outline.ts) calls itself without RV and hands its result over through numOut', () => {
    Object.assign(outlining, { at: 0, limit: 300, min: 40, hot: 0 });
    const before = jitStats.split;
    const srcs = sources(() => {
      for (const trap of [0, 1]) {
        expect(starved('js', 5, trap, 1e9, (k) => k)).toEqual(starved('interp', 5, trap, 1e9, (k) => k));
        expect(starved('js', 3, trap, 0, (k) => k)).toEqual(starved('interp', 3, trap, 0, (k) => k));
      }
    });
    expect(jitStats.split).toBeGreaterThan(before);
    const area = srcs.find((s) => s.includes('function wasm_func_0(') && s.includes('OL'))!;
    expect(area).toContain('if (RV === 1) return numOut(mc, wasm_func_0(E, mc, fp, depth, jd, osr, fuel, P0, undefined), fp, 1);');
    expect(area).not.toContain('if (RV === 1) { mc.fuel = fuel;');
    // (a split function has no tail: each return is the slot's where it is)
    expect(area).not.toContain('RQ');
  });

  test('returns from inside a loop, after it and at the end reach the one tail with the fuel they had', () => {
    // $find returns from inside its loop, from after it and at its end; $sum from inside its loop and at its end
    const loops = Module.fromWat(`(module
      (type $arr (array (mut i32)))
      (func $find (param $a (ref $arr)) (param $x i32) (result i32) (local $i i32)
        (block $out
          (loop $l
            (br_if $out (i32.ge_u (local.get $i) (array.len (local.get $a))))
            (if (i32.eq (array.get $arr (local.get $a) (local.get $i)) (local.get $x)) (then (return (local.get $i))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $l)))
        (if (i32.eq (local.get $x) (i32.const 99)) (then (return (i32.const -99))))
        (i32.const -1))
      (func $sum (param $a (ref $arr)) (param $n i32) (result i32) (local $i i32) (local $s i32)
        (loop $l
          (local.set $s (i32.add (local.get $s) (local.get $i)))
          (if (i32.eq (local.get $s) (i32.const 45)) (then (return (i32.mul (local.get $s) (i32.const 2)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
        (i32.add (local.get $s) (array.len (local.get $a))))
      (func (export "run") (param $n i32) (result i32) (local $a (ref $arr)) (local $i i32) (local $s i32)
        (local.set $a (array.new $arr (i32.const 0) (local.get $n)))
        (loop $fill
          (array.set $arr (local.get $a) (local.get $i) (i32.mul (local.get $i) (i32.const 3)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $fill (i32.lt_u (local.get $i) (local.get $n))))
        (local.set $i (i32.const 0))
        (loop $q
          (local.set $s (i32.add (i32.mul (local.get $s) (i32.const 7)) (call $find (local.get $a) (local.get $i))))
          (local.set $s (i32.add (local.get $s) (call $sum (local.get $a) (local.get $i))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $q (i32.lt_u (local.get $i) (i32.const 100))))
        (local.get $s)))`);
    const one = (tier: Tier, fuel: number, topUp: (needed: number) => number): StarvedRun => {
      const store = new Store({ fuel, tier });
      return runStarved(store, new Linker().instantiate(store, loops), 'run', [12], topUp);
    };
    const srcs = sources(() => {
      const want = one('interp', 1e9, (k) => k);
      expect(one('js', 1e9, (k) => k)).toEqual(want);
      expect(one('js', 1e9, (k) => k)).toEqual(want);
    });
    const fn = (i: number): string => srcs.find((s) => s.includes(`function wasm_func_${i}(`))!;
    expect(fn(0).match(/break RQ;/g)?.length).toBe(3);
    expect(fn(1).match(/break RQ;/g)?.length).toBe(2);
    sweepBudgets(one, 7, 60);
    expect(one('js', 0, (k) => k)).toEqual(one('interp', 0, (k) => k));
  });
});
