/**
 * main.ts runs `run FILE ARGS…` without commander (src/cli/args.ts, fastRun): for every such command line it must
 * hand run.ts exactly what commander's `run` action receives, and leave every other command line to commander.
 */
import { describe, expect, it } from 'vitest';
import { fastRun } from '../../src/cli/args.js';
import { program } from '../../src/cli/program.js';

/** What commander's `run` action receives for a command line, or null when it does not call it. */
function viaCommander(argv: string[]): { file: string; args: string[]; opts: Record<string, unknown> } | null {
  const prog = program();
  let got: { file: string; args: string[]; opts: Record<string, unknown> } | null = null;
  for (const c of prog.commands) {
    c.exitOverride((e) => {
      throw e;
    });
    c.configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  }
  prog.commands.find((c) => c.name() === 'run')!.action((file: string, args: string[], opts: Record<string, unknown>) => {
    got = { file, args, opts: { ...opts } };
  });
  prog.exitOverride((e) => {
    throw e;
  });
  prog.configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  try {
    prog.parse(argv, { from: 'user' });
  } catch {
    return null;
  }
  return got;
}

describe('the command lines main.ts runs without commander', () => {
  const same = [
    ['run', 'prog.wasm'],
    ['run', 'prog.wat', 'a', 'b c'],
    ['run', 'prog.wasm', '-v', '--fuel', '10', '--json', '--help', '--version'],
    ['run', 'prog.wasm', '--', '-x'],
    ['run', 'prog.wasm', '--'],
    ['run', 'help'],
    ['run', 'run', 'spec'],
    ['run', ''],
    ['run', 'a b.wasm', ''],
  ];
  for (const argv of same) {
    it(`${JSON.stringify(argv)}: what commander's run action gets`, () => {
      const fast = fastRun(argv);
      expect(fast).not.toBeNull();
      expect(fast).toEqual(viaCommander(argv));
    });
  }
  const left = [
    [],
    ['run'],
    ['run', '--fuel', '10', 'prog.wasm'],
    ['run', '--invoke', 'f', 'prog.wasm'],
    ['run', '--', 'prog.wasm'],
    ['run', '-h'],
    ['spec'],
    ['inspect', 'prog.wasm'],
    ['--help'],
    ['prog.wasm'],
    ['resume', 'x.snap'],
  ];
  for (const argv of left) {
    it(`${JSON.stringify(argv)}: left to commander`, () => {
      expect(fastRun(argv)).toBeNull();
    });
  }
  it('commander gives options before the file as run options (the lines fastRun leaves to it)', () => {
    expect(viaCommander(['run', '--fuel', '10', 'prog.wasm', 'x'])).toEqual({ file: 'prog.wasm', args: ['x'], opts: { countFuel: true, fuel: 10 } });
  });
});
