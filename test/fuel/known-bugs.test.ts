/**
 * Regression tests: minimal repros of discrepancies between wasmeter and
 * docs/fuel.md that the fuel property tests found (all fixed): a failing
 * memory.grow / table.grow stopped the run for a surcharge it never pays; a
 * host function that threw got its call's fuel refunded; memory64
 * memory.grow dropped the high word of the page count.
 */
import { describe, expect, test } from 'vitest';
import { Linker, Module, OutOfFuel, Store, Trap, funcType } from '../../src/index.js';

function run(store: Store, wat: string, name: string, ...args: unknown[]): unknown[] {
  return new Linker().instantiate(store, Module.fromWat(wat)).call(name, ...args);
}

describe('known discrepancies with the fuel model', () => {
  // "A memory.grow that fails (returns -1) pays no surcharge", and a run stops only before an
  // instruction or surcharge it cannot pay. exec.ts (Op.MEMORY_GROW) stops whenever the fuel left
  // is below memoryGrowPage * n, before knowing whether the grow succeeds: a failing grow of
  // 0xffffffff pages demands 4294967295 fuel that is then never charged.
  const GROW = `(module (memory 1 2)
    (func (export "f") (result i32) (drop (memory.grow (i32.const 1000))) (i32.const 7)))`;

  test('unmetered, the failing grow costs its instructions only', () => {
    const store = new Store();
    expect(run(store, GROW, 'f')).toEqual([7]);
    expect(store.fuelConsumed).toBe(5); // i32.const memory.grow drop i32.const end
  });

  test('a failing memory.grow does not stop a run that can pay for its instructions', () => {
    const store = new Store({ fuel: 10 });
    let stop: OutOfFuel | undefined;
    try {
      expect(run(store, GROW, 'f')).toEqual([7]);
    } catch (e) {
      if (!(e instanceof OutOfFuel)) throw e;
      stop = e; // today: consumed 2, remaining 8, needed 1000
    }
    expect(stop).toBeUndefined();
    expect(store.fuelConsumed).toBe(5);
  });

  // the same in misc.ts (table.grow): the element surcharge is demanded before the grow fails
  test('a failing table.grow does not stop a run that can pay for its instructions', () => {
    const store = new Store({ fuel: 10 });
    const wat = `(module (table 1 2 funcref)
      (func (export "f") (result i32) (drop (table.grow (ref.null func) (i32.const 1000))) (i32.const 7)))`;
    expect(run(store, wat, 'f')).toEqual([7]); // today: OutOfFuel, needed 62
    expect(store.fuelConsumed).toBe(6);
  });

  // exec.ts: when a host function throws, the run loop's catch saves its local fuel counter, read
  // before the host call, over the machine's: the host-call surcharge, what the host charged with
  // caller.consumeFuel and any wasm it re-entered are all given back, and the profile shows the
  // caller with a negative self.
  const HOST = `(module
    (import "env" "host" (func $host))
    (func (export "run") (call $host))
    (func (export "work") (local i32)
      (local.set 0 (i32.const 100))
      (loop (br_if 0 (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))))`;
  function hostThrows(what: 'nothing' | 'consume' | 'reenter', fuel?: number): Store {
    const store = new Store({ fuel, profile: true });
    const linker = new Linker().defineFunc(store, 'env', 'host', funcType([], []), (caller) => {
      if (what === 'consume') caller.consumeFuel(5);
      if (what === 'reenter') caller.instance!.call('work');
      throw new Trap('host trap');
    });
    const inst = linker.instantiate(store, Module.fromWat(HOST));
    expect(() => inst.call('run')).toThrow('host trap');
    return store;
  }

  test('a host function that traps keeps the host-call surcharge', () => {
    // call (1) + host call (1)
    expect(hostThrows('nothing').fuelConsumed).toBe(2); // today: 1
  });
  test('a host function that traps keeps what it charged with caller.consumeFuel', () => {
    expect(hostThrows('consume', 1000).fuelConsumed).toBe(7); // today: 1
  });
  test('a host function that traps keeps the fuel of the wasm it ran', () => {
    const store = hostThrows('reenter');
    expect(store.fuelConsumed).toBe(2 + 505); // today: 1
    expect(store.profile()!.every((r) => r.self >= 0)).toBe(true); // today: run has self -505
  });
  test('a host function that returns keeps all of it', () => {
    const store = new Store({ fuel: 1000 });
    const linker = new Linker().defineFunc(store, 'env', 'host', funcType([], []), (caller) => caller.consumeFuel(5));
    linker.instantiate(store, Module.fromWat(HOST)).call('run');
    expect(store.fuelConsumed).toBe(1 + 1 + 5 + 1); // call, host call, consumeFuel, end
  });

  // Not fuel, found while reading Op.MEMORY_GROW: for an i64 memory the page count is computed as
  // `lo >>> 0 + hi * 2 ** 32`, which parses as `lo >>> (0 + hi * 2 ** 32)`, i.e. the high word is
  // dropped: a grow by 2^32 pages is a grow by 0 pages and returns the old size instead of -1.
  test('memory64: memory.grow by 2^32 pages fails', () => {
    const store = new Store();
    const wat = `(module (memory i64 1) (func (export "g") (result i64) (memory.grow (i64.const 0x100000000))))`;
    expect(run(store, wat, 'g')).toEqual([-1n]); // today: [1n]
  });
  test('memory64: memory.grow by 2^32 + 1 pages fails rather than growing by 1', () => {
    const store = new Store();
    const wat = `(module (memory i64 1) (func (export "g") (result i64 i64)
      (memory.grow (i64.const 0x100000001)) (memory.size)))`;
    expect(run(store, wat, 'g')).toEqual([-1n, 1n]); // today: [1n, 2n]
  });
});
