/** Lexical format: identifiers, strings, comments, annotations, positions. */
import { describe, expect, it } from 'vitest';
import { TextError } from '../../src/core/errors.js';
import { Lexer, Tok } from '../../src/text/lexer.js';
import { parseWat } from '../../src/text/index.js';

const enc = new TextEncoder();
function lex(s: string): { kinds: Tok[]; texts: string[]; lx: Lexer } {
  const lx = new Lexer(enc.encode(s), 't.wat');
  const kinds: Tok[] = [];
  const texts: string[] = [];
  for (let i = 0; i < lx.count; i++) {
    kinds.push(lx.kinds[i] as Tok);
    texts.push(lx.text(i));
  }
  return { kinds, texts, lx };
}
function lexError(s: string): string {
  try {
    lex(s);
  } catch (e) {
    expect(e).toBeInstanceOf(TextError);
    return (e as TextError).reason;
  }
  return 'no error';
}

describe('lexer', () => {
  it('splits on parentheses, whitespace and comments', () => {
    const { texts, kinds } = lex('(func(nop)nop;;c\n br 0(;x;)drop)');
    expect(texts).toEqual(['(', 'func', '(', 'nop', ')', 'nop', 'br', '0', 'drop', ')', '']);
    expect(kinds.at(-1)).toBe(Tok.EOF);
  });

  it('nests block comments and allows any bytes inside comments', () => {
    const { texts } = lex('a (; x (; y ;) \u0001 ü ;) b ;; \u0007 tail');
    expect(texts).toEqual(['a', 'b', '']);
    expect(lexError('a (; (; ;) b')).toBe('unclosed comment');
  });

  it('reads identifiers, including quoted ones', () => {
    const { kinds, lx } = lex('$x $a.b+c $"hello world" $"\\41\\u{42}"');
    expect(kinds.slice(0, 4)).toEqual([Tok.Id, Tok.Id, Tok.Id, Tok.Id]);
    expect(lx.idName(0)).toBe('x');
    expect(lx.idName(1)).toBe('a.b+c');
    expect(lx.idName(2)).toBe('hello world');
    expect(lx.idName(3)).toBe('AB');
    expect(lexError('$')).toBe('empty identifier');
    expect(lexError('$""')).toBe('empty identifier');
  });

  it('decodes all string escapes as bytes', () => {
    const { lx } = lex(String.raw`"\n\t\r\\\'\"\00\ff\u{1F600}ü"`);
    expect([...lx.stringBytes(0)]).toEqual([
      0x0a, 0x09, 0x0d, 0x5c, 0x27, 0x22, 0x00, 0xff, 0xf0, 0x9f, 0x98, 0x80, 0xc3, 0xbc,
    ]);
    expect(lexError(String.raw`"\q"`)).toBe('illegal escape');
    expect(lexError(String.raw`"\u{110000}"`)).toBe('illegal escape');
    expect(lexError(String.raw`"\u{d800}"`)).toBe('illegal escape');
    expect(lexError('"abc')).toBe('unclosed string');
    expect(lexError('"a\u0001"')).toBe('illegal character');
  });

  it('rejects malformed UTF-8 and stray non-ASCII characters', () => {
    const bad = new Uint8Array([0x28, 0x66, 0x75, 0x6e, 0x63, 0x20, 0x80, 0x29]);
    expect(() => new Lexer(bad, 'b.wat')).toThrow('malformed UTF-8 encoding');
    expect(lexError('(func ü)')).toBe('illegal character');
  });

  it('marks runs mixing strings and idchars as reserved tokens', () => {
    expect(lex('a"b" "x""y" $x"y"').kinds.slice(0, 3)).toEqual([Tok.Reserved, Tok.Reserved, Tok.Reserved]);
  });

  it('skips annotations but records (@custom ...)', () => {
    const { texts, lx } = lex('(module (@a x (y "z") (@b)) (@custom "n" "d") (func))');
    expect(texts).toEqual(['(', 'module', '(', 'func', ')', ')', '']);
    expect(lx.customs).toHaveLength(1);
    expect(lx.customs[0]!.depth).toBe(1);
    expect(lexError('(@)')).toBe('empty annotation id');
    expect(lexError('(@x (y)')).toBe('unclosed annotation');
  });

  it('reports 1-based line:column', () => {
    try {
      parseWat('(module\n  (func\n    (i32.bogus)))', 'pos.wat');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TextError);
      const t = e as TextError;
      expect([t.file, t.line, t.column, t.reason]).toEqual(['pos.wat', 3, 6, 'unknown operator']);
      expect(t.message).toBe('pos.wat:3:6: unknown operator');
    }
  });
});
