/**
 * The generator's helpers that V8 compiles early in a package's first run keep their optimised code when a kind of
 * value first met after the compile arrives (BENCHMARKS.md, session 16, helper gen12): the stack variables' names come
 * from a table by value type (gen-base.ts varName: a switch over the types threw pushVar and pushStmt away at the first
 * f32, v128 or reference), and the operand stack is an array of objects from the start (objectList: a fresh `[]` is
 * one of small integers until its first push, which threw push away at a new generator's first entry). Checked with
 * V8's natives syntax (switched on for this file's functions only).
 */
import { setFlagsFromString } from 'node:v8';
import { describe, expect, test } from 'vitest';
import { EXTERNREF, F32, F64, FUNCREF, I32, I64, V128 } from '../../src/core/types.js';
import { JsBase, objectList } from '../../src/jit/gen-base.js';
import { JsMemory } from '../../src/jit/gen-memory.js';
import { assignments, declareUsed, runtimeNames } from '../../src/jit/codegen.js';
import { Translator } from '../../src/interp/translate.js';
import { Linker, Module, Store } from '../../src/index.js';
import { codeHash } from '../../src/jit/rebind.js';
import { decodeModule } from '../../src/decoder/decode.js';
import { Reader } from '../../src/core/bytes.js';
import { watToBinary } from '../../src/text/wat.js';

setFlagsFromString('--allow-natives-syntax');
/* eslint-disable @typescript-eslint/no-implied-eval */
const prepare = new Function('f', '%PrepareFunctionForOptimization(f)') as (f: unknown) => void;
const optimizeNext = new Function('f', '%OptimizeFunctionOnNextCall(f)') as (f: unknown) => void;
const optimized = new Function('f', 'return (%GetOptimizationStatus(f) & 16) !== 0') as (f: unknown) => boolean;
const smiElements = new Function('a', 'return %HasSmiElements(a)') as (a: unknown[]) => boolean;
const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;
const isSmi = new Function('x', 'return %IsSmi(x)') as (x: unknown) => boolean;
/* eslint-enable @typescript-eslint/no-implied-eval */

describe('JS tier: the generator keeps its optimised helpers', () => {
  test('stack variables are named by table, for every value type, with no deopt at a type first met late', () => {
    const varName = (JsBase.prototype as unknown as { varName(t: number, i: number): string }).varName;
    const name = (t: number, i: number): string => varName.call(null, t, i);
    expect([I32, I64, F32, F64, V128, FUNCREF, EXTERNREF].map((t) => name(t, 7))).toEqual(['I7', 'J7', 'F7', 'D7', 'V7_0', 'R7', 'R7']);
    expect(() => name(0x78, 1)).toThrow(/value type/);
    // optimised after seeing i32s only, it keeps its code for the other types
    prepare(varName);
    for (let i = 0; i < 3; i++) name(I32, i);
    optimizeNext(varName);
    expect(name(I32, 3)).toBe('I3');
    expect(optimized(varName)).toBe(true);
    expect(name(F32, 4) + name(V128, 5) + name(FUNCREF, 6)).toBe('F4V5_0R6');
    expect(optimized(varName)).toBe(true);
  });

  test('the operand stack starts as an array of objects', () => {
    const st = objectList<{ k: number }>();
    expect(st.length).toBe(0);
    expect(smiElements(st)).toBe(false);
    st.push({ k: 1 });
    expect(sameMap(st, [{ k: 2 }])).toBe(true);
    expect(smiElements([])).toBe(true);
  });
  test("declareUsed's declarations and the bounds checks' variables are strings built in loops: no deopt at the first function that has some", () => {
    // (session 17: a filtered or mapped list was an empty array of another map in the early functions, and V8 threw the
    // optimised declareUsed and build away at the first non-empty one: tiktoken 2, quickjs 1, sql.js 3 deopts)
    const none = ['var L0 = 0;\n', 'L0 = 1;\n', 'return fuel;\n'];
    const some = ['var L1 = 0;', 'st = jf !== null ? jf(E, mc, fp, d1, jw, 0, fuel) : callSlow(mc, E, fp, d1, jw, fuel); ea = 1; FD[0] = 1; trap(mc);', 'RF'];
    runtimeNames(); // (the runtime's names, as build has them)
    expect(declareUsed(none, 3)).toEqual({ helpers: '', decl: 'var S = mc.s;\n' });
    expect(declareUsed(some, 3)).toEqual({
      helpers: 'var { callSlow, trap } = R;\n',
      decl: `var d1 = depth + 1, jw = jd + 3;\nvar RF = mc.refs;\nvar S = mc.s, FD = mc.f64, st = 0, ea = 0, jf = null;\n`,
    });
    prepare(declareUsed);
    for (let i = 0; i < 3; i++) declareUsed(none, 3);
    optimizeNext(declareUsed);
    declareUsed(none, 3);
    expect(optimized(declareUsed)).toBe(true);
    declareUsed(some, 3);
    expect(optimized(declareUsed)).toBe(true);
    const boundVars = (JsMemory.prototype as unknown as { boundVars(this: { boundSizes: Set<number> }): [string, string] }).boundVars;
    const bv = (sizes: number[]): [string, string] => boundVars.call({ boundSizes: new Set(sizes) });
    expect(bv([])).toEqual(['', '']);
    expect(bv([8, 4])).toEqual([', ML4 = ML - 4, ML8 = ML - 8', ' ML4 = ML - 4; ML8 = ML - 8;']);
  });
  test('codeHash stays an int32: no deopt at the first hash of 2^31 or more', () => {
    // (session 17: as an unsigned result, every hash of 2^31 or more after V8 had optimised it on smaller ones was a
    // "lost precision" deopt, 13 in hash-wasm's first run, whose instances each check their module's translations)
    // (classified by a copy of the hash, so that codeHash sees only the small ones before it is optimised)
    const fnv = (w: Int32Array): number => w.reduce((h, x) => Math.imul(h ^ x, 0x01000193), 0x811c9dc5 | 0);
    const words = [...Array(64).keys()].map((i) => Int32Array.of(i, i * 7));
    const small = words.filter((w) => fnv(w) >= 0);
    const large = words.filter((w) => fnv(w) < 0);
    expect(small.length).toBeGreaterThan(3);
    expect(large.length).toBeGreaterThan(0);
    prepare(codeHash);
    for (let i = 0; i < 3; i++) codeHash(small[i]!);
    optimizeNext(codeHash);
    codeHash(small[3]!);
    expect(optimized(codeHash)).toBe(true);
    expect(codeHash(large[0]!) | 0).toBe(fnv(large[0]!));
    expect(optimized(codeHash)).toBe(true);
    expect(codeHash(Int32Array.of(1, 2))).not.toBe(codeHash(Int32Array.of(2, 1)));
  });
  test('a decoded body without locals has an empty list of the filled ones\' map', () => {
    // (session 18: `new Array(0)` kept small-integer elements, and the translator's loop over a body's locals, optimised
    // on bodies with locals, was thrown away at the first without: "wrong map", once in sql.js' first run)
    const m = decodeModule(watToBinary('(module (func (local i32 f64)) (func) (func (local i64)))'));
    const [a, none, b] = m.codes.map((c) => c.locals);
    expect(none!.length).toBe(0);
    expect(a!.length).toBe(2);
    expect(sameMap(a!, b!)).toBe(true);
    expect(sameMap(none!, a!)).toBe(true);
  });
  test('a LEB128 of three bytes or more reads as a small integer, not a heap number', () => {
    // (session 18: the sum of products by `2 ** shift` was a heap number even when small; a Reader made with one as its
    // end (a section of 16 KiB or more) gave the Readers' `end` a double field, and the decoder's optimised `u32` threw
    // its code away at the first such Reader: "not a Smi", once per first run in quickjs, sql.js and tiktoken)
    const r = new Reader(Uint8Array.of(0x80, 0x80, 0x01, 0xff, 0xff, 0xff, 0xff, 0x0f, 0xe5, 0x8e, 0x26));
    const v = r.u32();
    expect(v).toBe(16384);
    expect(isSmi(v)).toBe(true);
    expect(r.u32()).toBe(0xffffffff);
    expect(r.u32()).toBe(624485);
  });
  test("the translator's environment is of one map in every translation", () => {
    // (session 19: a spread of the instance's, whose clones V8 made with another map after the first few, and the
    // translator's `instr`, optimised on the first, was thrown away at `env.costs` in every package's first run)
    const envs: object[] = [];
    const finish = Translator.prototype.finish;
    Translator.prototype.finish = function (this: Translator) {
      envs.push((this as unknown as { env: object }).env);
      return finish.call(this);
    };
    try {
      const fns = Array.from({ length: 24 }, (_, i) => `(func (export "f${i}") (result i32) (i32.const ${i}))`).join(' ');
      for (let m = 0; m < 2; m++) {
        const inst = new Linker().instantiate(new Store(), Module.fromBinary(watToBinary(`(module ${fns})`)));
        for (let i = 0; i < 24; i++) expect(inst.call(`f${i}`)).toEqual([i]);
      }
    } finally {
      Translator.prototype.finish = finish;
    }
    expect(envs.length).toBeGreaterThanOrEqual(24);
    expect(envs.every((e) => sameMap(e, envs[0]!))).toBe(true);
  });
  test("osrPrologue's assignments are a string built in a loop", () => {
    // (session 19: `names.map(...).join(' ')` was thrown away at `join` once per first run in sql.js and tiktoken)
    expect(assignments(['L3'], ['S[fp + 12]'])).toBe('L3 = S[fp + 12];');
    expect(assignments(['L4', 'H4'], ['S[fp + 16]', 'S[fp + 17]'])).toBe('L4 = S[fp + 16]; H4 = S[fp + 17];');
    expect(assignments([], [])).toBe('');
  });
  test("a signed LEB128's sign is subtracted on every path: no deopt at the first negative value of two bytes or more", () => {
    // (session 19: `if (b & 0x40) result -= 2 ** shift` ran first at tiktoken's first such constant, after V8 had
    // optimised the reader on positive ones: "Insufficient type feedback for binary operation", s32 and sleb)
    const sleb = (Reader.prototype as unknown as { sleb(bits: number): number }).sleb;
    // (sleb is called directly, not through s32: an s32 that V8 had optimised, with sleb inlined, elsewhere in the same
    // worker never called sleb itself, and the request to optimise it on its next call waited: CI failed once so)
    const read = (...b: number[]): number => sleb.call(new Reader(Uint8Array.from(b)), 32);
    expect([read(0xc8, 0x01), read(0xb8, 0x7e), read(0x80, 0x80, 0x80, 0x80, 0x78), read(0xff, 0xff, 0xff, 0xff, 0x07)]).toEqual([200, -200, -(2 ** 31), 2 ** 31 - 1]);
    prepare(sleb);
    for (let i = 0; i < 3; i++) expect(read(0xc8, 0x01 + i)).toBe(200 + 128 * i);
    optimizeNext(sleb);
    expect(read(0xe4, 0x00)).toBe(100);
    expect(optimized(sleb)).toBe(true);
    expect(read(0xb8, 0x7e)).toBe(-200);
    expect(read(0x9c, 0x7f)).toBe(-100);
    expect(optimized(sleb)).toBe(true);
  });
});
