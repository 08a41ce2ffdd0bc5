/**
 * Operations the interpreter's loop computes itself instead of calling a
 * helper (src/interp/exec.ts): i64.mul and i64.rotl (and the fused ops that
 * hold them, hash64's mul-add-rotl-mul round among them), and the vector instructions of the simd workload's integer
 * loop (i32x4.add, i16x8.add, i32x4.shl, i8x16.add_sat_u,
 * i16x8.extend_low/high_i8x16_u, i8x16.shuffle). Each is checked on random
 * operands against V8's own WebAssembly (vectors) or BigInt (i64), with the
 * result written over an operand's local as well as to a fresh slot.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Module, Store, watToBinary } from '../../src/index.js';
import { Op } from '../../src/interp/exec.js';
import type { WasmFunc } from '../../src/runtime/objects/func.js';

const RUNS = 300;

/** Two int32 words of an f64 bit pattern: NaNs with payloads, signalling NaNs, V8's hole NaN (0xfff7fffffff7ffff), infinities, subnormals, -0, or any. */
const half = fc.oneof(
  fc.constantFrom(
    [1, 0x7ff00000],
    [0xfff7ffff | 0, 0xfff7ffff | 0],
    [0, 0x7ff80000],
    [0x12345678, 0x7ff40000],
    [5, 0xfff00000 | 0],
    [0, 0x7ff00000],
    [1, 0],
    [0, 0x80000000 | 0],
    [0x7fc00001, 0xff800001 | 0],
  ),
  fc.tuple(fc.integer({ min: -0x80000000, max: 0x7fffffff }), fc.integer({ min: -0x80000000, max: 0x7fffffff })),
);

/** `size` bytes starting with the f64 bit patterns `halves` (each [lo, hi], little-endian), zeros after them. */
function bytesOf(halves: readonly (readonly [number, number])[], size: number): Uint8Array {
  const u = new Uint8Array(size);
  const dv = new DataView(u.buffer);
  halves.forEach(([lo, hi], k) => {
    dv.setInt32(8 * k, lo, true);
    dv.setInt32(8 * k + 4, hi, true);
  });
  return u;
}

/** The ops of function `name`'s fast translation. */
function opsOf(store: Store, inst: ReturnType<Store['instantiate']>, name: string): number[] {
  return [...store.machine.compile(inst.getExport(name) as WasmFunc).code];
}

describe('vector instructions written out in the loop, against V8', () => {
  // each function: v128 operands at memory 0 and 16 (a count at 32 for the shift), the result stored at 48;
  // "_alias" variants write the result over the first operand's local before storing it
  const ops: { name: string; expr: (a: string, b: string) => string; op: Op }[] = [
    { name: 'i32x4_add', expr: (a, b) => `(i32x4.add ${a} ${b})`, op: Op.I32X4_ADD },
    { name: 'i16x8_add', expr: (a, b) => `(i16x8.add ${a} ${b})`, op: Op.I16X8_ADD },
    { name: 'i32x4_shl', expr: (a) => `(i32x4.shl ${a} (i32.load (i32.const 32)))`, op: Op.I32X4_SHL },
    { name: 'add_sat_u', expr: (a, b) => `(i8x16.add_sat_u ${a} ${b})`, op: Op.I8X16_ADD_SAT_U },
    { name: 'ext_low', expr: (a) => `(i16x8.extend_low_i8x16_u ${a})`, op: Op.I16X8_EXTEND_LOW_I8X16_U },
    { name: 'ext_high', expr: (a) => `(i16x8.extend_high_i8x16_u ${a})`, op: Op.I16X8_EXTEND_HIGH_I8X16_U },
    {
      name: 'shuffle_rev',
      expr: (a, b) => `(i8x16.shuffle 15 14 13 12 11 10 9 8 7 6 5 4 3 2 1 0 ${a} ${b})`,
      op: Op.I8X16_SHUFFLE,
    },
    {
      // every byte of b (each f64 half's every byte: a quieted NaN differs in its seventh byte only)
      name: 'shuffle_b',
      expr: (a, b) => `(i8x16.shuffle 16 17 18 19 20 21 22 23 31 30 29 28 27 26 25 24 ${a} ${b})`,
      op: Op.I8X16_SHUFFLE,
    },
    {
      name: 'shuffle_mix',
      expr: (a, b) => `(i8x16.shuffle 31 0 17 2 19 4 21 6 16 16 3 30 12 29 7 24 ${a} ${b})`,
      op: Op.I8X16_SHUFFLE,
    },
  ];
  // 32 random bytes, or four f64 bit patterns (the shuffle copies its operands as f64s)
  const operands = fc.oneof(
    fc.uint8Array({ minLength: 32, maxLength: 32 }),
    fc.array(half, { minLength: 4, maxLength: 4 }).map((hs) => bytesOf(hs, 32)),
  );
  const funcs = ops
    .map(
      ({ name, expr }) => `
      (func (export "${name}") (local $a v128) (local $b v128)
        (local.set $a (v128.load (i32.const 0)))
        (local.set $b (v128.load (i32.const 16)))
        (v128.store (i32.const 48) ${expr('(local.get $a)', '(local.get $b)')}))
      (func (export "${name}_alias") (local $a v128) (local $b v128)
        (local.set $a (v128.load (i32.const 0)))
        (local.set $b (v128.load (i32.const 16)))
        (local.set $a ${expr('(local.get $a)', '(local.get $b)')})
        (v128.store (i32.const 48) (local.get $a)))`,
    )
    .join('');
  const bytes = watToBinary(`(module (memory (export "mem") 1) ${funcs})`);
  const v8 = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  const v8mem = new Uint8Array((v8.exports['mem'] as WebAssembly.Memory).buffer);
  const store = new Store({ tier: 'interp' });
  const ours = store.instantiate(Module.fromBinary(bytes), []);
  const mem = ours.memory('mem')!;

  for (const { name, op } of ops) {
    test(`${name}: the loop's own op, results equal to V8's (fresh slot and overwritten operand)`, () => {
      expect(opsOf(store, ours, name)).toContain(op);
      expect(opsOf(store, ours, `${name}_alias`)).toContain(op);
      fc.assert(
        fc.property(operands, fc.integer({ min: -0x80000000, max: 0x7fffffff }), (ab, count) => {
          for (const f of [name, `${name}_alias`]) {
            const input = new Uint8Array(36);
            input.set(ab);
            new DataView(input.buffer).setInt32(32, count, true);
            v8mem.set(input);
            mem.write(0, input);
            (v8.exports[f] as () => void)();
            ours.call(f);
            expect([...mem.read(48, 16)]).toEqual([...v8mem.subarray(48, 64)]);
          }
        }),
        { numRuns: RUNS },
      );
    });
  }
});

describe('i64.mul and i64.rotl written out in the loop, against BigInt', () => {
  const M = (1n << 64n) - 1n;
  const rotl = (x: bigint, k: bigint) => ((x << (k & 63n)) | (x >> ((64n - (k & 63n)) & 63n))) & M;
  const i64 = fc.oneof(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), fc.constantFrom(0n, 1n, -1n, 0xffffffffn, 1n << 32n, -(1n << 63n)));
  const count = fc.oneof(fc.bigInt({ min: -200n, max: 200n }), fc.constantFrom(0n, 1n, 31n, 32n, 33n, 63n, 64n, 96n));
  const wat = `(module
    (func (export "rotl_mul") (param i64 i64 i64) (result i64) (i64.mul (i64.rotl (local.get 0) (local.get 1)) (local.get 2)))
    (func (export "mul_add") (param i64 i64 i64) (result i64) (i64.add (i64.mul (local.get 0) (local.get 1)) (local.get 2)))
    (func (export "round") (param i64 i64 i64 i64 i64) (result i64)
      (i64.mul (i64.rotl (i64.add (i64.mul (local.get 0) (local.get 1)) (local.get 2)) (local.get 3)) (local.get 4)))
    (func (export "round_swapped") (param i64 i64 i64 i64 i64) (result i64)
      (i64.mul (local.get 4) (i64.rotl (i64.add (local.get 2) (i64.mul (local.get 0) (local.get 1))) (local.get 3))))
    (func (export "round_count") (param i64 i64 i64 i64 i64) (result i64)
      (i64.mul (i64.rotl (local.get 3) (i64.add (i64.mul (local.get 0) (local.get 1)) (local.get 2))) (local.get 4)))
    (func (export "round_live") (param i64 i64 i64 i64 i64) (result i64)
      (i64.xor (i64.mul (local.get 0) (local.get 1)) (i64.mul (i64.rotl (i64.add (local.get 2) (local.get 4)) (local.get 3)) (local.get 4))))
    (func (export "mul_alias") (param i64 i64) (result i64) (local.set 0 (i64.mul (local.get 0) (local.get 1))) (local.get 0))
    (func (export "rotl_alias") (param i64 i64 i64) (result i64)
      (local.set 0 (i64.mul (i64.rotl (local.get 0) (local.get 1)) (local.get 0))) (local.get 0)))`;
  const store = new Store({ tier: 'interp' });
  const inst = store.instantiate(Module.fromBinary(watToBinary(wat)), []);
  const s64 = (x: bigint) => BigInt.asIntN(64, x);

  test('the fused ops that hold them are the ones run', () => {
    expect(opsOf(store, inst, 'rotl_mul')).toContain(Op.I64_ROTL_MUL);
    expect(opsOf(store, inst, 'mul_add')).toContain(Op.I64_MUL_ADD);
    expect(opsOf(store, inst, 'mul_alias')).toContain(Op.I64_MUL);
    // hash64's round: its intermediate results in JS locals (KEEP) when only the next op reads each, as its first
    // operand or either operand of a commutative one; written out when the sum is the rotation's count, or the
    // product is read again later
    expect(opsOf(store, inst, 'round')).toContain(Op.I64_ROUND);
    expect(opsOf(store, inst, 'round_swapped')).toContain(Op.I64_ROUND);
    expect(opsOf(store, inst, 'round_count')).toContain(Op.I64_MUL_ADD_ROTL_MUL);
    expect(opsOf(store, inst, 'round_live')).toContain(Op.I64_MUL_ADD_ROTL_MUL);
  });

  test('results equal BigInt arithmetic', () => {
    fc.assert(
      fc.property(i64, count, i64, (x, k, y) => {
        expect(inst.call('rotl_mul', x, k, y)).toEqual([s64(rotl(x & M, k) * (y & M))]);
        expect(inst.call('mul_add', x, k, y)).toEqual([s64((x & M) * (k & M) + (y & M))]);
        expect(inst.call('mul_alias', x, y)).toEqual([s64((x & M) * (y & M))]);
        const round = s64(rotl(((x & M) * (y & M) + (k & M)) & M, k) * ((x ^ y) & M));
        expect(inst.call('round', x, y, k, k, x ^ y)).toEqual([round]);
        expect(inst.call('round_swapped', x, y, k, k, x ^ y)).toEqual([round]);
        expect(inst.call('round_count', x, y, k, x ^ y, y)).toEqual([s64(rotl((x ^ y) & M, ((x & M) * (y & M) + (k & M)) & M) * (y & M))]);
        expect(inst.call('round_live', x, y, k, k, x ^ y)).toEqual([s64(((x & M) * (y & M)) ^ (rotl(((k & M) + ((x ^ y) & M)) & M, k) * ((x ^ y) & M)))]);
        expect(inst.call('rotl_alias', x, k, y)).toEqual([s64(rotl(x & M, k) * (x & M))]);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('f32x4 products, f32 sums and differences stored, kept in JS locals (KEEP), against the JS tier bit for bit', () => {
  // a, b, c: f32 bit patterns (NaN payloads, infinities, subnormals); the result lanes' bits
  const wat = `(module (memory 1)
    (func (export "mul_add") (param i32 i32 i32) (result i32)
      (i32x4.extract_lane 2 (f32x4.add (i32x4.splat (local.get 2)) (f32x4.mul (i32x4.splat (local.get 0)) (i32x4.splat (local.get 1))))))
    (func (export "mul_sub_store") (param i32 i32 i32) (result i32) (local v128)
      (v128.store (i32.const 16) (local.tee 3 (f32x4.sub (i32x4.splat (local.get 2)) (f32x4.mul (i32x4.splat (local.get 0)) (i32x4.splat (local.get 1))))))
      (i32.xor (i32.load (i32.const 24)) (i32.rotl (i32x4.extract_lane 1 (local.get 3)) (i32.const 7))))
    (func (export "add_store") (param i32 i32 i32) (result i32) (local f32 f32)
      (local.set 3 (f32.reinterpret_i32 (local.get 0))) (local.set 4 (f32.reinterpret_i32 (local.get 1)))
      (f32.store (local.get 2) (f32.add (local.get 3) (local.get 4)))
      (i32.load (local.get 2)))
    (func (export "sub_store") (param i32 i32 i32) (result i32) (local f32 f32)
      (local.set 3 (f32.reinterpret_i32 (local.get 0))) (local.set 4 (f32.reinterpret_i32 (local.get 1)))
      (f32.store (local.get 2) (f32.sub (local.get 3) (local.get 4)))
      (i32.load (local.get 2)))
    (func (export "load_add_store") (param i32 i32 i32) (result i32) (local f32)
      (local.set 3 (f32.reinterpret_i32 (local.get 0)))
      (i32.store (i32.const 512) (local.get 1))
      (f32.store (local.get 2) (f32.add (local.get 3) (f32.load (i32.const 512))))
      (i32.load (local.get 2)))
    (func (export "mul_mul_sub_store") (param i32 i32 i32) (result i32) (local f32 f32)
      (local.set 3 (f32.reinterpret_i32 (local.get 0))) (local.set 4 (f32.reinterpret_i32 (local.get 1)))
      (f32.store (local.get 2) (f32.sub (local.get 4) (f32.mul (f32.mul (local.get 3) (local.get 4)) (local.get 3))))
      (i32.load (local.get 2)))
    (func (export "add_mul_mul_load_add_store") (param i32 i32 i32) (result i32) (local f32 f32 i32)
      (local.set 3 (f32.reinterpret_i32 (local.get 0))) (local.set 4 (f32.reinterpret_i32 (local.get 1)))
      (i32.store (i32.add (local.get 2) (i32.const 512)) (local.get 1))
      (local.set 5 (i32.add (local.get 2) (i32.const 512)))
      (f32.store (local.get 5) (f32.add (f32.mul (f32.mul (local.get 3) (local.get 4)) (local.get 4)) (f32.load (local.get 5))))
      (i32.load (local.get 5)))
    (func (export "add_load_sub") (param i32 i32 i32) (result i32) (local f32)
      (i32.store (i32.add (local.get 2) (i32.const 512)) (local.get 1))
      (local.set 3 (f32.sub (f32.reinterpret_i32 (local.get 0)) (f32.load (i32.add (local.get 2) (i32.const 512)))))
      (i32.reinterpret_f32 (local.get 3)))
    (func (export "load_mul_mul_sub_store") (param i32 i32 i32) (result i32) (local f32 f32)
      (local.set 3 (f32.reinterpret_i32 (local.get 0))) (local.set 4 (f32.reinterpret_i32 (local.get 1)))
      (i32.store (i32.const 512) (local.get 1))
      (f32.store (local.get 2) (f32.sub (f32.load (i32.const 512)) (f32.mul (f32.mul (local.get 3) (local.get 4)) (local.get 3))))
      (i32.load (local.get 2))))`;
  const bits = fc.oneof(
    fc.integer({ min: -0x80000000, max: 0x7fffffff }),
    fc.constantFrom(0x7fc00000, 0x7f800001, 0xffc00001 | 0, 0x7fbfffff, 0x7f800000, 0xff800000 | 0, 1, 0x80000001 | 0, 0x3f800000, 0),
  );
  const tiers = (['interp', 'js'] as const).map((tier) => {
    const store = new Store({ tier });
    return { store, inst: store.instantiate(Module.fromBinary(watToBinary(wat)), []) };
  });

  test('the kept ops are the ones run', () => {
    const { store, inst } = tiers[0]!;
    expect(opsOf(store, inst, 'mul_add')).toContain(Op.F32X4_MUL_ADD_KEPT);
    expect(opsOf(store, inst, 'mul_sub_store')).toContain(Op.F32X4_MUL_SUB_V128_STORE_KEPT);
    expect(opsOf(store, inst, 'add_store')).toContain(Op.F32_ADD_I32_STORE_KEPT);
    expect(opsOf(store, inst, 'sub_store')).toContain(Op.F32_SUB_I32_STORE_KEPT);
    expect(opsOf(store, inst, 'load_add_store')).toContain(Op.I32_LOAD_F32_ADD_I32_STORE_KEPT);
    expect(opsOf(store, inst, 'mul_mul_sub_store')).toContain(Op.F32_MUL_MUL_SUB_I32_STORE_KEPT);
    expect(opsOf(store, inst, 'add_load_sub')).toContain(Op.ADD_I32_LOAD_F32_SUB_KEPT);
    expect(opsOf(store, inst, 'add_mul_mul_load_add_store')).toContain(Op.ADD_F32_MUL_MUL_I32_LOAD_F32_ADD_I32_STORE_KEPT);
    expect(opsOf(store, inst, 'load_mul_mul_sub_store')).toContain(Op.I32_LOAD_F32_MUL_MUL_SUB_I32_STORE_KEPT);
  });

  test('the same bits in both tiers', () => {
    fc.assert(
      fc.property(bits, bits, bits, (a, b, c) => {
        for (const name of ['mul_add', 'mul_sub_store']) expect(tiers[0]!.inst.call(name, a, b, c), name).toEqual(tiers[1]!.inst.call(name, a, b, c));
        // nbody's f32 sums and differences stored from JS locals (KEEP), at an address c picks (0-255, 4-aligned)
        for (const name of ['add_store', 'sub_store', 'load_add_store', 'mul_mul_sub_store', 'add_load_sub', 'load_mul_mul_sub_store', 'add_mul_mul_load_add_store']) expect(tiers[0]!.inst.call(name, a, b, c & 0xfc), name).toEqual(tiers[1]!.inst.call(name, a, b, c & 0xfc));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('v128 values that only move (COPY_V, V128_LOAD, ADD_V128_LOAD_KEPT, V128_STORE; I8X16_SHUFFLE\'s operands above) keep every bit, f64 NaN patterns included, against V8', () => {
  // 16-byte patterns whose f64 halves are NaNs with payloads, signalling NaNs, V8's hole NaN (0xfff7fffffff7ffff),
  // infinities and subnormals: the loop moves them as int32 words (not as f64s, which engines that NaN-box their
  // values, SpiderMonkey and JavaScriptCore, canonicalize when they read them: BENCHMARKS.md, interp13)
  const wat = `(module (memory (export "mem") 1)
    (func (export "copy") (param $src i32) (param $dst i32) (param $n i32) (local $a v128) (local $b v128) (local $i i32)
      (loop $l
        (local.set $a (v128.load offset=0 (i32.add (local.get $src) (local.get $i))))
        (local.set $b (local.get $a))
        (v128.store (i32.add (local.get $dst) (local.get $i)) (local.get $b))
        (local.set $b (v128.load offset=16 (i32.add (local.get $src) (local.get $i))))
        (v128.store offset=16 (i32.add (local.get $dst) (local.get $i)) (local.get $b))
        (local.set $i (i32.add (local.get $i) (i32.const 32)))
        (br_if $l (i32.lt_u (local.get $i) (local.get $n)))))
    (func (export "plain") (param $src i32) (param $dst i32) (param $n i32) (local $i i32)
      (loop $l
        (v128.store (i32.add (local.get $dst) (local.get $i)) (v128.xor (v128.load (i32.add (local.get $src) (local.get $i))) (v128.const i64x2 0 0)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br_if $l (i32.lt_u (local.get $i) (local.get $n))))))`;
  const bytes = watToBinary(wat);
  const v8 = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  const v8mem = new Uint8Array((v8.exports['mem'] as WebAssembly.Memory).buffer);
  const store = new Store({ tier: 'interp' });
  const ours = store.instantiate(Module.fromBinary(bytes), []);
  const mem = ours.memory('mem')!;

  test('the moves are the ops run', () => {
    const copy = opsOf(store, ours, 'copy');
    for (const op of [Op.COPY_V, Op.V128_STORE, Op.ADD_V128_LOAD_KEPT]) expect(copy).toContain(op);
    expect(opsOf(store, ours, 'plain')).toContain(Op.V128_LOAD);
  });

  test('every bit pattern survives, aligned or not', () => {
    fc.assert(
      fc.property(fc.array(half, { minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 15 }), (halves, skew) => {
        const input = bytesOf(halves, 256);
        for (const f of ['copy', 'plain']) {
          v8mem.fill(0);
          v8mem.set(input, skew);
          mem.write(0, new Uint8Array(1024));
          mem.write(skew, input);
          (v8.exports[f] as (s: number, d: number, n: number) => void)(skew, 512 + skew, 128);
          ours.call(f, skew, 512 + skew, 128);
          expect([...mem.read(512, 160)], f).toEqual([...v8mem.subarray(512, 672)]);
        }
      }),
      { numRuns: 600 },
    );
  });
});
