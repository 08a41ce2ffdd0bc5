/**
 * A start function runs in the interpreter (runtime/store.ts, Machine.deferJit): code that runs once at
 * instantiation is not generated and compiled by the JS tier; its functions are generated at their first call after
 * it. A start function that runs past START_INTERP_FUEL hands over to the JS tier: the functions on the stack are
 * generated and the interpreter enters them at their next loop head. Results and fuel are the interpreter's.
 */
import { describe, expect, test } from 'vitest';
import { Module, OutOfFuel, Store, Trap, type Instance } from '../../src/index.js';
import { START_INTERP_FUEL } from '../../src/runtime/store.js';
import { jitStats } from '../../src/interp/tier.js';
import type { WasmFunc } from '../../src/runtime/objects/func.js';

/** A start function calling two helpers `n` times (a loop) and storing the sum in a global; `get` reads it. */
const MOD = (n: number) => `(module
  (global $g (mut i32) (i32.const 0))
  (func $sq (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
  (func $add (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func $init (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (call $add (local.get $s) (call $sq (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const ${n}))))
    (global.set $g (local.get $s)))
  (func (export "get") (result i32) (global.get $g))
  (func (export "sq") (param i32) (result i32) (call $sq (local.get 0)))
  (start $init))`;

/** A start function whose loop calls nothing: only the hand-over at the end of the slice can put it in JS. */
const LOOP_ONLY = (n: number) => `(module
  (global $g (mut i32) (i32.const 0))
  (func $init (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (i32.xor (i32.add (local.get $s) (local.get $i)) (i32.const 0x5a5a)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const ${n}))))
    (global.set $g (local.get $s)))
  (func (export "get") (result i32) (global.get $g))
  (start $init))`;

const fn = (inst: Instance, i: number) => inst.raw.funcs[i] as WasmFunc;

/** Instantiates `wat` in a store of `tier`: the value of `get`, the fuel consumed, the instance. */
function run(wat: string, tier: 'js' | 'interp', fuel = 1e10): { get: unknown; fuel: number; inst: Instance; store: Store } {
  const store = new Store({ fuel, tier });
  const inst = store.instantiate(Module.fromWat(wat), []);
  return { get: inst.call('get'), fuel: store.fuelConsumed, inst, store };
}

describe('start functions in the interpreter', () => {
  test('a short start function generates nothing; its functions are generated at their first call after it', () => {
    const want = run(MOD(50), 'interp');
    const g0 = jitStats.generated;
    const store = new Store({ fuel: 1e10 });
    const inst = store.instantiate(Module.fromWat(MOD(50)), []);
    expect(jitStats.generated - g0).toBe(0);
    expect([0, 1, 2].map((i) => fn(inst, i).jitState)).toEqual([0, 0, 0]);
    expect(store.machine.deferJit).toBe(false);
    expect([inst.call('get'), store.fuelConsumed]).toEqual([want.get, want.fuel]);
    expect(inst.call('sq', 9)).toEqual([81]);
    // `sq` called from JS now: it and its callee are generated
    expect(fn(inst, 0).jitState).toBe(1);
    expect(fn(inst, 4).jitState).toBe(1);
  });

  test('a start function past START_INTERP_FUEL hands over to the JS tier, at its loop head', () => {
    const n = START_INTERP_FUEL; // several units of fuel per pass
    for (const wat of [MOD(n), LOOP_ONLY(n)]) {
      const want = run(wat, 'interp');
      const o0 = jitStats.osrEntries;
      const got = run(wat, 'js');
      expect([got.get, got.fuel]).toEqual([want.get, want.fuel]);
      // the start function ($init: index 2 and 0) was generated at the hand-over and entered at its loop
      const init = wat === LOOP_ONLY(n) ? 0 : 2;
      expect(fn(got.inst, init).jitState).toBe(1);
      expect(jitStats.osrEntries - o0).toBeGreaterThan(0);
      expect(got.store.machine.deferJit).toBe(false);
    }
  });

  test('a start function that traps or runs out of fuel leaves the deferral off', () => {
    const store = new Store({ fuel: 1e10 });
    expect(() => store.instantiate(Module.fromWat('(module (func $s unreachable) (start $s))'), [])).toThrow(Trap);
    expect(store.machine.deferJit).toBe(false);
    const poor = new Store({ fuel: 1000 });
    expect(() => poor.instantiate(Module.fromWat(LOOP_ONLY(100000)), [])).toThrow(OutOfFuel);
    expect(poor.machine.deferJit).toBe(false);
  });
});

/**
 * StoreOptions.interpretFirst: the store's calls run in the interpreter until they
 * have used that much fuel, then hand over as a long start function does; no translation is looked up in or stored
 * to the code cache while the deferral lasts. Results and fuel are the interpreter's either way.
 */
describe('interpretFirst: a short program in the interpreter', () => {
  /** `run(n)` loops n times over two helpers; `sq` squares. */
  const PROG = `(module
    (func $sq (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
    (func $add (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
    (func (export "run") (param $n i32) (result i32) (local $i i32) (local $s i32)
      (loop $l
        (local.set $s (call $add (local.get $s) (call $sq (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
      (local.get $s))
    (func (export "sq") (param i32) (result i32) (call $sq (local.get 0))))`;
  /** A code cache that records its lookups and stores. */
  const recording = () => {
    const map = new Map<string, string>();
    const log: string[] = [];
    return {
      log,
      cache: {
        get: (k: string) => (log.push(`get ${k.slice(k.indexOf('-'))}`), map.get(k)),
        set: (k: string, v: string) => (log.push(`set ${k.slice(k.indexOf('-'))}`), map.set(k, v), undefined),
      },
    };
  };
  const interp = (n: number): { r: unknown; fuel: number } => {
    const store = new Store({ tier: 'interp' });
    const r = store.instantiate(Module.fromWat(PROG), []).call('run', n);
    return { r, fuel: store.fuelConsumed };
  };

  test('calls within the budget generate nothing and never touch the code cache; the budget is the sum of the calls', () => {
    const want = interp(10);
    const { log, cache } = recording();
    const g0 = jitStats.generated;
    // (room for the first call and all but one unit of a second one)
    const store = new Store({ interpretFirst: 2 * want.fuel - 1, codeCache: cache });
    const inst = store.instantiate(Module.fromWat(PROG), []);
    expect([inst.call('run', 10), store.fuelConsumed]).toEqual([want.r, want.fuel]);
    expect(jitStats.generated - g0).toBe(0);
    expect(log).toEqual([]);
    expect([0, 1, 2].map((i) => fn(inst, i).jitState)).toEqual([0, 0, 0]);
    expect(store.machine.deferJit).toBe(false);
    // the second call has what the first left, one unit short: it is handed over to the JS tier
    expect([inst.call('run', 10), store.fuelConsumed]).toEqual([want.r, 2 * want.fuel]);
    expect(fn(inst, 2).jitState).toBe(1);
    expect(store.machine.deferJit).toBe(false);
    // from then on every function is generated at its first call, through the cache (its translations and JS)
    inst.call('sq', 3);
    expect(fn(inst, 0).jitState).toBe(1);
    expect(log.some((l) => l.startsWith('get') && l.endsWith('t'))).toBe(true);
    expect(log.some((l) => l.startsWith('set') && l.endsWith('w'))).toBe(true);
  });

  test('a long call is handed over at its loop head', () => {
    const want = interp(200_000);
    const o0 = jitStats.osrEntries;
    const store = new Store({ interpretFirst: 10_000 });
    const inst = store.instantiate(Module.fromWat(PROG), []);
    expect([inst.call('run', 200_000), store.fuelConsumed]).toEqual([want.r, want.fuel]);
    expect(fn(inst, 2).jitState).toBe(1);
    expect(jitStats.osrEntries - o0).toBeGreaterThan(0);
  });

  test('a call past the budget hands over: the same results and fuel as the interpreter, and as no budget', () => {
    for (const n of [1, 5000, 200_000]) {
      const want = interp(n);
      for (const interpretFirst of [0, 100, 10_000]) {
        const store = new Store({ interpretFirst, fuel: 1e12 });
        const inst = store.instantiate(Module.fromWat(PROG), []);
        expect([inst.call('run', n), store.fuelConsumed], `n=${n} interpretFirst=${interpretFirst}`).toEqual([want.r, want.fuel]);
        // (handed over unless the whole call fit in the budget)
        expect(fn(inst, 2).jitState, `n=${n} interpretFirst=${interpretFirst}`).toBe(want.fuel <= interpretFirst ? 0 : 1);
      }
    }
  });

  test('out of fuel inside the budget stops as the interpreter does; a bad budget is a RangeError', () => {
    const store = new Store({ interpretFirst: 1e6, fuel: 300 });
    const inst = store.instantiate(Module.fromWat(PROG), []);
    expect(() => inst.call('run', 1000)).toThrow(OutOfFuel);
    expect(store.machine.deferJit).toBe(false);
    expect(store.fuelConsumed).toBe(300);
    for (const bad of [-1, 1.5, Number.NaN]) expect(() => new Store({ interpretFirst: bad })).toThrow(RangeError);
  });
});
