/**
 * examples/shell-server: a metered shell server.
 *
 * Listens on a Unix socket; every connection gets its own instance of the guest shell
 * (shell.c compiled for wasm32-wasi) in its own Store, with a fuel budget per command and a
 * memory limit. The guest is a plain WASI command that reads its commands with fgets(stdin):
 * stdin is what the client sends, stdout and stderr go back to the client. State shared by all
 * connections (a sum, a key/value map) lives here in the host, behind the imports of module
 * "shell".
 *
 * Sockets are asynchronous, WASI reads are synchronous: the server replaces the guest's
 * `fd_read` on stdin with a host function that *suspends* the guest (`caller.suspend`) until a
 * line has arrived, then fills the guest's buffers and resumes the suspended call
 * (`HostSuspended.resume`). The guest's `_start` is one long call that lives as long as the
 * connection. See README.md in this directory for the policies (fuel, memory, time slices,
 * traps).
 */
import { lstatSync, readFileSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import {
  Errno,
  GuestAbiError,
  HostFunc,
  HostSuspended,
  I32,
  I64,
  Interrupted,
  Linker,
  Module,
  OutOfFuel,
  Store,
  Trap,
  WASI_FUNCTIONS,
  WASI_MODULE,
  Wasi,
  WasiExit,
  WasmeterError,
  checkRange,
  funcType,
  type Caller,
  type Instance,
  type Memory,
} from '../../src/index.js';

// ====================================================================== shared state and the "shell" imports

export interface StateLimits {
  /** Longest key in bytes (default 64). */
  maxKeyBytes: number;
  /** Longest value in bytes (default 4096). */
  maxValueBytes: number;
  /** Most keys (default 10,000). */
  maxKeys: number;
}

export const DEFAULT_STATE_LIMITS: StateLimits = { maxKeyBytes: 64, maxValueBytes: 4096, maxKeys: 10_000 };

/** What every connection sees: a 64-bit sum and a map of string keys to byte values. */
export class SharedState {
  /** Wraps around as a signed 64-bit integer, as the guest's `long long` does. */
  sum = 0n;
  readonly values = new Map<string, Uint8Array>();
  readonly limits: StateLimits;
  constructor(limits: Partial<StateLimits> = {}) {
    this.limits = { ...DEFAULT_STATE_LIMITS, ...limits };
  }
  /** A value as text (UTF-8), or undefined. */
  get(key: string): string | undefined {
    const v = this.values.get(key);
    return v === undefined ? undefined : new TextDecoder().decode(v);
  }
}

/** The guest broke the fuel budget inside a host function (handled like OutOfFuel by the session). */
export class HostChargeFailed extends WasmeterError {
  override name = 'HostChargeFailed';
}

const keyDecoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Defines the imports of module "shell" for one store:
 *
 * | import | type | |
 * | --- | --- | --- |
 * | `add(n: i64) -> i64` | | adds n to the sum, returns the new sum |
 * | `sum() -> i64` | | the sum |
 * | `set(key_ptr, key_len, val_ptr, val_len: i32) -> i32` | | 0, or -1 bad key (empty, too long, not UTF-8), -2 value too long, -3 too many keys |
 * | `get(key_ptr, key_len, buf_ptr, buf_cap: i32) -> i32` | | copies min(len, cap) bytes of the value to buf and returns its full length, -1 when absent |
 * | `fuel() -> i64` | | fuel the store has left |
 *
 * Every (ptr, len) is read as unsigned and checked against the caller's memory before a byte is
 * touched; a range outside it traps the guest (the message names the import and the range).
 * Copies cost one unit of fuel per byte, on top of the store's host call surcharge.
 */
export function defineShellImports(linker: Linker, store: Store, state: SharedState): Linker {
  const { maxKeyBytes, maxValueBytes, maxKeys } = state.limits;
  const memoryOf = (caller: Caller, call: string): Memory => {
    const m = caller.memory(0);
    if (!m) throw new Trap(`${call}: the guest has no linear memory`);
    return m;
  };
  /** [ptr, ptr+len) of the caller's memory, bounds-checked; a bad range is a trap. */
  const range = (mem: Memory, ptr: number, len: number, call: string): { start: number; len: number } => {
    try {
      return checkRange(mem, ptr, len, call);
    } catch (e) {
      if (e instanceof GuestAbiError) throw new Trap(e.message);
      throw e;
    }
  };
  const charge = (caller: Caller, n: number, call: string): void => {
    if (!caller.store.consumeFuel(n)) throw new HostChargeFailed(`${call}: the fuel budget cannot pay for ${n} bytes`);
  };
  linker.defineFunc(store, 'shell', 'add', funcType([I64], [I64]), (_caller: Caller, n: bigint) => {
    state.sum = BigInt.asIntN(64, state.sum + n);
    return state.sum;
  });
  linker.defineFunc(store, 'shell', 'sum', funcType([], [I64]), () => state.sum);
  linker.defineFunc(store, 'shell', 'fuel', funcType([], [I64]), (caller: Caller) => BigInt(caller.fuel));
  linker.defineFunc(
    store,
    'shell',
    'set',
    funcType([I32, I32, I32, I32], [I32]),
    (caller: Caller, keyPtr: number, keyLen: number, valPtr: number, valLen: number) => {
      const mem = memoryOf(caller, 'shell.set');
      const k = range(mem, keyPtr, keyLen, 'shell.set key');
      const v = range(mem, valPtr, valLen, 'shell.set value');
      if (k.len === 0 || k.len > maxKeyBytes) return -1;
      if (v.len > maxValueBytes) return -2;
      charge(caller, k.len + v.len, 'shell.set');
      let key: string;
      try {
        key = keyDecoder.decode(mem.u8.subarray(k.start, k.start + k.len));
      } catch {
        return -1;
      }
      if (!state.values.has(key) && state.values.size >= maxKeys) return -3;
      state.values.set(key, mem.u8.slice(v.start, v.start + v.len));
      return 0;
    },
  );
  linker.defineFunc(
    store,
    'shell',
    'get',
    funcType([I32, I32, I32, I32], [I32]),
    (caller: Caller, keyPtr: number, keyLen: number, bufPtr: number, bufCap: number) => {
      const mem = memoryOf(caller, 'shell.get');
      const k = range(mem, keyPtr, keyLen, 'shell.get key');
      const b = range(mem, bufPtr, bufCap, 'shell.get buffer');
      if (k.len === 0 || k.len > maxKeyBytes) return -1;
      let key: string;
      try {
        key = keyDecoder.decode(mem.u8.subarray(k.start, k.start + k.len));
      } catch {
        return -1;
      }
      const value = state.values.get(key);
      if (value === undefined) return -1;
      const n = Math.min(value.length, b.len);
      charge(caller, k.len + n, 'shell.get');
      mem.u8.set(value.subarray(0, n), b.start);
      return value.length;
    },
  );
  return linker;
}

// ====================================================================== stdin through a suspending fd_read

/** An fd_read of stdin waiting for input: where the bytes go. */
class StdinRead {
  constructor(
    readonly memory: Memory,
    /** The guest's buffers (validated when the read was made). */
    readonly buffers: { ptr: number; len: number }[],
    /** Where the byte count goes. */
    readonly nreadPtr: number,
  ) {}
  get capacity(): number {
    return this.buffers.reduce((n, b) => n + b.len, 0);
  }
  /** Copies `data` (at most `capacity` bytes) into the buffers and stores the count. */
  complete(data: Uint8Array): void {
    const u8 = this.memory.u8;
    let off = 0;
    for (const b of this.buffers) {
      if (off >= data.length) break;
      const n = Math.min(b.len, data.length - off);
      u8.set(data.subarray(off, off + n), b.ptr);
      off += n;
    }
    this.memory.view.setUint32(this.nreadPtr, off, true);
  }
}

/**
 * Replaces wasi_snapshot_preview1.fd_read (defined by `wasi.addToLinker`) so that a read of fd 0
 * suspends the guest with a StdinRead payload; other descriptors go to the Wasi class. Bad
 * pointers are EFAULT, as in the Wasi class, and do not suspend.
 */
function defineSuspendingStdin(linker: Linker, store: Store): void {
  const original = linker.get(WASI_MODULE, 'fd_read');
  if (!(original instanceof HostFunc)) throw new Error('define the WASI functions first');
  linker.defineFunc(store, WASI_MODULE, 'fd_read', WASI_FUNCTIONS.fd_read!, (caller: Caller, fd: number, iovs: number, n: number, nreadPtr: number) => {
    if (fd !== 0) return original.fn(caller, fd, iovs, n, nreadPtr);
    const mem = caller.memory(0);
    if (!mem) return Errno.FAULT;
    const size = mem.byteLength;
    const at = iovs >>> 0;
    const count = n >>> 0;
    const out = nreadPtr >>> 0;
    if (out + 4 > size || at + count * 8 > size) return Errno.FAULT;
    const buffers: { ptr: number; len: number }[] = [];
    for (let i = 0; i < count; i++) {
      const ptr = mem.view.getUint32(at + i * 8, true);
      const len = mem.view.getUint32(at + i * 8 + 4, true);
      if (ptr + len > size) return Errno.FAULT;
      if (len > 0) buffers.push({ ptr, len });
    }
    return caller.suspend(new StdinRead(mem, buffers, out));
  });
}

// ====================================================================== the server

export interface ShellServerOptions {
  /** Path of the Unix socket to listen on. */
  socketPath: string;
  /** The guest (default: shell.wasm next to this file, or `wasmPath`). */
  module?: Module;
  /** Where shell.wasm is, when `module` is not given. */
  wasmPath?: string | URL;
  /** Fuel each command may use (default 5,000,000); see README.md for the refill policy. */
  fuelPerCommand?: number;
  /** Linear memory limit of each guest instance in bytes (default 4 MiB). */
  maxMemoryBytes?: number;
  /** Wall-clock time a guest runs before yielding to other connections (default 10 ms). */
  sliceMs?: number;
  /** Fuel between the interpreter's deadline checks (default 50,000). */
  checkEvery?: number;
  /** Shared state (default: a new SharedState). */
  state?: SharedState;
  /** Server events, one line each (default: none). */
  log?: (line: string) => void;
}

/** Input bytes queued for a connection before the server stops reading its socket. */
const MAX_QUEUED_INPUT = 64 * 1024;
/** Output bytes queued for a client before its guest gets no more input. */
const MAX_QUEUED_OUTPUT = 1024 * 1024;

export class ShellServer {
  readonly state: SharedState;
  readonly socketPath: string;
  readonly module: Module;
  readonly fuelPerCommand: number;
  readonly maxMemoryBytes: number;
  readonly sliceMs: number;
  readonly checkEvery: number;
  private readonly log: (line: string) => void;
  private readonly server: Server;
  private readonly sessions = new Set<Session>();
  private nextId = 1;

  constructor(options: ShellServerOptions) {
    this.socketPath = options.socketPath;
    this.module =
      options.module ?? Module.fromBinary(new Uint8Array(readFileSync(options.wasmPath ?? new URL('./shell.wasm', import.meta.url))));
    this.fuelPerCommand = options.fuelPerCommand ?? 5_000_000;
    this.maxMemoryBytes = options.maxMemoryBytes ?? 4 * 1024 * 1024;
    this.sliceMs = options.sliceMs ?? 10;
    this.checkEvery = options.checkEvery ?? 50_000;
    this.state = options.state ?? new SharedState();
    this.log = options.log ?? (() => {});
    // allowHalfOpen: a client that ends its side (EOF on the guest's stdin) still gets the replies
    this.server = createServer({ allowHalfOpen: true }, (socket) => {
      const s = new Session(this, socket, this.nextId++, this.log);
      this.sessions.add(s);
      socket.once('close', () => this.sessions.delete(s));
    });
  }

  /** Connections open now. */
  get connections(): number {
    return this.sessions.size;
  }

  /** Starts listening. A stale socket file (nobody accepting on it) is removed first. */
  async listen(): Promise<this> {
    await removeStaleSocket(this.socketPath);
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.socketPath, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.log(`listening on ${this.socketPath}`);
    return this;
  }

  /** Stops accepting, closes every connection (their guests are abandoned) and removes the socket. */
  async close(): Promise<void> {
    const closed = [new Promise<void>((resolve) => this.server.close(() => resolve()))];
    for (const s of this.sessions) closed.push(s.destroy());
    await Promise.all(closed);
    try {
      unlinkSync(this.socketPath);
    } catch {
      // already removed by Node
    }
    this.log('closed');
  }

  /** A fresh guest instance in its own store: the fuel budget, the memory limit, stdio to `write`. */
  boot(write: (chunk: Uint8Array) => void, quiet: boolean): { store: Store; wasi: Wasi; instance: Instance } {
    const store = new Store({ fuel: this.fuelPerCommand, limits: { maxMemoryBytes: this.maxMemoryBytes } });
    const wasi = new Wasi({ args: quiet ? ['wsh', '-q'] : ['wsh'], stdout: write, stderr: write });
    const linker = wasi.addToLinker(new Linker(), store);
    defineSuspendingStdin(linker, store);
    defineShellImports(linker, store, this.state);
    return { store, wasi, instance: linker.instantiate(store, this.module) };
  }
}

/** Starts a ShellServer listening on `options.socketPath`. */
export function startShellServer(options: ShellServerOptions): Promise<ShellServer> {
  return new ShellServer(options).listen();
}

async function removeStaleSocket(path: string): Promise<void> {
  let isSocket = false;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return; // nothing there
  }
  if (!isSocket) throw new Error(`${path} exists and is not a socket`);
  const alive = await new Promise<boolean>((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (alive) throw new Error(`${path}: another server is listening`);
  unlinkSync(path);
}

// ====================================================================== one connection

/** A connection and its guest: input queue, the suspended read, the policies. */
class Session {
  private store!: Store;
  private instance!: Instance;
  /** Bytes received and not yet given to the guest. */
  private input: Buffer = Buffer.alloc(0);
  private eof = false;
  private closed = false;
  /** The guest's stdin read, suspended until input arrives. */
  private waiting: { stop: HostSuspended; read: StdinRead } | null = null;
  /** store.fuelConsumed when the current command got its budget. */
  private commandStart = 0;
  /** Fuel of the instances this connection used before the current one. */
  private fuelBefore = 0;
  private commands = 0;
  /** Whether the current guest instance has got as far as reading its input. */
  private ready = false;

  constructor(
    private readonly server: ShellServer,
    private readonly socket: Socket,
    readonly id: number,
    private readonly log: (line: string) => void,
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.input = this.input.length === 0 ? chunk : Buffer.concat([this.input, chunk]);
      if (this.input.length > MAX_QUEUED_INPUT) socket.pause();
      this.deliver();
    });
    socket.on('end', () => {
      this.eof = true;
      this.deliver();
    });
    socket.on('drain', () => this.deliver());
    socket.on('error', () => {}); // 'close' follows
    socket.on('close', () => void this.destroy());
    this.log(`#${id} connected`);
    if (this.boot(false)) this.schedule(() => this.instance.call('_start'));
  }

  /** Ends the connection and abandons the guest (idempotent); resolves when the socket has closed. */
  destroy(): Promise<void> {
    const gone = this.socket.closed ? Promise.resolve() : new Promise<void>((resolve) => this.socket.once('close', () => resolve()));
    if (this.closed) return gone;
    this.closed = true;
    this.waiting = null;
    this.store?.abandon();
    this.socket.destroy();
    this.log(`#${this.id} closed after ${this.commands} commands, ${this.fuelBefore + (this.store?.fuelConsumed ?? 0)} fuel`);
    return gone;
  }

  private write = (chunk: Uint8Array): void => {
    if (!this.closed && this.socket.writable) this.socket.write(chunk);
  };

  private say(text: string): void {
    this.write(Buffer.from(text));
  }

  /** Starts a fresh guest instance; false (connection closing) when it cannot be instantiated. */
  private boot(quiet: boolean): boolean {
    if (this.store) this.fuelBefore += this.store.fuelConsumed;
    try {
      ({ store: this.store, instance: this.instance } = this.server.boot(this.write, quiet));
    } catch (e) {
      this.say(`cannot start the guest: ${(e as Error).message}\n`);
      this.log(`#${this.id} boot failed: ${(e as Error).message}`);
      this.socket.end();
      return false;
    }
    this.commandStart = 0;
    this.ready = false;
    return true;
  }

  /**
   * Runs a step of the guest (start, or resume) on a later turn of the event loop, for a time
   * slice at most: every step goes through setImmediate, so connections take turns.
   */
  private schedule(step: () => unknown): void {
    setImmediate(() => {
      if (this.closed) return;
      this.store.interrupt = { deadline: Date.now() + this.server.sliceMs, checkEvery: this.server.checkEvery };
      try {
        step();
        this.exited(0); // _start returned
      } catch (e) {
        this.stopped(e);
      }
    });
  }

  private stopped(e: unknown): void {
    if (e instanceof HostSuspended && e.payload instanceof StdinRead) {
      this.ready = true;
      this.waiting = { stop: e, read: e.payload };
      this.deliver();
    } else if (e instanceof Interrupted) {
      // the time slice is over: let the other connections run, then continue exactly here
      this.schedule(() => e.resume());
    } else if (e instanceof OutOfFuel || e instanceof HostChargeFailed) {
      const used = this.store.fuelConsumed - this.commandStart;
      this.log(`#${this.id} out of fuel after ${used} units`);
      this.store.abandon();
      if (!this.ready) {
        // not even the guest's start-up fits in the budget: a fresh guest would fail the same way
        this.say(`out of fuel after ${used} units while starting the shell; connection closed\n`);
        this.socket.end();
        return;
      }
      this.say(`out of fuel after ${used} units; command aborted\n`);
      // the aborted guest is discarded; a fresh one serves the rest of the connection
      if (this.boot(true)) this.schedule(() => this.instance.call('_start'));
    } else if (e instanceof WasiExit) {
      this.exited(e.code);
    } else if (e instanceof Trap) {
      this.say(`guest trapped: ${e.message}; connection closed\n`);
      this.log(`#${this.id} trapped: ${e.message}`);
      this.socket.end();
    } else {
      this.say(`internal error; connection closed\n`);
      this.log(`#${this.id} internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      this.socket.end();
    }
  }

  private exited(code: number): void {
    this.log(`#${this.id} guest exited with ${code}`);
    this.socket.end();
  }

  /**
   * Gives the waiting read one line (up to and including its newline, cut at the read's
   * capacity), or end-of-file, when there is one. The guest's stdio buffer thus never holds more
   * than the line it works on, so discarding a guest loses no input. A read that completes a
   * line (or reaches EOF) starts a command: the fuel is topped up to the budget.
   */
  private deliver(): void {
    const w = this.waiting;
    if (!w || this.closed) return;
    if (this.socket.writableLength > MAX_QUEUED_OUTPUT) return; // wait for 'drain'
    const cap = w.read.capacity;
    const nl = this.input.indexOf(0x0a);
    let take: number;
    if (nl >= 0) take = Math.min(nl + 1, cap);
    else if (this.input.length >= cap) take = cap;
    else if (this.eof) take = this.input.length;
    else return; // wait for the rest of the line
    const chunk = this.input.subarray(0, take);
    this.input = this.input.subarray(take);
    if (this.socket.isPaused() && this.input.length <= MAX_QUEUED_INPUT) this.socket.resume();
    w.read.complete(chunk);
    this.waiting = null;
    if (chunk.length === 0 || chunk[chunk.length - 1] === 0x0a || (this.eof && this.input.length === 0)) {
      const left = this.store.fuelRemaining;
      if (left < this.server.fuelPerCommand) this.store.addFuel(this.server.fuelPerCommand - left);
      this.commandStart = this.store.fuelConsumed;
      if (chunk.length > 0) this.commands++;
    }
    this.schedule(() => w.stop.resume(Errno.SUCCESS));
  }
}
