/**
 * Locating the WebAssembly spec testsuite and listing its scripts.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export { needsCustomPageSizes, proposalOf } from './names.js';

export class SuiteNotFound extends Error {
  override name = 'SuiteNotFound';
}

/**
 * The directory holding wasmeter's package.json, found by walking up from
 * `from` (this module's directory: src/spec under vitest, dist/ when bundled).
 */
export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string | null {
  for (let d = resolve(from); ; d = dirname(d)) {
    const pkg = join(d, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'wasmeter') return d;
      } catch {
        // not a readable package.json: keep looking
      }
    }
    if (dirname(d) === d) return null;
  }
}

/** Where the suite is looked for when WASMETER_TESTSUITE is not set: `../shared/testsuite` beside the package. */
export function defaultSuiteDir(root: string | null = packageRoot()): string | null {
  return root === null ? null : resolve(root, '..', 'shared', 'testsuite');
}

const isDir = (d: string): boolean => existsSync(d) && statSync(d).isDirectory();

/**
 * The testsuite directory: `$WASMETER_TESTSUITE` when set, else
 * `../shared/testsuite` relative to the package root. Throws SuiteNotFound
 * with instructions when neither exists.
 */
export function findSuite(env: NodeJS.ProcessEnv = process.env, fallback: string | null = defaultSuiteDir()): string {
  const fromEnv = env['WASMETER_TESTSUITE'];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (isDir(fromEnv)) return resolve(fromEnv);
    throw new SuiteNotFound(`WASMETER_TESTSUITE=${fromEnv} is not a directory.\n${HOWTO}`);
  }
  if (fallback !== null && isDir(fallback)) return fallback;
  throw new SuiteNotFound(`WebAssembly spec testsuite not found${fallback !== null ? ` at ${fallback}` : ''}.\n${HOWTO}`);
}

/** findSuite(), or null when the suite is not there (tests that skip without it). */
export function suiteOrNull(env: NodeJS.ProcessEnv = process.env): string | null {
  try {
    return findSuite(env);
  } catch (e) {
    if (e instanceof SuiteNotFound) return null;
    throw e;
  }
}

/** The testsuite commit the committed expected.json was recorded with (README.md says the same). */
export const SUITE_COMMIT = '193e551ff22663995b1ac95dc62344133669e14b';

const HOWTO =
  'Get it with\n' +
  `  git clone https://github.com/WebAssembly/testsuite ../shared/testsuite && git -C ../shared/testsuite checkout ${SUITE_COMMIT}\n` +
  '(from the package root), or set WASMETER_TESTSUITE=/path/to/testsuite';

/** Every `.wast` file under the given files/directories (recursive, sorted, deduplicated). */
export function listWast(paths: readonly string[]): string[] {
  const out = new Set<string>();
  const walk = (p: string): void => {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        if (name.startsWith('.')) continue;
        const q = join(p, name);
        if (statSync(q).isDirectory() || name.endsWith('.wast')) walk(q);
      }
    } else out.add(p);
  };
  for (const p of paths) walk(p);
  return [...out];
}

/** The path of a script relative to the suite (forward slashes), as used in expected.json. */
export function suiteName(suite: string, file: string): string {
  return relative(suite, file).split('\\').join('/');
}

/**
 * The Wasm 2.0 feature files (MVP, sign-extension, non-trapping conversions,
 * multi-value, bulk memory, reference types, fixed-width SIMD): scripts at
 * the suite's top level whose names match these.
 */
const WASM2_FILES = new Set(
  `address align binary binary-leb128 block br br_if br_table bulk call call_indirect comments const conversions custom data elem endianness exports f32 f32_bitwise f32_cmp f64 f64_bitwise f64_cmp fac float_exprs float_literals float_memory float_misc forward func func_ptrs global i32 i64 if imports inline-module int_exprs int_literals labels left-to-right linking load local_get local_set local_tee loop memory memory_copy memory_fill memory_grow memory_init memory_redundancy memory_size memory_trap names nop ref_func ref_is_null ref_null return select skip-stack-guard-page stack start store switch table table-sub table_copy table_fill table_get table_grow table_init table_set table_size token traps type unreachable unreached-invalid unreached-valid unwind utf8-custom-section-id utf8-import-field utf8-import-module utf8-invalid-encoding`.split(
    /\s+/,
  ),
);

export function isWasm2(name: string): boolean {
  if (name.includes('/')) return false;
  const base = name.replace(/\.wast$/, '');
  return WASM2_FILES.has(base) || base.startsWith('simd_');
}

/**
 * Splits scripts into `n` groups of about the same total size (largest
 * first, each to the lightest group; ties by name), so that test workers
 * can run the groups in parallel. Deterministic: every caller that lists the
 * same files gets the same groups, and each file is in exactly one.
 */
export function shardFiles(files: readonly { name: string; size: number }[], n: number): string[][] {
  const groups: string[][] = Array.from({ length: n }, () => []);
  const load = new Array<number>(n).fill(0);
  const order = [...files].sort((a, b) => b.size - a.size || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const f of order) {
    let k = 0;
    for (let j = 1; j < n; j++) if (load[j]! < load[k]!) k = j;
    groups[k]!.push(f.name);
    load[k]! += f.size;
  }
  return groups.map((g) => g.sort());
}
