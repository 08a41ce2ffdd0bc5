;; Wasm 2.0 rules (run with `wasmeter spec --features 2.0`): each module below is valid Wasm 3.0 but malformed or
;; invalid Wasm 2.0, except the first, which uses the 2.0 proposals (bulk memory, reference types, SIMD, multi-value).

(module
  (memory 1)
  (table 2 externref)
  (func (export "fill") (result i32)
    (memory.fill (i32.const 0) (i32.const 7) (i32.const 4))
    (i32.load8_u (i32.const 3)))
  (func (export "two") (result i32 i32) (i32.const 1) (i32.const 2))
  (func (export "lanes") (result i32) (i32x4.extract_lane 1 (v128.const i32x4 1 2 3 4)))
  (func (export "null") (result i32) (ref.is_null (table.get (i32.const 1))))
  (func (export "ext") (result i32) (i32.extend8_s (i32.const 0xff))))
(assert_return (invoke "fill") (i32.const 7))
(assert_return (invoke "two") (i32.const 1) (i32.const 2))
(assert_return (invoke "lanes") (i32.const 2))
(assert_return (invoke "null") (i32.const 1))
(assert_return (invoke "ext") (i32.const -1))

;; memory.size's memory index is a reserved zero byte
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\05\01\60\00\01\7f" "\03\02\01\00" "\05\03\01\00\01"
    "\0a\06\01\04\00\3f\01\0b")
  "zero byte expected")
;; memory.fill's too
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00" "\03\02\01\00" "\05\03\01\00\01" "\0c\01\00"
    "\0a\0f\01\0d\00\41\00\41\00\41\00\fc\0b\01\0b")
  "zero byte expected")
;; a memarg's flags are the alignment only, a u32 (no memory index bit): 2^64 is not natural
(assert_invalid
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00" "\03\02\01\00" "\05\03\01\00\01"
    "\0a\0b\01\09\00\41\00\28\40\00\00\1a\0b")
  "alignment must not be larger than natural")
;; nor the text format: memory indices, typed references, tags, table initialisers are malformed 2.0 text
(assert_malformed (module quote "(memory 1) (func (drop (memory.size 0)))") "unexpected token")
(assert_malformed (module quote "(memory 1) (func (drop (i32.load 0 (i32.const 0))))") "unexpected token")
(assert_malformed (module quote "(memory 1) (func (memory.fill 0 (i32.const 0) (i32.const 0) (i32.const 0)))") "unexpected token")
(assert_malformed (module quote "(func (param (ref null func)))") "unknown operator")
(assert_malformed (module quote "(func (param anyref))") "unknown operator")
(assert_malformed (module quote "(type $t (func)) (func (drop (ref.null $t)))") "unknown operator")
(assert_malformed (module quote "(type (struct))") "unknown operator")
(assert_malformed (module quote "(tag)") "unknown operator")
(assert_malformed (module quote "(import \"m\" \"t\" (tag))") "unknown operator")
(assert_malformed (module quote "(func $f) (table 1 funcref (ref.func $f))") "unexpected token")
;; no tag section
(assert_malformed (module binary "\00asm" "\01\00\00\00" "\0d\01\00") "malformed section id")
;; no 64-bit memories (limits flags are a has-max bit)
(assert_malformed (module binary "\00asm" "\01\00\00\00" "\05\03\01\04\01") "integer too large")
;; memory offsets and limits are 32-bit in the text format
(assert_malformed
  (module quote "(memory 1) (func (drop (i32.load offset=4294967296 (i32.const 0))))")
  "i32 constant")
(assert_malformed (module quote "(memory 0x1_0000_0000)") "i32 constant")
;; later instructions are unknown
(assert_malformed (module quote "(func $f (return_call $f))") "unknown operator")
(assert_malformed (module quote "(func (drop (ref.i31 (i32.const 0))))") "unknown operator")
;; and so are typed references in the binary format
(assert_malformed
  (module binary "\00asm" "\01\00\00\00" "\01\05\01\60\01\64\70\00")
  "malformed reference type")
;; a second memory
(assert_invalid (module (memory 1) (memory 1)) "multiple memories")
;; constant expressions read imported globals only
(assert_invalid (module (global i32 (i32.const 1)) (global i32 (global.get 0))) "unknown global")
(assert_invalid (module (global i32 (i32.const 1)) (memory 1) (data (global.get 0) "")) "unknown global")
(assert_invalid (module (global i32 (i32.add (i32.const 1) (i32.const 2)))) "constant expression required")
