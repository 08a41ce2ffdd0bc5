/**
 * The snapshot loader: truncated, corrupted, wrong-version and wrong-module
 * snapshots are SnapshotErrors; mutated snapshots only ever throw
 * SnapshotError (with the checksum fixed up too, so that the structural
 * checks behind it are fuzzed as well); GC objects keep sharing and cycles.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { GcStruct, Linker, Module, OutOfFuel, SnapshotError, Store } from '../../src/index.js';
import { checksum, HEADER_BYTES } from '../../src/snapshot/format.js';

const WAT = `(module
  (type $node (struct (field $v (mut i32)) (field $next (mut (ref null $node)))))
  (type $arr (array (mut i8)))
  (tag $t (param i32))
  (memory (export "memory") 1 4)
  (table $tab (export "tab") 4 funcref)
  (global $head (export "head") (mut (ref null $node)) (ref.null $node))
  (global $bytes (mut (ref null $arr)) (ref.null $arr))
  (global $exn (mut exnref) (ref.null exn))
  (data $d "hello")
  (elem $e func $run)
  (func $run (export "run") (param $n i32) (result i32)
    (local $a (ref null $node)) (local $b (ref null $node)) (local $i i32)
    ;; a two-node cycle
    (local.set $a (struct.new $node (i32.const 1) (ref.null $node)))
    (local.set $b (struct.new $node (i32.const 2) (local.get $a)))
    (struct.set $node $next (local.get $a) (local.get $b))
    (global.set $head (local.get $a))
    (global.set $bytes (array.new $arr (i32.const 7) (i32.const 3)))
    (table.set $tab (i32.const 1) (ref.func $run))
    (global.set $exn (block $h (result exnref) (try_table (catch_all_ref $h) (throw $t (i32.const 42))) (unreachable)))
    (memory.init $d (i32.const 100) (i32.const 0) (i32.const 5))
    (data.drop $d)
    (memory.grow (i32.const 1)) (drop)
    (loop $l
      (struct.set $node $v (local.get $a) (i32.add (struct.get $node $v (local.get $a)) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.add (struct.get $node $v (struct.get $node $next (struct.get $node $next (global.get $head))))
             (array.get_u $arr (global.get $bytes) (i32.const 2)))))`;

function stopped(): { bytes: Uint8Array; want: unknown[]; consumed: number } {
  const mod = Module.fromWat(WAT);
  const ref = new Store({ fuel: 100_000 });
  const want = new Linker().instantiate(ref, mod).call('run', 50);
  const store = new Store({ fuel: 200 });
  const inst = new Linker().instantiate(store, mod);
  try {
    inst.call('run', 50);
  } catch (e) {
    if (!(e instanceof OutOfFuel)) throw e;
  }
  return { bytes: store.snapshot(), want, consumed: ref.fuelConsumed };
}

describe('snapshot loader', () => {
  test('GC objects (a cycle), arrays, exnrefs, tables, dropped segments and grown memory survive', () => {
    const { bytes, want, consumed } = stopped();
    const r = Store.restore(bytes);
    r.store.addFuel(100_000 - 200);
    expect(r.stop!.resume()).toEqual(want);
    expect(r.store.fuelConsumed).toBe(consumed);
    const head = r.instances[0]!.exports.head as unknown as { value: GcStruct };
    void head;
    const g = r.instances[0]!.raw.globals[0]!.ref as GcStruct;
    expect((g.entry(1) as GcStruct).entry(1)).toBe(g);
    expect(r.instances[0]!.raw.datas[0]).toBeNull();
    expect(r.instances[0]!.memory()!.pages).toBe(2);
  });

  test('truncated, corrupted, wrong version, wrong module', () => {
    const { bytes } = stopped();
    for (const n of [0, 5, HEADER_BYTES, bytes.length - 4, bytes.length - 1]) expect(() => Store.restore(bytes.subarray(0, n))).toThrow(SnapshotError);
    const v = bytes.slice();
    v[8] = 99;
    expect(() => Store.restore(v)).toThrow(/version 99/);
    const other = Module.fromWat('(module (func (export "f")))');
    const s = new Store();
    new Linker().instantiate(s, other);
    const noBytes = s.snapshot({ includeModules: false });
    expect(() => Store.restore(noBytes)).toThrow(/SHA-256 [0-9a-f]{64}\): supply it/);
    expect(() => Store.restore(noBytes, { modules: [Module.fromWat(WAT)] })).toThrow(SnapshotError);
    expect(Store.restore(noBytes, { modules: [other] }).instances.length).toBe(1);
  });

  test('mutated snapshots only ever throw SnapshotError (checksum kept or fixed up)', () => {
    const { bytes } = stopped();
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.nat(255)), { minLength: 1, maxLength: 4 }), fc.boolean(), (muts, fix) => {
        const m = bytes.slice();
        for (const [i, b] of muts) m[i] = b;
        if (fix) new DataView(m.buffer).setUint32(16, checksum(m, HEADER_BYTES), true);
        try {
          const r = Store.restore(m);
          // a mutation that still reads: the store runs, and fails only as wasm may
          r.store.addFuel(1000);
          try {
            r.stop?.resume();
          } catch (e) {
            if (!(e instanceof Error)) throw e;
          }
        } catch (e) {
          if (!(e instanceof SnapshotError)) throw e;
        }
      }),
      { numRuns: 1500 },
    );
  });
});
