/**
 * `.wast` script parser (the spec interpreter's script format, plus the
 * threads proposal's `thread`/`wait` and Wasm 3.0's `module definition` /
 * `module instance`).
 *
 * Text modules of ordinary commands are parsed eagerly to a `Module`.
 * Modules whose failure is the point of the command (`assert_malformed`,
 * `assert_invalid`, and their `_custom` variants) are kept as deferred
 * sources: `parse()` runs the module parser when the runner asks, so a
 * malformed module never aborts the script parse.
 */
import { concatBytes } from '../core/bytes.js';
import { TextError } from '../core/errors.js';
import type { Module } from '../core/module.js';
import type { FeatureSpec } from '../core/instructions.js';
import { Lexer, Tok, profiled } from './lexer.js';
import { NumError, parseF32, parseF64, parseIntBits } from './numbers.js';
import { matchParens } from './context.js';
import { ModuleParser } from './parser.js';
import { parseModuleTokens, shallow, toBytes } from './wat.js';

// ====================================================================== AST

/** Where a module's contents come from. */
export type ModuleSource =
  /** A text module parsed while reading the script. */
  | { kind: 'text'; module: Module }
  /**
   * A text module whose parse is deferred (inside assert_malformed /
   * assert_invalid): `parse()` returns the Module or throws TextError.
   */
  | { kind: 'lazy'; parse: () => Module }
  /** `(module binary "..."*)`: the concatenated bytes, not decoded. */
  | { kind: 'binary'; bytes: Uint8Array }
  /**
   * `(module quote "..."*)`: the concatenated text (UTF-8 bytes), not
   * parsed; `parse()` parses it (throws TextError when malformed).
   */
  | { kind: 'quote'; text: Uint8Array; parse: () => Module };

/** Invocation argument (a constant). */
export type Value =
  | { type: 'i32'; value: number } // signed int32
  | { type: 'i64'; value: bigint } // signed int64
  | { type: 'f32'; bits: number } // uint32 IEEE bits (NaN payloads preserved)
  | { type: 'f64'; bits: bigint } // uint64 IEEE bits
  | { type: 'v128'; bytes: Uint8Array } // 16 bytes, little-endian lanes
  /** `(ref.null ht)`: heap type as written (`func`, `extern`, `$t`, `0`, ...). */
  | { type: 'ref.null'; heap: string }
  /** `(ref.extern N)` / `(ref.host N)`: host reference number N. */
  | { type: 'ref.extern'; value: number }
  | { type: 'ref.host'; value: number };

/** Float result pattern. */
export type FloatPattern =
  | { kind: 'bits'; bits: number | bigint } // f32: number (uint32), f64: bigint (uint64)
  | { kind: 'nan:canonical' }
  | { kind: 'nan:arithmetic' };

export type V128Shape = 'i8x16' | 'i16x8' | 'i32x4' | 'i64x2' | 'f32x4' | 'f64x2';

/** Expected result of assert_return. */
export type Expected =
  | { type: 'i32'; value: number } // signed int32
  | { type: 'i64'; value: bigint } // signed int64
  | { type: 'f32'; pattern: FloatPattern }
  | { type: 'f64'; pattern: FloatPattern }
  /**
   * v128: `lanes` per shape. Integer shapes: unsigned lane values (bigint for
   * i64x2, number otherwise). Float shapes: a FloatPattern per lane.
   * `bytes` is the exact 16-byte value when no lane is a NaN pattern.
   */
  | { type: 'v128'; shape: V128Shape; lanes: (number | bigint | FloatPattern)[]; bytes: Uint8Array | null }
  /** `(ref.null ht)`; heap null = `(ref.null)` with no type: any null reference. */
  | { type: 'ref.null'; heap: string | null }
  /** `(ref.extern N)`, or any non-null extern reference when value is null (`(ref.extern)`). */
  | { type: 'ref.extern'; value: number | null }
  | { type: 'ref.host'; value: number | null }
  /** Non-null references of a kind: `(ref.func)`, `(ref.any)`, `(ref.eq)`, `(ref.i31)`, `(ref.struct)`, `(ref.array)`, `(ref.exn)`; value is an optional N after the keyword. */
  | { type: 'ref.func' | 'ref.any' | 'ref.eq' | 'ref.i31' | 'ref.struct' | 'ref.array' | 'ref.exn'; value: number | null }
  /** `(either r1 r2 ...)`: the result must match one alternative. */
  | { type: 'either'; options: Expected[] };

export type Action =
  | { type: 'invoke'; module: string | null; name: string; args: Value[] }
  | { type: 'get'; module: string | null; name: string };

interface Base {
  /** 1-based line of the command's opening parenthesis. */
  line: number;
}

export type Command =
  /** Define a module and (unless `definition`) instantiate it. `id` without `$`. */
  | (Base & { type: 'module'; id: string | null; definition: boolean; source: ModuleSource })
  /** `(module instance $id? $def?)`: instantiate a module definition (null = the last defined). */
  | (Base & { type: 'module_instance'; id: string | null; definition: string | null })
  | (Base & { type: 'register'; name: string; module: string | null })
  | (Base & { type: 'action'; action: Action })
  | (Base & { type: 'assert_return'; action: Action; expected: Expected[] })
  | (Base & { type: 'assert_trap'; action: Action; message: string })
  | (Base & { type: 'assert_exhaustion'; action: Action; message: string })
  | (Base & { type: 'assert_exception'; action: Action })
  /** Also `(assert_trap (module ...) "msg")`: instantiation traps. */
  | (Base & { type: 'assert_uninstantiable'; source: ModuleSource; message: string })
  | (Base & { type: 'assert_unlinkable'; source: ModuleSource; message: string })
  /** Source is 'binary', 'quote' or 'lazy': decoding/parsing is expected to fail. */
  | (Base & { type: 'assert_malformed'; source: ModuleSource; message: string })
  /** Source is 'binary', 'quote' or 'lazy': parses/decodes but fails validation. */
  | (Base & { type: 'assert_invalid'; source: ModuleSource; message: string })
  | (Base & { type: 'assert_malformed_custom'; source: ModuleSource; message: string })
  | (Base & { type: 'assert_invalid_custom'; source: ModuleSource; message: string })
  /** `(thread $id (shared (module $m))* cmd*)`: run commands concurrently. */
  | (Base & { type: 'thread'; id: string; shared: string[]; commands: Command[] })
  | (Base & { type: 'wait'; thread: string });

export interface Script {
  file: string;
  commands: Command[];
}

// ====================================================================== parser

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const MODULE_FIELDS = new Set(['type', 'rec', 'import', 'func', 'table', 'memory', 'global', 'tag', 'export', 'start', 'elem', 'data']);

class ScriptParser {
  readonly kinds: Uint8Array;
  readonly close: Int32Array;
  p = 0;
  constructor(readonly lx: Lexer) {
    this.kinds = lx.kinds;
    this.close = matchParens(lx);
  }

  err(reason: string, i = this.p): never {
    if (this.kinds[i] === Tok.EOF && reason === 'unexpected token') reason = 'unexpected end';
    this.lx.error(reason, this.lx.starts[i] ?? 0);
  }
  line(i: number): number {
    return this.lx.position(this.lx.starts[i]!).line;
  }
  kw(i = this.p): string | null {
    return this.kinds[i] === Tok.Atom ? this.lx.text(i) : null;
  }
  fieldKw(i = this.p): string | null {
    return this.kinds[i] === Tok.LParen ? this.kw(i + 1) : null;
  }
  expectRP(): void {
    if (this.kinds[this.p] !== Tok.RParen) this.err('unexpected token');
    this.p++;
  }
  optId(): string | null {
    return this.kinds[this.p] === Tok.Id ? this.lx.idName(this.p++) : null;
  }
  string(): Uint8Array {
    if (this.kinds[this.p] !== Tok.String) this.err('unexpected token');
    return this.lx.stringBytes(this.p++);
  }
  name(): string {
    const at = this.p;
    try {
      return utf8.decode(this.string());
    } catch {
      return this.err('malformed UTF-8 encoding', at);
    }
  }
  message(): string {
    // failure strings are informative; decode leniently
    return new TextDecoder('utf-8', { ignoreBOM: true }).decode(this.string());
  }
  /** Matching `)` of the `(` at i. */
  closeOf(i: number): number {
    const c = this.close[i]!;
    if (c < 0) this.err('unexpected end', i);
    return c;
  }

  script(): Command[] {
    const out: Command[] = [];
    const first = this.fieldKw(0);
    if (first !== null && MODULE_FIELDS.has(first)) {
      // a bare module: the whole file is one module's fields
      const parse = (): Module => parseModuleTokens(this.lx);
      return [{ type: 'module', line: 1, id: null, definition: false, source: { kind: 'text', module: parse() } }];
    }
    while (this.kinds[this.p] !== Tok.EOF) out.push(this.command());
    return out;
  }

  command(): Command {
    const at = this.p;
    const kw = this.fieldKw();
    if (kw === null) this.err('unexpected token');
    const line = this.line(at);
    const end = this.closeOf(at);
    switch (kw) {
      case 'module': {
        if (this.kw(at + 2) === 'instance') {
          this.p = at + 3;
          const id = this.optId();
          const def = this.optId();
          this.expectRP();
          return { type: 'module_instance', line, id, definition: def };
        }
        const { id, definition, source } = this.module(false);
        return { type: 'module', line, id, definition, source };
      }
      case 'register': {
        this.p = at + 2;
        const name = this.name();
        const module = this.optId();
        this.expectRP();
        return { type: 'register', line, name, module };
      }
      case 'invoke':
      case 'get':
        return { type: 'action', line, action: this.action() };
      case 'assert_return': {
        this.p = at + 2;
        const action = this.action();
        const expected: Expected[] = [];
        while (this.kinds[this.p] === Tok.LParen) expected.push(this.result());
        this.expectRP();
        return { type: 'assert_return', line, action, expected };
      }
      case 'assert_trap': {
        this.p = at + 2;
        if (this.fieldKw() === 'module') {
          const { source } = this.module(false);
          const message = this.message();
          this.expectRP();
          return { type: 'assert_uninstantiable', line, source, message };
        }
        const action = this.action();
        const message = this.message();
        this.expectRP();
        return { type: 'assert_trap', line, action, message };
      }
      case 'assert_exhaustion': {
        this.p = at + 2;
        const action = this.action();
        const message = this.message();
        this.expectRP();
        return { type: 'assert_exhaustion', line, action, message };
      }
      case 'assert_exception': {
        this.p = at + 2;
        const action = this.action();
        this.expectRP();
        return { type: 'assert_exception', line, action };
      }
      case 'assert_uninstantiable':
      case 'assert_unlinkable': {
        this.p = at + 2;
        const { source } = this.module(false);
        const message = this.message();
        this.expectRP();
        return { type: kw, line, source, message };
      }
      case 'assert_malformed':
      case 'assert_invalid':
      case 'assert_malformed_custom':
      case 'assert_invalid_custom': {
        this.p = at + 2;
        const { source } = this.module(true);
        const message = this.message();
        this.expectRP();
        return { type: kw, line, source, message };
      }
      case 'thread': {
        this.p = at + 2;
        const id = this.optId();
        if (id === null) this.err('unexpected token');
        const shared: string[] = [];
        while (this.fieldKw() === 'shared') {
          this.p += 2;
          if (this.fieldKw() !== 'module') this.err('unexpected token');
          this.p += 2;
          const m = this.optId();
          if (m === null) this.err('unexpected token');
          shared.push(m);
          this.expectRP();
          this.expectRP();
        }
        const commands: Command[] = [];
        while (this.kinds[this.p] === Tok.LParen) commands.push(this.command());
        this.expectRP();
        return { type: 'thread', line, id, shared, commands };
      }
      case 'wait': {
        this.p = at + 2;
        const thread = this.optId();
        if (thread === null) this.err('unexpected token');
        this.expectRP();
        return { type: 'wait', line, thread };
      }
      default:
        this.p = end + 1;
        return this.err(`unknown command ${kw}`, at + 1);
    }
  }

  /** `(module definition? $id? ...)` at p; lazy: defer text parsing. */
  module(lazy: boolean): { id: string | null; definition: boolean; source: ModuleSource } {
    const at = this.p;
    if (this.fieldKw() !== 'module') this.err('unexpected token');
    const end = this.closeOf(at);
    this.p = at + 2;
    let definition = false;
    if (this.kw() === 'definition') {
      definition = true;
      this.p++;
    }
    const id = this.optId();
    const k = this.kw();
    if (k === 'binary' || k === 'quote') {
      this.p++;
      const parts: Uint8Array[] = [];
      while (this.kinds[this.p] === Tok.String) parts.push(this.string());
      this.expectRP();
      const bytes = concatBytes(parts);
      if (k === 'binary') return { id, definition, source: { kind: 'binary', bytes } };
      const file = `${this.lx.file}:${this.line(at)}(quote)`;
      return { id, definition, source: { kind: 'quote', text: bytes, parse: () => parseModuleTokens(profiled(new Lexer(bytes, file), this.lx.features)) } };
    }
    const first = this.p;
    this.p = end + 1;
    const lx = this.lx;
    const close = this.close;
    const depth = this.depthAt(at) + 1;
    const parse = (): Module => new ModuleParser(lx, close).parseModule(first, end, depth, id);
    if (lazy) return { id, definition, source: { kind: 'lazy', parse } };
    return { id, definition, source: { kind: 'text', module: parse() } };
  }

  private depthCache: Int32Array | null = null;
  /** Paren depth before token i (number of enclosing open parens). */
  depthAt(i: number): number {
    if (!this.depthCache) {
      const d = new Int32Array(this.lx.count + 1);
      let depth = 0;
      for (let j = 0; j < this.lx.count; j++) {
        const k = this.kinds[j];
        if (k === Tok.RParen) depth--;
        d[j] = depth;
        if (k === Tok.LParen) depth++;
      }
      this.depthCache = d;
    }
    return this.depthCache[i]!;
  }

  action(): Action {
    const kw = this.fieldKw();
    if (kw !== 'invoke' && kw !== 'get') this.err('unexpected token');
    this.p += 2;
    const module = this.optId();
    const name = this.name();
    if (kw === 'get') {
      this.expectRP();
      return { type: 'get', module, name };
    }
    const args: Value[] = [];
    while (this.kinds[this.p] === Tok.LParen) args.push(this.constant());
    this.expectRP();
    return { type: 'invoke', module, name, args };
  }

  private num<T>(f: () => T | null): T {
    let v: T | null;
    try {
      v = this.kinds[this.p] === Tok.Atom ? f() : null;
    } catch (e) {
      if (e instanceof NumError) this.err(e.message);
      throw e;
    }
    if (v === null) this.err('unexpected token');
    this.p++;
    return v;
  }
  private text(): string {
    return this.lx.text(this.p);
  }
  private heapText(): string {
    const k = this.kinds[this.p];
    if (k === Tok.Id) return '$' + this.lx.idName(this.p++);
    if (k === Tok.Atom) return this.lx.text(this.p++);
    return this.err('unexpected token');
  }

  /** An argument constant `( t.const v )` / `(ref.null ht)` / `(ref.extern n)` / `(ref.host n)`. */
  constant(): Value {
    const kw = this.fieldKw();
    this.p += 2;
    let v: Value;
    switch (kw) {
      case 'i32.const':
        v = { type: 'i32', value: Number(BigInt.asIntN(32, this.num(() => parseIntBits(this.text(), 32)))) };
        break;
      case 'i64.const':
        v = { type: 'i64', value: BigInt.asIntN(64, this.num(() => parseIntBits(this.text(), 64))) };
        break;
      case 'f32.const':
        v = { type: 'f32', bits: this.num(() => parseF32(this.text())) };
        break;
      case 'f64.const':
        v = { type: 'f64', bits: this.num(() => parseF64(this.text())) };
        break;
      case 'v128.const': {
        const r = this.v128(false);
        v = { type: 'v128', bytes: r.bytes! };
        break;
      }
      case 'ref.null':
        v = { type: 'ref.null', heap: this.heapText() };
        break;
      case 'ref.extern':
      case 'ref.host':
        v = { type: kw, value: Number(this.num(() => parseIntBits(this.text(), 32))) };
        break;
      default:
        return this.err('unexpected token', this.p - 1);
    }
    this.expectRP();
    return v;
  }

  private floatPat(f32: boolean): FloatPattern {
    const t = this.kw();
    if (t === 'nan:canonical' || t === 'nan:arithmetic') {
      this.p++;
      return { kind: t };
    }
    return { kind: 'bits', bits: f32 ? this.num(() => parseF32(this.text())) : this.num(() => parseF64(this.text())) };
  }

  /** v128 shape and lanes; with patterns, float lanes may be NaN patterns. */
  private v128(patterns: boolean): { shape: V128Shape; lanes: (number | bigint | FloatPattern)[]; bytes: Uint8Array | null } {
    const shape = this.kw() as V128Shape;
    const bytes = new Uint8Array(16);
    const dv = new DataView(bytes.buffer);
    const lanes: (number | bigint | FloatPattern)[] = [];
    let exact = true;
    this.p++;
    const int = (bits: number): bigint => this.num(() => parseIntBits(this.text(), bits));
    switch (shape) {
      case 'i8x16':
        for (let i = 0; i < 16; i++) lanes.push((bytes[i] = Number(int(8))));
        break;
      case 'i16x8':
        for (let i = 0; i < 8; i++) {
          const x = Number(int(16));
          dv.setUint16(i * 2, x, true);
          lanes.push(x);
        }
        break;
      case 'i32x4':
        for (let i = 0; i < 4; i++) {
          const x = Number(int(32));
          dv.setUint32(i * 4, x, true);
          lanes.push(x);
        }
        break;
      case 'i64x2':
        for (let i = 0; i < 2; i++) {
          const x = int(64);
          dv.setBigUint64(i * 8, x, true);
          lanes.push(x);
        }
        break;
      case 'f32x4':
      case 'f64x2': {
        const f32 = shape === 'f32x4';
        for (let i = 0; i < (f32 ? 4 : 2); i++) {
          const pat: FloatPattern = patterns ? this.floatPat(f32) : { kind: 'bits', bits: f32 ? this.num(() => parseF32(this.text())) : this.num(() => parseF64(this.text())) };
          lanes.push(pat);
          if (pat.kind !== 'bits') exact = false;
          else if (f32) dv.setUint32(i * 4, pat.bits as number, true);
          else dv.setBigUint64(i * 8, pat.bits as bigint, true);
        }
        break;
      }
      default:
        this.err('unexpected token', this.p - 1);
    }
    return { shape, lanes, bytes: exact ? bytes : null };
  }

  result(): Expected {
    const kw = this.fieldKw();
    this.p += 2;
    let r: Expected;
    switch (kw) {
      case 'i32.const':
        r = { type: 'i32', value: Number(BigInt.asIntN(32, this.num(() => parseIntBits(this.text(), 32)))) };
        break;
      case 'i64.const':
        r = { type: 'i64', value: BigInt.asIntN(64, this.num(() => parseIntBits(this.text(), 64))) };
        break;
      case 'f32.const':
        r = { type: 'f32', pattern: this.floatPat(true) };
        break;
      case 'f64.const':
        r = { type: 'f64', pattern: this.floatPat(false) };
        break;
      case 'v128.const':
        r = { type: 'v128', ...this.v128(true) };
        break;
      case 'ref.null':
        r = { type: 'ref.null', heap: this.kinds[this.p] === Tok.RParen ? null : this.heapText() };
        break;
      case 'ref.extern':
      case 'ref.host':
      case 'ref.func':
      case 'ref.any':
      case 'ref.eq':
      case 'ref.i31':
      case 'ref.struct':
      case 'ref.array':
      case 'ref.exn': {
        const value = this.kinds[this.p] === Tok.RParen ? null : Number(this.num(() => parseIntBits(this.text(), 32)));
        r = { type: kw, value };
        break;
      }
      case 'either': {
        const options: Expected[] = [];
        while (this.kinds[this.p] === Tok.LParen) options.push(this.result());
        r = { type: 'either', options };
        break;
      }
      default:
        return this.err('unexpected token', this.p - 1);
    }
    this.expectRP();
    return r;
  }
}

/**
 * Parse a `.wast` script (its modules read as the text format of `features`' profile and the proposals added to
 * it, see Lexer.profile; a profile alone is a features option). Throws TextError on a syntax error outside
 * deferred modules.
 */
export function parseScript(source: string | Uint8Array, file = '<wast>', features: FeatureSpec | null = null): Script {
  const lx = profiled(new Lexer(toBytes(source), file), features);
  const sp = new ScriptParser(lx);
  return { file, commands: shallow(file, () => sp.script()) };
}

export { TextError };
