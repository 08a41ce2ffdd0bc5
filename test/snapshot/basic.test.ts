import { describe, expect, test } from 'vitest';
import { Interrupted, Linker, Module, OutOfFuel, SnapshotError, Store } from '../../src/index.js';

const WAT = `(module
  (memory (export "memory") 2)
  (global $g (export "g") (mut i32) (i32.const 0))
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc) (i32.mul (local.get $i) (local.get $i))))
      (i32.store (i32.mul (local.get $i) (i32.const 4)) (local.get $acc))
      (global.set $g (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc)))`;

describe('snapshots', () => {
  test('a memory with spare capacity is written as its own bytes, and snapshotting keeps the capacity', () => {
    const mod = Module.fromWat(`(module (memory (export "memory") 1 100)
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
      (func (export "poke") (param i32 i32) (i32.store (local.get 0) (local.get 1))))`);
    const store = new Store();
    const inst = new Linker().instantiate(store, mod);
    expect(inst.call('grow', 1)).toEqual([1]);
    expect(inst.call('grow', 1)).toEqual([2]); // 3 pages in storage for 4
    const mem = inst.memory()!;
    expect(mem.capacity).toBeGreaterThan(mem.byteLength);
    inst.call('poke', 65536 + 8, 0x1234567);
    const cap = mem.capacity;
    const bytes = store.snapshot();
    expect(mem.capacity).toBe(cap); // the writer did not take the JS API buffer (which cuts the spare off)
    const m2 = Store.restore(bytes).instances[0]!.memory()!;
    expect(m2.byteLength).toBe(3 * 65536);
    expect(new DataView(m2.buffer).getInt32(65536 + 8, true)).toBe(0x1234567);
    expect(inst.call('grow', 1)).toEqual([3]);
    expect(mem.capacity).toBe(cap); // still growing into it
  });

  for (const tier of ['interp', 'js'] as const) {
    test(`a stopped call resumes in a restored store (${tier})`, () => {
      const mod = Module.fromWat(WAT);
      const ref = new Store({ fuel: 1_000_000, tier });
      const want = new Linker().instantiate(ref, mod).call('run', 1000);
      const store = new Store({ fuel: 3333, tier });
      const inst = new Linker().instantiate(store, mod);
      let stop: OutOfFuel | null = null;
      try {
        inst.call('run', 1000);
      } catch (e) {
        stop = e as OutOfFuel;
      }
      expect(stop).toBeInstanceOf(OutOfFuel);
      const bytes = store.snapshot();
      const r = Store.restore(bytes, { store: { tier } });
      expect(r.stop).toBeInstanceOf(OutOfFuel);
      r.store.addFuel(1_000_000 - 3333);
      expect(r.stop!.resume()).toEqual(want);
      expect(r.store.fuelConsumed).toBe(ref.fuelConsumed);
      expect(r.store.peaks).toEqual(ref.peaks);
      const refMem = new Linker().instantiate(new Store(), mod);
      refMem.call('run', 1000);
      expect(Buffer.from(r.instances[0]!.memory()!.u8).equals(Buffer.from(refMem.memory()!.u8))).toBe(true);
      expect(r.instances[0]!.global('g')).toBe(999);
      // the original still works too
      store.addFuel(1_000_000 - 3333);
      expect(stop!.resume()).toEqual(want);
    });
  }
  test('the profile, and a memory64, travel; so does an interrupted call that had not started', () => {
    const mod = Module.fromWat(WAT);
    const ref = new Store({ fuel: 1_000_000, profile: true });
    new Linker().instantiate(ref, mod).call('run', 300);
    const store = new Store({ fuel: 777, profile: true });
    const inst = new Linker().instantiate(store, mod);
    try {
      inst.call('run', 300);
    } catch (e) {
      if (!(e instanceof OutOfFuel)) throw e;
    }
    const r = Store.restore(store.snapshot());
    r.store.addFuel(1_000_000 - 777);
    r.stop!.resume();
    expect(r.store.profile()).toEqual(ref.profile());

    const m64 = Module.fromWat('(module (memory (export "m") i64 3) (func (export "w") (i64.store (i64.const 131000) (i64.const -2))))');
    const s64 = new Store();
    new Linker().instantiate(s64, m64).call('w');
    expect(Store.restore(s64.snapshot()).instances[0]!.memory('m')!.readI64(131000)).toBe(-2n);

    // a deadline already passed: the call stops before it starts, and the restored stop starts it
    const late = new Store({ fuel: 1_000_000, interrupt: { deadline: 0 } });
    const li = new Linker().instantiate(late, mod);
    let stop: unknown = null;
    try {
      li.call('run', 10);
    } catch (e) {
      stop = e;
    }
    expect(stop).toBeInstanceOf(Interrupted);
    const lr = Store.restore(late.snapshot());
    expect(lr.stop).toBeInstanceOf(Interrupted);
    expect(lr.stop!.resume()).toEqual(new Linker().instantiate(new Store(), mod).call('run', 10));
  });

  test('bad snapshots are SnapshotErrors', () => {
    const store = new Store();
    new Linker().instantiate(store, Module.fromWat(WAT));
    const bytes = store.snapshot();
    expect(() => Store.restore(bytes.subarray(0, 30))).toThrow(SnapshotError);
    const c = bytes.slice();
    c[40]! ^= 1;
    expect(() => Store.restore(c)).toThrow(SnapshotError);
  });
});
