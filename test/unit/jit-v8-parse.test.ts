/**
 * How V8 parses the JS tier's generated sources (codegen.ts build; BENCHMARKS.md "Session 14, helper src9"). A
 * source's functions that run at once are parenthesized, so V8 compiles them with the source (`new Function`)
 * instead of pre-parsing them then and parsing them again at their first call: the generated function itself and
 * the instance's maker around it (`return (function (E) { ... })`), which holds the generated function of a split
 * function or one with many environment entries. Unparenthesized, the maker of those was lazy and the whole
 * generated function pre-parsed with it, then parsed again (sql.js: 3 MB of its 6 MB pre-parsed for nothing).
 * A child process runs generated code under `--log-function-events` and the test reads V8's parse events.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'wasmeter-v8-parse-'));
const bundle = join(work, 'index.mjs');
const driver = join(work, 'driver.mjs');

// $many calls 30 functions (an environment entry each: past PER_INSTANCE_ENV, its maker holds it); $loop is split
// into parts when the driver makes outlining split everything; $small is a plain shared closure
const callees = Array.from({ length: 30 }, (_, i) => `(func $f${i} (param i32) (result i32) (i32.add (local.get 0) (i32.const ${i})))`).join('\n');
const WAT = `(module
  ${callees}
  (func (export "many") (param $x i32) (result i32)
    ${Array.from({ length: 30 }, (_, i) => `(local.set $x (call $f${i} (local.get $x)))`).join('\n    ')}
    (local.get $x))
  (func (export "loop") (param $n i32) (result i32) (local $s i32)
    (loop $l
      (block $a (br_if $a (i32.and (local.get $n) (i32.const 1)))
        (local.set $s (i32.add (local.get $s) (i32.mul (local.get $n) (i32.const 3)))))
      (block $b (br_if $b (i32.and (local.get $n) (i32.const 2)))
        (local.set $s (i32.xor (local.get $s) (i32.shl (local.get $n) (i32.const 2)))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $s))
  (func (export "small") (param $x i32) (result i32) (i32.mul (local.get $x) (i32.const 7))))`;

beforeAll(async () => {
  const { build } = await import('esbuild');
  await build({
    stdin: { contents: "export * from './src/index.ts';\nexport { outlining } from './src/jit/outline.ts';\n", resolveDir: ROOT, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: bundle,
    logLevel: 'error',
  });
  writeFileSync(
    driver,
    `const [bundle, wat] = process.argv.slice(2);
const { Linker, Module, Store, outlining } = await import(bundle);
Object.assign(outlining, { at: 0, limit: 1, min: 1, hot: 0 });
const inst = new Linker().instantiate(new Store({ tier: 'js', fuel: 1e12 }), Module.fromWat(wat));
console.log('results ' + [inst.call('many', 1)[0], inst.call('loop', 100)[0], inst.call('small', 6)[0]].join(','));
console.log('generated ' + ['many', 'loop', 'small'].map((n) => inst.getExport(n).jitState).join(','));
console.log('jit ' + ['many', 'loop', 'small'].map((n) => inst.getExport(n).jit.name).join(','));
`,
  );
  writeFileSync(join(work, 'mod.wat'), WAT);
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Ev {
  kind: string;
  script: string;
  start: number;
  end: number;
  name: string;
}

describe("V8 compiles a generated source's functions that run at once with the source", () => {
  test('no generated function is pre-parsed, and none is parsed again at its first call', () => {
    const log = join(work, 'v8.log');
    const r = spawnSync(process.execPath, ['--log-function-events', `--logfile=${log}`, '--no-logfile-per-isolate', driver, bundle, readFileSync(join(work, 'mod.wat'), 'utf8')], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('results 436,');
    // (all three in the JS tier)
    expect(r.stdout).toContain('generated 1,1,1');
    const evs: Ev[] = [];
    for (const line of readFileSync(log, 'utf8').split('\n')) {
      const p = line.split(',');
      if (p[0] === 'function' && p.length >= 8) evs.push({ kind: p[1]!, script: p[2]!, start: +p[3]!, end: +p[4]!, name: p[7]! });
    }
    const generated = evs.filter((e) => /^wasm_func_\d+$/.test(e.name));
    // (the driver's functions and the split parts: `many` whole, `loop` split, `small` and the 30 callees)
    const made = generated.filter((e) => e.kind === 'full-parse');
    expect(made.length).toBeGreaterThanOrEqual(33);
    // a generated function is never pre-parsed (it was, in its lazy maker, when that held it)
    expect(generated.filter((e) => e.kind.startsWith('preparse')).map((e) => e.name)).toEqual([]);
    // and no function around one is compiled lazily (the maker: parsed again at its first call, with what it holds)
    const around = evs.filter(
      (e) => (e.kind === 'parse-function' || e.kind.startsWith('preparse')) && made.some((g) => g.script === e.script && e.start <= g.start && e.end >= g.end),
    );
    expect(around.map((e) => `${e.kind} ${e.name || '(anonymous)'}`)).toEqual([]);
    // and nothing outside the generated function is compiled at its first call: the interpreter's JitFn is the
    // generated function bound to the environment (`.bind(null, E)`), not a function literal of the source
    // (BENCHMARKS.md, "Session 16, helper src11")
    const inside = (e: Ev, g: Ev): boolean => e.script === g.script && e.start > g.start && e.end < g.end;
    const lazyOutside = evs.filter((e) => e.kind === 'parse-function' && made.some((g) => g.script === e.script) && !made.some((g) => inside(e, g)));
    expect(lazyOutside.map((e) => `${e.kind} ${e.start}-${e.end}`)).toEqual([]);
    expect(r.stdout).toMatch(/^jit bound wasm_func_\d+,bound wasm_func_\d+,bound wasm_func_\d+$/m);
    // the split parts are still compiled lazily, at their first call, inside their generated function
    expect(evs.some((e) => e.kind === 'parse-function' && made.some((g) => inside(e, g)))).toBe(true);
  }, 60_000);
});
