/** test/sequencer.ts: the costliest test files start first, whichever project they are in. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestSpecification, Vitest } from 'vitest/node';
import { describe, expect, it } from 'vitest';
import { CostliestFirst, FILE_CPU_SECONDS } from '../sequencer.js';

const ROOT = resolve(__dirname, '../..');

function spec(file: string, project: string, isolate: boolean): TestSpecification {
  return { moduleId: join(ROOT, file), project: { name: project, config: { root: ROOT, isolate, sequence: { groupOrder: 0 } } } } as never;
}

describe('the test sequencer', () => {
  it('lists only test files that exist', () => {
    for (const f of Object.keys(FILE_CPU_SECONDS)) expect(existsSync(join(ROOT, f)), f).toBe(true);
  });
  it('starts the listed files first, costliest first, across projects; the others after them in vitest order', async () => {
    // vitest without recorded durations: files of unknown size keep their order
    const ctx = { config: { root: ROOT }, cache: { getFileTestResults: () => undefined, getFileStats: () => undefined } } as unknown as Vitest;
    const files = [
      spec('test/unit/layers.test.ts', 'shared', false),
      spec('test/unit/jit.test.ts', 'shared', false),
      spec('test/spec/parse.test.ts', 'isolated', true),
      spec('test/spec/starved-2.test.ts', 'isolated', true),
      spec('test/js-api/js-api-limits.test.ts', 'isolated', true),
    ];
    const sorted = (await new CostliestFirst(ctx).sort(files)).map((f) => f.moduleId.slice(ROOT.length + 1));
    expect(sorted).toEqual([
      'test/js-api/js-api-limits.test.ts',
      'test/unit/jit.test.ts',
      'test/spec/starved-2.test.ts',
      'test/spec/parse.test.ts',
      'test/unit/layers.test.ts',
    ]);
  });
});
