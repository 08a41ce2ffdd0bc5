;; A guest that keeps state across typed messages (examples/snapshot-repl):
;;   msg(0, _) get: the accumulator        msg(1, n) add n        msg(2, n) multiply by n
;;   msg(3, n) push n on a list kept in memory (gives its length)   msg(4, _) the list's sum
;; Each message costs fuel like any code; the state lives in a global and in linear memory.
(module
  (memory (export "memory") 1)
  (global $acc (mut i64) (i64.const 0))
  (global $len (mut i32) (i32.const 0))
  (func (export "msg") (param $type i32) (param $n i32) (result i64)
    (local $i i32) (local $s i64)
    (if (i32.eq (local.get $type) (i32.const 1))
      (then (global.set $acc (i64.add (global.get $acc) (i64.extend_i32_s (local.get $n))))))
    (if (i32.eq (local.get $type) (i32.const 2))
      (then (global.set $acc (i64.mul (global.get $acc) (i64.extend_i32_s (local.get $n))))))
    (if (i32.eq (local.get $type) (i32.const 3))
      (then
        (i32.store (i32.shl (global.get $len) (i32.const 2)) (local.get $n))
        (global.set $len (i32.add (global.get $len) (i32.const 1)))
        (return (i64.extend_i32_u (global.get $len)))))
    (if (i32.eq (local.get $type) (i32.const 4))
      (then
        (block $end
          (loop $l
            (br_if $end (i32.ge_u (local.get $i) (global.get $len)))
            (local.set $s (i64.add (local.get $s) (i64.extend_i32_s (i32.load (i32.shl (local.get $i) (i32.const 2))))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $l)))
        (return (local.get $s))))
    (global.get $acc)))
