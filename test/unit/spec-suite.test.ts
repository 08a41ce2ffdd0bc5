/** Where the spec testsuite is looked for: $WASMETER_TESTSUITE, else ../shared/testsuite beside the package. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SUITE_COMMIT, SuiteNotFound, defaultSuiteDir, findSuite, packageRoot, shardFiles } from '../../src/spec/suite.js';

const ROOT = resolve(__dirname, '../..');
const tmp = mkdtempSync(join(tmpdir(), 'wasmeter-suite-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('finding the spec testsuite', () => {
  it('the package root is found from the module itself, from src/spec and from dist/ alike', () => {
    expect(packageRoot()).toBe(ROOT);
    expect(packageRoot(join(ROOT, 'dist'))).toBe(ROOT);
    expect(packageRoot(tmp)).toBeNull();
    expect(defaultSuiteDir()).toBe(resolve(ROOT, '..', 'shared', 'testsuite'));
  });
  it('WASMETER_TESTSUITE wins when set; else the directory beside the package', () => {
    const other = mkdtempSync(join(tmp, 'other-'));
    expect(findSuite({ WASMETER_TESTSUITE: other }, tmp)).toBe(other);
    expect(findSuite({}, tmp)).toBe(tmp);
    expect(findSuite({ WASMETER_TESTSUITE: '' }, tmp)).toBe(tmp);
    expect(() => findSuite({ WASMETER_TESTSUITE: join(tmp, 'nope') }, tmp)).toThrow(SuiteNotFound);
  });
  it('says how to get it, at the commit README.md names', () => {
    expect(() => findSuite({}, join(tmp, 'missing'))).toThrow(new RegExp(`not found at .*missing\\.\\nGet it with\\n.*checkout ${SUITE_COMMIT}`));
    expect(() => findSuite({}, null)).toThrow(/^WebAssembly spec testsuite not found\./);
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(`git -C ../shared/testsuite checkout ${SUITE_COMMIT}`);
  });
});

describe('splitting the suite into shards', () => {
  const files = Array.from({ length: 40 }, (_, i) => ({ name: `f${i}.wast`, size: ((i * 7919) % 97) * 100 + (i === 5 ? 20_000 : 0) }));
  it('puts every script in exactly one shard, the same way every time', () => {
    const shards = shardFiles(files, 3);
    expect(shards).toHaveLength(3);
    expect(shards.flat().sort()).toEqual(files.map((f) => f.name).sort());
    expect(shardFiles([...files].reverse(), 3)).toEqual(shards);
  });
  it('of about the same total size (within the largest script)', () => {
    const size = new Map(files.map((f) => [f.name, f.size]));
    const loads = shardFiles(files, 4).map((g) => g.reduce((n, f) => n + size.get(f)!, 0));
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(Math.max(...files.map((f) => f.size)));
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThan(10_000); // LPT: far closer than the 20 kB script
  });
});
