import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeModule, scanBody } from '../../src/decoder/index.js';
import { encodeModule } from '../../src/encoder/index.js';
import { DecodeError } from '../../src/core/errors.js';
import { moduleArb } from './encoder-gen.js';
import { binaryCases } from './decoder-wast-fixtures.js';

/** Decoding must give a Module or a DecodeError, nothing else. */
function decodeOrError(bytes: Uint8Array): void {
  try {
    const m = decodeModule(bytes);
    for (let i = 0; i < m.codes.length; i++) scanBody(m, i);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    expect(typeof e.message).toBe('string');
    expect(e.offset).toBeGreaterThanOrEqual(0);
    expect(e.offset).toBeLessThanOrEqual(bytes.length);
  }
}

const header = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
const withHeader = (b: Uint8Array) => {
  const out = new Uint8Array(8 + b.length);
  out.set(header);
  out.set(b, 8);
  return out;
};

type Mutation = { kind: 'set' | 'insert' | 'delete' | 'truncate'; at: number; byte: number };
const mutationArb = fc.record({ kind: fc.constantFrom('set' as const, 'insert' as const, 'delete' as const, 'truncate' as const), at: fc.nat(), byte: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x00, 0x0b, 0x7f, 0x80, 0xff, 0x40, 0x41, 0xfb, 0xfc)) });

function mutate(bytes: Uint8Array, ms: Mutation[]): Uint8Array {
  let b = [...bytes];
  for (const m of ms) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    if (m.kind === 'set') b[at] = m.byte;
    else if (m.kind === 'insert') b.splice(at, 0, m.byte);
    else if (m.kind === 'delete') b.splice(at, 1);
    else b = b.slice(0, at);
  }
  return Uint8Array.from(b);
}

describe('decoder fuzz', () => {
  it('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => decodeOrError(b)), { numRuns: 2000 });
  });
  it('random bytes after a valid header', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => decodeOrError(withHeader(b))), { numRuns: 5000 });
  });
  it('random section sequences', () => {
    const section = fc.tuple(fc.integer({ min: 0, max: 14 }), fc.uint8Array({ maxLength: 40 })).map(([id, body]) => [id, body.length, ...body]);
    fc.assert(fc.property(fc.array(section, { maxLength: 6 }), (ss) => decodeOrError(withHeader(Uint8Array.from(ss.flat())))), { numRuns: 3000 });
  });
  it('mutated generated modules', () => {
    fc.assert(fc.property(moduleArb, fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (m, ms) => decodeOrError(mutate(encodeModule(m), ms))), { numRuns: 3000 });
  });
  it('mutated testsuite modules', () => {
    const valid = binaryCases((f) => !f.includes('custom-descriptors')).filter((c) => c.malformed === null && c.bytes.length > 8).map((c) => c.bytes);
    expect(valid.length).toBeGreaterThan(10);
    fc.assert(fc.property(fc.constantFrom(...valid), fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (b, ms) => decodeOrError(mutate(b, ms))), { numRuns: 3000 });
  });
});
