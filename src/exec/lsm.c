/* lsm.c: SELinux labels (--exec-label, --file-label), through libselinux
 * when husk was built with it (HAVE_SELINUX); the OCI AppArmor profile
 * (process.apparmorProfile, issue 5), through libapparmor when husk was
 * built with it (HAVE_APPARMOR).  Both libraries are dlopen()ed.  A static
 * husk cannot load them safely and uses the kernel's own files instead
 * (HUSK_SELINUX_KERNEL, HUSK_APPARMOR_KERNEL: src/lib/lsm_kernel.c).
 *
 * libselinux is loaded with dlopen only when a label is asked for: linked
 * normally, its constructor (statfs of selinuxfs, reading
 * /proc/filesystems and /etc/selinux/config, loading libpcre2) ran on
 * every start and was most of husk's start-up instructions.
 *
 * When husk was built without SELinux, or SELinux is not enabled on the
 * running system, a label option is an error naming it: silently running
 * the program unconfined when the caller asked for a confining label would
 * be worse than refusing.  (bwrap 0.8 refuses the same way: "labeling not
 * supported on this system".)
 *
 * The AppArmor profile is refused the same way when AppArmor is not
 * enabled; otherwise husk asks for it at the program's execve, writing
 * "exec PROFILE" as aa_change_onexec does.
 *
 * The exec label and the AppArmor profile are written by husk itself, in
 * every build, to the thread's attribute files found through the host's
 * /proc (hostproc.c), never by path: a mount namespace the caller joined
 * could put any file at /proc/thread-self/attr/exec, and a label that
 * silently went elsewhere would be worse than none.  lsm_check (the
 * libraries' loading and their checks) runs before any namespace is
 * joined, for the same reason: a joined mount namespace could hold a
 * library of its owner's choosing.
 *
 * Must not: write labels anywhere but the calling task (the exec label) and
 * the mount data handed back to the caller.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#if defined HAVE_SELINUX || defined HAVE_APPARMOR
#include <dlfcn.h>
#endif
#ifdef HAVE_SELINUX
#include <selinux/selinux.h>
#endif
#ifdef HAVE_APPARMOR
#include <sys/apparmor.h>
#endif

#include "exec/exec_int.h"
#include "lib/lsm_kernel.h"
#include "lib/xalloc.h"

/* The thread's attributes through the host's /proc. */
static int
lsm_open_attr (const char *rel, int flags)
{
  char path[128];

  if ((size_t) snprintf (path, sizeof path, "thread-self/attr/%s", rel) >= sizeof path)
    {
      errno = ENAMETOOLONG;
      return -1;
    }
  return hostproc_open (path, flags);
}

static const struct lsm_kernel_paths lsm_exec_paths = {
  .selinuxfs = "/sys/fs/selinux",
  .aa_enabled = "/sys/module/apparmor/parameters/enabled",
  .open_attr = lsm_open_attr,
};

#ifdef HAVE_SELINUX
/* The calls we use, typed from libselinux's own header. */
static struct
{
  void *handle;
  __typeof__ (is_selinux_enabled) *is_enabled;
  __typeof__ (security_check_context) *check_context;
} lsm_lib;

static int
lsm_load (const struct husk_origin *origin, struct husk_err *err)
{
  if (lsm_lib.handle != NULL)
    return 0;
  lsm_lib.handle = dlopen ("libselinux.so.1", RTLD_NOW | RTLD_LOCAL);
  if (lsm_lib.handle == NULL)
    return husk_err_set (err, 0, "%s: cannot load libselinux.so.1: %s", origin->where,
                         dlerror ());
  lsm_lib.is_enabled = (__typeof__ (lsm_lib.is_enabled)) dlsym (lsm_lib.handle,
                                                                "is_selinux_enabled");
  lsm_lib.check_context = (__typeof__ (lsm_lib.check_context)) dlsym (lsm_lib.handle,
                                                                      "security_check_context");
  if (!lsm_lib.is_enabled || !lsm_lib.check_context)
    return husk_err_set (err, 0, "%s: libselinux.so.1 lacks a needed function",
                         origin->where);
  return 0;
}
#endif

#ifdef HAVE_APPARMOR
static struct
{
  void *handle;
  __typeof__ (aa_is_enabled) *is_enabled;
} lsm_aa;

static int
lsm_aa_load (const struct husk_origin *origin, struct husk_err *err)
{
  if (lsm_aa.handle != NULL)
    return 0;
  lsm_aa.handle = dlopen ("libapparmor.so.1", RTLD_NOW | RTLD_LOCAL);
  if (lsm_aa.handle == NULL)
    return husk_err_set (err, 0, "%s: cannot load libapparmor.so.1: %s", origin->where, dlerror ());
  lsm_aa.is_enabled = (__typeof__ (lsm_aa.is_enabled)) dlsym (lsm_aa.handle, "aa_is_enabled");
  if (!lsm_aa.is_enabled)
    return husk_err_set (err, 0, "%s: libapparmor.so.1 lacks a needed function", origin->where);
  return 0;
}
#endif

static int
lsm_apparmor_check (const struct husk_plan *plan, struct husk_err *err)
{
  if (plan->apparmor_profile == NULL)
    return 0;
#ifdef HAVE_APPARMOR
  if (lsm_aa_load (&plan->apparmor_origin, err) < 0)
    return -1;
  if (lsm_aa.is_enabled () <= 0)
    return husk_err_set (err, 0, "%s: AppArmor is not enabled on this system",
                         plan->apparmor_origin.where);
  return 0;
#elif defined HUSK_APPARMOR_KERNEL
  if (!lsmk_apparmor_enabled (&lsm_exec_paths))
    return husk_err_set (err, 0, "%s: AppArmor is not enabled on this system",
                         plan->apparmor_origin.where);
  return 0;
#else
  return husk_err_set (err, 0, "%s: this husk was built without AppArmor support",
                       plan->apparmor_origin.where);
#endif
}

static int
lsm_apparmor_set (const struct husk_plan *plan, struct husk_err *err)
{
  if (plan->apparmor_profile == NULL)
    return 0;
#if defined HAVE_APPARMOR || defined HUSK_APPARMOR_KERNEL
  /* lsm_check (phase 0, in the parent) found AppArmor enabled. */
  if (lsmk_apparmor_change_onexec (&lsm_exec_paths, plan->apparmor_profile) < 0)
    return husk_err_sys (err, "%s: cannot set the AppArmor profile of the program",
                         plan->apparmor_origin.where);
  return 0;
#else
  return lsm_apparmor_check (plan, err);
#endif
}

static int
lsm_check_one (const char *label, const struct husk_origin *origin, struct husk_err *err)
{
  if (label == NULL)
    return 0;
#ifdef HAVE_SELINUX
  if (lsm_load (origin, err) < 0)
    return -1;
  if (lsm_lib.is_enabled () <= 0)
    return husk_err_set (err, 0, "%s: SELinux is not enabled on this system", origin->where);
  if (lsm_lib.check_context ((char *) label) < 0)
    return husk_err_sys (err, "%s: invalid SELinux context", origin->where);
  return 0;
#elif defined HUSK_SELINUX_KERNEL
  if (!lsmk_selinux_enabled (&lsm_exec_paths))
    return husk_err_set (err, 0, "%s: SELinux is not enabled on this system", origin->where);
  if (lsmk_selinux_check_context (&lsm_exec_paths, label) < 0)
    return husk_err_sys (err, "%s: invalid SELinux context", origin->where);
  return 0;
#else
  return husk_err_set (err, 0, "%s: this husk was built without SELinux support", origin->where);
#endif
}

int
lsm_check (const struct husk_plan *plan, struct husk_err *err)
{
  if (lsm_check_one (plan->exec_label, &plan->exec_label_origin, err) < 0
      || lsm_apparmor_check (plan, err) < 0)
    return -1;
  return lsm_check_one (plan->file_label, &plan->file_label_origin, err);
}

int
lsm_set_exec_label (const struct husk_plan *plan, struct husk_err *err)
{
  if (lsm_apparmor_set (plan, err) < 0)
    return -1;
  if (plan->exec_label == NULL)
    return 0;
#if defined HAVE_SELINUX || defined HUSK_SELINUX_KERNEL
  /* lsm_check (phase 0, in the parent) found SELinux enabled and the
   * context valid.  Raw, as setexeccon_raw would write it. */
  if (lsmk_selinux_set_exec (&lsm_exec_paths, plan->exec_label) < 0)
    return husk_err_sys (err, "%s: cannot set the SELinux label of the program",
                         plan->exec_label_origin.where);
  return 0;
#else
  return lsm_check_one (plan->exec_label, &plan->exec_label_origin, err);
#endif
}

char *
lsm_mount_data (const struct husk_plan *plan, const char *data)
{
  if (plan->file_label == NULL)
    return data ? xstrdup (data) : NULL;
  if (data == NULL || data[0] == '\0')
    return xasprintf ("context=\"%s\"", plan->file_label);
  return xasprintf ("%s,context=\"%s\"", data, plan->file_label);
}
