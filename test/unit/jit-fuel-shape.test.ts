/**
 * The generator's fuel links and roots (gen-types.ts fuelLink, newRoot; gen-fuel.ts chainParts) have one hidden class
 * each, and every link's parts are a packed array: the parts of a block chained onto the one before were `map`ped
 * (a holey array; joins and roots make packed ones), and V8 threw the optimised blockStart away at the first holey
 * one it met after its compile ("wrong map" at `up.parts`, in every quickjs and sql.js first run; BENCHMARKS.md,
 * session 16, helper gen12); links of two shapes (with and without `paidBy`) and roots given `loop` later were
 * polymorphic too. The holey arrays came from TurboFan's own code for `map` (the builtin makes packed ones), so
 * chainParts is checked both before and after V8 optimises it. Checked with V8's own `%HaveSameMap` and
 * `%HasHoleyElements` (natives syntax, switched on for this file's functions only).
 */
import { setFlagsFromString } from 'node:v8';
import { describe, expect, test } from 'vitest';
import { chainParts } from '../../src/jit/gen-fuel.js';
import { fuelLink, newRoot, type FuelPart } from '../../src/jit/gen-types.js';

setFlagsFromString('--allow-natives-syntax');
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const holey = new Function('a', 'return %HasHoleyElements(a)') as (a: unknown[]) => boolean;
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const prepare = new Function('f', '%PrepareFunctionForOptimization(f)') as (f: unknown) => void;
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const optimizeNext = new Function('f', '%OptimizeFunctionOnNextCall(f)') as (f: unknown) => void;
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const optimized = new Function('f', 'return (%GetOptimizationStatus(f) & 16) !== 0') as (f: unknown) => boolean;

describe('JS tier: fuel links and roots of one hidden class', () => {
  test('roots keep their map when a loop head marks its root and checks are raised', () => {
    const fresh = newRoot(0, 3, undefined);
    const head = newRoot(4, 2, 'if (fuel < 0) {}');
    head.loop = true;
    head.max = 9;
    head.line = 7;
    expect(sameMap(head, fresh)).toBe(true);
  });

  test('a chained block has packed parts of the map every link has, and raises each root to its cost', () => {
    const a = newRoot(0, 3, undefined);
    const b = newRoot(1, 5, undefined);
    const joined: FuelPart[] = [];
    joined.push({ root: a, acc: 3 });
    joined.push({ root: b, acc: 4 });
    const literal: FuelPart[] = [{ root: a, acc: 3 }];
    const chained = chainParts(joined, 2);
    expect(chained).toEqual([{ root: a, acc: 5 }, { root: b, acc: 6 }]);
    expect([a.max, b.max]).toEqual([5, 6]);
    expect(chainParts(literal, 1)).toEqual([{ root: a, acc: 4 }]);
    expect(a.max).toBe(5);
    expect(b.max).toBe(6);
    prepare(chainParts);
    for (let i = 0; i < 3; i++) chainParts([{ root: newRoot(0, 0, undefined), acc: i }], 1);
    optimizeNext(chainParts);
    const fast = chainParts(joined, 1);
    expect(optimized(chainParts)).toBe(true);
    expect(fast).toEqual([{ root: a, acc: 4 }, { root: b, acc: 5 }]);
    for (const parts of [chained, chainParts(literal, 1), fast]) {
      expect(holey(parts)).toBe(false);
      expect(sameMap(parts, joined)).toBe(true);
      expect(sameMap(parts, literal)).toBe(true);
    }
    const links = [fuelLink(chained, null, null), fuelLink(literal, { id: 0 } as never, null), fuelLink(joined, null, [])];
    for (const l of links) expect(sameMap(l, links[0]!)).toBe(true);
  });
});
