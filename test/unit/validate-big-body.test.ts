/**
 * The validator on one multi-MB body. Its speed is measured by `npm run bench -- startup` (validate MB/s on the
 * bench's start-up module), never asserted by a timed test.
 */
import { describe, expect, it } from 'vitest';
import { I32 } from '../../src/core/types.js';
import { validateFunction, validateModule } from '../../src/validate/index.js';
import { fn } from './validate-helpers.js';

/** Instructions in one repetition of bigBody's pattern: 8 × 4, the block (9), the if/else (7), load/store (4). */
const PATTERN_INSTRS = 52;

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

describe('validator on a multi-MB body', () => {
  it('validates it in one pass, with and without a sink', () => {
    const body = bigBody(4e6);
    const m = fn([I32, I32], [], body, { memories: [{ addr: 'i32', min: 1, max: null, shared: false, pageSizeLog2: 16 }] });
    expect(m.codes[0]!.body.length).toBeGreaterThan(3_900_000);
    validateModule(m);
    const vm = validateModule(m, { bodies: false });
    let count = 0;
    validateFunction(vm, 0, { instr: () => void count++ });
    expect(count).toBe(body.length * PATTERN_INSTRS + 1); // every instruction reported once, and the final end
  });
});
