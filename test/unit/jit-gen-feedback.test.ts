/**
 * The generator's helpers that V8 compiles early in a package's first run keep their optimised code when a kind of
 * value first met after the compile arrives (BENCHMARKS.md, session 16, helper gen12): the stack variables' names come
 * from a table by value type (gen-base.ts varName: a switch over the types threw pushVar and pushStmt away at the first
 * f32, v128 or reference), and the operand stack is an array of objects from the start (objectList: a fresh `[]` is
 * one of small integers until its first push, which threw push away at a new generator's first entry). Checked with
 * V8's natives syntax (switched on for this file's functions only).
 */
import { setFlagsFromString } from 'node:v8';
import { describe, expect, test } from 'vitest';
import { EXTERNREF, F32, F64, FUNCREF, I32, I64, V128 } from '../../src/core/types.js';
import { JsBase, objectList } from '../../src/jit/gen-base.js';

setFlagsFromString('--allow-natives-syntax');
/* eslint-disable @typescript-eslint/no-implied-eval */
const prepare = new Function('f', '%PrepareFunctionForOptimization(f)') as (f: unknown) => void;
const optimizeNext = new Function('f', '%OptimizeFunctionOnNextCall(f)') as (f: unknown) => void;
const optimized = new Function('f', 'return (%GetOptimizationStatus(f) & 16) !== 0') as (f: unknown) => boolean;
const smiElements = new Function('a', 'return %HasSmiElements(a)') as (a: unknown[]) => boolean;
const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;
/* eslint-enable @typescript-eslint/no-implied-eval */

describe('JS tier: the generator keeps its optimised helpers', () => {
  test('stack variables are named by table, for every value type, with no deopt at a type first met late', () => {
    const varName = (JsBase.prototype as unknown as { varName(t: number, i: number): string }).varName;
    const name = (t: number, i: number): string => varName.call(null, t, i);
    expect([I32, I64, F32, F64, V128, FUNCREF, EXTERNREF].map((t) => name(t, 7))).toEqual(['I7', 'J7', 'F7', 'D7', 'V7_0', 'R7', 'R7']);
    expect(() => name(0x78, 1)).toThrow(/value type/);
    // optimised after seeing i32s only, it keeps its code for the other types
    prepare(varName);
    for (let i = 0; i < 3; i++) name(I32, i);
    optimizeNext(varName);
    expect(name(I32, 3)).toBe('I3');
    expect(optimized(varName)).toBe(true);
    expect(name(F32, 4) + name(V128, 5) + name(FUNCREF, 6)).toBe('F4V5_0R6');
    expect(optimized(varName)).toBe(true);
  });

  test('the operand stack starts as an array of objects', () => {
    const st = objectList<{ k: number }>();
    expect(st.length).toBe(0);
    expect(smiElements(st)).toBe(false);
    st.push({ k: 1 });
    expect(sameMap(st, [{ k: 2 }])).toBe(true);
    expect(smiElements([])).toBe(true);
  });
});
