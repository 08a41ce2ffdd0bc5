/**
 * `wasmeter run` and `wasmeter resume`: the engine, WASI, and (for --snapshot and resume only) the snapshot format.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { DecodeError, HostSuspended, Interrupted, OutOfFuel, TextError, ValidationError } from '../core/errors.js';
import { F32, F64, I32, I64, V128, valTypeName, type ValType } from '../core/types.js';
import type { FeatureSpec } from '../core/instructions.js';
import { Linker } from '../host/linker.js';
import { WASI_MODULE, Wasi, type HostDirOption } from '../host/wasi/wasi.js';
import { RawF32, RawF64 } from '../runtime/objects/values.js';
import { HostFunc, WasmFunc } from '../runtime/objects/func.js';
import { type Limits } from '../runtime/objects/limits.js';
import { Store } from '../runtime/store.js';
import type { Instance } from '../runtime/instance.js';
import { parseCosts, type FuelCosts } from '../runtime/objects/costs.js';
import { formatProfile } from '../runtime/objects/profile.js';
import type { Instance as RawInstance } from '../runtime/objects/instance.js';
import { FILE_CODE_CACHE_MAX_BYTES, fileCodeCache, type CodeCacheCrypto, type FileCodeCache } from '../host/code-cache-file.js';
import { cacheDir } from './cache.js';
import { EXIT, InvalidValue, NotAModule, UsageError, classify, describeError, loadModule, usage } from './common.js';

/** Parses a command-line argument as a value of type t. */
function parseArg(t: ValType, s: string): unknown {
  const bad = (): never => {
    throw new InvalidValue(`'${s}' is not a valid ${valTypeName(t)}`);
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

// ====================================================================== run

export interface RunOpts {
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

/** `wasmeter run FILE ARGS…` with run's options: the process exit code. */
export async function runRun(file: string, programArgs: string[], opts: RunOpts): Promise<number> {
  // a `--` right after the file was once needed before arguments starting with '-': still accepted
  const args = programArgs[0] === '--' ? programArgs.slice(1) : programArgs;
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
  let codeCache: FileCodeCache | null;
  try {
    codeCache = runCodeCache();
  } catch (e) {
    return usage(e as UsageError, 'run');
  }
  const store = new Store({
    ...(codeCache !== null ? { codeCache } : {}),
    countFuel: counting,
    ...(opts.fuel !== undefined ? { fuel: opts.fuel } : {}),
    ...(costs !== undefined ? { costs } : {}),
    ...(opts.timeout !== undefined ? { interrupt: { deadline: Date.now() + opts.timeout } } : {}),
    limits,
    profile: opts.profile === true,
  });
  const report: Record<string, unknown> = { file, mode: opts.invoke !== undefined ? 'invoke' : 'wasi' };
  let wasi: Wasi | null = null;
  // (read before the run, which is synchronous: a text file imports the text parser; an error is the run's own)
  // (the code cache's validated record needs the module's SHA-256: not for a --profile run, which generates nothing)
  const loaded = await loadModule(file, opts.features, codeCache !== null && opts.profile !== true ? codeCache : undefined).then(
    (m) => () => m,
    (e: unknown) => () => {
      throw e;
    },
  );
  if (opts.snapshot !== undefined) await import('../snapshot/index.js');
  try {
    return drive(store, () => wasi, report, opts, () => {
      const { module } = loaded();
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
  } finally {
    // (this run's new entries: written after its output)
    codeCache?.flush();
  }
}

/**
 * Node's modules as objects (for fileCodeCache and WASI), by the `require` of the CommonJS bundle this file is part
 * of (tsup.config.ts; bin.ts gives it Node's): an `import * as` namespace would be made by copying the module's
 * properties at evaluation, each as a getter (0.2 ms for node:fs), and node:module's createRequire costs a module more.
 */
const nodeFs = require('node:fs') as typeof import('node:fs');
const nodeVm = require('node:vm') as typeof import('node:vm');

/**
 * node:crypto for the code cache's SHA-256s, loaded at its first hash: a run that never looks at the cache (one the
 * JS tier generates nothing for, as with --profile) does not load it (1-2 ms of CPU in a fresh process).
 */
let nodeCrypto: CodeCacheCrypto | null = null;
export const lazyCrypto: CodeCacheCrypto & { readonly loaded: boolean } = {
  get loaded() {
    return nodeCrypto !== null;
  },
  createHash: (alg) => (nodeCrypto ??= require('node:crypto') as CodeCacheCrypto).createHash(alg),
};

/**
 * The JS tier's generated functions from earlier runs of a module, and this run's for later ones (src/jit/code-cache.ts):
 * in the code cache's directory, as the bundle's own (WASMETER_CACHE_DIR, WASMETER_NO_CACHE), its `jit/`; written by
 * the command after its output (flush), and kept within WASMETER_JIT_CACHE_MAX MiB (default 256: its least recently
 * used packs deleted past it). A value that is not a number of MiB >= 0 is a usage error.
 */
function runCodeCache(): FileCodeCache | null {
  const dir = cacheDir(process.env);
  if (dir === null) return null;
  const max = process.env['WASMETER_JIT_CACHE_MAX'];
  const mib = max === undefined || max === '' ? FILE_CODE_CACHE_MAX_BYTES / 2 ** 20 : Number(max);
  if (!(mib >= 0)) throw new UsageError(`WASMETER_JIT_CACHE_MAX must be a number of MiB >= 0, got '${max}'`, false);
  // (Node's modules given, not found by fileCodeCache through process.getBuiltinModule, which Node 20 has from 20.16 on)
  return fileCodeCache(`${dir}/jit`, { flushOnExit: false, maxBytes: mib * 2 ** 20, fs: nodeFs, crypto: lazyCrypto, vm: nodeVm });
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
          writeFileSync(tmp, bytes);
          renameSync(tmp, opts.snapshot);
        } finally {
          if (existsSync(tmp)) rmSync(tmp);
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
export async function runResume(path: string, opts: RunOpts): Promise<number> {
  await import('../snapshot/index.js');
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
  let codeCache: FileCodeCache | null;
  try {
    codeCache = runCodeCache();
  } catch (e) {
    return usage(e as UsageError, 'resume');
  }
  try {
    restored = Store.restore(bytes, {
      store: {
        ...(opts.timeout !== undefined ? { interrupt: { deadline: Date.now() + opts.timeout } } : {}),
        ...(codeCache !== null ? { codeCache } : {}),
      },
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
  try {
    return drive(store, () => wasi, report, opts, () => {
      // stopped in a start function: the instantiation finishes, then the entry is called
      if (c.entry.phase === 'instantiate') return callEntry(store, stop.resume()[0] as Instance, wasi, report, opts);
      if (c.mode === 'wasi') return guestExit(report, wasi!.resume(stop).exitCode);
      return printResults(report, stop.resume(), opts);
    });
  } finally {
    codeCache?.flush();
  }
}
