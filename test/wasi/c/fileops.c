/* Creates, writes, reads, seeks, truncates, renames, links and unlinks files and directories; prints every step. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHECK(what, expr)                                              \
  do {                                                                 \
    long r_ = (long)(expr);                                            \
    if (r_ < 0) printf("%s -> -1 (%s)\n", what, strerror(errno));     \
    else printf("%s -> %ld\n", what, r_);                              \
  } while (0)

static void show(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) {
    printf("show %s: %s\n", path, strerror(errno));
    return;
  }
  char buf[256];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = 0;
  fclose(f);
  printf("show %s: [%s]\n", path, buf);
}

int main(int argc, char **argv) {
  const char *base = argc > 1 ? argv[1] : "work";
  char p[512], q[512];
  CHECK("mkdir base", mkdir(base, 0755));
  CHECK("mkdir base again", mkdir(base, 0755));
  snprintf(p, sizeof p, "%s/a.txt", base);
  int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  CHECK("open a.txt", fd);
  CHECK("write", write(fd, "hello, world\n", 13));
  CHECK("lseek 7", lseek(fd, 7, SEEK_SET));
  CHECK("write at 7", write(fd, "WASI!", 5));
  CHECK("lseek end", lseek(fd, 0, SEEK_END));
  CHECK("pwrite at 20", pwrite(fd, "tail", 4, 20));
  CHECK("lseek cur", lseek(fd, 0, SEEK_CUR));
  CHECK("close", close(fd));
  struct stat st;
  CHECK("stat a.txt", stat(p, &st));
  printf("size=%lld reg=%d\n", (long long)st.st_size, S_ISREG(st.st_mode));

  fd = open(p, O_RDONLY);
  char buf[64] = {0};
  CHECK("pread 5@7", pread(fd, buf, 5, 7));
  printf("pread: [%s]\n", buf);
  memset(buf, 0, sizeof buf);
  ssize_t n = read(fd, buf, sizeof buf);
  printf("read %ld bytes, byte13=%d byte20=%c\n", (long)n, n > 13 ? buf[13] : -1, n > 20 ? buf[20] : '?');
  CHECK("write to read-only fd", write(fd, "x", 1));
  close(fd);

  fd = open(p, O_WRONLY | O_APPEND);
  CHECK("open append", fd);
  CHECK("append", write(fd, "+more", 5));
  CHECK("ftruncate 30", ftruncate(fd, 30));
  close(fd);
  CHECK("truncate 12", truncate(p, 12));
  show(p);

  snprintf(q, sizeof q, "%s/b.txt", base);
  CHECK("rename a->b", rename(p, q));
  show(p);
  show(q);
  CHECK("link b->c", link(q, (snprintf(p, sizeof p, "%s/c.txt", base), p)));
  CHECK("stat c", stat(p, &st));
  printf("nlink=%llu size=%lld\n", (unsigned long long)st.st_nlink, (long long)st.st_size);
  CHECK("unlink c", unlink(p));
  CHECK("unlink c again", unlink(p));
  CHECK("stat b", stat(q, &st));
  printf("nlink=%llu\n", (unsigned long long)st.st_nlink);

  snprintf(p, sizeof p, "%s/sub", base);
  CHECK("mkdir sub", mkdir(p, 0755));
  snprintf(p, sizeof p, "%s/sub/deep.txt", base);
  FILE *f = fopen(p, "w");
  if (f) {
    fprintf(f, "deep %d\n", 42);
    fclose(f);
  } else printf("fopen deep.txt: %s\n", strerror(errno));
  snprintf(p, sizeof p, "%s/sub", base);
  CHECK("rmdir non-empty", rmdir(p));
  snprintf(p, sizeof p, "%s/lnk", base);
  CHECK("symlink", symlink("sub/deep.txt", p));
  char t[128];
  n = readlink(p, t, sizeof t - 1);
  t[n < 0 ? 0 : n] = 0;
  printf("readlink: %ld [%s]\n", (long)n, t);
  show(p);
  CHECK("lstat lnk", lstat(p, &st));
  printf("is link=%d\n", S_ISLNK(st.st_mode));
  CHECK("unlink lnk", unlink(p));
  snprintf(p, sizeof p, "%s/sub/deep.txt", base);
  snprintf(q, sizeof q, "%s/moved.txt", base);
  CHECK("rename deep->moved", rename(p, q));
  snprintf(p, sizeof p, "%s/sub", base);
  CHECK("rmdir sub", rmdir(p));
  CHECK("rmdir sub again", rmdir(p));
  CHECK("open missing", open("does/not/exist", O_RDONLY));
  CHECK("open excl existing", open(q, O_WRONLY | O_CREAT | O_EXCL, 0644));
  CHECK("open dir for write", open(base, O_WRONLY));
  CHECK("unlink dir", unlink(base));
  snprintf(p, sizeof p, "%s/moved.txt/x", base);
  CHECK("open through file", open(p, O_RDONLY));

  DIR *d = opendir(base);
  int count = 0;
  struct dirent *e;
  while (d && (e = readdir(d)) != NULL)
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) count++;
  if (d) closedir(d);
  printf("entries in %s: %d\n", base, count);
  show(q);
  return 0;
}
