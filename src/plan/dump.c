/* dump.c: plan_dump, the stable text form of a plan (--print-plan, golden
 * tests).  Only fields that are set are printed, one line each, in this
 * order:
 *
 *   unshare NS...                    NS: user|user-try ipc pid net uts
 *                                    cgroup|cgroup-try mnt
 *                                    ("  # user: ORIGIN" when known)
 *   uid N                            unsigned decimal
 *   gid N
 *   hostname "S"
 *   op KIND FIELD=VALUE...           one per op, in execution order
 *   env set name="N" value="V"       one per edit, in order
 *   env unset name="N"
 *   env clear
 *   chdir "S"
 *   argv0 "S"
 *   argv "S"...                      the command and its arguments
 *   process FLAG...                  die-with-parent new-session as-pid-1
 *   keep-fds N...
 *   caps none|NAME...|all [-NAME...]  capabilities kept (libcap names)
 *   seccomp insns=N                  one per program, in load order
 *   exec-label "S"
 *   file-label "S"
 *   info-fd N, json-status-fd N, sync-fd N, block-fd N, userns-block-fd N,
 *   userns N, userns2 N, pidns N     one line each, when given
 *   disable-userns / assert-userns-disabled
 *   lock-file "S"                    one per --lock-file, in order
 *   uid-map INSIDE OUTSIDE COUNT     one per range, in order (unsigned)
 *   gid-map INSIDE OUTSIDE COUNT
 *
 * KIND is plan_op_kind_name().  Op fields, each only when set, in order:
 *   src="S"    host path (bind), link text (symlink)
 *   mode=rw|tmp|ro  lower="S" (repeated, bottom first)  upper="S"
 *   work="S"   (overlay only, replacing src=)
 *   dest="S"  fd=N  flags=ro,dev,try,noexec,norec  perms=0NNN (4 octal digits)  size=N
 *
 * Lines for items with an origin end with "  # ORIGIN" (the flag as typed,
 * or a JSON path).  Strings are in double quotes; '"' and '\' are escaped
 * with a backslash, \n \t \r are written so, and every other byte outside
 * printable ASCII (0x20..0x7e) as a 3-digit octal escape (\ooo).  Origins
 * are not quoted; their non-printable bytes are escaped the same way.
 *
 * Must not: make syscalls other than writing to `out`, or change the plan.
 */
#include "plan/plan.h"

#include <inttypes.h>
#include <stdio.h>
#include <sys/capability.h>

static void
dump_escaped (FILE *out, const char *s, bool quotes)
{
  const unsigned char *p;

  for (p = (const unsigned char *) s; *p != '\0'; p++)
    {
      if (quotes && (*p == '"' || *p == '\\'))
        fprintf (out, "\\%c", *p);
      else if (*p == '\n')
        fputs ("\\n", out);
      else if (*p == '\t')
        fputs ("\\t", out);
      else if (*p == '\r')
        fputs ("\\r", out);
      else if (*p < 0x20 || *p > 0x7e)
        fprintf (out, "\\%03o", (unsigned) *p);
      else
        fputc (*p, out);
    }
}

static void
dump_str (FILE *out, const char *s)
{
  fputc ('"', out);
  dump_escaped (out, s, true);
  fputc ('"', out);
}

/* " key="value"" when value is set. */
static void
dump_field (FILE *out, const char *key, const char *value)
{
  if (value == NULL)
    return;
  fprintf (out, " %s=", key);
  dump_str (out, value);
}

static void
dump_origin_end (FILE *out, const struct husk_origin *o)
{
  if (o->where != NULL)
    {
      fputs ("  # ", out);
      dump_escaped (out, o->where, false);
    }
  fputc ('\n', out);
}

static void
dump_unshare (FILE *out, const struct husk_plan *plan)
{
  static const struct { unsigned bit; const char *name; } ns[] = {
    { HUSK_NS_USER, "user" }, { HUSK_NS_IPC, "ipc" },
    { HUSK_NS_PID, "pid" },   { HUSK_NS_NET, "net" },
    { HUSK_NS_UTS, "uts" },   { HUSK_NS_CGROUP, "cgroup" },
    { HUSK_NS_MNT, "mnt" },
  };
  size_t i;

  if (plan->unshare == 0)
    return;
  fputs ("unshare", out);
  for (i = 0; i < sizeof ns / sizeof ns[0]; i++)
    {
      if (!(plan->unshare & ns[i].bit))
        continue;
      fprintf (out, " %s", ns[i].name);
      if ((ns[i].bit == HUSK_NS_USER && plan->user_try)
          || (ns[i].bit == HUSK_NS_CGROUP && plan->cgroup_try))
        fputs ("-try", out);
    }
  if ((plan->unshare & HUSK_NS_USER) && plan->unshare_user_origin.where)
    {
      fputs ("  # user: ", out);
      dump_escaped (out, plan->unshare_user_origin.where, false);
    }
  fputc ('\n', out);
}

static void
dump_identity (FILE *out, const struct husk_plan *plan)
{
  if (plan->has_uid)
    {
      fprintf (out, "uid %" PRIu32, (uint32_t) plan->uid);
      dump_origin_end (out, &plan->uid_origin);
    }
  if (plan->has_gid)
    {
      fprintf (out, "gid %" PRIu32, (uint32_t) plan->gid);
      dump_origin_end (out, &plan->gid_origin);
    }
  if (plan->hostname)
    {
      fputs ("hostname ", out);
      dump_str (out, plan->hostname);
      dump_origin_end (out, &plan->hostname_origin);
    }
}

static void
dump_flags (FILE *out, unsigned flags)
{
  const char *sep = " flags=";

  if (flags & HUSK_OPF_RO)
    fprintf (out, "%sro", sep), sep = ",";
  if (flags & HUSK_OPF_DEV)
    fprintf (out, "%sdev", sep), sep = ",";
  if (flags & HUSK_OPF_TRY)
    fprintf (out, "%stry", sep), sep = ",";
  if (flags & HUSK_OPF_NOEXEC)
    fprintf (out, "%snoexec", sep), sep = ",";
  if (flags & HUSK_OPF_NOREC)
    fprintf (out, "%snorec", sep);
}

static void
dump_overlay (FILE *out, const struct husk_op *op)
{
  static const char *const modes[] = { "rw", "tmp", "ro" };
  size_t i;

  if ((unsigned) op->overlay_mode < sizeof modes / sizeof modes[0])
    fprintf (out, " mode=%s", modes[op->overlay_mode]);
  for (i = 0; i < op->n_overlay_srcs; i++)
    dump_field (out, "lower", op->overlay_srcs[i]);
  dump_field (out, "upper", op->src);
  dump_field (out, "work", op->overlay_work);
}

static void
dump_op (FILE *out, const struct husk_op *op)
{
  fprintf (out, "op %s", plan_op_kind_name (op->kind));
  if (op->kind == HUSK_OP_OVERLAY)
    dump_overlay (out, op);
  else
    dump_field (out, "src", op->src);
  dump_field (out, "dest", op->dest);
  if (op->fd >= 0)
    fprintf (out, " fd=%d", op->fd);
  dump_flags (out, op->flags);
  if (op->perms != HUSK_PERMS_UNSET)
    fprintf (out, " perms=%04o", (unsigned) op->perms);
  if (op->size != HUSK_SIZE_UNSET)
    fprintf (out, " size=%" PRIu64, op->size);
  dump_origin_end (out, &op->origin);
}

static void
dump_env (FILE *out, const struct husk_envop *e)
{
  switch (e->kind)
    {
    case HUSK_ENV_SET:
      fputs ("env set", out);
      break;
    case HUSK_ENV_UNSET:
      fputs ("env unset", out);
      break;
    case HUSK_ENV_CLEAR:
      fputs ("env clear", out);
      break;
    default:
      fprintf (out, "env unknown-%d", (int) e->kind);
      break;
    }
  dump_field (out, "name", e->name);
  dump_field (out, "value", e->value);
  dump_origin_end (out, &e->origin);
}

static void
dump_process (FILE *out, const struct husk_plan *plan)
{
  size_t i;

  if (plan->chdir)
    {
      fputs ("chdir ", out);
      dump_str (out, plan->chdir);
      dump_origin_end (out, &plan->chdir_origin);
    }
  if (plan->argv0)
    {
      fputs ("argv0 ", out);
      dump_str (out, plan->argv0);
      fputc ('\n', out);
    }
  if (plan->argv && plan->argc > 0)
    {
      fputs ("argv", out);
      for (i = 0; i < plan->argc && plan->argv[i]; i++)
        {
          fputc (' ', out);
          dump_str (out, plan->argv[i]);
        }
      fputc ('\n', out);
    }
  if (plan->die_with_parent || plan->new_session || plan->as_pid_1)
    fprintf (out, "process%s%s%s\n",
             plan->die_with_parent ? " die-with-parent" : "",
             plan->new_session ? " new-session" : "",
             plan->as_pid_1 ? " as-pid-1" : "");
}

/* Security (issue 4). */
static void
dump_cap_name (FILE *out, int cap, const char *prefix)
{
  char *name = cap_to_name ((cap_value_t) cap);

  fprintf (out, " %s", prefix);
  if (name != NULL)
    dump_escaped (out, name, false);
  else
    fprintf (out, "%d", cap);
  cap_free (name);
}

static void
dump_security (FILE *out, const struct husk_plan *plan)
{
  /* Bit 63 is no capability; only ALL sets it, so it marks "all but". */
  bool all = (plan->caps >> 63) & 1;
  size_t i;
  int cap;

  if (plan->has_caps)
    {
      fputs ("caps", out);
      if (plan->caps == 0)
        fputs (" none", out);
      else if (all)
        fputs (" all", out);
      for (cap = 0; cap < 63; cap++)
        if (((plan->caps >> cap) & 1) != all)
          dump_cap_name (out, cap, all ? "-" : "");
      fputc ('\n', out);
    }
  for (i = 0; i < plan->n_seccomp; i++)
    {
      fprintf (out, "seccomp insns=%zu",
               plan->seccomp[i].len / HUSK_SECCOMP_INSN_SIZE);
      dump_origin_end (out, &plan->seccomp[i].origin);
    }
  if (plan->exec_label)
    {
      fputs ("exec-label ", out);
      dump_str (out, plan->exec_label);
      dump_origin_end (out, &plan->exec_label_origin);
    }
  if (plan->file_label)
    {
      fputs ("file-label ", out);
      dump_str (out, plan->file_label);
      dump_origin_end (out, &plan->file_label_origin);
    }
}

/* Lifecycle and joined namespaces (issue 4). */
static void
dump_fdarg (FILE *out, const char *name, const struct husk_fdarg *f)
{
  if (f->fd < 0)
    return;
  fprintf (out, "%s %d", name, f->fd);
  dump_origin_end (out, &f->origin);
}

static void
dump_idmaps (FILE *out, const char *name, const struct husk_idmap *v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      fprintf (out, "%s %" PRIu32 " %" PRIu32 " %" PRIu32, name, v[i].inside,
               v[i].outside, v[i].count);
      dump_origin_end (out, &v[i].origin);
    }
}

static void
dump_lifecycle (FILE *out, const struct husk_plan *plan)
{
  dump_fdarg (out, "info-fd", &plan->info_fd);
  dump_fdarg (out, "json-status-fd", &plan->json_status_fd);
  dump_fdarg (out, "sync-fd", &plan->sync_fd);
  dump_fdarg (out, "block-fd", &plan->block_fd);
  dump_fdarg (out, "userns-block-fd", &plan->userns_block_fd);
  dump_fdarg (out, "userns", &plan->userns_fd);
  dump_fdarg (out, "userns2", &plan->userns2_fd);
  dump_fdarg (out, "pidns", &plan->pidns_fd);
  if (plan->disable_userns)
    fputs ("disable-userns\n", out);
  if (plan->assert_userns_disabled)
    fputs ("assert-userns-disabled\n", out);
  for (size_t i = 0; i < plan->n_lock_files; i++)
    {
      fputs ("lock-file ", out);
      dump_str (out, plan->lock_files[i].path);
      dump_origin_end (out, &plan->lock_files[i].origin);
    }
  dump_idmaps (out, "uid-map", plan->uid_maps, plan->n_uid_maps);
  dump_idmaps (out, "gid-map", plan->gid_maps, plan->n_gid_maps);
}

void
plan_dump (const struct husk_plan *plan, FILE *out)
{
  size_t i;

  dump_unshare (out, plan);
  dump_identity (out, plan);
  for (i = 0; i < plan->n_ops; i++)
    dump_op (out, &plan->ops[i]);
  for (i = 0; i < plan->n_env; i++)
    dump_env (out, &plan->env[i]);
  dump_process (out, plan);
  if (plan->n_keep_fds > 0)
    {
      fputs ("keep-fds", out);
      for (i = 0; i < plan->n_keep_fds; i++)
        fprintf (out, " %d", plan->keep_fds[i]);
      fputc ('\n', out);
    }
  dump_security (out, plan);
  dump_lifecycle (out, plan);
}
