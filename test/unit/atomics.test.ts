/** Atomics (single-threaded semantics) beyond the spec suite's atomic.wast. */
import { describe, expect, test } from 'vitest';
import { Linker, Module, Store, Trap } from '../../src/index.js';

const WAT = `(module
  (memory $m0 1 1 shared)
  (memory $m1 i64 1 1 shared)
  (memory $plain 1)
  (func (export "set64") (param i32 i64) (i64.store (local.get 0) (local.get 1)))
  (func (export "get64") (param i32) (result i64) (i64.load (local.get 0)))
  (func (export "add64") (param i32 i64) (result i64) (i64.atomic.rmw.add (local.get 0) (local.get 1)))
  (func (export "sub64") (param i32 i64) (result i64) (i64.atomic.rmw.sub (local.get 0) (local.get 1)))
  (func (export "add32_u64") (param i32 i64) (result i64) (i64.atomic.rmw32.add_u (local.get 0) (local.get 1)))
  (func (export "xchg8") (param i32 i32) (result i32) (i32.atomic.rmw8.xchg_u (local.get 0) (local.get 1)))
  (func (export "cmpxchg8") (param i32 i32 i32) (result i32)
    (i32.atomic.rmw8.cmpxchg_u (local.get 0) (local.get 1) (local.get 2)))
  (func (export "cmpxchg64") (param i32 i64 i64) (result i64)
    (i64.atomic.rmw.cmpxchg (local.get 0) (local.get 1) (local.get 2)))
  (func (export "load-off") (param i32) (result i32) (i32.atomic.load offset=2 (local.get 0)))
  (func (export "wait32") (param i32 i32 i64) (result i32)
    (memory.atomic.wait32 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "wait64") (param i32 i64 i64) (result i32)
    (memory.atomic.wait64 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "wait-plain") (result i32)
    (memory.atomic.wait32 $plain (i32.const 0) (i32.const 0) (i64.const 0)))
  (func (export "notify") (param i32) (result i32) (memory.atomic.notify (local.get 0) (i32.const 1)))
  (func (export "m1-store-load") (param i64 i32) (result i32)
    (i32.atomic.store $m1 offset=8 (local.get 0) (local.get 1))
    (i32.atomic.load $m1 offset=8 (local.get 0)))
  (func (export "m1-or") (param i64 i64) (result i64)
    (i64.atomic.rmw.or $m1 (local.get 0) (local.get 1)))
  (func (export "fence") (atomic.fence))
)`;

function inst() {
  const store = new Store();
  return new Linker().instantiate(store, Module.fromWat(WAT));
}

describe('atomics', () => {
  test('64-bit read-modify-write carries and borrows across the halves', () => {
    const i = inst();
    i.call('set64', 0, 0xffffffffn);
    expect(i.call('add64', 0, 1n)).toEqual([0xffffffffn]);
    expect(i.call('get64', 0)).toEqual([0x100000000n]);
    expect(i.call('sub64', 0, 1n)).toEqual([0x100000000n]);
    expect(i.call('get64', 0)).toEqual([0xffffffffn]);
    // rmw32 on i64: the old value zero-extended, the high word of memory untouched
    i.call('set64', 8, 0x12345678ffffffffn);
    expect(i.call('add32_u64', 8, 0x100000002n)).toEqual([0xffffffffn]);
    expect(i.call('get64', 8)).toEqual([0x1234567800000001n]);
  });

  test('narrow rmw and cmpxchg wrap their operands to the access size', () => {
    const i = inst();
    i.call('set64', 0, 0n);
    expect(i.call('xchg8', 0, 0x1ab)).toEqual([0]);
    expect(i.call('get64', 0)).toEqual([0xabn]);
    // expected 0x1ab wraps to 0xab: equal, so the replacement (wrapped to 0x22) is stored
    expect(i.call('cmpxchg8', 0, 0x1ab, 0x322)).toEqual([0xab]);
    expect(i.call('get64', 0)).toEqual([0x22n]);
    // not equal: nothing stored
    expect(i.call('cmpxchg8', 0, 0x23, 0x55)).toEqual([0x22]);
    expect(i.call('get64', 0)).toEqual([0x22n]);
    i.call('set64', 8, -1n);
    expect(i.call('cmpxchg64', 8, 0xffffffffn, 5n)).toEqual([-1n]);
    expect(i.call('get64', 8)).toEqual([-1n]);
    expect(i.call('cmpxchg64', 8, -1n, 5n)).toEqual([-1n]);
    expect(i.call('get64', 8)).toEqual([5n]);
  });

  test('alignment is checked on the effective address (offset included), before bounds', () => {
    const i = inst();
    expect(() => i.call('load-off', 0)).toThrow('unaligned atomic');
    expect(i.call('load-off', 2)).toEqual([0]);
    expect(() => i.call('load-off', 65534)).toThrow('out of bounds memory access');
    expect(() => i.call('load-off', 65535)).toThrow('unaligned atomic');
    expect(() => i.call('notify', 2)).toThrow('unaligned atomic');
    expect(() => i.call('notify', 65536)).toThrow('out of bounds memory access');
    expect(i.call('notify', 4)).toEqual([0]);
  });

  test('wait: not-equal 1, timed-out 2 at once, infinite wait traps, unshared memory traps', () => {
    const i = inst();
    i.call('set64', 0, 7n);
    expect(i.call('wait32', 0, 6, -1n)).toEqual([1]);
    expect(i.call('wait32', 0, 7, 0n)).toEqual([2]);
    expect(i.call('wait32', 0, 7, 1_000_000_000_000n)).toEqual([2]);
    expect(() => i.call('wait32', 0, 7, -1n)).toThrow(Trap);
    expect(() => i.call('wait32', 0, 7, -1n)).toThrow('wait would block forever');
    expect(i.call('wait64', 0, 7n, 0n)).toEqual([2]);
    expect(i.call('wait64', 0, 7n + (1n << 32n), 0n)).toEqual([1]);
    expect(() => i.call('wait64', 4, 7n, 0n)).toThrow('unaligned atomic');
    expect(() => i.call('wait-plain')).toThrow('expected shared memory');
  });

  test('other memories, 64-bit addresses; fence', () => {
    const i = inst();
    expect(i.call('m1-store-load', 16n, 42)).toEqual([42]);
    expect(() => i.call('m1-store-load', 65532n, 1)).toThrow('out of bounds memory access');
    expect(() => i.call('m1-store-load', 2n ** 40n, 1)).toThrow('out of bounds memory access');
    expect(i.call('m1-or', 24n, 0x100000001n)).toEqual([42n]);
    expect(i.call('m1-or', 24n, 0n)).toEqual([0x10000002bn]);
    expect(i.call('fence')).toEqual([]);
  });
});
