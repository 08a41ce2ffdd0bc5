/**
 * Operators of the translator (see translate-state.ts for its layers):
 * instructions with a dedicated op and one or two operands, loads and stores
 * of memory 0, every instruction run through MISC (misc.ts, gc.ts,
 * simd-exec.ts, atomics.ts: a fixed-width op of operand slots and
 * immediates), and calls through an operand (call_indirect, call_ref).
 */
import { Unsupported } from '../core/errors.js';
import type { InstrDef } from '../core/instructions.js';
import { I32, I64, type ValType } from '../core/types.js';
import type { Instr } from '../decoder/instr.js';
import type { FuncValidator } from '../validate/func.js';
import { Op } from './exec.js';
import { gcSignature } from './gc.js';
import { miscImmediates } from './immediates.js';
import { hasSimd } from './simd-exec.js';
import { ExnTranslator } from './translate-exn.js';
import { ENDS_BLOCK } from './translate-tables.js';

export class OpTranslator extends ExnTranslator {
  /** Any instruction without a dedicated op: MISC defId d s0 s1 s2 i0 i1 i2 i3 (fixed width). */
  protected misc(ins: Instr, v: FuncValidator): void {
    const def = ins.def;
    const vop = VECTOR_OPS.get(def.name);
    if (vop !== undefined) {
      if (def.bytes === 0) return this.simpleOp(vop, def);
      if (ins.b === 0 && v.vm.memories[0]!.addr === 'i32') return this.memAccess(vop, def, ins);
    }
    const [n, results] = miscSignature(ins, v);
    // more than three operands (i64.add128): they are passed as consecutive slots from the first
    if (n > 3) for (let j = this.h - n; j < this.h; j++) this.materializeAt(j);
    const srcs: number[] = [];
    for (let j = 0; j < n; j++) srcs.unshift(this.pop());
    if (ENDS_BLOCK.has(def.name)) this.materialize();
    this.op(def.family !== 'vector' || !hasSimd(def) ? Op.MISC : def.name === 'i8x16.shuffle' ? Op.I8X16_SHUFFLE : Op.SIMD);
    this.imm(def.id);
    this.dst(this.h);
    this.lastDst = -1;
    for (let j = 0; j < 3; j++) {
      if (j < n) this.src(srcs[j]!);
      else this.imm(0);
    }
    const [i0, i1, i2, i3] = miscImmediates(ins);
    this.imm(i0);
    this.imm(i1);
    this.imm(i2);
    this.imm(i3);
    for (const t of results) this.pushTemp(t);
    if (ENDS_BLOCK.has(def.name)) {
      this.materialize();
      this.endBlock();
    }
  }

  /** Load: op d addr offset; store: op addr value offset (memory 0, 32-bit addresses). */
  protected memAccess(op: Op, def: InstrDef, ins: Instr): void {
    if (def.results!.length === 1) {
      const a = this.pop();
      this.op(op);
      this.dst(this.h);
      this.src(a);
      this.imm(ins.offset64);
      this.pushTemp(def.results![0]!);
    } else {
      const val = this.pop();
      const a = this.pop();
      this.op(op);
      this.src(a);
      this.src(val);
      this.imm(ins.offset64);
    }
  }

  /**
   * A call through an operand on top of the stack (table index or function
   * reference) with type `typeIndex`: `op imms… operand base`.
   */
  protected callVia(op: Op, typeIndex: number, imms: number[]): void {
    const operand = this.pop();
    const np = this.env.typeParams(typeIndex);
    this.materialize();
    const base = this.h - np;
    this.op(op);
    for (const x of imms) this.imm(x);
    this.src(operand);
    this.dst(base);
    this.lastDst = -1;
    for (let j = 0; j < np; j++) this.pop();
    for (const t of this.env.typeResults(typeIndex)) this.pushTemp(t);
    this.endBlock();
  }

  protected simpleOp(op: Op, def: InstrDef): void {
    const np = def.params!.length;
    const rt = def.results!;
    if (np === 1) {
      const a = this.pop();
      this.op(op);
      this.dst(this.h);
      this.src(a);
    } else {
      const b = this.pop();
      const a = this.pop();
      this.op(op);
      this.dst(this.h);
      this.src(a);
      this.src(b);
    }
    if (rt.length === 1) this.pushTemp(rt[0]!);
  }
}

/** Vector instructions with an op of their own in the loop (the others run through SIMD). */
const VECTOR_OPS = new Map<string, Op>([
  ['v128.load', Op.V128_LOAD],
  ['v128.store', Op.V128_STORE],
  ['f32x4.add', Op.F32X4_ADD],
  ['f32x4.sub', Op.F32X4_SUB],
  ['f32x4.mul', Op.F32X4_MUL],
  ['v128.xor', Op.V128_XOR],
  ['i32x4.add', Op.I32X4_ADD],
  ['i16x8.add', Op.I16X8_ADD],
  ['i32x4.shl', Op.I32X4_SHL],
  ['i8x16.add_sat_u', Op.I8X16_ADD_SAT_U],
  ['i16x8.extend_low_i8x16_u', Op.I16X8_EXTEND_LOW_I8X16_U],
  ['i16x8.extend_high_i8x16_u', Op.I16X8_EXTEND_HIGH_I8X16_U],
]);

/** Operand count and result types of an instruction handled by MISC. */
function miscSignature(ins: Instr, v: FuncValidator): [number, readonly ValType[]] {
  const def = ins.def;
  const vm = v.vm;
  if (def.family === 'vector' && !hasSimd(def)) unsupported(ins, v);
  if (def.params !== null) return [def.params.length, def.results!];
  if (def.feature === 'gc' || def.feature === 'custom-descriptors') {
    const gc = gcSignature(ins, v);
    if (gc !== null) return gc;
  }
  const tableAddr = (t: number): ValType => (vm.tables[t]!.type.addr === 'i64' ? I64 : I32);
  switch (def.name) {
    case 'table.get':
      return [1, [vm.tables[ins.a]!.type.elem]];
    case 'table.set':
      return [2, []];
    case 'table.size':
      return [0, [tableAddr(ins.a)]];
    case 'table.grow':
      return [2, [tableAddr(ins.a)]];
    case 'table.fill':
    case 'table.copy':
    case 'table.init':
    case 'memory.fill':
    case 'memory.copy':
    case 'memory.init':
      return [3, []];
    case 'elem.drop':
    case 'data.drop':
      return [0, []];
    case 'ref.eq':
      return [2, [I32]];
  }
  return unsupported(ins, v);
}

function unsupported(ins: Instr, v: FuncValidator): never {
  throw new Unsupported(`wasmeter cannot execute '${ins.def.name}' yet (${ins.def.feature} proposal), in function ${v.funcIndex}`);
}
