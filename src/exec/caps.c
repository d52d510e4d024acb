/* caps.c: leave the sandboxed program with exactly the capabilities the
 * plan keeps (none unless --cap-add) and with no_new_privs set.
 *
 * The kept set K (the plan's set, limited to what husk holds at this point:
 * everything in a new user namespace, root's set as real root) goes into
 * the permitted, effective and bounding sets; every other capability leaves
 * the bounding set too, so that a setuid-root or file-capability binary
 * reachable inside cannot regain it on execve.  For uid 0 inside, execve
 * keeps K through the bounding set (root's rule), and inheritable and
 * ambient stay empty.  For any other uid execve would drop everything, so
 * K is also raised as ambient (which needs it inheritable), as bwrap does:
 * that is the only way --cap-add can mean anything for a non-root uid.
 *
 * no_new_privs stops setuid/setgid bits and file capabilities from granting
 * anything on execve, and lets an unprivileged process load seccomp filters.
 *
 * Must not: be called before the filesystem and credential setup is
 * complete (dropping CAP_SYS_ADMIN ends mounting).
 */
#include <errno.h>
#include <stdint.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "exec/exec_int.h"

/* Bounding-set bits this process (or the one it was forked from) already
 * dropped: caps_drop_bounding runs once before the pid-1 reaper forks, so
 * the reaper and the program do not both make the same ~40 prctl calls
 * (each one a prepare_creds/commit_creds in the kernel; issue 9). */
static uint64_t bset_dropped;

static int
caps_drop_bset (int last, uint64_t keep, struct husk_err *err)
{
  for (int cap = 0; cap <= last; cap++)
    {
      uint64_t bit = UINT64_C (1) << cap;

      if ((keep & bit) || (bset_dropped & bit))
        continue;
      if (prctl (PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
        return husk_err_sys (err, "drop capability %d from the bounding set", cap);
      bset_dropped |= bit;
    }
  return 0;
}

static int
caps_last (void)
{
  int last = (int) cap_max_bits () - 1;

  return last > 63 ? 63 : last;
}

/* The capabilities husk holds now (permitted), as a bit mask. */
static int
caps_held (int last, uint64_t *held, struct husk_err *err)
{
  cap_t cur = cap_get_proc ();

  if (cur == NULL)
    return husk_err_sys (err, "read capabilities");
  *held = 0;
  for (int cap = 0; cap <= last; cap++)
    {
      cap_flag_value_t v = CAP_CLEAR;

      if (cap_get_flag (cur, (cap_value_t) cap, CAP_PERMITTED, &v) == 0 && v == CAP_SET)
        *held |= UINT64_C (1) << cap;
    }
  cap_free (cur);
  return 0;
}

static int
caps_set_proc (int last, uint64_t keep, bool inheritable, struct husk_err *err)
{
  cap_t c = cap_init ();
  int r = 0;

  if (c == NULL)
    return husk_err_sys (err, "cap_init");
  for (int i = 0; i <= last && r == 0; i++)
    {
      cap_value_t cap = (cap_value_t) i;

      if (!((keep >> i) & 1))
        continue;
      r = cap_set_flag (c, CAP_PERMITTED, 1, &cap, CAP_SET);
      if (r == 0)
        r = cap_set_flag (c, CAP_EFFECTIVE, 1, &cap, CAP_SET);
      if (r == 0 && inheritable)
        r = cap_set_flag (c, CAP_INHERITABLE, 1, &cap, CAP_SET);
    }
  if (r == 0)
    r = cap_set_proc (c);
  if (r < 0)
    {
      int saved = errno;
      cap_free (c);
      errno = saved;
      return husk_err_sys (err, "set capabilities");
    }
  cap_free (c);
  return 0;
}

/* Before the reaper forks: drop from the bounding set everything the plan
 * does not keep, for both processes at once.  Only the bounding set: it
 * limits what an execve can gain, and nothing before caps_apply execs. */
int
caps_drop_bounding (const struct husk_plan *plan, struct husk_err *err)
{
  return caps_drop_bset (caps_last (), plan->has_caps ? plan->caps : 0, err);
}

int
caps_apply (const struct husk_plan *plan, struct husk_err *err)
{
  int last = caps_last ();
  uint64_t keep = plan->has_caps ? plan->caps : 0;
  uint64_t held = 0;
  bool ambient;

  /* ALL means every capability husk holds; a named one husk lacks (as
   * real root in a container that dropped it) is skipped, as in bwrap. */
  if (keep != 0)
    {
      if (caps_held (last, &held, err) < 0)
        return -1;
      keep &= held;
    }
  ambient = keep != 0 && getuid () != 0;

  /* Ambient first: they would otherwise survive into the program. */
  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return husk_err_sys (err, "clear ambient capabilities");

  if (caps_drop_bset (last, keep, err) < 0)
    return -1;

  if (caps_set_proc (last, keep, ambient, err) < 0)
    return -1;

  for (int cap = 0; ambient && cap <= last; cap++)
    if (((keep >> cap) & 1) && prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
      return husk_err_sys (err, "raise ambient capability %d", cap);

  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return husk_err_sys (err, "set no_new_privs");
  return 0;
}

/* For processes that stay inside the sandbox but never exec (the pid-1
 * reaper): nothing in any set, bounding included, and no_new_privs.  A
 * compromised program could otherwise ptrace its reaper (same uid) and
 * borrow the reaper's full capabilities over the sandbox's namespaces. */
int
caps_drop_everything (struct husk_err *err)
{
  int last = caps_last ();

  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return husk_err_sys (err, "clear ambient capabilities");
  if (caps_drop_bset (last, 0, err) < 0)
    return -1;
  if (caps_set_proc (last, 0, false, err) < 0)
    return -1;
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return husk_err_sys (err, "set no_new_privs");
  return 0;
}
