/* hostproc.c: the host's procfs, opened by the parent before it joins any
 * namespace, and the files husk writes under /proc opened through it.
 *
 * A mount namespace the caller joins (--mntns, --join-pid, an OCI
 * linux.namespaces mount path) may belong to somebody else: its /proc can
 * be any directory, with any file bound where the kernel's files should
 * be.  Had husk (possibly root) opened /proc/PID/uid_map, /proc/sys/...,
 * /proc/thread-self/attr/exec and the like by path after the join, those
 * writes could land in a file of that owner's choosing, and a label or a
 * sysctl would silently not apply.  A lookup that starts at this fd walks
 * the host's mount tree only, whatever namespace the caller is in by then;
 * openat2 also keeps it on this procfs and away from magic links.
 *
 * Must not: fall back to a path lookup once a namespace has been joined.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "exec/exec_int.h"

static int hostproc_fd = -1;
static int hostproc_mntns = -1;

int
hostproc_init (bool needed, struct husk_err *err)
{
  struct statfs sf;
  int fd;

  if (hostproc_fd >= 0)
    return 0;
  fd = open ("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return needed ? husk_err_sys (err, "open the host's /proc") : 0;
  if (fstatfs (fd, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC)
    {
      close (fd);
      return needed ? husk_err_set (err, 0, "the host's /proc is not a procfs") : 0;
    }
  hostproc_fd = fd;
  /* For helpers that resolve paths themselves (pasta): husk's own mount
   * namespace, to go back to. */
  if (needed)
    hostproc_mntns = openat (fd, "self/ns/mnt", O_RDONLY | O_CLOEXEC);
  return 0;
}

int
hostproc_host_mntns (void)
{
  return hostproc_mntns;
}

int
hostproc_open_ns (pid_t pid, const char *name)
{
  char rel[64];

  snprintf (rel, sizeof rel, "%ld/ns/%s", (long) pid, name);
  if (hostproc_fd < 0)
    return hostproc_open (rel, O_RDONLY);
  /* ns/NAME is a magic link, which openat2's RESOLVE_BENEATH refuses; the
   * walk from the host's procfs to it is the kernel's own. */
  return openat (hostproc_fd, rel, O_RDONLY | O_CLOEXEC | O_NOCTTY);
}

int
hostproc_stat_ns (pid_t pid, const char *name, struct stat *st)
{
  int fd = hostproc_open_ns (pid, name), r, saved;

  if (fd < 0)
    return -1;
  r = fstat (fd, st);
  saved = errno;
  close (fd);
  errno = saved;
  return r;
}

int
hostproc_open (const char *rel, int flags)
{
  struct open_how how = { .flags = (uint64_t) (flags | O_CLOEXEC | O_NOCTTY),
                          .resolve = RESOLVE_BENEATH | RESOLVE_NO_XDEV
                                     | RESOLVE_NO_MAGICLINKS };
  char path[256];
  int fd;

  if (hostproc_fd < 0)
    {
      /* Not opened: no namespace was joined (hostproc_init insists then). */
      if ((size_t) snprintf (path, sizeof path, "/proc/%s", rel) >= sizeof path)
        {
          errno = ENAMETOOLONG;
          return -1;
        }
      return open (path, flags | O_CLOEXEC | O_NOCTTY);
    }
  fd = (int) syscall (SYS_openat2, hostproc_fd, rel, &how, sizeof how);
  if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
    return fd;
  /* No openat2 (Linux < 5.6, or a seccomp filter refusing it): a lookup
   * from the fd still stays in the host's mount tree. */
  return openat (hostproc_fd, rel, flags | O_CLOEXEC | O_NOCTTY);
}
