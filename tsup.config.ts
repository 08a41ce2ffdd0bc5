import { defineConfig } from 'tsup';

// The package: the library (ESM, CJS, types) and the `wasmeter` CLI. The library has no runtime
// dependencies; the CLI's (commander, cli-progress, picocolors: devDependencies) are bundled into
// dist/cli.js. No source maps: the package ships without src/. Benchmarks build separately
// (bench/tsup.config.ts, `npm run bench`).
export default defineConfig([
  {
    // dist/index.js is also the browser build: nothing in it imports node: modules (WASI's host
    // directories find node:fs at run time), so a page imports it as it is. dist/spec.js is the spec
    // runner (not a package export; the browser test runs it in a page), sharing a chunk with index.js.
    entry: { index: 'src/index.ts', spec: 'src/spec/runner.ts', webassembly: 'src/facade/index.ts', register: 'src/facade/register.ts' },
    format: ['esm', 'cjs'],
    dts: { entry: { index: 'src/index.ts', webassembly: 'src/facade/index.ts', register: 'src/facade/register.ts' } },
    clean: true,
    target: 'node20',
  },
  {
    // dist/cli.js parses the command line; each command's code is a chunk in dist/cli/ that the command imports when
    // it runs (src/cli/main.ts), so that `run` on a binary module loads no text parser, spec runner or snapshot format
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    target: 'node20',
    splitting: true,
    esbuildOptions(options) {
      options.chunkNames = 'cli/[name]-[hash]';
    },
    noExternal: ['commander', 'cli-progress', 'picocolors'],
    // the bundled CommonJS packages require() Node's built-ins, which an ESM bundle can only do with a real require (in
    // every chunk: the banner goes on each; the #! line is src/cli/main.ts's own, which esbuild keeps on dist/cli.js only)
    banner: { js: "import { createRequire as __wasmeterRequire } from 'node:module';\nconst require = __wasmeterRequire(import.meta.url);" },
  },
]);
