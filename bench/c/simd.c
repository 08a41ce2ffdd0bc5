/* SIMD (-msimd128): f32x4 multiply-add (saxpy and a dot product) and an i8x16/
 * i16x8/i32x4 integer pipeline (saturating adds, widening, shuffles, lane ops). */
#include "common.h"
#include <wasm_simd128.h>

#define LEN 4096
static float xs[LEN] __attribute__((aligned(16))), ys[LEN] __attribute__((aligned(16)));
static u8 bytes[LEN] __attribute__((aligned(16)));

EXPORT u32 run(u32 n) {
  u32 s = 3;
  for (u32 i = 0; i < LEN; i++) {
    xs[i] = (float)(rng_next(&s) % 1000) / 500.0f - 1.0f;
    ys[i] = (float)(rng_next(&s) % 1000) / 500.0f - 1.0f;
    bytes[i] = (u8)rng_next(&s);
  }
  v128_t acc = wasm_i32x4_splat(0);
  float dot = 0.0f;
  for (u32 r = 0; r < n; r++) {
    v128_t a = wasm_f32x4_splat(0.25f + (float)(r & 7) * 0.0625f);
    v128_t d = wasm_f32x4_splat(0.0f);
    for (u32 i = 0; i < LEN; i += 4) {
      v128_t x = wasm_v128_load(&xs[i]), y = wasm_v128_load(&ys[i]);
      y = wasm_f32x4_sub(wasm_f32x4_add(y, wasm_f32x4_mul(a, x)), wasm_f32x4_mul(y, wasm_f32x4_splat(0.5f)));
      wasm_v128_store(&ys[i], y);
      d = wasm_f32x4_add(d, wasm_f32x4_mul(x, y));
    }
    dot += wasm_f32x4_extract_lane(d, 0) + wasm_f32x4_extract_lane(d, 1) + wasm_f32x4_extract_lane(d, 2) +
           wasm_f32x4_extract_lane(d, 3);
    v128_t k = wasm_i8x16_splat((i8)r);
    for (u32 i = 0; i < LEN; i += 16) {
      v128_t b = wasm_v128_load(&bytes[i]);
      b = wasm_u8x16_add_sat(b, k);
      b = wasm_i8x16_shuffle(b, b, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
      wasm_v128_store(&bytes[i], wasm_v128_xor(b, wasm_i8x16_splat(0x5a)));
      v128_t lo = wasm_u16x8_extend_low_u8x16(b), hi = wasm_u16x8_extend_high_u8x16(b);
      v128_t w = wasm_i16x8_add(lo, hi);
      acc = wasm_i32x4_add(acc, wasm_i32x4_add(wasm_u32x4_extend_low_u16x8(w), wasm_u32x4_extend_high_u16x8(w)));
      acc = wasm_v128_xor(acc, wasm_i32x4_shl(acc, 3));
    }
  }
  union { float f; u32 u; } df = {dot};
  return (u32)wasm_i32x4_extract_lane(acc, 0) ^ (u32)wasm_i32x4_extract_lane(acc, 1) * 3 ^
         (u32)wasm_i32x4_extract_lane(acc, 2) * 5 ^ (u32)wasm_i32x4_extract_lane(acc, 3) * 7 ^ df.u;
}
