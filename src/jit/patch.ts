/**
 * build()'s one pass over a generated body (codegen.ts): everything it decides once the whole function is generated
 * is written in a single `replace` of the joined body, instead of one pass (and one copy of the body) per decision:
 *
 * - the markers (gen-types.ts): the views' reloads after calls (MEM_RELOAD, FD_RELOAD), the counted loops' sites in
 *   their slow versions (CL_TRAP, CL_EXIT, CL_BACK: nothing), and prepaid fuel (`fuel += \u0004<block>\u0004;` on a
 *   br_if's taken edge, `fuel + r + \u0004<block>\u0004` in a trap's refund: what the block prepaid, `paidAhead`);
 * - the back edges' subtractions (gen-fuel.ts backEdge: `\u000e<label>\u000e`, the moved head's cost) and adjacent
 *   fuel steps merged into one (`fuel += 2;fuel -= 4;` -> `fuel -= 2;`; steps separated by whitespace alone, counting
 *   the steps the markers become and ignoring the markers that become nothing);
 * - the accesses the DataView checks (gen-memory.ts memAccess; OOB_SITE around their `throw trap(...)`) trap in the
 *   function's catch: each becomes `tr = <site>;` before the access, and a RangeError of the DataView's (rt.ts isOob)
 *   with `tr` set is that site's trap, with the fuel its check would have thrown with (JS semantics: the catch sees
 *   the variables as they were at the throw). A constant refund is encoded as the shared traps' below (the shared
 *   throw after the catch raises it); any other (a counted loop's, which reads its induction variable) is a case of
 *   the catch's switch (`cases`), `tr` then `case << 5 | 31` (no trap kind is 31). What the explicit check cost:
 *   `ea > ML8` is a compare and a branch per access beside the DataView's own check, which V8 keeps (matmul 2.76x ->
 *   2.42x V8 unmetered, BENCHMARKS.md, session 15, f32x10);
 * - every other trap with a constant refund: `{ tr = r << 5 | k; break T; }`, which the one throw after the labeled
 *   body `T` raises: 8-10 bytes of bytecode per site instead of 26 (the call with its three arguments and the
 *   throw). A memory access is mostly its trap: argon2's compress function (hash-wasm), its block copies unrolled,
 *   was over V8's limit for optimization (62.9 KB of bytecode) and ran in Sparkplug for ever. Nothing changes fuel
 *   between the site and the throw (a moved part returns the jump to its call site, outline.ts), so the refund is
 *   the same.
 *
 * The result is the text those passes gave one after another (PATCH, the back edges, the merge, the implicit traps,
 * the shared traps; BENCHMARKS.md, session 16, build12): each decision reads only its own match, so they commute,
 * except the merge, which reads the text the markers become; a run of steps and markers is therefore one match, and
 * its steps are merged over what its markers become.
 */

/** The bits of a shared trap's code (`tr`) that hold the trap's kind (rt.ts TRAP_MSG); the refund is above them. */
export const TRAP_BITS = 5;

/** What build() knows once the whole function is generated. */
export interface PatchFacts {
  /** MEM_RELOAD's text: the views' reload after a call that may have grown memory ('' without a memory) */
  reload: string;
  /** FD_RELOAD's text ('' in a function that uses no f64 slot) */
  fdReload: string;
  /** what fuel block `id` prepaid for the blocks after it (negative: a sunk head's own cost) */
  paidAhead(id: number): number;
  /** the subtraction a back edge to loop `label` carries; null when fuel is not counted (no merging either) */
  backEdge: ((label: string) => number) | null;
  /** the catch's cases of the DataView-checked accesses whose refund is not constant (filled in order) */
  cases: string[];
}

/**
 * A trap site as the generator wrote it (gen-fuel.ts trapAt): `text` on output line `line` (-1: not written by a
 * statement), its refund `r` plus what block `id` prepaid (-1: no block, fuel not counted), its kind `k` (the text
 * may hold a counted loop's site marker, which in the slow version becomes nothing), and whether it is an access the
 * DataView checks (`oob`); or (`k` EDGE) a taken edge, `fuel += \u0004<id>\u0004;`, which becomes `fuel += <prepaid>;`
 * or nothing (a fuel step the pass then merges with the steps beside it as it merged the edge).
 */
/** A TrapSite's kind for a taken edge's `fuel += <what block id prepaid>;` (gen-fuel.ts prepaidEdge). */
export const EDGE = -1;
export interface TrapSite {
  line: number;
  /** The line as written (set with `line`), and the text before the site when the site ends it (else null). */
  whole: string;
  pre: string | null;
  text: string;
  id: number;
  r: number;
  k: number;
  oob: boolean;
}

/**
 * The sites' texts written in on their lines, as patchBody would write them, once every block's prepaid fuel is
 * known (before the join, after the counted copies were made from the text as generated: the pass then has 34,990 ->
 * 14,427 matches in sql.js' first run, 34,408 -> 10,311 in tiktoken's). A site that patchBody would
 * not make constant (a catch's case, whose number follows the body's order), or whose text is no longer on its line
 * (a line rewritten, or a text written through other than `w`), is left as it is, to the pass. Returns whether an
 * access the DataView checks was written in (build(): the function's catch then reads `tr`).
 */
export function fillSites(o: string[], sites: readonly TrapSite[], paidAhead: (id: number) => number): boolean {
  let oob = false;
  let filled = 0;
  let edges = 0;
  let traps = 0;
  let last = -1;
  let from = 0;
  for (let n = 0; n < sites.length; n++) {
    const s = sites[n]!;
    if (s.k !== EDGE) traps++;
    if (s.line < 0) continue;
    if (s.line !== last) {
      last = s.line;
      from = 0;
    }
    const v = s.r + (s.id < 0 ? 0 : paidAhead(s.id));
    let out: string;
    if (s.k === EDGE) out = step(v);
    else if (Math.abs(v) >= SMALL || s.k >= (1 << TRAP_BITS) - (s.oob ? 1 : 0)) continue;
    else out = s.oob ? `tr = ${v * (1 << TRAP_BITS) + s.k};` : `{ tr = ${v * (1 << TRAP_BITS) + s.k}; break T; }`;
    const line = o[s.line]!;
    // a site that ends its line as written: the line again from its parts, neither searched nor flattened
    if (s.pre !== null && line === s.whole) {
      o[s.line] = s.pre + out;
      from = s.pre.length + out.length;
    } else {
      const i = line.indexOf(s.text, from);
      // (a plain site inside an access's markers is that access's: the pass's)
      if (i < 0 || (!s.oob && i > 0 && line.charCodeAt(i - 1) === 0x10)) continue;
      o[s.line] = line.slice(0, i) + out + line.slice(i + s.text.length);
      from = i + out.length;
    }
    if (s.k === EDGE) edges++;
    else {
      if (s.oob) oob = true;
      filled++;
    }
  }
  siteStats.filled += filled;
  siteStats.edges += edges;
  siteStats.left += traps - filled;
  return oob;
}
/**
 * The trap sites and the taken edges fillSites wrote in, and the trap sites it left to patchBody, in the process so far
 * (tests; an edge not on its line is mostly one whose line was dropped: an if's then arm whose block the next left).
 */
export const siteStats = { filled: 0, edges: 0, left: 0 };

// a fuel step, or anything else a run holds: a back edge's marker, a prepaid taken edge, a marker patched to text or
// to nothing
const STEP = 'fuel [+-]= \\d+;';
const MARK = '\\u000eL\\d+\\u000e|fuel \\+= \\u0004\\d+\\u0004;|[\\u0001\\u0002\\u0006]|[\\u0005\\u0007]\\d+[\\u0005\\u0007]';
const ELEM = `${STEP}|${MARK}`;
// a trap's fuel as fuelAfterTrap writes it (gen-fuel.ts): `fuel + r`, what its block prepaid, a counted loop's site
const SITE_FUEL = 'fuel \\+ (\\d+)(?: \\+ \\u0004(\\d+)\\u0004)?(?:\\u0005\\d+\\u0005)?, (\\d+)\\);';
/**
 * The pass, its alternatives and their groups: an access the DataView checks, its fuel as fuelAfterTrap writes it
 * (1-3) or any other (4, 5); a trap site, likewise (6-8; 9, 10: `[^;\n]` keeps it to one expression); a run of ELEMs
 * separated by whitespace (no group), but not a fuel step alone (most blocks' subtraction: as it is); a refund with
 * what its block prepaid elsewhere (11, 12).
 */
const PASS = new RegExp(
  `\\u0010throw trap\\(mc, ${SITE_FUEL}\\u0010|\\u0010throw trap\\(mc, (.*?), (\\d+)\\);\\u0010|` +
    `throw trap\\(mc, ${SITE_FUEL}|throw trap\\(mc, ([^;\\n]*?), (\\d+)\\);|` +
    `(?:${MARK})(?:\\s*(?:${ELEM}))*|${STEP}(?:\\s*(?:${ELEM}))+|fuel \\+ (\\d+) \\+ \\u0004(\\d+)\\u0004`,
  'g',
);
/** A run of one ELEM that needs no tokens: a counted loop's site. */
const ONE_SITE = /^[\u0005\u0007]\d+[\u0005\u0007]$/;
/** A trap's fuel in another form, with its markers: patched alone. */
const FUEL_MARKS = /[\u0001\u0002\u0006]|[\u0005\u0007]\d+[\u0005\u0007]|fuel \+ (\d+) \+ \u0004(\d+)\u0004/g;
const HAS_MARK = /[\u0001-\u0007]/;
/** A constant refund: `fuel`, `fuel + r`, `fuel - r`. */
const CONST_FUEL = /^fuel(?: ([+-]) (\d+))?$/;

const step = (k: number): string => (k > 0 ? `fuel += ${k};` : k < 0 ? `fuel -= ${-k};` : '');
const refund = (k: number): string => (k > 0 ? `fuel + ${k}` : k < 0 ? `fuel - ${-k}` : 'fuel');
// (a refund that large never occurs; such a site would stay as it is)
const SMALL = 1 << 24;

/** The body with every decision of build() written in (see above). */
export function patchBody(body: string, f: PatchFacts): string {
  const marker = (c: number): string => (c === 1 ? f.reload : c === 2 ? f.fdReload : '');
  // a trap site of kind k whose fuel is `fuel` (r: its refund when constant, else NaN)
  const oob = (fuel: string, r: number, k: string): string => {
    // an access the DataView checks: `tr = <site>;` (a constant refund as a shared trap's, else a case of the catch)
    if (+k < (1 << TRAP_BITS) - 1 && Math.abs(r) < SMALL) return `tr = ${r * (1 << TRAP_BITS) + Number(k)};`;
    f.cases.push(`case ${f.cases.length}: throw trap(mc, ${fuel}, ${k});`);
    return `tr = ${(f.cases.length - 1) * (1 << TRAP_BITS) + (1 << TRAP_BITS) - 1};`;
  };
  const trap = (fuel: string, r: number, k: string): string =>
    +k < 1 << TRAP_BITS && Math.abs(r) < SMALL ? `{ tr = ${r * (1 << TRAP_BITS) + Number(k)}; break T; }` : `throw trap(mc, ${fuel}, ${k});`;
  // the fuel of a site as fuelAfterTrap writes it: `fuel + r` as it is, or less what its block prepaid
  // (the sum on every path: behind the test, its first run came after V8 had optimized the callers)
  const prepaid = (r: string, id: string | undefined): number => +r + (id === undefined ? 0 : f.paidAhead(+id));
  const text = (r: string, id: string | undefined, k: number): string => (id === undefined ? `fuel + ${r}` : refund(k));
  // any other: its markers patched, and its refund when constant
  const marks = (fuel: string): string =>
    HAS_MARK.test(fuel)
      ? fuel.replace(FUEL_MARKS, (m: string, r: string | undefined, id: string | undefined) => (r !== undefined ? refund(prepaid(r, id)) : marker(m.charCodeAt(0))))
      : fuel;
  const konst = (fuel: string): number => {
    const c = CONST_FUEL.exec(fuel);
    return c === null ? NaN : c[1] === undefined ? 0 : c[1] === '-' ? -Number(c[2]) : Number(c[2]);
  };
  type Site = (fuel: string, r: number, k: string) => string;
  const known = (r: string, id: string | undefined, k: string, write: Site): string => {
    const v = prepaid(r, id);
    return write(text(r, id, v), v, k);
  };
  const other = (written: string, k: string, write: Site): string => {
    const fuel = marks(written);
    return write(fuel, konst(fuel), k);
  };
  return body.replace(
    PASS,
    (
      m: string,
      or?: string,
      oid?: string,
      ok?: string,
      of?: string,
      ok2?: string,
      tr?: string,
      tid?: string,
      tk?: string,
      tf?: string,
      tk2?: string,
      r?: string,
      id?: string,
    ) => {
      if (or !== undefined) return known(or, oid, ok!, oob);
      if (of !== undefined) return other(of, ok2!, oob);
      if (tr !== undefined) return known(tr, tid, tk!, trap);
      if (tf !== undefined) return other(tf, tk2!, trap);
      if (r !== undefined) return refund(prepaid(r, id));
      // (the commonest runs, 80% of quickjs': one marker, both views' reloads after a call, one prepaid edge, one back
      // edge, one counted loop's site; the others are read by run, which V8 runs in its interpreter at first)
      const c = m.charCodeAt(0);
      const n = m.length;
      if (n === 1) return marker(c);
      if (c === 2 && n === 2 && m.charCodeAt(1) === 1) return f.fdReload + f.reload;
      if (c === 0x66 && m.indexOf('\u0004', 9) === n - 2) return step(f.paidAhead(+m.slice(9, n - 2)));
      if (c === 0x0e && m.indexOf('\u000e', 1) === n - 1) {
        if (f.backEdge === null) return m;
        const b = f.backEdge(m.slice(1, n - 1));
        return b > 0 ? `fuel -= ${b};` : '';
      }
      if (ONE_SITE.test(m)) return '';
      return run(m, f, marker);
    },
  );
}

/**
 * A run of steps, markers and whitespace: the text its tokens become, with each maximal sequence of two or more
 * steps separated by whitespace alone (what the markers become included) merged into one.
 */
function run(m: string, f: PatchFacts, marker: (c: number) => string): string {
  const merge = f.backEdge !== null;
  let out = '';
  // the steps of the sequence so far, their sum, the first one's text, the whitespace after the last one
  let steps = 0;
  let sum = 0;
  let first = '';
  let ws = '';
  const flush = (): void => {
    out += (steps === 1 ? first : steps > 1 ? step(sum) : '') + ws;
    steps = 0;
    ws = '';
  };
  const add = (text: string, k: number): void => {
    if (!merge) out += text;
    else if (steps === 0) {
      steps = 1;
      sum = k;
      first = text;
    } else {
      steps++;
      sum += k;
      ws = '';
    }
  };
  // (read by character codes: the run matched ELEMs and whitespace, so each element is known by its first character)
  const n = m.length;
  for (let i = 0; i < n; ) {
    const c = m.charCodeAt(i);
    if (c === 0x66) {
      // `fuel += <k>;`, `fuel -= <k>;`, or a prepaid edge `fuel += \u0004<block>\u0004;`
      let j = i + 8;
      let k = 0;
      if (m.charCodeAt(j) === 4) {
        for (let d = m.charCodeAt(++j); d !== 4; d = m.charCodeAt(++j)) k = k * 10 + d - 0x30;
        const p = f.paidAhead(k);
        if (p !== 0) add(step(p), p);
        i = j + 2;
      } else {
        for (let d = m.charCodeAt(j); d !== 0x3b; d = m.charCodeAt(++j)) k = k * 10 + d - 0x30;
        add(m.slice(i, j + 1), m.charCodeAt(i + 5) === 0x2d ? -k : k);
        i = j + 1;
      }
    } else if (c === 0x0e) {
      // a back edge `\u000e<label>\u000e` (fuel not counted: there are none, and one would stay as it is)
      const j = m.indexOf('\u000e', i + 1);
      if (f.backEdge === null) out += m.slice(i, j + 1);
      else {
        const b = f.backEdge(m.slice(i + 1, j));
        if (b > 0) add(`fuel -= ${b};`, -b);
      }
      i = j + 1;
    } else if (c === 5 || c === 7) {
      // a counted loop's site: nothing
      let j = i + 1;
      while (m.charCodeAt(j) <= 0x39 && m.charCodeAt(j) >= 0x30) j++;
      i = j + 1;
    } else if (c === 1 || c === 2 || c === 6) {
      const text = marker(c);
      if (text !== '') {
        flush();
        out += text;
      }
      i++;
    } else {
      // whitespace, up to the next element
      let j = i + 1;
      for (let d = m.charCodeAt(j); j < n && d !== 0x66 && d !== 0x0e && (d < 1 || d > 7 || d === 3 || d === 4); d = m.charCodeAt(++j));
      const w = m.slice(i, j);
      if (steps > 0) ws += w;
      else out += w;
      i = j;
    }
  }
  flush();
  return out;
}
