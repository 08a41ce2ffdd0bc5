import { describe, expect, it } from 'vitest';
import { decodeModule } from '../../src/decoder/index.js';
import { DecodeError } from '../../src/core/errors.js';
import { binaryCases } from './decoder-wast-fixtures.js';

const cases = binaryCases();

function attempt(bytes: Uint8Array, file: string): Error | null {
  try {
    decodeModule(bytes, { customPageSizes: file.includes('custom-page-sizes') });
    return null;
  } catch (e) {
    return e as Error;
  }
}

describe('testsuite binary modules', () => {
  it('finds the cases', () => {
    expect(cases.length).toBeGreaterThan(800);
  });
  it('assert_malformed binaries fail with the expected message', () => {
    const bad: string[] = [];
    for (const c of cases) {
      if (c.malformed === null) continue;
      const e = attempt(c.bytes, c.file);
      if (e === null) bad.push(`${c.file}:${c.line}: decoded, expected "${c.malformed}"`);
      else if (!(e instanceof DecodeError)) bad.push(`${c.file}:${c.line}: ${e.name} ${e.message}`);
      else if (!e.message.startsWith(c.malformed)) bad.push(`${c.file}:${c.line}: "${e.message}", expected "${c.malformed}"`);
    }
    expect(bad).toEqual([]);
  });
  it('well-formed binaries decode', () => {
    const bad: string[] = [];
    for (const c of cases) {
      if (c.malformed !== null) continue;
      const e = attempt(c.bytes, c.file);
      if (e !== null) bad.push(`${c.file}:${c.line}: ${e.message}`);
    }
    expect(bad).toEqual([]);
  });
});
