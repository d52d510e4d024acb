/* opts_ns.c: handlers for namespace and identity options (--unshare-*,
 * --share-net, --uid, --gid, --hostname).
 *
 * Semantics follow bwrap: --unshare-all is user-try, ipc, pid, net, uts and
 * cgroup-try; --share-net only clears net, so order matters; an explicit
 * --unshare-user or --unshare-cgroup wins over a -try variant whatever the
 * order.  Whether a user namespace is implied (not root) is the executor's
 * business.
 *
 * Must not: make syscalls, or validate across fields (plan/check.c).
 */
#include <stdlib.h>

#include "cli/cli_int.h"
#include "lib/cleanup.h"
#include "lib/parse.h"
#include "lib/xalloc.h"

static void
ns_user (struct cli_state *st, bool try)
{
  struct husk_plan *plan = st->plan;

  if (!(plan->unshare & HUSK_NS_USER))
    {
      plan->unshare |= HUSK_NS_USER;
      plan->user_try = try;
      origin_free (&plan->unshare_user_origin);
      plan->unshare_user_origin = origin_copy (&st->origin);
    }
  else if (!try)
    plan->user_try = false;
}

static void
ns_cgroup (struct cli_state *st, bool try)
{
  struct husk_plan *plan = st->plan;

  if (!(plan->unshare & HUSK_NS_CGROUP))
    {
      plan->unshare |= HUSK_NS_CGROUP;
      plan->cgroup_try = try;
    }
  else if (!try)
    plan->cgroup_try = false;
}

int
cli_opt_unshare_all (struct cli_state *st, char **args, struct husk_err *err)
{
  (void) args, (void) err;
  ns_user (st, true);
  ns_cgroup (st, true);
  st->plan->unshare |= HUSK_NS_IPC | HUSK_NS_PID | HUSK_NS_NET | HUSK_NS_UTS;
  return 0;
}

int
cli_opt_share_net (struct cli_state *st, char **args, struct husk_err *err)
{
  (void) args, (void) err;
  st->plan->unshare &= ~HUSK_NS_NET;
  return 0;
}

int
cli_opt_unshare_user (struct cli_state *st, char **args, struct husk_err *err)
{
  (void) args, (void) err;
  ns_user (st, false);
  return 0;
}

int
cli_opt_unshare_user_try (struct cli_state *st, char **args,
                          struct husk_err *err)
{
  (void) args, (void) err;
  ns_user (st, true);
  return 0;
}

int
cli_opt_unshare_cgroup (struct cli_state *st, char **args,
                        struct husk_err *err)
{
  (void) args, (void) err;
  ns_cgroup (st, false);
  return 0;
}

int
cli_opt_unshare_cgroup_try (struct cli_state *st, char **args,
                            struct husk_err *err)
{
  (void) args, (void) err;
  ns_cgroup (st, true);
  return 0;
}

#define NS_SIMPLE(HANDLER, BIT)                                         \
  int HANDLER (struct cli_state *st, char **args, struct husk_err *err) \
  {                                                                     \
    (void) args, (void) err;                                            \
    st->plan->unshare |= (BIT);                                         \
    return 0;                                                           \
  }

NS_SIMPLE (cli_opt_unshare_ipc, HUSK_NS_IPC)
NS_SIMPLE (cli_opt_unshare_pid, HUSK_NS_PID)
NS_SIMPLE (cli_opt_unshare_net, HUSK_NS_NET)
NS_SIMPLE (cli_opt_unshare_uts, HUSK_NS_UTS)

int
cli_opt_uid (struct cli_state *st, char **args, struct husk_err *err)
{
  uint32_t id;

  if (parse_id (args[0], &id) < 0)
    {
      cleanup_free char *q = cli_quote_always (args[0]);
      return husk_err_set (err, 0, "%s: invalid uid %s",
                           st->origin.where, q);
    }
  st->plan->has_uid = true;
  st->plan->uid = (uid_t) id;
  origin_free (&st->plan->uid_origin);
  st->plan->uid_origin = origin_copy (&st->origin);
  return 0;
}

int
cli_opt_gid (struct cli_state *st, char **args, struct husk_err *err)
{
  uint32_t id;

  if (parse_id (args[0], &id) < 0)
    {
      cleanup_free char *q = cli_quote_always (args[0]);
      return husk_err_set (err, 0, "%s: invalid gid %s",
                           st->origin.where, q);
    }
  st->plan->has_gid = true;
  st->plan->gid = (gid_t) id;
  origin_free (&st->plan->gid_origin);
  st->plan->gid_origin = origin_copy (&st->origin);
  return 0;
}

int
cli_opt_hostname (struct cli_state *st, char **args, struct husk_err *err)
{
  (void) err;
  free (st->plan->hostname);
  st->plan->hostname = xstrdup (args[0]);
  origin_free (&st->plan->hostname_origin);
  st->plan->hostname_origin = origin_copy (&st->origin);
  return 0;
}
