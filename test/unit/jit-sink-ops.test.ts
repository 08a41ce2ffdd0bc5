/**
 * JsGen's `instr` (codegen.ts) hands every instruction that is neither numeric nor a memory access to a method of its
 * own, found by the instruction's id (OPS_BY_ID): one switch with every case was compiled by TurboFan with the cases'
 * helpers inlined and thrown away at each case first reached after a compile, 4 times in quickjs' first run
 * (BENCHMARKS.md, session 15, helper gen10). Checked here: the table names instructions that exist and that reach it
 * (no vector instruction, no memory access), it has an entry for every instruction, and a function using each of its
 * methods is generated (no decline) and gives the interpreter's results and fuel, uninterrupted and at every budget.
 * Numeric instructions go to their method through a table by id as well (gen-numeric.ts `numeric`: each i32 operator
 * to a method of its form, the others to the method of their type; BENCHMARKS.md, session 16, helper gen12): checked
 * that the table hands each the right one.
 */
import { describe, expect, test } from 'vitest';
import { INSTRS } from '../../src/core/instructions.js';
import { sinkOps } from '../../src/jit/codegen.js';
import { JsNumeric } from '../../src/jit/gen-numeric.js';
import { jitStats } from '../../src/interp/tier.js';
import { captureSources } from '../shared/jit-sources.js';
import { SINK_WAT as WAT, runWithFuel } from '../shared/sink-wat.js';

function run(tier: 'js' | 'interp', fuel: number): ReturnType<typeof runWithFuel> {
  return runWithFuel(WAT, 'run', 13, tier, fuel);
}

describe('JS tier: the instructions instr hands to methods of their own', () => {
  test('the table names existing instructions that reach it, and covers every instruction', () => {
    const { named, complete } = sinkOps();
    expect(complete).toBe(true);
    const byName = new Map(INSTRS.map((d) => [d.name, d]));
    for (const n of named) {
      const d = byName.get(n);
      expect(d, n).toBeDefined();
      expect(d!.prefix, n).not.toBe(0xfd);
      expect(d!.bytes > 0 && d!.params !== null && d!.family === 'memory', n).toBe(false);
    }
    for (const n of ['local.get', 'local.set', 'local.tee', 'br_if', 'block', 'loop', 'end', 'call', 'select', 'global.set', 'memory.grow', 'table.get'])
      expect(named).toContain(n);
  });

  test('numeric instructions reach their method through a table by id, with the name after the dot', () => {
    const table = JsNumeric.numericTable();
    expect(table.length).toBe(INSTRS.length);
    const byName = new Map(table.map((r) => [r.name, r]));
    for (const d of INSTRS) {
      const dot = d.name.indexOf('.');
      const ty = dot < 0 ? '' : d.name.slice(0, dot);
      const r = byName.get(d.name)!;
      const numeric = d.family === 'numeric' || d.family === 'conversion';
      // every i32 operator has a method of its own form; the other types' go to the method of their type
      if (ty === 'i32') expect(r.method.startsWith('i32') || !numeric, d.name).toBe(true);
      if (ty === 'i32') expect(r.method === 'notNumeric', d.name).toBe(!numeric);
      else expect(r.method, d.name).toBe(['i64', 'f32', 'f64'].includes(ty) ? `${ty}op` : 'notNumeric');
      if (r.method !== 'notNumeric') expect(r.op, d.name).toBe(d.name.slice(dot + 1));
      expect(r.f !== null, d.name).toBe(['i32bin', 'i32cmp', 'i32un'].includes(r.method));
    }
    expect(byName.get('f32.sqrt')).toMatchObject({ method: 'f32op', op: 'sqrt' });
    expect(byName.get('i64.atomic.rmw.add')?.op).toBe('atomic.rmw.add');
    const add = byName.get('i32.add')!;
    expect(add.method).toBe('i32bin');
    expect((add.f as (a: string, b: string) => string)('x', 'y')).toBe('((x + y) | 0)');
    expect(byName.get('i32.lt_u')!.method).toBe('i32cmp');
    expect(byName.get('i32.extend8_s')!.method).toBe('i32un');
    expect(byName.get('i32.rotr')!.method).toBe('i32rot');
    expect(byName.get('i32.div_u')!.method).toBe('i32div');
    expect(byName.get('i32.trunc_sat_f64_u')!.method).toBe('i32truncSat');
    expect(byName.get('i32.load')!.method).toBe('notNumeric');
    expect(byName.get('i32.const')!.method).toBe('notNumeric');
  });

  test('a function using each of them is generated and agrees with the interpreter, at every budget', () => {
    const declined = [...jitStats.declined.values()].reduce((a, b) => a + b, 0);
    const { srcs, value: js } = captureSources(() => run('js', 1e9));
    expect([...jitStats.declined.values()].reduce((a, b) => a + b, 0)).toBe(declined);
    expect(srcs.some((s) => s.includes('wasm_func_2'))).toBe(true);
    const interp = run('interp', 1e9);
    expect(js).toEqual(interp);
    expect(typeof interp.out).toBe('number');
    for (let f = 0; f < interp.consumed; f += 7) expect(run('js', f), `budget ${f}`).toEqual(run('interp', f));
  });
});
