#!/bin/bash
# oci-mopts.sh: the last mounts[] features of config.json in real
# containers: cgroup/cgroup2 mounts (a new cgroup2 in a cgroup namespace,
# else a bind of the container's own cgroup v2 directory), and their
# errors, one line naming the JSON path.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"
need_probe
. "$(dirname "$0")/../sandbox-helpers.sh"
need_probe

B=$TEST_TMP/bundle
mkdir -p "$B/rootfs/bin" "$B/rootfs/proc" "$B/rootfs/dev" "$B/rootfs/tmp" "$B/data"
cp "$P" "$B/rootfs/bin/probe"
BB=
for f in /bin/busybox /usr/bin/busybox; do
  if [ -x "$f" ] && file -L "$f" 2>/dev/null | grep -q 'statically linked'; then BB=$f; break; fi
done
if [ -n "$BB" ]; then
  cp "$BB" "$B/rootfs/bin/busybox"
  for c in sh cat stat ls; do ln -s busybox "$B/rootfs/bin/$c"; done
fi

# config ARGS-JSON [LINUX-EXTRA] [MOUNTS-EXTRA] [NAMESPACES] [USER]
config ()
{
  local args=$1 lx=${2:-} mnt=${3:-}
  local ns=${4:-'{ "type": "pid" }, { "type": "ipc" }, { "type": "uts" }, { "type": "mount" }'}
  local user=${5:-'"uid": 0, "gid": 0'}
  cat > "$B/config.json" <<JSON
{
  "ociVersion": "1.2.0",
  "process": {
    "user": { $user },
    "args": [ $args ],
    "env": [ "PATH=/bin" ],
    "cwd": "/",
    "noNewPrivileges": true
  },
  "root": { "path": "rootfs", "readonly": true },
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
      "options": [ "nosuid", "mode=755", "size=65536k" ] },
    { "destination": "/dev/pts", "type": "devpts", "source": "devpts",
      "options": [ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" ] },
    { "destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": [ "mode=1777" ] }$mnt
  ],
  "linux": {
    "namespaces": [ $ns ]$lx
  }
}
JSON
}

mounts_snapshot

# 1. cgroup mounts.  runc spec's mount, with and without a cgroup namespace.
CG=', { "destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": [ "nosuid", "noexec", "nodev", "relatime", "ro" ] }'
NS='{ "type": "pid" }, { "type": "ipc" }, { "type": "uts" }, { "type": "mount" }'
for cgns in yes no; do
  ns=$NS
  [ $cgns = yes ] && ns="$NS, { \"type\": \"cgroup\" }"
  config '"/bin/probe", "statfs", "/sys/fs/cgroup"' "" "$CG" "$ns"
  hrun --oci "$B"
  is "cgroup (cgroupns $cgns): a read-only cgroup2 at /sys/fs/cgroup" "0 cgroup2 ro,nosuid,nodev,noexec" \
    "$RC $(kv fstype "$OUT") $(kv flags "$OUT")"
  like "cgroup (cgroupns $cgns): v1 \"cgroup\" warns that a cgroup2 is mounted" \
    'mounts\[4\]\.type: "cgroup" \(v1\) mounted as a cgroup2' "$ERR"
  config '"/bin/probe", "write", "/sys/fs/cgroup/cgroup.procs"' "" "$CG" "$ns"
  hrun --oci "$B"
  is "cgroup (cgroupns $cgns): ro refuses a write" "0 EROFS" "$RC $OUT"
  if [ -n "$BB" ]; then
    # The container's pid 1 is sh; its cgroup (the mount's root) lists it.
    config '"/bin/sh", "-c", "cat /sys/fs/cgroup/cgroup.procs; grep ^0:: /proc/self/cgroup"' \
      "" "${CG/\"cgroup\", \"source/\"cgroup2\", \"source}" "$ns"
    hrun --oci "$B"
    is "cgroup2 (cgroupns $cgns): its cgroup.procs lists the container's pid 1" "0 1" \
      "$RC $(printf '%s\n' "$OUT" | grep -x 1)"
    [ $cgns = yes ] && is "cgroup2 (cgroupns yes): the process is in the namespace's root" \
      "0::/" "$(printf '%s\n' "$OUT" | grep '^0::')"
    is "cgroup2: no warning" "" "$ERR"
    # Without "ro": writable (the directory's permissions decide the rest).
    config '"/bin/probe", "statfs", "/sys/fs/cgroup"' "" "${CG/, \"ro\" ]/ ]}" "$ns"
    hrun --oci "$B"
    is "cgroup (cgroupns $cgns) without ro: rw" "0 rw,nosuid,nodev,noexec" "$RC $(kv flags "$OUT")"
  fi
done

assert_nothing_left "after every container"
done_testing
