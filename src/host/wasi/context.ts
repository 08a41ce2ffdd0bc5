/**
 * What the WASI calls share: the descriptor table, the clock, stdio, the denied
 * and failure logs, and the call in progress. Each area (fd.ts, path.ts,
 * poll.ts, proc.ts) builds its functions over one WasiContext.
 */
import type { Caller } from '../../runtime/store.js';
import type { Suspend } from '../../runtime/objects/func.js';
import { FsError, denied, type FileHandle, type FsBackend } from './backend.js';
import type { WasiClock } from './clock.js';
import { Errno, Filetype, Fstflags, Rights } from './constants.js';
import { errnoFromNode } from './hostfs.js';
import { u32, u64, type GuestMem } from './memory.js';
import type { DeniedEntry, WasiOptions } from './options.js';
import type { StdStream, Stdio } from './stdio.js';

// ====================================================================== descriptors

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
export type Fd = StdioFd | FileFd | DirFd;

// ====================================================================== the shared state

/** A WASI function: guest memory on demand, then the wasm arguments; an errno (none for proc_exit), or a suspension. */
export type WasiFn = (m: () => GuestMem, ...a: any[]) => number | void | Suspend;
export type WasiFns = Record<string, WasiFn>;

const RIGHT_NAMES = Object.entries(Rights);
function rightName(r: bigint): string {
  return RIGHT_NAMES.find(([, v]) => v === r)?.[0] ?? String(r);
}

export class WasiContext {
  /** Refused capabilities, in order. */
  readonly denied: DeniedEntry[] = [];
  /** Unexpected host-side failures (bugs or host I/O errors) turned into EIO for the guest. */
  readonly failures: { call: string; error: unknown }[] = [];
  readonly fds: (Fd | undefined)[] = [];
  /** The guest path of the call in progress (for the denied log). */
  curPath: string | undefined;
  curCall = '';
  /** The caller of the call in progress. */
  caller: Caller | null = null;
  constructor(
    readonly clock: WasiClock,
    readonly stdio: Stdio,
    private readonly maxFds: number,
    readonly trace: WasiOptions['trace'],
  ) {}

  deny(errno: number, reason: string): void {
    const entry: DeniedEntry = { call: this.curCall, reason, errno };
    if (this.curPath !== undefined) entry.path = this.curPath;
    this.denied.push(entry);
  }
  /**
   * The errno for a failure of `call`: an FsError's own (logging a denial), else EIO (or the
   * Node error's errno), recorded in `failures`. WasmeterErrors are not errnos: callers rethrow them.
   */
  errnoOf(call: string, e: unknown): number {
    if (e instanceof FsError) {
      if (e.denied) this.deny(e.errno, e.message);
      return e.errno;
    }
    this.failures.push({ call, error: e });
    return (e as { code?: unknown })?.code ? errnoFromNode(e) : Errno.IO;
  }

  get(fd: unknown): Fd {
    const f = this.fds[u32(fd)];
    if (!f) throw new FsError(Errno.BADF);
    return f;
  }
  need(f: Fd, right: bigint, fd: unknown): void {
    if ((f.rightsBase & right) !== right) throw denied(Errno.NOTCAPABLE, `fd ${u32(fd)} lacks the right ${rightName(right)}`);
  }
  dir(fd: unknown, right: bigint): DirFd {
    const f = this.get(fd);
    if (!(f instanceof DirFd)) throw new FsError(Errno.NOTDIR);
    this.need(f, right, fd);
    return f;
  }
  alloc(f: Fd): number {
    for (let i = 0; i < this.maxFds; i++) {
      if (this.fds[i] === undefined) {
        this.fds[i] = f;
        return i;
      }
    }
    throw new FsError(Errno.MFILE);
  }
  /** The times a set_times call asks for (null: unchanged). */
  times(atim: bigint, mtim: bigint, flags: number): [bigint | null, bigint | null] {
    if ((flags & Fstflags.ATIM && flags & Fstflags.ATIM_NOW) || (flags & Fstflags.MTIM && flags & Fstflags.MTIM_NOW) || flags & ~15)
      throw new FsError(Errno.INVAL);
    const now = this.clock.realNow();
    const a = flags & Fstflags.ATIM_NOW ? now : flags & Fstflags.ATIM ? u64(atim) : null;
    const mt = flags & Fstflags.MTIM_NOW ? now : flags & Fstflags.MTIM ? u64(mtim) : null;
    return [a, mt];
  }
}
