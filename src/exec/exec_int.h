/* exec_int.h: internal interfaces between the executor's files (one kernel
 * area each).  Nothing outside src/exec includes this. */
#ifndef HUSK_EXEC_INT_H
#define HUSK_EXEC_INT_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
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
  SYNC_PTY,        /* child -> parent: the pty master, as SCM_RIGHTS (issue 5) */
  SYNC_HOOKS,      /* child -> parent: ops[] done, run the prestart and
                      createRuntime hooks, then send GO (issue 5) */
  SYNC_SECCOMP,    /* child -> parent: the seccomp listener, as SCM_RIGHTS; the
                      parent hands it to the agent and answers GO (issue 5) */
};

/* hostproc.c: the host's /proc, opened before any namespace is joined
 * (hostproc_init, at the start of exec_run; NEEDED: a namespace will be
 * joined, so failing to open or verify it is an error).  hostproc_open
 * opens REL ("self/oom_score_adj", "sys/...", "1234/uid_map") under it,
 * close-on-exec: -1 with errno. */
int hostproc_init (bool needed, struct husk_err *err);
int hostproc_open (const char *rel, int flags);
/* husk's own mount namespace, opened by hostproc_init when a namespace is
 * joined; else -1. */
int hostproc_host_mntns (void);
/* PID's namespace NAME ("net", "user"): an O_RDONLY fd, or -1 with errno. */
int hostproc_open_ns (pid_t pid, const char *name);
/* Its fstat: 0, or -1 with errno. */
struct stat;
int hostproc_stat_ns (pid_t pid, const char *name, struct stat *st);

int sync_send (int fd, enum sync_type type, const struct husk_err *err);
/* Receive one message: 1 with *type (and *err for SYNC_ERROR), 0 on EOF, -1 on error. */
int sync_recv (int fd, enum sync_type *type, struct husk_err *err);
/* Same, and *pid = the sender's pid as the receiver sees it (needs SO_PASSCRED
 * on fd; 0 when unknown). */
int sync_recv_pid (int fd, enum sync_type *type, struct husk_err *err, pid_t *pid);
/* OCI extras (issue 5): send `passed` along with a message of `type`; and
 * receive one message with an fd (*passed, close-on-exec; -1 when none). */
int sync_send_fd (int fd, enum sync_type type, int passed);
/* Room for one fd's SCM_RIGHTS control message, suitably aligned. */
union sync_fd_cmsg
{
  char buf[CMSG_SPACE (sizeof (int))];
  struct cmsghdr align;
};
/* Point MH's control data at CTL (zeroed here) carrying FD as SCM_RIGHTS. */
void sync_attach_fd (struct msghdr *mh, union sync_fd_cmsg *ctl, int fd);
int sync_recv_fd (int fd, enum sync_type *type, struct husk_err *err, pid_t *pid, int *passed);

/* procattrs.c (issue 5): process attributes from OCI.  Early in the child
 * (still seeing the host's /proc, already in the new namespaces):
 * domainname, sysctls, oom_score_adj, supplementary groups.  Just before
 * the seccomp filters: umask, personality. */
int procattrs_child_early (const struct husk_plan *plan, struct husk_err *err);
int procattrs_before_exec (const struct husk_plan *plan, struct husk_err *err);
/* The initial CPU affinity (first thing in the child); the scheduler and
 * I/O priority (in the program's process, before capabilities are
 * dropped); the final CPU affinity and memory policy (just before
 * seccomp and execve). */
/* Parent, phase 0: refuse what cannot be honoured here (linux.intelRdt). */
int procattrs_check (const struct husk_plan *plan, struct husk_err *err);
int procattrs_child_start (const struct husk_plan *plan, struct husk_err *err);
int procattrs_sched_io (const struct husk_plan *plan, struct husk_err *err);
int procattrs_last (const struct husk_plan *plan, struct husk_err *err);

/* pty.c (issue 5): process.terminal.  The child opens a pty in the
 * sandbox's own /dev/pts after pivot_root, makes the slave its stdio and
 * sends the master to the parent, which relays it to husk's stdio. */
#include <pthread.h>
#include <termios.h>
struct exec_pty
{
  int master;               /* -1 until received */
  int stop[2];              /* parent -> relay thread: the program has exited */
  pthread_t thread;
  bool running;
  bool raw;                 /* husk's stdin's modes were changed (raw):
                               restore saved */
  struct termios saved;
};
int pty_child_open (const struct husk_plan *plan, int sync_sock, struct husk_err *err);
int pty_child_ctty (const struct husk_plan *plan, struct husk_err *err);
int pty_parent_start (const struct husk_plan *plan, struct exec_pty *pty, int master,
                      struct husk_err *err);
void pty_parent_finish (struct exec_pty *pty);
/* Issue 6: give the pty master husk's terminal's window size (on SIGWINCH);
 * the kernel then sends SIGWINCH to the pty's foreground process group. */
void pty_resize (int master);

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
/* Whether inside gid `gid` is mapped by the maps userns_write_maps writes
 * (issue 9: the devpts gid=5 option is then known to fail or not). */
bool userns_inside_gid_mapped (const struct husk_plan *plan, gid_t egid, gid_t gid);
/* Phase 0 (issue 4): id-map flags need a user namespace of our own, and the
 * caller's id must be mapped unless --uid/--gid picks one. */
int userns_check_maps (const struct husk_plan *plan, unsigned ns, uid_t euid, gid_t egid,
                       struct husk_err *err);
/* Child, after setup and before capabilities are applied: become the
 * --uid/--gid picked inside --uid-map/--gid-map ranges. */
int userns_switch_ids (const struct husk_plan *plan, struct husk_err *err);
/* plan->real_ids: switch to uid/gid, keeping the capabilities (no-op otherwise). */
int userns_switch_real_ids (const struct husk_plan *plan, struct husk_err *err);
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
/* Before the reaper forks (issue 9): drop from the bounding set what the
 * plan does not keep, once for the reaper and the program. */
int caps_drop_bounding (const struct husk_plan *plan, struct husk_err *err);

/* landlock.c (issue 6): landlock_check (parent, phase 0) compares the
 * kernel's Landlock ABI with what the plan asks: an error under
 * --landlock-strict, a warning for a port or scope best effort drops;
 * landlock_apply (child, after pivot_root and caps_apply, before seccomp)
 * opens the paths and restricts the process; landlock_abi returns the
 * kernel's ABI version, or -1 with errno (ENOSYS, EOPNOTSUPP). */
int landlock_check (const struct husk_plan *plan, struct husk_err *err);
/* landlock_check with the ABI given (abi < 0: none, errnum says why). */
int landlock_check_abi (const struct husk_plan *plan, int abi, int errnum, struct husk_err *err);
int landlock_apply (const struct husk_plan *plan, struct husk_err *err);
int landlock_abi (void);

/* seccomp.c: load the built-in TIOCSTI/TIOCLINUX filter, then the plan's
 * programs in order.  Needs no_new_privs; call right before execve.
 * Issue 5: the program with HUSK_SECCOMP_FLAG_NEW_LISTENER hands its
 * listener to the parent on sync_fd (SYNC_SECCOMP) and waits for GO; with
 * sync_fd < 0 (the pid-1 reaper) it is loaded without a listener, so its
 * SCMP_ACT_NOTIFY syscalls fail with ENOSYS there.
 * seccomp_agent_send (parent): connect to the plan's listenerPath and send
 * the container process state with the listener (pid: the program's, as
 * husk sees it; id: the hooks' container id; cwd: the state's bundle in
 * flag mode). */
int seccomp_apply (const struct husk_plan *plan, int sync_fd, struct husk_err *err);
/* Phase 0: every program's flags are known to the kernel (issue 5). */
int seccomp_check (const struct husk_plan *plan, struct husk_err *err);
struct exec_hooks;
int seccomp_agent_send (const struct husk_plan *plan, int listener, pid_t pid,
                        const struct exec_hooks *h, const char *cwd, struct husk_err *err);
/* Before the pid-1 reaper forks: the built-in filter once for both (best
 * effort; seccomp_apply loads it where this could not). */
void seccomp_load_builtin_early (void);
/* The built-in TIOCSTI/TIOCLINUX filter now, once (no_new_privs set). */
int seccomp_load_builtin (struct husk_err *err);

/* lsm.c: SELinux labels.  lsm_check (parent, phase 0) fails when a label
 * is asked for and SELinux is unavailable; lsm_set_exec_label (child) sets
 * the label of the next execve; lsm_mount_data returns mount data with
 * context="FILE_LABEL" appended when --file-label is set (caller frees). */
int lsm_check (const struct husk_plan *plan, struct husk_err *err);
int lsm_set_exec_label (const struct husk_plan *plan, struct husk_err *err);
char *lsm_mount_data (const struct husk_plan *plan, const char *data);

/* net.c: bring up loopback in a new network namespace. */
int net_loopback_up (struct husk_err *err);
/* Parent, before GO: move plan->netdevs into the network namespace of
 * the child `pid` (linux.netDevices). */
int net_move_devices (const struct husk_plan *plan, pid_t pid, struct husk_err *err);

/* pid1.c: a tiny reaper as pid 1 of a new pid namespace.  Forks; returns 0
 * in the child that goes on to exec; never returns in the reaper. */
struct signals_fwd;
int pid1_fork_reaper (int sync_fd, const struct husk_plan *plan, const struct signals_fwd *sf,
                      struct husk_err *err);

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
/* Issue 6: pidfd is the program's pidfd the child sent with SYNC_READY
 * (for --pidfd-fd; -1 when none); the caller still closes it. */
void lifecycle_program_pid (const struct husk_plan *plan, pid_t pid, int pidfd);
/* Issue 6: resource usage for the final --json-status-fd object. */
#include <sys/resource.h>
struct exec_usage
{
  bool have_rusage;    /* ru is wait4's, for the child and its waited-for descendants */
  struct rusage ru;
  int64_t memory_peak; /* cgroup memory.peak in bytes, or -1 */
  int64_t pids_peak;   /* cgroup pids.peak, or -1 */
};
void lifecycle_exited (const struct husk_plan *plan, bool program_started, int status,
                       const struct exec_usage *usage);
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

/* Process limits, time and joined namespaces (issue 6). */
/* signals.c: passing INT, TERM, HUP, QUIT, USR1, USR2 and WINCH on to the
 * program.  Parent: prepare before clone, started right after it, then
 * wait_readable (before each blocking read of the sync socket) and
 * waitpid (instead of waitpid(2)), finish at the end.  Child: child_start
 * right after clone; the process that execs the program calls
 * child_unblock before the seccomp filters; the reaper calls reaper_relay. */
#define SIGNALS_N 7
struct signals_fwd
{
  bool on;                             /* false with --no-forward-signals */
  int pipe[2];                         /* the parent's self-pipe */
  sigset_t old_mask;                   /* the caller's mask, for the program */
  struct sigaction old_act[SIGNALS_N]; /* the caller's dispositions */
  struct sigaction old_chld;
  bool ignored[SIGNALS_N];             /* ignored by the caller: left alone */
  int pty_master;                      /* --pty: SIGWINCH resizes this pty (pty.c)
                                          instead of being sent on; -1 when none */
};
int signals_parent_prepare (const struct husk_plan *plan, struct signals_fwd *sf,
                            struct husk_err *err);
void signals_parent_started (struct signals_fwd *sf);
void signals_parent_finish (struct signals_fwd *sf);
int signals_wait_readable (struct signals_fwd *sf, int fd, pid_t pid);
/* Issue 6: *ru gets wait4's resource usage (may be NULL). */
int signals_waitpid (struct signals_fwd *sf, pid_t pid, int *wstatus, struct rusage *ru);
void signals_child_start (struct signals_fwd *sf);
void signals_child_unblock (const struct signals_fwd *sf);
void signals_reaper_relay (const struct signals_fwd *sf, pid_t program);
/* rlimits.c: parent_prepare (phase 0) raises husk's own hard limits where
 * the plan asks for more (root only); apply (the program's process, before
 * seccomp) sets the plan's limits. */
int rlimits_parent_prepare (const struct husk_plan *plan, struct husk_err *err);
int rlimits_apply (const struct husk_plan *plan, struct husk_err *err);
/* timens.c: the child's new time namespace and offsets, first thing in setup. */
int timens_child_setup (const struct husk_plan *plan, struct husk_err *err);
/* nsjoin.c: parent, phase 0, after --userns: join the plan's namespaces;
 * *joined_user is set when --join-pid joined a user namespace. */
int nsjoin_parent (const struct husk_plan *plan, bool *joined_user, struct husk_err *err);
/* idmap.c (issue 5): parent, phase 0, after the joins: the detached idmapped
 * copy of each bind with HUSK_OPF_IDMAP, in *trees indexed by op (-1: none,
 * -2: a missing --bind-try source; *trees NULL when no op is idmapped);
 * idmap_release closes them and frees the array. */
int idmap_prepare (const struct husk_plan *plan, int **trees, struct husk_err *err);
void idmap_release (int **trees, size_t n);

/* Seccomp profiles, cgroups, networking (issue 6). */
/* seccomp.c: phase 0, store the profiles the front end compiled on a cache
 * miss (best effort: a cache that cannot be written is no error). */
void seccomp_cache_store (const struct husk_plan *plan);
/* cgroup.c: phase 0, create the sandbox's child cgroup and write the
 * limits (nothing without limits); cgroup_clone clones into it
 * (CLONE_INTO_CGROUP), or plainly, setting need_enter, where clone3 is
 * missing; parent: cgroup_enter before GO when need_enter; cgroup_destroy
 * when the sandbox ends (cgroup.kill, rmdir). */
struct exec_cgroup
{
  int dirfd;          /* the new cgroup, or -1 */
  char *path;
  bool need_enter;
  /* Issue 5 (linux.cgroupsPath): the directories husk made, outermost
   * first, removed innermost first at the end (a cgroup that existed
   * before is never removed); fresh: the sandbox's cgroup is one of them;
   * denied: creating or setting it up failed for lack of permission. */
  char **created;         /* relative to rootfd */
  size_t n_created;
  int rootfd;             /* the cgroup2 mount, opened before any namespace is joined */
  size_t root_len;        /* strlen of its path, and the slash */
  bool fresh;
  bool denied;
  /* Issue 5 (linux.resources.devices): the device program attached to
   * the cgroup (devcg.c), or -1. */
  int devices_prog_fd;
};
int cgroup_create (const struct husk_plan *plan, struct exec_cgroup *cg, struct husk_err *err);
pid_t cgroup_clone (struct exec_cgroup *cg, unsigned long flags);
int cgroup_enter (struct exec_cgroup *cg, pid_t pid, struct husk_err *err);
void cgroup_destroy (struct exec_cgroup *cg);
/* Issue 6, for `husk features`: husk's own cgroup v2 directory (the 0::
 * line under the cgroup2 mount; caller frees), or NULL without cgroup v2. */
char *cgroup_own_dir (void);
/* devcg.c (issue 5, linux.resources.devices): compile the rules to a
 * BPF_PROG_TYPE_CGROUP_DEVICE program (caller frees; no syscall); load and
 * attach it to a cgroup (denied: for lack of privileges); detach it. */
struct bpf_insn *devcg_compile (const struct husk_device_rule *rules, size_t n_rules, size_t *len);
int devcg_attach (const struct husk_plan *plan, int cgroup_fd, int *prog_fd, bool *denied,
                  struct husk_err *err);
void devcg_detach (int cgroup_fd, int *prog_fd);
/* Before cgroup_destroy: memory.peak and pids.peak of the sandbox's cgroup,
 * where those files exist (-1 otherwise). */
void cgroup_peaks (const struct exec_cgroup *cg, int64_t *memory_peak, int64_t *pids_peak);
/* pasta.c: parent, after the id maps and before GO, start pasta on the
 * child's network namespace (nothing unless --net pasta); stop it when the
 * sandbox ends. */
struct exec_pasta
{
  pid_t pid;          /* the pasta daemon, or -1 */
  int pidfd;
};
int pasta_start (const struct husk_plan *plan, pid_t pid, struct exec_pasta *p,
                 struct husk_err *err);
void pasta_stop (struct exec_pasta *p);

/* hooks.c (issue 5): OCI hooks.  hooks_init (phase 0) names the
 * container ("husk-PID", PID husk's own); `created` is set once the
 * container exists (after clone): poststop hooks run from then on, whatever
 * happens.  hooks_run runs every hook of `kind` in order, as the calling
 * process, with `pid` (0: none) in the state; the first failing one stops
 * it with err naming its JSON path.  hooks_run_create_container shows the
 * new root at root.path on the host's tree and runs each hook chrooted to
 * host_root_fd, working directory there; hooks_run_poststop warns for each
 * failing one and goes on. */
struct exec_hooks
{
  const struct husk_plan *plan;
  char id[32];
  bool created;
  /* husk's own mount namespace and working directory, opened before any
   * namespace is joined (-1 when nothing runs in the runtime namespace):
   * the parent's hooks and the seccomp agent's connect go back there. */
  int host_mntns;
  int host_cwd;
};
void hooks_init (struct exec_hooks *h, const struct husk_plan *plan);
void hooks_fini (struct exec_hooks *h);
int hooks_run (const struct exec_hooks *h, enum husk_hook_kind kind, pid_t pid,
               struct husk_err *err);
int hooks_run_create_container (const struct exec_hooks *h, int host_root_fd, int new_root_fd,
                                struct husk_err *err);
void hooks_run_poststop (const struct exec_hooks *h);
/* The state JSON a hook of `kind` gets; caller frees. */
char *hooks_state_json (const struct exec_hooks *h, enum husk_hook_kind kind, pid_t pid);

/* run.c helpers shared with pid1.c. */
int exec_status_from_wait (int wstatus);

#endif
