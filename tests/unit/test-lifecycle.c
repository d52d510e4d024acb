/* test-lifecycle.c: unit tests of the lifecycle and id-map options
 * (opts_lifecycle.c) and their plan rules (check.c) and dump lines, in
 * process.  Prints TAP.  Must stay valgrind-clean, error paths included.
 *
 * Must not: need privileges, or run a sandbox.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "lib/err.h"
#include "plan/plan.h"
#include "tap.h"
#include "unit-plan.h"

static void
test_fds (void)
{
  struct husk_plan plan;
  struct husk_err err;
  char *d;

  plan_init (&plan);
  ok (plan.info_fd.fd == -1 && plan.json_status_fd.fd == -1 && plan.sync_fd.fd == -1
          && plan.block_fd.fd == -1 && plan.userns_block_fd.fd == -1
          && plan.userns_fd.fd == -1 && plan.userns2_fd.fd == -1,
      "plan_init: every lifecycle fd is -1");
  plan_free (&plan);

  ok (unit_build (A ("--info-fd", "3", "--json-status-fd", "4", "--sync-fd", "5", "--block-fd",
                     "6", "true"),
                  &plan, &err)
        == 0,
      "fd flags parse");
  ok (plan.info_fd.fd == 3 && plan.json_status_fd.fd == 4 && plan.sync_fd.fd == 5
          && plan.block_fd.fd == 6,
      "fd flags land in their fields");
  ok (plan.n_keep_fds == 0, "none of them is an fd the program keeps");
  ok (strcmp (plan.json_status_fd.origin.where, "--json-status-fd 4") == 0,
      "origin of --json-status-fd is the flag as typed");
  d = unit_dump (&plan);
  ok (strstr (d, "\ninfo-fd 3  # --info-fd 3\njson-status-fd 4  # --json-status-fd 4\n"
                 "sync-fd 5  # --sync-fd 5\nblock-fd 6  # --block-fd 6\n")
          != NULL,
      "dump: one line per fd flag, in order");
  free (d);
  plan_free (&plan);

  ok (unit_build (A ("--sync-fd", "3", "--sync-fd", "7", "true"), &plan, &err) == 0
        && plan.sync_fd.fd == 7 && strcmp (plan.sync_fd.origin.where, "--sync-fd 7") == 0,
      "a repeated fd flag replaces the earlier one");
  plan_free (&plan);

  unit_fails (A ("--info-fd", "x", "true"), "--info-fd x: invalid file descriptor \"x\"",
              "--info-fd x is an error");
  unit_fails (A ("--block-fd", "", "true"), "--block-fd \"\": invalid file descriptor \"\"",
              "--block-fd with an empty fd is an error");
  unit_fails (A ("--sync-fd", "2147483648", "true"),
              "--sync-fd 2147483648: invalid file descriptor \"2147483648\"",
              "an fd above INT_MAX is an error");
}

static void
test_userns_block (void)
{
  struct husk_plan plan;
  struct husk_err err;

  unit_fails (A ("--info-fd", "3", "--userns-block-fd", "4", "true"),
              "--userns-block-fd 4: requires --unshare-user",
              "--userns-block-fd needs --unshare-user");
  unit_fails (A ("--unshare-user", "--userns-block-fd", "4", "true"),
              "--userns-block-fd 4: requires --info-fd or --json-status-fd",
              "--userns-block-fd needs a way to tell the caller the pid");
  ok (unit_build (A ("--unshare-user", "--json-status-fd", "3", "--userns-block-fd", "4", "true"),
                  &plan, &err)
        == 0,
      "--userns-block-fd with --json-status-fd is fine");
  plan_free (&plan);
}

static void
test_lock_files (void)
{
  struct husk_plan plan;
  struct husk_err err;
  char *d;

  ok (unit_build (A ("--lock-file", "/a", "--lock-file", "b c", "true"), &plan, &err) == 0
        && plan.n_lock_files == 2 && strcmp (plan.lock_files[0].path, "/a") == 0
        && strcmp (plan.lock_files[1].path, "b c") == 0,
      "--lock-file is repeatable, in order");
  d = unit_dump (&plan);
  ok (strstr (d, "lock-file \"/a\"  # --lock-file /a\nlock-file \"b c\"  # --lock-file \"b c\"\n")
          != NULL,
      "dump: one line per lock file");
  free (d);
  plan_free (&plan);
  unit_fails (A ("--lock-file", "", "true"), "--lock-file \"\": empty path", "empty --lock-file");
  unit_fails (A ("--unshare-pid", "--as-pid-1", "--lock-file", "/x", "true"),
              "--lock-file /x: cannot be used with --as-pid-1", "--lock-file with --as-pid-1");
}

static void
test_idmaps (void)
{
  struct husk_plan plan;
  struct husk_err err;
  char *d;

  ok (unit_build (A ("--unshare-user", "--uid-map", "0", "1000", "1", "--uid-map", "1", "100000",
                     "65536", "--gid-map", "0", "4294967294", "1", "--uid", "65536", "true"),
                  &plan, &err)
        == 0,
      "two uid ranges and a gid range at the top id");
  ok (plan.n_uid_maps == 2 && plan.uid_maps[1].inside == 1 && plan.uid_maps[1].outside == 100000
          && plan.uid_maps[1].count == 65536,
      "ranges are kept in order with their fields");
  d = unit_dump (&plan);
  ok (strstr (d, "uid-map 0 1000 1  # --uid-map 0 1000 1\n"
                 "uid-map 1 100000 65536  # --uid-map 1 100000 65536\n"
                 "gid-map 0 4294967294 1  # --gid-map 0 4294967294 1\n")
          != NULL,
      "dump: one line per range, ids unsigned");
  free (d);
  plan_free (&plan);

  ok (unit_build (A ("--unshare-user", "--uid-map", "0", "1000", "10", "--uid-map", "10", "1010",
                     "5", "true"),
                  &plan, &err)
        == 0,
      "adjacent ranges do not overlap");
  plan_free (&plan);

  unit_fails (A ("--uid-map", "0", "1000", "0", "true"), "--uid-map 0 1000 0: invalid count \"0\"",
              "a count of 0");
  unit_fails (A ("--gid-map", "x", "1000", "1", "true"), "--gid-map x 1000 1: invalid gid \"x\"",
              "a non-numeric gid");
  unit_fails (A ("--uid-map", "0", "4294967295", "1", "true"),
              "--uid-map 0 4294967295 1: invalid uid \"4294967295\"", "(uid_t) -1 is no id");
  unit_fails (A ("--uid-map", "4294967290", "0", "6", "true"),
              "--uid-map 4294967290 0 6: range goes past id 4294967294",
              "an inside range wrapping");
  unit_fails (A ("--uid-map", "0", "4294967294", "2", "true"),
              "--uid-map 0 4294967294 2: range goes past id 4294967294",
              "an outside range wrapping");
  unit_fails (A ("--uid-map", "0", "1000", "10", "--uid-map", "5", "2000", "1", "true"),
              "--uid-map 5 2000 1: inside ids overlap those of --uid-map 0 1000 10",
              "inside ranges overlap");
  unit_fails (A ("--gid-map", "0", "1000", "10", "--gid-map", "100", "990", "11", "true"),
              "--gid-map 100 990 11: outside ids overlap those of --gid-map 0 1000 10",
              "outside ranges overlap");
  unit_fails (A ("--uid-map", "0", "1000", "10", "--uid", "10", "true"),
              "--uid 10: uid 10 is in no --uid-map range", "--uid outside every range");
  unit_fails (A ("--gid-map", "1", "1000", "10", "--gid", "0", "true"),
              "--gid 0: gid 0 is in no --gid-map range", "--gid outside every range");
  unit_fails (A ("--unshare-user", "--info-fd", "3", "--userns-block-fd", "4", "--gid-map", "0",
                 "1", "1", "true"),
              "--userns-block-fd 4: the caller writes the id maps; --uid-map and --gid-map "
              "cannot be used with it",
              "--userns-block-fd excludes id maps");
}

/* The kernel's limit on the number of ranges. */
static void
test_idmap_limit (void)
{
  const char *args[4 * (HUSK_IDMAP_MAX + 1) + 2];
  char nums[2 * (HUSK_IDMAP_MAX + 1)][16];
  struct husk_plan plan;
  struct husk_err err;
  size_t n = 0;

  for (int i = 0; i <= HUSK_IDMAP_MAX; i++)
    {
      snprintf (nums[2 * i], sizeof nums[0], "%d", i);
      snprintf (nums[2 * i + 1], sizeof nums[0], "%d", 1000 + i);
      args[n++] = "--uid-map";
      args[n++] = nums[2 * i];
      args[n++] = nums[2 * i + 1];
      args[n++] = "1";
    }
  args[n++] = "true";
  args[n] = NULL;
  ok (unit_parse (args, &plan, NULL, &err) == 0 && plan_check (&plan, &err) < 0
        && strcmp (err.msg, "--uid-map 340 1340 1: more than 340 ranges") == 0,
      "more than %d ranges is an error naming the first one too many", HUSK_IDMAP_MAX);
  plan_free (&plan);
}

static void
test_joined (void)
{
  struct husk_plan plan;
  struct husk_err err;
  char *d;

  ok (unit_build (A ("--userns", "5", "--userns2", "6", "--uid", "0", "true"), &plan, &err) == 0
        && plan.userns_fd.fd == 5 && plan.userns2_fd.fd == 6,
      "--userns and --userns2 parse");
  ok (!(plan.unshare & HUSK_NS_USER), "--userns does not ask for a new user namespace");
  d = unit_dump (&plan);
  ok (strstr (d, "userns 5  # --userns 5\nuserns2 6  # --userns2 6\n") != NULL,
      "dump: userns lines");
  free (d);
  plan_free (&plan);
  unit_fails (A ("--unshare-user", "--userns", "5", "true"),
              "--userns 5: cannot be used with --unshare-user", "--userns with --unshare-user");
  unit_fails (A ("--userns", "5", "--unshare-user-try", "true"),
              "--userns 5: cannot be used with --unshare-user-try",
              "--userns with --unshare-user-try");
  unit_fails (A ("--userns2", "6", "true"), "--userns2 6: requires --userns", "--userns2 alone");
  unit_fails (A ("--userns", "5", "--gid-map", "0", "0", "1", "true"),
              "--userns 5: the namespace has its id maps already; --uid-map and --gid-map cannot "
              "be used with it",
              "--userns with --gid-map");
  unit_fails (A ("--disable-userns", "true"), "--disable-userns: requires --unshare-user",
              "--disable-userns alone");
  ok (unit_build (A ("--unshare-user", "--disable-userns", "--assert-userns-disabled", "true"),
                  &plan, &err)
          == 0
        && plan.disable_userns && plan.assert_userns_disabled,
      "--disable-userns and --assert-userns-disabled set their flags");
  d = unit_dump (&plan);
  ok (strstr (d, "\ndisable-userns\nassert-userns-disabled\n") != NULL, "dump: their lines");
  free (d);
  plan_free (&plan);
  ok (unit_build (A ("--assert-userns-disabled", "true"), &plan, &err) == 0,
      "--assert-userns-disabled needs nothing else");
  plan_free (&plan);
}

int
main (void)
{
  test_fds ();
  test_userns_block ();
  test_lock_files ();
  test_idmaps ();
  test_idmap_limit ();
  test_joined ();
  return tap_done ();
}
