/**
 * Module.fromWat and module.bytes need the text format and the encoder, which src/runtime/text.ts installs (the
 * package entry imports it); without it (the CLI's `run` of a binary module) they are a typed error.
 */
import { describe, expect, it, vi } from 'vitest';

const BINARY = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);

describe('the text format behind Module', () => {
  it('is a WasmeterError until src/runtime/text.ts is imported, then works', async () => {
    // fresh modules: this file shares its worker with others that have installed it
    vi.resetModules();
    const { WasmeterError } = await import('../../src/core/errors.js');
    const { Module } = await import('../../src/runtime/module.js');
    expect(() => Module.fromWat('(module)')).toThrow(WasmeterError);
    expect(() => Module.fromWat('(module)')).toThrow("the text format and the encoder need the package entry: import from 'wasmeter'");
    const data = Module.fromBinary(BINARY).data;
    expect(() => Module.fromData(data).bytes).toThrow(WasmeterError);
    // a module made from bytes has them without the encoder
    expect(Module.fromBinary(BINARY).bytes).toBe(BINARY);
    await import('../../src/runtime/text.js');
    expect(Module.fromWat('(module)').bytes).toEqual(BINARY);
    expect(Module.fromData(data).bytes).toEqual(BINARY);
  });
});
