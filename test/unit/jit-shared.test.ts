/**
 * The instances of one module share the JS tier's compiled sources (codegen.ts `factory`): V8 compiles each
 * generated source once per module, and every instance runs it with its own objects, with the results and fuel
 * of the interpreter.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { Linker, Module, Store } from '../../src/index.js';
import { jsEval } from '../../src/jit/codegen.js';
import { jitStats } from '../../src/interp/tier.js';
import { outlining } from '../../src/jit/outline.js';
import { WORKLOADS } from '../../bench/workloads.js';

const realCompile = jsEval.compile;
const savedOutlining = { ...outlining };
afterEach(() => {
  jsEval.compile = realCompile;
  Object.assign(outlining, savedOutlining);
});

/** `run(n)`: n passes of an outer loop (a counted re-entry loop head) around an inner loop and blocks of code. */
const WAT = `(module
  (func (export "run") (param $n i32) (result i32) (local $i i32) (local $j i32) (local $s i32)
    (loop $outer
      (local.set $j (i32.const 0))
      (loop $inner
        (local.set $s (i32.add (local.get $s) (local.get $j)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $inner (i32.lt_u (local.get $j) (i32.const 3))))
      ${Array.from({ length: 6 }, (_, i) => `(block (local.set $s (i32.add (i32.mul (local.get $s) (i32.const ${i + 3})) (local.get $i))) (local.set $s (i32.xor (local.get $s) (i32.const ${i * 7919}))))`).join('\n')}
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $outer (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $s)))`;

describe('JS tier: compiled sources shared by the instances of a module', () => {
  for (const w of WORKLOADS.filter((w) => ['wat-mix', 'memgrow', 'alloc', 'dispatch', 'matmul'].includes(w.id))) {
    test(`${w.id}: the second instance compiles nothing, a second module compiles again`, () => {
      const ref = new Store({ fuel: 1e12, tier: 'interp' });
      const mod = Module.fromBinary(w.bytes());
      const want = new Linker().instantiate(ref, mod).call(w.export, ...w.testArgs);
      let compiles = 0;
      jsEval.compile = (src) => (compiles++, realCompile(src));
      const counts: number[] = [];
      const shared0 = jitStats.shared;
      // two instances of one module, each in its own store and in one store; then the same bytes decoded again
      const stores = [new Store({ fuel: 1e12 }), new Store({ fuel: 1e12 })];
      for (const [store, m] of [[stores[0]!, mod], [stores[1]!, mod], [stores[1]!, mod], [new Store({ fuel: 1e12 }), Module.fromBinary(w.bytes())]] as const) {
        const before = compiles;
        const fuel0 = store.fuelConsumed;
        expect(new Linker().instantiate(store, m).call(w.export, ...w.testArgs)).toEqual(want);
        expect(store.fuelConsumed - fuel0).toBe(ref.fuelConsumed);
        counts.push(compiles - before);
      }
      expect(counts[0]).toBeGreaterThan(0);
      expect(counts.slice(1)).toEqual([0, 0, counts[0]]);
      expect(jitStats.shared - shared0).toBe(2 * counts[0]!);
    });
  }

  test('a function too large for V8: its loop passes counted and its split made once for all instances of the module', () => {
    Object.assign(outlining, { at: 0, limit: 300, min: 40, hot: 20 });
    const mod = Module.fromWat(WAT);
    const ref = new Store({ fuel: 1e9, tier: 'interp' });
    const want = new Linker().instantiate(ref, mod).call('run', 15);
    const runs: { generated: number; split: number; fuel: number }[] = [];
    const stores = [0, 1, 2].map(() => new Store({ fuel: 1e9 }));
    const insts = stores.map((s) => new Linker().instantiate(s, mod));
    for (const k of [0, 1, 2, 0]) {
      const g0 = jitStats.generated;
      const s0 = jitStats.split;
      const f0 = stores[k]!.fuelConsumed;
      expect(insts[k]!.call('run', 15)).toEqual(want);
      runs.push({ generated: jitStats.generated - g0, split: jitStats.split - s0, fuel: stores[k]!.fuelConsumed - f0 });
    }
    // 15 passes: instance 0 runs the whole version; instance 1 splits at its 5th pass (the module's 20th), hands
    // off and re-enters the split version; instance 2 generates the split version at once; instance 0, called
    // again, splits its whole version at its first pass
    const f = ref.fuelConsumed;
    expect(runs).toEqual([
      { generated: 1, split: 0, fuel: f },
      { generated: 2, split: 1, fuel: f },
      { generated: 1, split: 1, fuel: f },
      { generated: 1, split: 1, fuel: f },
    ]);
  });
});
