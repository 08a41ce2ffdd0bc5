/**
 * The CLI's V8 code cache (src/cli/cache.ts): a run writes it, the next run uses it, and no cache file, however
 * stale, damaged or unwritable, changes what a run prints or exits with: each case runs the CLI (as
 * test/unit/cli.test.ts does) against a cache directory of its own and compares with a run without a cache.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_TAG, CHECKSUM_WASM, CHECKSUM_WAT, cacheDir, checksummer } from '../../src/cli/cache.js';
import { watToBinary } from '../../src/text/wat.js';
import { cliUnderTest } from '../shared/dist.js';

const ROOT = resolve(__dirname, '../..');
const HELLO = join(ROOT, 'test/wasi/c/hello.wasm');
const work = mkdtempSync(join(tmpdir(), 'wasmeter-cli-cache-'));
let cli = '';
beforeAll(async () => {
  cli = await cliUnderTest(work);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const { NO_COLOR: _n, FORCE_COLOR: _f, CI: _ci, WASMETER_CACHE_DIR: _d, WASMETER_NO_CACHE: _o, ...baseEnv } = process.env;
type Run = { code: number; out: string; err: string };
function run(args: string[], env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Run {
  const r = spawnSync(process.execPath, [...nodeArgs, cli, ...args], { encoding: 'utf8', env: { ...baseEnv, ...env } });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}
const HELLO_ARGS = ['run', HELLO, 'x'];
/** What `run hello.wasm x` prints without a cache. */
let expected: Run;
beforeAll(() => {
  expected = run(HELLO_ARGS, { WASMETER_NO_CACHE: '1' });
  expect(expected.code).toBe(0);
  expect(expected.out).toContain('hello from wasi\nargc=2\nargv[1]=x\n');
});

let dirs = 0;
const freshDir = (): string => join(work, `cache-${dirs++}`);
/** The cache files of a directory. */
/** The cache directory's files (not `jit/`, the JS tier's cache of generated functions: test/jit-cache). */
const files = (dir: string): string[] => readdirSync(dir).filter((f) => f !== 'jit').sort();
/** A file's identity and contents: a rewritten cache is a new file (renamed into place), even with the same bytes. */
const snapshot = (f: string): string => {
  const s = statSync(f);
  return `${s.ino} ${s.mtimeMs} ${readFileSync(f).toString('base64')}`;
};
/** A directory with a cache written by one run, and that cache file. */
function primed(): { dir: string; file: string } {
  const dir = freshDir();
  expect(run(HELLO_ARGS, { WASMETER_CACHE_DIR: dir })).toEqual(expected);
  const [name] = files(dir);
  return { dir, file: join(dir, name!) };
}

describe('the checksum of a cache file', () => {
  it('CHECKSUM_WASM is CHECKSUM_WAT', () => {
    expect(Buffer.from(CHECKSUM_WASM, 'base64')).toEqual(Buffer.from(watToBinary(CHECKSUM_WAT)));
  });
  it('is the Fletcher-style sum it documents, any length, any offset', () => {
    const reference = (b: Uint8Array): string => {
      let a = 1n;
      let s = 0n;
      const blocks = b.length & ~31;
      const view = new DataView(b.buffer, b.byteOffset, b.length);
      for (let i = 0; i < blocks; i += 8) {
        a = BigInt.asUintN(64, a + view.getBigUint64(i, true));
        s = BigInt.asUintN(64, s + a);
      }
      for (let i = blocks; i < b.length; i++) {
        a = BigInt.asUintN(64, a + BigInt(b[i]!));
        s = BigInt.asUintN(64, s + a);
      }
      const rotl = BigInt.asUintN(64, (s << 32n) | (s >> 32n));
      return (a ^ rotl).toString(16);
    };
    let seed = 7;
    for (const n of [0, 1, 2, 3, 7, 8, 9, 31, 32, 33, 100, 4099, 70_001]) {
      const ck = checksummer(n + 3)!;
      for (let i = 0; i < n + 3; i++) ck.memory[i] = seed = (Math.imul(seed, 1103515245) + 12345) >>> 8;
      expect(ck.sum(3, n), `length ${n}`).toBe(reference(ck.memory.subarray(3, n + 3)));
    }
    // one flipped bit changes it
    const ck = checksummer(1000)!;
    const before = ck.sum(0, 1000);
    ck.memory[517]! ^= 4;
    expect(ck.sum(0, 1000)).not.toBe(before);
  });
});

describe('where the cache is', () => {
  it('$WASMETER_CACHE_DIR, else $XDG_CACHE_HOME/wasmeter, else the user cache directory; WASMETER_NO_CACHE turns it off', () => {
    expect(cacheDir({ WASMETER_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x', HOME: '/h' }, 'linux')).toBe('/c');
    expect(cacheDir({ WASMETER_CACHE_DIR: '/c', WASMETER_NO_CACHE: '1' }, 'linux')).toBeNull();
    expect(cacheDir({ XDG_CACHE_HOME: '/x', HOME: '/h' }, 'linux')).toBe(join('/x', 'wasmeter'));
    // (a relative XDG_CACHE_HOME is to be ignored)
    expect(cacheDir({ XDG_CACHE_HOME: 'x', HOME: '/h' }, 'linux')).toBe(join('/h', '.cache', 'wasmeter'));
    expect(cacheDir({ HOME: '/h' }, 'darwin')).toBe(join('/h', 'Library', 'Caches', 'wasmeter'));
    expect(cacheDir({ LOCALAPPDATA: 'C:\\u' }, 'win32')).toBe(join('C:\\u', 'wasmeter', 'Cache'));
    expect(cacheDir({}, 'win32')).toBeNull();
    expect(cacheDir({}, 'linux')).toBeNull();
  });
});

describe('the CLI code cache', () => {
  it('the bundle names its hash on its first line', () => {
    const first = readFileSync(join(cli, '..', 'cli', 'main.cjs'), 'latin1').split('\n', 1)[0]!;
    expect(first).toMatch(new RegExp(`^${BUNDLE_TAG}[0-9a-f]{64}$`));
  });
  it('a run writes it; the next run uses it as it is', () => {
    const { dir, file } = primed();
    expect(files(dir)).toEqual([expect.stringMatching(/^run-v\d+\.\d+\.\d+-\w+-[0-9a-f]{8}\.v8$/)]);
    expect(readFileSync(file, 'latin1').split('\n', 1)[0]).toMatch(/^wasmeter-v8-cache 1 [0-9a-f]{64} /);
    // V8's data starts 8-byte aligned (V8 copies misaligned data before reading it)
    expect((readFileSync(file).indexOf(0x0a) + 1) % 8).toBe(0);
    const before = snapshot(file);
    expect(run(HELLO_ARGS, { WASMETER_CACHE_DIR: dir })).toEqual(expected);
    // accepted: not written again
    expect(snapshot(file)).toBe(before);
    expect(files(dir)).toEqual([file.slice(dir.length + 1)]);
  });
  it('other commands have a cache of their own; a run that fails writes none', () => {
    const dir = freshDir();
    const missing = run(['run', join(work, 'none.wasm')], { WASMETER_CACHE_DIR: dir });
    expect(missing.code).toBe(2);
    expect(readdirSync(work)).not.toContain(dir.slice(work.length + 1));
    expect(run(['validate', HELLO], { WASMETER_CACHE_DIR: dir })).toEqual({ code: 0, out: 'ok\n', err: '' });
    expect(files(dir)).toEqual([expect.stringMatching(/^cli-/)]);
    expect(run(HELLO_ARGS, { WASMETER_CACHE_DIR: dir })).toEqual(expected);
    expect(files(dir).map((f) => f.slice(0, 4))).toEqual(['cli-', 'run-']);
  });
  it('WASMETER_NO_CACHE=1: no cache read or written', () => {
    const { dir, file } = primed();
    writeFileSync(file, 'not a cache');
    const other = freshDir();
    expect(run(HELLO_ARGS, { WASMETER_CACHE_DIR: other, WASMETER_NO_CACHE: '1' })).toEqual(expected);
    expect(() => readdirSync(other)).toThrow();
    expect(run(HELLO_ARGS, { WASMETER_CACHE_DIR: dir, WASMETER_NO_CACHE: '1' })).toEqual(expected);
    expect(readFileSync(file, 'utf8')).toBe('not a cache');
  });

  /** A cache directory holding a good cache file damaged by `how`: the run is as without a cache, and writes a good cache in its place. */
  function damaged(how: (bytes: Buffer, headerEnd: number) => Buffer, rewrittenIsUsed = false): void {
    const dir = freshDir();
    mkdirSync(dir);
    const file = join(dir, good.name);
    writeFileSync(file, how(Buffer.from(good.bytes), good.bytes.indexOf(0x0a)));
    expect(run(HELLO_ARGS, { WASMETER_CACHE_DIR: dir })).toEqual(expected);
    expect(readFileSync(file).subarray(0, 20).toString('latin1')).toBe('wasmeter-v8-cache 1 ');
    if (!rewrittenIsUsed) return;
    const rewritten = snapshot(file);
    expect(run(HELLO_ARGS, { WASMETER_CACHE_DIR: dir })).toEqual(expected);
    expect(snapshot(file)).toBe(rewritten);
  }
  let good: { name: string; bytes: Buffer };
  beforeAll(() => {
    const { dir, file } = primed();
    good = { name: file.slice(dir.length + 1), bytes: readFileSync(file) };
  });
  it('corrupt V8 data (bytes flipped past the header) is not handed to V8', () => {
    // (V8 checks no checksum of its own in a release build: it would deserialize this and crash)
    damaged((b, h) => {
      for (let i = h + 200; i < b.length; i += 997) b[i]! ^= 0xa5;
      return b;
    }, true);
  });
  it('a truncated file, an empty file, a file of garbage, a header of another bundle or Node', () => {
    damaged((b) => b.subarray(0, b.length >> 1));
    damaged(() => Buffer.alloc(0));
    damaged((b) => Buffer.from(b.map((x, i) => (x * 31 + i) & 0xff)));
    damaged((b) => Buffer.from(b.toString('latin1').replace(/^(wasmeter-v8-cache 1 )[0-9a-f]/, '$10'), 'latin1'));
    damaged((b) => Buffer.from(b.toString('latin1').replace(process.version, 'v0.0.0'), 'latin1'));
    // the checksum of other data: a cache made for another bundle of the same length
    damaged((b, h) => Buffer.concat([b.subarray(0, h + 1), Buffer.alloc(b.length - h - 1, 7)]));
  });
  it('a cache V8 rejects (made under other V8 flags) is replaced', () => {
    const dir = freshDir();
    expect(run(HELLO_ARGS, { WASMETER_CACHE_DIR: dir }, ['--stack-size=900'])).toEqual(expected);
    const [name] = files(dir);
    const other = snapshot(join(dir, name!));
    expect(run(HELLO_ARGS, { WASMETER_CACHE_DIR: dir })).toEqual(expected);
    const own = snapshot(join(dir, name!));
    expect(own).not.toBe(other);
    expect(run(HELLO_ARGS, { WASMETER_CACHE_DIR: dir })).toEqual(expected);
    expect(snapshot(join(dir, name!))).toBe(own);
  });
  it('a cache directory that cannot be made or written: the run is the same, silently', () => {
    const file = join(work, 'a-file');
    writeFileSync(file, '');
    expect(run(HELLO_ARGS, { WASMETER_CACHE_DIR: join(file, 'cache') })).toEqual(expected);
    if (process.getuid?.() !== 0) {
      // (root writes a read-only directory anyway)
      const ro = freshDir();
      mkdirSync(ro);
      chmodSync(ro, 0o500);
      expect(run(HELLO_ARGS, { WASMETER_CACHE_DIR: ro })).toEqual(expected);
      expect(files(ro)).toEqual([]);
      chmodSync(ro, 0o700);
    }
    // a read-only cache file is still read; a directory where the cache file would be is no cache
    const { dir, file: cached } = primed();
    chmodSync(cached, 0o400);
    expect(run(HELLO_ARGS, { WASMETER_CACHE_DIR: dir })).toEqual(expected);
    const name = cached.slice(dir.length + 1);
    rmSync(cached);
    mkdirSync(cached);
    expect(run(HELLO_ARGS, { WASMETER_CACHE_DIR: dir })).toEqual(expected);
    expect(files(dir)).toEqual([name]);
    expect(statSync(cached).isDirectory()).toBe(true);
  });
});
