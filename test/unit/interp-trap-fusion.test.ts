/**
 * Fused ops with memory accesses before other instructions (TRAPS, translate-state.ts): one or more accesses
 * fused with the ops around them in one dispatch. The fused op's origAt names its first access and a trap mark
 * each later one, so a trap in any of them is reported with the JS tier's message and charges the JS tier's
 * fuel (up to the access, nothing after it); stops never fall inside a fused op, and every stop of a run through
 * one resumes exactly, also from a snapshot and in the other tier.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { Module, OutOfFuel, Store, Trap, watToBinary, type Instance } from '../../src/index.js';
import { Op } from '../../src/interp/exec.js';
import { THEN, TRAPS } from '../../src/interp/translate-state.js';
import type { WasmFunc } from '../../src/runtime/objects/func.js';

function inst(wat: string, store: Store): Instance {
  return store.instantiate(Module.fromBinary(watToBinary(wat)), []);
}

interface Case {
  op: Op;
  /** What sets this case apart from another of the same op (in the tests' names). */
  note?: string;
  /** A module exporting `f`. */
  wat: string;
  args: number[];
  want: unknown[];
  /**
   * Calls that trap in one of the op's accesses: the argument (an address) made BAD, and the fuel the call charges
   * (the instructions up to and including the access).
   */
  traps: { arg: number; fuel: number }[];
}

const BAD = 0x7ffffff0;

/** xs (bytes 0-31) and ys (32-63) of simd's saxpy, as f32 lanes. */
const SAXPY_DATA = [1.5, -2, 0.1, 3e7, -0.75, 1e-8, 7, -3.25, 0.2, -1, 2.5, 1e-3, -4e6, 0.3, 9, -0.5];
const SAXPY = `(memory 1) (data (i32.const 0) "${[...new Uint8Array(new Float32Array(SAXPY_DATA).buffer)].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('')}")
  (func (export "f") (param $n i32) (param $p i32) (result i32) (local $d v128) (local $x v128) (local $y v128) (local $i i32)
    (loop $l
      (local.set $x (v128.load (local.get $i)))
      (local.set $y (v128.load offset=32 (local.get $i)))
      (v128.store (i32.add (local.get $p) (local.get $i))
        (local.tee $y (f32x4.sub (f32x4.add (local.get $y) (f32x4.mul (v128.const f32x4 0.25 0.25 0.25 0.25) (local.get $x)))
                                 (f32x4.mul (local.get $y) (v128.const f32x4 0.5 0.5 0.5 0.5)))))
      (local.set $d (f32x4.add (local.get $d) (f32x4.mul (local.get $x) (local.get $y))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (local.get $n))))
    (i32.xor (i32.xor (i32x4.extract_lane 0 (local.get $d)) (i32x4.extract_lane 1 (local.get $d)))
      (i32.xor (i32.xor (i32x4.extract_lane 2 (local.get $d)) (i32x4.extract_lane 3 (local.get $d))) (i32.load offset=4 (local.get $p)))))`;

/** SAXPY's result for n bytes of lanes, the ys stored at p (in f32 arithmetic, each operation rounded). */
function saxpy(n: number, p: number): number {
  const m = new Float32Array(32);
  m.set(SAXPY_DATA);
  const f = Math.fround;
  const d = new Float32Array(4);
  for (let i = 0; i < n / 4; i += 4)
    for (let k = 0; k < 4; k++) {
      const x = m[i + k]!;
      const y0 = m[8 + i + k]!;
      const y = f(f(y0 + f(0.25 * x)) - f(y0 * 0.5));
      m[p / 4 + i + k] = y;
      d[k] = f(d[k]! + f(x * y));
    }
  const bits = new Int32Array(d.buffer);
  return bits[0]! ^ bits[1]! ^ (bits[2]! ^ bits[3]! ^ new Int32Array(m.buffer)[p / 4 + 1]!);
}

const cases: Case[] = [
  {
    // hash64's round: acc = rotl(acc + load(p) * 7, 31) * 5, over two words; nothing but the next instruction
    // reads each intermediate result, the value loaded included, so they stay in JS locals (KEEP, and its `more`)
    op: Op.I64_LOAD_ROUND_KEPT,
    wat: `(memory 1) (data (i32.const 8) "\\01\\00\\00\\00\\02\\00\\00\\00\\03\\00\\00\\00\\04\\00\\00\\00")
      (func (export "f") (param $n i32) (param $p i32) (result i64) (local $acc i64)
        (local.set $acc (i64.const 0x0123456789abcdef))
        (loop $l
          (local.set $acc (i64.mul (i64.rotl (i64.add (local.get $acc) (i64.mul (i64.load (local.get $p)) (i64.const 7))) (i64.const 31)) (i64.const 5)))
          (local.set $p (i32.add (local.get $p) (i32.const 8)))
          (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
        (local.get $acc))`,
    args: [2, 8],
    want: [hashRound(hashRound(0x0123456789abcdefn, 0x0000000200000001n), 0x0000000400000003n)],
    // i64.const, local.set, loop, local.get acc, local.get p, i64.load
    traps: [{ arg: 1, fuel: 6 }],
  },
  {
    // the same with the value loaded the mul's second operand (the mul's operands swapped)
    op: Op.I64_LOAD_ROUND_KEPT,
    note: 'the value loaded second',
    wat: `(memory 1) (data (i32.const 8) "\\01\\00\\00\\00\\02\\00\\00\\00\\03\\00\\00\\00\\04\\00\\00\\00")
      (func (export "f") (param $n i32) (param $p i32) (result i64) (local $acc i64)
        (local.set $acc (i64.const 0x0123456789abcdef))
        (loop $l
          (local.set $acc (i64.mul (i64.rotl (i64.add (local.get $acc) (i64.mul (i64.const 7) (i64.load (local.get $p)))) (i64.const 31)) (i64.const 5)))
          (local.set $p (i32.add (local.get $p) (i32.const 8)))
          (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
        (local.get $acc))`,
    args: [2, 8],
    want: [hashRound(hashRound(0x0123456789abcdefn, 0x0000000200000001n), 0x0000000400000003n)],
    // i64.const, local.set, loop, local.get acc, i64.const, local.get p, i64.load
    traps: [{ arg: 1, fuel: 7 }],
  },
  {
    // the value loaded also set to a local the function reads after the loop, the mul's second operand: not kept,
    // the op writes it to the local and reads the mul's first operand (the constant) from its slot
    op: Op.I64_LOAD_ROUND,
    wat: `(memory 1) (data (i32.const 8) "\\01\\00\\00\\00\\02\\00\\00\\00\\03\\00\\00\\00\\04\\00\\00\\00")
      (func (export "f") (param $n i32) (param $p i32) (result i64) (local $acc i64) (local $v i64)
        (local.set $acc (i64.const 0x0123456789abcdef))
        (loop $l
          (local.set $acc (i64.mul (i64.rotl (i64.add (local.get $acc) (i64.mul (i64.const 7) (local.tee $v (i64.load (local.get $p))))) (i64.const 31)) (i64.const 5)))
          (local.set $p (i32.add (local.get $p) (i32.const 8)))
          (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
        (i64.xor (local.get $acc) (local.get $v)))`,
    args: [2, 8],
    want: [hashRound(hashRound(0x0123456789abcdefn, 0x0000000200000001n), 0x0000000400000003n) ^ 0x0000000400000003n],
    // i64.const, local.set, loop, local.get acc, i64.const, local.get p, i64.load
    traps: [{ arg: 1, fuel: 7 }],
  },
  {
    op: Op.ADD_I64_LOAD_ROUND_KEPT,
    wat: `(memory 1) (data (i32.const 8) "\\01\\00\\00\\00\\02\\00\\00\\00\\03\\00\\00\\00\\04\\00\\00\\00")
      (func (export "f") (param $n i32) (param $p i32) (result i64) (local $acc i64) (local $i i32)
        (loop $l
          (local.set $acc (i64.mul (i64.rotl (i64.add (local.get $acc) (i64.mul (i64.load (i32.add (local.get $p) (local.get $i))) (i64.const 7))) (i64.const 31)) (i64.const 5)))
          (local.set $i (i32.add (local.get $i) (i32.const 8)))
          (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
        (local.get $acc))`,
    args: [2, 8],
    want: [hashRound(hashRound(0n, 0x0000000200000001n), 0x0000000400000003n)],
    // loop, local.get acc, local.get p, local.get i, i32.add, i64.load
    traps: [{ arg: 1, fuel: 6 }],
  },
  {
    // the address also set to a local the function reads after the loop: not kept, the op writes it
    op: Op.ADD_I64_LOAD_ROUND,
    wat: `(memory 1) (data (i32.const 8) "\\01\\00\\00\\00\\02\\00\\00\\00\\03\\00\\00\\00\\04\\00\\00\\00")
      (func (export "f") (param $n i32) (param $p i32) (result i64) (local $acc i64) (local $i i32) (local $a i32)
        (loop $l
          (local.set $acc (i64.mul (i64.rotl (i64.add (local.get $acc) (i64.mul (i64.load (local.tee $a (i32.add (local.get $p) (local.get $i)))) (i64.const 7))) (i64.const 31)) (i64.const 5)))
          (local.set $i (i32.add (local.get $i) (i32.const 8)))
          (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
        (i64.add (local.get $acc) (i64.extend_i32_u (local.get $a))))`,
    args: [2, 8],
    want: [hashRound(hashRound(0n, 0x0000000200000001n), 0x0000000400000003n) + 16n],
    // loop, local.get acc, local.get p, local.get i, i32.add, local.tee, i64.load
    traps: [{ arg: 1, fuel: 7 }],
  },
  {
    // the same ops with the product read again later (by the xor): not kept (KEEP), the op writes every result out
    op: Op.I64_LOAD_MUL_ADD_ROTL_MUL,
    wat: `(memory 1) (data (i32.const 8) "\\01\\00\\00\\00\\02\\00\\00\\00\\03\\00\\00\\00\\04\\00\\00\\00")
      (func (export "f") (param $n i32) (param $p i32) (result i64) (local $acc i64)
        (local.set $acc (i64.const 0x0123456789abcdef))
        (loop $l
          (local.set $acc (i64.xor (i64.mul (i64.load (local.get $p)) (i64.const 7))
            (i64.mul (i64.rotl (i64.add (local.get $acc) (i64.const 3)) (i64.const 31)) (i64.const 5))))
          (local.set $p (i32.add (local.get $p) (i32.const 8)))
          (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
        (local.get $acc))`,
    args: [2, 8],
    want: [liveRound(liveRound(0x0123456789abcdefn, 0x0000000200000001n), 0x0000000400000003n)],
    // i64.const, local.set, loop, local.get p, i64.load
    traps: [{ arg: 1, fuel: 5 }],
  },
  {
    // the round without its load, its operands all locals: I64_ROUND
    op: Op.I64_ROUND,
    wat: `(func (export "f") (param $n i32) (param $v i32) (result i64) (local $acc i64)
        (local.set $acc (i64.const 0x0123456789abcdef))
        (loop $l
          (local.set $acc (i64.mul (i64.rotl (i64.add (local.get $acc) (i64.mul (i64.extend_i32_u (local.get $v)) (i64.const 7))) (i64.const 31)) (i64.const 5)))
          (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
        (local.get $acc))`,
    args: [3, 9],
    want: [hashRound(hashRound(hashRound(0x0123456789abcdefn, 9n), 9n), 9n)],
    traps: [],
  },
  {
    // simd's saxpy (KEEP): y = (y + a * x) - y * 0.5 stored and set to y, d += x * y; the products (and the stored
    // difference) in JS locals
    op: Op.F32X4_MUL_SUB_V128_STORE_KEPT,
    wat: SAXPY,
    args: [32, 32],
    want: [saxpy(32, 32)],
    traps: [{ arg: 1, fuel: 21 }],
  },
  {
    op: Op.F32X4_MUL_ADD_KEPT,
    wat: SAXPY,
    args: [32, 64],
    want: [saxpy(32, 64)],
    traps: [{ arg: 1, fuel: 21 }],
  },
  {
    // nbody's two f32 muls (KEEP): the first product in a JS local, rounded to f32
    op: Op.F32_MUL_MUL_KEPT,
    wat: `(func (export "f") (param $n i32) (param $x f32) (result f32) (local $acc f32)
        (local.set $acc (f32.const 1))
        (loop $l
          (local.set $acc (f32.add (local.get $acc) (f32.mul (f32.mul (local.get $x) (local.get $acc)) (f32.const 0.3))))
          (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
        (local.get $acc))`,
    args: [3, 0.7],
    want: [[0, 0, 0].reduce((acc) => Math.fround(acc + Math.fround(Math.fround(Math.fround(0.7) * acc) * Math.fround(0.3))), 1)],
    traps: [],
  },
  ...[Op.F32_SUB_I32_STORE_KEPT, Op.F32_ADD_I32_STORE_KEPT].map((op) => ({
    // nbody's velocity update: m[q] = m[8] -/+ |x| (an op between the load and the add: not fused with it, below);
    // the difference or sum stored from a JS local (KEEP)
    op,
    wat: `(memory 1) (data (i32.const 8) "\\00\\00\\c0\\3f")
      (func (export "f") (param $n i32) (param $q i32) (param $x f32) (result f32)
        (loop $l
          (f32.store (local.get $q) (f32.${op === Op.F32_SUB_I32_STORE_KEPT ? 'sub' : 'add'} (f32.load (i32.const 8)) (f32.abs (local.get $x))))
          (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
        (f32.load (local.get $q)))`,
    args: [3, 8, 0.1],
    want: [[0, 0, 0].reduce((m) => Math.fround(op === Op.F32_SUB_I32_STORE_KEPT ? m - Math.fround(0.1) : m + Math.fround(0.1)), 1.5)],
    // loop, local.get q, i32.const, f32.load, local.get x, f32.abs, f32.sub, f32.store
    traps: [{ arg: 1, fuel: 8 }],
  })),
  {
    // nbody's vx += ...: m[q] = x * x + m[p] (f32.load, add, store in one op; the value loaded and the sum in JS
    // locals, KEEP)
    op: Op.I32_LOAD_F32_ADD_I32_STORE_KEPT,
    wat: `(memory 1) (data (i32.const 8) "\\00\\00\\c0\\3f")
      (func (export "f") (param $n i32) (param $p i32) (param $q i32) (param $x f32) (result f32)
        (loop $l
          (f32.store (local.get $q) (f32.add (f32.mul (local.get $x) (local.get $x)) (f32.load (local.get $p))))
          (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
        (f32.load (local.get $q)))`,
    args: [3, 8, 8, 0.3],
    want: [[0, 0, 0].reduce((m) => Math.fround(Math.fround(Math.fround(0.3) * Math.fround(0.3)) + m), 1.5)],
    traps: [
      // loop, local.get q, local.get x, local.get x, f32.mul, local.get p, f32.load
      { arg: 1, fuel: 7 },
      // and f32.add, f32.store
      { arg: 2, fuel: 9 },
    ],
  },
  ...[Op.ADD_F32_MUL_MUL_I32_LOAD_F32_ADD_I32_STORE_KEPT, Op.ADD_F32_MUL_MUL_I32_LOAD_F32_ADD_I32_STORE].map((op) => ({
    // nbody's vx += dx * m * mag with its address add: m[p + i] += x * y * 0.3 (an i32.add set to a local, two
    // f32.muls, f32.load, add and store in one op; the first product in a JS local, KEEP); written out when the
    // first product is also set to a local
    op,
    wat: `(memory 1) (data (i32.const 8) "\\00\\00\\c0\\3f\\00\\00\\20\\c1")
      (func (export "f") (param $n i32) (param $p i32) (param $x f32) (param $y f32) (result f32) (local $i i32) (local $a i32) (local $t f32)
        (loop $l
          (local.set $a (i32.add (local.get $p) (local.get $i)))
          (f32.store (local.get $a) ${
            op === Op.ADD_F32_MUL_MUL_I32_LOAD_F32_ADD_I32_STORE_KEPT
              ? '(f32.add (f32.mul (f32.mul (local.get $x) (local.get $y)) (f32.const 0.3)) (f32.load (local.get $a)))'
              : '(f32.add (f32.mul (local.tee $t (f32.mul (local.get $x) (local.get $y))) (f32.const 0.3)) (f32.load (local.get $a)))'
          })
          (local.set $i (i32.add (local.get $i) (i32.const 4)))
          (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
        (f32.add (f32.load (i32.const 8)) (f32.load (i32.const 12))))`,
    args: [2, 8, 0.7, 1.3],
    want: [Math.fround([1.5, -10].map((m) => Math.fround(m + Math.fround(Math.fround(Math.fround(0.7) * Math.fround(1.3)) * Math.fround(0.3)))).reduce((a, b) => a + b))],
    // loop, local.get p, local.get i, i32.add, local.set a, local.get a, local.get x, local.get y, f32.mul,
    // (local.tee t,) f32.const, f32.mul, local.get a, f32.load (the store's address is the load's: its trap is in
    // interp-corners)
    traps: [{ arg: 1, fuel: op === Op.ADD_F32_MUL_MUL_I32_LOAD_F32_ADD_I32_STORE_KEPT ? 13 : 14 }],
  })),
  {
    // the value loaded the add's first operand: the op written out (float operands are never swapped, KEEP)
    op: Op.I32_LOAD_F32_ADD_I32_STORE,
    wat: `(memory 1) (data (i32.const 8) "\\00\\00\\c0\\3f")
      (func (export "f") (param $n i32) (param $p i32) (param $q i32) (param $x f32) (result f32)
        (loop $l
          (f32.store (local.get $q) (f32.add (f32.load (local.get $p)) (local.get $x)))
          (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
        (f32.load (local.get $q)))`,
    args: [3, 8, 8, 0.3],
    want: [[0, 0, 0].reduce((m) => Math.fround(m + Math.fround(0.3)), 1.5)],
    traps: [
      // loop, local.get q, local.get p, f32.load
      { arg: 1, fuel: 4 },
      // and local.get x, f32.add, f32.store
      { arg: 2, fuel: 7 },
    ],
  },
  ...[false, true].flatMap((abs) =>
    [false, true].map((tee) => {
      // nbody's vx -= dx * m * mag: m[q] = m[p] - x * y * 0.3 (f32.load, mul, mul, sub, store in one op; the
      // products and the difference in JS locals, KEEP); with an op between the load and the muls (f32.abs) the
      // load is not fused; with the second product also set to a local the op is written out
      const p = Math.fround(Math.fround(Math.fround(0.7) * Math.fround(1.3)) * Math.fround(0.3));
      const m = [0, 0, 0].reduce((m) => Math.fround((abs ? Math.abs(m) : m) - p), -1.5);
      const prod = '(f32.mul (f32.mul (local.get $x) (local.get $y)) (f32.const 0.3))';
      return {
        op: abs
          ? tee
            ? Op.F32_MUL_MUL_SUB_I32_STORE
            : Op.F32_MUL_MUL_SUB_I32_STORE_KEPT
          : tee
            ? Op.I32_LOAD_F32_MUL_MUL_SUB_I32_STORE
            : Op.I32_LOAD_F32_MUL_MUL_SUB_I32_STORE_KEPT,
        wat: `(memory 1) (data (i32.const 8) "\\00\\00\\c0\\bf")
          (func (export "f") (param $n i32) (param $p i32) (param $q i32) (param $x f32) (param $y f32) (result f32) (local $t f32)
            (loop $l
              (f32.store (local.get $q) (f32.sub ${abs ? '(f32.abs (f32.load (local.get $p)))' : '(f32.load (local.get $p))'} ${tee ? `(local.tee $t ${prod})` : prod}))
              (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
            ${tee ? '(f32.add (f32.load (local.get $q)) (local.get $t))' : '(f32.load (local.get $q))'})`,
        args: [3, 8, 8, 0.7, 1.3],
        want: [tee ? Math.fround(m + p) : m],
        traps: [
          // loop, local.get q, local.get p, f32.load
          { arg: 1, fuel: 4 },
          // and (f32.abs,) local.get x, local.get y, f32.mul, f32.const, f32.mul, (local.tee,) f32.sub, f32.store
          { arg: 2, fuel: 11 + (abs ? 1 : 0) + (tee ? 1 : 0) },
        ],
      };
    }),
  ),
  {
    // nbody's dx = x - m[p + i] (i32.add, f32.load, f32.sub in one op; the address and the value loaded in JS
    // locals, KEEP), set to a local the loop reads again
    op: Op.ADD_I32_LOAD_F32_SUB_KEPT,
    wat: `(memory 1) (data (i32.const 8) "\\00\\00\\c0\\3f\\00\\00\\20\\c1")
      (func (export "f") (param $n i32) (param $p i32) (param $x f32) (result f32) (local $i i32) (local $d f32) (local $acc f32)
        (loop $l
          (local.set $d (f32.sub (local.get $x) (f32.load (i32.add (local.get $p) (local.get $i)))))
          (local.set $acc (f32.add (local.get $acc) (f32.mul (local.get $d) (local.get $d))))
          (local.set $i (i32.add (local.get $i) (i32.const 4)))
          (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
        (local.get $acc))`,
    args: [2, 8, 0.3],
    want: [[1.5, -10].reduce((acc, m) => Math.fround(acc + Math.fround(Math.fround(Math.fround(0.3) - m) ** 2)), 0)],
    // loop, local.get x, local.get p, local.get i, i32.add, f32.load
    traps: [{ arg: 1, fuel: 6 }],
  },
  {
    // the value loaded the sub's first operand: written out (float operands are never swapped, KEEP)
    op: Op.ADD_I32_LOAD_F32_SUB,
    wat: `(memory 1) (data (i32.const 8) "\\00\\00\\c0\\3f\\00\\00\\20\\c1")
      (func (export "f") (param $n i32) (param $p i32) (param $x f32) (result f32) (local $i i32) (local $d f32) (local $acc f32)
        (loop $l
          (local.set $d (f32.sub (f32.load (i32.add (local.get $p) (local.get $i))) (local.get $x)))
          (local.set $acc (f32.add (local.get $acc) (f32.mul (local.get $d) (local.get $d))))
          (local.set $i (i32.add (local.get $i) (i32.const 4)))
          (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
        (local.get $acc))`,
    args: [2, 8, 0.3],
    want: [[1.5, -10].reduce((acc, m) => Math.fround(acc + Math.fround(Math.fround(m - Math.fround(0.3)) ** 2)), 0)],
    // loop, local.get p, local.get i, i32.add, f32.load
    traps: [{ arg: 1, fuel: 5 }],
  },
  {
    // simd's loads: acc += v128.load(p + i); the address in a JS local (KEEP)
    op: Op.ADD_V128_LOAD_KEPT,
    wat: `(memory 1) (data (i32.const 16) "\\01\\00\\00\\00\\02\\00\\00\\00\\03\\00\\00\\00\\04\\00\\00\\00\\05\\00\\00\\00\\06\\00\\00\\00\\07\\00\\00\\00\\08\\00\\00\\00")
      (func (export "f") (param $n i32) (param $p i32) (result i32) (local $i i32) (local $acc v128)
        (loop $l
          (local.set $acc (i32x4.add (local.get $acc) (v128.load (i32.add (local.get $p) (local.get $i)))))
          (local.set $i (i32.add (local.get $i) (i32.const 16)))
          (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
        (i32x4.extract_lane 1 (local.get $acc)))`,
    args: [2, 16],
    want: [2 + 6],
    // loop, local.get acc, local.get p, local.get i, i32.add, v128.load
    traps: [{ arg: 1, fuel: 6 }],
  },
  ...[Op.ROTL_ROTL_XOR_KEPT, Op.ROTL_XOR_KEPT].map((op) => ({
    // sha256's Sigma: two rotations xored, a third xored in (KEEP: every rotated value in a JS local)
    op,
    wat: `(func (export "f") (param $n i32) (param $x i32) (result i32)
        (loop $l
          (local.set $x (i32.xor (i32.xor (i32.rotl (local.get $x) (i32.const 26)) (i32.rotl (local.get $x) (i32.const 21)))
                                 (i32.rotl (local.get $x) (i32.const 7))))
          (local.set $x (i32.add (local.get $x) (local.get $n)))
          (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
        (local.get $x))`,
    args: [3, 0x6a09e667],
    want: [[3, 2, 1].reduce((x, n) => ((((x << 26) | (x >>> 6)) ^ ((x << 21) | (x >>> 11)) ^ ((x << 7) | (x >>> 25))) + n) | 0, 0x6a09e667)],
    traps: [],
  })),
  {
    // alloc's checksum loop: h ^= load8_u(i * 3 + p) while ++i < n
    op: Op.MUL_ADD_LOAD8_U_XOR_ADD_BR_IF_LT_U,
    wat: `(memory 1) (data (i32.const 16) "\\01\\02\\03\\04\\05\\06\\07\\08\\09\\0a")
      (func (export "f") (param $n i32) (param $p i32) (result i32) (local $i i32) (local $h i32)
        (loop $l
          (local.set $h (i32.xor (local.get $h) (i32.load8_u (i32.add (i32.mul (local.get $i) (i32.const 3)) (local.get $p)))))
          (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
        (i32.add (local.get $h) (local.get $i)))`,
    args: [3, 16],
    want: [(1 ^ 4 ^ 7) + 3],
    // loop, local.get h, local.get i, i32.const, i32.mul, local.get p, i32.add, i32.load8_u
    traps: [{ arg: 1, fuel: 8 }],
  },
  {
    // sieve's marking loop: store8(p + j) = 1 while (j += 3) < n
    op: Op.ADD_I32_STORE8_ADD_BR_IF_LT_U,
    wat: `(memory 1)
      (func (export "f") (param $n i32) (param $p i32) (result i32) (local $j i32)
        (loop $l
          (i32.store8 (i32.add (local.get $p) (local.get $j)) (i32.const 1))
          (br_if $l (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 3))) (local.get $n))))
        (i32.add (i32.add (i32.load8_u (i32.const 3)) (i32.load8_u (i32.const 4))) (i32.add (i32.load8_u (i32.const 9)) (local.get $j))))`,
    args: [10, 0],
    want: [1 + 0 + 1 + 12],
    // loop, local.get p, local.get j, i32.add, i32.const, i32.store8
    traps: [{ arg: 1, fuel: 6 }],
  },
  {
    // dispatch's bounds test: count while i < load(p)
    op: Op.I32_LOAD_BR_IF_LT_U,
    wat: `(memory 1) (data (i32.const 4) "\\05\\00\\00\\00")
      (func (export "f") (param $n i32) (param $p i32) (result i32) (local $i i32)
        (loop $l
          (local.set $i (i32.sub (local.get $i) (local.get $n)))
          (br_if $l (i32.lt_u (local.get $i) (i32.load (local.get $p)))))
        (local.get $i))`,
    args: [-2, 4],
    want: [6],
    // loop, local.get i, local.get n, i32.sub, local.set i, local.get i, local.get p, i32.load
    traps: [{ arg: 1, fuel: 8 }],
  },
  {
    // sieve's byte test: a select on a byte loaded
    op: Op.I32_LOAD8_U_SELECT,
    wat: `(memory 1) (data (i32.const 4) "\\05\\00\\07")
      (func (export "f") (param $a i32) (param $p i32) (result i32)
        (i32.add (select (local.get $a) (i32.const 100) (i32.load8_u (local.get $p)))
                 (select (local.get $a) (i32.const 100) (i32.load8_u (i32.const 5)))))`,
    args: [3, 4],
    want: [103],
    // local.get a, i32.const, local.get p, i32.load8_u
    traps: [{ arg: 1, fuel: 4 }],
  },
  {
    op: Op.ADD_I32_LOAD8_U_SELECT,
    wat: `(memory 1) (data (i32.const 4) "\\05\\00\\07")
      (func (export "f") (param $a i32) (param $p i32) (result i32)
        (select (local.get $a) (i32.const 100) (i32.load8_u (i32.add (local.get $p) (local.get $a)))))`,
    args: [1, 5],
    want: [1],
    // local.get a, i32.const, local.get p, local.get a, i32.add, i32.load8_u
    traps: [{ arg: 1, fuel: 6 }],
  },
  {
    // matmul's inner loop without its first load: two accesses in one op
    op: Op.F64_MUL_LOAD_ADD_STORE,
    wat: `(memory 1) (data (i32.const 8) "\\00\\00\\00\\00\\00\\00\\00\\40")
      (func (export "f") (param $x f64) (param $c i32) (param $d i32) (result f64)
        (f64.store (local.get $d) (f64.add (f64.mul (local.get $x) (local.get $x)) (f64.load (local.get $c))))
        (f64.load (local.get $d)))`,
    args: [3, 8, 16],
    want: [11],
    traps: [
      // local.get d, local.get x, local.get x, f64.mul, local.get c, f64.load
      { arg: 1, fuel: 6 },
      // and f64.add, f64.store
      { arg: 2, fuel: 8 },
    ],
  },
  {
    op: Op.F64_LOAD_MUL_LOAD_ADD_STORE,
    wat: `(memory 1) (data (i32.const 8) "\\00\\00\\00\\00\\00\\00\\00\\40")
      (func (export "f") (param $x f64) (param $a i32) (param $c i32) (param $d i32) (result f64)
        (f64.store (local.get $d) (f64.add (f64.mul (f64.load (local.get $a)) (local.get $x)) (f64.load (local.get $c))))
        (f64.load (local.get $d)))`,
    args: [3, 8, 8, 16],
    want: [8],
    traps: [
      // local.get d, local.get a, f64.load
      { arg: 1, fuel: 3 },
      // and local.get x, f64.mul, local.get c, f64.load
      { arg: 2, fuel: 7 },
      // and f64.add, f64.store
      { arg: 3, fuel: 9 },
    ],
  },
  {
    // matmul's inner loop: two address adds, three accesses in one op
    op: Op.ADD_ADD_F64_LOAD_MUL_LOAD_ADD_STORE,
    wat: `(memory 1) (data (i32.const 8) "\\00\\00\\00\\00\\00\\00\\00\\40")
      (func (export "f") (param $x f64) (param $a i32) (param $c i32) (param $d i32) (result f64) (local $i i32)
        (f64.store (local.get $d)
          (f64.add (f64.mul (f64.load (i32.add (i32.add (local.get $a) (local.get $i)) (local.get $i))) (local.get $x)) (f64.load (local.get $c))))
        (f64.load (local.get $d)))`,
    args: [3, 8, 8, 16],
    want: [8],
    traps: [
      // local.get d, local.get a, local.get i, i32.add, local.get i, i32.add, f64.load
      { arg: 1, fuel: 7 },
      // and local.get x, f64.mul, local.get c, f64.load
      { arg: 2, fuel: 11 },
      // and f64.add, f64.store
      { arg: 3, fuel: 13 },
    ],
  },
  {
    // matmul's own order (the value loaded the mul's second operand, the product the add's first): the values
    // between the accesses kept in JS locals (KEEP)
    op: Op.F64_LOAD_MUL_LOAD_ADD_STORE_KEPT,
    wat: `(memory 1) (data (i32.const 8) "\\00\\00\\00\\00\\00\\00\\00\\40")
      (func (export "f") (param $x f64) (param $a i32) (param $c i32) (param $d i32) (result f64)
        (f64.store (local.get $d) (f64.add (f64.mul (local.get $x) (f64.load (local.get $a))) (f64.load (local.get $c))))
        (f64.load (local.get $d)))`,
    args: [3, 8, 8, 16],
    want: [8],
    traps: [
      // local.get d, local.get x, local.get a, f64.load
      { arg: 1, fuel: 4 },
      // and f64.mul, local.get c, f64.load
      { arg: 2, fuel: 7 },
      // and f64.add, f64.store
      { arg: 3, fuel: 9 },
    ],
  },
  {
    op: Op.ADD_ADD_F64_LOAD_MUL_LOAD_ADD_STORE_KEPT,
    wat: `(memory 1) (data (i32.const 8) "\\00\\00\\00\\00\\00\\00\\00\\40")
      (func (export "f") (param $x f64) (param $a i32) (param $c i32) (param $d i32) (result f64) (local $i i32)
        (loop $l
          (f64.store (local.get $d)
            (f64.add (f64.mul (local.get $x) (f64.load (i32.add (i32.add (local.get $a) (local.get $i)) (local.get $i)))) (f64.load (local.get $c))))
          (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 4))) (i32.const 8))))
        (f64.load (local.get $d)))`,
    args: [3, 8, 8, 16],
    // i = 0: 3 * 2 (at 8) + 2 (at 8) = 8, stored at 16; i = 4: 3 * 8 (at 16, just stored) + 2
    want: [3 * 8 + 2],
    traps: [
      // loop, local.get d, local.get x, local.get a, local.get i, i32.add, local.get i, i32.add, f64.load
      { arg: 1, fuel: 9 },
      // and f64.mul, local.get c, f64.load
      { arg: 2, fuel: 12 },
      // and f64.add, f64.store
      { arg: 3, fuel: 14 },
    ],
  },
];

function hashRound(acc: bigint, v: bigint): bigint {
  const m = (1n << 64n) - 1n;
  const x = (BigInt.asUintN(64, acc) + v * 7n) & m;
  return BigInt.asIntN(64, (((x << 31n) | (x >> 33n)) * 5n) & m);
}

function liveRound(acc: bigint, v: bigint): bigint {
  const m = (1n << 64n) - 1n;
  const x = (BigInt.asUintN(64, acc) + 3n) & m;
  return BigInt.asIntN(64, ((v * 7n) & m) ^ ((((x << 31n) | (x >> 33n)) * 5n) & m));
}

/** The names of the ops, read from exec.ts' `const enum Op` (a const enum has no object to read them from). */
const OP_NAMES: string[] = (() => {
  const src = readFileSync(new URL('../../src/interp/exec.ts', import.meta.url), 'utf8');
  const body = src.slice(src.indexOf('export const enum Op {') + 'export const enum Op {'.length);
  const members = body
    .slice(0, body.indexOf('\n}'))
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '')
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '');
  const names: string[] = [];
  let v = 0;
  for (const m of members) {
    const [n, init] = m.split('=').map((x) => x.trim());
    if (init !== undefined) v = Number(init);
    names[v++] = n!;
  }
  return names;
})();
const opName = (op: number): string => OP_NAMES[op]!;

function fusedOps(store: Store, i: Instance): number[] {
  return [...store.machine.compile(i.getExport('f') as WasmFunc).code];
}

describe('memory accesses fused with the ops after them (TRAPS)', () => {
  test('TRAPS holds the accesses and every fused op with one in it, and nothing else', () => {
    const name = opName;
    expect(name(Op.F64_MUL_LOAD_ADD_STORE)).toBe('F64_MUL_LOAD_ADD_STORE');
    const ops = new Set<number>();
    for (const [first, then] of THEN) {
      ops.add(first);
      for (const [second, fused] of then) ops.add(second).add(fused);
    }
    for (const op of ops) expect(TRAPS.has(op), name(op)).toBe(/LOAD|STORE/.test(name(op)));
    for (const op of TRAPS) expect(ops.has(op), name(op)).toBe(true);
  });

  for (const c of cases) {
    const name = opName(c.op) + (c.note ? ` (${c.note})` : '');

    test(`${name}: translated as one op, the same results and fuel in both tiers`, () => {
      const fuel: number[] = [];
      for (const tier of ['interp', 'js'] as const) {
        const store = new Store({ fuel: 100_000, tier });
        const i = inst(`(module ${c.wat})`, store);
        expect(i.call('f', ...c.args)).toEqual(c.want);
        fuel.push(store.fuelConsumed);
        if (tier === 'interp') expect(fusedOps(store, i)).toContain(c.op);
      }
      expect(fuel[0]).toBe(fuel[1]);
    });

    for (const t of c.traps)
      test(`${name}: a trap in its access (argument ${t.arg}) has the JS tier's message and charges up to the access`, () => {
        const got: { message: string; fuel: number }[] = [];
        const args = c.args.map((a, k) => (k === t.arg ? BAD : a));
        for (const tier of ['interp', 'js'] as const) {
          const store = new Store({ fuel: 100_000, tier });
          const i = inst(`(module ${c.wat})`, store);
          let err: unknown;
          try {
            i.call('f', ...args);
          } catch (e) {
            err = e;
          }
          expect(err).toBeInstanceOf(Trap);
          got.push({ message: (err as Error).message, fuel: store.fuelConsumed });
          if (tier === 'interp') expect(fusedOps(store, i)).toContain(c.op);
        }
        expect(got[0]!.message).toMatch(/out of bounds memory access/);
        expect(got[0]).toEqual(got[1]);
        expect(got[0]!.fuel).toBe(t.fuel);
      });

    test(`${name}: stopped at every budget, snapshotted and restored (tiers alternating): the same end`, () => {
      const ref = new Store({ fuel: 100_000, tier: 'interp' });
      const want = inst(`(module ${c.wat})`, ref).call('f', ...c.args);
      const total = ref.fuelConsumed;
      for (let budget = 0; budget < total; budget++) {
        const store = new Store({ fuel: budget, tier: 'interp' });
        const i = inst(`(module ${c.wat})`, store);
        let stop: unknown;
        try {
          i.call('f', ...c.args);
        } catch (e) {
          stop = e;
        }
        expect(stop, `budget ${budget} of ${total}`).toBeInstanceOf(OutOfFuel);
        const r = Store.restore(store.snapshot(), { store: { tier: budget % 2 ? 'interp' : 'js' } });
        r.store.addFuel(total - budget);
        expect(r.stop!.resume(), `budget ${budget}`).toEqual(want);
        expect(r.store.fuelConsumed, `budget ${budget}`).toBe(total);
      }
    });
  }
});
