/**
 * Whether this JavaScript engine keeps a NaN's bits when it reads one from a typed array or a DataView into a
 * JS value. V8 (Node, Chromium) does, and both tiers rely on it for f64 (the interpreter's `f64.load`/`f64.store`
 * through `getFloat64`/`setFloat64`, the JS tier's f32 and f64 values as JS doubles). SpiderMonkey (Firefox) and
 * JavaScriptCore (Safari) NaN-box their values and give every NaN they read as their one canonical NaN
 * (0x7ff8000000000000: the sign and payload are lost). Detected once, at load, by round trips of a signalling
 * NaN with a payload and a negative quiet one through a Float64Array and a DataView (not a Float32Array: reading
 * one converts the f32 to a double, which quiets a signalling NaN in every engine, V8 too); when they
 * lose bits, the translator moves f64 through memory as `i64.load`/`i64.store` do (translate-tables.ts) and the
 * JS tier leaves every function with an f32 or f64 value to the interpreter (codegen.ts, FloatScan in
 * src/jit/float-scan.ts). docs/architecture.md, "NaN payloads".
 */

/** Whether every round trip of a NaN through a typed array or DataView keeps its bits. */
export function detectNaNBits(): boolean {
  const f64 = new Float64Array(4);
  const w = new Int32Array(f64.buffer);
  w[0] = 1; // signalling NaN, payload 1
  w[1] = 0x7ff00000;
  w[2] = 0x12345; // negative quiet NaN with a payload
  w[3] = 0xfff80000 | 0;
  f64[2] = f64[0]!;
  f64[3] = f64[1]!;
  const dv = new DataView(f64.buffer);
  const g = dv.getFloat64(8, true);
  dv.setFloat64(0, g, true);
  return w[4] === 1 && w[5] === 0x7ff00000 && w[6] === 0x12345 && w[7] === (0xfff80000 | 0) && w[0] === 0x12345 && w[1] === (0xfff80000 | 0);
}

/**
 * `kept`: this engine keeps NaN bits (detectNaNBits at load). Tests set it through `setNaNBitsKept`
 * (translate-tables.ts), which also switches the translator's f64 accesses; nothing else writes it.
 */
export const nanBits = { kept: detectNaNBits() };
