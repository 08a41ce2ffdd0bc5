/**
 * Locals dead at a block start (src/jit/loop-scan.ts `lastLive`, gen-fuel.ts `deadAtBlock`): a hand-off to the
 * interpreter at a fuel check inside a loop sets the locals written before they are read on every path from
 * there to their initial values instead of carrying the previous iteration's. Checked: which locals the generated
 * source zeroes (temporaries of every type, not the accumulators, not a temporary read again after the loop,
 * not outside loops), and that runs cut by fuel at every few instructions and resumed give the interpreter's
 * results and fuel.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { OutOfFuel } from '../../src/core/errors.js';
import { Linker, Module, Store } from '../../src/index.js';
import { jsEval } from '../../src/jit/codegen.js';
import { jitStats } from '../../src/interp/tier.js';

const realCompile = jsEval.compile;
afterEach(() => {
  jsEval.compile = realCompile;
});

// locals: 0 n (param), 1 i (counter), 2 acc i32, 3 t i32 (temporary), 4 tf f32 (temporary), 5 tl i64 (temporary),
// 6 tv v128 (temporary), 7 facc f32, 8 r i32 (a temporary in the loop, read before written after it),
// 9 lacc i64, 10 vacc v128, 11 once i32 (written and read before the loop only: dead in it too)
const WAT = `(module
  (memory 1)
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $acc i32) (local $t i32) (local $tf f32) (local $tl i64) (local $tv v128)
    (local $facc f32) (local $r i32) (local $lacc i64) (local $vacc v128) (local $once i32)
    (local.set $once (i32.mul (local.get $n) (i32.const 3)))
    (local.set $acc (local.get $once))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $t (i32.mul (local.get $i) (i32.const 2654435761)))
        (local.set $r (i32.xor (local.get $t) (i32.const 0x5bd1e995)))
        (local.set $tf (f32.mul (f32.convert_i32_u (local.get $r)) (f32.const 0.5)))
        (local.set $tl (i64.mul (i64.extend_i32_u (local.get $t)) (i64.const 0x9E3779B185EBCA87)))
        (local.set $tv (f32x4.splat (local.get $tf)))
        (local.set $acc (i32.add (local.get $acc) (i32.rotl (local.get $t) (local.get $r))))
        (local.set $facc (f32.add (local.get $facc) (f32.sqrt (local.get $tf))))
        (local.set $lacc (i64.xor (i64.rotl (local.get $lacc) (i64.const 7)) (local.get $tl)))
        (local.set $vacc (f32x4.add (local.get $vacc) (f32x4.mul (local.get $tv) (f32x4.splat (f32.const 0.25)))))
        (i32.store (i32.and (local.get $t) (i32.const 1020)) (local.get $acc))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    ;; after the loop: $r is read before it is written (live in the loop), $t written first (dead in it)
    (local.set $acc (i32.xor (local.get $acc) (local.get $r)))
    (local.set $t (i32.trunc_sat_f32_u (local.get $facc)))
    (i32.add (i32.add (local.get $acc) (local.get $t))
      (i32.add (i32.wrap_i64 (i64.xor (local.get $lacc) (i64.shr_u (local.get $lacc) (i64.const 32))))
        (i32.add (i32.trunc_sat_f32_u (f32x4.extract_lane 2 (local.get $vacc))) (i32.load (i32.const 8)))))))`;

/** run(n) on a tier, cut by fuel every `cut` units (0: one budget for all) and resumed. */
function run(tier: 'js' | 'interp', n: number, cut: number): { r: unknown[]; fuel: number; stops: number } {
  const store = new Store({ fuel: cut === 0 ? 1e9 : cut, tier });
  const inst = new Linker().instantiate(store, Module.fromWat(WAT));
  let stops = 0;
  let go = (): unknown[] => inst.call('run', n);
  for (;;) {
    try {
      return { r: go(), fuel: store.fuelConsumed, stops };
    } catch (e) {
      if (!(e instanceof OutOfFuel) || cut === 0) throw e;
      stops++;
      store.addFuel(cut);
      go = () => e.resume();
    }
  }
}

describe('JS tier: locals dead at block starts', () => {
  test('a hand-off in the loop zeroes its temporaries of every type and a local used before it only, not its accumulators or a local read after it', () => {
    const srcs: string[] = [];
    jsEval.compile = (s) => (srcs.push(s), realCompile(s));
    run('js', 50, 0);
    const src = srcs.join('\n');
    // the fuel checks that break out to the epilogue inside the loop: their zeroed locals
    const exits = [...src.matchAll(/if \(fuel < \d+\) \{ ([^}]*)ex = \d+; break X; \}/g)].map((m) => m[1]!);
    const zeroed = exits.filter((z) => z !== '');
    expect(zeroed.length).toBeGreaterThan(0);
    for (const z of zeroed) expect(z).toBe('L3 = 0; L4 = 0; L5 = 0; H5 = 0; L6 = 0; L6_1 = 0; L6_2 = 0; L6_3 = 0; L11 = 0; ');
    // outside the loop nothing is zeroed: the function's other checks break out as before
    expect(exits.length).toBeGreaterThan(zeroed.length);
  });

  test('runs cut by fuel every few instructions and resumed equal the interpreter, results and fuel', () => {
    const declined = [...jitStats.declined.values()].reduce((a, b) => a + b, 0);
    for (const n of [0, 1, 7, 300]) {
      const want = run('interp', n, 0);
      for (const cut of [0, 3, 11, 29, 97]) {
        const js = run('js', n, cut);
        expect(js.r, `n=${n} cut=${cut}`).toEqual(want.r);
        expect(js.fuel, `n=${n} cut=${cut}`).toBe(want.fuel);
        if (cut > 0 && n === 300) expect(js.stops).toBeGreaterThan(10);
      }
    }
    // (the JS tier ran it: a generator error would have left it to the interpreter)
    expect([...jitStats.declined.values()].reduce((a, b) => a + b, 0)).toBe(declined);
  });
});
