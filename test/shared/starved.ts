/**
 * A call run to its end through every OutOfFuel stop, for tests comparing the tiers' stops: each stop records the
 * fuel consumed then and gets `topUp(needed)` more fuel before it resumes; a trap ends the run with its message.
 */
import { expect } from 'vitest';
import { OutOfFuel, Trap, type Store } from '../../src/index.js';

export interface StarvedRun {
  result?: unknown;
  trap?: string;
  stops: number[];
  consumed: number;
}

export function runStarved(store: Store, call: () => unknown[], topUp: (needed: number) => number = (n) => n): StarvedRun {
  const stops: number[] = [];
  let next = call;
  for (;;) {
    try {
      const r = next();
      return { result: r[0], stops, consumed: store.fuelConsumed };
    } catch (e) {
      if (e instanceof Trap) return { trap: e.message, stops, consumed: store.fuelConsumed };
      if (!(e instanceof OutOfFuel)) throw e;
      stops.push(e.consumed);
      store.addFuel(topUp(e.needed - e.remaining));
      next = () => e.resume();
    }
  }
}

/**
 * The JS tier against the interpreter at budgets from 0 to past what the whole call consumes (every `small`-th up to
 * 400, then about `n` more): each run tops up a stop with plenty, and must stop, trap and end as the interpreter's
 * does and consume what the uninterrupted run did. `run(tier, fuel, topUp)` makes one run.
 */
export function sweepBudgets(run: (tier: 'js' | 'interp', fuel: number, topUp: (needed: number) => number) => StarvedRun, small: number, n: number): void {
  const full = run('interp', 1e9, (k) => k);
  expect(run('js', 1e9, (k) => k)).toEqual(full);
  const step = Math.max(1, Math.floor(full.consumed / n));
  for (let fuel = 0; fuel <= full.consumed + 1; fuel += fuel < 400 ? small : step) {
    const js = run('js', fuel, () => 1e9);
    expect(js, `fuel=${fuel}`).toEqual(run('interp', fuel, () => 1e9));
    expect(js.consumed).toBe(full.consumed);
  }
}
