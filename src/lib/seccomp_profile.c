/* seccomp_profile.c: an OCI runtime-spec seccomp profile (JSON) compiled
 * into classic BPF with libseccomp, and the cache of compiled programs.
 *
 * The profile format is the runtime-spec's `linux.seccomp` object:
 * defaultAction, defaultErrnoRet, architectures, flags, listenerPath,
 * listenerMetadata, syscalls[] {names, action, errnoRet, args[] {index,
 * value, valueTwo, op}}.  husk's reading of the parts the spec leaves open:
 *   - The native architecture is always in the filter (a filter without it
 *     would kill the sandbox at its first syscall); `architectures` adds to it.
 *   - Comparisons in one rule's args all have to hold (AND), as libseccomp
 *     has it; write separate rules for OR.
 *   - errnoRet defaults to EPERM, and is an error on actions other than
 *     SCMP_ACT_ERRNO and SCMP_ACT_TRACE.
 *   - A syscall name libseccomp does not know is skipped when the rule
 *     allows it (SCMP_ACT_ALLOW, SCMP_ACT_LOG: skipping can only deny more,
 *     so a profile naming syscalls newer than this libseccomp still works),
 *     and an error when the rule denies it (it could not be denied).
 *   - A rule whose action is the default action changes nothing: skipped.
 *   - flags: LOG, SPEC_ALLOW and WAIT_KILLABLE_RECV are passed to seccomp(2)
 *     (the last one needs a SCMP_ACT_NOTIFY rule: the kernel accepts it only
 *     with a listener); TSYNC is accepted and changes nothing (husk is
 *     single-threaded when it loads filters).  NEW_LISTENER is added when a
 *     rule uses SCMP_ACT_NOTIFY.
 *   - SCMP_ACT_NOTIFY needs listenerPath, an absolute path (the agent's
 *     socket on the host); listenerPath without a NOTIFY rule is ignored
 *     (runtime-spec) but must be a string; listenerMetadata needs
 *     listenerPath (runtime-spec) and is at most 4096 bytes.  NOTIFY cannot
 *     be the default action nor apply to sendmsg: husk's child hands the
 *     listener to husk with sendmsg after the filter is loaded, and nobody
 *     could answer that notification (runc refuses `write` for the same
 *     reason).
 *   - Unknown properties are ignored with a warning (runtime-spec
 *     "Extensibility"), except "comment", ignored silently, and Docker's
 *     "includes"/"excludes"/"minKernel", which change a rule's meaning and
 *     are errors rather than silently widening it.
 *
 * libseccomp is told the kernel API level (seccomp_api_set) rather than
 * probing the kernel, so compiling makes no syscall beyond the memfd the
 * program is exported to, and the output depends only on the profile,
 * libseccomp and the native architecture: exactly the cache key.
 *
 * Must not: load a filter; depend on plan, cli or exec.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdint.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/json_u64.h"
#include "lib/seccomp_profile.h"
#include "lib/xalloc.h"

#define SP_MAX_INSNS     4096      /* BPF_MAXINSNS */
#define SP_MAX_PROFILE   (1 << 20) /* bytes of JSON we read */
#define SP_API_LEVEL     6         /* every action and attribute of libseccomp 2.5 */
#define SP_CACHE_TAG     "husk seccomp cache 1, optimize 2, api 6\n"
#define SP_CACHE_MAGIC   "HUSKBPF" /* 8 bytes with its NUL */
/* Version 2 added the filter flags and the listener.  An entry of another
 * version fails validation: a miss, rewritten. */
#define SP_CACHE_VERSION 2u
/* magic 8, version 4, n 4, flags 4, listener path length 4, metadata
 * length 4, reserved 4, key 32, sha 32 over path, metadata and program;
 * then the path, the metadata and the program. */
#define SP_CACHE_HDR     96
#define SP_PATH_MAX      (sizeof ((struct sockaddr_un *) 0)->sun_path - 1)

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
/* The flags a compiled profile (and a cache entry) may carry. */
#define SP_FLAGS                                                                                  \
  (SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW | SECCOMP_FILTER_FLAG_NEW_LISTENER    \
   | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)

struct sp_ctx
{
  const char *prefix; /* "linux.seccomp" or "" */
  scmp_filter_ctx f;
  uint32_t def_action;
  uint32_t flags;     /* SECCOMP_FILTER_FLAG_* from `flags` */
  long wait_killable; /* index of WAIT_KILLABLE_RECV in `flags`, or -1 */
  long notify_rule;   /* the first syscalls[] index using NOTIFY, or -1 */
  struct husk_err *err;
};

/* Set ctx->err to "PREFIX.PATH[.KEY]: WHAT" (key may be NULL). */
static int __attribute__ ((format (printf, 4, 5)))
sp_fail (struct sp_ctx *ctx, const char *path, const char *key, const char *fmt, ...)
{
  char what[512];
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (what, sizeof what, fmt, ap);
  va_end (ap);
  return husk_err_set (ctx->err, 0, "%s%s%s%s%s: %s", ctx->prefix,
                       ctx->prefix[0] && (path[0] || key) ? "." : "", path,
                       key && path[0] ? "." : "", key ? key : "", what);
}

/* A JSON string for a message: printable ASCII only, at most 64 bytes. */
static void
sp_quote (char out[72], const char *s)
{
  size_t i;

  for (i = 0; s[i] != '\0' && i < 64; i++)
    out[i] = (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"') ? s[i] : '?';
  if (s[i] != '\0')
    memcpy (out + i, "...", 3), i += 3;
  out[i] = '\0';
}

/* Warn about properties of obj outside `known` (NULL-terminated). */
static int
sp_check_keys (struct sp_ctx *ctx, json_t *obj, const char *path, const char *const *known)
{
  static const char *const docker_only[] = { "includes", "excludes", "minKernel", NULL };
  const char *key;
  json_t *v;

  json_object_foreach (obj, key, v)
  {
    bool found = strcmp (key, "comment") == 0;
    char q[72];

    for (size_t i = 0; known[i] && !found; i++)
      found = strcmp (key, known[i]) == 0;
    for (size_t i = 0; docker_only[i] && !found; i++)
      if (strcmp (key, docker_only[i]) == 0)
        return sp_fail (ctx, path, key, "Docker's profile extension, not the runtime-spec format");
    if (found)
      continue;
    sp_quote (q, key);
    husk_warn ("%s%s%s%s%s: unknown property, ignored", ctx->prefix,
               ctx->prefix[0] && path[0] ? "." : "", path, path[0] ? "." : "", q);
  }
  return 0;
}

/* A non-negative JSON integer at obj.key, up to UINT64_MAX (NULL member:
 * *present = false). */
static int
sp_uint (struct sp_ctx *ctx, json_t *obj, const char *key, const char *path, uint64_t max,
         uint64_t *out, bool *present)
{
  json_t *v = json_object_get (obj, key);
  bool too_big;

  *present = v != NULL && !json_is_null (v);
  if (!*present)
    return 0;
  if (json_u64_value (v, out, &too_big) < 0)
    {
      if (too_big)
        return sp_fail (ctx, path, key, "out of range (0..%llu)", (unsigned long long) max);
      return sp_fail (ctx, path, key, "must be a non-negative integer");
    }
  if (*out > max)
    return sp_fail (ctx, path, key, "%llu is out of range (0..%llu)", (unsigned long long) *out,
                    (unsigned long long) max);
  return 0;
}

static const struct
{
  const char *name;
  uint32_t action;
  bool takes_ret;
} sp_actions[] = {
  { "SCMP_ACT_KILL", SCMP_ACT_KILL, false },
  { "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false },
  { "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false },
  { "SCMP_ACT_TRAP", SCMP_ACT_TRAP, false },
  { "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO (0), true },
  { "SCMP_ACT_TRACE", SCMP_ACT_TRACE (0), true },
  { "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false },
  { "SCMP_ACT_LOG", SCMP_ACT_LOG, false },
  { "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, false },
};

/* The action at obj.akey with its return value at obj.rkey. */
static int
sp_action (struct sp_ctx *ctx, json_t *obj, const char *akey, const char *rkey, const char *path,
           uint32_t *out)
{
  json_t *a = json_object_get (obj, akey);
  uint64_t ret = EPERM;
  bool has_ret;
  char q[72];

  if (a == NULL)
    return sp_fail (ctx, path, akey, "missing");
  if (json_u64_string (a) == NULL)
    return sp_fail (ctx, path, akey, "must be a string");
  for (size_t i = 0; i < sizeof sp_actions / sizeof sp_actions[0]; i++)
    {
      if (strcmp (json_string_value (a), sp_actions[i].name) != 0)
        continue;
      if (sp_uint (ctx, obj, rkey, path, sp_actions[i].action == SCMP_ACT_ERRNO (0) ? 4095 : 65535,
                   &ret, &has_ret)
          < 0)
        return -1;
      if (has_ret && !sp_actions[i].takes_ret)
        return sp_fail (ctx, path, rkey, "only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take one, not %s",
                        sp_actions[i].name);
      *out = sp_actions[i].takes_ret ? sp_actions[i].action | (uint32_t) ret : sp_actions[i].action;
      return 0;
    }
  sp_quote (q, json_string_value (a));
  return sp_fail (ctx, path, akey, "unknown action \"%s\"", q);
}

static int
sp_architectures (struct sp_ctx *ctx, json_t *arches)
{
  size_t i;
  json_t *a;

  if (arches == NULL || json_is_null (arches))
    return 0;
  if (!json_is_array (arches))
    return sp_fail (ctx, "architectures", NULL, "must be an array of strings");
  json_array_foreach (arches, i, a)
  {
    char name[64], q[72], path[48];
    const char *s = json_u64_string (a);
    uint32_t token = 0;
    int r;

    snprintf (path, sizeof path, "architectures[%zu]", i);
    if (s == NULL)
      return sp_fail (ctx, path, NULL, "must be a string");
    if (strncmp (s, "SCMP_ARCH_", 10) == 0 && strlen (s + 10) < sizeof name)
      {
        size_t k;
        for (k = 0; s[10 + k]; k++)
          name[k] = (char) (s[10 + k] >= 'A' && s[10 + k] <= 'Z' ? s[10 + k] + 32 : s[10 + k]);
        name[k] = '\0';
        token = seccomp_arch_resolve_name (name);
      }
    sp_quote (q, s);
    if (token == 0)
      return sp_fail (ctx, path, NULL, "unknown architecture \"%s\"", q);
    r = seccomp_arch_add (ctx->f, token);
    if (r < 0 && r != -EEXIST)
      {
        sp_fail (ctx, path, NULL, "libseccomp cannot add architecture \"%s\"", q);
        ctx->err->errnum = -r;
        return -1;
      }
  }
  return 0;
}

static int
sp_flags (struct sp_ctx *ctx, json_t *flags)
{
  size_t i;
  json_t *fl;

  if (flags == NULL || json_is_null (flags))
    return 0;
  if (!json_is_array (flags))
    return sp_fail (ctx, "flags", NULL, "must be an array of strings");
  json_array_foreach (flags, i, fl)
  {
    const char *s = json_u64_string (fl);
    char path[32], q[72];

    snprintf (path, sizeof path, "flags[%zu]", i);
    if (s == NULL)
      return sp_fail (ctx, path, NULL, "must be a string");
    /* husk loads each filter from its single thread: nothing to sync. */
    if (strcmp (s, "SECCOMP_FILTER_FLAG_TSYNC") == 0)
      continue;
    if (strcmp (s, "SECCOMP_FILTER_FLAG_LOG") == 0)
      ctx->flags |= SECCOMP_FILTER_FLAG_LOG;
    else if (strcmp (s, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
      ctx->flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
    else if (strcmp (s, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") == 0)
      {
        ctx->flags |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
        if (ctx->wait_killable < 0)
          ctx->wait_killable = (long) i;
      }
    else
      {
        sp_quote (q, s);
        return sp_fail (ctx, path, NULL, "unknown flag \"%s\"", q);
      }
  }
  return 0;
}

static const struct
{
  const char *name;
  enum scmp_compare op;
} sp_ops[] = {
  { "SCMP_CMP_NE", SCMP_CMP_NE },
  { "SCMP_CMP_LT", SCMP_CMP_LT },
  { "SCMP_CMP_LE", SCMP_CMP_LE },
  { "SCMP_CMP_EQ", SCMP_CMP_EQ },
  { "SCMP_CMP_GE", SCMP_CMP_GE },
  { "SCMP_CMP_GT", SCMP_CMP_GT },
  { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

/* One args[] entry.  For SCMP_CMP_MASKED_EQ, value is the mask and
 * valueTwo the value the masked argument must equal (as libseccomp). */
static int
sp_arg (struct sp_ctx *ctx, json_t *a, const char *path, struct scmp_arg_cmp *cmp)
{
  static const char *const known[] = { "index", "value", "valueTwo", "op", NULL };
  uint64_t index, value, value2 = 0;
  bool has;
  json_t *op = json_object_get (a, "op");
  char q[72];

  if (!json_is_object (a))
    return sp_fail (ctx, path, NULL, "must be an object");
  if (sp_check_keys (ctx, a, path, known) < 0
      || sp_uint (ctx, a, "index", path, 5, &index, &has) < 0)
    return -1;
  if (!has)
    return sp_fail (ctx, path, "index", "missing");
  if (sp_uint (ctx, a, "value", path, UINT64_MAX, &value, &has) < 0)
    return -1;
  if (!has)
    return sp_fail (ctx, path, "value", "missing");
  if (sp_uint (ctx, a, "valueTwo", path, UINT64_MAX, &value2, &has) < 0)
    return -1;
  if (op == NULL)
    return sp_fail (ctx, path, "op", "missing");
  if (json_u64_string (op) == NULL)
    return sp_fail (ctx, path, "op", "must be a string");
  for (size_t i = 0; i < sizeof sp_ops / sizeof sp_ops[0]; i++)
    if (strcmp (json_string_value (op), sp_ops[i].name) == 0)
      {
        *cmp = (struct scmp_arg_cmp){
          .arg = (unsigned) index, .op = sp_ops[i].op, .datum_a = value, .datum_b = value2
        };
        return 0;
      }
  sp_quote (q, json_string_value (op));
  return sp_fail (ctx, path, "op", "unknown operator \"%s\"", q);
}

static int
sp_rule_names (struct sp_ctx *ctx, json_t *names, const char *path, uint32_t action,
               const struct scmp_arg_cmp *cmps, unsigned n_cmps)
{
  bool allows = action == SCMP_ACT_ALLOW || action == SCMP_ACT_LOG;
  size_t j;
  json_t *nm;

  json_array_foreach (names, j, nm)
  {
    char npath[96], q[72];
    const char *s = json_u64_string (nm) ? json_u64_string (nm) : "";
    int nr, r;

    snprintf (npath, sizeof npath, "%s.names[%zu]", path, j);
    if (s[0] == '\0')
      return sp_fail (ctx, npath, NULL, "must be a syscall name");
    sp_quote (q, s);
    nr = seccomp_syscall_resolve_name (s);
    if (nr == __NR_SCMP_ERROR && allows)
      continue;
    if (nr == __NR_SCMP_ERROR)
      return sp_fail (ctx, npath, NULL, "unknown syscall \"%s\" (libseccomp cannot deny it)", q);
    if (action == ctx->def_action)
      continue;
    /* The child sends the listener to husk with sendmsg once the filter
     * is loaded: a notification for it would wait for the very listener
     * it carries, forever. */
    if (action == SCMP_ACT_NOTIFY && strcmp (s, "sendmsg") == 0)
      return sp_fail (ctx, npath, NULL,
                      "SCMP_ACT_NOTIFY cannot apply to sendmsg (husk hands the listener to the "
                      "agent with it)");
    r = seccomp_rule_add_array (ctx->f, action, nr, n_cmps, cmps);
    if (r < 0)
      {
        sp_fail (ctx, npath, NULL, "libseccomp rejected the rule for \"%s\"", q);
        ctx->err->errnum = -r;
        return -1;
      }
  }
  return 0;
}

static int
sp_rule (struct sp_ctx *ctx, json_t *rule, size_t i)
{
  static const char *const known[] = { "names", "action", "errnoRet", "args", NULL };
  struct scmp_arg_cmp cmps[6];
  unsigned n_cmps = 0;
  uint32_t action;
  char path[32];
  json_t *names, *args, *a;
  size_t k;

  snprintf (path, sizeof path, "syscalls[%zu]", i);
  if (!json_is_object (rule))
    return sp_fail (ctx, path, NULL, "must be an object");
  if (sp_check_keys (ctx, rule, path, known) < 0
      || sp_action (ctx, rule, "action", "errnoRet", path, &action) < 0)
    return -1;
  names = json_object_get (rule, "names");
  if (names == NULL)
    return sp_fail (ctx, path, "names", "missing");
  if (!json_is_array (names) || json_array_size (names) == 0)
    return sp_fail (ctx, path, "names", "must be a non-empty array of syscall names");
  args = json_object_get (rule, "args");
  if (args != NULL && !json_is_null (args) && !json_is_array (args))
    return sp_fail (ctx, path, "args", "must be an array");
  if (json_array_size (args) > 6)
    return sp_fail (ctx, path, "args", "more than 6 comparisons");
  json_array_foreach (args, k, a)
  {
    char apath[96];

    snprintf (apath, sizeof apath, "%s.args[%zu]", path, k);
    if (sp_arg (ctx, a, apath, &cmps[n_cmps++]) < 0)
      return -1;
  }
  if (action == SCMP_ACT_NOTIFY && ctx->notify_rule < 0)
    ctx->notify_rule = (long) i;
  return sp_rule_names (ctx, names, path, action, cmps, n_cmps);
}

/* The filter's BPF, through a memfd (libseccomp 2.5 exports to an fd only). */
static int
sp_export (struct sp_ctx *ctx, struct sock_filter **prog, size_t *n)
{
  cleanup_fd int fd = memfd_create ("husk-seccomp", MFD_CLOEXEC);
  cleanup_free struct sock_filter *buf = NULL;
  struct stat st;
  int r;

  if (fd < 0)
    return husk_err_sys (ctx->err, "%s%sexporting the seccomp program: memfd_create", ctx->prefix,
                         ctx->prefix[0] ? ": " : "");
  r = seccomp_export_bpf (ctx->f, fd);
  if (r < 0)
    {
      errno = -r;
      return husk_err_sys (ctx->err, "%s%slibseccomp cannot export the program", ctx->prefix,
                           ctx->prefix[0] ? ": " : "");
    }
  if (fstat (fd, &st) < 0)
    return husk_err_sys (ctx->err, "fstat memfd");
  if (st.st_size <= 0 || st.st_size % sizeof (struct sock_filter) != 0)
    return husk_err_set (ctx->err, 0, "libseccomp exported %lld bytes", (long long) st.st_size);
  *n = (size_t) st.st_size / sizeof (struct sock_filter);
  if (*n > SP_MAX_INSNS)
    return husk_err_set (ctx->err, 0,
                         "%s%sthe compiled program has %zu instructions, more than the "
                         "kernel's %d",
                         ctx->prefix, ctx->prefix[0] ? ": " : "", *n, SP_MAX_INSNS);
  buf = xmalloc ((size_t) st.st_size);
  if (pread (fd, buf, (size_t) st.st_size, 0) != st.st_size)
    return husk_err_sys (ctx->err, "reading the exported seccomp program");
  *prog = steal_pointer (&buf);
  return 0;
}

/* A string member, NULL when absent (or JSON null). */
static int
sp_string (struct sp_ctx *ctx, json_t *obj, const char *key, const char **out)
{
  json_t *v = json_object_get (obj, key);

  *out = NULL;
  if (v == NULL || json_is_null (v))
    return 0;
  if (!json_is_string (v) || strlen (json_string_value (v)) != json_string_length (v))
    return sp_fail (ctx, "", key, "must be a string (without NUL bytes)");
  *out = json_string_value (v);
  return 0;
}

/* listenerPath and listenerMetadata, once the rules said whether NOTIFY
 * is used; and the flags that depend on it. */
static int
sp_listener (struct sp_ctx *ctx, json_t *profile, struct seccomp_compiled *out)
{
  const char *path, *meta;
  char rpath[32];

  if (sp_string (ctx, profile, "listenerPath", &path) < 0
      || sp_string (ctx, profile, "listenerMetadata", &meta) < 0)
    return -1;
  if (path != NULL && path[0] == '\0')
    path = NULL;
  if (meta != NULL && path == NULL)
    return sp_fail (ctx, "", "listenerMetadata", "requires listenerPath");
  if (ctx->wait_killable >= 0 && ctx->notify_rule < 0)
    {
      snprintf (rpath, sizeof rpath, "flags[%ld]", ctx->wait_killable);
      return sp_fail (ctx, rpath, NULL,
                      "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV requires a SCMP_ACT_NOTIFY rule");
    }
  out->flags = ctx->flags;
  if (ctx->notify_rule < 0)
    return 0; /* runtime-spec: listenerPath is then ignored */
  if (path == NULL)
    {
      snprintf (rpath, sizeof rpath, "syscalls[%ld]", ctx->notify_rule);
      return sp_fail (ctx, "", "listenerPath", "missing (%s uses SCMP_ACT_NOTIFY)", rpath);
    }
  if (path[0] != '/')
    return sp_fail (ctx, "", "listenerPath", "must be an absolute path");
  if (strlen (path) > SP_PATH_MAX)
    return sp_fail (ctx, "", "listenerPath", "longer than a unix socket path can be (%zu bytes)",
                    (size_t) SP_PATH_MAX);
  if (meta != NULL && strlen (meta) > SECCOMP_PROFILE_METADATA_MAX)
    return sp_fail (ctx, "", "listenerMetadata", "longer than %d bytes",
                    SECCOMP_PROFILE_METADATA_MAX);
  out->flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
  out->listener_path = xstrdup (path);
  out->listener_metadata = meta ? xstrdup (meta) : NULL;
  return 0;
}

static int
sp_compile (struct sp_ctx *ctx, json_t *profile)
{
  json_t *syscalls = json_object_get (profile, "syscalls"), *rule;
  size_t i;

  if (sp_architectures (ctx, json_object_get (profile, "architectures")) < 0
      || sp_flags (ctx, json_object_get (profile, "flags")) < 0)
    return -1;
  if (seccomp_attr_set (ctx->f, SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0)
    return husk_err_set (ctx->err, 0, "libseccomp: cannot select the binary-tree layout");
  if (syscalls != NULL && !json_is_null (syscalls) && !json_is_array (syscalls))
    return sp_fail (ctx, "syscalls", NULL, "must be an array");
  json_array_foreach (syscalls, i, rule) if (sp_rule (ctx, rule, i) < 0) return -1;
  return 0;
}

int
seccomp_profile_compile (json_t *profile, const char *json_path_prefix,
                         struct seccomp_compiled *out, struct husk_err *err)
{
  static const char *const known[]
    = { "defaultAction", "defaultErrnoRet",  "architectures", "flags",
        "listenerPath",  "listenerMetadata", "syscalls",      NULL };
  struct sp_ctx ctx = { .prefix = json_path_prefix ? json_path_prefix : "",
                        .wait_killable = -1, .notify_rule = -1, .err = err };
  int r;

  memset (out, 0, sizeof *out);
  if (!json_is_object (profile))
    return sp_fail (&ctx, "", NULL, "must be a JSON object");
  if (sp_check_keys (&ctx, profile, "", known) < 0
      || sp_action (&ctx, profile, "defaultAction", "defaultErrnoRet", "", &ctx.def_action) < 0)
    return -1;
  /* Everything husk does after loading the filter (the sendmsg that hands
   * the listener over first) would wait for an agent that has no listener
   * yet; runc and youki refuse it too. */
  if (ctx.def_action == SCMP_ACT_NOTIFY)
    return sp_fail (&ctx, "", "defaultAction", "SCMP_ACT_NOTIFY cannot be the default action");
  /* The level libseccomp would find by probing a current kernel; set, so
   * that nothing is probed and the output is the same on every kernel. */
  seccomp_api_set (SP_API_LEVEL);
  ctx.f = seccomp_init (ctx.def_action);
  if (ctx.f == NULL)
    return sp_fail (&ctx, "defaultAction", NULL, "libseccomp rejected it");
  r = sp_compile (&ctx, profile);
  if (r == 0)
    r = sp_listener (&ctx, profile, out);
  if (r == 0)
    r = sp_export (&ctx, &out->prog, &out->n);
  seccomp_release (ctx.f);
  if (r < 0)
    seccomp_compiled_free (out);
  return r;
}

void
seccomp_compiled_free (struct seccomp_compiled *c)
{
  free (c->prog);
  free (c->listener_path);
  free (c->listener_metadata);
  memset (c, 0, sizeof *c);
}

/* ---- The cache --------------------------------------------------------- */

void
seccomp_cache_key (const void *bytes, size_t len, unsigned char key[SHA256_LEN])
{
  const struct scmp_version *v = seccomp_version ();
  struct sha256 s;
  char meta[128];

  snprintf (meta, sizeof meta, "%slibseccomp %u.%u.%u\narch %u\n", SP_CACHE_TAG, v->major, v->minor,
            v->micro, seccomp_arch_native ());
  sha256_init (&s);
  sha256_update (&s, meta, strlen (meta));
  sha256_update (&s, bytes, len);
  sha256_final (&s, key);
}

char *
seccomp_cache_path (const unsigned char key[SHA256_LEN])
{
  const char *xdg = getenv ("XDG_CACHE_HOME"), *home = getenv ("HOME");
  char hex[2 * SHA256_LEN + 1];

  for (int i = 0; i < SHA256_LEN; i++)
    snprintf (hex + 2 * i, 3, "%02x", key[i]);
  if (xdg != NULL && xdg[0] == '/')
    return xasprintf ("%s/husk/seccomp/%s.bpf", xdg, hex);
  if (home != NULL && home[0] == '/')
    return xasprintf ("%s/.cache/husk/seccomp/%s.bpf", home, hex);
  return NULL;
}

/* The header of an entry for key whose body (listener path, metadata,
 * program) is `body`. */
static void
sp_cache_header (unsigned char hdr[SP_CACHE_HDR], const unsigned char key[SHA256_LEN],
                 uint32_t flags, uint32_t path_len, uint32_t meta_len, uint32_t n,
                 const void *body, size_t body_len)
{
  uint32_t words[6] = { SP_CACHE_VERSION, n, flags, path_len, meta_len, 0 };
  struct sha256 s;

  memcpy (hdr, SP_CACHE_MAGIC, 8);
  memcpy (hdr + 8, words, sizeof words);
  memcpy (hdr + 32, key, SHA256_LEN);
  sha256_init (&s);
  sha256_update (&s, body, body_len);
  sha256_final (&s, hdr + 64);
}

/* An entry's listener strings: what the compiler would accept. */
static bool
sp_cache_strings_ok (uint32_t flags, const unsigned char *path, uint32_t path_len,
                     const unsigned char *meta, uint32_t meta_len)
{
  bool listener = (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) != 0;

  if ((flags & ~(uint32_t) SP_FLAGS) != 0 || listener != (path_len > 0)
      || ((flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) && !listener)
      || path_len > SP_PATH_MAX || meta_len > SECCOMP_PROFILE_METADATA_MAX
      || (meta_len > 0 && !listener) || (listener && path[0] != '/'))
    return false;
  return memchr (path, '\0', path_len) == NULL && memchr (meta, '\0', meta_len) == NULL;
}

int
seccomp_cache_read (const char *path, const unsigned char key[SHA256_LEN],
                    struct seccomp_compiled *out)
{
  cleanup_fd int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  cleanup_free unsigned char *buf = NULL;
  unsigned char want[SP_CACHE_HDR];
  uint32_t words[6];
  struct stat st;
  size_t size, prog_len;
  const unsigned char *body;

  /* Only a regular file of ours that nobody else may write: a poisoned
   * entry would be a filter the user never asked for. */
  if (fd < 0 || fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || st.st_uid != geteuid ()
      || (st.st_mode & 022) != 0 || st.st_size < SP_CACHE_HDR + 8
      || st.st_size > (off_t) (SP_CACHE_HDR + SP_PATH_MAX + SECCOMP_PROFILE_METADATA_MAX
                               + SP_MAX_INSNS * 8))
    return -1;
  size = (size_t) st.st_size;
  buf = xmalloc (size);
  if (pread (fd, buf, size, 0) != (ssize_t) size)
    return -1;
  memcpy (words, buf + 8, sizeof words);
  /* words: version, n, flags, path length, metadata length, reserved. */
  if (words[1] == 0 || words[1] > SP_MAX_INSNS || words[3] > SP_PATH_MAX
      || words[4] > SECCOMP_PROFILE_METADATA_MAX
      || size != SP_CACHE_HDR + words[3] + words[4] + (size_t) words[1] * 8)
    return -1;
  body = buf + SP_CACHE_HDR;
  prog_len = (size_t) words[1] * sizeof (struct sock_filter);
  sp_cache_header (want, key, words[2], words[3], words[4], words[1], body,
                   size - SP_CACHE_HDR);
  if (memcmp (buf, want, SP_CACHE_HDR) != 0
      || !sp_cache_strings_ok (words[2], body, words[3], body + words[3], words[4]))
    return -1;
  memset (out, 0, sizeof *out);
  out->n = words[1];
  out->flags = words[2];
  if (words[3] > 0)
    out->listener_path = xstrndup ((const char *) body, words[3]);
  if (words[4] > 0)
    out->listener_metadata = xstrndup ((const char *) body + words[3], words[4]);
  out->prog = xmalloc (prog_len);
  memcpy (out->prog, body + words[3] + words[4], prog_len);
  return 0;
}

/* Create the cache directory of path, BASE/husk/seccomp, mode 0700: BASE
 * ($XDG_CACHE_HOME or ~/.cache) and the two below it, but nothing above
 * BASE (a missing home directory, "/nonexistent" for nobody, stays
 * missing).  The directory must end up ours. */
static int
sp_cache_mkdirs (char *dir)
{
  static const char *const below[] = { "/husk/seccomp", "/seccomp", "" };
  size_t len = strlen (dir), tail = strlen (below[0]);
  struct stat st;

  if (len <= tail || strcmp (dir + len - tail, below[0]) != 0)
    return errno = EINVAL, -1;
  for (size_t i = 0; i < 3; i++)
    {
      char saved = dir[len - strlen (below[i])];

      dir[len - strlen (below[i])] = '\0';
      if (mkdir (dir, 0700) < 0 && errno != EEXIST)
        return dir[len - strlen (below[i])] = saved, -1;
      dir[len - strlen (below[i])] = saved;
    }
  if (lstat (dir, &st) < 0 || !S_ISDIR (st.st_mode) || st.st_uid != geteuid ())
    return errno = EPERM, -1;
  return 0;
}

static int
sp_write_all (int fd, const void *data, size_t len)
{
  const char *p = data;

  while (len > 0)
    {
      ssize_t w = write (fd, p, len);
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        return -1;
      p += w;
      len -= (size_t) w;
    }
  return 0;
}

int
seccomp_cache_write (const char *path, const unsigned char key[SHA256_LEN],
                     const struct seccomp_compiled *c)
{
  cleanup_free char *dir = xstrdup (path);
  cleanup_free char *tmp = NULL;
  cleanup_free unsigned char *body = NULL;
  cleanup_fd int fd = -1;
  unsigned char hdr[SP_CACHE_HDR];
  size_t path_len = c->listener_path ? strlen (c->listener_path) : 0;
  size_t meta_len = c->listener_metadata ? strlen (c->listener_metadata) : 0;
  size_t prog_len = c->n * sizeof *c->prog, body_len = path_len + meta_len + prog_len;
  char *slash = strrchr (dir, '/');

  if (slash == NULL || path_len > SP_PATH_MAX || meta_len > SECCOMP_PROFILE_METADATA_MAX
      || c->n == 0 || c->n > SP_MAX_INSNS)
    return errno = EINVAL, -1;
  *slash = '\0';
  if (sp_cache_mkdirs (dir) < 0)
    return -1;
  body = xmalloc (body_len);
  if (path_len > 0)
    memcpy (body, c->listener_path, path_len);
  if (meta_len > 0)
    memcpy (body + path_len, c->listener_metadata, meta_len);
  memcpy (body + path_len + meta_len, c->prog, prog_len);
  tmp = xasprintf ("%s/.tmp-XXXXXX", dir);
  fd = mkstemp (tmp); /* mode 0600 */
  if (fd < 0)
    return -1;
  sp_cache_header (hdr, key, c->flags, (uint32_t) path_len, (uint32_t) meta_len,
                   (uint32_t) c->n, body, body_len);
  if (sp_write_all (fd, hdr, sizeof hdr) < 0 || sp_write_all (fd, body, body_len) < 0
      || close (steal_fd (&fd)) < 0 || rename (tmp, path) < 0)
    {
      int saved = errno;
      unlink (tmp);
      errno = saved;
      return -1;
    }
  return 0;
}

/* ---- Files ------------------------------------------------------------- */

char *
seccomp_profile_resolve (const char *arg)
{
  const char *dir = getenv ("HUSK_DATADIR");

  if (strcmp (arg, "default") != 0)
    return xstrdup (arg);
  if (dir == NULL || dir[0] == '\0')
    dir = HUSK_PKGDATADIR;
  return xasprintf ("%s/seccomp/default.json", dir);
}

static int
sp_read_file (const char *path, const char *where, char **data, size_t *len, struct husk_err *err)
{
  cleanup_fd int fd = open (path, O_RDONLY | O_CLOEXEC);
  cleanup_free char *buf = NULL;
  size_t n = 0;

  if (fd < 0)
    return husk_err_sys (err, "%s: cannot open %s", where, path);
  buf = xmalloc (SP_MAX_PROFILE + 1);
  for (;;)
    {
      ssize_t r = read (fd, buf + n, SP_MAX_PROFILE + 1 - n);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return husk_err_sys (err, "%s: cannot read %s", where, path);
      if (r == 0)
        break;
      n += (size_t) r;
      if (n > SP_MAX_PROFILE)
        return husk_err_set (err, 0, "%s: the profile is larger than %d bytes", where,
                             SP_MAX_PROFILE);
    }
  *data = steal_pointer (&buf);
  *len = n;
  return 0;
}

int
seccomp_profile_load (const char *path, const char *where, struct seccomp_compiled *out,
                      unsigned char key[SHA256_LEN], char **cache_path, struct husk_err *err)
{
  cleanup_free char *data = NULL;
  cleanup_free char *cpath = NULL;
  json_t *profile;
  size_t len = 0;
  int r;

  *cache_path = NULL;
  if (sp_read_file (path, where, &data, &len, err) < 0)
    return -1;
  seccomp_cache_key (data, len, key);
  cpath = seccomp_cache_path (key);
  /* A hit costs a hash and one read: neither jansson nor libseccomp runs. */
  if (cpath != NULL && seccomp_cache_read (cpath, key, out) == 0)
    return 0;
  profile = json_u64_load (data, len, where, err);
  if (profile == NULL)
    return -1;
  r = seccomp_profile_compile (profile, NULL, out, err);
  json_decref (profile);
  if (r < 0)
    return husk_err_prefix (err, "%s", where);
  *cache_path = steal_pointer (&cpath);
  return 0;
}
