/* caps.c: leave the sandboxed program with no capabilities at all and with
 * no_new_privs set.
 *
 * Clearing the bounding set matters even for a non-root uid: without it a
 * setuid-root or file-capability binary reachable inside could regain
 * capabilities on execve.  no_new_privs stops setuid/setgid and file caps
 * from granting anything on execve (and is required for unprivileged
 * seccomp filters later).
 *
 * Must not: be called before the filesystem setup is complete.
 */
#include <errno.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "exec/exec_int.h"

int
caps_drop_all (struct husk_err *err)
{
  cap_t empty;
  int last = (int) cap_max_bits () - 1;

  /* Ambient first: they would otherwise survive into the program. */
  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return husk_err_sys (err, "clear ambient capabilities");

  for (int cap = 0; cap <= last; cap++)
    if (prctl (PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
      return husk_err_sys (err, "drop capability %d from the bounding set", cap);

  empty = cap_init ();
  if (!empty)
    return husk_err_sys (err, "cap_init");
  if (cap_set_proc (empty) < 0)
    {
      int saved = errno;
      cap_free (empty);
      errno = saved;
      return husk_err_sys (err, "drop capabilities");
    }
  cap_free (empty);

  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return husk_err_sys (err, "set no_new_privs");
  return 0;
}
