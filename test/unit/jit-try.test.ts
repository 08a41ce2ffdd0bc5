/**
 * The JS tier generates functions with exception handlers (try_table, the
 * legacy try/catch/catch_all/delegate, throw, throw_ref, rethrow): a call or
 * throw inside a try is caught by the generated code, which writes its frame
 * and hands it to the interpreter at the handler's target (rt.ts catchHere).
 * Results, fuel, stops and resumption, peaks and uncaught exceptions must be
 * the interpreter's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runScript } from '../../src/spec/runner.js';
import { suiteOrNull } from '../../src/spec/suite.js';
import { jitStats } from '../../src/interp/tier.js';

const ROOT = suiteOrNull();
const SCRIPTS = ['throw.wast', 'throw_ref.wast', 'try_table.wast', 'tag.wast', 'legacy/throw.wast', 'legacy/try_catch.wast', 'legacy/try_delegate.wast', 'legacy/rethrow.wast'];
/** Decline reasons that name exception handling (none may remain). */
const EXN_REASONS = /^(try|try_table|catch|catch_all|delegate|throw|throw_ref|rethrow)$/;

describe.skipIf(ROOT === null)('spec scripts of exception handling, both tiers, normal and starved', () => {
  for (const name of SCRIPTS) {
    test(name, () => {
      const src = readFileSync(join(ROOT!, name));
      const gen0 = jitStats.withHandlers;
      const runs = [runScript(src, name, { tier: 'js' }), runScript(src, name, { tier: 'js', starved: true }), runScript(src, name, { tier: 'interp' }), runScript(src, name, { tier: 'interp', starved: true })];
      for (const r of runs) {
        expect(r.failures, name).toEqual([]);
        expect(r.passed).toBe(runs[0]!.passed);
      }
      expect(runs[0]!.passed).toBeGreaterThan(0);
      if (name !== 'tag.wast' && name !== 'legacy/throw.wast' && name !== 'throw.wast') expect(jitStats.withHandlers).toBeGreaterThan(gen0);
      for (const why of jitStats.declined.keys()) expect(why).not.toMatch(EXN_REASONS);
    });
  }
});
