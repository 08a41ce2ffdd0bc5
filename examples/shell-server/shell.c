/*
 * wsh: the guest shell of examples/shell-server.
 *
 * A plain WASI command: it reads commands from stdin line by line with fgets and answers on
 * stdout. The server (server.ts) makes stdin the bytes a client sends over its connection and
 * stdout/stderr the bytes that go back. State shared by every connection lives in the host and
 * is reached through the imports of module "shell"; strings cross as (pointer, length) pairs in
 * this module's linear memory and the host bounds-checks every range.
 *
 * Build: ./build.sh (clang + wasi-libc); shell.wasm is committed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT(name) __attribute__((import_module("shell"), import_name(name)))

/* Adds n to the shared sum and returns the new sum. */
IMPORT("add") long long shell_add(long long n);
/* The shared sum. */
IMPORT("sum") long long shell_sum(void);
/* Stores key -> value. 0 on success, -1 bad key, -2 value too long, -3 too many keys. */
IMPORT("set") int shell_set(const char *key, size_t key_len, const char *value, size_t value_len);
/*
 * Copies the value of key into buf (at most cap bytes) and returns its full length, or -1 when
 * the key is not set. A result larger than cap means the value was truncated: call again.
 */
IMPORT("get") int shell_get(const char *key, size_t key_len, char *buf, size_t cap);
/* Fuel this command has left. */
IMPORT("fuel") long long shell_fuel(void);

static void help(void) {
  puts("commands:\n"
       "  add N        add the integer N to the shared sum\n"
       "  sum          print the shared sum\n"
       "  set KEY VAL  store VAL (the rest of the line) under KEY, shared by all clients\n"
       "  get KEY      print the value stored under KEY\n"
       "  alloc KIB    malloc KIB kibibytes (fails beyond the memory limit)\n"
       "  fuel         fuel left for this command\n"
       "  spin         loop forever (until the fuel budget runs out)\n"
       "  crash        trap (the guest dies, the server does not)\n"
       "  help         this text\n"
       "  quit         close the connection");
}

/* Splits off the first space-separated word of *s; *s then points at the rest (spaces skipped). */
static char *word(char **s) {
  char *p = *s;
  while (*p == ' ' || *p == '\t') p++;
  char *start = p;
  while (*p && *p != ' ' && *p != '\t') p++;
  if (*p) *p++ = 0;
  while (*p == ' ' || *p == '\t') p++;
  *s = p;
  return start;
}

static void cmd_get(const char *key) {
  char small[256];
  int n = shell_get(key, strlen(key), small, sizeof small);
  if (n < 0) {
    printf("%s is not set\n", key);
    return;
  }
  if ((size_t)n <= sizeof small) {
    printf("%s = %.*s\n", key, n, small);
    return;
  }
  char *big = malloc((size_t)n);
  if (!big) {
    puts("get: out of memory");
    return;
  }
  int m = shell_get(key, strlen(key), big, (size_t)n);
  if (m > n) m = n; /* changed in between: print what fits */
  if (m < 0) printf("%s is not set\n", key);
  else printf("%s = %.*s\n", key, m, big);
  free(big);
}

static void cmd_set(const char *key, const char *value) {
  switch (shell_set(key, strlen(key), value, strlen(value))) {
  case 0: puts("ok"); break;
  case -1: puts("set: bad key (1 to 64 bytes)"); break;
  case -2: puts("set: value too long"); break;
  case -3: puts("set: too many keys"); break;
  default: puts("set: failed"); break;
  }
}

/* Keeps an allocation observable, so that the compiler cannot elide malloc/memset/free. */
static char *volatile kept;

static void cmd_alloc(const char *arg) {
  char *end;
  long kib = strtol(arg, &end, 10);
  if (*arg == 0 || *end != 0 || kib <= 0) {
    puts("usage: alloc KIB");
    return;
  }
  size_t bytes = (size_t)kib * 1024;
  char *p = malloc(bytes);
  if (!p) {
    printf("alloc: cannot allocate %ld KiB (memory limit)\n", kib);
    return;
  }
  memset(p, 1, bytes);
  kept = p;
  printf("allocated %ld KiB; linear memory is %lu KiB\n", kib, (unsigned long)__builtin_wasm_memory_size(0) * 64);
  kept = NULL;
  free(p);
}

static void spin(void) {
  volatile uint64_t n = 0;
  for (;;) n++;
}

int main(int argc, char **argv) {
  char line[1024];
  int quiet = argc > 1 && strcmp(argv[1], "-q") == 0;
  if (!quiet) puts("wasmeter shell: type help");
  for (;;) {
    fputs("> ", stdout);
    fflush(stdout);
    if (!fgets(line, sizeof line, stdin)) break;
    size_t len = strlen(line);
    if (len > 0 && line[len - 1] == '\n') line[--len] = 0;
    else if (!feof(stdin)) {
      int c;
      while ((c = getchar()) != EOF && c != '\n') {
      }
      printf("line too long (at most %zu bytes)\n", sizeof line - 2);
      continue;
    }
    if (len > 0 && line[len - 1] == '\r') line[--len] = 0;
    char *rest = line;
    char *cmd = word(&rest);
    if (*cmd == 0) continue;
    if (!strcmp(cmd, "help")) help();
    else if (!strcmp(cmd, "add")) {
      char *end;
      long long n = strtoll(rest, &end, 10);
      if (*rest == 0 || *end != 0) puts("usage: add N");
      else printf("added %lld; sum = %lld\n", n, shell_add(n));
    } else if (!strcmp(cmd, "sum")) printf("sum = %lld\n", shell_sum());
    else if (!strcmp(cmd, "set")) {
      char *key = word(&rest);
      if (*key == 0) puts("usage: set KEY VALUE");
      else cmd_set(key, rest);
    } else if (!strcmp(cmd, "get")) {
      char *key = word(&rest);
      if (*key == 0 || *rest != 0) puts("usage: get KEY");
      else cmd_get(key);
    } else if (!strcmp(cmd, "alloc")) cmd_alloc(rest);
    else if (!strcmp(cmd, "fuel")) printf("fuel left for this command: %lld\n", shell_fuel());
    else if (!strcmp(cmd, "spin")) spin();
    else if (!strcmp(cmd, "crash")) __builtin_trap();
    else if (!strcmp(cmd, "quit") || !strcmp(cmd, "exit")) {
      puts("bye");
      return 0;
    } else printf("unknown command '%s'; try help\n", cmd);
  }
  return 0;
}
