/* pid1.c: the reaper that runs as pid 1 of a new pid namespace unless
 * --as-pid-1 is given.
 *
 * Orphans inside the namespace are re-parented to pid 1; without a reaper
 * they stay zombies forever.  The reaper waits for everything, and when the
 * program itself exits, exits with the program's status (128+signal when it
 * was killed); the kernel then kills whatever is left in the namespace.
 * It also passes the signals husk forwards on to the program (issue 6).
 *
 * Must not: keep any fd the program does not need (it closes the sync
 * socket so the parent sees EOF at the program's execve).
 */
#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec/exec_int.h"

static _Noreturn void
reap_until (pid_t main_pid)
{
  for (;;)
    {
      int st;
      pid_t pid = wait (&st);

      if (pid < 0)
        {
          if (errno == EINTR)
            continue;
          _exit (1);
        }
      if (pid == main_pid)
        _exit (exec_status_from_wait (st));
    }
}

int
pid1_fork_reaper (int sync_fd, const struct husk_plan *plan, const struct signals_fwd *sf,
                  struct husk_err *err)
{
  pid_t pid = fork ();

  if (pid < 0)
    return husk_err_sys (err, "fork the pid 1 reaper's child");
  if (pid == 0)
    {
      /* The program: dies if the reaper dies (which also ends the namespace). */
      if (plan->die_with_parent && prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
        return husk_err_sys (err, "--die-with-parent: prctl");
      return 0;
    }
  close (sync_fd);
  /* The reaper shares the program's uid and stays dumpable (tools such as
   * flatpak enter join the sandbox through /proc/<child-pid>/ns), so the
   * program can ptrace it and make it run syscalls: it gets the same
   * Landlock rules and seccomp filters as the program (including the
   * TIOCSTI/TIOCLINUX filter, CVE-2017-5226), no capabilities, and no
   * terminal fds to inject into.  A SCMP_ACT_NOTIFY program is loaded
   * without a listener here (the agent has the program's): the notified
   * syscalls fail with ENOSYS in the reaper. */
  if (caps_drop_everything (err) < 0 || landlock_apply (plan, err) < 0
      || seccomp_apply (plan, -1, err) < 0)
    {
      /* The program is already running: do not leave it reaper-less. */
      kill (pid, SIGKILL);
    }
  close (0);
  close (1);
  close (2);
  /* Signals husk passes on reach us, pid 1, which has no default action
   * for them: send them on to the program (issue 6, signals.c). */
  signals_reaper_relay (sf, pid);
  reap_until (pid);
}
