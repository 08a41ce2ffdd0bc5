/**
 * wasmeter in Firefox (SpiderMonkey: a second engine, which canonicalizes NaNs; src/interp/nan-bits.ts), headless,
 * driven over WebDriver BiDi by puppeteer-core (firefox.ts: installed with apt-get when missing and root;
 * WASMETER_SKIP_BROWSER=1 skips both browser tests). The pages of the Chromium test (setup.ts, cases.ts: spec
 * scripts, bench workloads with Wasm GC, traps, the fuel tests' programs cut by stops and resumed, the facade) with
 * eval and under a Content-Security-Policy without it (the interpreter), compared with Node's report; and every
 * script of the spec suite (the Wasm 2.0 ones starved too) in both, against expected.json, as Node's spec test does.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Served } from '../../examples/browser/server.js';
import type { Expectations } from '../../src/spec/expectations.js';
import { findSuite, listWast, suiteName } from '../../src/spec/suite.js';
import type { Inputs, Report } from './cases.js';
import { ensureFirefox, launchFirefox } from './firefox.js';
import { SKIP_VAR } from './install.js';
import { ROOT, expectFreshDist, inputs, nodeReport, pageResult, servePages, type PageResult } from './setup.js';

const SKIP = process.env[SKIP_VAR] === '1';
/** More spec scripts for the cases page: their assertions move NaN bits through loads, stores, constants and reinterpretations. */
const NAN_WAST = ['f32', 'f32_bitwise', 'f64_bitwise', 'float_exprs', 'float_literals', 'float_memory', 'float_misc', 'select', 'simd_lane'];

/** Every script expected.json lists (the Wasm 2.0 ones a second time, starved), nothing else. */
function suiteInputs(expected: Expectations): Inputs {
  const suite = findSuite();
  const starved = new Set(expected.groups['wasm-2.0']!.files);
  const names = listWast([suite])
    .map((f) => suiteName(suite, f))
    .filter((n) => expected.files[n] !== undefined);
  expect(names.length).toBe(Object.keys(expected.files).length);
  return { wast: names.map((name) => ({ name, text: readFileSync(join(suite, name), 'utf8'), starved: starved.has(name) })), calls: [], programs: [] };
}

test('without Firefox the test says how to get it', () => {
  expect(() => ensureFirefox({ WASMETER_FIREFOX: '/nonexistent/firefox' })).toThrow(
    /WASMETER_FIREFOX=\/nonexistent\/firefox does not exist\. Install it .*apt-get install firefox-esr.*WASMETER_SKIP_BROWSER=1/,
  );
});

test('finds firefox-esr or firefox on the PATH, in PATH order', () => {
  const a = mkdtempSync(join(tmpdir(), 'wasmeter-path-'));
  const b = mkdtempSync(join(tmpdir(), 'wasmeter-path-'));
  try {
    writeFileSync(join(a, 'firefox'), '');
    writeFileSync(join(b, 'firefox-esr'), '');
    expect(ensureFirefox({ PATH: ['', a, b].join(delimiter) })).toBe(join(a, 'firefox'));
    expect(ensureFirefox({ PATH: b })).toBe(join(b, 'firefox-esr'));
  } finally {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
});

describe.skipIf(SKIP)('in Firefox', () => {
  let browser: Browser;
  let served: Served;
  let input: Inputs;
  let node: Report;
  const expected = JSON.parse(readFileSync(join(ROOT, 'test/spec/expected.json'), 'utf8')) as Expectations;

  beforeAll(async () => {
    expectFreshDist();
    input = inputs(NAN_WAST);
    node = nodeReport(input);
    served = await servePages(input, { suite: suiteInputs(expected) });
    browser = await launchFirefox(); // may install it first (about a minute)
  }, 15 * 60_000);

  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });

  async function runPage(path: string): Promise<PageResult> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('requestfailed', (r) => errors.push(`${r.url()}: ${r.failure()?.errorText}`));
    page.on('response', (r) => void (r.status() >= 400 && errors.push(`${r.url()}: ${r.status()}`)));
    await page.goto(served.origin + path);
    expect(errors, 'page errors').toEqual([]);
    const encoded = await page.evaluate(() => window.wasmeterReport!);
    await page.close();
    return pageResult(encoded);
  }

  test('Node passes the NaN scripts the page runs besides the Chromium test\'s', () => {
    for (const w of node.wast) {
      expect(w.failures, w.file).toEqual([]);
      expect(w.passed, w.file).toBe(expected.files[w.file]!.passed);
    }
    expect(node.wast.map((w) => w.file)).toEqual(expect.arrayContaining(NAN_WAST.map((f) => `${f}.wast`)));
  });

  test('a page runs spec scripts, workloads, traps and fuel programs with the results, fuel, peaks and stops of Node', async () => {
    const r = await runPage('/index.html');
    expect(r.evalAllowed).toBe(true);
    expect(r.report).toEqual(node);
    console.log(`browser test, Firefox: the page ran the cases in ${r.ms} ms`);
  });

  test("under Content-Security-Policy: script-src 'self' (no eval) the same, on the interpreter", async () => {
    const r = await runPage('/csp.html');
    expect(r.evalAllowed).toBe(false);
    expect(r.report).toEqual(node);
    console.log(`browser test, Firefox: the page without eval ran the cases in ${r.ms} ms`);
  });

  test.each([
    ['/index.html?inputs=suite', true],
    ['/csp.html?inputs=suite', false],
  ])('the whole spec suite passes as in Node (%s), the Wasm 2.0 scripts starved too', async (path, evalAllowed) => {
    const r = await runPage(path);
    expect(r.evalAllowed).toBe(evalAllowed);
    const got = r.report.wast.map((w) => ({ file: w.file, starved: w.starved, passed: w.passed, failures: w.failures.slice(0, 5) }));
    const want = r.report.wast.map((w) => ({ file: w.file, starved: w.starved, passed: expected.files[w.file]!.passed, failures: [] }));
    expect(got).toEqual(want);
    expect(r.report.wast.length).toBe(Object.keys(expected.files).length + expected.groups['wasm-2.0']!.files.length);
    console.log(`browser test, Firefox: the page ran the spec suite (${evalAllowed ? 'JS tier' : 'interpreter'}) in ${r.ms} ms`);
  });
});
