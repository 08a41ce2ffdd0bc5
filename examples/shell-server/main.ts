/**
 * Starts the shell server (see README.md):
 *
 *   npm run example:shell -- [SOCKET] [--fuel N] [--max-memory BYTES]
 *
 * then, in another terminal: `nc -U SOCKET` (or `socat - UNIX-CONNECT:SOCKET`).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startShellServer } from './server.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    fuel: { type: 'string' },
    'max-memory': { type: 'string' },
  },
});
const socketPath = positionals[0] ?? join(tmpdir(), 'wasmeter-shell.sock');
const number = (s: string | undefined, what: string): number | undefined => {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${what} must be a positive integer`);
  return n;
};

const server = await startShellServer({
  socketPath,
  // the bundle lives in examples/shell-server/dist/; shell.wasm one level up
  wasmPath: new URL('../shell.wasm', import.meta.url),
  fuelPerCommand: number(values.fuel, '--fuel'),
  maxMemoryBytes: number(values['max-memory'], '--max-memory'),
  log: (line) => console.error(`[shell-server] ${line}`),
});
console.error(`[shell-server] fuel per command ${server.fuelPerCommand}, memory limit ${server.maxMemoryBytes} bytes`);
console.error(`[shell-server] connect with: nc -U ${socketPath}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void server.close().then(() => process.exit(0));
  });
}
