/**
 * The JS tier's persistent cache in a directory (StoreOptions.codeCache, src/jit/code-cache.ts), for Node: one file
 * per generated function, named by its key. No static `node:` import (the library's entry loads in a browser as it
 * is): Node's fs and crypto are found at run time (process.getBuiltinModule, Node >= 20.16) or passed in.
 *
 * Reads are synchronous, at each function's generation. Writes are kept in memory and written by `flush()` (and,
 * unless `flushOnExit: false`, when the process exits): each file beside itself first and renamed into place, so a
 * reader never sees half a file, and writing thousands of files does not slow the run that generates them. A file
 * that cannot be read or written is a miss or a store not made, never an error of the run; a damaged file is a miss
 * (code-cache.ts checks every entry). The directory is trusted like wasmtime's cache: an entry is JavaScript this
 * process runs, so whoever can write the directory can run code in the process (it is made 0700, its files 0600).
 */
import { WasmeterError } from '../core/errors.js';
import { textSum, type CodeCache } from '../jit/code-cache.js';

/** The parts of node:fs the cache uses. */
export interface CodeCacheFs {
  readFileSync(path: string, encoding: 'utf8'): string;
  writeFileSync(path: string, data: string, options: { mode: number }): void;
  renameSync(from: string, to: string): void;
  mkdirSync(path: string, options: { recursive: true; mode: number }): unknown;
  rmSync(path: string, options: { force: true }): void;
}

/** The part of node:crypto the cache uses (SHA-256). */
export interface CodeCacheCrypto {
  createHash(alg: 'sha256'): { update(b: Uint8Array | string): { digest(enc: 'hex'): string } };
}

export interface FileCodeCacheOptions {
  /** Node's fs (default: process.getBuiltinModule('node:fs')). */
  fs?: CodeCacheFs;
  /** Node's crypto, for SHA-256 (default: process.getBuiltinModule('node:crypto'); without it, the pure-JS one). */
  crypto?: CodeCacheCrypto | null;
  /** Write what is pending when the process exits (default true). */
  flushOnExit?: boolean;
}

/** A directory-backed code cache: `flush()` writes the entries stored since the last flush. */
export interface FileCodeCache extends CodeCache {
  readonly dir: string;
  flush(): void;
}

/** A file name for a key: the key itself when it is a plain name (code-cache.ts' keys are), else its SHA-256. */
const PLAIN = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;

/** A code cache in directory `dir` (made when first written). */
export function fileCodeCache(dir: string, options: FileCodeCacheOptions = {}): FileCodeCache {
  if (typeof dir !== 'string' || dir === '') throw new TypeError('fileCodeCache: dir must be a non-empty string');
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown; pid?: number; once?: (e: string, f: () => void) => void } }).process;
  const fs = options.fs ?? (proc?.getBuiltinModule?.('node:fs') as CodeCacheFs | undefined);
  if (fs === undefined) throw new WasmeterError('fileCodeCache needs Node (process.getBuiltinModule) or options.fs');
  const crypto = options.crypto === undefined ? ((proc?.getBuiltinModule?.('node:crypto') as CodeCacheCrypto | undefined) ?? null) : options.crypto;
  const pending = new Map<string, string>();
  let hooked = false;
  const fileOf = (key: string): string =>
    `${dir}/${PLAIN.test(key) ? key : `k-${crypto !== null ? crypto.createHash('sha256').update(key).digest('hex') : textSum(key)}`}`;
  const cache: FileCodeCache = {
    dir,
    get(key: string): string | undefined {
      const p = pending.get(key);
      if (p !== undefined) return p;
      try {
        return fs.readFileSync(fileOf(key), 'utf8');
      } catch {
        return undefined;
      }
    },
    set(key: string, value: string): void {
      pending.set(key, value);
      if (!hooked && options.flushOnExit !== false && proc?.once !== undefined) {
        hooked = true;
        proc.once('exit', () => cache.flush());
      }
    },
    flush(): void {
      if (pending.size === 0) return;
      try {
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      } catch {
        pending.clear();
        return;
      }
      const tag = `${proc?.pid ?? 0}-${Math.random().toString(36).slice(2)}`;
      for (const [key, value] of pending) {
        const file = fileOf(key);
        const tmp = `${file}.${tag}.tmp`;
        try {
          fs.writeFileSync(tmp, value, { mode: 0o600 });
          fs.renameSync(tmp, file);
        } catch {
          try {
            fs.rmSync(tmp, { force: true });
          } catch {
            // nothing was written
          }
        }
      }
      pending.clear();
    },
  };
  if (crypto !== null) cache.hash = (bytes: Uint8Array): string => crypto.createHash('sha256').update(bytes).digest('hex');
  return cache;
}

