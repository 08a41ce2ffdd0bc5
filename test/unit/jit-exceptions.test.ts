/**
 * The JS tier and wasm exceptions: a function the tier runs (no try of its
 * own) sits between a thrower and a handler; results, fuel and the state
 * after the catch must equal the interpreter's, also starved.
 */
import { describe, expect, test } from 'vitest';
import { Linker, Module, OutOfFuel, Store, WasmFunc } from '../../src/index.js';

const WAT = `(module
  (tag $e (param i32))
  (global $g (mut i32) (i32.const 0))
  (func $thrower (param i32) (throw $e (i32.add (local.get 0) (i32.const 1))))
  (func $mid (param i32) (result i32) (local i32)
    (local.set 1 (i32.mul (local.get 0) (i32.const 3)))
    (global.set $g (i32.add (global.get $g) (local.get 1)))
    (if (i32.gt_u (local.get 0) (i32.const 5)) (then (call $thrower (local.get 1))))
    (i32.add (local.get 1) (i32.const 100)))
  (func $spin (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1) (local.get 0)))
      (if (i32.eq (local.get 0) (i32.const 3)) (then (call $thrower (local.get 1))))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1))
  (func (export "spin") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (return (call $spin (local.get 0))))
      (unreachable))
    (i32.add (i32.const 1000)))
  (func (export "outer") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (return (i32.add (call $mid (local.get 0)) (call $mid (i32.const 1)))))
      (unreachable))
    (i32.add (global.get $g)))
  (func (export "loop") (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1)
        (block $h (result i32)
          (try_table (catch $e $h) (drop (call $mid (local.get 0))) (br $h (i32.const 0)))
          (i32.const 0))))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (i32.add (local.get 1) (global.get $g))))`;

let jitted = false;

function run(tier: 'js' | 'interp', fuel: number | undefined, name: string, arg: number): { r: unknown; fuel: number } {
  const store = new Store({ ...(fuel !== undefined ? { fuel } : {}), tier });
  const inst = new Linker().instantiate(store, Module.fromWat(WAT));
  let r: unknown;
  try {
    r = inst.call(name, arg);
  } catch (e) {
    let stop = e;
    for (;;) {
      if (!(stop instanceof OutOfFuel)) throw stop;
      store.addFuel(stop.needed);
      try {
        r = stop.resume();
        break;
      } catch (e2) {
        stop = e2;
      }
    }
  }
  if (tier === 'js' && (inst.raw.funcs[1] as WasmFunc).jit !== null) jitted = true;
  return { r, fuel: store.fuelConsumed };
}

describe('JS tier and exceptions', () => {
  for (const [name, arg] of [
    ['outer', 3],
    ['outer', 9],
    ['loop', 12],
    ['spin', 2],
    ['spin', 5000],
  ] as const) {
    test(`${name}(${arg}): same results and fuel as the interpreter, also starved`, () => {
      const want = run('interp', undefined, name, arg);
      expect(run('js', undefined, name, arg)).toEqual(want);
      expect(run('js', 0, name, arg)).toEqual(want);
      expect(run('interp', 0, name, arg)).toEqual(want);
      expect(jitted).toBe(true); // $mid ran in the JS tier
    });
  }
});

/**
 * The interpreter hands a running frame to its JS version at a loop head inside a try_table (re-entry); the JS code
 * then throws after the try_table has ended. The frame's handlers were the JS code's to apply: the interpreter, whose
 * own position in that frame is still the loop head, must not catch the exception with the try_table's handler.
 */
describe('an exception thrown by a frame the interpreter handed to the JS tier', () => {
  const wat = `(module
    (tag $e)
    (func (export "run") (param i32) (result i32) (local i32)
      (block $h
        (try_table (catch_all $h)
          (loop $l
            (local.set 1 (i32.add (local.get 1) (i32.const 1)))
            (br_if $l (i32.lt_u (local.get 1) (local.get 0)))))
        (throw $e))
      (i32.const 42))
    (func (export "wrap") (param i32) (result i32)
      (block $h
        (try_table (catch_all $h) (drop (call 0 (local.get 0))))
        (return (i32.const 0)))
      (i32.const 7)))`;
  const outcome = (opts: { tier: 'js' | 'interp'; checkEvery?: number }, name: string, n: number) => {
    const store = new Store({ tier: opts.tier, ...(opts.checkEvery ? { interrupt: { checkEvery: opts.checkEvery } } : {}) });
    const inst = new Linker().instantiate(store, Module.fromWat(wat));
    let r: unknown;
    try {
      r = inst.call(name, n)[0];
    } catch (e) {
      r = (e as Error).constructor.name;
    }
    return { r, fuel: store.fuelConsumed };
  };
  for (const name of ['run', 'wrap'])
    for (const n of [1, 40, 100_000])
      test(`${name}(${n}): the exception leaves the frame, with the interpreter's fuel`, () => {
        const want = outcome({ tier: 'interp' }, name, n);
        expect(want.r).toBe(name === 'run' ? 'WasmException' : 7);
        for (const checkEvery of [undefined, 5, 16, 17, 23]) {
          expect(outcome({ tier: 'js', checkEvery }, name, n), `js, checkEvery ${checkEvery}`).toEqual(want);
        }
      });
});
