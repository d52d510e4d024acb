/* spec.c: `husk spec [--rootless] [--bundle DIR]` (issue 5): write a
 * starting config.json that `husk --oci DIR` runs as it is once DIR/rootfs
 * holds a root filesystem with a shell.
 *
 * What it holds: process.args ["sh"], no terminal, PATH, cwd "/", a few
 * capabilities, a read-only root "rootfs", proc, a tmpfs /dev with devpts
 * and /dev/shm, mqueue, a read-only /sys, hostname "husk", new pid,
 * network, ipc, uts and mount namespaces, and the usual masked and
 * read-only paths.  --rootless adds a user namespace mapping the caller's
 * euid and egid to 0 (one id each: no /etc/subuid delegation needed).
 * Nothing needs privileges husk lacks: no device nodes are created (husk
 * binds the default devices from the host), no cgroup resources.
 *
 * Must not: write anything but DIR/config.json, and never over an existing
 * file (O_EXCL).
 */
#include "oci/oci_int.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"

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
spec_process (void)
{
  static const char *const caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };
  static const char *const args[] = { "sh", NULL };
  static const char *const env[]
    = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", NULL };

  return json_pack ("{s:b, s:{s:i, s:i}, s:o, s:o, s:s, s:{s:o, s:o, s:o}, s:b}", "terminal", 0,
                    "user", "uid", 0, "gid", 0, "args", spec_strings (args), "env",
                    spec_strings (env), "cwd", "/", "capabilities", "bounding", spec_strings (caps),
                    "effective", spec_strings (caps), "permitted", spec_strings (caps),
                    "noNewPrivileges", 1);
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
spec_linux (bool rootless)
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
  if (rootless)
    json_array_append_new (n, json_pack ("{s:s}", "type", "user"));
  json_object_set_new (lx, "namespaces", n);
  if (rootless)
    {
      json_object_set_new (lx, "uidMappings",
                           json_pack ("[{s:i, s:I, s:i}]", "containerID", 0, "hostID",
                                      (json_int_t) geteuid (), "size", 1));
      json_object_set_new (lx, "gidMappings",
                           json_pack ("[{s:i, s:I, s:i}]", "containerID", 0, "hostID",
                                      (json_int_t) getegid (), "size", 1));
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
  const char *dir = ".";
  bool rootless = false;
  json_t *top;
  char *text;
  int r;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--rootless") == 0)
        rootless = true;
      else if (strcmp (argv[i], "--bundle") == 0 && i + 1 < argc)
        dir = argv[++i];
      else if (strcmp (argv[i], "--bundle") == 0)
        return husk_err_set (err, 0, "spec: --bundle: takes 1 argument");
      else
        {
          cleanup_free char *q = oci_quote (argv[i]);
          return husk_err_set (err, 0,
                               "spec: unknown argument %s (usage: husk spec "
                               "[--rootless] [--bundle DIR])",
                               q);
        }
    }
  top = json_pack ("{s:s, s:o, s:{s:s, s:b}, s:s, s:o, s:o}", "ociVersion", "1.2.0", "process",
                   spec_process (), "root", "path", "rootfs", "readonly", 1, "hostname", "husk",
                   "mounts", spec_mounts (), "linux", spec_linux (rootless));
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
