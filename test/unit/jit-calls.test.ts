/**
 * Calls between generated functions (src/jit/gen-calls.ts, gen-fuel.ts, rt.ts): the call-depth limit is the callee's
 * to check (its prologue's depth compare, rt.ts enter; callSlow for a callee without a JS version), and the status
 * a callee returns is tested once for its stop and for the fuel of the block after the call, one exit for both
 * (EX_POST). Against the interpreter: the trap, the fuel consumed at it and the peaks at the limit, and every
 * budget's stop and resumption around calls.
 */
import { describe, expect, test } from 'vitest';
import { Linker, Module, Store, type Instance } from '../../src/index.js';
import { jsEval } from '../../src/jit/codegen.js';
import { WasmFunc } from '../../src/runtime/objects/func.js';
import { jitStats } from '../../src/interp/tier.js';
import { runStarved, type StarvedRun } from '../shared/starved.js';

type Tier = 'js' | 'interp';

/** Recursion by a direct call, by call_indirect, and through a second function, each after a br_if chain (prepaid blocks before the call). */
const DEEP = `(module
  (type $t (func (param i32 i32) (result i32)))
  (table 2 funcref) (elem (i32.const 0) $ind $mutB)
  (func $direct (export "direct") (param $n i32) (param $k i32) (result i32)
    (block $b
      (br_if $b (i32.eqz (local.get $n)))
      (br_if $b (i32.eq (local.get $k) (i32.const -1)))
      (return (i32.add (local.get $k)
        (call $direct (i32.sub (local.get $n) (i32.const 1)) (i32.add (local.get $k) (i32.const 3))))))
    (local.get $k))
  (func $ind (export "ind") (param $n i32) (param $k i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n)) (then (local.get $k))
      (else (i32.xor (local.get $k)
        (call_indirect (type $t) (i32.sub (local.get $n) (i32.const 1)) (i32.mul (local.get $k) (i32.const 5)) (i32.const 0))))))
  (func $mutA (export "mut") (param $n i32) (param $k i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n)) (then (local.get $k))
      (else (i32.add (i32.const 1) (call $mutB (i32.sub (local.get $n) (i32.const 1)) (local.get $k))))))
  (func $mutB (param $n i32) (param $k i32) (result i32)
    (local $x i32) (local $y i64)
    (local.set $x (i32.mul (local.get $k) (local.get $n)))
    (if (result i32) (i32.eqz (local.get $n)) (then (local.get $x))
      (else (i32.sub (call $mutA (i32.sub (local.get $n) (i32.const 1)) (local.get $x)) (i32.const 2))))))`;

interface Outcome {
  run: StarvedRun;
  peaks: unknown;
}

function start(tier: Tier, fuel: number | undefined, maxCallDepth: number): { store: Store; inst: Instance } {
  const store = new Store({ tier, fuel, limits: { maxCallDepth } });
  return { store, inst: new Linker().instantiate(store, Module.fromWat(DEEP)) };
}

function outcome(tier: Tier, name: string, n: number, maxCallDepth: number, fuel?: number): Outcome {
  const { store, inst } = start(tier, fuel, maxCallDepth);
  const run = runStarved(store, inst, name, [n, 7]);
  if (tier === 'js') expect((inst.getExport(name) as WasmFunc).jitState, `${name} runs as JS`).toBe(1);
  return { run, peaks: { ...store.peaks } };
}

describe('JS tier: the call-depth limit is checked by the callee', () => {
  for (const name of ['direct', 'ind', 'mut'])
    test(`${name}: the trap, the fuel consumed at it and the peaks are the interpreter's, at and around the limit`, () => {
      for (const limit of [2, 3, 17, 64]) {
        for (const n of [limit - 2, limit - 1, limit, limit + 5]) {
          if (n < 0) continue;
          const ref = outcome('interp', name, n, limit);
          expect([name, limit, n, outcome('js', name, n, limit)]).toEqual([name, limit, n, ref]);
        }
        // past the limit it traps in both tiers
        expect(outcome('js', name, limit + 5, limit).run.trap).toBe('call stack exhausted');
      }
    });

  test('starved (every stop tops up exactly what it needs): the same stops and the same trap at the limit', () => {
    for (const name of ['direct', 'ind', 'mut']) {
      const ref = outcome('interp', name, 40, 30, 0);
      expect(ref.run.trap).toBe('call stack exhausted');
      expect(ref.run.stops.length).toBeGreaterThan(30);
      expect(outcome('js', name, 40, 30, 0)).toEqual(ref);
    }
  });

  test('a callee without a JS version (callSlow) traps at the limit as well', () => {
    // `$g` is called for the first time at the limit's depth: the call goes through callSlow, which compiles it, and
    // `$h` stays interpreted (atomics): callSlow runs it in a nested interpreter loop (runNested)
    // (jitStats is the process's: another file in this worker, jit-linear's, records an internal error on purpose)
    jitStats.declined.clear();
    for (const g of ['(i32.add (local.get 0) (i32.const 1))', '(i32.add (i32.atomic.load (i32.const 0)) (i32.add (local.get 0) (i32.const 1)))'])
      callSlowLimit(g);
    expect([...jitStats.declined.keys()].filter((k) => /internal error/.test(k))).toEqual([]);
  });
  function callSlowLimit(g: string): void {
    const wat = `(module (memory 1 1 shared)
      (func $g (param i32) (result i32) ${g})
      (func $f (export "f") (param i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0)) (then (call $g (i32.const 5)))
          (else (i32.add (i32.const 2) (call $f (i32.sub (local.get 0) (i32.const 1))))))))`;
    for (const [n, limit] of [
      [9, 10],
      [9, 11],
    ] as const) {
      const res = (tier: Tier) => {
        const store = new Store({ tier, limits: { maxCallDepth: limit } });
        const inst = new Linker().instantiate(store, Module.fromWat(wat));
        const run = runStarved(store, inst, 'f', [n]);
        return { run, peaks: { ...store.peaks } };
      };
      const ref = res('interp');
      expect(ref.run.trap ?? ref.run.result).toBe(limit === 10 ? 'call stack exhausted' : 24);
      expect(res('js')).toEqual(ref);
    }
  }
});

describe('JS tier: one test of a callee status for its stop and the next block (EX_POST)', () => {
  /** The block after each call costs more than the callee leaves at some budgets: a handoff right after the call. */
  const AFTER = `(module
    (func $leaf (param i32) (result i32) (i32.xor (i32.mul (local.get 0) (i32.const 31)) (i32.const 5)))
    (func $mid (param i32) (result i32) (local i32)
      (local.set 1 (call $leaf (local.get 0)))
      (local.set 1 (i32.add (local.get 1) (i32.mul (local.get 1) (i32.add (local.get 1) (i32.const 3)))))
      (i32.add (local.get 1) (call $leaf (local.get 1))))
    (func (export "run") (param $n i32) (result i32) (local $i i32) (local $h i32)
      (loop $l
        (local.set $h (i32.add (local.get $h) (call $mid (i32.add (local.get $h) (local.get $i)))))
        (local.set $h (i32.rotl (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 7))) (i32.const 3)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
      (local.get $h)))`;

  test('every budget stops where the interpreter stops and resumes to the same result', () => {
    const mod = Module.fromWat(AFTER);
    const res = (tier: Tier, fuel: number | undefined, topUp: (n: number) => number) => {
      const store = new Store({ tier, fuel });
      const inst = new Linker().instantiate(store, mod);
      const run = runStarved(store, inst, 'run', [6], topUp);
      return { run, peaks: { ...store.peaks } };
    };
    const whole = res('interp', undefined, (n) => n);
    expect(res('js', undefined, (n) => n)).toEqual(whole);
    const total = whole.run.consumed;
    expect(total).toBeGreaterThan(100);
    for (let b = 0; b <= total; b++) {
      // stopped at budget b, then given 1,000 more at a time
      const ref = res('interp', b, () => 1000);
      expect([b, res('js', b, () => 1000)]).toEqual([b, ref]);
      expect(ref.run.result).toBe(whole.run.result);
    }
    // starved: every stop gets exactly what it needs (a stop at every block, the blocks after calls included)
    const starved = res('interp', 0, (n) => n);
    expect(starved.run.stops.length).toBeGreaterThan(30);
    expect(res('js', 0, (n) => n)).toEqual(starved);
  });

  test('a trap in a callee after a handoff right after an earlier call leaves the same fuel', () => {
    const wat = `(module
      (func $leaf (param i32) (result i32) (i32.div_u (i32.const 100) (local.get 0)))
      (func (export "run") (param $n i32) (result i32) (local $h i32)
        (loop $l
          (local.set $h (i32.add (local.get $h) (call $leaf (local.get $n))))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $l))
        (unreachable)))`;
    for (let b = 0; b < 120; b++) {
      const res = (tier: Tier) => {
        const store = new Store({ tier, fuel: b });
        const inst = new Linker().instantiate(store, Module.fromWat(wat));
        return runStarved(store, inst, 'run', [4], () => 7);
      };
      const ref = res('interp');
      expect(ref.trap).toBe('integer divide by zero');
      expect([b, res('js')]).toEqual([b, ref]);
    }
  });

  test('the call site: no depth test, and one test of the status with one exit', () => {
    const srcs: string[] = [];
    const compile = jsEval.compile;
    jsEval.compile = (src) => (srcs.push(src), compile(src));
    try {
      const store = new Store();
      const inst = new Linker().instantiate(store, Module.fromWat(AFTER));
      expect(inst.call('run', 3)).toEqual([runInterp(3)]);
    } finally {
      jsEval.compile = compile;
    }
    const mid = srcs.find((s) => s.includes('function wasm_func_1('))!;
    expect(mid).not.toMatch(/depth >= \d/);
    // both calls' tests: the stop and the fuel of the next block in one compare, one exit each (after the second,
    // the stack below the call, L1, goes to its slot first)
    expect(mid.match(/if \(st < \d+\) \{ (S\[fp \+ \d+\] = L1; )?ex = \d+; break X; \} fuel = st;/g)?.length).toBe(2);
    expect(mid).not.toContain('fuel = mc.fuel');
  });

  function runInterp(n: number): unknown {
    const store = new Store({ tier: 'interp' });
    return new Linker().instantiate(store, Module.fromWat(AFTER)).call('run', n)[0];
  }
});
