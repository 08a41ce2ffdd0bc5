/**
 * A call run to its end through every OutOfFuel stop, for tests comparing the tiers' stops: each stop records the
 * fuel consumed then and gets `topUp(needed)` more fuel before it resumes; a trap ends the run with its message.
 */
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
