/* Integer and floating-point edge cases through real compiled code: division, shifts, bit counts, 128-bit and
 * long double (software) arithmetic, conversions, NaN handling, switch tables, indirect calls, varargs. */
#include <float.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile int32_t vi[] = {0, 1, -1, 2, -2, 7, -7, 31, 32, 33, INT32_MAX, INT32_MIN, 0x12345678, -0x0f0f0f0f};
static volatile int64_t vl[] = {0, 1, -1, 3, -3, 63, 64, 65, INT64_MAX, INT64_MIN, 0x123456789abcdefLL, -0x0f0f0f0f0f0f0f0fLL};
static volatile double vd[] = {0.0, -0.0, 1.5, -1.5, 2.5, -2.5, 1e300, -1e-300, 4294967295.5, -2147483648.9, 9.3e18, NAN, INFINITY, -INFINITY};
static volatile float vf[] = {0.0f, -0.0f, 1.5f, -2.5f, 3.4e38f, 1e-45f, 16777217.0f, NAN, INFINITY};

static uint32_t h = 2166136261u;
static void mix(uint64_t x) {
  for (int i = 0; i < 8; i++) {
    h = (h ^ (uint32_t)(x & 0xff)) * 16777619u;
    x >>= 8;
  }
}

static int sum(int n, ...) {
  va_list ap;
  va_start(ap, n);
  int s = 0;
  for (int i = 0; i < n; i++) s += va_arg(ap, int);
  double d = va_arg(ap, double);
  va_end(ap);
  return s + (int)d;
}

static int op_add(int a, int b) { return a + b; }
static int op_sub(int a, int b) { return a - b; }
static int op_mul(int a, int b) { return a * b; }
static int op_xor(int a, int b) { return a ^ b; }
static int (*const ops[])(int, int) = {op_add, op_sub, op_mul, op_xor};

static int classify(int x) {
  switch (x & 15) {
    case 0: return 11;
    case 1: return 23;
    case 2: return 5;
    case 3: return 99;
    case 5: return -4;
    case 8: return 1000;
    case 9: return 7;
    case 12: return 31;
    case 15: return -77;
    default: return x;
  }
}

int main(void) {
  int ni = sizeof vi / sizeof vi[0], nl = sizeof vl / sizeof vl[0], nd = sizeof vd / sizeof vd[0], nf = sizeof vf / sizeof vf[0];
  /* i32 */
  for (int i = 0; i < ni; i++)
    for (int j = 0; j < ni; j++) {
      int32_t a = vi[i], b = vi[j];
      uint32_t ua = (uint32_t)a, ub = (uint32_t)b;
      mix((uint32_t)(a + b)); mix((uint32_t)(a - b)); mix((uint32_t)(a * b));
      if (b != 0 && !(a == INT32_MIN && b == -1)) { mix((uint32_t)(a / b)); mix((uint32_t)(a % b)); }
      if (ub != 0) { mix(ua / ub); mix(ua % ub); }
      mix(ua << (ub & 31)); mix(ua >> (ub & 31)); mix((uint32_t)(a >> (b & 31)));
      mix((ua << (ub & 31)) | (ua >> ((32 - ub) & 31)));
      mix(a < b); mix(ua < ub); mix(a <= b); mix(ua >= ub);
    }
  for (int i = 0; i < ni; i++) {
    uint32_t u = (uint32_t)vi[i];
    mix(u ? __builtin_clz(u) : 32); mix(u ? __builtin_ctz(u) : 32); mix(__builtin_popcount(u)); mix(__builtin_bswap32(u));
    mix((uint64_t)(int64_t)vi[i]); mix((uint64_t)(uint32_t)vi[i]); mix((uint32_t)(int8_t)vi[i]); mix((uint32_t)(int16_t)vi[i]);
  }
  printf("i32 %08x\n", h);
  /* i64 */
  for (int i = 0; i < nl; i++)
    for (int j = 0; j < nl; j++) {
      int64_t a = vl[i], b = vl[j];
      uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
      mix((uint64_t)(a + b)); mix((uint64_t)(a - b)); mix(ua * ub);
      if (b != 0 && !(a == INT64_MIN && b == -1)) { mix((uint64_t)(a / b)); mix((uint64_t)(a % b)); }
      if (ub != 0) { mix(ua / ub); mix(ua % ub); }
      mix(ua << (ub & 63)); mix(ua >> (ub & 63)); mix((uint64_t)(a >> (b & 63)));
      mix((ua << (ub & 63)) | (ua >> ((64 - ub) & 63)));
      mix(a < b); mix(ua < ub); mix(a == b);
      unsigned __int128 p = (unsigned __int128)ua * ub;
      mix((uint64_t)(p >> 64)); mix((uint64_t)p);
      __int128 sp = (__int128)a * b;
      mix((uint64_t)(sp >> 64));
      if (b != 0) { unsigned __int128 q = p / (ub | 1); mix((uint64_t)q); }
    }
  for (int i = 0; i < nl; i++) {
    uint64_t u = (uint64_t)vl[i];
    mix(u ? __builtin_clzll(u) : 64); mix(u ? __builtin_ctzll(u) : 64); mix(__builtin_popcountll(u)); mix(__builtin_bswap64(u));
    mix((uint32_t)u); mix((uint64_t)(int32_t)u);
  }
  printf("i64 %08x\n", h);
  /* floats */
  for (int i = 0; i < nd; i++) {
    double x = vd[i];
    char buf[64];
    snprintf(buf, sizeof buf, "%.17g %a", x, x);
    for (char *p = buf; *p; p++) mix((unsigned char)*p);
    mix(isnan(x)); mix(isinf(x)); mix(signbit(x) != 0);
    if (!isnan(x) && fabs(x) < 9.2e18) mix((uint64_t)(int64_t)x);
    if (!isnan(x) && x > -1 && x < 1.8e19) mix((uint64_t)x);
    if (!isnan(x) && fabs(x) < 2e9) mix((uint32_t)(int32_t)x);
    mix((uint64_t)(int64_t)(floor(x) == x)); mix(x < 1.0); mix(x == x);
    for (int j = 0; j < nd; j++) {
      double y = vd[j];
      union { double d; uint64_t u; } r;
      r.d = fmin(x, y); mix(isnan(r.d) ? 1 : r.u);
      r.d = fmax(x, y); mix(isnan(r.d) ? 1 : r.u);
      r.d = copysign(x, y); mix(isnan(r.d) ? 2 : r.u);
      r.d = x * y + x; mix(isnan(r.d) ? 3 : r.u);
      r.d = x / (y == 0 ? 3.0 : y); mix(isnan(r.d) ? 4 : r.u);
      mix(x < y); mix(x <= y); mix(x != y);
    }
  }
  for (int i = 0; i < nf; i++) {
    float x = vf[i];
    union { float f; uint32_t u; } r;
    r.f = x * 3.0f; mix(isnan(r.f) ? 5 : r.u);
    r.f = sqrtf(fabsf(x)); mix(isnan(r.f) ? 6 : r.u);
    r.f = (float)(double)x; mix(isnan(r.f) ? 7 : r.u);
    r.f = nearbyintf(x); mix(isnan(r.f) ? 8 : r.u);
    r.f = truncf(x); mix(isnan(r.f) ? 9 : r.u);
    if (!isnan(x) && fabsf(x) < 2e9f) mix((uint32_t)(int32_t)x);
  }
  printf("float %08x\n", h);
  /* long double is IEEE binary128 in software (compiler-rt) */
  long double ld = 1.0L;
  for (int i = 1; i <= 30; i++) ld = ld * i / 3.0L + 0.125L;
  printf("long double %.30Lg\n", ld);
  printf("sqrtl(2) %.33Lg\n", sqrtl(2.0L));
  /* control */
  int acc = 0;
  for (int i = 0; i < 1000; i++) acc = ops[i & 3](acc, classify(i * 7)) & 0xffffff;
  printf("control %d %d\n", acc, sum(4, 1, 2, 3, 4, 2.75));
  char a[100], b[100];
  for (int i = 0; i < 100; i++) a[i] = (char)(i * 3);
  memcpy(b, a, sizeof a);
  memmove(b + 1, b, 50);
  memset(b + 70, 0x5a, 20);
  uint32_t mh = 0;
  for (int i = 0; i < 100; i++) mh = mh * 33 + (uint8_t)b[i];
  printf("memory %08x %d\n", mh, memcmp(a, b, 100) > 0);
  printf("strto %lld %llu %ld %g\n", strtoll("-9223372036854775808", 0, 10), strtoull("0xffffffffffffffff", 0, 16), strtol("777", 0, 8), strtof("1.17549435e-38", 0));
  return 0;
}
