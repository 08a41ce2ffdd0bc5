/**
 * The MISC instruction: everything rare enough to live outside the hot
 * loop (bulk memory and table operations with their fuel surcharges,
 * accesses to memories other than memory 0 or 64-bit memories, table
 * get/set/size/grow, ref.eq, segment drops, the vector instructions, and
 * the GC instructions of gc.ts).
 *
 * Layout: MISC defId d s0 s1 s2 i0 i1 i2 i3 (10 words). Returns the next
 * pc, or -1 when a surcharge cannot be paid (the machine's state is at this
 * instruction, resumable).
 */
import { Trap } from '../core/errors.js';
import { INSTRS } from '../core/instructions.js';
import { byteSurcharge, elemSurcharge } from '../runtime/objects/costs.js';
import { paySurcharge } from './surcharge.js';
import type { Instance } from '../runtime/objects/instance.js';
import type { Machine } from './machine.js';
import type { Memory } from '../runtime/objects/memory.js';
import type { Table } from '../runtime/objects/table.js';
import { SIMD_EXEC } from './simd-exec.js';
import { GC_EXEC } from './gc.js';
import { ATOMIC_EXEC } from './atomics.js';
import { execThrow } from './exceptions.js';

export const MISC_WIDTH = 10;

/** An address operand: i32 (unsigned) or i64 (exact below 2^53; larger values are out of bounds anyway). */
function addr(mc: Machine, w: number, is64: boolean): number {
  const lo = mc.s[w]! >>> 0;
  return is64 ? lo + (mc.s[w + 1]! >>> 0) * 2 ** 32 : lo;
}

function setAddr(mc: Machine, w: number, v: number, is64: boolean): void {
  if (v < 0) {
    mc.s[w] = -1;
    mc.s[w + 1] = is64 ? -1 : 0;
    return;
  }
  mc.s[w] = v % 2 ** 32 | 0;
  mc.s[w + 1] = is64 ? Math.floor(v / 2 ** 32) | 0 : 0;
}

function memOob(): never {
  throw new Trap('out of bounds memory access');
}
function tableOob(): never {
  throw new Trap('out of bounds table access');
}

export function execMisc(mc: Machine, inst: Instance, code: Int32Array, pc: number, fp: number): number {
  const vec = SIMD_EXEC[code[pc + 1]!];
  if (vec !== undefined) {
    vec(mc, inst, fp + code[pc + 2]!, fp + code[pc + 3]!, fp + code[pc + 4]!, fp + code[pc + 5]!, code[pc + 6]!, code[pc + 7]!, code[pc + 8]!, code[pc + 9]!);
    return pc + MISC_WIDTH;
  }
  const gc = GC_EXEC[code[pc + 1]!];
  if (gc !== undefined) {
    return gc(mc, inst, fp + code[pc + 2]!, fp + code[pc + 3]!, fp + code[pc + 4]!, fp + code[pc + 5]!, code[pc + 6]!, code[pc + 7]!) ? pc + MISC_WIDTH : -1;
  }
  const atomic = ATOMIC_EXEC[code[pc + 1]!];
  if (atomic !== undefined) {
    atomic(mc, inst, fp + code[pc + 2]!, fp + code[pc + 3]!, fp + code[pc + 4]!, fp + code[pc + 5]!, code[pc + 6]!, code[pc + 7]!, code[pc + 8]!);
    return pc + MISC_WIDTH;
  }
  const def = INSTRS[code[pc + 1]!]!;
  const d = fp + code[pc + 2]!;
  const s0 = fp + code[pc + 3]!;
  const s1 = fp + code[pc + 4]!;
  const s2 = fp + code[pc + 5]!;
  const i0 = code[pc + 6]!;
  const i1 = code[pc + 7]!;
  const i2 = code[pc + 8]!;
  const next = pc + MISC_WIDTH;
  const s = mc.s;
  const refs = mc.refs;

  if (def.bytes > 0 && (def.imm === 'memarg' || def.imm === 'memarg_lane') && def.family !== 'vector') {
    // scalar load/store on any memory
    const mem = inst.memories[i0]!;
    const is64 = mem.type.addr === 'i64';
    const ea = addr(mc, s0, is64) + (i1 >>> 0) + (i2 >>> 0) * 2 ** 32;
    const n = def.bytes;
    if (ea + n > mem.byteLength) memOob();
    const v = mem.view;
    const name = def.name;
    if (def.results!.length === 1) {
      // load into d
      const signed = name.endsWith('_s');
      const is64r = name.startsWith('i64') || name.startsWith('f64');
      let lo: number;
      let hi = 0;
      switch (n) {
        case 1:
          lo = signed ? v.getInt8(ea) : v.getUint8(ea);
          break;
        case 2:
          lo = signed ? v.getInt16(ea, true) : v.getUint16(ea, true);
          break;
        case 4:
          lo = v.getInt32(ea, true);
          break;
        default:
          lo = v.getInt32(ea, true);
          hi = v.getInt32(ea + 4, true);
      }
      if (is64r && n < 8) hi = signed ? lo >> 31 : 0;
      s[d] = lo;
      s[d + 1] = hi;
    } else {
      switch (n) {
        case 1:
          v.setInt8(ea, s[s1]!);
          break;
        case 2:
          v.setInt16(ea, s[s1]!, true);
          break;
        case 4:
          v.setInt32(ea, s[s1]!, true);
          break;
        default:
          v.setInt32(ea, s[s1]!, true);
          v.setInt32(ea + 4, s[s1 + 1]!, true);
      }
    }
    return next;
  }

  switch (def.name) {
    case 'i64.add128':
    case 'i64.sub128': {
      // operands in four consecutive slots from s0; results at d and d + 4
      const l = u128(s, s0) + (def.name === 'i64.add128' ? u128(s, s0 + 8) : -u128(s, s0 + 8));
      put128(s, d, l);
      return next;
    }
    case 'i64.mul_wide_s':
    case 'i64.mul_wide_u': {
      const signed = def.name === 'i64.mul_wide_s';
      const x = signed ? i64s(s, s0) : u64(s, s0);
      const y = signed ? i64s(s, s1) : u64(s, s1);
      put128(s, d, x * y);
      return next;
    }
    case 'memory.fill': {
      const mem = inst.memories[i0]!;
      const is64 = mem.type.addr === 'i64';
      const dst = addr(mc, s0, is64);
      const val = s[s1]! & 0xff;
      const n = addr(mc, s2, is64);
      if (dst + n > mem.byteLength) memOob();
      if (!paySurcharge(mc, byteSurcharge(mc.costs, n))) return -1;
      mem.u8.fill(val, dst, dst + n);
      return next;
    }
    case 'memory.copy': {
      const md = inst.memories[i0]!;
      const ms = inst.memories[i1]!;
      const dst = addr(mc, s0, md.type.addr === 'i64');
      const src = addr(mc, s1, ms.type.addr === 'i64');
      const n = addr(mc, s2, md.type.addr === 'i64' && ms.type.addr === 'i64');
      if (src + n > ms.byteLength || dst + n > md.byteLength) memOob();
      if (!paySurcharge(mc, byteSurcharge(mc.costs, n))) return -1;
      if (md === ms) md.u8.copyWithin(dst, src, src + n);
      else md.u8.set(ms.u8.subarray(src, src + n), dst);
      return next;
    }
    case 'memory.init': {
      const mem = inst.memories[i1]!;
      const data = inst.datas[i0] ?? EMPTY_BYTES;
      const dst = addr(mc, s0, mem.type.addr === 'i64');
      const src = s[s1]! >>> 0;
      const n = s[s2]! >>> 0;
      if (src + n > data.length || dst + n > mem.byteLength) memOob();
      if (!paySurcharge(mc, byteSurcharge(mc.costs, n))) return -1;
      mem.u8.set(data.subarray(src, src + n), dst);
      return next;
    }
    case 'data.drop':
      inst.datas[i0] = null;
      return next;
    case 'elem.drop':
      inst.elems[i0] = null;
      return next;
    case 'table.get': {
      const t = inst.tables[i0]!;
      const i = addr(mc, s0, t.type.addr === 'i64');
      if (i >= t.size) tableOob();
      refs[d >> 2] = t.elems[i];
      return next;
    }
    case 'table.set': {
      const t = inst.tables[i0]!;
      const i = addr(mc, s0, t.type.addr === 'i64');
      if (i >= t.size) tableOob();
      t.elems[i] = refs[s1 >> 2];
      return next;
    }
    case 'table.size': {
      const t = inst.tables[i0]!;
      setAddr(mc, d, t.size, t.type.addr === 'i64');
      return next;
    }
    case 'table.grow': {
      const t = inst.tables[i0]!;
      const is64 = t.type.addr === 'i64';
      const init = refs[s0 >> 2];
      const n = addr(mc, s1, is64);
      const cost = t.mayGrow(n) ? elemSurcharge(mc.costs, n) : 0;
      if (mc.fuel < cost) {
        mc.needed = cost;
        return -1;
      }
      const old = t.grow(n, init);
      if (old >= 0) mc.fuel -= cost;
      setAddr(mc, d, old, is64);
      return next;
    }
    case 'table.fill': {
      const t = inst.tables[i0]!;
      const is64 = t.type.addr === 'i64';
      const i = addr(mc, s0, is64);
      const val = refs[s1 >> 2];
      const n = addr(mc, s2, is64);
      if (i + n > t.size) tableOob();
      if (!paySurcharge(mc, elemSurcharge(mc.costs, n))) return -1;
      for (let k = 0; k < n; k++) t.elems[i + k] = val;
      return next;
    }
    case 'table.copy': {
      const td = inst.tables[i0]!;
      const ts = inst.tables[i1]!;
      const dst = addr(mc, s0, td.type.addr === 'i64');
      const src = addr(mc, s1, ts.type.addr === 'i64');
      const n = addr(mc, s2, td.type.addr === 'i64' && ts.type.addr === 'i64');
      if (src + n > ts.size || dst + n > td.size) tableOob();
      if (!paySurcharge(mc, elemSurcharge(mc.costs, n))) return -1;
      copyElems(td, dst, ts, src, n);
      return next;
    }
    case 'table.init': {
      const t = inst.tables[i1]!;
      const seg = inst.elems[i0] ?? EMPTY_REFS;
      const dst = addr(mc, s0, t.type.addr === 'i64');
      const src = s[s1]! >>> 0;
      const n = s[s2]! >>> 0;
      if (src + n > seg.length || dst + n > t.size) tableOob();
      if (!paySurcharge(mc, elemSurcharge(mc.costs, n))) return -1;
      for (let k = 0; k < n; k++) t.elems[dst + k] = seg[src + k];
      return next;
    }
    case 'ref.eq':
      s[d] = refs[s0 >> 2] === refs[s1 >> 2] ? 1 : 0;
      return next;
    case 'throw':
    case 'throw_ref':
    case 'rethrow':
      return execThrow(mc, inst, def.name, s0, i0);
  }
  throw new Error(`wasmeter internal error: MISC has no handler for ${def.name}`);
}

function u64(s: Int32Array, w: number): bigint {
  return (BigInt(s[w + 1]! >>> 0) << 32n) | BigInt(s[w]! >>> 0);
}
function i64s(s: Int32Array, w: number): bigint {
  return BigInt.asIntN(64, u64(s, w));
}
/** Two i64 values in consecutive slots (low, high) as one 128-bit integer. */
function u128(s: Int32Array, w: number): bigint {
  return (u64(s, w + 4) << 64n) | u64(s, w);
}
/** Writes the low 128 bits of v as two i64 values at w (low) and w + 4 (high). */
function put128(s: Int32Array, w: number, v: bigint): void {
  const lo = BigInt.asUintN(64, v);
  const hi = BigInt.asUintN(64, v >> 64n);
  s[w] = Number(lo & 0xffffffffn) | 0;
  s[w + 1] = Number(lo >> 32n) | 0;
  s[w + 4] = Number(hi & 0xffffffffn) | 0;
  s[w + 5] = Number(hi >> 32n) | 0;
}

function copyElems(td: Table, dst: number, ts: Table, src: number, n: number): void {
  if (td === ts && dst > src) {
    for (let k = n - 1; k >= 0; k--) td.elems[dst + k] = ts.elems[src + k];
  } else {
    for (let k = 0; k < n; k++) td.elems[dst + k] = ts.elems[src + k];
  }
}

const EMPTY_BYTES = new Uint8Array(0);
const EMPTY_REFS: unknown[] = [];

export type { Memory };
