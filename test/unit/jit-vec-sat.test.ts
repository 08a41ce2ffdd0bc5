/**
 * Saturating adds and subtracts of 8- and 16-bit lanes in the JS tier (src/jit/gen-vectors.ts satWord: one SWAR
 * expression per word, no call to the interpreter's executor), against the interpreter: every pair of edge lane values
 * (0, 1, the signed limits and their neighbours, all ones) in every lane position, and random vectors.
 */
import { describe, expect, test } from 'vitest';
import { Linker, Module, Store } from '../../src/index.js';
import { captureSources } from '../shared/jit-sources.js';

const OPS = ['i8x16.add_sat_s', 'i8x16.add_sat_u', 'i8x16.sub_sat_s', 'i8x16.sub_sat_u', 'i16x8.add_sat_s', 'i16x8.add_sat_u', 'i16x8.sub_sat_s', 'i16x8.sub_sat_u'];
const WAT = `(module ${OPS.map((op, i) => `(func (export "f${i}") (param v128 v128) (result v128) (${op} (local.get 0) (local.get 1)))`).join('\n')})`;

/** A small LCG, so that a failure names its inputs again. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
}

/** Input pairs: edge lanes of both widths against each other, rotated through the lane positions, and random ones. */
function inputs(): [Uint8Array, Uint8Array][] {
  const out: [Uint8Array, Uint8Array][] = [];
  const e8 = [0, 1, 0x7e, 0x7f, 0x80, 0x81, 0xfe, 0xff];
  const e16 = [0, 1, 0x7ffe, 0x7fff, 0x8000, 0x8001, 0xfffe, 0xffff, 0x00ff, 0xff00, 0x0080];
  for (let i = 0; i < e8.length; i++)
    for (let r = 0; r < 2; r++) out.push([Uint8Array.from({ length: 16 }, (_, k) => e8[(i + k * r) % e8.length]!), Uint8Array.from({ length: 16 }, (_, k) => e8[(k + i) % e8.length]!)]);
  const u16 = (f: (k: number) => number): Uint8Array => new Uint8Array(Uint16Array.from({ length: 8 }, (_, k) => f(k)).buffer);
  for (let i = 0; i < e16.length; i++)
    for (let j = 0; j < e16.length; j += 3) out.push([u16((k) => e16[(i + k) % e16.length]!), u16((k) => e16[(j + 2 * k) % e16.length]!)]);
  const r = rng(19);
  for (let i = 0; i < 40; i++) out.push([Uint8Array.from({ length: 16 }, () => r() >>> 24), Uint8Array.from({ length: 16 }, () => r() >>> 24)]);
  return out;
}

describe('JS tier: saturating lane arithmetic', () => {
  test('i8x16 / i16x8 add_sat / sub_sat, signed and unsigned: as the interpreter, inline', () => {
    const ins = inputs();
    const run = (tier: 'js' | 'interp'): unknown[] => {
      const inst = new Linker().instantiate(new Store({ tier }), Module.fromWat(WAT));
      const out: unknown[] = [];
      for (let i = 0; i < OPS.length; i++) for (const [a, b] of ins) out.push(inst.call(`f${i}`, a, b)[0]);
      return out;
    };
    const { srcs, value } = captureSources(() => run('js'));
    const ref = run('interp');
    for (let i = 0; i < ref.length; i++) {
      const [a, b] = ins[i % ins.length]!;
      expect(value[i], `${OPS[Math.floor(i / ins.length)]} ${[...a]} / ${[...b]}`).toEqual(ref[i]);
    }
    // inline: no call of the executor on the frame's slots (gen-vectors.ts simdGeneric)
    const src = srcs.join('\n');
    expect(src).toMatch(/Math\.imul\(/);
    expect(src).not.toMatch(/\(mc, [^,()]+, fp \+ \d+, fp \+ \d+, fp \+ \d+/);
  });
});
