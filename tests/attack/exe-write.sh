#!/bin/bash
# exe-write.sh: the husk binary cannot be rewritten from inside the sandbox
# (the CVE-2019-5736 pattern: open /proc/<launcher pid>/exe, directly or
# through an O_PATH fd reopened via /proc/self/fd, and write to it).
# From inside, python3 tries, for every /proc/PID/exe that resolves to the
# husk binary (pid 1 in a pid namespace is husk's reaper; the parent of the
# program is husk), and for the binary's own path: open O_WRONLY, and
# O_PATH then reopen O_WRONLY.  A success writes to the file, so the test
# attacks a private copy of husk and checks its hash afterwards.  Variants:
# with and without a pid namespace, the root bound read-only or writable,
# a fresh /proc or the host's /proc bound in.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"

PY=/usr/bin/python3
if [ ! -x "$PY" ]; then
  skip "the husk binary cannot be written from inside" "no /usr/bin/python3"
  done_testing
  exit
fi
mkdir -p "$TEST_TMP/bin"
cp "$HUSK" "$TEST_TMP/bin/husk"
chmod 755 "$TEST_TMP/bin/husk"
H=$TEST_TMP/bin/husk
sum () { sha256sum "$H" | cut -d' ' -f1; }
before=$(sum)

cat >"$TEST_TMP/attack.py" <<'PYEOF'
import errno, os, sys
target = sys.argv[1]
def name(e): return errno.errorcode.get(e, str(e))
cands = {target}
for p in os.listdir("/proc"):
    if p.isdigit() or p == "self":
        try:
            if os.readlink("/proc/%s/exe" % p) == target:
                cands.add("/proc/%s/exe" % p)
        except OSError:
            pass
print("found=%d" % (len(cands) - 1))
# The program's parent is husk (or its reaper): attack it even when its
# exe link cannot be read (it is then not ours to open either).
if os.getppid() > 0:
    cands.add("/proc/%d/exe" % os.getppid())
cands.add("/proc/1/exe")
for c in sorted(cands):
    for how in ("wronly", "opath"):
        try:
            if how == "wronly":
                fd = os.open(c, os.O_WRONLY)
            else:
                p = os.open(c, os.O_PATH)
                try:
                    fd = os.open("/proc/self/fd/%d" % p, os.O_WRONLY)
                finally:
                    os.close(p)
            os.write(fd, b"PWNED")
            os.close(fd)
            print("%s %s=ok" % (how, c))
        except OSError as e:
            print("%s %s=%s" % (how, c, name(e.errno)))
PYEOF
chmod 644 "$TEST_TMP/attack.py"
A=$TEST_TMP/attack.py

run_attack ()
{
  local desc=$1; shift
  OUT= ERR= RC=
  OUT=$("$H" "$@" "$PY" "$A" "$H" 2>"$TEST_TMP/err" </dev/null)
  RC=$?
  ERR=$(cat "$TEST_TMP/err")
  if [ "$RC" != 0 ]; then
    if [[ $* == *"--bind /proc /proc"* ]] && [ "$HUSK_TEST_MODE" = user ]; then
      skip "$desc" "the host /proc cannot be bound here: $ERR"
    else
      _t_result 1 "$desc: the attack ran"; diag "exit $RC: $ERR"
    fi
    return
  fi
  unlike "$desc: no way to open husk for writing" '=ok$' "$OUT"
  is "$desc: the husk binary is unchanged" "$before" "$(sum)"
  like "$desc: the parent's /proc/PID/exe was attacked" '^wronly /proc/[0-9]+/exe=' "$OUT"
  # In a pid namespace husk's reaper is pid 1, inside: attacked whether or
  # not its exe link is readable (husk may make it non-dumpable).
  if [[ $* == *--unshare-pid* || $* == *--unshare-all* ]]; then
    like "$desc: pid 1 (husk's reaper) was attacked" '^wronly /proc/1/exe=' "$OUT"
  fi
  diag "$desc: $(printf '%s\n' "$OUT" | sed "s|$TEST_TMP/bin/||" | tr '\n' ' ')"
}

run_attack "pid ns, fresh /proc, ro root" --ro-bind / / --unshare-pid --proc /proc
run_attack "pid ns, fresh /proc, writable root" --bind / / --unshare-pid --proc /proc
run_attack "pid ns, unshare-all, writable root" --bind / / --unshare-all --proc /proc
run_attack "no pid ns, fresh /proc, ro root" --ro-bind / / --proc /proc
run_attack "no pid ns, fresh /proc, writable root" --bind / / --proc /proc
run_attack "no pid ns, host /proc bound, writable root" --bind / / --bind /proc /proc
run_attack "pid ns, host /proc bound, writable root" --bind / / --unshare-pid --bind /proc /proc
# The binary's path alone (no /proc at all).
OUT=$("$H" --bind / / --unshare-pid "$PY" "$A" "$H" 2>&1)
unlike "no /proc, writable root: the binary's path cannot be opened for writing" '=ok$' "$OUT"
is "no /proc: the husk binary is unchanged" "$before" "$(sum)"
diag "$(printf '%s\n' "$OUT" | tr '\n' ' ')"

done_testing
