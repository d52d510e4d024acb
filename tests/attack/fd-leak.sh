#!/bin/bash
# fd-leak.sh: file descriptors the caller left open (a host file, a writable
# file, a directory that could be used with openat to walk the host) must
# not reach the sandboxed program.  bwrap passes inherited fds through, so
# those checks are skipped for bwrap; the checks on fds consumed by flags
# (--args, --file, --bind-data, --bind-fd), which bwrap closes, are
# validated against bwrap 0.8.0 as root and as uid 65534.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"
need_probe

exec 7</etc/passwd 8>"$TEST_TMP/f" 9<"$TEST_TMP"
ok "the caller has fds 7 8 9 open (control)" test -e /proc/$BASHPID/fd/7 -a -e /proc/$BASHPID/fd/8 -a -e /proc/$BASHPID/fd/9

for v in "--proc /proc" "--unshare-pid --proc /proc" "--unshare-pid --as-pid-1 --proc /proc" \
         "--unshare-all --proc /proc" "--new-session --proc /proc"; do
  hrun --ro-bind / / $v "$P" fds
  if is_bwrap; then
    skip "inherited fds do not leak ($v)" "bwrap passes inherited fds"
  else
    is "inherited fds do not leak ($v)" "0 1 2" "$OUT"
  fi
done
# An inherited directory fd would let the program openat() its way out.
hrun --ro-bind / / --proc /proc "$P" stat /proc/self/fd/9
if is_bwrap; then
  skip "no inherited directory fd to escape through" "bwrap passes inherited fds"
else
  is "no inherited directory fd to escape through" ENOENT "$OUT"
fi
exec 7<&- 8>&- 9<&-

# fds named by flags are consumed, not passed on.
printf -- '--setenv\0X\0y\0' >"$TEST_TMP/args"
echo data >"$TEST_TMP/data"
hrun --args 3 --ro-bind / / --proc /proc "$P" fds 3<"$TEST_TMP/args"
unlike "--args fd is not passed on" '(^| )3( |$)' "$OUT"
hrun --ro-bind / / --tmpfs /mnt --file 4 /mnt/f --proc /proc "$P" fds 4<"$TEST_TMP/data"
unlike "--file fd is not passed on" '(^| )4( |$)' "$OUT"
hrun --ro-bind / / --tmpfs /mnt --bind-data 4 /mnt/f --proc /proc "$P" fds 4<"$TEST_TMP/data"
unlike "--bind-data fd is not passed on" '(^| )4( |$)' "$OUT"
hrun --ro-bind / / --bind-fd 4 /mnt --proc /proc "$P" fds 4<"$TEST_TMP"
unlike "--bind-fd fd is not passed on" '(^| )4( |$)' "$OUT"

done_testing
