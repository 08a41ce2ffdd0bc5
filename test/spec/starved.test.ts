/**
 * The Wasm 2.0 spec files run a second time in starved mode: every action
 * starts with 0 fuel and, at each OutOfFuel, gets exactly the fuel the next
 * instruction (or surcharge) needs and resumes. Stopping and resuming at every
 * instruction must change nothing: each file passes as many assertions as
 * the normal run records in expected.json.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Expectations } from '../../src/spec/expectations.js';
import { runScript } from '../../src/spec/runner.js';
import { findSuite } from '../../src/spec/suite.js';

const here = dirname(fileURLToPath(import.meta.url));
const expected = JSON.parse(readFileSync(join(here, 'expected.json'), 'utf8')) as Expectations;
const suite = findSuite();
const files = expected.groups['wasm-2.0']!.files;

describe('spec testsuite, Wasm 2.0 files, starved (0 fuel, refilled by exactly what is needed)', () => {
  it('has the Wasm 2.0 group', () => {
    expect(files.length).toBeGreaterThan(100);
  });
  for (const name of files) {
    it(name, () => {
      const r = runScript(new Uint8Array(readFileSync(join(suite, name))), name, { starved: true });
      const want = expected.files[name]!.passed;
      if (r.passed < want) {
        const why = r.failures
          .slice(0, 10)
          .map((f) => `  ${name}:${f.line} ${f.kind}: ${f.reason}`)
          .join('\n');
        expect.fail(`starved run of ${name} passes ${r.passed} assertions, the normal run ${want}\n${why}`);
      }
    });
  }
});
