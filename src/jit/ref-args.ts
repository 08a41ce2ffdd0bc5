/**
 * Reference arguments and results of calls between generated functions, as JS arguments and return values.
 *
 * A call's arguments go to the callee's parameter slots in the machine's value stack (`S`) and reference array
 * (`mc.refs`, `RF`). Storing an object the caller has just made or read into `RF`, an array that lives in V8's
 * old generation, takes V8's write barrier into its remembered set, and the callee then reads the slot back and
 * clears it (dropRef): gc-shapes' 600,000 calls of `$area(anyref)` spent about a fifth of their time there
 * (BENCHMARKS.md, "Reference arguments as JS arguments"). So a generated function takes each reference
 * parameter `x` also as a JS parameter `P<x>`, after the six of tier.ts' JitFn, and a generated caller passes
 * the reference there instead of writing the slot. `undefined` (no reference is ever `undefined`: null is null,
 * and the facade boxes the embedder's undefined) means "not passed": the callee reads and clears its slot as
 * before, which is what every other entry does (the machine, the interpreter's calls, loop re-entry, a caller
 * whose argument is not a plain variable, local or constant). A caller that ends up calling the interpreter
 * (`callSlow`) or a host function writes the slots as before.
 */
import { HeapType, I32, isConcreteHeap, isRef, refHeap, type FuncType, type ValType } from '../core/types.js';
import { CONST, LOCAL, VAR, type Ent } from './gen-types.js';

/**
 * Does nothing: called right after a call that passed references as JS arguments, with more arguments than that
 * call had, it overwrites the registers V8's interpreter and baseline code evaluated the arguments into. Those
 * registers are not cleared when the call returns, and V8 scans an unoptimized frame's registers whole: gc-list's
 * `run` (never optimized: its loop goes round 10 times) kept the list it had passed to `$sum` alive through
 * the whole next `$build` (27-30 ms a call instead of 12-14; BENCHMARKS.md). Optimized code inlines it to nothing.
 */
export function letGo(): void {}

/**
 * The statement that overwrites a call's argument registers after it (letGo): `jsArgs` arguments after the
 * callee, which may itself take a register, so one more than the call's. `letGo` is named as one of the
 * runtime's helpers (rt.ts), a variable of the source's factory: read from the instance's environment (`E[8]`),
 * it cost a map check, a bounds check and a load in every iteration of gc-shapes' loop, where V8 inlines the call
 * to nothing (BENCHMARKS.md, "Type descriptors as the factory's variables").
 */
export function letGoCall(jsArgs: number): string {
  return `letGo(${new Array<string>(jsArgs + 1).fill('0').join(', ')});`;
}

/**
 * Reference results as JS return values. A generated function returns the fuel left (or a stop's negative
 * status), and its results go to its frame's slots; a reference result written to `RF` pays V8's write barrier
 * as an argument did, and the caller reads the slot back and clears it (gc-trees' `$make` returns a new struct
 * every call: BENCHMARKS.md, "Reference results as JS return values"). So a function whose one result is a
 * reference that is never a JS number (a struct, array or function, or null: not i31, any, eq or extern, whose
 * values may be numbers) takes one more JS parameter, `RV`, after its `P<x>`: a generated caller passes 1, and the
 * function's normal return then leaves the fuel in `mc.fuel` and returns the reference itself. Anything else it
 * returns is a number, as without `RV`: a stop's status, or the fuel with the result in its slot (a callee that
 * declines: one split by outline.ts, or `callSlow`'s interpreter). So `typeof` tells the caller which.
 */
export function refResult(type: FuncType): boolean {
  if (type.results.length !== 1 || !isRef(type.results[0]!)) return false;
  const h = refHeap(type.results[0]!);
  return isConcreteHeap(h) || h === HeapType.struct || h === HeapType.array || h === HeapType.func || h === HeapType.none || h === HeapType.nofunc;
}

/**
 * i32 results as JS return values, in GC code. gc-shapes' `$area(anyref) -> i32`, called 600,000 times a run, wrote
 * its result to its frame's slot in `S` and returned the fuel, and its caller reloaded `S` and read the slot back
 * (BENCHMARKS.md, "i32 results as JS return values"). So a function whose one result is an i32 and which takes a
 * reference parameter (GC code: the protocol's reach is kept to it) also takes `RV`, and when a generated direct
 * caller passes 1, its normal return leaves the fuel in `mc.fuel` and returns the i32 itself, as refResult's do.
 * A number is no longer the sign of a decline or a stop, so with `RV === 1` every other way out goes through
 * numOut (rt.ts): a stop returns null with its status in `mc.rvSt`, a decline (the interpreter's result in the
 * slot: callSlow, a catch in the interpreter, a split function) the slot's value with the fuel in `mc.fuel`.
 */
export function numResult(type: FuncType): boolean {
  return type.results.length === 1 && type.results[0] === I32 && type.params.some(isRef);
}

/** Whether a function returns its one result as the JS return value when a generated caller passes `RV` 1 (refResult, numResult). */
export function rvResult(type: FuncType): boolean {
  return refResult(type) || numResult(type);
}

/** A normal return's statement that returns result `e` as the JS return value when the caller asked (rvResult), or ''. */
export function refReturn(type: FuncType, e: string): string {
  return rvResult(type) ? `if (RV === 1) { mc.fuel = fuel; return ${e}; } ` : '';
}

/**
 * A numResult function's normal returns, in one place (numReturn, numTail). Each `return` (or the end of the body)
 * puts the result in `rr` and leaves for the label NUM_RETURN around the body, after which the one tail returns it
 * either way: as the JS return value with the fuel in `mc.fuel` when the caller asked (`RV === 1`), else in the
 * slot with the fuel returned. With a `return` of its own at each site, V8 inlining gc-shapes' `$area` into its
 * caller merged three different stores of `mc.fuel` and three results, so the caller's `st = ... mc.fuel` was a load
 * after the call and `rr` a value of any type (the i31 arm's), and the loop's sum `(L4 + rr) | 0` a float add
 * (BENCHMARKS.md, "One return for an i32 result"); with one store the load is the stored value, and the bytecode
 * is smaller (443 -> 383 bytes, V8 inlines up to 460). A function split by outline.ts has no tail (its moved parts
 * cannot break to a label of the body): its sites return from where they are (numSplitReturns).
 */
export const NUM_RETURN = 'RQ';
/** A normal return of a numResult function's result `e` (numReturn's doc): `site` is the counted loop's exit marker, or ''. */
export function numReturn(e: string, site: string): string {
  return `${e === 'rr' ? '' : `rr = ${e}; `}${site}break ${NUM_RETURN};`;
}
/** The body of a numResult function that is not split, inside NUM_RETURN, and the one tail after it. */
export function numTail(body: string): string {
  return `${NUM_RETURN}: {\n${body}\n}\nif (RV === 1) { mc.fuel = fuel; return rr; } S[fp + 0] = rr; return fuel;`;
}
/** A split numResult function's returns, each where it is, the slot's (its RV calls go through numOut, codegen.ts). */
export function numSplitReturns(body: string): string {
  return body.replaceAll(`break ${NUM_RETURN};`, 'S[fp + 0] = rr; return fuel;');
}

/**
 * A numResult function's return of status or fuel `st` from anywhere but a normal return (`return stopEntry(...)`,
 * `return leave(...)`): through numOut when the caller asked for the result as the JS return value.
 */
export function numExit(type: FuncType, st: string): string {
  return numResult(type) ? `numOut(mc, ${st}, fp, RV)` : st;
}
/** refReturn's statements, to take out of a function that declines (outline.ts moves blocks into functions of their own, whose returns are its codes). */
export const REF_RETURN = /if \(RV === 1\) \{ mc\.fuel = fuel; return [^;]*; \} /g;

/**
 * A call of a generated function of type `type` with its JS arguments: `jsCall` is the JitFn call expression
 * (ending in `fuel`, before its reference arguments), after the test that chooses it when `slow` is the other
 * path's call (`jf !== null ? `), or alone when `slow` is null (a recursive call: the function itself). For a
 * refResult callee the result goes to the scratch variable `rr` (callResult reads it), else the call's status to `st`.
 */
export function callStatement(jsCall: string, refs: RefArgs, slow: string | null, off = ''): string {
  const or = (s: string): string => (slow === null ? '' : ` : ${s}`);
  if (refs.rv === '') return `st = ${jsCall}${refs.js})${or(slow!)};`;
  // (an i32 result: a stop is null, with its status in mc.rvSt; the interpreter's result is read from its slot, numOut)
  if (refs.num) return `rr = ${jsCall}${refs.js}${refs.rv})${or(`numOut(mc, ${slow}, fp + ${off}, 1)`)}; st = rr === null ? mc.rvSt : mc.fuel;`;
  return `rr = ${jsCall}${refs.js}${refs.rv})${or(slow!)}; st = typeof rr === 'number' ? rr : mc.fuel;`;
}

/**
 * After a call of a refResult callee, once it has not stopped: its result (from `rr`, or the slot `slot` when the
 * callee declined), and the statement that lets go of both. The slot is cleared only when the callee wrote it
 * (declined): a callee that returned its result in `rr` left the slot as it was (null once generated code has read
 * it; whatever an interpreter frame left there stays until overwritten, as in every other slot the interpreter
 * leaves), and a store into `mc.refs` saved on each of gc-trees' 491,000 calls is 3-5% of its time (BENCHMARKS.md).
 */
export function callResult(slot: string): { e: string; after: string } {
  return { e: `typeof rr === 'number' ? ${slot} : rr`, after: `if (typeof rr === 'number') ${slot} = null; rr = null;` };
}

/** The JS parameters a generated function takes for its reference parameters and result: `, P0, P2, RV` (or ''). */
export function refParamNames(type: FuncType): string {
  let s = '';
  type.params.forEach((t, x) => {
    if (isRef(t)) s += `, P${x}`;
  });
  return rvResult(type) ? s + ', RV' : s;
}

/**
 * `, undefined` for each JS parameter a generated function of type `type` takes after the six of a JitFn (its `P<x>`
 * and `RV`, refParamNames): what a call passes that has none of them, so that every call
 * of a generated function passes as many arguments as it has parameters. V8 calls a function with fewer arguments
 * than parameters through an adaptation that costs about as much again as a small callee itself: a loop of
 * `call_indirect`s of a `(param anyref) (result i32)` function, whose `RV` the call left out, took 1.9-2.2 ms
 * against 1.2-1.3 ms with `, undefined` passed (BENCHMARKS.md, "Calls with as many arguments as parameters").
 */
export function noJsArgs(type: FuncType): string {
  const n = type.params.filter(isRef).length + (rvResult(type) ? 1 : 0);
  return ', undefined'.repeat(n);
}

/** How a call passes its reference arguments: the JS arguments, and the slot writes for the other paths. */
export interface RefArgs {
  /** `, R1, undefined, L0` after the JitFn's six arguments, one for each reference parameter (noJsArgs). */
  js: string;
  /** The slot writes of the arguments passed in `js` as one comma expression (or ''), for a call of the interpreter or a host function. */
  slots: string;
  /** How many JS arguments `js` adds to the six of a JitFn. */
  n: number;
  /** For a refResult or numResult callee asked for its result as the JS return value: `, 1` (RV), else ''. */
  rv: string;
  /** The callee is numResult (its i32 result comes back in `rr`). */
  num: boolean;
}

/**
 * Whether argument entry `e` can travel as a JS argument: its expression is a variable, a local or a constant,
 * which nothing between the argument's place and the call changes (the other arguments' slot writes, the
 * depth check, the callee's load).
 */
export function passable(e: Ent): boolean {
  return isRef(e.t) && (e.k === VAR || e.k === LOCAL || e.k === CONST);
}

/**
 * A call's RefArgs from its `n` JS arguments `js` (`, e` for each reference parameter: its expression, or
 * `undefined` when written to its slot instead) and `slots` (the passed arguments' slot writes, `RF[(fp >> 2) + w] = e`, as one
 * comma expression); `rv`: the callee is known and refResult (a direct call), and is asked for its result as the JS
 * return value. (Trailing undefineds too: a call with fewer arguments than the callee's parameters is slower, noJsArgs.)
 */
export function refArgs(js: string, n: number, slots: string, rv: boolean, num = false): RefArgs {
  return { js, slots, n, rv: rv ? ', 1' : '', num: rv && num };
}
