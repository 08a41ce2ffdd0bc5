/**
 * Runs the official WebAssembly JS API tests (web-platform-tests `*.any.js` files with testharness.js) in fresh
 * `node:vm` contexts, with wasmeter's facade as `WebAssembly` or with the context's own (V8's) WebAssembly.
 * Used by test/js-api/js-api.test.ts (pinned counts) and `npm run js-api [-- --native] [filter...]`.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const here = dirname(fileURLToPath(import.meta.url));
export const packageRoot = resolve(here, '../..');

/** The folder holding `js-api/`, `legacy/` and `harness/`: $WASMETER_JSAPI, else ../shared/js-api from the package root (or one level up, for a git worktree under a sibling folder). */
export function findJsApiRoot() {
  const env = process.env.WASMETER_JSAPI;
  if (env) return resolve(env);
  for (const base of [packageRoot, resolve(packageRoot, '..')]) {
    const p = resolve(base, '../shared/js-api');
    if (existsSync(join(p, 'harness/testharness.js'))) return p;
  }
  return null;
}

/** Every `*.any.js` file below js-api/ and legacy/exceptions/js-api/, relative to the root, sorted. */
export function listTests(root) {
  const out = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.any.js')) out.push(relative(root, p));
    }
  };
  walk(join(root, 'js-api'));
  walk(join(root, 'legacy/exceptions/js-api'));
  return out.sort();
}

/** The facade as one script defining `wasmeterFacade` (bundled from src/facade/index.ts with esbuild, as a browser would load it). */
export async function bundleFacade() {
  const esbuild = await import('esbuild');
  const r = await esbuild.build({
    entryPoints: [join(packageRoot, 'src/facade/index.ts')],
    bundle: true,
    format: 'iife',
    globalName: 'wasmeterFacade',
    platform: 'neutral',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return r.outputFiles[0].text;
}

function metaScripts(source, testPath, root) {
  const out = [];
  for (const m of source.matchAll(/^\/\/ META: script=(.+)$/gm)) {
    const s = m[1].trim();
    out.push(s.startsWith('/wasm/jsapi/') ? join(root, 'js-api', s.slice('/wasm/jsapi/'.length)) : join(dirname(testPath), s));
  }
  return out;
}

const PASS = 0;

/**
 * Names some test files still use that this testharness.js no longer has (limits.any.js: `assert_throws` and
 * `promise_rejects` with an error instance, mjsunit's `assertEquals`; table/grow-memory64.any.js: `nulls`, defined in
 * its sibling grow.any.js), each as the current function with the same meaning: an error instance stands for its
 * constructor (testharness's `assert_throws_js` then checks the thrown error's constructor and name).
 */
const LEGACY = `
if (typeof assert_throws === 'undefined') globalThis.assert_throws = (e, f, d) => assert_throws_js(e.constructor, f, d);
if (typeof promise_rejects === 'undefined') globalThis.promise_rejects = (t, e, p, d) => promise_rejects_js(t, e.constructor, p, d);
if (typeof assertEquals === 'undefined') globalThis.assertEquals = (expected, actual, d) => assert_equals(actual, expected, d);
if (typeof nulls === 'undefined') globalThis.nulls = (n) => Array(n).fill(null);
`;

/**
 * testharness.js keeps every step function a test ran (`Test.steps`, which it only appends to) as long as the page
 * lives, and with them whatever they close over: limits.any.js's 1 GiB buffers and every module its promise tests
 * compiled (a promise test's step holds the promise, the promise its Module: the facade's decoded modules of a million
 * types, functions, globals..., 1.1 GB of heap at the end, and the 1 GiB copy of the module-size test's bytes). A test
 * that has its result runs no more steps (`step` returns at once past its STARTED phase), so they are dropped then.
 * limits.any.js alone with the facade: 2.8 GB of peak RSS with them kept, and a V8 heap limit of 1 GB too small
 * (`--max-old-space-size=1024`: heap out of memory; Node's default limit is a quarter of a machine's memory, so a
 * 4 GB CI machine's); 1.5-1.7 GB of RSS without, passing in 1 GB of heap (BENCHMARKS.md, session 21, helper mem21).
 * test/js-api/runner.test.ts holds the runner to it.
 */
const RELEASE_STEPS = 'add_result_callback((test) => { if (Array.isArray(test.steps)) test.steps.length = 0; });';

/**
 * Runs one test file; resolves to { file, passed, failed, failures: [{ name, message }] }.
 * `facade`: the bundled facade's source, or null for the context's own WebAssembly. `globals`: more properties of the
 * context's global object (test/js-api/runner.test.ts gives its test file a probe of the process's memory).
 */
export function runFile(root, file, facade, { timeoutMs = 120_000, globals = {} } = {}) {
  const path = join(root, file);
  const source = readFileSync(path, 'utf8');
  // the web globals a browser or worker has and the bundled engine uses
  const ctx = vm.createContext({ setTimeout, clearTimeout, setInterval, clearInterval, structuredClone, console, queueMicrotask, TextDecoder, TextEncoder, ...globals });
  const run = (code, filename) => vm.runInContext(code, ctx, { filename });
  run('globalThis.self = globalThis;', 'self.js');
  if (facade !== null) {
    run(facade, 'wasmeter-facade.js');
    run("Object.defineProperty(globalThis, 'WebAssembly', { value: wasmeterFacade.WebAssembly, writable: true, enumerable: false, configurable: true }); delete globalThis.wasmeterFacade;", 'install.js');
  }
  run(readFileSync(join(root, 'harness/testharness.js'), 'utf8'), 'testharness.js');
  run(LEGACY, 'legacy-harness.js');
  run(RELEASE_STEPS, 'release-steps.js');
  return new Promise((resolveRun) => {
    let timer;
    const finish = (result) => {
      clearTimeout(timer);
      resolveRun({ file, ...result });
    };
    ctx.__done = (tests, status) => {
      const failures = [];
      let passed = 0;
      for (const t of tests) {
        if (t.status === PASS) passed++;
        else failures.push({ name: t.name, message: String(t.message) });
      }
      if (status.status !== 0 && tests.length === 0) failures.push({ name: '(harness)', message: String(status.message) });
      finish({ passed, failed: failures.length, failures });
    };
    run('add_completion_callback((tests, status) => __done(tests, status));', 'callback.js');
    try {
      for (const s of metaScripts(source, path, root)) run(readFileSync(s, 'utf8'), s);
      run(source, path);
    } catch (e) {
      finish({ passed: 0, failed: 1, failures: [{ name: '(load)', message: String(e && e.stack) }] });
      return;
    }
    timer = setTimeout(() => finish({ passed: 0, failed: 1, failures: [{ name: '(timeout)', message: `no completion after ${timeoutMs} ms` }] }), timeoutMs);
  });
}

/** Runs the files one after the other (unhandled rejections from the tests' own promises are ignored meanwhile). */
export async function runAll(root, files, facade) {
  const results = [];
  // a test file's own promises may reject unobserved (as in a browser, that is no failure of a subtest)
  const ignore = () => {};
  process.on('unhandledRejection', ignore);
  try {
    for (const f of files) results.push(await runFile(root, f, facade));
  } finally {
    process.off('unhandledRejection', ignore);
  }
  return results;
}
