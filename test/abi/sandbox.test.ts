import { describe, expect, test } from 'vitest';
import {
  CapabilityDenied,
  DecodeError,
  ExecutionFailed,
  GuestAbiError,
  HostError,
  InstantiationFailed,
  LinkError,
  Module,
  ModuleInvalid,
  OutOfFuel,
  OutOfMemory,
  SandboxError,
  SandboxHostError,
  SandboxOutOfFuel,
  TextError,
  Timeout,
  Trap,
  ValidationError,
  createSandbox,
  runSandboxed,
  trySandboxed,
  watToBinary,
  type Capability,
} from '../../src/index.js';
import * as G from './guests.js';
import { failure, text } from './helpers.js';

const u32 = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0, true);

describe('runSandboxed: success paths', () => {
  test('uppercases its input from WAT text, with logs and accounting', () => {
    const r = runSandboxed(G.UPPER, 'hello, wasm!');
    expect(text(r.output)).toBe('HELLO, WASM!');
    expect(r.logs).toEqual(['uppercasing', 'done']);
    expect(r.fuelConsumed).toBeGreaterThan(0);
    expect(r.memoryPeakBytes).toBe(65536);
    expect(r.results).toEqual([]);
    expect(r.elapsedMs).toBeGreaterThanOrEqual(0);
  });

  test('accepts binary bytes and a compiled Module, and Uint8Array input', () => {
    const bytes = watToBinary(G.UPPER);
    const input = new TextEncoder().encode('abc');
    expect(text(runSandboxed(bytes, input).output)).toBe('ABC');
    const mod = Module.fromBinary(bytes);
    expect(text(runSandboxed(mod, 'xyz').output)).toBe('XYZ');
    expect(text(runSandboxed(mod, 'again').output)).toBe('AGAIN');
  });

  test('empty input reads as empty', () => {
    const r = runSandboxed(G.UPPER);
    expect(r.output.length).toBe(0);
    expect(r.logs).toHaveLength(2);
  });

  test("readInput 'chunks': input read in 4-byte chunks through the cursor (multi-chunk, not a multiple of 4)", () => {
    const input = 'the quick brown fox jumps over the lazy dog';
    expect(text(runSandboxed(G.UPPER_CHUNKED, input, { readInput: 'chunks' }).output)).toBe(input.toUpperCase());
    expect(text(runSandboxed(G.UPPER, input, { readInput: 'chunks' }).output)).toBe(input.toUpperCase());
  });

  test('host_read_input copies the input from its start on every call (the default), or the next bytes with a cursor', () => {
    expect(text(runSandboxed(G.READ_TWICE, 'abcdef').output)).toBe('abcabc');
    expect(text(runSandboxed(G.READ_TWICE, 'abcdef', { readInput: 'chunks' }).output)).toBe('abcdef');
    expect(text(runSandboxed(G.READ_TWICE, 'abcd', { readInput: 'chunks' }).output)).toBe('abcd');
    // a guest that reads until 0 never gets there without the cursor
    expect(failure(ExecutionFailed, () => runSandboxed(G.UPPER_CHUNKED, 'abc')).message).toContain('host_read_input');
    expect(() => runSandboxed(G.READ_TWICE, 'x', { readInput: 'cursor' as 'chunks' })).toThrow(TypeError);
  });

  test('falls back to _start; host_get_input_len is the total length', () => {
    const r = runSandboxed(G.INPUT_LEN_START, 'x'.repeat(300));
    expect(u32(r.output)).toBe(300);
  });

  test('explicit entry and entry results', () => {
    expect(runSandboxed(G.ANSWER).results).toEqual([42]);
    expect(runSandboxed(`(module (func (export "main") (result i64) (i64.const 7)))`, '', { entry: 'main' }).results).toEqual([7n]);
  });

  test('onLog sees messages as they are written', () => {
    const seen: string[] = [];
    runSandboxed(G.UPPER, 'a', { onLog: (m) => seen.push(m) });
    expect(seen).toEqual(['uppercasing', 'done']);
  });

  test('fuel accounting is identical with and without time slicing', () => {
    const input = 'sliced runs must cost exactly the same';
    const plain = runSandboxed(G.UPPER, input);
    const budget = runSandboxed(G.UPPER, input, { fuel: plain.fuelConsumed });
    const sliced = runSandboxed(G.UPPER, input, { timeoutMs: 10_000, fuelSlice: 7 });
    const both = runSandboxed(G.UPPER, input, { timeoutMs: 10_000, fuelSlice: 3, fuel: plain.fuelConsumed });
    for (const r of [budget, sliced, both]) {
      expect(r.fuelConsumed).toBe(plain.fuelConsumed);
      expect(text(r.output)).toBe(input.toUpperCase());
    }
  });

  test('start function output precedes the entry output', () => {
    expect(text(runSandboxed(G.START_WRITES, '', { timeoutMs: 5000 }).output)).toBe('start;run');
    expect(text(runSandboxed(G.START_WRITES).output)).toBe('start;run');
  });

  test('a refused grow the guest handles is not an error', () => {
    const r = runSandboxed(G.GROW_HANDLED, '', { maxMemoryBytes: 2 * 65536 });
    expect(text(r.output)).toBe('refused');
    expect(text(runSandboxed(G.GROW_HANDLED, '', { maxMemoryBytes: 8 * 65536 }).output)).toBe('grown');
  });

  test('memoryPeakBytes follows growth', () => {
    const r = runSandboxed(G.GROW_HANDLED, '', { maxMemoryBytes: 8 * 65536 });
    expect(r.memoryPeakBytes).toBe(5 * 65536);
  });

  test('trySandboxed returns ok results', () => {
    const r = trySandboxed(G.UPPER, 'ok');
    expect(r.ok).toBe(true);
    if (r.ok) expect(text(r.output)).toBe('OK');
  });
});

describe('runSandboxed: capabilities', () => {
  const bonus: Capability = { params: ['i32'], results: ['i32'], fn: (_ctx, n: number) => n + 1000 };
  const greet: Capability = {
    params: ['i32', 'i32'],
    results: ['i32'],
    fn: (ctx, ptr: number, len: number) => {
      const name = ctx.readString(ptr, len);
      ctx.write(ptr, new TextEncoder().encode(name.toUpperCase()));
      return name.length;
    },
  };

  test('a granted capability is callable', () => {
    const r = runSandboxed(G.USES_BONUS, 'four', { capabilities: { add_bonus: bonus } });
    expect(u32(r.output)).toBe(1004);
  });

  test('capability under a custom module name, reading and writing guest memory', () => {
    const sb = createSandbox(G.USES_GREET, { capabilities: { 'host.greet': greet } });
    expect(sb.call('run')).toEqual([4]);
    expect(text(sb.instance.raw.memories[0]!.u8.subarray(0, 4))).toBe('WASM');
    // the export is not named "memory": the capability still sees memory 0
    expect(sb.instance.memory('memory')).toBeUndefined();
  });

  test('an import the host does not provide → CapabilityDenied naming every import', () => {
    const e = failure(CapabilityDenied, () => runSandboxed(G.IMPORTS_SECRET, ''));
    expect(e.kind).toBe('CapabilityDenied');
    expect(e.imports.map((i) => `${i.module}.${i.name}`)).toEqual(['env.host_secret', 'net.fetch']);
    expect(e.imports[0]!.reason).toBe('unknown');
    expect(e.message).toContain('env.host_secret (func, not provided by this host)');
    expect(e.message).toContain('net.fetch');
  });

  test('a capability the host has but did not allow → CapabilityDenied (not-granted)', () => {
    const e = failure(CapabilityDenied, () =>
      runSandboxed(G.USES_BONUS, '', { capabilities: { add_bonus: bonus, other: bonus }, allow: ['other'] }),
    );
    expect(e.imports).toEqual([{ module: 'env', name: 'add_bonus', kind: 'func', reason: 'not-granted' }]);
    expect(e.message).toContain('env.add_bonus (func, not granted)');
    // and allowed, it works
    expect(u32(runSandboxed(G.USES_BONUS, 'ab', { capabilities: { add_bonus: bonus }, allow: ['add_bonus'] }).output)).toBe(1002);
  });

  test('allow naming an unknown capability is a programming error', () => {
    expect(() => runSandboxed(G.ANSWER, '', { allow: ['nope'] })).toThrow(RangeError);
  });

  test('a capability that throws → SandboxHostError carrying what it threw', () => {
    const boom = new Error('database unavailable');
    const e = failure(SandboxHostError, () =>
      runSandboxed(G.USES_BONUS, '', {
        capabilities: {
          add_bonus: {
            params: ['i32'],
            results: ['i32'],
            fn: () => {
              throw boom;
            },
          },
        },
      }),
    );
    expect(e.kind).toBe('HostError');
    expect(e.cause).toBe(boom);
    expect(e.message).toContain('database unavailable');
    expect(e.message).toContain('env.add_bonus');
  });

  test('a capability that throws a core HostError → SandboxHostError', () => {
    const e = failure(SandboxHostError, () =>
      runSandboxed(G.USES_BONUS, '', {
        capabilities: { add_bonus: { params: ['i32'], results: ['i32'], fn: () => { throw new HostError('quota exceeded'); } } },
      }),
    );
    expect(e.cause).toBeInstanceOf(HostError);
    expect(e.message).toContain('quota exceeded');
  });

  test('an onLog callback that throws → SandboxHostError', () => {
    const e = failure(SandboxHostError, () =>
      runSandboxed(G.UPPER, 'x', {
        onLog: () => {
          throw new TypeError('log sink closed');
        },
      }),
    );
    expect(e.cause).toBeInstanceOf(TypeError);
    expect(e.report!.logs).toEqual(['uppercasing']);
  });

  test('a capability bad pointer → ExecutionFailed naming the capability and range', () => {
    const e = failure(ExecutionFailed, () =>
      runSandboxed(`(module (import "host" "greet" (func $g (param i32 i32) (result i32))) (memory 1)
        (func (export "run") (drop (call $g (i32.const 65534) (i32.const 4)))))`, '', { capabilities: { 'host.greet': greet } }),
    );
    expect(e.message).toContain('host.greet(ptr=65534, len=4)');
    expect(e.message).toContain('[65534, 65538)');
  });

  test('chargeFuel charges the budget across slices, and fails when it cannot pay', () => {
    const costly: Capability = {
      params: ['i32'],
      results: ['i32'],
      fn: (ctx, n: number) => {
        ctx.chargeFuel(5000);
        return n;
      },
    };
    const base = runSandboxed(G.USES_BONUS, '', { capabilities: { add_bonus: bonus } }).fuelConsumed;
    const r = runSandboxed(G.USES_BONUS, '', { capabilities: { add_bonus: costly }, timeoutMs: 10_000, fuelSlice: 10 });
    expect(r.fuelConsumed).toBe(base + 5000);
    const e = failure(SandboxOutOfFuel, () =>
      runSandboxed(G.USES_BONUS, '', { capabilities: { add_bonus: costly }, fuel: base + 4999 }),
    );
    expect(e.consumed).toBeLessThanOrEqual(base + 4999);
  });
});

describe('runSandboxed: error classes', () => {
  test('ModuleInvalid: malformed bytes (cause DecodeError)', () => {
    const e = failure(ModuleInvalid, () => runSandboxed(new Uint8Array([0, 97, 115, 109, 2, 0, 0, 0]), ''));
    expect(e.kind).toBe('ModuleInvalid');
    expect(e.cause).toBeInstanceOf(DecodeError);
    expect(e.report).toBeDefined();
  });

  test('ModuleInvalid: bad WAT text (cause TextError)', () => {
    const e = failure(ModuleInvalid, () => runSandboxed('(module (func (export "run") (i32.frobnicate)))', ''));
    expect(e.cause).toBeInstanceOf(TextError);
  });

  test('ModuleInvalid: does not validate (cause ValidationError)', () => {
    const bytes = watToBinary('(module (func (export "run") (result i32) (i64.const 1)))');
    const e = failure(ModuleInvalid, () => runSandboxed(bytes, ''));
    expect(e.cause).toBeInstanceOf(ValidationError);
  });

  test('a guest of the wrong JS type is a TypeError', () => {
    expect(() => runSandboxed(42 as unknown as string, '')).toThrow(TypeError);
  });

  test('InstantiationFailed: built-in import with the wrong type (cause LinkError)', () => {
    const e = failure(InstantiationFailed, () => runSandboxed(G.WRONG_LOG_TYPE, ''));
    expect(e.kind).toBe('InstantiationFailed');
    expect(e.cause).toBeInstanceOf(LinkError);
    expect(e.message).toContain('host_log');
  });

  test('InstantiationFailed: start function traps (cause Trap)', () => {
    const e = failure(InstantiationFailed, () => runSandboxed(G.START_TRAPS, ''));
    expect(e.cause).toBeInstanceOf(Trap);
    expect(e.message).toContain('start function');
    expect(e.message).toContain('unreachable');
  });

  test('InstantiationFailed: data segment out of bounds', () => {
    const e = failure(InstantiationFailed, () => runSandboxed(G.DATA_OUT_OF_BOUNDS, ''));
    expect(e.cause).toBeInstanceOf(Trap);
  });

  test('InstantiationFailed: no entry export / entry with parameters', () => {
    expect(failure(InstantiationFailed, () => runSandboxed(G.NO_ENTRY, '')).message).toContain(`'run' or '_start'`);
    expect(failure(InstantiationFailed, () => runSandboxed(G.NO_ENTRY, '', { entry: 'start' })).message).toContain(`'start'`);
    expect(failure(InstantiationFailed, () => runSandboxed(G.ENTRY_WITH_PARAMS, '')).message).toContain('no parameters');
    expect(failure(InstantiationFailed, () => runSandboxed(G.UPPER, '', { entry: 'memory' })).message).toContain('not a function');
  });

  test('ExecutionFailed: a trap, with partial output in the report', () => {
    const e = failure(ExecutionFailed, () => runSandboxed(G.DIVIDE_BY_ZERO, ''));
    expect(e.kind).toBe('ExecutionFailed');
    expect(e.cause).toBeInstanceOf(Trap);
    expect(e.message).toBe('run trapped: integer divide by zero');
    expect(text(e.report!.output)).toBe('before');
    expect(e.report!.fuelConsumed).toBeGreaterThan(0);
  });

  test('ExecutionFailed: a bad pointer names the call and the range', () => {
    const e = failure(ExecutionFailed, () => runSandboxed(G.BAD_POINTER, ''));
    expect(e.cause).toBeInstanceOf(GuestAbiError);
    const cause = e.cause as GuestAbiError;
    expect(cause.call).toBe('host_write_output');
    expect(cause.range).toEqual({ ptr: 65530, len: 100, memoryBytes: 65536 });
    expect(e.message).toBe(
      'run: host_write_output(ptr=65530, len=100): range [65530, 65630) is outside the guest memory of 65536 bytes',
    );
  });

  test('ExecutionFailed: a negative length is read as unsigned and rejected', () => {
    const e = failure(ExecutionFailed, () => runSandboxed(G.NEGATIVE_LEN, ''));
    expect(e.message).toContain('host_log(ptr=0, len=4294967295)');
    expect(e.message).toContain('length -1 read as unsigned');
  });

  test('ExecutionFailed: host_read_input into a range past the end', () => {
    const e = failure(ExecutionFailed, () => runSandboxed(G.BAD_READ, 'data'));
    expect(e.message).toContain('host_read_input(ptr=65536, len=1)');
  });

  test('ExecutionFailed: host I/O without a memory', () => {
    const e = failure(ExecutionFailed, () => runSandboxed(G.NO_MEMORY, ''));
    expect(e.message).toContain('host_log: the guest has no linear memory');
  });

  test('ExecutionFailed: output limit', () => {
    expect(runSandboxed(G.WRITE_N, 'x'.repeat(100), { maxOutputBytes: 100 }).output.length).toBe(100);
    const e = failure(ExecutionFailed, () => runSandboxed(G.WRITE_N, 'x'.repeat(101), { maxOutputBytes: 100 }));
    expect(e.message).toContain('output would exceed the limit of 100 bytes');
  });

  test('SandboxOutOfFuel: an infinite loop under a budget (cause: the core OutOfFuel)', () => {
    const e = failure(SandboxOutOfFuel, () => runSandboxed(G.LOOP_FOREVER, '', { fuel: 10_000 }));
    expect(e.kind).toBe('OutOfFuel');
    expect(e.budget).toBe(10_000);
    expect(e.consumed).toBeLessThanOrEqual(10_000);
    expect(e.consumed).toBeGreaterThan(9_990);
    expect(e.cause).toBeInstanceOf(OutOfFuel);
    expect(e.report!.fuelConsumed).toBe(e.consumed);
  });

  test('SandboxOutOfFuel: the budget runs out before the deadline', () => {
    const e = failure(SandboxOutOfFuel, () => runSandboxed(G.LOOP_FOREVER, '', { fuel: 50_000, timeoutMs: 60_000, fuelSlice: 1000 }));
    expect(e.consumed).toBeLessThanOrEqual(50_000);
    expect(e.consumed).toBeGreaterThan(49_990);
  });

  test('SandboxOutOfFuel: in the start function', () => {
    const e = failure(SandboxOutOfFuel, () => runSandboxed(G.START_LOOPS, '', { fuel: 1000 }));
    expect(e.consumed).toBeLessThanOrEqual(1000);
  });

  test('a failure in the start function still reports its output and fuel', () => {
    const e = failure(SandboxOutOfFuel, () => runSandboxed(G.START_WRITES_THEN_LOOPS, '', { fuel: 1000 }));
    expect(text(e.report!.output)).toBe('start;');
    expect(e.report!.fuelConsumed).toBe(e.consumed);
    const t = failure(Timeout, () => runSandboxed(G.START_WRITES_THEN_LOOPS, '', { timeoutMs: 20 }));
    expect(text(t.report!.output)).toBe('start;');
    expect(t.elapsedMs).toBeGreaterThanOrEqual(20);
  });

  test('Timeout: an infinite loop without a budget', () => {
    const t0 = performance.now();
    const e = failure(Timeout, () => runSandboxed(G.LOOP_FOREVER, '', { timeoutMs: 50 }));
    const wall = performance.now() - t0;
    expect(e.kind).toBe('Timeout');
    expect(e.timeoutMs).toBe(50);
    expect(e.elapsedMs).toBeGreaterThanOrEqual(50);
    expect(wall).toBeLessThan(2000);
    expect(e.cause).toBeInstanceOf(OutOfFuel);
    expect(e.report!.fuelConsumed).toBeGreaterThan(0);
  });

  test('Timeout: an absolute deadline, and in the start function', () => {
    const e = failure(Timeout, () => runSandboxed(G.LOOP_FOREVER, '', { deadline: Date.now() + 30 }));
    expect(e.elapsedMs).toBeGreaterThanOrEqual(20);
    failure(Timeout, () => runSandboxed(G.START_LOOPS, '', { timeoutMs: 30 }));
  });

  test('OutOfMemory: initial memory above the limit', () => {
    const e = failure(OutOfMemory, () => runSandboxed(G.BIG_MEMORY, '', { maxMemoryBytes: 4 * 65536 }));
    expect(e.kind).toBe('OutOfMemory');
    expect(e.limitBytes).toBe(4 * 65536);
    expect(e.requestedBytes).toBe(16 * 65536);
  });

  test('OutOfMemory: grows past the limit, then traps (cause: the Trap)', () => {
    const e = failure(OutOfMemory, () => runSandboxed(G.GROW_UNTIL_REFUSED, '', { maxMemoryBytes: 4 * 65536 }));
    expect(e.cause).toBeInstanceOf(Trap);
    expect(e.limitBytes).toBe(4 * 65536);
    expect(e.requestedBytes).toBe(5 * 65536);
    expect(e.report!.memoryPeakBytes).toBe(4 * 65536);
    expect(e.message).toContain('unreachable');
  });

  test('OutOfMemory: memoryGrowFailure "trap" stops at the refused grow', () => {
    const e = failure(OutOfMemory, () =>
      runSandboxed(G.GROW_HANDLED, '', { maxMemoryBytes: 2 * 65536, memoryGrowFailure: 'trap' }),
    );
    expect(e.cause).toBeUndefined();
    expect(e.message).toContain('memory.grow by 4 page(s) refused');
    expect(e.report!.output.length).toBe(0);
  });

  test('without a memory limit the growing guest is stopped by its fuel budget', () => {
    const e = failure(SandboxOutOfFuel, () => runSandboxed(G.GROW_UNTIL_REFUSED, '', { fuel: 200 }));
    expect(e.report!.memoryPeakBytes).toBeGreaterThan(65536);
  });

  test('trySandboxed returns the typed error', () => {
    const r = trySandboxed(G.LOOP_FOREVER, '', { fuel: 100 });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toBeInstanceOf(SandboxOutOfFuel);
      expect(r.error).toBeInstanceOf(SandboxError);
    }
  });

  test('the call-depth limit is ExecutionFailed (a trap), not OutOfMemory', () => {
    const deep = `(module (func $f (export "run") (call $f)))`;
    const e = failure(ExecutionFailed, () => runSandboxed(deep, '', { limits: { maxCallDepth: 100 } }));
    expect(e.message).toContain('call stack exhausted');
    expect(e.cause).toBeInstanceOf(Trap);
  });
});

describe('Sandbox: long-lived', () => {
  test('state persists between calls; the budget is shared; out of fuel stops it for good', () => {
    const sb = createSandbox(`(module (global $n (mut i32) (i32.const 0))
      (func (export "inc") (result i32) (local i32) (global.set $n (i32.add (global.get $n) (i32.const 1))) (global.get $n))
      (func (export "spin") (loop $l (br $l))))`, { fuel: 5000 });
    expect(sb.call('inc')).toEqual([1]);
    expect(sb.call('inc')).toEqual([2]);
    const used = sb.fuelConsumed;
    expect(used).toBeGreaterThan(0);
    failure(SandboxOutOfFuel, () => sb.call('spin'));
    expect(sb.stopped).toBeInstanceOf(SandboxOutOfFuel);
    const e = failure(ExecutionFailed, () => sb.call('inc'));
    expect(e.message).toContain('stopped by an earlier OutOfFuel');
  });

  test('the timeout applies to each call', () => {
    const sb = createSandbox(`(module (func (export "quick") (result i32) (i32.const 1)) (func (export "spin") (loop $l (br $l))))`, {
      timeoutMs: 40,
    });
    expect(sb.call('quick')).toEqual([1]);
    failure(Timeout, () => sb.call('spin'));
  });

  test('calling a missing export or with the wrong arity → ExecutionFailed', () => {
    const sb = createSandbox(G.ANSWER);
    expect(failure(ExecutionFailed, () => sb.call('nope')).message).toContain(`'nope'`);
    expect(failure(ExecutionFailed, () => sb.call('run', 1)).message).toContain('takes 0 argument(s), got 1');
  });

  test('a trap does not stop the sandbox', () => {
    const sb = createSandbox(`(module (func (export "div") (param i32) (result i32) (i32.div_u (i32.const 10) (local.get 0))))`);
    failure(ExecutionFailed, () => sb.call('div', 0));
    expect(sb.call('div', 5)).toEqual([2]);
  });
});
