/* rlimits.c: the program's resource limits (--rlimit).
 *
 * The limits are set in the program's own process, after the sandbox is
 * built and the reaper forked (so a low nproc or nofile limit binds the
 * program, not husk's setup), and before the seccomp filters.  Raising a
 * hard limit needs CAP_SYS_RESOURCE in the initial user namespace, which the
 * child never has once it is in a new user namespace: the parent raises its
 * own hard limit first (only root can), and the child inherits it.
 *
 * Must not: print.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/resource.h>

#include "exec/exec_int.h"

static rlim_t
rlimits_value (uint64_t v)
{
  return v == HUSK_RLIM_INFINITY ? RLIM_INFINITY : (rlim_t) v;
}

/* What `r` asks for, given the current limits: an omitted hard limit stays,
 * an omitted soft limit stays too but not above the new hard one. */
static void
rlimits_want (const struct husk_rlimit *r, const struct rlimit *cur, struct rlimit *want)
{
  want->rlim_max = r->has_hard ? rlimits_value (r->hard) : cur->rlim_max;
  want->rlim_cur = r->has_soft ? rlimits_value (r->soft) : cur->rlim_cur;
  if (!r->has_soft && want->rlim_cur > want->rlim_max)
    want->rlim_cur = want->rlim_max;
}

static int
rlimits_describe (char *buf, size_t len, rlim_t v)
{
  if (v == RLIM_INFINITY)
    return snprintf (buf, len, "unlimited");
  return snprintf (buf, len, "%" PRIuMAX, (uintmax_t) v);
}

/* The highest nofile limit the kernel allows anyone (fs.nr_open). */
static rlim_t
rlimits_nr_open (void)
{
  FILE *f = fopen ("/proc/sys/fs/nr_open", "re");
  uintmax_t v = 0;

  if (f == NULL)
    return RLIM_INFINITY;
  if (fscanf (f, "%ju", &v) != 1)
    v = RLIM_INFINITY;
  fclose (f);
  return (rlim_t) v;
}

int
rlimits_parent_prepare (const struct husk_plan *plan, struct husk_err *err)
{
  for (size_t i = 0; i < plan->n_rlimits; i++)
    {
      const struct husk_rlimit *r = &plan->rlimits[i];
      struct rlimit cur, want;
      char hard[32];

      if (getrlimit (r->resource, &cur) < 0)
        return husk_err_sys (err, "%s: getrlimit", r->origin.where);
      rlimits_want (r, &cur, &want);
      rlimits_describe (hard, sizeof hard, want.rlim_max);
      if (want.rlim_cur > want.rlim_max)
        return husk_err_set (err, 0, "%s: soft limit above the hard limit (%s)", r->origin.where,
                             hard);
      if (want.rlim_max <= cur.rlim_max)
        continue;
      cur.rlim_max = want.rlim_max;
      if (setrlimit (r->resource, &cur) < 0)
        {
          int e = errno;

          husk_err_set (err, e, "%s: cannot raise the hard limit to %s", r->origin.where, hard);
          if (e == EPERM && r->resource == RLIMIT_NOFILE && want.rlim_max > rlimits_nr_open ())
            husk_err_hint (err, "the kernel's maximum is sysctl fs.nr_open (%" PRIuMAX ")",
                           (uintmax_t) rlimits_nr_open ());
          else if (e == EPERM)
            husk_err_hint (err, "raising a hard limit needs CAP_SYS_RESOURCE (root)");
          return -1;
        }
    }
  return 0;
}

int
rlimits_apply (const struct husk_plan *plan, struct husk_err *err)
{
  for (size_t i = 0; i < plan->n_rlimits; i++)
    {
      const struct husk_rlimit *r = &plan->rlimits[i];
      struct rlimit cur, want;

      if (getrlimit (r->resource, &cur) < 0)
        return husk_err_sys (err, "%s: getrlimit", r->origin.where);
      rlimits_want (r, &cur, &want);
      if (setrlimit (r->resource, &want) < 0)
        return husk_err_sys (err, "%s: setrlimit", r->origin.where);
    }
  return 0;
}
