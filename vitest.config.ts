import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // one worker per core (vitest's default leaves one core to its main process, which only reports: on
    // two cores that is one worker and no parallelism); the spec suite is split into shards to fill them
    maxWorkers: availableParallelism(),
    // gives the spec-suite shards (test/spec/harness.ts) a results directory and merges their results after the run
    globalSetup: ['test/spec/global-setup.ts'],
  },
});
