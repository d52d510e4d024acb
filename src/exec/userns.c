/* userns.c: user-namespace id maps, written by the parent for the child,
 * and hints when the environment forbids user namespaces.
 *
 * Single-range maps are written directly (allowed for an unprivileged
 * caller mapping only its own ids, after "deny" in setgroups: kernel rule
 * since 3.19, CVE-2014-8989).  Multi-range maps (--uid-map/--gid-map) are
 * written directly by root; an ordinary user needs the setuid newuidmap and
 * newgidmap (package uidmap), which allow only the ranges /etc/subuid and
 * /etc/subgid delegate to the user.  husk checks those files first so that
 * a refused range is one clear error naming the file.
 *
 * Must not: touch the caller's own credentials.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec/exec_int.h"
#include "lib/cleanup.h"
#include "lib/xalloc.h"

static int
write_proc_file (pid_t pid, const char *name, const char *data, struct husk_err *err)
{
  char path[64];
  cleanup_fd int fd = -1;
  size_t len = strlen (data);
  ssize_t n;

  snprintf (path, sizeof path, "%d/%s", (int) pid, name);
  fd = hostproc_open (path, O_WRONLY);
  if (fd < 0)
    return husk_err_sys (err, "open /proc/%s", path);
  do
    n = write (fd, data, len);
  while (n < 0 && errno == EINTR);
  if (n != (ssize_t) len)
    return husk_err_sys (err, "write /proc/%s", path);
  return 0;
}

/* Multi-range maps (issue 4). */
struct userns_kind
{
  const char *name;       /* "uid" */
  const char *file;       /* /etc/subuid */
  const char *tool;       /* newuidmap */
  const char *proc;       /* uid_map */
  const struct husk_idmap *v;
  size_t n;
  uint32_t own;           /* the caller's own id, always allowed */
};

static bool
subid_line_covers (const char *line, const char *user, uid_t uid, const struct husk_idmap *m)
{
  char owner[256];
  unsigned long long start, count;
  char num[16];

  if (sscanf (line, "%255[^:\n]:%llu:%llu", owner, &start, &count) != 3)
    return false;
  snprintf (num, sizeof num, "%u", (unsigned) uid);
  if (strcmp (owner, num) != 0 && (user == NULL || strcmp (owner, user) != 0))
    return false;
  return m->outside >= start && (unsigned long long) m->outside + m->count <= start + count;
}

/* Failure path only (issue 6): does the caller have any range at all? */
static void
subid_hint (const struct userns_kind *k, const char *user, uid_t uid, struct husk_err *err)
{
  cleanup_file FILE *f = fopen (k->file, "re");
  char line[512], owner[256], num[16];
  const char *opt = strcmp (k->name, "uid") == 0 ? "--add-subuids" : "--add-subgids";

  snprintf (num, sizeof num, "%u", (unsigned) uid);
  while (f && fgets (line, sizeof line, f))
    if (sscanf (line, "%255[^:\n]:", owner) == 1
        && (strcmp (owner, num) == 0 || (user && strcmp (owner, user) == 0)))
      return; /* it has one: the message says which ids it lacks */
  if (f == NULL)
    husk_err_hint (err, "%s does not exist: root can give %s a range with "
                   "'usermod %s 100000-165535 %s'", k->file, user ? user : num, opt,
                   user ? user : num);
  else
    husk_err_hint (err, "%s has no subordinate %s range in %s: root can add one with "
                   "'usermod %s 100000-165535 %s'", user ? user : num, k->name, k->file, opt,
                   user ? user : num);
}

#ifdef HUSK_STATIC
/* A static husk: no NSS (a static glibc would dlopen() its modules, which
 * must then match the glibc husk was built with): /etc/passwd only.  A
 * caller it does not list (LDAP, sssd, systemd-homed) may still own ranges
 * under its name, so subid_check then leaves the verdict to newuidmap and
 * newgidmap, which read them through NSS and enforce them anyway. */
#define HUSK_NAMES_COMPLETE false
static struct passwd *
husk_getpwuid (uid_t uid)
{
  cleanup_file FILE *f = fopen ("/etc/passwd", "re");
  struct passwd *pw;

  while (f && (pw = fgetpwent (f)) != NULL)
    if (pw->pw_uid == uid)
      return pw;
  return NULL;
}
#define getpwuid husk_getpwuid
#else
#define HUSK_NAMES_COMPLETE true
#endif

/* Each range is the caller's own id or lies within one delegated range. */
static int
subid_check (const struct userns_kind *k, uid_t uid, struct husk_err *err)
{
  const char *user = NULL;
  bool looked_up = false;

  for (size_t i = 0; i < k->n; i++)
    {
      const struct husk_idmap *m = &k->v[i];
      cleanup_file FILE *f = NULL;
      char line[512];
      bool ok = m->count == 1 && m->outside == k->own;

      /* The user name only when a range needs the file: mapping one's own
       * id (every rootless OCI config) then reads neither passwd nor NSS. */
      if (!ok && !looked_up)
        {
          struct passwd *pw = getpwuid (uid);

          user = pw ? pw->pw_name : NULL;
          looked_up = true;
          if (user == NULL && !HUSK_NAMES_COMPLETE)
            return 0;
        }
      if (!ok)
        f = fopen (k->file, "re");
      while (!ok && f && fgets (line, sizeof line, f))
        ok = subid_line_covers (line, user, uid, m);
      if (!ok)
        {
          husk_err_set (err, 0, "%s: %ss %" PRIu32 "-%" PRIu32 " are not delegated to "
                        "user %s (uid %u) in %s", m->origin.where, k->name, m->outside,
                        m->outside + (m->count - 1), user ? user : "?", (unsigned) uid,
                        k->file);
          subid_hint (k, user, uid, err);
          return -1;
        }
    }
  return 0;
}

static int
run_idmap_tool (const struct userns_kind *k, pid_t pid, struct husk_err *err)
{
  const char *where = k->v[0].origin.where;
  cleanup_free char **argv = xcalloc (3 * k->n + 3, sizeof *argv);
  cleanup_free char *nums = xmalloc ((3 * k->n + 1) * 12);
  char *p = nums, out[256] = "";
  int pipefd[2], st;
  size_t a = 0;
  ssize_t got = 0, r;
  pid_t child;

  argv[a++] = (char *) k->tool;
  argv[a++] = p;
  p += sprintf (p, "%d", (int) pid) + 1;
  for (size_t i = 0; i < k->n; i++)
    {
      uint32_t f[3] = { k->v[i].inside, k->v[i].outside, k->v[i].count };
      for (int j = 0; j < 3; j++)
        {
          argv[a++] = p;
          p += sprintf (p, "%" PRIu32, f[j]) + 1;
        }
    }
  if (pipe2 (pipefd, O_CLOEXEC) < 0)
    return husk_err_sys (err, "%s: pipe", where);
  child = fork ();
  if (child < 0)
    {
      close (pipefd[0]), close (pipefd[1]);
      return husk_err_sys (err, "%s: fork", where);
    }
  if (child == 0)
    {
      dup2 (pipefd[1], 2);
      execvp (k->tool, argv);
      dprintf (2, "%s", strerror (errno));
      _exit (127);
    }
  close (pipefd[1]);
  while (got < (ssize_t) sizeof out - 1
         && ((r = read (pipefd[0], out + got, sizeof out - 1 - (size_t) got)) > 0
             || (r < 0 && errno == EINTR)))
    got += r > 0 ? r : 0;
  close (pipefd[0]);
  while (waitpid (child, &st, 0) < 0 && errno == EINTR)
    ;
  if (WIFEXITED (st) && WEXITSTATUS (st) == 0)
    return 0;
  out[strcspn (out, "\n")] = '\0';
  if (WIFEXITED (st) && WEXITSTATUS (st) == 127)
    {
      husk_err_set (err, 0, "%s: cannot run %s: %s", where, k->tool, out);
      return husk_err_hint (err, "install the uidmap package");
    }
  husk_err_set (err, 0, "%s: %s failed: %s", where, k->tool, out[0] ? out : "no message");
  return husk_err_hint (err, "ranges must be delegated to you in %s", k->file);
}

/* Only a multi-id map needs newuidmap/newgidmap: one range of one id, the
 * caller's own (what `husk spec --rootless` and --print-oci write), the
 * kernel lets anyone write (issue 5). */
static bool
needs_idmap_tool (const struct userns_kind *k, bool root)
{
  return !root && k->n > 0 && !(k->n == 1 && k->v[0].count == 1 && k->v[0].outside == k->own);
}

static int
write_idmap (const struct userns_kind *k, pid_t pid, bool root, uint32_t inside,
             uint32_t outside, struct husk_err *err)
{
  char *map;
  size_t len = 0;
  int r;

  if (needs_idmap_tool (k, root))
    return run_idmap_tool (k, pid, err);
  map = xmalloc ((k->n ? k->n : 1) * 36 + 1);
  if (k->n == 0)
    len += (size_t) sprintf (map, "%" PRIu32 " %" PRIu32 " 1\n", inside, outside);
  for (size_t i = 0; i < k->n; i++)
    len += (size_t) sprintf (map + len, "%" PRIu32 " %" PRIu32 " %" PRIu32 "\n",
                             k->v[i].inside, k->v[i].outside, k->v[i].count);
  r = write_proc_file (pid, k->proc, map, err);
  free (map);
  if (r < 0 && k->n > 0)
    husk_err_prefix (err, "%s", k->v[0].origin.where);
  return r;
}

static void
userns_kinds (const struct husk_plan *plan, uid_t euid, gid_t egid, struct userns_kind *u,
              struct userns_kind *g)
{
  *u = (struct userns_kind) { "uid", "/etc/subuid", "newuidmap", "uid_map", NULL, 0, euid };
  *g = (struct userns_kind) { "gid", "/etc/subgid", "newgidmap", "gid_map", NULL, 0, egid };
  if (plan)
    {
      u->v = plan->uid_maps, u->n = plan->n_uid_maps;
      g->v = plan->gid_maps, g->n = plan->n_gid_maps;
    }
}

int
userns_write_maps (pid_t pid, const struct userns_ids *ids, struct husk_err *err)
{
  struct userns_kind u, g;
  bool root = ids->outside_uid == 0;

  userns_kinds (ids->plan, ids->outside_uid, ids->outside_gid, &u, &g);
  if (!root && ((u.n > 0 && subid_check (&u, ids->outside_uid, err) < 0)
                || (g.n > 0 && subid_check (&g, ids->outside_uid, err) < 0)))
    return -1;
  if (write_idmap (&u, pid, root, ids->inside_uid, ids->outside_uid, err) < 0)
    return -1;
  /* newgidmap decides about setgroups itself (subgid delegation allows it). */
  if (ids->deny_setgroups && !needs_idmap_tool (&g, root)
      && write_proc_file (pid, "setgroups", "deny\n", err) < 0 && err->errnum != ENOENT)
    return -1;
  return write_idmap (&g, pid, root, ids->inside_gid, ids->outside_gid, err);
}

static bool
userns_maps_id (const struct husk_idmap *v, size_t n, uint32_t outside)
{
  for (size_t i = 0; i < n; i++)
    if (outside >= v[i].outside && outside - v[i].outside < v[i].count)
      return true;
  return false;
}

/* Is `gid` (inside) mapped by the gid map parent_side writes for a user
 * namespace of husk's own: the --gid-map ranges, or the one-id default? */
bool
userns_inside_gid_mapped (const struct husk_plan *plan, gid_t egid, gid_t gid)
{
  if (plan->n_gid_maps == 0)
    return gid == (plan->has_gid ? plan->gid : egid);
  for (size_t i = 0; i < plan->n_gid_maps; i++)
    {
      const struct husk_idmap *m = &plan->gid_maps[i];

      if (gid >= m->inside && gid - m->inside < m->count)
        return true;
    }
  return false;
}

int
userns_check_maps (const struct husk_plan *plan, unsigned ns, uid_t euid, gid_t egid,
                   struct husk_err *err)
{
  const struct husk_idmap *first = plan->n_uid_maps ? plan->uid_maps : plan->gid_maps;

  if (plan->n_uid_maps == 0 && plan->n_gid_maps == 0)
    return 0;
  if (!(ns & HUSK_NS_USER))
    return husk_err_set (err, 0, "%s: requires --unshare-user", first->origin.where);
  if (plan->n_uid_maps > 0 && !plan->has_uid
      && !userns_maps_id (plan->uid_maps, plan->n_uid_maps, euid))
    return husk_err_set (err, 0, "%s: your uid %u is in no range; pick the uid inside "
                         "with --uid", plan->uid_maps[0].origin.where, (unsigned) euid);
  if (plan->n_gid_maps > 0 && !plan->has_gid
      && !userns_maps_id (plan->gid_maps, plan->n_gid_maps, egid))
    return husk_err_set (err, 0, "%s: your gid %u is in no range; pick the gid inside "
                         "with --gid", plan->gid_maps[0].origin.where, (unsigned) egid);
  return 0;
}

/* Switch to plan->gid (if gid) and plan->uid (if uid), keeping the
 * capability sets.  clear_groups: drop the supplementary groups first. */
static int
userns_set_ids (const struct husk_plan *plan, bool gid, bool uid, bool clear_groups,
                struct husk_err *err)
{
  cap_t caps = NULL;
  int r = 0;

  if (gid)
    {
      /* Supplementary groups from outside mean nothing here; denied setgroups is fine. */
      if (clear_groups && setgroups (0, NULL) < 0 && errno != EPERM)
        return husk_err_sys (err, "%s: setgroups", plan->gid_origin.where);
      if (setresgid (plan->gid, plan->gid, plan->gid) < 0)
        return husk_err_sys (err, "%s: setresgid", plan->gid_origin.where);
    }
  if (!uid)
    return 0;
  /* Leaving uid 0 would empty the capability sets that the rest of the
   * setup still needs; keep them and apply them again afterwards. */
  caps = cap_get_proc ();
  if (caps == NULL || prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    r = husk_err_sys (err, "%s: keep capabilities", plan->uid_origin.where);
  else if (setresuid (plan->uid, plan->uid, plan->uid) < 0)
    r = husk_err_sys (err, "%s: setresuid", plan->uid_origin.where);
  else if (cap_set_proc (caps) < 0 || prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    r = husk_err_sys (err, "%s: restore capabilities", plan->uid_origin.where);
  cap_free (caps);
  return r;
}

int
userns_switch_ids (const struct husk_plan *plan, struct husk_err *err)
{
  /* With --userns nothing maps --uid for us either. */
  bool gid = plan->has_gid && (plan->n_gid_maps > 0 || plan_joins_userns (plan));
  bool uid = plan->has_uid && (plan->n_uid_maps > 0 || plan_joins_userns (plan));

  return userns_set_ids (plan, gid, uid, true, err);
}

int
userns_switch_real_ids (const struct husk_plan *plan, struct husk_err *err)
{
  if (!plan->real_ids)
    return 0;
  /* additionalGids were set earlier (procattrs): keep them; without any,
   * root's own supplementary groups must not reach the program. */
  return userns_set_ids (plan, plan->has_gid, plan->has_uid, plan->n_groups == 0, err);
}

static int
read_sysctl_int (const char *path, int *value)
{
  FILE *f = fopen (path, "re");
  int ok;

  if (!f)
    return -1;
  ok = fscanf (f, "%d", value) == 1;
  fclose (f);
  return ok ? 0 : -1;
}

void
userns_hint (struct husk_err *err)
{
  int v;

  if (err->hint[0])
    return;
  if (read_sysctl_int ("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", &v) == 0
      && v == 1)
    husk_err_hint (err, "AppArmor restricts unprivileged user namespaces on this system; "
                        "install the husk AppArmor profile (packaging/apparmor/husk) or run "
                        "'sysctl kernel.apparmor_restrict_unprivileged_userns=0'");
  else if (read_sysctl_int ("/proc/sys/user/max_user_namespaces", &v) == 0 && v == 0)
    husk_err_hint (err, "user namespaces are disabled: 'sysctl user.max_user_namespaces=15000' "
                        "enables them");
  else if (read_sysctl_int ("/proc/sys/kernel/unprivileged_userns_clone", &v) == 0 && v == 0)
    husk_err_hint (err, "unprivileged user namespaces are disabled: "
                        "'sysctl kernel.unprivileged_userns_clone=1' enables them");
}
