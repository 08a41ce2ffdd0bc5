/**
 * The translator's `instr` (src/interp/translate.ts) translates the instructions with a SIMPLE op itself and hands
 * every other one to a method of its own, found by the instruction's id (Translator.OPS, T_OPS_BY_ID; MISC for the
 * instructions without one): one switch with every case was compiled by TurboFan 2-3 times per first run and thrown
 * away at cases first reached after a compile (BENCHMARKS.md, session 15, helpers gen10 and gen11). Checked here: the
 * table names instructions that exist and that reach it (none with a SIMPLE op), every CONVERT instruction among them,
 * it has an entry for every instruction, and functions using each of its methods give the expected results, the same
 * results and fuel in both tiers, and the same at every budget (the exact translation after a stop).
 */
import { describe, expect, test } from 'vitest';
import { INSTRS } from '../../src/core/instructions.js';
import { CONVERSIONS, translatorOps } from '../../src/interp/translate.js';
import { SIMPLE } from '../../src/interp/translate-tables.js';
import { SINK_WAT, runWithFuel } from '../shared/sink-wat.js';

/** What SINK_WAT leaves: tail calls, typed function references, br_on_*, a vector constant, exceptions. */
const WAT = `(module
  (type $t (func (param i32) (result i32)))
  (rec
    (type $obj (sub (descriptor $vt) (struct (field i32))))
    (type $vt (describes $obj) (struct)))
  (type $box (sub (struct (field i32))))
  (tag $e (param i32))
  (table $tab 4 funcref)
  (global $vt (ref (exact $vt)) (struct.new $vt))
  (elem (table $tab) (i32.const 0) func $sq $inc)
  (elem declare func $sq $inc)
  (func $sq (type $t) (i32.mul (local.get 0) (local.get 0)))
  (func $inc (type $t) (i32.add (local.get 0) (i32.const 1)))
  (func $tail (param i32) (result i32) (return_call $sq (i32.add (local.get 0) (i32.const 2))))
  (func $tail_ind (param i32) (result i32) (return_call_indirect (type $t) (local.get 0) (i32.const 1)))
  (func $tail_ref (param i32) (result i32) (return_call_ref $t (local.get 0) (ref.func $sq)))
  (func $thrower (param i32) (throw $e (local.get 0)))

  ;; tail calls, references, a vector constant
  (func (export "refs") (param $n i32) (result i32)
    (local $fr (ref null $t)) (local $acc i32)
    (local.set $acc (call $tail (local.get $n)))
    (local.set $acc (i32.add (local.get $acc) (call $tail_ind (local.get $n))))
    (local.set $acc (i32.add (local.get $acc) (call $tail_ref (local.get $n))))
    (local.set $acc (i32.add (local.get $acc) (call_ref $t (local.get $n) (ref.func $inc))))
    (local.set $acc (i32.add (local.get $acc) (ref.is_null (ref.null func))))
    (local.set $acc (i32.add (local.get $acc) (call_ref $t (i32.const 3) (ref.as_non_null (ref.func $sq)))))
    (if (i32.and (local.get $n) (i32.const 1)) (then (local.set $fr (ref.func $sq))))
    (local.set $acc (i32.add (local.get $acc)
      (block $null (result i32)
        (br_on_null $null (i32.const 1000) (local.get $fr))
        (drop) (drop)
        (i32.const 2000))))
    (local.set $acc (i32.add (local.get $acc)
      (block $some (result (ref $t))
        (br_on_non_null $some (local.get $fr))
        (return (i32.add (local.get $acc) (i32.const 30000))))
      (local.set $fr)
      (call_ref $t (i32.const 4) (local.get $fr))))
    (i32.add (local.get $acc) (i32x4.extract_lane 2 (v128.const i32x4 1 2 30 4))))

  ;; br_on_cast(_fail) and the descriptor casts
  (func (export "casts") (param $n i32) (result i32)
    (local $a anyref) (local $acc i32)
    (if (i32.and (local.get $n) (i32.const 1))
      (then (local.set $a (struct.new $box (i32.const 7))))
      (else (local.set $a (struct.new_desc $obj (i32.const 9) (global.get $vt)))))
    (local.set $acc (struct.get $box 0 (block $yes (result (ref $box))
      (br_on_cast $yes anyref (ref $box) (local.get $a))
      (drop) (struct.new $box (i32.const 100)))))
    (drop (block $no (result anyref)
      (local.set $acc (i32.add (local.get $acc)
        (struct.get $box 0 (br_on_cast_fail $no anyref (ref $box) (local.get $a)))))
      (ref.null any)))
    (local.set $acc (i32.add (local.get $acc)
      (block $d (result i32)
        (drop (block $ok (result (ref $obj))
          (drop (br_on_cast_desc_eq $ok anyref (ref $obj) (local.get $a) (global.get $vt)))
          (br $d (i32.const 1000))))
        (i32.const 2000))))
    (drop (block $nd (result anyref)
      (local.set $acc (i32.add (local.get $acc)
        (struct.get $obj 0 (br_on_cast_desc_eq_fail $nd anyref (ref $obj) (local.get $a) (global.get $vt)))))
      (ref.null any)))
    (local.get $acc))

  ;; exceptions: try_table, throw, throw_ref, legacy try / catch / catch_all / delegate / rethrow
  (func (export "exn") (param $n i32) (result i32)
    (local $acc i32)
    (local.set $acc (block $h (result i32)
      (try_table (catch $e $h) (call $thrower (local.get $n)))
      (i32.const -1)))
    (local.set $acc (i32.add (local.get $acc) (block $hr (result i32)
      (try_table (catch $e $hr)
        (block $r (result exnref)
          (try_table (catch_all_ref $r) (throw $e (i32.const 10)))
          (return (i32.const -2)))
        (throw_ref))
      (i32.const -3))))
    (local.set $acc (i32.add (local.get $acc)
      (try (result i32)
        (do
          (try
            (do (throw $e (i32.const 100)))
            (catch $e (drop) (rethrow 0)))
          (i32.const 0))
        (catch $e))))
    (local.set $acc (i32.add (local.get $acc)
      (try (result i32)
        (do (try (result i32) (do (call $thrower (i32.const 1000)) (i32.const 0)) (delegate 0)))
        (catch_all (i32.const 5000)))))
    (local.get $acc))
)`;

/** Each function's results for the arguments 5 and 6 (run: what both tiers gave before the translator's table; refs, casts and exn worked out by hand from the text). */
const EXPECTED: Record<string, [number, number]> = {
  run: [1756164541, 1756164566],
  refs: [2142, 31124],
  casts: [1014, 2109],
  exn: [5115, 5116],
};

function run(tier: 'js' | 'interp', name: string, arg: number, fuel: number): ReturnType<typeof runWithFuel> {
  return runWithFuel(name === 'run' ? SINK_WAT : WAT, name, arg, tier, fuel);
}

describe("the translator's instructions handed to methods of their own", () => {
  test('the table names existing instructions that reach it, every CONVERT instruction, and covers every instruction', () => {
    const { named, complete } = translatorOps();
    expect(complete).toBe(true);
    const byName = new Map(INSTRS.map((d) => [d.name, d]));
    for (const n of named) {
      const d = byName.get(n);
      expect(d, n).toBeDefined();
      // an instruction with a SIMPLE op is translated by instr itself: a method for it would never run
      expect(SIMPLE[d!.id]! >= 0 && d!.params !== null, n).toBe(false);
    }
    for (const n of CONVERSIONS) expect(named).toContain(n);
    for (const n of ['local.get', 'local.set', 'local.tee', 'br', 'br_if', 'block', 'loop', 'end', 'call', 'select', 'global.set', 'memory.grow'])
      expect(named).toContain(n);
  });

  test('the test functions use every method of the table', () => {
    // names are words of the text (`end` is every function's last instruction); one conversion stands for CONVERT
    for (const n of translatorOps().named.filter((n) => n !== 'end' && !CONVERSIONS.has(n)))
      expect(new RegExp(`[( ]${n.replace('.', '\\.')}[ )\n]`).test(SINK_WAT + WAT), n).toBe(true);
    expect([...CONVERSIONS].some((n) => SINK_WAT.includes(`(${n} `))).toBe(true);
  });

  for (const [name, expected] of Object.entries(EXPECTED)) {
    test(`${name}: the expected results, both tiers alike, at every budget`, () => {
      for (const [k, arg] of [5, 6].entries()) {
        const interp = run('interp', name, arg, 1e9);
        expect(interp.out, `${name}(${arg})`).toBe(expected[k]);
        expect(run('js', name, arg, 1e9)).toEqual(interp);
        for (let f = 0; f < interp.consumed; f += 3) expect(run('interp', name, arg, f), `budget ${f}`).toEqual(run('js', name, arg, f));
      }
    });
  }
});
