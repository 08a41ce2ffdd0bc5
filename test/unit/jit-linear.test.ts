/**
 * The JS tier's generation is linear in the function's size, whatever the shape of its code
 * (docs/fuel.md, "Work outside the budget"): nested loops, loops in blocks and in the arms of ifs,
 * deep operand stacks. Measured by the generated source's length (deterministic), never by time.
 * Functions the tier declines (too deep, too large, a RangeError or a bug of the generator) run on
 * the interpreter with the same results and fuel: generation never makes a call fail.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { Linker, Module, Store } from '../../src/index.js';
import { jsEval } from '../../src/jit/codegen.js';
import { MAX_HEIGHT, MAX_NESTING, SOURCE_BASE, SOURCE_PER_BYTE, SOURCE_PER_LOCAL } from '../../src/jit/gen-types.js';
import { jitStats } from '../../src/interp/tier.js';
import { moduleWithBody } from './wasm-bytes.js';

const realCompile = jsEval.compile;
afterEach(() => {
  jsEval.compile = realCompile;
});

interface Run {
  /** Characters of generated source compiled; functions the tier declined, by reason. */
  src: number;
  declined: Map<string, number>;
}

/**
 * Runs `f` (param i32, result i32, one i32 local, `body` its instructions) on the JS tier and on the
 * interpreter, expects the same result and fuel from both, and returns what the JS tier generated.
 */
function run(body: number[], arg = 0): Run {
  const mod = Module.fromBinary(moduleWithBody(func(body), [I32]));
  const ref = new Store({ fuel: 1e9, tier: 'interp' });
  const want = new Linker().instantiate(ref, mod).call('f', arg);
  let src = 0;
  jsEval.compile = (s) => ((src += s.length), realCompile(s));
  const before = new Map(jitStats.declined);
  const store = new Store({ fuel: 1e9 });
  expect(new Linker().instantiate(store, mod).call('f', arg)).toEqual(want);
  expect(store.fuelConsumed).toBe(ref.fuelConsumed);
  const declined = new Map<string, number>();
  for (const [k, v] of jitStats.declined) if (v !== (before.get(k) ?? 0)) declined.set(k, v - (before.get(k) ?? 0));
  return { src, declined };
}

// opcodes
const I32 = 0x7f;
const [BLOCK, LOOP, IF, ELSE, END, BR_IF, DROP] = [[0x02, 0x40], [0x03, 0x40], [0x04, 0x40], [0x05], [0x0b], 0x0d, 0x1a];
const GET = (x: number): number[] => [0x20, x];
const SET = (x: number): number[] => [0x21, x];
const TEE = (x: number): number[] => [0x22, x];
const CONST = (c: number): number[] => [0x41, c];
const ADD = 0x6a;
const AND = 0x71;

/** The function's body: one i32 local (1), the code, and local 1 as the result. */
const func = (code: number[]): number[] => [1, 1, I32, ...code, ...GET(1), ...END];
const rep = (n: number, ...code: (number | number[])[]): number[] => {
  const one = code.flat();
  const o: number[] = [];
  for (let i = 0; i < n; i++) o.push(...one);
  return o;
};

/** Code shapes of size n. */
const SHAPES: Record<string, (n: number) => number[]> = {
  'nested loops': (n) => [...rep(n, LOOP), ...rep(n, END)],
  'loops in blocks': (n) => [...rep(n, BLOCK, LOOP), ...rep(n, END, END)],
  'loops in the arms of ifs': (n) => [...rep(n, GET(0), IF, LOOP), ...rep(n, END, ELSE, LOOP, END, END)],
  'counting loops, nested': (n) => [
    ...rep(n, GET(1), CONST(1), ADD, SET(1), LOOP),
    ...rep(n, GET(1), CONST(1), ADD, TEE(1), CONST(0), AND, BR_IF, 0, END),
  ],
  'br_if chains in loops': (n) => [...rep(n, BLOCK, LOOP, GET(0), BR_IF, 1), ...rep(n, END, END)],
};

describe('JS tier: generation linear in the function size', () => {
  for (const [name, shape] of Object.entries(SHAPES)) {
    test(`${name}: 4x the code, at most ~4x the generated source`, () => {
      const small = run(shape(50));
      const big = run(shape(200));
      // (both generated: the sizes are below the tier's limits)
      expect(small.declined).toEqual(new Map());
      expect(big.declined).toEqual(new Map());
      expect(small.src).toBeGreaterThan(0);
      // linear: src = a + b·n gives src(4n)/src(n) < 4; a quadratic term (each loop's re-entry test
      // naming every loop inside it, before LoopSet) makes it 10 and more
      expect(big.src / small.src).toBeLessThan(4.5);
    });
  }

  test('a deep operand stack under many loops: the source budget ends generation (linear), the interpreter runs it', () => {
    // every loop's re-entry loads, and every fuel exit writes back, the whole stack: quadratic source
    const n = 600;
    const r = run([...rep(n, CONST(1)), ...rep(n, LOOP, END), ...rep(n, DROP)]);
    expect(r.declined).toEqual(new Map([['function too large', 1]]));
    expect(r.src).toBe(0);
  });

  test('generated source stays within SOURCE_BASE + SOURCE_PER_BYTE per byte + SOURCE_PER_LOCAL per local', () => {
    for (const [, shape] of Object.entries(SHAPES)) {
      const code = shape(200);
      const body = func(code).length;
      expect(run(code).src).toBeLessThanOrEqual(SOURCE_BASE + SOURCE_PER_BYTE * body + SOURCE_PER_LOCAL * 2 + 4096);
    }
  });
});

describe('JS tier: deep code stays interpreted, never an error', () => {
  test('10,000 nested loops (issue 18: 28 s, 1.5 GB, then RangeError from the generator)', () => {
    expect(run(SHAPES['nested loops']!(10_000)).declined).toEqual(new Map([['nesting too deep for JS', 1]]));
  });

  test(`nesting deeper than MAX_NESTING (${MAX_NESTING}) of blocks, ifs and loops in blocks`, () => {
    const n = MAX_NESTING + 1;
    for (const code of [
      [...rep(n, BLOCK), ...rep(n, END)],
      [...rep(n, GET(0), IF), ...rep(n, END)],
      [...rep(n, GET(0), IF), ...rep(n, ELSE, END)],
      SHAPES['loops in blocks']!((n + 1) >> 1),
    ]) {
      expect(run(code, 1).declined).toEqual(new Map([['nesting too deep for JS', 1]]));
    }
  });

  test(`an operand stack higher than MAX_HEIGHT (${MAX_HEIGHT})`, () => {
    const n = MAX_HEIGHT + 1;
    const r = run([...rep(n, CONST(1)), ...rep(n, GET(0), BR_IF, 0), ...rep(n, DROP)]);
    expect(r.declined).toEqual(new Map([['operand stack too deep for JS', 1]]));
  });

  test('a RangeError or any other error while generating declines the function', () => {
    const bytes = moduleWithBody(func(SHAPES['counting loops, nested']!(3)), [I32]);
    for (const [err, why] of [
      [new RangeError('Invalid string length'), 'too large for JS'],
      [new Error('wasmeter internal error: test'), 'internal error: wasmeter internal error: test'],
    ] as const) {
      const before = jitStats.declined.get(why) ?? 0;
      const mod = Module.fromBinary(bytes);
      const ref = new Store({ fuel: 1e9, tier: 'interp' });
      const want = new Linker().instantiate(ref, mod).call('f', 0);
      jsEval.compile = () => {
        throw err;
      };
      const store = new Store({ fuel: 1e9 });
      expect(new Linker().instantiate(store, mod).call('f', 0)).toEqual(want);
      expect(store.fuelConsumed).toBe(ref.fuelConsumed);
      expect(jitStats.declined.get(why)).toBe(before + 1);
    }
  });
});
