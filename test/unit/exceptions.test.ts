/**
 * Exceptions beyond what the spec suite checks: unwinding many frames,
 * exceptions leaving to the embedder and coming back through host
 * functions, fuel exactness around throw/catch (against hand counts of
 * docs/fuel.md's model), starved runs through handlers, profiles.
 */
import { describe, expect, test } from 'vitest';
import {
  ExnRef,
  F64,
  I32,
  I64,
  Linker,
  Module,
  OutOfFuel,
  Store,
  Tag,
  Trap,
  WasmException,
  funcType,
  type Instance,
} from '../../src/index.js';

const WAT = `(module
  (import "host" "throw" (func $host_throw (param i32)))
  (import "host" "call_back" (func $call_back (param i32) (result i32)))
  (tag $e (export "e") (param i32))
  (tag $big (export "big") (param i64 f64))
  (tag $other (export "other"))

  (func $thrower (export "thrower") (param i32)
    (local.get 0)
    (throw $e))

  ;; hand count: block, try_table, local.get, call = 4; thrower 2; i32.const, i32.add, end = 3
  (func (export "caught") (param i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h)
        (local.get 0)
        (call $thrower)
        (i32.const 5))
      (i32.const 7)
      (i32.add)
      (return))
    (i32.const 1)
    (i32.add))

  ;; legacy: try, local.get, call = 3; thrower 2; i32.const, i32.add, end, end = 4
  (func (export "legacy") (param i32) (result i32)
    (try (result i32)
      (do (local.get 0) (call $thrower) (i32.const 0))
      (catch $e (i32.const 10) (i32.add))))

  ;; no exception: try, i32.const, catch (falls through into it), end of the function = 4
  (func (export "legacy-none") (result i32)
    (try (result i32)
      (do (i32.const 3))
      (catch $e (drop) (i32.const 0))))

  ;; recursion n deep, then throw the depth reached; the catch is at the top
  (func $deep (param i32)
    (if (i32.eqz (local.get 0)) (then (throw $e (i32.const 99))))
    (call $deep (i32.sub (local.get 0) (i32.const 1))))
  (func (export "deep") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (call $deep (local.get 0)))
      (i32.const -1)))
  (func (export "deep-uncaught") (param i32) (call $deep (local.get 0)))

  (func (export "throw-big") (param i64 f64) (throw $big (local.get 0) (local.get 1)))

  ;; a loop that throws and catches n times, summing the payloads
  (func (export "loop") (param i32) (result i32) (local i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get 0)))
        (block $h (result i32)
          (try_table (catch $e $h) (call $thrower (local.get 0)))
          (i32.const 0))
        (local.set 1 (i32.add (local.get 1)))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (br $l)))
    (local.get 1))

  ;; the host function throws (a WasmException); catch it by tag
  (func (export "catch-host") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (call $host_throw (local.get 0)))
      (i32.const -1)))
  (func (export "catch-host-all") (param i32) (result i32)
    (block $h
      (try_table (catch_all $h) (call $host_throw (local.get 0)))
      (return (i32.const -1)))
    (i32.const 1))

  ;; wasm -> host -> wasm (throws) -> the exception crosses the host function back into this frame
  (func (export "through-host") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (drop (call $call_back (local.get 0))))
      (i32.const -1)))

  ;; catch_all_ref then throw_ref: the same exception object reaches the embedder
  (func (export "rethrow-ref") (param i32)
    (block $h (result exnref)
      (try_table (catch_all_ref $h) (call $thrower (local.get 0)))
      (return))
    (throw_ref))

  ;; a tail call to a throwing host function leaves this frame first: not caught here
  (func (export "tail-host") (param i32)
    (block $h (result i32)
      (try_table (catch $e $h) (return_call $host_throw (local.get 0)))
      (return))
    (drop))

  ;; block, try_table, throw; caught: i32.const, end = 5 (the nops after the try_table are never reached)
  (func (export "after-throw") (result i32)
    (block $h
      (try_table (catch_all $h)
        (throw $other))
      (nop) (nop) (nop))
    (i32.const 1))
  ;; the same with legacy rethrow: try, i32.const, throw (caught: drop), rethrow; outer catch_all: i32.const, end = 7
  (func (export "after-rethrow") (result i32)
    (try (result i32)
      (do
        (try
          (do (throw $e (i32.const 1)))
          (catch $e (drop) (rethrow 0)))
        (nop) (nop)
        (i32.const 0))
      (catch_all (i32.const 2))))

  (func (export "trap-not-caught") (result i32)
    (block $h
      (try_table (catch_all $h) (unreachable)))
    (i32.const 1))
)`;

const mod = Module.fromWat(WAT);

interface Env {
  store: Store;
  inst: Instance;
  tag: Tag;
}

/** Instantiates with host functions; `hostThrow` decides what the host `throw` import throws. */
function setup(fuel?: number, hostThrow?: (tag: Tag, x: number) => unknown, profile = false, consume = true): Env {
  const store = new Store(fuel === undefined ? { profile } : { fuel, profile });
  const linker = new Linker();
  let tag: Tag | null = null;
  let inst: Instance | null = null;
  linker.defineFunc(store, 'host', 'throw', funcType([I32]), (caller, x: number) => {
    if (consume) caller.consumeFuel(5);
    throw hostThrow ? hostThrow(tag!, x) : new WasmException(tag!, [x + 1000]);
  });
  linker.defineFunc(store, 'host', 'call_back', funcType([I32], [I32]), (caller, x: number) => {
    if (consume) caller.consumeFuel(3);
    return caller.instance!.call('deep-uncaught', x)[0];
  });
  inst = linker.instantiate(store, mod);
  tag = inst.getExport('e') as Tag;
  return { store, inst, tag };
}

/**
 * Runs a call starting from 0 fuel, adding `step` (or exactly what is needed) at every stop.
 * (The host functions consume no fuel of their own here: Caller.consumeFuel traps when it cannot pay.)
 */
function starved(name: string, args: unknown[], step: number): { r: unknown; fuel: number; stops: number } {
  const { store, inst } = setup(0, undefined, false, false);
  let stops = 0;
  let pending: OutOfFuel | null = null;
  let r: unknown;
  const attempt = (go: () => unknown[]): void => {
    try {
      r = go();
      pending = null;
    } catch (e) {
      if (e instanceof OutOfFuel) pending = e;
      else {
        r = e;
        pending = null;
      }
    }
  };
  attempt(() => inst.call(name, ...args));
  while (pending !== null) {
    stops++;
    const p: OutOfFuel = pending;
    store.addFuel(step === 0 ? p.needed : step);
    attempt(() => p.resume());
  }
  return { r, fuel: store.fuelConsumed, stops };
}

describe('exceptions: unwinding', () => {
  test('try_table catch in the caller, with the payload', () => {
    const { store, inst } = setup();
    expect(inst.call('caught', 41)).toEqual([42]);
    expect(store.fuelConsumed).toBe(4 + 2 + 3);
  });

  test('legacy try/catch', () => {
    const { store, inst } = setup();
    expect(inst.call('legacy', 5)).toEqual([15]);
    expect(store.fuelConsumed).toBe(3 + 2 + 4);
    const s2 = setup();
    expect(s2.inst.call('legacy-none')).toEqual([3]);
    expect(s2.store.fuelConsumed).toBe(4);
  });

  test('through many frames, caught at the top', () => {
    const { store, inst } = setup();
    expect(inst.call('deep', 500)).toEqual([99]);
    expect(store.machine.depth).toBe(0);
    // and again: nothing of the unwound frames is left
    expect(inst.call('deep', 3)).toEqual([99]);
  });

  test('uncaught: a WasmException with the tag and the payload, and the store is reusable', () => {
    const { store, inst, tag } = setup();
    let err: unknown;
    try {
      inst.call('deep-uncaught', 200);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WasmException);
    const we = err as WasmException;
    expect(we.tag).toBe(tag);
    expect(we.values).toEqual([99]);
    expect(we.exn).toBeInstanceOf(ExnRef);
    expect(store.machine.depth).toBe(0);
    expect(store.isSuspended).toBe(false);
    expect(inst.call('caught', 1)).toEqual([2]);
  });

  test('payload values of every numeric type; raw bits kept in the exnref', () => {
    const { inst } = setup();
    const nanBits = 0x7ff4000000000123n;
    const nan = new Float64Array(new BigUint64Array([nanBits]).buffer)[0]!;
    try {
      inst.call('throw-big', -5n, 2.5);
      expect.unreachable();
    } catch (e) {
      expect((e as WasmException).values).toEqual([-5n, 2.5]);
      expect((e as WasmException).tag).toBe(inst.getExport('big'));
    }
    try {
      inst.call('throw-big', 1n, nan);
    } catch (e) {
      const w = (e as WasmException).exn!.words;
      expect(new BigUint64Array(w.buffer, w.byteOffset + 16, 1)[0]).toBe(nanBits);
    }
  });

  test('the instructions after a throw in the same straight-line code are not charged', () => {
    const { store, inst } = setup();
    expect(inst.call('after-throw')).toEqual([1]);
    expect(store.fuelConsumed).toBe(5);
    const s2 = setup();
    expect(s2.inst.call('after-rethrow')).toEqual([2]);
    // try, try, i32.const, throw; drop, rethrow; i32.const, end (of the outer try), end (of the function)
    expect(s2.store.fuelConsumed).toBe(4 + 2 + 3);
  });

  test('a trap is not an exception: catch_all does not catch it', () => {
    const { inst } = setup();
    expect(() => inst.call('trap-not-caught')).toThrow(Trap);
  });

  test('throw_ref of a caught exnref: the same exception object reaches the embedder', () => {
    const { inst, tag } = setup();
    try {
      inst.call('rethrow-ref', 7);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(WasmException);
      expect((e as WasmException).tag).toBe(tag);
      expect((e as WasmException).values).toEqual([7]);
    }
  });
});

describe('exceptions: host functions', () => {
  test('a host function throws a WasmException; wasm catches it by tag', () => {
    const { store, inst } = setup();
    expect(inst.call('catch-host', 1)).toEqual([1001]);
    // block, try_table, local.get, call = 4; host call 1 + 5 consumed by the host; i32.const -1 not reached; end 1
    expect(store.fuelConsumed).toBe(4 + 1 + 5 + 1);
  });

  test('a tag the handler does not match propagates out as the same error object', () => {
    let thrown: WasmException | null = null;
    const { inst } = setup(undefined, (_tag) => {
      const other = inst.getExport('other') as Tag;
      thrown = new WasmException(other, []);
      return thrown;
    });
    let err: unknown;
    try {
      inst.call('catch-host', 1);
    } catch (e) {
      err = e;
    }
    expect(err).toBe(thrown);
    expect(inst.call('catch-host-all', 1)).toEqual([1]);
  });

  test('a tag made by the store', () => {
    const store = new Store();
    const t = store.tag(funcType([I64]));
    const m = Module.fromWat(`(module
      (tag $t (import "h" "t") (param i64))
      (import "h" "f" (func $f))
      (func (export "run") (result i64)
        (block $h (result i64)
          (try_table (catch $t $h) (call $f))
          (i64.const 0))))`);
    const linker = new Linker();
    linker.define('h', 't', t);
    linker.defineFunc(store, 'h', 'f', funcType([]), () => {
      throw new WasmException(t, [123n]);
    });
    expect(linker.instantiate(store, m).call('run')).toEqual([123n]);
    expect(() => store.tag(funcType([], [F64]))).toThrow();
  });

  test('a host function that traps keeps the fuel it consumed (and its host call)', () => {
    const { store, inst } = setup(undefined, () => new Trap('host trap'));
    expect(() => inst.call('catch-host-all', 1)).toThrow('host trap');
    // block, try_table, local.get, call = 4; host call 1 + 5
    expect(store.fuelConsumed).toBe(4 + 1 + 5);
  });

  test('other host errors are not catchable', () => {
    const { inst } = setup(undefined, () => new Error('boom'));
    expect(() => inst.call('catch-host-all', 1)).toThrow(/boom/);
  });

  test('wasm -> host -> wasm: an exception uncaught in the nested call crosses the host function', () => {
    const { store, inst } = setup();
    expect(inst.call('through-host', 4)).toEqual([99]);
    expect(store.machine.depth).toBe(0);
    // outer: block, try_table, local.get, call = 4; host 1 + 3; nested deep-uncaught(4):
    // local.get, call = 2; $deep x5: 4 levels recurse (local.get, i32.eqz, if, local.get, i32.const, i32.sub, call = 7)
    // and the last: local.get, i32.eqz, if, i32.const, throw = 5; outer after the catch: end = 1
    expect(store.fuelConsumed).toBe(4 + 1 + 3 + 2 + 4 * 7 + 5 + 1);
  });

  test('a tail call to a throwing host function: the calling frame is gone, its handler does not apply', () => {
    const { inst } = setup();
    expect(() => inst.call('tail-host', 1)).toThrow(WasmException);
  });
});

describe('exceptions: fuel', () => {
  const cases: [string, unknown[]][] = [
    ['caught', [41]],
    ['legacy', [5]],
    ['legacy-none', []],
    ['deep', [30]],
    ['loop', [20]],
    ['catch-host', [2]],
    ['deep-uncaught', [10]],
    // (not through-host: a nested call that stops inside a host function cannot be resumed)
  ];
  for (const [name, args] of cases) {
    test(`starved runs of ${name} equal an uninterrupted run`, () => {
      const { store, inst } = setup(undefined, undefined, false, false);
      let expected: unknown;
      try {
        expected = inst.call(name, ...args);
      } catch (e) {
        expected = e;
      }
      const fuel = store.fuelConsumed;
      for (const step of [0, 1, 3, 11]) {
        const got = starved(name, args, step);
        if (expected instanceof WasmException) {
          expect(got.r).toBeInstanceOf(WasmException);
          expect((got.r as WasmException).values).toEqual(expected.values);
        } else expect(got.r).toEqual(expected);
        expect(got.fuel).toBe(fuel);
        if (step === 0) expect(got.stops).toBeGreaterThan(0);
      }
    });
  }

  test('out of fuel exactly at the handler target, then resumed', () => {
    // caught(41) costs 9: the first 6 reach the throw; the handler's target block needs 3 more
    const { store, inst } = setup(6);
    let stop: OutOfFuel | null = null;
    try {
      inst.call('caught', 41);
    } catch (e) {
      stop = e as OutOfFuel;
    }
    expect(stop).toBeInstanceOf(OutOfFuel);
    expect(store.fuelConsumed).toBe(6);
    store.addFuel(3);
    expect(stop!.resume()).toEqual([42]);
    expect(store.fuelConsumed).toBe(9);
    expect(store.fuelRemaining).toBe(0);
  });

  test('profile: unwound frames are exited; self fuel adds up to the total consumed', () => {
    const { store, inst } = setup(undefined, undefined, true);
    inst.call('deep', 10);
    inst.call('loop', 5);
    const rows = store.profile()!;
    const self = rows.reduce((a, r) => a + r.self, 0);
    expect(self).toBe(store.fuelConsumed);
    // deep(10): 11 activations of $deep, all exited when the exception reached the top
    expect(rows.find((r) => r.calls === 11)).toBeDefined();
  });
});
