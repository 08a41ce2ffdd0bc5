/**
 * `npm run js-api [-- --native] [-- --verbose] [filter...]`: the JS API tests with the facade (default) or with
 * Node's own WebAssembly (--native), subtests passed/failed per file and in total; --verbose lists failures.
 */
import { bundleFacade, findJsApiRoot, listTests, runAll } from './runner.mjs';

const args = process.argv.slice(2);
const native = args.includes('--native');
const verbose = args.includes('--verbose');
const filters = args.filter((a) => !a.startsWith('--'));
const root = findJsApiRoot();
if (root === null) {
  console.error('js-api tests not found: set WASMETER_JSAPI to the folder holding js-api/ and harness/');
  process.exit(2);
}
const files = listTests(root).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
const facade = native ? null : await bundleFacade();
let passed = 0;
let failed = 0;
for (const r of await runAll(root, files, facade)) {
  passed += r.passed;
  failed += r.failed;
  console.log(`${r.failed === 0 ? 'ok  ' : 'FAIL'} ${r.file}: ${r.passed} passed, ${r.failed} failed`);
  if (verbose) for (const f of r.failures) console.log(`       - ${f.name}: ${f.message.split('\n')[0]}`);
}
console.log(`${native ? "Node's WebAssembly" : 'wasmeter facade'}: ${passed} passed, ${failed} failed, ${files.length} files`);
