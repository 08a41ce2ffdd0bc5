import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError, ValidationError } from '../../src/core/errors.js';
import { INSTRS, opcodeBytes } from '../../src/core/instructions.js';
import { F32, F64, I32, I64, type ValType } from '../../src/core/types.js';
import { validateModule } from '../../src/validate/index.js';
import { END, f32c, f64c, fn, i32c, i64c, op } from './validate-helpers.js';

/** Numeric instructions without immediates (their signature from the table). */
const NUMERIC = INSTRS.filter(
  (d) => d.imm === 'none' && d.params !== null && d.results !== null && d.params.every((t) => t !== 0x7b) && d.results.every((t) => t !== 0x7b),
);
const CONSTS: Record<number, () => number[]> = { [I32]: () => i32c(7), [I64]: () => i64c(-3), [F32]: f32c, [F64]: f64c };
const TYPES: ValType[] = [I32, I64, F32, F64];

/** A well-typed straight-line body built from a list of choices; leaves nothing on the stack. */
function build(choices: number[]): number[][] {
  const stack: ValType[] = [];
  const parts: number[][] = [];
  for (const c of choices) {
    // candidate instructions whose params match the top of the stack
    const d = NUMERIC[c % NUMERIC.length]!;
    const ps = d.params!;
    const fits = ps.length <= stack.length && ps.every((t, i) => stack[stack.length - ps.length + i] === t);
    if (fits) {
      stack.length -= ps.length;
      stack.push(...d.results!);
      parts.push(opcodeBytes(d));
    } else {
      const t = TYPES[c % 4]!;
      stack.push(t);
      parts.push(CONSTS[t]!());
    }
  }
  for (let i = 0; i < stack.length; i++) parts.push(op('drop'));
  return parts;
}

describe('validator fuzzing', () => {
  it('well-typed straight-line numeric bodies validate', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(10_000), { maxLength: 200 }), (choices) => {
        validateModule(fn([], [], build(choices)));
      }),
      { numRuns: 300 },
    );
  });

  it('mutated bodies fail only with ValidationError or DecodeError', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(10_000), { minLength: 1, maxLength: 60 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 }),
        (choices, muts) => {
          const m = fn([], [], build(choices));
          const body = m.codes[0]!.body;
          for (const [pos, byte] of muts) body[pos % body.length] = byte;
          try {
            validateModule(m);
          } catch (e) {
            if (!(e instanceof ValidationError) && !(e instanceof DecodeError)) throw e;
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('truncated bodies fail with DecodeError', () => {
    const m = fn([], [], build([1, 2, 3, 4, 5]));
    const full = m.codes[0]!.body;
    m.codes[0]!.body = full.subarray(0, full.length - END.length);
    expect(() => validateModule(m)).toThrow(DecodeError);
  });
});
