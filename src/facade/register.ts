/**
 * `node --import wasmeter/register app.mjs` (or `import 'wasmeter/register'` first thing in a browser bundle):
 * replaces `globalThis.WebAssembly` with a wasmeter namespace, so every wasm package the app loads runs metered
 * in one store. Options from the environment, where `process` exists:
 * - `WASMETER_FUEL`: the fuel budget (default: none, fuel is still counted);
 * - `WASMETER_MAX_MEMORY`: the most bytes of linear memory, all memories together;
 * - `WASMETER_CODE_CACHE`: a directory for the JS tier's persistent cache of generated functions (fileCodeCache;
 *   Node only): a later process running the same modules takes their generated code from it;
 * - `WASMETER_STATS=1`: prints the fuel consumed and the peaks to stderr at exit (and the code cache's counts).
 */
import { codeCacheStats } from '../jit/code-cache.js';
import { fileCodeCache, type FileCodeCache } from '../host/code-cache-file.js';
import { createWebAssembly, type WebAssemblyOptions } from './webassembly.js';

const proc = (globalThis as { process?: NodeJS.Process }).process;
const env: Record<string, string | undefined> = proc?.env ?? {};

function count(name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${name} must be a non-negative integer, got '${v}'`);
  return n;
}

const options: WebAssemblyOptions = {};
const fuel = count('WASMETER_FUEL');
if (fuel !== undefined) options.fuel = fuel;
const maxMemory = count('WASMETER_MAX_MEMORY');
if (maxMemory !== undefined) options.limits = { maxMemoryBytes: maxMemory };
const cacheDir = env['WASMETER_CODE_CACHE'];
// (written at exit: after the stats line below, which reads nothing of it)
const codeCache: FileCodeCache | null = cacheDir !== undefined && cacheDir !== '' ? fileCodeCache(cacheDir) : null;
if (codeCache !== null) options.codeCache = codeCache;

/** The namespace now installed as `globalThis.WebAssembly` (its `store` has the fuel consumed and the peaks). */
export const WebAssembly = createWebAssembly(options);
Object.defineProperty(globalThis, 'WebAssembly', { value: WebAssembly, writable: true, enumerable: false, configurable: true });

if (env['WASMETER_STATS'] === '1' && proc !== undefined) {
  proc.on('exit', () => {
    const s = WebAssembly.store;
    const p = s.peaks;
    proc.stderr.write(
      `wasmeter: fuel consumed ${s.fuelConsumed}; peak memory ${p.memoryBytes} bytes, value stack ${p.valueStackBytes} bytes, ` +
        `call depth ${p.callDepth}, table elements ${p.tableElements}\n` +
        (codeCache !== null
          ? `wasmeter: code cache hits ${codeCacheStats.hits}, misses ${codeCacheStats.misses}, stores ${codeCacheStats.stores}, uncachable ${codeCacheStats.uncachable}\n`
          : ''),
    );
  });
}
