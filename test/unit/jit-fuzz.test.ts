/**
 * Differential fuzzing of the JS tier against the interpreter: random typed
 * programs (nested blocks with results, if/else, bounded loops, br/br_if/
 * br_table carrying values, local.tee chains, calls, memory, globals, every
 * numeric type incl. NaN payloads, occasional traps; in some programs structs
 * with custom descriptors: exact types, struct.new_desc, ref.get_desc,
 * ref.cast_desc_eq, br_on_cast_desc_eq(_fail); in half of them throws,
 * try_tables, legacy trys with catch arms, rethrow and delegate, a host that
 * throws) run in both tiers,
 * uninterrupted and cut at random fuel budgets; results (or trap messages),
 * fuel consumed, memory and globals must be identical.
 */
import { describe, expect, test } from 'vitest';
import { HostSuspended, OutOfFuel, Trap } from '../../src/core/errors.js';
import { funcType, I32, Linker, Module, Store, WasmException, type Tag } from '../../src/index.js';
import { globalValue } from '../../src/runtime/instance.js';
import { Global } from '../../src/runtime/objects/global.js';
import { RawF32, RawF64 } from '../../src/runtime/objects/values.js';
import { jitStats } from '../../src/interp/tier.js';
import { outlining } from '../../src/jit/outline.js';
import { coldElision, coldStats, profile, profileStats } from '../../src/jit/cold.js';

type T = 'i32' | 'i64' | 'f32' | 'f64' | 'v128';
const TYPES: T[] = ['i32', 'i64', 'f32', 'f64'];
const ALL: T[] = ['i32', 'i64', 'f32', 'f64', 'v128'];

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  private labels: { results: T[]; kind: 'block' | 'loop' }[] = [];
  private depth = 0;
  locals: T[] = [];
  counters = 0;
  constructor(
    private readonly r: () => number,
    private readonly funcs: { params: T[]; result: T }[],
    private readonly self: number,
    /** Whether the program uses vectors (v128 locals, globals, expressions). */
    private readonly simd: boolean,
    /** Whether the program uses structs with custom descriptors (DESC_TYPES: $S described by $D). */
    private readonly desc: boolean,
    /** Whether the program throws and catches exceptions (try_table, legacy try, throw, throw_ref, rethrow). */
    private readonly exn: boolean,
  ) {}
  private nTry = 0;
  private anyType(): T {
    return this.simd && this.chance(0.25) ? 'v128' : this.pick(TYPES);
  }
  private pick<X>(xs: readonly X[]): X {
    return xs[Math.floor(this.r() * xs.length)]!;
  }
  private chance(p: number): boolean {
    return this.r() < p;
  }
  private int(n: number): number {
    return Math.floor(this.r() * n);
  }

  const(t: T): string {
    switch (t) {
      case 'i32':
        return `(i32.const ${this.pick([0, 1, -1, 7, 255, 0x7fffffff, -0x80000000, this.int(1000) - 500, (this.r() * 2 ** 32) | 0])})`;
      case 'i64':
        return `(i64.const ${this.pick(['0', '1', '-1', '9223372036854775807', '-9223372036854775808', String(this.int(100000) - 50000), '0x123456789abcdef', '4294967296'])})`;
      case 'f32':
        return `(f32.const ${this.pick(['0', '-0', '1.5', '-2.25', 'inf', '-inf', 'nan', 'nan:0x200001', '-nan:0x1', '3.4e38', '1e-40', String(this.r() * 100 - 50)])})`;
      case 'f64':
        return `(f64.const ${this.pick(['0', '-0', '1.5', '-2.25', 'inf', '-inf', 'nan', 'nan:0x4000000000001', '-nan:0x1', '1.7e308', '5e-324', String(this.r() * 100 - 50)])})`;
      case 'v128': {
        const w = (): number => this.pick([0, -1, 1, 0x7fa00001, 0x3fc00000, 0x80000000 | 0, 0x00ff00ff, (this.r() * 2 ** 32) | 0]);
        return `(v128.const i32x4 ${w()} ${w()} ${w()} ${w()})`;
      }
    }
  }

  private localOf(t: T): number | null {
    const xs = this.locals.map((lt, i) => [lt, i] as const).filter(([lt]) => lt === t);
    return xs.length === 0 ? null : this.pick(xs)[1];
  }

  private addr(): string {
    // mostly in bounds; sometimes near or past the end of the 1-page memory
    if (this.chance(0.03)) return `(i32.const ${this.pick([65533, 65536, -1, 70000])})`;
    return `(i32.and ${this.expr('i32')} (i32.const 1023))`;
  }

  expr(t: T): string {
    this.depth++;
    try {
      return this.expr1(t);
    } finally {
      this.depth--;
    }
  }

  private expr1(t: T): string {
    if (this.depth > 6 || this.chance(0.2)) {
      const x = this.localOf(t);
      if (x !== null && this.chance(0.6)) return `(local.get ${x})`;
      return this.const(t);
    }
    const k = this.int(20);
    if (t === 'v128' && k > 5) return this.vop();
    if (k === 0) return `(global.get $g${t})`;
    if (k === 1) {
      const x = this.localOf(t);
      if (x !== null) return `(local.tee ${x} ${this.expr(t)})`;
    }
    if (k === 2) return `(select ${this.expr(t)} ${this.expr(t)} ${this.expr('i32')})`;
    if (k === 3) return `(block (result ${t}) ${this.stmts(2, t)})`;
    if (k === 4) return `(if (result ${t}) ${this.expr('i32')} (then ${this.stmts(2, t)}) (else ${this.stmts(2, t)}))`;
    if (k === 5) {
      const callees = this.funcs.map((f, i) => [f, i] as const).filter(([f, i]) => i > this.self && f.result === t);
      if (callees.length > 0) {
        const [f, i] = this.pick(callees);
        return `(call $f${i} ${f.params.map((p) => this.expr(p)).join(' ')})`;
      }
    }
    if (k === 6) {
      const load: Record<T, string[]> = {
        i32: ['i32.load', 'i32.load8_s', 'i32.load8_u', 'i32.load16_s', 'i32.load16_u'],
        i64: ['i64.load', 'i64.load8_s', 'i64.load16_u', 'i64.load32_s', 'i64.load32_u'],
        f32: ['f32.load'],
        f64: ['f64.load'],
        v128: ['v128.load', 'v128.load', 'v128.load8x8_s', 'v128.load16x4_u', 'v128.load32_splat', 'v128.load64_zero'],
      };
      return `(${this.pick(load[t])} offset=${this.pick([0, 1, 4, 8])} ${this.addr()})`;
    }
    if (k === 7 && t === 'i32') {
      // a branch out of a block carrying a value
      return `(block (result i32) (drop (br_if 0 ${this.expr('i32')} ${this.expr('i32')})) ${this.expr('i32')})`;
    }
    if (k === 8 && t === 'i32') {
      // br_table to three labels carrying a value
      return `(block (result i32) (i32.xor (block (result i32) (i32.add (block (result i32) (br_table 0 1 2 ${this.expr('i32')} (i32.and ${this.expr('i32')} (i32.const 3)))) (i32.const 11))) (i32.const 22)))`;
    }
    if (k === 9 && t === 'i32') return this.desc && this.chance(0.7) ? this.descExpr() : '(memory.size)';
    if (k === 12 && t === 'i32' && this.chance(0.5)) return `(call $h ${this.expr('i32')})`;
    if (k === 13) {
      // through the table ($h at 0, then $f0, $f1, ...): mostly the right index, sometimes a computed one
      const callees = this.funcs.map((f, i) => [f, i] as const).filter(([f, i]) => i > this.self && f.result === t);
      if (callees.length > 0) {
        const [f, i] = this.pick(callees);
        const idx = this.chance(0.8) ? `(i32.const ${i + 1})` : `(i32.and ${this.expr('i32')} (i32.const 7))`;
        return `(call_indirect ${f.params.map((p) => `(param ${p})`).join(' ')} (result ${t}) ${f.params.map((p) => this.expr(p)).join(' ')} ${idx})`;
      }
    }
    if (k >= 10 && k <= 11 && this.simd) {
      // a scalar out of a vector
      const ex: Record<T, string[]> = {
        i32: ['i32x4.extract_lane 1', 'i8x16.extract_lane_s 5', 'i8x16.extract_lane_u 15', 'i16x8.extract_lane_u 3', 'v128.any_true', 'i8x16.bitmask', 'i32x4.all_true'],
        i64: ['i64x2.extract_lane 1'],
        f32: ['f32x4.extract_lane 2'],
        f64: ['f64x2.extract_lane 0'],
        v128: [],
      };
      if (ex[t].length > 0) return `(${this.pick(ex[t])} ${this.expr('v128')})`;
    }
    switch (t) {
      case 'i32':
        return this.i32op();
      case 'i64':
        return this.i64op();
      case 'v128':
        return this.vop();
      default:
        return this.fop(t);
    }
  }

  // ------------------------------------------------------------ custom descriptors

  /** (ref (exact $D)): one of the two descriptors, or one read from an exact struct. */
  private exactDesc(): string {
    if (this.chance(0.2)) return `(ref.get_desc $S ${this.exactS()})`;
    return `(global.get $d${this.int(2)})`;
  }
  /** (ref (exact $S)): a new struct with either descriptor, or $s (a block typed exact keeps it exact). */
  private exactS(): string {
    if (this.depth > 6 || this.chance(0.3)) return '(global.get $s)';
    return `(block (result (ref (exact $S))) (struct.new_desc $S ${this.expr('i32')} ${this.exactDesc()}))`;
  }
  /** A descriptor operand of a cast: an exact one, an inexact one (through a (ref $S)), rarely null. */
  private castDesc(): string {
    const k = this.int(10);
    if (k === 0) return '(ref.null $D)';
    if (k < 3) return `(ref.get_desc $S (block (result (ref $S)) ${this.exactS()}))`;
    return this.exactDesc();
  }
  /** An anyref: mostly a struct $S, sometimes a descriptor, an i31 or null. */
  private anyref(): string {
    const k = this.int(10);
    if (k === 0) return '(ref.null any)';
    if (k === 1) return `(ref.i31 ${this.expr('i32')})`;
    if (k === 2) return this.exactDesc();
    return this.exactS();
  }
  /** An i32 through structs with descriptors. */
  private descExpr(): string {
    this.depth++;
    try {
      const k = this.int(6);
      if (k === 0) return `(struct.get $S 0 ${this.exactS()})`;
      if (k === 1) return `(struct.get $D 0 (ref.get_desc $S ${this.exactS()}))`;
      // traps ("descriptor cast failure", "null descriptor reference") unless the descriptors are the same
      if (k === 2 && this.chance(0.3)) return `(struct.get $S 0 (ref.cast_desc_eq (ref $S) ${this.anyref()} ${this.castDesc()}))`;
      if (k === 3) {
        // a nullable target: null passes, its field then traps
        return `(struct.get $S 0 (ref.cast_desc_eq (ref null (exact $S)) (block (result (ref null (exact $S))) ${this.exactS()}) ${this.exactDesc()}))`;
      }
      if (k === 4) {
        return `(struct.get $S 0 (block $ok (result (ref $S)) (drop (br_on_cast_desc_eq $ok anyref (ref $S) ${this.anyref()} ${this.castDesc()})) ${this.exactS()}))`;
      }
      return `(block $done (result i32) (drop (block $no (result anyref) (br $done (struct.get $S 0 (br_on_cast_desc_eq_fail $no anyref (ref $S) ${this.anyref()} ${this.castDesc()}))))) ${this.expr('i32')})`;
    } finally {
      this.depth--;
    }
  }

  private vop(): string {
    const k = this.int(9);
    const v = (): string => this.expr('v128');
    if (k < 3) {
      const ops = [
        'v128.and', 'v128.or', 'v128.xor', 'v128.andnot', 'i32x4.add', 'i32x4.sub', 'i32x4.mul', 'i16x8.add', 'i16x8.sub',
        'i8x16.add', 'i8x16.sub', 'i8x16.add_sat_u', 'f32x4.add', 'f32x4.sub', 'f32x4.mul', 'f32x4.div',
        // executors of the interpreter
        'i8x16.min_u', 'i16x8.mul', 'i64x2.add', 'f64x2.mul', 'f32x4.min', 'i32x4.eq', 'f32x4.lt', 'i8x16.avgr_u', 'i8x16.narrow_i16x8_s',
      ];
      return `(${this.pick(ops)} ${v()} ${v()})`;
    }
    if (k === 3) {
      const ops = ['v128.not', 'f32x4.abs', 'f32x4.neg', 'f64x2.sqrt', 'i16x8.extend_low_i8x16_s', 'i16x8.extend_high_i8x16_u', 'i32x4.extend_low_i16x8_u', 'i32x4.extend_high_i16x8_s', 'i8x16.popcnt', 'f32x4.convert_i32x4_s'];
      return `(${this.pick(ops)} ${v()})`;
    }
    if (k === 4) return `(${this.pick(['i32x4.shl', 'i32x4.shr_s', 'i32x4.shr_u', 'i8x16.shl', 'i64x2.shr_u'])} ${v()} ${this.expr('i32')})`;
    if (k === 5) {
      const t = this.pick(['i8x16', 'i16x8', 'i32x4', 'f32x4', 'i64x2', 'f64x2'] as const);
      const s: T = t === 'f32x4' ? 'f32' : t === 'f64x2' ? 'f64' : t === 'i64x2' ? 'i64' : 'i32';
      return `(${t}.splat ${this.expr(s)})`;
    }
    if (k === 6) {
      const lanes = Array.from({ length: 16 }, () => this.int(32)).join(' ');
      return `(i8x16.shuffle ${this.chance(0.3) ? '0 1 2 3 20 21 22 23 8 9 10 11 28 29 30 31' : lanes} ${v()} ${v()})`;
    }
    if (k === 7) {
      const [t, s, n] = this.pick([['i32x4', 'i32', 4], ['f32x4', 'f32', 4], ['i8x16', 'i32', 16], ['f64x2', 'f64', 2]] as const);
      return `(${t}.replace_lane ${this.int(n)} ${v()} ${this.expr(s)})`;
    }
    return `(v128.bitselect ${v()} ${v()} ${v()})`;
  }

  private i32op(): string {
    const bin = ['add', 'sub', 'mul', 'and', 'or', 'xor', 'shl', 'shr_s', 'shr_u', 'rotl', 'rotr', 'eq', 'ne', 'lt_s', 'lt_u', 'gt_s', 'gt_u', 'le_s', 'le_u', 'ge_s', 'ge_u'];
    const k = this.int(10);
    if (k < 4) return `(i32.${this.pick(bin)} ${this.expr('i32')} ${this.expr('i32')})`;
    if (k === 4) return `(i32.${this.pick(['div_s', 'div_u', 'rem_s', 'rem_u'])} ${this.expr('i32')} ${this.chance(0.5) ? this.const('i32') : this.expr('i32')})`;
    if (k === 5) return `(i32.${this.pick(['eqz', 'clz', 'ctz', 'popcnt', 'extend8_s', 'extend16_s'])} ${this.expr('i32')})`;
    if (k === 6) return `(i64.${this.pick(['eqz'])} ${this.expr('i64')})`;
    if (k === 7) return `(i64.${this.pick(['eq', 'ne', 'lt_s', 'lt_u', 'gt_s', 'gt_u', 'le_s', 'le_u', 'ge_s', 'ge_u'])} ${this.expr('i64')} ${this.expr('i64')})`;
    if (k === 8) {
      const f = this.pick(['f32', 'f64'] as const);
      if (this.chance(0.5)) return `(${f}.${this.pick(['eq', 'ne', 'lt', 'gt', 'le', 'ge'])} ${this.expr(f)} ${this.expr(f)})`;
      return `(i32.${this.pick(['trunc_sat_', 'trunc_', 'trunc_sat_'])}${f}_${this.pick(['s', 'u'])} ${this.expr(f)})`;
    }
    return this.pick([`(i32.wrap_i64 ${this.expr('i64')})`, `(i32.reinterpret_f32 ${this.noNan('f32', this.expr('f32'))})`]);
  }

  private i64op(): string {
    const bin = ['add', 'sub', 'mul', 'and', 'or', 'xor', 'shl', 'shr_s', 'shr_u', 'rotl', 'rotr'];
    const k = this.int(8);
    if (k < 3) return `(i64.${this.pick(bin)} ${this.expr('i64')} ${this.chance(0.3) ? this.const('i64') : this.expr('i64')})`;
    if (k === 3) return `(i64.${this.pick(['div_s', 'div_u', 'rem_s', 'rem_u'])} ${this.expr('i64')} ${this.chance(0.5) ? this.const('i64') : this.expr('i64')})`;
    if (k === 4) return `(i64.${this.pick(['clz', 'ctz', 'popcnt', 'extend8_s', 'extend16_s', 'extend32_s'])} ${this.expr('i64')})`;
    if (k === 5) return `(i64.extend_i32_${this.pick(['s', 'u'])} ${this.expr('i32')})`;
    if (k === 6) {
      const f = this.pick(['f32', 'f64'] as const);
      return `(i64.${this.pick(['trunc_sat_', 'trunc_', 'trunc_sat_'])}${f}_${this.pick(['s', 'u'])} ${this.expr(f)})`;
    }
    return `(i64.reinterpret_f64 ${this.noNan('f64', this.expr('f64'))})`;
  }

  /**
   * A float with NaN replaced by -1.5, where its bits become visible in
   * non-NaN values (reinterpret, the sign source of copysign): the payload
   * and sign of a NaN made by arithmetic are whatever V8's code for the
   * operation makes (with two NaN operands, which one propagates depends on
   * operand order in the machine code, in the interpreter as in JS code;
   * WebAssembly allows any), so they may differ between the tiers.
   */
  noNan(t: 'f32' | 'f64', x: string): string {
    return `(block (result ${t}) (local.set $nan_${t} ${x}) (select (local.get $nan_${t}) (${t}.const -1.5) (${t}.eq (local.get $nan_${t}) (local.get $nan_${t}))))`;
  }

  private fop(t: 'f32' | 'f64'): string {
    const o = t === 'f32' ? 'f64' : 'f32';
    const k = this.int(8);
    if (k < 3) {
      const op = this.pick(['add', 'sub', 'mul', 'div', 'min', 'max', 'copysign']);
      return `(${t}.${op} ${this.expr(t)} ${op === 'copysign' ? this.noNan(t, this.expr(t)) : this.expr(t)})`;
    }
    if (k === 3) return `(${t}.${this.pick(['abs', 'neg', 'sqrt', 'ceil', 'floor', 'trunc', 'nearest'])} ${this.expr(t)})`;
    if (k === 4) return `(${t}.${t === 'f32' ? 'demote_f64' : 'promote_f32'} ${this.expr(o)})`;
    if (k === 5) return `(${t}.convert_i32_${this.pick(['s', 'u'])} ${this.expr('i32')})`;
    if (k === 6) return `(${t}.convert_i64_${this.pick(['s', 'u'])} ${this.expr('i64')})`;
    return t === 'f32' ? `(f32.reinterpret_i32 ${this.expr('i32')})` : `(f64.reinterpret_i64 ${this.expr('i64')})`;
  }

  /** A few statements, then a value of type `t` (or nothing). */
  stmts(n: number, t: T | null): string {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(this.stmt());
    if (t !== null) out.push(this.expr(t));
    return out.join(' ');
  }

  private stmt(): string {
    this.depth++;
    try {
      return this.stmt1();
    } finally {
      this.depth--;
    }
  }

  private stmt1(): string {
    const k = this.depth > 4 ? this.int(4) : this.int(this.exn ? 17 : 12);
    if (k >= 12) return this.exnStmt(k - 12);
    if ((k === 0 || k === 1) && this.locals.length > 0) {
      const x = this.int(this.locals.length);
      return `(local.set ${x} ${this.expr(this.locals[x]!)})`;
    }
    if (k === 2) {
      const t = this.anyType();
      const st: Record<T, string[]> = {
        i32: ['i32.store', 'i32.store8', 'i32.store16'],
        i64: ['i64.store', 'i64.store32', 'i64.store8'],
        f32: ['f32.store'],
        f64: ['f64.store'],
        v128: ['v128.store', 'v128.store', 'v128.store32_lane 3'],
      };
      const [op, lane] = this.pick(st[t]).split(' ');
      return `(${op} offset=${this.pick([0, 2, 8])}${lane ? ` ${lane}` : ''} ${this.addr()} ${this.expr(t)})`;
    }
    if (k === 3) {
      const t = this.anyType();
      return `(global.set $g${t} ${this.expr(t)})`;
    }
    if (k === 4) return `(drop ${this.expr(this.anyType())})`;
    if (k === 5) return `(if ${this.expr('i32')} (then ${this.stmts(2, null)}) (else ${this.stmts(1, null)}))`;
    if (k === 6 || k === 7) {
      // a bounded loop: its counter is a local the rest of the program does not touch
      const c = this.counters++;
      return `(local.set $c${c} (i32.const ${1 + this.int(6)})) (loop $l${c} ${this.stmts(2, null)} (br_if $l${c} (i32.ne (local.tee $c${c} (i32.sub (local.get $c${c}) (i32.const 1))) (i32.const 0))))`;
    }
    if (k === 8) return `(block ${this.stmts(1, null)} (br_if 0 ${this.expr('i32')}) ${this.stmts(1, null)})`;
    if (k === 9) {
      const callees = this.funcs.map((f, i) => [f, i] as const).filter(([, i]) => i > this.self);
      if (callees.length > 0) {
        const [f, i] = this.pick(callees);
        return `(drop (call $f${i} ${f.params.map((p) => this.expr(p)).join(' ')}))`;
      }
    }
    if (k === 10 && this.chance(0.1)) return `(if (i32.eqz ${this.expr('i32')}) (then (unreachable)))`;
    if (k === 10 && this.desc && this.chance(0.5)) {
      return this.chance(0.5) ? `(struct.set $S 0 ${this.exactS()} ${this.expr('i32')})` : `(global.set $s ${this.exactS()})`;
    }
    if (k === 11 && this.chance(0.3)) return `(drop (memory.grow (i32.and ${this.expr('i32')} (i32.const 1))))`;
    if (k === 11) {
      // bulk memory (surcharges, bounds traps), passive data
      const n = `(i32.and ${this.expr('i32')} (i32.const ${this.pick([15, 255, 1023])}))`;
      return this.pick([
        `(memory.fill ${this.addr()} ${this.expr('i32')} ${n})`,
        `(memory.copy ${this.addr()} ${this.addr()} ${n})`,
        `(memory.init $d ${this.addr()} (i32.and ${this.expr('i32')} (i32.const 7)) (i32.and ${this.expr('i32')} (i32.const 15)))`,
        this.chance(0.1) ? '(data.drop $d)' : '(drop (table.size))',
      ]);
    }
    return `(drop ${this.expr('i32')})`;
  }

  /** Exception handling: throws (one time in four where reached), try_tables and legacy trys around statements. */
  private exnStmt(k: number): string {
    const n = this.nTry++;
    const sometimes = (): string => `(i32.eqz (i32.and ${this.expr('i32')} (i32.const 3)))`;
    if (k === 0 || k === 4) {
      const t = this.pick(['$ei', '$ej', '$ev']);
      const payload = t === '$ei' ? this.expr('i32') : t === '$ej' ? this.expr('i64') : '';
      return `(if ${sometimes()} (then (throw ${t} ${payload})))`;
    }
    if (k === 1) {
      // try_table: the payload (or an exnref) to a block's label
      switch (this.int(4)) {
        case 0:
          return `(global.set $gi32 (i32.add (global.get $gi32) (block (result i32) (try_table (result i32) (catch $ei 0) ${this.stmts(1, 'i32')}))))`;
        case 1:
          return `(global.set $gi64 (block (result i64) (try_table (result i64) (catch $ej 0) ${this.stmts(1, 'i64')})))`;
        case 2:
          return `(block (try_table (catch_all 0) ${this.stmts(2, null)}))`;
        default:
          // caught as an exnref: dropped, or thrown again (throw_ref) to the handlers further out
          return `(block $o${n} (block (result exnref) (try_table (catch_all_ref 0) ${this.stmts(2, null)}) (br $o${n})) ${this.chance(0.3) ? '(throw_ref)' : '(drop)'})`;
      }
    }
    if (k === 2) {
      // a try_table in a loop, caught to the loop's head (the loop's counter bounds it)
      const c = this.counters++;
      return `(local.set $c${c} (i32.const ${1 + this.int(4)})) (block $b${c} (loop $l${c} (br_if $b${c} (i32.eqz (local.get $c${c}))) (local.set $c${c} (i32.sub (local.get $c${c}) (i32.const 1))) (try_table (catch_all $l${c}) ${this.stmts(2, null)}) (br $l${c})))`;
    }
    // legacy try: catch arms (with statements of their own, rethrow now and then), or delegate
    if (this.chance(0.2)) return `(try (do ${this.stmts(2, null)}) (delegate 0))`;
    const arm = (): string => `${this.stmts(1, null)}${this.chance(0.2) ? ' (rethrow 0)' : ''}`;
    return `(try (do ${this.stmts(2, null)}) (catch $ei (global.set $gi32) ${arm()}) (catch_all ${arm()}))`;
  }
}

export function program(seed: number): string {
  const r = rng(seed);
  const nf = 1 + Math.floor(r() * 4);
  const funcs: { params: T[]; result: T }[] = [];
  for (let i = 0; i < nf; i++) {
    const params = Array.from({ length: Math.floor(r() * 4) }, () => TYPES[Math.floor(r() * 4)]!);
    funcs.push({ params: i === 0 ? ['i32', 'i64', 'f32', 'f64'] : params, result: TYPES[Math.floor(r() * 4)]! });
  }
  const bodies: string[] = [];
  const simd = r() < 0.4;
  const desc = r() < 0.4;
  const exn = r() < 0.5;
  for (let i = nf - 1; i >= 0; i--) {
    const f = funcs[i]!;
    const g = new Gen(r, funcs, i, simd, desc, exn);
    const extra = Array.from({ length: Math.floor(r() * 5) }, () => (simd && r() < 0.3 ? 'v128' : TYPES[Math.floor(r() * 4)]!));
    g.locals = [...f.params, ...extra];
    const body = g.stmts(2 + Math.floor(r() * 4), f.result);
    const counters = Array.from({ length: g.counters }, (_, c) => `(local $c${c} i32)`).join(' ') + ' (local $nan_f32 f32) (local $nan_f64 f64)';
    bodies.unshift(
      `(func $f${i} (export "f${i}") ${f.params.map((p) => `(param ${p})`).join(' ')} (result ${f.result}) ${extra.map((t) => `(local ${t})`).join(' ')} ${counters}\n  ${body})`,
    );
  }
  const globals = ALL.map((t) => `(global $g${t} (export "g${t}") (mut ${t}) ${t === 'v128' ? '(v128.const i64x2 0 0)' : `(${t}.const 0)`})`).join('\n');
  const table = `(table ${nf + 2} funcref) (elem (i32.const 0) $h ${funcs.map((_, i) => `$f${i}`).join(' ')})`;
  const tags = '(tag $ei (export "ei") (param i32)) (tag $ej (param i64)) (tag $ev)';
  return `(module (import "env" "h" (func $h (param i32) (result i32))) (memory (export "memory") 1 3) ${table} ${globals} ${desc ? DESC_DECLS : ''} ${tags} (data $d "0123456789abcdef")\n${bodies.join('\n')})`;
}

/**
 * The custom-descriptors part of a program: $S (a mutable i32 field) described by $D (an i32 field), two
 * descriptors, and $s (its field is part of the observable globals: the program's last global, gdesc).
 */
const DESC_DECLS = `(rec (type $S (sub (descriptor $D) (struct (field (mut i32))))) (type $D (sub (describes $S) (struct (field i32)))))
  (global $d0 (ref (exact $D)) (struct.new $D (i32.const 11)))
  (global $d1 (ref (exact $D)) (struct.new $D (i32.const 22)))
  (global $s (mut (ref (exact $S))) (struct.new_desc $S (i32.const 5) (global.get $d0)))
  (func (export "gdesc") (result i32 i32) (struct.get $S 0 (global.get $s)) (struct.get $D 0 (ref.get_desc $S (global.get $s))))`;

interface Result {
  out: unknown;
  fuel: number;
  mem: Uint8Array;
  globals: unknown[];
}

/**
 * NaN payloads made by arithmetic are whatever V8's code for the operation
 * makes (with two NaN operands, which one propagates depends on operand
 * order in the machine code, in the interpreter's loop as in the JS tier;
 * WebAssembly allows any): values compare equal when both are NaN. Moves
 * must keep NaN bits exactly; the hot NaN test in jit.test.ts checks those.
 */
function nanTolerant(v: unknown): unknown {
  if (v instanceof RawF32) {
    const x = new Float32Array(new Int32Array([v.bits]).buffer)[0]!;
    return Number.isNaN(x) ? 'NaN' : v;
  }
  if (v instanceof RawF64) {
    const x = new Float64Array(new Int32Array([v.lo, v.hi]).buffer)[0]!;
    return Number.isNaN(x) ? 'NaN' : v;
  }
  if (typeof v === 'number' && Number.isNaN(v)) return 'NaN';
  if (Array.isArray(v)) return v.map(nanTolerant);
  return v;
}

/** Whether memories a and b are equal except inside 4- or 8-byte windows that are NaN in both. */
function sameMemory(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  const nan = (m: Uint8Array, at: number, n: 4 | 8): boolean => {
    if (at < 0 || at + n > m.length) return false;
    const v = new DataView(m.buffer, m.byteOffset);
    return Number.isNaN(n === 4 ? v.getFloat32(at, true) : v.getFloat64(at, true));
  };
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    let ok = false;
    for (const n of [4, 8] as const) for (let at = i - n + 1; at <= i && !ok; at++) ok = nan(a, at, n) && nan(b, at, n);
    if (!ok) return false;
  }
  return true;
}

function same(a: Result, b: Result, what: string): void {
  expect(nanTolerant(b.out), what).toEqual(nanTolerant(a.out));
  expect(b.fuel, what).toBe(a.fuel);
  expect(nanTolerant(b.globals.slice(0, 4)), what).toEqual(nanTolerant(a.globals.slice(0, 4)));
  expect(sameMemory(a.globals[4] as Uint8Array, b.globals[4] as Uint8Array), `${what}: v128 global`).toBe(true);
  expect(sameMemory(a.mem, b.mem), `${what}: memory`).toBe(true);
  expect(b.globals.slice(5), `${what}: $s`).toEqual(a.globals.slice(5));
}

function run(mod: Module, tier: 'js' | 'interp', args: unknown[], schedule: ((needed: number) => number) | null, first: number): Result {
  const store = new Store({ tier, fuel: schedule ? first : 1e7 });
  const linker = new Linker();
  // the host: charges fuel for odd arguments, suspends on multiples of 16, throws $ei now and then
  let ei: Tag | null = null;
  linker.defineFunc(store, 'env', 'h', funcType([I32], [I32]), (caller, x: number) => {
    if (x & 1) caller.consumeFuel(3);
    if ((x & 15) === 0) return caller.suspend(x);
    if ((x & 63) === 5) throw new WasmException(ei!, [x >> 6]);
    return (x * 3 + 1) | 0;
  });
  const inst = linker.instantiate(store, mod);
  ei = inst.getExport('ei') as Tag;
  let out: unknown;
  const f = inst.getExport('f0') as Parameters<Store['invoke']>[0];
  let go = (): unknown[] => store.invoke(f, args, true);
  for (let stops = 0; ; stops++) {
    try {
      out = go();
      break;
    } catch (e) {
      if (e instanceof OutOfFuel && schedule && stops < 100_000) {
        store.addFuel(schedule(e.needed));
        go = () => e.resume();
        continue;
      }
      if (e instanceof HostSuspended && stops < 100_000) {
        const x = e.payload as number;
        go = () => e.resume((x * 5 + 3) | 0);
        continue;
      }
      out = e instanceof Trap || e instanceof OutOfFuel ? `${e.name}: ${e.message}` : e instanceof WasmException ? `uncaught ${e.values.map(String)}` : e;
      break;
    }
  }
  const globals = ALL.map((t) => globalValue(inst.getExport(`g${t}`) as Global));
  const fuel = store.fuelConsumed;
  // where $s ends: its field and its descriptor's (after the run's fuel is read)
  const gdesc = inst.getExport('gdesc');
  if (gdesc !== undefined) {
    store.addFuel(10);
    globals.push(store.invoke(gdesc as Parameters<Store['invoke']>[0], [], true));
  }
  return { out, fuel, mem: inst.memory()!.u8.slice(), globals };
}

/** Runs SEEDS random programs from FIRST in both tiers, uninterrupted and at random budgets; returns how many split. */
function fuzz(FIRST: number, SEEDS: number): number {
    let traps = 0;
    const split0 = jitStats.split;
    for (let seed = FIRST; seed < FIRST + SEEDS; seed++) {
      const src = program(seed);
      let mod: Module;
      try {
        mod = Module.fromWat(src);
      } catch (e) {
        throw new Error(`seed ${seed}: generated an invalid module: ${e}\n${src}`);
      }
      const args = [seed * 7919, BigInt(seed) * 0x9e3779b97f4an, seed / 3, -seed * 1.25];
      const a = run(mod, 'interp', args, null, 0);
      const b = run(mod, 'js', args, null, 0);
      if (typeof a.out === 'string') traps++;
      same(a, b, `seed ${seed}\n${src}`);
      const r = rng(seed);
      const sched = (): ((n: number) => number) => {
        const q = rng(seed + 1);
        return (n) => n + Math.floor(q() * 40);
      };
      // the first stop (in JS code: later ones run in the interpreter) anywhere in the run
      const first = Math.floor(r() * (a.fuel + 10));
      const c = run(mod, 'interp', args, sched(), first);
      const d = run(mod, 'js', args, sched(), first);
      same(c, d, `seed ${seed} (cut)\n${src}`);
      // (a cut run differs when the host could not charge its fuel: Caller.consumeFuel traps "out of fuel")
      const starvedHost = (o: unknown): boolean => typeof o === 'string' && (o.startsWith('OutOfFuel') || o === 'Trap: out of fuel');
      if (!starvedHost(a.out) && !starvedHost(c.out)) same(a, c, `seed ${seed}: cut vs uninterrupted`);
    }
    expect(traps).toBeLessThan(SEEDS);
    return jitStats.split - split0;
}

describe('JS tier: random programs agree with the interpreter', () => {
  const SEEDS = Number(process.env['JIT_FUZZ_SEEDS'] ?? 400);
  const FIRST = Number(process.env['JIT_FUZZ_FIRST'] ?? 1);
  test(`${SEEDS} programs, uninterrupted and at random budgets`, () => {
    const h0 = jitStats.withHandlers;
    const c0 = jitStats.caught;
    fuzz(FIRST, SEEDS);
    // functions with exception handlers are generated and catch (and none is declined for them or for an internal error)
    expect(jitStats.withHandlers - h0).toBeGreaterThan(SEEDS >> 2);
    expect(jitStats.caught - c0).toBeGreaterThan(SEEDS >> 3);
    console.log(`jit-fuzz: ${jitStats.withHandlers - h0} functions with handlers generated, ${jitStats.caught - c0} exceptions caught in JS code`);
    for (const why of jitStats.declined.keys()) expect(why).not.toMatch(/try|catch|delegate|throw|internal error/);
  });
  // cold.ts: blocks generated as exits to the interpreter (and the rest of their frame not generated), at random
  test(`${SEEDS >> 2} programs with blocks generated as exits at random (cold.ts)`, () => {
    const e0 = coldStats.elided;
    const internal = () => [...jitStats.declined].filter(([why]) => /internal error/.test(why)).reduce((n, [, k]) => n + k, 0);
    const i0 = internal();
    const r = rng(0xc01d);
    const saved = coldElision.static;
    // (and the static rule's: the programs' unreachable paths)
    coldElision.static = true;
    coldElision.force = () => r() < 0.35;
    try {
      fuzz(FIRST + 4 * SEEDS, SEEDS >> 2);
    } finally {
      coldElision.force = null;
      coldElision.static = saved;
    }
    expect(coldStats.elided - e0).toBeGreaterThan(SEEDS >> 1);
    expect(internal()).toBe(i0);
  });
  // cold.ts profile: every function split at generation with a hit store per block, generated whole after 3 loop
  // passes (or, profile.entries, 1 or 3 entries: the frame that ends the count finishing split) with the blocks
  // never run as exits, again after 2 exits taken, and split for good after 2 whole versions
  for (const entries of [null, 1, 3])
    test(`${SEEDS >> 3} programs with every function split, profiled and generated whole with exits (cold.ts profile${entries === null ? '' : `, counting ${entries} entries`})`, () => {
      const saved = { ...outlining };
      const savedProfile = { ...profile };
      Object.assign(outlining, { at: 0, limit: 300, min: 40, hot: 0 });
      Object.assign(profile, { on: true, bytes: 0, passes: 3, entries, exits: 2, regens: 2, fit: Infinity });
      const internal = () => [...jitStats.declined].filter(([why]) => /internal error/.test(why)).reduce((n, [, k]) => n + k, 0);
      const i0 = internal();
      const p0 = { ...profileStats };
      try {
        fuzz(FIRST + (entries === null ? 5 : 5 + entries) * SEEDS, SEEDS >> 3);
        expect(internal()).toBe(i0);
      } finally {
        Object.assign(outlining, saved);
        Object.assign(profile, savedProfile);
      }
      const d = Object.fromEntries(Object.entries(profileStats).map(([k, v]) => [k, v - p0[k as keyof typeof p0]]));
      console.log(`jit-fuzz profile: ${JSON.stringify(d)}`);
      expect(d['whole']).toBeGreaterThan(SEEDS >> 6);
      expect(d['exits']).toBeGreaterThan(0);
      expect(d['regenerated']! + d['backToSplit']!).toBeGreaterThan(0);
    });
  // hot 0: split at generation; hot 2: generated whole, split at its second call or loop iteration, the running
  // frame handing off to the interpreter and coming back in the split version
  for (const hot of [0, 2])
    test(`${SEEDS >> 3} programs with every function split into nested functions (outline.ts), hot ${hot}`, () => {
      const saved = { ...outlining };
      Object.assign(outlining, { at: 0, limit: 300, min: 40, hot });
      const internal = () => [...jitStats.declined].filter(([why]) => /internal error/.test(why)).reduce((n, [, k]) => n + k, 0);
      const i0 = internal();
      try {
        // (at once most functions split, a few are too small or one flat block; at the second pass, those that
        // pass twice, some 10 in 50)
        expect(fuzz(FIRST + SEEDS + hot * SEEDS, SEEDS >> 3)).toBeGreaterThan(hot === 0 ? SEEDS >> 4 : SEEDS >> 7);
        // every split version compiled (a jump out of a part its call site does not dispatch is a SyntaxError)
        expect(internal()).toBe(i0);
      } finally {
        Object.assign(outlining, saved);
      }
    });
});
