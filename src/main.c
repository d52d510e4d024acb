/* main.c: pick the front end, build and check the plan, run the executor,
 * and map errors to the exit status (1 for husk's own errors, otherwise the
 * program's status).
 *
 * Must not: know any flag or any executor detail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "exec/exec.h"
#include "lib/err.h"
#include "oci/oci.h"
#include "plan/plan.h"

#ifdef __SANITIZE_ADDRESS__
/* Sanitizer builds only.  LeakSanitizer checks for leaks at exit from a
 * tracer thread that must ptrace husk; once husk joined another user or
 * pid namespace (--userns, --join-pid, --netns ...) the tracer cannot, and
 * the check spins forever.  Skip it for those runs only. */
int __lsan_is_turned_off (void);
int
__lsan_is_turned_off (void)
{
  return exec_joined_ns;
}
#endif

int
main (int argc, char **argv)
{
  struct husk_plan plan;
  struct husk_err err = { 0 };
  enum cli_action action = CLI_RUN;
  int status = 1;
  const char *base = argc > 0 && argv[0] ? strrchr (argv[0], '/') : NULL;

  /* Invoked as "bwrap" (a symlink or copy standing in for bubblewrap):
   * messages say so, and --version leads with the bwrap version. */
  base = base ? base + 1 : (argc > 0 && argv[0] ? argv[0] : "");
  if (strcmp (base, "bwrap") == 0)
    husk_progname = "bwrap";

  plan_init (&plan);
  /* The one check before the front end: never run from a privileged binary. */
  if (exec_check_self (&err) < 0)
    {
      /* _exit: a privileged binary runs no exit-time code at all (the
       * sanitizers' leak checker, for one, cannot work there). */
      husk_err_print (&err);
      _exit (1);
    }
  /* "husk features [--json]": a subcommand, not a program to run (issue 6);
   * as "bwrap", argv[1] is always the program. */
  if (argc > 1 && strcmp (argv[1], "features") == 0 && strcmp (husk_progname, "bwrap") != 0)
    {
      if (exec_features (argc - 1, argv + 1, cli_option_names, stdout, &err) < 0)
        goto fail;
      status = 0;
      goto out;
    }
  /* "husk spec [--rootless] [--bundle DIR] [--user U[:G]]": writes a starting config.json (issue 5). */
  if (argc > 1 && strcmp (argv[1], "spec") == 0 && strcmp (husk_progname, "bwrap") != 0)
    {
      if (oci_spec (argc - 1, argv + 1, &err) < 0)
        goto fail;
      status = 0;
      goto out;
    }
  if (cli_parse (&plan, argc, argv, &action, &err) < 0)
    goto fail;

  switch (action)
    {
    case CLI_HELP:
      cli_print_help (stdout);
      status = 0;
      goto out;
    case CLI_VERSION:
      cli_print_version (stdout);
      status = 0;
      goto out;
    case CLI_PRINT_PLAN:
    case CLI_PRINT_OCI:
    case CLI_RUN:
      break;
    default:
      abort ();
    }

  /* --oci: the plan comes from config.json instead (issue 5). */
  if (plan.oci_path != NULL && oci_load (&plan, plan.oci_path, &err) < 0)
    goto fail;
  if (plan_check (&plan, &err) < 0)
    goto fail;
  if (action == CLI_PRINT_PLAN)
    {
      plan_dump (&plan, stdout);
      status = fflush (stdout) == 0 ? 0 : 1;
      goto out;
    }
  /* --print-oci: the same sandbox as config.json (issue 5). */
  if (action == CLI_PRINT_OCI)
    {
      if (oci_export (&plan, NULL, stdout, &err) < 0)
        goto fail;
      status = fflush (stdout) == 0 ? 0 : 1;
      goto out;
    }
  if (exec_run (&plan, &status, &err) < 0)
    goto fail;
  goto out;

fail:
  husk_err_print (&err);
  status = 1;
out:
  plan_free (&plan);
  return status;
}
