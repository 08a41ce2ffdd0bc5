/**
 * The official WebAssembly JS API tests (../shared/js-api, or $WASMETER_JSAPI) against the facade
 * (wasmeter/webassembly), each file in a fresh vm context. Each file's passing subtests are pinned in
 * test/js-api/expected.json: fewer fails, more prints a hint to run `npm run js-api:update`.
 *
 * The files are split between test files so that vitest's workers run them in parallel: limits.any.js (the
 * implementation limits: modules with up to ten million entries, most of the JS API tests' time) in
 * js-api-limits.test.ts, every other file in js-api.test.ts.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleFacade, findJsApiRoot, listTests, runFile, type FileResult } from './runner.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const EXPECTED = join(here, 'expected.json');
const UPDATE = process.env['WASMETER_JSAPI_UPDATE'] === '1';

/** The file that js-api-limits.test.ts runs alone. */
export const LIMITS = 'js-api/limits.any.js';

/** Defines the tests of the JS API test files that `select` picks. */
export function jsApiTests(title: string, select: (file: string) => boolean): void {
  const root = findJsApiRoot();
  if (root === null) throw new Error('the JS API tests were not found: put them in ../shared/js-api or set WASMETER_JSAPI');
  const all = listTests(root);
  const files = all.filter(select);
  const read = (): Record<string, number> => (existsSync(EXPECTED) ? (JSON.parse(readFileSync(EXPECTED, 'utf8')) as Record<string, number>) : {});
  const expected = read();
  const results: FileResult[] = [];
  let facade = '';

  describe(title, () => {
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

    // `npm run js-api:update` runs the test files one after the other (--no-file-parallelism): each merges its
    // files' counts into expected.json as it is then, dropping files that no longer exist
    it('records the counts', () => {
      if (!UPDATE) return;
      const out = read();
      for (const k of Object.keys(out)) if (!all.includes(k)) delete out[k];
      for (const r of results) out[r.file] = r.passed;
      const sorted: Record<string, number> = {};
      for (const k of Object.keys(out).sort((a, b) => a.localeCompare(b))) sorted[k] = out[k]!;
      writeFileSync(EXPECTED, JSON.stringify(sorted, null, 2) + '\n');
    });
  });
}
