import { describe, expect, it } from 'vitest';
import { DecodeError, ValidationError } from '../../src/core/errors.js';
import { emptyModule } from '../../src/core/module.js';
import { CompKind, I32 } from '../../src/core/types.js';
import { decodeModule } from '../../src/decoder/index.js';
import { encodeModule } from '../../src/encoder/index.js';
import { Module } from '../../src/index.js';
import { validateModule } from '../../src/validate/index.js';

/** A module of [] -> [] functions with these raw bodies (each ending with its own `end`). */
function moduleOf(bodies: number[][], opts: { memory?: boolean; dataCount?: number } = {}): Uint8Array {
  const m = emptyModule();
  m.types.push({ final: true, supers: [], comp: { kind: CompKind.Func, params: [], results: [] }, recStart: 0, recSize: 1 });
  if (opts.memory) m.memories.push({ addr: 'i32', min: 1, max: null, shared: false, pageSizeLog2: 16 });
  for (const b of bodies) {
    m.funcs.push(0);
    m.codes.push({ locals: [{ count: 1, type: I32 }], body: Uint8Array.from(b), offset: -1 });
  }
  if (opts.dataCount !== undefined) {
    m.dataCount = opts.dataCount;
    for (let i = 0; i < opts.dataCount; i++) m.datas.push({ mode: 'passive', memory: 0, offset: null, bytes: new Uint8Array(0) });
  }
  return encodeModule(m);
}

/** What the ordinary path (scanning decode, then validation) throws. */
function ordinary(bytes: Uint8Array): unknown {
  try {
    validateModule(decodeModule(bytes));
  } catch (e) {
    return e;
  }
  return null;
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return null;
}

// Module.fromBinary decodes without scanning bodies and lets the validator find malformed instructions; on any error
// it falls back to the ordinary path, so these must report exactly what decode + validate report.
describe('Module.fromBinary errors equal decodeModule + validateModule', () => {
  const cases: [string, Uint8Array][] = [
    ['valid', moduleOf([[0x20, 0, 0x1a, 0x0b]])],
    ['invalid body', moduleOf([[0x20, 0, 0x0b]])],
    ['malformed body', moduleOf([[0xff, 0x0b]])],
    ['invalid body before a malformed one', moduleOf([[0x20, 0, 0x0b], [0x01, 0x0b], [0x06, 0x0b]])],
    ['malformed body before an invalid one', moduleOf([[0x41, 0x80, 0x0b], [0x20, 0, 0x0b]])],
    ['memory.init without a data count', moduleOf([[0x41, 0, 0x41, 0, 0x41, 0, 0xfc, 8, 0, 0, 0x0b]], { memory: true })],
    ['data.drop without a data count, after an invalid body', moduleOf([[0x20, 0, 0x0b], [0xfc, 9, 0, 0x0b]], { memory: true })],
    ['memory.init with a data count', moduleOf([[0x41, 0, 0x41, 0, 0x41, 0, 0xfc, 8, 0, 0, 0x0b]], { memory: true, dataCount: 1 })],
    ['else without if', moduleOf([[0x05, 0x0b]])],
    ['body size mismatch', moduleOf([[0x0b, 0x0b]])],
  ];
  for (const [name, bytes] of cases) {
    it(name, () => {
      const want = ordinary(bytes);
      const got = thrown(() => Module.fromBinary(bytes));
      if (want === null) {
        expect(got).toBeNull();
        return;
      }
      expect(got).toBeInstanceOf((want as Error).constructor);
      expect((got as Error).message).toBe((want as Error).message);
      if (want instanceof DecodeError) expect((got as DecodeError).offset).toBe(want.offset);
      if (want instanceof ValidationError) expect((got as ValidationError).funcIndex).toBe(want.funcIndex);
    });
  }

  it('a malformed body after an invalid one is a DecodeError', () => {
    expect(() => Module.fromBinary(moduleOf([[0x20, 0, 0x0b], [0xff, 0x0b]]))).toThrow(DecodeError);
  });
  it('an invalid body in a function never called is rejected', () => {
    expect(() => Module.fromBinary(moduleOf([[0x01, 0x0b], [0x6a, 0x0b]]))).toThrow(ValidationError);
  });
});
