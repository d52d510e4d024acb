/* seccomp.c: load seccomp filters, last thing before execve: husk's
 * built-in terminal-injection filter, then the plan's programs in order.
 *
 * The built-in filter makes ioctl (fd, TIOCSTI, ...) and ioctl (fd,
 * TIOCLINUX, ...) fail with EPERM.  TIOCSTI pushes bytes into a terminal's
 * input queue: a sandboxed program sharing the caller's terminal could type
 * commands into the caller's shell once it exits (CVE-2017-5226 against
 * bwrap).  TIOCLINUX's paste subcommand does the same on a virtual console
 * and needs no controlling terminal (kernels before 6.7), so --new-session
 * (setsid) alone is not enough: the filter is always installed.
 *
 * Only the low 32 bits of the request are compared: the kernel truncates
 * the ioctl request to 32 bits, so TIOCSTI | (1 << 32) is still TIOCSTI
 * (the 64-bit bypass of naive filters).  Every ABI a process on this
 * kernel can call ioctl through is covered: on x86, x86-64 (nr 16), x32
 * (nr 514 and 16 with the x32 bit; same AUDIT_ARCH) and i386 (nr 54, also
 * reachable from a 64-bit process with int 0x80); on arm64, arm64 (29) and
 * 32-bit arm (54).  A call from any other arch is allowed: the kernel
 * offers none on these builds, and killing on an arch nobody reviewed
 * would break programs while adding nothing.  Since Linux 5.11 the kernel
 * caches "always allow" per syscall for such a filter, so it costs nothing
 * on syscalls other than ioctl.
 *
 * Issue 5: each program is loaded with its seccomp(2) flags (LOG,
 * SPEC_ALLOW, WAIT_KILLABLE_RECV; the prctl fallback only for a program
 * without flags).  The one using SCMP_ACT_NOTIFY is loaded with
 * NEW_LISTENER; the kernel returns the listener, which the child sends to
 * husk over the sync socket, then waits for husk's GO: husk (the parent,
 * on the host, with the caller's credentials) connects to listenerPath
 * and sends the runtime-spec's container process state with the listener
 * (seccomp_agent_send).  Waiting makes an agent that cannot be reached
 * husk's error before the program runs, never a program running without
 * its agent.  Only the sendmsg that hands the listener over runs while
 * nobody holds it, so the compiler refuses SCMP_ACT_NOTIFY for sendmsg
 * (and as the default action); what follows (recvmsg, close, later
 * programs' seccomp, execve) may be notified: the agent has it by then.
 *
 * Must not: run before no_new_privs is set (the kernel requires it, or
 * CAP_SYS_ADMIN, for an unprivileged filter) or before the last step that
 * needs a syscall a user filter could forbid.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/audit.h>
#include <stdbool.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec/exec.h"
#include "exec/exec_int.h"
#include "lib/cleanup.h"
#include "lib/seccomp_profile.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
_Static_assert(HUSK_SECCOMP_FLAG_LOG == SECCOMP_FILTER_FLAG_LOG, "flag value");
_Static_assert(HUSK_SECCOMP_FLAG_SPEC_ALLOW == SECCOMP_FILTER_FLAG_SPEC_ALLOW, "flag value");
_Static_assert(HUSK_SECCOMP_FLAG_NEW_LISTENER == SECCOMP_FILTER_FLAG_NEW_LISTENER, "flag value");
_Static_assert(HUSK_SECCOMP_FLAG_WAIT_KILLABLE_RECV == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
                "flag value");

#define LD_ABS(off)    BPF_STMT (BPF_LD | BPF_W | BPF_ABS, (off))
#define JEQ(k, jt, jf) BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, (k), (jt), (jf))
#define RET(k)         BPF_STMT (BPF_RET | BPF_K, (k))

#define OFF_ARCH offsetof (struct seccomp_data, arch)
#define OFF_NR   offsetof (struct seccomp_data, nr)
/* The low 32 bits of args[1], the ioctl request. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define OFF_REQ_LO offsetof (struct seccomp_data, args[1])
#else
#define OFF_REQ_LO (offsetof (struct seccomp_data, args[1]) + 4)
#endif

#define X32_BIT 0x40000000u

/* Jump offsets are relative to the next instruction; the comments give
 * the absolute targets.  ALLOW and EPERM are the last two. */
#if defined(__x86_64__) || defined(__i386__)
#define HAVE_TTY_FILTER 1
static const struct sock_filter tty_filter[] = {
  /* 0 */ LD_ABS (OFF_ARCH),
  /* 1 */ JEQ (AUDIT_ARCH_X86_64, 0, 4), /* -> 2, else 6 */
  /* 2 */ LD_ABS (OFF_NR),
  /* 3 */ JEQ (16, 5, 0),              /* x86-64 ioctl -> 9 */
  /* 4 */ JEQ (X32_BIT | 514, 4, 0),   /* x32 ioctl -> 9 */
  /* 5 */ JEQ (X32_BIT | 16, 3, 6),    /* -> 9, else 12 */
  /* 6 */ JEQ (AUDIT_ARCH_I386, 0, 5), /* -> 7, else 12 */
  /* 7 */ LD_ABS (OFF_NR),
  /* 8 */ JEQ (54, 0, 3), /* i386 ioctl -> 9, else 12 */
  /* 9 */ LD_ABS (OFF_REQ_LO),
  /* 10 */ JEQ (TIOCSTI, 2, 0),   /* -> 13 */
  /* 11 */ JEQ (TIOCLINUX, 1, 0), /* -> 13, else 12 */
  /* 12 */ RET (SECCOMP_RET_ALLOW),
  /* 13 */ RET (SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
};
#elif defined(__aarch64__) || defined(__arm__)
#define HAVE_TTY_FILTER 1
static const struct sock_filter tty_filter[] = {
  /* 0 */ LD_ABS (OFF_ARCH),
  /* 1 */ JEQ (AUDIT_ARCH_AARCH64, 0, 2), /* -> 2, else 4 */
  /* 2 */ LD_ABS (OFF_NR),
  /* 3 */ JEQ (29, 3, 6),             /* arm64 ioctl -> 7, else 10 */
  /* 4 */ JEQ (AUDIT_ARCH_ARM, 0, 5), /* -> 5, else 10 */
  /* 5 */ LD_ABS (OFF_NR),
  /* 6 */ JEQ (54, 0, 3), /* arm ioctl -> 7, else 10 */
  /* 7 */ LD_ABS (OFF_REQ_LO),
  /* 8 */ JEQ (TIOCSTI, 2, 0),   /* -> 11 */
  /* 9 */ JEQ (TIOCLINUX, 1, 0), /* -> 11, else 10 */
  /* 10 */ RET (SECCOMP_RET_ALLOW),
  /* 11 */ RET (SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
};
#else
/* No built-in filter on this architecture yet: --new-session is then the
 * only defence against TIOCSTI (see husk(1)). */
#define HAVE_TTY_FILTER 0
#endif

/* Issue 5: the runtime-spec's names of the flags, as in profiles. */
static const struct
{
  unsigned flag;
  const char *name;
} seccomp_flag_names[] = {
  { HUSK_SECCOMP_FLAG_LOG, "SECCOMP_FILTER_FLAG_LOG" },
  { HUSK_SECCOMP_FLAG_SPEC_ALLOW, "SECCOMP_FILTER_FLAG_SPEC_ALLOW" },
  { HUSK_SECCOMP_FLAG_NEW_LISTENER, "SCMP_ACT_NOTIFY (SECCOMP_FILTER_FLAG_NEW_LISTENER)" },
  { HUSK_SECCOMP_FLAG_WAIT_KILLABLE_RECV, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" },
};

/* The first of flags this kernel lacks, or NULL.  seccomp(2) checks the
 * flags before it reads the program, so a NULL program gets EFAULT for a
 * known flag and EINVAL for an unknown one (WAIT_KILLABLE_RECV is valid
 * only with NEW_LISTENER).  Nothing is loaded either way. */
static const char *
seccomp_flag_unsupported (unsigned flags)
{
  for (size_t i = 0; i < sizeof seccomp_flag_names / sizeof seccomp_flag_names[0]; i++)
    {
      unsigned probe = seccomp_flag_names[i].flag;

      if (!(flags & probe))
        continue;
      if (probe == HUSK_SECCOMP_FLAG_WAIT_KILLABLE_RECV)
        probe |= HUSK_SECCOMP_FLAG_NEW_LISTENER;
      if (syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, probe, NULL) < 0 && errno == EINVAL)
        return seccomp_flag_names[i].name;
    }
  return NULL;
}

/* The kernel said EINVAL to a program with flags: name the flag it lacks. */
static int
seccomp_flags_error (unsigned flags, const char *where, struct husk_err *err)
{
  const char *name = seccomp_flag_unsupported (flags);

  if (name != NULL)
    return husk_err_set (err, 0, "%s: %s is not supported by this kernel", where, name);
  return husk_err_set (err, EINVAL, "%s: the kernel rejected the seccomp program", where);
}

/* Phase 0 (issue 5): a flag the kernel lacks is an error before anything
 * starts (in the child it would also fail in the pid-1 reaper, which can
 * only kill the program). */
int
seccomp_check (const struct husk_plan *plan, struct husk_err *err)
{
  for (size_t i = 0; i < plan->n_seccomp; i++)
    {
      const char *name = seccomp_flag_unsupported (plan->seccomp[i].flags);

      if (name != NULL)
        return husk_err_set (err, 0, "%s: %s is not supported by this kernel",
                             plan->seccomp[i].origin.where, name);
    }
  return 0;
}

/* Load one program with flags; *listener gets the listener fd when flags
 * has NEW_LISTENER. */
static int
seccomp_load (const struct sock_filter *insns, size_t n_insns, unsigned flags, const char *where,
              int *listener, struct husk_err *err)
{
  struct sock_fprog prog
    = { .len = (unsigned short) n_insns, .filter = (struct sock_filter *) insns };
  long r = syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);

  if (r >= 0)
    {
      if (flags & HUSK_SECCOMP_FLAG_NEW_LISTENER)
        *listener = (int) r;
      return 0;
    }
  if (errno == EINVAL && flags != 0)
    return seccomp_flags_error (flags, where, err);
  if (errno == EINVAL)
    return husk_err_sys (err, "%s: the kernel rejected the seccomp program", where);
  /* has_duplicate_listener: husk itself runs under a filter with one. */
  if (errno == EBUSY && (flags & HUSK_SECCOMP_FLAG_NEW_LISTENER))
    return husk_err_sys (err, "%s: SCMP_ACT_NOTIFY: husk already runs under a seccomp filter "
                              "with a listener",
                         where);
  if (flags != 0)
    return husk_err_sys (err, "%s: cannot load the seccomp program (its flags need seccomp(2))",
                         where);
  /* seccomp(2) itself may be missing (ENOSYS) or forbidden by an earlier
   * program that still allows prctl(PR_SET_SECCOMP), which is what bwrap
   * documents as the requirement for stacking; try that way too. */
  if (prctl (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == 0)
    return 0;
  if (errno == EINVAL)
    return husk_err_sys (err, "%s: the kernel rejected the seccomp program", where);
  return husk_err_sys (err, "%s: cannot load the seccomp program", where);
}

/* Set once the built-in filter is loaded in this process; a fork
 * inherits both the filter and the flag. */
static bool tty_filter_loaded;

/* The built-in filter, early: just before the pid-1 reaper forks, so the
 * reaper and the program share one load instead of loading it each
 * (issue 9).  It only forbids two ioctls husk never makes, so nothing
 * husk still does before execve is affected, and it stays the oldest
 * filter: the plan's programs are still loaded after it, as before.
 * Without no_new_privs this needs CAP_SYS_ADMIN in the task's user
 * namespace; when the kernel refuses (or anything else fails), nothing
 * changes and seccomp_apply loads it in each process as usual. */
void
seccomp_load_builtin_early (void)
{
#if HAVE_TTY_FILTER
  struct husk_err ignored = { 0 };

  if (!tty_filter_loaded
      && seccomp_load (tty_filter, sizeof tty_filter / sizeof tty_filter[0], 0,
                       "built-in TIOCSTI/TIOCLINUX filter", NULL, &ignored)
         == 0)
    tty_filter_loaded = true;
#endif
}

/* Issue 5, child: hand the listener to the parent, wait for its GO. */
static int
seccomp_handoff (int sync_fd, int listener, const char *where, struct husk_err *err)
{
  enum sync_type type;
  int r = sync_send_fd (sync_fd, SYNC_SECCOMP, listener);

  close (listener);
  if (r < 0)
    return husk_err_sys (err, "%s: sending the seccomp listener to husk", where);
  /* EOF or anything else: husk failed (and says why) or died. */
  if (sync_recv (sync_fd, &type, NULL) != 1 || type != SYNC_GO)
    _exit (1);
  return 0;
}

/* The built-in filter, once (no_new_privs must be set): before anything
 * from the container runs in this process's stead (OCI startContainer
 * hooks, files of the rootfs that get husk's stderr, which may be the
 * caller's terminal), and in seccomp_apply. */
int
seccomp_load_builtin (struct husk_err *err)
{
#if HAVE_TTY_FILTER
  if (!tty_filter_loaded
      && seccomp_load (tty_filter, sizeof tty_filter / sizeof tty_filter[0], 0,
                       "built-in TIOCSTI/TIOCLINUX filter", NULL, err)
         < 0)
    return -1;
  tty_filter_loaded = true;
#else
  (void) err;
#endif
  return 0;
}

int
seccomp_apply (const struct husk_plan *plan, int sync_fd, struct husk_err *err)
{
  if (seccomp_load_builtin (err) < 0)
    return -1;
  for (size_t i = 0; i < plan->n_seccomp; i++)
    {
      const struct husk_seccomp *s = &plan->seccomp[i];
      unsigned flags = s->flags;
      int listener = -1;

      /* The reaper: no listener (the agent gets the program's). */
      if (sync_fd < 0)
        flags &= ~(HUSK_SECCOMP_FLAG_NEW_LISTENER | HUSK_SECCOMP_FLAG_WAIT_KILLABLE_RECV);
      if (seccomp_load ((const struct sock_filter *) (const void *) s->prog,
                        s->len / sizeof (struct sock_filter), flags, s->origin.where, &listener,
                        err)
          < 0)
        return -1;
      if (listener >= 0 && seccomp_handoff (sync_fd, listener, s->origin.where, err) < 0)
        return -1;
    }
  return 0;
}

/* ---- Issue 5: the parent's side of SCMP_ACT_NOTIFY ------------------- */

/* The runtime-spec's container process state ("seccomp state"): the
 * listener is fds[0], "seccompFd"; the state is the hooks' (hooks.c: the
 * id "husk-PID", the config's version, bundle and annotations).  Flag mode
 * has no config: version 1.2.0 (what --print-oci writes), the bundle is
 * husk's working directory. */
static char *
seccomp_state_json (const struct husk_plan *plan, pid_t pid, const char *id, const char *cwd)
{
  const struct husk_seccomp_agent *a = &plan->seccomp_agent;
  const char *version = plan->hook_oci_version && plan->hook_oci_version[0]
                          ? plan->hook_oci_version
                          : "1.2.0";
  json_t *ann = json_object (), *state, *msg;
  char *text;

  for (size_t i = 0; i < plan->n_annotations; i++)
    json_object_set_new (ann, plan->annotations[i].key, json_string (plan->annotations[i].value));
  state = json_pack ("{s:s, s:s, s:s, s:I, s:s, s:o}", "ociVersion", version, "id", id, "status",
                     "creating", "pid", (json_int_t) pid, "bundle",
                     plan->hook_bundle && plan->hook_bundle[0] ? plan->hook_bundle : cwd,
                     "annotations", ann);
  msg = json_pack ("{s:s, s:[s], s:I, s:o}", "ociVersion", version, "fds", "seccompFd", "pid",
                   (json_int_t) pid, "state", state);
  /* json_string is NULL for bytes that are not UTF-8: no state then. */
  if (msg != NULL && a->metadata != NULL
      && json_object_set_new (msg, "metadata", json_string (a->metadata)) < 0)
    {
      json_decref (msg);
      return NULL;
    }
  text = msg ? json_dumps (msg, JSON_COMPACT) : NULL;
  json_decref (msg);
  return text;
}

static int
seccomp_send_all (int sock, const char *text, int listener)
{
  size_t len = strlen (text), off = 0;
  union sync_fd_cmsg ctl;

  while (off < len)
    {
      struct iovec iov = { .iov_base = (char *) text + off, .iov_len = len - off };
      struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
      ssize_t n;

      /* The fd goes with the first sendmsg only (runtime-spec). */
      if (off == 0)
        sync_attach_fd (&mh, &ctl, listener);
      n = sendmsg (sock, &mh, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return -1;
      off += (size_t) n;
    }
  return 0;
}

/* Connect to addr and send text with the listener, after going back to
 * mntns and cwd when >= 0 (in a forked child: async-signal-safe calls
 * only).  r: {0, 0}, or the failing step (1..4) and its errno.  One state
 * per connection, closed after it (runtime-spec). */
static void
seccomp_agent_connect (const struct sockaddr_un *addr, const char *text, int listener, int mntns,
                       int cwd, int r[2])
{
  int sock;

  r[0] = r[1] = 0;
  if (mntns >= 0 && (setns (mntns, CLONE_NEWNS) < 0 || (cwd >= 0 && fchdir (cwd) < 0)))
    {
      r[0] = 1, r[1] = errno;
      return;
    }
  sock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    {
      r[0] = 2, r[1] = errno;
      return;
    }
  while (connect (sock, (const struct sockaddr *) addr, sizeof *addr) < 0)
    if (errno != EINTR)
      {
        r[0] = 3, r[1] = errno;
        close (sock);
        return;
      }
  if (seccomp_send_all (sock, text, listener) < 0)
    r[0] = 4, r[1] = errno;
  close (sock);
}

int
seccomp_agent_send (const struct husk_plan *plan, int listener, pid_t pid,
                    const struct exec_hooks *h, const char *cwd, struct husk_err *err)
{
  const struct husk_seccomp_agent *a = &plan->seccomp_agent;
  const char *where = a->origin.where ? a->origin.where : "listenerPath";
  cleanup_free char *text = NULL;
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  static const char *const steps[] = { "", "going back to husk's mount namespace", "socket",
                                       "connect", "sending the seccomp state to" };
  int r[2] = { 0, 0 }; /* step, errno */

  if (a->path == NULL || strlen (a->path) >= sizeof addr.sun_path)
    return husk_err_set (err, 0, "%s: no usable listenerPath", where);
  text = seccomp_state_json (plan, pid, h->id, cwd);
  if (text == NULL)
    return husk_err_set (err, 0, "%s: cannot write the container process state", where);
  memcpy (addr.sun_path, a->path, strlen (a->path));
  if (!exec_joined_mntns)
    seccomp_agent_connect (&addr, text, listener, -1, -1, r);
  else
    {
      /* The parent joined another mount namespace: listenerPath is the
       * runtime's (the host's), not one the joined namespace's owner
       * could put its own socket at, so connect from a child that went
       * back to husk's own namespace (a multithreaded parent cannot). */
      int pfd[2];
      pid_t child;
      ssize_t n;

      if (h->host_mntns < 0)
        return husk_err_set (err, EBADF, "%s: husk's own mount namespace could not be opened",
                             where);
      if (pipe2 (pfd, O_CLOEXEC) < 0)
        return husk_err_sys (err, "%s: pipe", where);
      child = fork ();
      if (child < 0)
        {
          close (pfd[0]);
          close (pfd[1]);
          return husk_err_sys (err, "%s: fork", where);
        }
      if (child == 0)
        {
          close (pfd[0]);
          seccomp_agent_connect (&addr, text, listener, h->host_mntns, h->host_cwd, r);
          n = write (pfd[1], r, sizeof r);
          _exit (n == (ssize_t) sizeof r ? 0 : 1);
        }
      close (pfd[1]);
      do
        n = read (pfd[0], r, sizeof r);
      while (n < 0 && errno == EINTR);
      close (pfd[0]);
      while (waitpid (child, NULL, 0) < 0 && errno == EINTR)
        ;
      if (n != (ssize_t) sizeof r)
        r[0] = 4, r[1] = EPIPE;
    }
  if (r[0] == 0)
    return 0;
  if (r[0] < 3)
    return husk_err_set (err, r[1], "%s: %s", where, steps[r[0]]);
  return husk_err_set (err, r[1], "%s: %s %s", where, steps[r[0]], a->path);
}

/* Seccomp profiles (issue 6): the front end compiled these on a cache miss
 * and must not write files; writing the cache is the executor's, in the
 * parent before clone.  Best effort: a read-only or foreign cache directory
 * only costs the next run a compile. */
void
seccomp_cache_store (const struct husk_plan *plan)
{
  for (size_t i = 0; i < plan->n_seccomp_store; i++)
    {
      const struct husk_seccomp_store *c = &plan->seccomp_store[i];

      struct seccomp_compiled sc = {
        .prog = (struct sock_filter *) (void *) c->prog,
        .n = c->len / sizeof (struct sock_filter),
        .flags = c->flags,
        .listener_path = c->listener_path,
        .listener_metadata = c->listener_metadata,
      };

      (void) seccomp_cache_write (c->path, c->key, &sc);
    }
}
