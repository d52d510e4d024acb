/* rootfs.h: the state shared by the child-side filesystem phases
 * (rootfs.c builds and pivots into the new root; mounts.c runs ops[]).
 *
 * Layout while ops run (after the first pivot_root, inside the child's
 * private mount namespace):
 *   /            a small private tmpfs ("scratch"): temp files live here
 *   /newroot     the sandbox root being built (a tmpfs in flag mode)
 *   /oldroot     the host's root; host paths are resolved under it
 */
#ifndef HUSK_EXEC_ROOTFS_H
#define HUSK_EXEC_ROOTFS_H

#include <stdbool.h>
#include "plan/plan.h"
#include "lib/err.h"

struct exec_rootfs
{
  const struct husk_plan *plan;
  int newroot_fd;       /* O_PATH|O_DIRECTORY of /newroot */
  int oldroot_fd;       /* O_PATH|O_DIRECTORY of /oldroot (the host root) */
  int scratch_fd;       /* O_PATH|O_DIRECTORY of the scratch tmpfs root "/" */
  bool in_userns;       /* running in a user namespace husk created */
  bool own_pidns;       /* in a new pid namespace (issue 6: no host /proc fallback) */
  bool own_cgroupns;    /* in a cgroup namespace (new or joined): CGROUP ops mount a new cgroup2 */
  bool tty_gid_unmapped; /* gid 5 is known to be unmapped in husk's own user namespace:
                            devpts gets no gid=5 (saves a failing fs_context, issue 9) */
  bool have_mount_api;  /* open_tree/move_mount/fsopen/fsmount/mount_setattr usable */
  const char *host_tty; /* ttyname of the caller's stdout if a tty (for /dev/console), or NULL */
  unsigned scratch_seq; /* counter for unique scratch names */
  const int *idmap_trees; /* idmap.c's detached copies by op index, or NULL */
  size_t op_index;      /* the op running now */
  bool root_shared;     /* a PROPAGATE op made the new root's mount shared: pivot_root
                           refuses that, so rootfs_finish pivots it private and shares
                           it again afterwards (a new peer group of its own) */
};

/* mounts.c: run one op of plan->ops (any kind), resolving its destination
 * inside newroot without ever leaving it.  Errors name op->origin.where. */
int exec_mounts_run_op (struct exec_rootfs *fs, const struct husk_op *op,
                        struct husk_err *err);

#endif
