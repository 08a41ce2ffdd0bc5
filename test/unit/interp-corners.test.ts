/**
 * Interpreter corners the spec suite does not reach directly: deep
 * recursion, big br_tables, NaN bit patterns through locals, globals and
 * memory, and regressions found by the spec runner.
 */
import { describe, expect, test } from 'vitest';
import { funcType, Linker, Module, RawF32, RawF64, Store, Trap, watToBinary, type Instance } from '../../src/index.js';
import { Op } from '../../src/interp/exec.js';
import type { WasmFunc } from '../../src/runtime/objects/func.js';
import { runStarved } from '../shared/starved.js';

function inst(wat: string, store = new Store()): Instance {
  return store.instantiate(Module.fromBinary(watToBinary(wat)), []);
}

describe('regressions from the spec runner', () => {
  test('operations on two constants read both constants', () => {
    const i = inst(`(module
      (func (export "a") (result i32) (i32.add (i32.const -0x80000000) (i32.const 1)))
      (func (export "b") (result i64) (i64.sub (i64.const 10) (i64.const 3)))
      (func (export "c") (param i32) (result i32) (i32.mul (i32.const 6) (i32.const 7))))`);
    expect(i.call('a')).toEqual([-0x7fffffff]);
    expect(i.call('b')).toEqual([7n]);
    expect(i.call('c', 0)).toEqual([42]);
  });

  test('a data segment is visible to loads with a constant address', () => {
    const i = inst(`(module (memory (data "\\00\\00\\a0\\7f")) (func (export "f") (result i32) (i32.load (i32.const 0))))`);
    expect(i.call('f')).toEqual([0x7fa00000]);
  });

  test('branches to the function label from inside loops and blocks', () => {
    const i = inst(`(module
      (func (export "loop") (param i32) (result i32)
        (block (loop (br_if 1 (local.get 0)) (return (i32.const 2)))) (i32.const 3))
      (func (export "fn") (param i32) (result i32)
        (loop (br_if 1 (i32.const 9) (local.get 0)) (return (i32.const 4))) (unreachable))
      (func (export "empty") (br 0))
      (func (export "table") (param i32) (result i32 i64)
        (i32.const 5) (i64.const 6) (br_table 0 0 (local.get 0))))`);
    expect(i.call('loop', 0)).toEqual([2]);
    expect(i.call('loop', 1)).toEqual([3]);
    expect(i.call('fn', 1)).toEqual([9]);
    expect(i.call('fn', 0)).toEqual([4]);
    expect(i.call('empty')).toEqual([]);
    expect(i.call('table', 7)).toEqual([5, 6n]);
  });

  test('call_indirect to a null entry names the element', () => {
    const i = inst(`(module (type $t (func)) (table 4 funcref)
      (func (export "f") (param i32) (call_indirect (type $t) (local.get 0))))`);
    expect(() => i.call('f', 2)).toThrow(new Trap('uninitialized element 2'));
    expect(() => i.call('f', 4)).toThrow(new Trap('undefined element'));
  });

  test('rounding a signalling NaN quiets it', () => {
    const i = inst(`(module
      (func (export "floor") (param f64) (result f64) (f64.floor (local.get 0)))
      (func (export "ceil") (param f64) (result f64) (f64.ceil (local.get 0)))
      (func (export "trunc") (param f64) (result f64) (f64.trunc (local.get 0)))
      (func (export "nearest") (param f64) (result f64) (f64.nearest (local.get 0))))`);
    const store = i.store;
    for (const op of ['floor', 'ceil', 'trunc', 'nearest']) {
      const f = i.getExport(op) as Parameters<Store['invoke']>[0];
      const [r] = store.invoke(f, [new RawF64(1, 0xfff00000 | 0)], true) as [RawF64];
      expect(r.hi >>> 0, op).toBe(0xfff80000);
      expect(r.lo, op).toBe(1);
    }
  });

  test('wide arithmetic with operands from locals and constants', () => {
    const i = inst(`(module
      (func (export "add") (param i64 i64) (result i64 i64)
        (i64.add128 (local.get 0) (i64.const 0) (local.get 1) (i64.const -1)))
      (func (export "mul") (param i64 i64) (result i64 i64) (i64.mul_wide_u (local.get 0) (local.get 1))))`);
    expect(i.call('add', -1n, 1n)).toEqual([0n, 0n]);
    expect(i.call('mul', -1n, 2n)).toEqual([-2n, 1n]);
  });
});

describe('memory grown by a callee', () => {
  // a return reloads the memory's view only when it changes instance: within one, the callee's memory.grow has
  // refreshed the loop's view already
  test('the caller reads the grown memory after the call returns, in the same instance and across instances', () => {
    const store = new Store({ tier: 'interp' });
    const a = inst(
      `(module (memory (export "mem") 1)
        (func $grow (export "grow") (result i32) (memory.grow (i32.const 1)))
        (func (export "f") (result i32)
          (drop (call $grow))
          (i32.store (i32.const 70000) (i32.const 42))
          (i32.load (i32.const 70000))))`,
      store,
    );
    expect(a.call('f')).toEqual([42]);
    const b = new Linker().define('a', 'mem', a.getExport('mem')!).define('a', 'grow', a.getExport('grow')!);
    const c = b.instantiate(
      store,
      Module.fromBinary(
        watToBinary(`(module (import "a" "mem" (memory 1)) (import "a" "grow" (func $grow (result i32)))
          (func (export "f") (result i32)
            (drop (call $grow))
            (i32.store (i32.const 140000) (i32.const 7))
            (i32.load (i32.const 140000))))`),
      ),
    );
    expect(c.call('f')).toEqual([7]);
    // an instance with a memory of its own reads its own again after calling into another that grows its memory
    const own = new Linker().define('a', 'grow', a.getExport('grow')!).instantiate(
      store,
      Module.fromBinary(
        watToBinary(`(module (import "a" "grow" (func $grow (result i32))) (memory 1) (data (i32.const 100) "\\05")
          (func (export "f") (result i32) (drop (call $grow)) (i32.load8_u (i32.const 100))))`),
      ),
    );
    expect(own.call('f')).toEqual([5]);
  });
});

describe('deep recursion', () => {
  const wat = `(module (func $f (export "f") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $f (i32.sub (local.get 0) (i32.const 1))))))))`;

  test('recursion far deeper than the JS stack allows runs', () => {
    const store = new Store({ limits: { maxCallDepth: 500_000 } });
    expect(inst(wat, store).call('f', 200_000)).toEqual([200_000]);
    expect(store.peaks.callDepth).toBeGreaterThanOrEqual(200_000);
  });

  test('the call-depth limit traps with "call stack exhausted" and the store stays usable', () => {
    const store = new Store({ limits: { maxCallDepth: 1000 } });
    const i = inst(wat, store);
    expect(() => i.call('f', 5000)).toThrow(new Trap('call stack exhausted'));
    expect(i.call('f', 500)).toEqual([500]);
  });

  test('unbounded recursion traps under the default limit', () => {
    const i = inst(`(module (func $f (export "f") (call $f)))`);
    expect(() => i.call('f')).toThrow(new Trap('call stack exhausted'));
  });
});

describe('big br_table', () => {
  test('a br_table with 20,000 targets picks each one', () => {
    const n = 20_000;
    // target k exits k + 1 blocks and lands on `return k`; the default is 6
    const targets = Array.from({ length: n }, (_, k) => k % 7).join(' ');
    const i = inst(`(module (func (export "f") (param i32) (result i32)
      (block (block (block (block (block (block (block
        (br_table ${targets} 6 (local.get 0))
      ) (return (i32.const 0))) (return (i32.const 1))) (return (i32.const 2)))
      (return (i32.const 3))) (return (i32.const 4))) (return (i32.const 5))) (return (i32.const 6))))`);
    for (const x of [0, 1, 6, 7, 13, 19_999]) expect(i.call('f', x)).toEqual([x % 7]);
    expect(i.call('f', n)).toEqual([6]); // out of range: the default
    expect(i.call('f', -1)).toEqual([6]);
  });
});

describe('NaN bit patterns survive non-arithmetic operations', () => {
  const wat = `(module (memory 1)
    (global $g32 (mut f32) (f32.const 0)) (global $g64 (mut f64) (f64.const 0))
    (func (export "f32") (param f32) (result f32) (local f32)
      (local.set 1 (local.get 0))
      (global.set $g32 (local.get 1))
      (f32.store (i32.const 8) (global.get $g32))
      (select (f32.load (i32.const 8)) (f32.const 0) (i32.const 1)))
    (func (export "f64") (param f64) (result f64) (local f64)
      (local.set 1 (local.get 0))
      (global.set $g64 (local.get 1))
      (f64.store (i32.const 16) (global.get $g64))
      (f64.copysign (f64.load (i32.const 16)) (f64.const 1)))
    (func (export "neg") (param f32) (result f32) (f32.neg (f32.abs (local.get 0))))
    (func (export "reinterp") (param i64) (result i64) (i64.reinterpret_f64 (f64.reinterpret_i64 (local.get 0)))))`;

  test('signalling and payload NaNs through locals, globals, memory, select and copysign', () => {
    const store = new Store();
    const i = inst(wat, store);
    const f = (n: string): Parameters<Store['invoke']>[0] => i.getExport(n) as Parameters<Store['invoke']>[0];
    for (const bits of [0x7f800001, 0x7fa00000 | 0, 0xff812345 | 0, 0x7fc00000]) {
      const [r] = store.invoke(f('f32'), [new RawF32(bits)], true) as [RawF32];
      expect(r.bits | 0).toBe(bits);
    }
    for (const [lo, hi] of [
      [1, 0x7ff00000],
      [0xdeadbeef | 0, 0x7ff40000],
      [5, 0xfff00000 | 0],
    ] as const) {
      const [r] = store.invoke(f('f64'), [new RawF64(lo, hi)], true) as [RawF64];
      expect([r.lo, r.hi]).toEqual([lo, hi & 0x7fffffff]);
    }
    const [n] = store.invoke(f('neg'), [new RawF32(0x7f800001)], true) as [RawF32];
    expect(n.bits >>> 0).toBe(0xff800001);
    expect(i.call('reinterp', 0x7ff0000000000001n)).toEqual([0x7ff0000000000001n]);
  });
});

describe('fused ops (an i32.add and the op after it in one dispatch)', () => {
  // found by the fuel property test: the trap refund read the position inside the fused op
  const fused = ['i32.store', 'i32.store8', 'i64.store', 'i32.load', 'i32.load8_u', 'i64.load'];
  for (const op of fused) {
    test(`a trap in the second half of i32.add + ${op} charges up to the trapping instruction, like the JS tier`, () => {
      const store = op.endsWith('store') || op.endsWith('store8') ? `(${op} (i32.add (i32.const 0) (i32.const 0x7fffffff)) (${op.startsWith('i64') ? 'i64' : 'i32'}.const 0))` : `(drop (${op} (i32.add (i32.const 0) (i32.const 0x7fffffff))))`;
      const wat = `(module (memory 1) (func (export "f") (result i32) ${store} (nop) (i32.const 0)))`;
      const fuel: number[] = [];
      for (const tier of ['interp', 'js'] as const) {
        const s = new Store({ fuel: 1000, tier });
        const i = inst(wat, s);
        expect(() => i.call('f')).toThrow(Trap);
        fuel.push(s.fuelConsumed);
      }
      // i32.const, i32.const, i32.add, [i32.const/i64.const,] the access
      expect(fuel[0]).toBe(op.includes('store') ? 5 : 4);
      expect(fuel[0]).toBe(fuel[1]);
    });
  }
});

describe('fused pairs (THEN, translate-state.ts: two ops in one dispatch)', () => {
  // each function runs one pair; the translation must hold the fused op, and both tiers the same results and fuel
  const cases: { name: string; op: Op; wat: string; args: (number | bigint)[]; want: (number | bigint)[] }[] = [
    {
      name: 'local.set of a local.get twice (COPY_COPY)',
      op: Op.COPY_COPY,
      wat: `(func (export "f") (param i32 i32) (result i32) (local i32 i32)
        (local.set 2 (local.get 0)) (local.set 3 (local.get 1)) (i32.sub (local.get 2) (local.get 3)))`,
      args: [50, 8],
      want: [42],
    },
    {
      // the rotated value the xor's second operand, swapped in (KEEP): kept in a JS local
      name: 'i32.rotl, i32.xor (ROTL_XOR_KEPT)',
      op: Op.ROTL_XOR_KEPT,
      wat: `(func (export "f") (param i32 i32 i32) (result i32) (i32.xor (local.get 2) (i32.rotl (local.get 0) (local.get 1))))`,
      args: [0x80000001, 4, 0x0f],
      want: [0x10 ^ 0x08 ^ 0x0f],
    },
    {
      // the rotated value read again later: written out
      name: 'i32.rotl, i32.xor of other values (ROTL_XOR)',
      op: Op.ROTL_XOR,
      wat: `(func (export "f") (param i32 i32 i32) (result i32)
        (i32.rotl (local.get 0) (local.get 1)) (i32.xor (local.get 2) (local.get 1)) (i32.sub))`,
      args: [0x80000001, 4, 0x0f],
      want: [0x18 - (0x0f ^ 4)],
    },
    {
      name: 'i32.shr_u, i32.and (SHR_U_AND)',
      op: Op.SHR_U_AND,
      wat: `(func (export "f") (param i32 i32) (result i32) (i32.and (i32.shr_u (local.get 0) (local.get 1)) (i32.const 0xff)))`,
      args: [0xabcd1234 | 0, 8],
      want: [0x12],
    },
    {
      // the first product the second mul's first operand, read by nothing else: kept in a JS local (KEEP), rounded
      name: 'f32.mul, f32.mul (F32_MUL_MUL_KEPT)',
      op: Op.F32_MUL_MUL_KEPT,
      wat: `(func (export "f") (param f32 f32 f32) (result f32) (f32.mul (f32.mul (local.get 0) (local.get 1)) (local.get 2)))`,
      // the product rounded before the second mul: 5.766407012939453 (5.766407489776611 unrounded)
      args: [1.5609402656555176, 1.953391194343567, 1.8911666870117188],
      want: [5.766407012939453],
    },
    {
      // the first product the second mul's second operand: written out (float operands are never swapped)
      name: 'f32.mul, f32.mul of the product second (F32_MUL_MUL)',
      op: Op.F32_MUL_MUL,
      wat: `(func (export "f") (param f32 f32 f32) (result f32) (local f32) (local.set 3 (local.get 2))
        (f32.mul (local.get 3) (f32.mul (local.get 0) (local.get 1))))`,
      args: [0.1, 3, 7],
      want: [Math.fround(Math.fround(Math.fround(0.1) * 3) * 7)],
    },
    {
      name: 'i64.rotl, i64.mul (I64_ROTL_MUL)',
      op: Op.I64_ROTL_MUL,
      wat: `(func (export "f") (param i64 i64 i64) (result i64) (i64.mul (i64.rotl (local.get 0) (local.get 1)) (local.get 2)))`,
      args: [0x8000000000000001n, 4n, 3n],
      want: [0x48n],
    },
    {
      name: 'i64.mul, i64.add (I64_MUL_ADD)',
      op: Op.I64_MUL_ADD,
      wat: `(func (export "f") (param i64 i64 i64) (result i64) (i64.add (i64.mul (local.get 0) (local.get 1)) (local.get 2)))`,
      args: [0x100000001n, 0x100000001n, -1n],
      want: [0x200000000n],
    },
    {
      name: 'f64.mul, f64.load (F64_MUL_F64_LOAD)',
      op: Op.F64_MUL_F64_LOAD,
      wat: `(memory 1) (data (i32.const 8) "\\00\\00\\00\\00\\00\\00\\10\\40")
        (func (export "f") (param f64 f64 i32) (result f64) (f64.add (f64.mul (local.get 0) (local.get 1)) (f64.load (local.get 2))))`,
      args: [3, 0.5, 8],
      want: [5.5],
    },
    {
      name: 'f64.add, f64.store (F64_ADD_F64_STORE)',
      op: Op.F64_ADD_F64_STORE,
      wat: `(memory 1)
        (func (export "f") (param f64 f64 i32) (result f64) (f64.store (local.get 2) (f64.add (local.get 0) (local.get 1))) (f64.load (local.get 2)))`,
      args: [3, 0.25, 16],
      want: [3.25],
    },
    {
      name: 'i32.add, a single result returned (ADD_COPY_RETURN)',
      op: Op.ADD_COPY_RETURN,
      wat: `(func (export "f") (param i32 i32) (result i32) (local i32) (local.set 2 (local.get 1)) (i32.add (local.get 0) (local.get 2)))`,
      args: [0x7fffffff, 2],
      want: [-0x7fffffff],
    },
    {
      // the address read by the load only: kept in a JS local (KEEP)
      name: 'i32.add, v128.load (ADD_V128_LOAD_KEPT)',
      op: Op.ADD_V128_LOAD_KEPT,
      wat: `(memory 1) (data (i32.const 16) "\\01\\00\\00\\00\\02\\00\\00\\00\\03\\00\\00\\00\\04\\00\\00\\00")
        (func (export "f") (param i32 i32) (result i32) (i32x4.extract_lane 2 (v128.load (i32.add (local.get 0) (local.get 1)))))`,
      args: [8, 8],
      want: [3],
    },
    {
      // the address also set to a local the function reads again: written out
      name: 'i32.add set to a local, v128.load (ADD_V128_LOAD)',
      op: Op.ADD_V128_LOAD,
      wat: `(memory 1) (data (i32.const 16) "\\01\\00\\00\\00\\02\\00\\00\\00\\03\\00\\00\\00\\04\\00\\00\\00")
        (func (export "f") (param i32 i32) (result i32) (local i32)
          (i32.add (i32x4.extract_lane 2 (v128.load (local.tee 2 (i32.add (local.get 0) (local.get 1))))) (local.get 2)))`,
      args: [8, 4],
      want: [2 + 12],
    },
    {
      name: 'three copies (COPY3)',
      op: Op.COPY3,
      wat: `(func (export "f") (param i32 i32 i32) (result i32) (local i32 i32 i32)
        (local.set 3 (local.get 0)) (local.set 4 (local.get 1)) (local.set 5 (local.get 2))
        (i32.sub (i32.sub (local.get 3) (local.get 4)) (local.get 5)))`,
      args: [50, 8, 2],
      want: [40],
    },
    {
      // both rotated values read by the xor only: kept in JS locals (KEEP)
      name: 'i32.rotl, i32.rotl, i32.xor (ROTL_ROTL_XOR_KEPT)',
      op: Op.ROTL_ROTL_XOR_KEPT,
      wat: `(func (export "f") (param i32 i32) (result i32) (i32.xor (i32.rotl (local.get 0) (i32.const 4)) (i32.rotl (local.get 1) (i32.const 8))))`,
      args: [0x80000001 | 0, 0x01000002],
      want: [0x18 ^ 0x201],
    },
    {
      // the first rotated value read again later (the xor reads another): written out
      name: 'i32.rotl, i32.rotl, i32.xor of other values (ROTL_ROTL_XOR)',
      op: Op.ROTL_ROTL_XOR,
      wat: `(func (export "f") (param i32 i32) (result i32)
        (i32.rotl (local.get 0) (i32.const 4)) (i32.xor (local.get 1) (i32.rotl (local.get 0) (i32.const 8))) (i32.sub))`,
      args: [0x80000001 | 0, 3],
      want: [(0x18 - (3 ^ 0x180)) | 0],
    },
    {
      name: 'i32.mul, i32.add, i32.load8_u (MUL_ADD_I32_LOAD8_U)',
      op: Op.MUL_ADD_I32_LOAD8_U,
      wat: `(memory 1) (data (i32.const 40) "\\07\\08\\09")
        (func (export "f") (param i32 i32) (result i32) (i32.load8_u (i32.add (i32.mul (local.get 0) (i32.const 10)) (local.get 1))))`,
      args: [4, 2],
      want: [9],
    },
    {
      name: 'i32.xor, i32.add, compare and branch (XOR_ADD_BR_IF_LT_U)',
      op: Op.XOR_ADD_BR_IF_LT_U,
      wat: `(func (export "f") (param i32 i32) (result i32) (local i32 i32)
        (loop $l
          (local.set 3 (i32.xor (local.get 3) (local.get 2)))
          (br_if $l (i32.lt_u (local.tee 2 (i32.add (local.get 2) (i32.const 1))) (local.get 0))))
        (i32.add (local.get 3) (local.get 2)))`,
      args: [10, 0],
      want: [(0 ^ 1 ^ 2 ^ 3 ^ 4 ^ 5 ^ 6 ^ 7 ^ 8 ^ 9) + 10],
    },
    {
      name: 'i32.shl, i32.add, i32.load (SHL_ADD_I32_LOAD)',
      op: Op.SHL_ADD_I32_LOAD,
      wat: `(memory 1) (data (i32.const 20) "\\2a\\00\\00\\00\\2b\\00\\00\\00")
        (func (export "f") (param i32 i32) (result i32) (i32.load (i32.add (i32.shl (local.get 0) (i32.const 2)) (local.get 1))))`,
      args: [1, 20],
      want: [0x2b],
    },
    {
      name: 'i64.mul, i64.extend_i32_u (I64_MUL_EXTEND_U)',
      op: Op.I64_MUL_EXTEND_U,
      wat: `(func (export "f") (param i64 i64 i32) (result i64) (i64.add (i64.mul (local.get 0) (local.get 1)) (i64.extend_i32_u (local.get 2))))`,
      args: [0x100000000n, 3n, -1],
      want: [0x3ffffffffn],
    },
    {
      name: 'i64.shr_u, i64.xor (I64_SHR_U_XOR)',
      op: Op.I64_SHR_U_XOR,
      wat: `(func (export "f") (param i64 i64) (result i64) (i64.xor (i64.shr_u (local.get 0) (local.get 1)) (local.get 0)))`,
      args: [-0x8000000000000000n, 33n],
      want: [-0x8000000000000000n ^ 0x40000000n],
    },
    {
      name: 'i32.add, f32.mul, f32.mul (ADD_F32_MUL_MUL_KEPT)',
      op: Op.ADD_F32_MUL_MUL_KEPT,
      wat: `(func (export "f") (param i32 i32 f32 f32) (result f32 i32)
        (local $p i32)
        (local.set $p (i32.add (local.get 0) (local.get 1)))
        (f32.mul (f32.mul (local.get 2) (local.get 3)) (local.get 3))
        (local.get $p))`,
      args: [40, 2, 1.5, -2],
      want: [6, 42],
    },
    {
      // the product read again later: written out
      name: 'i32.add, f32.mul, f32.mul of other values (ADD_F32_MUL_MUL)',
      op: Op.ADD_F32_MUL_MUL,
      wat: `(func (export "f") (param i32 i32 f32 f32) (result f32 f32 i32)
        (local $p i32)
        (local.set $p (i32.add (local.get 0) (local.get 1)))
        (f32.mul (local.get 2) (local.get 3))
        (f32.mul (local.get 3) (local.get 3))
        (local.get $p))`,
      args: [40, 2, 1.5, -2],
      want: [-3, 4, 42],
    },
    {
      // the sum read by the store only: stored from a JS local (KEEP)
      name: 'f32.add, f32.store (F32_ADD_I32_STORE_KEPT)',
      op: Op.F32_ADD_I32_STORE_KEPT,
      wat: `(memory 1) (func (export "f") (param f32 f32) (result f32)
        (f32.store (i32.const 8) (f32.add (local.get 0) (local.get 1))) (f32.load (i32.const 8)))`,
      args: [1.5, -4],
      want: [-2.5],
    },
    {
      // also set to a local the function reads again: written out
      name: 'f32.add set to a local, f32.store (F32_ADD_I32_STORE)',
      op: Op.F32_ADD_I32_STORE,
      wat: `(memory 1) (func (export "f") (param f32 f32) (result f32) (local f32)
        (f32.store (i32.const 8) (local.tee 2 (f32.add (local.get 0) (local.get 1)))) (f32.add (f32.load (i32.const 8)) (local.get 2)))`,
      args: [1.5, -4],
      want: [-2.5 * 2],
    },
    {
      // the difference read by the store only: stored from a JS local (KEEP)
      name: 'f32.sub, f32.store (F32_SUB_I32_STORE_KEPT)',
      op: Op.F32_SUB_I32_STORE_KEPT,
      wat: `(memory 1) (func (export "f") (param f32 f32) (result f32)
        (f32.store (i32.const 8) (f32.sub (local.get 0) (local.get 1))) (f32.load (i32.const 8)))`,
      args: [1.5, -4],
      want: [5.5],
    },
    {
      // also set to a local the function reads again: written out
      name: 'f32.sub set to a local, f32.store (F32_SUB_I32_STORE)',
      op: Op.F32_SUB_I32_STORE,
      wat: `(memory 1) (func (export "f") (param f32 f32) (result f32) (local f32)
        (f32.store (i32.const 8) (local.tee 2 (f32.sub (local.get 0) (local.get 1)))) (f32.add (f32.load (i32.const 8)) (local.get 2)))`,
      args: [1.5, -4],
      want: [5.5 * 2],
    },
    {
      // the product and the difference read by nothing else: both kept in JS locals (KEEP, translate-state.ts)
      name: 'f32x4.mul, f32x4.sub, v128.store (F32X4_MUL_SUB_V128_STORE_KEPT)',
      op: Op.F32X4_MUL_SUB_V128_STORE_KEPT,
      wat: `(memory 1) (func (export "f") (param f32 f32 f32) (result f32 f32)
        (v128.store (i32.const 16) (f32x4.sub (f32x4.splat (local.get 2)) (f32x4.mul (f32x4.splat (local.get 0)) (f32x4.splat (local.get 1)))))
        (f32.load (i32.const 16)) (f32.load (i32.const 28)))`,
      args: [1.5, -2, 0.25],
      want: [3.25, 3.25],
    },
    {
      // simd's saxpy: the difference also set to a local the function reads again (written and stored)
      name: 'f32x4.mul, f32x4.sub set to a local, v128.store of it (F32X4_MUL_SUB_V128_STORE_KEPT)',
      op: Op.F32X4_MUL_SUB_V128_STORE_KEPT,
      wat: `(memory 1) (func (export "f") (param f32 f32 f32) (result f32 f32) (local v128)
        (v128.store (i32.const 16) (local.tee 3 (f32x4.sub (f32x4.splat (local.get 2)) (f32x4.mul (f32x4.splat (local.get 0)) (f32x4.splat (local.get 1))))))
        (f32.load (i32.const 28)) (f32x4.extract_lane 1 (local.get 3)))`,
      args: [1.5, -2, 0.1],
      want: [Math.fround(Math.fround(0.1) + 3), Math.fround(Math.fround(0.1) + 3)],
    },
    {
      // the product read again after the store: written out
      name: 'f32x4.mul, f32x4.sub of other values, v128.store (F32X4_MUL_SUB_V128_STORE)',
      op: Op.F32X4_MUL_SUB_V128_STORE,
      wat: `(memory 1) (func (export "f") (param f32 f32 f32) (result f32 f32) (local v128 v128 v128) (local.set 3 (f32x4.splat (local.get 0))) (local.set 4 (f32x4.splat (local.get 1))) (local.set 5 (f32x4.splat (local.get 2)))
        (f32x4.mul (local.get 3) (local.get 4))
        (v128.store (i32.const 16) (f32x4.sub (local.get 5) (local.get 3)))
        (f32x4.extract_lane 2) (f32.load (i32.const 20)))`,
      args: [1.5, -2, 0.25],
      want: [-3, -1.25],
    },
    {
      name: 'f32x4.sub, v128.store (F32X4_SUB_V128_STORE)',
      op: Op.F32X4_SUB_V128_STORE,
      wat: `(memory 1) (func (export "f") (param f32 f32) (result f32 f32)
        (v128.store (i32.const 16) (f32x4.sub (f32x4.splat (local.get 0)) (f32x4.splat (local.get 1))))
        (f32.load (i32.const 16)) (f32.load (i32.const 28)))`,
      args: [1.5, -2],
      want: [3.5, 3.5],
    },
    {
      // the product is the add's second operand (KEEP)
      name: 'f32x4.mul, f32x4.add (F32X4_MUL_ADD_KEPT)',
      op: Op.F32X4_MUL_ADD_KEPT,
      wat: `(func (export "f") (param f32 f32 f32) (result f32)
        (f32x4.extract_lane 3 (f32x4.add (f32x4.splat (local.get 2)) (f32x4.mul (f32x4.splat (local.get 0)) (f32x4.splat (local.get 1))))))`,
      args: [1.5, -2, 0.25],
      want: [-2.75],
    },
    {
      // the product the add's first operand: written out (float operands are not swapped, KEEP)
      name: 'f32x4.mul, f32x4.add of the product first (F32X4_MUL_ADD)',
      op: Op.F32X4_MUL_ADD,
      wat: `(func (export "f") (param f32 f32 f32) (result f32) (local v128 v128 v128) (local.set 3 (f32x4.splat (local.get 0))) (local.set 4 (f32x4.splat (local.get 1))) (local.set 5 (f32x4.splat (local.get 2)))
        (f32x4.extract_lane 0 (f32x4.add (f32x4.mul (local.get 3) (local.get 4)) (local.get 5))))`,
      args: [0.1, 3, 1e-9],
      want: [Math.fround(Math.fround(Math.fround(0.1) * 3) + Math.fround(1e-9))],
    },
    {
      // the product read again after the add: written out
      name: 'f32x4.mul, f32x4.add of other values (F32X4_MUL_ADD)',
      op: Op.F32X4_MUL_ADD,
      wat: `(func (export "f") (param f32 f32 f32) (result f32 f32) (local v128 v128 v128) (local.set 3 (f32x4.splat (local.get 0))) (local.set 4 (f32x4.splat (local.get 1))) (local.set 5 (f32x4.splat (local.get 2)))
        (f32x4.mul (local.get 3) (local.get 4))
        (f32x4.add (local.get 5) (local.get 3))
        (f32x4.extract_lane 1) (local.set 2) (f32x4.extract_lane 3) (local.get 2))`,
      args: [1.5, -2, 0.25],
      want: [-3, 1.75],
    },
    {
      name: 'three i32.adds (ADD3)',
      op: Op.ADD3,
      wat: `(func (export "f") (param i32 i32 i32 i32) (result i32) (i32.add (i32.add (i32.add (local.get 0) (local.get 1)) (local.get 2)) (local.get 3)))`,
      args: [0x7fffffff, 1, 5, -3],
      want: [-0x7fffffff + 1],
    },
    {
      name: 'i32.add, i32.add, i32.load (ADD_ADD_I32_LOAD)',
      op: Op.ADD_ADD_I32_LOAD,
      wat: `(memory 1) (data (i32.const 20) "\\2a\\00\\00\\00\\2b\\00\\00\\80")
        (func (export "f") (param i32 i32 i32) (result i32) (i32.load (i32.add (i32.add (local.get 0) (local.get 1)) (local.get 2))))`,
      args: [-1, 21, 4],
      want: [0x8000002b | 0],
    },
    {
      name: 'i32.add, i32.add, i32.load8_u (ADD_ADD_I32_LOAD8_U)',
      op: Op.ADD_ADD_I32_LOAD8_U,
      wat: `(memory 1) (data (i32.const 40) "\\07\\f8\\09")
        (func (export "f") (param i32 i32 i32) (result i32) (i32.load8_u (i32.add (i32.add (local.get 0) (local.get 1)) (local.get 2))))`,
      args: [30, 8, 3],
      want: [0xf8],
    },
    {
      name: 'i32.add, i32.add, f64.load (ADD_ADD_F64_LOAD)',
      op: Op.ADD_ADD_F64_LOAD,
      wat: `(memory 1) (data (i32.const 8) "\\00\\00\\00\\00\\00\\00\\10\\c0")
        (func (export "f") (param i32 i32 i32) (result f64) (f64.load (i32.add (i32.add (local.get 0) (local.get 1)) (local.get 2))))`,
      args: [2, 2, 4],
      want: [-4],
    },
    {
      name: 'i32.add, i32.add, compare and branch (ADD_ADD_BR_IF_NE)',
      op: Op.ADD_ADD_BR_IF_NE,
      wat: `(func (export "f") (param i32 i32) (result i32) (local i32)
        (loop $l
          (local.set 2 (i32.add (local.get 2) (local.get 1)))
          (local.set 1 (i32.add (local.get 1) (i32.const 1)))
          (br_if $l (i32.ne (local.get 1) (local.get 0))))
        (local.get 2))`,
      args: [10, 0],
      want: [45],
    },
    {
      name: 'three i32.adds, compare and branch (ADD3_BR_IF_NE)',
      op: Op.ADD3_BR_IF_NE,
      wat: `(func (export "f") (param i32 i32) (result i32 i32) (local i32 i32)
        (loop $l
          (local.set 2 (i32.add (local.get 2) (local.get 1)))
          (local.set 3 (i32.add (local.get 3) (i32.const -2)))
          (local.set 1 (i32.add (local.get 1) (i32.const 1)))
          (br_if $l (i32.ne (local.get 1) (local.get 0))))
        (local.get 2) (local.get 3))`,
      args: [10, 0],
      want: [45, -20],
    },
    {
      name: 'i32.add, i32.add, compare and branch (ADD_ADD_BR_IF_GT_U)',
      op: Op.ADD_ADD_BR_IF_GT_U,
      wat: `(func (export "f") (param i32 i32) (result i32) (local i32)
        (loop $l
          (local.set 2 (i32.add (local.get 2) (local.get 0)))
          (local.set 0 (i32.add (local.get 0) (i32.const -1)))
          (br_if $l (i32.gt_u (local.get 0) (local.get 1))))
        (local.get 2))`,
      args: [10, 3],
      want: [10 + 9 + 8 + 7 + 6 + 5 + 4],
    },
    // a copy just before a compare-and-branch; both loops end with the copy holding x = -1
    ...([
      ['lt_u', Op.COPY_BR_IF_LT_U, -1],
      ['le_u', Op.COPY_BR_IF_LE_U, -4],
    ] as const).map(([cmp, op, limit]) => ({
      name: `a copy, compare and branch (${cmp})`,
      op,
      wat: `(func (export "f") (param i32 i32) (result i32) (local i32)
        (loop $l
          (local.set 0 (i32.add (local.get 0) (i32.const 3)))
          (local.set 2 (local.get 0))
          (br_if $l (i32.${cmp} (local.get 0) (local.get 1))))
        (i32.add (local.get 2) (local.get 0)))`,
      args: [-10, limit],
      want: [-2],
    })),
  ];
  for (const c of cases) {
    test(c.name, () => {
      const fuel: number[] = [];
      for (const tier of ['interp', 'js'] as const) {
        const store = new Store({ fuel: 10_000, tier });
        const i = inst(`(module ${c.wat})`, store);
        expect(i.call('f', ...c.args)).toEqual(c.want);
        fuel.push(store.fuelConsumed);
        if (tier === 'interp') expect([...store.machine.compile(i.getExport('f') as WasmFunc).code]).toContain(c.op);
      }
      expect(fuel[0]).toBe(fuel[1]);
    });
  }
  for (const op of ['f64.load', 'f64.store']) {
    test(`a trap in the second half of the f64 arithmetic + ${op} pair charges up to the trapping instruction, like the JS tier`, () => {
      const body =
        op === 'f64.load'
          ? `(drop (f64.add (f64.mul (local.get 0) (local.get 0)) (f64.load (i32.const 0x7fffffff))))`
          : `(f64.store (i32.const 0x7fffffff) (f64.add (local.get 0) (local.get 0)))`;
      const wat = `(module (memory 1) (func (export "f") (param f64) (result i32) ${body} (nop) (i32.const 0)))`;
      const fuel: number[] = [];
      for (const tier of ['interp', 'js'] as const) {
        const s = new Store({ fuel: 1000, tier });
        const i = inst(wat, s);
        expect(() => i.call('f', 2)).toThrow(Trap);
        fuel.push(s.fuelConsumed);
      }
      // local.get x2, f64.mul, i32.const, f64.load  |  i32.const, local.get x2, f64.add, f64.store
      expect(fuel[0]).toBe(5);
      expect(fuel[0]).toBe(fuel[1]);
    });
  }
});

describe('three or four instructions in one dispatch: a trap in the last charges up to it, like the JS tier', () => {
  const cases: [Op, string][] = [
    [Op.MUL_ADD_I32_LOAD8_U, `(drop (i32.load8_u (i32.add (i32.mul (local.get 0) (i32.const 1024)) (local.get 0))))`],
    [Op.SHL_ADD_I32_LOAD, `(drop (i32.load (i32.add (i32.shl (local.get 0) (i32.const 2)) (local.get 0))))`],
    [Op.ADD_V128_LOAD_KEPT, `(drop (v128.load (i32.add (local.get 0) (local.get 0))))`],
    [Op.ADD_V128_LOAD, `(drop (v128.load (local.tee 0 (i32.add (local.get 0) (local.get 0)))))`],
    [Op.F32_ADD_I32_STORE_KEPT, `(f32.store (i32.add (local.get 0) (local.get 0)) (f32.add (f32.const 1) (f32.const 2)))`],
    [Op.F32_SUB_I32_STORE_KEPT, `(f32.store (i32.add (local.get 0) (local.get 0)) (f32.sub (f32.const 1) (f32.const 2)))`],
    [Op.F32_SUB_I32_STORE, `(f32.store (i32.add (local.get 0) (local.get 0)) (local.tee 1 (f32.sub (f32.const 1) (f32.const 2))))`],
    [Op.I32_LOAD_F32_ADD_I32_STORE_KEPT, `(f32.store (local.get 0) (f32.add (f32.const 1) (f32.load (i32.const 8))))`],
    [Op.I32_LOAD_F32_ADD_I32_STORE, `(f32.store (local.get 0) (local.tee 1 (f32.add (f32.const 1) (f32.load (i32.const 8)))))`],
    [Op.F32_MUL_MUL_SUB_I32_STORE_KEPT, `(f32.store (local.get 0) (f32.sub (f32.const 1) (f32.mul (f32.mul (f32.const 2) (f32.const 3)) (f32.const 4))))`],
    [Op.F32_MUL_MUL_SUB_I32_STORE, `(f32.store (local.get 0) (f32.sub (f32.mul (f32.mul (f32.const 2) (f32.const 3)) (f32.const 4)) (f32.const 1)))`],
    [
      Op.I32_LOAD_F32_MUL_MUL_SUB_I32_STORE_KEPT,
      `(f32.store (local.get 0) (f32.sub (f32.load (i32.const 8)) (f32.mul (f32.mul (f32.const 2) (f32.const 3)) (f32.const 4))))`,
    ],
    [
      Op.I32_LOAD_F32_MUL_MUL_SUB_I32_STORE,
      `(f32.store (local.get 0) (f32.sub (f32.load (i32.const 8)) (local.tee 1 (f32.mul (f32.mul (f32.const 2) (f32.const 3)) (f32.const 4)))))`,
    ],
    [
      Op.ADD_F32_MUL_MUL_I32_LOAD_F32_ADD_I32_STORE_KEPT,
      `(f32.store (local.tee 0 (i32.add (local.get 0) (local.get 0))) (f32.add (f32.mul (f32.mul (f32.const 2) (f32.const 3)) (f32.const 4)) (f32.load (i32.const 8))))`,
    ],
    [
      Op.ADD_F32_MUL_MUL_I32_LOAD_F32_ADD_I32_STORE,
      `(f32.store (local.tee 0 (i32.add (local.get 0) (local.get 0))) (f32.add (f32.mul (local.tee 1 (f32.mul (f32.const 2) (f32.const 3))) (f32.const 4)) (f32.load (i32.const 8))))`,
    ],
    [Op.F32X4_SUB_V128_STORE, `(v128.store (i32.add (local.get 0) (local.get 0)) (f32x4.sub (v128.const i32x4 1 2 3 4) (v128.const i32x4 1 2 3 4)))`],
    [
      Op.F32X4_MUL_SUB_V128_STORE_KEPT,
      `(v128.store (i32.add (local.get 0) (local.get 0)) (f32x4.sub (v128.const i32x4 1 2 3 4) (f32x4.mul (v128.const i32x4 1 2 3 4) (v128.const i32x4 1 2 3 4))))`,
    ],
    [
      Op.F32X4_MUL_SUB_V128_STORE,
      `(v128.store (i32.add (local.get 0) (local.get 0)) (f32x4.sub (f32x4.mul (v128.const i32x4 1 2 3 4) (v128.const i32x4 1 2 3 4)) (v128.const i32x4 1 2 3 4)))`,
    ],
    [Op.ADD_ADD_I32_LOAD, `(drop (i32.load (i32.add (i32.add (local.get 0) (local.get 0)) (local.get 0))))`],
    [Op.ADD_ADD_I32_LOAD8_U, `(drop (i32.load8_u (i32.add (i32.add (local.get 0) (local.get 0)) (local.get 0))))`],
    [Op.ADD_ADD_F64_LOAD, `(drop (f64.load (i32.add (i32.add (local.get 0) (local.get 0)) (local.get 0))))`],
  ];
  for (const [op, body] of cases) {
    test(`${body}`, () => {
      const wat = `(module (memory 1) (func (export "f") (param i32) (result i32) (local f32) ${body} (nop) (i32.const 0)))`;
      const fuel: number[] = [];
      for (const tier of ['interp', 'js'] as const) {
        const s = new Store({ fuel: 1000, tier });
        const i = inst(wat, s);
        expect(() => i.call('f', 0x10000000)).toThrow(Trap);
        fuel.push(s.fuelConsumed);
        if (tier === 'interp') expect([...s.machine.compile(i.getExport('f') as WasmFunc).code]).toContain(op);
      }
      // everything up to the access, nothing after it (every instruction of these bodies but the drop is before it)
      expect(fuel[0]).toBe(body.split('(').length - 1 - (body.startsWith('(drop') ? 1 : 0));
      expect(fuel[0]).toBe(fuel[1]);
    });
  }
});

describe('the value stack grown under an interpreted frame', () => {
  // top calls f, whose loop calls $g, whose JS version calls the host, which re-enters wasm deeply enough (deep, 3000 frames) to
  // grow the value stack (Machine.growStack: new views over a new buffer) the first time; f then writes $x and
  // branches. Stopped at every budget and resumed, f's frame runs in the interpreter up to the next loop head, so
  // at some budget the call returns into the interpreter (callJs) and at others f re-enters its JS version there
  // (FUEL_OSR), the JS version returning into top's interpreted frame: the dispatch loop must go on with the new views
  // (it re-reads them at its outer head, session 20), or $x's or $y's writes land in the old buffer and are lost.
  const WAT = `(module
    (import "h" "reenter" (func $re))
    (func $deep (export "deep") (param i32) (result i32)
      (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
        (else (i32.add (i32.const 1) (call $deep (i32.sub (local.get 0) (i32.const 1)))))))
    (func $g (call $re))
    (func $f (export "f") (param $n i32) (result i32) (local $x i32) (local $i i32)
      (loop $l
        (local.set $x (i32.add (local.get $x) (i32.const 3)))
        (call $g)
        (local.set $x (i32.mul (local.get $x) (i32.const 5)))
        (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
      (local.get $x))
    (func $top (export "top") (param $n i32) (result i32) (local $y i32)
      (local.set $y (i32.add (call $f (local.get $n)) (i32.const 7)))
      (block (br 0))
      (local.get $y)))`;
  const mod = Module.fromBinary(watToBinary(WAT));
  const run = (tier: 'js' | 'interp', fuel: number): { r: unknown[]; grew: number; stops: number; fuel: number; atHost: number } => {
    const store = new Store({ fuel, tier });
    const linker = new Linker();
    let calls = 0;
    let inst: Instance | null = null;
    const words = () => store.machine.s.length;
    let grew = 0;
    let atHost = 0;
    linker.defineFunc(store, 'h', 'reenter', funcType([]), () => {
      if (calls++ > 0) return;
      // (the stops fall before this call: the re-entry does not run out)
      atHost = store.fuelConsumed;
      store.addFuel(1e6);
      const before = words();
      expect(inst!.call('deep', 3000)).toEqual([3000]);
      if (words() > before) grew++;
    });
    inst = linker.instantiate(store, mod);
    const got = runStarved(store, inst, 'top', [4], () => 1e6);
    return { r: [got.result], grew, stops: got.stops.length, fuel: got.consumed, atHost };
  };
  // ((((3 * 5) + 3) * 5 + 3) * 5 + 3) * 5, plus top's 7
  const want = [((((3 * 5 + 3) * 5 + 3) * 5 + 3) * 5 + 7) | 0];

  test('run through, in both tiers: the stack grew once, the same result and fuel', () => {
    const a = run('interp', 1e9);
    const b = run('js', 1e9);
    expect(a.r).toEqual(want);
    expect(b.r).toEqual(want);
    expect(a.grew).toBe(1);
    expect(b.grew).toBe(1);
    expect(a.fuel).toBe(b.fuel);
  });

  test('stopped at every budget before the call returns and resumed, in both tiers: the same result', () => {
    const atHost = run('interp', 1e9).atHost;
    expect(atHost).toBeGreaterThan(5);
    for (let budget = 0; budget < atHost; budget++)
      for (const tier of ['interp', 'js'] as const) {
        const got = run(tier, budget);
        expect(got.r, `${tier}, budget ${budget}`).toEqual(want);
        expect(got.grew, `${tier}, budget ${budget}`).toBe(1);
        expect(got.stops, `${tier}, budget ${budget}`).toBeGreaterThan(0);
      }
  });
});
