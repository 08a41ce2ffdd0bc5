/**
 * Status of a JS-tier function call besides the interpreter's own
 * (STATUS_DONE 0, STATUS_OUT_OF_FUEL 1, STATUS_SUSPENDED 2 in exec.ts):
 * the frames that were running as JS have become interpreter frames and the
 * machine's saved state (mc.comp/pc/fp/fuel/blk/depth) is where the
 * interpreter continues. Only an interpreter loop (exec.ts `run`, reached
 * through Machine.start/resume or a nested run) consumes it; it never
 * reaches the Store.
 */
export const STATUS_HANDOFF = 3;

/**
 * A function of the JS tier: runs the wasm function whose frame starts at
 * word `fp` at call depth `depth`; `jd` is the JS stack already in use below
 * it (in 256-byte units, see jit/rt.ts JS_STACK_UNITS); `osr` is 0 for a call,
 * or the original offset of a loop head's block where the interpreter hands
 * over a running frame (its locals and stack in their slots). Returns a status.
 */
export type JitFn = (mc: any, fp: number, depth: number, jd: number, osr: number) => number;
