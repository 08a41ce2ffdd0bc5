/**
 * Tokenizer for the WebAssembly text format (spec 6.2 "Lexical format") and
 * the `.wast` script extensions.
 *
 * The source is read as UTF-8 bytes. Tokens are stored in parallel typed
 * arrays (kind, start, end byte offsets) so that the 30 MB testsuite lexes
 * without allocating one object per token. Line and column are computed
 * lazily from a byte offset, only when an error is reported.
 *
 * Annotations `(@id ...)` are skipped here, except `(@custom ...)`, `(@name ...)`
 * and `(@metadata.code.branch_hint ...)`, whose source range, nesting depth and
 * following token are recorded in `customs`, `names` and `hints` (the module
 * parser turns them into custom sections, names and branch hints, or reports
 * them as misplaced).
 */
import { addedOf, profileOf, type FeatureName, type FeatureSpec, type Profile } from '../core/instructions.js';
import { TextError } from '../core/errors.js';

export const enum Tok {
  LParen = 1,
  RParen = 2,
  /** keyword, number, or any other run of idchars without strings */
  Atom = 3,
  /** `$name` or `$"name"` */
  Id = 4,
  String = 5,
  /** a run mixing idchars, strings and other reserved characters */
  Reserved = 6,
  EOF = 7,
}

/** A `(@custom ...)`, `(@name ...)` or `(@metadata.code.branch_hint ...)` annotation seen by the lexer. */
export interface CustomAnnot {
  /** Index of the first token after the annotation. */
  token: number;
  /** Number of open parentheses around the annotation. */
  depth: number;
  /** Byte range of the annotation's contents (after `(@custom`, before its `)`). */
  start: number;
  end: number;
  /** Byte offset of the `(@custom`. */
  at: number;
}

// character classes
const C_IDCHAR = 1;
const C_SPACE = 2;
const C_DIGIT = 4;
const C_HEX = 8;
const CLASS = new Uint8Array(256);
for (let c = 0x21; c < 0x7f; c++) CLASS[c] = C_IDCHAR;
for (const ch of ' "(),;[]{}') CLASS[ch.charCodeAt(0)] = 0;
for (const ch of ' \t\n\r') CLASS[ch.charCodeAt(0)] = C_SPACE;
for (let c = 0x30; c <= 0x39; c++) CLASS[c] = CLASS[c]! | C_DIGIT | C_HEX;
for (let c = 0x41; c <= 0x46; c++) CLASS[c] = CLASS[c]! | C_HEX;
for (let c = 0x61; c <= 0x66; c++) CLASS[c] = CLASS[c]! | C_HEX;

export function isIdChar(c: number): boolean {
  return (CLASS[c]! & C_IDCHAR) !== 0;
}
export function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

const utf8dec = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Length of the valid UTF-8 sequence starting at `p` (lead byte >= 0x80), or 0 when malformed. */
function utf8Len(src: Uint8Array, p: number, end: number): number {
  const b = src[p]!;
  let n: number;
  let min: number;
  if (b >= 0xc2 && b <= 0xdf) (n = 2), (min = 0x80);
  else if (b >= 0xe0 && b <= 0xef) (n = 3), (min = 0x800);
  else if (b >= 0xf0 && b <= 0xf4) (n = 4), (min = 0x10000);
  else return 0;
  if (p + n > end) return 0;
  let cp = b & (0x7f >> n);
  for (let i = 1; i < n; i++) {
    const c = src[p + i]!;
    if ((c & 0xc0) !== 0x80) return 0;
    cp = (cp << 6) | (c & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return n;
}

export class Lexer {
  kinds: Uint8Array;
  starts: Int32Array;
  ends: Int32Array;
  count = 0;
  customs: CustomAnnot[] = [];
  /** `(@name ...)` annotations. */
  names: CustomAnnot[] = [];
  /** `(@metadata.code.branch_hint ...)` annotations. */
  hints: CustomAnnot[] = [];
  private lineStarts: number[] | null = null;
  /** Paren depth while lexing (for annotations). */
  private depth = 0;

  /**
   * The standard the text is read as (a features profile): Wasm 1.0 / 2.0 have no instructions of later proposals
   * ("unknown operator"), no 64-bit address types, and 32-bit limits and memory offsets. null: Wasm 3.0 and every
   * extension wasmeter knows.
   */
  profile: Profile | null = null;
  /** The proposals added to `profile` (`{ profile: '1.0', threads: true }`): their syntax is read too. */
  added: readonly FeatureName[] = [];
  /** The features option the text is read under (`profiled`), which `profile` and `added` come from. */
  features: FeatureSpec | null = null;

  constructor(
    readonly src: Uint8Array,
    readonly file: string,
    /** Only lex src[begin, end). */
    readonly begin = 0,
    readonly end = src.length,
  ) {
    const guess = Math.max(16, ((end - begin) / 3) | 0);
    this.kinds = new Uint8Array(guess);
    this.starts = new Int32Array(guess);
    this.ends = new Int32Array(guess);
    this.run();
  }

  // ------------------------------------------------------------ positions

  /** 1-based line and column (in characters) of a byte offset. */
  position(offset: number): { line: number; column: number } {
    if (!this.lineStarts) {
      const ls = [0];
      const s = this.src;
      for (let i = 0; i < s.length; i++) if (s[i] === 0x0a) ls.push(i + 1);
      this.lineStarts = ls;
    }
    const ls = this.lineStarts;
    let lo = 0;
    let hi = ls.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (ls[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    // columns count characters (UTF-8 continuation bytes do not start one)
    let column = 1;
    for (let i = ls[lo]!; i < offset; i++) if ((this.src[i]! & 0xc0) !== 0x80) column++;
    return { line: lo + 1, column };
  }

  error(reason: string, offset: number): never {
    const { line, column } = this.position(offset);
    throw new TextError(reason, this.file, line, column);
  }

  // ------------------------------------------------------------ token access

  text(i: number): string {
    const s = this.starts[i]!;
    const e = this.ends[i]!;
    let out = '';
    const src = this.src;
    for (let p = s; p < e; p++) out += String.fromCharCode(src[p]!);
    return out;
  }

  /** Bytes of string token i (escapes decoded). */
  stringBytes(i: number): Uint8Array {
    return decodeString(this.src, this.starts[i]! + 1, this.ends[i]! - 1);
  }

  /** Name of an Id token (without `$`), decoded from `$"..."` when quoted. */
  idName(i: number): string {
    const s = this.starts[i]!;
    const src = this.src;
    if (src[s + 1] === 0x22) {
      const bytes = decodeString(src, s + 2, this.ends[i]! - 1);
      if (bytes.length === 0) this.error('empty identifier', s);
      try {
        return utf8dec.decode(bytes);
      } catch {
        return this.error('malformed UTF-8 encoding', s);
      }
    }
    let out = '';
    for (let p = s + 1; p < this.ends[i]!; p++) out += String.fromCharCode(src[p]!);
    return out;
  }

  // ------------------------------------------------------------ scanning

  private push(kind: Tok, start: number, end: number): void {
    if (this.count === this.kinds.length) {
      const n = this.count * 2;
      const k = new Uint8Array(n);
      k.set(this.kinds);
      const s = new Int32Array(n);
      s.set(this.starts);
      const e = new Int32Array(n);
      e.set(this.ends);
      this.kinds = k;
      this.starts = s;
      this.ends = e;
    }
    this.kinds[this.count] = kind;
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.count++;
  }

  private run(): void {
    let p = this.begin;
    for (;;) {
      p = this.scan(p, true);
      if (p < 0) break;
    }
    if (this.depth > 0) {
      // leave unbalanced parens to the parser ("unexpected end")
    }
    this.push(Tok.EOF, this.end, this.end);
  }

  /** Skip whitespace and comments from p; return the offset of the next token or `end`. */
  private skipSpace(p: number): number {
    const src = this.src;
    const end = this.end;
    while (p < end) {
      const c = src[p]!;
      if (c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d) {
        p++;
      } else if (c === 0x3b && src[p + 1] === 0x3b && p + 1 < end) {
        // line comment
        p += 2;
        while (p < end && src[p] !== 0x0a && src[p] !== 0x0d) {
          if (src[p]! >= 0x80) {
            const n = utf8Len(src, p, end);
            if (n === 0) this.error('malformed UTF-8 encoding', p);
            p += n;
          } else p++;
        }
      } else if (c === 0x28 && src[p + 1] === 0x3b && p + 1 < end) {
        // block comment, nested
        const open = p;
        let level = 1;
        p += 2;
        while (level > 0) {
          if (p >= end) this.error('unclosed comment', open);
          const d = src[p]!;
          if (d === 0x28 && src[p + 1] === 0x3b && p + 1 < end) {
            level++;
            p += 2;
          } else if (d === 0x3b && src[p + 1] === 0x29 && p + 1 < end) {
            level--;
            p += 2;
          } else if (d >= 0x80) {
            const n = utf8Len(src, p, end);
            if (n === 0) this.error('malformed UTF-8 encoding', p);
            p += n;
          } else p++;
        }
      } else break;
    }
    return p;
  }

  /**
   * Scan one token starting at (or after whitespace from) p. When `emit`,
   * the token is pushed; annotations are consumed entirely. Returns the
   * offset after the token, or -1 at end of input.
   */
  private scan(p: number, emit: boolean): number {
    const src = this.src;
    const end = this.end;
    p = this.skipSpace(p);
    if (p >= end) return -1;
    const c = src[p]!;
    if (c === 0x28) {
      if (emit && src[p + 1] === 0x40 && p + 1 < end) return this.annotation(p);
      if (emit) this.push(Tok.LParen, p, p + 1);
      this.depth++;
      return p + 1;
    }
    if (c === 0x29) {
      if (emit) this.push(Tok.RParen, p, p + 1);
      this.depth--;
      return p + 1;
    }
    // a run of idchars, strings and reserved characters
    const start = p;
    if (c === 0x24 && src[p + 1] === 0x22) {
      try {
        this.skipString(p + 1);
      } catch {
        this.error('empty identifier', p);
      }
    }
    let strings = 0;
    let others = 0; // reserved non-idchars: , ; [ ] { }
    while (p < end) {
      const d = src[p]!;
      if (CLASS[d]! & C_IDCHAR) {
        p++;
      } else if (d === 0x22) {
        p = this.skipString(p);
        strings++;
      } else if (d === 0x2c || d === 0x5b || d === 0x5d || d === 0x7b || d === 0x7d) {
        p++;
        others++;
      } else if (d === 0x3b) {
        if (src[p + 1] === 0x3b && p + 1 < end) break;
        p++;
        others++;
      } else if (d === 0x28 || d === 0x29 || d === 0x20 || d === 0x0a || d === 0x09 || d === 0x0d) {
        break;
      } else if (d >= 0x80) {
        const n = utf8Len(src, p, end);
        this.error(n === 0 ? 'malformed UTF-8 encoding' : 'illegal character', p);
      } else {
        this.error('illegal character', p);
      }
    }
    if (!emit) return p;
    let kind: Tok;
    if (strings === 0 && others === 0) {
      kind = c === 0x24 ? Tok.Id : Tok.Atom;
      if (kind === Tok.Id && p - start === 1) this.error('empty identifier', start);
    } else if (strings === 1 && others === 0 && c === 0x22 && src[p - 1] === 0x22 && this.stringEndsAt(start) === p) {
      kind = Tok.String;
    } else if (strings === 1 && others === 0 && c === 0x24 && src[start + 1] === 0x22 && this.stringEndsAt(start + 1) === p) {
      kind = Tok.Id;
      if (p - start === 3) this.error('empty identifier', start);
    } else {
      kind = Tok.Reserved;
    }
    this.push(kind, start, p);
    return p;
  }

  private stringEndsAt(p: number): number {
    return this.skipString(p);
  }

  /** p at the opening quote; returns the offset after the closing quote. Checks escapes and UTF-8. */
  private skipString(p: number): number {
    const src = this.src;
    const end = this.end;
    const open = p;
    p++;
    for (;;) {
      if (p >= end) this.error('unclosed string', open);
      const d = src[p]!;
      if (d === 0x22) return p + 1;
      if (d === 0x5c) {
        const e = src[p + 1];
        if (p + 1 >= end) this.error('unclosed string', open);
        if (e === 0x6e || e === 0x74 || e === 0x72 || e === 0x5c || e === 0x27 || e === 0x22) p += 2;
        else if (e === 0x75) {
          // \u{hex+}
          if (src[p + 2] !== 0x7b) this.error('illegal escape', p);
          let q = p + 3;
          let v = 0;
          let digits = 0;
          while (q < end && src[q] !== 0x7d) {
            const h = hexVal(src[q]!);
            if (h < 0) {
              if (src[q] === 0x5f && digits > 0 && hexVal(src[q + 1] ?? 0) >= 0) {
                q++;
                continue;
              }
              this.error('illegal escape', p);
            }
            v = v * 16 + h;
            if (v > 0x10ffff) v = 0x110000;
            digits++;
            q++;
          }
          if (q >= end || digits === 0) this.error('illegal escape', p);
          if (v >= 0x110000 || (v >= 0xd800 && v < 0xe000)) this.error('illegal escape', p);
          p = q + 1;
        } else if (hexVal(e ?? 0) >= 0 && hexVal(src[p + 2] ?? 0) >= 0 && p + 2 < end) {
          p += 3;
        } else {
          this.error('illegal escape', p);
        }
      } else if (d >= 0x80) {
        const n = utf8Len(src, p, end);
        if (n === 0) this.error('malformed UTF-8 encoding', p);
        p += n;
      } else if (d < 0x20 || d === 0x7f) {
        if (d === 0x0a) this.error('unclosed string', open);
        this.error('illegal character', p);
      } else p++;
    }
  }

  /** `(@id ...)`: p at the `(`. */
  private annotation(p: number): number {
    const src = this.src;
    const at = p;
    p += 2;
    const idStart = p;
    let name: string;
    if (src[p] === 0x22) {
      let q = 0;
      try {
        q = this.skipString(p);
      } catch (e) {
        if ((e as Error).message.endsWith('malformed UTF-8 encoding')) throw e;
        this.error('empty annotation id', at);
      }
      const bytes = decodeString(src, p + 1, q - 1);
      if (bytes.length === 0) this.error('empty annotation id', at);
      try {
        name = utf8dec.decode(bytes);
      } catch {
        this.error('malformed UTF-8 encoding', p);
      }
      p = q;
    } else {
      while (p < this.end && CLASS[src[p]!]! & C_IDCHAR) p++;
      if (p === idStart) this.error('empty annotation id', at);
      name = '';
      for (let i = idStart; i < p; i++) name += String.fromCharCode(src[i]!);
    }
    // contents: balanced tokens
    const contentStart = p;
    const depth0 = this.depth;
    this.depth++;
    for (;;) {
      const before = p;
      const q = this.skipSpace(p);
      if (q >= this.end) this.error('unclosed annotation', at);
      if (src[q] === 0x29 && this.depth === depth0 + 1) {
        this.depth--;
        const list = name === 'custom' ? this.customs : name === 'name' ? this.names : name === 'metadata.code.branch_hint' ? this.hints : null;
        if (list !== null) list.push({ token: this.count, depth: depth0, start: contentStart, end: q, at });
        return q + 1;
      }
      p = this.scan(q, false);
      if (p < 0) this.error('unclosed annotation', at);
      void before;
    }
  }
}

/** Decode a string literal's body src[s, e) (escapes already checked by the lexer). */
export function decodeString(src: Uint8Array, s: number, e: number): Uint8Array {
  // fast path: no escapes
  let p = s;
  while (p < e && src[p] !== 0x5c) p++;
  if (p === e) return src.slice(s, e);
  const out: number[] = [];
  for (let i = s; i < p; i++) out.push(src[i]!);
  while (p < e) {
    const d = src[p]!;
    if (d !== 0x5c) {
      out.push(d);
      p++;
      continue;
    }
    const c = src[p + 1]!;
    p += 2;
    switch (c) {
      case 0x6e: out.push(0x0a); break;
      case 0x74: out.push(0x09); break;
      case 0x72: out.push(0x0d); break;
      case 0x5c: out.push(0x5c); break;
      case 0x27: out.push(0x27); break;
      case 0x22: out.push(0x22); break;
      case 0x75: {
        let v = 0;
        p++; // {
        while (src[p] !== 0x7d) {
          if (src[p] !== 0x5f) v = v * 16 + hexVal(src[p]!);
          p++;
        }
        p++;
        if (v < 0x80) out.push(v);
        else if (v < 0x800) out.push(0xc0 | (v >> 6), 0x80 | (v & 0x3f));
        else if (v < 0x10000) out.push(0xe0 | (v >> 12), 0x80 | ((v >> 6) & 0x3f), 0x80 | (v & 0x3f));
        else out.push(0xf0 | (v >> 18), 0x80 | ((v >> 12) & 0x3f), 0x80 | ((v >> 6) & 0x3f), 0x80 | (v & 0x3f));
        break;
      }
      default:
        out.push(hexVal(c) * 16 + hexVal(src[p]!));
        p++;
    }
  }
  return Uint8Array.from(out);
}

/**
 * Sets the standard a lexer's text is read as (Lexer.profile, and the proposals added to it) from a features
 * option (a profile alone is one) and returns it.
 */
export function profiled(lx: Lexer, features: FeatureSpec | null): Lexer {
  lx.features = features;
  lx.profile = profileOf(features ?? undefined);
  lx.added = addedOf(features);
  return lx;
}
