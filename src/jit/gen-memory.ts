/**
 * Memory instructions in the JS tier: loads and stores on memory 0 (32-bit
 * addresses), memory.grow, bulk fill and copy; and the rare instructions run
 * by the interpreter's MISC executor on the frame (miscOp).
 */
import { I32, I64, F32, F64, isRef, type ValType } from '../core/types.js';
import type { Instr } from '../decoder/instr.js';
import { Op } from '../interp/exec.js';
import * as RT from './rt.js';
import { JsNumeric } from './gen-numeric.js';
import { CONST, EX_NO_FUEL, MEM_RELOAD, isNum, no, type Ent } from './gen-types.js';
import { keepsMemory } from './lane-cache.js';

/**
 * The f32 instructions whose result is the same for a NaN operand quieted by getFloat32 as for its exact
 * bits: arithmetic rounded by Math.fround (the hardware quiets a signalling NaN and keeps its payload, as
 * the quieting read did) and comparisons (false for every NaN).
 */
const F32_NAN_BLIND = new Set(['f32.add', 'f32.sub', 'f32.mul', 'f32.div', 'f32.sqrt', 'f32.eq', 'f32.ne', 'f32.lt', 'f32.gt', 'f32.le', 'f32.ge']);
/**
 * How many operands the instructions without a signature in the instruction table take (settleF32: a local.get
 * between a load and the arithmetic that takes it leaves its test unwritten; nbody's loads of b[i] fields).
 */
const UNTYPED_TAKES = new Map([
  ['local.get', 0],
  ['global.get', 0],
  ['local.set', 1],
  ['local.tee', 1],
  ['global.set', 1],
  ['drop', 1],
  ['select', 3],
]);

export abstract class JsMemory extends JsNumeric {
  /**
   * Each access checks its bounds itself (`ea > ML<n>`) instead of leaving it to the DataView: the function's
   * generated code has trapped there before (codegen.ts oobTrapped).
   */
  explicitBounds = false;

  /**
   * f32.load results on the stack whose NaN test has not been written yet, with the variable holding
   * their address (settleF32).
   */
  private readonly rawF32 = new Map<Ent, string>();

  /** The access sizes of this function's bounds checks: each has `ML<n>` = ML - n, set with ML (boundVars). */
  private readonly boundSizes = new Set<number>();

  /**
   * The condition of an n-byte access at `ea` being out of bounds: `ea > ML<n>` (negative for a memory
   * shorter than n). One compare of integers: `ea + n > ML` made V8 add in floats (ea is a uint32, ea + n
   * may not be), 15% of nbody's time.
   */
  /** The bytes memory 0 has at least in every instance of the module: its declared minimum (an import's as imported). */
  protected memFloor(): number {
    const t = this.inst.vm.memories[0];
    return t === undefined || t.addr !== 'i32' ? 0 : t.min * 2 ** t.pageSizeLog2;
  }

  /**
   * Whether no address of memory 0 at or past 2^31 can ever be in bounds: its declared maximum (an import's as
   * imported, which bounds the memory imported) is at most 2 GiB. Emscripten's default (sql.js: 32768 pages).
   */
  protected memBelow2G(): boolean {
    const t = this.inst.vm.memories[0];
    return t !== undefined && t.addr === 'i32' && t.max !== null && t.max * 2 ** t.pageSizeLog2 <= 2 ** 31;
  }

  protected oob(n: number): string {
    this.boundSizes.add(n);
    return `ea > ML${n}`;
  }

  /**
   * The assignments `ML<n> = ML - n` of the sizes oob was asked for, declared and reloaded with ML: `, ML4 = ML - 4`
   * each for the declaration and ` ML4 = ML - 4;` each for the reload. (Written in a loop over the sizes, an array of
   * small integers whether empty or not: a list of strings mapped from it was an empty array of another map in the
   * early functions, and V8's optimised `build` was thrown away at the first function with bounds checks.)
   */
  protected boundVars(): [string, string] {
    const sizes = [...this.boundSizes].sort((a, b) => a - b);
    let decl = '';
    let reload = '';
    for (let i = 0; i < sizes.length; i++) {
      const a = `ML${sizes[i]!} = ML - ${sizes[i]!}`;
      decl += `, ${a}`;
      reload += ` ${a};`;
    }
    return [decl, reload];
  }

  /**
   * Before instruction `def` (at a block start if `blockStart`): the NaN tests of the f32.load results it
   * takes, unless it is NaN-blind (F32_NAN_BLIND) or drops it, and of all of them before anything that may write
   * memory (the test reads the bits again), starts or leaves a block (the stack goes to variables and slots), or
   * takes an unknown number of operands. Saves nbody 14% of its time: its loads all feed arithmetic.
   */
  protected settleF32(def: Instr['def'], blockStart: boolean): void {
    const raw = this.rawF32;
    if (raw.size === 0) return;
    const takes = def.params !== null ? def.params.length : (UNTYPED_TAKES.get(def.name) ?? -1);
    const all = blockStart || takes < 0 || !keepsMemory(def);
    const n = all ? this.st.length : takes;
    // (a dropped value goes nowhere)
    const blind = !all && (F32_NAN_BLIND.has(def.name) || def.name === 'drop');
    for (let i = this.st.length - n; i < this.st.length; i++) {
      const e = this.st[i]!;
      const fa = raw.get(e);
      if (fa === undefined) continue;
      raw.delete(e);
      if (!blind) this.w(`if (${e.e} !== ${e.e}) ${e.e} = b2f(V.getInt32(${fa}, true));`);
    }
    if (all) raw.clear();
  }

  protected memAccess(ins: Instr, name: string): void {
    const def = ins.def;
    if (ins.b !== 0 || !this.mem) {
      // another memory, or 64-bit addresses: the MISC executor
      const isLoad = def.results!.length === 1;
      this.miscOp(ins, isLoad ? 1 : 2, isLoad ? def.results![0]! : null);
      return;
    }
    this.usesMem = true;
    const n = def.bytes;
    const off = ins.offset64;
    const isLoad = def.results!.length === 1;
    let val: Ent | null = null;
    if (!isLoad) val = this.pop();
    const a = this.pop();
    const ca = a.k === CONST ? (Number(a.e.replace(/[()]/g, '')) >>> 0) + off : -1;
    let signed = false;
    if (ca >= 0 && ca + n <= this.memFloor()) {
      // a constant address inside the module's declared minimum: every instance's memory is at least that long and
      // never shrinks (C programs' globals and fixed buffers; the source stays the module's, shared between instances)
      this.w(`ea = ${ca};`);
    } else {
      // the i32 itself, not made unsigned, where the DataView checks the access and no address past 2^31 is in bounds:
      // a negative one (2^31 and above) throws the DataView's RangeError as one past the end does, and V8 drops its
      // check that `ea >>> 0` fits an int32 (matmul metered 2.29x -> 2.07x V8, sieve unmetered 2.46x -> 2.23x, by hand;
      // BENCHMARKS.md, session 16, mem11). Not with an offset (a negative address plus the offset may land in bounds);
      // i64.store's first write, at ea + 4, goes to -1 for a negative ea (below).
      signed = ca < 0 && off === 0 && !this.explicitBounds && this.memBelow2G();
      const ea = ca >= 0 ? `${ca}` : signed ? a.e : `(${a.e} >>> 0)${off !== 0 ? ` + ${off}` : ''}`;
      // every access goes through the DataView, which checks it: the trap is the function's catch's, at this site
      // (patch.ts; the view is exactly the memory's length, and an access past it throws before it
      // reads or writes anything, a store's value computed first, as wasm does). Byte accesses too: `U8[ea]` reads
      // undefined past the end and needed a check of its own. BENCHMARKS.md, session 15, helper f32x10.
      if (this.explicitBounds) this.w(`ea = ${ea}; if (${this.oob(n)}) ${this.trap(RT.TRAP_OOB)}`);
      else this.w(this.oobSite(RT.TRAP_OOB, `ea = ${ea}; `));
    }
    if (isLoad) {
      switch (name) {
        case 'i32.load':
          this.pushStmt(I32, 'V.getInt32(ea, true)');
          return;
        case 'f32.load': {
          // a NaN is read again as bits (a Float32Array / getFloat32 read quiets a signalling NaN), unless
          // the value only feeds arithmetic: settleF32 writes the test when something else takes it
          const i = this.st.length;
          this.pushStmt(F32, 'V.getFloat32(ea, true)');
          const fa = `FA${i}`;
          this.vars.add(fa);
          this.w(`${fa} = ea;`);
          this.rawF32.set(this.st[i]!, fa);
          return;
        }
        case 'f64.load':
          this.pushStmt(F64, 'V.getFloat64(ea, true)');
          return;
        case 'i64.load':
          this.pushI64((lo, hi) => `${lo} = V.getInt32(ea, true); ${hi} = V.getInt32(ea + 4, true);`);
          return;
        case 'i32.load8_s':
          this.pushStmt(I32, 'V.getInt8(ea)');
          return;
        case 'i32.load8_u':
          this.pushStmt(I32, 'V.getUint8(ea)');
          return;
        case 'i32.load16_s':
          this.pushStmt(I32, 'V.getInt16(ea, true)');
          return;
        case 'i32.load16_u':
          this.pushStmt(I32, 'V.getUint16(ea, true)');
          return;
        case 'i64.load8_s':
          this.pushI64((lo, hi) => `${lo} = V.getInt8(ea); ${hi} = ${lo} >> 31;`);
          return;
        case 'i64.load8_u':
          this.pushI64((lo, hi) => `${lo} = V.getUint8(ea); ${hi} = 0;`);
          return;
        case 'i64.load16_s':
          this.pushI64((lo, hi) => `${lo} = V.getInt16(ea, true); ${hi} = ${lo} >> 31;`);
          return;
        case 'i64.load16_u':
          this.pushI64((lo, hi) => `${lo} = V.getUint16(ea, true); ${hi} = 0;`);
          return;
        case 'i64.load32_s':
          this.pushI64((lo, hi) => `${lo} = V.getInt32(ea, true); ${hi} = ${lo} >> 31;`);
          return;
        case 'i64.load32_u':
          this.pushI64((lo, hi) => `${lo} = V.getInt32(ea, true); ${hi} = 0;`);
          return;
      }
      no(name);
    }
    const e = val!;
    switch (name) {
      case 'i32.store':
        this.w(`V.setInt32(ea, ${e.e}, true);`);
        return;
      case 'f32.store':
        // an arithmetic result (Ent.q) is never a signalling NaN's encoding: setFloat32 gives f2b's bits
        if (e.q) this.w(`V.setFloat32(ea, ${e.e}, true);`);
        else this.w(`fx = ${e.e}; if (fx === fx) V.setFloat32(ea, fx, true); else V.setInt32(ea, f2b(fx), true);`);
        return;
      case 'f64.store':
        this.w(`V.setFloat64(ea, ${e.e}, true);`);
        return;
      case 'i64.store':
        // the high half first: past the end, the first write throws and nothing is written. A signed ea (above) that
        // is negative writes it at -1, which throws (ea + 4 may be in bounds: ea = -4 wrote at 0), and one of
        // 2^31 - 4 and above at ea + 4 wrapped, negative too; the same ea as a load of the address before it (hash64:
        // a load signed and the store unsigned, two indices, made it 1% slower)
        this.w(`V.setInt32(${signed ? '(ea + 4) | (ea >> 31)' : 'ea + 4'}, ${e.h}, true); V.setInt32(ea, ${e.e}, true);`);
        return;
      case 'i32.store8':
      case 'i64.store8':
        this.w(`V.setUint8(ea, ${e.e});`);
        return;
      case 'i32.store16':
      case 'i64.store16':
        this.w(`V.setInt16(ea, ${e.e}, true);`);
        return;
      case 'i64.store32':
        this.w(`V.setInt32(ea, ${e.e}, true);`);
        return;
    }
    no(name);
  }

  protected memoryGrow(ins: Instr): void {
    const m = this.inst.memories[ins.a]!;
    const is64 = m.type.addr === 'i64';
    const pc = this.opPc(ins.offset, Op.MEMORY_GROW);
    const spill = this.spill(this.st.length);
    const n = this.pop();
    const gp = this.mc.counting ? this.mc.costs.memoryGrowPage : 0;
    const M = this.env(m);
    this.w(is64 ? `ea = (${n.e} >>> 0) + (${n.h} >>> 0) * 4294967296;` : `ea = ${n.e} >>> 0;`);
    if (gp > 0) {
      const x = this.exit(EX_NO_FUEL, pc, this.blkPc);
      // only a grow that can succeed pays (and so may stop for) its surcharge
      this.w(`fx = ${gp} * ea; if (fx > 0 && fuel < fx && ${M}.mayGrow(ea)) { mc.needed = fx; ${spill}ex = ${x}; break X; }`);
    }
    // (any memory may be memory 0 under another index: its views are reloaded)
    this.w(`y = ${M}.grow(ea);${gp > 0 ? ' if (y >= 0) fuel -= fx;' : ''}${MEM_RELOAD}`);
    if (gp > 0) this.fuelChanged();
    if (is64) this.pushI64((lo, hi) => `${lo} = y; ${hi} = y < 0 ? -1 : 0;`);
    else this.pushStmt(I32, 'y');
  }

  /**
   * A rare instruction run by the interpreter's
   * MISC executor (misc.ts) on this frame's slots: each operand is written
   * where the fast code's MISC op reads it (its canonical slot, or the slot
   * of the local or constant the translator let it alias), the result comes
   * back from the first operand's canonical slot.
   */
  protected miscOp(ins: Instr, n: number, result: ValType | null): void {
    const pc = this.opPc(ins.offset, Op.MISC);
    const spill = this.spill(this.st.length);
    const base = this.st.length - n;
    const refSlots: number[] = [];
    for (let j = 0; j < n; j++) {
      const e = this.st[base + j]!;
      if (!isNum(e.t)) no('misc operand');
      // (more than three operands: consecutive slots from the first, where the translator put them)
      const w = n > 3 ? this.stackWord(base + j) : this.code[pc + 3 + j]!;
      this.w(this.store(e, w));
      if (isRef(e.t)) refSlots.push(w);
    }
    for (let j = 0; j < n; j++) this.pop();
    const x = this.exit(EX_NO_FUEL, pc, this.blkPc);
    this.w(
      `mc.fuel = fuel; try { y = execMisc(mc, ${this.env(this.inst)}, ${this.env(this.code)}, ${pc}, fp); } catch (e) { throw settleTrap(mc, ${this.fuelAfterTrap()}, e); }`,
    );
    // a surcharge it could not pay: stop at the instruction (everything in its slot)
    this.w(`if (y < 0) { ${spill}ex = ${x}; break X; } fuel = mc.fuel;`);
    this.fuelChanged();
    if (result !== null) {
      const ws = this.load(result, this.stackWord(base));
      if (result === I64) this.pushI64((l, h) => `${l} = ${ws[0]}; ${h} = ${ws[1]};`);
      else this.pushStmt(result, ws[0]!);
      if (isRef(result)) refSlots.push(this.stackWord(base));
    }
    // the reference operands and result are in variables now: their slots let go of them (dropRef)
    for (const w of new Set(refSlots)) this.w(this.dropRef(w));
  }

  protected bulk(ins: Instr, name: string): void {
    if (ins.a !== 0 || (name === 'memory.copy' && ins.b !== 0) || !this.mem) {
      this.miscOp(ins, 3, null);
      return;
    }
    this.usesMem = true;
    const pc = this.opPc(ins.offset, Op.MISC);
    const spill = this.spill(this.st.length);
    const n = this.pop();
    const b = this.pop();
    const a = this.pop();
    const bpf = this.mc.costs.bytesPerFuel;
    const x = this.exit(EX_NO_FUEL, pc, this.blkPc);
    // (the memory's bytes array and its length read here: the function keeps the DataView alone, build)
    const M = this.memName;
    const L = `${M}.u8.length`;
    if (name === 'memory.fill') {
      this.w(`ea = ${a.e} >>> 0; fx = ${n.e} >>> 0; if (ea + fx > ${L}) ${this.trap(RT.TRAP_OOB)}`);
    } else {
      this.w(`ea = ${a.e} >>> 0; eb = ${b.e} >>> 0; fx = ${n.e} >>> 0; if (eb + fx > ${L} || ea + fx > ${L}) ${this.trap(RT.TRAP_OOB)}`);
    }
    if (this.mc.counting) {
      this.w(`y = Math.floor(fx / ${bpf}); if (y > 0) { if (fuel < y) { mc.needed = y; ${spill}ex = ${x}; break X; } fuel -= y; }`);
      this.fuelChanged();
    }
    if (name === 'memory.fill') this.w(`${M}.u8.fill(${b.e} & 255, ea, ea + fx);`);
    else this.w(`${M}.u8.copyWithin(ea, eb, eb + fx);`);
  }
}
