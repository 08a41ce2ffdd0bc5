/** A name may start with U+FEFF (byte order mark): every UTF-8 decoder of names must keep it. */
import { describe, expect, it } from 'vitest';
import { Reader, Writer } from '../../src/core/bytes.js';
import { decodeModule } from '../../src/decoder/index.js';
import { encodeModule } from '../../src/encoder/index.js';
import { parseScript, parseWat, watToBinary } from '../../src/text/index.js';

const BOM = '\uFEFF';

describe('names starting with U+FEFF', () => {
  it('Reader.name keeps a leading BOM (and Writer.name writes it)', () => {
    const bytes = new Writer().name(`${BOM}x`).name(BOM).finish();
    expect([...bytes]).toEqual([4, 0xef, 0xbb, 0xbf, 0x78, 3, 0xef, 0xbb, 0xbf]);
    const r = new Reader(bytes);
    expect(r.name()).toBe(`${BOM}x`);
    expect(r.name()).toBe(BOM);
    expect(r.pos).toBe(bytes.length);
  });

  it('Reader.name still rejects malformed UTF-8', () => {
    expect(() => new Reader(Uint8Array.from([2, 0xc0, 0x80])).name()).toThrow('malformed UTF-8 encoding');
  });

  it('the decoder keeps it in import and export names', () => {
    const bytes = Uint8Array.from([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
      // import section: (import "\u{FEFF}m" "\u{FEFF}" (memory 0))
      0x02, 0x0d, 0x01, 0x04, 0xef, 0xbb, 0xbf, 0x6d, 0x03, 0xef, 0xbb, 0xbf, 0x02, 0x00, 0x00,
      // export section: (export "\u{FEFF}e" (memory 0))
      0x07, 0x08, 0x01, 0x04, 0xef, 0xbb, 0xbf, 0x65, 0x02, 0x00,
    ]);
    const m = decodeModule(bytes);
    expect(m.imports.map((i) => [i.module, i.name])).toEqual([[`${BOM}m`, BOM]]);
    expect(m.exports.map((e) => e.name)).toEqual([`${BOM}e`]);
    // and the encoder writes it back unchanged
    expect([...encodeModule(m)]).toEqual([...bytes]);
  });

  it('the text format keeps it, written literally or as escapes', () => {
    const m = parseWat(`(module
      (import "\\ef\\bb\\bfm" "${BOM}i" (func))
      (func (export "${BOM}f"))
      (func (export "\\u{feff}g")))`);
    expect(m.imports.map((i) => [i.module, i.name])).toEqual([[`${BOM}m`, `${BOM}i`]]);
    expect(m.exports.map((e) => e.name)).toEqual([`${BOM}f`, `${BOM}g`]);
    const back = decodeModule(watToBinary(`(func (export "${BOM}f"))`));
    expect(back.exports[0]!.name).toBe(`${BOM}f`);
  });

  it('script actions and registrations keep it', () => {
    const { commands } = parseScript(`(module (func (export "${BOM}f")))
(register "\\ef\\bb\\bfM")
(invoke "${BOM}f")`);
    expect(commands[1]).toMatchObject({ type: 'register', name: `${BOM}M` });
    expect(commands[2]).toMatchObject({ type: 'action', action: { type: 'invoke', name: `${BOM}f` } });
  });
});
