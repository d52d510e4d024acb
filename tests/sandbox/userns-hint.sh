#!/bin/bash
# userns-hint.sh: when user namespaces are forbidden, husk fails with one
# error line plus a hint that says how to enable them, and leaves nothing
# behind.  The host's sysctl is not ours to change, but the limit is per
# user namespace: the test makes one with unshare(1), sets
# user.max_user_namespaces=0 inside it, and runs husk --unshare-user there.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"

if ! unshare -Ur true 2>/dev/null; then
  skip "user namespaces disabled: hint" "unshare -Ur does not work here"
  done_testing
  exit
fi

mounts_snapshot
# shellcheck disable=SC2016
out=$(unshare -Ur sh -c 'echo 0 >/proc/sys/user/max_user_namespaces &&
                         exec "$0" --unshare-user --ro-bind / / true' "$HUSK" 2>&1 </dev/null)
rc=$?
is "user namespaces disabled: exit 1" 1 "$rc"
like "the error line names the failing step" '^husk: .*namespaces' "$(printf '%s\n' "$out" | head -n1)"
like "a hint says how to enable them" 'hint: .*max_user_namespaces' "$out"
is "exactly two lines (error and hint)" 2 "$(printf '%s\n' "$out" | wc -l)"
assert_nothing_left "user namespaces disabled"

# Control: the same command where user namespaces are allowed.
# shellcheck disable=SC2016
out=$(unshare -Ur sh -c 'exec "$0" --unshare-user --ro-bind / / true' "$HUSK" 2>&1 </dev/null)
is "control: with user namespaces allowed, it runs" 0 "$?"

done_testing
