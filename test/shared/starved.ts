/**
 * A call run to its end through every out-of-fuel stop, for tests comparing the tiers' stops: each stop records the
 * fuel consumed then and gets `topUp(needed)` more fuel before it resumes; a trap ends the run with its message.
 * The call goes through Store.invokeOrStop, which returns its stops instead of throwing them (a thrown OutOfFuel
 * costs several microseconds in Node, and these runs stop up to once per instruction; test/unit/stops.test.ts checks
 * that both give the same stops); a stop thrown all the same (a nested call's) is answered alike.
 */
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
