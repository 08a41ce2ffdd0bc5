import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // dist/index.js is also the browser build: nothing in it imports node: modules (WASI's host
    // directories find node:fs at run time), so a page imports it as it is. dist/spec.js is the spec
    // runner (not a package export; the browser test runs it in a page), sharing a chunk with index.js.
    entry: { index: 'src/index.ts', spec: 'src/spec/runner.ts', webassembly: 'src/facade/index.ts', register: 'src/facade/register.ts' },
    format: ['esm', 'cjs'],
    dts: { entry: { index: 'src/index.ts', webassembly: 'src/facade/index.ts', register: 'src/facade/register.ts' } },
    sourcemap: true,
    clean: true,
    target: 'node20',
  },
  {
    entry: { cli: 'src/cli/main.ts', bench: 'bench/main.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    // benny (a devDependency, so tsup would bundle it) is CommonJS with dynamic require()s that
    // fail inside an ESM bundle ("Dynamic require of "assert" is not supported"): load it from node_modules.
    external: ['benny'],
  },
]);
