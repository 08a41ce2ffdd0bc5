/**
 * The official WebAssembly JS API tests (../shared/js-api, or $WASMETER_JSAPI) against the facade
 * (wasmeter/webassembly), each file in a fresh vm context. Each file's passing subtests are pinned in
 * test/js-api/expected.json: fewer fails, more prints a hint to run `npm run js-api:update`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleFacade, findJsApiRoot, listTests, runFile, type FileResult } from './runner.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const EXPECTED = join(here, 'expected.json');
const UPDATE = process.env['WASMETER_JSAPI_UPDATE'] === '1';

const root = findJsApiRoot();
if (root === null) throw new Error('the JS API tests were not found: put them in ../shared/js-api or set WASMETER_JSAPI');
const files = listTests(root);
const expected: Record<string, number> = existsSync(EXPECTED) ? (JSON.parse(readFileSync(EXPECTED, 'utf8')) as Record<string, number>) : {};
const results: FileResult[] = [];
let facade = '';

describe('WebAssembly JS API tests (facade)', () => {
  beforeAll(async () => {
    facade = await bundleFacade();
  });

  for (const file of files) {
    it(file, { timeout: 900_000 }, async () => {
      const ignore = (): void => {};
      process.on('unhandledRejection', ignore);
      let r: FileResult;
      try {
        r = await runFile(root, file, facade);
      } finally {
        process.off('unhandledRejection', ignore);
      }
      results.push(r);
      if (UPDATE) return;
      const want = expected[file] ?? 0;
      if (r.passed < want) {
        const why = r.failures.map((f) => `  - ${f.name}: ${f.message.split('\n')[0]}`).join('\n');
        expect.fail(`${file}: ${r.passed} subtests passed, expected ${want}\n${why}`);
      }
      if (r.passed > want) console.log(`${file}: ${r.passed} passed, ${want} pinned: run npm run js-api:update`);
    });
  }

  it('records the counts', () => {
    if (!UPDATE) return;
    const out: Record<string, number> = {};
    for (const r of [...results].sort((a, b) => a.file.localeCompare(b.file))) out[r.file] = r.passed;
    writeFileSync(EXPECTED, JSON.stringify(out, null, 2) + '\n');
  });
});
