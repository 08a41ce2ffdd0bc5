/**
 * The trap sites' and taken edges' texts written in at build() before the join (patch.ts fillSites), where patchBody's pass wrote them
 * before: the body the pass then gives must be the text it gave over the unfilled body (the generated sources of the
 * five packages are byte-identical, BENCHMARKS.md session 21, helper gen22). Here on chosen cases, on random lines
 * with sites recorded, misrecorded and rewritten, and in the generator: the sites of functions with memory accesses
 * and traps are all written in at build(), none left to the pass.
 */
import { describe, expect, test } from 'vitest';
import { Linker, Module, Store } from '../../src/index.js';
import { EDGE, fillSites, patchBody, siteStats, type PatchFacts, type TrapSite } from '../../src/jit/patch.js';
import { captureSources } from '../shared/jit-sources.js';

const PAID: Record<number, number> = { 1: 3, 2: -2, 3: 0, 4: 7, 5: 1 << 24 };
const BACK: Record<string, number> = { L1: 4, L2: 0 };
const paidAhead = (id: number): number => PAID[id]!;

function facts(counting: boolean): PatchFacts {
  return { reload: ' V = m.view;', fdReload: ' FD = mc.f64;', paidAhead, backEdge: counting ? (label) => BACK[label] ?? 0 : null, cases: [] };
}

/** The pass over the lines as written, and over them with the sites written in first: body and catch cases. */
function both(lines: string[], sites: TrapSite[], counting: boolean): [unknown, unknown] {
  const f = facts(counting);
  const before = { body: patchBody(lines.join('\n'), f), cases: f.cases };
  const filled = lines.slice();
  fillSites(filled, sites, paidAhead);
  const g = facts(counting);
  const after = { body: patchBody(filled.join('\n'), g), cases: g.cases };
  return [after, before];
}

/** A site as gen-fuel.ts trapAt writes it; `mark`: in a counted candidate's body, its site marker's number. */
function site(line: number, r: number, id: number, k: number, oob: boolean, mark = -1): TrapSite {
  const t = `throw trap(mc, fuel + ${r}${id < 0 ? '' : ` + \u0004${id}\u0004`}${mark < 0 ? '' : `\u0005${mark}\u0005`}, ${k});`;
  return { line, whole: '', pre: null, text: oob ? `\u0010${t}\u0010` : t, id, r, k, oob };
}

/** A taken edge as gen-fuel.ts prepaidEdge writes it. */
function edge(line: number, id: number): TrapSite {
  return { line, whole: '', pre: null, text: `fuel += \u0004${id}\u0004;`, id, r: 0, k: EDGE, oob: false };
}

describe('JS tier: trap sites written in before the join (patch.ts fillSites)', () => {
  test('chosen cases: written as the pass writes them; left to it when it would not make them constant or they moved', () => {
    const a = site(0, 3, 1, 2, false);
    const b = site(1, 1, -1, 0, true);
    const lines = [`if (x) ${a.text}`, `ea = y; ${b.text} V.getInt32(ea);`];
    const filled = lines.slice();
    expect(fillSites(filled, [a, b], paidAhead)).toBe(true);
    expect(filled).toEqual(['if (x) { tr = 194; break T; }', 'ea = y; tr = 32; V.getInt32(ea);']);
    // taken edges: what the block prepaid, or nothing
    const e3 = edge(0, 3);
    const e2 = edge(0, 2);
    const e1 = edge(1, 1);
    const edges = [`if (a) { ${e3.text}break L1; } if (b) { ${e2.text}break L2; }`, `L3: if (c) {${e1.text}`];
    expect(fillSites(edges, [e3, e2, e1], paidAhead)).toBe(false);
    expect(edges).toEqual(['if (a) { break L1; } if (b) { fuel -= 2;break L2; }', 'L3: if (c) {fuel += 3;']);
    // a site that ends its line as written: the line from its parts; a line rewritten since (another string, or the
    // same text again): searched
    const q = { ...site(0, 1, 1, 0, true), pre: 'ea = a; ' };
    const q2 = { ...site(1, 1, 1, 0, true), pre: 'ea = b; ' };
    const ends = [`ea = a; ${q.text}`, `ea = c; ${q2.text}`];
    q.whole = ends[0]!;
    q2.whole = `ea = b; ${q2.text}`;
    expect(fillSites(ends, [q, q2], paidAhead)).toBe(true);
    expect(ends).toEqual(['ea = a; tr = 128;', 'ea = c; tr = 128;']);
    // in a counted candidate's slow version: its site marker goes with the rest
    const m = site(0, 2, 4, 1, true, 12);
    const counted = [`ea = z; ${m.text}`];
    expect(fillSites(counted, [m], paidAhead)).toBe(true);
    expect(counted).toEqual(['ea = z; tr = 289;']);
    // a kind the shared throw cannot carry, a refund too large, a line rewritten, a site recorded on the wrong line,
    // and a plain site's text inside an access's markers: all left as they are
    const c = site(0, 1, 2, 31, true);
    const d = site(0, 0, 5, 1, false);
    const e = site(1, 2, 3, 4, false);
    const g = site(2, 1, 4, 3, false);
    const h = site(3, 2, 1, 0, false);
    const rest = [`ea = x; ${c.text} ${d.text}`, 'x = 1;', 'y = 2;', `ea = z; \u0010${h.text}\u0010`];
    const kept = rest.slice();
    expect(fillSites(kept, [c, d, e, g, h], paidAhead)).toBe(false);
    expect(kept).toEqual(rest);
    // two sites of the same text on one line: both, in order
    const p = site(0, 2, 3, 1, false);
    const two = [`if (a) ${p.text} if (b) ${p.text}`];
    fillSites(two, [p, { ...p }], paidAhead);
    expect(two).toEqual(['if (a) { tr = 65; break T; } if (b) { tr = 65; break T; }']);
  });

  test('random lines: the pass gives the same body and cases with the sites written in first', () => {
    const OTHER = [
      'fuel -= 3;', 'fuel += 2;', ' ', 'x = 1;', '\u0001', '\u0002', '\u0006', '\u00053\u0005', 'fuel += \u00041\u0004;', '\u000eL1\u000e',
      'throw trap(mc, fuel + 0\u00051\u0005, 1);', '\u0010throw trap(mc, fuel + 5 + Q2n - 7, 0);\u0010', 'y = fuel + 4 + \u00043\u0004;', 'if (a) {', '}',
    ];
    const KINDS = [0, 1, 2, 5, 30, 31, 32, 40];
    let seed = 4242;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    let filledAny = 0;
    for (let i = 0; i < 2000; i++) {
      const lines: string[] = [];
      const sites: TrapSite[] = [];
      const ends: [TrapSite, string][] = [];
      for (let n = rand(12); n >= 0; n--) {
        let line = '';
        for (let k = rand(6); k >= 0; k--) {
          if (rand(5) === 0) {
            // a taken edge's prepaid fuel (a fuel step after, or nothing, which the pass merges with its neighbours)
            const e = edge(lines.length, [1, 2, 3, 4][rand(4)]!);
            line += e.text;
            if (rand(8) !== 0) sites.push(e);
          } else if (rand(3) === 0) {
            const s = site(lines.length, rand(5), [-1, 1, 2, 3, 4, 5][rand(6)]!, KINDS[rand(KINDS.length)]!, rand(2) === 0, rand(3) === 0 ? rand(20) : -1);
            // (as the generator records a site that ends its line: what came before it, and the line as written)
            if (rand(2) === 0) {
              s.pre = line;
              ends.push([s, line + s.text]);
            }
            line += s.text;
            // (some sites recorded on the line after theirs, some not recorded: their text is the pass's alone)
            if (rand(8) === 0) s.line++;
            if (rand(8) !== 0) sites.push(s);
          } else line += OTHER[rand(OTHER.length)]!;
        }
        // (each site recorded as ending its line that does end it: `whole` the line as written, else another text)
        for (const [e, upTo] of ends.splice(0)) e.whole = upTo === line ? line : `${line} `;
        lines.push(line);
      }
      // (a line rewritten after its sites were recorded)
      if (rand(6) === 0) lines[rand(lines.length)] = 'x = 2;';
      // (a site recorded past the last line is one a line rewritten lost)
      const known = sites.filter((s) => s.line < lines.length);
      const before = siteStats.filled;
      const [after, expected] = both(lines, known, rand(4) !== 0);
      expect(after, JSON.stringify(lines)).toEqual(expected);
      filledAny += siteStats.filled - before;
    }
    expect(filledAny).toBeGreaterThan(1000);
  });

  test('the generator: every trap site and taken edge of a metered or unmetered function is written in before the join', () => {
    const wat = `(module (memory 1)
      (func (export "f") (param i32 i32) (result i32) (local i32)
        (i32.store offset=4 (local.get 0) (i32.load (local.get 1)))
        (if (i32.eqz (local.get 0)) (then (local.set 2 (i32.div_s (local.get 1) (local.get 0)))))
        (block $b (br_if $b (local.get 1)) (unreachable))
        (i32.add (local.get 2) (i32.load16_u offset=8 (local.get 1))))
      ;; a loop that may get a counted copy: its sites carry their markers until build()
      (func (export "g") (param i32 i32) (local i32)
        (block $d (loop $l
          (br_if $d (i32.ge_u (local.get 2) (local.get 1)))
          (i32.store (i32.add (local.get 0) (i32.shl (local.get 2) (i32.const 2))) (i32.div_u (i32.const 7) (local.get 2)))
          (local.set 2 (i32.add (local.get 2) (i32.const 1)))
          (br $l)))))`;
    for (const fuel of [1e9, undefined]) {
      const filled = siteStats.filled;
      const edges = siteStats.edges;
      const left = siteStats.left;
      const { srcs } = captureSources(() => {
        const inst = new Linker().instantiate(new Store({ tier: 'js', fuel }), Module.fromWat(wat));
        expect(inst.call('f', 1, 4)).toEqual([0]);
        expect(() => inst.call('f', 0, 4)).toThrow('divide by zero');
        expect(() => inst.call('f', 1, 0)).toThrow('unreachable');
        expect(() => inst.call('f', 70000, 4)).toThrow('out of bounds');
        expect(() => inst.call('g', 0, 10)).toThrow('divide by zero');
      });
      const src = srcs.join('\n');
      // every trap site in the sources (an access's `tr = <site>;`, a shared trap's `{ tr = <site>; break T; }`: f's
      // two loads, its store, its division's two traps and its unreachable, g's division and store, in each version
      // generated, the counted copy's division too) was written in before the join, none by the pass
      // (a case of the catch, `tr = <case> << 5 | 31`, is the pass's: the counted copy's access, whose refund reads i)
      const written = (src.match(/(?<=[;{] )tr = -?\d+;/g) ?? []).filter((t) => (parseInt(t.slice(5), 10) & 31) !== 31);
      expect(written.length, String(fuel)).toBeGreaterThanOrEqual(8);
      expect(siteStats.filled - filled).toBe(written.length);
      expect(siteStats.left - left).toBe(0);
      // (the if's then arm and g's br_if out of its loop: taken edges of blocks that prepaid; a store without a fuel
      // limit counts fuel too)
      expect(siteStats.edges - edges).toBeGreaterThan(0);
      expect(src).toContain('break T;');
      expect(src).toMatch(/ea = .*; tr = \d+;/);
    }
  });
});
