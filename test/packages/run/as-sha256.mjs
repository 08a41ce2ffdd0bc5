// @chainsafe/as-sha256 (AssemblyScript): SHA-256 of several inputs and of 64-byte pairs.
import { report } from './report.mjs';

const hex = (b) => Buffer.from(b).toString('hex');
const big = new Uint8Array(1 << 20).map((_, i) => i & 0xff);
const t = performance.now();
const { digest, digest64 } = await import('@chainsafe/as-sha256'); // instantiates its wasm
await report(t, () => {
  let chain = new Uint8Array(64);
  for (let i = 0; i < 1000; i++) chain = new Uint8Array([...digest64(chain), ...chain.subarray(0, 32)]);
  return { empty: hex(digest(new Uint8Array(0))), big: hex(digest(big)), chain: hex(chain.subarray(0, 32)) };
});
