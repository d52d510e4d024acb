/* opts_mounts.c: handlers for the filesystem options.  Each appends one op
 * to plan->ops, in command-line order.  Also the modifiers that apply to
 * the next option only: --perms (next --dir, --file, --bind-data,
 * --ro-bind-data or --tmpfs), --size (next --tmpfs) and --overlay-src
 * (layers for the next --overlay, --tmp-overlay or --ro-overlay).
 *
 * Must not: look at the filesystem; destinations are kept as given
 * (relative ones are relative to the new root, as in bwrap).
 */
#include <stdlib.h>

#include "cli/cli_int.h"
#include "lib/cleanup.h"
#include "lib/parse.h"
#include "lib/xalloc.h"

static bool
mounts_uses_perms (cli_handler h)
{
  return h == cli_opt_dir || h == cli_opt_file || h == cli_opt_bind_data
         || h == cli_opt_ro_bind_data || h == cli_opt_tmpfs;
}

static bool
mounts_uses_overlay (cli_handler h)
{
  return h == cli_opt_overlay_src || h == cli_opt_overlay
         || h == cli_opt_tmp_overlay || h == cli_opt_ro_overlay;
}

/* h is the next option's handler, or NULL at the end of the options. */
int
cli_mounts_check_pending (struct cli_state *st, cli_handler h,
                          struct husk_err *err)
{
  if (st->perms != HUSK_PERMS_UNSET && h != cli_opt_size
      && !mounts_uses_perms (h))
    return husk_err_set (err, 0, "%s: must be followed by --dir, --file, "
                         "--bind-data, --ro-bind-data or --tmpfs",
                         st->perms_origin.where);
  if (st->size != HUSK_SIZE_UNSET && h != cli_opt_perms && h != cli_opt_tmpfs)
    return husk_err_set (err, 0, "%s: must be followed by --tmpfs",
                         st->size_origin.where);
  if (st->n_overlay_srcs > 0 && !mounts_uses_overlay (h))
    return husk_err_set (err, 0, "%s: must be followed by --overlay, "
                         "--tmp-overlay or --ro-overlay",
                         st->overlay_origin.where);
  return 0;
}

static struct husk_op *
mounts_add (struct cli_state *st, enum husk_op_kind kind, unsigned flags,
            const char *src, const char *dest)
{
  struct husk_op *op = plan_add_op (st->plan, kind, &st->origin);

  op->flags = flags;
  op->src = src ? xstrdup (src) : NULL;
  op->dest = xstrdup (dest);
  return op;
}

/* Consume a pending --perms into op. */
static void
mounts_take_perms (struct cli_state *st, struct husk_op *op)
{
  op->perms = st->perms;
  st->perms = HUSK_PERMS_UNSET;
  origin_free (&st->perms_origin);
}

static int
mounts_add_fd (struct cli_state *st, enum husk_op_kind kind, unsigned flags,
               char **args, struct husk_err *err)
{
  struct husk_op *op;
  int fd;

  if (parse_fd (args[0], &fd) < 0)
    {
      cleanup_free char *q = cli_quote_always (args[0]);
      return husk_err_set (err, 0, "%s: invalid file descriptor %s",
                           st->origin.where, q);
    }
  op = mounts_add (st, kind, flags, NULL, args[1]);
  op->fd = fd;
  if (kind == HUSK_OP_FILE || kind == HUSK_OP_BIND_DATA)
    mounts_take_perms (st, op);
  return 0;
}

#define MOUNTS_BIND(HANDLER, FLAGS)                                     \
  int HANDLER (struct cli_state *st, char **args, struct husk_err *err) \
  {                                                                     \
    (void) err;                                                         \
    mounts_add (st, HUSK_OP_BIND, (FLAGS), args[0], args[1]);           \
    return 0;                                                           \
  }

MOUNTS_BIND (cli_opt_bind, 0)
MOUNTS_BIND (cli_opt_bind_try, HUSK_OPF_TRY)
MOUNTS_BIND (cli_opt_dev_bind, HUSK_OPF_DEV)
MOUNTS_BIND (cli_opt_dev_bind_try, HUSK_OPF_DEV | HUSK_OPF_TRY)
MOUNTS_BIND (cli_opt_ro_bind, HUSK_OPF_RO)
MOUNTS_BIND (cli_opt_ro_bind_try, HUSK_OPF_RO | HUSK_OPF_TRY)

#define MOUNTS_FD(HANDLER, KIND, FLAGS)                                 \
  int HANDLER (struct cli_state *st, char **args, struct husk_err *err) \
  {                                                                     \
    return mounts_add_fd (st, (KIND), (FLAGS), args, err);              \
  }

MOUNTS_FD (cli_opt_bind_fd, HUSK_OP_BIND_FD, 0)
MOUNTS_FD (cli_opt_ro_bind_fd, HUSK_OP_BIND_FD, HUSK_OPF_RO)
MOUNTS_FD (cli_opt_file, HUSK_OP_FILE, 0)
MOUNTS_FD (cli_opt_bind_data, HUSK_OP_BIND_DATA, 0)
MOUNTS_FD (cli_opt_ro_bind_data, HUSK_OP_BIND_DATA, HUSK_OPF_RO)

#define MOUNTS_DEST(HANDLER, KIND)                                      \
  int HANDLER (struct cli_state *st, char **args, struct husk_err *err) \
  {                                                                     \
    (void) err;                                                         \
    mounts_add (st, (KIND), 0, NULL, args[0]);                          \
    return 0;                                                           \
  }

MOUNTS_DEST (cli_opt_remount_ro, HUSK_OP_REMOUNT_RO)
MOUNTS_DEST (cli_opt_proc, HUSK_OP_PROC)
MOUNTS_DEST (cli_opt_dev, HUSK_OP_DEV)
MOUNTS_DEST (cli_opt_mqueue, HUSK_OP_MQUEUE)

int
cli_opt_tmpfs (struct cli_state *st, char **args, struct husk_err *err)
{
  struct husk_op *op = mounts_add (st, HUSK_OP_TMPFS, 0, NULL, args[0]);

  (void) err;
  mounts_take_perms (st, op);
  op->size = st->size;
  st->size = HUSK_SIZE_UNSET;
  origin_free (&st->size_origin);
  return 0;
}

int
cli_opt_dir (struct cli_state *st, char **args, struct husk_err *err)
{
  (void) err;
  mounts_take_perms (st, mounts_add (st, HUSK_OP_DIR, 0, NULL, args[0]));
  return 0;
}

int
cli_opt_symlink (struct cli_state *st, char **args, struct husk_err *err)
{
  (void) err;
  mounts_add (st, HUSK_OP_SYMLINK, 0, args[0], args[1]);
  return 0;
}

int
cli_opt_chmod (struct cli_state *st, char **args, struct husk_err *err)
{
  int mode;

  if (parse_octal_mode (args[0], &mode) < 0)
    {
      cleanup_free char *q = cli_quote_always (args[0]);
      return husk_err_set (err, 0, "%s: invalid octal mode %s",
                           st->origin.where, q);
    }
  mounts_add (st, HUSK_OP_CHMOD, 0, NULL, args[1])->perms = mode;
  return 0;
}

int
cli_opt_perms (struct cli_state *st, char **args, struct husk_err *err)
{
  int mode;

  if (parse_octal_mode (args[0], &mode) < 0)
    {
      cleanup_free char *q = cli_quote_always (args[0]);
      return husk_err_set (err, 0, "%s: invalid octal mode %s",
                           st->origin.where, q);
    }
  st->perms = mode;
  st->perms_origin = origin_copy (&st->origin);
  return 0;
}

int
cli_opt_size (struct cli_state *st, char **args, struct husk_err *err)
{
  uint64_t size;

  if (parse_size (args[0], &size) < 0)
    {
      cleanup_free char *q = cli_quote_always (args[0]);
      return husk_err_set (err, 0, "%s: invalid size %s",
                           st->origin.where, q);
    }
  st->size = size;
  st->size_origin = origin_copy (&st->origin);
  return 0;
}

int
cli_opt_overlay_src (struct cli_state *st, char **args, struct husk_err *err)
{
  (void) err;
  st->overlay_srcs = xgrow (st->overlay_srcs, &st->cap_overlay_srcs,
                            st->n_overlay_srcs + 1, sizeof *st->overlay_srcs);
  st->overlay_srcs[st->n_overlay_srcs++] = xstrdup (args[0]);
  origin_free (&st->overlay_origin);
  st->overlay_origin = origin_copy (&st->origin);
  return 0;
}

/* Move the pending layers into a new overlay op at dest. */
static int
mounts_overlay (struct cli_state *st, enum husk_overlay_mode mode,
                const char *dest, struct husk_err *err)
{
  struct husk_op *op;

  if (st->n_overlay_srcs == 0)
    return husk_err_set (err, 0, "%s: needs at least one --overlay-src "
                         "before it", st->origin.where);
  op = mounts_add (st, HUSK_OP_OVERLAY, 0, NULL, dest);
  op->overlay_mode = mode;
  op->overlay_srcs = steal_pointer (&st->overlay_srcs);
  op->n_overlay_srcs = st->n_overlay_srcs;
  st->n_overlay_srcs = st->cap_overlay_srcs = 0;
  origin_free (&st->overlay_origin);
  return 0;
}

int
cli_opt_overlay (struct cli_state *st, char **args, struct husk_err *err)
{
  struct husk_op *op;

  if (mounts_overlay (st, HUSK_OVERLAY_RW, args[2], err) < 0)
    return -1;
  op = &st->plan->ops[st->plan->n_ops - 1];
  op->src = xstrdup (args[0]);
  op->overlay_work = xstrdup (args[1]);
  return 0;
}

int
cli_opt_tmp_overlay (struct cli_state *st, char **args, struct husk_err *err)
{
  return mounts_overlay (st, HUSK_OVERLAY_TMP, args[0], err);
}

int
cli_opt_ro_overlay (struct cli_state *st, char **args, struct husk_err *err)
{
  return mounts_overlay (st, HUSK_OVERLAY_RO, args[0], err);
}
