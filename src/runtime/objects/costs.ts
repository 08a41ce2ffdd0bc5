/**
 * The fuel cost model as data (see docs/fuel.md). A store resolves a
 * FuelCosts object into one cost per instruction of the table plus the
 * surcharges.
 */
import { INSTRS, type Family } from '../../core/instructions.js';

export interface FuelCosts {
  /** Cost of every instruction not named otherwise (default 1). */
  default?: number;
  /** Per family of the instruction table ('numeric', 'memory', 'control', ...). */
  families?: Partial<Record<Family, number>>;
  /** Per instruction, by text name ('i64.div_s': 4). */
  instructions?: Record<string, number>;
  /** memory.fill/copy/init: one fuel per this many bytes, rounded down (default 64). */
  bytesPerFuel?: number;
  /** table.fill/copy/init/grow and the array allocation/bulk instructions: one fuel per this many elements, rounded down (default 16). */
  elementsPerFuel?: number;
  /** memory.grow: fuel per page added by a successful grow (default 1). */
  memoryGrowPage?: number;
  /** Per call of a host function (default 1), besides what the host charges itself. */
  hostCall?: number;
}

export interface ResolvedCosts {
  bytesPerFuel: number;
  elementsPerFuel: number;
  memoryGrowPage: number;
  hostCall: number;
  source: FuelCosts;
}

function nonNegInt(x: number, what: string): number {
  if (!Number.isInteger(x) || x < 0) throw new RangeError(`fuel cost ${what} must be a non-negative integer, got ${x}`);
  return x;
}

export function resolveCosts(c: FuelCosts = {}): ResolvedCosts {
  const bytes = c.bytesPerFuel ?? 64;
  const elems = c.elementsPerFuel ?? 16;
  if (!(bytes >= 1) || !(elems >= 1)) throw new RangeError('bytesPerFuel and elementsPerFuel must be >= 1');
  return {
    bytesPerFuel: bytes,
    elementsPerFuel: elems,
    memoryGrowPage: nonNegInt(c.memoryGrowPage ?? 1, 'memoryGrowPage'),
    hostCall: nonNegInt(c.hostCall ?? 1, 'hostCall'),
    source: c,
  };
}

/** Cost of each instruction, indexed by instruction table id. */
export function costTable(r: ResolvedCosts): Int32Array {
  const c = r.source;
  const out = new Int32Array(INSTRS.length);
  const def = nonNegInt(c.default ?? 1, 'default');
  for (const d of INSTRS) {
    const v = c.instructions?.[d.name] ?? c.families?.[d.family] ?? def;
    out[d.id] = nonNegInt(v, d.name);
  }
  if (c.instructions) {
    for (const name of Object.keys(c.instructions)) {
      if (!INSTRS.some((d) => d.name === name)) throw new RangeError(`fuel cost table names an unknown instruction '${name}'`);
    }
  }
  return out;
}

/** Surcharge of a bulk memory operation of n bytes. */
export function byteSurcharge(r: ResolvedCosts, n: number): number {
  return Math.floor(n / r.bytesPerFuel);
}
/** Surcharge of a bulk table operation of n elements. */
export function elemSurcharge(r: ResolvedCosts, n: number): number {
  return Math.floor(n / r.elementsPerFuel);
}

const COST_KEYS = new Set(['default', 'families', 'instructions', 'bytesPerFuel', 'elementsPerFuel', 'memoryGrowPage', 'hostCall']);

/**
 * Checks a cost table read from JSON (the CLI's `--costs file.json`): only
 * the documented fields, known family and instruction names, and numbers
 * where numbers belong. Throws RangeError naming the first problem.
 */
export function parseCosts(v: unknown): FuelCosts {
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  if (!isObj(v)) throw new RangeError('a cost table is a JSON object');
  for (const k of Object.keys(v)) if (!COST_KEYS.has(k)) throw new RangeError(`unknown cost table field '${k}'`);
  const num = (x: unknown, what: string): number => {
    if (typeof x !== 'number') throw new RangeError(`cost table: ${what} must be a number`);
    return x;
  };
  const out: FuelCosts = {};
  for (const k of ['default', 'bytesPerFuel', 'elementsPerFuel', 'memoryGrowPage', 'hostCall'] as const) {
    if (v[k] !== undefined) out[k] = num(v[k], k);
  }
  if (v['families'] !== undefined) {
    const f = v['families'];
    if (!isObj(f)) throw new RangeError('cost table: families must be an object');
    const known = new Set(INSTRS.map((d) => d.family as string));
    const fam: Record<string, number> = {};
    for (const [k, x] of Object.entries(f)) {
      if (!known.has(k)) throw new RangeError(`cost table: unknown family '${k}' (known: ${[...known].sort().join(', ')})`);
      fam[k] = num(x, `families.${k}`);
    }
    out.families = fam as FuelCosts['families'];
  }
  if (v['instructions'] !== undefined) {
    const f = v['instructions'];
    if (!isObj(f)) throw new RangeError('cost table: instructions must be an object');
    const ins: Record<string, number> = {};
    for (const [k, x] of Object.entries(f)) ins[k] = num(x, `instructions.${k}`);
    out.instructions = ins;
  }
  // the remaining checks (non-negative integers, known instruction names) are resolveCosts/costTable's
  costTable(resolveCosts(out));
  return out;
}
