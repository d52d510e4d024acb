/* lsm_kernel.c: SELinux labels and AppArmor profiles through the kernel's
 * own files.  A static husk (issue 9) cannot dlopen libselinux or
 * libapparmor (a static glibc would load a second, shared libc with them)
 * and makes its checks here; every build writes the exec attributes here,
 * through the opener src/exec/lsm.c passes (the host's /proc).
 *
 * What the library calls husk makes come down to:
 *   is_selinux_enabled      selinuxfs is mounted (at /sys/fs/selinux)
 *   security_check_context  write the context, its NUL included, to
 *                           selinuxfs's "context" file; the kernel answers
 *                           EINVAL when the loaded policy does not know it
 *   setexeccon              write it, NUL included, to the calling thread's
 *                           attr/exec
 *   aa_is_enabled           /sys/module/apparmor/parameters/enabled says Y
 *                           and the thread's attr/apparmor (or, before
 *                           Linux 5.8, attr) directory is there
 *   aa_change_onexec        write "exec PROFILE" to attr/apparmor/exec,
 *                           else to attr/exec
 * Not done: libselinux's translation of human-readable MCS/MLS levels by
 * mcstransd; contexts are taken raw, as setexeccon_raw does.
 *
 * Must not: write anywhere but the calling thread's attributes and
 * selinuxfs's context-validation file.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "lib/lsm_kernel.h"

#ifndef SELINUX_MAGIC
#define SELINUX_MAGIC 0xf97cff8c
#endif

/* One write(2) of LEN bytes to FD, which is closed: the kernel takes a
 * process attribute from a single write only. */
static int
write_once_fd (int fd, const char *buf, size_t len)
{
  ssize_t n;
  int saved;

  if (fd < 0)
    return -1;
  n = write (fd, buf, len);
  saved = errno;
  close (fd);
  if (n == (ssize_t) len)
    return 0;
  errno = n < 0 ? saved : EIO;
  return -1;
}

int
lsmk_selinux_enabled (const struct lsm_kernel_paths *p)
{
  struct statfs s;

  return statfs (p->selinuxfs, &s) == 0 && (unsigned long) s.f_type == SELINUX_MAGIC;
}

int
lsmk_selinux_check_context (const struct lsm_kernel_paths *p, const char *context)
{
  char path[4096];

  if ((size_t) snprintf (path, sizeof path, "%s/context", p->selinuxfs) >= sizeof path)
    {
      errno = ENAMETOOLONG;
      return -1;
    }
  return write_once_fd (open (path, O_RDWR | O_CLOEXEC | O_NOCTTY), context,
                        strlen (context) + 1);
}

int
lsmk_selinux_set_exec (const struct lsm_kernel_paths *p, const char *context)
{
  return write_once_fd (p->open_attr ("exec", O_WRONLY), context, strlen (context) + 1);
}

/* Whether the thread has attribute REL (a directory or file). */
static bool
attr_exists (const struct lsm_kernel_paths *p, const char *rel)
{
  int fd = p->open_attr (rel, O_PATH);

  if (fd < 0)
    return false;
  close (fd);
  return true;
}

int
lsmk_apparmor_enabled (const struct lsm_kernel_paths *p)
{
  char c = 0;
  int fd = open (p->aa_enabled, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return 0;
  if (read (fd, &c, 1) != 1)
    c = 0;
  close (fd);
  if (c != 'Y')
    return 0;
  return attr_exists (p, "apparmor") || attr_exists (p, "exec");
}

int
lsmk_apparmor_change_onexec (const struct lsm_kernel_paths *p, const char *profile)
{
  char buf[4096];
  int n = snprintf (buf, sizeof buf, "exec %s", profile);

  if (n < 0 || (size_t) n >= sizeof buf)
    {
      errno = ENAMETOOLONG;
      return -1;
    }
  /* Linux >= 5.8 has the AppArmor-only directory; attr/exec is shared with
   * whichever LSM is the "major" one. */
  if (attr_exists (p, "apparmor"))
    return write_once_fd (p->open_attr ("apparmor/exec", O_WRONLY), buf, (size_t) n);
  return write_once_fd (p->open_attr ("exec", O_WRONLY), buf, (size_t) n);
}
