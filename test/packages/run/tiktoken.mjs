// tiktoken (Rust, wasm-bindgen): BPE tokenization; its glue reads memory through views it refreshes when the buffer detaches.
import { report } from './report.mjs';

const text = 'wasmeter is a pure-TypeScript WebAssembly VM with exact fuel metering. '.repeat(50) + 'Ünïcödé ✓ 你好';
const t = performance.now();
const { get_encoding } = await import('tiktoken'); // instantiates its wasm
await report(t, () => {
  const enc = get_encoding('cl100k_base');
  const tokens = enc.encode(text);
  const back = new TextDecoder().decode(enc.decode(tokens));
  const out = { count: tokens.length, first: Array.from(tokens.slice(0, 12)), roundTrip: back === text };
  enc.free();
  return out;
});
