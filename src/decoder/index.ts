export { decodeModule, scanBody, parseNameSection, type DecodeOptions } from './decode.js';
export {
  Instr,
  readInstr,
  readValType,
  readRefType,
  readHeapType,
  readBlockType,
  readVecLen,
  type Catch,
} from './instr.js';
