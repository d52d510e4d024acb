/* opts_general.c: handlers for the general options (--help, --version,
 * --argv0, --level-prefix, --print-plan, --oci).  --args lives in cli.c because it
 * rewrites the argument list.
 *
 * Must not: print (main prints help/version when told by *action).
 */
#include <stdlib.h>

#include "cli/cli_int.h"
#include "lib/xalloc.h"

int
cli_opt_help (struct cli_state *st, char **args, struct husk_err *err)
{
  (void) args, (void) err;
  *st->action = CLI_HELP;
  st->stop = true;
  return 0;
}

int
cli_opt_version (struct cli_state *st, char **args, struct husk_err *err)
{
  (void) args, (void) err;
  *st->action = CLI_VERSION;
  st->stop = true;
  return 0;
}

int
cli_opt_argv0 (struct cli_state *st, char **args, struct husk_err *err)
{
  /* bwrap 0.11 refuses a second --argv0: one of them would be ignored. */
  if (st->plan->argv0 != NULL)
    return husk_err_set (err, 0, "%s: --argv0 given more than once", st->origin.where);
  st->plan->argv0 = xstrdup (args[0]);
  return 0;
}

int
cli_opt_level_prefix (struct cli_state *st, char **args, struct husk_err *err)
{
  (void) st, (void) args, (void) err;
  husk_level_prefix = 1;
  return 0;
}

int
cli_opt_print_plan (struct cli_state *st, char **args, struct husk_err *err)
{
  (void) args, (void) err;
  st->plan->print_plan = true;
  return 0;
}

/* --print-oci (issue 5): main exports the plan as config.json instead. */
int
cli_opt_print_oci (struct cli_state *st, char **args, struct husk_err *err)
{
  (void) args, (void) err;
  st->plan->print_oci = true;
  return 0;
}

/* --oci PATH: main hands PATH to the OCI front end (issue 5); cli.c
 * refuses other options and a command next to it. */
int
cli_opt_oci (struct cli_state *st, char **args, struct husk_err *err)
{
  if (st->plan->oci_path != NULL)
    return husk_err_set (err, 0, "%s: --oci given more than once", st->origin.where);
  st->plan->oci_path = xstrdup (args[0]);
  return 0;
}
