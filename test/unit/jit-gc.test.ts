/**
 * Wasm GC in the JS tier (src/jit/gen-refs.ts) against the interpreter: the
 * GC bench workloads and their linear-memory twins, uninterrupted and cut at
 * random budgets; a program using every GC instruction the tier generates
 * (struct fields and array elements of every storage type, i31, casts,
 * br_on_*, conversions, call_ref, return_call_ref, the MISC array operations
 * with surcharges) at every budget, traps included, with the interpreter's
 * results, trap texts, fuel and stops; the same for a program of the custom-descriptors
 * instructions and exact casts.
 */
import { describe, expect, test } from 'vitest';
import { ResourceLimitError } from '../../src/core/errors.js';
import { I32, funcType, Linker, Module, Store, WasmFunc, type Instance } from '../../src/index.js';
import { jitStats } from '../../src/interp/tier.js';
import { jsEval } from '../../src/jit/codegen.js';
import { runStarved, type StarvedRun } from '../shared/starved.js';
import { GC_WORKLOADS } from '../../bench/workloads.js';

type Tier = 'js' | 'interp';

const PROGRAM = `(module
  (import "env" "host" (func $host (param i32) (result i32)))
  (type $s (struct (field $a (mut i32)) (field $b (mut i64)) (field $c (mut f32)) (field $d (mut f64))
                   (field $e (mut i8)) (field $f (mut i16)) (field $g (mut v128)) (field $h (mut anyref))))
  (type $ai (array (mut i32)))
  (type $a8 (array (mut i8)))
  (type $a16 (array (mut i16)))
  (type $a64 (array (mut i64)))
  (type $af (array (mut f64)))
  (type $af32 (array (mut f32)))
  (type $av (array (mut v128)))
  (type $ar (array (mut eqref)))
  (type $ft (func (param i32) (result i32)))
  (rec (type $base (sub (struct (field i32)))) (type $der (sub $base (struct (field i32) (field i32)))))
  (data $d "\\01\\82\\03\\04\\05\\06")
  (elem declare func $inc $host)
  (func $inc (type $ft) (i32.add (local.get 0) (i32.const 1)))
  (func $tail (param $f (ref null $ft)) (param i32) (result i32) (return_call_ref $ft (local.get 1) (local.get $f)))
  (func $kind (param $v anyref) (result i32)
    (block $notbase (result anyref)
      (drop (br_on_cast_fail $notbase anyref (ref $base) (local.get $v)))
      (if (ref.test (ref $der) (local.get $v)) (then (return (i32.const 2))))
      (return (i32.const 1)))
    (block $isi31 (param anyref) (result (ref i31))
      (br_on_cast $isi31 anyref (ref i31))
      (drop)
      (return (i32.const 0)))
    (i31.get_u))
  (func (export "run") (param $n i32) (result i32)
    (local $s (ref null $s)) (local $x i32) (local $i i32) (local $ai (ref null $ai)) (local $a8 (ref null $a8))
    (local $a16 (ref null $a16)) (local $a64 (ref $a64)) (local $af (ref $af)) (local $av (ref $av)) (local $ar (ref $ar))
    (local $e externref) (local $b (ref null $base)) (local $f32 (ref $af32))
    (local.set $s (struct.new $s (i32.const 7) (i64.const 0x1_0000_0003) (f32.const 2.5) (f64.const -1.25)
      (i32.const 0x1ff) (i32.const -2) (v128.const i32x4 1 2 3 4) (ref.i31 (i32.const -9))))
    (if (i32.eq (local.get $n) (i32.const 1)) (then (local.set $s (ref.null $s))))
    (local.set $x (struct.get $s $a (local.get $s)))
    (local.set $x (i32.add (local.get $x) (i32.wrap_i64 (i64.shr_u (struct.get $s $b (local.get $s)) (i64.const 32)))))
    (local.set $x (i32.add (local.get $x) (i32.trunc_f32_s (struct.get $s $c (local.get $s)))))
    (local.set $x (i32.add (local.get $x) (i32.trunc_f64_s (struct.get $s $d (local.get $s)))))
    (local.set $x (i32.add (local.get $x) (i32.mul (i32.const 3) (struct.get_s $s $e (local.get $s)))))
    (local.set $x (i32.add (local.get $x) (struct.get_u $s $e (local.get $s))))
    (local.set $x (i32.add (local.get $x) (struct.get_s $s $f (local.get $s))))
    (local.set $x (i32.add (local.get $x) (struct.get_u $s $f (local.get $s))))
    (local.set $x (i32.add (local.get $x) (i32x4.extract_lane 2 (struct.get $s $g (local.get $s)))))
    (local.set $x (i32.add (local.get $x) (i31.get_s (ref.cast (ref i31) (struct.get $s $h (local.get $s))))))
    (struct.set $s $a (local.get $s) (i32.const 100))
    (struct.set $s $b (local.get $s) (i64.const -5))
    (struct.set $s $c (local.get $s) (f32.const 4.75))
    (struct.set $s $d (local.get $s) (f64.const 1e3))
    (struct.set $s $e (local.get $s) (i32.const 0x180))
    (struct.set $s $f (local.get $s) (i32.const 0x18000))
    (struct.set $s $g (local.get $s) (v128.const i32x4 5 6 7 8))
    (struct.set $s $h (local.get $s) (struct.new $der (i32.const 1) (i32.const 2)))
    (local.set $x (i32.add (local.get $x) (i32.add (struct.get $s $a (local.get $s)) (i32.wrap_i64 (struct.get $s $b (local.get $s))))))
    (local.set $x (i32.add (local.get $x) (i32.trunc_f32_s (struct.get $s $c (local.get $s)))))
    (local.set $x (i32.add (local.get $x) (i32.trunc_f64_s (struct.get $s $d (local.get $s)))))
    (local.set $x (i32.add (local.get $x) (i32.add (struct.get_s $s $e (local.get $s)) (struct.get_s $s $f (local.get $s)))))
    (local.set $x (i32.add (local.get $x) (i32x4.extract_lane 3 (struct.get $s $g (local.get $s)))))
    (local.set $x (i32.add (local.get $x) (call $kind (struct.get $s $h (local.get $s)))))
    (local.set $x (i32.add (local.get $x) (call $kind (struct.new $base (i32.const 0)))))
    (local.set $x (i32.add (local.get $x) (call $kind (ref.i31 (i32.const 40)))))
    (local.set $x (i32.add (local.get $x) (call $kind (array.new_fixed $ai 0))))
    (local.set $x (i32.add (local.get $x) (struct.get $s $a (struct.new_default $s))))
    ;; arrays: allocation with surcharges (MISC), elements of every storage type
    (local.set $ai (array.new $ai (i32.const 3) (i32.add (i32.const 4) (local.get $n))))
    (if (i32.eq (local.get $n) (i32.const 6)) (then (local.set $ai (ref.null $ai))))
    (local.set $i (i32.const 0))
    (loop $l
      (array.set $ai (local.get $ai) (local.get $i) (i32.add (array.get $ai (local.get $ai) (local.get $i)) (local.get $i)))
      (local.set $x (i32.add (local.get $x) (array.get $ai (local.get $ai) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (array.len (local.get $ai)))))
    (if (i32.eq (local.get $n) (i32.const 2)) (then (drop (array.get $ai (local.get $ai) (i32.const 100)))))
    (array.fill $ai (local.get $ai) (i32.const 1) (i32.const 9) (i32.const 3))
    (array.copy $ai $ai (local.get $ai) (i32.const 0) (local.get $ai) (i32.const 2) (i32.const 2))
    (local.set $x (i32.add (local.get $x) (array.get $ai (local.get $ai) (i32.const 0))))
    (local.set $a8 (array.new_data $a8 $d (i32.const 0) (i32.const 6)))
    (local.set $x (i32.add (local.get $x) (i32.add (array.get_s $a8 (local.get $a8) (i32.const 1)) (array.get_u $a8 (local.get $a8) (i32.const 1)))))
    (array.set $a8 (local.get $a8) (i32.const 2) (i32.const -1))
    (local.set $x (i32.add (local.get $x) (array.get_u $a8 (local.get $a8) (i32.const 2))))
    (local.set $a16 (array.new_default $a16 (i32.const 40)))
    (array.set $a16 (local.get $a16) (i32.const 39) (i32.const 0x1fffe))
    (local.set $x (i32.add (local.get $x) (i32.add (array.get_s $a16 (local.get $a16) (i32.const 39)) (array.get_u $a16 (local.get $a16) (i32.const 39)))))
    (local.set $a64 (array.new_fixed $a64 2 (i64.const 0x7_0000_0001) (i64.const -1)))
    (array.set $a64 (local.get $a64) (i32.const 0) (i64.add (array.get $a64 (local.get $a64) (i32.const 0)) (array.get $a64 (local.get $a64) (i32.const 1))))
    (local.set $x (i32.add (local.get $x) (i32.wrap_i64 (i64.shr_u (array.get $a64 (local.get $a64) (i32.const 0)) (i64.const 32)))))
    (local.set $af (array.new_fixed $af 2 (f64.const 0.5) (f64.const 8.25)))
    (array.set $af (local.get $af) (i32.const 1) (f64.mul (array.get $af (local.get $af) (i32.const 1)) (f64.const 2)))
    (local.set $x (i32.add (local.get $x) (i32.trunc_f64_s (array.get $af (local.get $af) (i32.const 1)))))
    (local.set $f32 (array.new_fixed $af32 1 (f32.const 3.5)))
    (local.set $x (i32.add (local.get $x) (i32.reinterpret_f32 (array.get $af32 (local.get $f32) (i32.const 0)))))
    (local.set $av (array.new_fixed $av 1 (v128.const i32x4 9 10 11 12)))
    (array.set $av (local.get $av) (i32.const 0) (i32x4.add (array.get $av (local.get $av) (i32.const 0)) (v128.const i32x4 1 1 1 1)))
    (local.set $x (i32.add (local.get $x) (i32x4.extract_lane 1 (array.get $av (local.get $av) (i32.const 0)))))
    (local.set $ar (array.new_fixed $ar 3 (ref.i31 (i32.const 5)) (ref.null eq) (struct.new $base (i32.const 3))))
    (local.set $x (i32.add (local.get $x) (ref.eq (array.get $ar (local.get $ar) (i32.const 0)) (ref.i31 (i32.const 5)))))
    (local.set $x (i32.add (local.get $x) (ref.is_null (array.get $ar (local.get $ar) (i32.const 1)))))
    (block $nn
      (local.set $b (ref.cast (ref null $base) (br_on_null $nn (array.get $ar (local.get $ar) (i32.const 2)))))
      (local.set $x (i32.add (local.get $x) (struct.get $base 0 (local.get $b)))))
    (local.set $x (i32.add (local.get $x)
      (block $some (result (ref eq)) (br_on_non_null $some (array.get $ar (local.get $ar) (i32.const 0))) (i32.const 1000) (return))
      (i31.get_s (ref.cast (ref i31)))))
    (if (i32.eq (local.get $n) (i32.const 3)) (then (drop (ref.cast (ref $der) (array.get $ar (local.get $ar) (i32.const 2))))))
    (if (i32.eq (local.get $n) (i32.const 4)) (then (drop (i31.get_u (ref.cast (ref null i31) (array.get $ar (local.get $ar) (i32.const 1)))))))
    ;; conversions
    (local.set $e (extern.convert_any (ref.i31 (i32.const -3))))
    (local.set $x (i32.add (local.get $x) (i31.get_s (ref.cast (ref i31) (any.convert_extern (local.get $e))))))
    (local.set $x (i32.add (local.get $x) (ref.test (ref null struct) (any.convert_extern (ref.null extern)))))
    ;; function references
    (local.set $x (call_ref $ft (local.get $x) (ref.func $inc)))
    (local.set $x (call_ref $ft (local.get $x) (ref.func $host)))
    (local.set $x (call $tail (ref.func $inc) (local.get $x)))
    (if (i32.eq (local.get $n) (i32.const 5)) (then (local.set $x (call_ref $ft (local.get $x) (ref.null $ft)))))
    (local.get $x)))`;

const mod = Module.fromWat(PROGRAM);

function instance(store: Store, m: Module): Instance {
  const linker = new Linker();
  linker.defineFunc(store, 'env', 'host', funcType([I32], [I32]), (_c, x) => ((x as number) * 3) | 0);
  return linker.instantiate(store, m);
}

/** Runs `name` with `fuel`; every stop records the fuel consumed then and gets `topUp(needed)`; a trap ends it. */
function starved(tier: Tier, m: Module, name: string, args: unknown[], fuel: number, topUp: (needed: number) => number): StarvedRun {
  const store = new Store({ fuel, tier });
  const inst = instance(store, m);
  return runStarved(store, inst, name, args, topUp);
}

/** Every function of `m` the interpreter runs gets a JS version. */
function allJs(m: Module, name: string, args: unknown[]): void {
  jitStats.declined.clear();
  const store = new Store({ tier: 'js', fuel: 1e9 });
  const inst = instance(store, m);
  inst.call(name, ...args);
  expect([...jitStats.declined]).toEqual([]);
  const f = inst.getExport(name);
  expect(f instanceof WasmFunc && f.jitState === 1).toBe(true);
}

describe('JS tier: Wasm GC', () => {
  test('the program of every GC instruction runs as JS, with the interpreter result', () => {
    allJs(mod, 'run', [0]);
    const it = starved('interp', mod, 'run', [0], 1e9, (n) => n);
    expect(it.trap).toBeUndefined();
    expect(starved('js', mod, 'run', [0], 1e9, (n) => n)).toEqual(it);
  });

  test('traps with the spec texts, refunds as the interpreter', () => {
    const texts = ['', 'null structure reference', 'out of bounds array access', 'cast failure', 'null i31 reference', 'null function reference', 'null array reference'];
    for (let n = 1; n <= 6; n++) {
      const it = starved('interp', mod, 'run', [n], 1e9, (k) => k);
      expect(it.trap, `n=${n}`).toBe(texts[n]);
      expect(starved('js', mod, 'run', [n], 1e9, (k) => k), `n=${n}`).toEqual(it);
    }
  });

  test('every budget stops where the interpreter stops and resumes to the same result (traps included)', () => {
    // (every budget of the run without a trap, every ninth of a run that traps at its end)
    for (const [n, step] of [[0, 1], [5, 9]] as const) {
      const full = starved('interp', mod, 'run', [n], 1e9, (k) => k);
      for (let fuel = 0; fuel <= full.consumed + 1; fuel += step) {
        const js = starved('js', mod, 'run', [n], fuel, () => 1e9);
        expect(js, `n=${n} fuel=${fuel}`).toEqual(starved('interp', mod, 'run', [n], fuel, () => 1e9));
        expect(js.consumed).toBe(full.consumed);
      }
    }
  });

  test('starved (every stop refilled by exactly what it needs)', () => {
    for (const n of [0, 3]) expect(starved('js', mod, 'run', [n], 0, (k) => k)).toEqual(starved('interp', mod, 'run', [n], 0, (k) => k));
  });

  for (const w of GC_WORKLOADS) {
    test(`${w.id} and its linear-memory twin: the recorded result, both tiers equal, cut at random budgets`, () => {
      for (const bytes of [w.gc(), w.linear()]) {
        const m = Module.fromBinary(bytes);
        allJs(m, 'run', w.testArgs);
        const ref = starved('interp', m, 'run', w.testArgs, 1e12, (k) => k);
        expect(ref.result).toBe(w.expected);
        expect(starved('js', m, 'run', w.testArgs, 1e12, (k) => k)).toEqual(ref);
        for (const seed of [1, 2]) {
          let a = seed * 7919;
          const topUp = (k: number): number => {
            a = (a * 1103515245 + 12345) >>> 0;
            return k + (a % Math.max(1, Math.floor(ref.consumed / 10)));
          };
          const first = Math.floor(ref.consumed / (3 + seed));
          let b = seed * 7919;
          const topUp2 = (k: number): number => {
            b = (b * 1103515245 + 12345) >>> 0;
            return k + (b % Math.max(1, Math.floor(ref.consumed / 10)));
          };
          const x = starved('js', m, 'run', w.testArgs, first, topUp);
          expect(x).toEqual(starved('interp', m, 'run', w.testArgs, first, topUp2));
          expect(x.result).toBe(w.expected);
          expect(x.stops.length).toBeGreaterThan(0);
        }
      }
    });
  }
});

/**
 * Casts to struct and array types that have subtypes (gen-refs.ts test: the object's own type, or the cast's
 * type at its depth in the object's type's supertype chain): a three-deep struct hierarchy with siblings, an
 * array hierarchy, and host values in anyref (objects with a `type` of their own, numbers, strings).
 * `run(k, v)` tests value `k` of the module (or host value `v` when k is -1) against every type: one bit each.
 */
const HIERARCHY = `(module
  (rec
    (type $a (sub (struct (field i32))))
    (type $b (sub $a (struct (field i32) (field i32))))
    (type $c (sub $b (struct (field i32) (field i32) (field i32))))
    (type $b2 (sub $a (struct (field i32) (field f32))))
    (type $c2 (sub final $b2 (struct (field i32) (field f32) (field i64))))
    (type $x (sub (array (mut i32))))
    (type $y (sub $x (array (mut i32)))))
  (func $value (param $k i32) (param $v externref) (result anyref)
    (block $d (block $c2 (block $c (block $b2 (block $b (block $a (block $x (block $y (block $i31 (block $null
      (br_table $a $b $c $b2 $c2 $x $y $i31 $null $d (local.get $k)))
      (return (ref.null any)))
      (return (ref.i31 (i32.const 7))))
      (return (array.new_default $y (i32.const 1))))
      (return (array.new_default $x (i32.const 1))))
      (return (struct.new_default $a)))
      (return (struct.new_default $b)))
      (return (struct.new_default $b2)))
      (return (struct.new_default $c)))
      (return (struct.new_default $c2)))
    (any.convert_extern (local.get $v)))
  (func (export "run") (param $k i32) (param $e externref) (result i32) (local $v anyref)
    (local.set $v (call $value (local.get $k) (local.get $e)))
    (i32.or (i32.or (i32.or (ref.test (ref $a) (local.get $v)) (i32.shl (ref.test (ref $b) (local.get $v)) (i32.const 1)))
                    (i32.or (i32.shl (ref.test (ref $c) (local.get $v)) (i32.const 2)) (i32.shl (ref.test (ref $b2) (local.get $v)) (i32.const 3))))
            (i32.or (i32.or (i32.shl (ref.test (ref $x) (local.get $v)) (i32.const 4)) (i32.shl (ref.test (ref null $y) (local.get $v)) (i32.const 5)))
                    (i32.or (i32.shl (ref.test (ref null $b) (local.get $v)) (i32.const 6)) (call $br (local.get $v))))))
  (func $br (param $v anyref) (result i32)
    (block $no (result anyref)
      (drop (br_on_cast_fail $no anyref (ref $b) (local.get $v)))
      (return (i32.const 128)))
    (drop)
    (i32.const 0)))`;

/**
 * array.new and array.new_default of every element kind (gen-refs.ts arrayNew: inline up to 65536 elements
 * within the store's limit, else the interpreter's handler): `run(n)` allocates arrays of n elements with
 * initial values whose bits matter (an i8/i16 value wider than the element, a NaN payload, a reference) and
 * sums elements 0 and n-1 of each.
 */
const ARRAY_NEW = `(module
  (type $a8 (array (mut i8))) (type $a16 (array (mut i16))) (type $a32 (array (mut i32))) (type $af (array (mut f32)))
  (type $a64 (array (mut i64))) (type $ad (array (mut f64))) (type $av (array (mut v128))) (type $ar (array (mut anyref)))
  (func (export "run") (param $n i32) (result i32) (local $x i32) (local $l i32)
    (local.set $l (i32.sub (local.get $n) (i32.const 1)))
    (local.set $x (i32.add (array.get_s $a8 (array.new $a8 (i32.const 0x1fe) (local.get $n)) (local.get $l))
                           (array.get_u $a16 (array.new $a16 (i32.const -3) (local.get $n)) (i32.const 0))))
    (local.set $x (i32.add (local.get $x) (array.get $a32 (array.new $a32 (i32.const 123456) (local.get $n)) (local.get $l))))
    (local.set $x (i32.add (local.get $x) (i32.reinterpret_f32 (array.get $af (array.new $af (f32.const nan:0x200001) (local.get $n)) (local.get $l)))))
    (local.set $x (i32.add (local.get $x) (i32.wrap_i64 (i64.shr_u (array.get $a64 (array.new $a64 (i64.const 0x7_0000_0005) (local.get $n)) (local.get $l)) (i64.const 32)))))
    (local.set $x (i32.add (local.get $x) (i32.trunc_f64_s (array.get $ad (array.new $ad (f64.const 2.5) (local.get $n)) (i32.const 0)))))
    (local.set $x (i32.add (local.get $x) (i32x4.extract_lane 3 (array.get $av (array.new $av (v128.const i32x4 1 2 3 4) (local.get $n)) (local.get $l)))))
    (local.set $x (i32.add (local.get $x) (i31.get_s (ref.cast (ref i31) (array.get $ar (array.new $ar (ref.i31 (i32.const -7)) (local.get $n)) (local.get $l))))))
    (local.set $x (i32.add (local.get $x) (array.len (array.new_default $a8 (local.get $n)))))
    (local.set $x (i32.add (local.get $x) (array.get $a32 (array.new_default $a32 (local.get $n)) (local.get $l))))
    (local.set $x (i32.add (local.get $x) (i32.wrap_i64 (array.get $a64 (array.new_default $a64 (local.get $n)) (local.get $l)))))
    (local.set $x (i32.add (local.get $x) (i32x4.extract_lane 0 (array.get $av (array.new_default $av (local.get $n)) (local.get $l)))))
    (local.set $x (i32.add (local.get $x) (ref.is_null (array.get $ar (array.new_default $ar (local.get $n)) (local.get $l)))))
    (local.get $x)))`;

/**
 * array.fill and array.copy (gen-refs.ts arrayFill/arrayCopy: inline when both arrays are there, the ranges
 * within them and the surcharge payable, else the interpreter's handler): `run(n, t)` fills and copies
 * (overlapping both ways, between arrays) arrays of n elements of several kinds and returns a checksum;
 * `t` 1-4 makes one of them trap (null, out of bounds), 5-6 copy or fill nothing at the very end.
 */
const ARRAY_BULK = `(module
  (type $a8 (array (mut i8))) (type $a32 (array (mut i32))) (type $af (array (mut f32)))
  (type $a64 (array (mut i64))) (type $ar (array (mut anyref)))
  (func $sum8 (param $a (ref $a8)) (result i32) (local $i i32) (local $x i32)
    (loop $l (if (i32.lt_u (local.get $i) (array.len (local.get $a))) (then
      (local.set $x (i32.add (i32.mul (local.get $x) (i32.const 31)) (array.get_u $a8 (local.get $a) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l))))
    (local.get $x))
  (func $sum32 (param $a (ref $a32)) (result i32) (local $i i32) (local $x i32)
    (loop $l (if (i32.lt_u (local.get $i) (array.len (local.get $a))) (then
      (local.set $x (i32.add (i32.mul (local.get $x) (i32.const 31)) (array.get $a32 (local.get $a) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l))))
    (local.get $x))
  (func (export "run") (param $n i32) (param $t i32) (result i32)
    (local $b (ref null $a8)) (local $c (ref null $a32)) (local $d (ref $a32)) (local $f (ref $af)) (local $w (ref $a64))
    (local $r (ref $ar)) (local $h i32) (local $x i32)
    (local.set $h (i32.shr_u (local.get $n) (i32.const 1)))
    (local.set $b (array.new_default $a8 (local.get $n)))
    (array.fill $a8 (local.get $b) (i32.const 1) (i32.const 0x1ff) (local.get $h))
    (array.copy $a8 $a8 (local.get $b) (i32.const 0) (local.get $b) (i32.const 1) (i32.sub (local.get $n) (i32.const 1)))
    (local.set $c (array.new_default $a32 (local.get $n)))
    (array.fill $a32 (local.get $c) (i32.const 0) (local.get $n) (local.get $n))
    (array.fill $a32 (local.get $c) (local.get $h) (i32.const -5) (i32.sub (local.get $n) (local.get $h)))
    (array.copy $a32 $a32 (local.get $c) (i32.const 1) (local.get $c) (i32.const 0) (i32.sub (local.get $n) (i32.const 1)))
    (local.set $d (array.new $a32 (i32.const 9) (local.get $n)))
    (array.copy $a32 $a32 (local.get $d) (local.get $h) (local.get $c) (i32.const 0) (i32.sub (local.get $n) (local.get $h)))
    (local.set $f (array.new_default $af (local.get $n)))
    (array.fill $af (local.get $f) (i32.const 0) (f32.const nan:0x123) (local.get $n))
    (local.set $w (array.new_default $a64 (local.get $n)))
    (array.fill $a64 (local.get $w) (i32.const 0) (i64.const 0x5_0000_0003) (local.get $h))
    (local.set $r (array.new_default $ar (local.get $n)))
    (array.fill $ar (local.get $r) (i32.const 0) (ref.i31 (i32.const 4)) (local.get $h))
    (array.copy $ar $ar (local.get $r) (local.get $h) (local.get $r) (i32.const 0) (i32.sub (local.get $n) (local.get $h)))
    (array.copy $ar $ar (local.get $r) (i32.const 0) (local.get $r) (i32.const 1) (i32.sub (local.get $n) (i32.const 1)))
    (if (i32.eq (local.get $t) (i32.const 1)) (then (array.fill $a8 (ref.null $a8) (i32.const 0) (i32.const 1) (i32.const 1))))
    (if (i32.eq (local.get $t) (i32.const 2)) (then (array.fill $a32 (local.get $c) (local.get $h) (i32.const 1) (local.get $n))))
    (if (i32.eq (local.get $t) (i32.const 3)) (then (array.copy $a32 $a32 (ref.null $a32) (i32.const 0) (local.get $d) (i32.const 0) (i32.const 0))))
    (if (i32.eq (local.get $t) (i32.const 4)) (then (array.copy $a32 $a32 (local.get $d) (i32.const 1) (local.get $c) (i32.const 0) (local.get $n))))
    (if (i32.eq (local.get $t) (i32.const 5)) (then (array.copy $a32 $a32 (local.get $d) (local.get $n) (local.get $c) (local.get $n) (i32.const 0))))
    (if (i32.eq (local.get $t) (i32.const 6)) (then (array.fill $a8 (local.get $b) (local.get $n) (i32.const 1) (i32.const 0))))
    (local.set $x (i32.add (call $sum8 (ref.as_non_null (local.get $b))) (call $sum32 (ref.as_non_null (local.get $c)))))
    (local.set $x (i32.add (i32.mul (local.get $x) (i32.const 7)) (call $sum32 (local.get $d))))
    (local.set $x (i32.add (local.get $x) (i32.reinterpret_f32 (array.get $af (local.get $f) (i32.sub (local.get $n) (i32.const 1))))))
    (local.set $x (i32.add (local.get $x) (i32.wrap_i64 (i64.shr_u (array.get $a64 (local.get $w) (i32.const 0)) (i64.const 32)))))
    (local.set $x (i32.add (local.get $x) (i31.get_s (ref.cast (ref i31) (array.get $ar (local.get $r) (i32.const 0))))))
    (i32.add (local.get $x) (ref.is_null (array.get $ar (local.get $r) (i32.sub (local.get $n) (i32.const 1)))))))`;

/** Custom descriptors: every new instruction and the exact casts; `n` 1-4 selects a trap. */
const DESC_PROGRAM = `(module
  (rec
    (type $obj (sub (descriptor $vt) (struct (field $v (mut i32)) (field $w i64))))
    (type $vt (sub (describes $obj) (descriptor $meta) (struct (field $tag i32))))
    (type $meta (sub (describes $vt) (struct)))
    (type $sub (sub $obj (descriptor $subvt) (struct (field $v (mut i32)) (field $w i64) (field f32))))
    (type $subvt (sub $vt (describes $sub) (descriptor $submeta) (struct (field $tag i32))))
    (type $submeta (sub $meta (describes $subvt) (struct))))
  (global $meta (ref (exact $meta)) (struct.new $meta))
  (global $smeta (ref (exact $submeta)) (struct.new $submeta))
  (global $vt1 (ref (exact $vt)) (struct.new_desc $vt (i32.const 10) (global.get $meta)))
  (global $vt2 (ref (exact $vt)) (struct.new_desc $vt (i32.const 20) (global.get $meta)))
  (global $svt (ref (exact $subvt)) (struct.new_desc $subvt (i32.const 30) (global.get $smeta)))
  (func $tag (param $o (ref null $obj)) (result i32) (struct.get $vt $tag (ref.get_desc $obj (local.get $o))))
  (func $which (param $o anyref) (param $d (ref null (exact $vt))) (result i32)
    (block $hit (result (ref $obj))
      (br_on_cast_desc_eq $hit anyref (ref $obj) (local.get $o) (local.get $d))
      (drop)
      (return (i32.const 0)))
    (drop)
    (i32.const 1))
  (func $miss (param $o anyref) (param $d (ref null (exact $vt))) (result i32)
    (block $fail (result anyref)
      (br_on_cast_desc_eq_fail $fail anyref (ref null (exact $obj)) (local.get $o) (local.get $d))
      (drop)
      (return (i32.const 0)))
    (drop)
    (i32.const 1))
  (func (export "run") (param $n i32) (result i32)
    (local $a (ref null $obj)) (local $b (ref null $obj)) (local $s (ref null $obj)) (local $x i32) (local $i i32)
    (local $d (ref null (exact $vt)))
    (local.set $d (global.get $vt1))
    (if (i32.eq (local.get $n) (i32.const 1)) (then (local.set $d (ref.null none))))
    (local.set $a (struct.new_desc $obj (i32.const 1) (i64.const 2) (local.get $d)))
    (local.set $b (struct.new_default_desc $obj (global.get $vt2)))
    (local.set $s (struct.new_desc $sub (i32.const 3) (i64.const 4) (f32.const 5) (global.get $svt)))
    (loop $l
      (local.set $x (i32.add (local.get $x) (call $tag (local.get $a))))
      (local.set $x (i32.add (local.get $x) (call $which (local.get $b) (global.get $vt2))))
      (local.set $x (i32.add (local.get $x) (call $which (local.get $b) (global.get $vt1))))
      (local.set $x (i32.add (local.get $x) (call $miss (local.get $s) (global.get $vt1))))
      (local.set $x (i32.add (local.get $x) (call $miss (ref.null none) (global.get $vt1))))
      (local.set $x (i32.add (local.get $x) (ref.test (ref (exact $obj)) (local.get $s))))
      (local.set $x (i32.add (local.get $x) (ref.test (ref $obj) (local.get $s))))
      (local.set $x (i32.add (local.get $x) (ref.test (ref null (exact $sub)) (local.get $s))))
      (local.set $x (i32.add (local.get $x) (struct.get $obj $v
        (ref.cast_desc_eq (ref null (exact $obj)) (local.get $a) (global.get $vt1)))))
      (local.set $x (i32.add (local.get $x) (ref.is_null (ref.get_desc $vt (ref.get_desc $obj (local.get $b))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 3))))
    (if (i32.eq (local.get $n) (i32.const 2))
      (then (drop (ref.cast_desc_eq (ref $obj) (local.get $b) (global.get $vt1)))))
    (if (i32.eq (local.get $n) (i32.const 3)) (then (drop (call $tag (ref.null none)))))
    (if (i32.eq (local.get $n) (i32.const 4)) (then (drop (ref.cast (ref (exact $obj)) (local.get $s)))))
    (local.get $x)))`;

describe('JS tier: casts to types with subtypes', () => {
  test('by depth in the supertype chain, as the interpreter; host values in anyref are none of them', () => {
    const m = Module.fromWat(HIERARCHY);
    allJs(m, 'run', [0, null]);
    // bits: a, b, c, b2, x, y or null, b or null, br_on_cast to b
    const want = [0b1, 0b11000011, 0b11000111, 0b1001, 0b1001, 0b10000, 0b110000, 0, 0b1100000];
    const hosts: unknown[] = [{ type: null }, { type: { chain: Int32Array.of(0, 1, 2) } }, { type: 'x' }, 1.5, 'text', {}, [1, 2]];
    for (const tier of ['js', 'interp'] as const) {
      const inst = instance(new Store({ tier, fuel: 1e9 }), m);
      // (twice: the second time the JS tier's code has seen every kind of value)
      for (let round = 0; round < 2; round++) {
        want.forEach((w, k) => expect(inst.call('run', k, null)[0], `${tier} k=${k}`).toBe(w));
        for (const h of hosts) expect(inst.call('run', -1, h)[0], `${tier} ${JSON.stringify(h)}`).toBe(0);
      }
    }
  });
});

describe('JS tier: array.new and array.new_default', () => {
  const m = Module.fromWat(ARRAY_NEW);
  // -2 + 0xfffd + 123456 + 0x7fa00001 + 7 + 2 + 4 - 7, the array.len n, the zeros and the null (1)
  const want = (n: number): number => (-2 + 0xfffd + 123456 + 0x7fa00001 + 7 + 2 + 4 - 7 + n + 1) | 0;

  test('every element kind, inline and through the handler (more than 65536 elements), as the interpreter', () => {
    allJs(m, 'run', [3]);
    for (const n of [1, 100, 65536, 65537]) {
      const it = starved('interp', m, 'run', [n], 1e9, (k) => k);
      expect(it.result, `n=${n}`).toBe(want(n));
      expect(starved('js', m, 'run', [n], 1e9, (k) => k), `n=${n}`).toEqual(it);
    }
  });

  test('every budget stops where the interpreter stops (surcharges included), and starved', () => {
    const full = starved('interp', m, 'run', [40], 1e9, (k) => k);
    for (let fuel = 0; fuel <= full.consumed + 1; fuel++) {
      const js = starved('js', m, 'run', [40], fuel, () => 1e9);
      expect(js, `fuel=${fuel}`).toEqual(starved('interp', m, 'run', [40], fuel, () => 1e9));
      expect(js.result).toBe(want(40));
    }
    expect(starved('js', m, 'run', [300], 0, (k) => k)).toEqual(starved('interp', m, 'run', [300], 0, (k) => k));
  });

  test("over the store's maxArrayBytes: ResourceLimitError in both tiers, fuel as the interpreter", () => {
    for (const tier of ['js', 'interp'] as const) {
      const store = new Store({ tier, fuel: 1e9, limits: { maxArrayBytes: 1000 } });
      const inst = instance(store, m);
      // 300 elements: within the limit for i8 and i16; 1200 bytes of i32 elements are over it
      expect(() => inst.call('run', 300), tier).toThrow(ResourceLimitError);
    }
    const used = (tier: Tier): number => {
      const store = new Store({ tier, fuel: 1e9, limits: { maxArrayBytes: 1000 } });
      expect(() => instance(store, m).call('run', 300)).toThrow(ResourceLimitError);
      return store.fuelConsumed;
    };
    expect(used('js')).toBe(used('interp'));
  });
});

describe('JS tier: array.fill and array.copy', () => {
  const m = Module.fromWat(ARRAY_BULK);

  test('as the interpreter: results, traps with the spec texts, every budget, starved', () => {
    allJs(m, 'run', [4, 0]);
    for (const n of [2, 7, 100, 5000]) {
      for (let t = 0; t <= 6; t++) {
        const it = starved('interp', m, 'run', [n, t], 1e9, (k) => k);
        expect(it.trap, `n=${n} t=${t}`).toBe(([undefined, 'null array reference', 'out of bounds array access'] as const)[t === 0 || t > 4 ? 0 : 2 - (t % 2)]);
        expect(starved('js', m, 'run', [n, t], 1e9, (k) => k), `n=${n} t=${t}`).toEqual(it);
      }
    }
    const full = starved('interp', m, 'run', [40, 0], 1e9, (k) => k);
    for (let fuel = 0; fuel <= full.consumed + 1; fuel += 3) {
      expect(starved('js', m, 'run', [40, 0], fuel, () => 1e9), `fuel=${fuel}`).toEqual(starved('interp', m, 'run', [40, 0], fuel, () => 1e9));
    }
    expect(starved('js', m, 'run', [400, 0], 0, (k) => k)).toEqual(starved('interp', m, 'run', [400, 0], 0, (k) => k));
  });
});

describe('JS tier: custom descriptors', () => {
  const dm = Module.fromWat(DESC_PROGRAM);

  test('every descriptor instruction and exact cast runs as JS, with the interpreter result', () => {
    allJs(dm, 'run', [0]);
    const it = starved('interp', dm, 'run', [0], 1e9, (n) => n);
    expect(it.result).toBe(3 * (10 + 1 + 0 + 1 + 0 + 0 + 1 + 1 + 1));
    expect(starved('js', dm, 'run', [0], 1e9, (n) => n)).toEqual(it);
  });

  test('traps with the proposal texts, refunds as the interpreter', () => {
    const texts = ['', 'null descriptor reference', 'descriptor cast failure', 'null reference', 'cast failure'];
    for (let n = 1; n <= 4; n++) {
      const it = starved('interp', dm, 'run', [n], 1e9, (k) => k);
      expect(it.trap, `n=${n}`).toBe(texts[n]);
      expect(starved('js', dm, 'run', [n], 1e9, (k) => k), `n=${n}`).toEqual(it);
    }
  });

  test('every budget stops where the interpreter stops and resumes to the same result; starved', () => {
    for (const n of [0, 2]) {
      const full = starved('interp', dm, 'run', [n], 1e9, (k) => k);
      for (let fuel = 0; fuel <= full.consumed + 1; fuel++) {
        const js = starved('js', dm, 'run', [n], fuel, () => 1e9);
        expect(js, `n=${n} fuel=${fuel}`).toEqual(starved('interp', dm, 'run', [n], fuel, () => 1e9));
        expect(js.consumed).toBe(full.consumed);
      }
      expect(starved('js', dm, 'run', [n], 0, (k) => k)).toEqual(starved('interp', dm, 'run', [n], 0, (k) => k));
    }
  });
});

/**
 * Array bounds: an index into an array of one word per element is tested against its `data`'s length (the test
 * V8 makes anyway before it reads or writes `data`), of more words against `len` (gen-refs.ts element). Every
 * element kind, from every instruction that makes arrays, read and written at indices within, at and past the
 * length, and at -1, in both tiers.
 */
describe('JS tier: array bounds', () => {
  const kinds = [
    { t: 'i8', get: 'array.get_u $T', v: '(i32.const 300)', mk: ['new_data'] },
    { t: 'i16', get: 'array.get_s $T', v: '(i32.const -5)', mk: ['new_data'] },
    { t: 'i32', get: 'array.get $T', v: '(i32.const 9)', mk: ['new_data'] },
    { t: 'f32', get: 'i32.reinterpret_f32 (array.get $T', v: '(f32.const 1.5)', mk: [] },
    { t: 'i64', get: 'i32.wrap_i64 (array.get $T', v: '(i64.const 0x1_0000_0007)', mk: ['new_data'] },
    { t: 'f64', get: 'i32.wrap_i64 (i64.reinterpret_f64 (array.get $T', v: '(f64.const -2.25)', mk: [] },
    { t: 'v128', get: 'i32x4.extract_lane 1 (array.get $T', v: '(v128.const i32x4 1 2 3 4)', mk: [] },
    { t: 'eqref', get: 'ref.is_null (array.get $T', v: '(ref.i31 (i32.const 4))', mk: ['new_elem'] },
  ];
  const close = (get: string): string => ')'.repeat((get.match(/\(/g) ?? []).length);
  let wat = '(module (data $d "\\01\\02\\03\\04\\05\\06\\07\\08\\09\\0a\\0b\\0c\\0d\\0e\\0f\\10\\11\\12\\13\\14\\15\\16\\17\\18\\19")\n';
  wat += '(elem $e eqref (item (ref.i31 (i32.const 1))) (item (ref.null eq)) (item (ref.i31 (i32.const 3))))\n';
  const names: string[] = [];
  for (const k of kinds) {
    const T = `$a_${k.t}`;
    wat += `(type ${T} (array (mut ${k.t})))\n`;
    const makers: Record<string, string> = {
      new: `(array.new ${T} ${k.v} (i32.const 3))`,
      new_default: `(array.new_default ${T} (i32.const 3))`,
      new_fixed: `(array.new_fixed ${T} 3 ${k.v} ${k.v} ${k.v})`,
      new_data: `(array.new_data ${T} $d (i32.const 1) (i32.const 3))`,
      new_elem: `(array.new_elem ${T} $e (i32.const 0) (i32.const 3))`,
    };
    for (const how of ['new', 'new_default', 'new_fixed', ...k.mk]) {
      const get = k.get.replace('$T', T);
      const name = `${k.t}_${how}`;
      names.push(name);
      wat += `(func (export "get_${name}") (param $i i32) (result i32) (${get} ${makers[how]} (local.get $i))${close(get)})\n`;
      wat += `(func (export "set_${name}") (param $i i32) (result i32) (local $a (ref ${T})) (local.set $a ${makers[how]})
        (array.set ${T} (local.get $a) (local.get $i) ${k.v}) (i32.add (array.len (local.get $a)) (${get} (local.get $a) (local.get $i))${close(get)}))\n`;
    }
  }
  // array.len of an array whose type is not known to the validator: its len
  wat += `(func (export "len_abstract") (param $i i32) (result i32) (local $x arrayref)
    (local.set $x (array.new_default $a_i32 (local.get $i))) (array.len (local.get $x)))\n)`;
  const m = Module.fromWat(wat);
  const outcomes = (tier: Tier, mod = m): string[] => {
    const store = new Store({ tier, fuel: 1e9 });
    const inst = instance(store, mod);
    const out: string[] = [];
    for (const name of names) {
      for (const op of ['get', 'set']) {
        for (const i of [0, 2, 3, 4, -1, 0x7fffffff]) {
          try {
            out.push(`${op}_${name}(${i}) = ${String(inst.call(`${op}_${name}`, i)[0])}`);
          } catch (e) {
            out.push(`${op}_${name}(${i}): ${(e as Error).message}`);
          }
        }
        if (tier === 'js') {
          const f = inst.getExport(`${op}_${name}`);
          expect(f instanceof WasmFunc && f.jitState === 1, `${op}_${name}`).toBe(true);
        }
      }
    }
    for (const i of [0, 3, 70000]) out.push(`len_abstract(${i}) = ${String(inst.call('len_abstract', i)[0])}`);
    return out;
  };

  test('within, at and past the length, every element kind and every way of making the array, as the interpreter', () => {
    const it = outcomes('interp');
    expect(it.filter((o) => o.includes('out of bounds array access')).length).toBe(names.length * 2 * 4);
    expect(it.slice(-3)).toEqual(['len_abstract(0) = 0', 'len_abstract(3) = 3', 'len_abstract(70000) = 70000']);
    // (set_ returns the length plus the element: 3 more than get_ at the same index)
    expect(it[it.indexOf('get_i32_new(2) = 9') + 6]).toBe('set_i32_new(2) = 12');
    expect(outcomes('js')).toEqual(it);
  });

  test('the generated tests: data.length for one word per element, len for more', () => {
    const realCompile = jsEval.compile;
    const srcs: string[] = [];
    jsEval.compile = (s) => (srcs.push(s), realCompile(s));
    try {
      // (a module of its own: the first test's compiled the sources of `m`)
      outcomes('js', Module.fromWat(wat));
    } finally {
      jsEval.compile = realCompile;
    }
    // (each source is one function, which reads and writes elements of one kind: `.data[ea]`, or `.data[2 * ea]`
    // and on; array.len's read is a statement of its own, `I<n> = <array>.<len>;`)
    const bounds = (s: string): string[] => [...s.matchAll(/if \(ea >= \w+\.([\w.]+)\)/g)].map((x) => x[1]!);
    const lens = (s: string): string[] => [...s.matchAll(/= \w+\.(data\.length|len);/g)].map((x) => x[1]!);
    const seen = new Set<string>();
    for (const s of srcs) {
      if (s.includes('wasm_func_')) {
        const abstract = !s.includes('.data[');
        const wide = /\.data\[[24] \* ea/.test(s);
        if (!abstract) expect(wide || s.includes('.data[ea]'), s).toBe(true);
        for (const b of bounds(s)) seen.add(`${wide} bound ${b}`);
        for (const l of lens(s)) seen.add(`${abstract ? 'abstract' : wide} array.len ${l}`);
      }
    }
    expect([...seen].sort()).toEqual(['abstract array.len len', 'false array.len data.length', 'false bound data.length', 'true array.len len', 'true bound len']);
  });
});
