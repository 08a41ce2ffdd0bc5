/**
 * The module parser's shared state and token-level helpers.
 *
 * The text-format module parser is one class built up over a chain of files,
 * each extending the one before it (imports run one way, down this list):
 *   context.ts       ParseContext: token cursor, errors, index spaces, the Module being built
 *   type-parser.ts   TypeParser: value, heap, composite, table, memory and global types; type uses
 *   instr-parser.ts  InstrParser: one plain instruction, its opcode and immediates
 *   expr-parser.ts   ExprParser: instruction sequences, blocks, folded and constant expressions
 *   parser.ts        ModuleParser: the module's fields, in three passes
 */
import { TextError } from '../core/errors.js';
import { emptyModule, type Module } from '../core/module.js';
import { isKnownAtom } from './keywords.js';
import { Lexer, Tok } from './lexer.js';
import { parseNat } from './numbers.js';

export const enum Sp {
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

export const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

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

/** Token cursor, error reporting, identifiers and the state shared by every parsing layer. */
export class ParseContext {
  readonly kinds: Uint8Array;
  readonly starts: Int32Array;
  p = 0;
  private names: Map<string, number>[] = [];
  protected fieldNames: (Map<string, number> | undefined)[] = [];
  readonly m: Module = emptyModule();
  // function context
  protected locals = new Map<string, number>();
  protected labels: (string | null)[] = [];
  protected usesData = false;

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
  protected text(i = this.p): string {
    return this.lx.text(i);
  }
  /** Keyword text at token i, or null when not an atom. */
  protected kw(i = this.p): string | null {
    return this.kinds[i] === Tok.Atom ? this.lx.text(i) : null;
  }
  protected isKw(s: string, i = this.p): boolean {
    if (this.kinds[i] !== Tok.Atom) return false;
    const st = this.starts[i]!;
    if (this.lx.ends[i]! - st !== s.length) return false;
    const src = this.lx.src;
    for (let j = 0; j < s.length; j++) if (src[st + j] !== s.charCodeAt(j)) return false;
    return true;
  }
  /** `(kw` at p? */
  protected isField(s: string, i = this.p): boolean {
    return this.kinds[i] === Tok.LParen && this.isKw(s, i + 1);
  }
  protected fieldKw(i = this.p): string | null {
    return this.kinds[i] === Tok.LParen ? this.kw(i + 1) : null;
  }
  protected expectRP(): void {
    if (this.kinds[this.p] !== Tok.RParen) this.err('unexpected token');
    this.p++;
  }
  protected expectLP(s: string): void {
    if (!this.isField(s)) this.err('unexpected token');
    this.p += 2;
  }
  protected expectKw(s: string): void {
    if (!this.isKw(s)) this.err('unexpected token');
    this.p++;
  }
  protected isNat(i = this.p): boolean {
    if (this.kinds[i] !== Tok.Atom) return false;
    const c = this.lx.src[this.starts[i]!]!;
    return c >= 0x30 && c <= 0x39;
  }
  protected optId(): string | null {
    if (this.kinds[this.p] !== Tok.Id) return null;
    return this.lx.idName(this.p++);
  }
  protected string(): Uint8Array {
    if (this.kinds[this.p] !== Tok.String) this.err('unexpected token');
    return this.lx.stringBytes(this.p++);
  }
  protected name(): string {
    const at = this.p;
    const b = this.string();
    try {
      return utf8.decode(b);
    } catch {
      return this.err('malformed UTF-8 encoding', at);
    }
  }
  protected u32(what = 'i32 constant out of range'): number {
    if (!this.isNat()) this.err('unexpected token');
    const v = parseNat(this.text());
    if (v === null) this.err('unexpected token');
    if (v > 0xffffffffn) this.err(what);
    this.p++;
    return Number(v);
  }
  /** Whether the text is read as Wasm 1.0 or 2.0 (Lexer.profile): 32-bit limits and offsets, no address types. */
  protected older(): boolean {
    const p = this.lx.profile;
    return p === '1.0' || p === '2.0';
  }
  /** The text format version read: 1 or 2 under the Wasm 1.0 / 2.0 profiles, else 3. */
  protected format(): number {
    const p = this.lx.profile;
    return p === '1.0' ? 1 : p === '2.0' ? 2 : 3;
  }
  /** Syntax of a later proposal at token `at` (`ok` false) is malformed Wasm 1.0 / 2.0 text: "unknown operator". */
  protected later(ok: boolean, at = this.p): void {
    if (!ok && this.older()) this.err('unknown operator', at);
  }
  protected u64(): bigint {
    if (!this.isNat()) this.err('unexpected token');
    const v = parseNat(this.text());
    if (v === null) this.err('unexpected token');
    if (v > 0xffffffffffffffffn) this.err('i64 constant out of range');
    this.p++;
    return v;
  }
  protected skipField(): void {
    const c = this.close[this.p]!;
    if (c < 0) this.err('unexpected end', this.p);
    this.p = c + 1;
  }

  // ------------------------------------------------------------------ index spaces

  protected bind(sp: Sp, name: string | null, index: number, at: number): void {
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
  protected isIdx(i = this.p): boolean {
    return this.kinds[i] === Tok.Id || this.isNat(i);
  }
  protected optIdx(sp: Sp): number {
    return this.isIdx() ? this.idx(sp) : 0;
  }
  /**
   * An instruction's optional memory index. Wasm 1.0 / 2.0 text has none: the index is left for the next token,
   * which rejects it as malformed ("unexpected token").
   */
  protected optMemIdx(): number {
    return this.older() ? 0 : this.optIdx(Sp.Mem);
  }
}
