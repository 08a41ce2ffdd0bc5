/**
 * Vector instructions for the MISC op. The lane semantics live in
 * ./simd/ (pure functions over the value stack's bytes); this file maps
 * instruction table entries onto them, once (loadSimd), into SIMD_EXEC: one small
 * executor per instruction table id, so running a vector instruction is an
 * array index and a call (no dispatch on names, no allocation).
 *
 * Executors receive the MISC operands: d, s0, s1, s2 are WORD offsets into
 * the value stack (a v128 fills one 4-word slot; i64/f64 scalars are lo/hi
 * words; f32 is its bits), i0..i3 the immediates of miscImmediates:
 *   memarg        [memidx, offset lo, offset hi, 0]
 *   memarg_lane   [memidx, offset lo, offset hi, lane]
 *   shuffle       the 16 lane indices as 4 little-endian words
 *   lane          [lane, 0, 0, 0]
 * The simd/ functions take BYTE offsets: word w is byte w << 2.
 */
import { Trap } from '../core/errors.js';
import { INSTRS, type InstrDef } from '../core/instructions.js';
import type { Instance } from '../runtime/objects/instance.js';
import type { Machine } from './machine.js';
import type { Memory } from '../runtime/objects/memory.js';
import * as S from './simd/index.js';
import { viewsOf, type V128Views } from './simd/views.js';

export type SimdExec = (
  mc: Machine,
  inst: Instance,
  d: number,
  s0: number,
  s1: number,
  s2: number,
  i0: number,
  i1: number,
  i2: number,
  i3: number,
) => void;

// ---------------------------------------------------------------- views of the value stack

let viewsBuf: ArrayBufferLike | null = null;
let viewsCache: V128Views = viewsOf(new ArrayBuffer(16));

/**
 * Typed views over the machine's value stack. The stack's buffer is
 * replaced when it grows (Machine.growStack), so the views are rebuilt only
 * when the buffer differs from the one they were made for.
 */
export function stackViews(mc: Machine): V128Views {
  const b = mc.buffer;
  if (b !== viewsBuf) {
    viewsBuf = b;
    viewsCache = viewsOf(b);
  }
  return viewsCache;
}

// ---------------------------------------------------------------- memory

/** Effective address of the last successful `access`. */
let EA = 0;

/**
 * Checks an n-byte access at (address operand at word w) + offset in memory
 * `memidx` (32- or 64-bit addresses); sets EA and returns the memory, or
 * traps. Addresses and offsets are exact below 2^53; anything larger is far
 * beyond any memory and still compares out of bounds.
 */
function access(mc: Machine, inst: Instance, w: number, memidx: number, offLo: number, offHi: number, n: number): Memory {
  const mem = inst.memories[memidx]!;
  const s = mc.s;
  const base = mem.type.addr === 'i64' ? (s[w]! >>> 0) + (s[w + 1]! >>> 0) * 4294967296 : s[w]! >>> 0;
  const ea = base + (offLo >>> 0) + (offHi >>> 0) * 4294967296;
  if (ea + n > mem.byteLength) throw new Trap('out of bounds memory access');
  EA = ea;
  return mem;
}

function copySlot(s: Int32Array, d: number, a: number): void {
  s[d] = s[a]!;
  s[d + 1] = s[a + 1]!;
  s[d + 2] = s[a + 2]!;
  s[d + 3] = s[a + 3]!;
}

const v128Load: SimdExec = (mc, inst, d, s0, _s1, _s2, i0, i1, i2) => {
  const dv = access(mc, inst, s0, i0, i1, i2, 16).view;
  const e = EA;
  const s = mc.s;
  s[d] = dv.getInt32(e, true);
  s[d + 1] = dv.getInt32(e + 4, true);
  s[d + 2] = dv.getInt32(e + 8, true);
  s[d + 3] = dv.getInt32(e + 12, true);
};

const v128Store: SimdExec = (mc, inst, _d, s0, s1, _s2, i0, i1, i2) => {
  const dv = access(mc, inst, s0, i0, i1, i2, 16).view;
  const e = EA;
  const s = mc.s;
  dv.setInt32(e, s[s1]!, true);
  dv.setInt32(e + 4, s[s1 + 1]!, true);
  dv.setInt32(e + 8, s[s1 + 2]!, true);
  dv.setInt32(e + 12, s[s1 + 3]!, true);
};

/** v128.loadNxM_s/u: 8 bytes into the low half, then widened in place. */
function loadExtend(widen: S.Unary): SimdExec {
  return (mc, inst, d, s0, _s1, _s2, i0, i1, i2) => {
    const dv = access(mc, inst, s0, i0, i1, i2, 8).view;
    const s = mc.s;
    s[d] = dv.getInt32(EA, true);
    s[d + 1] = dv.getInt32(EA + 4, true);
    widen(stackViews(mc), d << 2, d << 2);
  };
}

/** v128.loadN_splat. */
function loadSplat(n: number): SimdExec {
  return (mc, inst, d, s0, _s1, _s2, i0, i1, i2) => {
    const dv = access(mc, inst, s0, i0, i1, i2, n).view;
    const e = EA;
    const s = mc.s;
    switch (n) {
      case 1:
        S.i8x16_splat(stackViews(mc), d << 2, dv.getUint8(e));
        return;
      case 2:
        S.i16x8_splat(stackViews(mc), d << 2, dv.getUint16(e, true));
        return;
      case 4: {
        const x = dv.getInt32(e, true);
        s[d] = x;
        s[d + 1] = x;
        s[d + 2] = x;
        s[d + 3] = x;
        return;
      }
      default: {
        const lo = dv.getInt32(e, true);
        const hi = dv.getInt32(e + 4, true);
        s[d] = lo;
        s[d + 1] = hi;
        s[d + 2] = lo;
        s[d + 3] = hi;
      }
    }
  };
}

/** v128.load32_zero / load64_zero. */
function loadZero(n: number): SimdExec {
  return (mc, inst, d, s0, _s1, _s2, i0, i1, i2) => {
    const dv = access(mc, inst, s0, i0, i1, i2, n).view;
    const s = mc.s;
    const lo = dv.getInt32(EA, true);
    const hi = n === 8 ? dv.getInt32(EA + 4, true) : 0;
    s[d] = lo;
    s[d + 1] = hi;
    s[d + 2] = 0;
    s[d + 3] = 0;
  };
}

/** v128.loadN_lane: operands (address, vector); the vector with lane i3 replaced by the loaded value. */
function loadLane(n: number): SimdExec {
  return (mc, inst, d, s0, s1, _s2, i0, i1, i2, lane) => {
    const dv = access(mc, inst, s0, i0, i1, i2, n).view;
    const e = EA;
    const s = mc.s;
    // read memory before d (which may be the address slot) is written
    const lo = n === 1 ? dv.getUint8(e) : n === 2 ? dv.getUint16(e, true) : dv.getInt32(e, true);
    const hi = n === 8 ? dv.getInt32(e + 4, true) : 0;
    copySlot(s, d, s1);
    switch (n) {
      case 1:
        stackViews(mc).u8[(d << 2) + lane] = lo;
        return;
      case 2:
        stackViews(mc).u16[(d << 1) + lane] = lo;
        return;
      case 4:
        s[d + lane] = lo;
        return;
      default:
        s[d + 2 * lane] = lo;
        s[d + 2 * lane + 1] = hi;
    }
  };
}

/** v128.storeN_lane: operands (address, vector); stores lane i3. */
function storeLane(n: number): SimdExec {
  return (mc, inst, _d, s0, s1, _s2, i0, i1, i2, lane) => {
    const dv = access(mc, inst, s0, i0, i1, i2, n).view;
    const e = EA;
    const s = mc.s;
    switch (n) {
      case 1:
        dv.setUint8(e, stackViews(mc).u8[(s1 << 2) + lane]!);
        return;
      case 2:
        dv.setUint16(e, stackViews(mc).u16[(s1 << 1) + lane]!, true);
        return;
      case 4:
        dv.setInt32(e, s[s1 + lane]!, true);
        return;
      default:
        dv.setInt32(e, s[s1 + 2 * lane]!, true);
        dv.setInt32(e + 4, s[s1 + 2 * lane + 1]!, true);
    }
  };
}

// ---------------------------------------------------------------- shapes without memory

const unary =
  (f: S.Unary): SimdExec =>
  (mc, _inst, d, s0) =>
    f(stackViews(mc), d << 2, s0 << 2);

const binary =
  (f: S.Binary): SimdExec =>
  (mc, _inst, d, s0, s1) =>
    f(stackViews(mc), d << 2, s0 << 2, s1 << 2);

const ternary =
  (f: S.Ternary): SimdExec =>
  (mc, _inst, d, s0, s1, s2) =>
    f(stackViews(mc), d << 2, s0 << 2, s1 << 2, s2 << 2);

const shift =
  (f: S.Shift): SimdExec =>
  (mc, _inst, d, s0, s1) =>
    f(stackViews(mc), d << 2, s0 << 2, mc.s[s1]!);

/** v:i -> i32 result (the slot's high word cleared, as for any i32). */
const test =
  (f: S.Test): SimdExec =>
  (mc, _inst, d, s0) => {
    const r = f(stackViews(mc), s0 << 2);
    mc.s[d] = r;
    mc.s[d + 1] = 0;
  };

/** Splat of a one-word scalar (i32, f32 bits). */
const splat32 =
  (f: (v: V128Views, d: number, x: number) => void): SimdExec =>
  (mc, _inst, d, s0) =>
    f(stackViews(mc), d << 2, mc.s[s0]!);

/** Splat of a two-word scalar (i64, f64 bits). */
const splat64: SimdExec = (mc, _inst, d, s0) => {
  const s = mc.s;
  const lo = s[s0]!;
  const hi = s[s0 + 1]!;
  s[d] = lo;
  s[d + 1] = hi;
  s[d + 2] = lo;
  s[d + 3] = hi;
};

/** extract_lane to a one-word scalar (i32, f32 bits). */
const extract32 =
  (f: (v: V128Views, a: number, lane: number) => number): SimdExec =>
  (mc, _inst, d, s0, _s1, _s2, lane) => {
    const r = f(stackViews(mc), s0 << 2, lane);
    mc.s[d] = r;
    mc.s[d + 1] = 0;
  };

/** extract_lane to a two-word scalar (i64, f64 bits). */
const extract64: SimdExec = (mc, _inst, d, s0, _s1, _s2, lane) => {
  const s = mc.s;
  const lo = s[s0 + 2 * lane]!;
  const hi = s[s0 + 2 * lane + 1]!;
  s[d] = lo;
  s[d + 1] = hi;
};

/** replace_lane with a one-word scalar (i8/i16/i32 lanes, f32 bits). */
const replace32 =
  (f: (v: V128Views, d: number, a: number, lane: number, x: number) => void): SimdExec =>
  (mc, _inst, d, s0, s1, _s2, lane) =>
    f(stackViews(mc), d << 2, s0 << 2, lane, mc.s[s1]!);

/** replace_lane with a two-word scalar (i64, f64 bits). */
const replace64: SimdExec = (mc, _inst, d, s0, s1, _s2, lane) => {
  const s = mc.s;
  const lo = s[s1]!;
  const hi = s[s1 + 1]!;
  copySlot(s, d, s0);
  s[d + 2 * lane] = lo;
  s[d + 2 * lane + 1] = hi;
};

/** The 32 bytes a shuffle picks from: a's four words, then b's (little-endian, as the value stack's views). */
export const SHUFFLE_SRC = new Int32Array(8);
export const SHUFFLE_SRC8 = new Uint8Array(SHUFFLE_SRC.buffer);

/** One output word of a shuffle: the four source bytes that the lane indices packed in `w` name. */
function shuffleWord(w: number): number {
  const B = SHUFFLE_SRC8;
  return B[w & 31]! | (B[(w >>> 8) & 31]! << 8) | (B[(w >>> 16) & 31]! << 16) | (B[(w >>> 24) & 31]! << 24);
}

/**
 * i8x16.shuffle: the 16 lane indices arrive packed in i0..i3 (little-endian bytes, each 0..31). Both operands
 * are copied aside first (the result may overwrite either), then each result word is assembled from four
 * bytes: no loop, no per-byte branch (the general S.i8x16_shuffle took 15% of the simd workload's time).
 */
const shuffle: SimdExec = (mc, _inst, d, s0, s1, _s2, i0, i1, i2, i3) => {
  const s = mc.s;
  const src = SHUFFLE_SRC;
  src[0] = s[s0]!;
  src[1] = s[s0 + 1]!;
  src[2] = s[s0 + 2]!;
  src[3] = s[s0 + 3]!;
  src[4] = s[s1]!;
  src[5] = s[s1 + 1]!;
  src[6] = s[s1 + 2]!;
  src[7] = s[s1 + 3]!;
  s[d] = shuffleWord(i0);
  s[d + 1] = shuffleWord(i1);
  s[d + 2] = shuffleWord(i2);
  s[d + 3] = shuffleWord(i3);
};

// ---------------------------------------------------------------- the table

/** Executors with immediates, scalar operands or memory, by instruction name (used once, to fill SIMD_EXEC). */
const special = (): Record<string, SimdExec> => ({
  'v128.load': v128Load,
  'v128.store': v128Store,
  'v128.load8x8_s': loadExtend(S.i16x8_extend_low_i8x16_s),
  'v128.load8x8_u': loadExtend(S.i16x8_extend_low_i8x16_u),
  'v128.load16x4_s': loadExtend(S.i32x4_extend_low_i16x8_s),
  'v128.load16x4_u': loadExtend(S.i32x4_extend_low_i16x8_u),
  'v128.load32x2_s': loadExtend(S.i64x2_extend_low_i32x4_s),
  'v128.load32x2_u': loadExtend(S.i64x2_extend_low_i32x4_u),
  'v128.load8_splat': loadSplat(1),
  'v128.load16_splat': loadSplat(2),
  'v128.load32_splat': loadSplat(4),
  'v128.load64_splat': loadSplat(8),
  'v128.load32_zero': loadZero(4),
  'v128.load64_zero': loadZero(8),
  'v128.load8_lane': loadLane(1),
  'v128.load16_lane': loadLane(2),
  'v128.load32_lane': loadLane(4),
  'v128.load64_lane': loadLane(8),
  'v128.store8_lane': storeLane(1),
  'v128.store16_lane': storeLane(2),
  'v128.store32_lane': storeLane(4),
  'v128.store64_lane': storeLane(8),
  'i8x16.shuffle': shuffle,
  'i8x16.splat': splat32(S.i8x16_splat),
  'i16x8.splat': splat32(S.i16x8_splat),
  'i32x4.splat': splat32(S.i32x4_splat),
  'f32x4.splat': splat32(S.f32x4_splat),
  'i64x2.splat': splat64,
  'f64x2.splat': splat64,
  'i8x16.extract_lane_s': extract32(S.i8x16_extract_lane_s),
  'i8x16.extract_lane_u': extract32(S.i8x16_extract_lane_u),
  'i16x8.extract_lane_s': extract32(S.i16x8_extract_lane_s),
  'i16x8.extract_lane_u': extract32(S.i16x8_extract_lane_u),
  'i32x4.extract_lane': extract32(S.i32x4_extract_lane),
  'f32x4.extract_lane': extract32(S.f32x4_extract_lane),
  'i64x2.extract_lane': extract64,
  'f64x2.extract_lane': extract64,
  'i8x16.replace_lane': replace32(S.i8x16_replace_lane),
  'i16x8.replace_lane': replace32(S.i16x8_replace_lane),
  'i32x4.replace_lane': replace32(S.i32x4_replace_lane),
  'f32x4.replace_lane': replace32(S.f32x4_replace_lane),
  'i64x2.replace_lane': replace64,
  'f64x2.replace_lane': replace64,
});

/**
 * The executor of each vector instruction, indexed by instruction table id (undefined: not a MISC vector op).
 * Filled on first use (loadSimd): a program without vector instructions does not build it at start-up. Every
 * vector instruction reaches the translator's hasSimd before it can run, and the JS tier's vector code calls
 * loadSimd too.
 */
export const SIMD_EXEC: readonly (SimdExec | undefined)[] = new Array<SimdExec | undefined>(INSTRS.length).fill(undefined);
let loaded = false;

/** Whether SIMD_EXEC is filled (the persistent cache records it with a translation: code-cache.ts encodeTranslation). */
export function simdLoaded(): boolean {
  return loaded;
}

/** Fills SIMD_EXEC (once). */
export function loadSimd(): void {
  if (loaded) return;
  loaded = true;
  const out = SIMD_EXEC as (SimdExec | undefined)[];
  const SPECIAL = special();
  const { UNARY, BINARY, TERNARY, SHIFT, TEST } = S.simdTables();
  for (const def of INSTRS) {
    if (def.prefix !== 0xfd) continue;
    const n = def.name;
    let f: SimdExec | undefined = SPECIAL[n];
    if (f === undefined) {
      const u = UNARY[n];
      const b = BINARY[n];
      const t = TERNARY[n];
      const sh = SHIFT[n];
      const ts = TEST[n];
      if (u) f = unary(u);
      else if (b) f = binary(b);
      else if (t) f = ternary(t);
      else if (sh) f = shift(sh);
      else if (ts) f = test(ts);
    }
    out[def.id] = f;
  }
}

/** Whether the vector instruction runs through MISC (every 0xFD instruction except v128.const, which the translator makes a constant). */
export function hasSimd(def: InstrDef): boolean {
  loadSimd();
  return SIMD_EXEC[def.id] !== undefined;
}
