#!/bin/bash
# husk-test: root-only
# oci-parity.sh: the same OCI bundles through `crun run` and `husk --oci`
# (issue 5); the probe's report inside must be the same: ids and groups,
# capabilities, no_new_privs, hostname, what is mounted where, rlimits, a
# seccomp rule's errno.  One TAP line per bundle.  Skipped without crun.
#
# Root only: crun 1.8 refuses a hybrid cgroup hierarchy (cgroup2 on
# /sys/fs/cgroup/unified next to v1 controllers) when run rootless, so it
# runs as root, in a private mount namespace (unshare -m) where a tmpfs hides
# /sys/fs/cgroup/unified, with --cgroup-manager=disabled, its state under
# a --root in our temp dir and a container id of its own per run; `crun
# delete -f` runs after each, and the state directory must be empty at the
# end.  husk runs the same bundle as root.
#
# Normalised before comparing, each for a documented difference:
#   - Seccomp and Seccomp_filters: husk always adds its TIOCSTI/TIOCLINUX
#     filter (husk(1) SECURITY), so a bundle without linux.seccomp reads
#     mode 2 in husk and 0 in crun; with one, both read 2.
#   - Mounts under /dev: husk binds the default devices from the host
#     (husk-oci(5) DEVICES), crun as root creates device nodes; the mount
#     points listed exclude /dev/null, /dev/zero, /dev/full, /dev/random,
#     /dev/urandom and /dev/tty, and /dev/console.
#   - Mounts under /sys other than the masked /sys/firmware: husk's sysfs
#     is a read-only recursive bind of the host's /sys (husk-oci(5) MOUNTS,
#     sysfs), so the host's cgroup and tracefs mounts show below it; crun
#     mounts a new sysfs.
#   - A mount point listed twice counts once: every procfs husk mounts has
#     /proc/sys, /proc/sysrq-trigger, /proc/irq and /proc/bus bound over
#     themselves read-only (husk-oci(5) MOUNTS, proc), and readonlyPaths
#     then stacks one more read-only bind on those.
#   - Mount options and sources are not compared, only the mount points and
#     their filesystem types.
# Bundles stay inside what both accept: husk refuses capability sets that
# it cannot honour exactly (husk-oci(5) process.capabilities), such as
# ambient without inheritable for a uid other than 0, which crun runs
# with the ambient set silently empty.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"
shopt -s extglob

CRUN=${HUSK_CRUN:-$(command -v crun || true)}
if [ -z "$CRUN" ]; then
  skip "parity with crun" "crun is not installed"
  done_testing
  exit
fi
if ! is_root; then
  skip "parity with crun" "crun runs as root here (see the header)"
  done_testing
  exit
fi
need_probe
need_busybox

B=$TEST_TMP/bundle
STATE=$TEST_TMP/crun-state
oci_bundle "$B" sh
mkdir -p "$B/rootfs/sys" "$B/rootfs/tmp" "$STATE"
chmod -R a+rX "$B"

# What the probe reports inside, in one container.
REPORT='p=/bin/probe; $p ids; $p status; $p hostname;
echo "mkdir=$($p mkdir /tmp/d)"; echo "lseek=$($p lseek 18446744073709551615)";
$p read /proc/self/limits | sed -n "s/^Max \(open files\|core file size\|stack size\|processes\) *\([^ ]*\) *\([^ ]*\).*/limit \1 \2 \3/p";
/bin/busybox sed -n "s/^[^ ]* [^ ]* [^ ]* [^ ]* \([^ ]*\) .* - \([^ ]*\) .*/mount \1 \2/p" /proc/self/mountinfo | /bin/busybox sort'

# config PROCESS-EXTRA LINUX-EXTRA [NAMESPACES]: $B/config.json, with
# $USERJ as process.user and $CAPS as the capability list.
USERJ='{ "uid": 0, "gid": 0 }'
CAPS='"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"'
AMB=$CAPS
config ()
{
  local proc=$1 lx=$2
  local ns=${3:-'{ "type": "pid" }, { "type": "network" }, { "type": "ipc" }, { "type": "uts" }, { "type": "mount" }'}
  local args
  args=$(printf '%s' "$REPORT" | sed 's/\\/\\\\/g; s/"/\\"/g' | tr '\n' ' ')
  cat >"$B/config.json" <<JSON
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false,
    "user": $USERJ,
    "args": [ "/bin/sh", "-c", "$args" ],
    "env": [ "PATH=/bin" ],
    "cwd": "/",
    "capabilities": {
      "bounding": [ $CAPS ],
      "effective": [ $CAPS ],
      "permitted": [ $CAPS ],
      "ambient": [ $AMB ]
    },
    "noNewPrivileges": true$proc
  },
  "root": { "path": "rootfs", "readonly": true },
  "hostname": "parity",
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
      "options": [ "nosuid", "mode=755", "size=65536k" ] },
    { "destination": "/dev/pts", "type": "devpts", "source": "devpts",
      "options": [ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" ] },
    { "destination": "/dev/shm", "type": "tmpfs", "source": "shm",
      "options": [ "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" ] },
    { "destination": "/sys", "type": "sysfs", "source": "sysfs",
      "options": [ "nosuid", "noexec", "nodev", "ro" ] },
    { "destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": [ "mode=1777" ] }
  ],
  "linux": {
    "namespaces": [ $ns ],
    "maskedPaths": [ "/proc/kcore", "/proc/keys", "/sys/firmware" ],
    "readonlyPaths": [ "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger" ]$lx
  }
}
JSON
}

# normalise SECCOMP [BND]: see the header.  SECCOMP=1 when the bundle has
# a linux.seccomp (both runtimes then load filters).  BND=0 drops CapBnd:
# for a uid other than 0 without ambient capabilities husk empties the
# bounding set too (husk-oci(5) process.capabilities: the same effect under
# no_new_privs), where crun keeps it.
normalise ()
{
  local sc=$1 bnd=${2:-1} line
  while IFS= read -r line; do
    case $line in
      Seccomp=*) [ "$sc" = 1 ] && printf '%s\n' "$line" ;;
      CapBnd=*) [ "$bnd" = 1 ] && printf '%s\n' "$line" ;;
      "mount /dev/"@(null|zero|full|random|urandom|tty|console)" "*) ;;
      "mount /sys/firmware "*) printf '%s\n' "$line" ;;
      "mount /sys/"*) ;;
      *) printf '%s\n' "$line" ;;
    esac
  done | uniq
}

n=0
# parity DESC SECCOMP [BND]: run $B through both; compare.
parity ()
{
  local desc=$1 sc=$2 bnd=${3:-1} id out_c rc_c
  n=$((n + 1))
  id=husk-parity-$$-$n
  out_c=$(unshare -m sh -c '
    if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
      mount -t tmpfs none /sys/fs/cgroup/unified || exit 99
    fi
    exec "$1" --cgroup-manager=disabled --root "$2" run --bundle "$3" "$4"' \
    sh "$CRUN" "$STATE" "$B" "$id" 2>"$TEST_TMP/crun.err" </dev/null)
  rc_c=$?
  "$CRUN" --root "$STATE" delete -f "$id" >/dev/null 2>&1
  hrun --oci "$B"
  if [ "$rc_c" != 0 ]; then
    is "$desc: crun runs the bundle ($(head -n3 "$TEST_TMP/crun.err" | tr '\n' ' '))" 0 "$rc_c"
    return
  fi
  like "$desc: crun's report has ids, caps and mounts" 'uid=.*NoNewPrivs=1.*mount /proc proc' "$(printf '%s' "$out_c" | tr '\n' ' ')"
  is "$desc: husk runs the bundle${ERR:+ ($ERR)}" 0 "$RC"
  is "$desc: the same report inside" \
    "$(printf '%s\n' "$out_c" | normalise "$sc" "$bnd")" "$(printf '%s\n' "$OUT" | normalise "$sc" "$bnd")"
}

mounts_snapshot

config "" ""
parity "runc-spec-shaped bundle, as root" 0

config ', "rlimits": [ { "type": "RLIMIT_NOFILE", "hard": 4096, "soft": 512 },
    { "type": "RLIMIT_CORE", "hard": 18446744073709551615, "soft": 18446744073709551615 },
    { "type": "RLIMIT_STACK", "hard": 18446744073709551615, "soft": 16777216 } ]' \
  ', "seccomp": { "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
    { "names": [ "mkdir", "mkdirat" ], "action": "SCMP_ACT_ERRNO", "errnoRet": 122 },
    { "names": [ "lseek" ], "action": "SCMP_ACT_ERRNO", "errnoRet": 33,
      "args": [ { "index": 1, "value": 18446744073709551615, "op": "SCMP_CMP_EQ" } ] } ] }'
parity "rlimits (2^64-1 too) and seccomp errnos" 1

# No ambient set: for uid 1000 both end up with no capabilities.
USERJ='{ "uid": 1000, "gid": 1000, "additionalGids": [ 5, 1000 ] }' AMB=
config '' ', "uidMappings": [ { "containerID": 0, "hostID": 200000, "size": 65536 } ],
    "gidMappings": [ { "containerID": 0, "hostID": 200000, "size": 65536 } ]' \
  '{ "type": "pid" }, { "type": "network" }, { "type": "ipc" }, { "type": "uts" }, { "type": "mount" }, { "type": "user" }'
parity "user namespace, uid 1000 with groups" 0 0
USERJ='{ "uid": 0, "gid": 0 }' AMB=$CAPS

CAPS='"CAP_CHOWN", "CAP_SYS_ADMIN", "CAP_NET_RAW"' AMB='"CAP_CHOWN", "CAP_SYS_ADMIN", "CAP_NET_RAW"'
config "" ""
parity "other capabilities" 0

is "crun's state directory is empty" "" "$(ls -A "$STATE")"
assert_nothing_left "after every container" "$B/rootfs"
done_testing
