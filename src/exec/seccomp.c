/* seccomp.c: load seccomp filters, last thing before execve: husk's
 * built-in terminal-injection filter, then the plan's programs in order.
 *
 * The built-in filter makes ioctl (fd, TIOCSTI, ...) and ioctl (fd,
 * TIOCLINUX, ...) fail with EPERM.  TIOCSTI pushes bytes into a terminal's
 * input queue: a sandboxed program sharing the caller's terminal could type
 * commands into the caller's shell once it exits (CVE-2017-5226 against
 * bwrap).  TIOCLINUX's paste subcommand does the same on a virtual console
 * and needs no controlling terminal (kernels before 6.7), so --new-session
 * (setsid) alone is not enough: the filter is always installed.
 *
 * Only the low 32 bits of the request are compared: the kernel truncates
 * the ioctl request to 32 bits, so TIOCSTI | (1 << 32) is still TIOCSTI
 * (the 64-bit bypass of naive filters).  Every ABI a process on this
 * kernel can call ioctl through is covered: on x86, x86-64 (nr 16), x32
 * (nr 514 and 16 with the x32 bit; same AUDIT_ARCH) and i386 (nr 54, also
 * reachable from a 64-bit process with int 0x80); on arm64, arm64 (29) and
 * 32-bit arm (54).  A call from any other arch is allowed: the kernel
 * offers none on these builds, and killing on an arch nobody reviewed
 * would break programs while adding nothing.  Since Linux 5.11 the kernel
 * caches "always allow" per syscall for such a filter, so it costs nothing
 * on syscalls other than ioctl.
 *
 * Must not: run before no_new_privs is set (the kernel requires it, or
 * CAP_SYS_ADMIN, for an unprivileged filter) or before the last step that
 * needs a syscall a user filter could forbid.
 */
#include <errno.h>
#include <linux/audit.h>
#include <stdbool.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "exec/exec_int.h"
#include "lib/seccomp_profile.h"

#define LD_ABS(off)    BPF_STMT (BPF_LD | BPF_W | BPF_ABS, (off))
#define JEQ(k, jt, jf) BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, (k), (jt), (jf))
#define RET(k)         BPF_STMT (BPF_RET | BPF_K, (k))

#define OFF_ARCH offsetof (struct seccomp_data, arch)
#define OFF_NR   offsetof (struct seccomp_data, nr)
/* The low 32 bits of args[1], the ioctl request. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define OFF_REQ_LO offsetof (struct seccomp_data, args[1])
#else
#define OFF_REQ_LO (offsetof (struct seccomp_data, args[1]) + 4)
#endif

#define X32_BIT 0x40000000u

/* Jump offsets are relative to the next instruction; the comments give
 * the absolute targets.  ALLOW and EPERM are the last two. */
#if defined(__x86_64__) || defined(__i386__)
#define HAVE_TTY_FILTER 1
static const struct sock_filter tty_filter[] = {
  /* 0 */ LD_ABS (OFF_ARCH),
  /* 1 */ JEQ (AUDIT_ARCH_X86_64, 0, 4), /* -> 2, else 6 */
  /* 2 */ LD_ABS (OFF_NR),
  /* 3 */ JEQ (16, 5, 0),              /* x86-64 ioctl -> 9 */
  /* 4 */ JEQ (X32_BIT | 514, 4, 0),   /* x32 ioctl -> 9 */
  /* 5 */ JEQ (X32_BIT | 16, 3, 6),    /* -> 9, else 12 */
  /* 6 */ JEQ (AUDIT_ARCH_I386, 0, 5), /* -> 7, else 12 */
  /* 7 */ LD_ABS (OFF_NR),
  /* 8 */ JEQ (54, 0, 3), /* i386 ioctl -> 9, else 12 */
  /* 9 */ LD_ABS (OFF_REQ_LO),
  /* 10 */ JEQ (TIOCSTI, 2, 0),   /* -> 13 */
  /* 11 */ JEQ (TIOCLINUX, 1, 0), /* -> 13, else 12 */
  /* 12 */ RET (SECCOMP_RET_ALLOW),
  /* 13 */ RET (SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
};
#elif defined(__aarch64__) || defined(__arm__)
#define HAVE_TTY_FILTER 1
static const struct sock_filter tty_filter[] = {
  /* 0 */ LD_ABS (OFF_ARCH),
  /* 1 */ JEQ (AUDIT_ARCH_AARCH64, 0, 2), /* -> 2, else 4 */
  /* 2 */ LD_ABS (OFF_NR),
  /* 3 */ JEQ (29, 3, 6),             /* arm64 ioctl -> 7, else 10 */
  /* 4 */ JEQ (AUDIT_ARCH_ARM, 0, 5), /* -> 5, else 10 */
  /* 5 */ LD_ABS (OFF_NR),
  /* 6 */ JEQ (54, 0, 3), /* arm ioctl -> 7, else 10 */
  /* 7 */ LD_ABS (OFF_REQ_LO),
  /* 8 */ JEQ (TIOCSTI, 2, 0),   /* -> 11 */
  /* 9 */ JEQ (TIOCLINUX, 1, 0), /* -> 11, else 10 */
  /* 10 */ RET (SECCOMP_RET_ALLOW),
  /* 11 */ RET (SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
};
#else
/* No built-in filter on this architecture yet: --new-session is then the
 * only defence against TIOCSTI (see husk(1)). */
#define HAVE_TTY_FILTER 0
#endif

static int
seccomp_load (const struct sock_filter *insns, size_t n_insns, const char *where,
              struct husk_err *err)
{
  struct sock_fprog prog
    = { .len = (unsigned short) n_insns, .filter = (struct sock_filter *) insns };

  if (syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0)
    return 0;
  if (errno == EINVAL)
    return husk_err_sys (err, "%s: the kernel rejected the seccomp program", where);
  /* seccomp(2) itself may be missing (ENOSYS) or forbidden by an earlier
   * program that still allows prctl(PR_SET_SECCOMP), which is what bwrap
   * documents as the requirement for stacking; try that way too. */
  if (prctl (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == 0)
    return 0;
  if (errno == EINVAL)
    return husk_err_sys (err, "%s: the kernel rejected the seccomp program", where);
  return husk_err_sys (err, "%s: cannot load the seccomp program", where);
}

/* Set once the built-in filter is loaded in this process; a fork
 * inherits both the filter and the flag. */
static bool tty_filter_loaded;

/* The built-in filter, early: just before the pid-1 reaper forks, so the
 * reaper and the program share one load instead of loading it each
 * (issue 9).  It only forbids two ioctls husk never makes, so nothing
 * husk still does before execve is affected, and it stays the oldest
 * filter: the plan's programs are still loaded after it, as before.
 * Without no_new_privs this needs CAP_SYS_ADMIN in the task's user
 * namespace; when the kernel refuses (or anything else fails), nothing
 * changes and seccomp_apply loads it in each process as usual. */
void
seccomp_load_builtin_early (void)
{
#if HAVE_TTY_FILTER
  struct husk_err ignored = { 0 };

  if (!tty_filter_loaded
      && seccomp_load (tty_filter, sizeof tty_filter / sizeof tty_filter[0],
                       "built-in TIOCSTI/TIOCLINUX filter", &ignored)
         == 0)
    tty_filter_loaded = true;
#endif
}

int
seccomp_apply (const struct husk_plan *plan, struct husk_err *err)
{
#if HAVE_TTY_FILTER
  if (!tty_filter_loaded
      && seccomp_load (tty_filter, sizeof tty_filter / sizeof tty_filter[0],
                       "built-in TIOCSTI/TIOCLINUX filter", err)
         < 0)
    return -1;
  tty_filter_loaded = true;
#endif
  for (size_t i = 0; i < plan->n_seccomp; i++)
    {
      const struct husk_seccomp *s = &plan->seccomp[i];

      if (seccomp_load ((const struct sock_filter *) (const void *) s->prog,
                        s->len / sizeof (struct sock_filter), s->origin.where, err)
          < 0)
        return -1;
    }
  return 0;
}

/* Seccomp profiles (issue 6): the front end compiled these on a cache miss
 * and must not write files; writing the cache is the executor's, in the
 * parent before clone.  Best effort: a read-only or foreign cache directory
 * only costs the next run a compile. */
void
seccomp_cache_store (const struct husk_plan *plan)
{
  for (size_t i = 0; i < plan->n_seccomp_store; i++)
    {
      const struct husk_seccomp_store *c = &plan->seccomp_store[i];

      (void) seccomp_cache_write (c->path, c->key,
                                  (const struct sock_filter *) (const void *) c->prog,
                                  c->len / sizeof (struct sock_filter));
    }
}
