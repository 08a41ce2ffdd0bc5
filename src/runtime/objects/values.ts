/**
 * Values at the embedding API's boundary: raw float bit patterns (NaN
 * payloads kept) and i64 as BigInt over two int32 halves.
 */

/** A raw f32 bit pattern passed as an argument (keeps NaN payloads). */
export class RawF32 {
  constructor(readonly bits: number) {}
}
/** A raw f64 bit pattern as two int32 halves (keeps NaN payloads). */
export class RawF64 {
  constructor(
    readonly lo: number,
    readonly hi: number,
  ) {}
}

/** Signed value as a BigInt (API boundary only). */
export function toBigInt(m: Int32Array, a: number): bigint {
  return (BigInt(m[a + 1]!) << 32n) | BigInt(m[a]! >>> 0);
}

/** Unsigned value as a BigInt (API boundary only). */
export function toBigIntU(m: Int32Array, a: number): bigint {
  return (BigInt(m[a + 1]! >>> 0) << 32n) | BigInt(m[a]! >>> 0);
}

/** Stores a BigInt, wrapped modulo 2^64 (API boundary only). */
export function fromBigInt(m: Int32Array, d: number, v: bigint): void {
  const u = BigInt.asUintN(64, v);
  m[d] = Number(u & 0xffffffffn) | 0;
  m[d + 1] = Number(u >> 32n) | 0;
}
