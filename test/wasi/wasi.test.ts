/** WASI host unit tests: errno paths, layouts, capabilities and their log, determinism, proc_exit. */
import * as nodeFs from 'node:fs';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  Errno,
  Filetype,
  HostError,
  HostSuspended,
  I32,
  funcType,
  Linker,
  MemFs,
  Module,
  OutOfFuel,
  Rights,
  Store,
  Wasi,
  WasiExit,
  runWasi,
  watToBinary,
} from '../../src/index.js';
import { Guest } from './guest.js';
import { program, tempDir, writeTree } from './helpers.js';

const PRE = 3; // the first preopen's fd
const ALL = (1n << 30n) - 1n;
/** Rights for opening a directory (FD_WRITE on a directory is EISDIR). */
const DIRR = ALL & ~Rights.FD_WRITE;

function memGuest(tree = {}, extra = {}) {
  const fs = new MemFs(tree);
  return { fs, g: new Guest({ preopens: { '/': fs }, ...extra }) };
}

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

describe('args, environ', () => {
  it('sizes and contents, UTF-8 byte counts', () => {
    const g = new Guest({ args: ['prog', 'ünï'], env: { A: '1', B: 'x=y' } });
    const c = g.alloc(4);
    const s = g.alloc(4);
    expect(g.call('args_sizes_get', c, s)).toBe(0);
    expect([g.u32(c), g.u32(s)]).toEqual([2, 5 + 6]);
    const ptrs = g.alloc(8);
    const buf = g.alloc(12);
    expect(g.call('args_get', ptrs, buf)).toBe(0);
    expect(g.text(g.u32(ptrs), 4)).toBe('prog');
    expect(g.text(g.u32(ptrs + 4), 5)).toBe('ünï');
    expect(g.u8[buf + 4]).toBe(0);
    expect(g.call('environ_sizes_get', c, s)).toBe(0);
    expect([g.u32(c), g.u32(s)]).toEqual([2, 4 + 6]);
    expect(g.call('environ_get', ptrs, buf)).toBe(0);
    expect(g.text(g.u32(ptrs + 4), 5)).toBe('B=x=y');
  });
  it('pointers out of bounds are EFAULT, not a trap', () => {
    const g = new Guest({ args: ['a'] });
    expect(g.call('args_sizes_get', 2 * 65536 - 2, 0)).toBe(Errno.FAULT);
    expect(g.call('args_get', 0, -1)).toBe(Errno.FAULT);
    const [iov] = g.iov(0);
    g.view.setUint32(iov, 2 * 65536 - 1, true);
    g.view.setUint32(iov + 4, 16, true);
    expect(g.call('fd_write', 1, iov, 1, g.alloc(4))).toBe(Errno.FAULT);
    expect(g.call('random_get', 2 * 65536, 1)).toBe(Errno.FAULT);
    expect(g.call('random_get', 2 * 65536, 0)).toBe(0);
  });
});

describe('clocks', () => {
  const times = (g: Guest, n: number, id = 1) => {
    const p = g.alloc(8);
    const out: bigint[] = [];
    for (let i = 0; i < n; i++) {
      expect(g.call('clock_time_get', id, 0n, p)).toBe(0);
      out.push(g.u64(p));
    }
    return out;
  };
  it('virtual clock: fixed start and step, the same on every run', () => {
    const g = new Guest({ clock: { start: new Date('2000-01-01T00:00:00Z'), step: 10n } });
    expect(times(g, 3, 0)).toEqual([946684800000000000n, 946684800000000010n, 946684800000000020n]);
    expect(times(g, 2, 1)).toEqual([30n, 40n]);
    expect(times(new Guest(), 2, 0)).toEqual([1704067200000000000n, 1704067200001000000n]);
    const r = g.alloc(8);
    expect(g.call('clock_res_get', 1, r)).toBe(0);
    expect(g.u64(r)).toBe(10n);
    expect(g.call('clock_res_get', 9, r)).toBe(Errno.INVAL);
    expect(g.call('clock_time_get', 4, 0n, r)).toBe(Errno.INVAL);
  });
  it('clock ids 0-3 (realtime, monotonic, process and thread CPU time) are accepted; others are EINVAL', () => {
    const g = new Guest({ clock: { step: 5n } });
    const p = g.alloc(8);
    for (const id of [0, 1, 2, 3]) {
      g.view.setBigUint64(p, 0xdeadn, true);
      expect(g.call('clock_res_get', id, p)).toBe(0);
      expect(g.u64(p)).toBe(5n);
      expect(g.call('clock_time_get', id, 0n, p)).toBe(0);
    }
    expect(times(g, 1, 3)).toEqual([20n]); // four reads so far: the CPU-time clocks run with the monotonic one
    for (const id of [4, -1]) {
      expect(g.call('clock_res_get', id, p)).toBe(Errno.INVAL);
      expect(g.call('clock_time_get', id, 0n, p)).toBe(Errno.INVAL);
    }
    // poll_oneoff: a relative sleep on clock 3 is a clock event; clock 4 is an EINVAL event
    const subs = g.alloc(96);
    const events = g.alloc(64);
    const nev = g.alloc(4);
    const sub = (at: number, userdata: bigint, id: number) => {
      g.view.setBigUint64(at, userdata, true);
      g.view.setUint8(at + 8, 0); // clock
      g.view.setUint32(at + 16, id, true);
      g.view.setBigUint64(at + 24, 10n, true);
    };
    sub(subs, 7n, 3);
    expect(g.call('poll_oneoff', subs, events, 1, nev)).toBe(0);
    expect([g.u32(nev), g.u64(events), g.view.getUint16(events + 8, true)]).toEqual([1, 7n, 0]);
    sub(subs + 48, 8n, 4);
    expect(g.call('poll_oneoff', subs + 48, events, 1, nev)).toBe(0);
    expect([g.u32(nev), g.u64(events), g.view.getUint16(events + 8, true)]).toEqual([1, 8n, Errno.INVAL]);
  });
  it('fuel clock: time is fuel consumed × nsPerFuel', () => {
    const store = new Store();
    const g = new Guest({ clock: { mode: 'fuel', nsPerFuel: 3n } }, store);
    const [a, b] = times(g, 2);
    expect(a! % 3n).toBe(0n);
    expect(b! > a!).toBe(true);
    expect(b! <= BigInt(store.fuelConsumed) * 3n).toBe(true);
    // no reads in between, no time passes: the clock is fuel, not calls
    expect(b! - a!).toBeLessThan(3n * 100n);
  });
  it('clock.start, step and nsPerFuel and the seed take a number or a bigint; bad values fail at construction', () => {
    const store = new Store();
    const g = new Guest({ clock: { mode: 'fuel', nsPerFuel: 1 } }, store);
    const [a] = times(g, 1);
    expect(a! > 0n && a! <= BigInt(store.fuelConsumed)).toBe(true);
    expect(times(new Guest({ clock: { start: 1000, step: 10 } }), 3, 0)).toEqual([1000n, 1010n, 1020n]);
    expect(times(new Guest({ clock: { step: 0 } }), 2)).toEqual([0n, 0n]);
    for (const clock of [{ nsPerFuel: 1.5 }, { step: -1 }, { step: -1n }, { start: 2 ** 60 }, { start: new Date('nonsense') }, { start: new Date(-1) }])
      expect(() => new Wasi({ clock }), String(Object.values(clock)[0])).toThrow(RangeError);
    expect(() => new Wasi({ clock: { step: '5' as never } })).toThrow(/clock.step must be a bigint or a number, got string/);
    expect(() => new Wasi({ clock: { mode: 'wall' as never } })).toThrow(TypeError);
    expect(() => new Wasi({ seed: 0.5 })).toThrow(RangeError);
    expect(() => new Wasi({ seed: '1' as never })).toThrow(TypeError);
    expect(() => new Wasi({ random: 'os' as never })).toThrow(TypeError);
    expect(() => new Wasi({ seed: -1 })).not.toThrow();
  });
  it('host clock is a capability (inheritClock)', () => {
    const g = new Guest({ inheritClock: true });
    const [t] = times(g, 1, 0);
    expect(Math.abs(Number(t! / 1_000_000n) - Date.now())).toBeLessThan(5000);
  });
});

describe('random_get', () => {
  const bytes = (o: object) => {
    const g = new Guest(o);
    const p = g.alloc(64);
    expect(g.call('random_get', p, 64)).toBe(0);
    return g.u8.slice(p, p + 64);
  };
  it('same seed, same bytes; another seed, other bytes', () => {
    expect(bytes({ seed: 7 })).toEqual(bytes({ seed: 7 }));
    expect(bytes({ seed: 7n })).toEqual(bytes({ seed: 7 }));
    expect(bytes({ seed: 8 })).not.toEqual(bytes({ seed: 7 }));
    expect(bytes({})).toEqual(bytes({ seed: 0 }));
    expect(bytes({ seed: 7 }).filter((b) => b === 0).length).toBeLessThan(8);
  });
  it('the documented generator: xoshiro128** seeded by splitmix32 (known answers)', () => {
    // computed with an independent implementation of the two published algorithms
    const hex = (b: Uint8Array) => Buffer.from(b.subarray(0, 16)).toString('hex');
    expect(hex(bytes({ seed: 0 }))).toBe('58dc08e3e4d09243978f3103633a59ac');
    expect(hex(bytes({ seed: 42 }))).toBe('ac1c1ea9e9367b20fa7f981c9ede9fd0');
  });
  it('host randomness is opt-in', () => {
    expect(bytes({ random: 'host' })).not.toEqual(bytes({ random: 'host' }));
  });
  it('a C program sees the same clock and random values for a seed', () => {
    const run = (seed: number) => {
      const wasi = new Wasi({ args: ['clockrand', 'values'], seed });
      expect(runWasi(new Store(), Module.fromBinary(program('clockrand')), wasi).exitCode).toBe(0);
      return wasi.stdoutText;
    };
    const a = run(1);
    expect(run(1)).toBe(a);
    expect(run(2)).not.toBe(a);
    expect(a).toContain('realtime 1704067200.000000000');
    expect(a).toContain('slept at least 2ms: 1');
  });
});

describe('proc_exit and the store', () => {
  it('start() returns the exit code; WasiExit propagates through Store.invoke unchanged', () => {
    const g = new Guest();
    let err: unknown;
    try {
      g.call('proc_exit', 17);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WasiExit);
    expect((err as WasiExit).code).toBe(17);
    // the store stays usable
    expect(g.instance.call('add', 2, 3)).toEqual([5]);
    expect(() => g.call('proc_exit', -1)).toThrow(WasiExit);
    expect(g.instance.call('add', 4, 3)).toEqual([7]);
  });
  it('proc_exit deep in the call stack unwinds the store completely', () => {
    const g = new Guest();
    for (let i = 0; i < 3; i++) {
      expect(() => g.instance.call('deep_exit', 50)).toThrow(WasiExit);
      expect(g.store.machine.depth).toBe(0);
      expect(g.store.machine.sp).toBe(0);
    }
    expect(g.store.peaks.callDepth).toBe(51);
    expect(g.instance.call('add', 1, 1)).toEqual([2]);
  });
  it('exit codes of a real program', () => {
    for (const code of [0, 1, 3, 255]) {
      const wasi = new Wasi({ args: ['exitcode', String(code)] });
      expect(runWasi(new Store(), Module.fromBinary(program('exitcode')), wasi).exitCode).toBe(code);
      expect(wasi.stdoutText).toBe('about to exit\n');
    }
  });
  it('a failing non-WASI host function leaves the store usable', () => {
    const store = new Store();
    const linker = new Linker();
    linker.defineFunc(store, 'env', 'boom', { kind: 0, params: [], results: [] }, () => {
      throw new Error('boom');
    });
    const m = Module.fromBinary(
      watToBinary('(module (import "env" "boom" (func $b)) (func (export "f") (call $b)) (func (export "g") (result i32) (i32.const 9)))'),
    );
    const inst = linker.instantiate(store, m);
    expect(() => inst.call('f')).toThrow(HostError);
    expect(inst.call('g')).toEqual([9]);
  });
  it('OutOfFuel during start can be resumed through wasi.resume', () => {
    const store = new Store({ fuel: 2000 });
    const wasi = new Wasi({ args: ['exitcode', '5'] });
    const linker = new Linker();
    wasi.addToLinker(linker, store);
    const inst = linker.instantiate(store, Module.fromBinary(program('exitcode')));
    let e: unknown;
    try {
      wasi.start(inst);
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(OutOfFuel);
    store.addFuel(10_000_000);
    expect(wasi.resume(e as OutOfFuel)).toEqual({ exitCode: 5 });
    expect(wasi.stdoutText).toBe('about to exit\n');
  });
  it('start() requires _start', () => {
    const store = new Store();
    const linker = new Linker();
    const inst = linker.instantiate(store, Module.fromBinary(watToBinary('(module)')));
    expect(() => new Wasi().start(inst)).toThrow(/_start/);
  });
});

describe('stdio', () => {
  it('stdin from a string or bytes; stdout/stderr buffered or to a callback', () => {
    const chunks: string[] = [];
    const g = new Guest({ stdin: 'abc', stderr: (b) => chunks.push(new TextDecoder().decode(b)) });
    expect(g.read(0, 2)).toEqual([0, 'ab']);
    expect(g.read(0, 8)).toEqual([0, 'c']);
    expect(g.read(0, 8)).toEqual([0, '']);
    expect(g.write(1, 'out')).toEqual([0, 3]);
    expect(g.write(2, 'err')).toEqual([0, 3]);
    expect(g.wasi.stdoutText).toBe('out');
    expect(chunks).toEqual(['err']);
    const b = new Guest({ stdin: new Uint8Array([1, 2]) });
    expect(b.read(0, 4)[1]).toBe('\u0001\u0002');
  });
  it('stdio errnos: seek is ESPIPE, writing stdin / reading stdout lack the right', () => {
    const g = new Guest();
    expect(g.call('fd_seek', 1, 0n, 0, g.alloc(8))).toBe(Errno.SPIPE);
    expect(g.call('fd_tell', 0, g.alloc(8))).toBe(Errno.SPIPE);
    expect(g.write(0, 'x')[0]).toBe(Errno.NOTCAPABLE);
    expect(g.read(1, 1)[0]).toBe(Errno.NOTCAPABLE);
    const st = g.alloc(24);
    expect(g.call('fd_fdstat_get', 1, st)).toBe(0);
    expect(g.u8[st]).toBe(Filetype.UNKNOWN);
    expect(g.u64(st + 8) & Rights.FD_WRITE).toBe(Rights.FD_WRITE);
    expect(g.u64(st + 8) & Rights.FD_SEEK).toBe(0n);
  });
});

describe('descriptors', () => {
  it('EBADF on unknown descriptors; close; renumber', () => {
    const { g } = memGuest({ 'a.txt': 'A', 'b.txt': 'B' });
    expect(g.write(99, 'x')[0]).toBe(Errno.BADF);
    expect(g.call('fd_close', 99)).toBe(Errno.BADF);
    const [, a] = g.open(PRE, 'a.txt');
    const [, b] = g.open(PRE, 'b.txt');
    expect(g.call('fd_renumber', a, b)).toBe(0);
    expect(g.read(b, 4)).toEqual([0, 'A']);
    expect(g.call('fd_close', a)).toBe(Errno.BADF);
    expect(g.call('fd_renumber', b, 77)).toBe(Errno.BADF);
    expect(g.call('fd_close', b)).toBe(0);
    expect(g.call('fd_close', b)).toBe(Errno.BADF);
  });
  it('prestat, fdstat and filestat layouts', () => {
    const fs = new MemFs({ 'f.txt': '12345' });
    fs.now = 77n;
    fs.writeFile('g.txt', 'x');
    const g = new Guest({ preopens: { '/sandbox': fs } });
    const p = g.alloc(8);
    expect(g.call('fd_prestat_get', PRE, p)).toBe(0);
    expect([g.u8[p], g.u32(p + 4)]).toEqual([0, 8]);
    expect(g.call('fd_prestat_get', 4, p)).toBe(Errno.BADF);
    expect(g.call('fd_prestat_get', 1, p)).toBe(Errno.BADF);
    const name = g.alloc(8);
    expect(g.call('fd_prestat_dir_name', PRE, name, 8)).toBe(0);
    expect(g.text(name, 8)).toBe('/sandbox');
    expect(g.call('fd_prestat_dir_name', PRE, name, 3)).toBe(Errno.NAMETOOLONG);
    const st = g.alloc(24);
    expect(g.call('fd_fdstat_get', PRE, st)).toBe(0);
    expect(g.u8[st]).toBe(Filetype.DIRECTORY);
    expect(g.u64(st + 8) & Rights.PATH_OPEN).toBe(Rights.PATH_OPEN);
    const [e, fd] = g.open(PRE, 'f.txt', 0, Rights.FD_READ | Rights.FD_FILESTAT_GET, 1);
    expect(e).toBe(0);
    expect(g.call('fd_fdstat_get', fd, st)).toBe(0);
    expect([g.u8[st], g.view.getUint16(st + 2, true), g.u64(st + 8)]).toEqual([Filetype.REGULAR_FILE, 1, Rights.FD_READ | Rights.FD_FILESTAT_GET]);
    const fst = g.alloc(64);
    expect(g.call('fd_filestat_get', fd, fst)).toBe(0);
    expect([g.u64(fst), g.u8[fst + 16], g.u64(fst + 24), g.u64(fst + 32)]).toEqual([1n, Filetype.REGULAR_FILE, 1n, 5n]);
    const [p2, l2] = g.str('g.txt');
    expect(g.call('path_filestat_get', PRE, 0, p2, l2, fst)).toBe(0);
    expect([g.u64(fst + 32), g.u64(fst + 48)]).toEqual([1n, 77n]);
  });
  it('fd_read and fd_pread fill every iovec buffer when the data is there', () => {
    const { g } = memGuest({ f: 'abcdefghij' }, { stdin: 'ABCDEFGHIJ' });
    /** An iovec array of buffers of these sizes: [iovs, buffers]. */
    const iovs = (...sizes: number[]): [number, number[]] => {
      const arr = g.alloc(8 * sizes.length);
      const bufs = sizes.map((n, i) => {
        const b = g.alloc(n);
        g.view.setUint32(arr + 8 * i, b, true);
        g.view.setUint32(arr + 8 * i + 4, n, true);
        return b;
      });
      return [arr, bufs];
    };
    const n = g.alloc(4);
    const [, fd] = g.open(PRE, 'f', 0, Rights.FD_READ | Rights.FD_SEEK);
    let [arr, bufs] = iovs(3, 0, 2, 4);
    expect(g.call('fd_read', fd, arr, 4, n)).toBe(0);
    expect([g.u32(n), g.text(bufs[0]!, 3), g.text(bufs[2]!, 2), g.text(bufs[3]!, 4)]).toEqual([9, 'abc', 'de', 'fghi']);
    [arr, bufs] = iovs(2, 3);
    expect(g.call('fd_pread', fd, arr, 2, 1n, n)).toBe(0);
    expect([g.u32(n), g.text(bufs[0]!, 2), g.text(bufs[1]!, 3)]).toEqual([5, 'bc', 'def']);
    [arr, bufs] = iovs(4, 4);
    expect(g.call('fd_pread', fd, arr, 2, 3n, n)).toBe(0);
    expect([g.u32(n), g.text(bufs[0]!, 4), g.text(bufs[1]!, 3)]).toEqual([7, 'defg', 'hij']);
    [arr, bufs] = iovs(4, 3, 5);
    expect(g.call('fd_read', 0, arr, 3, n)).toBe(0);
    expect([g.u32(n), g.text(bufs[0]!, 4), g.text(bufs[1]!, 3), g.text(bufs[2]!, 3)]).toEqual([10, 'ABCD', 'EFG', 'HIJ']);
  });
  it('fd_fdstat_get reports no fdflags (no APPEND) for a directory', () => {
    const { g } = memGuest({ d: {} });
    const st = g.alloc(24);
    const flags = (fd: number) => {
      g.u8.fill(0xff, st, st + 24);
      expect(g.call('fd_fdstat_get', fd, st)).toBe(0);
      expect(g.u8[st]).toBe(Filetype.DIRECTORY);
      return g.view.getUint16(st + 2, true);
    };
    expect(flags(PRE)).toBe(0);
    const [e, d] = g.open(PRE, 'd', 2 /* directory */, DIRR, 1 /* append */);
    expect(e).toBe(0);
    expect(flags(d)).toBe(0);
  });
  it('rights can only be dropped, and are enforced', () => {
    const { g } = memGuest({ 'a.txt': 'A' });
    const [, fd] = g.open(PRE, 'a.txt');
    expect(g.call('fd_fdstat_set_rights', fd, Rights.FD_WRITE, 0n)).toBe(0);
    expect(g.read(fd, 1)[0]).toBe(Errno.NOTCAPABLE);
    expect(g.call('fd_fdstat_set_rights', fd, Rights.FD_WRITE | Rights.FD_READ, 0n)).toBe(Errno.NOTCAPABLE);
    expect(g.wasi.denied.map((d) => d.call)).toEqual(['fd_read', 'fd_fdstat_set_rights']);
    expect(g.open(PRE, 'a.txt', 0, ALL << 1n)[0]).toBe(Errno.NOTCAPABLE);
  });
  it('seek, tell, pread/pwrite, append, allocate, set_size', () => {
    const { fs, g } = memGuest({});
    const [e, fd] = g.open(PRE, 'f', 1 /* creat */);
    expect(e).toBe(0);
    expect(g.write(fd, 'hello')).toEqual([0, 5]);
    const o = g.alloc(8);
    expect(g.call('fd_seek', fd, -2n, 1, o)).toBe(0);
    expect(g.u64(o)).toBe(3n);
    expect(g.call('fd_seek', fd, -10n, 1, o)).toBe(Errno.INVAL);
    expect(g.call('fd_seek', fd, 0n, 7, o)).toBe(Errno.INVAL);
    expect(g.call('fd_tell', fd, o)).toBe(0);
    expect(g.u64(o)).toBe(3n);
    const [iov] = g.iov('XY');
    expect(g.call('fd_pwrite', fd, iov, 1, 10n, g.alloc(4))).toBe(0);
    expect(fs.readFile('f')).toEqual(new Uint8Array([104, 101, 108, 108, 111, 0, 0, 0, 0, 0, 88, 89]));
    const [riov, rbuf] = g.iov(3);
    const n = g.alloc(4);
    expect(g.call('fd_pread', fd, riov, 1, 1n, n)).toBe(0);
    expect(g.text(rbuf, g.u32(n))).toBe('ell');
    expect(g.call('fd_tell', fd, o)).toBe(0);
    expect(g.u64(o)).toBe(3n);
    expect(g.call('fd_fdstat_set_flags', fd, 1)).toBe(0);
    expect(g.write(fd, '!')).toEqual([0, 1]);
    expect(fs.readText('f').endsWith('XY!')).toBe(true);
    expect(g.call('fd_allocate', fd, 0n, 20n)).toBe(0);
    expect(fs.readFile('f').length).toBe(20);
    expect(g.call('fd_filestat_set_size', fd, 2n)).toBe(0);
    expect(fs.readText('f')).toBe('he');
    expect(g.call('fd_advise', fd, 0n, 0n, 9)).toBe(Errno.INVAL);
    expect(g.call('fd_advise', fd, 0n, 0n, 1)).toBe(0);
    expect(g.call('fd_sync', fd)).toBe(0);
    expect(g.call('fd_datasync', fd)).toBe(0);
    expect(g.call('fd_pread', PRE, riov, 1, 0n, n)).toBe(Errno.ISDIR);
    expect(g.call('fd_pwrite', 1, iov, 1, 0n, n)).toBe(Errno.SPIPE);
  });
  it('fd_filestat_set_times / path_filestat_set_times', () => {
    const { fs, g } = memGuest({ a: 'x' });
    const [, fd] = g.open(PRE, 'a');
    expect(g.call('fd_filestat_set_times', fd, 5n, 6n, 1 | 4)).toBe(0);
    expect([fs.node('a')!.atim, fs.node('a')!.mtim]).toEqual([5n, 6n]);
    expect(g.call('fd_filestat_set_times', fd, 5n, 6n, 1 | 2)).toBe(Errno.INVAL);
    const [p, l] = g.str('a');
    expect(g.call('path_filestat_set_times', PRE, 1, p, l, 0n, 0n, 8)).toBe(0);
    expect(fs.node('a')!.mtim).toBe(1704067200000000000n);
  });
});

describe('paths and the in-memory filesystem', () => {
  it('readdir: dirent layout, cookies, a buffer too small for everything', () => {
    const { g } = memGuest({ d: { b: 'bb', a: {}, c: { symlink: 'b' } } });
    const [, fd] = g.open(PRE, 'd', 2 /* directory */, DIRR);
    const buf = g.alloc(4096);
    const used = g.alloc(4);
    expect(g.call('fd_readdir', fd, buf, 4096, 0n, used)).toBe(0);
    const names: [string, number, bigint][] = [];
    let at = buf;
    while (at < buf + g.u32(used)) {
      const len = g.u32(at + 16);
      names.push([g.text(at + 24, len), g.u8[at + 20]!, g.u64(at)]);
      at += 24 + len;
    }
    expect(names).toEqual([
      ['.', Filetype.DIRECTORY, 1n],
      ['..', Filetype.DIRECTORY, 2n],
      ['a', Filetype.DIRECTORY, 3n],
      ['b', Filetype.REGULAR_FILE, 4n],
      ['c', Filetype.SYMBOLIC_LINK, 5n],
    ]);
    // from cookie 3, into 30 bytes: entry "b" (25 bytes) then 5 bytes of "c": bufused == buf_len
    expect(g.call('fd_readdir', fd, buf, 30, 3n, used)).toBe(0);
    expect(g.u32(used)).toBe(30);
    expect(g.text(buf + 24, 1)).toBe('b');
    expect(g.call('fd_readdir', fd, buf, 4096, 5n, used)).toBe(0);
    expect(g.u32(used)).toBe(0);
    expect(g.call('fd_readdir', 1, buf, 4096, 0n, used)).toBe(Errno.NOTDIR);
  });
  it('create, rename, link, symlink, readlink, unlink, rmdir errnos', () => {
    const { fs, g } = memGuest({ dir: { f: 'F' }, file: 'x' });
    const at = (s: string) => g.str(s);
    const mk = (s: string) => g.call('path_create_directory', PRE, ...at(s));
    expect(mk('new')).toBe(0);
    expect(mk('new')).toBe(Errno.EXIST);
    expect(mk('missing/new')).toBe(Errno.NOENT);
    expect(mk('file/new')).toBe(Errno.NOTDIR);
    const ren = (a: string, b: string) => g.call('path_rename', PRE, ...at(a), PRE, ...at(b));
    expect(ren('file', 'new')).toBe(Errno.ISDIR);
    expect(ren('dir', 'new')).toBe(0); // an empty target directory is replaced
    expect(fs.list()).toEqual(['file', 'new']);
    expect(ren('new', 'new/sub')).toBe(Errno.INVAL);
    expect(ren('nothing', 'x')).toBe(Errno.NOENT);
    expect(g.call('path_link', PRE, 0, ...at('file'), PRE, ...at('hard'))).toBe(0);
    expect(fs.node('hard')).toBe(fs.node('file'));
    expect(g.call('path_link', PRE, 0, ...at('new'), PRE, ...at('hard2'))).toBe(Errno.PERM);
    expect(g.call('path_symlink', ...at('file'), PRE, ...at('sl'))).toBe(0);
    expect(g.call('path_symlink', ...at('file'), PRE, ...at('sl'))).toBe(Errno.EXIST);
    const rl = g.alloc(16);
    const used = g.alloc(4);
    expect(g.call('path_readlink', PRE, ...at('sl'), rl, 16, used)).toBe(0);
    expect(g.text(rl, g.u32(used))).toBe('file');
    expect(g.call('path_readlink', PRE, ...at('sl'), rl, 2, used)).toBe(0);
    expect(g.u32(used)).toBe(2);
    expect(g.call('path_readlink', PRE, ...at('file'), rl, 16, used)).toBe(Errno.INVAL);
    const ul = (s: string) => g.call('path_unlink_file', PRE, ...at(s));
    expect(ul('new')).toBe(Errno.ISDIR);
    expect(ul('sl')).toBe(0);
    expect(fs.exists('file')).toBe(true);
    expect(ul('sl')).toBe(Errno.NOENT);
    const rd = (s: string) => g.call('path_remove_directory', PRE, ...at(s));
    expect(rd('new')).toBe(Errno.NOTEMPTY);
    expect(rd('file')).toBe(Errno.NOTDIR);
    expect(rd('.')).toBe(Errno.BUSY);
    expect(ul('new/f')).toBe(0);
    expect(rd('new')).toBe(0);
    expect(fs.toTree()).toEqual({ file: 'x', hard: 'x' });
  });
  it('open flags: creat/excl/trunc/directory, symlinks with and without follow, loops', () => {
    const { g } = memGuest({ f: 'data', d: {}, l: { symlink: 'f' }, loop: { symlink: 'loop' }, dl: { symlink: 'd/' } });
    expect(g.open(PRE, 'f', 1 | 4)[0]).toBe(Errno.EXIST);
    expect(g.open(PRE, 'f', 2)[0]).toBe(Errno.NOTDIR);
    expect(g.open(PRE, 'd', 8)[0]).toBe(Errno.ISDIR);
    expect(g.open(PRE, 'nope')[0]).toBe(Errno.NOENT);
    expect(g.open(PRE, 'f/')[0]).toBe(Errno.NOTDIR);
    expect(g.open(PRE, 'l', 0, ALL, 0, 0)[0]).toBe(Errno.LOOP);
    expect(g.read(g.open(PRE, 'l', 0, Rights.FD_READ)[1], 10)).toEqual([0, 'data']);
    expect(g.open(PRE, 'loop')[0]).toBe(Errno.LOOP);
    expect(g.open(PRE, 'dl', 2, Rights.FD_READDIR)[0]).toBe(0);
    expect(g.open(PRE, 'd/../f', 0, Rights.FD_READ)[0]).toBe(0);
    const [, t] = g.open(PRE, 'f', 8, Rights.FD_WRITE);
    expect(g.read(g.open(PRE, 'f', 0, Rights.FD_READ)[1], 10)).toEqual([0, '']);
    void t;
    expect(g.open(PRE, '')[0]).toBe(Errno.NOENT);
    expect(g.wasi.denied).toEqual([]);
  });
  it('a symlink whose target ends in "/" names a directory: ENOTDIR when it is a file', () => {
    const tree = { f: 'data', d: {}, fl: { symlink: 'f/' }, dl: { symlink: 'd/' } };
    const host = tempDir();
    temps.push(host);
    writeTree(host, tree);
    const guests = [memGuest(tree).g, new Guest({ hostDirs: [{ host, guest: '/' }], fs: nodeFs })];
    for (const g of guests) {
      expect(g.open(PRE, 'fl', 0, Rights.FD_READ)[0]).toBe(Errno.NOTDIR);
      const st = g.alloc(64);
      const [p, l] = g.str('fl');
      expect(g.call('path_filestat_get', PRE, 1, p, l, st)).toBe(Errno.NOTDIR);
      expect(g.open(PRE, 'dl', 0, Rights.FD_READDIR)[0]).toBe(0);
      // not followed: the link itself
      expect(g.call('path_filestat_get', PRE, 0, p, l, st)).toBe(0);
      expect(g.u8[st + 16]).toBe(Filetype.SYMBOLIC_LINK);
    }
  });
  it('a file unlinked while open stays readable through its descriptor', () => {
    const { fs, g } = memGuest({ f: 'still here' });
    const [, fd] = g.open(PRE, 'f', 0, Rights.FD_READ);
    const [p, l] = g.str('f');
    expect(g.call('path_unlink_file', PRE, p, l)).toBe(0);
    expect(fs.exists('f')).toBe(false);
    expect(g.read(fd, 100)).toEqual([0, 'still here']);
  });
  it('EMFILE beyond maxFds', () => {
    const { g } = memGuest({ f: '' }, { maxFds: 6 });
    expect(g.open(PRE, 'f')[0]).toBe(0);
    expect(g.open(PRE, 'f')[0]).toBe(0);
    expect(g.open(PRE, 'f')[0]).toBe(Errno.MFILE);
  });
});

describe('capabilities: sandbox escapes and denials are refused and logged', () => {
  it("'..' past the preopen, absolute paths, absolute and escaping symlinks", () => {
    const { g } = memGuest({ sub: { up: { symlink: '../..' }, ok: { symlink: '../f' } }, f: 'F', abs: { symlink: '/etc/passwd' } });
    expect(g.open(PRE, '../x')[0]).toBe(Errno.NOTCAPABLE);
    expect(g.open(PRE, 'sub/../../x')[0]).toBe(Errno.NOTCAPABLE);
    expect(g.open(PRE, '/etc/passwd')[0]).toBe(Errno.NOTCAPABLE);
    expect(g.open(PRE, 'abs')[0]).toBe(Errno.NOTCAPABLE);
    expect(g.open(PRE, 'sub/up/x')[0]).toBe(Errno.NOTCAPABLE);
    expect(g.open(PRE, 'sub/ok', 0, Rights.FD_READ)[0]).toBe(0);
    // a guest-opened subdirectory may reach its preopen's root, not beyond
    const [, sub] = g.open(PRE, 'sub', 2, DIRR);
    expect(g.open(sub, '../f', 0, Rights.FD_READ)[0]).toBe(0);
    expect(g.open(sub, '../../f')[0]).toBe(Errno.NOTCAPABLE);
    const [t, l] = g.str('/abs/target');
    const [n, nl] = g.str('newlink');
    expect(g.call('path_symlink', t, l, PRE, n, nl)).toBe(Errno.NOTCAPABLE);
    expect(g.wasi.denied.map((d) => [d.call, d.path, d.errno])).toEqual([
      ['path_open', '../x', 76],
      ['path_open', 'sub/../../x', 76],
      ['path_open', '/etc/passwd', 76],
      ['path_open', 'abs', 76],
      ['path_open', 'sub/up/x', 76],
      ['path_open', '../../f', 76],
      ['path_symlink', 'newlink', 76],
    ]);
    expect(g.wasi.denied[3]!.reason).toMatch(/absolute/);
  });
  it('a host directory: symlinks pointing outside are not followed; read-only refuses writes', () => {
    const outside = tempDir();
    temps.push(outside);
    writeFileSync(join(outside, 'secret'), 'S');
    const root = tempDir();
    temps.push(root);
    mkdirSync(join(root, 'in'));
    writeFileSync(join(root, 'in', 'f.txt'), 'inside');
    symlinkSync(outside, join(root, 'abs'));
    symlinkSync('../' + outside.split('/').pop(), join(root, 'rel'));
    symlinkSync('in/f.txt', join(root, 'good'));
    const g = new Guest({ hostDirs: [{ host: root, guest: '/r' }, { host: root, guest: '/ro', readonly: true }], fs: nodeFs });
    expect(g.open(PRE, 'abs/secret')[0]).toBe(Errno.NOTCAPABLE);
    expect(g.open(PRE, 'rel/secret')[0]).toBe(Errno.NOTCAPABLE);
    expect(g.open(PRE, '../' + outside.split('/').pop() + '/secret')[0]).toBe(Errno.NOTCAPABLE);
    const [e, fd] = g.open(PRE, 'good', 0, Rights.FD_READ);
    expect(e).toBe(0);
    expect(g.read(fd, 100)).toEqual([0, 'inside']);
    // read-only preopen (fd 4)
    expect(g.read(g.open(PRE + 1, 'in/f.txt', 0, Rights.FD_READ)[1], 100)).toEqual([0, 'inside']);
    expect(g.open(PRE + 1, 'new.txt', 1, Rights.FD_WRITE)[0]).toBe(Errno.ROFS);
    expect(g.open(PRE + 1, 'in/f.txt', 0, Rights.FD_WRITE)[0]).toBe(Errno.ROFS);
    const [p, l] = g.str('in/f.txt');
    expect(g.call('path_unlink_file', PRE + 1, p, l)).toBe(Errno.ROFS);
    const [q, ql] = g.str('dir2');
    expect(g.call('path_create_directory', PRE + 1, q, ql)).toBe(Errno.ROFS);
    expect(existsSync(join(root, 'new.txt'))).toBe(false);
    expect(readFileSync(join(root, 'in', 'f.txt'), 'utf8')).toBe('inside');
    // the read-write preopen works
    const [we, wfd] = g.open(PRE, 'in/new.txt', 1, Rights.FD_WRITE);
    expect(we).toBe(0);
    expect(g.write(wfd, 'written')).toEqual([0, 7]);
    expect(readFileSync(join(root, 'in', 'new.txt'), 'utf8')).toBe('written');
    expect(g.wasi.denied.map((d) => [d.call, d.errno, d.path])).toEqual([
      ['path_open', 76, 'abs/secret'],
      ['path_open', 76, 'rel/secret'],
      ['path_open', 76, '../' + outside.split('/').pop() + '/secret'],
      ['path_open', 69, 'new.txt'],
      ['path_open', 69, 'in/f.txt'],
      ['path_unlink_file', 69, 'in/f.txt'],
      ['path_create_directory', 69, 'dir2'],
    ]);
    expect(() => new Wasi({ hostDirs: [{ host: join(root, 'in', 'f.txt') }], fs: nodeFs })).toThrow(/not a directory/);
  });
  it.skipIf(!(process as { getBuiltinModule?: unknown }).getBuiltinModule)('finds node:fs by itself when not given one', () => {
    const root = tempDir();
    temps.push(root);
    writeFileSync(join(root, 'x'), 'X');
    const g = new Guest({ hostDirs: [{ host: root, guest: '/' }] });
    expect(g.read(g.open(PRE, 'x', 0, Rights.FD_READ)[1], 9)).toEqual([0, 'X']);
  });
  it('a read-only MemFs', () => {
    const fs = new MemFs({ a: 'A' }, { readonly: true });
    const g = new Guest({ preopens: { '/': fs } });
    expect(g.open(PRE, 'a', 0, Rights.FD_READ)[0]).toBe(0);
    expect(g.open(PRE, 'a', 8)[0]).toBe(Errno.ROFS);
    expect(g.open(PRE, 'b', 1)[0]).toBe(Errno.ROFS);
    expect(g.wasi.denied.length).toBe(2);
  });
  it('sockets, signals', () => {
    const g = new Guest();
    expect(g.call('sock_accept', 99, 0, g.alloc(4))).toBe(Errno.BADF);
    expect(g.call('sock_recv', 0, 0, 0, 0, 0, 0)).toBe(Errno.NOTSOCK);
    expect(g.call('sock_send', 1, 0, 0, 0, 0)).toBe(Errno.NOTSOCK);
    expect(g.call('sock_shutdown', 1, 2)).toBe(Errno.NOTSOCK);
    expect(g.call('proc_raise', 6)).toBe(Errno.NOSYS);
    expect(g.call('sched_yield')).toBe(0);
    expect(g.wasi.denied.map((d) => d.call)).toEqual(['sock_recv', 'sock_send', 'sock_shutdown', 'proc_raise']);
  });
});

describe('poll_oneoff', () => {
  const sub = (g: Guest, at: number, userdata: bigint, tag: number, a: number, timeout = 0n, flags = 0) => {
    g.view.setBigUint64(at, userdata, true);
    g.view.setUint8(at + 8, tag);
    g.view.setUint32(at + 16, a, true);
    g.view.setBigUint64(at + 24, timeout, true);
    g.view.setUint16(at + 40, flags, true);
  };
  const events = (g: Guest, out: number, n: number) =>
    Array.from({ length: n }, (_, i) => {
      const e = out + i * 32;
      return [g.u64(e), g.view.getUint16(e + 8, true), g.u8[e + 10], g.u64(e + 16)];
    });
  it('a clock subscription sleeps on the virtual clock', () => {
    const g = new Guest();
    const subs = g.alloc(96);
    const out = g.alloc(64);
    const n = g.alloc(4);
    sub(g, subs, 1n, 0, 1, 5_000_000n);
    sub(g, subs + 48, 2n, 0, 1, 9_000_000n);
    expect(g.call('poll_oneoff', subs, out, 2, n)).toBe(0);
    expect(g.u32(n)).toBe(1);
    expect(events(g, out, 1)).toEqual([[1n, 0, 0, 0n]]);
    const t = g.alloc(8);
    g.call('clock_time_get', 1, 0n, t);
    expect(g.u64(t)).toBe(5_000_000n);
    // absolute deadline in the past: ready at once
    sub(g, subs, 3n, 0, 1, 1n, 1);
    expect(g.call('poll_oneoff', subs, out, 1, n)).toBe(0);
    expect(events(g, out, 1)).toEqual([[3n, 0, 0, 0n]]);
  });
  it('fd subscriptions: stdin bytes available, bad fds, no subscriptions', () => {
    const g = new Guest({ stdin: 'hello' });
    const subs = g.alloc(144);
    const out = g.alloc(96);
    const n = g.alloc(4);
    sub(g, subs, 7n, 1, 0);
    sub(g, subs + 48, 8n, 2, 1);
    sub(g, subs + 96, 9n, 1, 42);
    expect(g.call('poll_oneoff', subs, out, 3, n)).toBe(0);
    expect(events(g, out, g.u32(n))).toEqual([
      [7n, 0, 1, 5n],
      [8n, 0, 2, 0n],
      [9n, Errno.BADF, 1, 0n],
    ]);
    expect(g.call('poll_oneoff', subs, out, 0, n)).toBe(Errno.INVAL);
    g.view.setUint8(subs + 8, 9);
    expect(g.call('poll_oneoff', subs, out, 1, n)).toBe(Errno.INVAL);
  });
});

describe('trace', () => {
  it('reports every call with its errno', () => {
    const log: [string, number | undefined][] = [];
    const g = new Guest({ trace: (call, _a, e) => log.push([call, e]) });
    g.write(1, 'x');
    g.call('fd_close', 50);
    expect(() => g.call('proc_exit', 3)).toThrow(WasiExit);
    expect(log).toEqual([
      ['fd_write', 0],
      ['fd_close', 8],
      ['proc_exit', undefined],
    ]);
  });
});

describe('resumable stops inside wasi.start', () => {
  it('keeps the guest files open across a host suspension and resumes through wasi.resume', () => {
    const m = Module.fromWat(`(module
      (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
      (import "env" "pause" (func $pause (result i32)))
      (memory (export "memory") 1)
      (data (i32.const 0) "a.txt")
      (func (export "_start")
        (if (call $open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 5) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 16)) (then unreachable))
        (i32.store (i32.const 104) (call $pause))
        (i32.store (i32.const 32) (i32.const 64)) (i32.store (i32.const 36) (i32.const 8))
        (i32.store (i32.const 100) (call $read (i32.load (i32.const 16)) (i32.const 32) (i32.const 1) (i32.const 48)))))`);
    const store = new Store();
    const wasi = new Wasi({ preopens: { '/': new MemFs({ 'a.txt': 'hello' }) } });
    const linker = wasi.addToLinker(new Linker(), store);
    linker.defineFunc(store, 'env', 'pause', funcType([], [I32]), (c) => c.suspend('paused'));
    const inst = linker.instantiate(store, m);
    let stop: HostSuspended | undefined;
    try {
      wasi.start(inst);
    } catch (e) {
      if (!(e instanceof HostSuspended)) throw e;
      stop = e;
    }
    expect(stop?.payload).toBe('paused');
    expect(wasi.resume(stop!, 42)).toEqual({ exitCode: 0 });
    const view = inst.memory()!.view;
    expect(view.getInt32(104, true)).toBe(42); // the host function's result
    expect(view.getInt32(100, true)).toBe(0); // fd_read: success, the file stayed open
    expect(view.getInt32(48, true)).toBe(5);
  });
});
