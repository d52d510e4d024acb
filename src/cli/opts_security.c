/* opts_security.c: handlers for the security options: capabilities
 * (--cap-add, --cap-drop), seccomp programs (--seccomp, --add-seccomp-fd,
 * --seccomp-fd) and SELinux labels (--exec-label, --file-label).
 *
 * Capability edits are applied in order to one set in the plan, starting
 * empty.  A seccomp program is read from its fd here (reading input is the
 * one syscall a front end may make) and checked for shape only; the kernel
 * judges its meaning when the executor loads it.
 *
 * Must not: load a filter, change credentials, or check whether SELinux is
 * enabled (the executor does, so --print-plan works anywhere).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <unistd.h>

#include "cli/cli_int.h"
#include "lib/cleanup.h"
#include "lib/parse.h"
#include "lib/xalloc.h"

/* A capability as libcap names it ("CAP_NET_RAW", any case), the same
 * without the prefix ("net_raw": bwrap needs the prefix, husk does not), or
 * its number.  Returns the capability number or -1. */
static int
security_cap_from_text (const char *s)
{
  cleanup_free char *full = NULL;
  cap_value_t cap;
  int n;

  if (s[0] >= '0' && s[0] <= '9')
    {
      if (parse_fd (s, &n) < 0 || n > 63)
        return -1;
      return n;
    }
  /* libcap parses only the first name of a list ("cap_chown,cap_kill")
   * and ignores what follows: accept one plain name and nothing else. */
  if (s[strspn (s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")] != '\0')
    return -1;
  if (strncasecmp (s, "cap_", 4) != 0)
    s = full = xasprintf ("cap_%s", s);
  if (cap_from_name (s, &cap) < 0 || cap < 0 || cap > 63)
    return -1;
  return (int) cap;
}

static int
security_cap_edit (struct cli_state *st, const char *name, bool add, struct husk_err *err)
{
  uint64_t bits;
  int cap;

  if (strcasecmp (name, "ALL") == 0)
    bits = HUSK_CAPS_ALL;
  else if ((cap = security_cap_from_text (name)) >= 0)
    bits = UINT64_C (1) << cap;
  else
    {
      cleanup_free char *q = cli_quote_always (name);
      return husk_err_set (err, 0, "%s: unknown capability %s", st->origin.where, q);
    }
  st->plan->has_caps = true;
  if (add)
    st->plan->caps |= bits;
  else
    st->plan->caps &= ~bits;
  return 0;
}

int
cli_opt_cap_add (struct cli_state *st, char **args, struct husk_err *err)
{
  return security_cap_edit (st, args[0], true, err);
}

int
cli_opt_cap_drop (struct cli_state *st, char **args, struct husk_err *err)
{
  return security_cap_edit (st, args[0], false, err);
}

/* Read a whole seccomp program from fd, refusing more than the kernel's
 * limit without reading on forever. */
static int
security_read_prog (struct cli_state *st, int fd, unsigned char **progp, size_t *lenp,
                    struct husk_err *err)
{
  const size_t max = HUSK_SECCOMP_MAX_INSNS * HUSK_SECCOMP_INSN_SIZE;
  cleanup_free unsigned char *buf = xmalloc (max + 1);
  size_t len = 0;

  while (len <= max)
    {
      ssize_t r = read (fd, buf + len, max + 1 - len);

      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return husk_err_sys (err, "%s: cannot read the seccomp program", st->origin.where);
      if (r == 0)
        break;
      len += (size_t) r;
    }
  if (len == 0)
    return husk_err_set (err, 0, "%s: the seccomp program is empty", st->origin.where);
  if (len > max)
    return husk_err_set (err, 0,
                         "%s: the seccomp program has more than %d "
                         "instructions",
                         st->origin.where, HUSK_SECCOMP_MAX_INSNS);
  if (len % HUSK_SECCOMP_INSN_SIZE != 0)
    return husk_err_set (err, 0,
                         "%s: the seccomp program is %zu bytes, "
                         "not a multiple of %d (struct sock_filter)",
                         st->origin.where, len, HUSK_SECCOMP_INSN_SIZE);
  *progp = steal_pointer (&buf);
  *lenp = len;
  return 0;
}

/* --seccomp (replaceable) or --add-seccomp-fd / --seccomp-fd (stacked).
 * bwrap's rule: the two kinds cannot be combined; a later --seccomp
 * replaces an earlier one. */
static int
security_add_seccomp (struct cli_state *st, const char *fdtext, bool replaceable,
                      struct husk_err *err)
{
  struct husk_plan *plan = st->plan;
  struct husk_seccomp *s;
  unsigned char *prog = NULL;
  size_t len = 0;
  int fd;

  if (parse_fd (fdtext, &fd) < 0)
    {
      cleanup_free char *q = cli_quote_always (fdtext);
      return husk_err_set (err, 0, "%s: invalid file descriptor %s", st->origin.where, q);
    }
  if (plan->n_seccomp > 0 && plan->seccomp[0].replaceable != replaceable)
    return husk_err_set (err, 0, "%s: cannot be combined with %s", st->origin.where,
                         plan->seccomp[0].origin.where);
  if (security_read_prog (st, fd, &prog, &len, err) < 0)
    return -1;
  if (replaceable && plan->n_seccomp > 0)
    {
      s = &plan->seccomp[0];
      free (s->prog);
      origin_free (&s->origin);
    }
  else
    {
      plan->seccomp
        = xgrow (plan->seccomp, &plan->cap_seccomp, plan->n_seccomp + 1, sizeof *plan->seccomp);
      s = &plan->seccomp[plan->n_seccomp++];
    }
  s->prog = prog;
  s->len = len;
  s->flags = 0; /* a raw program: loaded without seccomp(2) flags */
  s->replaceable = replaceable;
  s->origin = origin_copy (&st->origin);
  return 0;
}

int
cli_opt_seccomp (struct cli_state *st, char **args, struct husk_err *err)
{
  return security_add_seccomp (st, args[0], true, err);
}

int
cli_opt_add_seccomp_fd (struct cli_state *st, char **args, struct husk_err *err)
{
  return security_add_seccomp (st, args[0], false, err);
}

int
cli_opt_seccomp_fd (struct cli_state *st, char **args, struct husk_err *err)
{
  return security_add_seccomp (st, args[0], false, err);
}

static int
security_set_label (struct cli_state *st, const char *label, char **field,
                    struct husk_origin *origin, struct husk_err *err)
{
  if (label[0] == '\0')
    return husk_err_set (err, 0, "%s: empty label", st->origin.where);
  free (*field);
  *field = xstrdup (label);
  origin_free (origin);
  *origin = origin_copy (&st->origin);
  return 0;
}

int
cli_opt_exec_label (struct cli_state *st, char **args, struct husk_err *err)
{
  return security_set_label (st, args[0], &st->plan->exec_label, &st->plan->exec_label_origin, err);
}

int
cli_opt_file_label (struct cli_state *st, char **args, struct husk_err *err)
{
  return security_set_label (st, args[0], &st->plan->file_label, &st->plan->file_label_origin, err);
}
