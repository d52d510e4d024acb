/* unit-plan.h: the unit tests' way from a command line to a plan
 * (cli_parse, plan_check) and from a plan to text (plan_dump), shared by
 * the tests of the command-line front end.
 *
 * Must not: run anything; these are in-process helpers.
 */
#ifndef HUSK_TESTS_UNIT_PLAN_H
#define HUSK_TESTS_UNIT_PLAN_H

#include "cli/cli.h"
#include "lib/err.h"
#include "plan/plan.h"

/* Argument lists: A ("--bind", "/a", "/b") is a NULL-terminated array. */
#define A(...) ((const char *[]){ __VA_ARGS__, NULL })

/* plan_init, then cli_parse of args (the program name "husk" added in
 * front).  action may be NULL.  Returns cli_parse's result; err holds the
 * message. */
int unit_parse (const char *const *args, struct husk_plan *plan, enum cli_action *action,
                struct husk_err *err);

/* unit_parse and, when that succeeds, plan_check.  0 or -1 with err. */
int unit_build (const char *const *args, struct husk_plan *plan, struct husk_err *err);

/* The plan's whole dump (caller frees). */
char *unit_dump (const struct husk_plan *plan);

/* The dump's lines that start with prefix, joined by '|' (caller frees). */
char *unit_dump_lines (const struct husk_plan *plan, const char *prefix);

/* A test (tap.h): unit_build of args fails with exactly msg. */
void unit_fails (const char *const *args, const char *msg, const char *desc);

#endif
