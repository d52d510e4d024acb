#!/bin/bash
# mounts-invisible.sh: mounts made for the sandbox never show up in the
# host's mount table, neither while the sandbox runs nor afterwards, even
# when made at a path that exists on the host (mount propagation from a
# shared /).  Validated against bwrap 0.8.0 as root and as uid 65534.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"
need_probe

mounts_snapshot
D=$TEST_TMP/inv
mkdir -p "$D"
MARK="sleep 2.$(printf %07d%05d $$ $RANDOM)"
host_has () { grep -qF -- "$1" /proc/self/mountinfo; }

# Control: the sandbox itself sees its tmpfs at that path.
hrun --ro-bind / / --tmpfs "$D" --proc /proc "$P" mountinfo
has_line "the sandbox sees its own tmpfs (control)" "$D" "$OUT"

"$HUSK" --ro-bind / / --tmpfs "$D" --dir "$D/sub" --bind "$TEST_TMP" "$D/sub" \
  --unshare-pid --proc /proc "$P" $MARK </dev/null >/dev/null 2>&1 &
bg=$!
for ((i = 0; i < 50; i++)); do pgrep -f -- "$P $MARK" >/dev/null && break; sleep 0.1; done
ok "the sandbox is running" pgrep -f -- "$P $MARK"
nok "while it runs, the host's mountinfo has no mount at $D" host_has " $D "
nok "while it runs, the host's mountinfo has no mount at $D/sub" host_has " $D/sub "
ok "while it runs, $D on the host is still an empty directory" test -z "$(ls -A "$D")"
nok "while it runs, no sandbox tmpfs shows anywhere in the host's mountinfo" host_has "newroot"
wait "$bg"
is "the sandbox exited normally" 0 "$?"

assert_nothing_left "after the sandbox" "$MARK"
done_testing
