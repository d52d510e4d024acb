/* export.c: plan -> config.json (`husk --print-oci`, issue 5): the OCI
 * config that, run with `husk --oci`, sets up the same sandbox as the flags
 * that built the plan.  The mapping (see man/husk-oci.5, "EXPORT"):
 *
 *   the flag root (a tmpfs)  root.path "rootfs" (an empty directory the user
 *                            makes) with a tmpfs mounted on "/" as mounts[0]
 *   --bind and friends       "bind" mounts, "rbind", source made absolute (from /);
 *                            a *-try bind whose source is missing now is left out
 *   --proc, --tmpfs, --mqueue  mounts of that type, in flag order
 *   --dev /dev               tmpfs /dev, devpts /dev/pts, tmpfs /dev/shm (the
 *                            loader adds the default devices and links)
 *   --remount-ro             "ro" on the mount just before it, or root.readonly
 *                            when it is the last op and names "/"
 *   environment              the caller's environment with the flags' edits
 *                            applied, as process.env
 *   user namespace           process.user and a one-id uid/gid mapping (or the
 *                            --uid-map/--gid-map ranges)
 *   --memory-max, --pids-max linux.resources.memory.limit, pids.limit (-1: max)
 *   --cpu-max                linux.resources.cpu.quota (-1: max) and period
 *   --io-weight              linux.resources.unified "io.weight" (blockIO.weight
 *                            is cgroup v1's range, converted: not exact)
 * Anything else the loader cannot read back the same way (--symlink, --dir,
 * --file, --chmod, overlays, fds, seccomp programs, Landlock, pasta, ...) is
 * an error naming the flag: the export is faithful or absent.
 *
 * Must not: make syscalls beyond reading what the flags left to run time
 * (ids, environment, cwd, whether a *-try source exists, current rlimits).
 */
#include "oci/oci_int.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/json_u64.h"
#include "lib/rlimit.h"
#include "lib/xalloc.h"

extern char **environ;

struct exp
{
  const struct husk_plan *plan;
  const struct oci_host *host;
  json_t *mounts;
  bool root_readonly;
  size_t n_big; /* json_u64_new values above INT64_MAX */
};

static int
exp_no (const char *where, struct husk_err *err)
{
  return husk_err_set (err, 0, "%s: cannot be expressed in config.json (--print-oci)", where);
}

static void
exp_add (json_t *obj, const char *key, json_t *v)
{
  if (v == NULL || json_object_set_new (obj, key, v) < 0)
    husk_die ("out of memory");
}

static void
exp_push (json_t *arr, json_t *v)
{
  if (v == NULL || json_array_append_new (arr, v) < 0)
    husk_die ("out of memory");
}

/* "a" or "/a" -> "/a"; OCI destinations are absolute. */
static char *
exp_abs_dest (const char *dest)
{
  return dest[0] == '/' ? xstrdup (dest) : xasprintf ("/%s", dest);
}

/* ---- plan fields with no config.json form ------------------------------- */

static int
exp_check_fdargs (const struct husk_plan *plan, struct husk_err *err)
{
  const struct husk_fdarg *fds[] = {
    &plan->info_fd,    &plan->json_status_fd,  &plan->sync_fd,
    &plan->block_fd,   &plan->userns_block_fd, &plan->userns_fd,
    &plan->userns2_fd, &plan->pidfd_fd,
  };

  for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
    if (fds[i]->fd >= 0)
      return exp_no (fds[i]->origin.where, err);
  if (plan->userns_join.path != NULL)
    return exp_no (plan->userns_join.origin.where, err);
  for (size_t i = 0; i < HUSK_JOIN_COUNT; i++)
    if (plan->join_ns[i].fd >= 0 || (plan->join_ns[i].path != NULL && i == HUSK_JOIN_PID))
      return exp_no (plan->join_ns[i].origin.where, err);
  return 0;
}

static int
exp_check_plan (const struct husk_plan *plan, struct husk_err *err)
{
  if (plan->argv0 != NULL)
    return exp_no ("--argv0", err);
  if (plan->die_with_parent)
    return exp_no ("--die-with-parent", err);
  if (plan->new_session)
    return exp_no ("--new-session", err);
  if (plan->no_forward_signals)
    return exp_no ("--no-forward-signals", err);
  if (plan->disable_userns || plan->assert_userns_disabled)
    return exp_no (plan->disable_userns ? "--disable-userns" : "--assert-userns-disabled", err);
  if (plan->n_seccomp > 0)
    return exp_no (plan->seccomp[0].origin.where, err);
  if (plan->landlock)
    return exp_no (plan->landlock_origin.where, err);
  if (plan->n_lock_files > 0)
    return exp_no (plan->lock_files[0].origin.where, err);
  if (plan->join_pid != 0)
    return exp_no (plan->join_pid_origin.where, err);
  /* JSON integers stop at 2^63-1 (jansson). */
  if (plan->memory_max.set && plan->memory_max.value != HUSK_CGROUP_MAX
      && plan->memory_max.value > INT64_MAX)
    return exp_no (plan->memory_max.origin.where, err);
  if (plan->pasta)
    return exp_no (plan->net_origin.where, err);
  if (exp_check_fdargs (plan, err) < 0)
    return -1;
  if (plan->n_keep_fds > 0)
    return exp_no ("file descriptors passed to the sandbox", err);
  if (plan->argc == 0 || plan->argv == NULL)
    return husk_err_set (err, 0, "--print-oci: no command given (process.args needs one)");
  return 0;
}

/* ---- mounts ------------------------------------------------------------- */

/* A mount object; options is a NULL-ended list, then the extras. */
static json_t *
exp_mount (struct exp *x, const char *dest, const char *type, const char *src,
           const char *const *opts)
{
  json_t *m = json_object ();
  json_t *o = json_array ();
  cleanup_free char *d = exp_abs_dest (dest);

  exp_add (m, "destination", json_string (d));
  exp_add (m, "type", json_string (type));
  exp_add (m, "source", json_string (src));
  for (size_t i = 0; opts[i] != NULL; i++)
    if (opts[i][0] != '\0')
      exp_push (o, json_string (opts[i]));
  exp_add (m, "options", o);
  exp_push (x->mounts, m);
  return m;
}

static void
exp_mount_opt (json_t *m, const char *opt)
{
  exp_push (json_object_get (m, "options"), json_string (opt));
}

static int
exp_bind (struct exp *x, const struct husk_op *op)
{
  cleanup_free char *src = NULL;
  struct stat st;

  /* The executor resolves a relative source from the host's root (not
   * from the cwd), and the loader from the bundle: make it absolute. */
  src = exp_abs_dest (op->src);
  /* A *-try bind is decided now, as the flags would decide it at run time. */
  if ((op->flags & HUSK_OPF_TRY) && stat (src, &st) < 0)
    return 0;
  exp_mount (x, op->dest, "bind", src,
             (const char *const[]){ (op->flags & HUSK_OPF_NOREC) ? "bind" : "rbind",
                                    (op->flags & HUSK_OPF_RO) ? "ro" : "",
                                    (op->flags & HUSK_OPF_DEV) ? "dev" : "nodev", "nosuid",
                                    (op->flags & HUSK_OPF_NOEXEC) ? "noexec" : "", NULL });
  return 0;
}

static void
exp_tmpfs (struct exp *x, const struct husk_op *op)
{
  cleanup_free char *mode
    = xasprintf ("mode=%o", op->perms == HUSK_PERMS_UNSET ? 0755u : (unsigned) op->perms);
  cleanup_free char *size = op->size == HUSK_SIZE_UNSET
                              ? xstrdup ("")
                              : xasprintf ("size=%llu", (unsigned long long) op->size);

  exp_mount (x, op->dest, "tmpfs", "tmpfs",
             (const char *const[]){ "nosuid", "nodev",
                                    (op->flags & HUSK_OPF_NOEXEC) ? "noexec" : "", mode, size,
                                    NULL });
}

/* --dev: only at /dev, where the loader adds the same device nodes and
 * links (it has no way to put them elsewhere). */
static int
exp_dev (struct exp *x, const struct husk_op *op, struct husk_err *err)
{
  const char *d = op->dest;

  while (d[0] == '/')
    d++;
  if (strcmp (d, "dev") != 0 && strcmp (d, "dev/") != 0)
    return husk_err_set (err, 0,
                         "%s: cannot be expressed in config.json (--print-oci): "
                         "OCI's default devices are only made under /dev",
                         op->origin.where);
  exp_mount (x, "/dev", "tmpfs", "tmpfs", (const char *const[]){ "nosuid", "mode=755", NULL });
  exp_mount (x, "/dev/pts", "devpts", "devpts",
             (const char *const[]){ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620",
                                    "gid=5", NULL });
  exp_mount (x, "/dev/shm", "tmpfs", "shm",
             (const char *const[]){ "nosuid", "nodev", "mode=755", NULL });
  return 0;
}

static bool
exp_same_dest (const char *a, const char *b)
{
  while (*a == '/')
    a++;
  while (*b == '/')
    b++;
  size_t la = strlen (a), lb = strlen (b);
  while (la > 0 && a[la - 1] == '/')
    la--;
  while (lb > 0 && b[lb - 1] == '/')
    lb--;
  return la == lb && strncmp (a, b, la) == 0;
}

/* --remount-ro DEST: "ro" on the fresh mount just made at DEST (the loader
 * remounts it right after), or root.readonly for "/" as the last op. */
static int
exp_remount_ro (struct exp *x, size_t i, struct husk_err *err)
{
  const struct husk_plan *plan = x->plan;
  const struct husk_op *op = &plan->ops[i];
  const struct husk_op *prev = i > 0 ? &plan->ops[i - 1] : NULL;

  if (prev != NULL && exp_same_dest (prev->dest, op->dest)
      && (prev->kind == HUSK_OP_TMPFS || prev->kind == HUSK_OP_PROC || prev->kind == HUSK_OP_MQUEUE)
      && json_array_size (x->mounts) > 0)
    {
      exp_mount_opt (json_array_get (x->mounts, json_array_size (x->mounts) - 1), "ro");
      return 0;
    }
  if (i + 1 == plan->n_ops && exp_same_dest (op->dest, "/"))
    {
      x->root_readonly = true;
      return 0;
    }
  return husk_err_set (err, 0,
                       "%s: cannot be expressed in config.json (--print-oci): only right "
                       "after --tmpfs, --proc or --mqueue on the same path, or on / last",
                       op->origin.where);
}

static int
exp_op (struct exp *x, size_t i, struct husk_err *err)
{
  const struct husk_op *op = &x->plan->ops[i];

  switch (op->kind)
    {
    case HUSK_OP_BIND:
      return exp_bind (x, op);
    case HUSK_OP_PROC:
      exp_mount (x, op->dest, "proc", "proc",
                 (const char *const[]){ "nosuid", "nodev",
                                        (op->flags & HUSK_OPF_NOEXEC) ? "noexec" : "", NULL });
      return 0;
    case HUSK_OP_TMPFS:
      exp_tmpfs (x, op);
      return 0;
    case HUSK_OP_MQUEUE:
      exp_mount (x, op->dest, "mqueue", "mqueue",
                 (const char *const[]){ "nosuid", "nodev", "noexec", NULL });
      return 0;
    case HUSK_OP_DEVPTS:
      exp_mount (x, op->dest, "devpts", "devpts",
                 (const char *const[]){ "nosuid", "noexec", "newinstance", "ptmxmode=0666",
                                        "mode=0620", "gid=5", NULL });
      return 0;
    case HUSK_OP_DEV:
      return exp_dev (x, op, err);
    case HUSK_OP_REMOUNT_RO:
      return exp_remount_ro (x, i, err);
    case HUSK_OP_BIND_FD:
    case HUSK_OP_DIR:
    case HUSK_OP_FILE:
    case HUSK_OP_BIND_DATA:
    case HUSK_OP_SYMLINK:
    case HUSK_OP_CHMOD:
    case HUSK_OP_OVERLAY:
    case HUSK_OP_MASK: /* OCI orders these after every mount: not the flags' order */
    case HUSK_OP_RO_SELF:
    case HUSK_OP_DEVICE:
    case HUSK_OP_PROPAGATE:
    case HUSK_OP_CGROUP:
    case HUSK_OP_SETATTR:
    default:
      return exp_no (op->origin.where, err);
    }
}

static int
exp_mounts (struct exp *x, json_t *top, struct husk_err *err)
{
  json_t *root;

  x->mounts = json_array ();
  exp_add (top, "mounts", x->mounts);
  /* The flag root is a fresh tmpfs: mounted over root.path, which only
   * has to exist (an empty directory "rootfs" in the bundle). */
  exp_mount (x, "/", "tmpfs", "tmpfs",
             (const char *const[]){ "nosuid", "nodev", "mode=755", NULL });
  for (size_t i = 0; i < x->plan->n_ops; i++)
    if (exp_op (x, i, err) < 0)
      return -1;
  root = json_object ();
  exp_add (root, "path", json_string ("rootfs"));
  exp_add (root, "readonly", json_boolean (x->root_readonly));
  exp_add (top, "root", root);
  return 0;
}

/* ---- process ------------------------------------------------------------ */

/* The caller's environment with the flags' edits applied (PWD is set by
 * husk in both modes). */
static json_t *
exp_env (struct exp *x)
{
  const struct husk_plan *plan = x->plan;
  json_t *env = json_array ();

  for (char **e = x->host->environ; e != NULL && *e != NULL; e++)
    if (strchr (*e, '=') != NULL && **e != '=')
      exp_push (env, json_string (*e));
  for (size_t i = 0; i < plan->n_env; i++)
    {
      const struct husk_envop *op = &plan->env[i];
      size_t n = op->name ? strlen (op->name) : 0;

      if (op->kind == HUSK_ENV_CLEAR)
        {
          json_array_clear (env);
          continue;
        }
      for (size_t j = json_array_size (env); j-- > 0;)
        {
          const char *s = json_string_value (json_array_get (env, j));
          if (strncmp (s, op->name, n) == 0 && s[n] == '=')
            json_array_remove (env, j);
        }
      if (op->kind == HUSK_ENV_SET)
        {
          cleanup_free char *s = xasprintf ("%s=%s", op->name, op->value);
          exp_push (env, json_string (s));
        }
    }
  return env;
}

/* Is PATH (absolute) the same file inside as outside after the ops: under
 * a bind of a host path onto itself, not covered by a later mount? */
static bool
exp_visible (const struct husk_plan *plan, const char *path)
{
  bool vis = false;

  for (size_t i = 0; i < plan->n_ops; i++)
    {
      const struct husk_op *op = &plan->ops[i];
      const char *d = op->dest;
      size_t n;

      while (d[0] == '/')
        d++;
      n = strlen (d);
      while (n > 0 && d[n - 1] == '/')
        n--;
      if (!(n == 0
            || (strncmp (path + 1, d, n) == 0 && (path[1 + n] == '/' || path[1 + n] == '\0'))))
        continue;
      if (op->kind == HUSK_OP_BIND)
        vis = op->src[0] == '/' && exp_same_dest (op->src, op->dest);
      else if (op->kind != HUSK_OP_REMOUNT_RO && op->kind != HUSK_OP_CHMOD)
        vis = false;
    }
  return vis;
}

/* No --chdir: the flags try the caller's cwd, then $HOME, then "/". */
static const char *
exp_cwd (struct exp *x, json_t *env)
{
  const char *home = NULL;

  if (x->plan->chdir != NULL)
    return x->plan->chdir;
  if (x->host->cwd != NULL && exp_visible (x->plan, x->host->cwd))
    return x->host->cwd;
  for (size_t i = 0; i < json_array_size (env); i++)
    {
      const char *s = json_string_value (json_array_get (env, i));
      if (strncmp (s, "HOME=/", 6) == 0)
        home = s + 5;
    }
  return home != NULL && exp_visible (x->plan, home) ? home : "/";
}

static int
exp_cap_array (uint64_t caps, json_t **out, struct husk_err *err)
{
  json_t *arr = json_array ();
  int last = cap_max_bits () > 0 ? cap_max_bits () - 1 : CAP_LAST_CAP;

  for (int c = 0; c <= last && c < 64; c++)
    {
      char *name;

      if (!(caps & (UINT64_C (1) << c)))
        continue;
      name = cap_to_name ((cap_value_t) c);
      if (name == NULL || strncmp (name, "cap_", 4) != 0)
        {
          cap_free (name);
          json_decref (arr);
          return husk_err_set (err, 0, "--cap-add: capability %d has no name", c);
        }
      for (char *p = name; *p; p++)
        *p = (char) toupper ((unsigned char) *p);
      exp_push (arr, json_string (name));
      cap_free (name);
    }
  *out = arr;
  return 0;
}

/* husk's one kept set goes into all five: the loader reads that back as
 * the same set for any uid. */
static int
exp_caps (const struct husk_plan *plan, json_t *proc, struct husk_err *err)
{
  static const char *const sets[]
    = { "bounding", "effective", "inheritable", "permitted", "ambient", NULL };
  json_t *caps, *arr = NULL;

  if (!plan->has_caps || plan->caps == 0)
    return 0;
  if (exp_cap_array (plan->caps, &arr, err) < 0)
    return -1;
  caps = json_object ();
  for (size_t i = 0; sets[i] != NULL; i++)
    exp_add (caps, sets[i], json_deep_copy (arr));
  json_decref (arr);
  exp_add (proc, "capabilities", caps);
  return 0;
}

static int
exp_rlimits (const struct husk_plan *plan, json_t *proc, size_t *n_big, struct husk_err *err)
{
  json_t *arr;

  if (plan->n_rlimits == 0)
    return 0;
  arr = json_array ();
  exp_add (proc, "rlimits", arr);
  for (size_t i = 0; i < plan->n_rlimits; i++)
    {
      const struct husk_rlimit *r = &plan->rlimits[i];
      struct rlimit cur = { 0, 0 };
      uint64_t soft, hard;
      json_t *o;
      cleanup_free char *name = NULL;

      if ((!r->has_soft || !r->has_hard) && getrlimit (r->resource, &cur) < 0)
        return husk_err_sys (err, "%s: getrlimit", r->origin.where);
      soft = r->has_soft ? r->soft : (uint64_t) cur.rlim_cur;
      hard = r->has_hard ? r->hard : (uint64_t) cur.rlim_max;
      name = xasprintf ("RLIMIT_%s", rlimit_name (r->resource));
      for (char *p = name; *p; p++)
        *p = (char) toupper ((unsigned char) *p);
      o = json_object ();
      exp_add (o, "type", json_string (name));
      /* RLIM_INFINITY is 18446744073709551615, above jansson's int64. */
      exp_add (o, "soft", json_u64_new (soft));
      exp_add (o, "hard", json_u64_new (hard));
      *n_big += (soft > INT64_MAX) + (hard > INT64_MAX);
      exp_push (arr, o);
    }
  return 0;
}

/* ---- user namespace, ids ------------------------------------------------ */

static bool
exp_userns (const struct exp *x)
{
  const struct husk_plan *plan = x->plan;

  return (plan->unshare & HUSK_NS_USER) || plan->has_uid || plan->has_gid || plan->n_uid_maps > 0
         || plan->n_gid_maps > 0;
}

/* The id inside: --uid, else the caller's id through the maps. */
static int
exp_inside_id (bool has, uint32_t id, const struct husk_idmap *v, size_t n, uint32_t own,
               const char *what, uint32_t *out, struct husk_err *err)
{
  if (has || n == 0)
    {
      *out = has ? id : own;
      return 0;
    }
  for (size_t i = 0; i < n; i++)
    if (own >= v[i].outside && own - v[i].outside < v[i].count)
      {
        *out = v[i].inside + (own - v[i].outside);
        return 0;
      }
  return husk_err_set (err, 0, "%s: your %s %u is in no range; pick the %s inside with --%s",
                       v[0].origin.where, what, (unsigned) own, what, what);
}

static json_t *
exp_idmaps (const struct husk_idmap *v, size_t n, uint32_t inside, uint32_t own)
{
  json_t *arr = json_array ();
  struct husk_idmap one = { inside, own, 1, { NULL, -1 } };

  if (n == 0)
    v = &one, n = 1;
  for (size_t i = 0; i < n; i++)
    {
      json_t *m = json_object ();
      exp_add (m, "containerID", json_integer (v[i].inside));
      exp_add (m, "hostID", json_integer (v[i].outside));
      exp_add (m, "size", json_integer (v[i].count));
      exp_push (arr, m);
    }
  return arr;
}

static int
exp_user (struct exp *x, json_t *proc, json_t *lx, struct husk_err *err)
{
  const struct husk_plan *plan = x->plan;
  json_t *user = json_object ();
  uint32_t uid = 0, gid = 0;

  exp_add (proc, "user", user);
  if (exp_userns (x))
    {
      if (exp_inside_id (plan->has_uid, plan->uid, plan->uid_maps, plan->n_uid_maps, x->host->euid,
                         "uid", &uid, err)
            < 0
          || exp_inside_id (plan->has_gid, plan->gid, plan->gid_maps, plan->n_gid_maps,
                            x->host->egid, "gid", &gid, err)
               < 0)
        return -1;
      exp_add (lx, "uidMappings",
               exp_idmaps (plan->uid_maps, plan->n_uid_maps, uid, x->host->euid));
      exp_add (lx, "gidMappings",
               exp_idmaps (plan->gid_maps, plan->n_gid_maps, gid, x->host->egid));
    }
  exp_add (user, "uid", json_integer (uid));
  exp_add (user, "gid", json_integer (gid));
  if (plan->has_umask)
    exp_add (user, "umask", json_integer (plan->umask));
  if (plan->n_groups > 0)
    {
      json_t *g = json_array ();
      for (size_t i = 0; i < plan->n_groups; i++)
        exp_push (g, json_integer (plan->groups[i]));
      exp_add (user, "additionalGids", g);
    }
  return 0;
}

static int
exp_process (struct exp *x, json_t *top, json_t *lx, struct husk_err *err)
{
  const struct husk_plan *plan = x->plan;
  json_t *proc = json_object ();
  json_t *args = json_array ();
  json_t *env;

  exp_add (top, "process", proc);
  exp_add (proc, "terminal", json_boolean (plan->terminal));
  if (exp_user (x, proc, lx, err) < 0)
    return -1;
  for (size_t i = 0; i < plan->argc; i++)
    exp_push (args, json_string (plan->argv[i]));
  exp_add (proc, "args", args);
  env = exp_env (x);
  exp_add (proc, "env", env);
  exp_add (proc, "cwd", json_string (exp_cwd (x, env)));
  if (exp_caps (plan, proc, err) < 0 || exp_rlimits (plan, proc, &x->n_big, err) < 0)
    return -1;
  exp_add (proc, "noNewPrivileges", json_true ());
  if (plan->exec_label != NULL)
    exp_add (proc, "selinuxLabel", json_string (plan->exec_label));
  if (plan->has_oom_score_adj)
    exp_add (proc, "oomScoreAdj", json_integer (plan->oom_score_adj));
  return 0;
}

/* ---- linux -------------------------------------------------------------- */

static void
exp_namespaces (struct exp *x, json_t *lx)
{
  static const struct
  {
    const char *type;
    unsigned bit;
    int join; /* enum husk_join_kind, or -1 */
  } v[] = {
    { "pid", HUSK_NS_PID, -1 },
    { "network", HUSK_NS_NET, HUSK_JOIN_NET },
    { "ipc", HUSK_NS_IPC, HUSK_JOIN_IPC },
    { "uts", HUSK_NS_UTS, HUSK_JOIN_UTS },
    { "mount", HUSK_NS_MNT, HUSK_JOIN_MNT },
    { "user", HUSK_NS_USER, -1 },
    { "cgroup", HUSK_NS_CGROUP, HUSK_JOIN_CGROUP },
    { "time", 0, HUSK_JOIN_TIME },
  };
  const struct husk_plan *plan = x->plan;
  json_t *arr = json_array ();

  exp_add (lx, "namespaces", arr);
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
    {
      const char *path = v[i].join >= 0 ? plan->join_ns[v[i].join].path : NULL;
      bool fresh = v[i].bit == HUSK_NS_MNT    ? true
                   : v[i].bit == HUSK_NS_USER ? exp_userns (x)
                   : v[i].bit == 0            ? plan->unshare_time
                                              : (plan->unshare & v[i].bit) != 0;
      json_t *ns;

      if (path == NULL && !fresh)
        continue;
      ns = json_object ();
      exp_add (ns, "type", json_string (v[i].type));
      if (path != NULL)
        exp_add (ns, "path", json_string (path));
      exp_push (arr, ns);
    }
}

static void
exp_time_offsets (const struct husk_plan *plan, json_t *lx)
{
  json_t *t = NULL;

  for (int c = 0; c < HUSK_CLOCK_COUNT; c++)
    {
      const struct husk_time_offset *o = &plan->time_offsets[c];
      json_t *v;

      if (!o->set)
        continue;
      if (t == NULL)
        t = json_object ();
      v = json_object ();
      exp_add (v, "secs", json_integer (o->sec));
      exp_add (v, "nanosecs", json_integer (o->nsec));
      exp_add (t, plan_clock_name ((enum husk_clock) c), v);
    }
  if (t != NULL)
    exp_add (lx, "timeOffsets", t);
}

static void
exp_linux_extras (const struct husk_plan *plan, json_t *lx)
{
  exp_time_offsets (plan, lx);
  if (plan->n_sysctls > 0)
    {
      json_t *s = json_object ();
      for (size_t i = 0; i < plan->n_sysctls; i++)
        exp_add (s, plan->sysctls[i].key, json_string (plan->sysctls[i].value));
      exp_add (lx, "sysctl", s);
    }
  if (plan->has_personality)
    {
      json_t *p = json_object ();
      exp_add (p, "domain", json_string (plan->personality == PER_LINUX32 ? "LINUX32" : "LINUX"));
      exp_add (lx, "personality", p);
    }
  if (plan->file_label != NULL)
    exp_add (lx, "mountLabel", json_string (plan->file_label));
}

/* The cgroup limits of the flags (issue 6) as linux.resources; "max" is
 * -1, which the loader turns back into "max". */
static json_t *
exp_limit (const struct husk_cgroup_limit *l)
{
  return json_integer (l->value == HUSK_CGROUP_MAX ? -1 : (json_int_t) l->value);
}

static void
exp_resources (const struct husk_plan *plan, json_t *lx)
{
  json_t *res = json_object ();

  if (plan->memory_max.set)
    {
      json_t *m = json_object ();
      exp_add (m, "limit", exp_limit (&plan->memory_max));
      exp_add (res, "memory", m);
    }
  if (plan->cpu_max.set)
    {
      json_t *c = json_object ();
      exp_add (c, "quota", exp_limit (&plan->cpu_max));
      exp_add (c, "period", json_integer ((json_int_t) plan->cpu_period));
      exp_add (res, "cpu", c);
    }
  if (plan->pids_max.set)
    {
      json_t *p = json_object ();
      exp_add (p, "limit", exp_limit (&plan->pids_max));
      exp_add (res, "pids", p);
    }
  if (plan->io_weight.set)
    {
      json_t *u = json_object ();
      char text[32];
      snprintf (text, sizeof text, "default %" PRIu64, plan->io_weight.value);
      exp_add (u, "io.weight", json_string (text));
      exp_add (res, "unified", u);
    }
  if (json_object_size (res) > 0)
    exp_add (lx, "resources", res);
  else
    json_decref (res);
}

/* ---- top level ---------------------------------------------------------- */

int
oci_export (const struct husk_plan *plan, const struct oci_host *host, FILE *out,
            struct husk_err *err)
{
  cleanup_free char *cwd = NULL;
  cleanup_free char *text = NULL;
  struct oci_host self = { 0 };
  struct exp x = { .plan = plan, .host = host };
  json_t *top = json_object ();
  json_t *lx = json_object ();
  int r = -1;

  if (host == NULL)
    {
      cwd = getcwd (NULL, 0);
      self = (struct oci_host){ geteuid (), getegid (), environ, cwd };
      x.host = &self;
    }
  if (exp_check_plan (plan, err) < 0)
    goto out;
  exp_add (top, "ociVersion", json_string ("1.2.0"));
  if (exp_process (&x, top, lx, err) < 0 || exp_mounts (&x, top, err) < 0)
    goto out;
  if (plan->hostname != NULL)
    exp_add (top, "hostname", json_string (plan->hostname));
  if (plan->domainname != NULL)
    exp_add (top, "domainname", json_string (plan->domainname));
  exp_namespaces (&x, lx);
  exp_linux_extras (plan, lx);
  exp_resources (plan, lx);
  exp_add (top, "linux", json_incref (lx));
  text = json_u64_dumps (top, JSON_INDENT (2), x.n_big);
  if (text == NULL)
    {
      husk_err_set (err, 0,
                    "--print-oci: a string starts with U+E000, which config.json "
                    "readers take for an integer");
      goto out;
    }
  if (fputs (text, out) == EOF || fputc ('\n', out) == EOF)
    {
      husk_err_set (err, 0, "--print-oci: writing the output failed");
      goto out;
    }
  r = 0;
out:
  json_decref (lx);
  json_decref (top);
  return r;
}
