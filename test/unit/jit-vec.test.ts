/**
 * Fast paths of the JS tier's vector and i64 code against the interpreter and BigInt:
 * i64.mul (by constants and variables, edge values), f32x4 lanes read again from memory or
 * taken from constants, lanes stored with setFloat32, lanes of loop-invariant locals converted
 * once before the loop (re-entries and fuel cuts included), i8x16.add_sat_u inline.
 */
import { describe, expect, test } from 'vitest';
import { OutOfFuel } from '../../src/core/errors.js';
import { Linker, Module, Store } from '../../src/index.js';
import { jitStats } from '../../src/interp/tier.js';

type Tier = 'js' | 'interp';

/** Edge and random 64-bit values. */
function values(): bigint[] {
  const edge = [0n, 1n, -1n, 2n, -2n, 3n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 0xffffn, 0x10000n, 0x8000n];
  edge.push(-(2n ** 63n), 2n ** 63n - 1n, 0x9e3779b185ebca87n, 0xc2b2ae3d27d4eb4fn, 0xffffffff00000000n, 0x00000001ffffffffn);
  let s = 0x243f6a8885a308d3n;
  for (let i = 0; i < 200; i++) {
    s = BigInt.asUintN(64, s * 6364136223846793005n + 1442695040888963407n);
    edge.push(BigInt.asIntN(64, s >> BigInt(i % 40)));
  }
  return edge.map((v) => BigInt.asIntN(64, v));
}

describe('JS tier: i64.mul', () => {
  test('by variables and by constants (edge values) equals BigInt, hot', () => {
    const vs = values();
    const consts = vs.slice(0, 24);
    const body = consts.map((c, i) => `(i64.xor (i64.mul (local.get 0) (i64.const ${c})) (i64.rotl (local.get 2) (i64.const ${i + 1})))`);
    const wat = `(module
      (func (export "mul") (param i64 i64) (result i64) (i64.mul (local.get 0) (local.get 1)))
      (func (export "mulc") (param i64) (result i64) (local i64 i64)
        ${body.map((b) => `(local.set 2 ${b})`).join('\n        ')}
        (i64.add (local.get 2) (i64.mul (i64.const -7) (local.get 0)))))`;
    const inst = new Linker().instantiate(new Store({ tier: 'js' }), Module.fromWat(wat));
    const rotl = (x: bigint, n: number): bigint => BigInt.asIntN(64, (BigInt.asUintN(64, x) << BigInt(n)) | (BigInt.asUintN(64, x) >> BigInt(64 - n)));
    for (let round = 0; round < 20; round++) {
      for (const a of vs) {
        for (let j = round; j < vs.length; j += 20) expect(inst.call('mul', a, vs[j]!)[0]).toBe(BigInt.asIntN(64, a * vs[j]!));
        let acc = 0n;
        consts.forEach((c, i) => (acc = BigInt.asIntN(64, a * c) ^ rotl(acc, i + 1)));
        expect(inst.call('mulc', a)[0]).toBe(BigInt.asIntN(64, acc + BigInt.asIntN(64, -7n * a)));
      }
    }
  });
});

describe('JS tier: i64.add / i64.sub carries (branch-free `(compare) | 0`)', () => {
  test('by variables and by constants, every carry and borrow case of edge values, equals BigInt, hot', () => {
    const vs = values();
    const consts = [0n, 1n, -1n, -(2n ** 63n), 2n ** 63n - 1n, 0xffffffffn, 0x80000000n, 0x100000000n, -0x100000000n];
    const wat = `(module
      (func (export "add") (param i64 i64) (result i64) (i64.add (local.get 0) (local.get 1)))
      (func (export "sub") (param i64 i64) (result i64) (i64.sub (local.get 0) (local.get 1)))
      (func (export "k") (param i64) (result i64) (local i64)
        ${consts.map((c, i) => `(local.set 1 (i64.xor (i64.rotl (local.get 1) (i64.const ${i + 1})) (i64.${i % 2 ? 'sub' : 'add'} (local.get 0) (i64.const ${c}))))`).join('\n        ')}
        ${consts.map((c) => `(local.set 1 (i64.add (local.get 1) (i64.sub (i64.const ${c}) (local.get 0))))`).join('\n        ')}
        (local.get 1)))`;
    const inst = new Linker().instantiate(new Store({ tier: 'js' }), Module.fromWat(wat));
    const rotl = (x: bigint, n: number): bigint => BigInt.asIntN(64, (BigInt.asUintN(64, x) << BigInt(n)) | (BigInt.asUintN(64, x) >> BigInt(64 - n)));
    const w = (x: bigint): bigint => BigInt.asIntN(64, x);
    for (let round = 0; round < 10; round++) {
      for (const a of vs) {
        for (let j = round; j < vs.length; j += 10) {
          expect(inst.call('add', a, vs[j]!)[0]).toBe(w(a + vs[j]!));
          expect(inst.call('sub', a, vs[j]!)[0]).toBe(w(a - vs[j]!));
        }
        let acc = 0n;
        consts.forEach((c, i) => (acc = rotl(acc, i + 1) ^ w(i % 2 ? a - c : a + c)));
        for (const c of consts) acc = w(acc + w(c - a));
        expect(inst.call('k', a)[0]).toBe(acc);
      }
    }
  });
});

describe('JS tier: f32x4 lanes', () => {
  // memory at 0..255 holds special f32 bit patterns (NaNs with payloads, signalling NaNs, -0, denormals, infinities)
  const specials = [
    0x7fa00001, 0xffc00000 | 0, 0x7f800001, 0x7fbfffff, 0x80000000 | 0, 0, 1, 0x807fffff | 0, 0x00800000, 0x7f800000, 0xff800000 | 0,
    0x3f800000, 0x3eaaaaab, 0x4b7fffff, 0x33800000, 0xc0490fdb | 0,
  ];
  const wat = `(module (memory (export "memory") 1)
    (func (export "f") (param i32) (local v128 v128 v128 i32)
      (loop $l
        (local.set 4 (i32.and (i32.mul (local.get 0) (i32.const 16)) (i32.const 240)))
        ;; lanes of loads read again from memory; a store between the load and the use must not be seen
        (local.set 1 (v128.load (local.get 4)))
        (local.set 2 (v128.load offset=16 (i32.and (local.get 4) (i32.const 224))))
        (v128.store (local.get 4) (v128.const i32x4 1 2 3 4))
        (local.set 3 (f32x4.add (local.get 1) (local.get 2)))
        ;; constants as lanes; the result stored as lanes (setFloat32), and as words through a local
        (v128.store offset=256 (local.get 4) (f32x4.mul (local.get 3) (v128.const f32x4 0.5 -0 1e-40 -1.5)))
        (local.set 2 (f32x4.sub (local.get 2) (local.get 1)))
        (v128.store offset=512 (local.get 4) (local.get 2))
        ;; a load stored unchanged keeps signalling NaNs; a loaded local used by f32x4 and then stored
        (v128.store offset=768 (local.get 4) (local.get 1))
        (v128.store offset=1024 (local.get 4) (f32x4.div (v128.load offset=16 (local.get 4)) (local.get 1)))
        ;; restore the specials, rotated
        (v128.store (local.get 4) (i8x16.add_sat_u (local.get 1) (v128.const i8x16 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0)))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (br_if $l (local.get 0)))))`;
  const mod = Module.fromWat(wat);
  const run = (tier: Tier, n: number): number[] => {
    const inst = new Linker().instantiate(new Store({ tier }), mod);
    const m = new DataView(inst.memory()!.buffer);
    for (let i = 0; i < 64; i++) m.setInt32(4 * i, specials[(i * 7) % specials.length]!, true);
    inst.call('f', n);
    return Array.from(new Int32Array(inst.memory()!.buffer, 0, 1280 / 4));
  };
  test('special values (NaN payloads, -0, denormals) bit for bit as in the interpreter, hot', () => {
    for (const n of [1, 17, 3000]) {
      const js = run('js', n);
      const interp = run('interp', n);
      // NaN results of arithmetic may differ in payload between engines' operand orders (docs/architecture.md):
      // compare non-NaN words exactly and NaN words as NaNs
      const norm = (w: number): number => ((w & 0x7f800000) === 0x7f800000 && (w & 0x7fffff) !== 0 ? 0x7fc00000 : w);
      expect(js.slice(0, 64)).toEqual(interp.slice(0, 64));
      expect(js.slice(192, 256)).toEqual(interp.slice(192, 256));
      for (let i = 0; i < js.length; i++) expect(norm(js[i]!), `n=${n}, word ${i}`).toBe(norm(interp[i]!));
    }
  });
  test('i8x16.add_sat_u inline equals the interpreter', () => {
    const w = `(module (memory (export "memory") 1)
      (func (export "f") (param i32) (local i32)
        (loop $l
          (v128.store offset=4096 (local.get 1) (i8x16.add_sat_u (v128.load (local.get 1)) (v128.load offset=2048 (local.get 1))))
          (local.set 1 (i32.add (local.get 1) (i32.const 16)))
          (br_if $l (i32.lt_u (local.get 1) (local.get 0))))))`;
    const m = Module.fromWat(w);
    const out = (tier: Tier): number[] => {
      const inst = new Linker().instantiate(new Store({ tier }), m);
      const u8 = new Uint8Array(inst.memory()!.buffer);
      let s = 1;
      for (let i = 0; i < 4096; i++) u8[i] = i < 512 ? (i * 37) & 255 : (s = (Math.imul(s, 1103515245) + 12345) | 0) >>> 24;
      inst.call('f', 2048);
      return Array.from(u8.subarray(4096, 6144));
    };
    const js = out('js');
    expect(js).toEqual(out('interp'));
    expect(js.some((b) => b === 255)).toBe(true);
  });

  // $a is written in the outer loop and only read in the inner one (its lanes converted once, before the inner
  // loop, and kept through the inner loop's stretches); $c is read in both and written in neither (converted
  // before the outer loop, where re-entries at the inner loop pass too); $w is read in the outer loop and written
  // only in a loop nested in it (the outer loop must not keep its lanes); $d is written in the inner loop
  const hoist = Module.fromWat(`(module (memory (export "memory") 1)
    (func (export "f") (param $n i32) (param $m i32) (local $a v128) (local $d v128) (local $w v128) (local $j i32) (local $p i32) (local $c v128)
      (local.set $d (v128.load offset=64 (i32.const 0)))
      (local.set $c (v128.load offset=96 (i32.const 0)))
      (loop $outer
        (local.set $p (i32.and (i32.mul (local.get $n) (i32.const 16)) (i32.const 48)))
        (local.set $a (v128.load (local.get $p)))
        (v128.store offset=1024 (local.get $p) (f32x4.mul (local.get $w) (local.get $a)))
        (v128.store offset=1296 (local.get $p) (f32x4.sub (local.get $c) (local.get $a)))
        (local.set $j (local.get $m))
        (loop $inner
          (local.set $d (f32x4.add (local.get $d) (f32x4.mul (local.get $a) (v128.const f32x4 0.5 0.25 -1 2))))
          (local.set $d (f32x4.min (local.get $d) (f32x4.add (local.get $c) (local.get $c))))
          (if (i32.and (local.get $j) (i32.const 1))
            (then (local.set $d (f32x4.sub (local.get $d) (local.get $a)))))
          ;; a new stretch: the lanes of $a again, and its words (signalling NaNs kept)
          (local.set $p (i32.and (i32.mul (i32.add (local.get $j) (local.get $n)) (i32.const 16)) (i32.const 240)))
          (v128.store offset=256 (local.get $p) (local.get $a))
          (v128.store offset=512 (local.get $p) (f32x4.mul (local.get $a) (local.get $d)))
          (local.set $j (i32.sub (local.get $j) (i32.const 1)))
          (br_if $inner (local.get $j)))
        (local.set $j (i32.const 3))
        (loop $write
          (local.set $w (f32x4.add (local.get $w) (local.get $d)))
          (local.set $j (i32.sub (local.get $j) (i32.const 1)))
          (br_if $write (local.get $j)))
        (v128.store offset=768 (local.get $p) (f32x4.div (local.get $w) (local.get $a)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br_if $outer (local.get $n)))
      (v128.store offset=1280 (i32.const 0) (local.get $d))))`);
  /** Memory words after f(n, m), and the fuel it took; `cut`: fuel in slices of that size (stops, resumes, re-entries). */
  const hoisted = (tier: Tier, n: number, m: number, cut = 0): { words: number[]; fuel: number } => {
    const store = new Store({ tier, fuel: cut > 0 ? cut : 1e12 });
    const inst = new Linker().instantiate(store, hoist);
    const mem = new DataView(inst.memory()!.buffer);
    for (let i = 0; i < 32; i++) mem.setInt32(4 * i, specials[(i * 5) % specials.length]!, true);
    let go = (): unknown => inst.call('f', n, m);
    for (;;) {
      try {
        go();
        break;
      } catch (e) {
        if (!(e instanceof OutOfFuel) || cut === 0) throw e;
        store.addFuel(cut);
        go = () => e.resume();
      }
    }
    return { words: Array.from(new Int32Array(inst.memory()!.buffer, 0, 1360 / 4)), fuel: store.fuelConsumed };
  };
  test('lanes of a loop-invariant local converted once before the loop: bit for bit as in the interpreter, with re-entries', () => {
    const norm = (w: number): number => ((w & 0x7f800000) === 0x7f800000 && (w & 0x7fffff) !== 0 ? 0x7fc00000 : w);
    const declined = (): number => [...jitStats.declined.values()].reduce((a, b) => a + b, 0);
    const d0 = declined();
    const osr0 = jitStats.osrEntries;
    for (const [n, m, cut] of [
      [5, 7, 0],
      [40, 300, 0],
      [9, 50, 97],
      [9, 50, 1009],
    ] as const) {
      const js = hoisted('js', n, m, cut);
      const interp = hoisted('interp', n, m, cut);
      expect(js.fuel, `n=${n} m=${m} cut=${cut}`).toBe(interp.fuel);
      // stored words of $a exactly (signalling NaNs), arithmetic results as numbers or NaNs
      expect(js.words.slice(0, 128)).toEqual(interp.words.slice(0, 128));
      for (let i = 0; i < js.words.length; i++) expect(norm(js.words[i]!), `n=${n} m=${m} cut=${cut}, word ${i}`).toBe(norm(interp.words[i]!));
    }
    // the JS tier ran it (an internal error would have left it to the interpreter), re-entering its loops
    expect(declined()).toBe(d0);
    expect(jitStats.osrEntries).toBeGreaterThan(osr0);
  });
});
