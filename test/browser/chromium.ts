/**
 * The Chromium the browser test (and the GC bench, bench/chromium.ts) drives: `$WASMETER_CHROMIUM`, else the first of `chromium`,
 * `chromium-browser`, `google-chrome` and `google-chrome-stable` on the PATH; when there is none and we
 * are root with apt-get (as in CI on a fresh machine), Debian's `chromium` package is installed first.
 * Nothing downloads a browser of its own.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** The first Chromium or Chrome executable on the PATH, or null. */
function onPath(env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    for (const n of NAMES) if (existsSync(join(dir, n))) return join(dir, n);
  }
  return null;
}

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

/** Set to 1 to skip the browser test (the only way it is skipped). */
export const SKIP_VAR = 'WASMETER_SKIP_BROWSER';

export class NoChromium extends Error {
  override name = 'NoChromium';
}

const HOWTO =
  `Install it (Debian/Ubuntu: \`sudo apt-get install chromium\`; the test does this itself when run as root), ` +
  `or point WASMETER_CHROMIUM at a Chromium or Chrome executable, or set ${SKIP_VAR}=1 to skip the browser test.`;

/** The executable, installing Debian's chromium first when needed and possible; throws NoChromium (with how to get it) otherwise. */
export function ensureChromium(env: NodeJS.ProcessEnv = process.env): string {
  const given = env['WASMETER_CHROMIUM'];
  if (given !== undefined && given !== '') {
    if (existsSync(given)) return given;
    throw new NoChromium(`WASMETER_CHROMIUM=${given} does not exist. ${HOWTO}`);
  }
  const found = onPath(env);
  if (found !== null) return found;
  if (process.getuid?.() !== 0 || !hasAptGet()) {
    throw new NoChromium(`The browser test needs Chromium: none of ${NAMES.join(', ')} is on the PATH, and it cannot be installed here (not root, or no apt-get). ${HOWTO}`);
  }
  const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // the install waits up to 5 minutes for the dpkg lock while another apt-get or dpkg runs
  for (const args of [['update', '-q'], ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', '-q', 'chromium']]) {
    const r = spawnSync('apt-get', args, { env: aptEnv, encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) {
      const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n').slice(-20).join('\n');
      throw new NoChromium(`\`apt-get ${args.join(' ')}\` failed (${r.error?.message ?? `exit ${r.status}`}):\n${tail}\n${HOWTO}`);
    }
  }
  const installed = onPath(env);
  if (installed === null) throw new NoChromium(`apt-get installed chromium, but it is not on the PATH. ${HOWTO}`);
  return installed;
}

/** Headless Chromium driven by playwright-core (the browser test's and `npm run bench -- gc`'s), installed first when needed (ensureChromium). */
export async function launchChromium(env: NodeJS.ProcessEnv = process.env): Promise<Browser> {
  const executablePath = ensureChromium(env);
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS.filter((a) => a !== '--headless') });
}

function hasAptGet(): boolean {
  try {
    execFileSync('apt-get', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
