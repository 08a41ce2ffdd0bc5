#!/usr/bin/env node
/**
 * The `wasmeter` command. `run FILE ARGS…` with no option before FILE (the common way to run a program) goes
 * straight to run.ts, as commander would send it (fastRun; test/unit/cli-args.test.ts compares the two); every
 * other command line is parsed by commander (program.ts). So running a module loads neither commander nor
 * another command's code: start-up is most of a small program's run time (BENCHMARKS.md, CLI start-up).
 */
import { fastRun } from './args.js';

const fast = fastRun(process.argv.slice(2));
if (fast !== null) process.exitCode = await (await import('./run.js')).runRun(fast.file, fast.args, fast.opts);
else await (await import('./program.js')).program().parseAsync(process.argv);
