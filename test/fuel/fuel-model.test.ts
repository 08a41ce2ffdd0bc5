/**
 * Fuel properties against the reference count (docs/fuel.md, "How it is
 * tested"): what a run consumes, and where a run with a budget stops.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { OutOfFuel } from '../../src/index.js';
import { PROPERTY_TIMEOUT, runCut, runOnce, type Outcome } from './harness.js';
import {
  TOLERATE_HOST_TRAP_REFUND,
  budgetArb,
  budgetOf,
  bugHeadroom,
  byName,
  checkStop,
  compile,
  expectProfileSums,
  expectSameAsReference,
  expectSameRun,
  maybeCostsArb,
  note,
  printStats,
  programArb,
  runs,
} from './props.js';
import { prefixSums, runReference, stopPoint } from './reference.js';

afterAll(() => printStats('fuel-model'));


describe('fuel model: random programs against a reference count', () => {
  test('results, trap, memory, globals and fuelConsumed match the reference, for default and random cost tables; profiles add up', () => {
    fc.assert(
      fc.property(programArb, maybeCostsArb, (p, costs) => {
        const mod = compile(p);
        const ref = runReference(p, costs);
        note(ref);
        // unmetered, with a per-function profile
        const free = runOnce(mod, p, { costs, profile: true });
        if (!ref.tainted) {
          expectSameAsReference(free, ref);
        }
        if (!ref.tainted && !(TOLERATE_HOST_TRAP_REFUND && ref.hostTrapCall > 0)) {
          const rows = byName(free.profile);
          const want = [...ref.calls.keys()].sort().map((name) => ({ name, calls: ref.calls.get(name), self: ref.self.get(name) ?? 0 }));
          expect(rows.map((r) => ({ name: r.name, calls: r.calls, self: r.self })), 'per-function self and calls').toEqual(want);
        }
        expectProfileSums(free);
        const w = free.fuelConsumed;
        // metered with more than enough: the same run, and exactly w is taken
        const big = runOnce(mod, p, { costs, fuel: w + 1000 + bugHeadroom(ref) });
        expectSameRun(big, free, 'big budget');
        expect(big.fuelRemaining).toBe(1000 + bugHeadroom(ref));
        // metered with exactly what the model charges: finishes (or traps) without stopping
        const prefix = prefixSums(ref.charges);
        const exact = runCut(mod, p, {
          costs,
          fuel: ref.tainted ? w + 1000 : ref.total,
          refills: [0],
          host: 'direct',
          onStop: (s) => {
            if (ref.tainted) return;
            expect(checkStop(ref, prefix, s), 'no stop with exactly enough fuel').toBe(true);
          },
        });
        expectSameRun(exact.out, free, 'exact budget');
      }),
      runs(1500),
    );
  }, PROPERTY_TIMEOUT);

  test('with budget B a run stops exactly where the model says: OutOfFuel, or a trap when the host cannot pay', () => {
    fc.assert(
      fc.property(programArb, maybeCostsArb, budgetArb, (p, costs, budget) => {
        const mod = compile(p);
        const ref = runReference(p, costs);
        note(ref);
        if (ref.tainted) return;
        const B = budgetOf(budget, ref.total);
        const sp = stopPoint(ref.charges, B);
        let out: Outcome;
        try {
          out = runOnce(mod, p, { costs, fuel: B, host: 'direct' });
        } catch (e) {
          if (!(e instanceof OutOfFuel)) throw e;
          const prefix = prefixSums(ref.charges);
          checkStop(ref, prefix, { kind: 'fuel', consumed: e.consumed, reported: e.consumed, remaining: e.remaining, needed: e.needed, given: B });
          expect(e.consumed + e.remaining).toBe(B);
          return;
        }
        if (sp.next === null) {
          // everything can be paid: the model's outcome
          expectSameAsReference(out, ref);
          expect(out.fuelRemaining).toBe(B - out.fuelConsumed);
        } else {
          // only the host function's own charge turns into a trap: caller.consumeFuel cannot pay
          expect(ref.what[sp.next], `stopped by a trap, not before ${ref.what[sp.next]}`).toBe('+host');
          expect(out.trap).toBe('out of fuel');
          const refund = TOLERATE_HOST_TRAP_REFUND ? ref.charges[sp.next - 1]! : 0; // the host-call surcharge
          expect(out.fuelConsumed).toBe(sp.consumed - refund);
        }
      }),
      runs(2000),
    );
  }, PROPERTY_TIMEOUT);
});
