/* procattrs.c: process attributes an OCI config asks for (issue 5): the
 * NIS domain name, namespaced sysctls, oom_score_adj, supplementary groups,
 * umask and personality.
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
#include <sys/personality.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec/exec_int.h"
#include "lib/cleanup.h"
#include "lib/xalloc.h"

static int
procattrs_write (const char *file, const char *value, struct husk_err *err)
{
  cleanup_fd int fd = open (file, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  size_t len = strlen (value);

  if (fd < 0)
    return husk_err_sys (err, "open %s", file);
  if (write (fd, value, len) != (ssize_t) len)
    return husk_err_sys (err, "write %s", file);
  return 0;
}

static int
procattrs_sysctls (const struct husk_plan *plan, struct husk_err *err)
{
  for (size_t i = 0; i < plan->n_sysctls; i++)
    {
      const struct husk_sysctl *s = &plan->sysctls[i];
      cleanup_free char *file = xasprintf ("/proc/sys/%s", s->key);

      for (char *p = file + strlen ("/proc/sys/"); *p != '\0'; p++)
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
      if (procattrs_write ("/proc/self/oom_score_adj", buf, err) < 0)
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
