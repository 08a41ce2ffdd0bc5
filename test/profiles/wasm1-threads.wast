;; Wasm 1.0 with the threads proposal added (run with `wasmeter spec --features 1.0,+threads`): shared memories and
;; atomics as the threads proposal defines them on top of Wasm 1.0, and every other rule 1.0's. Under plain 1.0 the
;; threads modules below are malformed; without a profile the 1.0 rules below fail.

(module
  (memory (export "mem") 1 2 shared)
  (func (export "xchg") (param i32) (result i32) (i32.atomic.rmw.xchg (i32.const 0) (local.get 0)))
  (func (export "load") (result i32) (i32.atomic.load (i32.const 0)))
  (func (export "load64") (result i64) (i64.atomic.load (i32.const 0)))
  (func (export "cmpxchg") (param i32 i32) (result i32) (i32.atomic.rmw.cmpxchg (i32.const 0) (local.get 0) (local.get 1)))
  (func (export "notify") (result i32) (memory.atomic.notify (i32.const 0) (i32.const 1)))
  (func (export "wait") (param i32) (result i32) (memory.atomic.wait32 (i32.const 0) (local.get 0) (i64.const 0)))
  (func (export "fence") (atomic.fence))
  (func (export "unaligned") (result i32) (i32.atomic.load (i32.const 1))))
(assert_return (invoke "xchg" (i32.const 5)) (i32.const 0))
(assert_return (invoke "load") (i32.const 5))
(assert_return (invoke "load64") (i64.const 5))
(assert_return (invoke "cmpxchg" (i32.const 5) (i32.const 7)) (i32.const 5))
(assert_return (invoke "load") (i32.const 7))
(assert_return (invoke "notify") (i32.const 0))
;; not-equal (7 is there), then timed out (no other thread wakes it)
(assert_return (invoke "wait" (i32.const 1)) (i32.const 1))
(assert_return (invoke "wait" (i32.const 7)) (i32.const 2))
(assert_return (invoke "fence"))
(assert_trap (invoke "unaligned") "unaligned atomic")

;; an imported shared memory links to a shared memory only
(module (import "spectest" "shared_memory" (memory 1 2 shared)))
(assert_unlinkable (module (import "spectest" "memory" (memory 1 2 shared))) "incompatible import type")

;; the shared flag in 1.0 limits: 0x03 (shared, with a maximum) decodes, 0x02 (no maximum) decodes and is invalid
(module binary "\00asm" "\01\00\00\00" "\05\04\01\03\01\02")
(assert_invalid (module binary "\00asm" "\01\00\00\00" "\05\03\01\02\01") "shared memory must have maximum")
(assert_invalid (module (memory 1 shared)) "shared memory must have maximum")
;; the 64-bit flag (memory64, Wasm 3.0) stays malformed, and tables have no shared flag
(assert_malformed (module binary "\00asm" "\01\00\00\00" "\05\04\01\07\01\02") "malformed limits flags")
(assert_malformed (module binary "\00asm" "\01\00\00\00" "\04\05\01\70\03\01\02") "integer too large")

;; everything else is Wasm 1.0: one memory, one table, 32-bit limits in text, no address types
(assert_invalid (module (memory 1 2 shared) (memory 1 2 shared)) "multiple memories")
(assert_invalid (module (memory (import "spectest" "shared_memory") 1 2 shared) (memory 0)) "multiple memories")
(assert_invalid (module (table 1 funcref) (table 1 funcref)) "multiple tables")
(assert_malformed (module quote "(memory 0x1_0000_0000 0x1_0000_0000 shared)") "i32 constant out of range")
(assert_malformed (module quote "(memory i64 1 2 shared)") "unexpected token")
;; no instructions of later proposals (sign extension, bulk memory), in text and binary
(assert_malformed (module quote "(func (drop (i32.extend8_s (i32.const 1))))") "unknown operator")
(assert_malformed
  (module quote "(memory 1 2 shared) (func (memory.fill (i32.const 0) (i32.const 0) (i32.const 0)))")
  "unknown operator")
(assert_malformed
  (module binary "\00asm" "\01\00\00\00" "\01\05\01\60\00\01\7f" "\03\02\01\00" "\0a\07\01\05\00\41\01\c0\0b")
  "illegal opcode c0")
;; an atomic instruction's memarg has no memory index (bit 6 is alignment, as in 1.0): alignment 2^66
(assert_invalid
  (module binary
    "\00asm" "\01\00\00\00" "\01\05\01\60\00\01\7f" "\03\02\01\00" "\05\04\01\03\01\01"
    "\0a\0a\01\08\00\41\00\fe\10\42\00\0b")
  "alignment must be exactly natural")
;; no mutable global imports
(assert_invalid (module (global (import "spectest" "global_mut_i32") (mut i32))) "mutable globals cannot be imported")
