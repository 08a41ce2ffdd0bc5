/** runSandboxed: the execute(ptr, len) -> i32 entry of the wasmi-based sandboxes, entry choice, WASI as a capability. */
import { describe, expect, test } from 'vitest';
import { CapabilityDenied, ExecutionFailed, InstantiationFailed, OutOfMemory, runSandboxed } from '../../src/index.js';
import * as G from './guests.js';
import { failure, text } from './helpers.js';

const PAGE = 65536;

describe('execute(ptr, len) -> i32', () => {
  test('without an allocator the input goes into pages grown at the end of memory 0', () => {
    const r = runSandboxed(G.EXECUTE(false), 'abc');
    expect(r.entry).toBe('execute');
    expect(text(r.output)).toBe('cba');
    expect(r.results).toEqual([3]);
    expect(r.memoryPeakBytes).toBe(2 * PAGE);
    expect(runSandboxed(G.EXECUTE_PTR, 'xyz').results).toEqual([PAGE]);
    const big = runSandboxed(G.EXECUTE_PTR, new Uint8Array(PAGE + 1));
    expect(big.results).toEqual([PAGE]);
    expect(big.memoryPeakBytes).toBe(3 * PAGE);
  });

  test('an empty input is pointer 0, length 0, and grows nothing', () => {
    const r = runSandboxed(G.EXECUTE_PTR);
    expect(r.results).toEqual([0]);
    expect(r.memoryPeakBytes).toBe(PAGE);
  });

  test("with the guest's alloc export the input goes where alloc says", () => {
    const r = runSandboxed(G.EXECUTE(true), 'hello');
    expect(text(r.output)).toBe('olleh');
    expect(r.memoryPeakBytes).toBe(PAGE); // nothing grown
    const at = `(module (memory 1)
      (func (export "alloc") (param i32) (result i32) (i32.const 4096))
      (func (export "execute") (param i32 i32) (result i32) (i32.load8_u (local.get 0))))`;
    expect(runSandboxed(at, 'A').results).toEqual([65]);
    // alloc's fuel is the run's
    expect(runSandboxed(G.EXECUTE(true), 'hello').fuelConsumed).toBeGreaterThan(runSandboxed(G.EXECUTE(false), 'hello').fuelConsumed);
  });

  test('a failing, mistyped or out-of-bounds alloc is ExecutionFailed', () => {
    expect(failure(ExecutionFailed, () => runSandboxed(G.ALLOC_FAILS.replace('"invoke"', '"execute"').replace('(param i32 i32 i32 i32) (result i64) (i64.const 0)', '(param i32 i32) (result i32) (i32.const 0)'), 'x')).message).toBe(
      'execute input: alloc(1) for the input returned 0 (allocation failed)',
    );
    const mistyped = `(module (memory 1) (func (export "alloc") (param i64) (result i32) (i32.const 0))
      (func (export "execute") (param i32 i32) (result i32) (i32.const 0)))`;
    expect(failure(ExecutionFailed, () => runSandboxed(mistyped, 'x')).message).toContain("export 'alloc' has type (i64) -> (i32), expected (i32) -> (i32)");
    const outside = `(module (memory 1) (func (export "alloc") (param i32) (result i32) (i32.const 65535))
      (func (export "execute") (param i32 i32) (result i32) (i32.const 0)))`;
    expect(failure(ExecutionFailed, () => runSandboxed(outside, 'xy')).message).toContain('range [65535, 65537) is outside the guest memory');
  });

  test('no room for the input: OutOfMemory past maxMemoryBytes, ExecutionFailed past the memory maximum or without a memory', () => {
    const oom = failure(OutOfMemory, () => runSandboxed(G.EXECUTE(false), 'abc', { maxMemoryBytes: PAGE }));
    expect(oom.message).toBe('execute input: memory.grow by 1 page(s) for the 3-byte input refused: 131072 bytes requested, limit 65536');
    expect(oom.requestedBytes).toBe(2 * PAGE);
    expect(failure(ExecutionFailed, () => runSandboxed(G.EXECUTE_PTR, new Uint8Array(3 * PAGE))).message).toBe(
      'execute input: memory 0 cannot grow by 3 page(s) to hold the 196608-byte input',
    );
    const noMem = `(module (func (export "execute") (param i32 i32) (result i32) (local.get 1)))`;
    expect(runSandboxed(noMem).results).toEqual([0]);
    expect(failure(ExecutionFailed, () => runSandboxed(noMem, 'x')).message).toContain('the guest has no linear memory');
  });

  test('execute wins over run and _start; options.entry picks another; result.entry names what ran', () => {
    const both = runSandboxed(G.EXECUTE(false, true), 'ab');
    expect(both.entry).toBe('execute');
    expect(text(both.output)).toBe('ba');
    const start = runSandboxed(G.EXECUTE(false, true), 'ab', { entry: '_start' });
    expect(start.entry).toBe('_start');
    expect(text(start.output)).toBe('_start ran');
    expect(runSandboxed(G.INPUT_LEN_START).entry).toBe('_start');
    // an explicit entry of the execute type gets the input too
    const named = G.EXECUTE(false).replace('(export "execute")', '(export "main")');
    expect(text(runSandboxed(named, 'xyz', { entry: 'main' }).output)).toBe('zyx');
  });

  test('an entry of any other type is refused naming its type, not skipped', () => {
    const wrong = `(module (func (export "execute") (param i32) (result i32) (local.get 0)) (func (export "_start")))`;
    expect(failure(InstantiationFailed, () => runSandboxed(wrong)).message).toBe(
      "entry function 'execute' has type (i32) -> (i32); an entry takes no parameters, or is (i32, i32) -> (i32) (input pointer and length)",
    );
    expect(failure(InstantiationFailed, () => runSandboxed(G.NO_ENTRY)).message).toBe("the guest exports no entry function 'execute', 'run' or '_start'");
  });
});

describe('WASI as a capability', () => {
  test('not granted: CapabilityDenied lists the WASI imports', () => {
    const e = failure(CapabilityDenied, () => runSandboxed(G.WASI_HELLO));
    expect(e.imports.map((i) => i.name)).toEqual(['fd_write', 'proc_exit']);
  });

  test('granted: stdout and stderr are captured; exitCode is 0 or the proc_exit code', () => {
    const r = runSandboxed(G.WASI_HELLO, '', { wasi: true });
    expect(text(r.stdout)).toBe('out\n');
    expect(text(r.stderr)).toBe('err\n');
    expect(r.exitCode).toBe(0);
    expect(r.entry).toBe('_start');
    const exited = runSandboxed(G.WASI_HELLO, 'four', { wasi: { args: ['prog'] } });
    expect(exited.exitCode).toBe(4);
    expect(exited.results).toEqual([]);
    expect(text(exited.stdout)).toBe('out\n');
    // without WASI: empty streams, no exit code
    const plain = runSandboxed(G.ANSWER);
    expect([plain.stdout.length, plain.stderr.length, plain.exitCode]).toEqual([0, 0, undefined]);
  });

  test("stdin is the sandbox's input unless the WASI options give one", () => {
    expect(text(runSandboxed(G.WASI_CAT, 'from the input', { wasi: true }).stdout)).toBe('from the input');
    expect(text(runSandboxed(G.WASI_CAT, 'from the input', { wasi: { stdin: 'own stdin' } }).stdout)).toBe('own stdin');
  });

  test('stdout and stderr count against maxOutputBytes; the report keeps what was written', () => {
    const e = failure(ExecutionFailed, () => runSandboxed(G.WASI_HELLO, '', { wasi: true, maxOutputBytes: 6 }));
    expect(e.message).toContain('fd_write to stderr: stdout and stderr together would exceed the limit of 6 bytes');
    expect(text(e.report!.stdout)).toBe('out\n');
    expect(e.report!.stderr.length).toBe(0);
  });

  test('stdio options that would bypass the capture are refused', () => {
    expect(() => runSandboxed(G.WASI_HELLO, '', { wasi: { stdout: 'inherit' } as never })).toThrow(/options.wasi.stdout is not an option in a sandbox/);
    expect(() => runSandboxed(G.WASI_HELLO, '', { wasi: 'yes' as never })).toThrow(TypeError);
  });
});
