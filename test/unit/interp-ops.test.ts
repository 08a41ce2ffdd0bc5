/**
 * The interpreter's loop reads a function's code from a plain array copy (`Compiled.ops`, made at its first run):
 * element loads of a JS array carry no detached-buffer check, which V8 adds to every typed-array access once any
 * ArrayBuffer in the process was detached (BENCHMARKS.md, interpreter, session 16). Writes to the code after that
 * (the JS tier's loop-head marks, FUEL <-> FUEL_OSR) go through `Compiled.patch` into both.
 */
import { describe, expect, test } from 'vitest';
import { Linker, Module, OutOfFuel, Store } from '../../src/index.js';
import { WasmFunc } from '../../src/runtime/objects/func.js';
import type { Compiled } from '../../src/interp/compiled.js';
import { jitStats } from '../../src/interp/tier.js';

const WAT = `(module
  (func (export "run") (param $n i32) (result i32) (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (i32.mul (local.get $s) (i32.const 31)) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $s)))`;

const compiledOf = (inst: ReturnType<Linker['instantiate']>): Compiled => (inst.getExport('run') as WasmFunc).compiled as Compiled;

describe('the interpreter reads its code from a plain array', () => {
  test('the copy is the code, word for word; a patch writes both', () => {
    const inst = new Linker().instantiate(new Store({ fuel: 1e9, tier: 'interp' }), Module.fromWat(WAT));
    expect(inst.call('run', 1000)[0]).toBe(new Linker().instantiate(new Store({ fuel: 1e9, tier: 'interp' }), Module.fromWat(WAT)).call('run', 1000)[0]);
    const cc = compiledOf(inst);
    expect(Array.isArray(cc.ops)).toBe(true);
    expect(cc.ops).toEqual(Array.from(cc.code));
    const pc = [...cc.blockPc.values()].at(-1)!;
    const was = cc.code[pc]!;
    cc.patch(pc, was + 1);
    expect(cc.ops[pc]).toBe(was + 1);
    expect(cc.code[pc]).toBe(was + 1);
    cc.patch(pc, was);
    expect(cc.ops).toEqual(Array.from(cc.code));
  });

  test('a call stopped by fuel in the JS tier resumes in the interpreter, which enters the JS version at the marked loop head', () => {
    // the JS tier marks the loop head FUEL_OSR when it compiles the function (its first call); the stop hands the
    // frame to the interpreter, whose copy of the code, made then, must hold the mark to hand the frame back
    const n = 200_000;
    const ref = new Store({ fuel: 1e12, tier: 'interp' });
    const want = new Linker().instantiate(ref, Module.fromWat(WAT)).call('run', n)[0];
    const store = new Store({ fuel: 100_001 });
    const inst = new Linker().instantiate(store, Module.fromWat(WAT));
    const osr0 = jitStats.osrEntries;
    let got: unknown;
    try {
      inst.call('run', n);
      throw new Error('not stopped');
    } catch (e) {
      if (!(e instanceof OutOfFuel)) throw e;
      store.addFuel(1e12);
      got = e.resume()[0];
    }
    expect(got).toBe(want);
    expect(jitStats.osrEntries).toBeGreaterThan(osr0);
    expect(store.fuelConsumed).toBe(ref.fuelConsumed);
    const cc = compiledOf(inst);
    expect(cc.ops).toEqual(Array.from(cc.code));
  });
});
