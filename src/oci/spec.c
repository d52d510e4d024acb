/* spec.c: `husk spec [--rootless] [--bundle DIR] [--user USER[:GROUP]]`
 * (issue 5): write a
 * starting config.json that `husk --oci DIR` runs as it is once DIR/rootfs
 * holds a root filesystem with a shell.
 *
 * What it holds: process.args ["sh"], no terminal, PATH, cwd "/", a few
 * capabilities, a read-only root "rootfs", proc, a tmpfs /dev with devpts
 * and /dev/shm, mqueue, a read-only /sys, hostname "husk", new pid,
 * network, ipc, uts and mount namespaces, and the usual masked and
 * read-only paths.  --rootless adds a user namespace mapping the caller's
 * euid and egid to 0 (one id each: no /etc/subuid delegation needed).
 * --user resolves a user name (or uid) and group against DIR/rootfs's
 * /etc/passwd and /etc/group, like containerd's WithUsername and
 * WithAdditionalGIDs: process.user.uid, gid, additionalGids and HOME.
 * Those files are read through lib/path.c inside the rootfs, so a symlink
 * in the image cannot make husk read a host file.
 * Nothing needs privileges husk lacks: no device nodes are created (husk
 * binds the default devices from the host), no cgroup resources.
 *
 * Must not: write anything but DIR/config.json, and never over an existing
 * file (O_EXCL); read anything in the rootfs but /etc/passwd and
 * /etc/group, and those only inside it.
 */
#include "oci/oci_int.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/passwd.h"
#include "lib/path.h"
#include "lib/xalloc.h"

#define SPEC_ETC_MAX (4 << 20) /* bytes of /etc/passwd or /etc/group read */

/* What --user resolved to. */
struct spec_user
{
  bool set;
  uint32_t uid, gid;
  char *home;     /* from passwd, NULL when unknown */
  uint32_t *gids; /* additionalGids */
  size_t n_gids;
};

static json_t *
spec_mount (const char *dest, const char *type, const char *src, const char *opts)
{
  json_t *o = json_array ();
  cleanup_free char *copy = xstrdup (opts);
  char *save = NULL;

  for (char *t = strtok_r (copy, ",", &save); t != NULL; t = strtok_r (NULL, ",", &save))
    json_array_append_new (o, json_string (t));
  return json_pack ("{s:s, s:s, s:s, s:o}", "destination", dest, "type", type, "source", src,
                    "options", o);
}

static json_t *
spec_strings (const char *const *v)
{
  json_t *a = json_array ();

  for (; *v != NULL; v++)
    json_array_append_new (a, json_string (*v));
  return a;
}

static json_t *
spec_process (const struct spec_user *u, bool rootless)
{
  static const char *const caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };
  static const char *const args[] = { "sh", NULL };
  static const char *const env[]
    = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", NULL };

  json_t *p, *user, *e;

  p = json_pack ("{s:b, s:{s:I, s:I}, s:o, s:o, s:s, s:{s:o, s:o, s:o}, s:b}", "terminal", 0,
                 "user", "uid", (json_int_t) u->uid, "gid", (json_int_t) u->gid, "args",
                 spec_strings (args), "env", spec_strings (env), "cwd", "/", "capabilities",
                 "bounding", spec_strings (caps), "effective", spec_strings (caps), "permitted",
                 spec_strings (caps), "noNewPrivileges", 1);
  if (p == NULL)
    husk_die ("out of memory");
  user = json_object_get (p, "user");
  /* A one-id gid map cannot hold other groups, and an unprivileged user
   * namespace refuses setgroups: --rootless leaves them out. */
  if (u->n_gids > 0 && !rootless)
    {
      json_t *g = json_array ();

      for (size_t i = 0; i < u->n_gids; i++)
        json_array_append_new (g, json_integer (u->gids[i]));
      json_object_set_new (user, "additionalGids", g);
    }
  e = json_object_get (p, "env");
  if (u->home != NULL && u->home[0] != '\0')
    json_array_append_new (e, json_sprintf ("HOME=%s", u->home));
  return p;
}

/* DIR/rootfs/PATH (PATH inside the rootfs) into *text; *text NULL when
 * it does not exist. */
static int
spec_read_etc (int rootfd, const char *dir, const char *path, char **text, struct husk_err *err)
{
  /* O_NONBLOCK: a FIFO in the image must not hang husk. */
  cleanup_fd int fd
    = path_open_file (rootfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0);
  cleanup_free char *buf = NULL;
  struct stat st;
  size_t n = 0;

  *text = NULL;
  if (fd < 0 && errno == ENOENT)
    return 0;
  if (fd < 0 || fstat (fd, &st) < 0)
    return husk_err_sys (err, "%s/rootfs/%s", dir, path);
  if (!S_ISREG (st.st_mode))
    return husk_err_set (err, 0, "%s/rootfs/%s: not a regular file", dir, path);
  buf = xmalloc (SPEC_ETC_MAX + 1);
  for (;;)
    {
      ssize_t r = read (fd, buf + n, SPEC_ETC_MAX + 1 - n);

      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return husk_err_sys (err, "%s/rootfs/%s", dir, path);
      if (r == 0)
        break;
      n += (size_t) r;
      if (n > SPEC_ETC_MAX)
        return husk_err_set (err, 0, "%s/rootfs/%s: larger than %d bytes", dir, path, SPEC_ETC_MAX);
    }
  buf[n] = '\0';
  if (strlen (buf) != n)
    return husk_err_set (err, 0, "%s/rootfs/%s: contains a NUL byte", dir, path);
  *text = steal_pointer (&buf);
  return 0;
}

/* The GROUP of USER:GROUP (a name or a gid) into u->gid. */
static int
spec_group (int rootfd, const char *dir, const char *group, struct spec_user *u,
            struct husk_err *err)
{
  cleanup_free char *text = NULL;
  cleanup_free char *file = xasprintf ("%s/rootfs/etc/group", dir);
  int r;

  if (passwd_parse_id (group, strlen (group), &u->gid) == 0)
    return 0;
  if (spec_read_etc (rootfd, dir, "etc/group", &text, err) < 0)
    return -1;
  if (text == NULL)
    return husk_err_set (err, ENOENT, "%s", file);
  r = passwd_group_gid (text, file, group, &u->gid, err);
  if (r == 0)
    {
      cleanup_free char *q = oci_quote (group);
      return husk_err_set (err, 0, "no such group %s in %s", q, file);
    }
  return r < 0 ? -1 : 0;
}

/* The user part: a name (which must exist) or a uid (looked up for its
 * gid, home and name when it exists; gid 0 when not, as containerd). */
static int
spec_passwd (int rootfd, const char *dir, const char *user, struct spec_user *u,
             struct husk_pwent *pw, struct husk_err *err)
{
  cleanup_free char *text = NULL;
  cleanup_free char *file = xasprintf ("%s/rootfs/etc/passwd", dir);
  bool numeric = passwd_parse_id (user, strlen (user), &u->uid) == 0;
  int r;

  if (spec_read_etc (rootfd, dir, "etc/passwd", &text, err) < 0)
    return -1;
  if (text == NULL && numeric)
    return 0;
  if (text == NULL)
    return husk_err_set (err, ENOENT, "%s", file);
  r = passwd_lookup (text, file, numeric ? NULL : user, u->uid, pw, err);
  if (r < 0)
    return -1;
  if (r == 0 && !numeric)
    return husk_err_set (err, 0, "no such user in %s", file);
  if (r > 0)
    {
      u->uid = pw->uid;
      u->gid = pw->gid;
      u->home = xstrdup (pw->home);
    }
  return 0;
}

/* --user USER[:GROUP] against DIR/rootfs.  Without GROUP, the user's
 * passwd gid and every group listing the user as a member become
 * additionalGids (the primary one first), as a login would have them. */
static int
spec_user (const char *dir, const char *arg, struct spec_user *u, struct husk_err *err)
{
  cleanup_free char *user = xstrdup (arg);
  cleanup_free char *root = xasprintf ("%s/rootfs", dir);
  cleanup_fd int rootfd = -1;
  struct husk_pwent pw = { 0 };
  char *group = strchr (user, ':');
  int r = -1;

  if (group != NULL)
    *group++ = '\0';
  if (user[0] == '\0' || (group != NULL && group[0] == '\0'))
    return husk_err_set (err, 0, "expected USER[:GROUP]");
  rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return husk_err_sys (err, "%s", root);
  u->set = true;
  if (spec_passwd (rootfd, dir, user, u, &pw, err) < 0)
    goto out;
  if (group != NULL)
    r = spec_group (rootfd, dir, group, u, err);
  else if (pw.name != NULL)
    {
      cleanup_free char *text = NULL;
      cleanup_free char *file = xasprintf ("%s/rootfs/etc/group", dir);

      u->gids = xmalloc (sizeof *u->gids);
      u->gids[u->n_gids++] = u->gid;
      r = spec_read_etc (rootfd, dir, "etc/group", &text, err);
      if (r == 0 && text != NULL)
        r = passwd_member_gids (text, file, pw.name, &u->gids, &u->n_gids, err);
    }
  else
    r = 0;
out:
  passwd_ent_free (&pw);
  return r;
}

static json_t *
spec_mounts (void)
{
  json_t *m = json_array ();

  json_array_append_new (m, spec_mount ("/proc", "proc", "proc", "nosuid,noexec,nodev"));
  json_array_append_new (m, spec_mount ("/dev", "tmpfs", "tmpfs", "nosuid,mode=755,size=65536k"));
  json_array_append_new (m, spec_mount ("/dev/pts", "devpts", "devpts",
                                        "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5"));
  json_array_append_new (
    m, spec_mount ("/dev/shm", "tmpfs", "shm", "nosuid,noexec,nodev,mode=1777,size=65536k"));
  json_array_append_new (m, spec_mount ("/dev/mqueue", "mqueue", "mqueue", "nosuid,noexec,nodev"));
  json_array_append_new (m, spec_mount ("/sys", "sysfs", "sysfs", "nosuid,noexec,nodev,ro"));
  return m;
}

static json_t *
spec_linux (bool rootless, const struct spec_user *u)
{
  static const char *const masked[] = {
    "/proc/acpi",
    "/proc/asound",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/devices/virtual/powercap",
    NULL,
  };
  static const char *const ro[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
  };
  static const char *const ns[] = { "pid", "network", "ipc", "uts", "mount", NULL };
  json_t *lx = json_object ();
  json_t *n = json_array ();

  for (size_t i = 0; ns[i] != NULL; i++)
    json_array_append_new (n, json_pack ("{s:s}", "type", ns[i]));
  /* Without --rootless there is no user namespace (as `runc spec`): root
   * switches to the --user ids after setup. */
  if (rootless)
    json_array_append_new (n, json_pack ("{s:s}", "type", "user"));
  json_object_set_new (lx, "namespaces", n);
  if (rootless)
    {
      /* The caller's ids become the container's user (root by default). */
      json_object_set_new (lx, "uidMappings",
                           json_pack ("[{s:I, s:I, s:i}]", "containerID", (json_int_t) u->uid,
                                      "hostID", (json_int_t) geteuid (), "size", 1));
      json_object_set_new (lx, "gidMappings",
                           json_pack ("[{s:I, s:I, s:i}]", "containerID", (json_int_t) u->gid,
                                      "hostID", (json_int_t) getegid (), "size", 1));
    }
  json_object_set_new (lx, "maskedPaths", spec_strings (masked));
  json_object_set_new (lx, "readonlyPaths", spec_strings (ro));
  return lx;
}

static int
spec_write (const char *dir, const char *text, struct husk_err *err)
{
  cleanup_free char *file = xasprintf ("%s/config.json", dir);
  cleanup_fd int fd = open (file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
  size_t len = strlen (text), done = 0;

  if (fd < 0 && errno == EEXIST)
    return husk_err_set (err, 0, "spec: %s already exists (not overwritten)", file);
  if (fd < 0)
    return husk_err_sys (err, "spec: %s", file);
  while (done < len)
    {
      ssize_t r = write (fd, text + done, len - done);

      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return husk_err_sys (err, "spec: write %s", file);
      done += (size_t) r;
    }
  if (close (steal_fd (&fd)) < 0)
    return husk_err_sys (err, "spec: close %s", file);
  return 0;
}

int
oci_spec (int argc, char **argv, struct husk_err *err)
{
  const char *dir = ".", *user = NULL;
  struct spec_user u = { 0 };
  bool rootless = false;
  json_t *top;
  char *text;
  int r;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--rootless") == 0)
        rootless = true;
      else if ((strcmp (argv[i], "--bundle") == 0 || strcmp (argv[i], "--user") == 0)
               && i + 1 < argc)
        {
          if (argv[i][2] == 'b')
            dir = argv[++i];
          else
            user = argv[++i];
        }
      else if (strcmp (argv[i], "--bundle") == 0 || strcmp (argv[i], "--user") == 0)
        return husk_err_set (err, 0, "spec: %s: takes 1 argument", argv[i]);
      else
        {
          cleanup_free char *q = oci_quote (argv[i]);
          return husk_err_set (err, 0,
                               "spec: unknown argument %s (usage: husk spec "
                               "[--rootless] [--bundle DIR] [--user USER[:GROUP]])",
                               q);
        }
    }
  if (user != NULL && spec_user (dir, user, &u, err) < 0)
    {
      cleanup_free char *q = oci_quote (user);
      free (u.home);
      free (u.gids);
      return husk_err_prefix (err, "spec: --user %s", q);
    }
  top = json_pack ("{s:s, s:o, s:{s:s, s:b}, s:s, s:o, s:o}", "ociVersion", "1.2.0", "process",
                   spec_process (&u, rootless), "root", "path", "rootfs", "readonly", 1, "hostname",
                   "husk", "mounts", spec_mounts (), "linux", spec_linux (rootless, &u));
  free (u.home);
  free (u.gids);
  if (top == NULL)
    husk_die ("out of memory");
  text = json_dumps (top, JSON_INDENT (2));
  json_decref (top);
  if (text == NULL)
    husk_die ("out of memory");
  {
    cleanup_free char *line = xasprintf ("%s\n", text);

    free (text);
    r = spec_write (dir, line, err);
  }
  return r;
}
