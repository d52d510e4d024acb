#!/bin/bash
# process.sh: --die-with-parent, --new-session, --as-pid-1, the pid-1
# reaper, and the default credentials (no_new_privs, no capabilities, only
# fds 0-2).  Validated against bwrap 0.8.0 as root and as uid 65534, except
# where husk is specified to differ (marked; skipped for bwrap).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"
need_probe

# wait_gone PATTERN SECS: wait until no process matches; 0 when gone.
wait_gone ()
{
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    pgrep -f -- "$1" >/dev/null || return 0
    sleep 0.1
  done
  return 1
}

# --die-with-parent: SIGKILL the process that started husk; the sandboxed
# program must die with it.  Without the flag (control) it survives.
for mode in with without; do
  marker="sleep 29.$(printf %07d%05d $$ $RANDOM)"
  flag=(); [ $mode = with ] && flag=(--die-with-parent)
  ( "$HUSK" --ro-bind / / --unshare-pid "${flag[@]}" "$P" ${marker} </dev/null >/dev/null 2>&1; : ) &
  parent=$!
  for ((i = 0; i < 50; i++)); do pgrep -f -- "$P $marker" >/dev/null && break; sleep 0.1; done
  running=no; pgrep -f -- "$P $marker" >/dev/null && running=yes
  kill -KILL "$parent"; wait "$parent" 2>/dev/null
  if [ $mode = with ]; then
    is "--die-with-parent: the sandbox was running" yes "$running"
    ok "--die-with-parent: killing husk's parent kills the sandbox" wait_gone "$marker" 3
  else
    gone=no; wait_gone "$marker" 1 && gone=yes
    is "without --die-with-parent the sandbox outlives the parent (control)" no "$gone"
  fi
  pkill -KILL -f -- "$marker"; wait_gone "$marker" 3
done

marker="sleep 28.$(printf %07d%05d $$ $RANDOM)"
"$HUSK" --ro-bind / / --die-with-parent "$P" ${marker} </dev/null >/dev/null 2>&1 &
husk_pid=$!
for ((i = 0; i < 50; i++)); do pgrep -f -- "$P $marker" >/dev/null && break; sleep 0.1; done
kill -KILL "$husk_pid"; wait "$husk_pid" 2>/dev/null
ok "--die-with-parent: killing husk itself kills the sandbox" wait_gone "$marker" 3
pkill -KILL -f -- "$marker"

# --new-session: a new session id.  Without a pid namespace the ids are
# comparable with ours.
host_sid=$(kv sid "$("$P" pid)")
hrun --ro-bind / / "$P" pid
is "without --new-session the session is the caller's" "$host_sid" "$(kv sid "$OUT")"
hrun --ro-bind / / --new-session "$P" pid
sid=$(kv sid "$OUT")
ok "--new-session: a different session id" test -n "$sid" -a "$sid" != "$host_sid"
hrun --ro-bind / / --unshare-pid --proc /proc --new-session "$P" pid
is "--new-session in a pid namespace: session led inside (sid 1)" 1 "$(kv sid "$OUT")"

# TIOCSTI on the caller's terminal is the attack --new-session stops.
if ! command -v script >/dev/null; then
  skip "--new-session: TIOCSTI on the caller's tty fails" "no script(1) for a pty"
  skip "without --new-session TIOCSTI works (control)" "no script(1) for a pty"
else
  # script(1) passes on the end of its stdin only once the pty's input is
  # empty (it polls for 2 s): cat reads what a successful TIOCSTI left there.
  tio () { script -qec "$*; exec cat >/dev/null" /dev/null </dev/null 2>&1 | tr -d '\r' | grep -E '^(ok|E[A-Z]+)$'; }
  if is_bwrap && is_root; then
    skip "--new-session: TIOCSTI on the caller's tty fails" "bwrap keeps CAP_SYS_ADMIN for root"
  else
    like "--new-session: TIOCSTI on the caller's tty fails" '^(EPERM|EIO)$' \
      "$(tio "$HUSK" --ro-bind / / --new-session "$P" tiocsti)"
  fi
  if [ "$(cat /proc/sys/dev/tty/legacy_tiocsti 2>/dev/null || echo 1)" = 1 ]; then
    # husk's built-in seccomp filter blocks TIOCSTI in every sandbox
    # (tests/sandbox/security.sh), so the control runs outside one.
    if is_bwrap; then
      is "without --new-session TIOCSTI works (control)" ok "$(tio "$HUSK" --ro-bind / / "$P" tiocsti)"
    else
      is "without a sandbox TIOCSTI works (control)" ok "$(tio "$P" tiocsti)"
    fi
  else
    skip "without --new-session TIOCSTI works (control)" "dev.tty.legacy_tiocsti=0"
  fi
fi

# --as-pid-1 and the reaper.
hrun --ro-bind / / --unshare-pid --proc /proc --as-pid-1 "$P" pid
is "--as-pid-1: the program is pid 1" "1 0" "$(kv pid "$OUT") $(kv ppid "$OUT")"
hrun --ro-bind / / --as-pid-1 "$P" pid
is "--as-pid-1 without --unshare-pid: exit 1" 1 "$RC"
hrun --ro-bind / / --unshare-pid --proc /proc "$P" orphan
is "--unshare-pid: orphans are reaped by pid 1" "zombies=0" "$OUT"
hrun --ro-bind / / --unshare-pid --proc /proc --as-pid-1 "$P" orphan
is "--as-pid-1: nobody reaps orphans (control)" "zombies=1" "$OUT"
hrun --ro-bind / / --unshare-pid --proc /proc "$P" kill-self TERM
is "the reaper reports the program's death by signal: 143" 143 "$RC"
hrun --ro-bind / / --unshare-pid --proc /proc --as-pid-1 "$P" kill-self TERM
is "--as-pid-1: pid 1 ignores its own SIGTERM (kernel rule)" "125 survived" "$RC $OUT"

# Default credentials.
hrun --ro-bind / / --unshare-pid --proc /proc "$P" status
is "no_new_privs is set" 1 "$(kv NoNewPrivs "$OUT")"
if is_bwrap && is_root; then
  # husk differs: bwrap run by root keeps root's capabilities unless --cap-drop.
  skip "all capability sets are empty" "bwrap keeps all caps for uid 0"
else
  is "all capability sets are empty" "0000000000000000 0000000000000000 0000000000000000 0000000000000000 0000000000000000" \
    "$(kv CapInh "$OUT") $(kv CapPrm "$OUT") $(kv CapEff "$OUT") $(kv CapBnd "$OUT") $(kv CapAmb "$OUT")"
fi

# Only fds 0, 1, 2 reach the program even when the caller has more open.
exec 5</etc/passwd 7>"$TEST_TMP/fd7"
ok "the caller really has fds 5 and 7 (control)" test -e /proc/$BASHPID/fd/5 -a -e /proc/$BASHPID/fd/7
if is_bwrap; then
  # husk differs: bwrap passes inherited fds through.
  skip "only fds 0 1 2 reach the program" "bwrap passes inherited fds"
  skip "only fds 0 1 2 reach the program (--unshare-pid)" "bwrap passes inherited fds"
else
  hrun --ro-bind / / --proc /proc "$P" fds
  is "only fds 0 1 2 reach the program" "0 1 2" "$OUT"
  hrun --ro-bind / / --unshare-pid --proc /proc "$P" fds
  is "only fds 0 1 2 reach the program (--unshare-pid)" "0 1 2" "$OUT"
fi
exec 5<&- 7>&-

done_testing
