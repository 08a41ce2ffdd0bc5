/**
 * GC type descriptors and struct classes as variables of a generated source's factory (src/jit/gen-refs.ts
 * gcConst), and `letGo` as a runtime helper (src/jit/ref-args.ts letGoCall): the sources name them, every maker
 * sets them, and a source shared by instances of two registries (whose canonical ids are the same) cannot mix up
 * their descriptors, because the names carry the descriptor's process-wide `uid`.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { Linker, Module, Store, WasmFunc } from '../../src/index.js';
import { jsEval } from '../../src/jit/codegen.js';
import { TypeRegistry } from '../../src/validate/types.js';
import { gcTypeById, type GcStruct } from '../../src/runtime/objects/gc.js';
import { GC_WORKLOADS } from '../../bench/workloads.js';

const realCompile = jsEval.compile;
afterEach(() => {
  jsEval.compile = realCompile;
});

/** `run(k)`: a struct made, tested and read through an anyref parameter of a callee; 7 + k, or -1 for an i31. */
const TWO = `(module
  (type $a (struct (field i32)))
  (type $b (struct (field i32) (field i32)))
  (func $get (param $v anyref) (result i32)
    (if (ref.test (ref $a) (local.get $v))
      (then (return (struct.get $a 0 (ref.cast (ref $a) (local.get $v))))))
    (if (ref.test (ref $b) (local.get $v))
      (then (return (struct.get $b 1 (ref.cast (ref $b) (local.get $v))))))
    (i32.const -1))
  (func (export "run") (param $k i32) (result i32)
    (i32.add
      (call $get (struct.new $a (i32.add (i32.const 7) (local.get $k))))
      (i32.add
        (call $get (struct.new $b (i32.const 0) (local.get $k)))
        (call $get (ref.i31 (local.get $k))))))
  (func (export "mk") (param $k i32) (result anyref) (struct.new $a (local.get $k))))`;

describe("JS tier: GC type descriptors as the factory's variables", () => {
  test("gc-shapes' sources: the type tests and allocations name the factory's variables, letGo the runtime's", () => {
    const srcs: string[] = [];
    jsEval.compile = (s) => (srcs.push(s), realCompile(s));
    const w = GC_WORKLOADS.find((x) => x.id === 'gc-shapes')!;
    const inst = new Linker().instantiate(new Store({ fuel: 1e9 }), Module.fromBinary(w.gc()));
    expect(inst.call('run', ...w.testArgs)[0]).toBe(w.expected);
    const area = srcs.find((s) => s.includes('function wasm_func_0('))!;
    const run = srcs.find((s) => s.includes('function wasm_func_1('))!;
    // $area: both tests against variables declared at the top and set by the maker from the environment
    const tests = [...area.matchAll(/(?:\.type\)?|RY\d+) === (GT\d+)/g)].map((m) => m[1]!);
    expect(tests.length).toBe(2);
    for (const [src, names] of [[area, tests], [run, [...run.matchAll(/new (GS\d+)\(/g)].map((m) => m[1]!)]] as const) {
      expect(names.length).toBeGreaterThan(0);
      const decl = /^var (G[TS]\d+(?:, G[TS]\d+)*);$/m.exec(src);
      expect(decl, 'declared in the factory').not.toBeNull();
      for (const n of names) {
        expect(decl![1]!.split(', ')).toContain(n);
        expect(src).toMatch(new RegExp(`return \\(function \\(E\\) \\{\\n(?:.*, )?${n} = E\\[\\d+\\]`));
      }
    }
    // (run allocates circles and rects, and its array with the array type's descriptor)
    expect(run).toMatch(/new E\[\d+\]\(GT\d+, ea, /);
    // letGo by name, from the runtime; no environment entry read for it
    expect(run).toMatch(/^var \{[^}]*\bletGo\b[^}]*\} = R;$/m);
    expect(run).toMatch(/; letGo\(0, 0, 0, 0, 0, 0, 0, 0\);/);
  });

  test('one module in two registries (the same canonical ids): each instance tests against its own descriptors', () => {
    const srcs: string[] = [];
    jsEval.compile = (s) => (srcs.push(s), realCompile(s));
    // (one decoded module, so one set of function bodies and the factories kept by them: codegen.ts `factory`)
    const data = Module.fromWat(TWO).data;
    const regs = [new TypeRegistry(), new TypeRegistry()];
    const mods = regs.map((registry) => Module.fromData(data, { registry }));
    const insts = mods.map((m, i) => new Linker().instantiate(new Store({ fuel: 1e9, registry: regs[i] }), m));
    const interp = new Linker().instantiate(new Store({ fuel: 1e9, tier: 'interp' }), Module.fromData(data));
    // calls alternating between the two instances: the later one's maker ran between the first one's calls
    for (let k = 1; k <= 4; k++) {
      for (const inst of insts) {
        expect(inst.call('run', k)[0], `run(${k})`).toBe(interp.call('run', k)[0]);
        expect(inst.call('run', k)[0]).toBe(7 + k + k - 1);
        const f = inst.getExport('run');
        expect(f instanceof WasmFunc && f.jitState === 1).toBe(true);
      }
      // a struct the JS tier made is of its own registry's type
      insts.forEach((inst, i) => {
        const s = inst.call('mk', k)[0] as GcStruct;
        expect(s.type, `mk(${k}) in registry ${i}`).toBe(gcTypeById(regs[i]!, mods[i]!.validated.canon[0]!));
        expect(s.entry(0)).toBe(k);
      });
    }
    // the same canonical ids, so the sources differed only in the descriptors' names
    const get = srcs.filter((s) => s.includes('function wasm_func_0('));
    expect(get.length).toBe(2);
    expect(get[0]).not.toBe(get[1]);
    expect(get[0]!.replace(/\bG([TS])\d+/g, 'G$1')).toBe(get[1]!.replace(/\bG([TS])\d+/g, 'G$1'));
  });
});
