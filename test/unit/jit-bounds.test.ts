/**
 * The JS tier's bounds checks (the DataView's own, each access's trap in the function's catch: codegen.ts
 * implicitTraps; v128 accesses `ea > ML16`, gen-memory.ts oob) at the edges:
 * every access size at the last address in bounds and the first one out, with and without a
 * memarg offset, addresses near 2^32, a memory shorter than the access (ML - n negative), and
 * after memory.grow (the limits are reloaded with the views). Same results, traps and fuel as
 * the interpreter.
 */
import { describe, expect, test } from 'vitest';
import { HostError, Trap } from '../../src/core/errors.js';
import { I32, Linker, Module, Store, WasmFunc, funcType } from '../../src/index.js';
import { isOob } from '../../src/jit/rt.js';
import { captureSources } from '../shared/jit-sources.js';

type Tier = 'js' | 'interp';

const ACCESSES: [string, number, string][] = [
  ['i32.load8_u', 1, 'i32'],
  ['i32.load16_s', 2, 'i32'],
  ['i32.load', 4, 'i32'],
  ['f32.load', 4, 'f32'],
  ['i64.load', 8, 'i64'],
  ['f64.load', 8, 'f64'],
  ['i64.load32_u', 4, 'i64'],
];
const STORES: [string, number, string][] = [
  ['i32.store8', 1, 'i32'],
  ['i64.store16', 2, 'i64'],
  ['f32.store', 4, 'f32'],
  ['i64.store', 8, 'i64'],
];

function wat(pages: number): string {
  const loads = ACCESSES.map(([op, , t], i) => `(func (export "l${i}") (param i32) (result ${t}) (${op} (local.get 0)))
    (func (export "lo${i}") (param i32) (result ${t}) (${op} offset=100 (local.get 0)))`);
  const stores = STORES.map(([op, , t], i) => `(func (export "s${i}") (param i32) (${op} offset=3 (local.get 0) (${t}.const 1)))`);
  return `(module (memory ${pages})
    ${loads.join('\n    ')}
    ${stores.join('\n    ')}
    (func (export "v") (param i32) (result i32) (i32x4.extract_lane 3 (v128.load (local.get 0))))
    (func (export "vs") (param i32) (v128.store offset=1 (local.get 0) (v128.const i32x4 1 2 3 4)))
    ;; grows by one page, then reads at the address: the limits follow the new length
    (func (export "grow") (param i32) (result i32) (drop (memory.grow (i32.const 1))) (i32.load (local.get 0))))`;
}

function run(tier: Tier, pages: number, calls: [string, number][]): unknown[] {
  const store = new Store({ tier, fuel: 1e9 });
  const inst = new Linker().instantiate(store, Module.fromWat(wat(pages)));
  const out: unknown[] = [];
  for (const [name, arg] of calls) {
    try {
      const r = inst.call(name, arg)[0];
      out.push(typeof r === 'number' && Number.isNaN(r) ? 'NaN' : r);
    } catch (e) {
      if (!(e instanceof Trap)) throw e;
      out.push(`trap: ${e.message}`);
    }
    out.push(store.fuelConsumed);
  }
  if (tier === 'js') {
    for (const name of new Set(calls.map((c) => c[0]))) {
      const f = inst.getExport(name);
      expect(f instanceof WasmFunc && f.jitState, name).toBe(1);
    }
  }
  return out;
}

/** The generated source of export `name` of the module `wat` (jsEval.compile sees it). */
function sourcesOf(wat: string, name: string): string {
  const { srcs } = captureSources(() => {
    try {
      new Linker().instantiate(new Store({ tier: 'js', fuel: 1e9 }), Module.fromWat(wat)).call(name);
    } catch (e) {
      if (!(e instanceof Trap)) throw e;
    }
  });
  // (a second one when the call trapped: oobTrapped)
  expect(srcs.length).toBeGreaterThanOrEqual(1);
  return srcs[0]!;
}

function edges(len: number, n: number, off: number): number[] {
  const last = len - n - off;
  return [last, last + 1, last - 1, 0, -1, -n, 0x7fffffff, -off];
}

describe('JS tier: bounds checks at the edges', () => {
  for (const pages of [1, 0]) {
    test(`loads, stores and v128 of every size, memory of ${pages} page(s)`, () => {
      const len = pages * 65536;
      const calls: [string, number][] = [];
      ACCESSES.forEach(([, n], i) => {
        for (const a of edges(len, n, 0)) calls.push([`l${i}`, a]);
        for (const a of edges(len, n, 100)) calls.push([`lo${i}`, a]);
      });
      STORES.forEach(([, n], i) => {
        for (const a of edges(len, n, 3)) calls.push([`s${i}`, a]);
      });
      for (const a of edges(len, 16, 0)) calls.push(['v', a]);
      for (const a of edges(len, 16, 1)) calls.push(['vs', a]);
      // twice each, so that both tiers have run every function hot once
      const twice = [...calls, ...calls];
      const js = run('js', pages, twice);
      expect(js).toEqual(run('interp', pages, twice));
      // the last address in bounds of every size is read, the next one traps
      expect(js.filter((x) => typeof x === 'string' && x.startsWith('trap')).length).toBeGreaterThan(0);
      if (pages === 1) expect(js[0]).toBe(0);
    });
  }

  test("constant addresses: no check inside the module's declared minimum, checked past it (also after a grow)", () => {
    // (gen-memory.ts memAccess: the last constant address of each size inside one page has no check in the source)
    const fns = ACCESSES.flatMap(([op, n, t], i) => [
      `(func (export "in${i}") (result ${t}) (${op} offset=${65536 - n - 16} (i32.const 16)))`,
      `(func (export "out${i}") (result ${t}) (${op} offset=${65536 - n - 15} (i32.const 16)))`,
    ]);
    const wat = `(module (memory 1) ${fns.join(' ')} (func (export "grow") (result i32) (memory.grow (i32.const 1))))`;
    const go = (tier: Tier) => {
      const store = new Store({ tier, fuel: 1e9 });
      const inst = new Linker().instantiate(store, Module.fromWat(wat));
      const out: unknown[] = [];
      for (const round of [0, 1, 2]) {
        if (round === 2) out.push(inst.call('grow')[0]);
        for (let i = 0; i < ACCESSES.length; i++)
          for (const name of [`in${i}`, `out${i}`]) {
            try {
              const r = inst.call(name)[0];
              out.push(typeof r === 'number' && Number.isNaN(r) ? 'NaN' : r);
            } catch (e) {
              if (!(e instanceof Trap)) throw e;
              out.push(`trap: ${e.message}`);
            }
            out.push(store.fuelConsumed);
          }
      }
      return out;
    };
    const js = go('js');
    expect(js).toEqual(go('interp'));
    const traps = js.filter((x) => typeof x === 'string' && x.startsWith('trap')).length;
    // past the minimum: a trap in both rounds before the grow, none after
    expect(traps).toBe(2 * ACCESSES.length);
    const src = sourcesOf(wat, 'in2');
    expect(src).toContain('ea = 65532;');
    expect(src).not.toMatch(/ea > ML4/);
    // (past the minimum: checked by the DataView, the trap's site in tr; byte accesses too)
    expect(sourcesOf(wat, 'out2')).toMatch(/ea = 65533; tr = \d+;\n/);
    expect(sourcesOf(wat, 'out0')).toMatch(/ea = 65536; tr = \d+;\nI0 = V.getUint8\(ea\);/);
  });

  test('memory.grow reloads the limits: an address past the old end reads after the grow', () => {
    const calls: [string, number][] = [
      ['l2', 65532],
      ['l2', 65533],
      ['grow', 65533],
      ['l2', 65533],
      ['l2', 131068],
      ['l2', 131069],
      ['grow', 131069],
    ];
    const js = run('js', 1, calls);
    expect(js).toEqual(run('interp', 1, calls));
    expect(js[2]).toMatch(/^trap: out of bounds/);
    expect(js[4]).toBe(0);
    expect(js[6]).toBe(0);
  });
  // metered, unmetered, and where the block after the call costs nothing, the views and the limits are reloaded after the call
  for (const mode of ['metered', 'unmetered', 'free'] as const)
  test(`a callee's grow: the caller's views and every size's limit follow (${mode})`, () => {
    const counting = mode !== 'unmetered';
    // reads at the last address of every size of the new end before the grow (traps) and after it (reads), in one frame
    const sizes: [(a: string) => string, number][] = [
      [(a) => `(i32.load8_u ${a})`, 1],
      [(a) => `(i32.load16_u ${a})`, 2],
      [(a) => `(i32.load ${a})`, 4],
      [(a) => `(i32.wrap_i64 (i64.load ${a}))`, 8],
      [(a) => `(i32x4.extract_lane 0 (v128.load ${a}))`, 16],
    ];
    const add = (e: string) => `(local.set 2 (i32.add (local.get 2) ${e}))`;
    const wat = `(module (memory 1)
      (func $grow (drop (memory.grow (i32.const 1))))
      (func (export "f") (param i32 i32) (result i32) (local i32)
        ${sizes.map(([op, n]) => add(op(`(i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const ${n}))`))).join(' ')}
        (if (local.get 0) (then (call $grow)))
        ;; the last address of each size in the old end plus one page: out of bounds without the grow, in bounds after it
        ;; in the same frame, and the next one (bit k of the second argument for the k-th size) out of bounds
        ${sizes.map(([op, n], k) => add(op(`(i32.add (i32.and (i32.shr_u (local.get 1) (i32.const ${k})) (i32.const 1)) (i32.const ${131072 - n}))`))).join(' ')}
        (local.get 2)))`;
    const go = (tier: Tier) => {
      const store = new Store(mode === 'metered' ? { tier, fuel: 1e9 } : mode === 'free' ? { tier, fuel: 1e9, costs: { default: 0, hostCall: 0, memoryGrowPage: 0 } } : { tier, countFuel: false });
      const out: unknown[] = [];
      // (an instance per call: each starts with one page)
      for (const [grow, d] of [[0, 0], [1, 0], ...sizes.map((_, k) => [1, 1 << k])]) {
        const inst = new Linker().instantiate(store, Module.fromWat(wat));
        out.push(resultOrTrap(() => inst.call('f', grow, d)[0]));
        if (counting) out.push(store.fuelConsumed);
      }
      return out;
    };
    const { srcs, value: js } = captureSources(() => go('js'));
    expect(js).toEqual(go('interp'));
    expect(js[0]).toMatch(/^trap: out of bounds/);
    const w = counting ? 2 : 1;
    expect(js[w]).toBe(0);
    for (let k = 0; k < sizes.length; k++) expect(js[w * (2 + k)]).toMatch(/^trap: out of bounds/);
    const src = srcs.find((s) => s.includes('(memory.size)') || s.includes('ML16'))!;
    // (scalar accesses are checked by the DataView `V` itself, f32x10: only v128's limit is kept beside the views)
    expect(src).toContain('if (V !== _0.view) { V = _0.view; ML = _0.u8.length; ML16 = ML - 16; }');
  });
});

/** What `call` returns, or its trap's message as `trap: <message>`. */
function resultOrTrap(call: () => unknown): unknown {
  try {
    return call();
  } catch (e) {
    if (!(e instanceof Trap)) throw e;
    return `trap: ${e.message}`;
  }
}

/** Calls `calls` on a fresh instance of `wat` (a module) in `tier`: each result or trap message, and the fuel consumed after it. */
function outcomes(tier: Tier, wat: string | Module, calls: [string, ...number[]][], imports: Record<string, () => number> = {}): unknown[] {
  const store = new Store({ tier, fuel: 1e12 });
  const linker = new Linker();
  for (const [name, fn] of Object.entries(imports)) linker.defineFunc(store, 'env', name, funcType([], [I32]), fn);
  const inst = linker.instantiate(store, typeof wat === 'string' ? Module.fromWat(wat) : wat);
  const out: unknown[] = [];
  for (const [name, ...args] of calls) {
    try {
      out.push(inst.call(name, ...args)[0]);
    } catch (e) {
      if (!(e instanceof Trap) && !(e instanceof HostError)) throw e;
      out.push(`${e.name}: ${e.message}`);
    }
    out.push(store.fuelConsumed);
  }
  return out;
}

/** Sums the i32s from $p for $n words: traps at the word that crosses the end. */
const SUM = `(module (memory 1)
  (func (export "sum") (param $p i32) (param $n i32) (result i32) (local $s i32)
    (block $out (loop $l
      (br_if $out (i32.eqz (local.get $n)))
      (local.set $s (i32.add (local.get $s) (i32.load (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l)))
    (local.get $s)))`;

describe('JS tier: accesses the DataView checks (codegen.ts implicitTraps)', () => {
  // two accesses of one block: a load at $p, then a store at $q; either may be the one past the end
  const pair = `(module (memory 1)
    (func (export "pair") (param $p i32) (param $q i32) (result i32)
      (local $v i32)
      (local.set $v (i32.add (i32.load (local.get $p)) (i32.const 1)))
      (i64.store (local.get $q) (i64.extend_i32_u (local.get $v)))
      (i32.add (local.get $v) (i32.const 7)))
    (func (export "peek") (param i32) (result i32) (i32.load (local.get 0))))`;

  test('a trap at the second access of a pair: its own fuel (the refund of what follows it), as in the interpreter', () => {
    const calls: [string, ...number[]][] = [
      ['pair', 16, 32],
      // the load traps: nothing stored
      ['pair', 65533, 64],
      ['peek', 64],
      // the load is in bounds, the store past the end
      ['pair', 16, 65529],
      ['pair', 16, 65528],
      ['peek', 65528],
      // an i64.store whose low half fits: nothing written (the high half is written first)
      ['pair', 16, 65530],
      ['peek', 65528],
    ];
    const js = outcomes('js', pair, calls);
    expect(js).toEqual(outcomes('interp', pair, calls));
    expect(js[2]).toBe('Trap: out of bounds memory access');
    expect(js[6]).toBe('Trap: out of bounds memory access');
    expect(js[10]).toBe(1);
    expect(js[12]).toBe('Trap: out of bounds memory access');
    expect(js[14]).toBe(1);
    // the two sites trap with different fuel: the load's refund counts the store and what follows
    expect((js[3] as number) - (js[1] as number)).not.toBe((js[7] as number) - (js[5] as number));
    const { srcs } = captureSources(() => new Linker().instantiate(new Store({ tier: 'js', fuel: 1e9 }), Module.fromWat(pair)).call('pair', 0, 8));
    const src = srcs[0]!;
    expect(src).not.toMatch(/ea > ML/);
    expect(src).toMatch(/catch \(e\) \{ if \(tr === 0 \|\| !isOob\(e\)\) throw e;/);
  });

  test("in a counted loop (a site of the catch's switch), after V8 has optimized the function, at every budget", () => {
    const sum = SUM;
    const calls: [string, ...number[]][] = [];
    for (let i = 0; i < 40; i++) calls.push(['sum', 0, 16000]);
    for (const p of [65532 - 400, 65533 - 400, 65534 - 40]) calls.push(['sum', p, 200], ['sum', 0, 16000]);
    const js = outcomes('js', sum, calls);
    expect(js).toEqual(outcomes('interp', sum, calls));
    expect(js.filter((x) => x === 'Trap: out of bounds memory access').length).toBe(3);
    const { srcs } = captureSources(() => new Linker().instantiate(new Store({ tier: 'js', fuel: 1e9 }), Module.fromWat(sum)).call('sum', 0, 8));
    expect(srcs[0]).toMatch(/switch \(tr >> 5\) \{ case 0: throw trap\(mc, fuel/);
    // starved: every budget up to the trap's
    const short: [string, ...number[]][] = [['sum', 65532 - 8, 5]];
    const need = outcomes('interp', sum, short)[1] as number;
    for (let fuel = 0; fuel <= need; fuel += 3) {
      const run1 = (tier: Tier) => {
        const store = new Store({ tier, fuel });
        const inst = new Linker().instantiate(store, Module.fromWat(sum));
        try {
          return [inst.call('sum', 65532 - 8, 5)[0], store.fuelConsumed];
        } catch (e) {
          return [(e as Error).message, store.fuelConsumed];
        }
      };
      expect(run1('js'), `fuel ${fuel}`).toEqual(run1('interp'));
    }
  });

  test("a host function's RangeError is the host's failure, not a trap of the access before it", () => {
    const wat = `(module (import "env" "h" (func $h (result i32))) (memory 1)
      (func (export "f") (param i32) (result i32) (i32.add (i32.load (local.get 0)) (call $h))))`;
    const h = () => new DataView(new ArrayBuffer(0)).getInt8(0);
    const calls: [string, ...number[]][] = [['f', 8], ['f', 65533]];
    const js = outcomes('js', wat, calls, { h });
    expect(js).toEqual(outcomes('interp', wat, calls, { h }));
    expect(js[0]).toMatch(/^HostError: host function .* failed: Offset is outside the bounds of the DataView/);
    expect(js[2]).toBe('Trap: out of bounds memory access');
  });

  test("isOob: the DataView's RangeError past its end, not the JS stack's or another's", () => {
    const past = (() => {
      try {
        new DataView(new ArrayBuffer(8)).setFloat64(4, 1, true);
      } catch (e) {
        return e;
      }
    })();
    const deep = (() => {
      const down = (n: number): number => down(n + 1) + 1;
      try {
        return down(0);
      } catch (e) {
        return e;
      }
    })();
    expect(isOob(past)).toBe(true);
    expect(deep).toBeInstanceOf(RangeError);
    expect(isOob(deep)).toBe(false);
    expect(isOob(new RangeError('Offset is outside'))).toBe(false);
    expect(isOob(new TypeError((past as Error).message))).toBe(false);
  });

  test('after a trap, the function is generated again with checks of its own (oobTrapped), for later instances too', () => {
    const wat = SUM;
    const calls: [string, ...number[]][] = [['sum', 0, 100], ['sum', 65500, 100], ['sum', 0, 100], ['sum', 65500, 100], ['sum', 65400, 10]];
    const m = Module.fromWat(wat);
    const { srcs, value } = captureSources(() => {
      const js = outcomes('js', m, calls);
      // a later instance of the module, which binds what the first one made last
      return [js, outcomes('js', m, calls)];
    });
    const interp = outcomes('interp', wat, calls);
    expect(value[0]).toEqual(interp);
    expect(value[1]).toEqual(interp);
    expect(srcs.length).toBe(2);
    expect(srcs[0]).toMatch(/isOob\(e\)/);
    expect(srcs[0]).not.toMatch(/ea > ML4/);
    expect(srcs[1]).toMatch(/ea > ML4/);
    expect(srcs[1]).not.toMatch(/isOob/);
  });

  test('unaligned accesses of every size', () => {
    const wat = `(module (memory 1)
      (func (export "f") (param i32) (result f64)
        (f32.store offset=1 (local.get 0) (f32.const 1.5))
        (i64.store offset=3 (local.get 0) (i64.const 0x1122334455667788))
        (f64.add (f64.add (f64.load offset=5 (local.get 0)) (f64.convert_i32_s (i32.load offset=2 (local.get 0))))
                 (f64.add (f64.promote_f32 (f32.load offset=1 (local.get 0))) (f64.convert_i32_s (i32.load16_s offset=7 (local.get 0)))))))`;
    const calls: [string, ...number[]][] = [['f', 0], ['f', 1000], ['f', 65524], ['f', 65525]];
    const js = outcomes('js', wat, calls);
    expect(js).toEqual(outcomes('interp', wat, calls));
    expect(js[6]).toBe('Trap: out of bounds memory access');
  });
});

describe('JS tier: addresses left signed where no address past 2^31 is in bounds (gen-memory.ts memBelow2G)', () => {
  // every access kind without an offset (those are left signed) and with one, at addresses 2^31 and above (negative
  // i32s), next to a store that must not be written: a trap at the same site with the same fuel as the interpreter's
  const kinds: [string, string][] = [
    ['i32.load8_s', 'i32'], ['i32.load8_u', 'i32'], ['i32.load16_s', 'i32'], ['i32.load16_u', 'i32'], ['i32.load', 'i32'],
    ['f32.load', 'f32'], ['f64.load', 'f64'], ['i64.load', 'i64'], ['i64.load8_s', 'i64'], ['i64.load16_u', 'i64'],
    ['i64.load32_s', 'i64'], ['i64.load32_u', 'i64'],
  ];
  const stores: [string, string][] = [
    ['i32.store8', 'i32'], ['i32.store16', 'i32'], ['i32.store', 'i32'], ['f32.store', 'f32'], ['f64.store', 'f64'],
    ['i64.store', 'i64'], ['i64.store8', 'i64'], ['i64.store16', 'i64'], ['i64.store32', 'i64'],
  ];
  const mod = (limits: string) => `(module (memory ${limits})
    ${kinds.map(([op, t], i) => `(func (export "l${i}") (param i32) (result i32)
      (i32.store (i32.const 64) (i32.const 7))
      (drop (${op} (local.get 0)))
      (i32.store (i32.const 64) (i32.const 9))
      (i32.load (i32.const 64)))
    (func (export "lo${i}") (param i32) (result ${t}) (${op} offset=8 (local.get 0)))`).join('\n    ')}
    ${stores.map(([op, t], i) => `(func (export "s${i}") (param i32) (result i32)
      (${op} (local.get 0) (${t}.const -1))
      (i32.load (i32.const 0)))`).join('\n    ')}
    (func (export "peek") (param i32) (result i32) (i32.load (local.get 0))))`;
  const addrs = [-1, -2, -4, -8, -16, -2147483648, 2147483647, 65528, 65532, 65535, 0];

  for (const limits of ['1 32768', '1 2', '1'])
    test(`every access kind at addresses 2^31 and above, memory (${limits})`, () => {
      const wat = mod(limits);
      const calls: [string, ...number[]][] = [];
      for (let round = 0; round < 2; round++) {
        kinds.forEach((_, i) => {
          for (const a of addrs) calls.push([`l${i}`, a], [`lo${i}`, a]);
        });
        stores.forEach((_, i) => {
          // (what each store wrote or did not write at the start and the end of the memory)
          for (const a of addrs) calls.push([`s${i}`, a], ['peek', 65532], ['peek', 0]);
        });
      }
      const js = outcomes('js', wat, calls);
      expect(js).toEqual(outcomes('interp', wat, calls));
      expect(js.filter((x) => x === 'Trap: out of bounds memory access').length).toBeGreaterThan(addrs.length * kinds.length);
    });

  test('a memory past 2 GiB (no maximum): addresses 2^31 and above are in bounds, read and written in every kind', () => {
    // (2 GiB and a page of address space per store, untouched but for the pages written)
    const wat = `(module (memory 32769)
      ${kinds.map(([op], i) => `(func (export "r${i}") (param i32) (result i32) (drop (${op} (local.get 0))) (i32.const 1))`).join('\n      ')}
      ${stores.map(([op, t], i) => `(func (export "w${i}") (param i32) (${op} (local.get 0) (${t}.const -1)))`).join('\n      ')}
      (func (export "peek") (param i32) (result i32) (i32.load (local.get 0))))`;
    const m = Module.fromWat(wat);
    const calls: [string, ...number[]][] = [];
    // 2^31, 2^31 + 64 (stores upwards) and the last 8 bytes of the memory (stores downwards)
    for (const [a, d] of [[-2147483648, 16], [-2147483648 + 64, 16], [-2147418112 - 8, -16]] as const) {
      kinds.forEach((_, i) => calls.push([`r${i}`, a]));
      stores.forEach((_, i) => calls.push([`w${i}`, a + d * i], ['peek', a + d * i]));
    }
    calls.push(['r4', -2147418112 - 3], ['w5', -2147418112 - 4], ['peek', -2147418112 - 4]);
    const js = outcomes('js', m, calls);
    expect(js).toEqual(outcomes('interp', m, calls));
    expect(js[0]).toBe(1);
    expect(js.filter((x) => x === 'Trap: out of bounds memory access').length).toBe(2);
  });

  test('the source: the i32 itself with a maximum of at most 2 GiB, unsigned otherwise and with an offset; the high half of i64.store at -1 for a negative ea', () => {
    const gen = (wat: string, name: string) =>
      captureSources(() => new Linker().instantiate(new Store({ tier: 'js', fuel: 1e9 }), Module.fromWat(wat)).call(name, 0)).srcs[0]!;
    const src = (limits: string, name: string) => gen(mod(limits), name);
    // (l4: i32.load of the parameter, no offset)
    expect(src('1 32768', 'l4')).toMatch(/ea = L0; tr = \d+;\n/);
    expect(src('1 32769', 'l4')).toMatch(/ea = \(L0 >>> 0\); tr = \d+;\n/);
    expect(src('1', 'l4')).toMatch(/ea = \(L0 >>> 0\); tr = \d+;\n/);
    expect(src('1 32768', 'lo4')).toMatch(/ea = \(L0 >>> 0\) \+ 8; tr = \d+;\n/);
    expect(src('1 32768', 's5')).toMatch(/ea = L0; tr = \d+;\nV.setInt32\(\(ea \+ 4\) \| \(ea >> 31\), \(-1\), true\); V.setInt32\(ea, \(-1\), true\);/);
    expect(src('1 32768', 's2')).toMatch(/ea = L0; tr = \d+;\n/);
    // (custom page sizes: 2^31 pages of one byte)
    expect(gen('(module (memory 4 2147483648 (pagesize 1)) (func (export "f") (param i32) (result i32) (i32.load (local.get 0))))', 'f')).toMatch(/ea = L0; tr = \d+;\n/);
  });
});

describe("a function's views: the DataView alone (session 22, cold23)", () => {
  // memory.size, memory.fill and memory.copy read the memory's bytes array where they run (gen-memory.ts bulk,
  // codegen.ts opMemorySize): after a callee's grow, in the same frame, they see the grown memory as the interpreter does
  for (const mode of ['metered', 'unmetered'] as const)
  test(`memory.size, memory.fill and memory.copy after a callee's grow (${mode})`, () => {
    const wat = `(module (memory 1)
      (func $grow (param i32) (drop (memory.grow (local.get 0))))
      (func (export "f") (param i32 i32) (result i32) (local i32)
        (local.set 2 (memory.size))
        (call $grow (local.get 0))
        ;; a fill and a copy that end past the first page (in bounds only after the grow), then loads of what they wrote
        (memory.fill (i32.const 65530) (i32.const 7) (local.get 1))
        (memory.copy (i32.const 65540) (i32.const 65530) (local.get 1))
        (i32.add (i32.add (i32.mul (local.get 2) (i32.const 1000)) (i32.mul (memory.size) (i32.const 100)))
          (i32.add (i32.load8_u (i32.const 65545)) (i32.load8_u (i32.const 65529)))))
      (func (export "g") (result i32) (memory.size)))`;
    const go = (tier: Tier) => {
      const store = new Store(mode === 'metered' ? { tier, fuel: 1e9 } : { tier, countFuel: false });
      const out: unknown[] = [];
      // (an instance per call: each starts with one page)
      for (const [grow, n] of [[0, 4], [0, 0], [1, 20], [2, 70000], [1, 65532], [1, 65533]]) {
        const inst = new Linker().instantiate(store, Module.fromWat(wat));
        out.push(resultOrTrap(() => inst.call('f', grow, n)[0]));
        out.push(inst.call('g')[0]);
        if (mode === 'metered') out.push(store.fuelConsumed);
      }
      return out;
    };
    const { srcs, value: js } = captureSources(() => go('js'));
    expect(js).toEqual(go('interp'));
    const w = mode === 'metered' ? 3 : 2;
    // one page: the copy's end is past it; two: in bounds up to the copy's last byte at the end; three: the fill's
    // bytes copied past the second page
    for (const k of [0, 1, 5]) expect(js[k * w]).toMatch(/^trap: out of bounds/);
    expect([js[2 * w], js[3 * w], js[4 * w]]).toEqual([1207, 1307, 1207]);
    expect([js[1], js[w + 1], js[2 * w + 1], js[3 * w + 1], js[5 * w + 1]]).toEqual([1, 1, 2, 3, 2]);
    const src = srcs.find((s) => s.includes('copyWithin'))!;
    expect(src).toContain('if (V !== _0.view) V = _0.view;');
    expect(src).toContain('var V = _0.view;');
    expect(src).not.toMatch(/\bU8\b|\bML\b/);
  });
});
