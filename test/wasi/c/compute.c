/* Exercises the interpreter through libc: printf of integers and floats, strtod, qsort, malloc, 64-bit math, a hash. */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmpd(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static uint64_t xorshift(uint64_t *s) {
  uint64_t x = *s;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return *s = x;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1000;
  uint64_t s = 88172645463325252ULL;
  double *v = malloc(sizeof(double) * (size_t)n);
  for (int i = 0; i < n; i++) v[i] = (double)(xorshift(&s) % 1000000) / 7.0 - 50000.0;
  qsort(v, (size_t)n, sizeof v[0], cmpd);
  double sum = 0;
  for (int i = 0; i < n; i++) sum += v[i];
  printf("min=%.6f max=%.6f sum=%.3f mean=%g\n", v[0], v[n - 1], sum, sum / n);
  printf("sqrt2=%.17g pi~=%.10f e=%.15e\n", sqrt(2.0), 4 * atan(1.0), exp(1.0));
  printf("sin(1)=%.15g log(10)=%.15g pow(2,0.5)=%.15g fmod=%g\n", sin(1.0), log(10.0), pow(2, 0.5), fmod(10.5, 3.0));
  printf("floor/ceil/round: %g %g %g %g\n", floor(-2.5), ceil(-2.5), round(-2.5), trunc(2.7));
  printf("strtod: %.17g %.17g %g\n", strtod("3.14159265358979323846", NULL), strtod("1e-310", NULL), strtod("inf", NULL));
  printf("float: %.9g %a\n", (double)(1.0f / 3.0f), 0.1);
  int64_t a = INT64_C(-1234567890123456789);
  uint64_t b = UINT64_C(18446744073709551557);
  printf("i64: %" PRId64 " %" PRIu64 " %" PRIx64 " %" PRId64 " %" PRIu64 "\n", a, b, b, a / 1000003, b % 1000003);
  printf("mul: %" PRIu64 " %" PRId64 "\n", b * 3u, a * -7);
  uint32_t h = 0;
  for (int i = 0; i < 100000; i++) h = h * 31u + (uint32_t)(xorshift(&s) >> 40);
  printf("hash=%08x\n", h);
  char *big = malloc(1 << 20);
  memset(big, 'x', 1 << 20);
  big[(1 << 20) - 1] = 0;
  printf("strlen=%zu\n", strlen(big));
  free(big);
  char tmp[64];
  snprintf(tmp, sizeof tmp, "%08.3f|%-6d|%+d|%x|%o|%c|%s", 3.14159, 42, 7, 255, 8, 'Z', "end");
  printf("%s\n", tmp);
  free(v);
  return 0;
}
