/* selfcheck.c: refuse to run from a privileged binary.
 *
 * husk is designed to run with the caller's own privileges only (it gets
 * what it needs from a user namespace).  Installed setuid, setgid or with
 * file capabilities it would hand an unprivileged caller root's power over
 * mounts and namespaces through options that were never reviewed for that
 * (the class of bug behind bwrap's setuid-mode CVEs).  So it checks itself
 * before anything else, and the check is cheap enough to do every time.
 *
 * Two views: AT_SECURE, set by the kernel when this execve changed the
 * effective ids or granted file capabilities; and the binary itself
 * (/proc/self/exe: mode bits and the security.capability xattr), which
 * also catches a setuid husk started by root, where AT_SECURE is 0.  When
 * /proc is missing only AT_SECURE is checked: it covers every actual gain.
 *
 * Must not: depend on the plan or anything parsed (main calls it first).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "exec/exec.h"
#include "lib/cleanup.h"

int
exec_check_self (struct husk_err *err)
{
  cleanup_fd int fd = -1;
  struct stat st;
  const char *what = NULL;

  if (getauxval (AT_SECURE) != 0)
    what = "it was started with elevated privileges (setuid, setgid or file capabilities)";
  else if ((fd = open ("/proc/self/exe", O_RDONLY | O_CLOEXEC)) >= 0)
    {
      /* One fstat serves both mode checks. */
      bool have_st = fstat (fd, &st) == 0;

      if (have_st && (st.st_mode & S_ISUID))
        what = "its binary is setuid";
      else if (have_st && (st.st_mode & S_ISGID) && (st.st_mode & S_IXGRP))
        what = "its binary is setgid";
      else if (fgetxattr (fd, "security.capability", NULL, 0) >= 0)
        what = "its binary has file capabilities";
    }
  if (what == NULL)
    return 0;
  return husk_err_set (err, 0,
                       "refusing to run: %s; husk must never be "
                       "installed setuid, setgid or with file capabilities",
                       what);
}
