/**
 * The JS tier (src/jit) against the interpreter: the same results,
 * fuel, stops, memory and traps for every way a call can run: uninterrupted,
 * cut by out-of-fuel at random budgets and resumed, stopped by host
 * suspensions and hosts without fuel, interrupted in slices, trapping, and
 * recursing deeper than the JS stack.
 */
import { describe, expect, test } from 'vitest';
import { HostSuspended, Interrupted, OutOfFuel, Trap } from '../../src/core/errors.js';
import { EXTERNREF, I32, I64, F32, F64 } from '../../src/core/types.js';
import { funcType, Linker, Module, Store, WasmFunc, type Instance } from '../../src/index.js';
import type { FuelCosts } from '../../src/runtime/objects/costs.js';
import { FuelStop } from '../../src/runtime/store.js';
import { WORKLOADS } from '../../bench/workloads.js';

type Tier = 'js' | 'interp';

/** A deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Outcome {
  result: unknown;
  fuel: number;
  stops: number;
  memory: string;
  callDepth: number;
}

/** FNV-1a of a memory (equal memories, equal strings). */
function memHash(inst: Instance): string {
  const m = inst.memory();
  if (!m) return '';
  const u8 = m.u8;
  let h = 0x811c9dc5;
  for (let i = 0; i < u8.length; i++) h = Math.imul(h ^ u8[i]!, 0x01000193);
  return `${u8.length}:${h >>> 0}`;
}

/**
 * Calls `name` and answers every stop: OutOfFuel with `topUp(needed)` more
 * fuel, HostSuspended with `answer(payload)`, Interrupted by resuming.
 */
function drive(
  store: Store,
  inst: Instance,
  name: string,
  args: unknown[],
  topUp: (needed: number) => number,
  answer: (payload: unknown) => unknown = () => 0,
): { result: unknown; stops: number } {
  let stops = 0;
  const f = inst.getExport(name);
  if (!(f instanceof WasmFunc)) throw new Error(`no exported wasm function '${name}'`);
  // out-of-fuel stops returned, not thrown (Store.invokeOrStop; these runs stop about 730,000 times)
  let go: () => unknown[] | FuelStop = () => store.invokeOrStop(f, args);
  for (;;) {
    try {
      const r = go();
      if (!(r instanceof FuelStop)) return { result: r, stops };
      stops++;
      if (stops > 1_000_000) throw new Error('too many stops');
      store.addFuel(topUp(r.needed));
      go = () => r.resume();
    } catch (e) {
      stops++;
      if (stops > 1_000_000) throw new Error('too many stops');
      if (e instanceof OutOfFuel) {
        store.addFuel(topUp(e.needed));
        go = () => e.resume();
      } else if (e instanceof HostSuspended) {
        const r = answer(e.payload);
        go = () => e.resume(r);
      } else if (e instanceof Interrupted) {
        go = () => e.resume();
      } else if (e instanceof Trap) {
        return { result: `trap: ${e.message}`, stops };
      } else throw e;
    }
  }
}

function outcome(store: Store, inst: Instance, r: { result: unknown; stops: number }): Outcome {
  return { result: r.result, fuel: store.fuelConsumed, stops: r.stops, memory: memHash(inst), callDepth: store.peaks.callDepth };
}

function isJs(inst: Instance, name: string): boolean {
  const f = inst.getExport(name);
  return f instanceof WasmFunc && f.jitState === 1;
}

describe('JS tier: bench workloads are equal to the interpreter', () => {
  for (const w of WORKLOADS) {
    if (w.simd) continue;
    test(`${w.id}: uninterrupted, then cut at random budgets and resumed`, () => {
      const mod = Module.fromBinary(w.bytes());
      const run = (tier: Tier, initial: number | undefined, topUp: (n: number) => number): Outcome => {
        const store = new Store({ tier, fuel: initial });
        const inst = new Linker().instantiate(store, mod);
        const r = drive(store, inst, w.export, [...w.testArgs], topUp);
        if (tier === 'js') expect(isJs(inst, w.export), 'the export runs as JS').toBe(true);
        return outcome(store, inst, r);
      };
      const ref = run('interp', undefined, () => 0);
      expect(run('js', undefined, () => 0)).toEqual(ref);
      expect(run('js', 1e12, () => 0)).toEqual(ref);
      // random budgets: both tiers stop at the same points with the same state
      for (const seed of [1, 2, 3]) {
        const total = ref.fuel;
        const mk = (): ((n: number) => number) => {
          const r = rng(seed);
          return (needed) => needed + Math.floor(r() * (total / 8));
        };
        const first = Math.floor(rng(seed + 100)() * (total / 4));
        const a = run('interp', first, mk());
        const b = run('js', first, mk());
        expect(b).toEqual(a);
        expect(b.result).toEqual(ref.result);
        expect(b.fuel).toBe(ref.fuel);
        expect(b.stops).toBeGreaterThan(0);
      }
    });
  }

  test('starved (every stop refilled by exactly what is needed) on a small workload', () => {
    const w = WORKLOADS.find((x) => x.id === 'fib')!;
    const mod = Module.fromBinary(w.bytes());
    const run = (tier: Tier): Outcome => {
      const store = new Store({ tier, fuel: 0 });
      const inst = new Linker().instantiate(store, mod);
      return outcome(store, inst, drive(store, inst, w.export, [12], (n) => n));
    };
    const a = run('interp');
    expect(run('js')).toEqual(a);
    expect(a.stops).toBe(a.fuel);
  });
});

describe('JS tier: stops in JS code resume exactly', () => {
  // a loop calling a host function; the host charges fuel and suspends on some calls
  const WAT = `(module
    (import "env" "h" (func $h (param i32 i64 f32 f64) (result i32)))
    (memory 1)
    (global $g (mut i64) (i64.const 5))
    (func $inner (param i32) (result i32) (local f64)
      (local.set 1 (f64.convert_i32_s (local.get 0)))
      (i32.add (call $h (local.get 0) (global.get $g) (f32.const 1.5) (local.get 1)) (i32.const 3)))
    (func (export "main") (param i32) (result i32) (local i32 i32)
      (loop $l
        (local.set 2 (i32.add (local.get 2) (call $inner (local.get 1))))
        (i32.store (i32.shl (i32.and (local.get 1) (i32.const 255)) (i32.const 2)) (local.get 2))
        (global.set $g (i64.add (global.get $g) (i64.extend_i32_u (local.get 2))))
        (local.set 1 (i32.add (local.get 1) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get 1) (local.get 0))))
      (local.get 2)))`;
  const mod = Module.fromWat(WAT);

  const play = (tier: Tier, opts: { fuel?: number; suspendEvery?: number; charge?: number; checkEvery?: number; seed: number }): Outcome => {
    const store = new Store({ tier, fuel: opts.fuel, interrupt: opts.checkEvery ? { checkEvery: opts.checkEvery } : undefined });
    const linker = new Linker();
    let n = 0;
    linker.defineFunc(store, 'env', 'h', funcType([I32, I64, F32, F64], [I32]), (caller, a: number, b: bigint, c: number, d: number) => {
      n++;
      if (opts.charge) caller.consumeFuel(opts.charge);
      const v = (a * 7 + Number(b % 1000n) + Math.round(c * 2) + Math.round(d)) | 0;
      if (opts.suspendEvery && n % opts.suspendEvery === 0) return caller.suspend(v);
      return v;
    });
    const inst = linker.instantiate(store, mod);
    const r = rng(opts.seed);
    const res = drive(
      store,
      inst,
      'main',
      [300],
      (needed) => needed + Math.floor(r() * 200),
      (p) => ((p as number) ^ 0x55) | 0,
    );
    return outcome(store, inst, res);
  };

  test('host suspensions and host fuel inside JS code', () => {
    for (const o of [{ suspendEvery: 7, seed: 1 }, { suspendEvery: 3, charge: 5, seed: 2 }, { charge: 2, seed: 3 }]) {
      const a = play('interp', o);
      const b = play('js', o);
      expect(b).toEqual(a);
    }
  });

  test('out of fuel at random points, also with host calls that cannot pay their cost', () => {
    // the first stop is the one in JS code (the stopped frames finish in the interpreter): spread it over the run
    const total = play('interp', { seed: 0 }).fuel;
    const r = rng(99);
    const budgets = [0, 1, 50, 777, ...Array.from({ length: 12 }, () => Math.floor(r() * total))];
    for (const seed of [1, 2, 3, 4]) {
      for (const fuel of budgets) {
        const o = { fuel, seed, suspendEvery: seed === 2 ? 5 : undefined, charge: seed === 3 ? 3 : undefined };
        const a = play('interp', o);
        const b = play('js', o);
        expect(b).toEqual(a);
        expect(b.stops).toBeGreaterThan(0);
      }
    }
  });

  test('interrupt slices (the store refills fuel between checks)', () => {
    for (const checkEvery of [1, 13, 400]) {
      const a = play('interp', { checkEvery, seed: 5 });
      const b = play('js', { checkEvery, seed: 5 });
      expect(b).toEqual(a);
    }
  });
});

describe('JS tier: call_indirect to host functions', () => {
  test('a host callee without fuel for its call resumes at the call_indirect (index computed in JS)', () => {
    const wat = `(module
      (import "env" "h" (func $h (param i32) (result i32)))
      (import "env" "g" (func $g (param i32) (result i32)))
      (type $t (func (param i32) (result i32)))
      (table 4 funcref)
      (elem (i32.const 0) $g $w $h $v)
      (func $w (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
      (func $v (param i32) (result i32) (i32.xor (local.get 0) (i32.const 0x55)))
      (func (export "main") (param i32) (result i32) (local i32 i32)
        (loop $l
          (local.set 2 (i32.add (local.get 2)
            (call_indirect (type $t) (local.get 1) (i32.and (i32.add (local.get 1) (local.get 2)) (i32.const 3)))))
          (local.set 1 (i32.add (local.get 1) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get 1) (local.get 0))))
        (local.get 2)))`;
    const mod = Module.fromWat(wat);
    // every initial budget up to the cost of a few iterations: the first stop (the one in JS code) falls everywhere
    const run = (tier: Tier, seed: number): Outcome => {
      const store = new Store({ tier, fuel: seed, costs: { hostCall: 5 } });
      const linker = new Linker();
      linker.defineFunc(store, 'env', 'h', funcType([I32], [I32]), (_c, x: number) => (x * 7 + 1) | 0);
      linker.defineFunc(store, 'env', 'g', funcType([I32], [I32]), (_c, x: number) => (x * 11 + 5) | 0);
      const inst = linker.instantiate(store, mod);
      const r = rng(seed);
      return outcome(store, inst, drive(store, inst, 'main', [200], (n) => n + Math.floor(r() * 6)));
    };
    for (let seed = 0; seed < 300; seed++) {
      const a = run('interp', seed);
      const b = run('js', seed);
      expect(b, `initial fuel ${seed}`).toEqual(a);
      expect(b.stops).toBeGreaterThan(10);
    }
  });
});

describe('JS tier: traps refund the rest of their block', () => {
  const WAT = `(module
    (memory 1)
    (table 4 funcref)
    (elem (i32.const 0) $a $b)
    (type $ii (func (param i32) (result i32)))
    (func $a (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
    (func $b (param i32 i32) (result i32) (local.get 0))
    (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)) (i32.const 1) (i32.add) (nop) (nop))
    (func (export "rem64") (param i64 i64) (result i64) (i64.rem_u (local.get 0) (local.get 1)) (i64.const 1) (i64.add) (nop))
    (func (export "load") (param i32) (result i32) (nop) (i32.load offset=4 (local.get 0)) (i32.const 2) (i32.mul) (nop))
    (func (export "store") (param i32) (i64.store (local.get 0) (i64.const 1)) (nop) (nop) (nop))
    (func (export "fill") (param i32 i32) (memory.fill (local.get 0) (i32.const 7) (local.get 1)) (nop) (nop))
    (func (export "conv") (param f64) (result i32) (i32.trunc_f64_s (local.get 0)) (nop))
    (func (export "conv64") (param f32) (result i64) (i64.trunc_f32_u (local.get 0)) (nop))
    (func (export "unreachable") (param i32) (result i32) (if (local.get 0) (then (unreachable))) (i32.const 3))
    (func (export "indirect") (param i32) (result i32) (call_indirect (type $ii) (i32.const 5) (local.get 0)) (nop))
    (func $rec (export "rec") (param i32) (result i32) (local i64 i64 i64)
      (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
        (else (i32.add (i32.const 1) (call $rec (i32.sub (local.get 0) (i32.const 1))))))))`;
  const mod = Module.fromWat(WAT);
  const costs: FuelCosts = { default: 3, families: { control: 2, memory: 5 }, instructions: { nop: 7, 'i32.add': 11 } };
  const cases: [string, unknown[]][] = [
    ['div', [1, 0]],
    ['div', [-0x80000000, -1]],
    ['div', [7, 2]],
    ['rem64', [5n, 0n]],
    ['load', [65533]],
    ['load', [-1]],
    ['load', [8]],
    ['store', [65530]],
    ['fill', [65000, 1000]],
    ['fill', [0, 64000]],
    ['conv', [NaN]],
    ['conv', [3e9]],
    ['conv', [-7.9]],
    ['conv64', [-1]],
    ['unreachable', [1]],
    ['unreachable', [0]],
    ['indirect', [1]],
    ['indirect', [2]],
    ['indirect', [9]],
    ['indirect', [0]],
    ['rec', [50]],
    ['rec', [5000]],
  ];
  test.each(cases.map(([n, a]) => [`${n}(${a.map(String).join(', ')})`, n, a] as const))('%s', (_label, name, args) => {
    const run = (tier: Tier): { r: unknown; fuel: number } => {
      const store = new Store({ tier, fuel: 1e9, costs, limits: { maxCallDepth: 1000 } });
      const inst = new Linker().instantiate(store, mod);
      let r: unknown;
      try {
        r = inst.call(name, ...args);
      } catch (e) {
        r = e instanceof Trap ? `trap: ${e.message}` : e;
      }
      // the store stays usable
      expect(inst.call('div', 6, 3)).toEqual([3]);
      return { r, fuel: store.fuelConsumed };
    };
    expect(run('js')).toEqual(run('interp'));
  });
});

describe('JS tier: deep recursion', () => {
  test('recursion deeper than the JS stack, with large frames', () => {
    const locals = Array.from({ length: 60 }, () => 'i64').join(' ');
    const wat = `(module (func $f (export "f") (param i32) (result i64) (local ${locals})
      (local.set 5 (i64.extend_i32_u (local.get 0)))
      (if (result i64) (i32.eqz (local.get 0)) (then (i64.const 0))
        (else (i64.add (local.get 5) (call $f (i32.sub (local.get 0) (i32.const 1))))))))`;
    const limits = { maxCallDepth: 300_000, maxValueStackBytes: 256 * 1024 * 1024 };
    const store = new Store({ limits });
    const inst = new Linker().instantiate(store, Module.fromWat(wat));
    const n = 100_000;
    expect(inst.call('f', n)).toEqual([BigInt((n * (n + 1)) / 2)]);
    expect(isJs(inst, 'f')).toBe(true);
    expect(store.peaks.callDepth).toBe(n + 1);
    const ref = new Store({ tier: 'interp', limits });
    new Linker().instantiate(ref, Module.fromWat(wat)).call('f', n);
    expect(store.fuelConsumed).toBe(ref.fuelConsumed);
    expect(store.peaks).toEqual(ref.peaks);
  });

  test('past the JS stack budget a callee hands its frame over at its entry, its reference arguments in their slots', () => {
    // call sites do not test the JS stack budget: the callee's prologue does (rt.ts enter) and hands the frame to
    // the interpreter at its entry (stopEntry), writing the references it was passed as JS arguments to their slots
    // (a recursive call, a direct call of another function and a call_indirect; every one numResult: RV too)
    const wat = `(module
      (type $t (func (param externref i32) (result i32)))
      (import "env" "tag" (func $tag (param externref) (result i32)))
      (table 1 funcref) (elem (i32.const 0) $h)
      (func $f (export "f") (param $r externref) (param $n i32) (result i32)
        (if (result i32) (i32.eqz (local.get $n)) (then (call $tag (local.get $r)))
          (else (i32.add (i32.const 1) (call $g (local.get $r) (i32.sub (local.get $n) (i32.const 1)))))))
      (func $g (param $r externref) (param $n i32) (result i32)
        (if (result i32) (i32.eqz (local.get $n)) (then (call $f (local.get $r) (i32.const 0)))
          (else (i32.add (i32.const 2) (call $f (local.get $r) (call_indirect (type $t) (local.get $r) (local.get $n) (i32.const 0)))))))
      (func $h (param $r externref) (param $n i32) (result i32)
        (i32.add (i32.sub (local.get $n) (i32.const 1)) (i32.sub (call $tag (local.get $r)) (i32.const 7)))))`;
    const limits = { maxCallDepth: 600_000 };
    const run = (tier: Tier, fuel?: number): Outcome => {
      const store = new Store({ tier, limits, fuel });
      const linker = new Linker();
      // (the reference's own field: a slot left unwritten reads as null or undefined)
      linker.defineFunc(store, 'env', 'tag', funcType([EXTERNREF], [I32]), (_c, r: { tag?: number } | null | undefined) => r?.tag ?? -1);
      const inst = linker.instantiate(store, Module.fromWat(wat));
      const r = drive(store, inst, 'f', [{ tag: 7 }, 60_000], () => 50_000);
      if (tier === 'js') expect(isJs(inst, 'f')).toBe(true);
      return outcome(store, inst, r);
    };
    const ref = run('interp');
    // (f(2k) = 3 + f(2k - 2), f(0) = 7 when the reference arrived, -1 when it did not)
    expect(ref.result).toEqual([7 + 3 * 30_000]);
    expect(run('js')).toEqual(ref);
    expect(run('js', 1_000_000)).toEqual(run('interp', 1_000_000));
  });

  test('peaks: each call raises the value-stack and call-depth peaks as in the interpreter (rt.ts enter)', () => {
    // a deep chain of small frames, then a shallow large frame (a higher stack peak at a lower depth), then deeper
    const locals = Array.from({ length: 200 }, () => 'i64').join(' ');
    const wat = `(module
      (func $small (export "small") (param i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
          (else (i32.add (i32.const 1) (call $small (i32.sub (local.get 0) (i32.const 1)))))))
      (func $big (export "big") (param i32) (result i32) (local ${locals})
        (local.set 7 (i64.extend_i32_u (local.get 0)))
        (if (result i32) (i32.eqz (local.get 0)) (then (i32.wrap_i64 (local.get 7)))
          (else (call $small (local.get 0))))))`;
    const js = new Store();
    const ref = new Store({ tier: 'interp' });
    const a = new Linker().instantiate(js, Module.fromWat(wat));
    const b = new Linker().instantiate(ref, Module.fromWat(wat));
    for (const [name, n] of [['small', 40], ['small', 20], ['big', 0], ['big', 3], ['small', 60], ['big', 70]] as const) {
      expect(a.call(name, n)).toEqual(b.call(name, n));
      expect([name, n, js.peaks]).toEqual([name, n, ref.peaks]);
    }
    expect(isJs(a, 'small') && isJs(a, 'big')).toBe(true);
  });

  test('deep mutual recursion between a JS-tier function and an interpreted one', () => {
    // $a has a funcref local: the JS tier leaves it to the interpreter
    const wat = `(module
      (func $a (param i32) (result i32) (local funcref)
        (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
          (else (i32.add (i32.const 1) (call $b (i32.sub (local.get 0) (i32.const 1)))))))
      (func $b (export "b") (param i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
          (else (i32.add (i32.const 2) (call $a (i32.sub (local.get 0) (i32.const 1))))))))`;
    const run = (tier: Tier): Outcome => {
      const store = new Store({ tier, limits: { maxCallDepth: 300_000 } });
      const inst = new Linker().instantiate(store, Module.fromWat(wat));
      const r = drive(store, inst, 'b', [100_000], () => 0);
      if (tier === 'js') expect(isJs(inst, 'b')).toBe(true);
      return outcome(store, inst, r);
    };
    const a = run('interp');
    expect(a.result).toEqual([150_000]);
    expect(run('js')).toEqual(a);
  });

  test('tail calls (the interpreter makes them) do not grow the stack', () => {
    const wat = `(module
      (type $t (func (param i32 i64) (result i64)))
      (table 2 funcref) (elem (i32.const 0) $even $odd)
      (func $even (export "even") (param i32 i64) (result i64)
        (if (result i64) (i32.eqz (local.get 0)) (then (local.get 1))
          (else (return_call $odd (i32.sub (local.get 0) (i32.const 1)) (i64.add (local.get 1) (i64.const 3))))))
      (func $odd (param i32 i64) (result i64)
        (if (result i64) (i32.eqz (local.get 0)) (then (i64.sub (i64.const 0) (local.get 1)))
          (else (return_call_indirect (type $t) (i32.sub (local.get 0) (i32.const 1)) (i64.mul (local.get 1) (i64.const 5)) (i32.const 0))))))`;
    const run = (tier: Tier, fuel: number | undefined): Outcome => {
      const store = new Store({ tier, fuel, limits: { maxCallDepth: 1000 } });
      const inst = new Linker().instantiate(store, Module.fromWat(wat));
      const r = rng(3);
      return outcome(store, inst, drive(store, inst, 'even', [300_001, 1n], (n) => n + Math.floor(r() * 5000)));
    };
    const a = run('interp', undefined);
    expect(run('js', undefined)).toEqual(a);
    expect(run('js', 777)).toEqual(run('interp', 777));
  });

  test('the call-depth limit traps the same way in both tiers', () => {
    const wat = `(module (func $f (export "f") (param i32) (result i32)
      (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
        (else (i32.add (i32.const 1) (call $f (i32.sub (local.get 0) (i32.const 1))))))))`;
    for (const tier of ['js', 'interp'] as const) {
      const store = new Store({ tier, limits: { maxCallDepth: 3000 } });
      const inst = new Linker().instantiate(store, Module.fromWat(wat));
      expect(() => inst.call('f', 5000)).toThrow(new Trap('call stack exhausted'));
      expect(inst.call('f', 2500)).toEqual([2500]);
    }
  });
});

describe('JS tier: NaN bit patterns survive optimized JS code', () => {
  test('f32 and f64 signalling / payload NaNs through locals, select, memory, globals and calls, hot', () => {
    const wat = `(module
      (memory 1)
      (global $g (mut f64) (f64.const 0))
      (func $id32 (param f32) (result f32) (local.get 0))
      (func $id64 (param f64) (result f64) (local.get 0))
      (func (export "f32") (param i32 i32) (result i32) (local f32)
        (local.set 2 (f32.reinterpret_i32 (local.get 0)))
        (f32.store (i32.const 16) (select (local.get 2) (f32.const 0) (local.get 1)))
        (i32.reinterpret_f32 (call $id32 (f32.neg (f32.abs (f32.load (i32.const 16)))))))
      (func (export "f64") (param i64 i32) (result i64) (local f64)
        (local.set 2 (f64.reinterpret_i64 (local.get 0)))
        (global.set $g (select (local.get 2) (f64.const 0) (local.get 1)))
        (f64.store (i32.const 24) (global.get $g))
        (i64.reinterpret_f64 (call $id64 (f64.copysign (f64.neg (f64.abs (f64.load (i32.const 24)))) (local.get 2))))))`;
    const inst = new Linker().instantiate(new Store(), Module.fromWat(wat));
    const p32 = [0x7fa00001, 0xffc00000 | 0, 0x7f800001, 0x7fbfffff, 0x3f800000];
    const p64 = [0x7ff0000000000001n, 0xfff7fffffff7ffffn, 0x7ff4123456789abcn, 0x7ff8000000000000n, 0x3ff0000000000000n];
    for (let i = 0; i < 30_000; i++) {
      const b = p32[i % p32.length]!;
      expect(inst.call('f32', b, 1)[0]).toBe(b | -0x80000000);
      const d = BigInt.asIntN(64, p64[i % p64.length]!);
      const want = BigInt.asIntN(64, BigInt.asUintN(64, d));
      expect(inst.call('f64', d, 1)[0]).toBe(want);
    }
  });
});

describe('JS tier: vectors', () => {
  test('f32x4 lanes of v128 locals (converted once per straight-line stretch) follow every reassignment', () => {
    const wat = `(module (memory (export "memory") 1)
      (func (export "f") (param i32) (result i32) (local v128 v128 i32)
        (local.set 1 (v128.load (i32.const 0)))
        (loop $l
          (local.set 2 (f32x4.mul (local.get 1) (local.get 1)))
          (local.set 1 (f32x4.add (local.get 2) (local.get 1)))
          (local.set 2 (f32x4.sub (local.get 1) (f32x4.mul (local.get 2) (local.get 1))))
          (if (i32.and (local.get 3) (i32.const 1))
            (then (local.set 1 (v128.load offset=16 (i32.const 0))))
            (else (local.set 1 (v128.xor (local.get 1) (local.get 2)))))
          (local.set 2 (f32x4.div (local.get 1) (f32x4.add (local.get 2) (local.get 1))))
          (local.set 1 (v128.xor (local.get 1) (v128.const i32x4 0x01000000 0x00800000 0 0x80000000)))
          (local.set 2 (f32x4.add (local.get 1) (local.get 2)))
          (v128.store offset=32 (i32.shl (i32.and (local.get 3) (i32.const 15)) (i32.const 4)) (local.get 2))
          (local.set 3 (i32.add (local.get 3) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get 3) (local.get 0))))
        (i32.xor (i32x4.extract_lane 0 (local.get 2)) (i32x4.extract_lane 3 (local.get 1)))))`;
    const mod = Module.fromWat(wat);
    const run = (tier: Tier): Outcome => {
      const store = new Store({ tier });
      const inst = new Linker().instantiate(store, mod);
      const m = new DataView(inst.memory()!.buffer);
      for (let i = 0; i < 8; i++) m.setFloat32(4 * i, 0.5 + i * 0.25, true);
      return outcome(store, inst, drive(store, inst, 'f', [1000], () => 0));
    };
    expect(run('js')).toEqual(run('interp'));
  });
});

describe('JS tier: i64 helpers agree with BigInt', () => {
  test('div/rem (signed, unsigned) on random and edge operands (i64.mul is inline: jit-vec.test.ts; shifts, rotations and division by small constants: jit-i64-forms.test.ts)', async () => {
    const RT = await import('../../src/jit/rt.js');
    const r = rng(7);
    const word = (): number => {
      const k = r();
      if (k < 0.1) return 0;
      if (k < 0.2) return -1;
      if (k < 0.3) return -0x80000000;
      if (k < 0.4) return Math.floor(r() * 16) - 8;
      if (k < 0.5) return 0x7fffffff;
      return (r() * 2 ** 32) | 0;
    };
    const big = (lo: number, hi: number): bigint => (BigInt(hi) << 32n) | BigInt(lo >>> 0);
    const pair = (v: bigint): [number, number] => {
      const u = BigInt.asUintN(64, v);
      return [Number(u & 0xffffffffn) | 0, Number(u >> 32n) | 0];
    };
    const got = (lo: number): [number, number] => [lo | 0, RT.HI[0]!];
    for (let i = 0; i < 20_000; i++) {
      const al = word();
      const ah = r() < 0.3 ? (al < 0 ? -1 : 0) : word();
      const bl = word();
      const bh = r() < 0.5 ? (r() < 0.5 ? 0 : bl < 0 ? -1 : 0) : word();
      const a = big(al, ah);
      const b = big(bl, bh);
      const au = BigInt.asUintN(64, a);
      const bu = BigInt.asUintN(64, b);
      if (b !== 0n) {
        expect(got(RT.divu64(al, ah, bl, bh))).toEqual(pair(au / bu));
        expect(got(RT.remu64(al, ah, bl, bh))).toEqual(pair(au % bu));
        if (!(a === -(2n ** 63n) && b === -1n)) expect(got(RT.divs64(al, ah, bl, bh))).toEqual(pair(a / b));
        expect(got(RT.rems64(al, ah, bl, bh))).toEqual(pair(a % b));
      }
    }
  });
});
