/** The fd_* calls: reading, writing, seeking, stat, rights, preopens, readdir. */
import { WasmeterError } from '../../core/errors.js';
import type { Suspend } from '../../runtime/objects/func.js';
import { FsError, denied, type Stat } from './backend.js';
import { Errno as E, Fdflags, Filetype, PREOPENTYPE_DIR, Rights, SIZE, Whence } from './constants.js';
import { DirFd, FileFd, StdioFd, type Fd, type WasiContext, type WasiFn, type WasiFns } from './context.js';
import { concatBytes } from '../../core/bytes.js';
import { GuestMem, u32, u64, utf8 } from './memory.js';

/**
 * The payload of the HostSuspended that a guest's fd_read of a stream stdin raises when nothing
 * is buffered: `stop.resume(await stop.payload.read())` waits for the stream's next chunk (or its
 * end: EOF), completes the read and continues the guest. `Wasi.startAsync` does this itself.
 */
export class WasiStdinRead {
  private started = false;
  constructor(private readonly complete: () => Promise<number>) {}
  /** Waits for data or the end of the stream and fills the guest's buffers; gives the errno to resume with. */
  read(): Promise<number> {
    if (this.started) return Promise.reject(new WasmeterError('this stdin read was already completed'));
    this.started = true;
    return this.complete();
  }
}

export function fdFunctions(cx: WasiContext): WasiFns {
  const fileOf = (fd: unknown, right: bigint): FileFd => {
    const f = cx.get(fd);
    if (f instanceof DirFd) throw new FsError(E.ISDIR);
    if (f instanceof StdioFd) throw new FsError(E.SPIPE);
    cx.need(f, right, fd);
    return f;
  };
  const fstat = (f: Fd): Stat => {
    if (f instanceof FileFd) return f.handle.stat();
    if (f instanceof DirFd) return f.backend.lstat(f.comps);
    return { filetype: f.filetype as Stat['filetype'], dev: 0n, ino: 0n, nlink: 1n, size: 0n, atim: 0n, mtim: 0n, ctim: 0n };
  };
  const readv = (f: Fd, bufs: Uint8Array[], at: number | null): number => {
    let total = 0;
    if (f instanceof StdioFd) {
      if (f.stream !== 0) throw new FsError(E.BADF);
      for (const b of bufs) {
        if (b.length === 0) continue;
        const n = cx.stdio.read(b);
        total += n;
        if (n < b.length) break;
      }
      return total;
    }
    const file = f as FileFd;
    let pos = at ?? file.pos;
    for (const b of bufs) {
      if (b.length === 0) continue;
      const n = file.handle.read(b, pos);
      pos += n;
      total += n;
      if (n < b.length) break;
    }
    if (at === null) file.pos = pos;
    return total;
  };
  /** Suspends an fd_read of stdin until the stream gives data or ends; completes it then (and traces it). */
  const waitForStdin = (f: StdioFd, fd: number, iovs: number, n: number, outPtr: number): Suspend => {
    const caller = cx.caller!;
    return caller.suspend(
      new WasiStdinRead(async () => {
        let errno: number;
        try {
          await cx.stdio.pull();
          const m = caller.memory(0);
          if (!m) throw new FsError(E.FAULT, 'the module has no memory');
          const mem = new GuestMem(m);
          mem.setU32(u32(outPtr), readv(f, mem.iovecs(u32(iovs), u32(n)), null));
          errno = E.SUCCESS;
        } catch (e) {
          errno = cx.errnoOf('fd_read', e);
        }
        cx.trace?.('fd_read', [fd, iovs, n, outPtr], errno);
        return errno;
      }),
    );
  };
  const gather = (bufs: Uint8Array[]): Uint8Array => {
    if (bufs.length === 1) return bufs[0]!;
    return concatBytes(bufs);
  };
  const writev = (f: Fd, bufs: Uint8Array[], at: number | null): number => {
    const data = gather(bufs);
    if (f instanceof StdioFd) {
      if (f.stream === 0) throw new FsError(E.BADF);
      cx.stdio.write(f.stream, data);
      return data.length;
    }
    const file = f as FileFd;
    if (data.length === 0) return 0;
    let pos = at ?? file.pos;
    if (at === null && file.flags & Fdflags.APPEND) pos = Number(file.handle.stat().size);
    const n = file.handle.write(data, pos, cx.clock.realNow());
    if (at === null) file.pos = pos + n;
    return n;
  };

  /** fd_pread / fd_pwrite: `io` at an explicit offset, the file position unchanged. */
  const positioned =
    (io: (f: Fd, bufs: Uint8Array[], at: number) => number, right: bigint): WasiFn =>
    (m, fd: number, iovs: number, n: number, off: bigint, outPtr: number) => {
      const mem = m();
      mem.check(u32(outPtr), 4);
      const f = fileOf(fd, right);
      const o = u64(off);
      if (o > BigInt(Number.MAX_SAFE_INTEGER)) return E.INVAL;
      mem.setU32(u32(outPtr), io(f, mem.iovecs(u32(iovs), u32(n)), Number(o)));
      return E.SUCCESS;
    };
  /** fd_sync / fd_datasync. */
  const sync =
    (right: bigint): WasiFn =>
    (_m, fd: number) => {
      const f = cx.get(fd);
      cx.need(f, right, fd);
      if (f instanceof FileFd) f.handle.sync();
      else if (f instanceof StdioFd) return E.INVAL;
      return E.SUCCESS;
    };

  return {
    fd_advise: (_m, fd: number, _off: bigint, _len: bigint, advice: number) => {
      const f = fileOf(fd, Rights.FD_ADVISE);
      void f;
      if (advice < 0 || advice > 5) return E.INVAL;
      return E.SUCCESS;
    },
    fd_allocate: (_m, fd: number, off: bigint, len: bigint) => {
      const f = fileOf(fd, Rights.FD_ALLOCATE);
      const end = u64(off) + u64(len);
      if (end > BigInt(Number.MAX_SAFE_INTEGER)) return E.FBIG;
      if (end > f.handle.stat().size) f.handle.truncate(Number(end), cx.clock.realNow());
      return E.SUCCESS;
    },
    fd_close: (_m, fd: number) => {
      const f = cx.get(fd);
      cx.fds[u32(fd)] = undefined;
      if (f instanceof FileFd) f.handle.close();
      return E.SUCCESS;
    },
    fd_datasync: sync(Rights.FD_DATASYNC),
    fd_sync: sync(Rights.FD_SYNC),
    fd_fdstat_get: (m, fd: number, ptr: number) => {
      const mem = m();
      const p = u32(ptr);
      mem.check(p, SIZE.fdstat);
      const f = cx.get(fd);
      mem.u8.fill(0, p, p + SIZE.fdstat);
      mem.setU8(p, f.filetype);
      mem.setU16(p + 2, f.flags);
      mem.setU64(p + 8, f.rightsBase);
      mem.setU64(p + 16, f.rightsInheriting);
      return E.SUCCESS;
    },
    fd_fdstat_set_flags: (_m, fd: number, flags: number) => {
      const f = cx.get(fd);
      cx.need(f, Rights.FD_FDSTAT_SET_FLAGS, fd);
      if (flags & ~31) return E.INVAL;
      f.flags = flags;
      return E.SUCCESS;
    },
    fd_fdstat_set_rights: (_m, fd: number, base: bigint, inh: bigint) => {
      const f = cx.get(fd);
      const b = u64(base);
      const i = u64(inh);
      if ((b & ~f.rightsBase) !== 0n || (i & ~f.rightsInheriting) !== 0n) {
        throw denied(E.NOTCAPABLE, `fd ${u32(fd)}: rights can only be dropped`);
      }
      f.rightsBase = b;
      f.rightsInheriting = i;
      return E.SUCCESS;
    },
    fd_filestat_get: (m, fd: number, ptr: number) => {
      const mem = m();
      mem.check(u32(ptr), SIZE.filestat);
      const f = cx.get(fd);
      if (!(f instanceof StdioFd)) cx.need(f, Rights.FD_FILESTAT_GET, fd);
      mem.writeStat(u32(ptr), fstat(f));
      return E.SUCCESS;
    },
    fd_filestat_set_size: (_m, fd: number, size: bigint) => {
      const f = cx.get(fd);
      if (!(f instanceof FileFd)) return E.INVAL;
      cx.need(f, Rights.FD_FILESTAT_SET_SIZE, fd);
      const n = u64(size);
      if (n > BigInt(Number.MAX_SAFE_INTEGER)) return E.FBIG;
      f.handle.truncate(Number(n), cx.clock.realNow());
      return E.SUCCESS;
    },
    fd_filestat_set_times: (_m, fd: number, atim: bigint, mtim: bigint, flags: number) => {
      const f = cx.get(fd);
      cx.need(f, Rights.FD_FILESTAT_SET_TIMES, fd);
      const [a, mt] = cx.times(atim, mtim, flags);
      if (f instanceof FileFd) f.handle.setTimes(a, mt);
      else if (f instanceof DirFd) f.backend.setTimes(f.comps, a, mt);
      else return E.INVAL;
      return E.SUCCESS;
    },
    fd_pread: positioned(readv, Rights.FD_READ | Rights.FD_SEEK),
    fd_pwrite: positioned(writev, Rights.FD_WRITE | Rights.FD_SEEK),
    fd_read: (m, fd: number, iovs: number, n: number, outPtr: number) => {
      const mem = m();
      mem.check(u32(outPtr), 4);
      const f = cx.get(fd);
      if (f instanceof DirFd) return E.ISDIR;
      cx.need(f, Rights.FD_READ, fd);
      const bufs = mem.iovecs(u32(iovs), u32(n));
      if (f instanceof StdioFd && f.stream === 0 && cx.stdio.mustWait && bufs.some((b) => b.length > 0)) return waitForStdin(f, fd, iovs, n, outPtr);
      mem.setU32(u32(outPtr), readv(f, bufs, null));
      return E.SUCCESS;
    },
    fd_write: (m, fd: number, iovs: number, n: number, outPtr: number) => {
      const mem = m();
      mem.check(u32(outPtr), 4);
      const f = cx.get(fd);
      if (f instanceof DirFd) return E.ISDIR;
      cx.need(f, Rights.FD_WRITE, fd);
      mem.setU32(u32(outPtr), writev(f, mem.iovecs(u32(iovs), u32(n)), null));
      return E.SUCCESS;
    },
    fd_prestat_get: (m, fd: number, ptr: number) => {
      const mem = m();
      mem.check(u32(ptr), SIZE.prestat);
      const f = cx.get(fd);
      if (!(f instanceof DirFd) || f.preopen === null) return E.BADF;
      mem.setU32(u32(ptr), 0);
      mem.setU8(u32(ptr), PREOPENTYPE_DIR);
      mem.setU32(u32(ptr) + 4, utf8.encode(f.preopen).length);
      return E.SUCCESS;
    },
    fd_prestat_dir_name: (m, fd: number, ptr: number, len: number) => {
      const mem = m();
      const f = cx.get(fd);
      if (!(f instanceof DirFd) || f.preopen === null) return E.BADF;
      const name = utf8.encode(f.preopen);
      if (u32(len) < name.length) return E.NAMETOOLONG;
      mem.check(u32(ptr), name.length);
      mem.u8.set(name, u32(ptr));
      return E.SUCCESS;
    },
    fd_readdir: (m, fd: number, buf: number, len: number, cookie: bigint, usedPtr: number) => {
      const mem = m();
      const b = u32(buf);
      const bl = u32(len);
      mem.check(b, bl);
      mem.check(u32(usedPtr), 4);
      const d = cx.get(fd);
      if (!(d instanceof DirFd)) return E.NOTDIR;
      cx.need(d, Rights.FD_READDIR, fd);
      const self = d.backend.lstat(d.comps);
      const parent = d.comps.length > 0 ? d.backend.lstat(d.comps.slice(0, -1)) : self;
      const entries = [
        { name: '.', filetype: Filetype.DIRECTORY as number, ino: self.ino },
        { name: '..', filetype: Filetype.DIRECTORY as number, ino: parent.ino },
        ...d.backend.readdir(d.comps),
      ];
      const c = u64(cookie);
      let used = 0;
      for (let i = c > BigInt(entries.length) ? entries.length : Number(c); i < entries.length && used < bl; i++) {
        const e = entries[i]!;
        const name = utf8.encode(e.name);
        const rec = new Uint8Array(SIZE.dirent + name.length);
        const v = new DataView(rec.buffer);
        v.setBigUint64(0, BigInt(i + 1), true);
        v.setBigUint64(8, BigInt.asUintN(64, e.ino), true);
        v.setUint32(16, name.length, true);
        v.setUint8(20, e.filetype);
        rec.set(name, SIZE.dirent);
        const n = Math.min(rec.length, bl - used);
        mem.u8.set(rec.subarray(0, n), b + used);
        used += n;
      }
      mem.setU32(u32(usedPtr), used);
      return E.SUCCESS;
    },
    fd_renumber: (_m, from: number, to: number) => {
      const f = cx.get(from);
      const t = cx.get(to);
      if (u32(from) === u32(to)) return E.SUCCESS;
      if (t instanceof FileFd) t.handle.close();
      cx.fds[u32(to)] = f;
      cx.fds[u32(from)] = undefined;
      return E.SUCCESS;
    },
    fd_seek: (m, fd: number, off: bigint, whence: number, outPtr: number) => {
      const mem = m();
      mem.check(u32(outPtr), 8);
      const f = cx.get(fd);
      if (f instanceof StdioFd) return E.SPIPE;
      if (f instanceof DirFd) return E.ISDIR;
      cx.need(f, whence === Whence.CUR && off === 0n ? Rights.FD_TELL : Rights.FD_SEEK, fd);
      let base: bigint;
      if (whence === Whence.SET) base = 0n;
      else if (whence === Whence.CUR) base = BigInt(f.pos);
      else if (whence === Whence.END) base = f.handle.stat().size;
      else return E.INVAL;
      const pos = base + BigInt.asIntN(64, off);
      if (pos < 0n) return E.INVAL;
      if (pos > BigInt(Number.MAX_SAFE_INTEGER)) return E.OVERFLOW;
      f.pos = Number(pos);
      mem.setU64(u32(outPtr), pos);
      return E.SUCCESS;
    },
    fd_tell: (m, fd: number, outPtr: number) => {
      const mem = m();
      mem.check(u32(outPtr), 8);
      const f = cx.get(fd);
      if (f instanceof StdioFd) return E.SPIPE;
      if (f instanceof DirFd) return E.ISDIR;
      cx.need(f, Rights.FD_TELL, fd);
      mem.setU64(u32(outPtr), BigInt(f.pos));
      return E.SUCCESS;
    },
  };
}
