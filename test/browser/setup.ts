/**
 * What both browser tests (browser.test.ts: Chromium, firefox.test.ts: Firefox) share: the inputs, the page's
 * bundle (the library taken from dist/), the server of the pages, and Node's report on the same inputs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import fc from 'fast-check';
import { staleDist } from '../shared/dist.js';
import { serve, type Served } from '../../examples/browser/server.js';
import { findSuite } from '../../src/spec/suite.js';
import { GC_WORKLOADS, WORKLOADS } from '../../bench/workloads.js';
import { programArb } from '../fuel/props.js';
import { runCases, type Inputs, type Report } from './cases.js';
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

/** The page's encoded report, decoded; throws the page's error. */
export function pageResult(encoded: string): PageResult {
  const r = decode(encoded) as PageResult | { error: string };
  if ('error' in r) throw new Error(`the page failed: ${r.error}`);
  return r;
}
