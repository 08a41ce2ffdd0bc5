/**
 * Random structured programs for the fuel property tests: the AST (our own,
 * independent of wasmeter's decoder), a generator driven by a list of
 * choices (so fast-check shrinks a program by shrinking that list: a missing
 * choice is 0, and 0 always picks the simplest option), and a printer to the
 * text format.
 *
 * Every generated program is valid and terminates:
 * - loops count a dedicated i32 local down from 0..6 and test it at the top
 *   of every iteration, so any branch back to the loop also counts;
 * - function i only calls functions j > i (directly, or through the table
 *   with an index i+1+(x&3)), so the call graph is acyclic.
 *
 * Custom descriptors: every program declares a struct type $S (one mutable
 * i32 field) whose descriptor is $D (one i32 field), two descriptors $d0 and
 * $d1 and a global $s of type (ref (exact $S)). References live only on the
 * operand stack, inside i32 expressions (descExpr): struct.new_desc, ref.get_desc,
 * ref.cast_desc_eq (trapping when the descriptor differs or is null) and
 * br_on_cast_desc_eq(_fail) in blocks whose label no random branch targets.
 *
 * Exceptions: two tags, $e (an i32 payload, exported as "e") and $e0 (none).
 * `throw` sits in an `if` (often taken inside a try_table, rarely outside
 * one); try_table catches with `catch`, `catch_all` and `catch_all_ref` into
 * the blocks around it (tryExpr, tryStmt), and an exnref caught that way is
 * rethrown with `throw_ref` or dropped. The host function throws $e for some
 * arguments (hostThrows). An exception no handler catches ends the run like a
 * trap ("uncaught wasm exception").
 */

export type VT = 'i32' | 'i64' | 'f32' | 'f64';
export const VTS: readonly VT[] = ['i32', 'i64', 'f32', 'f64'];

export type Instr =
  | { op: 'block' | 'loop'; bt: VT | null; body: Instr[] }
  | { op: 'if'; bt: VT | null; then: Instr[]; else: Instr[] | null }
  | { op: 'br' | 'br_if'; depth: number }
  | { op: 'br_table'; depths: number[]; dflt: number }
  | { op: 'call'; f: number } // a defined function (index into Program.funcs)
  | { op: 'call_host' }
  | { op: 'call_indirect'; sig: number }
  | { op: 'local.get' | 'local.set' | 'local.tee'; idx: number }
  | { op: 'global.get' | 'global.set'; idx: number }
  | { op: 'const'; t: VT; v: number | bigint }
  | { op: 'mem'; name: string; offset: number } // loads and stores
  | { op: 'plain'; name: string } // everything without immediates
  | { op: 'ref'; name: string; imm: string } // an instruction on references (custom descriptors), `imm` its text immediates
  | { op: 'refblock'; bt: RefBT; body: Instr[] } // a block whose result is a reference (no random branch targets it)
  | { op: 'try_table'; bt: VT | null; catches: Catch[]; body: Instr[] }
  | { op: 'throw'; tag: Tag };

/** The result types of reference blocks (refblock). */
export type RefBT = '(ref $S)' | 'anyref' | 'exnref';
/** The exception tags: $e carries an i32, $e0 nothing. */
export type Tag = 'e' | 'e0';
/** A try_table catch clause; `label` is relative to the try_table's enclosing blocks. */
export interface Catch {
  kind: 'catch' | 'catch_all' | 'catch_all_ref';
  tag?: Tag;
  label: number;
}

export interface Sig {
  params: VT[];
  results: VT[];
}
export interface Func {
  sig: number;
  /** Declared locals (after the parameters). */
  locals: VT[];
  body: Instr[];
}
/** A table slot: a defined function, the host function, or null. */
export type Slot = number | 'host' | null;

export interface Program {
  sigs: Sig[];
  /** Index of the host function's signature (i32) -> (i32) in sigs. */
  hostSig: number;
  funcs: Func[];
  table: Slot[];
  globals: { t: VT; init: number | bigint }[];
  memMin: number;
  memMax: number;
  /** Bytes of the active data segment at address 0. */
  data: number[];
  /** Arguments of the entry function funcs[0]. */
  args: (number | bigint)[];
}

export const MEM_MAX_PAGES = 3;
/** The fields of the descriptors $d0 and $d1, and the initial field of the struct in $s (whose descriptor is $d1). */
export const DESC_FIELDS = [100, 200] as const;
export const S_INIT = 7;

// ------------------------------------------------------------------ the host function

/** Whether the host function traps ("host trap", before charging anything itself) for argument x. */
export function hostTraps(x: number): boolean {
  return (x >>> 0) % 23 === 11;
}
/** What the host function charges (through caller.consumeFuel) for argument x. */
export function hostCharge(x: number): number {
  return (x >>> 0) % 5;
}
/** Whether the host function throws the exception $e (payload hostResult(x)) for argument x, after its host-call surcharge and before charging anything itself. */
export function hostThrows(x: number): boolean {
  return (x >>> 0) % 23 === 13;
}
/** The host function's result for argument x. */
export function hostResult(x: number): number {
  return (Math.imul(x, 0x9e3779b1) ^ (x >>> 7)) | 0;
}

// ------------------------------------------------------------------ choices

export class Chooser {
  private i = 0;
  constructor(private readonly c: readonly number[]) {}
  /** 0..n-1; 0 once the choices are used up. */
  int(n: number): number {
    if (n <= 1) return 0;
    const v = this.i < this.c.length ? this.c[this.i++]! : 0;
    return v % n;
  }
  /** An index into weights, chosen with those weights (index 0 when out of choices). */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let v = this.int(total);
    for (let k = 0; k < weights.length; k++) {
      if (v < weights[k]!) return k;
      v -= weights[k]!;
    }
    return 0;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  /** A raw 16-bit choice. */
  raw(): number {
    return this.int(0x10000);
  }
}

// ------------------------------------------------------------------ instruction sets

const I_UN: Record<VT, string[]> = {
  i32: ['i32.eqz', 'i32.clz', 'i32.ctz', 'i32.popcnt', 'i32.extend8_s', 'i32.extend16_s'],
  i64: ['i64.clz', 'i64.ctz', 'i64.popcnt', 'i64.extend8_s', 'i64.extend16_s', 'i64.extend32_s'],
  f32: ['f32.abs', 'f32.neg', 'f32.ceil', 'f32.floor', 'f32.trunc', 'f32.nearest', 'f32.sqrt'],
  f64: ['f64.abs', 'f64.neg', 'f64.ceil', 'f64.floor', 'f64.trunc', 'f64.nearest', 'f64.sqrt'],
};
const INT_BIN = ['add', 'sub', 'mul', 'div_s', 'div_u', 'rem_s', 'rem_u', 'and', 'or', 'xor', 'shl', 'shr_s', 'shr_u', 'rotl', 'rotr'];
const FLT_BIN = ['add', 'sub', 'mul', 'div', 'min', 'max', 'copysign'];
const INT_CMP = ['eq', 'ne', 'lt_s', 'lt_u', 'gt_s', 'gt_u', 'le_s', 'le_u', 'ge_s', 'ge_u'];
const FLT_CMP = ['eq', 'ne', 'lt', 'gt', 'le', 'ge'];
export const BIN: Record<VT, string[]> = {
  i32: INT_BIN.map((o) => `i32.${o}`),
  i64: INT_BIN.map((o) => `i64.${o}`),
  f32: FLT_BIN.map((o) => `f32.${o}`),
  f64: FLT_BIN.map((o) => `f64.${o}`),
};
const CMP: Record<VT, string[]> = {
  i32: INT_CMP.map((o) => `i32.${o}`),
  i64: ['i64.eqz', ...INT_CMP.map((o) => `i64.${o}`)],
  f32: FLT_CMP.map((o) => `f32.${o}`),
  f64: FLT_CMP.map((o) => `f64.${o}`),
};
/** Conversions: [name, from] by result type. */
const CONV: Record<VT, [string, VT][]> = {
  i32: [
    ['i32.wrap_i64', 'i64'],
    ['i32.trunc_f32_s', 'f32'],
    ['i32.trunc_f32_u', 'f32'],
    ['i32.trunc_f64_s', 'f64'],
    ['i32.trunc_f64_u', 'f64'],
    ['i32.trunc_sat_f32_s', 'f32'],
    ['i32.trunc_sat_f32_u', 'f32'],
    ['i32.trunc_sat_f64_s', 'f64'],
    ['i32.trunc_sat_f64_u', 'f64'],
    ['i32.reinterpret_f32', 'f32'],
  ],
  i64: [
    ['i64.extend_i32_s', 'i32'],
    ['i64.extend_i32_u', 'i32'],
    ['i64.trunc_f32_s', 'f32'],
    ['i64.trunc_f32_u', 'f32'],
    ['i64.trunc_f64_s', 'f64'],
    ['i64.trunc_f64_u', 'f64'],
    ['i64.trunc_sat_f32_s', 'f32'],
    ['i64.trunc_sat_f64_u', 'f64'],
    ['i64.reinterpret_f64', 'f64'],
  ],
  f32: [
    ['f32.convert_i32_s', 'i32'],
    ['f32.convert_i32_u', 'i32'],
    ['f32.convert_i64_s', 'i64'],
    ['f32.convert_i64_u', 'i64'],
    ['f32.demote_f64', 'f64'],
    ['f32.reinterpret_i32', 'i32'],
  ],
  f64: [
    ['f64.convert_i32_s', 'i32'],
    ['f64.convert_i32_u', 'i32'],
    ['f64.convert_i64_s', 'i64'],
    ['f64.convert_i64_u', 'i64'],
    ['f64.promote_f32', 'f32'],
    ['f64.reinterpret_i64', 'i64'],
  ],
};
const LOADS: Record<VT, string[]> = {
  i32: ['i32.load', 'i32.load8_s', 'i32.load8_u', 'i32.load16_s', 'i32.load16_u'],
  i64: ['i64.load', 'i64.load8_s', 'i64.load8_u', 'i64.load16_s', 'i64.load16_u', 'i64.load32_s', 'i64.load32_u'],
  f32: ['f32.load'],
  f64: ['f64.load'],
};
const STORES: Record<VT, string[]> = {
  i32: ['i32.store', 'i32.store8', 'i32.store16'],
  i64: ['i64.store', 'i64.store8', 'i64.store16', 'i64.store32'],
  f32: ['f32.store'],
  f64: ['f64.store'],
};

/** Every instruction name a generated program can contain (for random cost tables). */
export const ALL_NAMES: readonly string[] = [
  ...['unreachable', 'nop', 'block', 'loop', 'if', 'else', 'end', 'br', 'br_if', 'br_table', 'return', 'call', 'call_indirect'],
  ...['drop', 'select', 'local.get', 'local.set', 'local.tee', 'global.get', 'global.set'],
  ...['memory.size', 'memory.grow', 'memory.fill', 'memory.copy', 'i32.const', 'i64.const', 'f32.const', 'f64.const'],
  ...VTS.flatMap((t) => [...I_UN[t], ...BIN[t], ...CMP[t], ...CONV[t].map((c) => c[0]), ...LOADS[t], ...STORES[t]]),
  ...['struct.new_desc', 'struct.get', 'struct.set', 'ref.get_desc', 'ref.cast_desc_eq', 'br_on_cast_desc_eq', 'br_on_cast_desc_eq_fail'],
  ...['ref.i31', 'ref.null'],
  ...['try_table', 'throw', 'throw_ref'],
].filter((n, i, a) => a.indexOf(n) === i);

// ------------------------------------------------------------------ generator

interface Label {
  /** Types a branch to this label carries. */
  types: VT[];
  /** A reference block's label: only its own br_on_cast_desc_eq(_fail) branches there. */
  closed?: boolean;
}
interface Ctx {
  fi: number;
  /** Parameters then declared locals. */
  locals: VT[];
  nParams: number;
  /** Loop counters (never written by random code). */
  counters: Set<number>;
  labels: Label[];
  results: VT[];
  budget: number;
  /** How many try_table bodies of this function the code being generated is in. */
  tries: number;
}

const I32_SPECIAL = [0, 1, -1, 2, 3, 7, 8, 16, 255, 256, 0x7fffffff, -0x80000000, 65535, 65536, -2];
const I64_SPECIAL = [0n, 1n, -1n, 2n, 7n, 255n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x7fffffffffffffffn, -0x8000000000000000n, 1n << 40n];
const F_SPECIAL = [0, -0, 1, -1, 0.5, -0.5, 1.5, 2.5, -2.5, 3, 100.25, 1e10, -1e10, 4294967296, 2147483648, -2147483649, 1e30, 9.5e18, 1e-3];

function genConst(ch: Chooser, t: VT): Instr {
  const special = ch.int(3) !== 2;
  switch (t) {
    case 'i32':
      return { op: 'const', t, v: special ? ch.pick(I32_SPECIAL) : (ch.raw() << 16) | ch.raw() };
    case 'i64':
      return {
        op: 'const',
        t,
        v: special ? ch.pick(I64_SPECIAL) : BigInt.asIntN(64, (BigInt(ch.raw()) << 48n) | (BigInt(ch.raw()) << 20n) | BigInt(ch.raw())),
      };
    case 'f32': {
      const v = special ? ch.pick(F_SPECIAL) : (ch.raw() - 0x8000) / 64;
      return { op: 'const', t, v: Math.fround(v) };
    }
    case 'f64':
      return { op: 'const', t, v: special ? ch.pick(F_SPECIAL) : (ch.raw() - 0x8000) / 1024 + ch.raw() * 1e-7 };
  }
}

class Gen {
  constructor(
    private readonly ch: Chooser,
    private readonly p: Program,
  ) {}

  private localsOf(c: Ctx, t: VT, writable: boolean): number[] {
    const out: number[] = [];
    c.locals.forEach((lt, i) => {
      if (lt === t && !(writable && c.counters.has(i))) out.push(i);
    });
    return out;
  }

  /** An i32 address: mostly within the first 256 bytes, sometimes anywhere in a page, sometimes unmasked. */
  private addr(c: Ctx, d: number): Instr[] {
    const k = this.ch.weighted([3, 12, 3, 1]);
    if (k === 0) return [{ op: 'const', t: 'i32', v: this.ch.int(300) }];
    const e = this.expr('i32', c, d - 1);
    if (k === 3) return e;
    return [...e, { op: 'const', t: 'i32', v: k === 1 ? 0xff : 0xffff }, { op: 'plain', name: 'i32.and' }];
  }

  private masked(c: Ctx, d: number, mask: number, rawWeight: number): Instr[] {
    const e = this.expr('i32', c, d - 1);
    if (this.ch.weighted([16, rawWeight]) === 1) return e;
    return [...e, { op: 'const', t: 'i32', v: mask }, { op: 'plain', name: 'i32.and' }];
  }

  private args(types: VT[], c: Ctx, d: number): Instr[] {
    return types.flatMap((t) => this.expr(t, c, d - 1));
  }

  /** A value of type t. */
  expr(t: VT, c: Ctx, d: number): Instr[] {
    const ch = this.ch;
    c.budget--;
    if (d <= 0 || c.budget <= 0) {
      const ls = this.localsOf(c, t, false);
      if (ls.length > 0 && ch.int(2) === 1) return [{ op: 'local.get', idx: ch.pick(ls) }];
      return [genConst(ch, t)];
    }
    //                     const loc glob un bin cmp conv load call host ind sel blk if  mem tee desc try
    const k = ch.weighted([4, 4, 2, 2, 5, t === 'i32' ? 3 : 0, 2, 2, 2, t === 'i32' ? 1 : 0, 1, 1, 1, 1, t === 'i32' ? 1 : 0, 1, t === 'i32' ? 2 : 0, 2]);
    switch (k) {
      case 0:
        return [genConst(ch, t)];
      case 1: {
        const ls = this.localsOf(c, t, false);
        return ls.length > 0 ? [{ op: 'local.get', idx: ch.pick(ls) }] : [genConst(ch, t)];
      }
      case 2: {
        const gs = this.p.globals.flatMap((g, i) => (g.t === t ? [i] : []));
        return gs.length > 0 ? [{ op: 'global.get', idx: ch.pick(gs) }] : [genConst(ch, t)];
      }
      case 3:
        return [...this.expr(t, c, d - 1), { op: 'plain', name: ch.pick(I_UN[t]) }];
      case 4: {
        const name = ch.pick(BIN[t]);
        const a = this.expr(t, c, d - 1);
        let b = this.expr(t, c, d - 1);
        // divisors are mostly made odd, so that not every other program traps
        if (/\.(div|rem)_/.test(name) && ch.int(6) !== 0) {
          b = [...b, t === 'i32' ? { op: 'const', t, v: 1 } : { op: 'const', t, v: 1n }, { op: 'plain', name: `${t}.or` }];
        }
        return [...a, ...b, { op: 'plain', name }];
      }
      case 5: {
        const from = ch.pick(VTS);
        const name = ch.pick(CMP[from]);
        if (name.endsWith('eqz')) return [...this.expr(from, c, d - 1), { op: 'plain', name }];
        return [...this.expr(from, c, d - 1), ...this.expr(from, c, d - 1), { op: 'plain', name }];
      }
      case 6: {
        let [name, from] = ch.pick(CONV[t]);
        // trapping truncations are kept, but rarer than the saturating ones
        if (/trunc_f/.test(name) && ch.int(3) !== 0) name = name.replace('trunc_', 'trunc_sat_');
        return [...this.expr(from, c, d - 1), { op: 'plain', name }];
      }
      case 7:
        return [...this.addr(c, d), { op: 'mem', name: ch.pick(LOADS[t]), offset: ch.weighted([8, 2, 2, 2, 2, 1]) === 5 ? 65530 : ch.pick([0, 1, 3, 4, 8, 16]) }];
      case 8: {
        const callees = this.p.funcs.flatMap((f, j) => (j > c.fi && this.p.sigs[f.sig]!.results[0] === t ? [j] : []));
        if (callees.length === 0) return [genConst(ch, t)];
        const j = ch.pick(callees);
        const sig = this.p.sigs[this.p.funcs[j]!.sig]!;
        const drops: Instr[] = sig.results.slice(1).map(() => ({ op: 'plain', name: 'drop' }));
        return [...this.args(sig.params, c, d), { op: 'call', f: j }, ...drops];
      }
      case 9:
        return [...this.expr('i32', c, d - 1), { op: 'call_host' }];
      case 10: {
        const ind = this.indirect(c, d, (s) => s.results[0] === t);
        if (ind === null) return [genConst(ch, t)];
        const drops: Instr[] = this.p.sigs[ind.sig]!.results.slice(1).map(() => ({ op: 'plain', name: 'drop' }));
        return [...ind.code, ...drops];
      }
      case 11:
        return [...this.expr(t, c, d - 1), ...this.expr(t, c, d - 1), ...this.expr('i32', c, d - 1), { op: 'plain', name: 'select' }];
      case 12:
        return [{ op: 'block', bt: t, body: this.body([t], c, d - 1) }];
      case 13: {
        const cond = this.expr('i32', c, d - 1);
        return [...cond, { op: 'if', bt: t, then: this.body([t], c, d - 1), else: this.body([t], c, d - 1) }];
      }
      case 14:
        if (ch.int(3) === 0) return [{ op: 'plain', name: 'memory.size' }];
        return [...this.growArg(c, d), { op: 'plain', name: 'memory.grow' }];
      case 15: {
        const ls = this.localsOf(c, t, true);
        if (ls.length === 0) return [genConst(ch, t)];
        return [...this.expr(t, c, d - 1), { op: 'local.tee', idx: ch.pick(ls) }];
      }
      case 16:
        return this.descExpr(c, d);
      case 17:
        return this.tryExpr(t, c, d);
    }
    return [genConst(ch, t)];
  }

  // ---------------------------------------------------------------- exceptions

  /** A try_table body of `types` (its own label carries them), counted as inside a try. */
  private tryBody(types: VT[], c: Ctx, d: number): Instr[] {
    c.tries++;
    const body = this.body(types, c, d);
    c.tries--;
    return body;
  }

  /**
   * A value of type t from a try_table, or from the handler of an exception it catches:
   *   block (result t)                      ;; O
   *     block                               ;; H
   *       try_table (result t) CATCHES body end
   *       br 1
   *     end
   *     handler                             ;; a value of type t
   *   end
   * CATCHES: `catch $e 1` (i32 only: the payload is O's value), `catch $e0 0`, `catch_all 0`, in some
   * order and subset (none: everything passes through). Or, for i32, an exnref form:
   *   block (result i32) (block (result exnref) (try_table (result i32) (catch_all_ref 0) body) br 1) (throw_ref | drop value) end
   */
  private tryExpr(t: VT, c: Ctx, d: number): Instr[] {
    const ch = this.ch;
    if (t === 'i32' && ch.int(4) === 0) {
      c.labels.push({ types: ['i32'] }); // O
      c.labels.push({ types: [], closed: true }); // the exnref block
      const tt: Instr = { op: 'try_table', bt: 'i32', catches: [{ kind: 'catch_all_ref', label: 0 }], body: this.tryBody(['i32'], c, d - 1) };
      c.labels.pop();
      const after: Instr[] = ch.int(2) === 0 ? [{ op: 'plain', name: 'throw_ref' }] : [{ op: 'plain', name: 'drop' }, ...this.expr('i32', c, d - 1)];
      c.labels.pop();
      return [{ op: 'block', bt: 'i32', body: [{ op: 'refblock', bt: 'exnref', body: [tt, { op: 'br', depth: 1 }] }, ...after] }];
    }
    const options: Catch[] = [{ kind: 'catch', tag: 'e0', label: 0 }, { kind: 'catch_all', label: 0 }];
    if (t === 'i32') options.push({ kind: 'catch', tag: 'e', label: 1 });
    const catches: Catch[] = [];
    for (const o of options) if (ch.int(3) !== 0) catches.push(o);
    if (ch.int(2) === 0) catches.reverse();
    c.labels.push({ types: [t] }); // O
    c.labels.push({ types: [] }); // H
    const tt: Instr = { op: 'try_table', bt: t, catches, body: this.tryBody([t], c, d - 1) };
    c.labels.pop();
    const handler = this.expr(t, c, d - 1);
    c.labels.pop();
    return [{ op: 'block', bt: t, body: [{ op: 'block', bt: null, body: [tt, { op: 'br', depth: 1 }] }, ...handler] }];
  }

  /** A statement: `block (try_table CATCHES body end) end`, CATCHES a subset of `catch $e0 0`, `catch_all 0`. */
  private tryStmt(c: Ctx, d: number): Instr[] {
    const catches: Catch[] = [];
    if (this.ch.int(2) === 0) catches.push({ kind: 'catch', tag: 'e0', label: 0 });
    if (this.ch.int(3) !== 0) catches.push({ kind: 'catch_all', label: 0 });
    c.labels.push({ types: [] });
    const tt: Instr = { op: 'try_table', bt: null, catches, body: this.tryBody([], c, d - 1) };
    c.labels.pop();
    return [{ op: 'block', bt: null, body: [tt] }];
  }

  /** A throw of $e (with a value) or $e0 in an `if`: on a random condition inside a try body, on a rare one outside. */
  private throwStmt(c: Ctx, d: number): Instr[] {
    const ch = this.ch;
    const cond = this.expr('i32', c, d - 1);
    c.labels.push({ types: [] }); // the if's
    const thr: Instr[] = ch.int(3) === 0 ? [{ op: 'throw', tag: 'e0' }] : [...this.expr('i32', c, d - 1), { op: 'throw', tag: 'e' }];
    c.labels.pop();
    if (c.tries === 0) cond.push({ op: 'const', t: 'i32', v: 7 }, { op: 'plain', name: 'i32.and' }, { op: 'const', t: 'i32', v: 3 }, { op: 'plain', name: 'i32.eq' });
    return [...cond, { op: 'if', bt: null, then: thr, else: null }];
  }

  // ---------------------------------------------------------------- custom descriptors

  /** An exact descriptor, (ref (exact $D)): $d0 or $d1. */
  private exactDesc(): Instr[] {
    return [{ op: 'ref', name: 'global.get', imm: this.ch.int(2) === 0 ? '$d0' : '$d1' }];
  }
  /** A descriptor operand of a cast: mostly an exact one, sometimes one read from a struct, rarely null. */
  private castDesc(c: Ctx, d: number): Instr[] {
    const k = this.ch.weighted([6, 2, 1]);
    if (k === 1) return [...this.sref(c, d - 1), { op: 'ref', name: 'ref.get_desc', imm: '$S' }];
    if (k === 2) return [{ op: 'ref', name: 'ref.null', imm: '$D' }];
    return this.exactDesc();
  }
  /** A (ref $S) (exact when new): a new struct, or $s. */
  private sref(c: Ctx, d: number): Instr[] {
    if (d <= 0 || this.ch.int(3) === 0) return [{ op: 'ref', name: 'global.get', imm: '$s' }];
    return [...this.expr('i32', c, d - 1), ...this.exactDesc(), { op: 'ref', name: 'struct.new_desc', imm: '$S' }];
  }
  /** An anyref: a struct $S, a descriptor, an i31 or null. */
  private anyref(c: Ctx, d: number): Instr[] {
    const k = this.ch.weighted([6, 1, 1, 1]);
    if (k === 1) return this.exactDesc();
    if (k === 2) return [...this.expr('i32', c, d - 1), { op: 'ref', name: 'ref.i31', imm: '' }];
    if (k === 3) return [{ op: 'ref', name: 'ref.null', imm: 'any' }];
    return this.sref(c, d);
  }
  /** A block (refblock) whose body runs with a label no random branch targets. */
  private refBlock(bt: RefBT, c: Ctx, make: () => Instr[]): Instr {
    c.labels.push({ types: [], closed: true });
    const body = make();
    c.labels.pop();
    return { op: 'refblock', bt, body };
  }
  /** An i32 computed through references with descriptors. */
  private descExpr(c: Ctx, d: number): Instr[] {
    const ch = this.ch;
    const getS: Instr = { op: 'ref', name: 'struct.get', imm: '$S 0' };
    // (the trapping cast rarer than the rest: most runs should go on after it)
    switch (ch.weighted([3, 3, 1, 3, 3])) {
      case 0: // a new struct's field, or $s's
        return [...this.sref(c, d), getS];
      case 1: // a struct's descriptor's field
        return [...this.sref(c, d), { op: 'ref', name: 'ref.get_desc', imm: '$S' }, { op: 'ref', name: 'struct.get', imm: '$D 0' }];
      case 2: // a cast that traps unless the descriptors are the same
        return [...this.anyref(c, d), ...this.castDesc(c, d), { op: 'ref', name: 'ref.cast_desc_eq', imm: '(ref $S)' }, getS];
      case 3: {
        // (block (result (ref $S)) x desc br_on_cast_desc_eq 0 drop other) struct.get
        const blk = this.refBlock('(ref $S)', c, () => [
          ...this.anyref(c, d),
          ...this.castDesc(c, d),
          { op: 'ref', name: 'br_on_cast_desc_eq', imm: '0 anyref (ref $S)' },
          { op: 'plain', name: 'drop' },
          ...this.sref(c, d),
        ]);
        return [blk, getS];
      }
      default: {
        // (block (result i32) (block (result anyref) x desc br_on_cast_desc_eq_fail 0 struct.get br 1) drop other)
        c.labels.push({ types: ['i32'] });
        const inner = this.refBlock('anyref', c, () => [
          ...this.anyref(c, d),
          ...this.castDesc(c, d),
          { op: 'ref', name: 'br_on_cast_desc_eq_fail', imm: '0 anyref (ref $S)' },
          getS,
          { op: 'br', depth: 1 },
        ]);
        const other = this.expr('i32', c, d - 1);
        c.labels.pop();
        return [{ op: 'block', bt: 'i32', body: [inner, { op: 'plain', name: 'drop' }, ...other] }];
      }
    }
  }

  private growArg(c: Ctx, d: number): Instr[] {
    if (this.ch.int(3) === 0) return this.expr('i32', c, d - 1);
    return [...this.expr('i32', c, d - 1), { op: 'const', t: 'i32', v: 1 }, { op: 'plain', name: 'i32.and' }];
  }

  /**
   * A call_indirect from function fi through table index fi+1 + (x & 3), so
   * only later functions (or the host, or a null or missing slot) are
   * reached. Mostly aims at a slot whose function has a signature `ok`
   * accepts; sometimes at anything (a trap when the slot is null, missing or
   * of another type).
   */
  private indirect(c: Ctx, d: number, ok: (s: Sig) => boolean): { code: Instr[]; sig: number } | null {
    const ch = this.ch;
    const p = this.p;
    const sigOf = (slot: Slot): number | null => (slot === null ? null : slot === 'host' ? p.hostSig : p.funcs[slot]!.sig);
    const aims: number[] = [];
    for (let k = 0; k < 4; k++) {
      const si = sigOf(p.table[c.fi + 1 + k] ?? null);
      if (si !== null && ok(p.sigs[si]!)) aims.push(k);
    }
    let x: Instr[];
    let si: number;
    if (aims.length > 0 && ch.int(5) !== 0) {
      const k = ch.pick(aims);
      si = sigOf(p.table[c.fi + 1 + k]!)!;
      x = [{ op: 'const', t: 'i32', v: k + 4 * ch.int(3) }];
    } else {
      const sigs = p.sigs.flatMap((s, i) => (ok(s) ? [i] : []));
      if (sigs.length === 0) return null;
      si = ch.pick(sigs);
      x = this.expr('i32', c, d - 1);
    }
    const code: Instr[] = [
      ...this.args(p.sigs[si]!.params, c, d),
      { op: 'const', t: 'i32', v: c.fi + 1 },
      ...x,
      { op: 'const', t: 'i32', v: 3 },
      { op: 'plain', name: 'i32.and' },
      { op: 'plain', name: 'i32.add' },
      { op: 'call_indirect', sig: si },
    ];
    return { code, sig: si };
  }

  /** Statements then values of `types`, inside a new label carrying `types`. */
  body(types: VT[], c: Ctx, d: number, top = false): Instr[] {
    c.labels.push({ types });
    const out: Instr[] = [];
    const n = top ? 2 + this.ch.int(5) : this.ch.weighted([2, 3, 3, 2]);
    for (let i = 0; i < n; i++) out.push(...this.stmt(c, d));
    for (const t of types) out.push(...this.expr(t, c, d));
    c.labels.pop();
    return out;
  }

  /** A label to branch to: the innermost open one half of the time, else any open one (not a reference block's). */
  private pickLabel(c: Ctx): number {
    const open = c.labels.flatMap((l, i) => (l.closed ? [] : [i]));
    if (this.ch.int(2) === 0) return open[open.length - 1]!;
    return this.ch.pick(open);
  }
  private depthOf(c: Ctx, p: number): number {
    return c.labels.length - 1 - p;
  }

  /** A statement: leaves the operand stack as it found it. */
  stmt(c: Ctx, d: number): Instr[] {
    const ch = this.ch;
    c.budget--;
    if (d <= 0 || c.budget <= 0) return [];
    // directly in a function body, branches and returns end the whole run: rarer there
    const top = c.labels.length === 1 ? 0 : 1;
    //                    nop set glob st  drop blk loop if br   brif     brt  ret  fill grow call unr desc try throw
    const k = ch.weighted([1, 4, 2, 3, 2, 1, 4, 2, top, 1 + top, top, top, 1, 1, 3, 1, 1, 2, c.tries > 0 ? 3 : 1]);
    switch (k) {
      case 0:
        return [{ op: 'plain', name: 'nop' }];
      case 1: {
        const t = ch.pick(VTS);
        const ls = this.localsOf(c, t, true);
        if (ls.length === 0) return [];
        return [...this.expr(t, c, d - 1), { op: 'local.set', idx: ch.pick(ls) }];
      }
      case 2: {
        const gi = ch.int(this.p.globals.length);
        return [...this.expr(this.p.globals[gi]!.t, c, d - 1), { op: 'global.set', idx: gi }];
      }
      case 3: {
        const t = ch.pick(VTS);
        return [...this.addr(c, d), ...this.expr(t, c, d - 1), { op: 'mem', name: ch.pick(STORES[t]), offset: ch.weighted([8, 2, 2, 2, 2, 1]) === 5 ? 65530 : ch.pick([0, 2, 1, 8, 16, 4]) }];
      }
      case 4:
        return [...this.expr(ch.pick(VTS), c, d - 1), { op: 'plain', name: 'drop' }];
      case 5:
        return [{ op: 'block', bt: null, body: this.body([], c, d - 1) }];
      case 6:
        return this.loop(c, d);
      case 7: {
        const cond = this.expr('i32', c, d - 1);
        const then = this.body([], c, d - 1);
        const els = ch.int(2) === 1 ? this.body([], c, d - 1) : null;
        return [...cond, { op: 'if', bt: null, then, else: els }];
      }
      case 8: {
        const p = this.pickLabel(c);
        return [...this.args(c.labels[p]!.types, c, d), { op: 'br', depth: this.depthOf(c, p) }];
      }
      case 9: {
        const p = this.pickLabel(c);
        const ts = c.labels[p]!.types;
        const drops: Instr[] = ts.map(() => ({ op: 'plain', name: 'drop' }));
        return [...this.args(ts, c, d), ...this.expr('i32', c, d - 1), { op: 'br_if', depth: this.depthOf(c, p) }, ...drops];
      }
      case 10: {
        const p = this.pickLabel(c);
        const ts = c.labels[p]!.types;
        const same = c.labels.flatMap((l, i) => (!l.closed && l.types.length === ts.length && l.types.every((x, j) => x === l.types[j] && x === ts[j]) ? [i] : []));
        const n = ch.int(4);
        const depths: number[] = [];
        for (let i = 0; i < n; i++) depths.push(this.depthOf(c, ch.pick(same)));
        return [...this.args(ts, c, d), ...this.expr('i32', c, d - 1), { op: 'br_table', depths, dflt: this.depthOf(c, p) }];
      }
      case 11:
        return [...this.args(c.results, c, d), { op: 'plain', name: 'return' }];
      case 12: {
        const dst = this.masked(c, d, 0x3ff, 1);
        if (ch.int(2) === 0) {
          return [...dst, ...this.expr('i32', c, d - 1), ...this.masked(c, d, 0x1ff, 1), { op: 'plain', name: 'memory.fill' }];
        }
        return [...dst, ...this.masked(c, d, 0x3ff, 1), ...this.masked(c, d, 0x1ff, 1), { op: 'plain', name: 'memory.copy' }];
      }
      case 13:
        return [...this.growArg(c, d), { op: 'plain', name: 'memory.grow' }, { op: 'plain', name: 'drop' }];
      case 14: {
        const callees = this.p.funcs.flatMap((_, j) => (j > c.fi ? [j] : []));
        if (ch.int(4) === 0) {
          const ind = this.indirect(c, d, () => true)!;
          return [...ind.code, ...this.p.sigs[ind.sig]!.results.map((): Instr => ({ op: 'plain', name: 'drop' }))];
        }
        if (callees.length === 0 || ch.int(4) === 0) {
          return [...this.expr('i32', c, d - 1), { op: 'call_host' }, { op: 'plain', name: 'drop' }];
        }
        const j = ch.pick(callees);
        const sig = this.p.sigs[this.p.funcs[j]!.sig]!;
        return [...this.args(sig.params, c, d), { op: 'call', f: j }, ...sig.results.map((): Instr => ({ op: 'plain', name: 'drop' }))];
      }
      case 16:
        if (ch.int(2) === 0) return [...this.sref(c, d), ...this.expr('i32', c, d - 1), { op: 'ref', name: 'struct.set', imm: '$S 0' }];
        return [...this.expr('i32', c, d - 1), ...this.exactDesc(), { op: 'ref', name: 'struct.new_desc', imm: '$S' }, { op: 'ref', name: 'global.set', imm: '$s' }];
      case 15: {
        // a trap in a (usually) rarely taken branch
        const cond: Instr[] = [
          ...this.expr('i32', c, d - 1),
          { op: 'const', t: 'i32', v: 7 },
          { op: 'plain', name: 'i32.and' },
          { op: 'const', t: 'i32', v: 5 },
          { op: 'plain', name: 'i32.eq' },
        ];
        return [...cond, { op: 'if', bt: null, then: [{ op: 'plain', name: 'unreachable' }], else: null }];
      }
      case 17:
        return this.tryStmt(c, d);
      case 18:
        return this.throwStmt(c, d);
    }
    return [];
  }

  /** A bounded loop: a fresh counter set to 0..6, tested and decremented at the top of every iteration. */
  private loop(c: Ctx, d: number): Instr[] {
    const ch = this.ch;
    const ctr = c.locals.length;
    c.locals.push('i32');
    c.counters.add(ctr);
    c.labels.push({ types: [] }); // the block around the loop
    c.labels.push({ types: [] }); // the loop
    const body: Instr[] = [
      { op: 'local.get', idx: ctr },
      { op: 'plain', name: 'i32.eqz' },
      { op: 'br_if', depth: 1 },
      { op: 'local.get', idx: ctr },
      { op: 'const', t: 'i32', v: 1 },
      { op: 'plain', name: 'i32.sub' },
      { op: 'local.set', idx: ctr },
    ];
    const n = ch.weighted([2, 3, 2, 1]);
    for (let i = 0; i < n; i++) body.push(...this.stmt(c, d - 1));
    // usually go round again (the counter ends it), sometimes only when a condition holds
    const again = ch.weighted([1, 4, 2]);
    if (again === 1) body.push({ op: 'br', depth: 0 });
    if (again === 2) body.push(...this.expr('i32', c, d - 1), { op: 'br_if', depth: 0 });
    c.labels.pop();
    c.labels.pop();
    return [
      { op: 'const', t: 'i32', v: ch.weighted([1, 2, 3, 3, 2, 2, 1]) },
      { op: 'local.set', idx: ctr },
      { op: 'block', bt: null, body: [{ op: 'loop', bt: null, body }] },
    ];
  }
}

function genSig(ch: Chooser): Sig {
  const np = ch.weighted([2, 3, 2]);
  const nr = ch.weighted([2, 5, 1]);
  const params: VT[] = [];
  const results: VT[] = [];
  for (let i = 0; i < np; i++) params.push(ch.pick(VTS));
  for (let i = 0; i < nr; i++) results.push(ch.pick(VTS));
  return { params, results };
}

function argValue(ch: Chooser, t: VT): number | bigint {
  return (genConst(ch, t) as { v: number | bigint }).v;
}

/** Builds a program from a list of choices. */
export function buildProgram(choices: readonly number[], opts: { budget?: number } = {}): Program {
  const ch = new Chooser(choices);
  // instructions per function, roughly
  const budget = opts.budget ?? 20 + ch.int(61);
  const hostSig: Sig = { params: ['i32'], results: ['i32'] };
  const sigs: Sig[] = [hostSig];
  const nFuncs = 1 + ch.weighted([2, 3, 3, 2]);
  const funcs: Func[] = [];
  for (let i = 0; i < nFuncs; i++) {
    // reuse a signature now and then, so that call_indirect finds matching functions
    let si: number;
    if (ch.int(3) === 0) si = ch.int(sigs.length);
    else {
      const s = genSig(ch);
      si = sigs.findIndex((x) => x.params.join() === s.params.join() && x.results.join() === s.results.join());
      if (si < 0) si = sigs.push(s) - 1;
    }
    funcs.push({ sig: si, locals: [], body: [] });
  }
  const table: Slot[] = [];
  for (let i = 0; i < nFuncs; i++) table.push(ch.int(5) === 0 ? null : i);
  table.push('host', null);
  const globals = VTS.map((t) => ({ t, init: argValue(ch, t) }));
  const data: number[] = [];
  for (let i = 0; i < 16; i++) data.push((i * 37 + ch.int(256)) & 0xff);
  const p: Program = { sigs, hostSig: 0, funcs, table, globals, memMin: 1, memMax: MEM_MAX_PAGES, data, args: [] };
  const gen = new Gen(ch, p);
  for (let i = 0; i < nFuncs; i++) {
    const f = funcs[i]!;
    const sig = sigs[f.sig]!;
    const locals: VT[] = [...sig.params];
    for (const t of VTS) if (ch.int(3) !== 0) locals.push(t);
    const c: Ctx = { fi: i, locals, nParams: sig.params.length, counters: new Set(), labels: [], results: sig.results, budget, tries: 0 };
    f.body = gen.body(sig.results, c, 5, true);
    f.locals = locals.slice(sig.params.length);
  }
  p.args = sigs[funcs[0]!.sig]!.params.map((t) => argValue(ch, t));
  return p;
}

// ------------------------------------------------------------------ printer

function fmtFloat(t: VT, v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (Object.is(v, -0)) return '-0';
  return t === 'f32' ? Math.fround(v).toString() : v.toString();
}

function printInstrs(xs: Instr[], ind: string, out: string[]): void {
  for (const x of xs) {
    switch (x.op) {
      case 'block':
      case 'loop':
        out.push(`${ind}${x.op}${x.bt ? ` (result ${x.bt})` : ''}`);
        printInstrs(x.body, ind + '  ', out);
        out.push(`${ind}end`);
        break;
      case 'if':
        out.push(`${ind}if${x.bt ? ` (result ${x.bt})` : ''}`);
        printInstrs(x.then, ind + '  ', out);
        if (x.else) {
          out.push(`${ind}else`);
          printInstrs(x.else, ind + '  ', out);
        }
        out.push(`${ind}end`);
        break;
      case 'br':
      case 'br_if':
        out.push(`${ind}${x.op} ${x.depth}`);
        break;
      case 'br_table':
        out.push(`${ind}br_table ${[...x.depths, x.dflt].join(' ')}`);
        break;
      case 'call':
        out.push(`${ind}call $f${x.f}`);
        break;
      case 'call_host':
        out.push(`${ind}call $host`);
        break;
      case 'call_indirect':
        out.push(`${ind}call_indirect (type $s${x.sig})`);
        break;
      case 'local.get':
      case 'local.set':
      case 'local.tee':
      case 'global.get':
      case 'global.set':
        out.push(`${ind}${x.op} ${x.idx}`);
        break;
      case 'const':
        out.push(`${ind}${x.t}.const ${typeof x.v === 'bigint' ? x.v.toString() : x.t[0] === 'f' ? fmtFloat(x.t, x.v) : String(x.v | 0)}`);
        break;
      case 'mem':
        out.push(`${ind}${x.name}${x.offset ? ` offset=${x.offset}` : ''}`);
        break;
      case 'plain':
        out.push(`${ind}${x.name}`);
        break;
      case 'ref':
        out.push(`${ind}${x.name}${x.imm ? ` ${x.imm}` : ''}`);
        break;
      case 'refblock':
        out.push(`${ind}block (result ${x.bt})`);
        printInstrs(x.body, ind + '  ', out);
        out.push(`${ind}end`);
        break;
      case 'try_table': {
        const cs = x.catches.map((k) => ` (${k.kind}${k.tag ? ` $${k.tag}` : ''} ${k.label})`).join('');
        out.push(`${ind}try_table${x.bt ? ` (result ${x.bt})` : ''}${cs}`);
        printInstrs(x.body, ind + '  ', out);
        out.push(`${ind}end`);
        break;
      }
      case 'throw':
        out.push(`${ind}throw $${x.tag}`);
        break;
    }
  }
}

export function toWat(p: Program): string {
  const out: string[] = ['(module'];
  p.sigs.forEach((s, i) => {
    const params = s.params.length ? ` (param ${s.params.join(' ')})` : '';
    const results = s.results.length ? ` (result ${s.results.join(' ')})` : '';
    out.push(`  (type $s${i} (func${params}${results}))`);
  });
  out.push(`  (import "env" "host" (func $host (type $s${p.hostSig})))`);
  out.push(`  (memory (export "memory") ${p.memMin} ${p.memMax})`);
  out.push(`  (table ${p.table.length} funcref)`);
  p.table.forEach((s, i) => {
    if (s !== null) out.push(`  (elem (i32.const ${i}) func ${s === 'host' ? '$host' : `$f${s}`})`);
  });
  p.globals.forEach((g, i) => {
    const init = typeof g.init === 'bigint' ? g.init.toString() : g.t[0] === 'f' ? fmtFloat(g.t, g.init) : String(g.init | 0);
    out.push(`  (global $g${i} (export "g${i}") (mut ${g.t}) (${g.t}.const ${init}))`);
  });
  // after the numeric globals, which the programs name by index
  out.push('  (rec (type $S (sub (descriptor $D) (struct (field (mut i32))))) (type $D (sub (describes $S) (struct (field i32)))))');
  out.push(`  (global $d0 (ref (exact $D)) (struct.new $D (i32.const ${DESC_FIELDS[0]})))`);
  out.push(`  (global $d1 (ref (exact $D)) (struct.new $D (i32.const ${DESC_FIELDS[1]})))`);
  out.push(`  (global $s (mut (ref (exact $S))) (struct.new_desc $S (i32.const ${S_INIT}) (global.get $d1)))`);
  out.push('  (tag $e (export "e") (param i32))');
  out.push('  (tag $e0)');
  out.push(`  (data (i32.const 0) "${p.data.map((b) => '\\' + b.toString(16).padStart(2, '0')).join('')}")`);
  p.funcs.forEach((f, i) => {
    const exp = i === 0 ? ' (export "run")' : '';
    out.push(`  (func $f${i}${exp} (type $s${f.sig})${f.locals.length ? ` (local ${f.locals.join(' ')})` : ''}`);
    printInstrs(f.body, '    ', out);
    out.push('  )');
  });
  out.push(')');
  return out.join('\n');
}

/** Number of instructions in a program (a size measure for statistics). */
export function programSize(p: Program): number {
  const count = (xs: Instr[]): number =>
    xs.reduce(
      (n, x) => n + 1 + (x.op === 'block' || x.op === 'loop' || x.op === 'refblock' || x.op === 'try_table' ? count(x.body) : x.op === 'if' ? count(x.then) + (x.else ? count(x.else) : 0) : 0),
      0,
    );
  return p.funcs.reduce((n, f) => n + count(f.body), 0);
}
