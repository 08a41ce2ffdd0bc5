/**
 * Everything the WebAssembly facade takes from wasmeter's engine, in one place: when the engine's files move,
 * only these paths change.
 */
export { DecodeError, HostError, Interrupted, HostSuspended, LinkError as EngineLinkError, OutOfFuel, ResourceLimitError, Trap, Unsupported, ValidationError, WasmException, WasmeterError } from '../core/errors.js';
export type { Module as ModuleData } from '../core/module.js';
export {
  ANYREF, ARRAYREF, CompKind, EQREF, EXNREF, EXTERNREF, F32, F64, FUNCREF, HEAP_CONCRETE, HeapType, I31REF, I32, I64,
  NULLEXTERNREF, NULLFUNCREF, NULLREF, STRUCTREF, V128, isRef, refHeap, refNullable, refType,
  type FuncType, type GlobalType, type MemType, type TableType, type ValType,
} from '../core/types.js';
export type { Features } from '../core/instructions.js';
export { Module as EngineModule, Store, Instance as EngineInstance, type StoreOptions } from '../interp/store.js';
export { Memory as EngineMemory, Table as EngineTable, Global as EngineGlobal, HostFunc, WasmFunc, ExnRef, type FuncInst, type Peaks } from '../interp/runtime.js';
export { Tag as EngineTag, type Extern, type Instance as RawInstance } from '../interp/instance.js';
export { GcArray, GcStruct, HostNumber, hostRefFits, internalize } from '../interp/gc.js';
export { makeExnRef } from '../interp/exceptions.js';
export { fromBigInt, toBigInt } from '../interp/numeric/i64.js';
export type { TypeRegistry } from '../validate/types.js';
