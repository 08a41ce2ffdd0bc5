/**
 * Finding the browsers the browser tests drive: `$WASMETER_<NAME>` (an executable), else the first of a list of
 * names on the PATH; when there is none and we are root with apt-get (as in CI on a fresh machine), a Debian
 * package is installed first. Nothing downloads a browser of its own. Chromium: chromium.ts; Firefox: firefox.ts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Set to 1 to skip the browser tests, Chromium's and Firefox's (the only way they are skipped). */
export const SKIP_VAR = 'WASMETER_SKIP_BROWSER';

/** A browser the tests can find or install. */
export interface BrowserSpec {
  /** As the messages name it: 'Chromium', 'Firefox'. */
  what: string;
  /** The variable that names its executable: 'WASMETER_CHROMIUM'. */
  envVar: string;
  /** Executable names looked for on the PATH, in this order within each directory. */
  names: readonly string[];
  /** The Debian package that provides the first name. */
  aptPackage: string;
  /** What to install it with, for the message: 'Chromium or Chrome'. */
  hint: string;
}

export class NoBrowser extends Error {
  override name = 'NoBrowser';
}

/** The first of `names` on the PATH, or null. */
function onPath(env: NodeJS.ProcessEnv, names: readonly string[]): string | null {
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    for (const n of names) if (existsSync(join(dir, n))) return join(dir, n);
  }
  return null;
}

function howTo(b: BrowserSpec): string {
  return (
    `Install it (Debian/Ubuntu: \`sudo apt-get install ${b.aptPackage}\`; the test does this itself when run as root), ` +
    `or point ${b.envVar} at a ${b.hint} executable, or set ${SKIP_VAR}=1 to skip the browser tests.`
  );
}

/** The executable, installing the Debian package first when needed and possible; throws NoBrowser (with how to get it) otherwise. */
export function ensureBrowser(b: BrowserSpec, env: NodeJS.ProcessEnv = process.env): string {
  const given = env[b.envVar];
  if (given !== undefined && given !== '') {
    if (existsSync(given)) return given;
    throw new NoBrowser(`${b.envVar}=${given} does not exist. ${howTo(b)}`);
  }
  const found = onPath(env, b.names);
  if (found !== null) return found;
  if (process.getuid?.() !== 0 || !hasAptGet()) {
    throw new NoBrowser(`The browser test needs ${b.what}: none of ${b.names.join(', ')} is on the PATH, and it cannot be installed here (not root, or no apt-get). ${howTo(b)}`);
  }
  const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // the install waits up to 5 minutes for the dpkg lock while another apt-get or dpkg runs (the other browser's install)
  for (const args of [['update', '-q'], ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', '-q', b.aptPackage]]) {
    const r = spawnSync('apt-get', args, { env: aptEnv, encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) {
      const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n').slice(-20).join('\n');
      throw new NoBrowser(`\`apt-get ${args.join(' ')}\` failed (${r.error?.message ?? `exit ${r.status}`}):\n${tail}\n${howTo(b)}`);
    }
  }
  const installed = onPath(env, b.names);
  if (installed === null) throw new NoBrowser(`apt-get installed ${b.aptPackage}, but it is not on the PATH. ${howTo(b)}`);
  return installed;
}

function hasAptGet(): boolean {
  try {
    execFileSync('apt-get', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
