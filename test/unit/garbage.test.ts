/**
 * Calls make no lasting garbage: a loop of a million wasm calls, and many
 * calls from the embedder, leave the heap where it was (after a GC). The
 * interpreter allocates nothing per executed instruction or wasm call.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, test } from 'vitest';
import { Linker, Module, Store } from '../../src/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

test('a million tiny calls do not grow the heap', () => {
  const store = new Store({ fuel: 1e15 });
  const inst = new Linker().instantiate(
    store,
    Module.fromWat(`(module
      (func $add (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
      (func (export "add") (param i32 i32) (result i32) (call $add (local.get 0) (local.get 1)))
      (func (export "loop") (param i32) (result i32) (local i32)
        (loop $l (local.set 1 (call $add (local.get 1) (i32.const 1)))
          (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1))))) (local.get 1)))`),
  );
  // warm up (translation, JIT tiers of V8 and of wasmeter)
  inst.call('loop', 10_000);
  for (let i = 0; i < 10_000; i++) inst.call('add', i, 1);
  const before = heapAfterGc();
  expect(inst.call('loop', 1_000_000)).toEqual([1_000_000]);
  for (let i = 0; i < 100_000; i++) inst.call('add', i, 1);
  const after = heapAfterGc();
  expect(after - before).toBeLessThan(2 * 1024 * 1024);
  expect(store.peaks.callDepth).toBe(2);
});
