/**
 * The JS tier in an engine that canonicalizes NaNs (src/interp/nan-bits.ts): the tier carries f32 and f64 values as
 * JS doubles (f32 NaN payloads at the top of the double's mantissa), and such an engine gives every NaN it reads
 * from a typed array or DataView (frame slots, memory, constants, `b2f`) as its canonical NaN, so moves, loads,
 * stores, constants, reinterpretations, `abs`/`neg`/`copysign` and `select` would lose the sign and payload that
 * wasm keeps. FloatScan, a validator pass run there only, declines every function in which an f32 or f64 value can
 * exist (a parameter, local or result of such a type, or one on the operand stack after any instruction): the
 * interpreter, which moves them as int32 words, runs it. Functions of integers, references and vectors are still
 * generated (f32x4/f64x2 lanes become doubles only as operands of arithmetic, whose NaN results wasm leaves
 * nondeterministic).
 */
import { F32, F64 } from '../core/types.js';
import type { Instr } from '../decoder/instr.js';
import type { CodeSink, FuncValidator } from '../validate/func.js';
import { no } from './gen-types.js';

export const FLOATS_DECLINED = 'f32 or f64 values in an engine that canonicalizes NaNs';

export class FloatScan implements CodeSink {
  private first = true;
  instr(_ins: Instr, v: FuncValidator): void {
    if (this.first) {
      this.first = false;
      for (const t of v.localTypes) if (t === F32 || t === F64) no(FLOATS_DECLINED);
      for (const t of v.results) if (t === F32 || t === F64) no(FLOATS_DECLINED);
    }
    // what the instruction before pushed: the whole operand stack (this pass runs only where NaNs are canonicalized)
    for (let i = 0; i < v.height; i++) {
      const t = v.typeAt(i);
      if (t === F32 || t === F64) no(FLOATS_DECLINED);
    }
  }
}
