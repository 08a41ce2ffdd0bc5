import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { CostliestFirst } from './test/sequencer.js';

const common = {
  testTimeout: 120_000,
  hookTimeout: 120_000,
  pool: 'forks' as const,
};
/**
 * Every folder but test/browser: their files share worker processes (isolate: false), which saves each file a
 * process start, a fresh import of the sources and V8's warm-up (about half the CPU time of a small file; for the
 * spec shards, measured on 6 shards and 3 small files, 34 -> 29 s of CPU; for 5 snapshot files, js-api's facade
 * test and an example's, 9.9 -> 7.4 and 9.2 -> 7.8 s). Their files leave no state behind that another file depends
 * on. The browser test (Chromium's processes) keeps a worker of its own, and so do the files of OWN_PROCESS.
 *
 * Memory (session 21, helper mem21: each file's memory after a forced GC logged in every worker, BENCHMARKS.md "The
 * test suite's worker processes"): nothing a file allocates outlives it, its test module's state included: after
 * 64-69 files a shared worker's heap is 55-75 MB. One file was big: test/js-api/js-api-limits.test.ts, whose worker
 * peaked at 2.8-3.3 GB of RSS and needed more than 1 GB of V8 heap (Node's default limit on a machine of 4 GB):
 * testharness.js kept every finished test's steps, and through them limits.any.js' 1 GiB buffers and each module its
 * promise tests compiled; test/js-api/runner.mjs drops them (1.6-1.9 GB). vitest 4 recycles no forks worker for its
 * memory (its memory limit is the vm pools' only); it ends a shared worker when the next file in the queue is of
 * another project, so a run has 10-15 of them.
 */
const SHARED = [
  'test/unit/**/*.test.ts',
  'test/wasi/**/*.test.ts',
  'test/abi/**/*.test.ts',
  'test/spec/**/*.test.ts',
  'test/fuel/**/*.test.ts',
  'test/snapshot/**/*.test.ts',
  'test/js-api/**/*.test.ts',
  'test/examples/**/*.test.ts',
  'test/packages/**/*.test.ts',
];
/**
 * Files of the shared folders that run in a worker process of their own all the same. test/snapshot/cli.test.ts: one
 * full run in five of session 11 ended with vitest's "Worker exited unexpectedly" (no message) while the shared
 * worker ran it; it drives the CLI host (test/shared/cli-host.ts: a child process behind a worker thread). Not
 * reproduced in session 12 (see the commit); in a process of its own, a crash of it cannot
 * take the shared worker's other files with it, and the worker ends with the file. test/wasi/programs.test.ts: the
 * same exit, no message, twice in session 20 (one full run of a helper's, one of the lead's, while the
 * shared worker ran it); alone it passed 6 runs of 6, and 20 rounds of all its programs in one process. It and cli.test.ts
 * are the two files that run node:wasi (test/wasi/helpers.ts runNode, V8's side of the comparison), the one native
 * host layer the tests load besides Node's own.
 */
const OWN_PROCESS = ['test/snapshot/cli.test.ts', 'test/wasi/programs.test.ts'];
/** Gives the spec-suite shards (test/spec/harness.ts) a results directory and merges their results after the run. */
const SPEC_SETUP = ['test/spec/global-setup.ts'];

export default defineConfig({
  test: {
    // one worker per core (vitest's default leaves one core to its main process, which only reports: on
    // two cores that is one worker and no parallelism); the spec suite is split into shards to fill them
    maxWorkers: availableParallelism(),
    // the costliest files first, whichever project they are in, so that the workers finish together (test/sequencer.ts)
    sequence: { sequencer: CostliestFirst },
    projects: [
      { extends: true, test: { ...common, name: 'shared', include: SHARED, exclude: OWN_PROCESS, isolate: false, globalSetup: SPEC_SETUP } },
      { extends: true, test: { ...common, name: 'own-process', include: OWN_PROCESS } },
      {
        extends: true,
        test: {
          ...common,
          name: 'isolated',
          include: ['test/**/*.test.ts'],
          exclude: SHARED,
        },
      },
    ],
  },
});
