export * from './core/errors.js';
export * from './core/types.js';
export type * from './core/module.js';
export { INSTRS, lookup, byName, type InstrDef } from './core/instructions.js';
