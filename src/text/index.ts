/** The WebAssembly text format: WAT modules and WAST scripts. */
export { parseWat, watToBinary } from './wat.js';
export { parseScript } from './script.js';
export type {
  Script,
  Command,
  ModuleSource,
  Action,
  Value,
  Expected,
  FloatPattern,
  V128Shape,
} from './script.js';
export { Lexer, Tok } from './lexer.js';
export { parseF32, parseF64, parseI32, parseI64, NumError } from './numbers.js';
