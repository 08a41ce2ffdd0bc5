/** dist/ as `npm test` builds it before the tests run: used by the tests that run the built package when it is current. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Options } from 'tsup';

export const ROOT = resolve(__dirname, '../..');
const SRC = join(ROOT, 'src');

/** Why `file` (relative to the package root, e.g. dist/cli.js) is not built from the sources as they are, or null when it is. */
export function staleDist(file: string): string | null {
  const built = join(ROOT, file);
  if (!existsSync(built)) return `${file} is missing: run \`npm run build\` (npm ci builds it)`;
  const newest = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).reduce((m, f) => Math.max(m, statSync(join(SRC, f)).mtimeMs), 0);
  if (newest > statSync(built).mtimeMs) return `${file} is older than src/: run \`npm run build\` so that the test runs the sources as they are`;
  return null;
}

/** tsup.config.ts's CLI builds: dist/cli.cjs (the process entry) and dist/cli/main.cjs (the bundle it loads). */
export async function cliConfigs(): Promise<Options[]> {
  const { default: config } = await import('../../tsup.config.js');
  return (config as Options[]).filter((o) => Object.keys(o.entry as Record<string, string>).some((k) => k === 'cli' || k.startsWith('cli/')));
}

/** Builds the CLI from the sources into `outDir` (as `npm run build` does into dist/); returns its process entry. */
export async function buildCli(outDir: string): Promise<string> {
  const { build } = await import('tsup');
  for (const o of await cliConfigs()) {
    const entry = Object.fromEntries(Object.entries(o.entry as Record<string, string>).map(([k, v]) => [k, join(ROOT, v)]));
    const inject = o.inject?.map((f) => join(ROOT, f));
    await build({ ...o, entry, ...(inject ? { inject } : {}), outDir, silent: true, config: false, dts: false });
  }
  return join(outDir, 'cli.cjs');
}

/**
 * The CLI the tests run: $WASMETER_CLI, else dist/cli.cjs when it is built from the sources as they are, else the
 * CLI built from the sources into `work`/bin (so a test never runs a stale dist/).
 */
export async function cliUnderTest(work: string): Promise<string> {
  if (process.env.WASMETER_CLI) return resolve(process.env.WASMETER_CLI);
  if (staleDist('dist/cli.cjs') === null && staleDist('dist/cli/main.cjs') === null) return join(ROOT, 'dist/cli.cjs');
  return buildCli(join(work, 'bin'));
}

/**
 * src/index.ts bundled (esbuild, as tsup builds dist/index.js) into a new temporary folder, with a driver script
 * beside it that imports the bundle given as its first argument: for the tests that run the library in a child
 * process under V8's flags. The caller removes `work`.
 */
export async function bundleWithDriver(prefix: string, driverSource: string): Promise<{ work: string; bundle: string; driver: string }> {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { build } = await import('esbuild');
  const work = mkdtempSync(join(tmpdir(), prefix));
  const bundle = join(work, 'index.mjs');
  const driver = join(work, 'driver.mjs');
  await build({ entryPoints: [join(ROOT, 'src/index.ts')], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'error' });
  writeFileSync(driver, driverSource);
  return { work, bundle, driver };
}
