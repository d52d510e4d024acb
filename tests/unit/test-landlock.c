/* test-landlock.c: unit tests of the Landlock options' front end
 * (--landlock-ro, --landlock-rw, --landlock-exec, --landlock-bind-tcp,
 * --landlock-connect-tcp, --landlock-scope, --landlock-strict), the plan
 * fields they fill, plan_check's Landlock rules, the plan dump, and the
 * executor's check of the kernel's ABI against the plan (landlock_check_abi,
 * given pretend ABI versions).
 * In-process; prints TAP.  Must stay valgrind-clean, error paths included.
 *
 * Must not: need privileges, or ask the kernel about Landlock (the front
 * end never does).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "exec/exec_int.h"
#include "lib/err.h"
#include "tap.h"
#include "unit-plan.h"

static void
want_dump (const char *const *args, const char *want)
{
  struct husk_plan plan;
  struct husk_err err;
  int r = unit_build (args, &plan, &err);
  char *got = r == 0 ? unit_dump_lines (&plan, "landlock") : strdup (err.msg);

  ok (r == 0 && strcmp (got, want) == 0, "dump: want [%s] got [%s]", want, got);
  free (got);
  plan_free (&plan);
}

static void
want_error (const char *const *args, const char *want)
{
  struct husk_plan plan;
  struct husk_err err;
  int r = unit_build (args, &plan, &err);

  ok (r < 0 && strcmp (err.msg, want) == 0, "error: want [%s] got [%s]", want,
      r < 0 ? err.msg : "(accepted)");
  plan_free (&plan);
}

static void
test_paths (void)
{
  struct husk_plan plan;
  struct husk_err err;

  want_dump (A ("true"), "");
  want_dump (A ("--landlock-ro", "/usr", "true"),
             "landlock  # --landlock-ro /usr|landlock-path ro \"/usr\"  # --landlock-ro /usr");
  want_dump (A ("--landlock-exec", "/bin", "--landlock-rw", "/tmp", "--landlock-ro", "/etc",
                "true"),
             "landlock  # --landlock-exec /bin"
             "|landlock-path exec \"/bin\"  # --landlock-exec /bin"
             "|landlock-path rw \"/tmp\"  # --landlock-rw /tmp"
             "|landlock-path ro \"/etc\"  # --landlock-ro /etc");
  /* The same path twice: both rules are kept (the kernel adds them up). */
  want_dump (A ("--landlock-ro", "/a", "--landlock-rw", "/a", "true"),
             "landlock  # --landlock-ro /a|landlock-path ro \"/a\"  # --landlock-ro /a"
             "|landlock-path rw \"/a\"  # --landlock-rw /a");
  want_error (A ("--landlock-ro", "usr", "true"),
              "--landlock-ro usr: PATH must be absolute (a path inside the sandbox)");
  want_error (A ("--landlock-rw", "", "true"),
              "--landlock-rw \"\": PATH must be absolute (a path inside the sandbox)");
  want_error (A ("--landlock-exec"), "--landlock-exec: takes 1 argument");

  /* The plan's own fields, not only their dump. */
  if (unit_build (A ("--landlock-rw", "/w", "--landlock-exec", "/x", "true"), &plan, &err) == 0)
    ok (plan.landlock && !plan.landlock_strict && plan.n_landlock_paths == 2
          && plan.landlock_paths[0].access == HUSK_LANDLOCK_RW
          && strcmp (plan.landlock_paths[1].path, "/x") == 0
          && plan.landlock_paths[1].access == HUSK_LANDLOCK_EXEC && plan.n_landlock_ports == 0
          && plan.landlock_scopes == 0,
        "plan fields for two paths");
  else
    ok (0, "plan fields for two paths: %s", err.msg);
  plan_free (&plan);
}

static void
test_ports (void)
{
  want_dump (A ("--landlock-bind-tcp", "8080", "--landlock-connect-tcp", "443", "true"),
             "landlock  # --landlock-bind-tcp 8080"
             "|landlock-tcp bind 8080  # --landlock-bind-tcp 8080"
             "|landlock-tcp connect 443  # --landlock-connect-tcp 443");
  want_dump (A ("--landlock-connect-tcp", "1", "--landlock-bind-tcp", "65535", "true"),
             "landlock  # --landlock-connect-tcp 1"
             "|landlock-tcp connect 1  # --landlock-connect-tcp 1"
             "|landlock-tcp bind 65535  # --landlock-bind-tcp 65535");
  want_dump (A ("--landlock-bind-tcp", "080", "true"),
             "landlock  # --landlock-bind-tcp 080|landlock-tcp bind 80  # --landlock-bind-tcp 080");
  want_error (A ("--landlock-bind-tcp", "0", "true"),
              "--landlock-bind-tcp 0: invalid TCP port \"0\" (1 to 65535)");
  want_error (A ("--landlock-bind-tcp", "65536", "true"),
              "--landlock-bind-tcp 65536: invalid TCP port \"65536\" (1 to 65535)");
  want_error (A ("--landlock-connect-tcp", "-1", "true"),
              "--landlock-connect-tcp -1: invalid TCP port \"-1\" (1 to 65535)");
  want_error (A ("--landlock-connect-tcp", "+80", "true"),
              "--landlock-connect-tcp +80: invalid TCP port \"+80\" (1 to 65535)");
  want_error (A ("--landlock-connect-tcp", "0x50", "true"),
              "--landlock-connect-tcp 0x50: invalid TCP port \"0x50\" (1 to 65535)");
  want_error (A ("--landlock-connect-tcp", "80 ", "true"),
              "--landlock-connect-tcp \"80 \": invalid TCP port \"80 \" (1 to 65535)");
  want_error (A ("--landlock-bind-tcp", "", "true"),
              "--landlock-bind-tcp \"\": invalid TCP port \"\" (1 to 65535)");
  want_error (A ("--landlock-bind-tcp", "123456", "true"),
              "--landlock-bind-tcp 123456: invalid TCP port \"123456\" (1 to 65535)");
  want_error (A ("--landlock-bind-tcp", "99999999999999999999", "true"),
              "--landlock-bind-tcp 99999999999999999999: invalid TCP port "
              "\"99999999999999999999\" (1 to 65535)");
}

static void
test_scopes_strict (void)
{
  want_dump (A ("--landlock-scope", "signal", "--landlock-scope", "abstract-unix",
                "--landlock-scope", "signal", "true"),
             "landlock  # --landlock-scope signal"
             "|landlock-scope abstract-unix  # --landlock-scope abstract-unix"
             "|landlock-scope signal  # --landlock-scope signal");
  want_error (A ("--landlock-scope", "Signal", "true"),
              "--landlock-scope Signal: unknown scope \"Signal\" "
              "(expected \"abstract-unix\" or \"signal\")");
  want_error (A ("--landlock-scope", "abstract-unix,signal", "true"),
              "--landlock-scope abstract-unix,signal: unknown scope \"abstract-unix,signal\" "
              "(expected \"abstract-unix\" or \"signal\")");
  want_dump (A ("--landlock-strict", "--landlock-ro", "/", "--landlock-strict", "true"),
             "landlock  # --landlock-ro /|landlock-strict  # --landlock-strict"
             "|landlock-path ro \"/\"  # --landlock-ro /");
  want_error (A ("--landlock-strict", "true"),
              "--landlock-strict: needs at least one other --landlock-* option");
  /* The OCI front end is a whole plan of its own (issue 5). */
  want_error (A ("--oci", "/nope", "--landlock-ro", "/"),
              "--oci: cannot be used with other options (--landlock-ro /)");
}

/* The executor's ABI ok (src/exec/landlock.c), given a pretend ABI:
 * want is the error, or "" when the plan may run (best effort warns on
 * stderr, which TAP ignores). */
static void
want_abi (const char *const *args, int abi, int errnum, const char *want)
{
  struct husk_plan plan;
  struct husk_err err;
  int r = unit_build (args, &plan, &err);

  if (r == 0)
    r = landlock_check_abi (&plan, abi, errnum, &err);
  ok (strcmp (r < 0 ? err.msg : "", want) == 0, "ABI %d: want [%s] got [%s]", abi, want,
      r < 0 ? err.msg : "");
  plan_free (&plan);
}

static void
test_abi (void)
{
  const char *const *ports
    = A ("--landlock-exec", "/", "--landlock-bind-tcp", "80", "--landlock-scope", "signal", "true");
  const char *const *strict = A ("--landlock-strict", "--landlock-exec", "/", "--landlock-bind-tcp",
                                 "80", "--landlock-scope", "signal", "true");
  const char *const *fs_strict = A ("--landlock-exec", "/", "--landlock-strict", "true");

  /* Best effort: whatever the kernel has, the sandbox may run (the
   * warnings it prints are not TAP: keep them out of the output). */
  int saved = dup (2), null = open ("/dev/null", O_WRONLY | O_CLOEXEC);

  dup2 (null, 2);
  for (int abi = -1; abi <= 8; abi++)
    want_abi (ports, abi, ENOSYS, "");
  want_abi (A ("true"), -1, ENOSYS, "");
  dup2 (saved, 2);
  close (saved);
  close (null);
  /* Strict: the first thing missing, named by the option that asked. */
  want_abi (strict, -1, ENOSYS,
            "--landlock-strict: this kernel has no Landlock (needs Linux 5.13 or later, built "
            "with it)");
  want_abi (strict, -1, EOPNOTSUPP,
            "--landlock-strict: Landlock is disabled in this kernel (enable it with the lsm= "
            "boot parameter)");
  want_abi (strict, 3, 0,
            "--landlock-bind-tcp 80: a TCP port rule needs Landlock ABI 4, this kernel has ABI 3 "
            "(--landlock-strict)");
  want_abi (strict, 5, 0,
            "--landlock-scope signal: the signal scope needs Landlock ABI 6, this kernel has ABI "
            "5 (--landlock-strict)");
  want_abi (strict, 6, 0, "");
  want_abi (strict, 7, 0, "");
  want_abi (fs_strict, 1, 0,
            "--landlock-strict: refer (renaming and linking across directories) needs Landlock "
            "ABI 2, this kernel has ABI 1");
  want_abi (fs_strict, 2, 0, "--landlock-strict: truncate needs Landlock ABI 3, this kernel has ABI 2");
  want_abi (fs_strict, 4, 0,
            "--landlock-strict: ioctl-dev (ioctl on device files) needs Landlock ABI 5, this "
            "kernel has ABI 4");
  want_abi (fs_strict, 5, 0, "");
}

int
main (void)
{
  test_paths ();
  test_ports ();
  test_scopes_strict ();
  test_abi ();
  return tap_done ();
}
