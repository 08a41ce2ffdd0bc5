/**
 * The JS tier's entries for locals (gen-base.ts localEnt) share, for local x, one name `L<x>` (`H<x>`) and one list
 * `[x]` of the locals the entry reads, for every function generated in the process (an entry per local.get made all
 * three before: BENCHMARKS.md, session 18, helper heap14). Shared, no list may change once made: an expression of
 * several operands (expr) copies a list before it adds to it. Checked here: functions whose expressions combine
 * locals in every order give the interpreter's results and fuel, and every shared list is still `[x]` afterwards.
 */
import { describe, expect, test } from 'vitest';
import { Module, Store } from '../../src/index.js';
import { jitStats } from '../../src/interp/tier.js';
import { sharedLoc, stackName } from '../../src/jit/gen-base.js';
import { F32, F64, I32, I64, REF_BASE, V128 } from '../../src/core/types.js';

const WAT = `(module
  (func (export "mix") (param $a i32) (param $b i32) (param $c i32) (result i32) (local $d i32) (local $e i64)
    (local.set $d (i32.add (i32.mul (local.get $a) (local.get $b)) (i32.sub (local.get $c) (local.get $a))))
    (local.set $e (i64.add (i64.extend_i32_s (local.get $d)) (i64.mul (i64.extend_i32_u (local.get $b)) (i64.const 3))))
    (i32.add
      (i32.add
        (select (local.get $a) (i32.xor (local.get $b) (local.get $c)) (i32.lt_s (local.get $d) (local.get $c)))
        (i32.wrap_i64 (i64.shr_u (local.get $e) (i64.const 1))))
      (i32.add (local.tee $d (i32.add (local.get $d) (local.get $d))) (i32.rotl (local.get $c) (local.get $b)))))
  (func (export "loop") (param $n i32) (result i32) (local $i i32) (local $s i32) (local $t i32)
    (loop $l
      (local.set $t (i32.add (local.get $s) (i32.mul (local.get $i) (local.get $i))))
      (local.set $s (i32.xor (local.get $t) (i32.shl (local.get $s) (i32.and (local.get $i) (i32.const 7)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.add (local.get $s) (local.get $t))))`;

const CALLS: [string, ...number[]][] = [
  ['mix', 3, 5, 7],
  ['mix', -1, 1 << 30, 12345],
  ['mix', 0, 0, 0],
  ['loop', 1000],
  ['loop', 3],
];

function run(tier: 'js' | 'interp'): { results: unknown[]; fuel: bigint | number } {
  const store = new Store({ tier, fuel: 1e9 });
  const inst = store.instantiate(Module.fromWat(WAT), []);
  const results = CALLS.map(([name, ...args]) => inst.call(name, ...args));
  return { results, fuel: store.fuelConsumed };
}

describe('JS tier: local entries share their names and lists', () => {
  test('the interpreter\'s results and fuel, and every shared list unchanged', () => {
    const generated = jitStats.generated;
    const js = run('js');
    expect(jitStats.generated - generated).toBeGreaterThanOrEqual(2);
    expect(js).toEqual(run('interp'));
    for (let x = 0; x < 5; x++) expect(sharedLoc(x)).toEqual([x]);
  });

  test('stack variables\' names made once per type and height: each as varName wrote it', () => {
    // (the functions above push i32, i64 values at heights 0-3 at least; generate them first in this file's process)
    run('js');
    const want: [number, string, string][] = [[I32, 'I', ''], [I64, 'J', ''], [F32, 'F', ''], [F64, 'D', ''], [V128, 'V', '_0'], [REF_BASE, 'R', '']];
    let seen = 0;
    for (const [k, p, sfx] of want) {
      for (let i = 0; i < 64; i++) {
        const n = stackName(k, i);
        if (n === undefined) break;
        expect(n).toBe(`${p}${i}${sfx}`);
        seen++;
      }
    }
    expect(stackName(I32, 0)).toBe('I0');
    expect(seen).toBeGreaterThanOrEqual(2);
  });
});
