/**
 * wasmeter in a real browser (Chromium, headless, driven by playwright-core): the built library
 * (dist/index.js, dist/spec.js, dist/webassembly.js) served from 127.0.0.1 runs spec scripts, bench workloads
 * (the Wasm GC ones too), traps and the fuel tests' random programs, cut by out-of-fuel stops and resumed, and
 * the WebAssembly facade on a page with no SharedArrayBuffer global (not cross-origin isolated), with the
 * results, fuel and peaks Node gets; the same again on a page whose Content-Security-Policy forbids
 * `new Function` (the JS tier falls back to the interpreter, struct classes are built without source);
 * and examples/browser shows a known module's fuel.
 *
 * Every script of the spec suite runs in both pages too, against expected.json (session 18: the interpreter in
 * Chromium 156 quieted signalling NaNs through f64.store, which the eleven scripts did not show).
 *
 * Chromium: see chromium.ts (installed with apt-get when missing and root; WASMETER_SKIP_BROWSER=1 skips). The same
 * pages in Firefox: firefox.test.ts; what both share: setup.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { Linker, Module, Store } from '../../src/index.js';
import { GC_WORKLOADS, WORKLOADS, sameResult } from '../../bench/workloads.js';
import { consumedFor } from '../fuel/props.js';
import { runReference } from '../fuel/reference.js';
import { SKIP_VAR, ensureChromium, launchChromium } from './chromium.js';
import { ROOT, finderTests, pagesFixture, suiteTests, visit } from './setup.js';

const SKIP = process.env[SKIP_VAR] === '1';

finderTests('Chromium or Chrome', ensureChromium, 'WASMETER_CHROMIUM', 'chromium', 'google-chrome', 'chromium');

describe.skipIf(SKIP)('in Chromium', () => {
  const pages = pagesFixture(launchChromium);
  const { expected } = pages;
  const open = async (path: string): Promise<Page> => visit(await pages.browser.newPage(), pages.served.origin + path);

  test('Node runs the cases right (what the pages are compared with)', () => {
    expect(pages.node.facade).toEqual({ valid: true, sum: 5, bufferTag: '[object SharedArrayBuffer]', oldLength: 65536, newLength: 131072, aliased: true });
    for (const w of pages.node.wast) {
      expect(w.failures, w.file).toEqual([]);
      expect(w.passed, w.file).toBe(expected.files[w.file]!.passed);
    }
    [...WORKLOADS, ...GC_WORKLOADS].forEach((w, i) => expect(sameResult(pages.node.calls[i]!.full.results![0], w.expected), w.id).toBe(true));
    for (const { full, cut } of pages.node.calls) {
      expect(cut.stops.length, cut.name).toBeGreaterThan(0);
      expect({ ...cut, stops: [], fuelRemaining: 0 }).toEqual({ ...full, stops: [], fuelRemaining: 0 });
    }
    expect(pages.node.calls.map((c) => c.full.trap)).toContain('out of bounds memory access');
    expect(pages.node.calls.map((c) => c.full.trap)).toContain('integer divide by zero');
    pages.input.programs.forEach((p, i) => {
      const { once, cut, stops } = pages.node.programs[i]!;
      const ref = runReference(p);
      if (!ref.tainted) expect(once.fuelConsumed, `program ${i}`).toBe(consumedFor(ref));
      expect({ ...cut, fuelRemaining: 0 }).toEqual({ ...once, fuelRemaining: 0 });
      expect(stops.length).toBeGreaterThan(0);
    });
  });

  test('a page runs spec scripts, workloads, traps and fuel programs with the results, fuel, peaks and stops of Node', async () => {
    const r = await pages.run('/index.html');
    expect(r.evalAllowed).toBe(true);
    expect(r.report).toEqual(pages.node);
    console.log(`browser test: the page ran the cases in ${r.ms} ms`);
  });

  test("under Content-Security-Policy: script-src 'self' (no eval) the same, on the interpreter", async () => {
    const r = await pages.run('/csp.html');
    expect(r.evalAllowed).toBe(false);
    expect(r.report).toEqual(pages.node);
    console.log(`browser test: the page without eval ran the cases in ${r.ms} ms`);
  });

  suiteTests('Chromium', pages);

  test('examples/browser shows the fuel of a known module, stops out of fuel and resumes', async () => {
    const source = readFileSync(join(ROOT, 'examples/fib.wat'), 'utf8');
    const store = new Store({ fuel: 1e6 });
    const instance = new Linker().instantiate(store, Module.fromWat(source));
    expect(instance.call('fib', 20)).toEqual([6765]);
    const fmt = (n: number): string => n.toLocaleString('en-US');

    const page = await open('/');
    expect(page.url()).toBe(`${pages.served.origin}/examples/browser/`);
    const status = page.locator('#status');
    await expect.poll(() => status.textContent()).toBe('Ready.');
    await page.selectOption('#export', 'fib');
    await page.fill('#args', '20');
    await page.fill('#fuel', '1000000');
    await page.click('#run');
    await expect.poll(() => status.textContent()).toBe('results: 6765');
    expect(await page.textContent('#fuel-consumed')).toBe(fmt(store.fuelConsumed));
    expect(await page.textContent('#fuel-remaining')).toBe(fmt(store.fuelRemaining));
    expect(await page.textContent('#peak-depth')).toBe(fmt(store.peaks.callDepth));
    expect(await page.textContent('#peak-stack')).toBe(fmt(store.peaks.valueStackBytes));
    const rows = await page.locator('#profile tbody tr').allTextContents();
    expect(rows).toEqual([`fib${fmt(21891)}${fmt(store.fuelConsumed)}${fmt(store.fuelConsumed)}`]);

    // a budget that runs out, then a resume with more fuel: the same total
    await page.fill('#fuel', '1000');
    await page.click('#run');
    await expect.poll(() => status.textContent()).toMatch(/^out of fuel: stopped before an instruction that needs \d+ \(\d+ left\)/);
    expect(Number((await page.textContent('#fuel-consumed'))!.replaceAll(',', ''))).toBeLessThanOrEqual(1000);
    await page.fill('#fuel', '1000000');
    await page.click('#resume');
    await expect.poll(() => status.textContent()).toBe('results: 6765');
    expect(await page.textContent('#fuel-consumed')).toBe(fmt(store.fuelConsumed));
    await page.close();
  });
});
