/**
 * The `wasmeter` command line: `run` (WASI commands or one export), `inspect`, `validate`, `spec`.
 */
import * as nodeFs from 'node:fs';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import cliProgress from 'cli-progress';
import { createColors } from 'picocolors';
import { DecodeError, HostError, HostSuspended, Interrupted, LinkError, OutOfFuel, ResourceLimitError, TextError, Trap, Unsupported, ValidationError, WasmeterError } from '../core/errors.js';
import { WasmException } from '../runtime/objects/exception.js';
import { Reader } from '../core/bytes.js';
import { ANYREF, EXNREF, EXTERNREF, F32, FUNCREF, F64, I32, I64, V128, valTypeName, type FuncType, type GlobalType, type MemType, type TableType, type ValType } from '../core/types.js';
import { Linker } from '../host/linker.js';
import { WASI_MODULE, Wasi, type HostDirOption } from '../host/wasi/wasi.js';
import { RawF32, RawF64 } from '../runtime/objects/values.js';
import { HostFunc, WasmFunc } from '../runtime/objects/func.js';
import { type Limits } from '../runtime/objects/limits.js';
import { Module, type ExportInfo, type ImportInfo } from '../runtime/module.js';
import { Store } from '../runtime/store.js';
import type { Instance } from '../runtime/instance.js';
import '../snapshot/index.js';
import { parseCosts, type FuelCosts } from '../runtime/objects/costs.js';
import { formatProfile } from '../runtime/objects/profile.js';
import type { Instance as RawInstance } from '../runtime/objects/instance.js';
import { runScript, type FileResult } from '../spec/runner.js';
import { findSuite, listWast, SuiteNotFound } from '../spec/suite.js';
import { watToBinary } from '../text/wat.js';
import { FEATURES, PROFILES, type FeatureName, type Features, type FeatureSpec, type Profile } from '../core/instructions.js';
import { resolveFeatures } from '../validate/features.js';

// ====================================================================== helpers

function isWasmBinary(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d;
}

/** Whether bytes read as WebAssembly text: UTF-8 whose first token (after blanks and comments) is `(`. */
function isWasmText(bytes: Uint8Array): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return false;
  }
  const rest = text.replace(/^(?:\s+|;;[^\n]*(?:\n|$)|\(;[\s\S]*?;\))*/, '');
  return rest.startsWith('(');
}

/** A file that is neither a binary module (`\0asm`) nor text. */
class NotAModule extends Error {
  constructor(file: string) {
    super(`${file}: not a WebAssembly module (binary or text)`);
  }
}

/**
 * A usage error: one line, then (with `hint`) where to read the command's
 * options. A file that cannot be read is a usage error without the hint.
 */
class UsageError extends InvalidArgumentError {
  constructor(
    message: string,
    readonly hint = true,
  ) {
    super(message);
  }
}

/** The one-line hint after a usage error. */
function helpHint(command: string | null): string {
  return `(try 'wasmeter${command ? ` ${command}` : ''} --help')`;
}

/** Reads a file the user named; a missing or unreadable one is a usage error (one line, exit 2). */
function readInput(file: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file));
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why: Record<string, string> = { ENOENT: 'no such file or directory', EISDIR: 'is a directory', EACCES: 'permission denied' };
    throw new UsageError(`cannot read ${file}: ${(code !== undefined && why[code]) || (e as Error).message}`, false);
  }
}

/** Reads a module file (by content: the binary magic `\0asm`, else text) and decodes + validates it. */
function loadModule(file: string, features?: FeatureSpec): { module: Module; bin: Uint8Array } {
  const bytes = readInput(file);
  if (!isWasmBinary(bytes) && !isWasmText(bytes)) throw new NotAModule(file);
  const bin = isWasmBinary(bytes) ? bytes : watToBinary(bytes, file, features ?? null);
  return { module: Module.fromBinary(bin, features === undefined ? undefined : { features }), bin };
}

/**
 * `--features`: a profile (`1.0`, `2.0`, `3.0`), proposals turned off (`-simd` or `no-simd`) and proposals added
 * to the profile (`+threads`), comma-separated: `2.0`, `2.0,-simd`, `1.0,+threads`, `-gc,-exceptions`.
 */
function featuresOption(v: string): FeatureSpec {
  const spec: Features & { profile?: Profile } = {};
  for (const item of v.split(',').map((x) => x.trim()).filter((x) => x !== '')) {
    if (Object.hasOwn(PROFILES, item)) spec.profile = item as Profile;
    else if (/^(-|no-)/.test(item)) spec[item.replace(/^(-|no-)/, '') as FeatureName] = false;
    else if (item.startsWith('+')) spec[item.slice(1) as FeatureName] = true;
    else throw new InvalidArgumentError(`'${item}': expected a profile (${Object.keys(PROFILES).join(', ')}), -FEATURE or +FEATURE (FEATURE one of ${FEATURES.join(', ')})`);
  }
  try {
    resolveFeatures(spec);
  } catch (e) {
    if (e instanceof RangeError) throw new InvalidArgumentError(e.message);
    throw e;
  }
  return spec;
}

const FEATURES_HELP =
  'hold modules to a standard and/or turn proposals off: a profile 1.0, 2.0 or 3.0, -FEATURE (off) and +FEATURE (added to the profile: threads), comma-separated (e.g. 2.0, 2.0,-simd or 1.0,+threads; default: Wasm 3.0 and every extension)';

/** Prints a usage error (one line, and the hint unless it is an unreadable file); returns exit code 2. */
function usage(e: UsageError, command: string | null): number {
  process.stderr.write(`error: ${e.message}\n${e.hint ? `${helpHint(command)}\n` : ''}`);
  return EXIT.usage;
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
  if (e instanceof NotAModule) return e.message;
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
  features?: FeatureSpec;
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

function runSpec(paths: string[], opts: SpecOptions): number {
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

// ====================================================================== validate / run

function runValidate(file: string, opts: { features?: FeatureSpec }): number {
  try {
    loadModule(file, opts.features);
  } catch (e) {
    if (e instanceof UsageError) return usage(e, 'validate');
    process.stdout.write(`${describeError(e, file)}\n`);
    return 1;
  }
  process.stdout.write('ok\n');
  return 0;
}

// ====================================================================== exit codes

/**
 * Colours on stdout: on when stdout is a terminal (and TERM is not "dumb"); NO_COLOR (non-empty) turns them off,
 * FORCE_COLOR (non-empty, not "0") turns them on. Nothing else decides: picocolors' own rule would also colour
 * every pipe on a machine with CI set, which makes the output of the same command differ between machines.
 */
export function colourEnabled(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (env['NO_COLOR']) return false;
  const force = env['FORCE_COLOR'];
  if (force !== undefined && force !== '' && force !== '0') return true;
  if (force === '0') return false;
  return isTTY && env['TERM'] !== 'dumb';
}
const pc = createColors(colourEnabled(process.env, process.stdout.isTTY === true));

/** Exit codes of `wasmeter run` (and `inspect`) by outcome; a WASI program's own exit code passes through. */
export const EXIT = {
  usage: 2,
  invalidModule: 3,
  link: 4,
  trap: 5,
  outOfFuel: 6,
  resourceLimit: 7,
  host: 8,
  unsupported: 9,
  internal: 10,
  interrupted: 11,
} as const;

const EXIT_HELP = `
Colours: on when stdout is a terminal; NO_COLOR=1 turns them off, FORCE_COLOR=1 on.

Exit codes:
  0..255  the WASI program's exit code (proc_exit, or 0 when _start returns;
          codes above 255 are reported as 255); 0 after a successful --invoke
  2       usage: bad option or argument, unreadable file, no _start / no such export
  3       the module is malformed or invalid (text syntax, decoding, validation),
          or the file is not a WebAssembly module (binary or text) at all
  4       link error (an import wasmeter cannot provide)
  5       trap, or a wasm exception nothing caught
  6       out of fuel (the message names the function and the instruction's offset)
  7       resource limit (e.g. memories larger than --max-memory at instantiation;
          exceeding --max-call-depth is the trap "call stack exhausted")
  8       host error (a host function failed)
  9       unsupported feature (an instruction the engine cannot execute)
  10      internal error
  11      interrupted (--timeout passed)`;

interface Outcome {
  kind: string;
  code: number;
}

function classify(e: unknown): Outcome {
  if (e instanceof InvalidArgumentError) return { kind: 'usage', code: EXIT.usage };
  if (e instanceof NotAModule) return { kind: 'not a module', code: EXIT.invalidModule };
  if (e instanceof TextError) return { kind: 'syntax', code: EXIT.invalidModule };
  if (e instanceof DecodeError) return { kind: 'decode', code: EXIT.invalidModule };
  if (e instanceof ValidationError) return { kind: 'validation', code: EXIT.invalidModule };
  if (e instanceof LinkError) return { kind: 'link', code: EXIT.link };
  if (e instanceof OutOfFuel) return { kind: 'out of fuel', code: EXIT.outOfFuel };
  if (e instanceof Interrupted) return { kind: 'interrupted', code: EXIT.interrupted };
  if (e instanceof Trap) return { kind: 'trap', code: EXIT.trap };
  if (e instanceof WasmException) return { kind: 'uncaught exception', code: EXIT.trap };
  if (e instanceof ResourceLimitError) return { kind: 'resource limit', code: EXIT.resourceLimit };
  if (e instanceof HostError) return { kind: 'host error', code: EXIT.host };
  if (e instanceof Unsupported) return { kind: 'unsupported', code: EXIT.unsupported };
  return { kind: 'internal error', code: EXIT.internal };
}

// ====================================================================== run

interface RunOpts {
  features?: FeatureSpec;
  invoke?: string;
  fuel?: number;
  stats?: boolean;
  json?: boolean;
  dir?: string[];
  dirRo?: string[];
  env?: string[];
  seed?: number;
  inheritClock?: boolean;
  maxMemory?: number;
  maxCallDepth?: number;
  costs?: string;
  profile?: boolean;
  timeout?: number;
  /** false with --no-count-fuel */
  countFuel?: boolean;
  /** Where a run that stops (out of fuel, --timeout) writes its snapshot. */
  snapshot?: string;
}

/** Reads a --costs file (JSON FuelCosts, checked field by field). */
function loadCosts(path: string): FuelCosts {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    return parseCosts(JSON.parse(text));
  } catch (e) {
    throw new UsageError(`--costs ${path}: ${(e as Error).message}`);
  }
}

/**
 * A --dir/--dir-ro value: HOST (the guest sees the same path), HOST::GUEST
 * (wasmtime's form) or HOST:GUEST. Anything else (an empty side, more
 * separators) is a usage error rather than a path with a colon in it.
 */
function parseDir(spec: string, readonly: boolean): HostDirOption {
  const flag = readonly ? '--dir-ro' : '--dir';
  const parts = spec.includes('::') ? spec.split('::') : spec.split(':');
  const [host, guest = host] = parts;
  if (parts.length > 2 || host === '' || guest === '' || guest!.includes(':'))
    throw new UsageError(`${flag} '${spec}': expected HOST, HOST::GUEST or HOST:GUEST`);
  return { host: host!, guest: guest!, readonly };
}

function parseEnv(list: string[]): string[] {
  for (const kv of list) if (!/^[^=]+=/.test(kv)) throw new UsageError(`--env ${kv}: expected K=V`);
  return list;
}

/** A Wasi for the CLI: a host directory that cannot be opened is a usage error. */
function newWasi(options: ConstructorParameters<typeof Wasi>[0]): Wasi {
  try {
    return new Wasi(options);
  } catch (e) {
    throw new UsageError(`--dir: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function runRun(file: string, args: string[], opts: RunOpts): number {
  const limits: Limits = {};
  if (opts.maxMemory !== undefined) limits.maxMemoryBytes = opts.maxMemory;
  if (opts.maxCallDepth !== undefined) limits.maxCallDepth = opts.maxCallDepth;
  let costs: FuelCosts | undefined;
  const counting = opts.countFuel !== false;
  if (!counting) {
    const clash = (['fuel', 'costs', 'timeout', 'profile'] as const).find((k) => opts[k] !== undefined && opts[k] !== false);
    if (clash !== undefined) return usage(new UsageError(`--no-count-fuel cannot be combined with --${clash}`), 'run');
  }
  try {
    costs = opts.costs !== undefined ? loadCosts(opts.costs) : undefined;
  } catch (e) {
    return usage(e as UsageError, 'run');
  }
  const store = new Store({
    countFuel: counting,
    ...(opts.fuel !== undefined ? { fuel: opts.fuel } : {}),
    ...(costs !== undefined ? { costs } : {}),
    ...(opts.timeout !== undefined ? { interrupt: { deadline: Date.now() + opts.timeout } } : {}),
    limits,
    profile: opts.profile === true,
  });
  const report: Record<string, unknown> = { file, mode: opts.invoke !== undefined ? 'invoke' : 'wasi' };
  let wasi: Wasi | null = null;
  return drive(store, () => wasi, report, opts, () => {
    const { module } = loadModule(file, opts.features);
    const usesWasi = module.data.imports.some((i) => i.module === WASI_MODULE);
    const linker = new Linker();
    if (opts.invoke === undefined || usesWasi) {
      wasi = newWasi({
        args: [file, ...args],
        env: parseEnv(opts.env ?? []),
        hostDirs: hostDirs(opts),
        seed: opts.seed ?? 0,
        inheritClock: opts.inheritClock === true,
        ...cliStdio(opts),
      });
      wasi.addToLinker(linker, store);
    }
    if (opts.invoke === undefined && !module.data.exports.some((e) => e.name === '_start' && e.kind === 'func'))
      throw new UsageError(`${file} exports no _start function: give --invoke NAME to call an export`);
    // (a start function that stops is snapshotted in this phase: resume instantiates, then calls the entry)
    report.entry = { phase: 'instantiate', invoke: opts.invoke, args };
    const inst = linker.instantiate(store, module);
    return callEntry(store, inst, wasi, report, opts);
  });
}

/** After instantiation: WASI's `_start`, or --invoke's export with its arguments (`report.entry`). */
function callEntry(store: Store, inst: Instance, wasi: Wasi | null, report: Record<string, unknown>, opts: RunOpts): number {
  const entry = report.entry as CliEntry;
  entry.phase = 'call';
  if (entry.invoke === undefined) return guestExit(report, wasi!.start(inst).exitCode);
  const f = inst.raw.exports.get(entry.invoke);
  if (!(f instanceof WasmFunc || f instanceof HostFunc)) throw new UsageError(`no exported function '${entry.invoke}'`);
  const params = f.type.params;
  if (entry.args.length !== params.length)
    throw new UsageError(`${entry.invoke} expects ${params.length} argument(s) (${params.map(valTypeName).join(', ')}), got ${entry.args.length}`);
  const values = params.map((t, i) => parseArg(t, entry.args[i]!));
  if (wasi) wasi.initialize(inst);
  report.resultTypes = f.type.results.map(valTypeName);
  return printResults(report, store.invoke(f, values, true), opts);
}

/** The WASI streams of the CLI's runs: the terminal's, or captured into --json's report. */
function cliStdio(opts: { json?: boolean }): { stdin: 'inherit'; stdout: 'buffer' | 'inherit'; stderr: 'buffer' | 'inherit'; fs: typeof nodeFs } {
  const json = opts.json === true;
  return { stdin: 'inherit', stdout: json ? 'buffer' : 'inherit', stderr: json ? 'buffer' : 'inherit', fs: nodeFs };
}

function hostDirs(opts: { dir?: string[]; dirRo?: string[] }): HostDirOption[] {
  return [...(opts.dir ?? []).map((d) => parseDir(d, false)), ...(opts.dirRo ?? []).map((d) => parseDir(d, true))];
}

/** The process exit code of a WASI program's exit code. */
function guestExit(report: Record<string, unknown>, guest: number): number {
  report.guestExitCode = guest;
  return guest > 255 ? 255 : guest;
}

function printResults(report: Record<string, unknown>, results: unknown[], opts: { json?: boolean }): number {
  const types = report.resultTypes as string[];
  if (opts.json) report.results = results.map((r, i) => ({ type: types[i], value: formatResult(r) }));
  else for (const r of results) process.stdout.write(`${formatResult(r)}\n`);
  return 0;
}

/**
 * Runs `body` (a run or a resumed run) and reports as `run` does: errors
 * classified into exit codes, --json, --stats, --profile; with --snapshot, a
 * run that stops (out of fuel, --timeout) is written there first.
 */
function drive(store: Store, wasiOf: () => Wasi | null, report: Record<string, unknown>, opts: RunOpts, body: () => number): number {
  const json = opts.json === true;
  const counting = store.countsFuel;
  const file = report.file as string;
  let exitCode = 0;
  let error: { kind: string; message: string } | null = null;
  try {
    exitCode = body();
  } catch (e) {
    const o = classify(e);
    exitCode = o.code;
    if (opts.snapshot !== undefined && (e instanceof OutOfFuel || e instanceof Interrupted)) {
      const w = wasiOf();
      try {
        const host: CliSnapshot = {
          file,
          mode: report.mode as 'wasi' | 'invoke',
          resultTypes: (report.resultTypes as string[]) ?? [],
          wasi: w ? w.snapshotState() : null,
          entry: report.entry as CliEntry,
        };
        const bytes = store.snapshot({ host });
        // (written beside OUT and renamed: OUT is never a half-written snapshot)
        const tmp = `${opts.snapshot}.${process.pid}.tmp`;
        try {
          nodeFs.writeFileSync(tmp, bytes);
          nodeFs.renameSync(tmp, opts.snapshot);
        } finally {
          if (nodeFs.existsSync(tmp)) nodeFs.rmSync(tmp);
        }
      } catch (se) {
        process.stderr.write(`cannot write the snapshot ${opts.snapshot}: ${(se as Error).message}\n`);
      }
    }
    const moduleError = e instanceof TextError || e instanceof DecodeError || e instanceof ValidationError || e instanceof NotAModule;
    let message = moduleError ? describeError(e, file) : e instanceof Error ? e.message : String(e);
    const at = e instanceof OutOfFuel ? stopSite(store) : null;
    if (at) message = message.replace(/^out of fuel/, `out of fuel in ${at.text}`);
    error = { kind: o.kind, message, ...(at ? { where: at.where } : {}) };
    if (!json) {
      if (e instanceof UsageError) usage(e, 'run');
      else process.stderr.write(moduleError || message.startsWith(o.kind) ? `${message}\n` : `${o.kind}: ${message}\n`);
    }
  }
  const wasi = wasiOf();
  if (json) {
    report.exitCode = exitCode;
    report.error = error;
    report.fuelConsumed = counting ? store.fuelConsumed : null;
    report.fuelRemaining = store.metered ? store.fuelRemaining : null;
    report.peaks = { ...store.peaks };
    if (opts.profile) report.profile = store.profile();
    if (wasi) {
      report.stdout = wasi.stdoutText;
      report.stderr = wasi.stderrText;
      report.denied = wasi.denied;
    }
    delete report.resultTypes;
    delete report.entry;
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } else if (opts.stats) {
    const p = store.peaks;
    // in WASI mode stdout belongs to the program: the statistics go to stderr
    const out = report.mode === 'wasi' ? process.stderr : process.stdout;
    out.write(
      `fuel consumed: ${counting ? store.fuelConsumed : 'not counted'}\n` +
        `peak memory bytes: ${p.memoryBytes}\npeak value stack bytes: ${p.valueStackBytes}\n` +
        `peak call depth: ${p.callDepth}\npeak table elements: ${p.tableElements}\n`,
    );
  }
  if (!json && opts.profile) {
    const out = report.mode === 'wasi' ? process.stderr : process.stdout;
    out.write(formatProfile(store.profile() ?? []) + '\n');
  }
  return exitCode;
}

/**
 * Where a stopped call waits (Store.stoppedAt), for the out-of-fuel message:
 * the function by index with its name-section name or else its export name,
 * and the instruction's byte offset in the binary.
 */
function stopSite(store: Store): { text: string; where: { function: number; name: string | null; export: string | null; offset: number } } | null {
  const at = store.stoppedAt;
  if (!at) return null;
  const inst = at.func.instance as RawInstance;
  const name = inst.vm.module.names?.functions?.get(at.func.index) ?? null;
  const exported = [...inst.exports].find(([, x]) => x === at.func)?.[0] ?? null;
  const label = name !== null ? ` "${name}"` : exported !== null ? ` (export "${exported}")` : '';
  const text = `function ${at.func.index}${label} at offset 0x${at.offset.toString(16)}`;
  return { text, where: { function: at.func.index, name, export: exported, offset: at.offset } };
}

// ---------------------------------------------------------------------- snapshots (run --snapshot, resume)

/** What `run --snapshot` keeps besides the store: how to go on and report. */
interface CliSnapshot {
  file: string;
  mode: 'wasi' | 'invoke';
  resultTypes: string[];
  wasi: unknown;
  /** What the run calls, and whether it stopped instantiating (in a start function) or in that call. */
  entry: CliEntry;
}

interface CliEntry {
  phase: 'instantiate' | 'call';
  /** --invoke's export, or undefined for WASI's _start. */
  invoke?: string;
  args: string[];
}

/** `wasmeter resume SNAPSHOT`: restores a stopped run and continues it; reports and exits as `run` would have. */
function runResume(path: string, opts: RunOpts): number {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    process.stderr.write(`cannot read ${path}: ${(e as Error).message}\n`);
    return EXIT.usage;
  }
  let wasi: Wasi | null = null;
  let cli: CliSnapshot | null = null;
  let restored;
  try {
    restored = Store.restore(bytes, {
      store: opts.timeout !== undefined ? { interrupt: { deadline: Date.now() + opts.timeout } } : {},
      linker: (store, host) => {
        cli = host as CliSnapshot;
        const linker = new Linker();
        if (cli.wasi) {
          wasi = newWasi({ hostDirs: hostDirs(opts), ...cliStdio(opts) });
          wasi.restoreState(cli.wasi);
          wasi.addToLinker(linker, store);
        }
        return linker;
      },
    });
  } catch (e) {
    process.stderr.write(`${path}: ${(e as Error).message}\n`);
    return EXIT.usage;
  }
  const { store, stop } = restored;
  const c = cli as CliSnapshot | null;
  if (stop === null || c === null || stop instanceof HostSuspended) {
    process.stderr.write(`${path}: not a snapshot of a stopped \`wasmeter run\`\n`);
    return EXIT.usage;
  }
  // this hop's fuel: --fuel, else all there is
  if (store.metered) store.addFuel(opts.fuel ?? Number.MAX_SAFE_INTEGER - store.fuelConsumed - store.fuelRemaining);
  const report: Record<string, unknown> = { file: c.file, mode: c.mode, resultTypes: c.resultTypes, entry: c.entry };
  return drive(store, () => wasi, report, opts, () => {
    // stopped in a start function: the instantiation finishes, then the entry is called
    if (c.entry.phase === 'instantiate') return callEntry(store, stop.resume()[0] as Instance, wasi, report, opts);
    if (c.mode === 'wasi') return guestExit(report, wasi!.resume(stop).exitCode);
    return printResults(report, stop.resume(), opts);
  });
}

// ====================================================================== inspect

const SECTION_NAMES = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data', 'datacount', 'tag'];

interface SectionInfo {
  id: number;
  name: string;
  offset: number;
  size: number;
  count?: number;
  customName?: string;
}

function sections(bin: Uint8Array): SectionInfo[] {
  const r = new Reader(bin, 8);
  const out: SectionInfo[] = [];
  while (!r.atEnd()) {
    const offset = r.pos;
    const id = r.u8();
    const size = r.u32();
    const start = r.pos;
    const s: SectionInfo = { id, name: SECTION_NAMES[id] ?? `unknown(${id})`, offset, size };
    const c = new Reader(bin, start, start + size);
    if (id === 0) s.customName = c.name();
    else if (id !== 8 && size > 0) s.count = c.u32();
    out.push(s);
    r.pos = start + size;
  }
  return out;
}

/** A value type as the text format abbreviates it (funcref for (ref null func), ...). */
function typeName(t: ValType): string {
  const short: Record<number, string> = { [FUNCREF]: 'funcref', [EXTERNREF]: 'externref', [ANYREF]: 'anyref', [EXNREF]: 'exnref' };
  return short[t] ?? valTypeName(t);
}

function funcTypeText(t: FuncType): string {
  const p = t.params.length ? ` (param ${t.params.map(typeName).join(' ')})` : '';
  const r = t.results.length ? ` (result ${t.results.map(typeName).join(' ')})` : '';
  return `(func${p}${r})`;
}
function limitsText(min: number, max: number | null): string {
  return max === null ? `${min}` : `${min} ${max}`;
}
function memText(m: MemType): string {
  const ps = m.pageSizeLog2 !== 16 ? ` (pagesize ${2 ** m.pageSizeLog2})` : '';
  return `(memory${m.addr === 'i64' ? ' i64' : ''} ${limitsText(m.min, m.max)}${m.shared ? ' shared' : ''}${ps})`;
}
function tableText(t: TableType): string {
  return `(table${t.addr === 'i64' ? ' i64' : ''} ${limitsText(t.min, t.max)} ${typeName(t.elem)})`;
}
function globalText(g: GlobalType): string {
  return `(global ${g.mutable ? `(mut ${typeName(g.type)})` : typeName(g.type)})`;
}

function runInspect(file: string, opts: { json?: boolean; features?: FeatureSpec }): number {
  let module: Module;
  let bin: Uint8Array;
  try {
    ({ module, bin } = loadModule(file, opts.features));
  } catch (e) {
    if (e instanceof UsageError) return usage(e, 'inspect');
    const o = classify(e);
    process.stderr.write(`${describeError(e, file)}\n`);
    return o.code;
  }
  const data = module.data;
  const text = (e: ImportInfo | ExportInfo): string => {
    switch (e.kind) {
      case 'func':
        return funcTypeText(e.type);
      case 'table':
        return tableText(e.type);
      case 'memory':
        return memText(e.type);
      case 'global':
        return globalText(e.type);
      case 'tag':
        return `(tag ${funcTypeText(e.type).replace(/^\(func ?/, '').replace(/\)$/, '')})`;
    }
  };
  const imports = module.imports.map((i) => ({ module: i.module, name: i.name, kind: i.kind as string, type: text(i) }));
  const exports = module.exports.map((e, k) => ({ name: e.name, kind: e.kind as string, index: data.exports[k]!.index, type: text(e) }));
  const secs = sections(bin);
  if (opts.json) {
    process.stdout.write(JSON.stringify({ file, size: bin.length, sections: secs, imports, exports }, null, 2) + '\n');
    return 0;
  }
  const lines: string[] = [`${file}: ${bin.length} bytes`, '', pc.bold('sections')];
  for (const s of secs) {
    const name = s.id === 0 ? `custom "${s.customName}"` : s.name;
    const count = s.count !== undefined ? `  ${s.count} ${s.count === 1 ? 'entry' : 'entries'}` : '';
    lines.push(`  ${pad(name, 22)} ${padL(String(s.size), 9)} bytes  @0x${s.offset.toString(16)}${count}`);
  }
  lines.push('', pc.bold(`imports (${imports.length})`));
  for (const i of imports) lines.push(`  ${i.module}.${i.name}: ${i.type}`);
  lines.push('', pc.bold(`exports (${exports.length})`));
  for (const e of exports) lines.push(`  ${e.name}: ${e.type}${e.kind === 'func' ? `  [func ${e.index}]` : ''}`);
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
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
    .enablePositionalOptions()
    .showHelpAfterError(helpHint(null))
    .addHelpText('after', EXIT_HELP)
    // commander's own usage errors exit with 2, like every other usage error
    .exitOverride((err) => {
      process.exit(err.exitCode === 0 ? 0 : EXIT.usage);
    });

  prog
    .command('spec')
    .description('run WebAssembly spec test scripts (.wast); with no paths, the whole testsuite ($WASMETER_TESTSUITE, else ../shared/testsuite beside the package); scripts outside proposals/custom-descriptors run with that proposal off (it relaxes a rule the core suite tests), and without --features those of proposals/threads run under 1.0,+threads (what they are written for)')
    .argument('[paths...]', '.wast files or directories (searched recursively)')
    .option('--json', 'print one JSON object with totals and per-file results')
    .option('--filter <substring>', 'only run files whose path contains <substring>')
    .addOption(new Option('--fuel <n>', 'fuel per action (guards against infinite loops)').argParser(intOption))
    .option('--starved', 'start every action at 0 fuel; at each out-of-fuel stop add exactly what is needed and resume')
    .addOption(new Option('--features <spec>', FEATURES_HELP).argParser(featuresOption))
    .showHelpAfterError(helpHint('spec'))
    .action((paths: string[], opts: SpecOptions) => {
      process.exitCode = runSpec(paths, opts);
    });

  prog
    .command('validate')
    .description('decode and validate a module (.wasm binary or .wat text); prints "ok" or the error')
    .argument('<file>', 'a .wasm or .wat file')
    .addOption(new Option('--features <spec>', FEATURES_HELP).argParser(featuresOption))
    .showHelpAfterError(helpHint('validate'))
    .action((file: string, opts: { features?: FeatureSpec }) => {
      process.exitCode = runValidate(file, opts);
    });

  const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];
  prog
    .command('run')
    .description(
      'run a WASI command (its _start) with the given program arguments, or with --invoke call one exported function',
    )
    .argument('<file>', 'a module: binary if it starts with \\0asm, else WebAssembly text')
    .argument('[args...]', "everything after <file> goes to the program, options too (run's own options come before <file>); with --invoke, the values to pass (i32/i64 integers, f32/f64 numbers, v128 as 32 hex digits)")
    .passThroughOptions()
    .showHelpAfterError(helpHint('run'))
    .option('--invoke <name>', 'call this exported function instead of running _start under WASI')
    .addOption(new Option('--features <spec>', FEATURES_HELP).argParser(featuresOption))
    .option('--dir <host[::guest]>', 'preopen a host directory read-write, as guest (HOST::GUEST or HOST:GUEST; default: the host path); repeatable', collect)
    .option('--dir-ro <host[::guest]>', 'preopen a host directory read-only; repeatable', collect)
    .option('--env <K=V>', 'set an environment variable for the program (nothing is inherited); repeatable', collect)
    .addOption(new Option('--seed <n>', 'seed of random_get (default 0: runs are deterministic)').argParser(intOption))
    .option('--inherit-clock', "use the host's clocks (default: a virtual clock starting 2024-01-01, +1 ms per read)")
    .addOption(new Option('--fuel <n>', 'fuel budget (default: unmetered)').argParser(intOption))
    .addOption(new Option('--max-memory <bytes>', 'limit on linear memory, all memories together').argParser(intOption))
    .addOption(new Option('--max-call-depth <n>', 'limit on nested wasm calls (default 10000)').argParser(intOption))
    .option('--stats', 'print fuel consumed and resource peaks (to stderr for WASI programs, whose stdout is their own)')
    .option('--costs <file.json>', 'fuel cost table (FuelCosts as JSON: default, families, instructions, surcharges; docs/fuel.md)')
    .option('--profile', 'attribute fuel to functions (self and total) and print the table (to stderr for WASI programs)')
    .option('--no-count-fuel', 'count no fuel at all, for the fastest run of trusted code (not with --fuel, --costs, --timeout, --profile)')
    .addOption(new Option('--timeout <ms>', 'stop the run after this many milliseconds (exit code of an interrupted run: 11)').argParser(intOption))
    .option('--json', "print one JSON object: exitCode, results, error {kind, message}, fuelConsumed, peaks; the WASI program's stdout/stderr are captured into it")
    .option('--snapshot <out>', 'when the run stops (out of fuel, --timeout), write a snapshot of it to OUT (continue it with `wasmeter resume OUT`)')
    .addHelpText('after', EXIT_HELP)
    .action((file: string, args: string[], opts: RunOpts) => {
      // a `--` right after the file was once needed before arguments starting with '-': still accepted
      process.exitCode = runRun(file, args[0] === '--' ? args.slice(1) : args, opts);
    });

  prog
    .command('resume')
    .description('continue a run stopped with `run --snapshot` in this process: its output and exit code as if it had never stopped')
    .argument('<snapshot>', 'a file written by run --snapshot (or resume --snapshot)')
    .addOption(new Option('--fuel <n>', 'fuel for this part of the run (default: unlimited)').argParser(intOption))
    .option('--snapshot <out>', 'when the run stops again, write its snapshot to OUT')
    .addOption(new Option('--timeout <ms>', 'stop after this many milliseconds (exit code 11)').argParser(intOption))
    .option('--dir <host[:guest]>', 'grant a host directory the run had preopened again (same guest name); repeatable', collect)
    .option('--dir-ro <host[:guest]>', 'the same, read-only; repeatable', collect)
    .option('--stats', 'print fuel consumed (over every part of the run) and resource peaks')
    .option('--json', 'print one JSON object, as run --json (fuelConsumed: the total over every part of the run)')
    .addHelpText('after', EXIT_HELP)
    .action((snapshot: string, opts: RunOpts) => {
      process.exitCode = runResume(snapshot, opts);
    });

  prog
    .command('inspect')
    .description('show a module: sections with sizes, imports and exports with their full types')
    .argument('<file>', 'a .wasm or .wat file')
    .option('--json', 'print one JSON object')
    .addOption(new Option('--features <spec>', FEATURES_HELP).argParser(featuresOption))
    .showHelpAfterError(helpHint('inspect'))
    .action((file: string, opts: { json?: boolean; features?: FeatureSpec }) => {
      process.exitCode = runInspect(file, opts);
    });

  return prog;
}

program().parse(process.argv);
