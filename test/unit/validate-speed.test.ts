import { describe, expect, it } from 'vitest';
import { I32 } from '../../src/core/types.js';
import { validateFunction, validateModule } from '../../src/validate/index.js';
import { fn } from './validate-helpers.js';

/** A large body of mixed locals/arithmetic/blocks/ifs/memory accesses. */
function bigBody(bytes: number): number[][] {
  const pat: number[] = [];
  for (let i = 0; i < 8; i++) pat.push(0x20, 0, 0x20, 1, 0x6a, 0x21, 0); // local.get 0, local.get 1, i32.add, local.set 0
  pat.push(0x02, 0x40, 0x20, 0, 0x45, 0x0d, 0, 0x20, 1, 0x41, 5, 0x6c, 0x21, 1, 0x0b); // block / br_if
  pat.push(0x20, 0, 0x04, 0x7f, 0x41, 1, 0x05, 0x41, 2, 0x0b, 0x1a); // if/else
  pat.push(0x41, 0, 0x28, 2, 0, 0x41, 0, 0x36, 2, 4); // load / store
  const n = Math.floor(bytes / pat.length);
  return Array.from({ length: n }, () => pat);
}

describe('validator speed', () => {
  it('validates a multi-MB body in one pass (MB/s logged)', () => {
    const m = fn([I32, I32], [], bigBody(4e6), { memories: [{ addr: 'i32', min: 1, max: null, shared: false, pageSizeLog2: 16 }] });
    const size = m.codes[0]!.body.length;
    let best = Infinity;
    for (let i = 0; i < 4; i++) {
      const t = performance.now();
      validateModule(m);
      best = Math.min(best, performance.now() - t);
    }
    const mbs = size / 1e6 / (best / 1000);
    const vm = validateModule(m, { bodies: false });
    let count = 0;
    const t = performance.now();
    validateFunction(vm, 0, { instr: () => void count++ });
    const sinkMbs = size / 1e6 / ((performance.now() - t) / 1000);
    console.log(`validator: ${(size / 1e6).toFixed(1)} MB body, ${mbs.toFixed(0)} MB/s (with a sink: ${sinkMbs.toFixed(0)} MB/s, ${count} instructions)`);
    expect(mbs).toBeGreaterThan(5);
  });
});
