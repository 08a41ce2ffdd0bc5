/**
 * An in-memory filesystem for WASI guests. The embedder fills it (files,
 * directories, symlinks, hard links) before the run and reads it after.
 * It is deterministic: inode numbers are allocated in order and timestamps
 * come from the WASI clock (the embedder's own writes use `memfs.now`).
 */
import { Errno, Filetype } from './constants.js';
import { FsError, isPrefix, type DirEntry, type FileHandle, type FsBackend, type OpenOptions, type Stat } from './backend.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

abstract class MemNode {
  nlink = 1n;
  constructor(
    readonly ino: bigint,
    public atim: bigint,
    public mtim: bigint,
    public ctim: bigint,
  ) {}
}
export class MemFile extends MemNode {
  data = new Uint8Array(0);
  size = 0;
  /** The file's contents (a copy). */
  bytes(): Uint8Array {
    return this.data.slice(0, this.size);
  }
  ensure(n: number): void {
    if (n <= this.data.length) return;
    const next = new Uint8Array(Math.max(n, this.data.length * 2, 64));
    next.set(this.data.subarray(0, this.size));
    this.data = next;
  }
  setSize(n: number): void {
    if (n > this.size) {
      this.ensure(n);
      this.data.fill(0, this.size, n);
    }
    this.size = n;
  }
}
export class MemDir extends MemNode {
  readonly entries = new Map<string, MemNode>();
  constructor(ino: bigint, t: bigint) {
    super(ino, t, t, t);
    this.nlink = 2n;
  }
}
export class MemSymlink extends MemNode {
  constructor(
    ino: bigint,
    t: bigint,
    readonly target: string,
  ) {
    super(ino, t, t, t);
  }
}

/** A symlink in a MemFs tree literal. */
export interface SymlinkSpec {
  symlink: string;
}
/** A tree literal: a file's contents (string or bytes), a symlink, or a directory (object). */
export type MemTree = { [name: string]: string | Uint8Array | SymlinkSpec | MemTree };

const MAX_FILE = 2 ** 31;

/** The file each open handle is on (snapshots of open descriptors, state.ts). */
export const HANDLE_NODES = new WeakMap<FileHandle, MemFile>();

function typeOf(n: MemNode): Stat['filetype'] {
  return n instanceof MemDir ? Filetype.DIRECTORY : n instanceof MemSymlink ? Filetype.SYMBOLIC_LINK : Filetype.REGULAR_FILE;
}

export class MemFs implements FsBackend {
  readonly writable: boolean;
  readonly label = 'memfs';
  /** Timestamp (ns) the embedder's own writes get (the guest's writes use the WASI clock). */
  now = 0n;
  private nextIno = 1n;
  readonly root: MemDir;
  /** Device number reported in filestat. */
  readonly dev: bigint;

  constructor(tree: MemTree = {}, options: { readonly?: boolean; dev?: bigint } = {}) {
    this.writable = !options.readonly;
    this.dev = options.dev ?? 1n;
    this.root = new MemDir(this.nextIno++, 0n);
    this.fill([], tree);
  }

  // ------------------------------------------------------------ embedder API (paths like "/a/b" or "a/b")

  private split(path: string): string[] {
    const out: string[] = [];
    for (const c of path.split('/')) {
      if (c === '' || c === '.') continue;
      if (c === '..') throw new Error(`memfs: '..' is not allowed in embedder paths (${path})`);
      out.push(c);
    }
    return out;
  }
  private fill(at: string[], tree: MemTree): void {
    for (const [name, v] of Object.entries(tree)) {
      const p = [...at, ...this.split(name)];
      if (typeof v === 'string' || v instanceof Uint8Array) this.writeFile(p.join('/'), v);
      else if (typeof (v as SymlinkSpec).symlink === 'string' && Object.keys(v).length === 1)
        this.symlinkAt((v as SymlinkSpec).symlink, p);
      else {
        this.mkdirp(p);
        this.fill(p, v as MemTree);
      }
    }
  }
  private mkdirp(p: string[]): MemDir {
    let d = this.root;
    for (const c of p) {
      let n = d.entries.get(c);
      if (!n) {
        n = new MemDir(this.nextIno++, this.now);
        d.entries.set(c, n);
        d.nlink++;
      }
      if (!(n instanceof MemDir)) throw new Error(`memfs: ${p.join('/')}: ${c} is not a directory`);
      d = n;
    }
    return d;
  }
  /** Writes a file, creating its parent directories. */
  writeFile(path: string, data: string | Uint8Array): this {
    const p = this.split(path);
    const name = p.pop();
    if (name === undefined) throw new Error('memfs: cannot write the root');
    const d = this.mkdirp(p);
    let f = d.entries.get(name);
    if (!f) {
      f = new MemFile(this.nextIno++, this.now, this.now, this.now);
      d.entries.set(name, f);
    }
    if (!(f instanceof MemFile)) throw new Error(`memfs: ${path} exists and is not a file`);
    const b = typeof data === 'string' ? enc.encode(data) : data;
    f.data = b.slice();
    f.size = b.length;
    f.mtim = f.ctim = this.now;
    return this;
  }
  /** Creates a directory and its parents. */
  mkdir(path: string): this;
  mkdir(p: readonly string[], now: bigint): void;
  mkdir(path: string | readonly string[], now?: bigint): this | void {
    if (typeof path === 'string') {
      this.mkdirp(this.split(path));
      return this;
    }
    this.gmkdir(path, now!);
  }
  /** Creates a symlink at `path` whose text is `target`. */
  symlink(target: string, path: string): this;
  symlink(target: string, p: readonly string[], now: bigint): void;
  symlink(target: string, path: string | readonly string[], now?: bigint): this | void {
    if (typeof path === 'string') {
      this.symlinkAt(target, this.split(path));
      return this;
    }
    this.wcheck();
    const [d, name] = this.parentOf(path);
    if (d.entries.has(name)) throw new FsError(Errno.EXIST);
    d.entries.set(name, new MemSymlink(this.nextIno++, now!, target));
    d.mtim = d.ctim = now!;
  }
  private symlinkAt(target: string, p: string[]): void {
    const name = p.pop();
    if (name === undefined) throw new Error('memfs: cannot replace the root');
    this.mkdirp(p).entries.set(name, new MemSymlink(this.nextIno++, this.now, target));
  }
  /** The node at a path (no symlinks followed), or undefined. */
  node(path: string): MemFile | MemDir | MemSymlink | undefined {
    try {
      return this.get(this.split(path)) as MemFile | MemDir | MemSymlink;
    } catch {
      return undefined;
    }
  }
  exists(path: string): boolean {
    return this.node(path) !== undefined;
  }
  readFile(path: string): Uint8Array {
    const n = this.node(path);
    if (!(n instanceof MemFile)) throw new Error(`memfs: ${path} is not a file`);
    return n.bytes();
  }
  readText(path: string): string {
    return dec.decode(this.readFile(path));
  }
  /** A directory's entry names, sorted. */
  list(path = '/'): string[] {
    const n = this.node(path);
    if (!(n instanceof MemDir)) throw new Error(`memfs: ${path} is not a directory`);
    return [...n.entries.keys()].sort();
  }
  /** The whole tree as a literal (files as strings when `text`, else bytes; symlinks as { symlink }). */
  toTree(text = true, dir: MemDir = this.root): MemTree {
    const out: MemTree = {};
    for (const name of [...dir.entries.keys()].sort()) {
      const n = dir.entries.get(name)!;
      if (n instanceof MemDir) out[name] = this.toTree(text, n);
      else if (n instanceof MemSymlink) out[name] = { symlink: n.target };
      else out[name] = text ? dec.decode((n as MemFile).bytes()) : (n as MemFile).bytes();
    }
    return out;
  }

  // ------------------------------------------------------------ backend (component arrays, errno errors)

  private wcheck(): void {
    if (!this.writable) throw new FsError(Errno.ROFS, 'the in-memory filesystem is read-only', true);
  }
  private get(p: readonly string[]): MemNode {
    let n: MemNode = this.root;
    for (const c of p) {
      if (!(n instanceof MemDir)) throw new FsError(Errno.NOTDIR);
      const next = n.entries.get(c);
      if (!next) throw new FsError(Errno.NOENT);
      n = next;
    }
    return n;
  }
  private parentOf(p: readonly string[]): [MemDir, string] {
    if (p.length === 0) throw new FsError(Errno.BUSY, 'the preopened directory itself');
    const d = this.get(p.slice(0, -1));
    if (!(d instanceof MemDir)) throw new FsError(Errno.NOTDIR);
    return [d, p[p.length - 1]!];
  }
  private statOf(n: MemNode): Stat {
    return {
      filetype: typeOf(n),
      dev: this.dev,
      ino: n.ino,
      nlink: n.nlink,
      size: n instanceof MemFile ? BigInt(n.size) : n instanceof MemSymlink ? BigInt(enc.encode(n.target).length) : 4096n,
      atim: n.atim,
      mtim: n.mtim,
      ctim: n.ctim,
    };
  }
  lstat(p: readonly string[]): Stat {
    return this.statOf(this.get(p));
  }
  readlink(p: readonly string[]): string {
    const n = this.get(p);
    if (!(n instanceof MemSymlink)) throw new FsError(Errno.INVAL);
    return n.target;
  }
  readdir(p: readonly string[]): DirEntry[] {
    const d = this.get(p);
    if (!(d instanceof MemDir)) throw new FsError(Errno.NOTDIR);
    return [...d.entries.keys()].sort().map((name) => {
      const n = d.entries.get(name)!;
      return { name, filetype: typeOf(n), ino: n.ino };
    });
  }
  openFile(p: readonly string[], o: OpenOptions): FileHandle {
    const [d, name] = this.parentOf(p);
    let n = d.entries.get(name);
    if (n && o.create && o.excl) throw new FsError(Errno.EXIST);
    if (!n) {
      if (!o.create) throw new FsError(Errno.NOENT);
      this.wcheck();
      n = new MemFile(this.nextIno++, o.now, o.now, o.now);
      d.entries.set(name, n);
      d.mtim = d.ctim = o.now;
    }
    if (n instanceof MemDir) throw new FsError(Errno.ISDIR);
    if (n instanceof MemSymlink) throw new FsError(Errno.LOOP);
    if ((o.write || o.trunc) && !this.writable) this.wcheck();
    const f = n as MemFile;
    if (o.trunc && f.size !== 0) {
      f.size = 0;
      f.mtim = f.ctim = o.now;
    }
    return this.handle(f);
  }
  private handle(f: MemFile): FileHandle {
    const fs = this;
    const h: FileHandle = {
      read(dst, pos) {
        if (pos >= f.size) return 0;
        const n = Math.min(dst.length, f.size - pos);
        dst.set(f.data.subarray(pos, pos + n));
        return n;
      },
      write(src, pos, now) {
        fs.wcheck();
        const end = pos + src.length;
        if (end > MAX_FILE) throw new FsError(Errno.FBIG);
        if (pos > f.size) f.setSize(pos);
        f.ensure(end);
        f.data.set(src, pos);
        if (end > f.size) f.size = end;
        f.mtim = f.ctim = now;
        return src.length;
      },
      stat: () => fs.statOf(f),
      truncate(size, now) {
        fs.wcheck();
        if (size > MAX_FILE) throw new FsError(Errno.FBIG);
        f.setSize(size);
        f.mtim = f.ctim = now;
      },
      setTimes(atim, mtim) {
        fs.wcheck();
        if (atim !== null) f.atim = atim;
        if (mtim !== null) f.mtim = mtim;
      },
      sync() {},
      close() {},
    };
    HANDLE_NODES.set(h, f);
    return h;
  }
  private gmkdir(p: readonly string[], now: bigint): void {
    this.wcheck();
    const [d, name] = this.parentOf(p);
    if (d.entries.has(name)) throw new FsError(Errno.EXIST);
    d.entries.set(name, new MemDir(this.nextIno++, now));
    d.nlink++;
    d.mtim = d.ctim = now;
  }
  rmdir(p: readonly string[], now: bigint): void {
    this.wcheck();
    const [d, name] = this.parentOf(p);
    const n = d.entries.get(name);
    if (!n) throw new FsError(Errno.NOENT);
    if (!(n instanceof MemDir)) throw new FsError(Errno.NOTDIR);
    if (n.entries.size > 0) throw new FsError(Errno.NOTEMPTY);
    d.entries.delete(name);
    d.nlink--;
    d.mtim = d.ctim = now;
  }
  unlink(p: readonly string[], now: bigint): void {
    this.wcheck();
    const [d, name] = this.parentOf(p);
    const n = d.entries.get(name);
    if (!n) throw new FsError(Errno.NOENT);
    if (n instanceof MemDir) throw new FsError(Errno.ISDIR);
    d.entries.delete(name);
    n.nlink--;
    n.ctim = now;
    d.mtim = d.ctim = now;
  }
  rename(from: readonly string[], to: readonly string[], now: bigint): void {
    this.wcheck();
    const [sd, sname] = this.parentOf(from);
    const src = sd.entries.get(sname);
    if (!src) throw new FsError(Errno.NOENT);
    const [dd, dname] = this.parentOf(to);
    const dst = dd.entries.get(dname);
    if (src === dst) return;
    if (src instanceof MemDir) {
      if (isPrefix(from, to)) throw new FsError(Errno.INVAL);
      if (dst && !(dst instanceof MemDir)) throw new FsError(Errno.NOTDIR);
      if (dst instanceof MemDir && dst.entries.size > 0) throw new FsError(Errno.NOTEMPTY);
    } else if (dst instanceof MemDir) throw new FsError(Errno.ISDIR);
    if (dst) {
      dd.entries.delete(dname);
      if (dst instanceof MemDir) dd.nlink--;
      else dst.nlink--;
    }
    sd.entries.delete(sname);
    dd.entries.set(dname, src);
    if (src instanceof MemDir) {
      sd.nlink--;
      dd.nlink++;
    }
    src.ctim = now;
    sd.mtim = sd.ctim = dd.mtim = dd.ctim = now;
  }
  link(from: readonly string[], to: readonly string[], now: bigint): void {
    this.wcheck();
    const src = this.get(from);
    if (src instanceof MemDir) throw new FsError(Errno.PERM);
    const [dd, dname] = this.parentOf(to);
    if (dd.entries.has(dname)) throw new FsError(Errno.EXIST);
    dd.entries.set(dname, src);
    src.nlink++;
    src.ctim = now;
    dd.mtim = dd.ctim = now;
  }
  setTimes(p: readonly string[], atim: bigint | null, mtim: bigint | null): void {
    this.wcheck();
    const n = this.get(p);
    if (atim !== null) n.atim = atim;
    if (mtim !== null) n.mtim = mtim;
  }
}
