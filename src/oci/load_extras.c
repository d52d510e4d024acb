/* load_extras.c: config.json -> plan for the fields issue 5 added after the
 * first cut: process.rlimits, process.terminal and consoleSize,
 * process.user.umask and additionalGids, process.oomScoreAdj, linux.seccomp,
 * linux.sysctl, linux.personality, linux.timeOffsets and domainname.
 * load.c calls these; each names the JSON path of what it rejects.
 *
 * Must not: make syscalls beyond reading (the seccomp cache is read here and
 * written by the executor, as for --seccomp-profile); run anything.
 */
#include "oci/oci_int.h"

#include <string.h>
#include <sys/personality.h>

#include "lib/cleanup.h"
#include "lib/rlimit.h"
#include "lib/seccomp_profile.h"
#include "lib/xalloc.h"

static struct husk_origin
extras_origin (const char *path)
{
  struct husk_origin o = { xstrdup (path), -1 };
  return o;
}

/* ---- process.rlimits ---------------------------------------------------- */

static int
oci_load_rlimit (struct oci_ctx *ctx, json_t *rl, const char *base, struct husk_err *err)
{
  static const char *const known[] = { "type", "soft", "hard", NULL };
  struct husk_origin o;
  struct husk_rlimit *r;
  const char *type;
  uint64_t soft = 0, hard = 0;
  bool has_soft, has_hard;
  int resource;

  if (oci_expect (rl, JSON_OBJECT, base, err) < 0)
    return -1;
  oci_warn_unknown (ctx, rl, base, known);
  if (oci_get_string (rl, base, "type", &type, err) < 0
      || oci_get_uint (rl, base, "soft", UINT64_MAX, &soft, &has_soft, err) < 0
      || oci_get_uint (rl, base, "hard", UINT64_MAX, &hard, &has_hard, err) < 0)
    return -1;
  if (type == NULL)
    return husk_err_set (err, 0, "%s.type: required", base);
  resource = strncmp (type, "RLIMIT_", 7) == 0 ? rlimit_from_name (type) : -1;
  if (resource < 0)
    {
      cleanup_free char *q = oci_quote (type);
      return husk_err_set (err, 0, "%s.type: unknown resource limit %s", base, q);
    }
  if (!has_soft || !has_hard)
    return husk_err_set (err, 0, "%s.%s: required", base, has_soft ? "hard" : "soft");
  if (soft > hard)
    return husk_err_set (err, 0, "%s: soft limit above the hard limit", base);
  for (size_t i = 0; i < ctx->plan->n_rlimits; i++)
    if (ctx->plan->rlimits[i].resource == resource)
      {
        cleanup_free char *q = oci_quote (type);
        return husk_err_set (err, 0, "%s.type: %s given twice", base, q);
      }
  o = extras_origin (base);
  r = plan_set_rlimit (ctx->plan, resource, &o);
  origin_free (&o);
  r->has_soft = r->has_hard = true;
  /* RLIM_INFINITY is 18446744073709551615 (json_u64.c reads it). */
  r->soft = soft;
  r->hard = hard;
  return 0;
}

int
oci_load_rlimits (struct oci_ctx *ctx, json_t *proc, struct husk_err *err)
{
  json_t *arr;

  if (oci_get (proc, "process", "rlimits", JSON_ARRAY, &arr, err) < 0)
    return -1;
  for (size_t i = 0; arr != NULL && i < json_array_size (arr); i++)
    {
      cleanup_free char *base = oci_path_index ("process.rlimits", i);

      if (oci_load_rlimit (ctx, json_array_get (arr, i), base, err) < 0)
        return -1;
    }
  return 0;
}

/* ---- process.terminal, consoleSize, oomScoreAdj, user extras ------------ */

int
oci_load_terminal (struct oci_ctx *ctx, json_t *proc, struct husk_err *err)
{
  static const char *const known[] = { "height", "width", NULL };
  struct husk_plan *plan = ctx->plan;
  json_t *cs;
  int64_t h = 0, w = 0, adj = 0;
  bool has_h, has_w, has_adj;

  if (oci_get_bool (proc, "process", "terminal", &plan->terminal, err) < 0
      || oci_get (proc, "process", "consoleSize", JSON_OBJECT, &cs, err) < 0
      || oci_get_int (proc, "process", "oomScoreAdj", -1000, 1000, &adj, &has_adj, err) < 0)
    return -1;
  if (has_adj)
    {
      plan->has_oom_score_adj = true;
      plan->oom_score_adj = (int) adj;
      plan->oom_score_adj_origin = extras_origin ("process.oomScoreAdj");
    }
  if (!plan->terminal)
    return 0; /* consoleSize is ignored without a terminal (runtime-spec) */
  plan->terminal_origin = extras_origin ("process.terminal");
  if (cs == NULL)
    return 0;
  oci_warn_unknown (ctx, cs, "process.consoleSize", known);
  if (oci_get_int (cs, "process.consoleSize", "height", 0, 65535, &h, &has_h, err) < 0
      || oci_get_int (cs, "process.consoleSize", "width", 0, 65535, &w, &has_w, err) < 0)
    return -1;
  if (!has_h || !has_w)
    return husk_err_set (err, 0, "process.consoleSize.%s: required", has_h ? "width" : "height");
  if ((h == 0) != (w == 0))
    return husk_err_set (err, 0,
                         "process.consoleSize: height and width must both be 0 "
                         "or both positive");
  plan->console_rows = (unsigned) h;
  plan->console_cols = (unsigned) w;
  return 0;
}

int
oci_load_user_extras (struct oci_ctx *ctx, json_t *user, struct husk_err *err)
{
  struct husk_plan *plan = ctx->plan;
  int64_t umask = 0;
  bool has_umask;
  json_t *gids;
  size_t n;

  if (oci_get_int (user, "process.user", "umask", 0, 0777, &umask, &has_umask, err) < 0
      || oci_get (user, "process.user", "additionalGids", JSON_ARRAY, &gids, err) < 0)
    return -1;
  if (has_umask)
    {
      plan->has_umask = true;
      plan->umask = (mode_t) umask;
      plan->umask_origin = extras_origin ("process.user.umask");
    }
  n = gids == NULL ? 0 : json_array_size (gids);
  if (n == 0)
    return 0;
  if (n > 65536)
    return husk_err_set (err, 0, "process.user.additionalGids: more than 65536 groups");
  plan->groups = xcalloc (n, sizeof *plan->groups);
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *p = oci_path_index ("process.user.additionalGids", i);
      uint64_t g;

      if (oci_uint_value (json_array_get (gids, i), p, 4294967294U, &g, err) < 0)
        return -1;
      plan->groups[plan->n_groups++] = (gid_t) g;
    }
  plan->groups_origin = extras_origin ("process.user.additionalGids");
  return 0;
}

/* ---- linux.seccomp ------------------------------------------------------ */

/* Issue 5: SCMP_ACT_NOTIFY's agent; the state it gets has the bundle and
 * the annotations, as the hooks' (oci_load_json). */
static void
oci_seccomp_agent (struct oci_ctx *ctx, struct seccomp_compiled *c)
{
  struct husk_seccomp_agent *a = &ctx->plan->seccomp_agent;

  a->path = steal_pointer (&c->listener_path);
  a->metadata = steal_pointer (&c->listener_metadata);
  a->origin = extras_origin ("linux.seccomp.listenerPath");
}

/* Compiled like --seccomp-profile, through the same cache: the key is
 * over the object's canonical text (sorted keys, compact). */
int
oci_load_seccomp (struct oci_ctx *ctx, json_t *lx, struct husk_err *err)
{
  struct husk_plan *plan = ctx->plan;
  cleanup_free char *text = NULL;
  cleanup_free char *cache_path = NULL;
  struct seccomp_compiled c = { 0 };
  unsigned char key[SHA256_LEN];
  struct husk_origin origin;
  json_t *sc;

  if (oci_get (lx, "linux", "seccomp", JSON_OBJECT, &sc, err) < 0)
    return -1;
  if (sc == NULL)
    return 0;
  text = json_dumps (sc, JSON_SORT_KEYS | JSON_COMPACT);
  if (text == NULL)
    husk_die ("out of memory");
  seccomp_cache_key (text, strlen (text), key);
  cache_path = seccomp_cache_path (key);
  if (cache_path == NULL || seccomp_cache_read (cache_path, key, &c) < 0)
    {
      if (seccomp_profile_compile (sc, "linux.seccomp", &c, err) < 0)
        return -1;
    }
  else
    {
      free (cache_path);
      cache_path = NULL;
    }
  if (cache_path != NULL)
    plan_add_seccomp_store (plan, cache_path, key, c.prog, c.n * sizeof *c.prog, c.flags,
                            c.listener_path, c.listener_metadata);
  if (c.listener_path != NULL)
    oci_seccomp_agent (ctx, &c);
  origin = extras_origin ("linux.seccomp");
  plan_add_seccomp (plan, c.prog, c.n * HUSK_SECCOMP_INSN_SIZE, c.flags, false, &origin);
  origin_free (&origin);
  seccomp_compiled_free (&c);
  return 0;
}

/* ---- linux.sysctl ------------------------------------------------------- */

/* The namespace a sysctl belongs to (HUSK_NS_*), or 0 when it is not
 * namespaced: writing those would change the host, so they are refused. */
static unsigned
oci_sysctl_ns (const char *key)
{
  static const char *const ipc[] = {
    "kernel.shmmax",      "kernel.shmall",      "kernel.shmmni",      "kernel.shm_rmid_forced",
    "kernel.msgmax",      "kernel.msgmnb",      "kernel.msgmni",      "kernel.sem",
    "kernel.msg_next_id", "kernel.sem_next_id", "kernel.shm_next_id", NULL,
  };

  if (strncmp (key, "net.", 4) == 0)
    return HUSK_NS_NET;
  if (strcmp (key, "kernel.hostname") == 0 || strcmp (key, "kernel.domainname") == 0)
    return HUSK_NS_UTS;
  if (strncmp (key, "fs.mqueue.", 10) == 0)
    return HUSK_NS_IPC;
  for (size_t i = 0; ipc[i] != NULL; i++)
    if (strcmp (key, ipc[i]) == 0)
      return HUSK_NS_IPC;
  return 0;
}

static bool
oci_sysctl_key_ok (const char *key)
{
  /* Components of [A-Za-z0-9_-] (interface names allow a few more),
   * separated by single dots: no "..", no slash, nothing empty. */
  if (key[0] == '\0' || key[0] == '.' || key[strlen (key) - 1] == '.')
    return false;
  for (const char *p = key; *p != '\0'; p++)
    if (*p == '/' || (*p == '.' && p[1] == '.') || (unsigned char) *p <= ' ' || *p == 0x7f)
      return false;
  return true;
}

int
oci_load_sysctl (struct oci_ctx *ctx, json_t *lx, struct husk_err *err)
{
  struct husk_plan *plan = ctx->plan;
  const char *key;
  json_t *obj, *v;

  if (oci_get (lx, "linux", "sysctl", JSON_OBJECT, &obj, err) < 0)
    return -1;
  if (obj == NULL)
    return 0;
  json_object_foreach (obj, key, v)
  {
    cleanup_free char *path = oci_path_key ("linux.sysctl", key);
    struct husk_sysctl *s;
    const char *value;
    unsigned ns;

    if (oci_get_string (obj, "linux.sysctl", key, &value, err) < 0)
      return -1;
    if (value == NULL)
      return husk_err_set (err, 0, "%s: expected a string, got null", path);
    if (!oci_sysctl_key_ok (key))
      return husk_err_set (err, 0, "%s: invalid sysctl name", path);
    ns = oci_sysctl_ns (key);
    if (ns == 0)
      return husk_err_set (err, 0,
                           "%s: not a namespaced sysctl (only net.*, "
                           "kernel.hostname, kernel.domainname, kernel.shm*, "
                           "kernel.msg*, kernel.sem and fs.mqueue.* are allowed)",
                           path);
    if (!(ctx->ns_seen & ns))
      return husk_err_set (err, 0, "%s: requires a %s namespace (linux.namespaces type \"%s\")",
                           path,
                           ns == HUSK_NS_NET   ? "network"
                           : ns == HUSK_NS_UTS ? "uts"
                                               : "ipc",
                           ns == HUSK_NS_NET   ? "network"
                           : ns == HUSK_NS_UTS ? "uts"
                                               : "ipc");
    plan->sysctls
      = xgrow (plan->sysctls, &plan->cap_sysctls, plan->n_sysctls + 1, sizeof *plan->sysctls);
    s = &plan->sysctls[plan->n_sysctls++];
    s->key = xstrdup (key);
    s->value = xstrdup (value);
    s->origin = extras_origin (path);
  }
  return 0;
}

/* ---- linux.personality, linux.timeOffsets, domainname ------------------- */

int
oci_load_personality (struct oci_ctx *ctx, json_t *lx, struct husk_err *err)
{
  static const char *const known[] = { "domain", "flags", NULL };
  struct husk_plan *plan = ctx->plan;
  const char *domain;
  json_t *p, *flags;

  if (oci_get (lx, "linux", "personality", JSON_OBJECT, &p, err) < 0)
    return -1;
  if (p == NULL)
    return 0;
  oci_warn_unknown (ctx, p, "linux.personality", known);
  if (oci_get_string (p, "linux.personality", "domain", &domain, err) < 0
      || oci_get (p, "linux.personality", "flags", JSON_ARRAY, &flags, err) < 0)
    return -1;
  if (domain == NULL)
    return husk_err_set (err, 0, "linux.personality.domain: required");
  if (strcmp (domain, "LINUX") == 0)
    plan->personality = PER_LINUX;
  else if (strcmp (domain, "LINUX32") == 0)
    plan->personality = PER_LINUX32;
  else
    {
      cleanup_free char *q = oci_quote (domain);
      return husk_err_set (err, 0,
                           "linux.personality.domain: unknown domain %s "
                           "(LINUX or LINUX32)",
                           q);
    }
  /* The runtime-spec: "Currently no flag values are supported." */
  for (size_t i = 0; flags != NULL && i < json_array_size (flags); i++)
    {
      cleanup_free char *fp = oci_path_index ("linux.personality.flags", i);
      cleanup_free char *q = NULL;
      const char *flag;

      if (oci_string_at (flags, "linux.personality.flags", i, &flag, err) < 0)
        return -1;
      q = oci_quote (flag);
      return husk_err_set (err, 0, "%s: unknown flag %s (the runtime-spec defines none)", fp, q);
    }
  plan->has_personality = true;
  plan->personality_origin = extras_origin ("linux.personality");
  return 0;
}

static int
oci_load_time_offset (struct oci_ctx *ctx, json_t *obj, const char *clock_name,
                      enum husk_clock clock, struct husk_err *err)
{
  static const char *const known[] = { "secs", "nanosecs", NULL };
  cleanup_free char *base = oci_path_key ("linux.timeOffsets", clock_name);
  struct husk_time_offset *o = &ctx->plan->time_offsets[clock];
  int64_t secs = 0, nsecs = 0;
  bool has_s, has_n;
  json_t *v;

  if (oci_get (obj, "linux.timeOffsets", clock_name, JSON_OBJECT, &v, err) < 0)
    return -1;
  if (v == NULL)
    return 0;
  oci_warn_unknown (ctx, v, base, known);
  if (oci_get_int (v, base, "secs", -(INT64_C (1) << 62), INT64_C (1) << 62, &secs, &has_s, err) < 0
      || oci_get_int (v, base, "nanosecs", 0, 999999999, &nsecs, &has_n, err) < 0)
    return -1;
  if (!ctx->plan->unshare_time)
    return husk_err_set (err, 0,
                         "%s: requires a new time namespace (linux.namespaces "
                         "type \"time\")",
                         base);
  o->set = true;
  o->sec = secs;
  o->nsec = (long) nsecs;
  o->origin = extras_origin (base);
  return 0;
}

int
oci_load_time_offsets (struct oci_ctx *ctx, json_t *lx, struct husk_err *err)
{
  static const char *const known[] = { "monotonic", "boottime", NULL };
  json_t *obj;

  if (oci_get (lx, "linux", "timeOffsets", JSON_OBJECT, &obj, err) < 0)
    return -1;
  if (obj == NULL)
    return 0;
  oci_warn_unknown (ctx, obj, "linux.timeOffsets", known);
  if (oci_load_time_offset (ctx, obj, "monotonic", HUSK_CLOCK_MONOTONIC, err) < 0)
    return -1;
  return oci_load_time_offset (ctx, obj, "boottime", HUSK_CLOCK_BOOTTIME, err);
}

int
oci_load_domainname (struct oci_ctx *ctx, json_t *root, struct husk_err *err)
{
  const char *name;

  if (oci_get_string (root, "", "domainname", &name, err) < 0)
    return -1;
  if (name == NULL || name[0] == '\0')
    return 0;
  if (!(ctx->plan->unshare & HUSK_NS_UTS))
    return husk_err_set (err, 0,
                         "domainname: requires a new uts namespace "
                         "(linux.namespaces type \"uts\")");
  if (strlen (name) > 64)
    return husk_err_set (err, 0, "domainname: longer than 64 bytes");
  ctx->plan->domainname = xstrdup (name);
  ctx->plan->domainname_origin = extras_origin ("domainname");
  return 0;
}
