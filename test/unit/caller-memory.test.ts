import { describe, expect, test } from 'vitest';
import { HostError, I32, I64, Linker, Memory, Module, Store, Trap, funcType } from '../../src/index.js';

describe('typed memory access for hosts (Memory and Caller)', () => {
  test('a host reads a string and integers from the guest and writes results back', () => {
    const store = new Store();
    const linker = new Linker();
    const seen: unknown[] = [];
    linker.defineFunc(store, 'env', 'greet', funcType([I32, I32, I32], [I32]), (caller, ptr: number, len: number, out: number) => {
      seen.push(caller.readString(ptr, len), caller.readI32(ptr + 16), caller.readU32(ptr + 20), caller.readI64(ptr + 24));
      caller.writeI64(out + 8, -2n);
      caller.writeI32(out + 4, -1);
      return caller.writeString(out + 16, `héllo, ${caller.readString(ptr, len)}`);
    });
    const inst = linker.instantiate(
      store,
      Module.fromWat(`(module (import "env" "greet" (func $g (param i32 i32 i32) (result i32)))
        (memory (export "memory") 1)
        (data (i32.const 0) "wasm")
        (data (i32.const 16) "\\ff\\ff\\ff\\ff\\fe\\ff\\ff\\ff\\05\\00\\00\\00\\00\\00\\00\\80")
        (func (export "run") (result i32) (call $g (i32.const 0) (i32.const 4) (i32.const 100))))`),
    );
    expect(inst.call('run')).toEqual([12]);
    expect(seen).toEqual(['wasm', -1, 0xfffffffe, -0x7ffffffffffffffbn]);
    const m = inst.memory()!;
    expect(m.readString(116, 12)).toBe('héllo, wasm');
    expect(m.readI64(108)).toBe(-2n);
    expect(m.readU32(104)).toBe(0xffffffff);
    expect([...m.read(0, 4)]).toEqual([0x77, 0x61, 0x73, 0x6d]);
  });

  test('out-of-range pointers trap; a caller without memory is a HostError', () => {
    const store = new Store();
    const mem = new Memory({ addr: 'i32', min: 1, max: null, shared: false, pageSizeLog2: 16 }, store);
    expect(() => mem.read(65530, 7)).toThrow(new Trap('out of bounds memory access'));
    expect(() => mem.writeI64(65529, 1n)).toThrow(Trap);
    expect(() => mem.readI32(-1)).toThrow(Trap);
    expect(() => mem.readF64(0.5)).toThrow(Trap);
    mem.writeF64(65528, 1.5);
    expect(mem.readF64(65528)).toBe(1.5);
    mem.writeF32(0, 2.5);
    expect(mem.readF32(0)).toBe(2.5);
    mem.writeU8(3, 0x1ff);
    expect(mem.readU8(3)).toBe(0xff);
    const linker = new Linker();
    linker.defineFunc(store, 'env', 'peek', funcType([], [I64]), (caller) => caller.readI64(0));
    const inst = linker.instantiate(store, Module.fromWat('(module (import "env" "peek" (func $p (result i64))) (func (export "f") (result i64) (call $p)))'));
    expect(() => inst.call('f')).toThrow(HostError);
  });
  test('a shared memory is a SharedArrayBuffer where the host has one, else an ArrayBuffer (a page that is not cross-origin isolated)', () => {
    const wat = '(module (memory (export "m") 1 2 shared) (func (export "grow") (result i32) (memory.grow (i32.const 1))))';
    const make = (): { mem: Memory; grow: () => unknown } => {
      const inst = new Linker().instantiate(new Store(), Module.fromWat(wat));
      return { mem: inst.memory('m')!, grow: () => inst.call('grow')[0] };
    };
    const withSab = make();
    expect(withSab.mem.buffer).toBeInstanceOf(SharedArrayBuffer);
    const g = globalThis as { SharedArrayBuffer?: unknown };
    const saved = g.SharedArrayBuffer;
    delete g.SharedArrayBuffer;
    try {
      // in host storage (Node's own WebAssembly.Memory), as a browser's own memory in such a page: still shared
      const hosted = make();
      expect(hosted.mem.hostStorage).toBe(true);
      expect(Object.prototype.toString.call(hosted.mem.buffer)).toBe('[object SharedArrayBuffer]');
      // without host storage (here: custom pages), an ArrayBuffer
      const own = new Memory({ addr: 'i32', min: 65536, max: 2 * 65536, shared: true, pageSizeLog2: 0 }, new Store());
      expect(own.hostStorage).toBe(false);
      expect(own.buffer).toBeInstanceOf(ArrayBuffer);
      new Uint8Array(own.buffer)[7] = 42;
      expect(own.grow(65536)).toBe(65536);
      expect(own.buffer.byteLength).toBe(2 * 65536);
      expect(new Uint8Array(own.buffer)[7]).toBe(42);
    } finally {
      g.SharedArrayBuffer = saved;
    }
  });
});
