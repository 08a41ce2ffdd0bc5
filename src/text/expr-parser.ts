/**
 * Instruction sequences of the text format (see context.ts for the parser's
 * layers): plain and folded instructions, block structure (block, loop, if,
 * try, try_table) with labels and block types, and the constant expressions
 * of globals, tables and segments.
 */
import type { ConstExpr } from '../core/module.js';
import { ValidationError } from '../core/errors.js';
import { CompKind, type ValType } from '../core/types.js';
import { Buf } from './buf.js';
import { Sp, utf8 } from './context.js';
import { InstrParser } from './instr-parser.js';
import { Lexer, Tok, type CustomAnnot } from './lexer.js';
import { sameTypes, writeValType } from './type-parser.js';

/** Keywords that start a clause, never a folded instruction. */
const CLAUSE_KEYWORDS = new Set(['else', 'end', 'catch', 'catch_all', 'delegate', 'then', 'do', 'type', 'param', 'result', 'local', 'export', 'import', 'item', 'offset']);

/** A branch hint of the function being parsed: the offset of its `if`/`br_if` in the instruction bytes, and the hint (0 unlikely, 1 likely). */
export interface BranchHint {
  off: number;
  hint: number;
}

/** Annotations of one kind by the index of the token that follows them. */
function byToken(list: CustomAnnot[]): Map<number, CustomAnnot[]> {
  const map = new Map<number, CustomAnnot[]>();
  for (const a of list) {
    const l = map.get(a.token);
    if (l === undefined) map.set(a.token, [a]);
    else l.push(a);
  }
  return map;
}

const HINT = '@metadata.code.branch_hint annotation';

export class ExprParser extends InstrParser {
  /** Branch hints of the function body being parsed, or null outside function bodies. */
  protected fnHints: BranchHint[] | null = null;
  /** `@name` and branch-hint annotations this parser has placed (the rest are misplaced). */
  protected readonly usedAnnots = new Set<CustomAnnot>();
  private namesByToken: Map<number, CustomAnnot[]> | null = null;
  private hintsByToken: Map<number, CustomAnnot[]> | null = null;

  /** The `(@name "...")` annotations right before token `at`, as strings (marked as placed). */
  protected namesAt(at: number): string[] {
    if (this.lx.names.length === 0) return [];
    const list = (this.namesByToken ??= byToken(this.lx.names)).get(at);
    if (list === undefined) return [];
    return list.map((a) => {
      this.usedAnnots.add(a);
      const sub = new Lexer(this.lx.src, this.lx.file, a.start, a.end);
      const fail = (reason: string, i: number): never => this.lx.error(`@name annotation: ${reason}`, sub.starts[i] ?? a.at);
      if (sub.kinds[0] !== Tok.String) fail('string expected', 0);
      if (sub.kinds[1] !== Tok.EOF) fail('unexpected token', 1);
      try {
        return utf8.decode(sub.stringBytes(0));
      } catch {
        return this.lx.error('malformed UTF-8 encoding', sub.starts[0]!);
      }
    });
  }

  /**
   * A branch hint right before the instruction `name` at token `at`, whose opcode will be written at `off`: recorded
   * for the function's `metadata.code.branch_hint` section. Only `if` and `br_if` take one (else invalid).
   */
  private hintAt(at: number, name: string, off: number): void {
    if (this.fnHints === null || this.lx.hints.length === 0) return;
    const list = (this.hintsByToken ??= byToken(this.lx.hints)).get(at);
    if (list === undefined) return;
    const a = list[0]!;
    this.usedAnnots.add(a);
    if (list.length > 1) this.lx.error(`${HINT}: duplicate annotation`, list[1]!.at);
    const sub = new Lexer(this.lx.src, this.lx.file, a.start, a.end);
    const bytes: number[] = [];
    for (let i = 0; sub.kinds[i] !== Tok.EOF; i++) {
      if (sub.kinds[i] !== Tok.String) this.lx.error(`${HINT}: unexpected token`, sub.starts[i]!);
      bytes.push(...sub.stringBytes(i));
    }
    if (bytes.length !== 1 || bytes[0]! > 1) this.lx.error(`${HINT}: invalid hint value`, a.at);
    if (name !== 'if' && name !== 'br_if') throw new ValidationError(`${HINT}: invalid target`);
    this.fnHints.push({ off, hint: bytes[0]! });
  }

  /** out.rotate(a, b) for a folded instruction, moving the branch hints recorded since `mark` with their bytes. */
  private rotate(out: Buf, a: number, b: number, mark: number): void {
    const hs = this.fnHints;
    if (hs !== null) {
      const end = out.length;
      for (let i = mark; i < hs.length; i++) {
        const h = hs[i]!;
        h.off = h.off < b ? h.off + (end - b) : h.off - (b - a);
      }
    }
    out.rotate(a, b);
  }

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
        this.hintAt(this.p, name, out.length);
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
    const mark = this.fnHints === null ? 0 : this.fnHints.length;
    this.hintAt(lp, name, out.length);
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
        this.rotate(out, a, b, mark);
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
    this.rotate(out, a, b, mark);
    this.expectRP();
  }

  /** A constant expression made of the remaining instructions of the current field. */
  protected constExprRest(): ConstExpr {
    this.labels = [];
    this.locals = new Map();
    const out = new Buf(16);
    this.instrs(out);
    out.u8(0x0b);
    return { bytes: out.finish(), offset: -1 };
  }
  /** `(offset instr*)` or a single folded instruction. */
  protected offsetExpr(): ConstExpr {
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
  protected elemExpr(): ConstExpr {
    if (this.isField('item')) {
      this.p += 2;
      const e = this.constExprRest();
      this.expectRP();
      return e;
    }
    return this.singleFolded();
  }
  protected refFuncExpr(f: number): ConstExpr {
    const b = new Buf(8);
    b.u8(0xd2);
    b.u32(f);
    b.u8(0x0b);
    return { bytes: b.finish(), offset: -1 };
  }
}
