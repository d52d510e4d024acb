/* opts_process2.c: handlers for process limits, the time namespace and
 * joined namespaces (issue 6): --no-forward-signals, --pty, --rlimit,
 * --unshare-time, --time-offset, --netns, --mntns, --utsns, --ipcns,
 * --cgroupns, --timens and --join-pid.
 *
 * A repeated --rlimit for the same limit, --time-offset for the same clock,
 * or a repeated join flag replaces the earlier one.  A join flag's argument
 * is an fd when it is all digits, else a path the executor opens.
 *
 * Must not: make syscalls (fds and paths are opened or checked by the
 * executor), or validate across fields (plan/check.c).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_int.h"
#include "lib/cleanup.h"
#include "lib/parse.h"
#include "lib/rlimit.h"
#include "lib/xalloc.h"

int
cli_opt_no_forward_signals (struct cli_state *st, char **args, struct husk_err *err)
{
  (void) args, (void) err;
  st->plan->no_forward_signals = true;
  return 0;
}

/* The same plan field as OCI's process.terminal: the executor opens the
 * pty in the sandbox's own devpts (pty.c). */
int
cli_opt_pty (struct cli_state *st, char **args, struct husk_err *err)
{
  (void) args, (void) err;
  st->plan->terminal = true;
  origin_free (&st->plan->terminal_origin);
  st->plan->terminal_origin = origin_copy (&st->origin);
  return 0;
}

static int
bad_value (struct cli_state *st, const char *what, const char *s, struct husk_err *err)
{
  cleanup_free char *q = cli_quote_always (s);
  return husk_err_set (err, 0, "%s: invalid %s %s", st->origin.where, what, q);
}

/* NAME=SOFT[:HARD]; "NAME=N" sets both, "NAME=S:" only the soft limit,
 * "NAME=:H" only the hard one (as prlimit(1)). */
int
cli_opt_rlimit (struct cli_state *st, char **args, struct husk_err *err)
{
  cleanup_free char *name = xstrdup (args[0]);
  char *soft, *hard;
  struct husk_rlimit *r;
  uint64_t s = 0, h = 0;
  int resource;

  soft = strchr (name, '=');
  if (soft == NULL)
    return husk_err_set (err, 0, "%s: expected NAME=SOFT[:HARD]", st->origin.where);
  *soft++ = '\0';
  resource = rlimit_from_name (name);
  if (resource < 0)
    return bad_value (st, "resource limit name", name, err);
  hard = strchr (soft, ':');
  if (hard != NULL)
    *hard++ = '\0';
  if (hard != NULL && soft[0] == '\0' && hard[0] == '\0')
    return bad_value (st, "limit", "", err);
  if ((hard == NULL || soft[0] != '\0') && rlimit_parse_value (soft, &s) < 0)
    return bad_value (st, "soft limit", soft, err);
  if (hard != NULL && hard[0] != '\0' && rlimit_parse_value (hard, &h) < 0)
    return bad_value (st, "hard limit", hard, err);
  if (hard != NULL && soft[0] != '\0' && hard[0] != '\0' && s > h)
    return husk_err_set (err, 0, "%s: soft limit above the hard limit", st->origin.where);
  r = plan_set_rlimit (st->plan, resource, &st->origin);
  r->has_soft = hard == NULL || soft[0] != '\0';
  r->has_hard = hard == NULL || hard[0] != '\0';
  r->soft = s;
  r->hard = hard == NULL ? s : h;
  return 0;
}

int
cli_opt_unshare_time (struct cli_state *st, char **args, struct husk_err *err)
{
  (void) args, (void) err;
  st->plan->unshare_time = true;
  return 0;
}

/* [-]DIGITS[.DIGITS], at most 9 fraction digits, whole seconds within
 * +-(2^62): the kernel's range is narrower and it says so at run time. */
static int
parse_seconds (const char *s, int64_t *sec, long *nsec)
{
  bool neg = *s == '-';
  int64_t whole = 0;
  long frac = 0, scale = 100000000;
  const char *p = s + (neg ? 1 : 0);

  if (*p < '0' || *p > '9')
    return -1;
  for (; *p >= '0' && *p <= '9'; p++)
    {
      if (whole > (INT64_C (1) << 62) / 10)
        return -1;
      whole = whole * 10 + (*p - '0');
    }
  if (*p == '.')
    {
      if (p[1] == '\0')
        return -1;
      for (p++; *p >= '0' && *p <= '9' && scale > 0; p++, scale /= 10)
        frac += (*p - '0') * scale;
    }
  if (*p != '\0')
    return -1;
  /* The kernel wants 0 <= nsec < 1e9: -1.25 s is -2 s + 0.75e9 ns. */
  if (neg && frac > 0)
    {
      whole += 1;
      frac = 1000000000L - frac;
    }
  *sec = neg ? -whole : whole;
  *nsec = frac;
  return 0;
}

int
cli_opt_time_offset (struct cli_state *st, char **args, struct husk_err *err)
{
  struct husk_time_offset *o;
  enum husk_clock clock;
  int64_t sec;
  long nsec;

  if (strcmp (args[0], "monotonic") == 0)
    clock = HUSK_CLOCK_MONOTONIC;
  else if (strcmp (args[0], "boottime") == 0)
    clock = HUSK_CLOCK_BOOTTIME;
  else
    return bad_value (st, "clock (monotonic or boottime)", args[0], err);
  if (parse_seconds (args[1], &sec, &nsec) < 0)
    return bad_value (st, "number of seconds", args[1], err);
  o = &st->plan->time_offsets[clock];
  origin_free (&o->origin);
  o->set = true;
  o->sec = sec;
  o->nsec = nsec;
  o->origin = origin_copy (&st->origin);
  return 0;
}

static int
join_ns (struct cli_state *st, enum husk_join_kind kind, const char *s, struct husk_err *err)
{
  struct husk_nsjoin *j = &st->plan->join_ns[kind];
  int fd = -1;

  if (s[0] == '\0')
    return husk_err_set (err, 0, "%s: empty path", st->origin.where);
  if (strspn (s, "0123456789") == strlen (s) && parse_fd (s, &fd) < 0)
    return bad_value (st, "file descriptor", s, err);
  free (j->path);
  j->path = fd < 0 ? xstrdup (s) : NULL;
  j->fd = fd;
  origin_free (&j->origin);
  j->origin = origin_copy (&st->origin);
  return 0;
}

/* bwrap's --pidns: join before clone, so the sandbox's pid namespace is
 * this one, or (with --unshare-pid) a new one nested in it. */
int
cli_opt_pidns (struct cli_state *st, char **args, struct husk_err *err)
{
  return join_ns (st, HUSK_JOIN_PID, args[0], err);
}

int
cli_opt_netns (struct cli_state *st, char **args, struct husk_err *err)
{
  return join_ns (st, HUSK_JOIN_NET, args[0], err);
}

int
cli_opt_mntns (struct cli_state *st, char **args, struct husk_err *err)
{
  return join_ns (st, HUSK_JOIN_MNT, args[0], err);
}

int
cli_opt_utsns (struct cli_state *st, char **args, struct husk_err *err)
{
  return join_ns (st, HUSK_JOIN_UTS, args[0], err);
}

int
cli_opt_ipcns (struct cli_state *st, char **args, struct husk_err *err)
{
  return join_ns (st, HUSK_JOIN_IPC, args[0], err);
}

int
cli_opt_cgroupns (struct cli_state *st, char **args, struct husk_err *err)
{
  return join_ns (st, HUSK_JOIN_CGROUP, args[0], err);
}

int
cli_opt_timens (struct cli_state *st, char **args, struct husk_err *err)
{
  return join_ns (st, HUSK_JOIN_TIME, args[0], err);
}

int
cli_opt_join_pid (struct cli_state *st, char **args, struct husk_err *err)
{
  int pid;

  /* parse_fd's range (0..INT_MAX) is pid_t's; 0 is no process. */
  if (parse_fd (args[0], &pid) < 0 || pid == 0)
    return bad_value (st, "pid", args[0], err);
  st->plan->join_pid = (pid_t) pid;
  origin_free (&st->plan->join_pid_origin);
  st->plan->join_pid_origin = origin_copy (&st->origin);
  return 0;
}
