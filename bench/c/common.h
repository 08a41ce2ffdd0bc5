/* Shared by the freestanding C workloads (no libc): fixed-width types and a
 * tiny deterministic PRNG. Built with -mbulk-memory, so clang lowers
 * memset/memcpy (and __builtin_memset/__builtin_memcpy) to memory.fill/copy. */
#ifndef WM_COMMON_H
#define WM_COMMON_H

typedef unsigned char u8;
typedef signed char i8;
typedef unsigned int u32;
typedef int i32;
typedef unsigned long long u64;
typedef long long i64;
typedef unsigned long usize;

#define EXPORT __attribute__((visibility("default")))
#define NOINLINE __attribute__((noinline))

/* xorshift32: deterministic, same sequence on every engine. */
static inline u32 rng_next(u32 *s) {
  u32 x = *s;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *s = x;
}

#endif
