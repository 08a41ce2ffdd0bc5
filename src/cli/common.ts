/**
 * What every `wasmeter` command shares: reading a module file, usage errors and their one-line hint,
 * error messages and exit codes. Each command's own code is a module of its own (run.ts, inspect.ts, spec.ts),
 * imported when that command runs (main.ts).
 */
import { readFileSync } from 'node:fs';
import { DecodeError, HostError, Interrupted, LinkError, OutOfFuel, ResourceLimitError, TextError, Trap, Unsupported, ValidationError, WasmeterError } from '../core/errors.js';
import { WasmException } from '../runtime/objects/exception.js';
import type { FeatureSpec } from '../core/instructions.js';
import { Module } from '../runtime/module.js';
import type { CodeCache } from '../jit/code-cache.js';

// ====================================================================== helpers

export function isWasmBinary(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d;
}

/** Whether bytes read as WebAssembly text: UTF-8 whose first token (after blanks and comments) is `(`. */
export function isWasmText(bytes: Uint8Array): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return false;
  }
  const rest = text.replace(/^(?:\s+|;;[^\n]*(?:\n|$)|\(;[\s\S]*?;\))*/, '');
  return rest.startsWith('(');
}

/** A file that is neither a binary module (`\0asm`) nor text. */
export class NotAModule extends Error {
  constructor(file: string) {
    super(`${file}: not a WebAssembly module (binary or text)`);
  }
}

/**
 * A usage error: one line, then (with `hint`) where to read the command's
 * options. A file that cannot be read is a usage error without the hint.
 */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly hint = true,
  ) {
    super(message);
  }
}

/** A command-line value that does not fit its type (an --invoke argument): reported as "usage: …", exit code 2. */
export class InvalidValue extends Error {}

/** The one-line hint after a usage error. */
export function helpHint(command: string | null): string {
  return `(try 'wasmeter${command ? ` ${command}` : ''} --help')`;
}

/** Reads a file the user named; a missing or unreadable one is a usage error (one line, exit 2). */
export function readInput(file: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file));
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why: Record<string, string> = { ENOENT: 'no such file or directory', EISDIR: 'is a directory', EACCES: 'permission denied' };
    throw new UsageError(`cannot read ${file}: ${(code !== undefined && why[code]) || (e as Error).message}`, false);
  }
}

/**
 * Reads a module file (by content: the binary magic `\0asm`, else text) and decodes + validates it. The text
 * parser is loaded only for a text file.
 */
export async function loadModule(file: string, features?: FeatureSpec, codeCache?: CodeCache): Promise<{ module: Module; bin: Uint8Array }> {
  const bytes = readInput(file);
  if (!isWasmBinary(bytes) && !isWasmText(bytes)) throw new NotAModule(file);
  const bin = isWasmBinary(bytes) ? bytes : (await import('../text/wat.js')).watToBinary(bytes, file, features ?? null);
  // (with run's code cache, a module this build fully validated in an earlier run is not validated body by body again)
  const options = { ...(features !== undefined ? { features } : {}), ...(codeCache !== undefined ? { codeCache } : {}) };
  return { module: Module.fromBinary(bin, options), bin };
}

/** Prints a usage error (one line, and the hint unless it is an unreadable file); returns exit code 2. */
export function usage(e: UsageError, command: string | null): number {
  process.stderr.write(`error: ${e.message}\n${e.hint ? `${helpHint(command)}\n` : ''}`);
  return EXIT.usage;
}

export function describeError(e: unknown, file: string): string {
  if (e instanceof TextError) return `${e.file}:${e.line}:${e.column}: syntax error: ${e.reason}`;
  if (e instanceof DecodeError) return `${file}: malformed module at offset 0x${Math.max(e.offset, 0).toString(16)}: ${e.message}`;
  if (e instanceof ValidationError) {
    const where = [e.funcIndex >= 0 ? `function ${e.funcIndex}` : '', e.offset >= 0 ? `offset 0x${e.offset.toString(16)}` : '']
      .filter(Boolean)
      .join(', ');
    return `${file}: invalid module${where ? ` (${where})` : ''}: ${e.message}`;
  }
  if (e instanceof WasmeterError) return `${e.name}: ${e.message}`;
  if (e instanceof NotAModule) return e.message;
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}


export function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}
export function padL(s: string, n: number): string {
  return s.length >= n ? s : ' '.repeat(n - s.length) + s;
}


/** Exit codes of `wasmeter run` (and `inspect`) by outcome; a WASI program's own exit code passes through. */
export const EXIT = {
  usage: 2,
  invalidModule: 3,
  link: 4,
  trap: 5,
  outOfFuel: 6,
  resourceLimit: 7,
  host: 8,
  unsupported: 9,
  internal: 10,
  interrupted: 11,
} as const;

export interface Outcome {
  kind: string;
  code: number;
}

export function classify(e: unknown): Outcome {
  if (e instanceof UsageError || e instanceof InvalidValue) return { kind: 'usage', code: EXIT.usage };
  if (e instanceof NotAModule) return { kind: 'not a module', code: EXIT.invalidModule };
  if (e instanceof TextError) return { kind: 'syntax', code: EXIT.invalidModule };
  if (e instanceof DecodeError) return { kind: 'decode', code: EXIT.invalidModule };
  if (e instanceof ValidationError) return { kind: 'validation', code: EXIT.invalidModule };
  if (e instanceof LinkError) return { kind: 'link', code: EXIT.link };
  if (e instanceof OutOfFuel) return { kind: 'out of fuel', code: EXIT.outOfFuel };
  if (e instanceof Interrupted) return { kind: 'interrupted', code: EXIT.interrupted };
  if (e instanceof Trap) return { kind: 'trap', code: EXIT.trap };
  if (e instanceof WasmException) return { kind: 'uncaught exception', code: EXIT.trap };
  if (e instanceof ResourceLimitError) return { kind: 'resource limit', code: EXIT.resourceLimit };
  if (e instanceof HostError) return { kind: 'host error', code: EXIT.host };
  if (e instanceof Unsupported) return { kind: 'unsupported', code: EXIT.unsupported };
  return { kind: 'internal error', code: EXIT.internal };
}
