/**
 * The JS tier's persistent cache in a directory (StoreOptions.codeCache, src/jit/code-cache.ts), for Node: one pack
 * file per group of keys (a key `GROUP-NAME`: code-cache.ts names all the functions of one module's instance in one
 * store by one GROUP), holding each entry and V8's cached data of its source. No static `node:` import (the
 * library's entry loads in a browser as it is): Node's fs and crypto are found at run time
 * (process.getBuiltinModule, Node >= 20.16) or passed in.
 *
 * A pack is read whole at the first lookup of its group, and its mtime touched (the recency the bound evicts by).
 * Writes are kept in memory and written by `flush()` (and, unless `flushOnExit: false`, when the process exits):
 * each changed pack merged with what the file holds then, written beside itself and renamed into place, so a reader
 * never sees half a pack (two processes flushing one group at once can lose each other's new entries, never corrupt
 * the pack). Past `maxBytes` after a flush, the least recently used files of the directory are deleted. A file that
 * cannot be read or written is a miss or a store not made, never an error of the run; a damaged pack or part of one
 * is a miss (code-cache.ts checks every entry; V8's data is checked here before V8 sees it). The directory is
 * trusted like wasmtime's cache: an entry is JavaScript this process runs, so whoever can write the directory can
 * run code in the process (it is made 0700, its files 0600).
 */
import { WasmeterError } from '../core/errors.js';
import { textSum, type CodeCache } from '../jit/code-cache.js';

/** The parts of node:fs the cache uses. */
export interface CodeCacheFs {
  readFileSync(path: string): Uint8Array;
  writeFileSync(path: string, data: string | Uint8Array, options: { mode: number }): void;
  renameSync(from: string, to: string): void;
  mkdirSync(path: string, options: { recursive: true; mode: number }): unknown;
  rmSync(path: string, options: { force: true }): void;
  readdirSync(path: string): string[];
  statSync(path: string): { size: number; mtimeMs: number; isFile(): boolean };
  utimesSync(path: string, atime: Date, mtime: Date): void;
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
   * Needs `crypto` too (V8's data is checked by its SHA-256 before V8 sees it).
   */
  vm?: CodeCacheVm | null;
  /** Write what is pending when the process exits (default true). */
  flushOnExit?: boolean;
  /**
   * The directory's bound in bytes (default 256 MiB, FILE_CODE_CACHE_MAX_BYTES): past it after a flush that wrote,
   * its least recently used files (by mtime: a pack read is touched) are deleted until it is within. Infinity: none.
   */
  maxBytes?: number;
}

/** fileCodeCache's default bound of its directory (maxBytes): 256 MiB. */
export const FILE_CODE_CACHE_MAX_BYTES = 256 * 1024 * 1024;

/** A directory-backed code cache: `flush()` writes the entries stored since the last flush. */
export interface FileCodeCache extends CodeCache {
  readonly dir: string;
  flush(): void;
  /**
   * V8's cached data of the sources (`compile`): parts used (`used`), not given to V8 (`invalid`: damaged, for
   * another source, Node or build), given and refused by V8 (`rejected`), and made at flush (`made`).
   */
  readonly v8: { used: number; invalid: number; rejected: number; made: number };
  /** Packs: read (valid ones), found damaged (`bad`: read as empty), written, and files deleted by the bound. */
  readonly packs: { read: number; bad: number; written: number; evicted: number };
}

/** The first line of V8's cached data of a source: this tag, Node's version and architecture, then `id`, the data's SHA-256 and length. */
const V8_TAG = 'wasmeter-jit-v8 1';
/**
 * A pack's first line: this tag, the length of its index (JSON: [key, entry offset, length, V8 data offset, length,
 * V8 header][]) and the SHA-256 of everything after the line (`-`: written without a hash), then the index and the parts.
 */
const PACK_TAG = 'wasmeter-jit-pack 2';

/** A group's name for a file: the part of a key before its first '-' when it is a plain name (code-cache.ts' keys are). */
const PLAIN = /^[A-Za-z0-9_][A-Za-z0-9_.]{0,199}$/;

interface Part {
  /** the entry (UTF-8) and V8's cached data of its source, with that data's header: slices of the pack */
  entry: Uint8Array;
  v8?: { head: string; data: Uint8Array };
}

/**
 * The parts a pack's bytes hold, or null when they are not a pack (another format, damaged index) or, given `hash`
 * (SHA-256 in hex), when its hash is not the one it was written with: one native hash of the whole pack at its read,
 * after which its entries are intact (FileCodeCache.intact: code-cache.ts checks them no more) and V8's data too.
 */
export function readPack(b: Uint8Array, hash?: (bytes: Uint8Array) => string): Map<string, Part> | null {
  const nl = b.subarray(0, 200).indexOf(0x0a);
  if (nl < 0) return null;
  const head = new TextDecoder().decode(b.subarray(0, nl));
  if (!head.startsWith(`${PACK_TAG} `)) return null;
  const [len, sum] = head.slice(PACK_TAG.length + 1).split(' ');
  const n = Number(len);
  if (!Number.isInteger(n) || n < 2 || nl + 1 + n > b.length || sum === undefined) return null;
  if (hash !== undefined && hash(b.subarray(nl + 1)) !== sum) return null;
  let index: unknown;
  try {
    index = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(nl + 1, nl + 1 + n)));
  } catch {
    return null;
  }
  if (!Array.isArray(index)) return null;
  const base = nl + 1 + n;
  const within = (o: unknown, l: unknown): boolean =>
    Number.isInteger(o) && Number.isInteger(l) && (o as number) >= 0 && (l as number) >= 0 && base + (o as number) + (l as number) <= b.length;
  const parts = new Map<string, Part>();
  for (const x of index) {
    if (!Array.isArray(x) || x.length !== 6 || typeof x[0] !== 'string' || !within(x[1], x[2])) return null;
    const part: Part = { entry: b.subarray(base + x[1], base + x[1] + x[2]) };
    if (x[5] !== null) {
      if (typeof x[5] !== 'string' || !within(x[3], x[4])) return null;
      part.v8 = { head: x[5], data: b.subarray(base + x[3], base + x[3] + x[4]) };
    }
    parts.set(x[0], part);
  }
  return parts;
}

/** A pack's bytes holding `parts`, with the SHA-256 of them when `hash` is given. */
export function writePack(parts: Map<string, Part>, hash?: (bytes: Uint8Array) => string): Uint8Array {
  const index: unknown[] = [];
  let at = 0;
  for (const [key, p] of parts) {
    const e = at;
    at += p.entry.length;
    const v = at;
    if (p.v8 !== undefined) at += p.v8.data.length;
    index.push([key, e, p.entry.length, p.v8 !== undefined ? v : 0, p.v8 !== undefined ? p.v8.data.length : 0, p.v8?.head ?? null]);
  }
  const json = new TextEncoder().encode(JSON.stringify(index));
  const body = new Uint8Array(json.length + at);
  body.set(json);
  let o = json.length;
  for (const p of parts.values()) {
    body.set(p.entry, o);
    o += p.entry.length;
    if (p.v8 !== undefined) {
      body.set(p.v8.data, o);
      o += p.v8.data.length;
    }
  }
  const head = new TextEncoder().encode(`${PACK_TAG} ${json.length} ${hash !== undefined ? hash(body) : '-'}\n`);
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

/** A code cache in directory `dir` (made when first written). */
export function fileCodeCache(dir: string, options: FileCodeCacheOptions = {}): FileCodeCache {
  if (typeof dir !== 'string' || dir === '') throw new TypeError('fileCodeCache: dir must be a non-empty string');
  const maxBytes = options.maxBytes ?? FILE_CODE_CACHE_MAX_BYTES;
  if (typeof maxBytes !== 'number' || !(maxBytes >= 0)) throw new TypeError('fileCodeCache: maxBytes must be a number >= 0');
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown; pid?: number; once?: (e: string, f: () => void) => void } }).process;
  const fs = options.fs ?? (proc?.getBuiltinModule?.('node:fs') as CodeCacheFs | undefined);
  if (fs === undefined) throw new WasmeterError('fileCodeCache needs Node (process.getBuiltinModule) or options.fs');
  const crypto = options.crypto === undefined ? ((proc?.getBuiltinModule?.('node:crypto') as CodeCacheCrypto | undefined) ?? null) : options.crypto;
  const vm = options.vm === undefined ? ((proc?.getBuiltinModule?.('node:vm') as CodeCacheVm | undefined) ?? null) : options.vm;
  const utf8 = new TextEncoder();
  /** (one decoder for every entry read: not one made per get) */
  const text = new TextDecoder();
  /** a pack's hash, with Node's crypto: checked once at its read (readPack) */
  const sha = crypto !== null ? (bytes: Uint8Array): string => crypto.createHash('sha256').update(bytes).digest('hex') : undefined;
  const pending = new Map<string, string>();
  /** the scripts compiled without usable cached data: theirs is made at flush */
  const scripts = new Map<string, { script: InstanceType<CodeCacheVm['Script']>; id: string }>();
  /** the packs read, by group */
  const loaded = new Map<string, Map<string, Part>>();
  const v8 = { used: 0, invalid: 0, rejected: 0, made: 0 };
  const packs = { read: 0, bad: 0, written: 0, evicted: 0 };
  const nodeTag = `${V8_TAG} ${(proc as { version?: string } | undefined)?.version ?? ''} ${(proc as { arch?: string } | undefined)?.arch ?? ''}`;
  let hooked = false;
  const hook = (): void => {
    if (!hooked && options.flushOnExit !== false && proc?.once !== undefined) {
      hooked = true;
      proc.once('exit', () => cache.flush());
    }
  };
  const groupOf = (key: string): string => {
    const at = key.indexOf('-');
    const g = at > 0 ? key.slice(0, at) : '';
    return PLAIN.test(g) ? g : `k${crypto !== null ? crypto.createHash('sha256').update(key).digest('hex') : textSum(key)}`;
  };
  const fileOf = (group: string): string => `${dir}/${group}.pack`;
  /** the parts of `group`'s pack as the file holds them now (empty: none, unreadable or damaged) */
  const readGroup = (group: string): Map<string, Part> => {
    let b: Uint8Array;
    try {
      b = fs.readFileSync(fileOf(group));
    } catch {
      return new Map();
    }
    const parts = readPack(b, sha);
    if (parts === null) packs.bad++;
    return parts ?? new Map();
  };
  const partOf = (key: string): Part | undefined => {
    const group = groupOf(key);
    let parts = loaded.get(group);
    if (parts === undefined) {
      loaded.set(group, (parts = readGroup(group)));
      if (parts.size > 0) {
        packs.read++;
        try {
          const now = new Date();
          fs.utimesSync(fileOf(group), now, now);
        } catch {
          // (recency not recorded: evicted earlier)
        }
      }
    }
    return parts.get(key);
  };
  const cache: FileCodeCache = {
    dir,
    get(key: string): string | undefined {
      const p = pending.get(key);
      if (p !== undefined) return p;
      const part = partOf(key);
      return part !== undefined ? text.decode(part.entry) : undefined;
    },
    set(key: string, value: string): void {
      pending.set(key, value);
      hook();
    },
    flush(): void {
      if (pending.size === 0 && scripts.size === 0) return;
      const groups = new Map<string, { entries: Map<string, string>; data: Map<string, { head: string; data: Uint8Array }> }>();
      const of = (key: string) => {
        const g = groupOf(key);
        let x = groups.get(g);
        if (x === undefined) groups.set(g, (x = { entries: new Map(), data: new Map() }));
        return x;
      };
      for (const [key, value] of pending) of(key).entries.set(key, value);
      for (const [key, { script, id }] of scripts) {
        let data: Uint8Array;
        try {
          data = script.createCachedData();
        } catch {
          continue;
        }
        of(key).data.set(key, { head: `${nodeTag} ${id} ${crypto!.createHash('sha256').update(data).digest('hex')} ${data.length}`, data });
        v8.made++;
      }
      pending.clear();
      scripts.clear();
      try {
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      } catch {
        return;
      }
      const tag = `${proc?.pid ?? 0}-${Math.random().toString(36).slice(2)}`;
      let wrote = false;
      for (const [group, { entries, data }] of groups) {
        // merged with what the file holds now (another process may have written it since this one read it)
        const parts = readGroup(group);
        for (const [key, value] of entries) {
          const entry = utf8.encode(value);
          const old = parts.get(key);
          // (V8's data of the same source stays)
          parts.set(key, old?.v8 !== undefined && sameBytes(old.entry, entry) ? { entry, v8: old.v8 } : { entry });
        }
        for (const [key, d] of data) {
          const p = parts.get(key) ?? (entries.has(key) ? undefined : loaded.get(group)?.get(key));
          if (p !== undefined) parts.set(key, { entry: p.entry, v8: d });
        }
        const file = fileOf(group);
        const tmp = `${file}.${tag}.tmp`;
        try {
          fs.writeFileSync(tmp, writePack(parts, sha), { mode: 0o600 });
          fs.renameSync(tmp, file);
          packs.written++;
          wrote = true;
        } catch {
          try {
            fs.rmSync(tmp, { force: true });
          } catch {
            // nothing was written
          }
        }
      }
      if (wrote && maxBytes !== Infinity) bound();
    },
    v8,
    packs,
  };
  /** the directory within maxBytes: its least recently used files deleted */
  const bound = (): void => {
    let files: { path: string; size: number; at: number }[];
    try {
      files = fs.readdirSync(dir).flatMap((f) => {
        const path = `${dir}/${f}`;
        try {
          const s = fs.statSync(path);
          return s.isFile() ? [{ path, size: s.size, at: s.mtimeMs }] : [];
        } catch {
          return [];
        }
      });
    } catch {
      return;
    }
    let total = files.reduce((t, f) => t + f.size, 0);
    files.sort((a, b) => a.at - b.at);
    for (const f of files) {
      if (total <= maxBytes) break;
      try {
        fs.rmSync(f.path, { force: true });
        packs.evicted++;
      } catch {
        // (another process's, or gone)
      }
      total -= f.size;
    }
  };
  if (vm !== null && crypto !== null) {
    /**
     * V8's data for `id`'s source in `key`'s part, checked (header, length; its bytes by the pack's hash, readPack),
     * or undefined.
     */
    const v8Data = (key: string, id: string): Uint8Array | undefined => {
      const got = pending.has(key) ? undefined : partOf(key)?.v8;
      if (got === undefined) return undefined;
      const head = got.head.split(' ');
      const ok = head.length === 7 && head.slice(0, 4).join(' ') === nodeTag && head[4] === id && head[6] === String(got.data.length);
      if (!ok) v8.invalid++;
      return ok ? got.data : undefined;
    };
    cache.compile = (key: string, source: string, id: string): ((r: unknown) => unknown) => {
      const data = v8Data(key, id);
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
  if (sha !== undefined) {
    cache.hash = sha;
    // (every entry get returns is one set gave this process or one of a pack whose hash matched)
    cache.intact = true;
  }
  return cache;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
