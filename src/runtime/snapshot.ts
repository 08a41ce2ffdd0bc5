/**
 * The store's side of snapshots: what `Store.snapshot`, `Store.restore` and
 * `Store.fork` call. The byte format lives in src/snapshot (above the
 * runtime and the hosts, whose state it also carries), which installs itself
 * here when the package entry is imported (as the JS tier is installed into
 * the machine, src/interp/tier.ts).
 */
import { WasmeterError } from '../core/errors.js';
import type { Instance } from './instance.js';
import type { Store, StoreOptions } from './store.js';
import type { Module } from './module.js';
import type { HostSuspended, Interrupted, OutOfFuel } from '../core/errors.js';

/** Options of `store.snapshot()`. */
export interface SnapshotOptions {
  /**
   * Include each module's bytes, so that the snapshot restores without
   * the embedder supplying the modules (default true).
   */
  includeModules?: boolean;
  /** The embedder's own state (plain data: see docs/snapshots.md), given back by `Store.restore` as `host`. */
  host?: unknown;
  /**
   * Names host values held as extern references (plain data in, plain data
   * out): without it only plain values (strings, numbers, bigints, ...) can be.
   */
  externs?: { save(v: unknown): unknown };
}

/** What resolves host imports on restore: a Linker, or anything with its `get`. */
export interface Resolver {
  get(module: string, name: string): unknown;
}

/** Options of `Store.restore`. */
export interface RestoreOptions {
  /**
   * Resolves the host imports (functions, and host memories, tables,
   * globals and tags) by module and name, as at instantiation. A function
   * receives the new store and the snapshot's `host` state (to build host
   * functions over restored embedder state).
   */
  linker?: Resolver | ((store: Store, host: unknown) => Resolver);
  /** Modules to use instead of the snapshot's own bytes (matched by SHA-256 of their bytes). */
  modules?: readonly Module[];
  /** Turns the `externs.save` data back into host values. */
  externs?: { load(data: unknown): unknown };
  /**
   * Store options that are not part of the snapshot (interrupt), that may
   * differ (tier), or that are process state the snapshot only names
   * (registry: the TypeRegistry to canonicalise the restored modules' types
   * in; by default the process-wide one, or a new one when the snapshot's
   * store had a registry of its own; codeCache: the JS tier's persistent cache).
   */
  store?: Pick<StoreOptions, 'interrupt' | 'tier' | 'registry' | 'codeCache'>;
}

/** A restored store: its instances (in the order they were made), the stopped call if any, the embedder's state. */
export interface Restored {
  store: Store;
  instances: Instance[];
  /** The stopped call, as the error the original threw (its `resume()` continues here), or null. */
  stop: OutOfFuel | Interrupted | HostSuspended | null;
  /** `SnapshotOptions.host`, as it was saved. */
  host: unknown;
}

export interface SnapshotCodec {
  write(store: Store, options: SnapshotOptions): Uint8Array;
  read(bytes: Uint8Array, options: RestoreOptions): Restored;
}

let codec: SnapshotCodec | null = null;

/** Installs the snapshot format (src/snapshot/index.ts does, on import). */
export function installSnapshots(c: SnapshotCodec): void {
  codec = c;
}

export function snapshotCodec(): SnapshotCodec {
  if (codec === null) throw new WasmeterError("snapshots need the package entry: import from 'wasmeter' (or src/index.ts)");
  return codec;
}
