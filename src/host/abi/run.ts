/**
 * One-shot sandboxed runs: runSandboxed instantiates a guest under a sandbox
 * policy, picks its entry export, hands it the input (through the I/O
 * imports, and for an `execute(ptr, len) -> i32` entry in its memory) and
 * returns what it produced.
 */
import { WasmeterError } from '../../core/errors.js';
import { I32, funcTypeText } from '../../core/types.js';
import { HostFunc, WasmFunc } from '../../runtime/objects/func.js';
import { WasiExit } from '../wasi/wasi.js';
import { ExecutionFailed, InstantiationFailed, OutOfMemory, SandboxError, type SandboxReport } from './errors.js';
import { GuestCalls, guard } from './guest.js';
import { allocAndWrite } from './json.js';
import { requireMemory } from './memory.js';
import { Sandbox, type GrowDenied, type GuestSource, type SandboxOptions } from './sandbox.js';

export interface SandboxResult extends SandboxReport {
  /** The entry export that ran. */
  entry: string;
  /** What the entry function returned ([] when a WASI guest called proc_exit). */
  results: unknown[];
  /** With WASI granted: the proc_exit code, 0 when the entry returned. */
  exitCode?: number;
}

/** The entries runSandboxed looks for, in order, when options.entry is not given. */
export const DEFAULT_ENTRIES = ['execute', 'run', '_start'] as const;

/**
 * Runs a guest once: instantiates it with `input` behind host_read_input,
 * calls its entry export (options.entry, else the first of execute, run,
 * _start; an `(i32, i32) -> i32` entry gets the input in its memory) and
 * returns its output, logs and accounting. Throws a SandboxError (with
 * `report`) on failure.
 */
export function runSandboxed(src: GuestSource, input: Uint8Array | string = new Uint8Array(0), options: SandboxOptions = {}): SandboxResult {
  const t0 = performance.now();
  const deadline = Math.min(
    options.timeoutMs === undefined ? Infinity : t0 + options.timeoutMs,
    options.deadline === undefined ? Infinity : t0 + (options.deadline - Date.now()),
  );
  let sb: Sandbox | null = null;
  const report = (): SandboxReport => ({
    output: sb ? sb.io.output : new Uint8Array(0),
    logs: sb ? sb.io.logs : [],
    stdout: sb ? sb.io.stdout : new Uint8Array(0),
    stderr: sb ? sb.io.stderr : new Uint8Array(0),
    fuelConsumed: sb ? sb.fuelConsumed : 0,
    memoryPeakBytes: sb ? sb.memoryPeakBytes : 0,
    elapsedMs: performance.now() - t0,
  });
  try {
    let early: unknown = null;
    try {
      new Sandbox(src, { ...options, input }, { deadline, origin: t0 }, (s) => (sb = s));
    } catch (e) {
      early = e;
    }
    if (early !== null) {
      if (early instanceof SandboxError) throw early;
      if (early instanceof WasmeterError) throw new InstantiationFailed(`instantiation failed: ${errMessage(early)}`, early);
      throw early; // a programming error in the options (TypeError, RangeError)
    }
    const s = sb!;
    const entry = pickEntry(s, options.entry);
    const args = entry.takesInput ? [placeInput(s, entry.name, deadline, t0), s.io.input.length] : [];
    let results: unknown[];
    let exitCode = s.wasi ? 0 : undefined;
    try {
      results = s.callWithin(entry.name, args, deadline, t0);
    } catch (e) {
      if (!(e instanceof WasiExit)) throw e;
      results = [];
      exitCode = e.code;
    }
    return { ...report(), entry: entry.name, results, ...(exitCode === undefined ? {} : { exitCode }) };
  } catch (e) {
    if (e instanceof SandboxError) e.report = report();
    throw e;
  } finally {
    (sb as Sandbox | null)?.wasi?.close();
  }
}

function errMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

interface Entry {
  name: string;
  /** `(i32, i32) -> i32`: called with the input's pointer and length. */
  takesInput: boolean;
}

function pickEntry(sb: Sandbox, entry: string | undefined): Entry {
  const names = entry !== undefined ? [entry] : DEFAULT_ENTRIES;
  for (const n of names) {
    const f = sb.instance.getExport(n);
    if (f === undefined) continue;
    if (!(f instanceof WasmFunc || f instanceof HostFunc)) throw new InstantiationFailed(`entry export '${n}' is not a function`);
    const { params, results } = f.type;
    if (params.length === 0) return { name: n, takesInput: false };
    const isExecute = params.length === 2 && params.every((p) => p === I32) && results.length === 1 && results[0] === I32;
    if (isExecute) return { name: n, takesInput: true };
    throw new InstantiationFailed(`entry function '${n}' has type ${funcTypeText(f.type)}; an entry takes no parameters, or is (i32, i32) -> (i32) (input pointer and length)`);
  }
  throw new InstantiationFailed(`the guest exports no entry function ${names.map((n) => `'${n}'`).join(', ').replace(/, ([^,]*)$/, ' or $1')}`);
}

/**
 * Writes the input into the guest's memory for an execute-style entry and
 * returns its pointer: into a buffer from the guest's `alloc(size) -> i32`
 * export when it has one, else into fresh pages grown at the end of memory 0
 * (none for an empty input: pointer 0).
 */
function placeInput(sb: Sandbox, entry: string, deadline: number, origin: number): number {
  const input = sb.io.input;
  const op = `${entry} input`;
  const g = new GuestCalls(sb, op, { deadline, origin });
  if (g.has('alloc')) {
    g.requireExport('alloc', ['i32'], ['i32']);
    return allocAndWrite(g, 'input', input, (ptr) => ptr);
  }
  if (input.length === 0) return 0;
  const mem = guard(() => requireMemory(sb.instance.raw.memories[0], op));
  const pages = Math.ceil(input.length / mem.pageSize);
  sb.growDenied = null;
  const old = mem.grow(pages);
  if (old < 0) {
    const denied = sb.growDenied as GrowDenied | null; // set by the grow above (TS narrowed it to null)
    if (denied)
      throw new OutOfMemory(
        `${op}: memory.grow by ${pages} page(s) for the ${input.length}-byte input refused: ${denied.requestedBytes} bytes requested, limit ${denied.limitBytes}`,
        denied.limitBytes,
        denied.requestedBytes,
      );
    throw new ExecutionFailed(`${op}: memory 0 cannot grow by ${pages} page(s) to hold the ${input.length}-byte input`);
  }
  const ptr = old * mem.pageSize;
  mem.u8.set(input, ptr);
  return ptr;
}

export type SandboxOutcome = ({ ok: true } & SandboxResult) | { ok: false; error: SandboxError };

/** runSandboxed that returns its typed error instead of throwing it. */
export function trySandboxed(src: GuestSource, input?: Uint8Array | string, options?: SandboxOptions): SandboxOutcome {
  try {
    return { ok: true, ...runSandboxed(src, input, options) };
  } catch (e) {
    if (e instanceof SandboxError) return { ok: false, error: e };
    throw e;
  }
}
