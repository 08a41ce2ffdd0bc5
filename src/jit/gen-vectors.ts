/**
 * Vector instructions in the JS tier: a v128 as four int32 words, or as four
 * f32 lane values between f32x4 operations; the common instructions inline,
 * the others through the interpreter's executor (simd-exec.ts).
 */
import { I32, I64, F32, V128 } from '../core/types.js';
import type { Instr } from '../decoder/instr.js';
import { miscImmediates } from '../interp/immediates.js';
import { loadSimd, SIMD_EXEC } from '../interp/simd-exec.js';
import * as RT from './rt.js';
import { JsMemory } from './gen-memory.js';
import { CONST, LANE_WORDS, LOCAL, VAR, isNum, lit, no, type Ent } from './gen-types.js';

/** f32x4 arithmetic done on lane values. */
const F32X4_OPS: Record<string, string> = { add: '+', sub: '-', mul: '*', div: '/' };

export abstract class JsVectors extends JsMemory {
  /**
   * The four f32 lane values of a v128 entry, for arithmetic only (a signalling NaN may come out
   * quiet): constants as float constants, a v128 fresh from memory read again with getFloat32
   * (cheaper than converting its words through a typed array), other words converted.
   */
  protected vf(e: Ent): string[] {
    if (e.f) return e.v!;
    const fc = this.fcache;
    if (e.k === CONST) return e.v!.map((w) => this.floatConst(RT.b2f(Number(w.replace(/[()]/g, '')) | 0)));
    const fromMem = (a: string): string[] => [0, 1, 2, 3].map((k) => `V.getFloat32(${a}${k ? ` + ${4 * k}` : ''}, true)`);
    if (e.k === LOCAL) {
      // a local's lanes as values, converted once per straight-line stretch
      const x = e.loc![0]!;
      const c = fc.consts.get(x);
      if (c) return c;
      const names = [0, 1, 2, 3].map((k) => `LF${x}_${k}`);
      if (!fc.has(x)) {
        for (const n of names) this.vars.add(n);
        const a = fc.mem.get(x);
        const src = a !== undefined ? fromMem(a) : e.v!.map((w) => `(F32B[0] = ${w}, F32V[0])`);
        this.w(names.map((n, k) => `${n} = ${src[k]};`).join(' '));
        fc.add(x);
      }
      return names;
    }
    if (e.ma !== '' && e.mep === fc.epoch) return fromMem(e.ma);
    return e.v!.map((w) => `(F32B[0] = ${w}, F32V[0])`);
  }
  /**
   * Before loop `id`'s head, where every way into it passes (re-entries included): the lanes of the v128 locals
   * it reads and never writes (the pre-pass, LoopScan), converted from their words once, and pinned in the lane
   * cache for the whole body instead of converted again in each of its straight-line stretches, every iteration.
   * Only in functions with f32x4 instructions (elsewhere nothing reads lanes); `raw`: these statements run whatever
   * osr is. Returns the locals pinned (unpinned at the loop's end).
   */
  protected hoistLanes(id: number): number[] {
    const rd = this.scan.f32x4 ? this.scan.vecReads.get(id) : undefined;
    if (rd === undefined) return [];
    const wr = this.scan.vecWrites.get(id)!;
    const fc = this.fcache;
    const pins: number[] = [];
    for (const x of rd) {
      if (wr.has(x) || fc.pinned.has(x)) continue;
      const names = [0, 1, 2, 3].map((k) => `LF${x}_${k}`);
      for (const n of names) this.vars.add(n);
      const ws = this.lWords(x);
      this.raw(names.map((n, k) => `${n} = (F32B[0] = ${ws[k]}, F32V[0]);`).join(' '));
      pins.push(x);
    }
    for (const x of pins) fc.pin(x);
    return pins;
  }
  protected unpinLanes(pins: number[]): void {
    for (const x of pins) this.fcache.unpin(x);
  }

  /**
   * `local.set x` of the v128 the last statement loaded (v128.load just before): that statement loads into x's words
   * instead of the stack variable's, marked as x's words for build() (deadWords: dropped when nothing reads them, as
   * when f32x4 code reads the lanes again from memory). Whether it did.
   */
  protected loadInto(e: Ent, x: number): boolean {
    const ld = this.lastLoad;
    if (ld === null || ld.line !== this.o.length - 1 || this.o[ld.line] !== ld.text || ld.i !== this.st.length || e.k !== VAR || e.f || e.v![0] !== `V${ld.i}_0`) return false;
    const ws = this.lWords(x);
    const st = ld.text.replace(/V\d+_([0-3]) = /g, (_, k: string) => `${ws[+k]} = `);
    this.o[ld.line] = `${LANE_WORDS}${x}${LANE_WORDS}${st}${LANE_WORDS}`;
    this.lastLoad = null;
    return true;
  }
  /** Turns the top n entries that hold f32 lane values into words (in their variables). */
  protected unF(n: number): void {
    for (let i = this.st.length - n; i < this.st.length; i++) if (this.st[i]!.f) this.matAt(i);
  }
  /** Pushes a v128 of f32 lane values computed by `code(lanes)`. */
  protected pushV128F(code: (d: string[]) => string): void {
    const i = this.st.length;
    this.beforeWrite(i);
    const d = [0, 1, 2, 3].map((k) => `Vf${i}_${k}`);
    for (const x of d) this.vars.add(x);
    this.w(code(d));
    const e = this.mk(V128, VAR, d[0]!, d[1]!);
    e.v = d;
    e.f = true;
    this.push(e);
  }

  /**
   * Bits known to be zero in each word of a v128 entry, or null (none known): a constant's own, a local's as the
   * value last written to it in this stretch (the lane cache's `zero`), a stack value's as the instruction that made
   * it left them (`zk`: the lanes of an unsigned extend, a shuffle's bytes from a constant, sums of such lanes). Lane-wise
   * adds whose lanes cannot carry out then take one add per word instead of masking the lanes apart (SWAR).
   */
  protected zeros(e: Ent): readonly number[] | null {
    if (e.f) return null;
    if (e.k === CONST) return e.v!.map((w) => ~Number(w.replace(/[()]/g, '')));
    if (e.k === LOCAL) return this.fcache.zero.get(e.loc![0]!) ?? null;
    return this.zk?.get(e) ?? null;
  }
  /**
   * The known-zero bits of the value just pushed. Kept by the entry object: every entry is made for one value and
   * never changed (one moved to another variable is a new entry, which knows none).
   */
  private knownZeros(z: readonly number[] | null): void {
    if (z !== null && z.some((w) => w !== 0)) (this.zk ??= new WeakMap()).set(this.st[this.st.length - 1]!, z);
  }
  private zk: WeakMap<Ent, readonly number[]> | null = null;

  // ------------------------------------------------------------ vectors

  /**
   * A vector instruction. A v128 is four int32 words (little-endian lanes).
   * Common instructions are inline; every other one runs the interpreter's
   * executor (simd-exec.ts) on this frame's canonical slots: the operands are
   * written there, the executor computes into the first one's slot, and the
   * result is read back.
   */
  protected simd(ins: Instr): void {
    const def = ins.def;
    const name = def.name;
    if (name === 'v128.const') {
      const b = ins.v128;
      const w = (i: number): number => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
      const e = this.mk(V128, CONST, '', '');
      e.v = [lit(w(0)), lit(w(4)), lit(w(8)), lit(w(12))];
      e.e = e.v[0]!;
      this.push(e);
      return;
    }
    if (this.simdInline(ins, name)) return;
    this.simdGeneric(ins);
  }

  protected simdGeneric(ins: Instr): void {
    const def = ins.def;
    loadSimd();
    const exec = SIMD_EXEC[def.id];
    if (!exec || def.params === null || def.results === null) no(def.name);
    const n = def.params.length;
    if (n > 3) no(def.name);
    const base = this.st.length - n;
    for (let j = 0; j < n; j++) {
      const e = this.st[base + j]!;
      if (!isNum(e.t)) no('vector operand type');
      this.w(this.store(e, this.stackWord(base + j)));
    }
    for (let j = 0; j < n; j++) this.pop();
    const at = (j: number): string => (j < n ? `fp + ${this.stackWord(base + j)}` : 'fp');
    const [i0, i1, i2, i3] = miscImmediates(ins);
    const call = `${this.env(exec)}(mc, ${this.env(this.inst)}, fp + ${this.stackWord(base)}, ${at(0)}, ${at(1)}, ${at(2)}, ${i0}, ${i1}, ${i2}, ${i3});`;
    // executors with memory operands trap on bounds: the trap leaves this block's refund
    if (def.bytes > 0) this.w(`try { ${call} } catch (e) { throw settleTrap(mc, ${this.fuelAfterTrap()}, e); }`);
    else this.w(call);
    const results = def.results;
    if (results.length > 1) no(def.name);
    if (results.length === 1) {
      const t = results[0]!;
      const ws = this.load(t, this.stackWord(base));
      if (t === I64) this.pushI64((l, h) => `${l} = ${ws[0]}; ${h} = ${ws[1]};`);
      else if (t === V128) this.pushV128((d) => d.map((x, k) => `${x} = ${ws[k]};`).join(' '));
      else if (isNum(t)) this.pushStmt(t, ws[0]!);
      else no('vector result type');
    }
  }

  /** Pops a v128 access's address: `ea` checked for 16 bytes. */
  protected vAddr(ins: Instr): string {
    this.usesMem = true;
    const a = this.pop();
    const off = ins.offset64;
    return `ea = (${a.e} >>> 0)${off !== 0 ? ` + ${off}` : ''}; if (${this.oob(16)}) ${this.trap(RT.TRAP_OOB)}`;
  }

  /** Inline code for the common vector instructions; false when `name` has none. */
  protected simdInline(ins: Instr, name: string): boolean {
    if (name.startsWith('f32x4.') && F32X4_OPS[name.slice(6)] !== undefined) {
      const op = F32X4_OPS[name.slice(6)]!;
      const b = this.pop();
      const a = this.pop();
      const x = this.vf(a);
      const y = this.vf(b);
      this.pushV128F((d) => d.map((r, k) => `${r} = Math.fround(${x[k]} ${op} ${y[k]});`).join(' '));
      return true;
    }
    if (name === 'f32x4.extract_lane') {
      const a = this.pop();
      const lane = ins.a & 3;
      this.push(this.expr(F32, a.f ? a.v![lane]! : `b2f(${a.v![lane]})`, [a]));
      return true;
    }
    if (name === 'v128.store' && ins.b === 0 && this.mem) {
      // lanes that are arithmetic results (quiet NaNs): setFloat32 writes the bits a conversion would
      const e = this.st[this.st.length - 1]!;
      const x = e.k === LOCAL ? e.loc![0]! : -1;
      const lanes = e.f ? e.v! : x >= 0 && this.fcache.exact.has(x) ? this.vf(e) : null;
      if (lanes) {
        this.pop();
        this.w(`${this.vAddr(ins)} ${lanes.map((l, k) => `V.setFloat32(ea${k ? ` + ${4 * k}` : ''}, ${l}, true);`).join(' ')}`);
        return true;
      }
    }
    // everything below works on words
    const def = ins.def;
    if (def.params !== null) this.unF(def.params.length);
    const lanes = (f: (a: string, b: string, k: number) => string): void => {
      const b = this.pop();
      const a = this.pop();
      // lane-wise: word k of the result reads only word k of the operands
      this.pushV128((d) => d.map((x, k) => `${x} = ${f(a.v![k]!, b.v![k]!, k)};`).join(' '));
    };
    /**
     * A lane-wise add of w-bit lanes: per word, one add where the operands' known-zero bits show that no lane can
     * carry out (sumZeros), else `f`, the lanes masked apart.
     */
    const sums = (w: number, f: (a: string, b: string) => string): void => {
      const b = this.pop();
      const a = this.pop();
      const za = this.zeros(a);
      const zb = this.zeros(b);
      const z = [0, 0, 0, 0].map((_, k) => (za && zb ? sumZeros(za[k]!, zb[k]!, w) : null));
      this.pushV128((d) => d.map((x, k) => `${x} = ${z[k] !== null ? `(${a.v![k]} + ${b.v![k]}) | 0` : f(a.v![k]!, b.v![k]!)};`).join(' '));
      this.knownZeros(z.map((x) => x ?? 0));
    };
    /** Bitwise: the result's known-zero bits from the operands' (`and`: either's; or/xor: both's). */
    const bitwise = (and: boolean, f: (a: string, b: string) => string): void => {
      const za = this.zeros(this.st[this.st.length - 2]!);
      const zb = this.zeros(this.st[this.st.length - 1]!);
      lanes(f);
      if (za !== null && zb !== null) this.knownZeros(za.map((x, k) => (and ? x | zb[k]! : x & zb[k]!)));
      else if (and) this.knownZeros(za ?? zb);
    };
    const unary = (f: (a: string) => string): void => {
      const a = this.pop();
      this.pushV128((d) => d.map((x, k) => `${x} = ${f(a.v![k]!)};`).join(' '));
    };
    /** Results computed from any input words: through u0..u3. */
    const cross = (args: number, f: (ops: Ent[]) => string[]): void => {
      const ops: Ent[] = [];
      for (let j = 0; j < args; j++) ops.unshift(this.pop());
      const r = f(ops);
      this.pushV128((d) => r.map((x, k) => `u${k} = ${x};`).join(' ') + ' ' + d.map((x, k) => `${x} = u${k};`).join(' '));
    };
    const H8 = '-2139062144'; // 0x80808080
    const L8 = '2139062143'; // 0x7f7f7f7f
    const H16 = '-2147450880'; // 0x80008000
    const L16 = '2147450879'; // 0x7fff7fff
    switch (name) {
      case 'v128.load':
      case 'v128.store': {
        if (ins.b !== 0 || !this.mem) return false;
        if (name === 'v128.store') {
          const val = this.pop();
          this.w(`${this.vAddr(ins)} ${val.v!.map((x, k) => `V.setInt32(ea${k ? ` + ${4 * k}` : ''}, ${x}, true);`).join(' ')}`);
          return true;
        }
        // the address is kept: f32x4 arithmetic on this value reads its lanes there (vf)
        const va = `VA${this.nVa++}`;
        this.vars.add(va);
        this.w(`${this.vAddr(ins)} ${va} = ea;`);
        this.pushV128((d) => d.map((x, k) => `${x} = V.getInt32(ea${k ? ` + ${4 * k}` : ''}, true);`).join(' '));
        this.lastLoad = { line: this.o.length - 1, i: this.st.length - 1, text: this.o[this.o.length - 1]! };
        const e = this.st[this.st.length - 1]!;
        e.ma = va;
        e.mep = this.fcache.epoch;
        return true;
      }
      case 'v128.and':
        bitwise(true, (a, b) => `${a} & ${b}`);
        return true;
      case 'v128.or':
        bitwise(false, (a, b) => `${a} | ${b}`);
        return true;
      case 'v128.xor':
        bitwise(false, (a, b) => `${a} ^ ${b}`);
        return true;
      case 'v128.andnot':
        lanes((a, b) => `${a} & ~${b}`);
        return true;
      case 'v128.not':
        unary((a) => `~${a}`);
        return true;
      case 'i32x4.add':
        lanes((a, b) => `(${a} + ${b}) | 0`);
        return true;
      case 'i32x4.sub':
        lanes((a, b) => `(${a} - ${b}) | 0`);
        return true;
      case 'i32x4.mul':
        lanes((a, b) => `Math.imul(${a}, ${b})`);
        return true;
      case 'i16x8.add':
        sums(16, (a, b) => `((${a} & ${L16}) + (${b} & ${L16})) ^ ((${a} ^ ${b}) & ${H16})`);
        return true;
      case 'i16x8.sub':
        lanes((a, b) => `((${a} | ${H16}) - (${b} & ${L16})) ^ ((${a} ^ ~${b}) & ${H16})`);
        return true;
      case 'i8x16.add':
        sums(8, (a, b) => `((${a} & ${L8}) + (${b} & ${L8})) ^ ((${a} ^ ${b}) & ${H8})`);
        return true;
      case 'i8x16.sub':
        lanes((a, b) => `((${a} | ${H8}) - (${b} & ${L8})) ^ ((${a} ^ ~${b}) & ${H8})`);
        return true;
      case 'i8x16.add_sat_u':
      case 'i16x8.add_sat_u':
        // (a lane that cannot carry out does not saturate)
        sums(name[1] === '8' ? 8 : 16, (a, b) => satWord(name, a, b));
        return true;
      case 'i8x16.add_sat_s':
      case 'i8x16.sub_sat_u':
      case 'i8x16.sub_sat_s':
      case 'i16x8.add_sat_s':
      case 'i16x8.sub_sat_u':
      case 'i16x8.sub_sat_s':
        lanes((a, b) => satWord(name, a, b));
        return true;
      case 'i32x4.shl':
      case 'i32x4.shr_s':
      case 'i32x4.shr_u': {
        const c = this.pop();
        const a = this.pop();
        const op = name === 'i32x4.shl' ? '<<' : name === 'i32x4.shr_s' ? '>>' : '>>>';
        // (a constant count as a literal; only >>> needs `| 0` for an int32 word)
        const n = c.k === CONST ? `${Number(c.e.replace(/[()]/g, '')) & 31}` : 'x';
        if (c.k !== CONST) this.w(`x = ${c.e} & 31;`);
        this.pushV128((d) => d.map((x, k) => (op === '>>>' ? `${x} = (${a.v![k]} >>> ${n}) | 0;` : `${x} = ${a.v![k]} ${op} ${n};`)).join(' '));
        return true;
      }
      case 'i8x16.splat':
      case 'i16x8.splat':
      case 'i32x4.splat':
      case 'f32x4.splat': {
        const a = this.pop();
        const w =
          name === 'i8x16.splat'
            ? `Math.imul(${a.e} & 255, 16843009)`
            : name === 'i16x8.splat'
              ? `Math.imul(${a.e} & 65535, 65537)`
              : name === 'f32x4.splat'
                ? this.bits(a)
                : a.e;
        this.pushV128((d) => `${d[0]} = ${w}; ${d[1]} = ${d[0]}; ${d[2]} = ${d[0]}; ${d[3]} = ${d[0]};`);
        return true;
      }
      case 'i64x2.splat': {
        const a = this.pop();
        this.pushV128((d) => `${d[0]} = ${a.e}; ${d[1]} = ${a.h}; ${d[2]} = ${d[0]}; ${d[3]} = ${d[1]};`);
        return true;
      }
      case 'i32x4.extract_lane': {
        const a = this.pop();
        this.push(this.expr(I32, a.v![ins.a & 3]!, [a]));
        return true;
      }
      case 'i8x16.extract_lane_s':
      case 'i8x16.extract_lane_u':
      case 'i16x8.extract_lane_s':
      case 'i16x8.extract_lane_u': {
        const a = this.pop();
        const bytes = name.startsWith('i8x16') ? 1 : 2;
        const at = ins.a * bytes;
        const w = a.v![at >> 2]!;
        const bit = (at & 3) * 8;
        const width = bytes * 8;
        const e = name.endsWith('_s') ? `((${w} << ${32 - bit - width}) >> ${32 - width})` : `((${w} >>> ${bit}) & ${(1 << width) - 1})`;
        this.push(this.expr(I32, e, [a]));
        return true;
      }
      case 'i32x4.replace_lane':
      case 'f32x4.replace_lane': {
        const x = this.pop();
        const a = this.pop();
        const lane = ins.a & 3;
        const w = name === 'f32x4.replace_lane' ? this.bits(x) : x.e;
        cross(0, () => a.v!.map((v, k) => (k === lane ? w : v)));
        return true;
      }
      case 'i8x16.shuffle': {
        const [i0, i1, i2, i3] = miscImmediates(ins);
        const idx = [i0, i1, i2, i3].flatMap((w) => [w & 255, (w >>> 8) & 255, (w >>> 16) & 255, (w >>> 24) & 255]);
        let z: number[] | null = null;
        cross(2, ([a, b]) => {
          const za = this.zeros(a!);
          const zb = this.zeros(b!);
          if (za !== null || zb !== null) z = [0, 1, 2, 3].map((k) => shuffleZeros(idx.slice(4 * k, 4 * k + 4), za, zb));
          return [0, 1, 2, 3].map((k) => shuffleWord(idx.slice(4 * k, 4 * k + 4).map((l) => ({ e: l < 16 ? a! : b!, w: (l & 15) >> 2, byte: l & 3 }))));
        });
        this.knownZeros(z);
        return true;
      }
      case 'i16x8.extend_low_i8x16_u':
      case 'i16x8.extend_high_i8x16_u':
      case 'i16x8.extend_low_i8x16_s':
      case 'i16x8.extend_high_i8x16_s': {
        const hi = name.includes('high');
        const signed = name.endsWith('_s');
        let z: number[] | null = null;
        cross(1, ([a]) => {
          const out: string[] = [];
          // (unsigned: each lane's top byte is zero, its low one as the source byte's known bits)
          const za = this.zeros(a!) ?? [0, 0, 0, 0];
          if (!signed) z = (hi ? [za[2]!, za[3]!] : [za[0]!, za[1]!]).flatMap((w) => [(w & 255) | ((w & 65280) << 8) | -16711936, ((w >>> 16) & 255) | ((w >>> 8) & 16711680) | -16711936]);
          for (const w of hi ? [a!.v![2]!, a!.v![3]!] : [a!.v![0]!, a!.v![1]!]) {
            if (signed) {
              out.push(`((((${w} << 24) >> 24) & 65535) | (((${w} << 16) >> 24) << 16))`);
              out.push(`((((${w} << 8) >> 24) & 65535) | ((${w} >> 24) << 16))`);
            } else {
              out.push(`((${w} & 255) | ((${w} & 65280) << 8))`);
              out.push(`(((${w} >>> 16) & 255) | ((${w} >>> 8) & 16711680))`);
            }
          }
          return out;
        });
        this.knownZeros(z);
        return true;
      }
      case 'i32x4.extend_low_i16x8_u':
      case 'i32x4.extend_high_i16x8_u':
      case 'i32x4.extend_low_i16x8_s':
      case 'i32x4.extend_high_i16x8_s': {
        const hi = name.includes('high');
        const signed = name.endsWith('_s');
        let z: number[] | null = null;
        cross(1, ([a]) => {
          const out: string[] = [];
          const za = this.zeros(a!) ?? [0, 0, 0, 0];
          if (!signed) z = (hi ? [za[2]!, za[3]!] : [za[0]!, za[1]!]).flatMap((w) => [w | -65536, (w >>> 16) | -65536]);
          for (const w of hi ? [a!.v![2]!, a!.v![3]!] : [a!.v![0]!, a!.v![1]!]) {
            out.push(signed ? `((${w} << 16) >> 16)` : `(${w} & 65535)`);
            out.push(signed ? `(${w} >> 16)` : `(${w} >>> 16)`);
          }
          return out;
        });
        this.knownZeros(z);
        return true;
      }
    }
    return false;
  }
}

/** One byte of a shuffle's result word: byte `byte` of word `w` of operand `e`. */
interface ByteSrc {
  e: Ent;
  w: number;
  byte: number;
}

/**
 * A result word of i8x16.shuffle from its four source bytes: the bytes of a constant operand folded into one literal
 * (none when zero), each run of bytes that move together from one word as one shift and mask (the whole word itself
 * when it stays in place), the same byte four times as a multiply.
 */
export function shuffleWord(src: ByteSrc[]): string {
  const word = (s: ByteSrc): string => s.e.v![s.w]!;
  let konst = 0;
  const terms: string[] = [];
  const s0 = src[0]!;
  if (s0.e.k !== CONST && src.every((s) => s.e.k !== CONST && word(s) === word(s0) && s.byte === s0.byte)) {
    return `Math.imul(${s0.byte === 3 ? `${word(s0)} >>> 24` : s0.byte === 0 ? `${word(s0)} & 255` : `(${word(s0)} >>> ${8 * s0.byte}) & 255`}, 16843009)`;
  }
  for (let j = 0; j < 4; ) {
    const s = src[j]!;
    if (s.e.k === CONST) {
      const w = Number(word(s).replace(/[()]/g, ''));
      konst |= ((w >>> (8 * s.byte)) & 255) << (8 * j);
      j++;
      continue;
    }
    // the run: the next bytes of the same word, in order
    let n = 1;
    while (j + n < 4 && src[j + n]!.e.k !== CONST && word(src[j + n]!) === word(s) && src[j + n]!.byte === s.byte + n) n++;
    const w = word(s);
    const mask = lit(((n === 4 ? -1 : (1 << (8 * n)) - 1) << (8 * j)) | 0);
    const d = 8 * (s.byte - j);
    if (d === 0) terms.push(n === 4 ? w : `(${w} & ${mask})`);
    // (no mask when the shift leaves nothing else: the top bytes moved to the bottom, or the bottom ones to the top)
    else if (d > 0) terms.push(j === 0 && s.byte + n === 4 ? `(${w} >>> ${d})` : `((${w} >>> ${d}) & ${mask})`);
    else terms.push(s.byte === 0 && j + n === 4 ? `(${w} << ${-d})` : `((${w} << ${-d}) & ${mask})`);
    j += n;
  }
  if (konst !== 0 || terms.length === 0) terms.push(lit(konst | 0));
  return terms.length === 1 ? terms[0]! : `(${terms.join(' | ')})`;
}

/**
 * The known-zero bits of a lane-wise sum of `w`-bit lanes (8 or 16) of two words with known-zero bits za and zb, when
 * no lane can carry out (each lane's largest value, its bits not known zero, plus the other's fits the lane): then
 * the plain 32-bit sum is the lane-wise one, and saturates nothing. Null when a lane may carry out.
 */
export function sumZeros(za: number, zb: number, w: number): number | null {
  const m = w === 8 ? 255 : 65535;
  let z = 0;
  for (let s = 0; s < 32; s += w) {
    const t = ((~za >>> s) & m) + ((~zb >>> s) & m);
    if (t > m) return null;
    // (the bits above t's highest are zero in the lane's sum)
    z |= (m & ~(t === 0 ? 0 : -1 >>> Math.clz32(t))) << s;
  }
  return z;
}

/** The known-zero bits of a shuffle's result word from its four byte indices and the operands' (null: none known). */
export function shuffleZeros(idx: readonly number[], za: readonly number[] | null, zb: readonly number[] | null): number {
  let z = 0;
  for (let j = 0; j < 4; j++) {
    const l = idx[j]!;
    const src = l < 16 ? za : zb;
    if (src !== null) z |= ((src[(l & 15) >> 2]! >>> (8 * (l & 3))) & 255) << (8 * j);
  }
  return z;
}

/**
 * One word of a saturating add or subtract of 8- or 16-bit lanes (SWAR; `x`, `y` scratch): the wrapped result with
 * each lane that overflowed replaced. Unsigned: a lane that carried out of its top bit is all ones (add), one that
 * borrowed is zero (subtract). Signed: a lane that overflowed (operands of one sign and a sum of the other; for a
 * difference, operands of different signs and a difference of the subtrahend's) is the largest value of the minuend's
 * or first addend's sign, the low bits all ones plus its sign bit (0x7f + 1 = 0x80).
 */
export function satWord(name: string, a: string, b: string): string {
  const w8 = name[1] === '8';
  const H = w8 ? '-2139062144' : '-2147450880'; // 0x80808080, 0x80008000
  const L = w8 ? '2139062143' : '2147450879'; // 0x7f7f7f7f, 0x7fff7fff
  const t = w8 ? 7 : 15;
  const ones = w8 ? 255 : 65535;
  const add = name.includes('add');
  // (the wrapped result; an add's as the sum of the low bits, whose top bit is the carry into the lane's top bit)
  const sum = `((${a} & ${L}) + (${b} & ${L}))`;
  const diff = `(((${a} | ${H}) - (${b} & ${L})) ^ ((${a} ^ ~${b}) & ${H}))`;
  if (name.endsWith('_u')) {
    if (add) return `(x = ${sum}, (x ^ ((${a} ^ ${b}) & ${H})) | Math.imul((((${a} & ${b}) | ((${a} | ${b}) & x)) & ${H}) >>> ${t}, ${ones}))`;
    return `(x = ${diff}, x & ~Math.imul((((~${a} & ${b}) | (~(${a} ^ ${b}) & x)) & ${H}) >>> ${t}, ${ones}))`;
  }
  const r = add ? `(x = ${sum} ^ ((${a} ^ ${b}) & ${H})` : `(x = ${diff}`;
  const ovf = add ? `(~(${a} ^ ${b}) & (${a} ^ x))` : `((${a} ^ ${b}) & (${a} ^ x))`;
  return `${r}, y = Math.imul((${ovf} & ${H}) >>> ${t}, ${ones}), (x & ~y) | ((${L} + ((${a} & ${H}) >>> ${t})) & y))`;
}
