/* f32 n-body: 32 bodies, pairwise gravity with softening (f32 mul/add/div/sqrt),
 * leapfrog steps; returns the bits of the final energy. */
#include "common.h"

#define N 32
typedef struct { float x, y, z, vx, vy, vz, m; } Body;
static Body b[N];

static float energy(void) {
  float e = 0.0f;
  for (int i = 0; i < N; i++) {
    e += 0.5f * b[i].m * (b[i].vx * b[i].vx + b[i].vy * b[i].vy + b[i].vz * b[i].vz);
    for (int j = i + 1; j < N; j++) {
      float dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
      e -= b[i].m * b[j].m / __builtin_sqrtf(dx * dx + dy * dy + dz * dz + 0.01f);
    }
  }
  return e;
}

EXPORT u32 run(u32 steps) {
  u32 s = 7;
  for (int i = 0; i < N; i++) {
    b[i].x = (float)(rng_next(&s) % 2000) / 100.0f - 10.0f;
    b[i].y = (float)(rng_next(&s) % 2000) / 100.0f - 10.0f;
    b[i].z = (float)(rng_next(&s) % 2000) / 100.0f - 10.0f;
    b[i].vx = (float)(rng_next(&s) % 200) / 1000.0f - 0.1f;
    b[i].vy = (float)(rng_next(&s) % 200) / 1000.0f - 0.1f;
    b[i].vz = (float)(rng_next(&s) % 200) / 1000.0f - 0.1f;
    b[i].m = (float)(rng_next(&s) % 100) / 10.0f + 0.5f;
  }
  const float dt = 0.01f;
  for (u32 t = 0; t < steps; t++) {
    for (int i = 0; i < N; i++)
      for (int j = i + 1; j < N; j++) {
        float dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
        float d2 = dx * dx + dy * dy + dz * dz + 0.01f;
        float mag = dt / (d2 * __builtin_sqrtf(d2));
        b[i].vx -= dx * b[j].m * mag; b[i].vy -= dy * b[j].m * mag; b[i].vz -= dz * b[j].m * mag;
        b[j].vx += dx * b[i].m * mag; b[j].vy += dy * b[i].m * mag; b[j].vz += dz * b[i].m * mag;
      }
    for (int i = 0; i < N; i++) {
      b[i].x += dt * b[i].vx; b[i].y += dt * b[i].vy; b[i].z += dt * b[i].vz;
    }
  }
  union { float f; u32 u; } e = {energy()};
  return e.u;
}
