/**
 * Snapshot speed and size (`npm run bench -- snapshot`): a store whose
 * memory has 64 MiB touched (of 128 MiB: the rest stays zero and costs
 * nothing) and a call stopped by fuel; snapshot and restore times (best of
 * several), and the snapshot's size against the touched bytes.
 */
import { loadavg } from 'node:os';
import { Linker, Module, OutOfFuel, Store } from '../src/index.js';

export interface SnapshotFigures {
  touchedBytes: number;
  memoryBytes: number;
  snapshotBytes: number;
  /** Best of the runs (wall clock). */
  snapshotMs: number;
  restoreMs: number;
  /** Median of the runs (wall clock). */
  snapshotMedianMs: number;
  restoreMedianMs: number;
  /** CPU time (user + system) of the best run: what the wall clock is when the process has a core to itself. */
  snapshotCpuMs: number;
  restoreCpuMs: number;
  runs: number;
  /** The 1-minute load average before and after. */
  load: [number, number];
}

/** Wall and CPU milliseconds of `f`. */
function timed<T>(f: () => T): { value: T; ms: number; cpuMs: number } {
  const c = process.cpuUsage();
  const t = performance.now();
  const value = f();
  const ms = performance.now() - t;
  const d = process.cpuUsage(c);
  return { value, ms, cpuMs: (d.user + d.system) / 1000 };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

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

export function measureSnapshot(runs = 9): SnapshotFigures {
  const load0 = loadavg()[0]!;
  const touched = 64 * 1024 * 1024;
  const store = new Store({ fuel: 1e9 });
  const inst = new Linker().instantiate(store, Module.fromWat(WAT));
  inst.call('fill', touched);
  try {
    inst.call('spin');
  } catch (e) {
    if (!(e instanceof OutOfFuel)) throw e;
  }
  const gc = (globalThis as { gc?: () => void }).gc;
  let bytes: Uint8Array = new Uint8Array(0);
  const snaps: { ms: number; cpuMs: number }[] = [];
  const restores: { ms: number; cpuMs: number }[] = [];
  for (let i = 0; i < runs; i++) {
    // (the previous run's 64 MiB snapshot and 128 MiB memory are garbage: collect them outside the timings)
    bytes = new Uint8Array(0);
    gc?.();
    const s = timed(() => store.snapshot());
    bytes = s.value;
    snaps.push(s);
    const r = timed(() => Store.restore(bytes));
    restores.push(r);
    const { stop, instances } = r.value;
    if (!(stop instanceof OutOfFuel) || instances[0]!.memory()!.readI32(touched - 4096) !== touched - 4096) throw new Error('snapshot bench: bad restore');
  }
  const best = (xs: { ms: number; cpuMs: number }[]) => xs.reduce((a, b) => (b.ms < a.ms ? b : a));
  return {
    touchedBytes: touched,
    memoryBytes: inst.memory()!.byteLength,
    snapshotBytes: bytes.length,
    snapshotMs: best(snaps).ms,
    restoreMs: best(restores).ms,
    snapshotMedianMs: median(snaps.map((x) => x.ms)),
    restoreMedianMs: median(restores.map((x) => x.ms)),
    snapshotCpuMs: best(snaps).cpuMs,
    restoreCpuMs: best(restores).cpuMs,
    runs,
    load: [load0, loadavg()[0]!],
  };
}
