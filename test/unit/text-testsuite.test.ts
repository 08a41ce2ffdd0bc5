/**
 * Acceptance of the text parser against the official testsuite
 * ($WASMETER_TESTSUITE, else ../shared/testsuite beside the package; skipped without it):
 *  - every .wast parses as a script;
 *  - every module that is not expected malformed encodes to bytes;
 *  - `assert_malformed` text modules are rejected by our parser;
 *  - differential validation against Node's own WebAssembly.validate for
 *    modules that use only features Node 20 supports.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import type { Module } from '../../src/core/module.js';
import { encodeModule } from '../../src/encoder/encode.js';
import { suiteOrNull } from '../../src/spec/suite.js';
import { parseScript, type Command, type Script } from '../../src/text/index.js';
import { node20Unsupported } from './text-features.js';

const ROOT = suiteOrNull();

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.wast') ? [p] : [];
  });
}

const files = ROOT !== null ? walk(ROOT).sort() : [];
const scripts = new Map<string, Script>();
const parseErrors: string[] = [];
// the parser's speed is measured by `npm run bench -- startup` (text parse of the whole testsuite), not asserted here
const parseStart = performance.now();
for (const f of files) {
  const name = f.slice(ROOT!.length + 1);
  try {
    scripts.set(name, parseScript(readFileSync(f), name));
  } catch (e) {
    parseErrors.push(`${name}: ${(e as Error).message}`);
  }
}
const parseMs = performance.now() - parseStart;

function* commands(cs: Command[]): Generator<Command> {
  for (const c of cs) {
    if (c.type === 'thread') yield* commands(c.commands);
    else yield c;
  }
}
function* allCommands(): Generator<[string, Command]> {
  for (const [name, s] of scripts) for (const c of commands(s.commands)) yield [name, c];
}

/**
 * assert_malformed text modules we accept, with the reason. All are
 * outside the core text grammar's responsibility or stale proposal copies.
 */
const MALFORMED_EXCEPTIONS: Record<string, string> = {
  'proposals/threads/memory.wast:83':
    'stale pre-3.0 copy: limits above 2^32 are malformed there, but invalid in the current spec (memory.wast:77)',
  'proposals/threads/memory.wast:87': 'stale pre-3.0 copy (as above)',
  'proposals/threads/memory.wast:91': 'stale pre-3.0 copy (as above)',
};

/** Script expectations that contradict the current spec (and Node). */
const DIFFERENTIAL_EXCEPTIONS: Record<string, string> = {
  'proposals/threads/imports.wast:309': 'stale pre-2.0 copy: "multiple tables" is valid since reference types',
  'proposals/threads/imports.wast:313': 'stale pre-2.0 copy: "multiple tables" is valid since reference types',
  'proposals/threads/imports.wast:317': 'stale pre-2.0 copy: "multiple tables" is valid since reference types',
};

describe.skipIf(files.length === 0)('testsuite scripts', () => {
  it('finds the testsuite', () => {
    expect(files.length).toBeGreaterThanOrEqual(288);
  });

  it('parses every .wast file as a script', () => {
    expect(parseErrors).toEqual([]);
    expect(scripts.size).toBe(files.length);
    let modules = 0;
    for (const [, c] of allCommands()) if (c.type === 'module') modules++;
    console.log(`[text] ${scripts.size} scripts parsed in ${parseMs.toFixed(0)} ms, ${modules} module commands`);
    expect(modules).toBeGreaterThan(2400);
  });

  it('encodes every module that is expected to be well-formed', () => {
    let encoded = 0;
    const failures: string[] = [];
    const enc = (name: string, line: number, get: () => Module, invalidCustom = false): void => {
      try {
        const bytes = encodeModule(get());
        expect(bytes.length).toBeGreaterThanOrEqual(8);
        encoded++;
      } catch (e) {
        // a branch hint on an instruction other than if/br_if is found invalid while the text is parsed
        if (invalidCustom && e instanceof ValidationError) return;
        failures.push(`${name}:${line}: ${(e as Error).message}`);
      }
    };
    for (const [name, c] of allCommands()) {
      switch (c.type) {
        case 'module':
        case 'assert_unlinkable':
        case 'assert_uninstantiable':
        case 'assert_invalid':
        case 'assert_invalid_custom': {
          const s = c.source;
          const ic = c.type === 'assert_invalid_custom';
          if (s.kind === 'text') enc(name, c.line, () => s.module, ic);
          else if (s.kind === 'lazy' || s.kind === 'quote') enc(name, c.line, s.parse, ic);
          break;
        }
      }
    }
    console.log(`[text] encoded ${encoded} modules`);
    expect(failures).toEqual([]);
    expect(encoded).toBeGreaterThan(5000);
  });

  it('rejects assert_malformed text modules', () => {
    let rejected = 0;
    const accepted: string[] = [];
    const wrongError: string[] = [];
    for (const [name, c] of allCommands()) {
      if (c.type !== 'assert_malformed' && c.type !== 'assert_malformed_custom') continue;
      const s = c.source;
      if (s.kind === 'binary' || s.kind === 'text') continue;
      const key = `${name}:${c.line}`;
      try {
        s.parse();
        if (!(key in MALFORMED_EXCEPTIONS)) accepted.push(`${key} (${c.message})`);
      } catch (e) {
        if (e instanceof Error && e.name === 'TextError') rejected++;
        else wrongError.push(`${key}: ${String(e)}`);
        if (key in MALFORMED_EXCEPTIONS) accepted.push(`${key} listed as an exception but now rejected`);
      }
    }
    console.log(`[text] assert_malformed text modules rejected: ${rejected}`);
    expect(wrongError).toEqual([]);
    expect(accepted).toEqual([]);
    expect(rejected).toBeGreaterThan(1200);
  });

  it('parses assert_invalid text modules (invalidity is the validator\'s job)', () => {
    const failures: string[] = [];
    for (const [name, c] of allCommands()) {
      if (c.type !== 'assert_invalid') continue;
      const s = c.source;
      if (s.kind !== 'lazy' && s.kind !== 'quote') continue;
      try {
        s.parse();
      } catch (e) {
        failures.push(`${name}:${c.line}: ${(e as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('agrees with Node\'s WebAssembly.validate on modules within Node 20 features', () => {
    let valid = 0;
    let invalid = 0;
    let skipped = 0;
    const disagreements: string[] = [];
    const check = (name: string, line: number, m: Module, expectValid: boolean): void => {
      const key = `${name}:${line}`;
      if (node20Unsupported(m) !== null) {
        skipped++;
        return;
      }
      const ok = WebAssembly.validate(encodeModule(m));
      if (key in DIFFERENTIAL_EXCEPTIONS) {
        // still checked: the exception must really be a disagreement
        if (ok === expectValid) disagreements.push(`${key} listed as an exception but agrees`);
        return;
      }
      if (ok === expectValid) {
        if (ok) valid++;
        else invalid++;
      } else disagreements.push(`${key}: script expects ${expectValid ? 'valid' : 'invalid'}`);
    };
    for (const [name, c] of allCommands()) {
      switch (c.type) {
        case 'module':
        case 'assert_unlinkable':
        case 'assert_uninstantiable':
          if (c.source.kind === 'text') check(name, c.line, c.source.module, true);
          else if (c.source.kind === 'quote') check(name, c.line, c.source.parse(), true);
          break;
        case 'assert_invalid':
          if (c.source.kind === 'lazy' || c.source.kind === 'quote') {
            check(name, c.line, c.source.parse(), false);
          }
          break;
      }
    }
    console.log(`[text] differential vs Node: ${valid} valid + ${invalid} invalid agree, ${skipped} skipped (features beyond Node 20)`);
    expect(disagreements).toEqual([]);
    expect(valid).toBeGreaterThan(1900);
    expect(invalid).toBeGreaterThan(2000);
  });
});
