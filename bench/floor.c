/* The kernel floor for a sandbox start: the least any launcher must do.
 *
 * clone(2) into new user, mount, pid, net, ipc and uts namespaces; the parent
 * writes the id maps (setgroups deny, uid/gid mapped to themselves); the child
 * waits for that, then execs the program (default /bin/true); the parent waits
 * and exits with the child's status.  No mounts, no pivot_root, no reaper: the
 * cost of everything else a launcher does is measured against this.
 *
 * Usage: floor [PROGRAM [ARGS...]] */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void
die (const char *what)
{
  fprintf (stderr, "floor: %s: %s\n", what, strerror (errno));
  exit (1);
}

static void
write_file (const char *path, const char *buf)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    die (path);
  size_t n = strlen (buf);
  if (write (fd, buf, n) != (ssize_t) n)
    die (path);
  close (fd);
}

int
main (int argc, char **argv)
{
  static char *const default_argv[] = { "/bin/true", NULL };
  char *const *prog = argc > 1 ? argv + 1 : default_argv;
  int go[2];
  char path[64], map[64];

  if (pipe2 (go, O_CLOEXEC) < 0)
    die ("pipe2");

  uid_t uid = getuid ();
  gid_t gid = getgid ();

  /* Raw clone: fork semantics, no stack to manage. */
  pid_t pid = (pid_t) syscall (SYS_clone,
                               (unsigned long) (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID
                                                | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
                                                | SIGCHLD),
                               NULL, NULL, NULL, NULL);
  if (pid < 0)
    die ("clone");

  if (pid == 0)
    {
      char c;
      close (go[1]);
      if (read (go[0], &c, 1) != 1)
        _exit (127);
      execv (prog[0], prog);
      fprintf (stderr, "floor: exec %s: %s\n", prog[0], strerror (errno));
      _exit (127);
    }

  close (go[0]);
  snprintf (path, sizeof path, "/proc/%d/setgroups", (int) pid);
  write_file (path, "deny");
  snprintf (path, sizeof path, "/proc/%d/uid_map", (int) pid);
  snprintf (map, sizeof map, "%u %u 1\n", (unsigned) uid, (unsigned) uid);
  write_file (path, map);
  snprintf (path, sizeof path, "/proc/%d/gid_map", (int) pid);
  snprintf (map, sizeof map, "%u %u 1\n", (unsigned) gid, (unsigned) gid);
  write_file (path, map);
  if (write (go[1], "x", 1) != 1)
    die ("write");
  close (go[1]);

  int status;
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      die ("waitpid");
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return WEXITSTATUS (status);
}
