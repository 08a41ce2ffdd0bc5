/**
 * Big and deep code: the decoder, validator and translator do not recurse on
 * nesting and stay linear (100,000 nested blocks, a 200,000-target br_table,
 * a 1 MB function); the text parser, which does recurse, reports too-deep
 * nesting as a TextError instead of crashing. Times are in BENCHMARKS.md, not
 * asserted here.
 */
import { describe, expect, test } from 'vitest';
import { Linker, Module, Store, TextError } from '../../src/index.js';
import { moduleWithBody } from './wasm-bytes.js';

describe('big code', () => {
  test('100,000 nested blocks decode, validate, translate and run', () => {
    const n = 100_000;
    const body = [0, ...new Array<number[]>(n).fill([0x02, 0x40]).flat(), ...new Array<number>(n).fill(0x0b), 0x41, 7, 0x0b];
    const inst = new Linker().instantiate(new Store(), Module.fromBinary(moduleWithBody(body)));
    expect(inst.call('f')).toEqual([7]);
  });

  test('a br_table of 200,000 targets', () => {
    const targets = Array.from({ length: 200_000 }, (_, k) => k % 2).join(' ');
    const inst = new Linker().instantiate(
      new Store(),
      Module.fromWat(`(module (func (export "f") (param i32) (result i32)
        (block (block (br_table ${targets} 1 (local.get 0))) (return (i32.const 10))) (i32.const 20)))`),
    );
    expect(inst.call('f', 3)).toEqual([20]);
    expect(inst.call('f', 4)).toEqual([10]);
    expect(inst.call('f', 1 << 30)).toEqual([20]);
  });

  test('a function of more than 1 MB', () => {
    let body = '';
    for (let i = 0; i < 150_000; i++) body += `(local.set 0 (i32.add (local.get 0) (i32.const ${i & 127})))\n`;
    const m = Module.fromWat(`(module (func (export "f") (param i32) (result i32) ${body} (local.get 0)))`);
    expect(m.data.codes[0]!.body.length).toBeGreaterThan(1_000_000);
    const store = new Store();
    expect(new Linker().instantiate(store, m).call('f', 0)).toEqual([9_524_104]);
    expect(store.fuelConsumed).toBe(150_000 * 4 + 2);
  });

  test('a loop of more than 1 MB (the JS tier follows its locals for a counted copy, linearly)', () => {
    let body = '';
    for (let i = 0; i < 150_000; i++) body += `(local.set ${1 + (i % 20)} (i32.add (local.get ${1 + ((i + 1) % 20)}) (i32.const ${i & 127})))\n`;
    const m = Module.fromWat(`(module (func (export "f") (param i32) (result i32) (local i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)
      (loop ${body} (br_if 0 (local.tee 0 (i32.sub (local.get 0) (i32.const 1))))) (local.get 1)))`);
    const store = new Store({ fuel: 1e9 });
    const r = new Linker().instantiate(store, m).call('f', 3);
    const ref = new Store({ fuel: 1e9, tier: 'interp' });
    expect(r).toEqual(new Linker().instantiate(ref, m).call('f', 3));
    expect(store.fuelConsumed).toBe(ref.fuelConsumed);
  });

  test('text nested too deeply for the recursive parser is a TextError', () => {
    const n = 50_000;
    expect(() => Module.fromWat(`(module (func ${'(block '.repeat(n)}${')'.repeat(n)}))`)).toThrow(TextError);
    expect(() => Module.fromWat(`(module (func ${'block '.repeat(n)}${'end '.repeat(n)}))`)).toThrow(/nesting too deep/);
  });
});
