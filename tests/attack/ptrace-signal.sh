#!/bin/bash
# ptrace-signal.sh: a process inside the sandbox cannot ptrace or signal a
# process outside.  A `sleep` is started outside (same uid as the sandbox);
# from inside, python3 tries PTRACE_ATTACH and PTRACE_SEIZE on its pid and
# then SIGKILLs it.
#   --unshare-pid: the outside process must be invisible: /proc/PID absent,
#     ptrace and kill fail with ESRCH, and the sleep is still alive after.
#   no pid namespace: the process is visible and, having the same uid, can
#     be signalled (as with bwrap: only --unshare-pid hides it); ptrace must
#     still fail, because the sandbox has no capabilities (as root) or lives
#     in a child user namespace (as a user).
# A control shows the python ptrace code works outside a sandbox.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"

PY=/usr/bin/python3
if [ ! -x "$PY" ]; then
  skip "ptrace and signals do not cross the sandbox" "no /usr/bin/python3"
  done_testing
  exit
fi
cat >"$TEST_TMP/attack.py" <<'PYEOF'
import ctypes, errno, os, signal, sys, time
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
PTRACE_ATTACH, PTRACE_DETACH, PTRACE_SEIZE = 16, 17, 0x4206
def name(e): return errno.errorcode.get(e, str(e))
def ptrace(req, pid):
    if libc.ptrace(req, pid, None, None) == 0:
        if req == PTRACE_ATTACH:
            os.waitpid(pid, 0x40000000)  # __WALL
        libc.ptrace(PTRACE_DETACH, pid, None, None)
        return "ok"
    return name(ctypes.get_errno())
if sys.argv[1] == "control":
    pid = os.fork()
    if pid == 0:
        time.sleep(5); os._exit(0)
    print("attach=" + ptrace(PTRACE_ATTACH, pid))
    os.kill(pid, signal.SIGKILL); os.waitpid(pid, 0)
    sys.exit(0)
pid = int(sys.argv[2])
print("visible=" + ("yes" if os.path.exists("/proc/%d" % pid) else "no"))
print("seize=" + ptrace(PTRACE_SEIZE, pid))
print("attach=" + ptrace(PTRACE_ATTACH, pid))
if sys.argv[1] == "kill":
    try:
        os.kill(pid, signal.SIGKILL); print("kill=ok")
    except OSError as e:
        print("kill=" + name(e.errno))
PYEOF
chmod 644 "$TEST_TMP/attack.py"
A=$TEST_TMP/attack.py

out=$("$PY" "$A" control 2>&1)
is "control: python3 can ptrace a process it may trace" "attach=ok" "$out"

sleep 300 &
victim=$!
alive () { kill -0 "$victim" 2>/dev/null; }
ok "control: the victim (pid $victim) runs outside" alive

for v in "--unshare-pid" "--unshare-all" "--unshare-user-try --unshare-pid" "--unshare-pid --as-pid-1"; do
  hrun --ro-bind / / --proc /proc $v "$PY" "$A" kill "$victim"
  if [ "$RC" != 0 ]; then
    _t_result 1 "$v: the attack ran"; diag "exit $RC: $ERR"; continue
  fi
  has_line "$v: the outside process is not visible" "visible=no" "$OUT"
  has_line "$v: PTRACE_SEIZE fails with ESRCH" "seize=ESRCH" "$OUT"
  has_line "$v: PTRACE_ATTACH fails with ESRCH" "attach=ESRCH" "$OUT"
  has_line "$v: SIGKILL fails with ESRCH" "kill=ESRCH" "$OUT"
  ok "$v: the victim is still alive" alive
done

# No pid namespace: visible, but still not traceable.
for v in "" "--unshare-user-try" "--unshare-net --unshare-ipc"; do
  hrun --ro-bind / / --proc /proc $v "$PY" "$A" trace "$victim"
  if [ "$RC" != 0 ]; then
    _t_result 1 "no pid ns ${v:-(plain)}: the attack ran"; diag "exit $RC: $ERR"; continue
  fi
  diag "no pid namespace ${v:-(plain)}: $(kv visible "$OUT" | sed 's/^/visible=/') (expected: same-uid processes are visible, as with bwrap)"
  unlike "no pid ns ${v:-(plain)}: PTRACE_SEIZE of an outside process fails" '^seize=ok' "$OUT"
  unlike "no pid ns ${v:-(plain)}: PTRACE_ATTACH of an outside process fails" '^attach=ok' "$OUT"
  ok "no pid ns ${v:-(plain)}: the victim is still alive" alive
done

kill "$victim" 2>/dev/null
wait "$victim" 2>/dev/null
done_testing
