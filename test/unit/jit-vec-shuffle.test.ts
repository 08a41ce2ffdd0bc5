/**
 * i8x16.shuffle in the JS tier (src/jit/gen-vectors.ts shuffleWord): runs of bytes that move together as one shift and
 * mask, a constant operand's bytes folded into literals, one byte four times as a multiply; and i32x4 shifts by a
 * constant count as literals. Random shuffles of variable, constant and repeated operands against the interpreter.
 */
import { describe, expect, test } from 'vitest';
import { Linker, Module, Store } from '../../src/index.js';
import { captureSources } from '../shared/jit-sources.js';
import { shuffleWord } from '../../src/jit/gen-vectors.js';
import { CONST, VAR, type Ent } from '../../src/jit/gen-types.js';

/** A small LCG, so that a failure names its shuffle again. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

const CONSTS = ['0 0 0 0', '-1 0 0x12345678 -2147483648', '0x0102 0 0xff000000 7'];

/** A module whose functions `s<i>` each shuffle two of (param 0, param 1, a constant) with random indices. */
function shuffles(n: number, seed: number): string {
  const r = rng(seed);
  const fns: string[] = [];
  for (let i = 0; i < n; i++) {
    const pick = (): string => {
      const u = r();
      return u < 0.4 ? '(local.get 0)' : u < 0.7 ? '(local.get 1)' : `(v128.const i32x4 ${CONSTS[Math.floor(r() * CONSTS.length)]})`;
    };
    // runs of consecutive bytes, repeated bytes and random ones
    const idx: number[] = [];
    while (idx.length < 16) {
      const u = r();
      const start = Math.floor(r() * 32);
      if (u < 0.4) for (let k = 0; k < 4 && idx.length < 16; k++) idx.push((start + k) % 32);
      else if (u < 0.55) for (let k = 0; k < 4 && idx.length < 16; k++) idx.push(start);
      else idx.push(start);
    }
    fns.push(`(func (export "s${i}") (param v128 v128) (result v128) (i8x16.shuffle ${idx.join(' ')} ${pick()} ${pick()}))`);
  }
  const shifts = ['shl', 'shr_s', 'shr_u'].flatMap((op) => [0, 3, 31, 32, 45].map((c) => `(func (export "${op}${c}") (param v128) (result v128) (i32x4.${op} (local.get 0) (i32.const ${c})))`));
  return `(module ${fns.join('\n')} ${shifts.join('\n')})`;
}

const bytes16 = (f: (i: number) => number): Uint8Array => Uint8Array.from({ length: 16 }, (_, i) => f(i) & 255);
const INPUTS: [Uint8Array, Uint8Array][] = [
  [bytes16((i) => i), bytes16((i) => 16 + i)],
  [bytes16((i) => Math.imul(i + 7, 0x9e3779b1) >>> 24), bytes16((i) => 255 - 17 * i)],
];

describe('JS tier: byte shuffles and constant shifts', () => {
  test('random shuffles of variables, constants and one operand twice: as the interpreter', () => {
    const N = 120;
    const wat = shuffles(N, 16);
    const run = (tier: 'js' | 'interp'): unknown[] => {
      const inst = new Linker().instantiate(new Store({ tier }), Module.fromWat(wat));
      const out: unknown[] = [];
      for (let i = 0; i < N; i++) for (const [a, b] of INPUTS) out.push(inst.call(`s${i}`, a, b)[0]);
      for (const op of ['shl', 'shr_s', 'shr_u']) for (const c of [0, 3, 31, 32, 45]) for (const [a] of INPUTS) out.push(inst.call(`${op}${c}`, a)[0]);
      return out;
    };
    const { srcs, value } = captureSources(() => run('js'));
    const ref = run('interp');
    // (the function's text in the message: the module has one function per line)
    for (let i = 0; i < ref.length; i++) expect(value[i], `case ${i}: ${wat.split('\n')[Math.min(i >> 1, N)]}`).toEqual(ref[i]);
    const src = srcs.join('\n');
    // constant counts are literals
    expect(src).not.toMatch(/x = \(?\d+\)? & 31;/);
    expect(src).toMatch(/<< 13;/);
  });

  test('shuffleWord: runs, constants, splats', () => {
    const v = (p: string): Ent => ({ k: VAR, v: [`${p}_0`, `${p}_1`, `${p}_2`, `${p}_3`] }) as unknown as Ent;
    const c = (ws: number[]): Ent => ({ k: CONST, v: ws.map((w) => (w < 0 ? `(${w})` : `${w}`)) }) as unknown as Ent;
    const a = v('A');
    const z = c([0, 0, 0, 0]);
    const bs4 = (e: Ent, w: number, ...bs: number[]) => bs.map((byte) => ({ e, w, byte }));
    // a word in place; its low half, then zeros (an extend written as a shuffle)
    expect(shuffleWord(bs4(a, 1, 0, 1, 2, 3))).toBe('A_1');
    expect(shuffleWord([...bs4(a, 0, 0, 1), ...bs4(z, 0, 0, 1)])).toBe('(A_0 & 65535)');
    expect(shuffleWord([...bs4(a, 0, 2, 3), ...bs4(z, 0, 0, 1)])).toBe('(A_0 >>> 16)');
    // reversed: four single bytes
    expect(shuffleWord(bs4(a, 2, 3, 2, 1, 0))).toBe('((A_2 >>> 24) | ((A_2 >>> 8) & 65280) | ((A_2 << 8) & 16711680) | (A_2 << 24))');
    // the same byte four times
    expect(shuffleWord(bs4(a, 3, 1, 1, 1, 1))).toBe('Math.imul((A_3 >>> 8) & 255, 16843009)');
    // constant bytes folded
    expect(shuffleWord([...bs4(c([0x12345678, 0, 0, 0]), 0, 3, 0), ...bs4(a, 0, 0, 1)])).toBe('((A_0 << 16) | 30738)');
  });
});
