/** Globals: a value's bits in a 4-word cell (like a stack slot), or a reference. */
import { type GlobalType } from '../../core/types.js';

export class Global {
  /** Numeric/vector value bits (4 words, like a stack slot). */
  readonly cell = new Int32Array(4);
  /** Reference value. */
  ref: unknown = null;
  constructor(readonly type: GlobalType) {}
}
