/**
 * The JS tier's pre-pass: which frames of a function hold loops (loop re-entry, OSR), the v128 locals of its loops,
 * and the functions its loops call directly (generated with it, codegen.ts loopCallees).
 */
import { INSTRS } from '../core/instructions.js';
import { V128 } from '../core/types.js';
import type { Instr } from '../decoder/instr.js';
import type { CodeSink, FuncValidator } from '../validate/func.js';
import { CATCH_ARM, MAX_NESTING, TRY_FRAME, no } from './gen-types.js';
import type { ColdScan } from './cold.js';

/**
 * The loops a frame is or holds (or an if's then-arm holds): frames are
 * numbered in order of their start, so the ones inside a frame have
 * consecutive ids, and a re-entry point `osr` (a loop's id + 1) lies in a
 * frame when it is at most its last loop's (gen-base.ts beforeChild: there, osr
 * is 0 or a loop at or after the frame's start).
 */
export class LoopSet {
  n = 0;
  last = -1;
  add(id: number): void {
    this.n++;
    this.last = id;
  }
  /** Adds the loops of a frame that starts after every loop of this set. */
  addAll(s: LoopSet): void {
    if (s.n === 0) return;
    this.last = s.last;
    this.n += s.n;
  }
}

/**
 * A function too large for V8 whose loop holds a `br_table` of this many targets or more is an interpreter's dispatch
 * loop (QuickJS's bytecode loop, SQLite's VDBE): it is generated split at once, not whole first (outlining.hot), and
 * profiled (cold.ts profile).
 */
export const DISPATCH_TARGETS = 128;

/** What LoopScan does with an instruction, by InstrDef.id (SCAN_KIND): the frames' starts are K.Block and above. */
const enum K {
  Other,
  Call,
  BrTable,
  Else,
  End,
  Arm,
  Block,
  Loop,
  If,
}
/** (try and try_table are blocks, and delegate an end, as JsGen sees them; catch arms JsGen skips) */
let SCAN_KIND: Uint8Array | null = null;
/** SCAN_KIND, made at the first scan rather than at every start of the CLI (a short program generates nothing). */
const scanKinds = (): Uint8Array => {
  const t = new Uint8Array(INSTRS.length);
  const by: Record<string, number> = { call: K.Call, br_table: K.BrTable, else: K.Else, end: K.End, delegate: K.End, block: K.Block, loop: K.Loop, if: K.If };
  for (const n of TRY_FRAME) by[n] = K.Block;
  for (const n of CATCH_ARM) by[n] = K.Arm;
  for (const d of INSTRS) t[d.id] = by[d.name] ?? K.Other;
  return t;
};

interface Frame {
  id: number;
  kind: string;
  dead: boolean;
  inElse: boolean;
  /** A legacy try in its catch arms, which JsGen skips (their frames are dead to it). */
  arm: boolean;
  /** The loops this frame is or holds, and, for an if, those of its then-arm (known when the frame ends). */
  loops: LoopSet | null;
  then: LoopSet | null;
}

/**
 * Pre-pass for loop re-entry: numbers the frames entered in reachable code
 * (as JsGen does) and finds which contain loops, and which loops lie in the
 * then-arm of each `if`. Each frame passes its loops to its parent when it
 * ends (linear in the function's size, whatever its nesting).
 */
export class LoopScan implements CodeSink {
  private ids = 0;
  private deadDepth = 0;
  private readonly stack: Frame[] = [{ id: -1, kind: 'func', dead: false, inElse: false, arm: false, loops: null, then: null }];
  /** Frame id -> a loop is this frame or inside it. */
  readonly hasLoop: boolean[] = [];
  /** Frame id -> a loop is strictly inside it. */
  readonly inner: boolean[] = [];
  /** If id -> the loops in its then-arm. */
  readonly thenLoops = new Map<number, LoopSet>();
  /** Frame id -> the loops it is or holds. */
  readonly loops: LoopSet[] = [];
  any = false;
  /** The function's last loop (id), -1 for none. */
  lastLoop = -1;
  /** Whether the function has f32x4 instructions (then JsGen converts some v128 locals' lanes once per loop, hoistLanes). */
  f32x4 = false;
  /**
   * Loop id -> the v128 locals read in live code inside it and those written anywhere inside it (nested frames
   * included; writes in unreachable code and skipped catch arms too), for functions with v128 locals.
   */
  readonly vecReads = new Map<number, Set<number>>();
  readonly vecWrites = new Map<number, Set<number>>();
  /** The live loops open here (ids), innermost last; null: the function has no v128 local. */
  private vecLoops: number[] | null | undefined;
  /**
   * The v128 locals some `local.get` may read as they were at a point where the frame can be handed to the
   * interpreter (then the JS tier's epilogue writes their words into the frame; the others' words nothing after such a
   * point reads before writing them, and the epilogue leaves their slots as they are: codegen.ts build()). A stretch
   * of instructions that can neither branch nor leave the generated code (`exitFree`) and holds no block start is a
   * segment; a read of a local not written earlier in its segment puts it here. Every way from a hand-over point
   * starts a segment (exits are at block starts, branches and instructions outside `exitFree`; branch targets are block
   * starts), so the first access of any other local after it is a write. Code the JS tier skips (catch arms) and
   * unreachable code are scanned too: the interpreter runs catch arms.
   */
  readonly vecLive = new Set<number>();
  /** Original offsets of the instructions that start a segment (an exit anywhere else is an internal error, gen-fuel.ts exit). */
  readonly cuts = new Set<number>();
  /** The v128 locals written in the current segment. */
  private readonly segWritten = new Set<number>();

  /**
   * `blockPc`: the interpreter's block starts (original offsets), read only for a function with v128 locals; null for
   * a scan fed during the translation's own pass (codegen.ts prescan), which has none. `mem32`: memory 0 exists with
   * 32-bit addresses (its plain accesses are inline; others go through the MISC executor, which may stop for fuel).
   */
  constructor(
    private readonly blockPc: ReadonlyMap<number, number> | null,
    private readonly mem32: boolean,
    /** The static rule for cold paths (cold.ts), fed every instruction; null when it is off. */
    readonly cold: ColdScan | null = null,
  ) {}

  /** A v128 local read or written: the segments (vecLive). */
  private segment(ins: Instr, name: string, v: FuncValidator): void {
    if (this.blockPc!.has(ins.offset) || !exitFree(ins, name, this.mem32)) {
      this.cuts.add(ins.offset);
      if (this.segWritten.size > 0) this.segWritten.clear();
    }
    if (!name.startsWith('local.') || v.localTypes[ins.a] !== V128) return;
    if (name !== 'local.get') this.segWritten.add(ins.a);
    else if (!this.segWritten.has(ins.a)) this.vecLive.add(ins.a);
  }
  /** How many live loops are open here. */
  private openLoops = 0;
  /** The functions (indices) a live direct `call` inside a loop calls, each once, in order of first call (codegen.ts loopCallees). */
  readonly loopCalls = new Set<number>();
  /** A live `br_table` of DISPATCH_TARGETS targets or more inside a loop: an interpreter's dispatch loop (codegen.ts, cold.ts profile). */
  dispatch = false;

  instr(ins: Instr, v: FuncValidator): void {
    if (this.cold !== null) this.cold.step(ins, v);
    // (what the scan does by the instruction's id: a name compared or looked up in a set per instruction was most
    // of this pass's cost in a first run)
    const k = (SCAN_KIND ??= scanKinds())[ins.def.id]!;
    const top = this.stack[this.stack.length - 1]!;
    if (this.vecLoops === undefined) {
      this.vecLoops = v.localTypes.includes(V128) ? [] : null;
      if (this.vecLoops !== null && this.blockPc === null) throw new Error('internal error: a v128 function scanned without its block starts');
    }
    const vl = this.vecLoops;
    if (vl !== null) this.vecInstr(ins, v, vl);
    if (k === K.Arm) {
      // a catch arm: JsGen skips it to the try's end
      if (!top.dead && !top.arm) {
        top.arm = true;
        this.deadDepth++;
      }
      return;
    }
    // (V8's parser recurses on nesting: far deeper than this fails there, after all the work)
    if (k >= K.Block && this.stack.length > MAX_NESTING) no('nesting too deep for JS');
    if (v.unreachable || this.deadDepth > 0) {
      if (k >= K.Block) {
        this.stack.push({ id: -1, kind: 'block', dead: true, inElse: false, arm: false, loops: null, then: null });
        this.deadDepth++;
      } else if (k === K.Else) {
        if (!top.dead) top.inElse = true;
      } else if (k === K.End) {
        this.stack.pop();
        if (top.dead || top.arm) this.deadDepth--;
        if (!top.dead && top.kind === 'loop') this.openLoops--;
        if (!top.dead) this.ended(top);
      }
      return;
    }
    if (k === K.Call) {
      if (this.openLoops > 0) this.loopCalls.add(ins.a);
    } else if (k === K.BrTable) {
      // (stored at every br_table, its operands read: a store behind the test, first made after V8 had optimised `instr`,
      // threw its code away at the first dispatch in quickjs and sql.js)
      const inLoop = this.openLoops > 0;
      const wide = ins.labels.length >= DISPATCH_TARGETS;
      this.dispatch = this.dispatch || (inLoop && wide);
    } else if (k >= K.Block) {
      const id = this.ids++;
      const loops = new LoopSet();
      this.loops[id] = loops;
      this.hasLoop[id] = false;
      this.inner[id] = false;
      if (k === K.Loop) {
        this.openLoops++;
        this.any = true;
        this.lastLoop = id;
        this.hasLoop[id] = true;
        loops.add(id);
        if (vl !== null) {
          vl.push(id);
          this.vecReads.set(id, new Set());
          this.vecWrites.set(id, new Set());
        }
      }
      let then: LoopSet | null = null;
      if (k === K.If) this.thenLoops.set(id, (then = new LoopSet()));
      this.stack.push({ id, kind: k === K.Loop ? 'loop' : k === K.If ? 'if' : 'block', dead: false, inElse: false, arm: false, loops, then });
    } else if (k === K.Else) top.inElse = true;
    else if (k === K.End) {
      this.stack.pop();
      if (top.kind === 'loop') this.openLoops--;
      this.ended(top);
    }
  }

  /** A function with v128 locals: the segments, its f32x4 instructions, and the v128 locals each open live loop reads and writes. */
  private vecInstr(ins: Instr, v: FuncValidator, vl: number[]): void {
    const name = ins.def.name;
    this.segment(ins, name, v);
    if (ins.def.prefix === 0xfd && name.startsWith('f32x4.')) this.f32x4 = true;
    if (vl.length > 0 && name.startsWith('local.') && v.localTypes[ins.a] === V128) {
      const id = vl[vl.length - 1]!;
      if (name !== 'local.get') this.vecWrites.get(id)!.add(ins.a);
      else if (!v.unreachable && this.deadDepth === 0) this.vecReads.get(id)!.add(ins.a);
    }
  }

  /** A live frame ended: its loops are its parent's too (and a loop's v128 locals the enclosing loop's). */
  private ended(f: Frame): void {
    const vl = this.vecLoops;
    if (f.kind === 'loop' && vl) {
      vl.pop();
      const outer = vl[vl.length - 1];
      if (outer !== undefined) {
        for (const x of this.vecReads.get(f.id)!) this.vecReads.get(outer)!.add(x);
        for (const x of this.vecWrites.get(f.id)!) this.vecWrites.get(outer)!.add(x);
      }
    }
    const p = this.stack[this.stack.length - 1];
    if (p === undefined || p.id < 0 || f.loops === null || f.loops.n === 0) return;
    this.hasLoop[p.id] = true;
    this.inner[p.id] = true;
    p.loops!.addAll(f.loops);
    if (p.kind === 'if' && !p.inElse) p.then!.addAll(f.loops);
  }
}

/**
 * Whether an instruction neither branches nor leaves generated code for the interpreter (no exit: no call, no fuel
 * surcharge, no MISC executor that may stop); traps do not count (a trapped frame is never resumed). Memory accesses
 * only on memory 0 with 32-bit addresses (`mem32`), which the JS tier does inline; vector instructions never exit
 * (gen-vectors.ts: inline, or the SIMD executor, which only traps).
 */
export function exitFree(ins: Instr, name: string, mem32: boolean): boolean {
  switch (ins.def.family) {
    case 'numeric':
    case 'conversion':
    case 'const':
    case 'variable':
    case 'parametric':
    case 'vector':
      return true;
    case 'memory':
      return mem32 && ins.b === 0 && name !== 'memory.grow' && name !== 'memory.size';
  }
  return false;
}
