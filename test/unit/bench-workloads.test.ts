import { describe, expect, test } from 'vitest';
import { Linker, Module, Store } from '../../src/index.js';
import { watToBinary } from '../../src/text/index.js';
import { WORKLOADS } from '../../bench/workloads.js';

describe('benchmark workloads compute what V8 computes', () => {
  for (const w of WORKLOADS) {
    test(w.name, () => {
      const bytes = watToBinary(w.wat);
      const v8 = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource)).exports as Record<string, (...a: unknown[]) => unknown>;
      const want = v8[w.export]!(...w.args);
      const store = new Store({ fuel: 1e9 });
      const got = new Linker().instantiate(store, Module.fromBinary(bytes)).call(w.export, ...w.args)[0];
      expect(typeof got === 'bigint' ? got : got).toEqual(typeof got === 'bigint' ? BigInt.asIntN(64, want as bigint) : want);
      expect(store.fuelConsumed).toBeGreaterThan(0);
    });
  }
});
