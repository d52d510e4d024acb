/* signals.c: passing signals sent to husk on to the sandboxed program
 * (bwrap issue #369), unless --no-forward-signals.
 *
 * The signals: SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH.
 *   parent   before clone: handlers that write {signo, si_code} to a
 *            self-pipe, and the signals blocked so that the child starts
 *            with them blocked; after clone they are unblocked again.  While
 *            it waits, the parent polls the pipe and sends each signal to its
 *            child (the program, or the pid-1 reaper).
 *   child    first thing: the caller's dispositions back, the signals still
 *            blocked.  A pid namespace's init drops a signal it has no handler
 *            for, but a blocked one stays pending: nothing sent during setup
 *            is lost.
 *   reaper   installs handlers that send each signal on to the program, then
 *            unblocks (pid1.c).
 *   program  unblocks (the caller's mask) right before the seccomp filters,
 *            which might forbid rt_sigprocmask; pending signals then act.
 *
 * With --pty (issue 6) the program is on a pty of its own: SIGWINCH is not
 * sent on but copies husk's terminal's window size to the pty (pty.c).
 *
 * Not twice: the terminal sends ^C, ^\, a hangup or a window size change to
 * the whole foreground process group (si_code SI_KERNEL).  When the program
 * is in the group that got it (no --new-session, the program did not move),
 * it has its own copy already; husk and the reaper then pass on only signals
 * sent to them alone.  A signal a user sends to the whole group with kill(1)
 * (SI_USER) cannot be told apart from one sent to husk alone and is passed
 * on: the program may then see it twice.
 *
 * husk itself never dies of these signals while forwarding: it waits for the
 * program and exits with its status (128+N when signal N killed it).
 * Signals the caller had ignored (nohup's SIGHUP, a background job's SIGINT)
 * stay ignored and are not passed on.
 *
 * Must not: print; do anything in a handler but async-signal-safe calls.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec/exec_int.h"

static const int signals_forwarded[SIGNALS_N] = {
  SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH,
};

struct signals_msg
{
  int signo;
  int code;
};

static int signals_pipe_w = -1;             /* the parent's handler writes here */
static volatile pid_t signals_relay_to = 0; /* the reaper's handler sends here */

static void
signals_to_pipe (int sig, siginfo_t *si, void *uc)
{
  struct signals_msg m = { sig, si ? si->si_code : SI_USER };
  int saved = errno;

  (void) uc;
  /* At most PIPE_BUF bytes: written whole or not at all (pipe full). */
  (void) !write (signals_pipe_w, &m, sizeof m);
  errno = saved;
}

/* Should a signal with this si_code, received by us, be sent on to
 * `target`?  Not when the kernel sent it to our process group and target
 * is in that group: target got it too. */
static bool
signals_wanted (int code, pid_t target)
{
  if (code != SI_KERNEL)
    return true;
  return (pid_t) syscall (SYS_getpgid, target) != (pid_t) syscall (SYS_getpgid, 0);
}

static void
signals_relay (int sig, siginfo_t *si, void *uc)
{
  int saved = errno;
  pid_t to = signals_relay_to;

  (void) uc;
  if (to > 0 && signals_wanted (si ? si->si_code : SI_USER, to))
    kill (to, sig);
  errno = saved;
}

static void
signals_set (sigset_t *set)
{
  sigemptyset (set);
  for (size_t i = 0; i < SIGNALS_N; i++)
    sigaddset (set, signals_forwarded[i]);
}

int
signals_parent_prepare (const struct husk_plan *plan, struct signals_fwd *sf, struct husk_err *err)
{
  struct sigaction sa = { .sa_sigaction = signals_to_pipe, .sa_flags = SA_SIGINFO | SA_RESTART };
  sigset_t set;

  memset (sf, 0, sizeof *sf);
  sf->pipe[0] = sf->pipe[1] = sf->pty_master = -1;
  if (plan->no_forward_signals)
    return 0;
  if (pipe2 (sf->pipe, O_CLOEXEC | O_NONBLOCK) < 0)
    return husk_err_sys (err, "signal forwarding: pipe");
  sf->on = true;
  signals_pipe_w = sf->pipe[1];
  signals_set (&set);
  sigprocmask (SIG_BLOCK, &set, &sf->old_mask);
  sigfillset (&sa.sa_mask);
  /* One call each sets the handler and returns the caller's disposition
   * (issue 9).  An ignored signal gets its SIG_IGN back at once; it is
   * blocked meanwhile, and setting SIG_IGN discards it if it came. */
  for (size_t i = 0; i < SIGNALS_N; i++)
    {
      sigaction (signals_forwarded[i], &sa, &sf->old_act[i]);
      sf->ignored[i] = sf->old_act[i].sa_handler == SIG_IGN;
      if (sf->ignored[i])
        sigaction (signals_forwarded[i], &sf->old_act[i], NULL);
    }
  /* The child's end wakes the wait up. */
  sigaction (SIGCHLD, &sa, &sf->old_chld);
  return 0;
}

void
signals_parent_started (struct signals_fwd *sf)
{
  if (sf->on)
    sigprocmask (SIG_SETMASK, &sf->old_mask, NULL);
}

/* The handlers as they were before signals_parent_start, and the
 * self-pipe closed. */
static void
signals_restore (struct signals_fwd *sf)
{
  for (size_t i = 0; i < SIGNALS_N; i++)
    if (!sf->ignored[i])
      sigaction (signals_forwarded[i], &sf->old_act[i], NULL);
  sigaction (SIGCHLD, &sf->old_chld, NULL);
  close (sf->pipe[0]);
  close (sf->pipe[1]);
  sf->pipe[0] = sf->pipe[1] = signals_pipe_w = -1;
}

void
signals_parent_finish (struct signals_fwd *sf)
{
  if (!sf->on)
    return;
  signals_restore (sf);
  sf->on = false;
}

/* Still "on" after it: the child later restores the mask
 * (signals_child_unblock) and its reaper may relay (signals_reaper_relay). */
void
signals_child_start (struct signals_fwd *sf)
{
  if (sf->on)
    signals_restore (sf);
}

void
signals_child_unblock (const struct signals_fwd *sf)
{
  if (sf->on)
    sigprocmask (SIG_SETMASK, &sf->old_mask, NULL);
}

void
signals_reaper_relay (const struct signals_fwd *sf, pid_t program)
{
  struct sigaction sa = { .sa_sigaction = signals_relay, .sa_flags = SA_SIGINFO | SA_RESTART };

  if (!sf->on)
    return;
  signals_relay_to = program;
  sigfillset (&sa.sa_mask);
  for (size_t i = 0; i < SIGNALS_N; i++)
    if (!sf->ignored[i])
      sigaction (signals_forwarded[i], &sa, NULL);
  sigprocmask (SIG_SETMASK, &sf->old_mask, NULL);
}

/* Send on everything in the pipe; `pid` is not reaped yet, so it cannot
 * have been reused.  With --pty the program's terminal is the pty, not
 * husk's: a window size change becomes a resize of the pty, and the kernel
 * signals the pty's foreground process group itself. */
static void
signals_drain (struct signals_fwd *sf, pid_t pid)
{
  struct signals_msg m;

  while (read (sf->pipe[0], &m, sizeof m) == (ssize_t) sizeof m)
    if (m.signo == SIGWINCH && sf->pty_master >= 0)
      pty_resize (sf->pty_master);
    else if (m.signo != SIGCHLD && signals_wanted (m.code, pid))
      kill (pid, m.signo);
}

int
signals_wait_readable (struct signals_fwd *sf, int fd, pid_t pid)
{
  if (!sf->on)
    return 0;
  for (;;)
    {
      struct pollfd p[2]
        = { { .fd = fd, .events = POLLIN }, { .fd = sf->pipe[0], .events = POLLIN } };

      if (poll (p, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return -1;
        }
      if (p[1].revents)
        signals_drain (sf, pid);
      if (p[0].revents)
        return 0;
    }
}

int
signals_waitpid (struct signals_fwd *sf, pid_t pid, int *wstatus, struct rusage *ru)
{
  for (;;)
    {
      pid_t r = wait4 (pid, wstatus, sf->on ? WNOHANG : 0, ru);
      struct pollfd p = { .fd = sf->pipe[0], .events = POLLIN };

      if (r == pid)
        return 0;
      if (r < 0 && errno != EINTR)
        return -1;
      if (r != 0)
        continue;
      /* Still running: SIGCHLD writes to the pipe too. */
      if (poll (&p, 1, -1) < 0 && errno != EINTR)
        return -1;
      signals_drain (sf, pid);
    }
}
