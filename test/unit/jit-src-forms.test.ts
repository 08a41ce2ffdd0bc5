/**
 * Shorter forms of what the JS tier emits (BENCHMARKS.md, "Session 16, helper src11"), each checked on the source it
 * generates and against the interpreter (results, traps, fuel, every budget's stops, starved):
 * - the epilogue writes a run of consecutive i32 locals with one call (rt.ts spillRun), and the re-entry prologue
 *   reads only the locals that are not parameters (the declarations read those on every entry): the starved runs
 *   exit through the epilogue at every stop and come back at the loop head, with the parameter $n changed.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { Linker, Module, Store } from '../../src/index.js';
import { jsEval } from '../../src/jit/codegen.js';
import { WasmFunc } from '../../src/runtime/objects/func.js';
import { jitStats } from '../../src/interp/tier.js';
import { runStarved, type StarvedRun } from '../shared/starved.js';

const realCompile = jsEval.compile;
afterEach(() => {
  jsEval.compile = realCompile;
});

// loads, a call's result, a global and a tee, each set into a local; one past the memory's end traps with the
// local assigned before it; a loop re-enters with them (its head's fuel check), and `$f` is called from it
const WAT = `(module
  (memory 1)
  (global $g (mut i32) (i32.const 5))
  (global $h (mut f64) (f64.const 2.5))
  (data (i32.const 0) "\\01\\02\\03\\04\\05\\06\\07\\08\\09\\0a\\0b\\0c\\0d\\0e\\0f\\10")
  (func $f (param $x i32) (result i32) (i32.add (local.get $x) (global.get $g)))
  (func (export "run") (param $n i32) (param $at i32) (result i32)
    (local $a i32) (local $b f32) (local $c f64) (local $d i32) (local $e i32) (local $s i32) (local $z f64)
    (loop $l
      (local.set $a (i32.load (i32.and (local.get $n) (i32.const 12))))
      (local.set $b (f32.load offset=4 (i32.and (local.get $n) (i32.const 8))))
      (local.set $c (f64.load (i32.and (local.get $n) (i32.const 8))))
      (local.set $d (call $f (local.get $a)))
      (local.set $e (local.tee $s (global.get $g)))
      (local.set $z (global.get $h))
      (local.set $s (i32.add (local.get $s)
        (i32.add (i32.add (local.get $a) (local.get $d)) (i32.add (local.get $e) (i32.trunc_f32_s (f32.mul (local.get $b) (f32.const 0.001)))))))
      (local.set $s (i32.add (local.get $s) (i32.trunc_f64_s (f64.mul (f64.add (local.get $c) (local.get $z)) (f64.const 1e-300)))))
      (global.set $g (i32.and (i32.add (global.get $g) (local.get $s)) (i32.const 1023)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    ;; past the end when $at says so: $a is assigned by the load before (in its statement), then the trap
    (local.set $a (i32.load8_u (local.get $at)))
    (local.set $a (i32.load (i32.add (local.get $at) (i32.const 65535))))
    (i32.add (local.get $s) (local.get $a))))`;

type Tier = 'js' | 'interp';

/** `more`: each stop gets that much more fuel than it needs, so the interpreter reaches the loop head with fuel and re-enters the JS version there. */
function run(tier: Tier, args: [number, number], fuel?: number, more = 0): { run: StarvedRun; srcs: string[] } {
  const srcs: string[] = [];
  jsEval.compile = (src) => {
    srcs.push(src);
    return realCompile(src);
  };
  const store = new Store({ tier, fuel });
  const inst = new Linker().instantiate(store, Module.fromWat(WAT));
  const r = runStarved(store, inst, 'run', args, (n) => n + more);
  jsEval.compile = realCompile;
  if (tier === 'js') expect((inst.getExport('run') as WasmFunc).jitState).toBe(1);
  return { run: r, srcs };
}

describe('JS tier: the epilogue and the re-entry prologue', () => {
  test('the epilogue writes the runs of i32 locals with spillRun, and re-entry reads no parameter', () => {
    const { srcs } = run('js', [20, 0]);
    const src = srcs.find((s) => /V\.getFloat64/.test(s))!;
    expect(src).toMatch(/^spillRun\(S, fp \+ 0, L0, L1, L2\);\n.*\n.*\nspillRun\(S, fp \+ 20, L5, L6, L7\);$/m);
    expect(src).toMatch(/^S\[fp \+ 12\] = f2b\(L3\);$/m);
    const osr = /^if \(osr !== 0\) \{\n([^]*?)^switch \(osr\)/m.exec(src)![1]!;
    expect(osr.split('\n').filter(Boolean)).toEqual(['L2 = S[fp + 8];', 'L3 = b2f(S[fp + 12]);', 'L4 = FD[(fp >> 1) + 8];', 'L5 = S[fp + 20];', 'L6 = S[fp + 24];', 'L7 = S[fp + 28];', 'L8 = FD[(fp >> 1) + 16];']);
  });

  test('results, traps and fuel as the interpreter, uninterrupted, at every budget and starved', () => {
    for (const args of [
      [20, 0],
      [3, 65535],
      [7, 70000],
    ] as [number, number][]) {
      const ref = run('interp', args);
      expect(run('js', args).run).toEqual(ref.run);
      const total = ref.run.consumed;
      const entered = jitStats.osrEntries;
      for (let b = 0; b <= total + 1; b += Math.max(1, Math.floor(total / 97))) {
        const r = run('interp', args, b).run;
        expect([args, b, run('js', args, b).run]).toEqual([args, b, r]);
        expect([args, b, 'more', run('js', args, b, 60).run]).toEqual([args, b, 'more', run('interp', args, b, 60).run]);
      }
      // (the runs with more fuel came back into the JS version at the loop head)
      expect(jitStats.osrEntries).toBeGreaterThan(entered + 10);
      expect(run('js', args, 0).run).toEqual(run('interp', args, 0).run);
    }
  });
});
