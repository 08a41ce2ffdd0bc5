/**
 * The `wasmeter` command. `run FILE ARGS…` with no option before FILE (the common way to run a program) goes
 * straight to run.ts, as commander would send it (fastRun; test/unit/cli-args.test.ts compares the two); every
 * other command line is parsed by commander (program.ts). So running a module evaluates neither commander nor
 * another command's code: start-up is most of a small program's run time (BENCHMARKS.md, CLI start-up).
 *
 * The process entry is bin.ts (dist/cli.cjs), which loads this file's bundle (dist/cli/main.cjs, everything the CLI
 * imports; a dynamic import is a module evaluated when it is first reached) through a V8 code cache (cache.ts).
 */
import { fastRun } from './args.js';

/** Runs the command line `argv` (process.argv: node, the script, then the arguments); sets process.exitCode. */
export async function main(argv: string[]): Promise<void> {
  const fast = fastRun(argv.slice(2));
  if (fast !== null) process.exitCode = await (await import('./run.js')).runRun(fast.file, fast.args, fast.opts);
  else await (await import('./program.js')).program().parseAsync(argv);
}
