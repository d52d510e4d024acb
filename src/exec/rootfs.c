/* rootfs.c: build the sandbox's root around ops[] and pivot into it.
 *
 *   prepare:  make every mount a slave of the host (nothing we do propagates
 *             back), put a private scratch tmpfs on /tmp, pivot_root into it
 *             so the host root sits at /oldroot, and mount the new root (a
 *             tmpfs) at /newroot.  Host paths are then resolved under
 *             /oldroot, destinations under /newroot (see mounts.c).
 *   run_ops:  ops[] in order.
 *   finish:   pivot_root into /newroot and detach the scratch tmpfs with
 *             the host root under it, in one unmount; after this nothing
 *             of the host is reachable except what ops[] mounted.
 *
 * Must not: follow any path from the sandbox's tree except through lib/path.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "exec/exec_int.h"
#include "lib/cleanup.h"

#define SCRATCH_BASE "/tmp"

static int
pivot_root (const char *new_root, const char *put_old)
{
  return (int) syscall (SYS_pivot_root, new_root, put_old);
}

static bool
kernel_has_mount_api (void)
{
  const char *force = getenv ("HUSK_TEST_LEGACY_MOUNT");
  int fd;

  if (force && *force == '1')
    return false;
  /* mount_setattr (5.12) is the newest call we need; probing it with an
   * invalid fd tells ENOSYS apart from EBADF without side effects. */
  fd = (int) syscall (SYS_mount_setattr, -1, "", 0, NULL, 0);
  return !(fd < 0 && errno == ENOSYS);
}

static int
open_dir_path (const char *path, int *out, struct husk_err *err)
{
  *out = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (*out < 0)
    return husk_err_sys (err, "open %s", path);
  return 0;
}

int
rootfs_prepare (struct exec_rootfs *fs, struct husk_err *err)
{
  fs->newroot_fd = fs->oldroot_fd = fs->scratch_fd = -1;
  fs->have_mount_api = kernel_has_mount_api ();

  /* Slave, not private: host mount events still reach us (a later-mounted
   * USB stick under a bound /media shows up), but nothing flows back. */
  if (mount (NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
    return husk_err_sys (err, "make / a slave mount");
  if (mount ("tmpfs", SCRATCH_BASE, "tmpfs", MS_NODEV | MS_NOSUID,
             "mode=0700") < 0)
    return husk_err_sys (err, "mount the scratch tmpfs on " SCRATCH_BASE);
  if (chdir (SCRATCH_BASE) < 0)
    return husk_err_sys (err, "chdir " SCRATCH_BASE);
  if (mkdir ("newroot", 0755) < 0 || mkdir ("oldroot", 0755) < 0)
    return husk_err_sys (err, "create the scratch directories");
  if (pivot_root (".", "oldroot") < 0)
    return husk_err_sys (err, "pivot_root into the scratch tmpfs");
  if (chdir ("/") < 0)
    return husk_err_sys (err, "chdir /");
  if (mount ("tmpfs", "/newroot", "tmpfs", MS_NODEV | MS_NOSUID, "mode=0755") < 0)
    return husk_err_sys (err, "mount the new root's tmpfs");
  if (open_dir_path ("/newroot", &fs->newroot_fd, err) < 0
      || open_dir_path ("/oldroot", &fs->oldroot_fd, err) < 0
      || open_dir_path ("/", &fs->scratch_fd, err) < 0)
    return -1;
  return 0;
}

int
rootfs_run_ops (struct exec_rootfs *fs, struct husk_err *err)
{
  const struct husk_plan *plan = fs->plan;

  for (size_t i = 0; i < plan->n_ops; i++)
    {
      fs->op_index = i;
      if (exec_mounts_run_op (fs, &plan->ops[i], err) < 0)
        return -1;
    }
  return 0;
}

void
rootfs_close (struct exec_rootfs *fs)
{
  husk_cleanup_closep (&fs->newroot_fd);
  husk_cleanup_closep (&fs->oldroot_fd);
  husk_cleanup_closep (&fs->scratch_fd);
  fs->newroot_fd = fs->oldroot_fd = fs->scratch_fd = -1;
}

int
rootfs_finish (struct exec_rootfs *fs, struct husk_err *err)
{
  rootfs_close (fs);
  if (chdir ("/newroot") < 0)
    return husk_err_sys (err, "chdir /newroot");
  if (fs->root_shared && mount (NULL, ".", NULL, MS_PRIVATE, NULL) < 0)
    return husk_err_sys (err, "make the new root private for pivot_root");
  /* pivot_root(".", "."): the scratch root ends up stacked on top of the
   * new root, and the detach below drops it (technique from pivot_root(2)).
   * The detach is recursive: the host's tree at /oldroot goes with it, in
   * the same unmount (each unmount that drops mounts waits for an RCU
   * grace period; issue 9). */
  if (pivot_root (".", ".") < 0)
    return husk_err_sys (err, "pivot_root into the new root");
  if (umount2 (".", MNT_DETACH) < 0)
    return husk_err_sys (err, "detach the scratch root and the host root");
  if (fs->root_shared && mount (NULL, "/", NULL, MS_SHARED, NULL) < 0)
    return husk_err_sys (err, "linux.rootfsPropagation: share the new root");
  if (chdir ("/") < 0)
    return husk_err_sys (err, "chdir /");
  return 0;
}
