/* procattrs.c: process attributes an OCI config asks for (issue 5): the
 * NIS domain name, namespaced sysctls, oom_score_adj, supplementary groups,
 * umask and personality; the scheduler (sched_setattr), the I/O priority
 * (ioprio_set), the CPU affinity (sched_setaffinity) and the NUMA memory
 * policy (set_mempolicy).
 *
 * When: the initial CPU affinity first thing in the child (the process
 * has just joined the sandbox's namespaces and cgroup); the scheduler and
 * the I/O priority in the program's own process (after the pid-1 reaper
 * forked: a SCHED_DEADLINE task may not fork) and before capabilities
 * are dropped; the final CPU affinity and the memory policy just before
 * execve.  All of these are inherited by the program's children.
 *
 * Sysctls are written early in the child, through husk's own /proc (still
 * reachable before pivot_root): /proc/sys/net, kernel.{shm,msg,sem}*,
 * fs/mqueue and kernel.{host,domain}name show the namespaces of the process
 * that opens them, which is already the sandbox's.  This runs before the
 * config's readonlyPaths (usually /proc/sys) are applied, as runc does.
 * Only namespaced keys reach here (the front end refuses the others).
 *
 * Must not: print; write anything under /proc that is not namespaced.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sched.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "exec/exec_int.h"
#include "lib/cleanup.h"
#include "lib/xalloc.h"

static int
procattrs_write (const char *file, const char *value, struct husk_err *err)
{
  cleanup_fd int fd = hostproc_open (file, O_WRONLY | O_NOFOLLOW);
  size_t len = strlen (value);

  if (fd < 0)
    return husk_err_sys (err, "open /proc/%s", file);
  if (write (fd, value, len) != (ssize_t) len)
    return husk_err_sys (err, "write /proc/%s", file);
  return 0;
}

static int
procattrs_sysctls (const struct husk_plan *plan, struct husk_err *err)
{
  for (size_t i = 0; i < plan->n_sysctls; i++)
    {
      const struct husk_sysctl *s = &plan->sysctls[i];
      cleanup_free char *file = xasprintf ("sys/%s", s->key);

      for (char *p = file + strlen ("sys/"); *p != '\0'; p++)
        if (*p == '.')
          *p = '/';
      if (procattrs_write (file, s->value, err) < 0)
        return husk_err_prefix (err, "%s", s->origin.where);
    }
  return 0;
}

int
procattrs_child_early (const struct husk_plan *plan, struct husk_err *err)
{
  if (plan->domainname && setdomainname (plan->domainname, strlen (plan->domainname)) < 0)
    return husk_err_sys (err, "%s", plan->domainname_origin.where);
  if (procattrs_sysctls (plan, err) < 0)
    return -1;
  if (plan->has_oom_score_adj)
    {
      char buf[16];

      snprintf (buf, sizeof buf, "%d", plan->oom_score_adj);
      if (procattrs_write ("self/oom_score_adj", buf, err) < 0)
        {
          if (err->errnum == EACCES || err->errnum == EPERM)
            husk_err_hint (err, "lowering oom_score_adj below its current value needs "
                                "CAP_SYS_RESOURCE on the host");
          return husk_err_prefix (err, "%s", plan->oom_score_adj_origin.where);
        }
    }
  if (plan->n_groups > 0 && setgroups (plan->n_groups, plan->groups) < 0)
    {
      husk_err_sys (err, "%s: setgroups", plan->groups_origin.where);
      if (err->errnum == EPERM)
        husk_err_hint (err, "an unprivileged user namespace denies setgroups; run as root, "
                            "or map the groups with linux.gidMappings (newgidmap)");
      else if (err->errnum == EINVAL)
        husk_err_hint (err, "every group must be mapped in the user namespace "
                            "(linux.gidMappings)");
      return -1;
    }
  return 0;
}

int
procattrs_before_exec (const struct husk_plan *plan, struct husk_err *err)
{
  if (plan->has_umask)
    umask (plan->umask);
  if (plan->has_personality && personality (plan->personality) < 0)
    return husk_err_sys (err, "%s", plan->personality_origin.where);
  return 0;
}

/* ---- scheduler, I/O priority, CPU affinity, memory policy -------------- */

/* struct sched_attr (linux/sched/types.h), SCHED_ATTR_SIZE_VER1: glibc
 * before 2.41 has no wrapper, and the uapi header clashes with <sched.h>. */
struct procattrs_sched_attr
{
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;
  uint64_t sched_deadline;
  uint64_t sched_period;
  uint32_t sched_util_min;
  uint32_t sched_util_max;
};

static int
procattrs_cpus (const struct husk_bitmap *b, struct husk_err *err)
{
  cpu_set_t set;

  CPU_ZERO (&set);
  for (unsigned i = 0; i < HUSK_BITMAP_BITS && i < CPU_SETSIZE; i++)
    if (b->bits[i / 64] & (UINT64_C (1) << (i % 64)))
      CPU_SET (i, &set);
  if (sched_setaffinity (0, sizeof set, &set) < 0)
    {
      husk_err_sys (err, "%s: sched_setaffinity", b->origin.where);
      if (err->errnum == EINVAL)
        husk_err_hint (err, "none of the CPUs listed is online and allowed (cpuset) for "
                            "the sandbox");
      return -1;
    }
  return 0;
}

/* The affinity the child started with: without a final list, the
 * program gets it back (the runtime-spec: the container's default). */
static cpu_set_t procattrs_default_cpus;
static bool procattrs_have_default;

int
procattrs_child_start (const struct husk_plan *plan, struct husk_err *err)
{
  if (!plan->cpus_initial.set)
    return 0;
  if (sched_getaffinity (0, sizeof procattrs_default_cpus, &procattrs_default_cpus) < 0)
    return husk_err_sys (err, "%s: sched_getaffinity", plan->cpus_initial.origin.where);
  procattrs_have_default = true;
  return procattrs_cpus (&plan->cpus_initial, err);
}

static int
procattrs_sched (const struct husk_sched *s, struct husk_err *err)
{
  struct procattrs_sched_attr a = {
    .size = sizeof a,
    .sched_policy = s->policy,
    .sched_flags = s->flags,
    .sched_nice = s->nice,
    .sched_priority = s->priority,
    .sched_runtime = s->runtime,
    .sched_deadline = s->deadline,
    .sched_period = s->period,
    .sched_util_min = 0,
    .sched_util_max = 1024,
  };

  if (syscall (SYS_sched_setattr, 0, &a, 0) == 0)
    return 0;
  husk_err_sys (err, "%s: sched_setattr", s->origin.where);
  if (err->errnum == EPERM)
    husk_err_hint (err, "SCHED_FIFO, SCHED_RR, SCHED_DEADLINE and a nice value below "
                        "the current one need CAP_SYS_NICE in the initial user "
                        "namespace: run husk as root, without a \"user\" namespace");
  else if (err->errnum == EBUSY)
    husk_err_hint (err, "the SCHED_DEADLINE bandwidth asked for is not available");
  return -1;
}

int
procattrs_sched_io (const struct husk_plan *plan, struct husk_err *err)
{
  if (plan->sched.set && procattrs_sched (&plan->sched, err) < 0)
    return -1;
  /* IOPRIO_WHO_PROCESS, this process; the program's children inherit it. */
  if (plan->ioprio.set
      && syscall (SYS_ioprio_set, 1, 0, (plan->ioprio.klass << 13) | plan->ioprio.level) < 0)
    {
      husk_err_sys (err, "%s: ioprio_set", plan->ioprio.origin.where);
      if (err->errnum == EPERM)
        husk_err_hint (err, "IOPRIO_CLASS_RT needs CAP_SYS_ADMIN or CAP_SYS_NICE in the "
                            "initial user namespace: run husk as root, without a \"user\" "
                            "namespace");
      return -1;
    }
  return 0;
}

static int
procattrs_mempolicy (const struct husk_mempolicy *m, struct husk_err *err)
{
  unsigned long mask[HUSK_BITMAP_BITS / (8 * sizeof (unsigned long))];
  bool any = false;

  memset (mask, 0, sizeof mask);
  for (unsigned i = 0; i < HUSK_BITMAP_BITS; i++)
    if (m->nodes.bits[i / 64] & (UINT64_C (1) << (i % 64)))
      {
        mask[i / (8 * sizeof (unsigned long))] |= 1UL << (i % (8 * sizeof (unsigned long)));
        any = true;
      }
  /* maxnode counts one more than the bits the kernel reads (it has always
   * dropped the last one). */
  if (syscall (SYS_set_mempolicy, m->mode | (int) m->flags, any ? mask : NULL,
               any ? (unsigned long) HUSK_BITMAP_BITS + 1 : 0UL)
      == 0)
    return 0;
  husk_err_sys (err, "%s: set_mempolicy", m->origin.where);
  if (err->errnum == EINVAL)
    husk_err_hint (err, "the kernel refused this mode, these flags or these nodes (every "
                        "node must exist and be allowed by the cpuset; "
                        "MPOL_F_NUMA_BALANCING goes with MPOL_BIND)");
  return -1;
}

int
procattrs_last (const struct husk_plan *plan, struct husk_err *err)
{
  if (plan->cpus_final.set && procattrs_cpus (&plan->cpus_final, err) < 0)
    return -1;
  if (!plan->cpus_final.set && procattrs_have_default
      && sched_setaffinity (0, sizeof procattrs_default_cpus, &procattrs_default_cpus) < 0)
    return husk_err_sys (err, "%s: restoring the default CPU affinity",
                         plan->cpus_initial.origin.where);
  if (plan->mempolicy.set && procattrs_mempolicy (&plan->mempolicy, err) < 0)
    return -1;
  return 0;
}

/* linux.intelRdt: refused, with the reason (see husk-oci(5)). */
int
procattrs_check (const struct husk_plan *plan, struct husk_err *err)
{
  struct statfs sf;

  if (!plan->intel_rdt)
    return 0;
  if (statfs ("/sys/fs/resctrl", &sf) < 0 || sf.f_type != 0x7655821 /* RDTGROUP_SUPER_MAGIC */)
    return husk_err_set (err, 0,
                         "%s: resctrl is not mounted at /sys/fs/resctrl (no Intel RDT "
                         "or AMD QoS here)",
                         plan->intel_rdt_origin.where);
  return husk_err_set (err, 0,
                       "%s: not supported yet (resctrl is mounted, but husk does not "
                       "make resource control groups)",
                       plan->intel_rdt_origin.where);
}
