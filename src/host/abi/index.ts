/** Embedding ABIs: sandboxed runs with I/O buffers, JSON calls, message channels. See docs/abi.md. */
export * from './errors.js';
export { IO_IMPORTS, SandboxIo, type IoOptions } from './io.js';
export { checkRange, readBytes, readUtf8, writeBytes } from './memory.js';
export {
  FuelMeter,
  Sandbox,
  capabilityImport,
  createSandbox,
  loadGuest,
  toSandboxError,
  type Capability,
  type GuestSource,
  type HostContext,
  type SandboxOptions,
  type SandboxWasiOptions,
  type ValTypeName,
} from './sandbox.js';
export { DEFAULT_ENTRIES, runSandboxed, trySandboxed, type SandboxOutcome, type SandboxResult } from './run.js';
export { callJson, type CallJsonOptions } from './json.js';
export { GuestChannel, defineChannelImports, type ChannelMode, type ChannelOptions } from './channel.js';
export type { AbiTarget } from './guest.js';
