/** The guest's linear memory as WASI calls see it: bounds-checked reads and writes (EFAULT, never a trap). */
import type { Memory } from '../../runtime/objects/memory.js';
import { FsError, type Stat } from './backend.js';
import { Errno, SIZE } from './constants.js';

export const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** A guest u32 argument (i32 as unsigned). */
export const u32 = (v: unknown): number => Number(v) >>> 0;
/** A guest u64 argument (i64 as unsigned). */
export const u64 = (v: unknown): bigint => BigInt.asUintN(64, v as bigint);

export class GuestMem {
  readonly u8: Uint8Array;
  readonly view: DataView;
  constructor(m: Memory) {
    this.u8 = m.u8;
    this.view = m.view;
  }
  check(ptr: number, len: number): void {
    if (ptr + len > this.u8.length) throw new FsError(Errno.FAULT, 'pointer out of bounds');
  }
  u32(ptr: number): number {
    this.check(ptr, 4);
    return this.view.getUint32(ptr, true);
  }
  setU8(ptr: number, v: number): void {
    this.check(ptr, 1);
    this.view.setUint8(ptr, v);
  }
  setU16(ptr: number, v: number): void {
    this.check(ptr, 2);
    this.view.setUint16(ptr, v, true);
  }
  setU32(ptr: number, v: number): void {
    this.check(ptr, 4);
    this.view.setUint32(ptr, v, true);
  }
  setU64(ptr: number, v: bigint): void {
    this.check(ptr, 8);
    this.view.setBigUint64(ptr, BigInt.asUintN(64, v), true);
  }
  bytes(ptr: number, len: number): Uint8Array {
    this.check(ptr, len);
    return this.u8.subarray(ptr, ptr + len);
  }
  str(ptr: number, len: number): string {
    try {
      return utf8Strict.decode(this.bytes(ptr, len));
    } catch (e) {
      if (e instanceof FsError) throw e;
      throw new FsError(Errno.ILSEQ, 'path is not UTF-8');
    }
  }
  /** The buffers an iovec array describes (views into memory). */
  iovecs(ptr: number, n: number): Uint8Array[] {
    this.check(ptr, n * SIZE.iovec);
    const out: Uint8Array[] = [];
    for (let i = 0; i < n; i++) {
      const at = ptr + i * SIZE.iovec;
      out.push(this.bytes(this.view.getUint32(at, true), this.view.getUint32(at + 4, true)));
    }
    return out;
  }
  writeStat(ptr: number, s: Stat): void {
    this.check(ptr, SIZE.filestat);
    this.u8.fill(0, ptr, ptr + SIZE.filestat);
    this.setU64(ptr, s.dev);
    this.setU64(ptr + 8, s.ino);
    this.setU8(ptr + 16, s.filetype);
    this.setU64(ptr + 24, s.nlink);
    this.setU64(ptr + 32, s.size);
    this.setU64(ptr + 40, s.atim);
    this.setU64(ptr + 48, s.mtim);
    this.setU64(ptr + 56, s.ctim);
  }
}
