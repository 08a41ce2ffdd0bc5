/** Typed function references: call_ref / return_call_ref (also to host functions), br_on_null / br_on_non_null, fuel. */
import { describe, expect, test } from 'vitest';
import { I32, Linker, Module, OutOfFuel, Store, funcType } from '../../src/index.js';

const WAT = `(module
  (type $ii (func (param i32) (result i32)))
  (import "h" "inc" (func $inc (type $ii)))
  (func $dbl (type $ii) (i32.mul (local.get 0) (i32.const 2)))
  (elem declare func $dbl $inc)
  (table $t 2 (ref null $ii))
  (func (export "pick") (param i32) (result (ref null $ii))
    (if (result (ref null $ii)) (local.get 0)
      (then (ref.func $dbl)) (else (ref.func $inc))))
  ;; call_ref: local.get, local.get, call_ref = 3 here
  (func (export "call") (param i32 (ref null $ii)) (result i32) (call_ref $ii (local.get 0) (local.get 1)))
  (func (export "tail") (param i32 (ref null $ii)) (result i32) (return_call_ref $ii (local.get 0) (local.get 1)))
  ;; br_on_null: block, local.get, br_on_null, (non-null: drop, i32.const 1, br) | (null: i32.const 0 ...)
  (func (export "is-null") (param (ref null $ii)) (result i32)
    (block $n
      (br_on_null $n (local.get 0))
      (drop)
      (return (i32.const 0)))
    (i32.const 1))
  ;; br_on_non_null carrying an extra value below the reference
  (func (export "apply-or") (param i32 (ref null $ii)) (result i32)
    (block $nn (result i32 (ref $ii))
      (local.get 0)
      (br_on_non_null $nn (local.get 1))
      (return (i32.const -1)))
    (call_ref $ii))
  ;; a loop over calls through references, for starved runs
  (func (export "sum") (param i32) (result i32) (local i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get 0)))
        (local.set 1 (i32.add (local.get 1)
          (call_ref $ii (local.get 0)
            (br_on_null $done (if (result (ref null $ii)) (i32.and (local.get 0) (i32.const 1))
              (then (ref.func $dbl)) (else (ref.func $inc)))))))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (br $l)))
    (local.get 1))
)`;

function setup(fuel?: number) {
  const store = new Store(fuel === undefined ? {} : { fuel });
  const linker = new Linker();
  linker.defineFunc(store, 'h', 'inc', funcType([I32], [I32]), (_c, x: number) => x + 1);
  return { store, inst: linker.instantiate(store, Module.fromWat(WAT)) };
}

describe('typed function references', () => {
  test('call_ref and return_call_ref to wasm and host functions; null traps', () => {
    const { inst } = setup();
    const dbl = inst.call('pick', 1)[0];
    const inc = inst.call('pick', 0)[0];
    expect(inst.call('call', 5, dbl)).toEqual([10]);
    expect(inst.call('call', 5, inc)).toEqual([6]);
    expect(inst.call('tail', 5, dbl)).toEqual([10]);
    expect(inst.call('tail', 5, inc)).toEqual([6]);
    expect(() => inst.call('call', 5, null)).toThrow('null function reference');
    expect(() => inst.call('tail', 5, null)).toThrow('null function reference');
  });

  test('br_on_null / br_on_non_null', () => {
    const { inst } = setup();
    const dbl = inst.call('pick', 1)[0];
    expect(inst.call('is-null', null)).toEqual([1]);
    expect(inst.call('is-null', dbl)).toEqual([0]);
    expect(inst.call('apply-or', 21, dbl)).toEqual([42]);
    expect(inst.call('apply-or', 21, null)).toEqual([-1]);
  });

  test('fuel: call_ref is a call (one instruction), host call surcharge included', () => {
    const { store, inst } = setup();
    const dbl = inst.call('pick', 1)[0];
    const inc = inst.call('pick', 0)[0];
    const base = store.fuelConsumed;
    inst.call('call', 5, dbl);
    // local.get local.get call_ref end + $dbl: local.get i32.const i32.mul end
    expect(store.fuelConsumed - base).toBe(4 + 4);
    const b2 = store.fuelConsumed;
    inst.call('call', 5, inc);
    expect(store.fuelConsumed - b2).toBe(4 + 1);
  });

  test('starved runs equal an uninterrupted run', () => {
    const ref = setup();
    const expected = ref.inst.call('sum', 25);
    const fuel = ref.store.fuelConsumed;
    for (const step of [0, 1, 5]) {
      const { store, inst } = setup(0);
      let stop: OutOfFuel | null = null;
      let r: unknown[] | null = null;
      try {
        r = inst.call('sum', 25);
      } catch (e) {
        stop = e as OutOfFuel;
      }
      while (stop) {
        store.addFuel(step === 0 ? stop.needed : step);
        try {
          r = stop.resume();
          stop = null;
        } catch (e) {
          if (!(e instanceof OutOfFuel)) throw e;
          stop = e;
        }
      }
      expect(r).toEqual(expected);
      expect(store.fuelConsumed).toBe(fuel);
    }
  });
});
