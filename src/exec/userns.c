/* userns.c: user-namespace id maps, written by the parent for the child,
 * and hints when the environment forbids user namespaces.
 *
 * Single-range maps are written directly (allowed for an unprivileged
 * caller mapping only its own ids, after "deny" in setgroups: kernel rule
 * since 3.19, CVE-2014-8989).  Multi-range maps through newuidmap come later.
 *
 * Must not: touch the caller's own credentials.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "exec/exec_int.h"
#include "lib/cleanup.h"

static int
write_proc_file (pid_t pid, const char *name, const char *data, struct husk_err *err)
{
  char path[64];
  cleanup_fd int fd = -1;
  size_t len = strlen (data);
  ssize_t n;

  snprintf (path, sizeof path, "/proc/%d/%s", (int) pid, name);
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return husk_err_sys (err, "open %s", path);
  do
    n = write (fd, data, len);
  while (n < 0 && errno == EINTR);
  if (n != (ssize_t) len)
    return husk_err_sys (err, "write %s", path);
  return 0;
}

int
userns_write_maps (pid_t pid, const struct userns_ids *ids, struct husk_err *err)
{
  char map[64];

  snprintf (map, sizeof map, "%u %u 1\n", (unsigned) ids->inside_uid,
            (unsigned) ids->outside_uid);
  if (write_proc_file (pid, "uid_map", map, err) < 0)
    return -1;
  if (ids->deny_setgroups && write_proc_file (pid, "setgroups", "deny\n", err) < 0
      && err->errnum != ENOENT)
    return -1;
  snprintf (map, sizeof map, "%u %u 1\n", (unsigned) ids->inside_gid,
            (unsigned) ids->outside_gid);
  if (write_proc_file (pid, "gid_map", map, err) < 0)
    return -1;
  return 0;
}

static int
read_sysctl_int (const char *path, int *value)
{
  FILE *f = fopen (path, "re");
  int ok;

  if (!f)
    return -1;
  ok = fscanf (f, "%d", value) == 1;
  fclose (f);
  return ok ? 0 : -1;
}

void
userns_hint (struct husk_err *err)
{
  int v;

  if (err->hint[0])
    return;
  if (read_sysctl_int ("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", &v) == 0
      && v == 1)
    husk_err_hint (err, "AppArmor restricts unprivileged user namespaces on this system; "
                        "install the husk AppArmor profile (packaging/apparmor/husk) or run "
                        "'sysctl kernel.apparmor_restrict_unprivileged_userns=0'");
  else if (read_sysctl_int ("/proc/sys/user/max_user_namespaces", &v) == 0 && v == 0)
    husk_err_hint (err, "user namespaces are disabled: 'sysctl user.max_user_namespaces=15000' "
                        "enables them");
  else if (read_sysctl_int ("/proc/sys/kernel/unprivileged_userns_clone", &v) == 0 && v == 0)
    husk_err_hint (err, "unprivileged user namespaces are disabled: "
                        "'sysctl kernel.unprivileged_userns_clone=1' enables them");
}
