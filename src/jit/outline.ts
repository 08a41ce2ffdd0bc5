/**
 * Splits the body of a generated function that is too large for V8's optimizing compiler into several JS functions.
 *
 * V8 (Node 20) never optimizes a function with more than 60 KB of bytecode (`--max-optimized-bytecode-size`):
 * such a function runs in Ignition/Sparkplug for ever. Interpreter loops compiled to wasm (QuickJS's bytecode loop,
 * SQLite's VDBE) generate hundreds of KB of JS in one function. Here parts of a too-large function are moved into
 * functions nested in the generated function until what stays in each function is under the limit. A part is a
 * statement block or a *tail*, the statements after a block's largest child. The candidates are the siblings along
 * the path of largest children (tails aside) from the top down, moved largest first; when they are not enough, the
 * deepest block of the path whose moving is enough moves whole, and each moved part is split the same way. So an
 * interpreter loop's dispatch (a chain of nested blocks, a `br_table` in the innermost, each handler after the
 * block its case breaks out of: the path) stays in one function and each handler becomes a function of its own,
 * one call per dispatch. (Moving the largest block first, bottom-up, as before, nested the chain 11 functions deep
 * in QuickJS, and each bytecode went down and back up all of them.) The handlers of a chain of 8 or more (`chain`)
 * are called from one site in a loop (`trampoline`), not each from its own call site: V8's optimized dispatch
 * function left at a call site that had never run (no type feedback) at each handler's first run. The loop reads
 * the handler with a `switch`, and a maker part creates it at its first use in the call as any part is: a table
 * of the handlers, made at each call, cost quickjs (whose bytecode loop runs once per JS call) more than the
 * single site saved.
 *
 * The parts read and write the generated function's variables (locals, stack variables, fuel, views) as closure
 * variables, so nothing else changes: a `break L`, `continue L` or `break X` to a label outside the moved part,
 * and the function's returns (`return fuel;`, and `return stopEntry(...);` at its entry), become `return <code>;` and the call site, left where the part was, does the
 * jump: `{ switch ((OL3 ??= function () { ... })()) { case 1: break L27; case 2: continue L5; } }`. A part's
 * function is created at its first use in each call of the generated function (`OL3 ??=`, the variables declared
 * by `decls`): declarations would create every part's closure at every call (QuickJS's loop runs once per JS
 * call and uses a few handlers each time), and V8 compiles a part only when it first runs. The generated code has
 * no block-scoped declarations in its body, so every name a moved part uses is one of the function's own.
 *
 * The body is the generator's own output: statements, labels, blocks; braces only as block delimiters, no strings,
 * comments or functions. A brace this does not recognize as a statement block (after `)` of an if or for, `else`,
 * a label or `case`, or at a statement's start; a switch's body; a block of `try`/`catch`) makes it leave the function
 * whole (null). A switch's body and the blocks of a try/catch stay where they are (blocks inside them may move) and
 * have no tails (a switch's statements have case labels among them).
 */

/**
 * When and how far functions are split. Generated code compiles to 0.7–0.8 bytes of bytecode per source character
 * (hash-wasm, as-sha256 and quickjs functions, measured with --print-bytecode): a body over `at` characters is over
 * V8's 61,440 bytes, and `limit` (the most one function keeps) under them; parts under `min` characters stay
 * (QuickJS's and SQLite's handlers are mostly 500–5,000 characters; with 1,500 too many small ones stayed for the
 * dispatch chain to fit, and the chain itself had to move).
 * `hot`: a too-large function (but an interpreter's dispatch loop, codegen.ts DISPATCH_TARGETS) is generated whole first, and split when its re-entry loop heads have been passed
 * that many times (codegen.ts resplit): TurboFan spends a large fraction of a second per 48,000-character part, which
 * pays only in code that runs long (measured on quickjs, sql.js and tiktoken); 0 splits at once. Replaceable (tests split every
 * function to run the split code on whole suites).
 */
export const outlining = { at: 70_000, limit: 48_000, min: 500, hot: 100_000, chain: 8 };

type Kind = 'root' | 'block' | 'fixed' | 'tail';

interface Node {
  /** the opening brace (a tail: its first character) */
  open: number;
  /** the closing brace (a tail: its last character) */
  close: number;
  /**
   * block: a statement block that may move; fixed: one that stays (a switch's body, a try's or catch's block);
   * tail: the statements after a block's largest child (not a brace pair: moved, they are the function's body)
   */
  kind: Kind;
  kids: Node[];
}

export interface Outlined {
  /** the body with the moved parts replaced by their call sites (each holding its part as a function expression) */
  body: string;
  /** the declarations of the variables that hold the parts' functions, to go into the generated function */
  decls: string;
  /** how many functions deep calls nest at most (each level a JS frame more per wasm call) */
  depth: number;
  /** the length of each function's own text (without the parts it holds): the generated function's, then each part's */
  sizes: number[];
}

const EXIT = /\b(?:break|continue) (?:L\d+|X|T);|\breturn (?:fuel|stopEntry\([^;]*\));/g;
const LABEL = /\b(L\d+): /g;
/** Where a moved part's function goes in its call site (assembled last, so no rewriting of an outer part touches it). */
const PART = /\u0002(\d+)\u0002/g;

/** Whitespace, and a block's continuation (at lastIndex), after a block (addTails). */
const WS = /\s/;
const ARM = /(?:else|catch|finally)\b/y;

const size = (n: Node) => n.close + 1 - n.open;

/** What precedes a block of a dispatch chain: its label, or an OSR entry's guard (codegen.ts). */
const HEAD = /(?:(L\d+): |if \(osr (?:<=|===) \d+\) )$/;

interface Chain {
  path: Node[];
  tails: Node[];
  index: Map<Node, number>;
  /** the chain's blocks by label: a `break` to one runs the tail after it */
  labels: Map<string, number>;
  /** the blocks guarded by an OSR entry, skipped (on to the tail after them) when it is further on */
  guards: Map<Node, { head: number; index: number }>;
  /** per tail, the tail run when it falls off its end (the tail count: none, the chain's outermost block ends) */
  next: number[];
  /** the tail run when the innermost block ends */
  end: number;
}

/**
 * n's largest child but its tail (the first of equals), or null: the tail goes after this child (addTails), and a
 * dispatch chain goes on through the child, whichever is larger (near the end of QuickJS's chain a handler is
 * larger than the rest of the chain).
 */
function largest(n: Node): Node | null {
  let big: Node | null = null;
  for (const k of n.kids) if (k.kind !== 'tail' && (big === null || size(k) > size(big))) big = k;
  return big;
}

interface Emitted {
  text: string;
  /** how many functions deep calls nest in it */
  depth: number;
}

/** The body split as above, or null when it is under the limit already or not in the expected shape. */
export function outline(body: string, at = outlining.at, limit = outlining.limit, min = outlining.min): Outlined | null {
  if (body.length <= at) return null;
  // the root is the body as one block: `{body}`
  const src = `{${body}}`;
  const root = parse(src);
  if (root === null) return null;
  root.kind = 'root';
  addTails(src, root);
  const parts: string[] = [];
  let usedChain = false;

  /** About the length of n's call site: the call, and a case per exit (move). */
  const site = (n: Node): number => {
    let len = 40;
    for (const s of exits(src.slice(n.open, n.close + 1)).keys()) len += s.length + 10;
    return len;
  };

  /**
   * The text of n with parts moved out until it is `need` characters shorter (when it can be), and the deepest
   * nesting of calls in it. The candidates are the siblings along the path of largest children (tails aside) from
   * n down, moved largest gain first; when all of them are not enough, the deepest node of the path whose moving is
   * enough moves whole (its own function split as far as it needs). An interpreter loop's dispatch chain is that
   * path: its handlers move, and the chain, with the dispatch, stays.
   */
  const emit = (n: Node, need: number): Emitted => {
    const moved = new Set<Node>();
    const path: Node[] = [n];
    if (need > 0) {
      for (let p = largest(n); p !== null; p = largest(p)) path.push(p);
      const cands: { node: Node; level: number; gain: number }[] = [];
      for (let i = 0; i + 1 < path.length; i++)
        for (const k of path[i]!.kids)
          if (k !== path[i + 1] && k.kind !== 'fixed' && size(k) >= min) {
            const gain = size(k) - site(k);
            if (gain > 0) cands.push({ node: k, level: i, gain });
          }
      cands.sort((x, y) => y.gain - x.gain);
      let saved = 0;
      const chosen: typeof cands = [];
      for (const c of cands) {
        if (saved >= need) break;
        chosen.push(c);
        saved += c.gain;
      }
      let cut = path.length;
      if (saved < need) {
        // below[i]: saved by the chosen siblings inside path[i] (at level i or deeper)
        const below = new Array<number>(path.length + 1).fill(0);
        for (const c of chosen) below[c.level]! += c.gain;
        for (let i = path.length - 1; i >= 0; i--) below[i]! += below[i + 1]!;
        for (let i = path.length - 1; i >= 1; i--) {
          const p = path[i]!;
          if (p.kind !== 'fixed' && size(p) >= min && saved - below[i]! + size(p) - site(p) >= need) {
            cut = i;
            moved.add(p);
            break;
          }
        }
      }
      for (const c of chosen) if (c.level < cut) moved.add(c.node);
      path.length = cut;
    }
    const onPath = new Set(path);
    const ch = n.kind === 'root' ? chain(path) : null;
    const build = (m: Node): Emitted => {
      if (moved.has(m) && !ch?.index.has(m)) return move(m);
      if (!onPath.has(m)) return { text: src.slice(m.open, m.close + 1), depth: 0 };
      let text = '';
      let pos = m.open;
      let depth = 0;
      for (const k of m.kids) {
        const i = ch?.index.get(k);
        if (i !== undefined) {
          // a chain's tail: run by the trampoline, which stands in the first one's place
          text += src.slice(pos, k.open);
          pos = k.close + 1;
          if (i === 0) {
            const t = trampoline(ch!);
            text += t.text;
            depth = Math.max(depth, t.depth);
          }
          continue;
        }
        const t = build(k);
        let before = src.slice(pos, k.open);
        // a guarded block of the chain skipped (an OSR entry further on) goes on at the tail after it
        const g = ch?.guards.get(k);
        if (g !== undefined) before = `${before.slice(0, before.length - g.head)}OLk = ${g.index}; ${before.slice(before.length - g.head)}`;
        text += before + t.text;
        pos = k.close + 1;
        depth = Math.max(depth, t.depth);
        if (ch !== null && k === ch.path[0]) {
          // the chain's descent: its jumps to the chain's blocks go to the trampoline, with the tail to run
          const inner = text.slice(1).replace(/\bbreak (L\d+);/g, (s, l: string) => {
            const j = ch.labels.get(l);
            return j === undefined ? s : `{ OLk = ${j}; break DC; }`;
          });
          text = `${text[0]!}DC: {${inner}\n}\n`;
        }
      }
      let end = src.slice(pos, m.close + 1);
      // the innermost block of a chain, ended: the tail after it
      if (ch !== null && m === ch.path[ch.path.length - 1]) end = `${end.slice(0, -1)}\nOLk = ${ch.end};\n}`;
      return { text: text + end, depth };
    };
    return build(n);
  };

  /**
   * The longest run of the path whose blocks (labelled, or guarded by an OSR entry) each end their parent but for a
   * tail: a dispatch chain. Its blocks from the outermost in (`path`), the tail after each (`tails`), their indexes.
   */
  const chain = (path: Node[]): Chain | null => {
    // 2: the block ends its parent but for a tail; 1: it ends its parent (no tail: nothing runs after it there)
    const level = (m: number): number => {
      const p = path[m]!;
      if (p.kind !== 'block' || !HEAD.test(src.slice(Math.max(0, p.open - 24), p.open))) return 0;
      const kids = path[m - 1]!.kids;
      if (kids.length >= 2 && kids[kids.length - 1]!.kind === 'tail' && kids[kids.length - 2] === p) return 2;
      return kids[kids.length - 1] === p && src.slice(p.close + 1, path[m - 1]!.close).trim() === '' ? 1 : 0;
    };
    let best: [number, number] | null = null;
    let lo = -1;
    let tails = 0;
    for (let m = 1; m < path.length; m++) {
      const l = level(m);
      if (l === 0) lo = -1;
      else if (lo < 0 && l === 1) continue;
      else {
        if (lo < 0) [lo, tails] = [m, 0];
        if (l === 2) tails++;
        if (tails >= outlining.chain && (best === null || m - lo > best[1] - best[0])) best = [lo, m];
      }
    }
    if (best === null) return null;
    const c: Chain = { path: path.slice(best[0], best[1] + 1), tails: [], next: [], index: new Map(), labels: new Map(), guards: new Map(), end: 0 };
    // what runs after a block of the chain ends: the tail after it, or what runs after its parent; after the
    // outermost one's parent, the trampoline ends (the tail count, set at the end)
    let after = -1;
    c.path.forEach((p, i) => {
      const kids = path[best![0] + i - 1]!.kids;
      if (level(best![0] + i) === 2) {
        const t = kids[kids.length - 1]!;
        c.next.push(after);
        after = c.tails.length;
        c.tails.push(t);
        c.index.set(t, after);
      }
      const h = HEAD.exec(src.slice(Math.max(0, p.open - 24), p.open))!;
      if (h[1] !== undefined) c.labels.set(h[1], after);
      else c.guards.set(p, { head: h[0].length, index: after });
      c.end = after;
    });
    c.next[0] = c.tails.length;
    return c;
  };

  /**
   * The tails of a chain, each a function, called from one site in a loop: a tail returns the index of the tail to
   * run next (falling off its end, the one after its parent; a jump to a block of the chain, the one after that
   * block), the tail count when the chain's outermost block ends, or above that a code for a jump out of the chain.
   * So the dispatch function has one call site for every handler, which sees many targets from the start: a handler
   * run for the first time after V8 optimized the dispatch function does not deoptimize it (a call site never run
   * has no type feedback, and TurboFan's code leaves at it). A `switch` in the loop reads the handler's variable
   * (`OLf = OL3`); one maker part, itself a moved part (`OL7 ??= function () { switch (OLk) { ... return OL3 =
   * function ... } }`), creates a handler at its first use in each call of the generated function, like any part.
   * So no table of the handlers is made at every call (`new Array(N)`, 260 entries in QuickJS, whose bytecode loop
   * runs once per JS call: its steady calls spent a quarter of their time on it), and the handlers' text stays out
   * of the dispatch function (creating them in its switch made TurboFan's compile of it 4 times longer and quickjs'
   * first run 5-10% slower).
   */
  const trampoline = (c: Chain): Emitted => {
    const N = c.tails.length;
    const codes = new Map<string, number>();
    let depth = 0;
    let pick = '';
    let make = '';
    c.tails.forEach((t, i) => {
      const inner = emit(t, size(t) - limit);
      depth = Math.max(depth, inner.depth + 1);
      let fn = replaceExits(inner.text, (s) => {
        const j = s.startsWith('break L') ? c.labels.get(s.slice(6, -1)) : undefined;
        if (j !== undefined) return `return ${j};`;
        let k = codes.get(s);
        if (k === undefined) codes.set(s, (k = N + 1 + codes.size));
        return `return ${k};`;
      }).text;
      fn += `\nreturn ${c.next[i]!};`;
      const id = parts.length;
      parts.push(fn);
      pick += ` case ${i}: OLf = OL${id}; break;`;
      make += ` case ${i}: return OL${id} = \u0002${id}\u0002;`;
    });
    const maker = parts.length;
    parts.push(`switch (OLk) {${make} }`);
    let text = `\nfor (;;) { switch (OLk) {${pick} }\nOLk = (OLf ?? (OL${maker} ??= \u0002${maker}\u0002)())(); if (OLk >= ${N}) break; }\n`;
    if (codes.size > 0) text += `switch (OLk) {${[...codes].map(([s, k]) => ` case ${k}: ${s}`).join('')} }\n`;
    usedChain = true;
    return { text, depth };
  };

  /** Moves n into a new function (split itself as far as it needs); its call site. */
  const move = (n: Node): Emitted => {
    const inner = emit(n, size(n) - limit);
    const { text: fn, codes } = replaceExits(inner.text, (_, c) => `return ${c};`);
    const id = parts.length;
    parts.push(fn);
    // created at its first use in each call of the generated function, not at every call (a declaration would be)
    const call = `(OL${id} ??= \u0002${id}\u0002)()`;
    let site: string;
    if (codes.size === 0) site = `${call};`;
    else if (codes.size === 1) site = `if (${call} === 1) ${[...codes.keys()][0]!}`;
    else {
      site = `switch (${call}) {`;
      for (const [s, c] of codes) site += ` case ${c}: ${s}`;
      site += ' }';
    }
    // a tail's statements are replaced by statements, a block by a block
    return { text: n.kind === 'tail' ? site : `{ ${site} }`, depth: inner.depth + 1 };
  };

  const r = emit(root, root.close + 1 - limit);
  if (parts.length === 0) return null;
  const expand = (text: string): string => text.replace(PART, (_, id: string) => `function () {\n${expand(parts[+id]!)}\nreturn 0;\n}`);
  const decls = `var ${parts.map((_, i) => `OL${i} = null`).join(', ')}${usedChain ? ', OLk = 0, OLf = null' : ''};`;
  return { body: expand(r.text.slice(1, -1)), decls, depth: r.depth, sizes: [r.text.length - 2, ...parts.map((p) => p.length)] };
}

/**
 * The jumps out of a block (`break`/`continue` to a label not defined in it, `break X`, `return fuel;`, `return stopEntry(...);`), each
 * numbered from 1 by its first appearance: the codes its function returns.
 */
export function exits(block: string): Map<string, number> {
  const inside = labels(block);
  const codes = new Map<string, number>();
  EXIT.lastIndex = 0;
  for (let m = EXIT.exec(block); m !== null; m = EXIT.exec(block)) {
    const s = m[0];
    if (!codes.has(s) && isExit(s, inside)) codes.set(s, codes.size + 1);
  }
  return codes;
}

/** The labels a block defines (`L<n>: `). */
function labels(block: string): Set<string> {
  const inside = new Set<string>();
  LABEL.lastIndex = 0;
  for (let m = LABEL.exec(block); m !== null; m = LABEL.exec(block)) inside.add(m[1]!);
  return inside;
}

/** Whether a match of EXIT leaves a block defining the labels `inside`. */
const isExit = (s: string, inside: Set<string>): boolean => s.startsWith('return') || !inside.has(s.slice(s.indexOf(' ') + 1, -1));

/**
 * A moved part's text with each of its exits replaced by what `fn` gives for it and its code (as `exits` numbers
 * them: by first appearance), and the codes: one scan of the text, numbering the exits as the replace meets them,
 * not `exits` and then a replace (a second scan of every moved part; rewriting from the first scan's matches in JS
 * instead was slower than the second native scan: BENCHMARKS.md, "Session 20, helper gen20").
 */
export function replaceExits(block: string, fn: (s: string, code: number) => string): { text: string; codes: Map<string, number> } {
  const inside = labels(block);
  const codes = new Map<string, number>();
  const text = block.replace(EXIT, (s) => {
    let c = codes.get(s);
    if (c === undefined) {
      if (!isExit(s, inside)) return s;
      codes.set(s, (c = codes.size + 1));
    }
    return fn(s, c);
  });
  return { text, codes };
}

/**
 * Gives every block (and the root) whose statements after its largest child could move a tail node holding them
 * (and the children among them): not in a switch's body (case labels) nor in a try's or catch's block, and only
 * when the largest child ends a statement (not an if's block before its else, nor a try's before its catch).
 */
function addTails(src: string, n: Node): void {
  for (const k of n.kids) addTails(src, k);
  if (n.kind === 'fixed' || n.kids.length === 0) return;
  const b = largest(n)!;
  const big = n.kids.indexOf(b);
  // (no statements after it, or it is an if's or a try's first block)
  let i = b.close + 1;
  while (i < n.close && WS.test(src[i]!)) i++;
  if (i === n.close) return;
  ARM.lastIndex = i;
  if (ARM.test(src)) return;
  const tail: Node = { open: b.close + 1, close: n.close - 1, kind: 'tail', kids: n.kids.slice(big + 1) };
  n.kids = [...n.kids.slice(0, big + 1), tail];
}

/** The tree of braces of src (one block, the root), or null when a brace is not a statement block's. */
function parse(src: string): Node | null {
  const stack: Node[] = [];
  let root: Node | null = null;
  // (the braces found by a native search: this runs once or twice per process, cold, over bodies of 500-700 KB,
  // and a loop over every character ran in V8's interpreter for most of them)
  const BRACE = /[{}]/g;
  // (whether the root closed at the last character, found at each close: V8 compiles this loop on-stack in the first
  // call, and a test after it, its operations never run before, threw that code away at the loop's end)
  const last = src.length - 1;
  let whole = false;
  while (BRACE.test(src)) {
    const i = BRACE.lastIndex - 1;
    const c = src.charCodeAt(i);
    if (c === 0x7b /* { */) {
      const kind = blockKind(src, i);
      if (kind === null) return null;
      const n: Node = { open: i, close: -1, kind: kind ? 'block' : 'fixed', kids: [] };
      if (stack.length > 0) stack[stack.length - 1]!.kids.push(n);
      else if (root === null) root = n;
      else return null;
      stack.push(n);
    } else if (c === 0x7d /* } */) {
      const n = stack.pop();
      if (n === undefined) return null;
      n.close = i;
      const empty = stack.length === 0;
      const first = n.open === 0;
      const end = i === last;
      whole = empty && first && end;
    }
  }
  return whole ? root : null;
}

/** Whether the brace at i opens a movable statement block (true), a switch's body or a try's or catch's block (false), or something else (null). */
function blockKind(src: string, i: number): boolean | null {
  let j = i - 1;
  while (j >= 0 && src.charCodeAt(j) === 0x20) j--;
  if (j < 0) return true;
  const c = src[j]!;
  if (c === '\n' || c === ';' || c === '{' || c === '}' || c === ':') return true;
  if (c === 'e' && src.endsWith('else', j + 1) && !/\w/.test(src[j - 4] ?? ' ')) return true;
  // a call inside a try (gen-calls.ts mayThrow): its blocks stay where they are
  if (c === 'y' && src.endsWith('try', j + 1) && !/\w/.test(src[j - 3] ?? ' ')) return false;
  if (c !== ')') return null;
  // the matching parenthesis and the word before it
  let d = 0;
  for (; j >= 0; j--) {
    const p = src[j];
    if (p === ')') d++;
    else if (p === '(' && --d === 0) break;
  }
  if (j < 0) return null;
  let k = j - 1;
  while (k >= 0 && src.charCodeAt(k) === 0x20) k--;
  const e = k + 1;
  while (k >= 0 && /\w/.test(src[k]!)) k--;
  const word = src.slice(k + 1, e);
  if (word === 'if' || word === 'for') return true;
  if (word === 'switch' || word === 'catch') return false;
  return null;
}
