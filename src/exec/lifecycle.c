/* lifecycle.c: what the sandbox tells its caller and holds for it: the
 * --info-fd and --json-status-fd reports, --sync-fd, --block-fd,
 * --userns-block-fd and --lock-file.
 *
 * Timeline (bwrap's, which callers rely on):
 *   parent, right after clone (and the id maps, unless --userns-block-fd):
 *     --info-fd gets {"child-pid", "<ns>-namespace"...} and is closed;
 *     --json-status-fd gets the same object on one line;
 *     then the parent waits for --userns-block-fd (the caller writes the
 *     maps, knowing the pid) before it lets the child go on.
 *   child, after the filesystem setup: --lock-file read locks, taken by the
 *     process that stays for the sandbox's lifetime (the reaper, forked
 *     also without a pid namespace when there are locks or a --sync-fd);
 *     the program closes --sync-fd, tells the parent its pid (husk's
 *     "command-pid" line, its own JSON object), waits for --block-fd, execs.
 *   parent, when the sandbox ends: {"exit-code": N, ...} if the program
 *     started, with its resource usage (issue 6): "max-rss-kib",
 *     "user-time-us", "system-time-us" from wait4 (the child husk waits for
 *     and every descendant it waited for), and with a cgroup "memory-peak"
 *     and "pids-peak" where the kernel has those files.
 *   --pidfd-fd (issue 6): the program's pidfd, sent with its pid, goes to
 *     the caller's socket, which is then closed.
 *
 * Must not: print; write to a status fd anything but whole JSON lines.
 */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "exec/exec.h"
#include "exec/exec_int.h"
#include "lib/cleanup.h"

/* bwrap's order and names; only namespaces the sandbox got anew. */
static const struct
{
  unsigned bit;
  const char *name;
} lifecycle_ns[] = {
  { HUSK_NS_CGROUP, "cgroup" }, { HUSK_NS_IPC, "ipc" }, { HUSK_NS_MNT, "mnt" },
  { HUSK_NS_NET, "net" },       { HUSK_NS_PID, "pid" }, { HUSK_NS_UTS, "uts" },
};

/* Write everything, or fail with EPIPE when the reader has gone: a
 * status reader closing its end must not kill husk with SIGPIPE (the
 * sandbox would be orphaned).  SIGPIPE is blocked around the write and a
 * SIGPIPE the write raised is consumed; the disposition is untouched, so
 * nothing changes for processes husk starts. */
static int
write_all (int fd, const char *buf, size_t len)
{
  sigset_t pipe_set, old;
  bool was_pending;
  int r = 0, saved;

  sigemptyset (&pipe_set);
  sigaddset (&pipe_set, SIGPIPE);
  sigprocmask (SIG_BLOCK, &pipe_set, &old);
  {
    sigset_t pending;
    sigpending (&pending);
    was_pending = sigismember (&pending, SIGPIPE);
  }
  while (len > 0)
    {
      ssize_t n = write (fd, buf, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          r = -1;
          break;
        }
      buf += n;
      len -= (size_t) n;
    }
  saved = errno;
  if (r < 0 && saved == EPIPE && !was_pending)
    {
      const struct timespec zero = { 0, 0 };
      while (sigtimedwait (&pipe_set, NULL, &zero) < 0 && errno == EINTR)
        ;
    }
  sigprocmask (SIG_SETMASK, &old, NULL);
  errno = saved;
  return r;
}

static int
fd_is_open (int fd)
{
  return fcntl (fd, F_GETFD) >= 0;
}

int
lifecycle_check_fds (const struct husk_plan *plan, struct husk_err *err)
{
  const struct husk_fdarg *v[] = {
    &plan->info_fd,    &plan->json_status_fd,  &plan->sync_fd,
    &plan->block_fd,   &plan->userns_block_fd, &plan->userns_fd,
    &plan->userns2_fd, &plan->pidfd_fd,
  };
  struct stat st;
  int domain = 0;
  socklen_t dlen = sizeof domain;

  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
    if (v[i]->fd >= 0 && !fd_is_open (v[i]->fd))
      return husk_err_sys (err, "%s", v[i]->origin.where);
  /* Checked now, not found out after the sandbox has started. */
  if (plan->pidfd_fd.fd >= 0
      && (fstat (plan->pidfd_fd.fd, &st) < 0 || !S_ISSOCK (st.st_mode)
          || getsockopt (plan->pidfd_fd.fd, SOL_SOCKET, SO_DOMAIN, &domain, &dlen) < 0
          || domain != AF_UNIX))
    return husk_err_set (err, 0, "%s: not a unix socket", plan->pidfd_fd.origin.where);
  return 0;
}

bool
lifecycle_needs_init (const struct husk_plan *plan)
{
  return plan->n_lock_files > 0 || plan->sync_fd.fd >= 0;
}

/* `sep` before each member; pretty (info-fd) or one line (json-status-fd). */
static size_t
format_started (char *buf, size_t len, pid_t pid, unsigned ns, bool pretty)
{
  const char *sep = pretty ? ",\n    " : ", ";
  size_t n;

  n = (size_t) snprintf (buf, len, pretty ? "{\n    \"child-pid\": %d" : "{ \"child-pid\": %d",
                         (int) pid);
  for (size_t i = 0; i < sizeof lifecycle_ns / sizeof lifecycle_ns[0] && n < len; i++)
    {
      struct stat st;

      if (!(ns & lifecycle_ns[i].bit))
        continue;
      if (hostproc_stat_ns (pid, lifecycle_ns[i].name, &st) < 0)
        continue; /* no id known: leave it out, as bwrap does */
      n += (size_t) snprintf (buf + n, len - n, "%s\"%s-namespace\": %" PRIuMAX, sep,
                              lifecycle_ns[i].name, (uintmax_t) st.st_ino);
    }
  if (n < len)
    n += (size_t) snprintf (buf + n, len - n, pretty ? "\n}\n" : " }\n");
  return n < len ? n : len - 1;
}

int
lifecycle_started (const struct husk_plan *plan, pid_t pid, unsigned ns, struct husk_err *err)
{
  char buf[512];
  size_t n;

  /* Only the sandbox holds these now: the caller sees EOF when it ends. */
  if (plan->sync_fd.fd >= 0)
    close (plan->sync_fd.fd);
  if (plan->block_fd.fd >= 0)
    close (plan->block_fd.fd);
  if (plan->info_fd.fd >= 0)
    {
      n = format_started (buf, sizeof buf, pid, ns, true);
      if (write_all (plan->info_fd.fd, buf, n) < 0)
        return husk_err_sys (err, "%s: write", plan->info_fd.origin.where);
      close (plan->info_fd.fd);
    }
  if (plan->json_status_fd.fd >= 0)
    {
      n = format_started (buf, sizeof buf, pid, ns, false);
      if (write_all (plan->json_status_fd.fd, buf, n) < 0)
        return husk_err_sys (err, "%s: write", plan->json_status_fd.origin.where);
    }
  if (plan->userns_block_fd.fd >= 0)
    {
      char b;
      ssize_t r;

      do
        r = read (plan->userns_block_fd.fd, &b, 1);
      while (r < 0 && errno == EINTR);
      close (plan->userns_block_fd.fd);
    }
  return 0;
}

/* --pidfd-fd: one byte with the pidfd as SCM_RIGHTS; best effort, like
 * the status lines (a caller that went away must not stop the sandbox). */
static void
send_pidfd (int sock, int pidfd)
{
  union sync_fd_cmsg ctl;
  char byte = 0;
  struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

  if (pidfd >= 0)
    sync_attach_fd (&mh, &ctl, pidfd);
  while (sendmsg (sock, &mh, MSG_NOSIGNAL) < 0 && errno == EINTR)
    ;
}

void
lifecycle_program_pid (const struct husk_plan *plan, pid_t pid, int pidfd)
{
  char buf[64];
  int n;

  if (plan->pidfd_fd.fd >= 0)
    {
      send_pidfd (plan->pidfd_fd.fd, pidfd);
      close (plan->pidfd_fd.fd);
    }
  if (plan->json_status_fd.fd < 0 || pid <= 0)
    return;
  n = snprintf (buf, sizeof buf, "{ \"command-pid\": %d }\n", (int) pid);
  /* Best effort: the reader may have gone; the sandbox goes on. */
  (void) write_all (plan->json_status_fd.fd, buf, (size_t) n);
}

/* Issue 6: the resource usage members of the final object (readers ignore
 * members they do not know). */
static size_t
format_usage (char *buf, size_t len, const struct exec_usage *u)
{
  size_t n = 0;

  if (u == NULL)
    return 0;
  if (u->have_rusage)
    n += (size_t) snprintf (
      buf, len,
      ", \"max-rss-kib\": %ld, \"user-time-us\": %" PRIdMAX ", \"system-time-us\": %" PRIdMAX,
      u->ru.ru_maxrss, (intmax_t) u->ru.ru_utime.tv_sec * 1000000 + u->ru.ru_utime.tv_usec,
      (intmax_t) u->ru.ru_stime.tv_sec * 1000000 + u->ru.ru_stime.tv_usec);
  if (u->memory_peak >= 0 && n < len)
    n += (size_t) snprintf (buf + n, len - n, ", \"memory-peak\": %" PRId64, u->memory_peak);
  if (u->pids_peak >= 0 && n < len)
    n += (size_t) snprintf (buf + n, len - n, ", \"pids-peak\": %" PRId64, u->pids_peak);
  return n < len ? n : len - 1;
}

void
lifecycle_exited (const struct husk_plan *plan, bool program_started, int status,
                  const struct exec_usage *usage)
{
  char buf[256], extra[192];
  int n;

  if (plan->json_status_fd.fd < 0)
    return;
  if (program_started)
    {
      extra[format_usage (extra, sizeof extra, usage)] = '\0';
      n = snprintf (buf, sizeof buf, "{ \"exit-code\": %d%s }\n", status, extra);
      (void) write_all (plan->json_status_fd.fd, buf, (size_t) n);
    }
  close (plan->json_status_fd.fd);
}

/* Child, first thing after clone: the reports are the parent's to write;
 * a reader waiting for EOF on them must not wait for our setup. */
void
lifecycle_child_start (const struct husk_plan *plan)
{
  if (plan->info_fd.fd >= 0)
    close (plan->info_fd.fd);
  if (plan->json_status_fd.fd >= 0)
    close (plan->json_status_fd.fd);
  if (plan->userns_block_fd.fd >= 0)
    close (plan->userns_block_fd.fd);
  if (plan->pidfd_fd.fd >= 0)
    close (plan->pidfd_fd.fd);
}

/* Child, in the new root: the process calling this keeps the locks (POSIX
 * locks belong to a process and are not inherited by fork); the fds are
 * close-on-exec, so the program does not get them. */
int
lifecycle_lock_files (const struct husk_plan *plan, struct husk_err *err)
{
  for (size_t i = 0; i < plan->n_lock_files; i++)
    {
      const struct husk_lockfile *l = &plan->lock_files[i];
      struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
      int fd = open (l->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

      if (fd < 0)
        return husk_err_sys (err, "%s: open", l->origin.where);
      /* Not F_SETLKW: a writer holding the lock must not hang the start. */
      if (fcntl (fd, F_SETLK, &fl) < 0)
        {
          husk_err_sys (err, "%s: lock", l->origin.where);
          close (fd);
          return -1;
        }
    }
  return 0;
}

/* Child, in the process that execs the program. */
int
lifecycle_before_exec (const struct husk_plan *plan, int sync_sock, struct husk_err *err)
{
  /* The reaper holds --sync-fd; with --as-pid-1 there is none, and the
   * program keeps it (as bwrap does). */
  if (plan->sync_fd.fd >= 0 && !plan->as_pid_1)
    close (plan->sync_fd.fd);
  /* The parent learns our pid, as it sees it, from the socket credentials;
   * with --pidfd-fd (issue 6) it also gets our pidfd, made here by the
   * program's own process so that it cannot name another one (a pid sent
   * alone could be reused once the reaper has reaped us). */
  if (plan->pidfd_fd.fd >= 0)
    {
      int pidfd = (int) syscall (SYS_pidfd_open, getpid (), 0u);
      int r;

      if (pidfd < 0)
        return husk_err_sys (err, "%s: pidfd_open", plan->pidfd_fd.origin.where);
      r = sync_send_fd (sync_sock, SYNC_READY, pidfd);
      close (pidfd);
      if (r < 0)
        return husk_err_sys (err, "report the program's pid");
    }
  else if (sync_send (sync_sock, SYNC_READY, NULL) < 0)
    return husk_err_sys (err, "report the program's pid");
  if (plan->block_fd.fd >= 0)
    {
      char b;
      ssize_t r;

      do
        r = read (plan->block_fd.fd, &b, 1);
      while (r < 0 && errno == EINTR);
      if (r < 0)
        return husk_err_sys (err, "%s: read", plan->block_fd.origin.where);
      close (plan->block_fd.fd);
    }
  return 0;
}

/* Joined user namespaces (--userns, --userns2, --disable-userns,
 * --assert-userns-disabled). */

/* Parent, before clone: the sandbox is created inside this namespace; the
 * kernel lets us in only if it descends from ours (or we own it). */
int
lifecycle_join_userns (const struct husk_plan *plan, struct husk_err *err)
{
  const char *where = plan_userns_join_origin (plan)->where;
  int fd = plan->userns_fd.fd;

  if (!plan_joins_userns (plan))
    return 0;
  /* OCI's linux.namespaces[].path: opened here, joined like --userns. */
  if (plan->userns_join.path != NULL
      && (fd = open (plan->userns_join.path, O_RDONLY | O_CLOEXEC)) < 0)
    return husk_err_sys (err, "%s", where);
  exec_joined_ns = true;
  if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
    {
      close (fd);
      return husk_err_sys (err, "%s: prctl PR_SET_DUMPABLE", where);
    }
  exec_joined_userns = true;
  if (setns (fd, CLONE_NEWUSER) < 0)
    {
      int e = errno;

      close (fd);
      errno = e;
      husk_err_sys (err, "%s: setns", where);
      if (e == EINVAL)
        husk_err_hint (err, "the namespace must be a user namespace below the caller's");
      else if (e == EPERM)
        husk_err_hint (err, "joining a user namespace needs CAP_SYS_ADMIN in it: it must be "
                            "owned by your uid (or run as root)");
      return -1;
    }
  close (fd);
  return 0;
}

static int
write_at (int dirfd, const char *name, const char *data, struct husk_err *err)
{
  int fd = openat (dirfd, name, O_WRONLY | O_CLOEXEC);
  int r = 0;

  if (fd < 0)
    return husk_err_sys (err, "open /proc/self/%s", name);
  if (write_all (fd, data, strlen (data)) < 0)
    r = husk_err_sys (err, "write /proc/self/%s", name);
  close (fd);
  return r;
}

/* Child, before the filesystem setup, while the host's /proc is reachable.
 * The limit is per user namespace: set in the sandbox's, it counts the one
 * nested namespace made after setup, which the program then cannot leave
 * nor raise the limit of (it has no rights over its parent's sysctls). */
int
lifecycle_child_prepare (const struct husk_plan *plan, unsigned ns, struct lifecycle_child *lc,
                         struct husk_err *err)
{
  int fd;

  lc->proc_self = -1;
  if (!plan->disable_userns)
    return 0;
  if (!(ns & HUSK_NS_USER))
    return husk_err_set (err, 0,
                         "--disable-userns: needs a new user namespace, "
                         "which is unavailable");
  fd = hostproc_open ("sys/user/max_user_namespaces", O_WRONLY);
  if (fd < 0)
    return husk_err_sys (err, "--disable-userns: open /proc/sys/user/max_user_namespaces");
  if (write_all (fd, "1", 1) < 0)
    {
      husk_err_sys (err, "--disable-userns: sysctl user.max_user_namespaces=1");
      close (fd);
      return -1;
    }
  close (fd);
  lc->proc_self = open ("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (lc->proc_self < 0)
    return husk_err_sys (err, "--disable-userns: open /proc/self");
  return 0;
}

/* Child, after pivot_root and before stray fds are closed. */
int
lifecycle_child_after_root (const struct husk_plan *plan, struct lifecycle_child *lc,
                            struct husk_err *err)
{
  int r = 0;

  if (plan->userns2_fd.fd >= 0)
    {
      if (setns (plan->userns2_fd.fd, CLONE_NEWUSER) < 0)
        return husk_err_sys (err, "%s: setns", plan->userns2_fd.origin.where);
      close (plan->userns2_fd.fd);
    }
  if (plan->disable_userns)
    {
      char map[64];
      uid_t uid = getuid ();
      gid_t gid = getgid ();

      /* Map ourselves 1:1 in the nested namespace: the program sees the
       * same ids (other mapped ids of the outer one become the overflow id). */
      if (unshare (CLONE_NEWUSER) < 0)
        r = husk_err_sys (err, "--disable-userns: unshare user namespace");
      snprintf (map, sizeof map, "%u %u 1\n", (unsigned) uid, (unsigned) uid);
      if (r == 0)
        r = write_at (lc->proc_self, "uid_map", map, err);
      if (r == 0 && write_at (lc->proc_self, "setgroups", "deny\n", err) < 0
          && err->errnum != ENOENT)
        r = -1;
      snprintf (map, sizeof map, "%u %u 1\n", (unsigned) gid, (unsigned) gid);
      if (r == 0)
        r = write_at (lc->proc_self, "gid_map", map, err);
      close (lc->proc_self);
      lc->proc_self = -1;
      if (r < 0)
        return husk_err_prefix (err, "--disable-userns");
    }
  /* The check itself: creating one must fail now (we exit if it worked). */
  if ((plan->disable_userns || plan->assert_userns_disabled) && unshare (CLONE_NEWUSER) == 0)
    return husk_err_set (err, 0, "%s: the sandbox can still create user namespaces",
                         plan->disable_userns ? "--disable-userns" : "--assert-userns-disabled");
  return 0;
}
