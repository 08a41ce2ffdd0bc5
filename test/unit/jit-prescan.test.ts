/**
 * The JS tier's pre-pass (LoopScan) fed by the translator's validator pass (TierCompiler.prescan, Machine.compile's
 * `pre`, interp/translate.ts WithPrescan): a function's first generation validates its body once less. A function with
 * v128 locals (LoopScan reads the translation's block starts for those) and a later generation (regenerate) make their
 * own pass; a pre-pass that throws (nesting too deep for JS) leaves the translation whole, and the tier meets the error
 * in its own pass. The generated sources are those of a separate pass.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { Module, Store } from '../../src/index.js';
import { generate, jsEval } from '../../src/jit/codegen.js';
import { LoopScan } from '../../src/jit/loop-scan.js';
import { jitStats } from '../../src/interp/tier.js';
import { validateFunction } from '../../src/validate/index.js';
import type { WasmFunc } from '../../src/runtime/objects/func.js';

const WAT = `(module
  (memory 1)
  (func $sq (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
  (func (export "loops") (param $n i32) (result i32) (local $i i32) (local $s i32) (local $j i32)
    (block $out
      (loop $l
        (br_if $out (i32.ge_u (local.get $i) (local.get $n)))
        (if (i32.and (local.get $i) (i32.const 1))
          (then
            (local.set $j (i32.const 0))
            (loop $m
              (local.set $s (i32.add (local.get $s) (call $sq (local.get $j))))
              (local.set $j (i32.add (local.get $j) (i32.const 1)))
              (br_if $m (i32.lt_u (local.get $j) (i32.const 3)))))
          (else (local.set $s (i32.xor (local.get $s) (local.get $i)))))
        (i32.store (i32.const 0) (local.get $s))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $s))
  (func (export "vec") (param $n i32) (result i32) (local $v v128) (local $i i32)
    (loop $l
      (local.set $v (i32x4.add (local.get $v) (i32x4.splat (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32x4.extract_lane 3 (local.get $v))))`;

/** A function of `depth` nested blocks around a loop: the interpreter runs it, LoopScan finds it too deep for JS. */
const deep = (depth: number): string =>
  `(module (func (export "deep") (param $n i32) (result i32) (local $i i32)
    ${'(block '.repeat(depth)}
      (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    ${')'.repeat(depth)}
    (local.get $i)))`;

/** Calls of LoopScan.instr during `f`, by kind of scan: fed by the translation (no block starts) or a pass of its own. */
function scans<T>(f: () => T): { fed: number; own: number; out: T } {
  const proto = LoopScan.prototype as unknown as { instr: (...a: unknown[]) => void };
  const instr = proto.instr;
  const n = { fed: 0, own: 0 };
  proto.instr = function (this: { blockPc: unknown }, ...a: unknown[]) {
    if (this.blockPc === null) n.fed++;
    else n.own++;
    instr.apply(this, a);
  };
  try {
    const out = f();
    return { ...n, out };
  } finally {
    proto.instr = instr;
  }
}

/** The sources given to V8 during `f`. */
function sources(f: () => void): string[] {
  const compile = jsEval.compile;
  const got: string[] = [];
  jsEval.compile = (src) => {
    got.push(src);
    return compile(src);
  };
  try {
    f();
  } finally {
    jsEval.compile = compile;
  }
  return got;
}

function run(wat: string, name: string, arg: number, tier: 'js' | 'interp' = 'js'): { result: unknown; fuel: number; func: WasmFunc } {
  const store = new Store({ fuel: 1e9, tier });
  const inst = store.instantiate(Module.fromWat(wat), []);
  const result = inst.call(name, arg);
  return { result, fuel: store.fuelConsumed, func: inst.raw.exports.get(name) as unknown as WasmFunc };
}

const prescan = generate.prescan;
afterEach(() => {
  (generate as { prescan?: unknown }).prescan = prescan;
});

describe('the JS tier pre-pass in the translation pass', () => {
  test('a function without v128 locals is scanned once, in the translation pass, with the sources of a pass of its own', () => {
    const want = run(WAT, 'loops', 40, 'interp');
    let srcs: string[] = [];
    const s = scans(() => (srcs = sources(() => expect(run(WAT, 'loops', 40)).toMatchObject({ result: want.result, fuel: want.fuel }))));
    expect(s.fed).toBeGreaterThan(20);
    expect(s.own).toBe(0);
    // the same with the tier making its own pass
    (generate as { prescan?: unknown }).prescan = undefined;
    let alone: string[] = [];
    const t = scans(() => (alone = sources(() => expect(run(WAT, 'loops', 40)).toMatchObject({ result: want.result, fuel: want.fuel }))));
    expect(t).toMatchObject({ fed: 0, own: s.fed });
    expect(srcs.length).toBeGreaterThan(0);
    expect(srcs).toEqual(alone);
  });

  test('a function with v128 locals makes its own pass', () => {
    const want = run(WAT, 'vec', 9, 'interp');
    const s = scans(() => run(WAT, 'vec', 9));
    expect(s.out).toMatchObject({ result: want.result, fuel: want.fuel });
    expect(s.fed).toBe(0);
    expect(s.own).toBeGreaterThan(5);
    expect(s.out.func.jitState).toBe(1);
  });

  test('a pre-pass that throws leaves the translation whole; the tier declines the function in its own pass', () => {
    const wat = deep(1100);
    const want = run(wat, 'deep', 7, 'interp');
    const d0 = jitStats.declined.get('nesting too deep for JS') ?? 0;
    const s = scans(() => run(wat, 'deep', 7));
    expect(s.out).toMatchObject({ result: want.result, fuel: want.fuel });
    expect(s.fed).toBeGreaterThan(0);
    expect(s.own).toBeGreaterThan(0);
    expect(jitStats.declined.get('nesting too deep for JS')! - d0).toBe(1);
    expect(s.out.func.jitState).toBe(2);
  });

  test("LoopScan's frames by instruction: try and try_table are blocks, delegate an end, catch arms skipped, calls in loops", () => {
    const wat = `(module
      (tag $e)
      (func $f)
      (func $g)
      (func (param $n i32) (result i32)
        (block
          (try
            (do (loop $l (call $f) (br_if $l (local.get $n))))
            (catch_all (loop $k (call $g) (br_if $k (local.get $n)))))
          (try (do (block (loop $m (br_if $m (local.get $n))))) (delegate 0))
          (if (local.get $n) (then (loop $o (call $f) (br_if $o (local.get $n)))) (else))
          (block (try_table (catch_all 0) (loop $p (call $g) (br_if $p (local.get $n)))))
          (call $g))
        (i32.const 0)))`;
    const scan = new LoopScan(new Map(), true);
    validateFunction(Module.fromWat(wat).validated, 2, scan);
    // frames: block 0, try 1, loop 2, (the catch arm's loop: no id), try 3, block 4, loop 5, if 6, loop 7, block 8, try_table 9, loop 10
    expect(scan.loops.map((l) => l.n)).toEqual([4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(scan.loops.map((l) => l.last)).toEqual([10, 2, 2, 5, 5, 5, 7, 7, 10, 10, 10]);
    expect(scan.inner).toEqual([true, true, false, true, true, false, true, false, true, true, false]);
    expect(scan.thenLoops.get(6)).toMatchObject({ n: 1, last: 7 });
    expect([scan.lastLoop, scan.any, [...scan.loopCalls]]).toEqual([10, true, [0, 1]]);
  });
});

