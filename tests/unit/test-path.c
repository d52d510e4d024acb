/* test-path.c: unit tests of src/lib/path.c.  Builds a tree in a temporary
 * directory full of hostile symlinks (absolute, "../..", chains, loops,
 * links to the host's absolute paths) and checks that resolution and
 * creation never leave the root, that legitimate in-root links work, and
 * that the portable walker answers exactly like openat2(2).  Prints TAP.
 *
 * Must not: need privileges, or leave anything behind outside its temp dir.
 */
#ifndef _GNU_SOURCE
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/path.h"
#include "tap.h"

static char top[256];      /* the temp dir */
static char root[300];       /* top/root: the root under test */
static char outside[300];    /* top/outside: must stay untouched */
static int rootfd = -1;

static void
die (const char *what)
{
  printf ("Bail out! %s: %s\n", what, strerror (errno));
  exit (1);
}

static void
mk (const char *rel, bool dir)
{
  char p[1024];
  int fd;

  snprintf (p, sizeof p, "%s/%s", root, rel);
  if (dir)
    {
      if (mkdir (p, 0755) < 0)
        die (p);
      return;
    }
  fd = open (p, O_CREAT | O_WRONLY | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    die (p);
  close (fd);
}

static void
ln (const char *target, const char *rel)
{
  char p[1024];

  snprintf (p, sizeof p, "%s/%s", root, rel);
  if (symlink (target, p) < 0)
    die (p);
}

static int
rm_one (const char *p, const struct stat *st, int type, struct FTW *f)
{
  (void) st;
  (void) type;
  (void) f;
  return remove (p);
}

static void
tree_build (void)
{
  char p[1024];

  snprintf (root, sizeof root, "%s/root", top);
  snprintf (outside, sizeof outside, "%s/outside", top);
  if (mkdir (root, 0755) < 0 || mkdir (outside, 0755) < 0)
    die ("mkdir");
  mk ("dir", true);
  mk ("dir/sub", true);
  mk ("dir/file", false);
  mk ("run", true);
  mk ("var", true);
  mk ("etc", true);
  mk ("etc/passwd", false);
  ln ("/run", "var/run");                 /* absolute, in the root */
  ln ("/dir", "abs");
  ln ("../../..", "up");                  /* climbs past the root */
  ln ("/../../etc", "upabs");             /* absolute with ".." */
  ln ("../outside", "out");               /* a sibling of the root */
  ln (outside, "hostabs");                /* the host's absolute path */
  ln ("chain2", "chain1");
  ln ("dir/../chain3", "chain2");
  ln ("/abs/sub", "chain3");
  ln ("loop2", "loop1");
  ln ("loop1", "loop2");
  ln ("self", "self");
  ln ("/nonexistent/x", "dangling");
  ln ("dir/file", "filelink");
  ln ("dir/..", "dotdot");
  ln ("sub/", "dir/subslash");
  ln ("../../../../../../../../../../etc/passwd", "dir/sub/deep");
  ln ("/proc/self/root", "magic");
  snprintf (p, sizeof p, "%s/canary", outside);
  if (close (open (p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644)) < 0)
    die (p);
}

/* Number of entries in the outside directory: must stay 1 (canary). */
static int
outside_count (void)
{
  DIR *d = opendir (outside);
  struct dirent *e;
  int n = 0;

  if (d == NULL)
    return -1;
  while ((e = readdir (d)) != NULL)
    if (strcmp (e->d_name, ".") != 0 && strcmp (e->d_name, "..") != 0)
      n++;
  closedir (d);
  return n;
}

/* fd refers to the same inode as root/rel (lstat: rel's last link itself). */
static bool
same (int fd, const char *rel)
{
  char p[1024];
  struct stat a, b;

  snprintf (p, sizeof p, "%s/%s", root, rel);
  if (fd < 0 || fstat (fd, &a) < 0 || lstat (p, &b) < 0)
    return false;
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static bool
exists (const char *rel)
{
  char p[1024];
  struct stat st;

  snprintf (p, sizeof p, "%s/%s", root, rel);
  return lstat (p, &st) == 0;
}

static const char *
modename (int mode)
{
  return mode ? "walker" : "default";
}

/* Expect `path` to resolve to root/rel, or (rel NULL) to fail with `want`,
 * with both backends. */
static void
expect (const char *path, unsigned flags, const char *rel, int want)
{
  int mode;

  for (mode = 0; mode < 2; mode++)
    {
      cleanup_fd int fd = -1;
      const char *nf = (flags & PATH_NOFOLLOW) ? " (nofollow)" : "";

      path_use_fallback = mode;
      errno = 0;
      fd = path_open (rootfd, path, flags);
      if (rel != NULL)
        ok (same (fd, rel), "%s: open \"%s\"%s is %s (%s)", modename (mode),
            path, nf, rel, fd < 0 ? strerror (errno) : "opened");
      else
        ok (fd < 0 && errno == want, "%s: open \"%s\"%s fails with %s (%s)",
            modename (mode), path, nf, strerror (want),
            fd < 0 ? strerror (errno) : "opened");
    }
  path_use_fallback = 0;
}

static void
test_resolve (void)
{
  expect ("/", 0, ".", 0);
  expect ("", 0, NULL, ENOENT);
  expect ("dir", 0, "dir", 0);
  expect ("/dir/", 0, "dir", 0);
  expect ("dir/./sub/..", 0, "dir", 0);
  expect ("../../dir", 0, "dir", 0);
  expect ("/../dir//sub", 0, "dir/sub", 0);
  expect ("dir/file/", 0, NULL, ENOTDIR);
  expect ("dir/file/.", 0, NULL, ENOTDIR);
  expect ("dir/file/..", 0, NULL, ENOTDIR);
  expect ("abs/sub", 0, "dir/sub", 0);
  expect ("var/run", 0, "run", 0);
  expect ("var/run", PATH_NOFOLLOW, "var/run", 0);
  expect ("var/run/", PATH_NOFOLLOW, "run", 0);
  expect ("up", 0, ".", 0);
  expect ("up/dir", 0, "dir", 0);
  expect ("upabs", 0, "etc", 0);
  expect ("upabs/passwd", 0, "etc/passwd", 0);
  expect ("out", 0, NULL, ENOENT);
  expect ("out/canary", 0, NULL, ENOENT);
  expect ("hostabs/canary", 0, NULL, ENOENT);
  expect ("chain1", 0, "dir/sub", 0);
  expect ("chain1/deep", 0, "etc/passwd", 0);
  expect ("dir/sub/deep", 0, "etc/passwd", 0);
  expect ("loop1", 0, NULL, ELOOP);
  expect ("self", 0, NULL, ELOOP);
  expect ("self", PATH_NOFOLLOW, "self", 0);
  expect ("self/", PATH_NOFOLLOW, NULL, ELOOP);
  expect ("dangling", 0, NULL, ENOENT);
  expect ("dangling", PATH_NOFOLLOW, "dangling", 0);
  expect ("filelink", 0, "dir/file", 0);
  expect ("filelink/", 0, NULL, ENOTDIR);
  expect ("dotdot", 0, ".", 0);
  expect ("dotdot/dir/sub", 0, "dir/sub", 0);
  expect ("dir/subslash", 0, "dir/sub", 0);
  expect ("dir/subslash", PATH_NOFOLLOW, "dir/subslash", 0);
  expect ("magic", 0, NULL, ENOENT);
  expect ("l00", 0, NULL, ELOOP);  /* 41 links */
  expect ("l01", 0, "dir", 0);     /* 40 links: the kernel's limit */
}

/* Both backends give the same answer (same errno or same inode) for every
 * path built from a pool of hostile components. */
static void
test_compare (void)
{
  static const char *const comp[] = {
    "dir", "sub", "file", "..", ".", "abs", "up", "upabs", "var", "run",
    "chain1", "chain3", "loop1", "self", "dangling", "filelink", "dotdot",
    "subslash", "deep", "etc", "out", "hostabs", "magic", "l05",
  };
  const size_t n = sizeof comp / sizeof comp[0];
  size_t i, j, k, tried = 0, bad = 0;
  int probe;

  path_use_fallback = 0;
  probe = (int) syscall (SYS_openat2, rootfd, "dir", &(struct open_how) { .flags = O_PATH },
                         sizeof (struct open_how));
  if (probe < 0 && errno == ENOSYS)
    diag ("openat2 is missing here (valgrind?): the walker is compared with itself");
  if (probe >= 0)
    close (probe);
  for (i = 0; i < n; i++)
    for (j = 0; j < n; j++)
      for (k = 0; k < 4; k++)
        {
          char p[256];
          cleanup_fd int a = -1;
          cleanup_fd int b = -1;
          int ea, eb;
          struct stat sa, sb;

          snprintf (p, sizeof p, "%s%s/%s%s", k & 1 ? "/" : "", comp[i],
                    comp[j], k & 2 ? "/" : "");
          errno = 0;
          path_use_fallback = 0;
          a = path_open (rootfd, p, k & 1 ? PATH_NOFOLLOW : 0);
          ea = errno;
          errno = 0;
          b = path_open_fallback (rootfd, p, k & 1 ? PATH_NOFOLLOW : 0);
          eb = errno;
          tried++;
          if ((a < 0) != (b < 0) || (a < 0 && ea != eb)
              || (a >= 0 && (fstat (a, &sa) < 0 || fstat (b, &sb) < 0
                             || sa.st_ino != sb.st_ino || sa.st_dev != sb.st_dev)))
            {
              if (bad++ < 5)
                diag ("mismatch on \"%s\": default %s, walker %s", p, a < 0 ? strerror (ea) : "ok",
                      b < 0 ? strerror (eb) : "ok");
            }
        }
  ok (bad == 0, "walker agrees with the default backend on %zu paths", tried);
}

static void
test_mkdir (int mode)
{
  char p[256], q[512];
  cleanup_fd int fd = -1;
  struct stat st;

  path_use_fallback = mode;
  snprintf (p, sizeof p, "var/run/x%d", mode);
  snprintf (q, sizeof q, "run/x%d", mode);
  fd = path_mkdir (rootfd, p, 0755);
  ok (same (fd, q), "%s: mkdir %s creates %s", modename (mode), p, q);
  close (fd);

  snprintf (p, sizeof p, "up/m%d/n/", mode);
  snprintf (q, sizeof q, "m%d/n", mode);
  fd = path_mkdir (rootfd, p, 0755);
  ok (same (fd, q), "%s: mkdir %s creates %s", modename (mode), p, q);
  close (fd);

  snprintf (p, sizeof p, "/../../k%d/a/../b/.", mode);
  snprintf (q, sizeof q, "k%d/b", mode);
  fd = path_mkdir (rootfd, p, 0755);
  snprintf (p, sizeof p, "k%d/a", mode);
  ok (same (fd, q) && exists (p), "%s: mkdir with .. and . creates %s and %s",
      modename (mode), p, q);
  close (fd);

  snprintf (p, sizeof p, "upabs/new%d", mode);
  snprintf (q, sizeof q, "etc/new%d", mode);
  fd = path_mkdir (rootfd, p, 0755);
  ok (same (fd, q), "%s: mkdir %s lands in %s", modename (mode), p, q);
  close (fd);

  snprintf (p, sizeof p, "m%d/modes/a", mode);
  fd = path_mkdir (rootfd, p, 0700);
  ok (fd >= 0 && fstat (fd, &st) == 0 && (st.st_mode & 07777) == 0700,
      "%s: mkdir mode 0700", modename (mode));
  close (fd);
  fd = -1;

  /* root/outside does not exist (yet): the link dangles inside the root. */
  snprintf (p, sizeof p, "out/new%d", mode);
  fd = path_mkdir (rootfd, p, 0755);
  snprintf (q, sizeof q, "outside/new%d", mode);
  ok (fd < 0 ? errno == ENOENT : same (fd, q),
      "%s: mkdir through a ../outside link stays inside", modename (mode));
  close (fd);
  fd = -1;
  fd = path_mkdir (rootfd, "hostabs/new", 0755);
  snprintf (q, sizeof q, "%s/new", outside + 1);
  ok (fd < 0 ? errno == ENOENT : same (fd, q),
      "%s: mkdir through a host-absolute link stays inside", modename (mode));
  close (fd);
  fd = -1;
  ok (path_mkdir (rootfd, "dir/file/x", 0755) < 0 && errno == ENOTDIR,
      "%s: mkdir below a file: ENOTDIR", modename (mode));
  ok (path_mkdir (rootfd, "filelink", 0755) < 0 && errno == ENOTDIR,
      "%s: mkdir on a link to a file: ENOTDIR", modename (mode));
  ok (path_mkdir (rootfd, "loop1/x", 0755) < 0 && errno == ELOOP,
      "%s: mkdir through a loop: ELOOP", modename (mode));
  fd = path_mkdir (rootfd, "abs", 0755);
  ok (same (fd, "dir"), "%s: mkdir of an existing link to a dir", modename (mode));
  ok (outside_count () == 1, "%s: nothing created outside", modename (mode));
  path_use_fallback = 0;
}

static void
test_parent (int mode)
{
  char p[256], q[512];
  cleanup_free char *name = NULL;
  cleanup_fd int fd = -1;

  path_use_fallback = mode;
  snprintf (p, sizeof p, "var/run/sock%d", mode);
  fd = path_open_parent (rootfd, p, &name);
  ok (same (fd, "run") && name && strcmp (name, p + 8) == 0,
      "%s: parent of %s is run, name %s", modename (mode), p, name ? name : "-");
  close (fd);
  free (name);
  name = NULL;

  snprintf (p, sizeof p, "up/../../p%d/q", mode);
  snprintf (q, sizeof q, "p%d", mode);
  fd = path_open_parent (rootfd, p, &name);
  ok (same (fd, q) && name && strcmp (name, "q") == 0,
      "%s: parent of %s is %s (created)", modename (mode), p, q);
  close (fd);
  fd = -1;
  ok (path_open_parent (rootfd, "dir/", &name) < 0 && errno == EISDIR,
      "%s: parent of \"dir/\": EISDIR", modename (mode));
  ok (path_open_parent (rootfd, "/", &name) < 0 && errno == EEXIST,
      "%s: parent of \"/\": EEXIST", modename (mode));
  ok (path_open_parent (rootfd, "dir/..", &name) < 0 && errno == EEXIST,
      "%s: parent of \"dir/..\": EEXIST", modename (mode));
  path_use_fallback = 0;
}

static void
test_mkfile (int mode)
{
  char p[512], q[512];
  cleanup_fd int fd = -1;

  path_use_fallback = mode;
  snprintf (p, sizeof p, "dang%d", mode);
  snprintf (q, sizeof q, "/made%d/f", mode);
  ln (q, p);
  fd = path_mkfile (rootfd, p, 0444);
  ok (same (fd, q + 1), "%s: mkfile through a dangling link creates %s",
      modename (mode), q + 1);
  close (fd);

  snprintf (p, sizeof p, "host%d", mode);
  snprintf (q, sizeof q, "%s/f%d", outside, mode);
  ln (q, p);
  fd = path_mkfile (rootfd, p, 0444);
  ok (same (fd, q + 1) && outside_count () == 1,
      "%s: mkfile through a host-absolute link stays inside", modename (mode));
  close (fd);

  fd = path_mkfile (rootfd, "filelink", 0444);
  ok (same (fd, "dir/file"), "%s: mkfile on an existing file link", modename (mode));
  close (fd);
  fd = path_mkfile (rootfd, "upabs/passwd", 0444);
  ok (same (fd, "etc/passwd"), "%s: mkfile upabs/passwd is the root's",
      modename (mode));
  close (fd);
  fd = -1;
  ok (path_mkfile (rootfd, "abs", 0444) < 0 && errno == EISDIR,
      "%s: mkfile on a dir: EISDIR", modename (mode));
  ok (path_mkfile (rootfd, "dir/file/", 0444) < 0 && errno == EISDIR,
      "%s: mkfile with a trailing slash: EISDIR", modename (mode));
  ok (path_mkfile (rootfd, "loop1", 0444) < 0 && errno == ELOOP,
      "%s: mkfile on a loop: ELOOP", modename (mode));
  path_use_fallback = 0;
}

static void
test_open_file (int mode)
{
  char p[512], q[512];
  cleanup_fd int fd = -1;
  int flags = O_WRONLY | O_CREAT | O_TRUNC;

  path_use_fallback = mode;
  snprintf (p, sizeof p, "rel%d", mode);
  snprintf (q, sizeof q, "../outside/evil%d", mode);
  ln (q, p);
  fd = path_open_file (rootfd, p, flags, 0644);
  snprintf (q, sizeof q, "outside/evil%d", mode);
  ok (same (fd, q) && outside_count () == 1,
      "%s: create through ../outside lands in the root", modename (mode));
  close (fd);

  fd = path_open_file (rootfd, "filelink", O_WRONLY | O_TRUNC, 0);
  ok (same (fd, "dir/file"), "%s: open an existing link to a file", modename (mode));
  close (fd);
  fd = -1;
  ok (path_open_file (rootfd, "filelink", O_WRONLY | O_NOFOLLOW, 0) < 0
      && errno == ELOOP, "%s: O_NOFOLLOW refuses a link", modename (mode));
  ok (path_open_file (rootfd, "nocreate/x", O_WRONLY, 0) < 0 && errno == ENOENT
      && !exists ("nocreate"), "%s: no O_CREAT creates no parents",
      modename (mode));
  ok (path_open_file (rootfd, "abs", O_RDONLY, 0) < 0 && errno == EISDIR,
      "%s: a directory is EISDIR", modename (mode));
  path_use_fallback = 0;
}

int
main (void)
{
  char tmpl[] = "/tmp/husk-test-path.XXXXXX";
  char p[64];
  int i;

  umask (022);
  if (mkdtemp (tmpl) == NULL)
    die ("mkdtemp");
  snprintf (top, sizeof top, "%s", tmpl);
  tree_build ();
  /* l00 -> l01 -> ... -> l40 -> dir: 41 links from l00. */
  for (i = 0; i < 41; i++)
    {
      char t[64];

      snprintf (p, sizeof p, "l%02d", i);
      snprintf (t, sizeof t, i == 40 ? "dir" : "l%02d", i + 1);
      ln (t, p);
    }
  rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    die (root);

  test_resolve ();
  test_compare ();
  for (i = 0; i < 2; i++)
    {
      test_mkdir (i);
      test_parent (i);
      test_mkfile (i);
      test_open_file (i);
    }
  ok (outside_count () == 1, "the outside directory holds only its canary");
  ok (access ("/nonexistent", F_OK) < 0 && access ("/made0", F_OK) < 0,
      "nothing appeared at the real root");

  close (rootfd);
  nftw (top, rm_one, 16, FTW_DEPTH | FTW_PHYS);
  return tap_done ();
}
