/**
 * `wasmeter/webassembly`: the WebAssembly JS API over wasmeter (docs/webassembly.md).
 * `WebAssembly` is a namespace with default options (no fuel limit); `createWebAssembly(options)` makes one
 * bound to a store of its own (fuel, costs, limits, profile).
 */
import { createWebAssembly } from './webassembly.js';

export { createWebAssembly, type WebAssemblyOptions } from './webassembly.js';
export { codeCacheStats, translationCacheStats, validationCacheStats, type CodeCache } from '../jit/code-cache.js';
export { fileCodeCache, type FileCodeCache, type FileCodeCacheOptions } from '../host/code-cache-file.js';

/** A WebAssembly namespace with default options: unmetered (fuel is still counted, see `WebAssembly.store`). */
export const WebAssembly = createWebAssembly();
export default WebAssembly;
