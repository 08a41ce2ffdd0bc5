import { describe, expect, test } from 'vitest';
import { I32, Linker, Memory, Module, Store, funcType } from '../../src/index.js';

const mt = (min: number, max: number | null = null, shared = false) => ({ addr: 'i32' as const, min, max, shared, pageSizeLog2: 16 });
const PAGE = 65536;

/** Linear memory's spare capacity (src/runtime/objects/memory.ts): grows without copying, `buffer` of exact length. */
describe('memory.grow into spare capacity', () => {
  test('a grow reserves spare capacity; later grows within it copy nothing and keep the bytes', () => {
    const mem = new Memory(mt(1), new Store());
    expect(mem.capacity).toBe(PAGE);
    mem.writeI32(100, 42);
    expect(mem.grow(1)).toBe(1);
    expect(mem.byteLength).toBe(2 * PAGE);
    expect(mem.u8.length).toBe(2 * PAGE);
    expect(mem.view.byteLength).toBe(2 * PAGE);
    expect(mem.capacity).toBe(2 * PAGE); // twice the old size
    expect(mem.grow(1)).toBe(2);
    const cap = mem.capacity;
    expect(cap).toBe(4 * PAGE);
    const u8 = mem.u8;
    expect(mem.grow(1)).toBe(3); // within the capacity
    expect(mem.capacity).toBe(cap);
    expect(mem.u8).not.toBe(u8); // new views of the new length
    expect(mem.u8.buffer).toBe(u8.buffer); // on the same storage
    expect(mem.pages).toBe(4);
    expect(mem.readI32(100)).toBe(42);
    // bounds follow the memory's size, not the storage's
    expect(() => mem.readU8(4 * PAGE)).toThrow('out of bounds');
    // beyond the capacity: new storage; the old one, which nobody took as `buffer`, is dropped, not detached
    // (detaching any ArrayBuffer makes V8's optimized code check every typed-array access for it)
    const before = mem.u8;
    expect(mem.grow(1)).toBe(4);
    expect(mem.u8.buffer).not.toBe(before.buffer);
    expect(before.length).toBe(4 * PAGE);
    expect(mem.readI32(100)).toBe(42);
  });

  test('`buffer` has exactly the memory length; once handed out, a grow detaches it', () => {
    const mem = new Memory(mt(1), new Store());
    mem.grow(1);
    mem.grow(1);
    mem.writeI32(8, 7);
    expect(mem.capacity).toBeGreaterThan(mem.byteLength);
    const b1 = mem.buffer;
    expect(b1.byteLength).toBe(3 * PAGE);
    expect(mem.buffer).toBe(b1); // idempotent
    expect(new Int32Array(b1)[2]).toBe(7);
    new Uint8Array(b1)[9] = 1; // the buffer is the memory
    expect(mem.readI32(8)).toBe(7 + 256);
    expect(mem.grow(1)).toBe(3);
    expect(b1.byteLength).toBe(0); // detached
    const b2 = mem.buffer;
    expect(b2).not.toBe(b1);
    expect(b2.byteLength).toBe(4 * PAGE);
    expect(mem.capacity).toBe(4 * PAGE); // exposed: grows allocate exactly
    expect(mem.readI32(8)).toBe(7 + 256);
    mem.refresh();
    expect(b2.byteLength).toBe(0);
    expect(mem.buffer.byteLength).toBe(4 * PAGE);
  });

  test('capacity stays within the declared maximum and the store limit, which still fail grows beyond them', () => {
    const withMax = new Memory(mt(4, 6), new Store());
    expect(withMax.grow(1)).toBe(4);
    expect(withMax.capacity).toBe(6 * PAGE);
    expect(withMax.grow(2)).toBe(-1);
    expect(withMax.grow(1)).toBe(5);
    const store = new Store({ limits: { maxMemoryBytes: 10 * PAGE } });
    const limited = new Memory(mt(4), store);
    expect(limited.grow(2)).toBe(4);
    expect(limited.capacity).toBe(8 * PAGE); // twice the old size
    expect(limited.grow(3)).toBe(6);
    expect(limited.capacity).toBe(10 * PAGE); // all the store's limit leaves it, not twice 6 pages
    expect(store.memoryBytes).toBe(9 * PAGE); // the memory's size, not its capacity
    expect(limited.grow(2)).toBe(-1);
    expect(limited.grow(1)).toBe(9);
    expect(store.memoryBytes).toBe(10 * PAGE);
    const shared = new Memory(mt(1, 8, true), new Store());
    expect(shared.grow(1)).toBe(1);
    expect(shared.capacity).toBe(2 * PAGE);
  });

  for (const tier of ['js', 'interp'] as const) {
    test(`${tier} tier: code, host and the interpreter see one memory across grows within the capacity`, () => {
      const store = new Store({ tier, fuel: 1e9 });
      const linker = new Linker();
      const seen: number[] = [];
      const inst = linker
        .defineFunc(store, 'env', 'peek', funcType([I32]), (caller, p: number) => {
          seen.push(caller.readI32(p));
        })
        .instantiate(
          store,
          Module.fromWat(`(module (import "env" "peek" (func $peek (param i32))) (memory (export "m") 1)
            (func (export "run") (param $n i32) (result i32) (local $k i32) (local $a i32) (local $s i32)
              (loop $l
                (local.set $a (i32.shl (memory.grow (i32.const 1)) (i32.const 16)))
                (i32.store (local.get $a) (i32.add (local.get $k) (i32.const 100)))
                (call $peek (local.get $a))
                (local.set $s (i32.add (local.get $s) (i32.load (local.get $a))))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br_if $l (i32.lt_u (local.get $k) (local.get $n))))
              (i32.add (local.get $s) (memory.size))))`),
        );
      expect(inst.call('run', 5)).toEqual([100 + 101 + 102 + 103 + 104 + 6]);
      expect(seen).toEqual([100, 101, 102, 103, 104]);
      const m = inst.memory('m')!;
      expect(m.byteLength).toBe(6 * PAGE);
      expect(m.capacity).toBe(8 * PAGE);
      expect(new Int32Array(m.buffer)[(5 * PAGE) / 4]).toBe(104);
      expect(m.capacity).toBe(6 * PAGE);
    });
  }
});

/** An exposed memory's bytes in the host's own WebAssembly.Memory (src/runtime/objects/memory.ts): grows in place. */
describe('exposed memory in host storage', () => {
  test('the first grow after `buffer` was taken moves the bytes into host storage; grows give exact buffers and detach the old', () => {
    const mem = new Memory(mt(1), new Store());
    mem.writeI32(100, 42);
    mem.grow(1); // spare capacity first
    expect(mem.hostStorage).toBe(false);
    const b1 = mem.buffer;
    expect(mem.hostStorage).toBe(false); // (a memory that never grows again keeps its storage)
    expect(b1.byteLength).toBe(2 * PAGE);
    const u8 = mem.u8;
    for (let k = 0; k < 30; k++) {
      expect(mem.grow(1)).toBe(2 + k);
      expect(mem.hostStorage).toBe(true);
      const b = mem.buffer;
      expect(b.byteLength).toBe((3 + k) * PAGE);
      expect(mem.capacity).toBe((3 + k) * PAGE);
      new Uint8Array(b)[(2 + k) * PAGE] = k; // written through the buffer, read by the engine
      expect(mem.readU8((2 + k) * PAGE)).toBe(k);
      mem.writeU8((2 + k) * PAGE + 1, k + 1); // and the other way
      expect(new Uint8Array(mem.buffer)[(2 + k) * PAGE + 1]).toBe(k + 1);
    }
    expect(b1.byteLength).toBe(0); // detached by the first grow
    expect(u8.length).toBe(0); // and the views over it
    expect(mem.readI32(100)).toBe(42);
    const b = mem.buffer;
    expect(mem.grow(0)).toBe(32); // a wasm grow by 0 keeps the buffer
    expect(mem.buffer).toBe(b);
    mem.refresh(); // the JS API's grow(0) replaces it
    expect(b.byteLength).toBe(0);
    expect(mem.buffer.byteLength).toBe(32 * PAGE);
    expect(mem.readI32(100)).toBe(42);
  });

  test('limits still fail grows of host storage before the host sees them', () => {
    const store = new Store({ limits: { maxMemoryBytes: 3 * PAGE } });
    const mem = new Memory(mt(1, 5), store);
    const b = mem.buffer;
    expect(mem.grow(1)).toBe(1);
    expect(mem.hostStorage).toBe(true);
    expect(b.byteLength).toBe(0);
    const b2 = mem.buffer;
    expect(mem.grow(2)).toBe(-1); // the store's limit
    expect(b2.byteLength).toBe(2 * PAGE); // a failed grow detaches nothing
    expect(mem.grow(1)).toBe(2);
    expect(store.memoryBytes).toBe(3 * PAGE);
    expect(mem.grow(1)).toBe(-1);
    const max = new Memory(mt(1, 2), new Store());
    void max.buffer;
    expect(max.grow(2)).toBe(-1); // the declared maximum
    expect(max.grow(1)).toBe(1);
    expect(max.hostStorage).toBe(true);
    expect(max.grow(1)).toBe(-1);
  });

  test('memory64 and custom page sizes keep their own storage', () => {
    const m64 = new Memory({ addr: 'i64', min: 1, max: null, shared: false, pageSizeLog2: 16 }, new Store());
    const small = new Memory({ addr: 'i32', min: 1, max: null, shared: false, pageSizeLog2: 0 }, new Store());
    for (const m of [m64, small]) {
      const b = m.buffer;
      expect(m.hostStorage).toBe(false);
      m.writeU8(0, 9);
      expect(m.grow(1)).toBeGreaterThan(0);
      expect(b.byteLength).toBe(0);
      expect(m.buffer.byteLength).toBe(m.byteLength);
      expect(m.readU8(0)).toBe(9);
    }
  });

  test("a shared memory lives in the host's shared memory: every buffer it handed out stays one with it", () => {
    const store = new Store();
    const shared = new Memory(mt(1, 4, true), store);
    expect(shared.hostStorage).toBe(true);
    const b1 = shared.buffer;
    expect(b1).toBeInstanceOf(SharedArrayBuffer);
    shared.writeU8(0, 9);
    expect(shared.grow(1)).toBe(1);
    const b2 = shared.buffer;
    expect(b2).not.toBe(b1);
    expect(b1.byteLength).toBe(PAGE); // the old buffer keeps its length and its bytes: the same data block
    expect(b2.byteLength).toBe(2 * PAGE);
    new Uint8Array(b1)[1] = 7; // a write through the old buffer is seen through the new one and by the engine
    expect(new Uint8Array(b2)[1]).toBe(7);
    expect(shared.readU8(1)).toBe(7);
    shared.writeU8(PAGE + 3, 5);
    expect(new Uint8Array(b2)[PAGE + 3]).toBe(5);
    expect(shared.readU8(0)).toBe(9);
    expect(store.memoryBytes).toBe(2 * PAGE);
    expect(shared.grow(2)).toBe(2);
    expect(shared.grow(1)).toBe(-1); // the maximum, 4 pages
    expect(new Uint8Array(shared.buffer)[1]).toBe(7);
  });

  test('the JS tier and a host that holds `buffer` see one memory across grows of host storage', () => {
    const store = new Store({ fuel: 1e9 });
    let view = new Int32Array(0);
    let buffers = 0;
    const linker = new Linker();
    let memory: Memory | null = null;
    const inst = linker
      .defineFunc(store, 'env', 'peek', funcType([I32], [I32]), (_caller, p: number) => {
        if (view.byteLength === 0) {
          view = new Int32Array(memory!.buffer); // as wasm-bindgen's glue does: new views once the old buffer detached
          buffers++;
        }
        return view[p >> 2]!;
      })
      .instantiate(
        store,
        Module.fromWat(`(module (import "env" "peek" (func $peek (param i32) (result i32))) (memory (export "m") 1)
          (func (export "run") (param $n i32) (result i32) (local $k i32) (local $a i32) (local $s i32)
            (loop $l
              (local.set $a (i32.shl (memory.grow (i32.const 1)) (i32.const 16)))
              (i32.store (local.get $a) (i32.add (local.get $k) (i32.const 100)))
              (local.set $s (i32.add (local.get $s) (call $peek (local.get $a))))
              (local.set $k (i32.add (local.get $k) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $k) (local.get $n))))
            (local.get $s)))`),
      );
    memory = inst.memory('m')!;
    view = new Int32Array(memory.buffer);
    expect(inst.call('run', 20)).toEqual([20 * 100 + (19 * 20) / 2]);
    expect(memory.hostStorage).toBe(true);
    expect(buffers).toBe(20); // every grow detached the buffer (the first one copied into host storage)
    expect(memory.byteLength).toBe(21 * PAGE);
    expect(new Int32Array(memory.buffer)[(20 * PAGE) / 4]).toBe(119);
  });
});
