/**
 * `npm test` and `npm run test:quick`: the type check (tsc --noEmit) and the build (tsup) run at the same time, each
 * on one core (both take about 25 s of CPU), then vitest with the arguments given (`npm test -- test/unit` runs
 * that folder). Fails, without running vitest, if either of the first two fails; else exits as vitest does.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

/** Runs a command with the terminal as its stdio; resolves to its exit code (1 if it was killed). */
function run(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(bin(cmd), args, { cwd: root, stdio: 'inherit' });
    child.on('error', (e) => {
      console.error(`${cmd}: ${e.message}`);
      resolve(1);
    });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

const [typecheck, build] = await Promise.all([run('tsc', ['--noEmit']), run('tsup', ['--silent'])]);
if (typecheck !== 0) console.error(`tsc --noEmit failed (exit ${typecheck})`);
if (build !== 0) console.error(`tsup failed (exit ${build})`);
if (typecheck !== 0 || build !== 0) process.exit(1);
process.exit(await run('vitest', ['run', ...process.argv.slice(2)]));
