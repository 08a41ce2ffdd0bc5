/**
 * The custom-descriptors proposal's type rules beyond what its .wast files check: the binary round trip of
 * exact types, descriptor clauses, exact imports and the new instructions; canonicalisation with the clauses
 * and exactness; the feature switch (off in the 3.0 profile, the Wasm 3.0 br_on_cast rule when off); the
 * exact import link rule; and the descriptor a struct keeps.
 */
import { describe, expect, it } from 'vitest';
import { DecodeError, LinkError, ValidationError } from '../../src/core/errors.js';
import { PROFILES } from '../../src/core/instructions.js';
import { EXACT_HEAP, HEAP_CONCRETE, heapIndex, inexactHeap, isExactHeap, refType, valTypeName, withExact } from '../../src/core/types.js';
import { decodeModule } from '../../src/decoder/index.js';
import { encodeModule } from '../../src/encoder/index.js';
import { GcStruct, Linker, Module, Store } from '../../src/index.js';
import { watToBinary } from '../../src/text/index.js';
import { resolveFeatures } from '../../src/validate/features.js';
import { validateModule } from '../../src/validate/module.js';
import { TypeRegistry } from '../../src/validate/types.js';
import { rejection } from './validate-helpers.js';

const TYPES = `
  (rec
    (type $obj (sub (descriptor $vt) (struct (field i32) (field (ref null (exact $obj))))))
    (type $vt (sub (describes $obj) (descriptor $meta) (struct (field (ref (exact $f))))))
    (type $meta (describes $vt) (struct))
    (type $f (func (param (ref null (exact $obj))) (result i32))))`;

const EVERYTHING = `(module ${TYPES}
  (import "m" "g" (func $g (exact (type $f))))
  (global $meta (ref (exact $meta)) (struct.new $meta))
  (global $vt (ref (exact $vt)) (struct.new_desc $vt (ref.func $h) (global.get $meta)))
  (elem declare func $h)
  (func $h (type $f) (i32.const 1))
  (func (param $o anyref) (result i32)
    (drop (struct.new_desc $obj (i32.const 1) (ref.null none) (global.get $vt)))
    (drop (struct.new_default_desc $obj (global.get $vt)))
    (drop (ref.get_desc $obj (ref.cast_desc_eq (ref null (exact $obj)) (local.get $o) (global.get $vt))))
    (drop (ref.cast_desc_eq (ref $obj) (local.get $o) (global.get $vt)))
    (drop (ref.test (ref null (exact $obj)) (local.get $o)))
    (drop (block (result anyref) (br_on_cast_desc_eq 0 anyref (ref $obj) (local.get $o) (global.get $vt))))
    (drop (block (result anyref) (br_on_cast_desc_eq_fail 0 anyref (ref null (exact $obj)) (local.get $o) (global.get $vt))))
    (i32.const 0)))`;

describe('custom descriptors: binary format', () => {
  it('round trip: decode(encode(m)) equals m, re-encoding is byte-identical, and the module validates', () => {
    const bytes = watToBinary(EVERYTHING);
    const m = decodeModule(bytes);
    expect(m.types[0]).toMatchObject({ descriptor: 1, supers: [], final: false });
    expect(m.types[1]).toMatchObject({ describes: 0, descriptor: 2 });
    expect(m.types[2]).toMatchObject({ describes: 1 });
    expect(m.types[2]!.descriptor).toBeUndefined();
    expect(m.imports[0]!.desc).toEqual({ kind: 'func', typeIndex: 3, exact: true });
    expect(m.types[3]!.recStart).toBe(0);
    const field = (m.types[0]!.comp as { fields: { type: number }[] }).fields[1]!.type;
    expect(field).toBe(refType(HEAP_CONCRETE + 0 + EXACT_HEAP, true));
    const again = encodeModule(m);
    expect([...again]).toEqual([...bytes]);
    expect(decodeModule(again).types).toEqual(m.types);
    expect(() => validateModule(m)).not.toThrow();
  });

  it('0x62 needs a type index after it: no exact abstract heap types', () => {
    // (type (struct (field (ref exact any)))): 0x64 0x62 0x6e
    const bad = Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 7, 1, 0x5f, 1, 0x64, 0x62, 0x6e, 0);
    expect(() => decodeModule(bad)).toThrow(DecodeError);
    const good = bad.slice();
    good[15] = 0; // (ref (exact 0))
    expect(decodeModule(good).types).toHaveLength(1);
  });

  it('exact heap codes: helpers and names', () => {
    const h = HEAP_CONCRETE + 5 + EXACT_HEAP;
    expect([isExactHeap(h), inexactHeap(h), heapIndex(h), heapIndex(HEAP_CONCRETE + 5)]).toEqual([true, HEAP_CONCRETE + 5, 5, 5]);
    expect(valTypeName(refType(h, true))).toBe('(ref null (exact 5))');
    expect(withExact(refType(HEAP_CONCRETE + 5, false), true)).toBe(refType(h, false));
    // abstract heap types are never exact
    expect(withExact(refType(2, false), true)).toBe(refType(2, false));
  });
});

describe('custom descriptors: canonicalisation', () => {
  const canon = (reg: TypeRegistry, wat: string): Int32Array => reg.canon(decodeModule(watToBinary(wat)));

  it('clauses and exactness are part of a type\'s identity; equal groups are one canonical type across modules', () => {
    const reg = new TypeRegistry();
    const a = canon(reg, '(module (rec (type (descriptor 1) (struct (field i32))) (type (describes 0) (struct))))');
    const b = canon(reg, '(module (rec (type (descriptor 1) (struct (field i32))) (type (describes 0) (struct))))');
    const c = canon(reg, '(module (rec (type (struct (field i32))) (type (struct))))');
    expect([...b]).toEqual([...a]);
    expect(c[0]).not.toBe(a[0]);
    const e1 = canon(reg, '(module (type (struct)) (type (struct (field (ref (exact 0))))))');
    const e2 = canon(reg, '(module (type (struct)) (type (struct (field (ref 0)))))');
    expect(e1[0]).toBe(e2[0]);
    expect(e1[1]).not.toBe(e2[1]);
    expect(reg.get(a[0]!).descriptor).toBe(a[1]);
    expect(reg.get(a[1]!).describes).toBe(a[0]);
    expect(reg.get(c[0]!).descriptor).toBe(-1);
  });

  it('subtyping: an exact type is below its inexact form, only the bottom type is below it', () => {
    const reg = new TypeRegistry();
    const [sup, sub] = canon(reg, '(module (type (sub (struct))) (type (sub 0 (struct))))');
    const x = (id: number): number => HEAP_CONCRETE + id + EXACT_HEAP;
    expect(reg.isSubHeap(x(sup!), HEAP_CONCRETE + sup!)).toBe(true);
    expect(reg.isSubHeap(x(sub!), HEAP_CONCRETE + sup!)).toBe(true);
    expect(reg.isSubHeap(x(sub!), x(sup!))).toBe(false);
    expect(reg.isSubHeap(HEAP_CONCRETE + sup!, x(sup!))).toBe(false);
    expect(reg.isSubHeap(7 /* none */, x(sup!))).toBe(true);
    expect(reg.isSubHeap(8 /* nofunc */, x(sup!))).toBe(false);
    expect(reg.isSubHeap(x(sup!), 5 /* struct */)).toBe(true);
  });
});

describe('custom descriptors: the feature switch', () => {
  it('is on by default, off in the 3.0 profile, and cannot be switched on there', () => {
    expect(resolveFeatures(undefined)['custom-descriptors']).toBe(true);
    expect(resolveFeatures('3.0')['custom-descriptors']).toBe(false);
    expect(PROFILES['3.0']).not.toContain('custom-descriptors');
    expect(() => resolveFeatures({ profile: '3.0', 'custom-descriptors': true })).toThrow(RangeError);
    // gc off takes custom descriptors with it
    expect(resolveFeatures({ gc: false })['custom-descriptors']).toBe(false);
    const data = decodeModule(watToBinary(EVERYTHING));
    const e = rejection(() => validateModule(data, { features: '3.0' }));
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.message).toMatch(/descriptor clause \(feature 'custom-descriptors' is disabled\)/);
  });

  it('the 3.0 profile\'s text format has no descriptor instructions', () => {
    expect(() => watToBinary('(module (func (drop (ref.get_desc 0 (unreachable)))))', 'x.wat', '3.0')).toThrow(/unknown operator/);
  });

  it('br_on_cast: a target outside the source type needs the proposal (Wasm 3.0 rule otherwise)', () => {
    const data = decodeModule(watToBinary('(module (func (result anyref) (br_on_cast 0 eqref anyref (unreachable))))'));
    expect(() => validateModule(data)).not.toThrow();
    expect(() => validateModule(data, { features: { 'custom-descriptors': false } })).toThrow(/br_on_cast target type must be a subtype/);
    const other = decodeModule(watToBinary('(module (func (result anyref) (br_on_cast 0 anyref funcref (unreachable))))'));
    expect(() => validateModule(other)).toThrow(ValidationError);
  });
});

describe('custom descriptors: linking and objects', () => {
  const exporter = Module.fromWat('(module (type $p (sub (func))) (type $c (sub $p (func))) (func (export "c") (type $c)) (func (export "p") (type $p)))');

  it('an exact function import links only to a function of exactly its type', () => {
    const store = new Store();
    const linker = new Linker();
    linker.defineInstance('x', linker.instantiate(store, exporter));
    const imp = (name: string, t: string): Module => Module.fromWat(`(module (type $p (sub (func))) (type $c (sub $p (func))) (import "x" "${name}" (func (exact (type ${t})))))`);
    expect(() => linker.instantiate(store, imp('c', '$c'))).not.toThrow();
    expect(() => linker.instantiate(store, imp('p', '$p'))).not.toThrow();
    expect(() => linker.instantiate(store, imp('c', '$p'))).toThrow(LinkError);
    // the inexact import of the supertype still links
    expect(() => linker.instantiate(store, Module.fromWat('(module (type $p (sub (func))) (import "x" "c" (func (type $p))))'))).not.toThrow();
  });

  it('a struct keeps the descriptor it was allocated with, in both tiers', () => {
    for (const tier of ['js', 'interp'] as const) {
      const m = Module.fromWat(`(module
        (rec (type $o (descriptor $d) (struct (field i32))) (type $d (describes $o) (struct (field i32))))
        (global $d1 (export "d1") (ref (exact $d)) (struct.new $d (i32.const 5)))
        (func (export "mk") (result (ref $o)) (struct.new_desc $o (i32.const 1) (global.get $d1))))`);
      const store = new Store({ tier });
      const inst = new Linker().instantiate(store, m);
      const [o] = inst.call('mk') as [GcStruct];
      expect(o).toBeInstanceOf(GcStruct);
      expect(o.desc).toBe(inst.raw.globals[0]!.ref);
      expect((o.desc as GcStruct).entry(0)).toBe(5);
    }
  });
});

describe('custom descriptors off: no exact types', () => {
  it('allocations and ref.func are inexact in Wasm 3.0 (the error names (ref 0), not (ref (exact 0)))', () => {
    const data = decodeModule(watToBinary('(module (type $t (struct)) (func (result i32) (struct.new $t)))'));
    expect(rejection(() => validateModule(data)).message).toMatch(/\(ref \(exact 0\)\)/);
    const e = rejection(() => validateModule(data, { features: '3.0' }));
    expect(e.message).toMatch(/\(ref 0\)/);
    expect(e.message).not.toMatch(/exact/);
  });
});
