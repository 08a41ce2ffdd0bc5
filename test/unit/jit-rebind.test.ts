/**
 * Generation once per module (src/jit/rebind.ts): a later instance of a module binds the first instance's generated
 * functions to its own objects instead of generating them again. Each instance keeps its own memory, globals, table
 * and fuel, stops where the interpreter stops, and an import that differs in what the generator reads (a host
 * function instead of a generated one, two imports that are one object) makes the function generated again.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { I32, funcType, Linker, Module, Store, Trap, type Instance } from '../../src/index.js';
import { jsEval } from '../../src/jit/codegen.js';
import { rebindStats } from '../../src/jit/rebind.js';
import { jitStats } from '../../src/interp/tier.js';
import { runStarved } from '../shared/starved.js';

const realCompile = jsEval.compile;
afterEach(() => {
  jsEval.compile = realCompile;
});

const PROVIDER = (pages: number) => `(module
  (memory (export "mem") ${pages})
  (global (export "ga") (mut i32) (i32.const 0))
  (global (export "gb") (mut i32) (i32.const 0))
  (func (export "f") (param i32) (result i32) (i32.xor (local.get 0) (i32.const 0x55))))`;

const MAIN = `(module
  (type $un (func (param i32) (result i32)))
  (import "env" "f" (func $f (type $un)))
  (import "env" "mem" (memory 1))
  (import "env" "ga" (global $ga (mut i32)))
  (import "env" "gb" (global $gb (mut i32)))
  (global $g64 (mut i64) (i64.const 5))
  (global $gf (mut f64) (f64.const 1.5))
  (global $gr (mut funcref) (ref.null func))
  (table $t 4 funcref)
  (elem (table $t) (i32.const 0) func $sq $inc)
  (func $sq (type $un) (i32.mul (local.get 0) (local.get 0)))
  (func $inc (type $un) (i32.add (local.get 0) (i32.const 1)))
  (func (export "run") (param $n i32) (result i32) (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (call_indirect (type $un) (local.get $i) (i32.and (local.get $i) (i32.const 1)))))
      (local.set $s (i32.add (local.get $s) (call $f (local.get $i))))
      (i32.store (i32.add (i32.const 64) (i32.shl (i32.and (local.get $i) (i32.const 15)) (i32.const 2))) (local.get $s))
      (global.set $ga (i32.add (global.get $ga) (i32.const 1)))
      (global.set $gb (i32.add (global.get $gb) (i32.const 2)))
      (global.set $g64 (i64.add (global.get $g64) (i64.extend_i32_u (local.get $s))))
      (global.set $gf (f64.mul (global.get $gf) (f64.const 1.25)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.add (local.get $s) (i32.load (i32.const 64))))
  (func (export "swap") (table.set $t (i32.const 0) (table.get $t (i32.const 1))))
  (func (export "setGr") (param i32) (global.set $gr (table.get $t (local.get 0))))
  (func (export "grNull") (result i32) (ref.is_null (global.get $gr)))
  (func (export "peek") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "poke") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "ga") (result i32) (global.get $ga))
  (func (export "gb") (result i32) (global.get $gb))
  (func (export "g64") (result i64) (global.get $g64))
  (func (export "gf") (result f64) (global.get $gf)))`;

/** The main module instantiated over a provider instance (its memory, globals and function) in `store`. */
function instance(store: Store, main: Module, provider: Module): Instance {
  const p = new Linker().instantiate(store, provider);
  return new Linker().defineInstance('env', p).instantiate(store, main);
}

type Step = [string, ...unknown[]];
/** Calls on two instances, interleaved: each one's results and fuel. */
const SCRIPT: [number, ...Step][] = [
  [0, 'run', 40],
  [1, 'run', 25],
  [0, 'poke', 1000, 77],
  [1, 'peek', 1000],
  [0, 'peek', 1000],
  [0, 'swap'],
  [0, 'run', 10],
  [1, 'run', 10],
  [1, 'setGr', 1],
  [0, 'grNull'],
  [1, 'grNull'],
  [0, 'ga'],
  [1, 'ga'],
  [0, 'gb'],
  [1, 'g64'],
  [0, 'g64'],
  [1, 'gf'],
  [0, 'gf'],
];

function play(insts: Instance[], store: Store): { r: unknown; fuel: number }[] {
  return SCRIPT.map(([k, name, ...args]) => {
    const f0 = store.fuelConsumed;
    const r = insts[k]!.call(name, ...args);
    return { r, fuel: store.fuelConsumed - f0 };
  });
}

describe('JS tier: one generation per module, bound to each instance', () => {
  test('the second instance generates and compiles nothing; each keeps its own memory, globals, table and fuel', () => {
    const main = Module.fromWat(MAIN);
    const provider = Module.fromWat(PROVIDER(1));
    const ref = new Store({ fuel: 1e9, tier: 'interp' });
    const want = play([instance(ref, main, provider), instance(ref, main, provider)], ref);

    let compiles = 0;
    jsEval.compile = (src) => (compiles++, realCompile(src));
    // two instances in one store: the first generates, the second binds; their calls interleaved
    const store = new Store({ fuel: 1e9 });
    expect(play([instance(store, main, provider), instance(store, main, provider)], store)).toEqual(want);
    const c0 = compiles;
    expect(c0).toBeGreaterThan(0);
    // two more in another store with the same settings: every function bound, nothing generated or compiled
    const r0 = rebindStats.rebound;
    const g0 = jitStats.generated;
    const store2 = new Store({ fuel: 1e9 });
    expect(play([instance(store2, main, provider), instance(store2, main, provider)], store2)).toEqual(want);
    expect(compiles).toBe(c0);
    expect(rebindStats.rebound - r0).toBeGreaterThanOrEqual(2 * 10);
    expect(jitStats.generated - g0).toBe(rebindStats.rebound - r0);
  });

  test('a bound instance stops and resumes where the interpreter does', () => {
    const main = Module.fromWat(MAIN);
    const provider = Module.fromWat(PROVIDER(1));
    const ref = new Store({ fuel: 0, tier: 'interp' });
    const ri = instance(ref, main, provider);
    const want = runStarved(ref, ri, 'run', [30]);
    const store = new Store({ fuel: 1e9 });
    instance(store, main, provider).call('run', 30);
    const r0 = rebindStats.rebound;
    const starved = new Store({ fuel: 0 });
    const si = instance(starved, main, provider);
    // the starved store's instance is bound too (a store with the same settings)
    expect(runStarved(starved, si, 'run', [30])).toEqual(want);
    expect(rebindStats.rebound - r0).toBeGreaterThan(0);
  });

  test('imported memories of other sizes: bound, and bounds checked against each one', () => {
    const main = Module.fromWat(MAIN);
    const store = new Store({ fuel: 1e9 });
    const small = instance(store, main, Module.fromWat(PROVIDER(1)));
    expect(() => small.call('peek', 131072)).toThrow(Trap);
    const r0 = rebindStats.rebound;
    const large = instance(store, main, Module.fromWat(PROVIDER(3)));
    large.call('poke', 131072, 9);
    expect(large.call('peek', 131072)).toEqual([9]);
    expect(rebindStats.rebound - r0).toBeGreaterThan(0);
    expect(() => small.call('peek', 131072)).toThrow(/out of bounds memory access/);
  });

  for (const first of ['host', 'wasm'] as const) {
    test(`an import that is a ${first} function first and then a ${first === 'host' ? 'wasm' : 'host'} function: generated again`, () => {
      const main = Module.fromWat(MAIN);
      const provider = Module.fromWat(PROVIDER(1));
      const ref = new Store({ fuel: 1e9, tier: 'interp' });
      const store = new Store({ fuel: 1e9 });
      const viaHost = (s: Store): Instance => {
        const p = new Linker().instantiate(s, provider);
        const l = new Linker().defineInstance('env', p);
        l.defineFunc(s, 'env', 'f', funcType([I32], [I32]), (_c, x: number) => x ^ 0x55);
        return l.instantiate(s, main);
      };
      const make = (s: Store, k: 'host' | 'wasm'): Instance => (k === 'host' ? viaHost(s) : instance(s, main, provider));
      const order = first === 'host' ? (['host', 'wasm'] as const) : (['wasm', 'host'] as const);
      const want = order.map((k) => {
        const f0 = ref.fuelConsumed;
        return [make(ref, k).call('run', 20), ref.fuelConsumed - f0];
      });
      const got = order.map((k) => {
        const f0 = store.fuelConsumed;
        const g0 = jitStats.generated - rebindStats.rebound;
        const r = make(store, k).call('run', 20);
        return [r, store.fuelConsumed - f0, jitStats.generated - rebindStats.rebound - g0];
      });
      expect(got.map(([r, f]) => [r, f])).toEqual(want);
      // `run` generated for both instances
      expect(got[1]![2]).toBeGreaterThan(0);
    });
  }

  test('two imports that are one global in the first instance and two in the second: generated again', () => {
    const main = Module.fromWat(MAIN);
    const provider = Module.fromWat(PROVIDER(1));
    const results = (s: Store, alias: boolean): unknown[] => {
      const p = new Linker().instantiate(s, provider);
      const l = new Linker().defineInstance('env', p);
      if (alias) l.define('env', 'gb', p.getExport('ga')!);
      const i = l.instantiate(s, main);
      return [i.call('run', 5), i.call('ga'), i.call('gb')];
    };
    const ref = new Store({ fuel: 1e9, tier: 'interp' });
    const want = [results(ref, true), results(ref, false)];
    const store = new Store({ fuel: 1e9 });
    expect([results(store, true), results(store, false)]).toEqual(want);
    expect(want[0]![1]).toEqual([15]);
    expect(want[1]!.slice(1)).toEqual([[5], [10]]);
  });
  test('GC structs, a struct-typed global and exceptions: bound, each instance with its own global and tag', () => {
    const wat = `(module
      (type $p (struct (field (mut i32))))
      (tag $e (param i32))
      (global $g (mut (ref null $p)) (ref.null $p))
      (func (export "run") (param $n i32) (result i32) (local $i i32) (local $s i32)
        (if (ref.is_null (global.get $g)) (then (global.set $g (struct.new $p (i32.const 0)))))
        (loop $l
          (struct.set $p 0 (global.get $g) (i32.add (struct.get $p 0 (global.get $g)) (local.get $i)))
          (local.set $s (i32.add (local.get $s)
            (block $h (result i32)
              (try_table (result i32) (catch $e $h)
                (if (i32.eqz (i32.and (local.get $i) (i32.const 1))) (then (throw $e (local.get $i))))
                (i32.const 1000)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
        (i32.add (local.get $s) (struct.get $p 0 (global.get $g)))))`;
    const mod = Module.fromWat(wat);
    const calls = (s: Store): unknown[] => {
      const [a, b] = [new Linker().instantiate(s, mod), new Linker().instantiate(s, mod)];
      const out: unknown[] = [];
      for (const [i, n] of [[a, 20], [b, 7], [a, 5], [b, 30]] as const) {
        const f0 = s.fuelConsumed;
        out.push(i.call('run', n), s.fuelConsumed - f0);
      }
      return out;
    };
    const want = calls(new Store({ fuel: 1e9, tier: 'interp' }));
    const r0 = rebindStats.rebound;
    expect(calls(new Store({ fuel: 1e9 }))).toEqual(want);
    expect(rebindStats.rebound - r0).toBe(1);
  });
});
