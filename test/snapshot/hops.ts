/**
 * Moving a stopped run elsewhere at a stop (the `leg` of test/fuel/harness.ts
 * runCut): a store restored from a snapshot in this process, a fork, or a
 * store restored in a child process (child.ts, bundled by bundleChild).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HostSuspended, Interrupted, OutOfFuel, Store, Trap, type Instance } from '../../src/index.js';
import { endOf, hostLinker, outcome, type Outcome } from '../fuel/harness.js';
import { hostResult, type Program } from '../fuel/program.js';
import { decodeResults, encodeResults } from './results.js';

export type Stop = OutOfFuel | Interrupted | HostSuspended;
export type Cur = { store: Store; inst: Instance };
export type Tier = 'interp' | 'js';
/** What runCut does at a stop: continue the run (elsewhere) and give its results. */
export type Leg = (cur: Cur, stop: Stop, args: unknown[]) => unknown[];

/** A restored store takes the run over; returns its stop. */
export function restoreInto(cur: Cur, bytes: Uint8Array, tier: Tier): Stop | null {
  const r = Store.restore(bytes, { linker: (s) => hostLinker(s, 'suspend'), store: { tier } });
  cur.store = r.store;
  cur.inst = r.instances[0]!;
  return r.stop;
}

function resume(stop: Stop, args: unknown[]): unknown[] {
  return stop instanceof HostSuspended ? stop.resume(...args) : stop.resume();
}

/** Snapshot, restore in this process, resume there. */
export function inProcess(tier: Tier): Leg {
  return (cur, _stop, args) => resume(restoreInto(cur, cur.store.snapshot(), tier)!, args);
}

/** Snapshot, restore in this process in the tier the store did not run in (the JS tier off if it was on, and back), resume there. */
export function crossTier(): Leg {
  return (cur, _stop, args) => {
    const was = cur.store.machine.jitOn;
    const stop = restoreInto(cur, cur.store.snapshot(), was ? 'interp' : 'js')!;
    if (cur.store.machine.jitOn === was) throw new Error('the restored store runs in the same tier');
    return resume(stop, args);
  };
}

/**
 * At every stop: fork, run the fork to its end at once (every stop paid in
 * full) and hand its outcome to `done`; the original then goes on as if
 * nothing happened.
 */
export function forking(tier: Tier, p: Program, done: (o: Outcome) => void): (cur: Cur, stop: Stop, args: unknown[]) => unknown[] {
  return (cur, stop, args) => {
    const f = cur.store.fork({ linker: (s) => hostLinker(s, 'suspend'), store: { tier } });
    const inst = f.instances[0]!;
    let go = (): unknown[] => resume(f.stop!, args);
    for (;;) {
      try {
        done(outcome(f.store, inst, p, go(), null));
        break;
      } catch (e) {
        const end = endOf(e);
        if (end !== null) {
          done(outcome(f.store, inst, p, null, end));
          break;
        }
        if (e instanceof OutOfFuel) {
          f.store.addFuel(e.needed);
          go = () => e.resume();
        } else if (e instanceof HostSuspended) {
          const { x, k } = e.payload as { x: number; k: number };
          if (f.store.fuelRemaining < k) f.store.addFuel(k);
          f.store.consumeFuel(k);
          go = () => e.resume(hostResult(x));
        } else throw e;
      }
    }
    return resume(stop, args);
  };
}

// ------------------------------------------------------------------ child processes

const ROOT = resolve(__dirname, '../..');
let childJs = '';

/** Bundles child.ts and the CLI (with the library from source) once per test file (`name`: its own folder). */
export async function bundleChild(name: string): Promise<void> {
  const { build } = await import('tsup');
  const out = join(ROOT, `node_modules/.cache/wasmeter-snapshot-${name}`);
  await build({ entry: { child: join(ROOT, 'test/snapshot/child.ts') }, format: ['esm'], outDir: out, target: 'node20', silent: true, config: false, dts: false, sourcemap: false, clean: false });
  childJs = join(out, 'child.js');
}

/** The built CLI (`npm test` builds dist/ first; the CLI bundles its own dependencies with tsup's config). */
export function bundledCli(): string {
  return join(ROOT, 'dist/cli.cjs');
}

/** Snapshot, run the leg in a new process (which snapshots where it ends), restore that here. */
export function inChild(tier: Tier, dir: string, counter: { hops: number }): (cur: Cur, stop: Stop, args: unknown[]) => unknown[] {
  return (cur, _stop, args) => {
    const file = join(dir, `hop-${counter.hops++}.snap`);
    writeFileSync(file, cur.store.snapshot());
    const r = spawnSync(process.execPath, [childJs, file, tier, encodeResults(args)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
    const res = JSON.parse(r.stdout) as { stopped?: boolean; trap?: string; results?: string };
    const stop = restoreInto(cur, new Uint8Array(readFileSync(file)), tier);
    if (res.stopped) throw stop!;
    if (res.trap !== undefined) throw new Trap(res.trap);
    return decodeResults(res.results!);
  };
}
