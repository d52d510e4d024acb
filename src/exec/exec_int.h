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
  SYNC_READY,      /* child -> parent: the program is about to start; the
                      sender's pid comes in the socket credentials */
};

int sync_send (int fd, enum sync_type type, const struct husk_err *err);
/* Receive one message: 1 with *type (and *err for SYNC_ERROR), 0 on EOF, -1 on error. */
int sync_recv (int fd, enum sync_type *type, struct husk_err *err);
/* Same, and *pid = the sender's pid as the receiver sees it (needs SO_PASSCRED
 * on fd; 0 when unknown). */
int sync_recv_pid (int fd, enum sync_type *type, struct husk_err *err, pid_t *pid);

/* userns.c: id maps and user-namespace diagnostics. */
struct userns_ids
{
  uid_t inside_uid, outside_uid;
  gid_t inside_gid, outside_gid;
  bool deny_setgroups;
  const struct husk_plan *plan; /* its --uid-map/--gid-map ranges replace the
                                   single-id maps above (issue 4); may be NULL */
};
int userns_write_maps (pid_t pid, const struct userns_ids *ids, struct husk_err *err);
/* Phase 0 (issue 4): id-map flags need a user namespace of our own, and the
 * caller's id must be mapped unless --uid/--gid picks one. */
int userns_check_maps (const struct husk_plan *plan, unsigned ns, uid_t euid, gid_t egid,
                       struct husk_err *err);
/* Child, after setup and before capabilities are applied: become the
 * --uid/--gid picked inside --uid-map/--gid-map ranges. */
int userns_switch_ids (const struct husk_plan *plan, struct husk_err *err);
/* Add a hint to err when the environment restricts user namespaces. */
void userns_hint (struct husk_err *err);

/* rootfs.c: the new root around ops[]: prepare, run ops, pivot into it. */
int rootfs_prepare (struct exec_rootfs *fs, struct husk_err *err);
int rootfs_run_ops (struct exec_rootfs *fs, struct husk_err *err);
int rootfs_finish (struct exec_rootfs *fs, struct husk_err *err);
void rootfs_close (struct exec_rootfs *fs);

/* caps.c: keep only the plan's capabilities (none by default), set
 * no_new_privs. */
int caps_apply (const struct husk_plan *plan, struct husk_err *err);
/* Empty every capability set (the reaper, which never execs). */
int caps_drop_everything (struct husk_err *err);

/* seccomp.c: load the built-in TIOCSTI/TIOCLINUX filter, then the plan's
 * programs in order.  Needs no_new_privs; call right before execve. */
int seccomp_apply (const struct husk_plan *plan, struct husk_err *err);

/* lsm.c: SELinux labels.  lsm_check (parent, phase 0) fails when a label
 * is asked for and SELinux is unavailable; lsm_set_exec_label (child) sets
 * the label of the next execve; lsm_mount_data returns mount data with
 * context="FILE_LABEL" appended when --file-label is set (caller frees). */
int lsm_check (const struct husk_plan *plan, struct husk_err *err);
int lsm_set_exec_label (const struct husk_plan *plan, struct husk_err *err);
char *lsm_mount_data (const struct husk_plan *plan, const char *data);

/* net.c: bring up loopback in a new network namespace. */
int net_loopback_up (struct husk_err *err);

/* pid1.c: a tiny reaper as pid 1 of a new pid namespace.  Forks; returns 0
 * in the child that goes on to exec; never returns in the reaper. */
int pid1_fork_reaper (int sync_fd, bool die_with_parent, struct husk_err *err);

/* lifecycle.c (issue 4): status fds, --sync-fd, --block-fd,
 * --userns-block-fd, --lock-file.  Parent: check_fds (phase 0), started
 * (after clone and id maps: info/json objects, then waits for
 * --userns-block-fd), program_pid, exited.  Child: child_start (right after
 * clone), lock_files (after pivot, in the process that stays), before_exec
 * (in the program's process).  needs_init: a reaper must hold locks/sync fd. */
int lifecycle_check_fds (const struct husk_plan *plan, struct husk_err *err);
bool lifecycle_needs_init (const struct husk_plan *plan);
int lifecycle_started (const struct husk_plan *plan, pid_t pid, unsigned ns,
                       struct husk_err *err);
void lifecycle_program_pid (const struct husk_plan *plan, pid_t pid);
void lifecycle_exited (const struct husk_plan *plan, bool program_started, int status);
void lifecycle_child_start (const struct husk_plan *plan);
int lifecycle_lock_files (const struct husk_plan *plan, struct husk_err *err);
int lifecycle_before_exec (const struct husk_plan *plan, int sync_sock,
                           struct husk_err *err);
/* Joined user namespaces: join_userns in the parent before clone;
 * child_prepare before the filesystem setup (sets the userns limit for
 * --disable-userns), child_after_root after pivot_root (--userns2, the nested
 * namespace, the --assert-userns-disabled check). */
struct lifecycle_child
{
  int proc_self;        /* /proc/self of the host's procfs, or -1 */
};
int lifecycle_join_userns (const struct husk_plan *plan, struct husk_err *err);
int lifecycle_child_prepare (const struct husk_plan *plan, unsigned ns,
                             struct lifecycle_child *lc, struct husk_err *err);
int lifecycle_child_after_root (const struct husk_plan *plan, struct lifecycle_child *lc,
                                struct husk_err *err);

/* run.c helpers shared with pid1.c. */
int exec_status_from_wait (int wstatus);

#endif
