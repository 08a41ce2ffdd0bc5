/**
 * Everything the WebAssembly facade takes from wasmeter's engine, in one place: when the engine's files move,
 * only these paths change.
 */
export { DecodeError, HostError, Interrupted, HostSuspended, LinkError as EngineLinkError, OutOfFuel, ResourceLimitError, Trap, Unsupported, ValidationError, WasmeterError } from '../core/errors.js';
export { WasmException } from '../runtime/objects/exception.js';
export type { Module as ModuleData } from '../core/module.js';
export {
  ANYREF, ARRAYREF, CompKind, EQREF, EXNREF, EXTERNREF, F32, F64, FUNCREF, HEAP_CONCRETE, HeapType, I31REF, I32, I64,
  NULLEXTERNREF, NULLFUNCREF, NULLREF, STRUCTREF, V128, isRef, refHeap, refNullable, refType,
  type FuncType, type GlobalType, type MemType, type TableType, type ValType,
} from '../core/types.js';
export type { Features } from '../core/instructions.js';
export { Module as EngineModule } from '../runtime/module.js';
export { Store, type StoreOptions } from '../runtime/store.js';
export { Instance as EngineInstance } from '../runtime/instance.js';
export { Memory as EngineMemory } from '../runtime/objects/memory.js';
export { Table as EngineTable } from '../runtime/objects/table.js';
export { Global as EngineGlobal } from '../runtime/objects/global.js';
export { HostFunc, WasmFunc, type FuncInst } from '../runtime/objects/func.js';
export { ExnRef } from '../runtime/objects/exception.js';
export { type Peaks } from '../runtime/objects/limits.js';
export { Tag as EngineTag } from '../runtime/objects/exception.js';
export { type Extern, type Instance as RawInstance } from '../runtime/objects/instance.js';
export { GcArray, GcStruct, HostNumber, hostRefFits, internalize } from '../runtime/objects/gc.js';
export { makeExnRef } from '../interp/exceptions.js';
export { fromBigInt, toBigInt } from '../interp/numeric/i64.js';
export type { TypeRegistry } from '../validate/types.js';
