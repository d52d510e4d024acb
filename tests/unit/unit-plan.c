/* unit-plan.c: command line -> plan -> text, for the unit tests (see
 * unit-plan.h).
 *
 * Must not: run anything, or leak (the tests run under valgrind).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "tap.h"
#include "unit-plan.h"

int
unit_parse (const char *const *args, struct husk_plan *plan, enum cli_action *action,
            struct husk_err *err)
{
  enum cli_action ignored;
  size_t n = 0;
  char **argv;
  int r;

  while (args[n] != NULL)
    n++;
  argv = xcalloc (n + 2, sizeof *argv);
  argv[0] = (char *) "husk";
  for (size_t i = 0; i < n; i++)
    argv[i + 1] = (char *) args[i];
  plan_init (plan);
  memset (err, 0, sizeof *err);
  r = cli_parse (plan, (int) n + 1, argv, action != NULL ? action : &ignored, err);
  free (argv);
  return r;
}

int
unit_build (const char *const *args, struct husk_plan *plan, struct husk_err *err)
{
  if (unit_parse (args, plan, NULL, err) < 0)
    return -1;
  return plan_check (plan, err);
}

char *
unit_dump (const struct husk_plan *plan)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);

  if (f == NULL)
    abort ();
  plan_dump (plan, f);
  fclose (f);
  return buf;
}

char *
unit_dump_lines (const struct husk_plan *plan, const char *prefix)
{
  char *dump = unit_dump (plan);
  char *out = NULL, *line, *save = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&out, &len);
  const char *sep = "";

  if (f == NULL)
    abort ();
  for (line = strtok_r (dump, "\n", &save); line != NULL; line = strtok_r (NULL, "\n", &save))
    if (strncmp (line, prefix, strlen (prefix)) == 0)
      {
        fprintf (f, "%s%s", sep, line);
        sep = "|";
      }
  fclose (f);
  free (dump);
  return out;
}

void
unit_fails (const char *const *args, const char *msg, const char *desc)
{
  struct husk_plan plan;
  struct husk_err err;
  int r = unit_build (args, &plan, &err);

  ok (r < 0 && strcmp (err.msg, msg) == 0, "%s", desc);
  if (r == 0 || strcmp (err.msg, msg) != 0)
    {
      diag ("expected: %s", msg);
      diag ("     got: %s", r < 0 ? err.msg : "(success)");
    }
  plan_free (&plan);
}
