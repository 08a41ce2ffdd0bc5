/**
 * wasmeter's own functions keep the code V8's optimizing compiler made for them in a first run (BENCHMARKS.md,
 * session 19, helper deopt19). own-deopts.child.ts runs each past the point where its optimised code used to be
 * thrown away, in a child process under `--trace-deopt-verbose --no-concurrent-recompilation` (V8's compiles at fixed
 * points: the same bailouts in every run); this test finds each bailout's source position in the child's bundle and
 * fails when one is inside a function checked here:
 * - keeps-views.ts `scan` (and `unsafeBody`): its loop over a large module's bodies was compiled on-stack, and the
 *   code was thrown away after the loop or at the first unsafe body (the first operations there never ran before);
 * - outline.ts `parse`: the same, at its test after the loop over the braces;
 * - the translator's `op`: at the first fusion whose first op traps (a store of its own, first made late);
 * - LoopScan's `instr`: at the first br_table of DISPATCH_TARGETS targets in a loop (likewise);
 * - the translator's `instr`: at `env.costs`, the environment a spread of the instance's, whose clones changed map after
 *   the first few (machine.ts translate).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { expect, test } from 'vitest';

/** The lines [first, last] (1-based) of the function or method whose header is the first line starting with `header` after the line starting with `after` (the part of the bundle its source file begins). */
function span(lines: string[], header: string, after: string): [number, number] {
  let i = lines.findIndex((l) => l.startsWith(after));
  expect(i, after).toBeGreaterThanOrEqual(0);
  while (i < lines.length && !lines[i]!.startsWith(header)) i++;
  expect(i, header).toBeLessThan(lines.length);
  const close = /^\s*/.exec(lines[i]!)![0] + '}';
  let j = i + 1;
  while (j < lines.length && lines[j] !== close && lines[j] !== close + ';') j++;
  return [i + 1, j + 1];
}

/** The lines from `first` to the end of its source file in the bundle. */
function toFileEnd(lines: string[], first: number): [number, number] {
  const next = lines.findIndex((l, k) => k >= first && l.startsWith('// src/'));
  return [first, next < 0 ? lines.length : next];
}

test("wasmeter's own functions keep their optimised code past a first run's late paths", async () => {
  const work = mkdtempSync(join(tmpdir(), 'wasmeter-own-deopts-'));
  try {
    const out = join(work, 'child.mjs');
    await build({ entryPoints: [fileURLToPath(new URL('./own-deopts.child.ts', import.meta.url))], bundle: true, platform: 'node', format: 'esm', outfile: out, logLevel: 'error' });
    const r = spawnSync(process.execPath, ['--trace-deopt-verbose', '--no-concurrent-recompilation', out], { encoding: 'utf8', maxBuffer: 1 << 30 });
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(/^result (.*)$/m.exec(r.stdout)![1]!) as { keeps: boolean[]; outlined: number; sum: number; late: number };
    expect(got.keeps).toEqual([true, true, false, false]);
    expect(got.outlined).toBeGreaterThan(1);
    expect(got.sum).toBe(1800);
    expect(got.late).toBe(0);
    const lines = readFileSync(out, 'utf8').split('\n');
    const checked = {
      // (from scan to the end of its file: unsafeBody follows it)
      'keeps-views scan': toFileEnd(lines, span(lines, 'function scan(vm)', '// src/jit/keeps-views.ts')[0]),
      'outline parse': span(lines, 'function parse(src)', '// src/jit/outline.ts'),
      "the translator's op": span(lines, '  op(op) {', '// src/interp/translate-state.ts'),
      "LoopScan's instr": span(lines, '  instr(ins, v) {', 'var LoopScan = class'),
      "the translator's instr": span(lines, '  instr(ins, v) {', 'var Translator = class'),
    };
    // each bailout's innermost position (the first of "deoptimize at <...:line:col> inlined at ...")
    const text = r.stdout.split('\n');
    const hits: string[] = [];
    let bailouts = 0;
    for (let i = 0; i < text.length; i++) {
      if (!text[i]!.startsWith('[bailout (')) continue;
      bailouts++;
      for (let j = i + 1; j < i + 4 && j < text.length && !text[j]!.startsWith('[bailout'); j++) {
        const m = /deoptimize at <file:[^>]*child\.mjs:(\d+):\d+>/.exec(text[j]!);
        if (m === null) continue;
        const at = Number(m[1]);
        for (const [name, [a, b]] of Object.entries(checked)) if (at >= a && at <= b) hits.push(`${name}: ${text[i]!.slice(0, 100)} at ${lines[at - 1]!.trim()}`);
        break;
      }
    }
    expect(bailouts).toBeGreaterThan(0); // (the trace is read: V8 throws other functions' code away here)
    expect(hits).toEqual([]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}, 120_000);
