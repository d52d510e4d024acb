/* run.c: the executor's phases, the clone, the wait and the exit status.
 *
 * Phases (the same for every front end):
 *   0. parent: decide the namespaces (a user namespace is implied when not
 *      root), make the sync socket; the sandbox's cgroup, its limits and
 *      its device program (issues 5 and 6: cgroup.c, devcg.c).
 *   1. clone into the namespaces; the parent writes the id maps and sends GO.
 *   2. child: loopback, hostname; prepare the new root, run ops[] in order;
 *      OCI hooks (issue 5): the parent runs prestart and createRuntime
 *      hooks (SYNC_HOOKS, GO), the child createContainer hooks.
 *   3. child: pivot_root into the new root, detach the host's.
 *   4. child: cwd, environment, close stray fds, pid-1 reaper (new pid
 *      namespace), setsid, keep only the plan's capabilities, no_new_privs,
 *      Landlock rules (issue 6), OCI startContainer hooks (issue 5),
 *      seccomp filters (the built-in TIOCSTI one, then the plan's).
 *   5. child: execve.  The parent runs OCI poststart hooks, waits, passing
 *      signals on to the child (issue 6), runs OCI poststop hooks once
 *      everything is torn down, and exits with the program's status
 *      (128+signal when it was killed).
 * A failing child sends {errno, message} on the sync socket and exits; the
 * parent prints one line and exits 1.  Everything the child mounted lives in
 * its own mount namespace and vanishes with it.
 *
 * Must not: read argv or JSON; print (main prints).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec/exec.h"
#include "exec/exec_int.h"
#include "lib/cleanup.h"
#include "lib/xalloc.h"

bool exec_joined_ns;
bool exec_joined_mntns;
bool exec_joined_userns;

struct run_ctx
{
  const struct husk_plan *plan;
  unsigned ns;          /* HUSK_NS_* actually created */
  uid_t euid;
  gid_t egid;
  char *old_cwd;        /* caller's cwd, tried inside when there is no --chdir */
  const char *host_tty;
  int sock[2];          /* [0] parent, [1] child */
  /* Process limits, time and joined namespaces (issue 6). */
  bool joined_user;     /* in a user namespace joined by --userns or --join-pid */
  struct signals_fwd sig;
  /* Seccomp profiles, cgroups, networking (issue 6). */
  struct exec_cgroup cg;
  struct exec_pasta pasta;
  /* OCI extras (issue 5). */
  struct exec_pty pty;
  /* --pidns with --unshare-pid: the new pid namespace is made by the
   * child, inside the joined one (see nest_pid_namespace). */
  bool pid_nested;
  /* OCI hooks (issue 5). */
  struct exec_hooks hooks;
  /* OCI idmapped binds (issue 5), made by the parent (idmap.c). */
  int *idmap_trees;
};

int
exec_status_from_wait (int wstatus)
{
  if (WIFEXITED (wstatus))
    return WEXITSTATUS (wstatus);
  if (WIFSIGNALED (wstatus))
    return 128 + WTERMSIG (wstatus);
  return 1;
}

static unsigned long
clone_flags (unsigned ns)
{
  unsigned long flags = CLONE_NEWNS;

  if (ns & HUSK_NS_USER)
    flags |= CLONE_NEWUSER;
  if (ns & HUSK_NS_IPC)
    flags |= CLONE_NEWIPC;
  if (ns & HUSK_NS_PID)
    flags |= CLONE_NEWPID;
  if (ns & HUSK_NS_NET)
    flags |= CLONE_NEWNET;
  if (ns & HUSK_NS_UTS)
    flags |= CLONE_NEWUTS;
  if (ns & HUSK_NS_CGROUP)
    flags |= CLONE_NEWCGROUP;
  return flags;
}

/* Phase 0: which namespaces, given who we are. */
static int
decide_namespaces (struct run_ctx *ctx, struct husk_err *err)
{
  const struct husk_plan *plan = ctx->plan;

  ctx->ns = plan->unshare | HUSK_NS_MNT;
  /* Without privileges, mounting needs a user namespace of our own
   * (or one joined with --userns). */
  if (ctx->euid != 0 && !ctx->joined_user)
    ctx->ns |= HUSK_NS_USER;
  if (!(ctx->ns & HUSK_NS_USER) && !ctx->joined_user && !plan->real_ids)
    {
      if (plan->has_uid)
        return husk_err_set (err, 0, "%s: requires --unshare-user", plan->uid_origin.where);
      if (plan->has_gid)
        return husk_err_set (err, 0, "%s: requires --unshare-user", plan->gid_origin.where);
    }
  if ((ctx->ns & HUSK_NS_CGROUP) && plan->cgroup_try && access ("/proc/self/ns/cgroup", F_OK) < 0)
    ctx->ns &= ~HUSK_NS_CGROUP;
  return 0;
}

static _Noreturn void
child_fail (struct run_ctx *ctx, struct husk_err *err)
{
  if (err->errnum == EPERM || err->errnum == EACCES)
    userns_hint (err);
  sync_send (ctx->sock[1], SYNC_ERROR, err);
  _exit (1);
}

static int
enter_cwd (struct run_ctx *ctx, struct husk_err *err)
{
  const struct husk_plan *plan = ctx->plan;
  const char *cwd = "/";
  const char *home;

  if (plan->chdir)
    {
      if (chdir (plan->chdir) < 0)
        return husk_err_sys (err, "%s", plan->chdir_origin.where);
      cwd = plan->chdir;
    }
  else if (ctx->old_cwd && chdir (ctx->old_cwd) == 0)
    cwd = ctx->old_cwd;
  else if ((home = getenv ("HOME")) && chdir (home) == 0)
    cwd = home;
  else if (chdir ("/") < 0)
    return husk_err_sys (err, "chdir /");
  if (setenv ("PWD", cwd, 1) < 0)
    return husk_err_sys (err, "setenv PWD");
  return 0;
}

static int
apply_env (const struct husk_plan *plan, struct husk_err *err)
{
  for (size_t i = 0; i < plan->n_env; i++)
    {
      const struct husk_envop *e = &plan->env[i];
      int r = 0;

      switch (e->kind)
        {
        case HUSK_ENV_SET:
          r = setenv (e->name, e->value, 1);
          break;
        case HUSK_ENV_UNSET:
          r = unsetenv (e->name);
          break;
        case HUSK_ENV_CLEAR:
          r = clearenv ();
          break;
        default:
          return husk_err_set (err, 0, "%s: unknown environment edit", e->origin.where);
        }
      if (r != 0)
        return husk_err_sys (err, "%s", e->origin.where);
    }
  return 0;
}

static int
cmp_int (const void *a, const void *b)
{
  int x = *(const int *) a, y = *(const int *) b;
  return (x > y) - (x < y);
}

static void
close_fds_from (unsigned first, unsigned last)
{
  if (first > last)
    return;
  if (syscall (SYS_close_range, first, last, 0) == 0)
    return;
  /* Kernels before 5.9: close one by one up to the fd limit. */
  long max = sysconf (_SC_OPEN_MAX);
  if (max < 0 || max > 65536)
    max = 65536;
  for (unsigned fd = first; fd <= last && fd < (unsigned) max; fd++)
    close ((int) fd);
}

/* Only fds 0-2, the ones a flag names, and the sync socket (close-on-exec)
 * survive: an fd the caller leaked to us (a session bus socket, a
 * writable file) would otherwise be a way out of the sandbox. */
static void
close_stray_fds (const struct husk_plan *plan, int sync_fd)
{
  size_t n = plan->n_keep_fds + 3;
  cleanup_free int *keep = xcalloc (n, sizeof *keep);
  unsigned next = 3;

  if (plan->n_keep_fds > 0)
    memcpy (keep, plan->keep_fds, plan->n_keep_fds * sizeof *keep);
  keep[n - 1] = sync_fd;
  keep[n - 2] = plan->sync_fd.fd;   /* -1 when unset: skipped below */
  keep[n - 3] = plan->block_fd.fd;
  qsort (keep, n, sizeof *keep, cmp_int);
  for (size_t i = 0; i < n; i++)
    {
      if (keep[i] < (int) next)
        continue;
      close_fds_from (next, (unsigned) keep[i] - 1);
      next = (unsigned) keep[i] + 1;
    }
  close_fds_from (next, ~0U);
}

/* The kernel clears the parent-death signal whenever the euid or egid
 * changes (commit_creds), which --uid/--gid with id maps just did: arm it
 * again, then make sure the parent did not die in between (it holds its
 * end of the sync socket open for as long as it lives). */
static int
rearm_parent_death (struct run_ctx *ctx, struct husk_err *err)
{
  struct pollfd p = { .fd = ctx->sock[1], .events = POLLRDHUP };

  if (!ctx->plan->die_with_parent)
    return 0;
  if (prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
    return husk_err_sys (err, "--die-with-parent: prctl");
  if (poll (&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP)))
    _exit (1);
  return 0;
}

/* OCI hooks (issue 5), once ops[] ran and before pivot_root: the parent
 * runs the prestart and createRuntime hooks (and says GO when they
 * succeeded, or kills us), then the createContainer hooks run here, in the
 * container's namespaces, with the caller's umask. */
static int
child_hooks_before_pivot (struct run_ctx *ctx, struct exec_rootfs *fs, mode_t caller_umask,
                          struct husk_err *err)
{
  const struct husk_plan *plan = ctx->plan;
  enum sync_type type;
  mode_t m;
  int r;

  if (plan_has_hooks (plan, HUSK_HOOK_PRESTART) || plan_has_hooks (plan, HUSK_HOOK_CREATE_RUNTIME))
    {
      if (sync_send (ctx->sock[1], SYNC_HOOKS, NULL) < 0)
        return husk_err_sys (err, "ask for the createRuntime hooks");
      if (sync_recv (ctx->sock[1], &type, NULL) != 1 || type != SYNC_GO)
        _exit (1);
    }
  if (!plan_has_hooks (plan, HUSK_HOOK_CREATE_CONTAINER))
    return 0;
  m = umask (caller_umask);
  r = hooks_run_create_container (&ctx->hooks, fs->oldroot_fd, fs->newroot_fd, err);
  umask (m);
  return r;
}

static int
child_setup (struct run_ctx *ctx, struct husk_err *err)
{
  const struct husk_plan *plan = ctx->plan;
  struct exec_rootfs fs = { .plan = plan, .newroot_fd = -1, .oldroot_fd = -1,
                            .scratch_fd = -1, .host_tty = ctx->host_tty,
                            .in_userns = (ctx->ns & HUSK_NS_USER) != 0
                                         || ctx->joined_user,
                            .own_pidns = (ctx->ns & HUSK_NS_PID) != 0,
                            .own_cgroupns = (ctx->ns & HUSK_NS_CGROUP) != 0
                                            || plan->join_ns[HUSK_JOIN_CGROUP].fd >= 0
                                            || plan->join_ns[HUSK_JOIN_CGROUP].path != NULL,
                            .idmap_trees = ctx->idmap_trees };
  struct lifecycle_child lc;
  mode_t old_umask;

  /* Only for a user namespace whose gid map husk wrote (not joined, not
   * --userns-block-fd): otherwise the kernel's answer is awaited. */
  fs.tty_gid_unmapped = (ctx->ns & HUSK_NS_USER) && !ctx->joined_user
                        && plan->userns_block_fd.fd < 0
                        && !userns_inside_gid_mapped (plan, ctx->egid, 5);

  /* Before anything: its offsets can be set only while it is empty. */
  if (timens_child_setup (plan, err) < 0 || procattrs_child_start (plan, err) < 0)
    return -1;
  /* While the host's /proc is still reachable (the label applies at the
   * next execve only, which is the program's). */
  if (lsm_set_exec_label (plan, err) < 0)
    return -1;
  /* --uid/--gid inside --uid-map/--gid-map ranges: set up as that id
   * (the caller's own may be unmapped, and files could not be created). */
  if (userns_switch_ids (plan, err) < 0 || rearm_parent_death (ctx, err) < 0)
    return -1;
  if ((ctx->ns & HUSK_NS_NET) && net_loopback_up (err) < 0)
    return -1;
  if (plan->hostname && sethostname (plan->hostname, strlen (plan->hostname)) < 0)
    return husk_err_sys (err, "%s", plan->hostname_origin.where);
  /* OCI extras (issue 5): domainname, sysctls, oom_score_adj, groups. */
  if (procattrs_child_early (plan, err) < 0)
    return -1;
  if (lifecycle_child_prepare (plan, ctx->ns, &lc, err) < 0)
    return -1;
  /* Ops create files with exactly the modes asked for (bwrap's --file is
   * 0666); the program gets the caller's umask back. */
  old_umask = umask (0);
  if (rootfs_prepare (&fs, err) < 0 || rootfs_run_ops (&fs, err) < 0
      || child_hooks_before_pivot (ctx, &fs, old_umask, err) < 0 || rootfs_finish (&fs, err) < 0)
    {
      rootfs_close (&fs);
      return -1;
    }
  umask (old_umask);
  /* OCI extras (issue 5): the pty comes from the sandbox's /dev/pts. */
  if (pty_child_open (plan, ctx->sock[1], err) < 0)
    return -1;
  if (lifecycle_child_after_root (plan, &lc, err) < 0)
    return -1;
  if (apply_env (plan, err) < 0 || enter_cwd (ctx, err) < 0)
    return -1;
  close_stray_fds (plan, ctx->sock[1]);
  if (lifecycle_lock_files (plan, err) < 0)
    return -1;
  /* Before the reaper forks, as bwrap: pid 1 leads the new session. */
  if (plan->new_session && setsid () < 0)
    return husk_err_sys (err, "--new-session: setsid");
  if (pty_child_ctty (plan, err) < 0)
    return -1;
  /* OCI without a user namespace: the program's ids, after every mount
   * and mkdir was done as root, before the reaper forks (it runs as the
   * program's uid too, as in the user-namespace case). */
  if (userns_switch_real_ids (plan, err) < 0)
    return -1;
  /* The reaper also holds --lock-file locks and --sync-fd, pid ns or not.
   * The built-in seccomp filter is loaded once, before it forks (issue 9). */
  if (((ctx->ns & HUSK_NS_PID) || lifecycle_needs_init (plan)) && !plan->as_pid_1
      && (caps_drop_bounding (plan, err) < 0
          || (seccomp_load_builtin_early (), 0)
          || pid1_fork_reaper (ctx->sock[1], plan, &ctx->sig, err) < 0))
    return -1;
  /* Landlock after caps_apply (which sets no_new_privs, required for an
   * unprivileged landlock_restrict_self) and after pivot_root (its paths
   * are the sandbox's), before seccomp (a filter may forbid its syscalls). */
  /* OCI (issue 5): in the program's own process, with capabilities. */
  if (procattrs_sched_io (plan, err) < 0)
    return -1;
  if (caps_apply (plan, err) < 0 || landlock_apply (plan, err) < 0 || rlimits_apply (plan, err) < 0
      || procattrs_before_exec (plan, err) < 0
      /* OCI hooks (issue 5): with the program's credentials, umask, limits
       * and the built-in filter (a hook is a file of the container's, and
       * gets husk's stderr, maybe the caller's terminal: no TIOCSTI). */
      || (plan_has_hooks (plan, HUSK_HOOK_START_CONTAINER) && seccomp_load_builtin (err) < 0)
      || hooks_run (&ctx->hooks, HUSK_HOOK_START_CONTAINER, getpid (), err) < 0
      || procattrs_last (plan, err) < 0
      || lifecycle_before_exec (plan, ctx->sock[1], err) < 0)
    return -1;
  /* Signals sent meanwhile were kept pending; a filter may forbid
   * rt_sigprocmask. */
  signals_child_unblock (&ctx->sig);
  /* Last: a user filter may forbid anything husk would still do. */
  return seccomp_apply (plan, ctx->sock[1], err);
}

/* --pidns FD --unshare-pid: the kernel makes a new pid namespace only
 * below the caller's own active one, not below one it merely setns()ed
 * into for its children (copy_pid_ns: EINVAL).  So the child, created in
 * the joined namespace, unshares a new one and forks its first process;
 * it stays behind as a thin relay: it passes signals on, waits, and exits
 * with the sandbox's status.  The program cannot see it (it lives in the
 * parent pid namespace). */
static void
nest_pid_namespace (struct run_ctx *ctx, struct husk_err *err)
{
  pid_t pid;
  int st;

  if (unshare (CLONE_NEWPID) < 0)
    {
      husk_err_sys (err, "%s: new pid namespace inside it",
                    ctx->plan->join_ns[HUSK_JOIN_PID].origin.where);
      if (err->errnum == EINVAL)
        husk_err_hint (err, "a new pid namespace must belong to a user namespace at or "
                            "below the one owning the joined pid namespace: join that "
                            "first (--userns)");
      child_fail (ctx, err);
    }
  pid = fork ();
  if (pid < 0)
    {
      husk_err_sys (err, "fork into the new pid namespace");
      child_fail (ctx, err);
    }
  if (pid == 0)
    {
      if (ctx->plan->die_with_parent && prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
        {
          husk_err_sys (err, "--die-with-parent: prctl");
          child_fail (ctx, err);
        }
      return;
    }
  close (ctx->sock[1]);
  caps_drop_everything (err);
  signals_reaper_relay (&ctx->sig, pid);
  while (waitpid (pid, &st, 0) < 0)
    if (errno != EINTR)
      _exit (1);
  _exit (exec_status_from_wait (st));
}

static _Noreturn void
child_main (struct run_ctx *ctx)
{
  const struct husk_plan *plan = ctx->plan;
  struct husk_err err = { 0 };
  enum sync_type type;

  close (ctx->sock[0]);
  signals_child_start (&ctx->sig);
  lifecycle_child_start (plan);
  if (plan->die_with_parent && prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
    {
      husk_err_sys (&err, "--die-with-parent: prctl");
      child_fail (ctx, &err);
    }
  /* Wait until the parent has written our id maps; EOF means it died. */
  if (sync_recv (ctx->sock[1], &type, NULL) != 1 || type != SYNC_GO)
    _exit (1);
  if (ctx->pid_nested)
    nest_pid_namespace (ctx, &err);
  if (child_setup (ctx, &err) < 0)
    child_fail (ctx, &err);

  {
    cleanup_free char **argv = xcalloc (plan->argc + 1, sizeof *argv);
    memcpy (argv, plan->argv, plan->argc * sizeof *argv);
    if (plan->argv0)
      argv[0] = plan->argv0;
    execvp (plan->argv[0], argv);
  }
  husk_err_sys (&err, "execvp %s", plan->argv[0]);
  child_fail (ctx, &err);
}

static pid_t
clone_child (struct run_ctx *ctx, unsigned long flags)
{
  /* Raw clone behaves like fork() here: no new stack, child returns 0;
   * straight into the sandbox's cgroup when it has one (issue 6). */
  if (ctx->pid_nested)
    flags &= ~(unsigned long) CLONE_NEWPID;
  return cgroup_clone (&ctx->cg, flags);
}

static int
start_child (struct run_ctx *ctx, pid_t *pid, struct husk_err *err)
{
  const struct husk_plan *plan = ctx->plan;

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctx->sock) < 0)
    return husk_err_sys (err, "socketpair");
  /* The program's pid (behind a reaper) arrives as socket credentials. */
  if (setsockopt (ctx->sock[0], SOL_SOCKET, SO_PASSCRED, &(int) { 1 }, sizeof (int)) < 0)
    return husk_err_sys (err, "setsockopt SO_PASSCRED");
  *pid = clone_child (ctx, clone_flags (ctx->ns));
  if (*pid < 0 && (ctx->ns & HUSK_NS_USER) && plan->user_try && ctx->euid == 0
      && (errno == EINVAL || errno == EPERM || errno == ENOSPC || errno == EUSERS))
    {
      /* --unshare-user-try: as root we can do without one. */
      ctx->ns &= ~HUSK_NS_USER;
      if (plan->has_uid || plan->has_gid)
        return husk_err_set (err, 0, "%s: requires a user namespace, which is unavailable",
                             plan->has_uid ? plan->uid_origin.where : plan->gid_origin.where);
      *pid = clone_child (ctx, clone_flags (ctx->ns));
    }
  if (*pid < 0)
    {
      husk_err_sys (err, "creating the sandbox's namespaces (clone)");
      userns_hint (err);
      return -1;
    }
  if (*pid == 0)
    child_main (ctx);
  return 0;
}

static int
wait_child (pid_t pid, int *wstatus)
{
  while (waitpid (pid, wstatus, 0) < 0)
    if (errno != EINTR)
      return -1;
  return 0;
}

/* Issue 5: the child's seccomp listener goes to the agent (sender: the
 * program's pid as husk sees it), then GO lets the child go on to execve. */
static int
parent_seccomp_listener (struct run_ctx *ctx, pid_t sender, int *passed, struct husk_err *err)
{
  const struct husk_plan *plan = ctx->plan;
  int r;

  if (*passed < 0 || plan->seccomp_agent.path == NULL)
    return husk_err_set (err, 0, "no seccomp listener from the sandbox");
  r = seccomp_agent_send (plan, *passed, sender, &ctx->hooks, ctx->old_cwd ? ctx->old_cwd : "/",
                          err);
  husk_cleanup_closep (passed);
  if (r < 0)
    return -1;
  if (sync_send (ctx->sock[0], SYNC_GO, NULL) < 0)
    return husk_err_sys (err, "start the sandbox");
  return 0;
}

/* Phase 1, parent side: id maps, GO, then relay a child error if any. */
static int
parent_side (struct run_ctx *ctx, pid_t pid, int *status, struct husk_err *err)
{
  const struct husk_plan *plan = ctx->plan;
  enum sync_type type;
  int wstatus, r;
  int passed = -1;
  pid_t sender;
  bool started = false, poststart_failed = false;
  pid_t program = pid;
  struct exec_usage usage = { .have_rusage = false };

  /* With --userns-block-fd the caller writes the maps. */
  if ((ctx->ns & HUSK_NS_USER) && plan->userns_block_fd.fd < 0)
    {
      struct userns_ids ids = {
        .inside_uid = plan->has_uid ? plan->uid : ctx->euid, .outside_uid = ctx->euid,
        .inside_gid = plan->has_gid ? plan->gid : ctx->egid, .outside_gid = ctx->egid,
        /* OCI's additionalGids (issue 5): root may leave setgroups allowed. */
        .deny_setgroups = plan->n_groups == 0 || ctx->euid != 0, .plan = plan,
      };
      if (userns_write_maps (pid, &ids, err) < 0)
        {
          userns_hint (err);
          kill (pid, SIGKILL);
          wait_child (pid, &wstatus);
          return -1;
        }
    }
  /* Issue 6: into the cgroup (if clone3 could not), pasta on the
   * network namespace, both before the child runs anything. */
  if (cgroup_enter (&ctx->cg, pid, err) < 0 || pasta_start (plan, pid, &ctx->pasta, err) < 0
      || net_move_devices (plan, pid, err) < 0)
    {
      kill (pid, SIGKILL);
      wait_child (pid, &wstatus);
      return -1;
    }
  if (lifecycle_started (plan, pid, ctx->ns, err) < 0
      || (sync_send (ctx->sock[0], SYNC_GO, NULL) < 0
          && husk_err_sys (err, "start the sandbox") < 0))
    {
      kill (pid, SIGKILL);
      wait_child (pid, &wstatus);
      return -1;
    }

  /* Signals to husk go on to the child while we wait (signals.c). */
  r = 0;
  while (signals_wait_readable (&ctx->sig, ctx->sock[0], pid) == 0
         && (r = sync_recv_fd (ctx->sock[0], &type, err, &sender, &passed)) == 1
         && (type == SYNC_READY || type == SYNC_PTY || type == SYNC_HOOKS
             || type == SYNC_SECCOMP))
    {
      /* OCI hooks (issue 5): the child ran ops[] and waits before pivot_root. */
      if (type == SYNC_HOOKS)
        {
          husk_cleanup_closep (&passed);
          if (hooks_run (&ctx->hooks, HUSK_HOOK_PRESTART, pid, err) < 0
              || hooks_run (&ctx->hooks, HUSK_HOOK_CREATE_RUNTIME, pid, err) < 0
              || (sync_send (ctx->sock[0], SYNC_GO, NULL) < 0
                  && husk_err_sys (err, "resume the sandbox after the hooks") < 0))
            {
              kill (pid, SIGKILL);
              wait_child (pid, &wstatus);
              return -1;
            }
          continue;
        }
      /* Issue 5: SCMP_ACT_NOTIFY's listener, to the agent.  On failure the
       * program (blocked, waiting for GO) and its reaper are killed. */
      if (type == SYNC_SECCOMP)
        {
          if (parent_seccomp_listener (ctx, sender > 0 ? sender : pid, &passed, err) < 0)
            {
              husk_cleanup_closep (&passed);
              if (sender > 0 && sender != pid)
                kill (sender, SIGKILL);
              kill (pid, SIGKILL);
              wait_child (pid, &wstatus);
              return -1;
            }
          continue;
        }
      /* OCI extras (issue 5): the pty master, relayed from now on. */
      if (type == SYNC_PTY)
        {
          if (passed < 0 || pty_parent_start (plan, &ctx->pty, passed, err) < 0)
            {
              if (passed < 0)
                husk_err_set (err, 0, "%s: no terminal from the sandbox",
                              plan->terminal_origin.where);
              kill (pid, SIGKILL);
              wait_child (pid, &wstatus);
              return -1;
            }
          ctx->sig.pty_master = ctx->pty.master; /* SIGWINCH resizes it (issue 6) */
          continue;
        }
      started = true;
      program = sender > 0 ? sender : pid;
      /* Issue 6: with --pidfd-fd, the program's pidfd came along. */
      lifecycle_program_pid (plan, sender, passed);
      husk_cleanup_closep (&passed);
    }
  husk_cleanup_closep (&passed);
  /* OCI hooks (issue 5): the program was executed (EOF: the socket is
   * close-on-exec).  A failing poststart hook stops the container. */
  if (started && r == 0 && hooks_run (&ctx->hooks, HUSK_HOOK_POSTSTART, program, err) < 0)
    {
      poststart_failed = true;
      kill (pid, SIGKILL);
    }
  if (signals_waitpid (&ctx->sig, pid, &wstatus, &usage.ru) < 0)
    return husk_err_sys (err, "waitpid");
  usage.have_rusage = true;
  ctx->sig.pty_master = -1;
  pty_parent_finish (&ctx->pty);
  started = started && !(r == 1 && type == SYNC_ERROR);
  /* Issue 6: resource usage in the final status object. */
  cgroup_peaks (&ctx->cg, &usage.memory_peak, &usage.pids_peak);
  lifecycle_exited (plan, started, exec_status_from_wait (wstatus), &usage);
  if ((r == 1 && type == SYNC_ERROR) || poststart_failed)
    return -1;
  *status = exec_status_from_wait (wstatus);
  return 0;
}

/* Every fd an op reads must be open before husk opens anything itself:
 * a closed caller fd would otherwise alias husk's own (the sync socket),
 * and --file would read from it and hang. */
static int
check_op_fds (const struct husk_plan *plan, struct husk_err *err)
{
  for (size_t i = 0; i < plan->n_ops; i++)
    if (plan->ops[i].fd >= 0 && fcntl (plan->ops[i].fd, F_GETFD) < 0)
      return husk_err_sys (err, "%s", plan->ops[i].origin.where);
  return 0;
}

/* Whether any namespace is joined (by fd, path, --userns or --join-pid). */
static bool
plan_joins_any_ns (const struct husk_plan *plan)
{
  if (plan_joins_userns (plan) || plan->join_pid > 0)
    return true;
  for (size_t i = 0; i < HUSK_JOIN_COUNT; i++)
    if (plan->join_ns[i].fd >= 0 || plan->join_ns[i].path != NULL)
      return true;
  return false;
}

int
exec_run (const struct husk_plan *plan, int *status, struct husk_err *err)
{
  struct run_ctx ctx = { .plan = plan, .sock = { -1, -1 } };
  pid_t pid = -1;
  int r;

  ctx.euid = geteuid ();
  ctx.egid = getegid ();
  ctx.pasta.pid = ctx.pasta.pidfd = -1;
  ctx.pty.master = ctx.pty.stop[0] = ctx.pty.stop[1] = -1;
  ctx.joined_user = plan_joins_userns (plan);
  ctx.cg = (struct exec_cgroup){ .dirfd = -1, .devices_prog_fd = -1, .rootfd = -1 };
  hooks_init (&ctx.hooks, plan);
  /* Joined namespaces first (issue 6): whether a user namespace was
   * joined decides whether a new one is needed.  Before them, what must
   * come from the host and not from a joined mount namespace: the host's
   * /proc (hostproc.c; opened after the caller's fds were checked, so it
   * cannot pass for one of them) and the LSM checks, which may dlopen a
   * library. */
  if (check_op_fds (plan, err) < 0 || lifecycle_check_fds (plan, err) < 0
      || hostproc_init (plan_joins_any_ns (plan), err) < 0 || lsm_check (plan, err) < 0
      || cgroup_create (plan, &ctx.cg, err) < 0
      || lifecycle_join_userns (plan, err) < 0 || nsjoin_parent (plan, &ctx.joined_user, err) < 0
      || decide_namespaces (&ctx, err) < 0
      || procattrs_check (plan, err) < 0 || landlock_check (plan, err) < 0
      || seccomp_check (plan, err) < 0
      || userns_check_maps (plan, ctx.ns, ctx.euid, ctx.egid, err) < 0
      || rlimits_parent_prepare (plan, err) < 0)
    {
      cgroup_destroy (&ctx.cg);
      hooks_fini (&ctx.hooks);
      return -1;
    }
  ctx.pid_nested = (ctx.ns & HUSK_NS_PID)
                   && (plan->join_ns[HUSK_JOIN_PID].fd >= 0
                       || plan->join_ns[HUSK_JOIN_PID].path != NULL);
  ctx.old_cwd = getcwd (NULL, 0);
  /* --pty: the caller's terminal must not be reachable as /dev/console. */
  if (isatty (1) && !plan->terminal)
    ctx.host_tty = ttyname (1);
  if (plan->die_with_parent && prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
    {
      free (ctx.old_cwd);
      cgroup_destroy (&ctx.cg);
      hooks_fini (&ctx.hooks);
      return husk_err_sys (err, "--die-with-parent: prctl");
    }
  /* Seccomp profiles (issue 6); the cgroup was made before the joins. */
  seccomp_cache_store (plan);

  /* Before the signal handlers: idmap.c forks helpers (issue 5). */
  r = idmap_prepare (plan, &ctx.idmap_trees, err);
  if (r == 0)
    r = signals_parent_prepare (plan, &ctx.sig, err);
  if (r == 0)
    {
      r = start_child (&ctx, &pid, err);
      signals_parent_started (&ctx.sig);
      ctx.hooks.created = r == 0;
    }
  /* The child has its copies of the idmapped trees. */
  idmap_release (&ctx.idmap_trees, plan->n_ops);
  if (r == 0)
    {
      close (ctx.sock[1]);
      ctx.sock[1] = -1;
      r = parent_side (&ctx, pid, status, err);
    }
  husk_cleanup_closep (&ctx.sock[0]);
  husk_cleanup_closep (&ctx.sock[1]);
  pty_parent_finish (&ctx.pty);
  signals_parent_finish (&ctx.sig);
  pasta_stop (&ctx.pasta);
  cgroup_destroy (&ctx.cg);
  /* OCI hooks (issue 5): the container is gone, whatever happened. */
  hooks_run_poststop (&ctx.hooks);
  hooks_fini (&ctx.hooks);
  free (ctx.old_cwd);
  return r;
}
