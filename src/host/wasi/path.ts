/**
 * The path_* calls, and the resolution of guest paths: component by component against a
 * directory descriptor, "..", symlinks expanded in place, and nothing may leave the preopen.
 */
import { FsError, denied, type FsBackend, type Stat } from './backend.js';
import { DIR_RIGHTS, Errno as E, FILE_RIGHTS, Fdflags, Filetype, LOOKUP_SYMLINK_FOLLOW, Oflags, Rights, SIZE } from './constants.js';
import { DirFd, FileFd, type WasiContext, type WasiFns } from './context.js';
import { u32, u64, utf8, type GuestMem } from './memory.js';

/** Resolves a guest path against a directory fd: "..", symlinks, and the escape check. */
export function resolve(cx: WasiContext, dir: DirFd, path: string, follow: boolean, mustDir = false): string[] {
  cx.curPath = path;
  if (path === '') throw new FsError(E.NOENT);
  if (path.includes('\0')) throw new FsError(E.INVAL);
  if (path.startsWith('/')) throw denied(E.NOTCAPABLE, 'absolute path (paths are relative to a preopened directory)');
  const b = dir.backend;
  const stack = [...dir.comps];
  const todo = path.split('/').reverse();
  // "a/", "a/." and "a/.." name directories
  mustDir ||= /(^|\/)(\.\.?)?$/.test(path);
  let links = 0;
  while (todo.length > 0) {
    const c = todo.pop()!;
    if (c === '' || c === '.') continue;
    if (c === '..') {
      // the preopen's root is the backend's root: a guest-opened directory may walk up to it, not past it
      if (stack.length === 0) throw denied(E.NOTCAPABLE, "'..' leaves the preopened directory");
      stack.pop();
      continue;
    }
    const last = todo.every((x) => x === '' || x === '.');
    if (last && !follow && !mustDir) {
      stack.push(c);
      break;
    }
    const here = [...stack, c];
    let st: Stat;
    try {
      st = b.lstat(here);
    } catch (e) {
      if (last && e instanceof FsError && e.errno === E.NOENT) {
        stack.push(c);
        break;
      }
      throw e;
    }
    if (st.filetype === Filetype.SYMBOLIC_LINK) {
      if (++links > 32) throw new FsError(E.LOOP);
      const target = b.readlink(here);
      if (target === '') throw new FsError(E.NOENT);
      if (target.startsWith('/')) throw denied(E.NOTCAPABLE, `symlink ${here.join('/')} -> ${target} is absolute`);
      if (last && target.endsWith('/')) mustDir = true;
      for (const t of target.split('/').reverse()) todo.push(t);
      continue;
    }
    if ((!last || mustDir) && st.filetype !== Filetype.DIRECTORY) throw new FsError(E.NOTDIR);
    stack.push(c);
  }
  return stack;
}

function lstatOrNull(b: FsBackend, p: readonly string[]): Stat | null {
  try {
    return b.lstat(p);
  } catch (e) {
    if (e instanceof FsError && e.errno === E.NOENT) return null;
    throw e;
  }
}

export function pathFunctions(cx: WasiContext): WasiFns {
  const now = (): bigint => cx.clock.realNow();
  const pathArg = (m: () => GuestMem, ptr: number, len: number): string => {
    const p = m().str(u32(ptr), u32(len));
    cx.curPath = p;
    return p;
  };
  const sameBackend = (a: DirFd, b: DirFd): void => {
    if (a.backend !== b.backend) throw new FsError(E.XDEV);
  };

  return {
    path_create_directory: (m, fd: number, p: number, l: number) => {
      const d = cx.dir(fd, Rights.PATH_CREATE_DIRECTORY);
      const comps = resolve(cx, d, pathArg(m, p, l), false);
      if (lstatOrNull(d.backend, comps)) return E.EXIST;
      d.backend.mkdir(comps, now());
      return E.SUCCESS;
    },
    path_filestat_get: (m, fd: number, flags: number, p: number, l: number, ptr: number) => {
      const mem = m();
      mem.check(u32(ptr), SIZE.filestat);
      const d = cx.dir(fd, Rights.PATH_FILESTAT_GET);
      const comps = resolve(cx, d, pathArg(m, p, l), (flags & LOOKUP_SYMLINK_FOLLOW) !== 0);
      mem.writeStat(u32(ptr), d.backend.lstat(comps));
      return E.SUCCESS;
    },
    path_filestat_set_times: (m, fd: number, flags: number, p: number, l: number, atim: bigint, mtim: bigint, fst: number) => {
      const d = cx.dir(fd, Rights.PATH_FILESTAT_SET_TIMES);
      const comps = resolve(cx, d, pathArg(m, p, l), (flags & LOOKUP_SYMLINK_FOLLOW) !== 0);
      const [a, mt] = cx.times(atim, mtim, fst);
      d.backend.lstat(comps);
      d.backend.setTimes(comps, a, mt);
      return E.SUCCESS;
    },
    path_link: (m, ofd: number, oflags: number, op: number, ol: number, nfd: number, np: number, nl: number) => {
      const od = cx.dir(ofd, Rights.PATH_LINK_SOURCE);
      const nd = cx.dir(nfd, Rights.PATH_LINK_TARGET);
      sameBackend(od, nd);
      const from = resolve(cx, od, pathArg(m, op, ol), (oflags & LOOKUP_SYMLINK_FOLLOW) !== 0);
      const to = resolve(cx, nd, pathArg(m, np, nl), false);
      if (lstatOrNull(nd.backend, to)) return E.EXIST;
      od.backend.link(from, to, now());
      return E.SUCCESS;
    },
    path_open: (
      m,
      fd: number,
      dirflags: number,
      p: number,
      l: number,
      oflags: number,
      rightsBase: bigint,
      rightsInh: bigint,
      fdflags: number,
      outPtr: number,
    ) => {
      const mem = m();
      mem.check(u32(outPtr), 4);
      const d = cx.dir(fd, Rights.PATH_OPEN);
      if (oflags & Oflags.CREAT) cx.need(d, Rights.PATH_CREATE_FILE, fd);
      if (oflags & Oflags.TRUNC) cx.need(d, Rights.PATH_FILESTAT_SET_SIZE, fd);
      const path = pathArg(m, p, l);
      const rb = u64(rightsBase);
      const ri = u64(rightsInh);
      if (((rb | ri) & ~d.rightsInheriting) !== 0n) throw denied(E.NOTCAPABLE, `fd ${u32(fd)} cannot grant the requested rights`);
      const comps = resolve(cx, d, path, (dirflags & LOOKUP_SYMLINK_FOLLOW) !== 0, (oflags & Oflags.DIRECTORY) !== 0);
      const st = lstatOrNull(d.backend, comps);
      if (st) {
        if (oflags & Oflags.CREAT && oflags & Oflags.EXCL) return E.EXIST;
        if (st.filetype === Filetype.SYMBOLIC_LINK) return E.LOOP;
        if (st.filetype === Filetype.DIRECTORY) {
          if (oflags & Oflags.TRUNC || rb & Rights.FD_WRITE) return E.ISDIR;
          mem.setU32(u32(outPtr), cx.alloc(new DirFd(d.backend, comps, null, rb & DIR_RIGHTS, ri)));
          return E.SUCCESS;
        }
        if (oflags & Oflags.DIRECTORY) return E.NOTDIR;
      } else {
        if (!(oflags & Oflags.CREAT)) return E.NOENT;
        if (oflags & Oflags.DIRECTORY) return E.INVAL;
      }
      const write = (rb & (Rights.FD_WRITE | Rights.FD_ALLOCATE | Rights.FD_FILESTAT_SET_SIZE)) !== 0n || (fdflags & Fdflags.APPEND) !== 0;
      const handle = d.backend.openFile(comps, {
        create: (oflags & Oflags.CREAT) !== 0,
        excl: (oflags & Oflags.EXCL) !== 0,
        trunc: (oflags & Oflags.TRUNC) !== 0,
        read: (rb & (Rights.FD_READ | Rights.FD_READDIR)) !== 0n || !write,
        write,
        now: now(),
      });
      let n: number;
      try {
        n = cx.alloc(new FileFd(d.backend, handle, fdflags & 31, rb & FILE_RIGHTS, ri & FILE_RIGHTS));
      } catch (e) {
        handle.close();
        throw e;
      }
      mem.setU32(u32(outPtr), n);
      return E.SUCCESS;
    },
    path_readlink: (m, fd: number, p: number, l: number, buf: number, len: number, usedPtr: number) => {
      const mem = m();
      mem.check(u32(usedPtr), 4);
      mem.check(u32(buf), u32(len));
      const d = cx.dir(fd, Rights.PATH_READLINK);
      const comps = resolve(cx, d, pathArg(m, p, l), false);
      const t = utf8.encode(d.backend.readlink(comps));
      const n = Math.min(t.length, u32(len));
      mem.u8.set(t.subarray(0, n), u32(buf));
      mem.setU32(u32(usedPtr), n);
      return E.SUCCESS;
    },
    path_remove_directory: (m, fd: number, p: number, l: number) => {
      const d = cx.dir(fd, Rights.PATH_REMOVE_DIRECTORY);
      const comps = resolve(cx, d, pathArg(m, p, l), false);
      const st = d.backend.lstat(comps);
      if (st.filetype !== Filetype.DIRECTORY) return E.NOTDIR;
      if (comps.length === 0) throw denied(E.BUSY, 'cannot remove the preopened directory');
      d.backend.rmdir(comps, now());
      return E.SUCCESS;
    },
    path_rename: (m, ofd: number, op: number, ol: number, nfd: number, np: number, nl: number) => {
      const od = cx.dir(ofd, Rights.PATH_RENAME_SOURCE);
      const nd = cx.dir(nfd, Rights.PATH_RENAME_TARGET);
      sameBackend(od, nd);
      const from = resolve(cx, od, pathArg(m, op, ol), false);
      const to = resolve(cx, nd, pathArg(m, np, nl), false);
      if (from.length === 0 || to.length === 0) throw denied(E.BUSY, 'cannot rename the preopened directory');
      od.backend.rename(from, to, now());
      return E.SUCCESS;
    },
    path_symlink: (m, op: number, ol: number, fd: number, np: number, nl: number) => {
      const target = m().str(u32(op), u32(ol));
      const d = cx.dir(fd, Rights.PATH_SYMLINK);
      const comps = resolve(cx, d, pathArg(m, np, nl), false);
      if (target.startsWith('/')) throw denied(E.NOTCAPABLE, `symlink target ${target} is absolute`);
      if (lstatOrNull(d.backend, comps)) return E.EXIST;
      d.backend.symlink(target, comps, now());
      return E.SUCCESS;
    },
    path_unlink_file: (m, fd: number, p: number, l: number) => {
      const d = cx.dir(fd, Rights.PATH_UNLINK_FILE);
      const comps = resolve(cx, d, pathArg(m, p, l), false);
      if (comps.length === 0) return E.ISDIR;
      d.backend.unlink(comps, now());
      return E.SUCCESS;
    },
  };
}
