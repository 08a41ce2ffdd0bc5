/**
 * Typed views over one ArrayBuffer holding v128 values (the value stack, a
 * constant pool, or a scratch area). Every SIMD operation takes a views
 * object and BYTE offsets; offsets must be multiples of 8 (the Float64Array
 * view needs 8-byte alignment). Lane i of a shape is the i-th element of the
 * matching view from the value's offset: the typed arrays use the host byte
 * order, which is little-endian on every platform Node runs on, matching
 * WebAssembly's lane numbering.
 */
export interface V128Views {
  readonly u8: Uint8Array;
  readonly i8: Int8Array;
  readonly u16: Uint16Array;
  readonly i16: Int16Array;
  readonly u32: Uint32Array;
  readonly i32: Int32Array;
  readonly f32: Float32Array;
  readonly f64: Float64Array;
}

export function viewsOf(buf: ArrayBufferLike): V128Views {
  return {
    u8: new Uint8Array(buf),
    i8: new Int8Array(buf),
    u16: new Uint16Array(buf),
    i16: new Int16Array(buf),
    u32: new Uint32Array(buf),
    i32: new Int32Array(buf),
    f32: new Float32Array(buf),
    f64: new Float64Array(buf),
  };
}

/** Private 16-byte result area for operations whose output lanes depend on other input lanes. */
export const SCRATCH: V128Views = viewsOf(new ArrayBuffer(16));

/** Copies the scratch result to byte offset d. */
export function fromScratch(v: V128Views, d: number): void {
  const o = d >> 2;
  const s = SCRATCH.i32;
  v.i32[o] = s[0]!;
  v.i32[o + 1] = s[1]!;
  v.i32[o + 2] = s[2]!;
  v.i32[o + 3] = s[3]!;
}
