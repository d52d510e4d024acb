#!/bin/bash
# run-tests.sh: husk's whole test suite.
#
# Runs the unit tests, golden plan tests, the docs-sync check, and every
# script under tests/sandbox, tests/attack and tests/compat.  Sandbox, attack and
# compat scripts run twice, as root and as an unprivileged uid (setpriv), unless
# their header says `# husk-test: root-only` or `# husk-test: user-only`.
# When not started as root, every script runs once, as the caller.
#
# Counts the real TAP results and ends with "N passed, N failed, N skipped";
# exits 1 if anything failed (including a script that died or printed no plan).
#
# Environment: HUSK, HUSK_PROBE, HUSK_SECCOMP_AGENT, HUSK_UNIT_DIR (set by `make check`);
# HUSK_TEST_USER (uid for the unprivileged runs, default 65534);
# HUSK_TEST_FILTER (ERE on script paths, to run a subset);
# HUSK_VALGRIND=1 (run the unit tests and golden tests under valgrind).
set -u

srcdir=$(cd "$(dirname "$0")" && pwd)
: "${HUSK:?set HUSK to the husk binary}"
: "${HUSK_PROBE:=}"
: "${HUSK_UNIT_DIR:=}"
: "${HUSK_TEST_USER:=65534}"
: "${HUSK_TEST_FILTER:=.}"
: "${HUSK_VALGRIND:=0}"

passed=0 failed=0 skipped=0
failures=()

# Stage the binaries and test scripts where an unprivileged uid can read them
# (the build tree may live under a 0700 home directory).
stage=$(mktemp -d /tmp/husk-suite.XXXXXX)
trap 'rm -rf "$stage"' EXIT
chmod 755 "$stage"
cp "$HUSK" "$stage/husk"
[ -n "$HUSK_PROBE" ] && [ -x "$HUSK_PROBE" ] && cp "$HUSK_PROBE" "$stage/husk-probe"
# Issue 5: the seccomp agent of the SCMP_ACT_NOTIFY tests.
: "${HUSK_SECCOMP_AGENT:=}"
[ -n "$HUSK_SECCOMP_AGENT" ] && [ -x "$HUSK_SECCOMP_AGENT" ] \
  && cp "$HUSK_SECCOMP_AGENT" "$stage/husk-seccomp-agent"
cp -r "$srcdir" "$stage/tests"
# data/ beside tests/: the shipped seccomp profile (tests find it as ../../data).
[ -d "$srcdir/../data" ] && cp -r "$srcdir/../data" "$stage/data"
chmod -R a+rX "$stage"
export HUSK="$stage/husk"
[ -e "$stage/husk-probe" ] && export HUSK_PROBE="$stage/husk-probe"
[ -e "$stage/husk-seccomp-agent" ] && export HUSK_SECCOMP_AGENT="$stage/husk-seccomp-agent"

# count NAME < TAP-output: tally results, echo lines with the name prefixed.
count ()
{
  local name=$1 rc_file=$2 line saw_plan=0 n_fail_before=$failed
  while IFS= read -r line; do
    case "$line" in
      "not ok"*)
        failed=$((failed + 1)); failures+=("$name: $line"); echo "$name: $line" ;;
      ok*"# SKIP"*|ok*"# skip"*)
        skipped=$((skipped + 1)); echo "$name: $line" ;;
      ok*)
        passed=$((passed + 1)); echo "$name: $line" ;;
      1..*)
        saw_plan=1; echo "$name: $line" ;;
      *)
        echo "$name: $line" ;;
    esac
  done
  local rc
  rc=$(cat "$rc_file" 2>/dev/null || echo 99)
  if [ "$saw_plan" = 0 ]; then
    failed=$((failed + 1)); failures+=("$name: no TAP plan (exit $rc): the script died")
    echo "$name: not ok - script printed no plan (exit $rc)"
  elif [ "$rc" != 0 ] && [ "$failed" = "$n_fail_before" ]; then
    failed=$((failed + 1)); failures+=("$name: exited $rc without a failing test")
    echo "$name: not ok - script exited $rc"
  fi
}

# run_tap NAME CMD...: run a TAP producer with a time limit and count it.
run_tap ()
{
  local name=$1; shift
  local rcf
  rcf=$(mktemp "$stage/rc.XXXXXX")
  chmod 666 "$rcf"
  count "$name" "$rcf" < <(timeout -k 10 600 "$@" 2>&1; echo $? >"$rcf")
  rm -f "$rcf"
}

selected () { printf '%s\n' "$1" | grep -Eq -- "$HUSK_TEST_FILTER"; }

vg=()
if [ "$HUSK_VALGRIND" = 1 ] && ! readelf -lW "$HUSK" 2>/dev/null | grep -q INTERP; then
  # A static-pie husk (the default build) has its own malloc, which valgrind
  # cannot replace: it would report no leaks and false errors.
  echo "run-tests.sh: HUSK_VALGRIND=1 needs a dynamically linked husk: build one with" \
    "./configure --disable-static-husk" >&2
  exit 1
fi
if [ "$HUSK_VALGRIND" = 1 ]; then
  # valgrind.supp: valgrind's own false positives (mount(2)'s NULL type).
  # Syscalls valgrind 3.19 does not know (openat2, open_tree, mount_setattr,
  # fsopen) fail with ENOSYS under it: husk falls back as on an old kernel.
  vg=(valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=all
      --suppressions="$srcdir/valgrind.supp")
fi

# 1. Unit tests (in-process, no privileges).
if [ -n "$HUSK_UNIT_DIR" ]; then
  for t in "$HUSK_UNIT_DIR"/test-*; do
    [ -x "$t" ] || continue
    selected "unit/${t##*/}" && run_tap "unit/${t##*/}" "${vg[@]}" "$t"
  done
fi

# 2. Golden plan dumps and error lines.
if selected golden && [ -x "$stage/tests/golden/run.sh" ]; then
  HUSK_GOLDEN_WRAPPER="${vg[*]}" run_tap golden "$stage/tests/golden/run.sh" "$HUSK"
fi

# 3. Docs in sync with the option table.
if selected docs-sync && [ -x "$stage/tests/docs-sync.sh" ]; then
  run_tap docs-sync "$srcdir/docs-sync.sh"
fi

# 4. Real sandboxes, as root and as an unprivileged uid.
user_env=(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
          HOME=/tmp LANG=C.UTF-8 TMPDIR=/tmp HUSK="$HUSK" HUSK_PROBE="${HUSK_PROBE:-}"
          HUSK_SECCOMP_AGENT="${HUSK_SECCOMP_AGENT:-}"
          HUSK_MUST_WORK="${HUSK_MUST_WORK:-0}"
          ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}")
for dir in sandbox attack compat; do
  for t in "$stage/tests/$dir"/*.sh; do
    [ -e "$t" ] || continue
    name="$dir/${t##*/}"
    selected "$name" || continue
    who=both
    grep -q '^# husk-test: root-only' "$t" && who=root
    grep -q '^# husk-test: user-only' "$t" && who=user
    if [ "$(id -u)" != 0 ]; then
      run_tap "$name[$(id -u)]" "${user_env[@]}" HUSK_TEST_MODE=user bash "$t"
      continue
    fi
    if [ "$who" != user ]; then
      run_tap "$name[root]" "${user_env[@]}" HUSK_TEST_MODE=root bash "$t"
    fi
    if [ "$who" != root ]; then
      run_tap "$name[user]" setpriv --reuid="$HUSK_TEST_USER" --regid="$HUSK_TEST_USER" \
        --clear-groups "${user_env[@]}" HUSK_TEST_MODE=user bash "$t"
    fi
  done
done

echo
if [ ${#failures[@]} -gt 0 ]; then
  echo "Failures:"
  printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
