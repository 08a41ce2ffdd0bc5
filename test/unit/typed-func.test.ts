/** Instance.getTypedFunc: wasmi's get_typed_func — a checked, typed view of a function export. */
import { describe, expect, expectTypeOf, test } from 'vitest';
import { ExportTypeMismatch, LinkError, Linker, Module, Store, type TypedFunc } from '../../src/index.js';

const inst = new Linker().instantiate(
  new Store(),
  Module.fromWat(`(module
    (memory (export "mem") 1)
    (global (export "g") i32 (i32.const 1))
    (func (export "sqrt") (param f64) (result f64) (f64.sqrt (local.get 0)))
    (func (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
    (func (export "wide") (param i64 i32) (result i64 f32) (local.get 0) (f32.convert_i32_s (local.get 1)))
    (func (export "nothing"))
    (func (export "id") (param externref) (result externref) (local.get 0)))`),
);

function mismatch(f: () => unknown): ExportTypeMismatch {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ExportTypeMismatch);
    expect(e).toBeInstanceOf(LinkError);
    return e as ExportTypeMismatch;
  }
  throw new Error('did not fail');
}

describe('getTypedFunc', () => {
  test('returns a callable with the typed signature when the types match', () => {
    const inc = inst.getTypedFunc('inc', ['i32'], ['i32']);
    expectTypeOf(inc).toEqualTypeOf<TypedFunc<['i32'], ['i32']>>();
    expectTypeOf(inc).parameters.toEqualTypeOf<[number]>();
    expectTypeOf(inc).returns.toEqualTypeOf<number>();
    expect(inc(41)).toBe(42);
    const sqrt = inst.getTypedFunc('sqrt', ['f64'], ['f64']);
    expect(sqrt(2.25)).toBe(1.5);
    const wide = inst.getTypedFunc('wide', ['i64', 'i32'], ['i64', 'f32']);
    expectTypeOf(wide).parameters.toEqualTypeOf<[bigint, number]>();
    expectTypeOf(wide).returns.toEqualTypeOf<[bigint, number]>();
    expect(wide(5n, 3)).toEqual([5n, 3]);
    const nothing = inst.getTypedFunc('nothing', [], []);
    expectTypeOf(nothing).returns.toEqualTypeOf<void>();
    expect(nothing()).toBeUndefined();
    const token = {};
    expect(inst.getTypedFunc('id', ['externref'], ['externref'])(token)).toBe(token);
    expect(inc.type).toBe((inst.exports['inc'] as { type: unknown }).type);
  });

  test('an (f64) -> f64 export looked up as (i32) -> i32 fails naming both types', () => {
    const e = mismatch(() => inst.getTypedFunc('sqrt', ['i32'], ['i32']));
    expect(e.message).toBe("export 'sqrt' has type (f64) -> (f64), expected a function (i32) -> (i32)");
    expect([e.exportName, e.expected, e.actual]).toEqual(['sqrt', '(i32) -> (i32)', '(f64) -> (f64)']);
    // results alone, arity alone
    expect(mismatch(() => inst.getTypedFunc('inc', ['i32'], [])).actual).toBe('(i32) -> (i32)');
    expect(mismatch(() => inst.getTypedFunc('wide', ['i64'], ['i64', 'f32'])).expected).toBe('(i64) -> (i64, f32)');
    expect(mismatch(() => inst.getTypedFunc('id', ['funcref'], ['funcref'])).actual).toBe('((ref null extern)) -> ((ref null extern))');
  });

  test('an export that is not a function, a missing export, an unknown type name', () => {
    expect(mismatch(() => inst.getTypedFunc('mem', [], [])).message).toBe("export 'mem' is a memory, expected a function () -> ()");
    expect(mismatch(() => inst.getTypedFunc('g', [], ['i32'])).actual).toBe('a global');
    const missing = (() => {
      try {
        inst.getTypedFunc('nope', ['i32'], []);
      } catch (e) {
        return e;
      }
    })();
    expect(missing).toBeInstanceOf(LinkError);
    expect(missing).not.toBeInstanceOf(ExportTypeMismatch);
    expect((missing as Error).message).toBe("no export 'nope' (expected a function (i32) -> ())");
    expect(() => inst.getTypedFunc('inc', ['u32' as 'i32'], ['i32'])).toThrow(/unknown value type "u32"/);
  });
});
