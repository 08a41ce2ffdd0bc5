/**
 * `wasmeter run --snapshot` / `wasmeter resume`: real C programs (test/wasi/c)
 * stopped at several points and resumed in new processes print node:wasi's
 * output byte for byte and exit with its code; --json's fuelConsumed is the
 * total over every hop.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { program, readTree, runNode, writeTree, type RunSpec } from '../wasi/helpers.js';
import { bundleChild, bundledCli } from './hops.js';

const C = resolve(__dirname, '../wasi/c');
const work = mkdtempSync(join(tmpdir(), 'wasmeter-snapcli-'));
beforeAll(() => bundleChild('cli'), 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

function cli(args: string[], cwd: string): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [bundledCli(), ...args], { cwd, encoding: 'utf8' });
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
  for (const [name, spec, hops] of CASES) {
    it(`${name} ${JSON.stringify(spec.args.slice(1))} in ${hops} parts matches node:wasi`, () => {
      const node = runNode(program(name), spec);
      const dir = mkdtempSync(join(work, `${name}-`));
      const root = join(dir, 'root');
      mkdirSync(root);
      writeTree(root, spec.tree ?? {});
      const env = Object.entries(spec.env ?? {}).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
      const wasm = join(C, `${name}.wasm`);
      const dirs = ['--dir', `${root}:/`];
      const whole = cli(['run', '--json', ...dirs, ...env, wasm, ...spec.args.slice(1)], dir);
      const total = JSON.parse(whole.out).fuelConsumed as number;
      rmSync(root, { recursive: true });
      mkdirSync(root);
      writeTree(root, spec.tree ?? {});
      const part = Math.max(1, Math.ceil(total / hops));
      let r = cli(['run', '--fuel', String(part), '--snapshot', 'snap-0', ...dirs, ...env, wasm, ...spec.args.slice(1)], dir);
      let stdout = r.out;
      let stderr = r.err;
      let n = 0;
      while (r.code === 6) {
        n++;
        // the last part with --json: the totals over every part
        const last = n + 1 >= hops;
        r = cli(['resume', `snap-${n - 1}`, ...(last ? [] : ['--fuel', String(part)]), '--snapshot', `snap-${n}`, ...dirs, ...(last ? ['--json'] : [])], dir);
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
