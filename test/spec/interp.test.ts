/**
 * The spec testsuite once more with the JS tier off (Store option
 * `tier: 'interp'`): the interpreter alone must pass every file as the normal
 * run (JS tier on, spec.test.ts) records in expected.json. The starved run
 * (starved.test.ts) runs with the tier on.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Expectations } from '../../src/spec/expectations.js';
import { runScript } from '../../src/spec/runner.js';
import { findSuite, listWast, suiteName } from '../../src/spec/suite.js';

const here = dirname(fileURLToPath(import.meta.url));
const expected = JSON.parse(readFileSync(join(here, 'expected.json'), 'utf8')) as Expectations;
const suite = findSuite();
const files = listWast([suite]);

describe('spec testsuite, interpreter only (tier: interp)', () => {
  it('finds the scripts', () => {
    expect(files.length).toBeGreaterThan(100);
  });
  for (const file of files) {
    const name = suiteName(suite, file);
    it(name, () => {
      const r = runScript(new Uint8Array(readFileSync(file)), name, { tier: 'interp' });
      const want = expected.files[name]?.passed ?? 0;
      if (r.passed < want) {
        const why = r.failures
          .slice(0, 10)
          .map((f) => `  ${name}:${f.line} ${f.kind}: ${f.reason}`)
          .join('\n');
        expect.fail(`interpreter-only run of ${name} passes ${r.passed} assertions, expected ${want}\n${why}`);
      }
    });
  }
});
