import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import type { Module } from '../../src/core/module.js';
import { ANYREF, EXTERNREF, FUNCREF, HEAP_CONCRETE, HeapType, I32, I64, refType, type MemType } from '../../src/core/types.js';
import { TypeRegistry, matchGlobalType, matchLimits, matchMemType, matchTableType, toCanonVal, validateModule } from '../../src/validate/index.js';
import { I, block, cexpr, fn, functype, i32c, i64c, mod, op, structtype, types } from './validate-helpers.js';

function bad(m: Module, msg: string, opts = {}): void {
  let err: unknown;
  try {
    validateModule(m, opts);
  } catch (e) {
    err = e;
  }
  expect(err, msg).toBeInstanceOf(ValidationError);
  expect((err as Error).message.startsWith(msg), (err as Error).message).toBe(true);
}
function ok(m: Module, opts = {}): void {
  expect(() => validateModule(m, opts)).not.toThrow();
}
const memt = (p: Partial<MemType> = {}): MemType => ({ addr: 'i32', min: 0, max: null, shared: false, pageSizeLog2: 16, ...p });

describe('limits', () => {
  it('memory', () => {
    ok(mod({ memories: [memt({ min: 65536 })] }));
    bad(mod({ memories: [memt({ min: 65537 })] }), 'memory size must be at most 65536 pages (4GiB)');
    bad(mod({ memories: [memt({ min: 2, max: 1 })] }), 'size minimum must not be greater than maximum');
    bad(mod({ imports: [{ module: 'a', name: 'b', desc: { kind: 'memory', type: memt({ max: 65537 }) } }] }), 'memory size');
    ok(mod({ memories: [memt({ addr: 'i64', min: 2 ** 48 })] }));
    bad(mod({ memories: [memt({ addr: 'i64', min: 2 ** 48 + 1 })] }), 'memory size');
    bad(mod({ memories: [memt({ shared: true })] }), 'shared memory must have maximum');
    ok(mod({ memories: [memt({ shared: true, max: 1 })] }));
  });
  it('custom page sizes', () => {
    ok(mod({ memories: [memt({ pageSizeLog2: 0, min: 0xffffffff })] }));
    bad(mod({ memories: [memt({ pageSizeLog2: 0, min: 2 ** 32 })] }), 'memory size must be at most');
    bad(mod({ memories: [memt({ pageSizeLog2: 3 })] }), 'invalid custom page size');
    bad(mod({ memories: [memt({ pageSizeLog2: 0 })] }), 'custom page size', { features: { 'custom-page-sizes': false } });
  });
  it('tables', () => {
    const t = (min: number, max: number | null, addr: 'i32' | 'i64' = 'i32') => ({ type: { elem: FUNCREF, addr, min, max }, init: null });
    ok(mod({ tables: [t(0xffffffff, null)] }));
    bad(mod({ tables: [t(2 ** 32, null)] }), 'table size');
    bad(mod({ tables: [t(0, 2 ** 32)] }), 'table size');
    bad(mod({ tables: [t(1, 0)] }), 'size minimum must not be greater than maximum');
    ok(mod({ tables: [t(2 ** 40, null, 'i64')] }));
  });
  it('non-nullable tables need an initialiser of the right type', () => {
    const R = refType(HeapType.func, false);
    bad(mod({ tables: [{ type: { elem: R, addr: 'i32', min: 1, max: null }, init: null }] }), 'type mismatch');
    bad(mod({ tables: [{ type: { elem: R, addr: 'i32', min: 1, max: null }, init: cexpr([...op('ref.null'), 0x70]) }] }), 'type mismatch');
    ok(fn([], [], [], { tables: [{ type: { elem: R, addr: 'i32', min: 1, max: null }, init: cexpr(I('ref.func', 0)) }] }));
    bad(mod({ tables: [{ type: { elem: FUNCREF, addr: 'i32', min: 1, max: null }, init: cexpr(i32c(0)) }] }), 'type mismatch');
  });
});

describe('globals and constant expressions', () => {
  const g = (type: number, init: number[][], mutable = false) => ({ type: { type, mutable }, init: cexpr(...init) });
  const imp = (type: number, mutable = false) => ({ module: 'm', name: 'g', desc: { kind: 'global' as const, type: { type, mutable } } });
  it('global.get of imported and earlier immutable globals', () => {
    ok(mod({ imports: [imp(I32)], globals: [g(I32, [I('global.get', 0)])] }));
    ok(mod({ globals: [g(I32, [i32c(1)]), g(I32, [I('global.get', 0), i32c(2), op('i32.mul')])] }));
    bad(mod({ globals: [g(I32, [I('global.get', 0)])] }), 'unknown global 0');
    bad(mod({ globals: [g(I32, [i32c(1)]), g(I32, [I('global.get', 1)])] }), 'unknown global 1');
    bad(mod({ imports: [imp(I32, true)], globals: [g(I32, [I('global.get', 0)])] }), 'constant expression required');
    bad(mod({ globals: [g(I64, [i32c(0)])] }), 'type mismatch');
    bad(mod({ globals: [g(I32, [])] }), 'type mismatch');
    bad(mod({ globals: [g(I32, [i32c(0), i32c(0)])] }), 'type mismatch');
  });
  it('GC constants', () => {
    const ts = types(structtype([{ type: I32, mutable: false }]));
    ok(mod({ types: ts, globals: [g(refType(HEAP_CONCRETE, false), [i32c(1), I('struct.new', 0)])] }));
    ok(mod({ globals: [g(refType(HeapType.i31, false), [i32c(1), op('ref.i31')])] }));
    ok(mod({ imports: [imp(EXTERNREF)], globals: [g(ANYREF, [I('global.get', 0), op('any.convert_extern')])] }));
    bad(mod({ types: ts, globals: [g(I32, [i32c(1), I('struct.new', 0), I('struct.get', 0, 0)])] }), 'constant expression required');
  });
  it('element and data segment offsets', () => {
    const tab = { type: { elem: FUNCREF, addr: 'i32' as const, min: 1, max: null }, init: null };
    ok(fn([], [], [], { tables: [tab], elems: [{ mode: 'active', table: 0, offset: cexpr(i32c(0)), type: FUNCREF, init: [cexpr(I('ref.func', 0))] }] }));
    bad(mod({ elems: [{ mode: 'active', table: 0, offset: cexpr(i32c(0)), type: FUNCREF, init: [] }] }), 'unknown table 0');
    bad(mod({ tables: [tab], elems: [{ mode: 'active', table: 0, offset: cexpr(i64c(0)), type: FUNCREF, init: [] }] }), 'type mismatch');
    bad(mod({ tables: [tab], elems: [{ mode: 'active', table: 0, offset: cexpr(i32c(0)), type: EXTERNREF, init: [] }] }), 'type mismatch');
    bad(mod({ tables: [tab], elems: [{ mode: 'passive', table: 0, offset: null, type: FUNCREF, init: [cexpr(i32c(0))] }] }), 'type mismatch');
    bad(mod({ datas: [{ mode: 'active', memory: 0, offset: cexpr(i32c(0)), bytes: new Uint8Array() }] }), 'unknown memory 0');
    bad(mod({ memories: [memt()], datas: [{ mode: 'active', memory: 0, offset: cexpr(i32c(0), op('nop')), bytes: new Uint8Array() }] }), 'constant expression required');
    ok(mod({ memories: [memt({ addr: 'i64' })], datas: [{ mode: 'active', memory: 0, offset: cexpr(i64c(0)), bytes: new Uint8Array() }] }));
  });
});

describe('imports, exports, start, tags', () => {
  it('duplicate export name and unknown indices', () => {
    bad(fn([], [], [], { exports: [{ name: 'a', kind: 'func', index: 0 }, { name: 'a', kind: 'func', index: 0 }] }), 'duplicate export name');
    bad(mod({ exports: [{ name: 'a', kind: 'memory', index: 0 }] }), 'unknown memory 0');
    bad(mod({ exports: [{ name: 'a', kind: 'global', index: 2 }] }), 'unknown global 2');
    bad(mod({ exports: [{ name: 'a', kind: 'func', index: 0 }] }), 'unknown function 0');
    bad(mod({ exports: [{ name: 'a', kind: 'table', index: 0 }] }), 'unknown table 0');
  });
  it('function imports need function types', () => {
    bad(mod({ imports: [{ module: 'a', name: 'f', desc: { kind: 'func', typeIndex: 0 } }] }), 'unknown type 0');
    bad(mod({ types: types(structtype([])), imports: [{ module: 'a', name: 'f', desc: { kind: 'func', typeIndex: 0 } }] }), 'type mismatch');
  });
  it('start function', () => {
    bad(mod({ start: 0 }), 'unknown function 0');
    bad(fn([I32], [], [], { start: 0 }), 'start function');
    ok(fn([], [], [], { start: 0 }));
  });
  it('tags', () => {
    bad(mod({ types: [functype([], [I32])], tags: [0] }), 'non-empty tag result type');
    bad(mod({ types: [functype([], [I32])], imports: [{ module: 'a', name: 't', desc: { kind: 'tag', typeIndex: 0 } }] }), 'non-empty tag result type');
    ok(mod({ types: [functype([I32], [])], tags: [0] }));
    bad(mod({ tags: [0] }), 'unknown type 0');
  });
  it('multiple memories with multi-memory', () => {
    ok(mod({ memories: [memt(), memt()] }));
    bad(mod({ memories: [memt(), memt()] }), 'multiple memories', { features: { 'multi-memory': false } });
  });
});

describe('registry sharing', () => {
  it('uses the given registry', () => {
    const reg = new TypeRegistry();
    const vm = validateModule(mod({ types: [functype([I32], [])] }), { registry: reg });
    expect(vm.registry).toBe(reg);
    expect(reg.size).toBe(1);
    const vm2 = validateModule(mod({ types: [functype([], []), functype([I32], [])] }), { registry: reg });
    expect(vm2.canon[1]).toBe(vm.canon[0]);
  });
});

describe('import matching helpers', () => {
  it('limits, globals, tables, memories', () => {
    expect(matchLimits(2, 5, 1, 6)).toBe(true);
    expect(matchLimits(0, 5, 1, 6)).toBe(false);
    expect(matchLimits(2, null, 1, 6)).toBe(false);
    expect(matchLimits(2, null, 1, null)).toBe(true);
    const reg = new TypeRegistry();
    const vm = validateModule(mod({ types: types(structtype([], { final: false }), structtype([], { supers: [0] })) }), { registry: reg });
    const a = toCanonVal(refType(HEAP_CONCRETE + 1, false), vm.canon);
    const e = toCanonVal(refType(HEAP_CONCRETE, true), vm.canon);
    expect(matchGlobalType(reg, { type: a, mutable: false }, { type: e, mutable: false })).toBe(true);
    expect(matchGlobalType(reg, { type: a, mutable: true }, { type: e, mutable: true })).toBe(false);
    expect(matchGlobalType(reg, { type: e, mutable: false }, { type: a, mutable: false })).toBe(false);
    expect(matchTableType({ elem: FUNCREF, addr: 'i32', min: 2, max: null }, { elem: FUNCREF, addr: 'i32', min: 1, max: null })).toBe(true);
    expect(matchTableType({ elem: FUNCREF, addr: 'i64', min: 2, max: null }, { elem: FUNCREF, addr: 'i32', min: 1, max: null })).toBe(false);
    expect(matchMemType(memt({ min: 1 }), memt({ min: 1, shared: true }))).toBe(false);
    expect(matchMemType(memt({ min: 2, max: 3 }), memt({ min: 1, max: 4 }))).toBe(true);
  });
});

describe('multi-value switch', () => {
  it('rejects block types with params when multi-value is off', () => {
    const m = fn([], [], [i32c(0), block('block', { type: 1 }), op('drop'), op('end')], { types: [functype([], []), functype([I32], [])] });
    ok(m);
    bad(m, 'block: feature', { features: { 'multi-value': false } });
    bad(mod({ types: [functype([], [I32, I32])] }), 'multiple results', { features: { 'multi-value': false } });
  });
});
