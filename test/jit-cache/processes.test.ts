/**
 * The JS tier's persistent cache across real processes (src/jit/code-cache.ts): process A runs the C programs and a
 * package-like module (test/jit-cache/module.ts: calls, loops, memory, tables, globals, GC types, exceptions, a host
 * import) with a fresh cache directory; process B runs them with the cache A left: the same results, fuel, stops and
 * peaks, and its functions all come from the cache (hits, nothing generated anew). A damaged directory and another
 * build of wasmeter give misses and the same runs again; the CLI's `run` caches the same way.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WORKLOADS } from '../../bench/workloads.js';
import { ROOT, cliUnderTest } from '../shared/dist.js';
import { readPack } from '../../src/host/code-cache-file.js';
import { Module } from '../../src/index.js';
import { PACKAGE_WAT } from './module.js';

/** A start function with vector instructions (the interpreter runs start functions). */
const SIMD_BYTES = Module.fromWat('(module (global $g (mut i32) (i32.const 0)) (func $s (global.set $g (i32x4.extract_lane 1 (i32x4.add (i32x4.splat (i32.const 40)) (v128.const i32x4 1 2 3 4))))) (start $s) (func (export "f") (param i32) (result i32) (i32.add (local.get 0) (global.get $g))))').bytes;

const DRIVER = `
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [bundle, dir, watFile, programs] = process.argv.slice(2);
const W = await import(pathToFileURL(bundle).href);
const { Store, Module, Linker, fileCodeCache, codeCacheStats, OutOfFuel, funcType, I32 } = W;
const cache = dir === '-' ? null : fileCodeCache(dir);
const base = cache === null ? { tier: 'interp' } : { codeCache: cache };
// (with the cache: a module validated before skips its bodies' validation)
const mopts = cache === null ? undefined : { codeCache: cache };
const out = { c: {} };
const str = (v) => (typeof v === 'bigint' ? 'n' + v : v);
for (const [name, file, args] of JSON.parse(programs)) {
  const store = new Store(base);
  const inst = new Linker().instantiate(store, Module.fromBinary(readFileSync(file), mopts));
  out.c[name] = [str(inst.call('run', ...args)), store.fuelConsumed, store.peaks];
}
// a vector instruction in a start function, run by the interpreter from its translation (a warm process: from the
// cache, before anything else of the process translated a vector instruction)
{
  const store = new Store(base);
  const simd = new Linker().instantiate(store, Module.fromBinary(Uint8Array.from(${JSON.stringify([...SIMD_BYTES])}), mopts));
  out.simd = [simd.call('f', 40), store.fuelConsumed];
}
const wat = readFileSync(watFile, 'utf8');
for (const budget of [1e9, 4099]) {
  const store = new Store({ ...base, fuel: budget });
  const logs = [];
  const linker = new Linker().defineFunc(store, 'env', 'log', funcType([I32], []), (_c, x) => void logs.push(x));
  const inst = linker.instantiate(store, Module.fromWat(wat));
  const stops = [];
  let next = () => inst.call('run', 3000);
  let result;
  for (;;) {
    try {
      result = next();
      break;
    } catch (e) {
      if (!(e instanceof OutOfFuel)) throw e;
      stops.push(e.consumed);
      store.addFuel(budget);
      next = () => e.resume();
    }
  }
  store.addFuel(100);
  out['pkg' + budget] = { result: str(result), stops, logs, g64: str(inst.call('g64')), gf: inst.call('gf'), fuel: store.fuelConsumed, peaks: store.peaks };
}
out.stats = { ...codeCacheStats };
out.v8 = cache === null ? null : { ...cache.v8 };
out.translations = { ...W.translationCacheStats };
out.validated = { ...W.validationCacheStats };
console.log(JSON.stringify(out, (_, v) => (typeof v === 'bigint' ? 'n' + v : v)));
`;

let work = '';
const bundles: Record<'a' | 'b', string> = { a: '', b: '' };
let driver = '';
let watFile = '';
const programs = JSON.stringify(WORKLOADS.filter((w) => w.group === 'c').map((w) => [w.id, join(ROOT, 'bench/c', `${w.id}.wasm`), w.testArgs]));

beforeAll(async () => {
  const { build } = await import('esbuild');
  work = mkdtempSync(join(tmpdir(), 'wasmeter-code-cache-procs-'));
  // two builds of wasmeter that differ only in their build id (tsup.config.ts buildId)
  for (const b of ['a', 'b'] as const) {
    bundles[b] = join(work, `index-${b}.mjs`);
    await build({
      entryPoints: [join(ROOT, 'src/index.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: bundles[b],
      logLevel: 'error',
      define: { __WASMETER_BUILD__: JSON.stringify(`test-build-${b}`) },
    });
  }
  driver = join(work, 'driver.mjs');
  writeFileSync(driver, DRIVER);
  watFile = join(work, 'package.wat');
  writeFileSync(watFile, PACKAGE_WAT);
}, 120_000);
afterAll(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

/** The package module's generated functions (run, its callees and the two exported readers). */
const PACKAGE_FUNCS = 8;

type Out = { c: unknown; validated: { skipped: number; recorded: number }; stats: { hits: number; misses: number; stores: number; uncachable: number }; translations: { hits: number; misses: number; stores: number }; v8: { used: number; invalid: number; rejected: number; made: number } | null } & Record<string, unknown>;

function runIn(bundle: string, dir: string): Out {
  const r = spawnSync(process.execPath, [driver, bundle, dir, watFile, programs], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`driver failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Out;
}
const runs = (o: Out) => ({ ...o, stats: undefined, v8: undefined, translations: undefined, validated: undefined });
/** The modules the driver makes from bytes: the C programs and the vector one. */
const BINARIES = JSON.parse(programs).length + 1;

describe('across processes', () => {
  test('a warm cache: the same runs, every function from the cache; damaged entries and another build: misses, the same runs', () => {
    const want = runIn(bundles.a, '-');
    expect(want.stats).toEqual({ hits: 0, misses: 0, stores: 0, uncachable: 0 });
    const pkg = want['pkg4099'] as { stops: number[] };
    expect(pkg.stops.length).toBeGreaterThan(10);
    const dir = join(work, 'cache');
    // A: a fresh directory
    const a = runIn(bundles.a, dir);
    expect(runs(a)).toEqual(runs(want));
    // (the package module's second run in the process, with a budget, finds the first's entries: hits)
    expect(a.stats.hits).toBe(PACKAGE_FUNCS);
    expect(a.stats.stores).toBeGreaterThan(20);
    expect(a.stats.misses).toBe(a.stats.stores + a.stats.uncachable);
    // one pack per module instance and store: the entries of all its functions
    const packs = readdirSync(dir);
    expect(packs.every((f) => f.endsWith('.pack'))).toBe(true);
    expect(packs.length).toBeLessThan(a.stats.stores);
    const keys = packs.flatMap((f) => [...readPack(readFileSync(join(dir, f)))!.keys()]);
    expect(keys.filter((k) => k.endsWith('w')).length).toBe(a.stats.stores);
    // and the translations (Machine.compile): every function's, the package module's second run's from the first's
    const translated = keys.filter((k) => k.endsWith('t')).length;
    expect(translated).toBe(a.translations.stores);
    expect(a.translations.misses).toBe(a.translations.stores);
    // each module's "validated" record (code-cache.ts validatedRecord): made once, then its bodies not validated
    expect(want.validated).toEqual({ skipped: 0, recorded: 0 });
    expect(a.validated.recorded).toBeGreaterThan(0);
    expect(a.validated.recorded + a.validated.skipped).toBe(BINARIES);
    expect(keys.filter((k) => k.endsWith('-v')).length).toBe(a.validated.recorded);
    // B: the cache A left
    const b = runIn(bundles.a, dir);
    expect(runs(b)).toEqual(runs(want));
    expect(b.stats).toEqual({ hits: a.stats.hits + a.stats.stores, misses: a.stats.uncachable, stores: 0, uncachable: a.stats.uncachable });
    expect(b.translations).toEqual({ hits: a.translations.hits + translated, misses: 0, stores: 0 });
    expect(b.validated).toEqual({ skipped: BINARIES, recorded: 0 });
    // B2: V8's cached data of the sources too (made at B's exit for those A's exit had not)
    const b2 = runIn(bundles.a, dir);
    expect(runs(b2)).toEqual(runs(want));
    expect(b2.stats).toEqual(b.stats);
    expect(b2.v8).toEqual({ used: b.stats.hits, invalid: 0, rejected: 0, made: 0 });
    // every third entry damaged (one word of its source changed)
    let damaged = 0;
    let i = 0;
    for (const f of packs) {
      const p = join(dir, f);
      const b = readFileSync(p);
      for (const [key, part] of readPack(b)!) {
        if (!key.endsWith('w') || i++ % 3 !== 0) continue;
        const at = Buffer.from(part.entry).indexOf('var ');
        part.entry.set(Buffer.from('let '), at);
        damaged++;
      }
      writeFileSync(p, b);
    }
    const c = runIn(bundles.a, dir);
    expect(runs(c)).toEqual(runs(want));
    // (a damaged pack's SHA-256, checked at its read, no longer matches: all its entries are misses, generated again)
    expect(damaged).toBeGreaterThan(0);
    expect(c.stats.misses).toBeGreaterThanOrEqual(damaged);
    expect(c.stats.stores).toBe(c.stats.misses - c.stats.uncachable);
    expect(c.stats.hits + c.stats.misses).toBe(b.stats.hits + b.stats.misses);
    // another build: none of it read
    const d = runIn(bundles.b, dir);
    expect(runs(d)).toEqual(runs(want));
    expect(d.stats).toEqual(a.stats);
    expect(d.validated).toEqual(a.validated);
  }, 600_000);

  test('a module whose generated code calls vector executors is cached after one without vector instructions', () => {
    // (the cache names the runtime's values an environment holds (code-cache.ts names: the first module's copyElems),
    // the vector executors among them; a fresh process loads those only when it first translates a vector
    // instruction, after the names were made: the second module's function was uncachable)
    const script = `
      const W = await import(${JSON.stringify('file://')} + process.argv[1]);
      const { Store, Module, Linker, codeCacheStats } = W;
      const cache = { m: new Map(), get(k) { return this.m.get(k); }, set(k, v) { this.m.set(k, v); } };
      const run = (wat, ...args) => new Linker().instantiate(new Store({ codeCache: cache }), Module.fromWat(wat)).call('f', ...args);
      run('(module (type $a (array (mut i32))) (func (export "f") (param i32) (result i32) (local $x (ref $a)) (local.set $x (array.new $a (i32.const 7) (i32.const 4))) (array.copy $a $a (local.get $x) (i32.const 0) (local.get $x) (i32.const 1) (i32.const 2)) (i32.add (local.get 0) (array.get $a (local.get $x) (i32.const 0)))))', 1);
      const r = run('(module (func (export "f") (param i32) (result i32) (i8x16.extract_lane_u 0 (i8x16.popcnt (i8x16.splat (local.get 0))))))', 255);
      process.stdout.write(JSON.stringify({ r, ...codeCacheStats }));
    `;
    const p = spawnSync(process.execPath, ['--input-type=module', '-e', script, bundles.a], { encoding: 'utf8', timeout: 120_000 });
    expect(p.status, p.stderr).toBe(0);
    expect(JSON.parse(p.stdout)).toEqual({ r: [8], hits: 0, misses: 2, stores: 2, uncachable: 0 });
  }, 120_000);

  test("the CLI's run: the second run's functions from the first's cache, the same output; WASMETER_NO_CACHE writes none", async () => {
    const cli = await cliUnderTest(work);
    const dir = join(work, 'cli-cache');
    const env = { ...process.env, WASMETER_CACHE_DIR: dir, WASMETER_NO_CACHE: '' };
    const run = (e: NodeJS.ProcessEnv) => spawnSync(process.execPath, [cli, 'run', '--json', '--invoke', 'run', join(ROOT, 'bench/c/hash64.wasm'), '50'], { encoding: 'utf8', env: e });
    const first = run(env);
    expect(first.status, first.stderr).toBe(0);
    const jit = readdirSync(join(dir, 'jit'));
    expect(jit.length).toBeGreaterThan(0);
    // the module's "validated" record is in the cache too: the second run does not validate its bodies again
    const wasm = readFileSync(join(ROOT, 'bench/c/hash64.wasm'));
    const record = ` validated ${createHash('sha256').update(wasm).digest('hex')} ${wasm.length}`;
    expect(jit.filter((f) => readFileSync(join(dir, 'jit', f), 'latin1').includes(record))).toHaveLength(1);
    const second = run(env);
    expect(second.stdout).toBe(first.stdout);
    expect(JSON.parse(first.stdout)).toMatchObject({ fuelConsumed: 245359, exitCode: 0 });
    const none = join(work, 'cli-none');
    const third = run({ ...env, WASMETER_CACHE_DIR: none, WASMETER_NO_CACHE: '1' });
    expect(third.stdout).toBe(first.stdout);
    expect(() => readdirSync(none)).toThrow();
    // WASMETER_JIT_CACHE_MAX: a bound of 0 MiB keeps nothing; a value that is no number of MiB is a usage error
    const bounded = join(work, 'cli-bounded');
    const fourth = run({ ...env, WASMETER_CACHE_DIR: bounded, WASMETER_JIT_CACHE_MAX: '0' });
    expect(fourth.stdout).toBe(first.stdout);
    expect(readdirSync(join(bounded, 'jit'))).toEqual([]);
    const bad = run({ ...env, WASMETER_JIT_CACHE_MAX: 'lots' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/WASMETER_JIT_CACHE_MAX must be a number of MiB/);
    // a Node 20 before 20.16 (no process.getBuiltinModule): the CLI gives fileCodeCache Node's modules itself
    const old = join(work, 'cli-old-node');
    const preload = join(work, 'no-get-builtin-module.cjs');
    writeFileSync(preload, 'delete process.getBuiltinModule;\n');
    const args = ['--require', preload, cli, 'run', '--json', '--invoke', 'run', join(ROOT, 'bench/c/hash64.wasm'), '50'];
    const fifth = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...env, WASMETER_CACHE_DIR: old } });
    expect(fifth.status, fifth.stderr).toBe(0);
    expect(fifth.stdout).toBe(first.stdout);
    expect(readdirSync(join(old, 'jit')).length).toBeGreaterThan(0);
  }, 300_000);
});
