/* load_attrs.c: config.json -> plan for the process and linux attributes
 * issue 5 added last: process.scheduler, process.ioPriority,
 * process.execCPUAffinity, process.apparmorProfile, linux.memoryPolicy,
 * linux.intelRdt and linux.netDevices.  load.c calls these; each names the
 * JSON path of what it rejects.  Whether the kernel or the caller can
 * honour a valid value (privileges, AppArmor, resctrl) is the executor's
 * question.
 *
 * Must not: make syscalls; run anything.
 */
#include "oci/oci_int.h"

#include <string.h>

#include "lib/cleanup.h"
#include "lib/parse.h"
#include "lib/xalloc.h"

static struct husk_origin
attrs_origin (const char *path)
{
  struct husk_origin o = { xstrdup (path), -1 };
  return o;
}

struct attrs_name
{
  const char *name;
  int value;
};

/* The value of `name` in v[] (NULL-ended), or -1. */
static int
attrs_lookup (const struct attrs_name *v, const char *name)
{
  for (size_t i = 0; v[i].name != NULL; i++)
    if (strcmp (v[i].name, name) == 0)
      return v[i].value;
  return -1;
}

static int
attrs_unknown (const char *path, const char *what, const char *value, struct husk_err *err)
{
  cleanup_free char *q = oci_quote (value);
  return husk_err_set (err, 0, "%s: unknown %s %s", path, what, q);
}

/* An array of flag names at base.key, ORed into *out. */
static int
attrs_flags (json_t *obj, const char *base, const char *key, const struct attrs_name *names,
             const char *what, uint64_t *out, struct husk_err *err)
{
  cleanup_free char *path = oci_path_key (base, key);
  json_t *arr;

  *out = 0;
  if (oci_get (obj, base, key, JSON_ARRAY, &arr, err) < 0)
    return -1;
  for (size_t i = 0; arr != NULL && i < json_array_size (arr); i++)
    {
      cleanup_free char *p = oci_path_index (path, i);
      const char *name;
      int v;

      if (oci_string_at (arr, path, i, &name, err) < 0)
        return -1;
      v = attrs_lookup (names, name);
      if (v < 0)
        return attrs_unknown (p, what, name, err);
      *out |= (uint64_t) v;
    }
  return 0;
}

/* ---- process.scheduler -------------------------------------------------- */

/* Values from the kernel's uapi headers (linux/sched.h, sched/types.h). */
#define ATTRS_SCHED_ISO 4

static int
attrs_sched_policy (json_t *s, struct husk_sched *out, struct husk_err *err)
{
  static const struct attrs_name policies[] = {
    { "SCHED_OTHER", 0 },
    { "SCHED_FIFO", 1 },
    { "SCHED_RR", 2 },
    { "SCHED_BATCH", 3 },
    { "SCHED_ISO", ATTRS_SCHED_ISO },
    { "SCHED_IDLE", 5 },
    { "SCHED_DEADLINE", 6 },
    { NULL, 0 },
  };
  const char *policy;
  int v;

  if (oci_get_string (s, "process.scheduler", "policy", &policy, err) < 0)
    return -1;
  if (policy == NULL)
    return husk_err_set (err, 0, "process.scheduler.policy: required");
  v = attrs_lookup (policies, policy);
  if (v < 0)
    return attrs_unknown ("process.scheduler.policy", "policy", policy, err);
  if (v == ATTRS_SCHED_ISO)
    return husk_err_set (err, 0,
                         "process.scheduler.policy: SCHED_ISO is not supported "
                         "(Linux does not implement it)");
  out->policy = (uint32_t) v;
  return 0;
}

int
oci_load_scheduler (struct oci_ctx *ctx, json_t *proc, struct husk_err *err)
{
  static const char *const known[] = {
    "policy", "nice", "priority", "flags", "runtime", "deadline", "period", NULL,
  };
  static const struct attrs_name flags[] = {
    { "SCHED_FLAG_RESET_ON_FORK", 0x01 },  { "SCHED_FLAG_RECLAIM", 0x02 },
    { "SCHED_FLAG_DL_OVERRUN", 0x04 },     { "SCHED_FLAG_KEEP_POLICY", 0x08 },
    { "SCHED_FLAG_KEEP_PARAMS", 0x10 },    { "SCHED_FLAG_UTIL_CLAMP_MIN", 0x20 },
    { "SCHED_FLAG_UTIL_CLAMP_MAX", 0x40 }, { NULL, 0 },
  };
  const char *b = "process.scheduler";
  struct husk_sched *out = &ctx->plan->sched;
  int64_t nice = 0, prio = 0, rt = 0, dl = 0, per = 0;
  bool has_nice, has_prio, has_rt, has_dl, has_per, realtime;
  json_t *s;

  if (oci_get (proc, "process", "scheduler", JSON_OBJECT, &s, err) < 0)
    return -1;
  if (s == NULL)
    return 0;
  oci_warn_unknown (ctx, s, b, known);
  if (attrs_sched_policy (s, out, err) < 0
      || oci_get_int (s, b, "nice", -20, 19, &nice, &has_nice, err) < 0
      || oci_get_int (s, b, "priority", 0, 99, &prio, &has_prio, err) < 0
      || attrs_flags (s, b, "flags", flags, "flag", &out->flags, err) < 0
      || oci_get_int (s, b, "runtime", 0, INT64_MAX, &rt, &has_rt, err) < 0
      || oci_get_int (s, b, "deadline", 0, INT64_MAX, &dl, &has_dl, err) < 0
      || oci_get_int (s, b, "period", 0, INT64_MAX, &per, &has_per, err) < 0)
    return -1;
  realtime = out->policy == 1 || out->policy == 2;
  if (realtime && prio == 0)
    return husk_err_set (err, 0,
                         "process.scheduler.priority: SCHED_FIFO and SCHED_RR need a "
                         "priority of 1..99");
  if (!realtime && prio != 0)
    return husk_err_set (err, 0,
                         "process.scheduler.priority: must be 0 unless the policy is "
                         "SCHED_FIFO or SCHED_RR");
  if (out->policy != 6 && (rt != 0 || dl != 0 || per != 0))
    return husk_err_set (err, 0, "process.scheduler.%s: only for SCHED_DEADLINE",
                         rt != 0   ? "runtime"
                         : dl != 0 ? "deadline"
                                   : "period");
  if (out->policy == 6 && (rt == 0 || dl == 0))
    return husk_err_set (err, 0, "process.scheduler.%s: SCHED_DEADLINE needs it above 0",
                         rt == 0 ? "runtime" : "deadline");
  out->set = true;
  out->nice = (int32_t) nice;
  out->priority = (uint32_t) prio;
  out->runtime = (uint64_t) rt;
  out->deadline = (uint64_t) dl;
  out->period = (uint64_t) per;
  out->origin = attrs_origin (b);
  return 0;
}

/* ---- process.ioPriority ------------------------------------------------- */

int
oci_load_io_priority (struct oci_ctx *ctx, json_t *proc, struct husk_err *err)
{
  static const char *const known[] = { "class", "priority", NULL };
  static const struct attrs_name classes[] = {
    { "IOPRIO_CLASS_RT", 1 },
    { "IOPRIO_CLASS_BE", 2 },
    { "IOPRIO_CLASS_IDLE", 3 },
    { NULL, 0 },
  };
  const char *b = "process.ioPriority";
  struct husk_ioprio *out = &ctx->plan->ioprio;
  const char *klass;
  int64_t level = 0;
  bool has_level;
  json_t *io;

  if (oci_get (proc, "process", "ioPriority", JSON_OBJECT, &io, err) < 0)
    return -1;
  if (io == NULL)
    return 0;
  oci_warn_unknown (ctx, io, b, known);
  if (oci_get_string (io, b, "class", &klass, err) < 0
      || oci_get_int (io, b, "priority", 0, 7, &level, &has_level, err) < 0)
    return -1;
  if (klass == NULL)
    return husk_err_set (err, 0, "process.ioPriority.class: required");
  out->klass = attrs_lookup (classes, klass);
  if (out->klass < 0)
    return attrs_unknown ("process.ioPriority.class", "class", klass, err);
  if (!has_level)
    return husk_err_set (err, 0, "process.ioPriority.priority: required");
  out->set = true;
  out->level = (int) level;
  out->origin = attrs_origin (b);
  return 0;
}

/* ---- process.execCPUAffinity -------------------------------------------- */

static int
attrs_list (json_t *obj, const char *base, const char *key, const char *what,
            struct husk_bitmap *out, struct husk_err *err)
{
  cleanup_free char *path = oci_path_key (base, key);
  const char *s;

  if (oci_get_string (obj, base, key, &s, err) < 0)
    return -1;
  if (s == NULL || s[0] == '\0')
    return 0; /* the runtime-spec: omitted or empty means the default */
  if (parse_bit_list (s, out->bits, HUSK_BITMAP_BITS) < 0)
    {
      cleanup_free char *q = oci_quote (s);
      return husk_err_set (err, 0,
                           "%s: invalid %s list %s (numbers below %d and ranges "
                           "such as \"0-3,7\")",
                           path, what, q, HUSK_BITMAP_BITS);
    }
  out->set = true;
  out->origin = attrs_origin (path);
  return 0;
}

int
oci_load_cpu_affinity (struct oci_ctx *ctx, json_t *proc, struct husk_err *err)
{
  static const char *const known[] = { "initial", "final", NULL };
  const char *b = "process.execCPUAffinity";
  json_t *a;

  if (oci_get (proc, "process", "execCPUAffinity", JSON_OBJECT, &a, err) < 0)
    return -1;
  if (a == NULL)
    return 0;
  oci_warn_unknown (ctx, a, b, known);
  if (attrs_list (a, b, "initial", "CPU", &ctx->plan->cpus_initial, err) < 0)
    return -1;
  return attrs_list (a, b, "final", "CPU", &ctx->plan->cpus_final, err);
}

/* ---- process.apparmorProfile, linux.intelRdt ---------------------------- */

int
oci_load_apparmor (struct oci_ctx *ctx, json_t *proc, struct husk_err *err)
{
  const char *profile;

  if (oci_get_string (proc, "process", "apparmorProfile", &profile, err) < 0)
    return -1;
  if (profile == NULL || profile[0] == '\0')
    return 0;
  ctx->plan->apparmor_profile = xstrdup (profile);
  ctx->plan->apparmor_origin = attrs_origin ("process.apparmorProfile");
  return 0;
}

int
oci_load_intel_rdt (struct oci_ctx *ctx, json_t *lx, struct husk_err *err)
{
  static const char *const known[] = {
    "closID",           "l3CacheSchema", "memBwSchema", "schemata",
    "enableMonitoring", "enableCMT",     "enableMBM",   NULL,
  };
  json_t *rdt;

  if (oci_get (lx, "linux", "intelRdt", JSON_OBJECT, &rdt, err) < 0)
    return -1;
  if (rdt == NULL || json_object_size (rdt) == 0)
    return 0;
  oci_warn_unknown (ctx, rdt, "linux.intelRdt", known);
  /* Whether resctrl is there is the executor's question (it refuses
   * either way: see husk-oci(5)). */
  ctx->plan->intel_rdt = true;
  ctx->plan->intel_rdt_origin = attrs_origin ("linux.intelRdt");
  return 0;
}

/* ---- linux.memoryPolicy ------------------------------------------------- */

enum
{
  ATTRS_MPOL_DEFAULT,
  ATTRS_MPOL_PREFERRED,
  ATTRS_MPOL_BIND,
  ATTRS_MPOL_INTERLEAVE,
  ATTRS_MPOL_LOCAL,
  ATTRS_MPOL_PREFERRED_MANY,
  ATTRS_MPOL_WEIGHTED_INTERLEAVE,
};

int
oci_load_memory_policy (struct oci_ctx *ctx, json_t *lx, struct husk_err *err)
{
  static const char *const known[] = { "mode", "nodes", "flags", NULL };
  static const struct attrs_name modes[] = {
    { "MPOL_DEFAULT", ATTRS_MPOL_DEFAULT },
    { "MPOL_PREFERRED", ATTRS_MPOL_PREFERRED },
    { "MPOL_BIND", ATTRS_MPOL_BIND },
    { "MPOL_INTERLEAVE", ATTRS_MPOL_INTERLEAVE },
    { "MPOL_LOCAL", ATTRS_MPOL_LOCAL },
    { "MPOL_PREFERRED_MANY", ATTRS_MPOL_PREFERRED_MANY },
    { "MPOL_WEIGHTED_INTERLEAVE", ATTRS_MPOL_WEIGHTED_INTERLEAVE },
    { NULL, 0 },
  };
  /* linux/mempolicy.h */
  static const struct attrs_name flags[] = {
    { "MPOL_F_NUMA_BALANCING", 1 << 13 },
    { "MPOL_F_RELATIVE_NODES", 1 << 14 },
    { "MPOL_F_STATIC_NODES", 1 << 15 },
    { NULL, 0 },
  };
  const char *b = "linux.memoryPolicy";
  struct husk_mempolicy *out = &ctx->plan->mempolicy;
  const char *mode;
  uint64_t f;
  json_t *mp;
  bool empty_mode;

  if (oci_get (lx, "linux", "memoryPolicy", JSON_OBJECT, &mp, err) < 0)
    return -1;
  if (mp == NULL)
    return 0;
  oci_warn_unknown (ctx, mp, b, known);
  if (oci_get_string (mp, b, "mode", &mode, err) < 0
      || attrs_flags (mp, b, "flags", flags, "flag", &f, err) < 0
      || attrs_list (mp, b, "nodes", "node", &out->nodes, err) < 0)
    return -1;
  if (mode == NULL)
    return husk_err_set (err, 0, "linux.memoryPolicy.mode: required");
  out->mode = attrs_lookup (modes, mode);
  if (out->mode < 0)
    return attrs_unknown ("linux.memoryPolicy.mode", "mode", mode, err);
  empty_mode = out->mode == ATTRS_MPOL_DEFAULT || out->mode == ATTRS_MPOL_LOCAL;
  if (empty_mode && out->nodes.set)
    return husk_err_set (err, 0, "linux.memoryPolicy.nodes: must be empty for %s", mode);
  if (empty_mode && f != 0)
    return husk_err_set (err, 0, "linux.memoryPolicy.flags: must be empty for %s", mode);
  if (!empty_mode && out->mode != ATTRS_MPOL_PREFERRED && !out->nodes.set)
    return husk_err_set (err, 0, "linux.memoryPolicy.nodes: required for %s", mode);
  if ((f & (1 << 14)) && (f & (1 << 15)))
    return husk_err_set (err, 0,
                         "linux.memoryPolicy.flags: MPOL_F_RELATIVE_NODES and "
                         "MPOL_F_STATIC_NODES exclude each other");
  out->flags = (unsigned) f;
  out->set = true;
  out->origin = attrs_origin (b);
  return 0;
}

/* ---- linux.netDevices --------------------------------------------------- */

/* What the kernel accepts as an interface name (dev_valid_name). */
static bool
attrs_ifname_ok (const char *s)
{
  size_t n = strlen (s);

  if (n == 0 || n >= 16 || strcmp (s, ".") == 0 || strcmp (s, "..") == 0)
    return false;
  for (const char *p = s; *p != '\0'; p++)
    if (*p == '/' || *p == ':' || *p == ' ' || (unsigned char) *p < 0x20 || *p == 0x7f)
      return false;
  return true;
}

static int
attrs_netdev (struct oci_ctx *ctx, json_t *obj, const char *key, struct husk_err *err)
{
  static const char *const known[] = { "name", NULL };
  cleanup_free char *path = oci_path_key ("linux.netDevices", key);
  struct husk_plan *plan = ctx->plan;
  struct husk_netdev *d;
  const char *name = NULL;
  json_t *v;

  if (oci_get (obj, "linux.netDevices", key, JSON_OBJECT, &v, err) < 0)
    return -1;
  if (!attrs_ifname_ok (key))
    return husk_err_set (err, 0, "%s: invalid interface name", path);
  if (v != NULL)
    {
      oci_warn_unknown (ctx, v, path, known);
      if (oci_get_string (v, path, "name", &name, err) < 0)
        return -1;
    }
  if (name == NULL || name[0] == '\0')
    name = key;
  else if (!attrs_ifname_ok (name))
    return husk_err_set (err, 0, "%s.name: invalid interface name", path);
  for (size_t i = 0; i < plan->n_netdevs; i++)
    if (strcmp (plan->netdevs[i].new_name, name) == 0)
      return husk_err_set (err, 0, "%s: two devices would be named \"%s\" in the container", path,
                           name);
  plan->netdevs
    = xgrow (plan->netdevs, &plan->cap_netdevs, plan->n_netdevs + 1, sizeof *plan->netdevs);
  d = &plan->netdevs[plan->n_netdevs++];
  d->name = xstrdup (key);
  d->new_name = xstrdup (name);
  d->origin = attrs_origin (path);
  return 0;
}

int
oci_load_net_devices (struct oci_ctx *ctx, json_t *lx, struct husk_err *err)
{
  const char *key;
  json_t *obj, *v;

  if (oci_get (lx, "linux", "netDevices", JSON_OBJECT, &obj, err) < 0)
    return -1;
  if (obj == NULL || json_object_size (obj) == 0)
    return 0;
  if (!(ctx->plan->unshare & HUSK_NS_NET))
    return husk_err_set (err, 0,
                         "linux.netDevices: requires a new network namespace "
                         "(linux.namespaces type \"network\" without a path)");
  json_object_foreach (obj, key, v)
  {
    if (attrs_netdev (ctx, obj, key, err) < 0)
      return -1;
  }
  return 0;
}
