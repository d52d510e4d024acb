/* cgroup.c: cgroup v2 limits (--memory-max, --pids-max, --cpu-max,
 * --io-weight; OCI linux.resources, whose device rules devcg.c compiles
 * to an eBPF program attached here).  The sandbox gets a new child cgroup
 * of husk's own cgroup (the 0:: line of /proc/self/cgroup, under the
 * cgroup2 mount found in /proc/self/mountinfo: /sys/fs/cgroup on a pure v2
 * host, /sys/fs/cgroup/unified on a hybrid one).  Phase 0 creates it, enables the
 * needed controllers in the parent's cgroup.subtree_control when they are
 * not yet enabled, and writes the limits; the clone puts the child into it
 * (clone3 CLONE_INTO_CGROUP, so a new cgroup namespace is rooted there and
 * nothing runs outside the limits); when the sandbox ends, cgroup.kill
 * kills whatever is left (daemons included) and the cgroup is removed.
 *
 * A limit of "max" writes nothing and needs no controller: the sandbox
 * then only gets a cgroup of its own, which still kills everything it left
 * behind when it ends.
 *
 * Without privileges this works where husk's cgroup is delegated to the
 * user (writable, with the controllers available).  cgroup v2's "no
 * internal processes" rule means a cgroup holding processes (husk's own,
 * usually) cannot enable controllers for its children: then the controllers
 * must already be enabled, and the error says so.
 *
 * Must not: touch any cgroup but the one it created (and the parent's
 * subtree_control, only to add a controller the limits need).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "exec/exec_int.h"
#include "lib/cleanup.h"
#include "lib/xalloc.h"

/* The cgroup2 mount point, from mountinfo (field 5; fstype after " - "). */
static char *
cgroup_v2_mount (void)
{
  cleanup_file FILE *f = fopen ("/proc/self/mountinfo", "re");
  char line[4096];

  while (f != NULL && fgets (line, sizeof line, f) != NULL)
    {
      char root[1024], mnt[1024], fstype[64];
      const char *sep = strstr (line, " - ");

      if (sep == NULL || sscanf (sep, " - %63s", fstype) != 1 || strcmp (fstype, "cgroup2") != 0)
        continue;
      if (sscanf (line, "%*s %*s %*s %1023s %1023s", root, mnt) == 2)
        return xstrdup (mnt);
    }
  return NULL;
}

/* husk's own cgroup v2 path ("/a/b"), from the 0:: line. */
static char *
cgroup_self_path (void)
{
  cleanup_file FILE *f = fopen ("/proc/self/cgroup", "re");
  char line[4096];

  while (f != NULL && fgets (line, sizeof line, f) != NULL)
    if (strncmp (line, "0::", 3) == 0)
      {
        line[strcspn (line, "\n")] = '\0';
        return xstrdup (line + 3);
      }
  return NULL;
}

char *
cgroup_own_dir (void)
{
  cleanup_free char *mnt = cgroup_v2_mount ();
  cleanup_free char *self = cgroup_self_path ();

  if (mnt == NULL || self == NULL)
    return NULL;
  return xasprintf ("%s%s", mnt, strcmp (self, "/") == 0 ? "" : self);
}

/* Whether /proc/self/cgroup has a v1 hierarchy with this controller. */
static bool
cgroup_v1_has (const char *controller)
{
  cleanup_file FILE *f = fopen ("/proc/self/cgroup", "re");
  char line[4096];

  while (f != NULL && fgets (line, sizeof line, f) != NULL)
    {
      char *names = strchr (line, ':'), *end;

      if (names == NULL || (end = strchr (++names, ':')) == NULL)
        continue;
      *end = '\0';
      for (char *tok = strtok (names, ","); tok; tok = strtok (NULL, ","))
        if (strcmp (tok, controller) == 0)
          return true;
    }
  return false;
}

static int
cgroup_read (int dirfd, const char *file, char *buf, size_t len)
{
  cleanup_fd int fd = openat (dirfd, file, O_RDONLY | O_CLOEXEC);
  ssize_t n;

  if (fd < 0 || (n = read (fd, buf, len - 1)) < 0)
    return -1;
  buf[n] = '\0';
  buf[strcspn (buf, "\n")] = '\0';
  return 0;
}

static int
cgroup_write (int dirfd, const char *file, const char *text)
{
  cleanup_fd int fd = openat (dirfd, file, O_WRONLY | O_CLOEXEC);
  size_t len = strlen (text);

  if (fd < 0)
    return -1;
  if (write (fd, text, len) != (ssize_t) len)
    return -1;
  return 0;
}

static bool
cgroup_word_in (const char *list, const char *word)
{
  size_t n = strlen (word);

  for (const char *p = list; (p = strstr (p, word)) != NULL; p += n)
    if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
      return true;
  return false;
}

/* Make `controller` available to children of the cgroup at dirfd. */
static int
cgroup_enable (int dirfd, const char *dir, const char *controller, const char *where,
               struct husk_err *err)
{
  char avail[512] = "", enabled[512] = "", plus[64];

  if (cgroup_read (dirfd, "cgroup.controllers", avail, sizeof avail) < 0)
    return husk_err_sys (err, "%s: cannot read %s/cgroup.controllers", where, dir);
  if (!cgroup_word_in (avail, controller))
    {
      husk_err_set (err, 0, "%s: the %s controller is not available in cgroup %s (it has: %s)",
                    where, controller, dir, avail[0] ? avail : "none");
      if (cgroup_v1_has (controller))
        husk_err_hint (err,
                       "hybrid cgroups: %s is bound to a cgroup v1 hierarchy, so cgroup v2 "
                       "cannot use it; boot with systemd.unified_cgroup_hierarchy=1",
                       controller);
      else
        husk_err_hint (err, "the %s controller is not delegated to this cgroup", controller);
      return -1;
    }
  if (cgroup_read (dirfd, "cgroup.subtree_control", enabled, sizeof enabled) == 0
      && cgroup_word_in (enabled, controller))
    return 0;
  snprintf (plus, sizeof plus, "+%s", controller);
  if (cgroup_write (dirfd, "cgroup.subtree_control", plus) == 0)
    return 0;
  husk_err_sys (err, "%s: cannot enable the %s controller in %s/cgroup.subtree_control", where,
                controller, dir);
  if (errno == EBUSY)
    husk_err_hint (err,
                   "cgroup %s holds processes (cgroup v2's no-internal-processes rule): "
                   "enable %s in it beforehand, from a cgroup without processes",
                   dir, controller);
  return -1;
}

/* The controller a cgroup file needs: its name up to the first '.' ("io"
 * for io.bfq.weight), none for the core "cgroup." files. */
static bool
cgroup_file_controller (const char *file, char *buf, size_t len)
{
  size_t n = strcspn (file, ".");

  if (n == 0 || n >= len || strncmp (file, "cgroup.", 7) == 0)
    return false;
  memcpy (buf, file, n);
  buf[n] = '\0';
  return true;
}

/* A fresh cgroup starts with every limit at "max": writing "max" there
 * changes nothing and needs no controller. */
static bool
cgroup_write_needed (const struct exec_cgroup *cg, const struct husk_cgroup_write *w)
{
  return !(cg->fresh && w->alt_file == NULL && strcmp (w->value, "max") == 0);
}

static int
cgroup_denied (struct exec_cgroup *cg, int errnum)
{
  if (errnum == EACCES || errnum == EPERM || errnum == EROFS)
    cg->denied = true;
  return -1;
}

/* Make `controller` available in the sandbox's cgroup: enable it in the
 * subtree_control of each directory from `base` down to the cgroup's
 * parent where it is not enabled yet (before the cgroup is made: only in
 * the directories that exist, so a missing controller is named first). */
static int
cgroup_enable_path (struct exec_cgroup *cg, const char *base, const char *controller,
                    const char *where, bool existing, struct husk_err *err)
{
  cleanup_free char *dir = xstrdup (base);
  const char *rest = cg->path + strlen (base);

  for (;;)
    {
      cleanup_fd int fd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
      const char *slash;
      char *next;

      if (fd < 0 && existing && errno == ENOENT)
        return 0;
      if (fd < 0)
        {
          husk_err_sys (err, "%s: cgroup %s", where, dir);
          return cgroup_denied (cg, err->errnum);
        }
      if (cgroup_enable (fd, dir, controller, where, err) < 0)
        return cgroup_denied (cg, err->errnum);
      /* rest is "/a/b/leaf": stop at the leaf's parent. */
      if ((slash = strchr (rest + 1, '/')) == NULL)
        return 0;
      next = xasprintf ("%s%.*s", dir, (int) (slash - rest), rest);
      free (dir);
      dir = next;
      rest = slash;
    }
}

/* Enable each controller the limits and writes need. */
static int
cgroup_controllers (const struct husk_plan *plan, struct exec_cgroup *cg, const char *base,
                    bool existing, struct husk_err *err)
{
  static const struct
  {
    const char *controller;
    size_t offset;
  } need[] = {
    { "memory", offsetof (struct husk_plan, memory_max) },
    { "pids", offsetof (struct husk_plan, pids_max) },
    { "cpu", offsetof (struct husk_plan, cpu_max) },
    { "io", offsetof (struct husk_plan, io_weight) },
  };

  for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
    {
      const struct husk_cgroup_limit *l = (const void *) ((const char *) plan + need[i].offset);

      /* "max" is no limit: nothing to write, no controller needed (the
       * sandbox still gets its own cgroup, killed as a whole at the end). */
      if (l->set && l->value != HUSK_CGROUP_MAX
          && cgroup_enable_path (cg, base, need[i].controller, l->origin.where, existing, err) < 0)
        return -1;
    }
  for (size_t i = 0; i < plan->n_cgroup_writes; i++)
    {
      const struct husk_cgroup_write *w = &plan->cgroup_writes[i];
      char controller[64];

      if (cgroup_write_needed (cg, w)
          && cgroup_file_controller (w->file, controller, sizeof controller)
          && cgroup_enable_path (cg, base, controller, w->origin.where, existing, err) < 0)
        return -1;
    }
  return 0;
}

/* A cgroup that existed before must not hold processes: the sandbox's
 * end kills everything in it (the runtime-spec lets runtimes refuse a
 * non-empty cgroup); nor enable controllers for children, since cgroup
 * v2's no-internal-processes rule then keeps the sandbox out (EBUSY). */
static int
cgroup_check_empty (struct exec_cgroup *cg, const char *where, struct husk_err *err)
{
  char procs[64] = "", subtree[512] = "";
  cleanup_fd int fd = open (cg->path, O_PATH | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0 || cgroup_read (fd, "cgroup.procs", procs, sizeof procs) < 0
      || cgroup_read (fd, "cgroup.subtree_control", subtree, sizeof subtree) < 0)
    {
      husk_err_sys (err, "%s: cgroup %s", where, cg->path);
      return cgroup_denied (cg, err->errnum);
    }
  if (procs[0] != '\0')
    return husk_err_set (err, 0, "%s: cgroup %s already holds processes", where, cg->path);
  if (subtree[0] != '\0')
    return husk_err_set (err, 0,
                         "%s: cgroup %s enables controllers for its children (%s in "
                         "cgroup.subtree_control), so no process may join it",
                         where, cg->path, subtree);
  return 0;
}

/* mkdir -p cg->path (base/...), remembering what husk made. */
static int
cgroup_mkdirs (struct exec_cgroup *cg, const char *base, const char *where, struct husk_err *err)
{
  for (char *p = cg->path + strlen (base) + 1;; p++)
    {
      bool last = (p = strchrnul (p, '/'))[0] == '\0';

      *p = '\0';
      if (mkdir (cg->path, 0755) == 0)
        {
          cg->created = xrealloc (cg->created, (cg->n_created + 1) * sizeof *cg->created);
          cg->created[cg->n_created++] = xstrdup (cg->path + cg->root_len);
          cg->fresh = last;
        }
      else if (errno != EEXIST)
        {
          int e = errno;

          husk_err_sys (err, "%s: cannot create cgroup %s", where, cg->path);
          if (e == EACCES || e == EPERM || e == EROFS)
            husk_err_hint (err,
                           "cgroup %s is not delegated to this user (with systemd: "
                           "systemd-run --user --scope -p Delegate=yes ...)",
                           base);
          return cgroup_denied (cg, e);
        }
      if (last)
        return 0;
      *p = '/';
    }
}

/* Whether husk may create what is missing of cg->path: the deepest
 * directory of it that exists is writable. */
static bool
cgroup_may_create (const struct exec_cgroup *cg)
{
  cleanup_free char *dir = xstrdup (cg->path);
  char *slash;

  while (access (dir, F_OK) < 0 && (slash = strrchr (dir, '/')) != NULL && slash != dir)
    *slash = '\0';
  return faccessat (AT_FDCWD, dir, W_OK, AT_EACCESS) == 0;
}

static int
cgroup_make (const struct husk_plan *plan, struct exec_cgroup *cg, const char *mnt, const char *own,
             struct husk_err *err)
{
  const char *where
    = plan->cgroup_path_origin.where ? plan->cgroup_path_origin.where : "cgroup limits";
  const char *path = plan->cgroup_path;
  cleanup_free char *leaf = NULL;
  const char *base = own;

  if (path == NULL)
    path = leaf = xasprintf ("husk-%ld", (long) getpid ());
  else if (path[0] == '/')
    {
      base = mnt;
      path++;
    }
  cg->path = xasprintf ("%s/%s", base, path);
  cg->fresh = access (cg->path, F_OK) < 0 && errno == ENOENT;
  /* A missing controller is named first; but for OCI without the right
   * to create the cgroup (a warning, not an error), that comes first. */
  if ((!plan->cgroup_optional || !cg->fresh || cgroup_may_create (cg))
      && cgroup_controllers (plan, cg, base, true, err) < 0)
    return -1;
  if (cgroup_mkdirs (cg, base, where, err) < 0
      || (!cg->fresh && cgroup_check_empty (cg, where, err) < 0)
      || cgroup_controllers (plan, cg, base, false, err) < 0)
    return -1;
  /* Not O_PATH: CLONE_INTO_CGROUP needs a real open. */
  cg->dirfd = open (cg->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cg->dirfd < 0)
    {
      husk_err_sys (err, "%s: open %s", where, cg->path);
      return cgroup_denied (cg, err->errnum);
    }
  return 0;
}

static int
cgroup_limit (struct exec_cgroup *cg, const char *file, const struct husk_cgroup_limit *l,
              const char *suffix, struct husk_err *err)
{
  char text[64];

  /* A new cgroup starts without limits: "max" needs no write. */
  if (!l->set || l->value == HUSK_CGROUP_MAX)
    return 0;
  snprintf (text, sizeof text, "%" PRIu64 "%s", l->value, suffix);
  if (cgroup_write (cg->dirfd, file, text) < 0)
    return husk_err_sys (err, "%s: cannot write %s to %s/%s", l->origin.where, text, cg->path,
                         file);
  return 0;
}

/* One write of linux.resources: each line of the value on its own (files
 * such as io.max take one device per write); alt_file instead when `file`
 * is missing; nothing for an optional file that is missing. */
static int
cgroup_apply_write (struct exec_cgroup *cg, const struct husk_cgroup_write *w, struct husk_err *err)
{
  const char *file = w->file, *value = w->value;

  if (!cgroup_write_needed (cg, w))
    return 0;
  if (faccessat (cg->dirfd, file, F_OK, 0) < 0 && errno == ENOENT)
    {
      if (w->optional)
        return 0;
      if (w->alt_file != NULL)
        file = w->alt_file, value = w->alt_value;
    }
  /* An empty value is written once, as is. */
  for (const char *p = value; p == value || *p != '\0'; p += *p != '\0')
    {
      size_t n = strcspn (p, "\n");
      cleanup_free char *line = xstrndup (p, n);

      p += n;
      if ((n > 0 || value[0] == '\0') && cgroup_write (cg->dirfd, file, line) < 0)
        {
          husk_err_sys (err, "%s: cannot write \"%s\" to %s/%s", w->origin.where, line, cg->path,
                        file);
          return cgroup_denied (cg, err->errnum);
        }
    }
  return 0;
}

static int
cgroup_apply (const struct husk_plan *plan, struct exec_cgroup *cg, struct husk_err *err)
{
  char period[32];

  snprintf (period, sizeof period, " %" PRIu64, plan->cpu_period);
  if (cgroup_limit (cg, "memory.max", &plan->memory_max, "", err) < 0
      || cgroup_limit (cg, "pids.max", &plan->pids_max, "", err) < 0
      || cgroup_limit (cg, "cpu.max", &plan->cpu_max, period, err) < 0
      || cgroup_limit (cg, "io.weight", &plan->io_weight, "", err) < 0)
    return -1;
  for (size_t i = 0; i < plan->n_cgroup_writes; i++)
    if (cgroup_apply_write (cg, &plan->cgroup_writes[i], err) < 0)
      return -1;
  return 0;
}

/* Issue 5 (linux.resources.devices): the rules' eBPF program, attached
 * before the sandbox is cloned into the cgroup.  Without the privileges
 * to load it (an unprivileged user with a delegated cgroup), OCI warns:
 * the container still gets only the devices husk binds (nodev rootfs). */
static int
cgroup_devices (const struct husk_plan *plan, struct exec_cgroup *cg, struct husk_err *err)
{
  char msg[HUSK_ERR_MSG_MAX + 128];
  bool denied = false;

  if (plan->n_device_rules == 0
      || devcg_attach (plan, cg->dirfd, &cg->devices_prog_fd, &denied, err) == 0)
    return 0;
  if (!plan->cgroup_optional || !denied)
    return -1;
  husk_err_format (err, msg, sizeof msg);
  husk_warn ("%s: not enforced, the container gets only the devices husk binds (%s)",
             plan->device_rules_origin.where ? plan->device_rules_origin.where : "device rules",
             msg);
  return 0;
}

int
cgroup_create (const struct husk_plan *plan, struct exec_cgroup *cg, struct husk_err *err)
{
  cleanup_free char *mnt = NULL;
  cleanup_free char *self = NULL;
  cleanup_free char *own = NULL;
  char msg[HUSK_ERR_MSG_MAX + 128];

  *cg = (struct exec_cgroup){ .dirfd = -1, .devices_prog_fd = -1, .rootfd = -1 };
  if (!plan_has_cgroup_limits (plan))
    return 0;
  mnt = cgroup_v2_mount ();
  self = cgroup_self_path ();
  if (mnt == NULL || self == NULL)
    return husk_err_set (err, 0, "%s: no cgroup v2 hierarchy is mounted",
                         plan->cgroup_optional_origin.where ? plan->cgroup_optional_origin.where
                                                            : "cgroup limits");
  /* What husk creates is removed at the end through this fd: by then the
   * parent may be in a mount namespace the config joined, whose paths are
   * its owner's. */
  cg->rootfd = open (mnt, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (cg->rootfd < 0)
    return husk_err_sys (err, "cgroup limits: open %s", mnt);
  cg->root_len = strlen (mnt) + 1;
  own = xasprintf ("%s%s", mnt, strcmp (self, "/") == 0 ? "" : self);
  if (cgroup_make (plan, cg, mnt, own, err) == 0 && cgroup_apply (plan, cg, err) == 0
      && cgroup_devices (plan, cg, err) == 0)
    return 0;
  cgroup_destroy (cg);
  /* OCI without privileges (issue 5): a cgroup husk may not create or
   * set up (no delegation) leaves the container without its limits, with
   * a warning, as runc and crun do for rootless containers. */
  if (!plan->cgroup_optional || !cg->denied)
    return -1;
  husk_err_format (err, msg, sizeof msg);
  husk_warn ("%s: not applied, the container runs without a cgroup of its own (%s)",
             plan->cgroup_optional_origin.where, msg);
  *cg = (struct exec_cgroup){ .dirfd = -1, .devices_prog_fd = -1, .rootfd = -1 };
  return 0;
}

/* Like fork(): no new stack, 0 in the child. */
pid_t
cgroup_clone (struct exec_cgroup *cg, unsigned long flags)
{
  struct clone_args args = { .flags = flags | CLONE_INTO_CGROUP, .exit_signal = SIGCHLD };
  pid_t pid;

  if (cg->dirfd >= 0)
    {
      args.cgroup = (uint64_t) cg->dirfd;
      pid = (pid_t) syscall (SYS_clone3, &args, sizeof args);
      if (pid >= 0 || (errno != ENOSYS && errno != E2BIG))
        return pid;
      cg->need_enter = true; /* before Linux 5.7 */
    }
  return (pid_t) syscall (SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

/* For a clone without CLONE_INTO_CGROUP (kernels before 5.7): move the
 * child in before it is told to go on. */
int
cgroup_enter (struct exec_cgroup *cg, pid_t pid, struct husk_err *err)
{
  char text[32];

  if (!cg->need_enter)
    return 0;
  snprintf (text, sizeof text, "%ld", (long) pid);
  if (cg->dirfd >= 0 && cgroup_write (cg->dirfd, "cgroup.procs", text) < 0)
    return husk_err_sys (err, "cgroup limits: cannot move the sandbox into %s", cg->path);
  return 0;
}

/* Issue 6: for the final status object.  memory.peak needs the memory
 * controller (and Linux 5.19), pids.peak the pids controller (and a recent
 * kernel): a file that is not there is left out. */
void
cgroup_peaks (const struct exec_cgroup *cg, int64_t *memory_peak, int64_t *pids_peak)
{
  char text[64];

  *memory_peak = *pids_peak = -1;
  if (cg->dirfd < 0)
    return;
  if (cgroup_read (cg->dirfd, "memory.peak", text, sizeof text) == 0)
    *memory_peak = strtoll (text, NULL, 10);
  if (cgroup_read (cg->dirfd, "pids.peak", text, sizeof text) == 0)
    *pids_peak = strtoll (text, NULL, 10);
}

/* Kill what is left in the cgroup and remove what husk made; best
 * effort. */
void
cgroup_destroy (struct exec_cgroup *cg)
{
  struct timespec pause = { 0, 1000000 };

  /* Issue 5: a cgroup that was there before keeps no program of husk's. */
  devcg_detach (cg->dirfd, &cg->devices_prog_fd);
  /* Whatever the program left running (a daemon that escaped the pid
   * namespace's reaper, or with no pid namespace at all).  Before Linux
   * 5.14 there is no cgroup.kill and the rmdir below fails with EBUSY
   * while they live: the cgroup then stays. */
  if (cg->dirfd >= 0)
    (void) cgroup_write (cg->dirfd, "cgroup.kill", "1");
  /* The killed processes leave asynchronously: rmdir fails with EBUSY
   * until they have; give them up to two seconds.  Innermost first; a
   * cgroup that was there before husk is never in the list. */
  for (size_t i = cg->n_created; i-- > 0;)
    {
      for (int k = 0; k < 2000 && cg->rootfd >= 0
                      && unlinkat (cg->rootfd, cg->created[i], AT_REMOVEDIR) < 0 && errno == EBUSY;
           k++)
        nanosleep (&pause, NULL);
      free (cg->created[i]);
    }
  free (cg->created);
  cg->created = NULL;
  cg->n_created = 0;
  husk_cleanup_closep (&cg->dirfd);
  cg->dirfd = -1;
  husk_cleanup_closep (&cg->rootfd);
  cg->rootfd = -1;
  free (cg->path);
  cg->path = NULL;
}
