/**
 * The instances of one module share the JS tier's compiled sources (codegen.ts `factory`): V8 compiles each
 * generated source once per module, and every instance runs it with its own objects, with the results and fuel
 * of the interpreter.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { Linker, Module, Store } from '../../src/index.js';
import { jsEval } from '../../src/jit/codegen.js';
import { jitStats } from '../../src/interp/tier.js';
import { WORKLOADS } from '../../bench/workloads.js';

const realCompile = jsEval.compile;
afterEach(() => {
  jsEval.compile = realCompile;
});

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
});
