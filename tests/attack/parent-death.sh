#!/bin/bash
# parent-death.sh: no sandboxed process outlives its launcher.
#  - --die-with-parent: SIGKILL of husk's parent kills the whole sandbox;
#  - SIGKILL of husk itself (with --die-with-parent) leaves no process;
#  - Ctrl-C (SIGINT to the foreground process group) leaves no process;
#  - orphans inside a pid namespace are reaped (no zombies) and die with it;
#  - exit statuses are exact (N, 128+signal).
# Each sandbox runs a `sleep` with a unique duration as its marker; the
# patterns are anchored ("^sleep M") so husk's own command line, which
# contains the same words, never counts as the sandbox running.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"

mkdir -p "$TEST_TMP/bin"
cp "$HUSK" "$TEST_TMP/bin/husk"
chmod 755 "$TEST_TMP/bin/husk"
H=$TEST_TMP/bin/husk
n=0
marker () { n=$((n + 1)); printf "4242.%07d%03d\n" $$ "$n"; }
gone ()   # gone PATTERN: no process matches within 3 s
{
  local i
  for i in $(seq 30); do
    pgrep -f -- "$1" >/dev/null || return 0
    sleep 0.1
  done
  pgrep -af -- "$1" >&2
  return 1
}
running () # running PATTERN: a process matches within 3 s
{
  local i
  for i in $(seq 30); do
    pgrep -f -- "$1" >/dev/null && return 0
    sleep 0.1
  done
  return 1
}

mounts_snapshot
for v in "--unshare-pid" "" "--unshare-all"; do
  d=${v:-no pid ns}
  # 1. The parent dies.
  m=$(marker)
  setsid bash -c '"$1" --die-with-parent --ro-bind / / '"$v"' sleep "$2" & wait' sh "$H" "$m" </dev/null >/dev/null 2>&1 &
  parent=$!
  ok "$d: the sandbox runs (control)" running "^sleep $m"
  kill -KILL "$parent"
  wait "$parent" 2>/dev/null
  ok "$d: SIGKILL of husk's parent kills the sandbox" gone "^sleep $m"
  ok "$d: ... and husk" gone "$H.*sleep $m"

  # 2. husk itself is killed.
  m=$(marker)
  "$H" --die-with-parent --ro-bind / / $v sleep "$m" </dev/null >/dev/null 2>&1 &
  hp=$!
  ok "$d: the sandbox runs (control 2)" running "^sleep $m"
  kill -KILL "$hp"
  wait "$hp" 2>/dev/null
  is "$d: killed husk's status is 128+9" 137 "$?"
  ok "$d: SIGKILL of husk with --die-with-parent leaves no process" gone "^sleep $m"

  # 3. Ctrl-C: SIGINT to the process group of a foreground job.
  m=$(marker)
  # (a script's background jobs start with SIGINT ignored: undo that)
  setsid env --default-signal=INT "$H" --ro-bind / / $v sleep "$m" </dev/null >/dev/null 2>&1 &
  hp=$!
  ok "$d: the sandbox runs (control 3)" running "^sleep $m"
  kill -INT -- "-$hp"
  ok "$d: Ctrl-C (SIGINT to the group) leaves no process" gone "^sleep $m"
  if ! gone "$H.*sleep $m"; then
    _t_result 1 "$d: husk exits on Ctrl-C"
    kill -KILL -- "-$hp" 2>/dev/null
  fi
  wait "$hp" 2>/dev/null
  is "$d: husk's status after Ctrl-C is 128+2" 130 "$?"

  # 4. Exact exit statuses.
  hrun --ro-bind / / $v sh -c 'exit 42'
  is "$d: exit 42 is passed on" 42 "$RC"
  hrun --ro-bind / / $v sh -c 'kill -TERM $$'
  is "$d: death by SIGTERM gives 128+15" 143 "$RC"
  hrun --ro-bind / / $v sh -c 'kill -KILL $$'
  is "$d: death by SIGKILL gives 128+9" 137 "$RC"
done

# 5. Orphans in a pid namespace: reaped while it runs, killed when it ends.
need_probe
hrun --ro-bind / / --unshare-pid --proc /proc "$P" orphan
has_line "an orphan inside a pid namespace is reaped (no zombie)" "zombies=0" "$OUT"
m=$(marker)
hrun --ro-bind / / --unshare-pid sh -c "sleep $m & exit 3"
is "the program's status is returned while an orphan still runs" 3 "$RC"
ok "the orphan dies with the pid namespace" gone "^sleep $m"
m=$(marker)
hrun --ro-bind / / --unshare-pid --as-pid-1 sh -c "sleep $m & exit 4"
is "--as-pid-1: the program's status" 4 "$RC"
ok "--as-pid-1: the orphan dies with the pid namespace" gone "^sleep $m"
assert_nothing_left "parent death" "$H"

done_testing
