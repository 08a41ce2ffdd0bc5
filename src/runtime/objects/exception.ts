/** Exceptions as values: tags, exception references (`exnref`), and the error an uncaught one becomes. */
import { WasmeterError } from '../../core/errors.js';
import { F32, F64, I32, I64, V128, type FuncType } from '../../core/types.js';
import { toBigInt } from './values.js';

/** A WebAssembly exception tag. */
export class Tag {
  constructor(
    readonly type: FuncType,
    readonly typeId: number,
  ) {}
}

/** A WebAssembly exception (an `exnref`): its tag and payload (raw slot words, 4 per value, and references). */
export class ExnRef {
  constructor(
    readonly tag: Tag,
    /** The payload's bits, one 4-word slot per value (NaN payloads kept). */
    readonly words: Int32Array,
    /** The payload's references (null for numeric values). */
    readonly refs: unknown[],
  ) {}
  /** The payload as the embedding API represents values (i64: bigint, v128: Uint8Array, ...). */
  get values(): unknown[] {
    const ps = this.tag.type.params;
    const out: unknown[] = [];
    const b = this.words.buffer;
    const o = this.words.byteOffset;
    for (let i = 0; i < ps.length; i++) {
      const w = i * 4;
      switch (ps[i]!) {
        case I32:
          out.push(this.words[w]!);
          break;
        case I64:
          out.push(toBigInt(this.words, w));
          break;
        case F32:
          out.push(new Float32Array(b, o + w * 4, 1)[0]!);
          break;
        case F64:
          out.push(new Float64Array(b, o + w * 4, 1)[0]!);
          break;
        case V128:
          out.push(new Uint8Array(b.slice(o + w * 4, o + w * 4 + 16)));
          break;
        default:
          out.push(this.refs[i]);
      }
    }
    return out;
  }
}

/**
 * A WebAssembly exception that no wasm handler caught (it leaves
 * `Store.invoke` / `Instance.call`), or one a host function throws into
 * wasm: wasm code calling the host function catches it like an exception
 * thrown by wasm (`try_table` / legacy `try` clauses for `tag`).
 */
export class WasmException extends WasmeterError {
  override name = 'WasmException';
  constructor(
    /** The exception's tag (a `Tag`: exported by an instance or made by `Store.tag`). */
    readonly tag: Tag,
    /** The payload, as the embedding API represents values (i64: bigint, ...), one per tag parameter. */
    readonly values: readonly unknown[],
    /** The wasm exception object (`exnref`) when the exception came from wasm. */
    readonly exn: ExnRef | null = null,
  ) {
    super(`uncaught wasm exception (tag with ${tag.type.params.length} payload value${tag.type.params.length === 1 ? '' : 's'})`);
  }
}
