/**
 * The Chromium the browser test drives: `$WASMETER_CHROMIUM`, else Debian's /usr/bin/chromium, which
 * is installed with apt-get when it is missing and we are root (as in CI on a fresh machine). Nothing
 * downloads a browser of its own.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

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
  if (existsSync(SYSTEM_CHROMIUM)) return SYSTEM_CHROMIUM;
  if (process.getuid?.() !== 0 || !hasAptGet()) {
    throw new NoChromium(`The browser test needs Chromium: ${SYSTEM_CHROMIUM} is missing and cannot be installed here (not root, or no apt-get). ${HOWTO}`);
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
  if (!existsSync(SYSTEM_CHROMIUM)) throw new NoChromium(`apt-get installed chromium, but ${SYSTEM_CHROMIUM} is missing. ${HOWTO}`);
  return SYSTEM_CHROMIUM;
}

function hasAptGet(): boolean {
  try {
    execFileSync('apt-get', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
