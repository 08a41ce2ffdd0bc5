/**
 * Metering overhead, interleaved: `npm run bench -- metering` (or `metering fib matmul …`).
 *
 * For each workload, one instance per store configuration in one process, called round-robin
 * (unmetered, metered, unmetered, …) so that load on the machine and V8's process-wide state
 * (protectors, GC) hit every configuration alike. Configurations:
 *   off     `countFuel: false` (the JS tier generates no fuel code)
 *   counted `new Store()` (fuel counted and checked against an unlimited budget)
 *   budget  `new Store({ fuel: 1e12 })`
 *   max     `new Store({ fuel: Number.MAX_SAFE_INTEGER - 1 })` (what the main table's "fuel" column uses)
 * Reports the median and the fastest call of each, and each metered configuration's median and fastest
 * over `off`'s. BENCH_CLOCK=cpu times each call by the process's CPU time (process.cpuUsage: user + system, all
 * threads) instead of wall time: on a loaded machine, time other processes take from this one is not counted.
 * Each configuration's generated sources carry a tag of their own (below); BENCH_SHARED=1 leaves them untagged.
 */
import { Linker, Module, Store, type StoreOptions } from '../src/index.js';
import { jsEval } from '../src/jit/codegen.js';
import { sameResult, type Workload } from './workloads.js';

export interface MeteringRow {
  id: string;
  /** Per configuration: median and fastest ms per call. */
  ms: Record<string, { median: number; min: number }>;
  /** Per configuration: the fuel its store has consumed after the last call (NaN for `off`, which counts none). */
  fuel: Record<string, number>;
}

const CONFIGS: [string, StoreOptions][] = [
  ['off', { countFuel: false }],
  ['counted', {}],
  ['budget', { fuel: 1e12 }],
  ['max', { fuel: Number.MAX_SAFE_INTEGER - 1 }],
];

const CPU = process.env['BENCH_CLOCK'] === 'cpu';
/** Milliseconds since an arbitrary start, by the clock BENCH_CLOCK chose. */
const now = CPU
  ? () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    }
  : () => performance.now();

export function measureMetering(workloads: Workload[], rounds = 11): MeteringRow[] {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  // V8 caches `new Function` by its source (the eval cache, feedback included): the metered stores generate the
  // same source, so without a tag of their own the three metered configurations would share one closure's
  // feedback and optimized code per function (calls between them polymorphic, never inlined) where `off` has
  // its own. Each configuration's generated sources end in a comment naming it (functions are generated at their
  // first call, which runs under the configuration that `tag` names).
  let tag = '';
  const compile = jsEval.compile;
  if (process.env['BENCH_SHARED'] !== '1') jsEval.compile = (src) => compile(`${src}// ${tag}\n`);
  try {
    return measure(workloads, rounds, gc, (t) => (tag = t));
  } finally {
    jsEval.compile = compile;
  }
}

function measure(workloads: Workload[], rounds: number, gc: () => void, setTag: (t: string) => void): MeteringRow[] {
  return workloads.map((w, wi) => {
    // each call returns its result and its store (the timed loop files the store under the configuration it times)
    const calls: (() => { result: unknown; store: Store })[] = [];
    // Created in an order rotated per workload: in one process the instance created first often runs faster than
    // later ones of the same configuration (wat-try, CPU time: off 29 ms first, 35 ms second to fourth; metered 33
    // and 43 ms), so no configuration is always first. Each has a module of its own: a module's instances share
    // their generated functions by source (codegen.ts), and three metered stores sharing them where `off` has its
    // own gave V8 three closures of each metered function (a "wrong call target" deopt of wat-try's loop).
    for (let k = 0; k < CONFIGS.length; k++) {
      const j = (k + wi) % CONFIGS.length;
      const opts = CONFIGS[j]![1];
      const mod = Module.fromBinary(w.bytes());
      const store = new Store(opts);
      const inst = new Linker().instantiate(store, mod);
      calls[j] = () => {
        setTag(CONFIGS[j]![0]);
        const st = w.fresh ? new Store(opts) : store;
        return { result: (w.fresh ? new Linker().instantiate(st, mod) : inst).call(w.export, ...w.args)[0], store: st };
      };
    }
    // (each configuration's first call: some workloads' results depend on state left by earlier calls)
    const first = calls.map((c) => c().result);
    if (!first.every((r) => sameResult(r, first[0]))) throw new Error(`${w.id}: the configurations disagree`);
    for (let i = 0; i < 2; i++) for (const c of calls) c(); // warm-up
    gc();
    const t: number[][] = CONFIGS.map(() => []);
    const stores: Store[] = [];
    for (let r = 0; r < rounds; r++) {
      // rotate the order each round, so no configuration always runs first after the previous one
      for (let k = 0; k < calls.length; k++) {
        const j = (k + r) % calls.length;
        const t0 = now();
        stores[j] = calls[j]!().store;
        t[j]!.push(now() - t0);
      }
    }
    const ms: MeteringRow['ms'] = {};
    const fuel: MeteringRow['fuel'] = {};
    CONFIGS.forEach(([name], j) => {
      const s = t[j]!.sort((a, b) => a - b);
      ms[name] = { median: s[s.length >> 1]!, min: s[0]! };
      fuel[name] = stores[j]!.fuelConsumed;
    });
    return { id: w.id, ms, fuel };
  });
}

export function printMetering(rows: MeteringRow[], geomean: (xs: number[]) => number): void {
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
  const metered = CONFIGS.slice(1).map(([n]) => n);
  console.log(`\nmetering overhead, interleaved, ${CPU ? 'CPU' : 'wall'} time (median ms of off; each metered store: median / median of off - 1, fastest / fastest - 1):\n`);
  console.log(`| workload | off ms | ${metered.map((n) => `${n} (median) | ${n} (fastest)`).join(' | ')} |`);
  console.log(`| --- | ---: | ${metered.map(() => '---: | ---:').join(' | ')} |`);
  const ratio = (r: MeteringRow, n: string, k: 'median' | 'min') => r.ms[n]![k] / r.ms['off']![k];
  for (const r of rows)
    console.log(`| ${r.id} | ${r.ms['off']!.median.toFixed(2)} | ${metered.map((n) => `${pct(ratio(r, n, 'median') - 1)} | ${pct(ratio(r, n, 'min') - 1)}`).join(' | ')} |`);
  console.log(
    `| **geometric mean** | | ${metered.map((n) => `${pct(geomean(rows.map((r) => ratio(r, n, 'median'))) - 1)} | ${pct(geomean(rows.map((r) => ratio(r, n, 'min'))) - 1)}`).join(' | ')} |`,
  );
}
