/* Byte-array loops: the sieve of Eratosthenes over n bytes (odd numbers crossed
 * out), run 4 times with different start offsets for the count; checksum mixes the prime count and the last primes. */
#include "common.h"

#define MAX (1 << 22)
static u8 flags[MAX];

EXPORT u32 run(u32 n) {
  if (n > MAX) n = MAX;
  u32 check = 0;
  for (u32 rep = 0; rep < 4; rep++) {
    for (u32 i = 0; i < n; i++) flags[i] = (u8)(i & 1); /* a byte loop (evens pre-crossed), not a memset */
    flags[1] = 0;
    flags[2] = 1;
    for (u32 i = 3; i * i < n; i += 2)
      if (flags[i])
        for (u32 j = i * i; j < n; j += 2 * i) flags[j] = 0;
    u32 count = 0, last = 0;
    for (u32 i = rep; i < n; i++)
      if (flags[i]) {
        count++;
        last = i;
      }
    check = check * 31 + count + (last << 8);
  }
  return check;
}
