#!/bin/bash
# husk-test: serial (as root it makes a veth pair on the host)
# oci-procattrs.sh: the OCI process and linux attributes issue 5 added
# last, in real containers: process.scheduler (sched_setattr),
# process.ioPriority (ioprio_set), process.execCPUAffinity
# (sched_setaffinity), linux.memoryPolicy (set_mempolicy),
# process.apparmorProfile, linux.intelRdt and linux.netDevices; each read
# back from inside (the probe's `sched`, /proc/self/stat, status,
# numa_maps), and the errors: one line naming the JSON path, exit 1.
# Privileged parts (real-time policies, IOPRIO_CLASS_RT, moving an
# interface) succeed as root and fail clearly as a user.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"
need_probe

B=$TEST_TMP/bundle
mkdir -p "$B/rootfs/bin" "$B/rootfs/proc" "$B/rootfs/dev" "$B/rootfs/sys"
cp "$P" "$B/rootfs/bin/probe"

# config ARGS-JSON [PROCESS-EXTRA] [LINUX-EXTRA] [NAMESPACES]
config ()
{
  local args=$1 proc=${2:-} lx=${3:-}
  local ns=${4:-'{ "type": "pid" }, { "type": "network" }, { "type": "ipc" }, { "type": "uts" }, { "type": "mount" }'}
  cat > "$B/config.json" <<JSON
{
  "ociVersion": "1.2.0",
  "process": {
    "user": { "uid": 0, "gid": 0 },
    "args": [ $args ],
    "env": [ "PATH=/bin" ],
    "cwd": "/"$proc
  },
  "root": { "path": "rootfs", "readonly": true },
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": [ "nosuid", "mode=755" ] }
  ],
  "linux": {
    "namespaces": [ $ns ]$lx
  }
}
JSON
}
SCHED='"/bin/probe", "sched"'
STAT='"/bin/probe", "read", "/proc/self/stat"'
# Field N of /proc/self/stat in $OUT (the probe's comm has no blanks).
stat_field () { printf '%s\n' "$OUT" | awk -v n="$1" '{ print $n }'; }

mounts_snapshot

# 1. process.scheduler.
config "$SCHED" ', "scheduler": { "policy": "SCHED_BATCH", "nice": 7, "flags": [ "SCHED_FLAG_RESET_ON_FORK" ] }'
hrun --oci "$B"
is "scheduler SCHED_BATCH: exit 0, no message" "0 " "$RC $ERR"
is "scheduler SCHED_BATCH: the policy" SCHED_BATCH "$(kv sched-policy "$OUT")"
is "scheduler: nice 7 (getpriority)" 7 "$(kv nice "$OUT")"
is "scheduler: SCHED_FLAG_RESET_ON_FORK kept" 0x1 "$(kv sched-flags "$OUT")"
config "$STAT" ', "scheduler": { "policy": "SCHED_BATCH", "nice": 7 }'
hrun --oci "$B"
is "scheduler: /proc/self/stat nice (19) and policy (41: SCHED_BATCH=3)" "0 7 3" \
  "$RC $(stat_field 19) $(stat_field 41)"
config "$STAT" ', "scheduler": { "policy": "SCHED_IDLE" }'
hrun --oci "$B"
is "scheduler SCHED_IDLE: /proc/self/stat policy 5" "0 5" "$RC $(stat_field 41)"
config "$STAT"
hrun --oci "$B"
is "without process.scheduler: SCHED_OTHER, the caller's nice (control)" \
  "0 $(awk '{ print $19 }' /proc/self/stat) 0" "$RC $(stat_field 19) $(stat_field 41)"
config "$STAT" ', "scheduler": { "policy": "SCHED_FIFO", "priority": 10 }'
hrun --oci "$B"
if is_root; then
  is "scheduler SCHED_FIFO 10 as root: rt_priority (40) and policy (41)" "0 10 1" \
    "$RC $(stat_field 40) $(stat_field 41)"
else
  is "scheduler SCHED_FIFO as a user: exit 1" 1 "$RC"
  is "scheduler SCHED_FIFO as a user: one error naming the path, and a hint" \
    'husk: process.scheduler: sched_setattr: Operation not permitted
husk: hint: SCHED_FIFO, SCHED_RR, SCHED_DEADLINE and a nice value below the current one need CAP_SYS_NICE in the initial user namespace: run husk as root, without a "user" namespace' "$ERR"
fi
config "$SCHED" ', "scheduler": { "policy": "SCHED_RR", "priority": 3 }'
hrun --oci "$B"
if is_root; then
  is "scheduler SCHED_RR 3 as root" "0 SCHED_RR 3" "$RC $(kv sched-policy "$OUT") $(kv sched-priority "$OUT")"
else
  is "scheduler SCHED_RR as a user: exit 1" 1 "$RC"
fi
config "$SCHED" ', "scheduler": { "policy": "SCHED_OTHER", "nice": -5 }'
hrun --oci "$B"
if is_root; then
  is "scheduler nice -5 as root" "0 -5" "$RC $(kv nice "$OUT")"
else
  like "scheduler nice -5 as a user: refused, naming the path" \
    '^husk: process.scheduler: sched_setattr: Operation not permitted' "$ERR"
fi
config "$SCHED" ', "scheduler": { "policy": "SCHED_DEADLINE", "runtime": 1000000, "deadline": 10000000, "period": 10000000 }'
hrun --oci "$B"
if is_root; then
  is "scheduler SCHED_DEADLINE as root: policy and runtime" "0 SCHED_DEADLINE 1000000 10000000" \
    "$RC $(kv sched-policy "$OUT") $(kv sched-runtime "$OUT") $(kv sched-period "$OUT")"
else
  is "scheduler SCHED_DEADLINE as a user: exit 1" 1 "$RC"
fi
config "$SCHED" ', "scheduler": { "policy": "SCHED_FOO" }'
hrun --oci "$B"
is "scheduler: an unknown policy is one line naming the path" \
  '1 husk: process.scheduler.policy: unknown policy "SCHED_FOO"' "$RC $ERR"

# 2. process.ioPriority.
config "$SCHED" ', "ioPriority": { "class": "IOPRIO_CLASS_BE", "priority": 3 }'
hrun --oci "$B"
is "ioPriority BE 3: read back with ioprio_get" "0 IOPRIO_CLASS_BE 3" "$RC $(kv ioprio "$OUT")"
config "$SCHED" ', "ioPriority": { "class": "IOPRIO_CLASS_IDLE", "priority": 7 }'
hrun --oci "$B"
is "ioPriority IDLE: read back" "0 IOPRIO_CLASS_IDLE" "$RC $(kv ioprio "$OUT" | cut -d' ' -f1)"
config "$SCHED"
hrun --oci "$B"
is "without ioPriority: none set (control)" "0 IOPRIO_CLASS_NONE 0" "$RC $(kv ioprio "$OUT")"
config "$SCHED" ', "ioPriority": { "class": "IOPRIO_CLASS_RT", "priority": 2 }'
hrun --oci "$B"
if is_root; then
  is "ioPriority RT 2 as root" "0 IOPRIO_CLASS_RT 2" "$RC $(kv ioprio "$OUT")"
else
  is "ioPriority RT as a user: exit 1" 1 "$RC"
  like "ioPriority RT as a user: an error naming the path" \
    '^husk: process.ioPriority: ioprio_set: Operation not permitted' "$ERR"
fi

# 3. process.execCPUAffinity.
online=$(cat /sys/devices/system/cpu/online)
mine=$("$P" sched | sed -n 's/^cpus=//p')
status_cpus () { printf '%s\n' "$OUT" | sed -n 's/^Cpus_allowed_list:[[:space:]]*//p'; }
if [ "$mine" != "${mine#0-}" ] && [ "$mine" != 0 ]; then
  config '"/bin/probe", "read", "/proc/self/status"' ', "execCPUAffinity": { "initial": "0", "final": "1" }'
  hrun --oci "$B"
  is "execCPUAffinity final 1: Cpus_allowed_list" "0 1" "$RC $(status_cpus)"
  config '"/bin/probe", "read", "/proc/self/status"' ', "execCPUAffinity": { "initial": "1" }'
  hrun --oci "$B"
  is "execCPUAffinity initial only: the program gets the default back" "0 $mine" "$RC $(status_cpus)"
  if command -v taskset >/dev/null; then
    taskset -c 0 "$HUSK" --oci "$B" >"$TEST_TMP/o" 2>"$TEST_TMP/e" </dev/null; RC=$?
    OUT=$(cat "$TEST_TMP/o")
    is "execCPUAffinity initial only, husk under taskset -c 0: the caller's affinity" "0 0" \
      "$RC $(status_cpus)"
  else
    skip "execCPUAffinity under taskset" "no taskset"
  fi
else
  skip "execCPUAffinity final" "needs CPUs 0 and 1 (online: $online, allowed: $mine)"
  skip "execCPUAffinity initial only" "needs CPUs 0 and 1"
  skip "execCPUAffinity under taskset" "needs CPUs 0 and 1"
fi
config "$SCHED" ', "execCPUAffinity": { "initial": "1023" }'
hrun --oci "$B"
is "execCPUAffinity initial: applied (an offline CPU fails, naming the path)" \
  '1 husk: process.execCPUAffinity.initial: sched_setaffinity: Invalid argument' \
  "$RC $(printf '%s\n' "$ERR" | head -n1)"
config "$SCHED" ', "execCPUAffinity": { "final": "0-" }'
hrun --oci "$B"
is "execCPUAffinity: a bad list is one line naming the path" \
  '1 husk: process.execCPUAffinity.final: invalid CPU list "0-" (numbers below 1024 and ranges such as "0-3,7")' \
  "$RC $ERR"

# 4. linux.personality.flags: the runtime-spec defines none.
config "$SCHED" "" ', "personality": { "domain": "LINUX", "flags": [ "ADDR_NO_RANDOMIZE" ] }'
hrun --oci "$B"
is "personality.flags: refused, naming the element" \
  '1 husk: linux.personality.flags[0]: unknown flag "ADDR_NO_RANDOMIZE" (the runtime-spec defines none)' \
  "$RC $ERR"

# 5. linux.memoryPolicy.
if [ -e /sys/devices/system/node/node0 ]; then
  config "$SCHED" "" ', "memoryPolicy": { "mode": "MPOL_BIND", "nodes": "0" }'
  hrun --oci "$B"
  is "memoryPolicy BIND 0: get_mempolicy" "0 MPOL_BIND flags=0x0 0" \
    "$RC $(kv mempolicy "$OUT") $(kv mempolicy-nodes "$OUT")"
  config '"/bin/probe", "read", "/proc/self/numa_maps"' "" \
    ', "memoryPolicy": { "mode": "MPOL_INTERLEAVE", "nodes": "0", "flags": [ "MPOL_F_STATIC_NODES" ] }'
  hrun --oci "$B"
  like "memoryPolicy INTERLEAVE static: /proc/self/numa_maps" ' interleave=static:0 ' "$RC $OUT"
  config "$SCHED"
  hrun --oci "$B"
  is "without memoryPolicy: MPOL_DEFAULT (control)" "0 MPOL_DEFAULT flags=0x0" "$RC $(kv mempolicy "$OUT")"
  if [ ! -e /sys/devices/system/node/node1 ]; then
    config "$SCHED" "" ', "memoryPolicy": { "mode": "MPOL_BIND", "nodes": "1" }'
    hrun --oci "$B"
    is "memoryPolicy on a missing node: refused, naming the path" \
      '1 husk: linux.memoryPolicy: set_mempolicy: Invalid argument' "$RC $(printf '%s\n' "$ERR" | head -n1)"
  else
    skip "memoryPolicy on a missing node" "node 1 exists"
  fi
else
  for d in BIND INTERLEAVE control "missing node"; do
    skip "memoryPolicy $d" "no NUMA support (/sys/devices/system/node)"
  done
fi

# 6. process.apparmorProfile.
config "$SCHED" ', "apparmorProfile": "husk-test"'
hrun --oci "$B"
if [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" != Y ]; then
  like "apparmorProfile without AppArmor: one line naming the path" \
    '^1 husk: process.apparmorProfile: (AppArmor is not enabled on this system|this husk was built without AppArmor support)$' \
    "$RC $ERR"
else
  skip "apparmorProfile without AppArmor" "AppArmor is enabled here (enforcement is not tested)"
fi

# 7. linux.intelRdt.
config "$SCHED" "" ', "intelRdt": { "closID": "husk-test", "l3CacheSchema": "L3:0=f" }'
hrun --oci "$B"
if [ "$(stat -f -c %t /sys/fs/resctrl 2>/dev/null)" != 7655821 ]; then
  is "intelRdt without resctrl: one line naming the path" \
    '1 husk: linux.intelRdt: resctrl is not mounted at /sys/fs/resctrl (no Intel RDT or AMD QoS here)' "$RC $ERR"
else
  is "intelRdt with resctrl: refused, naming the path" \
    '1 husk: linux.intelRdt: not supported yet (resctrl is mounted, but husk does not make resource control groups)' "$RC $ERR"
fi

# 8. linux.netDevices.
if is_root && command -v ip >/dev/null && command -v unshare >/dev/null; then
  config '"/bin/probe", "net"' "" ', "netDevices": { "hv0": { "name": "eth7" } }'
  # In a network namespace of the test's own: a veth pair hv0/hv1, hv0
  # moved into the container as eth7.  When the container's namespace
  # goes, the kernel destroys the veth pair (both ends); a physical
  # device would return to the initial namespace.  The namespace is
  # cleaned up asynchronously: wait for hv1 to go.
  unshare --net sh -c '
    ip link add hv0 type veth peer name hv1 || exit 99
    "$1" --oci "$2" >"$3/nd.out" 2>"$3/nd.err" </dev/null; echo $? >"$3/nd.rc"
    ip -o link show | cut -d: -f2 | tr -d " " >"$3/nd.before"
    i=0; while ip link show hv1 >/dev/null 2>&1 && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    ip -o link show | cut -d: -f2 | tr -d " " >"$3/nd.after"
  ' sh "$HUSK" "$B" "$TEST_TMP"
  if [ -f "$TEST_TMP/nd.rc" ]; then
    is "netDevices: exit 0, no message" "0 " "$(cat "$TEST_TMP/nd.rc") $(cat "$TEST_TMP/nd.err")"
    is "netDevices: hv0 is eth7 inside (beside lo)" "if=eth7
if=lo" "$(grep '^if=' "$TEST_TMP/nd.out")"
    unlike "netDevices: hv0 left the test's namespace" '^hv0' "$(cat "$TEST_TMP/nd.before")"
    is "netDevices: the veth pair is gone after the container" "lo" "$(cat "$TEST_TMP/nd.after")"
  else
    for d in "exit 0" "inside" "left" "gone after"; do skip "netDevices: $d" "cannot make a veth pair"; done
  fi
  config '"/bin/probe", "net"' "" ', "netDevices": { "lo": {} }'
  hrun --oci "$B"
  like "netDevices: lo cannot move (EINVAL), naming the path" \
    '^1 husk: linux.netDevices.lo: moving "lo" into the sandbox as "lo": Invalid argument' "$RC $ERR"
  config '"/bin/probe", "net"' "" ', "netDevices": { "husk-nodev0": {} }'
  hrun --oci "$B"
  is "netDevices: a missing interface, naming the path" \
    '1 husk: linux.netDevices.husk-nodev0: no interface "husk-nodev0" in husk'"'"'s network namespace: No such device' \
    "$RC $ERR"
elif ! is_root; then
  config '"/bin/probe", "net"' "" ', "netDevices": { "lo": { "name": "eth7" } }'
  hrun --oci "$B"
  is "netDevices as a user: refused (CAP_NET_ADMIN), naming the path" \
    '1 husk: linux.netDevices.lo: moving "lo" into the sandbox as "eth7": Operation not permitted
husk: hint: moving a network interface needs CAP_NET_ADMIN over husk'"'"'s network namespace and the sandbox'"'"'s: run husk as root' \
    "$RC $ERR"
else
  skip "netDevices" "needs ip(8) (iproute2) and unshare(1)"
fi
config '"/bin/probe", "net"' "" ', "netDevices": { "lo": {} }' '{ "type": "pid" }, { "type": "mount" }'
hrun --oci "$B"
is "netDevices without a network namespace: refused, naming the path" \
  '1 husk: linux.netDevices: requires a new network namespace (linux.namespaces type "network" without a path)' \
  "$RC $ERR"

assert_nothing_left "after every container" "$B/rootfs"
done_testing
