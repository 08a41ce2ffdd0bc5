/**
 * The pipeline's layering (docs/architecture.md): a stage imports only from
 * stages below it, so each can be read, changed and tested on its own.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** Each stage's rank: a file may import from its own stage and from stages of a lower rank. */
export const RANKS: Record<string, number> = {
  core: 0,
  decoder: 1,
  validate: 2,
  encoder: 2,
  text: 3,
  'runtime/objects': 3,
  interp: 4,
  jit: 5,
  runtime: 6,
  host: 7,
  facade: 8,
  spec: 8,
  snapshot: 8,
  cli: 9,
};

function stageOf(rel: string): string | null {
  const p = rel.split('/');
  if (p.length < 2) return null; // src/index.ts and the like: the package's entries
  if (p[0] === 'runtime' && p[1] === 'objects') return 'runtime/objects';
  return p[0]!;
}

function files(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) files(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** Every import (static, re-export or dynamic) that runs against the layering, as "from -> to". */
export function violations(): string[] {
  const bad: string[] = [];
  for (const f of files(SRC)) {
    const rel = relative(SRC, f).replace(/\\/g, '/');
    const st = stageOf(rel);
    if (st === null) continue;
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/(?:from|import\()\s*'(\.[^']+)'/g)) {
      const to = relative(SRC, resolve(dirname(f), m[1]!)).replace(/\\/g, '/');
      const ts = stageOf(to);
      if (ts === null) {
        bad.push(`${rel} -> ${to} (a package entry)`);
        continue;
      }
      if (ts === st) continue;
      if (!(st in RANKS) || !(ts in RANKS)) bad.push(`${rel} -> ${to} (a folder with no rank)`);
      else if (RANKS[ts]! >= RANKS[st]!) bad.push(`${rel} -> ${to}`);
    }
  }
  return bad;
}

describe('layering', () => {
  test('every folder of src/ has a rank', () => {
    const folders = new Set(files(SRC).map((f) => stageOf(relative(SRC, f).replace(/\\/g, '/'))).filter((s) => s !== null));
    expect([...folders].filter((s) => !(s! in RANKS))).toEqual([]);
  });
  test('no import runs against the layering', () => {
    expect(violations()).toEqual([]);
  });
  test('src/core imports nothing from another folder', () => {
    expect(violations().filter((v) => v.startsWith('core/'))).toEqual([]);
    const core = files(join(SRC, 'core'));
    for (const f of core) expect(readFileSync(f, 'utf8')).not.toMatch(/from '\.\.\//);
  });
});
