/* cli.c: the generic command-line parser.  Walks the arguments, looks each
 * option up in the table generated from options.def, checks its arity,
 * records its origin (the flag and its arguments as typed) and calls its
 * handler.  Also --args FD (streams spliced in place), the command, and
 * --help/--version output.
 *
 * Must not: make syscalls other than read(2) on an --args fd; know what any
 * option other than --args means (that is the opts_*.c handlers' job).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_int.h"
#include "lib/cleanup.h"
#include "lib/parse.h"
#include "lib/xalloc.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.1.0"
#endif

#define CLI_READ_CHUNK 4096
#define HUSK_BWRAP_COMPAT_VERSION "0.11.1"

struct cli_opt
{
  const char *name;
  int nargs;
  cli_handler handler;
  const char *metavar;
  const char *help;
};

static const struct cli_opt cli_opts[] = {
#define OPT(NAME, NARGS, HANDLER, METAVAR, COMPLETION, HELP)             \
  { NAME, NARGS, HANDLER, METAVAR, HELP },
#include "cli/options.def"
#undef OPT
};
#define CLI_N_OPTS (sizeof cli_opts / sizeof cli_opts[0])

/* Every option's name, for `husk features` (issue 6). */
const char *const cli_option_names[] = {
#define OPT(NAME, NARGS, HANDLER, METAVAR, COMPLETION, HELP) NAME,
#include "cli/options.def"
#undef OPT
  NULL,
};

static const struct cli_opt *
cli_lookup (const char *name)
{
  size_t i;

  for (i = 0; i < CLI_N_OPTS; i++)
    if (strcmp (cli_opts[i].name, name) == 0)
      return &cli_opts[i];
  return NULL;
}

static bool
cli_needs_quotes (const char *s)
{
  const unsigned char *p = (const unsigned char *) s;

  if (*p == '\0')
    return true;
  for (; *p != '\0'; p++)
    if (*p <= ' ' || *p >= 0x7f || *p == '"' || *p == '\\')
      return true;
  return false;
}

/* An argument as the user would type it: as is, or in double quotes with
 * C escapes when empty or containing blanks, quotes or non-printables
 * (the same escapes as plan_dump, so a message never carries raw control
 * characters to the terminal). */
static char *
cli_quote (const char *s)
{
  if (!cli_needs_quotes (s))
    return xstrdup (s);
  return cli_quote_always (s);
}

char *
cli_quote_always (const char *s)
{
  const unsigned char *p;
  char *q, *out;

  out = q = xmalloc (strlen (s) * 4 + 3);
  *q++ = '"';
  for (p = (const unsigned char *) s; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        q += sprintf (q, "\\%c", *p);
      else if (*p == '\n')
        q += sprintf (q, "\\n");
      else if (*p == '\t')
        q += sprintf (q, "\\t");
      else if (*p == '\r')
        q += sprintf (q, "\\r");
      else if (*p < ' ' || *p >= 0x7f)
        q += sprintf (q, "\\%03o", (unsigned) *p);
      else
        *q++ = (char) *p;
    }
  *q++ = '"';
  *q = '\0';
  return out;
}

static char *
cli_where (const char *name, char **args, int nargs)
{
  char *w = xstrdup (name);
  int i;

  for (i = 0; i < nargs; i++)
    {
      cleanup_free char *q = cli_quote (args[i]);
      char *n = xasprintf ("%s %s", w, q);

      free (w);
      w = n;
    }
  return w;
}

/* Read all of fd into a new buffer, NUL-terminated (a trailing NUL added
 * when the stream lacks one), enforcing the per-stream and total caps. */
static int
cli_read_stream (struct cli_args *a, int fd, const char *where, char **bufp,
                 size_t *lenp, struct husk_err *err)
{
  cleanup_free char *buf = NULL;
  size_t len = 0, cap = 0;

  for (;;)
    {
      ssize_t r;

      if (len == cap)
        buf = xgrow (buf, &cap, len + CLI_READ_CHUNK, 1);
      r = read (fd, buf + len, cap - len);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return husk_err_sys (err, "%s: cannot read arguments", where);
      if (r == 0)
        break;
      len += (size_t) r;
      if (len > CLI_ARGS_MAX_BYTES)
        return husk_err_set (err, 0, "%s: more than %d bytes of arguments",
                             where, CLI_ARGS_MAX_BYTES);
      if (a->total_bytes + len > CLI_ARGS_MAX_TOTAL)
        return husk_err_set (err, 0, "%s: more than %d bytes of arguments "
                             "in all --args streams", where,
                             CLI_ARGS_MAX_TOTAL);
    }
  a->total_bytes += len;
  buf = xgrow (buf, &cap, len + 2, 1);
  if (len > 0 && buf[len - 1] != '\0')
    buf[len++] = '\0';
  buf[len] = '\0';
  *lenp = len;
  *bufp = steal_pointer (&buf);
  return 0;
}

/* Insert the NUL-separated strings of buf (len bytes, 0 or ending in NUL)
 * at a->pos; a takes ownership of buf. */
static void
cli_splice (struct cli_args *a, char *buf, size_t len, int depth)
{
  size_t k = 0, i, j;

  a->bufs = xgrow (a->bufs, &a->cap_bufs, a->n_bufs + 1, sizeof *a->bufs);
  a->bufs[a->n_bufs++] = buf;
  for (i = 0; i < len; i++)
    k += buf[i] == '\0';
  a->v = xgrow (a->v, &a->cap, a->n + k, sizeof *a->v);
  memmove (&a->v[a->pos + k], &a->v[a->pos], (a->n - a->pos) * sizeof *a->v);
  for (i = 0, j = 0; j < k; j++)
    {
      a->v[a->pos + j] = (struct cli_arg) { &buf[i], -1, depth };
      i += strlen (&buf[i]) + 1;
    }
  a->n += k;
}

int
cli_opt_args (struct cli_state *st, char **args, struct husk_err *err)
{
  const char *where = st->origin.where;
  char *buf = NULL;
  size_t len = 0;
  int fd;

  if (parse_fd (args[0], &fd) < 0)
    {
      cleanup_free char *q = cli_quote_always (args[0]);
      return husk_err_set (err, 0, "%s: invalid file descriptor %s", where, q);
    }
  if (st->depth >= CLI_ARGS_MAX_DEPTH)
    return husk_err_set (err, 0, "%s: --args nested more than %d deep",
                         where, CLI_ARGS_MAX_DEPTH);
  if (cli_read_stream (st->args, fd, where, &buf, &len, err) < 0)
    return -1;
  cli_splice (st->args, buf, len, st->depth + 1);
  return 0;
}

static bool
cli_is_meta (cli_handler h)
{
  return h == cli_opt_args || h == cli_opt_help || h == cli_opt_version;
}

/* Parse the option at a->pos and its arguments, then run its handler. */
static int
cli_run_option (struct cli_state *st, struct husk_err *err)
{
  struct cli_args *a = st->args;
  const struct cli_arg *arg = &a->v[a->pos];
  const struct cli_opt *o = cli_lookup (arg->s);
  char *optargs[3] = { NULL, NULL, NULL };
  int i;

  if (o == NULL)
    {
      cleanup_free char *q = cli_quote (arg->s);
      return husk_err_set (err, 0, "unknown option %s", q);
    }
  if (a->n - a->pos - 1 < (size_t) o->nargs)
    return husk_err_set (err, 0, "%s: takes %d argument%s", o->name,
                         o->nargs, o->nargs == 1 ? "" : "s");
  for (i = 0; i < o->nargs; i++)
    optargs[i] = (char *) a->v[a->pos + 1 + i].s;
  origin_free (&st->origin);
  st->origin.where = cli_where (o->name, optargs, o->nargs);
  st->origin.argi = arg->argi;
  st->depth = arg->depth;
  a->pos += 1 + (size_t) o->nargs;
  /* --oci is a whole front end: remember what else was given (issue 5). */
  if (st->other_opt == NULL && o->handler != cli_opt_oci
      && o->handler != cli_opt_print_plan && o->handler != cli_opt_args)
    st->other_opt = xstrdup (st->origin.where);
  if (!cli_is_meta (o->handler)
      && cli_mounts_check_pending (st, o->handler, err) < 0)
    return -1;
  return o->handler (st, optargs, err);
}

static void
cli_set_command (struct cli_state *st)
{
  struct cli_args *a = st->args;
  struct husk_plan *plan = st->plan;
  size_t i;

  for (i = 0; plan->argv && plan->argv[i]; i++)
    free (plan->argv[i]);
  free (plan->argv);
  plan->argc = a->n - a->pos;
  plan->argv = xcalloc (plan->argc + 1, sizeof *plan->argv);
  for (i = 0; i < plan->argc; i++)
    plan->argv[i] = xstrdup (a->v[a->pos + i].s);
}

/* --oci PATH takes the whole sandbox from config.json (issue 5): only
 * --print-plan may come with it, and the command is process.args. */
static int
cli_check_oci (struct cli_state *st, struct husk_err *err)
{
  struct cli_args *a = st->args;

  if (st->other_opt != NULL)
    return husk_err_set (err, 0, "--oci: cannot be used with other options (%s)",
                         st->other_opt);
  if (a->pos < a->n)
    {
      cleanup_free char *q = cli_quote (a->v[a->pos].s);
      return husk_err_set (err, 0, "--oci: takes no command (%s): the command is "
                           "process.args in config.json", q);
    }
  return 0;
}

static int
cli_parse_all (struct cli_state *st, struct husk_err *err)
{
  struct cli_args *a = st->args;

  while (a->pos < a->n && !st->stop)
    {
      const char *s = a->v[a->pos].s;

      if (s[0] != '-')
        break;
      if (strcmp (s, "--") == 0)
        {
          a->pos++;
          break;
        }
      if (cli_run_option (st, err) < 0)
        return -1;
    }
  if (st->stop)
    return 0;
  if (cli_mounts_check_pending (st, NULL, err) < 0)
    return -1;
  if (st->plan->oci_path != NULL && cli_check_oci (st, err) < 0)
    return -1;
  if (st->plan->oci_path == NULL)
    cli_set_command (st);
  *st->action = st->plan->print_oci    ? CLI_PRINT_OCI
                 : st->plan->print_plan ? CLI_PRINT_PLAN
                                        : CLI_RUN;
  return 0;
}

static void
cli_state_free (struct cli_state *st)
{
  struct cli_args *a = st->args;
  size_t i;

  for (i = 0; i < a->n_bufs; i++)
    free (a->bufs[i]);
  free (a->bufs);
  free (a->v);
  for (i = 0; i < st->n_overlay_srcs; i++)
    free (st->overlay_srcs[i]);
  free (st->overlay_srcs);
  origin_free (&st->origin);
  origin_free (&st->perms_origin);
  origin_free (&st->size_origin);
  origin_free (&st->overlay_origin);
  free (st->other_opt);
}

int
cli_parse (struct husk_plan *plan, int argc, char **argv,
           enum cli_action *action, struct husk_err *err)
{
  struct cli_args a = { 0 };
  struct cli_state st = { 0 };
  int i, r;

  st.plan = plan;
  st.action = action;
  st.args = &a;
  st.perms = HUSK_PERMS_UNSET;
  st.size = HUSK_SIZE_UNSET;
  st.origin.argi = st.perms_origin.argi = -1;
  st.size_origin.argi = st.overlay_origin.argi = -1;
  *action = CLI_RUN;
  if (argc > 1)
    a.v = xgrow (NULL, &a.cap, (size_t) argc - 1, sizeof *a.v);
  for (i = 1; i < argc; i++)
    a.v[a.n++] = (struct cli_arg) { argv[i], i, 0 };
  r = cli_parse_all (&st, err);
  cli_state_free (&st);
  return r;
}

void
cli_print_help (FILE *out)
{
  char left[128];
  int width = 0;
  size_t i;

  for (i = 0; i < CLI_N_OPTS; i++)
    {
      int n = snprintf (left, sizeof left, "%s %s", cli_opts[i].name,
                        cli_opts[i].metavar);
      if (n > width)
        width = n;
    }
  fprintf (out, "usage: %s [OPTIONS...] [--] COMMAND [ARGS...]\n", husk_progname);
  /* The subcommand main handles before parsing (issue 6); not as "bwrap". */
  if (strcmp (husk_progname, "bwrap") != 0)
    fprintf (out, "       %s features [--json]\n", husk_progname);
  fputc ('\n', out);
  for (i = 0; i < CLI_N_OPTS; i++)
    {
      snprintf (left, sizeof left, "%s%s%s", cli_opts[i].name,
                cli_opts[i].metavar[0] ? " " : "", cli_opts[i].metavar);
      fprintf (out, "    %-*s  %s\n", width, left, cli_opts[i].help);
    }
}

void
cli_print_version (FILE *out)
{
  /* As "bwrap", callers parse the first line for bubblewrap's version:
   * claim the bwrap release whose options husk implements. */
  if (strcmp (husk_progname, "bwrap") == 0)
    fputs ("bubblewrap " HUSK_BWRAP_COMPAT_VERSION "\n", out);
  fputs ("husk " PACKAGE_VERSION "\n", out);
  /* What this build can do, from configure's results (config.h).  Seccomp
   * is always built in; Landlock once the executor implements it. */
  fputs ("+SECCOMP"
#ifdef HAVE_LANDLOCK
         " +LANDLOCK"
#else
         " -LANDLOCK"
#endif
#if defined HAVE_SELINUX || defined HUSK_SELINUX_KERNEL
         " +SELINUX"
#else
         " -SELINUX"
#endif
#if defined HAVE_APPARMOR || defined HUSK_APPARMOR_KERNEL
         " +APPARMOR"
#else
         " -APPARMOR"
#endif
         "\n",
         out);
}
