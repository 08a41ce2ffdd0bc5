/**
 * References and Wasm GC in the JS tier: struct and array access, i31,
 * casts, br_on_null / br_on_non_null / br_on_cast(_fail), the extern/any
 * conversions and call_ref; and the conditional branch they share with
 * br_if. Objects are the interpreter's (src/runtime/objects/gc.ts: a struct is
 * an instance of its type's class with its entries as properties `e0`, `e1`, ...,
 * an array's bits in a typed array or its
 * references in a JS array, an i31 as a JS number), so frames pass between
 * the tiers as they are. Traps have the interpreter's texts; the array
 * instructions with a surcharge (allocation by count, bulk) and the rare ones
 * run the interpreter's MISC handlers (gc.ts) on the frame (miscOp).
 */
import { ANYREF, CompKind, EXTERNREF, F32, F64, HEAP_CONCRETE, HeapType, I16, I32, I64, I8, V128, heapIndex, isExactHeap, isRef, refHeap, refNullable, refType, type ArrayType, type StructType, type ValType } from '../core/types.js';
import type { Instr } from '../decoder/instr.js';
import { Op } from '../interp/exec.js';
import { BYTES, DEFAULT_MAX_ARRAY_BYTES, GcArray, GcStruct, K_I16, K_I32, K_I64, K_I8, K_REF, K_V128, MAX_CTOR_ENTRIES, WORDS, copyElems, entryName, gcType, gcTypeById, internalize, externalize, type GcType } from '../runtime/objects/gc.js';
import { BOTTOM, toCanonHeap, unpacked } from '../validate/types.js';
import type { FuncValidator } from '../validate/func.js';
import * as RT from './rt.js';
import { JsControl } from './gen-control.js';
import { CL_BACK, CONST, LOCAL, VAR, lit, type Ent } from './gen-types.js';
import { RefFacts } from './ref-facts.js';

/** Elements above which array.new/array.new_default go through the interpreter's handler (arrayNew). */
const FAST_ARRAY_ELEMS = 1 << 16;

export abstract class JsRefs extends JsControl {
  /** The validator, at the instruction being generated (its operand types: those of the instruction's operands). */
  protected fv: FuncValidator | null = null;
  /** What is known of the reference locals here (ref-facts.ts). */
  private facts: RefFacts | null = null;
  private get known(): RefFacts {
    return (this.facts ??= new RefFacts(this.inst.vm.types));
  }

  /**
   * The type descriptors and struct classes the source names as variables of its factory (gcConst): name, and
   * the index of the environment entry the factory's maker reads it from (codegen.ts build).
   */
  readonly gcConsts = new Map<string, number>();

  /**
   * Type `t`'s descriptor (or, `cls`, its struct class) as a variable of the source's factory, set from the
   * environment by the maker of every instance's pair, where it would otherwise be read from the environment `E`
   * at each use: a type test of `$area`, inlined into gc-shapes' `run`, read `E[1]` with a map check, a bounds
   * check and a load (BENCHMARKS.md, "Type descriptors as the factory's variables"). A factory is shared by every
   * instance whose function has the same source (codegen.ts `factory`), and the names carry the descriptor's
   * `uid`, so a source naming another descriptor (another registry's: canonical ids repeat) is another factory,
   * and every maker of one sets the same values.
   */
  protected gcConst(t: GcType, cls: boolean): string {
    const name = `${cls ? 'GS' : 'GT'}${t.uid}`;
    if (!this.gcConsts.has(name)) this.gcConsts.set(name, +this.env(cls ? t.make : t).slice(1));
    return name;
  }

  /** Local `x` is written (local.set, local.tee): what was known of it no longer holds. */
  protected localWritten(x: number): void {
    this.facts?.write(x);
  }

  protected override enter(ins: Instr, v: FuncValidator, name: string): void {
    // (a loop's back edges, a legacy try's catch arms reach its body without the facts of here)
    if (name === 'loop' || name === 'try') this.facts?.clear();
    // an if on a type test of a local: in the then arm, the local is of the tested type
    const test = name === 'if' && this.facts !== null ? this.facts.testOf(this.st[this.st.length - 1]!) : null;
    // (the condition runs here, in the frame around the if: a test that loads the type leaves it in RY<x> for both arms and after)
    if (test !== null && test.loads) this.known.learnLoaded(test.x, this.ctrls.length - 1);
    super.enter(ins, v, name);
    if (test !== null) this.known.learn(test.x, test.t, this.ctrls.length - 1);
  }
  protected override elseArm(v: FuncValidator, live = !v.unreachable): void {
    this.facts?.leave(this.ctrls.length - 1);
    super.elseArm(v, live);
  }
  protected override end(v: FuncValidator, live = !v.unreachable): void {
    const depth = this.ctrls.length - 1;
    super.end(v, live);
    this.facts?.leave(depth);
  }
  /** The local entry `a` is, if it is one. */
  private localOf(a: Ent): number {
    return a.k === LOCAL && isRef(a.t) ? a.loc![0]! : -1;
  }

  /** br_if (and the br_on_* built on it): the condition is on top of the mirror. */
  protected brIf(depth: number): void {
    const c = this.pop();
    this.matAll();
    // (the taken edge gives back what this block prepaid for the blocks after it)
    let refund = this.prepaidEdge();
    const cd = this.cand;
    if (cd !== null && this.ctrls.length - 1 === cd.depth) {
      // the body's top level: the back edge (a counted copy gives nothing back there), or a test that leaves the loop
      if (depth === 0) {
        refund = `${CL_BACK}${refund}${CL_BACK}`;
        cd.back = { br: false, blk: this.fblk, cond: c.sym, at: cd.wn };
      } else cd.exits.push({ cond: c.sym, site: this.nSite }); // (jump marks this exit next)
    }
    this.w(`if (${this.cond(c)}) { ${refund}${this.jump(depth)} }`);
    if (this.mc.counting) this.sinkSubtraction();
    this.chainNext(true);
  }

  /** A GC or typed-reference instruction; false when it is none of them. */
  protected refOp(ins: Instr, name: string): boolean {
    switch (name) {
      case 'struct.new':
        this.structNew(ins.a, null);
        return true;
      // custom descriptors: the descriptor operand is on top; null traps before anything is allocated
      case 'struct.new_desc':
        this.structNew(ins.a, this.descriptor());
        return true;
      case 'struct.new_default_desc': {
        const d = this.descriptor();
        this.pushStmt(refType(HEAP_CONCRETE + ins.a, false), `new ${this.gcConst(gcType(this.inst, ins.a), true)}(${d})`);
        return true;
      }
      case 'ref.get_desc': {
        const y = this.inst.vm.module.types[ins.a]!.descriptor!;
        const x = this.object(this.pop(), RT.TRAP_NULL, 0);
        this.pushStmt(refType(HEAP_CONCRETE + y, false), `${x}.desc`);
        return true;
      }
      case 'ref.cast_desc_eq': {
        const nullable = ins.def.code === 36;
        const d = this.descriptor();
        const x = this.named(this.pop());
        this.w(`if (!(${this.descTest(x, d, nullable)})) ${this.trap(RT.TRAP_DESC_CAST)}`);
        this.pushStmt(refType(ins.a, nullable), x);
        return true;
      }
      case 'br_on_cast_desc_eq':
      case 'br_on_cast_desc_eq_fail': {
        const d = this.descriptor();
        this.matAt(this.st.length - 1);
        const c = this.descTest(this.st[this.st.length - 1]!.e, d, (ins.a & 2) !== 0);
        this.pushCond(name === 'br_on_cast_desc_eq' ? c : `!(${c})`, []);
        this.brIf(ins.b);
        return true;
      }
      case 'struct.new_default': {
        this.pushStmt(refType(HEAP_CONCRETE + ins.a, false), `new ${this.gcConst(gcType(this.inst, ins.a), true)}()`);
        return true;
      }
      case 'struct.get':
      case 'struct.get_s':
      case 'struct.get_u': {
        const ft = (this.inst.vm.module.types[ins.a]!.comp as StructType).fields[ins.b]!.type;
        const o = gcType(this.inst, ins.a).offs[ins.b]!;
        const x = this.object(this.pop(), RT.TRAP_NULL_STRUCT, 0);
        this.pushField(ft, name === 'struct.get_s', (k) => `${x}.${entryName(o + k)}`);
        return true;
      }
      case 'struct.set': {
        const ft = (this.inst.vm.module.types[ins.a]!.comp as StructType).fields[ins.b]!.type;
        const o = gcType(this.inst, ins.a).offs[ins.b]!;
        const v = this.pop();
        const x = this.object(this.pop(), RT.TRAP_NULL_STRUCT, 1);
        this.w(this.words(ft, v).map((w, k) => `${x}.${entryName(o + k)} = ${w};`).join(' '));
        return true;
      }
      case 'array.new_fixed':
        this.arrayNewFixed(ins.a, ins.b >>> 0);
        return true;
      case 'array.get':
      case 'array.get_s':
      case 'array.get_u': {
        const ft = (this.inst.vm.module.types[ins.a]!.comp as ArrayType).field.type;
        const i = this.pop();
        const z = elemWords(ft);
        const x = this.element(this.pop(), i, 1, z);
        this.pushField(ft, name === 'array.get_s', (k) => `${x}.data[${z === 1 ? 'ea' : k === 0 ? `${z} * ea` : `${z} * ea + ${k}`}]`);
        return true;
      }
      case 'array.set': {
        const ft = (this.inst.vm.module.types[ins.a]!.comp as ArrayType).field.type;
        const v = this.pop();
        const i = this.pop();
        const z = elemWords(ft);
        const x = this.element(this.pop(), i, 2, z);
        const ws = this.words(ft, v);
        // (an i8/i16 element: the typed array keeps the low bits, as the interpreter's store does)
        const w0 = ft === I8 || ft === I16 ? [v.e] : ws;
        this.w(w0.map((w, k) => `${x}.data[${z === 1 ? 'ea' : k === 0 ? `${z} * ea` : `${z} * ea + ${k}`}] = ${w};`).join(' '));
        return true;
      }
      case 'array.len': {
        // (an operand of a known array type of one word per element: its data's length, which V8 may have loaded
        // already for an element's bounds test: gc-points' loop condition)
        const t = this.fv === null ? BOTTOM : this.fv.typeAt(0);
        const ti = isRef(t) ? heapIndex(refHeap(t)) : -1;
        const comp = ti >= 0 ? this.inst.vm.module.types[ti]!.comp : null;
        const one = comp !== null && comp.kind === CompKind.Array && elemWords(comp.field.type) === 1;
        const x = this.object(this.pop(), RT.TRAP_NULL_ARRAY, 0);
        this.pushStmt(I32, `${x}.${one ? 'data.length' : 'len'}`);
        return true;
      }
      case 'array.new':
        this.arrayNew(ins, true);
        return true;
      case 'array.new_data':
      case 'array.new_elem':
        this.miscOp(ins, 2, refType(HEAP_CONCRETE + ins.a, false));
        return true;
      case 'array.new_default':
        this.arrayNew(ins, false);
        return true;
      case 'array.fill':
        this.arrayFill(ins);
        return true;
      case 'array.init_data':
      case 'array.init_elem':
        this.miscOp(ins, 4, null);
        return true;
      case 'array.copy':
        this.arrayCopy(ins);
        return true;
      case 'ref.i31': {
        const a = this.pop();
        this.push(this.expr(refType(HeapType.i31, false), `((${a.e} << 1) >> 1)`, [a]));
        return true;
      }
      case 'i31.get_s':
      case 'i31.get_u': {
        const x = this.object(this.pop(), RT.TRAP_NULL_I31, 0);
        // (`| 0`: the value is an int31 already, but V8 types a number read from a reference as any number; as an
        // int32 it stays one through the caller's arithmetic once the callee is inlined: BENCHMARKS.md, "One return
        // for an i32 result")
        this.pushStmt(I32, name === 'i31.get_s' ? `${x} | 0` : `${x} & 0x7fffffff`);
        return true;
      }
      case 'any.convert_extern':
      case 'extern.convert_any': {
        const a = this.pop();
        this.pushStmt(name === 'any.convert_extern' ? ANYREF : EXTERNREF, `${name === 'any.convert_extern' ? 'internalize' : 'externalize'}(${a.e})`);
        return true;
      }
      case 'ref.test': {
        const rt = refType(ins.a, ins.def.code === 21);
        const a = this.pop();
        const loc = this.localOf(a);
        // (a local known to be of the type: true)
        if (loc >= 0 && this.facts?.proves(loc, rt)) {
          this.push(this.mk(I32, CONST, lit(1)));
          return true;
        }
        const named = a.k === VAR || a.k === LOCAL;
        const c = this.test(this.named(a), ins.a, refNullable(rt), loc);
        const loads = this.testLoads;
        // (a condition reading the scratch variable is evaluated at once)
        if (named) this.pushCond(c, [a]);
        else this.pushStmt(I32, `(${c}) ? 1 : 0`);
        if (loc >= 0) this.known.markTest(this.st[this.st.length - 1]!, loc, rt, loads);
        return true;
      }
      case 'ref.cast': {
        const rt = refType(ins.a, ins.def.code === 23);
        const a = this.pop();
        const loc = this.localOf(a);
        // a local stays where it is (its entry, of the cast's type): known to be of the type, it is not tested
        if (loc >= 0) {
          if (!this.facts?.proves(loc, rt)) {
            this.w(`if (!(${this.test(a.e, ins.a, refNullable(rt), loc)})) ${this.trap(RT.TRAP_CAST)}`);
            if (this.testLoads) this.known.learnLoaded(loc, this.ctrls.length - 1);
            this.known.learn(loc, rt, this.ctrls.length - 1);
          }
          const e = this.localEnt(loc);
          e.t = rt;
          this.push(e);
          return true;
        }
        const x = this.named(a);
        this.w(`if (!(${this.test(x, ins.a, refNullable(rt))})) ${this.trap(RT.TRAP_CAST)}`);
        // (a stack variable is the result's own: the same height)
        if (a.k === VAR) this.push(this.mk(rt, VAR, x));
        else this.pushStmt(rt, x);
        return true;
      }
      case 'br_on_cast':
      case 'br_on_cast_fail': {
        // the reference stays (branch and fall-through carry it): the test, then br_if
        const loc = this.localOf(this.st[this.st.length - 1]!);
        this.matAt(this.st.length - 1);
        const x = this.st[this.st.length - 1]!.e;
        const rt = refType(ins.ht2, (ins.a & 2) !== 0);
        // (x is the local's value here, in a stack variable or the local itself)
        const c = this.test(x, ins.ht2, refNullable(rt), loc);
        const loads = this.testLoads;
        this.pushCond(name === 'br_on_cast' ? c : `!(${c})`, []);
        this.brIf(ins.b);
        // (the test ran in the br_if: both ways on know the type loaded)
        if (loads) this.known.learnLoaded(loc, this.ctrls.length - 1);
        // (br_on_cast_fail's fall-through: the local is of the type)
        if (loc >= 0 && name === 'br_on_cast_fail') this.known.learn(loc, rt, this.ctrls.length - 1);
        return true;
      }
      case 'br_on_null': {
        // the branch carries the values below the reference, the fall-through the reference
        const loc = this.localOf(this.st[this.st.length - 1]!);
        this.matAll();
        const r = this.pop();
        this.pushCond(`${r.e} == null`, []);
        this.brIf(ins.a);
        this.pushVar(r.t, this.st.length);
        // (the fall-through: the local is not null)
        if (loc >= 0) this.known.learn(loc, refType(refHeap(r.t), false), this.ctrls.length - 1);
        return true;
      }
      case 'br_on_non_null': {
        this.matAll();
        this.pushCond(`${this.st[this.st.length - 1]!.e} != null`, []);
        this.brIf(ins.a);
        this.pop();
        return true;
      }
      case 'call_ref':
        this.callRef(ins.a, ins.offset);
        return true;
    }
    return false;
  }

  /** An operand as a name (a local or stack variable) generated code may read several times. */
  private named(a: Ent): string {
    if (a.k === VAR || a.k === LOCAL) return a.e;
    this.vars.add('RG');
    this.w(`RG = ${a.e};`);
    return 'RG';
  }
  /**
   * The struct/array/i31 operand, `depth` from the top of the validator's operand stack as the instruction
   * found it, checked against null unless its type is non-nullable (the validator has proved it is not null).
   */
  private object(a: Ent, code: number, depth: number): string {
    const x = this.named(a);
    const t = this.fv === null ? BOTTOM : this.fv.typeAt(depth);
    const loc = this.localOf(a);
    const known = loc >= 0 ? this.facts?.get(loc) : null;
    if ((!isRef(t) || refNullable(t)) && !(known != null && !refNullable(known))) this.w(`if (${x} == null) ${this.trap(code)}`);
    return x;
  }
  /**
   * The array operand (`depth` as for object), checked against null, and its index (in `ea`) against the length.
   * An array of `words` 1 per element (i32, f32, i8, i16, references) has exactly `len` entries in its `data`
   * (gc.ts GcArray), and the index is tested against `data.length`: the test V8 makes before it reads or writes
   * an element of `data`, which it then leaves out (gc-shapes' `array.get` about 5% faster: BENCHMARKS.md).
   */
  private element(a: Ent, i: Ent, depth: number, words: number): string {
    const x = this.object(a, RT.TRAP_NULL_ARRAY, depth);
    this.w(`ea = ${i.e} >>> 0; if (ea >= ${x}.${words === 1 ? 'data.length' : 'len'}) ${this.trap(RT.TRAP_ARRAY_OOB)}`);
    return x;
  }

  /** Custom descriptors: pops the descriptor operand into `RD`, checked against null. */
  private descriptor(): string {
    const d = this.pop();
    this.vars.add('RD');
    this.w(`RD = ${d.e}; if (RD == null) ${this.trap(RT.TRAP_NULL_DESC)}`);
    return 'RD';
  }
  /** ref.cast_desc_eq's test (src/runtime/objects/gc.ts descEq): `x` (a name) has descriptor `d`, or is null when `nullable`. */
  private descTest(x: string, d: string, nullable: boolean): string {
    return `(${x} == null ? ${nullable} : ${x}.desc === ${d})`;
  }

  /** The entries (struct words, array element words) of value `e` stored as `ft`. */
  private words(ft: ValType, e: Ent): string[] {
    switch (ft) {
      case I32:
        return [e.e];
      case F32:
        return [this.bits(e)];
      case I64:
        return [e.e, e.h];
      case F64:
        return [`bitsf64(${e.e})`, 'HI[0]'];
      case V128:
        return this.vw(e);
      case I8:
        return [`(${e.e}) & 255`];
      case I16:
        return [`(${e.e}) & 65535`];
    }
    return [e.e];
  }

  /** Pushes the value of storage type `ft` whose word k is `at(k)` (i64/f64: words 0 and 1; v128: 0 to 3). */
  private pushField(ft: ValType, signed: boolean, at: (k: number) => string): void {
    const a = at(0);
    switch (ft) {
      case I32:
        this.pushStmt(I32, a);
        return;
      case F32:
        this.pushStmt(F32, `b2f(${a})`);
        return;
      case I64:
        this.pushI64((lo, hi) => `${lo} = ${a}; ${hi} = ${at(1)};`);
        return;
      case F64:
        this.pushStmt(F64, `f64bits(${a}, ${at(1)})`);
        return;
      case V128:
        this.pushV128((ws) => ws.map((w, k) => `${w} = ${at(k)};`).join(' '));
        return;
      case I8:
        this.pushStmt(I32, signed ? `(${a} << 24) >> 24` : a);
        return;
      case I16:
        this.pushStmt(I32, signed ? `(${a} << 16) >> 16` : a);
        return;
    }
    this.pushStmt(unpacked(ft), a);
  }

  /**
   * struct.new, and struct.new_desc with `desc` the descriptor's name: the type's class called with the
   * entries, or, for a struct of more than MAX_CTOR_ENTRIES entries, allocated with defaults and filled.
   */
  private structNew(ti: number, desc: string | null): void {
    const fields = (this.inst.vm.module.types[ti]!.comp as StructType).fields;
    const n = fields.length;
    const base = this.st.length - n;
    const ws: string[] = [];
    for (let j = 0; j < n; j++) ws.push(...this.words(fields[j]!.type, this.st[base + j]!));
    const cls = this.gcConst(gcType(this.inst, ti), true);
    const d = desc === null ? [] : [desc];
    let src: string;
    if (ws.length <= MAX_CTOR_ENTRIES) src = `new ${cls}(${[...d, ...ws].join(', ')})`;
    else {
      this.vars.add('RS');
      this.w(`RS = new ${cls}(${d.join('')}); ${ws.map((w, k) => `RS.${entryName(k)} = ${w};`).join(' ')}`);
      src = 'RS';
    }
    for (let j = 0; j < n; j++) this.pop();
    this.pushStmt(refType(HEAP_CONCRETE + ti, false), src);
  }

  /**
   * array.new (`init`: with its initial value) and array.new_default: an array of at most FAST_ARRAY_ELEMS
   * elements (and within the store's maxArrayBytes) whose surcharge the fuel left pays is allocated inline
   * (typed array or JS array, filled with the initial value's word or reference); any other (larger, over the
   * limit, a surcharge that stops, an i64/f64/v128 initial value) goes through the interpreter's MISC
   * handler (miscOp), which checks, pays or stops, and allocates as before. The stack is materialized first,
   * so the two branches leave the mirror as miscOp does.
   */
  private arrayNew(ins: Instr, init: boolean): void {
    const rt = refType(HEAP_CONCRETE + ins.a, false);
    const t = gcType(this.inst, ins.a);
    const k = t.elem;
    const nOps = init ? 2 : 1;
    if (init && k !== K_I32 && k !== K_I8 && k !== K_I16 && k !== K_REF) {
      this.miscOp(ins, nOps, rt);
      return;
    }
    this.matAll();
    const top = this.st.length - 1;
    const count = this.st[top]!.e;
    const ft = (this.inst.vm.module.types[ins.a]!.comp as ArrayType).field.type;
    const maxBytes = this.mc.limits.maxArrayBytes ?? DEFAULT_MAX_ARRAY_BYTES;
    const max = Math.min(FAST_ARRAY_ELEMS, Math.floor(maxBytes / BYTES[k]!));
    const words = WORDS[k]!;
    const size = words === 1 ? 'ea' : `${words} * ea`;
    let data: string;
    if (k === K_REF) data = `new Array(ea).fill(${init ? this.st[top - 1]!.e : 'null'})`;
    else {
      data = `new ${k === K_I8 ? 'Uint8Array' : k === K_I16 ? 'Uint16Array' : 'Int32Array'}(${size})`;
      // (an i8/i16 array keeps the low bits of the value, as a typed array's fill does)
      if (init) data += `.fill(${k === K_I32 ? this.words(ft, this.st[top - 1]!)[0] : this.st[top - 1]!.e})`;
    }
    // (the result's variable, which miscOp assigns too; the operands are read before it is written)
    const r = this.varName(rt, this.st.length - nOps);
    this.w(`ea = ${count} >>> 0;`);
    this.inlineOrMisc(ins, nOps, rt, `ea <= ${max}`, 'ea', `${r} = new ${this.env(GcArray)}(${this.gcConst(t, false)}, ea, ${data});`);
    if (this.st[this.st.length - 1]!.e !== r) throw new Error(`wasmeter internal error: array.new result in ${this.st[this.st.length - 1]!.e}, not ${r}`);
  }

  /**
   * array.fill (ref, index, value, count) of an i8/i16/i32/f32 or reference array: inline (the typed array's
   * or JS array's fill) when the array is not null, the range within it and the surcharge payable; else, and
   * for i64/f64/v128 elements, the interpreter's handler, which traps or stops (miscOp).
   */
  private arrayFill(ins: Instr): void {
    const k = gcType(this.inst, ins.a).elem;
    if (k === K_I64 || k === K_V128) {
      this.miscOp(ins, 4, null);
      return;
    }
    this.matAll();
    const b = this.st.length - 4;
    const [a, i, v, n] = [0, 1, 2, 3].map((j) => this.st[b + j]!);
    const ft = (this.inst.vm.module.types[ins.a]!.comp as ArrayType).field.type;
    const w = k === K_REF || k === K_I8 || k === K_I16 ? v!.e : this.words(ft, v!)[0]!;
    this.w(`ea = ${i!.e} >>> 0; eb = ${n!.e} >>> 0;`);
    this.inlineOrMisc(ins, 4, null, `${a!.e} != null && ea + eb <= ${a!.e}.len`, 'eb', `${a!.e}.data.fill(${w}, ea, ea + eb);`);
  }

  /**
   * array.copy (dst, index, src, index, count): inline (copyElems, the interpreter's copy) when neither array
   * is null, both ranges are within them and the surcharge is payable; else the interpreter's handler (miscOp).
   */
  private arrayCopy(ins: Instr): void {
    this.matAll();
    const b = this.st.length - 5;
    const [d, di, sa, si, n] = [0, 1, 2, 3, 4].map((j) => this.st[b + j]!.e);
    this.w(`ea = ${di} >>> 0; eb = ${si} >>> 0; x = ${n} >>> 0;`);
    const cond = `${d} != null && ${sa} != null && ea + x <= ${d}.len && eb + x <= ${sa}.len`;
    this.inlineOrMisc(ins, 5, null, cond, 'x', `${this.env(copyElems)}(${d}, ea, ${sa}, eb, x);`);
  }

  /**
   * An array instruction with a surcharge: `fast` (statements) when `cond` holds and the surcharge for
   * `count` elements (a name) can be paid, which it pays; else the interpreter's MISC handler on the frame
   * (miscOp: it checks, traps, pays or stops, and does the work). The stack is all in variables (matAll)
   * before, so both branches leave the mirror as miscOp does.
   */
  private inlineOrMisc(ins: Instr, nOps: number, result: ValType | null, cond: string, count: string, fast: string): void {
    const pay = this.mc.counting ? ` && (y = Math.floor(${count} / ${this.mc.costs.elementsPerFuel})) <= fuel` : '';
    const paid = this.mc.counting ? 'fuel -= y; ' : '';
    this.w(`if (${cond}${pay}) { ${paid}${fast} } else {`);
    this.miscOp(ins, nOps, result);
    this.w('}');
  }

  private arrayNewFixed(ti: number, n: number): void {
    const ft = (this.inst.vm.module.types[ti]!.comp as ArrayType).field.type;
    const base = this.st.length - n;
    const ws: string[] = [];
    for (let j = 0; j < n; j++) {
      const e = this.st[base + j]!;
      ws.push(...(ft === I8 || ft === I16 ? [e.e] : this.words(ft, e)));
    }
    const list = ws.join(', ');
    const data = isRef(ft) ? `[${list}]` : `${ft === I8 ? 'Uint8Array' : ft === I16 ? 'Uint16Array' : 'Int32Array'}.of(${list})`;
    const src = `new ${this.env(GcArray)}(${this.gcConst(gcType(this.inst, ti), false)}, ${n}, ${data})`;
    for (let j = 0; j < n; j++) this.pop();
    this.pushStmt(refType(HEAP_CONCRETE + ti, false), src);
  }

  /**
   * Whether reference `x` (a name) is in module-local heap type `heap` (or
   * null, when `nullable`), inline but for function types (refTestCanon): a
   * struct or array type that is exact or final is that type and nothing else
   * (one comparison); another struct or array type at depth d of its
   * hierarchy is the object's own type or at d in the object's type's
   * supertype chain (GcType.chain, O(1)); i31, struct, array and eq by the
   * JS kind of the value; the top types, anything but null.
   */
  private test(x: string, heap: number, nullable: boolean, loc = -1): string {
    this.testLoads = false;
    const reg = this.inst.vm.registry;
    const h = toCanonHeap(heap, this.inst.vm.canon);
    const orNull = (c: string): string => (nullable ? `(${x} == null || ${c})` : `(${c})`);
    if (heap >= HEAP_CONCRETE) {
      const id = heapIndex(h);
      const e = reg.get(id);
      if (e.comp.kind !== CompKind.Func) {
        // (`!==`: no reference is ever undefined, ref-args.ts; `!= null` also loaded the map's bits for undetectable objects)
        const same = `${x} !== null && ${this.typeRead(x, loc)} === ${this.gcConst(gcTypeById(reg, id), false)}`;
        // an exact or final struct or array type: that type and nothing else (a final type has no subtypes)
        if (isExactHeap(h) || e.final) return nullable ? `(${x} == null || (${same}))` : `(${same})`;
        // else that type, or a struct (array) whose type has it at its depth in its supertype chain (GcType.chain)
        const d = e.chain.length - 1;
        const kind = this.env(e.comp.kind === CompKind.Struct ? GcStruct : GcArray);
        this.vars.add('RC');
        return orNull(`(${same}) || (${x} instanceof ${kind} && (RC = ${x}.type.chain).length > ${d} && RC[${d}] === ${id})`);
      }
    } else {
      const struct = `${x} instanceof ${this.env(GcStruct)}`;
      const array = `${x} instanceof ${this.env(GcArray)}`;
      switch (heap) {
        case HeapType.i31:
          return orNull(`typeof ${x} === 'number'`);
        case HeapType.struct:
          return orNull(struct);
        case HeapType.array:
          return orNull(array);
        case HeapType.eq:
          return orNull(`typeof ${x} === 'number' || ${struct} || ${array}`);
        case HeapType.any:
        case HeapType.extern:
        case HeapType.exn:
          return nullable ? 'true' : `${x} != null`;
      }
    }
    return `refTestCanon(${this.env(reg)}, ${x}, ${h}, ${nullable})`;
  }

  /** Whether the last `test` assigned `RY<loc>` (typeRead). */
  private testLoads = false;

  /**
   * Reference `x`'s type descriptor, `x` not null: when `x` is local `loc`'s value, `RY<loc>` if it holds it here, else
   * the load assigned to it (ref-facts.ts, the loaded type).
   */
  private typeRead(x: string, loc: number): string {
    if (loc < 0) return `${x}.type`;
    const v = `RY${loc}`;
    this.vars.add(v);
    if (this.facts?.isLoaded(loc)) return v;
    this.testLoads = true;
    return `(${v} = ${x}.type)`;
  }

  /** call_ref: a null reference traps; the callee is called like call_indirect's. */
  private callRef(ti: number, offset: number): void {
    const callPc = this.opPc(offset, Op.CALL_REF);
    const r = this.pop();
    // the reference also goes to its slot: a host callee without fuel resumes at the interpreter's CALL_REF, which reads it there
    this.w(`${this.store(r, this.code[callPc + 1]!)} cf = ${r.e}; if (cf == null) ${this.trap(RT.TRAP_NULL_FUNC)}`);
    this.callCf(ti, callPc, callPc + 3);
  }
}

/** Words (entries of a GcArray's data) per element of storage type `ft`. */
function elemWords(ft: ValType): number {
  return ft === I64 || ft === F64 ? 2 : ft === V128 ? 4 : 1;
}
