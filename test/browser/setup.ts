/**
 * What both browser tests (browser.test.ts: Chromium, firefox.test.ts: Firefox) share: the inputs, the page's
 * bundle (the library taken from dist/), the server of the pages, and Node's report on the same inputs.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { staleDist } from '../shared/dist.js';
import { serve } from '../../examples/browser/server.js';
import type { Expectations } from '../../src/spec/expectations.js';
import { findSuite, listWast, suiteName } from '../../src/spec/suite.js';
import { GC_WORKLOADS, WORKLOADS } from '../../bench/workloads.js';
import { programArb } from '../fuel/props.js';
import { runCases, type Inputs, type Report } from './cases.js';
import type { Served } from '../../examples/browser/server.js';
import { decode, encode } from './json.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SRC = join(ROOT, 'src');
/** The only sources the page may import, and the built files it gets instead. */
const FROM_DIST: Record<string, string> = {
  [join(SRC, 'index.ts')]: '/dist/index.js',
  [join(SRC, 'spec/runner.ts')]: '/dist/spec.js',
  [join(SRC, 'facade/index.ts')]: '/dist/webassembly.js',
};

/** Spec scripts run in the page (the starved ones a second time, starved). */
const WAST = ['fac', 'i32', 'i64', 'f64', 'conversions', 'memory_grow', 'memory_trap', 'call_indirect', 'br_table', 'loop', 'simd_i16x8_arith'];
const STARVED = new Set(['i32', 'memory_grow', 'loop']);

const TRAPS = `(module (memory 1)
  (func (export "oob") (param $n i32) (result i32) (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (i32.load (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 4096)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.add (local.get $s) (i32.load (local.get $n))))
  (func (export "div") (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0))))`;

/**
 * NaNs with payloads and signs (f64 and f32, signalling and quiet) moved by functions the JS tier generates or, in an
 * engine that canonicalizes NaNs, declines (src/jit/float-scan.ts): through a local, a loop-carried local, a branch
 * out of a block, select; the checksum of the memory they wrote must be Node's.
 */
const NAN_MOVES = `(module (memory 1)
  (func $init
    (i64.store (i32.const 0) (i64.const 0x7ff0000000000001))
    (i64.store (i32.const 8) (i64.const 0xfff8000000012345))
    (i32.store (i32.const 16) (i32.const 0x7f800001))
    (i32.store (i32.const 20) (i32.const 0xffc00123)))
  (func $viaLocal (param $from i32) (param $to i32) (local $x f64)
    (local.set $x (f64.load (local.get $from)))
    (f64.store (local.get $to) (local.get $x)))
  (func $viaLoop (param $from i32) (param $to i32) (param $n i32) (local $x f64) (local $y f64)
    (loop $l
      (local.set $y (local.get $x))
      (local.set $x (f64.load (local.get $from)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (f64.store (local.get $to) (local.get $y)))
  (func $viaBlock (param $from i32) (param $to i32) (param $c i32) (local $x f32)
    (block $b
      (local.set $x (f32.load (local.get $from)))
      (br_if $b (local.get $c))
      (local.set $x (f32.const 1)))
    (f32.store (local.get $to) (local.get $x)))
  (func $viaSelect (param $from i32) (param $to i32) (param $c i32)
    (f64.store (local.get $to) (select (f64.load (local.get $from)) (f64.load offset=8 (local.get $from)) (local.get $c))))
  (func (export "run") (param $k i32) (result i64) (local $i i32) (local $s i64)
    (call $init)
    (loop $l
      (call $viaLocal (i32.const 0) (i32.const 64))
      (call $viaLocal (i32.const 8) (i32.const 72))
      (call $viaLoop (i32.const 8) (i32.const 80) (i32.const 3))
      (call $viaBlock (i32.const 16) (i32.const 88) (i32.const 1))
      (call $viaBlock (i32.const 20) (i32.const 92) (i32.const 1))
      (call $viaSelect (i32.const 0) (i32.const 96) (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $k))))
    (local.set $i (i32.const 64))
    (loop $sum
      (local.set $s (i64.add (i64.rotl (local.get $s) (i64.const 7)) (i64.load (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 8)))
      (br_if $sum (i32.lt_u (local.get $i) (i32.const 104))))
    (local.get $s)))`;

/** The inputs; `extraWast` names more spec scripts (suite-relative, without .wast) to run normally. */
export function inputs(extraWast: readonly string[] = []): Inputs {
  const suite = findSuite();
  return {
    wast: [...WAST, ...extraWast].map((f) => ({ name: `${f}.wast`, text: readFileSync(join(suite, `${f}.wast`), 'utf8'), starved: STARVED.has(f) })),
    calls: [
      ...WORKLOADS.map((w) => ({ name: w.id, module: w.bytes(), export: w.export, args: w.testArgs })),
      // Wasm GC: the struct classes are generated source, or under the CSP built without it
      ...GC_WORKLOADS.map((w) => ({ name: w.id, module: w.gc(), export: 'run', args: w.testArgs })),
      { name: 'fib.wat sum', module: readFileSync(join(ROOT, 'examples/fib.wat'), 'utf8'), export: 'sum', args: [5000n] },
      { name: 'out of bounds', module: TRAPS, export: 'oob', args: [70_000] },
      { name: 'divide by zero', module: TRAPS, export: 'div', args: [0] },
      { name: 'NaN payloads moved', module: NAN_MOVES, export: 'run', args: [20] },
    ],
    programs: fc.sample(programArb, { seed: 17, numRuns: 30 }),
  };
}

/** Node's report on the inputs, through JSON like the page's. */
export function nodeReport(input: Inputs): Report {
  return decode(encode(runCases(input))) as Report;
}

/** page.ts and what it imports, bundled, with the library taken from dist/ (any other import of src/ is an error). */
async function bundlePage(): Promise<string> {
  const fromDist: Plugin = {
    name: 'wasmeter-from-dist',
    setup(b) {
      b.onResolve({ filter: /^\.\.?\// }, (a) => {
        const file = join(a.resolveDir, a.path).replace(/\.js$/, '.ts');
        const built = FROM_DIST[file];
        if (built !== undefined) return { path: built, external: true };
        if (file.startsWith(SRC)) return { errors: [{ text: `${a.importer} imports ${a.path}: the page may import only ${Object.keys(FROM_DIST).join(', ')}` }] };
        return undefined;
      });
    },
  };
  const out = await build({
    entryPoints: [join(ROOT, 'test/browser/page.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    plugins: [fromDist],
  });
  return out.outputFiles[0]!.text;
}

/** The page tests dist/: it must have been built from the sources as they are (`npm ci` builds it). */
export function expectFreshDist(): void {
  const why = staleDist('dist/index.js');
  if (why !== null) throw new Error(why);
}

const HTML = '<!doctype html><meta charset="utf-8"><title>wasmeter browser test</title><link rel="icon" href="data:,"><script type="module" src="/page.js"></script>';

/** What a page resolves `window.wasmeterReport` to. */
export interface PageResult {
  report: Report;
  ms: number;
  evalAllowed: boolean;
}

/**
 * Serves the pages: `/index.html` (eval allowed), `/csp.html` (script-src 'self': no eval), and examples/browser at
 * `/`; the page runs `input`, or with `?inputs=<name>` the inputs `more[name]`.
 */
export async function servePages(input: Inputs, more: Record<string, Inputs> = {}): Promise<Served> {
  return serve({
    root: ROOT,
    index: '/examples/browser/',
    routes: {
      '/inputs.json': { body: encode(input) },
      ...Object.fromEntries(Object.entries(more).map(([name, i]) => [`/${name}.json`, { body: encode(i) }])),
      '/page.js': { body: await bundlePage() },
      '/index.html': { body: HTML },
      '/csp.html': { body: HTML, headers: { 'content-security-policy': "script-src 'self'" } },
    },
  });
}

/** What the pages of both drivers (playwright-core's for Chromium, puppeteer-core's for Firefox) are used for here. */
interface DriverPage {
  on(event: 'pageerror', f: (e: Error) => void): unknown;
  on(event: 'requestfailed', f: (r: { url(): string; failure(): { errorText: string } | null }) => void): unknown;
  on(event: 'response', f: (r: { url(): string; status(): number }) => void): unknown;
  goto(url: string): Promise<unknown>;
  evaluate<T>(f: () => T): Promise<Awaited<T>>;
  close(): Promise<void>;
}

/** Loads `url` in `page` (a playwright-core or puppeteer-core page) and expects no page error, failed request or error status. */
export async function visit<P>(page: P, url: string): Promise<P> {
  const p = page as unknown as DriverPage;
  const errors: string[] = [];
  p.on('pageerror', (e) => errors.push(String(e)));
  p.on('requestfailed', (r) => errors.push(`${r.url()}: ${r.failure()?.errorText}`));
  p.on('response', (r) => void (r.status() >= 400 && errors.push(`${r.url()}: ${r.status()}`)));
  await p.goto(url);
  expect(errors, 'page errors').toEqual([]);
  return page;
}

/** Runs the cases page at `url` in `page` (see visit) and gives its report; closes the page; throws the page's error. */
export async function runPage(page: unknown, url: string): Promise<PageResult> {
  const p = await visit(page as DriverPage, url);
  const encoded = await p.evaluate(() => window.wasmeterReport!);
  await p.close();
  const r = decode(encoded) as PageResult | { error: string };
  if ('error' in r) throw new Error(`the page failed: ${r.error}`);
  return r;
}

/**
 * The tests of a browser's finder (install.ts): a missing `$envVar` says how to get the browser, and the PATH is
 * searched in order (`first` in an earlier directory wins over `second` in a later one).
 */
export function finderTests(what: string, ensure: (env: NodeJS.ProcessEnv) => string, envVar: string, aptPackage: string, first: string, second: string): void {
  test(`without ${what} the test says how to get it`, () => {
    expect(() => ensure({ [envVar]: '/nonexistent/browser' })).toThrow(
      new RegExp(`${envVar}=/nonexistent/browser does not exist\\. Install it .*apt-get install ${aptPackage}.*WASMETER_SKIP_BROWSER=1`),
    );
  });

  test(`finds ${what} on the PATH, in PATH order`, () => {
    const a = mkdtempSync(join(tmpdir(), 'wasmeter-path-'));
    const b = mkdtempSync(join(tmpdir(), 'wasmeter-path-'));
    try {
      writeFileSync(join(a, first), '');
      writeFileSync(join(b, second), '');
      expect(ensure({ PATH: ['', a, b].join(delimiter) })).toBe(join(a, first));
      expect(ensure({ PATH: b })).toBe(join(b, second));
    } finally {
      rmSync(a, { recursive: true, force: true });
      rmSync(b, { recursive: true, force: true });
    }
  });
}

/** Every script expected.json lists (the Wasm 2.0 ones a second time, starved), nothing else. */
export function suiteInputs(expected: Expectations): Inputs {
  const suite = findSuite();
  const starved = new Set(expected.groups['wasm-2.0']!.files);
  const names = listWast([suite])
    .map((f) => suiteName(suite, f))
    .filter((n) => expected.files[n] !== undefined);
  expect(names.length).toBe(Object.keys(expected.files).length);
  return { wast: names.map((name) => ({ name, text: readFileSync(join(suite, name), 'utf8'), starved: starved.has(name) })), calls: [], programs: [] };
}

/** The suite page's report (suiteInputs) passes every script as expected.json says Node does (the page allowed eval or not). */
export function expectSuite(r: PageResult, evalAllowed: boolean, expected: Expectations): void {
  expect(r.evalAllowed).toBe(evalAllowed);
  const got = r.report.wast.map((w) => ({ file: w.file, starved: w.starved, passed: w.passed, failures: w.failures.slice(0, 5) }));
  const want = r.report.wast.map((w) => ({ file: w.file, starved: w.starved, passed: expected.files[w.file]!.passed, failures: [] }));
  expect(got).toEqual(want);
  expect(r.report.wast.length).toBe(Object.keys(expected.files).length + expected.groups['wasm-2.0']!.files.length);
}

/** What a browser test's `describe` works with, set by its beforeAll (pagesFixture). */
export interface Pages<B> {
  browser: B;
  served: Served;
  input: Inputs;
  /** Node's report on `input`. */
  node: Report;
  expected: Expectations;
  /** Runs the cases page at `path` (index.html, csp.html, `?inputs=suite`) in a new page of the browser. */
  run(path: string): Promise<PageResult>;
}

/** Registers the beforeAll (Node's report, the server, the browser `launch` gives) and afterAll of a browser test. */
export function pagesFixture<B extends { close(): Promise<void>; newPage(): Promise<unknown> }>(launch: () => Promise<B>, extraWast: readonly string[] = []): Pages<B> {
  const f = { expected: JSON.parse(readFileSync(join(ROOT, 'test/spec/expected.json'), 'utf8')) as Expectations } as Pages<B>;
  f.run = async (path) => runPage(await f.browser.newPage(), f.served.origin + path);
  beforeAll(async () => {
    expectFreshDist();
    f.input = inputs(extraWast);
    f.node = nodeReport(f.input);
    f.served = await servePages(f.input, { suite: suiteInputs(f.expected) });
    f.browser = await launch(); // may install the browser first (a minute or two)
  }, 15 * 60_000);
  afterAll(async () => {
    await f.browser?.close();
    await f.served?.close();
  });
  return f;
}

/** The whole spec suite in the browser's pages, with eval (the JS tier) and without (the interpreter). */
export function suiteTests(what: string, pages: Pages<unknown>): void {
  test.each([
    ['/index.html?inputs=suite', true],
    ['/csp.html?inputs=suite', false],
  ])('the whole spec suite passes as in Node (%s), the Wasm 2.0 scripts starved too', async (path, evalAllowed) => {
    const r = await pages.run(path);
    expectSuite(r, evalAllowed, pages.expected);
    console.log(`browser test, ${what}: the page ran the spec suite (${evalAllowed ? 'JS tier' : 'interpreter'}) in ${r.ms} ms`);
  });
}
