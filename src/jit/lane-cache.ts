/** The JS tier's f32 lane cache of v128 locals (gen-vectors.ts), and which instructions leave memory as it is. */
import type { Instr } from '../decoder/instr.js';
import { LANE_WORDS } from './gen-types.js';

/**
 * The f32 lane cache of v128 locals for one straight-line stretch (cleared with it): which locals
 * have their lanes in LF<x>_<k>, which of those are exact (arithmetic results, so a store may write
 * them with setFloat32), which hold a constant (lanes: float constants), and which still equal the
 * memory a v128.load read (lanes read again there with getFloat32 instead of converting words).
 * `epoch` changes at every clear and every instruction that may write memory.
 */
export class LaneCache extends Set<number> {
  readonly exact = new Set<number>();
  readonly consts = new Map<number, string[]>();
  readonly mem = new Map<number, string>();
  /**
   * Locals whose words have bits known to be zero (gen-vectors.ts `zeros`: set from the value a local.set wrote, e.g.
   * the lanes of an unsigned extend), per word; only in this stretch, like the lanes.
   */
  readonly zero = new Map<number, readonly number[]>();
  /**
   * Locals whose lanes were converted before a loop that never writes them (gen-vectors.ts hoistLanes): they stay
   * cached through every stretch of its body, by how many of the open loops.
   */
  readonly pinned = new Map<number, number>();
  epoch = 0;
  // (cleared at every fuel block and block end, and memoryWritten at nearly every call or store, of every function:
  // a clear of V8's Set or Map allocates a new table even when it is empty, so empty ones are left as they are)
  override clear(): void {
    if (this.size > 0) {
      super.clear();
      for (const x of this.pinned.keys()) super.add(x);
    }
    if (this.exact.size > 0) this.exact.clear();
    if (this.consts.size > 0) this.consts.clear();
    if (this.zero.size > 0) this.zero.clear();
    this.memoryWritten();
  }
  pin(x: number): void {
    this.pinned.set(x, (this.pinned.get(x) ?? 0) + 1);
    this.add(x);
  }
  unpin(x: number): void {
    const n = this.pinned.get(x)! - 1;
    if (n > 0) this.pinned.set(x, n);
    else {
      this.pinned.delete(x);
      this.delete(x);
    }
  }
  /** Memory may have changed: no lanes are read again from it. */
  memoryWritten(): void {
    if (this.mem.size > 0) this.mem.clear();
    this.epoch++;
  }
  /** Local x gets a new value. */
  set(x: number): void {
    // (the pre-pass found no write of it in the loop: generated code would read stale lanes)
    if (this.pinned.has(x)) throw new Error(`wasmeter internal error: v128 local ${x} written in a loop that converted its lanes before it`);
    this.delete(x);
    this.exact.delete(x);
    this.consts.delete(x);
    this.mem.delete(x);
    this.zero.delete(x);
  }
}

/** Whether an instruction leaves linear memory as it is (else lanes of earlier loads are not read again). */
export function keepsMemory(def: Instr['def']): boolean {
  switch (def.family) {
    case 'numeric':
    case 'conversion':
    case 'const':
    case 'variable':
    case 'parametric':
      return true;
    case 'memory':
      return def.name.includes('load');
    case 'vector':
      return !def.name.includes('store');
  }
  return false;
}

/**
 * Whether `body` has the start of a marked statement (MARKED: the character and a digit): with none, nothing to drop.
 * Found by a native search for the character (a back edge's marker, which is the character and `L`, is the only other
 * use of it), not a regex scanning every character (2-3 ms of sql.js' first run).
 */
export function hasMarkStart(body: string): boolean {
  for (let i = body.indexOf(LANE_WORDS); i >= 0; i = body.indexOf(LANE_WORDS, i + 1)) {
    const c = body.charCodeAt(i + 1);
    if (c >= 0x30 && c <= 0x39) return true;
  }
  return false;
}
const MARKED = new RegExp(`${LANE_WORDS}(\\d+)${LANE_WORDS}([^${LANE_WORDS}]*)${LANE_WORDS}`, 'g');
// an identifier L<x> or L<x>_<k> not written by a plain assignment (labels L<n> count too: at worst a statement stays)
const READ = /\bL(\d+)(?:_[123])?\b(?!\s*=(?!=))/g;

/**
 * The generated body with the marked writes of a v128 local's words (LANE_WORDS) dropped where nothing reads that
 * local's words: not the body (f32x4 code reads lane values), nor `spill`, the epilogue that hands the frame over
 * (empty when the function has no exits). Such words never leave the function. The statements are pure (a copy, a
 * load whose bounds were checked before it, lanes converted through the scratch arrays); each conversion is two
 * typed-array accesses per lane, each checking for a detached buffer once V8's detaching protector is gone. The
 * statements kept lose their markers.
 */
export function deadWords(body: string, spill: string): string {
  // (the back edges' fuel markers, gen-fuel.ts backEdge, are this character too, around a label: a metered body with
  // loops has them, and scanning its every read of a local for nothing was 1-2% of quickjs' and sql.js' first runs)
  if (!hasMarkStart(body)) return body;
  const read = new Set<string>();
  for (const src of [body, spill]) for (const m of src.matchAll(READ)) read.add(m[1]!);
  return body.replace(MARKED, (_, x: string, st: string) => (read.has(x) ? st : ''));
}
