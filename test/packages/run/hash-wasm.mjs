// hash-wasm (wasi-sdk/clang builds embedded as base64): several hashes through its public API.
import { report } from './report.mjs';

const data = new Uint8Array(1 << 20).map((_, i) => (i * 2654435761) >>> 24);
const t = performance.now();
const { argon2id, blake3, md5, sha256, sha3, xxhash64 } = await import('hash-wasm'); // each hash instantiates its wasm on first use
await report(t, async () => ({
  md5: await md5(data),
  sha256: await sha256(data),
  sha3: await sha3(data, 512),
  blake3: await blake3(data),
  xxhash64: await xxhash64(data),
  argon2id: await argon2id({ password: 'wasmeter', salt: 'saltsaltsaltsalt', parallelism: 1, iterations: 2, memorySize: 512, hashLength: 32, outputType: 'hex' }),
}));
