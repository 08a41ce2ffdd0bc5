/* call_indirect dispatch: a tiny register-machine interpreter whose opcodes are
 * handlers in an array of function pointers (a Wasm table), running a
 * generated program n times. */
#include "common.h"

typedef struct { u32 r[8]; u32 pc; } VM;
typedef void (*Op)(VM *, u32 a, u32 b);

NOINLINE static void op_add(VM *v, u32 a, u32 b) { v->r[a] += v->r[b]; }
NOINLINE static void op_sub(VM *v, u32 a, u32 b) { v->r[a] -= v->r[b] ^ 0x55; }
NOINLINE static void op_mul(VM *v, u32 a, u32 b) { v->r[a] = v->r[a] * (v->r[b] | 1); }
NOINLINE static void op_xor(VM *v, u32 a, u32 b) { v->r[a] ^= v->r[b] >> 3; }
NOINLINE static void op_rot(VM *v, u32 a, u32 b) { v->r[a] = __builtin_rotateleft32(v->r[a], v->r[b] & 31); }
NOINLINE static void op_inc(VM *v, u32 a, u32 b) { v->r[a] += b + 1; }
NOINLINE static void op_swap(VM *v, u32 a, u32 b) { u32 t = v->r[a]; v->r[a] = v->r[b]; v->r[b] = t; }
NOINLINE static void op_skip(VM *v, u32 a, u32 b) { if (v->r[a] & 1) v->pc++; }

static Op ops[8] = {op_add, op_sub, op_mul, op_xor, op_rot, op_inc, op_swap, op_skip};

#define LEN 64
static u8 code[LEN];

EXPORT u32 run(u32 n) {
  u32 s = 99;
  for (u32 i = 0; i < LEN; i++) code[i] = (u8)rng_next(&s);
  VM v;
  for (u32 i = 0; i < 8; i++) v.r[i] = i * 0x01010101u;
  for (u32 rep = 0; rep < n; rep++) {
    v.pc = 0;
    while (v.pc < LEN) {
      u32 c = code[v.pc++];
      ops[c & 7](&v, (c >> 3) & 7, c >> 6);
    }
  }
  u32 h = 0;
  for (u32 i = 0; i < 8; i++) h = h * 33 ^ v.r[i];
  return h;
}
