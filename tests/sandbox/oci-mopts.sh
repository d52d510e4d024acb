#!/bin/bash
# husk-test: serial (as root it mounts a tmpfs in the host's mount namespace)
# oci-mopts.sh: the last mounts[] features of config.json in real
# containers: cgroup/cgroup2 mounts (a new cgroup2 in a cgroup namespace,
# else a bind of the container's own cgroup v2 directory), and their
# errors, one line naming the JSON path.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"
need_probe

B=$TEST_TMP/bundle
oci_bundle "$B" sh cat stat ls
mkdir -p "$B/rootfs/tmp" "$B/data"

# config ARGS-JSON [LINUX-EXTRA] [MOUNTS-EXTRA] [NAMESPACES] [USER]: see oci_config.
config () { oci_config "$B" "$@"; }

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

# 2. Atime options and the recursive flags (mount_setattr), seen in
# mountinfo: field 6 the mount's options, after " - " the superblock's.
mkdir -p "$B/data/dir" "$B/data/tree/sub"
# mntopts MOUNTPOINT MOUNTINFO: "per-mount-options super-options" of the last mount there.
mntopts () { printf '%s\n' "$2" | awk -v m="$1" '$5 == m { for (i = 7; $i != "-"; i++); print $6, $(i + 3) }' | tail -n1; }
has () { case ",$2," in *",$1,"*) echo yes ;; *) echo no ;; esac; }
MI='"/bin/probe", "read", "/proc/self/mountinfo"'
config "$MI" "" ', { "destination": "/run", "type": "tmpfs", "source": "tmpfs", "options": [ "noatime", "strictatime" ] }, { "destination": "/var", "type": "tmpfs", "source": "tmpfs", "options": [ "noatime", "nodiratime" ] }'
hrun --oci "$B"
o=$(mntopts /run "$OUT")
is "noatime then strictatime on a tmpfs: neither noatime nor relatime (strict)" "0 no no" \
  "$RC $(has noatime "${o% *}") $(has relatime "${o% *}")"
o=$(mntopts /var "$OUT")
is "noatime, nodiratime on a tmpfs: in mountinfo" "yes yes" "$(has noatime "${o% *}") $(has nodiratime "${o% *}")"
# A bind of a host mount: as root it takes any atime mode; in a user
# namespace the kernel refuses to change it (EPERM), and says so.
config "$MI" "" ', { "destination": "/mnt", "type": "bind", "source": "data/dir", "options": [ "rbind", "noatime", "nodiratime" ] }'
hrun --oci "$B"
o=$(mntopts /mnt "$OUT")
if [ "$(id -u)" = 0 ]; then
  is "noatime, nodiratime on a bind: in mountinfo" "0 yes yes" "$RC $(has noatime "${o% *}") $(has nodiratime "${o% *}")"
else
  is "noatime on a bind in a user namespace: one error line" \
    "1 husk: mounts[4]: set the mount attributes of /mnt (in a user namespace the kernel locks the atime mode and flags of a mount from the host): Operation not permitted" \
    "$RC $ERR"
fi
config "$MI" "" ', { "destination": "/run", "type": "tmpfs", "source": "tmpfs", "options": [ "sync", "dirsync", "lazytime" ] }, { "destination": "/var", "type": "tmpfs", "source": "tmpfs", "options": [ "lazytime", "nolazytime" ] }'
hrun --oci "$B"
o=$(mntopts /run "$OUT")
is "sync, dirsync, lazytime on a tmpfs: superblock flags" "0 yes yes yes" \
  "$RC $(has sync "${o#* }") $(has dirsync "${o#* }") $(has lazytime "${o#* }")"
o=$(mntopts /var "$OUT")
is "lazytime then nolazytime: not set" "no" "$(has lazytime "${o#* }")"
# Recursive: a submount below the bind's source (made on the host: root only).
if [ "$(id -u)" = 0 ]; then
  mount -t tmpfs -o size=64k husk-t "$B/data/tree/sub"
  config "$MI" "" ', { "destination": "/mnt", "type": "bind", "source": "data/tree", "options": [ "rbind", "rro", "rnoatime", "rnoexec", "rnosymfollow" ] }, { "destination": "/opt", "type": "bind", "source": "data/tree", "options": [ "rbind", "noatime", "ro", "rrw" ] }'
  hrun --oci "$B"
  o=$(mntopts /mnt/sub "$OUT")
  is "rro, rnoatime, rnoexec, rnosymfollow reach the submount" "0 yes yes yes yes" \
    "$RC $(has ro "${o% *}") $(has noatime "${o% *}") $(has noexec "${o% *}") $(has nosymfollow "${o% *}")"
  o=$(mntopts /opt/sub "$OUT")
  is "noatime (not recursive) leaves the submount; rrw clears ro below" "no rw" \
    "$(has noatime "${o% *}") ${o%%,*}"
  o=$(mntopts /opt "$OUT")
  is "... and on the top mount noatime, rw" "yes rw" "$(has noatime "${o% *}") ${o%%,*}"
  umount "$B/data/tree/sub"
fi
config "$MI" "" ', { "destination": "/mnt", "type": "bind", "source": "data/dir", "options": [ "bind", "rro", "rnoexec" ] }, { "destination": "/run", "type": "tmpfs", "source": "tmpfs", "options": [ "rnoatime", "rnodiratime", "rnoexec" ] }'
hrun --oci "$B"
o=$(mntopts /mnt "$OUT")
is "rro, rnoexec on a bind" "0 ro yes" "$RC ${o%%,*} $(has noexec "${o% *}")"
o=$(mntopts /run "$OUT")
is "rnoatime, rnodiratime, rnoexec on a tmpfs" "yes yes yes" \
  "$(has noatime "${o% *}") $(has nodiratime "${o% *}") $(has noexec "${o% *}")"

# 3. A read-only devpts: read-only, and a pty can still be made.
config '"/bin/probe", "statfs", "/dev/pts"' "" ''
sed -i 's/"newinstance",/"newinstance", "ro",/' "$B/config.json"
hrun --oci "$B"
is "devpts ro: read-only" "0 devpts ro" "$RC $(kv fstype "$OUT") $(kv flags "$OUT" | cut -d, -f1)"
config '"/bin/probe", "write", "/dev/ptmx"' "" ''
sed -i 's/"newinstance",/"newinstance", "ro",/' "$B/config.json"
hrun --oci "$B"
is "devpts ro: /dev/ptmx still opens for writing (a new pty)" "0 ok" "$RC $OUT"

# 4. Errors: one line naming the option.
for c in 'tmpfs|mand|"mand" not supported: Linux removed mandatory locking (5.15)' \
         'tmpfs|remount|"remount" not supported: husk makes every mount new (give the options on the mount itself)' \
         'bind|suid|"suid" not supported: husk mounts everything nosuid (the container runs with no_new_privs)' \
         'bind|dirsync|"dirsync" is supported on tmpfs mounts only' \
         'tmpfs|dev|"dev" is supported on bind mounts only (husk makes new file systems nodev: device nodes come from linux.devices)'; do
  IFS='|' read -r t o msg <<<"$c"
  config '"/bin/probe", "ids"' "" ", { \"destination\": \"/mnt\", \"type\": \"$t\", \"source\": \"data/dir\", \"options\": [ \"$o\" ] }"
  hrun --oci "$B"
  is "$t $o: one error line, exit 1" "1 husk: mounts[4].options[0]: $msg" "$RC $ERR"
done

assert_nothing_left "after every container"
done_testing
