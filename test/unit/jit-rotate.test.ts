/**
 * i32.rotl / i32.rotr by a constant count in the JS tier (src/jit/gen-numeric.ts i32rot): written out as shifts, an
 * operand that is an expression (`rotl(x ^ y, k)`) evaluated into its variable first, no call of rt.ts' rotl32/rotr32;
 * results as the interpreter's for every count class (0, 1, 7, 31, 32, 33, -1) and random operands.
 */
import { describe, expect, test } from 'vitest';
import { Linker, Module, Store } from '../../src/index.js';
import { captureSources } from '../shared/jit-sources.js';

const COUNTS = [0, 1, 7, 31, 32, 33, -1];
const WAT = `(module
${COUNTS.map(
  (k, i) => `(func (export "l${i}") (param i32 i32) (result i32) (i32.rotl (i32.xor (local.get 0) (local.get 1)) (i32.const ${k})))
(func (export "r${i}") (param i32 i32) (result i32) (i32.rotr (i32.add (local.get 0) (local.get 1)) (i32.const ${k})))
(func (export "n${i}") (param i32 i32) (result i32) (i32.add (i32.rotl (i32.rotl (i32.xor (local.get 0) (local.get 1)) (i32.const ${k})) (i32.const 5)) (local.get 1)))`,
).join('\n')}
(func (export "v") (param i32 i32) (result i32) (i32.rotl (i32.xor (local.get 0) (i32.const 0x5a5a5a5a)) (local.get 1))))`;

describe('JS tier: rotations by a constant', () => {
  test('rotl / rotr of an expression: as the interpreter, without a helper call', () => {
    let s = 0x12345678;
    const next = (): number => (s = (Math.imul(s, 1664525) + 1013904223) | 0);
    const args: [number, number][] = [[0, 0], [-1, 0], [0x80000000 | 0, 1], [1, -2]];
    for (let i = 0; i < 60; i++) args.push([next(), next()]);
    const names = [...COUNTS.flatMap((_, i) => [`l${i}`, `r${i}`, `n${i}`]), 'v'];
    const run = (tier: 'js' | 'interp'): unknown[] => {
      const inst = new Linker().instantiate(new Store({ tier }), Module.fromWat(WAT));
      const out: unknown[] = [];
      for (const f of names) for (const [a, b] of args) out.push(inst.call(f, a, b)[0]);
      return out;
    };
    const { srcs, value } = captureSources(() => run('js'));
    expect(value).toEqual(run('interp'));
    const bySrc = srcs.join('\n');
    // only the variable count calls the helper
    expect(bySrc.match(/\brotl32\(/g)?.length ?? 0).toBe(1);
    expect(bySrc).not.toMatch(/\brotr32\(/);
  });
});
