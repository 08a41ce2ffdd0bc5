/**
 * The JS API runner itself (test/js-api/runner.mjs): a finished test's steps are dropped, so what they close over
 * (limits.any.js: buffers of 1 GiB, modules of a million entries) does not stay as long as the file runs.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { findJsApiRoot, runFile } from './runner.mjs';

// a full collection on demand without --expose-gc for the whole worker: the flag set now, `gc` taken from a context
// made after it (V8 installs it in each new context)
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
setFlagsFromString('--no-expose-gc');

const MIB = 1 << 20;
const ROUNDS = 8;
const BUFFER = 8 * MIB;
/** Elements of each array a promise test resolves to: 8 bytes each on V8's heap, about 8 MiB. */
const ELEMENTS = MIB;

/**
 * A test file shaped as limits.any.js is: each sync test closes over a buffer made beside it, each promise test
 * resolves to a large object (a compiled module there), the first probe before them, the last one after a timer
 * (a task of its own). Kept, the tests would hold 64 MiB of buffers and 64 MiB of heap.
 */
const HELD = `
const before = __probe();
for (let i = 0; i < ${ROUNDS}; i++) {
  const bytes = new Uint8Array(${BUFFER}).fill(i + 1);
  test(() => assert_equals(bytes[${BUFFER - 1}], i + 1), 'a buffer ' + i);
  promise_test(() => Promise.resolve(new Array(${ELEMENTS}).fill(i + 0.5)), 'an array ' + i);
}
promise_test(() => new Promise((resolve) => setTimeout(resolve, 0)).then(() => {
  const after = __probe();
  __report(before, after);
}), 'the probe');
`;

describe('js-api runner', () => {
  const jsApi = findJsApiRoot();
  const root = mkdtempSync(join(tmpdir(), 'wasmeter-jsapi-runner-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("drops a finished test's steps, and what they hold, while the file still runs", async () => {
    if (jsApi === null) throw new Error('the JS API tests were not found: put them in ../shared/js-api or set WASMETER_JSAPI');
    symlinkSync(join(jsApi, 'harness'), join(root, 'harness'));
    mkdirSync(join(root, 'js-api'));
    writeFileSync(join(root, 'js-api/held.any.js'), HELD);
    type Probe = { heap: number; buffers: number };
    let seen: [Probe, Probe] | null = null;
    const probe = (): Probe => {
      gc();
      gc();
      const m = process.memoryUsage();
      return { heap: m.heapUsed, buffers: m.arrayBuffers };
    };
    const r = await runFile(root, 'js-api/held.any.js', null, {
      globals: { __probe: probe, __report: (a: Probe, b: Probe) => (seen = [a, b]) },
    });
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(2 * ROUNDS + 1);
    expect(seen).not.toBeNull();
    const [before, after] = seen!;
    // kept, 64 MiB of each would stay; dropped, what stays is the harness's own records of 17 tests
    expect(after.buffers - before.buffers).toBeLessThan(16 * MIB);
    expect(after.heap - before.heap).toBeLessThan(16 * MIB);
  });
});
