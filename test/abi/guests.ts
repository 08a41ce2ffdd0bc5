/**
 * WAT guests for the ABI tests. They avoid constructs with known interpreter
 * bugs (binops on two constants, inline (memory (data ...)), br_if to an
 * outer block from inside a loop): loops exit through `if` or a br_if to the
 * loop itself. A function with neither parameters nor locals gets an unused
 * local: there its first constant aliases operand-stack slot 0 (reported).
 */

const IO = `
  (import "env" "host_get_input_len" (func $input_len (result i32)))
  (import "env" "host_read_input" (func $read_input (param i32 i32) (result i32)))
  (import "env" "host_write_output" (func $write_output (param i32 i32)))
  (import "env" "host_log" (func $log (param i32 i32)))`;

/** Reads the whole input in one call, or (with readInput 'chunks') 4 bytes a call until 0; logs twice; writes it uppercased. */
const upper = (chunked: boolean): string => `(module ${IO}
  (memory (export "memory") 1)
  (data (i32.const 16) "uppercasing")
  (data (i32.const 32) "done")
  (func (export "run") (local $off i32) (local $n i32) (local $i i32) (local $c i32)
    (call $log (i32.const 16) (i32.const 11))
    (local.set $off (i32.const 1024))
    ${
      chunked
        ? `(loop $read
      (local.set $n (call $read_input (local.get $off) (i32.const 4)))
      (local.set $off (i32.add (local.get $off) (local.get $n)))
      (br_if $read (local.get $n)))`
        : `(local.set $off (i32.add (local.get $off) (call $read_input (local.get $off) (call $input_len))))`
    }
    (local.set $i (i32.const 1024))
    (loop $up
      (if (i32.lt_u (local.get $i) (local.get $off))
        (then
          (local.set $c (i32.load8_u (local.get $i)))
          (if (i32.and (i32.ge_u (local.get $c) (i32.const 97)) (i32.le_u (local.get $c) (i32.const 122)))
            (then (i32.store8 (local.get $i) (i32.sub (local.get $c) (i32.const 32)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $up))))
    (call $write_output (i32.const 1024) (i32.sub (local.get $off) (i32.const 1024)))
    (call $log (i32.const 32) (i32.const 4))))`;
export const UPPER = upper(false);
/** UPPER reading 4 bytes a call: needs readInput 'chunks' (with 'whole' it never sees 0 and runs out of memory). */
export const UPPER_CHUNKED = upper(true);

/** Reads 3 input bytes twice (to 0 and 3) and writes the 6 bytes: "abcabc" when every read starts over, "abcdef" with a cursor. */
export const READ_TWICE = `(module ${IO}
  (memory 1)
  (func (export "run") (local $n i32)
    (local.set $n (call $read_input (i32.const 0) (i32.const 3)))
    (local.set $n (i32.add (local.get $n) (call $read_input (i32.const 3) (i32.const 3))))
    (call $write_output (i32.const 0) (local.get $n))))`;

/** Reports the input length it sees as 4 little-endian bytes of output, via _start. */
export const INPUT_LEN_START = `(module ${IO}
  (memory 1)
  (func (export "_start")
    (i32.store (i32.const 0) (call $input_len))
    (call $write_output (i32.const 0) (i32.const 4))))`;

/** Returns a value (entry results) and writes nothing. */
export const ANSWER = `(module (func (export "run") (result i32) (i32.const 42)))`;

export const LOOP_FOREVER = `(module
  (func (export "run") (local $i i32)
    (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l))))`;

/** Grows memory a page at a time until refused, then traps (what an allocator's abort does). */
export const GROW_UNTIL_REFUSED = `(module
  (memory 1)
  (func (export "run")
    (loop $l
      (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1))
        (then unreachable))
      (br $l))))`;

/** Grows once; on refusal writes "refused" and finishes normally. */
export const GROW_HANDLED = `(module ${IO}
  (memory 1)
  (data (i32.const 0) "refused")
  (data (i32.const 8) "grown")
  (func (export "run")
    (if (i32.eq (memory.grow (i32.const 4)) (i32.const -1))
      (then (call $write_output (i32.const 0) (i32.const 7)))
      (else (call $write_output (i32.const 8) (i32.const 5))))))`;

export const BIG_MEMORY = `(module (memory 16) (func (export "run")))`;

/** Passes a pointer past the end of its one-page memory. */
export const BAD_POINTER = `(module ${IO}
  (memory 1)
  (func (export "run") (call $write_output (i32.const 65530) (i32.const 100))))`;

/** Passes a negative length to host_log. */
export const NEGATIVE_LEN = `(module ${IO}
  (memory 1)
  (func (export "run") (call $log (i32.const 0) (i32.const -1))))`;

/** Reads its input into a pointer past the end of memory. */
export const BAD_READ = `(module ${IO}
  (memory 1)
  (func (export "run") (drop (call $read_input (i32.const 65536) (i32.const 1)))))`;

/** Calls host_log without having a memory. */
export const NO_MEMORY = `(module ${IO}
  (func (export "run") (call $log (i32.const 0) (i32.const 0))))`;

/** Writes `len` bytes of output (for the output limit). */
export const WRITE_N = `(module ${IO}
  (memory 1)
  (func (export "run") (call $write_output (i32.const 0) (call $input_len))))`;

export const IMPORTS_SECRET = `(module
  (import "env" "host_secret" (func $secret (result i32)))
  (import "net" "fetch" (func $fetch (param i32 i32) (result i32)))
  (func (export "run") (drop (call $secret))))`;

/** Uses the capability env.add_bonus(i32) -> i32 and writes the result as 4 bytes. */
export const USES_BONUS = `(module ${IO}
  (import "env" "add_bonus" (func $bonus (param i32) (result i32)))
  (memory 1)
  (func (export "run")
    (i32.store (i32.const 0) (call $bonus (call $input_len)))
    (call $write_output (i32.const 0) (i32.const 4))))`;

/** Calls host.greet(ptr, len) -> i32 (a capability under a custom module name) on a string. */
export const USES_GREET = `(module
  (import "host" "greet" (func $greet (param i32 i32) (result i32)))
  (memory 1)
  (data (i32.const 0) "wasm")
  ;; the unused local works around an interpreter bug (no params + no locals: constants alias operand slot 0)
  (func (export "run") (result i32) (local $unused i32) (call $greet (i32.const 0) (i32.const 4))))`;

export const WRONG_LOG_TYPE = `(module
  (import "env" "host_log" (func $log (param i32)))
  (func (export "run")))`;

export const START_TRAPS = `(module (func $s unreachable) (start $s) (func (export "run")))`;

/** The start function loops forever. */
export const START_LOOPS = `(module (func $s (loop $l (br $l))) (start $s) (func (export "run")))`;

/** The start function writes output, which run then extends. */
export const START_WRITES = `(module ${IO}
  (memory 1)
  (data (i32.const 0) "start;run")
  (func $s (call $write_output (i32.const 0) (i32.const 6)))
  (start $s)
  (func (export "run") (call $write_output (i32.const 6) (i32.const 3))))`;

export const DATA_OUT_OF_BOUNDS = `(module (memory 1) (data (i32.const 65535) "ab") (func (export "run")))`;

export const NO_ENTRY = `(module (func (export "main")))`;
export const ENTRY_WITH_PARAMS = `(module (func (export "run") (param i32)))`;

export const DIVIDE_BY_ZERO = `(module ${IO}
  (memory 1)
  (data (i32.const 0) "before")
  (func (export "run") (result i32)
    (call $write_output (i32.const 0) (i32.const 6))
    (i32.div_s (call $input_len) (i32.const 0))))`;

// ----------------------------------------------------------------------- JSON / channel guests

/**
 * A stateful JSON guest: bump allocator from 4096 (free counts calls in the
 * exported global "frees"), invoke dispatching on the method's first byte:
 *   e... echo      → [count,<input>]
 *   b... bad       → {oops   (invalid JSON)
 *   p... pointer   → a result range outside memory
 *   n... nothing   → length 0
 *   t... trap      → unreachable
 *   l... loop      → loops forever
 * on_message(ptr, len): count++, host_send([count,<msg>]) then host_send("ok"); a message starting
 * with "7" is answered with invalid JSON, one starting with "8" with a bad pointer.
 */
export const JSON_GUEST = (withChannel: boolean): string => `(module
  ${withChannel ? '(import "env" "host_send" (func $send (param i32 i32)))' : ''}
  (memory (export "memory") 2)
  (global $heap (mut i32) (i32.const 4096))
  (global $count (export "count") (mut i32) (i32.const 0))
  (global $frees (export "frees") (mut i32) (i32.const 0))
  (data (i32.const 64) "{oops")
  (data (i32.const 80) "\\"ok\\"")
  (func $alloc (export "alloc") (param $n i32) (result i32) (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (local.get $p) (local.get $n)))
    (local.get $p))
  (func (export "free") (param i32 i32)
    (global.set $frees (i32.add (global.get $frees) (i32.const 1))))
  ;; writes n in decimal at p; returns the end
  (func $utoa (param $p i32) (param $n i32) (result i32) (local $t i32)
    (local.set $t (i32.const 512))
    (loop $d
      (i32.store8 (local.get $t) (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (local.set $n (i32.div_u (local.get $n) (i32.const 10)))
      (br_if $d (local.get $n)))
    (loop $c
      (local.set $t (i32.sub (local.get $t) (i32.const 1)))
      (i32.store8 (local.get $p) (i32.load8_u (local.get $t)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br_if $c (i32.gt_u (local.get $t) (i32.const 512))))
    (local.get $p))
  ;; builds [count,<bytes at ip..ip+il>] in a fresh buffer; returns its pointer, length in global $len
  (global $len (mut i32) (i32.const 0))
  (func $wrap (param $ip i32) (param $il i32) (result i32) (local $out i32) (local $p i32)
    (local.set $out (call $alloc (i32.add (local.get $il) (i32.const 16))))
    (i32.store8 (local.get $out) (i32.const 91))
    (local.set $p (call $utoa (i32.add (local.get $out) (i32.const 1)) (global.get $count)))
    (i32.store8 (local.get $p) (i32.const 44))
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (memory.copy (local.get $p) (local.get $ip) (local.get $il))
    (local.set $p (i32.add (local.get $p) (local.get $il)))
    (i32.store8 (local.get $p) (i32.const 93))
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (global.set $len (i32.sub (local.get $p) (local.get $out)))
    (local.get $out))
  (func $pack (param $p i32) (param $n i32) (result i64)
    (i64.or (i64.shl (i64.extend_i32_u (local.get $p)) (i64.const 32)) (i64.extend_i32_u (local.get $n))))
  (func (export "invoke") (param $mp i32) (param $ml i32) (param $ip i32) (param $il i32) (result i64)
    (local $m i32) (local $out i32)
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (local.set $m (i32.load8_u (local.get $mp)))
    (if (i32.eq (local.get $m) (i32.const 98)) (then (return (call $pack (i32.const 64) (i32.const 5)))))
    (if (i32.eq (local.get $m) (i32.const 112)) (then (return (call $pack (i32.const 131070) (i32.const 10)))))
    (if (i32.eq (local.get $m) (i32.const 110)) (then (return (i64.const 0))))
    (if (i32.eq (local.get $m) (i32.const 116)) (then unreachable))
    (if (i32.eq (local.get $m) (i32.const 108)) (then (loop $l (br $l))))
    (local.set $out (call $wrap (local.get $ip) (local.get $il)))
    (call $pack (local.get $out) (global.get $len)))
  ${
    withChannel
      ? `(func (export "on_message") (param $ptr i32) (param $len i32) (local $out i32) (local $first i32)
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (local.set $first (i32.load8_u (local.get $ptr)))
    (if (i32.eq (local.get $first) (i32.const 55)) (then (call $send (i32.const 64) (i32.const 5)) (return)))
    (if (i32.eq (local.get $first) (i32.const 56)) (then (call $send (i32.const 200000) (i32.const 8)) (return)))
    (local.set $out (call $wrap (local.get $ptr) (local.get $len)))
    (call $send (local.get $out) (global.get $len))
    (call $send (i32.const 80) (i32.const 4)))`
      : ''
  })`;

/** alloc that always returns 0. */
export const ALLOC_FAILS = `(module
  (memory 1)
  (func (export "alloc") (param i32) (result i32) (i32.const 0))
  (func (export "invoke") (param i32 i32 i32 i32) (result i64) (i64.const 0)))`;

/** invoke with the wrong type. */
export const INVOKE_WRONG_TYPE = `(module
  (memory 1)
  (func (export "alloc") (param i32) (result i32) (i32.const 16))
  (func (export "invoke") (param i32 i32) (result i32) (i32.const 0)))`;

/** alloc returns a pointer past the end of memory. */
export const ALLOC_OUT_OF_BOUNDS = `(module
  (memory 1)
  (func (export "alloc") (param i32) (result i32) (i32.const 70000))
  (func (export "invoke") (param i32 i32 i32 i32) (result i64) (i64.const 0)))`;

/** The start function writes output, then loops forever. */
export const START_WRITES_THEN_LOOPS = `(module ${IO}
  (memory 1)
  (data (i32.const 0) "start;")
  (func $s (call $write_output (i32.const 0) (i32.const 6)) (loop $l (br $l)))
  (start $s)
  (func (export "run")))`;

// ----------------------------------------------------------------------- entry conventions, WASI

/**
 * The wasmi-based sandboxes' entry: execute(ptr, len) -> i32 gets the input in its memory; it
 * writes it back reversed and returns the length. `withAlloc`: exports a bump allocator from 4096
 * (the global "allocs" counts calls). `start`: also exports a _start that writes "_start ran".
 */
export const EXECUTE = (withAlloc: boolean, start = false): string => `(module ${IO}
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 4096))
  (global $allocs (export "allocs") (mut i32) (i32.const 0))
  (data (i32.const 100) "_start ran")
  ${
    withAlloc
      ? `(func (export "alloc") (param $n i32) (result i32) (local $p i32)
    (global.set $allocs (i32.add (global.get $allocs) (i32.const 1)))
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (local.get $p) (local.get $n)))
    (local.get $p))`
      : ''
  }
  ${start ? '(func (export "_start") (call $write_output (i32.const 100) (i32.const 10)))' : ''}
  (func (export "execute") (param $ptr i32) (param $len i32) (result i32) (local $i i32)
    (local.set $i (local.get $len))
    (loop $l
      (if (local.get $i)
        (then
          (local.set $i (i32.sub (local.get $i) (i32.const 1)))
          (call $write_output (i32.add (local.get $ptr) (local.get $i)) (i32.const 1))
          (br $l))))
    (local.get $len)))`;

/** execute that returns the pointer it was given (to see where the input went). */
export const EXECUTE_PTR = `(module
  (memory 1 3)
  (func (export "execute") (param $ptr i32) (param $len i32) (result i32) (local.get $ptr)))`;

/** A WASI command: "out" on stdout, "err" on stderr, then proc_exit(input length) when the input is not empty. */
export const WASI_HELLO = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "env" "host_get_input_len" (func $input_len (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "out\\n")
  (data (i32.const 8) "err\\n")
  ;; iovecs at 16 (stdout) and 24 (stderr); nwritten at 32
  (func (export "_start") (local $n i32)
    (i32.store (i32.const 16) (i32.const 0))
    (i32.store (i32.const 20) (i32.const 4))
    (i32.store (i32.const 24) (i32.const 8))
    (i32.store (i32.const 28) (i32.const 4))
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 32)))
    (drop (call $fd_write (i32.const 2) (i32.const 24) (i32.const 1) (i32.const 32)))
    (local.set $n (call $input_len))
    (if (local.get $n) (then (call $exit (local.get $n))))))`;

/** A WASI guest that copies stdin (up to 64 bytes, one fd_read) to stdout. */
export const WASI_CAT = `(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory 1)
  (func (export "_start") (local $unused i32)
    (i32.store (i32.const 0) (i32.const 100))
    (i32.store (i32.const 4) (i32.const 64))
    (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
    (i32.store (i32.const 4) (i32.load (i32.const 8)))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`;
