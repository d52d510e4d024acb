/* exec_int.h: internal interfaces between the executor's files (one kernel
 * area each).  Nothing outside src/exec includes this. */
#ifndef HUSK_EXEC_INT_H
#define HUSK_EXEC_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "plan/plan.h"
#include "lib/err.h"
#include "exec/rootfs.h"

/* sync.c: typed messages on the parent<->child socket (SOCK_SEQPACKET). */
enum sync_type
{
  SYNC_GO = 1,     /* parent -> child: id maps are written, go on */
  SYNC_ERROR,      /* child -> parent: setup failed; the parent prints it */
};

int sync_send (int fd, enum sync_type type, const struct husk_err *err);
/* Receive one message: 1 with *type (and *err for SYNC_ERROR), 0 on EOF, -1 on error. */
int sync_recv (int fd, enum sync_type *type, struct husk_err *err);

/* userns.c: id maps and user-namespace diagnostics. */
struct userns_ids
{
  uid_t inside_uid, outside_uid;
  gid_t inside_gid, outside_gid;
  bool deny_setgroups;
};
int userns_write_maps (pid_t pid, const struct userns_ids *ids, struct husk_err *err);
/* Add a hint to err when the environment restricts user namespaces. */
void userns_hint (struct husk_err *err);

/* rootfs.c: the new root around ops[]: prepare, run ops, pivot into it. */
int rootfs_prepare (struct exec_rootfs *fs, struct husk_err *err);
int rootfs_run_ops (struct exec_rootfs *fs, struct husk_err *err);
int rootfs_finish (struct exec_rootfs *fs, struct husk_err *err);
void rootfs_close (struct exec_rootfs *fs);

/* caps.c: drop every capability, set no_new_privs. */
int caps_drop_all (struct husk_err *err);

/* net.c: bring up loopback in a new network namespace. */
int net_loopback_up (struct husk_err *err);

/* pid1.c: a tiny reaper as pid 1 of a new pid namespace.  Forks; returns 0
 * in the child that goes on to exec; never returns in the reaper. */
int pid1_fork_reaper (int sync_fd, bool die_with_parent, struct husk_err *err);

/* run.c helpers shared with pid1.c. */
int exec_status_from_wait (int wstatus);

#endif
