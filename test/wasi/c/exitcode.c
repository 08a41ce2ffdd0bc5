/* exit(argv[1]) after printing, or abort() / a trap when asked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  printf("about to exit\n");
  if (argc > 1 && !strcmp(argv[1], "abort")) abort();
  if (argc > 1 && !strcmp(argv[1], "trap")) __builtin_trap();
  exit(argc > 1 ? atoi(argv[1]) : 0);
}
