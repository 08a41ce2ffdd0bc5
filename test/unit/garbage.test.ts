/**
 * Calls make no lasting garbage: a loop of a million wasm calls, and many
 * calls from the embedder, leave the heap where it was (after a GC). The
 * interpreter allocates nothing per executed instruction or wasm call.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, test } from 'vitest';
import { ANYREF, Linker, Module, Store, funcType } from '../../src/index.js';
import { jitStats } from '../../src/interp/tier.js';

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

/**
 * The JS tier's frames let go of references they have moved on from (src/jit/gen-base.ts dropRef): the
 * machine's reference slots and the generated functions' stack variables are GC roots, and an object kept by a
 * stale one stays alive, with all it reaches, until the slot is reused (the bench's gc-list kept the list summed
 * last alive through the whole next build). Each case makes an array of two million references (16 MB), lets it go
 * in one way and asks the host (`probe`: collects, then reads the heap) whether it is still there.
 */
test('generated code keeps no object it has let go of', () => {
  // (jitStats counts for the whole worker, which other test files share)
  const declinedBefore = [...jitStats.declined.values()].reduce((a, b) => a + b, 0);
  const heap: number[] = [];
  const store = new Store();
  const linker = new Linker()
    .defineFunc(store, 'h', 'probe', funcType([], []), () => void heap.push(heapAfterGc()))
    .defineFunc(store, 'h', 'see', funcType([ANYREF], []), () => {});
  const inst = linker.instantiate(
    store,
    Module.fromWat(`(module
      (import "h" "probe" (func $probe))
      (import "h" "see" (func $see (param anyref)))
      (type $blob (array (mut anyref)))
      (type $seeT (func (param anyref)))
      (table 1 funcref)
      (elem (i32.const 0) $see)
      (func $mk (result (ref null $blob)) (array.new $blob (ref.i31 (i32.const 1)) (i32.const 2000000)))
      (func $use (param (ref null $blob)) (result i32) (array.len (local.get 0)))
      ;; a parameter: the callee's slot
      (func $param (result i32) (local $x (ref null $blob))
        (local.set $x (call $mk))
        (call $use (local.get $x)))
      ;; a call's result the caller keeps in a local: the result slot
      (func $result (result i32) (local $x (ref null $blob))
        (local.set $x (call $mk))
        (array.len (local.get $x)))
      (func (export "none") (result i32)
        (call $probe)
        (i32.const 2000000))
      ;; an argument in a stack variable, while the caller goes on
      (func (export "arg") (result i32) (local $s i32)
        (local.set $s (call $use (call $mk)))
        (call $probe)
        (local.get $s))
      ;; the same once $use has a JS version: the argument travels as a JS argument (src/jit/ref-args.ts), and the
      ;; registers it was evaluated into let go of it
      (func (export "argJs") (result i32) (local $s i32)
        (local.set $s (call $use (call $mk)))
        (call $probe)
        (local.get $s))
      (func (export "param") (result i32) (local $s i32)
        (local.set $s (call $param))
        (call $probe)
        (local.get $s))
      (func (export "result") (result i32) (local $s i32)
        (local.set $s (call $result))
        (call $probe)
        (local.get $s))
      ;; a host function's argument
      (func (export "host") (result i32)
        (call $see (call $mk))
        (call $probe)
        (i32.const 2000000))
      ;; the same through call_indirect
      (func (export "indirect") (result i32)
        (call_indirect (type $seeT) (call $mk) (i32.const 0))
        (call $probe)
        (i32.const 2000000))
      ;; kept in a local: alive (the probe itself works)
      (func (export "kept") (result i32) (local $x (ref null $blob))
        (local.set $x (call $mk))
        (call $probe)
        (array.len (local.get $x))))`),
  );
  const cases = ['none', 'arg', 'argJs', 'param', 'result', 'host', 'indirect', 'kept'];
  // (a probe right before each call and the call's own: each case against its own start, not against another case's
  // probe: the worker's heap, shared with other test files, moved by more than 12 MB between cases twice under load)
  for (const name of cases) {
    heap.push(heapAfterGc());
    expect(inst.call(name)).toEqual([2_000_000]);
  }
  expect([...jitStats.declined.values()].reduce((a, b) => a + b, 0), 'functions the JS tier declined').toBe(declinedBefore);
  const grown = cases.map((_, i) => (heap[2 * i + 1]! - heap[2 * i]! > 12e6 ? 'alive' : 'gone'));
  expect(Object.fromEntries(cases.map((c, i) => [c, grown[i]]))).toEqual({ none: 'gone', arg: 'gone', argJs: 'gone', param: 'gone', result: 'gone', host: 'gone', indirect: 'gone', kept: 'alive' });
});
