/** Numeric instructions in the JS tier: i32, i64 (two int32 halves), f32 and f64 (doubles). */
import { I32, F32, F64 } from '../core/types.js';
import * as RT from './rt.js';
import { JsFuel } from './gen-fuel.js';
import { CONST, EXPR, lit, type Ent } from './gen-types.js';
import { INSTRS } from '../core/instructions.js';

/** The value of a constant entry's literal (`5`, `(-5)`). */
const constOf = (e: string): number => Number(e.replace(/[()]/g, ''));

/** Divisors of at most this magnitude get the inline i64 div/rem forms (JsNumeric.i64divConst). */
const DIV_INLINE = 0x200000;

const FLOAT_CMP: Record<string, string | undefined> = { eq: '===', ne: '!==', lt: '<', gt: '>', le: '<=', ge: '>=' };

/**
 * i64 shifts and rotations by a variable count, written out (the helpers' call and their high word through `HI[0]`
 * were a typed-array store and load each): JS masks a shift count to 5 bits, so `x << y` is the shift by the count's
 * low 5 bits, bit 5 picks the words, and the bits crossing between the words go as `(w >>> 1) >>> (31 - s)` (0 for
 * s = 0, where `w >>> 32` would be w). The result words are assigned after every read of the operand's (they may be
 * the same variables).
 */
function i64shiftVar(op: string, dl: string, dh: string, lo: string, hi: string, n: string): string {
  const t = '(~y & 31)';
  switch (op) {
    case 'shl':
      return `y = ${n}; if (y & 32) { ${dh} = ${lo} << y; ${dl} = 0; } else { ${dh} = (${hi} << y) | ((${lo} >>> 1) >>> ${t}); ${dl} = ${lo} << y; }`;
    case 'shr_u':
      return `y = ${n}; if (y & 32) { ${dl} = (${hi} >>> y) | 0; ${dh} = 0; } else { ${dl} = (${lo} >>> y) | ((${hi} << 1) << ${t}); ${dh} = (${hi} >>> y) | 0; }`;
    case 'shr_s':
      return `y = ${n}; if (y & 32) { ${dl} = ${hi} >> y; ${dh} = ${hi} >> 31; } else { ${dl} = (${lo} >>> y) | ((${hi} << 1) << ${t}); ${dh} = ${hi} >> y; }`;
    default:
      // rotl; rotr by n is rotl by -n (mod 64; `| 0` keeps y an int32 for n = -2^31)
      return (
        `y = ${op === 'rotr' ? `-${n} | 0` : n}; if (y & 32) { x = ${hi}; m0 = ${lo}; } else { x = ${lo}; m0 = ${hi}; } ` +
        `${dl} = (x << y) | ((m0 >>> 1) >>> ${t}); ${dh} = (m0 << y) | ((x >>> 1) >>> ${t});`
      );
  }
}

type Bin = (a: string, b: string) => string;
type Un = (a: string) => string;
/** i32 binary operators (JsNumeric.i32bin): the expression of the result from the operands'. */
const I32_BIN = new Map<string, Bin>([
  ['add', (a, b) => `((${a} + ${b}) | 0)`],
  ['sub', (a, b) => `((${a} - ${b}) | 0)`],
  ['mul', (a, b) => `Math.imul(${a}, ${b})`],
  ['and', (a, b) => `(${a} & ${b})`],
  ['or', (a, b) => `(${a} | ${b})`],
  ['xor', (a, b) => `(${a} ^ ${b})`],
  ['shl', (a, b) => `(${a} << ${b})`],
  ['shr_s', (a, b) => `(${a} >> ${b})`],
  ['shr_u', (a, b) => `((${a} >>> ${b}) | 0)`],
]);
/** i32 comparisons (JsNumeric.i32cmp): the condition from the operands' expressions. */
const I32_CMP = new Map<string, Bin>([
  ['eq', (a, b) => `${a} === ${b}`],
  ['ne', (a, b) => `${a} !== ${b}`],
  ['lt_s', (a, b) => `${a} < ${b}`],
  ['lt_u', (a, b) => `(${a} >>> 0) < (${b} >>> 0)`],
  ['gt_s', (a, b) => `${a} > ${b}`],
  ['gt_u', (a, b) => `(${a} >>> 0) > (${b} >>> 0)`],
  ['le_s', (a, b) => `${a} <= ${b}`],
  ['le_u', (a, b) => `(${a} >>> 0) <= (${b} >>> 0)`],
  ['ge_s', (a, b) => `${a} >= ${b}`],
  ['ge_u', (a, b) => `(${a} >>> 0) >= (${b} >>> 0)`],
]);
/** i32 unary operators (JsNumeric.i32un): the expression of the result from the operand's. */
const I32_UN = new Map<string, Un>([
  ['clz', (a) => `Math.clz32(${a})`],
  ['ctz', (a) => `ctz32(${a})`],
  ['popcnt', (a) => `popcnt32(${a})`],
  ['extend8_s', (a) => `((${a} << 24) >> 24)`],
  ['extend16_s', (a) => `((${a} << 16) >> 16)`],
]);

/**
 * A method of JsNumeric generating numeric instructions: those of one numeric type, by `op` (the name after its dot),
 * false when `op` is not one of them; or those of one form (i32bin, i32cmp, i32un), by `f`, the expression's template.
 */
type NumOp = (this: JsNumeric, op: string, f: Bin | Un | null) => boolean;
/**
 * By instruction id (InstrDef.id): the method (NumOp), the name after the dot, and the template of a form's method;
 * made by JsNumeric.tables() before the first generation rather than when the module is evaluated, which every start
 * of the CLI does (a short program generates nothing; BENCHMARKS.md, CLI start-up, session 22).
 */
let NUM_BY_ID: NumOp[] = [];
let NUM_OP: string[] = [];
let NUM_FN: (Bin | Un | null)[] = [];

export abstract class JsNumeric extends JsFuel {
  /**
   * Handles a numeric instruction (by its id); false when it is not one. Its method is read from a table, not named at
   * one call site each: `instr`, into which V8 inlines this, was thrown away at the first f32 and f64 instruction it
   * met after its compile ("Insufficient type feedback for generic named access" at `this.f32op`, `this.f64op`); and
   * i32op, one switch whose cases made three closures per call, was compiled 1-3 times per first run and thrown away
   * at a case first met after its compile: the i32 operators of one form (binary, comparison, unary) now share a
   * method and their templates are tables (I32_BIN, I32_CMP, I32_UN), the others have a method each (BENCHMARKS.md,
   * session 16, helper gen12).
   */
  protected numeric(id: number): boolean {
    return NUM_BY_ID[id]!.call(this, NUM_OP[id]!, NUM_FN[id]!);
  }
  /** The instruction names and the method each is handed to, for the test (test/unit/jit-sink-ops.test.ts). */
  static numericTable(): { name: string; method: string; op: string; f: Bin | Un | null }[] {
    JsNumeric.tables();
    return INSTRS.map((d) => ({ name: d.name, method: NUM_BY_ID[d.id]!.name, op: NUM_OP[d.id]!, f: NUM_FN[d.id]! }));
  }
  /** Makes NUM_BY_ID, NUM_OP and NUM_FN (once: codegen.ts generate calls it before each JsGen). */
  static tables(): void {
    if (NUM_BY_ID.length !== 0) return;
    const i32 = new Map<string, NumOp>([
      ['rotl', JsNumeric.prototype.i32rot],
      ['rotr', JsNumeric.prototype.i32rot],
      ['eqz', JsNumeric.prototype.i32eqz],
      ['div_s', JsNumeric.prototype.i32div],
      ['div_u', JsNumeric.prototype.i32div],
      ['rem_s', JsNumeric.prototype.i32div],
      ['rem_u', JsNumeric.prototype.i32div],
      ['wrap_i64', JsNumeric.prototype.i32wrap],
      ['reinterpret_f32', JsNumeric.prototype.i32reinterpret],
      ['trunc_f32_s', JsNumeric.prototype.i32trunc],
      ['trunc_f32_u', JsNumeric.prototype.i32trunc],
      ['trunc_f64_s', JsNumeric.prototype.i32trunc],
      ['trunc_f64_u', JsNumeric.prototype.i32trunc],
      ['trunc_sat_f32_s', JsNumeric.prototype.i32truncSat],
      ['trunc_sat_f32_u', JsNumeric.prototype.i32truncSat],
      ['trunc_sat_f64_s', JsNumeric.prototype.i32truncSat],
      ['trunc_sat_f64_u', JsNumeric.prototype.i32truncSat],
    ]);
    for (const k of I32_BIN.keys()) i32.set(k, JsNumeric.prototype.i32bin);
    for (const k of I32_CMP.keys()) i32.set(k, JsNumeric.prototype.i32cmp);
    for (const k of I32_UN.keys()) i32.set(k, JsNumeric.prototype.i32un);
    const by = new Map<string, NumOp>([
      ['i64', JsNumeric.prototype.i64op],
      ['f32', JsNumeric.prototype.f32op],
      ['f64', JsNumeric.prototype.f64op],
    ]);
    NUM_OP = INSTRS.map((d) => d.name.slice(d.name.indexOf('.') + 1));
    NUM_FN = INSTRS.map((d) => (d.name.startsWith('i32.') ? (I32_BIN.get(NUM_OP[d.id]!) ?? I32_CMP.get(NUM_OP[d.id]!) ?? I32_UN.get(NUM_OP[d.id]!) ?? null) : null));
    NUM_BY_ID = INSTRS.map((d) => {
      const dot = d.name.indexOf('.');
      const ty = dot < 0 ? '' : d.name.slice(0, dot);
      return (ty === 'i32' ? i32.get(NUM_OP[d.id]!) : by.get(ty)) ?? JsNumeric.prototype.notNumeric;
    });
  }
  private notNumeric(_op: string): boolean {
    return false;
  }
  private i32bin(_op: string, f: Bin | Un | null): boolean {
    const b = this.pop();
    const a = this.pop();
    this.push(this.expr(I32, (f as Bin)(a.e, b.e), [a, b]));
    return true;
  }
  private i32cmp(_op: string, f: Bin | Un | null): boolean {
    const b = this.pop();
    const a = this.pop();
    this.pushCond((f as Bin)(a.e, b.e), [a, b]);
    return true;
  }
  private i32un(_op: string, f: Bin | Un | null): boolean {
    const a = this.pop();
    this.push(this.expr(I32, (f as Un)(a.e), [a]));
    return true;
  }

  private i32rot(op: string): boolean {
    // a constant count: the rotation written out, its operand evaluated into its variable first when it is an
    // expression (read twice); a call of rotl32 ran as a call until V8 had optimized the caller (hash-wasm's hashes:
    // `rotl(x ^ y, k)` in straight-line functions run a few hundred times before TurboFan has them)
    const n1 = this.st.length;
    if (this.st[n1 - 1]!.k === CONST && this.st[n1 - 2]!.k === EXPR) this.matAt(n1 - 2);
    const b = this.pop();
    const a = this.pop();
    if (b.k === CONST && a.k !== EXPR) {
      let n = Number(b.e.replace(/[()]/g, '')) & 31;
      if (op === 'rotr') n = (32 - n) & 31;
      this.push(this.expr(I32, n === 0 ? a.e : `((${a.e} << ${n}) | (${a.e} >>> ${32 - n}))`, [a]));
    } else this.push(this.expr(I32, `${op === 'rotl' ? 'rotl32' : 'rotr32'}(${a.e}, ${b.e})`, [a, b]));
    return true;
  }
  private i32eqz(_op: string): boolean {
    const a = this.pop();
    this.pushCond(a.c !== '' ? `!(${a.c})` : `${a.e} === 0`, [a]);
    return true;
  }
  private i32wrap(_op: string): boolean {
    const a = this.pop();
    this.push(this.expr(I32, a.e, [a]));
    return true;
  }
  private i32reinterpret(_op: string): boolean {
    const a = this.pop();
    this.push(this.expr(I32, this.bits(a), [a]));
    return true;
  }
  private i32trunc(op: string): boolean {
    const a = this.pop();
    const x = a.e;
    const range = op.endsWith('_s') ? 'fx > -2147483649 && fx < 2147483648' : 'fx > -1 && fx < 4294967296';
    this.w(`fx = ${x}; if (!(${range})) throw trapConv(mc, ${this.fuelAfterTrap()}, fx);`);
    this.pushStmt(I32, 'fx | 0');
    return true;
  }
  private i32truncSat(op: string): boolean {
    const a = this.pop();
    const x = a.e;
    this.push(this.expr(I32, `${op.endsWith('_s') ? 'i32tsf_s' : 'i32tsf_u'}(${x})`, [a]));
    return true;
  }

  private i32div(op: string): boolean {
    const b = this.pop();
    const a = this.pop();
    if (b.k === CONST) {
      const d = Number(b.e.replace(/[()]/g, '')) | 0;
      if (d !== 0 && !(op === 'div_s' && d === -1)) {
        const du = d >>> 0;
        const e =
          op === 'div_s'
            ? `((${a.e} / ${lit(d)}) | 0)`
            : op === 'div_u'
              ? `(((${a.e} >>> 0) / ${du}) | 0)`
              : op === 'rem_s'
                ? `((${a.e} % ${lit(d)}) | 0)`
                : `(((${a.e} >>> 0) % ${du}) | 0)`;
        this.push(this.expr(I32, e, [a]));
        return true;
      }
    }
    this.w(`x = ${a.e}; y = ${b.e}; if (y === 0) ${this.trap(RT.TRAP_DIV_ZERO)}`);
    if (op === 'div_s') this.w(`if (x === -2147483648 && y === -1) ${this.trap(RT.TRAP_OVERFLOW)}`);
    const r =
      op === 'div_s' ? '(x / y) | 0' : op === 'div_u' ? '((x >>> 0) / (y >>> 0)) | 0' : op === 'rem_s' ? '(x % y) | 0' : '((x >>> 0) % (y >>> 0)) | 0';
    this.pushStmt(I32, r);
    return true;
  }

  protected i64op(op: string): boolean {
    const bin = (f: (dl: string, dh: string, a: Ent, b: Ent) => string): void => {
      const b = this.pop();
      const a = this.pop();
      this.pushI64((lo, hi) => f(lo, hi, a, b));
    };
    const cmp = (f: (a: Ent, b: Ent) => string): void => {
      const b = this.pop();
      const a = this.pop();
      this.pushCond(f(a, b), [a, b]);
    };
    const ord = (a: Ent, b: Ent, strict: string, lo: string, signed: boolean): string => {
      const ah = signed ? a.h : `(${a.h} >>> 0)`;
      const bh = signed ? b.h : `(${b.h} >>> 0)`;
      return `(${ah} ${strict} ${bh} || (${a.h} === ${b.h} && (${a.e} >>> 0) ${lo} (${b.e} >>> 0)))`;
    };
    const helper2 = (fn: string): void => bin((dl, dh, a, b) => `${dl} = ${fn}(${a.e}, ${a.h}, ${b.e}, ${b.h}); ${dh} = HI[0];`);
    switch (op) {
      // the carry / borrow as `(compare) | 0`: V8 makes `? 1 : 0` a branch, mispredicted half the time on
      // hash data (hash64: 12.9x -> 7.0x V8 from this alone)
      case 'add':
        bin((dl, dh, a, b) => `x = (${a.e} + ${b.e}) | 0; ${dh} = (${a.h} + ${b.h} + (((x >>> 0) < (${a.e} >>> 0)) | 0)) | 0; ${dl} = x;`);
        return true;
      case 'sub':
        bin((dl, dh, a, b) => `x = (${a.e} - ${b.e}) | 0; ${dh} = (${a.h} - ${b.h} - (((${a.e} >>> 0) < (${b.e} >>> 0)) | 0)) | 0; ${dl} = x;`);
        return true;
      case 'mul':
        // inline (a helper call is often not inlined by V8 in large functions): 16-bit partial products of
        // the low halves, a constant's halves as literals. (The high word from the double product of the low
        // halves, exact with a rounding argument, was faster per multiply in hash64 but lengthens the dependency
        // chain through float conversions: wat-mix, a chain of multiplies, went 2.5x -> 4.8x V8.)
        bin((dl, dh, a, b) => {
          if (a.k === CONST && b.k !== CONST) [a, b] = [b, a];
          let b0: string;
          let b1: string;
          let pre = `m0 = ${a.e} & 65535; m1 = ${a.e} >>> 16; `;
          if (b.k === CONST) {
            const v = constOf(b.e);
            b0 = String(v & 0xffff);
            b1 = String(v >>> 16);
            // a constant whose words are partly 0 (a small factor, an index scale, `x * 2^32`): the partial
            // products and cross terms that are 0 left out
            const cross = (constOf(b.h) === 0 ? '' : ` + Math.imul(${a.e}, ${b.h})`) + ` + Math.imul(${a.h}, ${b.e})`;
            if (v === 0) return `${dh} = Math.imul(${a.e}, ${b.h}); ${dl} = 0;`;
            if (b1 === '0')
              return `${pre}m2 = m1 * ${b0} + ((m0 * ${b0}) >>> 16); ${dh} = ((m2 >>> 16)${cross}) | 0; ${dl} = Math.imul(${a.e}, ${b.e});`;
            if (constOf(b.h) === 0)
              return (
                `${pre}m2 = m1 * ${b0} + ((m0 * ${b0}) >>> 16); m3 = (m2 & 65535) + m0 * ${b1}; ` +
                `${dh} = (m1 * ${b1} + (m2 >>> 16) + (m3 >>> 16)${cross}) | 0; ${dl} = Math.imul(${a.e}, ${b.e});`
              );
          } else {
            pre += `m6 = ${b.e} & 65535; m7 = ${b.e} >>> 16; `;
            b0 = 'm6';
            b1 = 'm7';
          }
          // the high word of the low halves' product as Hacker's Delight's mulhu: m2 = a1*b0 + (a0*b0 >>> 16) and
          // m3 = (m2 & 0xffff) + a0*b1 stay below 2^32, so V8 does every step in 32-bit registers (only word32
          // truncations use them); two operations fewer than summing three partial products into m5
          return (
            pre +
            `m2 = m1 * ${b0} + ((m0 * ${b0}) >>> 16); m3 = (m2 & 65535) + m0 * ${b1}; ` +
            `${dh} = (m1 * ${b1} + (m2 >>> 16) + (m3 >>> 16) + Math.imul(${a.e}, ${b.h}) + Math.imul(${a.h}, ${b.e})) | 0; ` +
            `${dl} = Math.imul(${a.e}, ${b.e});`
          );
        });
        return true;
      case 'and':
        bin((dl, dh, a, b) => `${dl} = ${a.e} & ${b.e}; ${dh} = ${a.h} & ${b.h};`);
        return true;
      case 'or':
        bin((dl, dh, a, b) => `${dl} = ${a.e} | ${b.e}; ${dh} = ${a.h} | ${b.h};`);
        return true;
      case 'xor':
        bin((dl, dh, a, b) => `${dl} = ${a.e} ^ ${b.e}; ${dh} = ${a.h} ^ ${b.h};`);
        return true;
      case 'div_s':
      case 'div_u':
      case 'rem_s':
      case 'rem_u': {
        const b = this.st[this.st.length - 1]!;
        const a = this.st[this.st.length - 2]!;
        if (b.k === CONST) {
          const bl = constOf(b.e) | 0;
          const bh = constOf(b.h) | 0;
          if (this.i64divConst(op, bl, bh)) return true;
          // another constant divisor: no test for zero unless it is 0, and for div_s the overflow test only by -1
          if ((bl | bh) === 0) this.w(`if ((${b.e} | ${b.h}) === 0) ${this.trap(RT.TRAP_DIV_ZERO)}`);
          else if (op === 'div_s' && bl === -1 && bh === -1) this.w(`if (${a.e} === 0 && ${a.h} === -2147483648) ${this.trap(RT.TRAP_OVERFLOW)}`);
        } else {
          this.w(`if ((${b.e} | ${b.h}) === 0) ${this.trap(RT.TRAP_DIV_ZERO)}`);
          if (op === 'div_s')
            this.w(`if (${a.e} === 0 && ${a.h} === -2147483648 && ${b.e} === -1 && ${b.h} === -1) ${this.trap(RT.TRAP_OVERFLOW)}`);
        }
        helper2(op === 'div_s' ? 'divs64' : op === 'div_u' ? 'divu64' : op === 'rem_s' ? 'rems64' : 'remu64');
        return true;
      }
      case 'shl':
      case 'shr_s':
      case 'shr_u':
      case 'rotl':
      case 'rotr': {
        const b = this.st[this.st.length - 1]!;
        if (b.k === CONST) {
          let n = Number(b.e.replace(/[()]/g, '')) & 63;
          bin((dl, dh, a) => {
            if (op === 'rotr') n = (64 - n) & 63;
            if (n === 0) return `${dl} = ${a.e}; ${dh} = ${a.h};`;
            switch (op) {
              case 'shl':
                return n < 32 ? `${dh} = (${a.h} << ${n}) | (${a.e} >>> ${32 - n}); ${dl} = ${a.e} << ${n};` : `${dh} = ${a.e} << ${n - 32}; ${dl} = 0;`;
              case 'shr_s':
                return n < 32 ? `${dl} = (${a.e} >>> ${n}) | (${a.h} << ${32 - n}); ${dh} = ${a.h} >> ${n};` : `${dl} = ${a.h} >> ${n - 32}; ${dh} = ${a.h} >> 31;`;
              case 'shr_u':
                return n < 32 ? `${dl} = (${a.e} >>> ${n}) | (${a.h} << ${32 - n}); ${dh} = ${a.h} >>> ${n};` : `${dl} = (${a.h} >>> ${n - 32}) | 0; ${dh} = 0;`;
              default: {
                // rotl by n (rotr was turned into rotl)
                let lo = a.e;
                let hi = a.h;
                let m = n;
                if (m >= 32) {
                  [lo, hi] = [hi, lo];
                  m -= 32;
                }
                if (m === 0) return `x = ${lo}; ${dh} = ${hi}; ${dl} = x;`;
                return `x = (${lo} << ${m}) | (${hi} >>> ${32 - m}); ${dh} = (${hi} << ${m}) | (${lo} >>> ${32 - m}); ${dl} = x;`;
              }
            }
          });
        } else bin((dl, dh, a, b2) => i64shiftVar(op, dl, dh, a.e, a.h, b2.e));
        return true;
      }
      case 'eqz': {
        const a = this.pop();
        this.pushCond(`(${a.e} | ${a.h}) === 0`, [a]);
        return true;
      }
      case 'eq':
        cmp((a, b) => `(${a.e} === ${b.e} && ${a.h} === ${b.h})`);
        return true;
      case 'ne':
        cmp((a, b) => `(${a.e} !== ${b.e} || ${a.h} !== ${b.h})`);
        return true;
      case 'lt_s':
        cmp((a, b) => ord(a, b, '<', '<', true));
        return true;
      case 'lt_u':
        cmp((a, b) => ord(a, b, '<', '<', false));
        return true;
      case 'gt_s':
        cmp((a, b) => ord(a, b, '>', '>', true));
        return true;
      case 'gt_u':
        cmp((a, b) => ord(a, b, '>', '>', false));
        return true;
      case 'le_s':
        cmp((a, b) => ord(a, b, '<', '<=', true));
        return true;
      case 'le_u':
        cmp((a, b) => ord(a, b, '<', '<=', false));
        return true;
      case 'ge_s':
        cmp((a, b) => ord(a, b, '>', '>=', true));
        return true;
      case 'ge_u':
        cmp((a, b) => ord(a, b, '>', '>=', false));
        return true;
      case 'clz': {
        const a = this.pop();
        this.pushI64((lo, hi) => `${lo} = ${a.h} !== 0 ? Math.clz32(${a.h}) : 32 + Math.clz32(${a.e}); ${hi} = 0;`);
        return true;
      }
      case 'ctz': {
        const a = this.pop();
        this.pushI64((lo, hi) => `${lo} = ${a.e} !== 0 ? ctz32(${a.e}) : 32 + ctz32(${a.h}); ${hi} = 0;`);
        return true;
      }
      case 'popcnt': {
        const a = this.pop();
        this.pushI64((lo, hi) => `${lo} = popcnt32(${a.e}) + popcnt32(${a.h}); ${hi} = 0;`);
        return true;
      }
      case 'extend_i32_s': {
        const a = this.pop();
        this.pushI64((lo, hi) => `${lo} = ${a.e}; ${hi} = ${lo} >> 31;`);
        return true;
      }
      case 'extend_i32_u': {
        const a = this.pop();
        this.pushI64((lo, hi) => `${lo} = ${a.e}; ${hi} = 0;`);
        return true;
      }
      case 'extend8_s':
      case 'extend16_s':
      case 'extend32_s': {
        const a = this.pop();
        const s = op === 'extend8_s' ? 24 : op === 'extend16_s' ? 16 : 0;
        this.pushI64((lo, hi) => (s === 0 ? `${lo} = ${a.e}; ${hi} = ${lo} >> 31;` : `${lo} = (${a.e} << ${s}) >> ${s}; ${hi} = ${lo} >> 31;`));
        return true;
      }
      case 'reinterpret_f64': {
        const a = this.pop();
        this.pushI64((lo, hi) => `${lo} = bitsf64(${a.e}); ${hi} = HI[0];`);
        return true;
      }
      case 'trunc_f32_s':
      case 'trunc_f32_u':
      case 'trunc_f64_s':
      case 'trunc_f64_u': {
        const a = this.pop();
        const x = a.e;
        const signed = op.endsWith('_s');
        const range = signed ? 'fx >= -9223372036854775808 && fx < 9223372036854775808' : 'fx > -1 && fx < 18446744073709551616';
        this.w(`fx = ${x}; if (!(${range})) throw trapConv(mc, ${this.fuelAfterTrap()}, fx);`);
        this.pushI64((lo, hi) => `${lo} = ${signed ? 'truncs64' : 'truncu64'}(fx); ${hi} = HI[0];`);
        return true;
      }
      case 'trunc_sat_f32_s':
      case 'trunc_sat_f32_u':
      case 'trunc_sat_f64_s':
      case 'trunc_sat_f64_u': {
        const a = this.pop();
        const x = a.e;
        this.pushI64((lo, hi) => `${lo} = ${op.endsWith('_s') ? 'truncs64' : 'truncu64'}(${x}); ${hi} = HI[0];`);
        return true;
      }
    }
    return false;
  }

  /**
   * i64 div/rem by a constant divisor of magnitude 1 <= |d| < 2^21 (DIV_INLINE) written out, no helper call and no
   * test: long division in two steps, the high word by d as a uint32 (int32 for the signed forms: V8 divides a
   * word32 by a constant with a multiply), then `r1 * 2^32 + lo` (below 2^53) by d on doubles, truncated (exact:
   * the quotient's distance to the next integer, 1/d > 2^-21, is more than half an ulp below 2^32); remainders as
   * `lo - q * d` modulo 2^32. The signed forms divide with floor (the high word's remainder made non-negative) and
   * then move the quotient one up and the remainder down by d where the dividend is negative and the remainder not
   * 0, without a branch (the sign of hash data is random). False (nothing written) for other divisors, and for
   * div_s by -1 (its overflow trap).
   */
  protected i64divConst(op: string, bl: number, bh: number): boolean {
    const signed = op.endsWith('_s');
    if (signed ? !((bh === 0 && bl > 0 && bl < DIV_INLINE) || (bh === -1 && bl < 0 && bl > -DIV_INLINE && !(op === 'div_s' && bl === -1))) : !(bh === 0 && bl > 0 && bl < DIV_INLINE))
      return false;
    const d = Math.abs(bl);
    this.pop();
    const a = this.pop();
    this.pushI64((dl, dh) => {
      // `(lo ^ -2^31) + 2^31` is lo as a uint32 without `>>> 0`, whose SignedSmall feedback V8 turns into a deopt check
      const low = (r: string): string => `fx = ${r} * 4294967296 + 2147483648 + (${a.e} ^ -2147483648); x = (fx / ${d}) | 0;`;
      if (!signed) {
        const high = `y = ((${a.h} >>> 0) / ${d}) | 0; ${low(`((${a.h} - Math.imul(y, ${d})) | 0)`)}`;
        return op === 'div_u' ? `${high} ${dh} = y; ${dl} = x;` : `${high} ${dl} = (${a.e} - Math.imul(x, ${d})) | 0; ${dh} = 0;`;
      }
      // floor division: y = floor(ah / d), m0 = ah - y * d in [0, d)
      let c = `y = (${a.h} / ${d}) | 0; m0 = (${a.h} - Math.imul(y, ${d})) | 0; m1 = m0 >> 31; m0 = (m0 + (${d} & m1)) | 0; y = (y + m1) | 0; `;
      // m2 = remainder in [0, d); m3 = -1 where the truncated forms differ (dividend negative, remainder not 0)
      c += `${low('m0')} m2 = (${a.e} - Math.imul(x, ${d})) | 0; m3 = (${a.h} >> 31) & (-m2 >> 31); `;
      if (op === 'rem_s') return `${c}${dl} = (m2 - (${d} & m3)) | 0; ${dh} = ${dl} >> 31;`;
      // quotient (y, x) + 1 where m3, then negated for a negative divisor
      c += `x = (x - m3) | 0; y = (y + (((x === 0) | 0) & -m3)) | 0; `;
      if (bl > 0) return `${c}${dh} = y; ${dl} = x;`;
      return `${c}${dl} = -x | 0; ${dh} = (~y + ((x === 0) | 0)) | 0;`;
    });
    return true;
  }

  /** f32 and f64 comparisons: both are JS numbers (f32 values, not bits), compared as such. */
  protected floatCmp(op: string): boolean {
    const o = FLOAT_CMP[op];
    if (o === undefined) return false;
    const b = this.pop();
    const a = this.pop();
    this.pushCond(`${a.e} ${o} ${b.e}`, [a, b]);
    return true;
  }

  protected f32op(op: string): boolean {
    if (this.floatCmp(op)) return true;
    const arith = (f: (a: string, b: string) => string, q = false): void => {
      const b = this.pop();
      const a = this.pop();
      const r = this.expr(F32, f(a.e, b.e), [a, b]);
      r.q = q;
      this.push(r);
    };
    const un = (f: (a: string) => string, q = false): void => {
      const a = this.pop();
      const r = this.expr(F32, f(a.e), [a]);
      r.q = q;
      this.push(r);
    };
    // (q: a Math.fround result, see Ent.q)
    switch (op) {
      case 'add':
        arith((a, b) => `Math.fround(${a} + ${b})`, true);
        return true;
      case 'sub':
        arith((a, b) => `Math.fround(${a} - ${b})`, true);
        return true;
      case 'mul':
        arith((a, b) => `Math.fround(${a} * ${b})`, true);
        return true;
      case 'div':
        arith((a, b) => `Math.fround(${a} / ${b})`, true);
        return true;
      case 'min':
        arith((a, b) => `f32min(${a}, ${b})`);
        return true;
      case 'max':
        arith((a, b) => `f32max(${a}, ${b})`);
        return true;
      case 'sqrt':
        un((a) => `Math.fround(Math.sqrt(${a}))`, true);
        return true;
      case 'ceil':
        un((a) => `f32ceil(${a})`);
        return true;
      case 'floor':
        un((a) => `f32floor(${a})`);
        return true;
      case 'trunc':
        un((a) => `f32trunc(${a})`);
        return true;
      case 'nearest':
        un((a) => `f32nearest(${a})`);
        return true;
      case 'abs': {
        const a = this.pop();
        this.push(this.expr(F32, `fabs(${a.e})`, [a]));
        return true;
      }
      case 'neg': {
        const a = this.pop();
        this.push(this.expr(F32, `fneg(${a.e})`, [a]));
        return true;
      }
      case 'copysign': {
        const b = this.pop();
        const a = this.pop();
        this.push(this.expr(F32, `fcopysign(${a.e}, ${b.e})`, [a, b]));
        return true;
      }
      case 'demote_f64': {
        const a = this.pop();
        this.push(this.expr(F32, `Math.fround(${a.e})`, [a]));
        return true;
      }
      case 'convert_i32_s': {
        const a = this.pop();
        this.push(this.expr(F32, `Math.fround(${a.e})`, [a]));
        return true;
      }
      case 'convert_i32_u': {
        const a = this.pop();
        this.push(this.expr(F32, `Math.fround(${a.e} >>> 0)`, [a]));
        return true;
      }
      case 'convert_i64_s':
      case 'convert_i64_u': {
        const a = this.pop();
        this.push(this.expr(F32, `${op.endsWith('_s') ? 'f32cs64' : 'f32cu64'}(${a.e}, ${a.h})`, [a]));
        return true;
      }
      case 'reinterpret_i32': {
        const a = this.pop();
        this.push(this.expr(F32, `b2f(${a.e})`, [a]));
        return true;
      }
    }
    return false;
  }

  protected f64op(op: string): boolean {
    if (this.floatCmp(op)) return true;
    const bin = (f: (a: string, b: string) => string): void => {
      const b = this.pop();
      const a = this.pop();
      this.push(this.expr(F64, f(a.e, b.e), [a, b]));
    };
    const un = (f: (a: string) => string): void => {
      const a = this.pop();
      this.push(this.expr(F64, f(a.e), [a]));
    };
    switch (op) {
      case 'add':
        bin((a, b) => `(${a} + ${b})`);
        return true;
      case 'sub':
        bin((a, b) => `(${a} - ${b})`);
        return true;
      case 'mul':
        bin((a, b) => `(${a} * ${b})`);
        return true;
      case 'div':
        bin((a, b) => `(${a} / ${b})`);
        return true;
      case 'min':
        bin((a, b) => `f64min(${a}, ${b})`);
        return true;
      case 'max':
        bin((a, b) => `f64max(${a}, ${b})`);
        return true;
      case 'copysign':
        bin((a, b) => `fcopysign(${a}, ${b})`);
        return true;
      case 'sqrt':
        un((a) => `Math.sqrt(${a})`);
        return true;
      case 'ceil':
        un((a) => `f64ceil(${a})`);
        return true;
      case 'floor':
        un((a) => `f64floor(${a})`);
        return true;
      case 'trunc':
        un((a) => `f64trunc(${a})`);
        return true;
      case 'nearest':
        un((a) => `f64nearest(${a})`);
        return true;
      case 'abs':
        un((a) => `fabs(${a})`);
        return true;
      case 'neg':
        un((a) => `fneg(${a})`);
        return true;
      case 'promote_f32': {
        const a = this.pop();
        this.push(this.expr(F64, `promote(${a.e})`, [a]));
        return true;
      }
      case 'convert_i32_s': {
        const a = this.pop();
        this.push(this.expr(F64, a.e, [a]));
        return true;
      }
      case 'convert_i32_u': {
        const a = this.pop();
        this.push(this.expr(F64, `(${a.e} >>> 0)`, [a]));
        return true;
      }
      case 'convert_i64_s': {
        const a = this.pop();
        this.push(this.expr(F64, `(${a.h} * 4294967296 + (${a.e} >>> 0))`, [a]));
        return true;
      }
      case 'convert_i64_u': {
        const a = this.pop();
        this.push(this.expr(F64, `((${a.h} >>> 0) * 4294967296 + (${a.e} >>> 0))`, [a]));
        return true;
      }
      case 'reinterpret_i64': {
        const a = this.pop();
        this.push(this.expr(F64, `f64bits(${a.e}, ${a.h})`, [a]));
        return true;
      }
    }
    return false;
  }
}
