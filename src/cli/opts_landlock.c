/* opts_landlock.c: handlers for the Landlock options (--landlock-ro,
 * --landlock-rw, --landlock-exec, --landlock-bind-tcp,
 * --landlock-connect-tcp, --landlock-scope, --landlock-strict).
 *
 * Each handler only records what was asked, in order, with its origin.
 * Any of them turns Landlock on for the sandbox (plan->landlock): from then
 * on only the listed paths are reachable.  Paths name places inside the
 * sandbox, so they are not looked at here; the executor opens them after
 * pivot_root and reports a missing one with this flag's origin.
 *
 * Must not: make syscalls, or ask the kernel which Landlock ABI it has
 * (the executor does, so --print-plan works anywhere).
 */
#include <string.h>

#include "cli/cli_int.h"
#include "lib/cleanup.h"
#include "lib/xalloc.h"

/* The first --landlock-* flag turns Landlock on and is named in errors
 * about Landlock as a whole. */
static void
landlock_mark (struct cli_state *st)
{
  struct husk_plan *plan = st->plan;

  if (!plan->landlock)
    plan->landlock_origin = origin_copy (&st->origin);
  plan->landlock = true;
}

static int
landlock_path (struct cli_state *st, enum husk_landlock_access access, const char *path,
               struct husk_err *err)
{
  /* Relative paths would depend on the working directory at the moment
   * the rules are made, which the user does not see. */
  if (path[0] != '/')
    return husk_err_set (err, 0, "%s: PATH must be absolute (a path inside the sandbox)",
                         st->origin.where);
  landlock_mark (st);
  plan_add_landlock_path (st->plan, access, path, &st->origin);
  return 0;
}

int
cli_opt_landlock_ro (struct cli_state *st, char **args, struct husk_err *err)
{
  return landlock_path (st, HUSK_LANDLOCK_RO, args[0], err);
}

int
cli_opt_landlock_rw (struct cli_state *st, char **args, struct husk_err *err)
{
  return landlock_path (st, HUSK_LANDLOCK_RW, args[0], err);
}

int
cli_opt_landlock_exec (struct cli_state *st, char **args, struct husk_err *err)
{
  return landlock_path (st, HUSK_LANDLOCK_EXEC, args[0], err);
}

/* A TCP port: decimal 1..65535, digits only. */
static int
landlock_parse_port (const char *s, uint16_t *out)
{
  unsigned long v = 0;

  if (s[0] == '\0' || strlen (s) > 5)
    return -1;
  for (const char *p = s; *p; p++)
    {
      if (*p < '0' || *p > '9')
        return -1;
      v = v * 10 + (unsigned long) (*p - '0');
    }
  if (v < 1 || v > 65535)
    return -1;
  *out = (uint16_t) v;
  return 0;
}

static int
landlock_port (struct cli_state *st, bool connect, const char *text, struct husk_err *err)
{
  uint16_t port;

  if (landlock_parse_port (text, &port) < 0)
    {
      cleanup_free char *q = cli_quote_always (text);
      return husk_err_set (err, 0, "%s: invalid TCP port %s (1 to 65535)", st->origin.where, q);
    }
  landlock_mark (st);
  plan_add_landlock_port (st->plan, connect, port, &st->origin);
  return 0;
}

int
cli_opt_landlock_bind_tcp (struct cli_state *st, char **args, struct husk_err *err)
{
  return landlock_port (st, false, args[0], err);
}

int
cli_opt_landlock_connect_tcp (struct cli_state *st, char **args, struct husk_err *err)
{
  return landlock_port (st, true, args[0], err);
}

int
cli_opt_landlock_scope (struct cli_state *st, char **args, struct husk_err *err)
{
  struct husk_plan *plan = st->plan;
  unsigned bit;
  size_t idx;

  if (strcmp (args[0], "abstract-unix") == 0)
    bit = HUSK_LANDLOCK_SCOPE_ABSTRACT_UNIX, idx = 0;
  else if (strcmp (args[0], "signal") == 0)
    bit = HUSK_LANDLOCK_SCOPE_SIGNAL, idx = 1;
  else
    {
      cleanup_free char *q = cli_quote_always (args[0]);
      return husk_err_set (err, 0,
                           "%s: unknown scope %s (expected \"abstract-unix\" or \"signal\")",
                           st->origin.where, q);
    }
  landlock_mark (st);
  /* Repeating a scope changes nothing; the first one is named in errors. */
  if (!(plan->landlock_scopes & bit))
    plan->landlock_scope_origin[idx] = origin_copy (&st->origin);
  plan->landlock_scopes |= bit;
  return 0;
}

int
cli_opt_landlock_strict (struct cli_state *st, char **args, struct husk_err *err)
{
  struct husk_plan *plan = st->plan;

  (void) args, (void) err;
  /* A modifier: it does not turn Landlock on by itself (check.c refuses
   * it alone, since an empty ruleset would forbid even the execve). */
  if (!plan->landlock_strict)
    plan->landlock_strict_origin = origin_copy (&st->origin);
  plan->landlock_strict = true;
  return 0;
}
