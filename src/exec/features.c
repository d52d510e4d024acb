/* features.c: `husk features [--json]` (issue 6): what the running kernel
 * and this build support, one "name: yes|no (detail)" line each, or one
 * JSON object.  For users deciding which flags will work here, and for
 * bug reports.  The JSON also lists every flag, the seccomp architectures
 * and the cgroup setup (version, husk's cgroup, delegation), as
 * `runc features` does.
 *
 * Every answer comes from asking the kernel the way husk itself would
 * (a syscall with harmless arguments, /proc, /sys, the mount table),
 * never from the kernel version.  Nothing is changed: probes that need a
 * new namespace run in a throwaway child.
 *
 * Must not: create a sandbox, need privileges, or fail because a probe
 * fails (a failing probe is a "no").
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <jansson.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec/exec.h"
#include "exec/exec_int.h"
#include "lib/cleanup.h"

#ifndef SYS_fsopen
#define SYS_fsopen 430
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SECCOMP_GET_ACTION_AVAIL
#define SECCOMP_GET_ACTION_AVAIL 2
#endif

#define FEAT_DETAIL_MAX 512

struct feature
{
  const char *name;
  bool yes;
  char detail[FEAT_DETAIL_MAX];
  int number; /* a value worth its own JSON member (Landlock ABI), or -1 */
  const char *number_name;
};

struct features
{
  struct feature v[32];
  size_t n;
  /* JSON only (issue 6), modelled on `runc features`. */
  const char *const *flags; /* every command-line option */
  const char *arches[32];   /* seccomp architectures libseccomp knows */
  size_t n_arches;
  const char *native_arch;
  bool cgroup_v1, cgroup_v2, cgroup_delegated;
  char cgroup_dir[1024];        /* husk's own cgroup v2 directory, or "" */
  char cgroup_controllers[256]; /* its cgroup.controllers */
};

static struct feature *feat_add (struct features *f, const char *name, bool yes, const char *fmt,
                                 ...) __attribute__ ((format (printf, 4, 5)));

static struct feature *
feat_add (struct features *f, const char *name, bool yes, const char *fmt, ...)
{
  struct feature *x = &f->v[f->n++];
  va_list ap;

  x->name = name;
  x->yes = yes;
  x->number = -1;
  va_start (ap, fmt);
  vsnprintf (x->detail, sizeof x->detail, fmt, ap);
  va_end (ap);
  return x;
}

/* The first line of a small file, without its newline; false if unreadable. */
static bool
read_line (const char *path, char *buf, size_t len)
{
  cleanup_file FILE *fp = fopen (path, "re");

  if (fp == NULL || fgets (buf, (int) len, fp) == NULL)
    return false;
  buf[strcspn (buf, "\n")] = '\0';
  return true;
}

/* PATH search for an executable; the result is static. */
static const char *
find_in_path (const char *name)
{
  static char buf[4096];
  const char *path = getenv ("PATH");
  const char *p;

  if (path == NULL || path[0] == '\0')
    path = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
  for (p = path;; p = strchr (p, ':') + 1)
    {
      size_t n = strcspn (p, ":");

      if (n > 0 && snprintf (buf, sizeof buf, "%.*s/%s", (int) n, p, name) < (int) sizeof buf
          && access (buf, X_OK) == 0)
        return buf;
      if (p[n] == '\0')
        return NULL;
    }
}

/* Run probe() in a child (so that unshare or setuid leave us alone): its
 * exit status 0 means yes. */
static bool
in_child (int (*probe) (void))
{
  int status;
  pid_t pid = fork ();

  if (pid < 0)
    return false;
  if (pid == 0)
    _exit (probe () == 0 ? 0 : 1);
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return false;
  return WIFEXITED (status) && WEXITSTATUS (status) == 0;
}

static int
probe_userns_unprivileged (void)
{
  /* As root, ask as nobody would: can an unprivileged uid do it? */
  if (geteuid () == 0
      && (setgroups (0, NULL) < 0 || setresgid (65534, 65534, 65534) < 0
          || setresuid (65534, 65534, 65534) < 0))
    return 1;
  return unshare (CLONE_NEWUSER) == 0 ? 0 : 1;
}

static void
feat_userns (struct features *f)
{
  char max[32] = "?", clone[32] = "", aa[32] = "";
  bool has = access ("/proc/self/ns/user", F_OK) == 0;
  bool unpriv;

  read_line ("/proc/sys/user/max_user_namespaces", max, sizeof max);
  feat_add (f, "user-namespaces", has && atol (max) > 0, "max_user_namespaces=%s", max);
  unpriv = has && in_child (probe_userns_unprivileged);
  read_line ("/proc/sys/kernel/unprivileged_userns_clone", clone, sizeof clone);
  read_line ("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", aa, sizeof aa);
  feat_add (f, "unprivileged-user-namespaces", unpriv && strcmp (aa, "1") != 0,
            "an unprivileged uid %s create one%s%s%s%s", unpriv ? "can" : "cannot",
            clone[0] ? "; unprivileged_userns_clone=" : "", clone,
            aa[0] ? "; apparmor_restrict_unprivileged_userns=" : "", aa);
}

static void
feat_namespaces (struct features *f)
{
  static const struct
  {
    const char *feature, *file;
  } ns[] = {
    { "namespace-user", "user" },     { "namespace-mnt", "mnt" },   { "namespace-pid", "pid" },
    { "namespace-net", "net" },       { "namespace-ipc", "ipc" },   { "namespace-uts", "uts" },
    { "namespace-cgroup", "cgroup" }, { "namespace-time", "time" },
  };
  char path[64];

  for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
    {
      snprintf (path, sizeof path, "/proc/self/ns/%s", ns[i].file);
      feat_add (f, ns[i].feature, access (path, F_OK) == 0, "%s", path);
    }
}

/* A syscall exists when calling it with bad arguments fails with
 * something other than ENOSYS. */
static void
feat_syscalls (struct features *f)
{
  struct
  {
    uint64_t flags, mode, resolve;
  } how = { O_RDONLY | O_CLOEXEC, 0, 0 };
  long r;
  int e;

  r = syscall (SYS_fsopen, NULL, 0u);
  e = errno;
  feat_add (f, "mount-api", r >= 0 || e != ENOSYS, "fsopen, fsmount, move_mount, open_tree%s",
            r < 0 && e == ENOSYS ? ": ENOSYS" : "");
  r = syscall (SYS_openat2, AT_FDCWD, "/", &how, sizeof how);
  e = errno;
  if (r >= 0)
    close ((int) r);
  feat_add (f, "openat2", r >= 0, "%s", r >= 0 ? "RESOLVE_IN_ROOT path resolution" : strerror (e));
}

static void
feat_landlock (struct features *f)
{
  static const char *const added[] = {
    NULL, "fs", "refer", "truncate", "tcp", "ioctl-dev", "scopes", "audit-log-flags",
  };
  char detail[FEAT_DETAIL_MAX] = "";
  int abi = landlock_abi ();
  int e = errno;
  struct feature *x;

  if (abi < 0)
    {
      feat_add (f, "landlock", false, "%s",
                e == EOPNOTSUPP ? "disabled at boot (lsm=)" : "not in this kernel");
      return;
    }
  for (int i = 1; i <= abi && i < (int) (sizeof added / sizeof added[0]); i++)
    {
      strncat (detail, i > 1 ? ", " : "", sizeof detail - strlen (detail) - 1);
      strncat (detail, added[i], sizeof detail - strlen (detail) - 1);
    }
  x = feat_add (f, "landlock", true, "ABI %d: %s", abi, detail);
  x->number = abi;
  x->number_name = "abi";
}

/* The architectures this libseccomp can put in a filter (names as in
 * SCMP_ARCH_*, lower case), and which one is native. */
static void
feat_seccomp_arches (struct features *f)
{
  static const char *const names[] = {
    "x86",    "x86_64",  "x32",      "arm",       "aarch64",     "loongarch64", "m68k",     "mips",
    "mipsel", "mips64",  "mipsel64", "mips64n32", "mipsel64n32", "parisc",      "parisc64", "ppc",
    "ppc64",  "ppc64le", "s390",     "s390x",     "riscv64",     "sh",          "sheb",
  };
  uint32_t native = seccomp_arch_native ();

  for (size_t i = 0; i < sizeof names / sizeof names[0] && f->n_arches < 32; i++)
    {
      uint32_t token = seccomp_arch_resolve_name (names[i]);

      if (token == 0)
        continue;
      f->arches[f->n_arches++] = names[i];
      if (token == native)
        f->native_arch = names[i];
    }
}

static void
feat_seccomp (struct features *f)
{
  static const struct
  {
    uint32_t action;
    const char *name;
  } actions[] = {
    { 0x80000000u, "kill-process" }, { 0x00000000u, "kill-thread" }, { 0x00030000u, "trap" },
    { 0x00050000u, "errno" },        { 0x7fc00000u, "user-notif" },  { 0x7ff00000u, "trace" },
    { 0x7ffc0000u, "log" },          { 0x7fff0000u, "allow" },
  };
  char detail[FEAT_DETAIL_MAX] = "";
  int mode = prctl (PR_GET_SECCOMP, 0, 0, 0, 0);

  if (mode < 0)
    {
      feat_add (f, "seccomp", false, "not in this kernel");
      return;
    }
  for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
    if (syscall (SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0u, &actions[i].action) == 0)
      {
        strncat (detail, detail[0] ? " " : "actions: ", sizeof detail - strlen (detail) - 1);
        strncat (detail, actions[i].name, sizeof detail - strlen (detail) - 1);
      }
  feat_seccomp_arches (f);
  feat_add (f, "seccomp", true, "%s; native architecture %s (%zu known); this process: mode %d",
            detail, f->native_arch ? f->native_arch : "unknown", f->n_arches, mode);
}

static void
feat_lsms (struct features *f)
{
  char enabled[8] = "", aa[8] = "";
  bool selinux_build = false, apparmor_build = false, selinux_on, apparmor_on;

#if defined HAVE_SELINUX || defined HUSK_SELINUX_KERNEL
  selinux_build = true;
#endif
#if defined HAVE_APPARMOR || defined HUSK_APPARMOR_KERNEL
  apparmor_build = true;
#endif
  selinux_on = read_line ("/sys/fs/selinux/enforce", enabled, sizeof enabled);
  feat_add (f, "selinux", selinux_build && selinux_on, "build: %s; kernel: %s",
            selinux_build ? "yes" : "no",
            !selinux_on                  ? "not enabled"
            : strcmp (enabled, "1") == 0 ? "enforcing"
                                         : "permissive");
  apparmor_on
    = read_line ("/sys/module/apparmor/parameters/enabled", aa, sizeof aa) && aa[0] == 'Y';
  feat_add (f, "apparmor", apparmor_build && apparmor_on, "build: %s; kernel: %s",
            apparmor_build ? "yes" : "no", apparmor_on ? "enabled" : "not enabled");
}

/* cgroup2 and cgroup (v1) mounts in our mount table. */
static void
feat_cgroup (struct features *f)
{
  cleanup_file FILE *fp = fopen ("/proc/self/mountinfo", "re");
  cleanup_free char *line = NULL;
  char where[1024] = "";
  size_t cap = 0;
  int v1 = 0;

  while (fp && getline (&line, &cap, fp) > 0)
    {
      char mnt[1024];
      const char *sep = strstr (line, " - ");

      if (sep == NULL || sscanf (line, "%*s %*s %*s %*s %1023s", mnt) != 1)
        continue;
      if (strncmp (sep + 3, "cgroup2 ", 8) == 0 && where[0] == '\0')
        snprintf (where, sizeof where, "%s", mnt);
      else if (strncmp (sep + 3, "cgroup ", 7) == 0)
        v1++;
    }
  f->cgroup_v1 = v1 > 0;
  f->cgroup_v2 = where[0] != '\0';
  if (where[0] == '\0')
    feat_add (f, "cgroup-v2", false, "not mounted%s", v1 ? "; cgroup v1 only" : "");
  else
    feat_add (f, "cgroup-v2", true, "mounted at %s; %s", where,
              v1 ? "hybrid: cgroup v1 hierarchies are mounted too" : "unified");
}

/* Delegation (issue 6): can the caller make a child of its own cgroup,
 * which is what the cgroup limits do?  Asked with access(2), nothing made. */
static void
feat_cgroup_delegation (struct features *f)
{
  cleanup_free char *dir = cgroup_own_dir ();
  char path[1100];

  if (dir == NULL)
    {
      feat_add (f, "cgroup-delegation", false, "no cgroup v2 hierarchy");
      return;
    }
  snprintf (f->cgroup_dir, sizeof f->cgroup_dir, "%s", dir);
  snprintf (path, sizeof path, "%s/cgroup.controllers", dir);
  read_line (path, f->cgroup_controllers, sizeof f->cgroup_controllers);
  f->cgroup_delegated = access (dir, W_OK | X_OK) == 0;
  feat_add (f, "cgroup-delegation", f->cgroup_delegated,
            "husk's cgroup %s is %swritable; controllers: %s", dir,
            f->cgroup_delegated ? "" : "not ",
            f->cgroup_controllers[0] ? f->cgroup_controllers : "none");
}

static json_t *
feat_json_strings (const char *const *v, size_t n)
{
  json_t *a = json_array ();

  for (size_t i = 0; i < n && v[i] != NULL; i++)
    json_array_append_new (a, json_string (v[i]));
  return a;
}

/* The JSON-only members (issue 6): flags, seccomp architectures, cgroup. */
static void
feat_json_extras (const struct features *f, json_t *root)
{
  json_t *sc = json_object_get (root, "seccomp");
  json_t *cg = json_object ();
  size_t n = 0;
  char upper[64];
  json_t *arches = json_array ();

  while (f->flags != NULL && f->flags[n] != NULL)
    n++;
  json_object_set_new (root, "flags", feat_json_strings (f->flags, n));
  for (size_t i = 0; i < f->n_arches; i++)
    {
      size_t j;

      for (j = 0; f->arches[i][j] && j < sizeof upper - 1; j++)
        upper[j]
          = (char) (f->arches[i][j] >= 'a' && f->arches[i][j] <= 'z' ? f->arches[i][j] - 'a' + 'A'
                                                                     : f->arches[i][j]);
      upper[j] = '\0';
      json_array_append_new (arches, json_sprintf ("SCMP_ARCH_%s", upper));
    }
  if (sc != NULL)
    {
      json_object_set_new (sc, "architectures", arches);
      json_object_set_new (sc, "native-architecture",
                           f->native_arch ? json_string (f->native_arch) : json_null ());
    }
  else
    json_decref (arches);
  json_object_set_new (cg, "v1", json_boolean (f->cgroup_v1));
  json_object_set_new (cg, "v2", json_boolean (f->cgroup_v2));
  json_object_set_new (cg, "version",
                       f->cgroup_v2   ? json_string (f->cgroup_v1 ? "hybrid" : "2")
                       : f->cgroup_v1 ? json_string ("1")
                                      : json_null ());
  json_object_set_new (cg, "path", f->cgroup_dir[0] ? json_string (f->cgroup_dir) : json_null ());
  json_object_set_new (cg, "delegated", json_boolean (f->cgroup_delegated));
  json_object_set_new (cg, "controllers", json_string (f->cgroup_controllers));
  json_object_set_new (root, "cgroup", cg);
}

static void
feat_time_ns (struct features *f)
{
  bool yes = access ("/proc/self/ns/time", F_OK) == 0;

  feat_add (f, "time-namespace", yes, "%s",
            yes ? "CLONE_NEWTIME: monotonic and boottime offsets" : "needs Linux 5.6");
}

static void
feat_binaries (struct features *f)
{
  static const char *const bins[] = { "pasta", "newuidmap", "newgidmap" };

  for (size_t i = 0; i < sizeof bins / sizeof bins[0]; i++)
    {
      const char *p = find_in_path (bins[i]);
      struct stat st;

      if (p == NULL)
        feat_add (f, bins[i], false, "not found in PATH");
      else
        feat_add (f, bins[i], true, "%s%s", p,
                  stat (p, &st) == 0 && (st.st_mode & S_ISUID) ? ", setuid" : "");
    }
}

static void
feat_print_text (const struct features *f, FILE *out)
{
  for (size_t i = 0; i < f->n; i++)
    fprintf (out, "%s: %s (%s)\n", f->v[i].name, f->v[i].yes ? "yes" : "no", f->v[i].detail);
}

static int
feat_print_json (const struct features *f, FILE *out)
{
  json_t *root = json_object ();
  int r;

  json_object_set_new (root, "version", json_string (PACKAGE_VERSION));
  for (size_t i = 0; i < f->n; i++)
    {
      json_t *o = json_object ();

      json_object_set_new (o, "supported", json_boolean (f->v[i].yes));
      json_object_set_new (o, "detail", json_string (f->v[i].detail));
      if (f->v[i].number >= 0)
        json_object_set_new (o, f->v[i].number_name, json_integer (f->v[i].number));
      json_object_set_new (root, f->v[i].name, o);
    }
  feat_json_extras (f, root);
  r = json_dumpf (root, out, JSON_INDENT (2) | JSON_PRESERVE_ORDER);
  fputc ('\n', out);
  json_decref (root);
  return r;
}

int
exec_features (int argc, char **argv, const char *const *flags, FILE *out, struct husk_err *err)
{
  struct features f = { .n = 0, .flags = flags };
  bool json = false;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--json") == 0)
        json = true;
      else
        return husk_err_set (err, 0, "features: unknown argument \"%s\" (only --json)", argv[i]);
    }
  feat_userns (&f);
  feat_namespaces (&f);
  feat_time_ns (&f);
  feat_syscalls (&f);
  feat_landlock (&f);
  feat_seccomp (&f);
  feat_lsms (&f);
  feat_cgroup (&f);
  feat_cgroup_delegation (&f);
  feat_binaries (&f);
  if (json && feat_print_json (&f, out) < 0)
    return husk_err_sys (err, "features: write");
  if (!json)
    feat_print_text (&f, out);
  if (fflush (out) != 0)
    return husk_err_sys (err, "features: write");
  return 0;
}
