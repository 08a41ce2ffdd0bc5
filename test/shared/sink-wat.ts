/**
 * A function ("run", one i32 parameter) using most instructions that are neither numeric, vector nor memory
 * accesses: locals, constants, globals, select, blocks, every branch but the br_on_* family, direct and indirect
 * calls, references, table and bulk memory instructions, memory.size/grow, two conversions, unreachable and return.
 * Tests of the tiers' per-instruction methods (jit-sink-ops, interp-translate-ops) run it in both tiers.
 */
import { Linker, Module, Store } from '../../src/index.js';

/** Calls `name(arg)` of a fresh instance of `wat` in `tier` with `fuel`: its first result and the fuel consumed, or the stop. */
export function runWithFuel(wat: string, name: string, arg: number, tier: 'js' | 'interp', fuel: number): { out: unknown; consumed: number; stopped: boolean } {
  const store = new Store({ tier, fuel });
  const inst = new Linker().instantiate(store, Module.fromWat(wat));
  try {
    return { out: inst.call(name, arg)[0], consumed: store.fuelConsumed, stopped: false };
  } catch (e) {
    if (e instanceof Error && e.name === 'OutOfFuel') return { out: null, consumed: store.fuelConsumed, stopped: true };
    throw e;
  }
}

export const SINK_WAT = `(module
  (type $t (func (param i32) (result i32)))
  (memory 1)
  (table $tab 4 funcref)
  (table $ext 2 externref)
  (global $g (mut i32) (i32.const 5))
  (global $h (mut i64) (i64.const 7))
  (global $d (mut f64) (f64.const 0.5))
  (global $f (mut f32) (f32.const 1.5))
  (global $r (mut funcref) (ref.null func))
  (elem (table $tab) (i32.const 0) func $sq $inc)
  (elem $e func $sq)
  (data $dd "abcdefgh")
  (func $sq (type $t) (i32.mul (local.get 0) (local.get 0)))
  (func $inc (type $t) (i32.add (local.get 0) (i32.const 1)))
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $acc i32) (local $l i64) (local $x f64) (local $y f32) (local $fr funcref)
    nop
    (local.set $l (i64.const 0x1234567890))
    (local.set $x (f64.const 2.5))
    (local.set $y (f32.const -0.75))
    (block $out
      (loop $top
        (br_if $out (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $acc (i32.add (local.get $acc)
          (select (call $sq (local.get $i)) (call_indirect (type $t) (local.get $i) (i32.const 1)) (i32.and (local.get $i) (i32.const 1)))))
        (block $a (block $b (block $c
          (br_table $a $b $c (i32.rem_u (local.get $i) (i32.const 3))))
          (global.set $g (i32.add (global.get $g) (i32.const 1))) (br $a))
          (global.set $h (i64.add (global.get $h) (local.get $l))))
        (if (i32.eqz (i32.rem_u (local.get $i) (i32.const 4)))
          (then (global.set $d (f64.add (global.get $d) (local.get $x))))
          (else (global.set $f (f32.add (global.get $f) (local.get $y)))))
        (drop (local.tee $i (i32.add (local.get $i) (i32.const 1))))
        (br $top)))
    (local.set $fr (ref.func $inc))
    (global.set $r (local.get $fr))
    (table.set $tab (i32.const 2) (global.get $r))
    (table.set $ext (i32.const 1) (ref.null extern))
    (local.set $acc (i32.add (local.get $acc) (call_indirect (type $t) (i32.const 10) (i32.const 2))))
    (local.set $acc (i32.add (local.get $acc) (ref.is_null (table.get $ext (i32.const 1)))))
    (local.set $acc (i32.add (local.get $acc) (ref.is_null (ref.as_non_null (ref.func $sq)))))
    (local.set $acc (i32.add (local.get $acc) (ref.eq (ref.null eq) (ref.null none))))
    (local.set $acc (i32.add (local.get $acc) (table.size $tab)))
    (drop (table.grow $tab (ref.null func) (i32.const 1)))
    (table.fill $tab (i32.const 3) (ref.func $sq) (i32.const 2))
    (table.copy $tab $tab (i32.const 0) (i32.const 3) (i32.const 1))
    (table.init $tab $e (i32.const 1) (i32.const 0) (i32.const 1))
    (elem.drop $e)
    (memory.init $dd (i32.const 100) (i32.const 0) (i32.const 8))
    (data.drop $dd)
    (memory.fill (i32.const 200) (i32.const 7) (i32.const 16))
    (memory.copy (i32.const 300) (i32.const 100) (i32.const 8))
    (local.set $acc (i32.add (local.get $acc) (i32.load8_u (i32.const 303))))
    (local.set $acc (i32.add (local.get $acc) (memory.grow (i32.const 1))))
    (local.set $acc (i32.add (local.get $acc) (memory.size)))
    (if (i32.lt_s (local.get $acc) (i32.const 0)) (then unreachable))
    (if (i32.eq (local.get $n) (i32.const 99)) (then (return (i32.const -1))))
    (i32.add (local.get $acc) (i32.add (global.get $g)
      (i32.add (i32.wrap_i64 (global.get $h)) (i32.add (i32.trunc_f64_s (global.get $d)) (i32.trunc_f32_s (global.get $f))))))))`;
