import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Reader, Writer } from '../../src/core/bytes.js';
import { DecodeError } from '../../src/core/errors.js';
import { INSTRS, byName, type InstrDef } from '../../src/core/instructions.js';
import { F64, HEAP_CONCRETE, HeapType, I32, refType } from '../../src/core/types.js';
import { Instr, readInstr } from '../../src/decoder/index.js';
import { writeInstr } from '../../src/encoder/index.js';

function read(bytes: number[]): Instr {
  const r = new Reader(Uint8Array.from(bytes), 0, bytes.length, 100);
  const ins = new Instr();
  readInstr(r, ins);
  expect(r.pos).toBe(bytes.length);
  return ins;
}

describe('readInstr', () => {
  it("reads an i64.const as its int32 halves (no BigInt), every width and sign of LEB128 and the encoder's own", () => {
    const values = [0n, 1n, -1n, 63n, 64n, -64n, -65n, 0x7fffffffn, -0x80000000n, 0x80000000n, 0xffffffffn, 1n << 32n, -(1n << 32n), (1n << 35n) - 1n, -(1n << 35n)];
    for (let k = 0; k < 64; k++) values.push(1n << BigInt(k), -(1n << BigInt(k)), (1n << BigInt(k)) - 1n, BigInt.asIntN(64, 0x9e3779b97f4a7c15n >> BigInt(k)));
    values.push((1n << 63n) - 1n, -(1n << 63n));
    for (const v of values.map((x) => BigInt.asIntN(64, x))) {
      const w = new Writer();
      w.u8(0x42).s64(v);
      const i = read([...w.finish()]);
      expect([i.lo, i.hi], `${v}`).toEqual([Number(BigInt.asIntN(32, v)), Number(BigInt.asIntN(32, v >> 32n))]);
      expect(i.i64).toBe(v);
    }
    // a longer encoding than needed: 1 in ten bytes, -1 in ten (the last byte's unused bits copies of the sign)
    let i = read([0x42, 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]);
    expect([i.lo, i.hi]).toEqual([1, 0]);
    i = read([0x42, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]);
    expect([i.lo, i.hi]).toEqual([-1, -1]);
  });

  it('reads the immediates in binary order', () => {
    let i = read([0x11, 5, 2]);
    expect([i.def.name, i.a, i.b, i.offset]).toEqual(['call_indirect', 5, 2, 100]);
    i = read([0x28, 0x42, 3, 0x80, 0x01]);
    expect([i.def.name, i.a, i.b, i.offset64]).toEqual(['i32.load', 2, 3, 128]);
    i = read([0x29, 0x03, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect([i.a, i.b, i.offset64]).toEqual([3, 0, 2 ** 53 - 1]);
    i = read([0x41, 0x7f]);
    expect(i.a).toBe(-1);
    i = read([0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f]);
    expect(i.i64).toBe(-(1n << 63n));
    i = read([0x43, 0x00, 0x00, 0xc0, 0x7f]);
    expect(i.a).toBe(0x7fc00000);
    i = read([0x44, 1, 0, 0, 0, 0, 0, 0xf0, 0xff]);
    expect([i.lo, i.hi]).toEqual([1, 0xfff00000 | 0]);
    i = read([0x0e, 2, 3, 4, 5]);
    expect([i.labels, i.a]).toEqual([[3, 4], 5]);
    i = read([0x1c, 2, 0x7f, 0x63, 0x05]);
    expect(i.types).toEqual([I32, refType(HEAP_CONCRETE + 5, true)]);
    i = read([0xd0, 0x6e]);
    expect(i.a).toBe(HeapType.any);
    i = read([0xfb, 24, 3, 1, 0x6e, 0x00]);
    expect([i.def.name, i.a, i.b, i.ht1, i.ht2]).toEqual(['br_on_cast', 3, 1, HeapType.any, HEAP_CONCRETE]);
    i = read([0xfb, 2, 7, 9]);
    expect([i.def.name, i.a, i.b]).toEqual(['struct.get', 7, 9]);
    i = read([0xfc, 8, 3, 1]);
    expect([i.def.name, i.a, i.b]).toEqual(['memory.init', 3, 1]);
    i = read([0x1f, 0x7c, 4, 0, 1, 2, 1, 3, 4, 2, 5, 3, 6]);
    expect([i.blockType, i.catches]).toEqual([F64, [{ kind: 0, tag: 1, label: 2 }, { kind: 1, tag: 3, label: 4 }, { kind: 2, tag: 0, label: 5 }, { kind: 3, tag: 0, label: 6 }]]);
  });
  it('decodes block types', () => {
    expect(read([0x02, 0x40]).blockType).toBe(-1);
    expect(read([0x02, 0x7f]).blockType).toBe(I32);
    expect(read([0x02, 0x64, 0x70]).blockType).toBe(refType(HeapType.func, false));
    expect(read([0x02, 0x05]).blockType).toBe(-(2 + 5));
    expect(read([0x02, 0x80, 0x01]).blockType).toBe(-(2 + 128));
  });
  it('rejects memarg flags >= 128 and unknown opcodes', () => {
    expect(() => read([0x28, 0x80, 0x01, 0])).toThrow(DecodeError);
    expect(() => read([0x28, 0x80, 0x01, 0])).toThrow('malformed memop flags');
    expect(() => read([0xd7])).toThrow('illegal opcode d7');
  });
  it('reuses arrays without leaking old elements', () => {
    const ins = new Instr();
    const r = new Reader(Uint8Array.from([0x0e, 3, 1, 2, 3, 0, 0x0e, 1, 9, 0]));
    readInstr(r, ins);
    readInstr(r, ins);
    expect(ins.labels).toEqual([9]);
  });
});

/** Random immediates for a table row, filled into an Instr. */
function randomInstr(d: InstrDef, g: { u: () => number; b: () => number }): Instr {
  const ins = new Instr();
  ins.def = d;
  const heap = () => (g.b() & 1 ? g.u() % 12 : HEAP_CONCRETE + g.u());
  switch (d.imm) {
    case 'blocktype': ins.blockType = [-1, I32, -(2 + g.u()), refType(heap(), false)][g.b() % 4]!; break;
    case 'br_table': ins.labels = [g.u(), g.u()]; ins.a = g.u(); break;
    case 'memarg': case 'memarg_lane': ins.a = g.b() % 64; ins.b = g.b() % 3; ins.offset64 = g.u() * 1000; ins.c = g.b(); break;
    case 'i32': ins.a = g.u() | 0; break;
    case 'i64': ins.i64 = BigInt.asIntN(64, BigInt(g.u()) * 0x123456789n); break;
    case 'f32': ins.a = g.u() | 0; break;
    case 'f64': ins.lo = g.u() | 0; ins.hi = g.u() | 0; break;
    case 'v128': case 'shuffle': for (let i = 0; i < 16; i++) ins.v128[i] = g.b(); break;
    case 'lane': ins.a = g.b(); break;
    case 'select_t': ins.types = [I32, refType(heap(), true)]; break;
    case 'heaptype': case 'cast': ins.a = heap(); break;
    case 'br_on_cast': ins.a = g.b() % 4; ins.b = g.u(); ins.ht1 = heap(); ins.ht2 = heap(); break;
    case 'try_table': ins.blockType = -1; ins.catches = [{ kind: 0, tag: g.u(), label: g.u() }, { kind: 3, tag: 0, label: g.u() }]; break;
    case 'none': case 'zero': break;
    case 'call_indirect': case 'type_field': case 'type_u32': case 'type_data': case 'type_elem': case 'type_type':
    case 'data_mem': case 'mem_mem': case 'elem_table': case 'table_table':
      ins.a = g.u(); ins.b = g.u(); break;
    default: ins.a = g.u(); break;
  }
  return ins;
}

describe('every table row', () => {
  it('writeInstr then readInstr gives the same instruction', () => {
    expect(INSTRS.length).toBeGreaterThan(200);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: INSTRS.length - 1 }), fc.infiniteStream(fc.nat()), (id, s) => {
        const it = s[Symbol.iterator]();
        const next = () => it.next().value as number;
        const g = { u: () => next() % 0x100000, b: () => next() % 256 };
        const d = INSTRS[id]!;
        const ins = randomInstr(d, g);
        const w = new Writer();
        writeInstr(w, ins);
        const bytes = w.finish();
        const back = new Instr();
        const r = new Reader(bytes);
        readInstr(r, back);
        expect(r.pos).toBe(bytes.length);
        expect(back.def).toBe(d);
        const pick = (x: Instr) => ({ a: x.a, b: x.b, c: d.imm === 'memarg_lane' ? x.c : 0, o: x.offset64, i64: x.i64, lo: x.lo, hi: x.hi, v: [...x.v128], h1: x.ht1, h2: x.ht2, bt: x.blockType, l: x.labels, t: x.types, cs: x.catches });
        const p1 = pick(ins);
        if (d.imm === 'memarg' || d.imm === 'memarg_lane') p1.c = d.imm === 'memarg_lane' ? ins.c : 0;
        expect(pick(back)).toEqual(p1);
      }),
      { numRuns: 3000 },
    );
  });
  it('every opcode decodes from its canonical bytes', () => {
    for (const d of INSTRS) {
      const ins = randomInstr(d, { u: () => 1, b: () => 1 });
      const w = new Writer();
      writeInstr(w, ins);
      const back = new Instr();
      readInstr(new Reader(w.finish()), back);
      expect(back.def, d.name).toBe(d);
    }
    expect(byName('i32.add').code).toBe(0x6a);
  });
});
