/**
 * The `wasmeter` command line (commander): `run` (WASI commands or one export), `resume`, `inspect`,
 * `validate`, `spec`, their options and help. Each command's code is imported when it runs (in the CLI
 * bundle, a module evaluated when first imported), so that `run` on a binary module evaluates neither the
 * text parser, the spec runner, the snapshot format nor inspect's printers; main.ts runs the simplest `run`
 * command lines without evaluating this file at all.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { FEATURES, PROFILES, type FeatureName, type Features, type FeatureSpec, type Profile } from '../core/instructions.js';
import { resolveFeatures } from '../validate/features.js';
import { EXIT, helpHint } from './common.js';
import type { RunOpts } from './run.js';
import type { SpecOptions } from './spec.js';



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

const EXIT_HELP = `
Colours: on when stdout is a terminal; NO_COLOR=1 turns them off, FORCE_COLOR=1 on.

Code cache (wasmeter's own JavaScript, compiled once; and the JavaScript run and
resume generate for a module's functions, with their translations and the module's
validated record, reused by later runs of the same module,
in its jit/ subdirectory, one pack per module, kept within $WASMETER_JIT_CACHE_MAX MiB,
default 256, by deleting the least recently used packs): in $WASMETER_CACHE_DIR, else
$XDG_CACHE_HOME/wasmeter, else the user cache directory (~/.cache/wasmeter);
WASMETER_NO_CACHE=1 turns it off. Whoever can
write the directory can run code in wasmeter: keep it private (it is made 0700).

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
    .action(async (paths: string[], opts: SpecOptions) => {
      process.exitCode = await (await import('./spec.js')).runSpec(paths, opts);
    });

  prog
    .command('validate')
    .description('decode and validate a module (.wasm binary or .wat text); prints "ok" or the error')
    .argument('<file>', 'a .wasm or .wat file')
    .addOption(new Option('--features <spec>', FEATURES_HELP).argParser(featuresOption))
    .showHelpAfterError(helpHint('validate'))
    .action(async (file: string, opts: { features?: FeatureSpec }) => {
      process.exitCode = await (await import('./inspect.js')).runValidate(file, opts);
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
    .action(async (file: string, args: string[], opts: RunOpts) => {
      process.exitCode = await (await import('./run.js')).runRun(file, args, opts);
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
    .action(async (snapshot: string, opts: RunOpts) => {
      process.exitCode = await (await import('./run.js')).runResume(snapshot, opts);
    });

  prog
    .command('inspect')
    .description('show a module: sections with sizes, imports and exports with their full types')
    .argument('<file>', 'a .wasm or .wat file')
    .option('--json', 'print one JSON object')
    .addOption(new Option('--features <spec>', FEATURES_HELP).argParser(featuresOption))
    .showHelpAfterError(helpHint('inspect'))
    .action(async (file: string, opts: { json?: boolean; features?: FeatureSpec }) => {
      process.exitCode = await (await import('./inspect.js')).runInspect(file, opts);
    });

  return prog;
}


