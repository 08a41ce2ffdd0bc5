/**
 * The short paths for constant expressions that huge modules (millions of segments or globals, as in the JS API's
 * limits.any.js) depend on: the decoder shares the bytes of short expressions and reads `i32.const n end` without
 * its scan; the validator accepts `i32.const`/`i64.const` of the expected type without the function validator.
 * Each must give exactly what the long path gives. A run of equal element segments without elements is one object
 * (the validator checks it once), and its errors are where they were before.
 */
import { describe, expect, it } from 'vitest';
import { DecodeError, ValidationError } from '../../src/core/errors.js';
import { I32, I64 } from '../../src/core/types.js';
import { decodeModule } from '../../src/decoder/index.js';
import { encodeModule } from '../../src/encoder/index.js';
import { validateModule } from '../../src/validate/index.js';
import { cexpr, mod } from './validate-helpers.js';
import { leb, section } from './wasm-bytes.js';

const HEADER = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0];
/** A module with a table of `addr` (0: i32, 4: i64) and one active element segment per offset expression. */
function elemModule(offsets: number[][], addr = 0): Uint8Array {
  const segs = offsets.flatMap((o) => [0, ...o, 0]); // flags 0: table 0, offset, no function indices
  return new Uint8Array([...HEADER, ...section(4, [1, 0x70, addr, 1]), ...section(9, [...leb(offsets.length), ...segs])]);
}
const thrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
};

describe('constant expressions in huge numbers', () => {
  it('equal short expressions share their bytes; each keeps its own offset; empty segments share one frozen list', () => {
    const bytes = elemModule([
      [0x41, 0x00, 0x0b],
      [0x41, 0x00, 0x0b],
      [0x41, 0x7f, 0x0b], // -1, one byte
      [0x41, 0x80, 0x01, 0x0b], // 128, through the scan
      [0x41, 0x80, 0x01, 0x0b],
    ]);
    const m = decodeModule(bytes);
    const offs = m.elems.map((s) => s.offset!);
    expect(offs.map((o) => [...o.bytes])).toEqual([[0x41, 0, 0x0b], [0x41, 0, 0x0b], [0x41, 0x7f, 0x0b], [0x41, 0x80, 1, 0x0b], [0x41, 0x80, 1, 0x0b]]);
    expect(offs[4]!.bytes).toBe(offs[3]!.bytes);
    expect(offs[2]!.bytes).not.toBe(offs[0]!.bytes);
    // each offset points at its own expression in the binary (a run of equal segments: its first one's)
    for (const o of offs) expect([...bytes.subarray(o.offset, o.offset + o.bytes.length)]).toEqual([...o.bytes]);
    expect(new Set(offs.map((o) => o.offset)).size).toBe(3);
    expect(m.elems[2]!.init).toBe(m.elems[0]!.init);
    expect(Object.isFrozen(m.elems[0]!.init)).toBe(true);
    expect(() => validateModule(m)).not.toThrow();
  });

  it('a run of equal segments without elements is one frozen object, the first of the run', () => {
    const i32c = (n: number) => [0x41, n, 0x0b];
    // flags 0 (table 0), 2 (a table index), 1 (passive), 3 (declarative); 0x01 0x00: one function index, 0
    const raw = [
      [0, ...i32c(0), 0],
      [0, ...i32c(0), 0],
      [0, ...i32c(0), 0],
      [0, ...i32c(1), 0], // another offset
      [2, 0, ...i32c(1), 0, 0], // the same offset, table and type, written with flags 2
      [2, 1, ...i32c(1), 0, 0], // another table
      [1, 0, 0],
      [1, 0, 0],
      [3, 0, 0], // declarative
      [0, ...i32c(1), 1, 0], // with an element: its own object
      [3, 0, 0], // equal to the declarative one, but not next to it
    ];
    const bytes = new Uint8Array([...HEADER, ...section(4, [2, 0x70, 0, 1, 0x70, 0, 1]), ...section(9, [raw.length, ...raw.flat()])]);
    const m = decodeModule(bytes);
    const distinct = [...new Set(m.elems)];
    expect(m.elems.map((s) => distinct.indexOf(s))).toEqual([0, 0, 0, 1, 1, 2, 3, 3, 4, 5, 6]);
    expect(m.elems.map((s) => [s.mode, s.table, s.init.length])).toEqual([
      ...Array(3).fill(['active', 0, 0]),
      ...Array(2).fill(['active', 0, 0]),
      ['active', 1, 0],
      ['passive', 0, 0],
      ['passive', 0, 0],
      ['declarative', 0, 0],
      ['active', 0, 1],
      ['declarative', 0, 0],
    ]);
    for (const s of m.elems) if (s.init.length === 0) expect(Object.isFrozen(s) && (s.offset === null || Object.isFrozen(s.offset))).toBe(true);
    // the run's offset is its first expression's
    expect(m.elems[1]!.offset!.offset).toBe(HEADER.length + 9 + 2 + 1 + 1);
    // the encoder writes each segment again (flags 2 with table 0 as flags 0): the same segments
    const shape = (x: typeof m) => x.elems.map((s) => [s.mode, s.table, s.type, s.offset && [...s.offset.bytes], s.init.map((e) => [...e.bytes])]);
    const again = decodeModule(encodeModule(m));
    expect(again.elems.length).toBe(raw.length);
    expect(shape(again)).toEqual(shape(m));
  });

  it('an error in a run of equal segments is at the run\'s first expression, as without the sharing', () => {
    // an i64 table: segment 0 is right, 1..3 are one object with a wrong (i32) offset
    const bytes = elemModule([[0x42, 0x00, 0x0b], [0x41, 0x00, 0x0b], [0x41, 0x00, 0x0b], [0x41, 0x00, 0x0b]], 4);
    const m = decodeModule(bytes);
    expect(m.elems[3]).toBe(m.elems[1]);
    const e = thrown(() => validateModule(m));
    expect(e).toBeInstanceOf(ValidationError);
    // the second segment's expression starts after the header, the table section (2 + 4 bytes), the element section's
    // id, size and count (3 bytes) and the first segment (5 bytes) and its flags (1 byte); the error is at its end
    expect((e as ValidationError).offset).toBe(HEADER.length + 6 + 3 + 5 + 1 + 2);
  });

  it('an expression cut off by the end of the section is still malformed', () => {
    // i32.const 0 without its end: the fast read needs all three bytes inside the section
    const bytes = new Uint8Array([...HEADER, ...section(4, [1, 0x70, 0, 1]), ...section(9, [1, 0, 0x41, 0x00])]);
    expect(thrown(() => decodeModule(bytes))).toBeInstanceOf(DecodeError);
  });

  it('an i32.const offset for an i64 table is a type mismatch at its own offset, not a shared one', () => {
    const bytes = elemModule([[0x42, 0x00, 0x0b], [0x41, 0x00, 0x0b]], 4);
    const m = decodeModule(bytes);
    const e = thrown(() => validateModule(m));
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as Error).message).toMatch(/^type mismatch/);
    // the error is in the second segment's expression (at its end, where the type is checked)
    const at = m.elems[1]!.offset!;
    expect((e as ValidationError).offset).toBe(at.offset + at.bytes.length - 1);
  });

  it('the validator short path accepts only a well-formed immediate of the expected type', () => {
    const global = (type: number, e: ReturnType<typeof cexpr>) => mod({ globals: [{ type: { type, mutable: false }, init: e }] });
    expect(() => validateModule(global(I32, cexpr([0x41, 0x80, 0x80, 0x80, 0x80, 0x07])))).not.toThrow();
    expect(() => validateModule(global(I64, cexpr([0x42, 0x7f])))).not.toThrow();
    expect(() => validateModule(global(I64, cexpr([0x41, 0x00])))).toThrow(ValidationError);
    expect(() => validateModule(global(I32, cexpr([0x42, 0x00])))).toThrow(ValidationError);
    // an immediate too big for 32 bits, or one that runs into the end: the function validator rejects it
    expect(thrown(() => validateModule(global(I32, cexpr([0x41, 0x80, 0x80, 0x80, 0x80, 0x10]))))).toBeInstanceOf(Error);
    expect(thrown(() => validateModule(global(I32, cexpr([0x41, 0x80]))))).toBeInstanceOf(Error);
    // two instructions are no plain constant (and i32.add is not constant without extended-const)
    expect(() => validateModule(global(I32, cexpr([0x41, 0x01, 0x41, 0x02])))).toThrow(ValidationError);
  });
});
