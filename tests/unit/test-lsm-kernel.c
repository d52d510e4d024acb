/* test-lsm-kernel.c: the kernel-file SELinux/AppArmor calls of a static
 * husk (src/lib/lsm_kernel.c), pointed at a directory of the test's own
 * (what each call writes, and where), then at the real files of this
 * system, compared with what the system itself shows.  Prints TAP.
 *
 * Must not: write outside its temporary directory (the real-system checks
 * only call what fails without an LSM, and skip when one is enabled).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/lsm_kernel.h"
#include "tap.h"

static char dir[] = "/tmp/husk-test-lsm.XXXXXX";

static char *
at (const char *name)
{
  static char buf[4][512];
  static int i;
  char *b = buf[i++ % 4];

  snprintf (b, sizeof buf[0], "%s/%s", dir, name);
  return b;
}

/* The test's attribute opener: DIR/attr/REL. */
static int
open_test_attr (const char *rel, int flags)
{
  char path[512];

  snprintf (path, sizeof path, "%s/attr/%s", dir, rel);
  return open (path, flags | O_CLOEXEC);
}

/* This system's own attributes, by path (the executor goes through the
 * host's /proc fd; no namespace is joined here). */
static int
open_real_attr (const char *rel, int flags)
{
  char path[512];

  snprintf (path, sizeof path, "/proc/thread-self/attr/%s", rel);
  return open (path, flags | O_CLOEXEC);
}

static const struct lsm_kernel_paths real = {
  .selinuxfs = "/sys/fs/selinux",
  .aa_enabled = "/sys/module/apparmor/parameters/enabled",
  .open_attr = open_real_attr,
};

static void
put (const char *name, const char *text)
{
  FILE *f = fopen (at (name), "w");

  if (f == NULL || fputs (text, f) == EOF || fclose (f) != 0)
    {
      perror (at (name));
      exit (2);
    }
}

/* The file's bytes, NULs shown as "\0". */
static const char *
got (const char *name)
{
  static char outs[4][1024];
  static int k;
  char *out = outs[k++ % 4];
  char buf[256];
  size_t n = 0, o = 0;
  FILE *f = fopen (at (name), "r");

  if (f == NULL)
    return "(missing)";
  n = fread (buf, 1, sizeof buf, f);
  fclose (f);
  for (size_t i = 0; i < n && o + 3 < sizeof outs[0]; i++)
    if (buf[i] == '\0')
      o += (size_t) snprintf (out + o, sizeof outs[0] - o, "\\0");
    else
      out[o++] = buf[i];
  out[o] = '\0';
  return out;
}

int
main (void)
{
  struct lsm_kernel_paths p;
  int r;

  if (mkdtemp (dir) == NULL)
    {
      perror ("mkdtemp");
      return 2;
    }
  p.selinuxfs = strdup (at ("selinux"));
  p.aa_enabled = strdup (at ("aa-enabled"));
  p.open_attr = open_test_attr;
  mkdir (at ("selinux"), 0700);
  mkdir (at ("attr"), 0700);

  /* SELinux */
  ok (lsmk_selinux_enabled (&p) == 0, "a plain directory is not selinuxfs");
  put ("selinux/context", "");
  r = lsmk_selinux_check_context (&p, "system_u:system_r:container_t:s0");
  ok (r == 0 && strcmp (got ("selinux/context"), "system_u:system_r:container_t:s0\\0") == 0,
      "check_context writes the context and its NUL to selinuxfs/context (%s)",
      got ("selinux/context"));
  put ("attr/exec", "");
  r = lsmk_selinux_set_exec (&p, "unconfined_u:unconfined_r:unconfined_t:s0");
  ok (r == 0 && strcmp (got ("attr/exec"), "unconfined_u:unconfined_r:unconfined_t:s0\\0") == 0,
      "set_exec writes the context and its NUL to attr/exec (%s)", got ("attr/exec"));
  unlink (at ("selinux/context"));
  errno = 0;
  r = lsmk_selinux_check_context (&p, "x");
  ok (r == -1 && errno == ENOENT, "check_context without the file: -1, ENOENT (%d, %s)", r,
      strerror (errno));

  /* AppArmor */
  ok (lsmk_apparmor_enabled (&p) == 0, "AppArmor without the module parameter: not enabled");
  put ("aa-enabled", "N\n");
  ok (lsmk_apparmor_enabled (&p) == 0, "AppArmor with enabled=N: not enabled");
  put ("aa-enabled", "Y\n");
  ok (lsmk_apparmor_enabled (&p) == 1, "AppArmor with enabled=Y and an attr directory: enabled");
  put ("attr/exec", "");
  r = lsmk_apparmor_change_onexec (&p, "husk-test//&nested");
  ok (r == 0 && strcmp (got ("attr/exec"), "exec husk-test//&nested") == 0,
      "change_onexec without attr/apparmor writes \"exec PROFILE\" to attr/exec (%s)",
      got ("attr/exec"));
  mkdir (at ("attr/apparmor"), 0700);
  put ("attr/apparmor/exec", "");
  put ("attr/exec", "");
  r = lsmk_apparmor_change_onexec (&p, "husk-test");
  ok (r == 0 && strcmp (got ("attr/apparmor/exec"), "exec husk-test") == 0
          && strcmp (got ("attr/exec"), "") == 0,
      "change_onexec prefers attr/apparmor/exec (%s; attr/exec: \"%s\")",
      got ("attr/apparmor/exec"), got ("attr/exec"));
  {
    char big[5000];
    memset (big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    errno = 0;
    ok (lsmk_apparmor_change_onexec (&p, big) == -1 && errno == ENAMETOOLONG,
        "a profile name longer than a page: -1, ENAMETOOLONG");
  }

  /* This system's real files. */
  ok (lsmk_selinux_enabled (&real) == (access ("/sys/fs/selinux/enforce", F_OK) == 0),
      "SELinux enabled here: %d, as /sys/fs/selinux/enforce says",
      lsmk_selinux_enabled (&real));
  if (!lsmk_selinux_enabled (&real))
    {
      errno = 0;
      r = lsmk_selinux_set_exec (&real, "system_u:system_r:container_t:s0");
      ok (r == -1 && errno != 0, "without SELinux, the kernel refuses an exec context (%s)",
          strerror (errno));
    }
  else
    tap_skip ("SELinux is enabled here", "without SELinux, the kernel refuses an exec context");
  {
    int fd = open ("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);
    char c = 0;
    if (fd >= 0 && read (fd, &c, 1) != 1)
      c = 0;
    if (fd >= 0)
      close (fd);
    ok (lsmk_apparmor_enabled (&real) == (c == 'Y'),
        "AppArmor enabled here: %d, as /sys/module/apparmor says",
        lsmk_apparmor_enabled (&real));
  }

  unlink (at ("attr/apparmor/exec"));
  rmdir (at ("attr/apparmor"));
  unlink (at ("attr/exec"));
  rmdir (at ("attr"));
  unlink (at ("aa-enabled"));
  rmdir (at ("selinux"));
  rmdir (dir);
  free ((char *) p.selinuxfs);
  free ((char *) p.aa_enabled);
  return tap_done ();
}
