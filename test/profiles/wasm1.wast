;; Wasm 1.0 rules (run with `wasmeter spec --features 1.0`): each module below is valid Wasm 2.0 but malformed or
;; invalid Wasm 1.0, except the first (the MVP).

(module
  (global (import "spectest" "global_i32") i32)
  (memory 1)
  (global $g i32 (global.get 0))
  (func (export "sq") (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
  (func (export "grow") (result i32) (memory.grow (i32.const 1))))
(assert_return (invoke "sq" (i32.const 7)) (i32.const 49))
(assert_return (invoke "grow") (i32.const 1))

;; call_indirect's table index is a reserved zero byte ("zero flag" in 1.0)
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00" "\03\02\01\00" "\04\04\01\70\00\01"
    "\0a\09\01\07\00\41\00\11\00\01\0b")
  "zero flag expected")
;; no v128
(assert_malformed
  (module binary "\00asm" "\01\00\00\00" "\01\04\01\60\00\00" "\03\02\01\00" "\0a\06\01\04\01\01\7b\0b")
  "malformed value type")
;; no data count section
(assert_malformed (module binary "\00asm" "\01\00\00\00" "\0c\01\00") "malformed section id")
;; no sign extension, saturating conversions, bulk memory or reference instructions
(assert_malformed (module quote "(func (drop (i32.extend8_s (i32.const 1))))") "unknown operator")
(assert_malformed (module quote "(func (drop (i32.trunc_sat_f32_s (f32.const 1))))") "unknown operator")
(assert_malformed (module quote "(memory 1) (func (memory.fill (i32.const 0) (i32.const 0) (i32.const 0))))") "unknown operator")
(assert_malformed (module quote "(func (drop (ref.is_null (ref.null func))))") "unknown operator")
;; no multi-value
(assert_invalid (module (func (result i32 i32) (i32.const 1) (i32.const 2))) "multiple results")
;; no mutable global imports or exports
(assert_invalid (module (global (import "spectest" "global_mut_i32") (mut i32))) "mutable globals cannot be imported")
(assert_invalid (module (global (export "g") (mut i32) (i32.const 0))) "mutable globals cannot be exported")
;; one table
(assert_invalid (module (table 1 funcref) (table 1 funcref)) "multiple tables")
