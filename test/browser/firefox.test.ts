/**
 * wasmeter in Firefox (SpiderMonkey: a second engine, which canonicalizes NaNs; src/interp/nan-bits.ts), headless,
 * driven over WebDriver BiDi by puppeteer-core (firefox.ts: installed with apt-get when missing and root;
 * WASMETER_SKIP_BROWSER=1 skips both browser tests). The pages of the Chromium test (setup.ts, cases.ts: spec
 * scripts, bench workloads with Wasm GC, traps, the fuel tests' programs cut by stops and resumed, the facade) with
 * eval and under a Content-Security-Policy without it (the interpreter), compared with Node's report; and every
 * script of the spec suite (the Wasm 2.0 ones starved too) in both, against expected.json, as Node's spec test does.
 */
import { describe, expect, test } from 'vitest';
import { ensureFirefox, launchFirefox } from './firefox.js';
import { SKIP_VAR } from './install.js';
import { finderTests, pagesFixture, suiteTests } from './setup.js';

const SKIP = process.env[SKIP_VAR] === '1';
/** More spec scripts for the cases page: their assertions move NaN bits through loads, stores, constants and reinterpretations. */
const NAN_WAST = ['f32', 'f32_bitwise', 'f64_bitwise', 'float_exprs', 'float_literals', 'float_memory', 'float_misc', 'select', 'simd_lane'];

finderTests('firefox-esr or firefox', ensureFirefox, 'WASMETER_FIREFOX', 'firefox-esr', 'firefox', 'firefox-esr');

describe.skipIf(SKIP)('in Firefox', () => {
  const pages = pagesFixture(launchFirefox, NAN_WAST);
  const { expected } = pages;

  test('Node passes the NaN scripts the page runs besides the Chromium test\'s', () => {
    for (const w of pages.node.wast) {
      expect(w.failures, w.file).toEqual([]);
      expect(w.passed, w.file).toBe(expected.files[w.file]!.passed);
    }
    expect(pages.node.wast.map((w) => w.file)).toEqual(expect.arrayContaining(NAN_WAST.map((f) => `${f}.wast`)));
  });

  test('a page runs spec scripts, workloads, traps and fuel programs with the results, fuel, peaks and stops of Node', async () => {
    const r = await pages.run('/index.html');
    expect(r.evalAllowed).toBe(true);
    expect(r.report).toEqual(pages.node);
    console.log(`browser test, Firefox: the page ran the cases in ${r.ms} ms`);
  });

  test("under Content-Security-Policy: script-src 'self' (no eval) the same, on the interpreter", async () => {
    const r = await pages.run('/csp.html');
    expect(r.evalAllowed).toBe(false);
    expect(r.report).toEqual(pages.node);
    console.log(`browser test, Firefox: the page without eval ran the cases in ${r.ms} ms`);
  });

  suiteTests('Firefox', pages);
});
