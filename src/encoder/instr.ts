/**
 * Writes one instruction from the reader's Instr shape: the inverse of
 * readInstr, table-driven by the row's immediate kind.
 */
import type { Writer } from '../core/bytes.js';
import { opcodeBytes } from '../core/instructions.js';
import type { Instr } from '../decoder/instr.js';
import { writeHeapType, writeValType } from './encode.js';

export function writeBlockType(w: Writer, bt: number): void {
  if (bt === -1) w.u8(0x40);
  else if (bt < -1) w.s32(-bt - 2);
  else writeValType(w, bt);
}

function writeMemarg(w: Writer, ins: Instr): void {
  if (ins.b !== 0) w.u32(ins.a | 0x40).u32(ins.b);
  else w.u32(ins.a);
  w.u64(ins.offset64);
}

export function writeInstr(w: Writer, ins: Instr): void {
  const d = ins.def;
  w.bytes(opcodeBytes(d));
  switch (d.imm) {
    case 'none':
      return;
    case 'blocktype':
      writeBlockType(w, ins.blockType);
      return;
    case 'label':
    case 'func':
    case 'type':
    case 'local':
    case 'global':
    case 'table':
    case 'memory':
    case 'data':
    case 'elem':
    case 'tag':
      w.u32(ins.a);
      return;
    case 'call_indirect':
    case 'type_field':
    case 'type_u32':
    case 'type_data':
    case 'type_elem':
    case 'type_type':
    case 'data_mem':
    case 'mem_mem':
    case 'elem_table':
    case 'table_table':
      w.u32(ins.a).u32(ins.b);
      return;
    case 'br_table':
      w.u32(ins.labels.length);
      for (const l of ins.labels) w.u32(l);
      w.u32(ins.a);
      return;
    case 'memarg':
      writeMemarg(w, ins);
      return;
    case 'memarg_lane':
      writeMemarg(w, ins);
      w.u8(ins.c);
      return;
    case 'i32':
      w.s32(ins.a);
      return;
    case 'i64':
      w.s64(ins.i64);
      return;
    case 'f32':
      w.bits32(ins.a);
      return;
    case 'f64':
      w.bits64(ins.lo, ins.hi);
      return;
    case 'v128':
    case 'shuffle':
      w.bytes(ins.v128);
      return;
    case 'lane':
      w.u8(ins.a);
      return;
    case 'select_t':
      w.u32(ins.types.length);
      for (const t of ins.types) writeValType(w, t);
      return;
    case 'heaptype':
    case 'cast':
      writeHeapType(w, ins.a);
      return;
    case 'br_on_cast':
      w.u8(ins.a).u32(ins.b);
      writeHeapType(w, ins.ht1);
      writeHeapType(w, ins.ht2);
      return;
    case 'try_table':
      writeBlockType(w, ins.blockType);
      w.u32(ins.catches.length);
      for (const c of ins.catches) {
        w.u8(c.kind);
        if (c.kind < 2) w.u32(c.tag);
        w.u32(c.label);
      }
      return;
    case 'zero':
      w.u8(0);
      return;
  }
}
