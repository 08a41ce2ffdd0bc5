/**
 * The `wasmeter` command line: `spec`, `validate`, `run`.
 */
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import cliProgress from 'cli-progress';
import pc from 'picocolors';
import { DecodeError, OutOfFuel, ResourceLimitError, TextError, Trap, Unsupported, ValidationError, WasmeterError } from '../core/errors.js';
import { F32, F64, I32, I64, V128, valTypeName, type ValType } from '../core/types.js';
import { Linker } from '../host/linker.js';
import { RawF32, RawF64 } from '../interp/machine.js';
import { HostFunc, WasmFunc } from '../interp/runtime.js';
import { Module, Store } from '../interp/store.js';
import { runScript, type FileResult } from '../spec/runner.js';
import { findSuite, listWast, SuiteNotFound } from '../spec/suite.js';
import { watToBinary } from '../text/wat.js';

// ====================================================================== helpers

function isWasmBinary(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d;
}

/** Reads a .wasm or .wat file (by content: the binary magic, else text) and decodes + validates it. */
function loadModule(file: string): Module {
  const bytes = new Uint8Array(readFileSync(file));
  const bin = isWasmBinary(bytes) ? bytes : watToBinary(bytes, file);
  return Module.fromBinary(bin);
}

function describeError(e: unknown, file: string): string {
  if (e instanceof TextError) return `${e.file}:${e.line}:${e.column}: syntax error: ${e.reason}`;
  if (e instanceof DecodeError) return `${file}: malformed module at offset 0x${Math.max(e.offset, 0).toString(16)}: ${e.message}`;
  if (e instanceof ValidationError) {
    const where = [e.funcIndex >= 0 ? `function ${e.funcIndex}` : '', e.offset >= 0 ? `offset 0x${e.offset.toString(16)}` : '']
      .filter(Boolean)
      .join(', ');
    return `${file}: invalid module${where ? ` (${where})` : ''}: ${e.message}`;
  }
  if (e instanceof WasmeterError) return `${e.name}: ${e.message}`;
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** Parses a command-line argument as a value of type t. */
function parseArg(t: ValType, s: string): unknown {
  const bad = (): never => {
    throw new InvalidArgumentError(`'${s}' is not a valid ${valTypeName(t)}`);
  };
  switch (t) {
    case I32: {
      if (!/^[-+]?(0x[0-9a-f]+|\d+)$/i.test(s)) bad();
      const v = BigInt(s.replace(/^\+/, ''));
      if (v < -(2n ** 31n) || v >= 2n ** 32n) bad();
      return Number(BigInt.asIntN(32, v));
    }
    case I64: {
      if (!/^[-+]?(0x[0-9a-f]+|\d+)$/i.test(s)) bad();
      const neg = s.startsWith('-');
      const v = BigInt(s.replace(/^[-+]/, ''));
      return BigInt.asIntN(64, neg ? -v : v);
    }
    case F32:
    case F64: {
      const n = Number(s);
      if (Number.isNaN(n) && !/^[-+]?nan$/i.test(s)) bad();
      return n;
    }
    case V128: {
      // 16 bytes as hex (32 hex digits, little-endian byte order)
      const h = s.replace(/^0x/i, '');
      if (!/^[0-9a-f]{32}$/i.test(h)) bad();
      const out = new Uint8Array(16);
      for (let i = 0; i < 16; i++) out[i] = parseInt(h.slice(i * 2, i * 2 + 2), 16);
      return out;
    }
  }
  if (s === 'null') return null;
  return bad();
}

function formatResult(r: unknown): string {
  if (r instanceof RawF32) return String(new Float32Array(new Int32Array([r.bits]).buffer)[0]);
  if (r instanceof RawF64) return String(new Float64Array(new Int32Array([r.lo, r.hi]).buffer)[0]);
  if (typeof r === 'bigint' || typeof r === 'number') return String(r);
  if (r instanceof Uint8Array) return '0x' + Array.from(r, (b) => b.toString(16).padStart(2, '0')).join('');
  if (r === null) return 'null';
  if (r instanceof WasmFunc || r instanceof HostFunc) return 'funcref';
  return String(r);
}

// ====================================================================== spec

interface SpecOptions {
  json?: boolean;
  filter?: string;
  fuel?: number;
  starved?: boolean;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}
function padL(s: string, n: number): string {
  return s.length >= n ? s : ' '.repeat(n - s.length) + s;
}

function runSpec(paths: string[], opts: SpecOptions): number {
  let roots = paths;
  if (roots.length === 0) {
    try {
      roots = [findSuite()];
    } catch (e) {
      if (e instanceof SuiteNotFound) {
        process.stderr.write(`${e.message}\n`);
        return 2;
      }
      throw e;
    }
  }
  let files: string[];
  try {
    files = listWast(roots);
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  if (opts.filter !== undefined) files = files.filter((f) => f.includes(opts.filter!));
  const tty = !opts.json && process.stderr.isTTY === true;
  const bar = tty
    ? new cliProgress.SingleBar(
        { format: ' {bar} {value}/{total} files | {file}', hideCursor: true, clearOnComplete: true },
        cliProgress.Presets.shades_classic,
      )
    : null;
  bar?.start(files.length, 0, { file: '' });
  const results: FileResult[] = [];
  for (const f of files) {
    bar?.update(results.length, { file: f });
    let r: FileResult;
    try {
      r = runScript(new Uint8Array(readFileSync(f)), f, {
        ...(opts.fuel !== undefined ? { fuelPerAction: opts.fuel } : {}),
        starved: opts.starved === true,
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
    bar?.increment(1, { file: f });
  }
  bar?.stop();
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
    const w = Math.min(60, Math.max(4, ...results.map((r) => r.file.length)));
    const lines: string[] = [];
    lines.push(pc.bold(`${pad('file', w)}  ${padL('passed', 7)}  ${padL('failed', 7)}  ${padL('skipped', 7)}`));
    for (const r of results) {
      const name = r.parsed ? pad(r.file, w) : pad(r.file, w) + pc.red(' (parse error)');
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

// ====================================================================== validate / run

function runValidate(file: string): number {
  try {
    loadModule(file);
  } catch (e) {
    process.stdout.write(`${describeError(e, file)}\n`);
    return 1;
  }
  process.stdout.write('ok\n');
  return 0;
}

interface RunOpts {
  invoke: string;
  fuel?: number;
  stats?: boolean;
}

function runRun(file: string, args: string[], opts: RunOpts): number {
  let module: Module;
  try {
    module = loadModule(file);
  } catch (e) {
    process.stderr.write(`${describeError(e, file)}\n`);
    return 1;
  }
  const store = new Store(opts.fuel !== undefined ? { fuel: opts.fuel } : {});
  const report = (): void => {
    if (!opts.stats) return;
    const p = store.peaks;
    process.stdout.write(
      `fuel consumed: ${store.fuelConsumed}\n` +
        `peak memory bytes: ${p.memoryBytes}\npeak value stack bytes: ${p.valueStackBytes}\n` +
        `peak call depth: ${p.callDepth}\npeak table elements: ${p.tableElements}\n`,
    );
  };
  try {
    const inst = new Linker().instantiate(store, module);
    const f = inst.raw.exports.get(opts.invoke);
    if (!(f instanceof WasmFunc || f instanceof HostFunc)) {
      process.stderr.write(`no exported function '${opts.invoke}'\n`);
      return 1;
    }
    const params = f.type.params;
    if (args.length !== params.length) {
      process.stderr.write(`${opts.invoke} expects ${params.length} argument(s) (${params.map(valTypeName).join(', ')}), got ${args.length}\n`);
      return 1;
    }
    const values = params.map((t, i) => parseArg(t, args[i]!));
    const results = store.invoke(f, values, true);
    for (const r of results) process.stdout.write(`${formatResult(r)}\n`);
    report();
    return 0;
  } catch (e) {
    if (e instanceof InvalidArgumentError) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    const kind =
      e instanceof OutOfFuel
        ? 'out of fuel'
        : e instanceof Trap
          ? 'trap'
          : e instanceof Unsupported
            ? 'unsupported'
            : e instanceof ResourceLimitError
              ? 'resource limit'
              : e instanceof WasmeterError
                ? e.name
                : 'internal error';
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(msg.startsWith(kind) ? `${msg}\n` : `${kind}: ${msg}\n`);
    report();
    return 1;
  }
}

// ====================================================================== program

function intOption(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

export function program(): Command {
  const prog = new Command('wasmeter')
    .description('A WebAssembly VM with exact fuel metering')
    .version('0.1.0')
    .showHelpAfterError();

  prog
    .command('spec')
    .description('run WebAssembly spec test scripts (.wast); with no paths, the whole testsuite ($WASMETER_TESTSUITE)')
    .argument('[paths...]', '.wast files or directories (searched recursively)')
    .option('--json', 'print one JSON object with totals and per-file results')
    .option('--filter <substring>', 'only run files whose path contains <substring>')
    .addOption(new Option('--fuel <n>', 'fuel per action (guards against infinite loops)').argParser(intOption))
    .option('--starved', 'start every action at 0 fuel; at each out-of-fuel stop add exactly what is needed and resume')
    .action((paths: string[], opts: SpecOptions) => {
      process.exitCode = runSpec(paths, opts);
    });

  prog
    .command('validate')
    .description('decode and validate a module (.wasm binary or .wat text); prints "ok" or the error')
    .argument('<file>', 'a .wasm or .wat file')
    .action((file: string) => {
      process.exitCode = runValidate(file);
    });

  prog
    .command('run')
    .description('instantiate a module and call one exported function')
    .argument('<file>', 'a .wasm or .wat file')
    .argument('[args...]', 'arguments (i32/i64 integers, f32/f64 numbers, v128 as 32 hex digits)')
    .requiredOption('--invoke <name>', 'the exported function to call')
    .addOption(new Option('--fuel <n>', 'fuel budget (default: unmetered)').argParser(intOption))
    .option('--stats', 'print fuel consumed and resource peaks')
    .allowExcessArguments(false)
    .action((file: string, args: string[], opts: RunOpts) => {
      process.exitCode = runRun(file, args, opts);
    });

  return prog;
}

program().parse(process.argv);
