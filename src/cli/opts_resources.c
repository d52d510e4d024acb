/* opts_resources.c: handlers for the issue-6 resource options: seccomp
 * profiles (--seccomp-profile), cgroup v2 limits (--memory-max, --pids-max,
 * --cpu-max, --io-weight) and the network mode (--net).
 *
 * --seccomp-profile reads the profile file (reading input is the one
 * syscall a front end may make) and compiles it with libseccomp
 * (src/lib/seccomp_profile.c), or takes the compiled program from the
 * user's cache.  A program compiled on a cache miss is also recorded in
 * plan->seccomp_store: the executor writes the cache entry (phase 0), so
 * parsing and --print-plan never write anything.  Profile programs are
 * stacked like --add-seccomp-fd, in command-line order among them, and like
 * it cannot be combined with --seccomp (bwrap's rule).
 *
 * Must not: create cgroups, start pasta, or write the seccomp cache.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_int.h"
#include "lib/cleanup.h"
#include "lib/parse.h"
#include "lib/seccomp_profile.h"
#include "lib/xalloc.h"

_Static_assert(HUSK_SECCOMP_KEY_LEN == SHA256_LEN, "cache key size");
_Static_assert(HUSK_SECCOMP_INSN_SIZE == sizeof (struct sock_filter), "sock_filter size");

/* Issue 5: a profile with SCMP_ACT_NOTIFY names the agent that gets its
 * listener; in flag mode the state has no bundle (the executor says
 * husk's working directory) and no annotations. */
static int
resources_seccomp_agent (struct cli_state *st, struct seccomp_compiled *c, struct husk_err *err)
{
  struct husk_seccomp_agent *a = &st->plan->seccomp_agent;

  if (c->listener_path == NULL)
    return 0;
  for (size_t i = 0; i < st->plan->n_seccomp; i++)
    if (st->plan->seccomp[i].flags & HUSK_SECCOMP_FLAG_NEW_LISTENER)
      return husk_err_set (err, 0,
                           "%s: SCMP_ACT_NOTIFY in a second seccomp profile (%s has one; the "
                           "kernel allows one listener)",
                           st->origin.where, st->plan->seccomp[i].origin.where);
  a->path = steal_pointer (&c->listener_path);
  a->metadata = steal_pointer (&c->listener_metadata);
  a->origin = origin_make (st->origin.argi, "%s: listenerPath", st->origin.where);
  return 0;
}

int
cli_opt_seccomp_profile (struct cli_state *st, char **args, struct husk_err *err)
{
  struct husk_plan *plan = st->plan;
  cleanup_free char *path = NULL;
  cleanup_free char *cache_path = NULL;
  struct seccomp_compiled c = { 0 };
  unsigned char key[SHA256_LEN];

  if (plan->n_seccomp > 0 && plan->seccomp[0].replaceable)
    return husk_err_set (err, 0, "%s: cannot be combined with %s", st->origin.where,
                         plan->seccomp[0].origin.where);
  path = seccomp_profile_resolve (args[0]);
  if (seccomp_profile_load (path, st->origin.where, &c, key, &cache_path, err) < 0)
    return -1;
  if (cache_path != NULL)
    plan_add_seccomp_store (plan, cache_path, key, c.prog, c.n * sizeof *c.prog, c.flags,
                            c.listener_path, c.listener_metadata);
  if (resources_seccomp_agent (st, &c, err) < 0)
    {
      seccomp_compiled_free (&c);
      return -1;
    }
  plan_add_seccomp (plan, c.prog, c.n * HUSK_SECCOMP_INSN_SIZE, c.flags, false, &st->origin);
  seccomp_compiled_free (&c);
  return 0;
}

static int
resources_bad (struct cli_state *st, const char *what, const char *text, struct husk_err *err)
{
  cleanup_free char *q = cli_quote_always (text);
  return husk_err_set (err, 0, "%s: invalid %s %s", st->origin.where, what, q);
}

static void
resources_set (struct cli_state *st, struct husk_cgroup_limit *l, uint64_t value)
{
  l->set = true;
  l->value = value;
  origin_free (&l->origin);
  l->origin = origin_copy (&st->origin);
}

/* BYTES with an optional binary suffix K, M, G or T (case-insensitive). */
static int
resources_parse_bytes (const char *s, uint64_t *out)
{
  static const char units[] = "kmgt";
  cleanup_free char *num = xstrdup (s);
  size_t len = strlen (num);
  const char *u;
  uint64_t v;
  int shift = 0;

  if (len > 1 && (u = strchr (units, num[len - 1] | 0x20)) != NULL)
    {
      shift = 10 * (int) (u - units + 1);
      num[len - 1] = '\0';
    }
  if (parse_size (num, &v) < 0 || v > (UINT64_MAX >> shift))
    return -1;
  *out = v << shift;
  return 0;
}

int
cli_opt_memory_max (struct cli_state *st, char **args, struct husk_err *err)
{
  uint64_t v = HUSK_CGROUP_MAX;

  if (strcmp (args[0], "max") != 0 && resources_parse_bytes (args[0], &v) < 0)
    return resources_bad (st, "size", args[0], err);
  resources_set (st, &st->plan->memory_max, v);
  return 0;
}

int
cli_opt_pids_max (struct cli_state *st, char **args, struct husk_err *err)
{
  uint64_t v = HUSK_CGROUP_MAX;

  if (strcmp (args[0], "max") != 0 && (parse_size (args[0], &v) < 0 || v > INT32_MAX))
    return resources_bad (st, "number of processes", args[0], err);
  resources_set (st, &st->plan->pids_max, v);
  return 0;
}

/* QUOTA[/PERIOD] in microseconds; the kernel takes a quota of at least
 * 1000 and a period of 1000 to 1000000. */
int
cli_opt_cpu_max (struct cli_state *st, char **args, struct husk_err *err)
{
  cleanup_free char *quota = xstrdup (args[0]);
  char *slash = strchr (quota, '/');
  uint64_t q = HUSK_CGROUP_MAX, period = 100000;

  if (slash != NULL)
    {
      *slash = '\0';
      if (parse_size (slash + 1, &period) < 0 || period < 1000 || period > 1000000)
        return husk_err_set (err, 0, "%s: the period must be 1000 to 1000000 microseconds",
                             st->origin.where);
    }
  if (strcmp (quota, "max") != 0 && (parse_size (quota, &q) < 0 || q < 1000))
    {
      if (parse_size (quota, &q) == 0)
        return husk_err_set (err, 0, "%s: the quota must be at least 1000 microseconds",
                             st->origin.where);
      return resources_bad (st, "CPU quota", args[0], err);
    }
  resources_set (st, &st->plan->cpu_max, q);
  st->plan->cpu_period = period;
  return 0;
}

int
cli_opt_io_weight (struct cli_state *st, char **args, struct husk_err *err)
{
  uint64_t v;

  if (parse_size (args[0], &v) < 0 || v > 10000)
    return husk_err_set (err, 0, "%s: the weight must be 1 to 10000", st->origin.where);
  resources_set (st, &st->plan->io_weight, v);
  return 0;
}

static void
resources_clear_pasta (struct husk_plan *plan)
{
  for (size_t i = 0; i < plan->n_pasta_args; i++)
    free (plan->pasta_args[i]);
  free (plan->pasta_args);
  plan->pasta_args = NULL;
  plan->n_pasta_args = 0;
  plan->pasta = false;
}

/* pasta:A,B,C: extra pasta arguments, split at commas (Podman's syntax). */
static int
resources_pasta_args (struct cli_state *st, const char *opts, struct husk_err *err)
{
  struct husk_plan *plan = st->plan;
  cleanup_free char *copy = xstrdup (opts);
  size_t n = 1;
  char *p, *next;

  for (p = copy; *p; p++)
    n += *p == ',';
  plan->pasta_args = xcalloc (n + 1, sizeof *plan->pasta_args);
  for (p = copy; p != NULL; p = next)
    {
      next = strchr (p, ',');
      if (next != NULL)
        *next++ = '\0';
      if (*p == '\0')
        return husk_err_set (err, 0, "%s: empty pasta option", st->origin.where);
      plan->pasta_args[plan->n_pasta_args++] = xstrdup (p);
    }
  return 0;
}

int
cli_opt_net (struct cli_state *st, char **args, struct husk_err *err)
{
  struct husk_plan *plan = st->plan;
  const char *mode = args[0];

  resources_clear_pasta (plan);
  origin_free (&plan->net_origin);
  plan->net_origin = origin_copy (&st->origin);
  if (strcmp (mode, "none") == 0)
    plan->unshare |= HUSK_NS_NET;
  else if (strcmp (mode, "host") == 0)
    plan->unshare &= ~HUSK_NS_NET;
  else if (strcmp (mode, "pasta") == 0 || strncmp (mode, "pasta:", 6) == 0)
    {
      plan->unshare |= HUSK_NS_NET;
      plan->pasta = true;
      if (mode[5] == ':' && resources_pasta_args (st, mode + 6, err) < 0)
        return -1;
    }
  else
    {
      cleanup_free char *q = cli_quote_always (mode);
      return husk_err_set (err, 0, "%s: unknown network mode %s (none, host or pasta)",
                           st->origin.where, q);
    }
  return 0;
}
