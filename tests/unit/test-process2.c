/* test-process2.c: unit tests of the process-limit, time-namespace and
 * namespace-joining options (opts_process2.c), their plan rules (check.c),
 * dump lines (dump.c) and the rlimit name parser (lib/rlimit.c), in
 * process.  Prints TAP.  Must stay valgrind-clean, error paths included.
 *
 * Must not: need privileges, or run a sandbox.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli/cli.h"
#include "lib/err.h"
#include "lib/rlimit.h"
#include "plan/plan.h"
#include "tap.h"
#include "unit-plan.h"

/* The dump of a successful build contains `line` as a whole line. */
static void
dumps (const char *const *args, const char *line, const char *desc)
{
  struct husk_plan plan;
  struct husk_err err;
  int r = unit_build (args, &plan, &err);
  char *d = r == 0 ? unit_dump (&plan) : NULL;
  char *want = NULL;

  if (asprintf (&want, "\n%s\n", line) < 0)
    abort ();
  ok (d != NULL && (strncmp (d, want + 1, strlen (want + 1)) == 0 || strstr (d, want) != NULL),
      "%s", desc);
  if (d == NULL || strstr (d, want) == NULL)
    {
      diag ("wanted line: %s", line);
      diag ("got: %s", d ? d : err.msg);
    }
  free (want);
  free (d);
  plan_free (&plan);
}

static void
test_rlimit_names (void)
{
  uint64_t v = 0;

  ok (rlimit_from_name ("nofile") == RLIMIT_NOFILE, "nofile");
  ok (rlimit_from_name ("NOFILE") == RLIMIT_NOFILE, "NOFILE");
  ok (rlimit_from_name ("RLIMIT_NOFILE") == RLIMIT_NOFILE, "RLIMIT_NOFILE");
  ok (rlimit_from_name ("rlimit_core") == RLIMIT_CORE, "rlimit_core");
  ok (rlimit_from_name ("RLIMIT_") == -1 && rlimit_from_name ("") == -1
        && rlimit_from_name ("files") == -1,
      "unknown names");
  ok (strcmp (rlimit_name (RLIMIT_SIGPENDING), "sigpending") == 0, "rlimit_name");
  for (int r = 0; r < RLIM_NLIMITS; r++)
    ok (rlimit_name (r) != NULL && rlimit_from_name (rlimit_name (r)) == r,
        "resource %d has a name that round-trips", r);
  ok (rlimit_parse_value ("unlimited", &v) == 0 && v == UINT64_MAX, "unlimited");
  ok (rlimit_parse_value ("INFINITY", &v) == 0 && v == UINT64_MAX, "INFINITY");
  ok (rlimit_parse_value ("0", &v) == 0 && v == 0, "0");
  ok (rlimit_parse_value ("18446744073709551614", &v) == 0 && v == UINT64_MAX - 1,
      "largest number");
  ok (rlimit_parse_value ("18446744073709551615", &v) < 0, "2^64-1 must be spelt unlimited");
  ok (rlimit_parse_value ("", &v) < 0 && rlimit_parse_value ("-1", &v) < 0
        && rlimit_parse_value ("1k", &v) < 0 && rlimit_parse_value (" 1", &v) < 0,
      "junk values");
}

static void
test_rlimit_flag (void)
{
  dumps (A ("--rlimit", "nofile=100:200", "true"),
         "rlimit nofile 100 200  # --rlimit nofile=100:200", "soft and hard");
  dumps (A ("--rlimit", "NOFILE=64", "true"), "rlimit nofile 64 64  # --rlimit NOFILE=64",
         "one value sets both");
  dumps (A ("--rlimit", "RLIMIT_CORE=0:", "true"),
         "rlimit core 0 -  # --rlimit RLIMIT_CORE=0:", "soft only");
  dumps (A ("--rlimit", "core=:unlimited", "true"),
         "rlimit core - unlimited  # --rlimit core=:unlimited", "hard only");
  dumps (A ("--rlimit", "nproc=1", "--rlimit", "nproc=infinity", "true"),
         "rlimit nproc unlimited unlimited  # --rlimit nproc=infinity", "the last one wins");
  unit_fails (A ("--rlimit", "nofile=200:100", "true"),
              "--rlimit nofile=200:100: soft limit above the hard limit", "soft > hard");
  unit_fails (A ("--rlimit", "nofile", "true"), "--rlimit nofile: expected NAME=SOFT[:HARD]",
              "no =");
  unit_fails (A ("--rlimit", "files=1", "true"),
              "--rlimit files=1: invalid resource limit name \"files\"", "unknown name");
  unit_fails (A ("--rlimit", "nofile=:", "true"), "--rlimit nofile=:: invalid limit \"\"",
              "neither value");
  unit_fails (A ("--rlimit", "nofile=x", "true"), "--rlimit nofile=x: invalid soft limit \"x\"",
              "bad soft");
  unit_fails (A ("--rlimit", "nofile=1:2:3", "true"),
              "--rlimit nofile=1:2:3: invalid hard limit \"2:3\"", "bad hard");
}

static void
test_time (void)
{
  dumps (A ("--unshare-time", "true"), "unshare-time", "--unshare-time");
  dumps (A ("--unshare-time", "--time-offset", "boottime", "86400", "true"),
         "time-offset boottime 86400 0  # --time-offset boottime 86400", "boottime offset");
  dumps (A ("--unshare-time", "--time-offset", "monotonic", "-1.25", "true"),
         "time-offset monotonic -2 750000000  # --time-offset monotonic -1.25",
         "negative fraction normalised");
  dumps (A ("--unshare-time", "--time-offset", "monotonic", "0.000000001", "true"),
         "time-offset monotonic 0 1  # --time-offset monotonic 0.000000001", "nanoseconds");
  unit_fails (A ("--time-offset", "monotonic", "5", "true"),
              "--time-offset monotonic 5: requires --unshare-time", "needs --unshare-time");
  unit_fails (A ("--unshare-time", "--time-offset", "realtime", "5", "true"),
              "--time-offset realtime 5: invalid clock (monotonic or boottime) \"realtime\"",
              "realtime cannot be shifted");
  unit_fails (A ("--unshare-time", "--time-offset", "boottime", "1.", "true"),
              "--time-offset boottime 1.: invalid number of seconds \"1.\"", "trailing dot");
  unit_fails (A ("--unshare-time", "--time-offset", "boottime", "0.0000000001", "true"),
              "--time-offset boottime 0.0000000001: invalid number of seconds \"0.0000000001\"",
              "more than nanoseconds");
  unit_fails (A ("--unshare-time", "--time-offset", "boottime", "99999999999999999999", "true"),
              "--time-offset boottime 99999999999999999999: invalid number of seconds "
              "\"99999999999999999999\"",
              "overflow");
}

static void
test_join (void)
{
  struct husk_plan plan;

  plan_init (&plan);
  ok (plan.join_pid == 0 && plan.join_ns[HUSK_JOIN_NET].fd == -1
        && plan.join_ns[HUSK_JOIN_TIME].fd == -1 && plan.join_ns[HUSK_JOIN_MNT].path == NULL,
      "plan_init: nothing joined");
  plan_free (&plan);
  dumps (A ("--netns", "5", "true"), "join net fd=5  # --netns 5", "fd");
  dumps (A ("--mntns", "/proc/1/ns/mnt", "true"),
         "join mnt path=\"/proc/1/ns/mnt\"  # --mntns /proc/1/ns/mnt", "path");
  dumps (A ("--utsns", "3", "--utsns", "./4", "true"), "join uts path=\"./4\"  # --utsns ./4",
         "the last one wins");
  dumps (A ("--ipcns", "7", "--cgroupns", "8", "--timens", "9", "true"),
         "join time fd=9  # --timens 9", "time");
  dumps (A ("--join-pid", "42", "true"), "join-pid 42  # --join-pid 42", "--join-pid");
  unit_fails (A ("--join-pid", "0", "true"), "--join-pid 0: invalid pid \"0\"", "pid 0");
  unit_fails (A ("--join-pid", "-1", "true"), "--join-pid -1: invalid pid \"-1\"", "pid -1");
  unit_fails (A ("--netns", "", "true"), "--netns \"\": empty path", "empty");
  unit_fails (A ("--netns", "99999999999", "true"),
              "--netns 99999999999: invalid file descriptor \"99999999999\"", "fd overflow");
  unit_fails (A ("--unshare-net", "--netns", "3", "true"),
              "--netns 3: cannot be combined with a new net namespace (--unshare-net or "
              "--unshare-all)",
              "join and new net");
  unit_fails (A ("--unshare-all", "--utsns", "3", "true"),
              "--utsns 3: cannot be combined with a new uts namespace (--unshare-uts or "
              "--unshare-all)",
              "join and --unshare-all");
  unit_fails (A ("--unshare-time", "--timens", "3", "true"),
              "--timens 3: cannot be combined with a new time namespace (--unshare-time)",
              "join and new time");
  dumps (A ("--unshare-all", "--share-net", "--netns", "3", "true"), "join net fd=3  # --netns 3",
         "--share-net after --unshare-all");
  dumps (A ("--unshare-all", "--mntns", "3", "true"), "join mnt fd=3  # --mntns 3",
         "the mount namespace is always a copy");
}

static void
test_signals (void)
{
  dumps (A ("--no-forward-signals", "true"), "no-forward-signals", "--no-forward-signals");
}

int
main (void)
{
  test_rlimit_names ();
  test_rlimit_flag ();
  test_time ();
  test_join ();
  test_signals ();
  return tap_done ();
}
