/**
 * wasmeter: a WebAssembly VM with exact, resumable fuel metering.
 * See docs/api.md.
 */
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
export { INSTRS, lookup, byName, type InstrDef, type Family, type Feature } from './core/instructions.js';
export { decodeModule } from './decoder/decode.js';
export { encodeModule } from './encoder/encode.js';
export { validateModule, type ValidateOptions, type ValidatedModule } from './validate/module.js';
export { Module, Store, Instance, Caller, type StoreOptions } from './interp/store.js';
export { Memory, Table, Global, HostFunc, WasmFunc, type Limits, type Peaks } from './interp/runtime.js';
export { Tag, type Extern } from './interp/instance.js';
export { RawF32, RawF64 } from './interp/machine.js';
export type { FuelCosts } from './interp/fuel.js';
export { Linker } from './host/linker.js';
export { parseWat, watToBinary, parseScript } from './text/index.js';
export * from './host/wasi/index.js';
