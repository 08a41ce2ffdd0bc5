/**
 * Loading the CLI bundle (dist/cli/main.cjs) through a V8 code cache, so that a run does not parse and compile
 * the bundle's JavaScript again (BENCHMARKS.md, CLI start-up). Node 20 has no compile cache of its own
 * (`module.enableCompileCache` is Node 22's), so the bundle is CommonJS, compiled here as a `vm.Script` with the
 * `cachedData` of an earlier run, and the cache is written after a run that exits with 0 when there was none or
 * V8 rejected it (`script.createCachedData()` at exit holds every function the run compiled).
 *
 * The cache never changes what a run does: a missing, stale, corrupt or unreadable cache file, or a directory that
 * cannot be written, is the same run with the bundle compiled from its source. A cache file is used only when its
 * first line names this bundle (the SHA-256 tsup.config.ts writes into the bundle's first line, and the bundle's
 * modification time), this Node version and architecture, and when the checksum there matches the rest of the file:
 * V8 checks its version and flags, and the source's length only, and a damaged cache can crash the process, so a
 * cache is checked before V8 sees it. The checksum is a small WebAssembly function run by V8 (CHECKSUM_WAT): in
 * JavaScript the half megabyte takes longer than the cache saves, and node:crypto and node:zlib take milliseconds to
 * load; without WebAssembly (node --jitless) there is no cache.
 *
 * Where: $WASMETER_CACHE_DIR, else $XDG_CACHE_HOME/wasmeter, else the platform's user cache directory under $HOME
 * (%LOCALAPPDATA% on Windows; without it, no cache);
 * WASMETER_NO_CACHE=1 turns it off. One file per command kind (`run` or any other), Node version and bundle
 * location, written beside itself and renamed into place.
 */
import { closeSync, fstatSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { Script } from 'node:vm';

/** How the bundle's first line starts (then the SHA-256 of the rest, in hex): tsup.config.ts writes it. */
export const BUNDLE_TAG = '// wasmeter-cli-bundle ';
/**
 * What tsup.config.ts wraps the CommonJS bundle's code in (after the first line): the function Node's own loader
 * would wrap it in, so that the text V8 compiles is the file as it is, not a copy made by concatenation.
 */
export const BUNDLE_WRAPPER = ['(function (exports, require, module, __filename, __dirname) {', '\n})'] as const;
const MAGIC = 'wasmeter-v8-cache 1';
/** A larger file is not a cache of ours. */
const MAX_CACHE_BYTES = 64 << 20;

/**
 * The checksum of a cache file's V8 data: a Fletcher-style sum over little-endian 64-bit words, four to a step
 * (the last 0-31 bytes one by one), the two sums folded into one; about 0.15 ms for the half megabyte.
 * CHECKSUM_WASM is this text's binary (test/unit/cli-cache.test.ts).
 */
export const CHECKSUM_WAT = `(module
  (memory (export "memory") 0)
  ;; 64-bit words, four per step; then the last 0-31 bytes one by one
  (func (export "sum") (param $p i32) (param $n i32) (result i64)
    (local $end i32) (local $a i64) (local $b i64)
    (local.set $a (i64.const 1))
    (local.set $end (i32.add (local.get $p) (i32.and (local.get $n) (i32.const -32))))
    (block $words (loop $next
      (br_if $words (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $a (i64.add (local.get $a) (i64.load (local.get $p))))
      (local.set $b (i64.add (local.get $b) (local.get $a)))
      (local.set $a (i64.add (local.get $a) (i64.load offset=8 (local.get $p))))
      (local.set $b (i64.add (local.get $b) (local.get $a)))
      (local.set $a (i64.add (local.get $a) (i64.load offset=16 (local.get $p))))
      (local.set $b (i64.add (local.get $b) (local.get $a)))
      (local.set $a (i64.add (local.get $a) (i64.load offset=24 (local.get $p))))
      (local.set $b (i64.add (local.get $b) (local.get $a)))
      (local.set $p (i32.add (local.get $p) (i32.const 32)))
      (br $next)))
    (local.set $end (i32.add (local.get $end) (i32.and (local.get $n) (i32.const 31))))
    (block $bytes (loop $next
      (br_if $bytes (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $a (i64.add (local.get $a) (i64.load8_u (local.get $p))))
      (local.set $b (i64.add (local.get $b) (local.get $a)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $next)))
    (i64.xor (local.get $a) (i64.rotl (local.get $b) (i64.const 32)))))`;
export const CHECKSUM_WASM =
  'AGFzbQEAAAABBwFgAn9/AX4DAgEABQMBAAAHEAIGbWVtb3J5AgADc3VtAAAKqgEBpwECAX8CfkIBIQMgACABQWBxaiECAkADQCAAIAJPDQEgAyAAKQMAfCEDIAQgA3whBCADIAApAwh8IQMgBCADfCEEIAMgACkDEHwhAyAEIAN8IQQgAyAAKQMYfCEDIAQgA3whBCAAQSBqIQAMAAsLIAIgAUEfcWohAgJAA0AgACACTw0BIAMgADEAAHwhAyAEIAN8IQQgAEEBaiEADAALCyADIARCIImFCwAbBG5hbWUCFAEABQABcAEBbgIDZW5kAwFhBAFi';

/** The checksum function over a memory of at least `bytes` bytes, or null without WebAssembly. */
export function checksummer(bytes: number): { memory: Uint8Array; sum: (p: number, n: number) => string } | null {
  try {
    const inst = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(CHECKSUM_WASM, 'base64')));
    const mem = inst.exports['memory'] as WebAssembly.Memory;
    mem.grow((bytes + 0xffff) >>> 16);
    const sum = inst.exports['sum'] as (p: number, n: number) => bigint;
    return { memory: new Uint8Array(mem.buffer, 0, bytes), sum: (p, n) => BigInt.asUintN(64, sum(p, n)).toString(16) };
  } catch {
    return null;
  }
}

/** The cache directory for an environment, or null when caching is off or there is no user directory to use. */
export function cacheDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string | null {
  if (env['WASMETER_NO_CACHE']) return null;
  const own = env['WASMETER_CACHE_DIR'];
  if (own) return own;
  const xdg = env['XDG_CACHE_HOME'];
  if (xdg && isAbsolute(xdg)) return join(xdg, 'wasmeter');
  if (platform === 'win32') return env['LOCALAPPDATA'] ? join(env['LOCALAPPDATA'], 'wasmeter', 'Cache') : null;
  const home = env['HOME'];
  if (!home) return null;
  return platform === 'darwin' ? join(home, 'Library', 'Caches', 'wasmeter') : join(home, '.cache', 'wasmeter');
}

/** FNV-1a of a short string (the bundle's path), in hex: cache files of different installations are different files. */
function pathHash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** Fills `buf` from the start of an open file; false when the file is shorter. */
function readFull(fd: number, buf: Uint8Array): boolean {
  for (let at = 0; at < buf.length; ) {
    const n = readSync(fd, buf, at, buf.length - at, at);
    if (n === 0) return false;
    at += n;
  }
  return true;
}

/** The V8 data of a cache file whose first line is `key` with a matching checksum, else undefined. */
function readCache(file: string, key: string): Uint8Array | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = fstatSync(fd).size;
    const ck = size > 0 && size <= MAX_CACHE_BYTES ? checksummer(size) : null;
    if (ck === null || !readFull(fd, ck.memory)) return undefined;
    const bytes = ck.memory;
    const nl = bytes.subarray(0, 512).indexOf(0x0a);
    if (nl < 0) return undefined;
    const header = Buffer.from(bytes.buffer, bytes.byteOffset, nl).toString('latin1').trimEnd();
    const data = bytes.subarray(nl + 1);
    return header === `${key} ${ck.sum(nl + 1, data.length)} ${data.length}` ? data : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Writes a cache file (its first line, then V8's data), beside it first and renamed: never a half-written file. */
function writeCache(file: string, key: string, data: Uint8Array): void {
  const ck = checksummer(data.length);
  if (ck === null) return;
  ck.memory.set(data);
  // (padded with spaces so that V8's data starts 8-byte aligned, as V8 wants it: else it copies it first)
  const line = `${key} ${ck.sum(0, data.length)} ${data.length}`;
  const header = Buffer.from(`${line.padEnd(((line.length + 1 + 7) & ~7) - 1)}\n`, 'latin1');
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(tmp, Buffer.concat([header, data]), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // not writable: the next run compiles the bundle again
    try {
      rmSync(tmp, { force: true });
    } catch {
      // nothing was written
    }
  }
}

/**
 * Loads a CommonJS bundle (a file whose first line is BUNDLE_TAG and its hash, then its code in BUNDLE_WRAPPER)
 * and returns its exports, through the code cache of `kind` (a command: each has its own, holding the functions
 * that command runs) in `dir`. `req` is the bundle's `require`: it requires Node's built-in modules only (the
 * bundle holds everything else).
 */
export function loadBundle(file: string, kind: string, req: NodeJS.Require, dir: string | null = cacheDir(process.env)): unknown {
  let mtime: number;
  let source: string;
  const fd = openSync(file, 'r');
  try {
    const st = fstatSync(fd);
    mtime = st.mtimeMs;
    const buf = Buffer.allocUnsafe(st.size);
    if (!readFull(fd, buf)) throw new Error(`${file}: shorter than its size`);
    // (the bundle is ASCII, tsup.config.ts checks: latin1 is its text and the cheapest to decode)
    source = buf.toString('latin1');
  } finally {
    closeSync(fd);
  }
  const tag = source.startsWith(BUNDLE_TAG) ? source.slice(BUNDLE_TAG.length, source.indexOf('\n')) : '';
  const cacheFile = dir !== null && /^[0-9a-f]{64}$/.test(tag) ? join(dir, `${kind}-${process.version}-${process.arch}-${pathHash(file)}.v8`) : null;
  const key = `${MAGIC} ${tag} ${mtime} ${process.version} ${process.arch}`;
  const cached = cacheFile === null ? undefined : readCache(cacheFile, key);
  const script = new Script(source, cached === undefined ? { filename: file } : { filename: file, cachedData: cached });
  if (cacheFile !== null && (cached === undefined || script.cachedDataRejected === true)) {
    process.once('exit', (code) => {
      if (code === 0) writeCache(cacheFile, key, script.createCachedData());
    });
  }
  const module = { exports: {} as unknown };
  (script.runInThisContext() as (...a: unknown[]) => void)(module.exports, req, module, file, dirname(file));
  return module.exports;
}
