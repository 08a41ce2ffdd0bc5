/**
 * Reference instructions (ref.null, ref.is_null, ref.as_non_null, ref.func, ref.eq) and the GC proposal's:
 * structs, arrays, casts (ref.test, ref.cast, br_on_cast, br_on_cast_fail), extern/any conversions and i31.
 */
import type { InstrDef } from '../core/instructions.js';
import { EXACT_HEAP, HEAP_CONCRETE, HEAP_NAMES, HeapType, I16, I32, I8, REF_BASE, heapIndex, isExactHeap } from '../core/types.js';
import type { Instr } from '../decoder/instr.js';
import { defaultable, type Checker } from './checker.js';
import { codeTableByName, fmtTypes, refT, typeName } from './ops.js';
import { BOTTOM, HEAP_BOT, isNumOrVec, unpacked } from './types.js';

const enum C {
  None = 0,
  RefNull,
  RefIsNull,
  RefAsNonNull,
  RefFunc,
  RefEq,
  StructNew,
  StructNewDefault,
  StructGet,
  StructGetS,
  StructGetU,
  StructSet,
  ArrayNew,
  ArrayNewDefault,
  ArrayNewFixed,
  ArrayNewData,
  ArrayNewElem,
  ArrayGet,
  ArrayGetS,
  ArrayGetU,
  ArraySet,
  ArrayLen,
  ArrayFill,
  ArrayCopy,
  ArrayInitData,
  ArrayInitElem,
  RefTest,
  RefCast,
  BrOnCast,
  BrOnCastFail,
  AnyConvertExtern,
  ExternConvertAny,
  RefI31,
  I31Get,
  StructNewDesc,
  StructNewDefaultDesc,
  RefGetDesc,
  RefCastDescEq,
  BrOnCastDescEq,
  BrOnCastDescEqFail,
}
const NAMES: Record<string, C> = {
  'ref.null': C.RefNull,
  'ref.is_null': C.RefIsNull,
  'ref.as_non_null': C.RefAsNonNull,
  'ref.func': C.RefFunc,
  'ref.eq': C.RefEq,
  'struct.new': C.StructNew,
  'struct.new_default': C.StructNewDefault,
  'struct.get': C.StructGet,
  'struct.get_s': C.StructGetS,
  'struct.get_u': C.StructGetU,
  'struct.set': C.StructSet,
  'array.new': C.ArrayNew,
  'array.new_default': C.ArrayNewDefault,
  'array.new_fixed': C.ArrayNewFixed,
  'array.new_data': C.ArrayNewData,
  'array.new_elem': C.ArrayNewElem,
  'array.get': C.ArrayGet,
  'array.get_s': C.ArrayGetS,
  'array.get_u': C.ArrayGetU,
  'array.set': C.ArraySet,
  'array.len': C.ArrayLen,
  'array.fill': C.ArrayFill,
  'array.copy': C.ArrayCopy,
  'array.init_data': C.ArrayInitData,
  'array.init_elem': C.ArrayInitElem,
  'ref.test': C.RefTest,
  'ref.cast': C.RefCast,
  br_on_cast: C.BrOnCast,
  br_on_cast_fail: C.BrOnCastFail,
  'any.convert_extern': C.AnyConvertExtern,
  'extern.convert_any': C.ExternConvertAny,
  'ref.i31': C.RefI31,
  'i31.get_s': C.I31Get,
  'i31.get_u': C.I31Get,
  'struct.new_desc': C.StructNewDesc,
  'struct.new_default_desc': C.StructNewDefaultDesc,
  'ref.get_desc': C.RefGetDesc,
  'ref.cast_desc_eq': C.RefCastDescEq,
  br_on_cast_desc_eq: C.BrOnCastDescEq,
  br_on_cast_desc_eq_fail: C.BrOnCastDescEqFail,
};

/**
 * (ref exact? $x) of type index x: what allocations and ref.func produce; inexact with the custom-descriptors
 * feature off (Wasm 3.0 has no exact types).
 */
function exactRef(v: Checker, x: number, exact = true): number {
  return refT(HEAP_CONCRETE + x + (exact && v.vm.options.features['custom-descriptors'] ? EXACT_HEAP : 0), false);
}

/** Custom descriptors: the descriptor type index of type `x`, failing with `what` when it has none. */
function descriptorOf(v: Checker, x: number, what: string): number {
  const d = v.vm.module.types[x]?.descriptor;
  if (d === undefined) v.fail(what);
  return d;
}

/** Custom descriptors: pops the descriptor operand of type `y`'s descriptor y, exact when `exact`. */
function popDescriptor(v: Checker, y: number, exact: boolean): void {
  v.pop(refT(HEAP_CONCRETE + y + (exact ? EXACT_HEAP : 0), true));
}
const CODES = codeTableByName(NAMES);

/** The family's instructions. */
export function isReference(d: InstrDef): boolean {
  return CODES[d.id] !== C.None;
}

/** Checks `ins` (definition `def`, one of this family's). */
export function checkReference(v: Checker, ins: Instr, def: InstrDef): void {
  const vm = v.vm;
  const code = CODES[def.id] as C;
  switch (code) {
    case C.RefNull:
      v.checkHeap(ins.a);
      v.push(refT(ins.a, true));
      return;
    case C.RefIsNull:
      v.popRef();
      v.push(I32);
      return;
    case C.RefAsNonNull: {
      const t = v.popRef();
      v.push(t === BOTTOM ? refT(HEAP_BOT, false) : t - ((t - REF_BASE) & 1));
      return;
    }
    case C.RefFunc: {
      const f = ins.a;
      if (f >= vm.funcTypes.length) v.fail(`unknown function ${f}`);
      if (v.isConst) {
        if (v.onRefFunc) v.onRefFunc(f);
      } else if (vm.declaredRefs[f] !== 1) v.fail('undeclared function reference');
      v.push(exactRef(v, vm.funcTypes[f]!, vm.funcExact[f] === 1));
      return;
    }
    case C.RefEq:
      v.pop(refT(HeapType.eq, true));
      v.pop(refT(HeapType.eq, true));
      v.push(I32);
      return;
    case C.StructNew:
    case C.StructNewDesc: {
      const s = v.structAt(ins.a);
      const desc = vm.module.types[ins.a]!.descriptor;
      if (code === C.StructNew && desc !== undefined) v.fail('type with descriptor requires descriptor allocation');
      if (code === C.StructNewDesc) popDescriptor(v, descriptorOf(v, ins.a, 'type without descriptor requires non-descriptor allocation'), true);
      const fs = s.fields;
      for (let i = fs.length - 1; i >= 0; i--) v.pop(unpacked(fs[i]!.type));
      v.push(exactRef(v, ins.a));
      return;
    }
    case C.StructNewDefault:
    case C.StructNewDefaultDesc: {
      const s = v.structAt(ins.a);
      const desc = vm.module.types[ins.a]!.descriptor;
      if (code === C.StructNewDefault && desc !== undefined) v.fail('type with descriptor requires descriptor allocation');
      for (const f of s.fields) if (!defaultable(f.type)) v.fail('type mismatch: field type is not defaultable');
      if (code === C.StructNewDefaultDesc) popDescriptor(v, descriptorOf(v, ins.a, 'type without descriptor requires non-descriptor allocation'), true);
      v.push(exactRef(v, ins.a));
      return;
    }
    case C.RefGetDesc: {
      if (ins.a >= vm.module.types.length) v.fail(`unknown type ${ins.a}`);
      const y = descriptorOf(v, ins.a, 'type without descriptor');
      const t = v.pop(refT(HEAP_CONCRETE + ins.a, true));
      // an exact operand (or a bottom one) has exactly this descriptor type
      v.push(exactRef(v, y, v.isSub(t, refT(HEAP_CONCRETE + ins.a + EXACT_HEAP, true))));
      return;
    }
    case C.RefCastDescEq: {
      const h = ins.a;
      v.checkHeap(h);
      const y = descriptorOf(v, heapIndex(h), `type ${h >= HEAP_CONCRETE ? heapIndex(h) : HEAP_NAMES[h]} does not have a descriptor`);
      popDescriptor(v, y, isExactHeap(h));
      v.pop(refT(vm.types.topHeap(h), true));
      v.push(refT(h, def.code === 36));
      return;
    }
    case C.StructGet:
    case C.StructGetS:
    case C.StructGetU: {
      const f = v.fieldAt(ins.a, ins.b);
      const packed = f.type === I8 || f.type === I16;
      if (packed !== (code !== C.StructGet)) {
        v.fail(packed ? 'type mismatch: field is packed' : 'type mismatch: field is not packed');
      }
      v.pop(refT(HEAP_CONCRETE + ins.a, true));
      v.push(unpacked(f.type));
      return;
    }
    case C.StructSet: {
      const f = v.fieldAt(ins.a, ins.b);
      if (!f.mutable) v.fail('immutable field');
      v.pop(unpacked(f.type));
      v.pop(refT(HEAP_CONCRETE + ins.a, true));
      return;
    }
    case C.ArrayNew: {
      const a = v.arrayAt(ins.a);
      v.pop(I32);
      v.pop(unpacked(a.field.type));
      v.push(exactRef(v, ins.a));
      return;
    }
    case C.ArrayNewDefault: {
      const a = v.arrayAt(ins.a);
      if (!defaultable(a.field.type)) v.fail('type mismatch: array type is not defaultable');
      v.pop(I32);
      v.push(exactRef(v, ins.a));
      return;
    }
    case C.ArrayNewFixed: {
      const a = v.arrayAt(ins.a);
      const t = unpacked(a.field.type);
      // at most the frame's operands can be checked; in unreachable code the rest are bottom
      const avail = v.frameHeight;
      const n = ins.b <= avail ? ins.b : avail + 1;
      for (let i = 0; i < n; i++) v.pop(t);
      v.push(exactRef(v, ins.a));
      return;
    }
    case C.ArrayNewData: {
      const a = v.arrayAt(ins.a);
      if (!isNumOrVec(unpacked(a.field.type))) v.fail('array type is not numeric or vector');
      v.checkData(ins.b);
      v.pop(I32);
      v.pop(I32);
      v.push(exactRef(v, ins.a));
      return;
    }
    case C.ArrayNewElem: {
      const a = v.arrayAt(ins.a);
      const et = v.elemType(ins.b);
      if (!v.isSub(et, a.field.type)) v.fail('type mismatch: array.new_elem element type');
      v.pop(I32);
      v.pop(I32);
      v.push(exactRef(v, ins.a));
      return;
    }
    case C.ArrayGet:
    case C.ArrayGetS:
    case C.ArrayGetU: {
      const a = v.arrayAt(ins.a);
      const packed = a.field.type === I8 || a.field.type === I16;
      if (packed !== (code !== C.ArrayGet)) {
        v.fail(packed ? 'type mismatch: array is packed' : 'type mismatch: array is not packed');
      }
      v.pop(I32);
      v.pop(refT(HEAP_CONCRETE + ins.a, true));
      v.push(unpacked(a.field.type));
      return;
    }
    case C.ArraySet: {
      const a = v.arrayAt(ins.a);
      if (!a.field.mutable) v.fail('immutable array');
      v.pop(unpacked(a.field.type));
      v.pop(I32);
      v.pop(refT(HEAP_CONCRETE + ins.a, true));
      return;
    }
    case C.ArrayLen:
      v.pop(refT(HeapType.array, true));
      v.push(I32);
      return;
    case C.ArrayFill: {
      const a = v.arrayAt(ins.a);
      if (!a.field.mutable) v.fail('immutable array');
      v.pop(I32);
      v.pop(unpacked(a.field.type));
      v.pop(I32);
      v.pop(refT(HEAP_CONCRETE + ins.a, true));
      return;
    }
    case C.ArrayCopy: {
      const d = v.arrayAt(ins.a);
      const s = v.arrayAt(ins.b);
      if (!d.field.mutable) v.fail('immutable array');
      if (!v.isSub(s.field.type, d.field.type)) v.fail('array types do not match');
      v.pop(I32);
      v.pop(I32);
      v.pop(refT(HEAP_CONCRETE + ins.b, true));
      v.pop(I32);
      v.pop(refT(HEAP_CONCRETE + ins.a, true));
      return;
    }
    case C.ArrayInitData: {
      const a = v.arrayAt(ins.a);
      if (!a.field.mutable) v.fail('immutable array');
      if (!isNumOrVec(unpacked(a.field.type))) v.fail('array type is not numeric or vector');
      v.checkData(ins.b);
      v.pop(I32);
      v.pop(I32);
      v.pop(I32);
      v.pop(refT(HEAP_CONCRETE + ins.a, true));
      return;
    }
    case C.ArrayInitElem: {
      const a = v.arrayAt(ins.a);
      if (!a.field.mutable) v.fail('immutable array');
      const et = v.elemType(ins.b);
      if (!v.isSub(et, a.field.type)) v.fail('type mismatch: array.init_elem element type');
      v.pop(I32);
      v.pop(I32);
      v.pop(I32);
      v.pop(refT(HEAP_CONCRETE + ins.a, true));
      return;
    }
    case C.RefTest:
    case C.RefCast: {
      const h = ins.a;
      v.checkHeap(h);
      const top = vm.types.topHeap(h);
      const nullable = def.code === 21 || def.code === 23;
      v.pop(refT(top, true));
      v.push(code === C.RefTest ? I32 : refT(h, nullable));
      return;
    }
    case C.BrOnCast:
    case C.BrOnCastFail:
    case C.BrOnCastDescEq:
    case C.BrOnCastDescEqFail: {
      const flags = ins.a;
      v.checkHeap(ins.ht1);
      v.checkHeap(ins.ht2);
      const desc = code === C.BrOnCastDescEq || code === C.BrOnCastDescEqFail;
      const y = desc
        ? descriptorOf(v, heapIndex(ins.ht2), `type ${ins.ht2 >= HEAP_CONCRETE ? heapIndex(ins.ht2) : HEAP_NAMES[ins.ht2]} does not have a descriptor`)
        : -1;
      const rt1 = refT(ins.ht1, (flags & 1) !== 0);
      const rt2 = refT(ins.ht2, (flags & 2) !== 0);
      // Wasm 3.0: the target type is a subtype of the source type; custom descriptors relaxes it to the same hierarchy
      if (vm.options.features['custom-descriptors'] ? vm.types.topHeap(ins.ht1) !== vm.types.topHeap(ins.ht2) : !v.isSub(rt2, rt1)) {
        v.fail('type mismatch: br_on_cast target type must be a subtype of the source type');
      }
      const ts = v.label(ins.b);
      const n = ts.length;
      if (n === 0) v.fail('type mismatch: br_on_cast requires a reference label');
      const diff = refT(ins.ht1, (flags & 1) !== 0 && (flags & 2) === 0);
      const fail = code === C.BrOnCastFail || code === C.BrOnCastDescEqFail;
      const toLabel = fail ? diff : rt2;
      if (!v.isSub(toLabel, ts[n - 1]!)) {
        v.fail(`type mismatch: instruction requires ${fmtTypes(ts)} for the branch but it carries ${typeName(toLabel)}`);
      }
      if (desc) popDescriptor(v, y, isExactHeap(ins.ht2));
      v.pop(rt1);
      v.popVals(ts, 0, n - 1);
      for (let i = 0; i < n - 1; i++) v.push(ts[i]!);
      v.push(fail ? rt2 : diff);
      return;
    }
    case C.AnyConvertExtern: {
      const t = v.pop(refT(HeapType.extern, true));
      v.push(refT(HeapType.any, t !== BOTTOM && ((t - REF_BASE) & 1) === 1));
      return;
    }
    case C.ExternConvertAny: {
      const t = v.pop(refT(HeapType.any, true));
      v.push(refT(HeapType.extern, t !== BOTTOM && ((t - REF_BASE) & 1) === 1));
      return;
    }
    case C.RefI31:
      v.pop(I32);
      v.push(refT(HeapType.i31, false));
      return;
    case C.I31Get:
      v.pop(refT(HeapType.i31, true));
      v.push(I32);
      return;
  }
}
