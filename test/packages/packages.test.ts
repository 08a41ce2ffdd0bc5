/**
 * Real npm packages run unchanged on the facade: each script in test/packages/run/ uses a package through its
 * public API and prints its results; it runs once on V8's WebAssembly and once under wasmeter/register (the
 * facade installed as globalThis.WebAssembly, bundled here from src/facade/register.ts), and the results must be
 * equal. The timing of both and the fuel the facade reports (WASMETER_STATS=1) are printed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
let register = '';

interface Run {
  result: unknown;
  ms: number;
  /** What WASMETER_STATS=1 printed (the facade's fuel consumed and peaks). */
  stats: string;
}

function run(script: string, facade: boolean): Run {
  const args = facade ? ['--import', pathToFileURL(register).href, script] : [script];
  const r = spawnSync(process.execPath, args, { cwd: root, env: { ...process.env, WASMETER_STATS: '1' }, encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`${script} failed${facade ? ' on the facade' : ''}: ${r.stderr || r.error}`);
  const { result, ms } = JSON.parse(r.stdout.trim().split('\n').pop()!) as { result: unknown; ms: number };
  return { result, ms, stats: r.stderr.trim() };
}

describe('npm packages on the facade', () => {
  beforeAll(async () => {
    const esbuild = await import('esbuild');
    const dir = mkdtempSync(join(tmpdir(), 'wasmeter-register-'));
    register = join(dir, 'register.mjs');
    const r = await esbuild.build({ entryPoints: [join(root, 'src/facade/register.ts')], bundle: true, format: 'esm', platform: 'node', write: false, logLevel: 'silent' });
    writeFileSync(register, r.outputFiles[0]!.text);
  });

  for (const name of ['hash-wasm', 'sql-js', 'quickjs', 'tiktoken', 'as-sha256']) {
    it(name, { timeout: 900_000 }, () => {
      const script = join(here, 'run', `${name}.mjs`);
      const v8 = run(script, false);
      const ours = run(script, true);
      expect(ours.result).toEqual(v8.result);
      expect(ours.stats).toMatch(/^wasmeter: fuel consumed \d+/);
      console.log(`${name}: V8 ${v8.ms.toFixed(0)} ms, wasmeter ${ours.ms.toFixed(0)} ms (${(ours.ms / v8.ms).toFixed(1)}x); ${ours.stats}`);
    });
  }
});
