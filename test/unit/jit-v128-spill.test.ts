/**
 * The JS tier's epilogue (the frame handed to the interpreter at an exit: a fuel stop, a call's stop, a caught
 * exception) writes only the v128 locals that something may read after such a point before writing them
 * (src/jit/loop-scan.ts vecLive); the others' words are then dropped where nothing else reads them (deadWords), in
 * metered code too. Temporaries set and read between two exits lose their conversions; a local set before a loop, an
 * accumulator, a local read after a call or in a legacy catch arm keep theirs. Against the interpreter, at every
 * budget (stops and resumes everywhere).
 */
import { describe, expect, test } from 'vitest';
import { Linker, Module, Store } from '../../src/index.js';
import { jitStats } from '../../src/interp/tier.js';
import { LoopScan, exitFree } from '../../src/jit/loop-scan.js';
import { validateFunction } from '../../src/validate/module.js';
import { Reader } from '../../src/core/bytes.js';
import { Instr, readInstr } from '../../src/decoder/index.js';
import { captureSources } from '../shared/jit-sources.js';
import { runStarved, sweepBudgets, type StarvedRun } from '../shared/starved.js';

// $t (local 2): a temporary, written and read between two exits; $acc (3): an accumulator, read at the loop's head;
// $k (4): set before the loop, read in it; $u (5): set before a call, read after it
const WAT = `(module
  (memory 1)
  (func $inc (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func (export "run") (param $n i32) (result i32) (local $i i32) (local $t v128) (local $acc v128) (local $k v128) (local $u v128)
    (local.set $k (f32x4.mul (v128.load (i32.const 0)) (v128.const f32x4 1.5 2.5 -3 0.5)))
    (loop $l
      (local.set $t (f32x4.add (v128.load (i32.const 16)) (local.get $k)))
      (v128.store (i32.const 16) (f32x4.mul (local.get $t) (v128.const f32x4 0.5 0.5 0.5 0.5)))
      (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $t) (local.get $t))))
      (local.set $u (i32x4.splat (local.get $i)))
      (local.set $i (call $inc (local.get $i)))
      (v128.store (i32.const 32) (i32x4.add (local.get $u) (v128.load (i32.const 32))))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.xor (i32x4.extract_lane 1 (local.get $acc)) (i32.load (i32.const 44))))
  (func (export "peek") (param i32) (result i32) (i32.load (local.get 0)))
  (data (i32.const 0) "\\00\\00\\80\\3f\\00\\00\\00\\40\\00\\00\\40\\40\\00\\00\\80\\40\\00\\00\\c0\\3f\\01\\00\\80\\7f\\00\\00\\20\\41\\00\\00\\00\\80"))`;

// a v128 local written in a legacy try's body and read only in its catch arm, which the interpreter runs
const LEGACY = `(module
  (tag $e (param i32))
  (func $maybe (param i32) (result i32)
    (if (i32.eqz (i32.rem_u (local.get 0) (i32.const 3))) (then (throw $e (local.get 0))))
    (local.get 0))
  (func (export "run") (param $n i32) (result i32) (local $s i32) (local $v v128)
    (loop $l
      (local.set $s (i32.add (local.get $s)
        (try (result i32)
          (do (local.set $v (i32x4.splat (i32.mul (local.get $n) (i32.const 5)))) (call $maybe (local.get $n)))
          (catch $e (drop) (i32x4.extract_lane 2 (local.get $v))))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $s)))`;

type Tier = 'js' | 'interp';

/** One run of `run(n)` at `fuel` (stops topped up), with the memory words it leaves when there is a `peek`. */
function starved(wat: string, n: number, peek: boolean) {
  const mod = Module.fromWat(wat);
  return (tier: Tier, fuel: number, topUp: (needed: number) => number): StarvedRun => {
    const store = new Store({ tier, fuel });
    const inst = new Linker().instantiate(store, mod);
    const r = runStarved(store, inst, 'run', [n], topUp);
    if (peek && r.result !== undefined) store.addFuel(1e6);
    if (peek && r.result !== undefined) r.result = [r.result, ...Array.from({ length: 12 }, (_, k) => inst.call('peek', 4 * k)[0])];
    return r;
  };
}

const declined = (): number => [...jitStats.declined.values()].reduce((a, b) => a + b, 0);

/** The v128 locals LoopScan finds live at some hand-over point, for the function `index`. */
function live(wat: string, index: number): number[] {
  const mod = Module.fromWat(wat);
  // (no block starts but those after control instructions in these modules, which cut segments anyway)
  const scan = new LoopScan(new Map(), true);
  validateFunction(mod.validated, index, scan);
  return [...scan.vecLive].sort();
}

describe('JS tier: v128 locals the epilogue leaves out', () => {
  test('LoopScan: temporaries are dead at every hand-over point; a local read after a loop head, a call or a catch arm is not', () => {
    expect(live(WAT, 1)).toEqual([3, 4, 5]);
    expect(live(LEGACY, 1)).toEqual([2]);
  });

  test('exitFree: calls, grows, bulk and other memories hand over; arithmetic, locals and inline accesses do not', () => {
    const ins = (hex: string): Instr => {
      const bytes = Uint8Array.from(hex.match(/../g)!.map((b) => parseInt(b, 16)));
      const i = new Instr();
      readInstr(new Reader(bytes, 0, bytes.length, 0), i);
      return i;
    };
    // i32.add, local.get 0, i32.load (memory 0), v128.load, f32x4.add
    for (const h of ['6a', '2000', '28020a', 'fd00040a', 'fde401']) {
      const i = ins(h);
      expect(exitFree(i, i.def.name, true), i.def.name).toBe(true);
    }
    // call 0, memory.grow 0, memory.fill 0, br 0, loop
    for (const h of ['1000', '4000', 'fc0b00', '0c00', '0340']) {
      const i = ins(h);
      expect(exitFree(i, i.def.name, true), i.def.name).toBe(false);
    }
    // i32.load with 64-bit or no memory 0 (mem32 false): through the MISC executor
    const ld = ins('28020a');
    expect(exitFree(ld, ld.def.name, false)).toBe(false);
  });

  test('metered: a temporary gets no conversion to words and no slot in the epilogue; the live ones keep both', () => {
    const { srcs, value } = captureSources(() => {
      const inst = new Linker().instantiate(new Store({ tier: 'js', fuel: 1e9 }), Module.fromWat(WAT));
      return inst.call('run', 40)[0];
    });
    const interp = new Linker().instantiate(new Store({ tier: 'interp', fuel: 1e9 }), Module.fromWat(WAT)).call('run', 40)[0];
    expect(value).toBe(interp);
    const src = srcs.find((s) => s.includes('L5_3'))!;
    expect(src).toBeDefined();
    // $t: lanes only (f32x4 code reads them), no words, no slot (words 8-11)
    expect(src).not.toMatch(/L2 = \(F32V\[0\]/);
    expect(src).not.toMatch(/S\[fp \+ 8\] = L2/);
    // $acc, $k, $u: written to their slots
    expect(src).toMatch(/L3 = \(F32V\[0\]/);
    for (const x of [3, 4, 5]) expect(src).toContain(`S[fp + ${4 * x}] = L${x};`);
  });

  test('stops everywhere: the same results, memory and fuel as the interpreter, no function declined', () => {
    const d0 = declined();
    sweepBudgets(starved(WAT, 12, true), 1, 150);
    sweepBudgets(starved(LEGACY, 10, false), 1, 150);
    expect(declined()).toBe(d0);
  });
});
