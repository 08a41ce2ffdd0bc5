/**
 * The Firefox the Firefox browser test drives: `$WASMETER_FIREFOX`, else the first of `firefox-esr` and `firefox`
 * on the PATH; when there is none and we are root with apt-get, Debian's `firefox-esr` package is installed first
 * (install.ts). It is a stock Firefox, driven headless over WebDriver BiDi by puppeteer-core (playwright-core
 * drives only a Firefox patched for it, which it downloads).
 */
import puppeteer, { type Browser } from 'puppeteer-core';
import { ensureBrowser, type BrowserSpec } from './install.js';

const FIREFOX: BrowserSpec = {
  what: 'Firefox',
  envVar: 'WASMETER_FIREFOX',
  names: ['firefox-esr', 'firefox'],
  aptPackage: 'firefox-esr',
  hint: 'Firefox',
};

/** The executable, installing Debian's firefox-esr first when needed and possible; throws NoBrowser (with how to get it) otherwise. */
export function ensureFirefox(env: NodeJS.ProcessEnv = process.env): string {
  return ensureBrowser(FIREFOX, env);
}

/**
 * Headless Firefox (a fresh profile) driven by puppeteer-core over WebDriver BiDi, installed first when needed.
 * Preferences keep it off the network: no updates, telemetry, captive-portal or connectivity checks.
 */
export async function launchFirefox(env: NodeJS.ProcessEnv = process.env): Promise<Browser> {
  const executablePath = ensureFirefox(env);
  return puppeteer.launch({
    browser: 'firefox',
    executablePath,
    headless: true,
    extraPrefsFirefox: {
      'app.update.enabled': false,
      'network.captive-portal-service.enabled': false,
      'network.connectivity-service.enabled': false,
      'datareporting.policy.dataSubmissionEnabled': false,
      'toolkit.telemetry.enabled': false,
      'browser.safebrowsing.update.enabled': false,
    },
  });
}
