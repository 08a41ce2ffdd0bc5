import { defineConfig } from 'tsup';
import { buildId } from '../tsup.config.js';

// The benchmark bundle (`npm run bench` builds it first): dist-bench/bench.js, outside the package's dist/.
// It sits one level below the package root like dist/, so bench/*.ts find bench/c/*.wasm and write
// bench/results*.json through `new URL('../bench/...', import.meta.url)` from source and bundle alike.
export default defineConfig({
  entry: { bench: 'bench/main.ts' },
  format: ['esm'],
  outDir: 'dist-bench',
  clean: true,
  sourcemap: true,
  target: 'node20',
  // benny (a devDependency, so tsup would bundle it) is CommonJS with dynamic require()s that
  // fail inside an ESM bundle ("Dynamic require of "assert" is not supported"): load it from node_modules;
  // esbuild (bench/packages.ts bundles the facade's register entry with it) and playwright-core (bench/chromium.ts) likewise.
  external: ['benny', 'esbuild', 'playwright-core'],
  // (the JS tier's persistent cache keys by it: tsup.config.ts buildId)
  define: { __WASMETER_BUILD__: JSON.stringify(buildId()) },
});
