/**
 * Parametric instructions (select, typed select) and the vector instructions with lane immediates
 * (extract/replace lane, shuffle).
 */
import type { InstrDef } from '../core/instructions.js';
import { I32 } from '../core/types.js';
import type { Instr } from '../decoder/instr.js';
import type { Checker } from './checker.js';
import { LANES, codeTable, typeName } from './ops.js';
import { BOTTOM, isNumOrVec } from './types.js';

const enum C {
  None = 0,
  Lane,
  Shuffle,
  Select,
  SelectT,
}
const CODES = codeTable((d) => {
  if (d.imm === 'lane') return C.Lane;
  if (d.imm === 'shuffle') return C.Shuffle;
  if (d.name === 'select') return d.imm === 'select_t' ? C.SelectT : C.Select;
  return C.None;
});

/** The family's instructions. */
export function isParametric(d: InstrDef): boolean {
  return CODES[d.id] !== C.None;
}

/** Checks `ins` (definition `def`, one of this family's). */
export function checkParametric(v: Checker, ins: Instr, def: InstrDef): void {
  switch (CODES[def.id] as C) {
    case C.Lane:
      if (ins.a >= LANES[def.id]!) v.fail('invalid lane index');
      v.popVals(def.params!);
      v.pushAll(def.results!);
      return;
    case C.Shuffle: {
      const lanes = ins.v128;
      for (let i = 0; i < 16; i++) if (lanes[i]! >= 32) v.fail('invalid lane index');
      v.popVals(def.params!);
      v.pushAll(def.results!);
      return;
    }
    case C.Select: {
      v.pop(I32);
      const t1 = v.popAny();
      const t2 = v.popAny();
      if ((t1 !== BOTTOM && !isNumOrVec(t1)) || (t2 !== BOTTOM && !isNumOrVec(t2))) {
        v.fail(`type mismatch: select without type requires numeric or vector operands`);
      }
      if (t1 !== t2 && t1 !== BOTTOM && t2 !== BOTTOM) {
        v.fail(`type mismatch: select operands ${typeName(t2)} and ${typeName(t1)} differ`);
      }
      v.push(t1 === BOTTOM ? t2 : t1);
      return;
    }
    case C.SelectT: {
      const ts = ins.types;
      if (ts.length !== 1) v.fail('invalid result arity');
      const t = ts[0]!;
      v.checkType(t);
      v.pop(I32);
      v.pop(t);
      v.pop(t);
      v.push(t);
      return;
    }
  }
}
