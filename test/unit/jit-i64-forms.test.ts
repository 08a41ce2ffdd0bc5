/**
 * The JS tier's written-out i64 forms against BigInt (fast-check, random and edge operands) and against the
 * interpreter (results and fuel): div/rem by constant divisors of magnitude below 2^21 (two steps of long division,
 * no helper call, no test for zero), shifts and rotations by a variable count (no helper call), and i64.mul by
 * constants with zero words or half-words (their partial products left out).
 */
import fc from 'fast-check';
import { afterEach, describe, expect, test } from 'vitest';
import { Linker, Module, Store, type Instance } from '../../src/index.js';
import { jsEval } from '../../src/jit/codegen.js';
import { i64Arb, MAX, MIN, s64, u64 } from './i64-arb.js';


const EDGES = [
  0n, 1n, -1n, 2n, -2n, MIN, MAX, MIN + 1n, MAX - 1n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, -0x80000000n,
  -0x80000001n, -0x100000000n, 2n ** 53n, 2n ** 53n + 1n, -(2n ** 53n), 0x1fffffn, 0x200000n, 0x1fffffn << 32n, 0x200000n << 32n,
  (0x200000n << 32n) - 1n, 1021n * 0xffffffffn, 1021n << 32n, (1021n << 32n) - 1n, 1000003n << 32n, -(1000003n << 32n),
  -(1000003n << 32n) - 1n, 0xfffffffffffffc03n, 0x9e3779b185ebca87n, 0xc2b2ae3d27d4eb4fn,
].map(s64);

const i64arb = i64Arb(
  EDGES,
  // a multiple of a divisor near 2^21 or 2^32, plus or minus a little (the remainder's edges)
  fc
    .tuple(fc.constantFrom(1021n, 65535n, 65536n, 1000003n, 0x1fffffn, 0xffffffffn), fc.bigInt({ min: -(2n ** 44n), max: 2n ** 44n }), fc.integer({ min: -2, max: 2 }))
    .map(([d, k, e]) => s64(d * k + BigInt(e))),
);

/** Divisors with the inline form (|d| < 2^21; d = -1 only for rem_s), and some without (the helpers, no zero test). */
const INLINE = [1n, 2n, 3n, 7n, 10n, 1021n, 65535n, 65536n, 65537n, 1000003n, 0x1fffffn];
const NEG = [-2n, -3n, -10n, -1021n, -1000003n, -0x1fffffn];
const OTHER = [0x200000n, 0xffffffffn, 0x100000000n, 0x1000000000n, -0x200000n, MIN, MAX, -1n];

const realCompile = jsEval.compile;
afterEach(() => {
  jsEval.compile = realCompile;
});

function build(wat: string, tier: 'js' | 'interp', fuel?: number): { inst: Instance; store: Store; srcs: string[] } {
  const srcs: string[] = [];
  jsEval.compile = (src) => {
    srcs.push(src);
    return realCompile(src);
  };
  const store = new Store(fuel === undefined ? { tier } : { tier, fuel });
  const inst = new Linker().instantiate(store, Module.fromWat(wat));
  return { inst, store, srcs };
}

const ops = ['div_u', 'rem_u', 'div_s', 'rem_s'] as const;
function ref(op: (typeof ops)[number], a: bigint, d: bigint): bigint {
  switch (op) {
    case 'div_u':
      return s64(u64(a) / u64(d));
    case 'rem_u':
      return s64(u64(a) % u64(d));
    case 'div_s':
      return s64(a / d);
    case 'rem_s':
      return s64(a % d);
  }
}

describe('JS tier: i64 div/rem by a constant', () => {
  const divisors = [...INLINE, ...NEG, ...OTHER];
  // one function per operation and divisor: (param i64) (result i64)
  const funcs = ops.flatMap((op) => divisors.map((d) => ({ op, d, name: `${op}_${d < 0n ? 'm' : ''}${d < 0n ? -d : d}` })));
  const wat = `(module ${funcs.map((f) => `(func (export "${f.name}") (param i64) (result i64) (i64.${f.op} (local.get 0) (i64.const ${f.d})))`).join('\n')})`;

  test('equals BigInt for random and edge dividends, signed and unsigned', () => {
    const { inst, srcs } = build(wat, 'js');
    for (const f of funcs) inst.call(f.name, 5n);
    // the inline forms call no helper; the others call it without a test for zero
    const all = srcs.join('\n');
    expect(all).not.toMatch(/=== 0\) \{ tr = \d+; break T; \}|=== 0\) throw trap/);
    const inlineNames = funcs.filter((f) => (f.d > 0n && f.d < 0x200000n) || (f.op.endsWith('_s') && f.d < 0n && f.d > -0x200000n && !(f.op === 'div_s' && f.d === -1n)));
    expect(inlineNames.length).toBe(4 * INLINE.length + 2 * NEG.length + 1);
    fc.assert(
      fc.property(i64arb, (a) => {
        for (const f of funcs) {
          if (f.op === 'div_s' && f.d === -1n && a === MIN) continue;
          expect(inst.call(f.name, a)[0]).toBe(ref(f.op, a, f.d));
        }
      }),
      { numRuns: 400 },
    );
  });

  test('the inline forms call no helper (divu64/remu64/divs64/rems64)', () => {
    for (const op of ops) {
      for (const d of [...INLINE, ...(op.endsWith('_s') ? NEG : [])]) {
        const { inst, srcs } = build(`(module (func (export "f") (param i64) (result i64) (i64.${op} (local.get 0) (i64.const ${d}))))`, 'js');
        expect(inst.call('f', -12345678901234n)[0]).toBe(ref(op, -12345678901234n, d));
        expect(srcs.join('\n')).not.toMatch(/divu64|remu64|divs64|rems64/);
      }
    }
  });

  test('traps stay: by 0, and MIN div_s -1', () => {
    const { inst } = build(
      `(module (func (export "z") (param i64) (result i64) (i64.rem_u (local.get 0) (i64.const 0)))
               (func (export "o") (param i64) (result i64) (i64.div_s (local.get 0) (i64.const -1))))`,
      'js',
    );
    expect(() => inst.call('z', 5n)).toThrow(/divide by zero/);
    expect(inst.call('o', 5n)[0]).toBe(-5n);
    expect(() => inst.call('o', MIN)).toThrow(/overflow/);
  });

  test('fuel and results equal the interpreter in a loop (hot, V8-optimised code)', () => {
    const loop = `(module (func (export "run") (param i32 i64) (result i64) (local i64)
      (loop $l
        (local.set 1 (i64.add (i64.mul (local.get 1) (i64.const 0x9e3779b97f4a7c15)) (i64.const 0x632be59bd9b4e019)))
        (local.set 2 (i64.xor (local.get 2) (i64.add (i64.add (i64.div_u (local.get 1) (i64.const 1021)) (i64.rem_u (local.get 1) (i64.const 1021)))
          (i64.add (i64.div_s (local.get 1) (i64.const -1000003)) (i64.rem_s (local.get 1) (i64.const 1000003))))))
        (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
      (local.get 2)))`;
    const js = build(loop, 'js', 1e12);
    const interp = build(loop, 'interp', 1e12);
    let x = 0x1234n;
    let acc = 0n;
    const n = 3000;
    for (let i = 0; i < n; i++) {
      x = s64(x * s64(0x9e3779b97f4a7c15n) + 0x632be59bd9b4e019n);
      acc ^= s64(ref('div_u', x, 1021n) + ref('rem_u', x, 1021n) + ref('div_s', x, -1000003n) + ref('rem_s', x, 1000003n));
    }
    for (let r = 0; r < 5; r++) {
      const f0 = js.store.fuelConsumed;
      const f1 = interp.store.fuelConsumed;
      expect(js.inst.call('run', n, 0x1234n)[0]).toBe(acc);
      expect(interp.inst.call('run', n, 0x1234n)[0]).toBe(acc);
      expect(js.store.fuelConsumed - f0).toBe(interp.store.fuelConsumed - f1);
    }
  });
});

describe('JS tier: i64 shifts and rotations by a variable count', () => {
  const sops = ['shl', 'shr_u', 'shr_s', 'rotl', 'rotr'] as const;
  function sref(op: (typeof sops)[number], a: bigint, c: bigint): bigint {
    const n = BigInt(Number(u64(c) & 63n));
    const au = u64(a);
    switch (op) {
      case 'shl':
        return s64(a << n);
      case 'shr_u':
        return s64(au >> n);
      case 'shr_s':
        return s64(a >> n);
      case 'rotl':
        return s64((au << n) | (au >> ((64n - n) % 64n)));
      case 'rotr':
        return s64((au >> n) | (au << ((64n - n) % 64n)));
    }
  }
  const wat = `(module ${sops.map((op) => `(func (export "${op}") (param i64 i64) (result i64) (i64.${op} (local.get 0) (local.get 1)))`).join('\n')})`;
  const count = fc.oneof(fc.integer({ min: 0, max: 70 }).map(BigInt), fc.bigInt({ min: MIN, max: MAX }), fc.constantFrom(0n, 31n, 32n, 33n, 63n, 64n, -1n, -32n, MIN, 0x80000000n, -0x80000000n, 0x80000020n));

  test('equal BigInt for random and edge operands and counts (counts of 64 and more, negative)', () => {
    const { inst, srcs } = build(wat, 'js');
    for (const op of sops) inst.call(op, 1n, 1n);
    expect(srcs.join('\n')).not.toMatch(/shl64|shru64|shrs64|rotl64|rotr64/);
    fc.assert(
      fc.property(i64arb, count, (a, c) => {
        for (const op of sops) expect(inst.call(op, a, c)[0]).toBe(sref(op, a, c));
      }),
      { numRuns: 3000 },
    );
  });

  test('every count 0..127 of edge values, hot', () => {
    const { inst } = build(wat, 'js');
    for (const a of EDGES) for (let c = 0n; c < 128n; c++) for (const op of sops) expect(inst.call(op, a, c)[0]).toBe(sref(op, a, c));
  });
});

describe('JS tier: i64.mul by a constant with a word or half-word 0', () => {
  const CONSTS = [0n, 1n, 3n, 1021n, 0xffffn, 0x10000n, 0x1fffffn, 0xffffffffn, 0x100000000n, 0x500000000n, 0x1234500000000n, 0x9e3779b185ebca87n, -1n, -1021n, MIN];
  const wat = `(module ${CONSTS.map((c, i) => `(func (export "m${i}") (param i64) (result i64) (i64.mul (local.get 0) (i64.const ${c})))`).join('\n')})`;

  test('equals BigInt for random and edge operands', () => {
    const { inst } = build(wat, 'js');
    fc.assert(
      fc.property(i64arb, (a) => {
        CONSTS.forEach((c, i) => expect(inst.call(`m${i}`, a)[0]).toBe(s64(a * c)));
      }),
      { numRuns: 2000 },
    );
  });
});
