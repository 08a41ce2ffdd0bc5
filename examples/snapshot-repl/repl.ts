/**
 * A REPL over a stateful guest (guest.wat), in the spirit of WasmBox: each
 * line is a typed message (`get`, `add N`, `mul N`, `push N`, `sum`) relayed
 * to the guest under a fuel budget; `!!snapshot FILE` writes the whole store
 * (the guest's state, fuel consumed) to FILE and `!!restore FILE` replaces
 * the running store with one read from FILE, in this process or a later one.
 *
 *   run with a TypeScript runner (tsx, or Node 22+ --experimental-strip-types); lines on stdin
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { Linker, Module, OutOfFuel, Store, type Instance } from '../../src/index.js';

const TYPES: Record<string, number> = { get: 0, add: 1, mul: 2, push: 3, sum: 4 };

export class Repl {
  private store: Store;
  private inst: Instance;
  constructor(
    private readonly module = Module.fromWat(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'guest.wat'))),
    /** Fuel each message may use. */
    private readonly perMessage = 10_000,
  ) {
    this.store = new Store({ fuel: 0 });
    this.inst = new Linker().instantiate(this.store, module);
  }

  /** One line in, one line out. */
  handle(line: string): string {
    const [word = '', arg = '', ...rest] = line.trim().split(/\s+/);
    if (word === '!!snapshot' || word === '!!restore') {
      if (!arg || rest.length) return `usage: ${word} FILE`;
      if (word === '!!snapshot') {
        writeFileSync(arg, this.store.snapshot({ includeModules: false }));
        return `snapshot written to ${arg}`;
      }
      try {
        const r = Store.restore(new Uint8Array(readFileSync(arg)), { modules: [this.module] });
        this.store = r.store;
        this.inst = r.instances[0]!;
        return `restored from ${arg} (fuel consumed so far: ${this.store.fuelConsumed})`;
      } catch (e) {
        return `cannot restore ${arg}: ${(e as Error).message}`;
      }
    }
    const type = TYPES[word];
    const n = arg === '' ? 0 : Number(arg);
    if (type === undefined || !Number.isInteger(n) || rest.length) return `unknown message: ${line} (get, add N, mul N, push N, sum, !!snapshot FILE, !!restore FILE)`;
    this.store.addFuel(this.perMessage);
    try {
      return String(this.inst.call('msg', type, n)[0]);
    } catch (e) {
      if (e instanceof OutOfFuel) {
        this.store.abandon();
        return `out of fuel (${this.perMessage} per message)`;
      }
      return `error: ${(e as Error).message}`;
    } finally {
      // what a message did not use does not carry over
      this.store.consumeFuel(this.store.fuelRemaining);
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const repl = new Repl();
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => process.stdout.write(`${repl.handle(line)}\n`));
}
