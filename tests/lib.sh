# lib.sh: helpers for husk's shell tests (sourced by tests/*/*.sh).
#
# Each test script prints TAP ("ok N - desc", "not ok N - desc", "ok N - desc # SKIP why")
# and ends with done_testing.  The runner (tests/run-tests.sh) runs sandbox tests twice:
# as root and as an unprivileged uid (HUSK_TEST_MODE=root|user).
#
# Environment provided by the runner:
#   HUSK         the husk binary under test (world-executable copy)
#   HUSK_PROBE   the static probe program (tests/probe/probe.c)
#   HUSK_SECCOMP_AGENT  the seccomp agent of the NOTIFY tests (tests/probe/seccomp-agent.c)
#   HUSK_TEST_MODE  root | user
#   HUSK_MUST_WORK  1 in CI: environment skips become failures where a test says so
#
# Helpers:
#   hrun ARGS...            run "$HUSK" ARGS..., set OUT, ERR, RC (never aborts the script)
#   ok DESC CMD...          pass when CMD exits 0
#   nok DESC CMD...         pass when CMD exits non-zero
#   is DESC EXPECTED GOT    pass when strings are equal (prints both otherwise)
#   like DESC ERE GOT       pass when GOT matches the extended regex ERE
#   unlike DESC ERE GOT     pass when GOT does not match
#   skip DESC WHY           a skipped test
#   diag MSG                a comment line
#   mounts_snapshot / procs_snapshot and assert_nothing_left DESC  -- leak checks
#   wait_exec PID PROGRAM   poll (up to 10 s) until process PID runs PROGRAM
#   done_testing            print the plan line; exit 1 if anything failed
#
# Common sandbox prefix: $SB = --ro-bind / / --dev /dev --proc /proc --unshare-pid
set -u

: "${HUSK:?HUSK must point at the husk binary}"
: "${HUSK_PROBE:=}"
: "${HUSK_TEST_MODE:=$( [ "$(id -u)" = 0 ] && echo root || echo user )}"
: "${HUSK_MUST_WORK:=0}"

_t_n=0
_t_failed=0

TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/husk-t.XXXXXX")
chmod 755 "$TEST_TMP"
trap 'rm -rf "$TEST_TMP" 2>/dev/null' EXIT

SB=(--ro-bind / / --dev /dev --proc /proc --unshare-pid)

is_root () { [ "$(id -u)" = 0 ]; }

_t_result ()
{
  # _t_result PASS(0|1) DESC
  _t_n=$((_t_n + 1))
  if [ "$1" = 0 ]; then
    echo "ok $_t_n - $2"
  else
    echo "not ok $_t_n - $2"
    _t_failed=$((_t_failed + 1))
  fi
}

diag () { printf '# %s\n' "$*" | sed '2,$s/^/# /'; }

hrun ()
{
  local o e
  o=$(mktemp "$TEST_TMP/out.XXXXXX"); e=$(mktemp "$TEST_TMP/err.XXXXXX")
  "$HUSK" "$@" >"$o" 2>"$e" </dev/null
  RC=$?
  OUT=$(cat "$o"); ERR=$(cat "$e")
  rm -f "$o" "$e"
  return 0
}

ok ()
{
  local desc=$1; shift
  local out
  out=$("$@" 2>&1)
  local rc=$?
  _t_result $((rc != 0)) "$desc"
  [ $rc = 0 ] || diag "command failed ($rc): $*" "$out"
}

nok ()
{
  local desc=$1; shift
  local out
  out=$("$@" 2>&1)
  local rc=$?
  _t_result $((rc == 0)) "$desc"
  [ $rc != 0 ] || diag "command unexpectedly succeeded: $*" "$out"
}

is ()
{
  if [ "$2" = "$3" ]; then
    _t_result 0 "$1"
  else
    _t_result 1 "$1"
    diag "expected: $2" "     got: $3"
  fi
}

like ()
{
  if printf '%s' "$3" | grep -Eq -- "$2"; then
    _t_result 0 "$1"
  else
    _t_result 1 "$1"
    diag "expected match for: $2" "got: $3"
  fi
}

unlike ()
{
  if printf '%s' "$3" | grep -Eq -- "$2"; then
    _t_result 1 "$1"
    diag "unexpected match for: $2" "got: $3"
  else
    _t_result 0 "$1"
  fi
}

skip ()
{
  _t_n=$((_t_n + 1))
  echo "ok $_t_n - $1 # SKIP $2"
}

# Leak checks: nothing mounted in our namespace and no process left that
# carries the marker string in its command line.
mounts_snapshot () { _t_mounts=$(wc -l </proc/self/mountinfo); }
assert_nothing_left ()
{
  local desc=$1 marker=${2:-}
  local now
  now=$(wc -l </proc/self/mountinfo)
  is "$desc: no mounts left behind" "$_t_mounts" "$now"
  if [ -n "$marker" ]; then
    sleep 0.1
    local left
    left=$(pgrep -f -- "$marker" || true)
    is "$desc: no processes left behind" "" "$left"
  fi
}

# wait_exec PID PROGRAM: poll, up to 10 s, until process PID runs PROGRAM
# (a path or a command name): a holder started as `unshare ... PROGRAM` or
# `nsenter ... PROGRAM` has then made or entered its namespaces.  Fails
# when it does not happen.
wait_exec ()
{
  local i exe
  exe=$(readlink -f "$(command -v "$2" || echo "$2")")
  for ((i = 0; i < 200; i++)); do
    [ "$(readlink "/proc/$1/exe" 2>/dev/null)" = "$exe" ] && return 0
    sleep 0.05
  done
  return 1
}

done_testing ()
{
  echo "1..$_t_n"
  [ "$_t_failed" = 0 ]
}
