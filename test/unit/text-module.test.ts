/** Module parser: fields, abbreviations, name resolution, instruction encoding. */
import { describe, expect, it } from 'vitest';
import { TextError } from '../../src/core/errors.js';
import { CompKind, FUNCREF, I32, I64, concreteHeap, refType } from '../../src/core/types.js';
import { decodeModule } from '../../src/decoder/decode.js';
import { Linker } from '../../src/host/linker.js';
import { Module } from '../../src/runtime/module.js';
import { Store } from '../../src/runtime/store.js';
import { parseWat, watToBinary } from '../../src/text/index.js';

const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');
/** Body bytes of defined function i. */
const body = (src: string, i = 0): string => hex(parseWat(src).codes[i]!.body);
function reason(src: string): string {
  try {
    parseWat(src, 'm.wat');
  } catch (e) {
    expect(e).toBeInstanceOf(TextError);
    return (e as TextError).reason;
  }
  return 'no error';
}

describe('module fields', () => {
  it('accepts a bare field list or one (module $name ...)', () => {
    expect(parseWat('(func) (memory 1)').memories).toHaveLength(1);
    const m = parseWat('(module $M (func $f))');
    expect(m.names?.module).toBe('M');
    expect(m.names?.functions.get(0)).toBe('f');
    expect(reason('(module) (module)')).toBe('unexpected token');
  });

  it('expands inline exports and imports', () => {
    const m = parseWat(`(module
      (func $i (import "m" "f") (param i32))
      (global $g (export "g") (export "g2") (import "m" "g") i32)
      (func (export "run") (call $i (global.get $g))))`);
    expect(m.imports.map((i) => [i.module, i.name, i.desc.kind])).toEqual([
      ['m', 'f', 'func'],
      ['m', 'g', 'global'],
    ]);
    expect(m.exports).toEqual([
      { name: 'g', kind: 'global', index: 0 },
      { name: 'g2', kind: 'global', index: 0 },
      { name: 'run', kind: 'func', index: 1 },
    ]);
    expect(hex(m.codes[0]!.body)).toBe('23 00 10 00 0b');
  });

  it('rejects imports after definitions', () => {
    expect(reason('(func) (import "" "" (func))')).toBe('import after function');
    expect(reason('(memory 0) (import "" "" (global i32))')).toBe('import after memory');
    expect(reason('(global i32 (i32.const 0)) (func (import "" ""))')).toBe('import after global');
  });

  it('appends implicit types after explicit ones, reusing matches', () => {
    const m = parseWat(`(module
      (func $a (param i32) (result i64) unreachable)
      (func $b (type $t))
      (func $c (param i64))
      (func $d (param i32) (result i64) unreachable)
      (type $t (func (param i64))))`);
    expect(m.types.map((t) => (t.comp.kind === CompKind.Func ? [t.comp.params, t.comp.results] : null))).toEqual([
      [[I64], []],
      [[I32], [I64]],
    ]);
    expect(m.funcs).toEqual([1, 0, 0, 1]);
  });

  it('checks inline signatures against (type ...)', () => {
    expect(reason('(type $t (func (param i32))) (func (type $t) (param i64))')).toBe('inline function type');
    expect(reason('(type $t (func (param i32))) (func (type $t) (result i32) (param i32))')).toBe('unexpected token');
    expect(reason('(func (type 3) (param i32))')).toBe('unknown type');
  });

  it('resolves every index space by name and reports duplicates', () => {
    expect(reason('(func $f) (func $f)')).toBe('duplicate func');
    expect(reason('(memory $m 1) (memory $m 1)')).toBe('duplicate memory');
    expect(reason('(func (param $x i32) (local $x i32))')).toBe('duplicate local');
    expect(reason('(type (struct (field $a i32) (field $a i32)))')).toBe('duplicate field');
    expect(reason('(func (call $nope))')).toMatch(/^unknown function/);
    expect(reason('(func (local.get $nope))')).toMatch(/^unknown local/);
    expect(reason('(func (br $nope))')).toMatch(/^unknown label/);
  });

  it('parses rec groups, subtypes and struct fields', () => {
    const m = parseWat(`(rec (type $a (sub (struct (field $x (mut i8)) (field i32 i64))))
                              (type $b (sub final $a (struct (field $x (mut i8)) (field i32 i64) (field (ref null $b))))))
                         (type $arr (array (mut i16)))`);
    expect(m.types.map((t) => [t.recStart, t.recSize, t.final, t.supers])).toEqual([
      [0, 2, false, []],
      [0, 2, true, [0]],
      [2, 1, true, []],
    ]);
    const b = m.types[1]!.comp;
    expect(b.kind === CompKind.Struct && b.fields[3]!.type).toBe(refType(1 + 16, true));
  });

  it('table and memory abbreviations with inline segments', () => {
    const m = parseWat(`(module (func $f) (table $t i64 funcref (elem $f $f)) (memory i64 (data "abc")))`);
    expect(m.tables[0]!.type).toEqual({ elem: FUNCREF, addr: 'i64', min: 2, max: 2 });
    expect(hex(m.elems[0]!.offset!.bytes)).toBe('42 00 0b');
    expect(m.elems[0]!.type).toBe(FUNCREF); // the table's element type, not (ref func)
    expect(m.memories[0]).toEqual({ addr: 'i64', min: 1, max: 1, shared: false, pageSizeLog2: 16 });
    expect(hex(m.datas[0]!.offset!.bytes)).toBe('42 00 0b');
    const p = parseWat('(memory 1 2 shared) (memory 0 (pagesize 1))');
    expect(p.memories.map((x) => [x.shared, x.pageSizeLog2])).toEqual([
      [true, 16],
      [false, 0],
    ]);
    expect(reason('(memory 0 (pagesize 3))')).toBe('invalid custom page size');
  });

  it('an inline element segment takes the element type of its table', () => {
    const src = `(module
      (type $ft (func (result i32)))
      (func $f1 (type $ft) (i32.const 11))
      (func $f2 (type $ft) (i32.const 22))
      (table $t (ref null $ft) (elem $f1 $f2))
      (table $v externref (elem (ref.null extern)))
      (table $w funcref (elem (ref.func $f2)))
      (func (export "get") (param i32) (result i32) (call_indirect $t (type $ft) (local.get 0))))`;
    const m = parseWat(src);
    expect(m.elems.map((e) => e.type)).toEqual(m.tables.map((t) => t.type.elem));
    expect(m.elems[0]!.type).toBe(refType(concreteHeap(0), true));
    expect(m.elems.map((e) => [e.mode, e.table, e.init.length])).toEqual([
      ['active', 0, 2],
      ['active', 1, 1],
      ['active', 2, 1],
    ]);
    expect(m.elems[0]!.init.map((e) => hex(e.bytes))).toEqual(['d2 00 0b', 'd2 01 0b']);
    // The binary keeps the reftype (expression segments), so it validates against the table.
    const bin = watToBinary(src);
    expect(decodeModule(bin).elems.map((e) => e.type)).toEqual(m.elems.map((e) => e.type));
    const inst = new Linker().instantiate(new Store(), Module.fromBinary(bin));
    expect(inst.call('get', 0)).toEqual([11]);
    expect(inst.call('get', 1)).toEqual([22]);
  });

  it('a non-nullable table with inline elements has the non-nullable segment type (and no initializer)', () => {
    // `(table (ref $ft) (elem ...))` expands to `(table n n (ref $ft))` + segment: the segment
    // type is (ref $ft); the table itself lacks the initializer a non-nullable table needs.
    const src = '(type $ft (func)) (func $f (type $ft)) (table (ref $ft) (elem $f))';
    const m = parseWat(src);
    expect(m.elems[0]!.type).toBe(refType(concreteHeap(0), false));
    expect(m.tables[0]!.type.elem).toBe(refType(concreteHeap(0), false));
    expect(() => Module.fromBinary(watToBinary(src))).toThrow('non-nullable table type requires an initializer');
  });

  it('element segment forms', () => {
    const m = parseWat(`(module (table $t 2 funcref) (func $f)
      (elem (i32.const 0) $f)
      (elem (table $t) (offset (i32.const 1)) funcref (item ref.func $f) (ref.null func))
      (elem $p func $f)
      (elem declare func $f)
      (elem externref (ref.null extern)))`);
    expect(m.elems.map((e) => e.mode)).toEqual(['active', 'active', 'passive', 'declarative', 'passive']);
    expect(m.elems[1]!.init.map((e) => hex(e.bytes))).toEqual(['d2 00 0b', 'd0 70 0b']);
  });

  it('custom annotations become custom sections', () => {
    const m = parseWat('(module (@custom "a" "x" "y") (@custom "b" (before global) "") (func))');
    expect(m.customs.map((c) => [c.name, hex(c.bytes), c.after])).toEqual([
      ['a', '78 79', 11],
      ['b', '', 13],
    ]);
    expect(reason('(func (@custom "a"))')).toBe('misplaced @custom annotation');
    expect(reason('(@custom 4)')).toBe('@custom annotation: missing section name');
  });
});

describe('instructions', () => {
  it('folded and plain forms encode alike', () => {
    const folded = body('(func (result i32) (i32.add (i32.const 1) (i32.mul (i32.const 2) (i32.const 3))))');
    const plain = body('(func (result i32) i32.const 1 i32.const 2 i32.const 3 i32.mul i32.add)');
    expect(folded).toBe(plain);
    expect(folded).toBe('41 01 41 02 41 03 6c 6a 0b');
  });

  it('if/then/else, labels and end labels', () => {
    expect(body('(func (param i32) (if $l (local.get 0) (then (br $l)) (else nop)))')).toBe('20 00 04 40 0c 00 05 01 0b 0b');
    expect(body('(func block $a loop $b br $a br $b end $b end $a)')).toBe('02 40 03 40 0c 01 0c 00 0b 0b 0b');
    expect(reason('(func block $a end $b)')).toBe('mismatching label');
    expect(body('(func (block $x (block $x (br $x))))')).toBe('02 40 02 40 0c 00 0b 0b 0b');
  });

  it('block types: empty, single value, type index', () => {
    expect(body('(func (block (result i32) (i32.const 0)) drop)')).toBe('02 7f 41 00 0b 1a 0b');
    const m = parseWat('(func (block (param i32) (result i32)) drop)');
    expect(hex(m.codes[0]!.body)).toBe('02 01 0b 1a 0b');
    expect(reason('(func (block (param $x i32)))')).toBe('unexpected token');
  });

  it('memory immediates: offset, align, memory index', () => {
    expect(body('(memory 1) (func (drop (i64.load offset=8 align=4 (i32.const 0))))')).toBe('41 00 29 02 08 1a 0b');
    expect(body('(memory 1) (memory $b 1) (func (drop (i32.load8_u $b (i32.const 0))))')).toBe('41 00 2d 40 01 00 1a 0b');
    expect(body('(memory i64 1) (func (drop (i32.load offset=0x1_0000_0000 (i64.const 0))))')).toBe(
      '42 00 28 02 80 80 80 80 10 1a 0b',
    );
    expect(reason('(memory 1) (func (drop (i32.load align=3 (i32.const 0))))')).toMatch(/^alignment/);
  });

  it('bulk memory and table immediates with optional indices', () => {
    expect(body('(memory 1) (data $d "") (func (memory.init $d (i32.const 0) (i32.const 0) (i32.const 0)) (data.drop $d))')).toBe(
      '41 00 41 00 41 00 fc 08 00 00 fc 09 00 0b',
    );
    expect(body('(table $a 1 funcref) (table $b 1 funcref) (elem $e func) (func (table.init $b $e (i32.const 0) (i32.const 0) (i32.const 0)) (table.copy $a $b (i32.const 0) (i32.const 0) (i32.const 0)))')).toBe(
      '41 00 41 00 41 00 fc 0c 00 01 41 00 41 00 41 00 fc 0e 00 01 0b',
    );
    expect(parseWat('(memory 1) (data "") (func (data.drop 0))').dataCount).toBe(1);
    expect(parseWat('(memory 1) (data "")').dataCount).toBeNull();
  });

  it('call_indirect with optional table and inline type', () => {
    expect(body('(table $t 1 funcref) (table $u 1 funcref) (func (call_indirect $u (param i32) (i32.const 7) (i32.const 0)))')).toBe(
      '41 07 41 00 11 01 01 0b',
    );
    expect(reason('(table 1 funcref) (func (call_indirect (param $x i32) (i32.const 0)))')).toBe('unexpected token');
  });

  it('select, references and casts', () => {
    expect(body('(func (result i32) (select (result i32) (i32.const 1) (i32.const 2) (i32.const 0)))')).toBe(
      '41 01 41 02 41 00 1c 01 7f 0b',
    );
    expect(body('(type $s (struct)) (func (param anyref) (drop (ref.test (ref $s) (local.get 0))) (drop (ref.cast (ref null $s) (local.get 0))))')).toBe(
      '20 00 fb 14 00 1a 20 00 fb 17 00 1a 0b',
    );
    expect(body('(func (param anyref) (result anyref) (block $l (result anyref) (br_on_cast_fail $l anyref (ref null i31) (local.get 0))))')).toBe(
      '02 6e 20 00 fb 19 03 00 6e 6c 0b 0b',
    );
    expect(body('(type $p (struct (field $x i32) (field $y i64))) (func (param (ref $p)) (drop (struct.get $p $y (local.get 0))))')).toBe(
      '20 00 fb 02 00 01 1a 0b',
    );
  });

  it('exceptions: try_table catch clauses and legacy try', () => {
    expect(body('(tag $e) (func (block $h (try_table (catch $e $h) (catch_all_ref $h) (throw $e))))')).toBe(
      '02 40 1f 40 02 00 00 00 03 00 08 00 0b 0b 0b',
    );
    expect(body('(tag $e) (func try $t call 0 catch $e rethrow $t catch_all end)')).toBe('06 40 10 00 07 00 09 00 19 0b 0b');
    expect(reason('(func (catch_all))')).toBe('unexpected token');
  });

  it('SIMD: v128.const shapes, lanes and shuffle', () => {
    expect(body('(func (result v128) (v128.const i16x8 1 2 3 4 5 6 7 -1))')).toBe(
      'fd 0c 01 00 02 00 03 00 04 00 05 00 06 00 07 00 ff ff 0b',
    );
    expect(body('(func (result v128) (v128.const f32x4 1 -0 nan inf))')).toBe(
      'fd 0c 00 00 80 3f 00 00 00 80 00 00 c0 7f 00 00 80 7f 0b',
    );
    expect(reason('(func (v128.const i32x4 1 2 3))')).toBe('wrong number of lane literals');
    expect(reason('(func (v128.const i8x16 256 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0))')).toBe('constant out of range');
    expect(reason('(func (i8x16.shuffle 0 1 2 (v128.const i64x2 0 0) (v128.const i64x2 0 0)))')).toBe('invalid lane length');
    expect(body('(func (result i32) (i8x16.extract_lane_u 15 (v128.const i64x2 0 0)))').endsWith('fd 16 0f 0b')).toBe(true);
  });

  it('unknown and misplaced keywords', () => {
    expect(reason('(func (i32.frob))')).toBe('unknown operator');
    expect(reason('(func (result i32) (i32.const 1) (type 0))')).toBe('unexpected token');
    expect(reason('(func get_local 0)')).toBe('unknown operator');
  });
});

describe('watToBinary', () => {
  it('produces a module Node can instantiate and run', () => {
    const bytes = watToBinary(`(module
      (memory (export "mem") 1)
      (data (i32.const 16) "\\2a\\00\\00\\00")
      (func $fac (export "fac") (param i64) (result i64)
        (if (result i64) (i64.eqz (local.get 0))
          (then (i64.const 1))
          (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1)))))))
      (func (export "load") (result i32) (i32.load offset=16 (i32.const 0))))`);
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes));
    const ex = inst.exports as { fac: (x: bigint) => bigint; load: () => number };
    expect(ex.fac(20n)).toBe(2432902008176640000n);
    expect(ex.load()).toBe(42);
  });
});
