/**
 * Snapshot speed and size (`npm run bench -- snapshot`): a store whose
 * memory has 64 MiB touched (of 128 MiB: the rest stays zero and costs
 * nothing) and a call stopped by fuel; snapshot and restore times (best of
 * several), and the snapshot's size against the touched bytes.
 */
import { Linker, Module, OutOfFuel, Store } from '../src/index.js';

export interface SnapshotFigures {
  touchedBytes: number;
  memoryBytes: number;
  snapshotBytes: number;
  snapshotMs: number;
  restoreMs: number;
}

const WAT = `(module
  (memory (export "memory") 2048)
  (func (export "fill") (param $n i32)
    ;; a pattern in every word of the first n bytes (no zero page among them)
    (local $i i32)
    (memory.fill (i32.const 0) (i32.const 7) (local.get $n))
    (loop $l
      (i32.store (local.get $i) (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 4096)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n)))))
  (func (export "spin") (loop $l (br $l))))`;

export function measureSnapshot(runs = 5): SnapshotFigures {
  const touched = 64 * 1024 * 1024;
  const store = new Store({ fuel: 1e9 });
  const inst = new Linker().instantiate(store, Module.fromWat(WAT));
  inst.call('fill', touched);
  try {
    inst.call('spin');
  } catch (e) {
    if (!(e instanceof OutOfFuel)) throw e;
  }
  let bytes: Uint8Array = new Uint8Array(0);
  let snapshotMs = Infinity;
  let restoreMs = Infinity;
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    bytes = store.snapshot();
    snapshotMs = Math.min(snapshotMs, performance.now() - t);
    t = performance.now();
    const r = Store.restore(bytes);
    restoreMs = Math.min(restoreMs, performance.now() - t);
    if (!(r.stop instanceof OutOfFuel) || r.instances[0]!.memory()!.readI32(touched - 4096) !== touched - 4096) throw new Error('snapshot bench: bad restore');
  }
  return { touchedBytes: touched, memoryBytes: inst.memory()!.byteLength, snapshotBytes: bytes.length, snapshotMs, restoreMs };
}
