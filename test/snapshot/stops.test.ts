/**
 * Stops and stores at the edges of snapshots: a call stopped inside a nested
 * call (a host function called wasm) is refused with a SnapshotError that says
 * why and what to do, and nothing else of the store changes; a start function
 * that stopped resumes into its instance; memory64, shared and 1-byte-page
 * memories travel sparsely; a run stopped in one tier goes on in the other;
 * a store's own TypeRegistry is carried (named, and supplied again or made
 * anew), never mixed with another; every stop of a program with exceptions,
 * exnrefs, GC objects, host and indirect calls snapshots and resumes.
 */
import { describe, expect, test } from 'vitest';
import { funcType, HostSuspended, I32, Instance, Interrupted, Linker, Module, OutOfFuel, SnapshotError, Store } from '../../src/index.js';
import { TypeRegistry } from '../../src/validate/types.js';

const NESTED = `(module
  (import "host" "back" (func $back (param i32) (result i32)))
  (import "host" "ask" (func $ask (result i32)))
  (global $g (export "g") (mut i32) (i32.const 0))
  (func $spin (export "spin") (param $n i32) (result i32) (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (global.set $g (local.get $i))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i))
  (func (export "asks") (result i32) (call $ask))
  (func (export "outer") (param i32) (result i32) (i32.add (call $back (local.get 0)) (i32.const 1))))`;

type Mode = 'fuel' | 'suspend' | 'interrupt' | 'inside' | 'swallow';

/** The host functions of NESTED for a restored store (they are not called again). */
const restoreLinker = (s: Store): Linker => {
  const l = new Linker();
  l.defineFunc(s, 'host', 'back', funcType([I32], [I32]), () => 0);
  l.defineFunc(s, 'host', 'ask', funcType([], [I32]), () => 0);
  return l;
};

/** `outer` calls the host function `back`, which calls wasm (the nested call) that stops as `mode` says. */
function nested(mode: Mode): { store: Store; inst: Instance; thrown: unknown; inside: unknown } {
  const abort = new AbortController();
  const store = new Store({ fuel: 500, interrupt: { signal: abort.signal } });
  const linker = new Linker();
  let inst!: Instance;
  let inside: unknown = null;
  linker.defineFunc(store, 'host', 'back', funcType([I32], [I32]), (_c, n: number) => {
    if (mode === 'suspend') return inst.call('asks')[0];
    if (mode === 'interrupt') abort.abort();
    if (mode === 'swallow') {
      // the host function gives up the nested call's stop and returns: the outer call goes on and stops itself
      try {
        return inst.call('spin', n)[0];
      } catch {
        return -1;
      }
    }
    if (mode === 'inside') {
      try {
        return inst.call('spin', n)[0];
      } catch (e) {
        // the nested call stopped and is parked while this host function still runs: snapshot here
        try {
          store.snapshot();
        } catch (se) {
          inside = se;
        }
        throw e;
      }
    }
    return inst.call('spin', n)[0];
  });
  linker.defineFunc(store, 'host', 'ask', funcType([], [I32]), (c) => c.suspend({ q: 1 }));
  inst = linker.instantiate(store, Module.fromWat(NESTED));
  let thrown: unknown = null;
  try {
    inst.call('outer', 100_000);
  } catch (e) {
    thrown = e;
  }
  return { store, inst, thrown, inside };
}

describe('a stop inside a nested call (host function -> wasm)', () => {
  const cases: [Mode, Function, RegExp][] = [
    ['fuel', OutOfFuel, /ran out of fuel/],
    ['suspend', HostSuspended, /was suspended by a host function/],
    ['interrupt', Interrupted, /was interrupted/],
  ];
  for (const [mode, cls, what] of cases) {
    test(`${mode}: the stop reaches the embedder, the snapshot is a SnapshotError saying why and what to do`, () => {
      const { store, inst, thrown } = nested(mode);
      expect(thrown).toBeInstanceOf(cls);
      const g = inst.global('g');
      let err: unknown = null;
      try {
        store.snapshot();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SnapshotError);
      const m = (err as Error).message;
      expect(m).toMatch(/a call made from inside a host function \(a nested call\)/);
      expect(m).toMatch(what);
      expect(m).toMatch(/lost with the outer call/);
      expect(m).toMatch(/cannot capture the host function's JavaScript frame/);
      expect(m).toMatch(/store\.abandon\(\)/);
      // refused, not half-done: the store is unchanged, and after abandon() it snapshots as it is (no call)
      expect(inst.global('g')).toBe(g);
      expect(() => store.snapshot()).toThrow(SnapshotError);
      store.abandon();
      const r = Store.restore(store.snapshot(), { linker: restoreLinker });
      expect(r.stop).toBeNull();
      expect(r.instances[0]!.global('g')).toBe(g);
    });
  }

  test('snapshotting from the host function while the nested call is parked names that case', () => {
    const { thrown, inside } = nested('inside');
    expect(thrown).toBeInstanceOf(OutOfFuel);
    expect(inside).toBeInstanceOf(SnapshotError);
    expect((inside as Error).message).toMatch(/nested call\) ran out of fuel; its frames wait above the host function, which is still running/);
  });

  test('a nested stop the host function gave up: the outer call goes on, and its own stop snapshots', () => {
    const { store, inst, thrown } = nested('swallow');
    // (the nested call took all the fuel: the outer call stops right after the host function returned -1)
    expect(thrown).toBeInstanceOf(OutOfFuel);
    const r = Store.restore(store.snapshot(), { linker: restoreLinker });
    r.store.addFuel(100);
    expect(r.stop!.resume()).toEqual([0]);
    store.addFuel(100);
    expect((thrown as OutOfFuel).resume()).toEqual([0]);
    expect(r.instances[0]!.global('g')).toBe(inst.global('g'));
    expect(r.store.fuelConsumed).toBe(store.fuelConsumed);
  });

  test('the next call of the embedder clears the lost stop', () => {
    const { store, inst } = nested('fuel');
    store.addFuel(1_000_000);
    expect(inst.call('spin', 3)).toEqual([3]);
    expect(Store.restore(store.snapshot(), { linker: restoreLinker }).instances[0]!.global('g')).toBe(3);
  });
});

const START = `(module (memory (export "m") 1) (global $g (export "g") (mut i32) (i32.const 0))
  (func $init (local $i i32)
    (loop $l
      (i32.store (i32.mul (local.get $i) (i32.const 4)) (i32.mul (local.get $i) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 300))))
    (global.set $g (local.get $i)))
  (start $init)
  (func (export "get") (result i32) (global.get $g)))`;

describe('a start function that stopped', () => {
  for (const tier of ['interp', 'js'] as const)
    test(`snapshots, restores and resumes into its instance (${tier})`, () => {
      const mod = Module.fromWat(START);
      const ref = new Store({ fuel: 1_000_000, tier });
      const want = new Linker().instantiate(ref, mod);
      const store = new Store({ fuel: 700, tier });
      expect(() => new Linker().instantiate(store, mod)).toThrow(OutOfFuel);
      const r = Store.restore(store.snapshot(), { store: { tier: tier === 'js' ? 'interp' : 'js' } });
      expect(r.stop).toBeInstanceOf(OutOfFuel);
      r.store.addFuel(1_000_000 - 700);
      const [inst] = r.stop!.resume() as [Instance];
      expect(inst).toBeInstanceOf(Instance);
      expect(r.store.fuelConsumed).toBe(ref.fuelConsumed);
      expect(inst.call('get')).toEqual([300]);
      expect(Buffer.from(inst.memory('m')!.u8).equals(Buffer.from(want.memory('m')!.u8))).toBe(true);
      expect(r.store.peaks).toEqual(ref.peaks);
    });
});

describe('memories', () => {
  test('memory64, shared and 1-byte-page memories travel, sparse (untouched 64 KiB chunks cost nothing)', () => {
    const mod = Module.fromWat(`(module
      (memory $a (export "a") i64 40)
      (memory $s (export "s") 2 64 shared)
      (memory $b (export "b") 3 (pagesize 1))
      (func (export "w")
        (i64.store $a (i64.const 0) (i64.const 1))
        (i64.store $a (i64.const 2621432) (i64.const -7))
        (i32.store $s (i32.const 65540) (i32.const 99))
        (i32.store8 $b (i32.const 2) (i32.const 5))))`);
    const store = new Store();
    const inst = new Linker().instantiate(store, mod);
    inst.call('w');
    const bytes = store.snapshot();
    // three touched chunks of 64 KiB (two in $a, one in $s) and the 3-byte memory
    expect(bytes.length).toBeGreaterThan(3 * 65536);
    expect(bytes.length).toBeLessThan(3 * 65536 + 4096);
    const r = Store.restore(bytes);
    const i = r.instances[0]!;
    expect(i.memory('a')!.byteLength).toBe(40 * 65536);
    expect(i.memory('a')!.readI64(0)).toBe(1n);
    expect(i.memory('a')!.readI64(2621432)).toBe(-7n);
    expect(i.memory('s')!.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(i.memory('s')!.readI32(65540)).toBe(99);
    expect(i.memory('b')!.byteLength).toBe(3);
    expect(Array.from(i.memory('b')!.u8)).toEqual([0, 0, 5]);
    for (const n of ['a', 's', 'b']) expect(Buffer.from(i.memory(n)!.u8).equals(Buffer.from(inst.memory(n)!.u8))).toBe(true);
  });
});

const LOOP = `(module (memory (export "m") 1) (global $g (export "g") (mut i32) (i32.const 0))
  (func $sq (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
  (func (export "run") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc) (call $sq (local.get $i))))
      (i32.store (i32.and (i32.mul (local.get $i) (i32.const 4)) (i32.const 0xfffc)) (local.get $acc))
      (global.set $g (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc)))`;

describe('tiers', () => {
  for (const [from, to] of [
    ['js', 'interp'],
    ['interp', 'js'],
  ] as const)
    test(`stopped in the ${from} tier, resumed in the ${to} tier, hop after hop`, () => {
      const mod = Module.fromWat(LOOP);
      const ref = new Store({ fuel: 10_000_000, tier: from });
      const want = new Linker().instantiate(ref, mod).call('run', 20_000);
      let store = new Store({ fuel: 33_333, tier: from });
      let inst = new Linker().instantiate(store, mod);
      let go = (): unknown[] => inst.call('run', 20_000);
      let tier: 'js' | 'interp' = from;
      let hops = 0;
      let got: unknown[];
      for (;;) {
        try {
          got = go();
          break;
        } catch (e) {
          if (!(e instanceof OutOfFuel)) throw e;
          // each hop goes to the other tier
          tier = tier === 'js' ? 'interp' : 'js';
          const r = Store.restore(store.snapshot(), { store: { tier } });
          expect(r.store.machine.jitOn).toBe(tier === 'js');
          hops++;
          store = r.store;
          inst = r.instances[0]!;
          store.addFuel(33_333);
          go = () => r.stop!.resume();
        }
      }
      expect(hops).toBeGreaterThan(3);
      expect(got).toEqual(want);
      expect(store.fuelConsumed).toBe(ref.fuelConsumed);
      expect(store.peaks).toEqual(ref.peaks);
      expect(inst.global('g')).toBe(19_999);
    });
});

const GC = `(module
  (type $s (struct (field (mut i32))))
  (global $x (mut (ref null $s)) (ref.null $s))
  (func (export "make") (param i32) (global.set $x (struct.new $s (local.get 0))))
  (func (export "get") (result i32) (struct.get $s 0 (global.get $x)))
  (func (export "obj") (result anyref) (global.get $x))
  (func (export "is") (param anyref) (result i32) (ref.test (ref $s) (local.get 0))))`;

describe('a store with a TypeRegistry of its own', () => {
  test('is carried: restored into the registry given, or into a new one of its own, never the process-wide one', () => {
    const reg = new TypeRegistry();
    const mod = Module.fromWat(GC, { registry: reg });
    const store = new Store({ registry: reg });
    new Linker().instantiate(store, mod).call('make', 5);
    const bytes = store.snapshot();
    const own = Store.restore(bytes);
    expect(own.instances[0]!.call('get')).toEqual([5]);
    expect(own.store.registry).not.toBe(reg);
    expect(own.store.registry).not.toBe(new Store().registry);
    const given = Store.restore(bytes, { store: { registry: reg } });
    expect(given.store.registry).toBe(reg);
    // the same registry: a GC object of the restored store is of the original module's type
    const obj = given.instances[0]!.call('obj')[0];
    expect(new Linker().instantiate(new Store({ registry: reg }), mod).call('is', obj)).toEqual([1]);
    // a fork keeps the registry (it shares the modules, whose types live there)
    const f = store.fork();
    expect(f.store.registry).toBe(reg);
    expect(f.instances[0]!.call('get')).toEqual([5]);
    // a default store's snapshot restores into the process-wide registry
    const plain = new Store();
    new Linker().instantiate(plain, Module.fromWat(GC)).call('make', 1);
    expect(Store.restore(plain.snapshot()).store.registry).toBe(plain.registry);
  });

  test('a module of another registry than the store is a SnapshotError, when snapshotted or supplied', () => {
    const reg = new TypeRegistry();
    const store = new Store();
    new Linker().instantiate(store, Module.fromWat(GC, { registry: reg }));
    expect(() => store.snapshot()).toThrow(/module 0 was validated in another TypeRegistry than the store's/);
    const ok = new Store({ registry: reg });
    const mod = Module.fromWat(GC, { registry: reg });
    new Linker().instantiate(ok, mod);
    const bytes = ok.snapshot({ includeModules: false });
    expect(() => Store.restore(bytes, { modules: [mod] })).toThrow(/supplied in options.modules\) was validated in another TypeRegistry/);
    expect(Store.restore(bytes, { modules: [mod], store: { registry: reg } }).instances.length).toBe(1);
  });
});

/** Exceptions in flight, exnrefs and GC objects on the value stack, a host call, calls through a table. */
const EVERY = `(module
  (import "host" "h" (func $h (param i32) (result i32)))
  (type $box (struct (field (mut i32))))
  (type $fn (func (param i32) (result i32)))
  (tag $t (param i32))
  (table 2 funcref) (elem (i32.const 0) $twice $thrower)
  (memory 1)
  (func $twice (type $fn) (i32.mul (local.get 0) (i32.const 2)))
  (func $thrower (type $fn) (throw $t (i32.add (local.get 0) (i32.const 1))))
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $acc i32) (local $b (ref null $box)) (local $x exnref)
    (local.set $b (struct.new $box (i32.const 3)))
    (loop $l
      (local.set $acc (i32.add (local.get $acc)
        (block $c (result i32)
          (try_table (catch $t $c)
            (drop (call_indirect (type $fn) (local.get $i) (i32.and (local.get $i) (i32.const 1)))))
          (call_indirect (type $fn) (local.get $i) (i32.const 0)))))
      (local.set $x (block $r (result exnref) (try_table (catch_all_ref $r) (throw $t (local.get $i))) (unreachable)))
      (local.set $acc (i32.add (local.get $acc)
        (block $c2 (result i32) (try_table (catch $t $c2) (throw_ref (local.get $x))) (i32.const 0))))
      (struct.set $box 0 (local.get $b) (i32.add (struct.get $box 0 (local.get $b)) (call $h (local.get $i))))
      (i32.store (i32.mul (local.get $i) (i32.const 4)) (local.get $acc))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.add (local.get $acc) (struct.get $box 0 (local.get $b)))))`;

describe('every stop of a program with exceptions, exnrefs, GC objects, host and indirect calls', () => {
  for (const tier of ['interp', 'js'] as const)
    test(`stopped at each instruction in turn, snapshotted, restored (${tier}): the same end`, () => {
      const mod = Module.fromWat(EVERY);
      const linker = (s: Store): Linker => {
        const l = new Linker();
        l.defineFunc(s, 'host', 'h', funcType([I32], [I32]), (_c, v: number) => v * 3);
        return l;
      };
      const ref = new Store({ fuel: 1_000_000, tier });
      const want = linker(ref).instantiate(ref, mod).call('run', 4);
      const total = ref.fuelConsumed;
      // every budget up to the whole run: each stop point of the run once
      for (let budget = 0; budget < total; budget++) {
        const store = new Store({ fuel: budget, tier });
        const inst = linker(store).instantiate(store, mod);
        try {
          inst.call('run', 4);
          throw new Error(`budget ${budget} of ${total} did not stop`);
        } catch (e) {
          if (!(e instanceof OutOfFuel)) throw e;
        }
        const r = Store.restore(store.snapshot(), { linker: linker, store: { tier: budget % 2 ? 'interp' : 'js' } });
        r.store.addFuel(1_000_000);
        expect(r.stop!.resume(), `budget ${budget}`).toEqual(want);
        expect(r.store.fuelConsumed, `budget ${budget}`).toBe(total);
        expect(r.store.peaks, `budget ${budget}`).toEqual(ref.peaks);
      }
    });
});
