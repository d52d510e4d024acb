/* check.c: plan_check, the cross-field rules both front ends share.
 *
 * Everything that can be decided from the plan alone: a command exists,
 * strings the executor needs are non-empty, overlays have their layers,
 * flags and modes fit their op kinds, --hostname comes with a uts namespace.
 * Messages start with the origin of the offending part.
 *
 * Must not: make syscalls, or decide anything the executor alone knows
 * (e.g. whether a user namespace is implied: that depends on being root,
 * so --uid/--gid without --unshare-user is not checked here).
 */
#include "plan/plan.h"

#include <inttypes.h>
#include <string.h>

#include "lib/err.h"

#define CHECK_HOSTNAME_MAX 64 /* HOST_NAME_MAX on Linux */

static const char *
check_where (const struct husk_origin *o, const char *fallback)
{
  return o->where ? o->where : fallback;
}

static int
check_empty (const char *s, const struct husk_op *op, const char *what,
             struct husk_err *err)
{
  if (s != NULL && s[0] != '\0')
    return 0;
  return husk_err_set (err, 0, "%s: empty %s",
                       check_where (&op->origin, plan_op_kind_name (op->kind)),
                       what);
}

static unsigned
check_allowed_flags (enum husk_op_kind kind)
{
  switch (kind)
    {
    case HUSK_OP_BIND:
      return HUSK_OPF_RO | HUSK_OPF_DEV | HUSK_OPF_TRY | HUSK_OPF_NOEXEC
             | HUSK_OPF_NOREC | HUSK_OPF_NOSYMFOLLOW | HUSK_OPF_IDMAP | HUSK_OPF_IDMAP_REC;
    case HUSK_OP_TMPFS:
      return HUSK_OPF_NOEXEC | HUSK_OPF_NOSYMFOLLOW | HUSK_OPF_COPYUP | HUSK_OPF_SYNC
             | HUSK_OPF_DIRSYNC | HUSK_OPF_LAZYTIME;
    case HUSK_OP_PROC:
      return HUSK_OPF_NOEXEC;
    case HUSK_OP_PROPAGATE:
    case HUSK_OP_SETATTR:
      return HUSK_OPF_REC;
    case HUSK_OP_CGROUP:
      return HUSK_OPF_RO;
    case HUSK_OP_BIND_FD:
    case HUSK_OP_BIND_DATA:
      return HUSK_OPF_RO;
    case HUSK_OP_REMOUNT_RO:
    case HUSK_OP_DEV:
    case HUSK_OP_MQUEUE:
    case HUSK_OP_DIR:
    case HUSK_OP_FILE:
    case HUSK_OP_SYMLINK:
    case HUSK_OP_CHMOD:
    case HUSK_OP_OVERLAY:
    case HUSK_OP_DEVPTS:
    case HUSK_OP_MASK:
    case HUSK_OP_RO_SELF:
    case HUSK_OP_DEVICE:
    default:
      return 0;
    }
}

static bool
check_takes_perms (enum husk_op_kind kind)
{
  return kind == HUSK_OP_TMPFS || kind == HUSK_OP_DIR || kind == HUSK_OP_FILE
         || kind == HUSK_OP_BIND_DATA || kind == HUSK_OP_CHMOD || kind == HUSK_OP_DEVICE;
}

static bool
check_takes_fd (enum husk_op_kind kind)
{
  return kind == HUSK_OP_BIND_FD || kind == HUSK_OP_FILE
         || kind == HUSK_OP_BIND_DATA;
}

/* An idmapped bind has both maps, each within the kernel's limit; no other
 * op has any. */
static int
check_op_idmap (const struct husk_op *op, const char *w, struct husk_err *err)
{
  bool idmap = (op->flags & HUSK_OPF_IDMAP) != 0;

  if ((op->flags & HUSK_OPF_IDMAP_REC) && !idmap)
    return husk_err_set (err, 0, "%s: a recursive idmap without an idmap", w);
  if (!idmap && (op->n_idmap_uids > 0 || op->n_idmap_gids > 0))
    return husk_err_set (err, 0, "%s: id maps without an idmap", w);
  if (idmap && (op->n_idmap_uids == 0 || op->n_idmap_gids == 0))
    return husk_err_set (err, 0, "%s: an idmapped mount needs uid and gid maps", w);
  if (op->n_idmap_uids > HUSK_IDMAP_MAX || op->n_idmap_gids > HUSK_IDMAP_MAX)
    return husk_err_set (err, 0, "%s: more than %d id map ranges", w, HUSK_IDMAP_MAX);
  return 0;
}

/* Fields that only some kinds may carry. */
static int
check_op_fields (const struct husk_op *op, struct husk_err *err)
{
  const char *w = check_where (&op->origin, plan_op_kind_name (op->kind));

  if (op->flags & ~check_allowed_flags (op->kind))
    return husk_err_set (err, 0, "%s: flags not valid for a %s operation", w,
                         plan_op_kind_name (op->kind));
  if (op->perms != HUSK_PERMS_UNSET
      && (!check_takes_perms (op->kind) || op->perms < 0 || op->perms > 07777))
    return husk_err_set (err, 0, "%s: invalid permissions", w);
  if (op->kind == HUSK_OP_CHMOD && op->perms == HUSK_PERMS_UNSET)
    return husk_err_set (err, 0, "%s: no mode given", w);
  if (op->size != HUSK_SIZE_UNSET && op->kind != HUSK_OP_TMPFS)
    return husk_err_set (err, 0, "%s: a size only applies to a tmpfs", w);
  if (check_takes_fd (op->kind) ? op->fd < 0 : op->fd != -1)
    return husk_err_set (err, 0, "%s: invalid file descriptor", w);
  if (op->kind != HUSK_OP_PROPAGATE && op->propagation != HUSK_PROP_NONE)
    return husk_err_set (err, 0, "%s: a propagation only applies to a propagate operation", w);
  if (op->kind != HUSK_OP_SETATTR && (op->attr_set != 0 || op->attr_clr != 0))
    return husk_err_set (err, 0, "%s: mount attributes only apply to a setattr operation", w);
  return check_op_idmap (op, w, err);
}

static int
check_overlay (const struct husk_op *op, struct husk_err *err)
{
  const char *w = check_where (&op->origin, "overlay");
  size_t i;

  if (op->n_overlay_srcs < 1)
    return husk_err_set (err, 0, "%s: an overlay needs at least one "
                         "lower layer (--overlay-src)", w);
  if (op->overlay_mode == HUSK_OVERLAY_RO && op->n_overlay_srcs < 2)
    return husk_err_set (err, 0, "%s: a read-only overlay needs at least two "
                         "lower layers (--overlay-src)", w);
  for (i = 0; i < op->n_overlay_srcs; i++)
    if (check_empty (op->overlay_srcs[i], op, "lower layer", err) < 0)
      return -1;
  if (op->overlay_mode != HUSK_OVERLAY_RW)
    return 0;
  if (check_empty (op->src, op, "upper directory", err) < 0)
    return -1;
  return check_empty (op->overlay_work, op, "work directory", err);
}

static int
check_op (const struct husk_op *op, struct husk_err *err)
{
  if (check_empty (op->dest, op, "destination", err) < 0)
    return -1;
  if (check_op_fields (op, err) < 0)
    return -1;
  switch (op->kind)
    {
    case HUSK_OP_BIND:
      return check_empty (op->src, op, "source", err);
    case HUSK_OP_SYMLINK:
      return check_empty (op->src, op, "symlink target", err);
    case HUSK_OP_OVERLAY:
      return check_overlay (op, err);
    case HUSK_OP_PROPAGATE:
      if (op->propagation == HUSK_PROP_NONE || op->propagation > HUSK_PROP_UNBINDABLE)
        return husk_err_set (err, 0, "%s: invalid propagation",
                             check_where (&op->origin, "propagate"));
      return 0;
    case HUSK_OP_DEVICE:
      if (op->dev.type == '\0' || strchr ("cbup", op->dev.type) == NULL)
        return husk_err_set (err, 0, "%s: invalid device type",
                             check_where (&op->origin, "device"));
      return 0;
    case HUSK_OP_SETATTR:
      {
        unsigned mode = op->attr_set & HUSK_MA_ATIME;

        if (((op->attr_set | op->attr_clr) & ~HUSK_MA_ALL) || (op->attr_clr & HUSK_MA_ATIME)
            || (mode & (mode - 1)) || (op->attr_set & op->attr_clr)
            || (op->attr_set | op->attr_clr) == 0)
          return husk_err_set (err, 0, "%s: invalid mount attributes",
                               check_where (&op->origin, "setattr"));
        return 0;
      }
    case HUSK_OP_BIND_FD:
    case HUSK_OP_REMOUNT_RO:
    case HUSK_OP_PROC:
    case HUSK_OP_DEV:
    case HUSK_OP_TMPFS:
    case HUSK_OP_MQUEUE:
    case HUSK_OP_DIR:
    case HUSK_OP_FILE:
    case HUSK_OP_BIND_DATA:
    case HUSK_OP_CHMOD:
    case HUSK_OP_DEVPTS:
    case HUSK_OP_MASK:
    case HUSK_OP_RO_SELF:
    case HUSK_OP_CGROUP:
      return 0;
    default:
      return husk_err_set (err, 0, "%s: unknown operation kind %d",
                           check_where (&op->origin, "op"), (int) op->kind);
    }
}

static int
check_env (const struct husk_envop *e, struct husk_err *err)
{
  const char *w = check_where (&e->origin, "environment");

  if (e->kind == HUSK_ENV_CLEAR)
    return 0;
  if (e->name == NULL || e->name[0] == '\0' || strchr (e->name, '=') != NULL)
    return husk_err_set (err, 0, "%s: invalid variable name \"%s\"", w,
                         e->name ? e->name : "");
  if (e->kind == HUSK_ENV_SET && e->value == NULL)
    return husk_err_set (err, 0, "%s: no value", w);
  return 0;
}

static int
check_identity (const struct husk_plan *plan, struct husk_err *err)
{
  const char *w = check_where (&plan->hostname_origin, "hostname");

  if (plan->has_uid && plan->uid == (uid_t) -1)
    return husk_err_set (err, 0, "%s: invalid uid",
                         check_where (&plan->uid_origin, "uid"));
  if (plan->has_gid && plan->gid == (gid_t) -1)
    return husk_err_set (err, 0, "%s: invalid gid",
                         check_where (&plan->gid_origin, "gid"));
  if (plan->hostname == NULL)
    return 0;
  if (!(plan->unshare & HUSK_NS_UTS))
    return husk_err_set (err, 0, "%s: requires a new uts namespace "
                         "(--unshare-uts)", w);
  if (strlen (plan->hostname) > CHECK_HOSTNAME_MAX)
    return husk_err_set (err, 0, "%s: hostname longer than %d bytes", w,
                         CHECK_HOSTNAME_MAX);
  return 0;
}

/* Lifecycle and joined namespaces (issue 4). */
static bool
check_overlap (uint32_t a, uint32_t b, uint32_t count_a, uint32_t count_b)
{
  /* [a, a+count_a) and [b, b+count_b) intersect; no overflow (checked first). */
  return a < b + count_b && b < a + count_a;
}

/* The kernel's rules for one id map: at most HUSK_IDMAP_MAX ranges, none
 * wrapping past 4294967294, and neither the inside nor the outside ranges
 * overlapping each other. */
static int
check_idmap (const struct husk_idmap *v, size_t n, const char *flag,
             struct husk_err *err)
{
  size_t i, j;

  if (n > HUSK_IDMAP_MAX)
    return husk_err_set (err, 0, "%s: more than %d ranges",
                         check_where (&v[HUSK_IDMAP_MAX].origin, flag), HUSK_IDMAP_MAX);
  for (i = 0; i < n; i++)
    {
      const char *w = check_where (&v[i].origin, flag);

      if (v[i].count == 0)
        return husk_err_set (err, 0, "%s: empty range", w);
      if (v[i].count - 1 > UINT32_MAX - 1 - v[i].inside
          || v[i].count - 1 > UINT32_MAX - 1 - v[i].outside)
        return husk_err_set (err, 0, "%s: range goes past id 4294967294", w);
      for (j = 0; j < i; j++)
        {
          const char *what = NULL;

          if (check_overlap (v[i].inside, v[j].inside, v[i].count, v[j].count))
            what = "inside";
          else if (check_overlap (v[i].outside, v[j].outside, v[i].count, v[j].count))
            what = "outside";
          if (what != NULL)
            return husk_err_set (err, 0, "%s: %s ids overlap those of %s", w, what,
                                 check_where (&v[j].origin, flag));
        }
    }
  return 0;
}

static bool
check_id_mapped (const struct husk_idmap *v, size_t n, uint32_t id)
{
  for (size_t i = 0; i < n; i++)
    if (id >= v[i].inside && id - v[i].inside < v[i].count)
      return true;
  return false;
}

/* bwrap's rules for joined user namespaces. */
static int
check_joined (const struct husk_plan *plan, struct husk_err *err)
{
  const char *uw = check_where (plan_userns_join_origin (plan), "userns");

  if (plan->userns_join.path != NULL && plan->userns_fd.fd >= 0)
    return husk_err_set (err, 0, "%s: cannot be used with %s", uw,
                         check_where (&plan->userns_fd.origin, "--userns"));
  if (plan->userns_join.path != NULL && plan->userns_join.fd != -1)
    return husk_err_set (err, 0, "%s: invalid file descriptor", uw);
  if (plan_joins_userns (plan) && (plan->unshare & HUSK_NS_USER))
    return husk_err_set (err, 0, "%s: cannot be used with %s", uw,
                         check_where (&plan->unshare_user_origin, "--unshare-user"));
  if (plan_joins_userns (plan) && (plan->n_uid_maps > 0 || plan->n_gid_maps > 0))
    return husk_err_set (err, 0, "%s: the namespace has its id maps already; --uid-map "
                         "and --gid-map cannot be used with it", uw);
  if (plan->userns2_fd.fd >= 0 && plan->userns_fd.fd < 0)
    return husk_err_set (err, 0, "%s: requires --userns",
                         check_where (&plan->userns2_fd.origin, "userns2"));
  if (plan->disable_userns && !(plan->unshare & HUSK_NS_USER))
    return husk_err_set (err, 0, "--disable-userns: requires --unshare-user");
  if (plan->disable_userns && plan->userns_block_fd.fd >= 0)
    return husk_err_set (err, 0, "--disable-userns: cannot be used with %s",
                         check_where (&plan->userns_block_fd.origin, "--userns-block-fd"));
  return 0;
}

static int
check_lifecycle (const struct husk_plan *plan, struct husk_err *err)
{
  if (check_idmap (plan->uid_maps, plan->n_uid_maps, "uid-map", err) < 0
      || check_idmap (plan->gid_maps, plan->n_gid_maps, "gid-map", err) < 0)
    return -1;
  if (plan->n_uid_maps > 0 && plan->has_uid
      && !check_id_mapped (plan->uid_maps, plan->n_uid_maps, plan->uid))
    return husk_err_set (err, 0, "%s: uid %" PRIu32 " is in no --uid-map range",
                         check_where (&plan->uid_origin, "uid"), (uint32_t) plan->uid);
  if (plan->n_gid_maps > 0 && plan->has_gid
      && !check_id_mapped (plan->gid_maps, plan->n_gid_maps, plan->gid))
    return husk_err_set (err, 0, "%s: gid %" PRIu32 " is in no --gid-map range",
                         check_where (&plan->gid_origin, "gid"), (uint32_t) plan->gid);
  if (plan->userns_block_fd.fd >= 0 && !(plan->unshare & HUSK_NS_USER))
    return husk_err_set (err, 0, "%s: requires --unshare-user",
                         check_where (&plan->userns_block_fd.origin, "userns-block-fd"));
  /* The caller needs the child's pid to write its maps. */
  if (plan->userns_block_fd.fd >= 0 && plan->info_fd.fd < 0 && plan->json_status_fd.fd < 0)
    return husk_err_set (err, 0, "%s: requires --info-fd or --json-status-fd",
                         check_where (&plan->userns_block_fd.origin, "userns-block-fd"));
  if (plan->userns_block_fd.fd >= 0 && (plan->n_uid_maps > 0 || plan->n_gid_maps > 0))
    return husk_err_set (err, 0, "%s: the caller writes the id maps; --uid-map and "
                         "--gid-map cannot be used with it",
                         check_where (&plan->userns_block_fd.origin, "userns-block-fd"));
  if (check_joined (plan, err) < 0)
    return -1;
  /* Without a reaper nothing but the program could hold the lock. */
  if (plan->as_pid_1 && plan->n_lock_files > 0)
    return husk_err_set (err, 0, "%s: cannot be used with --as-pid-1",
                         check_where (&plan->lock_files[0].origin, "lock-file"));
  for (size_t i = 0; i < plan->n_lock_files; i++)
    if (plan->lock_files[i].path == NULL || plan->lock_files[i].path[0] == '\0')
      return husk_err_set (err, 0, "%s: empty path",
                           check_where (&plan->lock_files[i].origin, "lock-file"));
  return 0;
}

/* Landlock (issue 6). */
static int
check_landlock (const struct husk_plan *plan, struct husk_err *err)
{
  /* Alone it would mean an empty ruleset: even the execve would fail. */
  if (plan->landlock_strict && !plan->landlock)
    return husk_err_set (err, 0, "%s: needs at least one other --landlock-* option",
                         check_where (&plan->landlock_strict_origin, "landlock strict"));
  for (size_t i = 0; i < plan->n_landlock_paths; i++)
    if (plan->landlock_paths[i].path[0] != '/')
      return husk_err_set (err, 0, "%s: the path must be absolute",
                           check_where (&plan->landlock_paths[i].origin, "landlock path"));
  for (size_t i = 0; i < plan->n_landlock_ports; i++)
    if (plan->landlock_ports[i].port == 0)
      return husk_err_set (err, 0, "%s: port 0 is not a TCP port",
                           check_where (&plan->landlock_ports[i].origin, "landlock port"));
  return 0;
}

/* Process limits, time and joined namespaces (issue 6). */
static int
check_process2 (const struct husk_plan *plan, struct husk_err *err)
{
  static const unsigned unshare_of[HUSK_JOIN_COUNT] = {
    [HUSK_JOIN_NET] = HUSK_NS_NET,  [HUSK_JOIN_UTS] = HUSK_NS_UTS,
    [HUSK_JOIN_IPC] = HUSK_NS_IPC,  [HUSK_JOIN_CGROUP] = HUSK_NS_CGROUP,
  };

  for (size_t c = 0; c < HUSK_CLOCK_COUNT; c++)
    if (plan->time_offsets[c].set && !plan->unshare_time)
      return husk_err_set (err, 0, "%s: requires --unshare-time",
                           check_where (&plan->time_offsets[c].origin, "time-offset"));
  /* Joining one and making a new one of the same kind: one of them is a
   * mistake (the new one would hide the joined one).  The mount namespace
   * is always a copy of the joined one. */
  for (size_t k = 0; k < HUSK_JOIN_COUNT; k++)
    {
      const struct husk_nsjoin *j = &plan->join_ns[k];
      bool new_too = k == HUSK_JOIN_TIME ? plan->unshare_time : (plan->unshare & unshare_of[k]);

      if ((j->fd >= 0 || j->path != NULL) && new_too)
        return husk_err_set (err, 0, "%s: cannot be combined with a new %s namespace "
                             "(--unshare-%s%s)",
                             check_where (&j->origin, plan_join_name ((enum husk_join_kind) k)),
                             plan_join_name ((enum husk_join_kind) k),
                             plan_join_name ((enum husk_join_kind) k),
                             k == HUSK_JOIN_TIME ? "" : " or --unshare-all");
    }
  return 0;
}

/* Issue 5: SCMP_ACT_NOTIFY.  The kernel gives a process at most one
 * listener (seccomp(2): EBUSY for a second), and the agent gets it. */
static int
check_seccomp_listener (const struct husk_plan *plan, struct husk_err *err)
{
  const struct husk_seccomp *first = NULL;

  for (size_t i = 0; i < plan->n_seccomp; i++)
    {
      const struct husk_seccomp *s = &plan->seccomp[i];

      if (!(s->flags & HUSK_SECCOMP_FLAG_NEW_LISTENER))
        continue;
      if (first != NULL)
        return husk_err_set (err, 0,
                             "%s: SCMP_ACT_NOTIFY in a second seccomp program (%s has one; "
                             "the kernel allows one listener)",
                             check_where (&s->origin, "seccomp"),
                             check_where (&first->origin, "seccomp"));
      first = s;
    }
  if ((first != NULL) != (plan->seccomp_agent.path != NULL))
    return husk_err_set (err, 0, "%s: a seccomp listener needs exactly one agent (listenerPath)",
                         first ? check_where (&first->origin, "seccomp")
                               : check_where (&plan->seccomp_agent.origin, "listenerPath"));
  return 0;
}

/* Seccomp profiles, cgroups, networking (issue 6). */
static int
check_resources (const struct husk_plan *plan, struct husk_err *err)
{
  if (check_seccomp_listener (plan, err) < 0)
    return -1;
  /* pasta serves a network namespace of the sandbox's own. */
  if (plan->pasta && !(plan->unshare & HUSK_NS_NET))
    return husk_err_set (err, 0, "%s: cancelled by a later --share-net or --net host",
                         check_where (&plan->net_origin, "net pasta"));
  if (plan->pasta && plan->join_ns[HUSK_JOIN_NET].origin.where != NULL)
    return husk_err_set (err, 0, "%s: cannot be combined with %s",
                         check_where (&plan->net_origin, "net pasta"),
                         plan->join_ns[HUSK_JOIN_NET].origin.where);
  return 0;
}

/* OCI process and linux attributes (issue 5, second part). */
static int
check_oci_attrs (const struct husk_plan *plan, struct husk_err *err)
{
  if (plan->n_netdevs > 0
      && (!(plan->unshare & HUSK_NS_NET) || plan->join_ns[HUSK_JOIN_NET].origin.where != NULL
          || plan->pasta))
    return husk_err_set (err, 0, "%s: requires a new network namespace of the sandbox's own",
                         check_where (&plan->netdevs[0].origin, "netdev"));
  if (plan->sched.set && (plan->sched.nice < -20 || plan->sched.nice > 19))
    return husk_err_set (err, 0, "%s: nice out of range",
                         check_where (&plan->sched.origin, "scheduler"));
  if (plan->ioprio.set
      && (plan->ioprio.klass < 1 || plan->ioprio.klass > 3 || plan->ioprio.level < 0
          || plan->ioprio.level > 7))
    return husk_err_set (err, 0, "%s: out of range", check_where (&plan->ioprio.origin, "ioprio"));
  return 0;
}

/* OCI linux.resources and linux.cgroupsPath (issue 5).  A write names a
 * file of the sandbox's own cgroup: a plain name (no '/', not "." or
 * "..", so it cannot reach another cgroup), never one of the files husk
 * manages itself (moving, killing or freezing processes, or enabling
 * controllers below the sandbox's cgroup, which would keep the sandbox
 * out of it: cgroup v2's no-internal-processes rule). */
static int
check_cgroup_file (const char *file, const char *where, struct husk_err *err)
{
  static const char *const managed[] = {
    "cgroup.procs",           "cgroup.threads", "cgroup.kill", "cgroup.freeze",
    "cgroup.subtree_control", "cgroup.type",    NULL,
  };

  if (file[0] == '\0' || strcmp (file, ".") == 0 || strcmp (file, "..") == 0
      || strpbrk (file, "/ \t\n") != NULL || strchr (file, '.') == NULL)
    return husk_err_set (err, 0, "%s: not a cgroup file name (CONTROLLER.NAME, no '/')", where);
  for (size_t i = 0; managed[i] != NULL; i++)
    if (strcmp (file, managed[i]) == 0)
      return husk_err_set (err, 0, "%s: %s is managed by husk and cannot be written", where, file);
  return 0;
}

static int
check_cgroup_path (const struct husk_plan *plan, struct husk_err *err)
{
  const char *where = check_where (&plan->cgroup_path_origin, "cgroup path");
  const char *p = plan->cgroup_path;

  if (p == NULL)
    return 0;
  if (*p == '/')
    p++;
  if (*p == '\0')
    return husk_err_set (err, 0, "%s: must name a cgroup, not the root", where);
  for (;;)
    {
      size_t n = strcspn (p, "/");

      if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
        return husk_err_set (err, 0, "%s: empty, \".\" or \"..\" component", where);
      if (memchr (p, '\n', n) != NULL)
        return husk_err_set (err, 0, "%s: newline in the path", where);
      if (p[n] == '\0')
        return 0;
      p += n + 1;
    }
}

static int
check_cgroup_writes (const struct husk_plan *plan, struct husk_err *err)
{
  for (size_t i = 0; i < plan->n_cgroup_writes; i++)
    {
      const struct husk_cgroup_write *w = &plan->cgroup_writes[i];
      const char *where = check_where (&w->origin, w->file);

      if (check_cgroup_file (w->file, where, err) < 0
          || (w->alt_file != NULL && check_cgroup_file (w->alt_file, where, err) < 0))
        return -1;
      if ((w->alt_file == NULL) != (w->alt_value == NULL))
        return husk_err_set (err, 0, "%s: a fallback file needs a value", where);
    }
  return check_cgroup_path (plan, err);
}

/* OCI linux.resources.devices (issue 5): what the eBPF program compiler
 * takes (a type, an access, majors and minors of the program's u32). */
static int
check_device_rules (const struct husk_plan *plan, struct husk_err *err)
{
  for (size_t i = 0; i < plan->n_device_rules; i++)
    {
      const struct husk_device_rule *r = &plan->device_rules[i];
      const char *where = check_where (&r->origin, "device rule");

      if (r->type != 'a' && r->type != 'b' && r->type != 'c')
        return husk_err_set (err, 0, "%s: type must be a, b or c", where);
      if (r->access == 0 || (r->access & ~(unsigned) HUSK_DEV_ALL) != 0)
        return husk_err_set (err, 0, "%s: access must be made of r, w and m", where);
      if (r->major < HUSK_DEV_ANY || r->major > UINT32_MAX || r->minor < HUSK_DEV_ANY
          || r->minor > UINT32_MAX)
        return husk_err_set (err, 0, "%s: major and minor must be -1 (any) or 0..4294967295",
                             where);
    }
  return 0;
}

int
plan_check (const struct husk_plan *plan, struct husk_err *err)
{
  size_t i;

  if (plan->argc == 0 || plan->argv == NULL || plan->argv[0] == NULL)
    return husk_err_set (err, 0, "no command specified");
  if (check_identity (plan, err) < 0)
    return -1;
  if (check_lifecycle (plan, err) < 0)
    return -1;
  if (check_landlock (plan, err) < 0)
    return -1;
  if (check_process2 (plan, err) < 0)
    return -1;
  if (check_resources (plan, err) < 0 || check_cgroup_writes (plan, err) < 0
      || check_device_rules (plan, err) < 0)
    return -1;
  if (check_oci_attrs (plan, err) < 0)
    return -1;
  for (i = 0; i < plan->n_ops; i++)
    if (check_op (&plan->ops[i], err) < 0)
      return -1;
  for (i = 0; i < plan->n_env; i++)
    if (check_env (&plan->env[i], err) < 0)
      return -1;
  /* Without a pid namespace there is no reaper to leave out. */
  if (plan->as_pid_1 && !(plan->unshare & HUSK_NS_PID))
    return husk_err_set (err, 0, "--as-pid-1: requires --unshare-pid");
  if (plan->chdir != NULL && plan->chdir[0] == '\0')
    return husk_err_set (err, 0, "%s: empty directory",
                         check_where (&plan->chdir_origin, "chdir"));
  return 0;
}
