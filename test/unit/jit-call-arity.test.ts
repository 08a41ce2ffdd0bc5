/**
 * Every call of a generated function passes as many JS arguments as it has parameters (src/jit/ref-args.ts
 * noJsArgs): a generated function takes `P<x>` for each reference parameter and `RV` after a JitFn's six, and V8
 * calls a function with fewer arguments than parameters through an adaptation that cost a loop of `call_indirect`s
 * of a `(param anyref) (result i32)` function a third of its time (BENCHMARKS.md, "Calls with as many arguments as
 * parameters"). Generated callers (direct, recursive, `call_indirect`, `call_ref`) pass every `P<x>` (`undefined`
 * for one written to its slot) and a callee's `RV` (`undefined` where they do not ask for the result as the JS return
 * value); the interpreter's JitFn around a generated function takes six and passes `undefined` for the rest.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { Linker, Module, Store, type Instance } from '../../src/index.js';
import { jsEval } from '../../src/jit/codegen.js';
import { WasmFunc } from '../../src/runtime/objects/func.js';

/**
 * $num (anyref -> i32: RV) and $plus1 through call_indirect and call_ref in a loop; $pick (anyref anyref -> ref null
 * $pt: RV) directly and through call_ref; $two (i32 anyref, no RV: its second argument a `select`, written to its slot)
 * directly; $down recursive with a reference parameter.
 */
const MOD = `(module
  (type $pt (struct (field $x i32)))
  (type $box (struct (field $r anyref)))
  (type $f (func (param anyref) (result i32)))
  (type $p (func (param anyref anyref) (result (ref null $pt))))
  (table 2 funcref)
  (elem (i32.const 0) $num $plus1)
  (elem declare func $pick $num)
  (func $num (type $f) (param $v anyref) (result i32)
    (struct.get $pt $x (ref.cast (ref $pt) (local.get $v))))
  (func $plus1 (type $f) (param $v anyref) (result i32)
    (i32.add (i32.const 1) (struct.get $pt $x (ref.cast (ref $pt) (local.get $v)))))
  (func $pick (type $p) (param $a anyref) (param $b anyref) (result (ref null $pt))
    (ref.cast (ref null $pt) (local.get $b)))
  (global $g (mut i32) (i32.const 0))
  (global $gr (mut anyref) (ref.null any))
  (func $two (param $k i32) (param $v anyref)
    (global.set $g (i32.add (local.get $k) (struct.get $pt $x (ref.cast (ref $pt) (local.get $v))))))
  (func $down (param $n i32) (param $v anyref) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (struct.get $pt $x (ref.cast (ref $pt) (local.get $v))))
      (else (i32.add (i32.const 1) (call $down (i32.sub (local.get $n) (i32.const 1)) (local.get $v))))))
  (func (export "run") (param $n i32) (result i32) (local $i i32) (local $s i32) (local $p anyref) (local $b (ref $box))
    (local.set $p (struct.new $pt (i32.const 5)))
    (local.set $b (struct.new $box (local.get $p)))
    (global.set $gr (local.get $p))
    (loop $l
      (local.set $s (i32.add (local.get $s) (call_indirect (type $f) (local.get $p) (i32.and (local.get $i) (i32.const 1)))))
      (local.set $s (i32.add (local.get $s) (call_ref $f (local.get $p) (ref.func $num))))
      (local.set $s (i32.add (local.get $s) (struct.get $pt $x (ref.as_non_null (call $pick (local.get $b) (local.get $p))))))
      (local.set $s (i32.add (local.get $s) (struct.get $pt $x (ref.as_non_null (call_ref $p (local.get $p) (local.get $p) (ref.func $pick))))))
      (call $two (local.get $i) (select (result anyref) (local.get $p) (global.get $gr) (local.get $i)))
      (local.set $s (i32.add (local.get $s) (global.get $g)))
      (local.set $s (i32.add (local.get $s) (call $down (i32.and (local.get $i) (i32.const 7)) (local.get $p))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $s)))`;

const orig = jsEval.compile;
afterEach(() => {
  jsEval.compile = orig;
});

function make(tier: 'js' | 'interp'): { inst: Instance; sources: string[] } {
  const sources: string[] = [];
  jsEval.compile = (s) => {
    sources.push(s);
    return orig(s);
  };
  const inst = new Linker().instantiate(new Store({ tier }), Module.fromWat(MOD));
  return { inst, sources };
}

/** The number of top-level arguments in `args` (no parentheses inside: generated arguments are names, numbers, `fp + n`). */
const count = (args: string): number => args.split(',').length;

describe('JS tier: calls pass as many arguments as the callee has parameters', () => {
  test('every call of a generated function from generated code, direct or through the table or a reference', () => {
    const interp = make('interp').inst.call('run', 40);
    const { inst, sources } = make('js');
    expect(inst.call('run', 40)).toEqual(interp);
    const funcs = inst.raw.funcs.filter((f): f is WasmFunc => f instanceof WasmFunc);
    // every function generated, each taking its P<x> and RV
    for (const f of funcs) expect(f.jitS, `func ${f.index}`).not.toBeNull();
    type Fn = (...x: unknown[]) => number;
    const lens = funcs.map((f) => (f.jitS as Fn).length);
    expect(lens).toEqual([9, 9, 10, 8, 9, 7]);
    // the calls through jitS (direct and indirect calls of other functions), counted
    const bad: string[] = [];
    for (const f of funcs) {
      const g = f.jitS as Fn;
      f.jitS = function (this: unknown, ...a: unknown[]) {
        if (a.length !== g.length) bad.push(`func ${f.index}: ${a.length} arguments, ${g.length} parameters`);
        return g.apply(this, a);
      };
    }
    expect(inst.call('run', 40)).toEqual(interp);
    expect(bad).toEqual([]);
    // the recursive calls (the function itself, by name) and the interpreter's JitFn (six parameters, the rest undefined, or the function bound to E)
    const params = new Map<string, number>();
    for (const s of sources) for (const m of s.matchAll(/var (wasm_func_\d+) = \(function \1\(([^)]*)\)/g)) params.set(m[1]!, count(m[2]!));
    let recursive = 0;
    let wrappers = 0;
    for (const s of sources) {
      for (const m of s.matchAll(/(wasm_func_\d+)\(E, mc, ([^)]*)\)/g)) {
        if (m.index! > 0 && s[m.index! - 1] === ' ' && s.slice(m.index! - 9, m.index!) === 'function ') continue;
        expect(count(m[2]!) + 2, m[0]).toBe(params.get(m[1]!));
        if (m[2]!.startsWith('fp + ')) recursive++;
        else wrappers++;
      }
      for (const m of s.matchAll(/return \[(wasm_func_\d+), function \(([^)]*)\)/g)) expect(count(m[2]!), m[0]).toBe(6);
    }
    expect(recursive).toBeGreaterThan(0);
    // a function with reference parameters or RV gets the closure; one without is bound to E (src11), its arity the JitFn's
    const bound = sources.reduce((n, s) => n + [...s.matchAll(/return \[(wasm_func_\d+), \1\.bind\(null, E\)\]/g)].length, 0);
    expect(wrappers).toBe(lens.filter((n) => n > 7).length);
    expect(bound).toBe(lens.filter((n) => n === 7).length);
    expect(bound).toBeGreaterThan(0);
  });
});
