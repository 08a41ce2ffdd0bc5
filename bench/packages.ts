/**
 * Real npm packages (test/packages/run/*.mjs, each using its package through its public API) on V8's WebAssembly
 * and on wasmeter's facade installed as `globalThis.WebAssembly` (src/facade/register.ts, bundled here with
 * esbuild, fuel counted without a budget).
 *
 *   npm run bench -- packages
 *
 * Each run is a fresh Node process (the packages cache their compiled modules and instances per process, so the
 * two engines cannot share one), V8 and wasmeter alternately; per package the median of the runs. "first" is the
 * script's time from importing the package to its first result (loading, compiling and instantiating the wasm,
 * and the first calls: with wasmeter, decoding, validation, translation and the JS tier's code generation and
 * V8's compilation of that code); "steady" is the median of further calls of the same work on the same instance
 * (BENCH_STEADY). BENCH_CLOCK=cpu measures CPU time instead of wall time (bench/cpu-clock.mjs: the whole process,
 * V8's compiler and GC threads included), far less inflated by other jobs on a loaded machine.
 * BENCH_CODE_CACHE=warm runs wasmeter with the JS tier's persistent cache (src/jit/code-cache.ts, register.ts'
 * WASMETER_CODE_CACHE) in a directory one unmeasured run filled first: a repeated run's first call, not the first
 * run's; BENCH_CODE_CACHE=cold gives every run an empty directory (what the cache costs a run that fills it; its files
 * are written at exit, after the time measured).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const PACKAGES = ['hash-wasm', 'sql-js', 'quickjs', 'tiktoken', 'as-sha256'];

export interface PackageRow {
  id: string;
  /** Medians over the runs, milliseconds: to the first result (instantiation included) and per steady-state call. */
  v8FirstMs: number;
  wasmeterFirstMs: number;
  v8SteadyMs: number;
  wasmeterSteadyMs: number;
  firstRatio: number;
  steadyRatio: number;
  /** Fuel the facade's store consumed in a whole run (the first call and the steady-state calls). */
  fuel: number;
  runs: number;
  /** 1-minute load average at the start and the end of this package's runs. */
  load: [number, number];
}

const root = fileURLToPath(new URL('..', import.meta.url));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1]!;

async function registerBundle(): Promise<string> {
  const esbuild = await import('esbuild');
  const file = join(mkdtempSync(join(tmpdir(), 'wasmeter-bench-register-')), 'register.mjs');
  const r = await esbuild.build({ entryPoints: [join(root, 'src/facade/register.ts')], bundle: true, format: 'esm', platform: 'node', write: false, logLevel: 'silent' });
  writeFileSync(file, r.outputFiles[0]!.text);
  return file;
}

interface Run {
  result: unknown;
  ms: number;
  steadyMs: number;
  fuel: number;
}

/** Whether the runs measure CPU time (BENCH_CLOCK=cpu) rather than wall time. */
export const CPU_CLOCK = process.env['BENCH_CLOCK'] === 'cpu';

/** BENCH_CODE_CACHE: wasmeter's runs with a warm or a cold code cache, or none. */
const CODE_CACHE = process.env['BENCH_CODE_CACHE'] === 'warm' || process.env['BENCH_CODE_CACHE'] === 'cold' ? process.env['BENCH_CODE_CACHE'] : null;

function run(script: string, register: string | null, steady: number, cacheDir: string | null = null): Run {
  const clock = CPU_CLOCK ? ['--import', pathToFileURL(join(root, 'bench/cpu-clock.mjs')).href] : [];
  const args = [...clock, ...(register !== null ? ['--import', pathToFileURL(register).href] : []), script];
  const env = { ...process.env, WASMETER_STATS: '1', BENCH_STEADY: String(steady), WASMETER_CODE_CACHE: cacheDir ?? '' };
  const r = spawnSync(process.execPath, args, { cwd: root, env, encoding: 'utf8', timeout: 900_000 });
  if (r.status !== 0) throw new Error(`${script} failed${register !== null ? ' on the facade' : ''}: ${r.stderr || r.error}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { result: unknown; ms: number; steadyMs: number };
  const fuel = /fuel consumed (\d+)/.exec(r.stderr)?.[1];
  return { ...out, fuel: fuel === undefined ? NaN : Number(fuel) };
}

export async function measurePackages(only: string[], runs = 3, steady = 3): Promise<PackageRow[]> {
  const register = await registerBundle();
  const rows: PackageRow[] = [];
  for (const id of PACKAGES.filter((p) => only.length === 0 || only.includes('packages') || only.includes(p))) {
    const script = join(root, 'test/packages/run', `${id}.mjs`);
    const load0 = loadavg()[0]!;
    const v8: Run[] = [];
    const ours: Run[] = [];
    const cacheDir = (): string | null => (CODE_CACHE !== null ? mkdtempSync(join(tmpdir(), 'wasmeter-bench-code-cache-')) : null);
    const warm = CODE_CACHE === 'warm' ? cacheDir() : null;
    if (warm !== null) run(script, register, 0, warm);
    for (let i = 0; i < runs; i++) {
      v8.push(run(script, null, steady));
      const dir = warm ?? cacheDir();
      ours.push(run(script, register, steady, dir));
      if (dir !== null && dir !== warm) rmSync(dir, { recursive: true, force: true });
      const want = JSON.stringify(v8[0]!.result);
      if (JSON.stringify(ours[i]!.result) !== want) throw new Error(`${id}: wasmeter's result differs from V8's`);
    }
    const row: PackageRow = {
      id,
      v8FirstMs: median(v8.map((r) => r.ms)),
      wasmeterFirstMs: median(ours.map((r) => r.ms)),
      v8SteadyMs: median(v8.map((r) => r.steadyMs)),
      wasmeterSteadyMs: median(ours.map((r) => r.steadyMs)),
      firstRatio: 0,
      steadyRatio: 0,
      fuel: ours[0]!.fuel,
      runs,
      load: [load0, loadavg()[0]!],
    };
    if (warm !== null) rmSync(warm, { recursive: true, force: true });
    row.firstRatio = row.wasmeterFirstMs / row.v8FirstMs;
    row.steadyRatio = row.wasmeterSteadyMs / row.v8SteadyMs;
    console.log(`${id}: first ${row.wasmeterFirstMs.toFixed(0)} / ${row.v8FirstMs.toFixed(0)} ms, steady ${row.wasmeterSteadyMs.toFixed(0)} / ${row.v8SteadyMs.toFixed(0)} ms`);
    rows.push(row);
  }
  return rows;
}

export function printPackages(rows: PackageRow[], geomean: (xs: number[]) => number): void {
  const f = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
  console.log(
    `\nnpm packages through the facade (${CPU_CLOCK ? 'CPU' : 'wall'} time, median of runs in fresh processes, V8 and wasmeter alternately${CODE_CACHE !== null ? `, wasmeter with a ${CODE_CACHE} code cache` : ''}):\n`,
  );
  console.log('| package | V8 first ms | wasmeter first ms | × V8 | V8 steady ms | wasmeter steady ms | × V8 | fuel per run | load avg |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const r of rows)
    console.log(
      `| ${r.id} | ${f(r.v8FirstMs)} | ${f(r.wasmeterFirstMs)} | ${r.firstRatio.toFixed(1)}× | ${f(r.v8SteadyMs)} | ${f(r.wasmeterSteadyMs)} | ${r.steadyRatio.toFixed(1)}× | ${r.fuel} | ${r.load.map((l) => l.toFixed(1)).join('–')} |`,
    );
  if (rows.length)
    console.log(`| **geometric mean** | | | **${geomean(rows.map((r) => r.firstRatio)).toFixed(1)}×** | | | **${geomean(rows.map((r) => r.steadyRatio)).toFixed(1)}×** | | |`);
}
