/**
 * One plain (non-block) instruction of the text format, its name already
 * read: the opcode and the immediates its instruction-table row's `imm` kind
 * selects, written as binary; with the label, local, memarg, lane and
 * numeric-literal readers they use (see context.ts for the parser's layers).
 */
import { BY_NAME, profileHas, type InstrDef } from '../core/instructions.js';
import { refHeap, refNullable, type ValType } from '../core/types.js';
import type { Buf } from './buf.js';
import { Sp } from './context.js';
import { Tok } from './lexer.js';
import { NumError, parseF32, parseF64, parseI32, parseI64, parseIntBits, parseNat } from './numbers.js';
import { TypeParser, writeHeap, writeValType } from './type-parser.js';


export class InstrParser extends TypeParser {
  labelIdx(): number {
    const k = this.kinds[this.p];
    if (k === Tok.Id) {
      const n = this.lx.idName(this.p);
      const ls = this.labels;
      for (let i = ls.length - 1; i >= 0; i--) {
        if (ls[i] === n) {
          this.p++;
          return ls.length - 1 - i;
        }
      }
      this.err(`unknown label $${n}`);
    }
    if (this.isNat()) return this.u32();
    return this.err('unexpected token');
  }
  private localIdx(): number {
    const k = this.kinds[this.p];
    if (k === Tok.Id) {
      const n = this.lx.idName(this.p);
      const v = this.locals.get(n);
      if (v === undefined) this.err(`unknown local $${n}`);
      this.p++;
      return v;
    }
    if (this.isNat()) return this.u32();
    return this.err('unexpected token');
  }

  private emitOp(d: InstrDef, out: Buf): void {
    if (d.prefix === 0) out.u8(d.code);
    else {
      out.u8(d.prefix);
      out.u32(d.code);
    }
  }

  /** A non-block instruction (name already consumed): opcode and immediates. */
  protected op(name: string, out: Buf): void {
    const defs = BY_NAME.get(name);
    const profile = this.lx.profile;
    if (!defs || (profile !== null && !defs.some((x) => profileHas(profile, x.feature) || this.lx.added.includes(x.feature)))) {
      return this.err('unknown operator', this.p - 1);
    }
    let d = defs[0]!;
    switch (d.imm) {
      case 'none':
        if (name === 'select') {
          // select with result types uses the 0x1c encoding
          if (this.isField('result')) {
            const types: ValType[] = [];
            while (this.isField('result')) {
              this.p += 2;
              while (this.kinds[this.p] !== Tok.RParen) types.push(this.valType());
              this.p++;
            }
            d = defs.find((x) => x.imm === 'select_t') ?? d;
            this.emitOp(d, out);
            out.u32(types.length);
            for (const t of types) writeValType(out, t);
            return;
          }
        }
        this.emitOp(d, out);
        return;
      case 'blocktype':
      case 'try_table':
        return this.err('unexpected token', this.p - 1);
      case 'label':
        this.emitOp(d, out);
        out.u32(this.labelIdx());
        return;
      case 'br_table': {
        const ls: number[] = [];
        while (this.isIdx()) ls.push(this.labelIdx());
        if (ls.length === 0) this.err('unexpected token');
        this.emitOp(d, out);
        out.u32(ls.length - 1);
        for (const l of ls) out.u32(l);
        return;
      }
      case 'func':
        this.emitOp(d, out);
        out.u32(this.idx(Sp.Func));
        return;
      case 'call_indirect': {
        const table = this.optIdx(Sp.Table);
        const tu = this.typeUse(false);
        this.emitOp(d, out);
        out.u32(tu.index);
        out.u32(table);
        return;
      }
      case 'type':
        this.emitOp(d, out);
        out.u32(this.idx(Sp.Type));
        return;
      case 'local':
        this.emitOp(d, out);
        out.u32(this.localIdx());
        return;
      case 'global':
        this.emitOp(d, out);
        out.u32(this.idx(Sp.Global));
        return;
      case 'table':
        this.emitOp(d, out);
        out.u32(this.optIdx(Sp.Table));
        return;
      case 'memory':
        this.emitOp(d, out);
        out.u32(this.optMemIdx());
        return;
      case 'memarg': {
        const mem = this.optMemIdx();
        this.emitOp(d, out);
        this.memarg(d, mem, out);
        return;
      }
      case 'memarg_lane': {
        // memidx? memarg lane: a leading index is the memory only when another index/memarg follows
        // (none in Wasm 1.0 / 2.0 text)
        let mem = 0;
        const multi = !this.older();
        if (multi && this.kinds[this.p] === Tok.Id) mem = this.idx(Sp.Mem);
        else if (multi && this.isNat() && (this.isNat(this.p + 1) || this.isMemargKw(this.p + 1))) mem = this.idx(Sp.Mem);
        this.emitOp(d, out);
        this.memarg(d, mem, out);
        out.u8(this.laneIdx());
        return;
      }
      case 'i32': {
        this.emitOp(d, out);
        out.s32(this.i32Lit());
        return;
      }
      case 'i64':
        this.emitOp(d, out);
        out.s64(this.i64Lit());
        return;
      case 'f32':
        this.emitOp(d, out);
        out.bits32(this.f32Lit());
        return;
      case 'f64':
        this.emitOp(d, out);
        out.bits64(this.f64Lit());
        return;
      case 'v128':
        this.emitOp(d, out);
        out.bytes(this.v128Lit());
        return;
      case 'shuffle': {
        this.emitOp(d, out);
        let n = 0;
        while (this.kinds[this.p + n] === Tok.Atom) n++;
        if (n !== 16) this.err('invalid lane length', this.p + Math.min(n, 16));
        for (let i = 0; i < 16; i++) {
          const v = parseNat(this.text());
          if (v === null || v > 255n) this.err('i8 constant out of range');
          this.p++;
          out.u8(Number(v));
        }
        return;
      }
      case 'lane':
        this.emitOp(d, out);
        out.u8(this.laneIdx());
        return;
      case 'select_t':
        this.emitOp(d, out);
        return;
      case 'heaptype':
        this.emitOp(d, out);
        writeHeap(out, this.heapType());
        return;
      case 'cast': {
        const rt = this.refType();
        const nullable = refNullable(rt);
        // two encodings: the higher opcode is the nullable form (ref.test 20/21, ref.cast 22/23)
        for (const x of defs) if (nullable ? x.code > d.code : x.code < d.code) d = x;
        this.emitOp(d, out);
        writeHeap(out, refHeap(rt));
        return;
      }
      case 'br_on_cast': {
        const l = this.labelIdx();
        const t1 = this.refType();
        const t2 = this.refType();
        this.emitOp(d, out);
        out.u8((refNullable(t1) ? 1 : 0) | (refNullable(t2) ? 2 : 0));
        out.u32(l);
        writeHeap(out, refHeap(t1));
        writeHeap(out, refHeap(t2));
        return;
      }
      case 'type_field': {
        const t = this.idx(Sp.Type);
        let f: number;
        if (this.kinds[this.p] === Tok.Id) {
          const n = this.lx.idName(this.p);
          const v = this.fieldNames[t]?.get(n);
          if (v === undefined) this.err(`unknown field $${n}`);
          this.p++;
          f = v;
        } else f = this.u32();
        this.emitOp(d, out);
        out.u32(t);
        out.u32(f);
        return;
      }
      case 'type_u32': {
        const t = this.idx(Sp.Type);
        const n = this.u32();
        this.emitOp(d, out);
        out.u32(t);
        out.u32(n);
        return;
      }
      case 'type_data': {
        const t = this.idx(Sp.Type);
        const x = this.idx(Sp.Data);
        this.usesData = true;
        this.emitOp(d, out);
        out.u32(t);
        out.u32(x);
        return;
      }
      case 'type_elem': {
        const t = this.idx(Sp.Type);
        const x = this.idx(Sp.Elem);
        this.emitOp(d, out);
        out.u32(t);
        out.u32(x);
        return;
      }
      case 'type_type': {
        const t = this.idx(Sp.Type);
        const u = this.idx(Sp.Type);
        this.emitOp(d, out);
        out.u32(t);
        out.u32(u);
        return;
      }
      case 'data_mem': {
        let mem = 0;
        if (this.isIdx(this.p + 1) && !this.older()) mem = this.idx(Sp.Mem);
        const x = this.idx(Sp.Data);
        this.usesData = true;
        this.emitOp(d, out);
        out.u32(x);
        out.u32(mem);
        return;
      }
      case 'data':
        this.usesData = true;
        this.emitOp(d, out);
        out.u32(this.idx(Sp.Data));
        return;
      case 'mem_mem': {
        let a = 0;
        let b = 0;
        if (this.isIdx() && !this.older()) {
          a = this.idx(Sp.Mem);
          b = this.idx(Sp.Mem);
        }
        this.emitOp(d, out);
        out.u32(a);
        out.u32(b);
        return;
      }
      case 'elem_table': {
        let table = 0;
        if (this.isIdx(this.p + 1)) table = this.idx(Sp.Table);
        const x = this.idx(Sp.Elem);
        this.emitOp(d, out);
        out.u32(x);
        out.u32(table);
        return;
      }
      case 'elem':
        this.emitOp(d, out);
        out.u32(this.idx(Sp.Elem));
        return;
      case 'table_table': {
        let a = 0;
        let b = 0;
        if (this.isIdx()) {
          a = this.idx(Sp.Table);
          b = this.idx(Sp.Table);
        }
        this.emitOp(d, out);
        out.u32(a);
        out.u32(b);
        return;
      }
      case 'tag':
        this.emitOp(d, out);
        out.u32(this.idx(Sp.Tag));
        return;
      case 'zero':
        this.emitOp(d, out);
        out.u8(0);
        return;
    }
    const never: never = d.imm;
    void never;
  }

  private isMemargKw(i: number): boolean {
    if (this.kinds[i] !== Tok.Atom) return false;
    const src = this.lx.src;
    const s = this.starts[i]!;
    return src[s] === 0x6f || src[s] === 0x61 ? /^(offset|align)=/.test(this.lx.text(i)) : false;
  }

  private memarg(d: InstrDef, mem: number, out: Buf): void {
    let offset = 0n;
    let log2 = d.bytes > 0 ? 31 - Math.clz32(d.bytes) : 0;
    if (this.kinds[this.p] === Tok.Atom) {
      let t = this.text();
      if (t.startsWith('offset=')) {
        const v = parseNat(t.slice(7));
        if (v === null) this.err('unexpected token');
        if (v > 0xffffffffffffffffn) this.err('i64 constant out of range');
        if (v > 0xffffffffn && this.older()) this.err('i32 constant out of range');
        offset = v;
        this.p++;
        t = this.kinds[this.p] === Tok.Atom ? this.text() : '';
      }
      if (t.startsWith('align=')) {
        const v = parseNat(t.slice(6));
        if (v === null) this.err('unexpected token');
        if (v === 0n || (v & (v - 1n)) !== 0n || v > 1n << 63n) this.err('alignment must be a power of two');
        log2 = v.toString(2).length - 1;
        this.p++;
      }
    }
    if (mem !== 0) {
      out.u32(log2 | 0x40);
      out.u32(mem);
    } else out.u32(log2);
    out.u64(offset);
  }

  private laneIdx(): number {
    if (!this.isNat()) this.err('unexpected token');
    const v = parseNat(this.text());
    if (v === null) this.err('unexpected token');
    if (v > 255n) this.err('i8 constant out of range');
    this.p++;
    return Number(v);
  }

  private numErr(e: unknown): never {
    if (e instanceof NumError) this.err(e.message);
    throw e;
  }
  i32Lit(): number {
    if (this.kinds[this.p] !== Tok.Atom) this.err('unexpected token');
    let v: number | null;
    try {
      v = parseI32(this.text());
    } catch (e) {
      return this.numErr(e);
    }
    if (v === null) this.err('unexpected token');
    this.p++;
    return v;
  }
  i64Lit(): bigint {
    if (this.kinds[this.p] !== Tok.Atom) this.err('unexpected token');
    let v: bigint | null;
    try {
      v = parseI64(this.text());
    } catch (e) {
      return this.numErr(e);
    }
    if (v === null) this.err('unexpected token');
    this.p++;
    return v;
  }
  f32Lit(): number {
    if (this.kinds[this.p] !== Tok.Atom) this.err('unexpected token');
    let v: number | null;
    try {
      v = parseF32(this.text());
    } catch (e) {
      return this.numErr(e);
    }
    if (v === null) this.err('unexpected token');
    this.p++;
    return v;
  }
  f64Lit(): bigint {
    if (this.kinds[this.p] !== Tok.Atom) this.err('unexpected token');
    let v: bigint | null;
    try {
      v = parseF64(this.text());
    } catch (e) {
      return this.numErr(e);
    }
    if (v === null) this.err('unexpected token');
    this.p++;
    return v;
  }
  private intLane(bits: number): bigint {
    if (this.kinds[this.p] !== Tok.Atom) this.err(this.kinds[this.p] === Tok.RParen ? 'wrong number of lane literals' : 'unexpected token');
    let v: bigint | null;
    try {
      v = parseIntBits(this.text(), bits);
    } catch (e) {
      return this.numErr(e);
    }
    if (v === null) this.err('unexpected token');
    this.p++;
    return v;
  }

  /** `shape lane*` of v128.const: 16 bytes. */
  v128Lit(): Uint8Array {
    const shape = this.kw();
    const bytes = new Uint8Array(16);
    const dv = new DataView(bytes.buffer);
    const lanesEnd = (): void => {
      if (this.kinds[this.p] === Tok.Atom) this.err('wrong number of lane literals');
    };
    const need = (): void => {
      if (this.kinds[this.p] !== Tok.Atom) this.err('wrong number of lane literals');
    };
    const LANES: Record<string, number> = { i8x16: 16, i16x8: 8, i32x4: 4, i64x2: 2, f32x4: 4, f64x2: 2 };
    const nl = shape === null ? undefined : LANES[shape];
    if (nl !== undefined) {
      let n = 0;
      while (this.kinds[this.p + 1 + n] === Tok.Atom) n++;
      if (n !== nl) this.err('wrong number of lane literals', this.p + 1 + Math.min(n, nl));
    }
    switch (shape) {
      case 'i8x16':
        this.p++;
        for (let i = 0; i < 16; i++) bytes[i] = Number(this.intLane(8));
        break;
      case 'i16x8':
        this.p++;
        for (let i = 0; i < 8; i++) dv.setUint16(i * 2, Number(this.intLane(16)), true);
        break;
      case 'i32x4':
        this.p++;
        for (let i = 0; i < 4; i++) dv.setUint32(i * 4, Number(this.intLane(32)), true);
        break;
      case 'i64x2':
        this.p++;
        for (let i = 0; i < 2; i++) dv.setBigUint64(i * 8, this.intLane(64), true);
        break;
      case 'f32x4':
        this.p++;
        for (let i = 0; i < 4; i++) {
          need();
          dv.setUint32(i * 4, this.f32Lit(), true);
        }
        break;
      case 'f64x2':
        this.p++;
        for (let i = 0; i < 2; i++) {
          need();
          dv.setBigUint64(i * 8, this.f64Lit(), true);
        }
        break;
      default:
        this.err('unexpected token');
    }
    lanesEnd();
    return bytes;
  }
}
