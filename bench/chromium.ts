/**
 * Modules timed in headless Chromium's own WebAssembly (V8 with final Wasm GC, which Node 20's V8 lacks),
 * for `npm run bench -- gc`: the browser test's Chromium and launcher (test/browser/chromium.ts), one
 * blank page, each module compiled and instantiated there and its export called like the Node side calls
 * wasmeter: two untimed calls, then `runs` timed samples (performance.now in the page, whose 0.1 ms ticks
 * are too coarse for the shortest calls: a sample is the time per call of a batch of about 20 ms).
 */
import type { Browser } from 'playwright-core';
import { launchChromium } from '../test/browser/chromium.js';

export interface PageCase {
  id: string;
  bytes: Uint8Array;
  export: string;
  args: number[];
}

export interface PageTiming {
  id: string;
  /** What the last call returned. */
  result: unknown;
  fastestMs: number;
  medianMs: number;
}

/** The sorted middle (upper middle of an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** Times every case in one Chromium page; throws (NoBrowser, or the page's error) when it cannot. */
export async function timeInChromium(cases: PageCase[], runs: number): Promise<PageTiming[]> {
  let browser: Browser | null = null;
  try {
    browser = await launchChromium();
    const page = await browser.newPage();
    const out: PageTiming[] = [];
    for (const c of cases) {
      const r = await page.evaluate(
        ({ bytes, name, args, runs }) => {
          const inst = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(bytes)));
          const f = inst.exports[name] as (...a: number[]) => unknown;
          let result = f(...args);
          let t0 = performance.now();
          result = f(...args);
          // a page's clock ticks in 0.1 ms: a sample is a batch of calls lasting about 20 ms, divided
          const batch = Math.max(1, Math.ceil(20 / Math.max(performance.now() - t0, 0.1)));
          const ms: number[] = [];
          for (let i = 0; i < runs; i++) {
            t0 = performance.now();
            for (let j = 0; j < batch; j++) result = f(...args);
            ms.push((performance.now() - t0) / batch);
          }
          return { result, ms };
        },
        { bytes: Array.from(c.bytes), name: c.export, args: c.args, runs },
      );
      out.push({ id: c.id, result: r.result, fastestMs: Math.min(...r.ms), medianMs: median(r.ms) });
    }
    return out;
  } finally {
    await browser?.close();
  }
}
