/**
 * wasmeter in an engine that gives every NaN it reads from a typed array or DataView as its canonical NaN
 * (SpiderMonkey, JavaScriptCore; src/interp/nan-bits.ts), run in Node by switching the mode (setNaNBitsKept(false)):
 * the translator moves f64 through memory with the i64 ops, the JS tier declines every function that may observe the
 * bits of an f32 or f64 value it read (src/jit/float-scan.ts) and still generates the others, and the NaN-moving spec scripts pass in both tiers,
 * normally and starved. A DataView whose float accessors canonicalize NaNs as SpiderMonkey's do stands in for the
 * engine's memory accesses. The browser test runs the same in Firefox (test/browser/firefox.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { Linker, Module, Store } from '../../src/index.js';
import { Op } from '../../src/interp/exec.js';
import { detectNaNBits, nanBits } from '../../src/interp/nan-bits.js';
import { setNaNBitsKept } from '../../src/interp/translate-tables.js';
import { jitStats } from '../../src/interp/tier.js';
import type { Compiled } from '../../src/interp/compiled.js';
import { WasmFunc } from '../../src/runtime/objects/func.js';
import { runScript } from '../../src/spec/runner.js';
import { findSuite } from '../../src/spec/suite.js';
import { FLOATS_DECLINED } from '../../src/jit/float-scan.js';

afterEach(() => setNaNBitsKept(detectNaNBits()));

const WAT = `(module (memory 1)
  (func (export "copy") (param $from i32) (param $to i32)
    (f64.store (local.get $to) (f64.load (local.get $from))))
  (func (export "sum") (param $n i32) (result i64) (local $i i32) (local $s i64)
    (loop $l
      (local.set $s (i64.add (local.get $s) (i64.load (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 8)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $s))
  (func (export "neg") (param f64) (result f64) (f64.neg (local.get 0)))
  (func (export "bits") (param i64) (result i64)
    (i64.reinterpret_f64 (f64.reinterpret_i64 (local.get 0))))
  (func (export "dot") (param $n i32) (result f64) (local $i i32) (local $s f64)
    (loop $l
      (local.set $s (f64.add (local.get $s) (f64.mul (f64.load (local.get $i)) (f64.load offset=8 (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 8)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $s))
  (func (export "ret") (param f64) (result f64) (local.get 0))
  (func (export "viaLocal") (local f64)
    (local.set 0 (f64.load (i32.const 0)))
    (f64.store (i32.const 8) (local.get 0)))
  (func (export "fromInt") (f64.store (i32.const 8) (f64.convert_i32_s (i32.const 3))))
  (func (export "nanConst") (f64.store (i32.const 8) (f64.const nan:0x4)))
  (func (export "const") (f32.store (i32.const 8) (f32.const 1.5)))
  (func (export "cmp") (result i32) (f32.lt (f32.load (i32.const 0)) (f32.load (i32.const 4))))
  (func (export "reuse") (local $x f64)
    (local.set $x (f64.load (i32.const 0)))
    (local.set $x (f64.mul (local.get $x) (local.get $x)))
    (f64.store (i32.const 16) (local.get $x)))
  (func (export "backEdge") (param $n i32) (local $x f64)
    (loop $l
      (f64.store (i32.const 16) (local.get $x))
      (local.set $x (f64.load (i32.const 0)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "viaBlock") (param $c i32) (local $x f64)
    (block $b
      (local.set $x (f64.load (i32.const 0)))
      (br_if $b (local.get $c))
      (local.set $x (f64.const 1)))
    (f64.store (i32.const 16) (local.get $x)))
  (func (export "put") (param i32 i64) (i64.store (local.get 0) (local.get 1)))
  (func (export "get") (param i32) (result i64) (i64.load (local.get 0))))`;

function ops(inst: ReturnType<Linker['instantiate']>, name: string): Op[] {
  const cc = (inst.getExport(name) as WasmFunc).compiled as Compiled;
  return Array.from(cc.code) as Op[];
}

/** Runs `f` with DataView's float accessors giving and writing every NaN as the canonical NaN (what SpiderMonkey's do). */
function withCanonicalizingDataView<T>(f: () => T): T {
  const p = DataView.prototype;
  const saved = { getFloat64: p.getFloat64, setFloat64: p.setFloat64, getFloat32: p.getFloat32, setFloat32: p.setFloat32 };
  const canon = (x: number): number => (x !== x ? NaN : x);
  p.getFloat64 = function (o: number, le?: boolean) {
    return canon(saved.getFloat64.call(this, o, le));
  };
  p.setFloat64 = function (o: number, v: number, le?: boolean) {
    const w = new DataView(new ArrayBuffer(8));
    if (v !== v) w.setUint32(4, 0x7ff80000, true);
    else saved.setFloat64.call(w, 0, v, true);
    saved.setFloat64.call(this, o, saved.getFloat64.call(w, 0, true), le);
  };
  p.getFloat32 = function (o: number, le?: boolean) {
    return canon(saved.getFloat32.call(this, o, le));
  };
  p.setFloat32 = function (o: number, v: number, le?: boolean) {
    if (v !== v) this.setUint32(o, 0x7fc00000, le);
    else saved.setFloat32.call(this, o, v, le);
  };
  try {
    return f();
  } finally {
    Object.assign(p, saved);
  }
}

describe("the interpreter's f64.store in V8", () => {
  test('stores a NaN as its words: a setFloat64 that quiets signalling NaNs (Chromium 156 in the optimized loop) cannot change it', () => {
    const p = DataView.prototype;
    const saved = p.setFloat64;
    p.setFloat64 = function (o: number, v: number, le?: boolean) {
      saved.call(this, o, v, le);
      if (v !== v) this.setUint8(o + (le ? 6 : 1), this.getUint8(o + (le ? 6 : 1)) | 0x08); // the quiet bit
    };
    try {
      const inst = new Linker().instantiate(
        new Store({ fuel: 1e6, tier: 'interp' }),
        Module.fromWat(`(module (memory 1)
          (func (export "store") (f64.store (i32.const 8) (f64.const nan:0x4000000000000)) (f64.store (i32.const 16) (f64.const -1.5)))
          (func (export "get") (param i32) (result i64) (i64.load (local.get 0))))`),
      );
      inst.call('store');
      expect(inst.call('get', 8)).toEqual([0x7ff4000000000000n]);
      expect(inst.call('get', 16)).toEqual([-0x4008000000000000n]);
    } finally {
      p.setFloat64 = saved;
    }
  });
});

describe('an engine that canonicalizes NaNs', () => {
  test('V8 keeps NaN bits (Node): the mode is off here unless a test switches it', () => {
    expect(detectNaNBits()).toBe(true);
    expect(nanBits.kept).toBe(true);
  });

  test('f64.load and f64.store translate to the i64 ops there, to the f64 ops in V8', () => {
    const v8 = new Linker().instantiate(new Store({ fuel: 1e6, tier: 'interp' }), Module.fromWat(WAT));
    v8.call('copy', 0, 8);
    expect(ops(v8, 'copy')).toContain(Op.F64_LOAD);
    expect(ops(v8, 'copy')).toContain(Op.F64_STORE);
    setNaNBitsKept(false);
    const canon = new Linker().instantiate(new Store({ fuel: 1e6, tier: 'interp' }), Module.fromWat(WAT));
    canon.call('copy', 0, 8);
    const code = ops(canon, 'copy');
    expect(code).not.toContain(Op.F64_LOAD);
    expect(code).not.toContain(Op.F64_STORE);
    expect(code).toContain(Op.I64_LOAD);
    expect(code).toContain(Op.I64_STORE);
  });

  test.each(['interp', 'js'] as const)('a signalling NaN with a payload and sign survives f64.load/f64.store through a canonicalizing DataView (%s)', (tier) => {
    setNaNBitsKept(false);
    const inst = new Linker().instantiate(new Store({ fuel: 1e6, tier }), Module.fromWat(WAT));
    const bits = -0xfffffffffffffn; // 0xfff0000000000001: a negative signalling NaN, payload 1
    inst.call('put', 0, bits);
    withCanonicalizingDataView(() => {
      for (let i = 0; i < 3; i++) inst.call('copy', 8 * i, 8 + 8 * i);
    });
    expect(inst.call('get', 24)).toEqual([bits]);
    expect(inst.call('bits', bits)).toEqual([bits]);
  });

  test('the JS tier declines exactly the functions that observe the bits of an f32 or f64 they read there, and generates them all in V8', () => {
    const NAMES = ['copy', 'sum', 'neg', 'bits', 'put', 'get', 'dot', 'ret', 'viaLocal', 'fromInt', 'nanConst', 'const', 'cmp', 'reuse', 'backEdge', 'viaBlock'];
    const state = (inst: ReturnType<Linker['instantiate']>): Record<string, number> => Object.fromEntries(NAMES.map((n) => [n, (inst.getExport(n) as WasmFunc).jitState]));
    const run = (): ReturnType<Linker['instantiate']> => {
      const inst = new Linker().instantiate(new Store({ fuel: 1e6 }), Module.fromWat(WAT));
      inst.call('put', 0, 5n);
      inst.call('copy', 0, 8);
      expect(inst.call('sum', 16)).toEqual([10n]);
      expect(inst.call('neg', 1.5)).toEqual([-1.5]);
      expect(inst.call('bits', 7n)).toEqual([7n]);
      expect(inst.call('get', 8)).toEqual([5n]);
      inst.call('put', 0, 0x4000000000000000n); // 2.0
      inst.call('put', 8, 0x4008000000000000n); // 3.0
      expect(inst.call('dot', 8)).toEqual([6]);
      expect(inst.call('ret', 2.5)).toEqual([2.5]);
      for (const n of ['viaLocal', 'fromInt', 'nanConst', 'const', 'reuse']) inst.call(n);
      inst.call('backEdge', 3);
      inst.call('viaBlock', 1);
      expect(inst.call('cmp')).toEqual([1]); // f32 0.0 < 2.0 (the words of f64 2.0)
      return inst;
    };
    jitStats.declined.clear();
    expect(state(run())).toEqual(Object.fromEntries(NAMES.map((n) => [n, 1])));
    expect(jitStats.declined.get(FLOATS_DECLINED)).toBeUndefined();
    setNaNBitsKept(false);
    // declined (2): a read value's bits observed: stored, negated, reinterpreted, returned, from a local set to it on
    // this path, the loop's back edge or a branch to the block's end; generated (1): only arithmetic reads them, or the
    // local was set to a computed value since (reuse)
    const declined = ['copy', 'neg', 'bits', 'ret', 'viaLocal', 'nanConst', 'backEdge', 'viaBlock'];
    expect(state(run())).toEqual(Object.fromEntries(NAMES.map((n) => [n, declined.includes(n) ? 2 : 1])));
    expect(jitStats.declined.get(FLOATS_DECLINED)).toBe(declined.length);
  });

  const expected = (JSON.parse(readFileSync(join(import.meta.dirname, '../spec/expected.json'), 'utf8')) as { files: Record<string, { passed: number }> }).files;
  /** Scripts whose assertions move NaN bits through loads, stores, constants, locals, select, reinterpretations and lanes. */
  const NAN_WAST = ['f32_bitwise', 'f64_bitwise', 'float_exprs', 'float_literals', 'float_memory', 'float_misc', 'conversions', 'address', 'select', 'local_tee', 'simd_lane', 'simd_splat'];
  test.each(['interp', 'js'] as const)('the NaN-moving spec scripts pass there (%s), normally and starved', (tier) => {
    setNaNBitsKept(false);
    const suite = findSuite();
    for (const f of NAN_WAST) {
      const text = readFileSync(join(suite, `${f}.wast`), 'utf8');
      for (const starved of [false, true]) {
        const r = runScript(text, `${f}.wast`, { tier, starved });
        expect(r.failures, `${f} ${tier} starved ${starved}`).toEqual([]);
        expect(r.passed, `${f} ${tier} starved ${starved}`).toBe(expected[`${f}.wast`]!.passed);
      }
    }
  });
});
