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
 *
 * This file is the `Wasi` class (options, linking, running); the calls are
 * in fd.ts, path.ts, clock.ts (clocks, poll, randomness) and proc.ts, over
 * the state they share (context.ts).
 */
import { HostSuspended, Interrupted, LinkError, OutOfFuel, WasmeterError } from '../../core/errors.js';
import type { Instance } from '../../runtime/instance.js';
import type { Module } from '../../runtime/module.js';
import type { Caller, Store } from '../../runtime/store.js';
import type { Memory } from '../../runtime/objects/memory.js';
import { Linker } from '../linker.js';
import { FsError } from './backend.js';
import { loadWasi, saveWasi, type WasiInternals, type WasiState } from './state.js';
import { WasiClock, clockFunctions } from './clock.js';
import { ALL_RIGHTS, DIR_RIGHTS, Errno, Filetype, Rights } from './constants.js';
import { DirFd, FileFd, StdioFd, WasiContext, type WasiFn, type WasiFns } from './context.js';
import { WasiStdinRead, fdFunctions } from './fd.js';
import { HostFs, defaultNodeFs, type NodeFsLike } from './hostfs.js';
import { GuestMem } from './memory.js';
import { integerOption, oneOf, type DeniedEntry, type WasiOptions, type WasiResult } from './options.js';
import { pathFunctions } from './path.js';
import { WasiExit, procFunctions } from './proc.js';
import { Xoshiro128 } from './random.js';
import { WASI_FUNCTIONS, WASI_MODULE } from './signatures.js';
import { Stdio, type StdStream } from './stdio.js';

export type { ClockOptions, DeniedEntry, HostDirOption, StdinOption, StdoutOption, WasiOptions, WasiResult } from './options.js';
export { WASI_FUNCTIONS, WASI_MODULE, WasiExit, WasiStdinRead };

export class Wasi {
  /** Refused capabilities, in order. */
  readonly denied: DeniedEntry[];
  /** Unexpected host-side failures (bugs or host I/O errors) turned into EIO for the guest. */
  readonly failures: { call: string; error: unknown }[];
  readonly args: readonly string[];
  readonly env: readonly string[];
  private readonly cx: WasiContext;
  private readonly nodeFs: NodeFsLike | null;
  private readonly rng: Xoshiro128 | null;

  constructor(options: WasiOptions = {}) {
    this.args = [...(options.args ?? [])];
    const env = options.env ?? {};
    this.env = Array.isArray(env) ? [...env] : Object.entries(env).map(([k, v]) => `${k}=${v}`);
    const inherit = options.inheritStdio === true;
    const stdin = options.stdin ?? (inherit ? 'inherit' : new Uint8Array(0));
    const stdout = options.stdout ?? (inherit ? 'inherit' : 'buffer');
    const stderr = options.stderr ?? (inherit ? 'inherit' : 'buffer');
    const needFs = stdin === 'inherit' || stdout === 'inherit' || stderr === 'inherit' || (options.hostDirs?.length ?? 0) > 0;
    this.nodeFs = options.fs ?? (needFs ? defaultNodeFs() : null);
    if (needFs && !this.nodeFs)
      throw new WasmeterError('WASI host directories and inherited stdio need Node: pass the node:fs module as options.fs');

    const random = oneOf('random', options.random ?? 'seeded', ['seeded', 'host']);
    this.rng = random === 'host' ? null : new Xoshiro128(integerOption('seed', options.seed ?? 0));
    const clock = new WasiClock(options);
    const stdio = new Stdio(stdin, stdout, stderr, this.nodeFs);
    this.cx = new WasiContext(clock, stdio, options.maxFds ?? 1024, options.trace);
    this.denied = this.cx.denied;
    this.failures = this.cx.failures;

    const fds = this.cx.fds;
    fds[0] = this.stdioFd(0, stdio.stdinInherit);
    fds[1] = this.stdioFd(1, stdout === 'inherit');
    fds[2] = this.stdioFd(2, stderr === 'inherit');
    for (const [name, backend] of Object.entries(options.preopens ?? {})) fds.push(new DirFd(backend, [], name, DIR_RIGHTS, ALL_RIGHTS));
    for (const d of options.hostDirs ?? []) {
      const backend = new HostFs(d.host, this.nodeFs!, { readonly: d.readonly === true });
      fds.push(new DirFd(backend, [], d.guest ?? d.host, DIR_RIGHTS, ALL_RIGHTS));
    }
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
    return this.cx.stdio.output(1);
  }
  get stderr(): Uint8Array {
    return this.cx.stdio.output(2);
  }
  get stdoutText(): string {
    return new TextDecoder().decode(this.stdout);
  }
  get stderrText(): string {
    return new TextDecoder().decode(this.stderr);
  }

  /** Defines every wasi_snapshot_preview1 function in the linker, as host functions of `store`. */
  addToLinker(linker: Linker, store: Store): Linker {
    this.cx.clock.store = store;
    const impl: WasiFns = {
      ...procFunctions(this.cx, this.args, this.env),
      ...clockFunctions(this.cx, this.rng),
      ...fdFunctions(this.cx),
      ...pathFunctions(this.cx),
    };
    for (const [name, type] of Object.entries(WASI_FUNCTIONS)) {
      const fn = impl[name]!;
      linker.defineFunc(store, WASI_MODULE, name, type, (caller: Caller, ...args: unknown[]) => this.dispatch(name, fn, caller, args));
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
  /**
   * `start` for a stream stdin: whenever the guest reads stdin before data has arrived, waits for
   * the stream (the guest stays suspended in fd_read) and continues, until the run ends. Other
   * stops (OutOfFuel, Interrupted, other host functions' HostSuspended) reject the promise with
   * the resumable error; continue them with `resumeAsync`.
   */
  startAsync(instance: Instance): Promise<WasiResult> {
    return this.settle(() => this.start(instance));
  }
  /** `resume` for the stops `startAsync` rejects with, waiting for stdin the same way. */
  resumeAsync(e: OutOfFuel | Interrupted | HostSuspended, ...results: unknown[]): Promise<WasiResult> {
    return this.settle(() => this.resume(e, ...results));
  }
  private async settle(step: () => WasiResult): Promise<WasiResult> {
    for (;;) {
      try {
        return step();
      } catch (e) {
        if (!(e instanceof HostSuspended && e.payload instanceof WasiStdinRead)) throw e;
        const errno = await e.payload.read();
        step = () => this.resume(e, errno);
      }
    }
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
    return saveWasi(this.internals());
  }
  /**
   * Takes over a state `snapshotState()` gave: arguments, environment, clock,
   * random generator, MemFs contents, descriptors and buffered output. Host
   * directories come back only where this Wasi was granted them again (same
   * guest name); their descriptors are otherwise closed.
   */
  restoreState(state: unknown): void {
    loadWasi(this.internals(), state, { StdioFd, FileFd, DirFd });
  }

  /** The fields the snapshot code reads and writes (state.ts), over this Wasi's parts (context, stdio, clock, generator). */
  private internals(): WasiInternals {
    const cx = this.cx;
    const io = cx.stdio as unknown as { out: Uint8Array[][]; sinks: unknown[]; stdinBuf: Uint8Array; stdinPos: number; stdinInherit: boolean };
    const clock = cx.clock as unknown as { mode: WasiInternals['clockMode']; start0: bigint; step: bigint; nsPerFuel: bigint; elapsed: bigint };
    const self = this as unknown as { args: readonly string[]; env: readonly string[] };
    const rng = this.rng as unknown as { s: Uint32Array } | null;
    const w = { out: io.out, sinks: io.sinks, rng } as unknown as WasiInternals;
    const field = <K extends keyof WasiInternals>(k: K, get: () => WasiInternals[K], set: (v: WasiInternals[K]) => void): void => {
      Object.defineProperty(w, k, { get, set, enumerable: true });
    };
    field('args', () => self.args, (v) => (self.args = v));
    field('env', () => self.env, (v) => (self.env = v));
    field('fds', () => cx.fds as WasiInternals['fds'], (v) => void cx.fds.splice(0, cx.fds.length, ...(v as typeof cx.fds)));
    field('stdinBuf', () => (io.stdinInherit ? null : io.stdinBuf), (v) => (io.stdinBuf = v ?? new Uint8Array(0)));
    field('stdinPos', () => io.stdinPos, (v) => (io.stdinPos = v));
    field('clockMode', () => clock.mode, (v) => (clock.mode = v));
    field('start0', () => clock.start0, (v) => (clock.start0 = v));
    field('step', () => clock.step, (v) => (clock.step = v));
    field('nsPerFuel', () => clock.nsPerFuel, (v) => (clock.nsPerFuel = v));
    field('elapsed', () => clock.elapsed, (v) => (clock.elapsed = v));
    return w;
  }

  /** Closes every file the guest left open (host files hold real descriptors). */
  close(): void {
    const fds = this.cx.fds;
    for (let i = 0; i < fds.length; i++) {
      const f = fds[i];
      if (f instanceof FileFd) {
        try {
          f.handle.close();
        } catch {
          // already gone
        }
        fds[i] = undefined;
      }
    }
  }

  // ------------------------------------------------------------------ plumbing

  private dispatch(name: string, fn: WasiFn, caller: Caller, args: unknown[]): unknown {
    const cx = this.cx;
    cx.curPath = undefined;
    cx.curCall = name;
    cx.caller = caller;
    let mem: GuestMem | null = null;
    const getMem = (): GuestMem => {
      if (mem) return mem;
      const m: Memory | null = caller.memory(0);
      if (!m) throw new FsError(Errno.FAULT, 'the module has no memory');
      return (mem = new GuestMem(m));
    };
    let r: number | void;
    try {
      const out = fn(getMem, ...args);
      // a suspension (a stream stdin waiting for data) is traced when the read completes
      if (typeof out === 'object') return out;
      r = out;
    } catch (e) {
      if (e instanceof WasiExit) {
        cx.trace?.(name, args, undefined);
        throw e;
      }
      if (e instanceof WasmeterError) throw e;
      r = cx.errnoOf(name, e);
    }
    cx.trace?.(name, args, r === undefined ? undefined : r);
    return r;
  }
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
