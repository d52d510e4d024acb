/* exec.h: the executor's public entry point.  It reads a checked plan and
 * runs the sandbox; it never sees argv or JSON. */
#ifndef HUSK_EXEC_H
#define HUSK_EXEC_H

#include <stdbool.h>

#include "plan/plan.h"
#include "lib/err.h"

/* Run the sandbox described by plan in the foreground.  Returns 0 with
 * *status set to the program's exit status (128+signal when killed), or -1
 * with err set when husk itself failed (the caller exits 1). */
int exec_run (const struct husk_plan *plan, int *status, struct husk_err *err);

/* Set once husk itself (the parent) has joined another namespace with
 * setns: main uses it to skip LeakSanitizer's exit-time check, whose
 * ptrace-based tracer cannot work from there. */
extern bool exec_joined_ns;
/* Set once the parent has joined another mount namespace (a path of
 * linux.namespaces, --mntns, --join-pid): what runs "in the runtime
 * namespace" (OCI hooks, the seccomp agent's socket) must go back to the
 * one husk started in, not run from a tree the namespace's owner made. */
extern bool exec_joined_mntns;
/* Set once the parent has joined a user namespace (--userns, --join-pid,
 * linux.namespaces[].path): that namespace's root holds CAP_SYS_PTRACE
 * over husk's parent, whose uid is still husk's own on the host.  The
 * parent is made non-dumpable first (the kernel then asks for the
 * capability in the initial user namespace); the OCI hooks it would exec
 * (dumpable again) are refused. */
extern bool exec_joined_userns;

/* selfcheck.c: -1 (err set) when husk runs from a setuid, setgid or
 * file-capability binary, which it refuses to do.  main calls it first. */
int exec_check_self (struct husk_err *err);

/* features.c (issue 6): `husk features [--json]`; argv[0] is "features".
 * Prints what the kernel and this build support to out; flags is the
 * NULL-terminated list of every command-line option (from the front end). */
#include <stdio.h>
int exec_features (int argc, char **argv, const char *const *flags, FILE *out,
                   struct husk_err *err);

#endif
