/**
 * The JS tier drops the conversion of f32x4 lane values into a v128 local's words where nothing in the function
 * reads those words (src/jit/lane-cache.ts deadWords): f32x4 code reads the lanes, so a temporary set from f32x4
 * arithmetic and read only by f32x4 arithmetic and stores never needs its words. Kept where the words are read (an
 * integer lane, a local.get into an integer op, the epilogue that hands a frame over when the local may be read after
 * the hand-over). Against the interpreter.
 */
import { describe, expect, test, vi } from 'vitest';
import { Linker, Module, Store, type StoreOptions } from '../../src/index.js';
import { captureSources } from '../shared/jit-sources.js';
import { deadWords } from '../../src/jit/lane-cache.js';
import { LANE_WORDS } from '../../src/jit/gen-types.js';

// saxpy-like: local 2 is an f32x4 temporary set and read in the loop (its words never read); local 3 an accumulator
// whose integer lane 0 is read after the loop (its words are read)
const WAT = `(module
  (memory 1)
  (func (export "run") (param i32) (result i32) (local i32 v128 v128)
    (loop $l
      (local.set 2 (f32x4.add (v128.load (local.get 1)) (f32x4.mul (v128.load (local.get 1)) (v128.const f32x4 0.5 0.5 0.5 0.5))))
      (v128.store (local.get 1) (local.get 2))
      (local.set 3 (f32x4.add (local.get 3) (f32x4.mul (local.get 2) (local.get 2))))
      (br_if $l (i32.lt_u (local.tee 1 (i32.add (local.get 1) (i32.const 16))) (local.get 0))))
    (i32x4.extract_lane 0 (local.get 3)))
  (func (export "peek") (param i32) (result i32) (i32.load (local.get 0)))
  (data (i32.const 0) "\\00\\00\\80\\3f\\00\\00\\00\\40\\00\\00\\40\\40\\00\\00\\80\\40\\00\\00\\c0\\3f\\00\\00\\c0\\7f\\01\\00\\80\\7f\\00\\00\\00\\80"))`;

// a v128.load into a local read only as f32 lanes (its words never loaded), and one read as words
const LOADS = `(module
  (memory 1)
  (func (export "run") (param i32) (result i32) (local v128 v128)
    (local.set 1 (v128.load (local.get 0)))
    (local.set 2 (v128.load offset=16 (local.get 0)))
    (v128.store offset=32 (local.get 0) (f32x4.mul (local.get 1) (local.get 1)))
    (i32x4.extract_lane 1 (i32x4.add (local.get 2) (local.get 2))))
  (func (export "peek") (param i32) (result i32) (i32.load (local.get 0)))
  (data (i32.const 0) "\\00\\00\\c0\\3f\\01\\00\\80\\7f\\00\\00\\c0\\7f\\00\\00\\00\\80\\01\\00\\80\\7f\\02\\00\\80\\ff\\03\\00\\00\\00\\04\\00\\00\\00"))`;

function sourceOf(opts: StoreOptions, wat = WAT, args = [32, 32, 64, 16, 48]): { src: string; out: unknown[] } {
  const { srcs, value: out } = captureSources(() => {
    const inst = new Linker().instantiate(new Store({ tier: 'js', ...opts }), Module.fromWat(wat));
    return [...args.map((n) => inst.call('run', n)[0]), ...peek(inst)];
  });
  return { src: srcs.join('\n'), out };
}

function interp(wat = WAT, args = [32, 32, 64, 16, 48]): unknown[] {
  const inst = new Linker().instantiate(new Store({ tier: 'interp' }), Module.fromWat(wat));
  return [...args.map((n) => inst.call('run', n)[0]), ...peek(inst)];
}

/** The words the calls left in memory (export `peek`). */
function peek(inst: { call(name: string, ...a: unknown[]): unknown[] }): unknown[] {
  return Array.from({ length: 40 }, (_, k) => inst.call('peek', 4 * k)[0]);
}

describe('JS tier: dead words of v128 locals', () => {
  test('a temporary read only as lanes gets no conversion to words; the accumulator whose lane is read keeps it', () => {
    const { src, out } = sourceOf({ countFuel: false });
    const want = interp();
    // (lane 0 stays a number; lanes 1 and 2 start as NaNs, a quiet and a signalling one)
    expect(want.slice(0, 5).every((r) => r !== 0x7fc00000)).toBe(true);
    expect(out).toEqual(want);
    expect(src).not.toContain(LANE_WORDS);
    // local 2's words are never written from lanes; local 3's are (read by i32x4.extract_lane after the loop)
    expect(src).not.toMatch(/L2 = \(F32V\[0\]/);
    expect(src).toMatch(/L3 = \(F32V\[0\]/);
  });

  test('metered: the epilogue writes the accumulator (read at the loop head), not the temporary (test/unit/jit-v128-spill.test.ts)', () => {
    const { src, out } = sourceOf({ fuel: 1e9 });
    expect(out).toEqual(interp());
    expect(src).not.toMatch(/L2 = \(F32V\[0\]/);
    expect(src).toMatch(/L3 = \(F32V\[0\]/);
  });

  test('a v128.load into a local read only as lanes loads no words; one read as words does', () => {
    const args = [0, 16, 0, 48, 4];
    const want = interp(LOADS, args);
    for (const opts of [{ countFuel: false }, { fuel: 1e9 }] as StoreOptions[]) {
      const { src, out } = sourceOf(opts, LOADS, args);
      expect(out).toEqual(want);
      expect(src).not.toContain(LANE_WORDS);
      // into the locals directly, not through a stack variable
      expect(src).not.toMatch(/V\d+_0 = V\.getInt32/);
      expect(src).toMatch(/L2 = V\.getInt32\(ea, true\)/);
      // nothing reads local 1's words (metered too: a function without loops or calls has no exits to spill them)
      expect(src).not.toMatch(/L1 = V\.getInt32/);
    }
  });

  test('deadWords: reads, comparisons and labels keep a statement; plain assignments do not', () => {
    const m = (x: number, st: string): string => `${LANE_WORDS}${x}${LANE_WORDS}${st}${LANE_WORDS}`;
    const set = (x: number): string => `L${x} = (F32V[0] = a, F32B[0]); L${x}_1 = (F32V[0] = b, F32B[0]);`;
    const body = [m(1, set(1)), m(2, set(2)), m(3, set(3)), m(4, set(4)), m(5, set(5)), 'L1 = 0; L2_1 = V1_1;', 'x = L3_1 + 1;', 'if (L4 === 0) { continue L5; }'].join('\n');
    const out = deadWords(body, 'S[fp + 24] = L6;');
    expect(out).not.toContain(LANE_WORDS);
    expect(out).not.toContain(set(1));
    expect(out).not.toContain(set(2));
    expect(out).toContain(set(3));
    expect(out).toContain(set(4));
    expect(out).toContain(set(5));
    // read by the spill only
    expect(deadWords(m(6, set(6)), 'S[fp + 24] = L6;')).toBe(set(6));
    expect(deadWords(m(6, set(6)), '')).toBe('');
  });

  test('deadWords: the back edges\' fuel markers (the same character, around a label) are no lane words, and are not scanned for reads', () => {
    const m = (x: number, st: string): string => `${LANE_WORDS}${x}${LANE_WORDS}${st}${LANE_WORDS}`;
    const edge = (l: string): string => `${LANE_WORDS}${l}${LANE_WORDS}`;
    const loop = `L3: for (;;) { x = L1 + L2_1; if (x) { ${edge('L3')} continue L3; } break; }`;
    // a metered body with loops and no v128 local: returned as it is, without a scan of its locals' reads
    const matchAll = vi.spyOn(String.prototype, 'matchAll');
    try {
      expect(deadWords(loop, 'S[fp + 24] = L1;')).toBe(loop);
      expect(matchAll).not.toHaveBeenCalled();
      // with lane words as well: the dead ones dropped, the markers of the back edges left for mergeFuelSteps
      const out = deadWords(`${m(4, 'L4 = 1; L4_1 = 2;')}\n${m(5, 'L5 = 1;')}\n${loop}\ny = L5;`, '');
      expect(matchAll).toHaveBeenCalled();
      expect(out).toBe(`\nL5 = 1;\n${loop}\ny = L5;`);
    } finally {
      matchAll.mockRestore();
    }
  });
});
