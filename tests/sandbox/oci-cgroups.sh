#!/bin/bash
# husk-test: serial (cgroups under husk's own are made and checked to be gone)
# oci-cgroups.sh: linux.resources and linux.cgroupsPath (cgroup v2) in real
# containers.  What runs depends on the host and on who runs the test:
#   - where husk may create cgroups (root, or a delegated subtree): the
#     container runs in the cgroup cgroupsPath names (absolute: from the
#     cgroup2 mount; relative: from husk's own cgroup), as its own
#     /proc/self/cgroup says; the limits are read from the host while it
#     runs (hugepageLimits and unified hugetlb.* wherever the hugetlb
#     controller is there, memory.limit where the memory controller is, else
#     the clear error naming the JSON path); the cgroups husk made are gone
#     afterwards, a pre-existing one is kept, and one holding processes is
#     refused;
#   - where it may not (an unprivileged user without delegation): one
#     warning naming linux.resources (or linux.cgroupsPath), and the
#     container runs, in husk's own cgroup.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"
need_probe

need_busybox
v2=$(awk '{ for (i = 1; i <= NF; i++) if ($i == "-") { if ($(i+1) == "cgroup2") print $5; break } }' \
     /proc/self/mountinfo | head -n1)
self=$(sed -n 's/^0:://p' /proc/self/cgroup)
if [ -z "$v2" ] || [ -z "$self" ]; then
  skip "${0##*/}" "no cgroup v2 hierarchy"
  done_testing
  exit
fi
own=$v2${self%/}
diag "cgroup v2 at $v2, husk's cgroup $own ($(cat "$own/cgroup.controllers" 2>/dev/null))"

B=$TEST_TMP/bundle
S=$TEST_TMP/shared
oci_bundle "$B" sh cat sed sleep touch
mkdir -p "$B/rootfs/shared" "$S"

# The container writes its cgroup (the 0:: line) to /shared/cg, then waits
# for /shared/go: the host reads the cgroup's files meanwhile.
WAIT='sed -n "s/^0:://p" /proc/self/cgroup > /shared/cg.tmp && mv /shared/cg.tmp /shared/cg; i=0; while [ ! -e /shared/go ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; echo done'

# config RESOURCES-JSON [CGROUPS-PATH-JSON] [NAMESPACES]
config ()
{
  local res=$1 path=${2:-} ns=${3:-'{ "type": "pid" }, { "type": "mount" }'} cp=
  [ -n "$path" ] && cp="\"cgroupsPath\": $path,"
  cat > "$B/config.json" <<JSON
{
  "ociVersion": "1.2.0",
  "process": {
    "user": { "uid": 0, "gid": 0 },
    "args": [ "/bin/sh", "-c", $(printf '%s' "$WAIT" | sed 's/\\/\\\\/g; s/"/\\"/g; s/^/"/; s/$/"/') ],
    "env": [ "PATH=/bin" ],
    "cwd": "/"
  },
  "root": { "path": "rootfs" },
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs" },
    { "destination": "/shared", "type": "bind", "source": "$S", "options": [ "rbind", "rw" ] }
  ],
  "linux": {
    $cp
    "namespaces": [ $ns ],
    "resources": $res
  }
}
JSON
}

# start: run the container in the background until it reported its
# cgroup (CG, the 0:: line); finish: let it end, RC OUT ERR as hrun's.
start () { oci_bg_start "$B" "$S"; }
finish () { oci_bg_finish "$S"; }

has_ctl () { grep -qw "$2" "$1/cgroup.controllers" 2>/dev/null; }
HUGE=
[ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] && has_ctl "$own" hugetlb && HUGE=1
GB=
[ -d /sys/kernel/mm/hugepages/hugepages-1048576kB ] && GB=1
base=husk-oci-cg-$$

mounts_snapshot

# 1. Without the right to create cgroups: a warning, and the container runs.
if [ ! -w "$v2" ]; then
  config '{ "pids": { "limit": 64 }, "hugepageLimits": [ { "pageSize": "2MB", "limit": 4194304 } ] }' \
    "\"/$base/c\""
  start; finish
  is "no rights over the cgroup2 mount: the container runs" "0 done" "$RC $OUT"
  like "and one warning names linux.resources and the cause" \
    '^husk: warning: linux\.resources: not applied, the container runs without a cgroup of its own \(linux\.cgroupsPath: cannot create cgroup .*: Permission denied\)$' "$ERR"
  is "only that warning" 1 "$(printf '%s\n' "$ERR" | wc -l)"
  is "the container stays in husk's own cgroup" "$self" "$CG"
  is "no cgroup was made" "" "$(ls -d "$v2/$base" 2>/dev/null)"
  config '{ }' "\"/$base/c\""
  start; finish
  like "cgroupsPath alone: the warning names linux.cgroupsPath" \
    '^husk: warning: linux\.cgroupsPath: not applied' "$ERR"
  is "cgroupsPath alone: the container runs" "0 done" "$RC $OUT"
fi
if [ ! -w "$own" ]; then
  config '{ "pids": { "limit": 64 } }'
  start; finish
  is "no rights over husk's cgroup: the container runs" "0 done" "$RC $OUT"
  like "and the warning says why" \
    '^husk: warning: linux\.resources: not applied, .*cgroup limits: cannot create cgroup .*: Permission denied\)$' "$ERR"
fi

# 2. An absolute cgroupsPath: created (two levels), used, removed.
if [ -w "$v2" ]; then
  if [ -n "$HUGE" ]; then
    uni=
    [ -n "$GB" ] && uni=', "unified": { "hugetlb.1GB.max": "1073741824" }'
    config "{ \"hugepageLimits\": [ { \"pageSize\": \"2MB\", \"limit\": 4194304 } ]$uni }" \
      "\"/$base/c\""
    start
    is "cgroupsPath /$base/c: the container runs in it" "/$base/c" "$CG"
    is "hugepageLimits: hugetlb.2MB.max from the host" 4194304 \
      "$(cat "$v2/$base/c/hugetlb.2MB.max" 2>&1)"
    if [ -e "$v2/$base/c/hugetlb.2MB.rsvd.max" ]; then
      is "hugepageLimits: hugetlb.2MB.rsvd.max (reservations) too" 4194304 \
        "$(cat "$v2/$base/c/hugetlb.2MB.rsvd.max")"
    else
      skip "hugepageLimits: hugetlb.2MB.rsvd.max" "no hugetlb reservation accounting"
    fi
    if [ -n "$GB" ]; then
      is "unified hugetlb.1GB.max from the host" 1073741824 "$(cat "$v2/$base/c/hugetlb.1GB.max" 2>&1)"
    else
      skip "unified hugetlb.1GB.max" "no 1 GB huge pages"
    fi
    finish
    is "the container ends normally" "0 done" "$RC $OUT"
    is "no message" "" "$ERR"
  else
    config '{ }' "\"/$base/c\""
    start
    is "cgroupsPath /$base/c: the container runs in it" "/$base/c" "$CG"
    finish
    is "the container ends normally" "0 done" "$RC $OUT"
    skip "hugepageLimits" "no hugetlb controller or 2 MB pages in $own"
  fi
  is "the cgroups husk made are removed" "" "$(ls -d "$v2/$base" 2>/dev/null)"

  # With a cgroup namespace, the container's cgroup is its root.
  config '{ }' "\"/$base/c\"" '{ "type": "pid" }, { "type": "mount" }, { "type": "cgroup" }'
  start; finish
  is "with a cgroup namespace it is rooted at cgroupsPath" "0 done /" "$RC $OUT $CG"

  # A pre-existing cgroup is used and kept; one holding processes is refused.
  mkdir "$v2/$base"
  config '{ }' "\"/$base\""
  start; finish
  is "a pre-existing cgroup: the container runs in it" "0 done /$base" "$RC $OUT $CG"
  ok "a pre-existing cgroup is kept" test -d "$v2/$base"
  sleep 30 </dev/null >/dev/null 2>&1 &
  spid=$!
  echo "$spid" > "$v2/$base/cgroup.procs"
  hrun --oci "$B"
  is "a cgroup holding processes: exit status 1" 1 "$RC"
  like "and the error names linux.cgroupsPath" \
    "^husk: linux\.cgroupsPath: cgroup $v2/$base already holds processes\$" "$ERR"
  ok "the process in it was left alone" kill -0 "$spid"
  kill "$spid"; wait "$spid" 2>/dev/null
  if has_ctl "$v2/$base" hugetlb; then
    mkdir "$v2/$base/child"
    echo +hugetlb > "$v2/$base/cgroup.subtree_control"
    hrun --oci "$B"
    is "a cgroup enabling controllers for its children: exit status 1" 1 "$RC"
    like "and the error says why (no internal processes)" \
      "^husk: linux\.cgroupsPath: cgroup $v2/$base enables controllers for its children \(hugetlb in cgroup\.subtree_control\)" "$ERR"
    ok "and it is kept" test -d "$v2/$base/child"
    rmdir "$v2/$base/child"
  else
    skip "a cgroup enabling controllers for its children" "no controller in $v2/$base"
  fi
  rmdir "$v2/$base"
else
  skip "absolute cgroupsPath" "$v2 is not writable"
fi

# 3. A relative cgroupsPath (from husk's cgroup), and the default.
if [ -w "$own" ]; then
  config '{ }' "\"$base/r\""
  start; finish
  is "relative cgroupsPath: below husk's own cgroup" "0 done ${self%/}/$base/r" "$RC $OUT $CG"
  is "and removed" "" "$(ls -d "$own/$base" 2>/dev/null)"
  config '{ "pids": { "limit": -1 } }'
  start; finish
  like "resources without cgroupsPath: a husk-PID cgroup of husk's own" \
    "^0 done ${self%/}/husk-[0-9]+\$" "$RC $OUT $CG"
  is "and removed" "" "$(ls -d "$own"/husk-* 2>/dev/null)"

  # 4. memory.limit: for real with the memory controller, else the error.
  config '{ "memory": { "limit": 67108864 } }' "\"$base/m\""
  if has_ctl "$own" memory; then
    start
    is "memory.limit: memory.max from the host" 67108864 "$(cat "$own/$base/m/memory.max" 2>&1)"
    finish
    is "memory.limit: the container ends normally" "0 done" "$RC $OUT"
  else
    hrun --oci "$B"
    is "memory.limit without the memory controller: exit status 1" 1 "$RC"
    like "and the error names the JSON path and the controller" \
      "^husk: linux\.resources\.memory\.limit: the memory controller is not available in cgroup $own" "$ERR"
    if grep -q '^[0-9]*:memory:' /proc/self/cgroup; then
      like "and hints at the v1 hierarchy holding it" "hybrid cgroups: memory is bound to a cgroup v1" "$ERR"
    fi
  fi
  is "memory.limit: nothing left behind" "" "$(ls -d "$own/$base" 2>/dev/null)"

  # 5. A file the kernel lacks: the error names the unified key.
  config '{ "unified": { "hugetlb.3MB.max": "1" } }' "\"$base/u\""
  hrun --oci "$B"
  is "unified file the kernel lacks: exit status 1" 1 "$RC"
  if has_ctl "$own" hugetlb; then
    like "and the error names the key" \
      "^husk: linux\.resources\.unified\.hugetlb\.3MB\.max: cannot write \"1\" to .*/hugetlb\.3MB\.max: No such file or directory" "$ERR"
  else
    like "and the error names the key" "^husk: linux\.resources\.unified\.hugetlb\.3MB\.max: " "$ERR"
  fi
  is "nothing left behind" "" "$(ls -d "$own/$base" 2>/dev/null)"
else
  skip "relative cgroupsPath, memory.limit, unified errors" "$own is not writable"
fi

# 6. --print-oci exports the flags' limits as linux.resources, and the
# exported config runs in a cgroup of its own as the flags do.
X=$TEST_TMP/export
mkdir -p "$X/rootfs"
hrun --print-oci --ro-bind / / --proc /proc --memory-max max --pids-max 100 --cpu-max 50000/200000 \
  --io-weight 300 -- sh -c 'sed -n "s/^0:://p" /proc/self/cgroup'
printf '%s\n' "$OUT" > "$X/config.json"
hrun --print-plan --oci "$X"
is "--print-oci: the limits read back as the same cgroup writes" \
  'cgroup-write memory.max "max"  # linux.resources.memory.limit
cgroup-write cpu.max "50000 200000"  # linux.resources.cpu.quota
cgroup-write pids.max "100"  # linux.resources.pids.limit
cgroup-write io.weight "default 300"  # linux.resources.unified.io.weight' \
  "$(printf '%s\n' "$OUT" | grep '^cgroup-write')"
if [ -w "$own" ]; then
  hrun --print-oci --ro-bind / / --proc /proc --memory-max max --pids-max max -- \
    sh -c 'sed -n "s/^0:://p" /proc/self/cgroup'
  printf '%s\n' "$OUT" > "$X/config.json"
  hrun --oci "$X"
  like "the exported limits (max): the container gets a cgroup of its own" \
    "^0 ${self%/}/husk-[0-9]+\$" "$RC $OUT"
fi

assert_nothing_left "oci cgroups"
done_testing
