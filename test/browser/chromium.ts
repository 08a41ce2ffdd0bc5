/**
 * The Chromium the browser test (and the GC bench, bench/chromium.ts) drives: `$WASMETER_CHROMIUM`, else the first of `chromium`,
 * `chromium-browser`, `google-chrome` and `google-chrome-stable` on the PATH; when there is none and we
 * are root with apt-get (as in CI on a fresh machine), Debian's `chromium` package is installed first (install.ts).
 */
import { chromium, type Browser } from 'playwright-core';
import { ensureBrowser, type BrowserSpec } from './install.js';

export { SKIP_VAR } from './install.js';

const CHROMIUM: BrowserSpec = {
  what: 'Chromium',
  envVar: 'WASMETER_CHROMIUM',
  names: ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'],
  aptPackage: 'chromium',
  hint: 'Chromium or Chrome',
};

/** Flags for a headless run on a closed network (without the networking ones, its connections are refused in bulk). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The executable, installing Debian's chromium first when needed and possible; throws NoBrowser (with how to get it) otherwise. */
export function ensureChromium(env: NodeJS.ProcessEnv = process.env): string {
  return ensureBrowser(CHROMIUM, env);
}

/** Headless Chromium driven by playwright-core (the browser test's and `npm run bench -- gc`'s), installed first when needed (ensureChromium). */
export async function launchChromium(env: NodeJS.ProcessEnv = process.env): Promise<Browser> {
  const executablePath = ensureChromium(env);
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS.filter((a) => a !== '--headless') });
}
