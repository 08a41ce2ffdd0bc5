/**
 * Entry points for a single text module: `parseWat` (text -> Module) and
 * `watToBinary` (text -> bytes, through the encoder).
 */
import { TextError } from '../core/errors.js';
import type { Module } from '../core/module.js';
import { encodeModule } from '../encoder/encode.js';
import { Lexer, Tok, profiled } from './lexer.js';
import type { FeatureSpec } from '../core/instructions.js';
import { matchParens } from './context.js';
import { ModuleParser } from './parser.js';

const utf8 = new TextEncoder();

export function toBytes(source: string | Uint8Array): Uint8Array {
  return typeof source === 'string' ? utf8.encode(source) : source;
}

/**
 * Parse a module from a lexer's whole token stream: either one
 * `(module $id? field*)` or a bare sequence of fields.
 */
export function parseModuleTokens(lx: Lexer): Module {
  return shallow(lx.file, () => parseModuleAt(lx));
}

/**
 * Runs a recursive-descent parse; nesting so deep that it exhausts the JS
 * stack is a TextError, not a crash. (The binary path has no such limit:
 * the decoder, validator and translator do not recurse on nesting.)
 */
export function shallow<T>(file: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof RangeError && /call stack/i.test(e.message)) throw new TextError('nesting too deep for the text parser', file, 1, 1);
    throw e;
  }
}

function parseModuleAt(lx: Lexer): Module {
  const close = matchParens(lx);
  const kinds = lx.kinds;
  if (kinds[0] === Tok.LParen && kinds[1] === Tok.Atom && lx.text(1) === 'module') {
    const end = close[0]!;
    if (end < 0) lx.error('unexpected end', lx.starts[lx.count - 1]!);
    const parser = new ModuleParser(lx, close);
    let p = 2;
    let name: string | null = null;
    if (kinds[p] === Tok.Id) name = lx.idName(p++);
    const m = parser.parseModule(p, end, 1, name);
    if (kinds[end + 1] !== Tok.EOF) parser.err('unexpected token', end + 1);
    return m;
  }
  // bare fields: check balance first
  for (let i = 0; i < lx.count; i++) {
    if (kinds[i] === Tok.LParen && close[i]! < 0) lx.error('unexpected end', lx.starts[lx.count - 1]!);
  }
  const parser = new ModuleParser(lx, close);
  // a stray `)` at top level
  let depth = 0;
  for (let i = 0; i < lx.count; i++) {
    if (kinds[i] === Tok.LParen) depth++;
    else if (kinds[i] === Tok.RParen && --depth < 0) parser.err('unexpected token', i);
  }
  return parser.parseModule(0, lx.count - 1, 0, null);
}

/**
 * Parse WebAssembly text (one module) into a Module, read as the text format of `features`' profile and the
 * proposals added to it (Lexer.profile; a profile alone is a features option). Throws TextError.
 */
export function parseWat(text: string | Uint8Array, file = '<wat>', features: FeatureSpec | null = null): Module {
  return parseModuleTokens(profiled(new Lexer(toBytes(text), file), features));
}

/** Parse WebAssembly text and encode it to the binary format. */
export function watToBinary(text: string | Uint8Array, file = '<wat>', features: FeatureSpec | null = null): Uint8Array<ArrayBuffer> {
  return encodeModule(parseWat(text, file, features));
}

export { TextError };
