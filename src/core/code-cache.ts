/** The JS tier's persistent cache as the embedder gives it (StoreOptions.codeCache; src/jit/code-cache.ts uses it). */

/**
 * Where generated functions are kept between processes (StoreOptions.codeCache). `get` returns what `set` was given
 * for the key (or undefined); both may throw (a miss, a store not made). A key is `GROUP-NAME` (code-cache.ts: one
 * GROUP, a SHA-256, for the functions of one module under one store's settings and instance's kind of imports), so
 * a cache may keep a group together (fileCodeCache: one pack); a Map needs nothing of it. `hash`, optional: the
 * SHA-256 of bytes in lowercase hex, when the platform has a faster one than the pure-JS one used without it (Node's node:crypto).
 * `compile`, optional: the function `new Function('R', source)` would make, compiled by the platform's own means
 * (fileCodeCache: a `vm.Script` with V8's cached data of an earlier process); `id` changes whenever the source
 * does (the entry's checksum). Undefined, or a throw: the source is compiled with `new Function`.
 */
export interface CodeCache {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  hash?(bytes: Uint8Array): string;
  /**
   * Optional: true when `get` returns exactly what `set` was given, the cache checking its own integrity
   * (fileCodeCache: a pack's SHA-256 at its read), so the entries' own checksums are not checked again.
   */
  intact?: boolean;
  compile?(key: string, source: string, id: string): ((r: unknown) => unknown) | undefined;
}
