/**
 * The filesystem interface the WASI host drives. A backend sees paths as
 * arrays of plain components relative to its root (never "", ".", ".." or
 * anything with "/"): the WASI layer has already resolved "..", followed
 * symlinks and checked that nothing escapes the root. Backends report
 * failures by throwing FsError with a WASI errno.
 */
import { Errno, type FiletypeValue } from './constants.js';

export class FsError extends Error {
  override name = 'FsError';
  constructor(
    readonly errno: number,
    message = '',
    /** Set when the failure is a refused capability (logged in Wasi.denied). */
    readonly denied = false,
  ) {
    super(message);
  }
}

/** A refused capability: an errno for the guest and an entry in Wasi.denied. */
export function denied(errno: number, reason: string): FsError {
  return new FsError(errno, reason, true);
}

export interface Stat {
  filetype: FiletypeValue;
  dev: bigint;
  ino: bigint;
  nlink: bigint;
  size: bigint;
  /** Times in nanoseconds since the epoch. */
  atim: bigint;
  mtim: bigint;
  ctim: bigint;
}

export interface DirEntry {
  name: string;
  filetype: FiletypeValue;
  ino: bigint;
}

export interface OpenOptions {
  create: boolean;
  excl: boolean;
  trunc: boolean;
  read: boolean;
  write: boolean;
  /** The WASI clock's current time (ns), for new files' timestamps. */
  now: bigint;
}

/** An open regular file. Positions are absolute; the WASI layer keeps the file offset. */
export interface FileHandle {
  read(dst: Uint8Array, pos: number): number;
  write(src: Uint8Array, pos: number, now: bigint): number;
  stat(): Stat;
  truncate(size: number, now: bigint): void;
  /** null leaves a time unchanged. */
  setTimes(atim: bigint | null, mtim: bigint | null): void;
  sync(): void;
  close(): void;
}

export interface FsBackend {
  /** False for a read-only backend: every mutation fails with EROFS (and is logged as denied). */
  readonly writable: boolean;
  /** Describes the backend in the denied log and errors ("memfs", "host:/srv/data (ro)"). */
  readonly label: string;
  /** Stat without following a final symlink. */
  lstat(p: readonly string[]): Stat;
  readlink(p: readonly string[]): string;
  /** Entries without "." and "..", in a stable order. */
  readdir(p: readonly string[]): DirEntry[];
  /** Opens (or creates) a regular file; the final component is not followed if it is a symlink (ELOOP). */
  openFile(p: readonly string[], o: OpenOptions): FileHandle;
  mkdir(p: readonly string[], now: bigint): void;
  rmdir(p: readonly string[], now: bigint): void;
  unlink(p: readonly string[], now: bigint): void;
  rename(from: readonly string[], to: readonly string[], now: bigint): void;
  link(from: readonly string[], to: readonly string[], now: bigint): void;
  symlink(target: string, p: readonly string[], now: bigint): void;
  /** Sets times of exactly this path (a final symlink itself); null leaves a time unchanged. */
  setTimes(p: readonly string[], atim: bigint | null, mtim: bigint | null): void;
}

export function isPrefix(a: readonly string[], b: readonly string[]): boolean {
  if (a.length > b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export const E = Errno;
