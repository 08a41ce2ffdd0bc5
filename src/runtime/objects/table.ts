/** Tables: their elements (references) and growth within the store's limits. */
import { ResourceLimitError } from '../../core/errors.js';
import { type TableType } from '../../core/types.js';
import type { ResourceHost } from './limits.js';

export class Table {
  elems: unknown[];
  /** Whether indices are i64 (table64). */
  readonly is64: boolean;
  constructor(
    readonly type: TableType,
    init: unknown,
    readonly host: ResourceHost | null,
  ) {
    const lim = host?.limits.maxTableElements;
    if (lim !== undefined && type.min > lim)
      throw new ResourceLimitError(`table of ${type.min} elements exceeds the store's limit of ${lim}`);
    if (type.min > 10_000_000) throw new ResourceLimitError(`table of ${type.min} elements is too large for this host`);
    this.elems = new Array(type.min).fill(init);
    this.is64 = type.addr === 'i64';
    this.peak();
  }
  get size(): number {
    return this.elems.length;
  }
  private peak(): void {
    if (this.host && this.elems.length > this.host.peaks.tableElements) this.host.peaks.tableElements = this.elems.length;
  }
  /** Grows by `delta` elements filled with `init`; returns the old size or -1. */
  /** Whether grow(delta) can succeed (limits, and the host's table size cap). */
  mayGrow(delta: number): boolean {
    const next = this.elems.length + delta;
    const specMax = this.type.addr === 'i64' ? 2 ** 64 - 1 : 2 ** 32 - 1;
    if (next > (this.type.max ?? specMax) || next > specMax) return false;
    const lim = this.host?.limits.maxTableElements;
    return !((lim !== undefined && next > lim) || next > 10_000_000);
  }

  grow(delta: number, init: unknown): number {
    const old = this.elems.length;
    const next = old + delta;
    const specMax = this.type.addr === 'i64' ? 2 ** 64 - 1 : 2 ** 32 - 1;
    if (next > (this.type.max ?? specMax) || next > specMax) return -1;
    const lim = this.host?.limits.maxTableElements;
    if ((lim !== undefined && next > lim) || next > 10_000_000) return -1;
    for (let i = 0; i < delta; i++) this.elems.push(init);
    this.peak();
    return old;
  }
}
