#!/bin/bash
# husk-test: serial (as root it mounts a tmpfs in the host's mount namespace)
# oci-mounts.sh: the filesystem and namespace parts of config.json that
# issue 5 added last, in real containers: linux.devices (mknod as real
# root, a bind of the host's node in a user namespace) and the default
# devices, joining user and pid namespaces by linux.namespaces[].path, the
# mount options nosymfollow, tmpcopyup, propagation and idmap/ridmap with
# per-mount uidMappings/gidMappings, and linux.rootfsPropagation; their
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

# 1. linux.devices and the default devices.
config '"/bin/probe", "read", "/dev/zero"'
sed -i 's/"read", "\/dev\/zero"/"write", "\/dev\/null"/' "$B/config.json"
hrun --oci "$B"
is "default devices: /dev/null takes a write" "0 ok" "$RC $OUT"
config '"/bin/probe", "stat", "/dev/zero"'
hrun --oci "$B"
is "default devices: /dev/zero is 1:5" "0 chr 1:5" "$RC $(kv type "$OUT") $(kv rdev "$OUT")"
config '"/bin/probe", "stat", "/dev/ptmx"'
hrun --oci "$B"
is "default devices: /dev/ptmx -> pts/ptmx" "symlink pts/ptmx" "$(kv type "$OUT") $(kv target "$OUT")"
for n in full random urandom tty; do
  config "\"/bin/probe\", \"stat\", \"/dev/$n\""
  hrun --oci "$B"
  is "default devices: /dev/$n is the host's" "chr $((16#$(stat -c %t /dev/$n))):$((16#$(stat -c %T /dev/$n)))" \
    "$(kv type "$OUT") $(kv rdev "$OUT")"
done
config '"/bin/probe", "stat", "/dev/fd"'
hrun --oci "$B"
is "default devices: /dev/fd -> /proc/self/fd" "symlink /proc/self/fd" "$(kv type "$OUT") $(kv target "$OUT")"

DEV=', "devices": [ { "path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438, "uid": 0, "gid": 0 } ]'
config '"/bin/probe", "stat", "/dev/fuse"' "$DEV"
hrun --oci "$B"
is "linux.devices: /dev/fuse is c 10:229" "0 chr 10:229" "$RC $(kv type "$OUT") $(kv rdev "$OUT")"
if is_root; then
  is "linux.devices as root: mknod with fileMode 0666" "0666" "$(kv mode "$OUT")"
else
  is "linux.devices in a user namespace: the host's node, its mode" \
    "$(stat -c %04a /dev/fuse)" "$(kv mode "$OUT")"
fi
# Usable: opening it as a device reaches the driver (nodev would be EACCES).
config '"/bin/probe", "read", "/dev/fuse"' "$DEV"
hrun --oci "$B"
if is_root; then
  is "linux.devices: /dev/fuse opens (not nodev); reading without a mount is EPERM" "EPERM" "$OUT"
else
  is "linux.devices bound: the host's mode (0600 root) refuses uid 65534" "EACCES" "$OUT"
fi
config '"/bin/probe", "read", "/dev/loop-control"'
hrun --oci "$B"
is "a device not in linux.devices is absent" "ENOENT" "$OUT"
config '"/bin/probe", "stat", "/tmp/sub/fifo"' \
  ', "devices": [ { "path": "/tmp/sub/fifo", "type": "p", "fileMode": 416 } ]'
hrun --oci "$B"
is "linux.devices type p: a FIFO outside /dev, parents made" "0 fifo 0640" \
  "$RC $(kv type "$OUT") $(kv mode "$OUT")"
if [ -n "$BB" ] && is_root; then
  config '"stat", "-c", "%u:%g %a", "/dev/fuse"' \
    ', "devices": [ { "path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 384, "uid": 12, "gid": 34 } ]'
  hrun --oci "$B"
  is "linux.devices as root: uid, gid, fileMode" "0 12:34 600" "$RC $OUT"
fi
config '"/bin/probe", "stat", "/dev/null"' \
  ', "devices": [ { "path": "/dev/null", "type": "c", "major": 1, "minor": 3 } ]'
hrun --oci "$B"
is "linux.devices naming a default device (the same node): accepted" "0 chr 1:3" \
  "$RC $(kv type "$OUT") $(kv rdev "$OUT")"
config '"/bin/probe", "stat", "/dev/null"' \
  ', "devices": [ { "path": "/dev/null", "type": "c", "major": 1, "minor": 7 } ]'
hrun --oci "$B"
is "linux.devices: a different node already there: exit 1" 1 "$RC"
is "... one line naming the entry" \
  "husk: linux.devices[0]: /dev/null exists and is not the requested device: File exists" "$ERR"
config '"/bin/probe", "stat", "/dev/husk-nope"' \
  ', "devices": [ { "path": "/dev/husk-nope", "type": "c", "major": 10, "minor": 229 } ]'
hrun --oci "$B"
if is_root; then
  is "linux.devices as root: any path, made with mknod" "0 chr 10:229" \
    "$RC $(kv type "$OUT") $(kv rdev "$OUT")"
else
  is "linux.devices in a user namespace, the host lacks the node: exit 1" 1 "$RC"
  is "... one line naming the entry" \
    "husk: linux.devices[0]: the host has no /dev/husk-nope to bind (a device node cannot be made in a user namespace): No such file or directory" "$ERR"
fi
config '"/bin/probe", "stat", "/dev/fuse"' "$DEV" "" \
  '{ "type": "user" }, { "type": "mount" }'
sed -i 's/"namespaces"/"uidMappings": [ { "containerID": 0, "hostID": '"$(id -u)"', "size": 1 } ], "gidMappings": [ { "containerID": 0, "hostID": '"$(id -g)"', "size": 1 } ], "namespaces"/' "$B/config.json"
hrun --oci "$B"
is "linux.devices with a user namespace in the config: bound from the host" \
  "0 chr 10:229 $(stat -c %04a /dev/fuse)" "$RC $(kv type "$OUT") $(kv rdev "$OUT") $(kv mode "$OUT")"
# 2. Joining user and pid namespaces by linux.namespaces[].path.
ino () { stat -Lc %i "$1"; }
unshare -U --map-root-user sleep 100 </dev/null >/dev/null 2>&1 &
upid=$!
unshare -U --map-root-user -p --fork sleep 100 </dev/null >/dev/null 2>&1 &
ppid_=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do
  pchild=$(pgrep -P "$ppid_" sleep 2>/dev/null)
  [ -n "$pchild" ] && [ "$(ino /proc/$upid/ns/user)" != "$(ino /proc/self/ns/user)" ] && break
  sleep 0.1
done
config '"/bin/probe", "ns"' "" "" \
  "{ \"type\": \"user\", \"path\": \"/proc/$upid/ns/user\" }, { \"type\": \"mount\" }"
hrun --oci "$B"
is "user namespace by path: joined (the holder's inode)" "0 $(ino /proc/$upid/ns/user)" \
  "$RC $(kv user "$OUT")"
config '"/bin/probe", "ids"' "" "" \
  "{ \"type\": \"user\", \"path\": \"/proc/$upid/ns/user\" }, { \"type\": \"mount\" }" \
  '"uid": 0, "gid": 0'
hrun --oci "$B"
is "... the process is uid 0 there (the holder's map: 0 -> $(id -u))" "0 0" "$RC $(kv uid "$OUT")"
config '"/bin/probe", "ns"' "" "" \
  "{ \"type\": \"user\", \"path\": \"/proc/$ppid_/ns/user\" }, { \"type\": \"pid\", \"path\": \"/proc/$pchild/ns/pid\" }, { \"type\": \"mount\" }"
hrun --oci "$B"
is "pid namespace by path (with its owning user namespace): joined" \
  "0 $(ino /proc/$pchild/ns/pid) $(ino /proc/$ppid_/ns/user)" \
  "$RC $(kv pid "$OUT") $(kv user "$OUT")"
config '"/bin/probe", "read", "/proc/1/comm"' "" "" \
  "{ \"type\": \"user\", \"path\": \"/proc/$ppid_/ns/user\" }, { \"type\": \"pid\", \"path\": \"/proc/$pchild/ns/pid\" }, { \"type\": \"mount\" }"
hrun --oci "$B"
is "... its /proc shows the holder as pid 1" "0 sleep" "$RC $OUT"
if is_root; then
  unshare -p --fork sleep 100 </dev/null >/dev/null 2>&1 &
  rpid=$!
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    rchild=$(pgrep -P "$rpid" sleep 2>/dev/null); [ -n "$rchild" ] && break; sleep 0.1
  done
  config '"/bin/probe", "ns"' "" "" \
    "{ \"type\": \"pid\", \"path\": \"/proc/$rchild/ns/pid\" }, { \"type\": \"mount\" }"
  hrun --oci "$B"
  is "as root: a pid namespace by path alone" "0 $(ino /proc/$rchild/ns/pid)" "$RC $(kv pid "$OUT")"
  # unshare --fork blocks SIGTERM and its child, pid 1 of the new pid
  # namespace, has no handler: only SIGKILL ends them (else the `wait`
  # below waits out the sleep).
  kill -KILL "$rchild" "$rpid" 2>/dev/null
else
  config '"/bin/probe", "ns"' "" "" \
    "{ \"type\": \"pid\", \"path\": \"/proc/$pchild/ns/pid\" }, { \"type\": \"mount\" }"
  hrun --oci "$B"
  is "unprivileged: a pid namespace without its user namespace: exit 1" 1 "$RC"
  like "... one line naming the path" '^husk: linux\.namespaces\[0\]\.path: setns: Operation not permitted' "$ERR"
fi
config '"/bin/probe", "ns"' \
  ', "uidMappings": [ { "containerID": 0, "hostID": 0, "size": 1 } ]' "" \
  "{ \"type\": \"user\", \"path\": \"/proc/$upid/ns/user\" }, { \"type\": \"mount\" }"
hrun --oci "$B"
is "user namespace by path with linux.uidMappings: one line" \
  "husk: linux.uidMappings: cannot be used when joining a user namespace by path (its id maps are already set)" "$ERR"
config '"/bin/probe", "ns"' "" "" \
  '{ "type": "user", "path": "/proc/self/ns/net" }, { "type": "mount" }'
hrun --oci "$B"
like "a path that is no user namespace: one line naming it" \
  '^husk: linux\.namespaces\[0\]\.path: setns: Invalid argument' "$ERR"
kill -KILL "$pchild" "$ppid_" "$upid" 2>/dev/null
wait 2>/dev/null

# 3. Mount options: nosymfollow, tmpcopyup, propagation.
mkdir -p "$B/data/dir/sub" "$B/rootfs/opt/seed/deep"
echo hello > "$B/data/dir/file"
ln -sf file "$B/data/dir/link"
echo seeded > "$B/rootfs/opt/seed/deep/f"
chmod 0640 "$B/rootfs/opt/seed/deep/f"
ln -sf deep/f "$B/rootfs/opt/seed/l"
BIND=', { "destination": "/mnt", "type": "bind", "source": "data/dir", "options": [ "rbind", "nosymfollow" ] }'
config '"/bin/probe", "read", "/mnt/link"' "" "$BIND"
hrun --oci "$B"
is "nosymfollow: a symlink on the mount is not followed" "0 ELOOP" "$RC $OUT"
config '"/bin/probe", "read", "/mnt/file"' "" "$BIND"
hrun --oci "$B"
is "... a file on it reads" "0 hello" "$RC $OUT"
config '"/bin/probe", "read", "/mnt/link"' "" "${BIND/\"nosymfollow\"/\"symfollow\"}"
hrun --oci "$B"
is "without it (symfollow) the symlink is followed (control)" "0 hello" "$RC $OUT"
TC=', { "destination": "/opt/seed", "type": "tmpfs", "source": "tmpfs", "options": [ "tmpcopyup", "mode=755" ] }'
config '"/bin/probe", "read", "/opt/seed/l"' "" "$TC"
hrun --oci "$B"
is "tmpcopyup: the covered content is copied (through the copied symlink)" "0 seeded" "$RC $OUT"
config '"/bin/probe", "stat", "/opt/seed/deep/f"' "" "$TC"
hrun --oci "$B"
is "... with its mode" "0 file 0640" "$RC $(kv type "$OUT") $(kv mode "$OUT")"
config '"/bin/probe", "write", "/opt/seed/deep/f"' "" "$TC"
hrun --oci "$B"
is "... and writable on the tmpfs (the rootfs is read-only)" "0 ok" "$RC $OUT"
is "... the rootfs's file is unchanged" "seeded" "$(cat "$B/rootfs/opt/seed/deep/f")"
config '"/bin/probe", "read", "/opt/seed/l"' "" "${TC/\"tmpcopyup\", /}"
hrun --oci "$B"
is "without tmpcopyup the tmpfs is empty (control)" "0 ENOENT" "$RC $OUT"
# mountinfo's optional fields for the mount on $1 in probe output $2.
optf () { printf '%s\n' "$2" | awk -v m="$1" '$5 == m { s = ""; for (i = 7; $i != "-"; i++) s = s " " $i; sub(/^ /, "", s); print s }' | tail -n1; }
# Under a shared root (linux.rootfsPropagation, section 4) a new mount is
# shared too; each option then shows against that.
for p in none private slave unbindable; do
  config '"/bin/probe", "read", "/proc/self/mountinfo"' ', "rootfsPropagation": "rshared"' \
    ', { "destination": "/mnt", "type": "bind", "source": "data/dir", "options": [ "rbind", "'$p'" ] }, { "destination": "/run", "type": "tmpfs", "source": "tmpfs", "options": [ "r'$p'" ] }'
  sed -i 's/, "none" \]/ ]/; s/"rnone"//' "$B/config.json"
  hrun --oci "$B"
  case $p in
    none) re='^shared:[0-9]+$' ;;
    private) re='^-$' ;;
    # A slave of its own lone peer group is private; of a host's shared
    # mount (when / is shared on the host) a slave of that.
    slave) re='^(-|master:[0-9]+)$' ;;
    unbindable) re='^unbindable$' ;;
  esac
  like "propagation $p on a bind under a shared root: mountinfo says so" "$re" \
    "$(optf /mnt "$OUT" | sed 's/^$/-/')"
  like "propagation r$p on a tmpfs: mountinfo says so" "$re" "$(optf /run "$OUT" | sed 's/^$/-/')"
done
config '"/bin/probe", "read", "/proc/self/mountinfo"' "" \
  ', { "destination": "/mnt", "type": "bind", "source": "data/dir", "options": [ "rbind", "shared" ] }'
hrun --oci "$B"
like "propagation shared on a bind (root not shared): a peer group of its own" '^shared:[0-9]+' \
  "$(optf /mnt "$OUT")"

# 4. linux.rootfsPropagation.
for p in shared rshared private slave unbindable; do
  config '"/bin/probe", "read", "/proc/self/mountinfo"' ", \"rootfsPropagation\": \"$p\""
  hrun --oci "$B"
  case $p in
    shared|rshared) re='^shared:[0-9]+$' ;;
    private|slave) re='^-$' ;;
    unbindable) re='^unbindable$' ;;
  esac
  is "rootfsPropagation $p: exit 0" 0 "$RC"
  like "rootfsPropagation $p: / in mountinfo" "$re" "$(optf / "$OUT" | sed 's/^$/-/')"
done
config '"/bin/probe", "read", "/proc/self/mountinfo"' ', "rootfsPropagation": "rshared"'
hrun --oci "$B"
like "rootfsPropagation rshared: a mount below is shared too" '^shared:[0-9]+' "$(optf /tmp "$OUT")"
config '"/bin/probe", "ids"' ', "rootfsPropagation": "bogus"'
hrun --oci "$B"
is "rootfsPropagation: an unknown value, one line" \
  'husk: linux.rootfsPropagation: unknown propagation "bogus" ([r]private, [r]shared, [r]slave or [r]unbindable)' "$ERR"

# 5. Idmapped binds: idmap/ridmap with the mount's uidMappings/gidMappings
# or the container's.  They need CAP_SYS_ADMIN in the initial user
# namespace: as root they work (on this ext4 / tmpfs), unprivileged the
# kernel refuses, with one line naming the mount.
mkdir -p "$B/data/idm/sub"
echo idm > "$B/data/idm/file"
IDM='"uidMappings": [ { "containerID": 0, "hostID": 1234, "size": 1 }, { "containerID": 5, "hostID": 6, "size": 1 } ], "gidMappings": [ { "containerID": 0, "hostID": 5678, "size": 1 } ]'
if [ -n "$BB" ]; then
  config '"stat", "-c", "%u:%g", "/idm/file"' "" \
    ", { \"destination\": \"/idm\", \"type\": \"bind\", \"source\": \"data/idm\", \"options\": [ \"rbind\", \"idmap\" ], $IDM }"
  hrun --oci "$B"
  if is_root; then
    is "idmap as root: a file owned by $(stat -c %u:%g "$B/data/idm/file") on disk shows as 1234:5678" \
      "0 1234:5678" "$RC $OUT"
  else
    is "idmap unprivileged: exit 1" 1 "$RC"
    is "... one line naming the mount" \
      "husk: mounts[4]: idmapped mount: open_tree: Operation not permitted" "$(printf '%s\n' "$ERR" | head -n1)"
    like "... and a hint" 'CAP_SYS_ADMIN in the initial user namespace' "$ERR"
  fi
else
  skip "idmap" "needs a static busybox (stat -c)"
fi
if is_root && [ -n "$BB" ]; then
  config '"stat", "-c", "%u:%g", "/idm/file"' "" \
    ", { \"destination\": \"/idm\", \"type\": \"bind\", \"source\": \"data/idm\", \"options\": [ \"rbind\" ] }"
  hrun --oci "$B"
  is "without idmap the owner shows as on disk (control)" "0 $(stat -c %u:%g "$B/data/idm/file")" "$RC $OUT"
  config '"stat", "-c", "%u:%g", "/idm/file"' \
    ', "uidMappings": [ { "containerID": 0, "hostID": 100000, "size": 65536 } ], "gidMappings": [ { "containerID": 0, "hostID": 100000, "size": 65536 } ]' \
    ", { \"destination\": \"/idm\", \"type\": \"bind\", \"source\": \"data/idm\", \"options\": [ \"rbind\", \"idmap\" ] }" \
    '{ "type": "user" }, { "type": "mount" }, { "type": "pid" }'
  hrun --oci "$B"
  is "idmap with the container's maps (a user namespace 0 -> 100000): the on-disk owner inside" \
    "0 $(stat -c %u:%g "$B/data/idm/file")" "$RC $OUT"
  config '"stat", "-c", "%u:%g", "/idm/file"' \
    ', "uidMappings": [ { "containerID": 0, "hostID": 100000, "size": 65536 } ], "gidMappings": [ { "containerID": 0, "hostID": 100000, "size": 65536 } ]' \
    ", { \"destination\": \"/idm\", \"type\": \"bind\", \"source\": \"data/idm\", \"options\": [ \"rbind\" ] }" \
    '{ "type": "user" }, { "type": "mount" }, { "type": "pid" }'
  hrun --oci "$B"
  is "... without idmap: unmapped, the overflow id (control)" "0 65534:65534" "$RC $OUT"
  mkdir -p "$B/data/idm/sub/t"
  mount -t tmpfs husk-idm-test "$B/data/idm/sub/t"
  echo t > "$B/data/idm/sub/t/f"
  for o in idmap ridmap; do
    config '"stat", "-c", "%u", "/idm/sub/t/f"' "" \
      ", { \"destination\": \"/idm\", \"type\": \"bind\", \"source\": \"data/idm\", \"options\": [ \"rbind\", \"$o\" ], $IDM }"
    hrun --oci "$B"
    case $o in idmap) want=0 ;; ridmap) want=1234 ;; esac
    is "$o: a submount (a tmpfs) is idmapped only with ridmap" "0 $want" "$RC $OUT"
  done
  umount "$B/data/idm/sub/t"
fi
config '"/bin/probe", "ids"' "" \
  ', { "destination": "/idm", "type": "bind", "source": "data/idm", "options": [ "rbind", "idmap" ] }'
hrun --oci "$B"
is "idmap without any maps: one line" \
  'husk: mounts[4].options[1]: needs mounts[4].uidMappings and gidMappings, or the container'"'"'s linux.uidMappings and linux.gidMappings' "$ERR"

assert_nothing_left "after every container"
done_testing
