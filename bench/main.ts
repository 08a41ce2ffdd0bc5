/**
 * wasmeter vs V8's own WebAssembly in the same process (benny).
 *
 *   npm run bench                    every workload + start-up figures, writes bench/results.json
 *   npm run bench -- fib sieve       a subset (ids of bench/workloads.ts, 'wat', 'c', 'startup' or
 *                                    'rss'), written to bench/results.subset.json instead
 *   npm run bench -- rss             peak RSS of one run per workload, V8 vs wasmeter (child processes)
 *   npm run bench -- gc              the Wasm GC workloads against their linear-memory twins in wasmeter
 *                                    (JS tier and interpreter), and both in headless Chromium's V8 (Node 20's
 *                                    V8 cannot run final Wasm GC; bench/chromium.ts); BENCH_GC_RUNS calls (9)
 *   npm run bench -- packages        real npm packages through the facade (bench/packages.ts; or one package's id;
 *                                    BENCH_CLOCK=cpu: CPU time instead of wall time)
 *   npm run bench -- snapshot        snapshot / restore time and size, 64 MiB touched (bench/snapshot.ts)
 *   npm run bench -- cli             CLI start-up: `node dist/cli.cjs run tiny.wasm` against `node -e` with V8's
 *                                    WebAssembly, fresh processes interleaved (bench/cli.ts; build dist/ first)
 *   npm run bench -- metering        metering overhead of each workload, four store configurations called
 *                                    round-robin in one process (bench/metering.ts; or `metering fib …`;
 *                                    BENCH_ROUNDS rounds, default 11; BENCH_CLOCK=cpu: CPU time; BENCH_SHARED=1:
 *                                    the metered stores' identical sources untagged, sharing V8's code)
 *
 * Per workload: V8 time, wasmeter time without fuel (unmetered store) and with fuel (fastest benny
 * sample of each), the ratios, the metering overhead (interleaved calls), and instructions per second
 * (fuel consumed with unit costs / metered time). "Fuel off" is a store with `countFuel: false`, whose
 * JS tier generates no fuel code at all, so the overhead column is the whole cost of metering.
 * Start-up: decode / validate MB/s, instantiate time and time to a first result on a ~5 MB module; the text
 * parser's time on the whole spec testsuite (when found).
 *
 * BENCH_TIER=interp runs wasmeter with the JS tier off (Store option tier; results go to
 * bench/results.interp.json or results.interp.subset.json).
 *
 * BENCH_DETACHED=1 (the default with BENCH_TIER=interp) detaches an ArrayBuffer before anything is measured, so
 * that every row runs without V8's detaching protector, whichever workloads ran before it (bench/detach.ts);
 * BENCH_DETACHED=0 leaves it to the workloads (the V8 runs of memgrow and alloc grow a memory).
 */
import b from 'benny';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Unsupported } from '../src/core/errors.js';
import { decodeModule } from '../src/decoder/index.js';
import { Linker, Module, Store, type StoreOptions } from '../src/index.js';
import { listWast, suiteOrNull } from '../src/spec/suite.js';
import { parseScript } from '../src/text/index.js';
import { validateModule } from '../src/validate/index.js';
import { bigModule } from '../test/unit/decoder-perf-module.js';
import { measurePackages, PACKAGES, printPackages, type PackageRow } from './packages.js';
import { measureRss, rssChild, type RssRow } from './rss.js';
import { GC_WORKLOADS, WORKLOADS, sameResult, type Workload } from './workloads.js';
import { measureSnapshot, type SnapshotFigures } from './snapshot.js';
import { measureMetering, printMetering } from './metering.js';
import { measureCliStartup, printCliStartup } from './cli.js';
import { median, timeInChromium, type PageTiming } from './chromium.js';
import { detachABuffer } from './detach.js';

interface Row {
  id: string;
  workload: string;
  args: unknown[];
  /** Milliseconds per call (fastest of benny's samples; medianMs below). */
  v8Ms: number;
  wasmeterMs: number;
  meteredMs: number;
  /** wasmeter time / V8 time, unmetered and metered store. */
  ratio: number;
  meteredRatio: number;
  /** metered time / unmetered time - 1, from interleaved calls. */
  meteringOverhead: number;
  fuelPerRun: number;
  /** Wasm instructions executed per second (unit costs), metered store. */
  instrPerSec: number;
  /** benny's relative margin of error of each case, in percent. */
  rmePercent: { v8: number; wasmeter: number; metered: number };
  medianMs: { v8: number; wasmeter: number; metered: number };
}

interface Startup {
  moduleBytes: number;
  functions: number;
  decodeMBps: number;
  validateMBps: number;
  decodeValidateMBps: number;
  /** Linker().instantiate(new Store(), module) of the decoded+validated module, best of runs. */
  instantiateMs: number;
  /** bytes -> Module.fromBinary -> instantiate -> call('entry', 1, 2): first time in the process, and best. */
  firstResultColdMs: number;
  firstResultMs: number;
  v8CompileMs: number;
  v8InstantiateMs: number;
  v8FirstResultMs: number;
  /** The text parser: every .wast file of the spec testsuite parsed as a script (best of runs), null without the suite. */
  textParse: { files: number; mb: number; ms: number } | null;
}

type Fn = (...a: unknown[]) => unknown;
const TIER: 'js' | 'interp' = process.env['BENCH_TIER'] === 'interp' ? 'interp' : 'js';
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
/** Whether an ArrayBuffer is detached before anything is measured (bench/detach.ts): BENCH_DETACHED, 1 by default with BENCH_TIER=interp. */
const detachedAtStart = (process.env['BENCH_DETACHED'] ?? (TIER === 'interp' ? '1' : '0')) === '1';
const hasId = (only: string[], w: Workload) => only.length === 0 || only.includes(w.id) || only.includes(w.group);

function time(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}
function best(runs: number, fn: () => void): number {
  let m = Infinity;
  for (let i = 0; i < runs; i++) m = Math.min(m, time(fn));
  return m;
}

function startup(): Startup {
  const funcs = 2500;
  const big = bigModule(funcs, 2000, true);
  const mb = big.length / 1e6;
  const firstResult = () => {
    const inst = new Linker().instantiate(new Store(), Module.fromBinary(big));
    const r = inst.call('entry', 1, 2)[0];
    if (r !== 3) throw new Error(`big module: entry(1, 2) returned ${r}`);
  };
  const firstResultColdMs = time(firstResult);
  const decodeMs = best(5, () => decodeModule(big));
  const decoded = decodeModule(big);
  const validateMs = best(5, () => validateModule(decoded));
  const bothMs = best(5, () => Module.fromBinary(big));
  const mod = Module.fromBinary(big);
  const instantiateMs = best(10, () => new Linker().instantiate(new Store(), mod));
  const firstResultMs = best(5, firstResult);
  gc();
  const buf = big as Uint8Array<ArrayBuffer>;
  const v8CompileMs = best(5, () => new WebAssembly.Module(buf));
  const v8mod = new WebAssembly.Module(buf);
  const v8InstantiateMs = best(10, () => new WebAssembly.Instance(v8mod));
  const v8FirstResultMs = best(5, () => {
    const e = new WebAssembly.Instance(new WebAssembly.Module(buf)).exports as Record<string, Fn>;
    if (e['entry']!(1, 2) !== 3) throw new Error('V8: entry(1, 2) != 3');
  });
  const suite = suiteOrNull();
  let textParse: Startup['textParse'] = null;
  if (suite !== null) {
    const sources = listWast([suite]).map((f) => [f, readFileSync(f)] as const);
    const ms = best(3, () => {
      for (const [f, src] of sources) parseScript(src, f);
    });
    textParse = { files: sources.length, mb: sources.reduce((n, [, src]) => n + src.length, 0) / 1e6, ms };
  }
  return {
    moduleBytes: big.length,
    functions: funcs + 1,
    decodeMBps: mb / (decodeMs / 1000),
    validateMBps: mb / (validateMs / 1000),
    decodeValidateMBps: mb / (bothMs / 1000),
    instantiateMs,
    firstResultColdMs,
    firstResultMs,
    v8CompileMs,
    v8InstantiateMs,
    v8FirstResultMs,
    textParse,
  };
}

async function measure(w: Workload): Promise<Row> {
  const bytes = w.bytes();
  const v8mod = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  const v8Inst = () => new WebAssembly.Instance(v8mod).exports as Record<string, Fn>;
  const v8once = v8Inst()[w.export]!;
  // a `fresh` workload instantiates for every call (in a new store: its memory is not reusable)
  const v8fn: Fn = w.fresh ? (...a) => v8Inst()[w.export]!(...a) : v8once;
  const mod = Module.fromBinary(bytes);
  const wasmeter = (opts: StoreOptions) => {
    const inst = new Linker().instantiate(new Store(opts), mod);
    return { call: (name: string, ...a: unknown[]) => (w.fresh ? new Linker().instantiate(new Store(opts), mod) : inst).call(name, ...a) };
  };
  const free = wasmeter({ tier: TIER, countFuel: false });
  const meteredStore = new Store({ fuel: Number.MAX_SAFE_INTEGER - 1, tier: TIER });
  const meteredInst = new Linker().instantiate(meteredStore, mod);
  const metered = w.fresh ? wasmeter({ fuel: Number.MAX_SAFE_INTEGER - 1, tier: TIER }) : meteredInst;
  const want = v8fn(...w.args);
  const got = free.call(w.export, ...w.args)[0]; // may throw Unsupported (SIMD)
  if (!sameResult(want, got)) throw new Error(`${w.id}: wasmeter returned ${got}, V8 ${want}`);
  const before = meteredStore.fuelConsumed;
  const gotMetered = meteredInst.call(w.export, ...w.args)[0];
  if (!sameResult(want, gotMetered)) throw new Error(`${w.id}: metered wasmeter returned ${gotMetered}, V8 ${want}`);
  const fuelPerRun = meteredStore.fuelConsumed - before;
  // Warm-up: every workload brings opcodes the interpreter loop has not seen yet, and V8 deoptimises
  // and reoptimises the (large) loop; let that settle before anything is timed.
  for (let i = 0; i < 3; i++) {
    v8fn(...w.args);
    free.call(w.export, ...w.args);
    metered.call(w.export, ...w.args);
  }
  // Seconds per call: the fastest of benny's samples (the least disturbed by other load on the
  // machine; benny's summary `ops` is rounded to integers, useless for calls of 50-300 ms). The
  // median goes to results.json too.
  const sec: Record<string, number> = {};
  const median: Record<string, number> = {};
  const rme: Record<string, number> = {};
  gc();
  await b.suite(
    w.name,
    b.add('v8', () => v8fn(...w.args)),
    b.add('wasmeter', () => free.call(w.export, ...w.args)),
    b.add('wasmeter metered', () => metered.call(w.export, ...w.args)),
    b.configure({ cases: { minSamples: 5, maxTime: 3 } }),
    b.cycle(),
    b.complete((summary) => {
      for (const r of summary.results) {
        sec[r.name] = r.details.min;
        median[r.name] = r.details.median;
        rme[r.name] = r.details.relativeMarginOfError;
      }
    }),
  );
  // Metering overhead from interleaved calls (fuel off, fuel on, off, on, ...; fastest of each), which
  // load on the machine disturbs much less than two benny cases run one after the other.
  let off = Infinity;
  let on = Infinity;
  for (let i = 0; i < 8; i++) {
    off = Math.min(off, time(() => free.call(w.export, ...w.args)));
    on = Math.min(on, time(() => metered.call(w.export, ...w.args)));
  }
  const ms = (k: string) => 1000 * sec[k]!;
  return {
    id: w.id,
    workload: w.name,
    args: w.args,
    v8Ms: ms('v8'),
    wasmeterMs: ms('wasmeter'),
    meteredMs: ms('wasmeter metered'),
    ratio: ms('wasmeter') / ms('v8'),
    meteredRatio: ms('wasmeter metered') / ms('v8'),
    meteringOverhead: on / off - 1,
    fuelPerRun,
    instrPerSec: fuelPerRun / sec['wasmeter metered']!,
    rmePercent: { v8: rme['v8']!, wasmeter: rme['wasmeter']!, metered: rme['wasmeter metered']! },
    medianMs: { v8: 1000 * median['v8']!, wasmeter: 1000 * median['wasmeter']!, metered: 1000 * median['wasmeter metered']! },
  };
}

const geomean = (xs: number[]) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
const fmtMs = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;

/** Milliseconds of `runs` calls: the fastest and the median. */
function timings(runs: number, fn: () => void): { fastest: number; median: number } {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) ms.push(time(fn));
  return { fastest: Math.min(...ms), median: median(ms) };
}

/**
 * `npm run bench -- gc`: each GC workload against its linear-memory twin, metered, both tiers, and both
 * modules in headless Chromium's own V8 (bench/chromium.ts; Node 20's V8 cannot run final Wasm GC). Every
 * module: two untimed calls, then BENCH_GC_RUNS (default 9) timed ones, fastest and median. Chromium's results
 * must be wasmeter's.
 */
async function gcTable(): Promise<void> {
  const runs = Number(process.env['BENCH_GC_RUNS'] ?? 9);
  const load0 = loadavg();
  let chrome: Map<string, PageTiming> | null = null;
  let noChrome = '';
  try {
    const cases = GC_WORKLOADS.flatMap((w) => [
      { id: `${w.id} gc`, bytes: w.gc(), export: 'run', args: w.args as number[] },
      { id: `${w.id} linear`, bytes: w.linear(), export: 'run', args: w.args as number[] },
    ]);
    chrome = new Map((await timeInChromium(cases, runs)).map((t) => [t.id, t]));
  } catch (e) {
    noChrome = e instanceof Error ? `${e.name}: ${e.message.split('\n')[0]}` : String(e);
  }
  const rows: string[] = [];
  for (const w of GC_WORKLOADS) {
    const t: { fastest: number; median: number }[] = [];
    for (const tier of ['js', 'interp'] as const) {
      for (const [kind, bytes] of [['gc', w.gc()], ['linear', w.linear()]] as const) {
        const inst = new Linker().instantiate(new Store({ fuel: Number.MAX_SAFE_INTEGER - 1, tier }), Module.fromBinary(bytes));
        const r = inst.call('run', ...w.args)[0];
        if (!sameResult(r, inst.call('run', ...w.args)[0])) throw new Error(`${w.id}: results differ between calls`);
        const page = chrome?.get(`${w.id} ${kind}`);
        if (page && !sameResult(page.result, r)) throw new Error(`${w.id} ${kind}: Chromium returned ${String(page.result)}, wasmeter (${tier}) ${String(r)}`);
        gc();
        t.push(timings(runs, () => inst.call('run', ...w.args)));
      }
    }
    const [js, lin, ijs, ilin] = t as [typeof t[0], typeof t[0], typeof t[0], typeof t[0]];
    const cell = (x: { fastest: number; median: number }): string => `${fmtMs(x.median)} (${fmtMs(x.fastest)})`;
    const ratio = (a: { fastest: number; median: number }, b: { fastest: number; median: number }): string =>
      `${(a.median / b.median).toFixed(1)}× (${(a.fastest / b.fastest).toFixed(1)}×)`;
    let cg = '–';
    let cl = '–';
    let cr = '–';
    let wc = '–';
    const pg = chrome?.get(`${w.id} gc`);
    const pl = chrome?.get(`${w.id} linear`);
    if (pg && pl) {
      const g = { fastest: pg.fastestMs, median: pg.medianMs };
      const l = { fastest: pl.fastestMs, median: pl.medianMs };
      cg = cell(g);
      cl = cell(l);
      cr = ratio(g, l);
      wc = ratio(js, g);
    }
    rows.push(`| ${w.name} \`${w.id}(${w.args.join(', ')})\` | ${cell(js)} | ${cell(lin)} | ${ratio(js, lin)} | ${cg} | ${cl} | ${cr} | **${wc}** | ${cell(ijs)} | ${cell(ilin)} |`);
  }
  const load1 = loadavg();
  const la = (l: number[]): string => l.map((x) => x.toFixed(1)).join(' ');
  console.log(`\nWasm GC vs the same algorithm on linear memory, and in Chromium's V8 (wasmeter: fuel on; ms, median (fastest) of ${runs} calls; load average ${la(load0)} before, ${la(load1)} after):\n`);
  console.log('| workload | GC, JS tier | linear, JS tier | GC / linear | GC, Chromium | linear, Chromium | GC / linear, Chromium | wasmeter JS tier / Chromium, GC | GC, interpreter | linear, interpreter |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) console.log(r);
  if (chrome === null) console.log(`\nno Chromium columns: ${noChrome}`);
}

async function main(): Promise<void> {
  if (process.argv[2] === '--rss-child') {
    rssChild(process.argv[3]!, process.argv[4]!);
    return;
  }
  if (detachedAtStart) detachABuffer();
  let only = process.argv.slice(2);
  if (only.includes('gc')) {
    await gcTable();
    only = only.filter((o) => o !== 'gc');
    if (only.length === 0) return;
  }
  if (only.includes('metering')) {
    const ids = only.filter((o) => o !== 'metering');
    console.log(`Node ${process.version}, ${new Date().toISOString()}`);
    printMetering(measureMetering(WORKLOADS.filter((w) => hasId(ids, w)), Number(process.env['BENCH_ROUNDS'] ?? 11)), geomean);
    return;
  }
  if (only.includes('cli')) {
    console.log(`Node ${process.version}, ${new Date().toISOString()}`);
    printCliStartup(measureCliStartup());
    only = only.filter((o) => o !== 'cli');
    if (only.length === 0) return;
  }
  const wantRss = only.length === 0 || only.includes('rss');
  only = only.filter((o) => o !== 'rss');
  const rssOnly = process.argv.length > 2 && only.length === 0;
  const wantPackages = only.length === 0 || only.some((o) => o === 'packages' || PACKAGES.includes(o));
  const known = new Set([...WORKLOADS.flatMap((w) => [w.id, w.group]), 'startup', 'packages', 'snapshot', ...PACKAGES]);
  const unknown = only.filter((o) => !known.has(o));
  if (unknown.length) throw new Error(`unknown workload(s) ${unknown.join(', ')}; known: ${[...known].join(' ')}`);

  let start: Startup | undefined;
  if (only.length === 0 || only.includes('startup')) {
    console.log('start-up figures (~5 MB generated module)...');
    start = startup();
  }
  let snap: SnapshotFigures | undefined;
  if (only.length === 0 || only.includes('snapshot')) {
    console.log('snapshot and restore of a store with 64 MiB of touched memory...');
    snap = measureSnapshot();
  }

  const rows: Row[] = [];
  const skipped: { id: string; reason: string }[] = [];
  const failed: { id: string; error: string }[] = [];
  let rss: RssRow[] | undefined;
  if (wantRss) {
    console.log('peak RSS, one run per workload in child processes...');
    rss = measureRss(WORKLOADS.filter((w) => hasId(only, w)));
  }
  let packages: PackageRow[] | undefined;
  if (wantPackages && !rssOnly) {
    console.log('npm packages, V8 and the facade in alternate child processes...');
    packages = await measurePackages(only);
  }
  for (const w of rssOnly ? [] : WORKLOADS.filter((w) => hasId(only, w))) {
    try {
      rows.push(await measure(w));
    } catch (e) {
      if (w.simd && e instanceof Unsupported) {
        const reason = `wasmeter threw Unsupported (${e.message}); the SIMD executor is not wired yet`;
        console.log(`SKIPPED ${w.id}: ${reason}`);
        skipped.push({ id: w.id, reason });
      } else {
        const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        console.log(`FAILED ${w.id}: ${error}`);
        failed.push({ id: w.id, error });
      }
    }
    gc();
  }

  const geo = rows.length ? geomean(rows.map((r) => r.ratio)) : NaN;
  const geoMetered = rows.length ? geomean(rows.map((r) => r.meteredRatio)) : NaN;
  const geoOverhead = rows.length ? geomean(rows.map((r) => 1 + r.meteringOverhead)) - 1 : NaN;
  console.log(`\nNode ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`);
  if (rows.length) {
    console.log(`wasmeter tier: ${TIER}; V8's ArrayBuffer detaching protector: ${detachedAtStart ? 'gone before the first row (BENCH_DETACHED=1)' : 'left to the workloads (gone from the first V8 memory.grow on: memgrow, alloc)'}\n`);
    console.log('| workload | V8 ms | wasmeter ms (no fuel) | wasmeter ms (fuel) | × V8 (no fuel) | × V8 (fuel) | metering overhead | instr/s |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const r of rows) {
      console.log(
        `| ${r.workload} \`${r.id}(${r.args.join(', ')})\` | ${fmtMs(r.v8Ms)} | ${fmtMs(r.wasmeterMs)} | ${fmtMs(r.meteredMs)} | ${r.ratio.toFixed(1)}× | ${r.meteredRatio.toFixed(1)}× | ${pct(r.meteringOverhead)} | ${(r.instrPerSec / 1e6).toFixed(0)} M |`,
      );
    }
    console.log(`| **geometric mean** | | | | **${geo.toFixed(1)}×** | **${geoMetered.toFixed(1)}×** | ${pct(geoOverhead)} | |`);
    const worst = rows.reduce((a, r) => (r.ratio > a.ratio ? r : a));
    console.log(`\nworst: ${worst.id} ${worst.ratio.toFixed(1)}× V8`);
  }
  for (const s of skipped) console.log(`skipped ${s.id}: ${s.reason}`);
  for (const f of failed) console.log(`FAILED ${f.id}: ${f.error}`);
  if (packages) printPackages(packages, geomean);
  if (start) {
    const s = start;
    console.log(`\nstart-up, ${(s.moduleBytes / 1e6).toFixed(2)} MB module with ${s.functions} functions:\n`);
    console.log('| figure | wasmeter | V8 (for context) |');
    console.log('| --- | ---: | ---: |');
    console.log(`| decode | ${s.decodeMBps.toFixed(0)} MB/s | |`);
    console.log(`| validate | ${s.validateMBps.toFixed(0)} MB/s | |`);
    console.log(`| decode + validate (Module.fromBinary) | ${s.decodeValidateMBps.toFixed(0)} MB/s | ${(s.moduleBytes / 1e6 / (s.v8CompileMs / 1000)).toFixed(0)} MB/s (new WebAssembly.Module, lazy) |`);
    console.log(`| instantiate | ${fmtMs(s.instantiateMs)} ms | ${fmtMs(s.v8InstantiateMs)} ms |`);
    console.log(`| time to first result (bytes → result of a small export) | ${fmtMs(s.firstResultMs)} ms (cold, first in process: ${fmtMs(s.firstResultColdMs)} ms) | ${fmtMs(s.v8FirstResultMs)} ms |`);
    if (s.textParse !== null) {
      const t = s.textParse;
      console.log(`| text parse of the spec testsuite (${t.files} .wast files, ${t.mb.toFixed(1)} MB) | ${fmtMs(t.ms)} ms | |`);
    }
  }

  if (snap) {
    const mib = (n: number): string => (n / 2 ** 20).toFixed(1);
    console.log(`\nsnapshots: memory of ${mib(snap.memoryBytes)} MiB, ${mib(snap.touchedBytes)} MiB touched, a call stopped by fuel (${snap.runs} runs, load average ${snap.load[0].toFixed(1)} before, ${snap.load[1].toFixed(1)} after):\n`);
    console.log('| | best | median | CPU time of the best | size | size / touched bytes |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
    console.log(`| snapshot | ${fmtMs(snap.snapshotMs)} ms | ${fmtMs(snap.snapshotMedianMs)} ms | ${fmtMs(snap.snapshotCpuMs)} ms | ${mib(snap.snapshotBytes)} MiB | ${(snap.snapshotBytes / snap.touchedBytes).toFixed(4)} |`);
    console.log(`| restore | ${fmtMs(snap.restoreMs)} ms | ${fmtMs(snap.restoreMedianMs)} ms | ${fmtMs(snap.restoreCpuMs)} ms | | |`);
  }

  if (rss) {
    console.log('\npeak RSS of a process that runs the workload once (MB; above the baseline of a process that only loads the bundle):\n');
    console.log('| workload | V8 | wasmeter | × V8 | V8 above baseline | wasmeter above baseline |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const r of rss)
      console.log(`| ${r.id} | ${r.v8MB.toFixed(0)} | ${r.wasmeterMB.toFixed(0)} | ${r.ratio.toFixed(2)}× | ${r.v8AboveMB.toFixed(1)} | ${r.wasmeterAboveMB.toFixed(1)} |`);
  }

  const file = `./results${TIER === 'interp' ? '.interp' : ''}${process.argv.length <= 2 ? '' : '.subset'}.json`;
  // From dist-bench/bench.js (the bundle) and from bench/main.ts alike, results go to bench/.
  const url = new URL(`../bench/${file.slice(2)}`, import.meta.url);
  writeFileSync(
    url,
    JSON.stringify(
      { date: new Date().toISOString(), node: process.version, tier: TIER, detachedAtStart, only, geomean: geo, geomeanMetered: geoMetered, meteringOverhead: geoOverhead, rows, skipped, failed, startup: start, snapshot: snap, rss, packages },
      null,
      2,
    ) + '\n',
  );
  console.log(`\nwrote ${url.pathname}`);
  if (failed.length) process.exit(1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
