/**
 * Splits the body of a generated function that is too large for V8's optimizing compiler into several JS functions.
 *
 * V8 (Node 20) never optimizes a function with more than 60 KB of bytecode (`--max-optimized-bytecode-size`):
 * such a function runs in Ignition/Sparkplug for ever. Interpreter loops compiled to wasm (QuickJS's bytecode loop,
 * SQLite's VDBE) generate hundreds of KB of JS in one function. Here, top-down over the body's statement blocks,
 * parts of a too-large function are moved into functions nested in the generated function until what stays in
 * each function is under the limit. At each block the siblings of its largest child move first (largest first),
 * then the rest of the need is asked of the largest child; a part is a block or a *tail*, the statements after a
 * block's largest child. So an interpreter loop's dispatch (a chain of nested blocks, a `br_table` in the
 * innermost, each handler after the block its case breaks out of) stays in one function and each handler becomes
 * a function of its own: one call per dispatch. (Moving the largest child first, as before, nested the chain 11
 * functions deep in QuickJS, and each bytecode went down and back up all of them.)
 *
 * The parts read and write the generated function's variables (locals, stack variables, fuel, views) as closure
 * variables, so nothing else changes: a `break L`, `continue L` or `break X` to a label outside the moved part,
 * and the function's `return 0;`, become `return <code>;` and the call site, left where the part was, does the
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
 * `hot`: a too-large function is generated whole first, and split when its re-entry loop heads have been passed
 * that many times (codegen.ts resplit): TurboFan spends a large fraction of a second per 48,000-character part, which
 * pays only in code that runs long (measured on quickjs, sql.js and tiktoken); 0 splits at once. Replaceable (tests split every
 * function to run the split code on whole suites).
 */
export const outlining = { at: 70_000, limit: 48_000, min: 500, hot: 100_000 };

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

const EXIT = /\b(?:break|continue) (?:L\d+|X);|\breturn 0;/g;
const LABEL = /\b(L\d+): /g;
/** Where a moved part's function goes in its call site (assembled last, so no rewriting of an outer part touches it). */
const PART = /\u0002(\d+)\u0002/g;

/** About the length of a call site (capOf's estimate). */
const SITE = 80;

const size = (n: Node) => n.close + 1 - n.open;

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
  // how much shorter each node's text can get by moving parts inside it (call sites counted as SITE characters)
  const cap = new Map<Node, number>();
  const capOf = (n: Node): number => {
    let c = 0;
    for (const k of n.kids) c += Math.max(capOf(k), k.kind !== 'fixed' && size(k) >= min ? size(k) - SITE : 0);
    cap.set(n, c);
    return c;
  };
  capOf(root);

  /**
   * The text of n with parts moved out until it is `need` characters shorter (when it can be), and the deepest
   * nesting of calls in it. Siblings of the largest child move first, largest first, and the rest of the need is
   * asked of the largest child: an interpreter loop's chain of dispatch blocks (each holding the next, the
   * handler after it) stays in one function and each handler becomes a function of its own, one call per
   * dispatch (moving the largest child first, as before, nested the chain 11 functions deep in QuickJS).
   */
  const emit = (n: Node, need: number): { text: string; depth: number } => {
    const kids: ({ text: string; depth: number } | null)[] = n.kids.map(() => null);
    if (need > 0 && n.kids.length > 0) {
      let big = 0;
      n.kids.forEach((k, i) => {
        if (size(k) > size(n.kids[big]!)) big = i;
      });
      const order = n.kids.map((_, i) => i).filter((i) => i !== big && n.kids[i]!.kind !== 'fixed' && size(n.kids[i]!) >= min);
      order.sort((a, b) => size(n.kids[b]!) - size(n.kids[a]!));
      for (const i of order) {
        if (need <= 0) break;
        kids[i] = move(n.kids[i]!);
        need -= size(n.kids[i]!) - kids[i]!.text.length;
      }
      if (need > 0) {
        const b = n.kids[big]!;
        // the largest child cannot shrink enough: it moves whole (its own function is split as far as it needs)
        kids[big] = cap.get(b)! < need && b.kind !== 'fixed' && size(b) >= min ? move(b) : emit(b, need);
      }
    }
    let text = '';
    let pos = n.open;
    let depth = 0;
    n.kids.forEach((k, i) => {
      const t = kids[i] ?? null;
      text += src.slice(pos, k.open) + (t === null ? src.slice(k.open, k.close + 1) : t.text);
      pos = k.close + 1;
      if (t !== null) depth = Math.max(depth, t.depth);
    });
    text += src.slice(pos, n.close + 1);
    return { text, depth };
  };

  /** Moves n into a new function (split itself as far as it needs); its call site. */
  const move = (n: Node): { text: string; depth: number } => {
    const inner = emit(n, size(n) - limit);
    const block = inner.text;
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
  const decls = `let ${parts.map((_, i) => `OL${i} = null`).join(', ')};`;
  return { body: expand(r.text.slice(1, -1)), decls, depth: r.depth, sizes: [r.text.length - 2, ...parts.map((p) => p.length)] };
}

/**
 * Gives every block (and the root) whose statements after its largest child could move a tail node holding them
 * (and the children among them): not in a switch's body (case labels) nor in a try's or catch's block, and only
 * when the largest child ends a statement (not an if's block before its else, nor a try's before its catch).
 */
function addTails(src: string, n: Node): void {
  for (const k of n.kids) addTails(src, k);
  if (n.kind === 'fixed' || n.kids.length === 0) return;
  let big = 0;
  n.kids.forEach((k, i) => {
    if (size(k) > size(n.kids[big]!)) big = i;
  });
  const b = n.kids[big]!;
  const rest = src.slice(b.close + 1, n.close);
  if (!/\S/.test(rest) || /^\s*(?:else|catch|finally)\b/.test(rest)) return;
  const tail: Node = { open: b.close + 1, close: n.close - 1, kind: 'tail', kids: n.kids.slice(big + 1) };
  n.kids = [...n.kids.slice(0, big + 1), tail];
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
      const n: Node = { open: i, close: -1, kind: kind ? 'block' : 'fixed', kids: [] };
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
