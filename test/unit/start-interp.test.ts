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
