/**
 * The translator's shared state: the code being emitted, the operand-stack
 * mirror with its slot allocation, the control stack and the fuel blocks.
 *
 * The translator (a CodeSink of the validator, see translate.ts) is one class
 * built up over a chain of files, each extending the one before it (imports
 * run one way, down this list):
 *   translate-tables.ts   instruction -> internal opcode tables (no class)
 *   translate-state.ts    TranslateState: emission, the operand-stack mirror, constants, fuel blocks, labels
 *   translate-control.ts  ControlTranslator: branches, block/loop/if/else/end, compare-and-branch fusion
 *   translate-exn.ts      ExnTranslator: try_table, legacy try/catch/delegate, throws, the handler table
 *   translate-ops.ts      OpTranslator: operators, memory accesses, MISC instructions, calls through an operand
 *   translate.ts          Translator: the sink (one instruction at a time), unreachable code, the finished code
 */
import { V128, isRef, type ValType } from '../core/types.js';
import type { TranslateEnv } from '../runtime/objects/instance.js';
import { Op } from './exec.js';

/**
 * Ops an i32.add emitted just before (in the same fuel block) fuses with: the
 * fused op runs both in one dispatch. Fast code only; neither op is a stop
 * point, and only the second can trap (the pair then names its offset).
 */
export const ADD_THEN = new Map<Op, Op>([
  [Op.I32_ADD, Op.ADD_ADD],
  [Op.I32_LOAD, Op.ADD_I32_LOAD],
  [Op.I32_LOAD8_U, Op.ADD_I32_LOAD8_U],
  [Op.I64_LOAD, Op.ADD_I64_LOAD],
  [Op.I32_STORE, Op.ADD_I32_STORE],
  [Op.I32_STORE8, Op.ADD_I32_STORE8],
  [Op.I64_STORE, Op.ADD_I64_STORE],
  [Op.BR, Op.ADD_BR],
  [Op.BR_IF, Op.ADD_BR_IF],
  [Op.BR_UNLESS, Op.ADD_BR_UNLESS],
  [Op.BR_IF_EQZ, Op.ADD_BR_IF_EQZ],
  [Op.BR_IF_EQ, Op.ADD_BR_IF_EQ],
  [Op.BR_IF_NE, Op.ADD_BR_IF_NE],
  [Op.BR_IF_LT_S, Op.ADD_BR_IF_LT_S],
  [Op.BR_IF_LT_U, Op.ADD_BR_IF_LT_U],
  [Op.BR_IF_GT_S, Op.ADD_BR_IF_GT_S],
  [Op.BR_IF_GT_U, Op.ADD_BR_IF_GT_U],
  [Op.BR_IF_LE_S, Op.ADD_BR_IF_LE_S],
  [Op.BR_IF_LE_U, Op.ADD_BR_IF_LE_U],
  [Op.BR_IF_GE_S, Op.ADD_BR_IF_GE_S],
  [Op.BR_IF_GE_U, Op.ADD_BR_IF_GE_U],
  [Op.COPY_RETURN, Op.ADD_COPY_RETURN],
  [Op.V128_LOAD, Op.ADD_V128_LOAD],
  [Op.F32_MUL_MUL, Op.ADD_F32_MUL_MUL],
]);

/**
 * Pairs of ops fused in one dispatch (fast code, the same fuel block, emitted
 * back to back): first op -> (second op -> fused op). The second op may itself
 * be a fused op (then three or more instructions run in one dispatch), and a
 * fused op can join the one before it in turn (fuseBack). The first op never
 * branches (a label can only be bound before the pair); either op can trap
 * (a memory access): the fused op names its first instruction that can trap,
 * and a trap mark each later one (TRAPS below). Chosen from a histogram of the
 * op pairs the benchmarks run (BENCHMARKS.md, interpreter).
 * A second op that is an i32 compare would hide it from compare-and-branch
 * fusion, a CALL or MISC from the JS tier's search for its stop points: neither
 * is one here.
 */
export const THEN = new Map<number, ReadonlyMap<Op, Op>>([
  [Op.I32_ADD, ADD_THEN],
  [
    Op.COPY,
    new Map([
      [Op.RETURN, Op.COPY_RETURN],
      [Op.COPY, Op.COPY_COPY],
      [Op.BR_IF_LT_U, Op.COPY_BR_IF_LT_U],
      [Op.BR_IF_LE_U, Op.COPY_BR_IF_LE_U],
    ]),
  ],
  [Op.COPY_COPY, new Map([[Op.COPY, Op.COPY3]])],
  [
    Op.I32_ROTL,
    new Map([
      [Op.I32_XOR, Op.ROTL_XOR],
      [Op.ROTL_XOR, Op.ROTL_ROTL_XOR],
    ]),
  ],
  // nbody's dx = x - f32.load(p + k) (an address add, f32.load's op, f32.sub)
  [Op.ADD_I32_LOAD, new Map([[Op.F32_SUB, Op.ADD_I32_LOAD_F32_SUB]])],
  [Op.I32_SHR_U, new Map([[Op.I32_AND, Op.SHR_U_AND]])],
  [Op.I32_MUL, new Map([[Op.ADD_I32_LOAD8_U, Op.MUL_ADD_I32_LOAD8_U]])],
  [Op.I32_XOR, new Map([[Op.ADD_BR_IF_LT_U, Op.XOR_ADD_BR_IF_LT_U]])],
  [Op.I32_SHL, new Map([[Op.ADD_I32_LOAD, Op.SHL_ADD_I32_LOAD]])],
  [Op.F32_MUL, new Map([[Op.F32_MUL, Op.F32_MUL_MUL]])],
  // nbody's vx += dx * m * mag (the address add, the product, then the f32.load, add and store)
  [Op.ADD_F32_MUL_MUL, new Map([[Op.I32_LOAD_F32_ADD_I32_STORE, Op.ADD_F32_MUL_MUL_I32_LOAD_F32_ADD_I32_STORE]])],
  // nbody's vx -= dx * m * mag (the products subtracted, the difference stored)
  [Op.F32_MUL_MUL, new Map([[Op.F32_SUB_I32_STORE, Op.F32_MUL_MUL_SUB_I32_STORE]])],
  [Op.F32_ADD, new Map([[Op.I32_STORE, Op.F32_ADD_I32_STORE]])],
  [Op.F32_SUB, new Map([[Op.I32_STORE, Op.F32_SUB_I32_STORE]])],
  [Op.F32X4_SUB, new Map([[Op.V128_STORE, Op.F32X4_SUB_V128_STORE]])],
  [Op.F32X4_MUL, new Map([[Op.F32X4_ADD, Op.F32X4_MUL_ADD], [Op.F32X4_SUB_V128_STORE, Op.F32X4_MUL_SUB_V128_STORE]])],
  [Op.I64_ROTL, new Map([[Op.I64_MUL, Op.I64_ROTL_MUL]])],
  [
    Op.I64_MUL,
    new Map([
      [Op.I64_ADD, Op.I64_MUL_ADD],
      [Op.I64_EXTEND_I32_U, Op.I64_MUL_EXTEND_U],
    ]),
  ],
  [Op.I64_SHR_U, new Map([[Op.I64_XOR, Op.I64_SHR_U_XOR]])],
  [Op.I64_MUL_ADD, new Map([[Op.I64_ROTL_MUL, Op.I64_MUL_ADD_ROTL_MUL]])],
  [Op.F64_MUL, new Map([[Op.F64_LOAD, Op.F64_MUL_F64_LOAD]])],
  [Op.F64_ADD, new Map([[Op.F64_STORE, Op.F64_ADD_F64_STORE]])],
  // two adds, then a third (eagerly: ADD3 and the op after it are never more dispatches than ADD_ADD and the
  // third add fused with that op), a load, or a compare-and-branch (whose compare reads neither add's result)
  [
    Op.ADD_ADD,
    new Map([
      [Op.I32_ADD, Op.ADD3],
      [Op.I32_LOAD, Op.ADD_ADD_I32_LOAD],
      [Op.F64_LOAD, Op.ADD_ADD_F64_LOAD],
      [Op.I32_LOAD8_U, Op.ADD_ADD_I32_LOAD8_U],
      [Op.BR_IF_NE, Op.ADD_ADD_BR_IF_NE],
      [Op.BR_IF_GT_U, Op.ADD_ADD_BR_IF_GT_U],
    ]),
  ],
  [Op.ADD3, new Map([[Op.BR_IF_NE, Op.ADD3_BR_IF_NE]])],
  // a memory access first (session 14; TRAPS, origAt's trap marks): hash64's loads before its round, alloc's byte
  // load before the loop's xor and compare-and-branch, sieve's byte store before its loop test and byte loads
  // before a select, dispatch's load before its bounds test, matmul's inner loop (a load, then f64.mul, a second
  // load, f64.add and the store: two accesses, three after two adds, in one dispatch)
  [Op.I64_LOAD, new Map([[Op.I64_MUL_ADD_ROTL_MUL, Op.I64_LOAD_MUL_ADD_ROTL_MUL]])],
  [Op.ADD_I64_LOAD, new Map([[Op.I64_MUL_ADD_ROTL_MUL, Op.ADD_I64_LOAD_MUL_ADD_ROTL_MUL]])],
  [Op.MUL_ADD_I32_LOAD8_U, new Map([[Op.XOR_ADD_BR_IF_LT_U, Op.MUL_ADD_LOAD8_U_XOR_ADD_BR_IF_LT_U]])],
  [Op.ADD_I32_STORE8, new Map([[Op.ADD_BR_IF_LT_U, Op.ADD_I32_STORE8_ADD_BR_IF_LT_U]])],
  // nbody's vx += ... (f32.load's op, the value loaded added, the sum stored)
  [
    Op.I32_LOAD,
    new Map([
      [Op.BR_IF_LT_U, Op.I32_LOAD_BR_IF_LT_U],
      [Op.F32_ADD_I32_STORE, Op.I32_LOAD_F32_ADD_I32_STORE],
      [Op.F32_MUL_MUL_SUB_I32_STORE, Op.I32_LOAD_F32_MUL_MUL_SUB_I32_STORE],
    ]),
  ],
  [Op.I32_LOAD8_U, new Map([[Op.SELECT, Op.I32_LOAD8_U_SELECT]])],
  [Op.ADD_I32_LOAD8_U, new Map([[Op.SELECT, Op.ADD_I32_LOAD8_U_SELECT]])],
  [Op.F64_MUL_F64_LOAD, new Map([[Op.F64_ADD_F64_STORE, Op.F64_MUL_LOAD_ADD_STORE]])],
  [Op.F64_LOAD, new Map([[Op.F64_MUL_LOAD_ADD_STORE, Op.F64_LOAD_MUL_LOAD_ADD_STORE]])],
  [Op.ADD_ADD_F64_LOAD, new Map([[Op.F64_MUL_LOAD_ADD_STORE, Op.ADD_ADD_F64_LOAD_MUL_LOAD_ADD_STORE]])],
]);

/** The plain ops of THEN that can trap: the memory accesses. */
const ACCESSES: readonly Op[] = [
  Op.I32_LOAD,
  Op.I32_LOAD8_U,
  Op.I64_LOAD,
  Op.F64_LOAD,
  Op.V128_LOAD,
  Op.I32_STORE,
  Op.I32_STORE8,
  Op.I64_STORE,
  Op.F64_STORE,
  Op.V128_STORE,
];

/**
 * The ops of THEN (plain and fused) that can trap: the accesses, and every fused op with one in it (computed from
 * THEN). A fused op's origAt names the first instruction in it that can trap (the last one's when none can), and
 * each later one that can is named by a trap mark: origAt at the word the op's pc stands on when that instruction
 * runs (an operand word of the instruction before it; every other operand word is -1). A trap leaves pc there,
 * and exec.ts' catch walks pc back to the nearest named word (the op's start, or a mark), so machine.ts'
 * refundOnTrap charges fuel up to the instruction the JS tier traps at. Stops never fall inside a fused op (fuel
 * is charged per block, and an out-of-fuel stop runs its block in the exact twin, which fuses nothing), and a
 * mark carries an access's offset, which no stop op's name shares after it (snapshot ids, ordinals).
 */
export const TRAPS: ReadonlySet<number> = (() => {
  const t = new Set<number>(ACCESSES);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [first, then] of THEN)
      for (const [second, fused] of then)
        if (!t.has(fused) && (t.has(first) || t.has(second))) {
          t.add(fused);
          grew = true;
        }
  }
  return t;
})();

/**
 * Fused ops whose intermediate results can stay in the loop's JS locals (exec.ts): op -> the op that keeps them
 * there, and for each intermediate result the word offsets (from the opcode) of its destination and of the next
 * op's operand the kept op reads it as (`swap`: the next op is commutative, so the result may be its other
 * operand, the one after, swapped in). `finish` (translate.ts) makes the exchange when every destination is a stack
 * temp that the next op pops (so nothing else reads it: stops, traps and snapshots never fall inside a fused op);
 * otherwise the written-out op stays.
 */
export interface KeepLink {
  dst: number;
  a: number;
  swap: boolean;
  /** The result is also written to its destination (any slot), so it need only be the one the next op reads. */
  written?: true;
}
export interface Keep {
  op: Op;
  links: readonly KeepLink[];
  /** A form that keeps more, taken instead when its links hold too (its links are checked in addition to these). */
  more?: Keep;
}
export const KEEP = new Map<Op, Keep>([
  // hash64's round; with its i64.load before it, the value loaded the mul's operand (commutative) kept too when only
  // the mul reads it, and with the address add before that, the address when only the load reads it (session 20)
  [Op.I64_MUL_ADD_ROTL_MUL, { op: Op.I64_ROUND, links: roundLinks(0) }],
  [
    Op.I64_LOAD_MUL_ADD_ROTL_MUL,
    { op: Op.I64_LOAD_ROUND, links: roundLinks(3), more: { op: Op.I64_LOAD_ROUND_KEPT, links: [{ dst: 1, a: 5, swap: true }] } },
  ],
  [
    Op.ADD_I64_LOAD_MUL_ADD_ROTL_MUL,
    {
      op: Op.ADD_I64_LOAD_ROUND,
      links: roundLinks(6),
      more: {
        op: Op.ADD_I64_LOAD_ROUND_KEPT,
        links: [
          { dst: 1, a: 5, swap: false },
          { dst: 4, a: 8, swap: true },
        ],
      },
    },
  ],
  // simd's saxpy: the product added (as the second operand: float operands are never swapped, as x86 returns the
  // first of two NaNs, so a swap changes a result's bits against the JS tier's); the product subtracted (likewise)
  // and the difference stored (as the value; also written to its destination, the local the loop reads again)
  [Op.F32X4_MUL_ADD, { op: Op.F32X4_MUL_ADD_KEPT, links: [{ dst: 1, a: 6, swap: false }] }],
  [
    Op.F32X4_MUL_SUB_V128_STORE,
    {
      op: Op.F32X4_MUL_SUB_V128_STORE_KEPT,
      links: [
        { dst: 1, a: 6, swap: false },
        { dst: 4, a: 8, swap: false, written: true },
      ],
    },
  ],
  // matmul's inner loop: the value loaded the mul's second operand, the product the add's first, the second value
  // loaded its second, the sum the store's value
  [Op.F64_LOAD_MUL_LOAD_ADD_STORE, { op: Op.F64_LOAD_MUL_LOAD_ADD_STORE_KEPT, links: matmulLinks(0) }],
  [Op.ADD_ADD_F64_LOAD_MUL_LOAD_ADD_STORE, { op: Op.ADD_ADD_F64_LOAD_MUL_LOAD_ADD_STORE_KEPT, links: matmulLinks(6) }],
  // nbody's dx * m * mag: the first product the second mul's first operand
  [Op.F32_MUL_MUL, { op: Op.F32_MUL_MUL_KEPT, links: [{ dst: 1, a: 5, swap: false }] }],
  [Op.ADD_F32_MUL_MUL, { op: Op.ADD_F32_MUL_MUL_KEPT, links: [{ dst: 4, a: 8, swap: false }] }],
  // sha256's rotations: two rotated values xored (pushed in that order, so the first is the xor's first operand);
  // a rotated value xored (commutative)
  [
    Op.ROTL_ROTL_XOR,
    {
      op: Op.ROTL_ROTL_XOR_KEPT,
      links: [
        { dst: 1, a: 8, swap: false },
        { dst: 4, a: 9, swap: false },
      ],
    },
  ],
  [Op.ROTL_XOR, { op: Op.ROTL_XOR_KEPT, links: [{ dst: 1, a: 5, swap: true }] }],
  // nbody's f32 sum or difference stored (the store's value); simd's address add loaded from (the load's address)
  [Op.F32_ADD_I32_STORE, { op: Op.F32_ADD_I32_STORE_KEPT, links: [{ dst: 1, a: 5, swap: false }] }],
  [Op.F32_SUB_I32_STORE, { op: Op.F32_SUB_I32_STORE_KEPT, links: [{ dst: 1, a: 5, swap: false }] }],
  [Op.ADD_V128_LOAD, { op: Op.ADD_V128_LOAD_KEPT, links: [{ dst: 1, a: 5, swap: false }] }],
  // nbody's velocity updates: the value loaded the add's second operand and the sum stored; the first product the
  // second mul's first operand, the second product the sub's second, the difference stored
  [
    Op.I32_LOAD_F32_ADD_I32_STORE,
    {
      op: Op.I32_LOAD_F32_ADD_I32_STORE_KEPT,
      links: [
        { dst: 1, a: 6, swap: false },
        { dst: 4, a: 8, swap: false },
      ],
    },
  ],
  [
    Op.F32_MUL_MUL_SUB_I32_STORE,
    {
      op: Op.F32_MUL_MUL_SUB_I32_STORE_KEPT,
      links: [
        { dst: 1, a: 5, swap: false },
        { dst: 4, a: 9, swap: false },
        { dst: 7, a: 11, swap: false },
      ],
    },
  ],
  // nbody's dx: the address the load's, the value loaded the sub's second operand (the difference written: a local)
  [
    Op.ADD_I32_LOAD_F32_SUB,
    {
      op: Op.ADD_I32_LOAD_F32_SUB_KEPT,
      links: [
        { dst: 1, a: 5, swap: false },
        { dst: 4, a: 9, swap: false },
      ],
    },
  ],
  // nbody's vx += dx * m * mag with its address add: ADD_F32_MUL_MUL_KEPT's link, then I32_LOAD_F32_ADD_I32_STORE's
  // nine words on (the second product written to its slot)
  [
    Op.ADD_F32_MUL_MUL_I32_LOAD_F32_ADD_I32_STORE,
    {
      op: Op.ADD_F32_MUL_MUL_I32_LOAD_F32_ADD_I32_STORE_KEPT,
      links: [
        { dst: 4, a: 8, swap: false },
        { dst: 10, a: 15, swap: false },
        { dst: 13, a: 17, swap: false },
      ],
    },
  ],
  // nbody's vx -= dx * m * mag after vx's f32.load (the value loaded written to its slot): F32_MUL_MUL_SUB_I32_STORE's
  // links three words on
  [
    Op.I32_LOAD_F32_MUL_MUL_SUB_I32_STORE,
    {
      op: Op.I32_LOAD_F32_MUL_MUL_SUB_I32_STORE_KEPT,
      links: [
        { dst: 4, a: 8, swap: false },
        { dst: 7, a: 12, swap: false },
        { dst: 10, a: 14, swap: false },
      ],
    },
  ],
]);
function matmulLinks(at: number): KeepLink[] {
  return [
    { dst: at + 1, a: at + 6, swap: false },
    { dst: at + 4, a: at + 11, swap: false },
    { dst: at + 7, a: at + 12, swap: false },
    { dst: at + 10, a: at + 14, swap: false },
  ];
}
/** hash64's round after `at` words of a load and an address add: mul -> add (commutative), add -> rotl (the value, not the count), rotl -> mul (commutative). */
function roundLinks(at: number): KeepLink[] {
  return [
    { dst: at + 1, a: at + 5, swap: true },
    { dst: at + 4, a: at + 8, swap: false },
    { dst: at + 7, a: at + 11, swap: true },
  ];
}

/** Where a mirrored stack value lives (see translate.ts). */
export const TEMP = 0;
export const LOCAL = 1;
export const CONST = 2;

/** How `finish` relocates an operand word. */
export const FIX_NONE = 0;
export const FIX_STACK = 1;
export const FIX_CONST = 2;
/** A legacy try's hidden slot for the exception its catch arm holds (between the constants and the operand stack). */
export const FIX_EXN = 3;

export interface Ctrl {
  kind: 'block' | 'loop' | 'if' | 'func' | 'try';
  /** Canonical height of the frame's first param/result. */
  height: number;
  params: readonly ValType[];
  results: readonly ValType[];
  /** Loop: pc of the label. */
  labelPc: number;
  /** Code positions waiting for the end label's pc. */
  fixups: number[];
  /** If: position of the BR_UNLESS target (-1 once bound). */
  elseFix: number;
  /** The frame was entered in unreachable code (nothing of it is emitted). */
  dead: boolean;
  /** try_table / legacy try: sequence number (handler rows sort innermost first by it). */
  seq?: number;
  /** try_table: its handler rows (their range ends at the try_table's end). */
  rows?: HRow[];
  /** Legacy try: start of the body, end of the body (at the first catch), hidden exception slot, next clause number. */
  legacy?: { start: number; bodyEnd: number; exn: number; ord: number };
}

/** A handler-table row being built (see exceptions.ts for the final layout). */
export interface HRow {
  seq: number;
  ord: number;
  start: number;
  end: number;
  kind: number;
  tag: number;
  target: number;
  /** Canonical height of the first payload slot, or -1. */
  height: number;
  /** Hidden exception slot index (legacy catch arms), or -1. */
  exn: number;
  /** Delegate: sequence limit. */
  limit: number;
}

/**
 * The words of a translation in progress: the code, each word's relocation (FIX_*) and its original offset (origAt:
 * an op's instruction offset, a trap mark's, -1 for any other word). Typed arrays of one capacity, kept between
 * translations (`spare`: the last finished translation's, taken by the next one) and doubled when full: number
 * arrays grown by push allocated their contents about three times over, and three of them per translation were
 * most of what the translations of a first run allocated (BENCHMARKS.md, session 18, helper heap14).
 */
export interface Words {
  code: Int32Array;
  fix: Uint8Array;
  origAt: Int32Array;
}
let spare: Words | null = null;
const SPARE_MAX = 1 << 18;
const NO_CODE = new Int32Array(0);
const NO_FIX = new Uint8Array(0);
/** The spare words, or new ones when another translation holds them (or none finished yet). */
function takeWords(): Words {
  const w = spare;
  spare = null;
  return w ?? { code: new Int32Array(256), fix: new Uint8Array(256), origAt: new Int32Array(256) };
}
/** @internal For tests: whether a translation's words are kept for the next one. */
export const spareWords = (): Words | null => spare;

export class TranslateState {
  /** The words (see Words): their first `n`. */
  protected code: Int32Array;
  protected fix: Uint8Array;
  protected origAt: Int32Array;
  /** The code's length: the pc of the next word. */
  protected n = 0;
  private words: Words | null;
  blockPc = new Map<number, number>();
  protected consts: number[] = [];
  /**
   * Constant slots by their words: a constant of i32 form (w1 w0's sign, w2 = w3 = 0: i32 constants, and i64, f32 and
   * f64 ones whose words are) by w0, a number; any other by the string of its four words. One string less for most
   * constants (BENCHMARKS.md, session 18, helper heap14).
   */
  protected constIndex = new Map<number | string, number>();
  // operand stack mirror
  protected kind: number[] = [];
  protected where: number[] = [];
  protected type: ValType[] = [];
  protected h = 0;
  protected maxH = 0;
  protected aliasCount: Int32Array;
  protected aliased = 0;
  protected ctrls: Ctrl[] = [];
  // fuel block
  protected inBlock = false;
  protected costPos = -1;
  protected cost = 0;
  // peephole state
  protected lastDst = -1;
  /** The last op emitted (-1: none since the block or a handler's range started: nothing fuses with it). */
  protected lastOpPos = -1;
  /**
   * The positions of the ops emitted since the last point nothing fuses across (lastOpPos -1), in order, the last
   * one lastOpPos: fusions rewrite the last op and may join the ops before it (fuseBack). The first `opRunN` entries
   * (the array is kept, not emptied: `length = 0` gave up its backing store, and each block's first push allocated
   * a new one; BENCHMARKS.md, session 18, helper heap14).
   */
  protected opRun: number[] = [];
  protected opRunN = 0;
  protected lastOp = -1;
  /** Positions of the fused ops KEEP may exchange (checked by keepInLocals once every operand is emitted). */
  protected keepAt: number[] = [];
  /** How many of keepAt's entries are such positions (the entry at keepN is scratch: see op). */
  protected keepN = 0;
  protected cur = 0;
  /** Exception handler rows (a catch clause's label is bound like a branch's, see bind). */
  protected rows: HRow[] = [];

  constructor(
    readonly nl: number,
    readonly localTypes: readonly ValType[],
    readonly nparams: number,
    readonly results: readonly ValType[],
    readonly exact: boolean,
    readonly env: TranslateEnv,
    /** Constant slots to reserve whatever this translation's own constants (the exact twin keeps the fast layout). */
    readonly reserveConsts = 0,
  ) {
    this.aliasCount = new Int32Array(nl);
    const w = (this.words = takeWords());
    this.code = w.code;
    this.fix = w.fix;
    this.origAt = w.origAt;
    this.ctrls.push({ kind: 'func', height: 0, params: [], results, labelPc: -1, fixups: [], elseFix: -1, dead: false });
  }

  // ------------------------------------------------------------ emission

  /** Appends a word and its relocation (its origAt -1: starts no op). */
  protected word(v: number, f: number): void {
    const n = this.n;
    if (n === this.code.length) this.grow();
    this.code[n] = v;
    this.fix[n] = f;
    this.origAt[n] = -1;
    this.n = n + 1;
  }
  private grow(): void {
    const w = this.words!;
    const cap = this.code.length * 2;
    const code = new Int32Array(cap);
    const fix = new Uint8Array(cap);
    const origAt = new Int32Array(cap);
    code.set(this.code);
    fix.set(this.fix);
    origAt.set(this.origAt);
    this.code = w.code = code;
    this.fix = w.fix = fix;
    this.origAt = w.origAt = origAt;
  }
  /** Removes the word at `pos` (splice). */
  private removeWord(pos: number): void {
    const n = this.n;
    this.code.copyWithin(pos, pos + 1, n);
    this.fix.copyWithin(pos, pos + 1, n);
    this.origAt.copyWithin(pos, pos + 1, n);
    this.n = n - 1;
  }
  /** The finished words (copies), the scratch given back for the next translation. */
  protected finishWords(): { code: Int32Array; fix: Uint8Array; origAt: Int32Array } {
    const n = this.n;
    const out = { code: this.code.slice(0, n), fix: this.fix.slice(0, n), origAt: this.origAt.slice(0, n) };
    // (not kept past SPARE_MAX words: a function's largest translation would hold its capacity for the process)
    if (this.words !== null && this.code.length <= SPARE_MAX) spare = this.words;
    this.words = null;
    // (nothing of this translator may read them now: the next translation writes them)
    this.code = NO_CODE;
    this.fix = NO_FIX;
    this.origAt = NO_CODE;
    return out;
  }

  protected op(op: Op): void {
    const last = this.lastOpPos >= 0 && !this.exact ? this.code[this.lastOpPos]! : -1;
    const fused = last >= 0 ? THEN.get(last)?.get(op) : undefined;
    if (fused !== undefined) {
      // the op just emitted runs first in the same dispatch (exec.ts); the fused op names its first instruction
      // that can trap, a later one is named by a trap mark on the word pc stands on when it runs (TRAPS)
      // (one store, its operands read on every fusion: a branch of its own for a trapping first op, first taken after V8
      // had optimised `op`, threw its code away there once per first run in quickjs and sql.js)
      const trapsFirst = TRAPS.has(last);
      const trapsThen = TRAPS.has(op);
      const pos = this.lastOpPos;
      const prev = this.n - 1;
      const at = !trapsFirst ? (op !== Op.I32_ADD ? pos : -1) : trapsThen ? prev : -1;
      if (at >= 0) this.origAt[at] = this.cur;
      this.code[this.lastOpPos] = fused;
      this.lastOp = fused;
      this.lastDst = -1;
      this.fuseBack();
      // (the position stored at every fusion and counted when kept: a push behind the test, first made after V8 had
      // optimised `op`, threw its code away at the first KEEP op in sql.js' and tiktoken's first runs)
      const kept = KEEP.has(this.lastOp);
      this.keepAt[this.keepN] = this.lastOpPos;
      this.keepN += kept ? 1 : 0;
      return;
    }
    if (this.lastOpPos < 0) this.opRunN = 0;
    this.opRun[this.opRunN++] = this.n;
    this.lastOpPos = this.n;
    this.lastOp = op;
    this.lastDst = -1;
    this.word(op, FIX_NONE);
    this.origAt[this.n - 1] = this.cur;
  }
  /**
   * After a fusion at lastOpPos: the op before it (prevOpPos) may run first in the same dispatch too (THEN), and
   * then the op before that one, as far back as THEN allows.
   */
  protected fuseBack(): void {
    for (;;) {
      const prev = this.prevOpPos();
      const pos = this.lastOpPos;
      const first = prev >= 0 ? this.code[prev]! : -1;
      const fused = first >= 0 ? THEN.get(first)?.get(this.lastOp) : undefined;
      if (fused === undefined) return;
      this.fuseAt(prev, pos, fused, first);
    }
  }
  private fuseAt(prev: number, pos: number, fused: Op, first: number): void {
    this.code[prev] = fused;
    // the fused op's names (TRAPS): the second op's name becomes a trap mark after a first op that can trap
    if (!TRAPS.has(first)) this.origAt[prev] = this.origAt[pos]!;
    else if (TRAPS.has(this.code[pos]!)) this.origAt[pos - 1] = this.origAt[pos]!;
    // the second op's opcode word goes: its operands follow the first op's (only its own operands, and its own
    // trap marks, come after it)
    this.removeWord(pos);
    this.opRunN--;
    this.lastOpPos = prev;
    this.lastOp = fused;
  }
  /**
   * KEEP's exchange: each op at keepAt (its position final: no later fusion takes these ops as its second) whose
   * intermediate results are stack temps the next op pops becomes the op that keeps them in JS locals, a
   * commutative next op's operands swapped where the temp is its second.
   */
  protected keepInLocals(): void {
    const code = this.code;
    const fix = this.fix;
    // the next op reads the result at q (the same slot), and nothing else does (a stack temp it pops) unless written
    const reads = (l: KeepLink, p: number, q: number) => fix[p] === fix[q] && code[p] === code[q] && (l.written || fix[p] === FIX_STACK);
    // every link holds as it is or, where the next op is commutative, with its operands swapped
    const holds = (k: Keep, pos: number) => k.links.every((l) => reads(l, pos + l.dst, pos + l.a) || (l.swap && reads(l, pos + l.dst, pos + l.a + 1)));
    const swap = (k: Keep, pos: number) => {
      for (const l of k.links) {
        if (reads(l, pos + l.dst, pos + l.a)) continue;
        const p = pos + l.a;
        [code[p], code[p + 1]] = [code[p + 1]!, code[p]!];
        [fix[p], fix[p + 1]] = [fix[p + 1]!, fix[p]!];
      }
    };
    for (let i = 0; i < this.keepN; i++) {
      const pos = this.keepAt[i]!;
      const k = KEEP.get(code[pos]!);
      if (k === undefined || !holds(k, pos)) continue;
      swap(k, pos);
      code[pos] = k.op;
      if (k.more === undefined || !holds(k.more, pos)) continue;
      swap(k.more, pos);
      code[pos] = k.more.op;
    }
  }
  /** The op emitted before the last one (-1: none it could fuse with). */
  protected prevOpPos(): number {
    const n = this.opRunN;
    return this.lastOpPos >= 0 && n >= 2 ? this.opRun[n - 2]! : -1;
  }
  protected imm(v: number): void {
    this.word(v | 0, FIX_NONE);
  }
  /** Operand: where the value at height `i` lives. */
  protected src(i: number): void {
    const k = this.kind[i]!;
    if (k === TEMP) this.word(i, FIX_STACK);
    else if (k === LOCAL) this.word(this.where[i]! * 4, FIX_NONE);
    else this.word(this.where[i]!, FIX_CONST);
  }
  /** Operand: the canonical slot of height `i` (a result). */
  protected dst(i: number): void {
    this.lastDst = this.n;
    this.word(i, FIX_STACK);
  }
  protected local(x: number): void {
    this.word(x * 4, FIX_NONE);
  }

  // ------------------------------------------------------------ operand stack mirror

  protected push(k: number, w: number, t: ValType): void {
    const i = this.h++;
    this.kind[i] = k;
    this.where[i] = w;
    this.type[i] = t;
    if (this.h > this.maxH) this.maxH = this.h;
    if (k === LOCAL) {
      this.aliasCount[w]!++;
      this.aliased++;
    } else if (k === CONST) this.aliased++;
  }
  protected pushTemp(t: ValType): number {
    this.push(TEMP, 0, t);
    return this.h - 1;
  }
  protected pop(): number {
    const i = --this.h;
    const k = this.kind[i]!;
    if (k === LOCAL) {
      this.aliasCount[this.where[i]!]!--;
      this.aliased--;
    } else if (k === CONST) this.aliased--;
    return i;
  }
  protected copyOp(t: ValType): Op {
    return t === V128 ? Op.COPY_V : isRef(t) ? Op.COPY_R : Op.COPY;
  }
  /** Copies the value at height i into its canonical slot. */
  protected materializeAt(i: number): void {
    const k = this.kind[i]!;
    if (k === TEMP) return;
    this.op(this.copyOp(this.type[i]!));
    this.dst(i);
    if (k === LOCAL) {
      this.local(this.where[i]!);
      this.aliasCount[this.where[i]!]!--;
    } else this.word(this.where[i]!, FIX_CONST);
    this.aliased--;
    this.kind[i] = TEMP;
    this.lastDst = -1;
  }
  protected materialize(): void {
    if (this.aliased === 0) return;
    for (let i = 0; i < this.h; i++) this.materializeAt(i);
  }
  protected materializeLocal(x: number): void {
    if (this.aliasCount[x] === 0) return;
    for (let i = 0; i < this.h; i++) if (this.kind[i] === LOCAL && this.where[i] === x) this.materializeAt(i);
  }
  protected constant(w0: number, w1: number, w2: number, w3: number, t: ValType): void {
    if (this.exact) {
      if (t === V128) {
        this.op(Op.CONST_V);
        this.dst(this.h);
        this.imm(w0);
        this.imm(w1);
        this.imm(w2);
        this.imm(w3);
      } else {
        this.op(Op.CONST);
        this.dst(this.h);
        this.imm(w0);
        this.imm(w1);
      }
      this.pushTemp(t);
      return;
    }
    const key = w1 === w0 >> 31 && w2 === 0 && w3 === 0 ? w0 : `${w0},${w1},${w2},${w3}`;
    let k = this.constIndex.get(key);
    if (k === undefined) {
      k = this.consts.length / 4;
      this.consts.push(w0, w1, w2, w3);
      this.constIndex.set(key, k);
    }
    this.push(CONST, k, t);
  }

  // ------------------------------------------------------------ fuel blocks

  protected startBlock(): void {
    this.materialize();
    this.blockPc.set(this.cur, this.n);
    this.op(this.exact ? Op.FUELX : Op.FUEL);
    this.costPos = this.n;
    this.imm(0);
    this.imm(this.cur);
    this.cost = 0;
    this.inBlock = true;
    this.lastOpPos = -1;
  }
  protected endBlock(): void {
    if (!this.inBlock) return;
    this.code[this.costPos] = this.cost;
    this.inBlock = false;
    this.lastOpPos = -1;
  }
  /** Binds a label here: the next instruction starts a new block at this pc. */
  protected bind(fixups: number[]): void {
    this.endBlock();
    const pc = this.n;
    for (const p of fixups) {
      if (p >= 0) this.code[p] = pc;
      else this.rows[~p]!.target = pc; // a catch clause's label
    }
    fixups.length = 0;
  }
}
