/* Allocator churn: a segregated-fit allocator (power-of-two size classes, free
 * lists, a bump pointer that grows linear memory with memory.grow), driven by a
 * random mix of malloc/free/realloc whose blocks are filled with memset and
 * copied with memcpy (memory.fill / memory.copy under -mbulk-memory). */
#include "common.h"

extern u8 __heap_base;

#define CLASSES 13 /* 16 B .. 64 KiB */
typedef struct Free { struct Free *next; } Free;
static Free *freelist[CLASSES];
static usize bump, limit;

static u32 class_of(u32 size) {
  u32 c = 0;
  while ((16u << c) < size + 8) c++;
  return c;
}

static void *wm_malloc(u32 size) {
  u32 c = class_of(size);
  u32 *h;
  if (freelist[c]) {
    h = (u32 *)freelist[c];
    freelist[c] = freelist[c]->next;
  } else {
    usize need = 16u << c;
    if (bump + need > limit) {
      usize pages = (bump + need - limit + 65535) / 65536;
      if (__builtin_wasm_memory_grow(0, pages) == (usize)-1) return 0;
      limit = __builtin_wasm_memory_size(0) * 65536;
    }
    h = (u32 *)bump;
    bump += need;
  }
  h[0] = c;
  h[1] = size;
  return h + 2;
}

static void wm_free(void *p) {
  if (!p) return;
  u32 *h = (u32 *)p - 2;
  Free *f = (Free *)h;
  u32 c = h[0];
  f->next = freelist[c];
  freelist[c] = f;
}

static u32 size_of(void *p) { return ((u32 *)p)[-1]; }

static void *wm_realloc(void *p, u32 size) {
  u32 old = size_of(p);
  if (class_of(size) == ((u32 *)p)[-2]) {
    ((u32 *)p)[-1] = size;
    return p;
  }
  void *q = wm_malloc(size);
  __builtin_memcpy(q, p, old < size ? old : size);
  wm_free(p);
  return q;
}

#define LIVE 256
static u8 *live[LIVE];

static u32 fold(const u8 *p) {
  u32 n = size_of((void *)p);
  u32 h = n;
  for (u32 i = 0; i < n; i += 61) h = h * 16777619u ^ p[i];
  return h ^ p[n - 1];
}

EXPORT u32 run(u32 n) {
  for (u32 i = 0; i < CLASSES; i++) freelist[i] = 0;
  bump = ((usize)&__heap_base + 15) & ~(usize)15;
  limit = __builtin_wasm_memory_size(0) * 65536;
  for (u32 i = 0; i < LIVE; i++) live[i] = 0;
  u32 s = 2463534242u, check = 0;
  for (u32 r = 0; r < n; r++) {
    u32 x = rng_next(&s);
    u32 slot = x % LIVE;
    u32 size = (x >> 8) % 8 == 0 ? 4096 + (x >> 12) % 60000 : 1 + (x >> 12) % 1024;
    u8 *p = live[slot];
    if (p && (x >> 28) == 0) {
      live[slot] = wm_realloc(p, size);
      check += fold(live[slot]);
      continue;
    }
    if (p) {
      check = check * 31 + fold(p);
      wm_free(p);
    }
    p = wm_malloc(size);
    __builtin_memset(p, (int)(x & 0xff), size);
    u8 *q = live[(slot + 1) % LIVE];
    if (q) {
      u32 qs = size_of(q), m = qs < size ? qs : size;
      __builtin_memcpy(p + (size - m) / 2, q, m / 2);
    }
    p[size - 1] = (u8)r;
    live[slot] = p;
  }
  for (u32 i = 0; i < LIVE; i++)
    if (live[i]) check ^= fold(live[i]);
  return check ^ (u32)(bump - (usize)&__heap_base);
}
