/**
 * The splitting of too-large generated functions (src/jit/outline.ts) on hand-written bodies in the generator's
 * shape; jit-fuzz.test.ts runs random programs with every function split, against the interpreter.
 */
import { describe, expect, test } from 'vitest';
import { outline } from '../../src/jit/outline.js';

/** Runs a body as the generated code does: variables a, b, c, out, fuel (0); `break X` ends it (-1), `return fuel;` returns (0). */
function run(body: string, decls = '', c = 0): number[] {
  const src = `let a = 0, b = 0, c = ${c}, fuel = 0, out = [];\nfunction go() {\n${decls}\nX: {\n${body}\n}\nreturn -1;\n}\nout.push(go()); return out;`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return (new Function(src) as () => number[])();
}

// a loop with a dispatch over nested blocks (the shape of an interpreter loop), exits to every kind of target
const BODY = `L0: for (;;) {
L1: {
L2: {
L3: {
switch (a % 4) { case 0: { break L3; } case 1: { break L2; } default: { break L1; } }
}
b = (b + 1) | 0; out.push(b); if (c === 1 && b > 9) { out.push(100); break X; } a = (a + 1) | 0; continue L0;
}
b = (b + 2) | 0; out.push(b); if (c === 2 && b > 9) { out.push(200); return fuel; } a = (a + 1) | 0; continue L0;
}
L4: if (b > 10) { b = (b + 3) | 0; out.push(b); a = (a + 1) | 0; if (a > 12) { break L0; } continue L0; } else { a = (a + 1) | 0; }
}
out.push(b);`;

describe('outline', () => {
  test('leaves a body under the threshold alone', () => {
    expect(outline(BODY, BODY.length, 100, 10)).toBeNull();
  });

  test('moves blocks into functions until each is under the limit, with the same behaviour', () => {
    // c chooses the exit: break L0 (0), break X (1), return fuel (2)
    const ends: number[] = [];
    for (const c of [0, 1, 2]) {
      const whole = run(BODY, '', c);
      ends.push(whole.at(-1)!, whole.at(-2)!);
      for (const limit of [60, 120, 250, 400]) {
        const o = outline(BODY, 0, limit, 10)!;
        expect(o, `limit ${limit}`).not.toBeNull();
        expect(o.decls).toMatch(/^var OL0 = null/);
        expect(o.depth).toBeGreaterThan(0);
        expect(o.sizes[0]).toBeLessThan(BODY.length);
        expect(run(o.body, o.decls, c), `limit ${limit}, c = ${c}`).toEqual(whole);
      }
    }
    expect(ends).toEqual([-1, 15, -1, 100, 0, 200]);
  });

  test('a jump out of a moved block is a code its call site dispatches', () => {
    // the tail of L8 (after its largest block, L9) moves, with its two exits
    const pad = ' b = (b + 1) | 0;'.repeat(12);
    const body = `L7: for (;;) {\nL8: {\nL9: {${pad}${pad} if (b < 0) { break L9; } }\nif (a > 3 || c > 0) { break L7; }\na = (a + 1) | 0; out.push(a);${pad} continue L7;\n}\n}`;
    const o = outline(body, 0, body.length - 150, 5)!;
    expect(o.body).toContain('return 1;');
    expect(o.body).toMatch(/case \d: break L7;/);
    expect(o.body).toMatch(/case \d: continue L7;/);
    expect(run(o.body, o.decls)).toEqual([1, 2, 3, 4, -1]);
    expect(run(o.body, o.decls, 1)).toEqual([-1]);
  });

  test('an interpreter loop keeps its dispatch chain in one function, each handler a function of its own', () => {
    // the shape of QuickJS's and SQLite's loops: nested blocks, a switch in the innermost, each handler after the
    // block its case breaks out of (so it holds every later handler's block); the innermost handler is larger than
    // the block before it (the switch), as near the end of QuickJS's chain
    const n = 24;
    let body = 'L0: for (;;) {\n';
    for (let k = 1; k <= n; k++) body += `L${k}: {\n`;
    body += `switch (a % ${n}) {${Array.from({ length: n }, (_, k) => ` case ${k}: { break L${n - k}; }`).join('')} }\n`;
    for (let k = n; k >= 1; k--) {
      body += `}\nb = (b + ${k}) | 0; out.push(b); a = (a + ${k % 5 === 0 ? 3 : 1}) | 0;`;
      body += ` b = (b ^ ${k * 7}) | 0; b = (b + (a & ${k})) | 0; b = (b - ${k * 3}) | 0; b = (b | ${k}) | 0; b = (b & 0xfffffff) | 0;`.repeat(k === n ? 6 : 2);
      if (k % 3 === 0) body += ' if (a > 60) { break L0; }';
      if (k === 2) body += ' if (c === 1 && a > 40) { break X; }';
      body += k % 4 === 0 ? ' continue L0;\n' : '\n';
    }
    body += 'a = (a + 1) | 0;\n}\nout.push(b);';
    for (const c of [0, 1]) {
      const whole = run(body, '', c);
      expect(whole.length).toBeGreaterThan(30);
      expect(body.length).toBeGreaterThan(6000);
      const o = outline(body, 0, 2500, 40)!;
      // one call from the loop to any handler, and what stays (the chain, the small handlers) within the limit
      expect(o.depth).toBe(1);
      // (the dispatch is in no part: every part comes after it)
      expect(o.body.indexOf(`switch (a % ${n})`)).toBeLessThan(o.body.indexOf('function () {'));
      expect(o.sizes[0]).toBeLessThanOrEqual(2500);
      expect(o.sizes.length).toBeGreaterThan(n / 2);
      expect(run(o.body, o.decls, c)).toEqual(whole);
    }
  });

  test("a dispatch chain's handlers are called from one site, fall-through and OSR-guarded blocks as before", () => {
    // nested blocks (every third one guarded by an OSR entry, codegen.ts, whose block ends its parent: no tail
    // there), a switch in the innermost; each handler falls through into the next one out unless it continues the
    // loop, leaves it (break L0), the function (break X) or returns; with osr > 0 the guards skip their blocks
    // until a handler resets it
    const n = 30;
    let body = 'L0: for (;;) {\n';
    for (let k = 1; k <= n; k++) body += `L${k}: {\n${k % 3 === 0 ? `if (osr <= ${k}) {\n` : ''}`;
    body += `switch (a % ${n + 2}) {${Array.from({ length: n }, (_, k) => ` case ${k}: { break L${n - k}; }`).join('')} case ${n}: { a = (a + 1) | 0; continue L0; } }\n`;
    for (let k = n; k >= 1; k--) {
      body += `${k % 3 === 0 ? '}\n' : ''}}\nosr = 0; b = (b + ${k}) | 0; out.push(b); a = (a + ${k % 5 === 0 ? 3 : 1}) | 0;`;
      body += ` b = (b ^ ${k * 7}) | 0; b = (b + (a & ${k})) | 0; b = (b & 0xfffffff) | 0;`.repeat(2);
      if (k % 3 === 0) body += ' if (a > 90) { break L0; }';
      if (k === 2) body += ' if (c === 1 && a > 40) { break X; }';
      if (k === 7) body += ' if (c === 2 && a > 50) { return fuel; }';
      body += k % 4 === 0 ? ' continue L0;\n' : '\n';
    }
    body += 'a = (a + 1) | 0;\n}\nout.push(b);';
    const o = outline(body, 0, 3000, 40)!;
    expect(o).not.toBeNull();
    // one call site for every handler, no call site of its own; each handler read by a case of the loop's
    // switch, and made at its first use in the call by one maker part (no table of the handlers made at each call)
    const site = /\bOLk = \(OLf \?\? \(OL(\d+) \?\?= function \(\) \{\nswitch \(OLk\) \{/g;
    expect(o.body.match(site)).toHaveLength(1);
    expect(o.body).not.toMatch(/new Array|OLH/);
    const picks = [...o.body.matchAll(/case (\d+): OLf = (OL\d+); break;/g)];
    expect(picks.length).toBeGreaterThan(n / 2);
    expect(picks.map((m) => Number(m[1]))).toEqual(picks.map((_, i) => i));
    const makes = [...o.body.matchAll(/case (\d+): return (OL\d+) = function \(\) \{/g)];
    expect(makes.map((m) => [m[1], m[2]])).toEqual(picks.map((m) => [m[1], m[2]]));
    expect(o.body.match(/\?\?= function/g)).toHaveLength(1);
    expect(o.body.indexOf(`switch (a % ${n + 2})`)).toBeLessThan(o.body.indexOf('function () {'));
    expect(o.decls).toMatch(/OLk = 0, OLf = null;$/);
    const ends = new Set<string>();
    for (const osr of [0, 4, 13, 100])
      for (const c of [0, 1, 2]) {
        const whole = run(body, `var osr = ${osr};`, c);
        expect(whole.length).toBeGreaterThan(30);
        ends.add(`c = ${c}: ${whole.at(-1)!}`);
        expect(run(o.body, `${o.decls} var osr = ${osr};`, c), `osr ${osr}, c = ${c}`).toEqual(whole);
      }
    // the three ways out: break L0 (then the body's end, -1), break X (-1), return fuel (0)
    expect([...ends].sort()).toEqual(['c = 0: -1', 'c = 1: -1', 'c = 2: 0']);
  });

  test("a dispatch chain's handlers, the handler picked and the next index are each call's own (a handler that recurses)", () => {
    // QuickJS's bytecode loop calls itself from a handler (a JS call): the inner call runs its own handlers (created
    // at their first use in that call, closing over its variables: `loc`) and leaves the outer call's next index
    // and picked handler as they were
    const n = 12;
    let body = 'L0: for (;;) {\nif (a > 400) { break L0; }\n';
    for (let k = 1; k <= n; k++) body += `L${k}: {\n`;
    body += `switch (a % ${n + 1}) {${Array.from({ length: n }, (_, k) => ` case ${k}: { break L${n - k}; }`).join('')} default: { break L0; } }\n`;
    for (let k = n; k >= 1; k--) {
      body += `}\nb = (b + ${k}) | 0; out.push(loc * 1000 + b); a = (a + 1) | 0;`;
      body += ` b = (b ^ ${k * 7}) | 0; b = (b + (a & ${k})) | 0;`.repeat(3);
      if (k === 5) body += ' if (depth < 3) { depth++; out.push(go()); depth--; }';
      body += k % 3 === 0 ? ' continue L0;\n' : '\n';
    }
    body += 'a = (a + 1) | 0;\n}\nreturn fuel;';
    const go = (b: string, decls: string) =>
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      (new Function(`let a = 0, b = 0, depth = 0, fuel = 7, out = [];\nfunction go() {\nvar loc = depth;\n${decls}\nX: {\n${b}\n}\nreturn -1;\n}\nout.push(go()); return out;`) as () => number[])();
    const o = outline(body, 0, 1500, 40)!;
    expect(o).not.toBeNull();
    expect(o.body.match(/\bOLk = \(OLf \?\? \(OL\d+ \?\?= function/g)).toHaveLength(1);
    const whole = go(body, '');
    expect(whole.length).toBeGreaterThan(100);
    // (every call returned fuel, 7, and the outer one's output goes on after the inner ones')
    expect(whole.filter((x) => x === 7).length).toBeGreaterThan(3);
    expect(whole.some((x) => x >= 3000)).toBe(true);
    expect(go(o.body, o.decls)).toEqual(whole);
  });

  test("a trap's jump to the shared throw (codegen.ts sharedTraps, `break T`) is dispatched from a moved part", () => {
    const pad = ' b = (b + 1) | 0;'.repeat(12);
    // the tail of L8 (after its largest block, L9) moves, with the trap
    const body = `L7: for (;;) {\nL8: {\nL9: {${pad}${pad} if (b < 0) { break L9; } }\nif (a > 2) { tr = 132; break T; }\na = (a + 1) | 0; out.push(a);${pad} continue L7;\n}\n}`;
    const o = outline(body, 0, body.length - 150, 5)!;
    expect(o).not.toBeNull();
    expect(o.body).toMatch(/(case \d|=== \d\)): break T;|=== \d\) break T;/);
    const go = (b: string, decls: string) =>
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      (new Function(`let a = 0, b = 0, tr = 0, out = [];\n${decls}\nT: {\nX: {\n${b}\n}\nreturn -1;\n}\nout.push(tr); return out;`) as () => number[])();
    expect(go(body, '')).toEqual([1, 2, 3, 132]);
    expect(go(o.body, o.decls)).toEqual([1, 2, 3, 132]);
  });

  test("an if's block before its else, and a block followed by nothing, get no tail (addTails)", () => {
    // the largest child of L6 is the then-block, followed by `else`: moving what follows it would cut the if in two;
    // the else-block and the blocks inside it may still move, and L5's tail (after L6) may
    const pad = ' b = (b + 1) | 0;'.repeat(10);
    const body = `L5: {\nL6: if (c > 0) {${pad}${pad}${pad} out.push(b); } \n else {${pad} out.push(-b); }\n  \n}\nout.push(a);${pad}`;
    for (const limit of [80, 200, 400]) {
      const o = outline(body, 0, limit, 5)!;
      expect(o, `limit ${limit}`).not.toBeNull();
      expect(o.body).not.toMatch(/function \(\) \{\s*else/);
      for (const c of [0, 1]) expect(run(o.body, o.decls, c), `limit ${limit}, c = ${c}`).toEqual(run(body, '', c));
    }
  });

  test('declines a brace that is not a statement block', () => {
    expect(outline('L1: { b = { x: 1 }.x; }', 0, 5, 1)).toBeNull();
    expect(outline('L1: { b = (() => { return 1; })(); }', 0, 5, 1)).toBeNull();
  });
});
