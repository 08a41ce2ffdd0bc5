/**
 * i64 representation micro-benchmark: two int32 halves in an Int32Array (the
 * representation wasmeter uses) vs BigInt64Array + BigInt arithmetic.
 * Each case runs one operation over 1024 pre-generated operand pairs.
 *
 * Run: npx esbuild bench/i64.bench.ts --bundle --packages=external --platform=node --format=esm \
 *        --outfile=node_modules/.cache/i64.bench.mjs && node node_modules/.cache/i64.bench.mjs
 */
import b from 'benny';
import * as I64 from '../src/interp/numeric/i64.js';

const N = 1024;
const halves = new Int32Array(6 * N); // a at 0.., b at 2N.., out at 4N..
const A = 0;
const B = 2 * N;
const O = 4 * N;
const big = new BigInt64Array(3 * N); // a at 0.., b at N.., out at 2N..

let seed = 0x12345678;
function rnd(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) | 0;
  return seed;
}
for (let i = 0; i < 2 * N; i++) {
  const lo = rnd();
  const hi = rnd();
  const at = i < N ? A + 2 * i : B + 2 * (i - N);
  halves[at] = lo;
  halves[at + 1] = hi;
  big[i] = (BigInt(hi) << 32n) | BigInt(lo >>> 0);
}

let sink = 0;

// Each case is its own function with a direct call, so every call site stays
// monomorphic and V8 can inline the helper (a shared closure calling `op`
// would turn megamorphic and measure call overhead instead).
const suites: [string, () => void, () => void][] = [
  [
    'add',
    () => {
      for (let i = 0; i < N; i++) I64.add(halves, O + 2 * i, A + 2 * i, B + 2 * i);
    },
    () => {
      for (let i = 0; i < N; i++) big[2 * N + i] = big[i]! + big[N + i]!;
    },
  ],
  [
    'mul',
    () => {
      for (let i = 0; i < N; i++) I64.mul(halves, O + 2 * i, A + 2 * i, B + 2 * i);
    },
    () => {
      for (let i = 0; i < N; i++) big[2 * N + i] = big[i]! * big[N + i]!;
    },
  ],
  [
    'shl',
    () => {
      for (let i = 0; i < N; i++) I64.shl(halves, O + 2 * i, A + 2 * i, B + 2 * i);
    },
    () => {
      for (let i = 0; i < N; i++) big[2 * N + i] = big[i]! << (big[N + i]! & 63n);
    },
  ],
  [
    'lt_s',
    () => {
      let s = 0;
      for (let i = 0; i < N; i++) s += I64.lt_s(halves, A + 2 * i, B + 2 * i);
      sink += s;
    },
    () => {
      let s = 0;
      for (let i = 0; i < N; i++) s += big[i]! < big[N + i]! ? 1 : 0;
      sink += s;
    },
  ],
  [
    // crossing the i32 <-> i64 boundary (i64.extend_i32_s, i64.add, i32.wrap_i64),
    // as loop counters and address arithmetic do constantly
    'extend+add+wrap',
    () => {
      let s = 0;
      for (let i = 0; i < N; i++) {
        I64.extend_i32_s(halves, O + 2 * i, halves[A + 2 * i]!);
        I64.add(halves, O + 2 * i, O + 2 * i, B + 2 * i);
        s = (s + I64.wrap(halves, O + 2 * i)) | 0;
      }
      sink += s;
    },
    () => {
      let s = 0;
      for (let i = 0; i < N; i++) {
        const x = Number(BigInt.asIntN(32, big[i]!)); // an i32 operand
        big[2 * N + i] = BigInt(x) + big[N + i]!;
        s = (s + Number(BigInt.asIntN(32, big[2 * N + i]!))) | 0;
      }
      sink += s;
    },
  ],
];

const results: string[] = [];
for (const [name, viaHalves, viaBig] of suites) {
  await b.suite(
    `i64.${name} x${N}`,
    b.add('halves (Int32Array)', viaHalves),
    b.add('BigInt64Array + BigInt', viaBig),
    b.cycle(),
    b.complete((summary) => {
      const [h, g] = summary.results;
      if (h && g) results.push(`${name}: halves ${h.ops} ops/s, BigInt ${g.ops} ops/s, ratio ${(h.ops / g.ops).toFixed(1)}x`);
    }),
  );
}
console.log('\n' + results.join('\n'));
if (sink === -1) console.log(sink);
