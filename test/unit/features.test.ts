/**
 * Feature switches (ValidateOptions.features / Module.fromBinary options):
 * every proposal is on by default; a disabled one rejects its instructions
 * and its types wherever they occur.
 */
import { describe, expect, it } from 'vitest';
import { DecodeError, ValidationError } from '../../src/core/errors.js';
import { FEATURES, type FeatureName } from '../../src/core/instructions.js';
import { decodeModule } from '../../src/decoder/decode.js';
import { Module } from '../../src/runtime/module.js';
import '../../src/runtime/text.js'; // Module.fromWat
import { CompKind, I32 } from '../../src/core/types.js';
import { watToBinary } from '../../src/text/index.js';
import { resolveFeatures } from '../../src/validate/features.js';
import { validateModule } from '../../src/validate/module.js';
import { rejection } from './validate-helpers.js';

/** Per feature: [what, module text, expected message] (message defaults to the feature's name). */
const CASES: Record<Exclude<FeatureName, 'mvp'>, [string, string, RegExp?][]> = {
  'sign-ext': [['i32.extend8_s', '(func (result i32) (i32.extend8_s (i32.const 1)))']],
  'sat-conv': [['i32.trunc_sat_f32_s', '(func (result i32) (i32.trunc_sat_f32_s (f32.const 1)))']],
  'multi-value': [
    ['two results', '(func (result i32 i32) (i32.const 1) (i32.const 2))'],
    ['block with a parameter', '(func (i32.const 1) (block (param i32) (drop)))'],
  ],
  'bulk-memory': [
    ['memory.copy', '(memory 1) (func (memory.copy (i32.const 0) (i32.const 0) (i32.const 0)))'],
    ['passive data segment', '(memory 1) (data "x")'],
    ['passive element segment', '(func $f) (elem func $f)'],
  ],
  'reference-types': [
    ['table.get', '(table 1 funcref) (func (drop (table.get (i32.const 0))))'],
    ['externref local', '(func (local externref))'],
    ['funcref local', '(func (local funcref))'],
    ['externref table', '(table 1 externref)'],
    ['funcref global', '(global funcref (ref.null func))', /type \(ref null func\) \(feature 'reference-types'/],
    ['externref parameter', '(func (param externref))'],
    ['multiple tables', '(table 1 funcref) (table 1 funcref)'],
  ],
  simd: [
    ['v128.const', '(func (drop (v128.const i64x2 0 0)))'],
    ['v128 local', '(func (local v128))', /local type v128 \(feature 'simd'/],
    ['v128 block type', '(func (block (result v128) unreachable) (drop))', /type v128 \(feature 'simd'/],
    ['typed select of v128', '(func unreachable (select (result v128)) (drop))', /type v128 \(feature 'simd'/],
    ['v128 global', '(global v128 (v128.const i64x2 0 0))', /type v128 \(feature 'simd'/],
    ['v128 global import', '(import "m" "g" (global v128))', /type v128 \(feature 'simd'/],
    ['v128 parameter', '(func (param v128))', /type v128 \(feature 'simd'/],
  ],
  'relaxed-simd': [['f32x4.relaxed_madd', '(func (param v128) (drop (f32x4.relaxed_madd (local.get 0) (local.get 0) (local.get 0))))']],
  'tail-call': [['return_call', '(func $f (return_call $f))']],
  'function-references': [
    ['call_ref', '(type $t (func)) (func (param (ref null $t)) (call_ref $t (local.get 0)))'],
    ['typed local', '(type $t (func)) (func (local (ref null $t)))', /local type \(ref null 0\)/],
    ['non-nullable parameter', '(func (param (ref func)))'],
    ['ref.null of a concrete type', '(type $t (func)) (func (drop (ref.null $t)))', /heap type 0/],
    ['typed block type', '(type $t (func)) (func (block (result (ref null $t)) unreachable) (drop))'],
    ['typed table', '(type $t (func)) (table 1 (ref null $t))'],
    ['typed table import', '(type $t (func)) (import "m" "t" (table 1 (ref null $t)))'],
  ],
  gc: [
    ['struct type', '(type (struct (field i32)))'],
    ['ref.i31', '(func (drop (ref.i31 (i32.const 1))))'],
    ['anyref local', '(func (local anyref))', /local type \(ref null any\) \(feature 'gc'/],
    ['ref.null any', '(func (drop (ref.null any)))', /heap type any \(feature 'gc'/],
    ['eqref block type', '(func (block (result eqref) unreachable) (drop))'],
    ['anyref table', '(table 1 anyref)'],
    ['i31ref table import', '(import "m" "t" (table 1 i31ref))'],
    ['structref global', '(global structref (ref.null struct))'],
  ],
  exceptions: [
    ['tag', '(tag)'],
    ['tag import', '(import "m" "t" (tag))'],
    ['throw_ref', '(func (param exnref) (throw_ref (local.get 0)))'],
    ['exnref local', '(func (local exnref))', /local type \(ref null exn\)/],
    ['try_table', '(func (try_table))'],
  ],
  'legacy-exceptions': [
    ['try/catch_all', '(func (try (do) (catch_all)))'],
    ['try/catch of a tag', '(tag $e) (func (try (do) (catch $e)))', /try: feature 'legacy-exceptions'/],
  ],
  threads: [
    ['shared memory', '(memory 1 1 shared)'],
    ['atomic instruction', '(memory 1 1) (func (drop (i32.atomic.load (i32.const 0))))'],
  ],
  memory64: [
    ['64-bit memory', '(memory i64 1)'],
    ['64-bit table', '(table i64 1 funcref)'],
  ],
  'multi-memory': [['two memories', '(memory 1) (memory 1)']],
  'extended-const': [['i32.add in a global initializer', '(global i32 (i32.add (i32.const 1) (i32.const 2)))']],
  'wide-arithmetic': [['i64.add128', '(func (drop (drop (i64.add128 (i64.const 1) (i64.const 2) (i64.const 3) (i64.const 4)))))']],
  'custom-page-sizes': [['custom page size', '(memory 1 (pagesize 1))', /custom page size \(feature 'custom-page-sizes'/]],
  'custom-descriptors': [
    ['exact reference type', '(type $t (struct)) (func (param (ref (exact $t))))', /type \(ref \(exact 0\)\) \(feature 'custom-descriptors'/],
    ['exact heap type of ref.null', '(type $t (struct)) (func (drop (ref.null (exact $t))))', /heap type 0 \(feature 'custom-descriptors'/],
    ['descriptor clauses', '(rec (type (descriptor 1) (struct)) (type (describes 0) (struct)))', /descriptor clause \(feature 'custom-descriptors'/],
    ['exact function import', '(type $f (func)) (import "m" "f" (func (exact (type $f))))', /exact function import \(feature 'custom-descriptors'/],
    ['ref.cast_desc_eq', '(rec (type $a (descriptor $b) (struct)) (type $b (describes $a) (struct))) (func (param anyref (ref $b)) (drop (ref.cast_desc_eq (ref null $a) (local.get 0) (local.get 1))))'],
  ],
};

describe('feature switches', () => {
  it('covers every feature', () => {
    expect(Object.keys(CASES).sort()).toEqual(FEATURES.filter((f) => f !== 'mvp').sort());
  });

  for (const [feature, cases] of Object.entries(CASES) as [FeatureName, [string, string, RegExp?][]][]) {
    describe(feature, () => {
      for (const [what, src, msg] of cases) {
        it(`${what}: valid by default, invalid with ${feature} off`, () => {
          const data = decodeModule(watToBinary(src));
          expect(() => validateModule(data)).not.toThrow();
          expect(() => validateModule(data, { features: { [feature]: true } })).not.toThrow();
          const e = rejection(() => validateModule(data, { features: { [feature]: false } }));
          expect(e).toBeInstanceOf(ValidationError);
          expect(e.message).toMatch(msg ?? new RegExp(`feature '${feature}' is disabled`));
        });
      }
    });
  }

  it('mvp: false rejects even MVP instructions', () => {
    const data = decodeModule(watToBinary('(func (result i32) (i32.add (i32.const 1) (i32.const 2)))'));
    expect(() => validateModule(data, { features: { mvp: false } })).toThrow(/i32\.const: feature 'mvp' is disabled/);
  });

  it('an MVP module is valid with every proposal off', () => {
    const off = Object.fromEntries(FEATURES.filter((f) => f !== 'mvp').map((f) => [f, false]));
    const src = `(module
      (type $t (func (param i32) (result i32)))
      (import "env" "f" (func $imp (type $t)))
      (import "env" "g" (global i32))
      (memory 1 2) (data (i32.const 8) "hi")
      (table 2 funcref) (elem (i32.const 0) $imp $sq)
      (global $c (mut i64) (i64.const 5))
      (func $sq (type $t) (i32.mul (local.get 0) (local.get 0)))
      (func (export "run") (param i32) (result i32) (local f64)
        (block (result i32) (call_indirect (type $t) (local.get 0) (i32.const 1)))))`;
    expect(() => Module.fromWat(src, { features: off })).not.toThrow();
    // the MVP element segment's indices are still checked
    expect(() => Module.fromWat('(table 1 funcref) (elem (i32.const 0) 3)', { features: off })).toThrow('unknown function 3');
    // but an expression segment is a reference-types construct
    expect(() => Module.fromWat('(func $f) (table 1 funcref) (elem (i32.const 0) funcref (ref.func $f))', { features: off })).toThrow(
      /feature 'reference-types' is disabled/,
    );
  });

  it('Module.fromBinary passes the switches to the decoder and the validator', () => {
    const simd = watToBinary('(func (local v128))');
    expect(() => Module.fromBinary(simd)).not.toThrow();
    expect(() => Module.fromBinary(simd, { features: { simd: false } })).toThrow(ValidationError);
    // custom page sizes: the limits flag becomes malformed (as in the core spec) ...
    const pages = watToBinary('(memory 1 (pagesize 1))');
    expect(Module.fromBinary(pages).data.memories[0]!.pageSizeLog2).toBe(0);
    const e = rejection(() => Module.fromBinary(pages, { features: { 'custom-page-sizes': false } }));
    expect(e).toBeInstanceOf(DecodeError);
    expect(e.message).toBe('malformed limits flags');
    // ... also with the decoder's own switch alone
    expect(() => Module.fromBinary(pages, { customPageSizes: false })).toThrow('malformed limits flags');
    expect(() => decodeModule(pages, { features: { 'custom-page-sizes': false } })).toThrow('malformed limits flags');
  });

  it('without multi-memory, memarg flag bit 6 is alignment, not "memory index follows" (issue 18)', () => {
    // (memory 1) (func i32.const 0; i32.load with flags 0x41; ...): with multi-memory the 0x41 is alignment 2^1 and
    // a memory index (0) follows, then the offset; without it the flags are alignment 2^65, as in Wasm 2.0, and the
    // bytes after it are the offset (0), unreachable, drop
    const withBody = (body: number[]) =>
      Uint8Array.from([
        0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 5, 3, 1, 0, 1,
        10, body.length + 3, 1, body.length + 1, 0, ...body,
      ]);
    const bytes = withBody([0x41, 0, 0x28, 0x41, 0, 0, 0x1a, 0x0b]);
    expect(() => Module.fromBinary(bytes)).not.toThrow();
    // read with a memory index, this body's end is the offset: malformed with multi-memory, only invalid without
    const short = withBody([0x41, 0, 0x28, 0x41, 0, 0x0b]);
    expect(() => Module.fromBinary(short)).toThrow(DecodeError);
    const offs = [
      { 'multi-memory': false },
      Object.fromEntries(FEATURES.filter((f) => f !== 'mvp').map((f) => [f, false])),
    ];
    for (const features of offs) {
      for (const b of [bytes, short]) {
        const e = rejection(() => Module.fromBinary(b, { features }));
        expect(e).toBeInstanceOf(ValidationError);
        expect(e.message).toBe('alignment must not be larger than natural');
        // the decoder's scan (scanBodies) and the validator read the same way
        for (const scanBodies of [true, false]) {
          const data = decodeModule(b, { features, scanBodies });
          expect(() => validateModule(data, { features })).toThrow('alignment must not be larger than natural');
        }
      }
    }
    // atomics: natural alignment is required, so 0x42 on i32.atomic.load (natural 2) is not
    const atomic = [0x41, 0, 0xfe, 0x10, 0x42, 0, 0, 0x1a, 0x0b];
    const shared = Uint8Array.from([
      0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 5, 4, 1, 3, 1, 1,
      10, atomic.length + 3, 1, atomic.length + 1, 0, ...atomic,
    ]);
    expect(() => Module.fromBinary(shared)).not.toThrow();
    expect(() => Module.fromBinary(shared, { features: { 'multi-memory': false } })).toThrow('atomic alignment must be natural');
  });

  it('disabling a feature disables the features built on it', () => {
    const fs = resolveFeatures({ 'reference-types': false, simd: false });
    expect(fs['function-references']).toBe(false);
    expect(fs.gc).toBe(false);
    expect(fs['relaxed-simd']).toBe(false);
    expect(fs.exceptions).toBe(true);
    expect(resolveFeatures({ exceptions: false })['legacy-exceptions']).toBe(false);
    expect(resolveFeatures({ gc: false })['function-references']).toBe(true);
    // relaxed-simd instructions are rejected with simd off, even in unreachable code
    const data = decodeModule(watToBinary('(func unreachable (f32x4.relaxed_madd) (drop))'));
    expect(() => validateModule(data, { features: { simd: false } })).toThrow(/relaxed-simd/);
  });

  it('rejects unknown feature names', () => {
    const data = decodeModule(watToBinary('(func)'));
    expect(() => validateModule(data, { features: { simd128: false } as never })).toThrow(/unknown feature 'simd128'/);
  });

  it('exported functions of a module with features off still run', () => {
    const m = Module.fromWat('(func (export "f") (result i32) (i32.const 7))', { features: { gc: false, simd: false, exceptions: false } });
    expect(m.validated.options.features.gc).toBe(false);
    expect(m.exports).toEqual([{ name: 'f', kind: 'func', type: { kind: CompKind.Func, params: [], results: [I32] } }]);
  });
});
