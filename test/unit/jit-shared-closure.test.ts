/**
 * One closure per generated source for every instance of a module (codegen.ts `factory`, WasmFunc.jitS / jitE): the
 * function takes its instance's environment as its first argument, so every instance calls the same function (V8
 * optimizes it once) with its own objects; a later instance binds, at its first bound function, every function an
 * earlier instance generated (codegen.ts `bindKnown`), so the shared code's calls find their callees' JS versions.
 */
import { describe, expect, test, vi } from 'vitest';
import { funcType, I32, Linker, Module, Store, type Instance } from '../../src/index.js';
import { WasmFunc } from '../../src/runtime/objects/func.js';
import { readEnvWhereUsed } from '../../src/jit/codegen.js';
import { captureSources } from '../shared/jit-sources.js';

const WAT = `(module
  (import "env" "peer" (func $peer (param i32) (result i32)))
  (memory (export "mem") 1)
  (global $g (mut i32) (i32.const 0))
  (func $b (param $x i32) (result i32) (global.set $g (i32.add (global.get $g) (local.get $x))) (i32.add (i32.load (i32.const 0)) (global.get $g)))
  (func $c (param $x i32) (result i32) (i32.mul (local.get $x) (i32.const 3)))
  (func (export "read") (param $x i32) (result i32) (i32.add (i32.load (i32.const 0)) (local.get $x)))
  (func (export "a") (param $n i32) (result i32) (local $s i32)
    (loop $l (local.set $s (i32.add (local.get $s) (call $c (local.get $n))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $s))
  (func (export "run") (param $n i32) (result i32) (local $s i32)
    (loop $l (local.set $s (i32.add (local.get $s) (call $b (local.get $n))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (i32.add (local.get $s) (call $peer (local.get $s)))))`;

function fn(inst: Instance, name: string): WasmFunc {
  return inst.getExport(name) as WasmFunc;
}

/** Instances of WAT in one store, each with its own word at address 0; the first one's peer is a host function, each later one's the previous instance's `read`. */
function run(tier: 'js' | 'interp', order: [number, string, number][]): { out: unknown[]; fuel: number; insts: Instance[] } {
  const store = new Store({ tier, fuel: 1e9 });
  const mod = Module.fromWat(WAT);
  const insts: Instance[] = [];
  const out: unknown[] = [];
  for (let i = 0; i < 3; i++) {
    const linker = new Linker();
    if (i === 0) linker.defineFunc(store, 'env', 'peer', funcType([I32], [I32]), (_c, x: number) => x + 1000);
    else linker.define('env', 'peer', insts[i - 1]!.getExport('read')!);
    const inst = linker.instantiate(store, mod);
    inst.memory('mem')!.writeI32(0, 10 * (i + 1));
    insts.push(inst);
  }
  for (const [i, name, n] of order) out.push(insts[i]!.call(name, n)[0]);
  return { out, fuel: store.fuelConsumed, insts };
}

describe('JS tier: one closure per source for every instance', () => {
  test("each instance's objects through the shared function; results and fuel as in the interpreter", () => {
    const order: [number, string, number][] = [
      [0, 'run', 50],
      [1, 'run', 40],
      [2, 'run', 30],
      [0, 'run', 5],
      [1, 'a', 7],
      [2, 'read', 1],
    ];
    const js = run('js', order);
    const interp = run('interp', order);
    expect(js.out).toEqual(interp.out);
    expect(js.fuel).toBe(interp.fuel);
    const [i0, i1, i2] = js.insts as [Instance, Instance, Instance];
    // (the first instance's `run` calls a host function, the later ones a wasm function: generated twice)
    expect(fn(i1, 'run').jitS).toBe(fn(i2, 'run').jitS);
    expect(fn(i0, 'run').jitS).not.toBe(fn(i1, 'run').jitS);
    expect(fn(i1, 'run').jitE).not.toBe(fn(i2, 'run').jitE);
    expect(fn(i1, 'run').jit).not.toBe(fn(i2, 'run').jit);
    expect(fn(i1, 'a').jitS).toBeInstanceOf(Function);
  });

  test("a later instance binds at its first bound function every function an earlier one generated, before their first call", () => {
    const { insts } = run('js', [
      [1, 'run', 3],
      [1, 'a', 3],
      [1, 'read', 3],
      // the third instance (its peer a wasm function too, as the second's): only `a` runs, bound, which calls $c
      // only; $b, `read` and `run` are bound with it
      [2, 'a', 3],
    ]);
    const i2 = insts[2]!;
    const b = i2.raw.funcs[1] as WasmFunc;
    expect(b.jitState).toBe(1);
    expect(b.jitS).toBe((insts[1]!.raw.funcs[1] as WasmFunc).jitS);
    expect(b.jitE).not.toBe((insts[1]!.raw.funcs[1] as WasmFunc).jitE);
    expect(fn(i2, 'read').jitState).toBe(1);
    expect(fn(i2, 'run').jitState).toBe(1);
    expect(fn(i2, 'run').jitS).toBe(fn(insts[1]!, 'run').jitS);
    // the first instance: nothing called, nothing generated
    expect(fn(insts[0]!, 'a').jitState).toBe(0);
  });

  test('a function with many environment entries keeps them in a closure per instance; results and fuel as in the interpreter', () => {
    // $many calls 30 functions (30 entries and more): its pair is made per instance (codegen.ts PER_INSTANCE_ENV)
    const leaves = Array.from({ length: 30 }, (_, i) => `(func $f${i} (param i32) (result i32) (i32.add (local.get 0) (i32.load (i32.const ${4 * i}))))`);
    const sum = leaves.reduceRight((acc, _, i) => `(i32.add (call $f${i} (local.get 0)) ${acc})`, '(i32.const 0)');
    const wat = `(module (memory (export "mem") 1) ${leaves.join(' ')}
      (func (export "many") (param i32) (result i32) ${sum})
      (func (export "few") (param i32) (result i32) (call $f3 (local.get 0))))`;
    const go = (tier: 'js' | 'interp') => {
      const store = new Store({ tier, fuel: 1e9 });
      const mod = Module.fromWat(wat);
      const insts = [0, 1, 2].map((k) => {
        const inst = new Linker().instantiate(store, mod);
        for (let i = 0; i < 30; i++) inst.memory('mem')!.writeI32(4 * i, i * (k + 1));
        return inst;
      });
      const out = insts.flatMap((inst, k) => [inst.call('many', k + 5)[0], inst.call('few', k)[0]]);
      return { out, fuel: store.fuelConsumed, insts };
    };
    const js = go('js');
    const interp = go('interp');
    expect(js.out).toEqual(interp.out);
    expect(js.fuel).toBe(interp.fuel);
    const [, i1, i2] = js.insts as [Instance, Instance, Instance];
    expect(fn(i1, 'many').jitState).toBe(1);
    expect(fn(i1, 'many').jitS).not.toBe(fn(i2, 'many').jitS);
    expect(fn(i1, 'few').jitS).toBe(fn(i2, 'few').jitS);
  });

  test('a shared closure reads at its entry only the entries it uses more than once; the others where they are used', () => {
    // the text after the entry line, in parts (build: prologue, body, epilogue)
    const parts = ['if (fuel < 1) return stop(_1);\n', 'x = _2.a + _2.b + _12 + a_3 + _0[_3] + _0[0];\n', 'return leave(_3, _5);\n}'];
    // _4 unused: not read; _1 and _5 once: read where used; _0, _2 and _3 twice: at the entry; _12 and a_3 are not entries
    const replace = vi.spyOn(String.prototype, 'replace');
    try {
      expect(readEnvWhereUsed(parts, 6)).toEqual({
        decl: 'var _0 = E[0], _2 = E[2], _3 = E[3];\n',
        parts: ['if (fuel < 1) return stop(E[1]);\n', parts[1], 'return leave(_3, E[5]);\n}'],
      });
      // two entries used once in one part, in either order of their indices
      expect(readEnvWhereUsed(['a(_4, _1); b(_2)', 'c(_3); d(_3)'], 5)).toEqual({ decl: 'var _3 = E[3];\n', parts: ['a(E[4], E[1]); b(E[2])', 'c(_3); d(_3)'] });
      // (rewritten by slices: nothing replaced)
      expect(replace).not.toHaveBeenCalled();
    } finally {
      replace.mockRestore();
    }
    // an entry the body assigns keeps its variable: used twice, it is read at the entry; once, nothing is rewritten
    expect(readEnvWhereUsed(['if (fuel < 1) return stop(_1);\n', '_3 = 1; return _3;\n}'], 4)).toEqual({
      decl: 'var _3 = E[3];\n',
      parts: ['if (fuel < 1) return stop(E[1]);\n', '_3 = 1; return _3;\n}'],
    });
    expect(readEnvWhereUsed(['if (fuel < 1) return stop(_1);\n', '_3 += 1;\n}'], 4)).toBeNull();
    // generated: fib reads no entry at its entry (its recursive calls have no slow path, the JS stack budget being the
    // callee's prologue's; its stops read the translation where they use it), and runs as the interpreter does
    const wat = `(module (func $fib (export "fib") (param i32) (result i32)
      (if (result i32) (i32.lt_u (local.get 0) (i32.const 2)) (then (local.get 0))
        (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1))) (call $fib (i32.sub (local.get 0) (i32.const 2))))))))`;
    const go = (tier: 'js' | 'interp') => {
      const store = new Store({ tier, fuel: 1e9 });
      const inst = new Linker().instantiate(store, Module.fromWat(wat));
      const out = [20, 21, 22].map((n) => inst.call('fib', n)[0]);
      return { out, fuel: store.fuelConsumed };
    };
    const { srcs, value: js } = captureSources(() => go('js'));
    expect(js).toEqual(go('interp'));
    const fib = srcs.find((s) => s.includes('function wasm_func_0('))!;
    expect(fib).toMatch(/stopEntry\(mc, E\[\d+\], fp/);
    expect(fib.match(/^var _\d+ = E\[.*$/gm)).toBeNull();
  });
});
