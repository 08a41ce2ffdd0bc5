/** dist/ as `npm test` builds it before the tests run: used by the tests that run the built package when it is current. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

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
