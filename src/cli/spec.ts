/**
 * `wasmeter spec`: runs spec test scripts (the text parser, the spec runner, cli-progress).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import cliProgress from 'cli-progress';
import type { FeatureSpec } from '../core/instructions.js';
import { runScript, type FileResult } from '../spec/runner.js';
import { findSuite, listWast, SuiteNotFound } from '../spec/suite.js';
import { EXIT, UsageError, pad, padL, readInput, usage } from './common.js';
import { pc } from './colour.js';

export interface SpecOptions {
  features?: FeatureSpec;
  json?: boolean;
  filter?: string;
  fuel?: number;
  starved?: boolean;
}


/** The directory that every file lies under (the table shows paths relative to it). */
function commonDir(files: readonly string[]): string {
  if (files.length === 0) return '';
  let parts = dirname(resolve(files[0]!)).split(sep);
  for (const f of files) {
    const q = dirname(resolve(f)).split(sep);
    let i = 0;
    while (i < parts.length && i < q.length && parts[i] === q[i]) i++;
    parts = parts.slice(0, i);
  }
  return parts.join(sep) || sep;
}

/** A table cell of at most `max` characters: a longer path keeps its end (the file name), after '…'. */
function fit(s: string, max: number): string {
  return s.length <= max ? s : '…' + s.slice(s.length - max + 1);
}

/** Progress over the files of a spec run: a bar on a TTY, else a plain line at every tenth (stderr). */
function specProgress(total: number, tty: boolean): { file(done: number, name: string): void; stop(): void } {
  if (tty) {
    const bar = new cliProgress.SingleBar(
      { format: ' {bar} {value}/{total} files | {file}', hideCursor: true, clearOnComplete: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { file: '' });
    return { file: (done, name) => bar.update(done, { file: name }), stop: () => bar.stop() };
  }
  let shown = 0;
  return {
    file: (done) => {
      const tenth = Math.floor((done * 10) / total);
      if (tenth > shown) {
        shown = tenth;
        process.stderr.write(`spec: ${done}/${total} files\n`);
      }
    },
    stop: () => undefined,
  };
}

/** Files a spec run shows progress for: fewer finish too fast to need it. */
const PROGRESS_FROM = 10;

export function runSpec(paths: string[], opts: SpecOptions): number {
  let roots = paths;
  if (roots.length === 0) {
    try {
      roots = [findSuite()];
    } catch (e) {
      if (e instanceof SuiteNotFound) {
        process.stderr.write(`${e.message}\n`);
        return EXIT.usage;
      }
      throw e;
    }
  }
  let files: string[];
  try {
    for (const r of roots) if (!existsSync(r)) readInput(r); // the same one-line error as every command
    files = listWast(roots);
  } catch (e) {
    if (e instanceof UsageError) return usage(e, 'spec');
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.usage;
  }
  if (opts.filter !== undefined) files = files.filter((f) => f.includes(opts.filter!));
  const base = commonDir(files);
  const shown = (f: string): string => relative(base, resolve(f)) || f;
  const progress = opts.json || files.length < PROGRESS_FROM ? null : specProgress(files.length, process.stderr.isTTY === true);
  const results: FileResult[] = [];
  for (const f of files) {
    progress?.file(results.length, shown(f));
    let r: FileResult;
    try {
      r = runScript(new Uint8Array(readFileSync(f)), f, {
        ...(opts.fuel !== undefined ? { fuelPerAction: opts.fuel } : {}),
        starved: opts.starved === true,
        ...(opts.features !== undefined ? { features: opts.features } : {}),
      });
    } catch (e) {
      r = {
        file: f,
        passed: 0,
        failed: 1,
        skipped: 0,
        parsed: true,
        failures: [{ line: 0, kind: 'script', reason: `runner crashed: ${e instanceof Error ? e.message : String(e)}` }],
        skips: [],
        kinds: {},
        ms: 0,
      };
    }
    results.push(r);
    progress?.file(results.length, shown(f));
  }
  progress?.stop();
  const totals = { passed: 0, failed: 0, skipped: 0 };
  for (const r of results) {
    totals.passed += r.passed;
    totals.failed += r.failed;
    totals.skipped += r.skipped;
  }
  if (opts.json) {
    const out = {
      totals,
      files: results.map((r) => ({
        file: r.file,
        passed: r.passed,
        failed: r.failed,
        skipped: r.skipped,
        parsed: r.parsed,
        failures: r.failures.map((x) => ({ line: x.line, kind: x.kind, reason: x.reason })),
      })),
    };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  } else {
    const MAX = 60;
    const w = Math.max(5, ...results.map((r) => fit(shown(r.file), MAX).length));
    const lines: string[] = [];
    if (base !== '' && files.length > 1) lines.push(pc.dim(`in ${base}`));
    lines.push(pc.bold(`${pad('file', w)}  ${padL('passed', 7)}  ${padL('failed', 7)}  ${padL('skipped', 7)}`));
    for (const r of results) {
      const cell = pad(fit(shown(r.file), MAX), w);
      const name = r.parsed ? cell : cell + pc.red(' (parse error)');
      const failed = r.failed > 0 ? pc.red(padL(String(r.failed), 7)) : pc.dim(padL('0', 7));
      const passed = r.failed === 0 ? pc.green(padL(String(r.passed), 7)) : padL(String(r.passed), 7);
      const skipped = r.skipped > 0 ? pc.yellow(padL(String(r.skipped), 7)) : pc.dim(padL('0', 7));
      lines.push(`${name}  ${passed}  ${failed}  ${skipped}`);
    }
    lines.push(
      pc.bold(
        `${pad('total', w)}  ${pc.green(padL(String(totals.passed), 7))}  ${(totals.failed ? pc.red : pc.dim)(padL(String(totals.failed), 7))}  ${padL(String(totals.skipped), 7)}`,
      ),
    );
    if (files.length <= 20 && totals.failed > 0) {
      // few files: show the first failures too
      const LIMIT = 40;
      let shown = 0;
      for (const r of results)
        for (const f of r.failures) {
          if (shown++ < LIMIT) lines.push(pc.red(`  ${r.file}:${f.line}: ${f.kind}: ${f.reason}`));
        }
      if (shown > LIMIT) lines.push(pc.dim(`  ... and ${shown - LIMIT} more failures (--json lists them all)`));
    }
    process.stdout.write(lines.join('\n') + '\n');
  }
  return totals.failed === 0 ? 0 : 1;
}
