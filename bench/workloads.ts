/**
 * Benchmark workloads written in WAT here (the C workloads of the full suite come next):
 * each is deterministic and self-checking: wasmeter's result must equal V8's on the same bytes.
 */
export interface Workload {
  name: string;
  wat: string;
  export: string;
  args: unknown[];
}

export const WORKLOADS: Workload[] = [
  {
    name: 'fib (recursive calls)',
    export: 'fib',
    args: [24],
    wat: `(module (func $fib (export "fib") (param i32) (result i32)
      (if (result i32) (i32.lt_s (local.get 0) (i32.const 2)) (then (local.get 0))
        (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                       (call $fib (i32.sub (local.get 0) (i32.const 2))))))))`,
  },
  {
    name: 'sieve (byte-array loop)',
    export: 'sieve',
    args: [200000],
    wat: `(module (memory 4)
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
        (local.get $count)))`,
  },
  {
    name: 'i64 mix (mul, shifts, xor)',
    export: 'mix',
    args: [100000],
    wat: `(module (func (export "mix") (param $n i32) (result i64) (local $h i64)
      (local.set $h (i64.const 0x9e3779b97f4a7c15))
      (block $d (loop $l
        (br_if $d (i32.eqz (local.get $n)))
        (local.set $h (i64.mul (i64.xor (local.get $h) (i64.shr_u (local.get $h) (i64.const 33))) (i64.const 0xff51afd7ed558ccd)))
        (local.set $h (i64.add (local.get $h) (i64.extend_i32_u (local.get $n))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
      (local.get $h)))`,
  },
];
