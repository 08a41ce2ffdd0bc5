/**
 * WASI state in snapshots, in this process: C programs stopped at many
 * budgets (from the first instructions on, before the program reads its
 * arguments) continue in a store restored with a new Wasi (given no
 * arguments, environment or files of its own) and end exactly like an
 * uninterrupted run: output, exit code, MemFs contents (open files and their
 * positions, the virtual clock and the seeded random generator included).
 */
import { describe, expect, it } from 'vitest';
import { Linker, MemFs, Module, OutOfFuel, Store, Trap, Wasi } from '../../src/index.js';
import { program, runWasmeter, type RunSpec } from '../wasi/helpers.js';

const TREE = { data: { 'a.txt': 'alpha\n', sub: { 'b.txt': 'beta beta\n' } } };
const CASES: [string, RunSpec][] = [
  ['hello', { args: ['hello.wasm', 'a b', 'ünï'], env: { GREETING: 'hi there' } }],
  ['stdin', { args: ['stdin.wasm'], stdin: 'line one 12\nsecond -5 line\n\n  spaced   words  7 \nno newline at end 100' }],
  ['fileops', { args: ['fileops.wasm', 'work'], tree: TREE }],
  ['walk', { args: ['walk.wasm', '/data'], tree: TREE }],
  ['clockrand', { args: ['clockrand.wasm'] }],
  ['exitcode', { args: ['exitcode.wasm', '3'] }],
];

function cut(name: string, spec: RunSpec, budget: number): { stdout: string; stderr: string; exit: number | 'trap'; tree: unknown; stops: number } {
  const mod = Module.fromBinary(program(name));
  let store = new Store({ fuel: budget });
  let wasi = new Wasi({ args: spec.args, env: spec.env ?? {}, stdin: spec.stdin ?? '', preopens: { '/': new MemFs(spec.tree ?? {}) } });
  const inst = wasi.addToLinker(new Linker(), store).instantiate(store, mod);
  let go = (): number => wasi.start(inst).exitCode;
  let stops = 0;
  for (;;) {
    try {
      const exit = go();
      return { stdout: wasi.stdoutText, stderr: wasi.stderrText, exit, tree: tree(wasi), stops };
    } catch (e) {
      if (e instanceof Trap) return { stdout: wasi.stdoutText, stderr: wasi.stderrText, exit: 'trap', tree: tree(wasi), stops };
      if (!(e instanceof OutOfFuel)) throw e;
      stops++;
      const bytes = store.snapshot({ host: wasi.snapshotState() });
      const r = Store.restore(bytes, {
        linker: (s, host) => {
          wasi = new Wasi();
          wasi.restoreState(host);
          return wasi.addToLinker(new Linker(), s);
        },
      });
      store = r.store;
      store.addFuel(budget * 2 ** Math.min(stops, 20));
      const stop = r.stop as OutOfFuel;
      go = () => wasi.resume(stop).exitCode;
    }
  }
}

/** The preopened MemFs of a (restored) Wasi, as a tree (read through its descriptors). */
function tree(wasi: Wasi): unknown {
  const fds = (wasi as unknown as { cx: { fds: ({ backend?: unknown } | undefined)[] } }).cx.fds;
  const fs = fds.find((f) => f?.backend instanceof MemFs)?.backend as MemFs | undefined;
  return fs ? fs.toTree() : {};
}

describe('WASI state in snapshots', () => {
  for (const [name, spec] of CASES) {
    it(`${name} ${JSON.stringify(spec.args.slice(1))}: cut at many budgets, restored each time`, () => {
      const whole = runWasmeter(program(name), spec, 'memory');
      for (const budget of [1, 37, 500, 4000]) {
        const r = cut(name, spec, budget);
        if (budget < 1000) expect(r.stops, `budget ${budget}`).toBeGreaterThan(0);
        expect(r.stdout, `budget ${budget}`).toBe(whole.stdout);
        expect(r.stderr).toBe(whole.stderr);
        expect(r.exit).toBe(whole.exit);
        expect(r.tree).toEqual(whole.tree);
      }
    });
  }
});
