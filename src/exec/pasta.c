/* pasta.c: --net pasta: connect the sandbox's new network namespace to the
 * host's network through pasta (passt's namespace mode), without root and
 * without sharing the host's network namespace.
 *
 * Parent, phase 1, after the id maps and before GO: run
 *   pasta --config-net --quiet --netns /proc/self/fd/NET
 *         [--userns /proc/self/fd/USER] [--runas UID:GID]
 *         --pid /proc/self/fd/PIPE [ARGS...]
 * pasta joins the namespaces, configures a tap interface (addresses and
 * routes copied from the host's), then forks into the background: its
 * launcher exits 0 only once the interface is up, which is the moment the
 * sandbox may start.  The daemon's pid arrives through the pipe given as the
 * pid file; the parent signals it (through a pidfd, never a recycled pid)
 * when the sandbox ends.  As root, pasta would switch to "nobody" before
 * opening the namespaces and fail, so it is told to stay the caller's uid.
 *
 * Must not: configure anything itself, or leave pasta running after the
 * sandbox ends (when husk is killed with SIGKILL, pasta outlives it until
 * the namespace is gone: a known limit).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec/exec_int.h"
#include "lib/cleanup.h"
#include "lib/xalloc.h"

#define PASTA_FIXED_ARGS 14

/* pasta's argv; the namespaces are fds husk opened, passed as
 * /proc/self/fd/N: pasta drops its capabilities before it opens them, and
 * could then not open a root sandbox's /proc/PID/ns/net (the ptrace check
 * wants the opener's capabilities to cover the target's). */
static _Noreturn void
pasta_exec (const struct husk_plan *plan, int netns_fd, int userns_fd, int pidfile_fd)
{
  cleanup_free char **argv = xcalloc (PASTA_FIXED_ARGS + plan->n_pasta_args + 1, sizeof *argv);
  char net[64], user[64], pidfile[64], runas[64];
  size_t n = 0;
  int devnull = open ("/dev/null", O_RDWR | O_CLOEXEC);

  /* pasta opens the /proc/self/fd paths below itself: not in a mount
   * namespace the config joined, whose /proc is its owner's.  Root goes
   * back to its own (or pasta does not run); an unprivileged caller that
   * joined a user namespace too cannot, and risks only its own rights. */
  if (hostproc_host_mntns () >= 0 && setns (hostproc_host_mntns (), CLONE_NEWNS) < 0
      && geteuid () == 0)
    _exit (126);
  snprintf (net, sizeof net, "/proc/self/fd/%d", netns_fd);
  snprintf (user, sizeof user, "/proc/self/fd/%d", userns_fd);
  snprintf (pidfile, sizeof pidfile, "/proc/self/fd/%d", pidfile_fd);
  snprintf (runas, sizeof runas, "%ld:%ld", (long) geteuid (), (long) getegid ());
  argv[n++] = (char *) "pasta";
  argv[n++] = (char *) "--config-net";
  argv[n++] = (char *) "--quiet";
  argv[n++] = (char *) "--netns";
  argv[n++] = net;
  if (userns_fd >= 0)
    {
      argv[n++] = (char *) "--userns";
      argv[n++] = user;
    }
  if (geteuid () == 0)
    {
      argv[n++] = (char *) "--runas";
      argv[n++] = runas;
    }
  argv[n++] = (char *) "--pid";
  argv[n++] = pidfile;
  for (size_t i = 0; i < plan->n_pasta_args; i++)
    argv[n++] = plan->pasta_args[i];
  if (fcntl (pidfile_fd, F_SETFD, 0) < 0 || fcntl (netns_fd, F_SETFD, 0) < 0
      || (userns_fd >= 0 && fcntl (userns_fd, F_SETFD, 0) < 0))
    _exit (126);
  if (devnull >= 0)
    dup2 (devnull, 0), dup2 (devnull, 1);
  execvp ("pasta", argv);
  _exit (errno == ENOENT ? 127 : 126);
}

/* Whether the child's user namespace differs from husk's (a new one, or
 * one joined with --userns): pasta must then join it first. */
static bool
pasta_other_userns (pid_t pid)
{
  struct stat self, child;
  cleanup_fd int a = hostproc_open_ns (getpid (), "user");
  cleanup_fd int b = hostproc_open_ns (pid, "user");

  if (a < 0 || b < 0 || fstat (a, &self) < 0 || fstat (b, &child) < 0)
    return true;
  return self.st_dev != child.st_dev || self.st_ino != child.st_ino;
}

int
pasta_start (const struct husk_plan *plan, pid_t pid, struct exec_pasta *p, struct husk_err *err)
{
  const char *where = plan->net_origin.where ? plan->net_origin.where : "--net pasta";
  cleanup_fd int rd = -1;
  cleanup_fd int netns = -1;
  cleanup_fd int userns = -1;
  char path[64];
  int fds[2], wstatus;
  char buf[32];
  ssize_t n;
  pid_t launcher;

  p->pid = -1;
  p->pidfd = -1;
  if (!plan->pasta)
    return 0;
  snprintf (path, sizeof path, "/proc/%ld/ns/net", (long) pid);
  netns = hostproc_open_ns (pid, "net");
  if (netns < 0)
    return husk_err_sys (err, "%s: open %s", where, path);
  if (pasta_other_userns (pid))
    {
      snprintf (path, sizeof path, "/proc/%ld/ns/user", (long) pid);
      userns = hostproc_open_ns (pid, "user");
      if (userns < 0)
        return husk_err_sys (err, "%s: open %s", where, path);
    }
  if (pipe2 (fds, O_CLOEXEC | O_NONBLOCK) < 0)
    return husk_err_sys (err, "%s: pipe", where);
  rd = fds[0];
  launcher = fork ();
  if (launcher < 0)
    {
      close (fds[1]);
      return husk_err_sys (err, "%s: fork", where);
    }
  if (launcher == 0)
    pasta_exec (plan, netns, userns, fds[1]);
  close (fds[1]);
  while (waitpid (launcher, &wstatus, 0) < 0)
    if (errno != EINTR)
      return husk_err_sys (err, "%s: waitpid", where);
  if (WIFEXITED (wstatus) && WEXITSTATUS (wstatus) == 127)
    return husk_err_set (err, ENOENT, "%s: cannot run pasta (Debian package passt)", where);
  if (!WIFEXITED (wstatus) || WEXITSTATUS (wstatus) != 0)
    return husk_err_set (err, 0, "%s: pasta failed to set up the network (status %d)", where,
                         exec_status_from_wait (wstatus));
  n = read (rd, buf, sizeof buf - 1);
  if (n > 0)
    {
      buf[n] = '\0';
      p->pid = (pid_t) strtol (buf, NULL, 10);
      p->pidfd = p->pid > 0 ? (int) syscall (SYS_pidfd_open, p->pid, 0) : -1;
    }
  return 0;
}

void
pasta_stop (struct exec_pasta *p)
{
  if (p->pidfd >= 0)
    {
      syscall (SYS_pidfd_send_signal, p->pidfd, SIGTERM, NULL, 0);
      close (p->pidfd);
    }
  else if (p->pid > 0)
    kill (p->pid, SIGTERM);
  p->pidfd = -1;
  p->pid = -1;
}
