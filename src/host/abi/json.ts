/**
 * JSON calls: for guests exporting
 *
 *   alloc(size: i32) -> i32               a pointer to `size` writable bytes (0 = failure when size > 0)
 *   free(ptr: i32, size: i32)             optional; releases what alloc returned / what invoke returned
 *   invoke(method_ptr, method_len, input_ptr, input_len: i32) -> i64   (the name is an option: oxide_invoke, ...)
 *                                          (ptr << 32) | len of the UTF-8 JSON result (len 0: no result)
 *
 * callJson writes the method name and the JSON-encoded value into buffers
 * from alloc, calls invoke, copies the result out, frees the three buffers
 * (when the guest exports free) and parses the result.
 */
import { ExecutionFailed, GuestAbiError, InvalidJson } from './errors.js';
import { GuestCalls, guard, type AbiTarget } from './guest.js';
import { checkRange, decodeUtf8, encodeUtf8, writeBytes } from './memory.js';

/** Copies `bytes` into a fresh guest buffer from alloc, then continues with its pointer. */
export function allocAndWrite<T>(g: GuestCalls, what: string, bytes: Uint8Array, k: (ptr: number) => T): T {
  return g.step('alloc', [bytes.length], ([p]) => {
    const ptr = (p as number) >>> 0;
    if (ptr === 0 && bytes.length > 0) {
      const msg = `${g.op}: alloc(${bytes.length}) for the ${what} returned 0 (allocation failed)`;
      throw new ExecutionFailed(msg, new GuestAbiError(msg, `${g.op} alloc`));
    }
    guard(() => writeBytes(g.memory(), ptr, bytes, `${g.op}: the ${what} buffer from alloc`));
    return k(ptr);
  });
}

/** Frees each [ptr, len] in order when the guest exports free, then continues. */
export function freeAll<T>(g: GuestCalls, bufs: [number, number][], k: () => T): T {
  if (!g.has('free') || bufs.length === 0) return k();
  const [[ptr, len], ...rest] = bufs as [[number, number], ...[number, number][]];
  return g.step('free', [ptr, len], () => freeAll(g, rest, k));
}

/** Parses guest JSON text, or throws InvalidJson naming where it came from. */
export function parseGuestJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const shown = text.length > 200 ? `${text.slice(0, 200)}…` : text;
    throw new InvalidJson(`${where}: the guest returned invalid JSON (${e instanceof Error ? e.message : String(e)}): ${JSON.stringify(shown)}`, text, e);
  }
}

/** Encodes a host value as JSON bytes (TypeError when it has no JSON form). */
export function encodeJson(value: unknown, where: string): Uint8Array {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`${where}: the value has no JSON representation`);
  return encodeUtf8(text);
}

export interface CallJsonOptions {
  /** The dispatch export (default "invoke"; oxide-k's guests export "oxide_invoke"). Same type either way. */
  invoke?: string;
}

/**
 * Calls `method` on a JSON-ABI guest with `value` as its JSON input and
 * returns the parsed JSON result (undefined when the guest returns length 0).
 * Errors: ExecutionFailed (trap, missing/mistyped export, bad pointer or
 * length), InvalidJson, SandboxHostError, and with a Sandbox target
 * SandboxOutOfFuel/Timeout/OutOfMemory. On a plain Instance whose store runs
 * out of fuel, the core OutOfFuel propagates and stays resumable:
 * `store.addFuel(n); e.resume()[0]` is the call's result.
 */
export function callJson(target: AbiTarget, method: string, value: unknown, options: CallJsonOptions = {}): unknown {
  const invoke = options.invoke ?? 'invoke';
  if (typeof invoke !== 'string' || invoke === '') throw new TypeError(`callJson: options.invoke must be a non-empty export name, not ${JSON.stringify(invoke)}`);
  const g = new GuestCalls(target, 'callJson');
  g.requireExport('alloc', ['i32'], ['i32']);
  g.requireExport(invoke, ['i32', 'i32', 'i32', 'i32'], ['i64']);
  if (g.has('free')) g.requireExport('free', ['i32', 'i32'], []);
  const m = encodeUtf8(method);
  const input = encodeJson(value, `callJson ${method}`);
  return allocAndWrite(g, 'method name', m, (mp) =>
    allocAndWrite(g, 'input', input, (ip) =>
      g.step(invoke, [mp, m.length, ip, input.length], ([packed]) => {
        const v = BigInt.asUintN(64, packed as bigint);
        const rp = Number(v >> 32n);
        const rl = Number(v & 0xffffffffn);
        const text = guard(() => {
          const mem = g.memory();
          const r = checkRange(mem, rp, rl, `callJson result of '${method}'`);
          return decodeUtf8(mem.u8.subarray(r.start, r.start + r.len));
        });
        const bufs: [number, number][] = [];
        if (rl > 0) bufs.push([rp, rl]);
        bufs.push([ip, input.length], [mp, m.length]);
        return freeAll(g, bufs, () => (rl === 0 ? undefined : parseGuestJson(text, `callJson '${method}'`)));
      }),
    ),
  );
}
