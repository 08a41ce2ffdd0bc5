/**
 * The `wasmeter` CLI, spawned as a process. The CLI is bundled from source
 * first (tsup's API, into node_modules/.cache), so the test never runs a
 * stale dist/; set WASMETER_CLI=dist/cli.js to test the built CLI instead.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const C = join(ROOT, 'test/wasi/c');
let cli = process.env.WASMETER_CLI ? resolve(process.env.WASMETER_CLI) : '';
const work = mkdtempSync(join(tmpdir(), 'wasmeter-cli-'));

beforeAll(async () => {
  if (cli) return;
  const { build } = await import('tsup');
  // inside the package, so the bundle resolves its dependencies (commander, ...) from node_modules
  const out = join(ROOT, 'node_modules/.cache/wasmeter-cli-test');
  await build({
    entry: { cli: join(ROOT, 'src/cli/main.ts') },
    format: ['esm'],
    outDir: out,
    target: 'node20',
    silent: true,
    config: false,
    dts: false,
    sourcemap: false,
    clean: false,
  });
  cli = join(out, 'cli.js');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(args: string[], input = '', cwd = ROOT): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { input, cwd, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}
const wat = (name: string, text: string): string => {
  const p = join(work, name);
  writeFileSync(p, text);
  return p;
};

describe('wasmeter run (WASI)', () => {
  it('runs _start with program arguments and --env; nothing else is inherited', () => {
    const r = run(['run', join(C, 'hello.wasm'), 'a b', 'c', '--env', 'GREETING=yo', '--env', 'X=1=2']);
    expect(r.code).toBe(0);
    expect(r.out).toBe('hello from wasi\nargc=3\nargv[1]=a b\nargv[2]=c\nenvc=2\nenv GREETING=yo\nenv X=1=2\nGREETING=yo\n');
    expect(r.err).toBe('this goes to stderr\n');
  });
  it("the program's exit code is the process's; arguments after -- may start with -", () => {
    expect(run(['run', join(C, 'exitcode.wasm'), '42']).code).toBe(42);
    expect(run(['run', join(C, 'hello.wasm'), '--', '-v', '--x']).out).toContain('argv[1]=-v\nargv[2]=--x\n');
  });
  it('stdin is inherited', () => {
    const r = run(['run', join(C, 'stdin.wasm')], 'one 1\ntwo 2\n');
    expect(r.out).toBe('[1 eno]\n[2 owt]\nbytes=12 lines=2 words=4 sum=3\n');
  });
  it('--dir (read-write) and --dir-ro (denied writes are EROFS)', () => {
    const d = join(work, 'dir');
    mkdirSync(d);
    const r = run(['run', join(C, 'fileops.wasm'), '/data/w', '--dir', `${d}:/data`]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('rename deep->moved -> 0');
    expect(readFileSync(join(d, 'w', 'b.txt'), 'utf8')).toBe('hello, WASI!');
    const ro = run(['run', join(C, 'fileops.wasm'), '/data/w2', '--dir-ro', `${d}:/data`, '--json']);
    const j = JSON.parse(ro.out);
    expect(j.stdout).toContain('mkdir base -> -1 (Read-only file system)');
    expect(j.denied[0]).toMatchObject({ call: 'path_create_directory', errno: 69, path: 'w2' });
    expect(existsSync(join(d, 'w2'))).toBe(false);
    // relative host directory, guest name defaults to the host path
    const rel = run(['run', join(C, 'walk.wasm'), 'w', '--dir', '.'], '', d);
    expect(rel.out).toContain('b.txt size=12');
    expect(run(['run', join(C, 'walk.wasm'), '--dir', join(work, 'missing')]).code).toBe(2);
  });
  it('deterministic: the same seed gives the same output; --seed changes random bytes only', () => {
    const a = run(['run', join(C, 'clockrand.wasm'), 'values']).out;
    expect(run(['run', join(C, 'clockrand.wasm'), 'values']).out).toBe(a);
    const b = run(['run', join(C, 'clockrand.wasm'), 'values', '--seed', '9']).out;
    expect(b).not.toBe(a);
    expect(b.split('\n').filter((l) => !l.startsWith('random') && !l.startsWith('rand()'))).toEqual(
      a.split('\n').filter((l) => !l.startsWith('random') && !l.startsWith('rand()')),
    );
    expect(a).toContain('realtime 1704067200.000000000');
    const host = run(['run', join(C, 'clockrand.wasm'), 'values', '--inherit-clock']).out;
    expect(host).not.toContain('realtime 1704067200.');
  });
  it('--json: exitCode, fuel, peaks, captured stdio', () => {
    const r = run(['run', join(C, 'exitcode.wasm'), '3', '--json', '--fuel', '10000000']);
    expect(r.code).toBe(3);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ mode: 'wasi', exitCode: 3, guestExitCode: 3, error: null, stdout: 'about to exit\n', stderr: '', denied: [] });
    expect(j.fuelConsumed).toBeGreaterThan(1000);
    expect(j.fuelRemaining).toBe(10_000_000 - j.fuelConsumed);
    expect(j.peaks.memoryBytes).toBe(131072);
  });
  it('--no-count-fuel: same run, no fuel counted; refuses a budget', () => {
    const r = run(['run', join(C, 'exitcode.wasm'), '3', '--json', '--no-count-fuel']);
    expect(r.code).toBe(3);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ exitCode: 3, error: null, stdout: 'about to exit\n', fuelConsumed: null, fuelRemaining: null });
    expect(run(['run', join(ROOT, 'examples/fib.wat'), '--invoke', 'fib', '20', '--no-count-fuel', '--stats']).out).toMatch(/^6765\nfuel consumed: not counted\n/);
    const bad = run(['run', join(C, 'exitcode.wasm'), '0', '--no-count-fuel', '--fuel', '100']);
    expect(bad.code).toBe(2);
    expect(bad.err).toBe('--no-count-fuel cannot be combined with --fuel\n');
  });
  it('--stats goes to stderr for WASI programs', () => {
    const r = run(['run', join(C, 'exitcode.wasm'), '0', '--stats']);
    expect(r.out).toBe('about to exit\n');
    expect(r.err).toMatch(/^fuel consumed: \d+\npeak memory bytes: 131072\n/);
  });
});

describe('wasmeter run: exit codes by error kind', () => {
  const cases: [string, string[], number, RegExp][] = [
    ['trap', [join(C, 'exitcode.wasm'), 'trap'], 5, /^trap: unreachable\n$/],
    ['out of fuel', [join(C, 'compute.wasm'), '--fuel', '1000'], 6, /^out of fuel: consumed 1000/],
    ['resource limit', [join(C, 'compute.wasm'), '--max-memory', '65536'], 7, /^resource limit: memory of 131072 bytes/],
    ['call depth', [join(ROOT, 'examples/fib.wat'), '--invoke', 'fib', '30', '--max-call-depth', '5'], 5, /call stack exhausted/],
    ['usage: unknown option', [join(C, 'hello.wasm'), '--bogus'], 2, /unknown option '--bogus'/],
    ['usage: no _start', [join(ROOT, 'examples/fib.wat')], 2, /exports no _start function/],
    ['usage: no such export', [join(ROOT, 'examples/fib.wat'), '--invoke', 'nope'], 2, /no exported function 'nope'/],
    ['usage: bad value', [join(ROOT, 'examples/fib.wat'), '--invoke', 'fib', 'x'], 2, /'x' is not a valid i32/],
    ['usage: missing file', [join(work, 'none.wasm')], 2, /cannot read/],
  ];
  for (const [name, args, code, err] of cases) {
    it(`${name} -> ${code}`, () => {
      const r = run(['run', ...args]);
      expect(r.code).toBe(code);
      expect(r.err).toMatch(err);
    });
  }
  it('invalid module -> 3, link error -> 4, unsupported -> 9', () => {
    expect(run(['run', wat('bad.wat', '(module (func (export "_start") (i32.add)))')]).code).toBe(3);
    expect(run(['run', wat('bad.wasm', '\0asm\x01\0\0\0\x01\xff')]).code).toBe(3);
    const l = run(['run', wat('link.wat', '(module (import "env" "foo" (func)) (func (export "_start")))')]);
    expect([l.code, l.err]).toEqual([4, 'link: unknown import env.foo (func)\n']);
    // the custom-descriptors proposal is the one syntax wasmeter recognises but does not support
    const cd = wat('cd.wat', '(module (rec (type $a (descriptor $b) (struct)) (type $b (describes $a) (struct))) (func (export "_start")))');
    expect(run(['run', cd])).toMatchObject({ code: 9, err: expect.stringMatching(/unsupported: descriptor clause/) });
  });
  it('an uncaught wasm exception -> 5', () => {
    const p = wat('exn.wat', '(module (tag $e (param i32)) (func (export "_start") (throw $e (i32.const 1))))');
    const r = run(['run', p]);
    expect(r.code).toBe(5);
    expect(r.err).toMatch(/^uncaught exception: /);
  });
  it('--json reports the error kind and message', () => {
    const j = JSON.parse(run(['run', join(C, 'exitcode.wasm'), 'trap', '--json']).out);
    expect(j).toMatchObject({ exitCode: 5, error: { kind: 'trap', message: 'unreachable' }, stdout: 'about to exit\n' });
  });
});

describe('wasmeter run --invoke', () => {
  it('calls one export and prints its results', () => {
    expect(run(['run', join(ROOT, 'examples/fib.wat'), '--invoke', 'fib', '20'])).toMatchObject({ code: 0, out: '6765\n' });
    const j = JSON.parse(run(['run', join(ROOT, 'examples/fib.wat'), '--invoke', 'fib', '10', '--json']).out);
    expect(j).toMatchObject({ mode: 'invoke', exitCode: 0, results: [{ type: 'i32', value: '55' }], error: null });
  });
  it('a module importing WASI gets it in invoke mode too (_initialize first)', () => {
    const p = wat(
      'reactor.wat',
      `(module
        (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
        (memory (export "memory") 1)
        (global $n (mut i32) (i32.const 0))
        (func (export "_initialize") (global.set $n (i32.const 40)))
        (func (export "hi") (param i32) (result i32)
          (i32.store (i32.const 0) (i32.const 100))
          (i32.store (i32.const 4) (i32.const 3))
          (i32.store8 (i32.const 100) (i32.const 104))
          (i32.store8 (i32.const 101) (i32.const 105))
          (i32.store8 (i32.const 102) (i32.const 10))
          (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
          (i32.add (global.get $n) (local.get 0))))`,
    );
    expect(run(['run', p, '--invoke', 'hi', '2'])).toMatchObject({ code: 0, out: 'hi\n42\n' });
  });
  it('--stats prints to stdout in invoke mode', () => {
    const r = run(['run', join(ROOT, 'examples/fib.wat'), '--invoke', 'fib', '5', '--stats']);
    expect(r.out).toMatch(/^5\nfuel consumed: \d+\n/);
  });
});

describe('wasmeter run: fuel options', () => {
  const fib = join(ROOT, 'examples/fib.wat');
  it('--costs loads a cost table: the fuel consumed follows it', () => {
    const unit = JSON.parse(run(['run', fib, '--invoke', 'fib', '10', '--json']).out);
    const costs = wat('costs.json', JSON.stringify({ default: 3 }));
    const tripled = JSON.parse(run(['run', fib, '--invoke', 'fib', '10', '--json', '--costs', costs]).out);
    expect(tripled.results).toEqual(unit.results);
    expect(tripled.fuelConsumed).toBe(3 * unit.fuelConsumed);
  });
  it('--costs rejects an unknown field or family with exit code 2', () => {
    const bad = wat('bad-costs.json', JSON.stringify({ families: { nope: 1 } }));
    const r = run(['run', fib, '--invoke', 'fib', '10', '--costs', bad]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown family 'nope'/);
    expect(run(['run', fib, '--invoke', 'fib', '10', '--costs', wat('typo.json', '{"defualt": 1}')]).err).toMatch(/unknown cost table field 'defualt'/);
  });
  it('--profile prints fuel per function; in --json its self fuel adds up to the total', () => {
    const r = run(['run', fib, '--invoke', 'fib', '15', '--profile']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^610\nfunction\s+calls\s+self fuel\s+total fuel\nfib\s+1973\s+\d+\s+\d+\n$/);
    const j = JSON.parse(run(['run', fib, '--invoke', 'fib', '15', '--profile', '--json']).out);
    const self = (j.profile as { self: number }[]).reduce((a, p) => a + p.self, 0);
    expect(self).toBe(j.fuelConsumed);
  });
  it('--timeout interrupts a long run with exit code 11', () => {
    const spin = wat('spin.wat', '(module (func (export "spin") (loop (br 0))))');
    const r = run(['run', spin, '--invoke', 'spin', '--timeout', '200']);
    expect(r.code).toBe(11);
    expect(r.err).toMatch(/deadline passed/);
  });
});

describe('wasmeter inspect', () => {
  it('sections with sizes, imports and exports with types', () => {
    const r = run(['inspect', join(C, 'hello.wasm')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/code\s+\d+ bytes/);
    expect(r.out).toContain('wasi_snapshot_preview1.fd_seek: (func (param i32 i64 i32 i32) (result i32))');
    expect(r.out).toContain('wasi_snapshot_preview1.proc_exit: (func (param i32))');
    expect(r.out).toContain('memory: (memory 2)');
    expect(r.out).toContain('_start: (func)');
    const j = JSON.parse(run(['inspect', join(ROOT, 'examples/fib.wat'), '--json']).out);
    expect(j.exports).toEqual([
      { name: 'fib', kind: 'func', index: 0, type: '(func (param i32) (result i32))' },
      { name: 'sum', kind: 'func', index: 1, type: '(func (param i64) (result i64))' },
    ]);
    expect(j.sections.map((s: { name: string }) => s.name)).toEqual(['type', 'function', 'export', 'code', 'custom']);
    const total = 8 + j.sections.reduce((n: number, s: { size: number; offset: number }, i: number) => n + s.size + (j.sections[i + 1]?.offset ?? j.size) - s.offset - s.size, 0);
    expect(total).toBe(j.size);
  });
  it('imports of every kind', () => {
    const p = wat(
      'imp.wat',
      '(module (import "m" "t" (table 1 10 funcref)) (import "m" "mem" (memory 1 2)) (import "m" "g" (global (mut i64))) (export "t2" (table 0)) (export "g2" (global 0)))',
    );
    const r = run(['inspect', p]);
    expect(r.out).toContain('m.t: (table 1 10 funcref)');
    expect(r.out).toContain('m.mem: (memory 1 2)');
    expect(r.out).toContain('m.g: (global (mut i64))');
    expect(r.out).toContain('t2: (table 1 10 funcref)');
    expect(r.out).toContain('g2: (global (mut i64))');
  });
  it('errors: unreadable -> 2, invalid -> 3', () => {
    expect(run(['inspect', join(work, 'nothing.wasm')]).code).toBe(2);
    expect(run(['inspect', wat('bad2.wat', '(module (func (i32.add)))')]).code).toBe(3);
  });
});

describe('wasmeter --help', () => {
  it('documents the exit codes and the run options', () => {
    const top = run(['--help']);
    expect(top.code).toBe(0);
    expect(top.out).toContain('inspect');
    expect(top.out).toContain('Exit codes:');
    const r = run(['run', '--help']).out;
    for (const o of ['--invoke', '--dir', '--dir-ro', '--env', '--seed', '--inherit-clock', '--fuel', '--max-memory', '--max-call-depth', '--stats', '--json'])
      expect(r).toContain(o);
    expect(r).toMatch(/6\s+out of fuel/);
  });
});
