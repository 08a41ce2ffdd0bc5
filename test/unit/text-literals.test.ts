/** Numeric literals of the text format: ranges, rounding, NaN payloads. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { suiteOrNull } from '../../src/spec/suite.js';
import { NumError, parseF32, parseF64, parseI32, parseI64 } from '../../src/text/numbers.js';
import { parseScript, parseWat } from '../../src/text/index.js';

const f32bits = (x: number): number => new Uint32Array(Float32Array.of(x).buffer)[0]!;
const f64bits = (x: number): bigint => new BigUint64Array(Float64Array.of(x).buffer)[0]!;
const str = (x: number): string => (Object.is(x, -0) ? '-0' : String(x));

describe('integer literals', () => {
  it('accepts signed and unsigned i32 forms', () => {
    expect(parseI32('0')).toBe(0);
    expect(parseI32('-1')).toBe(-1);
    expect(parseI32('+42')).toBe(42);
    expect(parseI32('4294967295')).toBe(-1);
    expect(parseI32('0xffffffff')).toBe(-1);
    expect(parseI32('-0x80000000')).toBe(-0x80000000);
    expect(parseI32('2147483648')).toBe(-0x80000000);
    expect(parseI32('1_000_000')).toBe(1000000);
    expect(parseI32('0xdead_BEEF')).toBe(0xdeadbeef | 0);
  });
  it('rejects out-of-range i32 with "constant out of range"', () => {
    expect(() => parseI32('4294967296')).toThrow(NumError);
    expect(() => parseI32('-2147483649')).toThrow('constant out of range');
    expect(() => parseI32('0x100000000')).toThrow(NumError);
  });
  it('i64 boundaries', () => {
    expect(parseI64('18446744073709551615')).toBe(-1n);
    expect(parseI64('-9223372036854775808')).toBe(-(2n ** 63n));
    expect(parseI64('0x7fff_ffff_ffff_ffff')).toBe(2n ** 63n - 1n);
    expect(() => parseI64('18446744073709551616')).toThrow(NumError);
    expect(() => parseI64('-9223372036854775809')).toThrow(NumError);
  });
  it('returns null for malformed integer syntax', () => {
    for (const s of ['', '-', '0x', '1_', '_1', '1__0', '0x_1', '1a', '++1', '0b1', '1.0', 'x']) {
      expect(parseI32(s), s).toBeNull();
    }
  });
  it('round-trips random int32/int64 (fast-check)', () => {
    fc.assert(fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (v) => parseI32(String(v)) === v));
    fc.assert(fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (v) => parseI64('0x' + BigInt.asUintN(64, v).toString(16)) === v));
  });
});

describe('float literals', () => {
  it('decimal f64 is correctly rounded (matches the JS parser)', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => parseF64(str(x)) === f64bits(x)),
    );
  });
  it('f32 values round-trip through their decimal text', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), (x) => parseF32(str(x)) === f32bits(x)),
    );
  });
  it('f32 from random long decimals is the nearest f32, ties to even (exact rational check)', () => {
    // value of finite f32 bits as an exact fraction
    const rat = (bits: number): [bigint, bigint] => {
      const e = (bits >>> 23) & 0xff;
      const m = BigInt(bits & 0x7fffff);
      const sig = e === 0 ? m : m | 0x800000n;
      const exp = (e === 0 ? 1 : e) - 127 - 23;
      return exp >= 0 ? [sig << BigInt(exp), 1n] : [sig, 1n << BigInt(-exp)];
    };
    const abs = (x: bigint): bigint => (x < 0n ? -x : x);
    fc.assert(
      fc.property(
        fc.stringMatching(/^[1-9][0-9]{0,29}$/),
        fc.integer({ min: -60, max: 30 }),
        (digits, e) => {
          const text = `${digits}e${e}`;
          let bits: number | null;
          try {
            bits = parseF32(text);
          } catch {
            return Number(text) > 3.4e38; // overflow only for huge values
          }
          if (bits === null) return false;
          const M = BigInt(digits);
          const [xn, xd] = e >= 0 ? [M * 10n ** BigInt(e), 1n] : [M, 10n ** BigInt(-e)];
          const [cn, cd] = rat(bits);
          const d0 = abs(xn * cd - cn * xd) * 1n; // distance * xd * cd
          for (const nb of [bits - 1, bits + 1]) {
            if (nb < 0 || nb >= 0x7f800000) continue;
            const [nn, nd] = rat(nb);
            // compare |x-c| and |x-n| with a common denominator xd*cd*nd
            const dc = d0 * nd;
            const dn = abs(xn * nd - nn * xd) * cd;
            if (dn < dc) return false;
            if (dn === dc && (bits & 1) === 1) return false;
          }
          return true;
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('f32 from decimal avoids double rounding', () => {
    // 2^24 + 1 is halfway between two f32s: ties to even
    expect(parseF32('16777217')).toBe(0x4b800000);
    // just above the halfway point rounds up, though the nearest double is the midpoint itself
    expect(parseF32('16777217.000000001')).toBe(0x4b800001);
    expect(parseF32('16777216.999999999')).toBe(0x4b800000);
    // the f32 just below 1 + 2^-24 / above
    expect(parseF32('1.00000005960464477539062499')).toBe(0x3f800000);
    expect(parseF32('1.00000005960464477539062501')).toBe(0x3f800001);
  });
  it('f32 from hex with long mantissas rounds to nearest even exactly', () => {
    expect(parseF32('0x1.000001p0')).toBe(0x3f800000); // exact tie, even
    expect(parseF32('0x1.000003p0')).toBe(0x3f800002); // exact tie, rounds up to even
    expect(parseF32('0x1.00000100000000000000001p0')).toBe(0x3f800001); // just above the tie
    expect(parseF32('0x1.00000fffffffffffffffffffp0')).toBe(0x3f800008);
    expect(parseF32('0x1p-149')).toBe(1); // smallest subnormal
    expect(parseF32('0x1p-150')).toBe(0); // tie to even: 0
    expect(parseF32('0x1.000001p-150')).toBe(1);
    expect(parseF32('0x1.fffffep127')).toBe(0x7f7fffff);
    expect(parseF32('0x1.fffffefffffffp127')).toBe(0x7f7fffff);
  });
  it('overflow is "constant out of range"', () => {
    expect(() => parseF32('0x1.ffffffp127')).toThrow('constant out of range'); // ties to even -> 2^128
    expect(() => parseF32('1e39')).toThrow(NumError);
    expect(() => parseF64('1e309')).toThrow(NumError);
    expect(() => parseF64('0x1p1024')).toThrow(NumError);
    expect(parseF64('0x1.fffffffffffff7ffffp1023')).toBe(0x7fefffffffffffffn);
  });
  it('hex f64 and signs', () => {
    expect(parseF64('0x1.8p3')).toBe(f64bits(12));
    expect(parseF64('-0x1p-1074')).toBe(0x8000000000000001n);
    expect(parseF64('-0')).toBe(0x8000000000000000n);
    expect(parseF64('0x1P+2')).toBe(f64bits(4));
    expect(parseF64('1.')).toBe(f64bits(1));
    expect(parseF64('1.e2')).toBe(f64bits(100));
    expect(parseF64('1_000.000_1')).toBe(f64bits(1000.0001));
    expect(parseF64('0x1.')).toBe(f64bits(1));
  });
  it('inf and nan with payloads', () => {
    expect(parseF32('inf')).toBe(0x7f800000);
    expect(parseF32('-inf')).toBe(0xff800000);
    expect(parseF32('nan')).toBe(0x7fc00000);
    expect(parseF32('-nan')).toBe(0xffc00000);
    expect(parseF32('nan:0x1')).toBe(0x7f800001);
    expect(parseF32('nan:0x7f_ffff')).toBe(0x7fffffff);
    expect(() => parseF32('nan:0x800000')).toThrow(NumError);
    expect(() => parseF32('nan:0x0')).toThrow(NumError);
    expect(parseF64('nan:0xf_ffff_ffff_ffff')).toBe(0x7fffffffffffffffn);
    expect(parseF64('+nan:0x8000000000000')).toBe(0x7ff8000000000000n);
    expect(() => parseF64('nan:0x10000000000000')).toThrow(NumError);
  });
  it('returns null for malformed float syntax', () => {
    for (const s of ['.5', '1e', '0x1p', '1._5', 'infinity', 'nan:1', 'nan:0x', '0x.8', '1e+', '--1', '1.5.5', 'nan:canonical']) {
      expect(parseF64(s), s).toBeNull();
    }
  });
});

/**
 * const.wast / float_literals.wast hold hundreds of rounding edge cases as
 * `(func (export "f") (result t) (t.const X))` + `(assert_return (invoke "f") (t.const Y))`:
 * the bits we encode for X must equal the bits of Y.
 */
describe('testsuite literal self-check', () => {
  const root = suiteOrNull();
  for (const file of ['const.wast', 'float_literals.wast']) {
    const path = join(root ?? '', file);
    it.skipIf(root === null || !existsSync(path))(`${file}: encoded constants equal the expected results`, () => {
      const s = parseScript(readFileSync(path), file);
      let current: Map<string, Uint8Array> = new Map();
      let checked = 0;
      for (const c of s.commands) {
        if (c.type === 'module' && c.source.kind === 'text') {
          const m = c.source.module;
          const nImported = m.imports.filter((i) => i.desc.kind === 'func').length;
          current = new Map();
          for (const e of m.exports) {
            if (e.kind === 'func' && e.index >= nImported) current.set(e.name, m.codes[e.index - nImported]!.body);
          }
        } else if (c.type === 'assert_return' && c.action.type === 'invoke' && c.action.args.length === 0) {
          const body = current.get(c.action.name);
          const exp = c.expected[0];
          if (!body || !exp || c.expected.length !== 1) continue;
          const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
          if (exp.type === 'f32' && exp.pattern.kind === 'bits' && body[0] === 0x43 && body.length === 6) {
            expect(dv.getUint32(1, true), `${file}:${c.line}`).toBe(exp.pattern.bits);
            checked++;
          } else if (exp.type === 'f64' && exp.pattern.kind === 'bits' && body[0] === 0x44 && body.length === 10) {
            expect(dv.getBigUint64(1, true), `${file}:${c.line}`).toBe(exp.pattern.bits);
            checked++;
          } else if (exp.type === 'i32' && body[0] === 0x43 && body[5] === 0xbc && body.length === 7) {
            // (i32.reinterpret_f32 (f32.const X))
            expect(dv.getInt32(1, true), `${file}:${c.line}`).toBe(exp.value);
            checked++;
          } else if (exp.type === 'i64' && body[0] === 0x44 && body[9] === 0xbd && body.length === 11) {
            expect(dv.getBigInt64(1, true), `${file}:${c.line}`).toBe(exp.value);
            checked++;
          }
        }
      }
      expect(checked).toBeGreaterThan(90);
    });
  }

  it('module-level literal errors carry file:line:column', () => {
    expect(() => parseWat('(module\n  (func (result i32) (i32.const 4294967296)))', 'x.wat')).toThrow(
      'x.wat:2:33: constant out of range',
    );
    expect(() => parseWat('(func (result f32) (f32.const nan:0x80_0000))')).toThrow('constant out of range');
    expect(() => parseWat('(func (result i32) (i32.const 0x))')).toThrow('unknown operator');
    expect(() => parseWat('(func (result f32) (f32.const nan:arithmetic))')).toThrow('unexpected token');
  });
});
