/**
 * Every error wasmeter raises on bad input is one of these typed classes.
 * `message` is the WebAssembly spec's text where the spec names one
 * (the reference interpreter's wording, as `assert_*` scripts expect).
 */

export class WasmeterError extends Error {
  override name = 'WasmeterError';
}

/** Malformed binary. `offset` is the byte offset in the module where decoding failed. */
export class DecodeError extends WasmeterError {
  override name = 'DecodeError';
  constructor(message: string, readonly offset: number = -1) {
    super(message);
  }
}

/** Well-formed but invalid module. */
export class ValidationError extends WasmeterError {
  override name = 'ValidationError';
  constructor(
    message: string,
    /** Defined-function index (module-wide index space) or -1 when not inside a function. */
    readonly funcIndex: number = -1,
    /** Byte offset of the offending instruction in the module, or -1. */
    readonly offset: number = -1,
  ) {
    super(message);
  }
}

/** Syntax error in WAT/WAST text. */
export class TextError extends WasmeterError {
  override name = 'TextError';
  constructor(
    readonly reason: string,
    readonly file: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${file}:${line}:${column}: ${reason}`);
  }
}

/** Import resolution failed ("unknown import", "incompatible import type"). */
export class LinkError extends WasmeterError {
  override name = 'LinkError';
}

/**
 * A typed lookup (Instance.getTypedFunc) found an export that is not a
 * function of the expected type. `expected` and `actual` are the types as
 * text (`(i32) -> (i32)`; `actual` is "a memory", "a global", ... for an
 * export that is not a function).
 */
export class ExportTypeMismatch extends LinkError {
  override name = 'ExportTypeMismatch';
  constructor(
    readonly exportName: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`export '${exportName}' ${actual.startsWith('(') ? `has type ${actual}` : `is ${actual}`}, expected a function ${expected}`);
  }
}

/** A WebAssembly trap; `message` is the spec's text ("integer divide by zero", ...). */
export class Trap extends WasmeterError {
  override name = 'Trap';
}

/** A configured resource limit (memory bytes, table elements, value stack, ...) was exceeded. */
export class ResourceLimitError extends WasmeterError {
  override name = 'ResourceLimitError';
}

/** Raised by a host function to fail the call with a typed error. */
export class HostError extends WasmeterError {
  override name = 'HostError';
}

/** The module is valid but uses an instruction or feature this version of wasmeter does not execute. */
export class Unsupported extends WasmeterError {
  override name = 'Unsupported';
}

/**
 * A call ran out of fuel. It stopped before the first instruction (or
 * surcharge) it could not pay for; `resume()` continues it from there once
 * fuel has been added (`store.addFuel(n)`).
 */
export class OutOfFuel extends WasmeterError {
  override name = 'OutOfFuel';
  constructor(
    /** Fuel consumed by the store so far. */
    readonly consumed: number,
    /** Fuel left (less than `needed`). */
    readonly remaining: number,
    /** Fuel the next instruction or surcharge needs. */
    readonly needed: number,
    private readonly resumer: () => unknown[],
  ) {
    super(`out of fuel: consumed ${consumed}, remaining ${remaining}, next instruction needs ${needed}`);
  }
  /** Continues the call; throws another OutOfFuel if the fuel runs out again. */
  resume(): unknown[] {
    return this.resumer();
  }
}

/**
 * A call stopped at a run boundary because the store's deadline passed or
 * its AbortSignal fired. Nothing is lost: `resume()` continues from the
 * exact instruction (after moving the deadline or using a fresh signal).
 */
export class Interrupted extends WasmeterError {
  override name = 'Interrupted';
  constructor(
    /** 'deadline' or 'aborted'. */
    readonly reason: 'deadline' | 'aborted',
    /** Fuel consumed by the store so far. */
    readonly consumed: number,
    private readonly resumer: () => unknown[],
  ) {
    super(reason === 'deadline' ? 'interrupted: deadline passed' : 'interrupted: aborted');
  }
  /** Continues the call; throws Interrupted again if the store is still past its deadline or aborted. */
  resume(): unknown[] {
    return this.resumer();
  }
}

/**
 * A host function suspended the call (it returned `caller.suspend(payload)`).
 * The wasm frames stay as they are; `resume(...results)` gives the host
 * function's results and continues after the call.
 */
export class HostSuspended extends WasmeterError {
  override name = 'HostSuspended';
  constructor(
    /** Name of the host function that suspended. */
    readonly func: string,
    /** What the host function passed to `caller.suspend`. */
    readonly payload: unknown,
    private readonly resumer: (results: unknown[]) => unknown[],
  ) {
    super(`suspended by host function ${func}`);
  }
  /** The host function's results (as it would have returned them); continues the call. */
  resume(...results: unknown[]): unknown[] {
    return this.resumer(results);
  }
}

/**
 * A snapshot (`store.snapshot()`, docs/snapshots.md) could not be made or
 * restored: truncated, corrupted, of another format version, for other module
 * bytes, or naming something the restoring embedder did not supply. A failed
 * restore leaves nothing half-made behind.
 */
export class SnapshotError extends WasmeterError {
  override name = 'SnapshotError';
}
