import { describe, expect, test } from 'vitest';
import { CompKind, F64, I32, I64, Linker, Memory, Module, Store, WasmFunc, type ExportedFunction } from '../../src/index.js';

describe('module imports/exports with types, instance.exports as functions', () => {
  const m = Module.fromWat(`(module
    (import "env" "f" (func (param i64) (result f64)))
    (import "env" "g" (global (mut i32)))
    (import "env" "t" (tag (param i32)))
    (memory (export "mem") 1 2)
    (table (export "tab") 3 funcref)
    (global (export "k") i64 (i64.const 5))
    (tag (export "e") (param i64))
    (func (export "none"))
    (func (export "one") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
    (func (export "two") (param i64) (result i64 i32) (local.get 0) (i32.const 1)))`);

  test('module.imports and module.exports carry full types', () => {
    expect(m.imports).toEqual([
      { module: 'env', name: 'f', kind: 'func', type: { kind: CompKind.Func, params: [I64], results: [F64] } },
      { module: 'env', name: 'g', kind: 'global', type: { type: I32, mutable: true } },
      { module: 'env', name: 't', kind: 'tag', type: { kind: CompKind.Func, params: [I32], results: [] } },
    ]);
    const ex = Object.fromEntries(m.exports.map((e) => [e.name, e]));
    expect(ex['mem']).toEqual({ name: 'mem', kind: 'memory', type: { addr: 'i32', min: 1, max: 2, shared: false, pageSizeLog2: 16 } });
    expect(ex['tab']!.kind).toBe('table');
    expect(ex['k']).toEqual({ name: 'k', kind: 'global', type: { type: I64, mutable: false } });
    expect(ex['e']).toEqual({ name: 'e', kind: 'tag', type: { kind: CompKind.Func, params: [I64], results: [] } });
    expect(ex['two']!.type).toEqual({ kind: CompKind.Func, params: [I64], results: [I64, I32] });
  });

  test('instance.exports: functions by result count, other externs as themselves', () => {
    const inst = new Linker().instantiate(
      new Store(),
      Module.fromWat(`(module (memory (export "mem") 1)
        (func (export "none")) (func (export "one") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
        (func (export "two") (param i64) (result i64 i32) (local.get 0) (i32.const 1)))`),
    );
    const ex = inst.exports;
    expect((ex['none'] as ExportedFunction)()).toBeUndefined();
    expect((ex['one'] as ExportedFunction)(21)).toBe(42);
    expect((ex['two'] as ExportedFunction)(7n)).toEqual([7n, 1]);
    expect((ex['one'] as ExportedFunction).func).toBeInstanceOf(WasmFunc);
    expect((ex['one'] as ExportedFunction).type.params).toEqual([I32]);
    expect(ex['mem']).toBeInstanceOf(Memory);
    expect(inst.exports).toBe(ex);
  });
});
