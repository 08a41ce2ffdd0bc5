/**
 * One leg of a run in a new process (hops.ts inChild): restores the snapshot
 * FILE, resumes its stopped call with ARGS, and when the call stops or ends
 * writes the store's snapshot back to FILE and prints what happened.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { HostSuspended, Interrupted, OutOfFuel, Store } from '../../src/index.js';
import { endOf, hostLinker } from '../fuel/harness.js';
import { decodeResults, encodeResults } from './results.js';

const [file, tier, args] = process.argv.slice(2) as [string, 'interp' | 'js', string];
const r = Store.restore(new Uint8Array(readFileSync(file)), { linker: (s) => hostLinker(s, 'suspend'), store: { tier } });
const stop = r.stop!;
let out: object;
try {
  const res = stop instanceof HostSuspended ? stop.resume(...decodeResults(args)) : stop.resume();
  out = { results: encodeResults(res) };
} catch (e) {
  if (e instanceof OutOfFuel || e instanceof HostSuspended || e instanceof Interrupted) out = { stopped: true };
  else if (endOf(e) !== null) out = { trap: endOf(e) };
  else throw e;
}
writeFileSync(file, r.store.snapshot());
process.stdout.write(JSON.stringify(out));
