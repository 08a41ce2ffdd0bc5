/**
 * A reference interpreter for the generated programs (test/fuel/program.ts),
 * written from the WebAssembly semantics and docs/fuel.md, sharing no code
 * with wasmeter. It runs the program's own AST and records every charge the
 * fuel model makes, in order: one item per reached instruction (its cost from
 * the cost table) and one per surcharge (memory.grow pages, memory.fill/copy
 * bytes, the host-call surcharge and what the host function charges).
 *
 * Floats are JS numbers: a NaN's bits are not modelled, so a run that lets
 * NaN bits become observable (storing a NaN, reinterpreting one, copysign
 * from one) is marked `tainted` and only its fuel up to that point is
 * trustworthy; the tests skip comparing tainted runs with the reference.
 *
 * Exceptions are JS exceptions (RefExn) that unwind the reference's own
 * recursion up to a try_table whose clause takes them; one that leaves the
 * entry function ends the run as the trap "uncaught wasm exception".
 */
import type { FuelCosts } from '../../src/index.js';
import { DESC_FIELDS, S_INIT, hostCharge, hostResult, hostThrows, hostTraps, type Instr, type Program, type Tag, type VT } from './program.js';

export type Value = number | bigint;

/** Our own family table (docs/fuel.md: the instruction table's groups). */
export function familyOf(name: string): string {
  if (/^(unreachable|nop|block|loop|if|else|end|br|br_if|br_table|return|call|call_indirect)$/.test(name)) return 'control';
  if (/^(throw|throw_ref|try_table)$/.test(name)) return 'exception';
  if (name === 'drop' || name === 'select') return 'parametric';
  if (/^(local|global)\./.test(name)) return 'variable';
  if (name === 'memory.fill' || name === 'memory.copy') return 'bulk';
  if (/^memory\.|\.(load|store)/.test(name)) return 'memory';
  if (/\.const$/.test(name)) return 'const';
  if (name === 'ref.null') return 'reference';
  if (/^(struct\.|ref\.i31$|ref\.get_desc$|ref\.cast_desc_eq$|br_on_cast_desc_eq)/.test(name)) return 'aggregate';
  if (/\.(wrap|trunc|extend|convert|demote|promote|reinterpret)_/.test(name)) return 'conversion';
  return 'numeric';
}

export interface CostModel {
  cost(name: string): number;
  bytesPerFuel: number;
  memoryGrowPage: number;
  hostCall: number;
}

export function costModel(c: FuelCosts = {}): CostModel {
  const memo = new Map<string, number>();
  return {
    cost(name: string): number {
      let v = memo.get(name);
      if (v === undefined) {
        v = c.instructions?.[name] ?? (c.families as Record<string, number> | undefined)?.[familyOf(name)] ?? c.default ?? 1;
        memo.set(name, v);
      }
      return v;
    },
    bytesPerFuel: c.bytesPerFuel ?? 64,
    memoryGrowPage: c.memoryGrowPage ?? 1,
    hostCall: c.hostCall ?? 1,
  };
}

export interface RefOutcome {
  results: Value[] | null;
  trap: string | null;
  /** Fuel consumed: the sum of `charges`. */
  total: number;
  /** Every charge, in order (instructions and surcharges). */
  charges: number[];
  /** What each charge is for: an instruction name, or '+grow', '+fill', '+copy', '+hostCall', '+host'. */
  what: string[];
  /** Fuel attributed to each function ('f0', ..., 'env.host') and its calls. */
  self: Map<string, number>;
  calls: Map<string, number>;
  memory: Uint8Array;
  globals: Value[];
  /** NaN bits became observable: results, memory and later fuel may legitimately differ. */
  tainted: boolean;
  /**
   * Every memory.grow that failed: `at` is the number of charges before the
   * surcharge a successful grow would have made (after the instruction's own
   * charge), `would` that surcharge. The model charges nothing for them.
   */
  failedGrows: { at: number; would: number }[];
  /** When the run ended with the host function trapping: the host-call surcharge it paid (else 0). */
  hostTrapCall: number;
}

class RefTrap extends Error {}
/** A wasm exception in flight (also the exnref value a catch_all_ref clause pushes). */
class RefExn extends Error {
  constructor(
    readonly tag: Tag,
    readonly payload: Value[],
  ) {
    super(`exception $${tag}`);
  }
}

/** Custom descriptors: a descriptor ($D), a struct with its descriptor ($S), an i31; references live on the stack only. */
class Desc {
  constructor(readonly f: number) {}
}
class Struct {
  constructor(
    public f: number,
    readonly desc: Desc,
  ) {}
}
class I31 {
  constructor(readonly v: number) {}
}
type Ref = Desc | Struct | I31 | RefExn | null;

const NORMAL = -1;
const RETURN = -2;
const PAGE = 65536;
const I64_MIN = -(1n << 63n);
const TWO63 = 2 ** 63;
const TWO64 = 2 ** 64;

const s64 = (x: bigint): bigint => BigInt.asIntN(64, x);
const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);
const fr = Math.fround;

function zero(t: VT): Value {
  return t === 'i64' ? 0n : 0;
}

/** Round to nearest, ties to even (f32.nearest / f64.nearest). */
function nearest(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const t = Math.trunc(x);
  if (Math.abs(x - t) === 0.5) return 2 * Math.round(x / 2);
  return Math.round(x) === 0 ? (x < 0 ? -0 : 0) : Math.round(x);
}

/** An integer to f32 with one rounding (Math.fround(Number(v)) would round twice). */
function bigToF32(v: bigint): number {
  const neg = v < 0n;
  let m = neg ? -v : v;
  const bits = m.toString(2).length;
  let r: number;
  if (bits <= 53) r = fr(Number(m));
  else {
    const sh = BigInt(bits - 53);
    const sticky = (m & ((1n << sh) - 1n)) !== 0n ? 1n : 0n;
    m = (m >> sh) | sticky;
    r = fr(Number(m) * 2 ** (bits - 53));
  }
  return neg ? -r : r;
}

function popcnt32(x: number): number {
  let n = 0;
  for (let v = x >>> 0; v !== 0; v >>>= 1) n += v & 1;
  return n;
}

class Machine {
  stack: (Value | Ref)[] = [];
  /** The globals $d0, $d1 and $s (toWat). */
  private readonly descs = [new Desc(DESC_FIELDS[0]), new Desc(DESC_FIELDS[1])];
  private s: Struct = new Struct(S_INIT, this.descs[1]!);
  mem = new Uint8Array(0);
  memLen: number;
  dv: DataView;
  globals: Value[];
  charges: number[] = [];
  what: string[] = [];
  total = 0;
  self = new Map<string, number>();
  calls = new Map<string, number>();
  cur = '';
  tainted = false;
  failedGrows: { at: number; would: number }[] = [];
  hostTrapCall = 0;
  private scratch = new DataView(new ArrayBuffer(8));

  constructor(
    private readonly p: Program,
    private readonly cm: CostModel,
  ) {
    this.mem = new Uint8Array(p.memMax * PAGE);
    this.memLen = p.memMin * PAGE;
    this.mem.set(p.data, 0);
    this.dv = new DataView(this.mem.buffer);
    this.globals = p.globals.map((g) => (g.t === 'f32' ? fr(g.init as number) : g.init));
  }

  private item(c: number, what: string): void {
    this.charges.push(c);
    this.what.push(what);
    this.total += c;
    this.self.set(this.cur, (this.self.get(this.cur) ?? 0) + c);
  }
  private charge(name: string): void {
    this.item(this.cm.cost(name), name);
  }
  private enter(name: string): string {
    const prev = this.cur;
    this.cur = name;
    this.calls.set(name, (this.calls.get(name) ?? 0) + 1);
    return prev;
  }

  private pop(): Value {
    return this.stack.pop() as Value;
  }
  private popRef(): Ref {
    return this.stack.pop() as Ref;
  }
  private popI(): number {
    return this.stack.pop() as number;
  }
  private popL(): bigint {
    return this.stack.pop() as bigint;
  }
  private popN(n: number): Value[] {
    return n === 0 ? [] : (this.stack.splice(this.stack.length - n, n) as Value[]);
  }

  callFunc(j: number, args: Value[]): Value[] {
    const f = this.p.funcs[j]!;
    const sig = this.p.sigs[f.sig]!;
    const prev = this.enter(`f${j}`);
    const locals: Value[] = [...args, ...f.locals.map(zero)];
    const base = this.stack.length;
    let r: number;
    try {
      r = this.seq(f.body, locals);
    } catch (e) {
      // an exception leaves the function (its handler resets the operand stack)
      if (e instanceof RefExn) this.cur = prev;
      throw e;
    }
    if (r === NORMAL) this.charge('end');
    const results = this.stack.slice(this.stack.length - sig.results.length) as Value[];
    this.stack.length = base;
    this.cur = prev;
    return results;
  }

  private callHost(x: number): number {
    const prev = this.enter('env.host');
    this.item(this.cm.hostCall, '+hostCall');
    if (hostTraps(x)) {
      this.hostTrapCall = this.cm.hostCall;
      throw new RefTrap('host trap');
    }
    if (hostThrows(x)) {
      this.cur = prev;
      throw new RefExn('e', [hostResult(x)]);
    }
    this.item(hostCharge(x), '+host');
    this.cur = prev;
    return hostResult(x);
  }

  private branchOut(r: number, h: number, arity: number): number {
    if (r === 0) {
      const vals = this.popN(arity);
      this.stack.length = h;
      this.stack.push(...vals);
      return NORMAL;
    }
    return r === RETURN ? RETURN : r - 1;
  }

  /** Runs a sequence; NORMAL, RETURN, or the depth of a branch out of it. */
  seq(xs: Instr[], L: Value[]): number {
    for (const x of xs) {
      const r = this.step(x, L);
      if (r !== NORMAL) return r;
    }
    return NORMAL;
  }

  private step(x: Instr, L: Value[]): number {
    const st = this.stack;
    switch (x.op) {
      case 'block':
      case 'refblock': {
        this.charge('block');
        const h = st.length;
        const r = this.seq(x.body, L);
        if (r === NORMAL) {
          this.charge('end');
          return NORMAL;
        }
        return this.branchOut(r, h, x.bt ? 1 : 0);
      }
      case 'loop': {
        this.charge('loop');
        const h = st.length;
        for (;;) {
          const r = this.seq(x.body, L);
          if (r === NORMAL) {
            this.charge('end');
            return NORMAL;
          }
          if (r === 0) {
            st.length = h;
            continue;
          }
          return r === RETURN ? RETURN : r - 1;
        }
      }
      case 'if': {
        this.charge('if');
        const c = this.popI();
        const h = st.length;
        let r: number;
        if (c !== 0) {
          r = this.seq(x.then, L);
          if (r === NORMAL) {
            this.charge(x.else ? 'else' : 'end');
            return NORMAL;
          }
        } else if (x.else) {
          r = this.seq(x.else, L);
          if (r === NORMAL) {
            this.charge('end');
            return NORMAL;
          }
        } else return NORMAL;
        return this.branchOut(r, h, x.bt ? 1 : 0);
      }
      case 'br':
        this.charge('br');
        return x.depth;
      case 'br_if':
        this.charge('br_if');
        return this.popI() !== 0 ? x.depth : NORMAL;
      case 'br_table': {
        this.charge('br_table');
        const i = this.popI() >>> 0;
        return i < x.depths.length ? x.depths[i]! : x.dflt;
      }
      case 'call': {
        this.charge('call');
        const sig = this.p.sigs[this.p.funcs[x.f]!.sig]!;
        st.push(...this.callFunc(x.f, this.popN(sig.params.length)));
        return NORMAL;
      }
      case 'call_host':
        this.charge('call');
        st.push(this.callHost(this.popI()));
        return NORMAL;
      case 'call_indirect': {
        this.charge('call_indirect');
        const i = this.popI() >>> 0;
        if (i >= this.p.table.length) throw new RefTrap('undefined element');
        const slot = this.p.table[i]!;
        if (slot === null) throw new RefTrap('uninitialized element');
        const want = this.p.sigs[x.sig]!;
        const have = slot === 'host' ? this.p.sigs[this.p.hostSig]! : this.p.sigs[this.p.funcs[slot]!.sig]!;
        if (want.params.join() !== have.params.join() || want.results.join() !== have.results.join()) {
          throw new RefTrap('indirect call type mismatch');
        }
        if (slot === 'host') st.push(this.callHost(this.popI()));
        else st.push(...this.callFunc(slot, this.popN(want.params.length)));
        return NORMAL;
      }
      case 'local.get':
        this.charge('local.get');
        st.push(L[x.idx]!);
        return NORMAL;
      case 'local.set':
        this.charge('local.set');
        L[x.idx] = this.pop();
        return NORMAL;
      case 'local.tee':
        this.charge('local.tee');
        L[x.idx] = st[st.length - 1] as Value;
        return NORMAL;
      case 'global.get':
        this.charge('global.get');
        st.push(this.globals[x.idx]!);
        return NORMAL;
      case 'global.set':
        this.charge('global.set');
        this.globals[x.idx] = this.pop();
        return NORMAL;
      case 'const':
        this.charge(`${x.t}.const`);
        st.push(x.v);
        return NORMAL;
      case 'mem':
        this.charge(x.name);
        this.memAccess(x.name, x.offset);
        return NORMAL;
      case 'plain':
        this.charge(x.name);
        return this.plain(x.name);
      case 'ref':
        this.charge(x.name);
        return this.refOp(x.name, x.imm);
      case 'try_table': {
        this.charge('try_table');
        const h = st.length;
        let r: number;
        try {
          r = this.seq(x.body, L);
        } catch (e) {
          if (!(e instanceof RefExn)) throw e;
          const k = x.catches.find((k) => k.kind !== 'catch' || k.tag === e.tag);
          if (k === undefined) throw e;
          // the handler branches from the try_table's place, with the payload and/or the exnref
          st.length = h;
          if (k.kind === 'catch') st.push(...e.payload);
          if (k.kind === 'catch_all_ref') st.push(e);
          return k.label;
        }
        if (r === NORMAL) {
          this.charge('end');
          return NORMAL;
        }
        return this.branchOut(r, h, x.bt ? 1 : 0);
      }
      case 'throw':
        this.charge('throw');
        throw new RefExn(x.tag, x.tag === 'e' ? [this.popI()] : []);
    }
  }

  /** The instructions on references of the generated programs (program.ts descExpr), their cost already charged. */
  private refOp(name: string, imm: string): number {
    const st = this.stack;
    const nonNullDesc = (): Desc => {
      const d = this.popRef();
      if (d === null) throw new RefTrap('null descriptor reference');
      return d as Desc;
    };
    const struct = (v: Ref): Struct | Desc => {
      if (v === null) throw new RefTrap('null structure reference');
      return v as Struct | Desc;
    };
    switch (name) {
      case 'global.get':
        st.push(imm === '$s' ? this.s : this.descs[imm === '$d0' ? 0 : 1]!);
        return NORMAL;
      case 'global.set':
        this.s = this.popRef() as Struct;
        return NORMAL;
      case 'ref.null':
        st.push(null);
        return NORMAL;
      case 'ref.i31':
        st.push(new I31(this.popI() & 0x7fffffff));
        return NORMAL;
      case 'struct.new_desc': {
        const d = nonNullDesc();
        st.push(new Struct(this.popI(), d));
        return NORMAL;
      }
      case 'struct.get':
        st.push(struct(this.popRef()).f);
        return NORMAL;
      case 'struct.set': {
        const v = this.popI();
        (struct(this.popRef()) as Struct).f = v;
        return NORMAL;
      }
      case 'ref.get_desc': {
        const v = this.popRef();
        if (v === null) throw new RefTrap('null reference');
        st.push((v as Struct).desc);
        return NORMAL;
      }
      case 'ref.cast_desc_eq': {
        // target (ref $S): a non-null struct whose descriptor is the operand
        const d = nonNullDesc();
        const v = st[st.length - 1] as Ref;
        if (!(v instanceof Struct && v.desc === d)) throw new RefTrap('descriptor cast failure');
        return NORMAL;
      }
      case 'br_on_cast_desc_eq':
      case 'br_on_cast_desc_eq_fail': {
        const d = nonNullDesc();
        const v = st[st.length - 1] as Ref;
        const ok = v instanceof Struct && v.desc === d;
        return ok !== (name === 'br_on_cast_desc_eq_fail') ? Number(imm.split(' ')[0]) : NORMAL;
      }
    }
    throw new Error(`reference: unknown instruction ${name}`);
  }

  private ea(addr: number, offset: number, size: number): number {
    const ea = (addr >>> 0) + offset;
    if (ea + size > this.memLen) throw new RefTrap('out of bounds memory access');
    return ea;
  }

  private memAccess(name: string, offset: number): void {
    const st = this.stack;
    const dv = this.dv;
    const [t, op] = name.split('.') as [VT, string];
    if (op.startsWith('load')) {
      const size = op === 'load' ? (t === 'i32' || t === 'f32' ? 4 : 8) : Number(/\d+/.exec(op)![0]) / 8;
      const a = this.ea(this.popI(), offset, size);
      const signed = op.endsWith('_s');
      switch (name) {
        case 'i32.load':
          st.push(dv.getInt32(a, true));
          return;
        case 'i64.load':
          st.push(dv.getBigInt64(a, true));
          return;
        case 'f32.load':
          st.push(dv.getFloat32(a, true));
          return;
        case 'f64.load':
          st.push(dv.getFloat64(a, true));
          return;
      }
      let v: number;
      if (size === 1) v = signed ? dv.getInt8(a) : dv.getUint8(a);
      else if (size === 2) v = signed ? dv.getInt16(a, true) : dv.getUint16(a, true);
      else v = signed ? dv.getInt32(a, true) : dv.getUint32(a, true);
      st.push(t === 'i64' ? BigInt(v) : v);
      return;
    }
    const size = op === 'store' ? (t === 'i32' || t === 'f32' ? 4 : 8) : Number(/\d+/.exec(op)![0]) / 8;
    const v = this.pop();
    const a = this.ea(this.popI(), offset, size);
    if (typeof v === 'number' && Number.isNaN(v) && t[0] === 'f') this.tainted = true;
    switch (name) {
      case 'f32.store':
        dv.setFloat32(a, v as number, true);
        return;
      case 'f64.store':
        dv.setFloat64(a, v as number, true);
        return;
      case 'i64.store':
        dv.setBigInt64(a, v as bigint, true);
        return;
    }
    const n = typeof v === 'bigint' ? Number(BigInt.asIntN(32, v)) : v;
    if (size === 1) dv.setInt8(a, (n << 24) >> 24);
    else if (size === 2) dv.setInt16(a, (n << 16) >> 16, true);
    else dv.setInt32(a, n, true);
  }

  private plain(name: string): number {
    const st = this.stack;
    switch (name) {
      case 'nop':
        return NORMAL;
      case 'unreachable':
        throw new RefTrap('unreachable');
      case 'return':
        return RETURN;
      case 'throw_ref': {
        const e = this.popRef();
        if (e === null) throw new RefTrap('null exception reference');
        throw e as RefExn;
      }
      case 'drop':
        st.pop();
        return NORMAL;
      case 'select': {
        const c = this.popI();
        const b = this.pop();
        const a = this.pop();
        st.push(c !== 0 ? a : b);
        return NORMAL;
      }
      case 'memory.size':
        st.push(this.memLen / PAGE);
        return NORMAL;
      case 'memory.grow': {
        const n = this.popI() >>> 0;
        const old = this.memLen / PAGE;
        if (old + n <= this.p.memMax) {
          this.item(this.cm.memoryGrowPage * n, '+grow');
          this.memLen += n * PAGE;
          st.push(old);
        } else {
          this.failedGrows.push({ at: this.charges.length, would: this.cm.memoryGrowPage * n });
          st.push(-1);
        }
        return NORMAL;
      }
      case 'memory.fill': {
        const n = this.popI() >>> 0;
        const v = this.popI();
        const d = this.popI() >>> 0;
        if (d + n > this.memLen) throw new RefTrap('out of bounds memory access');
        this.item(Math.floor(n / this.cm.bytesPerFuel), '+fill');
        this.mem.fill(v & 0xff, d, d + n);
        return NORMAL;
      }
      case 'memory.copy': {
        const n = this.popI() >>> 0;
        const s = this.popI() >>> 0;
        const d = this.popI() >>> 0;
        if (s + n > this.memLen || d + n > this.memLen) throw new RefTrap('out of bounds memory access');
        this.item(Math.floor(n / this.cm.bytesPerFuel), '+copy');
        this.mem.copyWithin(d, s, s + n);
        return NORMAL;
      }
    }
    const [t, op] = name.split('.') as [VT, string];
    const arity = UNARY.test(op) ? 1 : 2;
    if (arity === 1) st.push(this.unary(name, t, op, this.pop()));
    else {
      const b = this.pop();
      const a = this.pop();
      st.push(this.binary(t, op, a, b));
    }
    return NORMAL;
  }

  private bitsOf(t: 'f32' | 'f64', v: number): Value {
    if (Number.isNaN(v)) {
      this.tainted = true;
      return t === 'f32' ? 0 : 0n;
    }
    const dv = this.scratch;
    if (t === 'f32') {
      dv.setFloat32(0, v, true);
      return dv.getInt32(0, true);
    }
    dv.setFloat64(0, v, true);
    return dv.getBigInt64(0, true);
  }

  private unary(name: string, t: VT, op: string, a: Value): Value {
    const dv = this.scratch;
    switch (name) {
      // integer unary
      case 'i32.eqz':
        return a === 0 ? 1 : 0;
      case 'i64.eqz':
        return a === 0n ? 1 : 0;
      case 'i32.clz':
        return Math.clz32(a as number);
      case 'i32.ctz': {
        const x = a as number;
        return x === 0 ? 32 : 31 - Math.clz32(x & -x);
      }
      case 'i32.popcnt':
        return popcnt32(a as number);
      case 'i32.extend8_s':
        return ((a as number) << 24) >> 24;
      case 'i32.extend16_s':
        return ((a as number) << 16) >> 16;
      case 'i64.clz': {
        const u = u64(a as bigint);
        return u === 0n ? 64n : BigInt(64 - u.toString(2).length);
      }
      case 'i64.ctz': {
        const u = u64(a as bigint);
        if (u === 0n) return 64n;
        const s = u.toString(2);
        return BigInt(s.length - 1 - s.lastIndexOf('1'));
      }
      case 'i64.popcnt':
        return BigInt(u64(a as bigint).toString(2).replace(/0/g, '').length);
      case 'i64.extend8_s':
        return BigInt.asIntN(8, a as bigint);
      case 'i64.extend16_s':
        return BigInt.asIntN(16, a as bigint);
      case 'i64.extend32_s':
        return BigInt.asIntN(32, a as bigint);
      // conversions
      case 'i32.wrap_i64':
        return Number(BigInt.asIntN(32, a as bigint));
      case 'i64.extend_i32_s':
        return BigInt(a as number);
      case 'i64.extend_i32_u':
        return BigInt((a as number) >>> 0);
      case 'i32.reinterpret_f32':
        return this.bitsOf('f32', a as number);
      case 'i64.reinterpret_f64':
        return this.bitsOf('f64', a as number);
      case 'f32.reinterpret_i32':
        dv.setInt32(0, a as number, true);
        return dv.getFloat32(0, true);
      case 'f64.reinterpret_i64':
        dv.setBigInt64(0, a as bigint, true);
        return dv.getFloat64(0, true);
      case 'f32.convert_i32_s':
        return fr(a as number);
      case 'f32.convert_i32_u':
        return fr((a as number) >>> 0);
      case 'f32.convert_i64_s':
        return bigToF32(a as bigint);
      case 'f32.convert_i64_u':
        return bigToF32(u64(a as bigint));
      case 'f64.convert_i32_s':
        return a as number;
      case 'f64.convert_i32_u':
        return (a as number) >>> 0;
      case 'f64.convert_i64_s':
        return Number(a as bigint);
      case 'f64.convert_i64_u':
        return Number(u64(a as bigint));
      case 'f32.demote_f64':
        return fr(a as number);
      case 'f64.promote_f32':
        return a as number;
    }
    if (op.startsWith('trunc_')) return this.trunc(t, op, a as number);
    // float unary
    const x = a as number;
    const round = t === 'f32' ? fr : (v: number): number => v;
    switch (op) {
      case 'abs':
        return Math.abs(x);
      case 'neg':
        return -x;
      case 'ceil':
        return Math.ceil(x);
      case 'floor':
        return Math.floor(x);
      case 'trunc':
        return Math.trunc(x);
      case 'nearest':
        return nearest(x);
      case 'sqrt':
        return round(Math.sqrt(x));
    }
    throw new Error(`reference: unknown unary ${name}`);
  }

  private trunc(t: VT, op: string, x: number): Value {
    const sat = op.startsWith('trunc_sat');
    const unsigned = op.endsWith('_u');
    const tr = Math.trunc(x);
    if (t === 'i32') {
      const lo = unsigned ? 0 : -2147483648;
      const hi = unsigned ? 4294967295 : 2147483647;
      if (Number.isNaN(x)) {
        if (sat) return 0;
        throw new RefTrap('invalid conversion to integer');
      }
      if (tr < lo || tr > hi) {
        if (sat) return (tr < lo ? lo : hi) | 0;
        throw new RefTrap('integer overflow');
      }
      return tr | 0;
    }
    if (Number.isNaN(x)) {
      if (sat) return 0n;
      throw new RefTrap('invalid conversion to integer');
    }
    const loOk = unsigned ? tr >= 0 : tr >= -TWO63;
    const hiOk = unsigned ? tr < TWO64 : tr < TWO63;
    if (!loOk || !hiOk) {
      if (!sat) throw new RefTrap('integer overflow');
      if (!loOk) return unsigned ? 0n : I64_MIN;
      return unsigned ? -1n : (1n << 63n) - 1n;
    }
    return s64(BigInt(tr));
  }

  private binary(t: VT, op: string, a: Value, b: Value): Value {
    if (t === 'i32') return this.bin32(op, a as number, b as number);
    if (t === 'i64') return this.bin64(op, a as bigint, b as bigint);
    const x = a as number;
    const y = b as number;
    const round = t === 'f32' ? fr : (v: number): number => v;
    switch (op) {
      case 'add':
        return round(x + y);
      case 'sub':
        return round(x - y);
      case 'mul':
        return round(x * y);
      case 'div':
        return round(x / y);
      case 'min':
        return Math.min(x, y);
      case 'max':
        return Math.max(x, y);
      case 'copysign': {
        if (Number.isNaN(y)) this.tainted = true;
        const neg = y < 0 || Object.is(y, -0);
        return neg ? -Math.abs(x) : Math.abs(x);
      }
      case 'eq':
        return x === y ? 1 : 0;
      case 'ne':
        return x !== y ? 1 : 0;
      case 'lt':
        return x < y ? 1 : 0;
      case 'gt':
        return x > y ? 1 : 0;
      case 'le':
        return x <= y ? 1 : 0;
      case 'ge':
        return x >= y ? 1 : 0;
    }
    throw new Error(`reference: unknown ${t}.${op}`);
  }

  private bin32(op: string, a: number, b: number): number {
    switch (op) {
      case 'add':
        return (a + b) | 0;
      case 'sub':
        return (a - b) | 0;
      case 'mul':
        return Math.imul(a, b);
      case 'div_s':
        if (b === 0) throw new RefTrap('integer divide by zero');
        if (a === -2147483648 && b === -1) throw new RefTrap('integer overflow');
        return (a / b) | 0;
      case 'div_u':
        if (b === 0) throw new RefTrap('integer divide by zero');
        return Math.trunc((a >>> 0) / (b >>> 0)) | 0;
      case 'rem_s':
        if (b === 0) throw new RefTrap('integer divide by zero');
        return a % b | 0;
      case 'rem_u':
        if (b === 0) throw new RefTrap('integer divide by zero');
        return ((a >>> 0) % (b >>> 0)) | 0;
      case 'and':
        return a & b;
      case 'or':
        return a | b;
      case 'xor':
        return a ^ b;
      case 'shl':
        return a << (b & 31);
      case 'shr_s':
        return a >> (b & 31);
      case 'shr_u':
        return (a >>> (b & 31)) | 0;
      case 'rotl': {
        const k = b & 31;
        return k === 0 ? a : (a << k) | (a >>> (32 - k));
      }
      case 'rotr': {
        const k = b & 31;
        return k === 0 ? a : (a >>> k) | (a << (32 - k));
      }
      case 'eq':
        return a === b ? 1 : 0;
      case 'ne':
        return a !== b ? 1 : 0;
      case 'lt_s':
        return a < b ? 1 : 0;
      case 'lt_u':
        return a >>> 0 < b >>> 0 ? 1 : 0;
      case 'gt_s':
        return a > b ? 1 : 0;
      case 'gt_u':
        return a >>> 0 > b >>> 0 ? 1 : 0;
      case 'le_s':
        return a <= b ? 1 : 0;
      case 'le_u':
        return a >>> 0 <= b >>> 0 ? 1 : 0;
      case 'ge_s':
        return a >= b ? 1 : 0;
      case 'ge_u':
        return a >>> 0 >= b >>> 0 ? 1 : 0;
    }
    throw new Error(`reference: unknown i32.${op}`);
  }

  private bin64(op: string, a: bigint, b: bigint): Value {
    switch (op) {
      case 'add':
        return s64(a + b);
      case 'sub':
        return s64(a - b);
      case 'mul':
        return s64(a * b);
      case 'div_s':
        if (b === 0n) throw new RefTrap('integer divide by zero');
        if (a === I64_MIN && b === -1n) throw new RefTrap('integer overflow');
        return s64(a / b);
      case 'div_u':
        if (b === 0n) throw new RefTrap('integer divide by zero');
        return s64(u64(a) / u64(b));
      case 'rem_s':
        if (b === 0n) throw new RefTrap('integer divide by zero');
        return s64(a % b);
      case 'rem_u':
        if (b === 0n) throw new RefTrap('integer divide by zero');
        return s64(u64(a) % u64(b));
      case 'and':
        return s64(a & b);
      case 'or':
        return s64(a | b);
      case 'xor':
        return s64(a ^ b);
      case 'shl':
        return s64(a << (b & 63n));
      case 'shr_s':
        return a >> (b & 63n);
      case 'shr_u':
        return s64(u64(a) >> (b & 63n));
      case 'rotl': {
        const k = b & 63n;
        const u = u64(a);
        return k === 0n ? a : s64((u << k) | (u >> (64n - k)));
      }
      case 'rotr': {
        const k = b & 63n;
        const u = u64(a);
        return k === 0n ? a : s64((u >> k) | (u << (64n - k)));
      }
      case 'eq':
        return a === b ? 1 : 0;
      case 'ne':
        return a !== b ? 1 : 0;
      case 'lt_s':
        return a < b ? 1 : 0;
      case 'lt_u':
        return u64(a) < u64(b) ? 1 : 0;
      case 'gt_s':
        return a > b ? 1 : 0;
      case 'gt_u':
        return u64(a) > u64(b) ? 1 : 0;
      case 'le_s':
        return a <= b ? 1 : 0;
      case 'le_u':
        return u64(a) <= u64(b) ? 1 : 0;
      case 'ge_s':
        return a >= b ? 1 : 0;
      case 'ge_u':
        return u64(a) >= u64(b) ? 1 : 0;
    }
    throw new Error(`reference: unknown i64.${op}`);
  }
}

const UNARY = /^(eqz|clz|ctz|popcnt|extend|abs|neg|ceil|floor|trunc|nearest|sqrt|wrap|convert|demote|promote|reinterpret)/;

/** Runs the program's entry function (funcs[0]) with its arguments under the cost table `costs`. */
export function runReference(p: Program, costs: FuelCosts = {}): RefOutcome {
  const m = new Machine(p, costModel(costs));
  let results: Value[] | null = null;
  let trap: string | null = null;
  try {
    results = m.callFunc(0, [...p.args]);
  } catch (e) {
    if (e instanceof RefExn) trap = 'uncaught wasm exception';
    else if (!(e instanceof RefTrap)) throw e;
    else trap = e.message;
  }
  return {
    results,
    trap,
    total: m.total,
    charges: m.charges,
    what: m.what,
    self: m.self,
    calls: m.calls,
    memory: m.mem.slice(0, m.memLen),
    globals: m.globals,
    tainted: m.tainted,
    failedGrows: m.failedGrows,
    hostTrapCall: m.hostTrapCall,
  };
}

/** Prefix sums of a charge sequence: sums[i] = fuel consumed after the first i charges. */
export function prefixSums(charges: readonly number[]): number[] {
  const out = [0];
  let s = 0;
  for (const c of charges) out.push((s += c));
  return out;
}

/**
 * Where a run with `fuel` units in total must stop: after the largest prefix
 * of the charges it can pay for, before the first one it cannot. Returns the
 * fuel consumed there and the index of the unpayable charge (null when the
 * whole run can be paid).
 */
export function stopPoint(charges: readonly number[], fuel: number): { consumed: number; next: number | null } {
  let s = 0;
  for (let i = 0; i < charges.length; i++) {
    if (s + charges[i]! > fuel) return { consumed: s, next: i };
    s += charges[i]!;
  }
  return { consumed: s, next: null };
}
