/**
 * A real host directory as a WASI backend (an opt-in capability). The root
 * is resolved with realpath once; the WASI layer resolves "..", symlinks
 * and escape checks component by component before a path reaches this
 * backend, so the host path it touches is always root + plain components,
 * and opens use O_NOFOLLOW for the final component. (A host process racing
 * to swap a checked directory for a symlink is outside this model.)
 *
 * Node's `fs` is passed in (or found with process.getBuiltinModule), so
 * the package stays loadable in browsers.
 */
import { Errno, Filetype } from './constants.js';
import { FsError, type DirEntry, type FileHandle, type FsBackend, type OpenOptions, type Stat } from './backend.js';

/** The subset of Node's `fs` module the WASI host uses. */
export interface NodeFsLike {
  realpathSync(p: string): string;
  statSync(p: string): { isDirectory(): boolean };
  lstatSync(p: string, o: { bigint: true }): BigStatsLike;
  fstatSync(fd: number, o: { bigint: true }): BigStatsLike;
  readlinkSync(p: string): string | Buffer;
  readdirSync(p: string): string[];
  openSync(p: string, flags: number, mode?: number): number;
  closeSync(fd: number): void;
  readSync(fd: number, buf: Uint8Array, off: number, len: number, pos: number | null): number;
  writeSync(fd: number, buf: Uint8Array, off: number, len: number, pos?: number | null): number;
  ftruncateSync(fd: number, len: number): void;
  futimesSync(fd: number, atime: number, mtime: number): void;
  lutimesSync(p: string, atime: number, mtime: number): void;
  fsyncSync(fd: number): void;
  mkdirSync(p: string, mode?: number): unknown;
  rmdirSync(p: string): void;
  unlinkSync(p: string): void;
  renameSync(a: string, b: string): void;
  linkSync(a: string, b: string): void;
  symlinkSync(target: string, p: string): void;
  constants: Record<string, number>;
}
type Buffer = Uint8Array;
interface BigStatsLike {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSocket(): boolean;
  dev: bigint;
  ino: bigint;
  nlink: bigint;
  size: bigint;
  atimeNs: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

/** Node's fs, found without a static import (Node >= 20.16 has process.getBuiltinModule). */
export function defaultNodeFs(): NodeFsLike | null {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const fs = p?.getBuiltinModule?.('node:fs');
  return (fs as NodeFsLike | undefined) ?? null;
}

/** A Node fs error's code ("ENOENT") as a WASI errno. */
export function errnoFromNode(e: unknown): number {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return Errno.IO;
  switch (code) {
    case 'EOPNOTSUPP':
      return Errno.NOTSUP;
    case 'EWOULDBLOCK':
      return Errno.AGAIN;
  }
  const v = (Errno as Record<string, number>)[code.replace(/^E/, '')];
  return v ?? Errno.IO;
}

function filetypeOf(s: BigStatsLike): Stat['filetype'] {
  if (s.isFile()) return Filetype.REGULAR_FILE;
  if (s.isDirectory()) return Filetype.DIRECTORY;
  if (s.isSymbolicLink()) return Filetype.SYMBOLIC_LINK;
  if (s.isCharacterDevice()) return Filetype.CHARACTER_DEVICE;
  if (s.isBlockDevice()) return Filetype.BLOCK_DEVICE;
  if (s.isSocket()) return Filetype.SOCKET_STREAM;
  return Filetype.UNKNOWN;
}

export function statOf(s: BigStatsLike): Stat {
  return {
    filetype: filetypeOf(s),
    dev: s.dev,
    ino: s.ino,
    nlink: s.nlink,
    size: s.size,
    atim: s.atimeNs,
    mtim: s.mtimeNs,
    ctim: s.ctimeNs,
  };
}

const seconds = (ns: bigint): number => Number(ns) / 1e9;

export class HostFs implements FsBackend {
  readonly root: string;
  readonly writable: boolean;
  readonly label: string;

  constructor(
    hostPath: string,
    readonly fs: NodeFsLike,
    options: { readonly?: boolean } = {},
  ) {
    this.root = fs.realpathSync(hostPath);
    if (!fs.statSync(this.root).isDirectory()) throw new Error(`${hostPath} is not a directory`);
    this.writable = !options.readonly;
    this.label = `host:${this.root}${this.writable ? '' : ' (read-only)'}`;
  }

  private path(p: readonly string[]): string {
    for (const c of p) if (c === '' || c === '.' || c === '..' || c.includes('/') || c.includes('\0')) throw new FsError(Errno.INVAL);
    return p.length === 0 ? this.root : `${this.root}/${p.join('/')}`;
  }
  private wcheck(): void {
    if (!this.writable) throw new FsError(Errno.ROFS, `${this.root} is preopened read-only`, true);
  }
  private wrap<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof FsError) throw e;
      throw new FsError(errnoFromNode(e), e instanceof Error ? e.message : String(e));
    }
  }

  lstat(p: readonly string[]): Stat {
    return this.wrap(() => statOf(this.fs.lstatSync(this.path(p), { bigint: true })));
  }
  readlink(p: readonly string[]): string {
    return this.wrap(() => {
      const r = this.fs.readlinkSync(this.path(p));
      return typeof r === 'string' ? r : new TextDecoder().decode(r);
    });
  }
  readdir(p: readonly string[]): DirEntry[] {
    return this.wrap(() => {
      const dir = this.path(p);
      const names = this.fs.readdirSync(dir).sort();
      const out: DirEntry[] = [];
      for (const name of names) {
        try {
          const s = this.fs.lstatSync(`${dir}/${name}`, { bigint: true });
          out.push({ name, filetype: filetypeOf(s), ino: s.ino });
        } catch {
          // vanished meanwhile
        }
      }
      return out;
    });
  }
  openFile(p: readonly string[], o: OpenOptions): FileHandle {
    if (o.create || o.write || o.trunc) {
      if (!this.writable) {
        // an existing file opened for reading only is fine; anything that would modify is not
        this.wcheck();
      }
    }
    const c = this.fs.constants;
    let flags = o.write ? (o.read ? c.O_RDWR! : c.O_WRONLY!) : c.O_RDONLY!;
    if (o.create) flags |= c.O_CREAT!;
    if (o.excl) flags |= c.O_EXCL!;
    if (o.trunc) flags |= c.O_TRUNC!;
    if (c.O_NOFOLLOW !== undefined) flags |= c.O_NOFOLLOW;
    const path = this.path(p);
    const fd = this.wrap(() => {
      try {
        return this.fs.openSync(path, flags, 0o666);
      } catch (e) {
        // O_NOFOLLOW on a symlink fails with ELOOP (Linux) / EMLINK (BSD)
        if ((e as { code?: string }).code === 'EMLINK') throw new FsError(Errno.LOOP);
        throw e;
      }
    });
    let s: BigStatsLike;
    try {
      s = this.fs.fstatSync(fd, { bigint: true });
    } catch (e) {
      this.fs.closeSync(fd);
      throw new FsError(errnoFromNode(e));
    }
    if (s.isDirectory()) {
      this.fs.closeSync(fd);
      throw new FsError(Errno.ISDIR);
    }
    const fs = this.fs;
    const self = this;
    return {
      read: (dst, pos) => this.wrap(() => fs.readSync(fd, dst, 0, dst.length, pos)),
      write(src, pos) {
        self.wcheck();
        return self.wrap(() => fs.writeSync(fd, src, 0, src.length, pos));
      },
      stat: () => this.wrap(() => statOf(fs.fstatSync(fd, { bigint: true }))),
      truncate(size) {
        self.wcheck();
        self.wrap(() => fs.ftruncateSync(fd, size));
      },
      setTimes(atim, mtim) {
        self.wcheck();
        self.wrap(() => {
          const cur = fs.fstatSync(fd, { bigint: true });
          fs.futimesSync(fd, seconds(atim ?? cur.atimeNs), seconds(mtim ?? cur.mtimeNs));
        });
      },
      sync: () => this.wrap(() => fs.fsyncSync(fd)),
      close: () => this.wrap(() => fs.closeSync(fd)),
    };
  }
  mkdir(p: readonly string[]): void {
    this.wcheck();
    this.wrap(() => this.fs.mkdirSync(this.path(p), 0o777));
  }
  rmdir(p: readonly string[]): void {
    this.wcheck();
    if (p.length === 0) throw new FsError(Errno.BUSY, 'the preopened directory itself');
    this.wrap(() => this.fs.rmdirSync(this.path(p)));
  }
  unlink(p: readonly string[]): void {
    this.wcheck();
    this.wrap(() => {
      const path = this.path(p);
      // Linux unlink(2) on a directory says EISDIR; macOS says EPERM: report EISDIR everywhere
      if (this.fs.lstatSync(path, { bigint: true }).isDirectory()) throw new FsError(Errno.ISDIR);
      this.fs.unlinkSync(path);
    });
  }
  rename(from: readonly string[], to: readonly string[]): void {
    this.wcheck();
    if (from.length === 0 || to.length === 0) throw new FsError(Errno.BUSY, 'the preopened directory itself');
    this.wrap(() => this.fs.renameSync(this.path(from), this.path(to)));
  }
  link(from: readonly string[], to: readonly string[]): void {
    this.wcheck();
    this.wrap(() => this.fs.linkSync(this.path(from), this.path(to)));
  }
  symlink(target: string, p: readonly string[]): void {
    this.wcheck();
    this.wrap(() => this.fs.symlinkSync(target, this.path(p)));
  }
  setTimes(p: readonly string[], atim: bigint | null, mtim: bigint | null): void {
    this.wcheck();
    this.wrap(() => {
      const path = this.path(p);
      const cur = this.fs.lstatSync(path, { bigint: true });
      this.fs.lutimesSync(path, seconds(atim ?? cur.atimeNs), seconds(mtim ?? cur.mtimeNs));
    });
  }
}
