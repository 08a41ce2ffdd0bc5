/**
 * Benchmark workloads: three written in WAT here, and the C suite of bench/c/
 * (freestanding clang -O2 builds, committed as .wasm; rebuild with bench/c/build.sh).
 * Each is deterministic and self-checking: wasmeter's result must equal V8's on the
 * same bytes, and, for the test's small argument, a constant recorded here.
 */
import { readFileSync } from 'node:fs';
import { watToBinary } from '../src/text/index.js';

export interface Workload {
  /** Short id, used to select workloads on the command line (`npm run bench -- fib sieve`). */
  id: string;
  /** 'wat' (inline text below) or 'c' (bench/c/<id>.wasm). */
  group: 'wat' | 'c';
  name: string;
  export: string;
  /** Arguments for the benchmark (one wasmeter run takes ~50-300 ms). */
  args: unknown[];
  /** Small arguments for the unit test, and the result every engine must return for them. */
  testArgs: unknown[];
  expected: number | bigint;
  /** Each timed call instantiates the module afresh (in a new store): the workload's state, such as grown memory, is not reusable. */
  fresh?: boolean;
  /** Needs the SIMD executor: skipped (with a printed reason) while wasmeter throws Unsupported for it. */
  simd?: boolean;
  /** The module's bytes. */
  bytes(): Uint8Array;
}

function wat(text: string): () => Uint8Array {
  let cached: Uint8Array | undefined;
  return () => (cached ??= watToBinary(text));
}

function cfile(id: string): () => Uint8Array {
  let cached: Uint8Array | undefined;
  // Resolves from bench/workloads.ts (vitest) and from dist-bench/bench.js (the bundled bench) alike.
  return () => (cached ??= new Uint8Array(readFileSync(new URL(`../bench/c/${id}.wasm`, import.meta.url))));
}

const WAT_WORKLOADS: Workload[] = [
  {
    id: 'wat-fib',
    group: 'wat',
    name: 'fib (recursive calls)',
    export: 'fib',
    args: [28],
    testArgs: [20],
    expected: 6765,
    bytes: wat(`(module (func $fib (export "fib") (param i32) (result i32)
      (if (result i32) (i32.lt_s (local.get 0) (i32.const 2)) (then (local.get 0))
        (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                       (call $fib (i32.sub (local.get 0) (i32.const 2))))))))`),
  },
  {
    id: 'wat-sieve',
    group: 'wat',
    name: 'sieve (byte-array loop)',
    export: 'sieve',
    args: [2_000_000],
    testArgs: [200_000],
    expected: 17984,
    bytes: wat(`(module (memory 32)
      (func (export "sieve") (param $n i32) (result i32) (local $i i32) (local $j i32) (local $count i32)
        (memory.fill (i32.const 0) (i32.const 1) (local.get $n))
        (local.set $i (i32.const 2))
        (block $done (loop $outer
          (br_if $done (i32.ge_u (i32.mul (local.get $i) (local.get $i)) (local.get $n)))
          (if (i32.load8_u (local.get $i)) (then
            (local.set $j (i32.mul (local.get $i) (local.get $i)))
            (block $d2 (loop $inner
              (br_if $d2 (i32.ge_u (local.get $j) (local.get $n)))
              (i32.store8 (local.get $j) (i32.const 0))
              (local.set $j (i32.add (local.get $j) (local.get $i)))
              (br $inner)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $outer)))
        (local.set $i (i32.const 2))
        (block $d3 (loop $count
          (br_if $d3 (i32.ge_u (local.get $i) (local.get $n)))
          (local.set $count (i32.add (local.get $count) (i32.load8_u (local.get $i))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $count)))
        (local.get $count)))`),
  },
  {
    id: 'wat-mix',
    group: 'wat',
    name: 'i64 mix (mul, shifts, xor)',
    export: 'mix',
    args: [3_000_000],
    testArgs: [100_000],
    expected: 748353752386539105n,
    bytes: wat(`(module (func (export "mix") (param $n i32) (result i64) (local $h i64)
      (local.set $h (i64.const 0x9e3779b97f4a7c15))
      (block $d (loop $l
        (br_if $d (i32.eqz (local.get $n)))
        (local.set $h (i64.mul (i64.xor (local.get $h) (i64.shr_u (local.get $h) (i64.const 33))) (i64.const 0xff51afd7ed558ccd)))
        (local.set $h (i64.add (local.get $h) (i64.extend_i32_u (local.get $n))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
      (local.get $h)))`),
  },
  {
    id: 'wat-throw',
    group: 'wat',
    name: 'exceptions (a callee throws every 16th call, caught in the loop)',
    export: 'run',
    args: [2_000_000],
    testArgs: [100_000],
    expected: 865235612,
    // legacy try/catch: Node 20's V8 has no try_table (exnref); wasmeter runs both through the same handler table
    bytes: wat(`(module (tag $e (param i32))
      (func $f (param i32) (result i32)
        (if (i32.eqz (i32.and (local.get 0) (i32.const 15))) (then (throw $e (local.get 0))))
        (i32.add (i32.mul (local.get 0) (i32.const 3)) (i32.const 1)))
      (func (export "run") (param $n i32) (result i32) (local $i i32) (local $acc i32)
        (loop $l
          (local.set $acc (i32.add (local.get $acc)
            (try (result i32) (do (call $f (local.get $i))) (catch $e (i32.xor (i32.const -1))))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
        (local.get $acc)))`),
  },
  {
    id: 'wat-try',
    group: 'wat',
    name: 'a try around a hot loop of calls that never throws',
    export: 'run',
    args: [5_000_000],
    testArgs: [100_000],
    expected: 278788523,
    bytes: wat(`(module (tag $e)
      (func $step (param i32) (result i32)
        (i32.xor (i32.mul (local.get 0) (i32.const 0x9e3779b1)) (i32.shr_u (local.get 0) (i32.const 15))))
      (func (export "run") (param $n i32) (result i32) (local $i i32) (local $h i32)
        (try (do
          (loop $l
            (local.set $h (i32.add (local.get $h) (call $step (i32.add (local.get $h) (local.get $i)))))
            (if (i32.eq (local.get $h) (i32.const 0x7fffffff)) (then (throw $e)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $l (i32.lt_u (local.get $i) (local.get $n)))))
          (catch_all (local.set $h (i32.const -1))))
        (local.get $h)))`),
  },
  {
    id: 'memgrow',
    group: 'wat',
    name: 'memory.grow (6 pages at a time, no maximum)',
    export: 'run',
    fresh: true,
    args: [120],
    testArgs: [10],
    expected: -2095680451,
    // n grows of 6 pages (memory 1 .. 1 + 6n pages, 45 MiB for n = 120), each followed by a fill of the new
    // pages and a strided read of the whole memory; grows that copy all memory copy 2.6 GiB at n = 120
    bytes: wat(`(module (memory 1)
      (func (export "run") (param $n i32) (result i32) (local $k i32) (local $old i32) (local $p i32) (local $s i32)
        (block $d (loop $l
          (br_if $d (i32.ge_u (local.get $k) (local.get $n)))
          (local.set $old (memory.grow (i32.const 6)))
          (if (i32.lt_s (local.get $old) (i32.const 0)) (then (unreachable)))
          (memory.fill (i32.shl (local.get $old) (i32.const 16)) (i32.add (local.get $k) (i32.const 1)) (i32.const 393216))
          (local.set $p (i32.const 0))
          (block $d2 (loop $l2
            (br_if $d2 (i32.ge_u (local.get $p) (i32.shl (memory.size) (i32.const 16))))
            (local.set $s (i32.add (i32.mul (local.get $s) (i32.const 31)) (i32.load8_u (local.get $p))))
            (local.set $p (i32.add (local.get $p) (i32.const 4093)))
            (br $l2)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $l)))
        (i32.xor (local.get $s) (memory.size))))`),
  },
];

function c(id: string, name: string, args: unknown[], testArgs: unknown[], expected: number | bigint, simd = false): Workload {
  return { id, group: 'c', name, export: 'run', args, testArgs, expected, simd, bytes: cfile(id) };
}

const C_WORKLOADS: Workload[] = [
  c('fib', 'C fib (recursive calls)', [29], [15], 610),
  c('sieve', 'C sieve (byte-array loops)', [600_000], [20_000], -1253718657),
  c('matmul', 'C matmul (f64)', [128], [16], 2.653516999999942),
  c('sha256', 'C sha256 (i32 bit ops)', [100], [2], 92659250),
  c('hash64', 'C hash64 (i64 mul/rotl/rem)', [10_000], [50], 8289316958928876216n),
  c('nbody', 'C n-body (f32, sqrt)', [1_000], [5], -993659632),
  c('alloc', 'C allocator churn (grow, fill, copy)', [25_000], [300], 335564499),
  c('dispatch', 'C call_indirect dispatch', [15_000], [100], 2061950819),
  c('simd', 'C SIMD kernel (simd128)', [1500], [3], -480895280, true),
];

/**
 * Wasm GC workloads, each with a twin computing the same thing by the same algorithm over linear
 * memory (a bump allocator, pointers as i32 addresses, 0 as null; small integers as tagged
 * pointers where the GC version uses i31). Both export `run` and must return the same result.
 * Node 20's V8 cannot run final Wasm GC, so `npm run bench -- gc` measures them wasmeter against
 * wasmeter, and both modules in headless Chromium's V8 (bench/chromium.ts).
 */
export interface GcWorkload {
  id: string;
  name: string;
  args: unknown[];
  testArgs: unknown[];
  expected: number;
  gc(): Uint8Array;
  linear(): Uint8Array;
}

export const GC_WORKLOADS: GcWorkload[] = [
  {
    id: 'gc-list',
    name: 'linked list build + sum (struct.new, struct.get, br_on_null)',
    args: [100_000],
    testArgs: [300],
    expected: -806894347,
    gc: wat(`(module
      (type $node (struct (field $v i32) (field $next (ref null $node))))
      (func $build (param $n i32) (result (ref null $node)) (local $l (ref null $node))
        (block $d (loop $lp
          (br_if $d (i32.eqz (local.get $n)))
          (local.set $l (struct.new $node (local.get $n) (local.get $l)))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $lp)))
        (local.get $l))
      (func $sum (param $l (ref null $node)) (result i32) (local $s i32) (local $c (ref $node))
        (block $d (loop $lp
          (local.set $c (br_on_null $d (local.get $l)))
          (local.set $s (i32.add (i32.mul (local.get $s) (i32.const 31)) (struct.get $node $v (local.get $c))))
          (local.set $l (struct.get $node $next (local.get $c)))
          (br $lp)))
        (local.get $s))
      (func (export "run") (param $n i32) (result i32) (local $r i32) (local $s i32)
        (loop $rep
          (local.set $s (i32.add (local.get $s) (call $sum (call $build (i32.add (local.get $n) (local.get $r))))))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br_if $rep (i32.lt_u (local.get $r) (i32.const 10))))
        (local.get $s)))`),
    linear: wat(`(module (memory 32)
      (global $hp (mut i32) (i32.const 8))
      (func $build (param $n i32) (result i32) (local $l i32) (local $p i32)
        (global.set $hp (i32.const 8))
        (block $d (loop $lp
          (br_if $d (i32.eqz (local.get $n)))
          (local.set $p (global.get $hp))
          (global.set $hp (i32.add (local.get $p) (i32.const 8)))
          (i32.store (local.get $p) (local.get $n))
          (i32.store offset=4 (local.get $p) (local.get $l))
          (local.set $l (local.get $p))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $lp)))
        (local.get $l))
      (func $sum (param $l i32) (result i32) (local $s i32)
        (block $d (loop $lp
          (br_if $d (i32.eqz (local.get $l)))
          (local.set $s (i32.add (i32.mul (local.get $s) (i32.const 31)) (i32.load (local.get $l))))
          (local.set $l (i32.load offset=4 (local.get $l)))
          (br $lp)))
        (local.get $s))
      (func (export "run") (param $n i32) (result i32) (local $r i32) (local $s i32)
        (loop $rep
          (local.set $s (i32.add (local.get $s) (call $sum (call $build (i32.add (local.get $n) (local.get $r))))))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br_if $rep (i32.lt_u (local.get $r) (i32.const 10))))
        (local.get $s)))`),
  },
  {
    id: 'gc-trees',
    name: 'binary trees (recursive struct.new, ref.is_null, ref.as_non_null)',
    args: [16],
    testArgs: [8],
    expected: 453305440,
    gc: wat(`(module
      (type $t (struct (field $l (ref null $t)) (field $r (ref null $t))))
      (func $make (param $d i32) (result (ref $t))
        (if (result (ref $t)) (i32.eqz (local.get $d))
          (then (struct.new $t (ref.null $t) (ref.null $t)))
          (else (struct.new $t (call $make (i32.sub (local.get $d) (i32.const 1))) (call $make (i32.sub (local.get $d) (i32.const 1)))))))
      (func $check (param $t (ref $t)) (result i32) (local $l (ref null $t))
        (local.set $l (struct.get $t $l (local.get $t)))
        (if (result i32) (ref.is_null (local.get $l))
          (then (i32.const 1))
          (else (i32.add (i32.const 1) (i32.add (call $check (ref.as_non_null (local.get $l)))
                                                (call $check (ref.as_non_null (struct.get $t $r (local.get $t)))))))))
      (func (export "run") (param $d i32) (result i32) (local $i i32) (local $s i32)
        (loop $rep
          (local.set $s (i32.add (i32.mul (local.get $s) (i32.const 7)) (call $check (call $make (i32.sub (local.get $d) (i32.and (local.get $i) (i32.const 3)))))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $rep (i32.lt_u (local.get $i) (i32.const 8))))
        (local.get $s)))`),
    linear: wat(`(module (memory 64)
      (global $hp (mut i32) (i32.const 8))
      (func $make (param $d i32) (result i32) (local $p i32) (local $l i32) (local $r i32)
        (if (i32.eqz (local.get $d))
          (then)
          (else
            (local.set $l (call $make (i32.sub (local.get $d) (i32.const 1))))
            (local.set $r (call $make (i32.sub (local.get $d) (i32.const 1))))))
        (local.set $p (global.get $hp))
        (global.set $hp (i32.add (local.get $p) (i32.const 8)))
        (i32.store (local.get $p) (local.get $l))
        (i32.store offset=4 (local.get $p) (local.get $r))
        (local.get $p))
      (func $check (param $t i32) (result i32) (local $l i32)
        (local.set $l (i32.load (local.get $t)))
        (if (result i32) (i32.eqz (local.get $l))
          (then (i32.const 1))
          (else (i32.add (i32.const 1) (i32.add (call $check (local.get $l))
                                                (call $check (i32.load offset=4 (local.get $t))))))))
      (func (export "run") (param $d i32) (result i32) (local $i i32) (local $s i32)
        (loop $rep
          (global.set $hp (i32.const 8))
          (local.set $s (i32.add (i32.mul (local.get $s) (i32.const 7)) (call $check (call $make (i32.sub (local.get $d) (i32.and (local.get $i) (i32.const 3)))))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $rep (i32.lt_u (local.get $i) (i32.const 8))))
        (local.get $s)))`),
  },
  {
    id: 'gc-points',
    name: 'array of structs (array.new, array.get/set/len, struct.get/set)',
    args: [20_000],
    testArgs: [500],
    expected: 177772390,
    gc: wat(`(module
      (type $pt (struct (field $x (mut i32)) (field $y (mut i32))))
      (type $arr (array (mut (ref null $pt))))
      (func (export "run") (param $n i32) (result i32)
        (local $a (ref $arr)) (local $i i32) (local $r i32) (local $s i32) (local $p (ref $pt))
        (local.set $a (array.new $arr (ref.null $pt) (local.get $n)))
        (loop $fill
          (array.set $arr (local.get $a) (local.get $i) (struct.new $pt (local.get $i) (i32.mul (local.get $i) (i32.const 3))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $fill (i32.lt_u (local.get $i) (local.get $n))))
        (loop $rep
          (local.set $i (i32.const 0))
          (loop $pass
            (local.set $p (ref.as_non_null (array.get $arr (local.get $a) (local.get $i))))
            (struct.set $pt $x (local.get $p) (i32.add (struct.get $pt $x (local.get $p)) (struct.get $pt $y (local.get $p))))
            (struct.set $pt $y (local.get $p) (i32.xor (struct.get $pt $y (local.get $p)) (local.get $r)))
            (local.set $s (i32.add (local.get $s) (struct.get $pt $x (local.get $p))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $pass (i32.lt_u (local.get $i) (array.len (local.get $a)))))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br_if $rep (i32.lt_u (local.get $r) (i32.const 30))))
        (local.get $s)))`),
    linear: wat(`(module (memory 8)
      (func (export "run") (param $n i32) (result i32)
        (local $a i32) (local $i i32) (local $r i32) (local $s i32) (local $p i32) (local $hp i32)
        (local.set $a (i32.const 16))
        (local.set $hp (i32.add (i32.const 16) (i32.shl (local.get $n) (i32.const 2))))
        (loop $fill
          (i32.store (local.get $hp) (local.get $i))
          (i32.store offset=4 (local.get $hp) (i32.mul (local.get $i) (i32.const 3)))
          (i32.store (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 2))) (local.get $hp))
          (local.set $hp (i32.add (local.get $hp) (i32.const 8)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $fill (i32.lt_u (local.get $i) (local.get $n))))
        (loop $rep
          (local.set $i (i32.const 0))
          (loop $pass
            (local.set $p (i32.load (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 2)))))
            (i32.store (local.get $p) (i32.add (i32.load (local.get $p)) (i32.load offset=4 (local.get $p))))
            (i32.store offset=4 (local.get $p) (i32.xor (i32.load offset=4 (local.get $p)) (local.get $r)))
            (local.set $s (i32.add (local.get $s) (i32.load (local.get $p))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $pass (i32.lt_u (local.get $i) (local.get $n))))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br_if $rep (i32.lt_u (local.get $r) (i32.const 30))))
        (local.get $s)))`),
  },
  {
    id: 'gc-shapes',
    name: 'casts (ref.test, ref.cast, br_on_cast, i31)',
    args: [20_000],
    testArgs: [300],
    expected: 169926660,
    gc: wat(`(module
      (rec
        (type $shape (sub (struct (field $k i32))))
        (type $circle (sub final $shape (struct (field $k i32) (field $r i32))))
        (type $rect (sub final $shape (struct (field $k i32) (field $w i32) (field $h i32)))))
      (type $arr (array (mut anyref)))
      (func $area (param $v anyref) (result i32)
        (if (ref.test (ref $circle) (local.get $v))
          (then (return (i32.mul (i32.const 3) (i32.mul (struct.get $circle $r (ref.cast (ref $circle) (local.get $v)))
                                                         (struct.get $circle $r (ref.cast (ref $circle) (local.get $v))))))))
        (block $notrect (result anyref)
          (return (i32.mul (struct.get $rect $w (br_on_cast_fail $notrect anyref (ref $rect) (local.get $v)))
                           (struct.get $rect $h (ref.cast (ref $rect) (local.get $v))))))
        (i31.get_s (ref.cast (ref i31) )))
      (func (export "run") (param $n i32) (result i32) (local $a (ref $arr)) (local $i i32) (local $r i32) (local $s i32) (local $m i32)
        (local.set $a (array.new_default $arr (local.get $n)))
        (loop $fill
          (local.set $m (i32.rem_u (local.get $i) (i32.const 3)))
          (array.set $arr (local.get $a) (local.get $i)
            (if (result anyref) (i32.eqz (local.get $m))
              (then (struct.new $circle (i32.const 0) (i32.and (local.get $i) (i32.const 255))))
              (else (if (result anyref) (i32.eq (local.get $m) (i32.const 1))
                (then (struct.new $rect (i32.const 1) (i32.and (local.get $i) (i32.const 127)) (i32.const 5)))
                (else (ref.i31 (i32.sub (i32.const 0) (local.get $i))))))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $fill (i32.lt_u (local.get $i) (local.get $n))))
        (loop $rep
          (local.set $i (i32.const 0))
          (loop $pass
            (local.set $s (i32.add (local.get $s) (call $area (array.get $arr (local.get $a) (local.get $i)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $pass (i32.lt_u (local.get $i) (local.get $n))))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br_if $rep (i32.lt_u (local.get $r) (i32.const 30))))
        (local.get $s)))`),
    linear: wat(`(module (memory 16)
      (func $area (param $v i32) (result i32)
        (if (i32.and (local.get $v) (i32.const 1))
          (then (return (i32.shr_s (local.get $v) (i32.const 1)))))
        (if (i32.eqz (i32.load (local.get $v)))
          (then (return (i32.mul (i32.const 3) (i32.mul (i32.load offset=4 (local.get $v)) (i32.load offset=4 (local.get $v)))))))
        (i32.mul (i32.load offset=4 (local.get $v)) (i32.load offset=8 (local.get $v))))
      (func (export "run") (param $n i32) (result i32) (local $a i32) (local $i i32) (local $r i32) (local $s i32) (local $m i32) (local $hp i32) (local $p i32)
        (local.set $a (i32.const 16))
        (local.set $hp (i32.add (i32.const 16) (i32.shl (local.get $n) (i32.const 2))))
        (loop $fill
          (local.set $m (i32.rem_u (local.get $i) (i32.const 3)))
          (local.set $p (local.get $hp))
          (if (i32.eqz (local.get $m))
            (then (i32.store (local.get $p) (i32.const 0)) (i32.store offset=4 (local.get $p) (i32.and (local.get $i) (i32.const 255)))
                  (local.set $hp (i32.add (local.get $hp) (i32.const 8))))
            (else (if (i32.eq (local.get $m) (i32.const 1))
              (then (i32.store (local.get $p) (i32.const 1)) (i32.store offset=4 (local.get $p) (i32.and (local.get $i) (i32.const 127)))
                    (i32.store offset=8 (local.get $p) (i32.const 5)) (local.set $hp (i32.add (local.get $hp) (i32.const 12))))
              (else (local.set $p (i32.or (i32.shl (i32.sub (i32.const 0) (local.get $i)) (i32.const 1)) (i32.const 1)))))))
          (i32.store (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 2))) (local.get $p))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $fill (i32.lt_u (local.get $i) (local.get $n))))
        (loop $rep
          (local.set $i (i32.const 0))
          (loop $pass
            (local.set $s (i32.add (local.get $s) (call $area (i32.load (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 2)))))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $pass (i32.lt_u (local.get $i) (local.get $n))))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br_if $rep (i32.lt_u (local.get $r) (i32.const 30))))
        (local.get $s)))`),
  },
];

export const WORKLOADS: Workload[] = [...WAT_WORKLOADS, ...C_WORKLOADS];

/** Equality of results as the engines return them (i64 as bigint, compared as 64-bit patterns). */
export function sameResult(a: unknown, b: unknown): boolean {
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    return BigInt.asUintN(64, BigInt(a as bigint)) === BigInt.asUintN(64, BigInt(b as bigint));
  }
  return Object.is(a, b);
}
