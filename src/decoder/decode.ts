/**
 * Binary -> Module, for every section of Wasm 3.0.
 *
 * Error messages and their precedence follow the reference interpreter, as
 * the testsuite's `assert_malformed` scripts expect them. In particular the
 * contents of a (non-custom) section are read with the module's end as the
 * limit, and the section size is checked afterwards ("section size
 * mismatch"), as the reference interpreter does; function bodies likewise.
 *
 * Function bodies are scanned with the instruction reader during decoding,
 * so malformed code is reported as a DecodeError; the bodies themselves stay
 * subarrays of the input.
 */
import { Reader, skipS32, skipU32, skipU64 } from '../core/bytes.js';
import { DecodeError } from '../core/errors.js';
import type {
  ConstExpr,
  CustomSection,
  DataSegment,
  ElemSegment,
  Export,
  ExternKind,
  FuncBody,
  GlobalDef,
  Import,
  LocalGroup,
  Module,
  NameSection,
  TableDef,
} from '../core/module.js';
import { emptyModule } from '../core/module.js';
import {
  CompKind,
  HeapType,
  I16,
  I8,
  refType,
  type CompType,
  type FieldType,
  type GlobalType,
  type MemType,
  type StorageType,
  type SubType,
  type TableType,
} from '../core/types.js';
import { SINGLE as SINGLE_IMPORT, addedOf, formatHas, formatOf, profileOf, type Features, type FeatureSpec } from '../core/instructions.js';
import * as instr from './instr.js';
import { Instr, olderType, readInstr, readRefType, readValType, setProfile } from './instr.js';

// Module-local copies of the tables used in the hot scan loop (imported
// bindings can be slow property loads under some module loaders).
const SINGLE = SINGLE_IMPORT;
const KIND = instr.KIND;
const K_NONE = instr.K_NONE;
const K_U32 = instr.K_U32;
const K_U32_U32 = instr.K_U32_U32;
const K_I32 = instr.K_I32;
const K_I64 = instr.K_I64;
const K_F32 = instr.K_F32;
const K_F64 = instr.K_F64;
const K_MEMARG = instr.K_MEMARG;

export interface DecodeOptions {
  /**
   * Accept the custom-page-sizes proposal's memory limits flag 0x08
   * (default: true unless `features['custom-page-sizes']` is false). The
   * core testsuite, which predates it, expects "malformed limits flags" for
   * that bit.
   */
  customPageSizes?: boolean;
  /**
   * Proposal switches (every one on unless set to false). The binary format
   * differs only for custom page sizes (a disabled feature makes the 0x08
   * limits flag malformed) and multi-memory (without it a memarg's flags are
   * all alignment, as in Wasm 2.0, so bit 6 is not "memory index follows");
   * every other disabled feature is rejected by the validator
   * (ValidateOptions.features), which sees the decoded module. A profile
   * ('1.0', '2.0', '3.0') reads that standard's binary format, with the
   * proposals of ADDABLE switched on added to it (1.0/2.0 + threads: the
   * shared flag of memory limits and the 0xfe instructions).
   */
  features?: FeatureSpec;
  /** Scan function bodies for malformed instructions while decoding (default true). */
  scanBodies?: boolean;
}

const SECTION_EOF = 'unexpected end of section or function';
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Position of each known section id in the required order (tag 13 after memory, data count 12 before code). */
const ORDER: number[] = [];
[1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11].forEach((id, i) => (ORDER[id] = i + 1));

const KIND_OF_BYTE: ExternKind[] = ['func', 'table', 'memory', 'global', 'tag'];
const REF_FUNC_NONNULL = refType(HeapType.func, false);
const FUNCREF = refType(HeapType.func, true);

// ---------------------------------------------------------------- primitives

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
 * A length (vector count, byte count, section size), checked as the
 * reference interpreter does: at most the bytes left counted from the length
 * field itself, else "length out of bounds".
 */
function len(r: Reader): number {
  const at = r.pos;
  const n = u32(r);
  if (n > r.end - at) r.fail('length out of bounds', at);
  return n;
}

/** A byte string's length: checked by len(), then the bytes must be there. */
function byteLen(r: Reader): number {
  const n = len(r);
  if (n > r.end - r.pos) r.fail(r.eofMessage, r.end);
  return n;
}

function readName(r: Reader): string {
  const at = r.pos;
  const n = byteLen(r);
  const start = r.pos;
  r.pos += n;
  // ASCII fast path
  const b = r.bytes;
  let ascii = true;
  for (let i = start; i < start + n; i++) {
    if (b[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    let s = '';
    for (let i = start; i < start + n; i++) s += String.fromCharCode(b[i]!);
    return s;
  }
  try {
    return utf8.decode(b.subarray(start, start + n));
  } catch {
    return r.fail('malformed UTF-8 encoding', at);
  }
}

// ---------------------------------------------------------------- types

function readStorageType(r: Reader): StorageType {
  const at = r.pos;
  const b = r.peek();
  if (b === I8 || b === I16) {
    r.pos++;
    return b;
  }
  try {
    return readValType(r);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    // the reference interpreter then tries a packed type on the same byte
    if (b & 0x80) r.fail('integer representation too long', at + 1);
    return r.fail('malformed storage type', at);
  }
}

function readFieldType(r: Reader): FieldType {
  const type = readStorageType(r);
  return { type, mutable: readMut(r) };
}

function readMut(r: Reader): boolean {
  const at = r.pos;
  const m = r.u8();
  if (m > 1) r.fail('malformed mutability', at);
  return m === 1;
}

function readCompType(r: Reader): CompType {
  const at = r.pos;
  const b = r.u8();
  if (b & 0x80) r.fail('integer representation too long', at + 1);
  switch (b) {
    case 0x60: {
      // (pushed into a literal: packed, of the map the validator's other type lists have, validate/ops.ts EMPTY)
      const np = len(r);
      const params: number[] = [];
      for (let i = 0; i < np; i++) params.push(readValType(r));
      const nr = len(r);
      const results: number[] = [];
      for (let i = 0; i < nr; i++) results.push(readValType(r));
      return { kind: CompKind.Func, params, results };
    }
    case 0x5f: {
      const n = len(r);
      const fields = new Array<FieldType>(n);
      for (let i = 0; i < n; i++) fields[i] = readFieldType(r);
      return { kind: CompKind.Struct, fields };
    }
    case 0x5e:
      return { kind: CompKind.Array, field: readFieldType(r) };
  }
  return r.fail('malformed definition type', at);
}

function readSubType(r: Reader, recStart: number, recSize: number): SubType {
  const b = r.peek();
  let final = true;
  let supers: number[] = [];
  if (b === 0x50 || b === 0x4f) {
    r.pos++;
    const n = len(r);
    supers = new Array<number>(n);
    for (let i = 0; i < n; i++) supers[i] = u32(r);
    final = b === 0x4f;
  }
  // custom descriptors: describes (0x4c) then descriptor (0x4d) clauses, at most one of each, in that order
  let describes: number | undefined;
  let descriptor: number | undefined;
  if (r.peek() === 0x4c) {
    r.pos++;
    describes = u32(r);
  }
  if (r.peek() === 0x4d) {
    r.pos++;
    descriptor = u32(r);
  }
  const st: SubType = { final, supers, comp: readCompType(r), recStart, recSize };
  if (describes !== undefined) st.describes = describes;
  if (descriptor !== undefined) st.descriptor = descriptor;
  return st;
}

/** A Wasm 1.0 / 2.0 function type: 0x60, then parameter and result types of the standard. */
function readOlderFuncType(r: Reader, fmt: number): CompType {
  const at = r.pos;
  const b = r.u8();
  if (b & 0x80) r.fail('integer representation too long', at + 1);
  if (b !== 0x60) r.fail('malformed function type', at);
  const vec = (): number[] => {
    const n = len(r);
    const ts: number[] = [];
    for (let i = 0; i < n; i++) {
      const tat = r.pos;
      ts.push(olderType(r, tat, readValType(r), fmt, true));
    }
    return ts;
  };
  const params = vec();
  return { kind: CompKind.Func, params, results: vec() };
}

function readTypeSection(r: Reader, m: Module, fmt: number): void {
  const n = len(r);
  for (let g = 0; g < n; g++) {
    const start = m.types.length;
    if (fmt < 3) m.types.push({ final: true, supers: [], comp: readOlderFuncType(r, fmt), recStart: start, recSize: 1 });
    else if (r.peek() === 0x4e) {
      r.pos++;
      const size = len(r);
      for (let i = 0; i < size; i++) m.types.push(readSubType(r, start, size));
    } else {
      m.types.push(readSubType(r, start, 1));
    }
  }
}

function readLimitsFlags(r: Reader, allowed: number): number {
  const at = r.pos;
  const flags = r.u8();
  if (flags & ~allowed) r.fail('malformed limits flags', at);
  return flags;
}

/**
 * Limits in Wasm 1.0 / 2.0: a has-max flag (vu1: 0 or 1) and u32 bounds. With `shared` (a memory's limits under
 * the threads proposal added to the profile) the flag is a byte whose bit 1 marks a shared memory (0x02, 0x03).
 */
function readOlderLimits(r: Reader, shared = false): { min: number; max: number | null; shared: boolean } {
  const at = r.pos;
  const flags = r.u8();
  if (shared) {
    if (flags & ~0x03) r.fail('malformed limits flags', at);
  } else {
    if ((flags & 0x7f) > 1) r.fail('integer too large', at);
    if (flags & 0x80) r.fail('integer representation too long', at + 1);
  }
  const min = r.u32();
  return { min, max: flags & 1 ? r.u32() : null, shared: (flags & 0x02) !== 0 };
}

// Limits are u64 in the binary for both address types (the validator checks the i32 range).
function readTableType(r: Reader, fmt: number): TableType {
  const at = r.pos;
  const elem = readRefType(r);
  if (fmt < 3) {
    olderType(r, at, elem, fmt, false);
    const { min, max } = readOlderLimits(r);
    return { elem, addr: 'i32', min, max };
  }
  const flags = readLimitsFlags(r, 0x05);
  const is64 = (flags & 0x04) !== 0;
  const min = r.u64();
  const max = flags & 1 ? r.u64() : null;
  return { elem, addr: is64 ? 'i64' : 'i32', min, max };
}

function readMemType(r: Reader, opts: DecodeOptions): MemType {
  if (formatOf(opts.features) < 3) return { addr: 'i32', ...readOlderLimits(r, formatHas(opts.features, 'threads')), pageSizeLog2: 16 };
  const custom = opts.customPageSizes ?? (profileOf(opts.features) === null && (opts.features as Features | undefined)?.['custom-page-sizes'] !== false);
  const flags = readLimitsFlags(r, custom ? 0x0f : 0x07);
  const is64 = (flags & 0x04) !== 0;
  const min = r.u64();
  const max = flags & 1 ? r.u64() : null;
  let pageSizeLog2 = 16;
  if (flags & 0x08) {
    const at = r.pos;
    pageSizeLog2 = r.u32();
    if (pageSizeLog2 >= 64) r.fail('invalid custom page size', at);
  }
  return { addr: is64 ? 'i64' : 'i32', min, max, shared: (flags & 0x02) !== 0, pageSizeLog2 };
}

function readGlobalType(r: Reader, fmt: number): GlobalType {
  const at = r.pos;
  const type = olderType(r, at, readValType(r), fmt, true);
  return { type, mutable: readMut(r) };
}

function readTagType(r: Reader): number {
  const at = r.pos;
  if (r.u8() !== 0) r.fail('zero byte expected', at);
  return u32(r);
}

// ---------------------------------------------------------------- code

/**
 * Reads a constant expression up to and including its `end` (structured, like the reference interpreter).
 * A module may hold millions of constant expressions (segment offsets, global initialisers), nearly all a few
 * bytes long and alike (`i32.const 0 end`): their bytes are shared (interned per decode) instead of a view of
 * the module each, and a plain `i32.const n end` with a one-byte immediate is read without the scan.
 */
function readConstExpr(r: Reader, st: ScanState): ConstExpr {
  const start = r.pos;
  return { bytes: readConstBytes(r, st), offset: start };
}

/** Reads a constant expression; returns its bytes (exprBytes), which start where `r` was. */
function readConstBytes(r: Reader, st: ScanState): Uint8Array {
  const start = r.pos;
  const b = r.bytes;
  if (start + 2 < r.end && b[start] === 0x41 && b[start + 1]! < 0x80 && b[start + 2] === 0x0b) {
    r.pos = start + 3;
  } else {
    const usesData = st.usesData; // only function bodies count for "data count section required"
    scanExpr(r, st);
    st.usesData = usesData;
  }
  return exprBytes(st, b, start, r.pos);
}

/** Expressions of at most this many bytes share their bytes (ScanState.exprs). */
const INTERN_MAX_LEN = 6;
/** Distinct short expressions kept per decode; beyond, each is a view of the module. */
const INTERN_MAX_COUNT = 4096;

/** The bytes of the expression at [start, end) of `b`: shared when short (never written to), else a view of `b`. */
function exprBytes(st: ScanState, b: Uint8Array, start: number, end: number): Uint8Array {
  const n = end - start;
  if (n > INTERN_MAX_LEN) return b.subarray(start, end);
  // the length and up to six bytes as one number below 2^53
  let key = n;
  for (let i = start, m = 8; i < end; i++, m *= 256) key += b[i]! * m;
  let e = st.exprs.get(key);
  if (e === undefined) {
    e = b.slice(start, end);
    if (st.exprs.size < INTERN_MAX_COUNT) st.exprs.set(key, e);
  }
  return e;
}

/** Scan state shared by the body scans of one decode. */
interface ScanState {
  ins: Instr;
  stack: number[];
  usesData: boolean;
  /** Short constant expressions' bytes by content (exprBytes). */
  exprs: Map<number, Uint8Array>;
  /** The last element segment without elements (emptySegment), shared by the equal ones that follow it. */
  lastEmpty: ElemSegment | null;
}

function scanState(opts: DecodeOptions): ScanState {
  const ins = new Instr();
  const f = opts.features;
  ins.multiMemory = !(typeof f === 'object' && f['multi-memory'] === false);
  setProfile(ins, profileOf(f), addedOf(f));
  return { ins, stack: [], usesData: false, exprs: new Map(), lastEmpty: null };
}

/**
 * Reads the instructions of an expression from r.pos up to its final `end`,
 * following the block structure the way the reference interpreter parses it
 * (so a missing `end` is found where it reports it). Common instructions are
 * skipped inline; anything unusual (prefixed opcodes, long or malformed
 * immediates, errors) goes through readInstr.
 */
function scanExpr(r: Reader, st: ScanState): void {
  const ins = st.ins;
  const stack = st.stack;
  stack.length = 0;
  const bytes = r.bytes;
  const end = r.end;
  // an older standard's format (Instr.known) reads every instruction through readInstr
  const fast = ins.known === null;
  let p = r.pos;
  for (;;) {
    if (p >= end) {
      r.pos = p;
      r.fail(r.eofMessage);
    }
    const op = bytes[p]!;
    switch (op) {
      case 0x0b:
        p++;
        if (stack.length === 0) {
          r.pos = p;
          return;
        }
        stack.pop();
        continue;
      case 0x05: // else
        if (stack.length === 0 || stack[stack.length - 1] !== 0x04) {
          r.pos = p;
          r.fail('END opcode expected', p);
        }
        stack[stack.length - 1] = 0x05;
        p++;
        continue;
      case 0x02:
      case 0x03:
      case 0x04: {
        stack.push(op);
        const bt = p + 1 < end ? bytes[p + 1]! : 0x80;
        if (fast && (bt === 0x40 || (bt >= 0x7b && bt <= 0x7f) || bt < 0x40)) {
          p += 2;
          continue;
        }
        break;
      }
      case 0x06:
      case 0x1f:
        stack.push(op);
        break;
      case 0x18: // delegate ends a try
        if (stack.length === 0) {
          r.pos = p;
          r.fail('END opcode expected', p);
        }
        r.pos = p;
        readInstr(r, ins);
        p = r.pos;
        stack.pop();
        continue;
    }
    if (op < 0xfb && fast) {
      const def = SINGLE[op];
      if (def !== undefined) {
        let q = -1;
        switch (KIND[def.id]) {
          case K_NONE:
            q = p + 1;
            break;
          case K_U32:
            q = skipU32(bytes, p + 1, end);
            break;
          case K_U32_U32:
            q = skipU32(bytes, p + 1, end);
            if (q >= 0) q = skipU32(bytes, q, end);
            break;
          case K_I32:
            q = skipS32(bytes, p + 1, end);
            break;
          case K_I64:
            q = skipU64(bytes, p + 1, end, true);
            break;
          case K_F32:
            q = p + 5 <= end ? p + 5 : -1;
            break;
          case K_F64:
            q = p + 9 <= end ? p + 9 : -1;
            break;
          case K_MEMARG:
            if (p + 1 < end && bytes[p + 1]! < 0x40) q = skipU64(bytes, p + 2, end, false);
            break;
        }
        if (q >= 0) {
          p = q;
          continue;
        }
      }
    }
    r.pos = p;
    readInstr(r, ins);
    p = r.pos;
    const imm = ins.def.imm;
    if (imm === 'data_mem' || imm === 'data' || imm === 'type_data') st.usesData = true;
  }
}

/**
 * The locals of a body that declares none: an empty array of the filled ones' map (`new Array(n)` with objects
 * stored, holey elements); a `new Array(0)` keeps small-integer elements, another map, and the translator's loop over
 * a body's locals, optimised on one, was thrown away at the other ("wrong map", once in sql.js' first run).
 */
const NO_LOCALS: LocalGroup[] = (() => {
  const a: LocalGroup[] = new Array(1);
  a[0] = { count: 0, type: 0 };
  a.length = 0;
  return a;
})();

function readCode(r: Reader, st: ScanState, scan: boolean): FuncBody {
  const size = len(r);
  const start = r.pos;
  const end = start + size;
  // locals
  const at = r.pos;
  const n = len(r);
  const locals: LocalGroup[] = n === 0 ? NO_LOCALS : new Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const count = u32(r);
    total += count;
    const tat = r.pos;
    locals[i] = { count, type: olderType(r, tat, readValType(r), st.ins.version, true) };
  }
  if (total > 0xffffffff) r.fail('too many locals', at);
  const bodyStart = r.pos;
  if (scan) {
    scanExpr(r, st);
    if (r.pos !== end) r.fail('section size mismatch', start);
  } else {
    if (bodyStart > end) r.fail('section size mismatch', start);
    if (end === bodyStart || r.bytes[end - 1] !== 0x0b) r.fail('END opcode expected', end);
    r.pos = end;
  }
  return { locals, body: r.bytes.subarray(bodyStart, end), offset: bodyStart };
}

// ---------------------------------------------------------------- segments

function refFuncExpr(idx: number, offset: number): ConstExpr {
  const out: number[] = [0xd2];
  let v = idx;
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  out.push(0x0b);
  return { bytes: Uint8Array.from(out), offset };
}

/** The init list of every empty element segment (a module may have millions); frozen, as nothing may add to it. */
const NO_ELEMS: ConstExpr[] = Object.freeze([]) as unknown as ConstExpr[];

/**
 * A segment without elements: the previous one (frozen) when it is equal to it, its offset expression's bytes shared
 * (exprBytes), else a new frozen one. A run of equal empty segments (the JS API's limits test has ten million) is one
 * object, its offset that of the run's first expression: the validator checks the run once, and an error in it is
 * the first segment's, at the offset it would be at if each had its own object.
 */
function emptySegment(st: ScanState, mode: ElemSegment['mode'], table: number, bytes: Uint8Array | null, at: number, type: number): ElemSegment {
  const last = st.lastEmpty;
  if (last !== null && last.mode === mode && last.table === table && last.type === type && (last.offset === null ? bytes === null : last.offset.bytes === bytes)) return last;
  const offset = bytes === null ? null : Object.freeze({ bytes, offset: at });
  return (st.lastEmpty = Object.freeze({ mode, table, offset, type, init: NO_ELEMS }));
}

function readElem(r: Reader, st: ScanState): ElemSegment {
  const at = r.pos;
  const flags = u32(r);
  // the offset expression: its ConstExpr is made only for a segment that is not an earlier one's (emptySegment)
  let offsetAt = -1;
  let offsetBytes: Uint8Array | null = null;
  if (st.ins.version === 1) {
    // Wasm 1.0: table index, offset, function indices
    offsetAt = r.pos;
    offsetBytes = readConstBytes(r, st);
    const n = len(r);
    if (n === 0) return emptySegment(st, 'active', flags, offsetBytes, offsetAt, REF_FUNC_NONNULL);
    st.lastEmpty = null;
    const init: ConstExpr[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const p = r.pos;
      init[i] = refFuncExpr(u32(r), p);
    }
    return { mode: 'active', table: flags, offset: { bytes: offsetBytes, offset: offsetAt }, type: REF_FUNC_NONNULL, init };
  }
  if (flags > 7) r.fail('malformed elements segment kind', at);
  let mode: ElemSegment['mode'];
  let table = 0;
  if (flags & 1) mode = flags & 2 ? 'declarative' : 'passive';
  else {
    mode = 'active';
    if (flags & 2) table = u32(r);
    offsetAt = r.pos;
    offsetBytes = readConstBytes(r, st);
  }
  const exprs = (flags & 4) !== 0;
  let type: number;
  if (flags & 3) {
    if (exprs) {
      const tat = r.pos;
      type = olderType(r, tat, readRefType(r), st.ins.version, false);
    } else {
      const kat = r.pos;
      if (r.u8() !== 0) r.fail('malformed element kind', kat);
      type = REF_FUNC_NONNULL;
    }
  } else type = exprs ? FUNCREF : REF_FUNC_NONNULL;
  const n = len(r);
  if (n === 0) return emptySegment(st, mode, table, offsetBytes, offsetAt, type);
  st.lastEmpty = null;
  const init: ConstExpr[] = new Array(n);
  for (let i = 0; i < n; i++) {
    if (exprs) init[i] = readConstExpr(r, st);
    else {
      const p = r.pos;
      init[i] = refFuncExpr(u32(r), p);
    }
  }
  const offset = offsetBytes === null ? null : { bytes: offsetBytes, offset: offsetAt };
  return { mode, table, offset, type, init };
}

function readData(r: Reader, st: ScanState): DataSegment {
  const at = r.pos;
  const flags = u32(r);
  // Wasm 1.0 has no flags: the first field is the memory index of an active segment
  const v1 = st.ins.version === 1;
  if (flags > 2 && !v1) r.fail('malformed data segment kind', at);
  let memory = v1 ? flags : 0;
  let offset: ConstExpr | null = null;
  if (flags !== 1 || v1) {
    if (flags === 2 && !v1) memory = u32(r);
    offset = readConstExpr(r, st);
  }
  const n = byteLen(r);
  const bytes = r.bytes.subarray(r.pos, r.pos + n);
  r.pos += n;
  return { mode: offset === null ? 'passive' : 'active', memory, offset, bytes };
}

// ---------------------------------------------------------------- names

function readNameMap(r: Reader, out: Map<number, string>): void {
  const n = len(r);
  for (let i = 0; i < n; i++) {
    const idx = u32(r);
    out.set(idx, readName(r));
  }
}

/** Parses a name section payload; tolerant: stops at the first malformed subsection, keeping what was read. */
export function parseNameSection(bytes: Uint8Array, base = 0): NameSection {
  const names: NameSection = { functions: new Map(), locals: new Map() };
  const r = new Reader(bytes, 0, bytes.length, base);
  try {
    while (!r.atEnd()) {
      const id = r.u8();
      const size = len(r);
      const sub = new Reader(bytes, r.pos, r.pos + size, base);
      r.pos += size;
      if (id === 0) names.module = readName(sub);
      else if (id === 1) readNameMap(sub, names.functions);
      else if (id === 2) {
        const n = len(sub);
        for (let i = 0; i < n; i++) {
          const f = u32(sub);
          const m = new Map<number, string>();
          readNameMap(sub, m);
          names.locals.set(f, m);
        }
      } else if (id === 11) readNameMap(sub, (names.tags = new Map()));
    }
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
  }
  return names;
}

// ---------------------------------------------------------------- module

export function decodeModule(bytes: Uint8Array, opts: DecodeOptions = {}): Module {
  const top = new Reader(bytes);
  top.eofMessage = 'unexpected end';
  if (bytes.length < 4) top.fail('unexpected end', bytes.length);
  if (bytes[0] !== 0x00 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) top.fail('magic header not detected', 0);
  if (bytes.length < 8) top.fail('unexpected end', bytes.length);
  if (bytes[4] !== 1 || bytes[5] !== 0 || bytes[6] !== 0 || bytes[7] !== 0) top.fail('unknown binary version', 4);


  const m: Module = emptyModule();

  const scan = opts.scanBodies !== false;
  const st = scanState(opts);
  const fmt = st.ins.version;
  // the last section id of the standard: 11 (data) in 1.0, 12 (data count) in 2.0, 13 (tag) in 3.0
  const lastSectionId = fmt === 1 ? 11 : fmt === 2 ? 12 : 13;
  let lastOrder = 0;
  let lastId = 0;
  let sawFuncSection = false;
  let sawCodeSection = false;

  // Section contents are read with the module's end as the limit, like the reference interpreter.
  const r = new Reader(bytes);
  r.eofMessage = SECTION_EOF;
  r.pos = 8;

  while (r.pos < bytes.length) {
    const idAt = r.pos;
    const id = r.u8();
    if (id > lastSectionId) r.fail('malformed section id', idAt);
    const size = len(r);
    const start = r.pos;
    const end = start + size;

    if (id === 0) {
      // len() lets a size run past the module by up to its own LEB128 length; the reference interpreter then
      // fails skipping the payload (a non-custom section fails its size check below)
      const name = readName(r);
      if (r.pos > end) r.fail(SECTION_EOF, end);
      if (end > bytes.length) r.fail(SECTION_EOF, bytes.length);
      const payload = bytes.subarray(r.pos, end);
      const c: CustomSection = { name, bytes: payload, after: lastId };
      m.customs.push(c);
      if (name === 'name' && m.names === null) m.names = parseNameSection(payload, r.pos);
      r.pos = end;
      continue;
    }
    const ord = ORDER[id]!;
    if (ord <= lastOrder) r.fail('unexpected content after last section', idAt);
    lastOrder = ord;
    lastId = id;

    switch (id) {
      case 1:
        readTypeSection(r, m, fmt);
        break;
      case 2: {
        const n = len(r);
        for (let i = 0; i < n; i++) {
          const module = readName(r);
          const name = readName(r);
          const kat = r.pos;
          const kind = r.u8();
          let imp: Import;
          switch (kind) {
            case 0:
              imp = { module, name, desc: { kind: 'func', typeIndex: u32(r) } };
              break;
            case 0x20:
              // custom descriptors: an exact function import
              if (fmt < 3) return r.fail('malformed import kind', kat);
              imp = { module, name, desc: { kind: 'func', typeIndex: u32(r), exact: true } };
              break;
            case 1:
              imp = { module, name, desc: { kind: 'table', type: readTableType(r, fmt) } };
              break;
            case 2:
              imp = { module, name, desc: { kind: 'memory', type: readMemType(r, opts) } };
              break;
            case 3:
              imp = { module, name, desc: { kind: 'global', type: readGlobalType(r, fmt) } };
              break;
            case 4:
              if (fmt < 3) return r.fail('malformed import kind', kat);
              imp = { module, name, desc: { kind: 'tag', typeIndex: readTagType(r) } };
              break;
            default:
              return r.fail('malformed import kind', kat);
          }
          m.imports.push(imp);
        }
        break;
      }
      case 3: {
        sawFuncSection = true;
        const n = len(r);
        for (let i = 0; i < n; i++) m.funcs.push(u32(r));
        break;
      }
      case 4: {
        const n = len(r);
        for (let i = 0; i < n; i++) {
          let t: TableDef;
          if (r.peek() === 0x40 && fmt === 3) {
            // 0x40 0x00 tabletype expr; on failure the reference interpreter retries a plain tabletype at 0x40
            const tat = r.pos;
            try {
              r.pos++;
              if (r.u8() !== 0) r.fail('zero byte expected');
              const type = readTableType(r, fmt);
              t = { type, init: readConstExpr(r, st) };
            } catch (e) {
              if (!(e instanceof DecodeError)) throw e;
              return r.fail('malformed reference type', tat);
            }
          } else t = { type: readTableType(r, fmt), init: null };
          m.tables.push(t);
        }
        break;
      }
      case 5: {
        const n = len(r);
        for (let i = 0; i < n; i++) m.memories.push(readMemType(r, opts));
        break;
      }
      case 13: {
        const n = len(r);
        for (let i = 0; i < n; i++) m.tags.push(readTagType(r));
        break;
      }
      case 6: {
        const n = len(r);
        for (let i = 0; i < n; i++) {
          const type = readGlobalType(r, fmt);
          const g: GlobalDef = { type, init: readConstExpr(r, st) };
          m.globals.push(g);
        }
        break;
      }
      case 7: {
        const n = len(r);
        for (let i = 0; i < n; i++) {
          const name = readName(r);
          const kat = r.pos;
          const kb = r.u8();
          const kind = KIND_OF_BYTE[kb];
          if (kind === undefined || (kb > 3 && fmt < 3)) return r.fail('malformed export kind', kat);
          const e: Export = { name, kind, index: u32(r) };
          m.exports.push(e);
        }
        break;
      }
      case 8:
        m.start = u32(r);
        break;
      case 9: {
        const n = len(r);
        for (let i = 0; i < n; i++) m.elems.push(readElem(r, st));
        break;
      }
      case 12:
        m.dataCount = u32(r);
        break;
      case 10: {
        sawCodeSection = true;
        const n = len(r);
        for (let i = 0; i < n; i++) m.codes.push(readCode(r, st, scan));
        break;
      }
      case 11: {
        const n = len(r);
        for (let i = 0; i < n; i++) m.datas.push(readData(r, st));
        break;
      }
    }
    if (r.pos !== end) r.fail('section size mismatch', start);
  }

  if (m.funcs.length !== m.codes.length || (sawFuncSection && m.funcs.length > 0 && !sawCodeSection))
    throw new DecodeError('function and code section have inconsistent lengths', bytes.length);
  if (m.dataCount !== null && m.dataCount !== m.datas.length)
    throw new DecodeError('data count and data section have inconsistent lengths', bytes.length);
  if (m.dataCount === null && st.usesData) throw new DecodeError('data count section required', bytes.length);
  return m;
}

/**
 * Scans the body of defined function i for malformed instructions (for
 * modules decoded with `scanBodies: false`; `opts.features` as given to the
 * decoder). Throws a DecodeError.
 */
export function scanBody(m: Module, i: number, opts: DecodeOptions = {}): void {
  const c = m.codes[i];
  if (!c) throw new RangeError(`scanBody: no function body ${i}`);
  const base = c.offset < 0 ? 0 : c.offset;
  const r = new Reader(c.body, 0, c.body.length, base);
  r.eofMessage = SECTION_EOF;
  const st = scanState(opts);
  scanExpr(r, st);
  if (r.pos !== c.body.length) r.fail('section size mismatch', 0);
}
