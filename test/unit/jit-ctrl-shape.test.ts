/**
 * The generator's control frames (gen-types.ts newCtrl) are made with every field present, so that all of them have
 * one hidden class whatever their kind and whichever optional fields the generation sets later: frames made as
 * literals of four shapes and given fields as they went had a dozen maps, and V8 threw the optimised code of JsGen's
 * `instr` and `enter` away at a map first seen after its compile ("wrong map"; BENCHMARKS.md, session 15, helper
 * gen10). Checked with V8's own `%HaveSameMap` (natives syntax, switched on for this file's functions only).
 */
import { setFlagsFromString } from 'node:v8';
import { describe, expect, test } from 'vitest';
import { newCtrl, type Ctrl } from '../../src/jit/gen-types.js';

setFlagsFromString('--allow-natives-syntax');
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

describe('JS tier: control frames of one hidden class', () => {
  test('every kind, with the fields each kind sets later, keeps the map of a fresh frame', () => {
    const fresh = newCtrl('block', 0, [], [], 'L0', false, false, false, -1);
    const func = newCtrl('func', 0, [], [], '', false, true, false, 3);
    const iff = newCtrl('if', 1, [], [], 'L1', false, false, false, -1);
    iff.osrElse = 2;
    iff.fuelElse = null;
    iff.armFrom = 4;
    iff.ifBlk = null;
    iff.condBlk = null;
    iff.condLine = 7;
    iff.thenEnd = 'dead';
    iff.thenBlk = null;
    iff.elseFrom = 5;
    iff.thenFirst = null;
    iff.elseFirst = null;
    const loop = newCtrl('loop', 0, [], [], 'L2', false, true, true, 1);
    loop.entry = null;
    loop.from = null;
    loop.pins = [1, 2];
    const block = newCtrl('block', 2, [], [], 'L3', false, false, false, -1);
    block.targeted = true;
    block.edges = [null];
    const tryFrame = newCtrl('block', 0, [], [], 'L4', false, false, false, -1);
    tryFrame.arm = true;
    tryFrame.bodyLive = false;
    const frames: Ctrl[] = [func, iff, loop, block, tryFrame];
    for (const f of frames) {
      expect(Object.keys(f)).toEqual(Object.keys(fresh));
      expect(sameMap(f, fresh), f.kind).toBe(true);
    }
  });
});
