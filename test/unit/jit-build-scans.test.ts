/**
 * build()'s scans of a generated source done with fewer passes (BENCHMARKS.md, "Session 20, helper gen20"), each the
 * same as the regex scan it replaces: declareUsed's frequent names from their first occurrence as a string (`usedIn`),
 * deadWords' test for a marked statement (`hasMarkStart`), and outline's exits numbered and replaced in one scan of a
 * moved part (`replaceExits`) instead of `exits` and then a replace.
 */
import { describe, expect, test } from 'vitest';
import { usedIn } from '../../src/jit/codegen.js';
import { hasMarkStart } from '../../src/jit/lane-cache.js';
import { exits, replaceExits } from '../../src/jit/outline.js';
import { LANE_WORDS } from '../../src/jit/gen-types.js';

/** A small random text of names, words containing them, digits and punctuation. */
function texts(seed: number, n: number, pieces: readonly string[]): string[] {
  let s = seed;
  const rnd = (k: number): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0), s % k);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let t = '';
    for (let j = rnd(30); j > 0; j--) t += pieces[rnd(pieces.length)]!;
    out.push(t);
  }
  return out;
}

describe('declareUsed: a frequent name found from its first occurrence as a string', () => {
  const names = ['st', 'cf', 'd1', 'LIM', 'callSlow'];
  test('as the whole-text regex finds it, wherever the name first occurs inside a word', () => {
    const pieces = ['st', 'first', 'stopEntry', 'cf', 'cfx', '_cf', 'd1', 'd10', 'LIM', 'LIMIT', 'callSlow', 'callSlow2', ' ', '(', ';', '\n', 'x', '1', '$'];
    let found = 0;
    for (const t of texts(7, 3000, pieces)) {
      for (const n of names) {
        const want = new RegExp(`\\b${n}\\b`).test(t);
        expect(usedIn(t, n, new RegExp(`\\b${n}\\b`, 'g')), `${n} in ${JSON.stringify(t)}`).toBe(want);
        if (want) found++;
      }
    }
    expect(found).toBeGreaterThan(1000);
  });
  test('chosen cases: inside a word first, then a word; at the start; at the end; absent', () => {
    const re = /\bst\b/g;
    expect(usedIn('first = 1; st = 0;', 'st', re)).toBe(true);
    expect(usedIn('st', 'st', re)).toBe(true);
    expect(usedIn('x = st', 'st', re)).toBe(true);
    expect(usedIn('first stopEntry best', 'st', re)).toBe(false);
    expect(usedIn('', 'st', re)).toBe(false);
    // the regex's position left by an earlier text does not matter
    re.lastIndex = 12;
    expect(usedIn('st = 1;', 'st', re)).toBe(true);
  });
});

describe('deadWords: whether a body has a marked statement', () => {
  const W = LANE_WORDS;
  test('as the regex of the character and a digit finds it', () => {
    const pieces = [W, `${W}L3${W}`, `${W}12${W}`, '1', '0', 'L', ' ', 'x', ';'];
    const re = new RegExp(`${W}\\d`);
    let marked = 0;
    for (const t of texts(11, 3000, pieces)) {
      const want = re.test(t);
      expect(hasMarkStart(t), JSON.stringify(t)).toBe(want);
      if (want) marked++;
    }
    expect(marked).toBeGreaterThan(500);
  });
  test('back edges alone are not marks; a mark after them is', () => {
    expect(hasMarkStart(`fuel -= 3;${W}L4${W}continue L4;`)).toBe(false);
    expect(hasMarkStart(`${W}L4${W} ${W}7${W}V0_1 = L2;${W}`)).toBe(true);
    expect(hasMarkStart(`${W}0`)).toBe(true);
    expect(hasMarkStart(`x${W}`)).toBe(false);
  });
});

describe('outline: the exits of a moved part numbered and replaced in one scan', () => {
  const EXIT = /\b(?:break|continue) (?:L\d+|X|T);|\breturn (?:fuel|stopEntry\([^;]*\));/g;
  test('as exits() and then a replace of every match give', () => {
    const pieces = ['break L1;', 'break L12;', 'continue L1;', 'L1: ', 'L12: ', 'break X;', 'break T;', 'return fuel;', 'return stopEntry(mc, 3);', 'xbreak L1;', ' ', '\n', '{', '}', 'fuel -= 2;'];
    let rewritten = 0;
    for (const t of texts(3, 3000, pieces)) {
      // the two passes as outline's move wrote them
      const codes = exits(t);
      const want = t.replace(EXIT, (s) => {
        const c = codes.get(s);
        return c === undefined ? s : `return ${c};`;
      });
      const got = replaceExits(t, (_, c) => `return ${c};`);
      expect(got.text, JSON.stringify(t)).toBe(want);
      expect([...got.codes]).toEqual([...codes]);
      // and as the trampoline's: what its function gives, for the exits only
      const seen: string[] = [];
      replaceExits(t, (s) => (seen.push(s), s));
      const exitsMet: string[] = [];
      t.replace(EXIT, (s) => (codes.has(s) && exitsMet.push(s), s));
      expect(seen).toEqual(exitsMet);
      if (want !== t) rewritten++;
    }
    expect(rewritten).toBeGreaterThan(1000);
  });
});
