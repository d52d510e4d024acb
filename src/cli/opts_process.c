/* opts_process.c: handlers for the environment edits (--setenv,
 * --unsetenv, --clearenv, kept in order as plan env ops), --chdir and the
 * process flags (--die-with-parent, --new-session, --as-pid-1).
 *
 * Must not: touch the caller's environment (the executor applies the edits
 * to a copy of it).
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli_int.h"
#include "lib/cleanup.h"
#include "lib/xalloc.h"

static int
process_check_name (struct cli_state *st, const char *name,
                    struct husk_err *err)
{
  if (name[0] == '\0' || strchr (name, '=') != NULL)
    {
      cleanup_free char *q = cli_quote_always (name);
      return husk_err_set (err, 0, "%s: invalid variable name %s",
                           st->origin.where, q);
    }
  return 0;
}

int
cli_opt_setenv (struct cli_state *st, char **args, struct husk_err *err)
{
  if (process_check_name (st, args[0], err) < 0)
    return -1;
  plan_add_env (st->plan, HUSK_ENV_SET, args[0], args[1], &st->origin);
  return 0;
}

int
cli_opt_unsetenv (struct cli_state *st, char **args, struct husk_err *err)
{
  if (process_check_name (st, args[0], err) < 0)
    return -1;
  plan_add_env (st->plan, HUSK_ENV_UNSET, args[0], NULL, &st->origin);
  return 0;
}

int
cli_opt_clearenv (struct cli_state *st, char **args, struct husk_err *err)
{
  (void) args, (void) err;
  plan_add_env (st->plan, HUSK_ENV_CLEAR, NULL, NULL, &st->origin);
  return 0;
}

int
cli_opt_chdir (struct cli_state *st, char **args, struct husk_err *err)
{
  (void) err;
  free (st->plan->chdir);
  st->plan->chdir = xstrdup (args[0]);
  origin_free (&st->plan->chdir_origin);
  st->plan->chdir_origin = origin_copy (&st->origin);
  return 0;
}

int
cli_opt_die_with_parent (struct cli_state *st, char **args,
                         struct husk_err *err)
{
  (void) args, (void) err;
  st->plan->die_with_parent = true;
  return 0;
}

int
cli_opt_new_session (struct cli_state *st, char **args, struct husk_err *err)
{
  (void) args, (void) err;
  st->plan->new_session = true;
  return 0;
}

int
cli_opt_as_pid_1 (struct cli_state *st, char **args, struct husk_err *err)
{
  (void) args, (void) err;
  st->plan->as_pid_1 = true;
  return 0;
}
