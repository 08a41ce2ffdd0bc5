/** .wast script parser: commands, actions, constants and result patterns. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TextError } from '../../src/core/errors.js';
import { suiteOrNull } from '../../src/spec/suite.js';
import { parseScript, type Command } from '../../src/text/index.js';

function cmds(src: string): Command[] {
  return parseScript(src, 's.wast').commands;
}

describe('script commands', () => {
  it('module forms', () => {
    const cs = cmds(`
(module $A (func (export "f")))
(module $B binary "\\00asm" "\\01\\00\\00\\00")
(module quote "(func" ")")
(module definition $D (memory 1))
(module instance $I $D)
(module instance)
(module definition $E binary "\\00asm\\01\\00\\00\\00")`);
    expect(cs).toHaveLength(7);
    const [a, b, q, d, i, i2, e] = cs;
    expect(a).toMatchObject({ type: 'module', id: 'A', definition: false, line: 2, source: { kind: 'text' } });
    expect(b).toMatchObject({ type: 'module', id: 'B', source: { kind: 'binary' } });
    if (b?.type === 'module' && b.source.kind === 'binary') expect([...b.source.bytes]).toEqual([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    expect(q).toMatchObject({ type: 'module', id: null, source: { kind: 'quote' } });
    if (q?.type === 'module' && q.source.kind === 'quote') {
      expect(new TextDecoder().decode(q.source.text)).toBe('(func)');
      expect(q.source.parse().funcs).toHaveLength(1);
    }
    expect(d).toMatchObject({ type: 'module', id: 'D', definition: true, source: { kind: 'text' } });
    expect(i).toEqual({ type: 'module_instance', line: 6, id: 'I', definition: 'D' });
    expect(i2).toEqual({ type: 'module_instance', line: 7, id: null, definition: null });
    expect(e).toMatchObject({ type: 'module', id: 'E', definition: true, source: { kind: 'binary' } });
  });

  it('actions and argument constants of every type', () => {
    const [r, inv, get] = cmds(`
(register "M" $A)
(invoke $A "f" (i32.const -1) (i64.const 0xffff_ffff_ffff_ffff) (f32.const nan:0x200000) (f64.const -0x1p-1074)
  (v128.const i32x4 1 2 3 -1) (ref.null extern) (ref.extern 7) (ref.host 3) (ref.null $t))
(get "g")`);
    expect(r).toEqual({ type: 'register', line: 2, name: 'M', module: 'A' });
    expect(inv).toMatchObject({ type: 'action', action: { type: 'invoke', module: 'A', name: 'f' } });
    if (inv?.type !== 'action' || inv.action.type !== 'invoke') throw new Error('shape');
    const args = inv.action.args;
    expect(args.slice(0, 4)).toEqual([
      { type: 'i32', value: -1 },
      { type: 'i64', value: -1n },
      { type: 'f32', bits: 0x7fa00000 },
      { type: 'f64', bits: 0x8000000000000001n },
    ]);
    expect(args[4]).toMatchObject({ type: 'v128' });
    if (args[4]?.type === 'v128') expect([...args[4].bytes.slice(8)]).toEqual([3, 0, 0, 0, 255, 255, 255, 255]);
    expect(args.slice(5)).toEqual([
      { type: 'ref.null', heap: 'extern' },
      { type: 'ref.extern', value: 7 },
      { type: 'ref.host', value: 3 },
      { type: 'ref.null', heap: '$t' },
    ]);
    expect(get).toMatchObject({ type: 'action', action: { type: 'get', module: null, name: 'g' } });
  });

  it('assert_return result patterns', () => {
    const [c] = cmds(`(assert_return (invoke "f")
  (i32.const 0x8000_0000) (i64.const -1) (f32.const nan:canonical) (f64.const nan:arithmetic) (f32.const -nan)
  (v128.const f32x4 nan:canonical 1 nan:arithmetic -0) (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 -1)
  (ref.null) (ref.null func) (ref.extern) (ref.extern 2) (ref.func) (ref.i31) (ref.struct) (ref.array) (ref.eq) (ref.any) (ref.exn)
  (either (i32.const 1) (i32.const 2)))`);
    if (c?.type !== 'assert_return') throw new Error('shape');
    const e = c.expected;
    expect(e.slice(0, 5)).toEqual([
      { type: 'i32', value: -0x80000000 },
      { type: 'i64', value: -1n },
      { type: 'f32', pattern: { kind: 'nan:canonical' } },
      { type: 'f64', pattern: { kind: 'nan:arithmetic' } },
      { type: 'f32', pattern: { kind: 'bits', bits: 0xffc00000 } },
    ]);
    expect(e[5]).toEqual({
      type: 'v128',
      shape: 'f32x4',
      lanes: [{ kind: 'nan:canonical' }, { kind: 'bits', bits: 0x3f800000 }, { kind: 'nan:arithmetic' }, { kind: 'bits', bits: 0x80000000 }],
      bytes: null,
    });
    expect(e[6]).toMatchObject({ type: 'v128', shape: 'i8x16' });
    if (e[6]?.type === 'v128') {
      expect(e[6].lanes[15]).toBe(255);
      expect(e[6].bytes?.[15]).toBe(255);
    }
    expect(e.slice(7, 18)).toEqual([
      { type: 'ref.null', heap: null },
      { type: 'ref.null', heap: 'func' },
      { type: 'ref.extern', value: null },
      { type: 'ref.extern', value: 2 },
      { type: 'ref.func', value: null },
      { type: 'ref.i31', value: null },
      { type: 'ref.struct', value: null },
      { type: 'ref.array', value: null },
      { type: 'ref.eq', value: null },
      { type: 'ref.any', value: null },
      { type: 'ref.exn', value: null },
    ]);
    expect(e[18]).toEqual({ type: 'either', options: [{ type: 'i32', value: 1 }, { type: 'i32', value: 2 }] });
  });

  it('assertions on actions and modules', () => {
    const cs = cmds(`
(assert_trap (invoke "t") "unreachable")
(assert_trap (module (func $s unreachable) (start $s)) "unreachable")
(assert_exhaustion (invoke "r") "call stack exhausted")
(assert_exception (invoke "x"))
(assert_unlinkable (module (import "no" "thing" (func))) "unknown import")
(assert_uninstantiable (module (memory 0) (data (i32.const 1) "a")) "out of bounds")
(assert_invalid (module (func (result i32))) "type mismatch")
(assert_malformed (module quote "(func (i32.const nope))") "unknown operator")
(assert_malformed (module binary "\\00asm") "unexpected end")
(assert_malformed_custom (module quote "(@custom)") "@custom annotation: missing section name")
(assert_invalid_custom (module quote "(func)") "x")`);
    expect(cs.map((c) => c.type)).toEqual([
      'assert_trap',
      'assert_uninstantiable',
      'assert_exhaustion',
      'assert_exception',
      'assert_unlinkable',
      'assert_uninstantiable',
      'assert_invalid',
      'assert_malformed',
      'assert_malformed',
      'assert_malformed_custom',
      'assert_invalid_custom',
    ]);
    expect(cs[0]).toMatchObject({ action: { type: 'invoke', name: 't' }, message: 'unreachable' });
    expect(cs[4]).toMatchObject({ source: { kind: 'text' }, message: 'unknown import' });
    const inv = cs[6]!;
    if (inv.type !== 'assert_invalid' || inv.source.kind !== 'lazy') throw new Error('expected a lazy module');
    expect(inv.source.parse().funcs).toHaveLength(1);
    const mal = cs[7]!;
    if (mal.type !== 'assert_malformed' || mal.source.kind !== 'quote') throw new Error('expected a quote module');
    expect(() => mal.source.kind === 'quote' && mal.source.parse()).toThrow(TextError);
    const cust = cs[9]!;
    if (cust.type !== 'assert_malformed_custom' || cust.source.kind !== 'quote') throw new Error('shape');
    expect(() => cust.source.kind === 'quote' && cust.source.parse()).toThrow('@custom annotation: missing section name');
  });

  it('a malformed text module inside assert_malformed does not abort the script', () => {
    const cs = cmds(`(assert_malformed (module (func (i32.const 0x))) "unknown operator")
(assert_invalid (module (func (local.get $nope))) "unknown local")
(module)`);
    expect(cs).toHaveLength(3);
    const [a, b] = cs;
    if (a?.type !== 'assert_malformed' || a.source.kind !== 'lazy') throw new Error('shape');
    expect(a.source.parse).toThrow('unknown operator');
    if (b?.type !== 'assert_invalid' || b.source.kind !== 'lazy') throw new Error('shape');
    expect(b.source.parse).toThrow(/unknown local/);
  });

  it('thread and wait', () => {
    const cs = cmds(`
(module $Mem (memory 1 1 shared))
(thread $T1 (shared (module $Mem))
  (register "mem" $Mem)
  (module (memory (import "mem" "shared") 1 1 shared) (func (export "run")))
  (invoke "run"))
(wait $T1)`);
    expect(cs[1]).toMatchObject({ type: 'thread', id: 'T1', shared: ['Mem'], line: 3 });
    if (cs[1]?.type === 'thread') expect(cs[1].commands.map((c) => c.type)).toEqual(['register', 'module', 'action']);
    expect(cs[2]).toEqual({ type: 'wait', line: 7, thread: 'T1' });
  });

  it('a file of bare module fields is one module', () => {
    const cs = cmds('(func) (memory 1)');
    expect(cs).toHaveLength(1);
    expect(cs[0]).toMatchObject({ type: 'module', source: { kind: 'text' } });
  });

  it('syntax errors outside deferred modules carry positions', () => {
    expect(() => parseScript('(module)\n(assert_return (invoke "f") (i32.const 1x))', 'e.wast')).toThrow('e.wast:2:40');
    expect(() => parseScript('(frobnicate)', 'e.wast')).toThrow('unknown command');
    expect(() => parseScript('(module', 'e.wast')).toThrow(TextError);
  });
});

describe('robustness', () => {
  const root = suiteOrNull();
  const files = ['block.wast', 'elem.wast', 'simd_lane.wast', 'try_table.wast', 'struct.wast', 'annotations.wast'].map((f) => join(root ?? '', f));
  it.skipIf(root === null || !files.every((f) => existsSync(f)))('mutated scripts fail only with TextError', () => {
    const sources = files.map((f) => readFileSync(f, 'latin1'));
    fc.assert(
      fc.property(
        fc.nat({ max: sources.length - 1 }),
        fc.nat(),
        fc.nat({ max: 2000 }),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom('', '(', ')', '"', '$', ';', 'x', '0', ' end ', ' (then ')), { minLength: 1, maxLength: 4 }),
        (which, at, len, edits) => {
          const src = sources[which]!;
          const start = at % Math.max(1, src.length - len);
          let t = src.slice(start, start + len);
          for (const [p, ins] of edits) {
            const q = t.length ? p % t.length : 0;
            t = t.slice(0, q) + ins + t.slice(q + (ins === '' ? 1 : 0));
          }
          try {
            const s = parseScript(Buffer.from(t, 'latin1'), 'fuzz.wast');
            for (const c of s.commands) {
              if ('source' in c && 'parse' in c.source) {
                try {
                  c.source.parse();
                } catch (e) {
                  if (!(e instanceof TextError)) throw e;
                }
              }
            }
          } catch (e) {
            if (!(e instanceof TextError)) throw e;
          }
        },
      ),
      { numRuns: 1500, seed: 42 },
    );
  });
});
