/**
 * `wasmeter run --snapshot` / `wasmeter resume`: real C programs (test/wasi/c)
 * stopped at several points and resumed in new processes print node:wasi's
 * output byte for byte and exit with its code; --json's fuelConsumed is the
 * total over every hop. The first case hops through node processes of their
 * own; the others through the CLI host (test/shared/cli-host.ts: each hop a
 * fresh evaluation of the CLI's bundle, in one process that runs them all).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { program, readTree, runNode, writeTree, type RunSpec } from '../wasi/helpers.js';
import { CliHost } from '../shared/cli-host.js';
import { bundledCli } from './hops.js';

const C = resolve(__dirname, '../wasi/c');
const work = mkdtempSync(join(tmpdir(), 'wasmeter-snapcli-'));
let host: CliHost;
beforeAll(() => {
  host = new CliHost(bundledCli());
});
afterAll(async () => {
  await host.close();
  rmSync(work, { recursive: true, force: true });
});

// (the CLI's code cache in a directory of the test's own)
const cliEnv = (): NodeJS.ProcessEnv => ({ ...process.env, WASMETER_CACHE_DIR: join(work, 'cache') });
/** `wasmeter ARGS` in `cwd`, run by the CLI host. */
function cli(args: string[], cwd: string): { code: number; out: string; err: string } {
  return host.run(args, '', cwd, cliEnv());
}
/** `wasmeter ARGS` in `cwd`, a node process of its own. */
function spawnCli(args: string[], cwd: string): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [bundledCli(), ...args], { cwd, encoding: 'utf8', env: cliEnv() });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

const TREE = { data: { 'a.txt': 'alpha\n', sub: { 'b.txt': 'beta beta\n' } } };
const CASES: [string, RunSpec, number][] = [
  ['hello', { args: ['hello.wasm', 'a b', 'ünï'], env: { GREETING: 'hi there' } }, 3],
  ['hello', { args: ['hello.wasm', '42'], env: { GREETING: 'exit' } }, 3],
  ['compute', { args: ['compute.wasm', '3000'] }, 5],
  ['intfloat', { args: ['intfloat.wasm'] }, 4],
  ['exitcode', { args: ['exitcode.wasm', '3'] }, 3],
  ['exitcode', { args: ['exitcode.wasm', 'trap'] }, 3],
  ['walk', { args: ['walk.wasm', '/data'], tree: TREE }, 4],
];

describe('CLI: run --snapshot, resume in new processes', () => {
  for (const [i, [name, spec, hops]] of CASES.entries()) {
    const run = i === 0 ? spawnCli : cli;
    it(`${name} ${JSON.stringify(spec.args.slice(1))} in ${hops} parts matches node:wasi${i === 0 ? ' (node processes)' : ''}`, () => {
      const node = runNode(program(name), spec);
      const dir = mkdtempSync(join(work, `${name}-`));
      const root = join(dir, 'root');
      mkdirSync(root);
      writeTree(root, spec.tree ?? {});
      const env = Object.entries(spec.env ?? {}).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
      const wasm = join(C, `${name}.wasm`);
      const dirs = ['--dir', `${root}:/`];
      const whole = run(['run', '--json', ...dirs, ...env, wasm, ...spec.args.slice(1)], dir);
      const total = JSON.parse(whole.out).fuelConsumed as number;
      rmSync(root, { recursive: true });
      mkdirSync(root);
      writeTree(root, spec.tree ?? {});
      const part = Math.max(1, Math.ceil(total / hops));
      let r = run(['run', '--fuel', String(part), '--snapshot', 'snap-0', ...dirs, ...env, wasm, ...spec.args.slice(1)], dir);
      let stdout = r.out;
      let stderr = r.err;
      let n = 0;
      while (r.code === 6) {
        n++;
        // the last part with --json: the totals over every part
        const last = n + 1 >= hops;
        r = run(['resume', `snap-${n - 1}`, ...(last ? [] : ['--fuel', String(part)]), '--snapshot', `snap-${n}`, ...dirs, ...(last ? ['--json'] : [])], dir);
        if (last) {
          const j = JSON.parse(r.out);
          stdout += j.stdout;
          stderr += j.stderr;
          expect(j.fuelConsumed).toBe(total);
          r = { ...r, code: j.exitCode };
        } else {
          stdout += r.out;
          stderr += r.err.replace(/^out of fuel[ :].*\n/m, '');
        }
        expect(n).toBeLessThan(hops + 2);
      }
      expect(n, 'stopped and resumed').toBeGreaterThan(0);
      expect(stdout).toBe(node.stdout);
      if (node.exit === 'trap') expect(r.code).toBe(5);
      else {
        expect(r.code).toBe(node.exit);
        expect(stderr.replace(/^out of fuel[ :].*\n/gm, '')).toBe(node.stderr);
      }
      expect(readTree(root)).toEqual(node.tree);
    });
  }
});

/** Sums 0..n-1 (i32, wrapping): long enough in either tier that a short --timeout interrupts it. */
const LOOP = `(module (global $g (mut i32) (i32.const 0))
  (func (export "sum") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc) (local.get $i)))
      (global.set $g (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc)))`;

/** A start function that fills memory and sets a global (stopped by --fuel in it), and an export that reads them. */
const START = `(module (memory 1) (global $g (mut i32) (i32.const 0))
  (func $init (local $i i32)
    (loop $l
      (i32.store (i32.mul (local.get $i) (i32.const 4)) (i32.mul (local.get $i) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 500))))
    (global.set $g (local.get $i)))
  (start $init)
  (func (export "get") (param $k i32) (result i32)
    (i32.add (global.get $g) (i32.load (i32.mul (local.get $k) (i32.const 4))))))`;

describe('CLI: other stops', () => {
  it('run --timeout MS --snapshot OUT: interrupted (exit 11), snapshot written; resume finishes with the uninterrupted output', () => {
    const dir = mkdtempSync(join(work, 'timeout-'));
    writeFileSync(join(dir, 'loop.wat'), LOOP);
    // 200 M iterations: 20 M finished within the 50 ms on a quiet machine (the run exited 0, not 11)
    const n = 200_000_000;
    const want = String(BigInt.asIntN(32, (BigInt(n) * BigInt(n - 1)) / 2n));
    // fuel is linear in n: two short uninterrupted runs give the whole run's
    const fuelOf = (k: number): number => JSON.parse(cli(['run', '--json', '--invoke', 'sum', 'loop.wat', String(k)], dir).out).fuelConsumed as number;
    const [f1, f2] = [fuelOf(1000), fuelOf(2000)];
    const total = f2 + ((n - 2000) / 1000) * (f2 - f1);
    let r = cli(['run', '--timeout', '50', '--snapshot', 'snap-0', '--invoke', 'sum', 'loop.wat', String(n)], dir);
    expect(r.code, r.err).toBe(11);
    expect(r.err).toMatch(/interrupted|deadline/i);
    expect(r.out).toBe('');
    expect(existsSync(join(dir, 'snap-0'))).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // interrupted again and again (each hop a little longer), then to the end
    let hop = 0;
    let j: { exitCode: number; results?: { value: string }[]; fuelConsumed: number };
    for (;;) {
      hop++;
      r = cli(['resume', `snap-${hop - 1}`, '--json', ...(hop < 3 ? ['--timeout', '50', '--snapshot', `snap-${hop}`] : [])], dir);
      j = JSON.parse(r.out);
      if (j.exitCode !== 11) break;
      expect(hop).toBeLessThan(3);
    }
    expect(j.exitCode).toBe(0);
    expect(j.results!.map((x) => x.value)).toEqual([want]);
    expect(j.fuelConsumed).toBe(total);
  });

  it('a start function stopped by --fuel: the snapshot resumes the instantiation, then calls the export', () => {
    const dir = mkdtempSync(join(work, 'start-'));
    writeFileSync(join(dir, 'start.wat'), START);
    const whole = JSON.parse(cli(['run', '--json', '--invoke', 'get', 'start.wat', '7'], dir).out);
    expect(whole.results.map((x: { value: string }) => x.value)).toEqual(['549']);
    let r = cli(['run', '--fuel', '1000', '--snapshot', 'snap-0', '--invoke', 'get', 'start.wat', '7'], dir);
    expect(r.code, r.err).toBe(6);
    let hop = 0;
    while (r.code === 6) {
      hop++;
      r = cli(['resume', `snap-${hop - 1}`, '--fuel', '1000', '--snapshot', `snap-${hop}`], dir);
      expect(hop).toBeLessThan(20);
    }
    expect(hop).toBeGreaterThan(2);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe('549\n');
    // the totals over every hop, as --json of the last hop reports them
    const j = JSON.parse(cli(['resume', `snap-${hop - 2}`, '--json'], dir).out);
    expect(j.results.map((x: { value: string }) => x.value)).toEqual(['549']);
    expect(j.fuelConsumed).toBe(whole.fuelConsumed);
  });
});
