import { describe, expect, it } from 'vitest';
import { BY_NAME, INSTRS, PREFIXED, build, byName, lookup, opcodeBytes } from '../../src/core/instructions.js';
import { F32, F64, I32, I64, V128 } from '../../src/core/types.js';
import { codeTable, codeTableByName } from '../../src/validate/ops.js';

describe('instruction table', () => {
  it('has unique opcodes', () => {
    const seen = new Set<string>();
    for (const d of INSTRS) {
      const key = `${d.prefix}:${d.code}`;
      expect(seen.has(key), key).toBe(false);
      seen.add(key);
    }
  });

  it('ids are positions', () => {
    INSTRS.forEach((d, i) => expect(d.id).toBe(i));
  });

  it('names are unique except the documented aliases', () => {
    const dup = [...BY_NAME.entries()].filter(([, l]) => l.length > 1).map(([n]) => n).sort();
    expect(dup).toEqual(['ref.cast', 'ref.cast_desc_eq', 'ref.test', 'select']);
  });

  it('has the spec count of SIMD opcodes', () => {
    const simd = INSTRS.filter((d) => d.feature === 'simd');
    const relaxed = INSTRS.filter((d) => d.feature === 'relaxed-simd');
    expect(simd.length).toBe(236);
    expect(relaxed.length).toBe(20);
    expect(simd.every((d) => d.prefix === 0xfd && d.code <= 0xff && d.family === 'vector')).toBe(true);
    expect(relaxed.map((d) => d.code)).toEqual(Array.from({ length: 20 }, (_, i) => 0x100 + i));
    const fd = PREFIXED[0xfd]!;
    expect(fd.filter((d) => d !== undefined).length).toBe(256);
    // the unassigned fixed-width slots
    const gaps = [];
    for (let c = 0; c < 256; c++) if (!fd[c]) gaps.push(c);
    expect(gaps).toEqual([
      0x9a, 0xa2, 0xa5, 0xa6, 0xaf, 0xb0, 0xb2, 0xb3, 0xb4, 0xbb, 0xc2, 0xc5, 0xc6, 0xcf, 0xd0, 0xd2, 0xd3,
      0xd4, 0xe2, 0xee,
    ]);
  });

  it('has the threads opcodes', () => {
    const at = INSTRS.filter((d) => d.feature === 'threads');
    // notify, wait32, wait64, fence, 7 loads, 7 stores, 7 rmw ops x 7 widths
    expect(at.length).toBe(4 + 7 + 7 + 49);
    expect(at.every((d) => d.prefix === 0xfe && d.family === 'atomic')).toBe(true);
    const codes = at.map((d) => d.code);
    expect(codes).toEqual([0, 1, 2, 3, ...Array.from({ length: 0x4f - 0x10 }, (_, i) => 0x10 + i)]);
    for (const d of at) {
      if (d.name === 'atomic.fence') {
        expect(d.imm).toBe('zero');
        expect(d.params).toEqual([]);
        expect(d.results).toEqual([]);
      } else {
        expect(d.imm).toBe('memarg');
        expect([1, 2, 4, 8]).toContain(d.bytes);
        expect(d.params?.[0]).toBe(I32);
      }
    }
  });

  it('knows sample SIMD rows', () => {
    const check = (name: string, code: number, imm: string, bytes: number, params: unknown[], results: unknown[]) => {
      const d = byName(name);
      expect(d.prefix, name).toBe(0xfd);
      expect(d.code, name).toBe(code);
      expect(d.imm, name).toBe(imm);
      expect(d.bytes, name).toBe(bytes);
      expect(d.params, name).toEqual(params);
      expect(d.results, name).toEqual(results);
      expect(lookup(0xfd, code)).toBe(d);
    };
    check('v128.load', 0, 'memarg', 16, [I32], [V128]);
    check('v128.load8x8_s', 1, 'memarg', 8, [I32], [V128]);
    check('v128.load64_splat', 10, 'memarg', 8, [I32], [V128]);
    check('v128.store', 11, 'memarg', 16, [I32, V128], []);
    check('v128.const', 12, 'v128', 0, [], [V128]);
    check('i8x16.shuffle', 13, 'shuffle', 0, [V128, V128], [V128]);
    check('i64x2.splat', 18, 'none', 0, [I64], [V128]);
    check('i32x4.extract_lane', 27, 'lane', 0, [V128], [I32]);
    check('f64x2.replace_lane', 34, 'lane', 0, [V128, F64], [V128]);
    check('f32x4.extract_lane', 31, 'lane', 0, [V128], [F32]);
    check('v128.bitselect', 82, 'none', 0, [V128, V128, V128], [V128]);
    check('v128.any_true', 83, 'none', 0, [V128], [I32]);
    check('v128.load16_lane', 85, 'memarg_lane', 2, [I32, V128], [V128]);
    check('v128.store64_lane', 91, 'memarg_lane', 8, [I32, V128], []);
    check('v128.load32_zero', 92, 'memarg', 4, [I32], [V128]);
    check('f32x4.ceil', 103, 'none', 0, [V128], [V128]);
    check('i8x16.shl', 107, 'none', 0, [V128, I32], [V128]);
    check('i8x16.add', 110, 'none', 0, [V128, V128], [V128]);
    check('f64x2.nearest', 148, 'none', 0, [V128], [V128]);
    check('i32x4.dot_i16x8_s', 186, 'none', 0, [V128, V128], [V128]);
    check('i64x2.bitmask', 196, 'none', 0, [V128], [I32]);
    check('i64x2.mul', 213, 'none', 0, [V128, V128], [V128]);
    check('f64x2.pmax', 247, 'none', 0, [V128, V128], [V128]);
    check('f64x2.convert_low_i32x4_u', 255, 'none', 0, [V128], [V128]);
    check('i8x16.relaxed_swizzle', 256, 'none', 0, [V128, V128], [V128]);
    check('f32x4.relaxed_madd', 261, 'none', 0, [V128, V128, V128], [V128]);
    check('i32x4.relaxed_dot_i8x16_i7x16_add_s', 275, 'none', 0, [V128, V128, V128], [V128]);
  });

  it('knows sample atomic rows', () => {
    const check = (name: string, code: number, bytes: number, params: unknown[], results: unknown[]) => {
      const d = byName(name);
      expect([d.prefix, d.code, d.bytes], name).toEqual([0xfe, code, bytes]);
      expect(d.params, name).toEqual(params);
      expect(d.results, name).toEqual(results);
    };
    check('memory.atomic.notify', 0, 4, [I32, I32], [I32]);
    check('memory.atomic.wait32', 1, 4, [I32, I32, I64], [I32]);
    check('memory.atomic.wait64', 2, 8, [I32, I64, I64], [I32]);
    check('i64.atomic.load32_u', 0x16, 4, [I32], [I64]);
    check('i32.atomic.store16', 0x1a, 2, [I32, I32], []);
    check('i32.atomic.rmw.add', 0x1e, 4, [I32, I32], [I32]);
    check('i64.atomic.rmw32.sub_u', 0x2b, 4, [I32, I64], [I64]);
    check('i64.atomic.rmw.xchg', 0x42, 8, [I32, I64], [I64]);
    check('i32.atomic.rmw.cmpxchg', 0x48, 4, [I32, I32, I32], [I32]);
    check('i64.atomic.rmw32.cmpxchg_u', 0x4e, 4, [I32, I64, I64], [I64]);
  });

  it('encodes prefixed opcodes as LEB128', () => {
    expect(opcodeBytes(byName('i8x16.relaxed_swizzle'))).toEqual([0xfd, 0x80, 0x02]);
    expect(opcodeBytes(byName('f64x2.convert_low_i32x4_u'))).toEqual([0xfd, 0xff, 0x01]);
    expect(opcodeBytes(byName('v128.load'))).toEqual([0xfd, 0x00]);
    expect(opcodeBytes(byName('i32.atomic.rmw.cmpxchg'))).toEqual([0xfe, 0x48]);
  });
});

describe('codeTableByName', () => {
  it('is codeTable of the names, every encoding of a name included, unknown names ignored', () => {
    const codes = { select: 3, 'i32.add': 7, 'ref.test': 9, 'no.such': 5 };
    const byName = codeTableByName(codes);
    expect(byName).toEqual(codeTable((d) => (codes as Record<string, number>)[d.name] ?? 0));
    expect([...byName].filter((c) => c !== 0).sort()).toEqual([3, 3, 7, 9, 9]);
  });
});

describe('the table format', () => {
  it('fields are separated by one space; two spaces, or a fifth field, are a bad row', () => {
    const rows = (r: string) => build([`\n## numeric mvp\n${r}\n`]);
    expect(rows('i32.add 6a none ii:i')).toMatchObject([{ name: 'i32.add', code: 0x6a, imm: 'none', params: [I32, I32], results: [I32] }]);
    expect(rows('  nop 01 none  ')).toMatchObject([{ name: 'nop', params: null }]);
    for (const bad of ['i32.add  6a none ii:i', 'i32.add 6a  none ii:i', 'i32.add 6a none  ii:i', 'i32.add 6a none ii:i x', 'i32.add 6a'])
      expect(() => rows(bad), bad).toThrow(/bad row/);
  });
});
