/* With "poll" as argv[1], first polls stdin. Reads stdin to the end: counts bytes, lines and words, echoes each line reversed, and sums the numbers it finds. */
#include <ctype.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  char line[4096];
  long bytes = 0, lines = 0, words = 0;
  long long sum = 0;
  if (argc > 1 && !strcmp(argv[1], "poll")) {
    /* node:wasi does not poll regular-file stdin; wasmeter reports a buffer as readable */
    struct pollfd pfd = {0, POLLIN, 0};
    int pr = poll(&pfd, 1, 1000);
    printf("poll=%d readable=%d\n", pr, (pfd.revents & POLLIN) != 0);
  }
  while (fgets(line, sizeof line, stdin)) {
    size_t len = strlen(line);
    bytes += (long)len;
    if (len && line[len - 1] == '\n') {
      lines++;
      line[--len] = 0;
    }
    int inword = 0;
    for (size_t i = 0; i < len; i++) {
      if (isspace((unsigned char)line[i])) inword = 0;
      else if (!inword) {
        inword = 1;
        words++;
      }
    }
    char *p = line;
    while (*p) {
      if (isdigit((unsigned char)*p) || (*p == '-' && isdigit((unsigned char)p[1]))) {
        char *end;
        sum += strtoll(p, &end, 10);
        p = end;
      } else p++;
    }
    printf("[");
    for (size_t i = len; i > 0; i--) putchar(line[i - 1]);
    printf("]\n");
  }
  if (ferror(stdin)) {
    perror("stdin");
    return 1;
  }
  printf("bytes=%ld lines=%ld words=%ld sum=%lld\n", bytes, lines, words, sum);
  return 0;
}
