import { describe, expect, test } from 'vitest';
import {
  ExecutionFailed,
  GuestAbiError,
  InvalidJson,
  Linker,
  Module,
  OutOfFuel,
  SandboxOutOfFuel,
  Store,
  Timeout,
  Trap,
  callJson,
  createSandbox,
  watToBinary,
  type Instance,
} from '../../src/index.js';
import * as G from './guests.js';
import { failure } from './helpers.js';

const JSON_MOD = Module.fromBinary(watToBinary(G.JSON_GUEST(false)));

function instance(store = new Store(), src: string | Module = JSON_MOD): Instance {
  const mod = typeof src === 'string' ? Module.fromBinary(watToBinary(src)) : src;
  return new Linker().instantiate(store, mod);
}

describe('callJson on an Instance', () => {
  test("the dispatch export's name is an option (oxide-k's guests export oxide_invoke)", () => {
    const oxide = G.JSON_GUEST(false).replace('(export "invoke")', '(export "oxide_invoke")');
    const inst = instance(new Store(), oxide);
    expect(callJson(inst, 'echo', { a: 1 }, { invoke: 'oxide_invoke' })).toEqual([1, { a: 1 }]);
    expect(inst.global('frees')).toBe(3);
    const e = failure(ExecutionFailed, () => callJson(inst, 'echo', 1));
    expect(e.message).toBe("callJson: the guest does not export a function 'invoke' (i32, i32, i32, i32) -> (i64)");
    // a guest exporting both: the option picks
    expect(failure(ExecutionFailed, () => callJson(instance(), 'echo', 1, { invoke: 'oxide_invoke' })).message).toContain("'oxide_invoke'");
    expect(() => callJson(inst, 'echo', 1, { invoke: '' })).toThrow(TypeError);
  });

  test('echoes JSON with a counter that persists between calls', () => {
    const inst = instance();
    expect(callJson(inst, 'echo', { a: 1, b: [true, null] })).toEqual([1, { a: 1, b: [true, null] }]);
    expect(callJson(inst, 'echo', 'second')).toEqual([2, 'second']);
    expect(callJson(inst, 'echo', 3.5)).toEqual([3, 3.5]);
    expect(inst.global('count')).toBe(3);
  });

  test('UTF-8 method names and values round-trip', () => {
    const inst = instance();
    expect(callJson(inst, 'échø', { msg: 'héllo ✓ 🦀' })).toEqual([1, { msg: 'héllo ✓ 🦀' }]);
  });

  test('frees the method, input and result buffers', () => {
    const inst = instance();
    callJson(inst, 'echo', {});
    expect(inst.global('frees')).toBe(3);
    callJson(inst, 'nothing', {});
    expect(inst.global('frees')).toBe(5); // no result buffer to free
  });

  test('a zero-length result is undefined', () => {
    expect(callJson(instance(), 'nothing', [1, 2])).toBeUndefined();
  });

  test('invalid JSON from the guest → InvalidJson with the text (buffers still freed)', () => {
    const inst = instance();
    const e = failure(InvalidJson, () => callJson(inst, 'bad', {}));
    expect(e.kind).toBe('InvalidJson');
    expect(e.text).toBe('{oops');
    expect(e.cause).toBeInstanceOf(SyntaxError);
    expect(e.message).toContain(`callJson 'bad'`);
    expect(inst.global('frees')).toBe(3);
  });

  test('a result range outside memory → ExecutionFailed naming the range', () => {
    const e = failure(ExecutionFailed, () => callJson(instance(), 'pointer', {}));
    expect(e.cause).toBeInstanceOf(GuestAbiError);
    expect(e.message).toBe(
      `callJson result of 'pointer' (ptr=131070, len=10): range [131070, 131080) is outside the guest memory of 131072 bytes`,
    );
    expect((e.cause as GuestAbiError).range).toEqual({ ptr: 131070, len: 10, memoryBytes: 131072 });
  });

  test('a trap in invoke → ExecutionFailed (cause Trap); the instance stays usable', () => {
    const inst = instance();
    const e = failure(ExecutionFailed, () => callJson(inst, 'trap', {}));
    expect(e.cause).toBeInstanceOf(Trap);
    expect(e.message).toBe('callJson: invoke trapped: unreachable');
    expect(callJson(inst, 'echo', 0)).toEqual([2, 0]);
  });

  test('missing or mistyped exports → ExecutionFailed', () => {
    const noAbi = instance(new Store(), G.ANSWER);
    expect(failure(ExecutionFailed, () => callJson(noAbi, 'x', 1)).message).toContain(`does not export a function 'alloc' (i32) -> (i32)`);
    const wrong = instance(new Store(), G.INVOKE_WRONG_TYPE);
    expect(failure(ExecutionFailed, () => callJson(wrong, 'x', 1)).message).toContain(
      `export 'invoke' has type (i32, i32) -> (i32), expected (i32, i32, i32, i32) -> (i64)`,
    );
  });

  test('alloc returning 0 or a pointer outside memory → ExecutionFailed', () => {
    expect(failure(ExecutionFailed, () => callJson(instance(new Store(), G.ALLOC_FAILS), 'm', 1)).message).toBe(
      'callJson: alloc(1) for the method name returned 0 (allocation failed)',
    );
    expect(failure(ExecutionFailed, () => callJson(instance(new Store(), G.ALLOC_OUT_OF_BOUNDS), 'm', 1)).message).toBe(
      'callJson: the method name buffer from alloc (ptr=70000, len=1): range [70000, 70001) is outside the guest memory of 65536 bytes',
    );
  });

  test('a value without a JSON form is a TypeError', () => {
    expect(() => callJson(instance(), 'echo', undefined)).toThrow(TypeError);
  });

  test('out of fuel stays resumable across the whole call: resume()[0] is the result, fuel identical', () => {
    const ref = new Store();
    const expected = callJson(instance(ref), 'echo', { k: 'v'.repeat(50) });
    const store = new Store({ fuel: 0 });
    const inst = instance(store);
    let stops = 0;
    let result: unknown;
    try {
      result = callJson(inst, 'echo', { k: 'v'.repeat(50) });
    } catch (e) {
      let pending = e;
      for (;;) {
        expect(pending).toBeInstanceOf(OutOfFuel);
        stops++;
        store.addFuel(7);
        try {
          result = (pending as OutOfFuel).resume()[0];
          break;
        } catch (e2) {
          pending = e2;
        }
      }
    }
    expect(stops).toBeGreaterThan(10);
    expect(result).toEqual(expected);
    expect(store.fuelConsumed).toBe(ref.fuelConsumed);
    expect(inst.global('frees')).toBe(3);
  });

  test('a trap after a resume is still ExecutionFailed', () => {
    const store = new Store({ fuel: 3 });
    const inst = instance(store);
    let err: unknown;
    try {
      callJson(inst, 'trap', {});
    } catch (e) {
      err = e;
      while (err instanceof OutOfFuel) {
        store.addFuel(3);
        try {
          err.resume();
          err = null;
        } catch (e2) {
          err = e2;
        }
      }
    }
    expect(err).toBeInstanceOf(ExecutionFailed);
  });
});

describe('callJson on a Sandbox', () => {
  test('works under a budget and shares its state', () => {
    const sb = createSandbox(G.JSON_GUEST(false), { fuel: 1_000_000, maxMemoryBytes: 4 * 65536 });
    expect(callJson(sb, 'echo', 'x')).toEqual([1, 'x']);
    expect(callJson(sb, 'echo', 'y')).toEqual([2, 'y']);
    expect(sb.fuelConsumed).toBeGreaterThan(0);
  });

  test('a looping method → SandboxOutOfFuel, then Timeout with a deadline', () => {
    failure(SandboxOutOfFuel, () => callJson(createSandbox(G.JSON_GUEST(false), { fuel: 10_000 }), 'loop', {}));
    failure(Timeout, () => callJson(createSandbox(G.JSON_GUEST(false), { timeoutMs: 30 }), 'loop', {}));
  });

  test('errors keep their classes through a Sandbox', () => {
    const sb = createSandbox(G.JSON_GUEST(false));
    failure(InvalidJson, () => callJson(sb, 'bad', {}));
    expect(failure(ExecutionFailed, () => callJson(sb, 'trap', {})).message).toBe('invoke trapped: unreachable');
    expect(failure(ExecutionFailed, () => callJson(sb, 'pointer', {})).cause).toBeInstanceOf(GuestAbiError);
  });
});
