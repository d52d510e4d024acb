/* opts_lifecycle.c: handlers for the sandbox's lifecycle and status options
 * (--info-fd, --json-status-fd, --pidfd-fd, --sync-fd, --block-fd, --userns-block-fd,
 * --lock-file), the multi-range id maps (--uid-map, --gid-map) and the
 * joined user namespaces (--userns, --userns2, --disable-userns,
 * --assert-userns-disabled).
 *
 * Semantics follow bwrap where it has the flag: a repeated fd flag replaces
 * the earlier one, --lock-file is repeatable.  --uid-map and --gid-map are
 * husk's own and repeatable; each adds one range.  Whether ranges overlap or
 * --uid falls inside one is plan/check.c's business.
 *
 * Must not: make syscalls (an fd is only checked to be open by the
 * executor), or validate across fields.
 */
#include <stdlib.h>

#include "cli/cli_int.h"
#include "lib/cleanup.h"
#include "lib/parse.h"
#include "lib/xalloc.h"

static int
lifecycle_fd (struct cli_state *st, const char *s, struct husk_fdarg *out, struct husk_err *err)
{
  int fd;

  if (parse_fd (s, &fd) < 0)
    {
      cleanup_free char *q = cli_quote_always (s);
      return husk_err_set (err, 0, "%s: invalid file descriptor %s", st->origin.where, q);
    }
  out->fd = fd;
  origin_free (&out->origin);
  out->origin = origin_copy (&st->origin);
  return 0;
}

int
cli_opt_info_fd (struct cli_state *st, char **args, struct husk_err *err)
{
  return lifecycle_fd (st, args[0], &st->plan->info_fd, err);
}

int
cli_opt_json_status_fd (struct cli_state *st, char **args, struct husk_err *err)
{
  return lifecycle_fd (st, args[0], &st->plan->json_status_fd, err);
}

/* Issue 6: the program's pidfd goes to this unix socket. */
int
cli_opt_pidfd_fd (struct cli_state *st, char **args, struct husk_err *err)
{
  return lifecycle_fd (st, args[0], &st->plan->pidfd_fd, err);
}

int
cli_opt_sync_fd (struct cli_state *st, char **args, struct husk_err *err)
{
  return lifecycle_fd (st, args[0], &st->plan->sync_fd, err);
}

int
cli_opt_block_fd (struct cli_state *st, char **args, struct husk_err *err)
{
  return lifecycle_fd (st, args[0], &st->plan->block_fd, err);
}

int
cli_opt_userns_block_fd (struct cli_state *st, char **args, struct husk_err *err)
{
  return lifecycle_fd (st, args[0], &st->plan->userns_block_fd, err);
}

int
cli_opt_lock_file (struct cli_state *st, char **args, struct husk_err *err)
{
  struct husk_plan *plan = st->plan;
  struct husk_lockfile *l;

  if (args[0][0] == '\0')
    return husk_err_set (err, 0, "%s: empty path", st->origin.where);
  plan->lock_files = xgrow (plan->lock_files, &plan->cap_lock_files, plan->n_lock_files + 1,
                            sizeof *plan->lock_files);
  l = &plan->lock_files[plan->n_lock_files++];
  l->path = xstrdup (args[0]);
  l->origin = origin_copy (&st->origin);
  return 0;
}

/* INSIDE OUTSIDE COUNT: ids 0..4294967294, COUNT >= 1. */
static int
lifecycle_idmap (struct cli_state *st, char **args, const char *what, struct husk_idmap **v,
                 size_t *n, size_t *cap, struct husk_err *err)
{
  uint32_t inside, outside, count;
  const char *bad = NULL;
  struct husk_idmap *m;

  if (parse_id (args[0], &inside) < 0)
    bad = args[0];
  else if (parse_id (args[1], &outside) < 0)
    bad = args[1];
  if (bad != NULL)
    {
      cleanup_free char *q = cli_quote_always (bad);
      return husk_err_set (err, 0, "%s: invalid %s %s", st->origin.where, what, q);
    }
  if (parse_id (args[2], &count) < 0 || count == 0)
    {
      cleanup_free char *q = cli_quote_always (args[2]);
      return husk_err_set (err, 0, "%s: invalid count %s", st->origin.where, q);
    }
  *v = xgrow (*v, cap, *n + 1, sizeof **v);
  m = &(*v)[(*n)++];
  m->inside = inside;
  m->outside = outside;
  m->count = count;
  m->origin = origin_copy (&st->origin);
  return 0;
}

int
cli_opt_uid_map (struct cli_state *st, char **args, struct husk_err *err)
{
  struct husk_plan *p = st->plan;

  return lifecycle_idmap (st, args, "uid", &p->uid_maps, &p->n_uid_maps, &p->cap_uid_maps, err);
}

int
cli_opt_gid_map (struct cli_state *st, char **args, struct husk_err *err)
{
  struct husk_plan *p = st->plan;

  return lifecycle_idmap (st, args, "gid", &p->gid_maps, &p->n_gid_maps, &p->cap_gid_maps, err);
}

/* Joined namespaces. */
int
cli_opt_userns (struct cli_state *st, char **args, struct husk_err *err)
{
  return lifecycle_fd (st, args[0], &st->plan->userns_fd, err);
}

int
cli_opt_userns2 (struct cli_state *st, char **args, struct husk_err *err)
{
  return lifecycle_fd (st, args[0], &st->plan->userns2_fd, err);
}

int
cli_opt_disable_userns (struct cli_state *st, char **args, struct husk_err *err)
{
  (void) args, (void) err;
  st->plan->disable_userns = true;
  return 0;
}

int
cli_opt_assert_userns_disabled (struct cli_state *st, char **args, struct husk_err *err)
{
  (void) args, (void) err;
  st->plan->assert_userns_disabled = true;
  return 0;
}
