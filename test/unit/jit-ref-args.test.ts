/**
 * Reference arguments as JS arguments between generated functions (src/jit/ref-args.ts): a callee of several
 * reference parameters (some passed, some written to their slots because they are not a plain variable, local
 * or constant), which writes one of them; direct, recursive (past the JS depth at which calls go through the
 * interpreter), call_indirect and call_ref calls; a host function and the interpreter as callees; every budget
 * stopping (in the callee's entry too) and resuming where the interpreter does, with its results and fuel.
 */
import { describe, expect, test } from 'vitest';
import { ANYREF, EXTERNREF, I32, funcType, Linker, Module, Store, WasmFunc, type Instance } from '../../src/index.js';
import { jsEval } from '../../src/jit/codegen.js';
import { jitStats } from '../../src/interp/tier.js';
import { runStarved, sweepBudgets, type StarvedRun } from '../shared/starved.js';

type Tier = 'js' | 'interp';

const PROGRAM = `(module
  (import "env" "seen" (func $seen (param externref anyref) (result i32)))
  (type $p (struct (field i32)))
  (type $node (struct (field $v i32) (field $next (ref null $node))))
  (type $f4 (func (param anyref i32 (ref null $p) externref) (result i32)))
  (type $fh (func (param externref anyref) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $four $seen)
  ;; four parameters, three of them references; the first is written
  (func $four (type $f4) (local $s i32)
    (local.set $s (local.get 1))
    (if (ref.test (ref $p) (local.get 0))
      (then (local.set $s (i32.add (local.get $s) (struct.get $p 0 (ref.cast (ref $p) (local.get 0)))))))
    (if (ref.test (ref i31) (local.get 0))
      (then (local.set $s (i32.add (local.get $s) (i31.get_s (ref.cast (ref i31) (local.get 0)))))))
    (local.set 0 (ref.i31 (i32.const 5)))
    (if (i32.eqz (ref.is_null (local.get 2))) (then (local.set $s (i32.mul (local.get $s) (struct.get $p 0 (local.get 2))))))
    (if (ref.is_null (local.get 3)) (then (local.set $s (i32.add (local.get $s) (i32.const 1000)))))
    (i32.add (local.get $s) (i31.get_s (ref.cast (ref i31) (local.get 0)))))
  ;; recursive, one reference parameter
  (func $len (param $l (ref null $node)) (result i32)
    (if (result i32) (ref.is_null (local.get $l))
      (then (i32.const 0))
      (else (i32.add (struct.get $node $v (local.get $l)) (call $len (struct.get $node $next (local.get $l)))))))
  (func $list (param $n i32) (result (ref null $node)) (local $l (ref null $node))
    (block $d (loop $lp
      (br_if $d (i32.eqz (local.get $n)))
      (local.set $l (struct.new $node (local.get $n) (local.get $l)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $lp)))
    (local.get $l))
  (func (export "run") (param $n i32) (param $x externref) (result i32)
    (local $a anyref) (local $q (ref null $p)) (local $s i32) (local $i i32)
    (local.set $q (struct.new $p (i32.const 3)))
    (loop $l
      (local.set $a (if (result anyref) (i32.and (local.get $i) (i32.const 1))
        (then (struct.new $p (local.get $i))) (else (ref.i31 (local.get $i)))))
      ;; a local, a constant, a call's result, a parameter
      (local.set $s (i32.add (local.get $s) (call $four (local.get $a) (local.get $i) (ref.null $p) (local.get $x))))
      (local.set $s (i32.add (local.get $s) (call $four (struct.new $p (i32.const 7)) (i32.const 1) (local.get $q) (ref.null extern))))
      ;; a reference out of select (not a plain variable: its slot)
      (local.set $s (i32.add (local.get $s) (call $four (select (result anyref) (local.get $a) (local.get $q) (local.get $i))
                                                        (i32.const 2) (local.get $q) (local.get $x))))
      (local.set $s (i32.add (local.get $s) (call_indirect (type $f4) (local.get $q) (i32.const 4) (ref.null $p) (local.get $x) (i32.const 0))))
      (local.set $s (i32.add (local.get $s) (call_ref $f4 (local.get $a) (i32.const 5) (local.get $q) (local.get $x) (ref.func $four))))
      ;; a host function: directly and through the table
      (local.set $s (i32.add (local.get $s) (call $seen (local.get $x) (local.get $a))))
      (local.set $s (i32.add (local.get $s) (call_indirect (type $fh) (local.get $x) (local.get $q) (i32.const 1))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    ;; a list longer than the JS depth limit: the deeper calls go through the interpreter
    (i32.add (local.get $s) (call $len (call $list (i32.mul (local.get $n) (i32.const 300)))))))`;

const mod = Module.fromWat(PROGRAM);
const HOST = { tag: 'host' };

function instance(store: Store, m: Module): Instance {
  const linker = new Linker();
  linker.defineFunc(store, 'env', 'seen', funcType([EXTERNREF, ANYREF], [I32]), (_c, x, a) => (x === HOST ? 10 : 20) + (a === null ? 1 : typeof a === 'number' ? 2 : 3));
  return linker.instantiate(store, m);
}

/** Runs `run(n, x)` with `fuel`; every stop records the fuel consumed then and gets `topUp(needed)`; a trap ends it. */
function starved(tier: Tier, n: number, x: unknown, fuel: number, topUp: (needed: number) => number): StarvedRun {
  const store = new Store({ fuel, tier, limits: { maxCallDepth: 100_000 } });
  const inst = instance(store, mod);
  return runStarved(store, inst, 'run', [n, x], topUp);
}

describe('JS tier: reference arguments as JS arguments', () => {
  test('the callee takes them as JS parameters and the callers pass those they can', () => {
    const realCompile = jsEval.compile;
    const srcs: string[] = [];
    jsEval.compile = (s) => (srcs.push(s), realCompile(s));
    try {
      jitStats.declined.clear();
      const store = new Store({ fuel: 1e9, limits: { maxCallDepth: 100_000 } });
      const inst = instance(store, mod);
      inst.call('run', 3, HOST);
      expect([...jitStats.declined]).toEqual([]);
      expect(inst.getExport('run') instanceof WasmFunc && (inst.getExport('run') as WasmFunc).jitState).toBe(1);
    } finally {
      jsEval.compile = realCompile;
    }
    const four = srcs.find((s) => s.includes('function wasm_func_1('))!;
    // (an i32 result: RV too, ref-args.ts numResult)
    expect(four).toContain('function wasm_func_1(E, mc, fp, depth, jd, osr, fuel, P0, P2, P3, RV)');
    const len = srcs.find((s) => s.includes('function wasm_func_2('))!;
    // (a recursive call has no slow path: past the JS stack budget the callee's prologue writes its reference
    // arguments to their slots and hands the frame to the interpreter, rt.ts enter)
    expect(len).toMatch(/rr = wasm_func_2\(E, mc, fp \+ \d+, d1, jw, 0, fuel, R\d+, 1\); st = rr === null/);
    expect(len).toMatch(/\|\| jd >= 1600\) \{ if \(enter\(mc, [^;]*\)\) \{ if \(P0 !== undefined\) mc\.refs\[\(fp >> 2\) \+ 0\] = P0; return stopEntry\(mc, [^;]*, RV\); \}/);
    const run = srcs.find((s) => s.includes('function wasm_func_4('))!;
    // a local, a constant, a parameter; a call's result; the select's result goes to its slot
    expect(run).toMatch(/jf\(_\d+\.jitE, mc, fp \+ \d+, d1, jw, 0, fuel, L2, null, L1, 1\)/);
    expect(run).toMatch(/jf\(_\d+\.jitE, mc, fp \+ \d+, d1, jw, 0, fuel, R\d+, L3, null, 1\)/);
    expect(run).toMatch(/jf\(_\d+\.jitE, mc, fp \+ \d+, d1, jw, 0, fuel, undefined, L3, L1, 1\)/);
  });

  test('results and fuel as the interpreter, uninterrupted and at every few budgets', () => {
    for (const x of [HOST, null]) {
      expect(starved('interp', 4, x, 1e9, (k) => k).trap).toBeUndefined();
      // (stops in every part of the program, the callees' entries among them)
      sweepBudgets((tier, fuel, topUp) => starved(tier, 4, x, fuel, topUp), 13, 50);
    }
  });

  test('starved (every stop refilled by exactly what it needs)', () => {
    expect(starved('js', 2, HOST, 0, (k) => k)).toEqual(starved('interp', 2, HOST, 0, (k) => k));
  });
});
