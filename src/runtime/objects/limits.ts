/** What a store limits and tracks for its memories, tables, stacks and GC arrays. */

/** Limits a Store enforces (all optional). */
export interface Limits {
  /** Maximum bytes of linear memory, summed over all memories of the store. */
  maxMemoryBytes?: number;
  /** Maximum elements of any one table. */
  maxTableElements?: number;
  /** Maximum nesting of wasm calls (default 10000): exceeding it traps "call stack exhausted". */
  maxCallDepth?: number;
  /** Maximum bytes of the value stack (default 64 MiB). */
  maxValueStackBytes?: number;
  /**
   * Maximum bytes of any one GC array (default 256 MiB; a reference element
   * counts 8 bytes): allocating a larger one throws ResourceLimitError.
   */
  maxArrayBytes?: number;
}

export interface Peaks {
  memoryBytes: number;
  valueStackBytes: number;
  callDepth: number;
  tableElements: number;
}

/** What a store tracks for its memories' and tables' limits and peaks. */
export interface ResourceHost {
  limits: Limits;
  peaks: Peaks;
  /** Bytes currently allocated by all memories of the store. */
  memoryBytes: number;
}
