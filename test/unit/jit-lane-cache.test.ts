/**
 * The JS tier's f32 lane cache of v128 locals (src/jit/lane-cache.ts) is cleared where straight-line code ends: lanes
 * converted in one arm of an `if` are not read after it, where the other arm was taken; lanes read again from memory
 * are not read after a store. Against the interpreter.
 */
import { describe, expect, test } from 'vitest';
import { Linker, Module, Store } from '../../src/index.js';

const WAT = `(module
  (memory 1)
  ;; local 1's lanes converted in the then-arm only: after the if, its lanes are converted again
  (func (export "arm") (param i32) (result f32) (local v128)
    (local.set 1 (v128.load (i32.const 16)))
    (if (local.get 0) (then (v128.store (i32.const 32) (f32x4.add (local.get 1) (local.get 1)))))
    (f32x4.extract_lane 2 (f32x4.mul (local.get 1) (local.get 1))))
  ;; a local loaded from memory, then a store to the same place: its lanes are not read from memory again after it
  (func (export "store") (param f32) (result f32) (local v128)
    (local.set 1 (v128.load (i32.const 16)))
    (f32.store (i32.const 20) (local.get 0))
    (f32x4.extract_lane 1 (f32x4.add (local.get 1) (local.get 1))))
  (data (i32.const 16) "\\00\\00\\80\\3f\\00\\00\\00\\40\\00\\00\\40\\40\\00\\00\\80\\40"))`;

describe('JS tier: f32 lane cache', () => {
  test('lanes converted in one arm, and lanes of memory before a store, are not read later', () => {
    const results = (tier: 'js' | 'interp'): unknown[] => {
      const inst = new Linker().instantiate(new Store({ tier }), Module.fromWat(WAT));
      const out: unknown[] = [];
      for (let i = 0; i < 3; i++) for (const c of [1, 0, 1, 0]) out.push(inst.call('arm', c)[0]);
      for (const x of [5.5, -2, 0.25]) out.push(inst.call('store', x)[0]);
      return out;
    };
    const interp = results('interp');
    expect(interp.slice(0, 4)).toEqual([9, 9, 9, 9]);
    // (each call loads what the call before it stored)
    expect(interp.slice(12)).toEqual([4, 11, -4]);
    expect(results('js')).toEqual(interp);
  });
});
