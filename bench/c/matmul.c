/* f64 matrix multiply: C = A*B for n x n matrices (n <= 128), i-k-j order,
 * then a checksum of C (the weighted sum as a double). */
#include "common.h"

#define MAXN 128
static double A[MAXN * MAXN], B[MAXN * MAXN], C[MAXN * MAXN];

EXPORT double run(u32 n) {
  if (n > MAXN) n = MAXN;
  u32 s = 12345;
  for (u32 i = 0; i < n * n; i++) {
    A[i] = (double)(rng_next(&s) % 2001) / 1000.0 - 1.0;
    B[i] = (double)(rng_next(&s) % 2001) / 1000.0 - 1.0;
    C[i] = 0.0;
  }
  for (u32 i = 0; i < n; i++)
    for (u32 k = 0; k < n; k++) {
      double a = A[i * n + k];
      for (u32 j = 0; j < n; j++) C[i * n + j] += a * B[k * n + j];
    }
  double sum = 0.0;
  for (u32 i = 0; i < n * n; i++) sum += C[i] * (double)(i % 7 + 1);
  return sum;
}
