/**
 * Bounds-checked access to a guest's linear memory for the ABI. Pointers and
 * lengths arrive as i32 values (signed in JS); they are read as unsigned, and
 * every range is checked against the memory's current size before any byte
 * is touched, with an error naming the call and the range.
 */
import type { Memory } from '../../runtime/objects/memory.js';
import { GuestAbiError } from './errors.js';

const utf8 = new TextDecoder('utf-8');
const utf8Enc = new TextEncoder();

export function decodeUtf8(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}
export function encodeUtf8(text: string): Uint8Array {
  return utf8Enc.encode(text);
}

/** The memory a host function or ABI step works on, or a GuestAbiError naming `call`. */
export function requireMemory(mem: Memory | null | undefined, call: string): Memory {
  if (!mem) throw new GuestAbiError(`${call}: the guest has no linear memory`, call);
  if (mem.type.addr === 'i64') throw new GuestAbiError(`${call}: the ABI uses 32-bit pointers; memory64 is not supported`, call);
  return mem;
}

/** Checks [ptr, ptr+len) against the memory; returns the unsigned start and length. */
export function checkRange(mem: Memory, ptr: number, len: number, call: string): { start: number; len: number } {
  const p = ptr >>> 0;
  const n = len >>> 0;
  const size = mem.byteLength;
  if (p + n > size) {
    const lenNote = len < 0 ? ` (length ${len} read as unsigned ${n})` : '';
    const where = /^[\w.]+$/.test(call) ? `${call}(ptr=${p}, len=${n})` : `${call} (ptr=${p}, len=${n})`;
    throw new GuestAbiError(
      `${where}: range [${p}, ${p + n}) is outside the guest memory of ${size} bytes${lenNote}`,
      call,
      { ptr: p, len: n, memoryBytes: size },
    );
  }
  return { start: p, len: n };
}

/** A copy of guest bytes [ptr, ptr+len). */
export function readBytes(mem: Memory, ptr: number, len: number, call: string): Uint8Array {
  const r = checkRange(mem, ptr, len, call);
  return mem.u8.slice(r.start, r.start + r.len);
}

/** Guest bytes [ptr, ptr+len) decoded as UTF-8 (invalid sequences become U+FFFD). */
export function readUtf8(mem: Memory, ptr: number, len: number, call: string): string {
  const r = checkRange(mem, ptr, len, call);
  return utf8.decode(mem.u8.subarray(r.start, r.start + r.len));
}

/** Writes `bytes` at `ptr` (the whole range must fit). */
export function writeBytes(mem: Memory, ptr: number, bytes: Uint8Array, call: string): void {
  const r = checkRange(mem, ptr, bytes.length, call);
  mem.u8.set(bytes, r.start);
}
