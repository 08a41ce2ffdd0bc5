/* Recursive calls: the naive Fibonacci (two calls per level, no memoisation). */
#include "common.h"

NOINLINE static u32 fib(u32 n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

EXPORT u32 run(u32 n) { return fib(n); }
