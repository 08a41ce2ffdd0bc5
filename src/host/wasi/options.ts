/** The options of `new Wasi(...)` and the records it exposes. */
import type { FsBackend } from './backend.js';
import type { NodeFsLike } from './hostfs.js';

/** One refused capability: the call, the guest path when there is one, why, and the errno the guest got. */
export interface DeniedEntry {
  call: string;
  path?: string;
  reason: string;
  errno: number;
}

/**
 * The guest's stdin: a string or bytes (all there from the start), `'inherit'` (the host's fd 0,
 * a capability), or a stream (an async iterable of chunks, e.g. a Node Readable): a read with
 * nothing buffered suspends the guest until the next chunk arrives (see `Wasi.startAsync`).
 */
export type StdinOption = Uint8Array | string | 'inherit' | AsyncIterable<Uint8Array | string>;
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
  /** Realtime clock at the start, in ns since the epoch, or a Date. Default 2024-01-01T00:00:00Z. */
  start?: bigint | number | Date;
  /** Virtual mode: ns added per clock read (default 1 ms). */
  step?: bigint | number;
  /** Fuel mode: ns per unit of fuel (default 1). */
  nsPerFuel?: bigint | number;
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

/**
 * An integer option given as a bigint or a number (a number must be a safe integer: larger
 * values need a bigint to be exact). TypeError for another type, RangeError for a non-integer.
 */
export function integerOption(name: string, v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new RangeError(`${name} must be an integer (a bigint beyond 2^53 - 1), got ${v}`);
    return BigInt(v);
  }
  throw new TypeError(`${name} must be a bigint or a number, got ${v === null ? 'null' : typeof v}`);
}

/** integerOption, and not negative (RangeError). */
export function nonNegativeOption(name: string, v: unknown): bigint {
  const n = integerOption(name, v);
  if (n < 0n) throw new RangeError(`${name} must not be negative, got ${v}`);
  return n;
}

/** One of `allowed`, or a TypeError naming them. */
export function oneOf<T extends string>(name: string, v: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(v as T)) throw new TypeError(`${name} must be ${allowed.map((a) => `'${a}'`).join(', ')}, got ${String(v)}`);
  return v as T;
}
