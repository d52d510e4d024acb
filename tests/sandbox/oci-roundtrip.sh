#!/bin/bash
# oci-roundtrip.sh: `husk --print-oci FLAGS -- CMD` exports a config.json
# that, run with `husk --oci`, behaves as FLAGS did (DESIGN.md rule 5).
# For each invocation of a table (taken from the golden flag cases that
# config.json can express), the probe reports ids, capabilities, hostname,
# cwd, environment, limits and what it may write, once through the flags and
# once through the exported bundle; the two reports must be equal.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"
need_probe

D=$TEST_TMP/data
mkdir -p "$D"
echo shared > "$D/file"

# What the probe reports inside, the same for both runs.
REPORT="$P ids; $P status; $P hostname; $P cwd; $P env | grep -v '^_='; \
ulimit -n; ulimit -Hn; ulimit -c; ulimit -Hc; ulimit -s; ulimit -Hs; \
for f in /tmp/w /tmp/data/w /tmp/rodata/w /dev/shm/w /w; do echo \"\$f: \$($P write \$f)\"; done; \
ls /dev 2>/dev/null | grep -v '^core\$' | tr '\n' ' '; echo; $P ls /dev/mqueue 2>/dev/null | head -n 3"

n=0
# roundtrip DESC FLAGS...: the probe report through FLAGS and through the
# exported config must match, both runs exiting 0.
roundtrip ()
{
  local desc=$1 out1 err1 rc1 b
  shift
  n=$((n + 1))
  b=$TEST_TMP/bundle$n
  mkdir -p "$b/rootfs"
  hrun "$@" -- /bin/sh -c "$REPORT"
  out1=$OUT err1=$ERR rc1=$RC
  is "$desc: the flags run${err1:+ ($err1)}" 0 "$rc1"
  hrun --print-oci "$@" -- /bin/sh -c "$REPORT"
  if [ "$RC" != 0 ]; then
    is "$desc: --print-oci works" "0" "$RC: $ERR"
    return
  fi
  printf '%s\n' "$OUT" > "$b/config.json"
  hrun --oci "$b"
  is "$desc: same exit status ($rc1${err1:+, $err1})" "$rc1" "$RC"
  is "$desc: same probe report" "$out1" "$OUT"
  # The only stderr allowed: the note that nothing is mounted on /dev.
  unlike "$desc: no other messages" '^husk: (error|[^w])|^husk: warning: [^m]' "$ERR"
}

mounts_snapshot

roundtrip "ro-bind /" --ro-bind / /
roundtrip "proc, dev, pid namespace" --ro-bind / / --proc /proc --dev /dev --unshare-pid
roundtrip "binds and tmpfs" --ro-bind / / --tmpfs /tmp --bind "$D" /tmp/data --ro-bind "$D" /tmp/rodata
roundtrip "try binds" --ro-bind / / --tmpfs /tmp --bind-try "$D" /tmp/data \
  --ro-bind-try /no/such/dir /tmp/rodata
# A relative source is a host path from /, for flags and export alike.
roundtrip "relative bind source" --ro-bind / / --tmpfs /tmp --chdir / --bind "${D#/}" /tmp/data
roundtrip "tmpfs perms and size, remount-ro" --ro-bind / / --perms 0700 --size 1048576 \
  --tmpfs /tmp --remount-ro /tmp
roundtrip "dev-bind" --ro-bind / / --dev-bind /dev /dev
roundtrip "user namespace, uid and gid" --ro-bind / / --unshare-user --uid 1000 --gid 1000
roundtrip "uts namespace and hostname" --ro-bind / / --unshare-uts --hostname roundtrip
roundtrip "environment and cwd" --ro-bind / / --clearenv --setenv A 'b c' --setenv PATH /usr/bin:/bin \
  --unsetenv A --setenv B x --chdir /usr
roundtrip "setenv over the caller's environment" --ro-bind / / --setenv HOME /nowhere --unsetenv LANG
roundtrip "unshare-all" --ro-bind / / --unshare-all --hostname all --proc /proc --dev /dev
roundtrip "net, ipc, mqueue" --ro-bind / / --unshare-net --unshare-ipc --dev /dev --mqueue /dev/mqueue
roundtrip "cap-add" --ro-bind / / --unshare-user --cap-add CAP_KILL --cap-add CAP_CHOWN
roundtrip "cap-add as another uid" --ro-bind / / --unshare-user --uid 5 --cap-add CAP_KILL
roundtrip "rlimit" --ro-bind / / --rlimit nofile=100:200
# unlimited is RLIM_INFINITY, 18446744073709551615 in config.json.
if is_root || [ "$(ulimit -Hc)/$(ulimit -Hs)" = unlimited/unlimited ]; then
  roundtrip "rlimit unlimited" --ro-bind / / --rlimit core=unlimited --rlimit stack=16777216:unlimited
  hrun --print-oci --ro-bind / / --rlimit core=unlimited -- true
  like "unlimited is written as 2^64-1" '"soft": 18446744073709551615,' "$OUT"
else
  skip "rlimit unlimited" "our own core or stack hard limit is finite"
fi
roundtrip "read-only root last" --bind / / --tmpfs /tmp --remount-ro /
roundtrip "cwd kept when visible" --ro-bind / / --proc /proc

# Flags with no config.json form fail, naming the flag; nothing runs.
hrun --print-oci --ro-bind / / --symlink usr/bin /lnk -- true
is "--symlink has no config.json form" "1" "$RC"
like "the error names the flag" '^husk: --symlink usr/bin /lnk: cannot be expressed' "$ERR"
hrun --print-oci --ro-bind / / --dir /x -- true
like "--dir has no config.json form" '^husk: --dir /x: cannot be expressed' "$ERR"
hrun --print-oci --ro-bind / / --file 0 /x -- true
like "--file has no config.json form" '^husk: --file 0 /x: cannot be expressed' "$ERR"

assert_nothing_left "nothing left behind"
done_testing
