/* plan.c: lifetime of struct husk_plan, its constructors and the origin
 * helpers.  The plan owns every string and array it points to.
 *
 * Must not: make syscalls, validate (that is check.c), or print (dump.c).
 */
#include "plan/plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "lib/xalloc.h"

/* Lifecycle and joined namespaces (issue 4). */
static struct husk_fdarg *
plan_fdargs (struct husk_plan *plan, size_t i)
{
  struct husk_fdarg *v[] = {
    &plan->info_fd, &plan->json_status_fd, &plan->sync_fd, &plan->block_fd,
    &plan->userns_block_fd, &plan->userns_fd, &plan->userns2_fd, &plan->pidns_fd,
  };

  return i < sizeof v / sizeof v[0] ? v[i] : NULL;
}

static void
plan_lifecycle_init (struct husk_plan *plan)
{
  struct husk_fdarg *f;

  for (size_t i = 0; (f = plan_fdargs (plan, i)) != NULL; i++)
    {
      f->fd = -1;
      f->origin.argi = -1;
    }
}

static void
plan_lifecycle_free (struct husk_plan *plan)
{
  struct husk_fdarg *f;
  size_t i;

  for (i = 0; (f = plan_fdargs (plan, i)) != NULL; i++)
    origin_free (&f->origin);
  for (i = 0; i < plan->n_lock_files; i++)
    {
      free (plan->lock_files[i].path);
      origin_free (&plan->lock_files[i].origin);
    }
  free (plan->lock_files);
  for (i = 0; i < plan->n_uid_maps; i++)
    origin_free (&plan->uid_maps[i].origin);
  free (plan->uid_maps);
  for (i = 0; i < plan->n_gid_maps; i++)
    origin_free (&plan->gid_maps[i].origin);
  free (plan->gid_maps);
}

void
plan_init (struct husk_plan *plan)
{
  memset (plan, 0, sizeof *plan);
  plan->unshare_user_origin.argi = -1;
  plan->uid_origin.argi = -1;
  plan->gid_origin.argi = -1;
  plan->hostname_origin.argi = -1;
  plan->chdir_origin.argi = -1;
  /* Security (issue 4). */
  plan->exec_label_origin.argi = -1;
  plan->file_label_origin.argi = -1;
  /* Lifecycle and joined namespaces (issue 4). */
  plan_lifecycle_init (plan);
}

static void
plan_op_free (struct husk_op *op)
{
  size_t i;

  free (op->src);
  free (op->dest);
  for (i = 0; i < op->n_overlay_srcs; i++)
    free (op->overlay_srcs[i]);
  free (op->overlay_srcs);
  free (op->overlay_work);
  origin_free (&op->origin);
}

static void
plan_free_strv (char **v)
{
  size_t i;

  if (v == NULL)
    return;
  for (i = 0; v[i] != NULL; i++)
    free (v[i]);
  free (v);
}

/* Safe on a partially filled plan; leaves it freshly initialised. */
void
plan_free (struct husk_plan *plan)
{
  size_t i;

  for (i = 0; i < plan->n_ops; i++)
    plan_op_free (&plan->ops[i]);
  free (plan->ops);
  for (i = 0; i < plan->n_env; i++)
    {
      free (plan->env[i].name);
      free (plan->env[i].value);
      origin_free (&plan->env[i].origin);
    }
  free (plan->env);
  origin_free (&plan->unshare_user_origin);
  origin_free (&plan->uid_origin);
  origin_free (&plan->gid_origin);
  free (plan->hostname);
  origin_free (&plan->hostname_origin);
  free (plan->chdir);
  origin_free (&plan->chdir_origin);
  free (plan->argv0);
  plan_free_strv (plan->argv);
  free (plan->keep_fds);
  /* Security (issue 4). */
  for (i = 0; i < plan->n_seccomp; i++)
    {
      free (plan->seccomp[i].prog);
      origin_free (&plan->seccomp[i].origin);
    }
  free (plan->seccomp);
  free (plan->exec_label);
  origin_free (&plan->exec_label_origin);
  free (plan->file_label);
  origin_free (&plan->file_label_origin);
  /* Lifecycle and joined namespaces (issue 4). */
  plan_lifecycle_free (plan);
  free (plan->oci_path);
  plan_init (plan);
}

struct husk_op *
plan_add_op (struct husk_plan *plan, enum husk_op_kind kind,
             const struct husk_origin *origin)
{
  struct husk_op *op;

  plan->ops = xgrow (plan->ops, &plan->cap_ops, plan->n_ops + 1,
                     sizeof *plan->ops);
  op = &plan->ops[plan->n_ops++];
  memset (op, 0, sizeof *op);
  op->kind = kind;
  op->fd = -1;
  op->perms = HUSK_PERMS_UNSET;
  op->size = HUSK_SIZE_UNSET;
  op->origin = origin_copy (origin);
  return op;
}

struct husk_envop *
plan_add_env (struct husk_plan *plan, enum husk_env_kind kind,
              const char *name, const char *value,
              const struct husk_origin *origin)
{
  struct husk_envop *e;

  plan->env = xgrow (plan->env, &plan->cap_env, plan->n_env + 1,
                     sizeof *plan->env);
  e = &plan->env[plan->n_env++];
  memset (e, 0, sizeof *e);
  e->kind = kind;
  e->name = name ? xstrdup (name) : NULL;
  e->value = value ? xstrdup (value) : NULL;
  e->origin = origin_copy (origin);
  return e;
}

/* Insert fd keeping keep_fds sorted and unique. */
void
plan_keep_fd (struct husk_plan *plan, int fd)
{
  size_t i;

  for (i = 0; i < plan->n_keep_fds && plan->keep_fds[i] <= fd; i++)
    if (plan->keep_fds[i] == fd)
      return;
  plan->keep_fds = xgrow (plan->keep_fds, &plan->cap_keep_fds,
                          plan->n_keep_fds + 1, sizeof *plan->keep_fds);
  memmove (&plan->keep_fds[i + 1], &plan->keep_fds[i],
           (plan->n_keep_fds - i) * sizeof *plan->keep_fds);
  plan->keep_fds[i] = fd;
  plan->n_keep_fds++;
}

struct husk_origin
origin_make (int argi, const char *fmt, ...)
{
  struct husk_origin o;
  va_list ap;
  int n;

  va_start (ap, fmt);
  n = vsnprintf (NULL, 0, fmt, ap);
  va_end (ap);
  if (n < 0)
    husk_die ("cannot format an origin");
  o.where = xmalloc ((size_t) n + 1);
  va_start (ap, fmt);
  vsnprintf (o.where, (size_t) n + 1, fmt, ap);
  va_end (ap);
  o.argi = argi;
  return o;
}

struct husk_origin
origin_copy (const struct husk_origin *o)
{
  struct husk_origin c = { NULL, -1 };

  if (o == NULL)
    return c;
  c.where = o->where ? xstrdup (o->where) : NULL;
  c.argi = o->argi;
  return c;
}

void
origin_free (struct husk_origin *o)
{
  free (o->where);
  o->where = NULL;
  o->argi = -1;
}

const char *
plan_op_kind_name (enum husk_op_kind kind)
{
  switch (kind)
    {
    case HUSK_OP_BIND: return "bind";
    case HUSK_OP_BIND_FD: return "bind-fd";
    case HUSK_OP_REMOUNT_RO: return "remount-ro";
    case HUSK_OP_PROC: return "proc";
    case HUSK_OP_DEV: return "dev";
    case HUSK_OP_TMPFS: return "tmpfs";
    case HUSK_OP_MQUEUE: return "mqueue";
    case HUSK_OP_DIR: return "dir";
    case HUSK_OP_FILE: return "file";
    case HUSK_OP_BIND_DATA: return "bind-data";
    case HUSK_OP_SYMLINK: return "symlink";
    case HUSK_OP_CHMOD: return "chmod";
    case HUSK_OP_OVERLAY: return "overlay";
    case HUSK_OP_DEVPTS: return "devpts";
    case HUSK_OP_MASK: return "mask";
    case HUSK_OP_RO_SELF: return "ro-self";
    default: return "unknown";
    }
}
