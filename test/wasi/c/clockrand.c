/* Clocks, sleeping and randomness. Prints only host-independent facts unless given "values" as argv[1]. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

int main(int argc, char **argv) {
  int values = argc > 1 && !strcmp(argv[1], "values");
  struct timespec r1, m1, m2, res;
  printf("realtime: %d\n", clock_gettime(CLOCK_REALTIME, &r1));
  printf("monotonic: %d\n", clock_gettime(CLOCK_MONOTONIC, &m1));
  printf("res: %d %d\n", clock_getres(CLOCK_MONOTONIC, &res), res.tv_sec == 0 && res.tv_nsec > 0);
  struct timespec req = {0, 2000000};
  printf("nanosleep: %d\n", nanosleep(&req, NULL));
  clock_gettime(CLOCK_MONOTONIC, &m2);
  long long d = (m2.tv_sec - m1.tv_sec) * 1000000000LL + (m2.tv_nsec - m1.tv_nsec);
  printf("slept at least 2ms: %d\n", d >= 2000000);
  printf("realtime after 2020: %d\n", r1.tv_sec > 1577836800);
  unsigned char buf[64];
  memset(buf, 0, sizeof buf);
  printf("getentropy: %d\n", getentropy(buf, sizeof buf));
  int nz = 0;
  for (int i = 0; i < 64; i++) nz += buf[i] != 0;
  printf("mostly non-zero: %d\n", nz > 40);
  printf("getentropy(300): %d %s\n", getentropy(buf, 300), errno == EIO ? "EIO" : "");
  time_t now = time(NULL);
  printf("time ok: %d\n", now >= r1.tv_sec);
  if (values) {
    printf("realtime %lld.%09ld\n", (long long)r1.tv_sec, r1.tv_nsec);
    printf("monotonic %lld.%09ld -> %lld.%09ld\n", (long long)m1.tv_sec, m1.tv_nsec, (long long)m2.tv_sec, m2.tv_nsec);
    printf("random");
    for (int i = 0; i < 16; i++) printf(" %02x", buf[i]);
    printf("\nrand() %d\n", rand());
  }
  return 0;
}
