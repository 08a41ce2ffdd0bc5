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

/** A u32 in exactly `width` LEB128 bytes (at least its shortest encoding). */
function leb(n: number, width: number): number[] {
  const out: number[] = [];
  let v = n;
  do {
    out.push(v & 0x7f);
    v >>>= 7;
  } while (v !== 0);
  while (out.length < width) out.push(0);
  for (let i = 0; i < out.length - 1; i++) out[i]! |= 0x80;
  return out;
}

/** The sections of a well-formed module as [id, payload]. */
function sections(bytes: Uint8Array): [number, number[]][] {
  const out: [number, number[]][] = [];
  let p = 8;
  while (p < bytes.length) {
    const id = bytes[p++]!;
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const b = bytes[p++]!;
      size += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
    }
    out.push([id, [...bytes.subarray(p, p + size)]]);
    p += size;
  }
  return out;
}

/** A module of these sections, every size in `width` bytes, the size of section `which` off by `delta`. */
function build(ss: [number, number[]][], width: number, which = -1, delta = 0): Uint8Array {
  const out = [...header];
  ss.forEach(([id, payload], i) => out.push(id, ...leb(payload.length + (i === which ? delta : 0), width), ...payload));
  return Uint8Array.from(out);
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
  it('section sizes: padded LEB128 sizes decode, sizes off by one or past the padding fail', () => {
    const customArb = fc.tuple(fc.stringMatching(/^[a-z]{0,4}$/), fc.uint8Array({ maxLength: 8 })).map(([name, payload]) => [name.length, ...Buffer.from(name), ...payload]);
    const deltaArb = fc.constantFrom(-1, 1, 2, 3, 4, 5);
    fc.assert(
      fc.property(moduleArb, customArb, fc.nat(), fc.nat(), fc.integer({ min: 1, max: 5 }), deltaArb, (m, custom, at, pick, width, delta) => {
        const ss = sections(encodeModule(m));
        ss.splice(at % (ss.length + 1), 0, [0, custom]);
        // every size padded: the same module
        const plain = encodeModule(decodeModule(build(ss, 1)));
        expect([...encodeModule(decodeModule(build(ss, width)))]).toEqual([...plain]);
        expect([...encodeModule(decodeModule(build(ss, width), { scanBodies: false }))]).toEqual([...plain]);
        // one size off: a section must then fail, unless it is a custom section the rest can re-align after
        const which = pick % ss.length;
        const [id, payload] = ss[which]!;
        if (payload.length + delta < 0) return;
        const bad = build(ss, width, which, delta);
        if (id !== 0 || which === ss.length - 1) {
          expect(() => decodeModule(bad)).toThrow(DecodeError);
          expect(() => decodeModule(bad, { scanBodies: false })).toThrow(DecodeError);
        } else decodeOrError(bad);
      }),
      { numRuns: 1500 },
    );
  });
  it('mutated testsuite modules', () => {
    const valid = binaryCases().filter((c) => c.malformed === null && c.bytes.length > 8).map((c) => c.bytes);
    expect(valid.length).toBeGreaterThan(10);
    fc.assert(fc.property(fc.constantFrom(...valid), fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (b, ms) => decodeOrError(mutate(b, ms))), { numRuns: 3000 });
  });
});
