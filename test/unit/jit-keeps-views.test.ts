/**
 * The memory views after a call (src/jit/keeps-views.ts, gen-calls.ts afterCall): a call of a function that cannot
 * grow a memory nor run code the module does not know (an import, a table entry, a reference), directly or through
 * any chain of calls, is not followed by the views' reload; every other call is, and a load past the old end of
 * memory after such a call reads what the interpreter reads.
 */
import { describe, expect, test } from 'vitest';
import { funcType, I32, Linker, Module, Store, Trap, type Memory } from '../../src/index.js';
import { captureSources } from '../shared/jit-sources.js';
import { keepsViews } from '../../src/jit/keeps-views.js';
import { WasmFunc } from '../../src/runtime/objects/func.js';

// function indices: 0 the import $hgrow, 1 the import $take, then the defined functions in order
const CALLEES = ['leaf', 'even', 'odd', 'grow', 'mid', 'viaGrow', 'viaHost', 'viaTake', 'viaTable', 'viaRef', 'viaTail', 'cycA', 'cycB'] as const;
const WAT = `(module
  (import "env" "grow" (func $hgrow (result i32)))
  (import "env" "take" (func $take (result i32)))
  (memory (export "mem") 1)
  (type $v (func (result i32)))
  (table 1 funcref) (elem (i32.const 0) $grow)
  (elem declare func $grow)
  (func $leaf (result i32) (i32.const 1))
  (func $even (result i32) (call $odd))
  (func $odd (result i32) (if (result i32) (i32.load (i32.const 0)) (then (call $even)) (else (i32.const 0))))
  (func $grow (result i32) (memory.grow (i32.const 1)))
  (func $mid (result i32) (call $grow))
  (func $viaGrow (result i32) (call $mid))
  (func $viaHost (result i32) (call $hgrow))
  (func $viaTake (result i32) (call $take))
  (func $viaTable (result i32) (call_indirect (type $v) (i32.const 0)))
  (func $viaRef (result i32) (call_ref $v (ref.func $grow)))
  (func $viaTail (result i32) (return_call $grow))
  ;; a cycle that reaches a grow
  (func $cycA (result i32) (if (result i32) (i32.load (i32.const 4)) (then (call $cycB)) (else (call $viaGrow))))
  (func $cycB (result i32) (call $cycA))
  ${CALLEES.map((c) => `(func (export "${c}") (param $a i32) (result i32) (drop (call $${c})) (i32.add (i32.load (i32.const 8)) (i32.load (local.get $a))))`).join('\n  ')})`;

function instantiate(tier: 'js' | 'interp'): { inst: ReturnType<Linker['instantiate']>; srcs: string[] } {
  const store = new Store({ tier, fuel: 1e9 });
  const linker = new Linker();
  let mem: Memory | null = null;
  linker.defineFunc(store, 'env', 'grow', funcType([], [I32]), () => mem!.grow(1));
  // the host takes the memory's buffer (its storage may move to exact storage: new views) and writes through it
  linker.defineFunc(store, 'env', 'take', funcType([], [I32]), () => {
    new Uint32Array(mem!.buffer)[2] = 42;
    return 0;
  });
  const inst = linker.instantiate(store, Module.fromWat(WAT));
  mem = inst.memory('mem')!;
  return { inst, srcs: [] };
}

/** Each exported caller, in a fresh instance: its result (or trap) at an address past the first page. */
function outcomes(tier: 'js' | 'interp'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of CALLEES) {
    const { inst } = instantiate(tier);
    try {
      out[c] = inst.call(c, 65536)[0];
    } catch (e) {
      if (!(e instanceof Trap)) throw e;
      out[c] = `trap: ${e.message}`;
    }
    if (tier === 'js') expect((inst.getExport(c) as WasmFunc).jitState, c).toBe(1);
  }
  return out;
}

describe('JS tier: the memory views after a call', () => {
  test('keepsViews: only calls that can reach neither a memory.grow nor unknown code, transitively', () => {
    const vm = Module.fromWat(WAT).validated;
    const got = Object.fromEntries(CALLEES.map((c, i) => [c, keepsViews(vm, 2 + i)]));
    expect(got).toEqual({
      leaf: true,
      even: true,
      odd: true,
      grow: false,
      mid: false,
      viaGrow: false,
      viaHost: false,
      viaTake: false,
      viaTable: false,
      viaRef: false,
      viaTail: false,
      cycA: false,
      cycB: false,
    });
    expect(keepsViews(vm, 0)).toBe(false);
  });

  test('a load past the old end after a call that grew memory (directly, through calls, the host, a table, a reference) reads as in the interpreter', () => {
    const js = outcomes('js');
    expect(js).toEqual(outcomes('interp'));
    for (const c of ['grow', 'viaGrow', 'viaHost', 'viaTable', 'viaRef', 'viaTail', 'cycA', 'cycB']) expect(js[c], c).toBe(0);
    for (const c of ['leaf', 'even', 'odd']) expect(js[c], c).toMatch(/^trap: out of bounds/);
  });

  test('the generated callers: no reload after a call of a function that keeps the views, one after any other', () => {
    const { srcs } = captureSources(() => {
      const { inst } = instantiate('js');
      for (const c of ['leaf', 'odd', 'viaGrow', 'viaTable']) inst.call(c, 0);
    });
    const reloads = (c: string): number => {
      // the exported caller of $c is the function after all the defined callees
      const index = 2 + CALLEES.length + CALLEES.indexOf(c as (typeof CALLEES)[number]);
      const src = srcs.find((s) => s.includes(`function wasm_func_${index}(`));
      expect(src, c).toBeDefined();
      return src!.split('if (V !== ').length - 1;
    };
    expect(reloads('leaf')).toBe(0);
    expect(reloads('odd')).toBe(0);
    expect(reloads('viaGrow')).toBe(1);
    expect(reloads('viaTable')).toBe(1);
  });
});
