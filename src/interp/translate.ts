/**
 * Translation of a validated function body into internal code (see exec.ts).
 *
 * The translator is a CodeSink of the validator: it sees every instruction
 * with the validator's typed state and keeps a mirror of the operand stack
 * in which each entry says where its value lives right now:
 *   - TEMP: in its canonical stack slot (slot nl + nc + height),
 *   - LOCAL: still in a local's slot (a `local.get` not yet copied),
 *   - CONST: in the frame's constant area (a `*.const` not yet copied).
 * In fast mode, `local.get`/`*.const` emit nothing and instructions read
 * their operands where they are (register style); a result followed by
 * `local.set` is written straight into the local; `i32` compares followed
 * by `br_if`/`if` become one compare-and-branch.
 *
 * Frame layout (slots of 16 bytes): [params+locals (nl) | constants (nc) | operand stack].
 *
 * Fuel: the code is cut into basic blocks (a new one starts at every label
 * and after every branch, call and metered bulk instruction); each block
 * starts with FUEL cost orig (fast) or FUELX cost orig (exact), where orig
 * is the byte offset of the block's first original instruction, so the two
 * translations can switch at any block start. Every value is in its
 * canonical slot at a block start. Exact mode adds STEP cost before every
 * original instruction and fuses nothing.
 */
import { Unsupported } from '../core/errors.js';
import { hasSimd } from './simd-exec.js';
import { BY_NAME, INSTRS, type InstrDef } from '../core/instructions.js';
import { FUNCREF, I32, I64, V128, isRef, refType, type FuncType, type ValType } from '../core/types.js';
import type { Instr } from '../decoder/instr.js';
import type { CodeSink, FuncValidator } from '../validate/func.js';
import { Op } from './exec.js';
import { Compiled } from './compiled.js';
import { gcSignature } from './gc.js';
import * as X from './exceptions.js';
import { miscImmediates } from './immediates.js';
import type { TranslateEnv } from '../runtime/objects/instance.js';

const TEMP = 0;
const LOCAL = 1;
const CONST = 2;

const FIX_NONE = 0;
const FIX_STACK = 1;
const FIX_CONST = 2;
/** A legacy try's hidden slot for the exception its catch arm holds (between the constants and the operand stack). */
const FIX_EXN = 3;

// ------------------------------------------------------------------ instruction -> internal opcode

/** Simple instructions with a dedicated internal opcode, by table id. */
const SIMPLE: Int32Array = new Int32Array(INSTRS.length).fill(-1);
function map(name: string, op: Op): void {
  const defs = BY_NAME.get(name);
  if (!defs) throw new Error(`translate: unknown instruction ${name}`);
  for (const d of defs) SIMPLE[d.id] = op;
}
{
  const seq = (names: string, first: Op): void => {
    names
      .trim()
      .split(/\s+/)
      .forEach((n, i) => map(n, first + i));
  };
  seq(
    `i32.load i64.load i32.load8_s i32.load8_u i32.load16_s i32.load16_u i64.load8_s i64.load8_u
     i64.load16_s i64.load16_u i64.load32_s i64.load32_u i32.store i64.store i32.store8 i32.store16
     i64.store8 i64.store16 i64.store32`,
    Op.I32_LOAD,
  );
  map('f32.load', Op.I32_LOAD);
  map('f64.load', Op.I64_LOAD);
  map('f32.store', Op.I32_STORE);
  map('f64.store', Op.I64_STORE);
  seq(
    `i32.eqz i32.eq i32.ne i32.lt_s i32.lt_u i32.gt_s i32.gt_u i32.le_s i32.le_u i32.ge_s i32.ge_u
     i32.clz i32.ctz i32.popcnt i32.add i32.sub i32.mul i32.div_s i32.div_u i32.rem_s i32.rem_u
     i32.and i32.or i32.xor i32.shl i32.shr_s i32.shr_u i32.rotl i32.rotr
     i64.eqz i64.eq i64.ne i64.lt_s i64.lt_u i64.gt_s i64.gt_u i64.le_s i64.le_u i64.ge_s i64.ge_u
     i64.clz i64.ctz i64.popcnt i64.add i64.sub i64.mul i64.div_s i64.div_u i64.rem_s i64.rem_u
     i64.and i64.or i64.xor i64.shl i64.shr_s i64.shr_u i64.rotl i64.rotr
     f32.eq f32.ne f32.lt f32.gt f32.le f32.ge f32.abs f32.neg f32.ceil f32.floor f32.trunc f32.nearest
     f32.sqrt f32.add f32.sub f32.mul f32.div f32.min f32.max f32.copysign
     f64.eq f64.ne f64.lt f64.gt f64.le f64.ge f64.abs f64.neg f64.ceil f64.floor f64.trunc f64.nearest
     f64.sqrt f64.add f64.sub f64.mul f64.div f64.min f64.max f64.copysign
     i32.wrap_i64 i64.extend_i32_s i64.extend_i32_u i32.extend8_s i32.extend16_s i64.extend8_s
     i64.extend16_s i64.extend32_s f32.demote_f64 f64.promote_f32 f32.convert_i32_s f32.convert_i32_u
     f64.convert_i32_s f64.convert_i32_u`,
    Op.I32_EQZ,
  );
  for (const n of ['i32.reinterpret_f32', 'f32.reinterpret_i32', 'i64.reinterpret_f64', 'f64.reinterpret_i64']) map(n, Op.COPY);
}
/** Conversions handled by the CONVERT op (numeric helpers). */
export const CONVERSIONS = new Set(
  `i32.trunc_f32_s i32.trunc_f32_u i32.trunc_f64_s i32.trunc_f64_u i64.trunc_f32_s i64.trunc_f32_u
   i64.trunc_f64_s i64.trunc_f64_u f32.convert_i64_s f32.convert_i64_u f64.convert_i64_s f64.convert_i64_u
   i32.trunc_sat_f32_s i32.trunc_sat_f32_u i32.trunc_sat_f64_s i32.trunc_sat_f64_u
   i64.trunc_sat_f32_s i64.trunc_sat_f32_u i64.trunc_sat_f64_s i64.trunc_sat_f64_u`
    .trim()
    .split(/\s+/),
);

/** i32 compare op -> fused branch-if-true op, and the op that branches when the compare is false. */
const BR_FUSE = new Map<Op, [Op, Op]>([
  [Op.I32_EQZ, [Op.BR_IF_EQZ, Op.BR_IF]],
  [Op.I32_EQ, [Op.BR_IF_EQ, Op.BR_IF_NE]],
  [Op.I32_NE, [Op.BR_IF_NE, Op.BR_IF_EQ]],
  [Op.I32_LT_S, [Op.BR_IF_LT_S, Op.BR_IF_GE_S]],
  [Op.I32_LT_U, [Op.BR_IF_LT_U, Op.BR_IF_GE_U]],
  [Op.I32_GT_S, [Op.BR_IF_GT_S, Op.BR_IF_LE_S]],
  [Op.I32_GT_U, [Op.BR_IF_GT_U, Op.BR_IF_LE_U]],
  [Op.I32_LE_S, [Op.BR_IF_LE_S, Op.BR_IF_GT_S]],
  [Op.I32_LE_U, [Op.BR_IF_LE_U, Op.BR_IF_GT_U]],
  [Op.I32_GE_S, [Op.BR_IF_GE_S, Op.BR_IF_LT_S]],
  [Op.I32_GE_U, [Op.BR_IF_GE_U, Op.BR_IF_LT_U]],
]);

/** Instructions that end a fuel block after them (they charge a surcharge or call out). */
const ENDS_BLOCK = new Set(
  ('memory.grow memory.fill memory.copy memory.init table.grow table.fill table.copy table.init ' +
    'array.new array.new_default array.new_data array.new_elem array.fill array.copy array.init_data array.init_elem').split(' '),
);

interface Ctrl {
  kind: 'block' | 'loop' | 'if' | 'func' | 'try';
  /** Canonical height of the frame's first param/result. */
  height: number;
  params: readonly ValType[];
  results: readonly ValType[];
  /** Loop: pc of the label. */
  labelPc: number;
  /** Code positions waiting for the end label's pc. */
  fixups: number[];
  /** If: position of the BR_UNLESS target (-1 once bound). */
  elseFix: number;
  /** The frame was entered in unreachable code (nothing of it is emitted). */
  dead: boolean;
  /** try_table / legacy try: sequence number (handler rows sort innermost first by it). */
  seq?: number;
  /** try_table: its handler rows (their range ends at the try_table's end). */
  rows?: HRow[];
  /** Legacy try: start of the body, end of the body (at the first catch), hidden exception slot, next clause number. */
  legacy?: { start: number; bodyEnd: number; exn: number; ord: number };
}

/** A handler-table row being built (see exceptions.ts for the final layout). */
interface HRow {
  seq: number;
  ord: number;
  start: number;
  end: number;
  kind: number;
  tag: number;
  target: number;
  /** Canonical height of the first payload slot, or -1. */
  height: number;
  /** Hidden exception slot index (legacy catch arms), or -1. */
  exn: number;
  /** Delegate: sequence limit. */
  limit: number;
}

export class Translator implements CodeSink {
  code: number[] = [];
  private fix: number[] = [];
  origAt: number[] = [];
  blockPc = new Map<number, number>();
  private consts: number[] = [];
  private constIndex = new Map<string, number>();
  // operand stack mirror
  private kind: number[] = [];
  private where: number[] = [];
  private type: ValType[] = [];
  private h = 0;
  private maxH = 0;
  private aliasCount: Int32Array;
  private aliased = 0;
  private ctrls: Ctrl[] = [];
  // fuel block
  private inBlock = false;
  private costPos = -1;
  private cost = 0;
  // peephole state
  private lastDst = -1;
  private lastOpPos = -1;
  private lastOp = -1;
  private cur = 0;

  constructor(
    readonly nl: number,
    readonly localTypes: readonly ValType[],
    readonly nparams: number,
    readonly results: readonly ValType[],
    readonly exact: boolean,
    readonly env: TranslateEnv,
    /** Constant slots to reserve whatever this translation's own constants (the exact twin keeps the fast layout). */
    readonly reserveConsts = 0,
  ) {
    this.aliasCount = new Int32Array(nl);
    this.ctrls.push({ kind: 'func', height: 0, params: [], results, labelPc: -1, fixups: [], elseFix: -1, dead: false });
  }

  // ------------------------------------------------------------ emission

  private op(op: Op): void {
    this.origAt[this.code.length] = this.cur;
    this.lastOpPos = this.code.length;
    this.lastOp = op;
    this.lastDst = -1;
    this.code.push(op);
    this.fix.push(FIX_NONE);
  }
  private imm(v: number): void {
    this.code.push(v | 0);
    this.fix.push(FIX_NONE);
  }
  /** Operand: where the value at height `i` lives. */
  private src(i: number): void {
    const k = this.kind[i]!;
    if (k === TEMP) {
      this.code.push(i);
      this.fix.push(FIX_STACK);
    } else if (k === LOCAL) {
      this.code.push(this.where[i]! * 4);
      this.fix.push(FIX_NONE);
    } else {
      this.code.push(this.where[i]!);
      this.fix.push(FIX_CONST);
    }
  }
  /** Operand: the canonical slot of height `i` (a result). */
  private dst(i: number): void {
    this.lastDst = this.code.length;
    this.code.push(i);
    this.fix.push(FIX_STACK);
  }
  private local(x: number): void {
    this.code.push(x * 4);
    this.fix.push(FIX_NONE);
  }

  // ------------------------------------------------------------ operand stack mirror

  private push(k: number, w: number, t: ValType): void {
    const i = this.h++;
    this.kind[i] = k;
    this.where[i] = w;
    this.type[i] = t;
    if (this.h > this.maxH) this.maxH = this.h;
    if (k === LOCAL) {
      this.aliasCount[w]!++;
      this.aliased++;
    } else if (k === CONST) this.aliased++;
  }
  private pushTemp(t: ValType): number {
    this.push(TEMP, 0, t);
    return this.h - 1;
  }
  private pop(): number {
    const i = --this.h;
    const k = this.kind[i]!;
    if (k === LOCAL) {
      this.aliasCount[this.where[i]!]!--;
      this.aliased--;
    } else if (k === CONST) this.aliased--;
    return i;
  }
  private copyOp(t: ValType): Op {
    return t === V128 ? Op.COPY_V : isRef(t) ? Op.COPY_R : Op.COPY;
  }
  /** Copies the value at height i into its canonical slot. */
  private materializeAt(i: number): void {
    const k = this.kind[i]!;
    if (k === TEMP) return;
    this.op(this.copyOp(this.type[i]!));
    this.dst(i);
    if (k === LOCAL) {
      this.local(this.where[i]!);
      this.aliasCount[this.where[i]!]!--;
    } else {
      this.code.push(this.where[i]!);
      this.fix.push(FIX_CONST);
    }
    this.aliased--;
    this.kind[i] = TEMP;
    this.lastDst = -1;
  }
  private materialize(): void {
    if (this.aliased === 0) return;
    for (let i = 0; i < this.h; i++) this.materializeAt(i);
  }
  private materializeLocal(x: number): void {
    if (this.aliasCount[x] === 0) return;
    for (let i = 0; i < this.h; i++) if (this.kind[i] === LOCAL && this.where[i] === x) this.materializeAt(i);
  }
  private constant(w0: number, w1: number, w2: number, w3: number, t: ValType): void {
    if (this.exact) {
      if (t === V128) {
        this.op(Op.CONST_V);
        this.dst(this.h);
        this.imm(w0);
        this.imm(w1);
        this.imm(w2);
        this.imm(w3);
      } else {
        this.op(Op.CONST);
        this.dst(this.h);
        this.imm(w0);
        this.imm(w1);
      }
      this.pushTemp(t);
      return;
    }
    const key = `${w0},${w1},${w2},${w3}`;
    let k = this.constIndex.get(key);
    if (k === undefined) {
      k = this.consts.length / 4;
      this.consts.push(w0, w1, w2, w3);
      this.constIndex.set(key, k);
    }
    this.push(CONST, k, t);
  }

  // ------------------------------------------------------------ fuel blocks

  private startBlock(): void {
    this.materialize();
    this.blockPc.set(this.cur, this.code.length);
    this.op(this.exact ? Op.FUELX : Op.FUEL);
    this.costPos = this.code.length;
    this.imm(0);
    this.imm(this.cur);
    this.cost = 0;
    this.inBlock = true;
    this.lastOpPos = -1;
  }
  private endBlock(): void {
    if (!this.inBlock) return;
    this.code[this.costPos] = this.cost;
    this.inBlock = false;
    this.lastOpPos = -1;
  }
  /** Binds a label here: the next instruction starts a new block at this pc. */
  private bind(fixups: number[]): void {
    this.endBlock();
    const pc = this.code.length;
    for (const p of fixups) {
      if (p >= 0) this.code[p] = pc;
      else this.rows[~p]!.target = pc; // a catch clause's label
    }
    fixups.length = 0;
  }

  // ------------------------------------------------------------ branches

  /** Copies the top `n` values to the label's slots starting at canonical height `to` (all materialized). */
  private branchCopies(n: number, to: number): void {
    const from = this.h - n;
    if (from === to) return;
    for (let j = 0; j < n; j++) {
      this.op(this.copyOp(this.type[from + j]!));
      this.dst(to + j);
      this.src(from + j);
    }
  }
  private labelTarget(depth: number): { c: Ctrl; n: number } {
    const c = this.ctrls[this.ctrls.length - 1 - depth]!;
    const n = c.kind === 'loop' ? c.params.length : c.results.length;
    return { c, n };
  }
  private jumpTo(c: Ctrl): void {
    if (c.kind === 'loop') this.imm(c.labelPc);
    else {
      c.fixups.push(this.code.length);
      this.imm(-1);
    }
  }
  private emitReturn(): void {
    this.materialize();
    const n = this.results.length;
    for (let j = 0; j < n; j++) {
      const from = this.h - n + j;
      this.op(this.copyOp(this.type[from]!));
      this.local(j);
      this.src(from);
    }
    this.op(Op.RETURN);
  }

  // ------------------------------------------------------------ the sink

  instr(ins: Instr, v: FuncValidator): void {
    const def = ins.def;
    const name = def.name;
    if (v.unreachable) {
      this.deadInstr(ins, v);
      return;
    }
    this.cur = ins.offset;
    if (!this.inBlock) this.startBlock();
    const c = this.env.costs[def.id]!;
    this.cost += c;
    if (this.exact) {
      this.op(Op.STEP);
      this.imm(c);
    }

    const simple = SIMPLE[def.id]!;
    if (simple >= 0 && def.params !== null) {
      if (def.bytes === 0) this.simpleOp(simple, def);
      else if (ins.b === 0 && v.vm.memories[0]!.addr === 'i32') this.memAccess(simple, def, ins);
      else this.misc(ins, v);
      return;
    }
    switch (name) {
      case 'nop':
        return;
      case 'unreachable':
        this.op(Op.UNREACHABLE);
        return;
      case 'drop':
        this.pop();
        return;
      case 'i32.const':
        this.constant(ins.a, ins.a >> 31, 0, 0, def.results![0]!);
        return;
      case 'f32.const':
        this.constant(ins.a, 0, 0, 0, def.results![0]!);
        return;
      case 'i64.const': {
        const v64 = BigInt.asUintN(64, ins.i64);
        this.constant(Number(v64 & 0xffffffffn) | 0, Number(v64 >> 32n) | 0, 0, 0, def.results![0]!);
        return;
      }
      case 'f64.const':
        this.constant(ins.lo, ins.hi, 0, 0, def.results![0]!);
        return;
      case 'v128.const': {
        const b = ins.v128;
        const w = (i: number): number => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
        this.constant(w(0), w(4), w(8), w(12), V128);
        return;
      }
      case 'local.get': {
        const t = this.localTypes[ins.a]!;
        if (this.exact || isRef(t) || t === V128) {
          this.op(this.copyOp(t));
          this.dst(this.h);
          this.local(ins.a);
          this.pushTemp(t);
        } else this.push(LOCAL, ins.a, t);
        return;
      }
      case 'local.set':
      case 'local.tee': {
        const x = ins.a;
        const i = this.h - 1;
        const t = this.type[i]!;
        // the value on top may itself alias x: then set is a no-op
        if (this.kind[i] === LOCAL && this.where[i] === x) {
          if (name === 'local.set') this.pop();
          return;
        }
        // keep older readers of x intact
        if (this.kind[i] === LOCAL) {
          this.aliasCount[this.where[i]!]!--;
          this.kind[i] = -1; // protect from materializeLocal
          this.materializeLocal(x);
          this.kind[i] = LOCAL;
          this.aliasCount[this.where[i]!]!++;
        } else this.materializeLocal(x);
        if (
          !this.exact &&
          this.kind[i] === TEMP &&
          this.lastDst >= 0 &&
          this.code[this.lastDst] === i &&
          this.fix[this.lastDst] === FIX_STACK &&
          this.lastOpPos >= 0
        ) {
          // write the producing instruction's result straight into the local
          this.code[this.lastDst] = x * 4;
          this.fix[this.lastDst] = FIX_NONE;
          this.lastDst = -1;
        } else {
          this.op(this.copyOp(t));
          this.local(x);
          this.src(i);
        }
        this.pop();
        if (name === 'local.tee') {
          if (this.exact || isRef(t) || t === V128) {
            this.op(this.copyOp(t));
            this.dst(this.h);
            this.local(x);
            this.pushTemp(t);
          } else this.push(LOCAL, x, t);
        }
        return;
      }
      case 'global.get': {
        const t = v.vm.globals[ins.a]!.type;
        this.op(t === V128 ? Op.GLOBAL_GET_V : isRef(t) ? Op.GLOBAL_GET_R : Op.GLOBAL_GET);
        this.dst(this.h);
        this.imm(ins.a);
        this.pushTemp(t);
        return;
      }
      case 'global.set': {
        const i = this.pop();
        const t = this.type[i]!;
        this.op(t === V128 ? Op.GLOBAL_SET_V : isRef(t) ? Op.GLOBAL_SET_R : Op.GLOBAL_SET);
        this.imm(ins.a);
        this.src(i);
        return;
      }
      case 'select': {
        const cnd = this.pop();
        const b = this.pop();
        const a = this.pop();
        const t = this.type[a]!;
        this.op(t === V128 ? Op.SELECT_V : isRef(t) ? Op.SELECT_R : Op.SELECT);
        this.dst(a);
        this.src(a);
        this.src(b);
        this.src(cnd);
        // the result overwrites slot a's canonical position: inputs were read first
        this.pushTemp(t);
        return;
      }
      case 'block':
      case 'loop':
      case 'if':
        this.enterBlock(ins, v, name);
        return;
      case 'else':
        this.elseArm(v);
        return;
      case 'end':
        this.endFrame(v);
        return;
      case 'br': {
        const { c, n } = this.labelTarget(ins.a);
        this.materialize();
        this.branchCopies(n, c.height);
        this.op(Op.BR);
        this.jumpTo(c);
        this.endBlock();
        return;
      }
      case 'br_if':
        this.brIf(ins.a);
        return;
      case 'br_table':
        this.brTable(ins);
        return;
      case 'br_on_cast':
      case 'br_on_cast_fail':
        this.brOnCast(ins);
        return;
      case 'return':
        this.emitReturn();
        this.endBlock();
        return;
      case 'call':
      case 'return_call': {
        const np = this.env.funcParams(ins.a);
        this.materialize();
        const base = this.h - np;
        this.op(name === 'call' ? Op.CALL : Op.RETURN_CALL);
        this.imm(ins.a);
        this.dst(base);
        this.lastDst = -1;
        if (name === 'return_call') this.imm(np);
        for (let j = 0; j < np; j++) this.pop();
        for (const t of this.env.funcResults(ins.a)) this.pushTemp(t);
        this.endBlock();
        return;
      }
      case 'call_indirect':
      case 'return_call_indirect': {
        this.callVia(name === 'call_indirect' ? Op.CALL_INDIRECT : Op.RETURN_CALL_INDIRECT, ins.a, [this.env.typeIds[ins.a]!, ins.b]);
        return;
      }
      case 'try_table':
      case 'try':
      case 'catch':
      case 'catch_all':
      case 'delegate':
      case 'throw':
      case 'throw_ref':
      case 'rethrow':
        this.exnInstr(ins, v, name);
        return;
      case 'call_ref':
      case 'return_call_ref':
        this.callVia(name === 'call_ref' ? Op.CALL_REF : Op.RETURN_CALL_REF, ins.a, []);
        return;
      case 'br_on_null':
      case 'br_on_non_null':
        this.brOnNull(ins.a, name === 'br_on_non_null');
        return;
      case 'ref.null':
        this.op(Op.CONST_NULL);
        this.dst(this.h);
        this.pushTemp(refType(ins.a, true));
        return;
      case 'ref.func':
        this.op(Op.REF_FUNC);
        this.dst(this.h);
        this.imm(ins.a);
        this.pushTemp(FUNCREF);
        return;
      case 'ref.is_null': {
        const a = this.pop();
        this.op(Op.REF_IS_NULL);
        this.dst(this.h);
        this.src(a);
        this.pushTemp(0x7f);
        return;
      }
      case 'ref.as_non_null': {
        const a = this.pop();
        const t = this.type[a]!;
        this.op(Op.REF_AS_NON_NULL);
        this.dst(this.h);
        this.src(a);
        this.pushTemp(t);
        return;
      }
      case 'memory.size': {
        this.op(Op.MEMORY_SIZE);
        this.dst(this.h);
        this.imm(ins.a);
        this.pushTemp(v.vm.memories[ins.a]!.addr === 'i64' ? I64 : I32);
        return;
      }
      case 'memory.grow': {
        const n = this.pop();
        this.op(Op.MEMORY_GROW);
        this.dst(this.h);
        this.src(n);
        this.imm(ins.a);
        this.pushTemp(this.type[n]!);
        this.materialize();
        this.endBlock();
        return;
      }
    }
    if (CONVERSIONS.has(name)) {
      const a = this.pop();
      this.op(Op.CONVERT);
      this.dst(this.h);
      this.src(a);
      this.imm(def.id);
      this.pushTemp(def.results![0]!);
      return;
    }
    this.misc(ins, v);
  }

  /** Any instruction without a dedicated op: MISC defId d s0 s1 s2 i0 i1 i2 i3 (fixed width). */
  private misc(ins: Instr, v: FuncValidator): void {
    const def = ins.def;
    const [n, results] = miscSignature(ins, v);
    // more than three operands (i64.add128): they are passed as consecutive slots from the first
    if (n > 3) for (let j = this.h - n; j < this.h; j++) this.materializeAt(j);
    const srcs: number[] = [];
    for (let j = 0; j < n; j++) srcs.unshift(this.pop());
    if (ENDS_BLOCK.has(def.name)) this.materialize();
    this.op(Op.MISC);
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
  private memAccess(op: Op, def: InstrDef, ins: Instr): void {
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
  private callVia(op: Op, typeIndex: number, imms: number[]): void {
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

  private simpleOp(op: Op, def: InstrDef): void {
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

  private brIf(depth: number): void {
    const { c, n } = this.labelTarget(depth);
    const cnd = this.h - 1;
    // fuse with the compare that produced the condition
    if (
      !this.exact &&
      this.kind[cnd] === TEMP &&
      this.lastOpPos >= 0 &&
      this.lastDst >= 0 &&
      this.code[this.lastDst] === cnd &&
      BR_FUSE.has(this.lastOp) &&
      n === 0
    ) {
      this.pop();
      if (this.aliased === 0) {
        const [fused] = BR_FUSE.get(this.lastOp)!;
        const start = this.lastOpPos;
        const operands = this.code.slice(start + 2);
        const fixes = this.fix.slice(start + 2);
        this.code.length = start;
        this.fix.length = start;
        this.op(fused);
        for (let j = 0; j < operands.length; j++) {
          this.code.push(operands[j]!);
          this.fix.push(fixes[j]!);
        }
        this.jumpTo(c);
        this.endBlock();
        return;
      }
      this.h++; // undo the pop (alias bookkeeping unaffected: TEMP)
    }
    this.pop();
    this.materialize();
    const from = this.h - n;
    if (from === c.height || n === 0) {
      this.op(Op.BR_IF);
      this.src(cnd);
      this.jumpTo(c);
    } else {
      this.op(Op.BR_UNLESS);
      this.src(cnd);
      const skip = this.code.length;
      this.imm(-1);
      this.branchCopies(n, c.height);
      this.op(Op.BR);
      this.jumpTo(c);
      this.code[skip] = this.code.length;
    }
    this.endBlock();
  }

  /** br_on_cast(_fail): MISC computes whether to branch (the reference stays on the stack), then br_if. */
  private brOnCast(ins: Instr): void {
    const r = this.h - 1;
    this.op(Op.MISC);
    this.imm(ins.def.id);
    this.dst(this.h);
    this.lastDst = -1;
    this.src(r);
    this.imm(0);
    this.imm(0);
    this.imm(ins.ht2);
    this.imm(ins.a);
    this.imm(0);
    this.imm(0);
    this.pushTemp(I32);
    this.brIf(ins.b);
  }

  private brTable(ins: Instr): void {
    const idx = this.pop();
    this.materialize();
    const targets = [...ins.labels, ins.a];
    this.op(Op.BR_TABLE);
    this.src(idx);
    this.imm(targets.length - 1);
    const slots: number[] = [];
    for (let j = 0; j < targets.length; j++) {
      slots.push(this.code.length);
      this.imm(-1);
    }
    // direct targets, or trampolines that move the values first
    for (let j = 0; j < targets.length; j++) {
      const { c, n } = this.labelTarget(targets[j]!);
      const from = this.h - n;
      if (from === c.height || n === 0) {
        if (c.kind === 'loop') this.code[slots[j]!] = c.labelPc;
        else c.fixups.push(slots[j]!);
      } else {
        this.code[slots[j]!] = this.code.length;
        this.branchCopies(n, c.height);
        this.op(Op.BR);
        this.jumpTo(c);
      }
    }
    this.endBlock();
  }

  private enterBlock(ins: Instr, v: FuncValidator, name: string): void {
    const params = v.blockParams(ins);
    const results = v.blockResults(ins);
    let cnd = -1;
    if (name === 'if') cnd = this.h - 1;
    const ctrl: Ctrl = {
      kind: name as Ctrl['kind'],
      height: this.h - params.length - (name === 'if' ? 1 : 0),
      params,
      results,
      labelPc: -1,
      fixups: [],
      elseFix: -1,
      dead: false,
    };
    if (name === 'block') {
      this.ctrls.push(ctrl);
      return;
    }
    if (name === 'loop') {
      this.materialize();
      this.ctrls.push(ctrl);
      this.endBlock();
      ctrl.labelPc = this.code.length;
      return;
    }
    // if: branch to the else arm (or past the end) when the condition is false
    if (
      !this.exact &&
      this.kind[cnd] === TEMP &&
      this.lastOpPos >= 0 &&
      this.lastDst >= 0 &&
      this.code[this.lastDst] === cnd &&
      BR_FUSE.has(this.lastOp)
    ) {
      this.pop();
      if (this.aliased === 0) {
        const [, inverse] = BR_FUSE.get(this.lastOp)!;
        const start = this.lastOpPos;
        const operands = this.code.slice(start + 2);
        const fixes = this.fix.slice(start + 2);
        this.code.length = start;
        this.fix.length = start;
        this.op(inverse);
        for (let j = 0; j < operands.length; j++) {
          this.code.push(operands[j]!);
          this.fix.push(fixes[j]!);
        }
        ctrl.elseFix = this.code.length;
        this.imm(-1);
        this.ctrls.push(ctrl);
        this.endBlock();
        return;
      }
      this.h++;
    }
    this.pop();
    this.materialize();
    this.op(Op.BR_UNLESS);
    this.src(cnd);
    ctrl.elseFix = this.code.length;
    this.imm(-1);
    this.ctrls.push(ctrl);
    this.endBlock();
  }

  private resetTo(c: Ctrl, types: readonly ValType[]): void {
    while (this.h > c.height) this.pop();
    for (const t of types) this.pushTemp(t);
  }

  private elseArm(v: FuncValidator): void {
    const c = this.ctrls[this.ctrls.length - 1]!;
    if (!v.unreachable) {
      this.materialize();
      this.op(Op.BR);
      c.fixups.push(this.code.length);
      this.imm(-1);
    }
    this.endBlock();
    if (c.elseFix >= 0) {
      this.code[c.elseFix] = this.code.length;
      c.elseFix = -1;
    }
    this.resetTo(c, c.params);
  }

  private endFrame(v: FuncValidator): void {
    const c = this.ctrls.pop()!;
    if (c.rows) for (const r of c.rows) r.end = this.code.length;
    if (c.kind === 'func') {
      if (!v.unreachable) {
        this.emitReturn();
        this.endBlock();
      }
      if (c.fixups.length > 0) {
        // branches to the function's label land here with the results at height 0
        this.bind(c.fixups);
        this.resetTo(c, c.results);
        this.emitReturn();
      }
      return;
    }
    if (!v.unreachable) this.materialize();
    if (c.kind === 'loop') {
      // falling out of a loop is not a label
      if (v.unreachable) this.resetTo(c, c.results);
      return;
    }
    const isLabel = c.fixups.length > 0 || c.elseFix >= 0;
    if (isLabel) {
      if (c.elseFix >= 0) {
        c.fixups.push(c.elseFix);
        c.elseFix = -1;
      }
      this.bind(c.fixups);
      this.resetTo(c, c.results);
    } else if (v.unreachable) this.resetTo(c, c.results);
  }

  /** Instructions in unreachable code: only the control structure matters. */
  private deadInstr(ins: Instr, v: FuncValidator): void {
    const name = ins.def.name;
    if (name === 'block' || name === 'loop' || name === 'if' || name === 'try' || name === 'try_table') {
      this.ctrls.push({
        kind: name as Ctrl['kind'],
        height: this.h,
        params: v.blockParams(ins),
        results: v.blockResults(ins),
        labelPc: -1,
        fixups: [],
        elseFix: -1,
        dead: true,
      });
      return;
    }
    if (name === 'else') {
      const c = this.ctrls[this.ctrls.length - 1]!;
      if (c.dead) return;
      this.cur = ins.offset;
      this.elseArm(v);
      return;
    }
    if (name === 'end') {
      const c = this.ctrls[this.ctrls.length - 1]!;
      if (c.dead) {
        this.ctrls.pop();
        return;
      }
      this.cur = ins.offset;
      this.endFrame(v);
      return;
    }
    if (name === 'catch' || name === 'catch_all' || name === 'delegate') {
      const c = this.ctrls[this.ctrls.length - 1]!;
      this.cur = ins.offset;
      if (!c.dead) this.exnInstr(ins, v, name);
      else if (name === 'delegate') this.ctrls.pop();
      // the arm of a try entered in unreachable code: keep the mirror in step with the validator (never runs)
      else this.resetTo(c, name === 'catch' ? this.tagParams(v, ins.a) : []);
    }
  }

  // ------------------------------------------------------------ exceptions (exceptions.ts runs the handler tables)

  private rows: HRow[] = [];
  private seqN = 0;
  /** Hidden exception slots (deepest nesting of legacy trys). */
  private nx = 0;

  private tagParams(v: FuncValidator, x: number): readonly ValType[] {
    return (v.vm.module.types[v.vm.tagTypes[x]!]!.comp as FuncType).params;
  }

  /** MISC defId 0 s0 0 0 i0 0 0 0 for throw / throw_ref / rethrow (s0 relocated by `fix`). */
  private miscThrow(defId: number, s0: number, fix: number, i0: number): void {
    this.op(Op.MISC);
    this.imm(defId);
    this.imm(0);
    this.code.push(s0);
    this.fix.push(fix);
    this.imm(0);
    this.imm(0);
    this.imm(i0);
    this.imm(0);
    this.imm(0);
    this.imm(0);
  }

  private exnInstr(ins: Instr, v: FuncValidator, name: string): void {
    switch (name) {
      case 'try_table': {
        // catch labels count from outside the try_table
        const seq = ++this.seqN;
        const rows: HRow[] = [];
        const cs = ins.catches;
        for (let ord = 0; ord < cs.length; ord++) {
          const cl = cs[ord]!;
          const { c } = this.labelTarget(cl.label);
          const row: HRow = { seq, ord, start: -1, end: -1, kind: cl.kind, tag: cl.kind < 2 ? cl.tag : -1, target: -1, height: c.height, exn: -1, limit: 0 };
          if (c.kind === 'loop') row.target = c.labelPc;
          else c.fixups.push(~this.rows.length);
          this.rows.push(row);
          rows.push(row);
        }
        this.enterBlock(ins, v, 'block');
        const t = this.ctrls[this.ctrls.length - 1]!;
        t.seq = seq;
        t.rows = rows;
        for (const r of rows) r.start = this.code.length;
        return;
      }
      case 'try': {
        this.enterBlock(ins, v, 'block');
        const t = this.ctrls[this.ctrls.length - 1]!;
        let k = 0;
        for (const c of this.ctrls) if (c.legacy) k++;
        t.kind = 'try';
        t.seq = ++this.seqN;
        t.legacy = { start: this.code.length, bodyEnd: -1, exn: k, ord: 0 };
        if (k + 1 > this.nx) this.nx = k + 1;
        return;
      }
      case 'catch':
      case 'catch_all': {
        const c = this.ctrls[this.ctrls.length - 1]!;
        const L = c.legacy!;
        if (L.bodyEnd < 0) L.bodyEnd = this.code.length;
        // the body or the previous arm falls through to the end (like else)
        if (!v.unreachable) {
          this.materialize();
          this.op(Op.BR);
          c.fixups.push(this.code.length);
          this.imm(-1);
        }
        this.endBlock();
        const isCatch = name === 'catch';
        this.rows.push({
          seq: c.seq!,
          ord: L.ord++,
          start: L.start,
          end: L.bodyEnd,
          kind: isCatch ? X.HK_LEGACY_CATCH : X.HK_LEGACY_CATCH_ALL,
          tag: isCatch ? ins.a : -1,
          target: this.code.length,
          height: c.height,
          exn: L.exn,
          limit: 0,
        });
        this.resetTo(c, isCatch ? this.tagParams(v, ins.a) : []);
        return;
      }
      case 'delegate': {
        const n = this.ctrls.length;
        const c = this.ctrls[n - 1]!;
        // the label counts from the try's enclosing frame; handlers of trys up to it still apply
        const ti = n - 2 - ins.a;
        let limit = 0;
        for (let i = 0; i <= ti; i++) limit = Math.max(limit, this.ctrls[i]!.seq ?? 0);
        const L = c.legacy!;
        this.rows.push({ seq: c.seq!, ord: 0, start: L.start, end: this.code.length, kind: X.HK_DELEGATE, tag: -1, target: -1, height: -1, exn: -1, limit });
        this.endFrame(v);
        return;
      }
      case 'throw': {
        const np = this.tagParams(v, ins.a).length;
        this.materialize();
        this.miscThrow(ins.def.id, this.h - np, FIX_STACK, ins.a);
        for (let j = 0; j < np; j++) this.pop();
        // like br: what follows in straight-line code (after a try_table's end that is no label) is another block
        this.endBlock();
        return;
      }
      case 'throw_ref': {
        this.materialize();
        this.miscThrow(ins.def.id, this.pop(), FIX_STACK, 0);
        this.endBlock();
        return;
      }
      case 'rethrow': {
        this.materialize();
        const c = this.ctrls[this.ctrls.length - 1 - ins.a]!;
        // a try entered in unreachable code has no hidden slot (and its arm never runs)
        if (!c.legacy) this.op(Op.UNREACHABLE);
        else this.miscThrow(ins.def.id, c.legacy.exn, FIX_EXN, 0);
        this.endBlock();
        return;
      }
    }
  }

  /** br_on_null / br_on_non_null: REF_IS_NULL into a scratch slot above the reference, then a conditional branch. */
  private brOnNull(depth: number, onNonNull: boolean): void {
    const { c, n } = this.labelTarget(depth);
    this.materialize();
    const r = this.h - 1;
    const tmp = this.pushTemp(I32);
    this.op(Op.REF_IS_NULL);
    this.dst(tmp);
    this.src(r);
    this.lastDst = -1;
    this.pop();
    // br_on_null carries the n values below the reference; br_on_non_null the n values ending with it
    const from = onNonNull ? this.h - n : this.h - 1 - n;
    const copy = (): void => {
      for (let j = 0; j < n; j++) {
        this.op(this.copyOp(this.type[from + j]!));
        this.dst(c.height + j);
        this.src(from + j);
      }
    };
    if (from === c.height || n === 0) {
      this.op(onNonNull ? Op.BR_UNLESS : Op.BR_IF);
      this.code.push(tmp);
      this.fix.push(FIX_STACK);
      this.jumpTo(c);
    } else {
      this.op(onNonNull ? Op.BR_IF : Op.BR_UNLESS);
      this.code.push(tmp);
      this.fix.push(FIX_STACK);
      const skip = this.code.length;
      this.imm(-1);
      copy();
      this.op(Op.BR);
      this.jumpTo(c);
      this.code[skip] = this.code.length;
    }
    if (onNonNull) this.pop();
    this.endBlock();
  }

  /** The finished code, with slot operands relocated to the final frame layout. */
  finish(): { code: Int32Array; origAt: Int32Array; consts: number[]; frameSlots: number; maxHeight: number; handlers: Int32Array | null } {
    this.endBlock();
    const nc = Math.max(this.consts.length / 4, this.reserveConsts);
    const nx = this.nx;
    const code = new Int32Array(this.code.length);
    for (let p = 0; p < code.length; p++) {
      const f = this.fix[p]!;
      const w = this.code[p]!;
      code[p] =
        f === FIX_STACK ? (this.nl + nc + nx + w) * 4 : f === FIX_CONST ? (this.nl + w) * 4 : f === FIX_EXN ? (this.nl + nc + w) * 4 : w;
    }
    const origAt = new Int32Array(this.code.length);
    for (let p = 0; p < this.origAt.length; p++) {
      const o = this.origAt[p];
      if (o !== undefined) origAt[p] = o;
    }
    let handlers: Int32Array | null = null;
    if (this.rows.length > 0) {
      const rows = [...this.rows].sort((a, b) => b.seq - a.seq || a.ord - b.ord);
      handlers = new Int32Array(rows.length * X.H_STRIDE);
      rows.forEach((r, i) => {
        const o = i * X.H_STRIDE;
        handlers![o + X.H_START] = r.start;
        handlers![o + X.H_END] = r.end;
        handlers![o + X.H_KIND] = r.kind;
        handlers![o + X.H_TAG] = r.tag;
        handlers![o + X.H_TARGET] = r.target;
        handlers![o + X.H_SLOT] = r.height >= 0 ? (this.nl + nc + nx + r.height) * 4 : 0;
        handlers![o + X.H_AUX] = r.kind === X.HK_DELEGATE ? r.limit : r.exn >= 0 ? (this.nl + nc + r.exn) * 4 : 0;
        handlers![o + X.H_SEQ] = r.seq;
      });
    }
    return { code, origAt, consts: this.consts, frameSlots: this.nl + nc + nx + this.maxH + 1, maxHeight: this.maxH, handlers };
  }
}

/** Operand count and result types of an instruction handled by MISC. */
function miscSignature(ins: Instr, v: FuncValidator): [number, readonly ValType[]] {
  const def = ins.def;
  const vm = v.vm;
  if (def.family === 'vector' && !hasSimd(def)) unsupported(ins, v);
  if (def.params !== null) return [def.params.length, def.results!];
  if (def.feature === 'gc') {
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


export { Compiled };
