/* nsjoin.c: joining existing namespaces (--netns, --mntns, --utsns,
 * --ipcns, --cgroupns, --timens, --pidns, --join-pid).
 *
 * A pid namespace joined with setns only applies to the children we make:
 * the sandbox's first process is created in it (--pidns alone) or, with
 * --unshare-pid, in a new pid namespace nested below it (bwrap's rule).
 *
 * The parent joins them before clone, after --userns, so the child starts
 * inside them; the namespaces the plan asks for anew are then made inside
 * the joined ones.  The mount namespace is never used as it is: the child's
 * CLONE_NEWNS copies the joined one, so the sandbox's root is built from
 * what the joined namespace shows and nothing is mounted in it.
 *
 * Order: every path is opened first (joining a mount namespace changes what
 * paths name), then --join-pid (all of that process's namespaces that
 * differ from husk's, user namespace first, in one setns on a pidfd), then
 * the single flags, which win over --join-pid's.
 *
 * Privileges: setns needs CAP_SYS_ADMIN over the namespace, which root has,
 * and so does a user who first joins the user namespace owning it (the one
 * --join-pid joins, or --userns).
 *
 * Must not: print.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "exec/exec.h"
#include "exec/exec_int.h"
#include "lib/cleanup.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const int nsjoin_type[HUSK_JOIN_COUNT] = {
  [HUSK_JOIN_NET] = CLONE_NEWNET,       [HUSK_JOIN_MNT] = CLONE_NEWNS,
  [HUSK_JOIN_UTS] = CLONE_NEWUTS,       [HUSK_JOIN_IPC] = CLONE_NEWIPC,
  [HUSK_JOIN_CGROUP] = CLONE_NEWCGROUP, [HUSK_JOIN_TIME] = CLONE_NEWTIME,
  [HUSK_JOIN_PID] = CLONE_NEWPID,
};

/* The mount namespace last: it resets our root and cwd. */
static const enum husk_join_kind nsjoin_order[HUSK_JOIN_COUNT] = {
  HUSK_JOIN_TIME, HUSK_JOIN_PID, HUSK_JOIN_NET, HUSK_JOIN_UTS, HUSK_JOIN_IPC, HUSK_JOIN_CGROUP,
  HUSK_JOIN_MNT,
};

static void
nsjoin_hint (struct husk_err *err, int e, const char *what)
{
  if (e == EINVAL)
    husk_err_hint (err, "not a %s namespace, or one husk cannot join", what);
  else if (e == EPERM)
    husk_err_hint (err, "joining needs CAP_SYS_ADMIN over the namespace: run as root, or "
                        "join the user namespace that owns it (--join-pid, --userns)");
}

/* --join-pid: whether one namespace of `pid` differs from ours (ours: the
 * one our children get, for pid and time); -1 with err set when /proc does
 * not say (a process we may not inspect: joining nothing would silently
 * run the sandbox in husk's own namespaces). */
static int
nsjoin_differs (pid_t pid, const char *theirs, const char *ours, const char *where,
                struct husk_err *err)
{
  char a[64];
  struct stat sa, sb;

  snprintf (a, sizeof a, "/proc/%d/ns/%s", (int) pid, theirs);
  /* Through the host's /proc: a mount namespace joined before this one
   * could answer for its owner. */
  if (hostproc_stat_ns (getpid (), ours, &sb) < 0 && errno == ENOENT)
    return 0; /* a kind of namespace this kernel lacks */
  if (hostproc_stat_ns (pid, theirs, &sa) < 0)
    {
      int e = errno;

      husk_err_sys (err, "%s: %s", where, a);
      if (e == EACCES || e == EPERM)
        husk_err_hint (err, "the process must be yours and dumpable (a program, not a "
                            "sandbox's pid-1 reaper), or run as root");
      return -1;
    }
  return sa.st_dev != sb.st_dev || sa.st_ino != sb.st_ino;
}

static int
nsjoin_pid (const struct husk_plan *plan, bool *joined_user, struct husk_err *err)
{
  static const struct
  {
    int type;
    const char *theirs, *ours;
  } kinds[] = {
    { CLONE_NEWUSER, "user", "user" },
    { CLONE_NEWNS, "mnt", "mnt" },
    { CLONE_NEWNET, "net", "net" },
    { CLONE_NEWUTS, "uts", "uts" },
    { CLONE_NEWIPC, "ipc", "ipc" },
    { CLONE_NEWCGROUP, "cgroup", "cgroup" },
    { CLONE_NEWPID, "pid", "pid_for_children" },
    { CLONE_NEWTIME, "time", "time_for_children" },
  };
  const char *where = plan->join_pid_origin.where;
  cleanup_fd int pidfd = -1;
  int flags = 0;

  pidfd = (int) syscall (SYS_pidfd_open, plan->join_pid, 0);
  if (pidfd < 0)
    {
      husk_err_sys (err, "%s", where);
      if (errno == ENOSYS)
        husk_err_hint (err, "the kernel has no pidfd_open (Linux 5.3 and later)");
      return -1;
    }
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    {
      int d = nsjoin_differs (plan->join_pid, kinds[i].theirs, kinds[i].ours, where, err);

      if (d < 0)
        return -1;
      if (d > 0)
        flags |= kinds[i].type;
    }
  /* What /proc showed belongs to the pidfd's process only if it still runs. */
  if (syscall (SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0)
    return husk_err_sys (err, "%s", where);
  if (flags == 0)
    return 0; /* it shares all of ours */
  exec_joined_ns = true;
  if (flags & CLONE_NEWUSER)
    {
      if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
        return husk_err_sys (err, "%s: prctl PR_SET_DUMPABLE", where);
      exec_joined_userns = true;
    }
  if (setns (pidfd, flags) < 0)
    {
      int e = errno;

      husk_err_sys (err, "%s: setns", where);
      if (e == EINVAL)
        husk_err_hint (err, "joining by pid needs Linux 5.8 and later");
      else
        nsjoin_hint (err, e, "");
      return -1;
    }
  if (flags & CLONE_NEWUSER)
    *joined_user = true;
  if (flags & CLONE_NEWNS)
    exec_joined_mntns = true;
  return 0;
}

int
nsjoin_parent (const struct husk_plan *plan, bool *joined_user, struct husk_err *err)
{
  int fds[HUSK_JOIN_COUNT];
  int r = 0;

  for (size_t k = 0; k < HUSK_JOIN_COUNT; k++)
    {
      const struct husk_nsjoin *j = &plan->join_ns[k];

      fds[k] = -1;
      if (r < 0)
        continue;
      if (j->path != NULL && (fds[k] = open (j->path, O_RDONLY | O_CLOEXEC)) < 0)
        r = husk_err_sys (err, "%s", j->origin.where);
      else if (j->path == NULL && j->fd >= 0 && fcntl (j->fd, F_GETFD) < 0)
        r = husk_err_sys (err, "%s", j->origin.where);
    }
  if (r == 0 && plan->join_pid > 0)
    r = nsjoin_pid (plan, joined_user, err);
  for (size_t i = 0; i < HUSK_JOIN_COUNT && r == 0; i++)
    {
      enum husk_join_kind k = nsjoin_order[i];
      const struct husk_nsjoin *j = &plan->join_ns[k];
      int fd = j->path != NULL ? fds[k] : j->fd;

      if (fd < 0)
        continue;
      exec_joined_ns = true;
      if (setns (fd, nsjoin_type[k]) < 0)
        {
          int e = errno;

          r = husk_err_sys (err, "%s: setns", j->origin.where);
          nsjoin_hint (err, e, plan_join_name (k));
        }
      else
        {
          if (k == HUSK_JOIN_MNT)
            exec_joined_mntns = true;
          if (j->path == NULL)
            close (fd); /* the sandbox must not inherit it */
        }
    }
  for (size_t k = 0; k < HUSK_JOIN_COUNT; k++)
    if (fds[k] >= 0)
      close (fds[k]);
  return r;
}
