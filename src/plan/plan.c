/* plan.c: lifetime of struct husk_plan, its constructors and the origin
 * helpers.  The plan owns every string and array it points to.
 *
 * Must not: make syscalls, validate (that is check.c), or print (dump.c).
 */
#include "plan/plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "lib/xalloc.h"

/* Lifecycle and joined namespaces (issue 4). */
static struct husk_fdarg *
plan_fdargs (struct husk_plan *plan, size_t i)
{
  struct husk_fdarg *v[] = {
    &plan->info_fd, &plan->json_status_fd, &plan->sync_fd, &plan->block_fd,
    &plan->userns_block_fd, &plan->userns_fd, &plan->userns2_fd,
    &plan->pidfd_fd,
  };

  return i < sizeof v / sizeof v[0] ? v[i] : NULL;
}

static void
plan_lifecycle_init (struct husk_plan *plan)
{
  struct husk_fdarg *f;

  for (size_t i = 0; (f = plan_fdargs (plan, i)) != NULL; i++)
    {
      f->fd = -1;
      f->origin.argi = -1;
    }
  plan->userns_join.fd = -1;
  plan->userns_join.origin.argi = -1;
}

static void
plan_lifecycle_free (struct husk_plan *plan)
{
  struct husk_fdarg *f;
  size_t i;

  for (i = 0; (f = plan_fdargs (plan, i)) != NULL; i++)
    origin_free (&f->origin);
  free (plan->userns_join.path);
  origin_free (&plan->userns_join.origin);
  for (i = 0; i < plan->n_lock_files; i++)
    {
      free (plan->lock_files[i].path);
      origin_free (&plan->lock_files[i].origin);
    }
  free (plan->lock_files);
  for (i = 0; i < plan->n_uid_maps; i++)
    origin_free (&plan->uid_maps[i].origin);
  free (plan->uid_maps);
  for (i = 0; i < plan->n_gid_maps; i++)
    origin_free (&plan->gid_maps[i].origin);
  free (plan->gid_maps);
}

/* Landlock (issue 6). */
static void
plan_landlock_init (struct husk_plan *plan)
{
  plan->landlock_origin.argi = -1;
  plan->landlock_strict_origin.argi = -1;
  for (size_t i = 0; i < HUSK_LANDLOCK_N_SCOPES; i++)
    plan->landlock_scope_origin[i].argi = -1;
}

static void
plan_landlock_free (struct husk_plan *plan)
{
  size_t i;

  origin_free (&plan->landlock_origin);
  origin_free (&plan->landlock_strict_origin);
  for (i = 0; i < HUSK_LANDLOCK_N_SCOPES; i++)
    origin_free (&plan->landlock_scope_origin[i]);
  for (i = 0; i < plan->n_landlock_paths; i++)
    {
      free (plan->landlock_paths[i].path);
      origin_free (&plan->landlock_paths[i].origin);
    }
  free (plan->landlock_paths);
  for (i = 0; i < plan->n_landlock_ports; i++)
    origin_free (&plan->landlock_ports[i].origin);
  free (plan->landlock_ports);
}

/* Process limits, time and joined namespaces (issue 6). */
static void
plan_process2_init (struct husk_plan *plan)
{
  for (size_t i = 0; i < HUSK_CLOCK_COUNT; i++)
    plan->time_offsets[i].origin.argi = -1;
  for (size_t i = 0; i < HUSK_JOIN_COUNT; i++)
    {
      plan->join_ns[i].fd = -1;
      plan->join_ns[i].origin.argi = -1;
    }
  plan->join_pid_origin.argi = -1;
}

static void
plan_process2_free (struct husk_plan *plan)
{
  for (size_t i = 0; i < plan->n_rlimits; i++)
    origin_free (&plan->rlimits[i].origin);
  free (plan->rlimits);
  for (size_t i = 0; i < HUSK_CLOCK_COUNT; i++)
    origin_free (&plan->time_offsets[i].origin);
  for (size_t i = 0; i < HUSK_JOIN_COUNT; i++)
    {
      free (plan->join_ns[i].path);
      origin_free (&plan->join_ns[i].origin);
    }
  origin_free (&plan->join_pid_origin);
}

/* OCI hooks (issue 5). */
static void
plan_strv_free (char **v)
{
  if (v == NULL)
    return;
  for (char **p = v; *p != NULL; p++)
    free (*p);
  free (v);
}

static void
plan_hooks_free (struct husk_plan *plan)
{
  for (size_t i = 0; i < plan->n_hooks; i++)
    {
      free (plan->hooks[i].path);
      plan_strv_free (plan->hooks[i].argv);
      plan_strv_free (plan->hooks[i].env);
      origin_free (&plan->hooks[i].origin);
    }
  free (plan->hooks);
  free (plan->hook_oci_version);
  free (plan->hook_bundle);
  for (size_t i = 0; i < plan->n_annotations; i++)
    {
      free (plan->annotations[i].key);
      free (plan->annotations[i].value);
    }
  free (plan->annotations);
}

struct husk_hook *
plan_add_hook (struct husk_plan *plan, enum husk_hook_kind kind, const char *path,
               const struct husk_origin *origin)
{
  struct husk_hook *h;

  plan->hooks = xgrow (plan->hooks, &plan->cap_hooks, plan->n_hooks + 1, sizeof *plan->hooks);
  h = &plan->hooks[plan->n_hooks++];
  memset (h, 0, sizeof *h);
  h->kind = kind;
  h->path = xstrdup (path);
  h->argv = xcalloc (1, sizeof *h->argv);
  h->env = xcalloc (1, sizeof *h->env);
  h->origin = origin_copy (origin);
  return h;
}

const char *
plan_hook_kind_name (enum husk_hook_kind kind)
{
  switch (kind)
    {
    case HUSK_HOOK_PRESTART: return "prestart";
    case HUSK_HOOK_CREATE_RUNTIME: return "createRuntime";
    case HUSK_HOOK_CREATE_CONTAINER: return "createContainer";
    case HUSK_HOOK_START_CONTAINER: return "startContainer";
    case HUSK_HOOK_POSTSTART: return "poststart";
    case HUSK_HOOK_POSTSTOP: return "poststop";
    default: return "unknown";
    }
}

bool
plan_has_hooks (const struct husk_plan *plan, enum husk_hook_kind kind)
{
  for (size_t i = 0; i < plan->n_hooks; i++)
    if (plan->hooks[i].kind == kind)
      return true;
  return false;
}

/* OCI extras (issue 5). */
static void
plan_oci_extras_init (struct husk_plan *plan)
{
  plan->terminal_origin.argi = -1;
  plan->domainname_origin.argi = -1;
  plan->umask_origin.argi = -1;
  plan->groups_origin.argi = -1;
  plan->oom_score_adj_origin.argi = -1;
  plan->personality_origin.argi = -1;
  plan->sched.origin.argi = -1;
  plan->ioprio.origin.argi = -1;
  plan->cpus_initial.origin.argi = -1;
  plan->cpus_final.origin.argi = -1;
  plan->mempolicy.origin.argi = -1;
  plan->mempolicy.nodes.origin.argi = -1;
  plan->apparmor_origin.argi = -1;
  plan->intel_rdt_origin.argi = -1;
}

static void
plan_oci_extras_free (struct husk_plan *plan)
{
  origin_free (&plan->terminal_origin);
  for (size_t i = 0; i < plan->n_sysctls; i++)
    {
      free (plan->sysctls[i].key);
      free (plan->sysctls[i].value);
      origin_free (&plan->sysctls[i].origin);
    }
  free (plan->sysctls);
  free (plan->domainname);
  origin_free (&plan->domainname_origin);
  origin_free (&plan->umask_origin);
  free (plan->groups);
  origin_free (&plan->groups_origin);
  origin_free (&plan->oom_score_adj_origin);
  origin_free (&plan->personality_origin);
  origin_free (&plan->sched.origin);
  origin_free (&plan->ioprio.origin);
  origin_free (&plan->cpus_initial.origin);
  origin_free (&plan->cpus_final.origin);
  origin_free (&plan->mempolicy.origin);
  origin_free (&plan->mempolicy.nodes.origin);
  free (plan->apparmor_profile);
  origin_free (&plan->apparmor_origin);
  origin_free (&plan->intel_rdt_origin);
  for (size_t i = 0; i < plan->n_netdevs; i++)
    {
      free (plan->netdevs[i].name);
      free (plan->netdevs[i].new_name);
      origin_free (&plan->netdevs[i].origin);
    }
  free (plan->netdevs);
  plan_hooks_free (plan);
}

/* Seccomp profiles, cgroups, networking (issue 6). */
static void
plan_resources_init (struct husk_plan *plan)
{
  plan->memory_max.origin.argi = -1;
  plan->pids_max.origin.argi = -1;
  plan->cpu_max.origin.argi = -1;
  plan->io_weight.origin.argi = -1;
  plan->net_origin.argi = -1;
  plan->cgroup_path_origin.argi = -1;
  plan->cgroup_optional_origin.argi = -1;
  plan->device_rules_origin.argi = -1;
}

static void
plan_resources_free (struct husk_plan *plan)
{
  for (size_t i = 0; i < plan->n_seccomp_store; i++)
    {
      free (plan->seccomp_store[i].path);
      free (plan->seccomp_store[i].prog);
      free (plan->seccomp_store[i].listener_path);
      free (plan->seccomp_store[i].listener_metadata);
    }
  free (plan->seccomp_store);
  origin_free (&plan->memory_max.origin);
  origin_free (&plan->pids_max.origin);
  origin_free (&plan->cpu_max.origin);
  origin_free (&plan->io_weight.origin);
  for (size_t i = 0; i < plan->n_cgroup_writes; i++)
    {
      free (plan->cgroup_writes[i].file);
      free (plan->cgroup_writes[i].value);
      free (plan->cgroup_writes[i].alt_file);
      free (plan->cgroup_writes[i].alt_value);
      origin_free (&plan->cgroup_writes[i].origin);
    }
  free (plan->cgroup_writes);
  free (plan->cgroup_path);
  origin_free (&plan->cgroup_path_origin);
  origin_free (&plan->cgroup_optional_origin);
  for (size_t i = 0; i < plan->n_device_rules; i++)
    origin_free (&plan->device_rules[i].origin);
  free (plan->device_rules);
  origin_free (&plan->device_rules_origin);
  for (size_t i = 0; i < plan->n_pasta_args; i++)
    free (plan->pasta_args[i]);
  free (plan->pasta_args);
  origin_free (&plan->net_origin);
}

bool
plan_has_cgroup_limits (const struct husk_plan *plan)
{
  return plan->memory_max.set || plan->pids_max.set || plan->cpu_max.set || plan->io_weight.set
         || plan->n_cgroup_writes > 0 || plan->cgroup_path != NULL || plan->n_device_rules > 0;
}

struct husk_device_rule *
plan_add_device_rule (struct husk_plan *plan, bool allow, char type, int64_t major, int64_t minor,
                      unsigned access, const struct husk_origin *origin)
{
  struct husk_device_rule *r;

  plan->device_rules = xgrow (plan->device_rules, &plan->cap_device_rules,
                              plan->n_device_rules + 1, sizeof *plan->device_rules);
  r = &plan->device_rules[plan->n_device_rules++];
  *r = (struct husk_device_rule){ .allow = allow, .type = type, .major = major, .minor = minor,
                                  .access = access, .origin = origin_copy (origin) };
  return r;
}

struct husk_cgroup_write *
plan_add_cgroup_write (struct husk_plan *plan, const char *file, const char *value,
                       const struct husk_origin *origin)
{
  struct husk_cgroup_write *w;

  plan->cgroup_writes = xgrow (plan->cgroup_writes, &plan->cap_cgroup_writes,
                               plan->n_cgroup_writes + 1, sizeof *plan->cgroup_writes);
  w = &plan->cgroup_writes[plan->n_cgroup_writes++];
  memset (w, 0, sizeof *w);
  w->file = xstrdup (file);
  w->value = xstrdup (value);
  w->origin = origin_copy (origin);
  return w;
}

struct husk_seccomp *
plan_add_seccomp (struct husk_plan *plan, const void *prog, size_t len, unsigned flags,
                  bool replaceable, const struct husk_origin *origin)
{
  struct husk_seccomp *s;

  plan->seccomp
    = xgrow (plan->seccomp, &plan->cap_seccomp, plan->n_seccomp + 1, sizeof *plan->seccomp);
  s = &plan->seccomp[plan->n_seccomp++];
  memset (s, 0, sizeof *s);
  s->prog = xmalloc (len);
  memcpy (s->prog, prog, len);
  s->len = len;
  s->flags = flags;
  s->replaceable = replaceable;
  s->origin = origin_copy (origin);
  return s;
}

struct husk_seccomp_store *
plan_add_seccomp_store (struct husk_plan *plan, const char *path,
                        const unsigned char key[HUSK_SECCOMP_KEY_LEN], const void *prog,
                        size_t len, unsigned flags, const char *listener_path,
                        const char *listener_metadata)
{
  struct husk_seccomp_store *cs;

  plan->seccomp_store = xgrow (plan->seccomp_store, &plan->cap_seccomp_store,
                               plan->n_seccomp_store + 1, sizeof *plan->seccomp_store);
  cs = &plan->seccomp_store[plan->n_seccomp_store++];
  memset (cs, 0, sizeof *cs);
  cs->path = xstrdup (path);
  memcpy (cs->key, key, sizeof cs->key);
  cs->len = len;
  cs->prog = xmalloc (len);
  memcpy (cs->prog, prog, len);
  cs->flags = flags;
  cs->listener_path = listener_path ? xstrdup (listener_path) : NULL;
  cs->listener_metadata = listener_metadata ? xstrdup (listener_metadata) : NULL;
  return cs;
}

void
plan_init (struct husk_plan *plan)
{
  memset (plan, 0, sizeof *plan);
  plan->unshare_user_origin.argi = -1;
  plan->uid_origin.argi = -1;
  plan->gid_origin.argi = -1;
  plan->hostname_origin.argi = -1;
  plan->chdir_origin.argi = -1;
  /* Security (issue 4). */
  plan->seccomp_agent.origin.argi = -1;
  plan->exec_label_origin.argi = -1;
  plan->file_label_origin.argi = -1;
  /* Lifecycle and joined namespaces (issue 4). */
  plan_lifecycle_init (plan);
  /* Landlock (issue 6). */
  plan_landlock_init (plan);
  /* Process limits, time and joined namespaces (issue 6). */
  plan_process2_init (plan);
  /* Seccomp profiles, cgroups, networking (issue 6). */
  plan_resources_init (plan);
  /* OCI extras (issue 5). */
  plan_oci_extras_init (plan);
}

static void
plan_op_free (struct husk_op *op)
{
  size_t i;

  free (op->src);
  free (op->dest);
  for (i = 0; i < op->n_overlay_srcs; i++)
    free (op->overlay_srcs[i]);
  free (op->overlay_srcs);
  free (op->overlay_work);
  for (i = 0; i < op->n_idmap_uids; i++)
    origin_free (&op->idmap_uids[i].origin);
  free (op->idmap_uids);
  for (i = 0; i < op->n_idmap_gids; i++)
    origin_free (&op->idmap_gids[i].origin);
  free (op->idmap_gids);
  origin_free (&op->origin);
}

static void
plan_free_strv (char **v)
{
  size_t i;

  if (v == NULL)
    return;
  for (i = 0; v[i] != NULL; i++)
    free (v[i]);
  free (v);
}

/* Issue 5: the seccomp agent's strings. */
static void
plan_seccomp_agent_free (struct husk_seccomp_agent *a)
{
  free (a->path);
  free (a->metadata);
  origin_free (&a->origin);
}

/* Safe on a partially filled plan; leaves it freshly initialised. */
void
plan_free (struct husk_plan *plan)
{
  size_t i;

  for (i = 0; i < plan->n_ops; i++)
    plan_op_free (&plan->ops[i]);
  free (plan->ops);
  for (i = 0; i < plan->n_env; i++)
    {
      free (plan->env[i].name);
      free (plan->env[i].value);
      origin_free (&plan->env[i].origin);
    }
  free (plan->env);
  origin_free (&plan->unshare_user_origin);
  origin_free (&plan->uid_origin);
  origin_free (&plan->gid_origin);
  free (plan->hostname);
  origin_free (&plan->hostname_origin);
  free (plan->chdir);
  origin_free (&plan->chdir_origin);
  free (plan->argv0);
  plan_free_strv (plan->argv);
  free (plan->keep_fds);
  /* Security (issue 4). */
  for (i = 0; i < plan->n_seccomp; i++)
    {
      free (plan->seccomp[i].prog);
      origin_free (&plan->seccomp[i].origin);
    }
  free (plan->seccomp);
  plan_seccomp_agent_free (&plan->seccomp_agent);
  free (plan->exec_label);
  origin_free (&plan->exec_label_origin);
  free (plan->file_label);
  origin_free (&plan->file_label_origin);
  /* Lifecycle and joined namespaces (issue 4). */
  plan_lifecycle_free (plan);
  /* Landlock (issue 6). */
  plan_landlock_free (plan);
  /* Process limits, time and joined namespaces (issue 6). */
  plan_process2_free (plan);
  /* Seccomp profiles, cgroups, networking (issue 6). */
  plan_resources_free (plan);
  /* OCI extras (issue 5). */
  plan_oci_extras_free (plan);
  free (plan->oci_path);
  plan_init (plan);
}

struct husk_op *
plan_add_op (struct husk_plan *plan, enum husk_op_kind kind,
             const struct husk_origin *origin)
{
  struct husk_op *op;

  plan->ops = xgrow (plan->ops, &plan->cap_ops, plan->n_ops + 1,
                     sizeof *plan->ops);
  op = &plan->ops[plan->n_ops++];
  memset (op, 0, sizeof *op);
  op->kind = kind;
  op->fd = -1;
  op->perms = HUSK_PERMS_UNSET;
  op->size = HUSK_SIZE_UNSET;
  op->origin = origin_copy (origin);
  return op;
}

struct husk_envop *
plan_add_env (struct husk_plan *plan, enum husk_env_kind kind,
              const char *name, const char *value,
              const struct husk_origin *origin)
{
  struct husk_envop *e;

  plan->env = xgrow (plan->env, &plan->cap_env, plan->n_env + 1,
                     sizeof *plan->env);
  e = &plan->env[plan->n_env++];
  memset (e, 0, sizeof *e);
  e->kind = kind;
  e->name = name ? xstrdup (name) : NULL;
  e->value = value ? xstrdup (value) : NULL;
  e->origin = origin_copy (origin);
  return e;
}

/* Insert fd keeping keep_fds sorted and unique. */
void
plan_keep_fd (struct husk_plan *plan, int fd)
{
  size_t i;

  for (i = 0; i < plan->n_keep_fds && plan->keep_fds[i] <= fd; i++)
    if (plan->keep_fds[i] == fd)
      return;
  plan->keep_fds = xgrow (plan->keep_fds, &plan->cap_keep_fds,
                          plan->n_keep_fds + 1, sizeof *plan->keep_fds);
  memmove (&plan->keep_fds[i + 1], &plan->keep_fds[i],
           (plan->n_keep_fds - i) * sizeof *plan->keep_fds);
  plan->keep_fds[i] = fd;
  plan->n_keep_fds++;
}

struct husk_origin
origin_make (int argi, const char *fmt, ...)
{
  struct husk_origin o;
  va_list ap;
  int n;

  va_start (ap, fmt);
  n = vsnprintf (NULL, 0, fmt, ap);
  va_end (ap);
  if (n < 0)
    husk_die ("cannot format an origin");
  o.where = xmalloc ((size_t) n + 1);
  va_start (ap, fmt);
  vsnprintf (o.where, (size_t) n + 1, fmt, ap);
  va_end (ap);
  o.argi = argi;
  return o;
}

struct husk_origin
origin_copy (const struct husk_origin *o)
{
  struct husk_origin c = { NULL, -1 };

  if (o == NULL)
    return c;
  c.where = o->where ? xstrdup (o->where) : NULL;
  c.argi = o->argi;
  return c;
}

void
origin_free (struct husk_origin *o)
{
  free (o->where);
  o->where = NULL;
  o->argi = -1;
}

const char *
plan_op_kind_name (enum husk_op_kind kind)
{
  switch (kind)
    {
    case HUSK_OP_BIND: return "bind";
    case HUSK_OP_BIND_FD: return "bind-fd";
    case HUSK_OP_REMOUNT_RO: return "remount-ro";
    case HUSK_OP_PROC: return "proc";
    case HUSK_OP_DEV: return "dev";
    case HUSK_OP_TMPFS: return "tmpfs";
    case HUSK_OP_MQUEUE: return "mqueue";
    case HUSK_OP_DIR: return "dir";
    case HUSK_OP_FILE: return "file";
    case HUSK_OP_BIND_DATA: return "bind-data";
    case HUSK_OP_SYMLINK: return "symlink";
    case HUSK_OP_CHMOD: return "chmod";
    case HUSK_OP_OVERLAY: return "overlay";
    case HUSK_OP_DEVPTS: return "devpts";
    case HUSK_OP_MASK: return "mask";
    case HUSK_OP_RO_SELF: return "ro-self";
    case HUSK_OP_DEVICE: return "device";
    case HUSK_OP_PROPAGATE: return "propagate";
    case HUSK_OP_CGROUP: return "cgroup";
    case HUSK_OP_SETATTR: return "setattr";
    default: return "unknown";
    }
}

/* Landlock (issue 6). */
struct husk_landlock_path *
plan_add_landlock_path (struct husk_plan *plan, enum husk_landlock_access access,
                        const char *path, const struct husk_origin *origin)
{
  struct husk_landlock_path *p;

  plan->landlock_paths = xgrow (plan->landlock_paths, &plan->cap_landlock_paths,
                                plan->n_landlock_paths + 1, sizeof *plan->landlock_paths);
  p = &plan->landlock_paths[plan->n_landlock_paths++];
  p->access = access;
  p->path = xstrdup (path);
  p->origin = origin_copy (origin);
  return p;
}

struct husk_landlock_port *
plan_add_landlock_port (struct husk_plan *plan, bool connect, uint16_t port,
                        const struct husk_origin *origin)
{
  struct husk_landlock_port *p;

  plan->landlock_ports = xgrow (plan->landlock_ports, &plan->cap_landlock_ports,
                                plan->n_landlock_ports + 1, sizeof *plan->landlock_ports);
  p = &plan->landlock_ports[plan->n_landlock_ports++];
  p->connect = connect;
  p->port = port;
  p->origin = origin_copy (origin);
  return p;
}

/* Process limits, time and joined namespaces (issue 6). */
struct husk_rlimit *
plan_set_rlimit (struct husk_plan *plan, int resource, const struct husk_origin *origin)
{
  struct husk_rlimit *r = NULL;

  for (size_t i = 0; i < plan->n_rlimits && r == NULL; i++)
    if (plan->rlimits[i].resource == resource)
      r = &plan->rlimits[i];
  if (r == NULL)
    {
      plan->rlimits = xgrow (plan->rlimits, &plan->cap_rlimits, plan->n_rlimits + 1,
                             sizeof *plan->rlimits);
      r = &plan->rlimits[plan->n_rlimits++];
    }
  else
    origin_free (&r->origin);
  memset (r, 0, sizeof *r);
  r->resource = resource;
  r->origin = origin_copy (origin);
  return r;
}

const char *
plan_clock_name (enum husk_clock clock)
{
  switch (clock)
    {
    case HUSK_CLOCK_MONOTONIC:
      return "monotonic";
    case HUSK_CLOCK_BOOTTIME:
      return "boottime";
    default:
      return "?";
    }
}

const char *
plan_join_name (enum husk_join_kind kind)
{
  switch (kind)
    {
    case HUSK_JOIN_NET:
      return "net";
    case HUSK_JOIN_MNT:
      return "mnt";
    case HUSK_JOIN_UTS:
      return "uts";
    case HUSK_JOIN_IPC:
      return "ipc";
    case HUSK_JOIN_CGROUP:
      return "cgroup";
    case HUSK_JOIN_TIME:
      return "time";
    case HUSK_JOIN_PID:
      return "pid";
    default:
      return "?";
    }
}

bool
plan_joins_userns (const struct husk_plan *plan)
{
  return plan->userns_fd.fd >= 0 || plan->userns_join.path != NULL;
}

const struct husk_origin *
plan_userns_join_origin (const struct husk_plan *plan)
{
  return plan->userns_join.path != NULL ? &plan->userns_join.origin : &plan->userns_fd.origin;
}
