/**
 * Type parsing of the text format (see context.ts for the parser's layers):
 * value, heap, storage and composite types, type definitions, type uses
 * (resolving or appending implicit function types), limits, and table,
 * memory and global types; and the binary encoding of value and heap types.
 */
import {
  CompKind,
  EXACT_HEAP,
  HEAP_CONCRETE,
  HEAP_TO_BYTE,
  HeapType,
  I16,
  I8,
  concreteHeap,
  isRef,
  refHeap,
  refNullable,
  refType,
  type CompType,
  type FieldType,
  type MemType,
  type SubType,
  type TableType,
  type ValType,
} from '../core/types.js';
import { typeInFormat } from '../core/instructions.js';
import type { Buf } from './buf.js';
import { ParseContext, Sp } from './context.js';
import { ABS_HEAP, SIMPLE_VALTYPE } from './keywords.js';
import { Tok } from './lexer.js';

export interface TypeUse {
  index: number;
  /** Param names (null entries for unnamed params), when given inline. */
  names: (string | null)[];
  params: ValType[];
}

export function sameTypes(a: ValType[], b: ValType[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class TypeParser extends ParseContext {
  protected heapType(): number {
    const k = this.kinds[this.p];
    if (this.isField('exact')) {
      // custom descriptors: `(exact $t)`, only of a defined type
      this.later(false, this.p + 1);
      this.p += 2;
      if (!this.isIdx()) this.err('unexpected token');
      const h = concreteHeap(this.idx(Sp.Type)) + EXACT_HEAP;
      this.expectRP();
      return h;
    }
    if (k === Tok.Atom && !this.isNat()) {
      const h = ABS_HEAP[this.text()];
      if (h === undefined) this.err('unexpected token');
      this.later(h === HeapType.func || h === HeapType.extern);
      this.p++;
      return h;
    }
    this.later(false);
    return concreteHeap(this.idx(Sp.Type));
  }

  /** `(ref null? ht)` after the `(`; or an abbreviation keyword. Returns null when not a reftype. */
  protected refTypeOpt(): ValType | null {
    if (this.kinds[this.p] === Tok.Atom) {
      const t = SIMPLE_VALTYPE[this.text()];
      if (t !== undefined && isRef(t)) {
        this.later(typeInFormat(t, this.format(), false));
        this.p++;
        return t;
      }
      return null;
    }
    if (this.isField('ref')) {
      this.later(false, this.p + 1);
      this.p += 2;
      let nullable = false;
      if (this.isKw('null')) {
        nullable = true;
        this.p++;
      }
      const h = this.heapType();
      this.expectRP();
      return refType(h, nullable);
    }
    return null;
  }
  protected refType(): ValType {
    const t = this.refTypeOpt();
    if (t === null) this.err('unexpected token');
    return t;
  }
  valType(): ValType {
    if (this.kinds[this.p] === Tok.Atom) {
      const t = SIMPLE_VALTYPE[this.text()];
      if (t === undefined) this.err('unexpected token');
      this.later(typeInFormat(t, this.format(), true));
      this.p++;
      return t;
    }
    return this.refType();
  }
  private storageType(): ValType {
    if (this.isKw('i8')) {
      this.p++;
      return I8;
    }
    if (this.isKw('i16')) {
      this.p++;
      return I16;
    }
    return this.valType();
  }
  private fieldType(): FieldType {
    if (this.isField('mut')) {
      this.p += 2;
      const t = this.storageType();
      this.expectRP();
      return { type: t, mutable: true };
    }
    return { type: this.storageType(), mutable: false };
  }

  /** `(param ...)*` `(result ...)*`; names collected when allowed. */
  protected paramsResults(
    allowNames: boolean,
    params: ValType[],
    results: ValType[],
    names: (string | null)[] | null,
  ): void {
    while (this.isField('param')) {
      this.p += 2;
      if (this.kinds[this.p] === Tok.Id) {
        if (!allowNames) this.err('unexpected token');
        const at = this.p;
        const n = this.lx.idName(this.p++);
        if (names) {
          if (names.includes(n)) this.err('duplicate local', at);
          names.push(n);
        }
        params.push(this.valType());
        this.expectRP();
        continue;
      }
      while (this.kinds[this.p] !== Tok.RParen) {
        params.push(this.valType());
        if (names) names.push(null);
      }
      this.p++;
    }
    while (this.isField('result')) {
      this.p += 2;
      while (this.kinds[this.p] !== Tok.RParen) results.push(this.valType());
      this.p++;
    }
    if (this.isField('param') || this.isField('type')) this.err('unexpected token');
  }

  private compType(fnames: Map<string, number> | null): CompType {
    if (this.isField('func')) {
      this.p += 2;
      const params: ValType[] = [];
      const results: ValType[] = [];
      this.paramsResults(true, params, results, null);
      this.expectRP();
      return { kind: CompKind.Func, params, results };
    }
    this.later(false, this.p + 1);
    if (this.isField('struct')) {
      this.p += 2;
      const fields: FieldType[] = [];
      while (this.isField('field')) {
        this.p += 2;
        if (this.kinds[this.p] === Tok.Id) {
          const at = this.p;
          const n = this.lx.idName(this.p++);
          if (fnames) {
            if (fnames.has(n)) this.err('duplicate field', at);
            fnames.set(n, fields.length);
          }
          fields.push(this.fieldType());
          this.expectRP();
          continue;
        }
        while (this.kinds[this.p] !== Tok.RParen) fields.push(this.fieldType());
        this.p++;
      }
      this.expectRP();
      return { kind: CompKind.Struct, fields };
    }
    if (this.isField('array')) {
      this.p += 2;
      const field = this.fieldType();
      this.expectRP();
      return { kind: CompKind.Array, field };
    }
    return this.err('unexpected token');
  }

  /** `(type $id? subtype)` at p, appended to m.types. */
  protected typeDef(recStart: number, recSize: number): void {
    this.expectLP('type');
    this.optId();
    const index = this.m.types.length;
    const fnames = new Map<string, number>();
    let sub: SubType;
    if (this.isField('sub')) {
      this.later(false, this.p + 1);
      this.p += 2;
      let final = false;
      if (this.isKw('final')) {
        final = true;
        this.p++;
      }
      const supers: number[] = [];
      while (this.isIdx()) supers.push(this.idx(Sp.Type));
      const [describes, descriptor] = this.descriptorClauses();
      const comp = this.compType(fnames);
      this.expectRP();
      sub = { final, supers, comp, recStart, recSize };
      if (describes !== null) sub.describes = describes;
      if (descriptor !== null) sub.descriptor = descriptor;
    } else {
      const [describes, descriptor] = this.descriptorClauses();
      sub = { final: true, supers: [], comp: this.compType(fnames), recStart, recSize };
      if (describes !== null) sub.describes = describes;
      if (descriptor !== null) sub.descriptor = descriptor;
    }
    this.expectRP();
    this.m.types.push(sub);
    this.fieldNames[index] = fnames.size ? fnames : undefined;
  }

  /** Custom descriptors: `(describes x)? (descriptor y)?`, in that order; null for an absent clause. */
  private descriptorClauses(): [number | null, number | null] {
    const clause = (kw: string): number | null => {
      if (!this.isField(kw)) return null;
      this.later(false, this.p + 1);
      this.p += 2;
      const x = this.idx(Sp.Type);
      this.expectRP();
      return x;
    };
    return [clause('describes'), clause('descriptor')];
  }

  /** A function import's type use: `(exact typeuse)` (custom descriptors) or a plain type use. */
  protected importTypeUse(): TypeUse & { exact: boolean } {
    if (!this.isField('exact')) return { ...this.typeUse(true), exact: false };
    this.later(false, this.p + 1);
    this.p += 2;
    const tu = this.typeUse(true);
    this.expectRP();
    return { ...tu, exact: true };
  }

  /** Type use: `(type x)? (param)* (result)*`, resolving or appending an implicit type. */
  protected typeUse(allowNames: boolean): TypeUse {
    let index = -1;
    const at = this.p;
    if (this.isField('type')) {
      this.p += 2;
      index = this.idx(Sp.Type);
      this.expectRP();
    }
    const params: ValType[] = [];
    const results: ValType[] = [];
    const names: (string | null)[] = [];
    const inlineAt = this.p;
    this.paramsResults(allowNames, params, results, names);
    const inline = this.p !== inlineAt;
    if (index >= 0) {
      const t = this.m.types[index];
      if (inline) {
        if (!t) this.err('unknown type', at + 2);
        if (t.comp.kind !== CompKind.Func || !sameTypes(t.comp.params, params) || !sameTypes(t.comp.results, results)) {
          this.err('inline function type', at);
        }
      } else if (t && t.comp.kind === CompKind.Func) {
        return { index, names: t.comp.params.map(() => null), params: t.comp.params };
      } else {
        return { index, names: [], params: [] };
      }
      return { index, names, params };
    }
    return { index: this.implicitType(params, results), names, params };
  }

  protected implicitType(params: ValType[], results: ValType[]): number {
    const types = this.m.types;
    for (let i = 0; i < types.length; i++) {
      const t = types[i]!;
      if (
        t.recSize === 1 &&
        t.final &&
        t.supers.length === 0 &&
        t.comp.kind === CompKind.Func &&
        sameTypes(t.comp.params, params) &&
        sameTypes(t.comp.results, results)
      ) {
        return i;
      }
    }
    const i = types.length;
    types.push({
      final: true,
      supers: [],
      comp: { kind: CompKind.Func, params: params.slice(), results: results.slice() },
      recStart: i,
      recSize: 1,
    });
    return i;
  }

  private limits(addr64: boolean): [number, number | null] {
    // limits are u64 in the text format; too large for the address type is a validation error
    void addr64;
    const rd = (): number => (this.older() ? this.u32() : Number(this.u64()));
    const min = rd();
    const max = this.isNat() ? rd() : null;
    return [min, max];
  }
  protected addrType(): 'i32' | 'i64' {
    if (this.older()) return 'i32';
    if (this.isKw('i64')) {
      this.p++;
      return 'i64';
    }
    if (this.isKw('i32')) this.p++;
    return 'i32';
  }
  protected tableType(): TableType {
    const addr = this.addrType();
    const [min, max] = this.limits(addr === 'i64');
    const elem = this.refType();
    return { elem, addr, min, max };
  }
  protected memType(): MemType {
    const addr = this.addrType();
    const [min, max] = this.limits(addr === 'i64');
    let shared = false;
    if (this.isKw('shared') || this.isKw('unshared')) {
      // a profile's text has the keywords only with the threads proposal added to it
      if (this.lx.profile !== null && !this.lx.added.includes('threads')) this.err('unexpected token');
      shared = this.isKw('shared');
      this.p++;
    }
    const pageSizeLog2 = this.pageSize() ?? 16;
    return { addr, min, max, shared, pageSizeLog2 };
  }
  protected pageSize(): number | null {
    if (!this.isField('pagesize')) return null;
    this.p += 2;
    const at = this.p;
    const v = this.u32();
    if (v === 0 || (v & (v - 1)) !== 0) this.err('invalid custom page size', at);
    this.expectRP();
    return 31 - Math.clz32(v);
  }
  protected globalType(): { type: ValType; mutable: boolean } {
    if (this.isField('mut')) {
      this.p += 2;
      const t = this.valType();
      this.expectRP();
      return { type: t, mutable: true };
    }
    return { type: this.valType(), mutable: false };
  }
}

export function writeHeap(out: Buf, heap: number): void {
  if (heap >= EXACT_HEAP) {
    out.u8(0x62);
    heap -= EXACT_HEAP;
  }
  if (heap >= HEAP_CONCRETE) out.s32(heap - HEAP_CONCRETE);
  else out.u8(HEAP_TO_BYTE[heap]!);
}

export function writeValType(out: Buf, t: ValType): void {
  if (!isRef(t)) {
    out.u8(t);
    return;
  }
  const heap = refHeap(t);
  const nullable = refNullable(t);
  if (nullable && heap < HEAP_CONCRETE) {
    out.u8(HEAP_TO_BYTE[heap]!);
    return;
  }
  out.u8(nullable ? 0x63 : 0x64);
  writeHeap(out, heap);
}
