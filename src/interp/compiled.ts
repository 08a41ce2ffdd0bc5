/** One function's translated code (fast or exact) and what entering it needs. */
import type { Instance } from '../runtime/objects/instance.js';
import type { WasmFunc } from '../runtime/objects/func.js';
import type { CodeSink } from '../validate/func.js';

/** What Machine.compile keeps of a fast translation for later instances of the module (and the persistent cache). */
export interface Translation {
  code: Int32Array;
  frameWords: number;
  tmpl: Int32Array;
  refLocals: Int32Array;
  blockPc: Map<number, number>;
  origAt: Int32Array;
  handlers: Int32Array | null;
  exnSlots: number;
}

export class Compiled {
  /** The exact twin of fast code (made on first need), or the fast twin of exact code. */
  twin: Compiled | null = null;
  /** Exception handlers (exceptions.ts: H_STRIDE words per row, innermost first), or null. */
  handlers: Int32Array | null = null;
  /** Hidden slots of legacy trys' caught exceptions, between the constants and the operand stack (exceptions.ts). */
  exnSlots = 0;
  /**
   * FUEL_OSR pc -> the fuel the JS version checks for at that loop head (its
   * extended block's costliest path, jit/codegen.ts); with less the
   * interpreter runs the block itself.
   */
  readonly osrFuel = new Map<number, number>();
  /**
   * The tier's pre-pass sink (TierCompiler.prescan), fed by the translator's own validator pass and complete; taken
   * (and cleared) by the tier's first generation of this function. null: none, the tier makes its own pass.
   */
  prescan: CodeSink | null = null;
  private opsArr: number[] | null = null;
  get ops(): number[] {
    return (this.opsArr ??= Array.from(this.code));
  }
  /** Writes one word of the code (and of its plain-array copy). */
  patch(pc: number, v: number): void {
    this.code[pc] = v;
    if (this.opsArr !== null) this.opsArr[pc] = v;
  }
  constructor(
    readonly func: WasmFunc,
    readonly inst: Instance,
    readonly code: Int32Array,
    readonly exact: boolean,
    /** Words of the whole frame: (locals + constants + max operand height + 1) * 4. */
    readonly frameWords: number,
    /** Words holding the parameters. */
    readonly paramWords: number,
    /** Initial words after the params: zeroed locals, then the constants. */
    readonly tmpl: Int32Array,
    /** Slot indices (frame-relative) of declared (non-param) reference locals. */
    readonly refLocals: Int32Array,
    /** Original byte offset of each block start -> pc of its FUEL/FUELX. */
    readonly blockPc: Map<number, number>,
    /** Original byte offset of the instruction at each op position (for trap refunds, snapshots' stop points); -1 inside an op. */
    readonly origAt: Int32Array,
  ) {}
}
