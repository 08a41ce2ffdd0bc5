/* Prints its arguments and environment, writes to stdout and stderr, exits with argv[1] when numeric. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

int main(int argc, char **argv) {
  printf("hello from wasi\n");
  printf("argc=%d\n", argc);
  for (int i = 1; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
  int n = 0;
  for (char **e = environ; *e; e++) n++;
  printf("envc=%d\n", n);
  for (char **e = environ; *e; e++) printf("env %s\n", *e);
  const char *greet = getenv("GREETING");
  printf("GREETING=%s\n", greet ? greet : "(unset)");
  fprintf(stderr, "this goes to stderr\n");
  fflush(stdout);
  if (argc > 1 && argv[1][0] >= '0' && argv[1][0] <= '9') return atoi(argv[1]);
  return 0;
}
