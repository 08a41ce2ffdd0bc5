import { describe, expect, test } from 'vitest';
import { Linker, Module, Store } from '../../src/index.js';
import { jitStats } from '../../src/interp/tier.js';

/**
 * f32.store in the JS tier: a Math.fround result (add, sub, mul, div, sqrt) is stored with setFloat32 alone, any
 * other f32 value through the NaN test and f2b (gen-memory.ts, Ent.q). Both must store the interpreter's bits,
 * signalling NaNs and payloads included.
 */
describe('JS tier f32.store bits equal the interpreter', () => {
  // (a, b) as f32 bits in memory at 0 and 4; each op's result stored at 16 + 4k, read back as i32
  const ops = ['(f32.add (local.get 0) (local.get 1))', '(f32.sub (local.get 0) (local.get 1))', '(f32.mul (local.get 0) (local.get 1))',
    '(f32.div (local.get 0) (local.get 1))', '(f32.sqrt (local.get 0))', '(f32.neg (local.get 0))', '(f32.abs (local.get 1))',
    '(local.get 0)', '(f32.copysign (local.get 0) (local.get 1))', '(f32.min (local.get 0) (local.get 1))'];
  const wat = `(module (memory (export "m") 1)
    (func (export "run") (param i32 i32) (local f32 f32)
      (i32.store (i32.const 0) (local.get 0)) (i32.store (i32.const 4) (local.get 1))
      (local.set 2 (f32.load (i32.const 0))) (local.set 3 (f32.load (i32.const 4)))
      ${ops.map((o, k) => `(f32.store (i32.const ${16 + 4 * k}) ${o.replace(/local\.get 0/g, 'local.get 2').replace(/local\.get 1/g, 'local.get 3')})`).join('\n      ')}))`;
  const inputs: [number, number][] = [
    [0x7fa00001, 0x3f800000], // signalling NaN with a payload, 1
    [0xffc12345, 0x7f800000], // negative quiet NaN, +inf
    [0x7f800000, 0xff800000], // inf, -inf: add gives a fresh NaN
    [0x00000000, 0x80000000], // 0 / -0
    [0x3f800000, 0x7f812345], // 1, signalling NaN
    [0xbf800000, 0x40490fdb], // -1 (sqrt NaN), pi
  ];
  const run = (tier: 'js' | 'interp') => {
    const inst = new Linker().instantiate(new Store({ tier }), Module.fromWat(wat));
    return inputs.map(([a, b]) => {
      inst.call('run', a | 0, b | 0);
      return [...new Int32Array(inst.memory('m')!.u8.slice(16, 16 + 4 * ops.length).buffer)];
    });
  };
  test('every op, NaN inputs and results', () => {
    const before = jitStats.generated;
    const js = run('js');
    expect(jitStats.generated).toBeGreaterThan(before);
    expect(js).toEqual(run('interp'));
    // the signalling NaN moved by local.get keeps its bits; arithmetic on it gives the quiet NaN, payload kept
    expect(js[0]![7]).toBe(0x7fa00001);
    expect(js[0]![0]).toBe(0x7fe00001);
  });
});
