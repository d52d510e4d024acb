/* oci.h: the OCI front end: a runtime-spec config.json (and its bundle
 * directory) -> struct husk_plan.
 *
 * Must not: make syscalls beyond reading config.json (and getcwd, to make a
 * relative bundle path absolute); mount, or print anything but the warnings
 * the runtime-spec asks for (unknown properties are ignored with a warning).
 */
#ifndef HUSK_OCI_H
#define HUSK_OCI_H

#include <stddef.h>

#include "lib/err.h"
#include "plan/plan.h"

/* Fill plan (initialised, empty) from PATH: a config.json, or a bundle
 * directory holding one.  Errors name the JSON path, e.g.
 * "linux.namespaces[2].type: unknown namespace type \"foo\"". */
int oci_load (struct husk_plan *plan, const char *path, struct husk_err *err);

/* The same from config.json's text already in memory; `bundle` is the
 * absolute bundle directory, `name` names the text in parse errors.  The
 * number of warnings printed is stored in *warnings (may be NULL). */
int oci_load_text (struct husk_plan *plan, const char *text, size_t len, const char *bundle,
                   const char *name, unsigned *warnings, struct husk_err *err);

/* export.c (issue 5): what a flag plan leaves to run time, for the export. */
#include <stdio.h>
#include <sys/types.h>
struct oci_host
{
  uid_t euid;
  gid_t egid;
  char **environ;  /* the environment the flags' edits apply to */
  const char *cwd; /* the flags' default working directory; NULL when unknown */
};

/* Write the config.json equivalent to plan (built from flags) to out
 * (`husk --print-oci`); host NULL means this process.  Errors name the
 * flag that has no config.json form. */
int oci_export (const struct husk_plan *plan, const struct oci_host *host, FILE *out,
                struct husk_err *err);

/* spec.c (issue 5): `husk spec [--rootless] [--bundle DIR] [--user USER[:GROUP]]`; argv[0] is
 * "spec".  Writes DIR/config.json, never over an existing one. */
int oci_spec (int argc, char **argv, struct husk_err *err);

#endif
