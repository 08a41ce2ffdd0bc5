/**
 * Feature profiles (issue 18): `features: '1.0' | '2.0' | '3.0'` holds a module to exactly that standard; with
 * switches (`{ profile, ...}`) only narrowing it. The .wast scripts under test/profiles hold more of the rules and
 * run through the CLI in cli.test.ts too.
 */
import { describe, expect, it } from 'vitest';
import { DecodeError, TextError, ValidationError } from '../../src/core/errors.js';
import { Module } from '../../src/runtime/module.js';
import '../../src/runtime/text.js'; // Module.fromWat
import { decodeModule } from '../../src/decoder/decode.js';
import { watToBinary } from '../../src/text/wat.js';
import { resolveFeatures } from '../../src/validate/features.js';
import { runScript } from '../../src/spec/runner.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rejection } from './validate-helpers.js';
import type { FeatureSpec } from '../../src/core/instructions.js';

const bin = (...parts: number[][]): Uint8Array => Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...parts.flat()]);
// (memory 1) (func (result i32) (memory.size <memory index byte>))
const memorySize = (idx: number) => bin([1, 5, 1, 0x60, 0, 1, 0x7f], [3, 2, 1, 0], [5, 3, 1, 0, 1], [0x0a, 6, 1, 4, 0, 0x3f, idx, 0x0b]);

describe('feature profiles', () => {
  it('resolve to the standard\'s proposals; switches only narrow them', () => {
    const two = resolveFeatures('2.0');
    expect(two.simd && two['bulk-memory'] && two['reference-types']).toBe(true);
    expect(two.gc || two['tail-call'] || two.threads || two['multi-memory']).toBe(false);
    expect(resolveFeatures({ profile: '2.0', simd: false }).simd).toBe(false);
    expect(() => resolveFeatures({ profile: '2.0', gc: true })).toThrow("feature 'gc' is not part of Wasm 2.0 and cannot be added to it");
    expect(() => resolveFeatures('4.0' as never)).toThrow(/unknown profile '4.0'/);
    const three = resolveFeatures('3.0');
    expect(three.gc && three['memory64'] && !three.threads && !three['custom-page-sizes'] && !three['legacy-exceptions']).toBe(true);
  });

  it('a memory index byte must be zero in 2.0 ("zero byte expected") and 1.0 ("zero flag expected")', () => {
    expect(() => Module.fromBinary(memorySize(0), { features: '2.0' })).not.toThrow();
    // 3.0 reads it as a memory index: invalid (there is one memory), not malformed
    expect(rejection(() => Module.fromBinary(memorySize(1)))).toBeInstanceOf(ValidationError);
    for (const [p, msg] of [['2.0', 'zero byte expected'], ['1.0', 'zero flag expected']] as const) {
      const e = rejection(() => Module.fromBinary(memorySize(1), { features: p }));
      expect(e).toBeInstanceOf(DecodeError);
      expect(e.message).toBe(msg);
    }
  });

  it('instructions of later proposals are illegal opcodes, and unknown operators in text', () => {
    // (func (result i32) (i32.extend8_s (i32.const 1)))
    const ext = bin([1, 5, 1, 0x60, 0, 1, 0x7f], [3, 2, 1, 0], [0x0a, 7, 1, 5, 0, 0x41, 1, 0xc0, 0x0b]);
    expect(() => Module.fromBinary(ext, { features: '2.0' })).not.toThrow();
    const e = rejection(() => Module.fromBinary(ext, { features: '1.0' }));
    expect(e).toBeInstanceOf(DecodeError);
    expect(e.message).toBe('illegal opcode c0');
    expect(rejection(() => Module.fromWat('(func $f (return_call $f))', { features: '2.0' }))).toBeInstanceOf(TextError);
  });

  it('constant expressions read only imported immutable globals in 2.0', () => {
    const local = '(global i32 (i32.const 1)) (global i32 (global.get 0))';
    expect(() => Module.fromWat(local)).not.toThrow();
    expect(() => Module.fromWat(local, { features: '2.0' })).toThrow('unknown global 0');
    const imported = '(global (import "m" "g") i32) (global i32 (global.get 0))';
    expect(() => Module.fromWat(imported, { features: '2.0' })).not.toThrow();
    expect(() => Module.fromWat('(global (import "m" "g") (mut i32)) (global i32 (global.get 0))', { features: '2.0' })).toThrow(
      'constant expression required',
    );
  });

  it('multiple memories are invalid in 2.0, 64-bit memories and offsets do not exist', () => {
    expect(() => Module.fromWat('(memory 1) (memory 1)', { features: '2.0' })).toThrow(new ValidationError('multiple memories'));
    expect(rejection(() => Module.fromWat('(memory i64 1)', { features: '2.0' }))).toBeInstanceOf(TextError);
    const e = rejection(() => Module.fromBinary(bin([5, 3, 1, 4, 1]), { features: '2.0' }));
    expect(e).toBeInstanceOf(DecodeError);
    expect(e.message).toBe('integer too large');
  });

  it('later-proposal text is malformed text under 2.0, not a module the decoder then rejects', () => {
    for (const src of ['(memory 1) (func (result i32) (memory.size 1))', '(func (param (ref null func)))', '(tag)', '(type (struct))']) {
      expect(() => Module.fromWat(src)).not.toThrow(TextError);
      expect(rejection(() => Module.fromWat(src, { features: '2.0' }))).toBeInstanceOf(TextError);
    }
  });

  it('a 2.0 memarg alignment is any u32, bounded by validation ("alignment must not be larger than natural")', () => {
    // (memory 1) (func (drop (i32.load align=2^33 (i32.const 0))))
    const load = bin([1, 4, 1, 0x60, 0, 0], [3, 2, 1, 0], [5, 3, 1, 0, 1], [0x0a, 10, 1, 8, 0, 0x41, 0, 0x28, 0x21, 0, 0x1a, 0x0b]);
    const e = rejection(() => Module.fromBinary(load, { features: '2.0' }));
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.message).toBe('alignment must not be larger than natural');
    load[load.length - 4] = 3; // align=8: above i32.load's natural 4
    expect(() => Module.fromBinary(load, { features: '2.0' })).toThrow('alignment must not be larger than natural');
    load[load.length - 4] = 2; // align=4: natural
    expect(() => Module.fromBinary(load, { features: '2.0' })).not.toThrow();
  });

  it('1.0: an inline table segment of function indices is the index form (binary flag 0, the only one 1.0 has)', () => {
    const src = '(func $f) (table funcref (elem $f $f))';
    for (const features of ['1.0', '2.0'] as const) {
      const bytes = watToBinary(src, 'x.wat', features);
      expect(() => Module.fromBinary(bytes, { features })).not.toThrow();
      const elem = bytes.indexOf(9, 8); // the element section: one segment, flag 0, (i32.const 0), two indices
      expect([...bytes.subarray(elem, elem + 10)]).toEqual([9, 8, 1, 0, 0x41, 0, 0x0b, 2, 0, 0]);
    }
  });

  it('1.0: no mutable global imports or exports', () => {
    const src = '(global (export "g") (mut i32) (i32.const 0))';
    expect(() => Module.fromWat(src, { features: '2.0' })).not.toThrow();
    expect(() => Module.fromWat(src, { features: '1.0' })).toThrow('mutable globals cannot be exported');
    const imp = '(global (import "m" "g") (mut i32))';
    expect(() => Module.fromWat(imp, { features: '2.0' })).not.toThrow();
    expect(() => Module.fromWat(imp, { features: '1.0' })).toThrow('mutable globals cannot be imported');
  });

  it('the profile scripts pass under their profile and not without it', () => {
    const scripts: [string, FeatureSpec][] = [['wasm2.wast', '2.0'], ['wasm1.wast', '1.0'], ['wasm1-threads.wast', { profile: '1.0', threads: true }]];
    for (const [file, profile] of scripts) {
      const src = readFileSync(join(__dirname, '../profiles', file));
      const r = runScript(src, file, { features: profile });
      expect(r.failures).toEqual([]);
      expect(r.passed).toBeGreaterThan(10);
      expect(runScript(src, file).failed).toBeGreaterThan(5);
    }
  });
});

describe('a profile with a proposal added (1.0 + threads)', () => {
  const T1: FeatureSpec = { profile: '1.0', threads: true };
  // (memory <limits flags> 1 2)
  const memory = (flags: number) => bin([5, 4, 1, flags, 1, 2]);
  // (memory 1) (func (result i32) (i32.atomic.load (i32.const 0)))
  const atomicLoad = bin([1, 5, 1, 0x60, 0, 1, 0x7f], [3, 2, 1, 0], [5, 3, 1, 0, 1], [0x0a, 10, 1, 8, 0, 0x41, 0, 0xfe, 0x10, 2, 0, 0x0b]);

  it('resolves to the profile plus the proposal; only ADDABLE proposals can be added', () => {
    const f = resolveFeatures(T1);
    expect(f.mvp && f.threads).toBe(true);
    expect(Object.entries(f).filter(([, on]) => on).map(([n]) => n)).toEqual(['mvp', 'threads']);
    expect(resolveFeatures({ profile: '2.0', threads: true }).threads).toBe(true);
    expect(resolveFeatures({ profile: '3.0', threads: true }).threads).toBe(true);
    expect(resolveFeatures({ profile: '1.0', threads: false }).threads).toBe(false);
    for (const extra of ['bulk-memory', 'memory64', 'multi-memory', 'custom-page-sizes'] as const) {
      expect(() => resolveFeatures({ profile: '1.0', [extra]: true })).toThrow(`feature '${extra}' is not part of Wasm 1.0 and cannot be added to it`);
    }
  });

  it('decodes the shared flag of memory limits (0x02, 0x03), which plain 1.0 reads as a too large vu1', () => {
    expect(() => Module.fromBinary(memory(3), { features: T1 })).not.toThrow();
    expect(decodeModule(memory(3), { features: T1 }).memories[0]).toEqual({ addr: 'i32', min: 1, max: 2, shared: true, pageSizeLog2: 16 });
    expect(decodeModule(memory(1), { features: T1 }).memories[0]!.shared).toBe(false);
    for (const features of ['1.0', '2.0'] as const) {
      const e = rejection(() => Module.fromBinary(memory(3), { features }));
      expect(e).toBeInstanceOf(DecodeError);
      expect(e.message).toBe('integer too large');
    }
    expect(rejection(() => Module.fromBinary(bin([5, 3, 1, 2, 1]), { features: T1 }))).toEqual(new ValidationError('shared memory must have maximum'));
    // the 64-bit (0x04) and page-size (0x08) flags are not 1.0's
    for (const flags of [5, 7, 9, 0x83]) {
      const e = rejection(() => Module.fromBinary(memory(flags), { features: T1 }));
      expect(e).toBeInstanceOf(DecodeError);
      expect(e.message).toBe('malformed limits flags');
    }
    // tables keep 1.0's limits
    expect(rejection(() => Module.fromBinary(bin([4, 5, 1, 0x70, 3, 1, 2]), { features: T1 })).message).toBe('integer too large');
  });

  it('knows the 0xfe instructions, which are illegal opcodes in plain 1.0', () => {
    expect(Module.fromBinary(atomicLoad, { features: T1 }).exports).toEqual([]);
    const e = rejection(() => Module.fromBinary(atomicLoad, { features: '1.0' }));
    expect(e).toBeInstanceOf(DecodeError);
    expect(e.message).toBe('illegal opcode fe');
  });

  it('reads shared memories and atomics in text, which plain 1.0 text does not have', () => {
    const src = '(memory 1 2 shared) (func (result i32) (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))';
    expect(() => Module.fromWat(src, { features: T1 })).not.toThrow();
    expect(rejection(() => Module.fromWat(src, { features: '1.0' }))).toEqual(expect.objectContaining({ reason: 'unexpected token' }));
    const atomicOnly = '(memory 1) (func (result i32) (i32.atomic.load (i32.const 0)))';
    expect(() => Module.fromWat(atomicOnly, { features: T1 })).not.toThrow();
    expect(rejection(() => Module.fromWat(atomicOnly, { features: '1.0' }))).toEqual(expect.objectContaining({ reason: 'unknown operator' }));
    // the 3.0 profile's text has no `shared` keyword either, unless threads is added
    expect(rejection(() => Module.fromWat('(memory 1 2 shared)', { features: '3.0' }))).toBeInstanceOf(TextError);
    expect(() => Module.fromWat('(memory 1 2 shared)', { features: { profile: '3.0', threads: true } })).not.toThrow();
  });

  it('still rejects what needs Wasm 2.0 or 3.0', () => {
    expect(() => Module.fromWat('(memory 1 2 shared) (memory 1 2 shared)', { features: T1 })).toThrow(new ValidationError('multiple memories'));
    expect(() => Module.fromWat('(table 1 funcref) (table 1 funcref)', { features: T1 })).toThrow(new ValidationError('multiple tables'));
    expect(rejection(() => Module.fromWat('(memory 0x1_0000_0000 0x1_0000_0000 shared)', { features: T1 }))).toEqual(
      expect.objectContaining({ reason: 'i32 constant out of range' }),
    );
    expect(rejection(() => Module.fromWat('(memory i64 1 2 shared)', { features: T1 }))).toBeInstanceOf(TextError);
    expect(rejection(() => Module.fromWat('(func (drop (i32.extend8_s (i32.const 1))))', { features: T1 }))).toBeInstanceOf(TextError);
    expect(() => Module.fromWat('(func (result i32 i32) (i32.const 1) (i32.const 2))', { features: T1 })).toThrow("multiple results (feature 'multi-value' is disabled)");
    // 2.0 + threads has 2.0's rules: two tables are fine, two memories are not
    const two: FeatureSpec = { profile: '2.0', threads: true };
    expect(() => Module.fromWat('(table 1 funcref) (table 1 funcref) (memory 1 2 shared)', { features: two })).not.toThrow();
    expect(() => Module.fromWat('(memory 1 2 shared) (memory 1 2 shared)', { features: two })).toThrow(new ValidationError('multiple memories'));
  });
});
