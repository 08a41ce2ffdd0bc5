/** Every script of the spec testsuite parses (parse-level acceptance). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findSuite, listWast, suiteName } from '../../src/spec/suite.js';
import { parseScript } from '../../src/text/script.js';

const suite = findSuite();
const files = listWast([suite]);

describe('spec testsuite parses', () => {
  it('finds the scripts', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const file of files) {
    const name = suiteName(suite, file);
    it(name, () => {
      const script = parseScript(new Uint8Array(readFileSync(file)), name);
      expect(script.commands.length).toBeGreaterThan(0);
    });
  }
});
