/* landlock.c: the sandbox's Landlock domain (issue 6): which paths the
 * program may reach and how, which TCP ports it may bind or connect to,
 * and which scopes (abstract unix sockets, signals) end at the sandbox.
 *
 * Landlock is how an unprivileged process restricts itself below what its
 * uid and the mounts allow: a file reachable through --ro-bind / / stays
 * unreadable unless a rule lists it.  The rules are made after pivot_root,
 * so paths are resolved in the sandbox's own tree (a rule on a host path
 * could not name the sandbox's mounts), and after caps_apply, which sets
 * no_new_privs (the kernel requires it, or CAP_SYS_ADMIN, for
 * landlock_restrict_self).  seccomp comes after us: a user filter could
 * forbid the Landlock syscalls.
 *
 * The kernel's ABI version is read at run time.  Every right the running
 * kernel knows is handled (denied unless a rule grants it); by default a
 * right the kernel lacks is dropped (best effort, as the Landlock
 * documentation recommends), with a warning when the user asked for it
 * explicitly (a port or a scope); with --landlock-strict any missing right
 * is an error naming it and the ABI it needs.
 *
 * Only raw syscalls: the structures are declared here because build hosts
 * may ship an older <linux/landlock.h> (Debian 12's stops at ABI 2).
 *
 * Must not: run before pivot_root or before no_new_privs; print (the
 * parent's landlock_check warns through husk_warn, before the clone).
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "exec/exec_int.h"
#include "lib/cleanup.h"

/* Syscall numbers are the same on every architecture (5.13). */
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#endif
#ifndef SYS_landlock_add_rule
#define SYS_landlock_add_rule 445
#endif
#ifndef SYS_landlock_restrict_self
#define SYS_landlock_restrict_self 446
#endif

/* The kernel's constants (include/uapi/linux/landlock.h), with husk names
 * so that an installed header, old or new, cannot clash. */
#define LL_CREATE_RULESET_VERSION (1u << 0)
#define LL_RULE_PATH_BENEATH      1
#define LL_RULE_NET_PORT          2

#define LL_FS_EXECUTE     (1ull << 0)
#define LL_FS_WRITE_FILE  (1ull << 1)
#define LL_FS_READ_FILE   (1ull << 2)
#define LL_FS_READ_DIR    (1ull << 3)
#define LL_FS_REMOVE_DIR  (1ull << 4)
#define LL_FS_REMOVE_FILE (1ull << 5)
#define LL_FS_MAKE_CHAR   (1ull << 6)
#define LL_FS_MAKE_DIR    (1ull << 7)
#define LL_FS_MAKE_REG    (1ull << 8)
#define LL_FS_MAKE_SOCK   (1ull << 9)
#define LL_FS_MAKE_FIFO   (1ull << 10)
#define LL_FS_MAKE_BLOCK  (1ull << 11)
#define LL_FS_MAKE_SYM    (1ull << 12)
#define LL_FS_REFER       (1ull << 13) /* ABI 2 */
#define LL_FS_TRUNCATE    (1ull << 14) /* ABI 3 */
#define LL_FS_IOCTL_DEV   (1ull << 15) /* ABI 5 */
#define LL_FS_ABI1        ((1ull << 13) - 1)

#define LL_NET_BIND_TCP    (1ull << 0) /* ABI 4 */
#define LL_NET_CONNECT_TCP (1ull << 1) /* ABI 4 */

#define LL_SCOPE_ABSTRACT_UNIX (1ull << 0) /* ABI 6 */
#define LL_SCOPE_SIGNAL        (1ull << 1) /* ABI 6 */

/* Rights that make sense on a file that is not a directory; the kernel
 * refuses a rule on such a file that grants any other. */
#define LL_FS_FILE_RIGHTS \
  (LL_FS_EXECUTE | LL_FS_WRITE_FILE | LL_FS_READ_FILE | LL_FS_TRUNCATE | LL_FS_IOCTL_DEV)

#define LL_FS_RO (LL_FS_READ_FILE | LL_FS_READ_DIR)
#define LL_FS_RW                                                                            \
  (LL_FS_RO | LL_FS_WRITE_FILE | LL_FS_REMOVE_DIR | LL_FS_REMOVE_FILE | LL_FS_MAKE_CHAR     \
   | LL_FS_MAKE_DIR | LL_FS_MAKE_REG | LL_FS_MAKE_SOCK | LL_FS_MAKE_FIFO | LL_FS_MAKE_BLOCK \
   | LL_FS_MAKE_SYM | LL_FS_REFER | LL_FS_TRUNCATE | LL_FS_IOCTL_DEV)
#define LL_FS_EXEC (LL_FS_RO | LL_FS_EXECUTE)

struct ll_ruleset_attr
{
  uint64_t handled_access_fs;
  uint64_t handled_access_net; /* ABI 4 */
  uint64_t scoped;             /* ABI 6 */
};

struct ll_path_beneath_attr
{
  uint64_t allowed_access;
  int32_t parent_fd;
} __attribute__ ((packed));

struct ll_net_port_attr
{
  uint64_t allowed_access;
  uint64_t port;
};

/* One right that appeared after ABI 1, for best-effort drops and
 * --landlock-strict messages. */
struct ll_right
{
  int abi;
  const char *name;
};
static const struct ll_right ll_fs_late[] = {
  { 2, "refer (renaming and linking across directories)" },
  { 3, "truncate" },
  { 5, "ioctl-dev (ioctl on device files)" },
};
static const uint64_t ll_fs_late_bits[] = { LL_FS_REFER, LL_FS_TRUNCATE, LL_FS_IOCTL_DEV };

/* What the domain will handle, given the kernel's ABI. */
struct ll_want
{
  int abi;
  uint64_t fs, net, scoped;
};

int
landlock_abi (void)
{
  long v = syscall (SYS_landlock_create_ruleset, NULL, (size_t) 0, LL_CREATE_RULESET_VERSION);

  return v < 0 ? -1 : (int) v;
}

static uint64_t
ll_fs_for_abi (int abi)
{
  uint64_t fs = LL_FS_ABI1;

  for (size_t i = 0; i < sizeof ll_fs_late / sizeof ll_fs_late[0]; i++)
    if (abi >= ll_fs_late[i].abi)
      fs |= ll_fs_late_bits[i];
  return fs;
}

static bool
ll_has_ports (const struct husk_plan *plan)
{
  return plan->n_landlock_ports > 0;
}

static void
ll_want_for_abi (const struct husk_plan *plan, int abi, struct ll_want *w)
{
  w->abi = abi;
  w->fs = ll_fs_for_abi (abi);
  /* Only fs flags given: the network is left alone (documented). */
  w->net = ll_has_ports (plan) && abi >= 4 ? LL_NET_BIND_TCP | LL_NET_CONNECT_TCP : 0;
  w->scoped = 0;
  if (abi >= 6)
    {
      if (plan->landlock_scopes & HUSK_LANDLOCK_SCOPE_ABSTRACT_UNIX)
        w->scoped |= LL_SCOPE_ABSTRACT_UNIX;
      if (plan->landlock_scopes & HUSK_LANDLOCK_SCOPE_SIGNAL)
        w->scoped |= LL_SCOPE_SIGNAL;
    }
}

/* The kernel has no Landlock at all: say why. */
static const char *
ll_absent_reason (int errnum)
{
  if (errnum == EOPNOTSUPP)
    return "Landlock is disabled in this kernel (enable it with the lsm= boot parameter)";
  if (errnum == ENOSYS)
    return "this kernel has no Landlock (needs Linux 5.13 or later, built with it)";
  return "Landlock is not available";
}

/* First thing the plan asks for that the kernel's ABI lacks: the origin to
 * name, the right and the ABI it needs.  False when nothing is missing. */
static bool
ll_first_missing (const struct husk_plan *plan, int abi, const char **where, const char **right,
                  int *need)
{
  static const char *const scope_names[HUSK_LANDLOCK_N_SCOPES] = {
    "the abstract-unix scope",
    "the signal scope",
  };

  if (ll_has_ports (plan) && abi < 4)
    {
      *where = plan->landlock_ports[0].origin.where;
      *right = "a TCP port rule";
      *need = 4;
      return true;
    }
  for (size_t i = 0; i < HUSK_LANDLOCK_N_SCOPES; i++)
    if ((plan->landlock_scopes & (1u << i)) && abi < 6)
      {
        *where = plan->landlock_scope_origin[i].where;
        *right = scope_names[i];
        *need = 6;
        return true;
      }
  for (size_t i = 0; i < sizeof ll_fs_late / sizeof ll_fs_late[0]; i++)
    if (abi < ll_fs_late[i].abi)
      {
        *where = plan->landlock_strict_origin.where;
        *right = ll_fs_late[i].name;
        *need = ll_fs_late[i].abi;
        return true;
      }
  return false;
}

/* Phase 0, in the parent: fail under --landlock-strict, warn (best effort)
 * when a port or scope the user asked for cannot be enforced.  abi is the
 * kernel's (negative: none, errnum says why); separate for the unit tests. */
int
landlock_check_abi (const struct husk_plan *plan, int abi, int errnum, struct husk_err *err)
{
  const char *strict = plan->landlock_strict_origin.where;
  const char *where = NULL, *right = NULL;
  int need = 0;

  if (!plan->landlock)
    return 0;
  if (abi < 0)
    {
      if (plan->landlock_strict)
        return husk_err_set (err, 0, "%s: %s", strict, ll_absent_reason (errnum));
      husk_warn ("%s: %s; the sandbox runs without Landlock (--landlock-strict makes this "
                 "an error)",
                 plan->landlock_origin.where, ll_absent_reason (errnum));
      return 0;
    }
  if (!ll_first_missing (plan, abi, &where, &right, &need))
    return 0;
  if (plan->landlock_strict)
    {
      bool is_strict = where == NULL || where == strict;

      return husk_err_set (err, 0, "%s: %s needs Landlock ABI %d, this kernel has ABI %d%s",
                           where ? where : "--landlock-strict", right, need, abi,
                           is_strict ? "" : " (--landlock-strict)");
    }
  /* Best effort: quietly for rights nobody named (refer, truncate,
   * ioctl-dev), aloud for a port or scope that was asked for. */
  if (ll_has_ports (plan) && abi < 4)
    husk_warn ("%s: TCP rules need Landlock ABI 4, this kernel has ABI %d: not enforced",
               plan->landlock_ports[0].origin.where, abi);
  for (size_t i = 0; i < HUSK_LANDLOCK_N_SCOPES; i++)
    if ((plan->landlock_scopes & (1u << i)) && abi < 6)
      husk_warn ("%s: scopes need Landlock ABI 6, this kernel has ABI %d: not enforced",
                 plan->landlock_scope_origin[i].where, abi);
  return 0;
}

int
landlock_check (const struct husk_plan *plan, struct husk_err *err)
{
  int abi;

  if (!plan->landlock)
    return 0;
  abi = landlock_abi ();
  return landlock_check_abi (plan, abi, abi < 0 ? errno : 0, err);
}

static uint64_t
ll_access_bits (enum husk_landlock_access access)
{
  switch (access)
    {
    case HUSK_LANDLOCK_RO:
      return LL_FS_RO;
    case HUSK_LANDLOCK_RW:
      return LL_FS_RW;
    case HUSK_LANDLOCK_EXEC:
      return LL_FS_EXEC;
    default:
      return 0;
    }
}

static int
ll_add_path (int ruleset, const struct husk_landlock_path *p, const struct ll_want *w,
             struct husk_err *err)
{
  struct ll_path_beneath_attr attr = { 0 };
  cleanup_fd int fd = open (p->path, O_PATH | O_CLOEXEC);
  struct stat st;

  if (fd < 0)
    return husk_err_sys (err, "%s", p->origin.where);
  if (fstat (fd, &st) < 0)
    return husk_err_sys (err, "%s: fstat", p->origin.where);
  attr.allowed_access = ll_access_bits (p->access) & w->fs;
  if (!S_ISDIR (st.st_mode))
    attr.allowed_access &= LL_FS_FILE_RIGHTS;
  attr.parent_fd = fd;
  /* E.g. --landlock-ro on a file on ABI 1 still grants read_file; an
   * empty set cannot happen, but the kernel would refuse it (ENOMSG). */
  if (attr.allowed_access == 0)
    return 0;
  if (syscall (SYS_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &attr, 0) < 0)
    return husk_err_sys (err, "%s: landlock_add_rule", p->origin.where);
  return 0;
}

static int
ll_add_port (int ruleset, const struct husk_landlock_port *p, const struct ll_want *w,
             struct husk_err *err)
{
  struct ll_net_port_attr attr = { 0 };

  attr.allowed_access = (p->connect ? LL_NET_CONNECT_TCP : LL_NET_BIND_TCP) & w->net;
  attr.port = p->port;
  if (attr.allowed_access == 0)
    return 0;
  if (syscall (SYS_landlock_add_rule, ruleset, LL_RULE_NET_PORT, &attr, 0) < 0)
    return husk_err_sys (err, "%s: landlock_add_rule", p->origin.where);
  return 0;
}

/* The size of struct ll_ruleset_attr this ABI knows: an older kernel
 * refuses a longer one only if the extra fields are non-zero, but giving
 * it exactly what it knows keeps the request plain. */
static size_t
ll_attr_size (int abi)
{
  if (abi >= 6)
    return sizeof (struct ll_ruleset_attr);
  if (abi >= 4)
    return offsetof (struct ll_ruleset_attr, scoped);
  return offsetof (struct ll_ruleset_attr, handled_access_net);
}

/* Child, after caps_apply (no_new_privs is set) and before seccomp. */
int
landlock_apply (const struct husk_plan *plan, struct husk_err *err)
{
  struct ll_ruleset_attr attr = { 0 };
  struct ll_want w;
  cleanup_fd int ruleset = -1;
  int abi;

  if (!plan->landlock)
    return 0;
  abi = landlock_abi ();
  if (abi < 0)
    {
      /* landlock_check already failed (strict) or warned (best effort). */
      if (plan->landlock_strict)
        return husk_err_set (err, errno, "%s: %s", plan->landlock_strict_origin.where,
                             ll_absent_reason (errno));
      return 0;
    }
  ll_want_for_abi (plan, abi, &w);
  attr.handled_access_fs = w.fs;
  attr.handled_access_net = w.net;
  attr.scoped = w.scoped;
  ruleset = (int) syscall (SYS_landlock_create_ruleset, &attr, ll_attr_size (abi), 0u);
  if (ruleset < 0)
    return husk_err_sys (err, "%s: landlock_create_ruleset", plan->landlock_origin.where);
  for (size_t i = 0; i < plan->n_landlock_paths; i++)
    if (ll_add_path (ruleset, &plan->landlock_paths[i], &w, err) < 0)
      return -1;
  for (size_t i = 0; i < plan->n_landlock_ports; i++)
    if (ll_add_port (ruleset, &plan->landlock_ports[i], &w, err) < 0)
      return -1;
  if (syscall (SYS_landlock_restrict_self, ruleset, 0u) < 0)
    return husk_err_sys (err, "%s: landlock_restrict_self", plan->landlock_origin.where);
  return 0;
}
