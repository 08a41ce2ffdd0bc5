/**
 * V8's ArrayBuffer detaching protector: once any ArrayBuffer in the process has been detached (V8's own
 * memory.grow does it, so the V8 runs of `memgrow` and `alloc` do), optimized code checks every typed-array and
 * DataView access for a detached buffer, for the rest of the process. The interpreter's value stack and memory
 * accesses are typed arrays: the nine C programs ran about 20% slower interpreted after it (BENCHMARKS.md, "The
 * interpreter, session 16"). Left to the workloads, a row measured before the first such V8 run had the protector
 * and a row after it did not, so one workload's figure depended on which others ran before it (`bench.js c`:
 * dispatch and simd after alloc; `bench.js c wat`: every C program after memgrow). bench/main.ts calls this before
 * anything is measured when BENCH_DETACHED=1 (the default with BENCH_TIER=interp): every row is then measured without
 * the protector, the state of any process in which a wasm memory grew or a buffer was transferred.
 */
export function detachABuffer(): void {
  const ab = new ArrayBuffer(8);
  structuredClone(ab, { transfer: [ab] });
  if (ab.byteLength !== 0) throw new Error('bench: the ArrayBuffer was not detached');
}
