#!/bin/bash
# namespaces.sh: --unshare-* / --share-net, --uid/--gid, --hostname.
# Each namespace is checked by comparing the inode of /proc/self/ns/<ns>
# inside the sandbox with the test's own (the host's).  Validated against
# bwrap 0.8.0 as root and as uid 65534.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"
need_probe

HOST_NS=$("$P" ns)
host_uid=$(id -u)
host_gid=$(id -g)

# ns_check DESC "ns..." (expected new) "ns..." (expected shared): uses $OUT
ns_check ()
{
  local desc=$1 n bad=""
  for n in $2; do
    [ -n "$(kv "$n" "$OUT")" ] && [ "$(kv "$n" "$OUT")" != "$(kv "$n" "$HOST_NS")" ] || bad="$bad new:$n"
  done
  for n in $3; do
    [ "$(kv "$n" "$OUT")" = "$(kv "$n" "$HOST_NS")" ] || bad="$bad shared:$n"
  done
  is "$desc" "" "$bad"
}

# Default: only a new mount namespace (plus a user namespace when not root).
hrun --ro-bind / / "$P" ns
is "default: exit 0" 0 "$RC"
if is_root; then
  ns_check "default as root: new mnt; ipc net pid uts cgroup user shared" "mnt" "ipc net pid uts cgroup user"
else
  ns_check "default as user: new mnt and user (implied); ipc net pid uts cgroup shared" "mnt user" "ipc net pid uts cgroup"
fi

hrun --ro-bind / / --unshare-user "$P" ns
ns_check "--unshare-user: new user ns, others shared" "user mnt" "ipc net pid uts cgroup"
hrun --ro-bind / / --unshare-user "$P" ids
is "--unshare-user: uid inside is the caller's uid" "$host_uid" "$(kv uid "$OUT")"
is "--unshare-user: gid inside is the caller's gid" "$host_gid" "$(kv gid "$OUT")"
hrun --ro-bind / / --unshare-user "$P" read /proc/self/setgroups
is "--unshare-user: setgroups is denied" "deny" "$OUT"

hrun --ro-bind / / --unshare-user-try "$P" ns
is "--unshare-user-try: exit 0" 0 "$RC"
ns_check "--unshare-user-try (userns available here): new user ns" "user" "ipc net pid uts cgroup"

hrun --ro-bind / / --unshare-ipc "$P" ns
ns_check "--unshare-ipc: new ipc only" "ipc" "net pid uts cgroup"

hrun --ro-bind / / --unshare-pid "$P" ns
ns_check "--unshare-pid: new pid only" "pid" "ipc net uts cgroup"
hrun --ro-bind / / --unshare-pid --proc /proc "$P" pid
is "--unshare-pid: the program is pid 2 (under a reaper)" 2 "$(kv pid "$OUT")"
is "--unshare-pid: its parent is pid 1" 1 "$(kv ppid "$OUT")"
hrun --ro-bind / / --unshare-pid --proc /proc "$P" ls /proc
pids=$(printf '%s\n' "$OUT" | grep -E '^[0-9]+ dir$' | cut -d' ' -f1 | sort -n | tr '\n' ' ')
is "--unshare-pid: only pids 1 and 2 exist inside" "1 2 " "$pids"

hrun --ro-bind / / --unshare-net "$P" ns
ns_check "--unshare-net: new net only" "net" "ipc pid uts cgroup"
hrun --ro-bind / / --unshare-net "$P" net
is "--unshare-net: only lo, and it is up" "if=lo
lo=up" "$OUT"
hrun --ro-bind / / "$P" net
is "without --unshare-net the host's interfaces are visible (control)" "$("$P" net)" "$OUT"

hrun --ro-bind / / --unshare-uts "$P" ns
ns_check "--unshare-uts: new uts only" "uts" "ipc net pid cgroup"
hrun --ro-bind / / --unshare-uts "$P" hostname
is "--unshare-uts alone keeps the hostname" "$(hostname)" "$OUT"
hrun --ro-bind / / --unshare-uts --hostname husk-test-host "$P" hostname
is "--hostname sets the hostname" "husk-test-host" "$OUT"
is "--hostname does not change the host's" "$(hostname)" "$("$P" hostname)"
hrun --ro-bind / / --hostname husk-test-host "$P" hostname
is "--hostname without --unshare-uts: exit 1" 1 "$RC"

hrun --ro-bind / / --unshare-cgroup "$P" ns
ns_check "--unshare-cgroup: new cgroup only" "cgroup" "ipc net pid uts"
hrun --ro-bind / / --unshare-cgroup-try "$P" ns
ns_check "--unshare-cgroup-try (supported here): new cgroup" "cgroup" "ipc net pid uts"

hrun --ro-bind / / --unshare-all "$P" ns
ns_check "--unshare-all: new user ipc pid net uts cgroup mnt" "user ipc pid net uts cgroup mnt" ""
hrun --ro-bind / / --unshare-all --share-net "$P" ns
ns_check "--unshare-all --share-net: net shared, the rest new" "user ipc pid uts cgroup" "net"
hrun --ro-bind / / --share-net --unshare-all "$P" ns
ns_check "--share-net before --unshare-all is overridden (order matters)" "net" ""
hrun --ro-bind / / --unshare-net --share-net "$P" ns
ns_check "--unshare-net --share-net: net shared" "" "net"

# --uid / --gid
hrun --ro-bind / / --unshare-user --uid 1234 --gid 4321 "$P" ids
is "--uid 1234 --gid 4321: ids inside" "uid=1234
euid=1234
gid=4321
egid=4321
groups=" "$OUT"
hrun --ro-bind / / --unshare-user --uid 1234 --gid 4321 "$P" read /proc/self/uid_map
is "--uid: uid_map maps 1234 to the caller's uid, one id" "1234 $host_uid 1" "$(echo $OUT)"
hrun --ro-bind / / --unshare-user --uid 1234 --gid 4321 "$P" read /proc/self/gid_map
is "--gid: gid_map maps 4321 to the caller's gid, one id" "4321 $host_gid 1" "$(echo $OUT)"
hrun --ro-bind / / --unshare-user --uid 0 --gid 0 "$P" ids
is "--uid 0 --gid 0: root inside the user namespace" "0 0" "$(kv uid "$OUT") $(kv gid "$OUT")"
hrun --ro-bind / / --uid 1234 "$P" ids
if is_root; then
  is "--uid without a user namespace as root: exit 1" 1 "$RC"
else
  is "--uid as a user (user namespace implied): uid inside" 1234 "$(kv uid "$OUT")"
fi

done_testing
