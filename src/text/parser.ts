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
 * ModuleParser is the last of the parser's layers (context.ts lists them):
 * types are parsed by type-parser.ts, instruction sequences and constant
 * expressions by expr-parser.ts, and single instructions by instr-parser.ts,
 * whose encoding is driven by the instruction table (core/instructions.ts):
 * every row's `imm` kind selects how its immediates are read and written.
 */
import { concatBytes } from '../core/bytes.js';
import { TextError } from '../core/errors.js';
import { opcodeBytes } from '../core/instructions.js';
import type { ConstExpr, CustomSection, ExternKind, LocalGroup, Module } from '../core/module.js';
import { HeapType, refType, type ValType } from '../core/types.js';
import { Buf } from './buf.js';
import { Sp, utf8 } from './context.js';
import { ExprParser, type BranchHint } from './expr-parser.js';
import { writeValType } from './type-parser.js';
import { Lexer, Tok, type CustomAnnot } from './lexer.js';

const KIND_SPACE: Record<string, Sp> = { func: Sp.Func, table: Sp.Table, memory: Sp.Mem, global: Sp.Global, tag: Sp.Tag };
const IMPORT_AFTER: Record<string, string> = {
  func: 'function',
  table: 'table',
  memory: 'memory',
  global: 'global',
  tag: 'tag',
};

/** Type of `func x*` element lists (Wasm 3.0: non-nullable funcref). */
const FUNC_NONNULL = refType(HeapType.func, false);

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

interface FieldInfo {
  at: number; // token index of '('
  kw: string;
}

function bump(a: number[], i: number): number {
  const v = a[i]!;
  a[i] = v + 1;
  return v;
}

export class ModuleParser extends ExprParser {
  private counts = [0, 0, 0, 0, 0, 0, 0, 0];
  private funcNames = new Map<number, string>();
  private localNames = new Map<number, Map<number, string>>();
  private tagNames = new Map<number, string>();
  /** Branch hints by function, offsets relative to the function body (its locals vector included). */
  private branchHints: { func: number; hints: BranchHint[] }[] = [];

  /**
   * Parse the module fields in tokens [first, last): `last` is the index of
   * the closing `)` of `(module ...)` or the EOF token. `depth` is the paren
   * depth of the fields (for @custom placement).
   */
  parseModule(first: number, last: number, depth: number, moduleName: string | null): Module {
    const m = this.m;
    const fields: FieldInfo[] = [];
    moduleName = this.nameAt(first, 'module') ?? moduleName;
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
      this.later(kw !== 'tag' && kw !== 'rec', at + 1);
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
    this.misplaced(first, last, fields);
    if (this.branchHints.length > 0) m.customs.push(branchHintSection(this.branchHints));
    if (moduleName !== null || this.funcNames.size || this.localNames.size || this.tagNames.size) {
      m.names = { functions: this.funcNames, locals: this.localNames };
      if (moduleName !== null) m.names.module = moduleName;
      if (this.tagNames.size) m.names.tags = this.tagNames;
    }
    return m;
  }

  /** `@name` annotations before token `at` naming one thing: its name, or null (overriding its `$id`). */
  private nameAt(at: number, what: string): string | null {
    const names = this.namesAt(at);
    if (names.length > 1) this.err(`@name annotation: multiple ${what} names`, at);
    return names.length === 1 ? names[0]! : null;
  }

  /** `@name` and branch-hint annotations of this module that no construct took. */
  private misplaced(first: number, last: number, fields: FieldInfo[]): void {
    for (const a of this.lx.names) {
      if (a.token >= first && a.token <= last && !this.usedAnnots.has(a)) this.lx.error('misplaced @name annotation', a.at);
    }
    for (const a of this.lx.hints) {
      if (a.token < first || a.token > last || this.usedAnnots.has(a)) continue;
      const inFunc = fields.some((f) => f.kw === 'func' && f.at < a.token && a.token <= this.close[f.at]!);
      this.lx.error(`@metadata.code.branch_hint annotation: ${inFunc ? 'invalid placement' : 'not in a function'}`, a.at);
    }
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
    this.later(k !== 'tag', this.p + 1);
    this.p += 2;
    const id = this.optId();
    const m = this.m;
    switch (k) {
      case 'func': {
        const index = bump(counters, Sp.Func);
        const tu = this.importTypeUse();
        if (id !== null) this.funcNames.set(index, id);
        m.imports.push({ module: mod, name: nm, desc: tu.exact ? { kind: 'func', typeIndex: tu.index, exact: true } : { kind: 'func', typeIndex: tu.index } });
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
    const name = this.nameAt(this.p, 'function') ?? id;
    if (name !== null) this.funcNames.set(index, name);
    this.inlineExports('func', index);
    const imp = this.inlineImport();
    if (imp) {
      const tu = this.importTypeUse();
      this.m.imports.push({ module: imp[0], name: imp[1], desc: tu.exact ? { kind: 'func', typeIndex: tu.index, exact: true } : { kind: 'func', typeIndex: tu.index } });
      return;
    }
    const tu = this.typeUse(true);
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
    const hints: BranchHint[] = (this.fnHints = []);
    this.instrs(out);
    this.fnHints = null;
    out.u8(0x0b);
    if (hints.length > 0) {
      // offsets count from the start of the body: the locals vector comes first
      const head = new Buf(16);
      head.u32(groups.length);
      for (const g of groups) {
        head.u32(g.count);
        writeValType(head, g.type);
      }
      hints.sort((a, b) => a.off - b.off);
      for (const h of hints) h.off += head.length;
      this.branchHints.push({ func: index, hints });
    }
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
      // in Wasm 1.0 / 2.0 text a list of function indices is the `func x*` form (binary flag 0, the only form 1.0
      // has), whose segment type the decoder reads as (ref func)
      let type = rt;
      if (this.isElemExprStart()) {
        while (this.kinds[this.p] === Tok.LParen) init.push(this.elemExpr());
      } else {
        while (this.isIdx()) init.push(this.refFuncExpr(this.idx(Sp.Func)));
        if (this.older()) type = refType(HeapType.func, false);
      }
      this.expectRP();
      const n = init.length;
      this.m.tables.push({ type: { elem: rt, addr, min: n, max: n }, init: null });
      this.m.elems.push({
        mode: 'active',
        table: index,
        offset: this.constZero(addr),
        type,
        init,
      });
      bump(counters, Sp.Elem);
      return;
    }
    this.p = save;
    const type = this.tableType();
    let init: ConstExpr | null = null;
    // a table's initialiser (function references) is not Wasm 1.0 / 2.0 text
    if (this.kinds[this.p] === Tok.LParen) {
      if (this.older()) this.err('unexpected token');
      init = this.constExprRest();
    }
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
      const bytes = concatBytes(parts);
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
    const name = this.nameAt(this.p, 'tag');
    if (name !== null) this.tagNames.set(index, name);
    this.inlineExports('tag', index);
    const imp = this.inlineImport();
    const tu = this.typeUse(true);
    if (imp) {
      this.m.imports.push({ module: imp[0], name: imp[1], desc: { kind: 'tag', typeIndex: tu.index } });
      return;
    }
    this.m.tags.push(tu.index);
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
    const bytes = concatBytes(parts);
    if (offset) this.m.datas.push({ mode: 'active', memory: memory < 0 ? 0 : memory, offset, bytes });
    else this.m.datas.push({ mode: 'passive', memory: 0, offset: null, bytes });
  }
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
  return { name, bytes: concatBytes(parts), after };
}

/** The `metadata.code.branch_hint` custom section (placed before the code section) of the hints of every function. */
function branchHintSection(funcs: { func: number; hints: BranchHint[] }[]): CustomSection {
  const b = new Buf(64);
  b.u32(funcs.length);
  for (const f of funcs) {
    b.u32(f.func);
    b.u32(f.hints.length);
    for (const h of f.hints) {
      b.u32(h.off);
      b.u32(1);
      b.u8(h.hint);
    }
  }
  return { name: 'metadata.code.branch_hint', bytes: b.finish(), after: SECTION_ORDER[SECTION_ORDER.indexOf(10) - 1]! };
}

/** Throwable used by script parsing for a failed module. */
export function isTextError(e: unknown): e is TextError {
  return e instanceof TextError;
}

export { opcodeBytes };
