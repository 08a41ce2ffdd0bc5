import { Writer } from '../../src/core/bytes.js';
import { emptyModule } from '../../src/core/module.js';
import { CompKind, I32, I64 } from '../../src/core/types.js';
import { encodeModule } from '../../src/encoder/index.js';

/**
 * A multi-MB module with a typical instruction mix. With `entry`, one more
 * function, exported as "entry", returns the sum of its two i32 parameters
 * (for measuring the time to a first result; the generated bodies may loop).
 */
export function bigModule(funcs: number, bodyBytes: number, entry = false): Uint8Array {
  const m = emptyModule();
  m.types.push({ final: true, supers: [], comp: { kind: CompKind.Func, params: [I32, I32], results: [I32] }, recStart: 0, recSize: 1 });
  m.memories.push({ addr: 'i32', min: 1, max: null, shared: false, pageSizeLog2: 16 });
  let seed = 1;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let f = 0; f < funcs; f++) {
    const w = new Writer();
    while (w.length < bodyBytes) {
      switch (rnd(12)) {
        case 0: w.u8(0x20).u32(rnd(4)); w.u8(0x20).u32(rnd(4)); w.u8(0x6a); w.u8(0x21).u32(2 + rnd(2)); break;
        case 1: w.u8(0x41).s32(rnd(1 << 20) - (1 << 19)); w.u8(0x21).u32(2); break;
        case 2: w.u8(0x20).u32(0); w.u8(0x28).u32(2).u32(rnd(4096)); w.u8(0x21).u32(3); break;
        case 3: w.u8(0x20).u32(0); w.u8(0x20).u32(1); w.u8(0x36).u32(2).u32(rnd(64)); break;
        case 4: w.u8(0x02).u8(0x40); w.u8(0x20).u32(1); w.u8(0x0d).u32(0); w.u8(0x0b); break;
        case 5: w.u8(0x20).u32(0); w.u8(0x20).u32(1); w.u8(0x10).u32(rnd(funcs)); w.u8(0x1a); break;
        case 6: w.u8(0x42).s64(BigInt(rnd(1 << 30)) * 12345n); w.u8(0x1a); break;
        case 7: w.u8(0x44).bits64(rnd(1 << 30), rnd(1 << 30)); w.u8(0x1a); break;
        case 8: w.u8(0x03).u8(0x40); w.u8(0x20).u32(2); w.u8(0x45); w.u8(0x0d).u32(0); w.u8(0x0b); break;
        case 9: w.u8(0x20).u32(2); w.u8(0x04).u8(0x7f); w.u8(0x41).s32(1); w.u8(0x05); w.u8(0x41).s32(2); w.u8(0x0b); w.u8(0x21).u32(3); break;
        case 10: w.u8(0x20).u32(0); w.u8(0x20).u32(1); w.u8(0x4a); w.u8(0x21).u32(2); break;
        case 11: w.u8(0x23).u32(0); w.u8(0x1a); w.u8(0x01); break;
      }
    }
    w.u8(0x20).u32(2).u8(0x0b);
    m.funcs.push(0);
    m.codes.push({ locals: [{ count: 2, type: I32 }, { count: 1, type: I64 }], body: w.finish(), offset: -1 });
  }
  if (entry) {
    m.funcs.push(0);
    m.codes.push({ locals: [], body: Uint8Array.from([0x20, 0, 0x20, 1, 0x6a, 0x0b]), offset: -1 });
    m.exports.push({ name: 'entry', kind: 'func', index: funcs });
  }
  m.globals.push({ type: { type: I32, mutable: true }, init: { bytes: Uint8Array.from([0x41, 0, 0x0b]), offset: -1 } });
  return encodeModule(m);
}

