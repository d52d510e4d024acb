/* dump.c: plan_dump, the stable text form of a plan (--print-plan, golden
 * tests).  Only fields that are set are printed, one line each, in this
 * order:
 *
 *   unshare NS...                    NS: user|user-try ipc pid net uts
 *                                    cgroup|cgroup-try mnt
 *                                    ("  # user: ORIGIN" when known)
 *   uid N                            unsigned decimal
 *   gid N
 *   hostname "S"
 *   op KIND FIELD=VALUE...           one per op, in execution order
 *   env set name="N" value="V"       one per edit, in order
 *   env unset name="N"
 *   env clear
 *   chdir "S"
 *   argv0 "S"
 *   argv "S"...                      the command and its arguments
 *   process FLAG...                  die-with-parent new-session as-pid-1
 *   keep-fds N...
 *   caps none|NAME...|all [-NAME...]  capabilities kept (libcap names)
 *   seccomp insns=N [flags=F,...]    one per program, in load order; F: log
 *                                    spec-allow new-listener wait-killable-recv
 *   seccomp-agent "PATH" [metadata="S"]
 *                                    where NEW_LISTENER's listener goes (issue 5)
 *   exec-label "S"
 *   file-label "S"
 *   landlock                         any --landlock-* flag (issue 6; origin: the first)
 *   landlock-strict
 *   landlock-path ro|rw|exec "S"     one per path flag, in order
 *   landlock-tcp bind|connect N      one per port flag, in order
 *   landlock-scope abstract-unix|signal
 *   info-fd N, json-status-fd N, sync-fd N, block-fd N, userns-block-fd N,
 *   userns N, userns2 N, pidns N,    one line each, when given
 *   pidfd-fd N
 *   disable-userns / assert-userns-disabled
 *   lock-file "S"                    one per --lock-file, in order
 *   uid-map INSIDE OUTSIDE COUNT     one per range, in order (unsigned)
 *   gid-map INSIDE OUTSIDE COUNT
 *   cgroup memory.max N|max          cgroup limits (issue 6), one line each:
 *   cgroup pids.max N|max            the cgroup v2 file and the text written
 *   cgroup cpu.max QUOTA|max PERIOD  to it
 *   cgroup io.weight N
 *   cgroup-path "S"                  OCI linux.cgroupsPath (issue 5)
 *   cgroup-write FILE "V" [else FILE2 "V2"] [optional]
 *                                    OCI linux.resources (issue 5), one per
 *                                    write, in order
 *   cgroup-optional                  OCI: no cgroup without privileges is a warning
 *   device allow|deny a|b|c MAJOR:MINOR ACCESS
 *                                    OCI linux.resources.devices (issue 5), one
 *                                    per rule, in order; * for any major or
 *                                    minor; ACCESS of r, w, m
 *   net pasta "ARG"...               --net pasta (issue 6), pasta's extra arguments
 *   no-forward-signals               process limits, time, joined namespaces (issue 6)
 *   rlimit NAME SOFT HARD            one per limit; N, unlimited, or - (kept as is)
 *   unshare-time
 *   time-offset CLOCK SEC NSEC       one per clock (NSEC 0..999999999, as the kernel's)
 *   join NS fd=N|path="S"            one per joined namespace: net mnt uts ipc cgroup time
 *   join-pid N
 *   terminal [ROWSxCOLS]             OCI extras (issue 5): pty, size when given
 *   sysctl KEY="V"                   one per sysctl, sorted by key
 *   domainname "S"
 *   umask 0NNN
 *   groups N...                      supplementary groups
 *   oom-score-adj N
 *   personality linux|linux32
 *   scheduler POLICY nice=N priority=N flags=0xN runtime=N deadline=N period=N
 *                                    POLICY: other fifo rr batch idle deadline
 *   ioprio rt|be|idle N
 *   cpus-initial LIST                CPU lists, as "0-3,7" (kernel cpulist form)
 *   cpus-final LIST
 *   mempolicy MODE flags=0xN nodes=LIST   MODE: default preferred bind interleave
 *                                    local preferred-many weighted-interleave
 *   apparmor "S"
 *   intel-rdt                        linux.intelRdt given (refused when run)
 *   netdev "NAME" "NEWNAME"          one per linux.netDevices entry, in order
 *   hook KIND "PATH" argv "S"... [env "S"...] [timeout=N]
 *                                    OCI hooks (issue 5), one per hook, by
 *                                    KIND (in the order they run), then as given
 *   hook-state version="V" bundle="S"  the rest of the hooks' state JSON
 *   annotation "K"="V"               one per annotation, in order (only
 *                                    with hooks: their state carries them)
 *
 * KIND is plan_op_kind_name().  Op fields, each only when set, in order:
 *   src="S"    host path (bind), link text (symlink)
 *   mode=rw|tmp|ro  lower="S" (repeated, bottom first)  upper="S"
 *   work="S"   (overlay only, replacing src=)
 *   dest="S"  fd=N  flags=ro,dev,try,noexec,norec  perms=0NNN (4 octal digits)  size=N
 *
 * Lines for items with an origin end with "  # ORIGIN" (the flag as typed,
 * or a JSON path).  Strings are in double quotes; '"' and '\' are escaped
 * with a backslash, \n \t \r are written so, and every other byte outside
 * printable ASCII (0x20..0x7e) as a 3-digit octal escape (\ooo).  Origins
 * are not quoted; their non-printable bytes are escaped the same way.
 *
 * Must not: make syscalls other than writing to `out`, or change the plan.
 */
#include "plan/plan.h"

#include <inttypes.h>
#include <stdio.h>
#include <sys/capability.h>

#include "lib/rlimit.h"

static void
dump_escaped (FILE *out, const char *s, bool quotes)
{
  const unsigned char *p;

  for (p = (const unsigned char *) s; *p != '\0'; p++)
    {
      if (quotes && (*p == '"' || *p == '\\'))
        fprintf (out, "\\%c", *p);
      else if (*p == '\n')
        fputs ("\\n", out);
      else if (*p == '\t')
        fputs ("\\t", out);
      else if (*p == '\r')
        fputs ("\\r", out);
      else if (*p < 0x20 || *p > 0x7e)
        fprintf (out, "\\%03o", (unsigned) *p);
      else
        fputc (*p, out);
    }
}

static void
dump_str (FILE *out, const char *s)
{
  fputc ('"', out);
  dump_escaped (out, s, true);
  fputc ('"', out);
}

/* " key="value"" when value is set. */
static void
dump_field (FILE *out, const char *key, const char *value)
{
  if (value == NULL)
    return;
  fprintf (out, " %s=", key);
  dump_str (out, value);
}

static void
dump_origin_end (FILE *out, const struct husk_origin *o)
{
  if (o->where != NULL)
    {
      fputs ("  # ", out);
      dump_escaped (out, o->where, false);
    }
  fputc ('\n', out);
}

static void
dump_unshare (FILE *out, const struct husk_plan *plan)
{
  static const struct { unsigned bit; const char *name; } ns[] = {
    { HUSK_NS_USER, "user" }, { HUSK_NS_IPC, "ipc" },
    { HUSK_NS_PID, "pid" },   { HUSK_NS_NET, "net" },
    { HUSK_NS_UTS, "uts" },   { HUSK_NS_CGROUP, "cgroup" },
    { HUSK_NS_MNT, "mnt" },
  };
  size_t i;

  if (plan->unshare == 0)
    return;
  fputs ("unshare", out);
  for (i = 0; i < sizeof ns / sizeof ns[0]; i++)
    {
      if (!(plan->unshare & ns[i].bit))
        continue;
      fprintf (out, " %s", ns[i].name);
      if ((ns[i].bit == HUSK_NS_USER && plan->user_try)
          || (ns[i].bit == HUSK_NS_CGROUP && plan->cgroup_try))
        fputs ("-try", out);
    }
  if ((plan->unshare & HUSK_NS_USER) && plan->unshare_user_origin.where)
    {
      fputs ("  # user: ", out);
      dump_escaped (out, plan->unshare_user_origin.where, false);
    }
  fputc ('\n', out);
}

static void
dump_identity (FILE *out, const struct husk_plan *plan)
{
  if (plan->has_uid)
    {
      fprintf (out, "uid %" PRIu32, (uint32_t) plan->uid);
      dump_origin_end (out, &plan->uid_origin);
    }
  if (plan->has_gid)
    {
      fprintf (out, "gid %" PRIu32, (uint32_t) plan->gid);
      dump_origin_end (out, &plan->gid_origin);
    }
  if (plan->real_ids)
    fprintf (out, "real-ids\n");
  if (plan->hostname)
    {
      fputs ("hostname ", out);
      dump_str (out, plan->hostname);
      dump_origin_end (out, &plan->hostname_origin);
    }
}

static void
dump_flags (FILE *out, unsigned flags)
{
  const char *sep = " flags=";

  if (flags & HUSK_OPF_RO)
    fprintf (out, "%sro", sep), sep = ",";
  if (flags & HUSK_OPF_DEV)
    fprintf (out, "%sdev", sep), sep = ",";
  if (flags & HUSK_OPF_TRY)
    fprintf (out, "%stry", sep), sep = ",";
  if (flags & HUSK_OPF_NOEXEC)
    fprintf (out, "%snoexec", sep), sep = ",";
  if (flags & HUSK_OPF_NOREC)
    fprintf (out, "%snorec", sep), sep = ",";
  if (flags & HUSK_OPF_NOSYMFOLLOW)
    fprintf (out, "%snosymfollow", sep), sep = ",";
  if (flags & HUSK_OPF_COPYUP)
    fprintf (out, "%scopyup", sep), sep = ",";
  if (flags & HUSK_OPF_REC)
    fprintf (out, "%srec", sep), sep = ",";
  if (flags & HUSK_OPF_IDMAP)
    fprintf (out, "%sidmap", sep), sep = ",";
  if (flags & HUSK_OPF_SYNC)
    fprintf (out, "%ssync", sep), sep = ",";
  if (flags & HUSK_OPF_DIRSYNC)
    fprintf (out, "%sdirsync", sep), sep = ",";
  if (flags & HUSK_OPF_LAZYTIME)
    fprintf (out, "%slazytime", sep), sep = ",";
  if (flags & HUSK_OPF_IDMAP_REC)
    fprintf (out, "%sidmap-rec", sep);
}

static void
dump_overlay (FILE *out, const struct husk_op *op)
{
  static const char *const modes[] = { "rw", "tmp", "ro" };
  size_t i;

  if ((unsigned) op->overlay_mode < sizeof modes / sizeof modes[0])
    fprintf (out, " mode=%s", modes[op->overlay_mode]);
  for (i = 0; i < op->n_overlay_srcs; i++)
    dump_field (out, "lower", op->overlay_srcs[i]);
  dump_field (out, "upper", op->src);
  dump_field (out, "work", op->overlay_work);
}

static void
dump_devnode (FILE *out, const struct husk_devnode *d)
{
  fprintf (out, " type=%c", d->type != '\0' ? d->type : '?');
  if (d->type != 'p')
    fprintf (out, " major=%" PRIu32 " minor=%" PRIu32, d->major, d->minor);
  if (d->has_uid)
    fprintf (out, " uid=%" PRIu32, d->uid);
  if (d->has_gid)
    fprintf (out, " gid=%" PRIu32, d->gid);
}

/* SETATTR's HUSK_MA_* bits, as mount(8) names them. */
static void
dump_attrs (FILE *out, const char *sep, unsigned attrs)
{
  static const char *const names[] = { "ro",         "nosuid",   "nodev",   "noexec",
                                       "nosymfollow", "nodiratime", "relatime", "noatime",
                                       "strictatime" };

  for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
    if (attrs & (1u << i))
      fprintf (out, "%s%s", sep, names[i]), sep = ",";
}

static void
dump_op (FILE *out, const struct husk_op *op)
{
  fprintf (out, "op %s", plan_op_kind_name (op->kind));
  if (op->kind == HUSK_OP_OVERLAY)
    dump_overlay (out, op);
  else
    dump_field (out, "src", op->src);
  dump_field (out, "dest", op->dest);
  if (op->fd >= 0)
    fprintf (out, " fd=%d", op->fd);
  dump_flags (out, op->flags);
  if (op->perms != HUSK_PERMS_UNSET)
    fprintf (out, " perms=%04o", (unsigned) op->perms);
  if (op->size != HUSK_SIZE_UNSET)
    fprintf (out, " size=%" PRIu64, op->size);
  if (op->kind == HUSK_OP_DEVICE)
    dump_devnode (out, &op->dev);
  if (op->propagation != HUSK_PROP_NONE)
    {
      static const char *const names[] = { "none", "private", "shared", "slave", "unbindable" };

      fprintf (out, " propagation=%s",
               (unsigned) op->propagation < 5 ? names[op->propagation] : "?");
    }
  dump_attrs (out, " set=", op->attr_set);
  dump_attrs (out, " clear=", op->attr_clr);
  for (size_t i = 0; i < op->n_idmap_uids; i++)
    fprintf (out, " uidmap=%" PRIu32 ":%" PRIu32 ":%" PRIu32, op->idmap_uids[i].inside,
             op->idmap_uids[i].outside, op->idmap_uids[i].count);
  for (size_t i = 0; i < op->n_idmap_gids; i++)
    fprintf (out, " gidmap=%" PRIu32 ":%" PRIu32 ":%" PRIu32, op->idmap_gids[i].inside,
             op->idmap_gids[i].outside, op->idmap_gids[i].count);
  dump_origin_end (out, &op->origin);
}

static void
dump_env (FILE *out, const struct husk_envop *e)
{
  switch (e->kind)
    {
    case HUSK_ENV_SET:
      fputs ("env set", out);
      break;
    case HUSK_ENV_UNSET:
      fputs ("env unset", out);
      break;
    case HUSK_ENV_CLEAR:
      fputs ("env clear", out);
      break;
    default:
      fprintf (out, "env unknown-%d", (int) e->kind);
      break;
    }
  dump_field (out, "name", e->name);
  dump_field (out, "value", e->value);
  dump_origin_end (out, &e->origin);
}

static void
dump_process (FILE *out, const struct husk_plan *plan)
{
  size_t i;

  if (plan->chdir)
    {
      fputs ("chdir ", out);
      dump_str (out, plan->chdir);
      dump_origin_end (out, &plan->chdir_origin);
    }
  if (plan->argv0)
    {
      fputs ("argv0 ", out);
      dump_str (out, plan->argv0);
      fputc ('\n', out);
    }
  if (plan->argv && plan->argc > 0)
    {
      fputs ("argv", out);
      for (i = 0; i < plan->argc && plan->argv[i]; i++)
        {
          fputc (' ', out);
          dump_str (out, plan->argv[i]);
        }
      fputc ('\n', out);
    }
  if (plan->die_with_parent || plan->new_session || plan->as_pid_1)
    fprintf (out, "process%s%s%s\n",
             plan->die_with_parent ? " die-with-parent" : "",
             plan->new_session ? " new-session" : "",
             plan->as_pid_1 ? " as-pid-1" : "");
}

/* Security (issue 4). */
static void
dump_cap_name (FILE *out, int cap, const char *prefix)
{
  char *name = cap_to_name ((cap_value_t) cap);

  fprintf (out, " %s", prefix);
  if (name != NULL)
    dump_escaped (out, name, false);
  else
    fprintf (out, "%d", cap);
  cap_free (name);
}

/* Issue 5: a program's seccomp(2) flags, when it has any. */
static void
dump_seccomp_flags (FILE *out, unsigned flags)
{
  static const struct
  {
    unsigned flag;
    const char *name;
  } names[] = {
    { HUSK_SECCOMP_FLAG_LOG, "log" },
    { HUSK_SECCOMP_FLAG_SPEC_ALLOW, "spec-allow" },
    { HUSK_SECCOMP_FLAG_NEW_LISTENER, "new-listener" },
    { HUSK_SECCOMP_FLAG_WAIT_KILLABLE_RECV, "wait-killable-recv" },
  };
  const char *sep = " flags=";

  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (flags & names[i].flag)
      {
        fprintf (out, "%s%s", sep, names[i].name);
        sep = ",";
      }
}

static void
dump_seccomp_agent (FILE *out, const struct husk_seccomp_agent *a)
{
  if (a->path == NULL)
    return;
  fputs ("seccomp-agent ", out);
  dump_str (out, a->path);
  if (a->metadata)
    {
      fputs (" metadata=", out);
      dump_str (out, a->metadata);
    }
  dump_origin_end (out, &a->origin);
}

static void
dump_security (FILE *out, const struct husk_plan *plan)
{
  /* Bit 63 is no capability; only ALL sets it, so it marks "all but". */
  bool all = (plan->caps >> 63) & 1;
  size_t i;
  int cap;

  if (plan->has_caps)
    {
      fputs ("caps", out);
      if (plan->caps == 0)
        fputs (" none", out);
      else if (all)
        fputs (" all", out);
      for (cap = 0; cap < 63; cap++)
        if (((plan->caps >> cap) & 1) != all)
          dump_cap_name (out, cap, all ? "-" : "");
      fputc ('\n', out);
    }
  for (i = 0; i < plan->n_seccomp; i++)
    {
      fprintf (out, "seccomp insns=%zu",
               plan->seccomp[i].len / HUSK_SECCOMP_INSN_SIZE);
      dump_seccomp_flags (out, plan->seccomp[i].flags);
      dump_origin_end (out, &plan->seccomp[i].origin);
    }
  dump_seccomp_agent (out, &plan->seccomp_agent);
  if (plan->exec_label)
    {
      fputs ("exec-label ", out);
      dump_str (out, plan->exec_label);
      dump_origin_end (out, &plan->exec_label_origin);
    }
  if (plan->file_label)
    {
      fputs ("file-label ", out);
      dump_str (out, plan->file_label);
      dump_origin_end (out, &plan->file_label_origin);
    }
}

/* Landlock (issue 6). */
static void
dump_landlock (FILE *out, const struct husk_plan *plan)
{
  static const char *const access[] = {
    [HUSK_LANDLOCK_RO] = "ro", [HUSK_LANDLOCK_RW] = "rw", [HUSK_LANDLOCK_EXEC] = "exec",
  };
  static const char *const scopes[HUSK_LANDLOCK_N_SCOPES] = { "abstract-unix", "signal" };
  size_t i;

  if (plan->landlock)
    {
      fputs ("landlock", out);
      dump_origin_end (out, &plan->landlock_origin);
    }
  if (plan->landlock_strict)
    {
      fputs ("landlock-strict", out);
      dump_origin_end (out, &plan->landlock_strict_origin);
    }
  for (i = 0; i < plan->n_landlock_paths; i++)
    {
      const struct husk_landlock_path *p = &plan->landlock_paths[i];

      fprintf (out, "landlock-path %s ", access[p->access]);
      dump_str (out, p->path);
      dump_origin_end (out, &p->origin);
    }
  for (i = 0; i < plan->n_landlock_ports; i++)
    {
      const struct husk_landlock_port *p = &plan->landlock_ports[i];

      fprintf (out, "landlock-tcp %s %u", p->connect ? "connect" : "bind", (unsigned) p->port);
      dump_origin_end (out, &p->origin);
    }
  for (i = 0; i < HUSK_LANDLOCK_N_SCOPES; i++)
    if (plan->landlock_scopes & (1u << i))
      {
        fprintf (out, "landlock-scope %s", scopes[i]);
        dump_origin_end (out, &plan->landlock_scope_origin[i]);
      }
}

/* Process limits, time and joined namespaces (issue 6). */
static void
dump_rlimit_value (FILE *out, bool has, uint64_t v)
{
  if (!has)
    fputs (" -", out);
  else if (v == HUSK_RLIM_INFINITY)
    fputs (" unlimited", out);
  else
    fprintf (out, " %" PRIu64, v);
}

static void
dump_process2 (FILE *out, const struct husk_plan *plan)
{
  if (plan->no_forward_signals)
    fputs ("no-forward-signals\n", out);
  for (size_t i = 0; i < plan->n_rlimits; i++)
    {
      const struct husk_rlimit *r = &plan->rlimits[i];
      const char *name = rlimit_name (r->resource);

      if (name)
        fprintf (out, "rlimit %s", name);
      else
        fprintf (out, "rlimit %d", r->resource);
      dump_rlimit_value (out, r->has_soft, r->soft);
      dump_rlimit_value (out, r->has_hard, r->hard);
      dump_origin_end (out, &r->origin);
    }
  if (plan->unshare_time)
    fputs ("unshare-time\n", out);
  for (size_t c = 0; c < HUSK_CLOCK_COUNT; c++)
    if (plan->time_offsets[c].set)
      {
        fprintf (out, "time-offset %s %" PRId64 " %ld", plan_clock_name ((enum husk_clock) c),
                 plan->time_offsets[c].sec, plan->time_offsets[c].nsec);
        dump_origin_end (out, &plan->time_offsets[c].origin);
      }
  for (size_t k = 0; k < HUSK_JOIN_COUNT; k++)
    {
      const struct husk_nsjoin *j = &plan->join_ns[k];

      if (j->fd < 0 && j->path == NULL)
        continue;
      fprintf (out, "join %s ", plan_join_name ((enum husk_join_kind) k));
      if (j->path)
        {
          fputs ("path=", out);
          dump_str (out, j->path);
        }
      else
        fprintf (out, "fd=%d", j->fd);
      dump_origin_end (out, &j->origin);
    }
  if (plan->join_pid > 0)
    {
      fprintf (out, "join-pid %d", (int) plan->join_pid);
      dump_origin_end (out, &plan->join_pid_origin);
    }
}

/* A bitmap as a kernel cpulist: "0-3,7"; "" when empty. */
static void
dump_bitmap (FILE *out, const struct husk_bitmap *b)
{
  bool first = true;

  for (unsigned i = 0; i < HUSK_BITMAP_BITS; i++)
    {
      unsigned j = i;

      if (!(b->bits[i / 64] & (UINT64_C (1) << (i % 64))))
        continue;
      while (j + 1 < HUSK_BITMAP_BITS && (b->bits[(j + 1) / 64] & (UINT64_C (1) << ((j + 1) % 64))))
        j++;
      fprintf (out, first ? "%u" : ",%u", i);
      if (j > i)
        fprintf (out, "-%u", j);
      first = false;
      i = j;
    }
}

/* OCI process and linux attributes (issue 5, second part). */
static void
dump_oci_attrs (FILE *out, const struct husk_plan *plan)
{
  static const char *const policies[]
    = { "other", "fifo", "rr", "batch", "iso", "idle", "deadline" };
  static const char *const classes[] = { "none", "rt", "be", "idle" };
  static const char *const modes[] = {
    "default", "preferred", "bind", "interleave", "local", "preferred-many", "weighted-interleave",
  };
  const struct husk_sched *s = &plan->sched;

  if (s->set)
    {
      fprintf (
        out, "scheduler %s nice=%d priority=%u flags=0x%llx runtime=%llu deadline=%llu period=%llu",
        s->policy < 7 ? policies[s->policy] : "?", (int) s->nice, (unsigned) s->priority,
        (unsigned long long) s->flags, (unsigned long long) s->runtime,
        (unsigned long long) s->deadline, (unsigned long long) s->period);
      dump_origin_end (out, &s->origin);
    }
  if (plan->ioprio.set)
    {
      fprintf (out, "ioprio %s %d",
               plan->ioprio.klass >= 0 && plan->ioprio.klass < 4 ? classes[plan->ioprio.klass]
                                                                 : "?",
               plan->ioprio.level);
      dump_origin_end (out, &plan->ioprio.origin);
    }
  if (plan->cpus_initial.set)
    {
      fputs ("cpus-initial ", out);
      dump_bitmap (out, &plan->cpus_initial);
      dump_origin_end (out, &plan->cpus_initial.origin);
    }
  if (plan->cpus_final.set)
    {
      fputs ("cpus-final ", out);
      dump_bitmap (out, &plan->cpus_final);
      dump_origin_end (out, &plan->cpus_final.origin);
    }
  if (plan->mempolicy.set)
    {
      fprintf (out, "mempolicy %s flags=0x%x nodes=",
               plan->mempolicy.mode >= 0 && plan->mempolicy.mode < 7 ? modes[plan->mempolicy.mode]
                                                                     : "?",
               plan->mempolicy.flags);
      dump_bitmap (out, &plan->mempolicy.nodes);
      dump_origin_end (out, &plan->mempolicy.origin);
    }
  if (plan->apparmor_profile)
    {
      fputs ("apparmor ", out);
      dump_str (out, plan->apparmor_profile);
      dump_origin_end (out, &plan->apparmor_origin);
    }
  if (plan->intel_rdt)
    {
      fputs ("intel-rdt", out);
      dump_origin_end (out, &plan->intel_rdt_origin);
    }
  for (size_t i = 0; i < plan->n_netdevs; i++)
    {
      fputs ("netdev ", out);
      dump_str (out, plan->netdevs[i].name);
      fputc (' ', out);
      dump_str (out, plan->netdevs[i].new_name);
      dump_origin_end (out, &plan->netdevs[i].origin);
    }
}

/* OCI extras (issue 5). */
static void
dump_oci_extras (FILE *out, const struct husk_plan *plan)
{
  if (plan->terminal)
    {
      fputs ("terminal", out);
      if (plan->console_rows > 0)
        fprintf (out, " %ux%u", plan->console_rows, plan->console_cols);
      dump_origin_end (out, &plan->terminal_origin);
    }
  for (size_t i = 0; i < plan->n_sysctls; i++)
    {
      fprintf (out, "sysctl %s=", plan->sysctls[i].key);
      dump_str (out, plan->sysctls[i].value);
      dump_origin_end (out, &plan->sysctls[i].origin);
    }
  if (plan->domainname)
    {
      fputs ("domainname ", out);
      dump_str (out, plan->domainname);
      dump_origin_end (out, &plan->domainname_origin);
    }
  if (plan->has_umask)
    {
      fprintf (out, "umask %04o", (unsigned) plan->umask);
      dump_origin_end (out, &plan->umask_origin);
    }
  if (plan->n_groups > 0)
    {
      fputs ("groups", out);
      for (size_t i = 0; i < plan->n_groups; i++)
        fprintf (out, " %u", (unsigned) plan->groups[i]);
      dump_origin_end (out, &plan->groups_origin);
    }
  if (plan->has_oom_score_adj)
    {
      fprintf (out, "oom-score-adj %d", plan->oom_score_adj);
      dump_origin_end (out, &plan->oom_score_adj_origin);
    }
  if (plan->has_personality)
    {
      fprintf (out, "personality %s", plan->personality == 0 ? "linux" : "linux32");
      dump_origin_end (out, &plan->personality_origin);
    }
}

/* OCI hooks (issue 5). */
static void
dump_strv (FILE *out, const char *name, char *const *v)
{
  fprintf (out, " %s", name);
  for (; *v != NULL; v++)
    {
      fputc (' ', out);
      dump_str (out, *v);
    }
}

static void
dump_hooks (FILE *out, const struct husk_plan *plan)
{
  for (size_t i = 0; i < plan->n_hooks; i++)
    {
      const struct husk_hook *h = &plan->hooks[i];

      fprintf (out, "hook %s ", plan_hook_kind_name (h->kind));
      dump_str (out, h->path);
      dump_strv (out, "argv", h->argv);
      if (h->n_env > 0)
        dump_strv (out, "env", h->env);
      if (h->timeout > 0)
        fprintf (out, " timeout=%u", h->timeout);
      dump_origin_end (out, &h->origin);
    }
  if (plan->hook_bundle != NULL)
    {
      fputs ("hook-state", out);
      dump_field (out, "version", plan->hook_oci_version);
      dump_field (out, "bundle", plan->hook_bundle);
      fputc ('\n', out);
    }
  for (size_t i = 0; i < plan->n_annotations; i++)
    {
      fputs ("annotation ", out);
      dump_str (out, plan->annotations[i].key);
      fputc ('=', out);
      dump_str (out, plan->annotations[i].value);
      fputc ('\n', out);
    }
}

/* Lifecycle and joined namespaces (issue 4). */
static void
dump_fdarg (FILE *out, const char *name, const struct husk_fdarg *f)
{
  if (f->fd < 0)
    return;
  fprintf (out, "%s %d", name, f->fd);
  dump_origin_end (out, &f->origin);
}

static void
dump_idmaps (FILE *out, const char *name, const struct husk_idmap *v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      fprintf (out, "%s %" PRIu32 " %" PRIu32 " %" PRIu32, name, v[i].inside,
               v[i].outside, v[i].count);
      dump_origin_end (out, &v[i].origin);
    }
}

static void
dump_lifecycle (FILE *out, const struct husk_plan *plan)
{
  dump_fdarg (out, "info-fd", &plan->info_fd);
  dump_fdarg (out, "json-status-fd", &plan->json_status_fd);
  dump_fdarg (out, "sync-fd", &plan->sync_fd);
  dump_fdarg (out, "block-fd", &plan->block_fd);
  dump_fdarg (out, "userns-block-fd", &plan->userns_block_fd);
  dump_fdarg (out, "userns", &plan->userns_fd);
  if (plan->userns_join.path != NULL)
    {
      fputs ("userns path=", out);
      dump_str (out, plan->userns_join.path);
      dump_origin_end (out, &plan->userns_join.origin);
    }
  dump_fdarg (out, "userns2", &plan->userns2_fd);
  dump_fdarg (out, "pidfd-fd", &plan->pidfd_fd);
  if (plan->disable_userns)
    fputs ("disable-userns\n", out);
  if (plan->assert_userns_disabled)
    fputs ("assert-userns-disabled\n", out);
  for (size_t i = 0; i < plan->n_lock_files; i++)
    {
      fputs ("lock-file ", out);
      dump_str (out, plan->lock_files[i].path);
      dump_origin_end (out, &plan->lock_files[i].origin);
    }
  dump_idmaps (out, "uid-map", plan->uid_maps, plan->n_uid_maps);
  dump_idmaps (out, "gid-map", plan->gid_maps, plan->n_gid_maps);
}

/* Seccomp profiles, cgroups, networking (issue 6).  The seccomp cache
 * requests are not printed: they depend on the cache's state. */
static void
dump_cgroup_limit (FILE *out, const char *file, const struct husk_cgroup_limit *l,
                   const char *suffix)
{
  if (!l->set)
    return;
  if (l->value == HUSK_CGROUP_MAX)
    fprintf (out, "cgroup %s max%s", file, suffix);
  else
    fprintf (out, "cgroup %s %" PRIu64 "%s", file, l->value, suffix);
  dump_origin_end (out, &l->origin);
}

/* OCI linux.resources and linux.cgroupsPath (issue 5). */
static void
dump_cgroup_writes (FILE *out, const struct husk_plan *plan)
{
  if (plan->cgroup_path != NULL)
    {
      fputs ("cgroup-path ", out);
      dump_str (out, plan->cgroup_path);
      dump_origin_end (out, &plan->cgroup_path_origin);
    }
  for (size_t i = 0; i < plan->n_cgroup_writes; i++)
    {
      const struct husk_cgroup_write *w = &plan->cgroup_writes[i];

      fputs ("cgroup-write ", out);
      dump_escaped (out, w->file, false);
      fputc (' ', out);
      dump_str (out, w->value);
      if (w->alt_file != NULL)
        {
          fputs (" else ", out);
          dump_escaped (out, w->alt_file, false);
          fputc (' ', out);
          dump_str (out, w->alt_value);
        }
      if (w->optional)
        fputs (" optional", out);
      dump_origin_end (out, &w->origin);
    }
  if (plan->cgroup_optional)
    {
      fputs ("cgroup-optional", out);
      dump_origin_end (out, &plan->cgroup_optional_origin);
    }
}

/* OCI linux.resources.devices (issue 5). */
static void
dump_device_rules (FILE *out, const struct husk_plan *plan)
{
  for (size_t i = 0; i < plan->n_device_rules; i++)
    {
      const struct husk_device_rule *r = &plan->device_rules[i];

      fprintf (out, "device %s %c ", r->allow ? "allow" : "deny", r->type);
      if (r->major == HUSK_DEV_ANY)
        fputc ('*', out);
      else
        fprintf (out, "%" PRId64, r->major);
      if (r->minor == HUSK_DEV_ANY)
        fputs (":*", out);
      else
        fprintf (out, ":%" PRId64, r->minor);
      fprintf (out, " %s%s%s", r->access & HUSK_DEV_READ ? "r" : "",
               r->access & HUSK_DEV_WRITE ? "w" : "", r->access & HUSK_DEV_MKNOD ? "m" : "");
      dump_origin_end (out, &r->origin);
    }
}

static void
dump_resources (FILE *out, const struct husk_plan *plan)
{
  char period[32];

  snprintf (period, sizeof period, " %" PRIu64, plan->cpu_period);
  dump_cgroup_limit (out, "memory.max", &plan->memory_max, "");
  dump_cgroup_limit (out, "pids.max", &plan->pids_max, "");
  dump_cgroup_limit (out, "cpu.max", &plan->cpu_max, period);
  dump_cgroup_limit (out, "io.weight", &plan->io_weight, "");
  dump_cgroup_writes (out, plan);
  dump_device_rules (out, plan);
  if (plan->pasta)
    {
      fputs ("net pasta", out);
      for (size_t i = 0; i < plan->n_pasta_args; i++)
        {
          fputc (' ', out);
          dump_str (out, plan->pasta_args[i]);
        }
      dump_origin_end (out, &plan->net_origin);
    }
}

void
plan_dump (const struct husk_plan *plan, FILE *out)
{
  size_t i;

  dump_unshare (out, plan);
  dump_identity (out, plan);
  for (i = 0; i < plan->n_ops; i++)
    dump_op (out, &plan->ops[i]);
  for (i = 0; i < plan->n_env; i++)
    dump_env (out, &plan->env[i]);
  dump_process (out, plan);
  if (plan->n_keep_fds > 0)
    {
      fputs ("keep-fds", out);
      for (i = 0; i < plan->n_keep_fds; i++)
        fprintf (out, " %d", plan->keep_fds[i]);
      fputc ('\n', out);
    }
  dump_security (out, plan);
  dump_landlock (out, plan);
  dump_lifecycle (out, plan);
  /* Seccomp profiles, cgroups, networking (issue 6). */
  dump_resources (out, plan);
  /* Process limits, time and joined namespaces (issue 6). */
  dump_process2 (out, plan);
  /* OCI extras (issue 5). */
  dump_oci_extras (out, plan);
  dump_oci_attrs (out, plan);
  /* OCI hooks (issue 5). */
  dump_hooks (out, plan);
}
