/** The pure-JS SHA-256 that binds snapshots to module bytes, against node:crypto (padding edges included). */
import { createHash } from 'node:crypto';
import { expect, test } from 'vitest';
import { ByteWriter, Checksum, checksum, hex, sha256 } from '../../src/snapshot/format.js';
test('sha256', () => {
  for (const n of [0, 1, 55, 56, 63, 64, 65, 1000, 100000]) {
    const b = new Uint8Array(n).map((_, i) => (i * 31 + 7) & 255);
    expect(hex(sha256(b))).toBe(createHash('sha256').update(b).digest('hex'));
  }
});

test('the checksum fed in pieces (any split, odd words held over) equals the checksum at once', () => {
  const b = new Uint8Array(4 * 1001).map((_, i) => (i * 131 + 17) & 255);
  const words = new Int32Array(b.buffer);
  const whole = checksum(b, 0);
  // every word matters, including the last, held-over one
  for (const at of [0, 500, 1000]) {
    const c = b.slice();
    c[at * 4]! ^= 1;
    expect(checksum(c, 0)).not.toBe(whole);
  }
  for (const cuts of [[1], [2], [1, 2, 3], [333, 334, 999], [7, 8, 100, 101, 1000]]) {
    const sum = new Checksum();
    let from = 0;
    for (const to of [...cuts, words.length]) {
      sum.update(words, from, to);
      sum.update(words, to, to); // (an empty piece changes nothing)
      from = to;
    }
    expect(sum.digest()).toBe(whole);
  }
});

test('ByteWriter.finish checksums its pieces as it copies them, as one pass over the output would', () => {
  const w = new ByteWriter();
  w.u8(1);
  w.raw(new Uint8Array(3000).fill(9)); // (kept by reference: a piece of its own)
  w.uint(300);
  w.raw(new Uint8Array(5).fill(3)); // (copied into the small-write buffer after a cut)
  w.raw(new Uint8Array(2000).map((_, i) => i));
  w.str('end');
  const sum = new Checksum();
  const out = w.finish(24, sum);
  expect(out.length % 4).toBe(0);
  expect(out.length - 24).toBeGreaterThanOrEqual(w.length);
  expect(sum.digest()).toBe(checksum(out, 24));
  expect(Array.from(out.subarray(24, 30))).toEqual([1, 9, 9, 9, 9, 9]);
  expect(Array.from(out.subarray(24 + 1 + 3000, 24 + 1 + 3000 + 2 + 5))).toEqual([0xac, 0x02, 3, 3, 3, 3, 3]);
});

test('the checksum is format version 1 (values of the first implementation: a faster loop must not change them)', () => {
  const of = (n: number): number => checksum(new Uint8Array(n).map((_, i) => (i * 131 + 17) & 255), 0);
  expect([0, 4, 8, 12, 4004, 65548].map(of)).toEqual([1184347542, 1897721311, 2792079751, 3218777264, 2067413172, 3732648726]);
});
