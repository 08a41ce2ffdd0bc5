/**
 * The one instruction reader: decodes one instruction (opcode and
 * immediates) from a Reader into a reusable Instr. Table-driven: the opcode
 * is looked up in the instruction table and the immediates are read by the
 * row's `imm` kind, so new rows (SIMD, atomics) need no change here.
 */
import type { Reader } from '../core/bytes.js';
import { DecodeError } from '../core/errors.js';
import * as table from '../core/instructions.js';
import type { Imm, InstrDef } from '../core/instructions.js';
import * as types from '../core/types.js';
import type { ValType } from '../core/types.js';

// Module-local copies of imported tables for the hot paths (imported
// bindings can be slow property loads under some module loaders).
const INSTRS = table.INSTRS;
const SINGLE = table.SINGLE;
const PREFIXED = table.PREFIXED;
const HEAP_BYTE = types.HEAP_BYTE;
const HEAP_CONCRETE = types.HEAP_CONCRETE;
const EXACT_HEAP = types.EXACT_HEAP;
const REF_BASE = types.REF_BASE;

export interface Catch {
  kind: 0 | 1 | 2 | 3;
  tag: number;
  label: number;
} // catch, catch_ref, catch_all, catch_all_ref

/** One reusable decoded instruction; see readInstr. */
export class Instr {
  def!: InstrDef;
  /** Byte offset of the opcode in the module (reader.offset). */
  offset = 0;
  /** Integer immediates in the binary format's order (see the module docs). */
  a = 0;
  b = 0;
  c = 0;
  /** memarg offset (exact below 2^53). */
  offset64 = 0;
  /** i64.const value and f64.const bits as int32 halves (low, high). */
  lo = 0;
  hi = 0;
  /** v128.const bytes / i8x16.shuffle lanes. */
  v128 = new Uint8Array(16);
  /** br_on_cast heap types. */
  ht1 = 0;
  ht2 = 0;
  /** -1 = empty, a ValType for one result, or -(2+typeidx). */
  blockType = 0;
  /** br_table targets (default in `a`). */
  labels: number[] = [];
  /** select_t value types. */
  types: ValType[] = [];
  /** try_table clauses. */
  catches: Catch[] = [];
  /**
   * How memargs are read (set by the owner from its features): with multi-memory, flag bit 6 says a memory index
   * follows the flags; without it the flags are all alignment, as in Wasm 2.0, so that bit makes the alignment
   * 2^64 or more (invalid, not a memory index). Readers of validated bodies can keep the default: without
   * multi-memory no body with that bit validates, and without it both readings are the same.
   */
  multiMemory = true;
  /**
   * Under a Wasm 1.0 / 2.0 profile (see `setProfile`): per InstrDef.id, 1 when the instruction exists in that
   * standard; null (the default) reads Wasm 3.0's binary format.
   */
  known: Uint8Array | null = null;
  /** The binary format version read (1, 2 or 3); below 3 only with `known` set (a 3.0 profile: 3 and `known`). */
  version = 3;
  /** i64.const value (lo, hi) as a BigInt, for the encoder and tests; setting it sets lo and hi. */
  get i64(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo >>> 0);
  }
  set i64(v: bigint) {
    this.lo = Number(BigInt.asIntN(32, v));
    this.hi = Number(BigInt.asIntN(32, v >> 32n));
  }
}

/**
 * Holds an instruction reader to an older standard's binary format: instructions whose feature `enabled` lacks
 * are illegal opcodes, memory indices are reserved zero bytes (`zero flag expected` in 1.0, `zero byte expected`
 * in 2.0), memargs are a u32 alignment and a u32 offset, ref.null takes a reference type,
 * call_indirect's table index is a reserved zero byte in 1.0, block and value types are those of the standard.
 * The instructions known are the profile's and those of the proposals `added` to it (`{ profile: '1.0', threads:
 * true }`; switches that turn proposals off are the validator's business).
 */
export function setProfile(ins: Instr, profile: table.Profile | null, added: readonly table.FeatureName[] = []): void {
  const version = profile === '1.0' ? 1 : profile === '2.0' ? 2 : 3;
  ins.version = version;
  if (profile === null) {
    ins.known = null;
    return;
  }
  const known = new Uint8Array(INSTRS.length);
  for (const d of INSTRS) known[d.id] = table.profileHas(profile, d.feature) || added.includes(d.feature) ? 1 : 0;
  ins.known = known;
  if (version < 3) ins.multiMemory = false;
}

// Numeric immediate kinds, indexed by InstrDef.id (a switch on small ints is faster than on strings).
// Exported for the decoder's fast body scan (not part of the public API).
export const K_NONE = 0,
  K_BLOCK = 1,
  K_U32 = 2,
  K_BR_TABLE = 3,
  K_U32_U32 = 4,
  K_MEMARG = 5,
  K_MEMARG_LANE = 6,
  K_I32 = 7,
  K_I64 = 8,
  K_F32 = 9,
  K_F64 = 10,
  K_V128 = 11,
  K_LANE = 12,
  K_SELECT_T = 13,
  K_HEAP = 14,
  K_BR_ON_CAST = 15,
  K_TRY_TABLE = 16,
  K_ZERO = 17;

const IMM_KIND: Record<Imm, number> = {
  none: K_NONE,
  blocktype: K_BLOCK,
  label: K_U32,
  br_table: K_BR_TABLE,
  func: K_U32,
  call_indirect: K_U32_U32,
  type: K_U32,
  local: K_U32,
  global: K_U32,
  table: K_U32,
  memory: K_U32,
  memarg: K_MEMARG,
  memarg_lane: K_MEMARG_LANE,
  i32: K_I32,
  i64: K_I64,
  f32: K_F32,
  f64: K_F64,
  v128: K_V128,
  shuffle: K_V128,
  lane: K_LANE,
  select_t: K_SELECT_T,
  heaptype: K_HEAP,
  cast: K_HEAP,
  br_on_cast: K_BR_ON_CAST,
  type_field: K_U32_U32,
  type_u32: K_U32_U32,
  type_data: K_U32_U32,
  type_elem: K_U32_U32,
  type_type: K_U32_U32,
  data_mem: K_U32_U32,
  data: K_U32,
  mem_mem: K_U32_U32,
  elem_table: K_U32_U32,
  elem: K_U32,
  table_table: K_U32_U32,
  tag: K_U32,
  try_table: K_TRY_TABLE,
  zero: K_ZERO,
};

export const KIND = new Uint8Array(INSTRS.length);
for (const d of INSTRS) {
  const k = IMM_KIND[d.imm];
  if (k === undefined) throw new Error(`instruction reader: unknown immediate kind ${d.imm}`);
  KIND[d.id] = k;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** u32 LEB128 with a one-byte fast path. */
function u32(r: Reader): number {
  const p = r.pos;
  if (p < r.end) {
    const b = r.bytes[p]!;
    if (b < 0x80) {
      r.pos = p + 1;
      return b;
    }
  }
  return r.u32();
}

/**
 * A vector length, checked as the reference interpreter does: it must not
 * exceed the bytes left counted from the length field itself ("length out
 * of bounds"). Every element takes at least one byte, so this bounds any
 * allocation by the input size.
 */
export function readVecLen(r: Reader): number {
  const at = r.pos;
  const n = u32(r);
  if (n > r.end - at) r.fail('length out of bounds', at);
  return n;
}

/** Heap type (s33): an abstract heap code, or HEAP_CONCRETE + type index. */
export function readHeapType(r: Reader): number {
  const at = r.pos;
  const b = r.peek();
  if (b === 0x62) {
    // custom descriptors: an exact heap type, 0x62 then a type index
    r.pos++;
    const v = r.s32(33);
    if (v < 0) return r.fail('malformed heap type', at);
    return EXACT_HEAP + HEAP_CONCRETE + v;
  }
  if (b >= 0x40 && b < 0x80) {
    // one-byte negative s33: an abstract heap type
    r.pos++;
    const h = HEAP_BYTE[b];
    if (h === undefined) r.fail('malformed heap type', at);
    return h;
  }
  const v = r.s32(33);
  if (v >= 0) return HEAP_CONCRETE + v;
  // a negative value in more than one byte: not a type index, and too long for an abstract type
  return r.fail('integer representation too long', at + 1);
}

/** Reference type: a short form (0x70 ...) or 0x63/0x64 followed by a heap type. */
export function readRefType(r: Reader): ValType {
  const at = r.pos;
  const b = r.u8();
  if (b === 0x63 || b === 0x64) return REF_BASE + readHeapType(r) * 2 + (b === 0x63 ? 1 : 0);
  const h = HEAP_BYTE[b];
  if (h === undefined) {
    if (b & 0x80) r.fail('integer representation too long', at + 1);
    r.fail('malformed reference type', at);
  }
  return REF_BASE + h * 2 + 1;
}

/** Value type: number, vector or reference type (errors as the reference interpreter's last alternative, reftype). */
export function readValType(r: Reader): ValType {
  const p = r.pos;
  if (p < r.end) {
    const b = r.bytes[p]!;
    if (b >= 0x7b && b <= 0x7f) {
      r.pos = p + 1;
      return b;
    }
  }
  return readRefType(r);
}

/** Block type: -1 for empty, a ValType, or -(2 + typeidx). */
export function readBlockType(r: Reader): number {
  const p = r.pos;
  const b = p < r.end ? r.bytes[p]! : r.peek();
  if (b === 0x40) {
    r.pos = p + 1;
    return -1;
  }
  if ((b & 0xc0) === 0x40) return readValType(r);
  if (b < 0x40) {
    r.pos++;
    return -(2 + b);
  }
  // multi-byte s33: a type index, or else malformed (the reference's last alternative, a value type, fails on the byte)
  const at = r.pos;
  let v = -1;
  try {
    v = r.s32(33);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
  }
  if (v < 0) r.fail('integer representation too long', at + 1);
  return -(2 + v);
}

/**
 * Reads one instruction at r.pos into ins. Kept small (the common immediate
 * kinds inline, the rest in readImm) so that V8 optimises it early and
 * inlines it into the validator's loop.
 */
export function readInstr(r: Reader, ins: Instr): void {
  const start = r.pos;
  ins.offset = r.base + start;
  if (start >= r.end) r.fail(r.eofMessage);
  const op = r.bytes[start]!;
  r.pos = start + 1;
  let def = SINGLE[op];
  if (def === undefined) def = readPrefixed(r, op, start);
  ins.def = def;
  const k = KIND[def.id]!;
  if (ins.known !== null) return readOlder(r, ins, def, start, k);
  if (k === K_NONE) return;
  if (k === K_U32) ins.a = u32(r);
  else if (k === K_BLOCK) ins.blockType = readBlockType(r);
  else readImm(r, ins, k);
}

/** readInstr under a profile (Instr.known): its instructions only, and the immediates of 1.0 / 2.0 where they differ. */
function readOlder(r: Reader, ins: Instr, def: InstrDef, start: number, k: number): void {
  const known = ins.known!;
  if (known[def.id] === 0) {
    if (def.prefix === 0) r.fail(`illegal opcode ${hex2(def.code)}`, start);
    // a prefix none of whose instructions the standard has is itself an illegal opcode
    const any = PREFIXED[def.prefix]!.some((d) => d !== undefined && known[d.id] === 1);
    r.fail(any ? `illegal opcode ${hex2(def.prefix)} ${hex2(def.code)}` : `illegal opcode ${hex2(def.prefix)}`, start);
  }
  const v = ins.version;
  if (v < 3) {
    switch (def.imm) {
    case 'memory': // memory.size, memory.grow, memory.fill
      ins.a = reserved(r, v);
      return;
    case 'mem_mem':
      ins.a = reserved(r, v);
      ins.b = reserved(r, v);
      return;
    case 'data_mem':
      ins.a = u32(r);
      ins.b = reserved(r, v);
      return;
    case 'memarg':
    case 'memarg_lane': {
      // memarg ::= a:u32 o:u32: any alignment decodes, the validator bounds it by the natural alignment (the 2.0
      // reference interpreter reports an alignment above 32 as malformed; the specification does not)
      ins.a = r.u32();
      ins.b = 0;
      ins.offset64 = r.u32();
      if (def.imm === 'memarg_lane') ins.c = r.u8();
      return;
    }
    case 'call_indirect':
      ins.a = u32(r);
      ins.b = v === 1 ? reserved(r, v) : u32(r);
      return;
    case 'heaptype': {
      // ref.null t: a reference type of the standard (funcref or externref)
      const at = r.pos;
      const t = readRefType(r);
      olderType(r, at, t, v, false);
      ins.a = (t - REF_BASE) >> 1;
      return;
    }
    case 'blocktype': {
      const at = r.pos;
      ins.blockType = readBlockType(r);
      if (ins.blockType >= 0) olderType(r, at, ins.blockType, v, true);
      else if (ins.blockType < -1 && v === 1) r.fail('malformed value type', at);
      return;
    }
    case 'select_t': {
      const n = readVecLen(r);
      const types = ins.types;
      types.length = n;
      for (let i = 0; i < n; i++) {
        const at = r.pos;
        types[i] = olderType(r, at, readValType(r), v, true);
      }
      return;
    }
    }
  }
  if (k === K_NONE) return;
  if (k === K_U32) ins.a = u32(r);
  else readImm(r, ins, k);
}

/** A reserved byte where 3.0 has a memory or table index: 0x00 exactly. */
function reserved(r: Reader, version: number): 0 {
  const at = r.pos;
  if (r.u8() !== 0) r.fail(version === 1 ? 'zero flag expected' : 'zero byte expected', at);
  return 0;
}

/**
 * Checks a type read at `at` against an older standard: Wasm 1.0 has the number types only (and funcref tables),
 * 2.0 also v128, funcref and externref. `value` is true for value types (false: reference types). Errors are the
 * reference interpreter's for the byte that starts the type.
 */
export function olderType(r: Reader, at: number, t: ValType, version: number, value: boolean): ValType {
  if (table.typeInFormat(t, version, value)) return t;
  const b = r.bytes[at]!;
  if (version === 1) return r.fail(value ? 'malformed value type' : 'malformed element type', at);
  return r.fail(value && b > 0x70 && b < 0x7b ? 'malformed vector type' : 'malformed reference type', at);
}

/** The instruction after a prefix byte (0xfb-0xfe), or an illegal opcode. */
function readPrefixed(r: Reader, op: number, start: number): InstrDef {
  if (op >= 0xfb && op <= 0xfe) {
    const code = r.u32();
    const def = PREFIXED[op]![code];
    if (def === undefined) r.fail(`illegal opcode ${hex2(op)} ${hex2(code)}`, start);
    return def;
  }
  return r.fail(`illegal opcode ${hex2(op)}`, start);
}

/** The immediates of kind k (other than none, u32 and blocktype). */
function readImm(r: Reader, ins: Instr, k: number): void {
  switch (k) {
    case K_U32_U32:
      ins.a = u32(r);
      ins.b = u32(r);
      return;
    case K_MEMARG:
      readMemarg(r, ins);
      return;
    case K_MEMARG_LANE:
      readMemarg(r, ins);
      ins.c = r.u8();
      return;
    case K_I32:
      ins.a = r.s32(32) | 0;
      return;
    case K_I64:
      r.s64(ins);
      return;
    case K_F32:
      ins.a = r.bits32();
      return;
    case K_F64:
      ins.lo = r.bits32();
      ins.hi = r.bits32();
      return;
    case K_V128:
      ins.v128.set(r.take(16));
      return;
    case K_LANE:
      ins.a = r.u8();
      return;
    case K_BR_TABLE: {
      const n = readVecLen(r);
      const labels = ins.labels;
      labels.length = n;
      for (let i = 0; i < n; i++) labels[i] = u32(r);
      ins.a = u32(r);
      return;
    }
    case K_SELECT_T: {
      const n = readVecLen(r);
      const types = ins.types;
      types.length = n;
      for (let i = 0; i < n; i++) types[i] = readValType(r);
      return;
    }
    case K_HEAP:
      ins.a = readHeapType(r);
      return;
    case K_BR_ON_CAST: {
      const at = r.pos;
      const flags = r.u8();
      if (flags > 3) r.fail('malformed br_on_cast flags', at);
      ins.a = flags;
      ins.b = u32(r);
      ins.ht1 = readHeapType(r);
      ins.ht2 = readHeapType(r);
      return;
    }
    case K_TRY_TABLE: {
      ins.blockType = readBlockType(r);
      const n = readVecLen(r);
      const cs = ins.catches;
      cs.length = n;
      for (let i = 0; i < n; i++) {
        const at = r.pos;
        const kind = r.u8();
        if (kind > 3) r.fail('malformed catch clause', at);
        const tag = kind < 2 ? u32(r) : 0;
        const label = u32(r);
        const c = cs[i];
        if (c) {
          c.kind = kind as Catch['kind'];
          c.tag = tag;
          c.label = label;
        } else cs[i] = { kind: kind as Catch['kind'], tag, label };
      }
      return;
    }
    case K_ZERO: {
      const at = r.pos;
      if (r.u8() !== 0) r.fail('zero byte expected', at);
      return;
    }
  }
}

function readMemarg(r: Reader, ins: Instr): void {
  const at = r.pos;
  const flags = u32(r);
  if (flags >= 0x80) r.fail('malformed memop flags', at);
  if (flags & 0x40 && ins.multiMemory) {
    ins.a = flags & 0x3f;
    ins.b = u32(r);
  } else {
    ins.a = flags;
    ins.b = 0;
  }
  const p = r.pos;
  if (p < r.end && r.bytes[p]! < 0x80) {
    r.pos = p + 1;
    ins.offset64 = r.bytes[p]!;
  } else ins.offset64 = r.u64();
}
