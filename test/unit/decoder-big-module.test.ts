/**
 * The decoder on the multi-MB start-up module of bench/ (decoder-perf-module.ts). Its speed is measured by
 * `npm run bench -- startup` (decode, validate and decode + validate MB/s), never asserted by a timed test.
 */
import { describe, expect, it } from 'vitest';
import { decodeModule } from '../../src/decoder/index.js';
import { bigModule } from './decoder-perf-module.js';

describe('decoder on a multi-MB module', () => {
  it('decodes and scans it, and decodes it without the scan to the same functions', () => {
    const bytes = bigModule(2000, 2000);
    expect(bytes.length).toBeGreaterThan(4_000_000);
    expect(WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)).toBe(true);
    const m = decodeModule(bytes);
    expect(m.codes.length).toBe(2000);
    const lazy = decodeModule(bytes, { scanBodies: false });
    expect(lazy.codes.map((c) => c.body.length)).toEqual(m.codes.map((c) => c.body.length));
  });
});
