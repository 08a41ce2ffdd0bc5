import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeModule } from '../../src/decoder/index.js';
import { encodeModule } from '../../src/encoder/index.js';
import type { Module } from '../../src/core/module.js';
import { moduleArb } from './encoder-gen.js';

/** Offsets are positions in a particular binary: drop them; the decoder also keeps the raw name section as a custom. */
export function normalize(m: Module): unknown {
  const e = (x: { bytes: Uint8Array } | null) => (x === null ? null : [...x.bytes]);
  return {
    ...m,
    tables: m.tables.map((t) => ({ type: t.type, init: e(t.init) })),
    globals: m.globals.map((g) => ({ type: g.type, init: e(g.init) })),
    elems: m.elems.map((s) => ({ ...s, offset: e(s.offset), init: s.init.map(e) })),
    datas: m.datas.map((d) => ({ ...d, offset: e(d.offset), bytes: [...d.bytes] })),
    codes: m.codes.map((c) => ({ locals: c.locals, body: [...c.body] })),
    customs: m.customs.filter((c) => c.name !== 'name' || m.names === null).map((c) => ({ ...c, bytes: [...c.bytes] })),
  };
}

describe('encode/decode round trip', () => {
  it('decode(encode(m)) equals m', () => {
    fc.assert(
      fc.property(moduleArb, (m) => {
        const bytes = encodeModule(m);
        const d = decodeModule(bytes);
        expect(normalize(d)).toEqual(normalize(m));
        // and re-encoding is stable
        expect([...encodeModule(d)]).toEqual([...bytes]);
      }),
      { numRuns: 400 },
    );
  });
});
