/**
 * `npm run example:browser [-- PORT]`: serves the repository on http://127.0.0.1:PORT (default 8080)
 * and prints the example's address. The page imports the library from dist/ (built by `npm ci`).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serve } from './server.js';

// this file runs as examples/browser/dist/serve.js
const root = fileURLToPath(new URL('../../../', import.meta.url));
if (!existsSync(`${root}dist/index.js`)) {
  console.error('dist/index.js is missing: run `npm ci` (or `npm run build`) first');
  process.exit(1);
}
const port = Number(process.argv[2] ?? 8080);
const { origin } = await serve({ root, port, index: '/examples/browser/' });
console.log(`wasmeter browser example: ${origin}/examples/browser/  (Ctrl-C stops)`);
