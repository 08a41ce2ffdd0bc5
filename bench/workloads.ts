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

export const WORKLOADS: Workload[] = [...WAT_WORKLOADS, ...C_WORKLOADS];

/** Equality of results as the engines return them (i64 as bigint, compared as 64-bit patterns). */
export function sameResult(a: unknown, b: unknown): boolean {
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    return BigInt.asUintN(64, BigInt(a as bigint)) === BigInt.asUintN(64, BigInt(b as bigint));
  }
  return Object.is(a, b);
}
