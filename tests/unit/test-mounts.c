/* test-mounts.c: tests of src/exec/mounts.c, every op kind and the
 * symlink-escape attacks, in the layout the executor provides (rootfs.h):
 * "/" a scratch tmpfs, /newroot the tree being built, /oldroot the host.
 * Prints TAP.
 *
 * It sets that layout up itself: a child unshares a user namespace (unless
 * it is root and not given --userns), a mount, pid and IPC namespace, and
 * pivots into a scratch tmpfs.  Every op runs twice: with the mount API and
 * openat2, then with mount(2) and the portable path walker.  Afterwards the
 * host tree (seen through /oldroot) must hold nothing the attacks tried to
 * create.  Runs as root and as an unprivileged user.
 *
 * Must not: change anything on the host outside its temp dir (all mounts
 * live in the child's private mount namespace).
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
#include <linux/magic.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec/rootfs.h"
#include "lib/cleanup.h"
#include "lib/path.h"
#include "tap.h"

#ifndef MQUEUE_MAGIC
#define MQUEUE_MAGIC 0x19800202
#endif

static char host[256];        /* the host temp dir, as the host sees it */
static struct exec_rootfs fs;
static struct husk_err err;
static int pass;              /* 0: mount API + openat2; 1: mount(2) + walker */
static bool have_locked;      /* host/locked is a mount with locked flags */
static char pty_name[64];     /* a host pty for /dev/console, or "" */

static void
bail (const char *what)
{
  printf ("Bail out! %s: %s\n", what, strerror (errno));
  fflush (stdout);
  _exit (1);
}

/* ---- host tree ---------------------------------------------------------- */

static void
hwrite (const char *rel, const char *data)
{
  char p[512];
  int fd;

  snprintf (p, sizeof p, "%s/%s", host, rel);
  fd = open (p, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || write (fd, data, strlen (data)) < 0)
    bail (p);
  close (fd);
}

static void
hmkdir (const char *rel)
{
  char p[512];

  snprintf (p, sizeof p, "%s/%s", host, rel);
  if (mkdir (p, 0755) < 0)
    bail (p);
}

static void
hlink (const char *target, const char *rel)
{
  char p[512];

  snprintf (p, sizeof p, "%s/%s", host, rel);
  if (symlink (target, p) < 0)
    bail (p);
}

static void
host_build (void)
{
  char t[512];

  snprintf (host, sizeof host, "/tmp/husk-test-mounts.XXXXXX");
  if (mkdtemp (host) == NULL || chmod (host, 0755) < 0)
    bail ("mkdtemp");
  hmkdir ("src");
  hmkdir ("src/sub");
  hwrite ("src/hello", "hello\n");
  hmkdir ("src2");
  hmkdir ("src2/sub");
  hmkdir ("src2/with space");
  hmkdir ("dotsrc");
  hlink ("/elsewhere", "dotsrc/x");
  hwrite ("srcfile", "file\n");
  hmkdir ("canary");
  hmkdir ("hostile");
  hlink ("../../../../../../..", "hostile/up");
  snprintf (t, sizeof t, "%s/canary", host);
  hlink (t, "hostile/abs");
  snprintf (t, sizeof t, "%s/src", host);
  hlink (t, "abssrc");
  hmkdir ("lower1");
  hmkdir ("lower2");
  hwrite ("lower1/x", "lower1\n");
  hwrite ("lower1/only1", "only1\n");
  hwrite ("lower2/x", "lower2\n");
  hmkdir ("upper0");
  hmkdir ("work0");
  hmkdir ("upper1");
  hmkdir ("work1");
  hmkdir ("rootsrc0");
  hmkdir ("rootsrc1");
  hmkdir ("scratch");
  hmkdir ("locked");
}

static int
rm_one (const char *p, const struct stat *st, int type, struct FTW *f)
{
  (void) st;
  (void) type;
  (void) f;
  return remove (p);
}

/* ---- running ops -------------------------------------------------------- */

static struct husk_op
op_make (enum husk_op_kind kind, unsigned flags, const char *src,
         const char *dest, const char *where)
{
  struct husk_op op;

  memset (&op, 0, sizeof op);
  op.kind = kind;
  op.flags = flags;
  op.src = (char *) src;
  op.dest = (char *) dest;
  op.fd = -1;
  op.perms = HUSK_PERMS_UNSET;
  op.origin.where = (char *) where;
  op.origin.argi = -1;
  return op;
}

/* Host path of a file in the temp dir (for sources). */
static const char *
hp (const char *rel)
{
  static char bufs[8][512];
  static int i;
  char *b = bufs[i++ % 8];

  snprintf (b, 512, "%s/%s", host, rel);
  return b;
}

/* The same file as seen from inside the layout (through /oldroot). */
static const char *
hv (const char *rel)
{
  static char bufs[8][600];
  static int i;
  char *b = bufs[i++ % 8];

  snprintf (b, 600, "/oldroot%s/%s", host, rel);
  return b;
}

static int
run (struct husk_op *op)
{
  memset (&err, 0, sizeof err);
  if (exec_mounts_run_op (&fs, op, &err) == 0)
    return 0;
  diag ("%s (errno %s)%s%s", err.msg, strerror (err.errnum), err.hint[0] ? " hint: " : "",
        err.hint);
  return -1;
}

static int
run_simple (enum husk_op_kind kind, unsigned flags, const char *src,
            const char *dest)
{
  struct husk_op op = op_make (kind, flags, src, dest, "test");

  return run (&op);
}

/* A pipe holding `data`, read end returned. */
static int
data_fd (const char *data)
{
  int p[2];

  if (pipe2 (p, O_CLOEXEC) < 0 || write (p[1], data, strlen (data)) < 0)
    bail ("pipe");
  close (p[1]);
  return p[0];
}

static bool
content_is (const char *path, const char *want)
{
  char buf[256];
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  ssize_t n;

  if (fd < 0)
    return false;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n < 0)
    return false;
  buf[n] = '\0';
  return strcmp (buf, want) == 0;
}

static unsigned long
vflags (const char *path)
{
  struct statvfs sv;

  return statvfs (path, &sv) == 0 ? sv.f_flag : 0xdead0000UL;
}

static long
fstype (const char *path)
{
  struct statfs sf;

  return statfs (path, &sf) == 0 ? (long) sf.f_type : -1;
}

static mode_t
mode_of (const char *path)
{
  struct stat st;

  return lstat (path, &st) == 0 ? st.st_mode : 0;
}

static bool
exists (const char *path)
{
  struct stat st;

  return lstat (path, &st) == 0;
}

static int
count_dir (const char *path, const char *prefix)
{
  DIR *d = opendir (path);
  struct dirent *e;
  int n = 0;

  if (d == NULL)
    return -1;
  while ((e = readdir (d)) != NULL)
    if (e->d_name[0] != '.' && strncmp (e->d_name, prefix, strlen (prefix)) == 0)
      n++;
  closedir (d);
  return n;
}

static int
count_fds (void)
{
  return count_dir ("/oldroot/proc/self/fd", "") - 1; /* minus the DIR's own */
}

/* ---- tests -------------------------------------------------------------- */

/* The host's submounts under a --ro-bind (src2/sub, src2/sub/inner and
 * "src2/with space", plain tmpfs mounts made by sandbox_main) must get the
 * bind's flags too.  mount(2) has no recursive remount: the fallback must
 * find them (mountinfo escapes the space as \040) and remount each. */
static void
test_bind_recursive (void)
{
  const unsigned long want = ST_RDONLY | ST_NOSUID | ST_NODEV;
  static const char *const subs[] = {
    "/newroot/rr/sub", "/newroot/rr/sub/inner", "/newroot/rr/with space",
  };
  size_t i;
  int fd;

  ok (run_simple (HUSK_OP_BIND, HUSK_OPF_RO, hp ("src2"), "/rr") == 0
      && content_is ("/newroot/rr/sub/inner/f", "inner\n"),
      "ro-bind of a tree with submounts");
  for (i = 0; i < sizeof subs / sizeof subs[0]; i++)
    {
      char p[128];

      snprintf (p, sizeof p, "%s/new", subs[i]);
      fd = open (p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
      ok (fd < 0 && errno == EROFS && fstype (subs[i]) == TMPFS_MAGIC
          && (vflags (subs[i]) & want) == want,
          "submount %s is read-only, nosuid, nodev", subs[i] + 8);
      if (fd >= 0)
        close (fd);
    }
  ok (run_simple (HUSK_OP_BIND, 0, hp ("src2"), "/rw") == 0
      && (vflags ("/newroot/rw/sub/inner") & (want | ST_NOEXEC)) == (ST_NOSUID | ST_NODEV),
      "bind of it: submounts nosuid, nodev, still writable");
  ok ((vflags (hv ("src2/sub/inner")) & want) == 0, "the host's submount is untouched");
}

/* A destination that reaches its mount point through ".." or a symlink
 * crossing it ("/m/x/.." where the source's x is "x -> /elsewhere"): after
 * mount(2), that path leads elsewhere in the new mount, so finding the new
 * mount by the path again would remount the wrong one (here: the root)
 * read-only and leave this one writable.  It must be bound read-only, or
 * the op must fail, never leave it writable. */
static void
test_bind_dotdot (void)
{
  static const char *const dests[] = { "/m/x/..", "/via" };
  static const char *const tops[] = { "/newroot/m", "/newroot/m2" };
  size_t i;

  ok (run_simple (HUSK_OP_DIR, 0, NULL, "/elsewhere") == 0
      && run_simple (HUSK_OP_DIR, 0, NULL, "/m2/x") == 0
      && run_simple (HUSK_OP_SYMLINK, 0, "m2/x/..", "/via") == 0, "set up");
  for (i = 0; i < 2; i++)
    {
      char p[64];
      int r = run_simple (HUSK_OP_BIND, HUSK_OPF_RO, hp ("dotsrc"), dests[i]);
      int fd = -1, e = 0;

      snprintf (p, sizeof p, "%s/written", tops[i]);
      if (r == 0)
        {
          fd = open (p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
          e = errno;
        }
      ok ((r < 0 || (fd < 0 && e == EROFS && (vflags (tops[i]) & ST_RDONLY)))
          && count_dir (hv ("dotsrc"), "written") == 0,
          "ro-bind onto %s: %s", dests[i], r < 0 ? "refused" : "read-only");
      if (fd >= 0)
        close (fd);
      ok (!(vflags ("/newroot") & ST_RDONLY), "... and the root is still writable");
    }
}

static void
test_bind (void)
{
  struct husk_op op;

  ok (run_simple (HUSK_OP_BIND, 0, hp ("src"), "/a/b") == 0
      && content_is ("/newroot/a/b/hello", "hello\n"), "bind a directory");
  ok ((vflags ("/newroot/a/b") & (ST_NOSUID | ST_NODEV | ST_RDONLY))
      == (ST_NOSUID | ST_NODEV), "bind is nosuid,nodev,rw");
  ok (run_simple (HUSK_OP_BIND, HUSK_OPF_RO, hp ("src"), "ro") == 0
      && (vflags ("/newroot/ro") & ST_RDONLY)
      && open ("/newroot/ro/new", O_CREAT | O_WRONLY | O_CLOEXEC, 0644) < 0
      && errno == EROFS, "ro-bind is read-only");
  test_bind_recursive ();
  ok (run_simple (HUSK_OP_BIND, 0, hp ("srcfile"), "/etc/f") == 0
      && content_is ("/newroot/etc/f", "file\n")
      && S_ISREG (mode_of ("/newroot/etc/f")), "bind a file");
  ok (run_simple (HUSK_OP_BIND, HUSK_OPF_DEV, "/dev/null", "/devnull") == 0
      && !(vflags ("/newroot/devnull") & ST_NODEV)
      && content_is ("/newroot/devnull", ""), "dev-bind allows devices");
  ok (run_simple (HUSK_OP_BIND, 0, "/dev/null", "/nodevnull") == 0
      && open ("/newroot/nodevnull", O_RDONLY | O_CLOEXEC) < 0 && errno == EACCES,
      "bind without dev: devices refused");
  ok (run_simple (HUSK_OP_BIND, HUSK_OPF_TRY, hp ("missing"), "/try") == 0
      && !exists ("/newroot/try"), "bind-try of a missing source does nothing");
  op = op_make (HUSK_OP_BIND, HUSK_OPF_RO, "/nope", "/x", "--ro-bind /nope /x");
  ok (run (&op) < 0 && strcmp (err.msg, "--ro-bind /nope /x") == 0
      && err.errnum == ENOENT && !exists ("/newroot/x"),
      "missing source: \"%s\" (%s)", err.msg, strerror (err.errnum));
  ok (run_simple (HUSK_OP_BIND, 0, hp ("abssrc"), "/abs") == 0
      && content_is ("/newroot/abs/hello", "hello\n"),
      "host absolute symlinks resolve in the host root");
  ok (run_simple (HUSK_OP_BIND, 0, hp ("src"), "/etc/f") < 0,
      "directory onto an existing file fails");
}

static void
test_bind_fd (void)
{
  struct husk_op op = op_make (HUSK_OP_BIND_FD, HUSK_OPF_RO, NULL, "/bfd", "--ro-bind-fd");
  cleanup_fd int fd = open (hv ("src"), O_PATH | O_DIRECTORY | O_CLOEXEC);

  op.fd = fd;
  ok (run (&op) == 0 && content_is ("/newroot/bfd/hello", "hello\n")
      && (vflags ("/newroot/bfd") & ST_RDONLY), "ro-bind-fd");
}

static void
test_dir_tmpfs (void)
{
  struct husk_op op;
  struct statfs sf;

  ok (run_simple (HUSK_OP_DIR, 0, NULL, "/d1/d2") == 0
      && (mode_of ("/newroot/d1/d2") & 07777) == 0755, "dir creates parents, 0755");
  op = op_make (HUSK_OP_DIR, 0, NULL, "/d1", "--perms 0700 --dir /d1");
  op.perms = 0700;
  ok (run (&op) == 0 && (mode_of ("/newroot/d1") & 07777) == 0755,
      "dir with perms leaves an existing dir's mode (as bwrap)");
  op = op_make (HUSK_OP_TMPFS, 0, NULL, "/tmp", "--tmpfs /tmp");
  op.perms = 01777;
  op.size = 1 << 20;
  ok (run (&op) == 0 && fstype ("/newroot/tmp") == TMPFS_MAGIC
      && (mode_of ("/newroot/tmp") & 07777) == 01777
      && statfs ("/newroot/tmp", &sf) == 0
      && (unsigned long long) sf.f_blocks * (unsigned long long) sf.f_bsize == 1 << 20
      && (vflags ("/newroot/tmp") & (ST_NOSUID | ST_NODEV)) == (ST_NOSUID | ST_NODEV),
      "tmpfs with mode and size, nosuid,nodev");
}

static void
test_symlink (void)
{
  struct husk_op op;

  ok (run_simple (HUSK_OP_DIR, 0, NULL, "/usr/lib") == 0
      && run_simple (HUSK_OP_SYMLINK, 0, "usr/lib", "/lib") == 0
      && S_ISLNK (mode_of ("/newroot/lib")), "symlink");
  ok (run_simple (HUSK_OP_SYMLINK, 0, "usr/lib", "/lib") == 0,
      "the same symlink again is fine");
  op = op_make (HUSK_OP_SYMLINK, 0, "other", "/lib", "--symlink other /lib");
  ok (run (&op) < 0 && err.errnum == EEXIST, "a different symlink: EEXIST");
  ok (run_simple (HUSK_OP_SYMLINK, 0, "x", "/usr") < 0 && err.errnum == EEXIST,
      "symlink over a directory: EEXIST");
  ok (run_simple (HUSK_OP_SYMLINK, 0, "t", "/deep/er/link") == 0
      && S_ISLNK (mode_of ("/newroot/deep/er/link")), "symlink creates parents");
}

static void
test_file_data (void)
{
  struct husk_op op = op_make (HUSK_OP_FILE, 0, NULL, "/etc/x", "--file");
  cleanup_fd int fd = data_fd ("data\n");
  cleanup_fd int fd2 = data_fd ("bound\n");

  op.fd = fd;
  op.perms = 0640;
  ok (run (&op) == 0 && content_is ("/newroot/etc/x", "data\n")
      && (mode_of ("/newroot/etc/x") & 07777) == 0640, "file with perms");
  op = op_make (HUSK_OP_BIND_DATA, HUSK_OPF_RO, NULL, "/etc/y", "--ro-bind-data");
  op.fd = fd2;
  ok (run (&op) == 0 && content_is ("/newroot/etc/y", "bound\n")
      && (vflags ("/newroot/etc/y") & ST_RDONLY)
      && (mode_of ("/newroot/etc/y") & 07777) == 0600, "ro-bind-data, 0600");
  ok (count_dir ("/", "bind-data") == 0, "no scratch file left behind");
}

static void
test_proc_dev_mqueue (void)
{
  char buf[64];
  ssize_t n;
  int fd;

  ok (run_simple (HUSK_OP_PROC, 0, NULL, "/proc") == 0
      && fstype ("/newroot/proc") == PROC_SUPER_MAGIC
      && (vflags ("/newroot/proc") & (ST_NOSUID | ST_NODEV | ST_NOEXEC))
             == (ST_NOSUID | ST_NODEV), "proc, nosuid,nodev (exec allowed, as bwrap)");
  ok ((vflags ("/newroot/proc/sys") & ST_RDONLY)
      && (!exists ("/oldroot/proc/sysrq-trigger")
          || (vflags ("/newroot/proc/sysrq-trigger") & ST_RDONLY))
      && (vflags ("/newroot/proc/bus") & ST_RDONLY)
      && !(vflags ("/newroot/proc/self") & ST_RDONLY),
      "proc/sys, sysrq-trigger, bus read-only, the rest not");
  fs.host_tty = pty_name[0] ? pty_name : NULL;
  ok (run_simple (HUSK_OP_DEV, 0, NULL, "/dev") == 0
      && S_ISCHR (mode_of ("/newroot/dev/null")), "dev");
  fs.host_tty = NULL;
  if (pty_name[0])
    {
      struct stat a, b;
      char p[128];

      snprintf (p, sizeof p, "/oldroot%s", pty_name);
      ok (stat ("/newroot/dev/console", &a) == 0 && stat (p, &b) == 0
          && S_ISCHR (a.st_mode) && a.st_rdev == b.st_rdev,
          "dev/console is the host tty %s", pty_name);
    }
  fd = open ("/newroot/dev/null", O_WRONLY | O_CLOEXEC);
  ok (fd >= 0 && write (fd, "x", 1) == 1, "dev/null works");
  close (fd);
  fd = open ("/newroot/dev/urandom", O_RDONLY | O_CLOEXEC);
  ok (fd >= 0 && read (fd, buf, 8) == 8, "dev/urandom works");
  close (fd);
  n = readlink ("/newroot/dev/stdout", buf, sizeof buf - 1);
  ok (n == 15 && memcmp (buf, "/proc/self/fd/1", 15) == 0, "dev/stdout link");
  ok (fstype ("/newroot/dev/pts") == DEVPTS_SUPER_MAGIC
      && S_ISLNK (mode_of ("/newroot/dev/ptmx")), "dev/pts and ptmx");
  fd = open ("/newroot/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  ok (fd >= 0, "a pty can be allocated (%s)", fd < 0 ? strerror (errno) : "ok");
  close (fd);
  ok ((mode_of ("/newroot/dev/shm") & 07777) == 0755, "dev/shm is 0755 (as bwrap)");
  ok (run_simple (HUSK_OP_MQUEUE, 0, NULL, "/dev/mqueue") == 0
      && fstype ("/newroot/dev/mqueue") == MQUEUE_MAGIC, "mqueue");
}

static void
test_remount_chmod (void)
{
  struct husk_op op;

  ok (run_simple (HUSK_OP_REMOUNT_RO, 0, NULL, "/a/b") == 0
      && (vflags ("/newroot/a/b") & ST_RDONLY), "remount-ro");
  op = op_make (HUSK_OP_REMOUNT_RO, 0, NULL, "/d1", "--remount-ro /d1");
  ok (run (&op) < 0 && strstr (err.msg, "not a mount point") != NULL,
      "remount-ro of a non-mount point fails");
  op = op_make (HUSK_OP_CHMOD, 0, NULL, "/lib", "--chmod 0700 /lib");
  op.perms = 0700;
  ok (run (&op) == 0 && (mode_of ("/newroot/usr/lib") & 07777) == 0700,
      "chmod follows an in-root symlink");
  op = op_make (HUSK_OP_CHMOD, 0, NULL, "/nonexistent", "--chmod");
  op.perms = 0700;
  ok (run (&op) < 0 && err.errnum == ENOENT, "chmod of a missing path: ENOENT");
}

static void
test_overlay (void)
{
  char *lowers[2];
  char upper[16], work[16];
  struct husk_op op;
  int fd;

  lowers[0] = (char *) hp ("lower1");
  lowers[1] = (char *) hp ("lower2");
  op = op_make (HUSK_OP_OVERLAY, 0, NULL, "/ov1", "--ro-overlay /ov1");
  op.overlay_mode = HUSK_OVERLAY_RO;
  op.overlay_srcs = lowers;
  op.n_overlay_srcs = 2;
  ok (run (&op) == 0 && content_is ("/newroot/ov1/x", "lower2\n")
      && content_is ("/newroot/ov1/only1", "only1\n")
      && (vflags ("/newroot/ov1") & ST_RDONLY), "ro-overlay, last src on top");
  op = op_make (HUSK_OP_OVERLAY, 0, NULL, "/ov2", "--tmp-overlay /ov2");
  op.overlay_mode = HUSK_OVERLAY_TMP;
  op.overlay_srcs = lowers;
  op.n_overlay_srcs = 1;
  fd = -1;
  ok (run (&op) == 0
      && (fd = open ("/newroot/ov2/new", O_CREAT | O_WRONLY | O_CLOEXEC, 0644)) >= 0
      && count_dir (hv ("lower1"), "new") == 0,
      "tmp-overlay is writable, the lower layer is untouched");
  if (fd >= 0)
    close (fd);
  snprintf (upper, sizeof upper, "upper%d", pass);
  snprintf (work, sizeof work, "work%d", pass);
  op = op_make (HUSK_OP_OVERLAY, 0, hp (upper), "/ov3", "--overlay");
  op.overlay_mode = HUSK_OVERLAY_RW;
  op.overlay_work = (char *) hp (work);
  op.overlay_srcs = lowers;
  op.n_overlay_srcs = 1;
  fd = -1;
  ok (run (&op) == 0
      && (fd = open ("/newroot/ov3/new3", O_CREAT | O_WRONLY | O_CLOEXEC, 0644)) >= 0
      && count_dir (hv (upper), "new3") == 1, "overlay writes to its upper dir");
  if (fd >= 0)
    close (fd);
  if (getenv ("HUSK_TEST_SHOW_MOUNTS"))
    {
      FILE *f = fopen ("/oldroot/proc/self/mountinfo", "re");
      char line[1024];

      while (f && fgets (line, sizeof line, f))
        if (strstr (line, "newroot"))
          printf ("# %s", line);
      if (f)
        fclose (f);
    }
}

/* Destinations whose parents are symlinks out of the root must stay in.
 * A dangling link in the middle of a path is ENOENT, as for mkdir(2); once
 * its target exists inside the root, the path leads there. */
static void
test_attacks (void)
{
  char t[512], p[600];
  cleanup_fd int fd = data_fd ("evil\n");
  struct husk_op op;

  snprintf (t, sizeof t, "/oldroot%s/canary", host);
  ok (run_simple (HUSK_OP_SYMLINK, 0, t, "/esc1") == 0
      && run_simple (HUSK_OP_DIR, 0, NULL, "/esc1/evil") < 0 && err.errnum == ENOENT,
      "dir through a link to /oldroot/...: ENOENT, its target is not in the root");
  ok (run_simple (HUSK_OP_DIR, 0, NULL, t) == 0
      && run_simple (HUSK_OP_DIR, 0, NULL, "/esc1/evil") == 0,
      "... and once the target exists in the root, dir succeeds");
  snprintf (p, sizeof p, "/newroot%s/evil", t);
  ok (exists (p), "... inside the new root");
  ok (run_simple (HUSK_OP_SYMLINK, 0, "../../../../../..", "/esc2") == 0
      && run_simple (HUSK_OP_TMPFS, 0, NULL, "/esc2/evilt") == 0
      && fstype ("/newroot/evilt") == TMPFS_MAGIC, "tmpfs through ../../.. lands in the root");
  snprintf (t, sizeof t, "/oldroot%s/canary/f", host);
  op = op_make (HUSK_OP_FILE, 0, NULL, "/esc3", "--file");
  op.fd = fd;
  ok (run_simple (HUSK_OP_SYMLINK, 0, t, "/esc3") == 0 && run (&op) == 0,
      "file through a dangling link to /oldroot/...");
  snprintf (p, sizeof p, "/newroot%s", t);
  ok (content_is (p, "evil\n"), "... created inside the new root");
  snprintf (t, sizeof t, "%s/canary", host);
  ok (run_simple (HUSK_OP_SYMLINK, 0, host, "/esc4") == 0
      && run_simple (HUSK_OP_BIND, 0, hp ("src"), "/esc4/canary/b") < 0
      && err.errnum == ENOENT, "bind through a host-absolute link: ENOENT");
  ok (run_simple (HUSK_OP_DIR, 0, NULL, t) == 0
      && run_simple (HUSK_OP_BIND, 0, hp ("src"), "/esc4/canary/b") == 0,
      "... and with its target made in the root, the bind works");
  snprintf (p, sizeof p, "/newroot%s/canary/b/hello", host);
  ok (content_is (p, "hello\n"), "... mounted inside the new root");
  ok (run_simple (HUSK_OP_BIND, 0, hp ("hostile"), "/h") == 0
      && run_simple (HUSK_OP_DIR, 0, NULL, "/h/up/x1") == 0
      && exists ("/newroot/x1"), "dir through a bound host link to ../../.. stays in");
  ok (run_simple (HUSK_OP_DIR, 0, NULL, "/h/abs/x2") == 0,
      "dir through a bound host-absolute link");
  snprintf (p, sizeof p, "/newroot%s/canary/x2", host);
  ok (exists (p), "... inside the new root");
  op = op_make (HUSK_OP_CHMOD, 0, NULL, "/esc1", "--chmod 0777 /esc1");
  op.perms = 0777;
  ok (run (&op) == 0 && (mode_of (hv ("canary")) & 07777) == 0755,
      "chmod through a link to /oldroot/... leaves the host alone");
  ok (count_dir (hv ("canary"), "") == 0 && count_dir (hv ("hostile"), "") == 2
      && !exists ("/oldroot/x1") && !exists ("/oldroot/evilt")
      && !exists ("/oldroot/tmp/x1"), "nothing appeared on the host");
}

/* Binding a mount whose flags are locked (noatime, noexec, nosuid set by
 * a more privileged namespace) must keep them and still add ours: clearing
 * any of them would be EPERM. */
static void
test_locked (void)
{
  const unsigned long locked = ST_NOATIME | ST_NOEXEC | ST_NOSUID;

  if (!have_locked)
    {
      tap_skip ("needs root and --userns", "locked mount flags");
      return;
    }
  ok (run_simple (HUSK_OP_BIND, 0, hp ("locked"), "/lk") == 0
      && (vflags ("/newroot/lk") & (locked | ST_NODEV)) == (locked | ST_NODEV),
      "bind of a mount with locked noatime,noexec,nosuid");
  ok (run_simple (HUSK_OP_BIND, HUSK_OPF_RO, hp ("locked"), "/lk2") == 0
      && (vflags ("/newroot/lk2") & (locked | ST_RDONLY)) == (locked | ST_RDONLY),
      "ro-bind of it");
  ok (run_simple (HUSK_OP_REMOUNT_RO, 0, NULL, "/lk") == 0
      && (vflags ("/newroot/lk") & (locked | ST_RDONLY)) == (locked | ST_RDONLY),
      "remount-ro of it");
}

/* A bind or tmpfs on "/" itself: later ops must go into the new mount. */
static void
test_root (void)
{
  char src[32];

  snprintf (src, sizeof src, "rootsrc%d", pass);
  ok (run_simple (HUSK_OP_BIND, 0, hp (src), "/") == 0
      && run_simple (HUSK_OP_TMPFS, 0, NULL, "/t") == 0
      && fstype ("/newroot/t") == TMPFS_MAGIC && count_dir (hv (src), "t") == 1,
      "ops after a bind on / resolve inside it");
  ok (run_simple (HUSK_OP_TMPFS, 0, NULL, "/") == 0
      && run_simple (HUSK_OP_DIR, 0, NULL, "/after") == 0
      && exists ("/newroot/after") && count_dir (hv (src), "after") == 0,
      "ops after a tmpfs on / resolve inside it");
}

static void
test_many (void)
{
  struct timespec a, b;
  char dest[32];
  int i, bad = 0;
  double ms;

  clock_gettime (CLOCK_MONOTONIC, &a);
  for (i = 0; i < 1000; i++)
    {
      snprintf (dest, sizeof dest, "/many/%d", i);
      bad += run_simple (HUSK_OP_BIND, HUSK_OPF_RO, hp ("src"), dest) < 0;
    }
  clock_gettime (CLOCK_MONOTONIC, &b);
  ms = (double) (b.tv_sec - a.tv_sec) * 1e3 + (double) (b.tv_nsec - a.tv_nsec) / 1e6;
  diag ("1000 ro-binds took %.1f ms", ms);
  /* With mount(2) each recursive bind reads mountinfo once (it grows to
   * 1000+ lines here) to find its submounts: slower, only on kernels
   * before 5.12. */
  ok (bad == 0 && ms < (pass ? 10000 : 2000), "1000 binds in %.0f ms", ms);
}

/* ---- layout ------------------------------------------------------------- */

static void
write_file (const char *path, const char *data)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);

  if (fd < 0 || write (fd, data, strlen (data)) < 0)
    bail (path);
  close (fd);
}

static void
enter_userns (uid_t uid, gid_t gid)
{
  char map[64];

  if (unshare (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC) < 0)
    {
      printf ("1..0 # SKIP cannot create a user namespace: %s\n", strerror (errno));
      fflush (stdout);
      _exit (0);
    }
  write_file ("/proc/self/setgroups", "deny");
  snprintf (map, sizeof map, "0 %u 1", (unsigned) uid);
  write_file ("/proc/self/uid_map", map);
  snprintf (map, sizeof map, "0 %u 1", (unsigned) gid);
  write_file ("/proc/self/gid_map", map);
}

/* "/" becomes a scratch tmpfs holding /newroot (a tmpfs) and /oldroot. */
static void
layout (void)
{
  char scratch[512];

  snprintf (scratch, sizeof scratch, "%s/scratch", host);
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0
      || mount ("tmpfs", scratch, "tmpfs", 0, "mode=0755") < 0)
    bail ("mount scratch");
  if (chdir (scratch) < 0 || mkdir ("newroot", 0755) < 0 || mkdir ("oldroot", 0755) < 0)
    bail ("scratch dirs");
  if (syscall (SYS_pivot_root, ".", "oldroot") < 0 || chdir ("/") < 0)
    bail ("pivot_root");
  fs.scratch_fd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  fs.oldroot_fd = open ("/oldroot", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fs.scratch_fd < 0 || fs.oldroot_fd < 0)
    bail ("open roots");
}

static void
newroot_fresh (void)
{
  while (umount2 ("/newroot", MNT_DETACH) == 0)
    ;
  if (mount ("tmpfs", "/newroot", "tmpfs", 0, "mode=0755") < 0)
    bail ("mount newroot");
  if (fs.newroot_fd >= 0)
    close (fs.newroot_fd);
  fs.newroot_fd = open ("/newroot", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fs.newroot_fd < 0)
    bail ("open newroot");
}

static int
sandbox_main (bool userns)
{
  int fds;
  int pty;

  fs.newroot_fd = -1;
  fs.in_userns = userns;
  fs.host_tty = NULL;
  /* A pty of the host's, standing for the caller's terminal. */
  pty = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (pty >= 0 && grantpt (pty) == 0 && unlockpt (pty) == 0 && ptsname (pty))
    snprintf (pty_name, sizeof pty_name, "%s", ptsname (pty));
  layout ();
  /* A submount of our own on a host dir, for the recursive test. */
  if (mount ("tmpfs", hv ("src2/sub"), "tmpfs", 0, NULL) < 0
      || mkdir (hv ("src2/sub/inner"), 0755) < 0
      || mount ("tmpfs", hv ("src2/sub/inner"), "tmpfs", 0, NULL) < 0
      || mount ("tmpfs", hv ("src2/with space"), "tmpfs", 0, NULL) < 0)
    bail ("tmpfs on src2/sub");
  {
    int fd = open (hv ("src2/sub/inner/f"), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);

    if (fd < 0 || write (fd, "inner\n", 6) != 6)
      bail ("src2/sub/inner/f");
    close (fd);
  }
  for (pass = 0; pass < 2; pass++)
    {
      int probe;

      tap_set_prefix (pass ? "[mount(2)] " : "[mount API] ");
      probe = fsopen ("tmpfs", FSOPEN_CLOEXEC);
      /* Under valgrind (3.19 and older) the mount API is ENOSYS. */
      if (pass == 0 && probe < 0 && errno == ENOSYS)
        {
          tap_skip ("the mount API is missing", "all");
          continue;
        }
      if (probe >= 0)
        close (probe);
      fs.have_mount_api = pass == 0;
      path_use_fallback = pass;
      newroot_fresh ();
      fds = count_fds ();
      test_bind ();
      test_bind_dotdot ();
      test_bind_fd ();
      test_dir_tmpfs ();
      test_symlink ();
      test_file_data ();
      test_proc_dev_mqueue ();
      test_remount_chmod ();
      test_overlay ();
      test_attacks ();
      test_locked ();
      test_root ();
      test_many ();
      ok (count_fds () == fds, "no fd leaked (%d before, %d after)", fds, count_fds ());
    }
  return tap_done ();
}

static int
wait_for (pid_t pid)
{
  int status;

  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return 1;
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

int
main (int argc, char **argv)
{
  bool userns = getuid () != 0 || (argc > 1 && strcmp (argv[1], "--userns") == 0);
  uid_t uid = getuid ();
  gid_t gid = getgid ();
  pid_t pid;
  int rc;

  umask (022);
  host_build ();
  diag ("%s, %s", uid ? "unprivileged" : "root",
        userns ? "in a user namespace" : "no user namespace");
  fflush (stdout);
  pid = fork ();
  if (pid < 0)
    bail ("fork");
  if (pid == 0)
    {
      /* As root, make a mount whose flags the user namespace will see
       * locked: it comes from the more privileged mount namespace. */
      if (userns && uid == 0)
        have_locked = unshare (CLONE_NEWNS) == 0
                      && mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0
                      && mount ("tmpfs", hp ("locked"), "tmpfs",
                                MS_NOATIME | MS_NOEXEC | MS_NOSUID, NULL) == 0;
      if (userns)
        enter_userns (uid, gid);
      else if (unshare (CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC) < 0)
        bail ("unshare");
      /* The first child in the new pid namespace is its init. */
      pid = fork ();
      if (pid < 0)
        bail ("fork");
      if (pid == 0)
        _exit (sandbox_main (userns));
      _exit (wait_for (pid));
    }
  rc = wait_for (pid);
  nftw (host, rm_one, 16, FTW_DEPTH | FTW_PHYS);
  return rc;
}
