/**
 * The threads proposal's atomic instructions (MISC), with the semantics of a
 * single thread: wasmeter runs one thread, so every access is trivially
 * atomic and sequentially consistent.
 *
 * - Loads, stores, read-modify-writes and cmpxchg work on any memory
 *   (shared or not). The effective address must be a multiple of the access
 *   size ("unaligned atomic", checked before the bounds check).
 * - `memory.atomic.notify` checks its address like a 4-byte access and
 *   returns 0: no thread can be waiting.
 * - `memory.atomic.wait32/64` trap "expected shared memory" on an unshared
 *   memory; otherwise they return 1 ("not-equal") when the loaded value
 *   differs from the expected one and 2 ("timed-out") at once for a
 *   non-negative timeout (no other thread could notify before it expires).
 *   A wait with an infinite (negative) timeout on an equal value could only
 *   end by another thread's notify, which cannot happen: it traps
 *   "wait would block forever (no other threads)" instead of hanging.
 * - `atomic.fence` does nothing.
 *
 * Executors receive the MISC operands as word offsets (d, s0, s1, s2) and
 * the memarg immediates (i0 memory index, i1/i2 offset low/high words).
 */
import { Trap } from '../core/errors.js';
import { INSTRS, type InstrDef } from '../core/instructions.js';
import type { Instance } from '../runtime/objects/instance.js';
import type { Machine } from './machine.js';
import type { Memory } from '../runtime/objects/memory.js';

export type AtomicExec = (mc: Machine, inst: Instance, d: number, s0: number, s1: number, s2: number, i0: number, i1: number, i2: number) => void;

/** Effective address of an atomic access of `n` bytes, checked for alignment and bounds. */
function ea(mc: Machine, mem: Memory, s0: number, i1: number, i2: number, n: number): number {
  const s = mc.s;
  let a = s[s0]! >>> 0;
  if (mem.type.addr === 'i64') a += (s[s0 + 1]! >>> 0) * 2 ** 32;
  a += (i1 >>> 0) + (i2 >>> 0) * 2 ** 32;
  if (a % n !== 0) throw new Trap('unaligned atomic');
  if (a + n > mem.byteLength) throw new Trap('out of bounds memory access');
  return a;
}

/** Reads n bytes at a (zero-extended) into lo/hi. */
function load(v: DataView, a: number, n: number, out: Int32Array): void {
  out[1] = 0;
  switch (n) {
    case 1:
      out[0] = v.getUint8(a);
      return;
    case 2:
      out[0] = v.getUint16(a, true);
      return;
    case 4:
      out[0] = v.getInt32(a, true);
      return;
    default:
      out[0] = v.getInt32(a, true);
      out[1] = v.getInt32(a + 4, true);
  }
}

function store(v: DataView, a: number, n: number, lo: number, hi: number): void {
  switch (n) {
    case 1:
      v.setUint8(a, lo & 0xff);
      return;
    case 2:
      v.setUint16(a, lo & 0xffff, true);
      return;
    case 4:
      v.setInt32(a, lo, true);
      return;
    default:
      v.setInt32(a, lo, true);
      v.setInt32(a + 4, hi, true);
  }
}

/** Truncates lo/hi to n bytes (zero-extended). */
function wrapLo(n: number, lo: number): number {
  return n === 1 ? lo & 0xff : n === 2 ? lo & 0xffff : lo;
}

const old = new Int32Array(2);

type Rmw = (alo: number, ahi: number, blo: number, bhi: number, out: Int32Array) => void;

const RMW: Record<string, Rmw> = {
  add(alo, ahi, blo, bhi, out) {
    const lo = (alo + blo) | 0;
    out[1] = (ahi + bhi + (lo >>> 0 < alo >>> 0 ? 1 : 0)) | 0;
    out[0] = lo;
  },
  sub(alo, ahi, blo, bhi, out) {
    out[0] = (alo - blo) | 0;
    out[1] = (ahi - bhi - (alo >>> 0 < blo >>> 0 ? 1 : 0)) | 0;
  },
  and(alo, ahi, blo, bhi, out) {
    out[0] = alo & blo;
    out[1] = ahi & bhi;
  },
  or(alo, ahi, blo, bhi, out) {
    out[0] = alo | blo;
    out[1] = ahi | bhi;
  },
  xor(alo, ahi, blo, bhi, out) {
    out[0] = alo ^ blo;
    out[1] = ahi ^ bhi;
  },
  xchg(_alo, _ahi, blo, bhi, out) {
    out[0] = blo;
    out[1] = bhi;
  },
};

const res = new Int32Array(2);

function makeExec(def: InstrDef): AtomicExec {
  const n = def.bytes;
  const name = def.name;
  if (name === 'atomic.fence') return () => {};
  if (name === 'memory.atomic.notify') {
    return (mc, inst, d, s0, _s1, _s2, i0, i1, i2) => {
      ea(mc, inst.memories[i0]!, s0, i1, i2, 4);
      mc.s[d] = 0;
      mc.s[d + 1] = 0;
    };
  }
  if (name === 'memory.atomic.wait32' || name === 'memory.atomic.wait64') {
    return (mc, inst, d, s0, s1, s2, i0, i1, i2) => {
      const mem = inst.memories[i0]!;
      if (!mem.type.shared) throw new Trap('expected shared memory');
      const a = ea(mc, mem, s0, i1, i2, n);
      const s = mc.s;
      load(mem.view, a, n, old);
      const equal = old[0] === s[s1] && (n === 4 || old[1] === s[s1 + 1]);
      let r: number;
      if (!equal) r = 1;
      else if (s[s2 + 1]! >= 0) r = 2;
      else throw new Trap('wait would block forever (no other threads)');
      s[d] = r;
      s[d + 1] = 0;
    };
  }
  const m = /^i(32|64)\.atomic\.(load|store|rmw\d*)(?:8|16|32)?(?:_u)?(?:\.(\w+?)(?:_u)?)?$/.exec(name);
  if (!m) throw new Error(`wasmeter internal error: no atomic executor for ${name}`);
  const kind = m[2]!;
  if (kind === 'load') {
    return (mc, inst, d, s0, _s1, _s2, i0, i1, i2) => {
      const mem = inst.memories[i0]!;
      const a = ea(mc, mem, s0, i1, i2, n);
      load(mem.view, a, n, old);
      mc.s[d] = old[0]!;
      mc.s[d + 1] = old[1]!;
    };
  }
  if (kind === 'store') {
    return (mc, inst, _d, s0, s1, _s2, i0, i1, i2) => {
      const mem = inst.memories[i0]!;
      const a = ea(mc, mem, s0, i1, i2, n);
      store(mem.view, a, n, mc.s[s1]!, mc.s[s1 + 1]!);
    };
  }
  const op = m[3]!;
  const is64 = m[1] === '64';
  if (op === 'cmpxchg') {
    return (mc, inst, d, s0, s1, s2, i0, i1, i2) => {
      const mem = inst.memories[i0]!;
      const a = ea(mc, mem, s0, i1, i2, n);
      const s = mc.s;
      load(mem.view, a, n, old);
      // the expected value is wrapped to the access size before comparing
      const eq = old[0] === wrapLo(n, s[s1]!) && (n < 8 || old[1] === s[s1 + 1]);
      const lo = old[0]!;
      const hi = old[1]!;
      if (eq) store(mem.view, a, n, s[s2]!, s[s2 + 1]!);
      s[d] = lo;
      s[d + 1] = is64 ? hi : 0;
    };
  }
  const f = RMW[op];
  if (!f) throw new Error(`wasmeter internal error: no atomic executor for ${name}`);
  return (mc, inst, d, s0, s1, _s2, i0, i1, i2) => {
    const mem = inst.memories[i0]!;
    const a = ea(mc, mem, s0, i1, i2, n);
    const s = mc.s;
    load(mem.view, a, n, old);
    const lo = old[0]!;
    const hi = old[1]!;
    f(lo, hi, s[s1]!, s[s1 + 1]!, res);
    store(mem.view, a, n, res[0]!, res[1]!);
    s[d] = lo;
    s[d + 1] = is64 ? hi : 0;
  };
}

/** One executor per atomic instruction, by instruction table id. */
export const ATOMIC_EXEC: (AtomicExec | undefined)[] = (() => {
  const out: (AtomicExec | undefined)[] = new Array(INSTRS.length);
  for (const def of INSTRS) if (def.family === 'atomic') out[def.id] = makeExec(def);
  return out;
})();
