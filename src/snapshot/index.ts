/**
 * Snapshots: a store as bytes and back (docs/snapshots.md). Importing this
 * module installs the format behind `store.snapshot()`, `Store.restore` and
 * `store.fork()` (the package entry does).
 */
import { installSnapshots } from '../runtime/snapshot.js';
import { readSnapshot } from './reader.js';
import { writeSnapshot } from './writer.js';

installSnapshots({ write: writeSnapshot, read: readSnapshot });

export { sha256, VERSION as SNAPSHOT_VERSION, type PlainValue } from './format.js';
export type { SnapshotOptions, RestoreOptions, Restored, Resolver } from '../runtime/snapshot.js';
