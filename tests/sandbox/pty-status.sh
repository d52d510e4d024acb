#!/bin/bash
# pty-status.sh: the rest of issue 6 in real sandboxes:
#   --pty          the program on a pty of the sandbox's own devpts, relayed
#                  to husk's stdio (stdin a pipe, and husk on a real tty with
#                  script(1)); the window size follows husk's terminal
#                  (SIGWINCH); TIOCSTI and /dev/console cannot reach the
#                  caller's terminal; no devpts is an error naming --pty;
#   status         the final --json-status-fd object carries resource usage
#                  (and cgroup peaks where the kernel has them);
#   --pidfd-fd     the pidfd received over a socketpair names the program
#                  and pidfd_send_signal through it kills it (python3);
#   diagnostics    hints for a /proc masked by mounts over it (made with
#                  unshare(1)) and for a missing subordinate id range;
#   features       `husk features --json` parses and lists flags, seccomp
#                  architectures and the cgroup setup.
# husk only (bwrap has none of these).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"
need_probe

T=$TEST_TMP
have_py=false
command -v python3 >/dev/null && have_py=true
have_script=false
command -v script >/dev/null && have_script=true

# ---- --pty ------------------------------------------------------------------
echo input | "$HUSK" "${SB[@]}" --pty sh -c 'tty; test -c "$(tty)" && echo is-chardev; read x; echo "got=$x"; exit 3' >"$T/pout" 2>"$T/err"
RC=$?
OUT=$(tr -d '\r' <"$T/pout")
is "--pty, stdin a pipe: exit status exact" 3 "$RC"
has_line "--pty, stdin a pipe: tty names the sandbox's /dev/pts/0" "/dev/pts/0" "$OUT"
has_line "--pty: that path exists inside (the sandbox's devpts)" "is-chardev" "$OUT"
has_line "--pty, stdin a pipe: input reaches the program, output arrives" "got=input" "$OUT"

if $have_script; then
  clean () { tr -d '\r'; }
  script -qec "$HUSK ${SB[*]} --pty sh -c 'tty; echo out; exit 4'" /dev/null </dev/null >"$T/tout" 2>&1
  RC=$?
  OUT=$(clean <"$T/tout")
  is "--pty, husk on a tty (script): exit status exact" 4 "$RC"
  has_line "--pty, husk on a tty: tty names the sandbox's /dev/pts/0" "/dev/pts/0" "$OUT"
  has_line "--pty, husk on a tty: output arrives" "out" "$OUT"
  # An end of input typed before husk's terminal is raw.  script(1) writes
  # ^D to its pty about 10 ms after its own stdin ends; the sleep makes husk
  # start later, so canonical mode holds that ^D as an end-of-file marker
  # (a NUL byte), which a plain switch to raw mode would hand husk as data.
  # The program must get an end of file (cat ends, with nothing read), not
  # a NUL (echoed as ^@, and cat would wait for more: the timeout).
  timeout -k 5 30 script -qec "sh -c 'sleep 1; exec $HUSK ${SB[*]} --pty sh -c \"cat | od -An -c; echo cat-ended\"'" /dev/null </dev/null >"$T/tout" 2>&1
  RC=$?
  is "--pty: end of input typed before husk is raw: exit status" 0 "$RC"
  is "--pty: ... reaches the program as an end of file, not a NUL" "cat-ended" "$(clean <"$T/tout")"
  # The program's terminal is not the caller's: TIOCSTI on it fails (the
  # built-in filter), and /dev/console is not bound to the caller's tty.
  tio () { script -qec "$*" /dev/null </dev/null 2>&1 | clean | grep -E '^(ok|E[A-Z]+)$'; }
  like "--pty: TIOCSTI from inside fails" '^(EPERM|EIO)$' "$(tio "$HUSK" "${SB[@]}" --pty "$P" tiocsti)"
  OUT=$(script -qec "$HUSK ${SB[*]} --pty sh -c 'test -e /dev/console && echo console || echo no-console'" /dev/null </dev/null 2>&1 | clean)
  has_line "--pty: /dev/console is not the caller's terminal" "no-console" "$OUT"
  OUT=$(script -qec "$HUSK ${SB[*]} sh -c 'test -e /dev/console && echo console || echo no-console'" /dev/null </dev/null 2>&1 | clean)
  has_line "without --pty, /dev/console is the caller's terminal (control)" "console" "$OUT"
else
  for d in "tty: exit" "tty: path" "tty: output" "early EOF: exit" "early EOF: no NUL" "TIOCSTI" "/dev/console" "/dev/console control"; do
    skip "--pty, husk on a tty: $d" "no script(1)"
  done
fi

hrun --ro-bind / / --pty true
is "--pty without a devpts: exit 1" 1 "$RC"
like "--pty without a devpts: the error names --pty" '^husk: --pty: open /dev/ptmx' "$ERR"
like "--pty without a devpts: a hint says to add --dev" '^husk: hint: .*--dev /dev' "$(printf '%s\n' "$ERR" | sed -n 2p)"

if $have_py; then
  cat >"$T/winch.py" <<'PY'
import fcntl, os, pty, select, struct, sys, termios, time
pid, fd = pty.fork()
if pid == 0:
    # The starting size is set before husk runs (set from the parent, it
    # could arrive after husk copied the size, or as a resize).
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    os.execvp(sys.argv[1], sys.argv[1:])
out = b""
def read_until(pat, t):
    global out
    end = time.time() + t
    while time.time() < end and pat not in out:
        if select.select([fd], [], [], 0.05)[0]:
            try:
                d = os.read(fd, 4096)
            except OSError:
                return
            if not d:
                return
            out += d
read_until(b"ready", 10)
# The caller's terminal changes size: the kernel sends SIGWINCH to husk.
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 33, 111, 0, 0))
read_until(b"end", 40)
st = os.waitpid(pid, 0)[1]
print(" ".join(out.decode(errors="replace").split()), os.waitstatus_to_exitcode(st))
PY
  # The program waits for the resize (up to 30 s: a loaded machine), then ends.
  prog='trap "stty size; echo end; exit 0" WINCH; stty size; echo ready; i=0; while [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; echo no-winch'
  got=$(timeout 60 python3 "$T/winch.py" "$HUSK" "${SB[@]}" --pty sh -c "$prog" 2>&1)
  is "--pty: the window size follows husk's terminal (SIGWINCH)" "24 80 ready 33 111 end 0" "$got"
else
  skip "--pty: the window size follows husk's terminal" "python3 not installed"
fi

# ---- resource usage in the final --json-status-fd object ----------------------
if $have_py; then
  cat >"$T/last.py" <<'PY'
import json, sys
o = json.loads(open(sys.argv[1]).read().splitlines()[-1])
print(" ".join("%s=%s" % (k, o[k]) for k in sorted(o)))
PY
  busy='import time
b = b"x" * (64 << 20)
t = time.process_time()
while time.process_time() - t < 0.3: pass'
  hrun "${SB[@]}" --json-status-fd 4 python3 -c "$busy" 4>"$T/js"
  is "status: the program ran" 0 "$RC"
  got=$(python3 "$T/last.py" "$T/js")
  like "status: the last object is JSON with exit-code and usage members" \
    '^exit-code=0 max-rss-kib=[0-9]+ system-time-us=[0-9]+ user-time-us=[0-9]+$' "$got"
  rss=$(sed -n 's/.*max-rss-kib=\([0-9]*\).*/\1/p' <<<"$got")
  ut=$(sed -n 's/.*user-time-us=\([0-9]*\).*/\1/p' <<<"$got")
  st=$(sed -n 's/.*system-time-us=\([0-9]*\).*/\1/p' <<<"$got")
  ok "status: max-rss-kib ($rss) covers the program's 64 MiB" test "${rss:-0}" -ge 60000
  # The loop's clock reads are syscalls: count user and system time.
  ok "status: user-time-us + system-time-us ($ut + $st) cover 0.3 s of CPU" \
    test $((${ut:-0} + ${st:-0})) -ge 280000

  # With a cgroup of its own: memory-peak / pids-peak where the files exist.
  dir=$(python3 -c 'import json,sys; d=json.load(sys.stdin)["cgroup"]; print(d["path"] or "", d["delegated"], d["controllers"])' \
        < <("$HUSK" features --json))
  read -r cgpath delegated controllers <<<"$dir"
  if [ "$delegated" = True ] && [[ " $controllers " == *" pids "* ]]; then
    hrun "${SB[@]}" --pids-max 50 --json-status-fd 4 sh -c 'true & true & wait' 4>"$T/jc"
    like "status with --pids-max: pids-peak" 'pids-peak=[1-9]' "$(python3 "$T/last.py" "$T/jc")"
  else
    skip "status with --pids-max: pids-peak" "pids controller not delegated on cgroup v2 here ($controllers)"
  fi
  if [ "$delegated" = True ] && [[ " $controllers " == *" memory "* ]]; then
    hrun "${SB[@]}" --memory-max 1G --json-status-fd 4 python3 -c 'b = b"x" * (32 << 20)' 4>"$T/jm"
    got=$(python3 "$T/last.py" "$T/jm")
    mp=$(sed -n 's/.*memory-peak=\([0-9]*\).*/\1/p' <<<"$got")
    ok "status with --memory-max: memory-peak ($mp) covers 32 MiB" test "${mp:-0}" -ge 33554432
  else
    skip "status with --memory-max: memory-peak" "memory controller not on cgroup v2 here ($controllers)"
  fi
  if [ "$delegated" = True ]; then
    hrun "${SB[@]}" --pids-max max --json-status-fd 4 true 4>"$T/jx"
    like "status with a cgroup but no controller: still parses, no peaks" \
      '^exit-code=0 max-rss-kib=[0-9]+ system-time-us=[0-9]+ user-time-us=[0-9]+$' \
      "$(python3 "$T/last.py" "$T/jx")"
  else
    skip "status with a cgroup but no controller" "husk's cgroup is not writable here"
  fi
else
  skip "status: resource usage" "python3 not installed"
fi

# ---- --pidfd-fd ---------------------------------------------------------------
if $have_py; then
  cat >"$T/pidfd.py" <<'PY'
import json, os, signal, socket, subprocess, sys, time
husk, sig = sys.argv[1], int(sys.argv[2])
a, b = socket.socketpair()
r, w = os.pipe()
p = subprocess.Popen([husk] + sys.argv[3:] + ["--pidfd-fd", str(b.fileno()),
                      "--json-status-fd", str(w), "sh", "-c", "exec sleep 30"],
                     pass_fds=(b.fileno(), w), stdin=subprocess.DEVNULL)
b.close(); os.close(w)
msg, fds, _, _ = socket.recv_fds(a, 16, 1)
eof = a.recv(16) == b""           # husk closed its end after sending
pidfd = fds[0] if fds else -1
pid = -1
for line in open("/proc/self/fdinfo/%d" % pidfd):
    if line.startswith("Pid:"):
        pid = int(line.split()[1])
status = b""
while b"command-pid" not in status:
    status += os.read(r, 4096)
cmd = [json.loads(l)["command-pid"] for l in status.decode().splitlines() if "command-pid" in l][0]
for _ in range(100):              # the program execs sleep after sending it
    if open("/proc/%d/comm" % pid).read().strip() == "sleep":
        break
    time.sleep(0.05)
comm = open("/proc/%d/comm" % pid).read().strip()
signal.pidfd_send_signal(pidfd, sig)
print("fds=%d closed=%s same=%s comm=%s rc=%d" % (len(fds), eof, pid == cmd, comm, p.wait()))
PY
  for mode in "" --unshare-pid; do
    what=${mode:-no pid namespace}
    got=$(timeout 30 python3 "$T/pidfd.py" "$HUSK" 9 --ro-bind / / $mode 2>&1)
    is "--pidfd-fd ($what): the pidfd is the program's (command-pid), SIGKILL through it" \
      "fds=1 closed=True same=True comm=sleep rc=137" "$got"
  done
  got=$(timeout 30 python3 "$T/pidfd.py" "$HUSK" 15 "${SB[@]}" 2>&1)
  is "--pidfd-fd: SIGTERM through it, husk exits 143" "fds=1 closed=True same=True comm=sleep rc=143" "$got"
else
  skip "--pidfd-fd" "python3 not installed"
fi
hrun --ro-bind / / --pidfd-fd 5 true 5</dev/null
is "--pidfd-fd on a non-socket: exit 1" 1 "$RC"
husk_error_line "--pidfd-fd on a non-socket: one error line" "--pidfd-fd 5: not a unix socket"

# ---- diagnostics --------------------------------------------------------------
# An outer "container" masks /proc/sys: inside a nested user namespace the
# mount is locked, and the kernel refuses a new procfs.  husk must fail
# (not show the outer processes) and say why.
if unshare -Urm true 2>/dev/null; then
  run_masked () { unshare -Urm sh -c "$1"' "$@"' _ "$HUSK" --unshare-user --ro-bind / / --unshare-pid --proc /proc sh -c 'echo pid1=$(cat /proc/1/comm)'; }
  OUT=$(run_masked 'exec "$@"' 2>&1)
  like "control: a new /proc in a nested user namespace works" 'pid1=' "$OUT"
  OUT=$(run_masked 'mount -t tmpfs none /proc/sys && exec "$@"' 2>"$T/merr"); RC=$?
  ERR=$(cat "$T/merr")
  is "masked /proc: exit 1" 1 "$RC"
  is "masked /proc: the outer /proc is not shown instead" "" "$OUT"
  like "masked /proc: the error names --proc" '^husk: --proc /proc: mount proc: Operation not permitted' "$ERR"
  like "masked /proc: a hint names the mount over /proc" \
    '^husk: hint: /proc is masked by an outer container .*/proc/sys' "$(printf '%s\n' "$ERR" | sed -n 2p)"
else
  skip "masked /proc hint" "unshare -Urm does not work here"
fi
if ! is_root && ! grep -qE "^($(id -un)|$(id -u)):" /etc/subuid 2>/dev/null; then
  hrun --ro-bind / / --uid-map 0 200000 10 --uid 0 true
  is "--uid-map without a subuid range: exit 1" 1 "$RC"
  like "--uid-map without a subuid range: a hint says how to add one" \
    '^husk: hint: .*(no subordinate uid range|does not exist).*usermod --add-subuids' \
    "$(printf '%s\n' "$ERR" | sed -n 2p)"
else
  skip "--uid-map without a subuid range: hint" "root, or the user has a range"
fi

# ---- husk features --json -----------------------------------------------------
"$HUSK" features --json >"$T/feat.json"
is "features --json: exit 0" 0 "$?"
if $have_py; then
  ok "features --json: python3 -m json.tool parses it" python3 -m json.tool "$T/feat.json"
  got=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join(f for f in ("--ro-bind", "--pty", "--pidfd-fd", "--seccomp-profile") if f in d["flags"]))
print(d["seccomp"]["native-architecture"], " ".join(d["seccomp"]["architectures"]))
print(d["cgroup"]["version"], type(d["cgroup"]["delegated"]).__name__)' "$T/feat.json")
  has_line "features --json: flags lists every option (from options.def)" \
    "--ro-bind --pty --pidfd-fd --seccomp-profile" "$got"
  is "features --json: as many flags as --help lists" \
    "$("$HUSK" --help | grep -cE '^    --')" \
    "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["flags"]))' "$T/feat.json")"
  if [ "$(uname -m)" = x86_64 ]; then
    like "features --json: seccomp architectures: x86_64 native, SCMP_ARCH_X86_64 listed" \
      '^x86_64 .*SCMP_ARCH_X86_64( |$)' "$(sed -n 2p <<<"$got")"
  else
    like "features --json: seccomp architectures" "^$(uname -m | sed 's/armv.*/arm/') " "$(sed -n 2p <<<"$got")"
  fi
  like "features --json: cgroup version and delegation" '^(2|hybrid|1|None) bool$' "$(sed -n 3p <<<"$got")"
else
  skip "features --json parses" "python3 not installed"
fi
like "features: a cgroup-delegation line" '^cgroup-delegation: (yes|no) ' "$("$HUSK" features)"

done_testing
