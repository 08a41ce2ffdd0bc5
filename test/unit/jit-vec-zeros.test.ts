/**
 * Known-zero bits of v128 words in the JS tier (src/jit/gen-vectors.ts `zeros`, `sumZeros`, `shuffleZeros`; the
 * lane cache's `zero` for locals): a lane-wise add whose lanes cannot carry out (the lanes of unsigned extends, bytes
 * masked by a constant, sums of those) is one add per word; every other one masks its lanes apart. Against the
 * interpreter on inputs whose lanes are all ones, and with the known bits of a local dropped where straight-line code
 * ends (a block's end, a loop's head) and where the local is written again.
 */
import { describe, expect, test } from 'vitest';
import { Linker, Module, Store } from '../../src/index.js';
import { captureSources } from '../shared/jit-sources.js';
import { shuffleZeros, sumZeros } from '../../src/jit/gen-vectors.js';

const ext = (x: string): string => `(i16x8.extend_low_i8x16_u ${x})`;
const WAT = `(module
  ;; lanes of at most 255 + 255: one add per word
  (func (export "ext") (param v128 v128) (result v128)
    (i16x8.add ${ext('(local.get 0)')} (i16x8.extend_high_i8x16_u (local.get 0))))
  ;; one operand unknown: masked
  (func (export "mixed") (param v128 v128) (result v128)
    (i16x8.add ${ext('(local.get 0)')} (local.get 1)))
  ;; doubled nine times: the first eight fit (255 * 2^8 = 65280), the ninth carries out of its lane
  (func (export "double") (param v128 v128) (result v128) (local v128)
    (local.set 2 ${ext('(local.get 0)')})
    ${'(local.set 2 (i16x8.add (local.get 2) (local.get 2)))\n'.repeat(9)}
    (local.get 2))
  ;; bytes masked by constants: 0x7f + 0x7f fits, 0x80 + 0x7f saturates
  (func (export "sat") (param v128 v128) (result v128)
    (i8x16.add_sat_u (v128.and (local.get 0) (v128.const i8x16 0x7f 0x7f 0x7f 0x7f 0x7f 0x7f 0x7f 0x7f 0x7f 0x7f 0x7f 0x7f 0x7f 0x7f 0x7f 0x7f))
      (v128.and (local.get 1) (v128.const i8x16 0x7f 0x7f 0x7f 0x7f 0x7f 0x7f 0x7f 0x7f 0xff 0xff 0xff 0xff 0x80 0x7f 0x7f 0x7f))))
  (func (export "add8") (param v128 v128) (result v128)
    (i8x16.add (v128.and (local.get 0) (v128.const i32x4 0x3f3f3f3f 0x3f3f3f3f -1 0))
      (v128.or (v128.and (local.get 1) (v128.const i32x4 0x40404040 0 0 0)) (v128.const i32x4 0x01010101 0 0 0))))
  ;; a zero extend written as a shuffle with zeros, then summed with the extend
  (func (export "shuf") (param v128 v128) (result v128)
    (i16x8.add (i8x16.shuffle 0 16 1 16 2 16 3 16 4 16 5 16 6 16 7 16 (local.get 0) (v128.const i32x4 0 0 0 0)) ${ext('(local.get 1)')}))
  ;; widened to i32 lanes: extends of extends
  (func (export "wide") (param v128 v128) (result v128)
    (i16x8.add (i32x4.extend_low_i16x8_u ${ext('(local.get 0)')}) (i32x4.extend_high_i16x8_u ${ext('(local.get 1)')})))
  ;; local 2 holds an extend only when the br_if is not taken: after the block nothing is known of it
  (func (export "join") (param v128 v128 i32) (result v128) (local v128)
    (local.set 3 (local.get 1))
    (block (br_if 0 (local.get 2)) (local.set 3 ${ext('(local.get 0)')}))
    (i16x8.add (local.get 3) (local.get 3)))
  ;; local 2 is an extend at a loop's back edge but not on entry
  (func (export "loop") (param v128 v128 i32) (result v128) (local v128 v128)
    (local.set 3 (local.get 1))
    (loop $l
      (local.set 4 (i16x8.add (local.get 3) (local.get 3)))
      (local.set 3 ${ext('(local.get 0)')})
      (br_if $l (local.tee 2 (i32.sub (local.get 2) (i32.const 1)))))
    (local.get 4))
  ;; written again in the same stretch with an unknown value
  (func (export "reset") (param v128 v128) (result v128) (local v128)
    (local.set 2 ${ext('(local.get 0)')})
    (local.set 2 (local.get 1))
    (i16x8.add (local.get 2) (local.get 2))))`;

const bytes16 = (f: (i: number) => number): Uint8Array => Uint8Array.from({ length: 16 }, (_, i) => f(i) & 255);
const INPUTS: [Uint8Array, Uint8Array][] = [
  [bytes16(() => 255), bytes16(() => 255)],
  [bytes16((i) => 255 - i), bytes16((i) => 0x80 + 9 * i)],
  [bytes16((i) => Math.imul(i + 3, 0x9e3779b1) >>> 24), bytes16((i) => Math.imul(i + 11, 0x85ebca6b) >>> 24)],
];
const FNS = ['ext', 'mixed', 'double', 'sat', 'add8', 'shuf', 'wide', 'reset'];

describe('JS tier: known-zero bits of v128 words', () => {
  test('adds of lanes that cannot carry out as one add per word; as the interpreter', () => {
    const run = (tier: 'js' | 'interp'): unknown[] => {
      const inst = new Linker().instantiate(new Store({ tier }), Module.fromWat(WAT));
      const out: unknown[] = [];
      for (const [a, b] of INPUTS) {
        for (const f of FNS) out.push([f, inst.call(f, a, b)[0]]);
        for (const c of [0, 1]) out.push(['join', c, inst.call('join', a, b, c)[0]]);
        for (const n of [1, 2, 3]) out.push(['loop', n, inst.call('loop', a, b, n)[0]]);
      }
      return out;
    };
    const { srcs, value } = captureSources(() => run('js'));
    const ref = run('interp');
    expect(value).toEqual(ref);
    // (the interpreter's sums of all-ones lanes: 0x1fe, and the ninth doubling wrapped: 0xfe00)
    expect(ref[0]).toEqual(['ext', bytes16((i) => (i & 1 ? 1 : 0xfe))]);
    expect(ref[2]).toEqual(['double', bytes16((i) => (i & 1 ? 0xfe : 0))]);
    const all = srcs.join('\n');
    // one add per word in `ext` (both operands extends) and in the eight doublings that fit
    expect(all).toMatch(/V\d_0 = \(V\d_0 \+ V\d_0\) \| 0;/);
    expect(all.match(/V\d_0 = \(L2 \+ L2\) \| 0;/g)).toHaveLength(8);
  });

  test('sumZeros and shuffleZeros', () => {
    // 16-bit lanes of at most 255: the sum's lanes at most 510, bits 9-15 zero
    expect(sumZeros(0xff00ff00 | 0, 0xff00ff00 | 0, 16)).toBe(0xfe00fe00 | 0);
    expect(sumZeros(0xfe00fe00 | 0, 0xfe00fe00 | 0, 16)).toBe(0xfc00fc00 | 0);
    // a lane of 0x8000 + 0x8000 carries out
    expect(sumZeros(0x7fff0000, 0x7fff0000, 16)).toBeNull();
    expect(sumZeros(0x80008000 | 0, 0x80008000 | 0, 16)).toBe(0);
    // bytes: 0x7f + 0x7f fits, 0x7f + 0xff does not
    expect(sumZeros(0x80808080 | 0, 0x80808080 | 0, 8)).toBe(0);
    expect(sumZeros(0x80808080 | 0, 0x80808000 | 0, 8)).toBeNull();
    // zero lanes stay zero
    expect(sumZeros(-1, -1, 8)).toBe(-1);
    // a shuffle's word: bytes from a constant operand (its known zeros) and from an unknown one (none)
    expect(shuffleZeros([0, 16, 1, 17], null, [-1, 0, 0, 0])).toBe(0xff00ff00 | 0);
    expect(shuffleZeros([3, 2, 1, 0], [0x00ff00ff, 0, 0, 0], null)).toBe(0xff00ff00 | 0);
  });
});
