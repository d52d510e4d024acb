/* oci_int.h: what the OCI front end's files share: the load context and
 * the path-tracking JSON getters (json.c).
 *
 * Every getter takes the JSON path of the object it reads from ("" for the
 * top level) and words its error with the member's full path, so that
 * every message names what the user wrote: "process.args[1]: expected a
 * string, got a number".
 *
 * Must not: be included outside src/oci.
 */
#ifndef HUSK_OCI_INT_H
#define HUSK_OCI_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "oci/oci.h"

struct oci_ctx
{
  struct husk_plan *plan;
  const char *bundle; /* absolute bundle directory */
  unsigned warnings;  /* warnings printed so far */
  bool userns;        /* linux.namespaces has "user" */
  bool userns_joined; /* ... with a path: joined, its id maps are given */
  bool root_readonly; /* root.readonly */
  enum husk_propagation root_prop; /* linux.rootfsPropagation, or NONE */
  bool root_prop_rec;
  bool has_dev_tmpfs; /* mounts[] put a fresh tmpfs on /dev */
  bool has_devpts;    /* mounts[] put a devpts on /dev/pts */
  unsigned ns_seen;   /* HUSK_NS_* in linux.namespaces, new or joined by path */
};

/* "base.key" (or "key" at the top level) and "base[i]"; caller frees. */
char *oci_path_key (const char *base, const char *key);
char *oci_path_index (const char *base, size_t i);

/* Parse text; a syntax error names `name`, its line and column. */
int oci_json_parse (const char *text, size_t len, const char *name, json_t **out,
                    struct husk_err *err);

/* s in double quotes, '"' and '\\' escaped, other bytes outside printable
 * ASCII as \ooo: a value quoted in a message.  Caller frees. */
char *oci_quote (const char *s);

/* "a string", "an array", ... for messages. */
const char *oci_json_kind (const json_t *v);

/* v must have JSON type `type`; err: "PATH: expected X, got Y". */
int oci_expect (const json_t *v, json_type type, const char *path, struct husk_err *err);

/* Members of obj (at path `base`).  An absent member (or JSON null) leaves
 * *out NULL / *present false and returns 0; a member of the wrong type is
 * an error naming base.key. */
int oci_get (json_t *obj, const char *base, const char *key, json_type type, json_t **out,
             struct husk_err *err);
int oci_get_string (json_t *obj, const char *base, const char *key, const char **out,
                    struct husk_err *err);
int oci_get_bool (json_t *obj, const char *base, const char *key, bool *out, struct husk_err *err);
/* An integer in [min, max]. */
int oci_get_int (json_t *obj, const char *base, const char *key, int64_t min, int64_t max,
                 int64_t *out, bool *present, struct husk_err *err);
/* An integer in [0, max], max up to UINT64_MAX (RLIM_INFINITY). */
int oci_get_uint (json_t *obj, const char *base, const char *key, uint64_t max, uint64_t *out,
                  bool *present, struct husk_err *err);
/* v (at path) must be an integer in [0, max]. */
int oci_uint_value (const json_t *v, const char *path, uint64_t max, uint64_t *out,
                    struct husk_err *err);
/* Element i of an array of strings. */
int oci_string_at (json_t *arr, const char *base, size_t i, const char **out, struct husk_err *err);

/* Warn once per member of obj whose name is not in known (NULL-ended):
 * "PATH: unknown property, ignored". */
void oci_warn_unknown (struct oci_ctx *ctx, json_t *obj, const char *base,
                       const char *const *known);
void oci_warn (struct oci_ctx *ctx, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/* A member that husk cannot honour yet: error when present and not empty
 * (null, false, "", [] and {} count as empty). */
int oci_unsupported (json_t *obj, const char *base, const char *key, struct husk_err *err);

/* load_mounts.c: mounts[], default devices and links, linux.devices,
 * maskedPaths, readonlyPaths, root.readonly, in the runtime-spec's order. */
int oci_load_mounts (struct oci_ctx *ctx, json_t *root, struct husk_err *err);
/* load_devices.c: linux.devices (lx may be NULL). */
int oci_load_devices (struct oci_ctx *ctx, json_t *lx, struct husk_err *err);

/* load_extras.c (issue 5): each reads its member of `proc`, `user`, `lx`
 * (the linux object) or `root`, and fills the plan. */
int oci_load_rlimits (struct oci_ctx *ctx, json_t *proc, struct husk_err *err);
int oci_load_terminal (struct oci_ctx *ctx, json_t *proc, struct husk_err *err);
int oci_load_user_extras (struct oci_ctx *ctx, json_t *user, struct husk_err *err);
int oci_load_seccomp (struct oci_ctx *ctx, json_t *lx, struct husk_err *err);
int oci_load_sysctl (struct oci_ctx *ctx, json_t *lx, struct husk_err *err);
int oci_load_personality (struct oci_ctx *ctx, json_t *lx, struct husk_err *err);
int oci_load_time_offsets (struct oci_ctx *ctx, json_t *lx, struct husk_err *err);
int oci_load_domainname (struct oci_ctx *ctx, json_t *root, struct husk_err *err);

/* load_attrs.c (issue 5): process.scheduler, ioPriority, execCPUAffinity,
 * apparmorProfile; linux.memoryPolicy, intelRdt, netDevices. */
int oci_load_scheduler (struct oci_ctx *ctx, json_t *proc, struct husk_err *err);
int oci_load_io_priority (struct oci_ctx *ctx, json_t *proc, struct husk_err *err);
int oci_load_cpu_affinity (struct oci_ctx *ctx, json_t *proc, struct husk_err *err);
int oci_load_apparmor (struct oci_ctx *ctx, json_t *proc, struct husk_err *err);
int oci_load_memory_policy (struct oci_ctx *ctx, json_t *lx, struct husk_err *err);
int oci_load_intel_rdt (struct oci_ctx *ctx, json_t *lx, struct husk_err *err);
int oci_load_net_devices (struct oci_ctx *ctx, json_t *lx, struct husk_err *err);

/* load_resources.c (issue 5): linux.resources and linux.cgroupsPath. */
int oci_load_resources (struct oci_ctx *ctx, json_t *lx, struct husk_err *err);

#endif
