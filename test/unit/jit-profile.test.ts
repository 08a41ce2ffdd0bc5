/**
 * A split function's profile and its regeneration whole (cold.ts `profile`, codegen.ts `rewhole`, `coldHit`): an
 * interpreter loop split at its first call records which of its blocks run, is generated again whole with the blocks
 * that never ran as exits once its loop heads have been passed `profile.passes` times, counts the exits taken after
 * that and is generated again (whole with those blocks, or split for good past `profile.regens`), never in a loop.
 * Results, traps, fuel, stops and snapshots are the interpreter's throughout.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Linker, Module, Store } from '../../src/index.js';
import { DISPATCH_TARGETS, jsEval } from '../../src/jit/codegen.js';
import { profile, profileStats } from '../../src/jit/cold.js';
import { outlining } from '../../src/jit/outline.js';
import { callThroughStops } from '../shared/stops.js';
import { codeCacheStats, type CodeCache } from '../../src/jit/code-cache.js';

// (the budget sweeps below take 20-45 s alone and more than a minute in a full run on a loaded 2-core machine: a
// hang guard above the suite's 120 s default, not a timed assertion)
const SWEEP_TIMEOUT = 300_000;

/**
 * `run(n, m)`: n passes of a loop dispatching on `i % (m + 1)` with a br_table of DISPATCH_TARGETS targets, the k-th
 * to handler k % 4 (so m = 1 runs handlers 0 and 1 only, m = 3 all four); handler 3 traps once `s` is 0x7777 at the
 * pass `t`.
 */
const WAT = (() => {
  const labels = Array.from({ length: DISPATCH_TARGETS }, (_, k) => `$h${k % 4}`).join(' ');
  const handler = (k: number) =>
    Array.from({ length: 4 }, (_, i) => `(local.set $s (i32.xor (i32.mul (local.get $s) (i32.const ${k * 4 + i + 3})) (local.get $i)))`).join('\n');
  return `(module
  (memory (export "memory") 1)
  (func (export "run") (param $n i32) (param $m i32) (param $t i32) (result i32) (local $i i32) (local $s i32)
    (loop $l
      ;; (a loop inside: the outer one is no counted loop's candidate, and its head counts the passes)
      (loop $k (br_if $k (i32.const 0)))
      (block $next
        (block $h3
          (block $h2
            (block $h1
              (block $h0
                (br_table ${labels} $h3 (i32.rem_u (local.get $i) (i32.add (local.get $m) (i32.const 1)))))
              (i32.store (i32.const 16) (local.get $i))
              ${handler(0)} (br $next))
            (i32.store (i32.const 20) (local.get $s))
            ${handler(1)} (br $next))
          (i32.store (i32.const 24) (i32.add (i32.load (i32.const 24)) (i32.const 1)))
          ${handler(2)} (br $next))
        (if (i32.eq (local.get $i) (local.get $t)) (then (unreachable)))
        ${handler(3)})
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.add (local.get $s) (i32.load (i32.const 24)))))`;
})();

const realCompile = jsEval.compile;
const savedOutlining = { ...outlining };
const savedProfile = { ...profile };
let MOD: Module;
/** The sources the JS tier compiled, in order. */
let srcs: string[] = [];
beforeEach(() => {
  // every function split at its first call into small parts; profiled for 50 loop passes (counting entries: the
  // tests that say so); any whole version fits
  Object.assign(outlining, { at: 0, limit: 300, min: 40, hot: 1e9 });
  Object.assign(profile, { on: true, bytes: Infinity, passes: 50, entries: null, exits: 1e9, regens: 3, fit: Infinity });
  // (a module of its own: the profile and the versions are the module's, shared by its instances)
  MOD = Module.fromWat(WAT);
  srcs = [];
  jsEval.compile = (src) => {
    srcs.push(src);
    return realCompile(src);
  };
});
afterEach(() => {
  jsEval.compile = realCompile;
  Object.assign(outlining, savedOutlining);
  Object.assign(profile, savedProfile);
});

const split = (src: string) => /\bOL\d+ \?\?= function/.test(src);
const linker = () => new Linker();

interface Outcome {
  out: unknown;
  fuel: number;
  stops: number;
  mem: number[];
}

/** run(...args) in a fresh store of `tier` from `budget` (each stop refilled with what it needs and `more`; `snap`: restored from a snapshot there). */
function call(tier: 'js' | 'interp', args: number[], budget = 1e9, snap = false, more = 0): Outcome {
  const { out, store, inst, stops } = callThroughStops({
    tier,
    mod: MOD,
    linker,
    name: 'run',
    args,
    budget,
    refill: (stop) => stop.needed - stop.remaining + more,
    snap,
    outcome: (e) => `error ${(e as Error).message}`,
    first: true,
  });
  const v = new DataView(inst.memory('memory')!.buffer);
  return { out, fuel: store.fuelConsumed, stops, mem: [16, 20, 24].map((a) => v.getInt32(a, true)) };
}

/** run(...args) at every budget up to a little past its fuel, against the interpreter, with snapshots at every fifth. */
function everyBudget(args: number[]): void {
  const full = call('interp', args);
  expect(call('js', args)).toEqual(full);
  for (let b = 0; b <= full.fuel + 2; b += 1 + (b >> 4)) {
    const want = call('interp', args, b);
    expect(call('js', args, b), `run(${args}) from ${b}`).toEqual(want);
    if (b % 5 === 0) expect(call('js', args, b, true), `run(${args}) from ${b}, snapshots`).toEqual(want);
  }
}

describe('a split function profiled and generated whole (cold.ts profile)', () => {
  test('split first with a hit store per block; after profile.passes loop passes whole, the blocks never run as exits', () => {
    const p0 = { ...profileStats };
    const want = call('interp', [300, 1, -1]);
    expect(call('js', [300, 1, -1])).toEqual(want);
    expect(srcs.length).toBe(2);
    // the profiling version: split, with its hit stores and its count
    expect(split(srcs[0]!)).toBe(true);
    expect(srcs[0]).toMatch(/\bHP\[\d+\] = 1;/);
    expect(srcs[0]).toContain('rewhole(mc, ');
    // the whole version: no parts, no hit stores, handlers 2 and 3 (never run) exits that count
    expect(split(srcs[1]!)).toBe(false);
    expect(srcs[1]).not.toMatch(/\bHP\[/);
    expect(srcs[1]).not.toContain('rewhole(');
    expect(srcs[1]!.match(/coldHit\(mc, /g)?.length).toBe(2);
    // (handler 2's memory access and multipliers are not in it)
    expect(srcs[0]).toContain('Math.imul(L4, 11)');
    expect(srcs[1]).not.toContain('Math.imul(L4, 11)');
    expect(profileStats.profiled - p0.profiled).toBe(1);
    expect(profileStats.whole - p0.whole).toBe(1);
    // a later instance binds the whole version at once, with the same results and fuel
    expect(call('js', [300, 1, -1])).toEqual(want);
    expect(srcs.length).toBe(2);
  });

  test('the profiling version, and its hand-off to the whole version at the end of its count, at budgets from 0 to 4,000, snapshots at stops', () => {
    const p0 = profileStats.whole;
    for (let b = 0, k = 0; b <= 4000; b += 1 + (b >> 2), k++) {
      // (a module of its own each time: the count starts again; every other budget with 300 fuel more at each stop,
      // so that the loop heads pass with fuel and count, the others with what each stop needs, up to 300)
      const more = k % 2 === 0 ? 300 : 0;
      if (more === 0 && b > 300) continue;
      MOD = Module.fromWat(WAT);
      const want = call('interp', [120, 1, -1], b, false, more);
      expect(call('js', [120, 1, -1], b, k % 3 === 0, more), `run(120, 1) from ${b}, ${more} more at stops`).toEqual(want);
    }
    expect(profileStats.whole - p0).toBeGreaterThan(10);
  }, SWEEP_TIMEOUT);

  test('exits taken in the whole version: the interpreter runs those blocks; the same results, traps and fuel at every budget, snapshots at stops', () => {
    call('js', [300, 1, -1]);
    expect(split(srcs[srcs.length - 1]!)).toBe(false);
    const n = srcs.length;
    const e0 = profileStats.exits;
    for (const args of [
      [12, 3, -1],
      [12, 3, 7],
      [7, 2, -1],
    ])
      everyBudget(args);
    expect(profileStats.exits - e0).toBeGreaterThan(100);
    // (profile.exits is not reached: no regeneration)
    expect(srcs.length).toBe(n);
  });

  test('past profile.exits exits the function is generated whole again with the blocks they took; past profile.regens split again, for good', () => {
    Object.assign(profile, { exits: 3, regens: 2 });
    const s0 = { ...profileStats };
    const check = (args: number[]) => expect(call('js', args)).toEqual(call('interp', args));
    check([300, 1, -1]);
    expect(srcs.map(split)).toEqual([true, false]);
    // handler 2's exits: the second whole version has it, handler 3 still an exit
    check([40, 2, -1]);
    expect(srcs.map(split)).toEqual([true, false, false]);
    expect(srcs[2]!.match(/coldHit\(mc, /g)?.length).toBe(1);
    expect(profileStats.regenerated - s0.regenerated).toBe(1);
    // handler 3's exits past the bound, with profile.regens whole versions made: split for good, no hit stores
    check([40, 3, -1]);
    expect(srcs.map(split)).toEqual([true, false, false, true]);
    expect(srcs[3]).not.toMatch(/\bHP\[/);
    expect(srcs[3]).not.toContain('rewhole(');
    expect(profileStats.backToSplit - s0.backToSplit).toBe(1);
    // and it stays so, in this instance and later ones, at every budget
    for (let k = 0; k < 3; k++) check([300, 3, -1]);
    everyBudget([12, 3, 7]);
    expect(srcs.length).toBe(4);
  });

  test('a whole version the profile estimates far over the limit is not generated: the profiling split version runs on', () => {
    profile.fit = 100;
    const s0 = { ...profileStats };
    const want = call('interp', [600, 1, -1]);
    expect(call('js', [600, 1, -1])).toEqual(want);
    expect(srcs.length).toBe(1);
    expect(profileStats.skipped - s0.skipped).toBe(1);
    expect(profileStats.unfit - s0.unfit).toBe(0);
    expect(profileStats.whole - s0.whole).toBe(0);
    // (under the margin by the estimate, with the limit at the estimate's size: generated, and installed)
    MOD = Module.fromWat(WAT);
    Object.assign(profile, { fit: 1e9, margin: 1 });
    expect(call('js', [600, 1, -1])).toEqual(want);
    expect(profileStats.whole - s0.whole).toBe(1);
  });

  test('a whole version over the limit is not installed: the profiling split version runs on, and is not regenerated again', () => {
    // (the estimate passes it: the generation finds it over the limit, before anything compiles)
    Object.assign(profile, { fit: 100, margin: Infinity });
    const s0 = { ...profileStats };
    const want = call('interp', [600, 1, -1]);
    expect(call('js', [600, 1, -1])).toEqual(want);
    expect(srcs.length).toBe(1);
    expect(split(srcs[0]!)).toBe(true);
    // (a later instance: split, without the hit stores)
    expect(call('js', [600, 3, -1])).toEqual(call('interp', [600, 3, -1]));
    expect(srcs.length).toBe(2);
    expect(split(srcs[1]!)).toBe(true);
    expect(srcs[1]).not.toMatch(/\bHP\[/);
    expect(profileStats.unfit - s0.unfit).toBe(1);
    expect(profileStats.skipped - s0.skipped).toBe(0);
    expect(profileStats.whole - s0.whole).toBe(0);
  });

  test('counting entries (profile.entries): the count in the prologue, the frame that ends it finishing split, whole from the next entry', () => {
    profile.entries = 3;
    const s0 = { ...profileStats };
    const want = call('interp', [300, 1, -1]);
    expect(call('js', [300, 1, -1])).toEqual(want);
    expect(call('js', [300, 1, -1])).toEqual(want);
    // (two entries, of 300 loop passes each, the loop-head count's 50 long past: still split)
    expect(srcs.length).toBe(1);
    expect(split(srcs[0]!)).toBe(true);
    expect(srcs[0]).toMatch(/\bHP\[\d+\] = 1;/);
    // the count once, outside the loop; the loop heads check fuel alone
    expect(srcs[0]!.match(/rewhole\(mc, /g)?.length).toBe(1);
    expect(srcs[0]).not.toMatch(/fuel < \d+ \|\|/);
    // the third entry ends the count: the whole version is generated at once, the frame finishes split
    expect(call('js', [300, 1, -1])).toEqual(want);
    expect(srcs.map(split)).toEqual([true, false]);
    expect(srcs[1]).not.toContain('rewhole(');
    expect(srcs[1]!.match(/coldHit\(mc, /g)?.length).toBe(2);
    expect(profileStats.whole - s0.whole).toBe(1);
    expect(profileStats.exits - s0.exits).toBe(0);
    // the next entry runs the whole version: handler 2 and 3's blocks are its exits
    expect(call('js', [40, 3, -1])).toEqual(call('interp', [40, 3, -1]));
    expect(profileStats.exits - s0.exits).toBeGreaterThan(10);
    expect(srcs.length).toBe(2);
  });

  test('counting entries: the count ending at a stop or a re-entry, the split frame running on after it, at budgets from 0 to 4,000, snapshots at stops', () => {
    profile.entries = 2;
    const p0 = profileStats.whole;
    for (let b = 0, k = 0; b <= 4000; b += 1 + (b >> 2), k++) {
      const more = k % 2 === 0 ? 300 : 0;
      if (more === 0 && b > 300) continue;
      MOD = Module.fromWat(WAT);
      // (a first entry, to the end; then one that ends the count, stopped at budget b and re-entered, with handler 3 trapping late)
      const a = call('interp', [60, 3, -1]);
      expect(call('js', [60, 3, -1])).toEqual(a);
      const want = call('interp', [120, 3, 100], b, false, more);
      expect(call('js', [120, 3, 100], b, k % 3 === 0, more), `run(120, 3, 100) from ${b}, ${more} more at stops`).toEqual(want);
      expect(call('js', [120, 1, -1], b, k % 3 === 1, more), `run(120, 1) from ${b} after`).toEqual(call('interp', [120, 1, -1], b, false, more));
    }
    expect(profileStats.whole - p0).toBeGreaterThan(10);
  }, SWEEP_TIMEOUT);

  test('with a persistent cache, a fresh module takes the profiling split version from it, and profiles and regenerates as without', () => {
    const map = new Map<string, string>();
    const codeCache: CodeCache = { get: (k) => map.get(k), set: (k, v) => void map.set(k, v) };
    const bytes = MOD.bytes;
    /** run(600, 1, -1) in a new store with the cache, of a module made afresh from the bytes (as in a new process) */
    const run = () => {
      const s0 = { ...profileStats };
      const c0 = { ...codeCacheStats };
      const n0 = srcs.length;
      const store = new Store({ codeCache });
      const inst = new Linker().instantiate(store, Module.fromBinary(bytes));
      const out = inst.call('run', 600, 1, -1)[0];
      const d = (a: Record<string, number>, b: Record<string, number>) => Object.fromEntries(Object.keys(a).map((k) => [k, b[k]! - a[k]!]));
      return { out, fuel: store.fuelConsumed, profile: d(s0, profileStats), cache: d(c0, codeCacheStats), srcs: srcs.slice(n0) };
    };
    const want = call('interp', [600, 1, -1]);
    // installed whole from the profile: the warm run compiles the cached profiling version, then generates the same whole one
    const cold = run();
    expect([cold.out, cold.fuel]).toEqual([want.out, want.fuel]);
    expect(cold.srcs.length).toBe(2);
    expect(cold.profile).toMatchObject({ profiled: 1, whole: 1 });
    expect(cold.cache).toMatchObject({ hits: 0, stores: 1 });
    const warm = run();
    expect(warm).toEqual({ ...cold, cache: { hits: 1, misses: 0, stores: 0, uncachable: 0 } });
    // the whole version far over the limit by the profile's estimate, which reads the characters the profiling
    // version wrote per block (Profile.chars: recorded in its entry): skipped in the warm run too
    map.clear();
    profile.fit = 100;
    const coldSkip = run();
    expect(coldSkip.profile).toMatchObject({ profiled: 1, skipped: 1, whole: 0 });
    expect(coldSkip.srcs.length).toBe(1);
    const warmSkip = run();
    expect(warmSkip).toEqual({ ...coldSkip, cache: { hits: 1, misses: 0, stores: 0, uncachable: 0 } });
    expect(warmSkip.out).toBe(want.out);
  });

  test('profile.on false: split versions have no hit stores and stay split', () => {
    profile.on = false;
    expect(call('js', [300, 1, -1])).toEqual(call('interp', [300, 1, -1]));
    expect(srcs.length).toBe(1);
    expect(split(srcs[0]!)).toBe(true);
    expect(srcs[0]).not.toMatch(/\bHP\[/);
  });
});
