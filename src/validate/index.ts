/** Validation: the type system, module checks and function-body checks. */
export {
  validateModule,
  validateFunction,
  type ValidateOptions,
  type ResolvedOptions,
  type ValidatedModule,
  type FeatureName,
} from './module.js';
export { FuncValidator, type CodeSink } from './func.js';
export { FrameKind, defaultable, type Frame } from './checker.js';
export {
  TypeRegistry,
  ModuleTypes,
  defaultRegistry,
  validateTypes,
  toCanonVal,
  absTop,
  absBottom,
  isNumOrVec,
  unpacked,
  BOTTOM,
  HEAP_BOT,
  matchLimits,
  matchGlobalType,
  matchTableType,
  matchMemType,
  type CanonType,
} from './types.js';
