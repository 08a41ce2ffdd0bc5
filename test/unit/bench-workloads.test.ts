import { describe, expect, test } from 'vitest';
import { Unsupported } from '../../src/core/errors.js';
import { Linker, Module, Store } from '../../src/index.js';
import { WORKLOADS, sameResult } from '../../bench/workloads.js';
import { measureMetering } from '../../bench/metering.js';
import { detachABuffer } from '../../bench/detach.js';
import { jsEval } from '../../src/jit/codegen.js';

type Fn = (...a: unknown[]) => unknown;

/** Every benchmark workload, with its small test argument: V8, the recorded constant and wasmeter agree. No timing. */
describe('benchmark workloads compute what V8 computes', () => {
  for (const w of WORKLOADS) {
    test(`${w.id}: ${w.name}`, (ctx) => {
      const bytes = w.bytes();
      const v8 = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>)).exports as Record<string, Fn>;
      const want = v8[w.export]!(...w.testArgs);
      expect(sameResult(want, w.expected), `V8 returned ${want}, recorded ${w.expected}`).toBe(true);
      const store = new Store({ fuel: 1e9 });
      const inst = new Linker().instantiate(store, Module.fromBinary(bytes));
      let got: unknown;
      try {
        got = inst.call(w.export, ...w.testArgs)[0];
      } catch (e) {
        if (w.simd && e instanceof Unsupported) {
          const reason = `skipped ${w.id}: wasmeter threw Unsupported (${e.message}); the SIMD executor is not wired yet`;
          console.warn(reason);
          ctx.skip(reason);
        }
        throw e;
      }
      expect(sameResult(got, want), `wasmeter returned ${got}, V8 ${want}`).toBe(true);
      expect(store.fuelConsumed).toBeGreaterThan(0);
      // The same result from an unmetered store.
      const free = new Linker().instantiate(new Store(), Module.fromBinary(bytes));
      expect(sameResult(free.call(w.export, ...w.testArgs)[0], want)).toBe(true);
      // The interpreter alone (its fused ops and branch-charged fuel blocks): the same result and the same fuel.
      const interp = new Store({ fuel: 1e9, tier: 'interp' });
      const alone = new Linker().instantiate(interp, Module.fromBinary(bytes));
      expect(sameResult(alone.call(w.export, ...w.testArgs)[0], want)).toBe(true);
      expect(interp.fuelConsumed).toBe(store.fuelConsumed);
    });
  }

  test('the metering bench (bench/metering.ts) times every store configuration and fresh workloads included', () => {
    const small = (id: string) => {
      const w = WORKLOADS.find((x) => x.id === id)!;
      return { ...w, args: w.testArgs };
    };
    // every generated source, as the bench hands it to V8
    const seen: string[] = [];
    const compile = jsEval.compile;
    const spy = (src: string) => {
      seen.push(src);
      return compile(src);
    };
    jsEval.compile = spy;
    let rows: ReturnType<typeof measureMetering>;
    try {
      // (four workloads: the order the configurations are created in rotates through all four)
      rows = measureMetering([small('wat-fib'), small('memgrow'), small('wat-sieve'), small('wat-throw')], 2);
      expect(jsEval.compile).toBe(spy);
    } finally {
      jsEval.compile = compile;
    }
    // each configuration's sources end in its own tag (V8's eval cache would otherwise share the metered stores' code)
    const tags = seen.map((src) => /\/\/ (\w+)\n$/.exec(src)?.[1]);
    expect(new Set(tags)).toEqual(new Set(['off', 'counted', 'budget', 'max']));
    expect(rows.map((r) => r.id)).toEqual(['wat-fib', 'memgrow', 'wat-sieve', 'wat-throw']);
    for (const r of rows) {
      expect(Object.keys(r.ms)).toEqual(['off', 'counted', 'budget', 'max']);
      for (const m of Object.values(r.ms)) expect(m.min).toBeLessThanOrEqual(m.median);
      // each configuration timed its own store: off counts no fuel, the metered ones the same amount
      expect(r.fuel['off']).toBeNaN();
      expect(r.fuel['counted']).toBeGreaterThan(0);
      expect([r.fuel['budget'], r.fuel['max']]).toEqual([r.fuel['counted'], r.fuel['counted']]);
    }
  });

  test('sha256 (C) known answer: SHA-256("abc") starts with ba7816bf', () => {
    const w = WORKLOADS.find((x) => x.id === 'sha256')!;
    const inst = new Linker().instantiate(new Store(), Module.fromBinary(w.bytes()));
    expect(inst.call('run', 0)[0]).toBe(0xba7816bf | 0);
  });
});

/** bench/detach.ts: the bench's BENCH_DETACHED=1 takes V8's detaching protector away before it measures anything. */
test('detachABuffer detaches a buffer, after which the workloads compute what they did', () => {
  const w = WORKLOADS.find((x) => x.id === 'sieve')!;
  const run = () => new Linker().instantiate(new Store({ fuel: 1e9, tier: 'interp' }), Module.fromBinary(w.bytes())).call(w.export, ...w.testArgs)[0];
  const before = run();
  expect(() => detachABuffer()).not.toThrow();
  expect(run()).toEqual(before);
  expect(sameResult(before, w.expected)).toBe(true);
});
