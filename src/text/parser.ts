/**
 * Module parser of the text format: tokens (lexer.ts) -> core `Module`
 * (src/core/module.ts), with function bodies and constant expressions
 * encoded to binary instruction bytes as they are parsed.
 *
 * Three passes over the module's fields:
 *  1. collect identifiers of every index space (and check import order),
 *  2. parse type definitions (explicit types get their final indices),
 *  3. parse every other field in order; type uses without a matching
 *     explicit type append implicit types after the explicit ones.
 *
 * Instruction encoding is driven by the instruction table (core/instructions.ts):
 * every row's `imm` kind selects how its immediates are read and written.
 */
import { TextError } from '../core/errors.js';
import { BY_NAME, opcodeBytes, type InstrDef } from '../core/instructions.js';
import {
  emptyModule,
  type ConstExpr,
  type CustomSection,
  type ExternKind,
  type LocalGroup,
  type Module,
} from '../core/module.js';
import {
  CompKind,
  F32,
  F64,
  FUNCREF,
  HEAP_CONCRETE,
  HEAP_TO_BYTE,
  HeapType,
  I16,
  I32,
  I64,
  I8,
  V128,
  concreteHeap,
  isRef,
  refHeap,
  refNullable,
  refType,
  type CompType,
  type FieldType,
  type FuncType,
  type MemType,
  type SubType,
  type TableType,
  type ValType,
} from '../core/types.js';
import { Buf } from './buf.js';
import { Lexer, Tok, type CustomAnnot } from './lexer.js';
import { NumError, parseF32, parseF64, parseI32, parseI64, parseIntBits, parseNat } from './numbers.js';

const enum Sp {
  Type = 0,
  Func = 1,
  Table = 2,
  Mem = 3,
  Global = 4,
  Tag = 5,
  Elem = 6,
  Data = 7,
}
const SPACE_NAME = ['type', 'function', 'table', 'memory', 'global', 'tag', 'elem segment', 'data segment'];
const DUP_NAME = ['type', 'func', 'table', 'memory', 'global', 'tag', 'elem', 'data'];
const KIND_SPACE: Record<string, Sp> = { func: Sp.Func, table: Sp.Table, memory: Sp.Mem, global: Sp.Global, tag: Sp.Tag };
const IMPORT_AFTER: Record<string, string> = {
  func: 'function',
  table: 'table',
  memory: 'memory',
  global: 'global',
  tag: 'tag',
};

/**
 * A syntactically recognised construct of a proposal the core Module shape
 * cannot represent (custom descriptors: exact reference types, descriptor
 * clauses and instructions). Scripts keep such modules as `unsupported`
 * sources instead of failing.
 */
export class UnsupportedError extends TextError {
  override name = 'UnsupportedError';
}

/** Instruction names of the custom-descriptors proposal (not in the core table). */
const DESCRIPTOR_OPS = new Set([
  'ref.get_desc',
  'ref.cast_desc_eq',
  'br_on_cast_desc_eq',
  'br_on_cast_desc_eq_fail',
  'struct.new_desc',
  'struct.new_default_desc',
]);

/** Keywords that start a clause, never a folded instruction. */
const CLAUSE_KEYWORDS = new Set(['else', 'end', 'catch', 'catch_all', 'delegate', 'then', 'do', 'type', 'param', 'result', 'local', 'export', 'import', 'item', 'offset']);

/** Type of `func x*` element lists (Wasm 3.0: non-nullable funcref). */
const FUNC_NONNULL = refType(HeapType.func, false);

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const ABS_HEAP: Record<string, number> = {
  func: HeapType.func,
  extern: HeapType.extern,
  any: HeapType.any,
  eq: HeapType.eq,
  i31: HeapType.i31,
  struct: HeapType.struct,
  array: HeapType.array,
  none: HeapType.none,
  nofunc: HeapType.nofunc,
  noextern: HeapType.noextern,
  exn: HeapType.exn,
  noexn: HeapType.noexn,
};
const SIMPLE_VALTYPE: Record<string, ValType> = {
  i32: I32,
  i64: I64,
  f32: F32,
  f64: F64,
  v128: V128,
  funcref: refType(HeapType.func, true),
  externref: refType(HeapType.extern, true),
  anyref: refType(HeapType.any, true),
  eqref: refType(HeapType.eq, true),
  i31ref: refType(HeapType.i31, true),
  structref: refType(HeapType.struct, true),
  arrayref: refType(HeapType.array, true),
  nullref: refType(HeapType.none, true),
  nullfuncref: refType(HeapType.nofunc, true),
  nullexternref: refType(HeapType.noextern, true),
  exnref: refType(HeapType.exn, true),
  nullexnref: refType(HeapType.noexn, true),
};

/** Binary section ids for `(@custom ... (before|after X))`. */
const SECTION_ID: Record<string, number> = {
  type: 1,
  import: 2,
  func: 3,
  table: 4,
  memory: 5,
  global: 6,
  export: 7,
  start: 8,
  elem: 9,
  code: 10,
  data: 11,
  datacount: 12,
  tag: 13,
};
const SECTION_ORDER = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];

/** Matching `)` of every `(` token (or -1), computed once per lexer. */
export function matchParens(lx: Lexer): Int32Array {
  const close = new Int32Array(lx.count).fill(-1);
  const stack: number[] = [];
  const kinds = lx.kinds;
  for (let i = 0; i < lx.count; i++) {
    const k = kinds[i];
    if (k === Tok.LParen) stack.push(i);
    else if (k === Tok.RParen) {
      const o = stack.pop();
      if (o !== undefined) close[o] = i;
    }
  }
  return close;
}

interface TypeUse {
  index: number;
  /** Param names (null entries for unnamed params), when given inline. */
  names: (string | null)[];
  params: ValType[];
}

interface FieldInfo {
  at: number; // token index of '('
  kw: string;
}

const TEXT_KEYWORDS = new Set(
  (
    'module type rec sub final func struct array field mut param result local import export table memory global ' +
    'tag elem data start offset item declare then else end do catch catch_ref catch_all catch_all_ref delegate ' +
    'i8 i16 shared unshared pagesize ref null exact binary quote definition instance i8x16 i16x8 i32x4 i64x2 ' +
    'f32x4 f64x2 nan:canonical nan:arithmetic before after first last'
  ).split(' '),
);

/** Whether an atom is a keyword of the text format or looks like a number. */
function isKnownAtom(t: string): boolean {
  if (TEXT_KEYWORDS.has(t) || BY_NAME.has(t) || t in SIMPLE_VALTYPE || t in ABS_HEAP) return true;
  if (t.startsWith('offset=')) return parseNat(t.slice(7)) !== null;
  if (t.startsWith('align=')) return parseNat(t.slice(6)) !== null;
  const c = t.charCodeAt(t[0] === '+' || t[0] === '-' ? 1 : 0);
  try {
    if (c >= 0x30 && c <= 0x39) return parseF64(t) !== null || parseNat(t.replace(/^[+-]/, '')) !== null;
    const b = t.replace(/^[+-]/, '');
    return b === 'inf' || b === 'nan' || (b.startsWith('nan:0x') && parseF64(b) !== null);
  } catch {
    return true; // a number out of range
  }
}

function bump(a: number[], i: number): number {
  const v = a[i]!;
  a[i] = v + 1;
  return v;
}

function sameTypes(a: ValType[], b: ValType[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class ModuleParser {
  readonly kinds: Uint8Array;
  readonly starts: Int32Array;
  p = 0;
  private names: Map<string, number>[] = [];
  private counts = [0, 0, 0, 0, 0, 0, 0, 0];
  private fieldNames: (Map<string, number> | undefined)[] = [];
  readonly m: Module = emptyModule();
  private nExplicitTypes = 0;
  // function context
  private locals = new Map<string, number>();
  private labels: (string | null)[] = [];
  private usesData = false;
  private funcNames = new Map<number, string>();
  private localNames = new Map<number, Map<number, string>>();

  constructor(
    readonly lx: Lexer,
    readonly close: Int32Array,
  ) {
    this.kinds = lx.kinds;
    this.starts = lx.starts;
    for (let i = 0; i < 8; i++) this.names.push(new Map());
  }

  // ------------------------------------------------------------------ token helpers

  err(reason: string, i = this.p): never {
    if (this.kinds[i] === Tok.Reserved && (reason === 'unexpected token' || reason.startsWith('unknown'))) {
      reason = 'unknown operator';
    }
    // like the reference lexer: an atom that is no keyword and no number is an unknown operator
    if (reason === 'unexpected token' && this.kinds[i] === Tok.Atom && !isKnownAtom(this.lx.text(i))) {
      reason = 'unknown operator';
    }
    if (this.kinds[i] === Tok.EOF && reason === 'unexpected token') reason = 'unexpected end';
    this.lx.error(reason, this.starts[i] ?? 0);
  }
  private unsupported(what: string, i = this.p): never {
    const { line, column } = this.lx.position(this.starts[i] ?? 0);
    throw new UnsupportedError(`unsupported: ${what} (custom descriptors proposal)`, this.lx.file, line, column);
  }
  private text(i = this.p): string {
    return this.lx.text(i);
  }
  /** Keyword text at token i, or null when not an atom. */
  private kw(i = this.p): string | null {
    return this.kinds[i] === Tok.Atom ? this.lx.text(i) : null;
  }
  private isKw(s: string, i = this.p): boolean {
    if (this.kinds[i] !== Tok.Atom) return false;
    const st = this.starts[i]!;
    if (this.lx.ends[i]! - st !== s.length) return false;
    const src = this.lx.src;
    for (let j = 0; j < s.length; j++) if (src[st + j] !== s.charCodeAt(j)) return false;
    return true;
  }
  /** `(kw` at p? */
  private isField(s: string, i = this.p): boolean {
    return this.kinds[i] === Tok.LParen && this.isKw(s, i + 1);
  }
  private fieldKw(i = this.p): string | null {
    return this.kinds[i] === Tok.LParen ? this.kw(i + 1) : null;
  }
  private expectRP(): void {
    if (this.kinds[this.p] !== Tok.RParen) this.err('unexpected token');
    this.p++;
  }
  private expectLP(s: string): void {
    if (!this.isField(s)) this.err('unexpected token');
    this.p += 2;
  }
  private expectKw(s: string): void {
    if (!this.isKw(s)) this.err('unexpected token');
    this.p++;
  }
  private isNat(i = this.p): boolean {
    if (this.kinds[i] !== Tok.Atom) return false;
    const c = this.lx.src[this.starts[i]!]!;
    return c >= 0x30 && c <= 0x39;
  }
  private optId(): string | null {
    if (this.kinds[this.p] !== Tok.Id) return null;
    return this.lx.idName(this.p++);
  }
  private string(): Uint8Array {
    if (this.kinds[this.p] !== Tok.String) this.err('unexpected token');
    return this.lx.stringBytes(this.p++);
  }
  private name(): string {
    const at = this.p;
    const b = this.string();
    try {
      return utf8.decode(b);
    } catch {
      return this.err('malformed UTF-8 encoding', at);
    }
  }
  private u32(what = 'i32 constant out of range'): number {
    if (!this.isNat()) this.err('unexpected token');
    const v = parseNat(this.text());
    if (v === null) this.err('unexpected token');
    if (v > 0xffffffffn) this.err(what);
    this.p++;
    return Number(v);
  }
  private u64(): bigint {
    if (!this.isNat()) this.err('unexpected token');
    const v = parseNat(this.text());
    if (v === null) this.err('unexpected token');
    if (v > 0xffffffffffffffffn) this.err('i64 constant out of range');
    this.p++;
    return v;
  }
  private skipField(): void {
    const c = this.close[this.p]!;
    if (c < 0) this.err('unexpected end', this.p);
    this.p = c + 1;
  }

  // ------------------------------------------------------------------ index spaces

  private bind(sp: Sp, name: string | null, index: number, at: number): void {
    if (name === null) return;
    const m = this.names[sp]!;
    if (m.has(name)) this.err(`duplicate ${DUP_NAME[sp]}`, at);
    m.set(name, index);
  }

  /** An index of a module-level space: `$id` or a u32. */
  idx(sp: Sp): number {
    const k = this.kinds[this.p];
    if (k === Tok.Id) {
      const name = this.lx.idName(this.p);
      const v = this.names[sp]!.get(name);
      if (v === undefined) this.err(`unknown ${SPACE_NAME[sp]} $${name}`);
      this.p++;
      return v;
    }
    if (k === Tok.Atom && this.isNat()) return this.u32();
    return this.err('unexpected token');
  }
  private isIdx(i = this.p): boolean {
    return this.kinds[i] === Tok.Id || this.isNat(i);
  }
  private optIdx(sp: Sp): number {
    return this.isIdx() ? this.idx(sp) : 0;
  }

  // ------------------------------------------------------------------ types

  private heapType(): number {
    const k = this.kinds[this.p];
    if (this.isField('exact')) this.unsupported('exact reference type');
    if (k === Tok.Atom && !this.isNat()) {
      const h = ABS_HEAP[this.text()];
      if (h === undefined) this.err('unexpected token');
      this.p++;
      return h;
    }
    return concreteHeap(this.idx(Sp.Type));
  }

  /** `(ref null? ht)` after the `(`; or an abbreviation keyword. Returns null when not a reftype. */
  private refTypeOpt(): ValType | null {
    if (this.kinds[this.p] === Tok.Atom) {
      const t = SIMPLE_VALTYPE[this.text()];
      if (t !== undefined && isRef(t)) {
        this.p++;
        return t;
      }
      return null;
    }
    if (this.isField('ref')) {
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
  private refType(): ValType {
    const t = this.refTypeOpt();
    if (t === null) this.err('unexpected token');
    return t;
  }
  valType(): ValType {
    if (this.kinds[this.p] === Tok.Atom) {
      const t = SIMPLE_VALTYPE[this.text()];
      if (t === undefined) this.err('unexpected token');
      this.p++;
      return t;
    }
    return this.refType();
  }
  private isValTypeStart(): boolean {
    if (this.kinds[this.p] === Tok.Atom) return SIMPLE_VALTYPE[this.text()] !== undefined;
    return this.isField('ref');
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
  private paramsResults(
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
  private typeDef(recStart: number, recSize: number): void {
    this.expectLP('type');
    this.optId();
    const index = this.m.types.length;
    const fnames = new Map<string, number>();
    let sub: SubType;
    if (this.isField('sub')) {
      this.p += 2;
      let final = false;
      if (this.isKw('final')) {
        final = true;
        this.p++;
      }
      const supers: number[] = [];
      while (this.isIdx()) supers.push(this.idx(Sp.Type));
      if (this.isField('descriptor') || this.isField('describes')) this.unsupported('descriptor clause');
      const comp = this.compType(fnames);
      this.expectRP();
      sub = { final, supers, comp, recStart, recSize };
    } else {
      if (this.isField('descriptor') || this.isField('describes')) this.unsupported('descriptor clause');
      sub = { final: true, supers: [], comp: this.compType(fnames), recStart, recSize };
    }
    this.expectRP();
    this.m.types.push(sub);
    this.fieldNames[index] = fnames.size ? fnames : undefined;
  }

  /** Type use: `(type x)? (param)* (result)*`, resolving or appending an implicit type. */
  private typeUse(allowNames: boolean): TypeUse {
    if (this.isField('exact')) this.unsupported('exact function import');
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

  private implicitType(params: ValType[], results: ValType[]): number {
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
    const rd = (): number => Number(this.u64());
    const min = rd();
    const max = this.isNat() ? rd() : null;
    return [min, max];
  }
  private addrType(): 'i32' | 'i64' {
    if (this.isKw('i64')) {
      this.p++;
      return 'i64';
    }
    if (this.isKw('i32')) this.p++;
    return 'i32';
  }
  private tableType(): TableType {
    const addr = this.addrType();
    const [min, max] = this.limits(addr === 'i64');
    const elem = this.refType();
    return { elem, addr, min, max };
  }
  private memType(): MemType {
    const addr = this.addrType();
    const [min, max] = this.limits(addr === 'i64');
    let shared = false;
    if (this.isKw('shared')) {
      shared = true;
      this.p++;
    } else if (this.isKw('unshared')) this.p++;
    const pageSizeLog2 = this.pageSize() ?? 16;
    return { addr, min, max, shared, pageSizeLog2 };
  }
  private pageSize(): number | null {
    if (!this.isField('pagesize')) return null;
    this.p += 2;
    const at = this.p;
    const v = this.u32();
    if (v === 0 || (v & (v - 1)) !== 0) this.err('invalid custom page size', at);
    this.expectRP();
    return 31 - Math.clz32(v);
  }
  private globalType(): { type: ValType; mutable: boolean } {
    if (this.isField('mut')) {
      this.p += 2;
      const t = this.valType();
      this.expectRP();
      return { type: t, mutable: true };
    }
    return { type: this.valType(), mutable: false };
  }

  // ------------------------------------------------------------------ module

  /**
   * Parse the module fields in tokens [first, last): `last` is the index of
   * the closing `)` of `(module ...)` or the EOF token. `depth` is the paren
   * depth of the fields (for @custom placement).
   */
  parseModule(first: number, last: number, depth: number, moduleName: string | null): Module {
    const m = this.m;
    const fields: FieldInfo[] = [];
    // ---- pass 1: identifiers
    this.p = first;
    let firstDef: string | null = null;
    while (this.p < last) {
      const at = this.p;
      if (this.kinds[at] !== Tok.LParen) this.err('unexpected token');
      const kw = this.kw(at + 1);
      if (kw === null) this.err('unexpected token', at + 1);
      const end = this.close[at]!;
      if (end < 0 || end > last) this.err('unexpected end', at);
      fields.push({ at, kw });
      this.p = at + 2;
      switch (kw) {
        case 'type':
          this.bind(Sp.Type, this.optId(), bump(this.counts, Sp.Type), at + 2);
          break;
        case 'rec':
          while (this.isField('type')) {
            const lp = this.p;
            this.p += 2;
            this.bind(Sp.Type, this.optId(), bump(this.counts, Sp.Type), lp + 2);
            this.p = this.close[lp]! + 1;
          }
          break;
        case 'func':
        case 'table':
        case 'memory':
        case 'global':
        case 'tag': {
          const sp = KIND_SPACE[kw]!;
          const idAt = this.p;
          this.bind(sp, this.optId(), bump(this.counts, sp), idAt);
          while (this.isField('export')) this.skipField();
          if (this.isField('import')) {
            if (firstDef !== null) this.err(`import after ${IMPORT_AFTER[firstDef]}`, at);
          } else {
            if (firstDef === null) firstDef = kw;
            if (kw === 'table' || kw === 'memory') {
              // inline segment
              for (let i = this.p; i < end; i++) {
                if (this.kinds[i] === Tok.LParen) {
                  if (this.isKw(kw === 'table' ? 'elem' : 'data', i + 1)) {
                    bump(this.counts, kw === 'table' ? Sp.Elem : Sp.Data);
                    break;
                  }
                  i = this.close[i]!;
                }
              }
            }
          }
          break;
        }
        case 'import': {
          if (firstDef !== null) this.err(`import after ${IMPORT_AFTER[firstDef]}`, at);
          this.p = at + 2;
          // (import "m" "n" (kind $id? ...))
          if (this.kinds[this.p] === Tok.String) this.p++;
          if (this.kinds[this.p] === Tok.String) this.p++;
          const k = this.fieldKw();
          const sp = k === null ? undefined : KIND_SPACE[k];
          if (sp === undefined) this.err('unexpected token');
          this.p += 2;
          this.bind(sp, this.optId(), bump(this.counts, sp), this.p - 1);
          break;
        }
        case 'elem':
          this.bind(Sp.Elem, this.optId(), bump(this.counts, Sp.Elem), at + 2);
          break;
        case 'data':
          this.bind(Sp.Data, this.optId(), bump(this.counts, Sp.Data), at + 2);
          break;
        case 'export':
        case 'start':
          break;
        default:
          this.err('unknown operator', at + 1);
      }
      this.p = end + 1;
    }
    // ---- pass 2: types
    for (const f of fields) {
      if (f.kw === 'type') {
        this.p = f.at;
        this.typeDef(m.types.length, 1);
      } else if (f.kw === 'rec') {
        this.p = f.at + 2;
        const start = m.types.length;
        let size = 0;
        for (let i = this.p; this.isField('type', i); i = this.close[i]! + 1) size++;
        while (this.isField('type')) this.typeDef(start, size);
        this.expectRP();
      }
    }
    this.nExplicitTypes = m.types.length;
    // ---- pass 3: everything else, in order
    const counters = [0, 0, 0, 0, 0, 0, 0, 0];
    for (const f of fields) {
      this.p = f.at + 2;
      switch (f.kw) {
        case 'type':
        case 'rec':
          break;
        case 'import':
          this.importField(counters);
          break;
        case 'func':
          this.funcField(bump(counters, Sp.Func));
          break;
        case 'table':
          this.tableField(bump(counters, Sp.Table), counters);
          break;
        case 'memory':
          this.memoryField(bump(counters, Sp.Mem), counters);
          break;
        case 'global':
          this.globalField(bump(counters, Sp.Global));
          break;
        case 'tag':
          this.tagField(bump(counters, Sp.Tag));
          break;
        case 'export': {
          const name = this.name();
          const k = this.fieldKw();
          const sp = k === null ? undefined : KIND_SPACE[k];
          if (sp === undefined) this.err('unexpected token');
          this.p += 2;
          const index = this.idx(sp);
          this.expectRP();
          m.exports.push({ name, kind: k as ExternKind, index });
          break;
        }
        case 'start':
          if (m.start !== null) this.err('multiple start sections', f.at);
          m.start = this.idx(Sp.Func);
          break;
        case 'elem':
          this.elemField(bump(counters, Sp.Elem));
          break;
        case 'data':
          this.dataField(bump(counters, Sp.Data));
          break;
      }
      if (f.kw !== 'rec' && f.kw !== 'type') this.expectRP();
    }
    if (this.usesData) m.dataCount = m.datas.length;
    // ---- custom annotations
    this.customs(first, last, depth);
    if (moduleName !== null || this.funcNames.size || this.localNames.size) {
      m.names = { functions: this.funcNames, locals: this.localNames };
      if (moduleName !== null) m.names.module = moduleName;
    }
    return m;
  }

  private customs(first: number, last: number, depth: number): void {
    const list: CustomAnnot[] = this.lx.customs;
    for (const c of list) {
      if (c.token < first || c.token > last) continue;
      if (c.depth !== depth) this.lx.error('misplaced @custom annotation', c.at);
      this.m.customs.push(parseCustomAnnot(this.lx, c));
    }
  }

  private inlineExports(kind: ExternKind, index: number): void {
    while (this.isField('export')) {
      this.p += 2;
      const name = this.name();
      this.expectRP();
      this.m.exports.push({ name, kind, index });
    }
  }
  /** `(import "m" "n")` inline: returns [module, name] or null. */
  private inlineImport(): [string, string] | null {
    if (!this.isField('import')) return null;
    this.p += 2;
    const mod = this.name();
    const nm = this.name();
    this.expectRP();
    return [mod, nm];
  }

  private importField(counters: number[]): void {
    const mod = this.name();
    const nm = this.name();
    const k = this.fieldKw();
    if (k === null || KIND_SPACE[k] === undefined) this.err('unexpected token');
    this.p += 2;
    const id = this.optId();
    const m = this.m;
    switch (k) {
      case 'func': {
        const index = bump(counters, Sp.Func);
        const tu = this.typeUse(true);
        if (id !== null) this.funcNames.set(index, id);
        m.imports.push({ module: mod, name: nm, desc: { kind: 'func', typeIndex: tu.index } });
        break;
      }
      case 'table':
        bump(counters, Sp.Table);
        m.imports.push({ module: mod, name: nm, desc: { kind: 'table', type: this.tableType() } });
        break;
      case 'memory':
        bump(counters, Sp.Mem);
        m.imports.push({ module: mod, name: nm, desc: { kind: 'memory', type: this.memType() } });
        break;
      case 'global':
        bump(counters, Sp.Global);
        m.imports.push({ module: mod, name: nm, desc: { kind: 'global', type: this.globalType() } });
        break;
      case 'tag':
        bump(counters, Sp.Tag);
        m.imports.push({ module: mod, name: nm, desc: { kind: 'tag', typeIndex: this.typeUse(false).index } });
        break;
    }
    this.expectRP();
  }

  private funcField(index: number): void {
    const id = this.optId();
    if (id !== null) this.funcNames.set(index, id);
    this.inlineExports('func', index);
    const imp = this.inlineImport();
    const tu = this.typeUse(true);
    if (imp) {
      this.m.imports.push({ module: imp[0], name: imp[1], desc: { kind: 'func', typeIndex: tu.index } });
      return;
    }
    // locals
    this.locals = new Map();
    const lnames = new Map<number, string>();
    let n = 0;
    for (const nm of tu.names) {
      if (nm !== null) {
        this.locals.set(nm, n);
        lnames.set(n, nm);
      }
      n++;
    }
    const groups: LocalGroup[] = [];
    const addLocal = (t: ValType): void => {
      const last = groups[groups.length - 1];
      if (last && last.type === t) last.count++;
      else groups.push({ count: 1, type: t });
      n++;
    };
    while (this.isField('local')) {
      this.p += 2;
      if (this.kinds[this.p] === Tok.Id) {
        const at = this.p;
        const nm = this.lx.idName(this.p++);
        if (this.locals.has(nm)) this.err('duplicate local', at);
        this.locals.set(nm, n);
        lnames.set(n, nm);
        addLocal(this.valType());
        this.expectRP();
        continue;
      }
      while (this.kinds[this.p] !== Tok.RParen) addLocal(this.valType());
      this.p++;
    }
    if (lnames.size) this.localNames.set(index, lnames);
    this.labels = [];
    const out = new Buf(256);
    this.instrs(out);
    out.u8(0x0b);
    this.m.funcs.push(tu.index);
    this.m.codes.push({ locals: groups, body: out.finish(), offset: -1 });
  }

  private tableField(index: number, counters: number[]): void {
    this.optId();
    this.inlineExports('table', index);
    const imp = this.inlineImport();
    if (imp) {
      this.m.imports.push({ module: imp[0], name: imp[1], desc: { kind: 'table', type: this.tableType() } });
      return;
    }
    // inline elem: addrtype? reftype (elem ...)
    const save = this.p;
    const addr = this.addrType();
    const rt = this.refTypeOpt();
    if (rt !== null && this.isField('elem')) {
      this.p += 2;
      // `(table reftype (elem x*))` abbreviates `(elem (table) (offset 0) reftype (ref.func x)*)`:
      // the segment's element type is the table's, whichever form the list takes.
      const init: ConstExpr[] = [];
      if (this.isElemExprStart()) {
        while (this.kinds[this.p] === Tok.LParen) init.push(this.elemExpr());
      } else {
        while (this.isIdx()) init.push(this.refFuncExpr(this.idx(Sp.Func)));
      }
      this.expectRP();
      const n = init.length;
      this.m.tables.push({ type: { elem: rt, addr, min: n, max: n }, init: null });
      this.m.elems.push({
        mode: 'active',
        table: index,
        offset: this.constZero(addr),
        type: rt,
        init,
      });
      bump(counters, Sp.Elem);
      return;
    }
    this.p = save;
    const type = this.tableType();
    let init: ConstExpr | null = null;
    if (this.kinds[this.p] === Tok.LParen) init = this.constExprRest();
    this.m.tables.push({ type, init });
  }

  private isElemExprStart(): boolean {
    return this.kinds[this.p] === Tok.LParen;
  }

  private constZero(addr: 'i32' | 'i64'): ConstExpr {
    return { bytes: Uint8Array.of(addr === 'i64' ? 0x42 : 0x41, 0, 0x0b), offset: -1 };
  }

  private memoryField(index: number, counters: number[]): void {
    this.optId();
    this.inlineExports('memory', index);
    const imp = this.inlineImport();
    if (imp) {
      this.m.imports.push({ module: imp[0], name: imp[1], desc: { kind: 'memory', type: this.memType() } });
      return;
    }
    const save = this.p;
    const addr = this.addrType();
    const ps = this.pageSize();
    if (this.isField('data')) {
      this.p += 2;
      const parts: Uint8Array[] = [];
      while (this.kinds[this.p] === Tok.String) parts.push(this.string());
      this.expectRP();
      const bytes = concat(parts);
      const log2 = ps ?? 16;
      const pages = Math.ceil(bytes.length / 2 ** log2);
      this.m.memories.push({ addr, min: pages, max: pages, shared: false, pageSizeLog2: log2 });
      this.m.datas.push({ mode: 'active', memory: index, offset: this.constZero(addr), bytes });
      bump(counters, Sp.Data);
      return;
    }
    this.p = save;
    this.m.memories.push(this.memType());
  }

  private globalField(index: number): void {
    this.optId();
    this.inlineExports('global', index);
    const imp = this.inlineImport();
    const type = this.globalType();
    if (imp) {
      this.m.imports.push({ module: imp[0], name: imp[1], desc: { kind: 'global', type } });
      return;
    }
    this.m.globals.push({ type, init: this.constExprRest() });
  }

  private tagField(index: number): void {
    this.optId();
    this.inlineExports('tag', index);
    const imp = this.inlineImport();
    const tu = this.typeUse(true);
    if (imp) {
      this.m.imports.push({ module: imp[0], name: imp[1], desc: { kind: 'tag', typeIndex: tu.index } });
      return;
    }
    this.m.tags.push(tu.index);
  }

  /** A constant expression made of the remaining instructions of the current field. */
  private constExprRest(): ConstExpr {
    this.labels = [];
    this.locals = new Map();
    const out = new Buf(16);
    this.instrs(out);
    out.u8(0x0b);
    return { bytes: out.finish(), offset: -1 };
  }
  /** `(offset instr*)` or a single folded instruction. */
  private offsetExpr(): ConstExpr {
    if (this.isField('offset')) {
      this.p += 2;
      const e = this.constExprRest();
      this.expectRP();
      return e;
    }
    return this.singleFolded();
  }
  private singleFolded(): ConstExpr {
    if (this.kinds[this.p] !== Tok.LParen) this.err('unexpected token');
    this.labels = [];
    this.locals = new Map();
    const out = new Buf(16);
    this.folded(out);
    out.u8(0x0b);
    return { bytes: out.finish(), offset: -1 };
  }
  /** `(item instr*)` or `(instr)`. */
  private elemExpr(): ConstExpr {
    if (this.isField('item')) {
      this.p += 2;
      const e = this.constExprRest();
      this.expectRP();
      return e;
    }
    return this.singleFolded();
  }
  private refFuncExpr(f: number): ConstExpr {
    const b = new Buf(8);
    b.u8(0xd2);
    b.u32(f);
    b.u8(0x0b);
    return { bytes: b.finish(), offset: -1 };
  }

  /** Element list after the mode: `func idx*` | reftype expr* | legacy idx*. */
  private elemList(legacyAllowed: boolean): { type: ValType; init: ConstExpr[] } {
    const init: ConstExpr[] = [];
    if (this.isKw('func')) {
      this.p++;
      while (this.isIdx()) init.push(this.refFuncExpr(this.idx(Sp.Func)));
      return { type: FUNC_NONNULL, init };
    }
    const rt = this.refTypeOpt();
    if (rt !== null) {
      while (this.kinds[this.p] === Tok.LParen) init.push(this.elemExpr());
      return { type: rt, init };
    }
    if (!legacyAllowed && this.kinds[this.p] !== Tok.RParen) this.err('unexpected token');
    while (this.isIdx()) init.push(this.refFuncExpr(this.idx(Sp.Func)));
    return { type: FUNC_NONNULL, init };
  }

  private elemField(_index: number): void {
    this.optId();
    const m = this.m;
    if (this.isKw('declare')) {
      this.p++;
      const { type, init } = this.elemList(false);
      m.elems.push({ mode: 'declarative', table: 0, offset: null, type, init });
      return;
    }
    let table = -1;
    if (this.isField('table')) {
      this.p += 2;
      table = this.idx(Sp.Table);
      this.expectRP();
    } else if (this.isIdx() && this.kinds[this.p + 1] === Tok.LParen) {
      // legacy `(elem 0 (offset) ...)`
      table = this.idx(Sp.Table);
    }
    if (this.kinds[this.p] === Tok.LParen && !this.isField('ref')) {
      const offset = this.offsetExpr();
      const { type, init } = this.elemList(true);
      m.elems.push({ mode: 'active', table: table < 0 ? 0 : table, offset, type, init });
      return;
    }
    if (table >= 0) this.err('unexpected token');
    const { type, init } = this.elemList(false);
    m.elems.push({ mode: 'passive', table: 0, offset: null, type, init });
  }

  private dataField(_index: number): void {
    this.optId();
    let memory = -1;
    if (this.isField('memory')) {
      this.p += 2;
      memory = this.idx(Sp.Mem);
      this.expectRP();
    } else if (this.isIdx() && this.kinds[this.p + 1] === Tok.LParen) {
      memory = this.idx(Sp.Mem);
    }
    let offset: ConstExpr | null = null;
    if (this.kinds[this.p] === Tok.LParen) offset = this.offsetExpr();
    else if (memory >= 0) this.err('unexpected token');
    const parts: Uint8Array[] = [];
    while (this.kinds[this.p] === Tok.String) parts.push(this.string());
    const bytes = concat(parts);
    if (offset) this.m.datas.push({ mode: 'active', memory: memory < 0 ? 0 : memory, offset, bytes });
    else this.m.datas.push({ mode: 'passive', memory: 0, offset: null, bytes });
  }

  // ------------------------------------------------------------------ instructions

  /** Plain and folded instructions until `)`, EOF or a block keyword. */
  instrs(out: Buf): void {
    const kinds = this.kinds;
    for (;;) {
      const k = kinds[this.p];
      if (k === Tok.LParen) {
        this.folded(out);
        continue;
      }
      if (k === Tok.Atom) {
        const name = this.text();
        if (name === 'end' || name === 'else' || name === 'catch' || name === 'catch_all' || name === 'delegate') return;
        this.p++;
        this.plain(name, out);
        continue;
      }
      if (k === Tok.RParen || k === Tok.EOF) return;
      this.err('unexpected token');
    }
  }

  private label(): string | null {
    if (this.kinds[this.p] === Tok.Id) return this.lx.idName(this.p++);
    return null;
  }
  private endLabel(label: string | null): void {
    if (this.kinds[this.p] === Tok.Id) {
      const n = this.lx.idName(this.p);
      if (n !== label) this.err('mismatching label');
      this.p++;
    }
  }
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

  private blockType(out: Buf): void {
    let index = -1;
    const at = this.p;
    if (this.isField('type')) {
      this.p += 2;
      index = this.idx(Sp.Type);
      this.expectRP();
    }
    const params: ValType[] = [];
    const results: ValType[] = [];
    const inlineAt = this.p;
    this.paramsResults(false, params, results, null);
    if (index >= 0) {
      if (this.p !== inlineAt) {
        const t = this.m.types[index];
        if (!t || t.comp.kind !== CompKind.Func || !sameTypes(t.comp.params, params) || !sameTypes(t.comp.results, results)) {
          this.err('inline function type', at);
        }
      }
      out.s32(index);
      return;
    }
    if (params.length === 0 && results.length <= 1) {
      if (results.length === 0) out.u8(0x40);
      else writeValType(out, results[0]!);
      return;
    }
    out.s32(this.implicitType(params, results));
  }

  private plain(name: string, out: Buf): void {
    switch (name) {
      case 'block':
      case 'loop':
      case 'if': {
        const label = this.label();
        out.u8(name === 'block' ? 0x02 : name === 'loop' ? 0x03 : 0x04);
        this.blockType(out);
        this.labels.push(label);
        this.instrs(out);
        if (name === 'if' && this.isKw('else')) {
          this.p++;
          this.endLabel(label);
          out.u8(0x05);
          this.instrs(out);
        }
        this.expectKw('end');
        this.endLabel(label);
        out.u8(0x0b);
        this.labels.pop();
        return;
      }
      case 'try': {
        const label = this.label();
        out.u8(0x06);
        this.blockType(out);
        this.labels.push(label);
        this.instrs(out);
        if (this.isKw('delegate')) {
          this.p++;
          this.labels.pop();
          out.u8(0x18);
          out.u32(this.labelIdx());
          return;
        }
        while (this.isKw('catch')) {
          this.p++;
          out.u8(0x07);
          out.u32(this.idx(Sp.Tag));
          this.instrs(out);
        }
        if (this.isKw('catch_all')) {
          this.p++;
          out.u8(0x19);
          this.instrs(out);
        }
        this.expectKw('end');
        this.endLabel(label);
        out.u8(0x0b);
        this.labels.pop();
        return;
      }
      case 'try_table': {
        const label = this.label();
        out.u8(0x1f);
        this.blockType(out);
        this.catches(out);
        this.labels.push(label);
        this.instrs(out);
        this.expectKw('end');
        this.endLabel(label);
        out.u8(0x0b);
        this.labels.pop();
        return;
      }
    }
    this.op(name, out);
  }

  private catches(out: Buf): void {
    const clauses: number[][] = [];
    const b = new Buf(16);
    let n = 0;
    for (;;) {
      const k = this.fieldKw();
      if (k === 'catch' || k === 'catch_ref') {
        this.p += 2;
        b.u8(k === 'catch' ? 0 : 1);
        b.u32(this.idx(Sp.Tag));
        b.u32(this.labelIdx());
      } else if (k === 'catch_all' || k === 'catch_all_ref') {
        this.p += 2;
        b.u8(k === 'catch_all' ? 2 : 3);
        b.u32(this.labelIdx());
      } else break;
      this.expectRP();
      n++;
    }
    void clauses;
    out.u32(n);
    out.bytes(b.buf.subarray(0, b.length));
  }

  folded(out: Buf): void {
    const lp = this.p;
    const k1 = this.kinds[lp + 1];
    if (k1 !== Tok.Atom) this.err(k1 === Tok.Reserved ? 'unknown operator' : 'unexpected token', lp + 1);
    const name = this.text(lp + 1);
    this.p = lp + 2;
    switch (name) {
      case 'block':
      case 'loop': {
        const label = this.label();
        out.u8(name === 'block' ? 0x02 : 0x03);
        this.blockType(out);
        this.labels.push(label);
        this.instrs(out);
        this.expectRP();
        out.u8(0x0b);
        this.labels.pop();
        return;
      }
      case 'if': {
        const label = this.label();
        const a = out.length;
        out.u8(0x04);
        this.blockType(out);
        const b = out.length;
        while (this.kinds[this.p] === Tok.LParen && !this.isField('then')) this.folded(out);
        out.rotate(a, b);
        this.labels.push(label);
        this.expectLP('then');
        this.instrs(out);
        this.expectRP();
        if (this.isField('else')) {
          this.p += 2;
          out.u8(0x05);
          this.instrs(out);
          this.expectRP();
        }
        this.expectRP();
        out.u8(0x0b);
        this.labels.pop();
        return;
      }
      case 'try': {
        const label = this.label();
        out.u8(0x06);
        this.blockType(out);
        this.labels.push(label);
        this.expectLP('do');
        this.instrs(out);
        this.expectRP();
        if (this.isField('delegate')) {
          this.p += 2;
          this.labels.pop();
          out.u8(0x18);
          out.u32(this.labelIdx());
          this.expectRP();
          this.expectRP();
          return;
        }
        while (this.isField('catch')) {
          this.p += 2;
          out.u8(0x07);
          out.u32(this.idx(Sp.Tag));
          this.instrs(out);
          this.expectRP();
        }
        if (this.isField('catch_all')) {
          this.p += 2;
          out.u8(0x19);
          this.instrs(out);
          this.expectRP();
        }
        this.expectRP();
        out.u8(0x0b);
        this.labels.pop();
        return;
      }
      case 'try_table': {
        const label = this.label();
        out.u8(0x1f);
        this.blockType(out);
        this.catches(out);
        this.labels.push(label);
        this.instrs(out);
        this.expectRP();
        out.u8(0x0b);
        this.labels.pop();
        return;
      }
    }
    if (CLAUSE_KEYWORDS.has(name)) this.err('unexpected token', lp + 1);
    const a = out.length;
    this.op(name, out);
    const b = out.length;
    while (this.kinds[this.p] === Tok.LParen) this.folded(out);
    out.rotate(a, b);
    this.expectRP();
  }

  private emitOp(d: InstrDef, out: Buf): void {
    if (d.prefix === 0) out.u8(d.code);
    else {
      out.u8(d.prefix);
      out.u32(d.code);
    }
  }

  /** A non-block instruction (name already consumed): opcode and immediates. */
  private op(name: string, out: Buf): void {
    const defs = BY_NAME.get(name);
    if (!defs) {
      if (DESCRIPTOR_OPS.has(name)) this.unsupported(name, this.p - 1);
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
        out.u32(this.optIdx(Sp.Mem));
        return;
      case 'memarg': {
        const mem = this.optIdx(Sp.Mem);
        this.emitOp(d, out);
        this.memarg(d, mem, out);
        return;
      }
      case 'memarg_lane': {
        // memidx? memarg lane: a leading index is the memory only when another index/memarg follows
        let mem = 0;
        if (this.kinds[this.p] === Tok.Id) mem = this.idx(Sp.Mem);
        else if (this.isNat() && (this.isNat(this.p + 1) || this.isMemargKw(this.p + 1))) mem = this.idx(Sp.Mem);
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
        if (this.isIdx(this.p + 1)) mem = this.idx(Sp.Mem);
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
        if (this.isIdx()) {
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

export function writeHeap(out: Buf, heap: number): void {
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

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** `(@custom "name" place? string*)` contents -> custom section. */
function parseCustomAnnot(lx: Lexer, c: CustomAnnot): CustomSection {
  const sub = new Lexer(lx.src, lx.file, c.start, c.end);
  const fail = (reason: string, i: number): never => lx.error(`@custom annotation: ${reason}`, sub.starts[i] ?? c.at);
  let i = 0;
  if (sub.kinds[i] !== Tok.String) fail('missing section name', i);
  let name: string;
  try {
    name = utf8.decode(sub.stringBytes(i));
  } catch {
    return fail('malformed UTF-8 encoding', i);
  }
  i++;
  let after = 11;
  if (sub.kinds[i] === Tok.LParen) {
    const k = sub.kinds[i + 1] === Tok.Atom ? sub.text(i + 1) : '';
    if (k !== 'before' && k !== 'after') fail('malformed placement', i + 1);
    const s = sub.kinds[i + 2] === Tok.Atom ? sub.text(i + 2) : '';
    let id: number | undefined;
    if (s === 'first') id = 0;
    else if (s === 'last') id = 11;
    else id = SECTION_ID[s];
    if (id === undefined) return fail('malformed section kind', i + 2);
    if (sub.kinds[i + 3] !== Tok.RParen) fail('unexpected token', i + 3);
    if (k === 'after') after = s === 'first' ? 0 : id;
    else if (s === 'first') after = 0;
    else if (s === 'last') after = 11;
    else {
      const pos = SECTION_ORDER.indexOf(id);
      after = pos <= 0 ? 0 : SECTION_ORDER[pos - 1]!;
    }
    i += 4;
  }
  const parts: Uint8Array[] = [];
  while (sub.kinds[i] === Tok.String) parts.push(sub.stringBytes(i++));
  if (sub.kinds[i] !== Tok.EOF) fail('unexpected token', i);
  return { name, bytes: concat(parts), after };
}

/** Throwable used by script parsing for a failed module. */
export function isTextError(e: unknown): e is TextError {
  return e instanceof TextError;
}

export { opcodeBytes };
