/* plan.h: struct husk_plan, the one contract between front ends and executor.
 *
 * Front ends (src/cli, src/oci) only fill a plan; the executor (src/exec)
 * only reads it.  The plan owns every string and array it points to and is
 * released with plan_free().  Nothing here makes a syscall.
 *
 * Order-sensitive filesystem work is the ordered array ops[]; everything
 * else is a plain field applied at a fixed executor phase.
 */
#ifndef HUSK_PLAN_H
#define HUSK_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Where a piece of the plan came from, for error messages: the user-visible
 * text ("--ro-bind /nope /x", or a JSON path "mounts[3].destination") and,
 * for flags, the argv index (-1 when not from argv, e.g. inside --args). */
struct husk_origin
{
  char *where;
  int argi;
};

enum husk_op_kind
{
  HUSK_OP_BIND,          /* src (host path) -> dest; flags RO/DEV/TRY */
  HUSK_OP_BIND_FD,       /* fd -> dest; flag RO */
  HUSK_OP_REMOUNT_RO,    /* dest, not recursive */
  HUSK_OP_PROC,          /* new procfs at dest */
  HUSK_OP_DEV,           /* new minimal /dev at dest */
  HUSK_OP_TMPFS,         /* tmpfs at dest; perms, size */
  HUSK_OP_MQUEUE,        /* mqueue at dest */
  HUSK_OP_DIR,           /* mkdir -p dest; perms */
  HUSK_OP_FILE,          /* copy fd content to a new file dest; perms */
  HUSK_OP_BIND_DATA,     /* copy fd content to a file bind-mounted on dest; flag RO; perms */
  HUSK_OP_SYMLINK,       /* symlink dest -> src (src is the link text) */
  HUSK_OP_CHMOD,         /* chmod dest to perms (must exist) */
  HUSK_OP_OVERLAY,       /* overlay of overlay_srcs[] at dest; upper/work per overlay_mode */
  /* OCI (issue 5). */
  HUSK_OP_DEVPTS,        /* new devpts instance at dest (ptmxmode=0666,mode=0620,gid=5) */
  HUSK_OP_MASK,          /* hide dest: /dev/null over a file, empty ro tmpfs over a dir; skip if missing */
  HUSK_OP_RO_SELF,       /* bind dest onto itself read-only, recursively; skip if missing */
  HUSK_OP_DEVICE,        /* device node dest (op.dev); perms: its mode; see mounts.c */
  HUSK_OP_PROPAGATE,     /* set the propagation of the mount at dest (flag REC: and below) */
  HUSK_OP_CGROUP,        /* cgroup2 at dest: a new one in a cgroup namespace, else a bind of
                            the sandbox's own cgroup v2 directory; flag RO; see mounts.c */
  HUSK_OP_SETATTR,       /* mount attributes attr_set/attr_clr (HUSK_MA_*) of the mount at dest
                            (flag REC: and every mount below it) */
};
#define HUSK_OP_KIND_COUNT (HUSK_OP_SETATTR + 1)

/* Flags on ops. */
#define HUSK_OPF_RO   (1u << 0) /* read-only (ro-bind, ro-bind-fd, ro-bind-data) */
#define HUSK_OPF_DEV  (1u << 1) /* allow device nodes (dev-bind) */
#define HUSK_OPF_TRY  (1u << 2) /* skip silently when src does not exist */
/* OCI (issue 5). */
#define HUSK_OPF_NOEXEC (1u << 3) /* noexec (bind, tmpfs, proc) */
#define HUSK_OPF_NOREC  (1u << 4) /* bind only the top mount, not submounts (bind) */
#define HUSK_OPF_NOSYMFOLLOW (1u << 5) /* symlinks are not followed (bind, tmpfs) */
#define HUSK_OPF_COPYUP (1u << 6) /* copy what the tmpfs covers into it (tmpfs) */
#define HUSK_OPF_REC    (1u << 7) /* recursive: the mount and all below it (propagate) */
#define HUSK_OPF_IDMAP  (1u << 8) /* idmapped with idmap_uids/idmap_gids (bind) */
#define HUSK_OPF_IDMAP_REC (1u << 9) /* ... every mount of the bind, not only the top */
#define HUSK_OPF_SYNC     (1u << 10) /* superblock flag sync (tmpfs) */
#define HUSK_OPF_DIRSYNC  (1u << 11) /* superblock flag dirsync (tmpfs) */
#define HUSK_OPF_LAZYTIME (1u << 12) /* superblock flag lazytime (tmpfs) */

/* Mount attributes of a SETATTR op (attr_set, attr_clr).  The atime
 * modes are one choice: at most one in attr_set, none in attr_clr; the
 * others are flags. */
#define HUSK_MA_RDONLY      (1u << 0)
#define HUSK_MA_NOSUID      (1u << 1)
#define HUSK_MA_NODEV       (1u << 2)
#define HUSK_MA_NOEXEC      (1u << 3)
#define HUSK_MA_NOSYMFOLLOW (1u << 4)
#define HUSK_MA_NODIRATIME  (1u << 5)
#define HUSK_MA_RELATIME    (1u << 6) /* atime mode */
#define HUSK_MA_NOATIME     (1u << 7) /* atime mode */
#define HUSK_MA_STRICTATIME (1u << 8) /* atime mode */
#define HUSK_MA_ATIME (HUSK_MA_RELATIME | HUSK_MA_NOATIME | HUSK_MA_STRICTATIME)
#define HUSK_MA_ALL   ((1u << 9) - 1)

enum husk_propagation
{
  HUSK_PROP_NONE,            /* not a PROPAGATE op */
  HUSK_PROP_PRIVATE,
  HUSK_PROP_SHARED,
  HUSK_PROP_SLAVE,
  HUSK_PROP_UNBINDABLE,
};

enum husk_overlay_mode
{
  HUSK_OVERLAY_RW,   /* --overlay RWSRC WORKDIR DEST: upper=src, work=workdir */
  HUSK_OVERLAY_TMP,  /* --tmp-overlay DEST: upper and work on a fresh tmpfs */
  HUSK_OVERLAY_RO,   /* --ro-overlay DEST: lower layers only, read-only */
};

#define HUSK_PERMS_UNSET  (-1) /* use the op's default mode */

/* DEVICE only (OCI linux.devices): the node to make, or to bind from the
 * host's same path when it cannot be made (in a user namespace). */
struct husk_devnode
{
  char type;                /* 'c', 'b', 'u' (unbuffered: a 'c') or 'p' (a FIFO) */
  uint32_t major, minor;    /* unused for 'p' */
  bool has_uid, has_gid;
  uint32_t uid, gid;        /* owner inside the container, when given */
};
#define HUSK_SIZE_UNSET   0    /* no size= for tmpfs */

struct husk_op
{
  enum husk_op_kind kind;
  unsigned flags;           /* HUSK_OPF_* */
  char *src;                /* host path (BIND), link text (SYMLINK), upper dir (OVERLAY rw) */
  char *dest;               /* path inside the new root, as given (may be relative) */
  int fd;                   /* BIND_FD, FILE, BIND_DATA; -1 otherwise */
  int perms;                /* mode bits or HUSK_PERMS_UNSET */
  uint64_t size;            /* tmpfs size in bytes or HUSK_SIZE_UNSET */
  /* OVERLAY only */
  enum husk_overlay_mode overlay_mode;
  char **overlay_srcs;      /* lower layers, in --overlay-src order (bottom first) */
  size_t n_overlay_srcs;
  char *overlay_work;       /* work dir for HUSK_OVERLAY_RW */
  struct husk_devnode dev;  /* DEVICE only */
  enum husk_propagation propagation;  /* PROPAGATE only */
  unsigned attr_set, attr_clr;        /* SETATTR only: HUSK_MA_* */
  /* BIND with flag IDMAP: the mount's id maps (a user namespace with these
   * maps is attached to it); inside = id seen, outside = id on disk. */
  struct husk_idmap *idmap_uids, *idmap_gids;
  size_t n_idmap_uids, n_idmap_gids;
  struct husk_origin origin;
};

/* Namespaces to create (bitmask of HUSK_NS_*). */
#define HUSK_NS_USER    (1u << 0)
#define HUSK_NS_IPC     (1u << 1)
#define HUSK_NS_PID     (1u << 2)
#define HUSK_NS_NET     (1u << 3)
#define HUSK_NS_UTS     (1u << 4)
#define HUSK_NS_CGROUP  (1u << 5)
#define HUSK_NS_MNT     (1u << 6) /* always set by the executor */

enum husk_env_kind
{
  HUSK_ENV_SET,     /* name=value */
  HUSK_ENV_UNSET,   /* name */
  HUSK_ENV_CLEAR,   /* clear everything set so far */
};

struct husk_envop
{
  enum husk_env_kind kind;
  char *name;
  char *value;
  struct husk_origin origin;
};

/* Security (issue 4): capabilities and seccomp programs. */
#define HUSK_CAPS_ALL  UINT64_MAX   /* --cap-add ALL: every capability husk holds */
#define HUSK_SECCOMP_INSN_SIZE 8    /* sizeof (struct sock_filter) */
#define HUSK_SECCOMP_MAX_INSNS 4096 /* BPF_MAXINSNS */

/* seccomp(2) filter flags a program is loaded with (issue 5): the
 * kernel's SECCOMP_FILTER_FLAG_* values. */
#define HUSK_SECCOMP_FLAG_LOG                (1u << 1)
#define HUSK_SECCOMP_FLAG_SPEC_ALLOW         (1u << 2)
#define HUSK_SECCOMP_FLAG_NEW_LISTENER       (1u << 3) /* the agent gets the listener */
#define HUSK_SECCOMP_FLAG_WAIT_KILLABLE_RECV (1u << 5)

/* One compiled classic-BPF seccomp program: `len` bytes (a positive
 * multiple of HUSK_SECCOMP_INSN_SIZE) of struct sock_filter, as read. */
struct husk_seccomp
{
  unsigned char *prog;
  size_t len;
  unsigned flags;            /* HUSK_SECCOMP_FLAG_*; at most one program has NEW_LISTENER */
  bool replaceable;          /* from --seccomp: a later --seccomp replaces it */
  struct husk_origin origin;
};

/* The seccomp agent (issue 5): where the listener of the program with
 * HUSK_SECCOMP_FLAG_NEW_LISTENER goes, with the runtime-spec's container
 * process state (its version, bundle and annotations: the hooks' fields
 * below; flag mode has none).  path is NULL when no program has a listener. */
struct husk_seccomp_agent
{
  char *path;                /* listenerPath: a unix socket, absolute, on the host */
  char *metadata;            /* listenerMetadata, or NULL */
  struct husk_origin origin; /* "linux.seccomp.listenerPath", "--seccomp-profile F: listenerPath" */
};

/* Lifecycle and joined namespaces (issue 4). */
/* A file descriptor named by a flag; fd is -1 when the flag was not given. */
struct husk_fdarg
{
  int fd;
  struct husk_origin origin;
};

/* One range of a multi-range id map: ids inside..inside+count-1 in the
 * sandbox's user namespace are outside..outside+count-1 in the caller's. */
struct husk_idmap
{
  uint32_t inside, outside, count;
  struct husk_origin origin;
};
#define HUSK_IDMAP_MAX 340 /* ranges per map the kernel accepts (since 4.15) */

struct husk_lockfile
{
  char *path;                /* inside the sandbox */
  struct husk_origin origin;
};

/* Landlock (issue 6). */
enum husk_landlock_access
{
  HUSK_LANDLOCK_RO,          /* --landlock-ro: read files, list directories */
  HUSK_LANDLOCK_RW,          /* --landlock-rw: RO plus every write right */
  HUSK_LANDLOCK_EXEC,        /* --landlock-exec: RO plus execute */
};
struct husk_landlock_path
{
  enum husk_landlock_access access;
  char *path;                /* absolute, inside the sandbox (after pivot_root) */
  struct husk_origin origin;
};
struct husk_landlock_port
{
  bool connect;              /* --landlock-connect-tcp, else --landlock-bind-tcp */
  uint16_t port;             /* 1..65535 */
  struct husk_origin origin;
};
#define HUSK_LANDLOCK_SCOPE_ABSTRACT_UNIX (1u << 0)
#define HUSK_LANDLOCK_SCOPE_SIGNAL        (1u << 1)
#define HUSK_LANDLOCK_N_SCOPES            2

/* Process limits, time and joined namespaces (issue 6). */
#define HUSK_RLIM_INFINITY UINT64_MAX  /* "unlimited" (RLIM_INFINITY on Linux) */
struct husk_rlimit
{
  int resource;              /* RLIMIT_* */
  bool has_soft, has_hard;   /* "S:" keeps the current hard limit, ":H" the soft one */
  uint64_t soft, hard;       /* or HUSK_RLIM_INFINITY */
  struct husk_origin origin;
};
enum husk_clock
{
  HUSK_CLOCK_MONOTONIC,
  HUSK_CLOCK_BOOTTIME,
};
#define HUSK_CLOCK_COUNT 2
struct husk_time_offset
{
  bool set;
  int64_t sec;               /* the offset is sec + nsec/1e9 (nsec in 0..999999999) */
  long nsec;
  struct husk_origin origin;
};
enum husk_join_kind
{
  HUSK_JOIN_NET,             /* --netns */
  HUSK_JOIN_MNT,             /* --mntns */
  HUSK_JOIN_UTS,             /* --utsns */
  HUSK_JOIN_IPC,             /* --ipcns */
  HUSK_JOIN_CGROUP,          /* --cgroupns */
  HUSK_JOIN_TIME,            /* --timens */
  HUSK_JOIN_PID,             /* --pidns (bwrap): the parent of a new pid ns, or the pid ns */
};
#define HUSK_JOIN_COUNT 7
/* A namespace to join: an fd (path NULL) or a path the executor opens. */
struct husk_nsjoin
{
  int fd;                    /* -1 when a path or not given */
  char *path;                /* NULL when an fd or not given */
  struct husk_origin origin;
};

/* Seccomp profiles, cgroups, networking (issue 6). */
#define HUSK_SECCOMP_KEY_LEN 32     /* SHA-256 */
/* A profile compiled on a cache miss: the executor stores it (phase 0). */
struct husk_seccomp_store
{
  char *path;                /* the cache file */
  unsigned char key[HUSK_SECCOMP_KEY_LEN];
  unsigned char *prog;       /* struct sock_filter[], len bytes */
  size_t len;
  unsigned flags;            /* issue 5: HUSK_SECCOMP_FLAG_* */
  char *listener_path;       /* issue 5: listenerPath, or NULL */
  char *listener_metadata;   /* issue 5: listenerMetadata, or NULL */
};
#define HUSK_CGROUP_MAX UINT64_MAX  /* "max": no limit */
struct husk_cgroup_limit
{
  bool set;
  uint64_t value;            /* or HUSK_CGROUP_MAX where "max" is allowed */
  struct husk_origin origin;
};

/* OCI linux.resources (issue 5): one write to a file of the sandbox's
 * cgroup v2, in order.  The controller it needs is the file name up to the
 * first '.' (none for "cgroup." files).  alt_file/alt_value are written
 * instead when `file` does not exist (io.bfq.weight, else io.weight); an
 * `optional` write is skipped when its file does not exist (the
 * hugetlb.SIZE.rsvd.max reservation limit, on kernels without it). */
struct husk_cgroup_write
{
  char *file;                /* "memory.max", "hugetlb.2MB.max": no '/' */
  char *value;               /* written as is */
  char *alt_file, *alt_value; /* or NULL */
  bool optional;
  struct husk_origin origin;
};

/* OCI linux.resources.devices (issue 5): one rule of the device cgroup
 * (an eBPF program on cgroup v2), in order.  For each access a device is
 * asked for (read, write, mknod), the last rule matching the device and
 * that access decides; none matching denies. */
#define HUSK_DEV_ANY (-1)           /* major or minor: every one */
enum
{
  HUSK_DEV_MKNOD = 1,        /* the bits of BPF_DEVCG_ACC_* */
  HUSK_DEV_READ = 2,
  HUSK_DEV_WRITE = 4,
  HUSK_DEV_ALL = 7,
};
struct husk_device_rule
{
  bool allow;
  char type;                 /* 'a' (all), 'b' (block) or 'c' (char) */
  int64_t major, minor;      /* or HUSK_DEV_ANY */
  unsigned access;           /* HUSK_DEV_* bits, not 0 */
  struct husk_origin origin;
};

/* OCI extras (issue 5): one sysctl, written to /proc/sys/KEY (dots are
 * slashes) inside the sandbox's namespaces. */
struct husk_sysctl
{
  char *key;
  char *value;
  struct husk_origin origin;
};

/* OCI process and linux attributes (issue 5, second part). */
struct husk_sched                /* process.scheduler: sched_setattr(2) */
{
  bool set;
  uint32_t policy;               /* SCHED_OTHER, _FIFO, _RR, _BATCH, _IDLE, _DEADLINE */
  int32_t nice;                  /* -20..19 */
  uint32_t priority;             /* 1..99 for FIFO and RR, else 0 */
  uint64_t flags;                /* SCHED_FLAG_* */
  uint64_t runtime, deadline, period;  /* nanoseconds, SCHED_DEADLINE only */
  struct husk_origin origin;
};
struct husk_ioprio               /* process.ioPriority: ioprio_set(2) */
{
  bool set;
  int klass;                     /* IOPRIO_CLASS_RT 1, BE 2, IDLE 3 */
  int level;                     /* 0..7 */
  struct husk_origin origin;
};
#define HUSK_BITMAP_BITS  1024   /* CPUs (glibc's CPU_SETSIZE) and NUMA nodes */
#define HUSK_BITMAP_WORDS (HUSK_BITMAP_BITS / 64)
struct husk_bitmap               /* a list such as "0-3,7" */
{
  bool set;
  uint64_t bits[HUSK_BITMAP_WORDS];  /* bit N of word N/64 = CPU or node N */
  struct husk_origin origin;
};
struct husk_mempolicy            /* linux.memoryPolicy: set_mempolicy(2) */
{
  bool set;
  int mode;                      /* MPOL_* */
  unsigned flags;                /* MPOL_F_STATIC_NODES, _RELATIVE_NODES, _NUMA_BALANCING */
  struct husk_bitmap nodes;      /* empty for MPOL_DEFAULT and MPOL_LOCAL */
  struct husk_origin origin;
};
struct husk_netdev               /* linux.netDevices: a host interface moved in */
{
  char *name;                    /* in the runtime's network namespace */
  char *new_name;                /* inside the sandbox (the same when not renamed) */
  struct husk_origin origin;
};

/* OCI hooks (issue 5): programs run at fixed points of the container's
 * lifecycle, given the container's state (JSON) on stdin. */
enum husk_hook_kind
{
  HUSK_HOOK_PRESTART,          /* runtime namespace, before createRuntime */
  HUSK_HOOK_CREATE_RUNTIME,    /* runtime namespace, after the mounts, before pivot_root */
  HUSK_HOOK_CREATE_CONTAINER,  /* container namespaces, after the mounts, before pivot_root */
  HUSK_HOOK_START_CONTAINER,   /* container namespaces and root, before the program */
  HUSK_HOOK_POSTSTART,         /* runtime namespace, once the program runs */
  HUSK_HOOK_POSTSTOP,          /* runtime namespace, once the container is gone */
};
#define HUSK_HOOK_KIND_COUNT (HUSK_HOOK_POSTSTOP + 1)
struct husk_hook
{
  enum husk_hook_kind kind;
  char *path;                /* absolute */
  char **argv;               /* NULL-terminated, at least argv[0] */
  size_t argc;
  char **env;                /* NULL-terminated (possibly empty): the whole environment */
  size_t n_env;
  unsigned timeout;          /* seconds, 0 for none */
  struct husk_origin origin; /* "hooks.createRuntime[0]" */
};
/* One of the config's annotations, for the hooks' state. */
struct husk_annotation
{
  char *key;
  char *value;
};

struct husk_plan
{
  /* Namespaces. */
  unsigned unshare;          /* HUSK_NS_* requested */
  bool user_try;             /* --unshare-user-try: skip userns when impossible */
  bool cgroup_try;           /* --unshare-cgroup-try */
  struct husk_origin unshare_user_origin;  /* first flag that asked for a userns, for errors */

  /* Identity inside the sandbox. */
  bool has_uid, has_gid;
  uid_t uid;
  gid_t gid;
  /* OCI process.user without a user namespace (issue 5): as root, the
   * program's real ids are switched to uid/gid after setup; as a user,
   * husk's own user namespace maps the caller to them.  Flag mode keeps
   * bwrap's rule (--uid needs --unshare-user). */
  bool real_ids;
  struct husk_origin uid_origin, gid_origin;
  char *hostname;
  struct husk_origin hostname_origin;

  /* Filesystem: ordered operations. */
  struct husk_op *ops;
  size_t n_ops, cap_ops;

  /* Environment: ordered edits applied to the caller's environment. */
  struct husk_envop *env;
  size_t n_env, cap_env;

  /* Process. */
  char *chdir;               /* working directory inside, or NULL */
  struct husk_origin chdir_origin;
  char *argv0;               /* --argv0, or NULL */
  char **argv;               /* command and arguments, NULL-terminated */
  size_t argc;
  bool die_with_parent;
  bool new_session;
  bool as_pid_1;

  /* fds named by flags that must reach the program (sorted, unique). */
  int *keep_fds;
  size_t n_keep_fds, cap_keep_fds;

  /* Security (issue 4). */
  bool has_caps;             /* --cap-add/--cap-drop given: keep `caps` */
  uint64_t caps;             /* bit N = capability N; HUSK_CAPS_ALL for ALL */
  struct husk_seccomp *seccomp;  /* cBPF programs, loaded in this order */
  size_t n_seccomp, cap_seccomp;
  struct husk_seccomp_agent seccomp_agent;  /* issue 5: SCMP_ACT_NOTIFY's listener */
  char *exec_label;          /* --exec-label: SELinux context of the program */
  struct husk_origin exec_label_origin;
  char *file_label;          /* --file-label: SELinux context of new tmpfs mounts */
  struct husk_origin file_label_origin;

  /* Lifecycle and joined namespaces (issue 4). */
  struct husk_fdarg info_fd;         /* JSON about the sandbox, then closed */
  struct husk_fdarg json_status_fd;  /* JSON lines: started, program pid, exit code */
  struct husk_fdarg sync_fd;         /* held open by the sandbox's init until it ends */
  struct husk_fdarg block_fd;        /* program waits for data here before execve */
  struct husk_fdarg userns_block_fd; /* parent waits here before the child goes on */
  struct husk_fdarg userns_fd;       /* join this user namespace instead of a new one */
  struct husk_nsjoin userns_join;    /* OCI (issue 5): the same by path (fd always -1) */
  struct husk_fdarg userns2_fd;      /* switch to this user namespace after setup */
  struct husk_fdarg pidfd_fd;        /* issue 6: a unix socket, gets the program's pidfd */
  bool disable_userns;               /* the sandbox may create no user namespaces */
  bool assert_userns_disabled;       /* fail unless that already holds */
  struct husk_lockfile *lock_files;  /* read-locked by the sandbox's init */
  size_t n_lock_files, cap_lock_files;
  struct husk_idmap *uid_maps, *gid_maps;  /* --uid-map/--gid-map ranges, in order */
  size_t n_uid_maps, cap_uid_maps, n_gid_maps, cap_gid_maps;

  /* Landlock (issue 6).  Any --landlock-* flag sets `landlock`: the
   * filesystem is then limited to landlock_paths; TCP bind/connect to
   * landlock_ports once one port flag is given; scopes as listed. */
  bool landlock;
  bool landlock_strict;              /* fail when the kernel lacks a right */
  struct husk_origin landlock_origin;        /* the first --landlock-* flag */
  struct husk_origin landlock_strict_origin;
  struct husk_landlock_path *landlock_paths; /* in order given */
  size_t n_landlock_paths, cap_landlock_paths;
  struct husk_landlock_port *landlock_ports; /* in order given */
  size_t n_landlock_ports, cap_landlock_ports;
  unsigned landlock_scopes;          /* HUSK_LANDLOCK_SCOPE_* */
  struct husk_origin landlock_scope_origin[HUSK_LANDLOCK_N_SCOPES]; /* by bit */

  /* Process limits, time and joined namespaces (issue 6). */
  bool no_forward_signals;           /* --no-forward-signals */
  struct husk_rlimit *rlimits;       /* one per resource, the last flag wins */
  size_t n_rlimits, cap_rlimits;
  bool unshare_time;                 /* --unshare-time: new time namespace */
  struct husk_time_offset time_offsets[HUSK_CLOCK_COUNT]; /* by enum husk_clock */
  struct husk_nsjoin join_ns[HUSK_JOIN_COUNT];            /* by enum husk_join_kind */
  pid_t join_pid;                    /* --join-pid: 0 when not given */
  struct husk_origin join_pid_origin;

  /* Seccomp profiles, cgroups, networking (issue 6). */
  struct husk_seccomp_store *seccomp_store;  /* --seccomp-profile cache misses */
  size_t n_seccomp_store, cap_seccomp_store;
  /* Any limit set: the sandbox runs in a new child cgroup (cgroup v2). */
  struct husk_cgroup_limit memory_max;  /* bytes, or max */
  struct husk_cgroup_limit pids_max;    /* processes, or max */
  struct husk_cgroup_limit cpu_max;     /* quota in microseconds, or max */
  uint64_t cpu_period;                  /* microseconds per period (cpu.max) */
  struct husk_cgroup_limit io_weight;   /* 1..10000 */
  /* OCI linux.resources and linux.cgroupsPath (issue 5): writes to the
   * sandbox's cgroup, in order; its path (absolute: from the cgroup2
   * mount; relative: from husk's own cgroup; NULL: husk-PID under husk's
   * cgroup), created when missing and removed at the end only then;
   * cgroup_optional: an unprivileged husk that cannot create the cgroup
   * warns (naming cgroup_optional_origin) and runs the sandbox without. */
  struct husk_cgroup_write *cgroup_writes;
  size_t n_cgroup_writes, cap_cgroup_writes;
  char *cgroup_path;
  struct husk_origin cgroup_path_origin;
  bool cgroup_optional;
  struct husk_origin cgroup_optional_origin;
  /* OCI linux.resources.devices (issue 5): the device cgroup's rules, in
   * order (the default devices' allow rules included, where the front end
   * put them).  Any rule: the sandbox gets a cgroup of its own with an
   * eBPF device program attached. */
  struct husk_device_rule *device_rules;
  size_t n_device_rules, cap_device_rules;
  struct husk_origin device_rules_origin; /* the list as a whole */
  bool pasta;                /* --net pasta: pasta serves the new network namespace */
  char **pasta_args;         /* extra pasta arguments, NULL-terminated (or NULL) */
  size_t n_pasta_args;
  struct husk_origin net_origin;        /* the last --net */

  /* OCI extras (issue 5). */
  bool terminal;             /* process.terminal: the program gets a new pty as its stdio */
  struct husk_origin terminal_origin;
  unsigned console_rows, console_cols;  /* process.consoleSize; 0 = husk's own terminal's */
  struct husk_sysctl *sysctls;          /* linux.sysctl, written in the sandbox's namespaces */
  size_t n_sysctls, cap_sysctls;
  char *domainname;          /* NIS domain name (needs a uts namespace) */
  struct husk_origin domainname_origin;
  bool has_umask;
  mode_t umask;              /* the program's umask */
  struct husk_origin umask_origin;
  gid_t *groups;             /* supplementary groups (setgroups) */
  size_t n_groups;
  struct husk_origin groups_origin;
  bool has_oom_score_adj;
  int oom_score_adj;         /* -1000..1000 */
  struct husk_origin oom_score_adj_origin;
  bool has_personality;
  unsigned long personality; /* personality(2) persona, PER_LINUX or PER_LINUX32 */
  struct husk_origin personality_origin;
  struct husk_sched sched;              /* process.scheduler */
  struct husk_ioprio ioprio;            /* process.ioPriority */
  struct husk_bitmap cpus_initial;      /* process.execCPUAffinity.initial */
  struct husk_bitmap cpus_final;        /* process.execCPUAffinity.final */
  struct husk_mempolicy mempolicy;      /* linux.memoryPolicy */
  char *apparmor_profile;               /* process.apparmorProfile (aa_change_onexec) */
  struct husk_origin apparmor_origin;
  bool intel_rdt;                       /* linux.intelRdt given: refused by the executor */
  struct husk_origin intel_rdt_origin;
  struct husk_netdev *netdevs;          /* linux.netDevices, moved in by the parent */
  size_t n_netdevs, cap_netdevs;

  /* OCI hooks (issue 5), in config order within each kind.  The state
   * they get needs the rest (set only when there are hooks or a seccomp
   * agent, which gets the same state). */
  struct husk_hook *hooks;
  size_t n_hooks, cap_hooks;
  char *hook_oci_version;    /* the config's ociVersion */
  char *hook_bundle;         /* absolute bundle directory */
  struct husk_annotation *annotations;  /* the config's, in its order */
  size_t n_annotations;

  /* Front-end only requests, consumed by main. */
  bool print_plan;           /* --print-plan: dump and exit 0 */
  bool print_oci;            /* --print-oci: export as config.json and exit 0 (issue 5) */
  char *oci_path;            /* --oci PATH: main fills the plan with oci_load (issue 5) */
};

/* Lifetime. */
void plan_init (struct husk_plan *plan);
void plan_free (struct husk_plan *plan);

/* Constructors: append an op/env edit and return it (zeroed except kind,
 * fd = -1, perms = HUSK_PERMS_UNSET, origin copied).  The plan owns the copy. */
struct husk_op *plan_add_op (struct husk_plan *plan, enum husk_op_kind kind,
                             const struct husk_origin *origin);
struct husk_envop *plan_add_env (struct husk_plan *plan, enum husk_env_kind kind,
                                 const char *name, const char *value,
                                 const struct husk_origin *origin);
void plan_keep_fd (struct husk_plan *plan, int fd);
/* Landlock (issue 6): append a path or port rule (the plan copies both). */
struct husk_landlock_path *plan_add_landlock_path (struct husk_plan *plan,
                                                   enum husk_landlock_access access,
                                                   const char *path,
                                                   const struct husk_origin *origin);
struct husk_landlock_port *plan_add_landlock_port (struct husk_plan *plan, bool connect,
                                                   uint16_t port,
                                                   const struct husk_origin *origin);

/* Process limits, time and joined namespaces (issue 6): add or replace the
 * limit of `resource`; names of clocks and joinable namespaces ("net"). */
struct husk_rlimit *plan_set_rlimit (struct husk_plan *plan, int resource,
                                     const struct husk_origin *origin);
const char *plan_clock_name (enum husk_clock clock);
const char *plan_join_name (enum husk_join_kind kind);

/* OCI hooks (issue 5): append a hook (path and origin copied; argv and
 * env empty, to be filled); the name of a kind as in config.json; whether
 * the plan has a hook of that kind. */
struct husk_hook *plan_add_hook (struct husk_plan *plan, enum husk_hook_kind kind,
                                 const char *path, const struct husk_origin *origin);
const char *plan_hook_kind_name (enum husk_hook_kind kind);
bool plan_has_hooks (const struct husk_plan *plan, enum husk_hook_kind kind);

/* A user namespace is joined (--userns FD, or a path from OCI). */
bool plan_joins_userns (const struct husk_plan *plan);
/* Its origin, for messages. */
const struct husk_origin *plan_userns_join_origin (const struct husk_plan *plan);

/* Seccomp profiles, cgroups, networking (issue 6): any cgroup limit set
 * (or, issue 5, any cgroup write, a cgroup path or a device rule). */
bool plan_has_cgroup_limits (const struct husk_plan *plan);
/* OCI linux.resources (issue 5): append a write (the plan copies both). */
struct husk_cgroup_write *plan_add_cgroup_write (struct husk_plan *plan, const char *file,
                                                 const char *value,
                                                 const struct husk_origin *origin);
/* OCI linux.resources.devices (issue 5): append a rule (origin copied). */
struct husk_device_rule *plan_add_device_rule (struct husk_plan *plan, bool allow, char type,
                                               int64_t major, int64_t minor, unsigned access,
                                               const struct husk_origin *origin);

/* Seccomp (issue 6): append a program (the len-byte program and origin
 * are copied). */
struct husk_seccomp *plan_add_seccomp (struct husk_plan *plan, const void *prog, size_t len,
                                       unsigned flags, bool replaceable,
                                       const struct husk_origin *origin);
/* Seccomp cache (issues 5 and 6): append an entry for the executor to
 * write: path, the HUSK_SECCOMP_KEY_LEN-byte key, the len-byte program and
 * the listener strings (NULL for none) are copied. */
struct husk_seccomp_store *plan_add_seccomp_store (struct husk_plan *plan, const char *path,
                                                   const unsigned char key[HUSK_SECCOMP_KEY_LEN],
                                                   const void *prog, size_t len, unsigned flags,
                                                   const char *listener_path,
                                                   const char *listener_metadata);

/* Origin helpers: origin_make formats a new owned `where`. */
struct husk_origin origin_make (int argi, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));
struct husk_origin origin_copy (const struct husk_origin *o);
void origin_free (struct husk_origin *o);

const char *plan_op_kind_name (enum husk_op_kind kind);

/* check.c: cross-field rules shared by both front ends (no syscalls). */
struct husk_err;
int plan_check (const struct husk_plan *plan, struct husk_err *err);

/* dump.c: stable text form, one line per field/op; for --print-plan and golden tests. */
#include <stdio.h>
void plan_dump (const struct husk_plan *plan, FILE *out);

#endif
