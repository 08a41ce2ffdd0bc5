/**
 * Vector instructions executed end to end (translator -> MISC -> SIMD_EXEC),
 * for what the spec suite does not check: NaN payloads kept by every v128
 * move, 64-bit and multi-memory addressing with bounds, the value stack
 * growing under running vector code, host functions with v128, fuel cuts in
 * vector code, and the deterministic relaxed-SIMD choices.
 *
 * (Functions take their scalars as parameters rather than constants so the
 * tests exercise the vector paths only.)
 */
import { describe, expect, test } from 'vitest';
import { INSTRS } from '../../src/core/instructions.js';
import { CompKind, V128 } from '../../src/core/types.js';
import { Linker, Module, OutOfFuel, RawF32, RawF64, Store, Trap, WasmFunc, watToBinary } from '../../src/index.js';
import { hasSimd, SIMD_EXEC } from '../../src/interp/simd-exec.js';

function load(wat: string, store = new Store(), linker = new Linker()) {
  return linker.instantiate(store, Module.fromBinary(watToBinary(wat)));
}

/** 16 bytes from little-endian 32-bit words. */
function words(...w: number[]): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  w.forEach((x, i) => dv.setUint32(4 * i, x >>> 0, true));
  return b;
}
function wordsOf(b: unknown): number[] {
  expect(b).toBeInstanceOf(Uint8Array);
  const u = b as Uint8Array;
  expect(u.length).toBe(16);
  const dv = new DataView(u.buffer, u.byteOffset, 16);
  return [0, 4, 8, 12].map((o) => dv.getUint32(o, true));
}
function expectTrap(f: () => unknown, msg: string): void {
  let err: unknown = null;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(Trap);
  expect((err as Error).message).toBe(msg);
}

// signalling and payload-carrying NaNs (a canonicalising path would change them)
const F32_SNAN = 0x7fa00001;
const F32_NEG_NAN = 0xff812345;
const F64_SNAN_LO = 0x00000001;
const F64_SNAN_HI = 0x7ff00000;
const NANS = words(F32_SNAN, F32_NEG_NAN, F64_SNAN_LO, F64_SNAN_HI);

describe('executor table', () => {
  test('every 0xFD instruction but v128.const has an executor; nothing else does', () => {
    let n = 0;
    for (const d of INSTRS) {
      const want = d.prefix === 0xfd && d.name !== 'v128.const';
      expect(hasSimd(d), d.name).toBe(want);
      if (want) {
        expect(typeof SIMD_EXEC[d.id], d.name).toBe('function');
        n++;
      }
    }
    expect(n).toBe(236 + 20 - 1);
  });
});

describe('v128 moves keep NaN bit patterns', () => {
  const inst = load(`(module
    (memory 1)
    (global $g (mut v128) (v128.const i64x2 0 0))
    (func $id (param v128) (result v128) (local.get 0))
    (func (export "local") (param v128) (result v128) (local v128)
      (local.set 1 (local.get 0)) (local.get 1))
    (func (export "tee") (param v128) (result v128) (local v128)
      (local.tee 1 (local.get 0)))
    (func (export "call") (param v128) (result v128) (call $id (local.get 0)))
    (func (export "global") (param v128) (result v128)
      (global.set $g (local.get 0)) (global.get $g))
    (func (export "select") (param v128 v128 i32) (result v128)
      (select (local.get 0) (local.get 1) (local.get 2)))
    (func (export "memory") (param v128 i32) (result v128)
      (v128.store offset=3 (local.get 1) (local.get 0))
      (v128.load offset=3 (local.get 1)))
    (func (export "block") (param v128) (result v128)
      (block (result v128) (local.get 0)))
    (func (export "multi") (param v128 v128) (result v128 v128)
      (local.get 1) (local.get 0))
    (func (export "shuffle") (param v128 v128) (result v128)
      (i8x16.shuffle 16 17 18 19 4 5 6 7 24 25 26 27 12 13 14 15 (local.get 0) (local.get 1)))
    (func (export "abs") (param v128) (result v128) (f32x4.abs (local.get 0)))
    (func (export "neg") (param v128) (result v128) (f64x2.neg (local.get 0)))
    (func (export "f32-lane") (param v128) (result i32)
      (i32.reinterpret_f32 (f32x4.extract_lane 0 (local.get 0))))
    (func (export "f32-replace") (param v128 f32) (result v128)
      (f32x4.replace_lane 3 (local.get 0) (local.get 1)))
    (func (export "f64-splat") (param f64) (result v128) (f64x2.splat (local.get 0)))
    (func (export "f64-lane") (param v128) (result i64)
      (i64.reinterpret_f64 (f64x2.extract_lane 1 (local.get 0))))
  )`);

  for (const name of ['local', 'tee', 'call', 'global', 'block']) {
    test(name, () => {
      expect(wordsOf(inst.call(name, NANS)[0])).toEqual(wordsOf(NANS));
    });
  }
  test('select (both arms)', () => {
    const other = words(1, 2, 3, 4);
    expect(wordsOf(inst.call('select', NANS, other, 1)[0])).toEqual(wordsOf(NANS));
    expect(wordsOf(inst.call('select', other, NANS, 0)[0])).toEqual(wordsOf(NANS));
  });
  test('store and load at an unaligned address', () => {
    expect(wordsOf(inst.call('memory', NANS, 100)[0])).toEqual(wordsOf(NANS));
  });
  test('two v128 results', () => {
    const other = words(1, 2, 3, 4);
    const [a, b] = inst.call('multi', NANS, other);
    expect(wordsOf(a)).toEqual(wordsOf(other));
    expect(wordsOf(b)).toEqual(wordsOf(NANS));
  });
  test('shuffle moves bytes untouched', () => {
    const other = words(0x7f800001, 0xffc00000, 0x7ff80000, 0xfff00001);
    expect(wordsOf(inst.call('shuffle', NANS, other)[0])).toEqual([0x7f800001, F32_NEG_NAN, 0x7ff80000, F64_SNAN_HI]);
  });
  test('abs / neg only touch the sign bit', () => {
    expect(wordsOf(inst.call('abs', NANS)[0])).toEqual([F32_SNAN, F32_NEG_NAN & 0x7fffffff, F64_SNAN_LO, F64_SNAN_HI]);
    expect(wordsOf(inst.call('neg', NANS)[0])).toEqual([F32_SNAN, F32_NEG_NAN ^ 0x80000000, F64_SNAN_LO, (F64_SNAN_HI | 0x80000000) >>> 0]);
  });
  test('f32/f64 lanes in and out', () => {
    expect(inst.call('f32-lane', NANS)[0]).toBe(F32_SNAN | 0);
    expect(wordsOf(inst.store.invoke(inst.getExport('f32-replace') as WasmFunc, [words(1, 2, 3, 4), new RawF32(F32_SNAN)])[0])).toEqual([
      1,
      2,
      3,
      F32_SNAN,
    ]);
    const r = inst.store.invoke(inst.getExport('f64-splat') as WasmFunc, [new RawF64(F64_SNAN_LO, F64_SNAN_HI)])[0];
    expect(wordsOf(r)).toEqual([F64_SNAN_LO, F64_SNAN_HI, F64_SNAN_LO, F64_SNAN_HI]);
    expect(inst.call('f64-lane', NANS)[0]).toBe(BigInt.asIntN(64, (BigInt(F64_SNAN_HI) << 32n) | BigInt(F64_SNAN_LO)));
  });
  test('v128 locals start zeroed in every call', () => {
    const z = load(`(module
      (func (export "z") (param i32) (result v128) (local v128 v128)
        (local.set 1 (i32x4.splat (local.get 0)))
        (local.get 2)))`);
    expect(wordsOf(z.call('z', 7)[0])).toEqual([0, 0, 0, 0]);
    expect(wordsOf(z.call('z', 9)[0])).toEqual([0, 0, 0, 0]);
  });
});

describe('memory access', () => {
  test('memory64: bounds with 64-bit addresses and offsets', () => {
    const inst = load(`(module
      (memory i64 1)
      (func (export "load") (param i64) (result v128) (v128.load (local.get 0)))
      (func (export "load-off") (param i64) (result v128) (v128.load offset=4294967296 (local.get 0)))
      (func (export "store") (param i64 v128) (v128.store (local.get 0) (local.get 1)))
      (func (export "lane8") (param i64 v128) (result v128) (v128.load8_lane 15 (local.get 0) (local.get 1)))
      (func (export "lane16") (param i64 v128) (result v128) (v128.load16_lane 0 (local.get 0) (local.get 1)))
      (func (export "store64-lane") (param i64 v128) (v128.store64_lane 1 (local.get 0) (local.get 1)))
      (func (export "splat64") (param i64) (result v128) (v128.load64_splat (local.get 0)))
      (func (export "zero32") (param i64) (result v128) (v128.load32_zero (local.get 0)))
      (func (export "ext") (param i64) (result v128) (v128.load16x4_s (local.get 0)))
    )`);
    const v = words(0x11111111, 0x22222222, 0x33333333, 0x44444444);
    inst.call('store', 65520n, v);
    expect(wordsOf(inst.call('load', 65520n)[0])).toEqual(wordsOf(v));
    const oob = 'out of bounds memory access';
    expectTrap(() => inst.call('load', 65521n), oob);
    expectTrap(() => inst.call('load', 2n ** 32n), oob); // would be 0 if truncated to 32 bits
    expectTrap(() => inst.call('load', -16n), oob); // 2^64 - 16: no wrap-around
    expectTrap(() => inst.call('load-off', 0n), oob);
    expectTrap(() => inst.call('load-off', -(2n ** 32n)), oob); // address + offset = 2^64
    expectTrap(() => inst.call('store', 65530n, words(9, 9, 9, 9)), oob);
    // the failed store wrote nothing
    expect(wordsOf(inst.call('load', 65520n)[0])).toEqual(wordsOf(v));

    const r8 = wordsOf(inst.call('lane8', 65535n, words(0, 0, 0, 0))[0]);
    expect(r8).toEqual([0, 0, 0, 0x44000000]);
    expectTrap(() => inst.call('lane8', 65536n, v), oob);
    expectTrap(() => inst.call('lane16', 65535n, v), oob);
    expectTrap(() => inst.call('store64-lane', 65529n, v), oob);
    inst.call('store64-lane', 0n, v);
    expect(wordsOf(inst.call('splat64', 0n)[0])).toEqual([0x33333333, 0x44444444, 0x33333333, 0x44444444]);
    expectTrap(() => inst.call('splat64', 65529n), oob);
    expect(wordsOf(inst.call('zero32', 65532n)[0])).toEqual([0x44444444, 0, 0, 0]);
    expectTrap(() => inst.call('zero32', 65533n), oob);
    expect(wordsOf(inst.call('ext', 65528n)[0])).toEqual([0x3333, 0x3333, 0x4444, 0x4444]);
    expectTrap(() => inst.call('ext', 65529n), oob);
  });

  test('memory 1 of a multi-memory module, and memory 0 untouched', () => {
    const inst = load(`(module
      (memory $a 1)
      (memory $b 1)
      (func (export "store-b") (param i32 v128) (v128.store $b (local.get 0) (local.get 1)))
      (func (export "load-a") (param i32) (result v128) (v128.load $a (local.get 0)))
      (func (export "load-b") (param i32) (result v128) (v128.load $b (local.get 0)))
      (func (export "lane-b") (param i32 v128) (result v128) (v128.load32_lane $b 2 (local.get 0) (local.get 1)))
      (func (export "store-lane-b") (param i32 v128) (v128.store16_lane $b 7 (local.get 0) (local.get 1)))
    )`);
    const v = words(0xa1a2a3a4, 0xb1b2b3b4, 0xc1c2c3c4, 0xd1d2d3d4);
    inst.call('store-b', 32, v);
    expect(wordsOf(inst.call('load-b', 32)[0])).toEqual(wordsOf(v));
    expect(wordsOf(inst.call('load-a', 32)[0])).toEqual([0, 0, 0, 0]);
    expect(wordsOf(inst.call('lane-b', 36, words(1, 2, 3, 4))[0])).toEqual([1, 2, 0xb1b2b3b4, 4]);
    inst.call('store-lane-b', 0, v);
    expect(wordsOf(inst.call('load-b', 0)[0])[0]).toBe(0xd1d2);
    expectTrap(() => inst.call('load-b', 65521), 'out of bounds memory access');
  });
});

describe('value stack growth under vector code', () => {
  test('deep recursion with v128 operands and locals', () => {
    const store = new Store();
    const inst = load(
      `(module
        (func $r (export "r") (param $n i32) (param $dec i32) (param $v v128) (param $one v128) (result v128)
          (local $t v128) (local $u v128)
          (local.set $t (i32x4.add (local.get $v) (local.get $one)))
          (if (result v128) (i32.eqz (local.get $n))
            (then (local.get $v))
            (else
              (local.set $u (call $r (i32.sub (local.get $n) (local.get $dec)) (local.get $dec) (local.get $t) (local.get $one)))
              (i32x4.sub (i32x4.add (local.get $u) (local.get $one)) (local.get $one)))))
      )`,
      store,
    );
    const bytesBefore = store.machine.buffer.byteLength;
    const r = inst.call('r', 3000, 1, words(10, 20, 30, 40), words(1, 2, 3, 0xffffffff));
    expect(store.machine.buffer.byteLength).toBeGreaterThan(bytesBefore);
    expect(wordsOf(r[0])).toEqual([3010, 6020, 9030, (40 - 3000) >>> 0]);
  });
});

describe('embedding', () => {
  test('host functions take and return v128', () => {
    const store = new Store();
    const linker = new Linker();
    let seen: number[] = [];
    linker.defineFunc(store, 'env', 'swap', { kind: CompKind.Func, params: [V128], results: [V128] }, (_c, x: Uint8Array) => {
      seen = wordsOf(x);
      return words(seen[3]!, seen[2]!, seen[1]!, seen[0]!);
    });
    const inst = load(
      `(module
        (import "env" "swap" (func $swap (param v128) (result v128)))
        (func (export "f") (param v128) (result v128)
          (i32x4.add (call $swap (local.get 0)) (local.get 0))))`,
      store,
      linker,
    );
    expect(wordsOf(inst.call('f', words(1, 2, 3, 4))[0])).toEqual([5, 5, 5, 5]);
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  test('a v128 argument must be a 16-byte Uint8Array', () => {
    const inst = load(`(module (func (export "f") (param v128) (result v128) (local.get 0)))`);
    expect(() => inst.call('f', new Uint8Array(8))).toThrow(/16-byte/);
  });
});

describe('fuel', () => {
  const WAT = `(module
    (func (export "loop") (param $n i32) (param $dec i32) (param $v v128) (result v128) (local $acc v128)
      (block (loop
        (br_if 1 (i32.eqz (local.get $n)))
        (local.set $acc (i32x4.add (local.get $acc) (i8x16.shuffle 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 0 (local.get $v) (local.get $v))))
        (local.set $v (i16x8.mul (local.get $v) (local.get $v)))
        (local.set $n (i32.sub (local.get $n) (local.get $dec)))
        (br 0)))
      (local.get $acc)))`;
  const V = words(0x04030201, 0x08070605, 0x0c0b0a09, 0x100f0e0d);

  test('vector instructions cost 1 each; a starved run resumes to the same result', () => {
    const free = new Store();
    const expected = wordsOf(load(WAT, free).call('loop', 20, 1, V)[0]);
    const total = free.fuelConsumed;
    expect(total).toBeGreaterThan(20 * 8);

    const store = new Store({ fuel: 0 });
    const inst = load(WAT, store);
    let r: unknown[] | null = null;
    let pending: OutOfFuel | null = null;
    let stops = 0;
    try {
      r = inst.call('loop', 20, 1, V);
    } catch (e) {
      if (!(e instanceof OutOfFuel)) throw e;
      pending = e;
    }
    while (pending) {
      stops++;
      store.addFuel(3);
      try {
        r = pending.resume();
        pending = null;
      } catch (e) {
        if (!(e instanceof OutOfFuel)) throw e;
        pending = e;
      }
    }
    expect(stops).toBeGreaterThan(10);
    expect(wordsOf(r![0])).toEqual(expected);
    expect(store.fuelConsumed).toBe(total);
  });
});

describe('relaxed SIMD: deterministic profile choices', () => {
  const inst = load(`(module
    (func (export "swizzle") (param v128 v128) (result v128) (i8x16.relaxed_swizzle (local.get 0) (local.get 1)))
    (func (export "trunc_s") (param v128) (result v128) (i32x4.relaxed_trunc_f32x4_s (local.get 0)))
    (func (export "trunc_u") (param v128) (result v128) (i32x4.relaxed_trunc_f32x4_u (local.get 0)))
    (func (export "trunc_u_zero") (param v128) (result v128) (i32x4.relaxed_trunc_f64x2_u_zero (local.get 0)))
    (func (export "madd32") (param v128 v128 v128) (result v128) (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2)))
    (func (export "nmadd64") (param v128 v128 v128) (result v128) (f64x2.relaxed_nmadd (local.get 0) (local.get 1) (local.get 2)))
    (func (export "laneselect") (param v128 v128 v128) (result v128) (i32x4.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))
    (func (export "min") (param v128 v128) (result v128) (f32x4.relaxed_min (local.get 0) (local.get 1)))
    (func (export "max") (param v128 v128) (result v128) (f64x2.relaxed_max (local.get 0) (local.get 1)))
    (func (export "q15") (param v128 v128) (result v128) (i16x8.relaxed_q15mulr_s (local.get 0) (local.get 1)))
    (func (export "dot") (param v128 v128) (result v128) (i16x8.relaxed_dot_i8x16_i7x16_s (local.get 0) (local.get 1)))
    (func (export "dot_add") (param v128 v128 v128) (result v128) (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get 0) (local.get 1) (local.get 2)))
  )`);
  const f32 = (...xs: number[]): Uint8Array => {
    const b = new Uint8Array(16);
    xs.forEach((x, i) => new DataView(b.buffer).setFloat32(4 * i, x, true));
    return b;
  };
  const f64 = (...xs: number[]): Uint8Array => {
    const b = new Uint8Array(16);
    xs.forEach((x, i) => new DataView(b.buffer).setFloat64(8 * i, x, true));
    return b;
  };
  const asF32 = (b: unknown): number[] => [0, 1, 2, 3].map((i) => new DataView((b as Uint8Array).buffer).getFloat32(4 * i, true));
  const asF64 = (b: unknown): number[] => [0, 1].map((i) => new DataView((b as Uint8Array).buffer).getFloat64(8 * i, true));

  test('swizzle: indices >= 16 give 0', () => {
    const a = words(0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c);
    expect(wordsOf(inst.call('swizzle', a, words(0x1f10_0f00, 0x8081_7f11, 0, 0x0102_0304))[0])).toEqual([
      0x00000f00, 0, 0, 0x01020304,
    ]);
  });
  test('trunc saturates, NaN gives 0', () => {
    expect(wordsOf(inst.call('trunc_s', f32(NaN, 3e9, -3e9, -1.9))[0])).toEqual([0, 0x7fffffff, 0x80000000, 0xffffffff]);
    expect(wordsOf(inst.call('trunc_u', f32(NaN, 5e9, -1, 1.9))[0])).toEqual([0, 0xffffffff, 0, 1]);
    expect(wordsOf(inst.call('trunc_u_zero', f64(-0.5, 4294967295.9))[0])).toEqual([0, 0xffffffff, 0, 0]);
  });
  test('madd / nmadd are unfused (product rounded first)', () => {
    const a = 1 + 2 ** -12; // a * a = 1 + 2^-11 + 2^-24: the 2^-24 is lost when the product is rounded to f32
    expect(asF32(inst.call('madd32', f32(a, 2, 0, 0), f32(a, 3, 0, 0), f32(-(1 + 2 ** -11), 1, 0, 0))[0])).toEqual([0, 7, 0, 0]);
    const b = 1 + 2 ** -27; // b * b = 1 + 2^-26 + 2^-54: the 2^-54 is lost in f64
    expect(asF64(inst.call('nmadd64', f64(b, 2), f64(b, 3), f64(1 + 2 ** -26, 1))[0])).toEqual([0, -5]);
  });
  test('laneselect is a full bitselect', () => {
    expect(wordsOf(inst.call('laneselect', words(-1, -1, 0, 0), words(0, 0, -1, -1), words(0x0f0f0f0f, 0x80000000, 0x0f0f0f0f, 0))[0])).toEqual([
      0x0f0f0f0f, 0x80000000, 0xf0f0f0f0, 0xffffffff,
    ]);
  });
  test('min / max are the NaN-propagating, -0 < +0 versions', () => {
    const m = asF32(inst.call('min', f32(NaN, -0, 0, 1), f32(1, 0, -0, NaN))[0]);
    expect(Number.isNaN(m[0])).toBe(true);
    expect(Object.is(m[1], -0)).toBe(true);
    expect(Object.is(m[2], -0)).toBe(true);
    expect(Number.isNaN(m[3])).toBe(true);
    const x = asF64(inst.call('max', f64(-0, NaN), f64(0, 2))[0]);
    expect(Object.is(x[0], 0)).toBe(true);
    expect(Number.isNaN(x[1])).toBe(true);
  });
  test('q15mulr saturates -1 * -1', () => {
    expect(wordsOf(inst.call('q15', words(0x80008000, 0x40000000, 0, 0), words(0x80008000, 0x40007fff, 0, 0))[0])).toEqual([
      0x7fff7fff, 0x20000000, 0, 0,
    ]);
  });
  test('dot treats the second operand as signed', () => {
    // bytes: a = [-1, -1, 127, 127, -128 x 4, ...], b = [-1, -1, -128, -128, -128 x 4, ...]
    const a = words(0x7f7fffff, 0x80808080, 0, 0);
    const b = words(0x8080ffff, 0x80808080, 0, 0);
    // lanes: 1 + 1 = 2; 2 * 127 * -128 = -32512; 2 * 16384 = 32768 saturates to 32767 (twice)
    expect(wordsOf(inst.call('dot', a, b)[0])).toEqual([((-32512 & 0xffff) << 16) | 2, 0x7fff7fff, 0, 0].map((x) => x >>> 0));
    // i32 lanes: 2 + -32512 + 10; 32767 + 32767 + 0
    expect(wordsOf(inst.call('dot_add', a, b, words(10, 0, 5, -7))[0])).toEqual([(2 - 32512 + 10) >>> 0, 65534, 5, (-7) >>> 0]);
  });
});
