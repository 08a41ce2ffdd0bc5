import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, type Options } from 'tsup';
import { BUNDLE_TAG, BUNDLE_WRAPPER } from './src/cli/cache.js';

type Plugin = NonNullable<Options['plugins']>[number];

/**
 * The CLI bundle's first line: BUNDLE_TAG (src/cli/cache.ts) and the SHA-256 of the code, which keys its code
 * cache (V8 checks only a source's length); then the code in BUNDLE_WRAPPER, the function the loader calls. The
 * bundle must be ASCII: the loader reads it as latin1.
 */
function bundleTag(): Plugin {
  return {
    name: 'wasmeter-bundle-tag',
    renderChunk(code, info) {
      if (!info.path.endsWith('.cjs')) return undefined;
      const bad = /[^\x00-\x7f]/.exec(code);
      if (bad) throw new Error(`${info.path}: non-ASCII character ${JSON.stringify(bad[0])} at ${bad.index}: the CLI loader reads the bundle as latin1`);
      return { code: `${BUNDLE_TAG}${createHash('sha256').update(code).digest('hex')}\n${BUNDLE_WRAPPER[0]}${code}${BUNDLE_WRAPPER[1]}` };
    },
  };
}

/**
 * The build of wasmeter, defined as `__WASMETER_BUILD__` in every bundle: the SHA-256 of every file under src/ (by
 * path and content) and package.json. The JS tier's persistent cache keys its entries by it (src/jit/code-cache.ts):
 * a new build never reads an old build's generated code.
 */
export function buildId(root = '.'): string {
  const h = createHash('sha256');
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) h.update(`${p}\0`).update(readFileSync(p)).update('\0');
    }
  };
  walk(join(root, 'src'));
  h.update(readFileSync(join(root, 'package.json')));
  return h.digest('hex');
}
const BUILD = { __WASMETER_BUILD__: JSON.stringify(buildId()) };

// The package: the library (ESM, CJS, types) and the `wasmeter` CLI. The library has no runtime
// dependencies; the CLI's (commander, cli-progress, picocolors: devDependencies) are bundled into
// dist/cli/main.cjs. No source maps: the package ships without src/. Benchmarks build separately
// (bench/tsup.config.ts, `npm run bench`).
// `npm test` (test/npm-test.mjs) builds the JavaScript only (WASMETER_BUILD_JS_ONLY=1) when dist/ already holds the
// type declarations (`npm ci` builds them, through `prepare`): their build type-checks src/ again (about 19 s of CPU),
// which the test run's own `tsc --noEmit` does. The clean keeps them then.
const jsOnly = process.env['WASMETER_BUILD_JS_ONLY'] === '1';

export default defineConfig([
  {
    // dist/index.js is also the browser build: nothing in it imports node: modules (WASI's host
    // directories find node:fs at run time), so a page imports it as it is. dist/spec.js is the spec
    // runner (not a package export; the browser test runs it in a page), sharing a chunk with index.js.
    entry: { index: 'src/index.ts', spec: 'src/spec/runner.ts', webassembly: 'src/facade/index.ts', register: 'src/facade/register.ts' },
    format: ['esm', 'cjs'],
    dts: jsOnly ? false : { entry: { index: 'src/index.ts', webassembly: 'src/facade/index.ts', register: 'src/facade/register.ts' } },
    clean: jsOnly ? ['!**/*.d.{ts,cts,mts}'] : true,
    target: 'node20',
    define: BUILD,
  },
  // The CLI: dist/cli.cjs (src/cli/bin.ts) loads dist/cli/main.cjs (src/cli/main.ts and everything it imports, one
  // CommonJS bundle: a dynamic import is a module evaluated when it is first reached) through a V8 code cache
  // (src/cli/cache.ts). CommonJS because Node 20 caches no ES module's code, and an ES entry costs more to start.
  {
    entry: { cli: 'src/cli/bin.ts' },
    format: ['cjs'],
    target: 'node20',
  },
  {
    entry: { 'cli/main': 'src/cli/main.ts' },
    format: ['cjs'],
    target: 'node20',
    noExternal: ['commander', 'cli-progress', 'picocolors'],
    // less text to read at every start; names stay (stack traces, class names in messages)
    minifyWhitespace: true,
    minifySyntax: true,
    // src/spec/suite.ts finds the package from its own URL
    define: { 'import.meta': 'importMeta', ...BUILD },
    inject: ['src/cli/import-meta.ts'],
    plugins: [bundleTag()],
  },
]);
