/**
 * Splits the body of a generated function that is too large for V8's optimizing compiler into several JS functions.
 *
 * V8 (Node 20) never optimizes a function with more than 60 KB of bytecode (`--max-optimized-bytecode-size`):
 * such a function runs in Ignition/Sparkplug for ever. Interpreter loops compiled to wasm (QuickJS's bytecode loop,
 * SQLite's VDBE) generate hundreds of KB of JS in one function. Here, bottom-up over the body's statement blocks,
 * the largest blocks of a too-large function are moved into nested function declarations of the generated function
 * (`function OL3() { { ...block... } return 0; }`) until what stays in each function is under the limit. The nested
 * functions read and write the generated function's variables (locals, stack variables, fuel, views) as closure
 * variables, so nothing else changes: a `break L`, `continue L` or `break X` to a label outside the moved block,
 * and the function's returns (`return fuel;`, and `return stopEntry(...);` at its entry), become `return <code>;` and the call site, left where the block was, does the
 * jump: `{ switch (OL3()) { case 1: break L27; case 2: continue L5; } }`. The generated code has no block-scoped
 * declarations in its body, so every name a moved block uses is one of the function's own.
 *
 * The body is the generator's own output: statements, labels, blocks; braces only as block delimiters, no strings,
 * comments or functions. A brace this does not recognize as a statement block (after `)` of an if or for, `else`,
 * a label or `case`, or at a statement's start; a switch's body; a block of `try`/`catch`) makes it leave the function
 * whole (null). A switch's body and the blocks of a try/catch stay where they are (blocks inside them may move).
 */

/**
 * When and how far functions are split. Generated code compiles to 0.7–0.8 bytes of bytecode per source character
 * (hash-wasm, as-sha256 and quickjs functions, measured with --print-bytecode): a body over `at` characters is over
 * V8's 61,440 bytes, and `limit` (the most one function keeps) under them; blocks under `min` characters stay.
 * `hot`: a too-large function is generated whole first, and split when its re-entry loop heads have been passed
 * that many times (codegen.ts resplit): TurboFan spends a large fraction of a second per 48,000-character part, which
 * pays only in code that runs long (measured on quickjs, sql.js and tiktoken); 0 splits at once. Replaceable (tests split every
 * function to run the split code on whole suites).
 */
export const outlining = { at: 70_000, limit: 48_000, min: 1_500, hot: 100_000 };

interface Node {
  open: number;
  close: number;
  /** a statement block that may move (not a switch's body, nor a try's or catch's block) */
  movable: boolean;
  kids: Node[];
}

export interface Outlined {
  /** the body with the moved blocks replaced by their call sites */
  body: string;
  /** the nested function declarations, to go into the generated function */
  funcs: string;
  /** how many functions deep calls nest at most (each level a JS frame more per wasm call) */
  depth: number;
}

const EXIT = /\b(?:break|continue) (?:L\d+|X);|\breturn (?:fuel|stopEntry\([^;]*\));/g;
const LABEL = /\b(L\d+): /g;

/** The body split as above, or null when it is under the limit already or not in the expected shape. */
export function outline(body: string, at = outlining.at, limit = outlining.limit, min = outlining.min): Outlined | null {
  if (body.length <= at) return null;
  // the root is the body as one block: `{body}`
  const src = `{${body}}`;
  const root = parse(src);
  if (root === null) return null;
  root.movable = false;
  const funcs: string[] = [];

  /** The text of n (its braces included), its moved blocks replaced; the deepest nesting of calls under it. */
  const emit = (n: Node): { text: string; depth: number } => {
    const kids = n.kids.map(emit);
    let total = n.close + 1 - n.open;
    for (let i = 0; i < kids.length; i++) total += kids[i]!.text.length - (n.kids[i]!.close + 1 - n.kids[i]!.open);
    if (total > limit) {
      const order = kids.map((_, i) => i).filter((i) => n.kids[i]!.movable);
      order.sort((a, b) => kids[b]!.text.length - kids[a]!.text.length);
      for (const i of order) {
        if (total <= limit || kids[i]!.text.length < min) break;
        const site = move(kids[i]!.text);
        total += site.length - kids[i]!.text.length;
        kids[i] = { text: site, depth: kids[i]!.depth + 1 };
      }
    }
    let text = '';
    let at = n.open;
    let depth = 0;
    n.kids.forEach((k, i) => {
      text += src.slice(at, k.open) + kids[i]!.text;
      at = k.close + 1;
      depth = Math.max(depth, kids[i]!.depth);
    });
    text += src.slice(at, n.close + 1);
    return { text, depth };
  };

  /** Moves one block into a new function; returns its call site. */
  const move = (block: string): string => {
    const inside = new Set<string>();
    for (const m of block.matchAll(LABEL)) inside.add(m[1]!);
    const codes = new Map<string, number>();
    const fn = block.replace(EXIT, (s) => {
      const label = s.startsWith('return') ? '' : s.slice(s.indexOf(' ') + 1, -1);
      if (label !== '' && inside.has(label)) return s;
      let c = codes.get(s);
      if (c === undefined) codes.set(s, (c = codes.size + 1));
      return `return ${c};`;
    });
    const name = `OL${funcs.length}`;
    funcs.push(`function ${name}() {\n${fn}\nreturn 0;\n}`);
    if (codes.size === 0) return `{ ${name}(); }`;
    let site = `{ switch (${name}()) {`;
    for (const [s, c] of codes) site += ` case ${c}: ${s}`;
    return site + ' } }';
  };

  const r = emit(root);
  if (funcs.length === 0) return null;
  return { body: r.text.slice(1, -1), funcs: funcs.join('\n'), depth: r.depth };
}

/** The tree of braces of src (one block, the root), or null when a brace is not a statement block's. */
function parse(src: string): Node | null {
  const stack: Node[] = [];
  let root: Node | null = null;
  for (let i = 0; i < src.length; i++) {
    const c = src.charCodeAt(i);
    if (c === 0x7b /* { */) {
      const kind = blockKind(src, i);
      if (kind === null) return null;
      const n: Node = { open: i, close: -1, movable: kind, kids: [] };
      if (stack.length > 0) stack[stack.length - 1]!.kids.push(n);
      else if (root === null) root = n;
      else return null;
      stack.push(n);
    } else if (c === 0x7d /* } */) {
      const n = stack.pop();
      if (n === undefined) return null;
      n.close = i;
    }
  }
  return stack.length === 0 && root !== null && root.open === 0 && root.close === src.length - 1 ? root : null;
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
