/**
 * Variable, table and memory instructions other than loads and stores (which the body loop checks):
 * global.get/set, table.get/set/size/grow/fill/copy/init, elem.drop, memory.size/grow/fill/copy/init, data.drop.
 */
import type { InstrDef } from '../core/instructions.js';
import { I32, I64 } from '../core/types.js';
import type { Instr } from '../decoder/instr.js';
import type { Checker } from './checker.js';
import { codeTableByName } from './ops.js';

const enum C {
  None = 0,
  GlobalGet,
  GlobalSet,
  TableGet,
  TableSet,
  TableSize,
  TableGrow,
  TableFill,
  TableCopy,
  TableInit,
  ElemDrop,
  MemorySize,
  MemoryGrow,
  MemoryFill,
  MemoryCopy,
  MemoryInit,
  DataDrop,
}
const NAMES: Record<string, C> = {
  'global.get': C.GlobalGet,
  'global.set': C.GlobalSet,
  'table.get': C.TableGet,
  'table.set': C.TableSet,
  'table.size': C.TableSize,
  'table.grow': C.TableGrow,
  'table.fill': C.TableFill,
  'table.copy': C.TableCopy,
  'table.init': C.TableInit,
  'elem.drop': C.ElemDrop,
  'memory.size': C.MemorySize,
  'memory.grow': C.MemoryGrow,
  'memory.fill': C.MemoryFill,
  'memory.copy': C.MemoryCopy,
  'memory.init': C.MemoryInit,
  'data.drop': C.DataDrop,
};
const CODES = codeTableByName(NAMES);

/** The family's instructions. */
export function isMemory(d: InstrDef): boolean {
  return CODES[d.id] !== C.None;
}

/** Checks `ins` (definition `def`, one of this family's). */
export function checkMemory(v: Checker, ins: Instr, def: InstrDef): void {
  const vm = v.vm;
  switch (CODES[def.id] as C) {
    case C.GlobalGet: {
      const x = ins.a;
      const g = vm.globals[x];
      if (!g || x >= v.globalLimit) v.fail(`unknown global ${x}`);
      if (v.isConst && g.mutable) v.fail('constant expression required');
      v.push(g.type);
      return;
    }
    case C.GlobalSet: {
      const x = ins.a;
      const g = vm.globals[x];
      if (!g) v.fail(`unknown global ${x}`);
      if (!g.mutable) v.fail(`immutable global ${x}`);
      v.pop(g.type);
      return;
    }
    case C.TableGet: {
      const tabAddr = v.tableAddr(ins.a);
      const tabElem = v.tableElem(ins.a);
      v.pop(tabAddr);
      v.push(tabElem);
      return;
    }
    case C.TableSet: {
      const tabAddr = v.tableAddr(ins.a);
      const tabElem = v.tableElem(ins.a);
      v.pop(tabElem);
      v.pop(tabAddr);
      return;
    }
    case C.TableSize:
      v.push(v.tableAddr(ins.a));
      return;
    case C.TableGrow: {
      const tabAddr = v.tableAddr(ins.a);
      const tabElem = v.tableElem(ins.a);
      v.pop(tabAddr);
      v.pop(tabElem);
      v.push(tabAddr);
      return;
    }
    case C.TableFill: {
      const tabAddr = v.tableAddr(ins.a);
      const tabElem = v.tableElem(ins.a);
      v.pop(tabAddr);
      v.pop(tabElem);
      v.pop(tabAddr);
      return;
    }
    case C.TableCopy: {
      const ad = v.tableAddr(ins.a);
      const as = v.tableAddr(ins.b);
      if (!v.isSub(v.tableElem(ins.b), v.tableElem(ins.a))) v.fail('type mismatch: table.copy element types');
      v.pop(ad === I64 && as === I64 ? I64 : I32);
      v.pop(as);
      v.pop(ad);
      return;
    }
    case C.TableInit: {
      const at = v.tableAddr(ins.b);
      const et = v.elemType(ins.a);
      if (!v.isSub(et, v.tableElem(ins.b))) v.fail('type mismatch: table.init element type');
      v.pop(I32);
      v.pop(I32);
      v.pop(at);
      return;
    }
    case C.ElemDrop:
      v.elemType(ins.a);
      return;
    case C.MemorySize:
      v.push(v.memAddr(ins.a));
      return;
    case C.MemoryGrow: {
      const at = v.memAddr(ins.a);
      v.pop(at);
      v.push(at);
      return;
    }
    case C.MemoryFill: {
      const at = v.memAddr(ins.a);
      v.pop(at);
      v.pop(I32);
      v.pop(at);
      return;
    }
    case C.MemoryCopy: {
      const ad = v.memAddr(ins.a);
      const as = v.memAddr(ins.b);
      v.pop(ad === I64 && as === I64 ? I64 : I32);
      v.pop(as);
      v.pop(ad);
      return;
    }
    case C.MemoryInit: {
      const at = v.memAddr(ins.b);
      v.checkData(ins.a);
      v.pop(I32);
      v.pop(I32);
      v.pop(at);
      return;
    }
    case C.DataDrop:
      v.checkData(ins.a);
      return;
  }
}
