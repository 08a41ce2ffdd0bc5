/** WASI stdin from a stream: the guest suspends in fd_read until a chunk arrives; the end of the stream is EOF. */
import { PassThrough, Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Errno, HostSuspended, Linker, Module, OutOfFuel, Store, Wasi, WasiStdinRead, type WasiOptions } from '../../src/index.js';
import { Guest } from './guest.js';

/** Echoes stdin to stdout in reads of at most 8 bytes, a "|" after each read; exits 100 + errno on a failed read. */
const ECHO = Module.fromWat(`(module
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 48) "|")
  (func (export "_start") (local $e i32)
    (loop $l
      (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const 8))
      (local.set $e (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 16)))
      (if (local.get $e) (then (call $exit (i32.add (i32.const 100) (local.get $e)))))
      (if (i32.eqz (i32.load (i32.const 16))) (then return))
      (i32.store (i32.const 32) (i32.const 64)) (i32.store (i32.const 36) (i32.load (i32.const 16)))
      (drop (call $write (i32.const 1) (i32.const 32) (i32.const 1) (i32.const 20)))
      (i32.store (i32.const 40) (i32.const 48)) (i32.store (i32.const 44) (i32.const 1))
      (drop (call $write (i32.const 1) (i32.const 40) (i32.const 1) (i32.const 20)))
      (br $l))))`);

function echo(options: WasiOptions, store = new Store()) {
  const wasi = new Wasi(options);
  const instance = wasi.addToLinker(new Linker(), store).instantiate(store, ECHO);
  return { wasi, instance, store };
}

describe('stdin from a stream', () => {
  it('an async generator: each read waits for the next chunk; the end is EOF', async () => {
    async function* chunks() {
      await sleep(5);
      yield 'hello';
      yield '';
      await sleep(5);
      yield new TextEncoder().encode(' world!!xyz');
    }
    const calls: [string, number | undefined][] = [];
    const { wasi, instance } = echo({ stdin: chunks(), trace: (call, _args, errno) => calls.push([call, errno]) });
    expect(await wasi.startAsync(instance)).toEqual({ exitCode: 0 });
    expect(wasi.stdoutText).toBe('hello| world!!|xyz|');
    // every read is traced once, when it completes
    expect(calls.filter(([c]) => c === 'fd_read')).toEqual(Array(4).fill(['fd_read', 0]));
  });

  it('a Node Readable: the guest stays suspended until data is written, and ends with the stream', async () => {
    const input = new PassThrough();
    const { wasi, instance } = echo({ stdin: input });
    let result: unknown;
    const run = wasi.startAsync(instance).then((r) => (result = r));
    await sleep(10);
    expect(result).toBeUndefined();
    expect(wasi.stdoutText).toBe('');
    input.write('ab\n');
    await sleep(10);
    expect(wasi.stdoutText).toBe('ab\n|');
    expect(result).toBeUndefined();
    input.write(Buffer.from('0123456789'));
    input.end();
    await run;
    expect(result).toEqual({ exitCode: 0 });
    expect(wasi.stdoutText).toBe('ab\n|01234567|89|');
    const { wasi: w2, instance: i2 } = echo({ stdin: Readable.from(['x', 'y']) });
    expect(await w2.startAsync(i2)).toEqual({ exitCode: 0 });
    expect(w2.stdoutText).toBe('x|y|');
  });

  it('driven by hand: the HostSuspended payload fills every iovec; buffered bytes do not wait', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    async function* chunks() {
      await gate;
      yield 'abcdefghijk';
    }
    const g = new Guest({ stdin: chunks() });
    const arr = g.alloc(16);
    const a = g.alloc(3);
    const b = g.alloc(5);
    g.view.setUint32(arr, a, true);
    g.view.setUint32(arr + 4, 3, true);
    g.view.setUint32(arr + 8, b, true);
    g.view.setUint32(arr + 12, 5, true);
    const n = g.alloc(4);
    let stop: HostSuspended | undefined;
    try {
      g.call('fd_read', 0, arr, 2, n);
    } catch (e) {
      if (!(e instanceof HostSuspended)) throw e;
      stop = e;
    }
    expect(stop?.func).toBe('wasi_snapshot_preview1.fd_read');
    const read = stop!.payload as WasiStdinRead;
    expect(read).toBeInstanceOf(WasiStdinRead);
    const pending = read.read();
    await expect(read.read()).rejects.toThrow(/already completed/);
    release();
    expect(stop!.resume(await pending)).toEqual([0]);
    expect([g.u32(n), g.text(a, 3), g.text(b, 5)]).toEqual([8, 'abc', 'defgh']);
    // the rest of the chunk is buffered: no suspension; then the end of the stream, EOF after a wait
    expect(g.read(0, 10)).toEqual([0, 'ijk']);
    const p = g.alloc(32);
    const poll = () => {
      const s = g.alloc(48);
      g.view.setUint8(s + 8, 1); // fd_read
      g.view.setUint32(s + 16, 0, true);
      expect(g.call('poll_oneoff', s, p, 1, g.alloc(4))).toBe(0);
      return [g.u64(p + 16), g.view.getUint16(p + 24, true)];
    };
    expect(poll()).toEqual([0n, 0]); // nothing buffered, not ended: no hangup
    try {
      g.call('fd_read', 0, arr, 2, n);
      throw new Error('expected a suspension');
    } catch (e) {
      if (!(e instanceof HostSuspended)) throw e;
      expect(e.resume(await (e.payload as WasiStdinRead).read())).toEqual([0]);
    }
    expect(g.u32(n)).toBe(0);
    expect(poll()).toEqual([0n, 1]); // ended: hangup
    expect(g.read(0, 4)).toEqual([0, '']); // EOF without waiting
  });

  it('a failing stream or a bad chunk is EIO for the guest, logged in wasi.failures; then EOF', async () => {
    async function* broken() {
      yield 'ok';
      throw new Error('connection reset');
    }
    const { wasi, instance } = echo({ stdin: broken() });
    expect(await wasi.startAsync(instance)).toEqual({ exitCode: 100 + Errno.IO });
    expect(wasi.stdoutText).toBe('ok|');
    expect(wasi.failures.map((f) => [f.call, (f.error as Error).message])).toEqual([['fd_read', 'connection reset']]);
    async function* numbers() {
      yield 42 as unknown as string;
    }
    const bad = echo({ stdin: numbers() });
    expect(await bad.wasi.startAsync(bad.instance)).toEqual({ exitCode: 100 + Errno.IO });
    expect(bad.wasi.failures[0]!.error).toBeInstanceOf(TypeError);
  });

  it('other stops reject startAsync; resumeAsync continues them and keeps waiting for stdin', async () => {
    const input = new PassThrough();
    const store = new Store({ fuel: 50 });
    const { wasi, instance } = echo({ stdin: input }, store);
    const text = 'some input that takes more than fifty units of fuel to echo';
    input.end(text);
    let out: OutOfFuel | undefined;
    let r = await wasi.startAsync(instance).catch((e: unknown) => {
      if (!(e instanceof OutOfFuel)) throw e;
      out = e;
      return null;
    });
    while (r === null) {
      store.addFuel(50);
      const stop: OutOfFuel = out!;
      r = await wasi.resumeAsync(stop).catch((e: unknown) => {
        if (!(e instanceof OutOfFuel)) throw e;
        out = e;
        return null;
      });
    }
    expect(r).toEqual({ exitCode: 0 });
    expect(wasi.stdoutText).toBe(text.match(/.{1,8}/g)!.join('|') + '|');
    expect(store.fuelConsumed).toBeGreaterThan(200); // it did stop several times
  });

  it('stdin must be a string, bytes, inherit or an async iterable', () => {
    expect(() => new Wasi({ stdin: 42 as never })).toThrow(TypeError);
    expect(() => new Wasi({ stdin: { next() {} } as never })).toThrow(/async iterable/);
  });
});
