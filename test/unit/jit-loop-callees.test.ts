/**
 * A loop's direct callees generated with their caller (src/jit/codegen.ts loopCallees, loop-scan.ts loopCalls): when
 * a function is generated, the functions of its instance it calls directly inside a loop get their JS version too,
 * before the caller's first run, so that the caller's loop never finds a callee without one (callSlow). At most
 * LOOP_CALLEES per function, not their own callees in turn, a declined callee left to the interpreter; nothing runs,
 * so results, fuel and stops are the interpreter's.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { Linker, Module, Store, type Instance } from '../../src/index.js';
import { LOOP_CALLEE_BYTES, LOOP_CALLEES } from '../../src/jit/codegen.js';
import { jitStats } from '../../src/interp/tier.js';
import { WasmFunc } from '../../src/runtime/objects/func.js';
import { runStarved } from '../shared/starved.js';

/** Locals past MAX_LOCALS (gen-types.ts): the tier declines the function ('too many locals'), whose code is small. */
const MANY = 20_001;
/** Adds in $big: its code is past LOOP_CALLEE_BYTES. */
const ADDS = 60;
const REASON = 'too many locals';

/**
 * $run: $outside called before its loop, only when n is 0 and k is 1; in the loop $leaf, $deep (declined), $never
 * (in an arm no call takes), $big (too large to be generated ahead); the loop runs only when n > 0. $leaf's own loop
 * calls $inner (one level only).
 */
const MOD = `(module
  (func $leaf (param $x i32) (result i32) (local $i i32)
    (loop $l
      (local.set $x (i32.add (local.get $x) (call $inner (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 3))))
    (local.get $x))
  (func $inner (param i32) (result i32) (i32.mul (local.get 0) (i32.const 7)))
  (func $deep (param $x i32) (result i32) (local ${'i32 '.repeat(MANY)})
    (i32.xor (local.get $x) (i32.const 0x55)))
  (func $never (param i32) (result i32) (unreachable))
  (func $outside (result i32) (i32.const 11))
  (func $big (param $x i32) (result i32) ${'(i32.add (i32.const 3) '.repeat(ADDS)}(local.get $x)${')'.repeat(ADDS)})
  (func (export "run") (param $n i32) (param $k i32) (result i32) (local $s i32) (local $i i32)
    (if (i32.and (i32.eqz (local.get $n)) (i32.eq (local.get $k) (i32.const 1)))
      (then (local.set $s (call $outside))))
    (if (local.get $n) (then
      (loop $l
        (local.set $s (i32.add (local.get $s) (call $leaf (local.get $i))))
        (local.set $s (i32.add (local.get $s) (call $deep (local.get $s))))
        (local.set $s (i32.add (local.get $s) (call $big (local.get $s))))
        (if (i32.eq (local.get $i) (i32.const -1)) (then (local.set $s (call $never (local.get $s)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (local.get $n))))))
    (local.get $s)))`;

const LEAF = 0;
const INNER = 1;
const DEEP_F = 2;
const NEVER = 3;
const OUTSIDE = 4;
const BIG = 5;

function make(tier: 'js' | 'interp', wat: string, fuel?: number): { store: Store; inst: Instance; f: (i: number) => WasmFunc } {
  const store = new Store({ tier, fuel });
  const inst = new Linker().instantiate(store, Module.fromWat(wat));
  return { store, inst, f: (i) => inst.raw.funcs[i] as WasmFunc };
}

afterEach(() => {
  jitStats.declined.delete(REASON);
});

describe('JS tier: a loop\'s direct callees are generated with their caller', () => {
  test('before the caller\'s loop first runs: the callees in a loop, not one called outside, not their own callees, not a large one, a declined one left alone', () => {
    const { inst, f } = make('js', MOD);
    expect(f(BIG).body.body.length).toBeGreaterThan(LOOP_CALLEE_BYTES);
    expect(f(DEEP_F).body.body.length).toBeLessThanOrEqual(LOOP_CALLEE_BYTES);
    for (let i = 0; i <= BIG; i++) expect(f(i).jitS, `func ${i} before any call`).toBeNull();
    const ahead = jitStats.ahead;
    const declined = jitStats.declined.get(REASON) ?? 0;
    // n = 0: the loop does not run, nor is any callee called
    expect(inst.call('run', 0, 0)).toEqual([0]);
    expect(f(LEAF).jitS, '$leaf (called in the loop)').not.toBeNull();
    expect(f(NEVER).jitS, '$never (called in the loop, never run)').not.toBeNull();
    expect(f(OUTSIDE).jitS, '$outside (called before the loop)').toBeNull();
    expect(f(INNER).jitS, "$inner ($leaf's loop's callee: one level only)").toBeNull();
    expect(f(BIG).jitS, '$big (its code past LOOP_CALLEE_BYTES)').toBeNull();
    expect(f(DEEP_F).jitState, '$deep declined').toBe(2);
    expect(f(DEEP_F).jit).toBeNull();
    expect(jitStats.declined.get(REASON)).toBe(declined + 1);
    expect(jitStats.ahead - ahead).toBe(2);
    // now the loop runs: the declined callee in the interpreter, the others as JS; $inner generated at its first call
    const r = inst.call('run', 5, 0);
    const { inst: ref } = make('interp', MOD);
    expect(r).toEqual(ref.call('run', 5, 0));
    expect(f(INNER).jitState).toBe(1);
    expect(f(BIG).jitState).toBe(1);
    expect(f(DEEP_F).jitState).toBe(2);
    expect(jitStats.declined.get(REASON)).toBe(declined + 1);
  });

  test(`at most ${LOOP_CALLEES} callees of a function, in the order of their first call`, () => {
    const n = LOOP_CALLEES + 2;
    const funcs = Array.from({ length: n }, (_, i) => `(func $c${i} (param i32) (result i32) (i32.add (local.get 0) (i32.const ${i + 1})))`).join('\n');
    const calls = Array.from({ length: n }, (_, i) => `(local.set $s (call $c${i} (local.get $s)))`).join('\n');
    const wat = `(module ${funcs}
      (func (export "run") (param $n i32) (result i32) (local $s i32)
        (if (local.get $n) (then (loop $l ${calls} (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))
        (local.get $s)))`;
    const { inst, f } = make('js', wat);
    inst.call('run', 0);
    for (let i = 0; i < n; i++) expect(f(i).jitS !== null, `$c${i}`).toBe(i < LOOP_CALLEES);
    expect(inst.call('run', 3)).toEqual([3 * ((n * (n + 1)) / 2)]);
  });

  test('results, fuel and every stop are the interpreter\'s', () => {
    for (const args of [[0, 1], [4, 0]]) {
      const runs = (['interp', 'js'] as const).map((tier) => {
        const { store, inst } = make(tier, MOD, 0);
        return runStarved(store, inst, 'run', args);
      });
      expect(runs[1]).toEqual(runs[0]);
    }
  });
});
