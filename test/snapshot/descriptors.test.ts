/**
 * Snapshots of structs with custom descriptors (the custom-descriptors proposal): a struct's link to its
 * descriptor survives a snapshot and a restore, shared (two structs, one descriptor object) and checked
 * (a descriptor of the wrong type is a SnapshotError).
 */
import { describe, expect, test } from 'vitest';
import { GcStruct, Linker, Module, OutOfFuel, SnapshotError, Store } from '../../src/index.js';
import { checksum, HEADER_BYTES } from '../../src/snapshot/format.js';

const WAT = `(module
  (rec
    (type $obj (descriptor $vt) (struct (field $v (mut i32))))
    (type $vt (describes $obj) (struct (field $tag i32))))
  (global $vt1 (ref (exact $vt)) (struct.new $vt (i32.const 7)))
  (global $vt2 (ref (exact $vt)) (struct.new $vt (i32.const 9)))
  (global $a (mut (ref null $obj)) (ref.null none))
  (global $b (mut (ref null $obj)) (ref.null none))
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (global.set $a (struct.new_desc $obj (i32.const 1) (global.get $vt1)))
    (global.set $b (struct.new_default_desc $obj (global.get $vt2)))
    (loop $l
      (local.set $acc (i32.add (local.get $acc)
        (struct.get $vt $tag (ref.get_desc $obj (ref.cast_desc_eq (ref $obj) (global.get $a) (global.get $vt1))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    ;; 7 * n, plus 1 when $b's descriptor is not $vt1
    (i32.add (local.get $acc)
      (block $miss (result (ref null $obj))
        (br_on_cast_desc_eq_fail $miss (ref null $obj) (ref $obj) (global.get $b) (global.get $vt1))
        (return (i32.const -1)))
      (drop) (i32.const 1))))`;

function stopped(): { bytes: Uint8Array; want: unknown[]; consumed: number } {
  const mod = Module.fromWat(WAT);
  const ref = new Store({ fuel: 100_000 });
  const want = new Linker().instantiate(ref, mod).call('run', 40);
  const store = new Store({ fuel: 150 });
  const inst = new Linker().instantiate(store, mod);
  expect(() => inst.call('run', 40)).toThrow(OutOfFuel);
  return { bytes: store.snapshot(), want, consumed: ref.fuelConsumed };
}

describe('snapshots of structs with descriptors', () => {
  test('the descriptor link survives: the run resumes to the same result and fuel, descriptors stay shared', () => {
    const { bytes, want, consumed } = stopped();
    expect(want).toEqual([7 * 40 + 1]);
    const r = Store.restore(bytes);
    r.store.addFuel(100_000 - 150);
    expect(r.stop!.resume()).toEqual(want);
    expect(r.store.fuelConsumed).toBe(consumed);
    const globals = r.instances[0]!.raw.globals;
    const [vt1, vt2, a, b] = globals.map((g) => g.ref as GcStruct);
    expect(a!.desc).toBe(vt1);
    expect(b!.desc).toBe(vt2);
    expect(vt1!.desc).toBeNull();
  });

  test('a descriptor link to an object of the wrong type is a SnapshotError', () => {
    const { bytes } = stopped();
    // every byte flipped in turn (checksum fixed up): only SnapshotErrors, and some flip a descriptor link's
    // object id to an object of another type, which the reader's descriptor check rejects
    let failed = 0;
    for (let i = HEADER_BYTES; i < bytes.length; i++) {
      const m = bytes.slice();
      m[i] = m[i]! ^ 1;
      new DataView(m.buffer).setUint32(16, checksum(m, HEADER_BYTES), true);
      try {
        Store.restore(m);
      } catch (e) {
        expect(e).toBeInstanceOf(SnapshotError);
        if (/descriptor is not a struct of its type's descriptor type/.test((e as Error).message)) failed++;
      }
    }
    expect(failed).toBeGreaterThan(0);
  });
});
