/** The command lines main.ts runs without commander. */
import type { RunOpts } from './run.js';

/**
 * The file, program arguments and options of `run` when the command line (without node and the script) is
 * `run FILE ARGS…` with FILE not starting with '-': commander, whose `run` passes everything after FILE through,
 * gives the action the same (no options: only --no-count-fuel's default). Null for any other command line.
 */
export function fastRun(argv: readonly string[]): { file: string; args: string[]; opts: RunOpts } | null {
  if (argv.length < 2 || argv[0] !== 'run' || argv[1]!.startsWith('-')) return null;
  return { file: argv[1]!, args: argv.slice(2), opts: { countFuel: true } };
}
