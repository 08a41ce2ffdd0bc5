import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import {
  ANYREF,
  ARRAYREF,
  EQREF,
  EXNREF,
  EXTERNREF,
  FUNCREF,
  HEAP_CONCRETE,
  HeapType,
  I31REF,
  I32,
  I64,
  NULLEXTERNREF,
  NULLFUNCREF,
  NULLREF,
  STRUCTREF,
  refType,
  type SubType,
} from '../../src/core/types.js';
import { BOTTOM, HEAP_BOT, TypeRegistry, toCanonVal, validateModule, validateTypes } from '../../src/validate/index.js';
import { arraytype, functype, mod, structtype, types } from './validate-helpers.js';

const C = (i: number, nullable = true) => refType(HEAP_CONCRETE + i, nullable);

describe('abstract heap subtyping', () => {
  const reg = new TypeRegistry();
  it('follows any > eq > {i31, struct, array} > none and the other hierarchies', () => {
    const sub = (a: number, b: number) => reg.isSubVal(a, b);
    expect(sub(I31REF, EQREF)).toBe(true);
    expect(sub(STRUCTREF, ANYREF)).toBe(true);
    expect(sub(ARRAYREF, EQREF)).toBe(true);
    expect(sub(NULLREF, I31REF)).toBe(true);
    expect(sub(EQREF, I31REF)).toBe(false);
    expect(sub(STRUCTREF, ARRAYREF)).toBe(false);
    expect(sub(NULLFUNCREF, FUNCREF)).toBe(true);
    expect(sub(NULLEXTERNREF, EXTERNREF)).toBe(true);
    expect(sub(FUNCREF, ANYREF)).toBe(false);
    expect(sub(EXTERNREF, ANYREF)).toBe(false);
    expect(sub(NULLREF, FUNCREF)).toBe(false);
    expect(sub(refType(HeapType.noexn, true), EXNREF)).toBe(true);
    expect(sub(refType(HeapType.any, false), ANYREF)).toBe(true);
    expect(sub(ANYREF, refType(HeapType.any, false))).toBe(false);
    expect(sub(I32, I64)).toBe(false);
    expect(sub(BOTTOM, I64)).toBe(true);
    expect(sub(refType(HEAP_BOT, false), refType(HeapType.func, false))).toBe(true);
  });
});

describe('defined types', () => {
  it('concrete types are below their abstract kind and above the bottom', () => {
    const m = mod({ types: types(functype([], []), structtype([]), arraytype({ type: I32, mutable: false })) });
    const mt = validateTypes(m, new TypeRegistry());
    expect(mt.isSubVal(C(0), FUNCREF)).toBe(true);
    expect(mt.isSubVal(C(0), ANYREF)).toBe(false);
    expect(mt.isSubVal(C(1), STRUCTREF)).toBe(true);
    expect(mt.isSubVal(C(1), EQREF)).toBe(true);
    expect(mt.isSubVal(C(2), ARRAYREF)).toBe(true);
    expect(mt.isSubVal(C(2), STRUCTREF)).toBe(false);
    expect(mt.isSubVal(NULLREF, C(1))).toBe(true);
    expect(mt.isSubVal(NULLFUNCREF, C(0))).toBe(true);
    expect(mt.isSubVal(NULLREF, C(0))).toBe(false);
  });
  it('declared supertypes give subtyping; structurally identical types are equal', () => {
    const ts: SubType[] = types(
      structtype([{ type: I32, mutable: false }], { final: false }),
      structtype([{ type: I32, mutable: false }, { type: I64, mutable: true }], { supers: [0] }),
      structtype([{ type: I32, mutable: false }], { final: false }), // same as 0
    );
    const mt = validateTypes(mod({ types: ts }), new TypeRegistry());
    expect(mt.isSubVal(C(1), C(0))).toBe(true);
    expect(mt.isSubVal(C(0), C(1))).toBe(false);
    expect(mt.canon[0]).toBe(mt.canon[2]);
    expect(mt.isSubVal(C(1), C(2))).toBe(true);
  });
  it('rec groups are compared iso-recursively', () => {
    const reg = new TypeRegistry();
    // (rec (type $a (struct (field (ref null $b)))) (type $b (struct (field (ref null $a)))))
    const group = (base: number): SubType[] => [
      { ...structtype([{ type: C(base + 1), mutable: false }]), recStart: base, recSize: 2 },
      { ...structtype([{ type: C(base), mutable: false }]), recStart: base, recSize: 2 },
    ];
    const m1 = mod({ types: group(0) });
    const m2 = mod({ types: [functype([], []), ...group(1)] });
    const c1 = reg.canon(m1);
    const c2 = reg.canon(m2);
    expect(c1[0]).toBe(c2[1]);
    expect(c1[1]).toBe(c2[2]);
    expect(c1[0]).not.toBe(c1[1]);
    // the same structure as two singleton groups is a different type
    const m3 = mod({
      types: [structtype([{ type: C(1), mutable: false }]), structtype([{ type: C(0), mutable: false }], {}, 1)],
    });
    expect(() => reg.canon(m3)).toThrow(ValidationError); // forward reference outside the group
    // canonical value types compare across modules
    expect(toCanonVal(C(0), c1)).toBe(toCanonVal(C(1), c2));
  });
  it('registry subtype checks walk the supertype chain in O(1)', () => {
    const reg = new TypeRegistry();
    const ts = types(
      functype([], [], { final: false }),
      functype([], [], { final: false, supers: [0] }),
      functype([], [], { final: true, supers: [1] }),
    );
    const c = reg.canon(mod({ types: ts }));
    expect(reg.isSubtype(c[2]!, c[0]!)).toBe(true);
    expect(reg.isSubtype(c[0]!, c[2]!)).toBe(false);
    expect(reg.get(c[2]!).chain.length).toBe(3);
    expect(reg.funcType(c[0]!).params).toEqual([]);
    // a second module with the same types shares the ids
    expect(Array.from(reg.canon(mod({ types: ts.map((t) => ({ ...t })) })))).toEqual(Array.from(c));
  });
});

describe('type section validity', () => {
  const bad = (ts: SubType[], msg: string) => {
    expect(() => validateModule(mod({ types: ts }))).toThrow(msg);
  };
  it('rejects final and mismatched supertypes', () => {
    bad(types(functype([], []), functype([], [], { supers: [0] })), 'sub type 1 has final super type 0');
    bad(types(arraytype({ type: I32, mutable: false }, { final: false }), structtype([], { supers: [0] })), 'sub type 1 does not match super type 0');
    bad(
      types(arraytype({ type: I32, mutable: false }, { final: false }), arraytype({ type: I64, mutable: false }, { supers: [0] })),
      'sub type',
    );
    // mutable fields are invariant
    bad(
      types(arraytype({ type: ANYREF, mutable: true }, { final: false }), arraytype({ type: NULLREF, mutable: true }, { supers: [0] })),
      'sub type',
    );
    // immutable fields are covariant
    expect(() =>
      validateModule(mod({ types: types(arraytype({ type: ANYREF, mutable: false }, { final: false }), arraytype({ type: NULLREF, mutable: false }, { supers: [0] })) })),
    ).not.toThrow();
    // function params are contravariant, results covariant
    expect(() =>
      validateModule(mod({ types: types(functype([NULLREF], [ANYREF], { final: false }), functype([ANYREF], [NULLREF], { supers: [0] })) })),
    ).not.toThrow();
    bad(types(functype([ANYREF], [], { final: false }), functype([NULLREF], [], { supers: [0] })), 'sub type');
  });
  it('rejects unknown types', () => {
    bad([structtype([{ type: C(1), mutable: false }])], 'unknown type 1');
    bad([arraytype({ type: C(10), mutable: true })], 'unknown type 10');
    bad(types(functype([], [], { supers: [0] })), 'sub type 0');
  });
});
