/**
 * What the translator keeps between instructions without allocating it again (BENCHMARKS.md, session 18, helper
 * heap14). The constant slots (translate-state.ts `constant`): one slot per distinct four words in a function,
 * found by w0 alone (a number key) when the words are of i32 form (w1 w0's sign, w2 = w3 = 0), by the string of the
 * four words otherwise (BENCHMARKS.md, session 18, helper heap14). Constants whose low words are equal and whose
 * other words differ must keep slots of their own: an i32 -1 and an i64 0xffffffff (low word -1 both), an f32 whose
 * bits are all ones and an i64 -1, an f64 of the same low word. Checked: the value computed from all of them in one
 * function, in both tiers, with the same fuel. And the run of ops a fusion may join (translate-state.ts `opRun`), kept
 * and counted (`opRunN`) rather than emptied: its count starts again where nothing fuses across, so an op before the
 * start of a handler's range never joins a fusion inside it (the entries before it are still in the array). And the
 * words of a translation (translate-state.ts `Words`: code, relocations, original offsets), typed arrays one
 * translation hands to the next: what a translation gives out is a copy, which later translations leave alone,
 * and a function larger than their capacity grows them.
 */
import { describe, expect, test } from 'vitest';
import { Module, Store } from '../../src/index.js';
import { Op } from '../../src/interp/exec.js';
import type { WasmFunc } from '../../src/runtime/objects/func.js';
import { spareWords } from '../../src/interp/translate-state.js';

const WAT = `(module
  (func (export "k") (result i64)
    (i64.add
      (i64.add
        (i64.add (i64.extend_i32_s (i32.const -1)) (i64.mul (i64.const 0xffffffff) (i64.const 2)))
        (i64.add (i64.mul (i64.extend_i32_u (i32.reinterpret_f32 (f32.const -nan:0x7fffff))) (i64.const 4))
                 (i64.mul (i64.const -1) (i64.const 8))))
      (i64.add
        (i64.add (i64.mul (i64.reinterpret_f64 (f64.const -nan:0xfffffffffffff)) (i64.const 16))
                 (i64.mul (i64.reinterpret_f64 (f64.const 0x1.00000ffffffffp+0)) (i64.const 32)))
        (i64.add (i64.mul (i64.const 7) (i64.const 64)) (i64.mul (i64.extend_i32_s (i32.const 7)) (i64.const 128)))))))`;

// -1 + 2(2^32 - 1) + 4(2^32 - 1) - 8 - 16 + 32 * bits(0x1.00000ffffffffp+0) + 7 * 64 + 7 * 128, wrapped to i64
const BITS = 0x3ff00000ffffffffn;
const WANT = BigInt.asIntN(64, -1n + 2n * 0xffffffffn + 4n * 0xffffffffn - 8n - 16n + 32n * BITS + 7n * 64n + 7n * 128n);

describe('the translator\'s constant slots', () => {
  test('constants with equal low words keep slots of their own', () => {
    const fuel: (bigint | number)[] = [];
    for (const tier of ['interp', 'js'] as const) {
      const store = new Store({ tier, fuel: 1e9 });
      const inst = store.instantiate(Module.fromWat(WAT), []);
      expect(inst.call('k')).toEqual([WANT]);
      expect(inst.call('k')).toEqual([WANT]);
      fuel.push(store.fuelConsumed);
    }
    expect(fuel[0]).toBe(fuel[1]);
  });
});

const RANGE = `(module
  (memory 1)
  (tag $e)
  (func (export "f") (param i32 i32) (result i32) (local i32)
    (local.set 2 (i32.mul (local.get 0) (local.get 1)))
    (block $h
      (try_table (catch_all $h)
        (local.set 2 (i32.add (local.get 2) (i32.load8_u (i32.add (local.get 0) (local.get 1)))))))
    (local.get 2)))`;

describe('the translator\'s run of fusable ops', () => {
  test('no fusion joins an op before the start of a handler\'s range', () => {
    const store = new Store({ tier: 'interp', fuel: 1e9 });
    const inst = store.instantiate(Module.fromWat(RANGE), []);
    const code = [...store.machine.compile(inst.raw.exports.get('f') as WasmFunc).code];
    expect(code).toContain(Op.I32_MUL);
    expect(code).not.toContain(Op.MUL_ADD_I32_LOAD8_U);
    expect(inst.call('f', 3, 4)).toEqual([12]);
  });
});

/** A function of `n` blocks of a few ops each (a loop summing them), more words than the words' first capacity. */
const big = (n: number): string => {
  let body = '';
  for (let i = 0; i < n; i++) body += `(local.set 1 (i32.add (local.get 1) (i32.mul (local.get 0) (i32.const ${i + 3}))))\n(if (i32.eq (local.get 1) (i32.const ${i})) (then (local.set 1 (i32.const 7))))\n`;
  return `(module
    (func (export "small") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
    (func (export "big") (param i32) (result i32) (local i32) ${body} (local.get 1))
    (func (export "mid") (param i32 i32) (result i32) (i32.sub (i32.mul (local.get 0) (local.get 1)) (local.get 0))))`;
};

describe('the translator\'s words, kept from one translation for the next', () => {
  test('translations give out copies that later translations leave alone; a larger function grows the words', () => {
    const m = Module.fromWat(big(400));
    const codes = (order: string[]): Map<string, [number[], number[]]> => {
      const store = new Store({ tier: 'interp', fuel: 1e9 });
      const inst = store.instantiate(m, []);
      const out = new Map<string, [number[], number[]]>();
      const got = order.map((name) => {
        const c = store.machine.compile(inst.raw.exports.get(name) as WasmFunc);
        const w = spareWords();
        // (the words handed on are not what the translation gave out)
        expect(w).not.toBeNull();
        expect(c.code.buffer).not.toBe(w!.code.buffer);
        expect(c.origAt.buffer).not.toBe(w!.origAt.buffer);
        return [name, c] as const;
      });
      // read after every translation of the order: the later ones wrote the same words
      for (const [name, c] of got) out.set(name, [[...c.code], [...c.origAt]]);
      expect(inst.call('small', 4)).toEqual([5]);
      expect(inst.call('mid', 6, 7)).toEqual([36]);
      return out;
    };
    const a = codes(['small', 'big', 'mid']);
    const b = codes(['mid', 'small', 'big']);
    for (const name of ['small', 'big', 'mid']) expect(a.get(name)).toEqual(b.get(name));
    expect(a.get('big')![0].length).toBeGreaterThan(4 * 256);
    expect(spareWords()!.code.length).toBeGreaterThan(4 * 256);
    // the large function's results and fuel, in both tiers
    const runs = (['interp', 'js'] as const).map((tier) => {
      const store = new Store({ tier, fuel: 1e9 });
      const inst = store.instantiate(m, []);
      return { r: [inst.call('big', 3), inst.call('big', -9)], fuel: store.fuelConsumed };
    });
    expect(runs[0]).toEqual(runs[1]);
  });
});
