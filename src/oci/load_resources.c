/* load_resources.c: config.json -> plan for linux.resources and
 * linux.cgroupsPath (issue 5).  Each resource becomes writes to files of the
 * container's cgroup v2 (plan->cgroup_writes), converted from the
 * runtime-spec's cgroup v1 values the way crun does (crun(1), "CGROUP v2"):
 *
 *   memory.limit -> memory.max          memory.reservation -> memory.low
 *   memory.swap -> memory.swap.max = swap - limit (v1 counts memory + swap)
 *   cpu.shares -> cpu.weight = 1 + (shares - 2) * 9999 / 262142
 *   cpu.quota, cpu.period -> cpu.max    cpu.burst -> cpu.max.burst
 *   cpu.cpus, cpu.mems -> cpuset.cpus, cpuset.mems   cpu.idle -> cpu.idle
 *   pids.limit -> pids.max              rdma -> rdma.max
 *   blockIO.weight, weightDevice -> io.bfq.weight, else io.weight
 *     (1 + (w - 10) * 9999 / 990)
 *   blockIO.throttle* -> io.max (rbps, wbps, riops, wiops)
 *   hugepageLimits -> hugetlb.SIZE.max (and hugetlb.SIZE.rsvd.max where
 *     the kernel has reservation accounting)
 *   unified -> the file named by the key, the value as is
 *   devices -> plan->device_rules, in order, with the default devices'
 *     (the executor compiles them to an eBPF program: src/exec/devcg.c)
 *
 * What cgroup v2 cannot express is an error naming the JSON path
 * (swappiness, disableOOMKiller, realtime CPU, network classes);
 * deprecated knobs without effect are warnings (kernel, kernelTCP,
 * leafWeight).  Which controllers exist is the executor's business
 * (src/exec/cgroup.c).
 *
 * Must not: make syscalls; look at the host's cgroups.
 */
#include "oci/oci_int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"

#define RES "linux.resources"

static struct husk_cgroup_write *res_write (struct oci_ctx *ctx, const char *where,
                                            const char *file, const char *fmt, ...)
  __attribute__ ((format (printf, 4, 5)));

static struct husk_cgroup_write *
res_write (struct oci_ctx *ctx, const char *where, const char *file, const char *fmt, ...)
{
  struct husk_origin o = { xstrdup (where), -1 };
  cleanup_free char *value = NULL;
  struct husk_cgroup_write *w;
  va_list ap;

  va_start (ap, fmt);
  if (vasprintf (&value, fmt, ap) < 0)
    husk_die ("out of memory");
  va_end (ap);
  w = plan_add_cgroup_write (ctx->plan, file, value, &o);
  origin_free (&o);
  return w;
}

/* A write with a fallback file, and its value, for when `file` is missing. */
static void res_alt (struct husk_cgroup_write *w, const char *file, const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));

static void
res_alt (struct husk_cgroup_write *w, const char *file, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  if (vasprintf (&w->alt_value, fmt, ap) < 0)
    husk_die ("out of memory");
  va_end (ap);
  w->alt_file = xstrdup (file);
}

/* An int64 member that is -1 (unlimited) or at least `min`. */
static int
res_get_limit (json_t *obj, const char *base, const char *key, int64_t min, int64_t *out,
               bool *present, struct husk_err *err)
{
  if (oci_get_int (obj, base, key, -1, INT64_MAX, out, present, err) < 0)
    return -1;
  if (*present && *out != -1 && *out < min)
    return husk_err_set (err, 0, "%s.%s: must be -1 (unlimited) or at least %" PRId64, base, key,
                         min);
  return 0;
}

/* ---- memory ------------------------------------------------------------- */

static int
res_memory_swap (struct oci_ctx *ctx, json_t *mem, int64_t limit, bool has_limit,
                 struct husk_err *err)
{
  const char *base = RES ".memory";
  int64_t swap = 0;
  bool has_swap;

  if (res_get_limit (mem, base, "swap", 0, &swap, &has_swap, err) < 0)
    return -1;
  if (!has_swap)
    return 0;
  if (swap == -1)
    {
      res_write (ctx, RES ".memory.swap", "memory.swap.max", "max");
      return 0;
    }
  /* v1's swap limit counts memory and swap together; v2's only swap. */
  if (!has_limit || limit == -1)
    return husk_err_set (err, 0,
                         "%s.swap: needs a memory.limit (cgroup v2 limits swap alone: swap - "
                         "limit)",
                         base);
  if (swap < limit)
    return husk_err_set (err, 0, "%s.swap: %" PRId64 " is below memory.limit (%" PRId64 ")", base,
                         swap, limit);
  res_write (ctx, RES ".memory.swap", "memory.swap.max", "%" PRId64, swap - limit);
  return 0;
}

static int
res_memory (struct oci_ctx *ctx, json_t *res, struct husk_err *err)
{
  static const char *const known[] = {
    "limit",
    "reservation",
    "swap",
    "kernel",
    "kernelTCP",
    "swappiness",
    "disableOOMKiller",
    "useHierarchy",
    "checkBeforeUpdate",
    NULL,
  };
  const char *base = RES ".memory";
  int64_t limit = 0, resv = 0, kmem = 0, swappiness = 0;
  bool has_limit, has_resv, has_kmem, has_swappiness, oom_off = false, hier = true, check;
  json_t *mem;

  if (oci_get (res, RES, "memory", JSON_OBJECT, &mem, err) < 0)
    return -1;
  if (mem == NULL)
    return 0;
  oci_warn_unknown (ctx, mem, base, known);
  if (res_get_limit (mem, base, "limit", 1, &limit, &has_limit, err) < 0
      || res_get_limit (mem, base, "reservation", 0, &resv, &has_resv, err) < 0
      || oci_get_int (mem, base, "swappiness", 0, 100, &swappiness, &has_swappiness, err) < 0
      || oci_get_bool (mem, base, "disableOOMKiller", &oom_off, err) < 0)
    return -1;
  hier = !json_is_false (json_object_get (mem, "useHierarchy"));
  if (oci_get_bool (mem, base, "useHierarchy", &check, err) < 0
      || oci_get_bool (mem, base, "checkBeforeUpdate", &check, err) < 0)
    return -1;
  if (has_swappiness)
    return husk_err_set (err, 0, "%s.swappiness: cgroup v2 has no per-cgroup swappiness", base);
  if (oom_off)
    return husk_err_set (err, 0, "%s.disableOOMKiller: cgroup v2 cannot disable the OOM killer",
                         base);
  for (const char *const *k = (const char *const[]){ "kernel", "kernelTCP", NULL }; *k; k++)
    {
      if (res_get_limit (mem, base, *k, 0, &kmem, &has_kmem, err) < 0)
        return -1;
      if (has_kmem)
        oci_warn (ctx, "%s.%s: no separate kernel memory limit in cgroup v2, ignored", base, *k);
    }
  if (!hier)
    oci_warn (ctx, "%s.useHierarchy: cgroup v2 accounting is always hierarchical", base);
  /* checkBeforeUpdate concerns updates: husk only ever sets up a new
   * cgroup, whose usage is 0. */
  if (has_limit)
    res_write (ctx, RES ".memory.limit", "memory.max", limit == -1 ? "max" : "%" PRId64, limit);
  if (has_resv)
    res_write (ctx, RES ".memory.reservation", "memory.low", resv == -1 ? "max" : "%" PRId64, resv);
  return res_memory_swap (ctx, mem, limit, has_limit, err);
}

/* ---- cpu ---------------------------------------------------------------- */

/* cpuset lists: "0-3,8". */
static int
res_cpuset (struct oci_ctx *ctx, json_t *cpu, const char *key, const char *file,
            struct husk_err *err)
{
  cleanup_free char *where = oci_path_key (RES ".cpu", key);
  const char *s;

  if (oci_get_string (cpu, RES ".cpu", key, &s, err) < 0)
    return -1;
  if (s == NULL || s[0] == '\0')
    return 0;
  if (s[strspn (s, "0123456789,-")] != '\0')
    {
      cleanup_free char *q = oci_quote (s);
      return husk_err_set (err, 0, "%s: %s is not a list such as \"0-3,8\"", where, q);
    }
  res_write (ctx, where, file, "%s", s);
  return 0;
}

static int
res_cpu_max (struct oci_ctx *ctx, json_t *cpu, struct husk_err *err)
{
  const char *base = RES ".cpu";
  int64_t quota = -1, period = 100000, burst = 0;
  bool has_quota, has_period, has_burst;

  /* The kernel's bounds for cpu.max (as --cpu-max checks them). */
  if (res_get_limit (cpu, base, "quota", 1000, &quota, &has_quota, err) < 0
      || oci_get_int (cpu, base, "period", 1000, 1000000, &period, &has_period, err) < 0
      || oci_get_int (cpu, base, "burst", 0, INT64_MAX, &burst, &has_burst, err) < 0)
    return -1;
  if (!has_quota)
    quota = -1;
  if (!has_period)
    period = 100000; /* the kernel's default */
  if (has_burst && quota > 0 && burst > quota)
    return husk_err_set (err, 0, "%s.burst: %" PRId64 " is above the quota (%" PRId64 ")", base,
                         burst, quota);
  if (has_quota || has_period)
    {
      const char *where = has_quota ? RES ".cpu.quota" : RES ".cpu.period";

      if (quota == -1)
        res_write (ctx, where, "cpu.max", "max %" PRId64, period);
      else
        res_write (ctx, where, "cpu.max", "%" PRId64 " %" PRId64, quota, period);
    }
  if (has_burst)
    res_write (ctx, RES ".cpu.burst", "cpu.max.burst", "%" PRId64, burst);
  return 0;
}

static int
res_cpu (struct oci_ctx *ctx, json_t *res, struct husk_err *err)
{
  static const char *const known[] = {
    "shares",         "quota", "burst", "period", "realtimeRuntime",
    "realtimePeriod", "cpus",  "mems",  "idle",   NULL,
  };
  const char *base = RES ".cpu";
  int64_t shares = 0, rt = 0, idle = 0;
  bool has_shares, has_rt, has_idle;
  json_t *cpu;

  if (oci_get (res, RES, "cpu", JSON_OBJECT, &cpu, err) < 0)
    return -1;
  if (cpu == NULL)
    return 0;
  oci_warn_unknown (ctx, cpu, base, known);
  for (const char *const *k = (const char *const[]){ "realtimeRuntime", "realtimePeriod", NULL };
       *k; k++)
    {
      if (oci_get_int (cpu, base, *k, INT64_MIN, INT64_MAX, &rt, &has_rt, err) < 0)
        return -1;
      if (has_rt && rt != 0)
        return husk_err_set (err, 0, "%s.%s: cgroup v2 has no realtime CPU limits", base, *k);
    }
  if (oci_get_int (cpu, base, "shares", 0, 262144, &shares, &has_shares, err) < 0
      || oci_get_int (cpu, base, "idle", 0, 1, &idle, &has_idle, err) < 0)
    return -1;
  if (has_shares && shares == 1)
    return husk_err_set (err, 0, "%s.shares: 1 is out of range (2..262144, or 0 for unset)", base);
  /* 0 is "unset", as in crun; [2, 262144] maps linearly onto [1, 10000]. */
  if (has_shares && shares != 0)
    res_write (ctx, RES ".cpu.shares", "cpu.weight", "%" PRId64,
               1 + ((shares - 2) * 9999) / 262142);
  if (has_idle)
    res_write (ctx, RES ".cpu.idle", "cpu.idle", "%" PRId64, idle);
  if (res_cpu_max (ctx, cpu, err) < 0 || res_cpuset (ctx, cpu, "cpus", "cpuset.cpus", err) < 0
      || res_cpuset (ctx, cpu, "mems", "cpuset.mems", err) < 0)
    return -1;
  return 0;
}

/* ---- pids --------------------------------------------------------------- */

static int
res_pids (struct oci_ctx *ctx, json_t *res, struct husk_err *err)
{
  static const char *const known[] = { "limit", NULL };
  const char *base = RES ".pids";
  int64_t limit = 0;
  bool has_limit;
  json_t *pids;

  if (oci_get (res, RES, "pids", JSON_OBJECT, &pids, err) < 0)
    return -1;
  if (pids == NULL)
    return 0;
  oci_warn_unknown (ctx, pids, base, known);
  if (oci_get_int (pids, base, "limit", -1, INT64_MAX, &limit, &has_limit, err) < 0)
    return -1;
  /* -1 and 0 both mean "no limit". */
  if (has_limit)
    res_write (ctx, RES ".pids.limit", "pids.max", limit <= 0 ? "max" : "%" PRId64, limit);
  return 0;
}

/* ---- blockIO ------------------------------------------------------------ */

/* io.bfq.weight takes the v1 range [10, 1000] as is; io.weight's
 * [1, 10000] is a linear conversion. */
static void
res_weight (struct oci_ctx *ctx, const char *where, const char *dev, int64_t w)
{
  struct husk_cgroup_write *cw
    = res_write (ctx, where, "io.bfq.weight", "%s %" PRId64, dev ? dev : "default", w);

  res_alt (cw, "io.weight", "%s %" PRId64, dev ? dev : "default", 1 + (w - 10) * 9999 / 990);
}

static int
res_device (struct oci_ctx *ctx, json_t *arr, const char *base, size_t i, const char *const *known,
            json_t **obj, char dev[64], struct husk_err *err)
{
  cleanup_free char *p = oci_path_index (base, i);
  int64_t major = 0, minor = 0;
  bool h1, h2;

  *obj = json_array_get (arr, i);
  if (oci_expect (*obj, JSON_OBJECT, p, err) < 0)
    return -1;
  oci_warn_unknown (ctx, *obj, p, known);
  if (oci_get_int (*obj, p, "major", 0, UINT32_MAX, &major, &h1, err) < 0
      || oci_get_int (*obj, p, "minor", 0, UINT32_MAX, &minor, &h2, err) < 0)
    return -1;
  if (!h1 || !h2)
    return husk_err_set (err, 0, "%s.%s: required", p, h1 ? "minor" : "major");
  snprintf (dev, 64, "%" PRId64 ":%" PRId64, major, minor);
  return 0;
}

static int
res_weight_devices (struct oci_ctx *ctx, json_t *bio, struct husk_err *err)
{
  static const char *const known[] = { "major", "minor", "weight", "leafWeight", NULL };
  const char *base = RES ".blockIO.weightDevice";
  json_t *arr, *d;

  if (oci_get (bio, RES ".blockIO", "weightDevice", JSON_ARRAY, &arr, err) < 0)
    return -1;
  for (size_t i = 0; arr != NULL && i < json_array_size (arr); i++)
    {
      cleanup_free char *p = oci_path_index (base, i);
      int64_t w = 0, lw = 0;
      bool has_w, has_lw;
      char dev[64];

      if (res_device (ctx, arr, base, i, known, &d, dev, err) < 0
          || oci_get_int (d, p, "weight", 10, 1000, &w, &has_w, err) < 0
          || oci_get_int (d, p, "leafWeight", 10, 1000, &lw, &has_lw, err) < 0)
        return -1;
      if (!has_w && !has_lw)
        return husk_err_set (err, 0, "%s: needs a weight or a leafWeight", p);
      if (has_lw)
        oci_warn (ctx, "%s.leafWeight: cgroup v2 has no leaf weight, ignored", p);
      if (has_w)
        res_weight (ctx, p, dev, w);
    }
  return 0;
}

static int
res_throttle (struct oci_ctx *ctx, json_t *bio, const char *key, const char *what,
              struct husk_err *err)
{
  static const char *const known[] = { "major", "minor", "rate", NULL };
  cleanup_free char *base = oci_path_key (RES ".blockIO", key);
  json_t *arr, *d;

  if (oci_get (bio, RES ".blockIO", key, JSON_ARRAY, &arr, err) < 0)
    return -1;
  for (size_t i = 0; arr != NULL && i < json_array_size (arr); i++)
    {
      cleanup_free char *p = oci_path_index (base, i);
      int64_t rate = 0;
      bool has_rate;
      char dev[64];

      if (res_device (ctx, arr, base, i, known, &d, dev, err) < 0
          || oci_get_int (d, p, "rate", 0, INT64_MAX, &rate, &has_rate, err) < 0)
        return -1;
      if (!has_rate)
        return husk_err_set (err, 0, "%s.rate: required", p);
      /* 0 removes the limit in cgroup v1: "max" in io.max. */
      if (rate == 0)
        res_write (ctx, p, "io.max", "%s %s=max", dev, what);
      else
        res_write (ctx, p, "io.max", "%s %s=%" PRId64, dev, what, rate);
    }
  return 0;
}

static int
res_block_io (struct oci_ctx *ctx, json_t *res, struct husk_err *err)
{
  static const char *const known[] = {
    "weight",
    "leafWeight",
    "weightDevice",
    "throttleReadBpsDevice",
    "throttleWriteBpsDevice",
    "throttleReadIOPSDevice",
    "throttleWriteIOPSDevice",
    NULL,
  };
  const char *base = RES ".blockIO";
  int64_t w = 0, lw = 0;
  bool has_w, has_lw;
  json_t *bio;

  if (oci_get (res, RES, "blockIO", JSON_OBJECT, &bio, err) < 0)
    return -1;
  if (bio == NULL)
    return 0;
  oci_warn_unknown (ctx, bio, base, known);
  if (oci_get_int (bio, base, "weight", 10, 1000, &w, &has_w, err) < 0
      || oci_get_int (bio, base, "leafWeight", 10, 1000, &lw, &has_lw, err) < 0)
    return -1;
  if (has_lw)
    oci_warn (ctx, "%s.leafWeight: cgroup v2 has no leaf weight, ignored", base);
  if (has_w)
    res_weight (ctx, RES ".blockIO.weight", NULL, w);
  if (res_weight_devices (ctx, bio, err) < 0
      || res_throttle (ctx, bio, "throttleReadBpsDevice", "rbps", err) < 0
      || res_throttle (ctx, bio, "throttleWriteBpsDevice", "wbps", err) < 0
      || res_throttle (ctx, bio, "throttleReadIOPSDevice", "riops", err) < 0
      || res_throttle (ctx, bio, "throttleWriteIOPSDevice", "wiops", err) < 0)
    return -1;
  return 0;
}

/* ---- hugepageLimits, rdma, network, unified ----------------------------- */

/* "<digits><K|M|G|T|P>B", as the kernel names its hugetlb files. */
static bool
res_page_size_ok (const char *s)
{
  size_t n = strspn (s, "0123456789");

  return n > 0 && s[0] != '0' && strchr ("KMGTP", s[n]) != NULL && s[n] != '\0'
         && strcmp (s + n + 1, "B") == 0;
}

static int
res_hugepages (struct oci_ctx *ctx, json_t *res, struct husk_err *err)
{
  static const char *const known[] = { "pageSize", "limit", NULL };
  const char *base = RES ".hugepageLimits";
  json_t *arr;

  if (oci_get (res, RES, "hugepageLimits", JSON_ARRAY, &arr, err) < 0)
    return -1;
  for (size_t i = 0; arr != NULL && i < json_array_size (arr); i++)
    {
      cleanup_free char *p = oci_path_index (base, i);
      cleanup_free char *file = NULL;
      json_t *h = json_array_get (arr, i);
      const char *size;
      uint64_t limit = 0;
      bool has_limit;

      if (oci_expect (h, JSON_OBJECT, p, err) < 0)
        return -1;
      oci_warn_unknown (ctx, h, p, known);
      if (oci_get_string (h, p, "pageSize", &size, err) < 0
          || oci_get_uint (h, p, "limit", UINT64_MAX, &limit, &has_limit, err) < 0)
        return -1;
      if (size == NULL || !has_limit)
        return husk_err_set (err, 0, "%s.%s: required", p, size == NULL ? "pageSize" : "limit");
      if (!res_page_size_ok (size))
        {
          cleanup_free char *q = oci_quote (size);
          return husk_err_set (err, 0, "%s.pageSize: %s is not a size such as \"2MB\" or \"1GB\"",
                               p, q);
        }
      /* The limit is a uint64 in the spec; above INT64_MAX no page count
       * can reach it: "max". */
      file = xasprintf ("hugetlb.%s.max", size);
      if (limit > INT64_MAX)
        res_write (ctx, p, file, "max");
      else
        res_write (ctx, p, file, "%" PRIu64, limit);
      free (file);
      file = xasprintf ("hugetlb.%s.rsvd.max", size);
      if (limit > INT64_MAX)
        res_write (ctx, p, file, "max")->optional = true;
      else
        res_write (ctx, p, file, "%" PRIu64, limit)->optional = true;
    }
  return 0;
}

static int
res_rdma (struct oci_ctx *ctx, json_t *res, struct husk_err *err)
{
  static const char *const known[] = { "hcaHandles", "hcaObjects", NULL };
  const char *dev;
  json_t *rdma, *v;

  if (oci_get (res, RES, "rdma", JSON_OBJECT, &rdma, err) < 0)
    return -1;
  if (rdma == NULL)
    return 0;
  json_object_foreach (rdma, dev, v)
  {
    cleanup_free char *p = oci_path_key (RES ".rdma", dev);
    int64_t handles = 0, objects = 0;
    bool has_h, has_o;

    if (dev[0] == '\0' || strpbrk (dev, " \t\n/") != NULL)
      return husk_err_set (err, 0, "%s: not a device name", p);
    if (oci_expect (v, JSON_OBJECT, p, err) < 0)
      return -1;
    oci_warn_unknown (ctx, v, p, known);
    if (oci_get_int (v, p, "hcaHandles", 0, UINT32_MAX, &handles, &has_h, err) < 0
        || oci_get_int (v, p, "hcaObjects", 0, UINT32_MAX, &objects, &has_o, err) < 0)
      return -1;
    if (!has_h && !has_o)
      return husk_err_set (err, 0, "%s: needs hcaHandles or hcaObjects", p);
    if (has_h && has_o)
      res_write (ctx, p, "rdma.max", "%s hca_handle=%" PRId64 " hca_object=%" PRId64, dev, handles,
                 objects);
    else
      res_write (ctx, p, "rdma.max", "%s %s=%" PRId64, dev, has_h ? "hca_handle" : "hca_object",
                 has_h ? handles : objects);
  }
  return 0;
}

/* unified: each key is a file of the container's cgroup, written as is
 * (plan_check refuses names with '/' and files husk manages). */
static int
res_unified (struct oci_ctx *ctx, json_t *res, struct husk_err *err)
{
  const char *file;
  json_t *uni, *v;

  if (oci_get (res, RES, "unified", JSON_OBJECT, &uni, err) < 0)
    return -1;
  if (uni == NULL)
    return 0;
  json_object_foreach (uni, file, v)
  {
    cleanup_free char *p = oci_path_key (RES ".unified", file);
    const char *value;

    if (oci_get_string (uni, RES ".unified", file, &value, err) < 0)
      return -1;
    if (value == NULL)
      return husk_err_set (err, 0, "%s: expected a string, got null", p);
    res_write (ctx, p, file, "%s", value);
  }
  return 0;
}

/* ---- devices ------------------------------------------------------------ */

/* The device cgroup (an eBPF program on cgroup v2, compiled by the
 * executor): the rules in order; for each access asked for, the last rule
 * matching the device and the access decides, and nothing matching denies
 * (as runc and crun on cgroup v2).
 *
 * The runtime-spec's default devices must work in every container, and
 * runc spec's config starts with a rule denying every device: so, as runc
 * does, husk adds allow rules for them (null, zero, full, random, urandom,
 * tty, console, ptmx and the terminals of /dev/pts), and for mknod of any
 * device (creating a node is harmless when opening it is denied; husk's
 * own device nodes are made inside the cgroup).  Unlike runc, which puts
 * them last, they go right after the last rule covering every character
 * device (type a or c, no major, no minor), or first: a later rule can
 * still deny one of them. */
static const struct
{
  char type;
  int64_t major, minor;
  unsigned access;
} res_default_devices[] = {
  { 'c', HUSK_DEV_ANY, HUSK_DEV_ANY, HUSK_DEV_MKNOD },
  { 'b', HUSK_DEV_ANY, HUSK_DEV_ANY, HUSK_DEV_MKNOD },
  { 'c', 1, 3, HUSK_DEV_ALL },              /* null */
  { 'c', 1, 5, HUSK_DEV_ALL },              /* zero */
  { 'c', 1, 7, HUSK_DEV_ALL },              /* full */
  { 'c', 1, 8, HUSK_DEV_ALL },              /* random */
  { 'c', 1, 9, HUSK_DEV_ALL },              /* urandom */
  { 'c', 5, 0, HUSK_DEV_ALL },              /* tty */
  { 'c', 5, 1, HUSK_DEV_ALL },              /* console */
  { 'c', 5, 2, HUSK_DEV_ALL },              /* ptmx */
  { 'c', 136, HUSK_DEV_ANY, HUSK_DEV_ALL }, /* /dev/pts/N */
};

static void
res_add_default_devices (struct husk_plan *plan)
{
  struct husk_origin o = { (char *) "default devices", -1 };

  for (size_t i = 0; i < sizeof res_default_devices / sizeof res_default_devices[0]; i++)
    plan_add_device_rule (plan, true, res_default_devices[i].type, res_default_devices[i].major,
                          res_default_devices[i].minor, res_default_devices[i].access, &o);
}

static int
res_device_rule (struct oci_ctx *ctx, json_t *rule, const char *p, struct husk_device_rule *r,
                 struct husk_err *err)
{
  static const char *const known[] = { "allow", "type", "major", "minor", "access", NULL };
  const char *type, *access;
  bool h1, h2;

  if (oci_expect (rule, JSON_OBJECT, p, err) < 0)
    return -1;
  oci_warn_unknown (ctx, rule, p, known);
  r->major = r->minor = HUSK_DEV_ANY;
  if (oci_get_string (rule, p, "type", &type, err) < 0
      || oci_get_string (rule, p, "access", &access, err) < 0
      || oci_get_int (rule, p, "major", -1, UINT32_MAX, &r->major, &h1, err) < 0
      || oci_get_int (rule, p, "minor", -1, UINT32_MAX, &r->minor, &h2, err) < 0)
    return -1;
  if (!json_is_boolean (json_object_get (rule, "allow")))
    return husk_err_set (err, 0, "%s.allow: required (true or false)", p);
  r->allow = json_is_true (json_object_get (rule, "allow"));
  if (type != NULL && strcmp (type, "a") != 0 && strcmp (type, "b") != 0 && strcmp (type, "c") != 0)
    {
      cleanup_free char *q = oci_quote (type);
      return husk_err_set (err, 0, "%s.type: %s is not \"a\", \"b\" or \"c\"", p, q);
    }
  r->type = type != NULL ? type[0] : 'a';
  if (access != NULL && access[strspn (access, "rwm")] != '\0')
    {
      cleanup_free char *q = oci_quote (access);
      return husk_err_set (err, 0, "%s.access: %s is not made of \"r\", \"w\" and \"m\"", p, q);
    }
  /* Unset (or empty): every access. */
  r->access = 0;
  for (const char *c = access ? access : ""; *c; c++)
    r->access |= *c == 'r' ? HUSK_DEV_READ : *c == 'w' ? HUSK_DEV_WRITE : HUSK_DEV_MKNOD;
  if (r->access == 0)
    r->access = HUSK_DEV_ALL;
  return 0;
}

static int
res_devices (struct oci_ctx *ctx, json_t *res, struct husk_err *err)
{
  cleanup_free struct husk_device_rule *rules = NULL;
  size_t n, at = 0;
  json_t *dev;

  if (oci_get (res, RES, "devices", JSON_ARRAY, &dev, err) < 0)
    return -1;
  if (dev == NULL || (n = json_array_size (dev)) == 0)
    return 0;
  rules = xcalloc (n, sizeof *rules);
  ctx->plan->device_rules_origin = (struct husk_origin){ xstrdup (RES ".devices"), -1 };
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *p = oci_path_index (RES ".devices", i);

      if (res_device_rule (ctx, json_array_get (dev, i), p, &rules[i], err) < 0)
        return -1;
      if ((rules[i].type == 'a' || rules[i].type == 'c') && rules[i].major == HUSK_DEV_ANY
          && rules[i].minor == HUSK_DEV_ANY)
        at = i + 1;
    }
  for (size_t i = 0; i <= n; i++)
    {
      cleanup_free char *p = NULL;
      struct husk_origin o;

      if (i == at)
        res_add_default_devices (ctx->plan);
      if (i == n)
        break;
      p = oci_path_index (RES ".devices", i);
      o = (struct husk_origin){ p, -1 };
      plan_add_device_rule (ctx->plan, rules[i].allow, rules[i].type, rules[i].major,
                            rules[i].minor, rules[i].access, &o);
    }
  return 0;
}

/* ---- linux.resources, linux.cgroupsPath --------------------------------- */

static int
res_network (json_t *res, struct husk_err *err)
{
  json_t *net;

  if (oci_get (res, RES, "network", JSON_OBJECT, &net, err) < 0)
    return -1;
  if (net == NULL)
    return 0;
  for (const char *const *k = (const char *const[]){ "classID", "priorities", NULL }; *k; k++)
    if (json_object_get (net, *k) != NULL && !json_is_null (json_object_get (net, *k)))
      return husk_err_set (err, 0, "%s.network.%s: net_cls and net_prio exist only in cgroup v1",
                           RES, *k);
  return 0;
}

int
oci_load_resources (struct oci_ctx *ctx, json_t *lx, struct husk_err *err)
{
  static const char *const known[] = {
    "devices",        "memory",  "cpu",  "pids",    "blockIO",
    "hugepageLimits", "network", "rdma", "unified", NULL,
  };
  struct husk_plan *plan = ctx->plan;
  const char *path;
  json_t *res;

  if (oci_get_string (lx, "linux", "cgroupsPath", &path, err) < 0
      || oci_get (lx, "linux", "resources", JSON_OBJECT, &res, err) < 0)
    return -1;
  if (path != NULL && path[0] != '\0')
    {
      plan->cgroup_path = xstrdup (path);
      plan->cgroup_path_origin = (struct husk_origin){ xstrdup ("linux.cgroupsPath"), -1 };
    }
  if (res != NULL)
    {
      oci_warn_unknown (ctx, res, RES, known);
      if (res_devices (ctx, res, err) < 0 || res_memory (ctx, res, err) < 0
          || res_cpu (ctx, res, err) < 0 || res_pids (ctx, res, err) < 0
          || res_block_io (ctx, res, err) < 0 || res_hugepages (ctx, res, err) < 0
          || res_network (res, err) < 0 || res_rdma (ctx, res, err) < 0
          || res_unified (ctx, res, err) < 0)
        return -1;
    }
  /* Without privileges, a cgroup husk may not create is a warning. */
  if (plan->n_cgroup_writes > 0 || plan->n_device_rules > 0 || plan->cgroup_path != NULL)
    {
      bool res_used = plan->n_cgroup_writes > 0 || plan->n_device_rules > 0;

      plan->cgroup_optional = true;
      plan->cgroup_optional_origin
        = (struct husk_origin){ xstrdup (res_used ? RES : "linux.cgroupsPath"), -1 };
    }
  return 0;
}
