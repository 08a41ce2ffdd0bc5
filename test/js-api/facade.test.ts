/**
 * The facade's own mechanisms beyond the official tests: one store per namespace (fuel, limits, typed causes),
 * memory growth detaching buffers for the core API too (and the engine's views following), JS exception
 * identity through wasm, wasm functions passed between instances staying wasm calls.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it, vi } from 'vitest';
import { createWebAssembly, Module, OutOfFuel, ResourceLimitError, Store, watToBinary } from '../../src/index.js';
import { WebAssembly as DefaultWebAssembly } from '../../src/facade/index.js';

const wasm = (src: string): Uint8Array<ArrayBuffer> => watToBinary(src) as Uint8Array<ArrayBuffer>;

const LOOP = wasm(`(module (func (export "spin") (loop $l (br $l))) (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))`);

describe('createWebAssembly', () => {
  it('runs everything of a namespace in one metered store; running out is a RuntimeError carrying OutOfFuel', () => {
    const WA = createWebAssembly({ fuel: 10_000 });
    const { exports } = new WA.Instance(new WA.Module(LOOP)) as { exports: Record<string, (...a: number[]) => unknown> };
    expect(exports.add!(2, 3)).toBe(5);
    let err: unknown;
    try {
      exports.spin!();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WA.RuntimeError);
    expect((err as Error).cause).toBeInstanceOf(OutOfFuel);
    expect(WA.store.fuelConsumed).toBe(10_000);
    // the stopped call was dropped: the store takes new calls once it has fuel again
    WA.store.addFuel(100);
    expect(exports.add!(1, 1)).toBe(2);
  });

  it('an exported function converts its arguments in place: extra ones ignored, missing ones undefined, the caller\'s array untouched', () => {
    // (the wrapper writes the converted values into its rest array, BENCHMARKS.md session 18, helper heap14)
    const WA = createWebAssembly();
    const m = new WA.Module(wasm(`(module (func (export "mix") (param i32 i64 f64) (result f64)
      (f64.add (f64.add (f64.convert_i32_s (local.get 0)) (f64.convert_i64_s (local.get 1))) (local.get 2))))`));
    const mix = (new WA.Instance(m).exports as Record<string, (...a: unknown[]) => unknown>).mix!;
    const args: unknown[] = [1.9, 5n, '2.5', 'extra', {}];
    expect(mix(...args)).toBe(8.5);
    expect(mix.apply(null, args)).toBe(8.5);
    expect(args).toEqual([1.9, 5n, '2.5', 'extra', {}]);
    expect(mix(-3, -4n)).toBeNaN();
    expect(() => mix(1)).toThrow(TypeError);
    expect(mix(2 ** 32 + 7, 2n ** 64n + 1n, 0.25)).toBe(8.25);
  });

  it('a store limit is a RuntimeError carrying ResourceLimitError', () => {
    const WA = createWebAssembly({ limits: { maxMemoryBytes: 65536 } });
    const m = new WA.Module(wasm('(module (memory 2))'));
    let err: unknown;
    try {
      new WA.Instance(m);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WA.RuntimeError);
    expect((err as Error).cause).toBeInstanceOf(ResourceLimitError);
  });

  it('the default namespace is unmetered and counts fuel', () => {
    const before = DefaultWebAssembly.store.fuelConsumed;
    const { exports } = new DefaultWebAssembly.Instance(new DefaultWebAssembly.Module(LOOP)) as { exports: Record<string, (...a: number[]) => unknown> };
    exports.add!(1, 2);
    expect(DefaultWebAssembly.store.fuelRemaining).toBe(Infinity);
    expect(DefaultWebAssembly.store.fuelConsumed).toBeGreaterThan(before);
  });

  it('a JS exception thrown through wasm keeps its identity; wasm can catch it (catch_all) and carry on', () => {
    const WA = createWebAssembly();
    const thrown = { mine: true };
    const m = new WA.Module(
      wasm(`(module (import "js" "f" (func $f))
        (func (export "through") (call $f))
        (func (export "caught") (result i32) (block $h (try_table (catch_all $h) (call $f)) (return (i32.const 0))) (i32.const 1)))`),
    );
    const { exports } = new WA.Instance(m, { js: { f: () => { throw thrown; } } }) as { exports: Record<string, () => unknown> };
    let err: unknown;
    try {
      exports.through!();
    } catch (e) {
      err = e;
    }
    expect(err).toBe(thrown);
    expect(exports.caught!()).toBe(1);
  });

  it('a wasm function imported into another instance stays a wasm call (no host-call fuel, same function object)', () => {
    const WA = createWebAssembly({ profile: true });
    const a = new WA.Instance(new WA.Module(LOOP)) as { exports: Record<string, Function> };
    const b = new WA.Instance(
      new WA.Module(wasm(`(module (import "a" "add" (func $add (param i32 i32) (result i32))) (export "add" (func $add)) (func (export "twice") (param i32) (result i32) (call $add (local.get 0) (local.get 0))))`)),
      { a: { add: a.exports.add! } },
    ) as { exports: Record<string, Function> };
    expect(b.exports.add).toBe(a.exports.add);
    expect(b.exports.twice!(21)).toBe(42);
    const names = (WA.store.profile() ?? []).map((p) => p.name);
    expect(names.some((n) => n.includes('a.add'))).toBe(false);
  });
});

describe('memory growth detaches the old ArrayBuffer (core API)', () => {
  const SRC = `(module (import "h" "grow" (func $grow (param i32)))
    (memory (export "mem") 1)
    (func (export "run") (result i32)
      (i32.store (i32.const 8) (i32.const 41))
      (call $grow (i32.const 2))
      (i32.store (i32.const 131072) (i32.const 7))
      (i32.add (i32.load (i32.const 8)) (i32.load (i32.const 131072))))
    (func (export "g") (param i32) (result i32) (memory.grow (local.get 0))))`;

  for (const tier of ['interp', 'js'] as const) {
    it(`host growth mid-call: the ${tier} tier reads and writes the new buffer, the old one is detached`, () => {
      const store = new Store({ tier });
      const module = Module.fromWat(SRC);
      let old: ArrayBuffer | null = null;
      let calls = 0;
      const grow = store.func({ kind: 0, params: [0x7f], results: [] }, (caller, n: number) => {
        const m = caller.memory()!;
        old = m.buffer;
        expect(m.grow(n)).toBe(1 + 2 * calls++);
      });
      const inst = store.instantiate(module, [grow]);
      for (let i = 0; i < 3; i++) inst.call('run'); // (the JS tier takes over after the first calls)
      const mem = inst.memory('mem')!;
      expect(old!.byteLength).toBe(0); // detached
      expect(mem.buffer.byteLength).toBe(7 * 65536);
      expect(mem.readI32(8)).toBe(41);
      expect(mem.readI32(131072)).toBe(7);
    });
  }

  it('memory.grow from wasm detaches; grow(0) keeps the buffer', () => {
    const store = new Store();
    const inst = store.instantiate(Module.fromWat(SRC), [store.func({ kind: 0, params: [0x7f], results: [] }, () => {})]);
    const mem = inst.memory('mem')!;
    const before = mem.buffer;
    new Uint8Array(before)[5] = 9;
    expect(inst.call('g', 0)).toEqual([1]);
    expect(mem.buffer).toBe(before);
    expect(inst.call('g', 1)).toEqual([1]);
    expect(before.byteLength).toBe(0);
    expect(new Uint8Array(mem.buffer)[5]).toBe(9);
  });
});

describe('implementation limits', () => {
  it("a section's count beyond a limit is a CompileError before the module is read; at the limit the decoder decides", () => {
    const WA = createWebAssembly();
    const head = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0];
    // an element section claiming 10,000,001 segments (u32 0x989681) with none in it
    const over = new Uint8Array([...head, 9, 4, 0x81, 0xad, 0xe2, 0x04]);
    expect(() => new WA.Module(over)).toThrow(/element segments: 10000001 exceeds the limit of 10000000/);
    expect(WA.validate(over)).toBe(false);
    // 10,000,000 claimed and none there: malformed, which the decoder reports
    const at = new Uint8Array([...head, 9, 4, 0x80, 0xad, 0xe2, 0x04]);
    expect(() => new WA.Module(at)).toThrow(WA.CompileError);
    expect(() => new WA.Module(at)).not.toThrow(/exceeds the limit/);
    // a function section of 1,000,001 (0xf4241)
    expect(() => new WA.Module(new Uint8Array([...head, 3, 3, 0xc1, 0x84, 0x3d]))).toThrow(/functions: 1000001 exceeds the limit/);
  });
});

describe('recently compiled modules (the same bytes are decoded and validated once)', () => {
  const A = wasm('(module (func (export "a")))');
  const B = wasm('(module (func (export "b")))');
  const names = (WA: ReturnType<typeof createWebAssembly>, m: unknown): string[] => WA.Module.exports(m as WebAssembly.Module).map((e) => e.name);
  /** new WA.Module with compile options (the JS String Builtins' second argument, which lib.dom.d.ts lacks). */
  const withOptions = (WA: ReturnType<typeof createWebAssembly>, bytes: Uint8Array, options: object): WebAssembly.Module =>
    new (WA.Module as unknown as new (b: Uint8Array, o: object) => WebAssembly.Module)(bytes, options);

  it('validate then new Module of one buffer compile it once, compile then instantiate too; other bytes, places or options do not share', async () => {
    const WA = createWebAssembly();
    const spy = vi.spyOn(Module, 'fromBinary');
    try {
      const buf = new Uint8Array(128);
      buf.set(A, 8);
      const view = buf.subarray(8, 8 + A.length);
      expect(WA.validate(view)).toBe(true);
      const m1 = new WA.Module(view);
      expect(spy).toHaveBeenCalledTimes(1);
      // (an entry is taken once)
      const m2 = await WA.compile(new Uint8Array(buf.buffer, 8, A.length));
      expect(spy).toHaveBeenCalledTimes(2);
      const { module: m3 } = await WA.instantiate(view);
      expect(spy).toHaveBeenCalledTimes(2);
      expect(m1).not.toBe(m2);
      for (const m of [m1, m2, m3]) expect(names(WA, m)).toEqual(['a']);
      // the same bytes elsewhere in the buffer, or in another buffer: compiled again
      buf.set(A, 64);
      new WA.Module(buf.subarray(64, 64 + A.length));
      new WA.Module(A.slice());
      expect(spy).toHaveBeenCalledTimes(4);
      // other compile options: compiled again
      WA.validate(view);
      withOptions(WA, view, { builtins: ['js-string'] });
      expect(spy).toHaveBeenCalledTimes(6);
    } finally {
      spy.mockRestore();
    }
  });

  it('a module a Module object owns lives as long as that object, not longer; validate\'s is kept', async () => {
    // (a full collection on demand, as test/js-api/runner.test.ts takes one; a WeakRef's target made or read in this
    // job stays until the job ends, so each collection comes after a timer)
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    setFlagsFromString('--no-expose-gc');
    const collect = async (): Promise<void> => {
      await new Promise((r) => setTimeout(r, 0));
      gc();
      gc();
    };
    const WA = createWebAssembly();
    const spy = vi.spyOn(Module, 'fromBinary');
    try {
      const view = A.slice();
      // held by a live Module object: taken by the next compile of the same bytes
      const m1 = new WA.Module(view);
      await collect();
      const m2 = new WA.Module(view);
      expect(spy).toHaveBeenCalledTimes(1);
      // its Module object dropped: gone with it
      new WA.Module(view);
      expect(spy).toHaveBeenCalledTimes(2);
      await collect();
      new WA.Module(view);
      expect(spy).toHaveBeenCalledTimes(3);
      // validate's: nothing else holds it, kept for the Module that usually follows
      WA.validate(view.slice());
      const v = view.slice();
      expect(WA.validate(v)).toBe(true);
      await collect();
      new WA.Module(v);
      expect(spy).toHaveBeenCalledTimes(5);
      for (const m of [m1, m2]) expect(names(WA, m)).toEqual(['a']);
    } finally {
      spy.mockRestore();
    }
  });

  it('a buffer written to after a compile is compiled afresh, also when the options (read first) write it', () => {
    const WA = createWebAssembly();
    const buf = A.slice();
    expect(names(WA, new WA.Module(buf))).toEqual(['a']);
    buf.set(B);
    expect(names(WA, new WA.Module(buf))).toEqual(['b']);
    // the options are converted before the bytes are copied: an iterable of builtins that writes the buffer
    const builtins = { *[Symbol.iterator]() { buf.set(A); } };
    expect(names(WA, withOptions(WA, buf, { builtins }))).toEqual(['a']);
    // an invalid module is never taken for a recent valid one
    buf[buf.length - 1] = 0xff;
    expect(WA.validate(buf)).toBe(false);
    expect(() => new WA.Module(buf)).toThrow(WA.CompileError);
  });
});
