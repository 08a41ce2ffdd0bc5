/**
 * The JS tier generates functions with exception handlers (try_table, the
 * legacy try/catch/catch_all/delegate, throw, throw_ref, rethrow): a call or
 * throw inside a try is caught by the generated code, which writes its frame
 * and hands it to the interpreter at the handler's target (rt.ts catchHere).
 * Results, fuel, stops and resumption, peaks and uncaught exceptions must be
 * the interpreter's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { funcType, I32, Linker, Module, Store, Trap, WasmException } from '../../src/index.js';
import { runScript } from '../../src/spec/runner.js';
import { suiteOrNull } from '../../src/spec/suite.js';
import { jitStats } from '../../src/interp/tier.js';
import { callThroughStops } from '../shared/stops.js';

const ROOT = suiteOrNull();
const SCRIPTS = ['throw.wast', 'throw_ref.wast', 'try_table.wast', 'tag.wast', 'legacy/throw.wast', 'legacy/try_catch.wast', 'legacy/try_delegate.wast', 'legacy/rethrow.wast'];
/** Decline reasons that name exception handling (none may remain). */
const EXN_REASONS = /^(try|try_table|catch|catch_all|delegate|throw|throw_ref|rethrow)$/;

describe.skipIf(ROOT === null)('spec scripts of exception handling, both tiers, normal and starved', () => {
  for (const name of SCRIPTS) {
    test(name, () => {
      const src = readFileSync(join(ROOT!, name));
      const gen0 = jitStats.withHandlers;
      const runs = [runScript(src, name, { tier: 'js' }), runScript(src, name, { tier: 'js', starved: true }), runScript(src, name, { tier: 'interp' }), runScript(src, name, { tier: 'interp', starved: true })];
      for (const r of runs) {
        expect(r.failures, name).toEqual([]);
        expect(r.passed).toBe(runs[0]!.passed);
      }
      expect(runs[0]!.passed).toBeGreaterThan(0);
      if (name !== 'tag.wast' && name !== 'legacy/throw.wast' && name !== 'throw.wast') expect(jitStats.withHandlers).toBeGreaterThan(gen0);
      for (const why of jitStats.declined.keys()) expect(why).not.toMatch(EXN_REASONS);
    });
  }
});

const WAT = `(module
  (import "env" "e" (tag $he (param i32)))
  (import "env" "hthrow" (func $hthrow (param i32)))
  (import "env" "hcall" (func $hcall (param i32) (result i32)))
  (tag $e (export "e") (param i32))
  (tag $e2 (param i64 f64 f32))
  (tag $ev)
  (global $g (export "g") (mut i32) (i32.const 0))
  (memory 1)

  ;; throws $e at multiples of 7, else returns 3x
  (func $maybe (export "maybe") (param i32) (result i32)
    (global.set $g (i32.add (global.get $g) (i32.const 1)))
    (if (i32.eqz (i32.rem_u (local.get 0) (i32.const 7))) (then (throw $e (local.get 0))))
    (i32.mul (local.get 0) (i32.const 3)))

  ;; a loop calling a function that throws now and then; try_table catches into a block label
  (func (export "tt_loop") (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1)
        (block $h (result i32)
          (try_table (result i32) (catch $e $h) (call $maybe (local.get 0))))))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1))

  ;; a value below the label (an expression the JS tier has not evaluated yet) survives the catch
  (func (export "below") (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1)
        (i32.sub (i32.mul (local.get 0) (i32.const 5))
          (block $h (result i32)
            (try_table (result i32) (catch $e $h) (call $maybe (local.get 0)))))))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1))

  ;; catch_all to a loop's label
  (func (export "to_loop") (param i32) (result i32) (local i32)
    (block $done
      (loop $l
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (br_if $done (i32.lt_s (local.get 0) (i32.const 0)))
        (try_table (catch_all $l)
          (local.set 1 (i32.add (local.get 1) (call $maybe (local.get 0)))))
        (local.set 1 (i32.add (local.get 1) (i32.const 1)))
        (br $l)))
    (local.get 1))

  ;; a catch to the function's label returns the payload
  (func (export "to_func") (param i32) (result i32)
    (try_table (catch $e 0) (drop (call $maybe (local.get 0))))
    (i32.const -1))

  ;; catch_ref, and throw_ref of the caught exception to the caller's handler
  (func $inner_ref (param i32) (result i32) (local $x exnref) (local $v i32)
    (block $h (result i32 exnref)
      (try_table (catch_ref $e $h) (return (call $maybe (local.get 0))))
      (unreachable))
    (local.set $x) (local.set $v)
    (global.set $g (i32.add (global.get $g) (local.get $v)))
    (if (i32.gt_u (local.get $v) (i32.const 20)) (then (throw_ref (local.get $x))))
    (local.get $v))
  (func (export "ref_outer") (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1)
        (block $h (result i32) (try_table (result i32) (catch $e $h) (call $inner_ref (local.get 0))))))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1))

  ;; catch_all_ref and throw_ref in the same function: the rethrow is caught by the enclosing try_table
  (func (export "all_ref") (param i32) (result i32) (local i32)
    (loop $l
      (block $o (result i32)
        (try_table (catch $e $o)
          (block $h (result exnref)
            (try_table (catch_all_ref $h) (local.set 1 (i32.add (local.get 1) (call $maybe (local.get 0)))))
            (br 2 (i32.const 0)))
          (throw_ref))
        (i32.const 0))
      (local.set 1 (i32.add (local.get 1)))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1))

  ;; a throw inside a try of the same function
  (func (export "self_throw") (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1)
        (block $h (result i32)
          (try_table (catch $e $h)
            (if (i32.eqz (i32.and (local.get 0) (i32.const 3))) (then (throw $e (i32.add (local.get 0) (local.get 1)))))
            (local.set 1 (i32.add (local.get 1) (i32.const 1))))
          (i32.const 0))))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1))

  ;; a payload of several types (a NaN's bits included)
  (func $throw2 (param i32)
    (if (local.get 0) (then (throw $e2 (i64.extend_i32_s (local.get 0)) (f64.convert_i32_s (local.get 0)) (f32.const nan:0x200001)))))
  (func (export "multi") (param i32) (result i64) (local i64 f64 f32)
    (block $h (result i64 f64 f32)
      (try_table (catch $e2 $h) (call $throw2 (local.get 0))) (return (i64.const -1)))
    (local.set 3) (local.set 2) (local.set 1)
    (i64.add (local.get 1) (i64.add (i64.trunc_f64_s (local.get 2)) (i64.extend_i32_u (i32.reinterpret_f32 (local.get 3))))))

  ;; legacy try: a loop in a catch arm, catch_all
  (func (export "legacy") (param i32) (result i32) (local i32 i32)
    (loop $l
      (try
        (do (local.set 1 (i32.add (local.get 1) (call $maybe (local.get 0)))))
        (catch $e
          (local.set 2)
          (loop $k
            (local.set 1 (i32.add (local.get 1) (i32.const 2)))
            (br_if $k (local.tee 2 (i32.shr_u (local.get 2) (i32.const 1))))))
        (catch_all (local.set 1 (i32.const -100))))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1))

  ;; rethrow from a catch_all arm, delegate to an enclosing try
  (func $rethrower (param i32) (result i32)
    (try (result i32)
      (do (call $maybe (local.get 0)))
      (catch_all
        (global.set $g (i32.add (global.get $g) (i32.const 100)))
        (rethrow 0))))
  (func (export "delegate") (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1)
        (try $t (result i32)
          (do (try (result i32) (do (call $rethrower (local.get 0))) (delegate $t)))
          (catch $e (i32.add (i32.const 5))))))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1))

  ;; a try whose body never falls through: only the interpreter reaches the code after it (a loop, entered in JS again)
  (func (export "dead_body") (param i32) (result i32) (local i32)
    (try (do (drop (call $maybe (local.get 0))) (throw $ev)) (catch_all))
    (loop $l
      (local.set 1 (i32.add (local.get 1) (local.get 0)))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1))

  ;; a host function that throws (odd arguments), caught by tag
  (func (export "host") (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1)
        (block $h (result i32) (try_table (catch $he $h) (call $hthrow (local.get 0))) (i32.const 1))))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1))

  ;; a host function that calls wasm that throws: the exception crosses the host
  (func (export "through_host") (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1)
        (block $h (result i32) (try_table (result i32) (catch $e $h) (call $hcall (local.get 0))))))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1))

  ;; a tail call to a host function has left the frame: its handler does not apply
  (func $tail (param i32)
    (block $h (try_table (catch_all $h) (return_call $hthrow (local.get 0))))
    (global.set $g (i32.const -7)))
  (func (export "tail") (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1)
        (block $h (result i32) (try_table (result i32) (catch $he $h) (call $tail (local.get 0)) (i32.const 42)))))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1))

  ;; no handler for the tag: the exception leaves the call
  (func (export "uncaught") (param i32) (result i32)
    (block $h (try_table (catch $ev $h) (return (call $maybe (local.get 0))))) (i32.const -1))

  ;; traps are never caught; nor is a null exnref's
  (func (export "trap") (param i32) (result i32)
    (block $h (try_table (catch_all $h)
      (if (local.get 0) (then (throw_ref (ref.null exn))))
      (return (i32.div_u (i32.const 1) (local.get 0)))))
    (i32.const -1))

  ;; atomics keep a function in the interpreter: a nested interpreter run (called from JS code) with a handler
  (func $nested (param i32) (result i32)
    (drop (i32.atomic.load (i32.const 0)))
    (block $h (result i32) (try_table (result i32) (catch $e $h) (call $maybe (local.get 0)))))
  (func (export "nested") (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1) (call $nested (local.get 0))))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1))
)`;

const MOD = Module.fromWat(WAT);

function linker(store: Store): Linker {
  const l = new Linker();
  const tag = store.tag(funcType([I32]));
  l.define('env', 'e', tag);
  l.defineFunc(store, 'env', 'hthrow', funcType([I32]), (_c, x: number) => {
    if (x & 1) throw new WasmException(tag, [x + 1000]);
  });
  l.defineFunc(store, 'env', 'hcall', funcType([I32], [I32]), (c, x: number) => c.instance!.call('maybe', x)[0]);
  return l;
}

interface Outcome {
  out: unknown;
  fuel: number;
  g: unknown;
  peaks: unknown;
  stops: number;
}

/** What a call ends with, comparable across stores (an uncaught exception by its payload). */
function outcome(e: unknown): unknown {
  if (e instanceof WasmException) return `WasmException ${e.values.map(String).join(',')}`;
  if (e instanceof Trap) return `Trap: ${e.message}`;
  throw e;
}

/**
 * Runs `name(arg)` in a fresh store of `tier`: with `budget` undefined without stops; else from `budget` fuel,
 * refilled at each stop by `refill(needed)` (and, with `snap`, snapshotted and restored into a new store there).
 */
function call(tier: 'js' | 'interp', name: string, arg: number, budget?: number, refill = (n: number): number => n, snap = false): Outcome {
  const { out, store, inst, stops } = callThroughStops({
    tier,
    mod: MOD,
    linker,
    name,
    args: [arg],
    budget: budget ?? 1e9,
    refill: budget === undefined ? null : (stop) => refill(stop.needed),
    snap,
    outcome,
    first: false,
  });
  return { out, fuel: store.fuelConsumed, g: inst.global('g'), peaks: { ...store.peaks }, stops };
}

const CASES: [string, number][] = [
  ['tt_loop', 30],
  ['below', 30],
  ['to_loop', 30],
  ['to_func', 14],
  ['to_func', 5],
  ['ref_outer', 30],
  ['all_ref', 30],
  ['self_throw', 30],
  ['multi', 3],
  ['multi', 0],
  ['legacy', 30],
  ['delegate', 30],
  ['dead_body', 7],
  ['dead_body', 8],
  ['host', 20],
  ['through_host', 30],
  ['tail', 20],
  ['uncaught', 21],
  ['uncaught', 4],
  ['trap', 0],
  ['trap', 1],
  ['nested', 30],
];

describe('functions with handlers in the JS tier: the interpreter\'s results, fuel, peaks, stops', () => {
  for (const [name, arg] of CASES) {
    test(`${name}(${arg})`, () => {
      const want = call('interp', name, arg);
      const gen0 = jitStats.withHandlers;
      expect(call('js', name, arg), 'uninterrupted').toEqual(want);
      if (name !== 'nested') expect(jitStats.withHandlers, 'a function with handlers was generated').toBeGreaterThan(gen0);
      // (a stop inside the wasm call a host function makes cannot be resumed from outside)
      if (name === 'through_host') return;
      const starved = call('js', name, arg, 0);
      expect({ ...starved, stops: 0 }, 'starved').toEqual({ ...want, stops: 0 });
      expect(starved.stops).toBe(call('interp', name, arg, 0).stops);
      // stopped once at every budget (at most 300 of them, spread), then run to the end
      const total = want.fuel;
      const step = Math.max(1, Math.ceil(total / 300));
      for (let b = 0; b <= total; b += step) {
        const cut = call('js', name, arg, b, () => 1e9);
        expect({ ...cut, stops: 0 }, `budget ${b}`).toEqual({ ...want, stops: 0 });
      }
    });
  }
  test('snapshot and restore at every stop of a starved run, both tiers', () => {
    for (const [name, arg0] of CASES.filter(([n]) => n !== 'through_host' && n !== 'nested')) {
      const arg = Math.min(arg0, 10);
      const want = call('interp', name, arg);
      for (const tier of ['js', 'interp'] as const) expect({ ...call(tier, name, arg, 0, (n) => n, true), stops: 0 }, `${name} ${tier}`).toEqual({ ...want, stops: 0 });
    }
  });
});
