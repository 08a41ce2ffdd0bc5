/**
 * Vector instructions for the MISC op. The lane semantics live in
 * ./simd/ (pure functions over the value stack's bytes); this file maps
 * instruction table entries onto them.
 */
import type { InstrDef } from '../core/instructions.js';
import type { Instance } from './instance.js';
import type { Machine } from './machine.js';

/** Whether the vector instruction has an executor yet. */
export function hasSimd(def: InstrDef): boolean {
  void def;
  return false;
}

export function execSimd(
  mc: Machine,
  inst: Instance,
  def: InstrDef,
  d: number,
  s0: number,
  s1: number,
  s2: number,
  i0: number,
  i1: number,
  i2: number,
  i3: number,
): void {
  void [mc, inst, d, s0, s1, s2, i0, i1, i2, i3];
  throw new Error(`wasmeter internal error: no vector executor for ${def.name}`);
}
