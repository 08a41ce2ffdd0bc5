export {
  encodeModule,
  encodeNameSection,
  writeValType,
  writeHeapType,
  writeTableType,
  writeMemType,
  writeGlobalType,
  SECTION_ORDER,
} from './encode.js';
export { writeInstr, writeBlockType } from './instr.js';
