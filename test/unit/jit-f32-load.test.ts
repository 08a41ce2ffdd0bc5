import { describe, expect, test } from 'vitest';
import { Linker, Module, Store } from '../../src/index.js';
import { jitStats } from '../../src/interp/tier.js';

/**
 * f32.load in the JS tier: getFloat32 quiets a signalling NaN, so a NaN is read again as bits, but only when
 * the value goes somewhere other than NaN-blind arithmetic or a comparison (gen-memory.ts settleF32): to a
 * local or global, a store, a reinterpret, neg / abs / copysign / min, select, a call, a block result, or
 * through a memory write or a memory.grow between the load and its use (a local.get or global.get there is
 * not a use). Each case stores its result's bits, which must
 * be the interpreter's.
 */
describe('JS tier f32.load: NaN bits as the interpreter reads them', () => {
  // f32 bits at 0 and 4; results stored at 64 + 4k
  const L0 = '(f32.load (i32.const 0))';
  const L1 = '(f32.load offset=4 (i32.const 0))';
  const cases = [
    // NaN-blind consumers (no test written)
    `(f32.add ${L0} ${L1})`,
    `(f32.mul ${L1} ${L0})`,
    `(f32.sqrt ${L0})`,
    `(f32.div ${L0} (f32.sub ${L1} ${L0}))`,
    `(f32.convert_i32_s (f32.lt ${L0} ${L1}))`,
    // other consumers (the test is written first)
    L0,
    L1,
    `(f32.neg ${L0})`,
    `(f32.abs ${L1})`,
    `(f32.copysign ${L0} ${L1})`,
    `(f32.min ${L0} ${L1})`,
    `(f32.reinterpret_i32 (i32.reinterpret_f32 ${L1}))`,
    `(select ${L0} ${L1} (local.get 0))`,
    `(call $id ${L0})`,
    `(block (result f32) ${L1})`,
    `(f32.add (f32.neg ${L0}) ${L1})`,
    // a load left on the stack under an add of two others, then taken by a store
    `(f32.add (f32.const 0) (f32.add ${L0} (f32.add ${L1} ${L1})))`,
    // the first load stays on the stack while memory is written: its test reads the bits before the write
    `(block (result f32) ${L0} (i32.store (i32.const 0) (i32.const 0x3f800000)))`,
    `(block (result f32) ${L1} (drop (memory.grow (i32.const 1))))`,
    // instructions without a signature in the table: a local.get / global.get between a load and its consumer
    // leaves the test to the consumer; local.set / tee and global.set take the value (test written), drop discards it
    `(f32.mul ${L0} (f32.convert_i32_s (local.get 0)))`,
    `(f32.copysign ${L1} (f32.convert_i32_s (local.get 0)))`,
    `(block (result f32) ${L0} (global.get $g) (f32.add))`,
    `(block (result f32) (local.set 3 ${L0}) (local.get 3))`,
    `(local.tee 3 ${L1})`,
    `(block (result f32) (global.set $g ${L1}) (global.get $g))`,
    `(block (result f32) ${L0} (drop ${L1}))`,
    `(block (result f32) ${L1} (local.get 3) (drop))`,
  ];
  const wat = `(module (memory (export "m") 1)
    (global $g (mut f32) (f32.const 0))
    (func $id (param f32) (result f32) (local.get 0))
    (func (export "run") (param i32 i32 i32) (local f32)
      ${cases.map((c, k) => `(i32.store (i32.const 0) (local.get 1)) (i32.store (i32.const 4) (local.get 2)) (f32.store (i32.const ${64 + 4 * k}) ${c})`).join('\n      ')}))`;
  const inputs: [number, number][] = [
    [0x7fa00001, 0x3f800000], // signalling NaN with a payload, 1
    [0x3f800000, 0xff812345], // 1, negative signalling NaN
    [0xffc12345, 0x7fbfffff], // negative quiet NaN, signalling NaN
    [0x7f800000, 0xff800000], // inf, -inf: sums give a fresh NaN
    [0x80000000, 0x00000000], // -0, 0
    [0x00000001, 0x807fffff], // denormals
  ];
  const run = (tier: 'js' | 'interp'): number[][] => {
    const inst = new Linker().instantiate(new Store({ tier }), Module.fromWat(wat));
    const out: number[][] = [];
    // hot: the JS tier's code is reused, V8 optimizes it
    for (let round = 0; round < 30; round++)
      for (const [a, b] of inputs) {
        inst.call('run', round & 1, a | 0, b | 0);
        out.push([...new Int32Array(inst.memory('m')!.u8.slice(64, 64 + 4 * cases.length).buffer)]);
      }
    return out;
  };
  test('every consumer, NaN payloads, -0 and denormals', () => {
    const before = jitStats.generated;
    const js = run('js');
    expect(jitStats.generated).toBeGreaterThan(before);
    expect(js).toEqual(run('interp'));
    // the signalling NaN stored as it was loaded keeps its bits; arithmetic on it quiets it, payload kept
    expect(js[0]![5]).toBe(0x7fa00001);
    expect(js[0]![0]).toBe(0x7fe00001);
    expect(js[1]![6]).toBe(0xff812345 | 0);
  });
});
