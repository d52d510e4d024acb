#!/bin/bash
# oci2.sh: the OCI fields issue 5 added after the first cut, in real
# containers: process.rlimits (a config in `runc spec`'s default shape runs),
# linux.seccomp, linux.namespaces[].path and the time namespace with
# linux.timeOffsets, process.terminal with consoleSize (a pty relayed to
# husk's stdio, with husk on a tty and on a pipe), linux.sysctl, domainname,
# process.user.umask and additionalGids, process.oomScoreAdj and
# linux.personality; and their errors, one line naming the JSON path.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"
need_probe

B=$TEST_TMP/bundle
oci_bundle "$B" sh tty cat
mkdir -p "$B/rootfs/sys" "$B/rootfs/tmp"

# config ARGS-JSON [PROCESS-EXTRA] [LINUX-EXTRA] [TOP-EXTRA] [NAMESPACES]
# writes $B/config.json in the shape `runc spec` gives (terminal off).
config ()
{
  local args=$1 proc=${2:-} lx=${3:-} top=${4:-}
  local ns=${5:-'{ "type": "pid" }, { "type": "network" }, { "type": "ipc" }, { "type": "uts" }, { "type": "mount" }'}
  cat > "$B/config.json" <<JSON
{
  "ociVersion": "1.0.2-dev",
  "process": {
    "terminal": false,
    "user": { "uid": 0, "gid": 0 },
    "args": [ $args ],
    "env": [ "PATH=/bin", "TERM=xterm" ],
    "cwd": "/",
    "capabilities": {
      "bounding": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
      "effective": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
      "permitted": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
      "ambient": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ]
    },
    "rlimits": [ { "type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024 } ],
    "noNewPrivileges": true$proc
  },
  "root": { "path": "rootfs", "readonly": true },
  "hostname": "runc"$top,
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
      "options": [ "nosuid", "strictatime", "mode=755", "size=65536k" ] },
    { "destination": "/dev/pts", "type": "devpts", "source": "devpts",
      "options": [ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" ] },
    { "destination": "/dev/shm", "type": "tmpfs", "source": "shm",
      "options": [ "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" ] },
    { "destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
      "options": [ "nosuid", "noexec", "nodev" ] },
    { "destination": "/sys", "type": "sysfs", "source": "sysfs",
      "options": [ "nosuid", "noexec", "nodev", "ro" ] },
    { "destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": [ "mode=1777" ] }
  ],
  "linux": {
    "resources": { "devices": [ { "allow": false, "access": "rwm" } ] },
    "namespaces": [ $ns ],
    "maskedPaths": [ "/proc/kcore", "/proc/keys", "/sys/firmware" ],
    "readonlyPaths": [ "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger" ]$lx
  }
}
JSON
}
# The device rule is enforced where husk may make a cgroup (root), else
# one warning says the cgroup (and so the rule) is not applied.
# (mounts[1]'s "strictatime" is honoured: no warning.)
WARN=
[ "$(id -u)" = 0 ] || WARN="husk: warning: linux.resources: not applied, the container runs without a cgroup of its own (cgroup limits: cannot create cgroup @CG@: Permission denied)"

mounts_snapshot

# 1. rlimits: runc spec's default shape loads and runs.
config '"/bin/probe", "read", "/proc/self/limits"'
hrun --oci "$B"
is "runc-spec-shaped config: exit 0" 0 "$RC"
is "runc-spec-shaped config: only the expected warnings" "$WARN" \
  "$(printf '%s\n' "$ERR" | sed 's|cannot create cgroup /[^:]*/husk-[0-9]*:|cannot create cgroup @CG@:|')"
like "process.rlimits: RLIMIT_NOFILE 1024/1024 inside" 'Max open files +1024 +1024 ' "$OUT"
config '"/bin/probe", "ids"' ', "rlimits": [ { "type": "RLIMIT_NOPE", "hard": 1, "soft": 1 } ]'
sed -i '0,/"rlimits": \[ { "type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024 } \],/s///' "$B/config.json"
hrun --oci "$B"
is "bad rlimit type: one line naming the path" \
  'husk: process.rlimits[0].type: unknown resource limit "RLIMIT_NOPE"' "$ERR"
is "bad rlimit type: exit 1" 1 "$RC"

# 2. seccomp.
SC=', "seccomp": { "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
  { "names": [ "mkdir", "mkdirat" ], "action": "SCMP_ACT_ERRNO", "errnoRet": 1 } ] }'
config '"/bin/probe", "mkdir", "/tmp/d"' "" "$SC"
hrun --oci "$B"
is "linux.seccomp: mkdir fails with EPERM" "0 EPERM" "$RC $OUT"
config '"/bin/probe", "mkdir", "/tmp/d"'
hrun --oci "$B"
is "without it mkdir works (control)" "0 ok" "$RC $OUT"
config '"/bin/probe", "mkdir", "/tmp/d"' "" "${SC/SCMP_ACT_ERRNO/SCMP_ACT_FOO}"
hrun --oci "$B"
is "bad seccomp action: one line naming the path" \
  'husk: linux.seccomp.syscalls[0].action: unknown action "SCMP_ACT_FOO"' "$ERR"

# 2b. Integers above 2^63-1 (jansson's limit): RLIM_INFINITY as
# 18446744073709551615, the way real configs write it, and a seccomp
# argument value of 2^64-1 (lseek's 64-bit offset -1; stdin is /dev/null,
# where any offset works).
RL='"rlimits": [ { "type": "RLIMIT_CORE", "hard": 18446744073709551615, "soft": 18446744073709551615 },
  { "type": "RLIMIT_STACK", "hard": 18446744073709551615, "soft": 18446744073709551615 } ]'
config '"/bin/probe", "read", "/proc/self/limits"'
sed -i "s/\"rlimits\": \[ { \"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024 } \]/${RL//$'\n'/ }/" "$B/config.json"
hrun --oci "$B"
if is_root || [ "$(ulimit -Hc)/$(ulimit -Hs)" = unlimited/unlimited ]; then
  is "rlimits of 2^64-1: exit 0" 0 "$RC"
  like "RLIMIT_CORE 18446744073709551615: unlimited inside (the test's soft limit is $(ulimit -Sc))" \
    'Max core file size +unlimited +unlimited ' "$OUT"
  like "RLIMIT_STACK 18446744073709551615: unlimited inside" \
    'Max stack size +unlimited +unlimited ' "$OUT"
else
  skip "rlimits of 2^64-1" "our own core or stack hard limit is finite"
fi
sed -i '0,/"soft": 18446744073709551615 }/s//"soft": 18446744073709551616 }/' "$B/config.json"
hrun --oci "$B"
is "an rlimit above 2^64-1: one line naming the path" \
  'husk: process.rlimits[0].soft: a number above 18446744073709551615 is out of range (0..18446744073709551615)' "$ERR"
is "an rlimit above 2^64-1: exit 1" 1 "$RC"
SC64=', "seccomp": { "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
  { "names": [ "lseek" ], "action": "SCMP_ACT_ERRNO", "errnoRet": 122,
    "args": [ { "index": 1, "value": 18446744073709551615, "op": "SCMP_CMP_EQ" } ] } ] }'
config '"/bin/probe", "lseek", "18446744073709551615"' "" "$SC64"
hrun --oci "$B"
is "seccomp arg value 2^64-1: lseek(0, -1, SEEK_CUR) gets errnoRet" "0 EDQUOT" "$RC $OUT"
config '"/bin/probe", "lseek", "18446744073709551614"' "" "$SC64"
hrun --oci "$B"
is "... and lseek(0, -2, SEEK_CUR) does not match it (stdin is /dev/null)" "0 ok" "$RC $OUT"

# 3. namespaces[].path and the time namespace.
sleep 60 </dev/null >/dev/null 2>&1 &
spid=$!
if is_root; then
  unshare --net sleep 60 </dev/null >/dev/null 2>&1 &
  npid=$!
  wait_exec "$npid" sleep
  config '"/bin/probe", "ns"' "" "" "" \
    "{ \"type\": \"pid\" }, { \"type\": \"network\", \"path\": \"/proc/$npid/ns/net\" }, { \"type\": \"mount\" }, { \"type\": \"uts\" }"
  hrun --oci "$B"
  is "namespaces[].path: joins the sleeping process's net namespace" \
    "0 $(stat -Lc %i /proc/$npid/ns/net)" "$RC $(kv net "$OUT")"
  kill "$npid" 2>/dev/null
else
  config '"/bin/probe", "ns"' "" "" "" \
    "{ \"type\": \"pid\" }, { \"type\": \"network\", \"path\": \"/proc/$spid/ns/net\" }, { \"type\": \"mount\" }, { \"type\": \"uts\" }"
  hrun --oci "$B"
  if [ "$RC" = 0 ]; then
    is "namespaces[].path: joins a net namespace (husk's own, which needs no rights)" \
      "$(stat -Lc %i /proc/$spid/ns/net)" "$(kv net "$OUT")"
  else
    like "namespaces[].path without rights over it: names the path" \
      'husk: linux.namespaces\[1\]\.path.*setns' "$ERR"
  fi
fi
kill "$spid" 2>/dev/null
config '"/bin/probe", "read", "/proc/self/timens_offsets"' "" \
  ', "timeOffsets": { "monotonic": { "secs": 86400, "nanosecs": 0 } }' "" \
  '{ "type": "pid" }, { "type": "mount" }, { "type": "uts" }, { "type": "ipc" }, { "type": "time" }'
hrun --oci "$B"
if [ -e /proc/self/timens_offsets ]; then
  is "time namespace with linux.timeOffsets" "monotonic 86400 0" \
    "$(printf '%s\n' "$OUT" | tr -s ' ' | grep '^monotonic')"
else
  skip "time namespace with linux.timeOffsets" "no time namespaces in this kernel"
fi

# 4. terminal.
if [ -n "$BB" ] && command -v script >/dev/null; then
  config '"sh", "-c", "tty; stty size; echo out; exit 3"' \
    ', "consoleSize": { "height": 30, "width": 99 }'
  sed -i 's/"terminal": false/"terminal": true/' "$B/config.json"
  echo input | "$HUSK" --oci "$B" >"$TEST_TMP/tout" 2>/dev/null; RC=$?
  OUT=$(tr -d '\r' <"$TEST_TMP/tout")
  is "terminal, stdin a pipe: exit status exact" 3 "$RC"
  has_line "terminal, stdin a pipe: tty names a /dev/pts path" "/dev/pts/0" "$OUT"
  has_line "terminal: consoleSize sets the window size" "30 99" "$OUT"
  has_line "terminal, stdin a pipe: output arrives" "out" "$OUT"
  script -qec "$HUSK --oci $B 2>/dev/null" /dev/null </dev/null >"$TEST_TMP/tout"; RC=$?
  OUT=$(tr -d '\r' <"$TEST_TMP/tout")
  is "terminal, husk on a tty (script): exit status exact" 3 "$RC"
  has_line "terminal, husk on a tty: tty names a /dev/pts path" "/dev/pts/0" "$OUT"
  has_line "terminal, husk on a tty: output arrives" "out" "$OUT"
else
  for d in "exit status exact" "tty path" "consoleSize" "output" "tty: exit" "tty: tty" "tty: output"; do
    skip "terminal: $d" "needs a static busybox and script(1)"
  done
fi

# 5. sysctl, domainname, umask, additionalGids, oomScoreAdj, personality.
config '"/bin/probe", "read", "/proc/sys/net/ipv4/ip_forward"' "" \
  ', "sysctl": { "net.ipv4.ip_forward": "1" }'
hrun --oci "$B"
is "linux.sysctl: net.ipv4.ip_forward written in the new net namespace" "0 1" "$RC $OUT"
is "... and not on the host" "$(cat /proc/sys/net/ipv4/ip_forward)" \
  "$(cat /proc/sys/net/ipv4/ip_forward)"
config '"/bin/probe", "ids"' "" ', "sysctl": { "kernel.panic": "1" }'
hrun --oci "$B"
is "a sysctl that is not namespaced: one line naming the key" \
  'husk: linux.sysctl.kernel.panic: not a namespaced sysctl (only net.*, kernel.hostname, kernel.domainname, kernel.shm*, kernel.msg*, kernel.sem and fs.mqueue.* are allowed)' "$ERR"
config '"/bin/probe", "read", "/proc/sys/kernel/domainname"' "" "" ', "domainname": "ocidom"'
hrun --oci "$B"
is "domainname" "0 ocidom" "$RC $OUT"
if [ -n "$BB" ]; then
  config '"sh", "-c", "umask"'
  sed -i 's/"uid": 0, "gid": 0/"uid": 0, "gid": 0, "umask": 23/' "$B/config.json"
  hrun --oci "$B"
  is "process.user.umask" "0 0027" "$RC $OUT"
else
  skip "process.user.umask" "needs a static busybox"
fi
config '"/bin/probe", "read", "/proc/self/oom_score_adj"' ', "oomScoreAdj": 500'
hrun --oci "$B"
is "process.oomScoreAdj raised" "0 500" "$RC $OUT"
config '"/bin/probe", "read", "/proc/self/personality"' "" ', "personality": { "domain": "LINUX32" }'
hrun --oci "$B"
is "linux.personality LINUX32" "0 00000008" "$RC $OUT"
config '"/bin/probe", "ids"'
sed -i 's/"uid": 0, "gid": 0/"uid": 0, "gid": 0, "additionalGids": [ 5 ]/' "$B/config.json"
hrun --oci "$B"
if is_root; then
  is "process.user.additionalGids as root: exactly those groups" "0 5" "$RC $(kv groups "$OUT")"
else
  is "additionalGids unprivileged: exit 1" 1 "$RC"
  like "additionalGids unprivileged: an error naming the path" \
    'husk: process.user.additionalGids: setgroups: ' "$ERR"
fi
# Lowering needs CAP_SYS_RESOURCE on the host, which even root may lack
# (a container): expect what this shell itself may do.
config '"/bin/probe", "read", "/proc/self/oom_score_adj"' ', "oomScoreAdj": -500'
hrun --oci "$B"
if sh -c 'echo -500 >/proc/self/oom_score_adj' 2>/dev/null; then
  is "process.oomScoreAdj lowered (allowed here)" "0 -500" "$RC $OUT"
else
  like "process.oomScoreAdj lowered without CAP_SYS_RESOURCE: a clear error" \
    'husk: process.oomScoreAdj: write /proc/self/oom_score_adj: Permission denied' "$ERR"
fi

assert_nothing_left "after every container" "$B/rootfs"
done_testing
