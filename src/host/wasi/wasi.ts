/**
 * WASI preview 1 (`wasi_snapshot_preview1`) for wasmeter.
 *
 * Deterministic by default: a virtual clock, a seeded PRNG, only the
 * configured args and environment, an in-memory filesystem, and buffered
 * stdio. Real host directories, the host clock, host randomness and
 * inherited stdio are opt-in capabilities. Every refused capability gives
 * the guest an errno and is logged in `wasi.denied`.
 *
 * Errors never escape into the guest as JS exceptions: every function
 * returns an errno; a guest pointer out of bounds is EFAULT (no trap). The
 * only exception that leaves a WASI function is WasiExit (proc_exit), which
 * ends the run through the interpreter (Store.invoke lets it propagate).
 */
import { HostSuspended, Interrupted, LinkError, OutOfFuel, WasmeterError } from '../../core/errors.js';
import { CompKind, I32, I64, type FuncType } from '../../core/types.js';
import type { Instance } from '../../runtime/instance.js';
import type { Module } from '../../runtime/module.js';
import type { Store } from '../../runtime/store.js';
import type { Memory } from '../../runtime/objects/memory.js';
import { Linker } from '../linker.js';
import { FsError, denied, type FileHandle, type FsBackend, type Stat } from './backend.js';
import { loadWasi, saveWasi, type WasiInternals, type WasiState } from './state.js';
import {
  ALL_RIGHTS,
  Clockid,
  DIR_RIGHTS,
  Errno,
  Eventtype,
  FILE_RIGHTS,
  Fdflags,
  Filetype,
  Fstflags,
  LOOKUP_SYMLINK_FOLLOW,
  Oflags,
  PREOPENTYPE_DIR,
  Rights,
  SIZE,
  SUBSCRIPTION_CLOCK_ABSTIME,
  Whence,
  errnoName,
} from './constants.js';
import { HostFs, defaultNodeFs, errnoFromNode, type NodeFsLike } from './hostfs.js';
import { MemFs } from './memfs.js';

/** The guest called proc_exit(code). Thrown through the interpreter; Wasi.start turns it into `{ exitCode }`. */
export class WasiExit extends WasmeterError {
  override name = 'WasiExit';
  constructor(readonly code: number) {
    super(`exit with code ${code}`);
  }
}

/** One refused capability: the call, the guest path when there is one, why, and the errno the guest got. */
export interface DeniedEntry {
  call: string;
  path?: string;
  reason: string;
  errno: number;
}

export type StdinOption = Uint8Array | string | 'inherit';
/** 'buffer' collects the bytes (wasi.stdout / wasi.stderr), 'inherit' writes to the host's fd, a function receives each chunk. */
export type StdoutOption = 'buffer' | 'inherit' | ((chunk: Uint8Array) => void);

export interface ClockOptions {
  /**
   * 'virtual' (default): every clock_time_get advances the clock by `step`;
   * 'fuel': time is fuel consumed × `nsPerFuel`; 'host': the host's clocks
   * (a capability, same as `inheritClock`). Sleeps (poll_oneoff) advance the
   * virtual clocks instantly and really sleep with the host clock.
   */
  mode?: 'virtual' | 'fuel' | 'host';
  /** Realtime clock at the start, in ns since the epoch (bigint), or a Date. Default 2024-01-01T00:00:00Z. */
  start?: bigint | Date;
  /** Virtual mode: ns added per clock read (default 1 ms). */
  step?: bigint;
  /** Fuel mode: ns per unit of fuel (default 1). */
  nsPerFuel?: bigint;
}

export interface HostDirOption {
  /** Host directory. */
  host: string;
  /** The guest's name for it (default: `host`). */
  guest?: string;
  /** Refuse every modification (EROFS, logged). Default false. */
  readonly?: boolean;
}

export interface WasiOptions {
  /** argv, including argv[0]. Default []. */
  args?: string[];
  /** Environment, as a record or as "K=V" strings. Default empty. */
  env?: Record<string, string> | string[];
  /** Preopened directories: guest path -> filesystem (MemFs, or any FsBackend). */
  preopens?: Record<string, FsBackend>;
  /** Real host directories (capability), preopened after `preopens`. */
  hostDirs?: HostDirOption[];
  stdin?: StdinOption;
  stdout?: StdoutOption;
  stderr?: StdoutOption;
  /** Inherit the host's stdin, stdout and stderr (capability; individual options win). */
  inheritStdio?: boolean;
  /** PRNG seed for random_get (default 0). */
  seed?: number | bigint;
  /** 'host' uses crypto.getRandomValues (capability). Default 'seeded'. */
  random?: 'seeded' | 'host';
  clock?: ClockOptions;
  /** Use the host's clocks (capability). */
  inheritClock?: boolean;
  /** Node's `fs` module, for host directories and inherited stdio (default: process.getBuiltinModule('node:fs')). */
  fs?: NodeFsLike;
  /** Called after every WASI call with its name, arguments and errno (undefined for proc_exit). */
  trace?: (call: string, args: unknown[], errno: number | undefined) => void;
  /** Most descriptors open at once (EMFILE beyond). Default 1024. */
  maxFds?: number;
}

export interface WasiResult {
  exitCode: number;
}

// ====================================================================== descriptors

type StdStream = 0 | 1 | 2;

export class StdioFd {
  readonly kind = 'stdio';
  flags = 0;
  constructor(
    readonly stream: StdStream,
    readonly filetype: number,
    public rightsBase: bigint,
    public rightsInheriting: bigint,
  ) {}
}
export class FileFd {
  readonly kind = 'file';
  readonly filetype = Filetype.REGULAR_FILE;
  pos = 0;
  constructor(
    readonly backend: FsBackend,
    readonly handle: FileHandle,
    public flags: number,
    public rightsBase: bigint,
    public rightsInheriting: bigint,
  ) {}
}
export class DirFd {
  readonly kind = 'dir';
  readonly filetype = Filetype.DIRECTORY;
  flags = 0;
  constructor(
    readonly backend: FsBackend,
    /** Path of this directory inside the backend. */
    readonly comps: readonly string[],
    /** The preopen name (fd_prestat_dir_name), or null for a directory the guest opened. */
    readonly preopen: string | null,
    public rightsBase: bigint,
    public rightsInheriting: bigint,
  ) {}
}
type Fd = StdioFd | FileFd | DirFd;

// ====================================================================== guest memory

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

class GuestMem {
  readonly u8: Uint8Array;
  readonly view: DataView;
  constructor(m: Memory) {
    this.u8 = m.u8;
    this.view = m.view;
  }
  check(ptr: number, len: number): void {
    if (ptr + len > this.u8.length) throw new FsError(Errno.FAULT, 'pointer out of bounds');
  }
  u32(ptr: number): number {
    this.check(ptr, 4);
    return this.view.getUint32(ptr, true);
  }
  setU8(ptr: number, v: number): void {
    this.check(ptr, 1);
    this.view.setUint8(ptr, v);
  }
  setU16(ptr: number, v: number): void {
    this.check(ptr, 2);
    this.view.setUint16(ptr, v, true);
  }
  setU32(ptr: number, v: number): void {
    this.check(ptr, 4);
    this.view.setUint32(ptr, v, true);
  }
  setU64(ptr: number, v: bigint): void {
    this.check(ptr, 8);
    this.view.setBigUint64(ptr, BigInt.asUintN(64, v), true);
  }
  bytes(ptr: number, len: number): Uint8Array {
    this.check(ptr, len);
    return this.u8.subarray(ptr, ptr + len);
  }
  str(ptr: number, len: number): string {
    try {
      return utf8Strict.decode(this.bytes(ptr, len));
    } catch (e) {
      if (e instanceof FsError) throw e;
      throw new FsError(Errno.ILSEQ, 'path is not UTF-8');
    }
  }
  /** The buffers an iovec array describes (views into memory). */
  iovecs(ptr: number, n: number): Uint8Array[] {
    this.check(ptr, n * SIZE.iovec);
    const out: Uint8Array[] = [];
    for (let i = 0; i < n; i++) {
      const at = ptr + i * SIZE.iovec;
      out.push(this.bytes(this.view.getUint32(at, true), this.view.getUint32(at + 4, true)));
    }
    return out;
  }
  writeStat(ptr: number, s: Stat): void {
    this.check(ptr, SIZE.filestat);
    this.u8.fill(0, ptr, ptr + SIZE.filestat);
    this.setU64(ptr, s.dev);
    this.setU64(ptr + 8, s.ino);
    this.setU8(ptr + 16, s.filetype);
    this.setU64(ptr + 24, s.nlink);
    this.setU64(ptr + 32, s.size);
    this.setU64(ptr + 40, s.atim);
    this.setU64(ptr + 48, s.mtim);
    this.setU64(ptr + 56, s.ctim);
  }
}

// ====================================================================== PRNG (xoshiro128**, seeded by splitmix32)

class Xoshiro128 {
  private s = new Uint32Array(4);
  constructor(seed: number | bigint) {
    let x = Number(BigInt.asUintN(32, BigInt(seed)) ^ BigInt.asUintN(32, BigInt(seed) >> 32n)) >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if ((this.s[0]! | this.s[1]! | this.s[2]! | this.s[3]!) === 0) this.s[0] = 1;
  }
  next(): number {
    const s = this.s;
    const r = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return r;
  }
  fill(dst: Uint8Array): void {
    let i = 0;
    while (i < dst.length) {
      let v = this.next();
      for (let k = 0; k < 4 && i < dst.length; k++, v >>>= 8) dst[i++] = v & 0xff;
    }
  }
}
function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

// ====================================================================== signatures

const SIGS: Record<string, [string, string]> = {
  args_get: ['ii', 'i'],
  args_sizes_get: ['ii', 'i'],
  environ_get: ['ii', 'i'],
  environ_sizes_get: ['ii', 'i'],
  clock_res_get: ['ii', 'i'],
  clock_time_get: ['iIi', 'i'],
  fd_advise: ['iIIi', 'i'],
  fd_allocate: ['iII', 'i'],
  fd_close: ['i', 'i'],
  fd_datasync: ['i', 'i'],
  fd_fdstat_get: ['ii', 'i'],
  fd_fdstat_set_flags: ['ii', 'i'],
  fd_fdstat_set_rights: ['iII', 'i'],
  fd_filestat_get: ['ii', 'i'],
  fd_filestat_set_size: ['iI', 'i'],
  fd_filestat_set_times: ['iIIi', 'i'],
  fd_pread: ['iiiIi', 'i'],
  fd_prestat_get: ['ii', 'i'],
  fd_prestat_dir_name: ['iii', 'i'],
  fd_pwrite: ['iiiIi', 'i'],
  fd_read: ['iiii', 'i'],
  fd_readdir: ['iiiIi', 'i'],
  fd_renumber: ['ii', 'i'],
  fd_seek: ['iIii', 'i'],
  fd_sync: ['i', 'i'],
  fd_tell: ['ii', 'i'],
  fd_write: ['iiii', 'i'],
  path_create_directory: ['iii', 'i'],
  path_filestat_get: ['iiiii', 'i'],
  path_filestat_set_times: ['iiiiIIi', 'i'],
  path_link: ['iiiiiii', 'i'],
  path_open: ['iiiiiIIii', 'i'],
  path_readlink: ['iiiiii', 'i'],
  path_remove_directory: ['iii', 'i'],
  path_rename: ['iiiiii', 'i'],
  path_symlink: ['iiiii', 'i'],
  path_unlink_file: ['iii', 'i'],
  poll_oneoff: ['iiii', 'i'],
  proc_exit: ['i', ''],
  proc_raise: ['i', 'i'],
  sched_yield: ['', 'i'],
  random_get: ['ii', 'i'],
  sock_accept: ['iii', 'i'],
  sock_recv: ['iiiiii', 'i'],
  sock_send: ['iiiii', 'i'],
  sock_shutdown: ['ii', 'i'],
};

function sigType(s: [string, string]): FuncType {
  const t = (c: string): number => (c === 'I' ? I64 : I32);
  return { kind: CompKind.Func, params: [...s[0]].map(t), results: [...s[1]].map(t) };
}

/** The WASI preview 1 function types by name (every function of wasi_snapshot_preview1). */
export const WASI_FUNCTIONS: Readonly<Record<string, FuncType>> = Object.fromEntries(
  Object.entries(SIGS).map(([k, v]) => [k, sigType(v)]),
);
export const WASI_MODULE = 'wasi_snapshot_preview1';

const RIGHT_NAMES = Object.entries(Rights);
function rightName(r: bigint): string {
  return RIGHT_NAMES.find(([, v]) => v === r)?.[0] ?? String(r);
}

const u32 = (v: unknown): number => Number(v) >>> 0;
const u64 = (v: unknown): bigint => BigInt.asUintN(64, v as bigint);
const DEFAULT_START = 1_704_067_200_000_000_000n; // 2024-01-01T00:00:00Z

// ====================================================================== the host

export class Wasi {
  /** Refused capabilities, in order. */
  readonly denied: DeniedEntry[] = [];
  /** Unexpected host-side failures (bugs or host I/O errors) turned into EIO for the guest. */
  readonly failures: { call: string; error: unknown }[] = [];
  readonly args: readonly string[];
  readonly env: readonly string[];
  private readonly fds: (Fd | undefined)[] = [];
  private readonly out: Uint8Array[][] = [[], [], []];
  private readonly sinks: (StdoutOption | null)[];
  private stdinBuf: Uint8Array | null = null;
  private stdinPos = 0;
  private readonly stdinInherit: boolean;
  private readonly nodeFs: NodeFsLike | null;
  private readonly rng: Xoshiro128 | null;
  private readonly clockMode: 'virtual' | 'fuel' | 'host';
  private readonly start0: bigint;
  private readonly step: bigint;
  private readonly nsPerFuel: bigint;
  /** Virtual time elapsed (ns): reads in virtual mode, sleeps in both virtual modes. */
  private elapsed = 0n;
  private store: Store | null = null;
  private readonly trace: WasiOptions['trace'];
  private readonly maxFds: number;
  /** The guest path of the call in progress (for the denied log). */
  private curPath: string | undefined;
  private curCall = '';

  constructor(options: WasiOptions = {}) {
    this.args = [...(options.args ?? [])];
    const env = options.env ?? {};
    this.env = Array.isArray(env) ? [...env] : Object.entries(env).map(([k, v]) => `${k}=${v}`);
    this.trace = options.trace;
    this.maxFds = options.maxFds ?? 1024;
    const inherit = options.inheritStdio === true;
    const stdin = options.stdin ?? (inherit ? 'inherit' : new Uint8Array(0));
    const stdout = options.stdout ?? (inherit ? 'inherit' : 'buffer');
    const stderr = options.stderr ?? (inherit ? 'inherit' : 'buffer');
    const needFs = stdin === 'inherit' || stdout === 'inherit' || stderr === 'inherit' || (options.hostDirs?.length ?? 0) > 0;
    this.nodeFs = options.fs ?? (needFs ? defaultNodeFs() : null);
    if (needFs && !this.nodeFs)
      throw new WasmeterError('WASI host directories and inherited stdio need Node: pass the node:fs module as options.fs');
    this.stdinInherit = stdin === 'inherit';
    if (!this.stdinInherit) this.stdinBuf = typeof stdin === 'string' ? utf8.encode(stdin) : (stdin as Uint8Array);
    this.sinks = [null, stdout, stderr];
    this.fds[0] = this.stdioFd(0, this.stdinInherit);
    this.fds[1] = this.stdioFd(1, stdout === 'inherit');
    this.fds[2] = this.stdioFd(2, stderr === 'inherit');

    for (const [name, backend] of Object.entries(options.preopens ?? {}))
      this.fds.push(new DirFd(backend, [], name, DIR_RIGHTS, ALL_RIGHTS));
    for (const d of options.hostDirs ?? []) {
      const backend = new HostFs(d.host, this.nodeFs!, { readonly: d.readonly === true });
      this.fds.push(new DirFd(backend, [], d.guest ?? d.host, DIR_RIGHTS, ALL_RIGHTS));
    }

    this.rng = options.random === 'host' ? null : new Xoshiro128(options.seed ?? 0);
    const c = options.clock ?? {};
    this.clockMode = options.inheritClock ? 'host' : (c.mode ?? 'virtual');
    this.start0 = c.start instanceof Date ? BigInt(c.start.getTime()) * 1_000_000n : (c.start ?? DEFAULT_START);
    this.step = c.step ?? 1_000_000n;
    this.nsPerFuel = c.nsPerFuel ?? 1n;
  }

  private stdioFd(stream: StdStream, inherited: boolean): StdioFd {
    // a character device without seek/tell rights is what wasi-libc's isatty() recognises
    let tty = false;
    if (inherited) {
      try {
        tty = this.nodeFs!.fstatSync(stream, { bigint: true }).isCharacterDevice();
      } catch {
        tty = false;
      }
    }
    const io = stream === 0 ? Rights.FD_READ : Rights.FD_WRITE;
    const base = Rights.FD_FDSTAT_SET_FLAGS | Rights.FD_FILESTAT_GET | Rights.POLL_FD_READWRITE | io;
    return new StdioFd(stream, tty ? Filetype.CHARACTER_DEVICE : Filetype.UNKNOWN, base, 0n);
  }

  // ------------------------------------------------------------------ embedder API

  /** Bytes the guest wrote to stdout (with stdout: 'buffer'). */
  get stdout(): Uint8Array {
    return concat(this.out[1]!);
  }
  get stderr(): Uint8Array {
    return concat(this.out[2]!);
  }
  get stdoutText(): string {
    return new TextDecoder().decode(this.stdout);
  }
  get stderrText(): string {
    return new TextDecoder().decode(this.stderr);
  }

  /** Defines every wasi_snapshot_preview1 function in the linker, as host functions of `store`. */
  addToLinker(linker: Linker, store: Store): Linker {
    this.store = store;
    const impl = this.functions();
    for (const [name, type] of Object.entries(WASI_FUNCTIONS)) {
      const fn = impl[name]!;
      linker.defineFunc(store, WASI_MODULE, name, type, (caller: { memory(i?: number): Memory | null }, ...args: unknown[]) =>
        this.dispatch(name, fn, caller, args),
      );
    }
    return linker;
  }

  /**
   * Runs the command's `_start`: `{ exitCode }` (0 when it returns). Traps propagate; so do the
   * resumable stops (OutOfFuel, Interrupted, HostSuspended), which keep the guest's files open
   * for `resume`.
   */
  start(instance: Instance): WasiResult {
    if (!instance.getExport('_start')) throw new LinkError('the module exports no _start function (not a WASI command)');
    return this.finish(() => instance.call('_start'));
  }
  /** Runs a reactor's `_initialize` when it has one. */
  initialize(instance: Instance): void {
    if (instance.getExport('_initialize')) instance.call('_initialize');
  }
  /**
   * Continues a `start` that stopped resumably: after store.addFuel for OutOfFuel, with the host
   * function's results for HostSuspended (`results`), after moving the deadline for Interrupted.
   */
  resume(e: OutOfFuel | Interrupted | HostSuspended, ...results: unknown[]): WasiResult {
    return this.finish(() => (e instanceof HostSuspended ? e.resume(...results) : e.resume()));
  }
  private finish(run: () => unknown): WasiResult {
    try {
      run();
      this.close();
      return { exitCode: 0 };
    } catch (e) {
      if (e instanceof WasiExit) {
        this.close();
        return { exitCode: e.code };
      }
      if (!(e instanceof OutOfFuel || e instanceof Interrupted || e instanceof HostSuspended)) this.close();
      throw e;
    }
  }
  /** The guest-visible state, as plain data (snapshots: src/host/wasi/state.ts, docs/snapshots.md). */
  snapshotState(): WasiState {
    return saveWasi(this as unknown as WasiInternals);
  }
  /**
   * Takes over a state `snapshotState()` gave: arguments, environment, clock,
   * random generator, MemFs contents, descriptors and buffered output. Host
   * directories come back only where this Wasi was granted them again (same
   * guest name); their descriptors are otherwise closed.
   */
  restoreState(state: unknown): void {
    loadWasi(this as unknown as WasiInternals, state, { StdioFd, FileFd, DirFd });
  }

  /** Closes every file the guest left open (host files hold real descriptors). */
  close(): void {
    for (let i = 0; i < this.fds.length; i++) {
      const f = this.fds[i];
      if (f instanceof FileFd) {
        try {
          f.handle.close();
        } catch {
          // already gone
        }
        this.fds[i] = undefined;
      }
    }
  }

  // ------------------------------------------------------------------ plumbing

  private dispatch(name: string, fn: (m: () => GuestMem, ...a: any[]) => number | void, caller: { memory(i?: number): Memory | null }, args: unknown[]): number | void {
    this.curPath = undefined;
    this.curCall = name;
    let mem: GuestMem | null = null;
    const getMem = (): GuestMem => {
      if (mem) return mem;
      const m = caller.memory(0);
      if (!m) throw new FsError(Errno.FAULT, 'the module has no memory');
      return (mem = new GuestMem(m));
    };
    let r: number | void;
    try {
      r = fn(getMem, ...args);
    } catch (e) {
      if (e instanceof FsError) {
        if (e.denied) this.deny(e.errno, e.message);
        r = e.errno;
      } else if (e instanceof WasiExit) {
        this.trace?.(name, args, undefined);
        throw e;
      } else if (e instanceof WasmeterError) throw e;
      else {
        this.failures.push({ call: name, error: e });
        r = (e as { code?: unknown })?.code ? errnoFromNode(e) : Errno.IO;
      }
    }
    this.trace?.(name, args, r === undefined ? undefined : r);
    return r;
  }

  private deny(errno: number, reason: string): void {
    const entry: DeniedEntry = { call: this.curCall, reason, errno };
    if (this.curPath !== undefined) entry.path = this.curPath;
    this.denied.push(entry);
  }

  private get(fd: unknown): Fd {
    const f = this.fds[u32(fd)];
    if (!f) throw new FsError(Errno.BADF);
    return f;
  }
  private need(f: Fd, right: bigint, fd: unknown): void {
    if ((f.rightsBase & right) !== right) throw denied(Errno.NOTCAPABLE, `fd ${u32(fd)} lacks the right ${rightName(right)}`);
  }
  private dir(fd: unknown, right: bigint): DirFd {
    const f = this.get(fd);
    if (!(f instanceof DirFd)) throw new FsError(Errno.NOTDIR);
    this.need(f, right, fd);
    return f;
  }
  private alloc(f: Fd): number {
    for (let i = 0; i < this.maxFds; i++) {
      if (this.fds[i] === undefined) {
        this.fds[i] = f;
        return i;
      }
    }
    throw new FsError(Errno.MFILE);
  }

  /** Current time of a clock in ns; `advance` steps the virtual clock (one clock read). */
  private now(id: number, advance: boolean): bigint {
    if (id < 0 || id > 3) throw new FsError(Errno.INVAL);
    let t: bigint;
    if (this.clockMode === 'host') {
      const perf = globalThis.performance;
      if (id === Clockid.REALTIME) return BigInt(Math.round((perf.timeOrigin + perf.now()) * 1e6));
      return BigInt(Math.round(perf.now() * 1e6));
    }
    if (this.clockMode === 'fuel') t = BigInt(this.store?.fuelConsumed ?? 0) * this.nsPerFuel + this.elapsed;
    else {
      t = this.elapsed;
      if (advance) this.elapsed += this.step;
    }
    return id === Clockid.REALTIME ? this.start0 + t : t;
  }
  private realNow(): bigint {
    return this.now(Clockid.REALTIME, false);
  }
  private sleep(ns: bigint): void {
    if (ns <= 0n) return;
    if (this.clockMode !== 'host') {
      this.elapsed += ns;
      return;
    }
    const ms = Number(ns) / 1e6;
    try {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    } catch {
      const end = performance.now() + ms;
      while (performance.now() < end) {
        // browsers' main thread cannot block
      }
    }
  }

  /** Resolves a guest path against a directory fd: "..", symlinks, and the escape check. */
  private resolve(dir: DirFd, path: string, follow: boolean, mustDir = false): string[] {
    this.curPath = path;
    if (path === '') throw new FsError(Errno.NOENT);
    if (path.includes('\0')) throw new FsError(Errno.INVAL);
    if (path.startsWith('/')) throw denied(Errno.NOTCAPABLE, 'absolute path (paths are relative to a preopened directory)');
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
        if (stack.length === 0) throw denied(Errno.NOTCAPABLE, "'..' leaves the preopened directory");
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
        if (last && e instanceof FsError && e.errno === Errno.NOENT) {
          stack.push(c);
          break;
        }
        throw e;
      }
      if (st.filetype === Filetype.SYMBOLIC_LINK) {
        if (++links > 32) throw new FsError(Errno.LOOP);
        const target = b.readlink(here);
        if (target === '') throw new FsError(Errno.NOENT);
        if (target.startsWith('/')) throw denied(Errno.NOTCAPABLE, `symlink ${here.join('/')} -> ${target} is absolute`);
        if (last && target.endsWith('/')) mustDir = true;
        for (const t of target.split('/').reverse()) todo.push(t);
        continue;
      }
      if ((!last || mustDir) && st.filetype !== Filetype.DIRECTORY) throw new FsError(Errno.NOTDIR);
      stack.push(c);
    }
    return stack;
  }

  private lstatOrNull(b: FsBackend, p: readonly string[]): Stat | null {
    try {
      return b.lstat(p);
    } catch (e) {
      if (e instanceof FsError && e.errno === Errno.NOENT) return null;
      throw e;
    }
  }

  private readStdin(dst: Uint8Array): number {
    if (!this.stdinInherit) {
      const src = this.stdinBuf!;
      const n = Math.min(dst.length, src.length - this.stdinPos);
      dst.set(src.subarray(this.stdinPos, this.stdinPos + n));
      this.stdinPos += n;
      return n;
    }
    for (;;) {
      try {
        return this.nodeFs!.readSync(0, dst, 0, dst.length, null);
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === 'EAGAIN') {
          this.sleepHost(1);
          continue;
        }
        if (code === 'EOF') return 0;
        throw new FsError(errnoFromNode(e));
      }
    }
  }
  private sleepHost(ms: number): void {
    try {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    } catch {
      // cannot block here
    }
  }
  private writeStdio(stream: StdStream, data: Uint8Array): void {
    const sink = this.sinks[stream]!;
    if (sink === 'buffer') this.out[stream]!.push(data.slice());
    else if (sink === 'inherit') {
      let off = 0;
      while (off < data.length) {
        try {
          off += this.nodeFs!.writeSync(stream, data, off, data.length - off);
        } catch (e) {
          if ((e as { code?: string }).code === 'EAGAIN') {
            this.sleepHost(1);
            continue;
          }
          throw new FsError(errnoFromNode(e));
        }
      }
    } else if (typeof sink === 'function') sink(data.slice());
  }

  // ------------------------------------------------------------------ the functions

  private functions(): Record<string, (m: () => GuestMem, ...a: any[]) => number | void> {
    const E = Errno;
    const strings = (list: readonly string[]) => ({
      sizes: (m: () => GuestMem, countPtr: number, sizePtr: number): number => {
        const mem = m();
        mem.setU32(u32(countPtr), list.length);
        mem.setU32(u32(sizePtr), list.reduce((n, s) => n + utf8.encode(s).length + 1, 0));
        return E.SUCCESS;
      },
      get: (m: () => GuestMem, ptrs: number, buf: number): number => {
        const mem = m();
        let p = u32(ptrs);
        let b = u32(buf);
        const enc = list.map((s) => utf8.encode(s));
        mem.check(p, enc.length * 4);
        mem.check(b, enc.reduce((n, s) => n + s.length + 1, 0));
        for (const s of enc) {
          mem.setU32(p, b);
          p += 4;
          mem.u8.set(s, b);
          mem.u8[b + s.length] = 0;
          b += s.length + 1;
        }
        return E.SUCCESS;
      },
    });
    const args = strings(this.args);
    const env = strings(this.env);

    const fileOf = (fd: unknown, right: bigint): FileFd => {
      const f = this.get(fd);
      if (f instanceof DirFd) throw new FsError(E.ISDIR);
      if (f instanceof StdioFd) throw new FsError(E.SPIPE);
      this.need(f, right, fd);
      return f;
    };
    const fstat = (f: Fd): Stat => {
      if (f instanceof FileFd) return f.handle.stat();
      if (f instanceof DirFd) return f.backend.lstat(f.comps);
      return { filetype: f.filetype as Stat['filetype'], dev: 0n, ino: 0n, nlink: 1n, size: 0n, atim: 0n, mtim: 0n, ctim: 0n };
    };
    const times = (atim: bigint, mtim: bigint, flags: number): [bigint | null, bigint | null] => {
      if ((flags & Fstflags.ATIM && flags & Fstflags.ATIM_NOW) || (flags & Fstflags.MTIM && flags & Fstflags.MTIM_NOW) || flags & ~15)
        throw new FsError(E.INVAL);
      const now = this.realNow();
      const a = flags & Fstflags.ATIM_NOW ? now : flags & Fstflags.ATIM ? u64(atim) : null;
      const mt = flags & Fstflags.MTIM_NOW ? now : flags & Fstflags.MTIM ? u64(mtim) : null;
      return [a, mt];
    };
    const readv = (f: Fd, bufs: Uint8Array[], at: number | null): number => {
      let total = 0;
      if (f instanceof StdioFd) {
        if (f.stream !== 0) throw new FsError(E.BADF);
        for (const b of bufs) {
          if (b.length === 0) continue;
          const n = this.readStdin(b);
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
    const gather = (bufs: Uint8Array[]): Uint8Array => {
      if (bufs.length === 1) return bufs[0]!;
      return concat(bufs);
    };
    const writev = (f: Fd, bufs: Uint8Array[], at: number | null): number => {
      const data = gather(bufs);
      if (f instanceof StdioFd) {
        if (f.stream === 0) throw new FsError(E.BADF);
        this.writeStdio(f.stream, data);
        return data.length;
      }
      const file = f as FileFd;
      if (data.length === 0) return 0;
      let pos = at ?? file.pos;
      if (at === null && file.flags & Fdflags.APPEND) pos = Number(file.handle.stat().size);
      const n = file.handle.write(data, pos, this.realNow());
      if (at === null) file.pos = pos + n;
      return n;
    };
    const pathArg = (m: () => GuestMem, ptr: number, len: number): string => {
      const p = m().str(u32(ptr), u32(len));
      this.curPath = p;
      return p;
    };
    const sameBackend = (a: DirFd, b: DirFd): void => {
      if (a.backend !== b.backend) throw new FsError(E.XDEV);
    };
    const sockCheck = (fd: unknown): number => {
      this.get(fd);
      this.deny(E.NOTSOCK, 'sockets are not available');
      return E.NOTSOCK;
    };

    return {
      args_get: args.get,
      args_sizes_get: args.sizes,
      environ_get: env.get,
      environ_sizes_get: env.sizes,

      clock_res_get: (m, id: number, ptr: number) => {
        const mem = m();
        mem.check(u32(ptr), 8);
        if (id < 0 || id > 3) return E.INVAL;
        mem.setU64(u32(ptr), this.clockMode === 'host' ? 1000n : this.clockMode === 'fuel' ? this.nsPerFuel : this.step);
        return E.SUCCESS;
      },
      clock_time_get: (m, id: number, _precision: bigint, ptr: number) => {
        const mem = m();
        mem.check(u32(ptr), 8);
        mem.setU64(u32(ptr), this.now(id, true));
        return E.SUCCESS;
      },

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
        if (end > f.handle.stat().size) f.handle.truncate(Number(end), this.realNow());
        return E.SUCCESS;
      },
      fd_close: (_m, fd: number) => {
        const f = this.get(fd);
        this.fds[u32(fd)] = undefined;
        if (f instanceof FileFd) f.handle.close();
        return E.SUCCESS;
      },
      fd_datasync: (_m, fd: number) => {
        const f = this.get(fd);
        this.need(f, Rights.FD_DATASYNC, fd);
        if (f instanceof FileFd) f.handle.sync();
        else if (f instanceof StdioFd) return E.INVAL;
        return E.SUCCESS;
      },
      fd_sync: (_m, fd: number) => {
        const f = this.get(fd);
        this.need(f, Rights.FD_SYNC, fd);
        if (f instanceof FileFd) f.handle.sync();
        else if (f instanceof StdioFd) return E.INVAL;
        return E.SUCCESS;
      },
      fd_fdstat_get: (m, fd: number, ptr: number) => {
        const mem = m();
        const p = u32(ptr);
        mem.check(p, SIZE.fdstat);
        const f = this.get(fd);
        mem.u8.fill(0, p, p + SIZE.fdstat);
        mem.setU8(p, f.filetype);
        mem.setU16(p + 2, f.flags);
        mem.setU64(p + 8, f.rightsBase);
        mem.setU64(p + 16, f.rightsInheriting);
        return E.SUCCESS;
      },
      fd_fdstat_set_flags: (_m, fd: number, flags: number) => {
        const f = this.get(fd);
        this.need(f, Rights.FD_FDSTAT_SET_FLAGS, fd);
        if (flags & ~31) return E.INVAL;
        f.flags = flags;
        return E.SUCCESS;
      },
      fd_fdstat_set_rights: (_m, fd: number, base: bigint, inh: bigint) => {
        const f = this.get(fd);
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
        const f = this.get(fd);
        if (!(f instanceof StdioFd)) this.need(f, Rights.FD_FILESTAT_GET, fd);
        mem.writeStat(u32(ptr), fstat(f));
        return E.SUCCESS;
      },
      fd_filestat_set_size: (_m, fd: number, size: bigint) => {
        const f = this.get(fd);
        if (!(f instanceof FileFd)) return E.INVAL;
        this.need(f, Rights.FD_FILESTAT_SET_SIZE, fd);
        const n = u64(size);
        if (n > BigInt(Number.MAX_SAFE_INTEGER)) return E.FBIG;
        f.handle.truncate(Number(n), this.realNow());
        return E.SUCCESS;
      },
      fd_filestat_set_times: (_m, fd: number, atim: bigint, mtim: bigint, flags: number) => {
        const f = this.get(fd);
        this.need(f, Rights.FD_FILESTAT_SET_TIMES, fd);
        const [a, mt] = times(atim, mtim, flags);
        if (f instanceof FileFd) f.handle.setTimes(a, mt);
        else if (f instanceof DirFd) f.backend.setTimes(f.comps, a, mt);
        else return E.INVAL;
        return E.SUCCESS;
      },
      fd_pread: (m, fd: number, iovs: number, n: number, off: bigint, outPtr: number) => {
        const mem = m();
        mem.check(u32(outPtr), 4);
        const f = fileOf(fd, Rights.FD_READ | Rights.FD_SEEK);
        const o = u64(off);
        if (o > BigInt(Number.MAX_SAFE_INTEGER)) return E.INVAL;
        mem.setU32(u32(outPtr), readv(f, mem.iovecs(u32(iovs), u32(n)), Number(o)));
        return E.SUCCESS;
      },
      fd_pwrite: (m, fd: number, iovs: number, n: number, off: bigint, outPtr: number) => {
        const mem = m();
        mem.check(u32(outPtr), 4);
        const f = fileOf(fd, Rights.FD_WRITE | Rights.FD_SEEK);
        const o = u64(off);
        if (o > BigInt(Number.MAX_SAFE_INTEGER)) return E.INVAL;
        mem.setU32(u32(outPtr), writev(f, mem.iovecs(u32(iovs), u32(n)), Number(o)));
        return E.SUCCESS;
      },
      fd_read: (m, fd: number, iovs: number, n: number, outPtr: number) => {
        const mem = m();
        mem.check(u32(outPtr), 4);
        const f = this.get(fd);
        if (f instanceof DirFd) return E.ISDIR;
        this.need(f, Rights.FD_READ, fd);
        mem.setU32(u32(outPtr), readv(f, mem.iovecs(u32(iovs), u32(n)), null));
        return E.SUCCESS;
      },
      fd_write: (m, fd: number, iovs: number, n: number, outPtr: number) => {
        const mem = m();
        mem.check(u32(outPtr), 4);
        const f = this.get(fd);
        if (f instanceof DirFd) return E.ISDIR;
        this.need(f, Rights.FD_WRITE, fd);
        mem.setU32(u32(outPtr), writev(f, mem.iovecs(u32(iovs), u32(n)), null));
        return E.SUCCESS;
      },
      fd_prestat_get: (m, fd: number, ptr: number) => {
        const mem = m();
        mem.check(u32(ptr), SIZE.prestat);
        const f = this.get(fd);
        if (!(f instanceof DirFd) || f.preopen === null) return E.BADF;
        mem.setU32(u32(ptr), 0);
        mem.setU8(u32(ptr), PREOPENTYPE_DIR);
        mem.setU32(u32(ptr) + 4, utf8.encode(f.preopen).length);
        return E.SUCCESS;
      },
      fd_prestat_dir_name: (m, fd: number, ptr: number, len: number) => {
        const mem = m();
        const f = this.get(fd);
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
        const d = this.get(fd);
        if (!(d instanceof DirFd)) return E.NOTDIR;
        this.need(d, Rights.FD_READDIR, fd);
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
        const f = this.get(from);
        const t = this.get(to);
        if (u32(from) === u32(to)) return E.SUCCESS;
        if (t instanceof FileFd) t.handle.close();
        this.fds[u32(to)] = f;
        this.fds[u32(from)] = undefined;
        return E.SUCCESS;
      },
      fd_seek: (m, fd: number, off: bigint, whence: number, outPtr: number) => {
        const mem = m();
        mem.check(u32(outPtr), 8);
        const f = this.get(fd);
        if (f instanceof StdioFd) return E.SPIPE;
        if (f instanceof DirFd) return E.ISDIR;
        this.need(f, whence === Whence.CUR && off === 0n ? Rights.FD_TELL : Rights.FD_SEEK, fd);
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
        const f = this.get(fd);
        if (f instanceof StdioFd) return E.SPIPE;
        if (f instanceof DirFd) return E.ISDIR;
        this.need(f, Rights.FD_TELL, fd);
        mem.setU64(u32(outPtr), BigInt(f.pos));
        return E.SUCCESS;
      },

      path_create_directory: (m, fd: number, p: number, l: number) => {
        const d = this.dir(fd, Rights.PATH_CREATE_DIRECTORY);
        const comps = this.resolve(d, pathArg(m, p, l), false);
        if (this.lstatOrNull(d.backend, comps)) return E.EXIST;
        d.backend.mkdir(comps, this.realNow());
        return E.SUCCESS;
      },
      path_filestat_get: (m, fd: number, flags: number, p: number, l: number, ptr: number) => {
        const mem = m();
        mem.check(u32(ptr), SIZE.filestat);
        const d = this.dir(fd, Rights.PATH_FILESTAT_GET);
        const comps = this.resolve(d, pathArg(m, p, l), (flags & LOOKUP_SYMLINK_FOLLOW) !== 0);
        mem.writeStat(u32(ptr), d.backend.lstat(comps));
        return E.SUCCESS;
      },
      path_filestat_set_times: (m, fd: number, flags: number, p: number, l: number, atim: bigint, mtim: bigint, fst: number) => {
        const d = this.dir(fd, Rights.PATH_FILESTAT_SET_TIMES);
        const comps = this.resolve(d, pathArg(m, p, l), (flags & LOOKUP_SYMLINK_FOLLOW) !== 0);
        const [a, mt] = times(atim, mtim, fst);
        d.backend.lstat(comps);
        d.backend.setTimes(comps, a, mt);
        return E.SUCCESS;
      },
      path_link: (m, ofd: number, oflags: number, op: number, ol: number, nfd: number, np: number, nl: number) => {
        const od = this.dir(ofd, Rights.PATH_LINK_SOURCE);
        const nd = this.dir(nfd, Rights.PATH_LINK_TARGET);
        sameBackend(od, nd);
        const from = this.resolve(od, pathArg(m, op, ol), (oflags & LOOKUP_SYMLINK_FOLLOW) !== 0);
        const to = this.resolve(nd, pathArg(m, np, nl), false);
        if (this.lstatOrNull(nd.backend, to)) return E.EXIST;
        od.backend.link(from, to, this.realNow());
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
        const d = this.dir(fd, Rights.PATH_OPEN);
        if (oflags & Oflags.CREAT) this.need(d, Rights.PATH_CREATE_FILE, fd);
        if (oflags & Oflags.TRUNC) this.need(d, Rights.PATH_FILESTAT_SET_SIZE, fd);
        const path = pathArg(m, p, l);
        const rb = u64(rightsBase);
        const ri = u64(rightsInh);
        if (((rb | ri) & ~d.rightsInheriting) !== 0n)
          throw denied(E.NOTCAPABLE, `fd ${u32(fd)} cannot grant the requested rights`);
        const comps = this.resolve(d, path, (dirflags & LOOKUP_SYMLINK_FOLLOW) !== 0, (oflags & Oflags.DIRECTORY) !== 0);
        const st = this.lstatOrNull(d.backend, comps);
        if (st) {
          if (oflags & Oflags.CREAT && oflags & Oflags.EXCL) return E.EXIST;
          if (st.filetype === Filetype.SYMBOLIC_LINK) return E.LOOP;
          if (st.filetype === Filetype.DIRECTORY) {
            if (oflags & Oflags.TRUNC || rb & Rights.FD_WRITE) return E.ISDIR;
            mem.setU32(u32(outPtr), this.alloc(new DirFd(d.backend, comps, null, rb & DIR_RIGHTS, ri)));
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
          now: this.realNow(),
        });
        let n: number;
        try {
          n = this.alloc(new FileFd(d.backend, handle, fdflags & 31, rb & FILE_RIGHTS, ri & FILE_RIGHTS));
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
        const d = this.dir(fd, Rights.PATH_READLINK);
        const comps = this.resolve(d, pathArg(m, p, l), false);
        const t = utf8.encode(d.backend.readlink(comps));
        const n = Math.min(t.length, u32(len));
        mem.u8.set(t.subarray(0, n), u32(buf));
        mem.setU32(u32(usedPtr), n);
        return E.SUCCESS;
      },
      path_remove_directory: (m, fd: number, p: number, l: number) => {
        const d = this.dir(fd, Rights.PATH_REMOVE_DIRECTORY);
        const comps = this.resolve(d, pathArg(m, p, l), false);
        const st = d.backend.lstat(comps);
        if (st.filetype !== Filetype.DIRECTORY) return E.NOTDIR;
        if (comps.length === 0) throw denied(E.BUSY, 'cannot remove the preopened directory');
        d.backend.rmdir(comps, this.realNow());
        return E.SUCCESS;
      },
      path_rename: (m, ofd: number, op: number, ol: number, nfd: number, np: number, nl: number) => {
        const od = this.dir(ofd, Rights.PATH_RENAME_SOURCE);
        const nd = this.dir(nfd, Rights.PATH_RENAME_TARGET);
        sameBackend(od, nd);
        const from = this.resolve(od, pathArg(m, op, ol), false);
        const to = this.resolve(nd, pathArg(m, np, nl), false);
        if (from.length === 0 || to.length === 0) throw denied(E.BUSY, 'cannot rename the preopened directory');
        od.backend.rename(from, to, this.realNow());
        return E.SUCCESS;
      },
      path_symlink: (m, op: number, ol: number, fd: number, np: number, nl: number) => {
        const target = m().str(u32(op), u32(ol));
        const d = this.dir(fd, Rights.PATH_SYMLINK);
        const comps = this.resolve(d, pathArg(m, np, nl), false);
        if (target.startsWith('/')) throw denied(E.NOTCAPABLE, `symlink target ${target} is absolute`);
        if (this.lstatOrNull(d.backend, comps)) return E.EXIST;
        d.backend.symlink(target, comps, this.realNow());
        return E.SUCCESS;
      },
      path_unlink_file: (m, fd: number, p: number, l: number) => {
        const d = this.dir(fd, Rights.PATH_UNLINK_FILE);
        const comps = this.resolve(d, pathArg(m, p, l), false);
        if (comps.length === 0) return E.ISDIR;
        d.backend.unlink(comps, this.realNow());
        return E.SUCCESS;
      },

      poll_oneoff: (m, inPtr: number, outPtr: number, nsubs: number, neventsPtr: number) => {
        const mem = m();
        const n = u32(nsubs);
        const ip = u32(inPtr);
        const op = u32(outPtr);
        mem.check(u32(neventsPtr), 4);
        if (n === 0) return E.INVAL;
        mem.check(ip, n * SIZE.subscription);
        mem.check(op, n * SIZE.event);
        const v = mem.view;
        interface Ev {
          userdata: bigint;
          error: number;
          type: number;
          nbytes: bigint;
          flags: number;
        }
        const ready: Ev[] = [];
        const clocks: { userdata: bigint; wait: bigint }[] = [];
        for (let i = 0; i < n; i++) {
          const s = ip + i * SIZE.subscription;
          const userdata = v.getBigUint64(s, true);
          const tag = v.getUint8(s + 8);
          if (tag === Eventtype.CLOCK) {
            const id = v.getUint32(s + 16, true);
            const timeout = v.getBigUint64(s + 24, true);
            const flags = v.getUint16(s + 40, true);
            if (id > 3) {
              ready.push({ userdata, error: E.INVAL, type: tag, nbytes: 0n, flags: 0 });
              continue;
            }
            const wait = flags & SUBSCRIPTION_CLOCK_ABSTIME ? timeout - this.now(id, false) : timeout;
            clocks.push({ userdata, wait });
          } else if (tag === Eventtype.FD_READ || tag === Eventtype.FD_WRITE) {
            const fd = v.getUint32(s + 16, true);
            const f = this.fds[fd];
            let error: number = E.SUCCESS;
            let nbytes = 0n;
            let flags = 0;
            if (!f) error = E.BADF;
            else if ((f.rightsBase & Rights.POLL_FD_READWRITE) === 0n) error = E.NOTCAPABLE;
            else if (tag === Eventtype.FD_READ) {
              if (f instanceof FileFd) {
                const size = f.handle.stat().size;
                nbytes = size > BigInt(f.pos) ? size - BigInt(f.pos) : 0n;
              } else if (f instanceof StdioFd && f.stream === 0 && !this.stdinInherit) {
                nbytes = BigInt(this.stdinBuf!.length - this.stdinPos);
                if (nbytes === 0n) flags = 1; // hangup: the buffer is exhausted
              } else if (f instanceof StdioFd && f.stream === 0) nbytes = 1n;
              else if (f instanceof DirFd) error = E.BADF;
            } else if (f instanceof DirFd) error = E.BADF;
            ready.push({ userdata, error, type: tag, nbytes, flags });
          } else return E.INVAL;
        }
        if (ready.length === 0 && clocks.length > 0) {
          let min = clocks[0]!.wait;
          for (const c of clocks) if (c.wait < min) min = c.wait;
          this.sleep(min);
          for (const c of clocks) if (c.wait <= min) ready.push({ userdata: c.userdata, error: 0, type: Eventtype.CLOCK, nbytes: 0n, flags: 0 });
        } else {
          for (const c of clocks) if (c.wait <= 0n) ready.push({ userdata: c.userdata, error: 0, type: Eventtype.CLOCK, nbytes: 0n, flags: 0 });
        }
        mem.u8.fill(0, op, op + ready.length * SIZE.event);
        ready.forEach((e, i) => {
          const at = op + i * SIZE.event;
          v.setBigUint64(at, e.userdata, true);
          v.setUint16(at + 8, e.error, true);
          v.setUint8(at + 10, e.type);
          v.setBigUint64(at + 16, e.nbytes, true);
          v.setUint16(at + 24, e.flags, true);
        });
        mem.setU32(u32(neventsPtr), ready.length);
        return E.SUCCESS;
      },

      proc_exit: (_m, code: number) => {
        throw new WasiExit(u32(code));
      },
      proc_raise: (_m, _sig: number) => {
        throw denied(E.NOSYS, 'signals are not supported');
      },
      sched_yield: () => E.SUCCESS,
      random_get: (m, buf: number, len: number) => {
        const dst = m().bytes(u32(buf), u32(len));
        if (this.rng) this.rng.fill(dst);
        else for (let i = 0; i < dst.length; i += 65536) globalThis.crypto.getRandomValues(dst.subarray(i, i + 65536));
        return E.SUCCESS;
      },

      sock_accept: (_m, fd: number) => sockCheck(fd),
      sock_recv: (_m, fd: number) => sockCheck(fd),
      sock_send: (_m, fd: number) => sockCheck(fd),
      sock_shutdown: (_m, fd: number) => sockCheck(fd),
    };
  }
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Links a WASI command (plus any extra imports already in `linker`),
 * instantiates it and runs `_start`. Returns the exit code and the instance.
 */
export function runWasi(store: Store, module: Module, wasi: Wasi, linker: Linker = new Linker()): WasiResult & { instance: Instance } {
  wasi.addToLinker(linker, store);
  const instance = linker.instantiate(store, module);
  return { ...wasi.start(instance), instance };
}

export { MemFs, HostFs, errnoName };
