/**
 * Locating the WebAssembly spec testsuite and listing its scripts.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export { needsCustomPageSizes, proposalOf } from './names.js';

/** Where the suite is looked for when WASMETER_TESTSUITE is not set. */
export const DEFAULT_SUITE_DIRS = ['/work/shared/testsuite'];

export class SuiteNotFound extends Error {
  override name = 'SuiteNotFound';
}

/**
 * The testsuite directory: `$WASMETER_TESTSUITE`, else the shared copy.
 * Throws SuiteNotFound with instructions when neither exists.
 */
export function findSuite(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env['WASMETER_TESTSUITE'];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (existsSync(fromEnv) && statSync(fromEnv).isDirectory()) return resolve(fromEnv);
    throw new SuiteNotFound(`WASMETER_TESTSUITE=${fromEnv} is not a directory.\n${HOWTO}`);
  }
  for (const d of DEFAULT_SUITE_DIRS) if (existsSync(d) && statSync(d).isDirectory()) return d;
  throw new SuiteNotFound(`WebAssembly spec testsuite not found.\n${HOWTO}`);
}

const HOWTO =
  'Get it with\n' +
  '  git clone --depth 1 https://github.com/WebAssembly/testsuite /path/to/testsuite\n' +
  'and set WASMETER_TESTSUITE=/path/to/testsuite';

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
