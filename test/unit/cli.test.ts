/**
 * The `wasmeter` CLI: dist/cli.cjs when it was built from the sources as they
 * are (`npm test` builds dist/ first), else the CLI bundled from source (tsup's
 * API, with tsup.config.ts's CLI options, into a temporary directory: the
 * bundle carries its dependencies), so the test never runs a stale dist/;
 * WASMETER_CLI=<file> tests that file. Most command lines run in the CLI host
 * (test/shared/cli-host.ts: one process evaluates the CLI's bundle afresh for
 * each); those that test the process itself (its exit code, stdin, what it
 * evaluates) are node processes of their own, and so are test/unit/cli-cache's.
 * The runs use a code cache directory of their own
 * (test/unit/cli-cache.test.ts tests the cache).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watToBinary } from '../../src/text/wat.js';
import { CliHost } from '../shared/cli-host.js';
import { cliUnderTest } from '../shared/dist.js';

const ROOT = resolve(__dirname, '../..');
const C = join(ROOT, 'test/wasi/c');
let cli = '';
let host: CliHost;
const work = mkdtempSync(join(tmpdir(), 'wasmeter-cli-'));

beforeAll(async () => {
  cli = await cliUnderTest(work);
  host = new CliHost(cli);
});
afterAll(async () => {
  await host.close();
  rmSync(work, { recursive: true, force: true });
});

// the CLI's output must not depend on the machine: no colour variables from the environment (CI sets FORCE_COLOR or CI)
const { NO_COLOR: _n, FORCE_COLOR: _f, CI: _ci, ...machineEnv } = process.env;
const plainEnv = { ...machineEnv, WASMETER_CACHE_DIR: join(work, 'cache') };
/** `wasmeter ARGS` run by the CLI host (test/shared/cli-host.ts: the bundle evaluated afresh, in a process that runs many). */
function run(args: string[], input = '', cwd = ROOT, env: NodeJS.ProcessEnv = plainEnv): { code: number; out: string; err: string } {
  return host.run(args, input, cwd, env);
}
/** `wasmeter ARGS` as a process of its own: what the host cannot show (the process's exit code, stdin and stdout). */
function spawnRun(args: string[], input = '', cwd = ROOT, env: NodeJS.ProcessEnv = plainEnv): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { input, cwd, encoding: 'utf8', env });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}
const wat = (name: string, text: string): string => {
  const p = join(work, name);
  writeFileSync(p, text);
  return p;
};

describe('wasmeter run (WASI)', () => {
  it('runs _start with program arguments and --env; nothing else is inherited', () => {
    const r = run(['run', '--env', 'GREETING=yo', '--env', 'X=1=2', join(C, 'hello.wasm'), 'a b', 'c']);
    expect(r.code).toBe(0);
    expect(r.out).toBe('hello from wasi\nargc=3\nargv[1]=a b\nargv[2]=c\nenvc=2\nenv GREETING=yo\nenv X=1=2\nGREETING=yo\n');
    expect(r.err).toBe('this goes to stderr\n');
  });
  it("the program's exit code is the process's", () => {
    expect(spawnRun(['run', join(C, 'exitcode.wasm'), '42']).code).toBe(42);
  });
  it('everything after the module goes to the program, options too; a -- right after it is dropped', () => {
    const r = run(['run', '--env', 'A=1', join(C, 'hello.wasm'), '-v', '--x', '--env', 'B=2', '--']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('argc=6\nargv[1]=-v\nargv[2]=--x\nargv[3]=--env\nargv[4]=B=2\nargv[5]=--\nenvc=1\nenv A=1\n');
    expect(run(['run', join(C, 'hello.wasm'), '--', '-v', '--x']).out).toContain('argc=3\nargv[1]=-v\nargv[2]=--x\n');
    expect(run(['run', '--', join(C, 'hello.wasm'), '-v']).out).toContain('argc=2\nargv[1]=-v\n');
    // --help after the module is the program's too
    expect(run(['run', join(C, 'hello.wasm'), '--help']).out).toContain('argv[1]=--help\n');
  });
  it('stdin is inherited', () => {
    // (the process's stdin, and the host's stand-in for it)
    for (const r of [spawnRun(['run', join(C, 'stdin.wasm')], 'one 1\ntwo 2\n'), run(['run', join(C, 'stdin.wasm')], 'one 1\ntwo 2\n')])
      expect(r.out).toBe('[1 eno]\n[2 owt]\nbytes=12 lines=2 words=4 sum=3\n');
  });
  it('--dir (read-write) and --dir-ro (denied writes are EROFS)', () => {
    const d = join(work, 'dir');
    mkdirSync(d);
    const r = run(['run', '--dir', `${d}:/data`, join(C, 'fileops.wasm'), '/data/w']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('rename deep->moved -> 0');
    expect(readFileSync(join(d, 'w', 'b.txt'), 'utf8')).toBe('hello, WASI!');
    const ro = run(['run', '--dir-ro', `${d}::/data`, '--json', join(C, 'fileops.wasm'), '/data/w2']);
    const j = JSON.parse(ro.out);
    expect(j.stdout).toContain('mkdir base -> -1 (Read-only file system)');
    expect(j.denied[0]).toMatchObject({ call: 'path_create_directory', errno: 69, path: 'w2' });
    expect(existsSync(join(d, 'w2'))).toBe(false);
    // relative host directory, guest name defaults to the host path
    const rel = run(['run', '--dir', '.', join(C, 'walk.wasm'), 'w'], '', d);
    expect(rel.out).toContain('b.txt size=12');
    expect(run(['run', '--dir', join(work, 'missing'), join(C, 'walk.wasm')]).code).toBe(2);
  });
  it('deterministic: the same seed gives the same output; --seed changes random bytes only', () => {
    const a = run(['run', join(C, 'clockrand.wasm'), 'values']).out;
    expect(run(['run', join(C, 'clockrand.wasm'), 'values']).out).toBe(a);
    const b = run(['run', '--seed', '9', join(C, 'clockrand.wasm'), 'values']).out;
    expect(b).not.toBe(a);
    expect(b.split('\n').filter((l) => !l.startsWith('random') && !l.startsWith('rand()'))).toEqual(
      a.split('\n').filter((l) => !l.startsWith('random') && !l.startsWith('rand()')),
    );
    expect(a).toContain('realtime 1704067200.000000000');
    const host = run(['run', '--inherit-clock', join(C, 'clockrand.wasm'), 'values']).out;
    expect(host).not.toContain('realtime 1704067200.');
  });
  it('--json: exitCode, fuel, peaks, captured stdio', () => {
    const r = run(['run', '--json', '--fuel', '10000000', join(C, 'exitcode.wasm'), '3']);
    expect(r.code).toBe(3);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ mode: 'wasi', exitCode: 3, guestExitCode: 3, error: null, stdout: 'about to exit\n', stderr: '', denied: [] });
    expect(j.fuelConsumed).toBeGreaterThan(1000);
    expect(j.fuelRemaining).toBe(10_000_000 - j.fuelConsumed);
    expect(j.peaks.memoryBytes).toBe(131072);
  });
  it('--no-count-fuel: same run, no fuel counted; refuses a budget', () => {
    const r = run(['run', '--json', '--no-count-fuel', join(C, 'exitcode.wasm'), '3']);
    expect(r.code).toBe(3);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ exitCode: 3, error: null, stdout: 'about to exit\n', fuelConsumed: null, fuelRemaining: null });
    expect(run(['run', '--invoke', 'fib', '--no-count-fuel', '--stats', join(ROOT, 'examples/fib.wat'), '20']).out).toMatch(/^6765\nfuel consumed: not counted\n/);
    const bad = run(['run', '--no-count-fuel', '--fuel', '100', join(C, 'exitcode.wasm'), '0']);
    expect(bad.code).toBe(2);
    expect(bad.err).toBe("error: --no-count-fuel cannot be combined with --fuel\n(try 'wasmeter run --help')\n");
  });
  it('--stats goes to stderr for WASI programs', () => {
    const r = run(['run', '--stats', join(C, 'exitcode.wasm'), '0']);
    expect(r.out).toBe('about to exit\n');
    expect(r.err).toMatch(/^fuel consumed: \d+\npeak memory bytes: 131072\n/);
  });
});

/**
 * What a command evaluates: the CLI is one bundle (dist/cli/main.cjs) in which each module but main.ts and args.ts
 * is a function named after its source file (esbuild's lazy module wrappers), called when the module is first
 * imported; V8's coverage (NODE_V8_COVERAGE) tells which of them ran. `evaluated` and `skipped` name the source
 * files whose wrapper ran and did not.
 */
function evaluatedSources(
  args: string[],
  env: NodeJS.ProcessEnv = plainEnv,
): { code: number; out: string; evaluated: Set<string>; skipped: Set<string>; calls: (name: string) => number } {
  const cov = mkdtempSync(join(work, 'coverage-'));
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...env, NODE_V8_COVERAGE: cov } });
  const bundle = join(dirname(cli), 'cli', 'main.cjs');
  const scripts = readdirSync(cov).flatMap(
    (f) => (JSON.parse(readFileSync(join(cov, f), 'utf8')) as { result: { url: string; functions: { functionName: string; ranges: { count: number }[] }[] }[] }).result,
  );
  const script = scripts.find((s) => s.url === pathToFileURL(bundle).href || s.url === bundle);
  expect(script, `coverage of ${bundle}`).toBeDefined();
  const evaluated = new Set<string>();
  const skipped = new Set<string>();
  const counts = new Map<string, number>();
  for (const f of script!.functions) {
    counts.set(f.functionName, (counts.get(f.functionName) ?? 0) + f.ranges[0]!.count);
    // (a package's path is relative to where it was found: node_modules may be a link)
    const name = f.functionName.replace(/^.*node_modules\//, 'node_modules/');
    if (/^(src|node_modules)\//.test(name)) (f.ranges[0]!.count > 0 ? evaluated : skipped).add(name);
  }
  return { code: r.status ?? -1, out: r.stdout, evaluated, skipped, calls: (name) => counts.get(name) ?? 0 };
}
const under = (sources: Set<string>, dir: string): string[] => [...sources].filter((s) => s.startsWith(dir));

describe('wasmeter run evaluates only what it needs', () => {
  const NOT_FOR_BINARY_RUN = ['src/text/', 'src/encoder/', 'src/spec/', 'src/snapshot/', 'src/cli/inspect.ts', 'src/cli/spec.ts', 'src/cli/program.ts', 'node_modules/cli-progress/', 'node_modules/commander/', 'node_modules/picocolors/'];
  it('a binary module: no text parser, encoder, spec runner, snapshot format, inspect or cli-progress', () => {
    const r = evaluatedSources(['run', join(C, 'hello.wasm')]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('hello from wasi\n');
    expect(under(r.evaluated, 'src/interp/').length).toBeGreaterThan(0);
    expect(under(r.evaluated, 'src/cli/run.ts')).toEqual(['src/cli/run.ts']);
    // (nor commander and picocolors: main.ts runs `run FILE ARGS…` itself); each is in the bundle, never evaluated
    for (const dir of NOT_FOR_BINARY_RUN) {
      expect(under(r.evaluated, dir)).toEqual([]);
      expect(under(r.skipped, dir).length, dir).toBeGreaterThan(0);
    }
  });
  it('a text module evaluates the text parser; --snapshot the snapshot format', () => {
    const t = evaluatedSources(['run', '--invoke', 'fib', join(ROOT, 'examples/fib.wat'), '10']);
    expect(t.out).toBe('55\n');
    expect(under(t.evaluated, 'src/text/').length).toBeGreaterThan(0);
    expect(under(t.evaluated, 'src/snapshot/')).toEqual([]);
    // an option before the file: commander parses the command line
    expect(under(t.evaluated, 'node_modules/commander/').length).toBeGreaterThan(0);
    const s = evaluatedSources(['run', '--snapshot', join(work, 'loaded.snap'), join(C, 'hello.wasm')]);
    expect(s.code).toBe(0);
    expect(under(s.evaluated, 'src/snapshot/').length).toBeGreaterThan(0);
    expect(under(s.evaluated, 'src/text/')).toEqual([]);
  });
  it('a run the JS tier generates nothing for (--profile: the interpreter alone) never looks at the code cache', () => {
    const dir = join(work, 'short-cache');
    const env = { ...plainEnv, WASMETER_CACHE_DIR: dir };
    for (let i = 0; i < 2; i++) {
      const r = evaluatedSources(['run', '--profile', join(C, 'hello.wasm')], env);
      expect(r.code).toBe(0);
      expect(r.out).toContain('hello from wasi\n');
      expect([r.calls('generate'), r.calls('createHash'), r.calls('readGroup')]).toEqual([0, 0, 0]);
      // nor makes the JS tier's tables (made at the first generation, not when their modules are evaluated)
      expect(['scanKinds', 'coldKinds', 'floatKinds', 'tables'].map(r.calls)).toEqual([0, 0, 0, 0]);
      // (the bundle's own cache only: nothing read or written under jit/)
      expect(existsSync(join(dir, 'jit'))).toBe(false);
    }
    // nor is node:crypto loaded (the cache's SHA-256s: run.ts lazyCrypto)
    const pre = join(work, 'crypto-loaded.cjs');
    writeFileSync(pre, `process.on('exit', () => process.stderr.write('crypto ' + process.moduleLoadList.includes('NativeModule crypto') + '\\n'))`);
    const p = spawnSync(process.execPath, ['-r', pre, cli, 'run', '--profile', join(C, 'hello.wasm')], { encoding: 'utf8', env });
    expect([p.status, p.stderr.split('\n').at(-2)]).toEqual([0, 'crypto false']);
    const long = evaluatedSources(['run', join(C, 'intfloat.wasm')], env);
    expect(long.code).toBe(0);
    expect(long.calls('generate')).toBeGreaterThan(0);
    expect(long.calls('createHash')).toBeGreaterThan(0);
    expect(long.calls('scanKinds')).toBe(1);
    expect(long.calls('tables')).toBeGreaterThan(0);
    expect(readdirSync(join(dir, 'jit')).length).toBeGreaterThan(0);
  });
});

describe('wasmeter run: exit codes by error kind', () => {
  const cases: [string, string[], number, RegExp][] = [
    ['trap', [join(C, 'exitcode.wasm'), 'trap'], 5, /^trap: unreachable\n$/],
    ['out of fuel', ['--fuel', '1000', join(C, 'compute.wasm')], 6, /^out of fuel in function \d+ at offset 0x[0-9a-f]+: consumed 1000/],
    ['resource limit', ['--max-memory', '65536', join(C, 'compute.wasm')], 7, /^resource limit: memory of 131072 bytes/],
    ['call depth', ['--invoke', 'fib', '--max-call-depth', '5', join(ROOT, 'examples/fib.wat'), '30'], 5, /call stack exhausted/],
    ['usage: unknown option', ['--bogus', join(C, 'hello.wasm')], 2, /^error: unknown option '--bogus'\n\(try 'wasmeter run --help'\)\n$/],
    ['usage: no _start', [join(ROOT, 'examples/fib.wat')], 2, /exports no _start function/],
    ['usage: no such export', ['--invoke', 'nope', join(ROOT, 'examples/fib.wat')], 2, /no exported function 'nope'/],
    ['usage: bad value', ['--invoke', 'fib', join(ROOT, 'examples/fib.wat'), 'x'], 2, /'x' is not a valid i32/],
    ['usage: missing file', [join(work, 'none.wasm')], 2, /^error: cannot read \S+none.wasm: no such file or directory\n$/],
    ['not a module', [join(ROOT, 'package.json')], 3, /package.json: not a WebAssembly module \(binary or text\)\n$/],
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
    // the custom-descriptors proposal runs (it had exit code 9, unsupported, before it was implemented)
    const cd = wat('cd.wat', '(module (rec (type $a (descriptor $b) (struct)) (type $b (describes $a) (struct))) (func (export "_start")))');
    expect(run(['run', cd])).toMatchObject({ code: 0 });
  });
  it('an uncaught wasm exception -> 5', () => {
    const p = wat('exn.wat', '(module (tag $e (param i32)) (func (export "_start") (throw $e (i32.const 1))))');
    const r = run(['run', p]);
    expect(r.code).toBe(5);
    expect(r.err).toMatch(/^uncaught exception: /);
  });
  it('--json reports the error kind and message', () => {
    const j = JSON.parse(run(['run', '--json', join(C, 'exitcode.wasm'), 'trap']).out);
    expect(j).toMatchObject({ exitCode: 5, error: { kind: 'trap', message: 'unreachable' }, stdout: 'about to exit\n' });
  });
});

describe('wasmeter run --invoke', () => {
  it('calls one export and prints its results', () => {
    expect(run(['run', '--invoke', 'fib', join(ROOT, 'examples/fib.wat'), '20'])).toMatchObject({ code: 0, out: '6765\n' });
    const j = JSON.parse(run(['run', '--invoke', 'fib', '--json', join(ROOT, 'examples/fib.wat'), '10']).out);
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
    expect(run(['run', '--invoke', 'hi', p, '2'])).toMatchObject({ code: 0, out: 'hi\n42\n' });
  });
  it('--stats prints to stdout in invoke mode', () => {
    const r = run(['run', '--invoke', 'fib', '--stats', join(ROOT, 'examples/fib.wat'), '5']);
    expect(r.out).toMatch(/^5\nfuel consumed: \d+\n/);
  });
});

describe('wasmeter run: fuel options', () => {
  const fib = join(ROOT, 'examples/fib.wat');
  it('--costs loads a cost table: the fuel consumed follows it', () => {
    const unit = JSON.parse(run(['run', '--invoke', 'fib', '--json', fib, '10']).out);
    const costs = wat('costs.json', JSON.stringify({ default: 3 }));
    const tripled = JSON.parse(run(['run', '--invoke', 'fib', '--json', '--costs', costs, fib, '10']).out);
    expect(tripled.results).toEqual(unit.results);
    expect(tripled.fuelConsumed).toBe(3 * unit.fuelConsumed);
  });
  it('--costs rejects an unknown field or family with exit code 2', () => {
    const bad = wat('bad-costs.json', JSON.stringify({ families: { nope: 1 } }));
    const r = run(['run', '--invoke', 'fib', '--costs', bad, fib, '10']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown family 'nope'/);
    expect(run(['run', '--invoke', 'fib', '--costs', wat('typo.json', '{"defualt": 1}'), fib, '10']).err).toMatch(/unknown cost table field 'defualt'/);
  });
  it('--profile prints fuel per function; in --json its self fuel adds up to the total', () => {
    const r = run(['run', '--invoke', 'fib', '--profile', fib, '15']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^610\nfunction\s+calls\s+self fuel\s+total fuel\nfib\s+1973\s+\d+\s+\d+\n$/);
    const j = JSON.parse(run(['run', '--invoke', 'fib', '--profile', '--json', fib, '15']).out);
    const self = (j.profile as { self: number }[]).reduce((a, p) => a + p.self, 0);
    expect(self).toBe(j.fuelConsumed);
  });
  it('--timeout interrupts a long run with exit code 11', () => {
    const spin = wat('spin.wat', '(module (func (export "spin") (loop (br 0))))');
    const r = run(['run', '--invoke', 'spin', '--timeout', '200', spin]);
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

describe('wasmeter: input files and usage errors, the same for every command', () => {
  it('a missing file is one line and exit code 2 for run, validate, inspect and spec', () => {
    const none = join(work, 'none.wasm');
    for (const cmd of ['run', 'validate', 'inspect', 'spec']) {
      const r = run([cmd, none]);
      expect([cmd, r.code, r.err]).toEqual([cmd, 2, `error: cannot read ${none}: no such file or directory\n`]);
    }
  });
  it("a module is binary when it starts with \\0asm, else text; neither is 'not a WebAssembly module', exit 3", () => {
    const bin = wat('really-binary.wat', '');
    writeFileSync(bin, watToBinary('(module (func (export "f") (result i32) (i32.const 7)))'));
    expect(run(['run', '--invoke', 'f', bin])).toMatchObject({ code: 0, out: '7\n' });
    const text = wat('text.wasm', ';; a comment\n(; a block ;)\n  (module (func (export "f") (result i32) (i32.const 8)))');
    expect(run(['run', '--invoke', 'f', text])).toMatchObject({ code: 0, out: '8\n' });
    const junk = wat('junk.wasm', 'PK\x03\x04 not a module');
    const msg = `${junk}: not a WebAssembly module (binary or text)\n`;
    expect(run(['run', junk])).toMatchObject({ code: 3, err: msg });
    expect(run(['inspect', junk])).toMatchObject({ code: 3, err: msg });
    expect(run(['validate', junk])).toMatchObject({ code: 1, out: msg });
    expect(run(['validate', text])).toMatchObject({ code: 0, out: 'ok\n' });
  });
  it('a usage error is one line and a hint, not the whole help', () => {
    for (const [args, hint] of [
      [['run'], 'run'],
      [['inspect', '--bogus', 'x'], 'inspect'],
      [['spec', '--fuel', 'lots'], 'spec'],
      [['frobnicate'], null],
    ] as const) {
      const r = run([...args]);
      expect(r.code).toBe(2);
      const lines = r.err.split('\n');
      expect(lines).toHaveLength(3);
      expect(lines[0]).toMatch(/^error: /);
      expect(lines[1]).toBe(`(try 'wasmeter${hint ? ` ${hint}` : ''} --help')`);
    }
  });
  it('--dir accepts HOST, HOST::GUEST and HOST:GUEST; a malformed value is a usage error', () => {
    const d = join(work, 'dirforms');
    mkdirSync(join(d, 'sub'), { recursive: true });
    writeFileSync(join(d, 'sub', 'f.txt'), 'x');
    expect(run(['run', '--dir', `${d}::/m`, join(C, 'walk.wasm'), '/m']).out).toContain('f.txt size=1');
    expect(run(['run', '--dir-ro', `${d}:/m`, join(C, 'walk.wasm'), '/m']).out).toContain('f.txt size=1');
    for (const bad of [`${d}::`, `::/m`, `${d}:`, `:/m`, `${d}::/m::/n`, `${d}:/m:/n`, `${d}::/m:n`]) {
      const r = run(['run', '--dir', bad, join(C, 'walk.wasm'), '/m']);
      expect([bad, r.code, r.err.split('\n')[0]]).toEqual([bad, 2, `error: --dir '${bad}': expected HOST, HOST::GUEST or HOST:GUEST`]);
    }
    expect(run(['run', '--dir-ro', '::', join(C, 'walk.wasm')]).err).toMatch(/^error: --dir-ro '::'/);
  });
});

describe('wasmeter run: out of fuel says where', () => {
  it('the function and the byte offset of the instruction that needs fuel', () => {
    const text = '(module (func (export "f") (drop (i32.const 7)) (drop (i32.const 42))))';
    const p = wat('where.wat', text);
    const bin = watToBinary(text);
    const at = bin.findIndex((b, i) => b === 0x41 && bin[i + 1] === 42); // i32.const 42
    // fuel for i32.const 7 and drop: stops before i32.const 42
    const r = run(['run', '--invoke', 'f', '--fuel', '2', p]);
    expect(r.code).toBe(6);
    expect(r.err).toBe(`out of fuel in function 0 (export "f") at offset 0x${at.toString(16)}: consumed 2, remaining 0, next instruction needs 1\n`);
    const j = JSON.parse(run(['run', '--invoke', 'f', '--fuel', '2', '--json', p]).out);
    expect(j.error.where).toEqual({ function: 0, name: null, export: 'f', offset: at });
  });
  it('by its name-section name, also when the JS tier ran it hot', () => {
    const r = run(['run', '--invoke', 'fib', '--fuel', '1000000', join(ROOT, 'examples/fib.wat'), '30']);
    expect(r.code).toBe(6);
    expect(r.err).toMatch(/^out of fuel in function 0 "fib" at offset 0x[0-9a-f]+: consumed 1000000,/);
  });
  it('an unnamed, unexported function by its index', () => {
    const p = wat('inner.wat', '(module (func (loop (br 0))) (func (export "run") (call 0)))');
    expect(run(['run', '--invoke', 'run', '--fuel', '50', p]).err).toMatch(/^out of fuel in function 0 at offset 0x[0-9a-f]+: /);
  });
});

describe('wasmeter run --profile without a name section', () => {
  it('shows export and import names, else func[index]', () => {
    const p = wat(
      'stripped.wat',
      `(module
        (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
        (func (param i32) (result i32)
          (if (result i32) (i32.lt_u (local.get 0) (i32.const 2)) (then (local.get 0))
            (else (i32.add (call 1 (i32.sub (local.get 0) (i32.const 1))) (call 1 (i32.sub (local.get 0) (i32.const 2)))))))
        (func (export "_start") (drop (call 1 (i32.const 10))) (call 0 (i32.const 0)))
        (memory (export "memory") 1))`,
    );
    expect(watToBinary(readFileSync(p, 'utf8')).includes(0x6e)).toBe(true); // sanity: bytes exist
    const r = run(['run', '--profile', p]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/\n_start\s+1\s/);
    expect(r.err).toMatch(/\nfunc\[1\]\s+177\s/);
    expect(r.err).toMatch(/\nwasi_snapshot_preview1\.proc_exit\s+1\s/);
  });
});

describe('wasmeter spec', () => {
  it('--features holds the profile scripts to their standard (test/profiles), and they fail without it', () => {
    for (const [file, profile] of [['wasm2.wast', '2.0'], ['wasm1.wast', '1.0'], ['wasm1-threads.wast', '1.0,+threads']] as const) {
      const path = join(ROOT, 'test/profiles', file);
      const r = run(['spec', '--json', '--features', profile, path]);
      expect(r.code, r.out).toBe(0);
      const totals = (JSON.parse(r.out) as { totals: { passed: number; failed: number } }).totals;
      expect(totals.failed).toBe(0);
      expect(totals.passed).toBeGreaterThan(10);
      expect(run(['spec', path]).code).toBe(1);
    }
    const bad = run(['spec', '--features', '2.0,gc', join(ROOT, 'test/profiles/wasm2.wast')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("'gc': expected a profile");
    const notAddable = run(['spec', '--features', '2.0,+gc', join(ROOT, 'test/profiles/wasm2.wast')]);
    expect(notAddable.code).toBe(2);
    expect(notAddable.err).toContain("feature 'gc' is not part of Wasm 2.0 and cannot be added to it");
    // plain 1.0 has no shared memories: the script's text does not parse
    expect(run(['spec', '--features', '1.0', join(ROOT, 'test/profiles/wasm1-threads.wast')]).code).toBe(1);
    const help = run(['spec', '--help']).out.replace(/\s+/g, ' ');
    expect(help).toContain('+FEATURE');
    expect(help).toContain('proposals/threads run under 1.0,+threads');
  });
  const scripts = (dir: string, names: string[]): void => {
    mkdirSync(dir, { recursive: true });
    for (const n of names)
      writeFileSync(join(dir, n), '(module (func (export "f") (result i32) (i32.const 1)))\n(assert_return (invoke "f") (i32.const 1))\n');
  };
  it('shows plain progress on stderr when it is not a terminal (10 files or more)', () => {
    const d = join(work, 'many');
    scripts(d, Array.from({ length: 20 }, (_, i) => `s${String(i).padStart(2, '0')}.wast`));
    const r = run(['spec', d]);
    expect(r.code).toBe(0);
    expect(r.err).toBe(Array.from({ length: 10 }, (_, i) => `spec: ${2 * (i + 1)}/20 files\n`).join(''));
    expect(r.out).toMatch(/\ntotal\s+40\s+0\s+0\n$/);
    expect(run(['spec', join(d, 's00.wast'), join(d, 's01.wast')]).err).toBe('');
  });
  it('colours its table only when asked: FORCE_COLOR on, NO_COLOR off, and CI alone changes nothing', () => {
    const f = join(work, 'colour.wast');
    writeFileSync(f, '(module (func (export "f") (result i32) (i32.const 1)))\n(assert_return (invoke "f") (i32.const 1))\n');
    const esc = /\u001b\[/;
    expect(run(['spec', f]).out).not.toMatch(esc);
    expect(run(['spec', f], '', ROOT, { ...plainEnv, CI: 'true' }).out).not.toMatch(esc);
    const forced = run(['spec', f], '', ROOT, { ...plainEnv, FORCE_COLOR: '1' }).out;
    expect(forced).toMatch(esc);
    expect(forced.replace(/\u001b\[\d+m/g, '')).toBe(run(['spec', f]).out);
    expect(run(['spec', f], '', ROOT, { ...plainEnv, FORCE_COLOR: '1', NO_COLOR: '1' }).out).not.toMatch(esc);
  });
  it('keeps its table aligned with long paths', () => {
    const d = join(work, 'aligned');
    const deep = join(d, 'a-rather-long-directory-name', 'and-another-one-below-it', 'and-one-more-to-pass-sixty');
    scripts(d, ['short.wast']);
    scripts(deep, ['a-script-with-a-long-name.wast']);
    const r = run(['spec', d]);
    expect(r.code).toBe(0);
    const rows = r.out.split('\n').filter((l) => /\s\d+\s+\d+\s+\d+$/.test(l) || l.startsWith('file'));
    expect(rows).toHaveLength(4); // header, two files, total
    const ends = new Set(rows.map((l) => l.length));
    expect(ends.size).toBe(1);
    expect(r.out).toContain(`in ${d}\n`);
    expect(r.out).toMatch(/\n…\S*a-script-with-a-long-name\.wast /);
    expect(r.out).toMatch(/\nshort\.wast /);
  });
});

describe('wasmeter --help', () => {
  it('documents the exit codes and the run options', () => {
    const top = spawnRun(['--help']);
    expect(top.code).toBe(0);
    expect(top.out).toContain('inspect');
    expect(top.out).toContain('Exit codes:');
    const r = run(['run', '--help']).out;
    for (const o of ['--invoke', '--dir', '--dir-ro', '--env', '--seed', '--inherit-clock', '--fuel', '--max-memory', '--max-call-depth', '--stats', '--json'])
      expect(r).toContain(o);
    expect(r).toMatch(/6\s+out of fuel/);
  });
});
