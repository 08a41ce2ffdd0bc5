/**
 * Running generated programs on wasmeter: an uninterrupted run, and a run
 * that is cut by OutOfFuel / Interrupted / HostSuspended stops and resumed
 * until it finishes, recording every stop.
 */
import {
  HostSuspended,
  I32,
  Interrupted,
  Linker,
  Module,
  OutOfFuel,
  Store,
  Trap,
  WasmException,
  funcType,
  type Caller,
  type FuelCosts,
  type Instance,
  type Peaks,
  type Tag,
} from '../../src/index.js';
import type { FunctionProfile } from '../../src/runtime/objects/profile.js';
import type { InterruptOptions } from '../../src/runtime/store.js';
import { hostCharge, hostResult, hostThrows, hostTraps, type Program } from './program.js';

/** For the property tests over thousands of random programs: minutes of CPU on a loaded 2-core machine are not a hang (vitest's default here is 120 s). */
export const PROPERTY_TIMEOUT = 600_000;

export interface Outcome {
  results: unknown[] | null;
  trap: string | null;
  fuelConsumed: number;
  fuelRemaining: number;
  memory: Uint8Array;
  globals: unknown[];
  peaks: Peaks;
  profile: FunctionProfile[] | null;
}

export interface StopRecord {
  kind: 'fuel' | 'interrupt' | 'host';
  /** store.fuelConsumed when the stop was caught. */
  consumed: number;
  /** The stop's own `consumed` (OutOfFuel, Interrupted). */
  reported?: number;
  remaining?: number;
  needed?: number;
  /** All fuel the store was given so far (consumed + remaining). */
  given: number;
}

/**
 * The host function (see hostTraps, hostCharge, hostResult in program.ts).
 * How it pays for its work: 'direct' calls caller.consumeFuel
 * (which traps with "out of fuel" when the store cannot pay); 'suspend'
 * suspends the call when the store cannot pay, and the driver pays and
 * resumes (so a starved run never traps there).
 */
export type HostMode = 'direct' | 'suspend';

export function instantiate(mod: Module, store: Store, mode: HostMode): Instance {
  return hostLinker(store, mode).instantiate(store, mod);
}

/** A linker with the host function (also what a restored snapshot of a program's store links to). */
export function hostLinker(store: Store, mode: HostMode): Linker {
  return new Linker().defineFunc(store, 'env', 'host', funcType([I32], [I32]), (caller: Caller, x: number) => {
    if (hostTraps(x)) throw new Trap('host trap');
    if (hostThrows(x)) throw new WasmException(caller.instance!.getExport('e') as Tag, [hostResult(x)]);
    const k = hostCharge(x);
    if (mode === 'suspend' && caller.fuel < k) return caller.suspend({ x, k });
    caller.consumeFuel(k);
    return hostResult(x);
  });
}

/** How a run that threw `e` ended, as the reference names it: a trap's message, or an uncaught wasm exception's; null for anything else (a stop, a bug). */
export function endOf(e: unknown): string | null {
  return e instanceof Trap || e instanceof WasmException ? e.message : null;
}

export function outcome(store: Store, inst: Instance, p: Program, results: unknown[] | null, trap: string | null): Outcome {
  return {
    results,
    trap,
    fuelConsumed: store.fuelConsumed,
    fuelRemaining: store.fuelRemaining,
    memory: inst.memory()!.u8.slice(),
    globals: p.globals.map((_, i) => inst.global(`g${i}`)),
    peaks: { ...store.peaks },
    profile: store.profile(),
  };
}

export interface RunOptions {
  costs?: FuelCosts;
  fuel?: number;
  profile?: boolean;
  interrupt?: InterruptOptions;
  host?: HostMode;
  tier?: 'interp' | 'js';
}

/** One call of the entry function; a trap is an outcome, any other error is thrown. */
export function runOnce(mod: Module, p: Program, o: RunOptions = {}): Outcome {
  const store = new Store({ fuel: o.fuel, costs: o.costs, profile: o.profile, interrupt: o.interrupt, tier: o.tier });
  const inst = instantiate(mod, store, o.host ?? 'direct');
  try {
    return outcome(store, inst, p, inst.call('run', ...p.args), null);
  } catch (e) {
    const end = endOf(e);
    if (end !== null) return outcome(store, inst, p, null, end);
    throw e;
  }
}

export interface CutOptions extends RunOptions {
  /** Fuel added at the n-th OutOfFuel stop: refills[n % length] (at least what is needed, every third stop in a row). */
  refills: number[];
  /** A fake AbortSignal that reads as aborted at every `abortEvery`-th check (>= 2). */
  abortEvery?: number;
  /** Called at every stop before resuming (for checks against the reference). */
  onStop?: (s: StopRecord, store: Store) => void;
  maxStops?: number;
  /**
   * Runs each resumed leg of the call (default: `stop.resume(...args)` in
   * place). It may move the run elsewhere (a store restored from a snapshot,
   * in this process or another) by setting `cur`.
   */
  leg?: (cur: { store: Store; inst: Instance }, stop: OutOfFuel | Interrupted | HostSuspended, args: unknown[]) => unknown[];
}

/**
 * Runs the entry function and resumes it after every stop: OutOfFuel (adds
 * refills), Interrupted (resumes; the fake signal lets the next check pass),
 * HostSuspended (pays the host's charge with store.consumeFuel, adding fuel
 * first if needed, and resumes with the host's result).
 */
export function runCut(mod: Module, p: Program, o: CutOptions): { out: Outcome; stops: StopRecord[] } {
  let interrupt = o.interrupt;
  let store: Store | undefined;
  if (o.abortEvery !== undefined) {
    // reads as aborted at every abortEvery-th check, if fuel was consumed since the last time
    // (a check can come before any progress: a resumed call's first slice may not pay one instruction)
    let checks = 0;
    let last = -1;
    const every = Math.max(2, o.abortEvery);
    const signal = {
      get aborted(): boolean {
        if (++checks % every !== 0 || store!.fuelConsumed === last) return false;
        last = store!.fuelConsumed;
        return true;
      },
    } as AbortSignal;
    interrupt = { ...interrupt, signal };
  }
  store = new Store({ fuel: o.fuel, costs: o.costs, profile: o.profile, interrupt, tier: o.tier });
  const cur = { store, inst: instantiate(mod, store, o.host ?? 'suspend') };
  const leg = (e: OutOfFuel | Interrupted | HostSuspended, ...args: unknown[]) => (): unknown[] => {
    if (o.leg) return o.leg(cur, e, args);
    return e instanceof HostSuspended ? e.resume(...args) : e.resume();
  };
  const stops: StopRecord[] = [];
  const maxStops = o.maxStops ?? 200_000;
  let go: () => unknown[] = () => cur.inst.call('run', ...p.args);
  let starved = 0;
  for (;;) {
    let results: unknown[];
    try {
      results = go();
    } catch (e) {
      store = cur.store;
      const inst = cur.inst;
      const end = endOf(e);
      if (end !== null) return { out: outcome(store, inst, p, null, end), stops };
      if (stops.length >= maxStops) throw new Error(`more than ${maxStops} stops`);
      const given = store.fuelConsumed + store.fuelRemaining;
      if (e instanceof OutOfFuel) {
        const s: StopRecord = { kind: 'fuel', consumed: store.fuelConsumed, reported: e.consumed, remaining: e.remaining, needed: e.needed, given };
        stops.push(s);
        o.onStop?.(s, store);
        let add = o.refills[stops.length % o.refills.length]!;
        // every third starved stop in a row gets at least what it needs
        if (add < e.needed - e.remaining && ++starved % 3 === 0) add = e.needed - e.remaining;
        if (add >= e.needed - e.remaining) starved = 0;
        store.addFuel(add);
        go = leg(e);
        continue;
      }
      if (e instanceof Interrupted) {
        const s: StopRecord = { kind: 'interrupt', consumed: store.fuelConsumed, reported: e.consumed, given };
        stops.push(s);
        o.onStop?.(s, store);
        go = leg(e);
        continue;
      }
      if (e instanceof HostSuspended) {
        const s: StopRecord = { kind: 'host', consumed: store.fuelConsumed, given };
        stops.push(s);
        o.onStop?.(s, store);
        const { x, k } = e.payload as { x: number; k: number };
        if (store.fuelRemaining < k) store.addFuel(k - store.fuelRemaining + o.refills[stops.length % o.refills.length]!);
        if (!store.consumeFuel(k)) throw new Error('consumeFuel failed after adding enough fuel');
        go = leg(e, hostResult(x));
        continue;
      }
      throw e;
    }
    return { out: outcome(cur.store, cur.inst, p, results, null), stops };
  }
}
