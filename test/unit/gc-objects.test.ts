/**
 * How structs are represented (src/runtime/objects/gc.ts): one object per struct, an instance of a class
 * made once per type (entries `e0`, `e1`, ... as own properties, `desc` first for a type with a custom
 * descriptor, `type` on the prototype), generated source where `new Function` is allowed and the same
 * class built without it otherwise (structEval); structs of more than MAX_CTOR_ENTRIES entries are
 * allocated with defaults and then filled. Both ways give the same objects, results and fuel, in both tiers.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { Linker, Module, OutOfFuel, Store } from '../../src/index.js';
import { GcStruct, MAX_CTOR_ENTRIES, structEval } from '../../src/runtime/objects/gc.js';
import { TypeRegistry } from '../../src/validate/types.js';
import { GC_WORKLOADS } from '../../bench/workloads.js';

const realCompile = structEval.compile;
afterEach(() => {
  structEval.compile = realCompile;
  structEval.blocked = false;
});

/** Forbids `new Function` for struct classes, as a Content-Security-Policy without 'unsafe-eval' does; returns the attempts. */
function forbidEval(): { attempts: number } {
  const n = { attempts: 0 };
  structEval.compile = () => {
    n.attempts++;
    throw new EvalError('Evaluating a string as JavaScript violates the Content Security Policy');
  };
  return n;
}

const BIG = MAX_CTOR_ENTRIES + 8; // i32 fields, plus one i64 (two entries) and one reference
const bigFields = Array.from({ length: BIG }, () => '(field (mut i32))').join(' ');
const MOD = `(module
  (type $p (struct (field i32) (field i64) (field (ref null $p)) (field f32) (field i8)))
  (rec (type $s (descriptor $d) (struct (field i32) (field i64))) (type $d (describes $s) (struct (field i32))))
  (type $big (struct ${bigFields} (field i64) (field (ref null $p))))
  (func (export "p") (param i32) (result (ref $p))
    (struct.new $p (local.get 0) (i64.const -3) (struct.new_default $p) (f32.const 1.5) (i32.const 300)))
  (func (export "pd") (result (ref $p)) (struct.new_default $p))
  (func (export "s") (result (ref $s)) (struct.new_desc $s (i32.const 7) (i64.const 8) (struct.new $d (i32.const 9))))
  (func (export "sd") (result (ref $s)) (struct.new_default_desc $s (struct.new $d (i32.const 10))))
  (func (export "big") (param $x i32) (result i32) (local $o (ref $big)) (local $i i32) (local $s i32)
    (local.set $o (struct.new $big ${Array.from({ length: BIG }, (_, i) => `(i32.add (local.get $x) (i32.const ${i}))`).join(' ')}
      (i64.const 0x100000002) (struct.new_default $p)))
    (struct.set $big 3 (local.get $o) (i32.const -1))
    (i32.add (i32.add (struct.get $big 0 (local.get $o)) (struct.get $big 3 (local.get $o)))
      (i32.add (struct.get $big ${BIG - 1} (local.get $o)) (i32.wrap_i64 (i64.shr_u (struct.get $big ${BIG} (local.get $o)) (i64.const 32))))))
  (func (export "bigd") (result (ref $big)) (struct.new_default $big)))`;

/** Own properties of a struct, in order, with their values. */
const own = (o: unknown): [string, unknown][] => Object.entries(o as object);

/** Every export of MOD in a store of its own registry (so its struct classes are made afresh), as plain data. */
function runMod(tier: 'js' | 'interp'): unknown {
  const registry = new TypeRegistry();
  const store = new Store({ tier, registry, fuel: 1e9 });
  const inst = new Linker().instantiate(store, Module.fromWat(MOD, { registry }));
  const p = inst.call('p', 5)[0] as GcStruct;
  const s = inst.call('s')[0] as GcStruct;
  const bigd = inst.call('bigd')[0] as GcStruct;
  return {
    p: own(p).map(([k, v]) => [k, v instanceof GcStruct ? own(v) : v]),
    pd: own(inst.call('pd')[0]),
    s: own(s).map(([k, v]) => [k, v instanceof GcStruct ? own(v) : v]),
    sd: own(inst.call('sd')[0]).map(([k, v]) => [k, v instanceof GcStruct ? own(v) : v]),
    big: inst.call('big', 100)[0],
    bigd: own(bigd).length,
    classes: [p.constructor === (inst.call('pd')[0] as GcStruct).constructor, p instanceof GcStruct, p.type.id >= 0, p.desc, s.desc instanceof GcStruct],
    fuel: store.fuelConsumed,
  };
}

describe('struct objects', () => {
  test('one object per struct: the entries as own properties in order, desc first when the type has a descriptor, type and class shared', () => {
    const r = runMod('js') as Record<string, unknown>;
    expect(r['p']).toEqual([['e0', 5], ['e1', -3], ['e2', -1], ['e3', [['e0', 0], ['e1', 0], ['e2', 0], ['e3', null], ['e4', 0], ['e5', 0]]], ['e4', 0x3fc00000], ['e5', 300 & 0xff]]);
    expect(r['pd']).toEqual([['e0', 0], ['e1', 0], ['e2', 0], ['e3', null], ['e4', 0], ['e5', 0]]);
    expect(r['s']).toEqual([['desc', [['e0', 9]]], ['e0', 7], ['e1', 8], ['e2', 0]]);
    expect(r['sd']).toEqual([['desc', [['e0', 10]]], ['e0', 0], ['e1', 0], ['e2', 0]]);
    expect(r['big']).toBe(100 + -1 + (100 + BIG - 1) + 1);
    expect(r['bigd']).toBe(BIG + 3);
    expect(r['classes']).toEqual([true, true, true, null, true]);
  });

  test('the interpreter makes the same objects as the JS tier', () => {
    expect(runMod('interp')).toEqual(runMod('js'));
  });

  test('without new Function (EvalError once): the same objects, results and fuel, in both tiers', () => {
    const want = runMod('js');
    const n = forbidEval();
    expect(runMod('js')).toEqual(want);
    expect(runMod('interp')).toEqual(want);
    expect(structEval.blocked).toBe(true);
    expect(n.attempts).toBe(1);
  });

  test('the GC workloads without new Function: the results and fuel of generated classes, stopped and resumed', () => {
    const run = (): unknown[] =>
      GC_WORKLOADS.flatMap((w) =>
        (['js', 'interp'] as const).map((tier) => {
          const registry = new TypeRegistry();
          const mod = Module.fromBinary(w.gc(), { registry });
          const full = new Store({ tier, registry, fuel: 1e12 });
          const r = new Linker().instantiate(full, mod).call('run', ...w.testArgs);
          const cut = new Store({ tier, registry, fuel: Math.floor(full.fuelConsumed / 2) });
          let resumed: unknown[] | null = null;
          try {
            new Linker().instantiate(cut, mod).call('run', ...w.testArgs);
          } catch (e) {
            if (!(e instanceof OutOfFuel)) throw e;
            cut.addFuel(full.fuelConsumed);
            resumed = e.resume();
          }
          return [w.id, tier, r, full.fuelConsumed, resumed, cut.fuelConsumed];
        }),
      );
    const want = run();
    for (const w of GC_WORKLOADS) expect(want).toContainEqual([w.id, 'js', [w.expected], expect.any(Number), [w.expected], expect.any(Number)]);
    const n = forbidEval();
    expect(run()).toEqual(want);
    expect(n.attempts).toBe(1);
  });
});
