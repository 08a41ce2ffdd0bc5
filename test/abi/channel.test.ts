import { describe, expect, test } from 'vitest';
import {
  ExecutionFailed,
  GuestAbiError,
  GuestChannel,
  InvalidJson,
  Linker,
  Module,
  OutOfFuel,
  SandboxHostError,
  SandboxOutOfFuel,
  Store,
  createSandbox,
  defineChannelImports,
  watToBinary,
  type Instance,
} from '../../src/index.js';
import * as G from './guests.js';
import { failure, text } from './helpers.js';

const MOD = Module.fromBinary(watToBinary(G.JSON_GUEST(true)));

function instance(store = new Store()): Instance {
  return defineChannelImports(new Linker(), store).instantiate(store, MOD);
}

describe('GuestChannel on an Instance', () => {
  test('JSON mode: replies come back from send and through onMessage; state persists', () => {
    const inst = instance();
    const seen: unknown[] = [];
    const ch = new GuestChannel(inst, { mode: 'json', onMessage: (m) => seen.push(m) });
    expect(ch.send({ hello: 'world' })).toEqual([[1, { hello: 'world' }], 'ok']);
    expect(ch.send(['again', 2])).toEqual([[2, ['again', 2]], 'ok']);
    expect(seen).toEqual([[1, { hello: 'world' }], 'ok', [2, ['again', 2]], 'ok']);
    expect(ch.received).toEqual(seen);
    expect(inst.global('count')).toBe(2);
    expect(inst.global('frees')).toBe(2); // each message buffer freed after on_message
  });

  test('bytes mode: Uint8Array or string in, Uint8Array out', () => {
    const ch = new GuestChannel(instance());
    const [a, b] = ch.send('abc');
    expect(a).toBeInstanceOf(Uint8Array);
    expect(text(a!)).toBe('[1,abc]');
    expect(text(b!)).toBe('"ok"');
    expect(text(ch.send(new Uint8Array([120, 121]))[0]!)).toBe('[2,xy]');
    expect(() => ch.send(42 as unknown as string)).toThrow(TypeError);
  });

  test('channels of two instances of one linker stay apart', () => {
    const store = new Store();
    const linker = defineChannelImports(new Linker(), store);
    const a = new GuestChannel(linker.instantiate(store, MOD), { mode: 'json' });
    const b = new GuestChannel(linker.instantiate(store, MOD), { mode: 'json' });
    expect(a.send('a1')[0]).toEqual([1, 'a1']);
    expect(a.send('a2')[0]).toEqual([2, 'a2']);
    expect(b.send('b1')[0]).toEqual([1, 'b1']);
    expect(a.received).toHaveLength(4);
    expect(b.received).toHaveLength(2);
  });

  test('invalid JSON from host_send in JSON mode → InvalidJson', () => {
    const ch = new GuestChannel(instance(), { mode: 'json' });
    const e = failure(InvalidJson, () => ch.send(7));
    expect(e.text).toBe('{oops');
    expect(e.message).toContain('host_send');
    // in bytes mode the same bytes are just bytes
    expect(text(new GuestChannel(instance()).send('7')[0]!)).toBe('{oops');
  });

  test('a bad pointer passed to host_send → ExecutionFailed naming the call and range', () => {
    const ch = new GuestChannel(instance(), { mode: 'json' });
    const e = failure(ExecutionFailed, () => ch.send(8));
    expect(e.cause).toBeInstanceOf(GuestAbiError);
    expect(e.message).toBe(
      'GuestChannel.send: on_message: host_send(ptr=200000, len=8): range [200000, 200008) is outside the guest memory of 131072 bytes',
    );
  });

  test('an onMessage callback that throws → SandboxHostError with its error', () => {
    const boom = new RangeError('queue full');
    const ch = new GuestChannel(instance(), {
      mode: 'json',
      onMessage: () => {
        throw boom;
      },
    });
    const e = failure(SandboxHostError, () => ch.send(1));
    expect(e.cause).toBe(boom);
  });

  test('host_send with no channel attached, and after close', () => {
    const inst = instance();
    expect(() => inst.call('on_message', 0, 1)).toThrow(/no GuestChannel is attached/);
    const ch = new GuestChannel(inst);
    expect(ch.send('q')).toHaveLength(2);
    ch.close();
    expect(() => inst.call('on_message', 0, 1)).toThrow(GuestAbiError);
  });

  test('a guest without on_message → ExecutionFailed at construction', () => {
    const store = new Store();
    const inst = new Linker().instantiate(store, Module.fromBinary(watToBinary(G.JSON_GUEST(false))));
    expect(failure(ExecutionFailed, () => new GuestChannel(inst)).message).toContain(`'on_message'`);
  });

  test('out of fuel is resumable: resume()[0] is the list of replies', () => {
    const store = new Store({ fuel: 0 });
    const ch = new GuestChannel(instance(store), { mode: 'json' });
    let replies: unknown;
    let stops = 0;
    try {
      replies = ch.send({ x: 1 });
    } catch (e) {
      let pending = e;
      while (pending instanceof OutOfFuel) {
        stops++;
        store.addFuel(5);
        try {
          replies = pending.resume()[0];
          pending = null;
        } catch (e2) {
          pending = e2;
        }
      }
      expect(pending).toBeNull();
    }
    expect(stops).toBeGreaterThan(5);
    expect(replies).toEqual([[1, { x: 1 }], 'ok']);
    expect(ch.received).toEqual([[1, { x: 1 }], 'ok']);
  });
});

describe('GuestChannel on a Sandbox', () => {
  test('the sandbox provides host_send; budget errors are SandboxOutOfFuel', () => {
    const sb = createSandbox(G.JSON_GUEST(true), { fuel: 2_000 });
    const ch = new GuestChannel(sb, { mode: 'json' });
    expect(ch.send('first')).toEqual([[1, 'first'], 'ok']);
    let e: unknown = null;
    try {
      for (let i = 0; i < 100; i++) ch.send('x'.repeat(100));
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(SandboxOutOfFuel);
    expect(sb.fuelConsumed).toBeLessThanOrEqual(2_000);
  });

  test('host_send with no channel attached to the sandbox → ExecutionFailed', () => {
    const sb = createSandbox(G.JSON_GUEST(true));
    const e = failure(ExecutionFailed, () => sb.call('on_message', 0, 1));
    expect(e.message).toContain('host_send: no GuestChannel is attached to this sandbox');
    const ch = new GuestChannel(sb);
    expect(text(ch.send('z')[0]!)).toBe('[2,z]');
    ch.close();
    failure(ExecutionFailed, () => ch.send('z'));
  });
});
