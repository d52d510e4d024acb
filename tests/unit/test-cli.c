/* test-cli.c: unit tests of the command-line front end, the plan module
 * (constructors, check, dump) and the shared parsers, in-process.  Prints
 * TAP.  Must stay valgrind-clean, error paths included.
 *
 * Must not: need privileges or touch anything but its own pipes/memfds.
 */
#ifndef _GNU_SOURCE
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli/cli.h"
#include "lib/cleanup.h"
#include "lib/parse.h"
#include "lib/xalloc.h"
#include "tap.h"
#include "unit-plan.h"

static char *
err_str (const struct husk_err *err)
{
  char buf[HUSK_ERR_MSG_MAX + 256];

  husk_err_format (err, buf, sizeof buf);
  return xstrdup (buf);
}

/* Parse + check must succeed and the dump must equal `want`. */
static void
expect_dump (const char *desc, const char *const *args, const char *want)
{
  struct husk_plan plan;
  struct husk_err err;
  enum cli_action action;
  cleanup_free char *got = NULL;
  int r = unit_parse (args, &plan, &action, &err);

  if (r == 0)
    r = plan_check (&plan, &err);
  if (r < 0)
    {
      ok (0, "%s (unexpected error: %s)", desc, err.msg);
      plan_free (&plan);
      return;
    }
  got = unit_dump (&plan);
  ok (strcmp (got, want) == 0, "%s", desc);
  if (strcmp (got, want) != 0)
    printf ("# got:\n%s# want:\n%s", got, want);
  plan_free (&plan);
}

/* Parse (then check, when parsing succeeded) must fail with `want`. */
static void
expect_err (const char *desc, const char *const *args, const char *want)
{
  struct husk_plan plan;
  struct husk_err err;
  enum cli_action action;
  cleanup_free char *got = NULL;
  int r = unit_parse (args, &plan, &action, &err);

  if (r == 0)
    r = plan_check (&plan, &err);
  if (r == 0)
    {
      ok (0, "%s (no error, wanted: %s)", desc, want);
      plan_free (&plan);
      return;
    }
  got = err_str (&err);
  ok (strcmp (got, want) == 0, "%s", desc);
  if (strcmp (got, want) != 0)
    {
      diag ("got:  %s", got);
      diag ("want: %s", want);
    }
  plan_free (&plan);
}

/* ---- every flag, through the dump ---- */

static void
test_flags_mounts (void)
{
  expect_dump ("bind family", A ("--bind", "/a", "/b", "--bind-try", "/c", "/d",
                                 "--dev-bind", "/dev", "/dev",
                                 "--dev-bind-try", "/e", "/f",
                                 "--ro-bind", "/usr", "/usr",
                                 "--ro-bind-try", "/g", "h", "true"),
               "op bind src=\"/a\" dest=\"/b\"  # --bind /a /b\n"
               "op bind src=\"/c\" dest=\"/d\" flags=try  # --bind-try /c /d\n"
               "op bind src=\"/dev\" dest=\"/dev\" flags=dev  # --dev-bind /dev /dev\n"
               "op bind src=\"/e\" dest=\"/f\" flags=dev,try  # --dev-bind-try /e /f\n"
               "op bind src=\"/usr\" dest=\"/usr\" flags=ro  # --ro-bind /usr /usr\n"
               "op bind src=\"/g\" dest=\"h\" flags=ro,try  # --ro-bind-try /g h\n"
               "argv \"true\"\n");
  expect_dump ("fd ops", A ("--bind-fd", "3", "/a", "--ro-bind-fd", "4", "/b",
                            "--file", "5", "/c", "--bind-data", "6", "/d",
                            "--ro-bind-data", "7", "/e", "true"),
               "op bind-fd dest=\"/a\" fd=3  # --bind-fd 3 /a\n"
               "op bind-fd dest=\"/b\" fd=4 flags=ro  # --ro-bind-fd 4 /b\n"
               "op file dest=\"/c\" fd=5  # --file 5 /c\n"
               "op bind-data dest=\"/d\" fd=6  # --bind-data 6 /d\n"
               "op bind-data dest=\"/e\" fd=7 flags=ro  # --ro-bind-data 7 /e\n"
               "argv \"true\"\n");
  expect_dump ("dest-only ops", A ("--remount-ro", "/r", "--proc", "/proc",
                                   "--dev", "/dev", "--tmpfs", "/tmp",
                                   "--mqueue", "/dev/mqueue", "--dir", "/d",
                                   "true"),
               "op remount-ro dest=\"/r\"  # --remount-ro /r\n"
               "op proc dest=\"/proc\"  # --proc /proc\n"
               "op dev dest=\"/dev\"  # --dev /dev\n"
               "op tmpfs dest=\"/tmp\"  # --tmpfs /tmp\n"
               "op mqueue dest=\"/dev/mqueue\"  # --mqueue /dev/mqueue\n"
               "op dir dest=\"/d\"  # --dir /d\n"
               "argv \"true\"\n");
  expect_dump ("symlink and chmod", A ("--symlink", "usr/lib", "/lib",
                                       "--chmod", "0755", "/lib", "true"),
               "op symlink src=\"usr/lib\" dest=\"/lib\"  # --symlink usr/lib /lib\n"
               "op chmod dest=\"/lib\" perms=0755  # --chmod 0755 /lib\n"
               "argv \"true\"\n");
  expect_dump ("overlays", A ("--overlay-src", "/l1", "--overlay-src", "/l2",
                              "--overlay", "/up", "/wk", "/o1",
                              "--overlay-src", "/l3", "--tmp-overlay", "/o2",
                              "--overlay-src", "/l4", "--overlay-src", "/l5",
                              "--ro-overlay", "/o3", "true"),
               "op overlay mode=rw lower=\"/l1\" lower=\"/l2\" upper=\"/up\" "
               "work=\"/wk\" dest=\"/o1\"  # --overlay /up /wk /o1\n"
               "op overlay mode=tmp lower=\"/l3\" dest=\"/o2\"  # --tmp-overlay /o2\n"
               "op overlay mode=ro lower=\"/l4\" lower=\"/l5\" dest=\"/o3\"  "
               "# --ro-overlay /o3\n"
               "argv \"true\"\n");
}

static void
test_flags_ns (void)
{
  expect_dump ("each unshare flag", A ("--unshare-user", "--unshare-ipc",
                                       "--unshare-pid", "--unshare-net",
                                       "--unshare-uts", "--unshare-cgroup",
                                       "true"),
               "unshare user ipc pid net uts cgroup  # user: --unshare-user\n"
               "argv \"true\"\n");
  expect_dump ("try variants", A ("--unshare-user-try", "--unshare-cgroup-try",
                                  "true"),
               "unshare user-try cgroup-try  # user: --unshare-user-try\n"
               "argv \"true\"\n");
  expect_dump ("unshare-all", A ("--unshare-all", "true"),
               "unshare user-try ipc pid net uts cgroup-try  # user: --unshare-all\n"
               "argv \"true\"\n");
  expect_dump ("share-net after unshare-all", A ("--unshare-all", "--share-net",
                                                 "true"),
               "unshare user-try ipc pid uts cgroup-try  # user: --unshare-all\n"
               "argv \"true\"\n");
  expect_dump ("share-net before unshare-all", A ("--share-net", "--unshare-all",
                                                  "true"),
               "unshare user-try ipc pid net uts cgroup-try  # user: --unshare-all\n"
               "argv \"true\"\n");
  expect_dump ("explicit user/cgroup after try is mandatory",
               A ("--unshare-all", "--unshare-user", "--unshare-cgroup", "true"),
               "unshare user ipc pid net uts cgroup  # user: --unshare-all\n"
               "argv \"true\"\n");
  expect_dump ("try after explicit stays mandatory",
               A ("--unshare-user", "--unshare-cgroup", "--unshare-user-try",
                  "--unshare-cgroup-try", "true"),
               "unshare user cgroup  # user: --unshare-user\n"
               "argv \"true\"\n");
  expect_dump ("uid gid hostname", A ("--unshare-uts", "--uid", "0", "--gid",
                                      "4294967294", "--hostname", "box",
                                      "true"),
               "unshare uts\n"
               "uid 0  # --uid 0\n"
               "gid 4294967294  # --gid 4294967294\n"
               "hostname \"box\"  # --hostname box\n"
               "argv \"true\"\n");
  expect_dump ("uid later wins, printed unsigned",
               A ("--uid", "5", "--uid", "4294967294", "true"),
               "uid 4294967294  # --uid 4294967294\n"
               "argv \"true\"\n");
}

static void
test_flags_process (void)
{
  expect_dump ("env edits in order", A ("--setenv", "A", "1", "--unsetenv", "B",
                                        "--clearenv", "--setenv", "C", "",
                                        "true"),
               "env set name=\"A\" value=\"1\"  # --setenv A 1\n"
               "env unset name=\"B\"  # --unsetenv B\n"
               "env clear  # --clearenv\n"
               "env set name=\"C\" value=\"\"  # --setenv C \"\"\n"
               "argv \"true\"\n");
  expect_dump ("chdir argv0 process flags",
               A ("--chdir", "/x", "--chdir", "/y", "--argv0", "b",
                  "--die-with-parent", "--new-session", "--unshare-pid",
                  "--as-pid-1", "sh", "-c", "echo"),
               "unshare pid\n"
               "chdir \"/y\"  # --chdir /y\n"
               "argv0 \"b\"\n"
               "argv \"sh\" \"-c\" \"echo\"\n"
               "process die-with-parent new-session as-pid-1\n");
  expect_dump ("escapes in dump and origin",
               A ("--setenv", "V", "a\"b\\c\nd\te\001\377", "--", "x y"),
               "env set name=\"V\" value=\"a\\\"b\\\\c\\nd\\te\\001\\377\"  "
               "# --setenv V \"a\\\"b\\\\c\\nd\\te\\001\\377\"\n"
               "argv \"x y\"\n");
}

static void
test_flags_general (void)
{
  struct husk_plan plan;
  struct husk_err err;
  enum cli_action action;
  int r;

  r = unit_parse (A ("--help", "--no-such-flag", "--perms"), &plan, &action, &err);
  ok (r == 0 && action == CLI_HELP, "--help stops parsing");
  plan_free (&plan);
  r = unit_parse (A ("--perms", "0700", "--version"), &plan, &action, &err);
  ok (r == 0 && action == CLI_VERSION, "--version stops parsing");
  plan_free (&plan);
  r = unit_parse (A ("--print-plan", "true"), &plan, &action, &err);
  ok (r == 0 && action == CLI_PRINT_PLAN && plan.print_plan,
      "--print-plan gives CLI_PRINT_PLAN");
  plan_free (&plan);
  r = unit_parse (A ("true"), &plan, &action, &err);
  ok (r == 0 && action == CLI_RUN && !plan.print_plan, "default is CLI_RUN");
  plan_free (&plan);
  r = unit_parse (A ("--level-prefix", "true"), &plan, &action, &err);
  ok (r == 0 && husk_level_prefix == 1, "--level-prefix sets the prefix");
  husk_level_prefix = 0;
  plan_free (&plan);
}

/* ---- ordering, --perms/--size, overlays ---- */

static void
test_order (void)
{
  struct husk_plan plan;
  struct husk_err err;
  enum cli_action action;
  int r;

  r = unit_parse (A ("--tmpfs", "/a", "--bind", "/x", "/a/x", "--remount-ro", "/a", "--dir", "/a/d",
                     "true", "--bind", "arg"),
                  &plan, &action, &err);
  ok (r == 0 && plan.n_ops == 4 && plan.ops[0].kind == HUSK_OP_TMPFS
      && plan.ops[1].kind == HUSK_OP_BIND
      && plan.ops[2].kind == HUSK_OP_REMOUNT_RO
      && plan.ops[3].kind == HUSK_OP_DIR, "ops keep command-line order");
  ok (r == 0 && plan.ops[1].origin.argi == 3
      && strcmp (plan.ops[1].origin.where, "--bind /x /a/x") == 0,
      "origin has argv index and text as typed");
  ok (r == 0 && plan.argc == 3 && strcmp (plan.argv[0], "true") == 0
      && strcmp (plan.argv[1], "--bind") == 0 && plan.argv[3] == NULL,
      "command starts at the first non-option and is NULL-terminated");
  ok (r == 0 && plan.ops[0].fd == -1 && plan.ops[0].perms == HUSK_PERMS_UNSET
      && plan.ops[0].size == HUSK_SIZE_UNSET, "op defaults");
  plan_free (&plan);
  expect_dump ("-- ends options", A ("--dir", "/d", "--", "--bind", "x"),
               "op dir dest=\"/d\"  # --dir /d\nargv \"--bind\" \"x\"\n");
  expect_dump ("relative destinations kept as given",
               A ("--dir", "rel/d", "--tmpfs", "./t", "true"),
               "op dir dest=\"rel/d\"  # --dir rel/d\n"
               "op tmpfs dest=\"./t\"  # --tmpfs ./t\nargv \"true\"\n");
}

static void
test_perms_size (void)
{
  expect_dump ("--perms consumers", A ("--perms", "700", "--dir", "/d",
                                       "--perms", "0600", "--file", "3", "/f",
                                       "--perms", "0644", "--bind-data", "4", "/b",
                                       "--perms", "0444", "--ro-bind-data", "5", "/r",
                                       "--perms", "01777", "--tmpfs", "/t",
                                       "--dir", "/plain", "true"),
               "op dir dest=\"/d\" perms=0700  # --dir /d\n"
               "op file dest=\"/f\" fd=3 perms=0600  # --file 3 /f\n"
               "op bind-data dest=\"/b\" fd=4 perms=0644  # --bind-data 4 /b\n"
               "op bind-data dest=\"/r\" fd=5 flags=ro perms=0444  # --ro-bind-data 5 /r\n"
               "op tmpfs dest=\"/t\" perms=1777  # --tmpfs /t\n"
               "op dir dest=\"/plain\"  # --dir /plain\n"
               "argv \"true\"\n");
  expect_dump ("--perms and --size in either order",
               A ("--perms", "700", "--size", "1000", "--tmpfs", "/a",
                  "--size", "2000", "--perms", "750", "--tmpfs", "/b",
                  "--size", "18446744073709551615", "--tmpfs", "/c", "true"),
               "op tmpfs dest=\"/a\" perms=0700 size=1000  # --tmpfs /a\n"
               "op tmpfs dest=\"/b\" perms=0750 size=2000  # --tmpfs /b\n"
               "op tmpfs dest=\"/c\" size=18446744073709551615  # --tmpfs /c\n"
               "argv \"true\"\n");
  expect_err ("--perms before a non-consumer",
              A ("--perms", "0700", "--bind", "/a", "/b", "true"),
              "--perms 0700: must be followed by --dir, --file, --bind-data, "
              "--ro-bind-data or --tmpfs");
  expect_err ("--perms before --chmod", A ("--perms", "0700", "--chmod", "0700",
                                           "/a", "true"),
              "--perms 0700: must be followed by --dir, --file, --bind-data, "
              "--ro-bind-data or --tmpfs");
  expect_err ("--perms twice", A ("--perms", "0700", "--perms", "0755",
                                  "--dir", "/a", "true"),
              "--perms 0700: must be followed by --dir, --file, --bind-data, "
              "--ro-bind-data or --tmpfs");
  expect_err ("--perms at the end of options", A ("--perms", "0700", "true"),
              "--perms 0700: must be followed by --dir, --file, --bind-data, "
              "--ro-bind-data or --tmpfs");
  expect_err ("--perms at the very end", A ("--perms", "0700"),
              "--perms 0700: must be followed by --dir, --file, --bind-data, "
              "--ro-bind-data or --tmpfs");
  expect_err ("--size before --dir", A ("--size", "100", "--dir", "/d", "true"),
              "--size 100: must be followed by --tmpfs");
  expect_err ("--size left after --perms consumer",
              A ("--perms", "700", "--size", "100", "--dir", "/d", "true"),
              "--size 100: must be followed by --tmpfs");
  expect_err ("--size twice", A ("--size", "100", "--size", "200", "--tmpfs",
                                 "/t", "true"),
              "--size 100: must be followed by --tmpfs");
  expect_err ("--size at end", A ("--size", "100", "--", "true"),
              "--size 100: must be followed by --tmpfs");
  expect_err ("--perms bad octal", A ("--perms", "0800", "--dir", "/d", "true"),
              "--perms 0800: invalid octal mode \"0800\"");
  expect_err ("--perms too big", A ("--perms", "10000", "--dir", "/d", "true"),
              "--perms 10000: invalid octal mode \"10000\"");
  expect_err ("--chmod bad mode", A ("--chmod", "-1", "/d", "true"),
              "--chmod -1 /d: invalid octal mode \"-1\"");
  expect_err ("--size 0", A ("--size", "0", "--tmpfs", "/t", "true"),
              "--size 0: invalid size \"0\"");
  expect_err ("--size overflow", A ("--size", "18446744073709551616", "--tmpfs",
                                    "/t", "true"),
              "--size 18446744073709551616: invalid size \"18446744073709551616\"");
  expect_err ("--size with unit", A ("--size", "1k", "--tmpfs", "/t", "true"),
              "--size 1k: invalid size \"1k\"");
}

static void
test_overlay_rules (void)
{
  expect_err ("--overlay-src then other option",
              A ("--overlay-src", "/a", "--overlay-src", "/b", "--dir", "/d",
                 "true"),
              "--overlay-src /b: must be followed by --overlay, --tmp-overlay "
              "or --ro-overlay");
  expect_err ("--overlay-src at end", A ("--overlay-src", "/a", "true"),
              "--overlay-src /a: must be followed by --overlay, --tmp-overlay "
              "or --ro-overlay");
  expect_err ("--overlay without sources", A ("--overlay", "/u", "/w", "/d",
                                              "true"),
              "--overlay /u /w /d: needs at least one --overlay-src before it");
  expect_err ("--tmp-overlay without sources", A ("--tmp-overlay", "/d", "true"),
              "--tmp-overlay /d: needs at least one --overlay-src before it");
  expect_err ("sources are consumed", A ("--overlay-src", "/a", "--tmp-overlay",
                                         "/d", "--tmp-overlay", "/e", "true"),
              "--tmp-overlay /e: needs at least one --overlay-src before it");
  expect_err ("--ro-overlay needs two layers",
              A ("--overlay-src", "/a", "--ro-overlay", "/d", "true"),
              "--ro-overlay /d: a read-only overlay needs at least two lower "
              "layers (--overlay-src)");
  expect_err ("--perms while sources pending",
              A ("--overlay-src", "/a", "--perms", "0700", "--tmp-overlay", "/d",
                 "true"),
              "--overlay-src /a: must be followed by --overlay, --tmp-overlay "
              "or --ro-overlay");
  expect_err ("empty overlay layer", A ("--overlay-src", "", "--tmp-overlay",
                                        "/d", "true"),
              "--tmp-overlay /d: empty lower layer");
  expect_err ("empty overlay workdir", A ("--overlay-src", "/a", "--overlay",
                                          "/u", "", "/d", "true"),
              "--overlay /u \"\" /d: empty work directory");
}

/* ---- --args ---- */

/* A readable fd holding len bytes of data (a memfd, rewound). */
static int
data_fd (const char *data, size_t len)
{
  int fd = memfd_create ("husk-test-args", MFD_CLOEXEC);
  size_t off = 0;

  if (fd < 0)
    abort ();
  while (off < len)
    {
      ssize_t w = write (fd, data + off, len - off);
      if (w <= 0)
        abort ();
      off += (size_t) w;
    }
  if (lseek (fd, 0, SEEK_SET) != 0)
    abort ();
  return fd;
}

/* A pipe's read end holding data (small only: must fit the pipe buffer). */
static int
pipe_fd (const char *data, size_t len)
{
  int p[2];

  if (pipe (p) < 0 || write (p[1], data, len) != (ssize_t) len)
    abort ();
  close (p[1]);
  return p[0];
}

static void
test_args_basic (void)
{
  struct husk_plan plan;
  struct husk_err err;
  enum cli_action action;
  char fdbuf[16], fdbuf2[16];
  int fd, fd2, r;

  fd = pipe_fd ("--bind\0/a\0/b\0--dir\0/d", 22);
  snprintf (fdbuf, sizeof fdbuf, "%d", fd);
  r = unit_parse (A ("--tmpfs", "/t", "--args", fdbuf, "--proc", "/proc", "true"), &plan, &action,
                  &err);
  ok (r == 0 && plan.n_ops == 4 && plan.ops[1].kind == HUSK_OP_BIND
      && plan.ops[2].kind == HUSK_OP_DIR && plan.ops[3].kind == HUSK_OP_PROC,
      "--args spliced in place (pipe, no trailing NUL)");
  ok (r == 0 && plan.ops[1].origin.argi == -1 && plan.ops[3].origin.argi == 5
      && strcmp (plan.ops[2].origin.where, "--dir /d") == 0,
      "--args origins: argi -1 inside the stream");
  plan_free (&plan);
  close (fd);

  fd = pipe_fd ("--bind\0/a\0", 10);
  snprintf (fdbuf, sizeof fdbuf, "%d", fd);
  expect_dump ("option arguments continue after the stream",
               A ("--args", fdbuf, "/b", "true"),
               "op bind src=\"/a\" dest=\"/b\"  # --bind /a /b\nargv \"true\"\n");
  close (fd);

  fd = pipe_fd ("--dir\0/d\0cmd\0--x\0\0", 18);
  snprintf (fdbuf, sizeof fdbuf, "%d", fd);
  expect_dump ("command from the stream, empty argument kept",
               A ("--args", fdbuf, "tail"),
               "op dir dest=\"/d\"  # --dir /d\n"
               "argv \"cmd\" \"--x\" \"\" \"tail\"\n");
  close (fd);

  fd = pipe_fd ("", 0);
  snprintf (fdbuf, sizeof fdbuf, "%d", fd);
  expect_dump ("empty stream adds nothing", A ("--args", fdbuf, "true"),
               "argv \"true\"\n");
  close (fd);

  fd = pipe_fd ("--dir\0/d\0", 9);
  snprintf (fdbuf, sizeof fdbuf, "%d", fd);
  expect_dump ("--perms pending across --args",
               A ("--perms", "0700", "--args", fdbuf, "true"),
               "op dir dest=\"/d\" perms=0700  # --dir /d\nargv \"true\"\n");
  close (fd);

  fd2 = pipe_fd ("--proc\0/p\0", 10);
  snprintf (fdbuf2, sizeof fdbuf2, "%d", fd2);
  {
    char inner[64];
    int n = snprintf (inner, sizeof inner, "--dir%c/a%c--args%c%s%c--dir%c/b",
                      0, 0, 0, fdbuf2, 0, 0);
    fd = pipe_fd (inner, (size_t) n);
  }
  snprintf (fdbuf, sizeof fdbuf, "%d", fd);
  expect_dump ("nested --args", A ("--args", fdbuf, "true"),
               "op dir dest=\"/a\"  # --dir /a\n"
               "op proc dest=\"/p\"  # --proc /p\n"
               "op dir dest=\"/b\"  # --dir /b\nargv \"true\"\n");
  close (fd);
  close (fd2);
}

/* A chain of `levels` streams, each holding "--args <next>", the last
 * holding "--dir /deep".  Returns the first fd; fds[] gets them all. */
static int
args_chain (int *fds, int levels)
{
  int i;

  fds[levels - 1] = pipe_fd ("--dir\0/deep\0", 12);
  for (i = levels - 2; i >= 0; i--)
    {
      char buf[32];
      int n = snprintf (buf, sizeof buf, "--args%c%d", 0, fds[i + 1]);
      fds[i] = pipe_fd (buf, (size_t) n);
    }
  return fds[0];
}

static void
test_args_limits (void)
{
  int fds[CLI_ARGS_MAX_DEPTH + 1];
  char fdbuf[16], want[128];
  int i;

  snprintf (fdbuf, sizeof fdbuf, "%d", args_chain (fds, CLI_ARGS_MAX_DEPTH));
  expect_dump ("--args nested to the maximum depth", A ("--args", fdbuf, "true"),
               "op dir dest=\"/deep\"  # --dir /deep\nargv \"true\"\n");
  for (i = 0; i < CLI_ARGS_MAX_DEPTH; i++)
    close (fds[i]);

  snprintf (fdbuf, sizeof fdbuf, "%d", args_chain (fds, CLI_ARGS_MAX_DEPTH + 1));
  snprintf (want, sizeof want, "--args %d: --args nested more than %d deep",
            fds[CLI_ARGS_MAX_DEPTH], CLI_ARGS_MAX_DEPTH);
  expect_err ("--args nested too deep", A ("--args", fdbuf, "true"), want);
  for (i = 0; i <= CLI_ARGS_MAX_DEPTH; i++)
    close (fds[i]);

  expect_err ("--args closed fd", A ("--args", "99", "true"),
              "--args 99: cannot read arguments: Bad file descriptor");
  expect_err ("--args bad fd", A ("--args", "x", "true"),
              "--args x: invalid file descriptor \"x\"");
  expect_err ("--args missing fd", A ("--args"), "--args: takes 1 argument");
}

/* A memfd with "--chdir\0" followed by filler, len bytes in all. */
static int
big_stream (size_t len)
{
  cleanup_free char *buf = xmalloc (len);
  memset (buf, 'x', len);
  memcpy (buf, "--chdir", 8);
  return data_fd (buf, len);
}

static void
test_args_caps (void)
{
  enum { N = CLI_ARGS_MAX_TOTAL / CLI_ARGS_MAX_BYTES };
  const char *argv[2 * (N + 1) + 2];
  char fdbufs[N + 1][16], want[128];
  int fds[N + 1];
  int i, fd;

  fd = big_stream (CLI_ARGS_MAX_BYTES);
  snprintf (fdbufs[0], sizeof fdbufs[0], "%d", fd);
  expect_dump ("--args stream of exactly the per-stream cap",
               A ("--args", fdbufs[0], "--chdir", "/y", "true"),
               "chdir \"/y\"  # --chdir /y\nargv \"true\"\n");
  close (fd);

  fd = big_stream (CLI_ARGS_MAX_BYTES + 1);
  snprintf (fdbufs[0], sizeof fdbufs[0], "%d", fd);
  snprintf (want, sizeof want, "--args %d: more than %d bytes of arguments",
            fd, CLI_ARGS_MAX_BYTES);
  expect_err ("--args stream over the per-stream cap",
              A ("--args", fdbufs[0], "true"), want);
  close (fd);

  for (i = 0; i <= N; i++)
    {
      fds[i] = big_stream (CLI_ARGS_MAX_BYTES);
      snprintf (fdbufs[i], sizeof fdbufs[i], "%d", fds[i]);
      argv[2 * i] = "--args";
      argv[2 * i + 1] = fdbufs[i];
    }
  argv[2 * (N + 1)] = "true";
  argv[2 * (N + 1) + 1] = NULL;
  snprintf (want, sizeof want, "--args %d: more than %d bytes of arguments "
            "in all --args streams", fds[N], CLI_ARGS_MAX_TOTAL);
  expect_err ("--args streams over the total cap", argv, want);
  for (i = 0; i <= N; i++)
    close (fds[i]);
}

/* ---- numbers ---- */

static void
test_parsers (void)
{
  static const char *const bad_ids[] = {
    "", "-1", "+1", " 1", "1 ", "1x", "0x10", "4294967295", "4294967296",
    "99999999999999999999999", "1.0",
  };
  static const char *const bad_fds[] = { "", "-0", "+3", "2147483648", "3 ", "a" };
  static const char *const bad_modes[] = { "", "8", "10000", "-7", "0o7", "7 " };
  uint32_t id = 7;
  uint64_t size;
  size_t i;
  int fd, mode, all;

  ok (parse_id ("4294967294", &id) == 0 && id == 4294967294u, "parse_id max");
  ok (parse_id ("0", &id) == 0 && id == 0, "parse_id 0");
  ok (parse_id ("007", &id) == 0 && id == 7, "parse_id leading zeros");
  for (all = 1, i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++)
    all &= parse_id (bad_ids[i], &id) < 0;
  ok (all && id == 7, "parse_id rejects signs, spaces, junk, overflow, -1");
  ok (parse_fd ("2147483647", &fd) == 0 && fd == 2147483647, "parse_fd max");
  for (all = 1, i = 0; i < sizeof bad_fds / sizeof bad_fds[0]; i++)
    all &= parse_fd (bad_fds[i], &fd) < 0;
  ok (all, "parse_fd rejects bad input");
  ok (parse_octal_mode ("07777", &mode) == 0 && mode == 07777
      && parse_octal_mode ("0", &mode) == 0 && mode == 0,
      "parse_octal_mode range");
  for (all = 1, i = 0; i < sizeof bad_modes / sizeof bad_modes[0]; i++)
    all &= parse_octal_mode (bad_modes[i], &mode) < 0;
  ok (all, "parse_octal_mode rejects bad input");
  ok (parse_size ("1", &size) == 0 && size == 1
      && parse_size ("18446744073709551615", &size) == 0
      && size == UINT64_MAX, "parse_size range");
  ok (parse_size ("0", &size) < 0 && parse_size ("", &size) < 0
      && parse_size ("-1", &size) < 0
      && parse_size ("18446744073709551616", &size) < 0,
      "parse_size rejects 0, empty, sign, overflow");
  {
    static const char *const bad_lists[] = { "",    ",",    "0,", ",0",  "0-",    "-1",  "1-0",
                                             "0 1", "0, 1", "a",  "128", "0-128", "00x", "1--2" };
    uint64_t bits[2] = { 7, 7 };

    ok (parse_bit_list ("0-3,7,64,127", bits, 128) == 0 && bits[0] == 0x8f
          && bits[1] == (UINT64_C (1) | UINT64_C (1) << 63),
        "parse_bit_list ranges and single numbers");
    ok (parse_bit_list ("5,5,3-5", bits, 128) == 0 && bits[0] == 0x38 && bits[1] == 0,
        "parse_bit_list overlaps, unsorted items");
    for (all = 1, i = 0; i < sizeof bad_lists / sizeof bad_lists[0]; i++)
      all &= parse_bit_list (bad_lists[i], bits, 128) < 0;
    ok (all && bits[0] == 0x38, "parse_bit_list rejects bad lists and keeps bits[]");
  }

  expect_err ("uid 4294967295 rejected", A ("--uid", "4294967295", "true"),
              "--uid 4294967295: invalid uid \"4294967295\"");
  expect_err ("uid abc", A ("--uid", "abc", "true"),
              "--uid abc: invalid uid \"abc\"");
  expect_err ("uid -1", A ("--uid", "-1", "true"), "--uid -1: invalid uid \"-1\"");
  expect_err ("uid empty", A ("--uid", "", "true"),
              "--uid \"\": invalid uid \"\"");
  expect_err ("gid with space", A ("--gid", " 1", "true"),
              "--gid \" 1\": invalid gid \" 1\"");
  expect_err ("gid overflow", A ("--gid", "99999999999", "true"),
              "--gid 99999999999: invalid gid \"99999999999\"");
  expect_err ("bind-fd negative", A ("--bind-fd", "-1", "/a", "true"),
              "--bind-fd -1 /a: invalid file descriptor \"-1\"");
  expect_err ("file fd junk", A ("--file", "3x", "/a", "true"),
              "--file 3x /a: invalid file descriptor \"3x\"");
  expect_err ("ro-bind-data fd too big",
              A ("--ro-bind-data", "2147483648", "/a", "true"),
              "--ro-bind-data 2147483648 /a: invalid file descriptor "
              "\"2147483648\"");
}

/* ---- syntax errors and plan_check ---- */

static void
test_errors (void)
{
  expect_err ("unknown option", A ("--frobnicate", "true"),
              "unknown option --frobnicate");
  expect_err ("short option unknown", A ("-x", "true"), "unknown option -x");
  expect_err ("lone dash is unknown", A ("-", "true"), "unknown option -");
  expect_err ("unknown option after --args splice-free ones",
              A ("--dir", "/d", "--Dir", "/e", "true"), "unknown option --Dir");
  expect_err ("missing arguments: --bind", A ("--bind", "/a"),
              "--bind: takes 2 arguments");
  expect_err ("missing arguments: --tmpfs", A ("--tmpfs"),
              "--tmpfs: takes 1 argument");
  expect_err ("missing arguments: --overlay",
              A ("--overlay-src", "/l", "--overlay", "/u", "/w"),
              "--overlay: takes 3 arguments");
  expect_err ("missing arguments: --setenv", A ("--setenv", "A"),
              "--setenv: takes 2 arguments");
  expect_err ("no command", A ("--dir", "/d"), "no command specified");
  expect_err ("no command after --", A ("--"), "no command specified");
  expect_err ("hostname needs uts", A ("--hostname", "box", "true"),
              "--hostname box: requires a new uts namespace (--unshare-uts)");
  expect_err ("hostname too long",
              A ("--unshare-uts", "--hostname",
                 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                 "true"),
              "--hostname aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
              "aaaaaaaaaaaa: hostname longer than 64 bytes");
  expect_err ("empty destination", A ("--bind", "/a", "", "true"),
              "--bind /a \"\": empty destination");
  expect_err ("empty bind source", A ("--ro-bind", "", "/a", "true"),
              "--ro-bind \"\" /a: empty source");
  expect_err ("empty tmpfs dest", A ("--tmpfs", "", "true"),
              "--tmpfs \"\": empty destination");
  expect_err ("empty symlink target", A ("--symlink", "", "/l", "true"),
              "--symlink \"\" /l: empty symlink target");
  expect_err ("setenv name with =", A ("--setenv", "A=B", "x", "true"),
              "--setenv A=B x: invalid variable name \"A=B\"");
  expect_err ("setenv empty name", A ("--setenv", "", "x", "true"),
              "--setenv \"\" x: invalid variable name \"\"");
  expect_err ("unsetenv name with =", A ("--unsetenv", "A=", "true"),
              "--unsetenv A=: invalid variable name \"A=\"");
  expect_err ("empty chdir", A ("--chdir", "", "true"),
              "--chdir \"\": empty directory");
  expect_dump ("uid without userns is not a check error",
               A ("--uid", "1", "--gid", "2", "true"),
               "uid 1  # --uid 1\ngid 2  # --gid 2\nargv \"true\"\n");
}

/* ---- plan API, check on hand-built plans, err ---- */

static void
test_plan_api (void)
{
  struct husk_plan plan;
  struct husk_err err;
  struct husk_origin o = origin_make (4, "--x %d", 5);
  struct husk_op *op;
  cleanup_free char *got = NULL;
  int kinds_ok = 1, k;

  ok (strcmp (o.where, "--x 5") == 0 && o.argi == 4, "origin_make");
  plan_init (&plan);
  plan_keep_fd (&plan, 5);
  plan_keep_fd (&plan, 3);
  plan_keep_fd (&plan, 5);
  plan_keep_fd (&plan, 4);
  ok (plan.n_keep_fds == 3 && plan.keep_fds[0] == 3 && plan.keep_fds[1] == 4
      && plan.keep_fds[2] == 5, "plan_keep_fd sorted and unique");
  op = plan_add_op (&plan, HUSK_OP_CHMOD, &o);
  op->dest = xstrdup ("/x");
  ok (op->origin.where != o.where && strcmp (op->origin.where, "--x 5") == 0,
      "plan_add_op copies the origin");
  ok (plan_check (&plan, &err) < 0
      && strcmp (err.msg, "no command specified") == 0, "check: no command");
  plan.argv = xcalloc (2, sizeof *plan.argv);
  plan.argv[0] = xstrdup ("true");
  plan.argc = 1;
  ok (plan_check (&plan, &err) < 0
      && strcmp (err.msg, "--x 5: no mode given") == 0, "check: chmod needs a mode");
  op->perms = 0644;
  op->size = 10;
  ok (plan_check (&plan, &err) < 0
      && strcmp (err.msg, "--x 5: a size only applies to a tmpfs") == 0,
      "check: size only on tmpfs");
  op->size = HUSK_SIZE_UNSET;
  op->flags = HUSK_OPF_RO;
  ok (plan_check (&plan, &err) < 0
      && strcmp (err.msg, "--x 5: flags not valid for a chmod operation") == 0,
      "check: flags per kind");
  op->flags = 0;
  op = plan_add_op (&plan, HUSK_OP_FILE, &o);
  op->dest = xstrdup ("/f");
  ok (plan_check (&plan, &err) < 0
      && strcmp (err.msg, "--x 5: invalid file descriptor") == 0,
      "check: file needs an fd");
  op->fd = 0;
  plan.has_uid = true;
  plan.uid = (uid_t) -1;
  ok (plan_check (&plan, &err) < 0 && strcmp (err.msg, "uid: invalid uid") == 0,
      "check: uid -1 from another front end");
  plan.has_uid = false;
  plan_add_env (&plan, HUSK_ENV_SET, "K", "V", NULL);
  plan.unshare = HUSK_NS_MNT | HUSK_NS_NET;
  ok (plan_check (&plan, &err) == 0, "check: hand-built plan passes");
  got = unit_dump (&plan);
  ok (strcmp (got, "unshare net mnt\n"
              "op chmod dest=\"/x\" perms=0644  # --x 5\n"
              "op file dest=\"/f\" fd=0  # --x 5\n"
              "env set name=\"K\" value=\"V\"\n"
              "argv \"true\"\n"
              "keep-fds 3 4 5\n") == 0, "dump of a hand-built plan");
  for (k = 0; k < HUSK_OP_KIND_COUNT; k++)
    kinds_ok &= strcmp (plan_op_kind_name ((enum husk_op_kind) k), "unknown") != 0;
  ok (kinds_ok, "every op kind has a name");
  plan_free (&plan);
  ok (plan.n_ops == 0 && plan.ops == NULL && plan.argv == NULL,
      "plan_free leaves an initialised plan");
  plan_free (&plan);
  origin_free (&o);
}

static void
test_err (void)
{
  struct husk_err err;
  char buf[HUSK_ERR_MSG_MAX + 256];
  cleanup_free char *out = NULL;
  size_t len = 0;
  FILE *f;
  int saved;

  husk_err_set (&err, ENOENT, "--bind /nope /x");
  husk_err_format (&err, buf, sizeof buf);
  ok (strcmp (buf, "--bind /nope /x: No such file or directory") == 0,
      "husk_err_format with errno");
  husk_err_set (&err, 0, "inner");
  husk_err_prefix (&err, "outer %d", 1);
  ok (strcmp (err.msg, "outer 1: inner") == 0, "husk_err_prefix");
  memset (err.msg, 'm', sizeof err.msg - 1);
  err.msg[sizeof err.msg - 1] = '\0';
  husk_err_prefix (&err, "ctx");
  ok (strncmp (err.msg, "ctx: mmm", 8) == 0
      && strlen (err.msg) == sizeof err.msg - 1, "husk_err_prefix truncates");
  errno = EACCES;
  ok (husk_err_sys (&err, "x") == -1 && err.errnum == EACCES, "husk_err_sys");
  /* Quoted text cannot break the line or steer a terminal. */
  husk_err_set (&err, 0, "open %s", "a\nb\tc\x1b[31m\x7f");
  ok (strcmp (err.msg, "open a?b?c?[31m?") == 0, "C0 controls and DEL become '?' (%s)", err.msg);
  husk_err_set (&err, 0, "%s",
                "x\xc2\x9b" "31m\x9b" "y\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xff\xc0\xaf");
  ok (strcmp (err.msg, "x??31m?y\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80???") == 0,
      "C1 controls and ill-formed UTF-8 become '?', other UTF-8 stays (%s)", err.msg);
  husk_err_set (&err, 0, "ok");
  husk_err_hint (&err, "h\nint");
  ok (strcmp (err.hint, "h?int") == 0, "hints too");
  errno = ENOENT;
  husk_err_sys (&err, "%s", "\xed\xa0\x80");
  ok (strcmp (err.msg, "???") == 0 && err.errnum == ENOENT, "a UTF-16 surrogate is ill-formed");

  /* Capture stderr to check the printed lines. */
  f = tmpfile ();
  fflush (stderr);
  saved = dup (2);
  dup2 (fileno (f), 2);
  husk_err_set (&err, 0, "boom");
  husk_err_hint (&err, "try %s", "this");
  husk_err_print (&err);
  husk_level_prefix = 1;
  husk_err_print (&err);
  husk_warn ("careful");
  husk_level_prefix = 0;
  fflush (stderr);
  dup2 (saved, 2);
  close (saved);
  len = (size_t) ftell (f);
  out = xcalloc (len + 1, 1);
  rewind (f);
  ok (fread (out, 1, len, f) == len, "read captured stderr");
  fclose (f);
  ok (strcmp (out, "husk: boom\nhusk: hint: try this\n"
              "<3>husk: boom\n<3>husk: hint: try this\n"
              "<4>husk: warning: careful\n") == 0,
      "husk_err_print, hints, --level-prefix levels");
}

static void
test_help (void)
{
  cleanup_free char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);

  cli_print_help (f);
  cli_print_version (f);
  fclose (f);
  ok (strncmp (buf, "usage: husk [OPTIONS...] [--] COMMAND [ARGS...]\n", 48) == 0
      && strstr (buf, "\n    --overlay RWSRC WORKDIR DEST  ") != NULL
      && strstr (buf, "\n    --as-pid-1  ") != NULL
      && strstr (buf, "\nhusk ") != NULL, "help lists options, version line");
  ok (strstr (buf, "\nhusk " PACKAGE_VERSION "\n+SECCOMP ") != NULL
#if defined HAVE_SELINUX || defined HUSK_SELINUX_KERNEL
      && strstr (buf, " +SELINUX") != NULL
#else
      && strstr (buf, " -SELINUX") != NULL
#endif
#if defined HAVE_APPARMOR || defined HUSK_APPARMOR_KERNEL
      && strstr (buf, " +APPARMOR\n") != NULL,
#else
      && strstr (buf, " -APPARMOR\n") != NULL,
#endif
      "version line, then the features line from configure");
}

static void
test_all (void)
{
  test_flags_mounts ();
  test_flags_ns ();
  test_flags_process ();
  test_flags_general ();
  test_order ();
  test_perms_size ();
  test_overlay_rules ();
  test_args_basic ();
  test_args_limits ();
  test_args_caps ();
  test_parsers ();
  test_errors ();
  test_plan_api ();
  test_err ();
  test_help ();
}


int
main (void)
{
  test_all ();
  return tap_done ();
}
