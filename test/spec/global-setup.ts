/**
 * Runs around the whole vitest run: gives the spec shards (harness.ts) a
 * fresh directory for their results and, after the run, when every normal
 * shard has written its results, merges them: with WASMETER_SPEC_UPDATE=1
 * writes expected.json from them; else prints the files that pass more than
 * expected.json records, scripts it does not list or that were not found,
 * and the totals. (Regressions fail the shards' own tests.)
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildExpectations, compare, type Expectations } from '../../src/spec/expectations.js';
import type { FileResult } from '../../src/spec/runner.js';
import { EXPECTED, SHARDS, UPDATE, shardResultsFile } from './harness.js';

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'wasmeter-spec-'));
  project.provide('specResults', dir);
  return () => {
    try {
      summarize(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

function summarize(dir: string): void {
  const files = Array.from({ length: SHARDS.normal }, (_, i) => shardResultsFile(dir, i + 1));
  if (!files.every((f) => existsSync(f))) return; // not every normal shard ran (or one failed to finish)
  const results = new Map<string, FileResult>(files.flatMap((f) => JSON.parse(readFileSync(f, 'utf8')) as [string, FileResult][]));
  const built = buildExpectations(results);
  if (UPDATE) {
    writeFileSync(EXPECTED, JSON.stringify(built, null, 2) + '\n');
    console.log(`wrote ${EXPECTED}: ${built.totals.passed} passed, ${built.totals.failed} failed, ${built.totals.skipped} skipped`);
    return;
  }
  if (!existsSync(EXPECTED)) return;
  const expected = JSON.parse(readFileSync(EXPECTED, 'utf8')) as Expectations;
  const c = compare(expected, results);
  if (c.improvements.length > 0)
    console.log(
      `spec suite: ${c.improvements.length} file(s) pass more assertions than expected.json records:\n  ${c.improvements.join('\n  ')}\nrun \`npm run spec:update\` to record them.`,
    );
  if (c.added.length > 0) console.log(`spec suite: scripts not in expected.json:\n  ${c.added.join('\n  ')}\nrun \`npm run spec:update\`.`);
  if (c.missing.length > 0) console.log(`spec suite: expected.json lists scripts that were not found:\n  ${c.missing.join('\n  ')}`);
  console.log(
    `spec suite: ${built.totals.passed} passed, ${built.totals.failed} failed, ${built.totals.skipped} skipped ` +
      `(wasm-2.0: ${built.groups['wasm-2.0']!.passed} passed, ${built.groups['wasm-2.0']!.failed} failed); ` +
      `expected.json: ${expected.totals.passed} passed`,
  );
}
