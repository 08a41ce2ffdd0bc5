/**
 * The browser test's page script (bundled by browser.test.ts, with the library imported from dist/):
 * fetches the inputs (`/inputs.json`, or `/<name>.json` for `?inputs=<name>`), runs the cases, and resolves
 * `window.wasmeterReport` with the report (encoded JSON).
 */
import { runCases, type Inputs } from './cases.js';
import { decode, encode } from './json.js';

declare global {
  interface Window {
    /** Resolves to the encoded report `{ report, ms, evalAllowed }`, or `{ error }`. */
    wasmeterReport?: Promise<string>;
  }
}

/** Whether this page may compile strings to code (not under a Content-Security-Policy without 'unsafe-eval'). */
function evalAllowed(): boolean {
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    new Function('');
    return true;
  } catch {
    return false;
  }
}

async function run(): Promise<string> {
  try {
    const name = new URLSearchParams(location.search).get('inputs') ?? 'inputs';
    const inputs = decode(await (await fetch(`/${name}.json`)).text()) as Inputs;
    const t0 = performance.now();
    const report = runCases(inputs);
    return encode({ report, ms: Math.round(performance.now() - t0), evalAllowed: evalAllowed() });
  } catch (e) {
    return encode({ error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e) });
  }
}

window.wasmeterReport = run();
