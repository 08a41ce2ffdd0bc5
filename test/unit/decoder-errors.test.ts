/** One hand-built binary per decoder error message. */
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../src/core/errors.js';
import { decodeModule } from '../../src/decoder/index.js';
import { lookup } from '../../src/core/instructions.js';
import { Module } from '../../src/runtime/module.js';

const HDR = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const sec = (id: number, body: number[]): number[] => [id, body.length, ...body];
const mod = (...parts: number[][]): Uint8Array => Uint8Array.from([...HDR, ...parts.flat()]);
const TYPE0 = sec(1, [1, 0x60, 0, 0]); // (type (func))
const func = (body: number[], locals: number[] = [0]): number[] => {
  const entry = [...locals, ...body];
  return [entry.length, ...entry];
};
const code = (...bodies: number[][]): number[] => sec(10, [bodies.length, ...bodies.flat()]);
const funcs = (n: number): number[] => sec(3, [n, ...new Array<number>(n).fill(0)]);

function err(bytes: Uint8Array, opts = {}): DecodeError {
  try {
    decodeModule(bytes, opts);
  } catch (e) {
    if (e instanceof DecodeError) return e;
    throw e;
  }
  throw new Error('decoded without error');
}

describe('decoder error messages', () => {
  const cases: [string, Uint8Array, string][] = [
    ['empty input', Uint8Array.from([]), 'unexpected end'],
    ['bad magic', Uint8Array.from([0x00, 0x61, 0x73, 0x6e, 1, 0, 0, 0]), 'magic header not detected'],
    ['short version', Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 1, 0]), 'unexpected end'],
    ['bad version', Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 2, 0, 0, 0]), 'unknown binary version'],
    ['section id 14', mod([14, 0]), 'malformed section id'],
    ['section size past the end', mod([1, 5, 1, 0x60]), 'length out of bounds'],
    ['section size mismatch', mod(sec(1, [1, 0x60, 0, 0, 0])), 'section size mismatch'],
    ['duplicate section', mod(TYPE0, TYPE0), 'unexpected content after last section'],
    ['out of order', mod(sec(3, [0]), TYPE0), 'unexpected content after last section'],
    ['tag after global', mod(sec(6, [0]), sec(13, [0])), 'unexpected content after last section'],
    ['data count after code', mod(sec(10, [0]), sec(12, [0])), 'unexpected content after last section'],
    ['leb too long', mod([1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]), 'integer representation too long'],
    ['leb too large', mod([1, 0x80, 0x80, 0x80, 0x80, 0x70]), 'integer too large'],
    ['vector count past the end', mod(sec(1, [5, 0x60, 0, 0])), 'length out of bounds'],
    ['vector runs out', mod(sec(1, [2, 0x60, 0, 0])), 'unexpected end of section or function'],
    ['bad UTF-8 in import name', mod(sec(2, [1, 1, 0xff, 0, 0, 0])), 'malformed UTF-8 encoding'],
    ['surrogate in custom name', mod(sec(0, [3, 0xed, 0xa0, 0x80])), 'malformed UTF-8 encoding'],
    ['custom name past the section', mod([0, 0, 0]), 'unexpected end of section or function'],
    // issue 18: a size that passes the length check (which counts its own bytes) but runs past the module
    ['custom section one byte past the end', mod([0, 5, 1, 0x61, 1, 2]), 'unexpected end of section or function'],
    ['custom section past the end, padded size', mod([0, 0x87, 0x80, 0x80, 0x80, 0x00, 1, 0x61, 1, 2]), 'unexpected end of section or function'],
    ['custom section size past the padding', mod([0, 0x88, 0x80, 0x00, 1, 0x61, 1, 2]), 'length out of bounds'],
    ['section one byte past the end', mod([1, 5, 1, 0x60, 0, 0]), 'section size mismatch'],
    ['section past the end, padded size', mod([1, 0x88, 0x80, 0x80, 0x80, 0x00, 1, 0x60, 0, 0]), 'section size mismatch'],
    ['import kind', mod(sec(2, [1, 0, 0, 5])), 'malformed import kind'],
    ['export kind', mod(sec(7, [1, 0, 5, 0])), 'malformed export kind'],
    ['mutability', mod(sec(6, [1, 0x7f, 2, 0x41, 0, 0x0b])), 'malformed mutability'],
    ['table limits flags', mod(sec(4, [1, 0x70, 0x02, 0])), 'malformed limits flags'],
    ['memory limits flags', mod(sec(5, [1, 0x10, 0])), 'malformed limits flags'],
    ['memory custom page flag when disabled', mod(sec(5, [1, 0x08, 0, 0])), 'malformed limits flags'],
    ['custom page size too large', mod(sec(5, [1, 0x08, 0, 0x41])), 'invalid custom page size'],
    ['reference type', mod(sec(4, [1, 0x7f, 0, 0])), 'malformed reference type'],
    ['value type', mod(sec(1, [1, 0x60, 1, 0x10, 0])), 'malformed reference type'],
    ['heap type', mod(sec(1, [1, 0x60, 1, 0x63, 0x50, 0])), 'malformed heap type'],
    ['storage type', mod(sec(1, [1, 0x5e, 0x10, 0])), 'malformed storage type'],
    ['definition type', mod(sec(1, [1, 0x61, 0, 0])), 'malformed definition type'],
    ['tag attribute', mod(sec(13, [1, 1, 0])), 'zero byte expected'],
    ['elem segment kind', mod(sec(9, [1, 8])), 'malformed elements segment kind'],
    ['elem kind', mod(sec(9, [1, 1, 1, 0])), 'malformed element kind'],
    ['data segment kind', mod(sec(11, [1, 3])), 'malformed data segment kind'],
    ['func/code count', mod(TYPE0, funcs(2), code(func([0x0b]))), 'function and code section have inconsistent lengths'],
    ['code without func', mod(TYPE0, code(func([0x0b]))), 'function and code section have inconsistent lengths'],
    ['func without code', mod(TYPE0, funcs(1)), 'function and code section have inconsistent lengths'],
    ['data count mismatch', mod(sec(5, [1, 0, 1]), sec(12, [2]), sec(11, [1, 1, 0])), 'data count and data section have inconsistent lengths'],
    ['data count required', mod(TYPE0, funcs(1), sec(5, [1, 0, 1]), code(func([0xfc, 9, 0, 0x0b])), sec(11, [1, 1, 0])), 'data count section required'],
    ['too many locals', mod(TYPE0, funcs(1), code(func([0x0b], [2, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 1, 0x7e]))), 'too many locals'],
    ['illegal opcode', mod(TYPE0, funcs(1), code(func([0x27, 0x0b]))), 'illegal opcode 27'],
    ['illegal prefixed opcode', mod(TYPE0, funcs(1), code(func([0xfc, 0x7f, 0x0b]))), 'illegal opcode fc 7f'],
    ['memop flags', mod(TYPE0, funcs(1), code(func([0x41, 0, 0x28, 0x80, 0x01, 0, 0x1a, 0x0b]))), 'malformed memop flags'],
    ['END expected (else at top level)', mod(TYPE0, funcs(1), code(func([0x05, 0x0b]))), 'END opcode expected'],
    ['END expected (second else)', mod(TYPE0, funcs(1), code(func([0x41, 0, 0x04, 0x40, 0x05, 0x05, 0x0b, 0x0b]))), 'END opcode expected'],
    ['body runs past the module end', mod(TYPE0, funcs(1), [10, 4, 1, 2, 0, 0x01]), 'unexpected end of section or function'],
    ['body ends early', mod(TYPE0, funcs(1), code([3, 0, 0x0b, 0x01])), 'section size mismatch'],
    ['const expr without end', mod(sec(6, [1, 0x7f, 0, 0x41, 0])), 'unexpected end of section or function'],
    ['br_on_cast flags', mod(TYPE0, funcs(1), code(func([0xfb, 24, 4, 0, 0x70, 0x70, 0x0b]))), 'malformed br_on_cast flags'],
    ['catch clause', mod(TYPE0, funcs(1), code(func([0x1f, 0x40, 1, 4, 0, 0x0b, 0x0b]))), 'malformed catch clause'],
    ['br_table count', mod(TYPE0, funcs(1), code(func([0x0e, 0x7f, 0x0b]))), 'length out of bounds'],
  ];
  for (const [what, bytes, msg] of cases) {
    it(`${what}: ${msg}`, () => {
      const opts = what.includes('when disabled') ? { customPageSizes: false } : {};
      const e = err(bytes, opts);
      expect(e.message).toBe(msg);
      expect(e.offset).toBeGreaterThanOrEqual(0);
    });
  }

  it('a section past the end fails on every path (issue 18)', () => {
    const cases: [Uint8Array, string][] = [
      [Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x00, 0x05, 0x01, 0x61, 0x01, 0x02]), 'unexpected end of section or function'],
      [mod(TYPE0, funcs(1), code(func([0x0b])), [0, 0x85, 0x80, 0x00, 1, 0x61, 1, 2]), 'unexpected end of section or function'],
      [mod(TYPE0, funcs(1), [10, 0x85, 0x80, 0x00, ...code(func([0x0b])).slice(2)]), 'section size mismatch'],
    ];
    for (const [bytes, msg] of cases) {
      expect(err(bytes).message).toBe(msg);
      expect(err(bytes, { scanBodies: false }).message).toBe(msg);
      expect(() => Module.fromBinary(bytes)).toThrow(msg);
    }
    // the same modules with their sizes right decode
    expect(decodeModule(mod([0, 4, 1, 0x61, 1, 2])).customs[0]!.bytes).toEqual(Uint8Array.from([1, 2]));
    expect(Module.fromBinary(mod(TYPE0, funcs(1), code(func([0x0b])), [0, 0x83, 0x80, 0x00, 1, 0x61, 1]))).toBeInstanceOf(Module);
  });
  it('atomic.fence wants a zero byte (when the table has it)', () => {
    const e = err(mod(TYPE0, funcs(1), code(func([0xfe, 3, 1, 0x0b]))));
    expect(e.message).toBe(lookup(0xfe, 3) ? 'zero byte expected' : 'illegal opcode fe 03');
  });
  it('accepts the custom page size flag by default', () => {
    expect(decodeModule(mod(sec(5, [1, 0x08, 0, 0]))).memories[0]).toEqual({ addr: 'i32', min: 0, max: null, shared: false, pageSizeLog2: 0 });
  });
  it('reports offsets in the module', () => {
    const e = err(mod(TYPE0, funcs(1), code(func([0x01, 0x27, 0x0b]))));
    // header 8, type 6, func 4, code id/size/count 3, entry size 1, locals 1, nop 1
    expect(e.offset).toBe(8 + 6 + 4 + 3 + 1 + 1 + 1);
  });
  it('keeps a name starting with a BOM', () => {
    const m = decodeModule(mod(sec(0, [4, 0xef, 0xbb, 0xbf, 0x61])));
    expect(m.customs[0]!.name).toBe('\ufeffa');
  });
  it('parses the name section tolerantly', () => {
    const names = [0, 3, 2, 0x6d, 0x31, 1, 5, 1, 0, 2, 0x66, 0x30, 2, 0x10, 0xff];
    const m = decodeModule(mod(sec(0, [4, 0x6e, 0x61, 0x6d, 0x65, ...names])));
    expect(m.names?.module).toBe('m1');
    expect(m.names?.functions.get(0)).toBe('f0');
    expect(m.customs[0]!.name).toBe('name');
  });
});
