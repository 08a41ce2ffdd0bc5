/** The examples of docs/abi.md, run. */
import { expect, test } from 'vitest';
import { WASI_CAT } from './guests.js';
import { CapabilityDenied, Linker, SandboxIo, Store, Module, createSandbox, runSandboxed, trySandboxed, watToBinary, type Capability } from '../../src/index.js';

const ECHO = `(module
  (import "env" "host_get_input_len" (func $len (result i32)))
  (import "env" "host_read_input" (func $read (param i32 i32) (result i32)))
  (import "env" "host_write_output" (func $write (param i32 i32)))
  (memory 1)
  (func (export "run") (local $n i32)
    (local.set $n (call $read (i32.const 0) (call $len)))
    (call $write (i32.const 0) (local.get $n))))`;

test('the echo guest under budget, memory limit and timeout', () => {
  const r = runSandboxed(ECHO, 'hello', { fuel: 10_000_000, maxMemoryBytes: 16 << 20, timeoutMs: 250 });
  expect(new TextDecoder().decode(r.output)).toBe('hello');
  expect(r.logs).toEqual([]);
  expect(r.results).toEqual([]);
  const t = trySandboxed(ECHO, 'x', { fuel: 1 });
  expect(t.ok).toBe(false);
});

test('the kv capability example: offered, granted or not', () => {
  const kv = new Map([['greeting', 'bonjour']]);
  const caps: Record<string, Capability> = {
    'env.random_u32': { params: [], results: ['i32'], fn: () => (Math.random() * 2 ** 32) | 0 },
    'kv.get': {
      params: ['i32', 'i32', 'i32'],
      results: ['i32'],
      fn(ctx, keyPtr: number, keyLen: number, outPtr: number) {
        const value = kv.get(ctx.readString(keyPtr, keyLen)) ?? '';
        const bytes = new TextEncoder().encode(value);
        ctx.write(outPtr, bytes);
        ctx.chargeFuel(bytes.length);
        return bytes.length;
      },
    },
  };
  const guest = `(module
    (import "kv" "get" (func $get (param i32 i32 i32) (result i32)))
    (import "env" "host_write_output" (func $write (param i32 i32)))
    (memory 1)
    (data (i32.const 0) "greeting")
    (func (export "run") (local $n i32)
      (local.set $n (call $get (i32.const 0) (i32.const 8) (i32.const 100)))
      (call $write (i32.const 100) (local.get $n))))`;
  const e = trySandboxed(guest, '', { capabilities: caps, allow: ['env.random_u32'] });
  expect(e.ok === false && e.error instanceof CapabilityDenied && e.error.imports[0]!.reason).toBe('not-granted');
  const plain = runSandboxed(guest, '', { capabilities: caps });
  expect(new TextDecoder().decode(plain.output)).toBe('bonjour');
  const sliced = runSandboxed(guest, '', { capabilities: caps, timeoutMs: 1000, fuelSlice: 2 });
  expect(sliced.fuelConsumed).toBe(plain.fuelConsumed);
});

test('SandboxIo with your own linker, and a long-lived sandbox', () => {
  const store = new Store();
  const logs: string[] = [];
  const io = new SandboxIo({ input: 'data', maxOutputBytes: 1 << 20, onLog: (m) => logs.push(m) });
  const inst = io.define(new Linker(), store).instantiate(store, Module.fromBinary(watToBinary(ECHO)));
  inst.call('run');
  expect(new TextDecoder().decode(io.output)).toBe('data');
  expect(logs).toEqual([]);
  const sb = createSandbox(`(module (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))`, {
    fuel: 50_000_000,
    timeoutMs: 100,
  });
  expect(sb.call('add', 2, 3)).toEqual([5]);
});

test('the execute(ptr, len) echo of the Entry section, and WASI with captured stdout', () => {
  const echo = `(module
  (import "env" "host_write_output" (func $write (param i32 i32)))
  (memory (export "memory") 1)
  (func (export "execute") (param $ptr i32) (param $len i32) (result i32)
    (call $write (local.get $ptr) (local.get $len))   ;; echo
    (local.get $len)))`;
  const r = runSandboxed(echo, 'hello', { fuel: 10_000_000 });
  expect([r.entry, new TextDecoder().decode(r.output), r.results]).toEqual(['execute', 'hello', [5]]);
  const w = runSandboxed(WASI_CAT, 'stdin text', { fuel: 1e9, wasi: { args: ['prog'], seed: 1 } });
  expect([new TextDecoder().decode(w.stdout), w.stderr.length, w.exitCode]).toEqual(['stdin text', 0, 0]);
});
