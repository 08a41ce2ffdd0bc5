/**
 * `(@name ...)` and `(@metadata.code.branch_hint ...)` annotations of the text format: where they may stand, what
 * they put in the binary (the name section, the branch-hint section with offsets at the hinted `if`/`br_if`), and
 * the errors of misplaced, duplicate and invalid ones.
 */
import { describe, expect, it } from 'vitest';
import { Reader } from '../../src/core/bytes.js';
import { TextError, ValidationError } from '../../src/core/errors.js';
import { decodeModule } from '../../src/decoder/index.js';
import { parseWat, watToBinary } from '../../src/text/index.js';

/** Every section of a binary: id, custom name (for id 0), payload start and end. */
function sections(bin: Uint8Array): { id: number; name: string; start: number; end: number }[] {
  const r = new Reader(bin);
  r.pos = 8;
  const out: { id: number; name: string; start: number; end: number }[] = [];
  while (r.pos < bin.length) {
    const id = r.u8();
    const size = r.u32();
    const end = r.pos + size;
    const name = id === 0 ? r.name() : '';
    out.push({ id, name, start: r.pos, end });
    r.pos = end;
  }
  return out;
}

/** Start of each function body (its locals vector) in the binary. */
function bodyStarts(bin: Uint8Array): number[] {
  const code = sections(bin).find((s) => s.id === 10)!;
  const r = new Reader(bin);
  r.pos = code.start;
  const n = r.u32();
  const starts: number[] = [];
  for (let i = 0; i < n; i++) {
    const size = r.u32();
    starts.push(r.pos);
    r.pos += size;
  }
  return starts;
}

/** The branch-hint section: [function index, [offset, hint][]][]. */
function hints(bin: Uint8Array): [number, [number, number][]][] {
  const s = sections(bin).find((x) => x.name === 'metadata.code.branch_hint');
  if (s === undefined) return [];
  const r = new Reader(bin);
  r.pos = s.start;
  const out: [number, [number, number][]][] = [];
  for (let n = r.u32(); n > 0; n--) {
    const f = r.u32();
    const hs: [number, number][] = [];
    for (let k = r.u32(); k > 0; k--) {
      const off = r.u32();
      expect(r.u32()).toBe(1);
      hs.push([off, r.u8()]);
    }
    out.push([f, hs]);
  }
  expect(r.pos).toBe(s.end);
  return out;
}

const NESTED = `(module
  (func $dummy)
  (func (param i32 i32) (result i32) (local i64 f32 f32)
    (@metadata.code.branch_hint "\\00")
    (if (result i32) (local.get 0)
      (then
        (if (local.get 1) (then (call $dummy)))
        (@metadata.code.branch_hint "\\01")
        (if (result i32)
          (@metadata.code.branch_hint "\\00") (br_if 0 (i32.const 1) (local.get 1))
          (then (i32.const 9))
          (else (i32.const 10))))
      (else
        local.get 1
        (@metadata.code.branch_hint "\\01") if (result i32) i32.const 3 else i32.const 4 end))))`;

describe('branch hints', () => {
  it('point at the hinted if/br_if, plain and folded, nested conditions included, offsets from the body start', () => {
    const bin = watToBinary(NESTED);
    const hs = hints(bin);
    expect(hs.map(([f, h]) => [f, h.map(([, v]) => v)])).toEqual([[1, [0, 0, 1, 1]]]);
    const body = bodyStarts(bin)[1]!;
    const ops = hs[0]![1].map(([off]) => bin[body + off]);
    // the outer if comes after its condition; the hinted inner if's condition holds the br_if
    expect(ops).toEqual([0x04, 0x0d, 0x04, 0x04]);
    const offs = hs[0]![1].map(([off]) => off);
    expect([...offs].sort((a, b) => a - b)).toEqual(offs);
    // the section stands before the code section, and the module still decodes
    const ids = sections(bin).map((s) => (s.id === 0 ? s.name : s.id));
    expect(ids.indexOf('metadata.code.branch_hint')).toBe(ids.indexOf(10) - 1);
    expect(decodeModule(bin).codes).toHaveLength(2);
  });

  it('leave the code as it is without them', () => {
    const plain = NESTED.replace(/\(@metadata\.code\.branch_hint "\\0[01]"\)/g, '');
    const a = decodeModule(watToBinary(NESTED));
    const b = decodeModule(watToBinary(plain));
    expect(a.codes.map((c) => [...c.body])).toEqual(b.codes.map((c) => [...c.body]));
    expect(hints(watToBinary(plain))).toEqual([]);
  });

  it('reject a duplicate, a bad value, a misplaced one and an invalid target', () => {
    const f = (body: string): string => `(module (func (param i32) ${body}))`;
    expect(() => parseWat(f('(@metadata.code.branch_hint "\\01") (@metadata.code.branch_hint "\\01") (if (local.get 0) (then))'))).toThrow(
      /duplicate annotation/,
    );
    expect(() => parseWat(f('(@metadata.code.branch_hint "\\02") (if (local.get 0) (then))'))).toThrow(/invalid hint value/);
    expect(() => parseWat(f('(@metadata.code.branch_hint "\\00\\01") (if (local.get 0) (then))'))).toThrow(/invalid hint value/);
    expect(() => parseWat(f('(@metadata.code.branch_hint 1) (if (local.get 0) (then))'))).toThrow(/unexpected token/);
    expect(() => parseWat('(module (@metadata.code.branch_hint "\\01") (func))')).toThrow(/not in a function/);
    expect(() => parseWat('(module (func (@metadata.code.branch_hint "\\01") (param i32)))')).toThrow(/invalid placement/);
    expect(() => parseWat('(module (global i32 (@metadata.code.branch_hint "\\01") (i32.const 0)))')).toThrow(/not in a function/);
    let e: unknown;
    try {
      parseWat(f('(@metadata.code.branch_hint "\\01") local.get 0 drop'));
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as Error).message).toBe('@metadata.code.branch_hint annotation: invalid target');
    expect(() => parseWat(f('(@metadata.code.branch_hint "\\01") (if (local.get 0) (then))'))).not.toThrow();
  });
});

describe('@name annotations', () => {
  it('name the module, functions and tags in the name section, over their $ids', () => {
    const bin = watToBinary(`(module $m (@name "Modül")
      (type $t (func))
      (func (@name "λ") (type $t))
      (func $f (@name "g") (type $t))
      (func $h (type $t))
      (tag (@name "θ") (type $t))
      (tag $e (type $t)))`);
    const names = decodeModule(bin).names!;
    expect(names.module).toBe('Modül');
    expect([...names.functions]).toEqual([
      [0, 'λ'],
      [1, 'g'],
      [2, 'h'],
    ]);
    expect([...names.tags!]).toEqual([[0, 'θ']]);
  });

  it('reject two module names, misplaced names and non-strings', () => {
    expect(() => parseWat('(module (@name "M1") (@name "M2"))')).toThrow(/multiple module names/);
    expect(() => parseWat('(module (func (@name "a") (@name "b")))')).toThrow(/multiple function names/);
    expect(() => parseWat('(module (func) (@name "M"))')).toThrow(/misplaced @name annotation/);
    expect(() => parseWat('(module (start $f (@name "M")) (func $f))')).toThrow(/misplaced @name annotation/);
    expect(() => parseWat('(module (func (param i32) (@name "x")))')).toThrow(/misplaced @name annotation/);
    expect(() => parseWat('(module (memory (@name "m") 1))')).toThrow(/misplaced @name annotation/);
    expect(() => parseWat('(module (@name M))')).toThrow(TextError);
    expect(() => parseWat('(module (@name "a" "b"))')).toThrow(/unexpected token/);
  });
});
