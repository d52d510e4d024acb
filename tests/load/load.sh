#!/bin/bash
# load.sh: the load test (make check-load; not part of make check).
# Starts HUSK_LOAD_N sandboxes (default 1000), HUSK_LOAD_P at a time
# (default 20, xargs -P), each `husk --ro-bind / / --unshare-all
# --die-with-parent true`, as an unprivileged user (as root: setpriv to
# HUSK_TEST_USER, default 65534).  Every one must exit 0; afterwards no husk
# process may be left and the mount count of our namespace must be unchanged.
# Prints TAP and the throughput in sandboxes per second.
#
# Environment: HUSK (required), HUSK_LOAD_N, HUSK_LOAD_P, HUSK_TEST_USER.
. "$(dirname "$0")/../lib.sh"

N=${HUSK_LOAD_N:-1000}
P=${HUSK_LOAD_P:-20}
user=${HUSK_TEST_USER:-65534}

# A private copy whose path marks our processes; world-readable for $user.
mkdir -p "$TEST_TMP/bin"
cp "$HUSK" "$TEST_TMP/bin/husk"
chmod 755 "$TEST_TMP/bin/husk"
H=$TEST_TMP/bin/husk
as_user=()
if is_root; then
  as_user=(setpriv --reuid="$user" --regid="$user" --clear-groups)
fi

# Control: one sandbox works at all.
out=$("${as_user[@]}" "$H" --ro-bind / / --unshare-all --die-with-parent true 2>&1)
rc=$?
is "one sandbox runs (control)" "0" "$rc"
[ $rc = 0 ] || { diag "$out"; done_testing; exit; }

mounts_snapshot
results=$TEST_TMP/results
start=$(date +%s.%N)
seq "$N" | xargs -P "$P" -I{} "${as_user[@]}" sh -c \
  '"$1" --ro-bind / / --unshare-all --die-with-parent true 2>&1; echo "rc=$?"' sh "$H" \
  >"$results" 2>&1
end=$(date +%s.%N)

total=$(grep -c '^rc=' "$results")
good=$(grep -c '^rc=0$' "$results")
is "$N sandboxes ran" "$N" "$total"
is "every sandbox exited 0" "$N" "$good"
if [ "$good" != "$N" ]; then
  diag "failures: $(grep -v '^rc=0$' "$results" | sort | uniq -c | sort -rn | head -5)"
fi
assert_nothing_left "after $N sandboxes" "$H"
secs=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')
rate=$(awk -v n="$N" -v s="$secs" 'BEGIN { print n / s }')
diag "$(printf '%d sandboxes, %d at a time, in %.2f s: %.1f sandboxes/s' "$N" "$P" "$secs" "$rate")"
done_testing
