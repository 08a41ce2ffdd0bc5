/**
 * Colours of the CLI's own output (the spec table, inspect's headings): picocolors, loaded by those commands only.
 */
import { createColors } from 'picocolors';

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
export const pc = createColors(colourEnabled(process.env, process.stdout.isTTY === true));
