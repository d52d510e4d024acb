#!/bin/bash
# signals.sh: signals sent to husk reach the sandboxed program (issue 6,
# bwrap issue #369): SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and
# SIGWINCH, with and without a pid namespace (then through the reaper), and
# husk exits with the program's status (128+N when signal N killed it).
# --no-forward-signals leaves them to act on husk.  A Ctrl-C typed on a
# terminal reaches the program exactly once (run on a pty, with python3).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"

T=$TEST_TMP
S=(--ro-bind / / --dev /dev --proc /proc)

# A background job of a non-interactive shell starts with SIGINT and SIGQUIT
# ignored, and husk leaves ignored signals alone: give them back their
# default action (coreutils 8.31 and later) for the runs below.
if env --default-signal=INT,QUIT true 2>/dev/null; then
  H=(env --default-signal=INT,QUIT "$HUSK")
  sigs="TERM INT HUP QUIT USR1 USR2 WINCH"
else
  H=("$HUSK")
  sigs="TERM HUP USR1 USR2 WINCH"
  skip "SIGINT and SIGQUIT forwarded" "env has no --default-signal"
fi

# wait_max PID: wait for background PID, SIGKILL it after 10 s; RC is its status.
wait_max ()
{
  local i st
  for ((i = 0; i < 100; i++)); do
    st=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) || break
    [ "$st" = Z ] && break
    sleep 0.1
  done
  [ "$i" = 100 ] && kill -KILL "$1"
  wait "$1"
  RC=$?
}

wait_for ()
{
  local i
  for ((i = 0; i < 50; i++)); do
    grep -q -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# trapped SIG PIDNS...: husk runs a shell that traps SIG, prints "got SIG"
# and exits 3; SIG is sent to husk once the shell is ready.
trapped ()
{
  local sig=$1
  shift
  rm -f "$T/out"
  "${H[@]}" "${S[@]}" "$@" sh -c "trap 'echo got $sig; exit 3' $sig; echo ready; while :; do sleep 0.05; done" \
    >"$T/out" 2>&1 </dev/null &
  local hpid=$!
  wait_for "$T/out" ready && kill -"$sig" "$hpid"
  wait_max "$hpid"
  OUT=$(cat "$T/out")
}

for mode in "" --unshare-pid; do
  what=${mode:-no pid namespace}
  for sig in $sigs; do
    trapped "$sig" $mode
    is "$what: SIG$sig reaches the program, husk exits with its status" "3 ready got $sig" \
      "$RC $(echo $OUT)"
  done

  # Not trapped: the program dies of it, husk exits 128+N.
  rm -f "$T/out"
  "${H[@]}" "${S[@]}" $mode sh -c 'echo ready; exec sleep 30' >"$T/out" 2>&1 </dev/null &
  hpid=$!
  wait_for "$T/out" ready
  sleep 0.1
  kill -TERM "$hpid"
  wait_max "$hpid"
  is "$what: program killed by the forwarded SIGTERM: status 143" 143 "$RC"

  "${H[@]}" "${S[@]}" $mode sh -c 'echo ready; exec sleep 30' >"$T/out" 2>&1 </dev/null &
  hpid=$!
  wait_for "$T/out" ready
  sleep 0.1
  kill -USR1 "$hpid"
  wait_max "$hpid"
  is "$what: program killed by the forwarded SIGUSR1: status 138" 138 "$RC"
done

# As process 1 itself, the program gets the signal only with a handler.
trapped TERM --unshare-pid --as-pid-1
is "--as-pid-1: SIGTERM reaches the program" "3 ready got TERM" "$RC $(echo $OUT)"

# --new-session: the program is in another session; still reached.
trapped TERM --unshare-pid --new-session
is "--new-session: SIGTERM reaches the program" "3 ready got TERM" "$RC $(echo $OUT)"

# Several signals in a row, all delivered, in a sandbox that goes on.
rm -f "$T/out"
"${H[@]}" "${S[@]}" --unshare-pid sh -c \
  'n=0; trap "n=\$((n+1)); echo usr1 \$n" USR1; trap "echo done; exit \$n" TERM; echo ready; while :; do sleep 0.05; done' \
  >"$T/out" 2>&1 </dev/null &
hpid=$!
wait_for "$T/out" ready
for i in 1 2 3; do
  kill -USR1 "$hpid"
  wait_for "$T/out" "usr1 $i"
done
kill -TERM "$hpid"
wait_max "$hpid"
is "three SIGUSR1 then SIGTERM, each delivered once" "3 ready usr1 1 usr1 2 usr1 3 done" \
  "$RC $(echo $(cat "$T/out"))"

# A signal the caller ignores (here SIGINT, as for any background job of a
# script) stays ignored: husk neither dies of it nor passes it on.
rm -f "$T/out"
trap '' INT
"$HUSK" "${S[@]}" --unshare-pid sh -c 'echo ready; sleep 0.5; echo end' >"$T/out" 2>&1 </dev/null &
hpid=$!
trap - INT
wait_for "$T/out" ready
kill -INT "$hpid"
wait_max "$hpid"
is "an ignored SIGINT stays ignored" "0 ready end" "$RC $(echo $(cat "$T/out"))"

# --no-forward-signals: husk dies of SIGTERM itself (the program never sees
# it; --die-with-parent ends the sandbox with husk).
rm -f "$T/out"
"${H[@]}" "${S[@]}" --unshare-pid --no-forward-signals --die-with-parent \
  sh -c "trap 'echo got TERM; exit 3' TERM; echo ready; while :; do sleep 0.05; done" \
  >"$T/out" 2>&1 </dev/null &
hpid=$!
wait_for "$T/out" ready
kill -TERM "$hpid"
wait_max "$hpid"
sleep 0.2
is "--no-forward-signals: husk itself dies of SIGTERM (143)" 143 "$RC"
unlike "--no-forward-signals: the program did not get it" "got TERM" "$(cat "$T/out")"

# Ctrl-C on a terminal: the program (in husk's process group) gets the
# terminal's SIGINT itself; husk must not send it a second one, and must wait.
if command -v python3 >/dev/null; then
  cat >"$T/ctrl_c.py" <<'PY'
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b""
def read_for(t):
    global out
    end = time.time() + t
    while time.time() < end:
        if select.select([fd], [], [], 0.05)[0]:
            try:
                d = os.read(fd, 4096)
            except OSError:
                return
            if not d:
                return
            out += d
            if b"ready" in out and t > 5:
                return
read_for(10)
os.write(fd, b"\x03")
read_for(2)
st = os.waitpid(pid, 0)[1]
read_for(0.2)
print(" ".join(out.decode(errors="replace").replace("^C", "").split()), os.waitstatus_to_exitcode(st))
PY
  P='trap "echo INT" INT; echo ready; for i in 1 2 3 4 5 6 7 8 9 10; do sleep 0.1; done; echo end'
  for mode in "" --unshare-pid --new-session "--unshare-pid --new-session"; do
    what=${mode:-no pid namespace}
    got=$(timeout 20 python3 "$T/ctrl_c.py" "$HUSK" "${S[@]}" $mode sh -c "$P" 2>&1)
    is "Ctrl-C ($what): the program gets SIGINT once, husk waits" "ready INT end 0" "$got"
  done
  got=$(timeout 20 python3 "$T/ctrl_c.py" "$HUSK" "${S[@]}" --unshare-pid sh -c 'echo ready; exec sleep 30' 2>&1)
  is "Ctrl-C: the program dies of SIGINT, husk exits 130" "ready 130" "$got"
else
  skip "Ctrl-C on a terminal" "python3 not installed"
fi

done_testing
