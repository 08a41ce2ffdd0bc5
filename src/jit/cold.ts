/**
 * Cold paths generated as exits (issue 16): a block start of the fast translation that the policy finds cold is
 * generated as the exit a fuel shortage takes there (the frame's locals and stack spilled by the epilogue, the
 * interpreter continuing at that block with the same fuel and coming back to the JS version at its next loop head),
 * and nothing else of the frame after it is generated (gen-control.ts `deadInstr`, codegen.ts `elide`).
 *
 * The policy here is static (off by default, `coldElision.static`): a block start from which every path reaches `unreachable`, or a call of an import that
 * never returns (`abort`, `__assert_fail`, `proc_exit`, `__wbindgen_throw`), without a branch or return leaving the
 * frame first: a trap's or panic's path. Found by `ColdScan` inside LoopScan's pass (no pass of its own: a third
 * validation of every body cost more of a first run than the shorter source saved). BENCHMARKS.md, session 17,
 * helper cold13, has the upper bound a profile of a first run would give and what this rule finds.
 */
import type { Module } from '../core/module.js';
import type { Instr } from '../decoder/instr.js';
import type { FuncValidator } from '../validate/func.js';
import { INSTRS } from '../core/instructions.js';

export const coldElision = {
  /**
   * Elide the blocks the static rule finds cold. Off: measured it took 6.6% of tiktoken's tokens and 1.7% of its
   * first run, and its first runs elsewhere were 1-4% slower, hash-wasm's too with the same source (BENCHMARKS.md,
   * session 17, cold13): to be measured again on a quiet machine. Tests turn it on.
   */
  static: false,
  /** Tests: elide the block starting at this byte offset of function `func` too (jit-fuzz forces it at random). */
  force: null as ((func: number, offset: number) => boolean) | null,
};
/** Blocks generated as exits, over the process. */
export const coldStats = { elided: 0 };

/**
 * The profile of a split function (outline.ts) and its regeneration whole (issue 16, session 18). A function too large
 * for V8 is split into parts V8 can optimize, but its dispatch loop split runs about 3x slower than whole in steady
 * calls (quickjs' bytecode loop, BENCHMARKS.md session 17 cold13). So its split version records which of its fuel
 * blocks ran (a store per block start, `H[pc] = 1`, only in these few functions), and once its re-entry loop heads
 * have been passed `profile.passes` times it is generated again whole with the blocks that never ran as exits to the
 * interpreter (codegen.ts `rewhole`), if that fits under `fit` (null: outlining.at) characters; else the split version
 * runs on. An exit taken in the whole version records its block and counts (`coldHit`); past `profile.exits` exits the
 * function is generated again whole with those blocks too, at most `profile.regens` times in all, and after that once
 * more split, for good: never a loop of regenerations.
 */
export const profile = {
  /**
   * Profile split functions and regenerate them whole (off: split versions stay as they are). On, counting entries
   * (`entries`): quickjs' calls from the 7th on about 2x faster (calls 8-14 -44 to -50%), its first run and steady
   * calls 1-3 within noise, the whole version's compile (about 0.3 s of CPU) paid in its calls 4-6; sql.js within noise
   * (+1-2%). Counting loop passes (big14) cost quickjs' first run 10-12% and sql.js 3-6% in every call (BENCHMARKS.md,
   * session 18, helpers big14 and big15).
   */
  on: true,
  /**
   * Interpreters' dispatch loops (loop-scan.ts DISPATCH_TARGETS) get the hit stores, and any function whose wasm body has
   * at least this many bytes (tests: 0). Not every large function: writing and then removing the stores of tiktoken's
   * and hash-wasm's large functions, which are not split at once, cost their first runs 3-4%, and the others split
   * later (resplit) are far over the limit whole (tiktoken's 1.3 MB).
   */
  bytes: Infinity,
  /** Re-entry loop-head passes of the profiling split version before its regeneration whole (one count per module body). */
  passes: 150_000,
  /**
   * Count entries instead (null: passes): the profiling split version counts its calls and re-entries in its prologue,
   * outside the dispatch loop, and at the count's end the whole version is installed for the next entry while the
   * running frame finishes in the split version (codegen.ts rewhole). One count per module body. 100,000: quickjs'
   * bytecode loop is entered about 21,900 times per call of the bench's script, so its count ends in the 5th call
   * (its first run and the bench's steady calls 1-3 run split); sql.js' VDBE is entered 12 times per call and never
   * gets there (its loop carries the hit stores, not the count).
   */
  entries: 100_000 as number | null,
  /** Cold exits taken in a whole version before it is generated again. */
  exits: 1000,
  /** Whole generations at most; past that, exits bring the split version back for good. */
  regens: 3,
  /** The most characters a whole regeneration may have (null: outlining.at); tests set Infinity. */
  fit: null as number | null,
  /** A whole version the profile estimates at more than this times `fit` is not generated at all (wholeEstimate). */
  margin: 1.5,
};
/** What the profile mechanism did, over the process (tests, bench). */
export const profileStats = { profiled: 0, whole: 0, unfit: 0, skipped: 0, exits: 0, regenerated: 0, backToSplit: 0 };

/**
 * One module body's profile: `hits[pc]` is 1 once the fuel block at fast-code pc `pc` ran in a profiling or whole
 * version; `phase` 0 while the profiling split version runs, n >= 1 after the n-th whole generation, -1 for good split
 * (the whole did not fit, was declined, or exits went past the bound `regens` times); `left` the loop-head passes
 * left before the whole generation; `exits` the cold exits taken since the last generation.
 */
export interface Profile {
  hits: Uint8Array;
  /**
   * The characters the profiling version wrote from each block start (by pc) to the next: at the count's end, the sum
   * over the blocks hit estimates the whole version's length (`wholeEstimate`), and one far over the limit is not
   * generated at all (sql.js' VDBE: 94-140 K characters whole, 19-30 ms of a first run for nothing).
   */
  chars: Int32Array;
  phase: number;
  left: { n: number };
  exits: number;
}
export function newProfile(codeLength: number): Profile {
  return { hits: new Uint8Array(codeLength), chars: new Int32Array(codeLength), phase: 0, left: { n: profile.entries ?? profile.passes }, exits: 0 };
}

/** The whole version's length as the profile estimates it: the characters of the blocks hit (and of those never elided, marked hit at generation). */
export function wholeEstimate(p: Profile): number {
  let n = 0;
  const { hits, chars } = p;
  for (let pc = 0; pc < chars.length; pc++) if (hits[pc] !== 0) n += chars[pc]!;
  return n;
}


/** Thrown by the generator when a whole regeneration does not fit (codegen.ts build): the split version runs on. */
export class NotWhole extends Error {}

const NO_RETURN = new Set(['abort', '_abort', '__assert_fail', '___assert_fail', 'proc_exit', '__wbindgen_throw', 'emscripten_abort']);
const noReturnByModule = new WeakMap<Module, ReadonlySet<number>>();
/** The function indices of `module`'s imports that never return normally, by name. */
export function noReturnImports(module: Module): ReadonlySet<number> {
  let s = noReturnByModule.get(module);
  if (s === undefined) {
    const set = new Set<number>();
    let i = 0;
    for (const im of module.imports) {
      if (im.desc.kind !== 'func') continue;
      if (NO_RETURN.has(im.name)) set.add(i);
      i++;
    }
    noReturnByModule.set(module, (s = set));
  }
  return s;
}

/** What ColdScan does with an instruction, by InstrDef.id. */
const enum K {
  /** nothing, and no block starts after it (numeric, variables, constants, loads and stores, ...) */
  Plain = 0,
  Other,
  Open,
  End,
  Arm,
  Unreachable,
  Call,
  Br,
  BrTable,
  Leave,
}
const KINDS: Record<string, K> = {
  block: K.Open,
  loop: K.Open,
  if: K.Open,
  try: K.Open,
  try_table: K.Open,
  end: K.End,
  delegate: K.End,
  else: K.Arm,
  catch: K.Arm,
  catch_all: K.Arm,
  unreachable: K.Unreachable,
  call: K.Call,
  br: K.Br,
  br_if: K.Br,
  br_on_null: K.Br,
  br_on_non_null: K.Br,
  br_on_cast: K.Br,
  br_on_cast_fail: K.Br,
  br_table: K.BrTable,
  return: K.Leave,
  return_call: K.Leave,
  return_call_indirect: K.Leave,
  return_call_ref: K.Leave,
  throw: K.Leave,
  throw_ref: K.Leave,
  rethrow: K.Leave,
};
const PLAIN = new Set(['numeric', 'conversion', 'const', 'variable', 'parametric', 'vector']);
/** By InstrDef.id, made at the first ColdScan rather than at every start of the CLI (the static rule is off by default). */
let KIND: Uint8Array | null = null;
const coldKinds = (): Uint8Array => Uint8Array.from(INSTRS, (d) => KINDS[d.name] ?? (PLAIN.has(d.family) || (d.family === 'memory' && d.bytes > 0) ? K.Plain : K.Other));

/**
 * The static rule over one body, fed every instruction by LoopScan: per open frame, the block starts at its top
 * level since the last branch that may leave it; an `unreachable` or a call of a never-returning import at that
 * level makes them cold. A branch, br_table, return or throw (at any depth) clears the frames it may leave; an else,
 * catch or end clears its frame's. Most instructions cost one table read: a block starts only after an instruction
 * that is not plain (a branch, a call, a frame's start or end, a surcharge).
 */
export class ColdScan {
  /** Byte offsets of the cold block starts. */
  readonly cold = new Set<number>();
  private readonly pend: number[][] = [[]];
  /** The previous instruction was not plain: a block may start at this one. */
  private after = true;
  constructor(
    private readonly blockPc: ReadonlyMap<number, number>,
    private readonly noReturn: ReadonlySet<number>,
  ) {}
  private clearFrom(t: number): void {
    for (let i = Math.max(0, t); i < this.pend.length; i++) this.pend[i]!.length = 0;
  }
  step(ins: Instr, v: FuncValidator): void {
    const k = (KIND ??= coldKinds())[ins.def.id]! as K;
    const after = this.after;
    this.after = k !== K.Plain;
    if (k === K.Plain && !after) return;
    const top = this.pend.length - 1;
    const p = this.pend[top]!;
    switch (k) {
      case K.Open:
        if (after && !v.unreachable && this.blockPc.has(ins.offset)) p.push(ins.offset);
        this.pend.push([]);
        return;
      case K.End:
        if (this.pend.length > 1) this.pend.pop();
        else p.length = 0;
        return;
      case K.Arm:
        p.length = 0;
        return;
    }
    if (v.unreachable) return;
    if (after && this.blockPc.has(ins.offset)) p.push(ins.offset);
    switch (k) {
      case K.Unreachable:
        for (const o of p) this.cold.add(o);
        p.length = 0;
        return;
      case K.Call:
        if (this.noReturn.has(ins.a)) {
          for (const o of p) this.cold.add(o);
          p.length = 0;
        }
        return;
      case K.Br:
        this.clearFrom(top - ins.a);
        return;
      case K.BrTable: {
        let m = ins.a;
        for (const d of ins.labels) if (d > m) m = d;
        this.clearFrom(top - m);
        return;
      }
      case K.Leave:
        this.clearFrom(0);
        return;
    }
  }
}
