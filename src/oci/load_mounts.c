/* load_mounts.c: the filesystem part of config.json as plan ops, in the
 * order the runtime-spec gives: mounts[] in array order (after the root,
 * which load.c adds), then the default devices and /dev links, then
 * linux.devices (load_devices.c), then linux.readonlyPaths and
 * linux.maskedPaths, and root.readonly last.
 *
 * How each mount type maps (see man/husk-oci.5):
 *   bind/rbind  -> bind op (nosuid always; nodev unless "dev": no device
 *                  cgroup stands behind husk, so devices are opt-in)
 *   tmpfs, proc, mqueue, devpts -> the matching op ("ro": a remount-ro op after)
 *   sysfs       -> a read-only bind of the host's /sys (rootless-safe)
 *   cgroup(2)   -> a cgroup op: cgroup2 showing the sandbox's own cgroup
 *                  ("cgroup", v1, gets that too, with a warning)
 *
 * Must not: make syscalls; guess at an option it does not know.
 */
#include "oci/oci_int.h"

#include <ctype.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/parse.h"
#include "lib/xalloc.h"

#define OCI_ID_MAX 4294967294LL /* (uid_t) -1 is never an id */

enum oci_mkind
{
  OCI_M_BIND,
  OCI_M_TMPFS,
  OCI_M_PROC,
  OCI_M_MQUEUE,
  OCI_M_DEVPTS,
  OCI_M_SYSFS,
  OCI_M_CGROUP,
};

/* One mount's options, parsed. */
struct oci_mount
{
  enum oci_mkind kind;
  const char *base; /* "mounts[3]" */
  const char *dest;
  unsigned flags; /* HUSK_OPF_* */
  bool ro, rbind;
  int perms;
  uint64_t size;
  enum husk_propagation prop; /* the last propagation option, or NONE */
  bool prop_rec;              /* ... an r* one */
  char *idmap_opt;            /* "mounts[i].options[j]" of idmap/ridmap, or NULL */
  bool ridmap;
  json_t *uid_maps, *gid_maps; /* the mount's uidMappings/gidMappings, or NULL */
  unsigned set, clr, rset, rclr; /* HUSK_MA_*: a SETATTR op for the mount, one for its tree */
};

static struct husk_op *
oci_add_op (struct oci_ctx *ctx, enum husk_op_kind kind, const char *dest, const char *where)
{
  struct husk_origin o = { xstrdup (where), -1 };
  struct husk_op *op = plan_add_op (ctx->plan, kind, &o);

  op->dest = xstrdup (dest);
  origin_free (&o);
  return op;
}

/* "/dev//" and "/dev/" are "/dev": compare destinations by their text
 * with repeated and trailing slashes removed. */
static bool
oci_same_path (const char *a, const char *b)
{
  for (;;)
    {
      while (a[0] == '/' && (a[1] == '/' || a[1] == '\0'))
        a++;
      while (b[0] == '/' && (b[1] == '/' || b[1] == '\0'))
        b++;
      if (*a != *b)
        return false;
      if (*a == '\0')
        return true;
      a++, b++;
    }
}

/* tmpfs size=: bytes, or with a k, m or g suffix. */
static int
oci_parse_size (const char *s, uint64_t *out)
{
  size_t n = strlen (s);
  cleanup_free char *digits = NULL;
  unsigned shift = 0;

  if (n > 1 && strchr ("kKmMgG", s[n - 1]) != NULL)
    {
      shift = tolower ((unsigned char) s[n - 1]) == 'k'   ? 10
              : tolower ((unsigned char) s[n - 1]) == 'm' ? 20
                                                          : 30;
      n--;
    }
  digits = xstrndup (s, n);
  if (parse_size (digits, out) < 0 || *out > (UINT64_MAX >> shift))
    return -1;
  *out <<= shift;
  return 0;
}

/* Options with a value: mode=, size= (tmpfs), and devpts's fixed ones. */
static int
oci_mount_keyval (struct oci_mount *m, const char *opt, const char *path, struct husk_err *err)
{
  const char *v = strchr (opt, '=') + 1;
  cleanup_free char *q = oci_quote (opt);

  if (m->kind == OCI_M_TMPFS && strncmp (opt, "mode=", 5) == 0)
    {
      if (parse_octal_mode (v, &m->perms) < 0)
        return husk_err_set (err, 0, "%s: invalid mode in %s", path, q);
      return 0;
    }
  if (m->kind == OCI_M_TMPFS && strncmp (opt, "size=", 5) == 0)
    {
      if (oci_parse_size (v, &m->size) < 0)
        return husk_err_set (err, 0,
                             "%s: invalid size in %s (bytes, or with k, m "
                             "or g)",
                             path, q);
      return 0;
    }
  /* husk's devpts always has these values. */
  if (m->kind == OCI_M_DEVPTS
      && (strcmp (opt, "ptmxmode=0666") == 0 || strcmp (opt, "mode=0620") == 0
          || strcmp (opt, "mode=620") == 0 || strcmp (opt, "gid=5") == 0))
    return 0;
  return husk_err_set (err, 0, "%s: mount option %s not supported yet", path, q);
}

static bool
oci_in (const char *s, const char *const *list)
{
  for (; *list != NULL; list++)
    if (strcmp (s, *list) == 0)
      return true;
  return false;
}

/* Propagation, nosymfollow, tmpcopyup, idmap/ridmap: 0 taken, -1 error, 1
 * not one of them. */
static int
oci_mount_special (struct oci_mount *m, const char *opt, const char *path, struct husk_err *err)
{
  static const struct
  {
    const char *name;
    enum husk_propagation prop;
  } props[] = {
    { "private", HUSK_PROP_PRIVATE }, { "shared", HUSK_PROP_SHARED },
    { "slave", HUSK_PROP_SLAVE },     { "unbindable", HUSK_PROP_UNBINDABLE },
  };
  bool rec = opt[0] == 'r';

  for (size_t i = 0; i < sizeof props / sizeof props[0]; i++)
    if (strcmp (opt + rec, props[i].name) == 0)
      {
        m->prop = props[i].prop;
        m->prop_rec = rec;
        return 0;
      }
  if (strcmp (opt, "nosymfollow") == 0)
    {
      if (m->kind != OCI_M_BIND && m->kind != OCI_M_TMPFS && m->kind != OCI_M_SYSFS)
        return husk_err_set (err, 0, "%s: \"nosymfollow\" is supported on bind, tmpfs and "
                             "sysfs mounts only", path);
      m->flags |= HUSK_OPF_NOSYMFOLLOW;
      return 0;
    }
  if (strcmp (opt, "tmpcopyup") == 0)
    {
      if (m->kind != OCI_M_TMPFS)
        return husk_err_set (err, 0, "%s: \"tmpcopyup\" applies to a tmpfs only", path);
      m->flags |= HUSK_OPF_COPYUP;
      return 0;
    }
  if (strcmp (opt, "idmap") == 0 || strcmp (opt, "ridmap") == 0)
    {
      if (m->kind != OCI_M_BIND)
        return husk_err_set (err, 0, "%s: \"%s\" is supported on bind mounts only", path, opt);
      free (m->idmap_opt);
      m->idmap_opt = xstrdup (path);
      m->ridmap = rec;
      return 0;
    }
  return 1;
}

/* A mount attribute option (atime, and the r* forms of the flags): into
 * the mount's set/clear attributes (rec: the whole tree's), the later
 * option winning.  0 taken, 1 not one of them. */
static int
oci_mount_attr (struct oci_mount *m, const char *opt)
{
  static const struct
  {
    const char *name;
    unsigned ma;
    bool on;
  } attrs[] = {
    { "strictatime", HUSK_MA_STRICTATIME, true }, { "nostrictatime", HUSK_MA_RELATIME, true },
    { "noatime", HUSK_MA_NOATIME, true },         { "atime", HUSK_MA_RELATIME, true },
    { "relatime", HUSK_MA_RELATIME, true },       { "norelatime", HUSK_MA_STRICTATIME, true },
    { "nodiratime", HUSK_MA_NODIRATIME, true },   { "diratime", HUSK_MA_NODIRATIME, false },
    { "rro", HUSK_MA_RDONLY, true },              { "rrw", HUSK_MA_RDONLY, false },
    { "rnodev", HUSK_MA_NODEV, true },            { "rdev", HUSK_MA_NODEV, false },
    { "rnoexec", HUSK_MA_NOEXEC, true },          { "rexec", HUSK_MA_NOEXEC, false },
    { "rnoatime", HUSK_MA_NOATIME, true },        { "ratime", HUSK_MA_RELATIME, true },
    { "rrelatime", HUSK_MA_RELATIME, true },      { "rstrictatime", HUSK_MA_STRICTATIME, true },
    { "rnodiratime", HUSK_MA_NODIRATIME, true },  { "rdiratime", HUSK_MA_NODIRATIME, false },
    { "rnosymfollow", HUSK_MA_NOSYMFOLLOW, true }, { "rsymfollow", HUSK_MA_NOSYMFOLLOW, false },
  };

  for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++)
    if (strcmp (opt, attrs[i].name) == 0)
      {
        /* The r* forms start with an r that is not part of the flag. */
        bool rec = opt[0] == 'r' && strcmp (opt, "relatime") != 0;
        unsigned *set = rec ? &m->rset : &m->set, *clr = rec ? &m->rclr : &m->clr;
        unsigned ma = attrs[i].ma;

        if (ma & HUSK_MA_ATIME)
          *set &= ~HUSK_MA_ATIME;
        if (attrs[i].on)
          *set |= ma, *clr &= ~ma;
        else
          *clr |= ma, *set &= ~ma;
        return 0;
      }
  return 1;
}

/* Flags every mount type takes. */
static int
oci_mount_flag (struct oci_mount *m, const char *opt, const char *path, struct husk_err *err)
{
  static const char *const accepted[]
    = { "rw", "nosuid", "rnosuid", "exec", "symfollow", "nomand", "silent", "loud", NULL };
  cleanup_free char *q = oci_quote (opt);
  bool bind = m->kind == OCI_M_BIND;
  int r = oci_mount_special (m, opt, path, err);

  if (r != 1)
    return r;

  if (strcmp (opt, "ro") == 0 || (bind && strcmp (opt, "rro") == 0))
    m->ro = true;
  else if (strcmp (opt, "noexec") == 0)
    m->flags |= HUSK_OPF_NOEXEC;
  else if (strcmp (opt, "nodev") == 0)
    m->flags &= ~HUSK_OPF_DEV;
  else if (strcmp (opt, "dev") == 0 && bind)
    m->flags |= HUSK_OPF_DEV;
  else if ((strcmp (opt, "dev") == 0 || strcmp (opt, "rdev") == 0) && !bind)
    return husk_err_set (err, 0,
                         "%s: %s is supported on bind mounts only (husk makes new file "
                         "systems nodev: device nodes come from linux.devices)",
                         path, q);
  else if (bind && (strcmp (opt, "bind") == 0 || strcmp (opt, "rbind") == 0))
    m->rbind |= opt[0] == 'r';
  else if (oci_mount_attr (m, opt) == 0)
    return 0;
  else if (strcmp (opt, "suid") == 0 || strcmp (opt, "rsuid") == 0)
    return husk_err_set (err, 0,
                         "%s: %s not supported: husk mounts everything nosuid (the "
                         "container runs with no_new_privs)",
                         path, q);
  else if (strcmp (opt, "sync") == 0 || strcmp (opt, "dirsync") == 0
           || strcmp (opt, "lazytime") == 0)
    {
      if (m->kind != OCI_M_TMPFS)
        return husk_err_set (err, 0, "%s: %s is supported on tmpfs mounts only", path, q);
      m->flags |= opt[0] == 's' ? HUSK_OPF_SYNC : opt[0] == 'd' ? HUSK_OPF_DIRSYNC
                                                               : HUSK_OPF_LAZYTIME;
    }
  else if (strcmp (opt, "async") == 0 || strcmp (opt, "nolazytime") == 0)
    m->flags &= opt[0] == 'a' ? ~HUSK_OPF_SYNC : ~HUSK_OPF_LAZYTIME;
  else if (strcmp (opt, "mand") == 0)
    return husk_err_set (err, 0, "%s: \"mand\" not supported: Linux removed mandatory "
                         "locking (5.15)", path);
  else if (strcmp (opt, "remount") == 0)
    return husk_err_set (err, 0, "%s: \"remount\" not supported: husk makes every mount "
                         "new (give the options on the mount itself)", path);
  else if (strchr (opt, '=') != NULL)
    return oci_mount_keyval (m, opt, path, err);
  else if (!(oci_in (opt, accepted) || (m->kind == OCI_M_DEVPTS && strcmp (opt, "newinstance") == 0)))
    return husk_err_set (err, 0, "%s: unknown mount option %s", path, q);
  return 0;
}

static int
oci_mount_options (struct oci_ctx *ctx, json_t *mnt, struct oci_mount *m, struct husk_err *err)
{
  cleanup_free char *base = oci_path_key (m->base, "options");
  json_t *opts;

  if (oci_get (mnt, m->base, "options", JSON_ARRAY, &opts, err) < 0)
    return -1;
  for (size_t i = 0; opts != NULL && i < json_array_size (opts); i++)
    {
      cleanup_free char *path = oci_path_index (base, i);
      const char *opt;

      if (oci_string_at (opts, base, i, &opt, err) < 0
          || oci_mount_flag (m, opt, path, err) < 0)
        return -1;
    }
  return 0;
}

/* The mount's kind from its type and its bind/rbind options. */
static int
oci_mount_kind (json_t *mnt, struct oci_mount *m, struct husk_err *err)
{
  static const struct
  {
    const char *type;
    enum oci_mkind kind;
  } types[] = {
    { "bind", OCI_M_BIND },     { "tmpfs", OCI_M_TMPFS },    { "proc", OCI_M_PROC },
    { "mqueue", OCI_M_MQUEUE }, { "devpts", OCI_M_DEVPTS },  { "sysfs", OCI_M_SYSFS },
    { "cgroup", OCI_M_CGROUP }, { "cgroup2", OCI_M_CGROUP },
  };
  json_t *opts = json_object_get (mnt, "options");
  const char *type;
  size_t i;

  if (oci_get_string (mnt, m->base, "type", &type, err) < 0)
    return -1;
  for (i = 0; json_is_array (opts) && i < json_array_size (opts); i++)
    {
      const char *o = json_string_value (json_array_get (opts, i));

      if (o != NULL && (strcmp (o, "bind") == 0 || strcmp (o, "rbind") == 0))
        return m->kind = OCI_M_BIND, 0;
    }
  if (type == NULL)
    return husk_err_set (err, 0,
                         "%s.type: required (or a \"bind\" or \"rbind\" "
                         "option)",
                         m->base);
  for (i = 0; i < sizeof types / sizeof types[0]; i++)
    if (strcmp (type, types[i].type) == 0)
      return m->kind = types[i].kind, 0;
  {
    cleanup_free char *q = oci_quote (type);
    return husk_err_set (err, 0, "%s.type: filesystem type %s not supported yet", m->base, q);
  }
}

/* A mount's uidMappings or gidMappings (arr, at `base`) as id map ranges. */
static int
oci_mount_maps (struct oci_ctx *ctx, json_t *arr, const char *base, struct husk_idmap **v,
                size_t *n, struct husk_err *err)
{
  static const char *const known[] = { "containerID", "hostID", "size", NULL };

  if (oci_expect (arr, JSON_ARRAY, base, err) < 0)
    return -1;
  *v = xcalloc (json_array_size (arr) + 1, sizeof **v);
  for (size_t i = 0; i < json_array_size (arr); i++)
    {
      cleanup_free char *p = oci_path_index (base, i);
      json_t *e = json_array_get (arr, i);
      int64_t in = 0, out = 0, cnt = 0;
      bool h1, h2, h3;

      if (oci_expect (e, JSON_OBJECT, p, err) < 0)
        return -1;
      oci_warn_unknown (ctx, e, p, known);
      if (oci_get_int (e, p, "containerID", 0, OCI_ID_MAX, &in, &h1, err) < 0
          || oci_get_int (e, p, "hostID", 0, OCI_ID_MAX, &out, &h2, err) < 0
          || oci_get_int (e, p, "size", 1, UINT32_MAX, &cnt, &h3, err) < 0)
        return -1;
      if (!h1 || !h2 || !h3)
        return husk_err_set (err, 0, "%s.%s: required", p,
                             !h1 ? "containerID" : !h2 ? "hostID" : "size");
      (*v)[(*n)++] = (struct husk_idmap){ (uint32_t) in, (uint32_t) out, (uint32_t) cnt,
                                          { xstrdup (p), -1 } };
    }
  return 0;
}

/* The container's maps (linux.uidMappings or gidMappings), copied. */
static void
oci_copy_maps (const struct husk_idmap *from, size_t n, struct husk_idmap **v, size_t *nv)
{
  *v = xcalloc (n + 1, sizeof **v);
  for (*nv = 0; *nv < n; (*nv)++)
    (*v)[*nv] = (struct husk_idmap){ from[*nv].inside, from[*nv].outside, from[*nv].count,
                                     origin_copy (&from[*nv].origin) };
}

/* idmap/ridmap and the mount's own maps (or else the container's: the
 * runtime-spec allows that; without any an error, as it requires). */
static int
oci_emit_idmap (struct oci_ctx *ctx, const struct oci_mount *m, struct husk_op *op,
                struct husk_err *err)
{
  const struct husk_plan *plan = ctx->plan;
  cleanup_free char *ub = oci_path_key (m->base, "uidMappings");
  cleanup_free char *gb = oci_path_key (m->base, "gidMappings");

  if (m->idmap_opt == NULL && m->uid_maps == NULL && m->gid_maps == NULL)
    return 0;
  op->flags |= HUSK_OPF_IDMAP | (m->ridmap ? HUSK_OPF_IDMAP_REC : 0);
  if ((m->uid_maps == NULL) != (m->gid_maps == NULL))
    return husk_err_set (err, 0, "%s: required with %s", m->uid_maps ? gb : ub,
                         m->uid_maps ? ub : gb);
  if (m->uid_maps != NULL)
    return oci_mount_maps (ctx, m->uid_maps, ub, &op->idmap_uids, &op->n_idmap_uids, err) < 0
               || oci_mount_maps (ctx, m->gid_maps, gb, &op->idmap_gids, &op->n_idmap_gids,
                                  err) < 0
             ? -1
             : 0;
  if (plan->n_uid_maps == 0 || plan->n_gid_maps == 0)
    return husk_err_set (err, 0,
                         "%s: needs %s and gidMappings, or the container's "
                         "linux.uidMappings and linux.gidMappings",
                         m->idmap_opt, ub);
  oci_copy_maps (plan->uid_maps, plan->n_uid_maps, &op->idmap_uids, &op->n_idmap_uids);
  oci_copy_maps (plan->gid_maps, plan->n_gid_maps, &op->idmap_gids, &op->n_idmap_gids);
  return 0;
}

static struct husk_op *
oci_emit_bind (struct oci_ctx *ctx, const struct oci_mount *m, const char *src)
{
  struct husk_op *op = oci_add_op (ctx, HUSK_OP_BIND, m->dest, m->base);

  op->src = src[0] == '/' ? xstrdup (src) : xasprintf ("%s/%s", ctx->bundle, src);
  op->flags = m->flags | (m->ro ? HUSK_OPF_RO : 0) | (m->rbind ? 0 : HUSK_OPF_NOREC);
  return op;
}

/* The mount's attribute options, as SETATTR ops (the mount alone, then its
 * tree), and its propagation option, as an op right after it. */
static void
oci_emit_propagation (struct oci_ctx *ctx, const struct oci_mount *m)
{
  struct husk_op *op;

  for (int rec = 0; rec < 2; rec++)
    if ((rec ? m->rset | m->rclr : m->set | m->clr) != 0)
      {
        op = oci_add_op (ctx, HUSK_OP_SETATTR, m->dest, m->base);
        op->attr_set = rec ? m->rset : m->set;
        op->attr_clr = rec ? m->rclr : m->clr;
        op->flags = rec ? HUSK_OPF_REC : 0;
      }
  if (m->prop == HUSK_PROP_NONE)
    return;
  op = oci_add_op (ctx, HUSK_OP_PROPAGATE, m->dest, m->base);
  op->propagation = m->prop;
  op->flags = m->prop_rec ? HUSK_OPF_REC : 0;
}

/* The op for one parsed mount. */
static int
oci_emit_mount (struct oci_ctx *ctx, json_t *mnt, const struct oci_mount *m, struct husk_err *err)
{
  static const enum husk_op_kind kinds[] = {
    [OCI_M_TMPFS] = HUSK_OP_TMPFS,
    [OCI_M_PROC] = HUSK_OP_PROC,
    [OCI_M_MQUEUE] = HUSK_OP_MQUEUE,
    [OCI_M_DEVPTS] = HUSK_OP_DEVPTS,
  };
  const char *src;
  struct husk_op *op;

  if (oci_get_string (mnt, m->base, "source", &src, err) < 0)
    return -1;
  switch (m->kind)
    {
    case OCI_M_BIND:
      if (src == NULL || src[0] == '\0')
        return husk_err_set (err, 0, "%s.source: required for a bind mount", m->base);
      if (oci_emit_idmap (ctx, m, oci_emit_bind (ctx, m, src), err) < 0)
        return -1;
      oci_emit_propagation (ctx, m);
      return 0;
    case OCI_M_SYSFS:
      {
        /* A new sysfs needs a network namespace owned by our user namespace
         * and shows its devices only; the host's, read-only, works always. */
        struct oci_mount ro = *m;

        ro.ro = true;
        ro.rbind = true;
        ro.flags &= ~HUSK_OPF_DEV;
        oci_emit_bind (ctx, &ro, "/sys");
        oci_emit_propagation (ctx, m);
        return 0;
      }
    case OCI_M_CGROUP:
      {
        const char *type = json_string_value (json_object_get (mnt, "type"));

        if (type != NULL && strcmp (type, "cgroup") == 0)
          oci_warn (ctx,
                    "%s.type: \"cgroup\" (v1) mounted as a cgroup2 filesystem: husk "
                    "provides no cgroup v1 hierarchies",
                    m->base);
        op = oci_add_op (ctx, HUSK_OP_CGROUP, m->dest, m->base);
        op->flags = m->ro ? HUSK_OPF_RO : 0;
        oci_emit_propagation (ctx, m);
        return 0;
      }
    case OCI_M_DEVPTS: /* "ro": a remount-ro op (pty nodes stay usable) */
    case OCI_M_TMPFS:
    case OCI_M_PROC:
    case OCI_M_MQUEUE:
    default:
      break;
    }
  op = oci_add_op (ctx, kinds[m->kind], m->dest, m->base);
  if (m->kind == OCI_M_TMPFS || m->kind == OCI_M_PROC)
    op->flags = m->flags & HUSK_OPF_NOEXEC;
  if (m->kind == OCI_M_TMPFS)
    op->flags = m->flags & (HUSK_OPF_NOEXEC | HUSK_OPF_NOSYMFOLLOW | HUSK_OPF_COPYUP
                            | HUSK_OPF_SYNC | HUSK_OPF_DIRSYNC | HUSK_OPF_LAZYTIME),
    op->perms = m->perms, op->size = m->size;
  if (m->ro)
    oci_add_op (ctx, HUSK_OP_REMOUNT_RO, m->dest, m->base);
  oci_emit_propagation (ctx, m);
  return 0;
}

/* Per-mount id maps make an idmapped bind; nothing else takes them. */
static int
oci_mount_maps_only_bind (const struct oci_mount *m, struct husk_err *err)
{
  if (m->kind == OCI_M_BIND || (m->uid_maps == NULL && m->gid_maps == NULL))
    return 0;
  return husk_err_set (err, 0, "%s.%s: supported on bind mounts only (an idmapped mount)",
                       m->base, m->uid_maps ? "uidMappings" : "gidMappings");
}

static int
oci_load_mount (struct oci_ctx *ctx, json_t *mnt, const char *base, bool *dev_mount,
                struct husk_err *err)
{
  static const char *const known[]
    = { "destination", "type", "source", "options", "uidMappings", "gidMappings", NULL };
  struct oci_mount m
    = { .base = base, .flags = 0, .perms = HUSK_PERMS_UNSET, .size = HUSK_SIZE_UNSET };
  int r;

  if (oci_expect (mnt, JSON_OBJECT, base, err) < 0)
    return -1;
  oci_warn_unknown (ctx, mnt, base, known);
  if (oci_get_string (mnt, base, "destination", &m.dest, err) < 0
      || oci_get (mnt, base, "uidMappings", JSON_ARRAY, &m.uid_maps, err) < 0
      || oci_get (mnt, base, "gidMappings", JSON_ARRAY, &m.gid_maps, err) < 0)
    return -1;
  if (m.dest == NULL || m.dest[0] == '\0')
    return husk_err_set (err, 0, "%s.destination: required", base);
  /* Empty maps are as none (the runtime-spec: idmap then uses the container's). */
  if (json_array_size (m.uid_maps) == 0)
    m.uid_maps = NULL;
  if (json_array_size (m.gid_maps) == 0)
    m.gid_maps = NULL;
  r = oci_mount_kind (mnt, &m, err) < 0 || oci_mount_options (ctx, mnt, &m, err) < 0
          || oci_mount_maps_only_bind (&m, err) < 0 || oci_emit_mount (ctx, mnt, &m, err) < 0
        ? -1
        : 0;
  free (m.idmap_opt);
  if (r < 0)
    return -1;
  if (oci_same_path (m.dest, "/dev"))
    {
      *dev_mount = true;
      ctx->has_dev_tmpfs = m.kind == OCI_M_TMPFS;
    }
  if (oci_same_path (m.dest, "/dev/pts") && m.kind == OCI_M_DEVPTS)
    ctx->has_devpts = true;
  return 0;
}

/* The runtime-spec's default devices, bound from the host (no mknod: that
 * needs privileges), and its /dev links.  Only onto a fresh tmpfs at /dev:
 * never into the rootfs's own /dev, which belongs to the bundle. */
static void
oci_default_devices (struct oci_ctx *ctx)
{
  static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty", NULL };
  static const char *const links[][2] = {
    { "/dev/fd", "/proc/self/fd" },
    { "/dev/stdin", "/proc/self/fd/0" },
    { "/dev/stdout", "/proc/self/fd/1" },
    { "/dev/stderr", "/proc/self/fd/2" },
  };
  const char *where = "default devices";

  for (size_t i = 0; nodes[i] != NULL; i++)
    {
      cleanup_free char *path = xasprintf ("/dev/%s", nodes[i]);
      struct husk_op *op = oci_add_op (ctx, HUSK_OP_BIND, path, where);

      op->src = xstrdup (path);
      op->flags = HUSK_OPF_DEV | HUSK_OPF_TRY;
    }
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
    oci_add_op (ctx, HUSK_OP_SYMLINK, links[i][0], where)->src = xstrdup (links[i][1]);
  if (ctx->has_devpts)
    oci_add_op (ctx, HUSK_OP_SYMLINK, "/dev/ptmx", where)->src = xstrdup ("pts/ptmx");
}

/* linux.readonlyPaths / linux.maskedPaths: absolute paths, one op each. */
static int
oci_load_paths (struct oci_ctx *ctx, json_t *lx, const char *key, enum husk_op_kind kind,
                struct husk_err *err)
{
  cleanup_free char *base = oci_path_key ("linux", key);
  json_t *arr;

  if (lx == NULL || oci_get (lx, "linux", key, JSON_ARRAY, &arr, err) < 0)
    return lx == NULL ? 0 : -1;
  for (size_t i = 0; arr != NULL && i < json_array_size (arr); i++)
    {
      cleanup_free char *path = oci_path_index (base, i);
      const char *s;

      if (oci_string_at (arr, base, i, &s, err) < 0)
        return -1;
      if (s[0] != '/')
        {
          cleanup_free char *q = oci_quote (s);
          return husk_err_set (err, 0, "%s: must be an absolute path, got %s", path, q);
        }
      oci_add_op (ctx, kind, s, path);
    }
  return 0;
}

int
oci_load_mounts (struct oci_ctx *ctx, json_t *root, struct husk_err *err)
{
  json_t *mounts, *lx = json_object_get (root, "linux");
  bool dev_mount = false;

  if (oci_get (root, "", "mounts", JSON_ARRAY, &mounts, err) < 0)
    return -1;
  for (size_t i = 0; mounts != NULL && i < json_array_size (mounts); i++)
    {
      cleanup_free char *base = oci_path_index ("mounts", i);

      if (oci_load_mount (ctx, json_array_get (mounts, i), base, &dev_mount, err) < 0)
        return -1;
    }
  if (ctx->has_dev_tmpfs)
    oci_default_devices (ctx);
  else if (!dev_mount)
    oci_warn (ctx, "mounts: nothing mounted on /dev: the rootfs's own /dev is used "
                   "as it is (no default devices added)");
  if (!json_is_object (lx))
    lx = NULL;
  if (oci_load_devices (ctx, lx, err) < 0
      || oci_load_paths (ctx, lx, "readonlyPaths", HUSK_OP_RO_SELF, err) < 0
      || oci_load_paths (ctx, lx, "maskedPaths", HUSK_OP_MASK, err) < 0)
    return -1;
  if (ctx->root_readonly)
    oci_add_op (ctx, HUSK_OP_REMOUNT_RO, "/", "root.readonly");
  return 0;
}
