/**
 * Shared pieces of the fuel property tests (fuel-model.test.ts,
 * fuel-resume.test.ts; docs/fuel.md, "How it is tested"): random structured
 * programs (program.ts) run on wasmeter (harness.ts) and on an independent
 * reference interpreter (reference.ts) that lists every charge the model
 * makes.
 *
 * Run counts: FUELPROP_RUNS scales them (default 1); FUELPROP_SEED fixes the
 * seed (fast-check prints the seed and the shrunk program of a failure);
 * FUELPROP_PATH (with the seed, the `path` fast-check printed) replays that
 * shrunk failure at once instead of shrinking again (which can take half an
 * hour); FUELPROP_STATS=1 prints what the runs covered.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { Module, type FuelCosts } from '../../src/index.js';
import type { Outcome, StopRecord } from './harness.js';
import { ALL_NAMES, buildProgram, toWat, type Program } from './program.js';
import { stopPoint, type RefOutcome } from './reference.js';

/**
 * wasmeter stops before a memory.grow that is going to fail when the fuel
 * left cannot pay the surcharge a successful grow would cost (the model
 * charges a failing grow nothing, so there is nothing to stop for; see
 * known-bugs.test.ts). While true, such a stop is accepted (and counted) and
 * budgets leave room for it; Fixed: false (kept to re-enable the
 * tolerance if a regression needs investigating).
 */
export const TOLERATE_FAILED_GROW_STOP = false;
/**
 * When a host function throws (here: traps), wasmeter gives back the fuel
 * consumed during the host call: the host-call surcharge, and whatever the
 * host charged or ran before throwing (see known-bugs.test.ts). While true,
 * a run that ends in a host trap may have consumed the model's total minus
 * that surcharge. Fixed: false.
 */
export const TOLERATE_HOST_TRAP_REFUND = false;

const SCALE = Number(process.env.FUELPROP_RUNS ?? 1);
const SEED = process.env.FUELPROP_SEED === undefined ? undefined : Number(process.env.FUELPROP_SEED);
export const runs = (n: number): fc.Parameters<unknown> => ({ numRuns: Math.max(1, Math.round(n * SCALE)), seed: SEED, ...(process.env.FUELPROP_PATH ? { path: process.env.FUELPROP_PATH, endOnFailure: true } : {}) });

/** What the runs of a test file covered (printed with FUELPROP_STATS=1). */
const noStats = () => ({ runs: 0, traps: 0, hostTraps: 0, tainted: 0, stops: { fuel: 0, interrupt: 0, host: 0 }, knownBugStops: 0, maxFuel: 0, sumFuel: 0 });
export const stats = noStats();
const reached = new Map<string, number>();
/** Prints (with FUELPROP_STATS set) what the runs since the last call covered, and starts counting again: the test files share worker processes and this module. */
export function printStats(file: string): void {
  if (process.env.FUELPROP_STATS) {
    const never = [...ALL_NAMES, '+grow', '+fill', '+copy', '+hostCall', '+host'].filter((n) => !reached.has(n));
    console.log(`${file}: what the runs covered`, { ...stats, meanFuel: Math.round(stats.sumFuel / stats.runs), kindsReached: reached.size, never });
  }
  Object.assign(stats, noStats());
  reached.clear();
}

// ------------------------------------------------------------------ arbitraries

const FAMILIES = ['control', 'parametric', 'variable', 'memory', 'const', 'numeric', 'conversion', 'bulk', 'aggregate', 'reference', 'exception'] as const;

/** A program, printed as its text (and arguments) when fast-check reports it. */
export const programArb: fc.Arbitrary<Program> = fc.array(fc.noBias(fc.nat({ max: 0xffff })), { minLength: 30, maxLength: 400, size: 'max' }).map((choices) => {
  const p = buildProgram(choices);
  Object.defineProperty(p, fc.toStringMethod, {
    value: () => `${toWat(p)}\n;; args: ${p.args.map(String).join(', ')}`,
    enumerable: false,
  });
  return p;
});

/** A random cost table: any subset of the fields, zero costs included. */
export const costsArb: fc.Arbitrary<FuelCosts> = fc.record(
  {
    default: fc.nat(4),
    families: fc.dictionary(fc.constantFrom(...FAMILIES), fc.nat(6), { maxKeys: 4, noNullPrototype: true }),
    instructions: fc.dictionary(fc.constantFrom(...ALL_NAMES), fc.nat(9), { maxKeys: 10, noNullPrototype: true }),
    bytesPerFuel: fc.integer({ min: 1, max: 128 }),
    memoryGrowPage: fc.nat(5),
    hostCall: fc.nat(5),
  },
  { requiredKeys: [] },
);
/** The default costs (undefined) half of the time. */
export const maybeCostsArb = fc.option(costsArb, { freq: 2 }).map((c) => c ?? undefined);

/** A budget: anywhere in 0..W+1, or just below W (W: what the whole run costs). */
export interface Budget {
  near: boolean;
  n: number;
}
export function budgetOf(b: Budget, w: number): number {
  return b.near ? Math.max(0, w - b.n) : b.n % (w + 2);
}
export const budgetArb: fc.Arbitrary<Budget> = fc.oneof(
  fc.nat().map((n) => ({ near: false, n })),
  fc.nat(10).map((n) => ({ near: true, n })),
);
/** Fuel added at successive OutOfFuel stops: mostly a little, sometimes more. */
export const refillsArb = fc.array(fc.oneof(fc.nat(3), fc.nat(12), fc.nat(60)), { minLength: 1, maxLength: 6 });

// ------------------------------------------------------------------ helpers

const modules = new WeakMap<Program, Module>();
export function compile(p: Program): Module {
  let m = modules.get(p);
  if (!m) {
    m = Module.fromWat(toWat(p));
    modules.set(p, m);
  }
  return m;
}

/** A value for comparisons: NaNs are equal whatever their bits, -0 is not 0, i64 is a bigint. */
export function norm(v: unknown): unknown {
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0' : v;
  return v;
}

/** The fuel wasmeter consumes for the reference's run (the model's total, less the tolerated host-trap refund). */
export function consumedFor(ref: RefOutcome): number {
  return ref.total - (TOLERATE_HOST_TRAP_REFUND ? ref.hostTrapCall : 0);
}

export function expectSameAsReference(out: Outcome, ref: RefOutcome): void {
  if (ref.trap !== null) {
    expect(out.trap, 'trap').not.toBeNull();
    expect(out.trap!.startsWith(ref.trap), `trap '${out.trap}' is '${ref.trap}'`).toBe(true);
  } else {
    expect(out.trap, 'no trap').toBeNull();
    expect(out.results!.map(norm), 'results').toEqual(ref.results!.map(norm));
  }
  expect(out.globals.map(norm), 'globals').toEqual(ref.globals.map(norm));
  expect(Buffer.from(out.memory).equals(Buffer.from(ref.memory)), 'memory').toBe(true);
  expect(out.fuelConsumed, 'fuel consumed').toBe(consumedFor(ref));
}

/** Same observable outcome of two wasmeter runs (not the fuel left: budgets differ). */
export function expectSameRun(a: Outcome, b: Outcome, what: string): void {
  expect(a.trap, `${what}: trap`).toBe(b.trap);
  expect(a.results?.map(norm), `${what}: results`).toEqual(b.results?.map(norm));
  expect(a.globals.map(norm), `${what}: globals`).toEqual(b.globals.map(norm));
  expect(Buffer.from(a.memory).equals(Buffer.from(b.memory)), `${what}: memory`).toBe(true);
  expect(a.fuelConsumed, `${what}: fuel consumed`).toBe(b.fuelConsumed);
  expect(a.peaks, `${what}: peaks`).toEqual(b.peaks);
}

export function byName<T extends { name: string }>(rows: T[] | null): T[] {
  return [...(rows ?? [])].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
}

/** Profile invariants: the selves add up to the fuel consumed, and the entry function's total is all of it. */
export function expectProfileSums(out: Outcome): void {
  const rows = out.profile!;
  expect(rows.reduce((s, r) => s + r.self, 0), 'sum of self').toBe(out.fuelConsumed);
  expect(rows.find((r) => r.name === 'f0')?.total ?? 0, 'entry total').toBe(out.fuelConsumed);
}

/** Fuel the known bug may need on top of the model's total. */
export function bugHeadroom(ref: RefOutcome): number {
  return TOLERATE_FAILED_GROW_STOP ? ref.failedGrows.reduce((s, g) => s + g.would, 0) : 0;
}

/**
 * A stop must be where the model puts it: with `given` fuel in total, after
 * the largest prefix of the reference's charges that fits, before the first
 * charge that does not (an OutOfFuel needing exactly that charge, or the host
 * function finding that it cannot pay its own charge). Returns whether it was
 * the tolerated failed-grow stop instead.
 */
export function checkStop(ref: RefOutcome, prefix: number[], s: StopRecord): boolean {
  // (called at every stop: expect() only where a check fails, for its message; an expect() call costs microseconds)
  if (s.reported !== undefined && !Object.is(s.reported, s.consumed)) expect(s.reported, 'the stop reports the store fuel consumed').toBe(s.consumed);
  if (s.kind === 'fuel') {
    if (!(s.remaining! < s.needed!)) expect(s.remaining!, 'remaining < needed').toBeLessThan(s.needed!);
    if (!Object.is(s.consumed + s.remaining!, s.given)) expect(s.consumed + s.remaining!, 'remaining is the store fuel left').toBe(s.given);
  }
  if (ref.tainted) return false;
  if (s.kind === 'interrupt') {
    // at a slice boundary: some prefix of the charges
    if (!prefix.includes(s.consumed)) expect(prefix.includes(s.consumed), `interrupted at ${s.consumed}, a prefix sum`).toBe(true);
    return false;
  }
  const sp = stopPoint(ref.charges, s.given);
  const model =
    sp.next !== null &&
    s.consumed === sp.consumed &&
    (s.kind === 'fuel' ? s.needed === ref.charges[sp.next] && ref.what[sp.next] !== '+host' : ref.what[sp.next] === '+host');
  if (model) return false;
  if (TOLERATE_FAILED_GROW_STOP && s.kind === 'fuel' && ref.failedGrows.some((g) => prefix[g.at] === s.consumed && g.would === s.needed)) {
    stats.knownBugStops++;
    return true;
  }
  const next = sp.next === null ? 'none (the run can be paid in full)' : `${ref.what[sp.next]} costing ${ref.charges[sp.next]}`;
  expect.fail(
    `${s.kind} stop with ${s.given} fuel given: consumed ${s.consumed}, needed ${s.needed}; ` +
      `the model stops after ${sp.consumed} before ${next}`,
  );
  return false;
}

export function note(ref: RefOutcome): void {
  stats.runs++;
  if (ref.trap) stats.traps++;
  if (ref.trap === 'host trap') stats.hostTraps++;
  if (ref.tainted) stats.tainted++;
  stats.maxFuel = Math.max(stats.maxFuel, ref.total);
  stats.sumFuel += ref.total;
  for (const w of ref.what) reached.set(w, (reached.get(w) ?? 0) + 1);
}

