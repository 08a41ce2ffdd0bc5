/**
 * One translation per module (Machine.compile): a later instance of a module in the same store takes a copy of the
 * first instance's fast translation of each function instead of translating it again (hash-wasm's argon2
 * instantiates its modules at every call). The copy is exactly what translating gives, whatever the JS tier has
 * marked in the first instance's code since; each instance keeps its own code array; results and fuel are the
 * interpreter's in both tiers.
 */
import { describe, expect, test } from 'vitest';
import { Module, Store, type Instance } from '../../src/index.js';
import type { WasmFunc } from '../../src/runtime/objects/func.js';
import type { Compiled } from '../../src/interp/compiled.js';

const WAT = `(module
  (memory (export "mem") 1)
  (global $g (mut i32) (i32.const 0))
  (func $sq (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
  (func (export "sum") (param $n i32) (result i32) (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (call $sq (local.get $i))))
      (i32.store (i32.shl (i32.and (local.get $i) (i32.const 15)) (i32.const 2)) (local.get $s))
      (global.set $g (i32.add (global.get $g) (i32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.add (local.get $s) (i32.load (i32.const 4))))
  (func (export "nested") (param $n i32) (result f64) (local $i i32) (local $j i32) (local $x f64)
    (f64.const 1.5) (local.set $x)
    (loop $outer
      (local.set $j (i32.const 0))
      (loop $inner
        (local.set $x (f64.add (local.get $x) (f64.const 0.25)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $inner (i32.lt_u (local.get $j) (i32.const 7))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $outer (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $x))
  (func (export "count") (result i32) (global.get $g))
  (func (export "trap") (param i32) (result i32) (i32.div_u (i32.const 7) (local.get 0))))`;

const module = Module.fromWat(WAT);
const store_ = (s: Store): Instance => s.instantiate(module, []);
const fn = (inst: Instance, index: number): WasmFunc => inst.raw.funcs[index] as WasmFunc;

/** Calls on two instances of one store, interleaved: each call's result (or trap message) and fuel. */
function play(store: Store, a: Instance, b: Instance): unknown[] {
  const steps: [Instance, string, ...unknown[]][] = [
    [a, 'sum', 3000],
    [b, 'sum', 10],
    [b, 'nested', 2000],
    [a, 'nested', 5],
    [a, 'count'],
    [b, 'count'],
    [b, 'trap', 0],
    [a, 'trap', 2],
    [b, 'sum', 3000],
  ];
  return steps.map(([inst, name, ...args]) => {
    const f0 = store.fuelConsumed;
    let r: unknown;
    try {
      r = inst.call(name, ...args);
    } catch (e) {
      r = (e as Error).message;
    }
    return [r, store.fuelConsumed - f0];
  });
}

describe('one translation per module, shared by its instances', () => {

  test('a later instance copies the first one\'s translation: the same code as translating it, its own array', () => {
    // the pristine translations, from a store of its own that runs nothing
    const fresh = new Store({ tier: 'interp' });
    const ref = store_(fresh);
    const want = [0, 1, 2, 3, 4].map((i) => fresh.machine.compile(fn(ref, i)));

    const store = new Store({ fuel: 1e9 });
    const a = store_(store);
    // the JS tier marks the loop heads of the first instance's code (re-entry at a loop)
    a.call('sum', 5000);
    a.call('nested', 3000);
    const first = [0, 1, 2, 3, 4].map((i) => store.machine.compile(fn(a, i)));
    expect(first.some((c, k) => !sameCode(c, want[k]!)), 'the first instance\'s code has re-entry marks').toBe(true);

    const b = store_(store);
    for (let k = 0; k < 5; k++) {
      const c = store.machine.compile(fn(b, k));
      expect(c.inst).toBe(b.raw);
      expect(c.func).toBe(fn(b, k));
      expect(c.code).not.toBe(first[k]!.code);
      expect(Array.from(c.code)).toEqual(Array.from(want[k]!.code));
      // the parts nothing writes are the first instance's own
      expect(c.blockPc).toBe(first[k]!.blockPc);
      expect(c.tmpl).toBe(first[k]!.tmpl);
      expect(c.origAt).toBe(first[k]!.origAt);
      expect([c.frameWords, c.paramWords, c.exnSlots]).toEqual([want[k]!.frameWords, want[k]!.paramWords, want[k]!.exnSlots]);
      expect(Array.from(c.tmpl)).toEqual(Array.from(want[k]!.tmpl));
      expect(Array.from(c.origAt)).toEqual(Array.from(want[k]!.origAt));
      expect([...c.blockPc]).toEqual([...want[k]!.blockPc]);
      expect(c.osrFuel.size).toBe(0);
    }
    // another store translates for itself
    const other = new Store();
    const o = store_(other);
    expect(other.machine.compile(fn(o, 1)).blockPc).not.toBe(first[1]!.blockPc);
  });

  test('results and fuel equal the interpreter\'s with instances made before and after the first calls', () => {
    const ref = new Store({ fuel: 1e9, tier: 'interp' });
    const want = play(ref, store_(ref), store_(ref));
    for (const tier of ['js', 'interp'] as const) {
      const store = new Store({ fuel: 1e9, tier });
      expect(play(store, store_(store), store_(store))).toEqual(want);
      // a third and fourth instance made after the first ones ran (their codes marked), as argon2 makes them
      expect(play(store, store_(store), store_(store))).toEqual(want);
    }
  });
});

function sameCode(a: Compiled, b: Compiled): boolean {
  return a.code.length === b.code.length && a.code.every((w, i) => w === b.code[i]);
}
