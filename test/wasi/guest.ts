/** A test guest: a module importing every WASI function and exporting `call_<name>` wrappers and its memory. */
import { Errno, Linker, Module, Store, WASI_FUNCTIONS, WASI_MODULE, Wasi, watToBinary, type Instance, type WasiOptions } from '../../src/index.js';

const vt = (t: number): string => (t === 0x7e ? 'i64' : 'i32');

export const GUEST_WAT = (() => {
  const lines = ['(module'];
  for (const [name, t] of Object.entries(WASI_FUNCTIONS)) {
    const params = t.params.map(vt).join(' ');
    const results = t.results.map(vt).join(' ');
    lines.push(`  (import "${WASI_MODULE}" "${name}" (func $${name} (param ${params}) (result ${results})))`);
  }
  lines.push('  (memory (export "memory") 2)');
  for (const [name, t] of Object.entries(WASI_FUNCTIONS)) {
    const params = t.params.map(vt).join(' ');
    const results = t.results.map(vt).join(' ');
    const gets = t.params.map((_, i) => `(local.get ${i})`).join(' ');
    lines.push(`  (func (export "call_${name}") (param ${params}) (result ${results}) (call $${name} ${gets}))`);
  }
  lines.push('  (func (export "_start"))');
  // proc_exit from deep inside the call stack
  lines.push(
    '  (func $deep (export "deep_exit") (param i32) (if (local.get 0) (then (call $deep (i32.sub (local.get 0) (i32.const 1)))) (else (call $proc_exit (i32.const 4)))))',
  );
  lines.push('  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))');
  lines.push(')');
  return lines.join('\n');
})();

const MODULE = Module.fromBinary(watToBinary(GUEST_WAT));
const enc = new TextEncoder();

/** Scratch memory starts here; the tests place strings and outputs above it. */
export class Guest {
  readonly store: Store;
  readonly wasi: Wasi;
  readonly instance: Instance;
  private top = 1024;
  constructor(options: WasiOptions = {}, store = new Store()) {
    this.store = store;
    this.wasi = new Wasi(options);
    const linker = new Linker();
    this.wasi.addToLinker(linker, store);
    this.instance = linker.instantiate(store, MODULE);
  }
  get u8(): Uint8Array {
    return this.instance.memory()!.u8;
  }
  get view(): DataView {
    return this.instance.memory()!.view;
  }
  /** Calls a WASI function through the guest (i64 arguments as bigint). */
  call(name: string, ...args: (number | bigint)[]): number {
    const t = WASI_FUNCTIONS[name]!;
    const conv = args.map((a, i) => (t.params[i] === 0x7e ? BigInt(a) : Number(a)));
    const r = this.instance.call(`call_${name}`, ...conv);
    return r[0] as number;
  }
  /** Allocates n bytes of scratch memory (8-aligned). */
  alloc(n: number): number {
    const p = this.top;
    this.top += (n + 7) & ~7;
    return p;
  }
  /** Writes a string; returns [ptr, byteLength]. */
  str(s: string): [number, number] {
    const b = enc.encode(s);
    const p = this.alloc(b.length + 1);
    this.u8.set(b, p);
    return [p, b.length];
  }
  u32(p: number): number {
    return this.view.getUint32(p, true);
  }
  u64(p: number): bigint {
    return this.view.getBigUint64(p, true);
  }
  text(p: number, n: number): string {
    return new TextDecoder().decode(this.u8.slice(p, p + n));
  }
  /** Writes one iovec for `data` (string or length to reserve); returns [iovsPtr, bufPtr]. */
  iov(data: string | number): [number, number] {
    const b = typeof data === 'string' ? enc.encode(data) : new Uint8Array(data);
    const buf = this.alloc(b.length);
    this.u8.set(b, buf);
    const iov = this.alloc(8);
    this.view.setUint32(iov, buf, true);
    this.view.setUint32(iov + 4, b.length, true);
    return [iov, buf];
  }
  /** path_open relative to `dirfd`; returns [errno, fd]. */
  open(dirfd: number, path: string, oflags = 0, rights: bigint = (1n << 30n) - 1n, fdflags = 0, lookup = 1): [number, number] {
    const [p, l] = this.str(path);
    const out = this.alloc(4);
    const e = this.call('path_open', dirfd, lookup, p, l, oflags, rights, rights, fdflags, out);
    return [e, e === Errno.SUCCESS ? this.u32(out) : -1];
  }
  write(fd: number, s: string): [number, number] {
    const [iov] = this.iov(s);
    const out = this.alloc(4);
    const e = this.call('fd_write', fd, iov, 1, out);
    return [e, this.u32(out)];
  }
  read(fd: number, n: number): [number, string] {
    const [iov, buf] = this.iov(n);
    const out = this.alloc(4);
    const e = this.call('fd_read', fd, iov, 1, out);
    return [e, e === 0 ? this.text(buf, this.u32(out)) : ''];
  }
}
