/**
 * The spec testsuite as vitest files that run in parallel: each mode's
 * scripts are split into shards of about equal size (shardFiles), one test
 * file per shard (spec-N, interp-N, starved-N.test.ts), each checking every
 * script of its shard against test/spec/expected.json:
 *  - normal: the whole suite (JS tier on); a script passing fewer assertions
 *    than expected.json records is a regression. Each shard also writes its
 *    results to the run's directory (global-setup.ts), which merges them
 *    after the run: prints improvements and new or missing scripts and, with
 *    WASMETER_SPEC_UPDATE=1 (`npm run spec:update`), rewrites expected.json;
 *  - interp: the whole suite again with the JS tier off (Store option
 *    `tier: 'interp'`): the interpreter alone passes as much as the normal run;
 *  - starved: the Wasm 2.0 files and the threads proposal's (run under Wasm 1.0
 *    with threads added, src/spec/names.ts featuresFor) with every action
 *    starting at 0 fuel and, at each OutOfFuel, exactly the fuel needed added
 *    and the call resumed.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import type { Expectations } from '../../src/spec/expectations.js';
import { runScript, type FileResult, type RunOptions } from '../../src/spec/runner.js';
import { findSuite, listWast, proposalOf, shardFiles, suiteName } from '../../src/spec/suite.js';

export type Mode = 'normal' | 'interp' | 'starved';

/** Test files per mode (test/spec/<prefix>-1..N.test.ts); global-setup.ts waits for every normal one. */
export const SHARDS: Record<Mode, number> = { normal: 4, interp: 3, starved: 3 };
const PREFIX: Record<Mode, string> = { normal: 'spec', interp: 'interp', starved: 'starved' };

export const EXPECTED = join(dirname(fileURLToPath(import.meta.url)), 'expected.json');
export const UPDATE = process.env['WASMETER_SPEC_UPDATE'] === '1';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the normal shards write their results (global-setup.ts). */
    specResults: string;
  }
}

/** The results file of one normal shard in the run's directory. */
export function shardResultsFile(dir: string, shard: number): string {
  return join(dir, `normal-${shard}.json`);
}

const WHAT: Record<Mode, string> = {
  normal: 'spec testsuite',
  interp: 'spec testsuite, interpreter only (tier: interp)',
  starved: 'spec testsuite, Wasm 2.0 and threads files, starved (0 fuel, refilled by exactly what is needed)',
};
const OPTIONS: Record<Mode, RunOptions> = { normal: {}, interp: { tier: 'interp' }, starved: { starved: true } };

/**
 * Starved runs cost what the script executes, not only its size: these four took 3.6 of the 12.6 s of CPU of all the
 * starved scripts (measured 2026-12-06 after the stops became returned values (Store.invokeOrStop), one process
 * running them one after the other at load ~20; the other 148 scripts 9 s; with thrown stops they had taken 253 of
 * 328 s). They are weighed by those seconds, at the rate of bytes per second of the others.
 */
const STARVED_SECONDS: Record<string, number> = { 'skip-stack-guard-page.wast': 1.4, 'memory_copy.wast': 0.8, 'call_indirect.wast': 0.8, 'memory_fill.wast': 0.6 };
const STARVED_OTHERS_SECONDS = 9;

/** Each script with its weight for shardFiles: its size, or for the slow starved ones their seconds as bytes. */
function weighed(mode: Mode, suite: string, names: readonly string[]): { name: string; size: number }[] {
  const files = names.map((name) => ({ name, size: statSync(join(suite, name)).size }));
  if (mode !== 'starved') return files;
  const perSecond = files.reduce((n, f) => n + (f.name in STARVED_SECONDS ? 0 : f.size), 0) / STARVED_OTHERS_SECONDS;
  return files.map((f) => (f.name in STARVED_SECONDS ? { name: f.name, size: STARVED_SECONDS[f.name]! * perSecond } : f));
}

/**
 * Time a script may take: the runner's fuel per action already stops endless loops, so this only has to
 * outlast a busy machine (starved memory_copy.wast and memory_fill.wast ran past vitest's 120 s default
 * with the two cores shared by several processes).
 */
const SCRIPT_TIMEOUT_MS = 600_000;

/** Defines the tests of shard `shard` (1-based) of `mode`. */
export function specShard(mode: Mode, shard: number): void {
  const suite = findSuite(); // throws with instructions when the suite is missing
  const expected: Expectations | null = existsSync(EXPECTED) ? (JSON.parse(readFileSync(EXPECTED, 'utf8')) as Expectations) : null;
  const all = listWast([suite]).map((f) => suiteName(suite, f));
  const names = mode === 'starved' ? [...(expected?.groups['wasm-2.0']?.files ?? []), ...all.filter((n) => proposalOf(n) === 'threads')] : all;
  const mine = shardFiles(weighed(mode, suite, names), SHARDS[mode])[shard - 1]!;
  const results = new Map<string, FileResult>();

  describe(`${WHAT[mode]} (${PREFIX[mode]}-${shard} of ${SHARDS[mode]}: ${mine.length} scripts)`, () => {
    it('has scripts to run and expected.json to compare with', () => {
      expect(names.length).toBeGreaterThan(100);
      expect(mine.length).toBeGreaterThan(0);
      if (!expected && !UPDATE) expect.fail(`${EXPECTED} does not exist: run \`npm run spec:update\` to create it`);
    });
    for (const name of mine) {
      it(name, () => {
        const r = runScript(new Uint8Array(readFileSync(join(suite, name))), name, OPTIONS[mode]);
        results.set(name, r);
        const want = expected?.files[name]?.passed;
        if (UPDATE || want === undefined || r.passed >= want) return;
        const why = r.failures
          .slice(0, 10)
          .map((f) => `  ${name}:${f.line} ${f.kind}: ${f.reason}`)
          .join('\n');
        expect.fail(`${mode === 'normal' ? 'regression' : `${mode} run`}: ${name} passes ${r.passed} assertions, expected ${want}\nfirst failures:\n${why}`);
      }, SCRIPT_TIMEOUT_MS);
    }
    if (mode === 'normal')
      it('records its results for the whole-suite summary', () => {
        expect(results.size).toBe(mine.length);
        writeFileSync(shardResultsFile(inject('specResults'), shard), JSON.stringify([...results]));
      });
  });
}
