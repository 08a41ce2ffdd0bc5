/**
 * Resumable stops other than plain OutOfFuel: host suspension (also through
 * a tail call), deadline / AbortSignal interrupts, abandoning a stopped call,
 * start functions that stop, and the per-function profile.
 */
import { describe, expect, test } from 'vitest';
import {
  HostSuspended,
  I32,
  Interrupted,
  Linker,
  Module,
  OutOfFuel,
  Store,
  WasmeterError,
  funcType,
  type Instance,
} from '../../src/index.js';
import { WasmFunc } from '../../src/runtime/objects/func.js';
import { FuelStop, NOT_STOPPED } from '../../src/runtime/store.js';

/** Runs `f`, answering every stop with `answer` until it finishes; returns the results and the number of stops. */
function drive(f: () => unknown[], answer: (e: unknown) => unknown[]): { results: unknown[]; stops: number } {
  let stops = 0;
  let next: () => unknown[] = f;
  for (;;) {
    try {
      return { results: next(), stops };
    } catch (e) {
      if (!(e instanceof OutOfFuel || e instanceof Interrupted || e instanceof HostSuspended)) throw e;
      stops++;
      next = () => answer(e);
    }
  }
}

const ASK = `(module
  (import "env" "ask" (func $ask (param i32) (result i32)))
  (global $g (export "g") (mut i32) (i32.const 0))
  (func $tail (param i32) (result i32) (return_call $ask (local.get 0)))
  (func (export "sum") (param i32) (result i32) (local i32)
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get 0)))
      (local.set 1 (i32.add (local.get 1) (call $ask (local.get 0))))
      (global.set $g (i32.add (global.get $g) (i32.const 1)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br $l)))
    (local.get 1))
  (func (export "viaTail") (param i32) (result i32) (i32.mul (call $tail (local.get 0)) (i32.const 2))))`;

function askInstance(store: Store, suspend: boolean): Instance {
  const linker = new Linker();
  linker.defineFunc(store, 'env', 'ask', funcType([I32], [I32]), (caller, q: number) => (suspend ? caller.suspend(q) : q * 10));
  return linker.instantiate(store, Module.fromWat(ASK));
}

/** Answers an OutOfFuel with 2 more fuel, a host suspension with ten times its payload (askInstance's host). */
const refillOrAnswer =
  (store: Store) =>
  (e: unknown): unknown[] => {
    if (e instanceof OutOfFuel) {
      store.addFuel(2);
      return e.resume();
    }
    const s = e as HostSuspended;
    return s.resume((s.payload as number) * 10);
  };

describe('host suspension', () => {
  test('a suspended call resumes with the host results and ends as an uninterrupted run', () => {
    const plain = new Store();
    const expected = askInstance(plain, false).call('sum', 5);
    const store = new Store();
    const inst = askInstance(store, true);
    const payloads: unknown[] = [];
    const r = drive(
      () => inst.call('sum', 5),
      (e) => {
        const s = e as HostSuspended;
        expect(s.func).toBe('env.ask');
        payloads.push(s.payload);
        return s.resume((s.payload as number) * 10);
      },
    );
    expect(r.results).toEqual(expected);
    expect(payloads).toEqual([5, 4, 3, 2, 1]);
    expect(inst.global('g')).toBe(5);
    expect(store.fuelConsumed).toBe(plain.fuelConsumed);
    expect(store.isSuspended).toBe(false);
  });

  test('suspension inside a tail-called host function returns through the tail call', () => {
    const store = new Store();
    const inst = askInstance(store, true);
    const r = drive(
      () => inst.call('viaTail', 21),
      (e) => (e as HostSuspended).resume(1),
    );
    expect(r).toEqual({ results: [2], stops: 1 });
    const plain = new Store();
    askInstance(plain, false).call('viaTail', 21);
    expect(store.fuelConsumed).toBe(plain.fuelConsumed);
  });

  test('suspension combines with out-of-fuel stops', () => {
    const plain = new Store();
    const expected = askInstance(plain, false).call('sum', 4);
    const store = new Store({ fuel: 3 });
    const inst = askInstance(store, true);
    const r = drive(() => inst.call('sum', 4), refillOrAnswer(store));
    expect(r.results).toEqual(expected);
    expect(store.fuelConsumed).toBe(plain.fuelConsumed);
  });

  test('new calls share one not-stopped stop, which no stop of any kind changes', () => {
    // (a call's stop is replaced when it stops, never written in place: every call starts with the same object)
    const before = structuredClone(NOT_STOPPED);
    const store = new Store({ fuel: 3 });
    const inst = askInstance(store, true);
    for (let round = 0; round < 2; round++) {
      const r = drive(() => inst.call('sum', 3), refillOrAnswer(store));
      expect(r.results).toEqual([60]);
      expect(r.stops).toBeGreaterThan(3);
      expect(NOT_STOPPED).toEqual(before);
    }
    expect(before).toEqual({ kind: 'fuel', reason: undefined, next: { k: 'start' } });
  });

  test('a host function called directly by the embedder cannot suspend', () => {
    const store = new Store();
    const f = store.func(funcType([], []), (caller) => caller.suspend());
    expect(() => store.invoke(f, [])).toThrow(WasmeterError);
  });
});

const SPIN = `(module
  (func (export "spin") (param i32) (result i32)
    (loop $l (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1))))) (local.get 0)))`;

describe('interrupts', () => {
  test('an aborted signal stops the call between fuel slices; resume continues exactly', () => {
    const plain = new Store();
    new Linker().instantiate(plain, Module.fromWat(SPIN)).call('spin', 50_000);
    const ac = new AbortController();
    const store = new Store({ interrupt: { signal: ac.signal, checkEvery: 1000 } });
    const inst = new Linker().instantiate(store, Module.fromWat(SPIN));
    ac.abort();
    let stops = 0;
    const r = drive(
      () => inst.call('spin', 50_000),
      (e) => {
        const i = e as Interrupted;
        expect(i.reason).toBe('aborted');
        stops++;
        // a fresh signal each time, aborted again after a few slices' worth of work
        const next = new AbortController();
        store.interrupt = { signal: next.signal, checkEvery: 1000 };
        if (stops < 5) next.abort();
        return i.resume();
      },
    );
    expect(r.results).toEqual([0]);
    expect(store.fuelConsumed).toBe(plain.fuelConsumed);
  });

  test('slicing does not change fuel consumed, metered or not, whatever the slice', () => {
    const plain = new Store({ fuel: 1_000_000 });
    new Linker().instantiate(plain, Module.fromWat(SPIN)).call('spin', 3000);
    for (const checkEvery of [1, 7, 100, 5000]) {
      const store = new Store({ fuel: 1_000_000, interrupt: { deadline: Date.now() + 60_000, checkEvery } });
      expect(new Linker().instantiate(store, Module.fromWat(SPIN)).call('spin', 3000)).toEqual([0]);
      expect(store.fuelConsumed).toBe(plain.fuelConsumed);
      expect(store.fuelRemaining).toBe(plain.fuelRemaining);
    }
  });

  test('running out of fuel while sliced is an OutOfFuel with the true remaining fuel', () => {
    const store = new Store({ fuel: 2500, interrupt: { deadline: Date.now() + 60_000, checkEvery: 100 } });
    const inst = new Linker().instantiate(store, Module.fromWat(SPIN));
    try {
      inst.call('spin', 3000);
      expect.fail('should run out of fuel');
    } catch (e) {
      expect(e).toBeInstanceOf(OutOfFuel);
      const o = e as OutOfFuel;
      expect(o.consumed + o.remaining).toBe(2500);
      expect(o.remaining).toBeLessThan(o.needed);
      store.addFuel(1_000_000);
      expect(o.resume()).toEqual([0]);
    }
  });
});

describe('abandoning a stopped call', () => {
  test('abandon drops the stopped call; its resume then throws; the store runs other calls', () => {
    const store = new Store({ fuel: 10 });
    const inst = new Linker().instantiate(store, Module.fromWat(SPIN));
    let stop: OutOfFuel | undefined;
    try {
      inst.call('spin', 1000);
    } catch (e) {
      stop = e as OutOfFuel;
    }
    expect(stop).toBeInstanceOf(OutOfFuel);
    expect(store.isSuspended).toBe(true);
    expect(() => inst.call('spin', 1)).toThrow(/suspended/);
    store.abandon();
    expect(store.isSuspended).toBe(false);
    store.addFuel(1000);
    expect(() => stop!.resume()).toThrow(/abandoned/);
    expect(inst.call('spin', 3)).toEqual([0]);
    expect(store.machine.depth).toBe(0);
  });

  test('a stop resumed twice is refused the second time', () => {
    const store = new Store({ fuel: 5 });
    const inst = new Linker().instantiate(store, Module.fromWat(SPIN));
    let stop: OutOfFuel | undefined;
    try {
      inst.call('spin', 10);
    } catch (e) {
      stop = e as OutOfFuel;
    }
    store.addFuel(1000);
    expect(stop!.resume()).toEqual([0]);
    expect(() => stop!.resume()).toThrow(/abandoned or already resumed/);
  });
});

describe('start functions that stop', () => {
  test('resuming the OutOfFuel of an instantiation returns [instance]', () => {
    const wat = `(module (global $g (export "g") (mut i32) (i32.const 0))
      (func $start (local i32) (local.set 0 (i32.const 100))
        (loop $l (global.set $g (i32.add (global.get $g) (i32.const 1)))
          (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1))))))
      (start $start))`;
    const store = new Store({ fuel: 20 });
    let inst: Instance | undefined;
    const r = drive(
      () => [new Linker().instantiate(store, Module.fromWat(wat))],
      (e) => {
        store.addFuel(50);
        return (e as OutOfFuel).resume();
      },
    );
    inst = r.results[0] as Instance;
    expect(r.stops).toBeGreaterThan(3);
    expect(inst.global('g')).toBe(100);
  });
});

describe('profile', () => {
  test('self fuel adds up to the fuel consumed; recursion counts total once', () => {
    const store = new Store({ profile: true });
    const inst = new Linker().instantiate(
      store,
      Module.fromWat(`(module
        (func $fib (export "fib") (param i32) (result i32)
          (if (result i32) (i32.lt_u (local.get 0) (i32.const 2)) (then (local.get 0))
            (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1))) (call $fib (i32.sub (local.get 0) (i32.const 2))))))))`),
    );
    expect(inst.call('fib', 12)).toEqual([144]);
    const rows = store.profile()!;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ name: 'fib', calls: 465, self: store.fuelConsumed, total: store.fuelConsumed });
  });

  test('host functions get their own row; a trap unwinds the profile', () => {
    const store = new Store({ profile: true });
    const linker = new Linker();
    linker.defineFunc(store, 'env', 'h', funcType([], []), (caller) => caller.consumeFuel(7));
    const inst = linker.instantiate(
      store,
      Module.fromWat(`(module (import "env" "h" (func $h))
        (func $inner (call $h) (unreachable))
        (func (export "run") (call $h))
        (func (export "bad") (call $inner)))`),
    );
    inst.call('run');
    expect(() => inst.call('bad')).toThrow('unreachable');
    inst.call('run');
    const rows = Object.fromEntries(store.profile()!.map((r) => [r.name, r]));
    expect(rows['env.h']).toMatchObject({ calls: 3, self: 3 * (1 + 7) });
    expect(rows['run']!.calls).toBe(2);
    expect(rows['bad']!.total).toBe(rows['bad']!.self + rows['inner']!.total);
    const selfSum = store.profile()!.reduce((a, r) => a + r.self, 0);
    expect(selfSum).toBe(store.fuelConsumed);
    expect(new Store().profile()).toBeNull();
  });
});

describe('stops returned, not thrown (Store.invokeOrStop, for starved runs)', () => {
  // a function that calls another and loops: stops in both, at every instruction when starved
  const WAT = `(module
    (func $dec (param i32) (result i32) (i32.sub (local.get 0) (i32.const 1)))
    (func (export "run") (param i32) (result i32) (local i32)
      (loop $l
        (local.set 1 (i32.add (local.get 1) (local.get 0)))
        (br_if $l (local.tee 0 (call $dec (local.get 0)))))
      (local.get 1)))`;
  type Stop = [consumed: number, remaining: number, needed: number];

  for (const tier of ['js', 'interp'] as const) {
    test(`${tier} tier: the same stops, figures and results as thrown OutOfFuel stops`, () => {
      const thrown = new Store({ fuel: 0, tier });
      const f1 = new Linker().instantiate(thrown, Module.fromWat(WAT)).raw.exports.get('run') as WasmFunc;
      const want: Stop[] = [];
      const r1 = drive(
        () => thrown.invoke(f1, [20]),
        (e) => {
          const o = e as OutOfFuel;
          want.push([o.consumed, o.remaining, o.needed]);
          thrown.addFuel(o.needed - o.remaining);
          return o.resume();
        },
      );
      const store = new Store({ fuel: 0, tier });
      const f2 = new Linker().instantiate(store, Module.fromWat(WAT)).raw.exports.get('run') as WasmFunc;
      const got: Stop[] = [];
      let r = store.invokeOrStop(f2, [20]);
      while (r instanceof FuelStop) {
        got.push([r.consumed, r.remaining, r.needed]);
        expect(store.isSuspended).toBe(true);
        store.addFuel(r.needed - r.remaining);
        r = r.resume();
      }
      expect(r).toEqual(r1.results);
      expect(r).toEqual([210]);
      expect(got).toEqual(want);
      expect(got.length).toBeGreaterThan(100);
      expect(store.fuelConsumed).toBe(thrown.fuelConsumed);
      expect(store.isSuspended).toBe(false);
    });
  }

  test('an abandoned FuelStop cannot resume; a call resumed once cannot resume again', () => {
    const store = new Store({ fuel: 5 });
    const f = new Linker().instantiate(store, Module.fromWat(WAT)).raw.exports.get('run') as WasmFunc;
    const stop = store.invokeOrStop(f, [10]);
    expect(stop).toBeInstanceOf(FuelStop);
    store.abandon();
    expect(() => (stop as FuelStop).resume()).toThrow(/abandoned or already resumed/);
    const again = store.invokeOrStop(f, [10]) as FuelStop;
    store.addFuel(10_000);
    expect(again.resume()).toEqual([55]);
    expect(() => again.resume()).toThrow(/abandoned or already resumed/);
  });

  test('interrupts and stops of a nested call made by a host function are still thrown', () => {
    const ac = new AbortController();
    ac.abort();
    const store = new Store({ fuel: 1000, interrupt: { signal: ac.signal } });
    const f = new Linker().instantiate(store, Module.fromWat(WAT)).raw.exports.get('run') as WasmFunc;
    expect(() => store.invokeOrStop(f, [3])).toThrow(Interrupted);
    store.abandon();
    store.interrupt = null;
    // the host function's nested call runs out of fuel: its stop unwinds the host function, so it is thrown
    const linker = new Linker();
    linker.defineFunc(store, 'env', 'nested', funcType([], [I32]), () => (store.invokeOrStop(f, [1000]) as unknown[])[0] as number);
    const outer = linker.instantiate(store, Module.fromWat(`(module (import "env" "nested" (func $n (result i32)))
      (func (export "outer") (result i32) (call $n)))`)).raw.exports.get('outer') as WasmFunc;
    expect(() => store.invokeOrStop(outer, [])).toThrow(OutOfFuel);
  });
});
