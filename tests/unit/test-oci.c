/* test-oci.c: unit tests of the OCI front end (src/oci): config.json text
 * -> plan, its error messages (each naming the JSON path) and warnings,
 * in-process.  Prints TAP (tap.h).  Must stay valgrind-clean, error paths included.
 *
 * Must not: need privileges or touch the filesystem.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "lib/passwd.h"
#include "oci/oci.h"
#include "plan/plan.h"
#include "tap.h"

/* A valid config; "%s" marks where a test splices extra top-level members,
 * "%p" extra process members, "%l" extra linux members, "%m" extra mounts. */
static const char base[] =
  "{\"ociVersion\": \"1.0.2\",\n"
  " \"process\": {\"user\": {\"uid\": 0, \"gid\": 0}, \"args\": [\"sh\", \"-c\", \"x\"],\n"
  "   \"env\": [\"PATH=/bin\", \"A=b=c\"], \"cwd\": \"/w\"@P},\n"
  " \"root\": {\"path\": \"rootfs\"},\n"
  " \"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},\n"
  "   {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"options\": [\"mode=755\"]}@M],\n"
  " \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}]@L}@T\n"
  "}\n";

/* base with the markers replaced by p, m, l, t (NULL: nothing). */
static char *
config (const char *p, const char *m, const char *l, const char *t)
{
  const char *fill[4] = { p ? p : "", m ? m : "", l ? l : "", t ? t : "" };
  const char *marks = "PMLT";
  size_t len = sizeof base + 1;
  char *out, *q;

  for (int i = 0; i < 4; i++)
    len += strlen (fill[i]);
  out = q = malloc (len);
  for (const char *s = base; *s != '\0'; s++)
    {
      const char *k = s[0] == '@' ? strchr (marks, s[1]) : NULL;

      if (k != NULL && s[1] != '\0')
        {
          q = stpcpy (q, fill[k - marks]);
          s++;
        }
      else
        *q++ = *s;
    }
  *q = '\0';
  return out;
}

/* text with the first `old` replaced by `new`; frees text. */
static char *
subst (char *text, const char *old, const char *new)
{
  char *at = strstr (text, old);
  char *out;

  if (at == NULL)
    return text;
  if (asprintf (&out, "%.*s%s%s", (int) (at - text), text, new, at + strlen (old)) < 0)
    abort ();
  free (text);
  return out;
}

struct result
{
  int rc;
  unsigned warnings;
  struct husk_err err;
  char *dump;
};

static void
load (const char *text, struct result *r)
{
  struct husk_plan plan;
  size_t n = 0;
  FILE *f;

  plan_init (&plan);
  memset (r, 0, sizeof *r);
  r->rc = oci_load_text (&plan, text, strlen (text), "/b", "config.json",
                         &r->warnings, &r->err);
  if (r->rc == 0)
    r->rc = plan_check (&plan, &r->err);
  f = open_memstream (&r->dump, &n);
  if (r->rc == 0)
    plan_dump (&plan, f);
  fclose (f);
  plan_free (&plan);
}

/* Load base with the given splices; expect error message `msg`. */
static void
fails (const char *p, const char *m, const char *l, const char *t, const char *msg)
{
  char *text = config (p, m, l, t);
  struct result r;

  load (text, &r);
  ok (r.rc < 0 && strcmp (r.err.msg, msg) == 0, "error: %s%s%s", msg,
      r.rc < 0 && strcmp (r.err.msg, msg) != 0 ? " # got: " : "",
      r.rc < 0 && strcmp (r.err.msg, msg) != 0 ? r.err.msg : "");
  free (r.dump);
  free (text);
}

static bool
has (const struct result *r, const char *line)
{
  return r->dump != NULL && strstr (r->dump, line) != NULL;
}

static void
test_basic (void)
{
  char *text = config (NULL, NULL, NULL, NULL);
  struct result r;

  load (text, &r);
  ok (r.rc == 0 && r.warnings == 0, "base config loads without warnings");
  ok (has (&r, "unshare pid\n"), "namespaces: pid (mount is implied)");
  ok (has (&r, "op bind src=\"/b/rootfs\" dest=\"/\"  # root.path\n"
               "op proc dest=\"/proc\"  # mounts[0]\n"
               "op tmpfs dest=\"/dev\" perms=0755  # mounts[1]\n"
               "op bind src=\"/dev/null\" dest=\"/dev/null\" flags=dev,try  # default devices\n"),
      "root first, mounts in order, then default devices");
  ok (!has (&r, "/dev/ptmx"), "no ptmx link without a devpts");
  ok (has (&r, "env clear  # process.env\n"
               "env set name=\"PATH\" value=\"/bin\"  # process.env[0]\n"
               "env set name=\"A\" value=\"b=c\"  # process.env[1]\n"),
      "env replaces the environment; value keeps later '='");
  ok (has (&r, "chdir \"/w\"  # process.cwd\n") && has (&r, "argv \"sh\" \"-c\" \"x\"\n"),
      "cwd and args");
  ok (has (&r, "process as-pid-1\n"), "a pid namespace makes the process its init");
  ok (has (&r, "caps none\n"), "no capabilities object: none kept");
  ok (!has (&r, "uid "), "no user namespace: no uid switch");
  free (r.dump);
  free (text);
}

static void
test_warnings (void)
{
  char *text = config (", \"frob\": 1", NULL, ", \"frob\": {}",
                       ", \"annotations\": {\"a\": \"b\"}, \"x-extra\": [1]");
  struct result r;

  load (text, &r);
  ok (r.rc == 0 && r.warnings == 3, "three unknown properties: three warnings (%u)",
      r.warnings);
  free (r.dump);
  free (text);
  text = config (NULL, NULL, ", \"resources\": {\"devices\": [{\"allow\": false, "
                 "\"access\": \"rwm\"}]}", NULL);
  load (text, &r);
  ok (r.rc == 0 && r.warnings == 0, "deny-all device cgroup rule: no warning (enforced)");
  ok (has (&r, "device deny a *:* rwm  # linux.resources.devices[0]\n"
               "device allow c *:* m  # default devices\n"),
      "deny-all: the default devices' rules after it");
  free (r.dump);
  free (text);
  text = config (NULL, ", {\"destination\": \"/x\", \"type\": \"tmpfs\", "
                 "\"options\": [\"strictatime\", \"rprivate\"]}", NULL, NULL);
  load (text, &r);
  ok (r.rc == 0 && r.warnings == 0
        && strstr (r.dump, "op setattr dest=\"/x\" set=strictatime  # mounts[2]\n"
                           "op propagate dest=\"/x\" flags=rec propagation=private") != NULL,
      "atime honoured, a setattr op; rprivate honoured, a propagate op after it");
  free (r.dump);
  free (text);
}

static void
test_user_caps (void)
{
  const char *ns = ", \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1},"
                   " {\"containerID\": 1, \"hostID\": 100000, \"size\": 65536}]";
  char *text = config (", \"capabilities\": {\"bounding\": [\"CAP_KILL\"], \"effective\": "
                       "[\"CAP_KILL\"], \"permitted\": [\"CAP_KILL\"]}", NULL, ns, NULL);
  struct result r;

  text = subst (text, "\"mount\"", "\"user\"");
  load (text, &r);
  ok (r.rc == 0 && has (&r, "uid 0  # process.user.uid\n")
      && has (&r, "uid-map 0 1000 1  # linux.uidMappings[0]\n")
      && has (&r, "uid-map 1 100000 65536  # linux.uidMappings[1]\n")
      && has (&r, "caps cap_kill\n"), "user namespace: uid, maps, caps");
  free (r.dump);
  free (text);
}

static void
test_mounts (void)
{
  char *text = config (NULL,
                       ", {\"destination\": \"/data\", \"source\": \"d\", \"options\": [\"bind\", \"ro\", \"noexec\"]}"
                       ", {\"destination\": \"/t\", \"type\": \"tmpfs\", \"options\": [\"size=2k\", \"ro\", \"noexec\"]}"
                       ", {\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"options\": [\"newinstance\", \"gid=5\"]}"
                       ", {\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\"}",
                       ", \"maskedPaths\": [\"/m\"], \"readonlyPaths\": [\"/r\"]",
                       NULL);
  struct result r;

  text = subst (text, "{\"path\": \"rootfs\"}", "{\"path\": \"/abs\", \"readonly\": true}");
  load (text, &r);
  ok (r.rc == 0 && r.warnings == 1, "mounts load (cgroup skipped with a warning)");
  ok (has (&r, "op bind src=\"/abs\" dest=\"/\"  # root.path\n"),
      "absolute root.path kept");
  ok (has (&r, "op bind src=\"/b/d\" dest=\"/data\" flags=ro,noexec,norec  # mounts[2]\n"),
      "relative bind source resolved in the bundle; bind is not recursive, nodev");
  ok (has (&r, "op tmpfs dest=\"/t\" flags=noexec size=2048  # mounts[3]\n"
               "op remount-ro dest=\"/t\"  # mounts[3]\n"), "tmpfs size suffix, ro as a remount");
  ok (has (&r, "op devpts dest=\"/dev/pts\"  # mounts[4]\n")
      && has (&r, "op symlink src=\"pts/ptmx\" dest=\"/dev/ptmx\""), "devpts and the ptmx link");
  ok (has (&r, "op ro-self dest=\"/r\"  # linux.readonlyPaths[0]\n"
               "op mask dest=\"/m\"  # linux.maskedPaths[0]\n"
               "op remount-ro dest=\"/\"  # root.readonly\n"),
      "readonly, masked paths, then root.readonly last");
  free (r.dump);
  free (text);
}

static void
test_errors (void)
{
  /* Which of two equal keys counts differs between parsers: refused. */
  fails (NULL, NULL, ", \"namespaces\": 3", NULL,
         "config.json: line 7, column 75: duplicate object key near '\"namespaces\"'");
  fails (NULL, NULL, NULL, ", \"hostname\": \"h\"",
         "hostname: requires a uts namespace (linux.namespaces type \"uts\")");
  fails (NULL, ", {\"destination\": \"/x\"}", NULL, NULL,
         "mounts[2].type: required (or a \"bind\" or \"rbind\" option)");
  fails (NULL, ", {\"destination\": \"/x\", \"options\": [\"rbind\"]}", NULL, NULL,
         "mounts[2].source: required for a bind mount");
  fails (NULL, ", {\"destination\": \"/x\", \"type\": \"tmpfs\", \"options\": [\"size=10%\"]}",
         NULL, NULL, "mounts[2].options[0]: invalid size in \"size=10%\" (bytes, or with k, m or g)");
  fails (NULL, ", {\"destination\": \"/x\", \"type\": \"tmpfs\", \"options\": [\"mode=999\"]}",
         NULL, NULL, "mounts[2].options[0]: invalid mode in \"mode=999\"");
  fails (NULL, ", {\"destination\": \"/x\", \"type\": \"devpts\", \"options\": [\"gid=7\"]}",
         NULL, NULL, "mounts[2].options[0]: mount option \"gid=7\" not supported yet");
  fails (NULL, ", {\"destination\": \"/x\", \"type\": \"tmpfs\", \"options\": [\"dev\"]}",
         NULL, NULL, "mounts[2].options[0]: \"dev\" is supported on bind mounts only (husk "
         "makes new file systems nodev: device nodes come from linux.devices)");
  fails (NULL, ", {\"destination\": \"/x\", \"type\": \"proc\", \"uidMappings\": [{}]}",
         NULL, NULL, "mounts[2].uidMappings: supported on bind mounts only (an idmapped mount)");
  fails (NULL, ", 7", NULL, NULL, "mounts[2]: expected an object, got an integer");
  fails (NULL, NULL, ", \"rootfsPropagation\": \"rsharedx\"", NULL,
         "linux.rootfsPropagation: unknown propagation \"rsharedx\" ([r]private, [r]shared, "
         "[r]slave or [r]unbindable)");
  fails (NULL, NULL, ", \"namespaces2\": 1, \"gidMappings\": [{\"containerID\": 0}]", NULL,
         "linux.gidMappings: requires a user namespace (linux.namespaces type \"user\")");
  fails (", \"capabilities\": {\"bounding\": [\"cap_kill\"]}", NULL, NULL, NULL,
         "process.capabilities.bounding[0]: unknown capability \"cap_kill\"");
  fails (", \"capabilities\": {\"bounding\": \"CAP_KILL\"}", NULL, NULL, NULL,
         "process.capabilities.bounding: expected an array, got a string");
  fails (", \"selinuxLabel\": 5", NULL, NULL, NULL,
         "process.selinuxLabel: expected a string, got an integer");
  fails (NULL, NULL, ", \"maskedPaths\": [\"/a\", \"b\\u0001\"]", NULL,
         "linux.maskedPaths[1]: must be an absolute path, got \"b\\001\"");
}

/* OCI extras (issue 5). */
static void
succeeds (const char *p, const char *l, const char *t, const char *const *lines, const char *what)
{
  char *text = config (p, NULL, l, t);
  struct result r;
  bool all = true;

  load (text, &r);
  for (size_t i = 0; lines[i] != NULL; i++)
    all = all && has (&r, lines[i]);
  ok (r.rc == 0 && all, "%s%s%s", what, r.rc < 0 ? " # got: " : "", r.rc < 0 ? r.err.msg : "");
  if (r.rc == 0 && !all)
    {
      diag ("dump:");
      for (const char *d = r.dump; *d != '\0';)
        {
          size_t n = strcspn (d, "\n");

          diag ("  %.*s", (int) n, d);
          d += n + (d[n] != '\0');
        }
    }
  free (r.dump);
  free (text);
}

static void
test_extras (void)
{
  static const char *const rl[]
    = { "rlimit nofile 1024 1024  # process.rlimits[0]\n",
        "rlimit core 0 5  # process.rlimits[1]\n", NULL };
  static const char *const term[] = { "terminal 24x80  # process.terminal\n", NULL };
  static const char *const misc[]
    = { "umask 0027  # process.user.umask\n",
        "groups 5 7  # process.user.additionalGids\n",
        "oom-score-adj 100  # process.oomScoreAdj\n", NULL };
  static const char *const lx[]
    = { "sysctl net.ipv4.ip_forward=\"1\"  # linux.sysctl.net.ipv4.ip_forward\n",
        "sysctl kernel.shmmax=\"4096\"  # linux.sysctl.kernel.shmmax\n",
        "personality linux32  # linux.personality\n",
        "domainname \"dom\"  # domainname\n", NULL };
  static const char *const ns[]
    = { "join net path=\"/proc/1/ns/net\"  # linux.namespaces[2].path\n",
        "unshare-time\n", "time-offset monotonic 5 7  # linux.timeOffsets.monotonic\n", NULL };
  static const char *const sc[] = { "seccomp insns=", NULL };
  const char *nsx = "\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}, "
                    "{\"type\": \"network\", \"path\": \"/proc/1/ns/net\"}, {\"type\": \"time\"}]";
  char *l;

  succeeds (", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1024, \"hard\": 1024}, "
            "{\"type\": \"RLIMIT_CORE\", \"soft\": 0, \"hard\": 5}]",
            NULL, NULL, rl, "process.rlimits");
  succeeds (", \"terminal\": true, \"consoleSize\": {\"height\": 24, \"width\": 80}", NULL,
            NULL, term, "process.terminal and consoleSize");
  succeeds (", \"oomScoreAdj\": 100", NULL, NULL, misc + 2, "process.oomScoreAdj");
  {
    char *text = config (NULL, NULL, NULL, NULL);
    struct result r;

    text = subst (text, "\"gid\": 0}", "\"gid\": 0, \"umask\": 23, \"additionalGids\": [5, 7]}");
    text = subst (text, "\"cwd\"", "\"oomScoreAdj\": 100, \"cwd\"");
    load (text, &r);
    ok (r.rc == 0 && has (&r, misc[0]) && has (&r, misc[1]) && has (&r, misc[2]),
        "process.user.umask, additionalGids");
    free (r.dump);
    free (text);
  }
  l = NULL;
  if (asprintf (&l, "%s%s", ", \"namespaces\": [{\"type\": \"network\"}, {\"type\": \"ipc\"}, "
                "{\"type\": \"uts\"}], \"sysctl\": {\"net.ipv4.ip_forward\": \"1\", "
                "\"kernel.shmmax\": \"4096\"}, \"personality\": {\"domain\": \"LINUX32\"}",
                "") < 0)
    abort ();
  {
    char *text = config (NULL, NULL, l, ", \"domainname\": \"dom\"");

    text = subst (text, "\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}], ", "");
    {
      struct result r;
      bool all = true;

      load (text, &r);
      for (size_t i = 0; lx[i] != NULL; i++)
        all = all && has (&r, lx[i]);
      ok (r.rc == 0 && all, "linux.sysctl, personality, domainname%s%s",
          r.rc < 0 ? " # got: " : "", r.rc < 0 ? r.err.msg : "");
      free (r.dump);
    }
    free (text);
  }
  free (l);
  {
    char *text = config (NULL, NULL, ", \"timeOffsets\": {\"monotonic\": {\"secs\": 5, "
                                     "\"nanosecs\": 7}}", NULL);
    struct result r;
    bool all = true;

    text = subst (text, "\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}]", nsx);
    load (text, &r);
    for (size_t i = 0; ns[i] != NULL; i++)
      all = all && has (&r, ns[i]);
    ok (r.rc == 0 && all, "namespaces[].path, time, timeOffsets%s%s", r.rc < 0 ? " # got: " : "",
        r.rc < 0 ? r.err.msg : "");
    free (r.dump);
    free (text);
  }
  succeeds (NULL, ", \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
                  "[{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\"}]}",
            NULL, sc, "linux.seccomp");

  fails (", \"rlimits\": [{\"type\": \"RLIMIT_FOO\", \"soft\": 1, \"hard\": 1}]", NULL, NULL,
         NULL, "process.rlimits[0].type: unknown resource limit \"RLIMIT_FOO\"");
  fails (", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 2, \"hard\": 1}]", NULL,
         NULL, NULL, "process.rlimits[0]: soft limit above the hard limit");
  fails (", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 2}]", NULL, NULL, NULL,
         "process.rlimits[0].hard: required");
  fails (", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1, \"hard\": 1}, "
         "{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1, \"hard\": 1}]", NULL, NULL, NULL,
         "process.rlimits[1].type: \"RLIMIT_NOFILE\" given twice");
  fails (", \"terminal\": true, \"consoleSize\": {\"height\": 24}", NULL, NULL, NULL,
         "process.consoleSize.width: required");
  fails (", \"oomScoreAdj\": 1001", NULL, NULL, NULL,
         "process.oomScoreAdj: 1001 is out of range (-1000..1000)");
  fails (NULL, NULL, ", \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
                     "[{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_FOO\"}]}", NULL,
         "linux.seccomp.syscalls[0].action: unknown action \"SCMP_ACT_FOO\"");
  fails (NULL, NULL, ", \"sysctl\": {\"vm.swappiness\": \"1\"}", NULL,
         "linux.sysctl.vm.swappiness: not a namespaced sysctl (only net.*, kernel.hostname, "
         "kernel.domainname, kernel.shm*, kernel.msg*, kernel.sem and fs.mqueue.* are allowed)");
  fails (NULL, NULL, ", \"sysctl\": {\"net.ipv4.ip_forward\": \"1\"}", NULL,
         "linux.sysctl.net.ipv4.ip_forward: requires a network namespace (linux.namespaces "
         "type \"network\")");
  fails (NULL, NULL, ", \"sysctl\": {\"net/../../x\": \"1\"}", NULL,
         "linux.sysctl.net/../../x: invalid sysctl name");
  fails (NULL, NULL, ", \"personality\": {\"domain\": \"BSD\"}", NULL,
         "linux.personality.domain: unknown domain \"BSD\" (LINUX or LINUX32)");
  fails (NULL, NULL, ", \"personality\": {\"domain\": \"LINUX\", \"flags\": [\"x\"]}", NULL,
         "linux.personality.flags[0]: unknown flag \"x\" (the runtime-spec defines none)");
  fails (NULL, NULL, ", \"timeOffsets\": {\"boottime\": {\"secs\": 1}}", NULL,
         "linux.timeOffsets.boottime: requires a new time namespace (linux.namespaces type "
         "\"time\")");
  fails (NULL, NULL, NULL, ", \"domainname\": \"d\"",
         "domainname: requires a new uts namespace (linux.namespaces type \"uts\")");
  {
    char *text = config (NULL, NULL, NULL, NULL);
    struct result r;

    text = subst (text, "{\"type\": \"pid\"}", "{\"type\": \"pid\", \"path\": \"/proc/1/ns/pid\"}");
    load (text, &r);
    ok (r.rc == 0 && strstr (r.dump, "join pid path=\"/proc/1/ns/pid\"") != NULL
          && strstr (r.dump, "as-pid-1") == NULL,
        "pid namespace path: joined, the process not its pid 1 # %s", r.err.msg);
    free (r.dump);
    free (text);
  }
  {
    char *text = config (NULL, NULL, NULL, NULL);
    struct result r;

    text = subst (text, "{\"type\": \"pid\"}",
                  "{\"type\": \"user\", \"path\": \"/proc/1/ns/user\"}");
    load (text, &r);
    ok (r.rc == 0 && strstr (r.dump, "userns path=\"/proc/1/ns/user\"") != NULL
          && strstr (r.dump, "unshare user") == NULL,
        "user namespace path: joined, none created # %s", r.err.msg);
    free (r.dump);
    free (text);
  }
}

static void
test_parse_errors (void)
{
  struct husk_plan plan;
  struct husk_err err = { 0 };
  static const char *const bad[][2] = {
    { "{\"ociVersion\": \"1.0.0\",\n  \"process\": [1,]}",
      "t.json: line 2, column 17: unexpected token near ']'" },
    { "", "t.json: line 1, column 0: '[' or '{' expected near end of file" },
    { "\"s\"", "t.json: line 1, column 3: '[' or '{' expected near '\"s\"'" },
    { "[]", "t.json: expected a JSON object" },
    { "{}", "ociVersion: required" },
    { "{\"ociVersion\": \"1.x\"}", "ociVersion: unsupported version \"1.x\" (husk reads 1.x)" },
    { "{\"ociVersion\": \"1.2.0\"}", "process: required" },
    { "{\"ociVersion\": \"1.2.0\", \"process\": {\"args\": []}}",
      "process.args: required, with at least one element" },
    { "{\"ociVersion\": \"1.2.0\", \"process\": {\"args\": [\"a\"], \"env\": [\"X\"]}}",
      "process.env[0]: expected \"NAME=VALUE\", got \"X\"" },
    { "{\"ociVersion\": \"1.2.0\", \"process\": {\"args\": [\"a\"], \"cwd\": \"/\"}}",
      "process.user: required" },
    { "{\"ociVersion\": \"1.2.0\", \"process\": {\"args\": [\"a\"], \"cwd\": \"/\", "
      "\"user\": {\"uid\": 0, \"gid\": 0}}}", "root: required" },
    { "{\"ociVersion\": \"1.2.0\", \"process\": {\"args\": [\"a\"], \"cwd\": \"/\", "
      "\"user\": {\"uid\": 0, \"gid\": 1.5}}}",
      "process.user.gid: expected an integer, got a number" },
    { "{\"ociVersion\": \"1.2.0\", \"process\": {\"args\": [\"a\"], \"cwd\": \"/\", "
      "\"env\": [\"A\\u0000B=1\"]}}",
      "t.json: line 1, column 83: \\u0000 is not allowed without JSON_ALLOW_NUL near "
      "'\"A\\u0000B=1\"'" },
    { "{\"ociVersion\": \"1.2.0\", \"process\": {\"args\": [\"a\"], \"cwd\": \"/\", "
      "\"user\": {\"uid\": 4294967295, \"gid\": 0}}}",
      "process.user.uid: 4294967295 is out of range (0..4294967294)" },
    { "{\"ociVersion\": \"1.2.0\", \"process\": {\"args\": [\"a\"], \"cwd\": \"/\", "
      "\"user\": {\"uid\": 0, \"gid\": 0}}, \"root\": {\"path\": \"\"}}",
      "root.path: required" },
  };

  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      int rc;

      plan_init (&plan);
      memset (&err, 0, sizeof err);
      rc = oci_load_text (&plan, bad[i][0], strlen (bad[i][0]), "/b", "t.json", NULL, &err);
      ok (rc < 0 && strcmp (err.msg, bad[i][1]) == 0, "error: %s%s%s", bad[i][1],
          strcmp (err.msg, bad[i][1]) ? " # got: " : "", strcmp (err.msg, bad[i][1]) ? err.msg : "");
      plan_free (&plan);
    }
}

/* Integers above INT64_MAX (jansson's limit), read by lib/json_u64.c. */
static void
test_big_integers (void)
{
  static const char *const rl[]
    = { "rlimit core unlimited unlimited  # process.rlimits[0]\n",
        "rlimit stack 8388608 9223372036854775808  # process.rlimits[1]\n",
        "rlimit nofile 1024 1024  # process.rlimits[2]\n", NULL };
  static const char *const sc[] = { "seccomp insns=", NULL };
  static const char *const gid[] = { "groups 4294967294  # process.user.additionalGids\n", NULL };
  struct result r1, r2;
  char *t1, *t2;

  succeeds (
    ", \"rlimits\": [{\"type\": \"RLIMIT_CORE\", \"soft\": 18446744073709551615, "
    "\"hard\": 18446744073709551615}, {\"type\": \"RLIMIT_STACK\", \"soft\": 8388608,\n"
    "\"hard\": 9223372036854775808}, {\"type\":\"RLIMIT_NOFILE\",\"soft\":1024,\"hard\":1024}]",
    NULL, NULL, rl, "rlimits: RLIM_INFINITY (2^64-1) and 2^63");
  succeeds (NULL,
            ", \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
            "[\"lseek\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 1, \"value\": "
            "18446744073709551615, \"valueTwo\": 9223372036854775808, \"op\": \"SCMP_CMP_EQ\"}]}]}",
            NULL, sc, "linux.seccomp args value 2^64-1 and valueTwo 2^63");
  t1 = config (NULL, NULL, NULL, NULL);
  t1 = subst (t1, "\"gid\": 0}", "\"gid\": 0, \"additionalGids\": [4294967294]}");
  load (t1, &r1);
  ok (r1.rc == 0 && has (&r1, gid[0]), "additionalGids: the largest gid");
  free (r1.dump);
  free (t1);
  fails (
    ", \"rlimits\": [{\"type\": \"RLIMIT_CORE\", \"soft\": 1, \"hard\": 18446744073709551616}]",
    NULL, NULL, NULL,
    "process.rlimits[0].hard: a number above 18446744073709551615 is out of range "
    "(0..18446744073709551615)");
  fails (", \"rlimits\": [{\"type\": \"RLIMIT_CORE\", \"soft\": 18446744073709551615, "
         "\"hard\": 18446744073709551614}]",
         NULL, NULL, NULL, "process.rlimits[0]: soft limit above the hard limit");
  fails (", \"rlimits\": [{\"type\": \"RLIMIT_CORE\", \"soft\": 1, \"hard\": -1}]", NULL, NULL,
         NULL, "process.rlimits[0].hard: -1 is out of range (0..18446744073709551615)");
  fails (", \"rlimits\": [{\"type\": \"RLIMIT_CORE\", \"soft\": 1, \"hard\": 1.8e19}]", NULL, NULL,
         NULL, "process.rlimits[0].hard: expected an integer, got a number");
  fails (", \"rlimits\": [{\"type\": 18446744073709551615, \"soft\": 1, \"hard\": 1}]", NULL, NULL,
         NULL, "process.rlimits[0].type: expected a string, got an integer");
  fails (", \"oomScoreAdj\": 9223372036854775808", NULL, NULL, NULL,
         "process.oomScoreAdj: 9223372036854775808 is out of range (-1000..1000)");
  fails (NULL, NULL, NULL, ", \"hostname\": 18446744073709551615",
         "hostname: expected a string, got an integer");
  fails (NULL, NULL, NULL, ", \"hostname\": [\"\\ue000x\"]",
         "config.json: line 7, column 78: a string may not start with U+E000 (husk reserves it)");
  fails (NULL, NULL, NULL, ", \"hostname\": -18446744073709551615",
         "config.json: line 7, column 97: too big negative integer");
  /* A syntax error after a rewritten integer keeps its column: the same
   * message as with a string of the same width in its place. */
  t1 = config (NULL, NULL, NULL, ", \"x\": [18446744073709551615,]");
  t2 = config (NULL, NULL, NULL, ", \"x\": [\"123456789012345678\",]");
  load (t1, &r1);
  load (t2, &r2);
  ok (r1.rc < 0 && r2.rc < 0 && strcmp (r1.err.msg, r2.err.msg) == 0
        && strstr (r1.err.msg, "line 7, column 92") != NULL,
      "a later syntax error keeps its line and column # %s", r1.err.msg);
  free (r1.dump);
  free (r2.dump);
  free (t1);
  free (t2);
}

/* lib/passwd.c: the rootfs user lookup behind `husk spec --user`. */
static void
test_passwd (void)
{
  static const char pw[] = "root:x:0:0:root:/root:/bin/sh\n"
                           "# comment\n"
                           "\n"
                           "+nis\n"
                           "alice:x:1000:1000:Alice:/home/alice:/bin/sh\r\n"
                           "bob:x:1001:100::/:/bin/sh";
  static const char gr[] = "root:x:0:\nwheel:x:10:bob,alice\naudio:x:29:alice\n"
                           "dup:x:10:alice\nalicex:x:30:alicex,xalice\n";
  struct husk_pwent e = { 0 };
  struct husk_err err = { 0 };
  uint32_t *gids = NULL, gid = 0;
  size_t n = 0;
  int r;

  r = passwd_lookup (pw, "p", "alice", 0, &e, &err);
  ok (r == 1 && e.uid == 1000 && e.gid == 1000 && strcmp (e.home, "/home/alice") == 0,
      "passwd: by name (CRLF line)");
  passwd_ent_free (&e);
  r = passwd_lookup (pw, "p", NULL, 1001, &e, &err);
  ok (r == 1 && strcmp (e.name, "bob") == 0 && e.gid == 100 && strcmp (e.home, "/") == 0,
      "passwd: by uid, last line without a newline");
  passwd_ent_free (&e);
  ok (passwd_lookup (pw, "p", "carol", 0, &e, &err) == 0, "passwd: unknown name");
  ok (passwd_lookup (pw, "p", "ali", 0, &e, &err) == 0, "passwd: no prefix match");
  ok (passwd_lookup (pw, "p", NULL, 5, &e, &err) == 0, "passwd: unknown uid");
  r = passwd_lookup ("a:x:1:1:::\nb:x:1:1\n", "p", "a", 0, &e, &err);
  ok (r < 0 && strcmp (err.msg, "p:2: malformed line (expected 7 fields)") == 0,
      "passwd: a malformed line after the match is an error # %s", err.msg);
  ok (e.name == NULL, "passwd: nothing left allocated on error");
  r = passwd_lookup ("a:x:-1:1:::\n", "p", "a", 0, &e, &err);
  ok (r < 0 && strstr (err.msg, "p:1: malformed line (the uid and gid") != NULL,
      "passwd: a negative uid");
  r = passwd_lookup ("a:x:4294967295:1:::\n", "p", "a", 0, &e, &err);
  ok (r < 0, "passwd: uid 4294967295");
  r = passwd_lookup (":x:1:1:::\n", "p", "a", 0, &e, &err);
  ok (r < 0 && strcmp (err.msg, "p:1: malformed line (empty user name)") == 0,
      "passwd: an empty name");
  r = passwd_lookup ("a:x:1:1::::x\n", "p", "a", 0, &e, &err);
  ok (r < 0, "passwd: 8 fields");
  ok (passwd_group_gid (gr, "g", "audio", &gid, &err) == 1 && gid == 29, "group: by name");
  ok (passwd_group_gid (gr, "g", "video", &gid, &err) == 0, "group: unknown name");
  ok (passwd_group_gid ("a:x:1\n", "g", "a", &gid, &err) < 0
          && strcmp (err.msg, "g:1: malformed line (expected 4 fields)") == 0,
      "group: 3 fields # %s", err.msg);
  ok (passwd_member_gids (gr, "g", "alice", &gids, &n, &err) == 0 && n == 2 && gids[0] == 10
          && gids[1] == 29,
      "group: memberships in file order, a gid once, no substring matches");
  free (gids);
  gids = NULL;
  n = 0;
  ok (passwd_member_gids ("g:x:5:a\nbad\n", "g", "a", &gids, &n, &err) < 0,
      "group: a malformed line fails the membership scan");
  free (gids);
}

int
main (void)
{
  test_basic ();
  test_warnings ();
  test_user_caps ();
  test_mounts ();
  test_errors ();
  test_extras ();
  test_parse_errors ();
  test_big_integers ();
  test_passwd ();
  return tap_done ();
}
