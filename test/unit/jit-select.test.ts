/**
 * The JS tier evaluates both operands of a `select` before the choice (codegen.ts, case 'select'), as wasm does:
 * an operation written inside one arm of the JS `?:` runs only when that arm is chosen, and V8 then has no type
 * feedback for it until then; an arm first chosen late in a long call deoptimized V8's optimized code for the whole
 * function ("Insufficient type feedback for binary operation", tiktoken's function 42; BENCHMARKS.md "Session 14,
 * helper tik10"). Checked on the generated source (the arms of the `?:` are names, the arithmetic is a statement
 * before it) and against the interpreter, results and fuel, for both choices of every select type the tier writes
 * as a `?:` (i32, f32, f64).
 */
import { describe, expect, test } from 'vitest';
import { Linker, Module, Store } from '../../src/index.js';
import { captureSources } from '../shared/jit-sources.js';

const WAT = `(module
  (func (export "i32") (param i32 i32 i32) (result i32)
    (select (local.get 0) (i32.sub (local.get 0) (local.get 1)) (local.get 2)))
  (func (export "i32b") (param i32 i32 i32) (result i32)
    (select (i32.mul (local.get 0) (i32.const 12)) (i32.add (local.get 1) (i32.const -24)) (i32.lt_s (local.get 2) (i32.const 0))))
  (func (export "f64") (param f64 f64 i32) (result f64)
    (select (f64.add (local.get 0) (local.get 1)) (f64.mul (local.get 0) (local.get 1)) (local.get 2)))
  (func (export "f32") (param f32 f32 i32) (result f32)
    (select (f32.sub (local.get 0) (local.get 1)) (local.get 1) (local.get 2))))`;

const CALLS: [string, number[]][] = [
  ['i32', [7, 3, 1]], ['i32', [7, 3, 0]], ['i32', [-2147483648, 1, 0]],
  ['i32b', [5, 100, -1]], ['i32b', [5, 100, 4]],
  ['f64', [1.5, 2.25, 1]], ['f64', [1.5, 2.25, 0]],
  ['f32', [1.5, 0.25, 1]], ['f32', [1.5, 0.25, 0]],
];

function run(tier: 'js' | 'interp'): { out: unknown[]; fuel: number[]; src: string } {
  const { srcs, value } = captureSources(() => {
    const store = new Store({ tier, fuel: 1e9 });
    const inst = new Linker().instantiate(store, Module.fromWat(WAT));
    const out: unknown[] = [];
    const fuel: number[] = [];
    for (const [name, args] of CALLS) {
      out.push(inst.call(name, ...args)[0]);
      fuel.push(store.fuelConsumed);
    }
    return { out, fuel };
  });
  return { ...value, src: srcs.join('\n') };
}

describe('JS tier: select', () => {
  test('both operands evaluated before the choice; the `?:` chooses between names', () => {
    const js = run('js');
    const interp = run('interp');
    expect(js.out).toEqual(interp.out);
    expect(js.out).toEqual([7, 4, 2147483647, 60, 76, 3.75, 3.375, 1.25, 0.25]);
    expect(js.fuel).toEqual(interp.fuel);
    // each function's select is one `?:` whose arms are plain names
    const sels = [...js.src.matchAll(/ \? (\S+) : ([^)\s;]+)\)/g)];
    expect(sels.length).toBe(4);
    for (const m of sels) expect([m[1], m[2]]).toEqual([expect.stringMatching(/^[A-Za-z_$][\w$]*$/), expect.stringMatching(/^[A-Za-z_$][\w$]*$/)]);
  });
});
