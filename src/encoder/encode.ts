/**
 * Module -> binary. The inverse of decodeModule: every section of Wasm 3.0,
 * in the spec's order, with custom sections placed per `CustomSection.after`.
 *
 * Function bodies and constant expressions are already bytes in the
 * instruction encoding; they are copied as they are.
 */
import { Writer } from '../core/bytes.js';
import type {
  ConstExpr,
  CustomSection,
  DataSegment,
  ElemSegment,
  Export,
  Import,
  Module,
  NameSection,
} from '../core/module.js';
import { EXTERN_KIND_BYTE } from '../core/module.js';
import {
  CompKind,
  HEAP_CONCRETE,
  EXACT_HEAP,
  HEAP_TO_BYTE,
  HeapType,
  isRef,
  refHeap,
  refNullable,
  refType,
  type FieldType,
  type GlobalType,
  type MemType,
  type SubType,
  type TableType,
  type ValType,
} from '../core/types.js';

/** Section ids in the order the spec requires them (tag 13 between memory and global, data count 12 before code). */
export const SECTION_ORDER: readonly number[] = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];

const FUNCREF_NONNULL = refType(HeapType.func, false);
const FUNCREF = refType(HeapType.func, true);

// ---------------------------------------------------------------- types

export function writeHeapType(w: Writer, heap: number): void {
  if (heap >= EXACT_HEAP) {
    w.u8(0x62); // custom descriptors: exact heap type
    heap -= EXACT_HEAP;
  }
  if (heap >= HEAP_CONCRETE) {
    w.s32(heap - HEAP_CONCRETE); // s33, non-negative
    return;
  }
  const b = HEAP_TO_BYTE[heap];
  if (b === undefined) throw new RangeError(`encode: unknown heap type ${heap}`);
  w.u8(b);
}

export function writeValType(w: Writer, t: ValType): void {
  if (!isRef(t)) {
    w.u8(t);
    return;
  }
  const heap = refHeap(t);
  const nullable = refNullable(t);
  if (nullable && heap < HEAP_CONCRETE) {
    writeHeapType(w, heap); // short form: funcref = 0x70, ...
    return;
  }
  w.u8(nullable ? 0x63 : 0x64);
  writeHeapType(w, heap);
}

function writeField(w: Writer, f: FieldType): void {
  writeValType(w, f.type);
  w.u8(f.mutable ? 1 : 0);
}

function writeSubType(w: Writer, st: SubType): void {
  if (!(st.final && st.supers.length === 0)) {
    w.u8(st.final ? 0x4f : 0x50);
    w.u32(st.supers.length);
    for (const s of st.supers) w.u32(s);
  }
  if (st.describes !== undefined) w.u8(0x4c).u32(st.describes);
  if (st.descriptor !== undefined) w.u8(0x4d).u32(st.descriptor);
  const c = st.comp;
  switch (c.kind) {
    case CompKind.Func:
      w.u8(0x60);
      w.u32(c.params.length);
      for (const t of c.params) writeValType(w, t);
      w.u32(c.results.length);
      for (const t of c.results) writeValType(w, t);
      break;
    case CompKind.Struct:
      w.u8(0x5f);
      w.u32(c.fields.length);
      for (const f of c.fields) writeField(w, f);
      break;
    case CompKind.Array:
      w.u8(0x5e);
      writeField(w, c.field);
      break;
  }
}

function writeTypeSection(w: Writer, types: SubType[]): void {
  // Count rec groups first.
  let groups = 0;
  for (let i = 0; i < types.length; ) {
    const size = groupSize(types, i);
    groups++;
    i += size;
  }
  w.u32(groups);
  for (let i = 0; i < types.length; ) {
    const size = groupSize(types, i);
    if (size !== 1) {
      w.u8(0x4e);
      w.u32(size);
    }
    for (let k = 0; k < size; k++) writeSubType(w, types[i + k]!);
    i += size;
  }
}

/** Size of the rec group starting at index i (falls back to 1 for inconsistent metadata). */
function groupSize(types: SubType[], i: number): number {
  const t = types[i]!;
  if (t.recStart !== i) return 1;
  const size = t.recSize;
  if (size === 0 || i + size > types.length) return 1;
  return size;
}

function writeLimits(w: Writer, flags: number, min: number, max: number | null, is64: boolean): void {
  w.u8(flags);
  if (is64) w.u64(min);
  else w.u32(min);
  if (max !== null) {
    if (is64) w.u64(max);
    else w.u32(max);
  }
}

export function writeTableType(w: Writer, t: TableType): void {
  writeValType(w, t.elem);
  const is64 = t.addr === 'i64';
  const flags = (t.max !== null ? 0x01 : 0) | (is64 ? 0x04 : 0);
  writeLimits(w, flags, t.min, t.max, is64);
}

export function writeMemType(w: Writer, t: MemType): void {
  const is64 = t.addr === 'i64';
  const custom = t.pageSizeLog2 !== 16;
  const flags = (t.max !== null ? 0x01 : 0) | (t.shared ? 0x02 : 0) | (is64 ? 0x04 : 0) | (custom ? 0x08 : 0);
  writeLimits(w, flags, t.min, t.max, is64);
  if (custom) w.u32(t.pageSizeLog2);
}

export function writeGlobalType(w: Writer, t: GlobalType): void {
  writeValType(w, t.type);
  w.u8(t.mutable ? 1 : 0);
}

// ---------------------------------------------------------------- sections

function writeImport(w: Writer, imp: Import): void {
  w.name(imp.module);
  w.name(imp.name);
  const d = imp.desc;
  w.u8(d.kind === 'func' && d.exact === true ? 0x20 : EXTERN_KIND_BYTE[d.kind]);
  switch (d.kind) {
    case 'func':
      w.u32(d.typeIndex);
      break;
    case 'table':
      writeTableType(w, d.type);
      break;
    case 'memory':
      writeMemType(w, d.type);
      break;
    case 'global':
      writeGlobalType(w, d.type);
      break;
    case 'tag':
      w.u8(0x00);
      w.u32(d.typeIndex);
      break;
  }
}

function writeExport(w: Writer, e: Export): void {
  w.name(e.name);
  w.u8(EXTERN_KIND_BYTE[e.kind]);
  w.u32(e.index);
}

function writeExpr(w: Writer, e: ConstExpr): void {
  w.bytes(e.bytes);
}

/** If `e` is exactly `ref.func i end`, returns i; else -1. */
function refFuncIndex(e: ConstExpr): number {
  const b = e.bytes;
  if (b.length < 3 || b[0] !== 0xd2 || b[b.length - 1] !== 0x0b) return -1;
  let v = 0;
  let shift = 0;
  let p = 1;
  for (; p < b.length - 1; p++) {
    const x = b[p]!;
    if (p - 1 >= 5) return -1;
    v += (x & 0x7f) * 2 ** shift;
    shift += 7;
    if ((x & 0x80) === 0) {
      p++;
      break;
    }
  }
  if (p !== b.length - 1 || v > 0xffffffff) return -1;
  return v;
}

function writeElem(w: Writer, seg: ElemSegment): void {
  let indices: number[] | null = null;
  if (seg.type === FUNCREF_NONNULL) {
    indices = [];
    for (const e of seg.init) {
      const i = refFuncIndex(e);
      if (i < 0) {
        indices = null;
        break;
      }
      indices.push(i);
    }
  }
  const active = seg.mode === 'active';
  if (active && seg.offset === null) throw new RangeError('encode: active element segment without offset');
  if (indices) {
    if (active && seg.table === 0) {
      w.u8(0);
      writeExpr(w, seg.offset!);
    } else if (active) {
      w.u8(2);
      w.u32(seg.table);
      writeExpr(w, seg.offset!);
      w.u8(0x00);
    } else {
      w.u8(seg.mode === 'passive' ? 1 : 3);
      w.u8(0x00);
    }
    w.u32(indices.length);
    for (const i of indices) w.u32(i);
    return;
  }
  if (active && seg.table === 0 && seg.type === FUNCREF) {
    w.u8(4);
    writeExpr(w, seg.offset!);
  } else if (active) {
    w.u8(6);
    w.u32(seg.table);
    writeExpr(w, seg.offset!);
    writeValType(w, seg.type);
  } else {
    w.u8(seg.mode === 'passive' ? 5 : 7);
    writeValType(w, seg.type);
  }
  w.u32(seg.init.length);
  for (const e of seg.init) writeExpr(w, e);
}

function writeData(w: Writer, d: DataSegment): void {
  if (d.mode === 'passive') {
    w.u8(1);
  } else {
    if (d.offset === null) throw new RangeError('encode: active data segment without offset');
    if (d.memory === 0) {
      w.u8(0);
    } else {
      w.u8(2);
      w.u32(d.memory);
    }
    writeExpr(w, d.offset);
  }
  w.u32(d.bytes.length);
  w.bytes(d.bytes);
}

function writeNameMap(w: Writer, m: Map<number, string>): void {
  const keys = [...m.keys()].sort((a, b) => a - b);
  w.u32(keys.length);
  for (const k of keys) {
    w.u32(k);
    w.name(m.get(k)!);
  }
}

/** The payload (after the name "name") of a name section. */
export function encodeNameSection(n: NameSection): Uint8Array {
  const w = new Writer();
  if (n.module !== undefined) {
    const s = new Writer();
    s.name(n.module);
    w.u8(0).sized(s);
  }
  if (n.functions.size > 0) {
    const s = new Writer();
    writeNameMap(s, n.functions);
    w.u8(1).sized(s);
  }
  if (n.locals.size > 0) {
    const s = new Writer();
    const keys = [...n.locals.keys()].sort((a, b) => a - b);
    s.u32(keys.length);
    for (const k of keys) {
      s.u32(k);
      writeNameMap(s, n.locals.get(k)!);
    }
    w.u8(2).sized(s);
  }
  if (n.tags !== undefined && n.tags.size > 0) {
    const s = new Writer();
    writeNameMap(s, n.tags);
    w.u8(11).sized(s);
  }
  return w.finish();
}

function writeCustom(out: Writer, c: CustomSection): void {
  const s = new Writer();
  s.name(c.name);
  s.bytes(c.bytes);
  out.u8(0).sized(s);
}

function section(out: Writer, id: number, body: (w: Writer) => void): void {
  const s = new Writer();
  body(s);
  out.u8(id).sized(s);
}

export function encodeModule(m: Module): Uint8Array<ArrayBuffer> {
  const out = new Writer();
  out.bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

  const hasNameCustom = m.customs.some((c) => c.name === 'name');
  const customsAfter = (id: number): void => {
    for (const c of m.customs) if (c.after === id) writeCustom(out, c);
  };
  customsAfter(0);

  for (const id of SECTION_ORDER) {
    switch (id) {
      case 1:
        if (m.types.length > 0) section(out, 1, (w) => writeTypeSection(w, m.types));
        break;
      case 2:
        if (m.imports.length > 0)
          section(out, 2, (w) => {
            w.u32(m.imports.length);
            for (const i of m.imports) writeImport(w, i);
          });
        break;
      case 3:
        if (m.funcs.length > 0)
          section(out, 3, (w) => {
            w.u32(m.funcs.length);
            for (const t of m.funcs) w.u32(t);
          });
        break;
      case 4:
        if (m.tables.length > 0)
          section(out, 4, (w) => {
            w.u32(m.tables.length);
            for (const t of m.tables) {
              if (t.init !== null) {
                w.u8(0x40).u8(0x00);
                writeTableType(w, t.type);
                writeExpr(w, t.init);
              } else {
                writeTableType(w, t.type);
              }
            }
          });
        break;
      case 5:
        if (m.memories.length > 0)
          section(out, 5, (w) => {
            w.u32(m.memories.length);
            for (const t of m.memories) writeMemType(w, t);
          });
        break;
      case 13:
        if (m.tags.length > 0)
          section(out, 13, (w) => {
            w.u32(m.tags.length);
            for (const t of m.tags) w.u8(0).u32(t);
          });
        break;
      case 6:
        if (m.globals.length > 0)
          section(out, 6, (w) => {
            w.u32(m.globals.length);
            for (const g of m.globals) {
              writeGlobalType(w, g.type);
              writeExpr(w, g.init);
            }
          });
        break;
      case 7:
        if (m.exports.length > 0)
          section(out, 7, (w) => {
            w.u32(m.exports.length);
            for (const e of m.exports) writeExport(w, e);
          });
        break;
      case 8:
        if (m.start !== null) {
          const start = m.start;
          section(out, 8, (w) => w.u32(start));
        }
        break;
      case 9:
        if (m.elems.length > 0)
          section(out, 9, (w) => {
            w.u32(m.elems.length);
            for (const e of m.elems) writeElem(w, e);
          });
        break;
      case 12:
        if (m.dataCount !== null) {
          const n = m.dataCount;
          section(out, 12, (w) => w.u32(n));
        }
        break;
      case 10:
        if (m.codes.length > 0)
          section(out, 10, (w) => {
            w.u32(m.codes.length);
            for (const c of m.codes) {
              const f = new Writer();
              f.u32(c.locals.length);
              for (const l of c.locals) {
                f.u32(l.count);
                writeValType(f, l.type);
              }
              f.bytes(c.body);
              w.sized(f);
            }
          });
        break;
      case 11:
        if (m.datas.length > 0)
          section(out, 11, (w) => {
            w.u32(m.datas.length);
            for (const d of m.datas) writeData(w, d);
          });
        break;
    }
    customsAfter(id);
  }
  for (const c of m.customs) if (c.after !== 0 && !SECTION_ORDER.includes(c.after)) writeCustom(out, c);
  if (m.names !== null && !hasNameCustom) {
    writeCustom(out, { name: 'name', bytes: encodeNameSection(m.names), after: 11 });
  }
  // Writer.finish() slices a fresh ArrayBuffer.
  return out.finish() as Uint8Array<ArrayBuffer>;
}
