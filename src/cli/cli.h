/* cli.h: the bwrap-style command-line front end: argv (and --args FD streams)
 * -> struct husk_plan.
 *
 * Must not: make syscalls other than reading the --args fd; touch the
 * filesystem; print anything except through the functions below.
 */
#ifndef HUSK_CLI_H
#define HUSK_CLI_H

#include <stdio.h>
#include "plan/plan.h"
#include "lib/err.h"

enum cli_action
{
  CLI_RUN,          /* run the plan */
  CLI_HELP,         /* print cli_print_help to stdout, exit 0 */
  CLI_VERSION,      /* print cli_print_version to stdout, exit 0 */
  CLI_PRINT_PLAN,   /* plan_check, then plan_dump to stdout, exit 0 */
  CLI_PRINT_OCI,    /* plan_check, then oci_export to stdout, exit 0 (issue 5) */
};

/* Parse argv[1..argc-1] into plan (initialised by the caller).  On error
 * returns -1 with err naming the flag and its arguments, e.g.
 * "--perms: invalid octal mode \"99\"". */
int cli_parse (struct husk_plan *plan, int argc, char **argv,
               enum cli_action *action, struct husk_err *err);

void cli_print_help (FILE *out);
/* Every option's name from options.def, in table order, NULL-terminated
 * (issue 6: listed by `husk features --json`). */
extern const char *const cli_option_names[];
void cli_print_version (FILE *out);

/* Limits for --args streams (bwrap-compatible in spirit, bounded memory). */
#define CLI_ARGS_MAX_DEPTH 8
#define CLI_ARGS_MAX_BYTES (1024 * 1024)  /* per stream */
#define CLI_ARGS_MAX_TOTAL (16 * 1024 * 1024)

#endif
