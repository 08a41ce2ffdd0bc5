/**
 * Run by validate-func.test.ts in a child process under `--allow-natives-syntax` (bundled with esbuild), so that
 * what V8 has seen before (other test files in a shared worker) does not decide the maps and the optimisation it
 * reports: the type lists the validator's loop reads are of one map, and its optimised `run` keeps its code at the
 * first br_if carrying a value (BENCHMARKS.md, session 17, gen13). Prints the findings as JSON.
 */
import { I32, I64 } from '../../src/core/types.js';
import { decodeModule } from '../../src/decoder/decode.js';
import { encodeModule } from '../../src/encoder/encode.js';
import { QUIET_SINK } from '../../src/validate/func.js';
import { validateFunction, validateModule, type CodeSink } from '../../src/validate/index.js';
import { EMPTY } from '../../src/validate/ops.js';
import { END, I, block, code, fn, functype, i32c } from './validate-helpers.js';

/* eslint-disable @typescript-eslint/no-implied-eval */
const prepare = new Function('f', '%PrepareFunctionForOptimization(f)') as (f: unknown) => void;
const optimizeNext = new Function('f', '%OptimizeFunctionOnNextCall(f)') as (f: unknown) => void;
const optimized = new Function('f', 'return (%GetOptimizationStatus(f) & 16) !== 0') as (f: unknown) => boolean;
const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: unknown, b: unknown) => boolean;
/* eslint-enable @typescript-eslint/no-implied-eval */

class Recorder implements CodeSink {
  readonly log: string[] = [];
  instr(ins: Parameters<CodeSink['instr']>[0], v: Parameters<CodeSink['instr']>[1]): void {
    this.log.push(`${ins.def.name} h=${v.height} d=${v.ctrlDepth}${v.unreachable ? ' dead' : ''}`);
  }
}

const plain = code(block('block', I32), i32c(0), block('block'), i32c(1), I('br_if', 0), END, END, END);
const carrying = code(block('block', I32), i32c(7), i32c(1), I('br_if', 0), END, END);
const m = decodeModule(
  encodeModule(
    fn([], [I32], [i32c(1)], {
      types: [functype([], [I32]), functype([], []), functype([I32, I64], [])],
      funcs: [0, 0],
      codes: [
        { locals: [], body: plain, offset: 0 },
        { locals: [], body: carrying, offset: 0 },
      ],
    }),
  ),
);
const fts = m.types.map((t) => t.comp) as { params: readonly number[]; results: readonly number[] }[];
const lists = [EMPTY, [I32], ...fts.flatMap((t) => [t.params, t.results])];
const maps = lists.map((l) => sameMap(l, EMPTY));
const vm = validateModule(m, { bodies: false });
const fv = validateFunction(vm, 1, QUIET_SINK);
const run = Object.getPrototypeOf(fv).run as unknown;
prepare(run);
for (let i = 0; i < 4; i++) validateFunction(vm, 1, QUIET_SINK);
optimizeNext(run);
validateFunction(vm, 1, QUIET_SINK);
const warm = optimized(run);
const r = new Recorder();
validateFunction(vm, 2, r);
console.log(JSON.stringify({ maps, warm, log: r.log, after: optimized(run) }));
