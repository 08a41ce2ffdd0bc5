/** Spec runner options: which scripts decode the custom-page-sizes limits flag, which run under Wasm 1.0 + threads. */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScript } from '../../src/spec/runner.js';
import { needsCustomPageSizes, proposalOf } from '../../src/spec/suite.js';
import { featuresFor } from '../../src/spec/names.js';

// memory section: one memory, limits flag 0x08 (custom page size), min 0, page size 2^0
const CUSTOM_PAGE_MEMORY = '(module binary "\\00asm" "\\01\\00\\00\\00" "\\05\\04\\01\\08\\00\\00")';
const MALFORMED = `(assert_malformed ${CUSTOM_PAGE_MEMORY} "malformed limits flags")`;

describe('spec runner: custom page sizes', () => {
  it('groups scripts by proposal folder', () => {
    expect(proposalOf('binary.wast')).toBeNull();
    expect(proposalOf(resolve('testsuite', 'binary.wast'))).toBeNull();
    expect(proposalOf('proposals/custom-page-sizes/binary.wast')).toBe('custom-page-sizes');
    expect(proposalOf(resolve('testsuite', 'proposals', 'threads', 'atomic.wast'))).toBe('threads');
    expect(proposalOf(['D:', 'suite', 'proposals', 'threads', 'atomic.wast'].join('\\'))).toBe('threads');
    expect(needsCustomPageSizes('binary.wast')).toBe(false);
    expect(needsCustomPageSizes('proposals/threads/memory.wast')).toBe(false);
    expect(needsCustomPageSizes(resolve('proposals', 'custom-page-sizes', 'memory_max.wast'))).toBe(true);
    // a suite below an unrelated proposals/ folder: only the script's own folder counts
    const clone = resolve('proposals', 'my-fork', 'testsuite');
    expect(proposalOf(`${clone}/binary.wast`)).toBeNull();
    expect(proposalOf(`${clone}/proposals/threads/atomic.wast`)).toBe('threads');
  });

  it('a core script finds the flag malformed', () => {
    const r = runScript(MALFORMED, 'binary.wast');
    expect([r.passed, r.failed]).toEqual([1, 0]);
    const asModule = runScript(CUSTOM_PAGE_MEMORY, 'memory.wast');
    expect(asModule.failed).toBe(1);
    expect(asModule.failures[0]!.reason).toContain('malformed limits flags');
  });

  it('a custom-page-sizes proposal script decodes it', () => {
    const r = runScript(CUSTOM_PAGE_MEMORY, 'proposals/custom-page-sizes/custom-page-sizes.wast');
    expect([r.passed, r.failed]).toEqual([1, 0]);
    const m = runScript(MALFORMED, 'proposals/custom-page-sizes/binary.wast');
    expect(m.failed).toBe(1);
    expect(m.failures[0]!.reason).toContain('but it decoded');
  });

  it('the option overrides the folder', () => {
    expect(runScript(CUSTOM_PAGE_MEMORY, 'memory.wast', { customPageSizes: true }).passed).toBe(1);
    expect(runScript(MALFORMED, 'proposals/custom-page-sizes/binary.wast', { customPageSizes: false }).passed).toBe(1);
  });
});

describe('spec runner: the threads proposal runs under Wasm 1.0 + threads', () => {
  // what the threads proposal's scripts expect (imports.wast, memory.wast): a shared memory, and 1.0's rules
  const SCRIPT = `
    (module (memory 1 2 shared) (func (export "f") (result i32) (i32.atomic.rmw.add (i32.const 0) (i32.const 3))))
    (assert_return (invoke "f") (i32.const 0))
    (assert_invalid (module (memory 0) (memory 0)) "multiple memories")
    (assert_invalid (module (table 0 funcref) (table 0 funcref)) "multiple tables")
    (assert_malformed (module quote "(memory 0x1_0000_0000)") "i32 constant out of range")`;

  it('picks the profile by folder', () => {
    expect(featuresFor(resolve('testsuite', 'proposals', 'threads', 'memory.wast'))).toEqual({ profile: '1.0', threads: true });
    expect(featuresFor('memory.wast')).toBeUndefined();
    expect(featuresFor('proposals/custom-page-sizes/memory_max.wast')).toBeUndefined();
  });

  it('so the scripts pass in both tiers and starved, and fail as Wasm 3.0 scripts', () => {
    for (const opts of [{}, { tier: 'interp' as const }, { starved: true }]) {
      const r = runScript(SCRIPT, 'proposals/threads/memory.wast', opts);
      expect(r.failures).toEqual([]);
      expect([r.passed, r.skipped]).toEqual([5, 0]);
    }
    const core = runScript(SCRIPT, 'memory.wast');
    expect(core.failures.map((f) => f.kind)).toEqual(['assert_invalid', 'assert_invalid', 'assert_malformed']);
    // the option overrides the folder
    expect(runScript(SCRIPT, 'proposals/threads/memory.wast', { features: '3.0' }).failed).toBe(1); // the script's text does not parse
  });
});
