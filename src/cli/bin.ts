#!/usr/bin/env node
/**
 * The `wasmeter` process (dist/cli.cjs): loads the CLI bundle (dist/cli/main.cjs, main.ts and everything it
 * imports) through the V8 code cache of cache.ts, one per kind of command line (`run …` or any other: each cache
 * holds the functions its runs compile), and runs main.ts with the process's arguments.
 */
import { join } from 'node:path';
import { loadBundle } from './cache.js';

const { main } = loadBundle(join(__dirname, 'cli', 'main.cjs'), process.argv[2] === 'run' ? 'run' : 'cli', require) as typeof import('./main.js');
void main(process.argv);
