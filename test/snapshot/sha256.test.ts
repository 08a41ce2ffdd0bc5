/** The pure-JS SHA-256 that binds snapshots to module bytes, against node:crypto (padding edges included). */
import { createHash } from 'node:crypto';
import { expect, test } from 'vitest';
import { hex, sha256 } from '../../src/snapshot/format.js';
test('sha256', () => {
  for (const n of [0, 1, 55, 56, 63, 64, 65, 1000, 100000]) {
    const b = new Uint8Array(n).map((_, i) => (i * 31 + 7) & 255);
    expect(hex(sha256(b))).toBe(createHash('sha256').update(b).digest('hex'));
  }
});
