/* test-security.c: unit tests of the security options' front end
 * (--cap-add, --cap-drop, --seccomp, --add-seccomp-fd, --seccomp-fd,
 * --exec-label, --file-label) and their plan dump, in-process.  Prints TAP.
 * Must stay valgrind-clean, error paths included.
 *
 * Must not: need privileges or touch anything but its own pipes/memfds.
 */
#ifndef _GNU_SOURCE
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli/cli.h"
#include "lib/err.h"
#include "tap.h"
#include "unit-plan.h"

static void
expect_caps (const char *const *args, const char *want)
{
  struct husk_plan plan;
  struct husk_err err;
  int r = unit_parse (args, &plan, NULL, &err);
  char *got = r == 0 ? unit_dump_lines (&plan, "caps") : strdup (err.msg);

  ok (r == 0 && strcmp (got, want) == 0, "caps: want [%s] got [%s]", want, got);
  free (got);
  plan_free (&plan);
}

static void
expect_error (const char *const *args, const char *want)
{
  struct husk_plan plan;
  struct husk_err err;
  int r = unit_parse (args, &plan, NULL, &err);

  ok (r < 0 && strcmp (err.msg, want) == 0, "error: want [%s] got [%s]", want,
      r < 0 ? err.msg : "(success)");
  plan_free (&plan);
}

static void
test_caps (void)
{
  expect_caps (A ("--cap-add", "CAP_NET_RAW", "true"), "caps cap_net_raw");
  expect_caps (A ("--cap-add", "cap_net_raw", "true"), "caps cap_net_raw");
  expect_caps (A ("--cap-add", "net_raw", "true"), "caps cap_net_raw");
  expect_caps (A ("--cap-add", "Net_Raw", "true"), "caps cap_net_raw");
  expect_caps (A ("--cap-add", "13", "true"), "caps cap_net_raw");
  expect_caps (A ("--cap-add", "ALL", "true"), "caps all");
  expect_caps (A ("--cap-add", "all", "--cap-drop", "CAP_SYS_ADMIN", "true"),
               "caps all -cap_sys_admin");
  expect_caps (A ("--cap-add", "CAP_CHOWN", "--cap-add", "CAP_KILL",
                  "--cap-drop", "CAP_CHOWN", "true"), "caps cap_kill");
  expect_caps (A ("--cap-add", "CAP_KILL", "--cap-drop", "ALL", "true"), "caps none");
  expect_caps (A ("--cap-drop", "ALL", "--cap-add", "CAP_KILL", "true"), "caps cap_kill");
  expect_caps (A ("true"), "");
  expect_error (A ("--cap-add", "CAP_FOO", "true"), "--cap-add CAP_FOO: unknown capability \"CAP_FOO\"");
  expect_error (A ("--cap-drop", "", "true"), "--cap-drop \"\": unknown capability \"\"");
  expect_error (A ("--cap-add", "64", "true"), "--cap-add 64: unknown capability \"64\"");
  expect_error (A ("--cap-add", "-1", "true"), "--cap-add -1: unknown capability \"-1\"");
  expect_error (A ("--cap-add"), "--cap-add: takes 1 argument");
}

/* A memfd holding len bytes of program (instructions "ret allow"). */
static int
prog_fd (size_t len)
{
  int fd = memfd_create ("prog", MFD_CLOEXEC);
  unsigned char insn[8] = { 0x06, 0, 0, 0, 0, 0, 0xff, 0x7f };
  size_t i;

  for (i = 0; i < len; i++)
    if (write (fd, &insn[i % 8], 1) != 1)
      abort ();
  lseek (fd, 0, SEEK_SET);
  return fd;
}

/* want with its one "%d" replaced by fd (no printf: the warnings forbid
 * non-literal formats). */
static void
subst_fd (char *out, size_t n, const char *want, int fd)
{
  const char *p = strstr (want, "%d");

  if (p == NULL)
    snprintf (out, n, "%s", want);
  else
    snprintf (out, n, "%.*s%d%s", (int) (p - want), want, fd, p + 2);
}

static void
expect_seccomp (const char *flag, size_t len, const char *want_ok, const char *want_err)
{
  char fdtext[16];
  int fd = prog_fd (len);
  struct husk_plan plan;
  struct husk_err err;
  int r;

  snprintf (fdtext, sizeof fdtext, "%d", fd);
  r = unit_parse (A (flag, fdtext, "true"), &plan, NULL, &err);
  if (want_ok)
    {
      char *got = r == 0 ? unit_dump_lines (&plan, "seccomp") : strdup (err.msg);
      char want[256];

      subst_fd (want, sizeof want, want_ok, fd);
      ok (r == 0 && strcmp (got, want) == 0, "%s %zu bytes: want [%s] got [%s]",
          flag, len, want, got);
      free (got);
    }
  else
    {
      char want[256];

      subst_fd (want, sizeof want, want_err, fd);
      ok (r < 0 && strcmp (err.msg, want) == 0, "%s %zu bytes: want error [%s] got [%s]",
          flag, len, want, r < 0 ? err.msg : "(success)");
    }
  close (fd);
  plan_free (&plan);
}

static void
test_seccomp (void)
{
  struct husk_plan plan;
  struct husk_err err;
  int a, b;
  char fa[16], fb[16];

  expect_seccomp ("--seccomp", 8, "seccomp insns=1  # --seccomp %d", NULL);
  expect_seccomp ("--add-seccomp-fd", 16, "seccomp insns=2  # --add-seccomp-fd %d", NULL);
  expect_seccomp ("--seccomp-fd", 4096 * 8, "seccomp insns=4096  # --seccomp-fd %d", NULL);
  expect_seccomp ("--seccomp", 0, NULL, "--seccomp %d: the seccomp program is empty");
  expect_seccomp ("--seccomp", 12, NULL,
                  "--seccomp %d: the seccomp program is 12 bytes, not a multiple of 8 (struct sock_filter)");
  expect_seccomp ("--add-seccomp-fd", 4097 * 8, NULL,
                  "--add-seccomp-fd %d: the seccomp program has more than 4096 instructions");
  expect_error (A ("--seccomp", "x", "true"), "--seccomp x: invalid file descriptor \"x\"");
  expect_error (A ("--seccomp-fd", "999", "true"),
                "--seccomp-fd 999: cannot read the seccomp program");

  /* Stacking keeps order; --seccomp replaces; the two kinds do not mix. */
  a = prog_fd (8), b = prog_fd (24);
  snprintf (fa, sizeof fa, "%d", a), snprintf (fb, sizeof fb, "%d", b);
  ok (unit_parse (A ("--add-seccomp-fd", fa, "--seccomp-fd", fb, "true"), &plan, NULL, &err) == 0
        && plan.n_seccomp == 2 && plan.seccomp[0].len == 8 && plan.seccomp[1].len == 24,
      "--add-seccomp-fd then --seccomp-fd: two programs in order");
  plan_free (&plan);
  lseek (a, 0, SEEK_SET), lseek (b, 0, SEEK_SET);
  ok (unit_parse (A ("--seccomp", fa, "--seccomp", fb, "true"), &plan, NULL, &err) == 0
        && plan.n_seccomp == 1 && plan.seccomp[0].len == 24,
      "--seccomp twice: the last one is used");
  plan_free (&plan);
  lseek (a, 0, SEEK_SET), lseek (b, 0, SEEK_SET);
  {
    char want[128];

    snprintf (want, sizeof want, "--add-seccomp-fd %s: cannot be combined with --seccomp %s", fb, fa);
    expect_error (A ("--seccomp", fa, "--add-seccomp-fd", fb, "true"), want);
    lseek (a, 0, SEEK_SET), lseek (b, 0, SEEK_SET);
    snprintf (want, sizeof want, "--seccomp %s: cannot be combined with --seccomp-fd %s", fa, fb);
    expect_error (A ("--seccomp-fd", fb, "--seccomp", fa, "true"), want);
  }
  close (a), close (b);
}

static void
test_labels (void)
{
  struct husk_plan plan;
  struct husk_err err;
  char *got;

  ok (unit_parse (A ("--exec-label", "system_u:system_r:svirt_t:s0", "--file-label", "a\"b",
                     "true"),
                  &plan, NULL, &err)
        == 0,
      "labels parse");
  got = unit_dump_lines (&plan, "exec-label");
  ok (strcmp (got, "exec-label \"system_u:system_r:svirt_t:s0\"  # --exec-label system_u:system_r:svirt_t:s0") == 0,
      "exec-label dump: %s", got);
  free (got);
  got = unit_dump_lines (&plan, "file-label");
  ok (strcmp (got, "file-label \"a\\\"b\"  # --file-label \"a\\\"b\"") == 0, "file-label dump: %s", got);
  free (got);
  plan_free (&plan);
  ok (unit_parse (A ("--exec-label", "a", "--exec-label", "b", "true"), &plan, NULL, &err) == 0
        && strcmp (plan.exec_label, "b") == 0,
      "--exec-label twice: the last wins");
  plan_free (&plan);
  expect_error (A ("--file-label", "", "true"), "--file-label \"\": empty label");
}

int
main (void)
{
  test_caps ();
  test_seccomp ();
  test_labels ();
  return tap_done ();
}
