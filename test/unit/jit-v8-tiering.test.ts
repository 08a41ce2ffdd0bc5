/**
 * How V8 tiers the JS tier's generated functions up (codegen.ts WARM_HEAD, warmUp; BENCHMARKS.md "The C outliers,
 * session 11"). A child process runs a C workload's `run` many times (each call long enough for V8 to compile its
 * loop while it runs: on-stack replacement) under `--trace-deopt`, and the test counts V8's bailouts.
 * Without the outer loop around the generated body, V8 kept the OSR code that deoptimized after the loop (no type
 * feedback there), and every later call deoptimized there again; with it, the count does not grow with the calls.
 * `--no-concurrent-recompilation` makes V8's compiles happen at fixed points, so the counts are the same in every
 * run (the old code: `dispatch` one bailout per call, `sieve` 11 in 6 calls and 23 in 18; without the flag it
 * landed in the repeating state in most processes, and `nbody`, `matmul` and `alloc` did too). The warm-up call
 * (codegen.ts warmUp) is checked by where the bailouts are, and which functions get the outer loop by the sources
 * the tier generates (exported functions with loops, not one that calls itself).
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { Linker, Module, Store } from '../../src/index.js';
import { jsEval } from '../../src/jit/codegen.js';
import { watToBinary } from '../../src/text/index.js';
import { bundleWithDriver, ROOT } from '../shared/dist.js';

let work = '';
let bundle = '';
let driver = '';

beforeAll(async () => {
  ({ work, bundle, driver } = await bundleWithDriver(
    'wasmeter-v8-tiering-',
    `import { readFileSync } from 'node:fs';
const [bundle, wasm, calls, arg, fuel] = process.argv.slice(2);
const { Linker, Module, Store } = await import(bundle);
const inst = new Linker().instantiate(new Store(fuel === '1' ? { fuel: 1e15 } : { countFuel: false }), Module.fromBinary(new Uint8Array(readFileSync(wasm))));
const results = new Set();
for (let i = 0; i < +calls; i++) results.add(String(inst.call('run', +arg)[0]));
console.log('results ' + [...results].join(','));
`,
  ));
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** V8's bailouts in a process (`atEntry`: those at the generated function's first test) that calls the workload's `run(arg)` `calls` times, and the results it got. */
function bailouts(workload: string, calls: number, arg: number, fuel: boolean): { n: number; atEntry: number; results: string } {
  const r = spawnSync(
    process.execPath,
    ['--trace-deopt', '--no-concurrent-recompilation', driver, bundle, join(ROOT, `bench/c/${workload}.wasm`), String(calls), String(arg), fuel ? '1' : '0'],
    { encoding: 'utf8', maxBuffer: 256 << 20 },
  );
  expect(r.status, r.stderr).toBe(0);
  const results = /^results (.*)$/m.exec(r.stdout)?.[1] ?? '';
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('[bailout'));
  // (the generated function's first test, `osr >= 0`, is at bytecode offset 1)
  const atEntry = lines.filter((l) => /wasm_func_\d+ .*bytecode offset [0-4],/.test(l)).length;
  return { n: lines.length, atEntry, results };
}

describe('V8 tiers generated functions up once, not once per call', () => {
  for (const [workload, arg] of [['dispatch', 15_000], ['sieve', 600_000]] as const) {
    for (const fuel of [false, true]) {
      test(`${workload}, ${fuel ? 'metered' : 'unmetered'}: 18 long calls deoptimize no more often than 6`, () => {
        const few = bailouts(workload, 6, arg, fuel);
        const many = bailouts(workload, 18, arg, fuel);
        expect(few.results).toBe(many.results);
        expect(few.results.split(',')).toHaveLength(1);
        expect(many.n - few.n).toBeLessThanOrEqual(2);
      }, 60_000);
    }
  }

  // warmUp: V8 allocates a function's feedback vector only after its loops have run a while; without the warm-up
  // call, the first call's entry ran without one, and the optimized code compiled later deoptimized at its first
  // test (matmul unmetered: one such bailout in every run)
  for (const fuel of [false, true]) {
    test(`matmul, ${fuel ? 'metered' : 'unmetered'}: the code before the first loop has type feedback`, () => {
      const r = bailouts('matmul', 6, 128, fuel);
      expect(r.results.split(',')).toHaveLength(1);
      expect(r.atEntry).toBe(0);
    }, 60_000);
  }
});

describe('which generated functions get the outer loop', () => {
  const realCompile = jsEval.compile;
  afterEach(() => {
    jsEval.compile = realCompile;
  });
  // `run` (exported, a loop) calls $inner (a loop) and $rec (exported, a loop and a call of itself)
  const WAT = `(module
    (func $inner (param $n i32) (result i32) (local $s i32)
      (loop $l (local.set $s (i32.add (local.get $s) (local.get $n)))
        (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
      (local.get $s))
    (func $rec (export "rec") (param $n i32) (result i32) (local $s i32)
      (if (i32.gt_u (local.get $n) (i32.const 1)) (then
        (loop $l (local.set $s (i32.add (local.get $s) (call $rec (i32.sub (local.get $n) (i32.const 1)))))
          (br_if $l (i32.gt_u (local.tee $n (i32.sub (local.get $n) (i32.const 2))) (i32.const 1))))))
      (i32.add (local.get $s) (local.get $n)))
    (func (export "run") (param $n i32) (result i32) (local $i i32) (local $s i32)
      (loop $l (local.set $s (i32.add (local.get $s) (call $inner (i32.add (local.get $i) (i32.const 1)))))
        (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
      (i32.add (local.get $s) (call $rec (i32.const 12)))))`;

  test('exported functions with loops only, and not one that calls itself; results as in the interpreter', () => {
    const sources = new Map<string, string>();
    jsEval.compile = (src) => {
      sources.set(/function (wasm_func_\d+)\(/.exec(src)![1]!, src);
      return realCompile(src);
    };
    const mod = Module.fromBinary(watToBinary(WAT));
    const js = new Linker().instantiate(new Store({ fuel: 1e12 }), mod);
    const interp = new Linker().instantiate(new Store({ fuel: 1e12, tier: 'interp' }), mod);
    for (let k = 0; k < 40; k++) expect(js.call('run', 300)).toEqual(interp.call('run', 300));
    const wrapped = (name: string) => /\(E, mc, fp, depth, jd, osr, fuel\) \{\n(?:var _\d+ = E\[\d+\].*;\n)?for \(;;\) \{\nif \(osr >= 0\) \{\n/.test(sources.get(name)!);
    expect([...sources.keys()].sort()).toEqual(['wasm_func_0', 'wasm_func_1', 'wasm_func_2']);
    expect(wrapped('wasm_func_0')).toBe(false); // $inner: not exported
    expect(wrapped('wasm_func_1')).toBe(false); // $rec: calls itself
    expect(wrapped('wasm_func_2')).toBe(true); // run
  });
});

