#!/bin/bash
# parity.sh: the same argv through bwrap and through husk, with the probe as
# the payload; the probe's output (and the exit status) must be identical.
# One TAP line per variant.  Skipped entirely when /usr/bin/bwrap (or
# $HUSK_BWRAP) is missing.
#
# Normalised before comparing: namespace inodes become "host" or "new"
# (relative to the test's own), and, as root, the Cap* lines of `status`
# are dropped (husk drops all caps for root; bwrap keeps them), and the
# Seccomp line is dropped (husk always installs its TIOCSTI/TIOCLINUX
# filter, so it reads 2 where bwrap reads 0; security.sh checks it).  Not
# compared at all: `fds` (bwrap passes inherited fds; husk closes them).
# With HUSK=bwrap this script checks that every variant is deterministic.
# Variants using overlay flags are skipped when this bwrap lacks them.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"

BWRAP=${HUSK_BWRAP:-/usr/bin/bwrap}
if [ ! -x "$BWRAP" ]; then
  skip "parity with bwrap" "no bwrap at $BWRAP"
  done_testing
  exit
fi
need_probe

HOST_NS=$("$P" ns)
BW_OVERLAY=no
"$BWRAP" --overlay-src / --tmp-overlay /mnt --ro-bind / / true >/dev/null 2>&1 && BW_OVERLAY=yes

W=$TEST_TMP/w
mkdir -p "$W/cwd" "$W/dir" "$W/ov/l1" "$W/ov/l2"
echo data >"$W/data"
echo in-dir >"$W/dir/f"
echo low >"$W/ov/l1/a"; echo low >"$W/ov/l1/b"; echo high >"$W/ov/l2/b"
printf -- '--setenv\0FROM_ARGS\0a b\0--unshare-uts\0--hostname\0args-host\0' >"$W/args"
chmod -R a+rwX "$W"

# normalise NS: NS=1 when the probe ran `ns` (inodes -> host/new).
normalise ()
{
  local ns=$1 line k v
  while IFS= read -r line; do
    k=${line%%=*}; v=${line#*=}
    if [ "$ns" = 1 ] && [ "$k" != rc ] && [[ "$v" =~ ^[0-9]+$ ]]; then
      [ "$(kv "$k" "$HOST_NS")" = "$v" ] && line="$k=host" || line="$k=new"
    fi
    [[ "$line" == Seccomp=* ]] && continue
    if ! is_root || [[ "$line" != Cap* ]]; then
      printf '%s\n' "$line"
    fi
  done
}

# prun ENGINE ARGS...: run one sandbox in a fixed environment; print the
# normalised probe output and the exit status.
prun ()
{
  local engine=$1 ns=0; shift
  [ "${*: -1}" = ns ] && ns=1
  rm -rf "$W/rw"; mkdir -p "$W/rw"; chmod 777 "$W/rw"
  (cd "$W/cwd" && env -i PATH=/usr/bin:/bin HOME=/ FOO=foo BAR=bar \
     "$engine" "$@" 3<"$W/args" 5<"$W/data" 6<"$W/dir" </dev/null 2>/dev/null
   echo "rc=$?") | normalise $ns
}

v ()
{
  local desc=$1; shift
  local a b
  a=$(prun "$BWRAP" "$@")
  b=$(prun "$HUSK" "$@")
  is "parity: $desc" "$a" "$b"
}

vo ()
{
  if [ "$BW_OVERLAY" = yes ]; then v "$@"; else skip "parity: $1" "this bwrap lacks overlay flags"; fi
}

B=(--ro-bind / /)
R=(--ro-bind "$P" /probe)

# Identity, credentials, environment.
v "ids"                          "${B[@]}" "$P" ids
v "status"                       "${B[@]}" "$P" status
v "hostname"                     "${B[@]}" "$P" hostname
v "cwd"                          "${B[@]}" "$P" cwd
v "env"                          "${B[@]}" "$P" env
v "ns"                           "${B[@]}" "$P" ns
v "--die-with-parent ids"        "${B[@]}" --die-with-parent "$P" ids
v "--new-session status"         "${B[@]}" --new-session "$P" status

# Namespaces.
v "--unshare-user ids"           "${B[@]}" --unshare-user "$P" ids
v "--unshare-user ns"            "${B[@]}" --unshare-user "$P" ns
v "--unshare-user status"        "${B[@]}" --unshare-user "$P" status
v "--uid/--gid ids"              "${B[@]}" --unshare-user --uid 1234 --gid 4321 "$P" ids
v "--uid uid_map"                "${B[@]}" --unshare-user --uid 1234 --gid 4321 "$P" read /proc/self/uid_map
v "--gid gid_map"                "${B[@]}" --unshare-user --uid 1234 --gid 4321 "$P" read /proc/self/gid_map
v "setgroups"                    "${B[@]}" --unshare-user "$P" read /proc/self/setgroups
v "--unshare-user-try ids"       "${B[@]}" --unshare-user-try "$P" ids
v "--unshare-ipc ns"             "${B[@]}" --unshare-ipc "$P" ns
v "--unshare-pid pid"            "${B[@]}" --unshare-pid --proc /proc "$P" pid
v "--unshare-pid ns"             "${B[@]}" --unshare-pid --proc /proc "$P" ns
v "--as-pid-1 pid"               "${B[@]}" --unshare-pid --as-pid-1 --proc /proc "$P" pid
v "--new-session pidns pid"      "${B[@]}" --unshare-pid --new-session --proc /proc "$P" pid
v "reaper: orphan"               "${B[@]}" --unshare-pid --proc /proc "$P" orphan
v "--unshare-net net"            "${B[@]}" --unshare-net "$P" net
v "--unshare-uts hostname"       "${B[@]}" --unshare-uts "$P" hostname
v "--hostname"                   "${B[@]}" --unshare-uts --hostname parity-host "$P" hostname
v "--unshare-cgroup ns"          "${B[@]}" --unshare-cgroup "$P" ns
v "--unshare-cgroup-try ns"      "${B[@]}" --unshare-cgroup-try "$P" ns
v "--unshare-all ns"             "${B[@]}" --unshare-all "$P" ns
v "--unshare-all ids"            "${B[@]}" --unshare-all "$P" ids
v "--unshare-all --share-net ns" "${B[@]}" --unshare-all --share-net "$P" ns
v "--share-net --unshare-all ns" "${B[@]}" --share-net --unshare-all "$P" ns

# Environment.
v "--clearenv"                   "${B[@]}" --clearenv "$P" env
v "--setenv/--clearenv order"    "${B[@]}" --setenv A 1 --clearenv --setenv B 2 "$P" env
v "--unsetenv"                   "${B[@]}" --unsetenv FOO "$P" env
v "--setenv/--unsetenv order"    "${B[@]}" --setenv FOO 2 --unsetenv FOO --setenv FOO 3 "$P" env
v "--chdir cwd"                  "${B[@]}" --chdir /etc "$P" cwd
v "--chdir env"                  "${B[@]}" --chdir /etc "$P" env
v "cwd missing inside"           "${R[@]}" /probe cwd
v "--args"                       --args 3 "${B[@]}" "$P" env
v "--args hostname"              --args 3 "${B[@]}" "$P" hostname

# Filesystem.
v "root layout"                  "${R[@]}" /probe ls /
v "root mode"                    "${R[@]}" /probe stat /
v "--dev ls"                     "${R[@]}" --dev /dev /probe ls /dev
v "--dev null"                   "${R[@]}" --dev /dev /probe stat /dev/null
v "--dev ptmx"                   "${R[@]}" --dev /dev /probe stat /dev/ptmx
v "--dev pts/ptmx"               "${R[@]}" --dev /dev /probe stat /dev/pts/ptmx
v "--dev shm"                    "${R[@]}" --dev /dev /probe stat /dev/shm
v "--dev statfs"                 "${R[@]}" --dev /dev /probe statfs /dev
v "--dev full"                   "${R[@]}" --dev /dev /probe write /dev/full
v "--proc (no pidns) statfs"     "${R[@]}" --proc /proc /probe statfs /proc
v "--proc pidns ls"              "${R[@]}" --unshare-pid --proc /proc /probe ls /proc/1
v "--tmpfs stat"                 "${R[@]}" --tmpfs /t /probe stat /t
v "--tmpfs statfs"               "${R[@]}" --tmpfs /t /probe statfs /t
v "--perms --size --tmpfs"       "${R[@]}" --perms 01777 --size 65536 --tmpfs /t /probe statfs /t
v "--perms --tmpfs mode"         "${R[@]}" --perms 01777 --size 65536 --tmpfs /t /probe stat /t
v "--mqueue"                     "${R[@]}" --unshare-ipc --mqueue /mq /probe statfs /mq
v "--dir"                        "${R[@]}" --dir /a/b /probe stat /a/b
v "--perms --dir parent"         "${R[@]}" --perms 0700 --dir /a/b /probe stat /a
v "--dir existing"               "${R[@]}" --dir /a --perms 0700 --dir /a /probe stat /a
v "--file stat"                  "${R[@]}" --file 5 /f /probe stat /f
v "--file read"                  "${R[@]}" --file 5 /f /probe read /f
v "--perms --file"               "${R[@]}" --perms 0640 --file 5 /f /probe stat /f
v "--bind-data stat"             "${R[@]}" --bind-data 5 /f /probe stat /f
v "--bind-data statfs"           "${R[@]}" --bind-data 5 /f /probe statfs /f
v "--ro-bind-data write"         "${R[@]}" --ro-bind-data 5 /f /probe write /f
v "--symlink"                    "${R[@]}" --symlink some/where /l /probe stat /l
v "--symlink conflict"           "${R[@]}" --symlink a /l --symlink b /l /probe stat /l
v "--chmod"                      "${R[@]}" --dir /d --chmod 0700 /d /probe stat /d
v "--chmod via symlink"          "${R[@]}" --dir /d --symlink d /l --chmod 0700 /l /probe stat /d
v "--bind write"                 "${R[@]}" --bind "$W/rw" /rw /probe write /rw/x
v "--bind statfs"                "${R[@]}" --bind "$W/rw" /rw /probe statfs /rw
v "--ro-bind write"              "${R[@]}" --ro-bind "$W/rw" /rw /probe write /rw/x
v "--remount-ro"                 "${R[@]}" --bind "$W/rw" /rw --remount-ro /rw /probe statfs /rw
v "--bind-fd"                    "${R[@]}" --bind-fd 6 /b /probe read /b/f
v "--ro-bind-fd"                 "${R[@]}" --ro-bind-fd 6 /b /probe write /b/new
v "-try variants"                "${R[@]}" --bind-try "$W/missing" /x --ro-bind-try "$W/missing" /y --dev-bind-try "$W/missing" /z /probe ls /
v "--dev-bind /dev"              "${R[@]}" --dev-bind /dev /dev /probe read /dev/null
v "--bind /dev"                  "${R[@]}" --bind /dev /dev /probe read /dev/null
v "relative destination"         "${R[@]}" --bind "$W/dir" rel/d /probe read /rel/d/f
v "in-root relative link parent" "${R[@]}" --dir /run --symlink ../run /var/run --bind "$W/dir" /var/run/x /probe read /run/x/f
vo "--tmp-overlay"               "${R[@]}" --overlay-src "$W/ov/l1" --overlay-src "$W/ov/l2" --tmp-overlay /o /probe read /o/b
vo "--ro-overlay"                "${R[@]}" --overlay-src "$W/ov/l1" --overlay-src "$W/ov/l2" --ro-overlay /o /probe write /o/a

# Exit statuses and errors (stderr is not compared).
v "exit 7"                       "${B[@]}" "$P" exit 7
v "exit 7 pidns"                 "${B[@]}" --unshare-pid "$P" exit 7
v "SIGTERM"                      "${B[@]}" --unshare-pid "$P" kill-self TERM
v "SIGKILL"                      "${B[@]}" "$P" kill-self KILL
v "missing --bind source"        "${B[@]}" --bind "$W/missing" /mnt "$P" ids
v "--hostname without uts"       "${B[@]}" --hostname h "$P" ids
v "--as-pid-1 without pidns"     "${B[@]}" --as-pid-1 "$P" ids
v "unknown flag"                 "${B[@]}" --no-such-flag "$P" ids
v "bad --perms"                  "${B[@]}" --perms 0789 --tmpfs /mnt "$P" ids
v "program not found"            "${B[@]}" "$W/no-such-program"

done_testing
