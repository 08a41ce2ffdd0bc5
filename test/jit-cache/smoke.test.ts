import { expect, test } from 'vitest';
import { Module, Store, Linker } from '../../src/index.js';
import { codeCacheStats } from '../../src/jit/code-cache.js';

const WAT = `(module
  (memory (export "mem") 1)
  (global $g (mut i32) (i32.const 3))
  (global $gf (mut f64) (f64.const 1.5))
  (table $t 2 funcref)
  (elem (table $t) (i32.const 0) func $sq $inc)
  (type $un (func (param i32) (result i32)))
  (func $sq (type $un) (i32.mul (local.get 0) (local.get 0)))
  (func $inc (type $un) (i32.add (local.get 0) (i32.const 1)))
  (func (export "run") (param $n i32) (result i32) (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (call_indirect (type $un) (local.get $i) (i32.and (local.get $i) (i32.const 1)))))
      (i32.store (i32.shl (i32.and (local.get $i) (i32.const 15)) (i32.const 2)) (local.get $s))
      (global.set $g (i32.add (global.get $g) (i32.const 1)))
      (global.set $gf (f64.mul (global.get $gf) (f64.const 1.25)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.add (local.get $s) (global.get $g))))`;

test('smoke', () => {
  const map = new Map<string, string>();
  const cache = { get: (k: string) => map.get(k), set: (k: string, v: string) => void map.set(k, v) };
  const out: unknown[] = [];
  for (let r = 0; r < 2; r++) {
    const store = new Store({ codeCache: cache });
    const m = Module.fromWat(WAT);
    const inst = new Linker().instantiate(store, m);
    const run = inst.exports['run'] as (n: number) => number;
    const res = [run(10), run(100000), store.fuelConsumed];
    out.push(res);
    console.log(r, res, { ...codeCacheStats }, map.size);
  }
  expect(out[0]).toEqual(out[1]);
});
