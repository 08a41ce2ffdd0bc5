/**
 * A function too large for V8 whose loop holds a `br_table` of DISPATCH_TARGETS targets or more (an interpreter's
 * dispatch loop: QuickJS's bytecode loop, SQLite's VDBE) is generated split at its first call (codegen.ts build),
 * not whole first and split after outlining.hot loop passes; with the results and fuel of the interpreter.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { Linker, Module, Store } from '../../src/index.js';
import { DISPATCH_TARGETS, jsEval } from '../../src/jit/codegen.js';
import { jitStats } from '../../src/interp/tier.js';
import { outlining } from '../../src/jit/outline.js';

const realCompile = jsEval.compile;
const savedOutlining = { ...outlining };
afterEach(() => {
  jsEval.compile = realCompile;
  Object.assign(outlining, savedOutlining);
});

/** `run(n)`: n passes of a loop dispatching on the pass number with a br_table of `targets` entries over 4 handlers. */
function wat(targets: number): string {
  const labels = Array.from({ length: targets }, (_, k) => `$h${k % 4}`).join(' ');
  const handler = (k: number) =>
    Array.from({ length: 4 }, (_, i) => `(local.set $s (i32.xor (i32.mul (local.get $s) (i32.const ${k * 4 + i + 3})) (local.get $i)))`).join('\n');
  return `(module
  (func (export "run") (param $n i32) (result i32) (local $i i32) (local $s i32)
    (loop $l
      (block $next
        (block $h3
          (block $h2
            (block $h1
              (block $h0
                (br_table ${labels} $h3 (i32.rem_u (local.get $i) (i32.const ${targets + 1}))))
              ${handler(0)} (br $next))
            ${handler(1)} (br $next))
          ${handler(2)} (br $next))
        ${handler(3)})
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $s)))`;
}

describe('JS tier: an interpreter loop too large for V8 is split at once', () => {
  for (const [targets, atOnce] of [[DISPATCH_TARGETS, true], [DISPATCH_TARGETS - 1, false]] as const) {
    test(`a br_table of ${targets} targets in a loop: ${atOnce ? 'split at its first call' : 'generated whole first'}`, () => {
      Object.assign(outlining, { at: 0, limit: 300, min: 40, hot: 1e9 });
      const mod = Module.fromWat(wat(targets));
      const ref = new Store({ fuel: 1e9, tier: 'interp' });
      const want = new Linker().instantiate(ref, mod).call('run', 300);
      const srcs: string[] = [];
      jsEval.compile = (src) => {
        srcs.push(src);
        return realCompile(src);
      };
      const store = new Store({ fuel: 1e9 });
      const s0 = jitStats.split;
      expect(new Linker().instantiate(store, mod).call('run', 300)).toEqual(want);
      expect(store.fuelConsumed).toBe(ref.fuelConsumed);
      expect(srcs.length).toBe(1);
      expect(jitStats.split - s0).toBe(atOnce ? 1 : 0);
      // the split version has its parts (outline.ts) and no count of loop passes
      expect(/\bOL\d+ \?\?= function/.test(srcs[0]!)).toBe(atOnce);
      if (atOnce) expect(srcs[0]).not.toContain('resplit(');
    });
  }
});
