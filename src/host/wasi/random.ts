/** random_get's deterministic source: xoshiro128** seeded by splitmix32. */
export class Xoshiro128 {
  private s = new Uint32Array(4);
  constructor(seed: number | bigint) {
    let x = Number(BigInt.asUintN(32, BigInt(seed)) ^ BigInt.asUintN(32, BigInt(seed) >> 32n)) >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if ((this.s[0]! | this.s[1]! | this.s[2]! | this.s[3]!) === 0) this.s[0] = 1;
  }
  next(): number {
    const s = this.s;
    const r = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return r;
  }
  fill(dst: Uint8Array): void {
    let i = 0;
    while (i < dst.length) {
      let v = this.next();
      for (let k = 0; k < 4 && i < dst.length; k++, v >>>= 8) dst[i++] = v & 0xff;
    }
  }
}
function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
