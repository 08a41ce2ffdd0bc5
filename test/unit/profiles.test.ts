/**
 * Feature profiles (issue 18): `features: '1.0' | '2.0' | '3.0'` holds a module to exactly that standard; with
 * switches (`{ profile, ...}`) only narrowing it. The .wast scripts under test/profiles hold more of the rules and
 * run through the CLI in cli.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { DecodeError, TextError, ValidationError } from '../../src/core/errors.js';
import { Module } from '../../src/runtime/module.js';
import { resolveFeatures } from '../../src/validate/features.js';
import { runScript } from '../../src/spec/runner.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function rejection(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('accepted');
}

const bin = (...parts: number[][]): Uint8Array => Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...parts.flat()]);
// (memory 1) (func (result i32) (memory.size <memory index byte>))
const memorySize = (idx: number) => bin([1, 5, 1, 0x60, 0, 1, 0x7f], [3, 2, 1, 0], [5, 3, 1, 0, 1], [0x0a, 6, 1, 4, 0, 0x3f, idx, 0x0b]);

describe('feature profiles', () => {
  it('resolve to the standard\'s proposals; switches only narrow them', () => {
    const two = resolveFeatures('2.0');
    expect(two.simd && two['bulk-memory'] && two['reference-types']).toBe(true);
    expect(two.gc || two['tail-call'] || two.threads || two['multi-memory']).toBe(false);
    expect(resolveFeatures({ profile: '2.0', simd: false }).simd).toBe(false);
    expect(() => resolveFeatures({ profile: '2.0', gc: true })).toThrow("feature 'gc' is not part of Wasm 2.0");
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

  it('1.0: no mutable global imports or exports', () => {
    const src = '(global (export "g") (mut i32) (i32.const 0))';
    expect(() => Module.fromWat(src, { features: '2.0' })).not.toThrow();
    expect(() => Module.fromWat(src, { features: '1.0' })).toThrow('mutable globals cannot be exported');
  });

  it('the profile scripts pass under their profile and not without it', () => {
    for (const [file, profile] of [['wasm2.wast', '2.0'], ['wasm1.wast', '1.0']] as const) {
      const src = readFileSync(join(__dirname, '../profiles', file));
      const r = runScript(src, file, { features: profile });
      expect(r.failures).toEqual([]);
      expect(r.passed).toBeGreaterThan(10);
      expect(runScript(src, file).failed).toBeGreaterThan(5);
    }
  });
});
