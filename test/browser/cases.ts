/**
 * What the browser test runs twice and compares: in Node on the sources, and in Chromium on the
 * built library (page.ts; its bundle maps src/index.ts to dist/index.js and the spec runner to
 * dist/spec.js). Spec scripts run by the library's runner, modules called with a budget that runs
 * out and is topped up until they finish, and random programs of the fuel tests (test/fuel) run
 * uninterrupted and cut by stops.
 */
import { createWebAssembly } from '../../src/facade/index.js';
import { Linker, Module, OutOfFuel, Store, Trap, type Peaks } from '../../src/index.js';
import { runScript, type FileResult } from '../../src/spec/runner.js';
import { runCut, runOnce, type Outcome as ProgramOutcome, type StopRecord } from '../fuel/harness.js';
import { toWat, type Program } from '../fuel/program.js';

export interface Inputs {
  /** Spec scripts (suite-relative name, text), each run normally and, if `starved`, starved too. */
  wast: { name: string; text: string; starved: boolean }[];
  /** Exports to call: binary or text modules. */
  calls: { name: string; module: Uint8Array | string; export: string; args: unknown[] }[];
  /** Programs of the fuel property tests (test/fuel/program.ts). */
  programs: Program[];
}

/** A call's result, the fuel it consumed and the peaks, after `stops` OutOfFuel stops. */
export interface CallReport {
  name: string;
  results: unknown[] | null;
  trap: string | null;
  fuelConsumed: number;
  fuelRemaining: number;
  peaks: Peaks;
  /** store.fuelConsumed, and the stop's needed, at each OutOfFuel. */
  stops: { consumed: number; needed: number }[];
}

type Outcome<M> = Omit<ProgramOutcome, 'memory'> & { memory: M };

/** The WebAssembly facade: a module given as a view of its bytes, and a shared memory grown while its old buffer is held. */
export interface FacadeReport {
  valid: boolean;
  sum: number;
  bufferTag: string;
  oldLength: number;
  newLength: number;
  /** Whether a write through the old buffer shows through the new one (the JS API: one block of memory). */
  aliased: boolean;
}

export interface Report {
  facade: FacadeReport;
  wast: (Omit<FileResult, 'ms'> & { starved: boolean })[];
  /** Per call: uninterrupted with plenty of fuel, then started with a third of what it needs and topped up by a quarter. */
  calls: { full: CallReport; cut: CallReport }[];
  /** Per program: uninterrupted, and cut by stops (its budget half the fuel it needs); memories as checksums. */
  programs: { once: Outcome<number>; cut: Outcome<number>; stops: StopRecord[] }[];
}

export function runCases(inputs: Inputs): Report {
  const wast = inputs.wast.flatMap(({ name, text, starved }) =>
    (starved ? [false, true] : [false]).map((s) => {
      const { ms: _, ...r } = runScript(text, name, { starved: s });
      return { ...r, starved: s };
    }),
  );
  const calls = inputs.calls.map((c) => {
    const mod = typeof c.module === 'string' ? Module.fromWat(c.module) : Module.fromBinary(c.module);
    const full = callWith(c.name, mod, c.export, c.args, 1e12, 0);
    const cut = callWith(c.name, mod, c.export, c.args, Math.floor(full.fuelConsumed / 3), Math.ceil(full.fuelConsumed / 4) + 1);
    return { full, cut };
  });
  const programs = inputs.programs.map((p) => {
    const mod = Module.fromWat(toWat(p));
    const once = runOnce(mod, p);
    const { out: cut, stops } = runCut(mod, p, { fuel: Math.floor(once.fuelConsumed / 2), refills: [1, 7, 60] });
    return { once: { ...once, memory: hash(once.memory) }, cut: { ...cut, memory: hash(cut.memory) }, stops };
  });
  return { facade: runFacade(), wast, calls, programs };
}

/** `(func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))`, inside a larger buffer. */
const ADD = [0, 97, 115, 109, 1, 0, 0, 0, 1, 7, 1, 96, 2, 127, 127, 1, 127, 3, 2, 1, 0, 7, 7, 1, 3, 97, 100, 100, 0, 0, 10, 9, 1, 7, 0, 32, 0, 32, 1, 106, 11];

function runFacade(): FacadeReport {
  const WA = createWebAssembly();
  const bytes = new Uint8Array([255, ...ADD, 255]).subarray(1, 1 + ADD.length); // a view (a page that is not cross-origin isolated has no SharedArrayBuffer global)
  const valid = WA.validate(bytes);
  const add = new WA.Instance(new WA.Module(bytes), {}).exports['add'] as (a: number, b: number) => number;
  const memory = new WA.Memory({ initial: 1, maximum: 2, shared: true });
  const old = memory.buffer;
  memory.grow(1);
  const now = memory.buffer;
  new Uint8Array(old)[5] = 42;
  return {
    valid,
    sum: add(2, 3),
    bufferTag: Object.prototype.toString.call(now),
    oldLength: old.byteLength,
    newLength: now.byteLength,
    aliased: new Uint8Array(now)[5] === 42,
  };
}

/** Calls an export on a store with `fuel`, adding `refill` at every OutOfFuel and resuming. */
function callWith(name: string, mod: Module, exp: string, args: unknown[], fuel: number, refill: number): CallReport {
  const store = new Store({ fuel });
  const inst = new Linker().instantiate(store, mod);
  const stops: CallReport['stops'] = [];
  const report = (results: unknown[] | null, trap: string | null): CallReport => ({
    name,
    results,
    trap,
    fuelConsumed: store.fuelConsumed,
    fuelRemaining: store.fuelRemaining,
    peaks: { ...store.peaks },
    stops,
  });
  let go = (): unknown[] => inst.call(exp, ...args);
  for (;;) {
    try {
      return report(go(), null);
    } catch (e) {
      if (e instanceof Trap) return report(null, e.message);
      if (!(e instanceof OutOfFuel) || refill === 0) throw e;
      stops.push({ consumed: store.fuelConsumed, needed: e.needed });
      store.addFuel(refill);
      go = () => e.resume();
    }
  }
}

/** A checksum of bytes (a memory), so that the reports stay small. */
function hash(u8: Uint8Array): number {
  let h = u8.length;
  for (let i = 0; i < u8.length; i++) h = (Math.imul(h, 31) + u8[i]!) | 0;
  return h;
}
