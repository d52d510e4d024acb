/* probe.c: husk-probe, the payload run inside test sandboxes.
 *
 * It reports what the sandboxed process sees (ids, capabilities, open fds,
 * namespaces, mounts, environment) and tries operations (writes, ioctls)
 * so that shell tests can check real behaviour.  Output is plain text,
 * one `key=value` (or one item) per line, stable and sorted where the
 * source order is not meaningful, so that bwrap and husk can be compared
 * byte for byte (tests/compat/parity.sh).
 *
 * Conventions: a subcommand that *tries* something (write, read, mkdir,
 * tiocsti, ...) prints `ok` or the errno name (EROFS, EACCES, ...) and
 * exits 0 either way; only usage errors exit 2.  Built static so it runs
 * in a sandbox that holds nothing else.  It must not depend on husk.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/bpf.h>
#include <net/if.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define PROBE_USAGE 2

static const struct
{
  int num;
  const char *name;
} errno_names[] = {
#define E(x) { x, #x }
  E (EPERM), E (ENOENT), E (ESRCH), E (EINTR), E (EIO), E (ENXIO),
  E (E2BIG), E (ENOEXEC), E (EBADF), E (ECHILD), E (EAGAIN), E (ENOMEM),
  E (EACCES), E (EFAULT), E (ENOTBLK), E (EBUSY), E (EEXIST), E (EXDEV),
  E (ENODEV), E (ENOTDIR), E (EISDIR), E (EINVAL), E (ENFILE), E (EMFILE),
  E (ENOTTY), E (ETXTBSY), E (EFBIG), E (ENOSPC), E (ESPIPE), E (EROFS),
  E (EMLINK), E (EPIPE), E (ERANGE), E (ENAMETOOLONG), E (ENOSYS),
  E (ENOTEMPTY), E (ELOOP), E (EOPNOTSUPP), E (EAFNOSUPPORT),
  E (EADDRNOTAVAIL), E (ENETDOWN), E (ENETUNREACH), E (ECONNREFUSED),
  E (EDQUOT), E (ESTALE), E (ENOTSUP), E (EADDRINUSE),
#undef E
};

static const char *
errno_name (int err)
{
  static char buf[32];
  size_t i;

  for (i = 0; i < sizeof errno_names / sizeof errno_names[0]; i++)
    if (errno_names[i].num == err)
      return errno_names[i].name;
  snprintf (buf, sizeof buf, "E%d", err);
  return buf;
}

static int
usage (const char *msg)
{
  if (msg != NULL)
    fprintf (stderr, "husk-probe: %s\n", msg);
  fprintf (stderr, "usage: husk-probe SUBCOMMAND [ARGS]\n"
                   "  ids | status | fds | hostname | ns | pid | cwd | env | argv\n"
                   "  mountinfo | net | tiocsti | tiocsti-hi | tiocsti-i386 | tioclinux\n"
                   "  rawsock | orphan | sched\n"
                   "  write PATH | read PATH | mkdir PATH | stat PATH | statfs PATH | ls DIR\n"
                   "  keyctl | mount-tmpfs DIR | lseek OFFSET | tcp-serve PORT | tcp-read PORT\n"
                   "  exit N | kill-self SIG | sleep SECS\n"
                   "  tcp-bind PORT | tcp-connect PORT | signal PID | abstract-connect NAME\n"
                   "  bpf-query CGROUP-DIR | bpf-prog ID\n");
  return PROBE_USAGE;
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static int
cmp_int (const void *a, const void *b)
{
  int x = *(const int *) a, y = *(const int *) b;
  return (x > y) - (x < y);
}

/* Parse a non-negative decimal integer; false on junk. */
static bool
parse_uint (const char *s, unsigned long *out)
{
  char *end = NULL;

  if (s[0] < '0' || s[0] > '9')
    return false;
  errno = 0;
  *out = strtoul (s, &end, 10);
  return errno == 0 && *end == '\0';
}

static int
cmd_ids (void)
{
  gid_t groups[NGROUPS_MAX];
  int n, i;

  printf ("uid=%u\neuid=%u\ngid=%u\negid=%u\n", (unsigned) getuid (),
          (unsigned) geteuid (), (unsigned) getgid (), (unsigned) getegid ());
  n = getgroups (NGROUPS_MAX, groups);
  if (n < 0)
    {
      printf ("groups=%s\n", errno_name (errno));
      return 0;
    }
  printf ("groups=");
  for (i = 0; i < n; i++)
    printf ("%s%u", i ? "," : "", (unsigned) groups[i]);
  printf ("\n");
  return 0;
}

static int
cmd_status (void)
{
  static const char *const keys[] = { "CapInh", "CapPrm", "CapEff", "CapBnd",
                                      "CapAmb", "NoNewPrivs", "Seccomp" };
  char line[512];
  FILE *f;
  size_t i;

  f = fopen ("/proc/self/status", "re");
  if (f == NULL)
    {
      fprintf (stderr, "husk-probe: /proc/self/status: %s\n", strerror (errno));
      return 1;
    }
  while (fgets (line, sizeof line, f) != NULL)
    for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
      {
        size_t len = strlen (keys[i]);
        char *v;

        if (strncmp (line, keys[i], len) != 0 || line[len] != ':')
          continue;
        v = line + len + 1;
        v += strspn (v, " \t");
        v[strcspn (v, "\n")] = '\0';
        printf ("%s=%s\n", keys[i], v);
      }
  fclose (f);
  return 0;
}

static int
cmd_fds (void)
{
  int fds[4096];
  size_t n = 0, i;
  struct dirent *de;
  DIR *d;

  d = opendir ("/proc/self/fd");
  if (d == NULL)
    {
      fprintf (stderr, "husk-probe: /proc/self/fd: %s\n", strerror (errno));
      return 1;
    }
  while ((de = readdir (d)) != NULL && n < sizeof fds / sizeof fds[0])
    {
      unsigned long fd;

      if (!parse_uint (de->d_name, &fd) || (int) fd == dirfd (d))
        continue;
      fds[n++] = (int) fd;
    }
  closedir (d);
  qsort (fds, n, sizeof fds[0], cmp_int);
  for (i = 0; i < n; i++)
    printf ("%s%d", i ? " " : "", fds[i]);
  printf ("\n");
  return 0;
}

static int
cmd_hostname (void)
{
  char name[HOST_NAME_MAX + 1];

  if (gethostname (name, sizeof name) != 0)
    {
      printf ("%s\n", errno_name (errno));
      return 0;
    }
  name[HOST_NAME_MAX] = '\0';
  printf ("%s\n", name);
  return 0;
}

/* Read a directory's entry names (no . and ..), sorted; returns count or -1. */
static ssize_t
list_dir (const char *path, char ***out)
{
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *de;
  DIR *d;

  d = opendir (path);
  if (d == NULL)
    return -1;
  while ((de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (n == cap)
        {
          cap = cap ? cap * 2 : 32;
          names = realloc (names, cap * sizeof *names);
          if (names == NULL)
            abort ();
        }
      names[n] = strdup (de->d_name);
      if (names[n] == NULL)
        abort ();
      n++;
    }
  closedir (d);
  if (n > 0)
    qsort (names, n, sizeof *names, cmp_str);
  *out = names;
  return (ssize_t) n;
}

static void
free_list (char **names, ssize_t n)
{
  ssize_t i;

  for (i = 0; i < n; i++)
    free (names[i]);
  free (names);
}

static int
cmd_ns (void)
{
  char **names = NULL;
  ssize_t n, i;

  n = list_dir ("/proc/self/ns", &names);
  if (n < 0)
    {
      fprintf (stderr, "husk-probe: /proc/self/ns: %s\n", strerror (errno));
      return 1;
    }
  for (i = 0; i < n; i++)
    {
      char path[PATH_MAX];
      struct stat st;

      snprintf (path, sizeof path, "/proc/self/ns/%s", names[i]);
      if (stat (path, &st) == 0)
        printf ("%s=%llu\n", names[i], (unsigned long long) st.st_ino);
      else
        printf ("%s=%s\n", names[i], errno_name (errno));
    }
  free_list (names, n);
  return 0;
}

static int
cmd_write (const char *path)
{
  static const char data[] = "husk-probe\n";
  int fd;

  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
  if (fd < 0)
    {
      printf ("%s\n", errno_name (errno));
      return 0;
    }
  if (write (fd, data, sizeof data - 1) != (ssize_t) (sizeof data - 1))
    {
      printf ("%s\n", errno_name (errno));
      close (fd);
      return 0;
    }
  if (close (fd) != 0)
    {
      printf ("%s\n", errno_name (errno));
      return 0;
    }
  printf ("ok\n");
  return 0;
}

/* Copy up to 1 MiB of PATH to stdout, or print the errno name. */
static int
cmd_read (const char *path)
{
  char buf[65536];
  size_t total = 0;
  ssize_t r;
  int fd;

  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      printf ("%s\n", errno_name (errno));
      return 0;
    }
  while (total < (1u << 20) && (r = read (fd, buf, sizeof buf)) != 0)
    {
      if (r < 0)
        {
          if (errno == EINTR)
            continue;
          fflush (stdout);
          printf ("%s\n", errno_name (errno));
          break;
        }
      fwrite (buf, 1, (size_t) r, stdout);
      total += (size_t) r;
    }
  close (fd);
  return 0;
}

static int
cmd_mkdir (const char *path)
{
  if (mkdir (path, 0755) != 0)
    printf ("%s\n", errno_name (errno));
  else
    printf ("ok\n");
  return 0;
}

/* Seccomp profiles (issue 6): syscalls the default profile denies.
 * keyctl: KEYCTL_GET_KEYRING_ID (0) of the session keyring (-3), created
 * if missing.  mount-tmpfs DIR: a tmpfs on DIR (needs CAP_SYS_ADMIN). */
static int
cmd_keyctl (void)
{
  if (syscall (SYS_keyctl, 0, -3, 1) < 0)
    printf ("%s\n", errno_name (errno));
  else
    printf ("ok\n");
  return 0;
}

/* lseek OFFSET: lseek(0, OFFSET, SEEK_CUR) through syscall(2), OFFSET
 * (decimal or 0x hex, as uint64) passed as a full 64-bit register, for
 * seccomp rules on 64-bit argument values (18446744073709551615 is -1). */
static int
cmd_lseek (const char *arg)
{
  char *end;
  unsigned long long off;

  errno = 0;
  off = strtoull (arg, &end, 0);
  if (errno != 0 || *end != '\0' || end == arg)
    return usage ("lseek: OFFSET must be a number");
  if (syscall (SYS_lseek, 0L, (long) off, (long) SEEK_CUR) < 0)
    printf ("%s\n", errno_name (errno));
  else
    printf ("ok\n");
  return 0;
}

static int
cmd_mount_tmpfs (const char *dir)
{
  if (syscall (SYS_mount, "none", dir, "tmpfs", 0UL, NULL) != 0)
    printf ("%s\n", errno_name (errno));
  else
    printf ("ok\n");
  return 0;
}

static const char *
type_name (mode_t mode)
{
  switch (mode & S_IFMT)
    {
    case S_IFREG:
      return "file";
    case S_IFDIR:
      return "dir";
    case S_IFLNK:
      return "symlink";
    case S_IFCHR:
      return "chr";
    case S_IFBLK:
      return "blk";
    case S_IFIFO:
      return "fifo";
    case S_IFSOCK:
      return "socket";
    default:
      return "unknown";
    }
}

/* bpf-query CGROUP-DIR: the ids of the device programs (BPF_CGROUP_DEVICE)
 * attached to that cgroup, one line, or "none" (needs CAP_SYS_ADMIN or
 * CAP_NET_ADMIN; run on the host). */
static int
cmd_bpf_query (const char *dir)
{
  uint32_t ids[64];
  union bpf_attr attr;
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    {
      printf ("%s\n", errno_name (errno));
      return 0;
    }
  memset (&attr, 0, sizeof attr);
  attr.query.target_fd = (uint32_t) fd;
  attr.query.attach_type = BPF_CGROUP_DEVICE;
  attr.query.prog_ids = (uint64_t) (uintptr_t) ids;
  attr.query.prog_cnt = 64;
  if (syscall (SYS_bpf, BPF_PROG_QUERY, &attr, sizeof attr) < 0)
    printf ("%s\n", errno_name (errno));
  else if (attr.query.prog_cnt == 0)
    printf ("none\n");
  else
    for (uint32_t i = 0; i < attr.query.prog_cnt && i < 64; i++)
      printf ("%u%c", ids[i], i + 1 < attr.query.prog_cnt && i + 1 < 64 ? ' ' : '\n');
  close (fd);
  return 0;
}

/* bpf-prog ID: "ok" while a BPF program with that id exists, else the
 * errno name (ENOENT once it is freed). */
static int
cmd_bpf_prog (const char *id)
{
  union bpf_attr attr;
  unsigned long n;
  int fd;

  if (!parse_uint (id, &n) || n > UINT32_MAX)
    return usage ("bpf-prog: not a program id");
  memset (&attr, 0, sizeof attr);
  attr.prog_id = (uint32_t) n;
  fd = (int) syscall (SYS_bpf, BPF_PROG_GET_FD_BY_ID, &attr, sizeof attr);
  if (fd < 0)
    printf ("%s\n", errno_name (errno));
  else
    {
      printf ("ok\n");
      close (fd);
    }
  return 0;
}

/* lstat PATH: type, octal mode, and the link target / size / device. */
static int
cmd_stat (const char *path)
{
  struct stat st;

  if (lstat (path, &st) != 0)
    {
      printf ("%s\n", errno_name (errno));
      return 0;
    }
  printf ("type=%s\nmode=%04o\n", type_name (st.st_mode),
          (unsigned) (st.st_mode & 07777));
  if (S_ISLNK (st.st_mode))
    {
      char target[PATH_MAX];
      ssize_t len = readlink (path, target, sizeof target - 1);

      if (len < 0)
        printf ("target=%s\n", errno_name (errno));
      else
        printf ("target=%.*s\n", (int) len, target);
    }
  else if (S_ISREG (st.st_mode))
    printf ("size=%lld\n", (long long) st.st_size);
  else if (S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode))
    printf ("rdev=%u:%u\n", major (st.st_rdev), minor (st.st_rdev));
  return 0;
}

static const char *
fs_name (unsigned long type)
{
  switch (type)
    {
    case 0x01021994UL:
      return "tmpfs";
    case 0x9fa0UL:
      return "proc";
    case 0x1cd1UL:
      return "devpts";
    case 0x19800202UL:
      return "mqueue";
    case 0x794c7630UL:
      return "overlay";
    case 0xef53UL:
      return "ext4";
    case 0x62656572UL:
      return "sysfs";
    case 0x63677270UL:
      return "cgroup2";
    case 0x6e736673UL:
      return "nsfs";
    case 0x58465342UL:
      return "xfs";
    case 0x9123683eUL:
      return "btrfs";
    default:
      return NULL;
    }
}

/* statfs PATH: filesystem type, total size in bytes, mount flags. */
static int
cmd_statfs (const char *path)
{
  struct statfs sfs;
  struct statvfs svfs;
  const char *name;

  if (statfs (path, &sfs) != 0 || statvfs (path, &svfs) != 0)
    {
      printf ("%s\n", errno_name (errno));
      return 0;
    }
  name = fs_name ((unsigned long) sfs.f_type);
  if (name != NULL)
    printf ("fstype=%s\n", name);
  else
    printf ("fstype=0x%lx\n", (unsigned long) sfs.f_type);
  printf ("size=%llu\n",
          (unsigned long long) svfs.f_blocks * (unsigned long long) svfs.f_frsize);
  printf ("flags=%s%s%s%s\n", (svfs.f_flag & ST_RDONLY) ? "ro" : "rw",
          (svfs.f_flag & ST_NOSUID) ? ",nosuid" : "",
          (svfs.f_flag & ST_NODEV) ? ",nodev" : "",
          (svfs.f_flag & ST_NOEXEC) ? ",noexec" : "");
  return 0;
}

/* ls DIR: one "name type" line per entry, sorted. */
static int
cmd_ls (const char *dir)
{
  char **names = NULL;
  ssize_t n, i;

  n = list_dir (dir, &names);
  if (n < 0)
    {
      printf ("%s\n", errno_name (errno));
      return 0;
    }
  for (i = 0; i < n; i++)
    {
      char path[PATH_MAX];
      struct stat st;

      snprintf (path, sizeof path, "%s/%s", dir, names[i]);
      if (lstat (path, &st) == 0)
        printf ("%s %s\n", names[i], type_name (st.st_mode));
      else
        printf ("%s %s\n", names[i], errno_name (errno));
    }
  free_list (names, n);
  return 0;
}

static int
cmd_pid (void)
{
  printf ("pid=%d\nppid=%d\npgid=%d\nsid=%d\n", (int) getpid (), (int) getppid (),
          (int) getpgid (0), (int) getsid (0));
  return 0;
}

/* mountinfo: the mount point (field 5) of every line, in kernel order. */
static int
cmd_mountinfo (void)
{
  char *line = NULL;
  size_t cap = 0;
  FILE *f;

  f = fopen ("/proc/self/mountinfo", "re");
  if (f == NULL)
    {
      fprintf (stderr, "husk-probe: /proc/self/mountinfo: %s\n", strerror (errno));
      return 1;
    }
  while (getline (&line, &cap, f) > 0)
    {
      char *p = line;
      int field;

      for (field = 1; field < 5 && p != NULL; field++)
        {
          p = strchr (p, ' ');
          if (p != NULL)
            p++;
        }
      if (p == NULL)
        continue;
      printf ("%.*s\n", (int) strcspn (p, " "), p);
    }
  free (line);
  fclose (f);
  return 0;
}

static int
cmd_cwd (void)
{
  char buf[PATH_MAX];

  if (getcwd (buf, sizeof buf) == NULL)
    printf ("%s\n", errno_name (errno));
  else
    printf ("%s\n", buf);
  return 0;
}

static int
cmd_env (void)
{
  size_t n = 0, i;
  char **copy;

  while (environ[n] != NULL)
    n++;
  copy = calloc (n + 1, sizeof *copy);
  if (copy == NULL)
    abort ();
  memcpy (copy, environ, n * sizeof *copy);
  if (n > 0)
    qsort (copy, n, sizeof *copy, cmp_str);
  for (i = 0; i < n; i++)
    printf ("%s\n", copy[i]);
  free (copy);
  return 0;
}

/* argv: argv[0] as received and the kernel's view (/proc/self/cmdline). */
static int
cmd_argv (const char *argv0)
{
  char buf[8192];
  ssize_t len, i;
  int fd;

  printf ("argv0=%s\n", argv0);
  fd = open ("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    {
      printf ("cmdline=%s\n", errno_name (errno));
      return 0;
    }
  len = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (len < 0)
    {
      printf ("cmdline=%s\n", errno_name (errno));
      return 0;
    }
  for (i = 0; i < len; i++)
    if (buf[i] == '\0' && i != len - 1)
      buf[i] = ' ';
  buf[len] = '\0';
  printf ("cmdline=%s\n", buf);
  return 0;
}

static int
cmd_exit (const char *arg)
{
  unsigned long code;

  if (!parse_uint (arg, &code) || code > 255)
    return usage ("exit: N must be 0..255");
  fflush (stdout);
  _exit ((int) code);
}

static int
parse_signal (const char *s)
{
  static const struct
  {
    const char *name;
    int num;
  } sigs[] = {
    { "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
    { "ABRT", SIGABRT }, { "KILL", SIGKILL }, { "USR1", SIGUSR1 },
    { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 }, { "PIPE", SIGPIPE },
    { "ALRM", SIGALRM }, { "TERM", SIGTERM },
  };
  unsigned long num;
  size_t i;

  if (parse_uint (s, &num))
    return (num > 0 && num < 65) ? (int) num : -1;
  if (strncmp (s, "SIG", 3) == 0)
    s += 3;
  for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
    if (strcmp (s, sigs[i].name) == 0)
      return sigs[i].num;
  return -1;
}

/* kill-self SIG: die by SIG.  If still alive afterwards (e.g. as pid 1 of
 * a pid namespace, where unhandled signals are ignored) say so, exit 125. */
static int
cmd_kill_self (const char *arg)
{
  struct sigaction sa;
  sigset_t set;
  int sig = parse_signal (arg);

  if (sig < 0)
    return usage ("kill-self: unknown signal");
  memset (&sa, 0, sizeof sa);
  sa.sa_handler = SIG_DFL;
  sigaction (sig, &sa, NULL);
  sigemptyset (&set);
  sigaddset (&set, sig);
  sigprocmask (SIG_UNBLOCK, &set, NULL);
  fflush (stdout);
  kill (getpid (), sig);
  usleep (100000);
  printf ("survived\n");
  return 125;
}

static int
cmd_sleep (const char *arg)
{
  struct timespec ts;
  char *end = NULL;
  double secs;

  secs = strtod (arg, &end);
  if (end == arg || *end != '\0' || secs < 0)
    return usage ("sleep: SECS must be a non-negative number");
  ts.tv_sec = (time_t) secs;
  ts.tv_nsec = (long) ((secs - (double) ts.tv_sec) * 1e9);
  while (nanosleep (&ts, &ts) != 0 && errno == EINTR)
    ;
  return 0;
}

static int
cmd_tiocsti (void)
{
  char c = '\n';

  if (ioctl (0, TIOCSTI, &c) != 0)
    printf ("%s\n", errno_name (errno));
  else
    printf ("ok\n");
  return 0;
}

/* tiocsti-hi: TIOCSTI with bits set above the low 32 of the request; the
 * kernel truncates the request to 32 bits, so this is still TIOCSTI (the
 * bypass of a filter that compares all 64 bits). */
static int
cmd_tiocsti_hi (void)
{
  char c = '\n';
  unsigned long req = (unsigned long) TIOCSTI;

  if (sizeof req > 4)
    req |= (unsigned long) 1 << (sizeof req * 8 - 1);
  if (syscall (SYS_ioctl, 0, req, &c) != 0)
    printf ("%s\n", errno_name (errno));
  else
    printf ("ok\n");
  return 0;
}

/* tiocsti-i386: TIOCSTI through the i386 entry (int 0x80, ioctl = 54),
 * which a 64-bit process can use on x86-64 kernels with IA32 emulation. */
static int
cmd_tiocsti_i386 (void)
{
#if defined(__x86_64__)
  char *c = mmap (NULL, 4096, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
  long r;

  if (c == MAP_FAILED)
    {
      printf ("mmap=%s\n", errno_name (errno));
      return 0;
    }
  c[0] = '\n';
  __asm__ volatile ("int $0x80"
                    : "=a"(r)
                    : "a"(54L), "b"(0L), "c"((long) TIOCSTI), "d"((long) (uintptr_t) c)
                    : "memory");
  if (r < 0)
    printf ("%s\n", errno_name ((int) -r));
  else
    printf ("ok\n");
#else
  printf ("unsupported\n");
#endif
  return 0;
}

/* tioclinux: TIOCLINUX on fd 0 (subcommand 6, read the shift state);
 * ENOTTY/EINVAL on a non-console, EPERM when a filter forbids it. */
static int
cmd_tioclinux (void)
{
  char sub = 6;

  if (ioctl (0, TIOCLINUX, &sub) != 0)
    printf ("%s\n", errno_name (errno));
  else
    printf ("ok\n");
  return 0;
}

/* rawsock: try to open a raw IPv4 socket (needs CAP_NET_RAW). */
static int
cmd_rawsock (void)
{
  int fd = socket (AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);

  if (fd < 0)
    printf ("%s\n", errno_name (errno));
  else
    {
      printf ("ok\n");
      close (fd);
    }
  return 0;
}

/* net: every interface name (sorted), then whether lo is up. */
static int
cmd_net (void)
{
  struct if_nameindex *ifs, *p;
  char *names[256];
  size_t n = 0, i;
  struct ifreq ifr;
  int sock;

  ifs = if_nameindex ();
  if (ifs == NULL)
    {
      printf ("if=%s\n", errno_name (errno));
      return 0;
    }
  for (p = ifs; p->if_name != NULL && n < 256; p++)
    names[n++] = p->if_name;
  qsort (names, n, sizeof names[0], cmp_str);
  for (i = 0; i < n; i++)
    printf ("if=%s\n", names[i]);
  if_freenameindex (ifs);

  sock = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    {
      printf ("lo=%s\n", errno_name (errno));
      return 0;
    }
  memset (&ifr, 0, sizeof ifr);
  strcpy (ifr.ifr_name, "lo");
  if (ioctl (sock, SIOCGIFFLAGS, &ifr) != 0)
    printf ("lo=%s\n", errno_name (errno));
  else
    printf ("lo=%s\n", (ifr.ifr_flags & IFF_UP) ? "up" : "down");
  close (sock);
  return 0;
}

/* Count zombie processes visible in /proc. */
static int
count_zombies (void)
{
  struct dirent *de;
  int zombies = 0;
  DIR *d;

  d = opendir ("/proc");
  if (d == NULL)
    return -1;
  while ((de = readdir (d)) != NULL)
    {
      char path[PATH_MAX], buf[512], *rp;
      unsigned long pid;
      ssize_t len;
      int fd;

      if (!parse_uint (de->d_name, &pid))
        continue;
      snprintf (path, sizeof path, "/proc/%lu/stat", pid);
      fd = open (path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        continue;
      len = read (fd, buf, sizeof buf - 1);
      close (fd);
      if (len <= 0)
        continue;
      buf[len] = '\0';
      rp = strrchr (buf, ')');
      if (rp != NULL && rp[1] == ' ' && rp[2] == 'Z')
        zombies++;
    }
  closedir (d);
  return zombies;
}

/* orphan: leave a grandchild that exits after its parent, then report how
 * many zombies remain; with a reaping pid 1 the answer is 0. */
static int
cmd_orphan (void)
{
  pid_t child;
  int status, z;

  child = fork ();
  if (child < 0)
    {
      fprintf (stderr, "husk-probe: fork: %s\n", strerror (errno));
      return 1;
    }
  if (child == 0)
    {
      if (fork () == 0)
        {
          usleep (100000);
          _exit (0);
        }
      _exit (0);
    }
  waitpid (child, &status, 0);
  usleep (500000);
  z = count_zombies ();
  if (z < 0)
    printf ("zombies=%s\n", errno_name (errno));
  else
    printf ("zombies=%d\n", z);
  return 0;
}

/* Landlock (issue 6): TCP on 127.0.0.1, signals, abstract unix sockets.
 * Each prints ok or the errno name. */
static int
probe_tcp (const char *arg, bool connect_it)
{
  struct sockaddr_in sa = { .sin_family = AF_INET };
  unsigned long port;
  int fd, r;

  if (!parse_uint (arg, &port) || port < 1 || port > 65535)
    return usage ("tcp-bind/tcp-connect: PORT must be 1..65535");
  sa.sin_port = htons ((uint16_t) port);
  sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    {
      printf ("%s\n", errno_name (errno));
      return 0;
    }
  if (connect_it)
    r = connect (fd, (struct sockaddr *) &sa, sizeof sa);
  else
    r = bind (fd, (struct sockaddr *) &sa, sizeof sa);
  printf ("%s\n", r == 0 ? "ok" : errno_name (errno));
  close (fd);
  return 0;
}

static int
cmd_tcp_bind (const char *arg)
{
  return probe_tcp (arg, false);
}

static int
cmd_tcp_connect (const char *arg)
{
  return probe_tcp (arg, true);
}

/* --net pasta (issue 6), loopback only.  tcp-serve PORT: listen on
 * 127.0.0.1:PORT, print "listening" (flushed), answer one connection with
 * "hello-from-host" and exit (30 s at most).  tcp-read PORT: connect to
 * 127.0.0.1:PORT and print the first line received, or the errno name
 * (EOF prints "eof": a proxy that accepted but reached nobody). */
static int
probe_tcp_addr (const char *arg, struct sockaddr_in *sa)
{
  unsigned long port;

  if (!parse_uint (arg, &port) || port < 1 || port > 65535)
    return -1;
  *sa = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons ((uint16_t) port),
                              .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  return 0;
}

static int
cmd_tcp_serve (const char *arg)
{
  struct sockaddr_in sa;
  int fd, c;

  if (probe_tcp_addr (arg, &sa) < 0)
    return usage ("tcp-serve: PORT must be 1..65535");
  fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &(int) { 1 }, sizeof (int));
  if (fd < 0 || bind (fd, (struct sockaddr *) &sa, sizeof sa) != 0 || listen (fd, 1) != 0)
    {
      printf ("%s\n", errno_name (errno));
      return 0;
    }
  printf ("listening\n");
  fflush (stdout);
  alarm (30);
  c = accept (fd, NULL, NULL);
  if (c >= 0 && write (c, "hello-from-host\n", 16) == 16)
    close (c);
  return 0;
}

static int
cmd_tcp_read (const char *arg)
{
  struct sockaddr_in sa;
  char buf[64];
  ssize_t n;
  int fd;

  if (probe_tcp_addr (arg, &sa) < 0)
    return usage ("tcp-read: PORT must be 1..65535");
  alarm (10);
  fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect (fd, (struct sockaddr *) &sa, sizeof sa) != 0)
    {
      printf ("%s\n", errno_name (errno));
      return 0;
    }
  n = read (fd, buf, sizeof buf - 1);
  if (n < 0)
    printf ("%s\n", errno_name (errno));
  else if (n == 0)
    printf ("eof\n");
  else
    {
      buf[n] = '\0';
      printf ("%s\n", strtok (buf, "\n") ? buf : "");
    }
  return 0;
}

/* SIGCONT: harmless to a running process, and still a signal. */
static int
cmd_signal (const char *arg)
{
  unsigned long pid;

  if (!parse_uint (arg, &pid) || pid < 1 || pid > INT32_MAX)
    return usage ("signal: PID must be a positive number");
  printf ("%s\n", kill ((pid_t) pid, SIGCONT) == 0 ? "ok" : errno_name (errno));
  return 0;
}

static int
cmd_abstract_connect (const char *name)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  size_t n = strlen (name);
  int fd, r;

  if (n == 0 || n >= sizeof sa.sun_path - 1)
    return usage ("abstract-connect: NAME must be 1..106 bytes");
  memcpy (sa.sun_path + 1, name, n);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    {
      printf ("%s\n", errno_name (errno));
      return 0;
    }
  r = connect (fd, (struct sockaddr *) &sa,
               (socklen_t) (offsetof (struct sockaddr_un, sun_path) + 1 + n));
  printf ("%s\n", r == 0 ? "ok" : errno_name (errno));
  close (fd);
  return 0;
}

/* A bitmap of nbits bits (in unsigned longs) as a kernel cpulist. */
static void
print_list (const char *key, const unsigned long *bits, unsigned nbits)
{
  const unsigned w = 8 * sizeof (unsigned long);
  bool first = true;

  printf ("%s=", key);
  for (unsigned i = 0; i < nbits; i++)
    {
      unsigned j = i;

      if (!(bits[i / w] & (1UL << (i % w))))
        continue;
      while (j + 1 < nbits && (bits[(j + 1) / w] & (1UL << ((j + 1) % w))))
        j++;
      printf (first ? "%u" : ",%u", i);
      if (j > i)
        printf ("-%u", j);
      first = false;
      i = j;
    }
  putchar ('\n');
}

/* sched: the scheduling attributes (sched_getattr), nice, I/O priority
 * (ioprio_get), CPU affinity and NUMA memory policy (get_mempolicy) of
 * this process. */
static int
cmd_sched (void)
{
  static const char *const policies[] = {
    "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR",       "SCHED_BATCH",
    "SCHED_ISO",   "SCHED_IDLE", "SCHED_DEADLINE",
  };
  static const char *const classes[] = {
    "IOPRIO_CLASS_NONE",
    "IOPRIO_CLASS_RT",
    "IOPRIO_CLASS_BE",
    "IOPRIO_CLASS_IDLE",
  };
  static const char *const modes[] = {
    "MPOL_DEFAULT",        "MPOL_PREFERRED",           "MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_LOCAL",
    "MPOL_PREFERRED_MANY", "MPOL_WEIGHTED_INTERLEAVE",
  };
  struct
  {
    uint32_t size, policy;
    uint64_t flags;
    int32_t nice;
    uint32_t priority;
    uint64_t runtime, deadline, period;
    uint32_t util_min, util_max;
  } a;
  unsigned long cpus[1024 / (8 * sizeof (unsigned long))];
  unsigned long nodes[1024 / (8 * sizeof (unsigned long))];
  long io;
  int mode = 0;

  memset (&a, 0, sizeof a);
  if (syscall (SYS_sched_getattr, 0, &a, (unsigned) sizeof a, 0) < 0)
    printf ("sched=%s\n", errno_name (errno));
  else
    printf ("sched-policy=%s\nsched-priority=%u\nsched-flags=0x%llx\nsched-nice=%d\n"
            "sched-runtime=%llu\nsched-deadline=%llu\nsched-period=%llu\n",
            a.policy < 7 ? policies[a.policy] : "?", a.priority, (unsigned long long) a.flags,
            a.nice, (unsigned long long) a.runtime, (unsigned long long) a.deadline,
            (unsigned long long) a.period);
  errno = 0;
  printf ("nice=%d\n", getpriority (PRIO_PROCESS, 0));
  io = syscall (SYS_ioprio_get, 1, 0); /* IOPRIO_WHO_PROCESS, self */
  if (io < 0)
    printf ("ioprio=%s\n", errno_name (errno));
  else
    printf ("ioprio=%s %ld\n", (io >> 13) < 4 ? classes[io >> 13] : "?", io & 0x1fff);
  memset (cpus, 0, sizeof cpus);
  if (syscall (SYS_sched_getaffinity, 0, sizeof cpus, cpus) < 0)
    printf ("cpus=%s\n", errno_name (errno));
  else
    print_list ("cpus", cpus, 1024);
  memset (nodes, 0, sizeof nodes);
  if (syscall (SYS_get_mempolicy, &mode, nodes, 1024UL + 1, NULL, 0UL) < 0)
    printf ("mempolicy=%s\n", errno_name (errno));
  else
    {
      printf ("mempolicy=%s flags=0x%x\n", (mode & 0xff) < 7 ? modes[mode & 0xff] : "?",
              (unsigned) mode & ~0xffu);
      print_list ("mempolicy-nodes", nodes, 1024);
    }
  return 0;
}

int
main (int argc, char **argv)
{
  const char *cmd;

  if (argc < 2)
    return usage (NULL);
  cmd = argv[1];

#define NOARGS(name, fn) \
  if (strcmp (cmd, name) == 0) \
    return argc == 2 ? fn () : usage (name ": takes no arguments")
#define ONEARG(name, fn) \
  if (strcmp (cmd, name) == 0) \
    return argc == 3 ? fn (argv[2]) : usage (name ": takes one argument")

  NOARGS ("ids", cmd_ids);
  NOARGS ("status", cmd_status);
  NOARGS ("fds", cmd_fds);
  NOARGS ("hostname", cmd_hostname);
  NOARGS ("ns", cmd_ns);
  NOARGS ("pid", cmd_pid);
  NOARGS ("mountinfo", cmd_mountinfo);
  NOARGS ("cwd", cmd_cwd);
  NOARGS ("env", cmd_env);
  NOARGS ("tiocsti", cmd_tiocsti);
  NOARGS ("tiocsti-hi", cmd_tiocsti_hi);
  NOARGS ("tiocsti-i386", cmd_tiocsti_i386);
  NOARGS ("tioclinux", cmd_tioclinux);
  NOARGS ("rawsock", cmd_rawsock);
  NOARGS ("net", cmd_net);
  NOARGS ("orphan", cmd_orphan);
  NOARGS ("sched", cmd_sched);
  ONEARG ("write", cmd_write);
  ONEARG ("read", cmd_read);
  ONEARG ("mkdir", cmd_mkdir);
  NOARGS ("keyctl", cmd_keyctl);
  ONEARG ("mount-tmpfs", cmd_mount_tmpfs);
  ONEARG ("lseek", cmd_lseek);
  ONEARG ("stat", cmd_stat);
  ONEARG ("statfs", cmd_statfs);
  ONEARG ("ls", cmd_ls);
  ONEARG ("exit", cmd_exit);
  ONEARG ("kill-self", cmd_kill_self);
  ONEARG ("sleep", cmd_sleep);
  ONEARG ("tcp-bind", cmd_tcp_bind);
  ONEARG ("tcp-connect", cmd_tcp_connect);
  ONEARG ("tcp-serve", cmd_tcp_serve);
  ONEARG ("tcp-read", cmd_tcp_read);
  ONEARG ("signal", cmd_signal);
  ONEARG ("abstract-connect", cmd_abstract_connect);
  ONEARG ("bpf-query", cmd_bpf_query);
  ONEARG ("bpf-prog", cmd_bpf_prog);
  if (strcmp (cmd, "argv") == 0)
    return cmd_argv (argv[0]);
#undef NOARGS
#undef ONEARG

  fprintf (stderr, "husk-probe: unknown subcommand '%s'\n", cmd);
  return usage (NULL);
}
