/**
 * Snapshot properties: random programs (test/fuel's generator) cut at random
 * budgets, snapshotted at every stop and continued in a restored store (in
 * this process, in a fork, or in a new process), end exactly like an
 * uninterrupted run: results or trap, memory, globals, fuel and peaks, in both
 * tiers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCut, runOnce, type Outcome } from '../fuel/harness.js';
import { budgetArb, budgetOf, compile, expectSameRun, programArb, refillsArb, runs } from '../fuel/props.js';
import { bundleChild, crossTier, forking, inChild, inProcess, type Leg, type Tier } from './hops.js';

const dir = mkdtempSync(join(tmpdir(), 'wasmeter-snap-'));
beforeAll(() => bundleChild('props'), 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tierArb = fc.constantFrom<Tier>('interp', 'js');

/**
 * Random programs cut at random budgets and continued at every stop by `leg` (in a store restored from a
 * snapshot) end as the uninterrupted run. Every stop snapshots and restores the whole store: refills of at
 * least 1/150 of the run keep a run to a few hundred stops (a starved run of a long program would stop at
 * every instruction, past maxStops).
 */
function everyStop(leg: (tier: Tier) => Leg, what: (tier: Tier) => string, n: number): void {
  fc.assert(
    fc.property(programArb, budgetArb, refillsArb, tierArb, (p, budget, refills, tier) => {
      const mod = compile(p);
      const free = runOnce(mod, p, { tier });
      const floor = Math.ceil(free.fuelConsumed / 150);
      const fed = refills.map((r) => Math.max(r, floor));
      const { out } = runCut(mod, p, { fuel: budgetOf(budget, free.fuelConsumed), refills: fed, tier, leg: leg(tier), maxStops: 400 });
      expectSameRun(out, free, what(tier));
    }),
    runs(n),
  );
}

describe('snapshots of random programs', () => {
  test('restored in this process at every stop: the same run', () => {
    everyStop(inProcess, (tier) => `restored (${tier})`, 150);
  });

  test('restored in the other tier at every stop (JS tier on, then off, then on ...): the same run', () => {
    everyStop(() => crossTier(), (tier) => `restored in the other tier (from ${tier})`, 80);
  });

  test('forked at every stop: the fork and the original both end as the uninterrupted run', () => {
    fc.assert(
      fc.property(programArb, budgetArb, tierArb, (p, budget, tier) => {
        const mod = compile(p);
        const free = runOnce(mod, p, { tier });
        const forks: Outcome[] = [];
        // refills of a fifth of the run: a few stops (each fork runs the rest of the program)
        const refills = [Math.max(1, Math.ceil(free.fuelConsumed / 5))];
        const { out } = runCut(mod, p, { fuel: budgetOf(budget, free.fuelConsumed), refills, tier, leg: forking(tier, p, (o) => forks.push(o)) });
        expectSameRun(out, free, `original (${tier})`);
        forks.forEach((f, i) => expectSameRun(f, free, `fork ${i} (${tier})`));
      }),
      runs(60),
    );
  });

  test('restored in new processes, hop after hop: the same run', () => {
    const counter = { hops: 0 };
    fc.assert(
      fc.property(programArb, budgetArb, tierArb, (p, budget, tier) => {
        const mod = compile(p);
        const free = runOnce(mod, p, { tier });
        // large refills: a few hops per program
        const fuel = budgetOf(budget, free.fuelConsumed);
        const step = Math.max(1, Math.ceil(free.fuelConsumed / 3));
        const { out } = runCut(mod, p, { fuel, refills: [step], tier, leg: inChild(tier, dir, counter), maxStops: 8 });
        expectSameRun(out, free, `across processes (${tier})`);
      }),
      runs(Number(process.env.SNAPSHOT_CHILD_RUNS ?? 12)),
    );
    expect(counter.hops).toBeGreaterThan(0);
  });
});
