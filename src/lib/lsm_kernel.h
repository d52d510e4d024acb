/* lsm_kernel.h: SELinux and AppArmor through the kernel's own files (see
 * lsm_kernel.c).  Every path is a parameter, so that the unit test can
 * point the calls at a directory of its own. */
#ifndef HUSK_LIB_LSM_KERNEL_H
#define HUSK_LIB_LSM_KERNEL_H

struct lsm_kernel_paths
{
  const char *selinuxfs;  /* "/sys/fs/selinux" */
  const char *aa_enabled; /* "/sys/module/apparmor/parameters/enabled" */
  /* Opens the calling thread's attribute REL ("exec", "apparmor/exec",
   * "apparmor") with FLAGS: an fd, or -1 with errno.  husk's executor
   * passes one that goes through the host's /proc (src/exec/lsm.c). */
  int (*open_attr) (const char *rel, int flags);
};

/* 1 when selinuxfs is mounted at p->selinuxfs, else 0. */
int lsmk_selinux_enabled (const struct lsm_kernel_paths *p);
/* 0, or -1 with errno (EINVAL: the policy does not know the context). */
int lsmk_selinux_check_context (const struct lsm_kernel_paths *p, const char *context);
/* The context of the next execve; 0, or -1 with errno. */
int lsmk_selinux_set_exec (const struct lsm_kernel_paths *p, const char *context);
/* 1 when AppArmor is the enabled LSM, else 0. */
int lsmk_apparmor_enabled (const struct lsm_kernel_paths *p);
/* The profile of the next execve; 0, or -1 with errno. */
int lsmk_apparmor_change_onexec (const struct lsm_kernel_paths *p, const char *profile);

#endif
