/**
 * build()'s one pass over a generated body (src/jit/patch.ts): the markers, prepaid fuel, the back edges'
 * subtractions, adjacent fuel steps merged, the accesses the DataView checks and the shared traps, written in one
 * `replace`. It must give the text the former passes gave one after another (the generated sources of the five
 * packages are byte-identical, BENCHMARKS.md session 16, build12): here on chosen cases, and on random bodies against
 * those passes written out as they were.
 */
import { describe, expect, test } from 'vitest';
import { patchBody, type PatchFacts } from '../../src/jit/patch.js';

const RELOAD = ' if (V !== _1.view) { V = _1.view; }';
const PAID: Record<number, number> = { 1: 3, 2: -2, 3: 0, 4: 7 };
const BACK: Record<string, number> = { L1: 4, L2: 0, L3: 1 };

function facts(counting: boolean, reload = RELOAD, fdReload = ' FD = mc.f64;'): PatchFacts {
  return { reload, fdReload, paidAhead: (id) => PAID[id]!, backEdge: counting ? (label) => BACK[label] ?? 0 : null, cases: [] };
}

/** The former passes, one after another (codegen.ts build before session 16): the oracle. */
function passes(body: string, f: PatchFacts): { body: string; cases: string[] } {
  const refund = (k: number): string => (k > 0 ? `fuel + ${k}` : k < 0 ? `fuel - ${-k}` : 'fuel');
  const step = (k: number): string => (k > 0 ? `fuel += ${k};` : k < 0 ? `fuel -= ${-k};` : '');
  let b = body.replace(/[\u0001\u0002\u0006]|[\u0005\u0007]\d+[\u0005\u0007]|fuel \+= \u0004(\d+)\u0004;|fuel \+ (\d+) \+ \u0004(\d+)\u0004/g, (m: string, edge?: string, r?: string, id?: string) => {
    const c = m.charCodeAt(0);
    if (c === 1) return f.reload;
    if (c === 2) return f.fdReload;
    if (c < 8) return '';
    if (edge !== undefined) return step(f.paidAhead(+edge));
    return refund(+r! + f.paidAhead(+id!));
  });
  if (f.backEdge !== null) {
    const back = f.backEdge;
    b = b
      .replace(/\u000e(L\d+)\u000e/g, (_, label: string) => (back(label) > 0 ? `fuel -= ${back(label)};` : ''))
      .replace(/fuel ([+-])= (\d+);(?:\s*fuel ([+-])= (\d+);)+/g, (m: string) => {
        let k = 0;
        for (const x of m.matchAll(/fuel ([+-])= (\d+);/g)) k += x[1] === '+' ? +x[2]! : -x[2]!;
        return step(k);
      });
  }
  const cases: string[] = [];
  const konst = (fuel: string): number | null => {
    const m = /^fuel(?: ([+-]) (\d+))?$/.exec(fuel);
    return m === null ? null : m[1] === undefined ? 0 : m[1] === '-' ? -Number(m[2]) : Number(m[2]);
  };
  if (b.includes('\u0010')) {
    b = b.replace(/\u0010throw trap\(mc, (.*?), (\d+)\);\u0010/g, (_, fuel: string, k: string) => {
      const r = konst(fuel);
      if (r !== null && +k < 31) return `tr = ${r * 32 + Number(k)};`;
      cases.push(`case ${cases.length}: throw trap(mc, ${fuel}, ${k});`);
      return `tr = ${(cases.length - 1) * 32 + 31};`;
    });
  }
  b = b.replace(/throw trap\(mc, fuel(?: ([+-]) (\d+))?, (\d+)\);/g, (s, sign?: string, r?: string, k?: string) => {
    const refund = sign === undefined ? 0 : sign === '-' ? -Number(r) : Number(r);
    return +k! < 32 ? `{ tr = ${refund * 32 + Number(k)}; break T; }` : s;
  });
  return { body: b, cases };
}

function patched(body: string, f: PatchFacts): { body: string; cases: string[] } {
  return { body: patchBody(body, f), cases: f.cases };
}

describe('JS tier: build()\'s one pass over the body (patch.ts)', () => {
  test('markers, prepaid fuel and refunds', () => {
    const f = facts(true);
    expect(patchBody('S = mc.s;\u0002\u0001\nx = 1;\u0006fuel += 2;\u0006', f)).toBe(`S = mc.s; FD = mc.f64;${RELOAD}\nx = 1;fuel += 2;`);
    expect(patchBody('if (a) { fuel += \u00041\u0004; break L0; } y = fuel + 2 + \u00042\u0004;', facts(true))).toBe('if (a) { fuel += 3; break L0; } y = fuel;');
    expect(patchBody('\u00073\u0007return fuel; x = fuel + 1 + \u00044\u0004\u00055\u0005;', facts(true))).toBe('return fuel; x = fuel + 8;');
    // a reload that is nothing (no memory) and an f64 view nobody uses
    expect(patchBody('S = mc.s;\u0002\u0001 x = 1;', facts(true, '', ''))).toBe('S = mc.s; x = 1;');
  });

  test('adjacent fuel steps merge over what the markers become; not when fuel is not counted', () => {
    const f = facts(true);
    expect(patchBody('a();\nfuel -= 3;\n  fuel += 1;\nb();', f)).toBe('a();\nfuel -= 2;\nb();');
    // a marker that becomes nothing joins the steps around it; one that becomes text parts them
    expect(patchBody('fuel -= 3; \u0006 fuel += 1;', f)).toBe('fuel -= 2;');
    expect(patchBody('fuel -= 3;\u0001fuel += 1;', f)).toBe(`fuel -= 3;${RELOAD}fuel += 1;`);
    expect(patchBody('fuel -= 3;\u0001fuel += 1;', facts(true, ''))).toBe('fuel -= 2;');
    // a back edge's subtraction (the moved head's) and a prepaid edge's refund are steps too; a sum of 0 is nothing
    expect(patchBody('fuel += \u00041\u0004; \u000eL1\u000econtinue L1;', f)).toBe('fuel -= 1;continue L1;');
    expect(patchBody('x();fuel += 4;\u000eL1\u000e\nbreak;', f)).toBe('x();\nbreak;');
    expect(patchBody('\u000eL2\u000econtinue L2;', f)).toBe('continue L2;');
    // one step alone stays as it was written, the whitespace around it too
    expect(patchBody(' fuel -= 03; ', f)).toBe(' fuel -= 03; ');
    const off = facts(false);
    expect(patchBody('fuel -= 3;\n  fuel += 1;\u000eL1\u000e', off)).toBe('fuel -= 3;\n  fuel += 1;\u000eL1\u000e');
  });

  test('shared traps and the accesses the DataView checks', () => {
    const f = facts(true);
    expect(patchBody('if (x) throw trap(mc, fuel + 3, 2);', f)).toBe('if (x) { tr = 98; break T; }');
    // the refund less what the block prepaid, and a counted loop's site in its slow version
    expect(patchBody('throw trap(mc, fuel + 3 + \u00042\u0004\u00059\u0005, 5);', f)).toBe('{ tr = 37; break T; }');
    expect(patchBody('throw trap(mc, fuel + 0 + \u00041\u0004, 1);', f)).toBe('{ tr = 97; break T; }');
    // a refund that is not constant (a counted loop's fast copy) stays a throw, its markers patched
    expect(patchBody('throw trap(mc, fuel + 3 + \u00041\u0004 + Q1n - loopUsed(a, 2, 3, 4), 2);', f)).toBe('throw trap(mc, fuel + 6 + Q1n - loopUsed(a, 2, 3, 4), 2);');
    const g = facts(true);
    expect(patchBody('ea = x; \u0010throw trap(mc, fuel + 1, 0);\u0010 V.getInt32(ea); \u0010throw trap(mc, fuel + 1 + Q1n - y, 0);\u0010', g)).toBe(
      'ea = x; tr = 32; V.getInt32(ea); tr = 31;',
    );
    expect(g.cases).toEqual(['case 0: throw trap(mc, fuel + 1 + Q1n - y, 0);']);
  });

  test('random bodies: the text the former passes gave one after another', () => {
    const TOKENS = [
      'fuel -= 3;', 'fuel += 2;', 'fuel -= 1;', ' ', '\n', '  \n', 'x = 1;', 'mc.fuel -= 2;', '\u0001', '\u0002', '\u0006', '\u00053\u0005', '\u000712\u0007',
      'fuel += \u00041\u0004;', 'fuel += \u00042\u0004;', 'fuel += \u00043\u0004;', '\u000eL1\u000e', '\u000eL2\u000e', '\u000eL3\u000e', 'continue L1;',
      'throw trap(mc, fuel + 3, 2);', 'throw trap(mc, fuel + 3 + \u00042\u0004, 5);', 'throw trap(mc, fuel + 0\u00051\u0005, 1);', 'throw trap(mc, fuel + 1 + \u00044\u0004\u00057\u0005, 40);',
      'throw trap(mc, fuel + 2 + Q1n - loopUsed(q, 2, 3, 4), 3);', '\u0010throw trap(mc, fuel + 2, 0);\u0010', '\u0010throw trap(mc, fuel + 2 + \u00041\u0004, 31);\u0010',
      '\u0010throw trap(mc, fuel + 5 + Q2n - 7, 0);\u0010', 'y = fuel + 4 + \u00043\u0004;', 'z(fuel + 1 + \u00042\u0004\u00054\u0005);', 'if (a) {', '}',
    ];
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    for (let i = 0; i < 3000; i++) {
      let body = '';
      for (let k = rand(40); k >= 0; k--) body += TOKENS[rand(TOKENS.length)]!;
      const counting = rand(4) !== 0;
      const reload = rand(2) === 0 ? '' : RELOAD;
      const fd = rand(2) === 0 ? '' : ' FD = mc.f64;';
      expect(patched(body, facts(counting, reload, fd)), JSON.stringify(body)).toEqual(passes(body, facts(counting, reload, fd)));
    }
  });
});
