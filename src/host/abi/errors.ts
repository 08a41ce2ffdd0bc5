/**
 * The embedding ABI's error classes. Every failure of `runSandboxed`,
 * `callJson` and `GuestChannel` is a `SandboxError` subclass whose `kind`
 * names it and whose `cause` is the underlying error (a core Trap,
 * OutOfFuel, LinkError, DecodeError, ..., or the host's own exception).
 */
import { WasmeterError } from '../../core/errors.js';

export type SandboxErrorKind =
  | 'ModuleInvalid'
  | 'InstantiationFailed'
  | 'CapabilityDenied'
  | 'ExecutionFailed'
  | 'OutOfFuel'
  | 'OutOfMemory'
  | 'Timeout'
  | 'HostError'
  | 'InvalidJson';

/** What a sandboxed run had done when it failed (attached by runSandboxed). */
export interface SandboxReport {
  /** Bytes the guest wrote with host_write_output before failing. */
  output: Uint8Array;
  logs: string[];
  /** What a WASI guest wrote to stdout and stderr (empty unless WASI is granted). */
  stdout: Uint8Array;
  stderr: Uint8Array;
  fuelConsumed: number;
  memoryPeakBytes: number;
  elapsedMs: number;
}

export abstract class SandboxError extends WasmeterError {
  abstract readonly kind: SandboxErrorKind;
  /** Set by runSandboxed: partial output, logs and accounting up to the failure. */
  report?: SandboxReport;
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
  }
}

/** The bytes or text are not a valid module (cause: DecodeError, ValidationError, TextError, ...). */
export class ModuleInvalid extends SandboxError {
  override name = 'ModuleInvalid';
  readonly kind = 'ModuleInvalid';
}

/**
 * The module is valid but could not be instantiated: an import has the wrong
 * type, a data/element segment is out of bounds, the start function trapped,
 * or the entry export is missing or has the wrong type.
 */
export class InstantiationFailed extends SandboxError {
  override name = 'InstantiationFailed';
  readonly kind = 'InstantiationFailed';
}

export interface DeniedImport {
  module: string;
  name: string;
  kind: string;
  /** 'not-granted': the host has this capability but the options did not allow it; 'unknown': no such capability. */
  reason: 'not-granted' | 'unknown';
}

/** The guest imports something the sandbox does not grant; `imports` lists every such import. */
export class CapabilityDenied extends SandboxError {
  override name = 'CapabilityDenied';
  readonly kind = 'CapabilityDenied';
  constructor(readonly imports: DeniedImport[]) {
    super(
      `capability denied: the guest imports ${imports
        .map((i) => `${i.module}.${i.name} (${i.kind}, ${i.reason === 'unknown' ? 'not provided by this host' : 'not granted'})`)
        .join(', ')}`,
    );
  }
}

/**
 * The guest failed while running: a trap, a bad pointer or length passed to a
 * host function or returned through the ABI (cause: GuestAbiError), a
 * missing or mistyped ABI export, an unsupported instruction.
 */
export class ExecutionFailed extends SandboxError {
  override name = 'ExecutionFailed';
  readonly kind = 'ExecutionFailed';
}

/**
 * The fuel budget ran out (cause: the core `OutOfFuel`, when the interpreter
 * stopped). Named apart from the core, resumable `OutOfFuel`: a sandboxed
 * run that ran out is over.
 */
export class SandboxOutOfFuel extends SandboxError {
  override name = 'SandboxOutOfFuel';
  readonly kind = 'OutOfFuel';
  constructor(
    message: string,
    /** The run's fuel budget. */
    readonly budget: number,
    /** Fuel consumed when the run stopped (never more than the budget). */
    readonly consumed: number,
    cause?: unknown,
  ) {
    super(message, cause);
  }
}

/**
 * The guest needed more memory than `maxMemoryBytes`: its initial memory is
 * too large (cause: ResourceLimitError), or a `memory.grow` was refused and
 * the guest then failed (cause: the Trap) or, with `memoryGrowFailure:
 * 'trap'`, at the refused grow itself.
 */
export class OutOfMemory extends SandboxError {
  override name = 'OutOfMemory';
  readonly kind = 'OutOfMemory';
  constructor(
    message: string,
    readonly limitBytes: number | undefined,
    /** Bytes the refused grow or allocation asked for in total. */
    readonly requestedBytes: number | undefined,
    cause?: unknown,
  ) {
    super(message, cause);
  }
}

/** The run passed its deadline (checked between fuel slices). */
export class Timeout extends SandboxError {
  override name = 'Timeout';
  readonly kind = 'Timeout';
  constructor(
    message: string,
    readonly timeoutMs: number,
    readonly elapsedMs: number,
    cause?: unknown,
  ) {
    super(message, cause);
  }
}

/**
 * A host function failed for a reason of the host's own: a granted
 * capability or an `onLog`/`onMessage` callback threw (cause: what it threw).
 * Named apart from the core `HostError`, which is usually its cause.
 */
export class SandboxHostError extends SandboxError {
  override name = 'SandboxHostError';
  readonly kind = 'HostError';
}

/** The guest produced text that is not valid JSON (callJson result, host_send in JSON mode). */
export class InvalidJson extends SandboxError {
  override name = 'InvalidJson';
  readonly kind = 'InvalidJson';
  constructor(
    message: string,
    /** The text the guest produced (as decoded UTF-8). */
    readonly text: string,
    cause?: unknown,
  ) {
    super(message, cause);
  }
}

/**
 * A guest broke the ABI: a pointer/length outside its memory, no memory, a
 * negative length, an output limit exceeded. Thrown inside host functions
 * (it passes through the interpreter unchanged) and reported as the cause of
 * an ExecutionFailed.
 */
export class GuestAbiError extends WasmeterError {
  override name = 'GuestAbiError';
  constructor(
    message: string,
    /** The host call or ABI step that found the problem ("host_write_output", "callJson result", ...). */
    readonly call: string,
    /** The offending range, when there is one. */
    readonly range?: { ptr: number; len: number; memoryBytes: number },
  ) {
    super(message);
  }
}
