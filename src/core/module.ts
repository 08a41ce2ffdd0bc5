/**
 * The decoded form of a module: what the decoder produces from bytes, what
 * the text parser produces from WAT (then encoded to bytes), and what the
 * validator, translator and linker read.
 *
 * Code (function bodies and constant expressions) is kept as raw bytes in the
 * binary instruction encoding, so one instruction reader serves the
 * validator, the translator and constant evaluation, and decoding stays lazy.
 */
import type { GlobalType, MemType, SubType, TableType, ValType } from './types.js';

export type ExternKind = 'func' | 'table' | 'memory' | 'global' | 'tag';
export const EXTERN_KIND_BYTE: Record<ExternKind, number> = { func: 0, table: 1, memory: 2, global: 3, tag: 4 };

/** Raw bytes of a constant expression, including its final `end` (0x0b). */
export interface ConstExpr {
  bytes: Uint8Array;
  /** Offset of `bytes[0]` in the module binary (for error messages), or -1. */
  offset: number;
}

export type ImportDesc =
  | { kind: 'func'; typeIndex: number; /** custom descriptors: an exact function import (binary 0x20) */ exact?: boolean }
  | { kind: 'table'; type: TableType }
  | { kind: 'memory'; type: MemType }
  | { kind: 'global'; type: GlobalType }
  | { kind: 'tag'; typeIndex: number };

export interface Import {
  module: string;
  name: string;
  desc: ImportDesc;
}

export interface Export {
  name: string;
  kind: ExternKind;
  index: number;
}

export interface TableDef {
  type: TableType;
  /** Initialiser for every element (typed function references); null means ref.null. */
  init: ConstExpr | null;
}

export interface GlobalDef {
  type: GlobalType;
  init: ConstExpr;
}

export type SegmentMode = 'active' | 'passive' | 'declarative';

/**
 * An element segment. The decoder gives consecutive equal segments without elements one frozen object (the first's,
 * its offset expression's offset that of the first), so a module of ten million of them is not ten million objects.
 */
export interface ElemSegment {
  mode: SegmentMode;
  /** Active segments: table index and offset expression. */
  table: number;
  offset: ConstExpr | null;
  /** Element reference type. */
  type: ValType;
  /** One constant expression per element (function indices are stored as `ref.func i` exprs). */
  init: ConstExpr[];
}

export interface DataSegment {
  mode: 'active' | 'passive';
  memory: number;
  offset: ConstExpr | null;
  bytes: Uint8Array;
}

export interface LocalGroup {
  count: number;
  type: ValType;
}

export interface FuncBody {
  locals: LocalGroup[];
  /** The expression bytes, from the first instruction up to and including the final `end`. */
  body: Uint8Array;
  /** Offset of `body[0]` in the module binary, or -1 (for error messages). */
  offset: number;
}

export interface CustomSection {
  name: string;
  bytes: Uint8Array;
  /** Placement relative to known sections: id of the section it follows (0 = before all). */
  after: number;
}

export interface NameSection {
  module?: string;
  functions: Map<number, string>;
  locals: Map<number, Map<number, string>>;
  /** Tag names (subsection 11 of the extended name section). */
  tags?: Map<number, string>;
}

export interface Module {
  types: SubType[];
  imports: Import[];
  /** Type index of each function defined in this module (not imported). */
  funcs: number[];
  tables: TableDef[];
  memories: MemType[];
  /** Type index of each tag defined in this module. */
  tags: number[];
  globals: GlobalDef[];
  exports: Export[];
  start: number | null;
  elems: ElemSegment[];
  datas: DataSegment[];
  /** The data count section's value, or null when absent. */
  dataCount: number | null;
  codes: FuncBody[];
  customs: CustomSection[];
  names: NameSection | null;
}

export function emptyModule(): Module {
  return {
    types: [],
    imports: [],
    funcs: [],
    tables: [],
    memories: [],
    tags: [],
    globals: [],
    exports: [],
    start: null,
    elems: [],
    datas: [],
    dataCount: null,
    codes: [],
    customs: [],
    names: null,
  };
}
