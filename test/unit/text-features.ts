/**
 * Test helper (not a test file): decides whether a parsed Module uses only
 * WebAssembly features that Node 20's engine supports, by inspecting its
 * types and walking the encoded instruction bytes of every body and
 * constant expression. The walk also checks that each byte sequence is a
 * well-formed instruction sequence per the instruction table.
 */
import { lookup, type Feature } from '../../src/core/instructions.js';
import type { ConstExpr, Module } from '../../src/core/module.js';
import {
  CompKind,
  EXTERNREF,
  F32,
  F64,
  FUNCREF,
  I32,
  I64,
  HeapType,
  V128,
  refType,
  type ValType,
} from '../../src/core/types.js';

const FUNC_NONNULL = refType(HeapType.func, false);

/** Instruction features Node 20 (V8 11.3) enables by default. */
const NODE20: ReadonlySet<Feature> = new Set<Feature>([
  'mvp',
  'sign-ext',
  'sat-conv',
  'multi-value',
  'bulk-memory',
  'reference-types',
  'simd',
  'tail-call',
  'legacy-exceptions',
  'threads',
]);

const NODE_VALTYPES = new Set<ValType>([I32, I64, F32, F64, V128, FUNCREF, EXTERNREF]);

class Unsupported extends Error {}

function need(ok: boolean, what: string): void {
  if (!ok) throw new Unsupported(what);
}

/** Byte cursor over an instruction sequence. */
class Walk {
  p = 0;
  constructor(readonly b: Uint8Array) {}
  u8(): number {
    if (this.p >= this.b.length) throw new Error('walk: unexpected end');
    return this.b[this.p++]!;
  }
  leb(): bigint {
    let r = 0n;
    let s = 0n;
    for (;;) {
      const x = this.u8();
      r |= BigInt(x & 0x7f) << s;
      s += 7n;
      if ((x & 0x80) === 0) return r;
    }
  }
  u32(): number {
    return Number(this.leb());
  }
  /** s33 / heap type: returns the raw first byte when it is a one-byte negative code, else the index. */
  s33(): { neg: number | null; index: number } {
    const first = this.b[this.p]!;
    if ((first & 0x80) === 0 && (first & 0x40) !== 0) {
      this.p++;
      return { neg: first, index: -1 };
    }
    return { neg: null, index: this.u32() };
  }
  heap(): void {
    const h = this.s33();
    // only func (0x70) / extern (0x6f) exist in Node 20
    need(h.neg === 0x70 || h.neg === 0x6f, 'heap type');
  }
  valType(): void {
    const t = this.u8();
    if (t === 0x63 || t === 0x64) {
      this.s33();
      throw new Unsupported('typed reference');
    }
    need([0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f].includes(t), 'value type');
  }
  blockType(): void {
    const first = this.b[this.p]!;
    if (first === 0x40) {
      this.p++;
      return;
    }
    if (first === 0x63 || first === 0x64 || ((first & 0x80) === 0 && (first & 0x40) !== 0)) {
      this.valType();
      return;
    }
    this.u32(); // type index (multi-value)
  }
}

function walkCode(bytes: Uint8Array, constExpr: boolean, m: Module): void {
  const w = new Walk(bytes);
  while (w.p < bytes.length) {
    const op = w.u8();
    const prefix = op === 0xfb || op === 0xfc || op === 0xfd || op === 0xfe ? op : 0;
    const code = prefix ? w.u32() : op;
    const d = lookup(prefix, code);
    if (!d) throw new Error(`walk: unknown opcode ${prefix.toString(16)}:${code}`);
    if (!NODE20.has(d.feature) && d.name !== 'throw') throw new Unsupported(d.name);
    if (constExpr && ['i32.add', 'i32.sub', 'i32.mul', 'i64.add', 'i64.sub', 'i64.mul'].includes(d.name)) {
      throw new Unsupported('extended-const');
    }
    switch (d.imm) {
      case 'none':
      case 'select_t':
        if (d.imm === 'select_t') {
          const n = w.u32();
          for (let i = 0; i < n; i++) w.valType();
        }
        break;
      case 'blocktype':
        w.blockType();
        break;
      case 'label':
      case 'func':
      case 'type':
      case 'local':
      case 'table':
      case 'data':
      case 'elem':
      case 'tag':
        w.u32();
        break;
      case 'global': {
        const g = w.u32();
        if (constExpr) {
          const imported = m.imports.filter((i) => i.desc.kind === 'global').length;
          need(g < imported, 'global.get of a defined global in a constant expression');
        }
        break;
      }
      case 'memory':
        need(w.u32() === 0, 'multi-memory');
        break;
      case 'br_table': {
        const n = w.u32();
        for (let i = 0; i <= n; i++) w.u32();
        break;
      }
      case 'call_indirect':
      case 'type_field':
      case 'type_u32':
      case 'type_data':
      case 'type_elem':
      case 'type_type':
      case 'data_mem':
      case 'elem_table':
      case 'table_table':
        w.u32();
        w.u32();
        break;
      case 'mem_mem': {
        const a = w.u32();
        const b = w.u32();
        need(a === 0 && b === 0, 'multi-memory');
        break;
      }
      case 'memarg':
      case 'memarg_lane': {
        const flags = w.u32();
        if (flags & 0x40) need(w.u32() === 0, 'multi-memory');
        w.leb();
        if (d.imm === 'memarg_lane') w.u8();
        break;
      }
      case 'i32':
      case 'i64':
        w.leb();
        break;
      case 'f32':
        w.p += 4;
        break;
      case 'f64':
        w.p += 8;
        break;
      case 'v128':
      case 'shuffle':
        w.p += 16;
        break;
      case 'lane':
      case 'zero':
        w.u8();
        break;
      case 'heaptype':
      case 'cast':
        w.heap();
        break;
      case 'br_on_cast':
        w.u8();
        w.u32();
        w.heap();
        w.heap();
        break;
      case 'try_table': {
        w.blockType();
        const n = w.u32();
        for (let i = 0; i < n; i++) {
          const k = w.u8();
          if (k < 2) w.u32();
          w.u32();
        }
        break;
      }
    }
  }
  if (w.p !== bytes.length) throw new Error('walk: overrun');
  if (bytes[bytes.length - 1] !== 0x0b) throw new Error('walk: missing end');
}

/**
 * null when every feature the module uses is supported by Node 20;
 * otherwise the first unsupported feature found. Throws on malformed code bytes.
 */
export function node20Unsupported(m: Module): string | null {
  try {
    const vt = (t: ValType, what: string): void => need(NODE_VALTYPES.has(t), what);
    for (const t of m.types) {
      need(t.recSize === 1 && t.final && t.supers.length === 0 && t.comp.kind === CompKind.Func, 'gc types');
      if (t.comp.kind === CompKind.Func) for (const x of [...t.comp.params, ...t.comp.results]) vt(x, 'typed refs in signature');
    }
    let memories = m.memories.length;
    for (const i of m.imports) {
      const d = i.desc;
      if (d.kind === 'table') {
        vt(d.type.elem, 'table type');
        need(d.type.addr === 'i32', 'table64');
      } else if (d.kind === 'memory') {
        memories++;
        need(d.type.addr === 'i32', 'memory64');
        need(d.type.pageSizeLog2 === 16, 'custom page sizes');
      } else if (d.kind === 'global') vt(d.type.type, 'global type');
      else if (d.kind === 'func') need(d.exact !== true, 'exact function import');
    }
    need(memories <= 1, 'multi-memory');
    for (const mem of m.memories) {
      need(mem.addr === 'i32', 'memory64');
      need(mem.pageSizeLog2 === 16, 'custom page sizes');
    }
    const ce = (e: ConstExpr | null): void => {
      if (e) walkCode(e.bytes, true, m);
    };
    for (const t of m.tables) {
      vt(t.type.elem, 'table type');
      need(t.type.addr === 'i32', 'table64');
      need(t.init === null, 'table initializer');
    }
    for (const g of m.globals) {
      vt(g.type.type, 'global type');
      ce(g.init);
    }
    for (const e of m.elems) {
      // `func x*` lists are (ref func) in Wasm 3.0 but encode as the MVP form
      if (e.type !== FUNCREF && e.type !== EXTERNREF && e.type !== FUNC_NONNULL) need(false, 'elem type');
      ce(e.offset);
      e.init.forEach(ce);
    }
    for (const d of m.datas) ce(d.offset);
    for (const c of m.codes) {
      for (const l of c.locals) vt(l.type, 'local type');
      walkCode(c.body, false, m);
    }
    return null;
  } catch (e) {
    if (e instanceof Unsupported) return e.message;
    throw e;
  }
}
