import { describe, expect, it } from 'vitest';
import { decodeModule } from '../../src/decoder/index.js';
import { bigModule } from './decoder-perf-module.js';

describe('decoder speed', () => {
  it('decodes and scans a multi-MB module quickly', () => {
    const bytes = bigModule(2000, 2000);
    expect(bytes.length).toBeGreaterThan(4_000_000);
    expect(WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)).toBe(true);
    for (let i = 0; i < 3; i++) decodeModule(bytes); // warm up
    const runs = 5;
    let best = Infinity;
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const m = decodeModule(bytes);
      best = Math.min(best, performance.now() - t0);
      expect(m.codes.length).toBe(2000);
    }
    const mbps = bytes.length / 1e6 / (best / 1000);
    console.log(`decode+scan: ${(bytes.length / 1e6).toFixed(1)} MB in ${best.toFixed(1)} ms = ${mbps.toFixed(0)} MB/s`);
    const t0 = performance.now();
    decodeModule(bytes, { scanBodies: false });
    const lazy = performance.now() - t0;
    console.log(`decode without scan: ${lazy.toFixed(2)} ms`);
    expect(mbps).toBeGreaterThan(20); // loose bound for slow CI machines; the target is >= 100 MB/s
  });
});
