/**
 * Counted loops of the JS tier (codegen.ts Counted): an innermost loop whose
 * trip count follows from an induction variable runs, when the fuel covers
 * every iteration, as a copy without fuel code; its exits and traps work out
 * the fuel used from how far the variable has gone. These tests run loops of
 * every shape the copy accepts at every budget against the interpreter
 * (stops, results, traps and fuel must be the same), check that each of them
 * got its copy, run random loops (every relation, step, start and bound,
 * early exits and traps) at random budgets in both tiers, and check
 * loopTrips against a plain simulation. FUELPROP_RUNS scales the random runs.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { I32, Linker, Module, OutOfFuel, Store, Trap, funcType } from '../../src/index.js';
import { jitStats } from '../../src/interp/tier.js';
import * as TR from '../../src/jit/trips.js';

/** Loop bodies: each is the body of `run (param $n i32) (result i32) (local $i i32) (local $a i32) (local $s i32)`. */
const LOOPS: Record<string, string> = {
  // while form: exit test at the top (br_if out), update, br back
  'while i <u n, i += 1': `
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $a (i32.add (local.get $a) (i32.mul (local.get $i) (i32.const 3))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.get $a)`,
  // do-while form as clang emits it: update with tee, test against the bound, br_if back
  'do { } while (++i != n)': `
    (loop $l
      (local.set $a (i32.xor (local.get $a) (i32.add (local.get $i) (i32.const 7))))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $a)`,
  'countdown: do { } while (--i)': `
    (local.set $i (local.get $n))
    (loop $l
      (local.set $a (i32.add (local.get $a) (local.get $i)))
      (br_if $l (local.tee $i (i32.sub (local.get $i) (i32.const 1)))))
    (local.get $a)`,
  'while !eqz(i), i -= 1': `
    (local.set $i (local.get $n))
    (block $d (loop $l
      (br_if $d (i32.eqz (local.get $i)))
      (local.set $a (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 1))))
      (local.set $i (i32.add (local.get $i) (i32.const -1)))
      (br $l)))
    (local.get $a)`,
  'signed: i from -5 while i <s n, step 3': `
    (local.set $i (i32.const -5))
    (block $d (loop $l
      (br_if $d (i32.ge_s (local.get $i) (local.get $n)))
      (local.set $a (i32.add (local.get $a) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 3)))
      (br $l)))
    (local.get $a)`,
  'falling: i from n while i >s 0, step -2': `
    (local.set $i (local.get $n))
    (block $d (loop $l
      (br_if $d (i32.le_s (local.get $i) (i32.const 0)))
      (local.set $a (i32.add (i32.mul (local.get $a) (i32.const 5)) (local.get $i)))
      (local.set $i (i32.sub (local.get $i) (i32.const 2)))
      (br $l)))
    (local.get $a)`,
  'bound on the left: n >u i, step 4 (a power of two)': `
    (local.set $n (i32.mul (local.get $n) (i32.const 4)))
    (loop $l
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (local.set $i (i32.add (i32.const 4) (local.get $i)))
      (br_if $l (i32.gt_u (local.get $n) (local.get $i))))
    (local.get $a)`,
  'test with an offset: i + 2 <=u n, step 5': `
    (loop $l
      (local.set $a (i32.sub (local.get $a) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 5)))
      (br_if $l (i32.le_u (i32.add (local.get $i) (i32.const 2)) (local.get $n))))
    (local.get $a)`,
  'step a local: j += s while j <u n (the sieve)': `
    (local.set $s (i32.add (i32.rem_u (local.get $n) (i32.const 3)) (i32.const 1)))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $a (i32.add (local.get $a) (local.get $i)))
      (local.set $i (i32.add (local.get $s) (local.get $i)))
      (br $l)))
    (local.get $a)`,
  'early exits: at the top level and inside a block': `
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $a (i32.add (local.get $a) (i32.const 9)))
      (br_if $d (i32.gt_u (local.get $a) (i32.const 60)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (block (br_if $d (i32.eq (local.get $i) (i32.const 5))))
      (br $l)))
    (i32.add (local.get $a) (local.get $i))`,
  'return from inside the loop': `
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if 2 (i32.mul (local.get $i) (i32.const 100)) (i32.eq (local.get $i) (i32.const 6)))
      (br $l)))
    (local.get $i)`,
  'trap before the update (i32.div_u by zero at i = 4)': `
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $a (i32.add (local.get $a) (i32.div_u (i32.const 100) (i32.sub (local.get $i) (i32.const 4)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.get $a)`,
  'trap after the update (store out of bounds at i = 16)': `
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (i32.store (i32.mul (local.get $i) (i32.const 4096)) (local.get $a))
      (local.set $a (i32.add (local.get $a) (i32.load (i32.const 8))))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $a)`,
  'signed: i from -3 while i <s n, step 1': `
    (local.set $i (i32.const -3))
    (loop $l
      (local.set $a (i32.add (local.get $a) (i32.const 5)))
      (br_if $l (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $a)`,
  'back edge after the body, code after it': `
    (loop $l
      (local.set $a (i32.add (local.get $a) (i32.const 2)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_s (local.get $i) (local.get $n)))
      (local.set $a (i32.mul (local.get $a) (i32.const 3))))
    (local.get $a)`,
};

function module(body: string): Module {
  return Module.fromWat(`(module
    (import "env" "host" (func $host (param i32) (result i32)))
    (memory 1)
    (func (export "run") (param $n i32) (result i32) (local $i i32) (local $a i32) (local $s i32)
      ${body}))`);
}

interface Run {
  result: unknown;
  trap: string | null;
  stops: number[];
  consumed: number;
}

/** run(n) with `fuel`: every stop records the fuel consumed and gets exactly what it needs. */
function starved(m: Module, tier: 'js' | 'interp', fuel: number, n: number): Run {
  const store = new Store({ fuel, tier });
  const linker = new Linker();
  linker.defineFunc(store, 'env', 'host', funcType([I32], [I32]), (_c, x) => x);
  const inst = linker.instantiate(store, m);
  const stops: number[] = [];
  let next = () => inst.call('run', n);
  for (;;) {
    if (stops.length > 10_000) throw new Error('no end in sight');
    try {
      const r = next();
      return { result: r[0], trap: null, stops, consumed: store.fuelConsumed };
    } catch (e) {
      if (e instanceof Trap) return { result: null, trap: e.message, stops, consumed: store.fuelConsumed };
      if (!(e instanceof OutOfFuel)) throw e;
      stops.push(e.consumed);
      store.addFuel(e.needed - e.remaining);
      next = () => e.resume();
    }
  }
}

describe('counted loops', () => {
  for (const [name, body] of Object.entries(LOOPS)) {
    test(`${name}: every budget as in the interpreter`, () => {
      const m = module(body);
      const before = jitStats.counted;
      // (n = 0 would run the do-while loops on != round all of 2^32)
      for (const n of [1, 2, 7, 20]) {
        const full = starved(m, 'interp', 1e9, n);
        expect(starved(m, 'js', 1e9, n)).toEqual(full);
        for (let fuel = 0; fuel <= full.consumed + 2; fuel++) expect(starved(m, 'js', fuel, n), `n=${n} fuel=${fuel}`).toEqual(starved(m, 'interp', fuel, n));
      }
      // (the loop got its copy: the runs with enough fuel went through it)
      expect(jitStats.counted).toBeGreaterThan(before);
    });
  }

  test('the traps of the loops above happen', () => {
    expect(starved(module(LOOPS['trap before the update (i32.div_u by zero at i = 4)']!), 'js', 1e9, 20).trap).toMatch(/divide by zero/);
    expect(starved(module(LOOPS['trap after the update (store out of bounds at i = 16)']!), 'js', 1e9, 20).trap).toMatch(/out of bounds/);
  });

  test('loops the copy does not take: a call, an if, two updates, a bound the loop changes', () => {
    const others = [
      `(block $d (loop $l (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
         (local.set $a (call $host (local.get $i))) (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l))) (local.get $a)`,
      `(block $d (loop $l (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
         (if (i32.and (local.get $i) (i32.const 1)) (then (local.set $a (i32.add (local.get $a) (i32.const 1)))))
         (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l))) (local.get $a)`,
      `(block $d (loop $l (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
         (local.set $i (i32.add (local.get $i) (i32.const 1))) (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l))) (local.get $i)`,
      `(block $d (loop $l (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
         (local.set $n (i32.sub (local.get $n) (i32.const 1))) (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l))) (local.get $i)`,
    ];
    for (const body of others) {
      const m = module(body);
      const before = jitStats.counted;
      for (const n of [0, 5]) {
        const full = starved(m, 'interp', 1e9, n);
        for (let fuel = 0; fuel <= full.consumed + 1; fuel++) expect(starved(m, 'js', fuel, n)).toEqual(starved(m, 'interp', fuel, n));
      }
      expect(jitStats.counted).toBe(before);
    }
  });

  test('a loop longer than the fuel runs checked, and stops at the same instruction', () => {
    const m = module(LOOPS['while i <u n, i += 1']!);
    /** Stops once with `fuel`, then resumes with plenty. */
    const cut = (tier: 'js' | 'interp', fuel: number): unknown => {
      const store = new Store({ fuel, tier });
      const inst = new Linker().defineFunc(store, 'env', 'host', funcType([I32], [I32]), (_c, x) => x).instantiate(store, m);
      try {
        return { result: inst.call('run', 100_000)[0], consumed: store.fuelConsumed };
      } catch (e) {
        if (!(e instanceof OutOfFuel)) throw e;
        const at = e.consumed;
        store.addFuel(1e9);
        return { at, result: e.resume()[0], consumed: store.fuelConsumed };
      }
    };
    const full = cut('interp', 1e9) as { consumed: number };
    for (const fuel of [1000, 123_457, full.consumed - 1, full.consumed]) expect(cut('js', fuel)).toEqual(cut('interp', fuel));
  });
});

/** How many times in a row from j = 0 `a + j*s REL n` holds (i32 arithmetic), up to `limit`; -1 past it. */
function simulate(a: number, n: number, s: number, rel: number, limit: number): number {
  const holds = (t: number): boolean => {
    const su = rel < TR.REL_LT_S;
    const x = su ? t >>> 0 : t | 0;
    const y = su ? n >>> 0 : n | 0;
    switch (rel) {
      case TR.REL_EQ:
        return x === y;
      case TR.REL_NE:
        return x !== y;
      case TR.REL_LT_U:
      case TR.REL_LT_S:
        return x < y;
      case TR.REL_LE_U:
      case TR.REL_LE_S:
        return x <= y;
      case TR.REL_GT_U:
      case TR.REL_GT_S:
        return x > y;
      default:
        return x >= y;
    }
  };
  let t = a | 0;
  for (let j = 0; j <= limit; j++) {
    if (!holds(t)) return j;
    t = (t + s) | 0;
  }
  return -1;
}

describe('counted loops with large steps', () => {
  // the distance the induction variable goes passes 2^31: the iteration count at an exit must still be exact
  const BIG: Record<string, string> = {
    'i += 65536 while i != n': `
      (block $d (loop $l
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (br_if $d (i32.eq (local.get $a) (local.get $n)))
        (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 65536))) (i32.const -65536)))))
      (i32.add (local.get $a) (i32.const 1000000))`,
    'i += 65537 while i <u 0xfff00000': `
      (block $d (loop $l
        (br_if $d (i32.ge_u (local.get $i) (i32.const 0xfff00000)))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (br_if $d (i32.eq (local.get $a) (local.get $n)))
        (local.set $i (i32.add (local.get $i) (i32.const 65537)))
        (br $l)))
      (local.get $a)`,
  };
  for (const [name, body] of Object.entries(BIG)) {
    test(`${name}: as in the interpreter, run through and left early`, () => {
      const m = module(body);
      const before = jitStats.counted;
      for (const n of [3, 40_000, 1_000_000]) {
        const full = starved(m, 'interp', 1e9, n);
        expect(starved(m, 'js', 1e9, n)).toEqual(full);
        for (const fuel of [1000, 300_001, full.consumed - 1]) {
          const cut = (tier: 'js' | 'interp'): unknown => {
            const store = new Store({ fuel, tier });
            const inst = new Linker().defineFunc(store, 'env', 'host', funcType([I32], [I32]), (_c, x) => x).instantiate(store, m);
            try {
              return inst.call('run', n)[0];
            } catch (e) {
              if (!(e instanceof OutOfFuel)) throw e;
              store.addFuel(1e9);
              return [e.consumed, e.resume()[0], store.fuelConsumed];
            }
          };
          expect(cut('js')).toEqual(cut('interp'));
        }
      }
      expect(jitStats.counted).toBeGreaterThan(before);
    });
  }
});

describe('loopTrips', () => {
  // values near the ends of both orders, and steps small and large, of both signs
  const edge = fc.oneof(
    fc.integer({ min: -40, max: 40 }),
    fc.integer({ min: 0x7fffffc0, max: 0x7fffffff }),
    fc.integer({ min: -0x80000000, max: -0x7fffffc0 }),
    fc.integer({ min: -0x80000000, max: 0x7fffffff }),
  );
  const step = fc.oneof(fc.integer({ min: -9, max: 9 }), fc.constantFrom(16, -16, 0x40000000, -0x40000000, -0x80000000), fc.integer({ min: -0x80000000, max: 0x7fffffff }));
  const rel = fc.integer({ min: TR.REL_EQ, max: TR.REL_GE_S });

  test('a count it gives is exact, and the count times the step stays below 2^32', () => {
    fc.assert(
      fc.property(edge, edge, step, rel, (a, n, s, r) => {
        const c = TR.loopTrips(a, n, s, r);
        if (c < 0) return;
        const m = Math.abs(s);
        expect((c + 1) * m).toBeLessThan(2 ** 32);
        if (c <= 100_000) expect(simulate(a, n, s, r, c)).toBe(c);
        else {
          // long counts: the test holds just before the count and fails at it
          const at = (j: number): number => (a + ((j * s) % 2 ** 32)) | 0;
          expect(simulate(at(c - 1), n, s, r, 1)).toBe(1);
          expect(simulate(at(c), n, s, r, 0)).toBe(0);
        }
      }),
      { numRuns: 20_000 },
    );
  });

  test('the loops compilers emit get a count', () => {
    const cases: [number, number, number, number, number][] = [
      // a, n, s, rel, count
      [0, 10, 1, TR.REL_LT_U, 10],
      [1, 10, 1, TR.REL_NE, 9],
      [9, 0, -1, TR.REL_NE, 9],
      [-5, 7, 3, TR.REL_LT_S, 4],
      [10, 0, -2, TR.REL_GT_S, 5],
      [4, 400, 4, TR.REL_LT_U, 99],
      [0, 2_000_000, 61, TR.REL_LT_U, 32787],
      [5, 5, 1, TR.REL_LT_U, 0],
      [0xfffffff0 | 0, 0, 1, TR.REL_NE, 16],
      [3, 0, 1, TR.REL_GT_U, 0x100000000 - 3],
    ];
    for (const [a, n, s, r, c] of cases) expect(TR.loopTrips(a, n, s, r), `${a} ${n} ${s} ${r}`).toBe(c);
  });

  test('loops that wrap round, never end or have no step get none', () => {
    expect(TR.loopTrips(0, 0xffffffff | 0, 1, TR.REL_LE_U)).toBe(-1);
    expect(TR.loopTrips(0, 10, 0, TR.REL_LT_U)).toBe(-1);
    expect(TR.loopTrips(1, 10, 2, TR.REL_NE)).toBe(-1);
    expect(TR.loopTrips(0xfffffff0 | 0, 0xfffffff8 | 0, 16, TR.REL_LT_U)).toBe(-1);
  });
});

describe('counted loops, random shapes', () => {
  const RELS = ['eq', 'ne', 'lt_u', 'le_u', 'gt_u', 'ge_u', 'lt_s', 'le_s', 'gt_s', 'ge_s'];
  const int32 = fc.oneof(
    fc.integer({ min: -20, max: 20 }),
    fc.integer({ min: 0x7ffffff0, max: 0x7fffffff }),
    fc.integer({ min: -0x80000000, max: -0x7ffffff0 }),
    fc.integer({ min: -0x80000000, max: 0x7fffffff }),
  );
  const shape = fc.record({
    // while form (exit test at the top, br back) or do-while (br_if back)
    doWhile: fc.boolean(),
    // (weighted towards the tests compilers emit, which have inline trip counts)
    rel: fc.oneof({ arbitrary: fc.constantFrom('lt_u', 'lt_s', 'ne'), weight: 2 }, { arbitrary: fc.constantFrom(...RELS), weight: 1 }),
    swap: fc.boolean(),
    // the test reads i after its update (do-while: through local.tee), plus an offset
    after: fc.boolean(),
    off: fc.integer({ min: -3, max: 3 }),
    step: fc.oneof(
      { arbitrary: fc.constantFrom(1, -1), weight: 3 },
      { arbitrary: fc.constantFrom(2, -2, 3, 4, -8, 16, 65536, -65536, 0x40000000), weight: 2 },
      { arbitrary: fc.integer({ min: -100, max: 100 }), weight: 1 },
    ),
    stepLocal: fc.boolean(),
    i0: int32,
    // the bound: near the start (so that many loops end soon) or anywhere
    n: fc.oneof(fc.integer({ min: -12, max: 12 }).map((d) => ({ rel: true, d })), int32.map((d) => ({ rel: false, d }))),
    exitAt: fc.option(fc.integer({ min: 1, max: 12 })),
    trapAt: fc.option(fc.integer({ min: 1, max: 12 })),
  });
  type Shape = typeof shape extends fc.Arbitrary<infer T> ? T : never;

  function wat(s: Shape): string {
    const bound = s.n.rel ? `(i32.add (local.get $i) (i32.const ${s.n.d}))` : `(i32.const ${s.n.d})`;
    const stepE = s.stepLocal ? '(local.get $s)' : `(i32.const ${s.step})`;
    const upd = `(local.set $i (i32.add (local.get $i) ${stepE}))`;
    const t = `(i32.add (local.get $i) (i32.const ${s.off}))`;
    const cmp = s.swap ? `(i32.${swapName(s.rel)} (local.get $n) ${t})` : `(i32.${s.rel} ${t} (local.get $n))`;
    const work = `(local.set $a (i32.add (i32.mul (local.get $a) (i32.const 3)) (local.get $i)))`;
    const exit = s.exitAt !== null ? `(br_if $d (i32.eq (local.get $a) (i32.const ${s.exitAt})))` : '';
    const trap = s.trapAt !== null ? `(drop (i32.div_u (i32.const 1) (i32.sub (local.get $a) (i32.const ${s.trapAt}))))` : '';
    const body = s.doWhile
      ? `(loop $l ${work} ${trap} ${exit} ${upd} (br_if $l ${s.after ? cmp : cmp}))`
      : `(loop $l ${s.after ? '' : `(br_if $d (i32.eqz ${cmp}))`} ${work} ${exit} ${upd} ${trap} ${s.after ? `(br_if $d (i32.eqz ${cmp}))` : ''} (br $l))`;
    return `(module (memory 1) (func (export "run") (param $x i32) (result i32) (local $i i32) (local $n i32) (local $a i32) (local $s i32)
      (local.set $s (i32.const ${s.step}))
      (local.set $i (i32.const ${s.i0}))
      (local.set $n ${bound})
      (block $d ${body})
      (i32.add (local.get $a) (local.get $i))))`;
  }
  function swapName(rel: string): string {
    const m: Record<string, string> = { lt: 'gt', gt: 'lt', le: 'ge', ge: 'le' };
    const [op, sg] = rel.split('_');
    return sg === undefined ? rel : `${m[op!]}_${sg}`;
  }
  /** run() with `fuel`; on running out, the stop and the run resumed with plenty. */
  function outcome(m: Module, tier: 'js' | 'interp', fuel: number): unknown {
    const store = new Store({ fuel, tier });
    const inst = new Linker().instantiate(store, m);
    const end = (f: () => unknown[]): unknown => {
      try {
        return { r: f()[0], used: store.fuelConsumed };
      } catch (e) {
        if (e instanceof Trap) return { trap: e.message, used: store.fuelConsumed };
        throw e;
      }
    };
    try {
      return end(() => inst.call('run', 0));
    } catch (e) {
      if (!(e instanceof OutOfFuel)) throw e;
      store.addFuel(3000);
      try {
        return { stop: e.consumed, then: end(() => e.resume()) };
      } catch (e2) {
        if (!(e2 instanceof OutOfFuel)) throw e2;
        return { stop: e.consumed, again: e2.consumed };
      }
    }
  }

  test('the JS tier and the interpreter agree at random budgets', () => {
    let copies = 0;
    fc.assert(
      fc.property(shape, fc.integer({ min: 0, max: 400 }), (s, fuel) => {
        const m = Module.fromWat(wat(s));
        const before = jitStats.counted;
        expect(outcome(m, 'js', fuel)).toEqual(outcome(m, 'interp', fuel));
        expect(outcome(m, 'js', 5000)).toEqual(outcome(m, 'interp', 5000));
        if (jitStats.counted > before) copies++;
      }),
      { numRuns: Number(process.env['FUELPROP_RUNS'] ?? 1) * 400 },
    );
    // (most shapes get a copy; the budgets decide whether it runs)
    expect(copies).toBeGreaterThan(100);
  });
});
