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
  readFileSync(path: string): Uint8Array;
  writeFileSync(path: string, data: string | Uint8Array, options: { mode: number }): void;
  renameSync(from: string, to: string): void;
  mkdirSync(path: string, options: { recursive: true; mode: number }): unknown;
  rmSync(path: string, options: { force: true }): void;
}

/** The part of node:vm the cache uses: a script compiled with V8's cached data, and that data made. */
export interface CodeCacheVm {
  Script: new (
    code: string,
    options?: { cachedData?: Uint8Array; filename?: string },
  ) => { cachedDataRejected?: boolean; runInThisContext(): unknown; createCachedData(): Uint8Array };
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
  /**
   * Node's vm, for V8's own cache of the generated sources (default: process.getBuiltinModule('node:vm'); null: none).
   * Needs `crypto` too (each file of V8's data is checked by its SHA-256 before V8 sees it).
   */
  vm?: CodeCacheVm | null;
  /** Write what is pending when the process exits (default true). */
  flushOnExit?: boolean;
}

/** A directory-backed code cache: `flush()` writes the entries stored since the last flush. */
export interface FileCodeCache extends CodeCache {
  readonly dir: string;
  flush(): void;
  /**
   * V8's cached data of the sources (`compile`): files used (`used`), not given to V8 (`invalid`: damaged, for
   * another source, Node or build), given and refused by V8 (`rejected`), and made at flush (`made`).
   */
  readonly v8: { used: number; invalid: number; rejected: number; made: number };
}

/** The first line of a file of V8's cached data: this tag, Node's version and architecture, then `id`, the data's SHA-256 and length. */
const V8_TAG = 'wasmeter-jit-v8 1';

/** A file name for a key: the key itself when it is a plain name (code-cache.ts' keys are), else its SHA-256. */
const PLAIN = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;

/** A code cache in directory `dir` (made when first written). */
export function fileCodeCache(dir: string, options: FileCodeCacheOptions = {}): FileCodeCache {
  if (typeof dir !== 'string' || dir === '') throw new TypeError('fileCodeCache: dir must be a non-empty string');
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown; pid?: number; once?: (e: string, f: () => void) => void } }).process;
  const fs = options.fs ?? (proc?.getBuiltinModule?.('node:fs') as CodeCacheFs | undefined);
  if (fs === undefined) throw new WasmeterError('fileCodeCache needs Node (process.getBuiltinModule) or options.fs');
  const crypto = options.crypto === undefined ? ((proc?.getBuiltinModule?.('node:crypto') as CodeCacheCrypto | undefined) ?? null) : options.crypto;
  const vm = options.vm === undefined ? ((proc?.getBuiltinModule?.('node:vm') as CodeCacheVm | undefined) ?? null) : options.vm;
  const pending = new Map<string, string>();
  /** the scripts compiled without usable cached data: theirs is made at flush */
  const scripts = new Map<string, { script: InstanceType<CodeCacheVm['Script']>; id: string }>();
  const v8 = { used: 0, invalid: 0, rejected: 0, made: 0 };
  const nodeTag = `${V8_TAG} ${(proc as { version?: string } | undefined)?.version ?? ''} ${(proc as { arch?: string } | undefined)?.arch ?? ''}`;
  let hooked = false;
  const hook = (): void => {
    if (!hooked && options.flushOnExit !== false && proc?.once !== undefined) {
      hooked = true;
      proc.once('exit', () => cache.flush());
    }
  };
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
      hook();
    },
    flush(): void {
      if (pending.size === 0 && scripts.size === 0) return;
      try {
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      } catch {
        pending.clear();
        scripts.clear();
        return;
      }
      const tag = `${proc?.pid ?? 0}-${Math.random().toString(36).slice(2)}`;
      const write = (file: string, value: string | Uint8Array): void => {
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
      };
      for (const [key, value] of pending) write(fileOf(key), value);
      pending.clear();
      for (const [key, { script, id }] of scripts) {
        let data: Uint8Array;
        try {
          data = script.createCachedData();
        } catch {
          continue;
        }
        const head = new TextEncoder().encode(`${nodeTag} ${id} ${crypto!.createHash('sha256').update(data).digest('hex')} ${data.length}\n`);
        const out = new Uint8Array(head.length + data.length);
        out.set(head);
        out.set(data, head.length);
        write(`${fileOf(key)}.v8`, out);
        v8.made++;
      }
      scripts.clear();
    },
    v8,
  };
  if (vm !== null && crypto !== null) {
    /** V8's data for `id`'s source from `file`, checked (header, length, SHA-256), or undefined. */
    const v8Data = (file: string, id: string): Uint8Array | undefined => {
      let b: Uint8Array;
      try {
        b = fs.readFileSync(file) as unknown as Uint8Array;
      } catch {
        return undefined;
      }
      const nl = b.subarray(0, 512).indexOf(0x0a);
      const head = nl < 0 ? [] : new TextDecoder().decode(b.subarray(0, nl)).split(' ');
      const data = b.subarray(nl + 1);
      const ok =
        head.length === 7 &&
        head.slice(0, 4).join(' ') === nodeTag &&
        head[4] === id &&
        head[6] === String(data.length) &&
        head[5] === crypto.createHash('sha256').update(data).digest('hex');
      if (!ok) v8.invalid++;
      return ok ? data : undefined;
    };
    cache.compile = (key: string, source: string, id: string): ((r: unknown) => unknown) => {
      const data = v8Data(`${fileOf(key)}.v8`, id);
      // (new Function's function, as a script: the same body, strict by its own directive)
      const script = new vm.Script(`(function (R) {${source}\n})`, data !== undefined ? { cachedData: data } : {});
      if (data !== undefined && script.cachedDataRejected === true) v8.rejected++;
      else if (data !== undefined) v8.used++;
      if (data === undefined || script.cachedDataRejected === true) {
        scripts.set(key, { script, id });
        hook();
      }
      return script.runInThisContext() as (r: unknown) => unknown;
    };
  }
  if (crypto !== null) cache.hash = (bytes: Uint8Array): string => crypto.createHash('sha256').update(bytes).digest('hex');
  return cache;
}

