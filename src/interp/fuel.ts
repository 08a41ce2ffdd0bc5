/**
 * Surcharges (bulk operations' per-byte and per-element fuel, see docs/fuel.md) paid from the
 * machine's fuel. A leaf of the interpreter: it imports the machine's type only, so the
 * instruction families (misc.ts, gc.ts) can import it without a cycle through machine.ts.
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
