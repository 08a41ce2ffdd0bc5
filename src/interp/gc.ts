/**
 * The GC instructions in the interpreter: one MISC handler per instruction
 * (GC_EXEC, see misc.ts) and their translation signatures. The objects they
 * work on are in src/runtime/objects/gc.ts (representation described there
 * and in docs/architecture.md).
 */
import { Trap } from '../core/errors.js';
import { INSTRS } from '../core/instructions.js';
import type { Instr } from '../decoder/instr.js';
import { ANYREF, EXTERNREF, HEAP_CONCRETE, HeapType, I32, refType, type ArrayType, type StructType, type ValType } from '../core/types.js';
import type { FuncValidator } from '../validate/func.js';
import { unpacked } from '../validate/types.js';
import { elemSurcharge } from '../runtime/objects/costs.js';
import { paySurcharge } from './fuel.js';
import type { Instance } from '../runtime/objects/instance.js';
import type { Machine } from './machine.js';

import {
  BYTES,
  bytesOf,
  checkArraySize,
  copyElems,
  descEq,
  descriptorOperand,
  externalize,
  fillElems,
  GcArray,
  GcStruct,
  gcType,
  internalize,
  K_I16,
  K_I32,
  K_I64,
  K_I8,
  K_REF,
  K_V128,
  newArray,
  newStruct,
  putElem,
  putEntry,
  refTest,
  WORDS,
} from '../runtime/objects/gc.js';
// ------------------------------------------------------------------ MISC handlers

function nullStruct(): never {
  throw new Trap('null structure reference');
}
function nullArray(): never {
  throw new Trap('null array reference');
}
function arrayOob(): never {
  throw new Trap('out of bounds array access');
}

function asStruct(v: unknown): GcStruct {
  if (v instanceof GcStruct) return v;
  if (v === null || v === undefined) nullStruct();
  throw new Trap('type mismatch: not a structure reference');
}
function asArray(v: unknown): GcArray {
  if (v instanceof GcArray) return v;
  if (v === null || v === undefined) nullArray();
  throw new Trap('type mismatch: not an array reference');
}

/**
 * A GC instruction: operand words d, s0, s1, s2 (absolute), immediates i0
 * (type index / heap type), i1 (field index / count / segment). Returns
 * false when a surcharge cannot be paid (nothing changed).
 */
type GcHandler = (mc: Machine, inst: Instance, d: number, s0: number, s1: number, s2: number, i0: number, i1: number) => boolean;

/** Word of operand j of an instruction with n operands (consecutive slots from s0 when n > 3). */
function operand(j: number, n: number, s0: number, s1: number, s2: number): number {
  if (n > 3) return s0 + 4 * j;
  return j === 0 ? s0 : j === 1 ? s1 : s2;
}

function structGet(sign: number): GcHandler {
  return (mc, inst, d, s0, _s1, _s2, i0, i1) => {
    const st = asStruct(mc.refs[s0 >> 2]);
    const t = gcType(inst, i0);
    const k = t.kinds[i1]!;
    const o = t.offs[i1]!;
    const s = mc.s;
    const read = t.read as (st: GcStruct, i: number) => number;
    switch (k) {
      case K_I32:
        s[d] = read(st, o);
        s[d + 1] = 0;
        break;
      case K_I64:
        s[d] = read(st, o);
        s[d + 1] = read(st, o + 1);
        break;
      case K_V128:
        s[d] = read(st, o);
        s[d + 1] = read(st, o + 1);
        s[d + 2] = read(st, o + 2);
        s[d + 3] = read(st, o + 3);
        break;
      case K_I8:
        s[d] = sign ? (read(st, o) << 24) >> 24 : read(st, o);
        s[d + 1] = 0;
        break;
      case K_I16:
        s[d] = sign ? (read(st, o) << 16) >> 16 : read(st, o);
        s[d + 1] = 0;
        break;
      default:
        mc.refs[d >> 2] = t.read(st, o);
    }
    return true;
  };
}

function arrayGet(sign: number): GcHandler {
  return (mc, _inst, d, s0, s1) => {
    const a = asArray(mc.refs[s0 >> 2]);
    const s = mc.s;
    const i = s[s1]! >>> 0;
    if (i >= a.len) arrayOob();
    const data = a.data;
    switch (a.type.elem) {
      case K_I32:
        s[d] = (data as Int32Array)[i]!;
        s[d + 1] = 0;
        break;
      case K_I64:
        s[d] = (data as Int32Array)[2 * i]!;
        s[d + 1] = (data as Int32Array)[2 * i + 1]!;
        break;
      case K_V128:
        s.set((data as Int32Array).subarray(4 * i, 4 * i + 4), d);
        break;
      case K_I8:
        s[d] = sign ? ((data as Uint8Array)[i]! << 24) >> 24 : (data as Uint8Array)[i]!;
        s[d + 1] = 0;
        break;
      case K_I16:
        s[d] = sign ? ((data as Uint16Array)[i]! << 16) >> 16 : (data as Uint16Array)[i]!;
        s[d + 1] = 0;
        break;
      default:
        mc.refs[d >> 2] = (data as unknown[])[i];
    }
    return true;
  };
}

function castOp(nullable: boolean, test: boolean): GcHandler {
  return (mc, inst, d, s0, _s1, _s2, i0) => {
    const v = mc.refs[s0 >> 2];
    const ok = refTest(inst, v, i0, nullable);
    if (test) {
      mc.s[d] = ok ? 1 : 0;
      mc.s[d + 1] = 0;
    } else {
      if (!ok) throw new Trap('cast failure');
      mc.refs[d >> 2] = v;
    }
    return true;
  };
}

/** br_on_cast / br_on_cast_fail: d = whether to branch; i0 = target heap, i1 = flags (bit 1: target nullable). */
function brOnCastTest(fail: boolean): GcHandler {
  return (mc, inst, d, s0, _s1, _s2, i0, i1) => {
    const ok = refTest(inst, mc.refs[s0 >> 2], i0, (i1 & 2) !== 0);
    mc.s[d] = ok !== fail ? 1 : 0;
    return true;
  };
}

/** ref.cast_desc_eq: s0 the reference, s1 the descriptor; i0 the module-local target heap; `nullable` target. */
function castDescEq(nullable: boolean): GcHandler {
  return (mc, _inst, d, s0, s1) => {
    const desc = descriptorOperand(mc.refs[s1 >> 2]);
    const v = mc.refs[s0 >> 2];
    if (!descEq(v, desc, nullable)) throw new Trap('descriptor cast failure');
    mc.refs[d >> 2] = v;
    return true;
  };
}

/** br_on_cast_desc_eq(_fail): d = whether to branch; s1 the descriptor; i1 = flags (bit 1: target nullable). */
function brOnCastDescTest(fail: boolean): GcHandler {
  return (mc, _inst, d, s0, s1, _s2, _i0, i1) => {
    const desc = descriptorOperand(mc.refs[s1 >> 2]);
    const ok = descEq(mc.refs[s0 >> 2], desc, (i1 & 2) !== 0);
    mc.s[d] = ok !== fail ? 1 : 0;
    return true;
  };
}

const HANDLERS: Record<string, GcHandler> = {
  'struct.new': (mc, inst, d, s0, s1, s2, i0) => {
    const t = gcType(inst, i0);
    const o = newStruct(t);
    const kinds = t.kinds;
    const offs = t.offs;
    const n = kinds.length;
    const s = mc.s;
    const refs = mc.refs;
    for (let j = 0; j < n; j++) {
      const w = operand(j, n, s0, s1, s2);
      putEntry(t, o, offs[j]!, kinds[j]!, s, w, refs[w >> 2]);
    }
    refs[d >> 2] = o;
    return true;
  },
  'struct.new_default': (mc, inst, d, _s0, _s1, _s2, i0) => {
    mc.refs[d >> 2] = newStruct(gcType(inst, i0));
    return true;
  },
  // custom descriptors: the descriptor is the last operand
  'struct.new_desc': (mc, inst, d, s0, s1, s2, i0) => {
    const t = gcType(inst, i0);
    const kinds = t.kinds;
    const n = kinds.length;
    const refs = mc.refs;
    const desc = descriptorOperand(refs[operand(n, n + 1, s0, s1, s2) >> 2]);
    const o = newStruct(t, desc);
    const offs = t.offs;
    const s = mc.s;
    for (let j = 0; j < n; j++) {
      const w = operand(j, n + 1, s0, s1, s2);
      putEntry(t, o, offs[j]!, kinds[j]!, s, w, refs[w >> 2]);
    }
    refs[d >> 2] = o;
    return true;
  },
  'struct.new_default_desc': (mc, inst, d, s0, _s1, _s2, i0) => {
    const desc = descriptorOperand(mc.refs[s0 >> 2]);
    const t = gcType(inst, i0);
    mc.refs[d >> 2] = newStruct(t, desc);
    return true;
  },
  'ref.get_desc': (mc, _inst, d, s0) => {
    const v = mc.refs[s0 >> 2];
    if (v === null || v === undefined) throw new Trap('null reference');
    mc.refs[d >> 2] = (v as GcStruct).desc;
    return true;
  },
  'br_on_cast_desc_eq': brOnCastDescTest(false),
  'br_on_cast_desc_eq_fail': brOnCastDescTest(true),
  'struct.get': structGet(0),
  'struct.get_s': structGet(1),
  'struct.get_u': structGet(0),
  'struct.set': (mc, inst, _d, s0, s1, _s2, i0, i1) => {
    const st = asStruct(mc.refs[s0 >> 2]);
    const t = gcType(inst, i0);
    putEntry(t, st, t.offs[i1]!, t.kinds[i1]!, mc.s, s1, mc.refs[s1 >> 2]);
    return true;
  },
  'array.new': (mc, inst, d, s0, s1, _s2, i0) => {
    const t = gcType(inst, i0);
    const n = mc.s[s1]! >>> 0;
    checkArraySize(t, n, mc.limits);
    if (!paySurcharge(mc, elemSurcharge(mc.costs, n))) return false;
    const a = newArray(t, n);
    if (n > 0) fillElems(a, 0, n, mc.s, s0, mc.refs[s0 >> 2]);
    mc.refs[d >> 2] = a;
    return true;
  },
  'array.new_default': (mc, inst, d, s0, _s1, _s2, i0) => {
    const t = gcType(inst, i0);
    const n = mc.s[s0]! >>> 0;
    checkArraySize(t, n, mc.limits);
    if (!paySurcharge(mc, elemSurcharge(mc.costs, n))) return false;
    mc.refs[d >> 2] = newArray(t, n);
    return true;
  },
  'array.new_fixed': (mc, inst, d, s0, s1, s2, i0, i1) => {
    const t = gcType(inst, i0);
    const n = i1 >>> 0;
    const a = newArray(t, n);
    const s = mc.s;
    const refs = mc.refs;
    for (let j = 0; j < n; j++) {
      const w = operand(j, n, s0, s1, s2);
      putElem(a, j, s, w, refs[w >> 2]);
    }
    refs[d >> 2] = a;
    return true;
  },
  'array.new_data': (mc, inst, d, s0, s1, _s2, i0, i1) => {
    const t = gcType(inst, i0);
    const src = mc.s[s0]! >>> 0;
    const n = mc.s[s1]! >>> 0;
    const data = inst.datas[i1] ?? EMPTY_BYTES;
    const z = BYTES[t.elem]!;
    if (src + n * z > data.length) throw new Trap('out of bounds memory access');
    if (!paySurcharge(mc, elemSurcharge(mc.costs, n))) return false;
    const a = newArray(t, n);
    bytesOf(a).set(data.subarray(src, src + n * z));
    mc.refs[d >> 2] = a;
    return true;
  },
  'array.new_elem': (mc, inst, d, s0, s1, _s2, i0, i1) => {
    const t = gcType(inst, i0);
    const src = mc.s[s0]! >>> 0;
    const n = mc.s[s1]! >>> 0;
    const seg = inst.elems[i1] ?? EMPTY_REFS;
    if (src + n > seg.length) throw new Trap('out of bounds table access');
    if (!paySurcharge(mc, elemSurcharge(mc.costs, n))) return false;
    mc.refs[d >> 2] = new GcArray(t, n, seg.slice(src, src + n));
    return true;
  },
  'array.get': arrayGet(0),
  'array.get_s': arrayGet(1),
  'array.get_u': arrayGet(0),
  'array.set': (mc, _inst, _d, s0, s1, s2) => {
    const a = asArray(mc.refs[s0 >> 2]);
    const i = mc.s[s1]! >>> 0;
    if (i >= a.len) arrayOob();
    putElem(a, i, mc.s, s2, mc.refs[s2 >> 2]);
    return true;
  },
  'array.len': (mc, _inst, d, s0) => {
    mc.s[d] = asArray(mc.refs[s0 >> 2]).len;
    mc.s[d + 1] = 0;
    return true;
  },
  'array.fill': (mc, _inst, _d, s0) => {
    // ref i val n in consecutive slots
    const s = mc.s;
    const a = asArray(mc.refs[s0 >> 2]);
    const i = s[s0 + 4]! >>> 0;
    const n = s[s0 + 12]! >>> 0;
    if (i + n > a.len) arrayOob();
    if (!paySurcharge(mc, elemSurcharge(mc.costs, n))) return false;
    if (n > 0) fillElems(a, i, n, s, s0 + 8, mc.refs[(s0 + 8) >> 2]);
    return true;
  },
  'array.copy': (mc, _inst, _d, s0) => {
    // dst di src si n in consecutive slots
    const s = mc.s;
    const da = asArray(mc.refs[s0 >> 2]);
    const di = s[s0 + 4]! >>> 0;
    const sa = asArray(mc.refs[(s0 + 8) >> 2]);
    const si = s[s0 + 12]! >>> 0;
    const n = s[s0 + 16]! >>> 0;
    if (di + n > da.len || si + n > sa.len) arrayOob();
    if (!paySurcharge(mc, elemSurcharge(mc.costs, n))) return false;
    copyElems(da, di, sa, si, n);
    return true;
  },
  'array.init_data': (mc, inst, _d, s0, _s1, _s2, _i0, i1) => {
    // ref d s n in consecutive slots
    const s = mc.s;
    const a = asArray(mc.refs[s0 >> 2]);
    const di = s[s0 + 4]! >>> 0;
    const src = s[s0 + 8]! >>> 0;
    const n = s[s0 + 12]! >>> 0;
    const data = inst.datas[i1] ?? EMPTY_BYTES;
    const z = BYTES[a.type.elem]!;
    if (di + n > a.len) arrayOob();
    if (src + n * z > data.length) throw new Trap('out of bounds memory access');
    if (!paySurcharge(mc, elemSurcharge(mc.costs, n))) return false;
    bytesOf(a).set(data.subarray(src, src + n * z), di * z);
    return true;
  },
  'array.init_elem': (mc, inst, _d, s0, _s1, _s2, _i0, i1) => {
    const s = mc.s;
    const a = asArray(mc.refs[s0 >> 2]);
    const di = s[s0 + 4]! >>> 0;
    const src = s[s0 + 8]! >>> 0;
    const n = s[s0 + 12]! >>> 0;
    const seg = inst.elems[i1] ?? EMPTY_REFS;
    if (di + n > a.len) arrayOob();
    if (src + n > seg.length) throw new Trap('out of bounds table access');
    if (!paySurcharge(mc, elemSurcharge(mc.costs, n))) return false;
    const dd = a.data as unknown[];
    for (let k = 0; k < n; k++) dd[di + k] = seg[src + k];
    return true;
  },
  'any.convert_extern': (mc, _inst, d, s0) => {
    mc.refs[d >> 2] = internalize(mc.refs[s0 >> 2]);
    return true;
  },
  'extern.convert_any': (mc, _inst, d, s0) => {
    mc.refs[d >> 2] = externalize(mc.refs[s0 >> 2]);
    return true;
  },
  'ref.i31': (mc, _inst, d, s0) => {
    mc.refs[d >> 2] = (mc.s[s0]! << 1) >> 1;
    return true;
  },
  'i31.get_s': (mc, _inst, d, s0) => {
    const v = mc.refs[s0 >> 2];
    if (v === null || v === undefined) throw new Trap('null i31 reference');
    mc.s[d] = v as number;
    mc.s[d + 1] = 0;
    return true;
  },
  'i31.get_u': (mc, _inst, d, s0) => {
    const v = mc.refs[s0 >> 2];
    if (v === null || v === undefined) throw new Trap('null i31 reference');
    mc.s[d] = (v as number) & 0x7fffffff;
    mc.s[d + 1] = 0;
    return true;
  },
};

/** GC instruction handlers by instruction table id (undefined for everything else). */
export const GC_EXEC: (GcHandler | undefined)[] = (() => {
  const out: (GcHandler | undefined)[] = new Array(INSTRS.length);
  for (const def of INSTRS) {
    if (def.feature !== 'gc' && def.feature !== 'custom-descriptors') continue;
    const h = HANDLERS[def.name];
    if (h) out[def.id] = h;
    // ref.cast_desc_eq: 36 is the nullable form
    else if (def.name === 'ref.cast_desc_eq') out[def.id] = castDescEq(def.code === 36);
    // the nullable forms have the odd sub-opcodes 21 / 23
    else if (def.name === 'ref.test') out[def.id] = castOp(def.code === 21, true);
    else if (def.name === 'ref.cast') out[def.id] = castOp(def.code === 23, false);
    else if (def.name === 'br_on_cast') out[def.id] = brOnCastTest(false);
    else if (def.name === 'br_on_cast_fail') out[def.id] = brOnCastTest(true);
  }
  return out;
})();

const EMPTY_BYTES = new Uint8Array(0);
const EMPTY_REFS: unknown[] = [];

// ------------------------------------------------------------------ translation

/**
 * Operand count and result types of a GC instruction executed by MISC
 * (module-local types), or null when `ins` is not one. More than three
 * operands are passed in consecutive slots (the translator materializes
 * them).
 */
export function gcSignature(ins: Instr, v: FuncValidator): [number, readonly ValType[]] | null {
  const types = v.vm.module.types;
  const self = (): ValType[] => [refType(HEAP_CONCRETE + ins.a, false)];
  const struct = (): StructType => types[ins.a]!.comp as StructType;
  const array = (): ArrayType => types[ins.a]!.comp as ArrayType;
  const def = ins.def;
  switch (def.name) {
    case 'struct.new':
      return [struct().fields.length, self()];
    case 'struct.new_default':
      return [0, self()];
    case 'struct.new_desc':
      return [struct().fields.length + 1, self()];
    case 'struct.new_default_desc':
      return [1, self()];
    case 'ref.get_desc':
      return [1, [refType(HEAP_CONCRETE + types[ins.a]!.descriptor!, false)]];
    case 'ref.cast_desc_eq':
      return [2, [refType(ins.a, def.code === 36)]];
    case 'struct.get':
    case 'struct.get_s':
    case 'struct.get_u':
      return [1, [unpacked(struct().fields[ins.b]!.type)]];
    case 'struct.set':
      return [2, []];
    case 'array.new':
    case 'array.new_data':
    case 'array.new_elem':
      return [2, self()];
    case 'array.new_default':
      return [1, self()];
    case 'array.new_fixed':
      return [ins.b, self()];
    case 'array.get':
    case 'array.get_s':
    case 'array.get_u':
      return [2, [unpacked(array().field.type)]];
    case 'array.set':
      return [3, []];
    case 'array.len':
      return [1, [I32]];
    case 'array.fill':
    case 'array.init_data':
    case 'array.init_elem':
      return [4, []];
    case 'array.copy':
      return [5, []];
    case 'ref.test':
      return [1, [I32]];
    case 'ref.cast':
      return [1, [refType(ins.a, def.code === 23)]];
    case 'any.convert_extern':
      return [1, [ANYREF]];
    case 'extern.convert_any':
      return [1, [EXTERNREF]];
    case 'ref.i31':
      return [1, [refType(HeapType.i31, false)]];
    case 'i31.get_s':
    case 'i31.get_u':
      return [1, [I32]];
  }
  return null;
}
