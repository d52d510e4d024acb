#!/bin/bash
# husk-test: serial (cgroups and BPF programs are made and checked to be gone)
# oci-devices-cgroup.sh: linux.resources.devices, the device cgroup (an
# eBPF program attached to the container's cgroup v2), in real containers.
#   - where husk may create cgroups and load BPF programs (root): every
#     rule is enforced, read from inside (an open refused with EPERM, or
#     not): the default devices work under runc spec's deny-all rule, a
#     rule denying /dev/zero or write access to /dev/null holds, the last
#     matching rule wins, each access is decided on its own; the program is
#     attached while the container runs and gone afterwards (with the
#     cgroup husk made; detached from a cgroup that was there before); a
#     delegated cgroup without the privilege to load BPF programs gives one
#     warning and the container runs;
#   - as an unprivileged user without delegation: one warning naming
#     linux.resources, and the container runs.
# A device outside the default ones: the host's /dev/kmsg (c 1:11), bound
# with "dev" and only opened for writing (which writes nothing; reading it
# would need CAP_SYSLOG).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"
need_probe

need_busybox
v2=$(awk '{ for (i = 1; i <= NF; i++) if ($i == "-") { if ($(i+1) == "cgroup2") print $5; break } }' \
     /proc/self/mountinfo | head -n1)
self=$(sed -n 's/^0:://p' /proc/self/cgroup)
if [ ! -c /dev/kmsg ]; then
  skip "${0##*/}" "no /dev/kmsg to bind into the container"
  done_testing
  exit
fi
if [ -z "$v2" ] || [ -z "$self" ]; then
  skip "${0##*/}" "no cgroup v2 hierarchy"
  done_testing
  exit
fi
own=$v2${self%/}

B=$TEST_TMP/bundle
S=$TEST_TMP/shared
oci_bundle "$B" sh cat head sed sleep mv
mkdir -p "$B/rootfs/shared" "$S"
chmod -R a+rX "$TEST_TMP"
chmod a+rwx "$S"

# The container opens devices (the device cgroup decides at open) and
# prints one word per try: ACCESS=ok or ACCESS=no.  Only opens: the
# shell's own redirections to /dev/null would be refused with it.
TRY='try () { if sh -c "$2" 2>&-; then echo "$1=ok"; else echo "$1=no"; fi; }
try zero-r "exec 3</dev/zero"
try zero-w "exec 3>/dev/zero"
try null-r "exec 3</dev/null"
try null-w "exec 3>/dev/null"
try null-rw "exec 3<>/dev/null"
try urandom-r "exec 3</dev/urandom"
try full-w "exec 3>/dev/full"
try kmsg-w "exec 3>/dev/kmsg"'
# With WAIT: report the cgroup (the 0:: line) in /shared/cg, then wait for
# /shared/go, so that the host can look at the cgroup meanwhile.
WAIT='sed -n "s/^0:://p" /proc/self/cgroup > /shared/cg.tmp && mv /shared/cg.tmp /shared/cg; i=0; while [ ! -e /shared/go ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done'

json_str () { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g; s/$/\\n/' | tr -d '\n' | sed 's/^/"/; s/\\n$/"/'; }

# config DEVICES-JSON [SCRIPT] [CGROUPS-PATH-JSON]
config ()
{
  local dev=$1 script=${2:-$TRY} path=${3:-} cp= res=
  [ -n "$path" ] && cp="\"cgroupsPath\": $path,"
  [ -n "$dev" ] && res="\"resources\": { \"devices\": $dev },"
  cat > "$B/config.json" <<JSON
{
  "ociVersion": "1.2.0",
  "process": {
    "user": { "uid": 0, "gid": 0 },
    "args": [ "/bin/sh", "-c", $(json_str "$script") ],
    "env": [ "PATH=/bin" ],
    "cwd": "/"
  },
  "root": { "path": "rootfs" },
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs" },
    { "destination": "/dev/kmsg", "type": "bind", "source": "/dev/kmsg", "options": [ "bind", "dev" ] },
    { "destination": "/shared", "type": "bind", "source": "$S", "options": [ "rbind", "rw" ] }
  ],
  "linux": {
    $cp
    $res
    "namespaces": [ { "type": "pid" }, { "type": "mount" } ]
  }
}
JSON
}

# run: the container's words on one line.
run () { hrun --oci "$B"; OUT=$(printf '%s' "$OUT" | tr '\n' ' '); OUT=${OUT% }; }
start () { oci_bg_start "$B" "$S"; }
finish () { oci_bg_finish "$S"; }
# gone ID: whether the BPF program ID is freed within 5 seconds.
gone ()
{
  for _ in $(seq 50); do
    [ "$("$P" bpf-prog "$1")" = ENOENT ] && return 0
    sleep 0.1
  done
  return 1
}

DENY_ALL='{ "allow": false, "access": "rwm" }'
base=husk-oci-devcg-$$
mounts_snapshot

if [ "$(id -u)" != 0 ]; then
  # Without privileges: the cgroup cannot be made, one warning.
  config "[ $DENY_ALL, { \"allow\": false, \"type\": \"c\", \"major\": 1, \"minor\": 5 } ]"
  run
  is "unprivileged: the container runs" 0 "$RC"
  like "with one warning naming linux.resources" \
    '^husk: warning: linux\.resources: not applied, the container runs without a cgroup of its own \(.*Permission denied\)$' \
    "$ERR"
  is "only that warning" 1 "$(printf '%s\n' "$ERR" | wc -l)"
  is "the rules are not enforced (the denied /dev/zero opens)" \
    "zero-r=ok zero-w=ok null-r=ok null-w=ok null-rw=ok urandom-r=ok full-w=ok" "${OUT% kmsg-w=*}"
  assert_nothing_left "oci devices cgroup"
  done_testing
  exit
fi

# 0. Without rules (the control): every try works, /dev/full included.
config ""
run
ALL="zero-r=ok zero-w=ok null-r=ok null-w=ok null-rw=ok urandom-r=ok full-w=ok"
is "no rules: every device opens" "0 $ALL kmsg-w=ok" "$RC $OUT"

# 1. runc spec's deny-all: the default devices still work, others not.
config "[ $DENY_ALL ]"
run
is "deny-all: the default devices work, /dev/kmsg is refused" "0 $ALL kmsg-w=no" "$RC $OUT"
is "no message" "" "$ERR"
config "[ $DENY_ALL ]" 'exec 3>/dev/kmsg'
run
like "the refusal is EPERM" "can't create /dev/kmsg: Operation not permitted" "$ERR"

# 2. A rule denying one default device (c 1:5, /dev/zero).
config "[ $DENY_ALL, { \"allow\": false, \"type\": \"c\", \"major\": 1, \"minor\": 5, \"access\": \"rwm\" } ]"
run
is "deny c 1:5: /dev/zero is refused, /dev/null works" \
  "0 zero-r=no zero-w=no null-r=ok null-w=ok null-rw=ok urandom-r=ok full-w=ok kmsg-w=no" \
  "$RC $OUT"

# 3. Allow "r" only: reads work, writes (and read-write) are refused.
config "[ $DENY_ALL, { \"allow\": false, \"type\": \"c\", \"major\": 1, \"minor\": 5 }, { \"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 5, \"access\": \"r\" } ]"
run
is "deny c 1:5, allow c 1:5 r: /dev/zero opens for reading only" \
  "0 zero-r=ok zero-w=no null-r=ok null-w=ok null-rw=ok urandom-r=ok full-w=ok kmsg-w=no" \
  "$RC $OUT"
config "[ { \"allow\": false, \"type\": \"c\", \"major\": 1, \"minor\": 3, \"access\": \"w\" } ]"
run
is "deny c 1:3 w: /dev/null reads, refuses writes and read-write" \
  "0 zero-r=ok zero-w=ok null-r=ok null-w=no null-rw=no urandom-r=ok full-w=ok kmsg-w=no" \
  "$RC $OUT"

# 4. The last matching rule wins (for each access).
config "[ { \"allow\": false, \"type\": \"c\", \"major\": 1, \"minor\": 5 }, { \"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 5, \"access\": \"r\" } ]"
run
is "deny then allow c 1:5 r: the allow wins for reads" "0 zero-r=ok zero-w=no" "$RC ${OUT%% null-r*}"
config "[ { \"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 5 }, { \"allow\": false, \"type\": \"c\", \"major\": 1, \"minor\": 5 } ]"
run
is "allow then deny c 1:5: the deny wins" "0 zero-r=no zero-w=no" "$RC ${OUT%% null-r*}"
config "[ { \"allow\": false, \"type\": \"c\", \"major\": 1, \"minor\": 3 }, { \"allow\": true, \"type\": \"c\", \"major\": 1, \"access\": \"w\" }, { \"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 3, \"access\": \"r\" } ]"
run
is "accesses allowed by two rules: /dev/null opens read-write" \
  "0 null-r=ok null-w=ok null-rw=ok" "$RC $(printf '%s\n' $OUT | grep null- | tr '\n' ' ' | sed 's/ $//')"
config "[ { \"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 11 }, { \"allow\": false, \"type\": \"b\" } ]"
run
is "a rule for block devices leaves a character device alone" "0 kmsg-w=ok" "$RC ${OUT##* }"
config "[ { \"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 11 }, { \"allow\": false, \"minor\": 11 } ]"
run
is "type unset means all (a minor alone still matches)" "0 kmsg-w=no" "$RC ${OUT##* }"
config "[ $DENY_ALL, { \"allow\": true, \"access\": \"rwm\" } ]"
run
is "deny-all then allow-all: every device opens" "0 $ALL kmsg-w=ok" "$RC $OUT"

# 5. The program is attached while the container runs, gone afterwards.
if [ -w "$own" ]; then
  config "[ $DENY_ALL ]" "$WAIT"
  start
  ids=$("$P" bpf-query "$v2$CG")
  like "while it runs: one device program on the container's cgroup" '^[0-9]+$' "$ids"
  is "and it exists" ok "$("$P" bpf-prog "$ids")"
  finish
  is "the container ends normally" "0" "$RC"
  is "its cgroup is removed" "" "$(ls -d "$v2$CG" 2>/dev/null)"
  ok "and the program is freed" gone "$ids"
else
  skip "the program's lifetime" "$own is not writable"
fi
if [ -w "$v2" ]; then
  mkdir "$v2/$base"
  config "[ $DENY_ALL ]" "$WAIT" "\"/$base\""
  start
  ids=$("$P" bpf-query "$v2/$base")
  like "a pre-existing cgroupsPath: the program is attached while it runs" '^[0-9]+$' "$ids"
  finish
  is "the container ends normally" "0 /$base" "$RC $CG"
  is "afterwards the cgroup is kept, without the program" "none" "$("$P" bpf-query "$v2/$base")"
  ok "and the program is freed" gone "$ids"
  rmdir "$v2/$base"

  # 6. A cgroup delegated to an unprivileged user, who may not load BPF
  # programs: one warning, the container runs in its cgroup.
  D=$v2/$base-deleg
  mkdir -p "$D/init"
  chown 65534:65534 "$D" "$D/cgroup.procs" "$D/init" "$D/init/cgroup.procs"
  config "[ $DENY_ALL ]" 'sed -n "s/^0:://p" /proc/self/cgroup' "\"/$base-deleg/c\""
  sh -c 'echo $$ > "$1/init/cgroup.procs" && exec setpriv --reuid 65534 --regid 65534 --clear-groups \
    "$2" --oci "$3" >"$4/o" 2>"$4/e" </dev/null' sh "$D" "$HUSK" "$B" "$TEST_TMP"
  RC=$? OUT=$(cat "$TEST_TMP/o") ERR=$(cat "$TEST_TMP/e")
  is "delegated cgroup without CAP_BPF: the container runs in it" "0 /$base-deleg/c" "$RC $OUT"
  like "with one warning naming linux.resources.devices" \
    '^husk: warning: linux\.resources\.devices: not enforced, the container gets only the devices husk binds \(.*: Operation not permitted\)$' \
    "$ERR"
  is "only that warning" 1 "$(printf '%s\n' "$ERR" | wc -l)"
  is "the cgroup husk made is removed" "" "$(ls -d "$D/c" 2>/dev/null)"
  rmdir "$D/init" "$D"
else
  skip "a pre-existing cgroupsPath, a delegated cgroup" "$v2 is not writable"
fi

assert_nothing_left "oci devices cgroup"
done_testing
