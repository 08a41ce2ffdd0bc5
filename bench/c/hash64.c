/* 64-bit hashing and mixing: an xxHash64-style hash of generated data (i64 mul,
 * add, rotl, shifts, xor), a splitmix64 stream, and modular reduction (i64 rem_u,
 * rem_s, div_u) in a small hash table of counters. */
#include "common.h"

#define P1 0x9E3779B185EBCA87ULL
#define P2 0xC2B2AE3D27D4EB4FULL
#define P3 0x165667B19E3779F9ULL
#define P4 0x85EBCA77C2B2AE63ULL
#define P5 0x27D4EB2F165667C5ULL

static inline u64 rotl64(u64 x, int r) { return __builtin_rotateleft64(x, r); }
static inline u64 round64(u64 acc, u64 in) { return rotl64(acc + in * P2, 31) * P1; }
static inline u64 merge64(u64 acc, u64 v) { return (acc ^ round64(0, v)) * P1 + P4; }

static u64 splitmix(u64 *s) {
  u64 z = (*s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

#define WORDS 256
static u64 data[WORDS];
#define SLOTS 1021 /* prime */
static u64 table[SLOTS];

NOINLINE static u64 xxh64(const u64 *p, u32 words, u64 seed) {
  u64 v1 = seed + P1 + P2, v2 = seed + P2, v3 = seed, v4 = seed - P1;
  u32 i = 0;
  for (; i + 4 <= words; i += 4) {
    v1 = round64(v1, p[i]);
    v2 = round64(v2, p[i + 1]);
    v3 = round64(v3, p[i + 2]);
    v4 = round64(v4, p[i + 3]);
  }
  u64 h = rotl64(v1, 1) + rotl64(v2, 7) + rotl64(v3, 12) + rotl64(v4, 18);
  h = merge64(h, v1); h = merge64(h, v2); h = merge64(h, v3); h = merge64(h, v4);
  h += (u64)words * 8;
  for (; i < words; i++) h = rotl64(h ^ round64(0, p[i]), 27) * P1 + P4;
  h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32;
  return h;
}

EXPORT u64 run(u32 n) {
  u64 s = 42;
  for (u32 i = 0; i < WORDS; i++) data[i] = splitmix(&s);
  for (u32 i = 0; i < SLOTS; i++) table[i] = 0;
  u64 acc = 0;
  for (u32 r = 0; r < n; r++) {
    u64 h = xxh64(data, WORDS - (r & 3), acc);
    table[h % SLOTS] += h / SLOTS;
    i64 sh = (i64)h;
    acc ^= (u64)(sh % 1000003) + rotl64(h, (int)(r & 63));
    data[r % WORDS] ^= splitmix(&s);
  }
  for (u32 i = 0; i < SLOTS; i++) acc = rotl64(acc, 5) ^ table[i];
  return acc;
}
