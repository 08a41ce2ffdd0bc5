export {
  Wasi,
  WasiExit,
  WasiStdinRead,
  runWasi,
  WASI_FUNCTIONS,
  WASI_MODULE,
  type WasiOptions,
  type WasiResult,
  type DeniedEntry,
  type ClockOptions,
  type HostDirOption,
  type StdinOption,
  type StdoutOption,
} from './wasi.js';
export { MemFs, MemFile, MemDir, MemSymlink, type MemTree, type SymlinkSpec } from './memfs.js';
export { HostFs, type NodeFsLike } from './hostfs.js';
export { FsError, type FsBackend, type FileHandle, type Stat, type DirEntry, type OpenOptions } from './backend.js';
export { Errno, Rights, Filetype, errnoName } from './constants.js';
