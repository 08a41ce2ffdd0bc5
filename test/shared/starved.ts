/**
 * A call run to its end through every out-of-fuel stop, for tests comparing the tiers' stops: each stop records the
 * fuel consumed then and gets `topUp(needed)` more fuel before it resumes; a trap ends the run with its message.
 * The call goes through Store.invokeOrStop, which returns its stops instead of throwing them (a thrown OutOfFuel
 * costs several microseconds in Node, and these runs stop up to once per instruction; test/unit/stops.test.ts checks
 * that both give the same stops); a stop thrown all the same (a nested call's) is answered alike.
 */
import { expect } from 'vitest';
import { OutOfFuel, Trap, WasmFunc, type Instance, type Store } from '../../src/index.js';
import { FuelStop } from '../../src/runtime/store.js';

export interface StarvedRun {
  result?: unknown;
  trap?: string;
  stops: number[];
  consumed: number;
}

/** Runs `inst`'s export `name` with `args` (JS values, as Instance.call takes them) on `store`. */
export function runStarved(store: Store, inst: Instance, name: string, args: unknown[], topUp: (needed: number) => number = (n) => n): StarvedRun {
  const f = inst.getExport(name);
  if (!(f instanceof WasmFunc)) throw new Error(`no exported wasm function '${name}'`);
  const stops: number[] = [];
  let next = (): unknown[] | FuelStop => store.invokeOrStop(f, args);
  for (;;) {
    let r: unknown[] | FuelStop | OutOfFuel;
    try {
      r = next();
    } catch (e) {
      if (e instanceof Trap) return { trap: e.message, stops, consumed: store.fuelConsumed };
      if (!(e instanceof OutOfFuel)) throw e;
      r = e;
    }
    if (!(r instanceof FuelStop || r instanceof OutOfFuel)) return { result: r[0], stops, consumed: store.fuelConsumed };
    const stop = r;
    stops.push(stop.consumed);
    store.addFuel(topUp(stop.needed - stop.remaining));
    next = () => stop.resume();
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
