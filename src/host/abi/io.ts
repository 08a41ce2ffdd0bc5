/**
 * The input/output buffer ABI: four `env` imports through which a guest reads
 * its input, writes its output and logs.
 *
 *   host_get_input_len() -> i32          total input length in bytes
 *   host_read_input(ptr, len) -> i32     copies the first up-to-`len` input bytes to ptr, on every call (as the
 *                                        wasmi-based sandboxes do); returns the count. With `readInput: 'chunks'`
 *                                        a cursor advances instead: each call copies the next bytes, 0 at the end
 *   host_write_output(ptr, len)          appends bytes [ptr, ptr+len) to the output
 *   host_log(ptr, len)                   one log message, UTF-8
 */
import { CompKind, I32, type FuncType } from '../../core/types.js';
import type { Linker } from '../linker.js';
import type { Caller, Store } from '../../runtime/store.js';
import { GuestAbiError } from './errors.js';
import { checkRange, decodeUtf8, encodeUtf8, readBytes, requireMemory } from './memory.js';

export const IO_IMPORTS = ['host_log', 'host_write_output', 'host_read_input', 'host_get_input_len'] as const;

export interface IoOptions {
  /** The guest's input (a string is encoded as UTF-8). */
  input?: Uint8Array | string;
  /** Most output bytes the guest may write in total (default 16 MiB); more → ExecutionFailed. */
  maxOutputBytes?: number;
  /** Most log bytes in total (default 1 MiB); more → ExecutionFailed. */
  maxLogBytes?: number;
  /** Called with each log message as it is written (also collected in `logs`). */
  onLog?: (message: string) => void;
  /**
   * What host_read_input copies: 'whole' (default, as the wasmi-based sandboxes do) the input from
   * its start on every call; 'chunks' the next bytes after what earlier calls read (0 at the end).
   */
  readInput?: 'whole' | 'chunks';
}

function ft(params: number[], results: number[]): FuncType {
  return { kind: CompKind.Func, params, results };
}

/** The state behind the I/O imports of one run: input cursor, output, logs. */
export class SandboxIo {
  readonly input: Uint8Array;
  readonly logs: string[] = [];
  private inputPos = 0;
  private chunks: Uint8Array[] = [];
  private outputLen = 0;
  private logBytes = 0;
  private readonly maxOutput: number;
  private readonly maxLog: number;
  private readonly onLog: ((m: string) => void) | undefined;
  private readonly chunked: boolean;
  private readonly std: [Uint8Array[], Uint8Array[]] = [[], []];
  private stdBytes = 0;

  constructor(options: IoOptions = {}) {
    const inp = options.input ?? new Uint8Array(0);
    this.input = typeof inp === 'string' ? encodeUtf8(inp) : inp;
    this.maxOutput = options.maxOutputBytes ?? 16 * 1024 * 1024;
    this.maxLog = options.maxLogBytes ?? 1024 * 1024;
    this.onLog = options.onLog;
    const mode = options.readInput ?? 'whole';
    if (mode !== 'whole' && mode !== 'chunks') throw new TypeError(`readInput must be 'whole' or 'chunks', not ${JSON.stringify(mode)}`);
    this.chunked = mode === 'chunks';
  }

  /** Everything the guest wrote with host_write_output, in one buffer. */
  get output(): Uint8Array {
    return join(this.chunks);
  }
  /** What a WASI guest wrote to stdout (captured by a sandbox that grants WASI). */
  get stdout(): Uint8Array {
    return join(this.std[0]);
  }
  /** What a WASI guest wrote to stderr. */
  get stderr(): Uint8Array {
    return join(this.std[1]);
  }

  /**
   * A WASI stdout/stderr sink that collects into `stdout`/`stderr`; the two streams together
   * may hold at most maxOutputBytes (more: GuestAbiError, so the run fails with ExecutionFailed).
   */
  stdioSink(stream: 'stdout' | 'stderr'): (chunk: Uint8Array) => void {
    const into = this.std[stream === 'stdout' ? 0 : 1];
    return (chunk) => {
      if (this.stdBytes + chunk.length > this.maxOutput)
        throw new GuestAbiError(`fd_write to ${stream}: stdout and stderr together would exceed the limit of ${this.maxOutput} bytes`, 'fd_write');
      into.push(chunk.slice());
      this.stdBytes += chunk.length;
    };
  }

  /** Defines the four imports in `linker` under `module` (default "env"). */
  define(linker: Linker, store: Store, module = 'env'): Linker {
    const def = (name: string, type: FuncType, fn: (caller: Caller, ...a: number[]) => unknown): void => {
      linker.define(module, name, store.func(type, fn, `${module}.${name}`));
    };
    def('host_get_input_len', ft([], [I32]), () => this.input.length);
    def('host_read_input', ft([I32, I32], [I32]), (caller, ptr, len) => {
      const call = 'host_read_input';
      const mem = requireMemory(caller.memory(0), call);
      const r = checkRange(mem, ptr!, len!, call);
      const from = this.chunked ? this.inputPos : 0;
      const n = Math.min(r.len, this.input.length - from);
      mem.u8.set(this.input.subarray(from, from + n), r.start);
      if (this.chunked) this.inputPos += n;
      return n;
    });
    def('host_write_output', ft([I32, I32], []), (caller, ptr, len) => {
      const call = 'host_write_output';
      const bytes = readBytes(requireMemory(caller.memory(0), call), ptr!, len!, call);
      if (this.outputLen + bytes.length > this.maxOutput)
        throw new GuestAbiError(`${call}: output would exceed the limit of ${this.maxOutput} bytes`, call);
      this.chunks.push(bytes);
      this.outputLen += bytes.length;
    });
    def('host_log', ft([I32, I32], []), (caller, ptr, len) => {
      const call = 'host_log';
      const bytes = readBytes(requireMemory(caller.memory(0), call), ptr!, len!, call);
      if (this.logBytes + bytes.length > this.maxLog)
        throw new GuestAbiError(`${call}: logs would exceed the limit of ${this.maxLog} bytes`, call);
      this.logBytes += bytes.length;
      const msg = decodeUtf8(bytes);
      this.logs.push(msg);
      this.onLog?.(msg);
    });
    return linker;
  }
}

/** The chunks as one buffer (collapsed in place, so later calls are free). */
function join(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length !== 1) {
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    chunks.splice(0, chunks.length, out);
  }
  return chunks[0]!;
}
