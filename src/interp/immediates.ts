/**
 * Immediates of a MISC instruction: up to four words. Its own module, with
 * no dependencies, because the translator and the JS tier both need it and
 * exec.ts (which loads the tier) must not load the translator first.
 */
import type { Instr } from '../decoder/instr.js';

export function miscImmediates(ins: Instr): [number, number, number, number] {
  switch (ins.def.imm) {
    case 'memarg':
      return [ins.b, ins.offset64 % 2 ** 32 | 0, Math.floor(ins.offset64 / 2 ** 32) | 0, 0];
    case 'memarg_lane':
      return [ins.b, ins.offset64 % 2 ** 32 | 0, Math.floor(ins.offset64 / 2 ** 32) | 0, ins.c];
    case 'shuffle':
    case 'v128': {
      const b = ins.v128;
      const w = (i: number): number => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
      return [w(0), w(4), w(8), w(12)];
    }
    default:
      return [ins.a, ins.b, ins.c, 0];
  }
}
