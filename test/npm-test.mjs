/**
 * `npm test` and `npm run test:quick`: the build (tsup), then vitest with the arguments given (`npm test -- test/unit`
 * runs that folder), while the type check (tsc --noEmit, about 13-17 s of CPU) runs beside both. The type check is
 * incremental: it keeps what it learnt in .tsbuildinfo (git ignores it) and checks again only the files that changed
 * and those that depend on them (a later run: 13.4 -> 4.9 s of CPU). When dist/ already holds
 * the type declarations (`npm ci` builds them through `prepare`; `npm run build` does), the build makes the JavaScript
 * only (WASMETER_BUILD_JS_ONLY=1, tsup.config.ts: a second type check of src/ saved), else everything. Fails, without
 * running vitest, if the build fails; else exits as vitest does, or 1 if the type check failed.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

/** Runs a command with the terminal as its stdio; resolves to its exit code (1 if it was killed). */
function run(cmd, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(bin(cmd), args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('error', (e) => {
      console.error(`${cmd}: ${e.message}`);
      resolve(1);
    });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

const DECLARATIONS = ['index', 'webassembly', 'register'].flatMap((n) => [`dist/${n}.d.ts`, `dist/${n}.d.cts`]);
const jsOnly = DECLARATIONS.every((f) => existsSync(join(root, f)));
const typecheck = run('tsc', ['--noEmit', '--incremental', '--tsBuildInfoFile', join(root, '.tsbuildinfo')]).then((code) => {
  if (code !== 0) console.error(`tsc --noEmit failed (exit ${code})`);
  return code;
});
const build = await run('tsup', ['--silent'], jsOnly ? { WASMETER_BUILD_JS_ONLY: '1' } : {});
if (build !== 0) {
  console.error(`tsup failed (exit ${build})`);
  await typecheck;
  process.exit(1);
}
const tests = await run('vitest', ['run', ...process.argv.slice(2)]);
process.exit((await typecheck) !== 0 ? 1 : tests);
