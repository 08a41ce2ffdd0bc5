/**
 * Surcharges (bulk memory, table and GC operations, memory.grow) paid from
 * the machine's fuel by the MISC executors (misc.ts, gc.ts). Kept out of
 * machine.ts so that the executors, which exec.ts imports, do not import the
 * machine and, through it, the translator (whose tables read exec.ts's Op at
 * load time): the module graph under exec.ts has no cycle through machine.ts.
 */
import type { Machine } from './machine.js';

/** Pays a surcharge from the machine's fuel; false (with mc.needed set, nothing paid) when it cannot. */
export function paySurcharge(mc: Machine, n: number): boolean {
  if (n <= 0) return true;
  if (mc.fuel < n) {
    mc.needed = n;
    return false;
  }
  mc.fuel -= n;
  return true;
}
