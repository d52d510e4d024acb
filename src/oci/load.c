/* load.c: config.json -> struct husk_plan: the top level, process, root,
 * hostname and the linux object (namespaces, id maps, labels).  Mounts,
 * devices, masked and read-only paths are in load_mounts.c.
 *
 * Everything husk cannot honour yet is an error naming the JSON path
 * ("... : not supported yet"), never silently dropped; unknown properties
 * are ignored with one warning each, as the runtime-spec's extensibility
 * rule requires.
 *
 * Must not: make syscalls beyond reading config.json (stat, open, read) and
 * getcwd for a relative bundle path; run anything.
 */
#include "oci/oci_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"

#define OCI_CONFIG_MAX (4 * 1024 * 1024) /* bytes of config.json read at most */
#define OCI_ID_MAX     4294967294LL      /* (uid_t) -1 is never an id */
#define OCI_NS_TIME    (1u << 16)        /* "time": plan->unshare_time, not a HUSK_NS_* bit */

static struct husk_origin
oci_origin (const char *path)
{
  struct husk_origin o = { xstrdup (path), -1 };
  return o;
}

/* ---- process ------------------------------------------------------------ */

static int
oci_load_args (struct oci_ctx *ctx, json_t *proc, struct husk_err *err)
{
  struct husk_plan *plan = ctx->plan;
  json_t *args;
  size_t i;

  if (oci_get (proc, "process", "args", JSON_ARRAY, &args, err) < 0)
    return -1;
  if (args == NULL || json_array_size (args) == 0)
    return husk_err_set (err, 0, "process.args: required, with at least one element");
  plan->argc = json_array_size (args);
  plan->argv = xcalloc (plan->argc + 1, sizeof *plan->argv);
  for (i = 0; i < plan->argc; i++)
    {
      const char *s;

      if (oci_string_at (args, "process.args", i, &s, err) < 0)
        return -1;
      plan->argv[i] = xstrdup (s);
    }
  return 0;
}

/* process.env replaces the environment: clear (also when env is absent:
 * the container gets only what its config gives it), then set each
 * NAME=VALUE in order. */
static int
oci_load_env (struct oci_ctx *ctx, json_t *proc, struct husk_err *err)
{
  struct husk_origin o = oci_origin ("process.env");
  json_t *env;

  plan_add_env (ctx->plan, HUSK_ENV_CLEAR, NULL, NULL, &o);
  origin_free (&o);
  if (oci_get (proc, "process", "env", JSON_ARRAY, &env, err) < 0)
    return -1;
  for (size_t i = 0; env != NULL && i < json_array_size (env); i++)
    {
      cleanup_free char *path = oci_path_index ("process.env", i);
      cleanup_free char *name = NULL;
      const char *s, *eq;

      if (oci_string_at (env, "process.env", i, &s, err) < 0)
        return -1;
      eq = strchr (s, '=');
      if (eq == NULL || eq == s)
        {
          cleanup_free char *q = oci_quote (s);
          return husk_err_set (err, 0, "%s: expected \"NAME=VALUE\", got %s", path, q);
        }
      name = xstrndup (s, (size_t) (eq - s));
      o = oci_origin (path);
      plan_add_env (ctx->plan, HUSK_ENV_SET, name, eq + 1, &o);
      origin_free (&o);
    }
  return 0;
}

static int
oci_load_cwd (struct oci_ctx *ctx, json_t *proc, struct husk_err *err)
{
  const char *cwd;

  if (oci_get_string (proc, "process", "cwd", &cwd, err) < 0)
    return -1;
  if (cwd == NULL)
    return husk_err_set (err, 0, "process.cwd: required");
  if (cwd[0] != '/')
    {
      cleanup_free char *q = oci_quote (cwd);
      return husk_err_set (err, 0, "process.cwd: must be an absolute path, got %s", q);
    }
  ctx->plan->chdir = xstrdup (cwd);
  ctx->plan->chdir_origin = oci_origin ("process.cwd");
  return 0;
}

/* uid and gid switch ids only inside a user namespace: without one, the
 * process keeps the caller's ids, which matches only uid/gid 0 as root. */
static int
oci_load_user (struct oci_ctx *ctx, json_t *proc, struct husk_err *err)
{
  static const char *const known[] = { "uid", "gid", "umask", "additionalGids", "username", NULL };
  struct husk_plan *plan = ctx->plan;
  json_t *user;
  int64_t uid = 0, gid = 0;
  bool has_uid, has_gid;

  if (oci_get (proc, "process", "user", JSON_OBJECT, &user, err) < 0)
    return -1;
  if (user == NULL)
    return husk_err_set (err, 0, "process.user: required");
  oci_warn_unknown (ctx, user, "process.user", known);
  if (oci_get_int (user, "process.user", "uid", 0, OCI_ID_MAX, &uid, &has_uid, err) < 0
      || oci_get_int (user, "process.user", "gid", 0, OCI_ID_MAX, &gid, &has_gid, err) < 0
      || oci_load_user_extras (ctx, user, err) < 0)
    return -1;
  /* Without a user namespace, root switches the real ids after setup
   * (runc's way); uid and gid 0 need nothing. */
  if (!ctx->userns && uid == 0 && gid == 0)
    return 0;
  plan->real_ids = !ctx->userns;
  plan->has_uid = plan->has_gid = true;
  plan->uid = (uid_t) uid;
  plan->gid = (gid_t) gid;
  plan->uid_origin = oci_origin ("process.user.uid");
  plan->gid_origin = oci_origin ("process.user.gid");
  return 0;
}

/* One capability set as a bit mask. */
static int
oci_cap_set (json_t *caps, const char *key, uint64_t *out, struct husk_err *err)
{
  cleanup_free char *base = oci_path_key ("process.capabilities", key);
  json_t *arr;
  size_t i;

  *out = 0;
  if (oci_get (caps, "process.capabilities", key, JSON_ARRAY, &arr, err) < 0)
    return -1;
  for (i = 0; arr != NULL && i < json_array_size (arr); i++)
    {
      const char *s;
      cap_value_t cap;

      if (oci_string_at (arr, base, i, &s, err) < 0)
        return -1;
      if (strncmp (s, "CAP_", 4) != 0 || cap_from_name (s, &cap) < 0 || cap < 0 || cap > 62)
        {
          cleanup_free char *path = oci_path_index (base, i);
          cleanup_free char *q = oci_quote (s);
          return husk_err_set (err, 0, "%s: unknown capability %s", path, q);
        }
      *out |= UINT64_C (1) << cap;
    }
  return 0;
}

/* husk keeps one set K: permitted = effective = bounding = K, and for a
 * uid other than 0 also inheritable = ambient = K (else execve would drop
 * everything).  Configs that mean exactly that are accepted. */
static int
oci_load_caps (struct oci_ctx *ctx, json_t *proc, struct husk_err *err)
{
  static const char *const known[]
    = { "bounding", "effective", "inheritable", "permitted", "ambient", NULL };
  struct husk_plan *plan = ctx->plan;
  uint64_t b, e, p, i, a;
  json_t *caps;
  bool root = !plan->has_uid || plan->uid == 0;

  plan->has_caps = true;
  plan->caps = 0;
  if (oci_get (proc, "process", "capabilities", JSON_OBJECT, &caps, err) < 0)
    return -1;
  if (caps == NULL)
    return 0;
  oci_warn_unknown (ctx, caps, "process.capabilities", known);
  if (oci_cap_set (caps, "bounding", &b, err) < 0 || oci_cap_set (caps, "effective", &e, err) < 0
      || oci_cap_set (caps, "permitted", &p, err) < 0
      || oci_cap_set (caps, "inheritable", &i, err) < 0
      || oci_cap_set (caps, "ambient", &a, err) < 0)
    return -1;
  if (e != p || b != p)
    return husk_err_set (err, 0,
                         "process.capabilities: bounding, effective and "
                         "permitted sets that differ are not supported yet");
  if (root && (i == 0 || i == p) && (a == 0 || a == p))
    plan->caps = p;
  else if (!root && ((i == p && a == p) || a == 0))
    /* Without ambient, execve leaves a non-root uid nothing (and
     * no_new_privs keeps the bounding set from mattering). */
    plan->caps = a == 0 ? 0 : p;
  else
    return husk_err_set (err, 0,
                         "process.capabilities: inheritable and ambient "
                         "sets must be empty or equal to permitted");
  return 0;
}

static int
oci_load_process (struct oci_ctx *ctx, json_t *root, struct husk_err *err)
{
  static const char *const known[] = {
    "terminal",
    "consoleSize",
    "user",
    "cwd",
    "env",
    "args",
    "commandLine",
    "capabilities",
    "rlimits",
    "noNewPrivileges",
    "apparmorProfile",
    "oomScoreAdj",
    "selinuxLabel",
    "scheduler",
    "ioPriority",
    "execCPUAffinity",
    NULL,
  };
  static const char *const unsupported[] = {
    "commandLine",
    NULL,
  };
  json_t *proc;
  const char *label;
  bool nnp;

  if (oci_get (root, "", "process", JSON_OBJECT, &proc, err) < 0)
    return -1;
  if (proc == NULL)
    return husk_err_set (err, 0, "process: required");
  oci_warn_unknown (ctx, proc, "process", known);
  for (size_t k = 0; unsupported[k] != NULL; k++)
    if (oci_unsupported (proc, "process", unsupported[k], err) < 0)
      return -1;
  /* no_new_privs is always set by husk, so both values are accepted. */
  if (oci_load_rlimits (ctx, proc, err) < 0 || oci_load_terminal (ctx, proc, err) < 0
      || oci_get_bool (proc, "process", "noNewPrivileges", &nnp, err) < 0
      || oci_get_string (proc, "process", "selinuxLabel", &label, err) < 0)
    return -1;
  if (label != NULL && label[0] != '\0')
    {
      ctx->plan->exec_label = xstrdup (label);
      ctx->plan->exec_label_origin = oci_origin ("process.selinuxLabel");
    }
  if (oci_load_args (ctx, proc, err) < 0 || oci_load_env (ctx, proc, err) < 0
      || oci_load_cwd (ctx, proc, err) < 0 || oci_load_user (ctx, proc, err) < 0)
    return -1;
  if (oci_load_scheduler (ctx, proc, err) < 0 || oci_load_io_priority (ctx, proc, err) < 0
      || oci_load_cpu_affinity (ctx, proc, err) < 0 || oci_load_apparmor (ctx, proc, err) < 0)
    return -1;
  return oci_load_caps (ctx, proc, err);
}

/* ---- linux: namespaces, id maps ----------------------------------------- */

static int
oci_ns_bit (const char *type, unsigned *bit)
{
  static const struct
  {
    const char *name;
    unsigned bit;
  } v[] = {
    { "user", HUSK_NS_USER },     { "pid", HUSK_NS_PID },
    { "ipc", HUSK_NS_IPC },       { "uts", HUSK_NS_UTS },
    { "network", HUSK_NS_NET },   { "mount", HUSK_NS_MNT },
    { "cgroup", HUSK_NS_CGROUP }, { "time", OCI_NS_TIME },
  };

  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
    if (strcmp (type, v[i].name) == 0)
      return *bit = v[i].bit, 0;
  return -1;
}

/* linux.namespaces[].path: join the namespace at that path instead of
 * making one (the executor opens and setns()es it, as for --netns).  A
 * user namespace is joined first, as --userns (process.user then switches
 * ids inside it; it has its maps already); a pid namespace as --pidns
 * without --unshare-pid: the container's process starts in it (not as its
 * pid 1, which the namespace has). */
static int
oci_join_ns (struct oci_ctx *ctx, unsigned bit, const char *path, const char *base,
             const char *q, struct husk_err *err)
{
  static const struct
  {
    unsigned bit;
    enum husk_join_kind kind;
  } v[] = {
    { HUSK_NS_NET, HUSK_JOIN_NET },       { HUSK_NS_MNT, HUSK_JOIN_MNT },
    { HUSK_NS_UTS, HUSK_JOIN_UTS },       { HUSK_NS_IPC, HUSK_JOIN_IPC },
    { HUSK_NS_CGROUP, HUSK_JOIN_CGROUP }, { OCI_NS_TIME, HUSK_JOIN_TIME },
    { HUSK_NS_PID, HUSK_JOIN_PID },
  };
  cleanup_free char *p = oci_path_key (base, "path");

  if (path[0] != '/')
    return husk_err_set (err, 0, "%s: must be an absolute path", p);
  if (bit == HUSK_NS_USER)
    {
      ctx->userns = true;
      ctx->userns_joined = true;
      ctx->plan->userns_join.fd = -1;
      ctx->plan->userns_join.path = xstrdup (path);
      ctx->plan->userns_join.origin = oci_origin (p);
      return 0;
    }
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
    if (v[i].bit == bit)
      {
        struct husk_nsjoin *j = &ctx->plan->join_ns[v[i].kind];

        j->fd = -1;
        j->path = xstrdup (path);
        j->origin = oci_origin (p);
        return 0;
      }
  return husk_err_set (err, 0, "%s: joining a namespace of type %s is not supported yet", p, q);
}

static int
oci_load_ns (struct oci_ctx *ctx, json_t *ns, const char *base, unsigned *seen,
             struct husk_err *err)
{
  static const char *const known[] = { "type", "path", NULL };
  struct husk_plan *plan = ctx->plan;
  const char *type, *path;
  cleanup_free char *q = NULL;
  unsigned bit;

  if (oci_expect (ns, JSON_OBJECT, base, err) < 0)
    return -1;
  oci_warn_unknown (ctx, ns, base, known);
  if (oci_get_string (ns, base, "type", &type, err) < 0
      || oci_get_string (ns, base, "path", &path, err) < 0)
    return -1;
  if (type == NULL)
    return husk_err_set (err, 0, "%s.type: required", base);
  q = oci_quote (type);
  if (oci_ns_bit (type, &bit) < 0)
    return husk_err_set (err, 0, "%s.type: unknown namespace type %s", base, q);
  if (*seen & bit)
    return husk_err_set (err, 0, "%s.type: namespace type %s given twice", base, q);
  *seen |= bit;
  ctx->ns_seen |= bit;
  if (path != NULL && path[0] != '\0')
    return oci_join_ns (ctx, bit, path, base, q, err);
  if (bit == OCI_NS_TIME)
    {
      plan->unshare_time = true;
      return 0;
    }
  plan->unshare |= bit;
  if (bit == HUSK_NS_USER)
    {
      ctx->userns = true;
      plan->unshare_user_origin = oci_origin (base);
    }
  /* The container's process is its pid namespace's init, as with runc. */
  if (bit == HUSK_NS_PID)
    plan->as_pid_1 = true;
  return 0;
}

static int
oci_load_namespaces (struct oci_ctx *ctx, json_t *lx, struct husk_err *err)
{
  json_t *arr;
  unsigned seen = 0;

  if (oci_get (lx, "linux", "namespaces", JSON_ARRAY, &arr, err) < 0)
    return -1;
  for (size_t i = 0; arr != NULL && i < json_array_size (arr); i++)
    {
      cleanup_free char *base = oci_path_index ("linux.namespaces", i);

      if (oci_load_ns (ctx, json_array_get (arr, i), base, &seen, err) < 0)
        return -1;
    }
  /* husk always makes a mount namespace (the rootfs lives in it); the
   * plan's unshare mask leaves it to the executor. */
  ctx->plan->unshare &= ~HUSK_NS_MNT;
  return 0;
}

static int
oci_load_idmap (struct oci_ctx *ctx, json_t *lx, const char *key, struct husk_err *err)
{
  static const char *const known[] = { "containerID", "hostID", "size", NULL };
  struct husk_plan *plan = ctx->plan;
  bool uid = strcmp (key, "uidMappings") == 0;
  cleanup_free char *base = oci_path_key ("linux", key);
  json_t *arr;

  if (oci_get (lx, "linux", key, JSON_ARRAY, &arr, err) < 0)
    return -1;
  if (arr == NULL || json_array_size (arr) == 0)
    return 0;
  /* runc refuses this too: the joined namespace's maps are already set. */
  if (ctx->userns_joined)
    return husk_err_set (err, 0,
                         "%s: cannot be used when joining a user namespace by path "
                         "(its id maps are already set)",
                         base);
  if (!ctx->userns)
    return husk_err_set (err, 0,
                         "%s: requires a user namespace (linux.namespaces "
                         "type \"user\")",
                         base);
  for (size_t i = 0; i < json_array_size (arr); i++)
    {
      cleanup_free char *p = oci_path_index (base, i);
      json_t *m = json_array_get (arr, i);
      int64_t in = 0, out = 0, n = 0;
      bool h1, h2, h3;
      struct husk_idmap *v;

      if (oci_expect (m, JSON_OBJECT, p, err) < 0)
        return -1;
      oci_warn_unknown (ctx, m, p, known);
      if (oci_get_int (m, p, "containerID", 0, OCI_ID_MAX, &in, &h1, err) < 0
          || oci_get_int (m, p, "hostID", 0, OCI_ID_MAX, &out, &h2, err) < 0
          || oci_get_int (m, p, "size", 1, UINT32_MAX, &n, &h3, err) < 0)
        return -1;
      if (!h1 || !h2 || !h3)
        return husk_err_set (err, 0, "%s.%s: required", p,
                             !h1   ? "containerID"
                             : !h2 ? "hostID"
                                   : "size");
      if (uid)
        plan->uid_maps = xgrow (plan->uid_maps, &plan->cap_uid_maps, plan->n_uid_maps + 1,
                                sizeof *plan->uid_maps);
      else
        plan->gid_maps = xgrow (plan->gid_maps, &plan->cap_gid_maps, plan->n_gid_maps + 1,
                                sizeof *plan->gid_maps);
      v = uid ? &plan->uid_maps[plan->n_uid_maps++] : &plan->gid_maps[plan->n_gid_maps++];
      *v = (struct husk_idmap){ (uint32_t) in, (uint32_t) out, (uint32_t) n, oci_origin (p) };
    }
  return 0;
}

/* linux.rootfsPropagation: a PROPAGATE op on "/" right after the root's
 * bind (oci_load_root adds it), so the mounts made below it inherit it.
 * The whole tree starts as a slave of the host's (the executor's rule), so
 * "shared" makes a peer group inside the container only. */
static int
oci_root_propagation (struct oci_ctx *ctx, const char *prop, struct husk_err *err)
{
  static const struct
  {
    const char *name;
    enum husk_propagation prop;
  } v[] = {
    { "private", HUSK_PROP_PRIVATE }, { "shared", HUSK_PROP_SHARED },
    { "slave", HUSK_PROP_SLAVE },     { "unbindable", HUSK_PROP_UNBINDABLE },
  };
  bool rec = prop[0] == 'r';

  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
    if (strcmp (prop + rec, v[i].name) == 0)
      {
        ctx->root_prop = v[i].prop;
        ctx->root_prop_rec = rec;
        return 0;
      }
  {
    cleanup_free char *q = oci_quote (prop);
    return husk_err_set (err, 0,
                         "linux.rootfsPropagation: unknown propagation %s ([r]private, "
                         "[r]shared, [r]slave or [r]unbindable)",
                         q);
  }
}

static int
oci_load_linux (struct oci_ctx *ctx, json_t *lx, struct husk_err *err)
{
  static const char *const known[] = {
    "namespaces",        "uidMappings",  "gidMappings",   "timeOffsets", "devices",
    "cgroupsPath",       "resources",    "intelRdt",      "sysctl",      "seccomp",
    "rootfsPropagation", "maskedPaths",  "readonlyPaths", "mountLabel",  "personality",
    "netDevices",        "memoryPolicy", "rdmaResources", NULL,
  };
  static const char *const unsupported[] = {
    "rdmaResources",
    NULL,
  };
  const char *prop, *label;

  oci_warn_unknown (ctx, lx, "linux", known);
  for (size_t k = 0; unsupported[k] != NULL; k++)
    if (oci_unsupported (lx, "linux", unsupported[k], err) < 0)
      return -1;
  if (oci_get_string (lx, "linux", "rootfsPropagation", &prop, err) < 0
      || oci_get_string (lx, "linux", "mountLabel", &label, err) < 0)
    return -1;
  if (prop != NULL && oci_root_propagation (ctx, prop, err) < 0)
    return -1;
  if (label != NULL && label[0] != '\0')
    {
      ctx->plan->file_label = xstrdup (label);
      ctx->plan->file_label_origin = oci_origin ("linux.mountLabel");
    }
  if (oci_load_idmap (ctx, lx, "uidMappings", err) < 0
      || oci_load_idmap (ctx, lx, "gidMappings", err) < 0
      || oci_load_time_offsets (ctx, lx, err) < 0 || oci_load_sysctl (ctx, lx, err) < 0
      || oci_load_personality (ctx, lx, err) < 0 || oci_load_seccomp (ctx, lx, err) < 0)
    return -1;
  if (oci_load_memory_policy (ctx, lx, err) < 0 || oci_load_intel_rdt (ctx, lx, err) < 0
      || oci_load_net_devices (ctx, lx, err) < 0)
    return -1;
  return oci_load_resources (ctx, lx, err);
}

/* ---- top level ---------------------------------------------------------- */

static int
oci_load_version (json_t *root, struct husk_err *err)
{
  const char *v;

  if (oci_get_string (root, "", "ociVersion", &v, err) < 0)
    return -1;
  if (v == NULL)
    return husk_err_set (err, 0, "ociVersion: required");
  if (strncmp (v, "1.", 2) != 0 || v[2] < '0' || v[2] > '9')
    {
      cleanup_free char *q = oci_quote (v);
      return husk_err_set (err, 0, "ociVersion: unsupported version %s (husk reads 1.x)", q);
    }
  return 0;
}

static int
oci_load_root (struct oci_ctx *ctx, json_t *root, struct husk_err *err)
{
  static const char *const known[] = { "path", "readonly", NULL };
  struct husk_origin o = oci_origin ("root.path");
  struct husk_op *op;
  json_t *r;
  const char *path;

  if (oci_get (root, "", "root", JSON_OBJECT, &r, err) < 0)
    goto fail;
  if (r == NULL)
    {
      husk_err_set (err, 0, "root: required");
      goto fail;
    }
  oci_warn_unknown (ctx, r, "root", known);
  if (oci_get_string (r, "root", "path", &path, err) < 0
      || oci_get_bool (r, "root", "readonly", &ctx->root_readonly, err) < 0)
    goto fail;
  if (path == NULL || path[0] == '\0')
    {
      husk_err_set (err, 0, "root.path: required");
      goto fail;
    }
  /* The rootfs is bound recursively on the new root, nodev: husk sets up
   * no device cgroup, so a device node shipped in the image (or made by a
   * root container) must not be usable; the devices the container gets are
   * the ones husk binds from the host explicitly. */
  op = plan_add_op (ctx->plan, HUSK_OP_BIND, &o);
  op->src = path[0] == '/' ? xstrdup (path) : xasprintf ("%s/%s", ctx->bundle, path);
  op->dest = xstrdup ("/");
  op->flags = 0;
  origin_free (&o);
  if (ctx->root_prop != HUSK_PROP_NONE)
    {
      o = oci_origin ("linux.rootfsPropagation");
      op = plan_add_op (ctx->plan, HUSK_OP_PROPAGATE, &o);
      op->dest = xstrdup ("/");
      op->propagation = ctx->root_prop;
      op->flags = ctx->root_prop_rec ? HUSK_OPF_REC : 0;
      origin_free (&o);
    }
  return 0;
fail:
  origin_free (&o);
  return -1;
}

/* annotations: keys non-empty, values strings (runtime-spec). */
static int
oci_load_annotations (json_t *ann, struct husk_err *err)
{
  const char *key;
  json_t *v;

  if (ann == NULL)
    return 0;
  json_object_foreach (ann, key, v)
  {
    cleanup_free char *path = oci_path_key ("annotations", key);

    if (key[0] == '\0')
      return husk_err_set (err, 0, "annotations: empty key");
    if (oci_expect (v, JSON_STRING, path, err) < 0)
      return -1;
  }
  return 0;
}

static int
oci_load_names (struct oci_ctx *ctx, json_t *root, struct husk_err *err)
{
  const char *host;
  json_t *ann;

  if (oci_get_string (root, "", "hostname", &host, err) < 0
      || oci_load_domainname (ctx, root, err) < 0
      || oci_get (root, "", "annotations", JSON_OBJECT, &ann, err) < 0)
    return -1;
  if (oci_load_annotations (ann, err) < 0)
    return -1;
  if (host == NULL || host[0] == '\0')
    return 0;
  if (!(ctx->plan->unshare & HUSK_NS_UTS))
    return husk_err_set (err, 0,
                         "hostname: requires a uts namespace "
                         "(linux.namespaces type \"uts\")");
  ctx->plan->hostname = xstrdup (host);
  ctx->plan->hostname_origin = oci_origin ("hostname");
  return 0;
}

/* An array of strings (or absent) at base.key into a NULL-terminated
 * copy; with need_eq, each must be NAME=VALUE. */
static int
oci_load_hook_strv (json_t *arr, const char *base, const char *key, bool need_eq, char ***out,
                    size_t *n, struct husk_err *err)
{
  cleanup_free char *abase = oci_path_key (base, key);
  size_t len = arr != NULL ? json_array_size (arr) : 0;
  char **v = xcalloc (len + 1, sizeof *v);

  free (*out);
  *out = v;
  *n = 0;
  for (size_t i = 0; i < len; i++)
    {
      const char *s;

      if (oci_string_at (arr, abase, i, &s, err) < 0)
        return -1;
      if (need_eq && (strchr (s, '=') == NULL || s[0] == '='))
        {
          cleanup_free char *path = oci_path_index (abase, i);
          cleanup_free char *q = oci_quote (s);
          return husk_err_set (err, 0, "%s: expected \"NAME=VALUE\", got %s", path, q);
        }
      v[(*n)++] = xstrdup (s);
    }
  return 0;
}

/* One hook object at `base` ("hooks.createRuntime[0]"): path absolute,
 * args and env as for execve (argv[0] is path when args is absent or
 * empty, the environment is exactly env), timeout > 0 seconds. */
static int
oci_load_hook (struct oci_ctx *ctx, json_t *obj, enum husk_hook_kind kind, const char *base,
               struct husk_err *err)
{
  static const char *const known[] = { "path", "args", "env", "timeout", NULL };
  struct husk_origin o = oci_origin (base);
  struct husk_hook *h;
  json_t *args, *env;
  const char *path;
  int64_t timeout = 0;
  bool has_timeout;
  int r = -1;

  if (oci_expect (obj, JSON_OBJECT, base, err) < 0)
    goto out;
  oci_warn_unknown (ctx, obj, base, known);
  if (oci_get_string (obj, base, "path", &path, err) < 0
      || oci_get (obj, base, "args", JSON_ARRAY, &args, err) < 0
      || oci_get (obj, base, "env", JSON_ARRAY, &env, err) < 0
      || oci_get_int (obj, base, "timeout", 1, INT_MAX, &timeout, &has_timeout, err) < 0)
    goto out;
  if (path == NULL)
    {
      husk_err_set (err, 0, "%s.path: required", base);
      goto out;
    }
  if (path[0] != '/')
    {
      cleanup_free char *q = oci_quote (path);
      husk_err_set (err, 0, "%s.path: must be an absolute path, got %s", base, q);
      goto out;
    }
  h = plan_add_hook (ctx->plan, kind, path, &o);
  h->timeout = (unsigned) timeout;
  if (oci_load_hook_strv (args, base, "args", false, &h->argv, &h->argc, err) < 0
      || oci_load_hook_strv (env, base, "env", true, &h->env, &h->n_env, err) < 0)
    goto out;
  if (h->argc == 0)
    {
      free (h->argv);
      h->argv = xcalloc (2, sizeof *h->argv);
      h->argv[0] = xstrdup (path);
      h->argc = 1;
    }
  r = 0;
out:
  origin_free (&o);
  return r;
}

/* The hooks' (and the seccomp agent's) state carries the config's annotations (string values, a
 * runtime-spec rule checked for every config in oci_load_names). */
static void
oci_load_hook_state (struct oci_ctx *ctx, json_t *root)
{
  struct husk_plan *plan = ctx->plan;
  json_t *ann = json_object_get (root, "annotations");
  const char *key, *ver = json_string_value (json_object_get (root, "ociVersion"));
  json_t *v;

  plan->hook_oci_version = xstrdup (ver != NULL ? ver : "");
  plan->hook_bundle = xstrdup (ctx->bundle != NULL ? ctx->bundle : "");
  if (!json_is_object (ann) || json_object_size (ann) == 0)
    return;
  plan->annotations = xcalloc (json_object_size (ann), sizeof *plan->annotations);
  json_object_foreach (ann, key, v)
  {
    struct husk_annotation *a = &plan->annotations[plan->n_annotations++];

    a->key = xstrdup (key);
    a->value = xstrdup (json_string_value (v));
  }
}

static int
oci_load_hooks (struct oci_ctx *ctx, json_t *root, struct husk_err *err)
{
  static const char *const known[]
    = { "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
        NULL };
  json_t *hooks;

  if (oci_get (root, "", "hooks", JSON_OBJECT, &hooks, err) < 0)
    return -1;
  if (hooks == NULL)
    return 0;
  oci_warn_unknown (ctx, hooks, "hooks", known);
  /* known[] is in enum husk_hook_kind order. */
  for (size_t k = 0; known[k] != NULL; k++)
    {
      cleanup_free char *kbase = oci_path_key ("hooks", known[k]);
      json_t *arr;

      if (oci_get (hooks, "hooks", known[k], JSON_ARRAY, &arr, err) < 0)
        return -1;
      for (size_t i = 0; arr != NULL && i < json_array_size (arr); i++)
        {
          cleanup_free char *base = oci_path_index (kbase, i);

          if (oci_load_hook (ctx, json_array_get (arr, i), (enum husk_hook_kind) k, base, err) < 0)
            return -1;
        }
    }
  return 0;
}

static int
oci_load_json (struct oci_ctx *ctx, json_t *root, struct husk_err *err)
{
  static const char *const known[]
    = { "ociVersion", "process", "root",        "hostname", "domainname",
        "mounts",     "hooks",   "annotations", "linux",    NULL };
  json_t *lx;

  oci_warn_unknown (ctx, root, "", known);
  if (oci_load_version (root, err) < 0 || oci_get (root, "", "linux", JSON_OBJECT, &lx, err) < 0)
    return -1;
  /* Namespaces first: user, uid and hostname checks depend on them. */
  if (lx != NULL && oci_load_namespaces (ctx, lx, err) < 0)
    return -1;
  if (oci_load_process (ctx, root, err) < 0 || oci_load_names (ctx, root, err) < 0
      || oci_load_hooks (ctx, root, err) < 0)
    return -1;
  if (lx != NULL && oci_load_linux (ctx, lx, err) < 0)
    return -1;
  /* The hooks and the seccomp agent (issue 5) get the container's state. */
  if (ctx->plan->n_hooks > 0 || ctx->plan->seccomp_agent.path != NULL)
    oci_load_hook_state (ctx, root);
  if (oci_load_root (ctx, root, err) < 0)
    return -1;
  return oci_load_mounts (ctx, root, err);
}

int
oci_load_text (struct husk_plan *plan, const char *text, size_t len, const char *bundle,
               const char *name, unsigned *warnings, struct husk_err *err)
{
  struct oci_ctx ctx = { .plan = plan, .bundle = bundle };
  json_t *root = NULL;
  int r;

  if (warnings)
    *warnings = 0;
  if (oci_json_parse (text, len, name, &root, err) < 0)
    return -1;
  r = oci_load_json (&ctx, root, err);
  json_decref (root);
  if (warnings)
    *warnings = ctx.warnings;
  return r;
}

/* ---- reading the bundle ------------------------------------------------- */

static int
oci_read_file (const char *file, char **text, size_t *len, struct husk_err *err)
{
  cleanup_fd int fd = open (file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  cleanup_free char *buf = NULL;
  size_t n = 0, cap = 0;

  if (fd < 0)
    return husk_err_sys (err, "%s", file);
  for (;;)
    {
      ssize_t r;

      if (n == cap)
        buf = xgrow (buf, &cap, n + 65536, 1);
      r = read (fd, buf + n, cap - n);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return husk_err_sys (err, "%s: read", file);
      if (r == 0)
        break;
      n += (size_t) r;
      if (n > OCI_CONFIG_MAX)
        return husk_err_set (err, 0, "%s: larger than %d bytes", file, OCI_CONFIG_MAX);
    }
  *len = n;
  *text = steal_pointer (&buf);
  return 0;
}

/* PATH is a config.json or a directory holding one; the bundle is the
 * directory, made absolute (root.path and mount sources are relative to it). */
static int
oci_locate (const char *path, char **file, char **bundle, struct husk_err *err)
{
  cleanup_free char *cwd = NULL;
  cleanup_free char *dir = NULL;
  struct stat st;
  char *slash;

  if (path[0] == '\0')
    return husk_err_set (err, 0, "--oci: empty path");
  if (stat (path, &st) < 0)
    return husk_err_sys (err, "--oci %s", path);
  if (S_ISDIR (st.st_mode))
    dir = xstrdup (path);
  else if ((slash = strrchr (path, '/')) != NULL)
    dir = slash == path ? xstrdup ("/") : xstrndup (path, (size_t) (slash - path));
  else
    dir = xstrdup (".");
  *file = S_ISDIR (st.st_mode) ? xasprintf ("%s/config.json", path) : xstrdup (path);
  if (dir[0] == '/')
    *bundle = steal_pointer (&dir);
  else if ((cwd = getcwd (NULL, 0)) == NULL)
    return husk_err_sys (err, "--oci %s: getcwd", path);
  else
    *bundle = xasprintf ("%s/%s", cwd, dir);
  return 0;
}

int
oci_load (struct husk_plan *plan, const char *path, struct husk_err *err)
{
  cleanup_free char *file = NULL;
  cleanup_free char *bundle = NULL;
  cleanup_free char *text = NULL;
  size_t len = 0;

  if (oci_locate (path, &file, &bundle, err) < 0 || oci_read_file (file, &text, &len, err) < 0)
    return -1;
  return oci_load_text (plan, text, len, bundle, file, NULL, err);
}
