import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts', webassembly: 'src/facade/index.ts', register: 'src/facade/register.ts' },
    format: ['esm', 'cjs'],
    dts: true,
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
