/* Walks a directory tree with opendir/readdir (entries sorted by name), printing types, sizes and file checksums. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static unsigned checksum(const char *path, long *size) {
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  unsigned h = 2166136261u;
  int c;
  *size = 0;
  while ((c = fgetc(f)) != EOF) {
    h = (h ^ (unsigned)c) * 16777619u;
    (*size)++;
  }
  fclose(f);
  return h;
}

static void walk(const char *dir, int depth) {
  DIR *d = opendir(dir);
  if (!d) {
    printf("%*sopendir %s: %s\n", depth * 2, "", dir, strerror(errno));
    return;
  }
  char *names[256];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    if (n < 256) names[n++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(names, (size_t)n, sizeof names[0], cmp);
  for (int i = 0; i < n; i++) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    struct stat st;
    if (lstat(path, &st) != 0) {
      printf("%*s%s: lstat: %s\n", depth * 2, "", names[i], strerror(errno));
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      printf("%*s%s/\n", depth * 2, "", names[i]);
      walk(path, depth + 1);
    } else if (S_ISLNK(st.st_mode)) {
      char target[256];
      ssize_t k = readlink(path, target, sizeof target - 1);
      target[k < 0 ? 0 : k] = 0;
      struct stat st2;
      int ok = stat(path, &st2) == 0;
      printf("%*s%s -> %s (%s)\n", depth * 2, "", names[i], target, ok ? (S_ISDIR(st2.st_mode) ? "dir" : "file") : strerror(errno));
    } else if (S_ISREG(st.st_mode)) {
      long size = -1;
      unsigned h = checksum(path, &size);
      printf("%*s%s size=%lld read=%ld fnv=%08x nlink=%llu\n", depth * 2, "", names[i], (long long)st.st_size, size, h,
             (unsigned long long)st.st_nlink);
    } else {
      printf("%*s%s (other)\n", depth * 2, "", names[i]);
    }
    free(names[i]);
  }
}

int main(int argc, char **argv) {
  const char *root = argc > 1 ? argv[1] : ".";
  printf("walk %s\n", root);
  walk(root, 0);
  return 0;
}
