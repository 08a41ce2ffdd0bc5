// Bundles the example's entry point (with wasmeter's sources) for `npm run example:shell`.
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { main: 'examples/shell-server/main.ts' },
  outDir: 'examples/shell-server/dist',
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  clean: true,
  sourcemap: true,
});
