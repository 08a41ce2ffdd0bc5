/**
 * Runs the whole WebAssembly spec testsuite and compares each script's
 * passing assertions with test/spec/expected.json. Fewer passes than
 * expected fails; more passes are printed with a hint to run
 * `npm run spec:update` (which rewrites expected.json from this run).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildExpectations, compare, type Expectations } from '../../src/spec/expectations.js';
import { runScript, type FileResult } from '../../src/spec/runner.js';
import { findSuite, listWast, suiteName } from '../../src/spec/suite.js';

const here = dirname(fileURLToPath(import.meta.url));
const EXPECTED = join(here, 'expected.json');
const UPDATE = process.env['WASMETER_SPEC_UPDATE'] === '1';

const suite = findSuite(); // throws with instructions when the suite is missing
const files = listWast([suite]);
const expected: Expectations | null = existsSync(EXPECTED) ? (JSON.parse(readFileSync(EXPECTED, 'utf8')) as Expectations) : null;
const results = new Map<string, FileResult>();

describe('spec testsuite', () => {
  it('finds the scripts', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    const name = suiteName(suite, file);
    it(name, () => {
      const r = runScript(new Uint8Array(readFileSync(file)), name);
      results.set(name, r);
      if (UPDATE || !expected) return;
      const e = expected.files[name];
      if (e && r.passed < e.passed) {
        const why = r.failures
          .slice(0, 10)
          .map((f) => `  ${name}:${f.line} ${f.kind}: ${f.reason}`)
          .join('\n');
        expect.fail(`regression: ${name} passes ${r.passed} assertions, expected ${e.passed}\nfirst failures:\n${why}`);
      }
    });
  }

  it('matches expected.json', () => {
    const built = buildExpectations(results);
    if (UPDATE) {
      writeFileSync(EXPECTED, JSON.stringify(built, null, 2) + '\n');
      console.log(`wrote ${EXPECTED}: ${built.totals.passed} passed, ${built.totals.failed} failed, ${built.totals.skipped} skipped`);
      return;
    }
    if (!expected) {
      expect.fail(`${EXPECTED} does not exist: run \`npm run spec:update\` to create it`);
    }
    const c = compare(expected, results);
    if (c.improvements.length > 0) {
      console.log(
        `spec suite: ${c.improvements.length} file(s) pass more assertions than expected.json records:\n  ` +
          c.improvements.join('\n  ') +
          '\nrun `npm run spec:update` to record them.',
      );
    }
    if (c.added.length > 0) console.log(`spec suite: scripts not in expected.json:\n  ${c.added.join('\n  ')}\nrun \`npm run spec:update\`.`);
    if (c.missing.length > 0) {
      console.log(`spec suite: expected.json lists scripts that were not found:\n  ${c.missing.join('\n  ')}`);
    }
    console.log(
      `spec suite: ${built.totals.passed} passed, ${built.totals.failed} failed, ${built.totals.skipped} skipped ` +
        `(wasm-2.0: ${built.groups['wasm-2.0']!.passed} passed, ${built.groups['wasm-2.0']!.failed} failed); ` +
        `expected.json: ${expected.totals.passed} passed`,
    );
    expect(c.regressions, c.regressions.join('\n')).toEqual([]);
  });
});
