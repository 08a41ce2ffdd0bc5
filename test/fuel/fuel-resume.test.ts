/**
 * Fuel properties of stopping and resuming (docs/fuel.md, "How it is
 * tested"): a run cut by OutOfFuel, Interrupted and HostSuspended stops and
 * resumed is the uninterrupted run, and every stop is where the model says.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { PROPERTY_TIMEOUT, runCut, runOnce } from './harness.js';
import {
  budgetArb,
  budgetOf,
  byName,
  checkStop,
  compile,
  consumedFor,
  expectProfileSums,
  expectSameRun,
  maybeCostsArb,
  note,
  printStats,
  programArb,
  refillsArb,
  runs,
  stats,
} from './props.js';
import { prefixSums, runReference } from './reference.js';

afterAll(() => printStats('fuel-resume'));


describe('fuel: cut, resume and slice random programs', () => {
  test('run-cut-resume equals an uninterrupted run, and every stop is where the model says', () => {
    fc.assert(
      fc.property(
        programArb,
        maybeCostsArb,
        budgetArb,
        refillsArb,
        fc.option(fc.integer({ min: 1, max: 40 }), { freq: 3 }),
        fc.option(fc.integer({ min: 2, max: 5 }), { freq: 2 }),
        fc.boolean(),
        (p, costs, budget, refills, checkEvery, abortEvery, profile) => {
          const mod = compile(p);
          const ref = runReference(p, costs);
          note(ref);
          const free = runOnce(mod, p, { costs, profile });
          if (!ref.tainted) expect(free.fuelConsumed).toBe(consumedFor(ref));
          const prefix = prefixSums(ref.charges);
          const B = budgetOf(budget, free.fuelConsumed);
          const { out, stops } = runCut(mod, p, {
            costs,
            fuel: B,
            refills,
            profile,
            interrupt: checkEvery === null ? undefined : { checkEvery },
            abortEvery: checkEvery === null || abortEvery === null ? undefined : abortEvery,
            onStop: (s) => {
              stats.stops[s.kind]++;
              checkStop(ref, prefix, s);
            },
          });
          expectSameRun(out, free, 'cut and resumed');
          if (profile) {
            expectProfileSums(out);
            // fuel paid by the embedder while the host function is suspended is charged to its caller
            if (!stops.some((s) => s.kind === 'host')) expect(byName(out.profile), 'profile').toEqual(byName(free.profile));
          }
        },
      ),
      runs(2500),
    );
  }, PROPERTY_TIMEOUT);

  test('interrupt checks every few units of fuel on an unmetered store change nothing', () => {
    fc.assert(
      fc.property(
        programArb,
        maybeCostsArb,
        fc.integer({ min: 1, max: 30 }),
        fc.option(fc.integer({ min: 2, max: 5 })),
        fc.boolean(),
        (p, costs, checkEvery, abortEvery, profile) => {
          const mod = compile(p);
          const ref = runReference(p, costs);
          note(ref);
          const free = runOnce(mod, p, { costs, profile });
          const prefix = prefixSums(ref.charges);
          const { out, stops } = runCut(mod, p, {
            costs,
            refills: [0],
            profile,
            host: 'direct',
            interrupt: { checkEvery },
            abortEvery: abortEvery ?? undefined,
            onStop: (s) => {
              stats.stops[s.kind]++;
              expect(s.kind).toBe('interrupt');
              checkStop(ref, prefix, s);
            },
          });
          expectSameRun(out, free, 'sliced');
          if (!ref.tainted) expect(out.fuelConsumed).toBe(consumedFor(ref));
          if (abortEvery === null) expect(stops).toEqual([]);
          if (profile) {
            expectProfileSums(out);
            expect(byName(out.profile), 'profile').toEqual(byName(free.profile));
          }
        },
      ),
      runs(1200),
    );
  }, PROPERTY_TIMEOUT);
});
