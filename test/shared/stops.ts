/**
 * A call run through its out-of-fuel stops, the way several tests drive one: in a fresh store of `tier` from
 * `budget` fuel, each stop refilled by `refill(stop)` and resumed, with `snap` in a new store restored from a
 * snapshot taken at the stop. Any other exception ends the call, as `outcome` maps it (which may rethrow).
 */
import { Linker, Module, OutOfFuel, Store, type Instance } from '../../src/index.js';

export interface StoppedCall {
  /** The call's first result (`first`) or all of them, or what `outcome` made of the exception that ended it. */
  out: unknown;
  /** The store and instance the call ended in (restored ones after a snapshot). */
  store: Store;
  inst: Instance;
  stops: number;
}

export function callThroughStops(o: {
  tier: 'js' | 'interp';
  mod: Module;
  linker: (store: Store) => Linker;
  name: string;
  args: unknown[];
  budget: number;
  /** The fuel added at a stop; null: a stop is not expected, and ends the call through `outcome`. */
  refill: ((stop: OutOfFuel) => number) | null;
  snap: boolean;
  outcome: (e: unknown) => unknown;
  /** The call's first result only. */
  first: boolean;
}): StoppedCall {
  let store = new Store({ fuel: o.budget, tier: o.tier });
  let inst = o.linker(store).instantiate(store, o.mod);
  const take = (r: unknown[]): unknown => (o.first ? r[0] : r);
  let out: unknown;
  let stops = 0;
  let go = (): unknown => take(inst.call(o.name, ...o.args));
  for (;;) {
    try {
      out = go();
      break;
    } catch (e) {
      if (!(e instanceof OutOfFuel) || o.refill === null) {
        out = o.outcome(e);
        break;
      }
      stops++;
      let stop = e;
      if (o.snap) {
        const r = Store.restore(store.snapshot(), { linker: o.linker, store: { tier: o.tier } });
        store = r.store;
        inst = r.instances[0]!;
        stop = r.stop as OutOfFuel;
      }
      store.addFuel(o.refill(stop));
      go = () => take(stop.resume());
    }
  }
  return { out, store, inst, stops };
}
