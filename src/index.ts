/**
 * wasmeter: a WebAssembly VM with exact, resumable fuel metering.
 * See docs/api.md.
 */
import { WasmeterError } from './core/errors.js';
import { CompKind, F32, F64, I32, I64, V128, type FuncType, type ValType } from './core/types.js';
import { RawF32 as RawF32Value, RawF64 as RawF64Value } from './runtime/objects/values.js';
import * as I64N from './interp/numeric/i64.js';
import { Global as GlobalInst } from './runtime/objects/global.js';
import { globalValue as readGlobal } from './runtime/instance.js';
import { fromHost } from './runtime/objects/gc.js';
// Module.fromWat and module.bytes (of a Module.fromData): the text format and the encoder
import './runtime/text.js';
export * from './core/errors.js';
export * from './core/types.js';
export type {
  Module as ModuleData,
  Import,
  Export,
  ExternKind,
  ConstExpr,
  FuncBody,
  ElemSegment,
  DataSegment,
} from './core/module.js';
export {
  INSTRS,
  lookup,
  byName,
  FEATURES,
  PROFILES,
  ADDABLE,
  type InstrDef,
  type Family,
  type Feature,
  type FeatureName,
  type Features,
  type FeatureSpec,
  type Profile,
} from './core/instructions.js';
export { decodeModule, type DecodeOptions } from './decoder/decode.js';
export { encodeModule } from './encoder/encode.js';
export { validateModule, type ValidateOptions, type ValidatedModule } from './validate/module.js';
export { Module, type ModuleOptions, type ExternType, type ImportInfo, type ExportInfo, type ExportedFunction } from './runtime/module.js';
export { Store, Caller, type StoreOptions, type InterruptOptions } from './runtime/store.js';
export { codeCacheStats, translationCacheStats, validationCacheStats, type CodeCache } from './jit/code-cache.js';
export { fileCodeCache, type FileCodeCache, type FileCodeCacheOptions, type CodeCacheFs, type CodeCacheCrypto } from './host/code-cache-file.js';
export { Instance, type TypedFunc, type TypedValType, type JsValueOf } from './runtime/instance.js';
export { Memory } from './runtime/objects/memory.js';
export { Table } from './runtime/objects/table.js';
export { Global } from './runtime/objects/global.js';
export { HostFunc, WasmFunc } from './runtime/objects/func.js';
export type { Limits, Peaks } from './runtime/objects/limits.js';
export { Tag, ExnRef, WasmException } from './runtime/objects/exception.js';
export type { Extern } from './runtime/objects/instance.js';
export { RawF32, RawF64 } from './runtime/objects/values.js';
export { GcStruct, GcArray } from './runtime/objects/gc.js';
export type { FuelCosts } from './runtime/objects/costs.js';
export { Linker } from './host/linker.js';
export { createWebAssembly, type WebAssemblyOptions } from './facade/webassembly.js';
export * from './snapshot/index.js';
export { parseWat, watToBinary, parseScript } from './text/index.js';
export * from './host/abi/index.js';
export type { Script, Command, ModuleSource, Action, Value, Expected, FloatPattern } from './text/index.js';

// ------------------------------------------------------------------ embedding helpers


/** A function type, e.g. for a host function: `funcType([I32, I64], [F64])`. */
export function funcType(params: readonly ValType[], results: readonly ValType[] = []): FuncType {
  return { kind: CompKind.Func, params: [...params], results: [...results] };
}

/**
 * A global holding a JS value, to define in a Linker as an import
 * (i32/f32/f64: number, i64: bigint, v128: 16-byte Uint8Array, references: the reference or null).
 */
export function createGlobal(type: ValType, value: unknown, mutable = false): GlobalInst {
  const g = new GlobalInst({ type, mutable });
  writeGlobal(g, value);
  return g;
}

/** The value of a global (as Instance.global returns it). */
export function globalValue(g: GlobalInst): unknown {
  return readGlobal(g);
}

/** Sets a mutable global from the host; throws WasmeterError for an immutable one. */
export function setGlobalValue(g: GlobalInst, value: unknown): void {
  if (!g.type.mutable) throw new WasmeterError('cannot set an immutable global');
  writeGlobal(g, value);
}

function writeGlobal(g: GlobalInst, v: unknown): void {
  const c = g.cell;
  switch (g.type.type) {
    case I32:
      c[0] = Number(v) | 0;
      return;
    case I64:
      I64N.fromBigInt(c, 0, typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v))));
      return;
    case F32:
      if (v instanceof RawF32Value) c[0] = v.bits;
      else new Float32Array(c.buffer)[0] = Number(v);
      return;
    case F64:
      if (v instanceof RawF64Value) {
        c[0] = v.lo;
        c[1] = v.hi;
      } else new Float64Array(c.buffer)[0] = Number(v);
      return;
    case V128:
      if (!(v instanceof Uint8Array) || v.length !== 16) throw new WasmeterError('v128 values are 16-byte Uint8Arrays');
      new Uint8Array(c.buffer).set(v);
      return;
  }
  g.ref = fromHost(g.type.type, v);
}
export * from './host/wasi/index.js';
export type { FunctionProfile } from './runtime/objects/profile.js';
