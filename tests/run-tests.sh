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
# Up to HUSK_TEST_JOBS test programs run at the same time (most sandbox
# scripts spend their time waiting, not computing).  Each one's output goes to
# a file of its own and is printed, prefixed with its name, in the fixed order
# of the list below, so the log and the summary read the same whatever the
# timing.  A script whose header says `# husk-test: serial` changes state of
# the host that others look at (mounts in the host's mount namespace, cgroups,
# /etc/subuid, network devices, processes of a shared uid): the serial ones
# run first, one at a time, with nothing else running.
#
# Environment: HUSK, HUSK_PROBE, HUSK_SECCOMP_AGENT, HUSK_UNIT_DIR (set by `make check`);
# HUSK_TEST_USER (uid for the unprivileged runs, default 65534);
# HUSK_TEST_FILTER (ERE on script paths, to run a subset);
# HUSK_TEST_JOBS (how many test programs run at once, default: the number
#   of CPUs; 1 runs everything one after the other, in the listed order);
# HUSK_VALGRIND=1 (run the unit tests and golden tests under valgrind).
set -u

srcdir=$(cd "$(dirname "$0")" && pwd)
: "${HUSK:?set HUSK to the husk binary}"
: "${HUSK_PROBE:=}"
: "${HUSK_UNIT_DIR:=}"
: "${HUSK_TEST_USER:=65534}"
: "${HUSK_TEST_FILTER:=.}"
: "${HUSK_VALGRIND:=0}"
: "${HUSK_TEST_JOBS:=$(nproc 2>/dev/null || echo 1)}"
case $HUSK_TEST_JOBS in
  ''|*[!0-9]*|0) echo "run-tests.sh: HUSK_TEST_JOBS must be a number >= 1, not '$HUSK_TEST_JOBS'" >&2; exit 2 ;;
esac
# wait -n -p (which job ended) needs bash 5.1.
if [ "$HUSK_TEST_JOBS" -gt 1 ] \
   && { [ "${BASH_VERSINFO[0]}" -lt 5 ] || { [ "${BASH_VERSINFO[0]}" = 5 ] && [ "${BASH_VERSINFO[1]}" -lt 1 ]; }; }; then
  echo "# run-tests.sh: bash $BASH_VERSION cannot wait for any one job: HUSK_TEST_JOBS=1"
  HUSK_TEST_JOBS=1
fi

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

# The test programs to run, in the order their results are printed:
# job_name[i], job_cmd[i] (the command, quoted for eval), job_serial[i].
job_name=() job_cmd=() job_serial=()

# add_job NAME SERIAL CMD...: list a TAP producer.
add_job ()
{
  local name=$1 serial=$2; shift 2
  job_name+=("$name")
  job_serial+=("$serial")
  job_cmd+=("$(printf '%q ' "$@")")
}

# start_job I: run job I in the background with a time limit; its output
# (stdout and stderr, through a pipe as when it ran in the foreground) goes
# to $stage/out.I, its exit status to $stage/rc.I.  Sets job_pid[I].
declare -A pid_job
job_pid=()
start_job ()
{
  local i=$1 rcf=$stage/rc.$1
  : >"$rcf"
  chmod 666 "$rcf"
  # shellcheck disable=SC2086  # job_cmd is quoted for eval
  { { eval "timeout -k 10 600 ${job_cmd[$i]}" 2>&1; echo $? >"$rcf"; } | cat >"$stage/out.$i"; } </dev/null &
  job_pid[i]=$!
  pid_job[$!]=$i
}

# Results are printed in list order: job I as soon as it and every job
# before it have ended.
job_done=()
next_print=0
print_done ()
{
  while [ "$next_print" -lt "${#job_name[@]}" ] && [ "${job_done[$next_print]:-0}" = 1 ]; do
    count "${job_name[$next_print]}" "$stage/rc.$next_print" <"$stage/out.$next_print"
    rm -f "$stage/out.$next_print" "$stage/rc.$next_print"
    next_print=$((next_print + 1))
  done
}

# run_jobs: run every listed job, HUSK_TEST_JOBS at a time, the serial ones
# first and alone.
run_jobs ()
{
  local i n=${#job_name[@]} running=0 pid
  local -a pool=()
  if [ "$HUSK_TEST_JOBS" = 1 ]; then
    for ((i = 0; i < n; i++)); do
      start_job "$i"; wait "${job_pid[$i]}"; job_done[i]=1; print_done
    done
    return
  fi
  for ((i = 0; i < n; i++)); do
    if [ "${job_serial[$i]}" = 1 ]; then
      start_job "$i"; wait "${job_pid[$i]}"; job_done[i]=1; print_done
    else
      pool+=("$i")
    fi
  done
  for i in "${pool[@]}"; do
    while [ "$running" -ge "$HUSK_TEST_JOBS" ]; do
      wait -n -p pid
      [ -n "${pid_job[$pid]:-}" ] || continue
      job_done[${pid_job[$pid]}]=1; running=$((running - 1)); print_done
    done
    start_job "$i"; running=$((running + 1))
  done
  while [ "$running" -gt 0 ]; do
    wait -n -p pid
    [ -n "${pid_job[$pid]:-}" ] || continue
    job_done[${pid_job[$pid]}]=1; running=$((running - 1)); print_done
  done
  print_done
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
    selected "unit/${t##*/}" && add_job "unit/${t##*/}" 0 "${vg[@]}" "$t"
  done
fi

# 2. Golden plan dumps and error lines.
if selected golden && [ -x "$stage/tests/golden/run.sh" ]; then
  add_job golden 0 env HUSK_GOLDEN_WRAPPER="${vg[*]}" HUSK_GOLDEN_JOBS="$HUSK_TEST_JOBS" \
    "$stage/tests/golden/run.sh" "$HUSK"
fi

# 3. Docs in sync with the option table.
if selected docs-sync && [ -x "$stage/tests/docs-sync.sh" ]; then
  add_job docs-sync 0 "$srcdir/docs-sync.sh"
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
    who=both serial=0
    grep -q '^# husk-test: root-only' "$t" && who=root
    grep -q '^# husk-test: user-only' "$t" && who=user
    grep -q '^# husk-test: serial' "$t" && serial=1
    if [ "$(id -u)" != 0 ]; then
      add_job "${name}[$(id -u)]" "$serial" "${user_env[@]}" HUSK_TEST_MODE=user bash "$t"
      continue
    fi
    if [ "$who" != user ]; then
      add_job "${name}[root]" "$serial" "${user_env[@]}" HUSK_TEST_MODE=root bash "$t"
    fi
    if [ "$who" != root ]; then
      add_job "${name}[user]" "$serial" setpriv --reuid="$HUSK_TEST_USER" --regid="$HUSK_TEST_USER" \
        --clear-groups "${user_env[@]}" HUSK_TEST_MODE=user bash "$t"
    fi
  done
done

run_jobs

echo
if [ ${#failures[@]} -gt 0 ]; then
  echo "Failures:"
  printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
