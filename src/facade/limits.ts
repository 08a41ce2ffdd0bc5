/**
 * The JS API's implementation limits (the "Limits" section of the JS API spec): a module beyond one of them is a
 * CompileError even when it is valid WebAssembly.
 */
import { CompKind, HEAP_CONCRETE, WasmeterError, isRef, refHeap, refNullable, type ModuleData, type ValType } from './engine.js';

const MAX_TYPES = 1_000_000;
const MAX_FUNCTIONS = 1_000_000;
const MAX_IMPORTS = 1_000_000;
const MAX_EXPORTS = 1_000_000;
const MAX_GLOBALS = 1_000_000;
const MAX_DATA_SEGMENTS = 100_000;
/** The largest module binary (bytes). */
export const MAX_MODULE_SIZE = 1024 * 1024 * 1024;
const MAX_FUNCTION_SIZE = 7_654_321;
const MAX_FUNCTION_LOCALS = 50_000;
const MAX_FUNCTION_PARAMS = 1_000;
const MAX_FUNCTION_RESULTS = 1_000;
const MAX_ELEMENT_SEGMENTS = 10_000_000;
const MAX_TABLES = 100_000;
const MAX_MEMORIES = 1;

function over(what: string, n: number, max: number): void {
  if (n > max) throw new WasmeterError(`${what}: ${n} exceeds the limit of ${max}`);
}

/** The limit on the count at the start of each vector section, by section id (a lower bound of what is limited). */
const SECTION_LIMITS: Record<number, [string, number]> = {
  1: ['types', MAX_TYPES], // rec groups: at most the number of types
  2: ['imports', MAX_IMPORTS],
  3: ['functions', MAX_FUNCTIONS],
  4: ['tables', MAX_TABLES],
  5: ['memories', MAX_MEMORIES],
  6: ['globals', MAX_GLOBALS],
  7: ['exports', MAX_EXPORTS],
  9: ['element segments', MAX_ELEMENT_SEGMENTS],
  11: ['data segments', MAX_DATA_SEGMENTS],
};

/**
 * Throws as checkLimits does when the binary's size or a section's count already exceeds a limit, before the
 * module is decoded (a module with ten million and one element segments need not be read). Reads only section
 * headers; anything malformed is left to the decoder.
 */
export function checkCounts(bytes: Uint8Array): void {
  over('module size', bytes.length, MAX_MODULE_SIZE);
  let p = 8;
  const u32 = (): number => {
    let v = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (p >= bytes.length) return -1;
      const b = bytes[p++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
    }
    return -1;
  };
  while (p < bytes.length) {
    const id = bytes[p++]!;
    const size = u32();
    if (size < 0) return;
    const end = p + size;
    const limit = SECTION_LIMITS[id];
    if (limit !== undefined) {
      const n = u32();
      if (n < 0) return;
      over(limit[0], n, limit[1]);
    }
    p = end;
  }
}

/** Throws (a WasmeterError, which the facade reports as CompileError) when the module exceeds a limit. */
export function checkLimits(m: ModuleData, size: number): void {
  over('module size', size, MAX_MODULE_SIZE);
  over('types', m.types.length, MAX_TYPES);
  over('imports', m.imports.length, MAX_IMPORTS);
  over('exports', m.exports.length, MAX_EXPORTS);
  const imported = (kind: string): number => m.imports.filter((i) => i.desc.kind === kind).length;
  over('functions', imported('func') + m.funcs.length, MAX_FUNCTIONS);
  over('globals', imported('global') + m.globals.length, MAX_GLOBALS);
  over('tables', imported('table') + m.tables.length, MAX_TABLES);
  over('memories', imported('memory') + m.memories.length, MAX_MEMORIES);
  over('data segments', m.datas.length, MAX_DATA_SEGMENTS);
  over('element segments', m.elems.length, MAX_ELEMENT_SEGMENTS);
  for (const t of m.types) {
    if (t.comp.kind !== CompKind.Func) continue;
    over('function parameters', t.comp.params.length, MAX_FUNCTION_PARAMS);
    over('function results', t.comp.results.length, MAX_FUNCTION_RESULTS);
  }
  for (let i = 0; i < m.codes.length; i++) {
    const c = m.codes[i]!;
    over('function size', c.body.length + localsSize(c.locals), MAX_FUNCTION_SIZE);
    const t = m.types[m.funcs[i]!]!.comp;
    let locals = t.kind === CompKind.Func ? t.params.length : 0;
    for (const g of c.locals) locals += g.count;
    over('function locals', locals, MAX_FUNCTION_LOCALS);
  }
}

/** Bytes of an unsigned LEB128 number. */
function lebSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

/** Bytes of a value type's binary encoding (a nullable abstract reference has a one-byte short form). */
function typeSize(t: ValType): number {
  if (!isRef(t)) return 1;
  const heap = refHeap(t);
  if (heap >= HEAP_CONCRETE) return 1 + lebSize(heap - HEAP_CONCRETE);
  return refNullable(t) ? 1 : 2;
}

/** Bytes of a body's locals declaration: a function's size counts it, as in the code section. */
function localsSize(groups: readonly { count: number; type: ValType }[]): number {
  let n = lebSize(groups.length);
  for (const g of groups) n += lebSize(g.count) + typeSize(g.type);
  return n;
}

/** The largest table an instance may have (a larger initial size is a RangeError at instantiation). */
export const MAX_TABLE_SIZE = 10_000_000;
