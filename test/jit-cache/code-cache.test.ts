/**
 * The JS tier's persistent cache (src/jit/code-cache.ts) in one process: its key, its entries' format and checks,
 * the recipe's form across processes, and runs with a cold, warm, stale, damaged or failing cache, which must give
 * what a run without a cache gives (results, fuel, stops). A module made again from its bytes has bodies of its own,
 * so its functions are looked up in the cache as in a new process (test/jit-cache/processes.test.ts runs real ones).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { I32, Linker, Module, OutOfFuel, Store, funcType, fileCodeCache, type CodeCache, type Instance, type StoreOptions } from '../../src/index.js';
import { readPack } from '../../src/host/code-cache-file.js';
import {
  CACHE_FORMAT,
  cacheKey,
  codeCacheBuild,
  codeCacheStats,
  constName,
  constValue,
  decodeEntry,
  decodeTranslation,
  decodeWords,
  encodeEntry,
  encodeWords,
  encodeTranslation,
  sealEntry,
  translationCacheStats,
  validationCacheStats,
  type CacheEntry,
} from '../../src/jit/code-cache.js';
import { recipeIn, recipeOut } from '../../src/jit/rebind.js';
import { outlining } from '../../src/jit/outline.js';
import { jitStats } from '../../src/interp/tier.js';
import type { Compiled } from '../../src/interp/compiled.js';
import { Op } from '../../src/interp/exec.js';
import { WasmFunc } from '../../src/runtime/objects/func.js';
import { gcTypeById } from '../../src/runtime/objects/gc.js';
import { runStarved } from '../shared/starved.js';
import { PACKAGE_WAT } from './module.js';

const savedOutlining = { ...outlining };
const savedBuild = codeCacheBuild.id;
afterEach(() => {
  Object.assign(outlining, savedOutlining);
  codeCacheBuild.id = savedBuild;
});

/** A Map as a code cache, counting its calls. */
function mapCache(): CodeCache & { map: Map<string, string>; gets: number } {
  const map = new Map<string, string>();
  const c = {
    map,
    gets: 0,
    get(k: string) {
      c.gets++;
      return map.get(k);
    },
    set(k: string, v: string) {
      map.set(k, v);
    },
  };
  return c;
}

const BYTES = Module.fromWat(PACKAGE_WAT).bytes;

/** The package module, made afresh from its bytes, instantiated in a new store with `log` recording into `logs`. */
function instantiate(options: StoreOptions, logs: number[] = [], log: 'host' | 'wasm' = 'host', bytes = BYTES): { store: Store; inst: Instance } {
  const store = new Store(options);
  const linker = new Linker();
  if (log === 'host') linker.defineFunc(store, 'env', 'log', funcType([I32], []), (_c, x) => void logs.push(x as number));
  else linker.defineInstance('env', new Linker().instantiate(store, Module.fromWat('(module (func (export "log") (param i32)))')));
  return { store, inst: linker.instantiate(store, Module.fromBinary(bytes)) };
}

type Outcome = { result?: unknown; trap?: string; stops: number[]; consumed: number; logs: number[]; g64: unknown; gf: unknown; peaks: unknown };

/** `run(n)` with `fuel`, through every stop (topped up by `topUp`), then the globals. */
function outcome(options: StoreOptions, n: number, fuel: number | null = 1e9, topUp = 1e9): Outcome {
  const logs: number[] = [];
  const { store, inst } = instantiate(fuel === null ? options : { ...options, fuel }, logs);
  const r = runStarved(store, inst, 'run', [n], () => topUp);
  if (fuel !== null) store.addFuel(1000);
  return { ...r, logs, g64: inst.call('g64'), gf: inst.call('gf'), peaks: { ...store.peaks } };
}

const stats = () => ({ ...codeCacheStats });
/** Entry `v` damaged the `i`th way of: a character changed, cut short, then each of `more` (the entry made wrong). */
function damage(v: string, i: number, more: (() => string)[]): string {
  const n = i % (2 + more.length);
  const at = v.length - 20;
  if (n === 0) return v.slice(0, at) + (v[at] === 'a' ? 'b' : 'a') + v.slice(at + 1);
  if (n === 1) return v.slice(0, v.length >> 1);
  return more[n - 2]!();
}

/** The keys of generated functions' entries (a `t` key holds a translation). */
const generated = (m: Map<string, string>) => [...m.keys()].filter((k) => !k.endsWith('t'));
const delta = (a: typeof codeCacheStats, b: typeof codeCacheStats) => ({
  hits: b.hits - a.hits,
  misses: b.misses - a.misses,
  stores: b.stores - a.stores,
  uncachable: b.uncachable - a.uncachable,
});

describe('runs', () => {
  test('cold, warm and without a cache: the same results, fuel, stops and peaks; the warm run generates nothing', () => {
    const want = outcome({ tier: 'interp' }, 3000);
    expect(outcome({}, 3000)).toEqual(want);
    const cache = mapCache();
    let s = stats();
    expect(outcome({ codeCache: cache }, 3000)).toEqual(want);
    const cold = delta(s, stats());
    expect(cold.hits).toBe(0);
    expect(cold.stores).toBeGreaterThanOrEqual(5);
    expect(cold.misses).toBe(cold.stores);
    expect(generated(cache.map).length).toBe(cold.stores);
    // and every function's translation (Machine.compile), under the same key with `t`
    const translated = [...cache.map.keys()].filter((k) => k.endsWith('t'));
    expect(translated.length).toBeGreaterThanOrEqual(cold.stores);
    s = stats();
    const t = { ...translationCacheStats };
    const gen = jitStats.generated;
    expect(outcome({ codeCache: cache }, 3000)).toEqual(want);
    expect(delta(s, stats())).toEqual({ hits: cold.stores, misses: 0, stores: 0, uncachable: 0 });
    expect(jitStats.generated - gen).toBe(cold.stores);
    expect({ hits: translationCacheStats.hits - t.hits, misses: translationCacheStats.misses - t.misses, stores: translationCacheStats.stores - t.stores }).toEqual({ hits: translated.length, misses: 0, stores: 0 });
  });

  test('a cached translation: the same code as translating; damaged or not of its function, a miss, and the run is the same', () => {
    const want = outcome({ tier: 'interp' }, 1500);
    const cache = mapCache();
    outcome({ codeCache: cache }, 1500);
    const { store, inst } = instantiate({ codeCache: cache });
    inst.call('run', 10);
    const f = inst.raw.funcs.find((x) => x instanceof WasmFunc && x.compiled !== null) as WasmFunc;
    const k = cacheKey(cache, store.machine, inst.raw, f.index, 't')!;
    const t = decodeTranslation(cache.map.get(k), k, f, cache)!;
    const cc = f.compiled as Compiled;
    expect(Array.from(t.code)).toEqual(Array.from(cc.code).map((op, pc) => ([...cc.blockPc.values()].includes(pc) && op === Op.FUEL_OSR ? Op.FUEL : op)));
    expect(t).toMatchObject({ frameWords: cc.frameWords, exnSlots: cc.exnSlots, blockPc: cc.blockPc, origAt: cc.origAt, tmpl: cc.tmpl, refLocals: cc.refLocals });
    expect(decodeTranslation(cache.map.get(k), `${k}x`, f, cache)).toBeNull();
    const damaged = mapCache();
    const tkeys = [...cache.map.keys()].filter((x) => x.endsWith('t'));
    for (const [i, key] of tkeys.entries()) {
      const v = cache.map.get(key)!;
      const x = decodeTranslation(v, key, inst.raw.funcs[Number(/-f(\d+)t$/.exec(key)![1])] as WasmFunc, cache)!;
      expect(x).not.toBeNull();
      damaged.map.set(key, damage(v, i, [
        // a block start past the code
        () => encodeTranslation(key, { ...x, blockPc: new Map([[0, 1e6]]) }, cache),
        // fewer original offsets than code words
        () => encodeTranslation(key, { ...x, origAt: new Int32Array(1) }, cache),
        // an original offset below -1
        () => encodeTranslation(key, { ...x, origAt: x.origAt.map(() => -2) }, cache),
      ]));
    }
    const s = { ...translationCacheStats };
    expect(outcome({ codeCache: damaged }, 1500)).toEqual(want);
    expect(translationCacheStats.hits - s.hits).toBe(0);
    expect(translationCacheStats.misses - s.misses).toBe(tkeys.length);
  });

  test('stops and resumes in cached code: every stop and the result as the interpreter, at budgets small and large', () => {
    const cache = mapCache();
    outcome({ codeCache: cache }, 2000);
    for (const fuel of [0, 1, 37, 500, 4096, 30_000]) {
      const want = outcome({ tier: 'interp' }, 2000, fuel, fuel + 1);
      const s = stats();
      const got = outcome({ codeCache: cache }, 2000, fuel, fuel + 1);
      expect(got, `fuel ${fuel}`).toEqual(want);
      expect(got.stops.length).toBeGreaterThan(0);
      expect(delta(s, stats()).hits).toBeGreaterThan(0);
      expect(delta(s, stats()).misses).toBe(0);
    }
  });

  test('a damaged, stale or foreign entry is a miss, and the run is the same', () => {
    const want = outcome({ tier: 'interp' }, 1500);
    const cache = mapCache();
    outcome({ codeCache: cache }, 1500);
    const keys = generated(cache.map);
    const damaged = mapCache();
    for (const [i, k] of keys.entries()) {
      const v = cache.map.get(k)!;
      const e = decodeEntry(v, k)!;
      damaged.map.set(k, damage(v, i, [
        // another translation (as rebind checks)
        () => encodeEntry(k, { ...e, codeHash: e.codeHash ^ 1 }),
        // another function's entry under this key
        () => cache.map.get(keys[(i + 1) % keys.length]!)!,
        // a source that does not compile
        () => encodeEntry(k, { ...e, src: e.src + ' }}}(' }),
        // a recipe index past the instance's
        () => encodeEntry(k, { ...e, recipe: [[5, 1e6], ...e.recipe] }),
      ]));
    }
    const s = stats();
    expect(outcome({ codeCache: damaged }, 1500)).toEqual(want);
    expect(delta(s, stats())).toMatchObject({ hits: 0, misses: keys.length, stores: keys.length });
  });

  test("a cache whose get and set throw, or hold what is not a string: the run is the same", () => {
    const want = outcome({ tier: 'interp' }, 1000);
    const throwing: CodeCache = {
      get() {
        throw new Error('unreadable');
      },
      set() {
        throw new Error('read-only');
      },
    };
    expect(outcome({ codeCache: throwing }, 1000)).toEqual(want);
    const odd = { get: () => 42 as unknown as string, set: () => undefined };
    expect(outcome({ codeCache: odd }, 1000)).toEqual(want);
    expect(() => new Store({ codeCache: {} as CodeCache })).toThrow(TypeError);
  });

  test('stores with another cost table, call-depth limit or fuel counting, over one cache: each as without it', () => {
    const cache = mapCache();
    for (const o of [{}, { costs: { default: 2, instructions: { call: 7 } } }, { limits: { maxCallDepth: 300 } }, { countFuel: false }, {}, { costs: { default: 2, instructions: { call: 7 } } }] as StoreOptions[]) {
      const want = outcome({ ...o, tier: 'interp' }, 1200, o.countFuel === false ? null : 1e9);
      expect(outcome({ ...o, codeCache: cache }, 1200, o.countFuel === false ? null : 1e9), JSON.stringify(o)).toEqual(want);
    }
  });

  test('a snapshot at a stop in cached code: the same bytes as without a cache; restored with the cache, the same end', () => {
    const cache = mapCache();
    outcome({ codeCache: cache }, 2500);
    const stopAt = (options: StoreOptions): { bytes: Uint8Array; resumed: unknown } => {
      const { store, inst } = instantiate({ ...options, fuel: 20_000 });
      let stop: unknown = null;
      try {
        inst.call('run', 2500);
      } catch (e) {
        stop = e;
      }
      expect(stop).toBeInstanceOf(OutOfFuel);
      const bytes = store.snapshot();
      const linker = (st: Store) => new Linker().defineFunc(st, 'env', 'log', funcType([I32], []), () => undefined);
      const r = Store.restore(bytes, { linker, store: options.codeCache !== undefined ? { codeCache: options.codeCache } : {} });
      r.store.addFuel(1e9);
      return { bytes, resumed: [r.stop!.resume(), r.store.fuelConsumed] };
    };
    const want = stopAt({ tier: 'interp' });
    const none = stopAt({});
    const s = stats();
    const warm = stopAt({ codeCache: cache });
    expect(delta(s, stats()).hits).toBeGreaterThan(0);
    expect(delta(s, stats()).misses).toBe(0);
    expect(warm.bytes).toEqual(none.bytes);
    expect(warm.resumed).toEqual(want.resumed);
    expect(none.resumed).toEqual(want.resumed);
  });

  test('another build reads none of the old entries', () => {
    const cache = mapCache();
    const want = outcome({ codeCache: cache }, 800);
    codeCacheBuild.id = savedBuild + '-next';
    const s = stats();
    expect(outcome({ codeCache: cache }, 800)).toEqual(want);
    expect(delta(s, stats())).toMatchObject({ hits: 0 });
    expect(delta(s, stats()).misses).toBeGreaterThan(0);
  });

  test('an instance whose import is wasm code instead of a host function gets other entries (instanceKey)', () => {
    const cache = mapCache();
    const a = instantiate({ codeCache: cache }, [], 'host');
    const b = instantiate({ codeCache: cache }, [], 'wasm');
    const want = instantiate({ tier: 'interp' }, [], 'wasm').inst.call('run', 2100);
    a.inst.call('run', 2100);
    const s = stats();
    expect(b.inst.call('run', 2100)).toEqual(want);
    // (run calls log: its source differs; the functions that do not call it may share entries)
    expect(delta(s, stats()).misses).toBeGreaterThan(0);
    const ka = cacheKey(cache, a.store.machine, a.inst.raw, 0);
    const kb = cacheKey(cache, b.store.machine, b.inst.raw, 0);
    expect(ka).not.toBe(kb);
  });

  test('a split version (outline.ts) is cached under its state: a warm run takes it, the same runs and splits', () => {
    Object.assign(outlining, { at: 0, limit: 300, min: 40, hot: 0 });
    const want = outcome({ tier: 'interp' }, 700);
    const cache = mapCache();
    const s = stats();
    const split0 = jitStats.split;
    expect(outcome({ codeCache: cache }, 700)).toEqual(want);
    const d = delta(s, stats());
    const splits = jitStats.split - split0;
    expect(splits).toBeGreaterThan(0);
    expect(d.uncachable).toBe(0);
    // (entries that say so: a hit marks the body split, as generating it does)
    expect([...cache.map].filter(([k, v]) => k.endsWith('w') && decodeEntry(v, k)?.split === true).length).toBe(splits);
    const s2 = stats();
    const split2 = jitStats.split;
    expect(outcome({ codeCache: cache }, 700)).toEqual(want);
    expect(delta(s2, stats())).toEqual({ hits: d.stores, misses: 0, stores: 0, uncachable: 0 });
    expect(jitStats.split - split2).toBe(splits);
  });
});

describe('the validated record (ModuleOptions.codeCache)', () => {
  /** fromBinary's outcome: the module's exports, or the error's class and message */
  const compile = (bytes: Uint8Array, options?: Parameters<typeof Module.fromBinary>[1]) => {
    try {
      return { exports: Module.fromBinary(bytes, options).exports };
    } catch (e) {
      return { error: `${(e as Error).constructor.name}: ${(e as Error).message}` };
    }
  };
  const counts = () => ({ ...validationCacheStats });
  const since = (a: typeof validationCacheStats) => ({ skipped: validationCacheStats.skipped - a.skipped, recorded: validationCacheStats.recorded - a.recorded });

  test('a module that validated is recorded; compiled again, its bodies are not validated, and it runs the same', () => {
    const cache = mapCache();
    let s = counts();
    expect(compile(BYTES, { codeCache: cache })).toEqual(compile(BYTES));
    expect(since(s)).toEqual({ skipped: 0, recorded: 1 });
    const v = [...cache.map].filter(([k]) => k.endsWith('-v'));
    expect(v.length).toBe(1);
    s = counts();
    expect(compile(BYTES, { codeCache: cache })).toEqual(compile(BYTES));
    expect(since(s)).toEqual({ skipped: 1, recorded: 0 });
    // (the module from the record runs as one validated whole, with and without the JS tier)
    const logs: number[] = [];
    const store = new Store({ codeCache: cache });
    const linker = new Linker().defineFunc(store, 'env', 'log', funcType([I32], []), (_c, x) => void logs.push(x as number));
    const inst = linker.instantiate(store, Module.fromBinary(BYTES, { codeCache: cache }));
    const plain: number[] = [];
    expect(inst.call('run', 300)).toEqual(instantiate({ tier: 'interp' }, plain).inst.call('run', 300));
    expect(logs).toEqual(plain);
    // other options that decide validity, another build, a damaged record: validated whole (and recorded)
    s = counts();
    compile(BYTES, { codeCache: cache, features: { simd: false } });
    codeCacheBuild.id = savedBuild + '-next';
    compile(BYTES, { codeCache: cache });
    codeCacheBuild.id = savedBuild;
    cache.map.set(v[0]![0], v[0]![1].replace('validated', 'valid8ted'));
    compile(BYTES, { codeCache: cache });
    expect(since(s)).toEqual({ skipped: 0, recorded: 3 });
  });

  test('a module that fails is never recorded: the same error every time, as without a cache', () => {
    // (a body whose i32 result is an i64: decodes, does not validate)
    const ok = Module.fromWat('(module (func (export "f") (result i32) (i32.const 7)))').bytes;
    const bad = ok.slice();
    bad[bad.lastIndexOf(0x41)] = 0x42;
    const want = compile(bad);
    expect(want.error).toMatch(/^ValidationError/);
    const cache = mapCache();
    const s = counts();
    for (let i = 0; i < 3; i++) expect(compile(bad, { codeCache: cache })).toEqual(want);
    expect(since(s)).toEqual({ skipped: 0, recorded: 0 });
    expect([...cache.map.keys()]).toEqual([]);
    // and a malformed one (the decoder's error)
    const cut = ok.slice(0, ok.length - 2);
    expect(compile(cut, { codeCache: cache })).toEqual(compile(cut));
    expect(compile(cut, { codeCache: cache })).toEqual(compile(cut));
    expect(since(s)).toEqual({ skipped: 0, recorded: 0 });
  });
});

describe('key', () => {
  const key = (options: StoreOptions, index = 3, log: 'host' | 'wasm' = 'host', bytes = BYTES): string | null => {
    const { store, inst } = instantiate(options, [], log, bytes);
    return cacheKey(options.codeCache!, store.machine, inst.raw, index);
  };
  const c = mapCache();

  test('names the build, the module, the function, the machine facts, the instance and the settings', () => {
    const k = key({ codeCache: c })!;
    expect(k).toMatch(/^[0-9a-f]{64}-f3w$/);
    // the same facts in another store (another machine, with its own machineKey id in another process)
    expect(key({ codeCache: c, fuel: 5 })).toBe(k);
    expect(key({ codeCache: c }, 4)).not.toBe(k);
    expect(key({ codeCache: c, countFuel: false })).not.toBe(k);
    expect(key({ codeCache: c, costs: { default: 2 } })).not.toBe(k);
    expect(key({ codeCache: c, limits: { maxCallDepth: 500 } })).not.toBe(k);
    expect(key({ codeCache: c, limits: { maxArrayBytes: 1 << 20 } })).not.toBe(k);
    expect(key({ codeCache: c }, 3, 'wasm')).not.toBe(k);
    const other = Module.fromWat(PACKAGE_WAT.replace('wasmeter code cache', 'wasmeter code cachf')).bytes;
    expect(key({ codeCache: c }, 3, 'host', other)).not.toBe(k);
    codeCacheBuild.id = savedBuild + '-next';
    expect(key({ codeCache: c })).not.toBe(k);
    codeCacheBuild.id = savedBuild;
    Object.assign(outlining, { at: outlining.at + 1 });
    expect(key({ codeCache: c })).not.toBe(k);
  });

  test("the module's hash is the cache's own when it has one, and only a SHA-256 in hex is taken", () => {
    let hashed = 0;
    const own = { ...mapCache(), hash: (b: Uint8Array) => (hashed++, 'ab'.repeat(32)) };
    expect(key({ codeCache: own })).toMatch(/^[0-9a-f]{64}-f3w$/);
    expect(hashed).toBe(2); // the module, then the key's text
    const bad = { ...mapCache(), hash: () => 'not hex' };
    expect(() => key({ codeCache: bad })).toThrow(TypeError);
  });
});

describe('entries', () => {
  const e: CacheEntry = { src: 'return 1;\n"é"', recipe: [[1, 0]], codeLen: 3, codeHash: -5, frameWords: 4, osr: [2, -1], withHandlers: true, warm: 10, calls: [1, 2], split: true, chars: [0, 7, 0] };

  test('encoded and decoded, checked: format, checksum (either kind), lengths, key, structure', () => {
    const hashing = { ...mapCache(), hash: fileCodeCache(tmpdir()).hash! };
    for (const cache of [undefined, hashing]) {
      const s = encodeEntry('k1', e, cache);
      expect(s.startsWith(`${CACHE_FORMAT} ${cache === undefined ? 't' : 's'}`)).toBe(true);
      expect(decodeEntry(s, 'k1', cache)).toEqual({ ...e, sum: expect.stringMatching(/^[st][0-9a-f]+$/) });
      // (read by a cache without a native hash: the pure-JS SHA-256)
      expect(decodeEntry(s, 'k1')).toEqual(decodeEntry(s, 'k1', cache));
      expect(decodeEntry(s, 'k2', cache)).toBeNull();
      expect(decodeEntry(s.replace('é', 'e'), 'k1', cache)).toBeNull();
      expect(decodeEntry(s.replace('"calls":[1', '"calls":[3'), 'k1', cache)).toBeNull();
      expect(decodeEntry(s + ' ', 'k1', cache)).toBeNull();
      expect(decodeEntry(s.slice(0, -1), 'k1', cache)).toBeNull();
      expect(decodeEntry(s.replace(CACHE_FORMAT, 'wasmeter-jit 0'), 'k1', cache)).toBeNull();
    }
    expect(decodeEntry(undefined, 'k1')).toBeNull();
    expect(decodeEntry('', 'k1')).toBeNull();
    const { src, ...meta } = e;
    for (const bad of [{ codeLen: 1.5 }, { osr: [1] }, { warm: -1 }, { calls: ['x'] }, { recipe: 3 }, { withHandlers: 1 }, { split: 0 }, { chars: [1, 2] }, { chars: [1.5, 0, 0] }, { chars: undefined }]) {
      expect(decodeEntry(sealEntry(JSON.stringify({ key: 'k1', ...meta, ...bad }), src), 'k1'), JSON.stringify(bad)).toBeNull();
    }
    expect(decodeEntry(sealEntry('{"key":', src), 'k1')).toBeNull();
    expect(decodeEntry(sealEntry(JSON.stringify({ key: 'k1', ...meta }), src), 'k1')).toMatchObject(e);
  });

  test("a translation's words as text: every int32 back as it was; anything else refused", () => {
    const edge = [0, 1, -1, 15, -16, 16, 31, 32, -32, 1023, 1024, -1025, 2 ** 31 - 1, -(2 ** 31), 2 ** 30, -(2 ** 30) - 1];
    const random = Array.from({ length: 2000 }, (_, i) => (Math.imul(i + 1, 0x9e3779b1) >> (i % 32)) | 0);
    const words = Int32Array.from([...edge, ...random]);
    const s = encodeWords(words, Int32Array.of(7, -7));
    expect(/^[0-o]*$/.test(s)).toBe(true);
    // (small words a character each)
    expect(encodeWords([0, 1, -1, 15, -16]).length).toBe(5);
    const a = decodeWords(s, 0, words.length)!;
    expect(a.words).toEqual(words);
    const b = decodeWords(s, a.end, 2)!;
    expect(Array.from(b.words)).toEqual([7, -7]);
    expect(b.end).toBe(s.length);
    // cut short, another character, a word past 32 bits (2^32 zigzagged), past 35 bits
    expect(decodeWords(s.slice(0, -1), a.end, 2)).toBeNull();
    expect(decodeWords(s.slice(0, 3) + '{' + s.slice(4), 0, words.length)).toBeNull();
    expect(decodeWords(encodeWords([2 ** 31]), 0, 1)).toBeNull();
    expect(decodeWords('0000000P', 0, 1)).toBeNull();
  });

  test('the recipe: by kind and index, exits by their arrays, shared values by name; anything else refused', () => {
    const { inst } = instantiate({});
    const raw = inst.raw;
    const hot = { n: 5 };
    const prof = { hits: new Uint8Array(4), left: { n: 9 } };
    const sh = { hot, prof };
    const exits = { k: Int32Array.of(1, 2), p: Int32Array.of(3), b: Int32Array.of(), at: 8, cw: 3 };
    const floats = new Float64Array(new Int32Array([0x123, 0x7ff40000, 0, 0x3ff00000]).buffer);
    const t = gcTypeById(raw.vm.registry, raw.vm.canon[0]!);
    const r = [
      { k: 1, i: 0, v: null },
      { k: 5, i: 2, v: null },
      { k: 4, i: 0, v: exits },
      { k: 0, i: 0, v: hot },
      { k: 0, i: 0, v: floats },
      { k: 0, i: 0, v: t },
      { k: 0, i: 0, v: t.make },
      { k: 0, i: 0, v: raw.vm.registry },
      { k: 10, i: 1, v: null },
      { k: 0, i: 0, v: prof.hits },
      { k: 0, i: 0, v: prof.left },
    ];
    const j = recipeOut(r as never, (v) => constName(v, raw, sh))!;
    const back = recipeIn(JSON.parse(JSON.stringify(j)), raw, (n) => constValue(n, raw, sh));
    expect(back).toEqual(r);
    // the NaN's payload kept (as words)
    expect(new Int32Array((back[4]!.v as Float64Array).buffer)).toEqual(new Int32Array(floats.buffer));
    expect(back[6]!.v).toBe(t.make);
    // a profiling version's profile by name: P its hits, L its count (the body's profile where it is bound)
    expect(j.slice(-2)).toEqual([[0, 'P'], [0, 'L']]);
    expect(back[9]!.v).toBe(prof.hits);
    expect(back[10]!.v).toBe(prof.left);
    expect(() => recipeIn([[0, 'P']], raw, (n) => constValue(n, raw, { hot, prof: null }))).toThrow();
    expect(recipeOut([{ k: 0, i: 0, v: { other: 1 } }] as never, (v) => constName(v, raw, sh))).toBeNull();
    expect(recipeOut([{ k: 0, i: 0, v: () => 1 }] as never, (v) => constName(v, raw, sh))).toBeNull();
    for (const bad of [[[5, raw.funcs.length]], [[5, -1]], [[99, 0]], [[0, 'nothing']], [[0, 'T999999']], [[4, [], [], [], 3, 0]], [[1, 0, 0]], 'x', [7]]) {
      expect(() => recipeIn(bad, raw, (n) => constValue(n, raw, sh)), JSON.stringify(bad)).toThrow();
    }
  });
});

describe('fileCodeCache', () => {
  test('entries written at flush, read back, under plain names or hashed ones; an unwritable directory is no error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasmeter-code-cache-'));
    try {
      const c = fileCodeCache(join(dir, 'jit'), { flushOnExit: false });
      expect(c.hash!(new Uint8Array([97, 98, 99]))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
      c.set('abc-f1w', 'one');
      c.set('a/b\\c:?', 'two');
      expect(c.get('abc-f1w')).toBe('one');
      c.flush();
      const files = readdirSync(join(dir, 'jit')).sort();
      expect(files.length).toBe(2);
      expect(files).toContain('abc.pack');
      const again = fileCodeCache(join(dir, 'jit'), { flushOnExit: false });
      expect(again.get('abc-f1w')).toBe('one');
      expect(again.get('a/b\\c:?')).toBe('two');
      expect(again.get('nothing')).toBeUndefined();
      expect(again.get('abc-f2w')).toBeUndefined();
      // one pack per group, merged at flush with what the file holds then (another process's entries stay)
      const other = fileCodeCache(join(dir, 'jit'), { flushOnExit: false });
      expect(other.get('abc-f1w')).toBe('one');
      again.set('abc-f2w', 'three');
      again.flush();
      other.set('abc-f3w', 'four');
      other.flush();
      expect(readdirSync(join(dir, 'jit')).sort()).toEqual(files);
      const merged = fileCodeCache(join(dir, 'jit'), { flushOnExit: false });
      expect(['abc-f1w', 'abc-f2w', 'abc-f3w'].map((k) => merged.get(k))).toEqual(['one', 'three', 'four']);
      expect(merged.packs).toMatchObject({ read: 1, bad: 0 });
      // a damaged pack (its index) is a miss, never an error; the next flush writes it anew
      const pack = join(dir, 'jit', 'abc.pack');
      const bytes = readFileSync(pack);
      writeFileSync(pack, bytes.subarray(0, 30));
      const damaged = fileCodeCache(join(dir, 'jit'), { flushOnExit: false });
      expect(damaged.get('abc-f1w')).toBeUndefined();
      expect(damaged.packs).toMatchObject({ read: 0, bad: 1 });
      damaged.set('abc-f4w', 'five');
      damaged.flush();
      expect(fileCodeCache(join(dir, 'jit'), { flushOnExit: false }).get('abc-f4w')).toBe('five');
      for (const junk of ['', 'wasmeter-jit-pack 1 5\n[[1]]', `wasmeter-jit-pack 1 ${'[["abc-f1w",0,99,0,0,null]]'.length}\n[["abc-f1w",0,99,0,0,null]]`, 'wasmeter-jit-pack 1 999\n[]']) {
        writeFileSync(pack, junk);
        expect(fileCodeCache(join(dir, 'jit'), { flushOnExit: false }).get('abc-f1w'), junk).toBeUndefined();
      }
      // a directory that cannot be made: nothing written, nothing thrown
      writeFileSync(join(dir, 'file'), '');
      const bad = fileCodeCache(join(dir, 'file', 'jit'), { flushOnExit: false });
      bad.set('k', 'v');
      expect(() => bad.flush()).not.toThrow();
      expect(bad.get('k')).toBeUndefined();
      // a run through it, then another from what it wrote
      const want = outcome({ tier: 'interp' }, 900);
      const c1 = fileCodeCache(join(dir, 'run'), { flushOnExit: false });
      expect(outcome({ codeCache: c1 }, 900)).toEqual(want);
      c1.flush();
      const s = stats();
      expect(outcome({ codeCache: fileCodeCache(join(dir, 'run'), { flushOnExit: false }) }, 900)).toEqual(want);
      expect(delta(s, stats())).toMatchObject({ misses: 0, stores: 0 });
      expect(delta(s, stats()).hits).toBeGreaterThan(0);
      // V8's cached data of the sources: made at the flush of the first process that compiled them from the cache,
      // used by the next; a damaged file is never given to V8
      const c2 = fileCodeCache(join(dir, 'run'), { flushOnExit: false });
      const s2 = stats();
      expect(outcome({ codeCache: c2 }, 900)).toEqual(want);
      expect(c2.v8).toMatchObject({ used: 0, invalid: 0 });
      c2.flush();
      expect(c2.v8.made).toBe(delta(s2, stats()).hits);
      const packFiles = readdirSync(join(dir, 'run'));
      expect(packFiles.length).toBe(1);
      const packPath = join(dir, 'run', packFiles[0]!);
      const v8Parts = [...readPack(readFileSync(packPath))!.values()].filter((p) => p.v8 !== undefined);
      expect(v8Parts.length).toBe(c2.v8.made);
      const c3 = fileCodeCache(join(dir, 'run'), { flushOnExit: false });
      expect(outcome({ codeCache: c3 }, 900)).toEqual(want);
      expect(c3.v8).toMatchObject({ used: v8Parts.length, invalid: 0, rejected: 0 });
      // (entries from a pack whose hash matched: not checked again, CodeCache.intact; without crypto, checked each)
      expect(c3.intact).toBe(true);
      expect(fileCodeCache(join(dir, 'run'), { crypto: null, vm: null }).intact).toBeUndefined();
      // the last byte of one part's V8 data changed: the pack's SHA-256 (checked at its read) no longer matches, the
      // whole pack is a miss, and nothing of it reaches V8
      const b = readFileSync(packPath);
      v8Parts.length = 0;
      for (const p of readPack(b)!.values()) if (p.v8 !== undefined) v8Parts.push(p);
      v8Parts[0]!.v8!.data[v8Parts[0]!.v8!.data.length - 1]! ^= 1;
      writeFileSync(packPath, b);
      expect(readPack(b)).not.toBeNull();
      expect(readPack(b, fileCodeCache(dir).hash)).toBeNull();
      const c4 = fileCodeCache(join(dir, 'run'), { flushOnExit: false });
      const s4 = stats();
      expect(outcome({ codeCache: c4 }, 900)).toEqual(want);
      expect(c4.v8).toMatchObject({ used: 0, invalid: 0, rejected: 0 });
      expect(c4.packs).toMatchObject({ read: 0, bad: 1 });
      expect(delta(s4, stats()).hits).toBe(0);
      expect(delta(s4, stats()).stores).toBeGreaterThan(0);
      // without node:vm: no compile of its own
      expect(fileCodeCache(join(dir, 'run'), { vm: null }).compile).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a bounded directory: past maxBytes at flush, the least recently used files go (a pack read is used)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasmeter-code-cache-'));
    try {
      const big = 'x'.repeat(1000);
      const write = (group: string): void => {
        const c = fileCodeCache(dir, { flushOnExit: false, maxBytes: 2600 });
        c.set(`${group}-f0w`, big);
        c.flush();
      };
      write('a');
      write('b');
      const past = (f: string, s: number) => utimesSync(join(dir, f), new Date(Date.now() - s * 1000), new Date(Date.now() - s * 1000));
      past('a.pack', 200);
      past('b.pack', 100);
      writeFileSync(join(dir, 'stale.tmp'), '');
      past('stale.tmp', 300);
      // a read of a's pack makes it the most recent: c's flush evicts the stale file and b, not a
      expect(fileCodeCache(dir, { flushOnExit: false }).get('a-f0w')).toBe(big);
      const c = fileCodeCache(dir, { flushOnExit: false, maxBytes: 2600 });
      c.set('c-f0w', big);
      c.flush();
      expect(c.packs).toMatchObject({ written: 1, evicted: 2 });
      expect(readdirSync(dir).sort()).toEqual(['a.pack', 'c.pack']);
      // within the bound: nothing goes; Infinity: never looked at
      write('a');
      expect(readdirSync(dir).sort()).toEqual(['a.pack', 'c.pack']);
      const none = fileCodeCache(dir, { flushOnExit: false, maxBytes: Infinity });
      none.set('d-f0w', big);
      none.set('e-f0w', big);
      none.flush();
      expect(readdirSync(dir).length).toBe(4);
      // 0: whatever is written goes too
      const zero = fileCodeCache(dir, { flushOnExit: false, maxBytes: 0 });
      zero.set('f-f0w', big);
      zero.flush();
      expect(readdirSync(dir)).toEqual([]);
      expect(() => fileCodeCache(dir, { maxBytes: -1 })).toThrow(TypeError);
      expect(() => fileCodeCache(dir, { maxBytes: NaN })).toThrow(TypeError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('without Node fs: a typed error', () => {
    const gbm = process.getBuiltinModule;
    try {
      (process as { getBuiltinModule?: unknown }).getBuiltinModule = undefined;
      expect(() => fileCodeCache(join(tmpdir(), 'wasmeter-never-made'))).toThrow(/needs Node/);
    } finally {
      process.getBuiltinModule = gbm;
    }
    expect(() => fileCodeCache('')).toThrow(TypeError);
  });
});
