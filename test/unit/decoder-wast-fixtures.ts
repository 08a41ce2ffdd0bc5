/**
 * Extracts the binary-module cases of the official testsuite's .wast scripts:
 * `(assert_malformed (module binary ...) "msg")` and plain `(module binary ...)`.
 * Test support only (a tiny s-expression scanner, not the text-format parser).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { findSuite } from '../../src/spec/suite.js';

export interface BinaryCase {
  file: string;
  line: number;
  bytes: Uint8Array;
  /** Expected message for assert_malformed, or null for a well-formed module. */
  malformed: string | null;
}

export const TESTSUITE = findSuite();

function walk(dir: string, out: string[]): void {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (f.endsWith('.wast')) out.push(p);
  }
}

function parseString(src: string, i: number, out: number[]): number {
  // src[i] === '"'
  i++;
  while (src[i] !== '"') {
    const c = src[i]!;
    if (c === '\\') {
      const n = src[i + 1]!;
      if (/[0-9a-fA-F]/.test(n)) {
        out.push(parseInt(src.slice(i + 1, i + 3), 16));
        i += 3;
        continue;
      }
      const esc: Record<string, number> = { n: 10, t: 9, r: 13, '"': 34, "'": 39, '\\': 92 };
      if (n === 'u') {
        const close = src.indexOf('}', i);
        const cp = parseInt(src.slice(i + 3, close), 16);
        for (const b of new TextEncoder().encode(String.fromCodePoint(cp))) out.push(b);
        i = close + 1;
        continue;
      }
      out.push(esc[n] ?? n.charCodeAt(0));
      i += 2;
      continue;
    }
    const cp = src.codePointAt(i)!;
    const s = String.fromCodePoint(cp);
    for (const b of new TextEncoder().encode(s)) out.push(b);
    i += s.length;
  }
  return i + 1;
}

/** Index just past the s-expression starting at src[i] === '('. */
function skipSexpr(src: string, i: number): number {
  let depth = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '"') {
      i = parseString(src, i, []);
      continue;
    }
    if (c === ';' && src[i + 1] === ';') {
      i = src.indexOf('\n', i);
      if (i < 0) return src.length;
      continue;
    }
    if (c === '(' && src[i + 1] === ';') {
      i = src.indexOf(';)', i) + 2;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return i;
}

/** Bytes of the strings directly inside `(module [$id] binary "..." ...)` starting at i. */
function moduleBinary(src: string, i: number, end: number): Uint8Array | null {
  const head = /^\(module(\s+\$[^\s()]+)?\s+binary\b/.exec(src.slice(i, i + 200));
  if (!head) return null;
  const out: number[] = [];
  let p = i + head[0].length;
  while (p < end) {
    const c = src[p]!;
    if (c === '"') p = parseString(src, p, out);
    else if (c === ';' && src[p + 1] === ';') p = src.indexOf('\n', p);
    else if (c === '(' && src[p + 1] === ';') p = src.indexOf(';)', p) + 2;
    else p++;
  }
  return Uint8Array.from(out);
}

export function binaryCases(filter: (file: string) => boolean = () => true): BinaryCase[] {
  const files: string[] = [];
  walk(TESTSUITE, files);
  const out: BinaryCase[] = [];
  for (const file of files.sort()) {
    if (!filter(file)) continue;
    const src = readFileSync(file, 'utf8');
    const lineStarts: number[] = [0];
    for (let k = 0; k < src.length; k++) if (src.charCodeAt(k) === 10) lineStarts.push(k + 1);
    const lineOf = (pos: number): number => {
      let lo = 0;
      let hi = lineStarts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (lineStarts[mid]! <= pos) lo = mid;
        else hi = mid - 1;
      }
      return lo + 1;
    };
    let i = 0;
    let depth = 0;
    while (i < src.length) {
      const c = src[i]!;
      if (c === '"') {
        i = parseString(src, i, []);
        continue;
      }
      if (c === ';' && src[i + 1] === ';') {
        const n = src.indexOf('\n', i);
        i = n < 0 ? src.length : n;
        continue;
      }
      if (c === '(' && src[i + 1] === ';') {
        i = src.indexOf(';)', i) + 2;
        continue;
      }
      if (c === ')') {
        depth--;
        i++;
        continue;
      }
      if (c !== '(') {
        i++;
        continue;
      }
      const line = lineOf(i);
      if (depth === 0 && src.startsWith('(assert_malformed', i)) {
        const end = skipSexpr(src, i);
        const inner = src.indexOf('(module', i);
        if (inner >= 0 && inner < end) {
          const mend = skipSexpr(src, inner);
          const bytes = moduleBinary(src, inner, mend - 1);
          if (bytes) {
            const m = /"((?:[^"\\]|\\.)*)"\s*\)\s*$/.exec(src.slice(mend, end));
            out.push({ file, line, bytes, malformed: m ? m[1]! : '?' });
          }
        }
        i = end;
        continue;
      }
      if (depth === 0 && src.startsWith('(module', i)) {
        const end = skipSexpr(src, i);
        const bytes = moduleBinary(src, i, end - 1);
        if (bytes) out.push({ file, line, bytes, malformed: null });
        i = end;
        continue;
      }
      if (depth === 0 && (src.startsWith('(assert_', i) || src.startsWith('(register', i) || src.startsWith('(invoke', i) || src.startsWith('(get', i))) {
        i = skipSexpr(src, i);
        continue;
      }
      depth++;
      i++;
    }
  }
  return out;
}
