/**
 * What the JS tier knows of reference locals (src/jit/ref-facts.ts): a cast or test of a local already
 * known to be of the type is not generated, a struct access through a local known not to be null has no null
 * check, and every way a fact stops holding (a write, a local.tee, the other arm, the end of the frame it was
 * made in, a loop's back edge, a write between a test and its if) makes the tier test again: each export below
 * traps (or not) and returns as the interpreter does, with the same fuel.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { Trap } from '../../src/core/errors.js';
import { Linker, Module, Store, WasmFunc } from '../../src/index.js';
import { jsEval } from '../../src/jit/codegen.js';
import { jitStats } from '../../src/interp/tier.js';
import { GC_WORKLOADS } from '../../bench/workloads.js';

const realCompile = jsEval.compile;
afterEach(() => {
  jsEval.compile = realCompile;
});

const FACTS = `(module
  (type $a (struct (field i32)))
  (type $b (struct (field i64) (field i32)))
  ;; k = 0: an $a (field 7); otherwise a $b (fields 5, 9)
  (func $mk (param $k i32) (result anyref)
    (if (result anyref) (local.get $k)
      (then (struct.new $b (i64.const 5) (i32.const 9)))
      (else (struct.new $a (i32.const 7)))))
  ;; known in the then arm, written there
  (func (export "written") (param $k i32) (result i32) (local $v anyref)
    (local.set $v (call $mk (i32.const 0)))
    (if (result i32) (ref.test (ref $a) (local.get $v))
      (then (local.set $v (call $mk (local.get $k))) (struct.get $a 0 (ref.cast (ref $a) (local.get $v))))
      (else (i32.const -1))))
  ;; the else arm does not know what the then arm knew
  (func (export "else") (param $k i32) (result i32) (local $v anyref)
    (local.set $v (call $mk (local.get $k)))
    (if (result i32) (ref.test (ref $b) (local.get $v))
      (then (struct.get $b 1 (ref.cast (ref $b) (local.get $v))))
      (else (struct.get $b 1 (ref.cast (ref $b) (local.get $v))))))
  ;; nor does the code after the if
  (func (export "after") (param $k i32) (result i32) (local $v anyref)
    (local.set $v (call $mk (local.get $k)))
    (if (ref.test (ref $b) (local.get $v)) (then (nop)))
    (struct.get $b 1 (ref.cast (ref $b) (local.get $v))))
  ;; a cast in a block a branch leaves before it
  (func (export "block") (param $k i32) (result i32) (local $v anyref)
    (local.set $v (call $mk (local.get $k)))
    (block $out
      (br_if $out (i32.eqz (local.get $k)))
      (drop (ref.cast (ref $b) (local.get $v))))
    (struct.get $b 1 (ref.cast (ref $b) (local.get $v))))
  ;; known before a loop whose body writes the local after the use
  (func (export "loop") (param $k i32) (result i32) (local $v anyref) (local $s i32) (local $i i32)
    (local.set $v (call $mk (i32.const 1)))
    (drop (ref.cast (ref $b) (local.get $v)))
    (loop $l
      (local.set $s (i32.add (local.get $s) (struct.get $b 1 (ref.cast (ref $b) (local.get $v)))))
      (local.set $v (call $mk (local.get $k)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 3))))
    (local.get $s))
  ;; written between the test and its if
  (func (export "between") (param $k i32) (result i32) (local $v anyref)
    (local.set $v (call $mk (i32.const 1)))
    (local.get $v)
    (ref.test (ref $b))
    (local.set $v (call $mk (local.get $k)))
    (if (result i32) (then (struct.get $b 1 (ref.cast (ref $b) (local.get $v)))) (else (i32.const -1))))
  ;; written by local.tee
  (func (export "tee") (param $k i32) (result i32) (local $v anyref)
    (local.set $v (call $mk (i32.const 1)))
    (drop (ref.cast (ref $b) (local.get $v)))
    (drop (local.tee $v (call $mk (local.get $k))))
    (struct.get $b 1 (ref.cast (ref $b) (local.get $v))))
  ;; not null after br_on_null, then written null in a nested arm
  (func (export "nonnull") (param $k i32) (result i32) (local $v (ref null $a))
    (local.set $v (struct.new $a (i32.const 4)))
    (block $n
      (drop (br_on_null $n (local.get $v)))
      (drop (struct.get $a 0 (local.get $v)))
      (if (local.get $k) (then (local.set $v (ref.null $a))))
      (return (struct.get $a 0 (local.get $v))))
    (i32.const -1))
  ;; known: br_on_cast_fail's fall-through, a nested if/else inside a then arm, ref.test of a known local
  (func (export "known") (param $k i32) (result i32) (local $v anyref)
    (local.set $v (call $mk (local.get $k)))
    (block $f (result anyref)
      (drop (br_on_cast_fail $f anyref (ref $b) (local.get $v)))
      (if (result i32) (local.get $k)
        (then (i32.add (ref.test (ref $b) (local.get $v)) (struct.get $b 1 (ref.cast (ref $b) (local.get $v)))))
        (else (i32.const -5)))
      (return))
    (drop)
    (if (result i32) (ref.test (ref $a) (local.get $v))
      (then (if (result i32) (local.get $k) (then (i32.const 100)) (else (i32.const 200)))
            (i32.add (struct.get $a 0 (ref.cast (ref $a) (local.get $v)))))
      (else (i32.const -1))))
  ;; the loaded type (RY, ref-facts.ts): learnt by a test in a nested arm, not known after it
  (func (export "tyNested") (param $k i32) (result i32) (local $v anyref)
    (local.set $v (call $mk (i32.const 1)))
    (if (local.get $k) (then (if (ref.test (ref $a) (local.get $v)) (then (nop)))))
    (if (result i32) (ref.test (ref $b) (local.get $v)) (then (i32.const 1)) (else (i32.const 0))))
  ;; written after a test: the next test loads the type again
  (func (export "tyWritten") (param $k i32) (result i32) (local $v anyref)
    (local.set $v (call $mk (i32.const 0)))
    (if (result i32) (ref.test (ref $b) (local.get $v))
      (then (i32.const -1))
      (else (local.set $v (call $mk (local.get $k)))
            (if (result i32) (ref.test (ref $b) (local.get $v)) (then (i32.const 1)) (else (i32.const 0))))))
  ;; loaded before a loop whose body writes the local after the test
  (func (export "tyLoop") (param $k i32) (result i32) (local $v anyref) (local $s i32) (local $i i32)
    (local.set $v (call $mk (i32.const 0)))
    (if (ref.test (ref $b) (local.get $v)) (then (local.set $s (i32.const 100))))
    (loop $l
      (if (ref.test (ref $b) (local.get $v)) (then (local.set $s (i32.add (local.get $s) (i32.const 10)))))
      (local.set $v (call $mk (local.get $k)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 3))))
    (local.get $s))
  ;; a cast, then br_on_cast to another type of the same local (the second reads RY)
  (func (export "tyCast") (param $k i32) (result i32) (local $v anyref)
    (local.set $v (call $mk (local.get $k)))
    (block $isB (result anyref)
      (drop (br_on_cast $isB anyref (ref $b) (local.get $v)))
      (return (struct.get $a 0 (ref.cast (ref $a) (local.get $v)))))
    (drop)
    (struct.get $b 1 (ref.cast (ref $b) (local.get $v)))))`;

type Run = { result?: unknown; trap?: string; fuel: number };

function run(m: Module, tier: 'js' | 'interp', name: string, k: number): Run {
  const store = new Store({ tier, fuel: 1e6 });
  const inst = new Linker().instantiate(store, m);
  try {
    const r = inst.call(name, k)[0];
    if (tier === 'js') {
      const f = inst.getExport(name);
      expect(f instanceof WasmFunc && f.jitState === 1, `${name} runs as JS`).toBe(true);
    }
    return { result: r, fuel: store.fuelConsumed };
  } catch (e) {
    if (!(e instanceof Trap)) throw e;
    return { trap: e.message, fuel: store.fuelConsumed };
  }
}

describe('JS tier: facts about reference locals', () => {
  const m = Module.fromWat(FACTS);
  const want: Record<string, [Run['result'] | string, Run['result'] | string]> = {
    written: [7, 'cast failure'],
    else: ['cast failure', 9],
    after: ['cast failure', 9],
    block: ['cast failure', 9],
    loop: ['cast failure', 27],
    between: ['cast failure', 9],
    tee: ['cast failure', 9],
    nonnull: [4, 'null structure reference'],
    known: [207, 10],
    tyNested: [1, 1],
    tyWritten: [0, 1],
    tyLoop: [0, 20],
    tyCast: [7, 9],
  };

  test('every way a fact ends: the tests run again, results, traps and fuel as the interpreter', () => {
    jitStats.declined.clear();
    for (const [name, w] of Object.entries(want)) {
      for (const k of [0, 1]) {
        const it = run(m, 'interp', name, k);
        expect(it.result ?? it.trap, `${name}(${k})`).toBe(w[k]);
        // (twice: the second call runs code V8 has seen)
        expect(run(m, 'js', name, k), `${name}(${k}) js`).toEqual(it);
        expect(run(m, 'js', name, k), `${name}(${k}) js`).toEqual(it);
      }
    }
    expect([...jitStats.declined]).toEqual([]);
  });

  test("gc-shapes' $area tests each type once: the casts after a test of the same local are not generated", () => {
    const srcs: string[] = [];
    jsEval.compile = (s) => (srcs.push(s), realCompile(s));
    const w = GC_WORKLOADS.find((x) => x.id === 'gc-shapes')!;
    const inst = new Linker().instantiate(new Store({ fuel: 1e9 }), Module.fromBinary(w.gc()));
    expect(inst.call('run', ...w.testArgs)[0]).toBe(new Linker().instantiate(new Store({ fuel: 1e9, tier: 'interp' }), Module.fromBinary(w.gc())).call('run', ...w.testArgs)[0]);
    const area = srcs.find((s) => s.includes('function wasm_func_0('))!;
    // the circle test (ref.test) and the rect test (br_on_cast_fail); the two circle casts and the rect cast known
    expect(area.match(/ === GT\d+/g)?.length).toBe(2);
    // the circle test loads the parameter's type once, into RY0, and the rect test compares it (ref-facts.ts)
    expect(area.match(/\.type\b/g)?.length).toBe(1);
    expect(area).toMatch(/L0 !== null && \(RY0 = L0\.type\) === GT\d+/);
    expect(area).toMatch(/R0 !== null && RY0 === GT\d+/);
    expect(area).not.toContain('throw trap(mc, fuel + 7, 12)');
  });
});
