/** Spec runner options: which scripts decode the custom-page-sizes limits flag. */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScript } from '../../src/spec/runner.js';
import { needsCustomPageSizes, proposalOf } from '../../src/spec/suite.js';

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
