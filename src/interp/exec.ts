/**
 * The execution loop: one `for(;;) switch` over the internal code of the
 * function on top of an explicit call stack (a wasm call never recurses in
 * JS). Operands in the code are word offsets relative to the frame pointer
 * `fp` (a word index into the store's Int32Array value stack); every value
 * occupies one 16-byte slot = 4 words.
 *
 * Fuel: fast code charges each basic block once on entry (FUEL). When the
 * remaining fuel cannot pay for the block, execution switches to the exact
 * twin of the function (the same translation without fusion), which charges
 * every original instruction on its own (STEP) and so stops before the first
 * instruction it cannot pay for. See docs/fuel.md.
 *
 * The opcode enum lives in this file on purpose: esbuild inlines same-file
 * const enum members, so every `case` label is a literal and V8 builds a
 * jump table for the switch.
 *
 * Index arithmetic in the loop is written `(pc + 1) | 0`, `(fp + off) | 0`,
 * `(d + 1) | 0`, `pc = (pc + 3) | 0`: a plain `pc + 1` used as a typed-array
 * index makes V8 check the int32 addition for overflow (a `jo` after every
 * add: two per operand read, 331 in the loop's machine code), the `| 0`
 * tells it the wrapped sum is wanted (46 left). Pcs, frame pointers and slot
 * offsets are far below 2^31, so nothing wraps.
 */
import { Trap } from '../core/errors.js';
import * as I64 from './numeric/i64.js';
import * as I32N from './numeric/i32.js';
import * as F64N from './numeric/f64.js';
import { HostFunc, WasmFunc, type FuncInst } from '../runtime/objects/func.js';
import { type Memory } from '../runtime/objects/memory.js';
import type { Compiled } from './compiled.js';
import type { Machine } from './machine.js';
import { execMisc, MISC_WIDTH } from './misc.js';
import { SHUFFLE_SRC, SHUFFLE_SRC8, SIMD_EXEC } from './simd-exec.js';
import { exnOf } from './exceptions.js';
import { callJs, callJsOsr, jitFor, JS_STACK_UNITS, STATUS_HANDOFF, type JitFn } from './tier.js';

export const enum Op {
  // ---- control
  UNREACHABLE,
  FUEL, // cost origOffset          (fast code: charge a basic block)
  FUELX, // cost origOffset         (exact code: block start; back to fast code when fuel suffices)
  STEP, // cost                     (exact code: charge one original instruction)
  BR, // target
  BR_IF, // c target
  BR_UNLESS, // c target
  BR_TABLE, // c n t0 .. tn        (n+1 targets, the last is the default)
  RETURN,
  CALL, // funcIndex base
  CALL_INDIRECT, // typeId tableIndex idxSlot base
  RETURN_CALL, // funcIndex base nparams
  RETURN_CALL_INDIRECT, // typeId tableIndex idxSlot base
  // fused compare + branch (i32)
  BR_IF_EQZ, // a target
  BR_IF_EQ, // a b target
  BR_IF_NE,
  BR_IF_LT_S,
  BR_IF_LT_U,
  BR_IF_GT_S,
  BR_IF_GT_U,
  BR_IF_LE_S,
  BR_IF_LE_U,
  BR_IF_GE_S,
  BR_IF_GE_U,
  // ---- moves
  COPY, // d s   (2 words: i32 i64 f32 f64)
  COPY_V, // d s (4 words)
  COPY_R, // d s (ref slot)
  CONST, // d lo hi
  CONST_V, // d w0 w1 w2 w3
  CONST_NULL, // d
  SELECT, // d a b c
  SELECT_V,
  SELECT_R,
  GLOBAL_GET, // d g
  GLOBAL_SET, // g s
  GLOBAL_GET_V,
  GLOBAL_SET_V,
  GLOBAL_GET_R,
  GLOBAL_SET_R,
  // ---- memory 0 (d/a addr off)
  I32_LOAD, // d a off
  I64_LOAD,
  I32_LOAD8_S,
  I32_LOAD8_U,
  I32_LOAD16_S,
  I32_LOAD16_U,
  I64_LOAD8_S,
  I64_LOAD8_U,
  I64_LOAD16_S,
  I64_LOAD16_U,
  I64_LOAD32_S,
  I64_LOAD32_U,
  I32_STORE, // a v off
  I64_STORE,
  I32_STORE8,
  I32_STORE16,
  I64_STORE8,
  I64_STORE16,
  I64_STORE32,
  MEMORY_SIZE, // d mem
  MEMORY_GROW, // d n mem
  // ---- i32
  I32_EQZ,
  I32_EQ,
  I32_NE,
  I32_LT_S,
  I32_LT_U,
  I32_GT_S,
  I32_GT_U,
  I32_LE_S,
  I32_LE_U,
  I32_GE_S,
  I32_GE_U,
  I32_CLZ,
  I32_CTZ,
  I32_POPCNT,
  I32_ADD,
  I32_SUB,
  I32_MUL,
  I32_DIV_S,
  I32_DIV_U,
  I32_REM_S,
  I32_REM_U,
  I32_AND,
  I32_OR,
  I32_XOR,
  I32_SHL,
  I32_SHR_S,
  I32_SHR_U,
  I32_ROTL,
  I32_ROTR,
  // ---- i64
  I64_EQZ,
  I64_EQ,
  I64_NE,
  I64_LT_S,
  I64_LT_U,
  I64_GT_S,
  I64_GT_U,
  I64_LE_S,
  I64_LE_U,
  I64_GE_S,
  I64_GE_U,
  I64_CLZ,
  I64_CTZ,
  I64_POPCNT,
  I64_ADD,
  I64_SUB,
  I64_MUL,
  I64_DIV_S,
  I64_DIV_U,
  I64_REM_S,
  I64_REM_U,
  I64_AND,
  I64_OR,
  I64_XOR,
  I64_SHL,
  I64_SHR_S,
  I64_SHR_U,
  I64_ROTL,
  I64_ROTR,
  // ---- f32
  F32_EQ,
  F32_NE,
  F32_LT,
  F32_GT,
  F32_LE,
  F32_GE,
  F32_ABS,
  F32_NEG,
  F32_CEIL,
  F32_FLOOR,
  F32_TRUNC,
  F32_NEAREST,
  F32_SQRT,
  F32_ADD,
  F32_SUB,
  F32_MUL,
  F32_DIV,
  F32_MIN,
  F32_MAX,
  F32_COPYSIGN,
  // ---- f64
  F64_EQ,
  F64_NE,
  F64_LT,
  F64_GT,
  F64_LE,
  F64_GE,
  F64_ABS,
  F64_NEG,
  F64_CEIL,
  F64_FLOOR,
  F64_TRUNC,
  F64_NEAREST,
  F64_SQRT,
  F64_ADD,
  F64_SUB,
  F64_MUL,
  F64_DIV,
  F64_MIN,
  F64_MAX,
  F64_COPYSIGN,
  // ---- conversions
  I32_WRAP_I64,
  I64_EXTEND_I32_S,
  I64_EXTEND_I32_U,
  I32_EXTEND8_S,
  I32_EXTEND16_S,
  I64_EXTEND8_S,
  I64_EXTEND16_S,
  I64_EXTEND32_S,
  F32_DEMOTE_F64,
  F64_PROMOTE_F32,
  F32_CONVERT_I32_S,
  F32_CONVERT_I32_U,
  F64_CONVERT_I32_S,
  F64_CONVERT_I32_U,
  /** Every other conversion: d a defId (dispatched to numeric helpers). */
  CONVERT,
  // ---- references
  REF_IS_NULL, // d a
  REF_FUNC, // d funcIndex
  REF_AS_NON_NULL, // d a
  /** Everything rare (bulk memory, tables, SIMD, other memories, GC, ...): sub d a b c. */
  MISC,
  CALL_REF, // refSlot base
  RETURN_CALL_REF, // refSlot base
  /** FUEL at a loop head of a function with a JS version (jit/codegen.ts patches it in): cost origOffset. */
  FUEL_OSR,
  /** A vector instruction, MISC's layout: its executor (simd-exec.ts) called straight from the loop. */
  SIMD,
  // ---- the commonest vector instructions, inline (memory 0, 32-bit addresses; as in ./simd/)
  V128_LOAD, // d a off
  V128_STORE, // a v off
  F32X4_ADD, // d a b
  F32X4_SUB,
  F32X4_MUL,
  V128_XOR,
  // ---- i32.add, then the op named (fast code: two ops, one dispatch): d a b, then that op's operands
  ADD_ADD,
  ADD_I32_LOAD,
  ADD_I32_LOAD8_U,
  ADD_I64_LOAD,
  ADD_I32_STORE,
  ADD_I32_STORE8,
  ADD_I64_STORE,
  /** COPY (d s), then RETURN (a function's single result into place, and return). */
  COPY_RETURN,
  ADD_BR,
  ADD_BR_IF,
  ADD_BR_UNLESS,
  ADD_BR_IF_EQZ,
  ADD_BR_IF_EQ,
  ADD_BR_IF_NE,
  ADD_BR_IF_LT_S,
  ADD_BR_IF_LT_U,
  ADD_BR_IF_GT_S,
  ADD_BR_IF_GT_U,
  ADD_BR_IF_LE_S,
  ADD_BR_IF_LE_U,
  ADD_BR_IF_GE_S,
  ADD_BR_IF_GE_U,
  // ---- f64.load / f64.store (the i64 ops' bodies: bits move as two int32 halves), ops of their own so that
  // the f64 arithmetic before them can fuse with them
  F64_LOAD, // d a off
  F64_STORE, // a v off
  // ---- pairs of pure ops, or a pure op and a memory access (THEN, translate-state.ts): the first op, then
  // the second (which reads its operands from the advanced pc); fast code only, only the second can trap
  COPY_COPY,
  ROTL_XOR,
  SHR_U_AND,
  F32_MUL_MUL,
  I64_ROTL_MUL,
  I64_MUL_ADD,
  F64_MUL_F64_LOAD,
  F64_ADD_F64_STORE,
  ADD_COPY_RETURN,
  ADD_V128_LOAD,
  COPY3,
  ROTL_ROTL_XOR,
  MUL_ADD_I32_LOAD8_U,
  XOR_ADD_BR_IF_LT_U,
  SHL_ADD_I32_LOAD,
  I64_MUL_EXTEND_U,
  I64_SHR_U_XOR,
  F32X4_MUL_ADD,
  // ---- more vector instructions inline, word by word (d a b; i32x4.shl's b is the i32 count)
  I32X4_ADD,
  I16X8_ADD,
  I32X4_SHL,
  I8X16_ADD_SAT_U,
  I16X8_EXTEND_LOW_I8X16_U, // d a
  I16X8_EXTEND_HIGH_I8X16_U,
  /** i8x16.shuffle in MISC's layout (the 16 lane indices packed in i0..i3), inline. */
  I8X16_SHUFFLE,
  // ---- more pairs and triples (THEN): nbody's f32 results stored, its address add before two f32 muls, simd's
  // f32x4 sub (after a mul) stored
  F32_ADD_I32_STORE,
  F32_SUB_I32_STORE,
  ADD_F32_MUL_MUL,
  F32X4_SUB_V128_STORE,
  F32X4_MUL_SUB_V128_STORE,
  I64_MUL_ADD_ROTL_MUL,
  // ---- two or three i32.adds before an op (THEN after ADD_ADD; session 13): sha256's, matmul's and dispatch's
  // address adds before a load, matmul's and hash64's loop counters, fib's, sieve's and matmul's adds before a
  // loop's compare-and-branch
  ADD3,
  ADD_ADD_I32_LOAD,
  ADD_ADD_F64_LOAD,
  ADD_ADD_BR_IF_NE,
  ADD3_BR_IF_NE,
  ADD_ADD_BR_IF_GT_U,
  ADD_ADD_I32_LOAD8_U,
  // ---- a copy, then a compare-and-branch (fib's and hash64's loop and entry tests)
  COPY_BR_IF_LT_U,
  COPY_BR_IF_LE_U,
  // ---- a memory access that can trap, then other ops (TRAPS, translate-state.ts; session 14): the fused op's
  // origAt names its first access, a trap mark each later one
  I64_LOAD_MUL_ADD_ROTL_MUL,
  ADD_I64_LOAD_MUL_ADD_ROTL_MUL,
  MUL_ADD_LOAD8_U_XOR_ADD_BR_IF_LT_U,
  ADD_I32_STORE8_ADD_BR_IF_LT_U,
  I32_LOAD_BR_IF_LT_U,
  I32_LOAD8_U_SELECT,
  ADD_I32_LOAD8_U_SELECT,
  F64_MUL_LOAD_ADD_STORE,
  F64_LOAD_MUL_LOAD_ADD_STORE,
  ADD_ADD_F64_LOAD_MUL_LOAD_ADD_STORE,
  // ---- hash64's round (the three ops above that end in I64_MUL_ADD_ROTL_MUL) with its intermediate results in JS
  // locals: KEEP (translate-state.ts) turns an op into these when nothing but the next instruction reads each of
  // them; the operand layout is the written-out op's
  I64_ROUND,
  I64_LOAD_ROUND,
  ADD_I64_LOAD_ROUND,
  // ---- and with the value loaded (and the address added) in JS locals too (KEEP's `more`; session 20)
  I64_LOAD_ROUND_KEPT,
  ADD_I64_LOAD_ROUND_KEPT,
  // ---- simd's saxpy likewise (KEEP): f32x4.mul then add, the product in JS locals; f32x4.mul, sub, v128.store,
  // the product and the difference in JS locals
  F32X4_MUL_ADD_KEPT,
  F32X4_MUL_SUB_V128_STORE_KEPT,
  // ---- matmul's inner loop likewise (KEEP): both values loaded, the product and the sum in JS locals
  F64_LOAD_MUL_LOAD_ADD_STORE_KEPT,
  ADD_ADD_F64_LOAD_MUL_LOAD_ADD_STORE_KEPT,
  // ---- nbody's two f32 muls likewise (KEEP): the first product in a JS local
  F32_MUL_MUL_KEPT,
  ADD_F32_MUL_MUL_KEPT,
  // ---- sha256's rotations likewise (KEEP): the rotated values in JS locals
  ROTL_ROTL_XOR_KEPT,
  ROTL_XOR_KEPT,
  // ---- nbody's f32 results stored likewise (KEEP): the sum or difference in a JS local, stored from it
  F32_ADD_I32_STORE_KEPT,
  F32_SUB_I32_STORE_KEPT,
  // ---- simd's address add before a v128.load likewise (KEEP): the address in a JS local
  ADD_V128_LOAD_KEPT,
  // ---- nbody's velocity updates in one dispatch (THEN; session 15): f32.load, add, store (vx += ...); f32.mul,
  // mul, sub, store (vx -= ...); and likewise with the values between them in JS locals (KEEP)
  I32_LOAD_F32_ADD_I32_STORE,
  F32_MUL_MUL_SUB_I32_STORE,
  I32_LOAD_F32_ADD_I32_STORE_KEPT,
  F32_MUL_MUL_SUB_I32_STORE_KEPT,
  // ---- nbody's dx = x - f32.load (an address add, the load, the sub) and its vx -= dx * m * mag with the f32.load
  // of vx before it, in one dispatch (THEN; session 16), and likewise with values between them in JS locals (KEEP)
  ADD_I32_LOAD_F32_SUB,
  I32_LOAD_F32_MUL_MUL_SUB_I32_STORE,
  ADD_I32_LOAD_F32_SUB_KEPT,
  I32_LOAD_F32_MUL_MUL_SUB_I32_STORE_KEPT,
  // ---- nbody's vx += dx * m * mag with its address add: ADD_F32_MUL_MUL then I32_LOAD_F32_ADD_I32_STORE (THEN),
  // and its kept form (KEEP)
  ADD_F32_MUL_MUL_I32_LOAD_F32_ADD_I32_STORE,
  ADD_F32_MUL_MUL_I32_LOAD_F32_ADD_I32_STORE_KEPT,
}

/** Thrown inside the loop to stop with a resumable out-of-fuel state. */
export const STATUS_DONE = 0;
export const STATUS_OUT_OF_FUEL = 1;
export const STATUS_SUSPENDED = 2;
/** Outcomes of Machine.callHost. */
export const HOST_OK = 0;
export const HOST_NO_FUEL = 1;
export const HOST_SUSPENDED = 2;

/**
 * Runs the machine from its saved state (top frame) until the frame at
 * `entryDepth` returns (STATUS_DONE) or fuel runs out (STATUS_OUT_OF_FUEL,
 * state saved for resume).
 */
export function run(mc: Machine, entryDepth: number): number {
  let comp: Compiled = mc.comp;
  let code = comp.ops;
  let pc = mc.pc | 0;
  let fp = mc.fp | 0;
  let fuel = mc.fuel;
  let blk = mc.blk | 0;
  let s = mc.s;
  let f32 = mc.f32;
  let f64 = mc.f64;
  let refs = mc.refs;
  let inst = comp.inst;
  let funcs = inst.funcs;
  let globals = inst.globals;
  let mem0: Memory | null = inst.memories[0] ?? null;
  let view: DataView = mem0 ? mem0.view : EMPTY_VIEW;
  let memLen = mem0 ? mem0.byteLength : 0;
  let depth = mc.depth | 0;
  const prof = mc.profile;
  let a = 0,
    b = 0,
    d = 0,
    x = 0,
    y = 0,
    ea = 0,
    fr = 0.5; // float results (kept apart from the integer temporaries)

  try {
    // Two loops: the inner one dispatches; a branch, call or return goes round the outer one, which
    // re-types the frame's numbers. V8 enters a long-running call's loop on the stack (OSR) at the outermost
    // loop first, with every variable's type unknown: entered at the dispatch loop itself, pc and fp stay
    // tagged values checked at every use for the rest of the call; entered here, the dispatch loop sees
    // int32s (BENCHMARKS.md, interpreter: OSR).
    outer: for (;;) {
      pc |= 0;
      fp |= 0;
      blk |= 0;
      depth |= 0;
      fuel = +fuel;
      // the same objects as the locals hold, re-read so that in OSR code they are loads from the machine and the
      // function rather than values from the interpreter's frame, which every case re-checked (BENCHMARKS.md,
      // interpreter, session 12)
      s = mc.s;
      f32 = mc.f32;
      f64 = mc.f64;
      code = comp.ops;
      for (;;) {
        // a memory access out of bounds leaves the switch (break oob) for the one throw after it: 48 accesses share
        // it, 806 bytes of V8 bytecode less than a throw at each (run must stay under V8's limit for optimization,
        // --max-optimized-bytecode-size: test/unit/interp-v8-size.test.ts); the switch keeps its indentation
        oob: {
        switch (code[pc]) {
          case Op.UNREACHABLE:
            throw new Trap('unreachable');
          case Op.FUEL:
            a = code[(pc + 1) | 0]!;
            if (fuel < a) {
              // not enough for the whole block: continue in the exact twin
              comp = mc.exactTwin(comp);
              pc = comp.blockPc.get(code[(pc + 2) | 0]!)! | 0;
              code = comp.ops;
              break;
            }
            fuel -= a;
            blk = pc;
            pc = (pc + 3) | 0;
            break;
          // ---- JS tier: re-entry into the function's JS version at a loop head (src/jit)
          case Op.FUEL_OSR: {
            a = code[(pc + 1) | 0]!;
            if (fuel < a) {
              comp = mc.exactTwin(comp);
              pc = comp.blockPc.get(code[(pc + 2) | 0]!)! | 0;
              code = comp.ops;
              break;
            }
            const jf = mc.jsd < JS_STACK_UNITS ? (comp.func.jit as JitFn | null) : null;
            if (jf === null || fuel < (comp.osrFuel.get(pc) ?? a)) {
              fuel -= a;
              blk = pc;
              pc = (pc + 3) | 0;
              break;
            }
            // the JS version runs this frame from here (and charges this block)
            mc.fuel = fuel;
            const st = callJsOsr(mc, jf, fp, depth, code[(pc + 2) | 0]!);
            refs = mc.refs;
            fuel = mc.fuel;
            if (st === STATUS_DONE) {
              // the frame returned (results at fp)
              if (depth === entryDepth) {
                mc.save(comp, pc, fp, fuel, blk, depth);
                return STATUS_DONE;
              }
              depth--;
              comp = mc.fComp[depth]!;
              pc = mc.fPc[depth]!;
              fp = mc.fFp[depth]!;
              blk = mc.fBlk[depth]!;
            } else {
              // stopped: the JS code saved this frame's state (or its record, below a stopped callee)
              if (st !== STATUS_HANDOFF) return st;
              comp = mc.comp;
              pc = mc.pc | 0;
              fp = mc.fp | 0;
              blk = mc.blk | 0;
              depth = mc.depth | 0;
            }
            code = comp.ops;
            inst = comp.inst;
            funcs = inst.funcs;
            globals = inst.globals;
            mem0 = inst.memories[0] ?? null;
            if (mem0) {
              view = mem0.view;
              memLen = mem0.byteLength;
            }
            continue outer;
          }
          case Op.FUELX:
            if (fuel >= code[(pc + 1) | 0]! && comp.twin) {
              // fuel suffices again for a whole block: back to fast code
              const orig = code[(pc + 2) | 0]!;
              comp = comp.twin;
              code = comp.ops;
              pc = comp.blockPc.get(orig)! | 0;
              break;
            }
            pc = (pc + 3) | 0;
            break;
          case Op.STEP:
            a = code[(pc + 1) | 0]!;
            if (fuel < a) {
              mc.needed = a;
              mc.save(comp, pc, fp, fuel, blk, depth);
              return STATUS_OUT_OF_FUEL;
            }
            fuel -= a;
            pc = (pc + 2) | 0;
            break;
          // i32.add, then falls through into BR (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.ADD_BR:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
          case Op.BR:
            pc = code[(pc + 1) | 0]!;
            if (code[pc] === Op.FUEL && fuel >= code[(pc + 1) | 0]!) {
              fuel -= code[(pc + 1) | 0]!;
              blk = pc;
              pc = (pc + 3) | 0;
            }
            continue outer;
          // i32.add, then falls through into BR_IF (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.ADD_BR_IF:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
          case Op.BR_IF:
            pc = s[(fp + code[(pc + 1) | 0]!) | 0] !== 0 ? code[(pc + 2) | 0]! : pc + 3;
            if (code[pc] === Op.FUEL && fuel >= code[(pc + 1) | 0]!) {
              fuel -= code[(pc + 1) | 0]!;
              blk = pc;
              pc = (pc + 3) | 0;
            }
            continue outer;
          // i32.add, then falls through into BR_UNLESS (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.ADD_BR_UNLESS:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
          case Op.BR_UNLESS:
            pc = s[(fp + code[(pc + 1) | 0]!) | 0] === 0 ? code[(pc + 2) | 0]! : pc + 3;
            if (code[pc] === Op.FUEL && fuel >= code[(pc + 1) | 0]!) {
              fuel -= code[(pc + 1) | 0]!;
              blk = pc;
              pc = (pc + 3) | 0;
            }
            continue outer;
          case Op.BR_TABLE: {
            const n = code[(pc + 2) | 0]!;
            x = s[(fp + code[(pc + 1) | 0]!) | 0]! >>> 0;
            pc = code[pc + 3 + (x < n ? x : n)]!;
            if (code[pc] === Op.FUEL && fuel >= code[(pc + 1) | 0]!) {
              fuel -= code[(pc + 1) | 0]!;
              blk = pc;
              pc = (pc + 3) | 0;
            }
            continue outer;
          }
          // i32.add, then falls through into BR_IF_EQZ (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.ADD_BR_IF_EQZ:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
          case Op.BR_IF_EQZ:
            pc = s[(fp + code[(pc + 1) | 0]!) | 0] === 0 ? code[(pc + 2) | 0]! : pc + 3;
            if (code[pc] === Op.FUEL && fuel >= code[(pc + 1) | 0]!) {
              fuel -= code[(pc + 1) | 0]!;
              blk = pc;
              pc = (pc + 3) | 0;
            }
            continue outer;
          // i32.add, then falls through into BR_IF_EQ (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.ADD_BR_IF_EQ:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
          case Op.BR_IF_EQ:
            pc = s[(fp + code[(pc + 1) | 0]!) | 0] === s[(fp + code[(pc + 2) | 0]!) | 0] ? code[(pc + 3) | 0]! : pc + 4;
            if (code[pc] === Op.FUEL && fuel >= code[(pc + 1) | 0]!) {
              fuel -= code[(pc + 1) | 0]!;
              blk = pc;
              pc = (pc + 3) | 0;
            }
            continue outer;
          // i32.add, then falls through into ADD_ADD_BR_IF_NE (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.ADD3_BR_IF_NE:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
          // i32.add, then falls through into ADD_BR_IF_NE (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.ADD_ADD_BR_IF_NE:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
          // i32.add, then falls through into BR_IF_NE (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.ADD_BR_IF_NE:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
          case Op.BR_IF_NE:
            pc = s[(fp + code[(pc + 1) | 0]!) | 0] !== s[(fp + code[(pc + 2) | 0]!) | 0] ? code[(pc + 3) | 0]! : pc + 4;
            if (code[pc] === Op.FUEL && fuel >= code[(pc + 1) | 0]!) {
              fuel -= code[(pc + 1) | 0]!;
              blk = pc;
              pc = (pc + 3) | 0;
            }
            continue outer;
          // i32.add, then falls through into BR_IF_LT_S (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.ADD_BR_IF_LT_S:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
          case Op.BR_IF_LT_S:
            pc = s[(fp + code[(pc + 1) | 0]!) | 0]! < s[(fp + code[(pc + 2) | 0]!) | 0]! ? code[(pc + 3) | 0]! : pc + 4;
            if (code[pc] === Op.FUEL && fuel >= code[(pc + 1) | 0]!) {
              fuel -= code[(pc + 1) | 0]!;
              blk = pc;
              pc = (pc + 3) | 0;
            }
            continue outer;
          // i32.mul, i32.add, i32.load8_u (its trap is the fused op's, at the op's origAt), then falls through into
          // XOR_ADD_BR_IF_LT_U (alloc's checksum loop in one dispatch)
          // @ts-expect-error -- falls through on purpose
          case Op.MUL_ADD_LOAD8_U_XOR_ADD_BR_IF_LT_U:
            s[(fp + code[(pc + 1) | 0]!) | 0] = Math.imul(s[(fp + code[(pc + 2) | 0]!) | 0]!, s[(fp + code[(pc + 3) | 0]!) | 0]!);
            pc = (pc + 3) | 0;
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
            ea = (s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (ea + 1 > memLen) break oob;
            s[(fp + code[(pc + 1) | 0]!) | 0] = view.getUint8(ea);
            pc = (pc + 3) | 0;
          // i32.xor, then falls through into ADD_BR_IF_LT_U (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.XOR_ADD_BR_IF_LT_U:
            s[(fp + code[(pc + 1) | 0]!) | 0] = s[(fp + code[(pc + 2) | 0]!) | 0]! ^ s[(fp + code[(pc + 3) | 0]!) | 0]!;
            pc = (pc + 3) | 0;
          // i32.add, then falls through into BR_IF_LT_U (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.ADD_BR_IF_LT_U:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
          case Op.BR_IF_LT_U:
            pc = s[(fp + code[(pc + 1) | 0]!) | 0]! >>> 0 < s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0 ? code[(pc + 3) | 0]! : pc + 4;
            if (code[pc] === Op.FUEL && fuel >= code[(pc + 1) | 0]!) {
              fuel -= code[(pc + 1) | 0]!;
              blk = pc;
              pc = (pc + 3) | 0;
            }
            continue outer;
          // COPY, then BR_IF_LT_U's body (the cases before BR_IF_LT_U and ADD_BR_IF_LT_U fall through already)
          case Op.COPY_BR_IF_LT_U:
            d = (fp + code[(pc + 1) | 0]!) | 0;
            a = (fp + code[(pc + 2) | 0]!) | 0;
            s[d] = s[a]!;
            s[(d + 1) | 0] = s[(a + 1) | 0]!;
            pc = (pc + 2) | 0;
            pc = s[(fp + code[(pc + 1) | 0]!) | 0]! >>> 0 < s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0 ? code[(pc + 3) | 0]! : pc + 4;
            if (code[pc] === Op.FUEL && fuel >= code[(pc + 1) | 0]!) {
              fuel -= code[(pc + 1) | 0]!;
              blk = pc;
              pc = (pc + 3) | 0;
            }
            continue outer;
          // i32.add, i32.store8 (its trap is the fused op's, at the op's origAt), i32.add, then BR_IF_LT_U's body (sieve's
          // marking loop in one dispatch; the cases before BR_IF_LT_U fall through already)
          case Op.ADD_I32_STORE8_ADD_BR_IF_LT_U:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
            ea = (s[(fp + code[(pc + 1) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (ea + 1 > memLen) break oob;
            view.setInt8(ea, s[(fp + code[(pc + 2) | 0]!) | 0]!);
            pc = (pc + 3) | 0;
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
            pc = s[(fp + code[(pc + 1) | 0]!) | 0]! >>> 0 < s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0 ? code[(pc + 3) | 0]! : pc + 4;
            if (code[pc] === Op.FUEL && fuel >= code[(pc + 1) | 0]!) {
              fuel -= code[(pc + 1) | 0]!;
              blk = pc;
              pc = (pc + 3) | 0;
            }
            continue outer;
          // i32.load (its trap is the fused op's, at the op's origAt), then BR_IF_LT_U's body (dispatch's bounds test)
          case Op.I32_LOAD_BR_IF_LT_U:
            ea = (s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (ea + 4 > memLen) break oob;
            s[(fp + code[(pc + 1) | 0]!) | 0] = view.getInt32(ea, true);
            pc = (pc + 3) | 0;
            pc = s[(fp + code[(pc + 1) | 0]!) | 0]! >>> 0 < s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0 ? code[(pc + 3) | 0]! : pc + 4;
            if (code[pc] === Op.FUEL && fuel >= code[(pc + 1) | 0]!) {
              fuel -= code[(pc + 1) | 0]!;
              blk = pc;
              pc = (pc + 3) | 0;
            }
            continue outer;
          // COPY, then BR_IF_LE_U's body (the case before BR_IF_LE_U falls through already)
          case Op.COPY_BR_IF_LE_U:
            d = (fp + code[(pc + 1) | 0]!) | 0;
            a = (fp + code[(pc + 2) | 0]!) | 0;
            s[d] = s[a]!;
            s[(d + 1) | 0] = s[(a + 1) | 0]!;
            pc = (pc + 2) | 0;
            pc = s[(fp + code[(pc + 1) | 0]!) | 0]! >>> 0 <= s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0 ? code[(pc + 3) | 0]! : pc + 4;
            if (code[pc] === Op.FUEL && fuel >= code[(pc + 1) | 0]!) {
              fuel -= code[(pc + 1) | 0]!;
              blk = pc;
              pc = (pc + 3) | 0;
            }
            continue outer;
          // i32.add, then falls through into BR_IF_GT_S (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.ADD_BR_IF_GT_S:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
          case Op.BR_IF_GT_S:
            pc = s[(fp + code[(pc + 1) | 0]!) | 0]! > s[(fp + code[(pc + 2) | 0]!) | 0]! ? code[(pc + 3) | 0]! : pc + 4;
            if (code[pc] === Op.FUEL && fuel >= code[(pc + 1) | 0]!) {
              fuel -= code[(pc + 1) | 0]!;
              blk = pc;
              pc = (pc + 3) | 0;
            }
            continue outer;
          // i32.add, then falls through into ADD_BR_IF_GT_U (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.ADD_ADD_BR_IF_GT_U:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
          // i32.add, then falls through into BR_IF_GT_U (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.ADD_BR_IF_GT_U:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
          case Op.BR_IF_GT_U:
            pc = s[(fp + code[(pc + 1) | 0]!) | 0]! >>> 0 > s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0 ? code[(pc + 3) | 0]! : pc + 4;
            if (code[pc] === Op.FUEL && fuel >= code[(pc + 1) | 0]!) {
              fuel -= code[(pc + 1) | 0]!;
              blk = pc;
              pc = (pc + 3) | 0;
            }
            continue outer;
          // i32.add, then falls through into BR_IF_LE_S (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.ADD_BR_IF_LE_S:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
          case Op.BR_IF_LE_S:
            pc = s[(fp + code[(pc + 1) | 0]!) | 0]! <= s[(fp + code[(pc + 2) | 0]!) | 0]! ? code[(pc + 3) | 0]! : pc + 4;
            if (code[pc] === Op.FUEL && fuel >= code[(pc + 1) | 0]!) {
              fuel -= code[(pc + 1) | 0]!;
              blk = pc;
              pc = (pc + 3) | 0;
            }
            continue outer;
          // i32.add, then falls through into BR_IF_LE_U (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.ADD_BR_IF_LE_U:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
          case Op.BR_IF_LE_U:
            pc = s[(fp + code[(pc + 1) | 0]!) | 0]! >>> 0 <= s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0 ? code[(pc + 3) | 0]! : pc + 4;
            if (code[pc] === Op.FUEL && fuel >= code[(pc + 1) | 0]!) {
              fuel -= code[(pc + 1) | 0]!;
              blk = pc;
              pc = (pc + 3) | 0;
            }
            continue outer;
          // i32.add, then falls through into BR_IF_GE_S (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.ADD_BR_IF_GE_S:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
          case Op.BR_IF_GE_S:
            pc = s[(fp + code[(pc + 1) | 0]!) | 0]! >= s[(fp + code[(pc + 2) | 0]!) | 0]! ? code[(pc + 3) | 0]! : pc + 4;
            if (code[pc] === Op.FUEL && fuel >= code[(pc + 1) | 0]!) {
              fuel -= code[(pc + 1) | 0]!;
              blk = pc;
              pc = (pc + 3) | 0;
            }
            continue outer;
          // i32.add, then falls through into BR_IF_GE_U (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.ADD_BR_IF_GE_U:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
          case Op.BR_IF_GE_U:
            pc = s[(fp + code[(pc + 1) | 0]!) | 0]! >>> 0 >= s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0 ? code[(pc + 3) | 0]! : pc + 4;
            if (code[pc] === Op.FUEL && fuel >= code[(pc + 1) | 0]!) {
              fuel -= code[(pc + 1) | 0]!;
              blk = pc;
              pc = (pc + 3) | 0;
            }
            continue outer;

          // i32.add, then falls through into COPY_RETURN (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.ADD_COPY_RETURN:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
          // COPY, then falls through into RETURN
          // @ts-expect-error -- falls through on purpose
          case Op.COPY_RETURN:
            d = (fp + code[(pc + 1) | 0]!) | 0;
            a = (fp + code[(pc + 2) | 0]!) | 0;
            s[d] = s[a]!;
            s[(d + 1) | 0] = s[(a + 1) | 0]!;
            pc = (pc + 2) | 0;
          case Op.RETURN: {
            if (prof !== null) prof.exit(mc.fuelBase - fuel);
            if (depth === entryDepth) {
              mc.save(comp, pc, fp, fuel, blk, depth);
              return STATUS_DONE;
            }
            depth--;
            comp = mc.fComp[depth]!;
            code = comp.ops;
            pc = mc.fPc[depth]!;
            fp = mc.fFp[depth]!;
            blk = mc.fBlk[depth]!;
            if (comp.inst !== inst) {
              // (within one instance, a memory.grow in the callee has already refreshed view and memLen)
              inst = comp.inst;
              funcs = inst.funcs;
              globals = inst.globals;
              mem0 = inst.memories[0] ?? null;
              if (mem0) {
                view = mem0.view;
                memLen = mem0.byteLength;
              }
            }
            if (code[pc] === Op.FUEL && fuel >= code[(pc + 1) | 0]!) {
              fuel -= code[(pc + 1) | 0]!;
              blk = pc;
              pc = (pc + 3) | 0;
            }
            continue outer;
          }

          case Op.CALL:
          case Op.CALL_INDIRECT:
          case Op.RETURN_CALL:
          case Op.RETURN_CALL_INDIRECT:
          case Op.CALL_REF:
          case Op.RETURN_CALL_REF: {
            const op = code[pc]!;
            let callee: FuncInst;
            let base: number;
            let next: number;
            if (op === Op.CALL || op === Op.RETURN_CALL) {
              callee = funcs[code[(pc + 1) | 0]!]!;
              base = code[(pc + 2) | 0]!;
              next = pc + (op === Op.CALL ? 3 : 4);
            } else if (op === Op.CALL_REF || op === Op.RETURN_CALL_REF) {
              const f = refs[((fp + code[(pc + 1) | 0]!) | 0) >> 2] as FuncInst | null;
              if (f === null) throw new Trap('null function reference');
              callee = f;
              base = code[(pc + 2) | 0]!;
              next = pc + 3;
            } else {
              const table = inst.tables[code[(pc + 2) | 0]!]!;
              x = s[(fp + code[(pc + 3) | 0]!) | 0]! >>> 0;
              if (x >= table.elems.length || (table.is64 && s[(fp + code[(pc + 3) | 0]! + 1) | 0] !== 0)) throw new Trap('undefined element');
              const f = table.elems[x] as FuncInst | null;
              if (f === null || f === undefined) throw new Trap(`uninitialized element ${x}`);
              if (!mc.typeMatches(f.typeId, code[(pc + 1) | 0]!)) throw new Trap('indirect call type mismatch');
              callee = f;
              base = code[(pc + 4) | 0]!;
              next = pc + 5;
            }
            const tail = op === Op.RETURN_CALL || op === Op.RETURN_CALL_INDIRECT || op === Op.RETURN_CALL_REF;
            if (callee instanceof WasmFunc) {
              // ---- JS tier (src/jit): a callee with a JS version runs there
              if (!tail && mc.jitOn && mc.jsd < JS_STACK_UNITS) {
                const jf = (callee.jit as JitFn | null) ?? (callee.jitState === 0 ? jitFor(mc, callee) : null);
                if (jf !== null) {
                  if (depth + 1 >= mc.maxDepth) throw new Trap('call stack exhausted');
                  mc.fuel = fuel;
                  const st = callJs(mc, jf, fp + base, depth + 1);
                  refs = mc.refs;
                  if (mem0) {
                    view = mem0.view;
                    memLen = mem0.byteLength;
                  }
                  if (st === STATUS_DONE) {
                    fuel = mc.fuel;
                    pc = next;
                    continue outer;
                  }
                  // the callee stopped: this frame waits below it, like after an interpreted CALL
                  mc.fComp[depth] = comp;
                  mc.fPc[depth] = next;
                  mc.fFp[depth] = fp;
                  mc.fBlk[depth] = blk;
                  if (st !== STATUS_HANDOFF) return st;
                  // continue the frames the JS code left to the interpreter
                  comp = mc.comp;
                  code = comp.ops;
                  pc = mc.pc | 0;
                  fp = mc.fp | 0;
                  fuel = mc.fuel;
                  blk = mc.blk | 0;
                  depth = mc.depth | 0;
                  inst = comp.inst;
                  funcs = inst.funcs;
                  globals = inst.globals;
                  mem0 = inst.memories[0] ?? null;
                  if (mem0) {
                    view = mem0.view;
                    memLen = mem0.byteLength;
                  }
                  continue outer;
                }
              }
              // ---- end JS tier
              const cc = mc.compile(callee);
              if (prof !== null) {
                if (tail) prof.exit(mc.fuelBase - fuel);
                prof.enter(callee, mc.fuelBase - fuel);
              }
              let nfp: number;
              if (tail) {
                // move the arguments down to this frame's base, then replace the frame
                const nparams = callee.type.params.length;
                mc.moveSlots(fp, fp + base, nparams);
                nfp = fp;
              } else {
                if (depth + 1 >= mc.maxDepth) throw new Trap('call stack exhausted');
                mc.fComp[depth] = comp;
                mc.fPc[depth] = next;
                mc.fFp[depth] = fp;
                mc.fBlk[depth] = blk;
                depth++;
                nfp = fp + base;
              }
              if (nfp + cc.frameWords > s.length) {
                mc.growStack(nfp + cc.frameWords);
                s = mc.s;
                f32 = mc.f32;
                f64 = mc.f64;
                refs = mc.refs;
              }
              mc.enterFrame(cc, nfp, depth);
              fp = nfp;
              comp = cc;
              code = cc.ops;
              pc = 0;
              if (comp.inst !== inst) {
                inst = comp.inst;
                funcs = inst.funcs;
                globals = inst.globals;
                mem0 = inst.memories[0] ?? null;
                if (mem0) {
                  view = mem0.view;
                  memLen = mem0.byteLength;
                }
              }
              if (code[pc] === Op.FUEL && fuel >= code[(pc + 1) | 0]!) {
                fuel -= code[(pc + 1) | 0]!;
                blk = pc;
                pc = (pc + 3) | 0;
              }
            } else {
              mc.save(comp, pc, fp, fuel, blk, depth);
              mc.sp = fp + comp.frameWords;
              // (when the host throws, Machine.hostFuel keeps what the host call consumed)
              const hs = mc.callHost(callee as HostFunc, fp + base, inst, tail);
              if (hs !== HOST_OK) {
                if (hs === HOST_NO_FUEL) return STATUS_OUT_OF_FUEL;
                // suspended: resume continues after the call (Machine.resumeHost)
                mc.save(comp, tail ? pc : next, fp, mc.fuel, blk, depth);
                return STATUS_SUSPENDED;
              }
              fuel = mc.fuel;
              // the host may have re-entered wasm and grown the value stack or a memory
              s = mc.s;
              f32 = mc.f32;
              f64 = mc.f64;
              refs = mc.refs;
              if (mem0) {
                view = mem0.view;
                memLen = mem0.byteLength;
              }
              if (tail) {
                const nres = callee.type.results.length;
                mc.moveSlots(fp, fp + base, nres);
                // return from this frame
                if (prof !== null) prof.exit(mc.fuelBase - fuel);
                if (depth === entryDepth) {
                  mc.save(comp, pc, fp, fuel, blk, depth);
                  return STATUS_DONE;
                }
                depth--;
                comp = mc.fComp[depth]!;
                code = comp.ops;
                pc = mc.fPc[depth]!;
                fp = mc.fFp[depth]!;
                blk = mc.fBlk[depth]!;
                if (comp.inst !== inst) {
                  inst = comp.inst;
                  funcs = inst.funcs;
                  globals = inst.globals;
                }
                mem0 = inst.memories[0] ?? null;
                if (mem0) {
                  view = mem0.view;
                  memLen = mem0.byteLength;
                }
              } else {
                pc = next;
              }
            }
            continue outer;
          }

          // ---------------------------------------------------------------- moves
          // COPY, then falls through into COPY_COPY (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.COPY3:
            d = (fp + code[(pc + 1) | 0]!) | 0;
            a = (fp + code[(pc + 2) | 0]!) | 0;
            s[d] = s[a]!;
            s[(d + 1) | 0] = s[(a + 1) | 0]!;
            pc = (pc + 2) | 0;
          // COPY, then falls through into COPY (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.COPY_COPY:
            d = (fp + code[(pc + 1) | 0]!) | 0;
            a = (fp + code[(pc + 2) | 0]!) | 0;
            s[d] = s[a]!;
            s[(d + 1) | 0] = s[(a + 1) | 0]!;
            pc = (pc + 2) | 0;
          case Op.COPY:
            d = (fp + code[(pc + 1) | 0]!) | 0;
            a = (fp + code[(pc + 2) | 0]!) | 0;
            s[d] = s[a]!;
            s[(d + 1) | 0] = s[(a + 1) | 0]!;
            pc = (pc + 3) | 0;
            break;
          case Op.COPY_V:
            d = (fp + code[(pc + 1) | 0]!) | 0;
            a = (fp + code[(pc + 2) | 0]!) | 0;
            s[d] = s[a]!;
            s[(d + 1) | 0] = s[(a + 1) | 0]!;
            s[(d + 2) | 0] = s[(a + 2) | 0]!;
            s[(d + 3) | 0] = s[(a + 3) | 0]!;
            pc = (pc + 3) | 0;
            break;
          case Op.COPY_R:
            refs[((fp + code[(pc + 1) | 0]!) | 0) >> 2] = refs[((fp + code[(pc + 2) | 0]!) | 0) >> 2];
            pc = (pc + 3) | 0;
            break;
          case Op.CONST:
            d = (fp + code[(pc + 1) | 0]!) | 0;
            s[d] = code[(pc + 2) | 0]!;
            s[(d + 1) | 0] = code[(pc + 3) | 0]!;
            pc = (pc + 4) | 0;
            break;
          case Op.CONST_V:
            d = (fp + code[(pc + 1) | 0]!) | 0;
            s[d] = code[(pc + 2) | 0]!;
            s[(d + 1) | 0] = code[(pc + 3) | 0]!;
            s[(d + 2) | 0] = code[(pc + 4) | 0]!;
            s[(d + 3) | 0] = code[(pc + 5) | 0]!;
            pc = (pc + 6) | 0;
            break;
          case Op.CONST_NULL:
            refs[((fp + code[(pc + 1) | 0]!) | 0) >> 2] = null;
            pc = (pc + 2) | 0;
            break;
          // sieve: i32.add, then falls through into I32_LOAD8_U_SELECT
          // @ts-expect-error -- falls through on purpose
          case Op.ADD_I32_LOAD8_U_SELECT:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
          // i32.load8_u (the fused op's access), then falls through into SELECT
          // @ts-expect-error -- falls through on purpose
          case Op.I32_LOAD8_U_SELECT:
            ea = (s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (ea + 1 > memLen) break oob;
            s[(fp + code[(pc + 1) | 0]!) | 0] = view.getUint8(ea);
            pc = (pc + 3) | 0;
          case Op.SELECT:
            d = (fp + code[(pc + 1) | 0]!) | 0;
            a = s[(fp + code[(pc + 4) | 0]!) | 0] !== 0 ? (fp + code[(pc + 2) | 0]!) | 0 : (fp + code[(pc + 3) | 0]!) | 0;
            s[d] = s[a]!;
            s[(d + 1) | 0] = s[(a + 1) | 0]!;
            pc = (pc + 5) | 0;
            break;
          case Op.SELECT_V:
            d = (fp + code[(pc + 1) | 0]!) | 0;
            a = s[(fp + code[(pc + 4) | 0]!) | 0] !== 0 ? (fp + code[(pc + 2) | 0]!) | 0 : (fp + code[(pc + 3) | 0]!) | 0;
            s[d] = s[a]!;
            s[(d + 1) | 0] = s[(a + 1) | 0]!;
            s[(d + 2) | 0] = s[(a + 2) | 0]!;
            s[(d + 3) | 0] = s[(a + 3) | 0]!;
            pc = (pc + 5) | 0;
            break;
          case Op.SELECT_R:
            a = s[(fp + code[(pc + 4) | 0]!) | 0] !== 0 ? (fp + code[(pc + 2) | 0]!) | 0 : (fp + code[(pc + 3) | 0]!) | 0;
            refs[((fp + code[(pc + 1) | 0]!) | 0) >> 2] = refs[a >> 2];
            pc = (pc + 5) | 0;
            break;
          case Op.GLOBAL_GET: {
            const c = globals[code[(pc + 2) | 0]!]!.cell;
            d = (fp + code[(pc + 1) | 0]!) | 0;
            s[d] = c[0]!;
            s[(d + 1) | 0] = c[1]!;
            pc = (pc + 3) | 0;
            break;
          }
          case Op.GLOBAL_SET: {
            const c = globals[code[(pc + 1) | 0]!]!.cell;
            a = (fp + code[(pc + 2) | 0]!) | 0;
            c[0] = s[a]!;
            c[1] = s[(a + 1) | 0]!;
            pc = (pc + 3) | 0;
            break;
          }
          case Op.GLOBAL_GET_V: {
            const c = globals[code[(pc + 2) | 0]!]!.cell;
            d = (fp + code[(pc + 1) | 0]!) | 0;
            s[d] = c[0]!;
            s[(d + 1) | 0] = c[1]!;
            s[(d + 2) | 0] = c[2]!;
            s[(d + 3) | 0] = c[3]!;
            pc = (pc + 3) | 0;
            break;
          }
          case Op.GLOBAL_SET_V: {
            const c = globals[code[(pc + 1) | 0]!]!.cell;
            a = (fp + code[(pc + 2) | 0]!) | 0;
            c[0] = s[a]!;
            c[1] = s[(a + 1) | 0]!;
            c[2] = s[(a + 2) | 0]!;
            c[3] = s[(a + 3) | 0]!;
            pc = (pc + 3) | 0;
            break;
          }
          case Op.GLOBAL_GET_R:
            refs[((fp + code[(pc + 1) | 0]!) | 0) >> 2] = globals[code[(pc + 2) | 0]!]!.ref;
            pc = (pc + 3) | 0;
            break;
          case Op.GLOBAL_SET_R:
            globals[code[(pc + 1) | 0]!]!.ref = refs[((fp + code[(pc + 2) | 0]!) | 0) >> 2];
            pc = (pc + 3) | 0;
            break;

          // ---------------------------------------------------------------- memory 0
          // i32.shl, then falls through into ADD_I32_LOAD (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.SHL_ADD_I32_LOAD:
            s[(fp + code[(pc + 1) | 0]!) | 0] = s[(fp + code[(pc + 2) | 0]!) | 0]! << s[(fp + code[(pc + 3) | 0]!) | 0]!;
            pc = (pc + 3) | 0;
          // i32.add, then falls through into I32_LOAD (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.ADD_I32_LOAD:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
          case Op.I32_LOAD:
            ea = (s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (ea + 4 > memLen) break oob;
            s[(fp + code[(pc + 1) | 0]!) | 0] = view.getInt32(ea, true);
            pc = (pc + 4) | 0;
            break;
          // i32.add, i32.add, then i32.load's body (the cases before ADD_I32_LOAD and I32_LOAD fall through already)
          case Op.ADD_ADD_I32_LOAD:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
            ea = (s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (ea + 4 > memLen) break oob;
            s[(fp + code[(pc + 1) | 0]!) | 0] = view.getInt32(ea, true);
            pc = (pc + 4) | 0;
            break;
          // its layout; KEEP checked that only the load reads the address and only the sub the value loaded, as its
          // second operand (the difference written to its destination)
          case Op.ADD_I32_LOAD_F32_SUB_KEPT:
            ea = (((s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0) >>> 0) + (code[(pc + 6) | 0]! >>> 0);
            if (ea + 4 > memLen) break oob;
            f32[(fp + code[(pc + 7) | 0]!) | 0] = f32[(fp + code[(pc + 8) | 0]!) | 0]! - view.getFloat32(ea, true);
            pc = (pc + 10) | 0;
            break;
          // i32.add, then falls through into I64_LOAD (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.ADD_I64_LOAD:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
          case Op.I64_LOAD:
            ea = (s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (ea + 8 > memLen) break oob;
            d = (fp + code[(pc + 1) | 0]!) | 0;
            s[d] = view.getInt32(ea, true);
            s[(d + 1) | 0] = view.getInt32(ea + 4, true);
            pc = (pc + 4) | 0;
            break;
          // f64.mul, then falls through into F64_LOAD (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.F64_MUL_F64_LOAD:
            f64[((fp + code[(pc + 1) | 0]!) | 0) >> 1] = f64[((fp + code[(pc + 2) | 0]!) | 0) >> 1]! * f64[((fp + code[(pc + 3) | 0]!) | 0) >> 1]!;
            pc = (pc + 3) | 0;
          case Op.F64_LOAD:
            ea = (s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (ea + 8 > memLen) break oob;
            f64[((fp + code[(pc + 1) | 0]!) | 0) >> 1] = view.getFloat64(ea, true);
            pc = (pc + 4) | 0;
            break;
          // i32.add, i32.add, then f64.load's body (F64_MUL_F64_LOAD falls through into F64_LOAD already)
          case Op.ADD_ADD_F64_LOAD:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
            ea = (s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (ea + 8 > memLen) break oob;
            f64[((fp + code[(pc + 1) | 0]!) | 0) >> 1] = view.getFloat64(ea, true);
            pc = (pc + 4) | 0;
            break;
          case Op.I32_LOAD8_S:
            ea = (s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (ea + 1 > memLen) break oob;
            s[(fp + code[(pc + 1) | 0]!) | 0] = view.getInt8(ea);
            pc = (pc + 4) | 0;
            break;
          // i32.mul, then falls through into ADD_I32_LOAD8_U (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.MUL_ADD_I32_LOAD8_U:
            s[(fp + code[(pc + 1) | 0]!) | 0] = Math.imul(s[(fp + code[(pc + 2) | 0]!) | 0]!, s[(fp + code[(pc + 3) | 0]!) | 0]!);
            pc = (pc + 3) | 0;
          // i32.add, then falls through into I32_LOAD8_U (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.ADD_I32_LOAD8_U:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
          case Op.I32_LOAD8_U:
            ea = (s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (ea + 1 > memLen) break oob;
            s[(fp + code[(pc + 1) | 0]!) | 0] = view.getUint8(ea);
            pc = (pc + 4) | 0;
            break;
          // i32.add, i32.add, then i32.load8_u's body (the cases before ADD_I32_LOAD8_U and I32_LOAD8_U fall through already)
          case Op.ADD_ADD_I32_LOAD8_U:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
            ea = (s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (ea + 1 > memLen) break oob;
            s[(fp + code[(pc + 1) | 0]!) | 0] = view.getUint8(ea);
            pc = (pc + 4) | 0;
            break;
          case Op.I32_LOAD16_S:
            ea = (s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (ea + 2 > memLen) break oob;
            s[(fp + code[(pc + 1) | 0]!) | 0] = view.getInt16(ea, true);
            pc = (pc + 4) | 0;
            break;
          case Op.I32_LOAD16_U:
            ea = (s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (ea + 2 > memLen) break oob;
            s[(fp + code[(pc + 1) | 0]!) | 0] = view.getUint16(ea, true);
            pc = (pc + 4) | 0;
            break;
          // the narrow i64 loads share a case (run's bytecode: session 20), the width and signedness from the op
          case Op.I64_LOAD8_S:
          case Op.I64_LOAD8_U:
          case Op.I64_LOAD16_S:
          case Op.I64_LOAD16_U:
          case Op.I64_LOAD32_S:
          case Op.I64_LOAD32_U: {
            const op = code[pc]!;
            ea = (s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (op <= Op.I64_LOAD8_U) {
              if (ea + 1 > memLen) break oob;
              x = op === Op.I64_LOAD8_S ? view.getInt8(ea) : view.getUint8(ea);
            } else if (op <= Op.I64_LOAD16_U) {
              if (ea + 2 > memLen) break oob;
              x = op === Op.I64_LOAD16_S ? view.getInt16(ea, true) : view.getUint16(ea, true);
            } else {
              if (ea + 4 > memLen) break oob;
              x = view.getInt32(ea, true);
            }
            d = (fp + code[(pc + 1) | 0]!) | 0;
            s[d] = x;
            s[(d + 1) | 0] = op === Op.I64_LOAD8_S || op === Op.I64_LOAD16_S || op === Op.I64_LOAD32_S ? x >> 31 : 0;
            pc = (pc + 4) | 0;
            break;
          }
          // nbody's vx += dx * m * mag with its address add: i32.add, f32.mul, f32.mul, then falls through into
          // I32_LOAD_F32_ADD_I32_STORE (its load the fused op's first access)
          // @ts-expect-error -- falls through on purpose
          case Op.ADD_F32_MUL_MUL_I32_LOAD_F32_ADD_I32_STORE:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            f32[(fp + code[(pc + 4) | 0]!) | 0] = f32[(fp + code[(pc + 5) | 0]!) | 0]! * f32[(fp + code[(pc + 6) | 0]!) | 0]!;
            f32[(fp + code[(pc + 7) | 0]!) | 0] = f32[(fp + code[(pc + 8) | 0]!) | 0]! * f32[(fp + code[(pc + 9) | 0]!) | 0]!;
            pc = (pc + 9) | 0;
          // nbody's vx += ...: f32.load (I32_LOAD, f32.load's op; the fused op's first access), then falls through into
          // F32_ADD_I32_STORE (whose store has a trap mark on the load's last word)
          // @ts-expect-error -- falls through on purpose
          case Op.I32_LOAD_F32_ADD_I32_STORE:
            ea = (s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (ea + 4 > memLen) break oob;
            s[(fp + code[(pc + 1) | 0]!) | 0] = view.getInt32(ea, true);
            pc = (pc + 3) | 0;
          // f32.add, then I32_STORE (f32.store's op) reading its operands from the advanced pc
          case Op.F32_ADD_I32_STORE:
            f32[(fp + code[(pc + 1) | 0]!) | 0] = f32[(fp + code[(pc + 2) | 0]!) | 0]! + f32[(fp + code[(pc + 3) | 0]!) | 0]!;
            pc = (pc + 3) | 0;
            ea = (s[(fp + code[(pc + 1) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (ea + 4 > memLen) break oob;
            view.setInt32(ea, s[(fp + code[(pc + 2) | 0]!) | 0]!, true);
            pc = (pc + 4) | 0;
            break;
          // nbody's vx -= dx * m * mag after vx's f32.load: the load (I32_LOAD, the op's first access), then falls through
          // into F32_MUL_MUL_SUB_I32_STORE (whose store has a trap mark on the load's last word)
          // @ts-expect-error -- falls through on purpose
          case Op.I32_LOAD_F32_MUL_MUL_SUB_I32_STORE:
            ea = (s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (ea + 4 > memLen) break oob;
            s[(fp + code[(pc + 1) | 0]!) | 0] = view.getInt32(ea, true);
            pc = (pc + 3) | 0;
          // nbody's vx -= dx * m * mag: f32.mul, f32.mul, then falls through into F32_SUB_I32_STORE (the store is the
          // op's only access)
          // @ts-expect-error -- falls through on purpose
          case Op.F32_MUL_MUL_SUB_I32_STORE:
            f32[(fp + code[(pc + 1) | 0]!) | 0] = f32[(fp + code[(pc + 2) | 0]!) | 0]! * f32[(fp + code[(pc + 3) | 0]!) | 0]!;
            pc = (pc + 3) | 0;
            f32[(fp + code[(pc + 1) | 0]!) | 0] = f32[(fp + code[(pc + 2) | 0]!) | 0]! * f32[(fp + code[(pc + 3) | 0]!) | 0]!;
            pc = (pc + 3) | 0;
          // f32.sub, then I32_STORE likewise
          case Op.F32_SUB_I32_STORE:
            f32[(fp + code[(pc + 1) | 0]!) | 0] = f32[(fp + code[(pc + 2) | 0]!) | 0]! - f32[(fp + code[(pc + 3) | 0]!) | 0]!;
            pc = (pc + 3) | 0;
            ea = (s[(fp + code[(pc + 1) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (ea + 4 > memLen) break oob;
            view.setInt32(ea, s[(fp + code[(pc + 2) | 0]!) | 0]!, true);
            pc = (pc + 4) | 0;
            break;
          // F32_ADD_I32_STORE's / F32_SUB_I32_STORE's layout (d a b, a v off); KEEP checked that only the store reads
          // the sum or difference, as its value: stored from a JS local (setFloat32 rounds it as the f32 slot would)
          case Op.F32_ADD_I32_STORE_KEPT:
          case Op.F32_SUB_I32_STORE_KEPT:
            fr = f32[(fp + code[(pc + 2) | 0]!) | 0]!;
            fr = code[pc] === Op.F32_ADD_I32_STORE_KEPT ? fr + f32[(fp + code[(pc + 3) | 0]!) | 0]! : fr - f32[(fp + code[(pc + 3) | 0]!) | 0]!;
            pc = (pc + 3) | 0;
            ea = (s[(fp + code[(pc + 1) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (ea + 4 > memLen) break oob;
            view.setFloat32(ea, fr, true);
            pc = (pc + 4) | 0;
            break;
          // its layout; KEEP checked that only the second mul reads the first product (as ADD_F32_MUL_MUL_KEPT), and the
          // rest as I32_LOAD_F32_ADD_I32_STORE_KEPT's nine words on: the sum written to its slot, then falls through
          // @ts-expect-error -- falls through on purpose
          case Op.ADD_F32_MUL_MUL_I32_LOAD_F32_ADD_I32_STORE_KEPT:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            fr = Math.fround(f32[(fp + code[(pc + 5) | 0]!) | 0]! * f32[(fp + code[(pc + 6) | 0]!) | 0]!);
            f32[(fp + code[(pc + 7) | 0]!) | 0] = fr * f32[(fp + code[(pc + 9) | 0]!) | 0]!;
            pc = (pc + 9) | 0;
          // its layout; KEEP checked that only the add reads the value loaded, as its second operand, and only the
          // store the sum (pc advances as the written-out op's, so a trap in the store leaves pc past its mark)
          case Op.I32_LOAD_F32_ADD_I32_STORE_KEPT:
            ea = (s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (ea + 4 > memLen) break oob;
            fr = f32[(fp + code[(pc + 5) | 0]!) | 0]! + view.getFloat32(ea, true);
            pc = (pc + 6) | 0;
            ea = (s[(fp + code[(pc + 1) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (ea + 4 > memLen) break oob;
            view.setFloat32(ea, fr, true);
            pc = (pc + 4) | 0;
            break;
          // nbody's vx -= dx * m * mag after vx's f32.load, the products and the difference kept (KEEP, as
          // F32_MUL_MUL_SUB_I32_STORE_KEPT's three words on): the load written to its slot (the op's first access),
          // then falls through (pc past the load, so a trap in the store leaves pc on its mark)
          // @ts-expect-error -- falls through on purpose
          case Op.I32_LOAD_F32_MUL_MUL_SUB_I32_STORE_KEPT:
            ea = (s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (ea + 4 > memLen) break oob;
            s[(fp + code[(pc + 1) | 0]!) | 0] = view.getInt32(ea, true);
            pc = (pc + 3) | 0;
          // its layout; KEEP checked that only the next instruction reads each result: the first product as the second
          // mul's first operand, the second as the sub's second, the difference as the store's value (the products
          // rounded to f32 as their slots would round them)
          case Op.F32_MUL_MUL_SUB_I32_STORE_KEPT:
            fr = Math.fround(f32[(fp + code[(pc + 2) | 0]!) | 0]! * f32[(fp + code[(pc + 3) | 0]!) | 0]!);
            fr = f32[(fp + code[(pc + 8) | 0]!) | 0]! - Math.fround(fr * f32[(fp + code[(pc + 6) | 0]!) | 0]!);
            ea = (s[(fp + code[(pc + 10) | 0]!) | 0]! >>> 0) + (code[(pc + 12) | 0]! >>> 0);
            if (ea + 4 > memLen) break oob;
            view.setFloat32(ea, fr, true);
            pc = (pc + 13) | 0;
            break;
          // i32.add, then falls through into I32_STORE (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.ADD_I32_STORE:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
          case Op.I32_STORE:
            ea = (s[(fp + code[(pc + 1) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (ea + 4 > memLen) break oob;
            view.setInt32(ea, s[(fp + code[(pc + 2) | 0]!) | 0]!, true);
            pc = (pc + 4) | 0;
            break;
          // i32.add, then falls through into I64_STORE (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.ADD_I64_STORE:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
          case Op.I64_STORE:
            ea = (s[(fp + code[(pc + 1) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (ea + 8 > memLen) break oob;
            a = (fp + code[(pc + 2) | 0]!) | 0;
            view.setInt32(ea, s[a]!, true);
            view.setInt32(ea + 4, s[(a + 1) | 0]!, true);
            pc = (pc + 4) | 0;
            break;
          // matmul's inner loop with the values between its accesses in JS locals (KEEP: only the next op reads each):
          // i32.add, i32.add, then falls through into F64_LOAD_MUL_LOAD_ADD_STORE_KEPT
          // @ts-expect-error -- falls through on purpose
          case Op.ADD_ADD_F64_LOAD_MUL_LOAD_ADD_STORE_KEPT:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
          // F64_LOAD_MUL_LOAD_ADD_STORE's layout and trap marks (pc advances as the written-out op's does, so a trap
          // in the second load or the store leaves pc on its mark): f64.load, f64.mul of a slot and the value loaded,
          // f64.load, f64.add of the product and the value loaded, f64.store of the sum
          case Op.F64_LOAD_MUL_LOAD_ADD_STORE_KEPT:
            ea = (s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (ea + 8 > memLen) break oob;
            fr = f64[((fp + code[(pc + 5) | 0]!) | 0) >> 1]! * view.getFloat64(ea, true);
            pc = (pc + 6) | 0;
            ea = (s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (ea + 8 > memLen) break oob;
            fr = fr + view.getFloat64(ea, true);
            pc = (pc + 6) | 0;
            ea = (s[(fp + code[(pc + 1) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (ea + 8 > memLen) break oob;
            view.setFloat64(ea, fr, true);
            pc = (pc + 4) | 0;
            break;
          // matmul's inner loop: i32.add, i32.add, then falls through into F64_LOAD_MUL_LOAD_ADD_STORE
          // @ts-expect-error -- falls through on purpose
          case Op.ADD_ADD_F64_LOAD_MUL_LOAD_ADD_STORE:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
          // f64.load (the fused op's first access), then falls through into F64_MUL_LOAD_ADD_STORE
          // @ts-expect-error -- falls through on purpose
          case Op.F64_LOAD_MUL_LOAD_ADD_STORE:
            ea = (s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (ea + 8 > memLen) break oob;
            f64[((fp + code[(pc + 1) | 0]!) | 0) >> 1] = view.getFloat64(ea, true);
            pc = (pc + 3) | 0;
          // f64.mul, f64.load (a trap mark names it when an access runs before it in the op), then falls through
          // into F64_ADD_F64_STORE (whose store has a trap mark likewise)
          // @ts-expect-error -- falls through on purpose
          case Op.F64_MUL_LOAD_ADD_STORE:
            f64[((fp + code[(pc + 1) | 0]!) | 0) >> 1] = f64[((fp + code[(pc + 2) | 0]!) | 0) >> 1]! * f64[((fp + code[(pc + 3) | 0]!) | 0) >> 1]!;
            pc = (pc + 3) | 0;
            ea = (s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (ea + 8 > memLen) break oob;
            f64[((fp + code[(pc + 1) | 0]!) | 0) >> 1] = view.getFloat64(ea, true);
            pc = (pc + 3) | 0;
          // f64.add, then falls through into F64_STORE (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.F64_ADD_F64_STORE:
            f64[((fp + code[(pc + 1) | 0]!) | 0) >> 1] = f64[((fp + code[(pc + 2) | 0]!) | 0) >> 1]! + f64[((fp + code[(pc + 3) | 0]!) | 0) >> 1]!;
            pc = (pc + 3) | 0;
          case Op.F64_STORE:
            ea = (s[(fp + code[(pc + 1) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (ea + 8 > memLen) break oob;
            a = (fp + code[(pc + 2) | 0]!) | 0;
            fr = f64[a >> 1]!;
            // a NaN as its words: Chromium 156's optimized code of this loop quieted a signalling NaN through setFloat64
            if (fr === fr) view.setFloat64(ea, fr, true);
            else {
              view.setInt32(ea, s[a]!, true);
              view.setInt32(ea + 4, s[(a + 1) | 0]!, true);
            }
            pc = (pc + 4) | 0;
            break;
          // i32.add, then falls through into I32_STORE8 (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.ADD_I32_STORE8:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
          case Op.I32_STORE8:
          case Op.I64_STORE8:
            ea = (s[(fp + code[(pc + 1) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (ea + 1 > memLen) break oob;
            view.setInt8(ea, s[(fp + code[(pc + 2) | 0]!) | 0]!);
            pc = (pc + 4) | 0;
            break;
          case Op.I32_STORE16:
          case Op.I64_STORE16:
            ea = (s[(fp + code[(pc + 1) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (ea + 2 > memLen) break oob;
            view.setInt16(ea, s[(fp + code[(pc + 2) | 0]!) | 0]!, true);
            pc = (pc + 4) | 0;
            break;
          case Op.I64_STORE32:
            ea = (s[(fp + code[(pc + 1) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (ea + 4 > memLen) break oob;
            view.setInt32(ea, s[(fp + code[(pc + 2) | 0]!) | 0]!, true);
            pc = (pc + 4) | 0;
            break;
          case Op.MEMORY_SIZE: {
            const m = inst.memories[code[(pc + 2) | 0]!]!;
            d = (fp + code[(pc + 1) | 0]!) | 0;
            s[d] = m.pages;
            s[(d + 1) | 0] = 0;
            pc = (pc + 3) | 0;
            break;
          }
          case Op.MEMORY_GROW: {
            const m = inst.memories[code[(pc + 3) | 0]!]!;
            d = (fp + code[(pc + 1) | 0]!) | 0;
            const n = m.type.addr === 'i64' ? (s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0) + (s[(fp + code[(pc + 2) | 0]! + 1) | 0]! >>> 0) * 2 ** 32 : s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0;
            // per-page surcharge (the instruction's base cost is in its block), paid only by a grow that succeeds
            const extra = mc.costs.memoryGrowPage * n;
            if (extra > 0 && m.mayGrow(n)) {
              if (fuel < extra) {
                mc.needed = extra;
                mc.save(comp, pc, fp, fuel, blk, depth);
                return STATUS_OUT_OF_FUEL;
              }
            }
            const old = m.grow(n);
            if (old >= 0) fuel -= extra;
            if (m.type.addr === 'i64') {
              s[d] = old < 0 ? -1 : old;
              s[(d + 1) | 0] = old < 0 ? -1 : 0;
            } else s[d] = old;
            if (m === mem0) {
              view = m.view;
              memLen = m.byteLength;
            }
            pc = (pc + 4) | 0;
            break;
          }

          // ---------------------------------------------------------------- i32
          case Op.I32_EQZ:
            s[(fp + code[(pc + 1) | 0]!) | 0] = s[(fp + code[(pc + 2) | 0]!) | 0] === 0 ? 1 : 0;
            pc = (pc + 3) | 0;
            break;
          case Op.I32_EQ:
            s[(fp + code[(pc + 1) | 0]!) | 0] = s[(fp + code[(pc + 2) | 0]!) | 0] === s[(fp + code[(pc + 3) | 0]!) | 0] ? 1 : 0;
            pc = (pc + 4) | 0;
            break;
          case Op.I32_NE:
            s[(fp + code[(pc + 1) | 0]!) | 0] = s[(fp + code[(pc + 2) | 0]!) | 0] !== s[(fp + code[(pc + 3) | 0]!) | 0] ? 1 : 0;
            pc = (pc + 4) | 0;
            break;
          case Op.I32_LT_S:
            s[(fp + code[(pc + 1) | 0]!) | 0] = s[(fp + code[(pc + 2) | 0]!) | 0]! < s[(fp + code[(pc + 3) | 0]!) | 0]! ? 1 : 0;
            pc = (pc + 4) | 0;
            break;
          case Op.I32_LT_U:
            s[(fp + code[(pc + 1) | 0]!) | 0] = s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0 < s[(fp + code[(pc + 3) | 0]!) | 0]! >>> 0 ? 1 : 0;
            pc = (pc + 4) | 0;
            break;
          case Op.I32_GT_S:
            s[(fp + code[(pc + 1) | 0]!) | 0] = s[(fp + code[(pc + 2) | 0]!) | 0]! > s[(fp + code[(pc + 3) | 0]!) | 0]! ? 1 : 0;
            pc = (pc + 4) | 0;
            break;
          case Op.I32_GT_U:
            s[(fp + code[(pc + 1) | 0]!) | 0] = s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0 > s[(fp + code[(pc + 3) | 0]!) | 0]! >>> 0 ? 1 : 0;
            pc = (pc + 4) | 0;
            break;
          case Op.I32_LE_S:
            s[(fp + code[(pc + 1) | 0]!) | 0] = s[(fp + code[(pc + 2) | 0]!) | 0]! <= s[(fp + code[(pc + 3) | 0]!) | 0]! ? 1 : 0;
            pc = (pc + 4) | 0;
            break;
          case Op.I32_LE_U:
            s[(fp + code[(pc + 1) | 0]!) | 0] = s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0 <= s[(fp + code[(pc + 3) | 0]!) | 0]! >>> 0 ? 1 : 0;
            pc = (pc + 4) | 0;
            break;
          case Op.I32_GE_S:
            s[(fp + code[(pc + 1) | 0]!) | 0] = s[(fp + code[(pc + 2) | 0]!) | 0]! >= s[(fp + code[(pc + 3) | 0]!) | 0]! ? 1 : 0;
            pc = (pc + 4) | 0;
            break;
          case Op.I32_GE_U:
            s[(fp + code[(pc + 1) | 0]!) | 0] = s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0 >= s[(fp + code[(pc + 3) | 0]!) | 0]! >>> 0 ? 1 : 0;
            pc = (pc + 4) | 0;
            break;
          case Op.I32_CLZ:
            s[(fp + code[(pc + 1) | 0]!) | 0] = Math.clz32(s[(fp + code[(pc + 2) | 0]!) | 0]!);
            pc = (pc + 3) | 0;
            break;
          case Op.I32_CTZ:
            x = s[(fp + code[(pc + 2) | 0]!) | 0]!;
            s[(fp + code[(pc + 1) | 0]!) | 0] = x === 0 ? 32 : 31 - Math.clz32(x & -x);
            pc = (pc + 3) | 0;
            break;
          case Op.I32_POPCNT:
            s[(fp + code[(pc + 1) | 0]!) | 0] = I32N.popcnt(s[(fp + code[(pc + 2) | 0]!) | 0]!);
            pc = (pc + 3) | 0;
            break;
          // i32.add, then falls through into ADD_ADD (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.ADD3:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
          // i32.add, then falls through into I32_ADD (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.ADD_ADD:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
          case Op.I32_ADD:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 4) | 0;
            break;
          case Op.I32_SUB:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! - s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 4) | 0;
            break;
          case Op.I32_MUL:
            s[(fp + code[(pc + 1) | 0]!) | 0] = Math.imul(s[(fp + code[(pc + 2) | 0]!) | 0]!, s[(fp + code[(pc + 3) | 0]!) | 0]!);
            pc = (pc + 4) | 0;
            break;
          case Op.I32_DIV_S:
            x = s[(fp + code[(pc + 2) | 0]!) | 0]!;
            y = s[(fp + code[(pc + 3) | 0]!) | 0]!;
            if (y === 0) throw new Trap('integer divide by zero');
            if (x === -0x80000000 && y === -1) throw new Trap('integer overflow');
            s[(fp + code[(pc + 1) | 0]!) | 0] = (x / y) | 0;
            pc = (pc + 4) | 0;
            break;
          case Op.I32_DIV_U:
            x = s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0;
            y = s[(fp + code[(pc + 3) | 0]!) | 0]! >>> 0;
            if (y === 0) throw new Trap('integer divide by zero');
            s[(fp + code[(pc + 1) | 0]!) | 0] = (x / y) | 0;
            pc = (pc + 4) | 0;
            break;
          case Op.I32_REM_S:
            x = s[(fp + code[(pc + 2) | 0]!) | 0]!;
            y = s[(fp + code[(pc + 3) | 0]!) | 0]!;
            if (y === 0) throw new Trap('integer divide by zero');
            s[(fp + code[(pc + 1) | 0]!) | 0] = y === -1 ? 0 : x % y | 0;
            pc = (pc + 4) | 0;
            break;
          case Op.I32_REM_U:
            x = s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0;
            y = s[(fp + code[(pc + 3) | 0]!) | 0]! >>> 0;
            if (y === 0) throw new Trap('integer divide by zero');
            s[(fp + code[(pc + 1) | 0]!) | 0] = x % y | 0;
            pc = (pc + 4) | 0;
            break;
          // i32.shr_u, then falls through into I32_AND (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.SHR_U_AND:
            s[(fp + code[(pc + 1) | 0]!) | 0] = s[(fp + code[(pc + 2) | 0]!) | 0]! >>> s[(fp + code[(pc + 3) | 0]!) | 0]!;
            pc = (pc + 3) | 0;
          case Op.I32_AND:
            s[(fp + code[(pc + 1) | 0]!) | 0] = s[(fp + code[(pc + 2) | 0]!) | 0]! & s[(fp + code[(pc + 3) | 0]!) | 0]!;
            pc = (pc + 4) | 0;
            break;
          case Op.I32_OR:
            s[(fp + code[(pc + 1) | 0]!) | 0] = s[(fp + code[(pc + 2) | 0]!) | 0]! | s[(fp + code[(pc + 3) | 0]!) | 0]!;
            pc = (pc + 4) | 0;
            break;
          // ROTL_ROTL_XOR's layout; KEEP checked that only the xor reads the rotated values, in this order
          case Op.ROTL_ROTL_XOR_KEPT:
            x = s[(fp + code[(pc + 2) | 0]!) | 0]!;
            y = s[(fp + code[(pc + 3) | 0]!) | 0]! & 31;
            a = (x << y) | (x >>> (32 - y));
            x = s[(fp + code[(pc + 5) | 0]!) | 0]!;
            y = s[(fp + code[(pc + 6) | 0]!) | 0]! & 31;
            s[(fp + code[(pc + 7) | 0]!) | 0] = a ^ ((x << y) | (x >>> (32 - y)));
            pc = (pc + 10) | 0;
            break;
          // ROTL_XOR's layout; KEEP checked that only the xor reads the rotated value, as its first operand
          case Op.ROTL_XOR_KEPT:
            x = s[(fp + code[(pc + 2) | 0]!) | 0]!;
            y = s[(fp + code[(pc + 3) | 0]!) | 0]! & 31;
            s[(fp + code[(pc + 4) | 0]!) | 0] = ((x << y) | (x >>> (32 - y))) ^ s[(fp + code[(pc + 6) | 0]!) | 0]!;
            pc = (pc + 7) | 0;
            break;
          // i32.rotl, then falls through into ROTL_XOR (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.ROTL_ROTL_XOR:
            x = s[(fp + code[(pc + 2) | 0]!) | 0]!;
            y = s[(fp + code[(pc + 3) | 0]!) | 0]! & 31;
            s[(fp + code[(pc + 1) | 0]!) | 0] = (x << y) | (x >>> (32 - y));
            pc = (pc + 3) | 0;
          // i32.rotl, then falls through into I32_XOR (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.ROTL_XOR:
            x = s[(fp + code[(pc + 2) | 0]!) | 0]!;
            y = s[(fp + code[(pc + 3) | 0]!) | 0]! & 31;
            s[(fp + code[(pc + 1) | 0]!) | 0] = (x << y) | (x >>> (32 - y));
            pc = (pc + 3) | 0;
          case Op.I32_XOR:
            s[(fp + code[(pc + 1) | 0]!) | 0] = s[(fp + code[(pc + 2) | 0]!) | 0]! ^ s[(fp + code[(pc + 3) | 0]!) | 0]!;
            pc = (pc + 4) | 0;
            break;
          case Op.I32_SHL:
            s[(fp + code[(pc + 1) | 0]!) | 0] = s[(fp + code[(pc + 2) | 0]!) | 0]! << s[(fp + code[(pc + 3) | 0]!) | 0]!;
            pc = (pc + 4) | 0;
            break;
          case Op.I32_SHR_S:
            s[(fp + code[(pc + 1) | 0]!) | 0] = s[(fp + code[(pc + 2) | 0]!) | 0]! >> s[(fp + code[(pc + 3) | 0]!) | 0]!;
            pc = (pc + 4) | 0;
            break;
          case Op.I32_SHR_U:
            s[(fp + code[(pc + 1) | 0]!) | 0] = s[(fp + code[(pc + 2) | 0]!) | 0]! >>> s[(fp + code[(pc + 3) | 0]!) | 0]!;
            pc = (pc + 4) | 0;
            break;
          case Op.I32_ROTL:
            x = s[(fp + code[(pc + 2) | 0]!) | 0]!;
            y = s[(fp + code[(pc + 3) | 0]!) | 0]! & 31;
            s[(fp + code[(pc + 1) | 0]!) | 0] = (x << y) | (x >>> (32 - y));
            pc = (pc + 4) | 0;
            break;
          case Op.I32_ROTR:
            x = s[(fp + code[(pc + 2) | 0]!) | 0]!;
            y = s[(fp + code[(pc + 3) | 0]!) | 0]! & 31;
            s[(fp + code[(pc + 1) | 0]!) | 0] = (x >>> y) | (x << (32 - y));
            pc = (pc + 4) | 0;
            break;

          // ---------------------------------------------------------------- i64 (lo, hi halves)
          case Op.I64_EQZ:
            a = (fp + code[(pc + 2) | 0]!) | 0;
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[a]! | s[(a + 1) | 0]!) === 0 ? 1 : 0;
            pc = (pc + 3) | 0;
            break;
          case Op.I64_EQ:
            a = (fp + code[(pc + 2) | 0]!) | 0;
            b = (fp + code[(pc + 3) | 0]!) | 0;
            s[(fp + code[(pc + 1) | 0]!) | 0] = s[a] === s[b] && s[(a + 1) | 0] === s[(b + 1) | 0] ? 1 : 0;
            pc = (pc + 4) | 0;
            break;
          case Op.I64_NE:
            a = (fp + code[(pc + 2) | 0]!) | 0;
            b = (fp + code[(pc + 3) | 0]!) | 0;
            s[(fp + code[(pc + 1) | 0]!) | 0] = s[a] !== s[b] || s[(a + 1) | 0] !== s[(b + 1) | 0] ? 1 : 0;
            pc = (pc + 4) | 0;
            break;
          case Op.I64_LT_S:
          case Op.I64_LT_U:
          case Op.I64_GT_S:
          case Op.I64_GT_U:
          case Op.I64_LE_S:
          case Op.I64_LE_U:
          case Op.I64_GE_S:
          case Op.I64_GE_U: {
            a = (fp + code[(pc + 2) | 0]!) | 0;
            b = (fp + code[(pc + 3) | 0]!) | 0;
            const op = code[pc]!;
            const signed = op === Op.I64_LT_S || op === Op.I64_GT_S || op === Op.I64_LE_S || op === Op.I64_GE_S;
            x = signed ? s[(a + 1) | 0]! : s[(a + 1) | 0]! >>> 0;
            y = signed ? s[(b + 1) | 0]! : s[(b + 1) | 0]! >>> 0;
            // cmp: -1, 0, 1
            let c = x < y ? -1 : x > y ? 1 : 0;
            if (c === 0) {
              x = s[a]! >>> 0;
              y = s[b]! >>> 0;
              c = x < y ? -1 : x > y ? 1 : 0;
            }
            let r: boolean;
            switch (op) {
              case Op.I64_LT_S:
              case Op.I64_LT_U:
                r = c < 0;
                break;
              case Op.I64_GT_S:
              case Op.I64_GT_U:
                r = c > 0;
                break;
              case Op.I64_LE_S:
              case Op.I64_LE_U:
                r = c <= 0;
                break;
              default:
                r = c >= 0;
            }
            s[(fp + code[(pc + 1) | 0]!) | 0] = r ? 1 : 0;
            pc = (pc + 4) | 0;
            break;
          }
          case Op.I64_CLZ:
            I64.clz(s, (fp + code[(pc + 1) | 0]!) | 0, (fp + code[(pc + 2) | 0]!) | 0);
            pc = (pc + 3) | 0;
            break;
          case Op.I64_CTZ:
            I64.ctz(s, (fp + code[(pc + 1) | 0]!) | 0, (fp + code[(pc + 2) | 0]!) | 0);
            pc = (pc + 3) | 0;
            break;
          case Op.I64_POPCNT:
            I64.popcnt(s, (fp + code[(pc + 1) | 0]!) | 0, (fp + code[(pc + 2) | 0]!) | 0);
            pc = (pc + 3) | 0;
            break;
          // i64.mul, then falls through into I64_ADD (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.I64_MUL_ADD:
            a = (fp + code[(pc + 2) | 0]!) | 0;
            b = (fp + code[(pc + 3) | 0]!) | 0;
            d = (fp + code[(pc + 1) | 0]!) | 0;
            x = s[a]!;
            y = s[b]!;
            // i64.mul written out (numeric/i64.ts's mul: the high word as mulhu of the low words plus the cross
            // products; a call per i64.mul was a fifth of hash64's time); both inputs read before d is written
            ea = (x >>> 16) * (y & 0xffff) + (((x & 0xffff) * (y & 0xffff)) >>> 16);
            s[(d + 1) | 0] = ((x >>> 16) * (y >>> 16) + (ea >>> 16) + (((ea & 0xffff) + (x & 0xffff) * (y >>> 16)) >>> 16) + Math.imul(x, s[(b + 1) | 0]!) + Math.imul(s[(a + 1) | 0]!, y)) | 0;
            s[d] = Math.imul(x, y);
            pc = (pc + 3) | 0;
          case Op.I64_ADD: {
            d = (fp + code[(pc + 1) | 0]!) | 0;
            a = (fp + code[(pc + 2) | 0]!) | 0;
            b = (fp + code[(pc + 3) | 0]!) | 0;
            x = s[a]!;
            const lo = (x + s[b]!) | 0;
            s[(d + 1) | 0] = (s[(a + 1) | 0]! + s[(b + 1) | 0]! + (lo >>> 0 < x >>> 0 ? 1 : 0)) | 0;
            s[d] = lo;
            pc = (pc + 4) | 0;
            break;
          }
          case Op.I64_SUB: {
            d = (fp + code[(pc + 1) | 0]!) | 0;
            a = (fp + code[(pc + 2) | 0]!) | 0;
            b = (fp + code[(pc + 3) | 0]!) | 0;
            x = s[a]!;
            y = s[b]!;
            const lo = (x - y) | 0;
            s[(d + 1) | 0] = (s[(a + 1) | 0]! - s[(b + 1) | 0]! - (x >>> 0 < y >>> 0 ? 1 : 0)) | 0;
            s[d] = lo;
            pc = (pc + 4) | 0;
            break;
          }
          // hash64's round (I64_MUL_ADD_ROTL_MUL's layout: d a b each), each result but the last kept in JS locals (lo,
          // hi): KEEP checked that only the next op reads it, as its first operand. The ops with its i64.load before it
          // (the load's trap is the op's, at its origAt), and with an i32.add before that, share the case: the value
          // loaded is the mul's first operand, also written to its slot unless the op is _KEPT (KEEP checked that only
          // the mul reads it, and only the load the address the add makes)
          case Op.ADD_I64_LOAD_ROUND:
          case Op.ADD_I64_LOAD_ROUND_KEPT:
          case Op.I64_LOAD_ROUND:
          case Op.I64_LOAD_ROUND_KEPT:
          case Op.I64_ROUND: {
            const op = code[pc]!;
            // the mul's first operand (w, hi): locals of the case, assigned on every path before their use (the loop's
            // own x, merged in here, is of any type once other programs' ops have run: session 20)
            let w = 0;
            let hi = 0;
            if (op !== Op.I64_ROUND) {
              if (op === Op.ADD_I64_LOAD_ROUND || op === Op.ADD_I64_LOAD_ROUND_KEPT) {
                ea = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
                if (op === Op.ADD_I64_LOAD_ROUND) s[(fp + code[(pc + 1) | 0]!) | 0] = ea;
                pc = (pc + 3) | 0;
              } else ea = s[(fp + code[(pc + 2) | 0]!) | 0]!;
              ea = (ea >>> 0) + (code[(pc + 3) | 0]! >>> 0);
              if (ea + 8 > memLen) break oob;
              w = view.getInt32(ea, true);
              hi = view.getInt32(ea + 4, true);
              if (op === Op.I64_LOAD_ROUND || op === Op.ADD_I64_LOAD_ROUND) {
                d = (fp + code[(pc + 1) | 0]!) | 0;
                s[d] = w;
                s[(d + 1) | 0] = hi;
              }
              pc = (pc + 3) | 0;
            }
            // the mul's first operand: from its slot unless the value loaded is kept (it is the mul's first operand)
            if (op !== Op.I64_LOAD_ROUND_KEPT && op !== Op.ADD_I64_LOAD_ROUND_KEPT) {
              a = (fp + code[(pc + 2) | 0]!) | 0;
              w = s[a]!;
              hi = s[(a + 1) | 0]!;
            }
            // i64.mul: (w, hi) and the second operand
            b = (fp + code[(pc + 3) | 0]!) | 0;
            y = s[b]!;
            ea = (w >>> 16) * (y & 0xffff) + (((w & 0xffff) * (y & 0xffff)) >>> 16);
            hi = ((w >>> 16) * (y >>> 16) + (ea >>> 16) + (((ea & 0xffff) + (w & 0xffff) * (y >>> 16)) >>> 16) + Math.imul(w, s[(b + 1) | 0]!) + Math.imul(hi, y)) | 0;
            let lo = Math.imul(w, y);
            // i64.add: the product and the second operand
            b = (fp + code[(pc + 6) | 0]!) | 0;
            x = (lo + s[b]!) | 0;
            hi = (hi + s[(b + 1) | 0]! + (x >>> 0 < lo >>> 0 ? 1 : 0)) | 0;
            lo = x;
            // i64.rotl of the sum by the second operand
            b = s[(fp + code[(pc + 9) | 0]!) | 0]! & 63;
            if (b >= 32) {
              b = (b - 32) | 0;
              x = lo;
              lo = hi;
              hi = x;
            }
            x = (lo << b) | ((hi >>> 1) >>> (31 - b));
            hi = (hi << b) | ((lo >>> 1) >>> (31 - b));
            // i64.mul: the rotated value (x, hi) and the second operand, into the last op's destination
            b = (fp + code[(pc + 12) | 0]!) | 0;
            y = s[b]!;
            ea = (x >>> 16) * (y & 0xffff) + (((x & 0xffff) * (y & 0xffff)) >>> 16);
            d = (fp + code[(pc + 10) | 0]!) | 0;
            s[(d + 1) | 0] = ((x >>> 16) * (y >>> 16) + (ea >>> 16) + (((ea & 0xffff) + (x & 0xffff) * (y >>> 16)) >>> 16) + Math.imul(x, s[(b + 1) | 0]!) + Math.imul(hi, y)) | 0;
            s[d] = Math.imul(x, y);
            pc = (pc + 13) | 0;
            break;
          }
          // i32.add, then falls through into I64_LOAD_MUL_ADD_ROTL_MUL (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.ADD_I64_LOAD_MUL_ADD_ROTL_MUL:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
          // i64.load (its trap is the fused op's, at the op's origAt), then falls through into I64_MUL_ADD_ROTL_MUL
          // @ts-expect-error -- falls through on purpose
          case Op.I64_LOAD_MUL_ADD_ROTL_MUL:
            ea = (s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (ea + 8 > memLen) break oob;
            d = (fp + code[(pc + 1) | 0]!) | 0;
            s[d] = view.getInt32(ea, true);
            s[(d + 1) | 0] = view.getInt32(ea + 4, true);
            pc = (pc + 3) | 0;
          // i64.mul, i64.add, then falls through into I64_ROTL_MUL (hash64's round: the three ops after the load)
          // @ts-expect-error -- falls through on purpose
          case Op.I64_MUL_ADD_ROTL_MUL:
            a = (fp + code[(pc + 2) | 0]!) | 0;
            b = (fp + code[(pc + 3) | 0]!) | 0;
            d = (fp + code[(pc + 1) | 0]!) | 0;
            x = s[a]!;
            y = s[b]!;
            // (I64_MUL_ADD's mul)
            ea = (x >>> 16) * (y & 0xffff) + (((x & 0xffff) * (y & 0xffff)) >>> 16);
            s[(d + 1) | 0] = ((x >>> 16) * (y >>> 16) + (ea >>> 16) + (((ea & 0xffff) + (x & 0xffff) * (y >>> 16)) >>> 16) + Math.imul(x, s[(b + 1) | 0]!) + Math.imul(s[(a + 1) | 0]!, y)) | 0;
            s[d] = Math.imul(x, y);
            pc = (pc + 3) | 0;
            d = (fp + code[(pc + 1) | 0]!) | 0;
            a = (fp + code[(pc + 2) | 0]!) | 0;
            b = (fp + code[(pc + 3) | 0]!) | 0;
            x = s[a]!;
            y = (x + s[b]!) | 0;
            s[(d + 1) | 0] = (s[(a + 1) | 0]! + s[(b + 1) | 0]! + (y >>> 0 < x >>> 0 ? 1 : 0)) | 0;
            s[d] = y;
            pc = (pc + 3) | 0;
          // i64.rotl, then falls through into I64_MUL (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.I64_ROTL_MUL:
            a = (fp + code[(pc + 2) | 0]!) | 0;
            x = s[a]!;
            y = s[(a + 1) | 0]!;
            b = s[(fp + code[(pc + 3) | 0]!) | 0]! & 63;
            if (b >= 32) {
              // rotating by 32 or more: swap the halves, rotate by the rest
              b = (b - 32) | 0;
              a = x;
              x = y;
              y = a;
            }
            // (v >>> 1) >>> (31 - b): the bits shifted in, 0 when b is 0 (a plain v >>> 32 would be v)
            d = (fp + code[(pc + 1) | 0]!) | 0;
            s[d] = (x << b) | ((y >>> 1) >>> (31 - b));
            s[(d + 1) | 0] = (y << b) | ((x >>> 1) >>> (31 - b));
            pc = (pc + 3) | 0;
          case Op.I64_MUL:
            a = (fp + code[(pc + 2) | 0]!) | 0;
            b = (fp + code[(pc + 3) | 0]!) | 0;
            d = (fp + code[(pc + 1) | 0]!) | 0;
            x = s[a]!;
            y = s[b]!;
            // i64.mul written out (numeric/i64.ts's mul: the high word as mulhu of the low words plus the cross
            // products; a call per i64.mul was a fifth of hash64's time); both inputs read before d is written
            ea = (x >>> 16) * (y & 0xffff) + (((x & 0xffff) * (y & 0xffff)) >>> 16);
            s[(d + 1) | 0] = ((x >>> 16) * (y >>> 16) + (ea >>> 16) + (((ea & 0xffff) + (x & 0xffff) * (y >>> 16)) >>> 16) + Math.imul(x, s[(b + 1) | 0]!) + Math.imul(s[(a + 1) | 0]!, y)) | 0;
            s[d] = Math.imul(x, y);
            pc = (pc + 4) | 0;
            break;
          case Op.I64_DIV_S:
            I64.div_s(s, (fp + code[(pc + 1) | 0]!) | 0, (fp + code[(pc + 2) | 0]!) | 0, (fp + code[(pc + 3) | 0]!) | 0);
            pc = (pc + 4) | 0;
            break;
          case Op.I64_DIV_U:
            I64.div_u(s, (fp + code[(pc + 1) | 0]!) | 0, (fp + code[(pc + 2) | 0]!) | 0, (fp + code[(pc + 3) | 0]!) | 0);
            pc = (pc + 4) | 0;
            break;
          case Op.I64_REM_S:
            I64.rem_s(s, (fp + code[(pc + 1) | 0]!) | 0, (fp + code[(pc + 2) | 0]!) | 0, (fp + code[(pc + 3) | 0]!) | 0);
            pc = (pc + 4) | 0;
            break;
          case Op.I64_REM_U:
            I64.rem_u(s, (fp + code[(pc + 1) | 0]!) | 0, (fp + code[(pc + 2) | 0]!) | 0, (fp + code[(pc + 3) | 0]!) | 0);
            pc = (pc + 4) | 0;
            break;
          case Op.I64_AND:
            d = (fp + code[(pc + 1) | 0]!) | 0;
            a = (fp + code[(pc + 2) | 0]!) | 0;
            b = (fp + code[(pc + 3) | 0]!) | 0;
            s[d] = s[a]! & s[b]!;
            s[(d + 1) | 0] = s[(a + 1) | 0]! & s[(b + 1) | 0]!;
            pc = (pc + 4) | 0;
            break;
          case Op.I64_OR:
            d = (fp + code[(pc + 1) | 0]!) | 0;
            a = (fp + code[(pc + 2) | 0]!) | 0;
            b = (fp + code[(pc + 3) | 0]!) | 0;
            s[d] = s[a]! | s[b]!;
            s[(d + 1) | 0] = s[(a + 1) | 0]! | s[(b + 1) | 0]!;
            pc = (pc + 4) | 0;
            break;
          // i64.shr_u, then falls through into I64_XOR (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.I64_SHR_U_XOR:
            I64.shr_u(s, (fp + code[(pc + 1) | 0]!) | 0, (fp + code[(pc + 2) | 0]!) | 0, (fp + code[(pc + 3) | 0]!) | 0);
            pc = (pc + 3) | 0;
          case Op.I64_XOR:
            d = (fp + code[(pc + 1) | 0]!) | 0;
            a = (fp + code[(pc + 2) | 0]!) | 0;
            b = (fp + code[(pc + 3) | 0]!) | 0;
            s[d] = s[a]! ^ s[b]!;
            s[(d + 1) | 0] = s[(a + 1) | 0]! ^ s[(b + 1) | 0]!;
            pc = (pc + 4) | 0;
            break;
          case Op.I64_SHL:
            I64.shl(s, (fp + code[(pc + 1) | 0]!) | 0, (fp + code[(pc + 2) | 0]!) | 0, (fp + code[(pc + 3) | 0]!) | 0);
            pc = (pc + 4) | 0;
            break;
          case Op.I64_SHR_S:
            I64.shr_s(s, (fp + code[(pc + 1) | 0]!) | 0, (fp + code[(pc + 2) | 0]!) | 0, (fp + code[(pc + 3) | 0]!) | 0);
            pc = (pc + 4) | 0;
            break;
          case Op.I64_SHR_U:
            I64.shr_u(s, (fp + code[(pc + 1) | 0]!) | 0, (fp + code[(pc + 2) | 0]!) | 0, (fp + code[(pc + 3) | 0]!) | 0);
            pc = (pc + 4) | 0;
            break;
          case Op.I64_ROTL:
            I64.rotl(s, (fp + code[(pc + 1) | 0]!) | 0, (fp + code[(pc + 2) | 0]!) | 0, (fp + code[(pc + 3) | 0]!) | 0);
            pc = (pc + 4) | 0;
            break;
          case Op.I64_ROTR:
            I64.rotr(s, (fp + code[(pc + 1) | 0]!) | 0, (fp + code[(pc + 2) | 0]!) | 0, (fp + code[(pc + 3) | 0]!) | 0);
            pc = (pc + 4) | 0;
            break;

          // ---------------------------------------------------------------- f32
          case Op.F32_EQ:
            s[(fp + code[(pc + 1) | 0]!) | 0] = f32[(fp + code[(pc + 2) | 0]!) | 0] === f32[(fp + code[(pc + 3) | 0]!) | 0] ? 1 : 0;
            pc = (pc + 4) | 0;
            break;
          case Op.F32_NE:
            s[(fp + code[(pc + 1) | 0]!) | 0] = f32[(fp + code[(pc + 2) | 0]!) | 0] !== f32[(fp + code[(pc + 3) | 0]!) | 0] ? 1 : 0;
            pc = (pc + 4) | 0;
            break;
          case Op.F32_LT:
            s[(fp + code[(pc + 1) | 0]!) | 0] = f32[(fp + code[(pc + 2) | 0]!) | 0]! < f32[(fp + code[(pc + 3) | 0]!) | 0]! ? 1 : 0;
            pc = (pc + 4) | 0;
            break;
          case Op.F32_GT:
            s[(fp + code[(pc + 1) | 0]!) | 0] = f32[(fp + code[(pc + 2) | 0]!) | 0]! > f32[(fp + code[(pc + 3) | 0]!) | 0]! ? 1 : 0;
            pc = (pc + 4) | 0;
            break;
          case Op.F32_LE:
            s[(fp + code[(pc + 1) | 0]!) | 0] = f32[(fp + code[(pc + 2) | 0]!) | 0]! <= f32[(fp + code[(pc + 3) | 0]!) | 0]! ? 1 : 0;
            pc = (pc + 4) | 0;
            break;
          case Op.F32_GE:
            s[(fp + code[(pc + 1) | 0]!) | 0] = f32[(fp + code[(pc + 2) | 0]!) | 0]! >= f32[(fp + code[(pc + 3) | 0]!) | 0]! ? 1 : 0;
            pc = (pc + 4) | 0;
            break;
          case Op.F32_ABS:
            s[(fp + code[(pc + 1) | 0]!) | 0] = s[(fp + code[(pc + 2) | 0]!) | 0]! & 0x7fffffff;
            pc = (pc + 3) | 0;
            break;
          case Op.F32_NEG:
            s[(fp + code[(pc + 1) | 0]!) | 0] = s[(fp + code[(pc + 2) | 0]!) | 0]! ^ -0x80000000;
            pc = (pc + 3) | 0;
            break;
          case Op.F32_CEIL:
            f32[(fp + code[(pc + 1) | 0]!) | 0] = Math.ceil(f32[(fp + code[(pc + 2) | 0]!) | 0]!);
            pc = (pc + 3) | 0;
            break;
          case Op.F32_FLOOR:
            f32[(fp + code[(pc + 1) | 0]!) | 0] = Math.floor(f32[(fp + code[(pc + 2) | 0]!) | 0]!);
            pc = (pc + 3) | 0;
            break;
          case Op.F32_TRUNC:
            f32[(fp + code[(pc + 1) | 0]!) | 0] = Math.trunc(f32[(fp + code[(pc + 2) | 0]!) | 0]!);
            pc = (pc + 3) | 0;
            break;
          case Op.F32_NEAREST:
            f32[(fp + code[(pc + 1) | 0]!) | 0] = F64N.nearest(f32[(fp + code[(pc + 2) | 0]!) | 0]!);
            pc = (pc + 3) | 0;
            break;
          case Op.F32_SQRT:
            f32[(fp + code[(pc + 1) | 0]!) | 0] = Math.sqrt(f32[(fp + code[(pc + 2) | 0]!) | 0]!);
            pc = (pc + 3) | 0;
            break;
          case Op.F32_ADD:
            f32[(fp + code[(pc + 1) | 0]!) | 0] = f32[(fp + code[(pc + 2) | 0]!) | 0]! + f32[(fp + code[(pc + 3) | 0]!) | 0]!;
            pc = (pc + 4) | 0;
            break;
          // nbody's dx = x - f32.load(p + k): i32.add, i32.load (f32.load's op, the op's only access), then falls
          // through into F32_SUB
          // @ts-expect-error -- falls through on purpose
          case Op.ADD_I32_LOAD_F32_SUB:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            ea = (s[(fp + code[(pc + 5) | 0]!) | 0]! >>> 0) + (code[(pc + 6) | 0]! >>> 0);
            if (ea + 4 > memLen) break oob;
            s[(fp + code[(pc + 4) | 0]!) | 0] = view.getInt32(ea, true);
            pc = (pc + 6) | 0;
          case Op.F32_SUB:
            f32[(fp + code[(pc + 1) | 0]!) | 0] = f32[(fp + code[(pc + 2) | 0]!) | 0]! - f32[(fp + code[(pc + 3) | 0]!) | 0]!;
            pc = (pc + 4) | 0;
            break;
          // i32.add, then falls through into F32_MUL_MUL_KEPT
          // @ts-expect-error -- falls through on purpose
          case Op.ADD_F32_MUL_MUL_KEPT:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
          // F32_MUL_MUL's layout; KEEP checked that only the second mul reads the first product, as its first operand
          case Op.F32_MUL_MUL_KEPT:
            fr = Math.fround(f32[(fp + code[(pc + 2) | 0]!) | 0]! * f32[(fp + code[(pc + 3) | 0]!) | 0]!);
            f32[(fp + code[(pc + 4) | 0]!) | 0] = fr * f32[(fp + code[(pc + 6) | 0]!) | 0]!;
            pc = (pc + 7) | 0;
            break;
          // i32.add, then falls through into F32_MUL_MUL (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.ADD_F32_MUL_MUL:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
          // f32.mul, then falls through into F32_MUL (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.F32_MUL_MUL:
            f32[(fp + code[(pc + 1) | 0]!) | 0] = f32[(fp + code[(pc + 2) | 0]!) | 0]! * f32[(fp + code[(pc + 3) | 0]!) | 0]!;
            pc = (pc + 3) | 0;
          case Op.F32_MUL:
            f32[(fp + code[(pc + 1) | 0]!) | 0] = f32[(fp + code[(pc + 2) | 0]!) | 0]! * f32[(fp + code[(pc + 3) | 0]!) | 0]!;
            pc = (pc + 4) | 0;
            break;
          case Op.F32_DIV:
            f32[(fp + code[(pc + 1) | 0]!) | 0] = f32[(fp + code[(pc + 2) | 0]!) | 0]! / f32[(fp + code[(pc + 3) | 0]!) | 0]!;
            pc = (pc + 4) | 0;
            break;
          case Op.F32_MIN:
            f32[(fp + code[(pc + 1) | 0]!) | 0] = F64N.min(f32[(fp + code[(pc + 2) | 0]!) | 0]!, f32[(fp + code[(pc + 3) | 0]!) | 0]!);
            pc = (pc + 4) | 0;
            break;
          case Op.F32_MAX:
            f32[(fp + code[(pc + 1) | 0]!) | 0] = F64N.max(f32[(fp + code[(pc + 2) | 0]!) | 0]!, f32[(fp + code[(pc + 3) | 0]!) | 0]!);
            pc = (pc + 4) | 0;
            break;
          case Op.F32_COPYSIGN:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! & 0x7fffffff) | (s[(fp + code[(pc + 3) | 0]!) | 0]! & -0x80000000);
            pc = (pc + 4) | 0;
            break;

          // ---------------------------------------------------------------- f64
          case Op.F64_EQ:
            s[(fp + code[(pc + 1) | 0]!) | 0] = f64[((fp + code[(pc + 2) | 0]!) | 0) >> 1] === f64[((fp + code[(pc + 3) | 0]!) | 0) >> 1] ? 1 : 0;
            pc = (pc + 4) | 0;
            break;
          case Op.F64_NE:
            s[(fp + code[(pc + 1) | 0]!) | 0] = f64[((fp + code[(pc + 2) | 0]!) | 0) >> 1] !== f64[((fp + code[(pc + 3) | 0]!) | 0) >> 1] ? 1 : 0;
            pc = (pc + 4) | 0;
            break;
          case Op.F64_LT:
            s[(fp + code[(pc + 1) | 0]!) | 0] = f64[((fp + code[(pc + 2) | 0]!) | 0) >> 1]! < f64[((fp + code[(pc + 3) | 0]!) | 0) >> 1]! ? 1 : 0;
            pc = (pc + 4) | 0;
            break;
          case Op.F64_GT:
            s[(fp + code[(pc + 1) | 0]!) | 0] = f64[((fp + code[(pc + 2) | 0]!) | 0) >> 1]! > f64[((fp + code[(pc + 3) | 0]!) | 0) >> 1]! ? 1 : 0;
            pc = (pc + 4) | 0;
            break;
          case Op.F64_LE:
            s[(fp + code[(pc + 1) | 0]!) | 0] = f64[((fp + code[(pc + 2) | 0]!) | 0) >> 1]! <= f64[((fp + code[(pc + 3) | 0]!) | 0) >> 1]! ? 1 : 0;
            pc = (pc + 4) | 0;
            break;
          case Op.F64_GE:
            s[(fp + code[(pc + 1) | 0]!) | 0] = f64[((fp + code[(pc + 2) | 0]!) | 0) >> 1]! >= f64[((fp + code[(pc + 3) | 0]!) | 0) >> 1]! ? 1 : 0;
            pc = (pc + 4) | 0;
            break;
          case Op.F64_ABS:
            d = (fp + code[(pc + 1) | 0]!) | 0;
            a = (fp + code[(pc + 2) | 0]!) | 0;
            s[d] = s[a]!;
            s[(d + 1) | 0] = s[(a + 1) | 0]! & 0x7fffffff;
            pc = (pc + 3) | 0;
            break;
          case Op.F64_NEG:
            d = (fp + code[(pc + 1) | 0]!) | 0;
            a = (fp + code[(pc + 2) | 0]!) | 0;
            s[d] = s[a]!;
            s[(d + 1) | 0] = s[(a + 1) | 0]! ^ -0x80000000;
            pc = (pc + 3) | 0;
            break;
          // the f64 roundings share a case (run's bytecode: session 20)
          case Op.F64_CEIL:
          case Op.F64_FLOOR:
          case Op.F64_TRUNC:
          case Op.F64_NEAREST: {
            const op = code[pc]!;
            d = (fp + code[(pc + 1) | 0]!) | 0;
            fr = f64[((fp + code[(pc + 2) | 0]!) | 0) >> 1]!;
            fr = op === Op.F64_CEIL ? Math.ceil(fr) : op === Op.F64_FLOOR ? Math.floor(fr) : op === Op.F64_TRUNC ? Math.trunc(fr) : F64N.nearest(fr);
            f64[d >> 1] = fr;
            if (fr !== fr) s[(d + 1) | 0] = s[(d + 1) | 0]! | 0x80000; // a signalling NaN comes out quiet
            pc = (pc + 3) | 0;
            break;
          }
          case Op.F64_SQRT:
            f64[((fp + code[(pc + 1) | 0]!) | 0) >> 1] = Math.sqrt(f64[((fp + code[(pc + 2) | 0]!) | 0) >> 1]!);
            pc = (pc + 3) | 0;
            break;
          case Op.F64_ADD:
            f64[((fp + code[(pc + 1) | 0]!) | 0) >> 1] = f64[((fp + code[(pc + 2) | 0]!) | 0) >> 1]! + f64[((fp + code[(pc + 3) | 0]!) | 0) >> 1]!;
            pc = (pc + 4) | 0;
            break;
          case Op.F64_SUB:
            f64[((fp + code[(pc + 1) | 0]!) | 0) >> 1] = f64[((fp + code[(pc + 2) | 0]!) | 0) >> 1]! - f64[((fp + code[(pc + 3) | 0]!) | 0) >> 1]!;
            pc = (pc + 4) | 0;
            break;
          case Op.F64_MUL:
            f64[((fp + code[(pc + 1) | 0]!) | 0) >> 1] = f64[((fp + code[(pc + 2) | 0]!) | 0) >> 1]! * f64[((fp + code[(pc + 3) | 0]!) | 0) >> 1]!;
            pc = (pc + 4) | 0;
            break;
          case Op.F64_DIV:
            f64[((fp + code[(pc + 1) | 0]!) | 0) >> 1] = f64[((fp + code[(pc + 2) | 0]!) | 0) >> 1]! / f64[((fp + code[(pc + 3) | 0]!) | 0) >> 1]!;
            pc = (pc + 4) | 0;
            break;
          case Op.F64_MIN:
            f64[((fp + code[(pc + 1) | 0]!) | 0) >> 1] = F64N.min(f64[((fp + code[(pc + 2) | 0]!) | 0) >> 1]!, f64[((fp + code[(pc + 3) | 0]!) | 0) >> 1]!);
            pc = (pc + 4) | 0;
            break;
          case Op.F64_MAX:
            f64[((fp + code[(pc + 1) | 0]!) | 0) >> 1] = F64N.max(f64[((fp + code[(pc + 2) | 0]!) | 0) >> 1]!, f64[((fp + code[(pc + 3) | 0]!) | 0) >> 1]!);
            pc = (pc + 4) | 0;
            break;
          case Op.F64_COPYSIGN:
            d = (fp + code[(pc + 1) | 0]!) | 0;
            a = (fp + code[(pc + 2) | 0]!) | 0;
            b = (fp + code[(pc + 3) | 0]!) | 0;
            s[d] = s[a]!;
            s[(d + 1) | 0] = (s[(a + 1) | 0]! & 0x7fffffff) | (s[(b + 1) | 0]! & -0x80000000);
            pc = (pc + 4) | 0;
            break;

          // ---------------------------------------------------------------- conversions
          case Op.I32_WRAP_I64:
            s[(fp + code[(pc + 1) | 0]!) | 0] = s[(fp + code[(pc + 2) | 0]!) | 0]!;
            pc = (pc + 3) | 0;
            break;
          case Op.I64_EXTEND_I32_S:
            d = (fp + code[(pc + 1) | 0]!) | 0;
            x = s[(fp + code[(pc + 2) | 0]!) | 0]!;
            s[d] = x;
            s[(d + 1) | 0] = x >> 31;
            pc = (pc + 3) | 0;
            break;
          // i64.mul, then falls through into I64_EXTEND_I32_U (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.I64_MUL_EXTEND_U:
            I64.mul(s, (fp + code[(pc + 1) | 0]!) | 0, (fp + code[(pc + 2) | 0]!) | 0, (fp + code[(pc + 3) | 0]!) | 0);
            pc = (pc + 3) | 0;
          case Op.I64_EXTEND_I32_U:
            d = (fp + code[(pc + 1) | 0]!) | 0;
            s[d] = s[(fp + code[(pc + 2) | 0]!) | 0]!;
            s[(d + 1) | 0] = 0;
            pc = (pc + 3) | 0;
            break;
          case Op.I32_EXTEND8_S:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! << 24) >> 24;
            pc = (pc + 3) | 0;
            break;
          case Op.I32_EXTEND16_S:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! << 16) >> 16;
            pc = (pc + 3) | 0;
            break;
          case Op.I64_EXTEND8_S:
            d = (fp + code[(pc + 1) | 0]!) | 0;
            x = (s[(fp + code[(pc + 2) | 0]!) | 0]! << 24) >> 24;
            s[d] = x;
            s[(d + 1) | 0] = x >> 31;
            pc = (pc + 3) | 0;
            break;
          case Op.I64_EXTEND16_S:
            d = (fp + code[(pc + 1) | 0]!) | 0;
            x = (s[(fp + code[(pc + 2) | 0]!) | 0]! << 16) >> 16;
            s[d] = x;
            s[(d + 1) | 0] = x >> 31;
            pc = (pc + 3) | 0;
            break;
          case Op.I64_EXTEND32_S:
            d = (fp + code[(pc + 1) | 0]!) | 0;
            x = s[(fp + code[(pc + 2) | 0]!) | 0]!;
            s[d] = x;
            s[(d + 1) | 0] = x >> 31;
            pc = (pc + 3) | 0;
            break;
          case Op.F32_DEMOTE_F64:
            f32[(fp + code[(pc + 1) | 0]!) | 0] = f64[((fp + code[(pc + 2) | 0]!) | 0) >> 1]!;
            pc = (pc + 3) | 0;
            break;
          case Op.F64_PROMOTE_F32:
            f64[((fp + code[(pc + 1) | 0]!) | 0) >> 1] = f32[(fp + code[(pc + 2) | 0]!) | 0]!;
            pc = (pc + 3) | 0;
            break;
          case Op.F32_CONVERT_I32_S:
            f32[(fp + code[(pc + 1) | 0]!) | 0] = s[(fp + code[(pc + 2) | 0]!) | 0]!;
            pc = (pc + 3) | 0;
            break;
          case Op.F32_CONVERT_I32_U:
            f32[(fp + code[(pc + 1) | 0]!) | 0] = s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0;
            pc = (pc + 3) | 0;
            break;
          case Op.F64_CONVERT_I32_S:
            f64[((fp + code[(pc + 1) | 0]!) | 0) >> 1] = s[(fp + code[(pc + 2) | 0]!) | 0]!;
            pc = (pc + 3) | 0;
            break;
          case Op.F64_CONVERT_I32_U:
            f64[((fp + code[(pc + 1) | 0]!) | 0) >> 1] = s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0;
            pc = (pc + 3) | 0;
            break;
          case Op.CONVERT:
            mc.convert(code[(pc + 3) | 0]!, (fp + code[(pc + 1) | 0]!) | 0, (fp + code[(pc + 2) | 0]!) | 0);
            pc = (pc + 4) | 0;
            break;

          // ---------------------------------------------------------------- references
          case Op.REF_IS_NULL:
            s[(fp + code[(pc + 1) | 0]!) | 0] = refs[((fp + code[(pc + 2) | 0]!) | 0) >> 2] === null ? 1 : 0;
            pc = (pc + 3) | 0;
            break;
          case Op.REF_FUNC:
            refs[((fp + code[(pc + 1) | 0]!) | 0) >> 2] = funcs[code[(pc + 2) | 0]!];
            pc = (pc + 3) | 0;
            break;
          case Op.REF_AS_NON_NULL:
            if (refs[((fp + code[(pc + 2) | 0]!) | 0) >> 2] === null) throw new Trap('null reference');
            refs[((fp + code[(pc + 1) | 0]!) | 0) >> 2] = refs[((fp + code[(pc + 2) | 0]!) | 0) >> 2];
            pc = (pc + 3) | 0;
            break;

          case Op.SIMD:
            // (no state to save: a vector instruction pays no surcharge, and a trap saves it in the catch below)
            SIMD_EXEC[code[(pc + 1) | 0]!]!(mc, inst, (fp + code[(pc + 2) | 0]!) | 0, (fp + code[(pc + 3) | 0]!) | 0, (fp + code[(pc + 4) | 0]!) | 0, (fp + code[(pc + 5) | 0]!) | 0, code[(pc + 6) | 0]!, code[(pc + 7) | 0]!, code[(pc + 8) | 0]!, code[(pc + 9) | 0]!);
            pc += MISC_WIDTH;
            break;

          // i32.add, then falls through into V128_LOAD (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.ADD_V128_LOAD:
            s[(fp + code[(pc + 1) | 0]!) | 0] = (s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) | 0;
            pc = (pc + 3) | 0;
          case Op.V128_LOAD:
            ea = (s[(fp + code[(pc + 2) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (ea + 16 > memLen) break oob;
            d = (fp + code[(pc + 1) | 0]!) | 0;
            s[d] = view.getInt32(ea, true);
            s[(d + 1) | 0] = view.getInt32(ea + 4, true);
            s[(d + 2) | 0] = view.getInt32(ea + 8, true);
            s[(d + 3) | 0] = view.getInt32(ea + 12, true);
            pc = (pc + 4) | 0;
            break;
          // ADD_V128_LOAD's layout (d a b, d a off); KEEP checked that only the load reads the address (the op's origAt
          // names the load, its only access)
          case Op.ADD_V128_LOAD_KEPT:
            ea = ((s[(fp + code[(pc + 2) | 0]!) | 0]! + s[(fp + code[(pc + 3) | 0]!) | 0]!) >>> 0) + (code[(pc + 6) | 0]! >>> 0);
            if (ea + 16 > memLen) break oob;
            d = (fp + code[(pc + 4) | 0]!) | 0;
            s[d] = view.getInt32(ea, true);
            s[(d + 1) | 0] = view.getInt32(ea + 4, true);
            s[(d + 2) | 0] = view.getInt32(ea + 8, true);
            s[(d + 3) | 0] = view.getInt32(ea + 12, true);
            pc = (pc + 7) | 0;
            break;
          // f32x4.mul, then falls through into F32X4_SUB_V128_STORE (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.F32X4_MUL_SUB_V128_STORE:
            d = (fp + code[(pc + 1) | 0]!) | 0;
            a = (fp + code[(pc + 2) | 0]!) | 0;
            b = (fp + code[(pc + 3) | 0]!) | 0;
            f32[d] = f32[a]! * f32[b]!;
            f32[(d + 1) | 0] = f32[(a + 1) | 0]! * f32[(b + 1) | 0]!;
            f32[(d + 2) | 0] = f32[(a + 2) | 0]! * f32[(b + 2) | 0]!;
            f32[(d + 3) | 0] = f32[(a + 3) | 0]! * f32[(b + 3) | 0]!;
            pc = (pc + 3) | 0;
          // f32x4.sub, then falls through into V128_STORE (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.F32X4_SUB_V128_STORE:
            d = (fp + code[(pc + 1) | 0]!) | 0;
            a = (fp + code[(pc + 2) | 0]!) | 0;
            b = (fp + code[(pc + 3) | 0]!) | 0;
            f32[d] = f32[a]! - f32[b]!;
            f32[(d + 1) | 0] = f32[(a + 1) | 0]! - f32[(b + 1) | 0]!;
            f32[(d + 2) | 0] = f32[(a + 2) | 0]! - f32[(b + 2) | 0]!;
            f32[(d + 3) | 0] = f32[(a + 3) | 0]! - f32[(b + 3) | 0]!;
            pc = (pc + 3) | 0;
          case Op.V128_STORE:
            ea = (s[(fp + code[(pc + 1) | 0]!) | 0]! >>> 0) + (code[(pc + 3) | 0]! >>> 0);
            if (ea + 16 > memLen) break oob;
            a = (fp + code[(pc + 2) | 0]!) | 0;
            view.setInt32(ea, s[a]!, true);
            view.setInt32(ea + 4, s[(a + 1) | 0]!, true);
            view.setInt32(ea + 8, s[(a + 2) | 0]!, true);
            view.setInt32(ea + 12, s[(a + 3) | 0]!, true);
            pc = (pc + 4) | 0;
            break;
          // F32X4_MUL_ADD's layout (d a b twice); KEEP checked that only the add reads the product, as its second operand
          case Op.F32X4_MUL_ADD_KEPT: {
            a = (fp + code[(pc + 2) | 0]!) | 0;
            b = (fp + code[(pc + 3) | 0]!) | 0;
            const m0 = Math.fround(f32[a]! * f32[b]!);
            const m1 = Math.fround(f32[(a + 1) | 0]! * f32[(b + 1) | 0]!);
            const m2 = Math.fround(f32[(a + 2) | 0]! * f32[(b + 2) | 0]!);
            const m3 = Math.fround(f32[(a + 3) | 0]! * f32[(b + 3) | 0]!);
            d = (fp + code[(pc + 4) | 0]!) | 0;
            a = (fp + code[(pc + 5) | 0]!) | 0;
            f32[d] = f32[a]! + m0;
            f32[(d + 1) | 0] = f32[(a + 1) | 0]! + m1;
            f32[(d + 2) | 0] = f32[(a + 2) | 0]! + m2;
            f32[(d + 3) | 0] = f32[(a + 3) | 0]! + m3;
            pc = (pc + 7) | 0;
            break;
          }
          // F32X4_MUL_SUB_V128_STORE's layout (d a b, d a b, a v off); KEEP checked that only the sub reads the product,
          // as its second operand, and that the store's value is the difference (written to its slot too, rounded
          // to f32 by both stores alike); the store is the op's only access (its origAt)
          case Op.F32X4_MUL_SUB_V128_STORE_KEPT: {
            a = (fp + code[(pc + 2) | 0]!) | 0;
            b = (fp + code[(pc + 3) | 0]!) | 0;
            const m0 = Math.fround(f32[a]! * f32[b]!);
            const m1 = Math.fround(f32[(a + 1) | 0]! * f32[(b + 1) | 0]!);
            const m2 = Math.fround(f32[(a + 2) | 0]! * f32[(b + 2) | 0]!);
            const m3 = Math.fround(f32[(a + 3) | 0]! * f32[(b + 3) | 0]!);
            ea = (s[(fp + code[(pc + 7) | 0]!) | 0]! >>> 0) + (code[(pc + 9) | 0]! >>> 0);
            if (ea + 16 > memLen) break oob;
            a = (fp + code[(pc + 5) | 0]!) | 0;
            d = (fp + code[(pc + 4) | 0]!) | 0;
            fr = f32[a]! - m0;
            f32[d] = fr;
            view.setFloat32(ea, fr, true);
            fr = f32[(a + 1) | 0]! - m1;
            f32[(d + 1) | 0] = fr;
            view.setFloat32(ea + 4, fr, true);
            fr = f32[(a + 2) | 0]! - m2;
            f32[(d + 2) | 0] = fr;
            view.setFloat32(ea + 8, fr, true);
            fr = f32[(a + 3) | 0]! - m3;
            f32[(d + 3) | 0] = fr;
            view.setFloat32(ea + 12, fr, true);
            pc = (pc + 10) | 0;
            break;
          }
          // (slots are whole: d is a, b or neither, so lane by lane is safe)
          // f32x4.mul, then falls through into F32X4_ADD (which reads its operands from the advanced pc)
          // @ts-expect-error -- falls through on purpose
          case Op.F32X4_MUL_ADD:
            d = (fp + code[(pc + 1) | 0]!) | 0;
            a = (fp + code[(pc + 2) | 0]!) | 0;
            b = (fp + code[(pc + 3) | 0]!) | 0;
            f32[d] = f32[a]! * f32[b]!;
            f32[(d + 1) | 0] = f32[(a + 1) | 0]! * f32[(b + 1) | 0]!;
            f32[(d + 2) | 0] = f32[(a + 2) | 0]! * f32[(b + 2) | 0]!;
            f32[(d + 3) | 0] = f32[(a + 3) | 0]! * f32[(b + 3) | 0]!;
            pc = (pc + 3) | 0;
          case Op.F32X4_ADD:
            d = (fp + code[(pc + 1) | 0]!) | 0;
            a = (fp + code[(pc + 2) | 0]!) | 0;
            b = (fp + code[(pc + 3) | 0]!) | 0;
            f32[d] = f32[a]! + f32[b]!;
            f32[(d + 1) | 0] = f32[(a + 1) | 0]! + f32[(b + 1) | 0]!;
            f32[(d + 2) | 0] = f32[(a + 2) | 0]! + f32[(b + 2) | 0]!;
            f32[(d + 3) | 0] = f32[(a + 3) | 0]! + f32[(b + 3) | 0]!;
            pc = (pc + 4) | 0;
            break;
          case Op.F32X4_SUB:
            d = (fp + code[(pc + 1) | 0]!) | 0;
            a = (fp + code[(pc + 2) | 0]!) | 0;
            b = (fp + code[(pc + 3) | 0]!) | 0;
            f32[d] = f32[a]! - f32[b]!;
            f32[(d + 1) | 0] = f32[(a + 1) | 0]! - f32[(b + 1) | 0]!;
            f32[(d + 2) | 0] = f32[(a + 2) | 0]! - f32[(b + 2) | 0]!;
            f32[(d + 3) | 0] = f32[(a + 3) | 0]! - f32[(b + 3) | 0]!;
            pc = (pc + 4) | 0;
            break;
          case Op.F32X4_MUL:
            d = (fp + code[(pc + 1) | 0]!) | 0;
            a = (fp + code[(pc + 2) | 0]!) | 0;
            b = (fp + code[(pc + 3) | 0]!) | 0;
            f32[d] = f32[a]! * f32[b]!;
            f32[(d + 1) | 0] = f32[(a + 1) | 0]! * f32[(b + 1) | 0]!;
            f32[(d + 2) | 0] = f32[(a + 2) | 0]! * f32[(b + 2) | 0]!;
            f32[(d + 3) | 0] = f32[(a + 3) | 0]! * f32[(b + 3) | 0]!;
            pc = (pc + 4) | 0;
            break;
          case Op.I32X4_ADD:
            d = (fp + code[(pc + 1) | 0]!) | 0;
            a = (fp + code[(pc + 2) | 0]!) | 0;
            b = (fp + code[(pc + 3) | 0]!) | 0;
            s[d] = (s[a]! + s[b]!) | 0;
            s[(d + 1) | 0] = (s[(a + 1) | 0]! + s[(b + 1) | 0]!) | 0;
            s[(d + 2) | 0] = (s[(a + 2) | 0]! + s[(b + 2) | 0]!) | 0;
            s[(d + 3) | 0] = (s[(a + 3) | 0]! + s[(b + 3) | 0]!) | 0;
            pc = (pc + 4) | 0;
            break;
          case Op.I16X8_ADD:
            // two 16-bit lanes per word: add the low 15 bits of each lane (no carry crosses a lane), then the top
            // bits by xor (their carry out of the lane is dropped, as wrapping addition wants)
            d = (fp + code[(pc + 1) | 0]!) | 0;
            a = (fp + code[(pc + 2) | 0]!) | 0;
            b = (fp + code[(pc + 3) | 0]!) | 0;
            x = s[a]!;
            y = s[b]!;
            s[d] = (((x & 0x7fff7fff) + (y & 0x7fff7fff)) ^ ((x ^ y) & -0x7fff8000)) | 0;
            x = s[(a + 1) | 0]!;
            y = s[(b + 1) | 0]!;
            s[(d + 1) | 0] = (((x & 0x7fff7fff) + (y & 0x7fff7fff)) ^ ((x ^ y) & -0x7fff8000)) | 0;
            x = s[(a + 2) | 0]!;
            y = s[(b + 2) | 0]!;
            s[(d + 2) | 0] = (((x & 0x7fff7fff) + (y & 0x7fff7fff)) ^ ((x ^ y) & -0x7fff8000)) | 0;
            x = s[(a + 3) | 0]!;
            y = s[(b + 3) | 0]!;
            s[(d + 3) | 0] = (((x & 0x7fff7fff) + (y & 0x7fff7fff)) ^ ((x ^ y) & -0x7fff8000)) | 0;
            pc = (pc + 4) | 0;
            break;
          case Op.I32X4_SHL:
            d = (fp + code[(pc + 1) | 0]!) | 0;
            a = (fp + code[(pc + 2) | 0]!) | 0;
            y = s[(fp + code[(pc + 3) | 0]!) | 0]! & 31;
            s[d] = s[a]! << y;
            s[(d + 1) | 0] = s[(a + 1) | 0]! << y;
            s[(d + 2) | 0] = s[(a + 2) | 0]! << y;
            s[(d + 3) | 0] = s[(a + 3) | 0]! << y;
            pc = (pc + 4) | 0;
            break;
          case Op.I8X16_ADD_SAT_U:
            // per word: the wrapped byte sums (low 7 bits added, the top bits by xor), then every byte whose add
            // carried out of its top bit set to 0xff
            d = (fp + code[(pc + 1) | 0]!) | 0;
            a = (fp + code[(pc + 2) | 0]!) | 0;
            b = (fp + code[(pc + 3) | 0]!) | 0;
            x = s[a]!;
            y = s[b]!;
            ea = ((x & 0x7f7f7f7f) + (y & 0x7f7f7f7f)) ^ ((x ^ y) & -0x7f7f7f80);
            s[d] = ea | Math.imul((((x & y) | ((x | y) & ~ea)) & -0x7f7f7f80) >>> 7, 255);
            x = s[(a + 1) | 0]!;
            y = s[(b + 1) | 0]!;
            ea = ((x & 0x7f7f7f7f) + (y & 0x7f7f7f7f)) ^ ((x ^ y) & -0x7f7f7f80);
            s[(d + 1) | 0] = ea | Math.imul((((x & y) | ((x | y) & ~ea)) & -0x7f7f7f80) >>> 7, 255);
            x = s[(a + 2) | 0]!;
            y = s[(b + 2) | 0]!;
            ea = ((x & 0x7f7f7f7f) + (y & 0x7f7f7f7f)) ^ ((x ^ y) & -0x7f7f7f80);
            s[(d + 2) | 0] = ea | Math.imul((((x & y) | ((x | y) & ~ea)) & -0x7f7f7f80) >>> 7, 255);
            x = s[(a + 3) | 0]!;
            y = s[(b + 3) | 0]!;
            ea = ((x & 0x7f7f7f7f) + (y & 0x7f7f7f7f)) ^ ((x ^ y) & -0x7f7f7f80);
            s[(d + 3) | 0] = ea | Math.imul((((x & y) | ((x | y) & ~ea)) & -0x7f7f7f80) >>> 7, 255);
            pc = (pc + 4) | 0;
            break;
          case Op.I16X8_EXTEND_LOW_I8X16_U:
          case Op.I16X8_EXTEND_HIGH_I8X16_U:
            // the low (words 0-1) or high (words 2-3) eight bytes, each widened to a 16-bit lane; read before d
            // (which may be a) is written
            a = (fp + code[(pc + 2) | 0]! + (code[pc] === Op.I16X8_EXTEND_HIGH_I8X16_U ? 2 : 0)) | 0;
            d = (fp + code[(pc + 1) | 0]!) | 0;
            x = s[a]!;
            y = s[(a + 1) | 0]!;
            s[d] = (x & 0xff) | ((x & 0xff00) << 8);
            s[(d + 1) | 0] = ((x >>> 16) & 0xff) | ((x >>> 8) & 0xff0000);
            s[(d + 2) | 0] = (y & 0xff) | ((y & 0xff00) << 8);
            s[(d + 3) | 0] = ((y >>> 16) & 0xff) | ((y >>> 8) & 0xff0000);
            pc = (pc + 3) | 0;
            break;
          case Op.I8X16_SHUFFLE: {
            // both operands aside (the result may overwrite either), then each result word from the four bytes
            // its packed lane indices name (simd-exec.ts's shuffle, without the call)
            const w = SHUFFLE_SRC;
            const B = SHUFFLE_SRC8;
            a = (fp + code[(pc + 3) | 0]!) | 0;
            b = (fp + code[(pc + 4) | 0]!) | 0;
            w[0] = s[a]!;
            w[1] = s[(a + 1) | 0]!;
            w[2] = s[(a + 2) | 0]!;
            w[3] = s[(a + 3) | 0]!;
            w[4] = s[b]!;
            w[5] = s[(b + 1) | 0]!;
            w[6] = s[(b + 2) | 0]!;
            w[7] = s[(b + 3) | 0]!;
            d = (fp + code[(pc + 2) | 0]!) | 0;
            x = code[(pc + 6) | 0]!;
            s[d] = B[x & 31]! | (B[(x >>> 8) & 31]! << 8) | (B[(x >>> 16) & 31]! << 16) | (B[(x >>> 24) & 31]! << 24);
            x = code[(pc + 7) | 0]!;
            s[(d + 1) | 0] = B[x & 31]! | (B[(x >>> 8) & 31]! << 8) | (B[(x >>> 16) & 31]! << 16) | (B[(x >>> 24) & 31]! << 24);
            x = code[(pc + 8) | 0]!;
            s[(d + 2) | 0] = B[x & 31]! | (B[(x >>> 8) & 31]! << 8) | (B[(x >>> 16) & 31]! << 16) | (B[(x >>> 24) & 31]! << 24);
            x = code[(pc + 9) | 0]!;
            s[(d + 3) | 0] = B[x & 31]! | (B[(x >>> 8) & 31]! << 8) | (B[(x >>> 16) & 31]! << 16) | (B[(x >>> 24) & 31]! << 24);
            pc = (pc + MISC_WIDTH) | 0;
            break;
          }
          case Op.V128_XOR:
            d = (fp + code[(pc + 1) | 0]!) | 0;
            a = (fp + code[(pc + 2) | 0]!) | 0;
            b = (fp + code[(pc + 3) | 0]!) | 0;
            s[d] = s[a]! ^ s[b]!;
            s[(d + 1) | 0] = s[(a + 1) | 0]! ^ s[(b + 1) | 0]!;
            s[(d + 2) | 0] = s[(a + 2) | 0]! ^ s[(b + 2) | 0]!;
            s[(d + 3) | 0] = s[(a + 3) | 0]! ^ s[(b + 3) | 0]!;
            pc = (pc + 4) | 0;
            break;

          case Op.MISC: {
            mc.save(comp, pc, fp, fuel, blk, depth);
            const r = execMisc(mc, inst, comp.code, pc, fp);
            if (r < 0) {
              // surcharge could not be paid: state already saved at this instruction
              return STATUS_OUT_OF_FUEL;
            }
            fuel = mc.fuel;
            pc = r | 0;
            refs = mc.refs;
            if (mem0) {
              view = mem0.view;
              memLen = mem0.byteLength;
            }
            // (the outer head re-reads the value stack's views: the dispatch loop never assigns them)
            continue outer;
          }

          default:
            throw new Error(`wasmeter internal error: bad internal opcode ${code[pc]} at ${pc}`);
        }
        continue;
        }
        // pc stands where the access's trap is named (or on an operand word after it: the catch walks back)
        throw new Trap('out of bounds memory access');
      }
    }
  } catch (e) {
    // a fused op's later part traps with pc past the op's start: back to the op's start, or to the trap mark that
    // names the instruction that trapped (TRAPS, translate-state.ts)
    while (pc > 0 && comp.origAt[pc] === -1) pc--;
    // (a JS-tier callee that threw has already settled the machine's fuel; a wasm exception still
    // needs this frame's position, for its handlers and those of the frames below; a frame the JS version ran
    // on from a loop head (FUEL_OSR) has had its handlers applied there: pc -1, in none of them)
    if (!mc.settled) mc.save(comp, pc, fp, fuel, blk, depth);
    else if (exnOf(e) !== null) mc.save(comp, mc.osrThrew ? -1 : pc, fp, mc.fuel, blk, depth);
    mc.osrThrew = false;
    throw e;
  }
}

const EMPTY_VIEW = new DataView(new ArrayBuffer(0));
