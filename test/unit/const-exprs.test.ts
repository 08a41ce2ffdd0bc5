/**
 * The short paths for constant expressions that huge modules (millions of segments or globals, as in the JS API's
 * limits.any.js) depend on: the decoder shares the bytes of short expressions and reads `i32.const n end` without
 * its scan; the validator accepts `i32.const`/`i64.const` of the expected type without the function validator.
 * Each must give exactly what the long path gives.
 */
import { describe, expect, it } from 'vitest';
import { DecodeError, ValidationError } from '../../src/core/errors.js';
import { I32, I64 } from '../../src/core/types.js';
import { decodeModule } from '../../src/decoder/index.js';
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
    expect(offs[1]!.bytes).toBe(offs[0]!.bytes);
    expect(offs[4]!.bytes).toBe(offs[3]!.bytes);
    expect(offs[2]!.bytes).not.toBe(offs[0]!.bytes);
    // each offset points at its own expression in the binary
    for (const o of offs) expect([...bytes.subarray(o.offset, o.offset + o.bytes.length)]).toEqual([...o.bytes]);
    expect(new Set(offs.map((o) => o.offset)).size).toBe(5);
    expect(m.elems[0]!.init).toBe(m.elems[1]!.init);
    expect(Object.isFrozen(m.elems[0]!.init)).toBe(true);
    expect(() => validateModule(m)).not.toThrow();
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
