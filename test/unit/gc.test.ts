/**
 * GC execution beyond what the spec suite covers: field storage of every
 * kind, casts across modules and rec groups, i31 edge values, extern/any
 * round trips from the embedder, array size limits, fuel surcharges, and
 * br_on_cast carrying several values, each also run starved (resumed at
 * every instruction).
 */
import { describe, expect, test } from 'vitest';
import { Linker, Module, OutOfFuel, RawF32, RawF64, ResourceLimitError, Store, Trap } from '../../src/index.js';
import { GcArray, GcStruct } from '../../src/runtime/objects/gc.js';
import type { Instance } from '../../src/runtime/instance.js';

/** Calls `name` with 0 fuel, adding exactly what each stop needs; returns the results and the fuel used. */
function starved(inst: Instance, store: Store, name: string, args: unknown[]): { r: unknown[]; fuel: number } {
  const before = store.fuelConsumed;
  let pending: OutOfFuel | null = null;
  let r: unknown[] | null = null;
  try {
    r = inst.call(name, ...args);
  } catch (e) {
    if (!(e instanceof OutOfFuel)) throw e;
    pending = e;
  }
  while (pending) {
    store.addFuel(pending.needed);
    try {
      r = pending.resume();
      pending = null;
    } catch (e) {
      if (!(e instanceof OutOfFuel)) throw e;
      pending = e;
    }
  }
  return { r: r!, fuel: store.fuelConsumed - before };
}

/** Runs `name` in a fresh unmetered store and in a fresh starved store: same results, same fuel. */
function both(mod: Module, name: string, args: unknown[] = []): unknown[] {
  const s1 = new Store();
  const i1 = new Linker().instantiate(s1, mod);
  const r1 = i1.call(name, ...args);
  const s2 = new Store({ fuel: 0 });
  const i2 = new Linker().instantiate(s2, mod);
  const r2 = starved(i2, s2, name, args);
  expect(r2.r).toEqual(r1);
  expect(r2.fuel).toBe(s1.fuelConsumed);
  return r1;
}

describe('structs', () => {
  const mod = Module.fromWat(`(module
    (type $s (struct (field $a (mut i8)) (field $b (mut i16)) (field $c (mut i32)) (field $d (mut i64))
                     (field $e (mut f32)) (field $f (mut f64)) (field $g (mut v128)) (field $h (mut anyref))))
    (global $g (ref $s) (struct.new $s (i32.const -1) (i32.const 0x12345) (i32.const 7) (i64.const -2)
                          (f32.const nan:0x200001) (f64.const -nan:0x8000000000001) (v128.const i32x4 1 2 3 4)
                          (ref.i31 (i32.const -5))))
    (func $make (export "make") (result (ref $s))
      (struct.new $s (i32.const 0x1ff) (i32.const -1) (i32.const -7) (i64.const 0x123456789abcdef0)
        (f32.const nan:0x7fffff) (f64.const nan:0x1) (v128.const i64x2 -1 5) (ref.i31 (i32.const 9))))
    (func (export "fields") (result i32 i32 i32 i32 i64 f32 f64 v128 i32)
      (local $x (ref $s)) (local.set $x (call $make))
      (struct.get_s $s $a (local.get $x)) (struct.get_u $s $a (local.get $x))
      (struct.get_s $s $b (local.get $x)) (struct.get $s $c (local.get $x))
      (struct.get $s $d (local.get $x)) (struct.get $s $e (local.get $x))
      (struct.get $s $f (local.get $x)) (struct.get $s $g (local.get $x))
      (i31.get_s (ref.cast i31ref (struct.get $s $h (local.get $x)))))
    (func (export "global") (result i32 i32 i64 f32 f64 v128 i32)
      (struct.get_u $s $a (global.get $g)) (struct.get_u $s $b (global.get $g))
      (struct.get $s $d (global.get $g)) (struct.get $s $e (global.get $g)) (struct.get $s $f (global.get $g))
      (struct.get $s $g (global.get $g)) (i31.get_s (ref.cast i31ref (struct.get $s $h (global.get $g)))))
    (func (export "set") (result i32 i64 f64 i32)
      (local $x (ref $s)) (local.set $x (struct.new_default $s))
      (struct.set $s $b (local.get $x) (i32.const 0x18001))
      (struct.set $s $d (local.get $x) (i64.const 42))
      (struct.set $s $f (local.get $x) (f64.const 2.5))
      (struct.set $s $h (local.get $x) (local.get $x))
      (struct.get_u $s $b (local.get $x)) (struct.get $s $d (local.get $x)) (struct.get $s $f (local.get $x))
      (ref.eq (ref.cast eqref (struct.get $s $h (local.get $x))) (local.get $x)))
    (func (export "null") (struct.set $s $c (ref.null $s) (i32.const 1)))
  )`);

  test('every field kind keeps its bits (NaN payloads included), normal and starved', () => {
    const r = both(mod, 'fields');
    expect(r.slice(0, 5)).toEqual([-1, 255, -1, -7, 0x123456789abcdef0n]);
    const f32 = new Float32Array([r[5] as number]);
    expect(Number.isNaN(f32[0])).toBe(true);
    const s = new Store();
    const raw = new Linker().instantiate(s, mod);
    const bits = s.invoke(raw.getExport('fields') as never, [], true);
    expect((bits[5] as RawF32).bits >>> 0).toBe(0x7fffffff);
    expect([(bits[6] as RawF64).lo, (bits[6] as RawF64).hi >>> 0]).toEqual([1, 0x7ff00000]);
    expect(Array.from(r[7] as Uint8Array)).toEqual([255, 255, 255, 255, 255, 255, 255, 255, 5, 0, 0, 0, 0, 0, 0, 0]);
    expect(r[8]).toBe(9);
  });

  test('struct.new in a constant expression', () => {
    const s = new Store();
    const inst = new Linker().instantiate(s, mod);
    const r = s.invoke(inst.getExport('global') as never, [], true);
    expect(r.slice(0, 3)).toEqual([255, 0x2345, -2n]);
    expect((r[3] as RawF32).bits >>> 0).toBe(0x7fa00001);
    expect([(r[4] as RawF64).lo, (r[4] as RawF64).hi >>> 0]).toEqual([1, 0xfff80000]);
    expect(Array.from(r[5] as Uint8Array).slice(0, 8)).toEqual([1, 0, 0, 0, 2, 0, 0, 0]);
    expect(r[6]).toBe(-5);
  });

  test('struct.set, self references, null traps', () => {
    expect(both(mod, 'set')).toEqual([0x8001, 42n, 2.5, 1]);
    const inst = new Linker().instantiate(new Store(), mod);
    expect(() => inst.call('null')).toThrow(new Trap('null structure reference'));
    expect(inst.call('make')[0]).toBeInstanceOf(GcStruct);
  });
});

describe('casts', () => {
  const wat = (extra: string): string => `(module
    (rec (type $a (sub (struct (field i32)))) (type $b (sub $a (struct (field i32) (field i64)))))
    (type $c (sub final $b (struct (field i32) (field i64) (field f32))))
    (type $f (func (param i32) (result i32)))
    (func $id (type $f) (local.get 0))
    (elem declare func $id)
    (func (export "new_a") (result anyref) (struct.new_default $a))
    (func (export "new_b") (result anyref) (struct.new_default $b))
    (func (export "new_c") (result anyref) (struct.new_default $c))
    (func (export "is_a") (param anyref) (result i32) (ref.test (ref $a) (local.get 0)))
    (func (export "is_b") (param anyref) (result i32) (ref.test (ref $b) (local.get 0)))
    (func (export "is_c") (param anyref) (result i32) (ref.test (ref $c) (local.get 0)))
    (func (export "is_eq") (param anyref) (result i32) (ref.test eqref (local.get 0)))
    (func (export "is_i31") (param anyref) (result i32) (ref.test i31ref (local.get 0)))
    (func (export "is_struct") (param anyref) (result i32) (ref.test structref (local.get 0)))
    (func (export "is_null_b") (param anyref) (result i32) (ref.test (ref null $b) (local.get 0)))
    (func (export "to_b") (param anyref) (result (ref null $b)) (ref.cast (ref null $b) (local.get 0)))
    (func (export "func_is_f") (result i32) (ref.test (ref $f) (ref.func $id)))
    ${extra}
  )`;
  const m1 = Module.fromWat(wat(''));
  // the same rec group in another module is the same type; a lone struct with $a's shape is not
  const m2 = Module.fromWat(`(module
    (rec (type $a (sub (struct (field i32)))) (type $b (sub $a (struct (field i32) (field i64)))))
    (type $lone (sub (struct (field i32))))
    (func (export "new_b") (result anyref) (struct.new_default $b))
    (func (export "new_lone") (result anyref) (struct.new_default $lone)))`);

  test('subtype chain and abstract types', () => {
    const store = new Store();
    const i1 = new Linker().instantiate(store, m1);
    const a = i1.call('new_a')[0];
    const b = i1.call('new_b')[0];
    const c = i1.call('new_c')[0];
    const row = (v: unknown): number[] => ['is_a', 'is_b', 'is_c', 'is_eq', 'is_i31', 'is_struct', 'is_null_b'].map((n) => i1.call(n, v)[0] as number);
    expect(row(a)).toEqual([1, 0, 0, 1, 0, 1, 0]);
    expect(row(b)).toEqual([1, 1, 0, 1, 0, 1, 1]);
    expect(row(c)).toEqual([1, 1, 1, 1, 0, 1, 1]);
    expect(row(null)).toEqual([0, 0, 0, 1, 1, 1, 1]); // eqref, i31ref, structref are nullable
    expect(row(5)).toEqual([0, 0, 0, 1, 1, 0, 0]);
    expect(row({ host: true })).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(i1.call('to_b', c)[0]).toBe(c);
    expect(i1.call('to_b', null)[0]).toBe(null);
    expect(() => i1.call('to_b', a)).toThrow(new Trap('cast failure'));
    expect(i1.call('func_is_f')).toEqual([1]);
  });

  test('across modules: the same rec group is the same type, the same shape alone is not', () => {
    const store = new Store();
    const i1 = new Linker().instantiate(store, m1);
    const i2 = new Linker().instantiate(store, m2);
    const b2 = i2.call('new_b')[0];
    const lone = i2.call('new_lone')[0];
    expect([i1.call('is_a', b2)[0], i1.call('is_b', b2)[0], i1.call('is_c', b2)[0]]).toEqual([1, 1, 0]);
    expect([i1.call('is_a', lone)[0], i1.call('is_struct', lone)[0]]).toEqual([0, 1]);
  });

  test('a reference argument must fit the parameter type', () => {
    const store = new Store();
    const i1 = new Linker().instantiate(store, Module.fromWat(`(module
      (type $a (struct (field i32))) (type $b (struct (field i64)))
      (func (export "new_b") (result (ref $b)) (struct.new_default $b))
      (func (export "get") (param (ref $a)) (result i32) (struct.get $a 0 (local.get 0)))
      (func (export "i31") (param i31ref) (result i32) (i31.get_u (local.get 0))))`));
    const b = i1.call('new_b')[0];
    expect(() => i1.call('get', b)).toThrow(TypeError);
    expect(() => i1.call('get', null)).toThrow(TypeError);
    expect(() => i1.call('get', 'str')).toThrow(TypeError);
    expect(() => i1.call('i31', 2 ** 30)).toThrow(TypeError); // not an i31: a boxed host number
    expect(() => i1.call('i31', 1.5)).toThrow(TypeError);
    expect(i1.call('i31', -1)).toEqual([0x7fffffff]);
    expect(() => i1.call('i31', null)).toThrow(new Trap('null i31 reference'));
  });
});

describe('i31', () => {
  const mod = Module.fromWat(`(module
    (func (export "wrap") (param i32) (result i32 i32 i31ref)
      (i31.get_s (ref.i31 (local.get 0))) (i31.get_u (ref.i31 (local.get 0))) (ref.i31 (local.get 0)))
    (func (export "eq") (param i32 i32) (result i32) (ref.eq (ref.i31 (local.get 0)) (ref.i31 (local.get 1)))))`);
  test('edge values', () => {
    const cases: [number, number, number][] = [
      [0, 0, 0],
      [1, 1, 1],
      [-1, -1, 0x7fffffff],
      [0x3fffffff, 0x3fffffff, 0x3fffffff],
      [0x40000000, -0x40000000, 0x40000000],
      [0x7fffffff, -1, 0x7fffffff],
      [-0x80000000, 0, 0],
      [-0x40000000, -0x40000000, 0x40000000],
    ];
    for (const [x, s, u] of cases) expect(both(mod, 'wrap', [x])).toEqual([s, u, s]);
  });
  test('ref.eq compares by value (equal modulo 2^31)', () => {
    const inst = new Linker().instantiate(new Store(), mod);
    expect(inst.call('eq', 5, 5)).toEqual([1]);
    expect(inst.call('eq', 5, 6)).toEqual([0]);
    expect(inst.call('eq', 0x7fffffff, -1)).toEqual([1]);
    expect(inst.call('eq', 0x80000000 | 0, 0)).toEqual([1]);
  });
});

describe('extern and any', () => {
  const mod = Module.fromWat(`(module
    (type $s (struct))
    (func (export "internalize") (param externref) (result anyref) (any.convert_extern (local.get 0)))
    (func (export "externalize") (param anyref) (result externref) (extern.convert_any (local.get 0)))
    (func (export "round") (param externref) (result externref) (extern.convert_any (any.convert_extern (local.get 0))))
    (func (export "is_i31") (param externref) (result i32) (ref.test i31ref (any.convert_extern (local.get 0))))
    (func (export "is_eq") (param externref) (result i32) (ref.test eqref (any.convert_extern (local.get 0))))
    (func (export "i31_out") (param i32) (result externref) (extern.convert_any (ref.i31 (local.get 0))))
    (func (export "i31_back") (param i32) (result i32) (i31.get_s (ref.cast i31ref (any.convert_extern (extern.convert_any (ref.i31 (local.get 0)))))))
    (func (export "struct_back") (result i32)
      (local $x (ref $s)) (local.set $x (struct.new $s))
      (ref.eq (local.get $x) (ref.cast eqref (any.convert_extern (extern.convert_any (local.get $x)))))))`);
  const inst = new Linker().instantiate(new Store(), mod);
  test('every host value round-trips to itself', () => {
    const obj = { x: 1 };
    for (const v of [obj, 'text', 5, -0, 3.5, 2 ** 30, -(2 ** 30), NaN, 10n, null]) {
      expect(Object.is(inst.call('round', v)[0], v)).toBe(true);
      expect(Object.is(inst.call('externalize', inst.call('internalize', v)[0])[0], v)).toBe(true);
    }
  });
  test('host numbers become i31 references only when they are i31 values (the JS API rule)', () => {
    expect([5, -(2 ** 30), 2 ** 30 - 1].map((v) => inst.call('is_i31', v)[0])).toEqual([1, 1, 1]);
    expect([2 ** 30, -0, 3.5, NaN, 'x', {}].map((v) => inst.call('is_i31', v)[0])).toEqual([0, 0, 0, 0, 0, 0]);
    expect(inst.call('is_eq', {})).toEqual([0]);
  });
  test('an i31 or struct leaves and comes back as itself', () => {
    expect(inst.call('i31_out', -3)).toEqual([-3]);
    expect(inst.call('i31_back', 0x40000001)).toEqual([-0x3fffffff]);
    expect(inst.call('struct_back')).toEqual([1]);
  });
});

describe('arrays: limits and fuel', () => {
  const mod = Module.fromWat(`(module
    (type $b (array (mut i8)))
    (type $r (array (mut anyref)))
    (type $l (array (mut i64)))
    (data $d "0123456789abcdef")
    (func (export "new") (param i32) (result i32) (array.len (array.new_default $b (local.get 0))))
    (func (export "new_refs") (param i32) (result i32) (array.len (array.new_default $r (local.get 0))))
    (func (export "fill") (param i32 i32) (result i32)
      (local $a (ref $b)) (local.set $a (array.new_default $b (i32.const 64)))
      (array.fill $b (local.get $a) (local.get 0) (i32.const 7) (local.get 1))
      (array.get_u $b (local.get $a) (i32.const 63)))
    (func (export "copy") (param i32) (result i64)
      (local $a (ref $l)) (local.set $a (array.new $l (i64.const -3) (i32.const 40)))
      (array.set $l (local.get $a) (i32.const 0) (i64.const 11))
      (array.copy $l $l (local.get $a) (i32.const 1) (local.get $a) (i32.const 0) (local.get 0))
      (array.get $l (local.get $a) (local.get 0)))
    (func (export "data") (param i32) (result i32)
      (array.get_u $b (array.new_data $b $d (i32.const 0) (local.get 0)) (i32.const 15)))
  )`);

  test('too large an array is a ResourceLimitError; the store stays usable', () => {
    const store = new Store({ limits: { maxArrayBytes: 1000 } });
    const inst = new Linker().instantiate(store, mod);
    expect(inst.call('new', 1000)).toEqual([1000]);
    expect(() => inst.call('new', 1001)).toThrow(ResourceLimitError);
    expect(inst.call('new_refs', 125)).toEqual([125]); // 8 bytes per reference
    expect(() => inst.call('new_refs', 126)).toThrow(ResourceLimitError);
    const big = new Linker().instantiate(new Store(), mod);
    expect(() => big.call('new', -1)).toThrow(ResourceLimitError); // 2^32 - 1 elements
    expect(big.call('new', 3)).toEqual([3]);
  });

  test('array constant expressions respect the limit', () => {
    const m = Module.fromWat(`(module (type $b (array i8)) (global (ref $b) (array.new_default $b (i32.const 5000))))`);
    expect(() => new Linker().instantiate(new Store({ limits: { maxArrayBytes: 4096 } }), m)).toThrow(ResourceLimitError);
    new Linker().instantiate(new Store(), m);
  });

  test('per-element surcharges (1 per 16 elements by default), charged after the bounds check', () => {
    const cost = (name: string, args: unknown[], elementsPerFuel?: number): number => {
      const store = new Store({ costs: elementsPerFuel ? { elementsPerFuel } : {} });
      const inst = new Linker().instantiate(store, mod);
      inst.call(name, ...args);
      return store.fuelConsumed;
    };
    expect(cost('new', [1600]) - cost('new', [0])).toBe(100);
    expect(cost('new', [1600], 100) - cost('new', [0], 100)).toBe(16);
    expect(cost('new', [15]) - cost('new', [0])).toBe(0);
    // fill: 4 (the array) + 32 filled / 16
    expect(cost('fill', [0, 32]) - cost('fill', [0, 0])).toBe(2);
    expect(cost('copy', [32]) - cost('copy', [0])).toBe(2);
    expect(cost('data', [16]) - cost('data', [16], 1000)).toBe(1);
    // a fill out of bounds traps without paying its surcharge
    const s2 = new Store();
    const i2 = new Linker().instantiate(s2, mod);
    expect(() => i2.call('fill', 60, 32)).toThrow(new Trap('out of bounds array access'));
    // local.get, i32.const, array.get_u and end after the trap are not reached
    expect(s2.fuelConsumed).toBe(cost('fill', [0, 0]) - 4);
  });

  test('bulk array operations run the same starved', () => {
    expect(both(mod, 'fill', [1, 63])).toEqual([7]);
    expect(both(mod, 'copy', [39])).toEqual([-3n]);
    expect(both(mod, 'copy', [1])).toEqual([11n]);
    expect(both(mod, 'data', [16])).toEqual(['f'.charCodeAt(0)]);
    expect(both(mod, 'new', [4000])).toEqual([4000]);
  });

  test('a surcharge that cannot be paid stops before the array changes', () => {
    const store = new Store({ fuel: 0 });
    const inst = new Linker().instantiate(store, mod);
    let stops = 0;
    let e: unknown;
    try {
      inst.call('new', 3200);
    } catch (x) {
      e = x;
    }
    while (e instanceof OutOfFuel) {
      stops++;
      if (e.needed === 200) expect(e.remaining).toBeLessThan(200);
      store.addFuel(e.needed);
      try {
        expect(e.resume()).toEqual([3200]);
        e = null;
      } catch (x) {
        e = x;
      }
    }
    expect(stops).toBeGreaterThan(3);
    store.addFuel(100);
    expect(inst.call('new', 0)).toEqual([0]);
  });

  test('arrays reach the host as GcArray objects', () => {
    const inst = new Linker().instantiate(
      new Store(),
      Module.fromWat(`(module (type $b (array i8)) (func (export "mk") (result (ref $b)) (array.new_fixed $b 3 (i32.const 1) (i32.const 2) (i32.const 300))))`),
    );
    const a = inst.call('mk')[0] as GcArray;
    expect(a).toBeInstanceOf(GcArray);
    expect([a.len, ...Array.from(a.data as Uint8Array)]).toEqual([3, 1, 2, 44]);
  });
});

describe('br_on_cast carrying several values', () => {
  const mod = Module.fromWat(`(module
    (type $s (sub (struct (field i32))))
    (type $t (sub $s (struct (field i32) (field i32))))
    (func $f (export "f") (param anyref) (result i32 i64)
      (local $n i32)
      (block $l (result i32 i64 (ref $t))
        (i32.const 10) (i64.const 20) (local.get 0)
        (br_on_cast $l anyref (ref $t))
        (local.set 0)
        (i64.const 1) (i64.add)
        (return))
      (struct.get $t 1)
      (i64.extend_i32_s)
      (i64.add))
    (func $g (export "g") (param anyref) (result i32 i64)
      (block $l (result i32 i64 anyref)
        (i32.const 10) (i64.const 20) (local.get 0)
        (br_on_cast_fail $l anyref (ref null $s))
        (drop)
        (i64.const 1) (i64.add)
        (return))
      (drop) (i64.const 100) (i64.add))
    (func (export "t") (result i32 i64) (call $f (struct.new $t (i32.const 1) (i32.const 5))))
    (func (export "s") (result i32 i64) (call $f (struct.new $s (i32.const 1))))
    (func (export "gs") (result i32 i64) (call $g (struct.new $t (i32.const 1) (i32.const 5))))
    (func (export "gn") (result i32 i64) (call $g (ref.null any)))
    (func (export "gi") (result i32 i64) (call $g (ref.i31 (i32.const 3)))))`);
  test('taken and not taken, normal and starved', () => {
    expect(both(mod, 't')).toEqual([10, 25n]);
    expect(both(mod, 's')).toEqual([10, 21n]);
    expect(both(mod, 'gs')).toEqual([10, 21n]);
    expect(both(mod, 'gn')).toEqual([10, 21n]);
    expect(both(mod, 'gi')).toEqual([10, 120n]);
    const inst = new Linker().instantiate(new Store(), mod);
    expect(inst.call('f', null)).toEqual([10, 21n]);
    expect(inst.call('f', 7)).toEqual([10, 21n]);
  });
});
