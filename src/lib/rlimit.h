/* rlimit.h: the names of resource limits (RLIMIT_*) and their values, as
 * users write them: "nofile", "NOFILE" or "RLIMIT_NOFILE"; a decimal number,
 * "unlimited" or "infinity".  Shared by the command line (--rlimit) and
 * anything else that names a limit (OCI's process.rlimits[].type).
 *
 * Must not: make syscalls, print, or allocate.
 */
#ifndef HUSK_RLIMIT_H
#define HUSK_RLIMIT_H

#include <stdint.h>

/* The RLIMIT_* number for NAME (case-insensitive, "RLIMIT_" prefix
 * optional), or -1 when there is no such limit. */
int rlimit_from_name (const char *name);

/* The lower-case short name ("nofile") of RLIMIT_* `resource`, or NULL. */
const char *rlimit_name (int resource);

/* A limit value: decimal (0..2^64-2), or "unlimited"/"infinity" for
 * UINT64_MAX (RLIM_INFINITY).  0 or -1, as the parse.h parsers. */
int rlimit_parse_value (const char *s, uint64_t *out);

#endif
