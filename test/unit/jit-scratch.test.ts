/**
 * Generated functions declare only the scratch variables and the runtime's helpers they use (codegen.ts declareUsed). Each unused
 * declaration is bytecode, and V8 inlines a callee only under 460 bytes of it: with all of them declared, wat-try's
 * callee was inlined into its caller's loop without fuel code and not with it, and metering cost that loop +100%
 * (BENCHMARKS.md, metering).
 */
import { afterEach, describe, expect, test } from 'vitest';
import { Linker, Module, Store, type StoreOptions } from '../../src/index.js';
import { jsEval, runtimeNames } from '../../src/jit/codegen.js';
import { WORKLOADS } from '../../bench/workloads.js';

const SCRATCH = ['FD', 'st', 'ex', 'ea', 'eb', 'fx', 'x', 'y', 'm0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'u0', 'u1', 'u2', 'u3', 'cf', 'jf', 'xe', 'tr'];

const realCompile = jsEval.compile;
afterEach(() => {
  jsEval.compile = realCompile;
});

/** The generated sources of a workload's functions called with its test arguments (a module of its own: nothing shared). */
function sources(id: string, opts: StoreOptions): { srcs: string[]; result: unknown[] } {
  const w = WORKLOADS.find((x) => x.id === id)!;
  const srcs: string[] = [];
  jsEval.compile = (src) => {
    srcs.push(src);
    return realCompile(src);
  };
  const result = new Linker().instantiate(new Store(opts), Module.fromBinary(w.bytes())).call(w.export, ...w.testArgs);
  jsEval.compile = realCompile;
  return { srcs, result };
}

/** The function's `var S = …` line, and the rest of its source. */
function split(src: string): { decl: string; rest: string } {
  const m = /^var S = mc\.s(, .*)?;$/m.exec(src)!;
  return { decl: m[0], rest: src.slice(0, m.index) + src.slice(m.index + m[0].length) };
}

/** The helpers a source takes from the runtime (`var { … } = R;`), and the rest of its source. */
function helpers(src: string): { names: string[]; rest: string } {
  const m = /^var \{ (.*) \} = R;$/m.exec(src);
  return m === null ? { names: [], rest: src } : { names: m[1]!.split(', '), rest: src.slice(0, m.index) + src.slice(m.index + m[0].length) };
}

const declares = (decl: string, name: string) => new RegExp(`, ${name} = `).test(decl);
const uses = (rest: string, name: string) => new RegExp(`\\b${name}\\b`).test(rest);

describe('scratch variables of generated functions', () => {
  for (const id of ['wat-try', 'wat-throw', 'alloc', 'dispatch', 'hash64', 'simd']) {
    for (const [cfg, opts] of [['fuel', {}], ['no fuel', { countFuel: false }]] as const) {
      test(`${id}, ${cfg}: exactly the ones it uses are declared, and it runs`, () => {
        const w = WORKLOADS.find((x) => x.id === id)!;
        const { srcs, result } = sources(id, opts);
        expect(srcs.length).toBeGreaterThan(0);
        const interp = new Linker().instantiate(new Store({ tier: 'interp' }), Module.fromBinary(w.bytes())).call(w.export, ...w.testArgs);
        expect(result).toEqual(interp);
        for (const src of srcs) {
          const { decl, rest } = split(src);
          for (const n of SCRATCH) expect([n, declares(decl, n)]).toEqual([n, uses(rest, n)]);
          expect(/\bvar RF = mc\.refs;/.test(src)).toBe(/\bRF\[/.test(rest));
          // the callee's depth and JS stack (d1, jw), each declared where used
          const cl = /^var (?:d1|jw) = .*;$/m.exec(rest);
          const body = cl === null ? rest : rest.slice(0, cl.index) + rest.slice(cl.index + cl[0].length);
          for (const n of ['d1', 'jw']) expect([n, cl !== null && new RegExp(`\\b${n} = `).test(cl[0])]).toEqual([n, uses(body, n)]);
          // exactly the runtime's helpers it uses
          const h = helpers(src);
          const used = runtimeNames().filter((n) => uses(h.rest, n));
          expect(used.length).toBeGreaterThan(0);
          expect(h.names.sort()).toEqual(used.sort());
        }
      });
    }
  }

  test("wat-try's callee, with fuel code, declares none and has no epilogue (it is small enough for V8 to inline)", () => {
    const { srcs } = sources('wat-try', {});
    const step = srcs.find((s) => s.includes('function wasm_func_0('))!;
    expect(split(step).decl).toBe('var S = mc.s;');
    expect(step).not.toMatch(/const (WT|RF) =/);
    // its only stop is at its entry (rt.ts stopEntry): no exit to an epilogue
    expect(step).toMatch(/return stopEntry\(mc, (?:_\d+|E\[\d+\]), fp, depth, fuel, 0\)/);
    expect(step).not.toMatch(/break X|leave\(/);
    // and its caller declares those of its calls, exits and exception handler only
    const run = srcs.find((s) => s.includes('function wasm_func_1('))!;
    // (no `tr`: it has no trap of its own; the call's depth limit is the callee's to check, rt.ts enter)
    expect(split(run).decl).toBe('var S = mc.s, st = 0, ex = 0, jf = null, xe = null;');
  });

  test("dispatch's callees, with fuel code, have no epilogue either", () => {
    const { srcs } = sources('dispatch', {});
    const callees = srcs.filter((s) => !s.includes('function wasm_func_0('));
    expect(callees.length).toBeGreaterThan(4);
    expect(callees.filter((s) => s.includes('leave(')).length).toBeLessThanOrEqual(1);
  });
});
