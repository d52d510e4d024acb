/* hooks.c: OCI hooks (issue 5), run at fixed points of the executor's
 * phases (see run.c):
 *
 *   prestart, createRuntime   parent (runtime namespace), once the child
 *                             has run ops[] and before it pivots
 *   createContainer           child (container namespaces), right after
 *                             those, chrooted to the host's root, where
 *                             the container's new root (with its mounts)
 *                             shows at root.path and is the working
 *                             directory
 *   startContainer            child, after pivot_root, with the program's
 *                             credentials, right before the program
 *   poststart                 parent, once the program was executed
 *   poststop                  parent, once the container is gone
 *
 * "Runtime namespace" is husk's own mount namespace even when the parent
 * joined another one (linux.namespaces[].path): a hook's path resolving in
 * a tree the joined namespace's owner controls would run that owner's file
 * with husk's privileges on the host.  These hooks setns back to the mount
 * namespace (and working directory) husk started in; when that is refused
 * (a joined user namespace has no rights over it) the hook fails.
 *
 * Each hook gets the container's state JSON on stdin (a memfd at offset
 * 0), husk's stderr as its stdout and stderr, exactly its env, no other fd,
 * default signal dispositions and an empty mask, and its own process
 * group: a timeout kills the whole group with SIGKILL.
 *
 * Must not: read JSON (the state is written here as a plain string); print
 * except the poststop warnings.
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
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec/exec.h"
#include "exec/exec_int.h"
#include "lib/cleanup.h"
#include "lib/path.h"
#include "lib/xalloc.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

void
hooks_init (struct exec_hooks *h, const struct husk_plan *plan)
{
  bool runtime_ns = plan->seccomp_agent.path != NULL;

  h->plan = plan;
  h->created = false;
  h->host_mntns = h->host_cwd = -1;
  snprintf (h->id, sizeof h->id, "husk-%ld", (long) getpid ());
  for (size_t i = 0; i < plan->n_hooks; i++)
    if (plan->hooks[i].kind != HUSK_HOOK_CREATE_CONTAINER
        && plan->hooks[i].kind != HUSK_HOOK_START_CONTAINER)
      runtime_ns = true;
  /* Before any namespace is joined; failures show if one is (hooks_where). */
  if (runtime_ns)
    {
      h->host_mntns = open ("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
      h->host_cwd = open (".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    }
}

void
hooks_fini (struct exec_hooks *h)
{
  husk_cleanup_closep (&h->host_mntns);
  husk_cleanup_closep (&h->host_cwd);
}

static const char *
hooks_status (enum husk_hook_kind kind)
{
  switch (kind)
    {
    case HUSK_HOOK_PRESTART:
    case HUSK_HOOK_CREATE_RUNTIME:
    case HUSK_HOOK_CREATE_CONTAINER:
      return "creating";
    case HUSK_HOOK_START_CONTAINER:
      return "created";
    case HUSK_HOOK_POSTSTART:
      return "running";
    case HUSK_HOOK_POSTSTOP:
      return "stopped";
    default:
      return "unknown";
    }
}

/* ---- the state JSON ----------------------------------------------------- */

struct hooks_buf
{
  char *p;
  size_t len, cap;
};

static void
buf_add (struct hooks_buf *b, const char *s, size_t n)
{
  b->p = xgrow (b->p, &b->cap, b->len + n + 1, 1);
  memcpy (b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

static void
buf_puts (struct hooks_buf *b, const char *s)
{
  buf_add (b, s, strlen (s));
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t
utf8_len (const unsigned char *s)
{
  size_t n;
  unsigned min;
  unsigned c = s[0];

  if (c < 0x80)
    return 1;
  if ((c & 0xe0) == 0xc0)
    n = 2, min = 0x80, c &= 0x1f;
  else if ((c & 0xf0) == 0xe0)
    n = 3, min = 0x800, c &= 0x0f;
  else if ((c & 0xf8) == 0xf0)
    n = 4, min = 0x10000, c &= 0x07;
  else
    return 0;
  for (size_t i = 1; i < n; i++)
    {
      if ((s[i] & 0xc0) != 0x80)
        return 0;
      c = (c << 6) | (s[i] & 0x3f);
    }
  if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
    return 0;
  return n;
}

/* A JSON string: '"', '\\' and control bytes escaped; bytes that are not
 * valid UTF-8 (a bundle path may hold any) become U+FFFD. */
static void
buf_json_str (struct hooks_buf *b, const char *s)
{
  const unsigned char *p = (const unsigned char *) s;

  buf_puts (b, "\"");
  while (*p != '\0')
    {
      char esc[8];
      size_t n;

      if (*p == '"' || *p == '\\')
        {
          esc[0] = '\\';
          esc[1] = (char) *p;
          buf_add (b, esc, 2);
          p++;
        }
      else if (*p < 0x20)
        {
          snprintf (esc, sizeof esc, "\\u%04x", *p);
          buf_puts (b, esc);
          p++;
        }
      else if ((n = utf8_len (p)) == 0)
        {
          buf_puts (b, "\\ufffd");
          p++;
        }
      else
        {
          buf_add (b, (const char *) p, n);
          p += n;
        }
    }
  buf_puts (b, "\"");
}

/* {"ociVersion","id","status","pid" (when > 0),"bundle","annotations"
 * (when any)}; caller frees. */
char *
hooks_state_json (const struct exec_hooks *h, enum husk_hook_kind kind, pid_t pid)
{
  const struct husk_plan *plan = h->plan;
  struct hooks_buf b = { NULL, 0, 0 };
  char num[32];

  buf_puts (&b, "{\"ociVersion\":");
  buf_json_str (&b, plan->hook_oci_version ? plan->hook_oci_version : "");
  buf_puts (&b, ",\"id\":");
  buf_json_str (&b, h->id);
  buf_puts (&b, ",\"status\":");
  buf_json_str (&b, hooks_status (kind));
  if (pid > 0)
    {
      snprintf (num, sizeof num, ",\"pid\":%ld", (long) pid);
      buf_puts (&b, num);
    }
  buf_puts (&b, ",\"bundle\":");
  buf_json_str (&b, plan->hook_bundle ? plan->hook_bundle : "");
  if (plan->n_annotations > 0)
    {
      buf_puts (&b, ",\"annotations\":{");
      for (size_t i = 0; i < plan->n_annotations; i++)
        {
          if (i > 0)
            buf_puts (&b, ",");
          buf_json_str (&b, plan->annotations[i].key);
          buf_puts (&b, ":");
          buf_json_str (&b, plan->annotations[i].value);
        }
      buf_puts (&b, "}");
    }
  buf_puts (&b, "}");
  return b.p;
}

/* ---- running one hook --------------------------------------------------- */

/* Where a hook runs: mntns_fd (setns there first), root_fd (chroot
 * there) and cwd_fd, or -1. */
struct hooks_where
{
  int mntns_fd;
  int root_fd;
  int cwd_fd;
};

static int
state_fd (const char *state, struct husk_err *err)
{
  size_t len = strlen (state), off = 0;
  int fd = (int) syscall (SYS_memfd_create, "husk-hook-state", MFD_CLOEXEC);

  if (fd < 0)
    return husk_err_sys (err, "memfd_create for the hook's state");
  while (off < len)
    {
      ssize_t n = write (fd, state + off, len - off);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          husk_err_sys (err, "write the hook's state");
          close (fd);
          return -1;
        }
      off += (size_t) n;
    }
  if (lseek (fd, 0, SEEK_SET) < 0)
    {
      husk_err_sys (err, "write the hook's state");
      close (fd);
      return -1;
    }
  return fd;
}

/* Every fd above 2 closed on execve (the error pipe is already). */
static void
child_cloexec_all (void)
{
  if (syscall (SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
    return;
  long max = sysconf (_SC_OPEN_MAX);
  if (max < 0 || max > 65536)
    max = 65536;
  for (int fd = 3; fd < max; fd++)
    fcntl (fd, F_SETFD, FD_CLOEXEC);
}

static _Noreturn void
child_fail (int errpipe, int e)
{
  ssize_t n = write (errpipe, &e, sizeof e);
  (void) n;
  _exit (127);
}

/* In the forked hook: async-signal-safe calls only (the parent may have a
 * pty relay thread). */
static _Noreturn void
hook_child (const struct husk_hook *hook, int statefd, int errpipe, const struct hooks_where *where)
{
  struct sigaction dfl;
  sigset_t none;

  memset (&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; sig++)
    sigaction (sig, &dfl, NULL);
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  setpgid (0, 0);
  if ((statefd == 0 ? fcntl (0, F_SETFD, 0) : dup2 (statefd, 0)) < 0 || dup2 (2, 1) < 0)
    child_fail (errpipe, errno);
  if (where->mntns_fd >= 0 && setns (where->mntns_fd, CLONE_NEWNS) < 0)
    child_fail (errpipe, errno);
  if (where->root_fd >= 0 && (fchdir (where->root_fd) < 0 || chroot (".") < 0))
    child_fail (errpipe, errno);
  if (where->cwd_fd >= 0 && fchdir (where->cwd_fd) < 0)
    child_fail (errpipe, errno);
  child_cloexec_all ();
  execve (hook->path, hook->argv, hook->env);
  child_fail (errpipe, errno);
}

static int64_t
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for the hook; past its timeout, kill its process group.  A pidfd
 * tells when it exits (a short sleep loop where pidfd_open is missing). */
static int
hook_wait (pid_t pid, unsigned timeout, int *wstatus, bool *timed_out)
{
  cleanup_fd int pfd = timeout > 0 ? (int) syscall (SYS_pidfd_open, pid, 0u) : -1;
  int64_t deadline = now_ms () + (int64_t) timeout * 1000;

  *timed_out = false;
  for (;;)
    {
      pid_t r = waitpid (pid, wstatus, timeout > 0 ? WNOHANG : 0);
      int64_t left;

      if (r == pid)
        return 0;
      if (r < 0 && errno != EINTR)
        return -1;
      if (r < 0 || timeout == 0)
        continue;
      left = deadline - now_ms ();
      if (left <= 0)
        {
          kill (-pid, SIGKILL);
          kill (pid, SIGKILL);
          *timed_out = true;
          timeout = 0;
          continue;
        }
      if (pfd >= 0)
        {
          struct pollfd p = { .fd = pfd, .events = POLLIN };
          poll (&p, 1, left > INT_MAX ? INT_MAX : (int) left);
        }
      else
        {
          struct timespec ts = { 0, 10 * 1000 * 1000 };
          nanosleep (&ts, NULL);
        }
    }
}

static int
hook_run_one (const struct exec_hooks *h, const struct husk_hook *hook, pid_t pid,
              const struct hooks_where *where, struct husk_err *err)
{
  cleanup_free char *state = hooks_state_json (h, hook->kind, pid);
  cleanup_fd int sfd = -1;
  int errpipe[2];
  int wstatus = 0, e = 0;
  bool timed_out;
  pid_t child;
  ssize_t n;

  if ((sfd = state_fd (state, err)) < 0)
    return husk_err_prefix (err, "%s", hook->origin.where);
  if (pipe2 (errpipe, O_CLOEXEC) < 0)
    return husk_err_sys (err, "%s: pipe", hook->origin.where);
  child = fork ();
  if (child < 0)
    {
      close (errpipe[0]);
      close (errpipe[1]);
      return husk_err_sys (err, "%s: fork", hook->origin.where);
    }
  if (child == 0)
    {
      close (errpipe[0]);
      hook_child (hook, sfd, errpipe[1], where);
    }
  close (errpipe[1]);
  do
    n = read (errpipe[0], &e, sizeof e);
  while (n < 0 && errno == EINTR);
  close (errpipe[0]);
  if (hook_wait (child, n == (ssize_t) sizeof e ? 0 : hook->timeout, &wstatus, &timed_out) < 0)
    return husk_err_sys (err, "%s: waitpid", hook->origin.where);
  if (n == (ssize_t) sizeof e && where->mntns_fd >= 0 && e == EPERM)
    return husk_err_set (err, e, "%s: %s: going back to husk's mount namespace (the runtime "
                         "namespace) from the joined one", hook->origin.where, hook->path);
  if (n == (ssize_t) sizeof e)
    return husk_err_set (err, e, "%s: %s", hook->origin.where, hook->path);
  if (timed_out)
    return husk_err_set (err, 0, "%s: still running after its timeout (%u s): killed",
                         hook->origin.where, hook->timeout);
  if (WIFEXITED (wstatus) && WEXITSTATUS (wstatus) != 0)
    return husk_err_set (err, 0, "%s: exited with status %d", hook->origin.where,
                         WEXITSTATUS (wstatus));
  if (WIFSIGNALED (wstatus))
    return husk_err_set (err, 0, "%s: killed by signal %d (%s)", hook->origin.where,
                         WTERMSIG (wstatus), strsignal (WTERMSIG (wstatus)));
  return 0;
}

static int
hooks_run_where (const struct exec_hooks *h, enum husk_hook_kind kind, pid_t pid,
                 const struct hooks_where *where, struct husk_err *err)
{
  const struct husk_plan *plan = h->plan;

  for (size_t i = 0; i < plan->n_hooks; i++)
    if (plan->hooks[i].kind == kind && hook_run_one (h, &plan->hooks[i], pid, where, err) < 0)
      return -1;
  return 0;
}

/* The parent's hooks: in husk's own mount namespace (see the top). */
static int
hooks_runtime_ns (const struct exec_hooks *h, enum husk_hook_kind kind, struct hooks_where *w,
                  struct husk_err *err)
{
  *w = (struct hooks_where){ -1, -1, -1 };
  if (kind == HUSK_HOOK_START_CONTAINER)
    return 0;
  if (exec_joined_userns)
    for (size_t i = 0; i < h->plan->n_hooks; i++)
      if (h->plan->hooks[i].kind == kind)
        return husk_err_set (err, 0,
                             "%s: cannot run in the runtime namespace: husk joined a user "
                             "namespace, whose root could ptrace the hook",
                             h->plan->hooks[i].origin.where);
  if (!exec_joined_mntns)
    return 0;
  if (h->host_mntns < 0)
    return husk_err_set (err, EBADF, "hooks: husk's own mount namespace could not be opened");
  w->mntns_fd = h->host_mntns;
  w->cwd_fd = h->host_cwd;
  return 0;
}

int
hooks_run (const struct exec_hooks *h, enum husk_hook_kind kind, pid_t pid, struct husk_err *err)
{
  struct hooks_where here;

  if (!plan_has_hooks (h->plan, kind))
    return 0;
  if (hooks_runtime_ns (h, kind, &here, err) < 0)
    return -1;
  return hooks_run_where (h, kind, pid, &here, err);
}

/* The host path of the container's rootfs: the source of the bind op on
 * "/" (OCI's root.path), or NULL. */
static const char *
hooks_rootfs_path (const struct husk_plan *plan)
{
  const char *src = NULL;

  for (size_t i = 0; i < plan->n_ops; i++)
    if (plan->ops[i].kind == HUSK_OP_BIND && plan->ops[i].src != NULL
        && strcmp (plan->ops[i].dest, "/") == 0)
      src = plan->ops[i].src;
  return src;
}

/* Make the container's new root, with every mount of ops[], visible where
 * the host has the rootfs (root.path), in this mount namespace only (the
 * host's tree is a slave here: nothing propagates back), as runc shows it
 * to these hooks; return an fd of it for their working directory.  The
 * copy goes away with the host's root when the child pivots. */
static int
hooks_expose_root (const struct husk_plan *plan, int host_root_fd, int new_root_fd,
                   struct husk_err *err)
{
  const char *rootfs = hooks_rootfs_path (plan);
  cleanup_fd int target = -1;
  cleanup_fd int tree = -1;

  if (rootfs == NULL)
    return fcntl (new_root_fd, F_DUPFD_CLOEXEC, 3);
  target = path_open (host_root_fd, rootfs, 0);
  if (target < 0)
    return husk_err_sys (err, "hooks.createContainer: %s", rootfs);
  tree = open_tree (new_root_fd, "",
                    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
  if (tree >= 0)
    {
      if (move_mount (tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
        return husk_err_sys (err, "hooks.createContainer: show the new root at %s", rootfs);
    }
  else
    {
      /* Before Linux 5.2: by path (the host's rootfs path as seen here). */
      cleanup_free char *dst = xasprintf ("/oldroot%s", rootfs);

      if (mount ("/newroot", dst, NULL, MS_BIND | MS_REC, NULL) < 0)
        return husk_err_sys (err, "hooks.createContainer: show the new root at %s", rootfs);
    }
  husk_cleanup_closep (&target);
  target = path_open (host_root_fd, rootfs, 0);
  if (target < 0)
    return husk_err_sys (err, "hooks.createContainer: %s", rootfs);
  return steal_fd (&target);
}

int
hooks_run_create_container (const struct exec_hooks *h, int host_root_fd, int new_root_fd,
                            struct husk_err *err)
{
  cleanup_fd int cwd = hooks_expose_root (h->plan, host_root_fd, new_root_fd, err);
  struct hooks_where where = { -1, host_root_fd, cwd };

  if (cwd < 0)
    return -1;
  return hooks_run_where (h, HUSK_HOOK_CREATE_CONTAINER, getpid (), &where, err);
}

void
hooks_run_poststop (const struct exec_hooks *h)
{
  const struct husk_plan *plan = h->plan;
  struct hooks_where here;
  struct husk_err nserr = { 0 };

  if (!h->created || !plan_has_hooks (plan, HUSK_HOOK_POSTSTOP))
    return;
  if (hooks_runtime_ns (h, HUSK_HOOK_POSTSTOP, &here, &nserr) < 0)
    {
      char msg[HUSK_ERR_MSG_MAX + 256];

      husk_err_format (&nserr, msg, sizeof msg);
      husk_warn ("%s", msg);
      return;
    }
  for (size_t i = 0; i < plan->n_hooks; i++)
    {
      struct husk_err err = { 0 };
      char msg[HUSK_ERR_MSG_MAX + 256];

      if (plan->hooks[i].kind != HUSK_HOOK_POSTSTOP
          || hook_run_one (h, &plan->hooks[i], 0, &here, &err) == 0)
        continue;
      husk_err_format (&err, msg, sizeof msg);
      husk_warn ("%s", msg);
    }
}
