/**
 * The order vitest starts the test files in: the costliest first, so that the two workers of a 2-core machine
 * finish together (longest-first scheduling) instead of one of them running a long file alone at the end.
 * vitest's own order (BaseSequencer, kept here for the other files) puts files it has no recorded durations for
 * largest first by bytes, which on a fresh checkout ran the 3-line spec shards and js-api-limits.test.ts, the
 * longest files, last; and its recorded durations (node_modules/.vite) are those of whatever run came last.
 */
import { relative, sep } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * CPU seconds (user + sys) of each test file that takes 2 s or more. Those with a `ttime5` note were measured in one
 * `vitest run` at load 14-21 (2026-12-06, 109 files): the worker's process.cpuUsage() from a setup file's first line
 * to its afterAll, plus the CPU of the child processes it waited for (the CLI tests' node processes; Chromium's are
 * not counted); the others in one `npm test` at load 7-24 (2026-12-06, 99 files). Only the order matters:
 * re-measure when a file's cost changes a lot. A file not listed counts as 0 and runs after these, in vitest's order.
 */
export const FILE_CPU_SECONDS: Record<string, number> = {
  // session 10 (ttime5): 68.5 s in the run, less the element segments' 60.4 -> 50.2 s measured alone
  'test/js-api/js-api-limits.test.ts': 58, // ttime5
  'test/fuel/fuel-resume.test.ts': 34,
  'test/fuel/fuel-model.test.ts': 28, // ttime5
  // session 21, each alone at load 7-10 (vitest's start, ~2 s, taken off): jit-profile ran last before, 42-96 s of wall
  'test/unit/jit-profile.test.ts': 33,
  // session 11 (ttime6): most CLI command lines in the CLI host (test/shared/cli-host.ts); each file alone in a
  // vitest run at load 8-21, vitest's own start included: unit/cli 20.5 -> 10.3 s, snapshot/cli 21.7 -> 15.2 s,
  // the ttime5 figures scaled by those ratios
  'test/unit/cli.test.ts': 15, // ttime6
  'test/snapshot/cli.test.ts': 25, // ttime6
  'test/packages/packages.test.ts': 18, // ttime5
  'test/unit/jit-fuzz.test.ts': 18, // ttime5
  'test/unit/jit.test.ts': 19, // session 12: drive() takes returned stops
  'test/unit/jit-try.test.ts': 18, // ttime5
  // session 12 (ttime7): the starved runs' stops returned, not thrown (Store.invokeOrStop), the shards re-weighed
  // (test/spec/harness.ts): the three in one vitest run at load ~20, 17.1 s with vitest's start, about a third each
  'test/spec/starved-1.test.ts': 5, // ttime7
  'test/spec/starved-2.test.ts': 5, // ttime7
  'test/spec/starved-3.test.ts': 5, // ttime7
  'test/unit/counted-loops.test.ts': 15, // ttime5
  // session 9 (ttime4): the type check of the examples alone 12.3 -> 7.1 s once it stopped checking all of src/
  'test/unit/api-docs.test.ts': 6,
  'test/snapshot/props.test.ts': 11, // ttime5
  'test/spec/interp-3.test.ts': 9, // ttime5
  'test/unit/simd.test.ts': 11, // ttime5
  'test/unit/jit-gc.test.ts': 15, // ttime5
  'test/spec/spec-4.test.ts': 8, // ttime5
  'test/unit/fuel-checks.test.ts': 9, // ttime5
  'test/unit/cli-cache.test.ts': 10, // ttime5
  'test/snapshot/wasi.test.ts': 11, // ttime5
  'test/unit/decoder-fuzz.test.ts': 7, // ttime5
  // Chromium's own processes come on top of this
  'test/browser/browser.test.ts': 12,
  // session 18 (ff14), alone at load 6-7: the worker's 9.3 s (vitest's start included); Firefox's own processes
  // took 33 s more, which the other worker's files share the second core with
  'test/browser/firefox.test.ts': 12,
  'test/spec/interp-1.test.ts': 5,
  'test/spec/interp-2.test.ts': 5,
  'test/unit/text-testsuite.test.ts': 5,
  'test/unit/big-code.test.ts': 4,
  'test/jit-cache/processes.test.ts': 2, // session 21, with its child processes
  'test/jit-cache/code-cache.test.ts': 2, // session 21
  'test/wasi/programs.test.ts': 4,
  'test/spec/spec-2.test.ts': 4,
  'test/spec/spec-1.test.ts': 4,
  'test/examples/shell-server.test.ts': 4,
  'test/spec/spec-3.test.ts': 4,
  'test/unit/numeric-i64.test.ts': 3,
  'test/unit/jit-no-eval.test.ts': 3,
  'test/snapshot/stops.test.ts': 2,
  'test/snapshot/loader.test.ts': 2,
};

/** The file's path relative to the project's root, with forward slashes (the keys of FILE_CPU_SECONDS). */
export function fileKey(root: string, file: string): string {
  return relative(root, file).split(sep).join('/');
}

/** vitest's sequencer with the files of FILE_CPU_SECONDS first, costliest first, whatever project they belong to. */
export class CostliestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files);
    const cost = (f: TestSpecification): number => FILE_CPU_SECONDS[fileKey(f.project.config.root, f.moduleId)] ?? 0;
    return base
      .map((f, i) => ({ f, i, c: cost(f) }))
      .sort((a, b) => b.c - a.c || a.i - b.i)
      .map((x) => x.f);
  }
}
