/**
 * The JS tier in an engine that canonicalizes NaNs (src/interp/nan-bits.ts): the tier carries f32 and f64 values as
 * JS doubles (f32 NaN payloads at the top of the double's mantissa), and such an engine gives every NaN it reads
 * from a typed array or DataView (frame slots at entry and exits, memory, constants, `b2f`) as its canonical NaN.
 * That is harmless for a value that only arithmetic reads: wasm leaves the NaN result of arithmetic on a NaN
 * operand nondeterministic (any arithmetic NaN; the canonical one always is one), and comparisons and conversions
 * see every NaN alike. It is not for a value whose bits are observed: stored, reinterpreted, the operand of
 * `abs`/`neg`/`copysign`, splatted or put in a lane, passed to a call, returned, written to a global or a GC field,
 * thrown, carried out of a block.
 *
 * FloatScan, a validator pass run only there, follows each f32/f64 value on the operand stack: *read* (its bits come
 * from outside arithmetic: a load, a local or parameter, a NaN constant, a reinterpretation, a lane, a call, a
 * global, a block's result ...) or *computed* (by arithmetic, a non-NaN constant, a conversion from an integer, or
 * `abs`/`neg`/`copysign` of a computed one). A read value may be moved (locals, `select`, `drop`) and read only by
 * arithmetic; an instruction that would observe its bits declines the function (the interpreter, which moves
 * floats as int32 words, runs it). A `local.get` gives a read value from a local that holds one at that point
 * (LocalFlow: parameters at entry, `local.set`/`local.tee` of a read value, merged over branches and loops), else a
 * computed one (a loop's float accumulator); in a function with exception instructions, from a parameter or any
 * local some `local.set` ever gives a read value. Values spilled at exits and read back at re-entry are
 * canonicalized there too: a read one is only read by arithmetic, and a computed one is a NaN arithmetic made.
 * Instructions of no fixed signature (control, calls, globals, GC, exceptions, ...) are taken to observe every float
 * of the current block's operands, and leave the floats they push read.
 */
import { BY_NAME, INSTRS } from '../core/instructions.js';
import { F32, F64, type ValType } from '../core/types.js';
import type { Instr } from '../decoder/instr.js';
import type { CodeSink, FuncValidator } from '../validate/func.js';
import { validateFunction, type ValidatedModule } from '../validate/module.js';
import { no } from './gen-types.js';

export const FLOATS_DECLINED = 'f32 or f64 bits observed in an engine that canonicalizes NaNs';

/** What an instruction of a fixed signature does with float operands and results. */
const enum K {
  /** Observes its float operands' bits (stores, reinterpret, splat, ...); a float result is read. */
  Observes = 0,
  /** Arithmetic: reads floats as numbers; a float result is computed. (And every instruction of no float operand or result.) */
  Arith,
  /** abs, neg, copysign: observes its operands; the result is computed (its operands must be). */
  Sign,
  /** A float result from integers (convert_i32_s ...): computed. */
  FromInt,
  /** A float constant: computed unless a NaN. */
  Const,
  /** local.get / local.set / local.tee / drop / select: moves. */
  Move,
  /** No fixed signature: control, calls, globals, GC, ... */
  Other,
}

/**
 * By InstrDef.id, made at the first scan rather than when the module is evaluated, which every start of the CLI does
 * (V8, which keeps NaN bits, never scans; BENCHMARKS.md, CLI start-up, session 22).
 */
let KIND: Uint8Array | null = null;
function floatKinds(): Uint8Array {
  const KIND = new Uint8Array(INSTRS.length).fill(K.Other);
  const isF = (t: ValType): boolean => t === F32 || t === F64;
  for (const d of INSTRS) {
    if (d.params === null || d.results === null) continue;
    // (a float result of integer or vector operands, a load's or a lane's, is read: Observes)
    KIND[d.id] = d.params.some(isF) || d.results.some(isF) ? K.Observes : K.Arith;
  }
  const set = (names: string, k: K): void => {
    for (const n of names.trim().split(/\s+/)) for (const d of BY_NAME.get(n) ?? no(`float-scan: unknown instruction ${n}`)) KIND[d.id] = k;
  };
  const ARITH = 'eq ne lt gt le ge ceil floor trunc nearest sqrt add sub mul div min max';
  set(['f32', 'f64'].flatMap((t) => ARITH.split(' ').map((o) => `${t}.${o}`)).join(' '), K.Arith);
  set('f32.demote_f64 f64.promote_f32', K.Arith);
  for (const t of ['i32', 'i64']) for (const f of ['f32', 'f64']) for (const s of ['s', 'u']) set(`${t}.trunc_${f}_${s} ${t}.trunc_sat_${f}_${s}`, K.Arith);
  set('f32.abs f32.neg f32.copysign f64.abs f64.neg f64.copysign', K.Sign);
  set('f32.const f64.const', K.Const);
  for (const t of ['f32', 'f64']) for (const i of ['i32', 'i64']) for (const s of ['s', 'u']) set(`${t}.convert_${i}_${s}`, K.FromInt);
  set('local.get local.set local.tee drop select', K.Move);
  return KIND;
}

export class FloatScan implements CodeSink {
  /** Per operand stack position: an f32/f64 value whose bits were read (see above); valid up to `known`. */
  private readonly read: boolean[] = [];
  /** How many positions of `read` are known to match the validator's stack (the rest are set from types). */
  private known = 0;
  /** Set when a `local.set`/`local.tee` put a read value into a local `readLocals` took for computed. */
  changed = false;

  /**
   * `readLocals[x]`: local x (params first) may hold a read value: each parameter, and each local a pass found
   * set to one (`floatsObserved` runs passes until none is found). The others hold only computed values and zeros.
   * With `flow`, the same per program point instead (LocalFlow), and readLocals is not used.
   */
  constructor(
    private readonly readLocals: boolean[],
    private readonly flow: LocalFlow | null = null,
  ) {}

  instr(ins: Instr, v: FuncValidator): void {
    const h = v.height;
    const read = this.read;
    // positions the last instruction changed without telling (an Other one, dead code): floats there are read
    for (let i = Math.min(this.known, h); i < h; i++) read[i] = isFloat(v.typeAt(h - 1 - i));
    read.length = h;
    if (this.flow !== null) this.flow.control(ins);
    if (v.unreachable) {
      this.known = h - v.frameHeight;
      return;
    }
    const def = ins.def;
    const k = (KIND ??= floatKinds())[def.id]! as K;
    switch (k) {
      case K.Move:
        return this.move(def.name, ins, v, h);
      case K.Const: {
        const nan = def.name === 'f32.const' ? (ins.a & 0x7f800000) === 0x7f800000 && (ins.a & 0x7fffff) !== 0 : (ins.hi & 0x7ff00000) === 0x7ff00000 && ((ins.hi & 0xfffff) !== 0 || ins.lo !== 0);
        read.push(nan);
        this.known = h + 1;
        return;
      }
      case K.Other: {
        // may take any operand of the current block
        for (let i = h - v.frameHeight; i < h; i++) if (read[i]) no(FLOATS_DECLINED);
        this.known = h - v.frameHeight;
        return;
      }
      default: {
        const n = def.params!.length;
        if (k !== K.Arith) for (let i = h - n; i < h; i++) if (read[i]) no(FLOATS_DECLINED);
        read.length = h - n;
        for (const t of def.results!) read.push(isFloat(t) && k === K.Observes);
        this.known = read.length;
      }
    }
  }

  private move(name: string, ins: Instr, v: FuncValidator, h: number): void {
    const read = this.read;
    const flow = this.flow;
    if (flow !== null && name.startsWith('local.')) {
      // per program point: a set of a computed value makes the local computed again (matmul's loaded `a`, then its sum, in one local)
      if (name === 'local.get') read.push(flow.isRead(ins.a));
      else {
        flow.set(ins.a, read[h - 1] === true);
        if (name === 'local.set') read.length = h - 1;
      }
    } else if (name === 'local.get') read.push(this.readLocals[ins.a] === true);
    else if (name === 'local.set' || name === 'local.tee') {
      const x = ins.a;
      if (read[h - 1] === true && this.readLocals[x] !== true) {
        this.readLocals[x] = true;
        this.changed = true;
      }
      if (name === 'local.set') read.length = h - 1;
      else read[h - 1] = this.readLocals[x] === true;
    } else if (name === 'drop') read.length = h - 1;
    else {
      // select: the value is one of the two operands, moved
      const r = read[h - 2]! || read[h - 3]!;
      read.length = h - 3;
      read.push(r);
    }
    this.known = read.length;
  }
}

function isFloat(t: ValType): boolean {
  return t === F32 || t === F64;
}

/** A function with exception handlers: LocalFlow does not follow the paths into handlers; the per-function rule runs it. */
class NoFlow extends Error {}

/**
 * Which locals hold a read value at each program point (FloatScan's `flow`): `local.set` of a read value makes the
 * local read, of a computed one computed; branches merge (a union) into their label's state, a loop's head starts
 * from what enters it and what its back edges brought in the last pass (`back`, kept by floatsObserved, which runs
 * passes until no back edge brings more). Functions with exception instructions throw NoFlow.
 */
class LocalFlow {
  /** The read locals here; null in unreachable code. */
  private cur: boolean[] | null;
  /** Control frames: the function's first. `loop`: the loop's ordinal, -1 for others; `label`: what branches to the end bring. */
  private readonly frames: { loop: number; label: boolean[] | null; entry: boolean[] | null; isIf: boolean; hasElse: boolean }[] = [];
  private loops = 0;
  /** Per loop: what its back edges brought in this pass. */
  readonly backNow = new Map<number, boolean[]>();

  constructor(
    params: boolean[],
    private readonly back: ReadonlyMap<number, boolean[]>,
  ) {
    this.cur = [...params];
    this.frames.push({ loop: -2, label: null, entry: null, isIf: false, hasElse: false });
  }

  isRead(x: number): boolean {
    return this.cur !== null && this.cur[x] === true;
  }

  set(x: number, read: boolean): void {
    if (this.cur !== null) this.cur[x] = read;
  }

  control(ins: Instr): void {
    const name = ins.def.name;
    const frames = this.frames;
    switch (name) {
      case 'block':
        frames.push({ loop: -1, label: null, entry: null, isIf: false, hasElse: false });
        return;
      case 'loop': {
        const id = this.loops++;
        const b = this.back.get(id);
        if (this.cur !== null && b !== undefined) this.cur = union(this.cur, b);
        frames.push({ loop: id, label: null, entry: null, isIf: false, hasElse: false });
        return;
      }
      case 'if':
        frames.push({ loop: -1, label: null, entry: this.cur === null ? null : [...this.cur], isIf: true, hasElse: false });
        return;
      case 'else': {
        const f = frames[frames.length - 1]!;
        f.label = union(f.label, this.cur);
        this.cur = f.entry === null ? null : [...f.entry];
        f.hasElse = true;
        return;
      }
      case 'end': {
        const f = frames.pop()!;
        let s = union(f.label, this.cur);
        if (f.isIf && !f.hasElse) s = union(s, f.entry);
        this.cur = s;
        return;
      }
      case 'br':
        this.branch(ins.a);
        this.cur = null;
        return;
      case 'br_if':
      case 'br_on_null':
      case 'br_on_non_null':
        this.branch(ins.a);
        return;
      case 'br_on_cast':
      case 'br_on_cast_fail':
      case 'br_on_cast_desc_eq':
      case 'br_on_cast_desc_eq_fail':
        this.branch(ins.b);
        return;
      case 'br_table':
        for (const l of ins.labels) this.branch(l);
        this.branch(ins.a);
        this.cur = null;
        return;
      case 'return':
      case 'return_call':
      case 'return_call_indirect':
      case 'return_call_ref':
      case 'unreachable':
      case 'throw':
      case 'throw_ref':
        this.cur = null;
        return;
      case 'try':
      case 'try_table':
      case 'catch':
      case 'catch_all':
      case 'delegate':
      case 'rethrow':
        throw new NoFlow();
    }
  }

  /** A branch to label `depth` from here. */
  private branch(depth: number): void {
    if (this.cur === null) return;
    const f = this.frames[this.frames.length - 1 - depth]!;
    if (f.loop === -2) return; // the function's label: a return
    if (f.loop >= 0) this.backNow.set(f.loop, union(this.backNow.get(f.loop) ?? null, this.cur)!);
    else f.label = union(f.label, this.cur);
  }
}

/** The union of two local states (a fresh array), null when both are. */
function union(a: boolean[] | null, b: boolean[] | null): boolean[] | null {
  if (a === null) return b === null ? null : [...b];
  if (b === null) return [...a];
  const n = Math.max(a.length, b.length);
  const u: boolean[] = [];
  for (let i = 0; i < n; i++) u.push(a[i] === true || b[i] === true);
  return u;
}

/**
 * Throws Unjittable (FLOATS_DECLINED) when function `funcIndex` of `vm` may observe the bits of an f32/f64 value it
 * read (above). Locals per program point (LocalFlow: a pass, and one more per loop whose back edges bring a read local
 * its head had not seen; most functions take one or two), or, in a function with exception instructions, per
 * function (a pass per new local found to hold read values).
 */
export function floatsObserved(vm: ValidatedModule, funcIndex: number, params: readonly ValType[]): void {
  const readParams = params.map(isFloat);
  const back = new Map<number, boolean[]>();
  try {
    for (;;) {
      const flow = new LocalFlow(readParams, back);
      validateFunction(vm, funcIndex, new FloatScan([], flow));
      let more = false;
      for (const [id, s] of flow.backNow) {
        const b = back.get(id);
        if (b !== undefined && s.every((r, i) => !r || b[i] === true)) continue;
        back.set(id, union(b ?? null, s)!);
        more = true;
      }
      if (!more) return;
    }
  } catch (e) {
    if (!(e instanceof NoFlow)) throw e;
  }
  const readLocals = [...readParams];
  for (;;) {
    const scan = new FloatScan(readLocals);
    validateFunction(vm, funcIndex, scan);
    if (!scan.changed) return;
  }
}
