import { describe, expect, test } from 'vitest';
import { parseWat } from '../../src/text/index.js';
import { encodeModule } from '../../src/encoder/encode.js';
import { Linker, Module, OutOfFuel, Store } from '../../src/index.js';

const WAT = `(module
  (memory 1)
  (func $fib (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_s (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func (export "sum") (param i32) (result i64) (local i64)
    (block (loop
      (br_if 1 (i32.eqz (local.get 0)))
      (local.set 1 (i64.add (local.get 1) (i64.extend_i32_u (local.get 0))))
      (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br 0)))
    (local.get 1))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)) (nop) (nop))
)`;
const mod = Module.fromBinary(encodeModule(parseWat(WAT)));

function runStarved(name: string, args: unknown[], step: number): { r: unknown[]; fuel: number; stops: number } {
  const store = new Store({ fuel: 0 });
  const inst = new Linker().instantiate(store, mod);
  let stops = 0;
  let pending: OutOfFuel | null = null;
  let r: unknown[] | null = null;
  try {
    r = inst.call(name, ...args);
  } catch (e) {
    if (!(e instanceof OutOfFuel)) throw e;
    pending = e;
  }
  while (pending) {
    stops++;
    store.addFuel(step === 0 ? pending.needed : step);
    try {
      r = pending.resume();
      pending = null;
    } catch (e) {
      if (!(e instanceof OutOfFuel)) throw e;
      pending = e;
    }
  }
  return { r: r!, fuel: store.fuelConsumed, stops };
}

describe('fuel: cut and resume equals an uninterrupted run', () => {
  for (const [name, args] of [
    ['fib', [15]],
    ['sum', [50]],
  ] as const) {
    test(name, () => {
      const store = new Store();
      const inst = new Linker().instantiate(store, mod);
      const expected = inst.call(name, ...args);
      const fuel = store.fuelConsumed;
      expect(fuel).toBeGreaterThan(0);
      for (const step of [0, 1, 7, 100]) {
        const got = runStarved(name, [...args], step);
        expect(got.r).toEqual(expected);
        expect(got.fuel).toBe(fuel);
      }
      // with exactly-needed top-ups every instruction is a stop
      expect(runStarved(name, [...args], 0).stops).toBeGreaterThan(0);
    });
  }
  test('a trap charges the trapping instruction but not the rest of its block', () => {
    const store = new Store();
    const inst = new Linker().instantiate(store, mod);
    expect(() => inst.call('div', 1, 0)).toThrow('integer divide by zero');
    // local.get, local.get, i32.div_s reached; nop nop end not
    expect(store.fuelConsumed).toBe(3);
    inst.call('div', 6, 3);
    expect(store.fuelConsumed).toBe(3 + 6);
  });
});
